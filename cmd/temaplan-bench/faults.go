package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// FaultLine is the JSON line of one fault (and of the end of a drill,
// fault "end"): the checks after it, over everything typed so far.
type FaultLine struct {
	Scenario string `json:"scenario"`
	Drill    string `json:"drill"`
	Step     int    `json:"step"`
	Fault    string `json:"fault"`
	// Acked counts the ops acknowledged so far; Lost and Duplicated those
	// of them not in the store, or in it more than once. Converged says
	// every tab and every node has the same text, which the op log
	// replays to.
	Acked      int  `json:"acked"`
	Lost       int  `json:"lost"`
	Duplicated int  `json:"duplicated"`
	Converged  bool `json:"converged"`
	// RecoveryMS is the time from the fault until every tab had an op it
	// sent after the fault acknowledged; -1 if some tab did not within
	// -recovery-timeout (Problems names it).
	RecoveryMS float64 `json:"recovery_ms"`
	// Typed counts the edits typed so far; Reconnects the tabs' reconnects
	// and ResentAfterDrop those with an op unacknowledged when the
	// connection went (its resend must be stored once); UnackedInLog the
	// stored ops no tab was told about.
	Typed           int64          `json:"typed"`
	Reconnects      int            `json:"reconnects"`
	ResentAfterDrop int            `json:"reconnects_with_unacked"`
	UnackedInLog    int            `json:"unacked_in_log"`
	Gaps            int            `json:"log_gaps"`
	ReplayOK        bool           `json:"log_replay_matches"`
	AckP99          float64        `json:"ack_p99_ms"`
	Errors          map[string]int `json:"errors,omitempty"`
	Server          []NodeStats    `json:"server"`
	Taskset         bool           `json:"taskset"`
	Problems        []string       `json:"problems,omitempty"`
}

// OK reports whether the guarantees held at this check. A slow recovery
// is reported, not judged: a tab that never recovers does not converge.
func (f *FaultLine) OK() bool {
	return f.Converged && f.Lost == 0 && f.Duplicated == 0 && f.Gaps == 0 && f.ReplayOK
}

// FaultsSummary is the last line of the faults scenario.
type FaultsSummary struct {
	Scenario   string   `json:"scenario"`
	Summary    bool     `json:"summary"`
	Drills     []string `json:"drills"`
	Faults     int      `json:"faults"`
	Typed      int64    `json:"typed"`
	Acked      int      `json:"acked"`
	Lost       int      `json:"lost"`
	Duplicated int      `json:"duplicated"`
	Converged  bool     `json:"converged"`
	// MaxRecoveryMS is the longest recovery of any fault.
	MaxRecoveryMS float64 `json:"max_recovery_ms"`
	Machine
	TotalS float64 `json:"total_s"`
}

// fault is one fault of a drill: inject breaks something while the tabs
// type, and repairs what the drill needs repaired, as an operator or a
// load balancer would.
type fault struct {
	name   string
	inject func(ctx context.Context, d *drill) error
}

// runFaults is the faults scenario. In each drill of -faults, -clients
// tabs of the leader type -ops edits between them (shared among the
// drills) into one section of the demo plan while faults happen:
//
//   - multi: two nodes on FerretDB and Redis, tabs spread over both. Kill
//     node-2 with SIGKILL (its tabs reconnect to node-1; node-2 is started
//     again and half its tabs go back), kill and restart redis-server,
//     kill and restart FerretDB.
//   - single: one node on SQLite. Kill it with SIGKILL and start it again
//     on the same data; its tabs reconnect as soon as it listens.
//
// After each fault, and at the end, the typing pauses until every tab has
// its ops acknowledged and every tab and node has the same text; then
// the op log is read from the store: every op acknowledged to a tab is in
// it exactly once, without gaps, and replays to that text. The tabs are
// full clients (package client), so unacknowledged ops are resent after a
// reconnect with their seq, exactly as a browser does.
func runFaults(ctx context.Context, env *Env) (bool, error) {
	cfg := env.Config
	began := time.Now()
	sum := FaultsSummary{Scenario: "faults", Summary: true, Drills: cfg.Faults, Converged: true}
	ok := true
	for i, name := range cfg.Faults {
		ops := cfg.Ops / len(cfg.Faults)
		if i < cfg.Ops%len(cfg.Faults) {
			ops++
		}
		lines, m, err := runDrill(ctx, env, name, ops)
		if err != nil {
			return false, err
		}
		sum.Machine = m
		for _, l := range lines {
			ok = ok && l.OK()
			sum.Converged = sum.Converged && l.Converged
			sum.MaxRecoveryMS = max(sum.MaxRecoveryMS, l.RecoveryMS)
			if l.Fault != "end" {
				sum.Faults++
			}
		}
		if n := len(lines); n > 0 {
			last := lines[n-1]
			sum.Typed += last.Typed
			sum.Acked += last.Acked
			sum.Lost += last.Lost
			sum.Duplicated += last.Duplicated
		}
	}
	sum.TotalS = round(time.Since(began).Seconds(), 3)
	if err := env.Emit(sum); err != nil {
		return false, err
	}
	return ok && sum.Lost == 0 && sum.Duplicated == 0, nil
}

// drill is one drill's state.
type drill struct {
	env    *Env
	name   string
	r      *rig
	plan   string
	doc    string
	tabs   []*Tab
	stats  *TabStats
	typed  atomic.Int64
	gate   gate
	origin []int // each tab's first node
	// committedAt is each node's count of committed ops at the last fault.
	committedAt []float64
}

func runDrill(ctx context.Context, env *Env, name string, ops int) ([]FaultLine, Machine, error) {
	cfg := env.Config
	nodes := 1
	var faults []fault
	switch name {
	case "multi":
		nodes = max(cfg.Nodes, 2)
		faults = []fault{
			{"kill -9 node-2", killNode(1)},
			{"restart redis-server", func(ctx context.Context, d *drill) error { return d.r.cl.RestartRedis(ctx) }},
			{"restart ferretdb", func(ctx context.Context, d *drill) error { return d.r.cl.RestartFerretDB(ctx) }},
		}
	case "single":
		faults = []fault{{"kill -9 node-1 (sqlite), restart on the same data", killNode(0)}}
	}
	r, err := startRig(ctx, env, nodes, demoLeader)
	if err != nil {
		return nil, Machine{}, err
	}
	defer r.Close()
	p, err := r.api(demoLeader).DemoPlan(ctx)
	if err != nil {
		return nil, Machine{}, err
	}
	d := &drill{env: env, name: name, r: r, plan: p.ID, doc: p.Sections[0].ID, stats: &TabStats{}}
	// Reconnects come from the faults only.
	tcfg := cfg
	tcfg.Seed = cfg.Seed ^ uint64(len(name))
	d.tabs, err = openTabs(ctx, r.cl, d.plan, d.doc, r.token(demoLeader), tcfg, d.stats)
	defer func() {
		for _, t := range d.tabs {
			_ = t.Client.Close()
		}
	}()
	if err != nil {
		return nil, Machine{}, err
	}
	for _, t := range d.tabs {
		d.origin = append(d.origin, t.Node)
	}
	env.Log.Info("drill", "drill", name, "nodes", nodes, "tabs", len(d.tabs), "edits", ops, "faults", len(faults))

	typeCtx, stopTyping := context.WithCancel(ctx)
	var typing sync.WaitGroup
	defer func() {
		stopTyping()
		d.gate.Open()
		typing.Wait()
	}()
	d.gate.Open()
	for i, t := range d.tabs {
		rng := rand.New(rand.NewPCG(tcfg.Seed, uint64(i)))
		typing.Go(func() { d.typeLoop(typeCtx, t, rng, cfg.MaxPause) })
	}

	var lines []FaultLine
	// Each phase types its share on top of what was typed during the
	// recovery of the fault before.
	phase := int64(ops / (len(faults) + 1))
	for i, f := range faults {
		if err := d.typeUntil(ctx, d.typed.Load()+phase); err != nil {
			return lines, Machine{}, err
		}
		at := time.Now()
		d.committedAt = r.cl.Committed(ctx)
		env.Log.Info("fault", "drill", name, "fault", f.name, "typed", d.typed.Load())
		if err := f.inject(ctx, d); err != nil {
			return lines, Machine{}, fmt.Errorf("%s: %w", f.name, err)
		}
		rec, late := d.recovery(ctx, at, cfg.RecoveryTimeout)
		line, err := d.check(ctx, i+1, f.name, rec)
		if err != nil {
			return lines, Machine{}, err
		}
		line.Problems = append(late, line.Problems...)
		lines = append(lines, line)
		if err := env.Emit(line); err != nil {
			return lines, Machine{}, err
		}
		if err := d.rebalance(ctx); err != nil {
			return lines, Machine{}, err
		}
	}
	if err := d.typeUntil(ctx, d.typed.Load()+max(phase, int64(ops)-d.typed.Load())); err != nil {
		return lines, Machine{}, err
	}
	line, err := d.check(ctx, len(faults)+1, "end", 0)
	if err != nil {
		return lines, Machine{}, err
	}
	lines = append(lines, line)
	return lines, r.machine(), env.Emit(line)
}

// killNode returns the fault that kills node i with SIGKILL. With other
// nodes up, its tabs reconnect to the next one at once and the node is
// started again afterwards; alone, it is started again on the same data
// and its tabs reconnect to it as soon as it listens, as a browser keeps
// trying.
func killNode(i int) func(ctx context.Context, d *drill) error {
	return func(ctx context.Context, d *drill) error {
		cl := d.r.cl
		if err := cl.KillNode(i); err != nil {
			return err
		}
		target := (i + 1) % len(cl.Nodes)
		var moving sync.WaitGroup
		errs := make([]error, len(d.tabs))
		for k, t := range d.tabs {
			if t.Node != i {
				continue
			}
			moving.Go(func() { errs[k] = moveRetrying(ctx, t, target, cl.Nodes[target], d.env.Config.Deadline) })
		}
		// One node alone: start it again while its tabs keep knocking.
		restartErr := error(nil)
		if target == i {
			restartErr = cl.RestartNode(ctx, i)
		}
		moving.Wait()
		if restartErr != nil {
			return restartErr
		}
		for _, err := range errs {
			if err != nil {
				return err
			}
		}
		if target != i {
			return cl.RestartNode(ctx, i)
		}
		return nil
	}
}

// moveRetrying reconnects t to node n, trying again with a growing pause
// until it succeeds or timeout passes.
func moveRetrying(ctx context.Context, t *Tab, node int, n *Node, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for wait := 20 * time.Millisecond; ; wait = min(wait*2, time.Second) {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := t.MoveTo(cctx, node, n)
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			return err
		}
		if err := sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// rebalance moves the tabs back to the nodes they started on, once those
// run again, so that the next fault finds the tabs spread over the nodes.
func (d *drill) rebalance(ctx context.Context) error {
	for k, t := range d.tabs {
		if o := d.origin[k]; t.Node != o {
			if err := t.MoveTo(ctx, o, d.r.cl.Nodes[o]); err != nil {
				return err
			}
		}
	}
	return nil
}

// typeLoop makes random edits through t while the gate is open, with a
// random pause of up to maxPause after each.
func (d *drill) typeLoop(ctx context.Context, t *Tab, rng *rand.Rand, maxPause time.Duration) {
	typist := NewTypist(rng)
	for {
		if err := d.gate.Enter(ctx); err != nil {
			return
		}
		if _, err := typeOne(t, typist, d.doc, maxRetries); err != nil {
			d.env.Log.Warn("edit refused", "tab", t.ID, "err", err)
		} else {
			d.typed.Add(1)
		}
		d.gate.Leave()
		if maxPause > 0 {
			if sleep(ctx, time.Duration(rng.Int64N(int64(maxPause)+1))) != nil {
				return
			}
		}
	}
}

// typeUntil lets the tabs type until n edits are typed in all.
func (d *drill) typeUntil(ctx context.Context, n int64) error {
	d.gate.Open()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for d.typed.Load() < n {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	return nil
}

// recovery waits, typing on, until every tab has had an op it sent after
// at acknowledged, and returns how long after at the last one was, in ms;
// -1 if some tab had none within timeout, with the tabs that had none.
func (d *drill) recovery(ctx context.Context, at time.Time, timeout time.Duration) (float64, []string) {
	d.gate.Open()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		var last time.Time
		all := true
		for _, t := range d.tabs {
			ackAt, ok := t.FirstAckAfter(at)
			if !ok {
				all = false
				break
			}
			if ackAt.After(last) {
				last = ackAt
			}
		}
		if all {
			return ms(last.Sub(at)), nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			var late []string
			now := d.r.cl.Committed(ctx)
			for i, n := range d.r.cl.Nodes {
				late = append(late, fmt.Sprintf("%s committed %.0f ops since the fault (it restarts its count when restarted)", n.Name, now[i]-d.committedAt[i]))
			}
			for _, t := range d.tabs {
				if _, ok := t.FirstAckAfter(at); !ok {
					_, v := t.Client.Content(d.doc)
					late = append(late, fmt.Sprintf("tab %s on %s (at version %d, pending %v, server errors %v) had no op acknowledged within %s of the fault",
						t.ID, d.r.cl.Nodes[t.Node].Name, v, t.Client.Pending(d.doc), t.Client.Errors(d.doc), timeout))
				}
			}
			return -1, late
		}
		select {
		case <-ctx.Done():
		case <-tick.C:
		}
	}
}

// check pauses the typing, waits until every tab is drained and converged
// and checks the store, as converge does.
func (d *drill) check(ctx context.Context, step int, name string, recovery float64) (FaultLine, error) {
	d.gate.Close()
	cfg, log, cl := d.env.Config, d.env.Log, d.r.cl
	res := &ConvergeResult{}
	dctx, cancel := context.WithTimeout(ctx, cfg.Deadline)
	defer cancel()
	drained := true
	for _, t := range d.tabs {
		if err := t.Client.WaitVersion(dctx, d.doc, 0); err != nil {
			drained = false
			res.problemf("tab %s still has unacknowledged ops, or has not caught up, after %s (server errors: %v)", t.ID, cfg.Deadline, t.Client.Errors(d.doc))
		}
	}
	if err := ctx.Err(); err != nil {
		return FaultLine{}, err
	}
	var head int64
	if drained {
		head = converge(dctx, cl, d.tabs, d.plan, d.doc, d.r.token(demoLeader), res, log)
	}
	ref, _ := d.tabs[0].Client.Content(d.doc)
	var acked []OpID
	ids := map[string]bool{}
	line := FaultLine{Scenario: "faults", Drill: d.name, Step: step, Fault: name, RecoveryMS: recovery, Typed: d.typed.Load(),
		Taskset: d.r.pinned(), AckP99: d.stats.Ack.Summary().P99, Errors: d.stats.Errors.Map(),
		Server: cl.Stats(ctx, nil, 0, false)}
	for _, t := range d.tabs {
		acked = append(acked, t.Acked()...)
		ids[t.ID] = true
		all, _, pending := t.Reconnects()
		line.Reconnects += all
		line.ResentAfterDrop += pending
	}
	// The store is read while the nodes run: FerretDB is a server, and
	// SQLite in WAL mode lets a second process read.
	if err := checkStore(ctx, cl, d.doc, acked, ids, ref, head, res, log); err != nil {
		return line, err
	}
	line.Acked, line.Lost, line.Duplicated = len(acked), res.Lost, res.Duplicated
	line.Converged, line.UnackedInLog, line.Gaps, line.ReplayOK = res.Converged, res.Unacked, res.Gaps, res.ReplayOK
	line.Problems = res.Problems
	if !line.OK() {
		log.Error("a guarantee did not hold", "drill", d.name, "fault", name, "problems", line.Problems, "recovery_ms", recovery)
	} else {
		log.Info("checked", "drill", d.name, "fault", name, "acked", line.Acked, "recovery_ms", recovery)
	}
	return line, nil
}

// gate lets the typing goroutines edit while it is open. It is a barrier:
// an edit happens between Enter and Leave, and Close returns only once no
// edit is under way and none can start, even from a goroutine that saw
// the gate open a moment before and was descheduled.
type gate struct {
	edits sync.RWMutex // held for reading during an edit
	mu    sync.Mutex
	open  chan struct{} // closed while the gate is open
}

// Open opens the gate.
func (g *gate) Open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.open == nil {
		g.open = make(chan struct{})
	}
	select {
	case <-g.open:
	default:
		close(g.open)
	}
}

// Close closes the gate and waits for the edits under way.
func (g *gate) Close() {
	g.edits.Lock()
	defer g.edits.Unlock()
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.open == nil {
		g.open = make(chan struct{})
		return
	}
	select {
	case <-g.open:
		g.open = make(chan struct{})
	default:
	}
}

// channel returns the channel that is closed while the gate is open.
func (g *gate) channel() <-chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.open == nil {
		g.open = make(chan struct{})
	}
	return g.open
}

// Enter waits until the gate is open and enters it; Leave after the edit.
func (g *gate) Enter(ctx context.Context) error {
	for {
		select {
		case <-g.channel():
		case <-ctx.Done():
			return ctx.Err()
		}
		g.edits.RLock()
		select {
		case <-g.channel():
			return nil
		default:
			g.edits.RUnlock() // closed in between
		}
	}
}

// Leave leaves the gate after an edit.
func (g *gate) Leave() { g.edits.RUnlock() }
