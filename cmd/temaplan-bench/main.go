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
//
// The exit code is 0 when the scenario's guarantees held, 1 when they did
// not (or it could not run) and 2 for bad flags.
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
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
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
}

// scenario is one named workload. run prints its JSON lines through env
// and reports whether the scenario's guarantees held; an error means it
// could not run to the end.
type scenario struct {
	name    string
	summary string
	run     func(ctx context.Context, env *Env) (ok bool, err error)
}

// scenarios lists every scenario. Later ones (typing, hot, idle,
// multinode, faults, municipalities) are added here, each in its own file.
func scenarios() []scenario {
	return []scenario{
		{"converge", "clients type random edits across nodes with random reconnects; check convergence and exactly-once storage", runConverge},
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
	return cfg, errors.Join(errs...)
}
