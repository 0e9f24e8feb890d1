// Command ferretdb-dev runs an embedded FerretDB (SQLite backend) that speaks
// the MongoDB wire protocol, for tests, for `make multinode` and for the bench
// tool. It is a development tool only: FerretDB must never be imported by the
// product binary (cmd/temaplan), which talks to a real MongoDB through
// collab/mongo when MONGODB_URI is set.
//
// When the server accepts connections it prints exactly one line to stdout,
//
//	ready mongodb://127.0.0.1:PORT/
//
// so that a parent process can wait for it (use -listen 127.0.0.1:0 for a free
// port). It stops cleanly on SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		stop()
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "ferretdb-dev:", err)
		stop()
		os.Exit(1)
	}
}

// errUsage reports bad flags; the flag set has already printed why.
var errUsage = errors.New("usage")

// run parses args, starts FerretDB, prints the ready line to stdout and
// serves until ctx is cancelled (or, with -exit-on-eof, stdin is closed).
func run(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("ferretdb-dev", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:27018", "TCP address to listen on (port 0 picks a free port)")
	dir := fs.String("dir", "", "directory of the SQLite files (created if missing; required)")
	exitOnEOF := fs.Bool("exit-on-eof", false, "also stop when stdin is closed, so that a parent that dies without signalling leaves no orphan")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if *dir == "" {
		return errors.New("-dir is required")
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if *exitOnEOF {
		// The goroutine ends with the process: a blocked read of stdin
		// cannot be interrupted portably, and nothing waits for it.
		go func() {
			_, _ = io.Copy(io.Discard, stdin)
			cancel()
		}()
	}

	abs, err := filepath.Abs(*dir)
	if err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	// FerretDB's SQLite backend wants an existing directory.
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	// The SQLite URI must name a directory: "file:/abs/dir/".
	sqliteURL := &url.URL{Scheme: "file", Path: filepath.ToSlash(abs) + "/", OmitHost: true}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    slog.New(slog.DiscardHandler),
		Handler:   "sqlite",
		SQLiteURL: sqliteURL.String(),
	})
	if err != nil {
		return fmt.Errorf("start FerretDB: %w", err)
	}

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()

	// New has already bound the listener, so the URI (with the real port when
	// -listen asked for port 0) is known and connections queue until Run
	// accepts them.
	if _, err := fmt.Fprintln(stdout, "ready", f.MongoDBURI()); err != nil {
		cancel() // nobody can learn the address: stop
		<-done
		return fmt.Errorf("print ready line: %w", err)
	}

	return <-done
}
