package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/temaplan/temaplan/collab/delta"
)

// ConvergeResult is the JSON line of the converge scenario. The fields up
// to rss_mb are the ones issue 4 names; the rest explain them.
type ConvergeResult struct {
	Scenario string `json:"scenario"`
	Nodes    int    `json:"nodes"`
	Clients  int    `json:"clients"`
	// Ops is the number of edits typed. A client composes what is typed
	// while an op is in flight into its next op, so fewer ops are
	// acknowledged (Acked) and stored than typed.
	Ops        int  `json:"ops"`
	Acked      int  `json:"acked"`
	Converged  bool `json:"converged"`
	Lost       int  `json:"lost"`
	Duplicated int  `json:"duplicated"`
	// Ack latency: from an op's first send to its ack, resends included.
	AckP50 float64 `json:"ack_p50_ms"`
	AckP99 float64 `json:"ack_p99_ms"`
	// OpsPerS is acknowledged (durably committed) ops per second of
	// Duration: from the first edit until every op was acknowledged.
	OpsPerS    float64 `json:"ops_per_s"`
	Reconnects int     `json:"reconnects"`
	Duration   float64 `json:"duration_s"`
	// RSS and RSSPeak are each node's VmRSS and VmHWM at the end, in MiB.
	RSS     []float64 `json:"rss_mb"`
	RSSPeak []float64 `json:"rss_peak_mb"`

	Store  string  `json:"store"`
	Seed   uint64  `json:"seed"`
	AckP95 float64 `json:"ack_p95_ms"`
	AckMax float64 `json:"ack_max_ms"`
	// EditsPerS is the typing rate: Ops per second of TypingS.
	EditsPerS float64 `json:"edits_per_s"`
	// Moves counts the reconnects to another node than before, and
	// DropsPending the connections lost with an op unacknowledged (whose
	// resend must not commit it twice).
	Moves        int `json:"reconnects_to_other_node"`
	DropsPending int `json:"reconnects_with_unacked"`
	// Version is the document's final version; LogOps the length of its
	// op log, Gaps the versions missing from it, Unacked the ops in it
	// that no client was told about.
	Version int64 `json:"version"`
	LogOps  int   `json:"log_ops"`
	Gaps    int   `json:"gaps"`
	Unacked int   `json:"unacked_in_log"`
	// ReplayOK says whether the op log replays to the converged text.
	ReplayOK bool `json:"log_replay_matches"`
	// Retries counts edits made again because the text changed between
	// reading it and editing it.
	Retries int `json:"edit_retries"`
	// Errors counts the error messages the server sent, by code.
	Errors map[string]int `json:"errors,omitempty"`
	// NodeWarnings and NodeErrors count each node's log lines of those
	// levels.
	NodeWarnings []int   `json:"node_log_warnings"`
	NodeErrors   []int   `json:"node_log_errors"`
	TypingS      float64 `json:"typing_s"`
	ConvergeS    float64 `json:"converge_s"`
	// TotalS is the whole run: build, start, typing, checks and stop.
	TotalS   float64  `json:"total_s"`
	Problems []string `json:"problems,omitempty"`
}

// OK reports whether the scenario's guarantees held: every tab and node
// ended with the same text, every acknowledged op is stored exactly once,
// and the stored log is gapless and replays to that text.
func (r *ConvergeResult) OK() bool {
	return r.Converged && r.Lost == 0 && r.Duplicated == 0 && r.Gaps == 0 && r.ReplayOK
}

// problemf records why a guarantee did not hold.
func (r *ConvergeResult) problemf(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// runConverge is the converge scenario: Clients tabs, spread round-robin
// over the nodes and all logged in as the demo plan's leader, type Ops
// random edits into the plan's first section between them, reconnecting to a random node with probability ReconnectProb per edit.
// Then it waits until every tab has nothing pending and the same version,
// compares the text of every tab and every node, stops the nodes and
// reads the op log from the store: every acknowledged (src, seq) must be
// in it exactly once, at gapless versions.
func runConverge(ctx context.Context, env *Env) (bool, error) {
	cfg, log := env.Config, env.Log
	began := time.Now()
	res := &ConvergeResult{Scenario: "converge", Nodes: cfg.Nodes, Clients: cfg.Clients, Ops: cfg.Ops, Seed: cfg.Seed, Store: "sqlite"}
	if cfg.Nodes > 1 {
		res.Store = "mongodb-wire (ferretdb) + redis"
	}

	cl, err := StartCluster(ctx, ClusterConfig{Nodes: cfg.Nodes, Bin: cfg.Bin, FerretBin: cfg.FerretBin, Keep: cfg.Keep, Log: log})
	if err != nil {
		return false, err
	}
	defer func() {
		if err := cl.Close(); err != nil {
			log.Warn("cluster did not stop cleanly", "err", err)
		}
	}()

	// Every tab acts as the demo plan's leader, the one person who may
	// edit its text, on one session whose token is renewed until the
	// nodes stop.
	leader, err := cl.Login(ctx, demoLeader)
	if err != nil {
		return false, err
	}
	renewCtx, stopRenew := context.WithCancel(ctx)
	var renewing sync.WaitGroup
	renewing.Go(func() { leader.Run(renewCtx, log) })
	stopRenewing := func() {
		stopRenew()
		renewing.Wait()
	}
	defer stopRenewing()

	plan, err := NewAPI(cl.Nodes[0].URL(""), leader.Token).DemoPlan(ctx)
	if err != nil {
		return false, err
	}
	doc := plan.Sections[0].ID
	log.Info("typing into the demo plan", "plan", plan.ID, "doc", doc, "section", plan.Sections[0].Title, "as", leader.Email)

	stats := &TabStats{}
	tabs, err := openTabs(ctx, cl, plan.ID, doc, leader.Token, cfg, stats)
	defer func() {
		for _, t := range tabs {
			_ = t.Client.Close()
		}
	}()
	if err != nil {
		return false, err
	}

	// Type.
	typingStart := time.Now()
	retries := typeAll(ctx, cl, tabs, plan.ID, doc, cfg, res, log)
	if err := ctx.Err(); err != nil {
		return false, err
	}
	typed := time.Since(typingStart)
	log.Info("typing done", "edits", cfg.Ops, "took", typed.Round(time.Millisecond))

	// Wait until everything is acknowledged, then until every tab and node
	// has the same version.
	dctx, cancel := context.WithTimeout(ctx, cfg.Deadline)
	defer cancel()
	drained := true
	for _, t := range tabs {
		if err := t.Client.WaitVersion(dctx, doc, 0); err != nil {
			drained = false
			break
		}
	}
	if !drained {
		for _, t := range tabs {
			switch {
			case t.Client.Pending(doc):
				res.problemf("tab %s still has unacknowledged ops after %s (server errors: %v)", t.ID, cfg.Deadline, t.Client.Errors(doc))
			case !inSync(t, doc):
				res.problemf("tab %s has not caught up after %s (server errors: %v)", t.ID, cfg.Deadline, t.Client.Errors(doc))
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	load := time.Since(typingStart)
	var head int64
	if drained {
		head = converge(dctx, cl, tabs, plan.ID, doc, leader.Token, res, log)
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	convergeS := time.Since(typingStart) - load
	ref, _ := tabs[0].Client.Content(doc)

	if cfg.Keep {
		if err := cl.SaveMetrics(ctx); err != nil {
			log.Warn("metrics not saved", "err", err)
		}
	}
	if mem, err := cl.Memory(); err != nil {
		log.Warn("memory not measured", "err", err)
	} else {
		for _, m := range mem {
			res.RSS, res.RSSPeak = append(res.RSS, m.RSS), append(res.RSSPeak, m.Peak)
		}
	}

	// Stop the tabs and the nodes, then read the op log.
	var acked []OpID
	ids := map[string]bool{}
	for _, t := range tabs {
		_ = t.Client.Close()
		acked = append(acked, t.Acked()...)
		ids[t.ID] = true
		all, moves, pending := t.Reconnects()
		res.Reconnects += all
		res.Moves += moves
		res.DropsPending += pending
	}
	tabs = nil
	stopRenewing()
	if err := cl.StopNodes(); err != nil {
		log.Warn("a node did not stop cleanly", "err", err)
		res.problemf("stopping the nodes: %v", err)
	}
	for _, n := range cl.Nodes {
		w, e, err := n.LogLevels()
		if err != nil {
			log.Warn("node log not read", "node", n.Name, "err", err)
		}
		res.NodeWarnings, res.NodeErrors = append(res.NodeWarnings, w), append(res.NodeErrors, e)
	}
	if err := checkStore(ctx, cl, doc, acked, ids, ref, head, res, log); err != nil {
		return false, err
	}

	ack := stats.Ack.Summary()
	res.Acked = len(acked)
	res.AckP50, res.AckP95, res.AckP99, res.AckMax = ack.P50, ack.P95, ack.P99, ack.Max
	res.OpsPerS = perSecond(len(acked), load)
	res.EditsPerS = perSecond(cfg.Ops, typed)
	res.Retries = retries
	res.Errors = stats.Errors.Map()
	res.Version = head
	res.Duration = round(load.Seconds(), 3)
	res.TypingS = round(typed.Seconds(), 3)
	res.ConvergeS = round(convergeS.Seconds(), 3)
	res.TotalS = round(time.Since(began).Seconds(), 3)
	if err := env.Emit(res); err != nil {
		return false, err
	}
	return res.OK(), nil
}

// openTabs dials cfg.Clients tabs, round-robin over the nodes, as the user
// of token and opens doc in each. On error it returns the tabs dialled so
// far, for closing.
func openTabs(ctx context.Context, cl *Cluster, plan, doc string, token func() string, cfg Config, stats *TabStats) ([]*Tab, error) {
	tabs := make([]*Tab, 0, cfg.Clients)
	for i := range cfg.Clients {
		node := i % len(cl.Nodes)
		t, err := DialTab(ctx, fmt.Sprintf("bench-%x-%d", cfg.Seed&0xffffff, i+1), node, cl.Nodes[node], token, stats)
		if err != nil {
			return tabs, err
		}
		tabs = append(tabs, t)
		if err := t.Open(ctx, plan, doc); err != nil {
			return tabs, err
		}
	}
	return tabs, nil
}

// typeAll lets every tab type its share of cfg.Ops edits at once and
// returns how many edits had to be made again because the text changed
// under them. A tab that cannot go on is recorded as a problem.
func typeAll(ctx context.Context, cl *Cluster, tabs []*Tab, plan, doc string, cfg Config, res *ConvergeResult, log *slog.Logger) int {
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		retries int
	)
	for i, t := range tabs {
		n := cfg.Ops / len(tabs)
		if i < cfg.Ops%len(tabs) {
			n++
		}
		// Each tab has a generator of its own, so that its choices do not
		// depend on the other tabs' (its edits still depend on the text,
		// and so on the timing).
		rng := rand.New(rand.NewPCG(cfg.Seed, uint64(i)))
		wg.Go(func() {
			r, err := typeEdits(ctx, cl, t, plan, doc, n, rng, cfg)
			mu.Lock()
			defer mu.Unlock()
			retries += r
			if err != nil && ctx.Err() == nil {
				log.Warn("tab stopped typing", "tab", t.ID, "err", err)
				res.problemf("tab %s stopped typing: %v", t.ID, err)
			}
		})
	}
	wg.Wait()
	return retries
}

// maxRetries bounds how often one edit is made again on a text that keeps
// changing under it.
const maxRetries = 1000

// typeEdits types n edits into doc through t, with a random pause of up
// to cfg.MaxPause after each. With probability cfg.ReconnectProb per edit
// the tab first loses its connection, types up to three edits while
// offline (they wait in the client) and reconnects to a random node,
// which must then commit what it had in flight and buffered exactly once;
// it types on during the catch-up or after it. A third of the drops come
// when the tab has nothing unacknowledged. It returns the number of
// retried edits.
func typeEdits(ctx context.Context, cl *Cluster, t *Tab, plan, doc string, n int, rng *rand.Rand, cfg Config) (int, error) {
	typist := NewTypist(rng)
	retries := 0
	timer := time.NewTimer(0)
	defer timer.Stop()
	for i := 0; i < n; {
		if cfg.ReconnectProb > 0 && rng.Float64() < cfg.ReconnectProb {
			if rng.IntN(3) == 0 {
				// Sometimes the connection drops while the tab is idle,
				// so that what it types next waits for the catch-up
				// without an op in flight.
				wctx, cancel := context.WithTimeout(ctx, openTimeout)
				err := t.Client.WaitVersion(wctx, doc, 0)
				cancel()
				if err != nil {
					return retries, fmt.Errorf("tab %s: waiting for its acks: %w", t.ID, err)
				}
			}
			t.Drop(doc)
			for k := rng.IntN(4); k > 0 && i < n; k-- {
				r, err := typeOne(t, typist, doc, 10)
				retries += r
				if err != nil {
					break // the client refuses edits now; type on after the reconnect
				}
				i++
			}
			node := rng.IntN(len(cl.Nodes))
			if err := t.MoveTo(ctx, node, cl.Nodes[node]); err != nil {
				return retries, err
			}
			// Half the time type on at once, while the document catches
			// up, as a browser does; else wait for the catch-up first.
			if rng.IntN(2) == 0 {
				if err := t.Open(ctx, plan, doc); err != nil {
					return retries, err
				}
			}
			if i == n {
				break
			}
		}
		r, err := typeOne(t, typist, doc, maxRetries)
		retries += r
		if err != nil {
			return retries, err
		}
		i++
		if cfg.MaxPause > 0 {
			timer.Reset(time.Duration(rng.Int64N(int64(cfg.MaxPause) + 1)))
			select {
			case <-timer.C:
			case <-ctx.Done():
				return retries, ctx.Err()
			}
		} else if err := ctx.Err(); err != nil {
			return retries, err
		}
	}
	return retries, nil
}

// typeOne makes one random edit of the tab's text, trying up to attempts
// times, and returns how many attempts failed. Content and Edit are two
// steps: a remote op may change the text in between, and the client then
// refuses an edit that no longer fits; it is made again on the new text.
func typeOne(t *Tab, typist *Typist, doc string, attempts int) (int, error) {
	for failed := 0; ; failed++ {
		text, _ := t.Client.Content(doc)
		err := t.Client.Edit(doc, typist.Edit(text))
		if err == nil {
			return failed, nil
		}
		if failed+1 >= attempts {
			return failed + 1, fmt.Errorf("tab %s: edit refused %d times: %w", t.ID, attempts, err)
		}
	}
}

// converge waits, after every tab has had its ops acknowledged, until
// every tab and every node is at the head version, then compares their
// texts, reading the nodes' as the user of token. It returns the head
// version.
func converge(ctx context.Context, cl *Cluster, tabs []*Tab, plan, doc string, token func() string, res *ConvergeResult, log *slog.Logger) int64 {
	apis := make([]*API, len(cl.Nodes))
	for i, n := range cl.Nodes {
		apis[i] = NewAPI(n.URL(""), token)
	}
	// Nothing is typed any more, so the head is the highest version a
	// node knows of: the node that committed the last op knows it.
	var head int64
	for i, a := range apis {
		v, _, err := a.SectionContent(ctx, plan, doc)
		if err != nil {
			res.problemf("%s: %v", cl.Nodes[i].Name, err)
			return 0
		}
		head = max(head, v)
	}
	ok := true
	for _, t := range tabs {
		if err := t.Client.WaitVersion(ctx, doc, head); err != nil {
			_, v := t.Client.Content(doc)
			res.problemf("tab %s is at version %d, not %d, after the deadline", t.ID, v, head)
			ok = false
		}
	}
	ref, refV := tabs[0].Client.Content(doc)
	for _, t := range tabs[1:] {
		text, v := t.Client.Content(doc)
		if v != refV || !text.Equal(ref) {
			ok = false
			res.problemf("tab %s (v%d) differs from tab %s (v%d): %s", t.ID, v, tabs[0].ID, refV, describeDiff(ref, text))
		}
	}
	for i, a := range apis {
		v, text, err := nodeAt(ctx, a, plan, doc, head)
		if err != nil {
			ok = false
			res.problemf("%s: %v", cl.Nodes[i].Name, err)
			continue
		}
		if v != refV || !text.Equal(ref) {
			ok = false
			res.problemf("%s (v%d) differs from tab %s (v%d): %s", cl.Nodes[i].Name, v, tabs[0].ID, refV, describeDiff(ref, text))
		}
	}
	res.Converged = ok
	if ok {
		log.Info("converged", "version", head, "length", ref.Length())
	} else {
		log.Warn("not converged", "problems", res.Problems)
	}
	return head
}

// inSync reports whether the tab's document is caught up with nothing
// pending, now.
func inSync(t *Tab, doc string) bool {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // WaitVersion checks its condition before the context
	return t.Client.WaitVersion(ctx, doc, 0) == nil
}

// nodeAt polls a node's copy of doc until it reaches version v (a node
// hears of other nodes' ops over the bus, or from the log within a
// beacon period) or ctx ends, and returns it.
func nodeAt(ctx context.Context, a *API, plan, doc string, v int64) (int64, delta.Delta, error) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		got, text, err := a.SectionContent(ctx, plan, doc)
		if err != nil || got >= v {
			return got, text, err
		}
		select {
		case <-ctx.Done():
			return got, text, fmt.Errorf("still at version %d, not %d: %w", got, v, ctx.Err())
		case <-tick.C:
		}
	}
}

// checkStore reads doc's op log from the stopped nodes' store and checks
// it against the acknowledged ops and the converged text.
func checkStore(ctx context.Context, cl *Cluster, doc string, acked []OpID, ids map[string]bool, text delta.Delta, head int64, res *ConvergeResult, log *slog.Logger) error {
	st, err := cl.OpenStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	recs, err := st.Ops(ctx, doc, 0, -1)
	if err != nil {
		return fmt.Errorf("read the op log: %w", err)
	}
	chk := CheckLog(acked, recs, ids)
	res.LogOps, res.Lost, res.Duplicated, res.Gaps, res.Unacked = chk.Ops, len(chk.Lost), len(chk.Duplicated), chk.Gaps, len(chk.Unacked)
	for name, ids := range map[string][]OpID{"lost": chk.Lost, "duplicated": chk.Duplicated} {
		if len(ids) > 0 {
			res.problemf("%d %s ops, e.g. %v", len(ids), name, ids[:min(len(ids), 5)])
		}
	}
	if chk.Gaps > 0 {
		res.problemf("the op log has %d missing or misordered versions", chk.Gaps)
	}
	if res.Converged && int64(len(recs)) != head {
		res.problemf("the op log has %d ops, the converged version is %d", len(recs), head)
	}
	replayed, err := ReplayLog(recs)
	switch {
	case err != nil:
		res.problemf("replaying the op log: %v", err)
	case !replayed.Equal(text):
		res.problemf("the op log replays to a text other than the tabs': %s", describeDiff(text, replayed))
	default:
		res.ReplayOK = true
	}
	log.Info("op log checked", "ops", len(recs), "acked", len(acked), "lost", len(chk.Lost), "duplicated", len(chk.Duplicated), "gaps", chk.Gaps)
	return nil
}

// describeDiff says briefly how b differs from a, for a problem report.
func describeDiff(a, b delta.Delta) string {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	i := 0
	for i < len(ja) && i < len(jb) && ja[i] == jb[i] {
		i++
	}
	from := max(i-40, 0)
	excerpt := func(s []byte) string { return string(s[from:min(len(s), i+40)]) }
	return fmt.Sprintf("lengths %d and %d; first difference at JSON byte %d: %q vs %q", a.Length(), b.Length(), i, excerpt(ja), excerpt(jb))
}
