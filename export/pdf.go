package export

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/temaplan/temaplan/collab"
)

// DefaultChromium is where Debian's chromium package puts the browser.
const DefaultChromium = "/usr/bin/chromium"

// Defaults of a Chromium.
const (
	DefaultPDFTimeout = 2 * time.Minute
	DefaultPDFSlots   = 1
)

// errPDFTimeout is the cause of a render stopped by the timeout.
var errPDFTimeout = errors.New("pdf render timed out")

// maxPDF bounds the size of a printed PDF.
const maxPDF = 200 << 20

// Chromium prints HTML to PDF with a headless Chromium, one process per
// document, at most slots at a time: a render takes a core and a few
// hundred megabytes for seconds.
type Chromium struct {
	path    string
	timeout time.Duration
	slots   chan struct{}
}

// NewChromium returns a printer running the browser at path
// (DefaultChromium when ""), at most slots renders at once (1 when < 1),
// each stopped after timeout (DefaultPDFTimeout when 0).
func NewChromium(path string, slots int, timeout time.Duration) *Chromium {
	if path == "" {
		path = DefaultChromium
	}
	if slots < 1 {
		slots = DefaultPDFSlots
	}
	if timeout <= 0 {
		timeout = DefaultPDFTimeout
	}
	return &Chromium{path: path, timeout: timeout, slots: make(chan struct{}, slots)}
}

// Path returns the browser's path.
func (c *Chromium) Path() string { return c.path }

// Available checks that the browser is installed: an executable file at
// its path. It returns an error with code export_unavailable otherwise.
func (c *Chromium) Available() error {
	if _, err := exec.LookPath(c.path); err != nil {
		return collab.Wrap(collab.CodeExportUnavailable, err,
			fmt.Sprintf("PDF export needs Chromium at %s (TEMAPLAN_CHROMIUM): install Debian's chromium package", c.path))
	}
	return nil
}

// PDF prints an HTML document to PDF. The document is written to a
// private temporary directory and printed from a file: URL by a browser
// with a throw-away profile, without a sandbox (it runs as the service's
// user in a container); the document's own Content-Security-Policy lets
// it load nothing and run no script (turning scripts off in the browser
// stops --print-to-pdf from printing). A render that does not
// finish within the timeout, or whose context ends, is killed with every
// process it started.
func (c *Chromium) PDF(ctx context.Context, html []byte) ([]byte, error) {
	if err := c.Available(); err != nil {
		return nil, err
	}
	select {
	case c.slots <- struct{}{}:
		defer func() { <-c.slots }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	dir, err := os.MkdirTemp("", "temaplan-pdf-")
	if err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	defer os.RemoveAll(dir)
	page, out := filepath.Join(dir, "plan.html"), filepath.Join(dir, "plan.pdf")
	if err := os.WriteFile(page, html, 0o600); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	ctx, cancel := context.WithTimeoutCause(ctx, c.timeout, errPDFTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.path,
		"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-sync",
		"--disable-background-networking", "--disable-component-update", "--mute-audio", "--hide-scrollbars",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--crash-dumps-dir="+filepath.Join(dir, "crash"),
		"--no-pdf-header-footer", "--print-to-pdf="+out,
		"file://"+page)
	// The browser writes its caches and settings under the throw-away
	// directory, not the service's home.
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_CACHE_HOME="+dir)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &limitedBuffer{buf: &stderr, max: 16 << 10}
	cmd.Stdout = cmd.Stderr
	ownProcessGroup(cmd)
	runErr := cmd.Run()
	killProcessGroup(cmd)
	if ctx.Err() != nil {
		if errors.Is(context.Cause(ctx), errPDFTimeout) {
			return nil, collab.Wrap(collab.CodeUnavailable, errPDFTimeout, fmt.Sprintf("printing the PDF took longer than %s", c.timeout))
		}
		return nil, context.Cause(ctx)
	}
	pdf, err := os.ReadFile(out)
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		return nil, fmt.Errorf("pdf: chromium made no PDF (%v, %v): %s", runErr, err, tail(stderr.Bytes(), 2000))
	}
	if len(pdf) > maxPDF {
		return nil, collab.Errorf(collab.CodeTooLarge, "the PDF is larger than %d MB", maxPDF>>20)
	}
	return pdf, nil
}

// limitedBuffer keeps the last output of a process, at most max bytes.
type limitedBuffer struct {
	buf *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	l.buf.Write(p)
	if l.buf.Len() > l.max {
		b := l.buf.Bytes()
		keep := append([]byte(nil), b[len(b)-l.max:]...)
		l.buf.Reset()
		l.buf.Write(keep)
	}
	return len(p), nil
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
