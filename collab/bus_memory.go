package collab

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// DefaultBusQueueSize is the number of messages a subscription may have
// waiting for its handler before further messages are dropped for it.
const DefaultBusQueueSize = 1024

// ErrBusClosed is returned (wrapped in an *Error with CodeUnavailable) by a
// bus that has been closed.
var ErrBusClosed = errors.New("bus closed")

func errBusClosed() error {
	return Wrap(CodeUnavailable, ErrBusClosed, "the message bus is closed")
}

// BusQueue delivers the messages of one subscription to its BusHandler on a
// goroutine of its own, through a bounded queue, so that a slow handler never
// blocks the publisher, the bus or any other subscription. Both MemoryBus and
// the Redis bus (collab/redis) use it, so they drop and resync alike.
//
// When the queue is full, Message drops the message for this subscription
// only. That is safe because the bus is best effort: the receiver notices
// the gap in the versions and fills it from the store (see Bus).
//
// A Resync request is never dropped: it is a flag, not a queue entry, and
// it is handled before any message queued after it was requested. Several
// requests that arrive before the handler gets to them are handled once.
//
// The waiting messages are a mailbox, not a channel of the queue's size
// (see mailbox).
type BusQueue struct {
	h       BusHandler
	msgs    *mailbox[[]byte] // its signal also stands for a resync
	resync  atomic.Bool
	done    chan struct{}
	exited  chan struct{}
	stop    sync.Once
	dropped atomic.Uint64
}

// NewBusQueue starts the delivery goroutine of a subscription with handler
// h and room for size waiting messages (DefaultBusQueueSize if size <= 0).
// The caller owns the queue and must Stop it.
func NewBusQueue(h BusHandler, size int) *BusQueue {
	if size <= 0 {
		size = DefaultBusQueueSize
	}
	q := &BusQueue{
		h:      h,
		msgs:   newMailbox[[]byte](size),
		done:   make(chan struct{}),
		exited: make(chan struct{}),
	}
	go q.run()
	return q
}

// Message queues data for the handler without blocking; the queue owns data
// from then on. It reports false when the queue was full and the message
// was dropped (or the queue is stopped).
func (q *BusQueue) Message(data []byte) bool {
	if q.stopped() {
		return false
	}
	if !q.msgs.put(data) {
		q.dropped.Add(1)
		return false
	}
	return true
}

// Resync asks for the handler's Resync function to be called. It never
// blocks and is never dropped.
func (q *BusQueue) Resync() {
	q.resync.Store(true)
	q.msgs.wake()
}

// stopped reports whether Stop has begun.
func (q *BusQueue) stopped() bool {
	select {
	case <-q.done:
		return true
	default:
		return false
	}
}

// Dropped returns how many messages this queue has dropped because it was
// full.
func (q *BusQueue) Dropped() uint64 { return q.dropped.Load() }

// Stop ends delivery: queued messages are discarded and the handler is not
// called again. It waits for a handler call in progress to return, so it
// must not be called from the handler itself. Stop is idempotent.
func (q *BusQueue) Stop() {
	q.stop.Do(func() { close(q.done) })
	<-q.exited
	q.msgs.discard()
}

func (q *BusQueue) run() {
	defer close(q.exited)
	for {
		select {
		case <-q.done:
			return
		case <-q.msgs.ready:
		}
		q.maybeResync()
		for {
			data, ok := q.msgs.pop()
			if !ok {
				break
			}
			// Stop wins over a queued message, so that nothing is
			// delivered once Stop has begun.
			if q.stopped() {
				return
			}
			// A Resync requested before this message was queued comes
			// first: the message may belong to the state after the gap.
			q.maybeResync()
			q.h.Message(data)
		}
	}
}

func (q *BusQueue) maybeResync() {
	if q.resync.Swap(false) && q.h.Resync != nil {
		q.h.Resync()
	}
}

// MemoryBus is the in-process Bus of a single node: Publish hands a copy of
// the data to every subscription of the channel in this process. Each
// subscription is delivered by its own goroutine through a bounded queue
// (BusQueue); a subscriber that falls behind by more than the queue loses
// messages, which it then fills from the store like any other gap.
// Resync is called once, on subscribe: an in-process bus never reconnects.
type MemoryBus struct {
	dropped atomic.Uint64

	mu     sync.RWMutex
	closed bool
	subs   map[string]map[*BusQueue]struct{}
}

var _ Bus = (*MemoryBus)(nil)

// NewMemoryBus returns an empty in-process bus.
func NewMemoryBus() *MemoryBus {
	return &MemoryBus{subs: make(map[string]map[*BusQueue]struct{})}
}

// Publish delivers a copy of data to every current subscriber of channel.
// It never blocks on a subscriber.
func (b *MemoryBus) Publish(ctx context.Context, channel string, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return errBusClosed()
	}
	for q := range b.subs[channel] {
		// Each subscriber gets its own copy: the publisher may reuse data
		// and a handler may keep or modify what it is given.
		if !q.Message(append([]byte(nil), data...)) {
			b.dropped.Add(1)
		}
	}
	return nil
}

// Subscribe registers h for channel. h.Resync is called once, before any
// message: from then on every message published on channel is delivered,
// unless the subscription's queue overflows.
func (b *MemoryBus) Subscribe(ctx context.Context, channel string, h BusHandler) (func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if h.Message == nil {
		return nil, Errorf(CodeInvalid, "a bus handler needs a Message function")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, errBusClosed()
	}
	q := NewBusQueue(h, DefaultBusQueueSize)
	set := b.subs[channel]
	if set == nil {
		set = make(map[*BusQueue]struct{})
		b.subs[channel] = set
	}
	set[q] = struct{}{}
	q.Resync()
	var once sync.Once
	return func() { once.Do(func() { b.unsubscribe(channel, q) }) }, nil
}

func (b *MemoryBus) unsubscribe(channel string, q *BusQueue) {
	b.mu.Lock()
	if set := b.subs[channel]; set != nil {
		delete(set, q)
		if len(set) == 0 {
			delete(b.subs, channel)
		}
	}
	b.mu.Unlock()
	q.Stop()
}

// Ping reports whether the bus is open.
func (b *MemoryBus) Ping(ctx context.Context) error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return errBusClosed()
	}
	return ctx.Err()
}

// Describe returns "in-process".
func (b *MemoryBus) Describe() string { return "in-process" }

// Dropped returns how many messages were dropped, over all subscriptions,
// because a subscriber's queue was full.
func (b *MemoryBus) Dropped() uint64 { return b.dropped.Load() }

// Close ends every subscription and waits for their goroutines. Later calls
// to Publish, Subscribe and Ping fail with ErrBusClosed; Close is
// idempotent.
func (b *MemoryBus) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	subs := b.subs
	b.subs = nil
	b.mu.Unlock()
	for _, set := range subs {
		for q := range set {
			q.Stop()
		}
	}
	return nil
}
