package collab

import (
	"encoding/json"
	"testing"
)

// The replies to a client's own op (ack, error), subscription (snapshot)
// or join (who is present) are told from broadcasts by their first bytes,
// and still decode to the protocol's fields.
func TestIsReply_TellsRepliesFromBroadcasts(t *testing.T) {
	ack := encodeAck("d1", 7, 3)
	fail := EncodeError(Errorf(CodeLocked, "locked"), "d1", 4)
	plain := EncodeError(Errorf(CodeInvalid, "bad"), "", 0)
	op := encodeOp(OpRecord{Doc: "d1", V: 8, Op: json.RawMessage(`{"ops":[{"insert":"{\"type\":\"ack\""}]}`), Src: "c", Seq: 1, By: "u"})
	for name, c := range map[string]struct {
		msg  []byte
		want bool
	}{"ack": {ack, true}, "error on an op": {fail, true}, "error": {plain, true}, "op": {op, false}, "synced": {[]byte(`{"type":"synced"}`), false},
		"a batch with an ack": {[]byte(string(op) + "\n" + string(ack) + "\n" + string(op)), true},
		"a batch of ops":      {[]byte(string(op) + "\n" + string(op)), false},
		"snapshot":            {[]byte(`{"type":"snapshot","doc":"d1","v":3,"data":{"ops":[]}}`), true},
		"who is present":      {mustMarshal(map[string]any{"type": "presence", "plan": "p", "peers": []Presence{}}), true},
		"a cursor":            {mustMarshal(Presence{Type: "presence", Plan: "p", Client: "c", Index: 2}), false},
		"an event":            {mustMarshal(PlanEvent{Type: "event", Plan: "p", Seq: 2}), false}} {
		if got := IsReply(c.msg); got != c.want {
			t.Errorf("IsReply(%s: %s) = %v, want %v", name, c.msg, got, c.want)
		}
	}
	var a struct {
		Type, Doc string
		V, Seq    int64
	}
	if err := json.Unmarshal(ack, &a); err != nil || a.Type != "ack" || a.Doc != "d1" || a.V != 7 || a.Seq != 3 {
		t.Errorf("ack %s decodes to %+v, %v", ack, a, err)
	}
	var e struct {
		Type, Code, Doc string
		Seq             *int64
	}
	if err := json.Unmarshal(fail, &e); err != nil || e.Type != "error" || e.Code != "locked" || e.Doc != "d1" || e.Seq == nil || *e.Seq != 4 {
		t.Errorf("error %s decodes to %+v, %v", fail, e, err)
	}
	e.Seq = nil
	if err := json.Unmarshal(plain, &e); err != nil || e.Seq != nil {
		t.Errorf("error without a doc %s carries a seq", plain)
	}
}
