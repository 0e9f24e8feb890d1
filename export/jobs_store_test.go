package export_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/sqlite"
	"github.com/temaplan/temaplan/export"
)

func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "temaplan.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestJobs_AnyNodeAnswers runs a job on one node and asks another node,
// which shares the store, for its progress and its file.
func TestJobs_AnyNodeAnswers(t *testing.T) {
	store := openStore(t)
	clk := &clock{now: time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)}
	a := export.NewJobs(export.JobsConfig{Store: store, Now: clk.Now})
	b := export.NewJobs(export.JobsConfig{Store: store, Now: clk.Now})
	t.Cleanup(a.Close)
	t.Cleanup(b.Close)
	ctx := context.Background()

	release, reported := make(chan struct{}), make(chan struct{})
	job, err := a.Start("p1", "kari", export.FormatDOCX, "Utkast 1", func(_ context.Context, progress func(int)) ([]byte, error) {
		progress(30)
		close(reported)
		<-release
		return []byte("dokument"), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	<-reported
	got, ok, err := b.Get(ctx, "p1", job.ID)
	if err != nil || !ok || got.Status != export.StatusRunning || got.Progress != 30 || got.Version != "Utkast 1" {
		t.Fatalf("the other node sees %+v, %v, %v; want it running at 30 %%", got, ok, err)
	}
	if _, file, _, _ := b.File(ctx, "p1", job.ID); file != nil {
		t.Fatal("a file before the job is done")
	}
	close(release)
	wait(t, a, "p1", job.ID)
	got, file, ok, err := b.File(ctx, "p1", job.ID)
	if err != nil || !ok || got.Status != export.StatusDone || string(file) != "dokument" {
		t.Fatalf("the other node: %+v %q %v %v", got, file, ok, err)
	}
	if _, ok, _ := b.Get(ctx, "p2", job.ID); ok {
		t.Error("the other node finds the job under another plan")
	}
	// An hour after it finished, no node knows it.
	clk.add(time.Hour + time.Minute)
	if _, ok, _ := b.Get(ctx, "p1", job.ID); ok {
		t.Error("a job finished over an hour ago is still found")
	}
}

// TestJobs_StoppedNodesJobFails reads a job whose node stopped writing
// it: once it has not been written for longer than a job may take, it is
// reported failed, not running forever.
func TestJobs_StoppedNodesJobFails(t *testing.T) {
	store := openStore(t)
	clk := &clock{now: time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)}
	ctx := context.Background()
	if err := store.SaveExport(ctx, export.Record{Job: export.Job{ID: "e1", Plan: "p1", Format: export.FormatPDF, By: "kari",
		Status: export.StatusRunning, Progress: 20, Created: clk.Now()}, Updated: clk.Now()}); err != nil {
		t.Fatal(err)
	}
	j := export.NewJobs(export.JobsConfig{Store: store, Now: clk.Now, Timeout: time.Minute})
	t.Cleanup(j.Close)
	if got, _, _ := j.Get(ctx, "p1", "e1"); got.Status != export.StatusRunning {
		t.Fatalf("a job written just now: %+v", got)
	}
	clk.add(2*time.Minute + time.Second)
	got, ok, err := j.Get(ctx, "p1", "e1")
	if err != nil || !ok || got.Status != export.StatusFailed || got.Error != collab.CodeExportUnavailable {
		t.Fatalf("a job its node stopped writing: %+v, %v, %v", got, ok, err)
	}
}
