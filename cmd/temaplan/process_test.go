package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/temaplan/temaplan/auth"
)

// The process tests build the real binary (without the UI: -tags noui)
// once and run it as a user would.
var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// binary returns the path of the temaplan binary, building it on first use.
func binary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "temaplan-bin-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "temaplan")
		start := time.Now()
		cmd := exec.Command(goTool(), "build", "-tags", "noui", "-o", binPath, ".")
		out, err := cmd.CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %w\n%s", err, out)
			return
		}
		fmt.Fprintf(os.Stderr, "built %s in %s\n", binPath, time.Since(start).Round(time.Millisecond))
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(os.Getenv("GOROOT"), "bin", "go")
}

// node is one running temaplan process.
type node struct {
	t       *testing.T
	cmd     *exec.Cmd
	out     *lockedBuffer
	started time.Time
	addrc   chan string
	addr    string
	exited  chan struct{}
	waitErr error
}

// lockedBuffer is a bytes.Buffer safe for one writer and many readers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var startedLine = regexp.MustCompile(`msg="temaplan started".* addr=(\S+)`)

// startNode starts the binary with args and exactly the environment env
// (plus PATH and HOME): variables of the test's own environment, such as
// a MONGODB_URI, must not leak into it.
func startNode(t *testing.T, env map[string]string, args ...string) *node {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	n := &node{t: t, cmd: cmd, out: &lockedBuffer{}, addrc: make(chan string, 1), exited: make(chan struct{})}
	cmd.Stdout = n.out
	pr, pw := io.Pipe()
	cmd.Stderr = pw
	n.started = time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(n.out, line)
			if m := startedLine.FindStringSubmatch(line); m != nil {
				select {
				case n.addrc <- m[1]:
				default:
				}
			}
		}
		io.Copy(io.Discard, pr)
	}()
	go func() {
		n.waitErr = cmd.Wait()
		pw.Close()
		close(n.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-n.exited:
		default:
			cmd.Process.Kill()
			<-n.exited
		}
		if t.Failed() {
			t.Logf("output of %v:\n%s", args, n.out)
		}
	})
	return n
}

// waitReady waits for the start-up line and then for /readyz to answer
// 200, and returns the time from the process start.
func (n *node) waitReady(timeout time.Duration) time.Duration {
	n.t.Helper()
	deadline := time.After(timeout)
	select {
	case n.addr = <-n.addrc:
	case <-n.exited:
		n.t.Fatalf("the node exited before it started: %v\n%s", n.waitErr, n.out)
	case <-deadline:
		n.t.Fatalf("no start-up line after %s:\n%s", timeout, n.out)
	}
	client := &http.Client{Timeout: time.Second}
	for {
		resp, err := client.Get(n.url("/readyz"))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(n.started)
			}
		}
		select {
		case <-deadline:
			n.t.Fatalf("/readyz not 200 after %s (last: %v)\n%s", timeout, err, n.out)
		case <-n.exited:
			n.t.Fatalf("the node exited: %v\n%s", n.waitErr, n.out)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func (n *node) url(path string) string { return "http://" + n.addr + path }

// stop sends sig and returns the exit code, failing the test if the
// process does not exit within the deadline.
func (n *node) stop(sig os.Signal, within time.Duration) int {
	n.t.Helper()
	if err := n.cmd.Process.Signal(sig); err != nil {
		n.t.Fatal(err)
	}
	return n.wait(within)
}

// wait waits for the process to exit and returns its exit code.
func (n *node) wait(within time.Duration) int {
	n.t.Helper()
	select {
	case <-n.exited:
	case <-time.After(within):
		n.t.Fatalf("the node did not exit within %s:\n%s", within, n.out)
	}
	var ee *exec.ExitError
	if errors.As(n.waitErr, &ee) {
		return ee.ExitCode()
	}
	if n.waitErr != nil {
		n.t.Fatal(n.waitErr)
	}
	return 0
}

// doJSON sends a request and decodes the JSON answer into out (if not nil).
func doJSON(t *testing.T, method, url, body string, wantStatus int, out any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		t.Fatalf("%s %s: %d %s, want %d", method, url, resp.StatusCode, b, wantStatus)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, url, b, err)
		}
	}
}

type planJSON struct {
	ID       string            `json:"id"`
	Title    string            `json:"title"`
	Seq      int64             `json:"seq"`
	Sections []json.RawMessage `json:"sections"`
}

// TestProcess_ServeStopRestart starts the binary on a fresh data
// directory, creates a plan, stops it with SIGTERM, and checks that it
// exits cleanly and that a restart finds the plan and the same secret.
func TestProcess_ServeStopRestart(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"TEMAPLAN_DATA": data, "TEMAPLAN_ADDR": "127.0.0.1:0", "TEMAPLAN_ADMIN_ADDR": "127.0.0.1:0"}

	n := startNode(t, env)
	cold := n.waitReady(30 * time.Second)

	line := startedLine.FindString(n.out.String())
	for _, want := range []string{`store="sqlite ` + data, "bus=in-process", "jwt_secret=" + filepath.Join(data, auth.SecretFileName)} {
		if !strings.Contains(n.out.String(), want) {
			t.Errorf("start-up line %q lacks %q", line, want)
		}
	}
	if c := strings.Count(n.out.String(), `msg="temaplan started"`); c != 1 {
		t.Errorf("%d start-up lines, want 1", c)
	}
	for _, p := range []string{data, filepath.Join(data, auth.SecretFileName)} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		want := os.FileMode(0o600)
		if fi.IsDir() {
			want = 0o700
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s has mode %04o, want %04o", p, fi.Mode().Perm(), want)
		}
	}
	secret, err := os.ReadFile(filepath.Join(data, auth.SecretFileName))
	if err != nil {
		t.Fatal(err)
	}

	var created planJSON
	doJSON(t, "POST", n.url("/api/plans"), `{"title":"Boligplan 2026–2030","municipality":"Bodø"}`, 201, &created)
	if len(created.Sections) != 7 {
		t.Errorf("the new plan has %d top-level sections, want 7", len(created.Sections))
	}
	if code := n.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM, want 0:\n%s", code, n.out)
	}
	if !strings.Contains(n.out.String(), `msg="temaplan stopped"`) {
		t.Errorf("no clean stop logged:\n%s", n.out)
	}

	// Warm start on the same data directory.
	n = startNode(t, env)
	warm := n.waitReady(30 * time.Second)
	var got planJSON
	doJSON(t, "GET", n.url("/api/plans/"+created.ID), "", 200, &got)
	if got.ID != created.ID || got.Title != created.Title || got.Seq != created.Seq {
		t.Errorf("after the restart the plan is %+v, want %+v", got, created)
	}
	var list struct{ Items []planJSON }
	doJSON(t, "GET", n.url("/api/plans"), "", 200, &list)
	if len(list.Items) != 1 {
		t.Errorf("%d plans after the restart, want 1", len(list.Items))
	}
	again, err := os.ReadFile(filepath.Join(data, auth.SecretFileName))
	if err != nil || !bytes.Equal(secret, again) {
		t.Errorf("the secret changed across the restart (err %v)", err)
	}
	if code := n.stop(syscall.SIGINT, 15*time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGINT, want 0", code)
	}
	t.Logf("start-up to /readyz 200: cold (fresh data dir) %s, warm (existing data) %s",
		cold.Round(time.Millisecond), warm.Round(time.Millisecond))
}

// TestProcess_MetricsOnTheirOwnListener checks /metrics is served on the
// metrics listener only.
func TestProcess_MetricsOnTheirOwnListener(t *testing.T) {
	n := startNode(t, map[string]string{
		"TEMAPLAN_DATA": t.TempDir(), "TEMAPLAN_ADDR": "127.0.0.1:0", "TEMAPLAN_ADMIN_ADDR": "127.0.0.1:0",
	})
	n.waitReady(30 * time.Second)
	m := regexp.MustCompile(`metrics=(\S+)`).FindStringSubmatch(n.out.String())
	if m == nil {
		t.Fatalf("no metrics address in the start-up line:\n%s", n.out)
	}
	doJSON(t, "GET", n.url("/api/plans"), "", 200, nil)
	resp, err := http.Get("http://" + m[1] + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`temaplan_http_requests_total{code="200",method="GET",route="/api/plans"} 1`, "go_goroutines", "process_resident_memory_bytes"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	resp, err = http.Get(n.url("/metrics"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(b), "temaplan_http_requests_total") {
		t.Error("/metrics is served on the public listener")
	}
	n.stop(syscall.SIGTERM, 15*time.Second)
}

func TestProcess_MongoWithoutSecretRefusesToStart(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	n := startNode(t, map[string]string{
		"MONGODB_URI": "mongodb://127.0.0.1:1/?replicaSet=rs0", "TEMAPLAN_DATA": data, "TEMAPLAN_ADDR": "127.0.0.1:0",
	})
	if code := n.wait(10 * time.Second); code != 2 {
		t.Errorf("exit code %d, want 2", code)
	}
	if !strings.Contains(n.out.String(), "TEMAPLAN_JWT_SECRET or TEMAPLAN_JWT_SECRET_FILE is required when MONGODB_URI is set") {
		t.Errorf("the refusal does not say what to do:\n%s", n.out)
	}
	if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused start created the data directory (%v)", err)
	}
}

func TestProcess_InvalidConfigurationExitsWithUsageCode(t *testing.T) {
	n := startNode(t, map[string]string{"TEMAPLAN_ADDR": "nope", "TEMAPLAN_LOG_LEVEL": "loud"})
	if code := n.wait(10 * time.Second); code != 2 {
		t.Errorf("exit code %d, want 2", code)
	}
	for _, want := range []string{"TEMAPLAN_ADDR (-addr)", "TEMAPLAN_LOG_LEVEL (-log-level)"} {
		if !strings.Contains(n.out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, n.out)
		}
	}
}

func TestProcess_PortInUseFails(t *testing.T) {
	a := startNode(t, map[string]string{"TEMAPLAN_DATA": t.TempDir(), "TEMAPLAN_ADDR": "127.0.0.1:0"})
	a.waitReady(30 * time.Second)
	b := startNode(t, map[string]string{"TEMAPLAN_DATA": t.TempDir(), "TEMAPLAN_ADDR": a.addr})
	if code := b.wait(15 * time.Second); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if !strings.Contains(b.out.String(), "TEMAPLAN_ADDR") || !strings.Contains(b.out.String(), "address already in use") {
		t.Errorf("the failure does not say why:\n%s", b.out)
	}
	a.stop(syscall.SIGTERM, 15*time.Second)
}

func TestProcess_Commands(t *testing.T) {
	n := startNode(t, nil, "version")
	if code := n.wait(10 * time.Second); code != 0 || !strings.HasPrefix(n.out.String(), "temaplan ") {
		t.Errorf("version: exit %d, output %q", code, n.out)
	}
	n = startNode(t, nil, "help")
	if code := n.wait(10 * time.Second); code != 0 || !strings.Contains(n.out.String(), "serve") {
		t.Errorf("help: exit %d, output %q", code, n.out)
	}
	n = startNode(t, nil, "frobnicate")
	if code := n.wait(10 * time.Second); code != 2 || !strings.Contains(n.out.String(), `unknown command "frobnicate"`) {
		t.Errorf("unknown command: exit %d, output %q", code, n.out)
	}
	n = startNode(t, nil, "serve", "-h")
	if code := n.wait(10 * time.Second); code != 0 || !strings.Contains(n.out.String(), "TEMAPLAN_JWT_SECRET_FILE") {
		t.Errorf("serve -h: exit %d, output %q", code, n.out)
	}
}

// TestBinary_LeavesOutDevelopmentDependencies checks the product binary
// does not link FerretDB (a test and development tool) or the OpenAPI
// validator (tests only).
func TestBinary_LeavesOutDevelopmentDependencies(t *testing.T) {
	out, err := exec.Command(goTool(), "list", "-tags", "noui", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, bad := range []string{"github.com/FerretDB/", "github.com/getkin/kin-openapi"} {
		if strings.Contains(string(out), bad) {
			t.Errorf("cmd/temaplan depends on %s", bad)
		}
	}
}
