// Package mongotest gives tests a MongoDB wire server: the one named by the
// MONGODB_URI environment variable, or else an embedded FerretDB (SQLite
// backend) run by cmd/ferretdb-dev in its own process.
//
// FerretDB runs in a separate process, built without -race, for two reasons:
// the race detector makes its reads several times slower, and compiling it
// into every test binary would add minutes to each cold build. Start it once
// per test binary, in TestMain, and give each test its own database with DB:
//
//	var srv *mongotest.Server // set by TestMain, read by the tests
//
//	func TestMain(m *testing.M) {
//		s, err := mongotest.Start(context.Background())
//		if err != nil {
//			fmt.Fprintln(os.Stderr, err)
//			os.Exit(1)
//		}
//		srv = s
//		code := m.Run()
//		s.Close()
//		os.Exit(code)
//	}
//
//	func TestSomething(t *testing.T) {
//		st, err := mongo.Open(t.Context(), srv.URI(), mongotest.DB(t, srv), nil)
//		...
//	}
package mongotest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
)

// EnvURI names the environment variable that points the tests at an existing
// server instead of an embedded FerretDB.
const EnvURI = "MONGODB_URI"

// startTimeout bounds building and starting FerretDB when ctx has no deadline
// of its own. A cold build of cmd/ferretdb-dev takes minutes; a warm one,
// seconds.
const startTimeout = 10 * time.Minute

// Server is a running MongoDB wire server for tests.
type Server struct {
	uri    string
	client *mongo.Client

	// Set only when the server is our own FerretDB process.
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	stderr  *syncBuffer
	exited  chan struct{} // closed when cmd.Wait returns
	waitErr error         // valid once exited is closed
	tmp     string        // data directory

	closeOnce sync.Once
	closeErr  error
}

// Start returns the server named by MONGODB_URI if it is set; otherwise it
// builds cmd/ferretdb-dev (relinked only when something changed), starts it on a free port with a temporary data directory and waits for it
// to be ready. ctx bounds the start only; Close stops the server.
func Start(ctx context.Context) (*Server, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, startTimeout)
		defer cancel()
	}

	if uri := os.Getenv(EnvURI); uri != "" {
		s := &Server{uri: uri}
		if err := s.connect(ctx); err != nil {
			return nil, fmt.Errorf("mongotest: %s=%s: %w", EnvURI, redact(uri), err)
		}
		return s, nil
	}

	s, err := startFerretDB(ctx)
	if err != nil {
		return nil, fmt.Errorf("mongotest: %w", err)
	}
	return s, nil
}

// URI returns the connection string of the server.
func (s *Server) URI() string { return s.uri }

// Close stops the server if Start started it and removes its files. It is
// safe to call more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		var errs []error
		if s.client != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			errs = append(errs, s.client.Disconnect(ctx))
			cancel()
		}
		if s.cmd != nil {
			errs = append(errs, s.stop())
		}
		if s.tmp != "" {
			errs = append(errs, os.RemoveAll(s.tmp))
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// DB returns the name of a new database for the test t, unique on srv, and
// drops that database when the test ends. Tests share one server and never
// see each other's data.
func DB(t testing.TB, srv *Server) string {
	t.Helper()

	var b [6]byte
	_, _ = rand.Read(b[:]) // never fails

	// FerretDB accepts [a-zA-Z0-9_-]{1,63} and MongoDB fewer than 64 bytes:
	// keep at most 2+32+1+12 = 47.
	name := strings.Map(func(r rune) rune {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9', r == '_':
			return r
		}
		return '_'
	}, t.Name())
	if len(name) > 32 {
		name = name[:32]
	}
	name = "t_" + name + "_" + hex.EncodeToString(b[:])

	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := srv.client.Database(name).Drop(ctx); err != nil {
			t.Errorf("mongotest: drop database %s: %v", name, err)
		}
	})
	return name
}

// connect opens the client that DB uses to drop databases and checks that
// the server answers.
func (s *Server) connect(ctx context.Context) error {
	client, err := mongo.Connect(options.Client().ApplyURI(s.uri))
	if err != nil {
		return err
	}
	if err := client.Ping(ctx, readpref.Primary()); err != nil {
		_ = client.Disconnect(context.Background())
		return err
	}
	s.client = client
	return nil
}

// startFerretDB builds and starts cmd/ferretdb-dev and waits for its ready
// line.
func startFerretDB(ctx context.Context) (_ *Server, err error) {
	root, err := moduleRoot(ctx)
	if err != nil {
		return nil, err
	}

	bin, err := build(ctx, root)
	if err != nil {
		return nil, err
	}

	tmp, err := os.MkdirTemp("", "temaplan-ferretdb-")
	if err != nil {
		return nil, err
	}
	s := &Server{tmp: tmp}
	defer func() {
		if err != nil {
			_ = s.Close()
		}
	}()

	s.stderr = &syncBuffer{max: 64 << 10}
	cmd := exec.Command(bin, "-listen", "127.0.0.1:0", "-dir", filepath.Join(tmp, "data"), "-exit-on-eof")
	cmd.Stderr = s.stderr
	// Closing stdin stops the server, on any OS, and also when this process
	// dies without running Close.
	if s.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start ferretdb-dev: %w", err)
	}
	s.cmd = cmd
	s.exited = make(chan struct{})

	ready := make(chan string, 1)
	go func() {
		// This goroutine ends when the process closes its stdout, that is
		// when it exits; Wait below waits for it.
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			ready <- sc.Text()
		}
		_, _ = io.Copy(io.Discard, stdout)
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()

	select {
	case line := <-ready:
		uri, ok := strings.CutPrefix(line, "ready ")
		if !ok {
			return nil, fmt.Errorf("ferretdb-dev: unexpected output %q; stderr:\n%s", line, s.stderr)
		}
		s.uri = uri
	case <-s.exited:
		return nil, fmt.Errorf("ferretdb-dev exited before it was ready (%v); stderr:\n%s", s.waitErr, s.stderr)
	case <-ctx.Done():
		return nil, fmt.Errorf("ferretdb-dev not ready: %w; stderr:\n%s", ctx.Err(), s.stderr)
	}

	if err := s.connect(ctx); err != nil {
		return nil, fmt.Errorf("connect to ferretdb-dev at %s: %w; stderr:\n%s", s.uri, err, s.stderr)
	}
	return s, nil
}

// build builds cmd/ferretdb-dev of the module at root, without -race, and
// returns the binary's path.
//
// The binary lives in a directory under os.TempDir() named for the module
// root, and is built there every time: go build relinks it only when
// something changed (a relink takes seconds, the check a second), and it
// replaces the file by a rename, so test binaries of several packages that
// build it at once each run a whole binary. The build's work directory is
// put next to the binary so that the rename never crosses file systems.
func build(ctx context.Context, root string) (string, error) {
	sum := sha256.Sum256([]byte(root))
	dir := filepath.Join(os.TempDir(), "temaplan-ferretdb-dev-"+hex.EncodeToString(sum[:6]))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "ferretdb-dev")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-race=false", "-o", bin, "./cmd/ferretdb-dev")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOTMPDIR="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build cmd/ferretdb-dev: %w\n%s", err, out)
	}
	return bin, nil
}

// stop closes the server's stdin, which makes it shut down, and kills it if
// it has not exited after a while.
func (s *Server) stop() error {
	_ = s.stdin.Close()
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
		return fmt.Errorf("mongotest: ferretdb-dev did not stop; killed it; stderr:\n%s", s.stderr)
	}
	if s.waitErr != nil {
		return fmt.Errorf("mongotest: ferretdb-dev: %w; stderr:\n%s", s.waitErr, s.stderr)
	}
	return nil
}

// moduleRoot returns the directory of the main module's go.mod.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("go env GOMOD: not inside a module")
	}
	return filepath.Dir(gomod), nil
}

// redact keeps only the scheme and hosts of a connection string, for error
// messages: user info and options may hold secrets.
func redact(uri string) string {
	scheme, rest, ok := strings.Cut(uri, "://")
	if !ok {
		return "(unparsable URI)"
	}
	authority, _, _ := strings.Cut(rest, "/")
	authority, _, _ = strings.Cut(authority, "?")
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		authority = "***@" + authority[i+1:]
	}
	return scheme + "://" + authority + "/"
}

// syncBuffer keeps the first max bytes written to it; it is safe for
// concurrent use, as a process's stderr is written while a test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := b.max - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
