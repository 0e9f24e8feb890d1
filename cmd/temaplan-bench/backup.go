package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/temaplan/temaplan/collab/delta"
	"github.com/temaplan/temaplan/collab/sqlite"
)

// BackupStep is the JSON line of one step of the backup scenario: a
// backup of the demo plan at a size, taken while authors type, restored
// and started again.
type BackupStep struct {
	Scenario string `json:"scenario"`
	Step     int    `json:"step"`
	Taskset  bool   `json:"taskset"`
	// Authors type in a closed loop into Docs sections of the demo plan.
	Authors int `json:"authors"`
	Docs    int `json:"docs"`
	// PlanOps is the number of ops acknowledged in the plan when the
	// backup started; LiveMB the node's database file and WAL then.
	PlanOps int64   `json:"plan_ops"`
	LiveMB  float64 `json:"live_db_mb"`
	// BackupS is the wall time of `temaplan backup` (the process, start to
	// exit), BackupMB the size of the file it wrote, BackupOps the ops in
	// it.
	BackupS   float64 `json:"backup_s"`
	BackupMB  float64 `json:"backup_mb"`
	BackupOps int64   `json:"backup_ops"`
	// AckedDuring counts the ops acknowledged while the backup ran; Before
	// and During are the typing over a window of the backup's length just
	// before it, and over the backup.
	AckedDuring int64        `json:"acked_during_backup"`
	Before      TypingWindow `json:"typing_before"`
	During      TypingWindow `json:"typing_during"`
	// RestoreS is the wall time of `temaplan restore`; ReadyS the time
	// from starting a node on the restored directory to /readyz 200.
	RestoreS float64 `json:"restore_s"`
	ReadyS   float64 `json:"restored_ready_s"`
	// AckedBefore counts the ops acknowledged before the backup started,
	// Missing those of them not in the restored store's logs (must be 0).
	AckedBefore int `json:"acked_before_backup"`
	Missing     int `json:"missing"`
	// Served says the restored node listed the demo plan, served each
	// section at the backup's version and committed a new edit.
	Served   bool     `json:"restored_serves"`
	Problems []string `json:"problems,omitempty"`
}

// TypingWindow is the typing over a window: ops acknowledged, per second,
// and their ack latency.
type TypingWindow struct {
	Seconds float64        `json:"duration_s"`
	Acked   int64          `json:"acked"`
	OpsPerS float64        `json:"ops_per_s"`
	Ack     LatencySummary `json:"ack"`
}

func typingWindow(res WindowResult) TypingWindow {
	return TypingWindow{Seconds: res.Seconds, Acked: res.Acked, OpsPerS: res.OpsPerS, Ack: res.Ack}
}

// BackupSummary is the last line of the backup scenario.
type BackupSummary struct {
	Scenario   string     `json:"scenario"`
	Summary    bool       `json:"summary"`
	Steps      int        `json:"steps"`
	Missing    int        `json:"missing"`
	Served     bool       `json:"restored_serves"`
	Converged  bool       `json:"converged"`
	Lost       int        `json:"lost"`
	Duplicated int        `json:"duplicated"`
	Store      StoreCheck `json:"store"`
	Machine
	TotalS float64 `json:"total_s"`
}

// runBackup is the backup scenario, the drill of deploy/OPERATIONS.md
// measured: authors of the leader's account type in a closed loop into
// every section of the demo plan (-clients of them, at least one per
// section) until the plan holds each step's number of ops (-steps,
// default 100 000). Then, while they go on typing, `temaplan backup` runs
// against the node's data directory; `temaplan restore` puts the backup in
// a fresh directory and a second node starts on it. Each step reports the
// backup's time and size, the ops acknowledged during it and the typing's
// ack latency before and during it, the restore's time and the restored
// node's start-up. The guarantees: every op acknowledged before the backup
// started is in the restored store, the restored node serves the plan at
// the backup's versions and accepts an edit, and at the end every
// acknowledged op is in the original store exactly once.
func runBackup(ctx context.Context, env *Env) (bool, error) {
	cfg := env.Config
	began := time.Now()
	steps := cfg.StepsOr(100_000)
	r, err := startRig(ctx, env, 1, demoLeader, demoReader)
	if err != nil {
		return false, err
	}
	defer r.Close()
	plan, err := r.api(demoLeader).DemoPlan(ctx)
	if err != nil {
		return false, err
	}
	secs := flatten(plan.Sections)
	for _, s := range secs {
		if err := r.verify(ctx, plan.ID, s.ID); err != nil {
			return false, err
		}
	}
	var authors []LiteConfig
	for i := range max(cfg.Clients, len(secs)) {
		authors = append(authors, LiteConfig{ID: fmt.Sprintf("b%x-%d", cfg.Seed&0xffffff, i), URL: r.cl.Nodes[0].WSURL(),
			Token: r.token(demoLeader), Plan: plan.ID, Doc: secs[i%len(secs)].ID, Group: -1, Author: true, ClosedLoop: true,
			Seed: cfg.Seed + uint64(i)})
	}
	if _, err := r.ld.DialAll(ctx, authors, 32); err != nil {
		return false, err
	}

	sum := BackupSummary{Scenario: "backup", Summary: true, Served: true, Converged: true, Machine: r.machine()}
	for i, size := range steps {
		line, err := backupStep(ctx, env, r, plan.ID, secs, i+1, int64(size), len(authors))
		if err != nil {
			return false, err
		}
		if err := env.Emit(line); err != nil {
			return false, err
		}
		sum.Steps++
		sum.Missing += line.Missing
		sum.Served = sum.Served && line.Served
		env.Log.Info("step", "plan_ops", line.PlanOps, "backup_s", line.BackupS, "backup_mb", line.BackupMB,
			"acked_during", line.AckedDuring, "restore_s", line.RestoreS, "missing", line.Missing, "served", line.Served)
	}
	settled := r.settle(ctx)
	sum.Converged = settled.Converged
	chk, err := r.finish(ctx)
	if err != nil {
		return false, err
	}
	sum.Store, sum.Lost, sum.Duplicated = chk, chk.Lost, chk.Duplicated
	sum.TotalS = round(time.Since(began).Seconds(), 3)
	if err := env.Emit(sum); err != nil {
		return false, err
	}
	return sum.Missing == 0 && sum.Served && sum.Converged && chk.OK(), nil
}

// backupStep types until the plan holds size ops, then backs up, restores
// and checks, as runBackup says.
func backupStep(ctx context.Context, env *Env, r *rig, plan string, secs []*Section, step int, size int64, authors int) (BackupStep, error) {
	line := BackupStep{Scenario: "backup", Step: step, Taskset: r.pinned(), Authors: authors, Docs: len(secs)}
	node := r.cl.Nodes[0]
	dir := filepath.Join(r.cl.Dir(), fmt.Sprintf("backup-%d", step))
	if err := os.Mkdir(dir, 0o700); err != nil {
		return line, err
	}

	r.ld.SetTyping(true)
	lastLog := time.Now()
	for r.ld.acks.Load() < size {
		if err := sleep(ctx, 50*time.Millisecond); err != nil {
			return line, err
		}
		if time.Since(lastLog) > 10*time.Second {
			env.Log.Info("typing the plan full", "acked", r.ld.acks.Load(), "want", size)
			lastLog = time.Now()
		}
	}
	// The typing just before the backup, to compare with the typing
	// during it.
	w := r.ld.StartWindow(r.cl, NewStepStats(0), Profile{}, 0)
	if err := sleep(ctx, 2*time.Second); err != nil {
		return line, err
	}
	line.Before = typingWindow(w.End(ctx))

	// What was acknowledged before the backup started, per client.
	before := map[string][]OpID{} // doc → ops
	for _, l := range r.ld.Authors() {
		acked := l.Acked()
		before[l.cfg.Doc] = append(before[l.cfg.Doc], acked...)
		line.AckedBefore += len(acked)
	}
	line.PlanOps = r.ld.acks.Load()
	line.LiveMB = round(float64(fileSize(filepath.Join(node.DataDir, dbFileName))+fileSize(filepath.Join(node.DataDir, dbFileName+"-wal")))/1e6, 2)

	backup := filepath.Join(dir, "temaplan-backup.db")
	w = r.ld.StartWindow(r.cl, NewStepStats(0), Profile{}, 0)
	start := time.Now()
	out, err := r.runCommand([]string{"TEMAPLAN_DATA=" + node.DataDir}, "backup", "-out", backup)
	line.BackupS = round(time.Since(start).Seconds(), 3)
	res := w.End(ctx)
	if err != nil {
		return line, fmt.Errorf("temaplan backup: %w\n%s", err, out)
	}
	line.During, line.AckedDuring = typingWindow(res), res.Acked
	env.Log.Info("backup written", "output", strings.TrimSpace(out))
	info, err := sqlite.Inspect(ctx, backup)
	if err != nil {
		return line, err
	}
	line.BackupMB, line.BackupOps = round(float64(info.Bytes)/1e6, 2), info.Ops

	restored := filepath.Join(dir, "restored")
	start = time.Now()
	out, err = r.runCommand(nil, "restore", "-from", backup, "-data", restored)
	line.RestoreS = round(time.Since(start).Seconds(), 3)
	if err != nil {
		return line, fmt.Errorf("temaplan restore: %w\n%s", err, out)
	}
	line.ReadyS, line.Served, line.Problems, err = r.checkRestored(ctx, plan, secs, restored, info, step)
	if err != nil {
		return line, err
	}

	// Every op acknowledged before the backup started is in the restored
	// store (the node on it has stopped).
	st, err := sqlite.Open(ctx, filepath.Join(restored, dbFileName), nil)
	if err != nil {
		return line, err
	}
	defer st.Close()
	for doc, ids := range before {
		log, err := st.Ops(ctx, doc, 0, -1)
		if err != nil {
			return line, err
		}
		have := make(map[OpID]bool, len(log))
		for _, o := range log {
			have[OpID{Src: o.Src, Seq: o.Seq}] = true
		}
		for _, id := range ids {
			if !have[id] {
				line.Missing++
				if line.Missing <= 5 {
					line.Problems = append(line.Problems, fmt.Sprintf("%s of %s was acknowledged before the backup and is not in it", id, doc))
				}
			}
		}
	}
	return line, nil
}

// runCommand runs the temaplan binary with args (pinned like the nodes
// with -taskset) and the extra environment env to its end, and returns
// its output. Ctrl-C reaches it too: it is in the bench's process group.
func (r *rig) runCommand(env []string, args ...string) (string, error) {
	cmd := r.cl.command(r.cl.bin, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + r.cl.Dir()}, env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// checkRestored starts a node on the restored data directory and checks
// that it serves the demo plan — each section at the backup's version —
// and commits an edit, then stops it. It returns the time to /readyz 200.
func (r *rig) checkRestored(ctx context.Context, plan string, secs []*Section, data string, info sqlite.Info, step int) (readyS float64, served bool, problems []string, err error) {
	port, err := freePort()
	if err != nil {
		return 0, false, nil, err
	}
	n := &Node{Name: fmt.Sprintf("restored-%d", step), Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), DataDir: data}
	cmd := r.cl.command(r.cl.bin, "serve")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + r.cl.Dir(), "TEMAPLAN_ADDR=" + n.Addr, "TEMAPLAN_DATA=" + data}
	start := time.Now()
	if n.proc, err = startProc(n.Name, cmd, filepath.Join(r.cl.Dir(), n.Name+".log")); err != nil {
		return 0, false, nil, err
	}
	defer func() {
		if serr := n.proc.stop(syscall.SIGTERM, nodeGrace); serr != nil && err == nil {
			err = fmt.Errorf("%s: %w", n.Name, serr)
		}
	}()
	if err := waitFor(ctx, n.proc, readyTimeout, func() error { return readyz(ctx, n.URL("/readyz")) }); err != nil {
		return 0, false, nil, fmt.Errorf("%s: %w\n%s", n.Name, err, n.proc.tail(4096))
	}
	readyS = round(time.Since(start).Seconds(), 3)

	// The accounts came with the backup: the demo password still holds.
	sess, err := Login(ctx, n.URL(""), demoLeader, r.cl.DemoPassword)
	if err != nil {
		return readyS, false, []string{fmt.Sprintf("login at the restored node: %v", err)}, nil
	}
	api := NewAPI(n.URL(""), sess.Token).WithHTTP(r.hc)
	if _, err := api.DemoPlan(ctx); err != nil {
		problems = append(problems, fmt.Sprintf("the restored node: %v", err))
	}
	for _, s := range secs {
		v, _, err := api.SectionContent(ctx, plan, s.ID)
		if err != nil {
			problems = append(problems, fmt.Sprintf("the restored node: content of %s: %v", s.ID, err))
		} else if v != info.Heads[s.ID] {
			problems = append(problems, fmt.Sprintf("the restored node serves %s at v%d, the backup holds v%d", s.ID, v, info.Heads[s.ID]))
		}
	}
	// A new edit, acknowledged by the restored node.
	var stats TabStats
	t, err := DialTab(ctx, fmt.Sprintf("after-restore-%d", step), 0, n, sess.Token, &stats)
	if err != nil {
		return readyS, false, append(problems, err.Error()), nil
	}
	defer t.Client.Close()
	doc := secs[0].ID
	if err := t.Open(ctx, plan, doc); err != nil {
		return readyS, false, append(problems, err.Error()), nil
	}
	if err := t.Client.Edit(doc, *new(delta.Delta).Insert("x", nil)); err != nil {
		return readyS, false, append(problems, err.Error()), nil
	}
	wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := t.Client.WaitVersion(wctx, doc, info.Heads[doc]+1); err != nil {
		problems = append(problems, fmt.Sprintf("an edit on the restored node was not acknowledged: %v", err))
	}
	return readyS, len(problems) == 0, problems, nil
}

// fileSize returns the size of the file at path, 0 if there is none.
func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}
