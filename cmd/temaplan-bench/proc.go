package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// proc is one child process of the bench. It runs in a process group of
// its own, so that a Ctrl-C at the terminal reaches only the bench, which
// then stops its children in order, and so that a signal reaches the
// child's own children too. On Linux the kernel also kills it when the
// bench dies without stopping it (see sysProcAttr), so nothing is left
// orphaned.
type proc struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	logFile *os.File

	exited  chan struct{} // closed when the process has ended
	waitErr error         // Wait's result, valid once exited is closed
}

// startProc starts cmd with its output appended to the file logPath
// (stdout only if the caller has not set it) and returns at once.
func startProc(name string, cmd *exec.Cmd, logPath string) (*proc, error) {
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("%s: log file: %w", name, err)
	}
	if cmd.Stdout == nil {
		cmd.Stdout = f
	}
	cmd.Stderr = f
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, logPath: logPath, logFile: f, exited: make(chan struct{})}
	go func() {
		// Ends when the process does; stop and Close wait for it.
		p.waitErr = cmd.Wait()
		f.Close()
		close(p.exited)
	}()
	return p, nil
}

// pid returns the process id.
func (p *proc) pid() int { return p.cmd.Process.Pid }

// running reports whether the process has not ended yet.
func (p *proc) running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// stop sends sig to the process group and waits up to grace for the
// process to exit; then it kills the group. It returns the process's exit
// error when it did not exit cleanly by itself.
func (p *proc) stop(sig syscall.Signal, grace time.Duration) error {
	if !p.running() {
		return p.exitErr()
	}
	if err := signalGroup(p.cmd.Process, sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("signal %s: %w", p.name, err)
	}
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case <-p.exited:
		return p.exitErr()
	case <-timer.C:
	}
	if sig == syscall.SIGTERM {
		// A Go program writes every goroutine's stack to stderr (the
		// log) on SIGQUIT: what it was still waiting for.
		_ = signalGroup(p.cmd.Process, syscall.SIGQUIT)
		select {
		case <-p.exited:
			return fmt.Errorf("%s did not stop within %s after %s; sent SIGQUIT (goroutine dump in %s)", p.name, grace, sig, p.logPath)
		case <-time.After(5 * time.Second):
		}
	}
	_ = signalGroup(p.cmd.Process, syscall.SIGKILL)
	<-p.exited
	return fmt.Errorf("%s did not stop within %s after %s; killed it", p.name, grace, sig)
}

// exitErr describes how the process ended; nil for exit code 0.
func (p *proc) exitErr() error {
	<-p.exited
	if p.waitErr != nil {
		return fmt.Errorf("%s: %w", p.name, p.waitErr)
	}
	return nil
}

// tail returns the last n bytes of the process's log, for error messages.
func (p *proc) tail(n int) string {
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	if len(b) > n {
		b = b[len(b)-n:]
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	return string(b)
}

// firstLine is an io.Writer that passes everything on to w and sends the
// first line written to it on line.
type firstLine struct {
	w    io.Writer
	mu   sync.Mutex
	buf  []byte
	done bool
	line chan string // buffered, 1
}

func newFirstLine(w io.Writer) *firstLine {
	return &firstLine{w: w, line: make(chan string, 1)}
}

func (f *firstLine) Write(p []byte) (int, error) {
	f.mu.Lock()
	if !f.done {
		f.buf = append(f.buf, p...)
		if i := bytes.IndexByte(f.buf, '\n'); i >= 0 {
			f.line <- string(bytes.TrimRight(f.buf[:i], "\r"))
			f.done, f.buf = true, nil
		}
	}
	f.mu.Unlock()
	return f.w.Write(p)
}
