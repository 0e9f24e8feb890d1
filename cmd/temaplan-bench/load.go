package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/delta"
)

// Load is what the Lite clients of one scenario share: the registry of
// senders (for latency lookups), a Witness per document, the statistics of
// the step being measured, and counters.
type Load struct {
	senders   sync.Map // client id → *Lite
	witnesses sync.Map // doc → *Witness
	step      atomic.Pointer[StepStats]

	errors                     Counts
	acks, received, reconnects atomic.Int64

	wg sync.WaitGroup // the clients' reader goroutines

	mu      sync.Mutex
	clients []*Lite
}

func (ld *Load) register(l *Lite) {
	ld.senders.Store(l.cfg.ID, l)
	if l.cfg.Doc != "" {
		ld.witnesses.LoadOrStore(l.cfg.Doc, NewWitness())
	}
	ld.mu.Lock()
	ld.clients = append(ld.clients, l)
	ld.mu.Unlock()
}

func (ld *Load) sender(id string) *Lite {
	if v, ok := ld.senders.Load(id); ok {
		return v.(*Lite)
	}
	return nil
}

func (ld *Load) witness(doc string) *Witness {
	if v, ok := ld.witnesses.Load(doc); ok {
		return v.(*Witness)
	}
	return nil
}

// Clients returns every client dialled so far.
func (ld *Load) Clients() []*Lite {
	ld.mu.Lock()
	defer ld.mu.Unlock()
	return slices.Clone(ld.clients)
}

// Authors returns the authors among the clients.
func (ld *Load) Authors() []*Lite {
	var out []*Lite
	for _, l := range ld.Clients() {
		if l.cfg.Author {
			out = append(out, l)
		}
	}
	return out
}

// SetTyping starts or stops every author.
func (ld *Load) SetTyping(on bool) {
	for _, l := range ld.Authors() {
		l.SetTyping(on)
	}
}

// Close closes every client and waits for their readers.
func (ld *Load) Close() {
	for _, l := range ld.Clients() {
		l.Close()
	}
	ld.wg.Wait()
}

// StepStats are the latencies of one measured step. Clients record into
// the step that is current when a message arrives; between steps there
// is none.
type StepStats struct {
	// Ack: from an op's first send to its ack. Bcast: from an op's send to
	// its arrival at another client, split by whether sender and receiver
	// are on the same node.
	Ack, Bcast, BcastSame, BcastCross Hist
	// Presence: from a cursor move to its arrival at another client of the
	// plan. CommentEvent: from the start of POST …/comments to the
	// comment.added event at another client; CommentPost: the POST itself.
	Presence, CommentEvent, CommentPost Hist
	groups                              []*GroupStats
}

// GroupStats are the latencies of one group of clients (a plan).
type GroupStats struct{ Ack, Bcast Hist }

// NewStepStats returns the statistics of a step with n groups.
func NewStepStats(n int) *StepStats {
	s := &StepStats{groups: make([]*GroupStats, n)}
	for i := range s.groups {
		s.groups[i] = &GroupStats{}
	}
	return s
}

func (s *StepStats) group(i int) *GroupStats {
	if s == nil || i < 0 || i >= len(s.groups) {
		return nil
	}
	return s.groups[i]
}

// Window is one measured interval: the counters and CPU time at its start.
type Window struct {
	start             time.Time
	acks, received    int64
	serverCPU         []time.Duration
	commits           []commitCounters
	benchCPU          time.Duration
	stats             *StepStats
	ld                *Load
	cl                *Cluster
	errorsAtStart     map[string]int
	reconnectsAtStart int64
	profiling         sync.WaitGroup
}

// StartWindow makes stats current and notes the counters. With a profile
// directory set (-profile), it also records a CPU profile of every node
// over the window, lasting d.
func (ld *Load) StartWindow(cl *Cluster, stats *StepStats, prof Profile, d time.Duration) *Window {
	w := &Window{start: time.Now(), stats: stats, ld: ld, cl: cl,
		acks: ld.acks.Load(), received: ld.received.Load(),
		errorsAtStart: ld.errors.Map(), reconnectsAtStart: ld.reconnects.Load()}
	w.serverCPU = cl.CPU()
	w.commits = cl.commitCounters(context.Background())
	w.benchCPU = selfCPU()
	ld.step.Store(stats)
	if prof.Dir != "" {
		for _, n := range cl.Nodes {
			w.profiling.Go(func() { prof.fetch(n, d) })
		}
	}
	return w
}

// WindowResult is what a window measured, common to the load scenarios.
type WindowResult struct {
	Seconds float64 `json:"duration_s"`
	// Acked counts the ops acknowledged (durably committed), and
	// OpsPerS is that per second; Delivered counts the op broadcasts
	// clients received, DeliveredPerS that per second.
	Acked         int64          `json:"acked"`
	OpsPerS       float64        `json:"ops_per_s"`
	Delivered     int64          `json:"delivered"`
	DeliveredPerS float64        `json:"delivered_per_s"`
	Ack           LatencySummary `json:"ack"`
	Bcast         LatencySummary `json:"broadcast"`
	Errors        map[string]int `json:"errors,omitempty"`
	Reconnects    int64          `json:"reconnects"`
	Server        []NodeStats    `json:"server"`
	// BenchCPU is the cores the bench itself used: near 1 on two cores
	// with -taskset, or near the machine's count, means the bench may be
	// what limits the figures.
	BenchCPU float64 `json:"bench_cpu_cores"`
}

// End ends the window (no step is current any more) and returns its
// figures.
func (w *Window) End(ctx context.Context) WindowResult {
	w.ld.step.Store(nil)
	d := time.Since(w.start)
	acks, recv := w.ld.acks.Load()-w.acks, w.ld.received.Load()-w.received
	res := WindowResult{
		Seconds: round(d.Seconds(), 3),
		Acked:   acks, OpsPerS: perSecond(int(acks), d),
		Delivered: recv, DeliveredPerS: perSecond(int(recv), d),
		Ack:        w.stats.Ack.Summary(),
		Bcast:      w.stats.Bcast.Summary(),
		Errors:     diffCounts(w.ld.errors.Map(), w.errorsAtStart),
		Reconnects: w.ld.reconnects.Load() - w.reconnectsAtStart,
		BenchCPU:   round((selfCPU()-w.benchCPU).Seconds()/d.Seconds(), 2),
	}
	res.Server = w.cl.Stats(ctx, w.serverCPU, d, false)
	addCommits(res.Server, w.commits, w.cl.commitCounters(ctx), d)
	w.profiling.Wait()
	return res
}

func diffCounts(now, before map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range now {
		if d := v - before[k]; d > 0 {
			out[k] = d
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Settled is the outcome of Settle: whether every client of the load
// ended at its document's head with nothing pending, having seen every
// version once and in order, in agreement with every other client.
type Settled struct {
	Converged bool `json:"converged"`
	Clients   int  `json:"clients"`
	// Behind counts clients not at the head, Pending authors with ops not
	// acknowledged, when the deadline passed.
	Behind  int `json:"behind"`
	Pending int `json:"pending"`
	// Gaps and Repeats count versions clients missed or saw twice on one
	// connection; Mismatches the times a client saw another op at a
	// version than the others did.
	Gaps       int `json:"gaps"`
	Repeats    int `json:"repeats"`
	Mismatches int `json:"mismatches"`
	// Verified counts the documents whose text a full client compared
	// with every node's; Problems says what did not hold.
	Verified int `json:"verified_docs"`
	// VerifierReconnects counts the full clients reconnected because
	// they stood still halfway to the deadline (a reader the server
	// dropped as too slow while the bench was starved of CPU; the full
	// client, unlike a browser tab, does not reconnect by itself).
	VerifierReconnects int      `json:"verifier_reconnects,omitempty"`
	Problems           []string `json:"problems,omitempty"`
	Seconds            float64  `json:"settle_s"`
}

func (s *Settled) problemf(format string, args ...any) {
	if len(s.Problems) < 20 {
		s.Problems = append(s.Problems, fmt.Sprintf(format, args...))
	}
}

// Settle stops the typing and waits, up to timeout, until every author
// has its ops acknowledged and every client is at its document's head
// (the highest version any client of the document has seen, which is the
// last op's: its author saw the ack). Then each verifier (a full client
// per document) must have the same text as every node.
func (ld *Load) Settle(ctx context.Context, cl *Cluster, token func() string, verifiers map[string]*Tab, plans map[string]string, timeout time.Duration) Settled {
	start := time.Now()
	ld.SetTyping(false)
	res := Settled{}
	clients := ld.Clients()
	res.Clients = len(clients)
	heads := func() map[string]int64 {
		h := map[string]int64{}
		for _, l := range clients {
			if l.cfg.Doc != "" {
				h[l.cfg.Doc] = max(h[l.cfg.Doc], l.State().Next)
			}
		}
		return h
	}
	settled := func(h map[string]int64) bool {
		for _, l := range clients {
			s := l.State()
			if l.cfg.Doc != "" && (s.Pending || !s.Ready || s.Next != h[l.cfg.Doc]) {
				return false
			}
		}
		return true
	}
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	h := heads()
wait:
	for !settled(h) {
		select {
		case <-ctx.Done():
			break wait
		case <-deadline.C:
			break wait
		case <-tick.C:
			h = heads()
		}
	}
	for _, l := range clients {
		s := l.State()
		res.Gaps += s.Gaps
		res.Repeats += s.Repeats + s.Strange
		if l.cfg.Doc == "" {
			continue
		}
		if s.Pending {
			res.Pending++
		}
		if !s.Ready || s.Next != h[l.cfg.Doc] {
			res.Behind++
			if res.Behind <= 3 {
				res.problemf("client %s is at version %d of %s, the head is %d", l.cfg.ID, s.Next, l.cfg.Doc, h[l.cfg.Doc])
			}
		}
	}
	ld.witnesses.Range(func(_, v any) bool {
		res.Mismatches += int(v.(*Witness).Mismatches.Load())
		return true
	})
	if res.Pending > 0 {
		res.problemf("%d authors still had ops unacknowledged after %s", res.Pending, timeout)
	}
	if res.Gaps+res.Repeats+res.Mismatches > 0 {
		res.problemf("versions missed %d, seen twice %d, disagreeing %d", res.Gaps, res.Repeats, res.Mismatches)
	}
	// The full clients: at the head, with every node's text.
	vctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for doc, t := range verifiers {
		if _, v := t.Client.Content(doc); v < h[doc] {
			// Half the time to reach the head; then, if it has not moved,
			// a reconnect (it resubscribes at its version and catches up
			// from the log), and the other half.
			wctx, wcancel := context.WithTimeout(vctx, timeout/2)
			err := t.Client.WaitVersion(wctx, doc, h[doc])
			wcancel()
			if _, now := t.Client.Content(doc); err != nil && now == v && vctx.Err() == nil {
				if err := t.Client.Reconnect(vctx); err == nil {
					res.VerifierReconnects++
				}
			}
		}
		if err := verifyText(vctx, cl, token, t, plans[doc], doc, h[doc]); err != nil {
			res.problemf("%v", err)
			continue
		}
		res.Verified++
	}
	res.Converged = res.Behind == 0 && res.Pending == 0 && res.Gaps == 0 && res.Repeats == 0 &&
		res.Mismatches == 0 && res.Verified == len(verifiers)
	res.Seconds = round(time.Since(start).Seconds(), 3)
	return res
}

// verifyText waits until the full client t has doc at version head and
// compares its text with every node's copy at that version.
func verifyText(ctx context.Context, cl *Cluster, token func() string, t *Tab, plan, doc string, head int64) error {
	if err := t.Client.WaitVersion(ctx, doc, head); err != nil {
		_, v := t.Client.Content(doc)
		return fmt.Errorf("verifier of %s is at version %d, not %d: %w", doc, v, head, err)
	}
	text, v := t.Client.Content(doc)
	if v != head {
		return fmt.Errorf("verifier of %s is at version %d, past the head %d the clients know", doc, v, head)
	}
	for _, n := range cl.Nodes {
		nv, ntext, err := nodeAt(ctx, NewAPI(n.URL(""), token), plan, doc, head)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", n.Name, doc, err)
		}
		if nv != v || !ntext.Equal(text) {
			return fmt.Errorf("%s has %s at version %d differing from the verifier's (version %d): %s", n.Name, doc, nv, v, describeDiff(text, ntext))
		}
	}
	return nil
}

// StoreCheck is the check of the documents' op logs in the store against
// the clients: every op acknowledged to an author is stored exactly once,
// the logs are gapless, and the clients saw exactly the stored ops.
type StoreCheck struct {
	Docs       int          `json:"docs"`
	Acked      int          `json:"acked"`
	LogOps     int          `json:"log_ops"`
	Lost       int          `json:"lost"`
	Duplicated int          `json:"duplicated"`
	Gaps       int          `json:"log_gaps"`
	Witness    WitnessCheck `json:"witness"`
	// ReplayOK says whether each verified document's log replays to the
	// verifier's text.
	ReplayOK bool     `json:"log_replay_matches"`
	Problems []string `json:"problems,omitempty"`
}

// OK reports whether the store agrees with the clients.
func (c *StoreCheck) OK() bool {
	return c.Lost == 0 && c.Duplicated == 0 && c.Gaps == 0 && c.Witness.OK() && c.ReplayOK
}

// CheckStore reads every document's op log and checks it. Call it once the
// clients are settled (the nodes may still run: SQLite in WAL mode takes a
// second reader, and FerretDB is a server).
func (ld *Load) CheckStore(ctx context.Context, st collab.OpStore, verifiers map[string]*Tab) (StoreCheck, error) {
	res := StoreCheck{ReplayOK: true}
	acked := map[string][]OpID{}
	ids := map[string]bool{}
	for _, l := range ld.Authors() {
		acked[l.cfg.Doc] = append(acked[l.cfg.Doc], l.Acked()...)
		ids[l.cfg.ID] = true
	}
	var docs []string
	ld.witnesses.Range(func(k, _ any) bool {
		docs = append(docs, k.(string))
		return true
	})
	slices.Sort(docs)
	res.Docs = len(docs)
	for _, doc := range docs {
		recs, err := st.Ops(ctx, doc, 0, -1)
		if err != nil {
			return res, fmt.Errorf("read the op log of %s: %w", doc, err)
		}
		res.LogOps += len(recs)
		res.Acked += len(acked[doc])
		chk := CheckLog(acked[doc], recs, ids)
		res.Lost += len(chk.Lost)
		res.Duplicated += len(chk.Duplicated)
		res.Gaps += chk.Gaps
		if len(chk.Lost)+len(chk.Duplicated) > 0 && len(res.Problems) < 10 {
			res.Problems = append(res.Problems, fmt.Sprintf("%s: lost %v, duplicated %v", doc, chk.Lost[:min(5, len(chk.Lost))], chk.Duplicated[:min(5, len(chk.Duplicated))]))
		}
		w := CheckWitness(ld.witness(doc), recs)
		res.Witness.Checked += w.Checked
		res.Witness.Differ += w.Differ
		res.Witness.Unseen += w.Unseen
		res.Witness.Phantom += w.Phantom
		res.Witness.Mismatches += w.Mismatches
		if !w.OK() && len(res.Problems) < 10 {
			res.Problems = append(res.Problems, fmt.Sprintf("%s: %s", doc, w))
		}
		if t := verifiers[doc]; t != nil {
			text, _ := t.Client.Content(doc)
			replayed, err := ReplayLog(recs)
			if err != nil || !replayed.Equal(text) {
				res.ReplayOK = false
				if len(res.Problems) < 10 {
					res.Problems = append(res.Problems, fmt.Sprintf("%s: the log does not replay to the verifier's text (%v)", doc, replayErr(err, text, replayed)))
				}
			}
		}
	}
	return res, nil
}

func replayErr(err error, want, got delta.Delta) string {
	if err != nil {
		return err.Error()
	}
	return describeDiff(want, got)
}

// DialAll dials the clients of cfgs, with at most par dials at a time, and
// waits until each has its snapshot.
func (ld *Load) DialAll(ctx context.Context, cfgs []LiteConfig, par int) ([]*Lite, error) {
	out := make([]*Lite, len(cfgs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(par)
	for i, c := range cfgs {
		g.Go(func() error {
			l, err := DialLite(gctx, ld, c)
			out[i] = l
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return out, err
	}
	return out, waitReady(ctx, out, time.Minute)
}

// waitReady waits until every client has its snapshot.
func waitReady(ctx context.Context, ls []*Lite, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		waiting := 0
		for _, l := range ls {
			if l != nil && !l.Ready() {
				waiting++
			}
		}
		if waiting == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d of %d clients have no snapshot after %s", waiting, len(ls), timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// TypeLoop presses 1–4 keys every interval (±25 %, from a random start)
// on l until ctx ends; with pauses, now and then it stops for 2–8 s, as a
// person thinking does. Keys pressed while the scenario has stopped the
// typing are not typed.
func TypeLoop(ctx context.Context, l *Lite, interval time.Duration, pauses bool, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x7e))
	timer := time.NewTimer(time.Duration(rng.Int64N(int64(interval) + 1)))
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		l.Type(1 + rng.IntN(4))
		next := interval*3/4 + time.Duration(rng.Int64N(int64(interval)/2+1))
		if pauses && rng.IntN(40) == 0 {
			next += 2*time.Second + time.Duration(rng.Int64N(int64(6*time.Second)))
		}
		timer.Reset(next)
	}
}
