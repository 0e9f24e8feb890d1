package collab

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// planMessages are messages of a plan's channel as the nodes write them.
func planMessages() [][]byte {
	return [][]byte{
		mustMarshal(Presence{Type: "presence", Plan: "p-1", Client: "c1", User: &User{ID: "u1", Name: "Åse Ødegård"},
			Doc: "d-1", Index: 12, Length: 3, Color: "#1f77b4"}),
		mustMarshal(Presence{Type: "presence", Plan: "p-1", Client: "c1", Left: true}),
		mustMarshal(PlanEvent{Type: "event", Plan: "p-1", Seq: 41, Kind: "comment_added", By: "u2",
			At: time.Date(2026, 11, 29, 6, 0, 0, 0, time.UTC), Data: json.RawMessage(`{"text":"Se \"kap. 3\"\n","anchor":[1,2]}`)}),
	}
}

func TestDecodePlanHead_PlainMessagesSkipReflection(t *testing.T) {
	for _, msg := range planMessages() {
		var got, want planHead
		if !plainPlanHead(msg, &got) {
			t.Errorf("plainPlanHead(%s) left it to json.Unmarshal; the nodes' own messages must be decoded without it", msg)
			continue
		}
		if err := json.Unmarshal(msg, &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("plainPlanHead(%s) = %+v, json.Unmarshal gives %+v", msg, got, want)
		}
	}
}

// What is not plain gets json.Unmarshal's result, error included.
func TestDecodePlanHead_OthersAsJSONUnmarshal(t *testing.T) {
	for _, s := range []string{
		`{"type":"presence","Client":"c"}`,                 // a key in other case
		`{"type":"presence","user":{"ID":"u","name":"n"}}`, // a user key in other case
		`{"type":"presence","user":null}`,
		`{"type":"presence","client":"c\u00e5"}`,
		`{"type":"presence","left":1}`,
		`{"type":"presence","index":2.0}`,
		`{"type":"event","seq":1,"seq":2}`,
		`{"type":"event","data":[1,]}`,
		`{"type":"presence"}]`,
		`null`, ``,
	} {
		var got, want planHead
		gerr := decodePlanHead([]byte(s), &got)
		werr := json.Unmarshal([]byte(s), &want)
		if (gerr == nil) != (werr == nil) || (gerr != nil && gerr.Error() != werr.Error()) || !reflect.DeepEqual(got, want) {
			t.Errorf("decodePlanHead(%q) = %+v, %v; json.Unmarshal gives %+v, %v", s, got, gerr, want, werr)
		}
	}
}

// FuzzDecodePlanHead: whatever plainPlanHead accepts, json.Unmarshal
// accepts with the same result.
func FuzzDecodePlanHead(f *testing.F) {
	for _, msg := range planMessages() {
		f.Add(msg)
	}
	f.Add([]byte(`{"type":"presence","user":{"id":"u","x":[{"y":null}],"name":"n"},"left":false,"other":"\u0041"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var plain, want planHead
		if !plainPlanHead(data, &plain) {
			return
		}
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("plainPlanHead accepted %q, which json.Unmarshal refuses: %v", data, err)
		}
		if !reflect.DeepEqual(plain, want) {
			t.Fatalf("plainPlanHead(%q) = %+v; json.Unmarshal gives %+v", data, plain, want)
		}
	})
}
