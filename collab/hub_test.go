package collab_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/temaplan/temaplan/collab"
)

func TestHub_PresenceJoinMoveLeave(t *testing.T) {
	store := backends()[0].open(t)
	bus := newBus(t)
	hub := collab.NewHub(bus, store, nil, 300*time.Millisecond)
	t.Cleanup(hub.Close)
	ctx := context.Background()
	a, b := newRecorder(), newRecorder()
	subA, err := hub.Join(ctx, "plan1", "tab-a", collab.User{ID: "u1", Name: "Kari"}, 0, a.sink)
	if err != nil {
		t.Fatal(err)
	}
	subA.Presence("doc1", 4, 2)
	// B joins after A moved: the snapshot names A where A is.
	a.waitFor(t, "A's join", func(m []map[string]any) bool { return len(m) >= 1 })
	var subB *collab.PlanSub
	deadline := time.Now().Add(5 * time.Second)
	for {
		rec := newRecorder()
		s, err := hub.Join(ctx, "plan1", "tab-b", collab.User{ID: "u2", Name: "Ola"}, 0, rec.sink)
		if err != nil {
			t.Fatal(err)
		}
		msgs := rec.waitFor(t, "presence snapshot", func(m []map[string]any) bool { return len(m) >= 1 })
		if peers, _ := msgs[0]["peers"].([]any); len(peers) == 1 {
			p := peers[0].(map[string]any)
			if p["client"] != "tab-a" || p["doc"] != "doc1" || p["index"] != float64(4) || p["length"] != float64(2) {
				t.Fatalf("snapshot peer %v", p)
			}
			b, subB = rec, s
			break
		}
		s.Leave()
		if time.Now().After(deadline) {
			t.Fatal("A never appeared in the presence snapshot")
		}
	}
	// A moves: B sees it, A does not get its own presence back.
	subA.Presence("doc1", 9, 0)
	b.waitFor(t, "A's move", func(m []map[string]any) bool {
		last := m[len(m)-1]
		return last["type"] == "presence" && last["index"] == float64(9)
	})
	a.mu.Lock()
	for _, m := range a.msgs {
		if m["client"] == "tab-a" {
			t.Errorf("A got its own presence back: %v", m)
		}
	}
	a.mu.Unlock()
	// A leaves: B is told.
	subA.Leave()
	b.waitFor(t, "A's leave", func(m []map[string]any) bool {
		last := m[len(m)-1]
		return last["client"] == "tab-a" && last["left"] == true
	})
	// B goes silent (crashed tab): after the TTL the others are told.
	c := newRecorder()
	if _, err := hub.Join(ctx, "plan1", "tab-c", collab.User{ID: "u3", Name: "Per"}, 0, c.sink); err != nil {
		t.Fatal(err)
	}
	subB.Presence("doc2", 1, 0)
	c.waitFor(t, "B's expiry", func(m []map[string]any) bool {
		last := m[len(m)-1]
		return last["client"] == "tab-b" && last["left"] == true
	})
}

// A burst of cursor moves goes out as the first at once and the newest
// after the interval, not one message each.
func TestHub_PresenceSendsTheFirstAtOnceAndThenTheNewest(t *testing.T) {
	store := backends()[0].open(t)
	hub := collab.NewHub(newBus(t), store, nil, time.Minute)
	t.Cleanup(hub.Close)
	ctx := context.Background()
	b := newRecorder()
	subA, err := hub.Join(ctx, "plan1", "tab-a", collab.User{ID: "u1", Name: "Kari"}, 0, newRecorder().sink)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hub.Join(ctx, "plan1", "tab-b", collab.User{ID: "u2", Name: "Ola"}, 0, b.sink); err != nil {
		t.Fatal(err)
	}
	movesOfA := func(msgs []map[string]any) []float64 {
		var idx []float64
		for _, m := range msgs {
			if m["type"] == "presence" && m["client"] == "tab-a" && m["left"] == nil {
				idx = append(idx, m["index"].(float64))
			}
		}
		return idx
	}
	start := time.Now()
	for i := 1; i <= 50; i++ {
		subA.Presence("doc1", i, 0)
	}
	burst := time.Since(start)
	msgs := b.waitFor(t, "A's newest position", func(m []map[string]any) bool {
		idx := movesOfA(m)
		return len(idx) > 0 && idx[len(idx)-1] == 50
	})
	time.Sleep(250 * time.Millisecond) // anything more would come now
	b.mu.Lock()
	msgs = append(msgs[:0], b.msgs...)
	b.mu.Unlock()
	idx := movesOfA(msgs)
	if idx[0] != 1 || idx[len(idx)-1] != 50 {
		t.Errorf("B saw A at %v: want the first move (1) first and the newest (50) last", idx)
	}
	// 50 moves within one interval make two messages; a longer burst (a
	// slow machine) one more per interval.
	if limit := 2 + int(burst/(100*time.Millisecond)); len(idx) > limit {
		t.Errorf("B got %d messages for a burst of 50 moves in %v, want at most %d: %v", len(idx), burst, limit, idx)
	}
}

// gatedBus holds every presence message until gate is closed, as a Redis
// that does not answer would.
type gatedBus struct {
	*collab.MemoryBus
	gate chan struct{}
}

func (b *gatedBus) Publish(ctx context.Context, channel string, data []byte) error {
	if collab.IsPresence(data) {
		select {
		case <-b.gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return b.MemoryBus.Publish(ctx, channel, data)
}

// A client's reader never waits for the bus to move its cursor or to
// leave, and the others get the move before the leave.
func TestHub_PresenceNeverWaitsForTheBusAndKeepsItsOrder(t *testing.T) {
	bus := &gatedBus{MemoryBus: newBus(t), gate: make(chan struct{})}
	hub := collab.NewHub(bus, backends()[0].open(t), nil, time.Minute)
	t.Cleanup(hub.Close)
	ctx := context.Background()
	b := newRecorder()
	if _, err := hub.Join(ctx, "plan1", "tab-b", collab.User{ID: "u2", Name: "Ola"}, 0, b.sink); err != nil {
		t.Fatal(err)
	}
	subA, err := hub.Join(ctx, "plan1", "tab-a", collab.User{ID: "u1", Name: "Kari"}, 0, newRecorder().sink)
	if err != nil {
		t.Fatal(err)
	}
	returned := make(chan struct{})
	go func() {
		subA.Presence("doc1", 7, 0)
		subA.Leave()
		close(returned)
	}()
	select {
	case <-returned:
	case <-time.After(5 * time.Second):
		t.Fatal("Presence and Leave waited for the bus")
	}
	close(bus.gate)
	msgs := b.waitFor(t, "A's leave", func(m []map[string]any) bool {
		last := m[len(m)-1]
		return last["client"] == "tab-a" && last["left"] == true
	})
	var ofA []string
	for _, m := range msgs {
		if m["type"] == "presence" && m["client"] == "tab-a" {
			ofA = append(ofA, fmt.Sprintf("index=%v left=%v", m["index"], m["left"]))
		}
	}
	if want := []string{"index=7 left=<nil>", "index=0 left=true"}; fmt.Sprint(ofA) != fmt.Sprint(want) {
		t.Errorf("B got A's presence as %q, want the move, then the leave: %q", ofA, want)
	}
}

func TestHub_EventsCatchUpInOrder(t *testing.T) {
	store := backends()[0].open(t)
	bus := newBus(t)
	ps := newPlans(t, store, bus)
	hub := collab.NewHub(bus, store, nil, time.Minute)
	t.Cleanup(hub.Close)
	ctx := context.Background()
	p, err := ps.Create(ctx, "u", collab.NewPlan{Title: "Plan", Municipality: "Bodø"})
	if err != nil {
		t.Fatal(err)
	}
	for _, title := range []string{"A", "B", "C"} {
		if _, _, err := ps.AddSection(ctx, collab.Actor{ID: "u"}, p.ID, 0, collab.NewSection{Title: title}); err != nil {
			t.Fatal(err)
		}
	}
	// A client that saw seq 2 gets 3 and 4 from the log, then live ones,
	// each exactly once and in order.
	rec := newRecorder()
	if _, err := hub.Join(ctx, p.ID, "tab", collab.User{ID: "u", Name: "U"}, 2, rec.sink); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ps.AddSection(ctx, collab.Actor{ID: "u"}, p.ID, 0, collab.NewSection{Title: "D"}); err != nil {
		t.Fatal(err)
	}
	msgs := rec.waitFor(t, "events 3..5", func(m []map[string]any) bool {
		n := 0
		for _, x := range m {
			if x["type"] == "event" {
				n++
			}
		}
		return n >= 3
	})
	var seqs []float64
	for _, m := range msgs {
		if m["type"] == "event" {
			seqs = append(seqs, m["seq"].(float64))
		}
	}
	if b, _ := json.Marshal(seqs); string(b) != "[3,4,5]" {
		t.Fatalf("event seqs %s, want [3,4,5]", b)
	}
}

// TestIsPresence: a client's cursor and its leaving may wait for company
// on the way out; the list of everyone present that Join sends, events and
// replies may not.
func TestIsPresence(t *testing.T) {
	marshal := func(t *testing.T, v any) []byte {
		t.Helper()
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	u := collab.User{ID: "u1", Name: "Kari"}
	for _, c := range []struct {
		msg  []byte
		want bool
	}{
		{marshal(t, collab.Presence{Type: "presence", Plan: "p", Client: "c", User: &u, Doc: "d", Index: 3}), true},
		{marshal(t, collab.Presence{Type: "presence", Plan: "p", Client: "c", Left: true}), true},
		{marshal(t, map[string]any{"type": "presence", "plan": "p", "peers": []collab.Presence{}}), false},
		{marshal(t, collab.PlanEvent{Type: "event", Plan: "p", Seq: 2}), false},
		{[]byte(`{"type":"ack","doc":"d","v":3}`), false},
	} {
		if got := collab.IsPresence(c.msg); got != c.want {
			t.Errorf("IsPresence(%s) = %v, want %v", c.msg, got, c.want)
		}
	}
}

// TestHub_LastLeaveWhileMessagesArrive: the last subscriber of a plan
// leaving while the plan's channel is delivering must not deadlock the hub.
// Leave used to stop the channel's subscription under the hub's lock, and
// the subscription waited for its delivery, which waited for that lock:
// every plan of the node stopped (seen at 500 plans in the bench).
func TestHub_LastLeaveWhileMessagesArrive(t *testing.T) {
	store := backends()[0].open(t)
	bus := newBus(t)
	hub := collab.NewHub(bus, store, nil, time.Minute)
	ctx := context.Background()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 300 {
			plan := fmt.Sprintf("plan-%d", i%3)
			sub, err := hub.Join(ctx, plan, "tab-a", collab.User{ID: "u1", Name: "Kari"}, 0, func([]byte) bool { return true })
			if err != nil {
				t.Error(err)
				return
			}
			// Another node's cursor keeps the channel busy as A leaves.
			for j := range 20 {
				msg := fmt.Appendf(nil, `{"type":"presence","plan":%q,"client":"tab-b","index":%d,"length":0}`, plan, j)
				if err := bus.Publish(ctx, collab.PlanChannel(plan), msg); err != nil {
					t.Error(err)
					return
				}
			}
			sub.Leave()
		}
	}()
	select {
	case <-done:
		hub.Close()
	case <-time.After(30 * time.Second):
		// Closing a deadlocked hub would hang the test too.
		t.Fatal("joining and leaving plans with messages under way did not finish in 30 s: the hub is deadlocked")
	}
}
