package collab

import "sync"

// inboxLimit bounds the work waiting for one doc actor: a submission or
// bus message that finds it full is refused (the caller answers
// "unavailable" or relies on gap filling).
const inboxLimit = 4096

// inboxKeep is the capacity a drained inbox keeps for the next work; a
// larger array is let go.
const inboxKeep = 64

// inbox is the queue of work for a doc actor: a slice that grows as work
// comes, up to inboxLimit, and a channel the actor selects on that holds a
// signal while work waits. It is not a channel of inboxLimit: a channel's
// buffer is allocated whole and scanned by every garbage collection however
// empty it is, and with an actor for each section in use those buffers
// were a sixth of a busy node's live heap.
type inbox struct {
	ready chan struct{} // a signal while work waits

	mu   sync.Mutex
	fns  []func(*docActor)
	head int // fns[:head] are taken
}

func newInbox() *inbox { return &inbox{ready: make(chan struct{}, 1)} }

// put queues fn and reports whether there was room.
func (b *inbox) put(fn func(*docActor)) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.fns)-b.head >= inboxLimit {
		return false
	}
	b.fns = append(b.fns, fn)
	b.signal()
	return true
}

// pop takes the oldest work, if any. While more waits, the signal stays
// set, so a taker may stop at any point and select again.
func (b *inbox) pop() (func(*docActor), bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.head == len(b.fns) {
		b.fns, b.head = b.fns[:0], 0
		if cap(b.fns) > inboxKeep {
			b.fns = nil
		}
		return nil, false
	}
	fn := b.fns[b.head]
	b.fns[b.head] = nil
	b.head++
	if b.head < len(b.fns) {
		b.signal()
	}
	return fn, true
}

// len returns how much work waits.
func (b *inbox) len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.fns) - b.head
}

// signal sets the signal unless it is set. Callers hold b.mu.
func (b *inbox) signal() {
	select {
	case b.ready <- struct{}{}:
	default:
	}
}
