// Command temaplan-bench is the load generator and fault-drill tool of
// Temaplan. It starts what a scenario needs by itself — the temaplan nodes,
// and for several nodes a Mongo-compatible FerretDB and a redis-server — in
// a temporary directory, with the demo seeded (-demo); logs in as the demo
// users over HTTP, drives clients that speak the real WebSocket protocol
// (docs/protocol.md, through package client), checks the outcome
// against the store, stops everything again and prints its measurements as
// JSON lines on stdout. Progress goes to stderr.
//
//	temaplan-bench -scenario converge -nodes 2 -clients 8 -ops 2000
//	temaplan-bench -scenario typing -steps 10,50,100 -step-time 20s
//	temaplan-bench -scenario faults -ops 10000 -taskset
//
// The load scenarios (municipalities, typing, hot, idle, multinode) print
// one JSON line per step and a summary line (`"summary":true`); the
// faults scenario one line per fault and a summary. Latencies are in
// milliseconds, p50/p95/p99 by the nearest rank. See
// bench/results/README.md for the fields.
//
// The exit code is 0 when the scenario's guarantees held, 1 when they did
// not (or it could not run) and 2 for bad flags. The guarantees are about
// correctness only — nothing acknowledged lost or stored twice, every
// client converged — never about speed: the figures are reported, not
// judged, so a slow or busy machine does not fail a run.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	// The bench's own garbage collections hold up its readers, and what
	// they hold up is measured as the server's latency: with thousands of
	// clients the default (100) collected several times a second. The
	// bench's heap is small; it collects less often unless GOGC says.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Config is the whole configuration of one bench run, from flags.
type Config struct {
	// Scenario names the scenario to run.
	Scenario string
	// Nodes is how many temaplan processes serve; one runs on the embedded
	// SQLite store and in-process bus, more share FerretDB and Redis.
	Nodes int
	// Clients is how many WebSocket clients (tabs) take part.
	Clients int
	// Ops is how many edits the clients type in all.
	Ops int
	// Seed seeds the random choices; runs with one seed type the same
	// edits (their interleaving still depends on timing).
	Seed uint64
	// ReconnectProb is the probability, per edit, that a client drops its
	// connection and reconnects to a random node.
	ReconnectProb float64
	// MaxPause is the longest random pause between two edits of a client.
	MaxPause time.Duration
	// Deadline bounds the wait for convergence after the typing.
	Deadline time.Duration
	// Bin and FerretBin are prebuilt binaries of cmd/temaplan and
	// cmd/ferretdb-dev; empty means build them.
	Bin, FerretBin string
	// Keep keeps the temporary directory (logs, data) for inspection.
	Keep bool

	// The load scenarios' settings.
	//
	// Steps are the sizes a scenario steps through: authors (typing),
	// plans (municipalities), clients (hot), connections (idle); empty
	// means the scenario's own list.
	Steps []int
	// Warmup is the load before a step is measured, StepTime the
	// measured time of a step.
	Warmup, StepTime time.Duration
	// Interval is how often an author presses 1–4 keys.
	Interval time.Duration
	// Spread spreads the typing authors over the demo plan's sections.
	Spread bool
	// Lurkers is the read-only connections per typing author.
	Lurkers int
	// Authors is the typing authors of the multinode scenario.
	Authors int
	// HoldP95 is the p95 ack a step must stay within to count as held;
	// StopP95 the p95 ack past which stepping stops.
	HoldP95, StopP95 time.Duration
	// MinReviewers and MaxReviewers bound the reviewers per plan, Readers
	// the readers per plan (municipalities); PresenceEvery and
	// CommentEvery how often a reviewer moves the cursor and comments.
	MinReviewers, MaxReviewers, Readers int
	PresenceEvery, CommentEvery         time.Duration
	// Faults names the fault drills: "multi" (two nodes on FerretDB and
	// Redis) and "single" (one node on SQLite); RecoveryTimeout bounds the
	// wait for every tab to have an op acknowledged after a fault.
	Faults          []string
	RecoveryTimeout time.Duration
	// Taskset pins the servers to CPU 0 and the bench to the others.
	Taskset bool
	// ProfileDir, if set, receives a CPU profile of every node for every
	// measured step.
	ProfileDir string
	// SelfProfile, if set, is the file of a CPU profile of the bench
	// itself over the whole run.
	SelfProfile string
}

// StepsOr returns the configured steps, or def.
func (c Config) StepsOr(def ...int) []int {
	if len(c.Steps) > 0 {
		return c.Steps
	}
	return def
}

// scenario is one named workload. run prints its JSON lines through env
// and reports whether the scenario's guarantees held; an error means it
// could not run to the end.
type scenario struct {
	name    string
	summary string
	run     func(ctx context.Context, env *Env) (ok bool, err error)
}

// scenarios lists every scenario, each in its own file.
func scenarios() []scenario {
	return []scenario{
		{"converge", "clients type random edits across nodes with random reconnects; check convergence and exactly-once storage", runConverge},
		{"municipalities", "steps of P plans, each with its leader typing in 2 tabs, 5–15 reviewers (presence, comments) and readers", runMunicipalities},
		{"typing", "steps of N authors typing into one section (-spread: all sections) with 3 lurkers each; ack and broadcast latency", runTyping},
		{"hot", "K clients in a closed loop on one document: the commit ceiling, against the store's raw insert rate", runHot},
		{"idle", "M idle connections subscribed to plans: server RSS and heap per connection", runIdle},
		{"multinode", "authors spread over 2–3 nodes on FerretDB and Redis: cross-node broadcast latency against one node", runMultinode},
		{"faults", "authors type while nodes are killed, Redis and FerretDB restarted (and one SQLite node killed): exactly once, converged", runFaults},
		{"backup", "authors type into the demo plan up to 100 000 ops (-steps); temaplan backup while they type, restore, start a node on it", runBackup},
	}
}

// Env is what a scenario gets: its configuration, a logger for progress
// (stderr) and the writer of its JSON result lines (stdout).
type Env struct {
	Config Config
	Log    *slog.Logger
	out    *json.Encoder
}

// Emit prints one JSON line of results.
func (e *Env) Emit(v any) error {
	if err := e.out.Encode(v); err != nil {
		return fmt.Errorf("write result: %w", err)
	}
	return nil
}

// run parses args, runs the scenario and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "temaplan-bench:", err)
		return 2
	}
	i := slices.IndexFunc(scenarios(), func(s scenario) bool { return s.name == cfg.Scenario })
	if i < 0 {
		fmt.Fprintf(stderr, "temaplan-bench: unknown scenario %q (have: %s)\n", cfg.Scenario, strings.Join(scenarioNames(), ", "))
		return 2
	}
	if cfg.SelfProfile != "" {
		f, err := os.Create(cfg.SelfProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(stderr, "temaplan-bench: -self-profile:", err)
			return 2
		}
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
		}()
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	env := &Env{Config: cfg, Log: slog.New(slog.NewTextHandler(stderr, nil)), out: enc}
	ok, err := scenarios()[i].run(ctx, env)
	if err != nil {
		env.Log.Error("scenario failed", "scenario", cfg.Scenario, "err", err)
		return 1
	}
	if !ok {
		env.Log.Error("scenario guarantees did not hold", "scenario", cfg.Scenario)
		return 1
	}
	return 0
}

func scenarioNames() []string {
	var names []string
	for _, s := range scenarios() {
		names = append(names, s.name)
	}
	return names
}

// parseFlags reads the configuration from args and checks it.
func parseFlags(args []string, usage io.Writer) (Config, error) {
	var cfg Config
	fs := flag.NewFlagSet("temaplan-bench", flag.ContinueOnError)
	fs.SetOutput(usage)
	fs.StringVar(&cfg.Scenario, "scenario", "", "scenario to run: "+strings.Join(scenarioNames(), ", "))
	fs.IntVar(&cfg.Nodes, "nodes", 1, "temaplan nodes: 1 runs the embedded SQLite store, more share a FerretDB and a redis-server")
	fs.IntVar(&cfg.Clients, "clients", 8, "WebSocket clients, spread round-robin over the nodes")
	fs.IntVar(&cfg.Ops, "ops", 2000, "edits typed by all clients together")
	fs.Uint64Var(&cfg.Seed, "seed", 0, "random seed (0: from the clock; the seed used is printed)")
	fs.Float64Var(&cfg.ReconnectProb, "reconnect-prob", 0.01, "probability per edit that a client drops its connection and reconnects to a random node")
	fs.DurationVar(&cfg.MaxPause, "max-pause", 5*time.Millisecond, "longest random pause between two edits of a client")
	fs.DurationVar(&cfg.Deadline, "deadline", 60*time.Second, "how long to wait for the clients to converge after typing")
	fs.StringVar(&cfg.Bin, "bin", "", "prebuilt temaplan binary (default: go build ./cmd/temaplan)")
	fs.StringVar(&cfg.FerretBin, "ferretdb-bin", "", "prebuilt ferretdb-dev binary (default: go build ./cmd/ferretdb-dev)")
	fs.BoolVar(&cfg.Keep, "keep", false, "keep the temporary directory with the logs and data")
	steps := fs.String("steps", "", "comma-separated step sizes (authors, plans, clients or connections; default: the scenario's)")
	fs.DurationVar(&cfg.Warmup, "warmup", 3*time.Second, "load before each step is measured")
	fs.DurationVar(&cfg.StepTime, "step-time", 30*time.Second, "measured time of each step")
	fs.DurationVar(&cfg.Interval, "interval", 400*time.Millisecond, "how often a typing author presses 1–4 keys")
	fs.BoolVar(&cfg.Spread, "spread", false, "typing: spread the authors over all sections of the plan")
	fs.IntVar(&cfg.Lurkers, "lurkers", 3, "typing: read-only connections per author")
	fs.IntVar(&cfg.Authors, "authors", 20, "multinode: typing authors")
	fs.DurationVar(&cfg.HoldP95, "hold-p95", 100*time.Millisecond, "p95 ack a step must stay within to hold")
	fs.DurationVar(&cfg.StopP95, "stop-p95", 200*time.Millisecond, "p95 ack past which stepping stops")
	reviewers := fs.String("reviewers", "5-15", "municipalities: reviewers per plan, MIN-MAX")
	fs.IntVar(&cfg.Readers, "readers", 2, "municipalities: readers per plan")
	fs.DurationVar(&cfg.PresenceEvery, "presence-every", 2*time.Second, "municipalities: how often a reviewer moves the cursor")
	fs.DurationVar(&cfg.CommentEvery, "comment-every", 30*time.Second, "municipalities: how often a reviewer writes a comment")
	fs.DurationVar(&cfg.RecoveryTimeout, "recovery-timeout", 30*time.Second, "faults: how long to wait for every tab to have an op acknowledged after a fault (then recovery_ms is -1)")
	faults := fs.String("faults", "multi,single", "faults: the drills to run (multi: 2 nodes on FerretDB and Redis; single: 1 node on SQLite)")
	fs.StringVar(&cfg.SelfProfile, "self-profile", "", "file for a CPU profile of the bench process itself over the whole run")
	fs.StringVar(&cfg.ProfileDir, "profile", "", "directory for a CPU profile of every node over every measured step (go tool pprof)")
	fs.BoolVar(&cfg.Taskset, "taskset", false, "pin the servers to CPU 0 (taskset -c 0) and the bench to the other CPUs")
	fs.Usage = func() {
		fmt.Fprintf(usage, "Usage: temaplan-bench -scenario NAME [flags]\n\n")
		fmt.Fprintf(usage, "Starts Temaplan nodes (and FerretDB and Redis for several) in a temporary directory,\n")
		fmt.Fprintf(usage, "drives clients over the real WebSocket protocol and prints JSON lines of results.\n\nScenarios:\n")
		for _, s := range scenarios() {
			fmt.Fprintf(usage, "  %-10s %s\n", s.name, s.summary)
		}
		fmt.Fprintf(usage, "\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected arguments %q (see -h)", fs.Args())
	}
	var errs []error
	if cfg.Scenario == "" {
		errs = append(errs, errors.New("-scenario is required"))
	}
	if cfg.Nodes < 1 {
		errs = append(errs, errors.New("-nodes must be at least 1"))
	}
	if cfg.Clients < 1 {
		errs = append(errs, errors.New("-clients must be at least 1"))
	}
	if cfg.Ops < 0 {
		errs = append(errs, errors.New("-ops must not be negative"))
	}
	if cfg.ReconnectProb < 0 || cfg.ReconnectProb > 1 {
		errs = append(errs, errors.New("-reconnect-prob must be between 0 and 1"))
	}
	if cfg.MaxPause < 0 || cfg.Deadline <= 0 {
		errs = append(errs, errors.New("-max-pause must not be negative and -deadline must be positive"))
	}
	if cfg.Seed == 0 {
		cfg.Seed = uint64(time.Now().UnixNano())
	}
	if cfg.ProfileDir != "" {
		if err := os.MkdirAll(cfg.ProfileDir, 0o755); err != nil {
			errs = append(errs, fmt.Errorf("-profile: %w", err))
		}
	}
	if *steps != "" {
		for f := range strings.SplitSeq(*steps, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 {
				errs = append(errs, fmt.Errorf("-steps: %q is not a positive number", f))
				continue
			}
			cfg.Steps = append(cfg.Steps, n)
		}
	}
	if lo, hi, ok := strings.Cut(*reviewers, "-"); ok {
		var err1, err2 error
		cfg.MinReviewers, err1 = strconv.Atoi(lo)
		cfg.MaxReviewers, err2 = strconv.Atoi(hi)
		if err1 != nil || err2 != nil || cfg.MinReviewers < 0 || cfg.MaxReviewers < cfg.MinReviewers {
			errs = append(errs, fmt.Errorf("-reviewers: want MIN-MAX, not %q", *reviewers))
		}
	} else {
		errs = append(errs, fmt.Errorf("-reviewers: want MIN-MAX, not %q", *reviewers))
	}
	for f := range strings.SplitSeq(*faults, ",") {
		switch f = strings.TrimSpace(f); f {
		case "multi", "single":
			cfg.Faults = append(cfg.Faults, f)
		case "":
		default:
			errs = append(errs, fmt.Errorf("-faults: unknown drill %q (have multi, single)", f))
		}
	}
	if cfg.Warmup < 0 || cfg.StepTime <= 0 || cfg.Interval <= 0 {
		errs = append(errs, errors.New("-warmup must not be negative; -step-time and -interval must be positive"))
	}
	if cfg.Lurkers < 0 || cfg.Authors < 1 || cfg.Readers < 0 {
		errs = append(errs, errors.New("-lurkers and -readers must not be negative and -authors must be at least 1"))
	}
	if cfg.PresenceEvery <= 0 || cfg.CommentEvery <= 0 || cfg.HoldP95 <= 0 || cfg.StopP95 <= 0 || cfg.RecoveryTimeout <= 0 {
		errs = append(errs, errors.New("-presence-every, -comment-every, -hold-p95, -stop-p95 and -recovery-timeout must be positive"))
	}
	return cfg, errors.Join(errs...)
}
