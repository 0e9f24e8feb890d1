package main

import (
	"context"
	"fmt"
	"time"
)

// MultinodeStep is the JSON line of one set-up of the multinode scenario:
// one node on SQLite, then several on FerretDB and Redis.
type MultinodeStep struct {
	Scenario string `json:"scenario"`
	Step     int    `json:"step"`
	Nodes    int    `json:"nodes"`
	Store    string `json:"store"`
	Authors  int    `json:"authors"`
	Taskset  bool   `json:"taskset"`
	WindowResult
	// BcastSame and BcastCross split the broadcast latency by whether the
	// receiver is on the author's node or another (the bus hop).
	BcastSame  LatencySummary `json:"broadcast_same_node"`
	BcastCross LatencySummary `json:"broadcast_cross_node"`
	Settle     Settled        `json:"settle"`
	StoreCheck StoreCheck     `json:"store_check"`
}

// MultinodeSummary is the last line of the multinode scenario.
type MultinodeSummary struct {
	Scenario string `json:"scenario"`
	Summary  bool   `json:"summary"`
	Nodes    int    `json:"nodes"`
	Authors  int    `json:"authors"`
	// SingleP99 is the broadcast p99 on one node (SQLite, in-process
	// bus); CrossP99 the p99 between nodes (FerretDB, Redis), SameP99 the
	// p99 within a node of the multi-node set-up.
	SingleP99  float64 `json:"single_node_broadcast_p99_ms"`
	CrossP99   float64 `json:"cross_node_broadcast_p99_ms"`
	SameP99    float64 `json:"same_node_broadcast_p99_ms"`
	Converged  bool    `json:"converged"`
	Lost       int     `json:"lost"`
	Duplicated int     `json:"duplicated"`
	Machine
	TotalS float64 `json:"total_s"`
}

// runMultinode is the multinode scenario: -authors authors of the
// leader's account type into one section of the demo plan, first all on
// one node (SQLite, in-process bus), then spread round-robin over -nodes
// nodes (at least 2) sharing one FerretDB and one redis-server. Each
// set-up measures over -step-time, settles and checks the store. On
// FerretDB the store's missing indexes dominate the latencies: the
// guarantees are about correctness (converged, nothing lost or doubled);
// the latencies are reported.
func runMultinode(ctx context.Context, env *Env) (bool, error) {
	cfg := env.Config
	began := time.Now()
	nodes := max(cfg.Nodes, 2)
	sum := MultinodeSummary{Scenario: "multinode", Summary: true, Nodes: nodes, Authors: cfg.Authors, Converged: true}
	ok := true
	for i, n := range []int{1, nodes} {
		line, m, err := multinodeStep(ctx, env, i+1, n)
		if err != nil {
			return false, err
		}
		if err := env.Emit(line); err != nil {
			return false, err
		}
		sum.Machine = m
		sum.Converged = sum.Converged && line.Settle.Converged
		sum.Lost += line.StoreCheck.Lost
		sum.Duplicated += line.StoreCheck.Duplicated
		ok = ok && line.Settle.Converged && line.StoreCheck.OK()
		if n == 1 {
			sum.SingleP99 = line.Bcast.P99
		} else {
			sum.CrossP99, sum.SameP99 = line.BcastCross.P99, line.BcastSame.P99
		}
	}
	sum.TotalS = round(time.Since(began).Seconds(), 3)
	return ok, env.Emit(sum)
}

func multinodeStep(ctx context.Context, env *Env, step, nodes int) (MultinodeStep, Machine, error) {
	cfg := env.Config
	r, err := startRig(ctx, env, nodes, demoLeader, demoReader)
	if err != nil {
		return MultinodeStep{}, Machine{}, err
	}
	defer r.Close()
	plan, err := r.api(demoLeader).DemoPlan(ctx)
	if err != nil {
		return MultinodeStep{}, Machine{}, err
	}
	doc := plan.Sections[0].ID
	if err := r.verify(ctx, plan.ID, doc); err != nil {
		return MultinodeStep{}, Machine{}, err
	}
	var add []LiteConfig
	for a := range cfg.Authors {
		node := a % nodes
		add = append(add, LiteConfig{ID: fmt.Sprintf("n%x-%d-%d", cfg.Seed&0xffffff, nodes, a), Node: node, URL: r.cl.Nodes[node].WSURL(),
			Token: r.token(demoLeader), Plan: plan.ID, Doc: doc, Group: -1, Author: true, Seed: cfg.Seed + uint64(a)})
	}
	added, err := r.ld.DialAll(ctx, add, 16)
	if err != nil {
		return MultinodeStep{}, Machine{}, err
	}
	typeCtx, stopTyping := context.WithCancel(ctx)
	defer stopTyping()
	for _, l := range added {
		go TypeLoop(typeCtx, l, cfg.Interval, false, l.cfg.Seed)
	}
	r.ld.SetTyping(true)
	if err := sleep(ctx, cfg.Warmup); err != nil {
		return MultinodeStep{}, Machine{}, err
	}
	stats := NewStepStats(0)
	w := r.window(stats, "multinode-%d", nodes)
	if err := sleep(ctx, cfg.StepTime); err != nil {
		return MultinodeStep{}, Machine{}, err
	}
	res := w.End(ctx)
	settled := r.settle(ctx)
	stopTyping()
	store := "sqlite"
	if nodes > 1 {
		store = "mongodb-wire (ferretdb) + redis"
	}
	line := MultinodeStep{Scenario: "multinode", Step: step, Nodes: nodes, Store: store, Authors: cfg.Authors, Taskset: r.pinned(),
		WindowResult: res, BcastSame: stats.BcastSame.Summary(), BcastCross: stats.BcastCross.Summary(), Settle: settled}
	if !settled.Converged {
		env.Log.Error("clients did not converge", "nodes", nodes, "problems", settled.Problems)
	}
	if line.StoreCheck, err = r.finish(ctx); err != nil {
		return line, Machine{}, err
	}
	env.Log.Info("set-up done", "nodes", nodes, "ops_per_s", res.OpsPerS, "bcast_p99_ms", res.Bcast.P99, "cross_p99_ms", line.BcastCross.P99)
	return line, r.machine(), nil
}
