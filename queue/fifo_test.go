package queue

import "testing"

// TestFIFO_KeepsOrderAndReusesItsArray: items come out in the order they
// went in, across drains; a drained list reuses its array (no allocation
// in steady use) unless a burst grew it past Keep.
func TestFIFO_KeepsOrderAndReusesItsArray(t *testing.T) {
	var f FIFO[int]
	if _, ok := f.Pop(); ok {
		t.Fatal("the zero FIFO popped an item")
	}
	next := 0
	for round := range 3 {
		for i := range 10 {
			f.Push(round*10 + i)
		}
		if f.Len() != 10 {
			t.Fatalf("round %d: Len %d, want 10", round, f.Len())
		}
		for {
			v, ok := f.Pop()
			if !ok {
				break
			}
			if v != next {
				t.Fatalf("popped %d, want %d", v, next)
			}
			next++
		}
	}
	if allocs := testing.AllocsPerRun(100, func() {
		for i := range 10 {
			f.Push(i)
		}
		for {
			if _, ok := f.Pop(); !ok {
				break
			}
		}
	}); allocs != 0 {
		t.Errorf("a fill and drain of 10 allocated %v times, want 0", allocs)
	}

	for i := range 10 * Keep {
		f.Push(i)
	}
	for {
		if _, ok := f.Pop(); !ok {
			break
		}
	}
	if f.Cap() != 0 {
		t.Errorf("after a burst of %d, the drained FIFO keeps an array of %d", 10*Keep, f.Cap())
	}
	f.Push(1)
	f.Clear()
	if f.Len() != 0 {
		t.Errorf("Len %d after Clear", f.Len())
	}
}
