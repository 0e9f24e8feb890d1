package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"sync"
	"time"
)

// The demo accounts the load scenarios act as, besides the leader
// (cmd/temaplan/demo.go); each has the role its name says in the demo plan.
const (
	demoAdmin     = "admin@demo.no"
	demoMember    = "member@demo.no"
	demoFinance   = "finance@demo.no"
	demoSteering  = "steering@demo.no"
	demoPolitical = "political@demo.no"
	demoReader    = "reader@demo.no"
)

// rig is what a load scenario runs on: a cluster, logged-in sessions of
// the demo accounts (renewed until the rig closes), the shared state of
// its Lite clients and its full verifier clients.
type rig struct {
	cfg Config
	log *slog.Logger
	cl  *Cluster
	ld  *Load
	hc  *http.Client

	sess      map[string]*Session
	stopRenew context.CancelFunc
	renewing  sync.WaitGroup

	// verifiers are full clients (one per document), by document; plans
	// names each document's plan.
	verifiers map[string]*Tab
	plans     map[string]string
	tabStats  TabStats
}

// startRig starts a cluster of nodes and logs in as each of emails.
func startRig(ctx context.Context, env *Env, nodes int, emails ...string) (_ *rig, err error) {
	cfg := env.Config
	cl, err := StartCluster(ctx, ClusterConfig{Nodes: nodes, Bin: cfg.Bin, FerretBin: cfg.FerretBin, Keep: cfg.Keep, Taskset: cfg.Taskset, Log: env.Log})
	if err != nil {
		return nil, err
	}
	rctx, cancel := context.WithCancel(context.Background())
	r := &rig{cfg: cfg, log: env.Log, cl: cl, ld: &Load{}, hc: benchHTTP(), sess: map[string]*Session{},
		stopRenew: cancel, verifiers: map[string]*Tab{}, plans: map[string]string{}}
	defer func() {
		if err != nil {
			r.Close()
		}
	}()
	for _, email := range emails {
		s, err := cl.Login(ctx, email)
		if err != nil {
			return nil, err
		}
		r.sess[email] = s
		r.renewing.Go(func() { s.Run(rctx, env.Log) })
	}
	return r, nil
}

// api returns a REST client of node 0 acting as email.
func (r *rig) api(email string) *API {
	return NewAPI(r.cl.Nodes[0].URL(""), r.sess[email].Token).WithHTTP(r.hc)
}

// token returns the token function of email's session.
func (r *rig) token(email string) func() string { return r.sess[email].Token }

// profile returns where a step's CPU profiles go (nowhere without
// -profile).
func (r *rig) profile(format string, args ...any) Profile {
	return Profile{Dir: r.cfg.ProfileDir, Log: r.log}.Named(format, args...)
}

// window starts a measured window of the configured step time.
func (r *rig) window(stats *StepStats, format string, args ...any) *Window {
	return r.ld.StartWindow(r.cl, stats, r.profile(format, args...), r.cfg.StepTime)
}

// pinned reports whether the servers run pinned to CPU 0.
func (r *rig) pinned() bool { return r.cl.taskset != "" }

// verify opens a full client as the reader on doc, on node 0: at every
// settle it must have the same text as every node.
func (r *rig) verify(ctx context.Context, plan, doc string) error {
	if r.verifiers[doc] != nil {
		return nil
	}
	id := fmt.Sprintf("v%x-%d", r.cfg.Seed&0xffffff, len(r.verifiers)+1)
	t, err := DialTab(ctx, id, 0, r.cl.Nodes[0], r.token(demoReader), &r.tabStats)
	if err != nil {
		return err
	}
	r.verifiers[doc], r.plans[doc] = t, plan
	return t.Open(ctx, plan, doc)
}

// settle stops the typing and checks convergence (Load.Settle).
func (r *rig) settle(ctx context.Context) Settled {
	return r.ld.Settle(ctx, r.cl, r.token(demoReader), r.verifiers, r.plans, r.cfg.Deadline)
}

// finish closes the clients, stops the nodes and checks the store: every
// acknowledged op stored exactly once, the clients' view equal to the log.
func (r *rig) finish(ctx context.Context) (StoreCheck, error) {
	r.closeClients()
	if err := r.cl.StopNodes(); err != nil {
		r.log.Warn("a node did not stop cleanly", "err", err)
	}
	st, err := r.cl.OpenStore(ctx)
	if err != nil {
		return StoreCheck{}, err
	}
	defer st.Close()
	chk, err := r.ld.CheckStore(ctx, st, r.verifiers)
	if err != nil {
		return chk, err
	}
	r.log.Info("op logs checked", "docs", chk.Docs, "acked", chk.Acked, "lost", chk.Lost, "duplicated", chk.Duplicated,
		"witness_checked", chk.Witness.Checked, "ok", chk.OK())
	return chk, nil
}

func (r *rig) closeClients() {
	r.ld.Close()
	for _, t := range r.verifiers {
		_ = t.Client.Close()
	}
}

// Close stops everything.
func (r *rig) Close() {
	r.closeClients()
	r.stopRenew()
	r.renewing.Wait()
	if err := r.cl.Close(); err != nil {
		r.log.Warn("cluster did not stop cleanly", "err", err)
	}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// flatten returns the sections of a tree, depth first.
func flatten(secs []*Section) []*Section {
	var out []*Section
	for _, s := range secs {
		out = append(out, s)
		out = append(out, flatten(s.Children)...)
	}
	return out
}

// Machine describes where a run ran, for the summary lines.
type Machine struct {
	CPUs    int    `json:"cpus"`
	GoVer   string `json:"go"`
	Taskset bool   `json:"taskset"`
	Seed    uint64 `json:"seed"`
}

func (r *rig) machine() Machine {
	return Machine{CPUs: runtime.NumCPU(), GoVer: runtime.Version(), Taskset: r.pinned(), Seed: r.cfg.Seed}
}
