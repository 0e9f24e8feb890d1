package server

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
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
// answers errQueueFull). A writer runs only while there is something to
// write, and one timer per connection (made when first needed) starts it
// later, so an idle connection costs no goroutine and no buffer here.
//
// The writer takes everything waiting at once and hands it to write,
// which sends it as one frame (see conn.writeBatch). When to write is
// decided by what waits:
//   - an urgent message (the answer to the client's own op) is written at
//     once, with whatever waits before it, so the typist's
//     acknowledgements never wait;
//   - a broadcast waits up to gatherFor for others to share its write,
//     and never goes sooner than linger after the last write began, so a
//     busy connection makes at most one write per linger however many
//     messages it is sent;
//   - a lazy message (another client's cursor) waits the same way, up to
//     lazyFor.
//
// In a shared service every connection is sent the cursors and edits of
// everyone in its plan, several a second, and a write each was most of the
// server's work.
type sendQueue struct {
	limit  int
	linger time.Duration
	// lingerFor, when set, gives the linger at each write instead (the
	// server lengthens it with the number of connections).
	lingerFor func() time.Duration
	// write sends a batch; false means the connection is done (write
	// has closed it) and the queue closes.
	write func(batch [][]byte) bool
	// urgent tells the messages written at once; nil: none is.
	urgent func(msg []byte) bool
	// gatherFor is how long a broadcast may wait for others; nil: it does
	// not wait. lazyFor is the same for lazy messages; nil or lazy nil:
	// they are broadcasts like the others.
	gatherFor func() time.Duration
	lazy      func(msg []byte) bool
	lazyFor   func() time.Duration
	// writers, if set, lends the writer a goroutine (see writerPool).
	writers *writerPool

	mu      sync.Mutex
	msgs    [][]byte
	spare   [][]byte // the last batch's array, for the next
	closed  bool
	running bool
	// pressing: an urgent message came during the write in progress.
	pressing bool
	writer   sync.WaitGroup
	// timer starts the writer at timerAt (zero: not set); quiet is when
	// the linger after the last write ends.
	timer   *time.Timer
	timerAt time.Time
	quiet   time.Time
}

func newSendQueue(limit int, linger time.Duration, write func([][]byte) bool, urgent func([]byte) bool) *sendQueue {
	return &sendQueue{limit: limit, linger: linger, write: write, urgent: urgent}
}

// push queues msg (the caller must not change it afterwards: broadcast
// messages are shared by every subscriber) and starts the writer, or sets
// the timer to, as msg requires.
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
	urgent := q.urgent != nil && q.urgent(msg)
	if q.running {
		q.pressing = q.pressing || urgent
		return nil // the writer sees it when its write is done
	}
	now := time.Now()
	at := now
	if !urgent {
		var wait time.Duration
		switch {
		case q.lazy != nil && q.lazyFor != nil && q.lazy(msg):
			wait = q.lazyFor()
		case q.gatherFor != nil:
			wait = q.gatherFor()
		}
		at = later(now.Add(wait), q.quiet)
	}
	if !at.After(now) {
		q.stopTimer()
		q.running = true
		q.writer.Add(1)
		if !q.writers.lend(q) {
			go q.run()
		}
		return nil
	}
	q.setTimer(at, now)
	return nil
}

// setTimer makes the timer start the writer at at, unless it is set to
// start it sooner. Callers hold q.mu.
func (q *sendQueue) setTimer(at, now time.Time) {
	if !q.timerAt.IsZero() && !at.Before(q.timerAt) {
		return
	}
	q.timerAt = at
	if q.timer == nil {
		q.timer = time.AfterFunc(at.Sub(now), q.fire)
	} else {
		q.timer.Reset(at.Sub(now))
	}
}

// stopTimer unsets the timer; if it has fired already, fire finds the
// writer running or nothing to write. Callers hold q.mu.
func (q *sendQueue) stopTimer() {
	if q.timer != nil && !q.timerAt.IsZero() {
		q.timer.Stop()
	}
	q.timerAt = time.Time{}
}

// fire runs the writer for the messages that waited, unless it runs
// already or the queue is closed. It runs in the timer's own goroutine,
// which becomes the writer when the pool has none to lend.
func (q *sendQueue) fire() {
	q.mu.Lock()
	q.timerAt = time.Time{}
	if q.running || q.closed || len(q.msgs) == 0 {
		q.mu.Unlock()
		return
	}
	q.running = true
	q.writer.Add(1)
	q.mu.Unlock()
	if !q.writers.lend(q) {
		q.run()
	}
}

// close drops what is waiting and refuses later pushes; the writer stops
// after the write in progress (if any).
func (q *sendQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.msgs, q.spare = nil, nil
	q.stopTimer()
	q.mu.Unlock()
}

// wait waits until the writer has stopped. Call it after close.
func (q *sendQueue) wait() { q.writer.Wait() }

// run writes what waits, and again while urgent messages come during a
// write; then it stops, leaving the timer set for what else came.
func (q *sendQueue) run() {
	defer q.writer.Done()
	q.mu.Lock()
	for {
		batch := q.msgs
		q.msgs, q.spare = q.spare[:0], nil
		q.pressing = false
		q.mu.Unlock()

		began := time.Now()
		ok := q.write(batch)
		clear(batch) // let the messages go
		linger := q.linger
		if q.lingerFor != nil {
			linger = q.lingerFor()
		}

		q.mu.Lock()
		if cap(batch) <= sendQueueKeep {
			q.spare = batch[:0]
		}
		q.quiet = began.Add(linger)
		if !ok {
			q.running = false
			q.mu.Unlock()
			q.close()
			return
		}
		if q.closed || len(q.msgs) == 0 {
			break
		}
		if !q.pressing {
			if now := time.Now(); q.quiet.After(now) {
				q.setTimer(q.quiet, now)
				break
			}
		}
	}
	q.running = false
	// A connection gone quiet keeps one small array, not two: the last
	// batch's, for the next, when nothing new has needed one. (Dropping it
	// made every write of a busy node allocate anew.)
	if q.msgs == nil {
		q.msgs = q.spare
	}
	q.spare = nil
	if cap(q.msgs) > sendQueueKeep {
		q.msgs = nil
	}
	q.mu.Unlock()
}

// writerPool is a few goroutines that run the send queues' writers. A
// writer on a goroutine of its own, started for one write, grows that
// goroutine's stack to hold the write's calls down to the system call,
// and the runtime copies the stack to do it: at thousands of writes a
// second that was 5 % of a node's CPU. The pool's goroutines keep their
// stacks. They are started as the writes need them, up to max, and stay
// until ctx ends; a node nobody writes to has none. A queue that finds
// none of them waiting and the pool full starts its own goroutine as
// before, so a write that blocks on a slow client never holds up the
// others.
type writerPool struct {
	ctx  context.Context
	work chan *sendQueue
	max  int32
	n    atomic.Int32 // goroutines running
}

func newWriterPool(ctx context.Context, max int) *writerPool {
	return &writerPool{ctx: ctx, work: make(chan *sendQueue), max: int32(max)}
}

// lend runs q's writer on a goroutine of the pool, a waiting one or a new
// one, and reports whether it did (a nil pool, a full one or one whose
// context has ended does not).
func (p *writerPool) lend(q *sendQueue) bool {
	if p == nil || p.ctx.Err() != nil {
		return false
	}
	select {
	case p.work <- q:
		return true
	default:
	}
	if p.n.Add(1) > p.max {
		p.n.Add(-1)
		return false
	}
	go p.serve(q)
	return true
}

// serve runs q's writer, then the writers it is lent, until ctx ends.
func (p *writerPool) serve(q *sendQueue) {
	defer p.n.Add(-1)
	for {
		q.run()
		select {
		case q = <-p.work:
		case <-p.ctx.Done():
			return
		}
	}
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
