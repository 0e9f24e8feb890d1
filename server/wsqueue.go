package server

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/temaplan/temaplan/alarm"
	"github.com/temaplan/temaplan/queue"
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
// write, and an alarm of the node's clock starts it later, so an idle
// connection costs no goroutine, timer or buffer here.
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
	// pressing: an urgent message came during the write in progress (or
	// while waiting in the pool).
	pressing bool
	// waiting: the pool holds the queue for a writer (writerPool.lend).
	waiting bool
	writer  sync.WaitGroup
	// clock starts the writer at timerAt (zero: not set) by ringing
	// ring (q.fire, bound once); quiet is when the linger after the last
	// write ends.
	clock   *alarm.Clock
	ring    func(at time.Time)
	timerAt time.Time
	quiet   time.Time
}

func newSendQueue(clock *alarm.Clock, limit int, linger time.Duration, write func([][]byte) bool, urgent func([]byte) bool) *sendQueue {
	q := &sendQueue{clock: clock, limit: limit, linger: linger, write: write, urgent: urgent}
	q.ring = q.fire
	return q
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
		if urgent && q.waiting && !q.pressing {
			q.writers.hurry(q)
		}
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
		q.start(urgent)
		return nil
	}
	q.setTimer(at)
	return nil
}

// setTimer makes the clock start the writer at at, unless it is set to
// start it sooner. Callers hold q.mu.
func (q *sendQueue) setTimer(at time.Time) {
	if !q.timerAt.IsZero() && !at.Before(q.timerAt) {
		return
	}
	q.timerAt = at
	q.clock.At(at, q.ring)
}

// stopTimer unsets the timer: the alarm set for it rings, and fire
// ignores it. Callers hold q.mu.
func (q *sendQueue) stopTimer() {
	q.timerAt = time.Time{}
}

// fire runs the writer for the messages that waited, unless it runs
// already or the queue is closed. at is the alarm's time: an alarm the
// queue no longer expects (stopped, or set again sooner) is ignored.
func (q *sendQueue) fire(at time.Time) {
	q.mu.Lock()
	if !at.Equal(q.timerAt) {
		q.mu.Unlock()
		return
	}
	q.timerAt = time.Time{}
	if q.running || q.closed || len(q.msgs) == 0 {
		q.mu.Unlock()
		return
	}
	q.start(false)
	q.mu.Unlock()
}

// start runs the writer: on the pool, or on a goroutine of its own
// without one. Callers hold q.mu.
func (q *sendQueue) start(urgent bool) {
	q.running = true
	q.writer.Add(1)
	if q.writers.lend(q, urgent) {
		q.waiting = true
		return
	}
	go q.run()
}

// runLent runs the writer as the pool's: once, though an answer may have
// listed the queue twice (writerPool.hurry).
func (q *sendQueue) runLent() {
	q.mu.Lock()
	lent := q.waiting
	q.waiting = false
	q.mu.Unlock()
	if lent {
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
	// The queue may have closed, or its messages gone in an earlier
	// write, while it waited for the pool.
	for !q.closed && len(q.msgs) > 0 {
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
		if !q.pressing {
			if now := time.Now(); q.quiet.After(now) {
				q.setTimer(q.quiet)
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

// writerPool runs the send queues' writers on a few goroutines, taking
// the queues in the order their writes fell due, answers first.
//
// Why few: every write is a system call of a few microseconds, so more
// writers than CPUs write no faster; they only wait to run. With a
// goroutine per due write (as before, whenever the pool was busy), a node
// at the edge of its CPU had hundreds of writers ready to run, and the
// goroutines that read the clients' ops — made ready by the network poller
// and queued behind all of them in the runtime's global run queue — waited
// a quarter of a second to run: the acknowledgements' latency was theirs.
// With keep writers, a write that falls due while they are all busy waits
// in the backlog and takes with it whatever else its connection is sent
// meanwhile: a node short of CPU writes fewer, fuller frames instead of
// starving its readers.
//
// Why a pool at all: a writer on a goroutine of its own, started for one
// write, grows that goroutine's stack down to the system call, and the
// runtime copies the stack to do it (5 % of a busy node's CPU).
//
// A write may block on a slow client (until its deadline). When no write
// has ended for stall while writes wait, the writers are taken to be
// blocked and another goroutine is started, up to max; such a goroutine
// ends when it finds nothing to write. So a slow client holds up the
// others for stall at most.
type writerPool struct {
	ctx   context.Context
	keep  int32
	max   int32
	stall time.Duration

	mu      sync.Mutex
	urgent  queue.FIFO[*sendQueue] // due with an answer: taken first
	due     queue.FIFO[*sendQueue]
	idle    int32 // goroutines waiting in signal
	signal  chan struct{}
	n       atomic.Int32 // goroutines running
	settled time.Time    // when a write last ended (or a goroutine started)
	watch   *time.Timer  // set while writes wait and none may start
	watched bool
}

func newWriterPool(ctx context.Context, keep, max int, stall time.Duration) *writerPool {
	return &writerPool{ctx: ctx, keep: int32(keep), max: int32(max), stall: stall,
		signal: make(chan struct{}, max)}
}

// lend queues q's writer to run on a goroutine of the pool, first among
// the others when urgent, and reports whether it did (a nil pool or one
// whose context has ended does not). The caller holds q.mu, and marks q
// waiting when lend reports true.
func (p *writerPool) lend(q *sendQueue, urgent bool) bool {
	if p == nil || p.ctx.Err() != nil {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if urgent {
		p.urgent.Push(q)
	} else {
		p.due.Push(q)
	}
	p.dispatch()
	return true
}

// hurry moves a waiting queue ahead: an answer came for it. The queue is
// then listed twice, and runs once (sendQueue.runLent).
func (p *writerPool) hurry(q *sendQueue) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ctx.Err() != nil {
		return // the goroutine that ended it writes q soon, or nobody
	}
	p.urgent.Push(q)
	p.dispatch()
}

// dispatch wakes a waiting goroutine for the queued writes or starts one:
// up to keep at any time, past it when the writers seem blocked. Failing
// both, it sets the watch to look again after stall. Callers hold p.mu.
func (p *writerPool) dispatch() {
	if p.idle > 0 {
		p.idle--
		p.signal <- struct{}{}
		return
	}
	n := p.n.Load()
	now := time.Now()
	if n < p.keep || (n < p.max && now.Sub(p.settled) >= p.stall) {
		p.n.Add(1)
		p.settled = now
		go p.serve(n >= p.keep)
		return
	}
	if !p.watched && n < p.max {
		p.watched = true
		if p.watch == nil {
			p.watch = time.AfterFunc(p.stall, p.look)
		} else {
			p.watch.Reset(p.stall)
		}
	}
}

// look is the watch: writes still waiting get a goroutine if the writers
// have not ended one since.
func (p *writerPool) look() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.watched = false
	if p.ctx.Err() == nil && p.urgent.Len()+p.due.Len() > 0 {
		p.dispatch()
	}
}

// next returns the next queue to write and whether it was listed as
// urgent, waiting for one unless extra (a goroutine started past keep,
// which ends instead); nil: the goroutine ends. wrote says the goroutine
// has just ended a write.
func (p *writerPool) next(extra, wrote bool) (*sendQueue, bool) {
	p.mu.Lock()
	if wrote {
		p.settled = time.Now()
	}
	for {
		if q, ok := p.urgent.Pop(); ok {
			p.mu.Unlock()
			return q, true
		}
		if q, ok := p.due.Pop(); ok {
			p.mu.Unlock()
			return q, false
		}
		if extra || p.ctx.Err() != nil {
			p.n.Add(-1)
			p.mu.Unlock()
			return nil, false
		}
		p.idle++
		p.mu.Unlock()
		select {
		case <-p.signal:
		case <-p.ctx.Done():
		}
		p.mu.Lock()
	}
}

// serve runs the writers of the queues the pool is lent, until there are
// none (extra) or ctx ends.
//
// After writing broadcasts, a writer yields the CPU (runtime.Gosched):
// writes to loopback or a fast network seldom block, so a writer with a
// backlog would otherwise keep the CPU for up to the runtime's whole time
// slice (10 ms), and the goroutines on a typist's way to an ack — the
// reader of the op, the doc actor, the committer — would wait behind it,
// each in turn. Yielding, the broadcasts take the CPU's leftovers. After
// an answer the writer goes on: answers are what the typists wait for,
// and yielding after them too cost the hot scenario a sixth of its ops.
// On one core at 500 plans, back to back in two rounds, the acks' p95
// went from 120 and 158 ms to 65 and 57; the other clients see the
// edits later (README, Performance, twelfth round).
func (p *writerPool) serve(extra bool) {
	for q, urgent := p.next(extra, false); q != nil; q, urgent = p.next(extra, true) {
		q.runLent()
		if !urgent {
			runtime.Gosched()
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
