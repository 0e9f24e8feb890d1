package main

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// IdleStep is the JSON line of one step of the idle scenario.
type IdleStep struct {
	Scenario    string  `json:"scenario"`
	Step        int     `json:"step"`
	Connections int     `json:"connections"`
	Taskset     bool    `json:"taskset"`
	DialS       float64 `json:"dial_s"`
	// Server is the node after a garbage collection; the per-connection
	// figures are its growth over the node before any connection,
	// divided by the connections, in KiB.
	Server        NodeStats      `json:"server"`
	RSSPerConn    float64        `json:"rss_per_conn_kib"`
	HeapPerConn   float64        `json:"heap_per_conn_kib"`
	StackPerConn  float64        `json:"stack_per_conn_kib"`
	GoroutinesPer float64        `json:"goroutines_per_conn"`
	BenchRSS      float64        `json:"bench_rss_mb"`
	Errors        map[string]int `json:"errors,omitempty"`
}

// IdleSummary is the last line of the idle scenario.
type IdleSummary struct {
	Scenario     string    `json:"scenario"`
	Summary      bool      `json:"summary"`
	Baseline     NodeStats `json:"baseline"`
	Connections  int       `json:"connections"`
	RSSPerConn   float64   `json:"rss_per_conn_kib"`
	HeapPerConn  float64   `json:"heap_per_conn_kib"`
	StackPerConn float64   `json:"stack_per_conn_kib"`
	FileLimit    uint64    `json:"file_limit"`
	Machine
	TotalS float64 `json:"total_s"`
}

// runIdle is the idle scenario: at each step of -steps, idle connections
// of the reader's account are added until there are M, each subscribed to
// the demo plan (events, presence) and to one of its sections, round-
// robin. After each step the node's memory is measured after a garbage
// collection and set against the node before any connection. The bench
// raises its open-file limit (and the nodes', which inherit it) first.
func runIdle(ctx context.Context, env *Env) (bool, error) {
	cfg := env.Config
	began := time.Now()
	steps := cfg.StepsOr(1000, 5000, 10000)
	most := slices.Max(steps)
	limit, err := raiseFileLimit(uint64(most) + 4096)
	if err != nil {
		env.Log.Warn("open-file limit", "err", err, "limit", limit)
	}
	r, err := startRig(ctx, env, 1, demoReader)
	if err != nil {
		return false, err
	}
	defer r.Close()
	plan, err := r.api(demoReader).DemoPlan(ctx)
	if err != nil {
		return false, err
	}
	secs := flatten(plan.Sections)
	node := r.cl.Nodes[0]
	if err := sleep(ctx, time.Second); err != nil {
		return false, err
	}
	base := r.cl.Stats(ctx, nil, 0, true)[0]
	env.Log.Info("idle baseline", "rss_mb", base.RSS, "heap_mb", base.HeapInuse, "file_limit", limit)

	sum := IdleSummary{Scenario: "idle", Summary: true, Baseline: base, FileLimit: limit, Machine: r.machine()}
	conns, prev, prevConns := 0, base, 0
	for i, m := range steps {
		var add []LiteConfig
		for ; conns < m; conns++ {
			add = append(add, LiteConfig{ID: fmt.Sprintf("i%x-%d", cfg.Seed&0xffffff, conns), URL: node.WSURL(),
				Token: r.token(demoReader), Plan: plan.ID, SubPlan: true, Doc: secs[conns%len(secs)].ID, Group: -1})
		}
		start := time.Now()
		if _, err := r.ld.DialAll(ctx, add, 64); err != nil {
			return false, fmt.Errorf("%d connections: %w", conns, err)
		}
		dial := time.Since(start)
		// Let the server's buffers and goroutines settle before measuring.
		if err := sleep(ctx, 2*time.Second); err != nil {
			return false, err
		}
		s := r.cl.Stats(ctx, nil, 0, true)[0]
		added := float64(conns - prevConns)
		kib := func(now, before float64) float64 { return round((now-before)*1024/added, 2) }
		line := IdleStep{Scenario: "idle", Step: i + 1, Connections: conns, Taskset: r.pinned(), DialS: round(dial.Seconds(), 3),
			Server: s, RSSPerConn: kib(s.RSS, prev.RSS), HeapPerConn: kib(s.HeapInuse, prev.HeapInuse),
			StackPerConn:  kib(s.StackInuse, prev.StackInuse),
			GoroutinesPer: round(float64(s.Goroutines-prev.Goroutines)/added, 2),
			BenchRSS:      selfRSS(), Errors: r.ld.errors.Map()}
		prev, prevConns = s, conns
		if cfg.ProfileDir != "" {
			r.profile("idle-%d", conns).fetchHeap(node)
		}
		if err := env.Emit(line); err != nil {
			return false, err
		}
		env.Log.Info("step", "connections", conns, "rss_per_conn_kib", line.RSSPerConn, "heap_per_conn_kib", line.HeapPerConn)
		sum.Connections, sum.RSSPerConn, sum.HeapPerConn, sum.StackPerConn = conns, line.RSSPerConn, line.HeapPerConn, line.StackPerConn
	}
	sum.TotalS = round(time.Since(began).Seconds(), 3)
	return true, env.Emit(sum)
}
