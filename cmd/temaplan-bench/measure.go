package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// NodeStats is what the bench measures of one server process over a step.
type NodeStats struct {
	Name string `json:"node"`
	// RSS and RSSPeak are VmRSS and VmHWM at the end, in MiB.
	RSS     float64 `json:"rss_mb"`
	RSSPeak float64 `json:"rss_peak_mb"`
	// CPU is the cores the process used on average (1 = one core busy).
	CPU float64 `json:"cpu_cores"`
	// HeapInuse, StackInuse and Goroutines come from the node's admin
	// listener (/metrics, Go's collector); 0 when it did not answer.
	HeapInuse  float64 `json:"heap_inuse_mb"`
	StackInuse float64 `json:"stack_inuse_mb"`
	Goroutines int     `json:"goroutines"`
	// Over a measured window, from the node's engine metrics: the store
	// round trips of commits, the ops they carried per round trip (group
	// commit) and their mean duration.
	Commits      int     `json:"commits,omitempty"`
	OpsPerCommit float64 `json:"ops_per_commit,omitempty"`
	CommitMeanMS float64 `json:"commit_mean_ms,omitempty"`
	// FramesPerS is the WebSocket frames the node wrote per second (a
	// write system call each), MsgsPerFrame the messages they carried
	// on average.
	FramesPerS   float64 `json:"frames_per_s,omitempty"`
	MsgsPerFrame float64 `json:"msgs_per_frame,omitempty"`
	// WriteWaitFactor is temaplan_websocket_write_wait_factor at the end
	// of the window: above 1 while the node was short of CPU.
	WriteWaitFactor float64 `json:"write_wait_factor,omitempty"`
}

// commitCounters are a node's cumulative commit and WebSocket write
// metrics.
type commitCounters struct{ count, seconds, ops, frames, msgs, factor float64 }

// commitCounters reads every node's commit metrics
// (temaplan_commit_duration_seconds, summed over batch sizes, and
// temaplan_ops_committed_total); zero for a node that does not answer.
func (c *Cluster) commitCounters(ctx context.Context) []commitCounters {
	out := make([]commitCounters, len(c.Nodes))
	for i, n := range c.Nodes {
		m, err := metrics(ctx, n.AdminAddr)
		if err != nil {
			continue
		}
		for k, v := range m {
			switch {
			case strings.HasPrefix(k, "temaplan_commit_duration_seconds_count"):
				out[i].count += v
			case strings.HasPrefix(k, "temaplan_commit_duration_seconds_sum"):
				out[i].seconds += v
			case k == "temaplan_ops_committed_total":
				out[i].ops = v
			case k == "temaplan_websocket_frames_sent_total":
				out[i].frames = v
			case k == "temaplan_websocket_messages_sent_total":
				out[i].msgs = v
			case k == "temaplan_websocket_write_wait_factor":
				out[i].factor = v
			}
		}
	}
	return out
}

// addCommits fills the commit and frame figures of stats from the
// counters at the start and end of a window of d.
func addCommits(stats []NodeStats, start, end []commitCounters, d time.Duration) {
	for i := range stats {
		if i >= len(start) || i >= len(end) {
			return
		}
		stats[i].WriteWaitFactor = end[i].factor
		if f := end[i].frames - start[i].frames; f > 0 && d > 0 {
			stats[i].FramesPerS = round(f/d.Seconds(), 1)
			stats[i].MsgsPerFrame = round((end[i].msgs-start[i].msgs)/f, 2)
		}
		n := end[i].count - start[i].count
		if n <= 0 {
			continue
		}
		stats[i].Commits = int(n)
		stats[i].OpsPerCommit = round((end[i].ops-start[i].ops)/n, 2)
		stats[i].CommitMeanMS = round((end[i].seconds-start[i].seconds)/n*1000, 3)
	}
}

// CPU returns the CPU time each node has used so far.
func (c *Cluster) CPU() []time.Duration {
	out := make([]time.Duration, len(c.Nodes))
	for i, n := range c.Nodes {
		if n != nil && n.proc.running() {
			out[i], _ = procCPU(n.Pid())
		}
	}
	return out
}

// Stats measures every node: its CPU since cpuStart (from CPU) over d,
// its memory now, and its heap. With gc the heap is measured right after
// a garbage collection (the pprof heap endpoint runs one), as the idle
// scenario needs for a per-connection figure.
func (c *Cluster) Stats(ctx context.Context, cpuStart []time.Duration, d time.Duration, gc bool) []NodeStats {
	out := make([]NodeStats, 0, len(c.Nodes))
	for i, n := range c.Nodes {
		s := NodeStats{Name: n.Name}
		if n.proc.running() {
			if rss, peak, err := memory(n.Pid()); err == nil {
				s.RSS, s.RSSPeak = round(rss, 1), round(peak, 1)
			}
			if cpu, err := procCPU(n.Pid()); err == nil && i < len(cpuStart) && d > 0 {
				s.CPU = round((cpu-cpuStart[i]).Seconds()/d.Seconds(), 2)
			}
			if m, err := goMemory(ctx, n.AdminAddr, gc); err == nil {
				s.HeapInuse, s.StackInuse, s.Goroutines = round(m.heap/(1<<20), 1), round(m.stack/(1<<20), 1), m.goroutines
			}
		}
		out = append(out, s)
	}
	return out
}

type goMem struct {
	heap, stack float64 // bytes
	goroutines  int
}

// goMemory reads the Go runtime's memory gauges from a node's /metrics,
// first collecting garbage if gc is set.
func goMemory(ctx context.Context, admin string, gc bool) (goMem, error) {
	if admin == "" {
		return goMem{}, fmt.Errorf("no admin listener")
	}
	if gc {
		if _, err := get(ctx, "http://"+admin+"/debug/pprof/heap?gc=1"); err != nil {
			return goMem{}, err
		}
	}
	all, err := metrics(ctx, admin)
	if err != nil {
		return goMem{}, err
	}
	m := goMem{heap: all["go_memstats_heap_inuse_bytes"], stack: all["go_memstats_stack_inuse_bytes"], goroutines: int(all["go_goroutines"])}
	if m.heap == 0 {
		return m, fmt.Errorf("no go_memstats_heap_inuse_bytes in /metrics")
	}
	return m, nil
}

// metrics returns the unlabelled series of a node's /metrics (and the
// labelled ones under their full name, labels included).
func metrics(ctx context.Context, admin string) (map[string]float64, error) {
	b, err := get(ctx, "http://"+admin+"/metrics")
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		f, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			continue
		}
		out[line[:i]] = f
	}
	return out, nil
}

// Committed returns the ops each node has committed so far
// (temaplan_ops_committed_total); -1 for a node that did not answer.
func (c *Cluster) Committed(ctx context.Context) []float64 {
	out := make([]float64, len(c.Nodes))
	for i, n := range c.Nodes {
		out[i] = -1
		if m, err := metrics(ctx, n.AdminAddr); err == nil {
			out[i] = m["temaplan_ops_committed_total"]
		}
	}
	return out
}

// selfCPU returns the CPU time (user and system) the bench has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// selfRSS returns the bench's own resident set size in MiB.
func selfRSS() float64 {
	rss, _, err := memory(syscall.Getpid())
	if err != nil {
		return 0
	}
	return round(rss, 1)
}

// raiseFileLimit raises the limit of open files to at least n, the hard
// limit too if the bench may (root). Children (the nodes) inherit it: a
// Go program that sets the limit itself also passes it on.
func raiseFileLimit(n uint64) (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	if lim.Cur >= n {
		return lim.Cur, nil
	}
	want := lim
	want.Cur = n
	if want.Max < n {
		want.Max = n
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err != nil {
		// Not allowed to raise the hard limit: take what there is.
		want = syscall.Rlimit{Cur: lim.Max, Max: lim.Max}
		if err2 := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err2 != nil {
			return lim.Cur, fmt.Errorf("raise the open-file limit to %d: %w", n, err)
		}
		return want.Cur, fmt.Errorf("raise the open-file limit to %d: %w (it is %d)", n, err, want.Cur)
	}
	return want.Cur, nil
}

// tasksetPath returns the taskset program, or "" without it or without a
// second core to give the bench.
func tasksetPath() string {
	if runtime.NumCPU() < 2 {
		return ""
	}
	p, err := exec.LookPath("taskset")
	if err != nil {
		return ""
	}
	return p
}

// pinSelf pins every thread of the bench to the CPUs of list (taskset's
// syntax, e.g. "1" or "1-3"); threads started later inherit it.
func pinSelf(taskset, list string) error {
	out, err := exec.Command(taskset, "-a", "-p", "-c", list, strconv.Itoa(syscall.Getpid())).CombinedOutput()
	if err != nil {
		return fmt.Errorf("taskset -a -p -c %s: %w: %s", list, err, out)
	}
	return nil
}

// benchCPUs returns the CPU list the bench takes when the servers are
// pinned to CPU 0: all the others.
func benchCPUs() string {
	n := runtime.NumCPU()
	if n == 2 {
		return "1"
	}
	return fmt.Sprintf("1-%d", n-1)
}

// Profile says where the CPU profiles of the measured windows go (-profile):
// Dir/<Name>-<node>.pprof, for `go tool pprof -top bin/temaplan FILE`.
type Profile struct {
	Dir, Name string
	Log       *slog.Logger
}

// Named returns p for a step's window.
func (p Profile) Named(format string, args ...any) Profile {
	p.Name = fmt.Sprintf(format, args...)
	return p
}

// fetch records a CPU profile of node n over d through its admin
// listener's /debug/pprof/profile.
func (p Profile) fetch(n *Node, d time.Duration) {
	secs := max(1, int(d.Round(time.Second)/time.Second))
	p.save(n, fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", n.AdminAddr, secs), "pprof", d+30*time.Second)
}

// fetchHeap records a heap profile of node n (after a garbage
// collection): `go tool pprof -sample_index=inuse_space`.
func (p Profile) fetchHeap(n *Node) {
	p.save(n, fmt.Sprintf("http://%s/debug/pprof/heap?gc=1", n.AdminAddr), "heap.pprof", 30*time.Second)
}

func (p Profile) save(n *Node, url, ext string, timeout time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err == nil {
		var resp *http.Response
		if resp, err = http.DefaultClient.Do(req); err == nil {
			defer resp.Body.Close()
			var b []byte
			if b, err = io.ReadAll(resp.Body); err == nil && resp.StatusCode != http.StatusOK {
				err = fmt.Errorf("%s: %s", url, resp.Status)
			}
			if err == nil {
				path := filepath.Join(p.Dir, fmt.Sprintf("%s-%s.%s", p.Name, n.Name, ext))
				if err = os.WriteFile(path, b, 0o644); err == nil {
					p.Log.Info("profile saved", "node", n.Name, "file", path)
				}
			}
		}
	}
	if err != nil {
		p.Log.Warn("profile not saved", "node", n.Name, "err", err)
	}
}
