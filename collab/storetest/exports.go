package storetest

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/export"
)

// RunExports runs the contract suite of export.Store: a job's record reads
// back as saved (the job, its file byte for byte, the time of the write to
// the millisecond), a save replaces the record of the same id, records
// last written before a time are deleted without touching the others, and
// hostile ids are kept and matched literally. open must return a fresh,
// empty store for each call; the adapter's open registers the store's
// cleanup with t.
func RunExports(t *testing.T, open func(t *testing.T) export.Store) {
	t.Run("SaveLoad", func(t *testing.T) { testExportsSaveLoad(t, open(t)) })
	t.Run("Forget", func(t *testing.T) { testExportsForget(t, open(t)) })
	t.Run("HostileIDs", func(t *testing.T) { testExportsHostile(t, open(t)) })
}

// exportRecord is a record of job id of plan, written at.
func exportRecord(id, plan string, status export.Status, file []byte, at time.Time) export.Record {
	j := export.Job{ID: id, Plan: plan, Format: export.FormatPDF, Version: "Høringsutkast", By: "kari", Status: status,
		Created: base.UTC().Truncate(time.Millisecond)}
	switch status {
	case export.StatusDone:
		fin := at.UTC().Truncate(time.Millisecond)
		j.Progress, j.Finished, j.Size = 100, &fin, len(file)
	case export.StatusFailed:
		fin := at.UTC().Truncate(time.Millisecond)
		j.Progress, j.Finished, j.Error, j.Message = 100, &fin, collab.CodeExportUnavailable, "no chromium"
	case export.StatusRunning:
		j.Progress = 40
	}
	return export.Record{Job: j, File: file, Updated: at}
}

func sameExport(t *testing.T, what string, got, want export.Record) {
	t.Helper()
	if !reflect.DeepEqual(got.Job, want.Job) {
		t.Errorf("%s: job %+v, want %+v", what, got.Job, want.Job)
	}
	if !bytes.Equal(got.File, want.File) {
		t.Errorf("%s: file of %d bytes, want %d", what, len(got.File), len(want.File))
	}
	if !got.Updated.Equal(want.Updated.Truncate(time.Millisecond)) {
		t.Errorf("%s: updated %v, want %v", what, got.Updated, want.Updated)
	}
}

func testExportsSaveLoad(t *testing.T, s export.Store) {
	ctx := t.Context()
	if _, ok, err := s.LoadExport(ctx, "e1"); err != nil || ok {
		t.Fatalf("LoadExport of nothing = %v, %v", ok, err)
	}
	queued := exportRecord("e1", "p1", export.StatusQueued, nil, base)
	if err := s.SaveExport(ctx, queued); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.LoadExport(ctx, "e1")
	if err != nil || !ok {
		t.Fatalf("LoadExport = %v, %v", ok, err)
	}
	sameExport(t, "queued", got, queued)
	// Saves replace the record: running, then done with its file (5 MB
	// of every byte value, so nothing is taken for text).
	running := exportRecord("e1", "p1", export.StatusRunning, nil, base.Add(time.Second))
	if err := s.SaveExport(ctx, running); err != nil {
		t.Fatal(err)
	}
	file := make([]byte, 5<<20)
	for i := range file {
		file[i] = byte(i * 7)
	}
	done := exportRecord("e1", "p1", export.StatusDone, file, base.Add(2*time.Second))
	if err := s.SaveExport(ctx, done); err != nil {
		t.Fatal(err)
	}
	got, _, err = s.LoadExport(ctx, "e1")
	if err != nil {
		t.Fatal(err)
	}
	sameExport(t, "done", got, done)
	// Another job is another record.
	failed := exportRecord("e2", "p2", export.StatusFailed, nil, base.Add(3*time.Second))
	if err := s.SaveExport(ctx, failed); err != nil {
		t.Fatal(err)
	}
	got2, _, err := s.LoadExport(ctx, "e2")
	if err != nil {
		t.Fatal(err)
	}
	sameExport(t, "failed", got2, failed)
	got, _, _ = s.LoadExport(ctx, "e1")
	sameExport(t, "done, after another save", got, done)
}

func testExportsForget(t *testing.T, s export.Store) {
	ctx := t.Context()
	for i, id := range []string{"old-1", "old-2", "new-1"} {
		at := base.Add(time.Duration(i) * time.Minute)
		if id == "new-1" {
			at = base.Add(time.Hour)
		}
		if err := s.SaveExport(ctx, exportRecord(id, "p", export.StatusDone, []byte(id), at)); err != nil {
			t.Fatal(err)
		}
	}
	// old-2 is written again later: it is kept.
	if err := s.SaveExport(ctx, exportRecord("old-2", "p", export.StatusDone, []byte("old-2"), base.Add(2*time.Hour))); err != nil {
		t.Fatal(err)
	}
	n, err := s.ForgetExports(ctx, base.Add(30*time.Minute))
	if err != nil || n != 1 {
		t.Fatalf("ForgetExports = %d, %v; want 1", n, err)
	}
	for id, want := range map[string]bool{"old-1": false, "old-2": true, "new-1": true} {
		if _, ok, err := s.LoadExport(ctx, id); err != nil || ok != want {
			t.Errorf("after forgetting, %s found = %v (%v), want %v", id, ok, err, want)
		}
	}
	if n, err := s.ForgetExports(ctx, base.Add(30*time.Minute)); err != nil || n != 0 {
		t.Errorf("forgetting again = %d, %v; want 0", n, err)
	}
}

func testExportsHostile(t *testing.T, s export.Store) {
	ctx := t.Context()
	plain := exportRecord("plain", "p", export.StatusDone, []byte("plain"), base)
	if err := s.SaveExport(ctx, plain); err != nil {
		t.Fatal(err)
	}
	for _, id := range hostile {
		r := exportRecord(id, id, export.StatusDone, []byte(id), base.Add(time.Minute))
		if err := s.SaveExport(ctx, r); err != nil {
			continue // a store may refuse what it cannot keep (NUL), but must not mix it up
		}
		got, ok, err := s.LoadExport(ctx, id)
		if err != nil || !ok {
			t.Errorf("LoadExport(%q) = %v, %v", id, ok, err)
			continue
		}
		sameExport(t, "hostile "+id, got, r)
	}
	got, ok, err := s.LoadExport(ctx, "plain")
	if err != nil || !ok {
		t.Fatalf("the plain record is gone: %v, %v", ok, err)
	}
	sameExport(t, "plain among hostile ids", got, plain)
	for _, probe := range []string{"", "PLAIN", "plai", "plain "} {
		if _, ok, err := s.LoadExport(ctx, probe); err != nil || ok {
			t.Errorf("LoadExport(%q) matched something: %v, %v", probe, ok, err)
		}
	}
}
