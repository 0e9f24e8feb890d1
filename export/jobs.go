package export

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/temaplan/temaplan/collab"
)

// Format is a kind of export.
type Format string

// The export formats.
const (
	FormatHTML Format = "html"
	FormatPDF  Format = "pdf"
	FormatDOCX Format = "docx"
	FormatXLSX Format = "xlsx"
)

// Formats lists the export formats.
func Formats() []Format { return []Format{FormatHTML, FormatPDF, FormatDOCX, FormatXLSX} }

// ContentType returns the media type of a format's files.
func (f Format) ContentType() string {
	switch f {
	case FormatHTML:
		return "text/html; charset=utf-8"
	case FormatPDF:
		return "application/pdf"
	case FormatDOCX:
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	case FormatXLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "application/octet-stream"
}

// Status is where a job stands.
type Status string

// The job statuses.
const (
	StatusQueued  Status = "queued"
	StatusRunning Status = "running"
	StatusDone    Status = "done"
	StatusFailed  Status = "failed"
)

// Job is an export under way or made. Progress runs from 0 to 100; a
// failed job has the error code (and an English message) of the failure.
type Job struct {
	ID       string      `json:"id"`
	Plan     string      `json:"plan"`
	Format   Format      `json:"format"`
	Version  string      `json:"version,omitempty"`
	By       string      `json:"by"`
	Status   Status      `json:"status"`
	Progress int         `json:"progress"`
	Error    collab.Code `json:"error,omitempty"`
	Message  string      `json:"message,omitempty"`
	Created  time.Time   `json:"created"`
	Finished *time.Time  `json:"finished,omitempty"`
	// Size is the size of the file of a job done, in bytes.
	Size int `json:"size,omitempty"`
}

// Work makes an export's file, reporting its progress (0–100) as it
// goes. It must return when ctx ends.
type Work func(ctx context.Context, progress func(int)) ([]byte, error)

// Defaults of JobsConfig.
const (
	DefaultWorkers    = 2
	DefaultMaxJobs    = 64
	DefaultMaxPerPlan = 4
	DefaultMaxBytes   = 256 << 20
	DefaultTTL        = time.Hour
	DefaultJobTimeout = 5 * time.Minute
)

// JobsConfig holds the bounds of a node's exports. Zero values take the
// defaults.
type JobsConfig struct {
	// Workers is how many exports are made at once; the PDF printer has
	// its own, smaller bound (Chromium).
	Workers int
	// MaxJobs bounds the jobs kept on the node, finished ones included:
	// the oldest finished job makes room for a new one.
	MaxJobs int
	// MaxPerPlan bounds the unfinished jobs of one plan.
	MaxPerPlan int
	// MaxBytes bounds the files kept, together.
	MaxBytes int
	// TTL is how long a finished job and its file are kept.
	TTL time.Duration
	// Timeout bounds one job's work.
	Timeout time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Log receives failures; nil discards them.
	Log *slog.Logger
	// Store, when set, keeps the jobs and their files where every node
	// reads them, so that any node answers for a job this one runs; nil
	// keeps them in this node's memory only.
	Store Store
}

// Jobs runs exports in the background and keeps their files for a while:
// in the node's memory and, with a Store, where every node reads them.
// Exports are derived data: a node that restarts loses the jobs it was
// running — another node reports them failed once they have not been
// written for longer than a job may take — and a member asks again.
type Jobs struct {
	cfg     JobsConfig
	workers chan struct{}
	// ctx ends when Close is called; wg counts the jobs' goroutines.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	jobs     map[string]*entry
	finished uint64
	// forgot is when the store's old records were last deleted.
	forgot time.Time
}

type entry struct {
	job  Job
	file []byte
	// done is closed when the job is finished; finished counts the
	// finished jobs in order, so the first finished goes first.
	done     chan struct{}
	finished uint64
}

// NewJobs returns a job runner; Close stops it.
func NewJobs(cfg JobsConfig) *Jobs {
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.MaxJobs <= 0 {
		cfg.MaxJobs = DefaultMaxJobs
	}
	if cfg.MaxPerPlan <= 0 {
		cfg.MaxPerPlan = DefaultMaxPerPlan
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.TTL <= 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultJobTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Jobs{cfg: cfg, workers: make(chan struct{}, cfg.Workers), ctx: ctx, cancel: cancel, jobs: map[string]*entry{}}
}

// Close cancels the jobs under way and waits for them to stop.
func (j *Jobs) Close() {
	j.cancel()
	j.wg.Wait()
}

// newJobID returns an id nobody can guess: 128 random bits.
func newJobID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail
	return hex.EncodeToString(b[:])
}

// Start queues work as a job of plan and returns it. It refuses with
// rate_limited when the plan has MaxPerPlan jobs unfinished, and with
// export_unavailable when the node keeps MaxJobs jobs none of which has
// finished.
func (j *Jobs) Start(plan, by string, format Format, version string, work Work) (Job, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.ctx.Err() != nil {
		return Job{}, collab.Errorf(collab.CodeExportUnavailable, "the node is shutting down; try again")
	}
	j.sweep()
	unfinished := 0
	for _, e := range j.jobs {
		if e.job.Plan == plan && e.job.Finished == nil {
			unfinished++
		}
	}
	if unfinished >= j.cfg.MaxPerPlan {
		return Job{}, collab.Errorf(collab.CodeRateLimited, "the plan has %d exports under way; wait until one is done", unfinished)
	}
	if len(j.jobs) >= j.cfg.MaxJobs && !j.evictOldest() {
		return Job{}, collab.Errorf(collab.CodeExportUnavailable, "this server is busy with %d exports; try again in a minute", len(j.jobs))
	}
	e := &entry{done: make(chan struct{}), job: Job{ID: newJobID(), Plan: plan, Format: format, Version: version, By: by, Status: StatusQueued,
		Created: j.cfg.Now().UTC().Truncate(time.Millisecond)}}
	if err := j.persist(e.job, nil); err != nil {
		return Job{}, collab.Wrap(collab.CodeUnavailable, err, "the export could not be recorded; try again")
	}
	j.jobs[e.job.ID] = e
	j.forgetOld()
	j.wg.Add(1)
	go j.run(e.job.ID, work)
	return e.job, nil
}

// persist writes a job's record to the store, if there is one. It runs
// outside the job's context, so that a job stopped by Close is still
// recorded as failed.
func (j *Jobs) persist(job Job, file []byte) error {
	if j.cfg.Store == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return j.cfg.Store.SaveExport(ctx, Record{Job: job, File: file, Updated: j.cfg.Now().UTC()})
}

// forgetOld deletes the store's records older than TTL, at most once a
// minute. The caller holds mu.
func (j *Jobs) forgetOld() {
	now := j.cfg.Now()
	if j.cfg.Store == nil || now.Sub(j.forgot) < time.Minute {
		return
	}
	j.forgot = now
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := j.cfg.Store.ForgetExports(ctx, now.Add(-j.cfg.TTL)); err != nil {
		j.cfg.Log.Warn("old exports not deleted", "err", err)
	}
}

// run waits for a worker and does the job's work.
func (j *Jobs) run(id string, work Work) {
	defer j.wg.Done()
	select {
	case j.workers <- struct{}{}:
		defer func() { <-j.workers }()
	case <-j.ctx.Done():
		j.finish(id, nil, j.ctx.Err())
		return
	}
	if j.ctx.Err() != nil { // closed while it waited
		j.finish(id, nil, j.ctx.Err())
		return
	}
	j.update(id, func(job *Job) { job.Status, job.Progress = StatusRunning, max(job.Progress, 1) })
	ctx, cancel := context.WithTimeout(j.ctx, j.cfg.Timeout)
	defer cancel()
	file, err := work(ctx, func(p int) {
		j.update(id, func(job *Job) { job.Progress = max(job.Progress, min(p, 99)) })
	})
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	j.finish(id, file, err)
}

// update changes a job under way and records the change.
func (j *Jobs) update(id string, fn func(*Job)) {
	j.mu.Lock()
	e, ok := j.jobs[id]
	if !ok {
		j.mu.Unlock()
		return
	}
	before := e.job
	fn(&e.job)
	job := e.job
	j.mu.Unlock()
	if job.Status != before.Status || job.Progress != before.Progress {
		if err := j.persist(job, nil); err != nil {
			j.cfg.Log.Warn("export progress not recorded", "export", id, "err", err)
		}
	}
}

// finish records the outcome of a job. A file that does not fit in
// MaxBytes, even after older files are let go, fails the job.
func (j *Jobs) finish(id string, file []byte, err error) {
	j.mu.Lock()
	e, ok := j.jobs[id]
	if !ok {
		j.mu.Unlock()
		return
	}
	if err == nil && j.cfg.Store != nil && len(file) > MaxStoredFile {
		err = collab.Errorf(collab.CodeTooLarge, "the export is larger than %d MB", MaxStoredFile>>20)
	}
	j.finishLocked(e, file, err)
	job, kept := e.job, e.file
	j.mu.Unlock()
	if perr := j.persist(job, kept); perr != nil {
		j.cfg.Log.Warn("export not recorded", "export", id, "err", perr)
	}
	close(e.done)
}

// finishLocked records the outcome in memory. The caller holds mu.
func (j *Jobs) finishLocked(e *entry, file []byte, err error) {
	id := e.job.ID
	if err == nil && len(file) > j.cfg.MaxBytes {
		err = collab.Errorf(collab.CodeTooLarge, "the export is larger than %d MB", j.cfg.MaxBytes>>20)
	}
	if err == nil {
		// Older files make room (this job is not finished yet, so it
		// is not among them).
		for j.bytes()+len(file) > j.cfg.MaxBytes && j.evictOldest() {
		}
	}
	now := j.cfg.Now().UTC().Truncate(time.Millisecond)
	e.job.Finished = &now
	j.finished++
	e.finished = j.finished
	if err != nil {
		e.job.Status, e.job.Progress = StatusFailed, 100
		e.job.Error, e.job.Message = collab.ErrorCode(err), collab.ErrorMessage(err)
		if errors.Is(err, context.Canceled) {
			e.job.Error, e.job.Message = collab.CodeExportUnavailable, "the server stopped before the export was done; try again"
		} else if errors.Is(err, context.DeadlineExceeded) {
			e.job.Error, e.job.Message = collab.CodeUnavailable, "the export took too long"
		}
		j.cfg.Log.Warn("export failed", "plan", e.job.Plan, "export", id, "format", e.job.Format, "code", e.job.Error, "err", err)
		return
	}
	e.file = file
	e.job.Status, e.job.Progress, e.job.Size = StatusDone, 100, len(file)
	j.cfg.Log.Info("export made", "plan", e.job.Plan, "export", id, "format", e.job.Format, "bytes", len(file),
		"ms", now.Sub(e.job.Created).Milliseconds())
}

// bytes is the size of the files kept. The caller holds mu.
func (j *Jobs) bytes() int {
	n := 0
	for _, e := range j.jobs {
		n += len(e.file)
	}
	return n
}

// sweep forgets the jobs finished longer than TTL ago. The caller holds mu.
func (j *Jobs) sweep() {
	cut := j.cfg.Now().Add(-j.cfg.TTL)
	for id, e := range j.jobs {
		if e.job.Finished != nil && e.job.Finished.Before(cut) {
			delete(j.jobs, id)
		}
	}
}

// evictOldest forgets the job that finished first, and reports whether
// there was one. The caller holds mu.
func (j *Jobs) evictOldest() bool {
	var done []*entry
	for _, e := range j.jobs {
		if e.job.Finished != nil {
			done = append(done, e)
		}
	}
	if len(done) == 0 {
		return false
	}
	sort.Slice(done, func(a, b int) bool { return done[a].finished < done[b].finished })
	delete(j.jobs, done[0].job.ID)
	return true
}

// Get returns the job with id of plan: this node's, or another node's
// from the store.
func (j *Jobs) Get(ctx context.Context, plan, id string) (Job, bool, error) {
	job, _, ok, err := j.lookup(ctx, plan, id, false)
	return job, ok, err
}

// File returns the job with id of plan and its file, once it is done.
func (j *Jobs) File(ctx context.Context, plan, id string) (Job, []byte, bool, error) {
	return j.lookup(ctx, plan, id, true)
}

func (j *Jobs) lookup(ctx context.Context, plan, id string, withFile bool) (Job, []byte, bool, error) {
	j.mu.Lock()
	j.sweep()
	e, ok := j.jobs[id]
	if ok {
		defer j.mu.Unlock()
		if e.job.Plan != plan {
			return Job{}, nil, false, nil
		}
		return e.job, e.file, true, nil
	}
	j.mu.Unlock()
	if j.cfg.Store == nil {
		return Job{}, nil, false, nil
	}
	r, ok, err := j.cfg.Store.LoadExport(ctx, id)
	switch {
	case err != nil:
		return Job{}, nil, false, collab.Wrap(collab.CodeUnavailable, err, "the export could not be read; try again")
	case !ok || r.Job.Plan != plan || r.Updated.Before(j.cfg.Now().Add(-j.cfg.TTL)):
		return Job{}, nil, false, nil
	}
	// A job that its node has not written for longer than a job may take
	// will not be finished: the node stopped.
	if r.Job.Finished == nil && r.Updated.Before(j.cfg.Now().Add(-j.cfg.Timeout-time.Minute)) {
		fin := r.Updated
		r.Job.Status, r.Job.Progress, r.Job.Finished = StatusFailed, 100, &fin
		r.Job.Error, r.Job.Message = collab.CodeExportUnavailable, "the server making the export stopped before it was done; try again"
	}
	if !withFile {
		r.File = nil
	}
	return r.Job, r.File, true, nil
}

// Wait waits until the job with id of plan is finished, or ctx ends, and
// returns it.
func (j *Jobs) Wait(ctx context.Context, plan, id string) (Job, error) {
	j.mu.Lock()
	e, ok := j.jobs[id]
	j.mu.Unlock()
	if !ok || e.job.Plan != plan {
		return Job{}, collab.Errorf(collab.CodeNotFound, "export %q not found", id)
	}
	select {
	case <-e.done:
	case <-ctx.Done():
		return Job{}, ctx.Err()
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return e.job, nil
}
