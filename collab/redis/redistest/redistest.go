// Package redistest runs a real redis-server for tests: on a free loopback
// port, without persistence, stopped on Close. Tests that need Redis fail,
// never skip, when it cannot be started.
package redistest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// StartTimeout bounds how long Start and Restart wait for the server to
// answer PING when the context has no earlier deadline.
const StartTimeout = 15 * time.Second

// Server is a Redis server for tests: one this package started, or the one
// that REDIS_URL names.
type Server struct {
	url  string
	port int
	dir  string

	mu   sync.Mutex
	proc *process // nil when stopped or external
}

// process is one run of redis-server.
type process struct {
	cmd    *exec.Cmd
	out    *lockedBuffer
	exited chan struct{} // closed when the process has ended
	err    error         // Wait's result, set before exited is closed
}

// Start returns the server that REDIS_URL names if it is set, and otherwise
// starts a redis-server of its own (see StartLocal).
func Start(ctx context.Context) (*Server, error) {
	if u := os.Getenv("REDIS_URL"); u != "" {
		return &Server{url: u}, nil
	}
	return StartLocal(ctx)
}

// StartLocal starts a redis-server of its own on a free port of 127.0.0.1,
// whatever REDIS_URL says, and waits until it answers PING. Tests that
// restart the server need one of their own.
func StartLocal(ctx context.Context) (*Server, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("redistest: redis-server not found on PATH (install redis-server: apt-get install -y redis-server): %w", err)
	}
	dir, err := os.MkdirTemp("", "redistest-")
	if err != nil {
		return nil, fmt.Errorf("redistest: %w", err)
	}
	// A free port can be taken by someone else between our probe and
	// redis-server's bind: try a few.
	var lastErr error
	for range 3 {
		port, err := freePort()
		if err != nil {
			_ = os.RemoveAll(dir)
			return nil, err
		}
		s := &Server{port: port, dir: dir, url: fmt.Sprintf("redis://127.0.0.1:%d", port)}
		if lastErr = s.start(ctx, bin); lastErr == nil {
			return s, nil
		}
	}
	_ = os.RemoveAll(dir)
	return nil, lastErr
}

// URL returns the server's redis:// URL.
func (s *Server) URL() string { return s.url }

// Addr returns the server's host:port, or "" for an external server.
func (s *Server) Addr() string {
	if s.port == 0 {
		return ""
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
}

// Stop stops the server (SIGTERM, then SIGKILL after 5 s) and keeps its
// port for Restart. Clients see their connections closed.
func (s *Server) Stop() error {
	if s.port == 0 {
		return errors.New("redistest: cannot stop the external server of REDIS_URL")
	}
	s.mu.Lock()
	p := s.proc
	s.proc = nil
	s.mu.Unlock()
	if p == nil {
		return nil
	}
	return p.stop()
}

// Restart stops the server if it runs and starts it again on the same
// port, waiting until it answers PING. Clients must reconnect; everything
// the server held is gone (it has no persistence).
func (s *Server) Restart(ctx context.Context) error {
	if s.port == 0 {
		return errors.New("redistest: cannot restart the external server of REDIS_URL; use StartLocal")
	}
	if err := s.Stop(); err != nil {
		return err
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return fmt.Errorf("redistest: %w", err)
	}
	return s.start(ctx, bin)
}

// Close stops a server this package started and removes its files. It
// leaves an external server alone.
func (s *Server) Close() error {
	if s.port == 0 {
		return nil
	}
	err := s.Stop()
	if rmErr := os.RemoveAll(s.dir); err == nil {
		err = rmErr
	}
	return err
}

func (s *Server) start(ctx context.Context, bin string) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, StartTimeout)
		defer cancel()
	}
	out := &lockedBuffer{}
	cmd := exec.Command(bin,
		"--port", strconv.Itoa(s.port),
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--dir", s.dir,
		"--daemonize", "no",
		"--logfile", "",
	)
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("redistest: start redis-server: %w", err)
	}
	p := &process{cmd: cmd, out: out, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	if err := waitReady(ctx, s.Addr(), p); err != nil {
		_ = p.stop()
		return fmt.Errorf("redistest: redis-server on port %d: %w\n%s", s.port, err, out.String())
	}
	s.mu.Lock()
	s.proc = p
	s.mu.Unlock()
	return nil
}

// waitReady polls the server with PING until it answers PONG, the process
// ends or ctx is done. A listening socket has no event to wait on.
func waitReady(ctx context.Context, addr string, p *process) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		err := ping(ctx, addr)
		if err == nil {
			return nil
		}
		select {
		case <-p.exited:
			return fmt.Errorf("exited: %v", p.err)
		case <-ctx.Done():
			return fmt.Errorf("no PONG: %w (last error: %v)", ctx.Err(), err)
		case <-tick.C:
		}
	}
}

// ping speaks just enough RESP to ask for PONG.
func ping(ctx context.Context, addr string) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return fmt.Errorf("PING answered %q", line)
	}
	return nil
}

func (p *process) stop() error {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	timer := time.NewTimer(5 * time.Second)
	defer timer.Stop()
	select {
	case <-p.exited:
		return nil
	case <-timer.C:
	}
	_ = p.cmd.Process.Kill()
	<-p.exited
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("redistest: find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// lockedBuffer collects the server's output for error messages.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() > 64<<10 { // keep the start, which says why it failed
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
