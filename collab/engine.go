package collab

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/temaplan/temaplan/collab/delta"
)

// Engine commits the edits of section documents: ShareDB's design in Go.
// Each open document is owned by one goroutine on each node (a doc actor),
// which keeps its head in memory, serialises submissions, transforms them
// against the ops committed since the version they were made on and commits
// them with a unique insert of (doc, v). Races happen only between nodes and
// are decided by that insert: the loser catches up from the log and tries
// again. Committed ops are published on the doc's bus channel; every node
// delivers them to its subscribers in version order, filling gaps from the
// log.
type Engine struct {
	cfg   EngineConfig
	log   *slog.Logger
	check *delta.Validator

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// node tells this engine's messages on the bus from other nodes';
	// every message it publishes begins with own (see busOp).
	node string
	own  []byte

	mu     sync.Mutex
	docs   map[string]*docActor
	closed bool

	// busDownUntil (unix nanoseconds) pauses publishing for a moment after
	// a publish failed, so an unreachable bus does not hold up every ack:
	// other nodes fill the gap from the log when the bus is back.
	busDownUntil atomic.Int64
}

// EngineConfig holds the engine's collaborators and limits. Zero limits
// take the defaults.
type EngineConfig struct {
	Store OpStore
	Bus   Bus
	Log   *slog.Logger
	Now   func() time.Time

	// MaxOpBytes limits the JSON size of one op (default 64 KiB).
	MaxOpBytes int
	// MaxDocLength limits a document's length in UTF-16 units (default 2 Mi).
	MaxDocLength int
	// Window is how many recent ops each doc keeps in memory; an op made on
	// an older version that is not a resend is refused as stale (default
	// 1000).
	Window int
	// CatchUpLimit is the largest gap sent to a resubscribing client as ops
	// rather than as a snapshot (default 10 000).
	CatchUpLimit int
	// SnapshotEvery is how many ops may pass between two stored snapshots,
	// so a cold load never replays more than that (default 100).
	SnapshotEvery int
	// GapWait is how long an out-of-order bus message is held before the
	// gap is filled from the log (default 50 ms).
	GapWait time.Duration
	// Idle is how long a doc without subscribers stays loaded (default 30 s).
	Idle time.Duration
	// Beacon is the period of the head-version beacon a node publishes for
	// the docs it recently committed to, so other nodes notice a lost last
	// op (default 1 s).
	Beacon time.Duration
	// CommitAttempts bounds the retries when other nodes keep winning the
	// next version (default 50).
	CommitAttempts int
	// Metrics receives commit measurements; nil means none.
	Metrics EngineMetrics
}

// EngineMetrics receives the engine's measurements. The server implements
// it with Prometheus collectors.
type EngineMetrics interface {
	// Committed reports a commit round trip of n ops.
	Committed(n int, d time.Duration)
	// BusLag reports the delay between an op's commit on another node and
	// its arrival here.
	BusLag(d time.Duration)
	// GapFilled reports n ops read from the log because the bus lost or
	// delayed them.
	GapFilled(n int)
	// Resent reports a submission recognised as a resend of a committed op
	// (answered with its version, not committed again).
	Resent()
	// Refused reports a submission answered with an error of code.
	Refused(code Code)
}

func (c *EngineConfig) defaults() {
	if c.MaxOpBytes == 0 {
		c.MaxOpBytes = 64 << 10
	}
	if c.MaxDocLength == 0 {
		c.MaxDocLength = 2 << 20
	}
	if c.Window == 0 {
		c.Window = 1000
	}
	if c.CatchUpLimit == 0 {
		c.CatchUpLimit = 10000
	}
	if c.SnapshotEvery == 0 {
		c.SnapshotEvery = 100
	}
	if c.GapWait == 0 {
		c.GapWait = 50 * time.Millisecond
	}
	if c.Idle == 0 {
		c.Idle = 30 * time.Second
	}
	if c.Beacon == 0 {
		c.Beacon = time.Second
	}
	if c.CommitAttempts == 0 {
		c.CommitAttempts = 50
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
}

// NewEngine returns an engine; Close stops it.
func NewEngine(cfg EngineConfig) (*Engine, error) {
	cfg.defaults()
	// The document length limit is checked by the engine itself, to
	// answer too_large rather than bad_op.
	lim := delta.DefaultLimits()
	lim.MaxDocument = 0
	check, err := delta.NewValidator(delta.DefaultWhitelist(), lim)
	if err != nil {
		return nil, fmt.Errorf("op validator: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	node := fmt.Sprintf("%016x", rand.Uint64())
	return &Engine{cfg: cfg, log: cfg.Log, check: check, ctx: ctx, cancel: cancel, docs: map[string]*docActor{},
		node: node, own: []byte(`{"node":"` + node + `",`)}, nil
}

// Close stops every doc actor and waits for them. Commits in flight finish
// first; submissions after Close fail with CodeUnavailable.
func (e *Engine) Close() error {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	e.cancel()
	e.wg.Wait()
	return nil
}

// EmptyDoc returns the content of a section at version 0: one empty line.
func EmptyDoc() delta.Delta {
	var d delta.Delta
	d.Insert("\n", nil)
	return d
}

// Submission is an op a client submits.
type Submission struct {
	Doc string
	// V is the version the op was made on.
	V int64
	// Src is the client's id and Seq its counter: (Doc, Src, Seq) is unique,
	// so a resend is recognised and acknowledged, never committed twice.
	Src string
	Seq int64
	// By is the id of the user the op is attributed to.
	By string
	Op delta.Delta
	// Guard, when set, is the range (at version V) the op replaces: if an
	// op committed since V touched its inside, the submission is refused
	// with conflict instead of being merged — an accepted suggestion is
	// applied exactly as proposed or not at all.
	Guard *Anchor
}

// Sink receives the protocol messages of one subscription, already encoded
// as JSON. It must not block: it returns false when it cannot take the
// message (its queue is full), and the engine then drops the subscription;
// the client resyncs when it reconnects.
type Sink func(msg []byte) bool

// Subscription is one client's subscription to a document.
type Subscription struct {
	doc  *docActor
	sink Sink
}

// Doc returns the subscribed document's id.
func (s *Subscription) Doc() string { return s.doc.id }

// Subscribe subscribes sink to doc. Without from (nil) the sink first gets a
// snapshot; with from it gets the ops after version *from as `op` messages
// followed by `synced` (or a snapshot when the gap is larger than
// CatchUpLimit). Then it gets every later op in version order. The returned
// subscription is live once Subscribe returns.
func (e *Engine) Subscribe(ctx context.Context, doc string, from *int64, sink Sink) (*Subscription, error) {
	sub := &Subscription{sink: sink}
	err := e.call(ctx, doc, func(a *docActor) error {
		sub.doc = a
		return a.subscribe(sub, from)
	})
	if err != nil {
		return nil, err
	}
	return sub, nil
}

// Unsubscribe ends the subscription. It does not wait.
func (s *Subscription) Unsubscribe() {
	s.doc.post(func(a *docActor) { delete(a.subs, s) })
}

// Submit submits an op through the subscription. The answer — `ack` or an
// `error` with the op's seq — arrives through the sink, in order with the
// document's other messages.
func (s *Subscription) Submit(sub Submission) {
	sub.Doc = s.doc.id
	s.doc.submit(&submitReq{Submission: sub, from: s})
}

// Submit commits an op and returns the version it was committed at. It is
// the path of writers without a subscription (REST, tests).
func (e *Engine) Submit(ctx context.Context, sub Submission) (int64, error) {
	done := make(chan submitResult, 1)
	req := &submitReq{Submission: sub, done: done}
	err := e.call(ctx, sub.Doc, func(a *docActor) error {
		a.enqueue(req)
		return nil
	})
	if err != nil {
		return 0, err
	}
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// Snapshot returns a document's content and version.
func (e *Engine) Snapshot(ctx context.Context, doc string) (int64, delta.Delta, error) {
	var v int64
	var d delta.Delta
	err := e.call(ctx, doc, func(a *docActor) error {
		v, d = a.v, a.content()
		return nil
	})
	return v, d, err
}

// Mark commits a lock or unlock marker to doc's log and returns its
// version. From a lock marker on, every new op is refused as locked; an op
// committed before it is part of the locked version. Marking an already
// locked doc locked is a no-op that returns the version of the lock marker
// in force; unlocking an unlocked doc is a no-op that returns the head.
func (e *Engine) Mark(ctx context.Context, doc string, kind OpKind, by string) (int64, error) {
	if kind != OpLock && kind != OpUnlock {
		return 0, Errorf(CodeInvalid, "unknown marker %q", kind)
	}
	done := make(chan submitResult, 1)
	req := &submitReq{Submission: Submission{Doc: doc, By: by, Src: "marker", Seq: 0}, kind: kind, done: done}
	if err := e.call(ctx, doc, func(a *docActor) error { a.enqueue(req); return nil }); err != nil {
		return 0, err
	}
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// call runs fn in doc's actor (loading the doc first if needed) and waits.
func (e *Engine) call(ctx context.Context, doc string, fn func(a *docActor) error) error {
	if err := checkDocID(doc); err != nil {
		return err
	}
	for {
		a, err := e.actor(doc)
		if err != nil {
			return err
		}
		done := make(chan error, 1)
		posted := a.tryPost(func(a *docActor) {
			if a.dead {
				done <- a.deadErr()
				return
			}
			done <- fn(a)
		})
		if !posted {
			a.mu.Lock()
			dead := a.dead
			a.mu.Unlock()
			if dead && e.ctx.Err() == nil && a.deadErr() == nil {
				continue // the actor was unloading; start a new one
			}
			if !dead {
				return Errorf(CodeUnavailable, "the document is too busy; try again")
			}
			return a.deadErr()
		}
		select {
		case err := <-done:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// deadErr is why a stopped actor refuses work: its load error, shutdown,
// or nil when it was merely unloaded for being idle.
func (a *docActor) deadErr() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.loadErr != nil {
		return a.loadErr
	}
	if a.e.ctx.Err() != nil {
		return Errorf(CodeUnavailable, "the server is shutting down")
	}
	return nil
}

// checkDocID refuses ids that cannot be documents, before anything is
// loaded for them.
func checkDocID(doc string) error {
	if doc == "" || len(doc) > maxIDLen {
		return Errorf(CodeBadRequest, "invalid document id")
	}
	return nil
}

// actor returns the actor of doc, starting it if needed.
func (e *Engine) actor(doc string) (*docActor, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, Errorf(CodeUnavailable, "the server is shutting down")
	}
	if a := e.docs[doc]; a != nil {
		return a, nil
	}
	a := &docActor{
		e:       e,
		id:      doc,
		inbox:   newMailbox[func(*docActor)](inboxLimit),
		stopped: make(chan struct{}),
		subs:    map[*Subscription]struct{}{},
		held:    map[int64]*busOp{},
		bySrc:   map[srcSeq]int64{},
	}
	e.docs[doc] = a
	e.wg.Add(1)
	go a.run()
	return a, nil
}

// submitReq is a submission waiting in a doc actor, answered through its
// subscription (from) or its done channel.
type submitReq struct {
	Submission
	kind OpKind
	from *Subscription
	done chan submitResult
	// followers are copies of the same (src, seq) in one batch.
	followers []*submitReq
	// metrics counts the refusals; nil: none.
	metrics EngineMetrics
}

type submitResult struct {
	v   int64
	err error
}

type srcSeq struct {
	src string
	seq int64
}

// committedOp is an op of the in-memory window.
type committedOp struct {
	rec OpRecord
	op  delta.Delta
}

// busOp is a message on a doc's bus channel. An op is the same JSON that
// subscribers get, plus the marker kind and the commit time; the other
// types are nodes' messages to each other: "head" beacons and "turn"
// requests (engine_turn.go), which ask for a time. Every message names the
// node that sent it, first: a node is sent its own messages back, and they
// are nothing to it (its ops were applied when committed, its head is no
// news and its turn requests are not for itself), so it drops them by
// that prefix without decoding them.
type busOp struct {
	Node   string          `json:"node,omitempty"`
	Type   string          `json:"type"`
	Doc    string          `json:"doc"`
	V      int64           `json:"v"`
	Op     json.RawMessage `json:"op,omitempty"`
	Src    string          `json:"src,omitempty"`
	Seq    int64           `json:"seq,omitempty"`
	By     string          `json:"by,omitempty"`
	Kind   OpKind          `json:"kind,omitempty"`
	At     *time.Time      `json:"at,omitempty"`
	WaitMS int64           `json:"wait_ms,omitempty"`
}

// snapshotData is the stored form of a snapshot.
type snapshotData struct {
	Delta  delta.Delta `json:"delta"`
	Locked bool        `json:"locked,omitempty"`
}

// docActor owns one document on this node. All fields below inbox are used
// only by its goroutine.
type docActor struct {
	e       *Engine
	id      string
	inbox   *mailbox[func(*docActor)]
	stopped chan struct{}

	// mu guards dead and loadErr: once dead, nothing more is queued.
	mu      sync.Mutex
	dead    bool
	loadErr error

	v        int64
	text     delta.Gathered // the content at v
	length   int            // the content's length, kept up to date op by op
	locked   bool
	snapV    int64
	window   opWindow // ops [v-window.len(), v)
	bySrc    map[srcSeq]int64
	subs     map[*Subscription]struct{}
	held     map[int64]*busOp
	gapTimer *time.Timer
	gapC     <-chan time.Time
	lastMine time.Time
	batch    []*submitReq
	cancel   func()
	resync   bool

	// commitDur is a running mean of this node's commit round trips.
	commitDur time.Duration
	// While another node has its turn (engine_turn.go), this node holds
	// back its commits until turnUntil, or until the head moves on from
	// turnV; noTurnUntil is when it gives turns again after one in vain.
	turnUntil, turnFrom, noTurnUntil time.Time
	turnV                            int64
	turnTimer                        *time.Timer
	turnC                            <-chan time.Time
}

// tryPost queues fn unless the actor has stopped or its inbox is full (a
// bounded queue: the caller answers "unavailable" or, for bus messages,
// relies on gap filling).
func (a *docActor) tryPost(fn func(*docActor)) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.dead {
		return false
	}
	return a.inbox.put(fn)
}

// stop marks the actor dead, so nothing more is queued, and answers what
// is still queued.
func (a *docActor) stop(err error) {
	a.mu.Lock()
	a.dead = true
	a.loadErr = err
	a.mu.Unlock()
	a.drain()
}

// post queues fn; if the actor has stopped, fn is dropped (it only cleaned
// up state that went with the actor).
func (a *docActor) post(fn func(*docActor)) { a.tryPost(fn) }

// submit queues a subscriber's submission; if the actor stopped meanwhile,
// the subscriber is told so.
func (a *docActor) submit(req *submitReq) {
	if !a.tryPost(func(a *docActor) { a.enqueue(req) }) {
		req.answer(0, Errorf(CodeUnavailable, "the document was closed; subscribe again"))
	}
}

func (a *docActor) enqueue(req *submitReq) {
	req.metrics = a.e.cfg.Metrics
	a.batch = append(a.batch, req)
}

// inboxLimit bounds the work waiting for one doc actor: a submission or
// bus message that finds it full is refused (the caller answers
// "unavailable" or relies on gap filling).
const inboxLimit = 4096

// maxBatch bounds the submissions of one doc committed together. Each
// commit costs a store round trip and a message to every subscriber
// whatever it carries, so under load larger batches are cheaper per op (at
// 64, three hundred authors on one section filled every batch).
const maxBatch = 256

func (a *docActor) run() {
	defer a.e.wg.Done()
	defer close(a.stopped)
	// Store and bus calls are not cancelled by Close: a commit in flight
	// finishes, then the actor stops.
	ctx := context.WithoutCancel(a.e.ctx)
	if err := a.load(ctx); err != nil {
		a.e.log.Error("document not loaded", "doc", a.id, "err", err)
		a.unregister()
		a.stop(Wrap(CodeUnavailable, err, "the document could not be loaded"))
		return
	}
	cancel, err := a.e.cfg.Bus.Subscribe(ctx, DocChannel(a.id), BusHandler{
		Message: func(data []byte) { a.post(func(a *docActor) { a.fromBus(data) }) },
		Resync:  func() { a.post(func(a *docActor) { a.resync = true }) },
	})
	if err != nil {
		a.e.log.Warn("bus subscription failed; relying on the log", "doc", a.id, "err", err)
		cancel = func() {}
	}
	a.cancel = cancel
	defer func() { a.cancel() }()

	idle := time.NewTimer(a.e.cfg.Idle)
	defer idle.Stop()
	beacon := time.NewTicker(a.e.cfg.Beacon)
	defer beacon.Stop()
	for {
		select {
		case <-a.inbox.ready:
			// Group commit: take everything already queued, then commit the
			// submissions gathered in one round trip; what is left past
			// maxBatch waits for the next round.
			a.runQueued(func() bool { return len(a.batch) >= maxBatch })
			if a.resync {
				a.resync = false
				a.catchUp(ctx)
			}
			a.commitQueued(ctx)
		case <-a.turnC:
			a.turnC = nil
			a.commitQueued(ctx)
		case <-a.gapC:
			a.gapC = nil
			a.catchUp(ctx)
		case <-beacon.C:
			if time.Since(a.lastMine) < 10*a.e.cfg.Beacon {
				a.publish(ctx, &busOp{Type: "head", Doc: a.id, V: a.v})
			}
		case <-idle.C:
			if len(a.subs) == 0 && a.unloadIfIdle() {
				a.stop(nil)
				return
			}
			idle.Reset(a.e.cfg.Idle)
			continue
		case <-a.e.ctx.Done():
			a.unregister()
			a.stop(nil)
			return
		}
		if len(a.subs) > 0 {
			idle.Reset(a.e.cfg.Idle)
		}
	}
}

// runQueued runs the work queued in the inbox, oldest first, until none
// is left or enough says, after one, to stop. What it leaves keeps the
// inbox's signal set.
func (a *docActor) runQueued(enough func() bool) {
	for {
		fn, ok := a.inbox.pop()
		if !ok {
			return
		}
		fn(a)
		if enough() {
			return
		}
	}
}

// never is the enough of runQueued that runs everything queued.
func never() bool { return false }

// commitQueued commits the queued submissions, unless another node has its
// turn. A batch may leave submissions for the next round (those behind a
// lock marker): it commits until nothing is queued, or they would wait for
// the next message to arrive.
func (a *docActor) commitQueued(ctx context.Context) {
	for len(a.batch) > 0 {
		if a.holdingBack() {
			a.wakeAfterTurn()
			return
		}
		a.commitBatch(ctx)
	}
}

// unloadIfIdle removes the actor from the engine unless work is queued.
// After it returns true, new callers start a new actor.
func (a *docActor) unloadIfIdle() bool {
	a.e.mu.Lock()
	defer a.e.mu.Unlock()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.inbox.len() > 0 {
		return false
	}
	a.dead = true
	delete(a.e.docs, a.id)
	return true
}

func (a *docActor) unregister() {
	a.e.mu.Lock()
	if a.e.docs[a.id] == a {
		delete(a.e.docs, a.id)
	}
	a.e.mu.Unlock()
}

// drain answers what is still queued after the actor stopped working.
func (a *docActor) drain() {
	err := a.deadErr()
	if err == nil {
		err = Errorf(CodeUnavailable, "the document was closed; subscribe again")
	}
	for _, r := range a.batch {
		r.answer(0, err)
	}
	a.batch = nil
	for {
		fn, ok := a.inbox.pop()
		if !ok {
			return
		}
		fn(a)
		for _, r := range a.batch {
			r.answer(0, err)
		}
		a.batch = nil
	}
}

// load reads the newest snapshot and replays the ops after it.
func (a *docActor) load(ctx context.Context) error {
	snap, ok, err := a.e.cfg.Store.LatestSnapshot(ctx, a.id, -1)
	if err != nil {
		return fmt.Errorf("load snapshot: %w", err)
	}
	if ok {
		var sd snapshotData
		if err := json.Unmarshal(snap.Data, &sd); err != nil {
			return fmt.Errorf("decode snapshot %d: %w", snap.V, err)
		}
		a.v, a.text, a.locked, a.snapV = snap.V, delta.Gather(sd.Delta), sd.Locked, snap.V
	} else {
		// Version 0 of every section is an empty line, as in Quill, whose
		// documents always end with a newline: the first edits of two
		// people then never add a newline each.
		a.text = delta.Gather(EmptyDoc())
	}
	a.length = a.text.Length()
	return a.catchUpErr(ctx)
}

// catchUp brings the head up to date with the log, delivering the ops it
// finds to the subscribers. A failure is logged: the next message or the
// beacon tries again.
func (a *docActor) catchUp(ctx context.Context) {
	if err := a.catchUpErr(ctx); err != nil {
		a.e.log.Warn("catch-up failed", "doc", a.id, "v", a.v, "err", err)
	}
}

func (a *docActor) catchUpErr(ctx context.Context) error {
	recs, err := a.e.cfg.Store.Ops(ctx, a.id, a.v, -1)
	if err != nil {
		return fmt.Errorf("read ops from %d: %w", a.v, err)
	}
	if m := a.e.cfg.Metrics; m != nil && len(recs) > 0 {
		m.GapFilled(len(recs))
	}
	for _, r := range recs {
		if r.V != a.v {
			return fmt.Errorf("op log of %s has a gap at %d (found %d)", a.id, a.v, r.V)
		}
		var op delta.Delta
		if err := json.Unmarshal(r.Op, &op); err != nil {
			return fmt.Errorf("decode op %d: %w", r.V, err)
		}
		if err := a.advance(r, op); err != nil {
			return err
		}
		a.deliver(encodeOp(r), nil, nil)
	}
	for v := range a.held {
		if v < a.v {
			delete(a.held, v)
		}
	}
	a.maybeSnapshot(ctx)
	return nil
}

// advance applies a committed op to the head.
func (a *docActor) advance(r OpRecord, op delta.Delta) error {
	next := a.text
	if r.Kind == OpEdit {
		if err := delta.Fits(op, a.length); err != nil {
			return fmt.Errorf("committed op %d of %s does not apply: %w", r.V, a.id, err)
		}
		next = next.Compose(op)
	}
	a.advanceTo(r, op, next)
	return nil
}

// advanceTo makes a committed op, which turns the content into next, part
// of the head. An op this node committed was applied when it was prepared:
// applying it again would cost a pass over the whole document.
func (a *docActor) advanceTo(r OpRecord, op delta.Delta, next delta.Gathered) {
	switch r.Kind {
	case OpLock:
		a.locked = true
	case OpUnlock:
		a.locked = false
	default:
		a.text = next
		a.length += op.ChangeLength()
	}
	a.v = r.V + 1
	a.bySrc[srcSeq{r.Src, r.Seq}] = r.V
	a.window.push(committedOp{rec: r, op: op}, a.e.cfg.Window, func(c committedOp) {
		delete(a.bySrc, srcSeq{c.rec.Src, c.rec.Seq})
	})
}

// windowStart is the oldest version whose op is in the window.
func (a *docActor) windowStart() int64 { return a.v - int64(a.window.len()) }

// opWindow holds a doc's most recent committed ops, oldest first, in one
// slice so that the ops since a version are a subslice. An op is appended
// at the end and the oldest dropped from the front by moving a start
// index; the live ops are moved back to the front of the array only when
// it is full, and the array then has room for twice the limit, so a
// commit costs amortised O(1) whatever the size of the window.
type opWindow struct {
	buf   []committedOp // buf[start:] is the window
	start int
}

// ops returns the ops of the window, oldest first. The slice is valid
// until the next push.
func (w *opWindow) ops() []committedOp { return w.buf[w.start:] }

func (w *opWindow) len() int { return len(w.buf) - w.start }

// push appends c and drops the oldest ops beyond limit, calling drop for
// each.
func (w *opWindow) push(c committedOp, limit int, drop func(committedOp)) {
	if len(w.buf) == cap(w.buf) && w.start > 0 {
		live := w.buf[w.start:]
		if cap(w.buf) >= 2*limit {
			n := copy(w.buf, live)
			clear(w.buf[n:]) // the old copies of the moved ops
			w.buf = w.buf[:n]
		} else {
			buf := make([]committedOp, len(live), 2*limit)
			copy(buf, live)
			w.buf = buf
		}
		w.start = 0
	}
	w.buf = append(w.buf, c)
	for w.len() > limit {
		drop(w.buf[w.start])
		w.buf[w.start] = committedOp{}
		w.start++
	}
}

// subscribe registers sub and sends it the snapshot or the catch-up ops.
func (a *docActor) subscribe(sub *Subscription, from *int64) error {
	if from != nil && *from > a.v {
		a.catchUp(a.e.ctx)
		if *from > a.v {
			return Errorf(CodeBadRequest, "version %d is ahead of the document (%d)", *from, a.v)
		}
	}
	if from != nil && *from < 0 {
		return Errorf(CodeBadRequest, "version must not be negative")
	}
	switch {
	case from == nil || a.v-*from > int64(a.e.cfg.CatchUpLimit):
		if !sub.sink(a.encodeSnapshot()) {
			return Errorf(CodeUnavailable, "subscriber queue full")
		}
	default:
		if err := a.sendOps(sub, *from); err != nil {
			return err
		}
		if !sub.sink(mustMarshal(map[string]any{"type": "synced", "doc": a.id, "v": a.v})) {
			return Errorf(CodeUnavailable, "subscriber queue full")
		}
	}
	a.subs[sub] = struct{}{}
	return nil
}

// sendOps sends the ops from version from to the head to one subscriber.
func (a *docActor) sendOps(sub *Subscription, from int64) error {
	if from < a.windowStart() {
		recs, err := a.e.cfg.Store.Ops(a.e.ctx, a.id, from, a.windowStart())
		if err != nil {
			return Wrap(CodeUnavailable, err, "the document history could not be read")
		}
		for _, r := range recs {
			if !sub.sink(encodeOp(r)) {
				return Errorf(CodeUnavailable, "subscriber queue full")
			}
		}
		from = a.windowStart()
	}
	for _, c := range a.window.ops()[from-a.windowStart():] {
		if !sub.sink(encodeOp(c.rec)) {
			return Errorf(CodeUnavailable, "subscriber queue full")
		}
	}
	return nil
}

func (a *docActor) encodeSnapshot() []byte {
	return mustMarshal(struct {
		Type   string      `json:"type"`
		Doc    string      `json:"doc"`
		V      int64       `json:"v"`
		Data   delta.Delta `json:"data"`
		Locked bool        `json:"locked,omitempty"`
	}{"snapshot", a.id, a.v, a.content(), a.locked})
}

func encodeOp(r OpRecord) []byte {
	op := r.Op
	if len(op) == 0 {
		op = json.RawMessage(`{"ops":[]}`)
	}
	return mustMarshal(busOp{Type: "op", Doc: r.Doc, V: r.V, Op: op, Src: r.Src, Seq: r.Seq, By: r.By, Kind: r.Kind})
}

func encodeAck(doc string, v, seq int64) []byte {
	return mustMarshal(ackMsg{Type: "ack", Doc: doc, V: v, Seq: seq})
}

// ackMsg is the protocol's ack. Its type comes first, as in every reply
// (IsReply).
type ackMsg struct {
	Type string `json:"type"`
	Doc  string `json:"doc"`
	V    int64  `json:"v"`
	Seq  int64  `json:"seq"`
}

// ErrorMsg is the protocol's error message: the answer to a request
// about Plan, or to the op with Seq of Doc.
type ErrorMsg struct {
	Type    string  `json:"type"` // "error"
	Code    Code    `json:"code"`
	Message string  `json:"message"`
	Plan    string  `json:"plan,omitempty"`
	Doc     *string `json:"doc,omitempty"`
	Seq     *int64  `json:"seq,omitempty"`
}

// IsReply reports whether msg, as encoded here, is or holds the answer to
// a client's own request (an ack or an error): what the client waits for,
// unlike the broadcasts of others' edits. It looks at the start of each of
// msg's lines (a batch's ops are delivered as one message of lines, with
// the submitter's acks among them), where the encoders put the type.
//
// A document's snapshot (the answer to a subscription, or to falling
// behind) and a plan's list of who is present (the answer to joining it)
// are replies too.
func IsReply(msg []byte) bool {
	if bytes.HasPrefix(msg, []byte(`{"type":"ack"`)) || bytes.HasPrefix(msg, []byte(`{"type":"error"`)) ||
		bytes.HasPrefix(msg, []byte(`{"type":"snapshot"`)) || bytes.HasPrefix(msg, []byte(`{"peers":`)) {
		return true
	}
	// The pattern starts with the newline: one scan, which every push of
	// a shared batch to every subscriber pays.
	return bytes.Contains(msg, []byte("\n{\"type\":\"ack\""))
}

// EncodeError returns the protocol's `error` message for err, answering
// the op with seq of doc when doc is not empty.
func EncodeError(err error, doc string, seq int64) []byte {
	m := ErrorMsg{Type: "error", Code: ErrorCode(err), Message: ErrorMessage(err)}
	if doc != "" {
		m.Doc, m.Seq = &doc, &seq
	}
	return mustMarshal(m)
}

// mustMarshal encodes protocol messages, which are built from plain types
// that always encode.
func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return []byte(`{"type":"error","code":"internal","message":"encoding failed"}`)
	}
	return b
}

// deliver sends msg to every subscriber except skip, and ack to skip.
// Subscribers that cannot take a message are dropped.
func (a *docActor) deliver(msg []byte, skip *Subscription, ack []byte) {
	for s := range a.subs {
		m := msg
		if s == skip {
			m = ack
		}
		if !s.sink(m) {
			delete(a.subs, s)
		}
	}
}

func (r *submitReq) answer(v int64, err error) {
	for _, f := range r.followers {
		f.answer(v, err)
	}
	if err != nil && r.metrics != nil {
		r.metrics.Refused(ErrorCode(err))
	}
	r.followers = nil
	if r.done != nil {
		r.done <- submitResult{v: v, err: err}
	}
	if r.from != nil {
		if err != nil {
			if !r.from.sink(EncodeError(err, r.Doc, r.Seq)) {
				delete(r.from.doc.subs, r.from)
			}
		} else if !r.from.sink(encodeAck(r.Doc, v, r.Seq)) {
			delete(r.from.doc.subs, r.from)
		}
	}
}

// commitBatch commits the queued submissions: resends are acknowledged,
// the rest transformed to the head, validated and inserted in one round
// trip. When another node took the next version first, this node asks for
// a turn, the head catches up (from the bus, or the log) and the remaining
// submissions are transformed again and tried again at once
// (engine_turn.go).
func (a *docActor) commitBatch(ctx context.Context) {
	batch := a.batch
	a.batch = nil
	// A lock marker may not lose for ever to another node that keeps
	// committing: it gets ten times the attempts.
	limit := a.e.cfg.CommitAttempts
	if slices.ContainsFunc(batch, func(r *submitReq) bool { return r.kind != "" }) {
		limit *= 10
	}
	lost := int64(-1) // the version of the last race lost
	for attempt := 0; len(batch) > 0; attempt++ {
		if attempt >= limit {
			for _, r := range batch {
				r.answer(0, Errorf(CodeStale, "the document is changing too fast; resubscribe and resend"))
			}
			return
		}
		if attempt > 0 {
			a.afterLoss(ctx, lost, attempt)
		}
		p, later := a.prepare(ctx, batch)
		recs, reqs := p.recs, p.reqs
		// Submissions behind a lock marker are decided once the marker
		// is stored (refused as locked) or has lost (taken as usual).
		a.batch = append(later, a.batch...)
		if len(recs) == 0 {
			return
		}
		start := time.Now()
		n, err := a.e.cfg.Store.CommitOps(ctx, recs)
		took := time.Since(start)
		a.commitDur = (3*a.commitDur + took) / 4
		if m := a.e.cfg.Metrics; m != nil && n > 0 {
			m.Committed(n, took)
		}
		if n > 0 {
			a.committedBatch(ctx, recs[:n], p.ops[:n], p.text[:n], reqs[:n])
		}
		if n > 0 {
			a.lastMine = time.Now()
			a.maybeSnapshot(ctx)
		}
		batch = reqs[n:]
		if err == nil {
			return
		}
		if !errors.Is(err, ErrDuplicate) {
			a.e.log.Error("commit failed", "doc", a.id, "v", a.v, "err", err)
			for _, r := range batch {
				r.answer(0, Wrap(CodeUnavailable, err, "the edit could not be saved; it will be resent"))
			}
			// The outcome may be unknown: read the log before the next commit.
			a.catchUp(ctx)
			return
		}
		// Another node took version recs[n].V (or, rarely, committed one
		// of these ops as a resend): the next prepare finds out which.
		lost = recs[n].V
		a.requestTurn(ctx, lost)
	}
}

// prepared is a batch ready to be committed: the records at consecutive
// versions from the head, with the request, the transformed op and the
// content after the op of each.
type prepared struct {
	recs []OpRecord
	reqs []*submitReq
	ops  []delta.Delta
	text []delta.Gathered
}

func (p *prepared) add(rec OpRecord, r *submitReq, op delta.Delta, text delta.Gathered) {
	p.recs = append(p.recs, rec)
	p.reqs = append(p.reqs, r)
	p.ops = append(p.ops, op)
	p.text = append(p.text, text)
}

// prepare answers resends and invalid submissions and returns the rest,
// prepared, and the submissions left for the next round (those after a
// lock marker of this batch).
func (a *docActor) prepare(ctx context.Context, batch []*submitReq) (prepared, []*submitReq) {
	for _, r := range batch {
		if r.V > a.v {
			// A client may know versions this node has not heard of yet.
			a.catchUp(ctx)
			break
		}
	}
	// The batch is prepared on the head as it is after the catch-up.
	var (
		p       prepared
		text    = a.text
		length  = a.length
		locked  = a.locked
		inBatch = map[srcSeq]*submitReq{}
		now     = a.e.cfg.Now().UTC().Truncate(time.Millisecond)
	)
	for i, r := range batch {
		head := a.v + int64(len(p.recs))
		if locked && !a.locked && len(p.recs) > 0 && p.recs[len(p.recs)-1].Kind == OpLock {
			// A lock marker of this batch is not stored yet: what follows
			// it waits for the next round.
			return p, batch[i:]
		}
		if r.kind != "" {
			if (r.kind == OpLock) == locked {
				// Already so: a lock answers the version of the marker
				// in force (nothing commits after it), an unlock the head.
				if locked {
					head--
				}
				r.answer(head, nil)
				continue
			}
			locked = r.kind == OpLock
			p.add(OpRecord{Doc: a.id, V: head, Kind: r.kind, Src: r.kind.markerSrc(head),
				By: r.By, At: now, Op: json.RawMessage(`{"ops":[]}`)}, r, delta.Delta{}, text)
			continue
		}
		if first := inBatch[srcSeq{r.Src, r.Seq}]; first != nil {
			// The same op sent twice (a reconnect raced the first send):
			// answered together with the first.
			first.followers = append(first.followers, r)
			continue
		}
		if v, ok, err := a.findResend(ctx, r); err != nil {
			r.answer(0, err)
			continue
		} else if ok {
			if m := a.e.cfg.Metrics; m != nil {
				m.Resent()
			}
			a.republish(ctx, v)
			r.answer(v, nil)
			continue
		}
		if r.Guard != nil && a.guardTouched(r, p.ops) {
			r.answer(0, Errorf(CodeConflict, "the text this change replaces has been edited since; it is outdated"))
			continue
		}
		op, err := a.rebase(r, p.ops)
		if err != nil {
			r.answer(0, err)
			continue
		}
		if locked {
			r.answer(0, Errorf(CodeLocked, "the plan is locked; the edit was not saved"))
			continue
		}
		// Validated after the transform, against the text it will apply
		// to: formats, links, surrogate pairs, fit and normal form.
		checked, err := validateText(a.e.check, text, op, length)
		text = checked // the same content, perhaps composed for the check
		if err != nil {
			r.answer(0, Wrap(CodeBadOp, err, "the edit is not valid: "+err.Error()))
			continue
		}
		if length+op.ChangeLength() > a.e.cfg.MaxDocLength {
			r.answer(0, Errorf(CodeTooLarge, "the section would be longer than %d characters", a.e.cfg.MaxDocLength))
			continue
		}
		raw, err := json.Marshal(op)
		if err != nil {
			r.answer(0, Wrap(CodeBadOp, err, "the edit could not be encoded"))
			continue
		}
		// Validate has made every check of delta.Apply (a document base,
		// positive lengths, no embed retains, within the text's length):
		// the op is composed without another pass over the text.
		text, length = text.Compose(op), length+op.ChangeLength()
		inBatch[srcSeq{r.Src, r.Seq}] = r
		p.add(OpRecord{Doc: a.id, V: head, Src: r.Src, Seq: r.Seq, By: r.By, At: now, Op: raw}, r, op, text)
	}
	return p, nil
}

// markerSrc gives each marker a unique source, so (doc, src, seq) stays
// unique across markers.
func (k OpKind) markerSrc(v int64) string { return fmt.Sprintf("%s@%d", k, v) }

// findResend reports whether (doc, src, seq) is already committed, and at
// which version. Such an op was committed at a version >= the version it
// was made on, so the window holds it when its version is in the window;
// older ones are looked up in the store.
func (a *docActor) findResend(ctx context.Context, r *submitReq) (int64, bool, error) {
	if r.V >= a.v {
		return 0, false, nil
	}
	if v, ok := a.bySrc[srcSeq{r.Src, r.Seq}]; ok {
		return v, true, nil
	}
	if r.V >= a.windowStart() {
		return 0, false, nil
	}
	rec, ok, err := a.e.cfg.Store.OpBySource(ctx, a.id, r.Src, r.Seq)
	if err != nil {
		return 0, false, Wrap(CodeUnavailable, err, "the document history could not be read")
	}
	return rec.V, ok, nil
}

// rebase transforms a submission made on version r.V over the committed ops
// since r.V and the ops already prepared in this batch: committed ops win
// ties, exactly as the client transforms its pending ops over theirs.
func (a *docActor) rebase(r *submitReq, prepared []delta.Delta) (delta.Delta, error) {
	switch {
	case r.V > a.v:
		return delta.Delta{}, Errorf(CodeBadRequest, "version %d is ahead of the document (%d); resubscribe", r.V, a.v)
	case r.V < 0:
		return delta.Delta{}, Errorf(CodeBadRequest, "version must not be negative")
	case r.V < a.windowStart():
		return delta.Delta{}, Errorf(CodeStale, "the edit was made on version %d, too far behind %d; resubscribe and resend", r.V, a.v)
	}
	op := r.Op
	for _, c := range a.window.ops()[r.V-a.windowStart():] {
		op = c.op.Transform(op, true)
	}
	for _, p := range prepared {
		op = p.Transform(op, true)
	}
	return op, nil
}

// committed makes a committed op part of the head, publishes it and
// delivers it: the ack to its submitter, the op to everyone else.
func (a *docActor) committed(ctx context.Context, rec OpRecord, op delta.Delta, text delta.Gathered, r *submitReq) {
	a.advanceTo(rec, op, text)
	msg := encodeOp(rec)
	a.publishRaw(ctx, msg, rec)
	a.deliver(msg, r.from, encodeAck(a.id, rec.V, rec.Seq))
	if r.done != nil {
		r.done <- submitResult{v: rec.V}
	}
	for _, f := range r.followers {
		f.answer(rec.V, nil)
	}
}

// deliverChunk bounds the size of the messages a batch's ops are joined
// into, well under the protocol's frame (wsFrameBytes in the server).
const deliverChunk = 256 << 10

// committedBatch is committed for the ops of one commit, delivered
// together: each subscriber gets the batch's ops as one message of lines
// (the protocol's frames carry messages separated by newlines), with an
// ack in place of each of its own ops — the same messages in the same
// order as op by op, but one push per subscriber and batch instead of one
// per op, and the lines of everyone who submitted nothing encoded once.
// A batch with repeated submissions (followers) goes op by op.
func (a *docActor) committedBatch(ctx context.Context, recs []OpRecord, ops []delta.Delta, texts []delta.Gathered, reqs []*submitReq) {
	if len(recs) == 1 || slices.ContainsFunc(reqs, func(r *submitReq) bool { return len(r.followers) > 0 }) {
		for i := range recs {
			a.committed(ctx, recs[i], ops[i], texts[i], reqs[i])
		}
		return
	}
	msgs := make([][]byte, len(recs))
	var own map[*Subscription][]int // the batch's ops of each submitter
	for i, rec := range recs {
		a.advanceTo(rec, ops[i], texts[i])
		msgs[i] = encodeOp(rec)
		a.publishRaw(ctx, msgs[i], rec)
		if from := reqs[i].from; from != nil {
			if own == nil {
				own = map[*Subscription][]int{}
			}
			own[from] = append(own[from], i)
		}
	}
	shared := joinLines(msgs)
	for s := range a.subs {
		chunks := shared
		if idx := own[s]; idx != nil {
			mine := slices.Clone(msgs)
			for _, i := range idx {
				mine[i] = encodeAck(a.id, recs[i].V, recs[i].Seq)
			}
			chunks = joinLines(mine)
		}
		for _, c := range chunks {
			if !s.sink(c) {
				delete(a.subs, s)
				break
			}
		}
	}
	for i, r := range reqs {
		if r.done != nil {
			r.done <- submitResult{v: recs[i].V}
		}
	}
}

// joinLines joins msgs with newlines into messages of at most deliverChunk
// bytes (a larger one alone).
func joinLines(msgs [][]byte) [][]byte {
	var out [][]byte
	for len(msgs) > 0 {
		n, size := 1, len(msgs[0])
		for n < len(msgs) && size+1+len(msgs[n]) <= deliverChunk {
			size += 1 + len(msgs[n])
			n++
		}
		if n == 1 {
			out = append(out, msgs[0])
		} else {
			out = append(out, bytes.Join(msgs[:n], []byte{'\n'}))
		}
		msgs = msgs[n:]
	}
	return out
}

// republish publishes a committed op again: the node that committed it may
// have died between the commit and the publish.
func (a *docActor) republish(ctx context.Context, v int64) {
	if v >= a.windowStart() {
		c := a.window.ops()[v-a.windowStart()]
		a.publishRaw(ctx, encodeOp(c.rec), c.rec)
	}
}

// publishRaw publishes the committed op rec, whose message to clients is
// msg (encodeOp).
func (a *docActor) publishRaw(ctx context.Context, msg []byte, rec OpRecord) {
	if a.busDown() {
		return
	}
	if data, ok := busCopy(a.e.own, msg, rec); ok {
		a.publishData(ctx, rec.V, data)
		return
	}
	at := rec.At
	a.publish(ctx, &busOp{Type: "op", Doc: rec.Doc, V: rec.V, Op: rec.Op, Src: rec.Src, Seq: rec.Seq, By: rec.By, Kind: rec.Kind, At: &at})
}

// busCopy returns the bus message of the committed op rec made from its
// message to clients, msg, without encoding the op again: own (the node's
// name) in front, and the commit time, for the bus-lag metric, at the end.
// It is the busOp of rec with both set. false for a marker without an op,
// whose message to clients differs from its busOp.
func busCopy(own, msg []byte, rec OpRecord) ([]byte, bool) {
	if len(rec.Op) == 0 || len(msg) < 2 || msg[0] != '{' || msg[len(msg)-1] != '}' {
		return nil, false
	}
	at, err := rec.At.MarshalJSON()
	if err != nil {
		return nil, false
	}
	data := make([]byte, 0, len(own)+len(msg)+len(at)+6)
	data = append(data, own...)
	data = append(data, msg[1:len(msg)-1]...)
	data = append(data, `,"at":`...)
	data = append(data, at...)
	return append(data, '}'), true
}

func (a *docActor) publish(ctx context.Context, m *busOp) {
	if a.busDown() {
		return
	}
	m.Node = a.e.node
	a.publishData(ctx, m.V, mustMarshal(m))
}

// busDown reports whether publishing is paused after a failure.
func (a *docActor) busDown() bool { return time.Now().UnixNano() < a.e.busDownUntil.Load() }

// publishData publishes data, a message about version v, on the doc's
// channel.
func (a *docActor) publishData(ctx context.Context, v int64, data []byte) {
	pctx, cancel := context.WithTimeout(ctx, 250*time.Millisecond)
	defer cancel()
	if err := a.e.cfg.Bus.Publish(pctx, DocChannel(a.id), data); err != nil {
		// Other nodes fill the gap from the log: on the next op, the
		// beacon, or their resync when the bus is back.
		a.e.busDownUntil.Store(time.Now().Add(time.Second).UnixNano())
		a.e.log.Warn("publish failed; pausing publishes for a second", "doc", a.id, "v", v, "err", err)
	}
}

// fromBus handles a message from the doc's bus channel: ops of other nodes
// (own ones are already applied and dropped as old) and head beacons.
func (a *docActor) fromBus(data []byte) {
	if bytes.HasPrefix(data, a.e.own) {
		return
	}
	var m busOp
	if err := json.Unmarshal(data, &m); err != nil || m.Doc != a.id {
		a.e.log.Warn("bad bus message", "doc", a.id, "err", err)
		return
	}
	switch m.Type {
	case "head":
		if m.V > a.v {
			a.waitForGap()
		}
		return
	case "turn":
		a.grantTurn(&m)
		return
	case "op":
	default:
		return
	}
	if m.V < a.v {
		return // a duplicate or our own op
	}
	if m.V > a.v {
		a.held[m.V] = &m
		a.waitForGap()
		return
	}
	for next := &m; next != nil; next = a.held[a.v] {
		delete(a.held, next.V)
		if !a.applyBusOp(next) {
			a.catchUp(a.e.ctx)
			return
		}
	}
	if len(a.held) == 0 && a.gapC != nil {
		a.gapTimer.Stop()
		a.gapC = nil
	}
	a.maybeSnapshot(a.e.ctx)
}

// applyBusOp applies an op received from another node at the head.
func (a *docActor) applyBusOp(m *busOp) bool {
	var op delta.Delta
	if err := json.Unmarshal(m.Op, &op); err != nil {
		return false
	}
	rec := OpRecord{Doc: m.Doc, V: m.V, Kind: m.Kind, Src: m.Src, Seq: m.Seq, By: m.By, Op: m.Op}
	if m.At != nil {
		rec.At = *m.At
		if mt := a.e.cfg.Metrics; mt != nil {
			mt.BusLag(time.Since(*m.At))
		}
	}
	if err := a.advance(rec, op); err != nil {
		a.e.log.Warn("bus op does not apply; reading the log", "doc", a.id, "err", err)
		return false
	}
	a.deliver(encodeOp(rec), nil, nil)
	return true
}

// waitForGap fills a gap from the log after GapWait, unless the missing
// ops arrive first.
func (a *docActor) waitForGap() {
	if a.gapC != nil {
		return
	}
	if a.gapTimer == nil {
		a.gapTimer = time.NewTimer(a.e.cfg.GapWait)
	} else {
		a.gapTimer.Reset(a.e.cfg.GapWait)
	}
	a.gapC = a.gapTimer.C
}

// maybeSnapshot stores a milestone snapshot when SnapshotEvery ops have
// passed since the last one. Snapshots are caches; a failure is logged.
func (a *docActor) maybeSnapshot(ctx context.Context) {
	if a.v-a.snapV < int64(a.e.cfg.SnapshotEvery) {
		return
	}
	data, err := json.Marshal(snapshotData{Delta: a.content(), Locked: a.locked})
	if err == nil {
		err = a.e.cfg.Store.SaveSnapshot(ctx, SnapshotRecord{Doc: a.id, V: a.v, Data: data, At: a.e.cfg.Now().UTC()})
	}
	if err != nil {
		a.e.log.Warn("snapshot not saved", "doc", a.id, "v", a.v, "err", err)
		return
	}
	a.snapV = a.v
}
