package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/mongo"
	"github.com/temaplan/temaplan/collab/sqlite"
)

// dbFileName is the embedded store's file in a node's data directory; it
// must match dbFileName in cmd/temaplan/serve.go.
const dbFileName = "temaplan.db"

// mongoDB is the database the nodes share on FerretDB.
const mongoDB = "temaplan_bench"

// Timeouts of starting and stopping the processes.
const (
	readyTimeout = 60 * time.Second
	nodeGrace    = 15 * time.Second // SIGTERM to exit: the node's own shutdown takes up to 8 s
	serviceGrace = 10 * time.Second
)

// ClusterConfig says what to start.
type ClusterConfig struct {
	// Nodes is the number of temaplan processes. One runs on the embedded
	// SQLite store and the in-process bus; more share one FerretDB (the
	// MongoDB wire protocol) and one redis-server.
	Nodes int
	// Bin and FerretBin are prebuilt binaries; empty means build them from
	// the module the working directory is in.
	Bin, FerretBin string
	// Keep keeps the temporary directory when the cluster is closed.
	Keep bool
	// Taskset pins the servers (nodes, FerretDB, Redis) to CPU 0 and the
	// bench to the others, so that they do not compete for cores; it is
	// ignored, with a warning, without taskset or a second CPU.
	Taskset bool
	Log     *slog.Logger
}

// Cluster is a set of running temaplan nodes and the services they share,
// all in one temporary directory. Close stops everything.
type Cluster struct {
	cfg   ClusterConfig
	log   *slog.Logger
	dir   string
	Nodes []*Node

	ferret      *proc
	ferretStdin io.WriteCloser
	redis       *proc

	// What restarts need: the binaries, the nodes' environment, the
	// services' addresses and the taskset program ("" when not pinning).
	bin, ferretBin string
	env            []string
	ferretAddr     string
	redisPort      int
	taskset        string
	restarts       int
	// MongoURI and RedisURL are empty for one node.
	MongoURI, RedisURL string
	// DemoPassword is the password of the demo users the nodes seed
	// (-demo), made up for the run.
	DemoPassword string

	closeOnce sync.Once
	closeErr  error
}

// Node is one running temaplan process.
type Node struct {
	Name    string
	Addr    string // host:port of its HTTP listener
	DataDir string
	// AdminAddr is the node's private listener of /metrics and
	// /debug/pprof, for profiling a run.
	AdminAddr string
	proc      *proc
}

// URL returns the node's http:// URL of path.
func (n *Node) URL(path string) string { return "http://" + n.Addr + path }

// WSURL returns the node's WebSocket endpoint.
func (n *Node) WSURL() string { return "ws://" + n.Addr + "/api/ws" }

// Pid returns the node's process id.
func (n *Node) Pid() int { return n.proc.pid() }

// StartCluster builds what is not prebuilt and starts the services and the
// nodes, waiting until every node's /readyz answers 200. On error,
// everything started so far is stopped again.
func StartCluster(ctx context.Context, cfg ClusterConfig) (_ *Cluster, err error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	dir, err := os.MkdirTemp("", "temaplan-bench-")
	if err != nil {
		return nil, fmt.Errorf("temporary directory: %w", err)
	}
	c := &Cluster{cfg: cfg, log: cfg.Log, dir: dir}
	defer func() {
		if err != nil {
			if cerr := c.Close(); cerr != nil {
				c.log.Warn("cleaning up after a failed start", "err", cerr)
			}
		}
	}()

	bin, ferretBin, err := c.build(ctx)
	if err != nil {
		return nil, err
	}
	c.bin, c.ferretBin = bin, ferretBin
	if cfg.Taskset {
		// Pinned after the build, which may use every core.
		if c.taskset = tasksetPath(); c.taskset == "" {
			c.log.Warn("-taskset ignored: no taskset program or only one CPU")
		} else if err := pinSelf(c.taskset, benchCPUs()); err != nil {
			return nil, err
		} else {
			c.log.Info("pinned the servers to CPU 0 and the bench to the others", "bench_cpus", benchCPUs())
		}
	}
	if cfg.Nodes > 1 {
		if err := c.startFerretDB(ctx, ferretBin); err != nil {
			return nil, err
		}
		if err := c.startRedis(ctx); err != nil {
			return nil, err
		}
	}

	secret := make([]byte, 32)
	_, _ = rand.Read(secret) // never fails
	c.DemoPassword = rand.Text()
	// The nodes seed the demo municipality, its users and its plan (all
	// nodes at once share one seed: each step is an insert under a fixed
	// key); the scenarios log in as its users and type into its plan.
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"TEMAPLAN_LOG_LEVEL=info",
		"TEMAPLAN_DEMO=true",
		"TEMAPLAN_DEMO_PASSWORD=" + c.DemoPassword,
	}
	if cfg.Nodes > 1 {
		env = append(env,
			"MONGODB_URI="+c.MongoURI,
			"MONGODB_DB="+mongoDB,
			"REDIS_URL="+c.RedisURL,
			"TEMAPLAN_JWT_SECRET="+hex.EncodeToString(secret),
		)
	}
	c.env = env
	// The first node starts alone: it creates the schema and seeds the
	// demo, which the others then find in place. Seeding from several
	// nodes at once is not what the bench measures.
	c.Nodes = make([]*Node, cfg.Nodes)
	if c.Nodes[0], err = c.startNode(ctx, "node-1"); err != nil {
		return nil, err
	}
	g, gctx := errgroup.WithContext(ctx)
	for i := 1; i < len(c.Nodes); i++ {
		g.Go(func() error {
			n, err := c.startNode(gctx, fmt.Sprintf("node-%d", i+1))
			c.Nodes[i] = n // nil on error; Close skips it
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return c, nil
}

// Dir returns the cluster's temporary directory.
func (c *Cluster) Dir() string { return c.dir }

// Login logs in as a demo user (leader@demo.no, …) at the first node. Run
// the session's Run to keep its token valid past ten minutes; the token
// is good on every node.
func (c *Cluster) Login(ctx context.Context, email string) (*Session, error) {
	return Login(ctx, c.Nodes[0].URL(""), email, c.DemoPassword)
}

// build builds cmd/temaplan and, for several nodes, cmd/ferretdb-dev, in
// parallel, unless they are prebuilt.
func (c *Cluster) build(ctx context.Context) (bin, ferretBin string, err error) {
	bin, ferretBin = c.cfg.Bin, c.cfg.FerretBin
	needFerret := c.cfg.Nodes > 1 && ferretBin == ""
	if bin != "" && !needFerret {
		return bin, ferretBin, nil
	}
	root, err := moduleRoot(ctx)
	if err != nil {
		return "", "", err
	}
	g, gctx := errgroup.WithContext(ctx)
	if bin == "" {
		bin = filepath.Join(c.dir, "temaplan")
		g.Go(func() error {
			// The UI is embedded from frontend/dist, which only exists after
			// `npm run build`; without it, measure the server alone.
			if _, err := os.Stat(filepath.Join(root, "frontend", "dist", "index.html")); err != nil {
				c.log.Warn("building without the UI (-tags noui): frontend/dist has no index.html")
				return goBuild(gctx, c.log, root, bin, "./cmd/temaplan", "-tags", "noui")
			}
			err := goBuild(gctx, c.log, root, bin, "./cmd/temaplan")
			if err != nil && strings.Contains(err.Error(), "dist") {
				c.log.Warn("building without the UI (-tags noui): embedding frontend/dist failed", "err", err)
				err = goBuild(gctx, c.log, root, bin, "./cmd/temaplan", "-tags", "noui")
			}
			return err
		})
	}
	if needFerret {
		ferretBin = filepath.Join(c.dir, "ferretdb-dev")
		g.Go(func() error { return goBuild(gctx, c.log, root, ferretBin, "./cmd/ferretdb-dev") })
	}
	return bin, ferretBin, g.Wait()
}

// moduleRoot returns the directory of the main module's go.mod.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, goTool(), "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("go env GOMOD: not inside the temaplan module (run from the repository, or pass -bin)")
	}
	return filepath.Dir(gomod), nil
}

// goBuild builds the package pkg of the module at root into out.
func goBuild(ctx context.Context, log *slog.Logger, root, out, pkg string, flags ...string) error {
	start := time.Now()
	args := append([]string{"build", "-o", out}, flags...)
	cmd := exec.CommandContext(ctx, goTool(), append(args, pkg)...)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, b)
	}
	log.Info("built", "pkg", pkg, "flags", strings.Join(flags, " "), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(os.Getenv("GOROOT"), "bin", "go")
}

// startFerretDB starts ferretdb-dev on a free port and waits for its
// ready line. It stops when its stdin closes (-exit-on-eof), so it also
// stops when the bench dies.
func (c *Cluster) startFerretDB(ctx context.Context, bin string) error {
	// Its stdout holds the ready line only; its log goes to stderr.
	ready := newFirstLine(io.Discard)
	listen := c.ferretAddr
	if listen == "" {
		listen = "127.0.0.1:0"
	}
	cmd := c.command(bin, "-listen", listen, "-dir", filepath.Join(c.dir, "ferretdb"), "-exit-on-eof")
	cmd.Stdout = ready
	var err error
	if c.ferretStdin, err = cmd.StdinPipe(); err != nil {
		return fmt.Errorf("ferretdb-dev: %w", err)
	}
	if c.ferret, err = startProc("ferretdb-dev", cmd, filepath.Join(c.dir, c.logName("ferretdb"))); err != nil {
		return err
	}
	timer := time.NewTimer(readyTimeout)
	defer timer.Stop()
	select {
	case line := <-ready.line:
		uri, ok := strings.CutPrefix(line, "ready ")
		if !ok {
			return fmt.Errorf("ferretdb-dev: unexpected first line %q", line)
		}
		u, err := url.Parse(uri)
		if err != nil || u.Host == "" {
			return fmt.Errorf("ferretdb-dev: ready line %q: no address", line)
		}
		if c.MongoURI != "" && c.MongoURI != uri {
			return fmt.Errorf("ferretdb-dev restarted at %s, not %s", uri, c.MongoURI)
		}
		c.MongoURI, c.ferretAddr = uri, u.Host
	case <-c.ferret.exited:
		return fmt.Errorf("ferretdb-dev exited before it was ready (%v):\n%s", c.ferret.waitErr, c.ferret.tail(2048))
	case <-timer.C:
		return fmt.Errorf("ferretdb-dev not ready after %s:\n%s", readyTimeout, c.ferret.tail(2048))
	case <-ctx.Done():
		return ctx.Err()
	}
	c.log.Info("ferretdb-dev ready", "uri", c.MongoURI, "pid", c.ferret.pid())
	return nil
}

// startRedis starts a redis-server without persistence on a free port
// and waits until it answers PING. A port taken between the probe and the
// bind is retried with another.
func (c *Cluster) startRedis(ctx context.Context) error {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return fmt.Errorf("redis-server not found on PATH (apt-get install redis-server): %w", err)
	}
	var lastErr error
	for attempt := range 3 {
		port := c.redisPort // a restart takes the same port
		if port == 0 {
			if port, err = freePort(); err != nil {
				return err
			}
		}
		cmd := c.command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--dir", c.dir, "--daemonize", "no")
		p, err := startProc("redis-server", cmd, filepath.Join(c.dir, c.logName(fmt.Sprintf("redis-%d", attempt))))
		if err != nil {
			return err
		}
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		if lastErr = waitFor(ctx, p, readyTimeout, func() error { return pingRedis(ctx, addr) }); lastErr == nil {
			c.redis, c.RedisURL, c.redisPort = p, "redis://"+addr, port
			c.log.Info("redis-server ready", "url", c.RedisURL, "pid", p.pid())
			return nil
		}
		_ = p.stop(syscall.SIGTERM, serviceGrace)
		lastErr = fmt.Errorf("redis-server on port %d: %w\n%s", port, lastErr, p.tail(2048))
		if ctx.Err() != nil || c.redisPort != 0 {
			break
		}
	}
	return lastErr
}

// startNode starts a temaplan node on a free port with its own data
// directory and waits for /readyz 200.
func (c *Cluster) startNode(ctx context.Context, name string) (*Node, error) {
	data := filepath.Join(c.dir, name)
	var lastErr error
	for attempt := range 3 {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		mport, err := freePort()
		if err != nil {
			return nil, err
		}
		n := &Node{Name: name, Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), DataDir: data,
			AdminAddr: net.JoinHostPort("127.0.0.1", strconv.Itoa(mport))}
		lastErr = c.launch(ctx, n, fmt.Sprintf("%s-%d.log", name, attempt))
		if lastErr == nil {
			return n, nil
		}
		if ctx.Err() != nil || !strings.Contains(lastErr.Error(), "address already in use") {
			break
		}
	}
	return nil, lastErr
}

// launch starts node n's process on its addresses and data directory and
// waits for /readyz 200.
func (c *Cluster) launch(ctx context.Context, n *Node, logName string) error {
	cmd := c.command(c.bin, "serve")
	cmd.Env = append(c.env[:len(c.env):len(c.env)],
		"TEMAPLAN_ADDR="+n.Addr, "TEMAPLAN_DATA="+n.DataDir, "TEMAPLAN_ADMIN_ADDR="+n.AdminAddr)
	start := time.Now()
	var err error
	if n.proc, err = startProc(n.Name, cmd, filepath.Join(c.dir, logName)); err != nil {
		return err
	}
	err = waitFor(ctx, n.proc, readyTimeout, func() error { return readyz(ctx, n.URL("/readyz")) })
	if err != nil {
		_ = n.proc.stop(syscall.SIGKILL, serviceGrace)
		return fmt.Errorf("%s: %w\n%s", n.Name, err, n.proc.tail(4096))
	}
	c.log.Info("node ready", "node", n.Name, "addr", n.Addr, "metrics", n.AdminAddr, "pid", n.Pid(), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// command returns the command that runs bin, pinned to CPU 0 with
// taskset when the cluster pins its servers (taskset execs bin, so the
// process id is bin's).
func (c *Cluster) command(bin string, args ...string) *exec.Cmd {
	if c.taskset != "" {
		return exec.Command(c.taskset, append([]string{"-c", "0", bin}, args...)...)
	}
	return exec.Command(bin, args...)
}

// logName returns the name of a log file for a process started by a
// restart: the first start's name, numbered after it.
func (c *Cluster) logName(base string) string {
	if c.restarts == 0 {
		return base + ".log"
	}
	return fmt.Sprintf("%s-restart-%d.log", base, c.restarts)
}

// KillNode kills node i with SIGKILL, as a crash does: no shutdown, open
// connections reset.
func (c *Cluster) KillNode(i int) error {
	n := c.Nodes[i]
	if !n.proc.running() {
		return fmt.Errorf("%s is not running", n.Name)
	}
	_ = n.proc.stop(syscall.SIGKILL, serviceGrace) // its exit code is the kill's
	c.log.Info("killed", "node", n.Name)
	return nil
}

// RestartNode starts node i again, on the same addresses and data
// directory (the same SQLite file for one node), and waits until it is
// ready. A node still running is killed first.
func (c *Cluster) RestartNode(ctx context.Context, i int) error {
	n := c.Nodes[i]
	if n.proc.running() {
		_ = n.proc.stop(syscall.SIGKILL, serviceGrace)
	}
	c.restarts++
	return c.launch(ctx, n, c.logName(n.Name))
}

// RestartRedis kills the redis-server with SIGKILL and starts it again on
// the same port, empty (it keeps nothing: the bus carries nothing that is
// not also in the store).
func (c *Cluster) RestartRedis(ctx context.Context) error {
	if c.redis == nil {
		return errors.New("no redis-server in a one-node cluster")
	}
	_ = c.redis.stop(syscall.SIGKILL, serviceGrace)
	c.restarts++
	c.log.Info("killed redis-server; starting it again", "port", c.redisPort)
	return c.startRedis(ctx)
}

// RestartFerretDB kills FerretDB with SIGKILL and starts it again on the
// same address and data.
func (c *Cluster) RestartFerretDB(ctx context.Context) error {
	if c.ferret == nil {
		return errors.New("no FerretDB in a one-node cluster")
	}
	_ = c.ferret.stop(syscall.SIGKILL, serviceGrace)
	_ = c.ferretStdin.Close()
	c.restarts++
	c.log.Info("killed ferretdb-dev; starting it again", "addr", c.ferretAddr)
	return c.startFerretDB(ctx, c.ferretBin)
}

// waitFor polls check until it succeeds, the process exits, timeout
// passes or ctx ends. A listening socket has no event to wait on.
func waitFor(ctx context.Context, p *proc, timeout time.Duration, check func() error) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		err := check()
		if err == nil {
			return nil
		}
		select {
		case <-p.exited:
			return fmt.Errorf("exited before it was ready (%v)", p.waitErr)
		case <-deadline.C:
			return fmt.Errorf("not ready after %s: %w", timeout, err)
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// readyz asks a node's readiness endpoint.
func readyz(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	_, err := get(ctx, url)
	return err
}

// pingRedis speaks just enough RESP to ask for PONG.
func pingRedis(ctx context.Context, addr string) error {
	var d net.Dialer
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	buf := make([]byte, 7)
	if _, err := io.ReadFull(conn, buf); err != nil {
		return err
	}
	if string(buf) != "+PONG\r\n" {
		return fmt.Errorf("PING answered %q", buf)
	}
	return nil
}

// freePort returns a TCP port of 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// LogLevels counts the warnings and errors in the node's log so far: a
// run can pass its checks while a node logged trouble worth a look.
func (n *Node) LogLevels() (warnings, errs int, err error) {
	f, err := os.Open(n.proc.logPath)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	return CountLogLevels(f)
}

// SaveMetrics writes every node's /metrics to metrics-<node>.txt in the
// cluster's directory (kept with Keep), for a look at commit latencies
// and bus lag after a run.
func (c *Cluster) SaveMetrics(ctx context.Context) error {
	var errs []error
	for _, n := range c.Nodes {
		b, err := get(ctx, "http://"+n.AdminAddr+"/metrics")
		if err == nil {
			err = os.WriteFile(filepath.Join(c.dir, "metrics-"+n.Name+".txt"), b, 0o600)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: metrics: %w", n.Name, err))
		}
	}
	return errors.Join(errs...)
}

// get fetches url and returns the body of a 200 answer.
func get(ctx context.Context, url string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return b, nil
}

// NodeMemory is a node's resident set size and its peak, in MiB.
type NodeMemory struct {
	RSS, Peak float64
}

// Memory measures every running node.
func (c *Cluster) Memory() ([]NodeMemory, error) {
	out := make([]NodeMemory, len(c.Nodes))
	for i, n := range c.Nodes {
		rss, peak, err := memory(n.Pid())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", n.Name, err)
		}
		out[i] = NodeMemory{RSS: round(rss, 1), Peak: round(peak, 1)}
	}
	return out, nil
}

// StopNodes stops every node gracefully (SIGTERM) and waits for it. A
// node that does not exit in time gets SIGQUIT, on which the Go runtime
// writes every goroutine's stack to its log (what it was waiting for), and
// is then killed. It returns what went wrong: an exit code other than 0 is
// an error.
func (c *Cluster) StopNodes() error {
	var wg sync.WaitGroup
	errs := make([]error, len(c.Nodes))
	for i, n := range c.Nodes {
		if n == nil {
			continue
		}
		wg.Go(func() { errs[i] = n.proc.stop(syscall.SIGTERM, nodeGrace) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// OpenStore opens the store the nodes used, directly: the first node's
// SQLite file, or the shared MongoDB. Stop the nodes first: the embedded
// store has one writer.
func (c *Cluster) OpenStore(ctx context.Context) (collab.Store, error) {
	if c.MongoURI != "" {
		s, err := mongo.Open(ctx, c.MongoURI, mongoDB, nil)
		if err != nil {
			return nil, fmt.Errorf("open the nodes' store: %w", err)
		}
		return s, nil
	}
	s, err := sqlite.Open(ctx, filepath.Join(c.Nodes[0].DataDir, dbFileName), nil)
	if err != nil {
		return nil, fmt.Errorf("open the node's store: %w", err)
	}
	return s, nil
}

// Close stops whatever still runs — nodes first, then Redis and FerretDB —
// and removes the temporary directory unless Keep is set. It is safe to
// call more than once.
func (c *Cluster) Close() error {
	c.closeOnce.Do(func() {
		var errs []error
		for _, n := range c.Nodes {
			if n != nil && n.proc.running() {
				// A node still running here is being abandoned (an error or
				// Ctrl-C): its exit code does not matter.
				_ = n.proc.stop(syscall.SIGTERM, nodeGrace)
			}
		}
		if c.redis != nil {
			_ = c.redis.stop(syscall.SIGTERM, serviceGrace)
		}
		if c.ferret != nil {
			// Closing stdin is the clean stop of -exit-on-eof.
			_ = c.ferretStdin.Close()
			select {
			case <-c.ferret.exited:
			case <-time.After(serviceGrace):
				errs = append(errs, c.ferret.stop(syscall.SIGTERM, serviceGrace))
			}
		}
		if c.cfg.Keep {
			c.log.Info("kept the temporary directory", "dir", c.dir)
		} else if err := os.RemoveAll(c.dir); err != nil {
			errs = append(errs, fmt.Errorf("remove %s: %w", c.dir, err))
		}
		c.closeErr = errors.Join(errs...)
	})
	return c.closeErr
}
