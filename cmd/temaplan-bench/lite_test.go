package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/temaplan/temaplan/collab"
)

// newTestLite returns a client that is not connected, registered in ld
// and at version next of doc "d" with its snapshot in: messages are fed
// to handle by the test, as the reader would.
func newTestLite(ld *Load, id string, node int, author bool, next int64) *Lite {
	l := &Lite{cfg: LiteConfig{ID: id, Node: node, Plan: "p", Doc: "d", Group: 0, Author: author}, load: ld}
	ld.register(l)
	l.ready, l.next, l.bound = true, next, 10
	return l
}

func msg(t *testing.T, m map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func near(got float64, want time.Duration) bool {
	w := ms(want)
	return got >= w*0.96 && got <= w*1.04
}

// TestLite_LatencyAccounting feeds an author and two readers the messages
// of one op: the ack latency runs from the op's first send to its ack, the
// broadcast latency from its send to each reader's receipt (looked up in
// the author's ring), split by node, and both count for the author's
// group too.
func TestLite_LatencyAccounting(t *testing.T) {
	ld := &Load{}
	st := NewStepStats(1)
	ld.step.Store(st)
	author := newTestLite(ld, "a", 0, true, 5)
	same := newTestLite(ld, "r1", 0, false, 5)
	other := newTestLite(ld, "r2", 1, false, 5)

	sent := time.Now()
	author.inflight = &liteOp{seq: 1, v: 5, text: "hei", first: sent}
	author.opRing.put(1, sent)

	same.handle(msg(t, map[string]any{"type": "op", "doc": "d", "v": 5, "src": "a", "seq": 1, "op": map[string]any{"ops": []any{}}}), sent.Add(20*time.Millisecond))
	other.handle(msg(t, map[string]any{"type": "op", "doc": "d", "v": 5, "src": "a", "seq": 1, "op": map[string]any{"ops": []any{}}}), sent.Add(80*time.Millisecond))
	author.handle(msg(t, map[string]any{"type": "ack", "doc": "d", "v": 5, "seq": 1}), sent.Add(30*time.Millisecond))

	if s := st.Ack.Summary(); s.Count != 1 || !near(s.P50, 30*time.Millisecond) {
		t.Errorf("ack: %+v, want one sample of 30 ms", s)
	}
	if s := st.Bcast.Summary(); s.Count != 2 || !near(s.Max, 80*time.Millisecond) || !near(s.P50, 20*time.Millisecond) {
		t.Errorf("broadcast: %+v, want 20 and 80 ms", s)
	}
	if s := st.BcastSame.Summary(); s.Count != 1 || !near(s.P50, 20*time.Millisecond) {
		t.Errorf("same-node broadcast: %+v, want one sample of 20 ms", s)
	}
	if s := st.BcastCross.Summary(); s.Count != 1 || !near(s.P50, 80*time.Millisecond) {
		t.Errorf("cross-node broadcast: %+v, want one sample of 80 ms", s)
	}
	if g := st.group(0); g.Ack.Count() != 1 || g.Bcast.Count() != 2 {
		t.Errorf("group: %d acks and %d broadcasts, want 1 and 2", g.Ack.Count(), g.Bcast.Count())
	}
	if got := author.Acked(); !slices.Equal(got, []OpID{{"a", 1}}) {
		t.Errorf("acked = %v, want a#1", got)
	}
	for _, l := range []*Lite{author, same, other} {
		if s := l.State(); s.Next != 6 || s.Pending || s.Gaps+s.Repeats+s.Strange != 0 {
			t.Errorf("%s: %+v, want at version 6 with nothing pending or odd", l.cfg.ID, s)
		}
	}
	if author.bound != 13 {
		t.Errorf("bound = %d, want 10 + the 3 characters acknowledged", author.bound)
	}
	if w := ld.witness("d"); w.Mismatches.Load() != 0 || w.seen(5) != opHash("a", 1) {
		t.Errorf("witness: %d mismatches, version 5 = %x", w.Mismatches.Load(), w.seen(5))
	}
	if got, want := ld.acks.Load(), int64(1); got != want {
		t.Errorf("acks = %d, want %d", got, want)
	}
	if got, want := ld.received.Load(), int64(2); got != want {
		t.Errorf("received = %d, want %d", got, want)
	}
}

// TestLite_NothingCountsOutsideAStep: between steps, messages move the
// version but no latency is recorded.
func TestLite_NothingCountsOutsideAStep(t *testing.T) {
	ld := &Load{}
	a := newTestLite(ld, "a", 0, true, 0)
	r := newTestLite(ld, "r", 0, false, 0)
	a.inflight = &liteOp{seq: 1, v: 0, text: "x", first: time.Now()}
	a.opRing.put(1, time.Now())
	r.handle(msg(t, map[string]any{"type": "op", "doc": "d", "v": 0, "src": "a", "seq": 1}), time.Now())
	a.handle(msg(t, map[string]any{"type": "ack", "doc": "d", "v": 0, "seq": 1}), time.Now())
	st := NewStepStats(0)
	ld.step.Store(st)
	if st.Ack.Count()+st.Bcast.Count() != 0 {
		t.Error("samples were recorded outside a step")
	}
	if r.State().Next != 1 || a.State().Next != 1 {
		t.Error("the versions did not move")
	}
}

// TestLite_CountsGapsRepeatsAndDisagreements: a client that misses a
// version, sees one twice, or sees another op at a version than another
// client did, says so.
func TestLite_CountsGapsRepeatsAndDisagreements(t *testing.T) {
	ld := &Load{}
	r1 := newTestLite(ld, "r1", 0, false, 5)
	r2 := newTestLite(ld, "r2", 0, false, 5)
	op := func(v int64, src string, seq int64) []byte {
		return msg(t, map[string]any{"type": "op", "doc": "d", "v": v, "src": src, "seq": seq})
	}
	now := time.Now()
	r1.handle(op(5, "a", 1), now)
	r1.handle(op(7, "a", 3), now) // version 6 missed
	r1.handle(op(6, "a", 2), now) // late: seen out of order
	r2.handle(op(5, "b", 9), now) // another op at version 5
	s := r1.State()
	if s.Gaps != 1 || s.Repeats != 1 || s.Next != 8 {
		t.Errorf("r1: %+v, want one gap, one repeat, next 8", s)
	}
	if got := ld.witness("d").Mismatches.Load(); got != 1 {
		t.Errorf("witness mismatches = %d, want 1", got)
	}
	// An ack that answers nothing in flight is odd too.
	r2.cfg.Author = true
	r2.handle(msg(t, map[string]any{"type": "ack", "doc": "d", "v": 6, "seq": 4}), now)
	if r2.State().Strange != 1 {
		t.Errorf("an unexpected ack was not counted: %+v", r2.State())
	}
	// Messages of another document are not this client's.
	before := r1.State()
	r1.handle(msg(t, map[string]any{"type": "op", "doc": "other", "v": 100, "src": "a", "seq": 1}), now)
	if r1.State() != before {
		t.Error("an op of another document changed the client's state")
	}
}

// TestLite_PresenceAndCommentLatency: a cursor move is found by its
// number, a comment by the name and number in its body.
func TestLite_PresenceAndCommentLatency(t *testing.T) {
	ld := &Load{}
	st := NewStepStats(0)
	ld.step.Store(st)
	rev := newTestLite(ld, "m1-r0", 0, false, 3)
	peer := newTestLite(ld, "m1-l0", 0, false, 3)
	sent := time.Now()
	rev.presRing.put(7, sent)
	peer.handle(msg(t, map[string]any{"type": "presence", "plan": "p", "client": "m1-r0", "doc": "d", "index": 7, "length": 0}), sent.Add(15*time.Millisecond))
	// The list of peers on joining and a peer leaving are no samples.
	peer.handle(msg(t, map[string]any{"type": "presence", "plan": "p", "peers": []any{}}), sent)
	peer.handle(msg(t, map[string]any{"type": "presence", "plan": "p", "client": "m1-r0", "left": true}), sent)
	if s := st.Presence.Summary(); s.Count != 1 || !near(s.P50, 15*time.Millisecond) {
		t.Errorf("presence: %+v, want one sample of 15 ms", s)
	}

	c, ok := rev.NextComment()
	if !ok {
		rev.hasText = true
		c, _ = rev.NextComment()
	}
	if c.V != 3 || c.Length != 1 || c.Section != "d" {
		t.Errorf("comment %+v: want the first character at version 3", c)
	}
	at, _ := rev.comRing.get(1)
	ev := map[string]any{"type": "event", "plan": "p", "seq": 9, "kind": "comment.added", "data": map[string]any{"comment": map[string]any{"body": c.Body}}}
	peer.handle(msg(t, ev), at.Add(40*time.Millisecond))
	rev.handle(msg(t, ev), at.Add(40*time.Millisecond)) // the writer's own event is no sample
	if s := st.CommentEvent.Summary(); s.Count != 1 || !near(s.P50, 40*time.Millisecond) {
		t.Errorf("comment event: %+v, want one sample of 40 ms", s)
	}
}

func TestCommentNonce(t *testing.T) {
	for _, tt := range []struct {
		body string
		src  string
		n    int64
		ok   bool
	}{
		{commentBody("m1a2b3-4-r5", 12), "m1a2b3-4-r5", 12, true},
		{"Hvor kommer tallet fra?", "", 0, false},
		{"bench:x", "", 0, false},
		{"bench:x:y z", "", 0, false},
	} {
		src, n, ok := parseCommentNonce(tt.body)
		if ok != tt.ok || (ok && (src != tt.src || n != tt.n)) {
			t.Errorf("parseCommentNonce(%q) = %q, %d, %v; want %q, %d, %v", tt.body, src, n, ok, tt.src, tt.n, tt.ok)
		}
	}
}

func TestStampRing_ForgetsOldNumbers(t *testing.T) {
	var r stampRing
	t0 := time.Now()
	for n := int64(1); n <= 300; n++ {
		r.put(n, t0.Add(time.Duration(n)))
	}
	if _, ok := r.get(10); ok {
		t.Error("number 10 is still found after 300 more were put")
	}
	if at, ok := r.get(300); !ok || !at.Equal(t0.Add(300)) {
		t.Errorf("get(300) = %v, %v", at, ok)
	}
}

// TestWitness_CheckAgainstLog compares what clients saw with a synthetic
// log: a version with another op, a stored version nobody saw inside the
// observed range, and a version clients saw that the log lacks.
func TestWitness_CheckAgainstLog(t *testing.T) {
	w := NewWitness()
	for v := int64(10); v < 15; v++ {
		w.Observe(v, "a", v)
	}
	w.Observe(17, "a", 17)
	w.Observe(12, "a", 12) // a second client agrees
	log := []collab.OpRecord{rec(9, "a", 9), rec(10, "a", 10), rec(11, "b", 11), rec(12, "a", 12), rec(13, "a", 13), rec(15, "a", 15), rec(16, "a", 16), rec(17, "a", 17)}
	got := CheckWitness(w, log)
	want := WitnessCheck{Checked: 4, Differ: 1, Unseen: 2, Phantom: 1}
	if got != want {
		t.Errorf("CheckWitness = %+v, want %+v", got, want)
	}
	if got.OK() {
		t.Error("OK() with differences")
	}
	if !w.Observe(10, "a", 10) || w.Observe(10, "b", 1) {
		t.Error("Observe does not tell agreement from disagreement")
	}
	if got := CheckWitness(NewWitness(), log); !got.OK() || got.Checked != 0 {
		t.Errorf("an empty table: %+v", got)
	}
	// The table grows past a chunk.
	w2 := NewWitness()
	for v := int64(0); v < 3*(1<<witnessChunkBits); v += 97 {
		w2.Observe(v, "c", v)
	}
	if w2.seen(97*100) != opHash("c", 97*100) || w2.Mismatches.Load() != 0 {
		t.Error("a version past the first chunk was not kept")
	}
}

// memOps is an op log in memory, for checking the checker: only Ops is
// used.
type memOps map[string][]collab.OpRecord

func (m memOps) CommitOps(context.Context, []collab.OpRecord) (int, error) { return 0, nil }
func (m memOps) Ops(_ context.Context, doc string, from, to int64) ([]collab.OpRecord, error) {
	return m[doc], nil
}
func (m memOps) OpBySource(context.Context, string, string, int64) (collab.OpRecord, bool, error) {
	return collab.OpRecord{}, false, nil
}
func (m memOps) SaveSnapshot(context.Context, collab.SnapshotRecord) error { return nil }
func (m memOps) LatestSnapshot(context.Context, string, int64) (collab.SnapshotRecord, bool, error) {
	return collab.SnapshotRecord{}, false, nil
}

// TestCheckStore_ReportsLostAndDuplicated feeds the load's store check a
// synthetic log in which an op acknowledged to an author is missing and
// another is stored twice: both must be reported and the check must fail.
func TestCheckStore_ReportsLostAndDuplicated(t *testing.T) {
	ld := &Load{}
	a := newTestLite(ld, "a", 0, true, 0)
	b := newTestLite(ld, "b", 0, true, 0)
	a.acked = []OpID{{"a", 1}, {"a", 2}, {"a", 3}}
	b.acked = []OpID{{"b", 1}}
	w := ld.witness("d")
	for v, id := range []OpID{{"a", 1}, {"b", 1}, {"a", 2}, {"a", 3}} {
		w.Observe(int64(v), id.Src, id.Seq)
	}
	good := memOps{"d": {rec(0, "a", 1), rec(1, "b", 1), rec(2, "a", 2), rec(3, "a", 3)}}
	chk, err := ld.CheckStore(t.Context(), good, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !chk.OK() || chk.Acked != 4 || chk.LogOps != 4 || chk.Witness.Checked != 4 {
		t.Fatalf("a correct log: %+v", chk)
	}

	// a#2 lost; b#1 stored twice (its second copy where a#2 should be).
	bad := memOps{"d": {rec(0, "a", 1), rec(1, "b", 1), rec(2, "b", 1), rec(3, "a", 3)}}
	chk, err = ld.CheckStore(t.Context(), bad, nil)
	if err != nil {
		t.Fatal(err)
	}
	if chk.Lost != 1 || chk.Duplicated != 1 || chk.OK() {
		t.Errorf("lost %d, duplicated %d, ok %v; want 1, 1, false (%+v)", chk.Lost, chk.Duplicated, chk.OK(), chk)
	}
	if chk.Witness.Differ != 1 {
		t.Errorf("the clients saw a#2 at version 2, the log has b#1 there: differ = %d, want 1", chk.Witness.Differ)
	}
	if len(chk.Problems) == 0 {
		t.Error("no problem described")
	}
	for _, want := range []string{"a#2", "b#1"} {
		if p := fmt.Sprint(chk.Problems); !strings.Contains(p, want) {
			t.Errorf("problems %q do not name %s", p, want)
		}
	}
}

// decodeOpOrAck reads the server's ops and acks as encoding/json does and
// leaves everything else to it.
func TestDecodeOpOrAck_AgreesWithJSON(t *testing.T) {
	for _, msg := range []string{
		`{"type":"op","doc":"d1","v":42,"op":{"ops":[{"retain":3},{"insert":"a\",\"src\":\"x"}]},"src":"h1-2","seq":7,"by":"u1"}`,
		`{"type":"op","doc":"d1","v":0,"op":{"ops":[]},"src":"lock@0","by":"u1","kind":"lock"}`,
		`{"type":"op","doc":"d1","v":5,"op":{"ops":[{"insert":"æ"}]},"src":"c","seq":12,"by":"u","kind":"edit"}`,
		`{"type":"ack","doc":"d2","v":9,"seq":3}`,
	} {
		var fast, slow liteMsg
		ok := decodeOpOrAck([]byte(msg), &fast)
		if err := json.Unmarshal([]byte(msg), &slow); err != nil {
			t.Fatal(err)
		}
		if ok && (fast.Type != slow.Type || fast.Doc != slow.Doc || fast.V != slow.V || fast.Src != slow.Src || fast.Seq != slow.Seq) {
			t.Errorf("%s:\\nfast %+v\\njson %+v", msg, fast, slow)
		}
		if !ok && !strings.Contains(msg, "lock@0") {
			t.Errorf("%s: not decoded", msg)
		}
	}
	for _, msg := range []string{`{"type":"snapshot","doc":"d","v":1,"data":{"ops":[]}}`, `{"type":"ack","doc":"d\\"","v":1,"seq":2}`, `{"type":"op","doc":"d","v":1}`} {
		var m liteMsg
		if decodeOpOrAck([]byte(msg), &m) {
			t.Errorf("%s: decoded by the fast path: %+v", msg, m)
		}
	}
}

// decodePresence reads the server's presence updates (encoded here by
// collab.Presence itself) as encoding/json does, and leaves the list of
// peers that a join sends to it.
func TestDecodePresence_AgreesWithJSON(t *testing.T) {
	enc := func(p collab.Presence) string {
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	odd := collab.User{ID: "u2", Name: `Ola,"index":9,\\ Nordmann`}
	for _, msg := range []string{
		enc(collab.Presence{Type: "presence", Plan: "p1", Client: "c1", User: &collab.User{ID: "u1", Name: "Kari"}, Doc: "d1", Index: 42, Length: 3, Color: "#1f6feb"}),
		enc(collab.Presence{Type: "presence", Plan: "p1", Client: "c2", User: &odd, Doc: "d1", Index: 7}),
		enc(collab.Presence{Type: "presence", Plan: "p1", Client: "c3", Left: true}),
	} {
		var fast, slow liteMsg
		if !decodePresence([]byte(msg), &fast) {
			t.Errorf("%s: not decoded", msg)
			continue
		}
		if err := json.Unmarshal([]byte(msg), &slow); err != nil {
			t.Fatal(err)
		}
		if fast.Type != slow.Type || fast.Plan != slow.Plan || fast.Client != slow.Client || fast.Index != slow.Index || fast.Left != slow.Left {
			t.Errorf("%s:\nfast %+v\njson %+v", msg, fast, slow)
		}
	}
	for _, msg := range []string{`{"peers":[],"plan":"p","type":"presence"}`, `{"type":"presence","plan":"p","client":"c"}`, `{"type":"event","plan":"p"}`} {
		var m liteMsg
		if decodePresence([]byte(msg), &m) {
			t.Errorf("%s: decoded by the fast path: %+v", msg, m)
		}
	}
}
