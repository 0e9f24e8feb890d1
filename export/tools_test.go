package export_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// needTool fails the test when a program it checks the exports with is
// missing: the checks are not skipped, CI installs the Debian package.
func needTool(t testing.TB, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not installed: install Debian's %s package (apt-get install %s; .ci/run installs it)", name, pkg, pkg)
	}
	return p
}

// needChromium fails the test when Debian's chromium is missing.
func needChromium(t testing.TB) {
	t.Helper()
	if _, err := os.Stat("/usr/bin/chromium"); err != nil {
		t.Fatalf("/usr/bin/chromium is not installed: install Debian's chromium package (apt-get install chromium; .ci/run installs it)")
	}
}

// runTool runs a program on data written to a temp file, named in args by
// "%f" (at the end when no arg is), and returns its standard output.
func runTool(t testing.TB, data []byte, ext string, name string, args ...string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "export."+ext)
	if err := os.WriteFile(f, data, 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	placed := false
	for i, a := range args {
		if a == "%f" {
			args[i], placed = f, true
		}
	}
	if !placed {
		args = append(args, f)
	}
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, stderr.String())
	}
	return stdout.String()
}

// pdfPages returns the page count pdfinfo reads.
func pdfPages(t testing.TB, pdf []byte) int {
	t.Helper()
	needTool(t, "pdfinfo", "poppler-utils")
	for _, line := range strings.Split(runTool(t, pdf, "pdf", "pdfinfo"), "\n") {
		if rest, ok := strings.CutPrefix(line, "Pages:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(rest))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("pdfinfo names no page count")
	return 0
}

// pdfText returns the PDF's text as pdftotext reads it, in its layout so
// that a table row stays on one line, with no-break spaces as spaces and
// runs of white space as one space.
func pdfText(t testing.TB, pdf []byte) string {
	t.Helper()
	needTool(t, "pdftotext", "poppler-utils")
	return squash(runTool(t, pdf, "pdf", "pdftotext", "-layout", "-enc", "UTF-8", "%f", "-"))
}

// squash turns no-break spaces into spaces and runs of white space into
// one space.
func squash(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\u00a0", " ")), " ")
}
