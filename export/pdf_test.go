package export_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/export"
)

// TestPDF_PrintsTheHTML prints the fixture with the real Chromium and
// reads the PDF back with poppler: A4 pages in the expected number, the
// headings, a measure, a kroner total and the hearing header in the text.
func TestPDF_PrintsTheHTML(t *testing.T) {
	needChromium(t)
	d := testDocument(t)
	d.Version, d.Hearing, d.HearingDeadline = "Høringsutkast", true, "2027-05-15"
	c := export.NewChromium("", 1, time.Minute)
	pdf, err := c.PDF(context.Background(), export.HTML(d))
	if err != nil {
		t.Fatal(err)
	}
	// The cover, the contents, five chapters of the outline (the third
	// and fourth two pages at most), the scorecard and the economics.
	if n := pdfPages(t, pdf); n < 8 || n > 12 {
		t.Errorf("%d pages, want 8–12", n)
	}
	text := pdfText(t, pdf)
	for _, want := range []string{
		"Temaplan om bolig 2027–2030", "Demo kommune", "Innhold",
		"1 Innledning", introHeading, "3.1.1 Situasjonsbeskrivelse", "6 Målekort", "7 Økonomisk oversikt",
		measureTitle, "Nye boliger", "Sum for perioden 75 000 000 2 150 001 77 150 001",
		"Høringsutkast – høringsfrist 15. mai 2027", "Side 2 av",
		"<script>alert('x')</script> & farlig lenke",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q", want)
		}
	}
}

func TestPDF_ChromiumMissing(t *testing.T) {
	c := export.NewChromium(filepath.Join(t.TempDir(), "chromium"), 1, time.Second)
	_, err := c.PDF(context.Background(), []byte("<p>x</p>"))
	if collab.ErrorCode(err) != collab.CodeExportUnavailable || !strings.Contains(err.Error(), "install Debian's chromium") {
		t.Fatalf("without Chromium: %v, want export_unavailable", err)
	}
	if collab.ErrorCode(c.Available()) != collab.CodeExportUnavailable {
		t.Fatal("Available says a missing browser is there")
	}
}

// TestPDF_TimeoutKillsTheBrowser runs a "browser" that never finishes and
// starts a child of its own: the timeout ends both, quickly.
func TestPDF_TimeoutKillsTheBrowser(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "child.pid")
	script := filepath.Join(dir, "chromium")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nsleep 60 &\necho $! > "+pidFile+"\nsleep 60\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	c := export.NewChromium(script, 1, 300*time.Millisecond)
	start := time.Now()
	_, err := c.PDF(context.Background(), []byte("<p>x</p>"))
	if collab.ErrorCode(err) != collab.CodeUnavailable || !strings.Contains(err.Error(), "took longer than") {
		t.Fatalf("a hung browser: %v, want unavailable after the timeout", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("the render stopped after %s", took)
	}
	pid, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := os.Stat("/proc/" + strings.TrimSpace(string(pid)))
		if os.IsNotExist(err) {
			break
		}
		if stat, _ := os.ReadFile("/proc/" + strings.TrimSpace(string(pid)) + "/stat"); strings.Contains(string(stat), ") Z ") {
			break // a zombie: killed, waiting to be reaped by init
		}
		if time.Now().After(deadline) {
			t.Fatalf("the browser's child %s outlived the timeout", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestPDF_CancelledContext stops a render whose job is cancelled.
func TestPDF_CancelledContext(t *testing.T) {
	needChromium(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := export.NewChromium("", 1, time.Minute).PDF(ctx, []byte("<p>x</p>"))
	if err == nil {
		t.Fatal("a cancelled render made a PDF")
	}
}
