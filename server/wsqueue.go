package server

import (
	"errors"
	"sync"
	"time"
)

// Errors of sendQueue.push.
var (
	errQueueFull   = errors.New("send queue full")
	errQueueClosed = errors.New("send queue closed")
)

// sendQueueKeep is the capacity a drained queue keeps for the next burst;
// a larger backing array is let go, so an idle connection holds little.
const sendQueueKeep = 64

// sendQueue holds the messages waiting for one WebSocket connection and
// runs the writer that sends them. It grows on demand and is bounded by
// limit messages: a client that falls that far behind is too slow (push
// answers errQueueFull). The writer goroutine runs only while there is
// something to send, so an idle connection costs no goroutine and no
// buffer here.
//
// The writer takes everything waiting at once and hands it to write,
// which sends it as one frame (see conn.writeBatch): what a connection is
// sent while its writer is busy goes out together. After a write it waits
// until linger has passed since the write began, so that a busy
// connection makes at most one write per linger however many messages it
// is sent. An
// urgent message (the answer to the client's own op) ends the wait: it
// goes out at once with whatever waits before it, so that lingering costs
// the broadcasts a few milliseconds and the typist's acknowledgements
// nothing.
//
// A message that finds the writer stopped waits for company: a broadcast
// up to gatherFor, a lazy message (another client's cursor) up to
// lazyFor, so that what a connection is sent within that time shares one
// write; an urgent message starts the writer at once. In a shared service
// every connection is sent the cursors and edits of everyone in its plan,
// several a second, and a write each was most of the server's work.
type sendQueue struct {
	limit  int
	linger time.Duration
	// lingerFor, when set, gives the linger at each write instead (the
	// server lengthens it with the number of connections).
	lingerFor func() time.Duration
	// write sends a batch; false means the connection is done (write
	// has closed it) and the queue closes.
	write func(batch [][]byte) bool
	// urgent tells the messages that end a linger; nil: none does.
	urgent func(msg []byte) bool
	// gatherFor is how long a message that finds the writer stopped
	// waits for others; nil: it does not. lazyFor is the same for lazy
	// messages; nil or lazy nil: they are not told apart.
	gatherFor func() time.Duration
	lazy      func(msg []byte) bool
	lazyFor   func() time.Duration
	// wake ends the writer's linger.
	wake chan struct{}

	mu      sync.Mutex
	msgs    [][]byte
	closed  bool
	running bool
	writer  sync.WaitGroup
	// idle starts the writer for the messages held back by gatherFor or
	// lazyFor when it fires at idleAt (zero: it is not set).
	idle   *time.Timer
	idleAt time.Time
}

func newSendQueue(limit int, linger time.Duration, write func([][]byte) bool, urgent func([]byte) bool) *sendQueue {
	return &sendQueue{limit: limit, linger: linger, write: write, urgent: urgent, wake: make(chan struct{}, 1)}
}

// push queues msg (the caller must not change it afterwards: broadcast
// messages are shared by every subscriber) and starts the writer if it
// is not running.
func (q *sendQueue) push(msg []byte) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return errQueueClosed
	}
	if len(q.msgs) >= q.limit {
		return errQueueFull
	}
	q.msgs = append(q.msgs, msg)
	if q.running {
		if q.urgent != nil && q.urgent(msg) {
			select {
			case q.wake <- struct{}{}:
			default: // the writer is woken already
			}
		}
		return nil
	}
	var wait time.Duration
	switch {
	case q.urgent != nil && q.urgent(msg):
	case q.lazy != nil && q.lazyFor != nil && q.lazy(msg):
		wait = q.lazyFor()
	case q.gatherFor != nil:
		wait = q.gatherFor()
	}
	if wait <= 0 {
		if q.idle != nil {
			// Fired or not, startIdle finds the writer running.
			q.idle.Stop()
			q.idleAt = time.Time{}
		}
		q.start()
		return nil
	}
	at := time.Now().Add(wait)
	if !q.idleAt.IsZero() && !at.Before(q.idleAt) {
		return nil // the writer starts sooner for an earlier message
	}
	q.idleAt = at
	if q.idle == nil {
		q.idle = time.AfterFunc(wait, q.startIdle)
	} else {
		q.idle.Reset(wait)
	}
	return nil
}

// start starts the writer. Callers hold q.mu, so that close followed by
// wait never misses a writer being started.
func (q *sendQueue) start() {
	q.running = true
	q.writer.Add(1)
	go q.run()
}

// startIdle starts the writer for the messages held back, unless
// something else has started it or the queue is closed.
func (q *sendQueue) startIdle() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.idleAt = time.Time{}
	if !q.running && !q.closed && len(q.msgs) > 0 {
		q.start()
	}
}

// close drops what is waiting and refuses later pushes; the writer stops
// after the write in progress (if any).
func (q *sendQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.msgs = nil
	if q.idle != nil {
		q.idle.Stop()
	}
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}: // a lingering writer stops now
	default:
	}
}

// wait waits until the writer has stopped. Call it after close.
func (q *sendQueue) wait() { q.writer.Wait() }

func (q *sendQueue) run() {
	defer q.writer.Done()
	var spare [][]byte
	var linger *time.Timer
	defer func() {
		if linger != nil {
			linger.Stop()
		}
	}()
	for {
		q.mu.Lock()
		if len(q.msgs) == 0 || q.closed {
			q.running = false
			if cap(q.msgs) > sendQueueKeep {
				q.msgs = nil
			}
			q.mu.Unlock()
			return
		}
		batch := q.msgs
		q.msgs = spare[:0]
		select {
		case <-q.wake: // its message is in this batch
		default:
		}
		q.mu.Unlock()

		began := time.Now()
		ok := q.write(batch)
		clear(batch) // let the messages go
		spare = batch
		if !ok {
			q.close()
			q.mu.Lock()
			q.running = false
			q.mu.Unlock()
			return
		}
		wait := q.linger
		if q.lingerFor != nil {
			wait = q.lingerFor()
		}
		d := wait - time.Since(began)
		if d <= 0 {
			continue
		}
		if linger == nil {
			linger = time.NewTimer(d)
		} else {
			linger.Reset(d)
		}
		select {
		case <-linger.C:
		case <-q.wake:
			linger.Stop()
		}
	}
}
