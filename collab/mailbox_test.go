package collab

import (
	"testing"

	"github.com/temaplan/temaplan/queue"
)

func TestMailbox_KeepsOrderRefusesPastItsLimitAndSignalsWhileWorkWaits(t *testing.T) {
	b := newMailbox[func(*docActor)](inboxLimit)
	var got []int
	for i := range inboxLimit {
		if !b.put(func(*docActor) { got = append(got, i) }) {
			t.Fatalf("put %d refused below the limit", i)
		}
	}
	if b.put(func(*docActor) {}) {
		t.Fatal("put past the limit was accepted")
	}
	if b.len() != inboxLimit {
		t.Fatalf("len = %d, want %d", b.len(), inboxLimit)
	}
	// A taker that stops after one finds the signal set for the rest.
	<-b.ready
	fn, ok := b.pop()
	if !ok {
		t.Fatal("pop found nothing")
	}
	fn(nil)
	select {
	case <-b.ready:
	default:
		t.Fatal("no signal while work waits")
	}
	for {
		fn, ok := b.pop()
		if !ok {
			break
		}
		fn(nil)
	}
	if len(got) != inboxLimit {
		t.Fatalf("ran %d, want %d", len(got), inboxLimit)
	}
	for i, v := range got {
		if v != i {
			t.Fatalf("ran %d as number %d: out of order", v, i)
		}
	}
	// Drained, it takes work again, and lets the large array go.
	if b.len() != 0 || b.items.Cap() > queue.Keep {
		t.Fatalf("drained inbox holds len %d cap %d", b.len(), b.items.Cap())
	}
	if !b.put(func(*docActor) {}) {
		t.Fatal("put refused after draining")
	}
}
