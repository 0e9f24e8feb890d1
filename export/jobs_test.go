package export_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/export"
)

// clock is a test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func wait(t *testing.T, j *export.Jobs, plan, id string) export.Job {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	job, err := j.Wait(ctx, plan, id)
	if err != nil {
		t.Fatalf("wait for %s: %v", id, err)
	}
	return job
}

func TestJobs_RunInTheBackground(t *testing.T) {
	j := export.NewJobs(export.JobsConfig{})
	t.Cleanup(j.Close)
	release, reported := make(chan struct{}), make(chan struct{})
	job, err := j.Start("p1", "kari", export.FormatXLSX, "", func(ctx context.Context, progress func(int)) ([]byte, error) {
		progress(40)
		close(reported)
		<-release
		return []byte("fil"), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if job.Status != export.StatusQueued || len(job.ID) != 32 || job.Plan != "p1" || job.By != "kari" {
		t.Fatalf("started %+v", job)
	}
	// Progress shows while the work runs; no file yet.
	select {
	case <-reported:
	case <-time.After(10 * time.Second):
		t.Fatal("the work did not start")
	}
	if got, ok, _ := j.Get(context.Background(), "p1", job.ID); !ok || got.Status != export.StatusRunning || got.Progress != 40 {
		t.Fatalf("while running: %+v", got)
	}
	if _, file, _, _ := j.File(context.Background(), "p1", job.ID); file != nil {
		t.Fatal("a file before the job is done")
	}
	close(release)
	done := wait(t, j, "p1", job.ID)
	if done.Status != export.StatusDone || done.Progress != 100 || done.Size != 3 || done.Finished == nil {
		t.Fatalf("done %+v", done)
	}
	if _, file, ok, _ := j.File(context.Background(), "p1", job.ID); !ok || string(file) != "fil" {
		t.Fatalf("file %q %v", file, ok)
	}
	// Another plan does not see the job.
	if _, ok, _ := j.Get(context.Background(), "p2", job.ID); ok {
		t.Fatal("a job is found under another plan")
	}
	if _, _, ok, _ := j.File(context.Background(), "p2", job.ID); ok {
		t.Fatal("a file is found under another plan")
	}
}

func TestJobs_Failures(t *testing.T) {
	j := export.NewJobs(export.JobsConfig{Timeout: 200 * time.Millisecond, MaxBytes: 10})
	t.Cleanup(j.Close)
	for _, c := range []struct {
		name string
		work export.Work
		code collab.Code
	}{
		{"error code kept", func(context.Context, func(int)) ([]byte, error) {
			return nil, collab.Errorf(collab.CodeExportUnavailable, "no chromium")
		}, collab.CodeExportUnavailable},
		{"plain error is internal", func(context.Context, func(int)) ([]byte, error) { return nil, errors.New("boom") }, collab.CodeInternal},
		{"too slow", func(ctx context.Context, _ func(int)) ([]byte, error) { <-ctx.Done(); return nil, ctx.Err() }, collab.CodeUnavailable},
		{"too large", func(context.Context, func(int)) ([]byte, error) { return make([]byte, 11), nil }, collab.CodeTooLarge},
	} {
		t.Run(c.name, func(t *testing.T) {
			job, err := j.Start("p-"+c.name, "kari", export.FormatPDF, "", c.work)
			if err != nil {
				t.Fatal(err)
			}
			got := wait(t, j, "p-"+c.name, job.ID)
			if got.Status != export.StatusFailed || got.Error != c.code || got.Message == "" {
				t.Errorf("%+v, want failed with %s", got, c.code)
			}
			if _, file, _, _ := j.File(context.Background(), "p-"+c.name, job.ID); file != nil {
				t.Error("a failed job has a file")
			}
		})
	}
}

// TestJobs_Bounds checks the bounds: unfinished jobs per plan, jobs per
// node (finished ones make room), concurrent work, and expiry.
func TestJobs_Bounds(t *testing.T) {
	clk := &clock{now: time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)}
	j := export.NewJobs(export.JobsConfig{Workers: 2, MaxJobs: 5, MaxPerPlan: 3, TTL: time.Hour, Now: clk.Now})
	t.Cleanup(j.Close)
	release := make(chan struct{})
	var mu sync.Mutex
	running, most := 0, 0
	block := func(ctx context.Context, _ func(int)) ([]byte, error) {
		mu.Lock()
		running++
		most = max(most, running)
		mu.Unlock()
		defer func() { mu.Lock(); running--; mu.Unlock() }()
		select {
		case <-release:
			return []byte("x"), nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	var ids []string
	for i := 0; i < 3; i++ {
		job, err := j.Start("a", "kari", export.FormatHTML, "", block)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, job.ID)
	}
	if _, err := j.Start("a", "kari", export.FormatHTML, "", block); collab.ErrorCode(err) != collab.CodeRateLimited {
		t.Fatalf("a fourth job of one plan: %v, want rate_limited", err)
	}
	for i := 0; i < 2; i++ {
		job, err := j.Start("b", "kari", export.FormatHTML, "", block)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, job.ID)
	}
	if _, err := j.Start("c", "kari", export.FormatHTML, "", block); collab.ErrorCode(err) != collab.CodeExportUnavailable {
		t.Fatalf("a sixth job on a node that keeps five: %v, want export_unavailable", err)
	}
	close(release)
	for i, id := range ids {
		plan := "a"
		if i >= 3 {
			plan = "b"
		}
		wait(t, j, plan, id)
	}
	if most > 2 {
		t.Errorf("%d jobs worked at once, want at most 2", most)
	}
	// A finished job makes room for a new one.
	clk.add(time.Minute)
	job, err := j.Start("c", "kari", export.FormatHTML, "", func(context.Context, func(int)) ([]byte, error) { return []byte("y"), nil })
	if err != nil {
		t.Fatalf("with finished jobs to let go: %v", err)
	}
	wait(t, j, "c", job.ID)
	kept := 0
	for i, id := range ids {
		plan := "a"
		if i >= 3 {
			plan = "b"
		}
		if _, ok, _ := j.Get(context.Background(), plan, id); ok {
			kept++
		}
	}
	if kept != 4 {
		t.Errorf("%d of the five finished jobs kept, want 4: one makes room", kept)
	}
	// Finished jobs expire after the TTL.
	clk.add(time.Hour + time.Second)
	if _, ok, _ := j.Get(context.Background(), "c", job.ID); ok {
		t.Error("a job finished over an hour ago is still kept")
	}
}

// TestJobs_CloseStopsTheWork cancels a job under way and one queued.
func TestJobs_CloseStopsTheWork(t *testing.T) {
	j := export.NewJobs(export.JobsConfig{Workers: 1})
	started := make(chan struct{})
	work := func(ctx context.Context, _ func(int)) ([]byte, error) {
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	}
	a, err := j.Start("p", "kari", export.FormatPDF, "", work)
	if err != nil {
		t.Fatal(err)
	}
	<-started // a holds the one worker
	b, err := j.Start("p", "kari", export.FormatPDF, "", func(context.Context, func(int)) ([]byte, error) {
		t.Error("a queued job ran after Close")
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
	for _, id := range []string{a.ID, b.ID} {
		got, _, _ := j.Get(context.Background(), "p", id)
		if got.Status != export.StatusFailed || got.Error != collab.CodeExportUnavailable {
			t.Errorf("after Close: %+v", got)
		}
	}
	if _, err := j.Start("p", "kari", export.FormatPDF, "", work); collab.ErrorCode(err) != collab.CodeExportUnavailable {
		t.Errorf("a job after Close: %v", err)
	}
}
