package collab

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestTurn_HoldsBackUntilAnotherCommitsOrTimeIsUp checks the turn rules of
// one doc actor: a request from another node holds back its commits until
// another node's op moves the head or the time asked for is up; its own
// requests, echoed by the bus, do nothing; after a turn given in vain it
// gives none for as long.
func TestTurn_HoldsBackUntilAnotherCommitsOrTimeIsUp(t *testing.T) {
	a := &docActor{e: &Engine{node: "me"}, v: 10}
	a.grantTurn(&busOp{Type: "turn", V: 10, Node: "me", WaitMS: 500})
	if a.holdingBack() {
		t.Fatal("holds back for its own request")
	}

	a.grantTurn(&busOp{Type: "turn", V: 10, Node: "other", WaitMS: 500})
	if !a.holdingBack() {
		t.Fatal("does not hold back for another node's request")
	}
	a.v++ // the other node's op arrived
	if a.holdingBack() {
		t.Fatal("still holds back after the other node committed")
	}

	// A request for less than minTurn is held for minTurn; when nobody
	// commits meanwhile, the turn ends when its time is up.
	a.grantTurn(&busOp{Type: "turn", V: 11, Node: "other", WaitMS: 1})
	if !a.holdingBack() {
		t.Fatal("does not hold back for a short request")
	}
	deadline := time.Now().Add(5 * time.Second)
	for a.holdingBack() {
		if time.Now().After(deadline) {
			t.Fatal("the turn does not end")
		}
		time.Sleep(time.Millisecond)
	}
	// Given in vain: the next request is ignored for a while.
	a.grantTurn(&busOp{Type: "turn", V: 11, Node: "other", WaitMS: 500})
	if a.holdingBack() {
		t.Fatal("holds back again right after a turn given in vain")
	}
	if wait := time.Until(a.noTurnUntil); wait < minTurn/2 || wait > maxTurn {
		t.Fatalf("gives no turn for %s, want about %s", wait, minTurn)
	}

	// Requests never hold it back for longer than maxTurn.
	b := &docActor{e: &Engine{node: "me"}}
	b.grantTurn(&busOp{Type: "turn", Node: "other", WaitMS: 3_600_000})
	if d := time.Until(b.turnUntil); d > maxTurn {
		t.Fatalf("holds back for %s, want at most %s", d, maxTurn)
	}
}

// TestFromBus_DropsOwnMessagesUndecoded checks that every bus message
// begins with its node, that a node drops its own by that prefix (a
// garbled one would be decoded and logged), and that it still decodes
// another node's.
func TestFromBus_DropsOwnMessagesUndecoded(t *testing.T) {
	var logged bytes.Buffer
	e := &Engine{node: "me", own: []byte(`{"node":"me",`), log: slog.New(slog.NewTextHandler(&logged, nil))}
	a := &docActor{e: e, id: "d", v: 10}
	if msg := mustMarshal(&busOp{Node: e.node, Type: "op", Doc: "d", V: 3}); !bytes.HasPrefix(msg, e.own) {
		t.Fatalf("a bus message begins %.20s, want %s", msg, e.own)
	}
	// The ops sent to clients are busOps without a node, and begin with
	// their type, as every message to a client does (IsReply, IsPresence).
	if msg := encodeOp(OpRecord{Doc: "d", V: 3, Op: json.RawMessage(`{"ops":[]}`)}); !bytes.HasPrefix(msg, []byte(`{"type":"op",`)) {
		t.Fatalf("an op to clients begins %.20s, want its type", msg)
	}
	a.fromBus([]byte(`{"node":"me","type":"op","doc":"d","v":10,"op":[{"insert":"x"}]` + "\x00garbled"))
	if logged.Len() > 0 {
		t.Fatalf("its own message was decoded: %s", logged.String())
	}
	a.fromBus(mustMarshal(&busOp{Node: "other", Type: "turn", Doc: "d", V: 10, WaitMS: 500}))
	if !a.holdingBack() {
		t.Fatal("another node's turn request, from the bus, is not heeded")
	}
	a.fromBus([]byte(`{"node":"other","type":"op"` + "\x00garbled"))
	if !strings.Contains(logged.String(), "bad bus message") {
		t.Fatalf("another node's garbled message was not decoded and logged: %q", logged.String())
	}
}

// TestBusCopy_IsTheBusOp checks that the bus message made from an op's
// message to clients decodes as the busOp encoded whole would, node first,
// and that a marker without an op is left to the busOp.
func TestBusCopy_IsTheBusOp(t *testing.T) {
	own := []byte(`{"node":"n1",`)
	at := time.Date(2026, 11, 29, 6, 40, 1, 123456789, time.FixedZone("CET", 3600))
	rec := OpRecord{Doc: "d", V: 7, Kind: "text", Src: "c1", Seq: 3, By: "u1", At: at,
		Op: json.RawMessage(`{"ops":[{"retain":2},{"insert":"æ\"ø"}]}`)}
	data, ok := busCopy(own, encodeOp(rec), rec)
	if !ok || !bytes.HasPrefix(data, own) {
		t.Fatalf("busCopy = %s, %v; want a message beginning %s", data, ok, own)
	}
	var got, want busOp
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("busCopy made %s: %v", data, err)
	}
	if err := json.Unmarshal(mustMarshal(&busOp{Node: "n1", Type: "op", Doc: rec.Doc, V: rec.V, Op: rec.Op, Src: rec.Src,
		Seq: rec.Seq, By: rec.By, Kind: rec.Kind, At: &at}), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("busCopy decodes as %+v, want %+v", got, want)
	}
	if _, ok := busCopy(own, encodeOp(OpRecord{Doc: "d", V: 8, Kind: "lock", At: at}), OpRecord{Doc: "d", V: 8, Kind: "lock", At: at}); ok {
		t.Fatal("busCopy took a marker without an op")
	}
}
