package collab

import (
	"sync"

	"github.com/temaplan/temaplan/queue"
)

// mailbox is a bounded FIFO queue between goroutines: a slice that grows
// as items come, up to its limit, and a channel the taker selects on that
// holds a signal while items wait. It is not a channel of its limit: a
// channel's buffer is allocated whole and scanned by every garbage
// collection however empty it is, and a busy node has a bus queue and a
// doc actor's inbox for each plan and section in use — those buffers were
// more than half of its live heap.
type mailbox[T any] struct {
	ready chan struct{} // a signal while items wait (or wake set it)
	limit int

	mu    sync.Mutex
	items queue.FIFO[T]
}

func newMailbox[T any](limit int) *mailbox[T] {
	return &mailbox[T]{ready: make(chan struct{}, 1), limit: limit}
}

// put queues v and reports whether there was room.
func (m *mailbox[T]) put(v T) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.items.Len() >= m.limit {
		return false
	}
	m.items.Push(v)
	m.wake()
	return true
}

// pop takes the oldest item, if any. While more wait, the signal stays
// set, so a taker may stop at any point and select again.
func (m *mailbox[T]) pop() (T, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.items.Pop()
	if ok && m.items.Len() > 0 {
		m.wake()
	}
	return v, ok
}

// len returns how many items wait.
func (m *mailbox[T]) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.items.Len()
}

// discard drops every item waiting.
func (m *mailbox[T]) discard() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.items.Clear()
}

// wake sets the signal unless it is set.
func (m *mailbox[T]) wake() {
	select {
	case m.ready <- struct{}{}:
	default:
	}
}
