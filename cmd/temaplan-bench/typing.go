package main

import (
	"context"
	"fmt"
	"time"
)

// TypingStep is the JSON line of one step of the typing scenario.
type TypingStep struct {
	Scenario    string `json:"scenario"`
	Variant     string `json:"variant"`
	Step        int    `json:"step"`
	Authors     int    `json:"authors"`
	Lurkers     int    `json:"lurkers"`
	Docs        int    `json:"docs"`
	Connections int    `json:"connections"`
	Taskset     bool   `json:"taskset"`
	WindowResult
	// Holds says whether p95 ack stayed within -hold-p95 (100 ms).
	Holds  bool    `json:"holds"`
	Settle Settled `json:"settle"`
}

// TypingSummary is the last line of the typing scenario.
type TypingSummary struct {
	Scenario string `json:"scenario"`
	Variant  string `json:"variant"`
	Summary  bool   `json:"summary"`
	Steps    int    `json:"steps"`
	// Largest is the largest number of authors whose step held p95 ack
	// within -hold-p95; StoppedAt the number whose p95 passed -stop-p95
	// (0: every step ran). At are the figures of the largest step held.
	Largest      int            `json:"largest_authors_holding"`
	LargestBcast LatencySummary `json:"largest_holding_broadcast"`
	StoppedAt    int            `json:"stopped_at_authors"`
	// Converged: every step settled with all clients at the head, in
	// agreement, and the full clients' text equal to every node's.
	Converged  bool       `json:"converged"`
	Lost       int        `json:"lost"`
	Duplicated int        `json:"duplicated"`
	Store      StoreCheck `json:"store"`
	Machine
	TotalS float64 `json:"total_s"`
}

// runTyping is the typing scenario, the Etherpad load test's workload on
// the demo plan: at each step of -steps, N connections of the leader's
// account type 1–4 characters every -interval at random positions of one
// section (with -spread: of the plan's sections, round-robin), each with
// -lurkers read-only connections of the reader's account watching the
// same section. The clients of one step stay for the next. A step measures
// ack and broadcast latency over -step-time after -warmup, then stops the
// typing and checks that every client converged; stepping stops when p95
// ack passes -stop-p95. At the end, the op logs are checked against what
// the authors were told.
func runTyping(ctx context.Context, env *Env) (bool, error) {
	cfg := env.Config
	began := time.Now()
	steps := cfg.StepsOr(10, 50, 100, 200, 300, 400, 600)
	variant := "one-section"
	if cfg.Spread {
		variant = "sections"
	}
	r, err := startRig(ctx, env, 1, demoLeader, demoReader)
	if err != nil {
		return false, err
	}
	defer r.Close()
	plan, err := r.api(demoLeader).DemoPlan(ctx)
	if err != nil {
		return false, err
	}
	secs := plan.Sections[:1]
	if cfg.Spread {
		secs = flatten(plan.Sections)
	}
	for _, s := range secs {
		if err := r.verify(ctx, plan.ID, s.ID); err != nil {
			return false, err
		}
	}
	env.Log.Info("typing", "variant", variant, "plan", plan.ID, "sections", len(secs), "steps", steps)

	typeCtx, stopTyping := context.WithCancel(ctx)
	defer stopTyping()
	sum := TypingSummary{Scenario: "typing", Variant: variant, Summary: true, Converged: true, Machine: r.machine()}
	authors, lurkers := 0, 0
	for i, n := range steps {
		// Add the authors and lurkers this step has more than the last.
		var add []LiteConfig
		for ; authors < n; authors++ {
			doc := secs[authors%len(secs)].ID
			add = append(add, LiteConfig{ID: fmt.Sprintf("a%x-%d", cfg.Seed&0xffffff, authors), URL: r.cl.Nodes[0].WSURL(),
				Token: r.token(demoLeader), Plan: plan.ID, Doc: doc, Group: -1, Author: true, Seed: cfg.Seed + uint64(authors)})
			for range cfg.Lurkers {
				add = append(add, LiteConfig{ID: fmt.Sprintf("r%x-%d", cfg.Seed&0xffffff, lurkers), URL: r.cl.Nodes[0].WSURL(),
					Token: r.token(demoReader), Plan: plan.ID, Doc: doc, Group: -1})
				lurkers++
			}
		}
		dialStart := time.Now()
		added, err := r.ld.DialAll(ctx, add, 32)
		if err != nil {
			return false, err
		}
		env.Log.Info("step", "step", i+1, "authors", authors, "lurkers", lurkers, "dialled", len(added), "took", time.Since(dialStart).Round(time.Millisecond))
		for _, l := range added {
			if l.cfg.Author {
				go TypeLoop(typeCtx, l, cfg.Interval, false, l.cfg.Seed)
			}
		}
		r.ld.SetTyping(true)
		if err := sleep(ctx, cfg.Warmup); err != nil {
			return false, err
		}
		w := r.window(NewStepStats(0), "typing-%s-%d", variant, n)
		if err := sleep(ctx, cfg.StepTime); err != nil {
			return false, err
		}
		res := w.End(ctx)
		settled := r.settle(ctx)
		line := TypingStep{Scenario: "typing", Variant: variant, Step: i + 1, Authors: authors, Lurkers: lurkers, Docs: len(secs),
			Connections: authors + lurkers + len(r.verifiers), Taskset: r.pinned(), WindowResult: res,
			Holds: res.Ack.Count > 0 && res.Ack.P95 <= ms(cfg.HoldP95), Settle: settled}
		if err := env.Emit(line); err != nil {
			return false, err
		}
		sum.Steps++
		sum.Converged = sum.Converged && settled.Converged
		if !settled.Converged {
			env.Log.Error("clients did not converge", "step", i+1, "problems", settled.Problems)
		}
		if line.Holds {
			sum.Largest, sum.LargestBcast = n, res.Bcast
		}
		if res.Ack.P95 > ms(cfg.StopP95) {
			sum.StoppedAt = n
			env.Log.Info("p95 ack passed the stop threshold; no more steps", "p95_ms", res.Ack.P95, "stop_ms", ms(cfg.StopP95))
			break
		}
	}
	stopTyping()
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
