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
)

// MunicipalitiesStep is the JSON line of one step of the municipalities
// scenario.
type MunicipalitiesStep struct {
	Scenario    string  `json:"scenario"`
	Step        int     `json:"step"`
	Plans       int     `json:"plans"`
	Connections int     `json:"connections"`
	Authors     int     `json:"authors"`
	Reviewers   int     `json:"reviewers"`
	Readers     int     `json:"readers"`
	Taskset     bool    `json:"taskset"`
	SetupS      float64 `json:"setup_s"`
	WindowResult
	// PlanAckP95 and PlanBcastP95 are the spread of the plans' own p95:
	// the median plan's and the worst plan's.
	PlanAckP95   Spread         `json:"plan_ack_p95_ms"`
	PlanBcastP95 Spread         `json:"plan_broadcast_p95_ms"`
	Presence     LatencySummary `json:"presence"`
	CommentEvent LatencySummary `json:"comment_event"`
	CommentPost  LatencySummary `json:"comment_post"`
	Holds        bool           `json:"holds"`
	Settle       Settled        `json:"settle"`
}

// Spread is the median and the largest of a figure over plans.
type Spread struct {
	Median float64 `json:"median"`
	Max    float64 `json:"max"`
}

// MunicipalitiesSummary is the last line of the municipalities scenario.
type MunicipalitiesSummary struct {
	Scenario string `json:"scenario"`
	Summary  bool   `json:"summary"`
	Steps    int    `json:"steps"`
	// Largest is the most plans whose step held p95 ack within
	// -hold-p95, StoppedAt the plans at which p95 passed -stop-p95.
	Largest    int        `json:"largest_plans_holding"`
	StoppedAt  int        `json:"stopped_at_plans"`
	Converged  bool       `json:"converged"`
	Lost       int        `json:"lost"`
	Duplicated int        `json:"duplicated"`
	Store      StoreCheck `json:"store"`
	Machine
	TotalS float64 `json:"total_s"`
}

// mplan is a plan of the municipalities scenario.
type mplan struct {
	idx     int
	id, doc string
	clients int
}

// reviewerAccounts are the accounts reviewers act as, in turn, each a
// member of every bench plan with the role its name says.
var reviewerAccounts = []struct{ email, role string }{
	{demoMember, "member"}, {demoFinance, "finance"}, {demoSteering, "steering"}, {demoPolitical, "political"},
}

// runMunicipalities is the municipalities scenario, the realistic load of
// a service shared by many municipalities: at each step of -steps there
// are P plans (created by the administrator through the REST API, with
// the demo leader as leader and the other demo accounts as members), each
// with its leader typing in 2 tabs into the plan's first section (1–4
// characters every -interval, with pauses), 5–15 reviewers that move their
// cursor (presence) every -presence-every and write a comment every
// -comment-every, and -readers readers — every connection subscribed to the
// plan and its first section. The plans of a step stay for the next.
func runMunicipalities(ctx context.Context, env *Env) (bool, error) {
	cfg := env.Config
	began := time.Now()
	steps := cfg.StepsOr(50, 200, 500)
	most := slices.Max(steps)
	// About 2 + 15 + readers connections per plan, in the bench and the node.
	if limit, err := raiseFileLimit(uint64(most*(2+cfg.MaxReviewers+cfg.Readers)) + 4096); err != nil {
		env.Log.Warn("open-file limit", "err", err, "limit", limit)
	}
	emails := []string{demoAdmin, demoLeader, demoReader}
	for _, a := range reviewerAccounts {
		emails = append(emails, a.email)
	}
	r, err := startRig(ctx, env, 1, emails...)
	if err != nil {
		return false, err
	}
	defer r.Close()
	ids := map[string]string{}
	for _, e := range emails {
		me, err := r.api(e).Me(ctx)
		if err != nil {
			return false, err
		}
		ids[e] = me.ID
	}

	rng := rand.New(rand.NewPCG(cfg.Seed, 0x3a))
	loadCtx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	var reviewing atomic.Bool
	var loops sync.WaitGroup
	defer loops.Wait()
	defer stopLoad()

	sum := MunicipalitiesSummary{Scenario: "municipalities", Summary: true, Converged: true, Machine: r.machine()}
	var plans []*mplan
	authors, reviewers, readers := 0, 0, 0
	for i, p := range steps {
		setup := time.Now()
		created, err := createPlans(ctx, r, ids, len(plans), p-len(plans))
		if err != nil {
			return false, err
		}
		var add []LiteConfig
		for _, pl := range created {
			node := r.cl.Nodes[0].WSURL()
			cid := func(kind string, n int) string { return fmt.Sprintf("m%x-%d-%s%d", cfg.Seed&0xffffff, pl.idx, kind, n) }
			for t := range 2 {
				add = append(add, LiteConfig{ID: cid("t", t), URL: node, Token: r.token(demoLeader), Plan: pl.id, Doc: pl.doc,
					SubPlan: true, Group: pl.idx, Author: true, Seed: cfg.Seed + uint64(pl.idx*2+t)})
			}
			nrev := cfg.MinReviewers + rng.IntN(cfg.MaxReviewers-cfg.MinReviewers+1)
			for k := range nrev {
				acct := reviewerAccounts[k%len(reviewerAccounts)].email
				add = append(add, LiteConfig{ID: cid("r", k), URL: node, Token: r.token(acct), Plan: pl.id, Doc: pl.doc,
					SubPlan: true, Group: pl.idx, Reviewer: true, Account: acct, Seed: cfg.Seed ^ uint64(pl.idx<<8|k)})
			}
			for k := range cfg.Readers {
				add = append(add, LiteConfig{ID: cid("l", k), URL: node, Token: r.token(demoReader), Plan: pl.id, Doc: pl.doc,
					SubPlan: true, Group: pl.idx})
			}
			pl.clients = 2 + nrev + cfg.Readers
			authors, reviewers, readers = authors+2, reviewers+nrev, readers+cfg.Readers
		}
		plans = append(plans, created...)
		// A full client on the first plan's section compares its text
		// with the node's at every settle.
		if len(plans) > 0 {
			if err := r.verify(ctx, plans[0].id, plans[0].doc); err != nil {
				return false, err
			}
		}
		added, err := r.ld.DialAll(ctx, add, 32)
		if err != nil {
			return false, err
		}
		for _, l := range added {
			switch {
			case l.cfg.Author:
				loops.Go(func() { TypeLoop(loadCtx, l, cfg.Interval, true, l.cfg.Seed) })
			case l.cfg.Reviewer:
				api := r.api(l.cfg.Account)
				loops.Go(func() { reviewLoop(loadCtx, r.ld, l, api, &reviewing, cfg.PresenceEvery, cfg.CommentEvery, l.cfg.Seed) })
			}
		}
		setupS := time.Since(setup)
		env.Log.Info("step", "step", i+1, "plans", len(plans), "connections", authors+reviewers+readers, "setup", setupS.Round(time.Millisecond))
		r.ld.SetTyping(true)
		reviewing.Store(true)
		if err := sleep(ctx, cfg.Warmup); err != nil {
			return false, err
		}
		stats := NewStepStats(len(plans))
		w := r.window(stats, "municipalities-%d", p)
		if err := sleep(ctx, cfg.StepTime); err != nil {
			return false, err
		}
		res := w.End(ctx)
		reviewing.Store(false)
		settled := r.settle(ctx)
		line := MunicipalitiesStep{Scenario: "municipalities", Step: i + 1, Plans: len(plans),
			Connections: authors + reviewers + readers, Authors: authors, Reviewers: reviewers, Readers: readers,
			Taskset: r.pinned(), SetupS: round(setupS.Seconds(), 3), WindowResult: res,
			PlanAckP95:   groupSpread(stats, func(g *GroupStats) *Hist { return &g.Ack }),
			PlanBcastP95: groupSpread(stats, func(g *GroupStats) *Hist { return &g.Bcast }),
			Presence:     stats.Presence.Summary(), CommentEvent: stats.CommentEvent.Summary(), CommentPost: stats.CommentPost.Summary(),
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
			sum.Largest = len(plans)
		}
		if res.Ack.P95 > ms(cfg.StopP95) {
			sum.StoppedAt = len(plans)
			env.Log.Info("p95 ack passed the stop threshold; no more steps", "p95_ms", res.Ack.P95)
			break
		}
	}
	stopLoad()
	loops.Wait()
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

// createPlans creates n plans through the REST API, numbered from first,
// each with the demo leader as leader and the reviewers' and reader's
// accounts as members, 8 at a time.
func createPlans(ctx context.Context, r *rig, ids map[string]string, first, n int) ([]*mplan, error) {
	if n <= 0 {
		return nil, nil
	}
	admin := r.api(demoAdmin)
	out := make([]*mplan, n)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i := range n {
		g.Go(func() error {
			idx := first + i
			p, err := admin.CreatePlan(gctx, fmt.Sprintf("Benkeplan %d", idx+1), ids[demoLeader])
			if err != nil {
				return fmt.Errorf("plan %d: %w", idx+1, err)
			}
			members := append(reviewerAccounts[:len(reviewerAccounts):len(reviewerAccounts)], struct{ email, role string }{demoReader, "reader"})
			for _, m := range members {
				if err := admin.SetMember(gctx, p.ID, ids[m.email], m.role); err != nil {
					return fmt.Errorf("plan %d: member %s: %w", idx+1, m.email, err)
				}
			}
			out[i] = &mplan{idx: idx, id: p.ID, doc: p.Sections[0].ID}
			return nil
		})
	}
	return out, g.Wait()
}

// reviewLoop is a reviewer: while active, it moves its cursor about every
// presenceEvery and writes a comment about every commentEvery (the first
// at a random moment within it), through the REST API as its account.
func reviewLoop(ctx context.Context, ld *Load, l *Lite, api *API, active *atomic.Bool, presenceEvery, commentEvery time.Duration, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0xc0))
	jitter := func(d time.Duration) time.Duration { return d/2 + time.Duration(rng.Int64N(int64(d)+1)) }
	pres := time.NewTimer(time.Duration(rng.Int64N(int64(presenceEvery) + 1)))
	defer pres.Stop()
	com := time.NewTimer(time.Duration(rng.Int64N(int64(commentEvery) + 1)))
	defer com.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-pres.C:
			if active.Load() {
				l.SendPresence()
			}
			pres.Reset(jitter(presenceEvery))
		case <-com.C:
			if active.Load() {
				if c, ok := l.NextComment(); ok {
					// A comment under way is finished, not cut off, when
					// the load stops (the HTTP client's timeout bounds it).
					start := time.Now()
					err := api.AddComment(context.WithoutCancel(ctx), l.cfg.Plan, c)
					if st := ld.step.Load(); st != nil && err == nil {
						st.CommentPost.Add(time.Since(start))
					}
					if err != nil && ctx.Err() == nil {
						ld.errors.Add("bench: comment refused")
					}
				}
			}
			com.Reset(jitter(commentEvery))
		}
	}
}

// groupSpread returns the median and the largest p95 of the groups with
// samples.
func groupSpread(s *StepStats, h func(*GroupStats) *Hist) Spread {
	var p95 []float64
	for _, g := range s.groups {
		if hh := h(g); hh.Count() > 0 {
			p95 = append(p95, ms(hh.Percentile(95)))
		}
	}
	if len(p95) == 0 {
		return Spread{}
	}
	slices.Sort(p95)
	return Spread{Median: p95[(len(p95)-1)/2], Max: p95[len(p95)-1]}
}
