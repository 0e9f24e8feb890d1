package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/sqlite"
)

// HotStep is the JSON line of one step of the hot scenario.
type HotStep struct {
	Scenario string `json:"scenario"`
	Step     int    `json:"step"`
	Clients  int    `json:"clients"`
	Taskset  bool   `json:"taskset"`
	WindowResult
	// RawRatio is OpsPerS over the store's raw single-insert rate: above
	// 1, group commit carries more than one op per fsync.
	RawRatio float64 `json:"ratio_to_raw_insert"`
	Settle   Settled `json:"settle"`
}

// HotSummary is the last line of the hot scenario.
type HotSummary struct {
	Scenario string `json:"scenario"`
	Summary  bool   `json:"summary"`
	// Best is the step with the most ops/s: its clients, ops/s and ack.
	BestClients int            `json:"best_clients"`
	BestOpsPerS float64        `json:"best_ops_per_s"`
	BestAck     LatencySummary `json:"best_ack"`
	// RawInserts is the store's rate of single fsynced inserts, measured
	// in the same run on the same file system; RawRatio is BestOpsPerS
	// over it.
	RawInserts RawInsertRate `json:"raw_insert"`
	RawRatio   float64       `json:"ratio_to_raw_insert"`
	Converged  bool          `json:"converged"`
	Lost       int           `json:"lost"`
	Duplicated int           `json:"duplicated"`
	Store      StoreCheck    `json:"store"`
	Machine
	TotalS float64 `json:"total_s"`
}

// runHot is the hot scenario: at each step of -steps, K clients of the
// leader's account send ops to one section of the demo plan in a closed
// loop — each sends its next one-character insert as soon as its last is
// acknowledged — to find the commit ceiling of the embedded store. Before
// the load, the store's raw rate of single inserts (one transaction and
// fsync each, through collab/sqlite) is measured on a scratch file in the
// same directory.
func runHot(ctx context.Context, env *Env) (bool, error) {
	cfg := env.Config
	began := time.Now()
	steps := cfg.StepsOr(1, 4, 16, 64)
	r, err := startRig(ctx, env, 1, demoLeader, demoReader)
	if err != nil {
		return false, err
	}
	defer r.Close()
	raw, err := measureRawInserts(ctx, r.cl.Dir(), min(cfg.StepTime, 3*time.Second))
	if err != nil {
		return false, err
	}
	env.Log.Info("raw single inserts", "per_s", raw.PerS, "inserts", raw.Inserts)
	plan, err := r.api(demoLeader).DemoPlan(ctx)
	if err != nil {
		return false, err
	}
	doc := plan.Sections[0].ID
	if err := r.verify(ctx, plan.ID, doc); err != nil {
		return false, err
	}

	sum := HotSummary{Scenario: "hot", Summary: true, RawInserts: raw, Converged: true, Machine: r.machine()}
	clients := 0
	for i, k := range steps {
		var add []LiteConfig
		for ; clients < k; clients++ {
			add = append(add, LiteConfig{ID: fmt.Sprintf("h%x-%d", cfg.Seed&0xffffff, clients), URL: r.cl.Nodes[0].WSURL(),
				Token: r.token(demoLeader), Plan: plan.ID, Doc: doc, Group: -1, Author: true, ClosedLoop: true, Seed: cfg.Seed + uint64(clients)})
		}
		if _, err := r.ld.DialAll(ctx, add, 32); err != nil {
			return false, err
		}
		r.ld.SetTyping(true)
		if err := sleep(ctx, cfg.Warmup); err != nil {
			return false, err
		}
		w := r.window(NewStepStats(0), "hot-%d", k)
		if err := sleep(ctx, cfg.StepTime); err != nil {
			return false, err
		}
		res := w.End(ctx)
		settled := r.settle(ctx)
		line := HotStep{Scenario: "hot", Step: i + 1, Clients: clients, Taskset: r.pinned(), WindowResult: res, Settle: settled}
		if raw.PerS > 0 {
			line.RawRatio = round(res.OpsPerS/raw.PerS, 2)
		}
		if err := env.Emit(line); err != nil {
			return false, err
		}
		sum.Converged = sum.Converged && settled.Converged
		if res.OpsPerS > sum.BestOpsPerS {
			sum.BestClients, sum.BestOpsPerS, sum.BestAck, sum.RawRatio = clients, res.OpsPerS, res.Ack, line.RawRatio
		}
		env.Log.Info("step", "clients", clients, "ops_per_s", res.OpsPerS, "ack_p99_ms", res.Ack.P99, "converged", settled.Converged)
	}
	chk, err := r.finish(ctx)
	if err != nil {
		return false, err
	}
	sum.Store, sum.Lost, sum.Duplicated = chk, chk.Lost, chk.Duplicated
	sum.TotalS = round(time.Since(began).Seconds(), 3)
	if err := env.Emit(sum); err != nil {
		return false, err
	}
	return sum.Converged && chk.OK(), nil
}

// RawInsertRate is the store's rate of single inserts.
type RawInsertRate struct {
	Inserts int     `json:"inserts"`
	Seconds float64 `json:"duration_s"`
	PerS    float64 `json:"per_s"`
}

// measureRawInserts commits one-op batches, one after the other, into a
// scratch SQLite store in dir for about d: each is the store's own
// transaction with its fsync (synchronous=FULL), the floor that group
// commit improves on.
func measureRawInserts(ctx context.Context, dir string, d time.Duration) (RawInsertRate, error) {
	path := filepath.Join(dir, "raw-insert", "raw.db")
	st, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		return RawInsertRate{}, err
	}
	defer os.RemoveAll(filepath.Dir(path))
	defer st.Close()
	op := json.RawMessage(`{"ops":[{"insert":"x"}]}`)
	start := time.Now()
	n := 0
	for ; time.Since(start) < d; n++ {
		rec := collab.OpRecord{Doc: "raw", V: int64(n), Src: "raw", Seq: int64(n + 1), By: "bench", At: time.Now(), Op: op}
		if _, err := st.CommitOps(ctx, []collab.OpRecord{rec}); err != nil {
			return RawInsertRate{}, fmt.Errorf("raw insert %d: %w", n, err)
		}
	}
	took := time.Since(start)
	return RawInsertRate{Inserts: n, Seconds: round(took.Seconds(), 3), PerS: perSecond(n, took)}, nil
}
