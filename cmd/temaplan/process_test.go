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
	"slices"
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

// lockedBuffer is a bytes.Buffer safe for one writer and many readers,
// which readers can wait on.
type lockedBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // closed and replaced on every write
}

func newLockedBuffer() *lockedBuffer { return &lockedBuffer{changed: make(chan struct{})} }

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	close(b.changed)
	b.changed = make(chan struct{})
	return b.buf.Write(p)
}

// contains reports whether the buffer holds s, and returns the channel
// that the next write closes.
func (b *lockedBuffer) contains(s string) (bool, <-chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Contains(b.buf.String(), s), b.changed
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
	n := &node{t: t, cmd: cmd, out: newLockedBuffer(), addrc: make(chan string, 1), exited: make(chan struct{})}
	cmd.Stdout = n.out
	pr, pw := io.Pipe()
	cmd.Stderr = pw
	n.started = time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// exited closes only when the process has ended and all it wrote to
	// stderr is in out: a refusal's message must be there when wait returns.
	drained := make(chan struct{})
	go func() {
		defer close(drained)
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
		<-drained
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

// waitOutput waits until the node's output contains s, failing the test
// after timeout or when the node exits first. A line logged after the
// listener opened may come after /readyz answers.
func (n *node) waitOutput(s string, timeout time.Duration) {
	n.t.Helper()
	deadline := time.After(timeout)
	for {
		found, changed := n.out.contains(s)
		if found {
			return
		}
		select {
		case <-changed:
		case <-n.exited:
			if found, _ := n.out.contains(s); !found {
				n.t.Fatalf("the node exited without printing %q:\n%s", s, n.out)
			}
			return
		case <-deadline:
			n.t.Fatalf("no %q after %s:\n%s", s, timeout, n.out)
		}
	}
}

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

// doJSON sends a request as the user of token ("" for nobody) and
// decodes the JSON answer into out (if not nil).
func doJSON(t *testing.T, method, url, token, body string, wantStatus int, out any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
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

// sessionJSON is the answer to a login.
type sessionJSON struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
	User        struct {
		ID    string `json:"id"`
		Email string `json:"email"`
		Admin bool   `json:"admin"`
	} `json:"user"`
}

// login logs in at the node as email with password.
func (n *node) login(email, password string) sessionJSON {
	n.t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	var s sessionJSON
	doJSON(n.t, "POST", n.url("/api/auth/login"), "", string(body), 200, &s)
	if s.AccessToken == "" || s.User.Email != email {
		n.t.Fatalf("login as %s answered %+v", email, s)
	}
	return s
}

// plans lists the plans the user of token may read.
func (n *node) plans(token string) []planJSON {
	n.t.Helper()
	var list struct{ Items []planJSON }
	doJSON(n.t, "GET", n.url("/api/plans"), token, "", 200, &list)
	return list.Items
}

type planJSON struct {
	ID       string            `json:"id"`
	Title    string            `json:"title"`
	Seq      int64             `json:"seq"`
	Roles    []string          `json:"roles"`
	Sections []json.RawMessage `json:"sections"`
}

// The demo that -demo seeds (demo.go), as README.md names it to users.
var demoEmails = []string{
	"leader@demo.no", "member@demo.no", "finance@demo.no", "reader@demo.no",
	"steering@demo.no", "political@demo.no", "admin@demo.no",
}

const (
	wantDemoPlanID    = "demo-temaplan-bolig"
	wantDemoPlanTitle = "Temaplan om bolig 2027–2030"
)

// TestProcess_ServeStopRestart starts the binary with -demo on a fresh
// data directory, lets the demo administrator create a plan, stops it
// with SIGTERM, and checks that it exits cleanly and that a restart finds
// the plan and the same secret.
func TestProcess_ServeStopRestart(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"TEMAPLAN_DATA": data, "TEMAPLAN_ADDR": "127.0.0.1:0", "TEMAPLAN_ADMIN_ADDR": "127.0.0.1:0"}

	n := startNode(t, env, "-demo")
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

	// The default demo password is "demo" (README.md).
	admin := n.login("admin@demo.no", "demo")
	leader := n.login("leader@demo.no", "demo")
	var created planJSON
	doJSON(t, "POST", n.url("/api/plans"), admin.AccessToken,
		fmt.Sprintf(`{"title":"Boligplan 2026–2030","type":"temaplan","leader":%q}`, leader.User.ID), 201, &created)
	if len(created.Sections) != 7 {
		t.Errorf("the new plan has %d top-level sections, want 7", len(created.Sections))
	}
	if code := n.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM, want 0:\n%s", code, n.out)
	}
	if !strings.Contains(n.out.String(), `msg="temaplan stopped"`) {
		t.Errorf("no clean stop logged:\n%s", n.out)
	}

	// Warm start on the same data directory: the tokens, signed with the
	// same secret, still hold.
	n = startNode(t, env, "-demo")
	warm := n.waitReady(30 * time.Second)
	var got *planJSON
	for _, p := range n.plans(leader.AccessToken) {
		if p.ID == created.ID {
			got = &p
		}
	}
	if got == nil || got.Title != created.Title || got.Seq != created.Seq {
		t.Errorf("after the restart the leader's plans have %+v, want %+v", got, created)
	}
	if list := n.plans(admin.AccessToken); len(list) != 2 {
		t.Errorf("%d plans after the restart, want 2 (the demo's and the new one): %+v", len(list), list)
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

// TestProcess_DemoSeedsOnce starts the binary with TEMAPLAN_DEMO twice on
// one data directory: the demo users log in with TEMAPLAN_DEMO_PASSWORD
// and see the demo plan in their role, and the second start leaves one
// plan and one of each user.
func TestProcess_DemoSeedsOnce(t *testing.T) {
	const password = "prøv-demoen"
	env := map[string]string{
		"TEMAPLAN_DATA": filepath.Join(t.TempDir(), "data"), "TEMAPLAN_ADDR": "127.0.0.1:0",
		"TEMAPLAN_DEMO": "true", "TEMAPLAN_DEMO_PASSWORD": password,
	}
	var leaderID string
	for start := 1; start <= 2; start++ {
		n := startNode(t, env)
		n.waitReady(30 * time.Second)
		n.waitOutput(`msg="demo: log in as one of these users" users="leader@demo.no `, 10*time.Second)

		leader := n.login("leader@demo.no", password)
		if leaderID == "" {
			leaderID = leader.User.ID
		} else if leader.User.ID != leaderID {
			t.Errorf("start %d: leader@demo.no is account %s, was %s", start, leader.User.ID, leaderID)
		}
		for _, u := range []struct{ email, role string }{{"leader@demo.no", "leader"}, {"reader@demo.no", "reader"}} {
			token := leader.AccessToken
			if u.email != "leader@demo.no" {
				token = n.login(u.email, password).AccessToken
			}
			list := n.plans(token)
			if len(list) != 1 || list[0].ID != wantDemoPlanID || list[0].Title != wantDemoPlanTitle ||
				len(list[0].Roles) != 1 || list[0].Roles[0] != u.role {
				t.Errorf("start %d: GET /api/plans as %s = %+v, want the demo plan %q in role %s",
					start, u.email, list, wantDemoPlanID, u.role)
			}
		}

		admin := n.login("admin@demo.no", password)
		if !admin.User.Admin {
			t.Errorf("admin@demo.no is no administrator")
		}
		if list := n.plans(admin.AccessToken); len(list) != 1 {
			t.Errorf("start %d: the administrator sees %d plans, want 1: %+v", start, len(list), list)
		}
		var users struct {
			Items []struct{ Email string }
		}
		doJSON(t, "GET", n.url("/api/admin/users"), admin.AccessToken, "", 200, &users)
		count := map[string]int{}
		for _, u := range users.Items {
			count[u.Email]++
		}
		for _, e := range demoEmails {
			if count[e] != 1 {
				t.Errorf("start %d: %d accounts %s, want 1", start, count[e], e)
			}
		}
		if len(users.Items) != len(demoEmails) {
			t.Errorf("start %d: %d accounts, want %d", start, len(users.Items), len(demoEmails))
		}

		doJSON(t, "POST", n.url("/api/auth/login"), "", `{"email":"leader@demo.no","password":"demo"}`, 401, nil)
		doJSON(t, "GET", n.url("/api/plans"), "", "", 401, nil)
		if code := n.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
			t.Fatalf("start %d: exit code %d after SIGTERM, want 0", start, code)
		}
	}
}

// TestREADME_NamesTheDemoUsers checks README.md tells whom to log in as
// after `make run`, with which password.
func TestREADME_NamesTheDemoUsers(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range demoUsers {
		if !strings.Contains(string(b), "`"+u.email+"`") {
			t.Errorf("README.md does not name the demo user %s", u.email)
		}
		if !slices.Contains(demoEmails, u.email) {
			t.Errorf("the demo user %s is not in the process tests' list", u.email)
		}
	}
	for _, s := range settings() {
		if s.name == setDemoPass && !strings.Contains(string(b), "password `"+s.def+"`") {
			t.Errorf("README.md does not give the demo password %q", s.def)
		}
	}
}

// TestProcess_MetricsOnTheirOwnListener checks /metrics and /debug/pprof/
// are served on the admin listener only.
func TestProcess_MetricsOnTheirOwnListener(t *testing.T) {
	n := startNode(t, map[string]string{
		"TEMAPLAN_DATA": t.TempDir(), "TEMAPLAN_ADDR": "127.0.0.1:0", "TEMAPLAN_ADMIN_ADDR": "127.0.0.1:0",
	})
	n.waitReady(30 * time.Second)
	m := regexp.MustCompile(`metrics=(\S+)`).FindStringSubmatch(n.out.String())
	if m == nil {
		t.Fatalf("no admin address in the start-up line:\n%s", n.out)
	}
	admin := "http://" + m[1]
	doJSON(t, "GET", n.url("/api/plans"), "", "", 401, nil)
	get := func(url string) (int, string) {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := get(admin + "/metrics")
	if code != 200 {
		t.Errorf("GET /metrics on the admin listener: %d", code)
	}
	for _, want := range []string{`temaplan_http_requests_total{code="401",method="GET",route="/api/plans"} 1`, "go_goroutines", "process_resident_memory_bytes",
		"temaplan_hearing_responses_deleted_total 0"} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if code, body := get(admin + "/debug/pprof/"); code != 200 || !strings.Contains(body, "goroutine") {
		t.Errorf("GET /debug/pprof/ on the admin listener: %d", code)
	}
	if _, body := get(n.url("/metrics")); strings.Contains(body, "temaplan_http_requests_total") || strings.Contains(body, "go_goroutines") {
		t.Error("/metrics is served on the public listener")
	}
	if _, body := get(n.url("/debug/pprof/")); strings.Contains(body, "goroutine") {
		t.Error("/debug/pprof/ is served on the public listener")
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
	n := startNode(t, map[string]string{"TEMAPLAN_ADDR": "nope", "TEMAPLAN_LOG_LEVEL": "loud",
		"TEMAPLAN_METRICS_ADDR": "127.0.0.1:9090", "TEMAPLAN_DEMO": "yes"})
	if code := n.wait(10 * time.Second); code != 2 {
		t.Errorf("exit code %d, want 2", code)
	}
	for _, want := range []string{"TEMAPLAN_ADDR (-addr)", "TEMAPLAN_LOG_LEVEL (-log-level)",
		"TEMAPLAN_METRICS_ADDR was renamed TEMAPLAN_ADMIN_ADDR", `TEMAPLAN_DEMO (-demo): "yes" is not true or false`} {
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
	for _, bad := range []string{"github.com/FerretDB/", "github.com/getkin/kin-openapi", "github.com/emersion/go-smtp"} {
		if strings.Contains(string(out), bad) {
			t.Errorf("cmd/temaplan depends on %s", bad)
		}
	}
}
