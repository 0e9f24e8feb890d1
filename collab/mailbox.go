package collab

import "sync"

// mailboxKeep is the capacity a drained mailbox keeps for what comes next;
// a larger array is let go.
const mailboxKeep = 64

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
	items []T
	head  int // items[:head] are taken
}

func newMailbox[T any](limit int) *mailbox[T] {
	return &mailbox[T]{ready: make(chan struct{}, 1), limit: limit}
}

// put queues v and reports whether there was room.
func (m *mailbox[T]) put(v T) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.items)-m.head >= m.limit {
		return false
	}
	m.items = append(m.items, v)
	m.wake()
	return true
}

// pop takes the oldest item, if any. While more wait, the signal stays
// set, so a taker may stop at any point and select again.
func (m *mailbox[T]) pop() (T, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var zero T
	if m.head == len(m.items) {
		m.items, m.head = m.items[:0], 0
		if cap(m.items) > mailboxKeep {
			m.items = nil
		}
		return zero, false
	}
	v := m.items[m.head]
	m.items[m.head] = zero
	m.head++
	if m.head < len(m.items) {
		m.wake()
	}
	return v, true
}

// len returns how many items wait.
func (m *mailbox[T]) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.items) - m.head
}

// discard drops every item waiting.
func (m *mailbox[T]) discard() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.items, m.head = nil, 0
}

// wake sets the signal unless it is set.
func (m *mailbox[T]) wake() {
	select {
	case m.ready <- struct{}{}:
	default:
	}
}
