// Command temaplan runs a Temaplan node: the REST API, the collaboration
// WebSocket and the embedded browser UI in one binary.
//
// With no configuration it runs on its own: the embedded SQLite store under
// ./data, an in-process bus, and a JWT secret generated once. With
// MONGODB_URI and REDIS_URL several nodes share one MongoDB replica set and
// one Redis, and any node serves any plan.
//
//	temaplan [serve] [flags]   run the server (the default)
//	temaplan useradd [flags]   create an account
//	temaplan version           print the version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"
	// The municipalities' dates ("today", overdue milestones) are in
	// Europe/Oslo, also on hosts without a zone database.
	_ "time/tzdata"
)

// version is set at build time: -ldflags "-X main.version=v1.2.3".
var version string

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// command is one sub-command of temaplan. Later ones (backup, restore,
// demo) are added to commands.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, env environment) int
}

// environment is what a command gets from the process.
type environment struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

func commands() []command {
	return []command{
		{"serve", "run the server (the default command)", runServe},
		{"useradd", "create an account (the first administrator of a deployment)", runUseradd},
		{"backup", "write an online backup of the embedded store to a new file", runBackup},
		{"restore", "restore a backup into an empty data directory", runRestore},
		{"version", "print the version", runVersion},
	}
}

// run dispatches to a sub-command and returns the exit code: 0 for
// success, 1 for a failure at run time, 2 for a usage or configuration
// error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	env := environment{stdin: os.Stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	name := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	if name == "help" {
		usage(stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, args, env)
		}
	}
	fmt.Fprintf(stderr, "temaplan: unknown command %q\n\n", name)
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: temaplan [command] [flags]")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun `temaplan serve -h` for the flags and environment variables.")
}

// runServe runs the server until SIGINT or SIGTERM, then shuts it down
// gracefully: a second signal kills the process at once.
func runServe(ctx context.Context, args []string, env environment) int {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	m := NewMain()
	m.Stdout, m.Stderr, m.Getenv = env.stdout, env.stderr, env.getenv
	if err := m.ParseFlags(ctx, args); errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		fmt.Fprintln(env.stderr, "temaplan:", err)
		return 2
	}
	if err := m.Run(ctx); err != nil {
		fmt.Fprintln(env.stderr, "temaplan:", err)
		if err := m.Close(); err != nil {
			fmt.Fprintln(env.stderr, "temaplan:", err)
		}
		return 1
	}

	code := 0
	select {
	case <-ctx.Done():
	case err := <-m.Err():
		fmt.Fprintln(env.stderr, "temaplan:", err)
		code = 1
	}
	stop()
	if err := m.Close(); err != nil {
		fmt.Fprintln(env.stderr, "temaplan:", err)
		code = 1
	}
	return code
}

func runVersion(ctx context.Context, args []string, env environment) int {
	if len(args) > 0 {
		fmt.Fprintln(env.stderr, "temaplan: version takes no arguments")
		return 2
	}
	fmt.Fprintf(env.stdout, "temaplan %s (%s, %s/%s)\n", buildVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return 0
}

// buildVersion returns the version set at build time, or what the Go
// toolchain recorded (module version or VCS revision).
func buildVersion() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "dev-" + s.Value[:12]
		}
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	return "dev"
}
