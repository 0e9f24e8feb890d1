// Package queue provides FIFO, the first-in first-out list behind the
// engine's mailboxes and the WebSocket writer pool's backlog.
package queue

// Keep is the capacity a drained FIFO keeps for what comes next; a
// larger array is let go.
const Keep = 64

// FIFO is a first-in first-out list on one slice: taking from the front
// moves an index, and once drained the slice starts over in the same
// array (unless a burst grew it past Keep), so a list that fills and
// drains all day does not allocate. It is not safe for concurrent use:
// its owner guards it. The zero value is an empty list.
type FIFO[T any] struct {
	items []T
	head  int // items[:head] are taken
}

// Push adds v at the back.
func (f *FIFO[T]) Push(v T) { f.items = append(f.items, v) }

// Pop takes the front item, if any.
func (f *FIFO[T]) Pop() (T, bool) {
	var zero T
	if f.head == len(f.items) {
		f.items, f.head = f.items[:0], 0
		if cap(f.items) > Keep {
			f.items = nil
		}
		return zero, false
	}
	v := f.items[f.head]
	f.items[f.head] = zero
	f.head++
	return v, true
}

// Len returns how many items wait.
func (f *FIFO[T]) Len() int { return len(f.items) - f.head }

// Cap returns the capacity of the array the FIFO holds on to.
func (f *FIFO[T]) Cap() int { return cap(f.items) }

// Clear drops every item and the array.
func (f *FIFO[T]) Clear() { f.items, f.head = nil, 0 }
