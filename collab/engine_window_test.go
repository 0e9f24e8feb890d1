package collab

import (
	"testing"
)

// TestOpWindow_KeepsTheLastOps pushes many ops through windows of several
// sizes: the window always holds exactly the last limit ops in order,
// every op pushed out is handed to drop once, in order, and the backing
// array stays within twice the limit.
func TestOpWindow_KeepsTheLastOps(t *testing.T) {
	for _, limit := range []int{1, 2, 7, 1000} {
		var w opWindow
		next := int64(0) // the next version drop must see
		for v := range int64(5*limit + 3) {
			w.push(committedOp{rec: OpRecord{V: v}}, limit, func(c committedOp) {
				if c.rec.V != next {
					t.Fatalf("limit %d: dropped v%d, want v%d", limit, c.rec.V, next)
				}
				next++
			})
			ops := w.ops()
			if want := min(int(v)+1, limit); len(ops) != want || w.len() != want {
				t.Fatalf("limit %d after v%d: %d ops (len %d), want %d", limit, v, len(ops), w.len(), want)
			}
			for i, c := range ops {
				if want := v - int64(len(ops)-1-i); c.rec.V != want {
					t.Fatalf("limit %d after v%d: op %d is v%d, want v%d", limit, v, i, c.rec.V, want)
				}
			}
			if next != v+1-int64(len(ops)) {
				t.Fatalf("limit %d after v%d: %d dropped, want %d", limit, v, next, v+1-int64(len(ops)))
			}
			if cap(w.buf) > 2*limit && cap(w.buf) > 8 {
				t.Fatalf("limit %d: backing array of %d", limit, cap(w.buf))
			}
		}
		// Slots before the window hold nothing, so dropped ops can be
		// collected.
		for i, c := range w.buf[:w.start] {
			if c.rec.V != 0 || c.op.Ops != nil {
				t.Fatalf("limit %d: slot %d before the window still holds v%d", limit, i, c.rec.V)
			}
		}
	}
}

// TestOpWindow_PushIsAmortisedConstant: once a large window is full, a
// push allocates nothing (the array is reused) and moves the live ops
// only once per limit pushes.
func TestOpWindow_PushIsAmortisedConstant(t *testing.T) {
	const limit = 1000
	var w opWindow
	v := int64(0)
	push := func() {
		w.push(committedOp{rec: OpRecord{V: v}}, limit, func(committedOp) {})
		v++
	}
	for range 3 * limit {
		push()
	}
	if allocs := testing.AllocsPerRun(5*limit, push); allocs != 0 {
		t.Fatalf("%.2f allocations per push into a full window, want 0", allocs)
	}
	moves := 0
	for range 10 * limit {
		before := w.start
		push()
		if w.start < before {
			moves++
		}
	}
	if moves > 10 {
		t.Fatalf("the window was moved %d times in %d pushes, want at most 10", moves, 10*limit)
	}
}
