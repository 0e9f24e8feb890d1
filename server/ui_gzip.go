package server

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
)

// minGzipSize is the smallest UI file worth compressing: below it the
// gzip header and the extra round of work outweigh the bytes saved.
const minGzipSize = 1024

// gzipTypes are the extensions of the UI's text files, which compress to a
// fraction (the JavaScript bundle to about 30 %); images and fonts are
// compressed already.
var gzipTypes = map[string]bool{
	".js": true, ".mjs": true, ".css": true, ".html": true, ".svg": true,
	".json": true, ".map": true, ".txt": true, ".webmanifest": true,
}

// uiGzip holds the gzip form of each UI file that has been asked for. The
// UI is embedded and never changes while the server runs, so each file is
// compressed once; the cache is bounded by the files of the UI.
type uiGzip struct {
	mu    sync.Mutex
	files map[string][]byte // name → gzip bytes; nil when not worth it
}

// compressed returns the gzip form of the UI file name, opened with open,
// or nil when the file is not worth compressing.
func (g *uiGzip) compressed(name string, open func(string) (fs.File, error)) ([]byte, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if z, ok := g.files[name]; ok {
		return z, nil
	}
	f, err := open(name)
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		return nil, err
	}
	var z []byte
	if len(raw) >= minGzipSize {
		var buf bytes.Buffer
		w, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(raw); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		if buf.Len() < len(raw) {
			z = buf.Bytes()
		}
	}
	if g.files == nil {
		g.files = map[string][]byte{}
	}
	g.files[name] = z
	return z, nil
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip
// (a q=0 refuses it).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get(echo.HeaderAcceptEncoding), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q, ok := strings.CutPrefix(strings.TrimSpace(params), "q=")
		if !ok {
			return true
		}
		v, err := strconv.ParseFloat(q, 64)
		return err == nil && v > 0
	}
	return false
}

// serveGzip answers the request with the gzip form of the UI file name
// when the client takes it, the file is text and a Range is not asked for.
// It reports whether it answered; when not, the caller serves the file as
// it is. The Vary header is set either way for a compressible file, so a
// cache never gives the compressed form to a client that did not ask.
func (s *Server) serveGzip(c echo.Context, name string) (bool, error) {
	if !gzipTypes[path.Ext(name)] {
		return false, nil
	}
	r := c.Request()
	h := c.Response().Header()
	h.Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
	if !acceptsGzip(r) || r.Header.Get("Range") != "" {
		return false, nil
	}
	z, err := s.uiGzip.compressed(name, s.openUIFile)
	if err != nil || z == nil {
		return false, err
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = echo.MIMEApplicationJSON // .map, the only one Go does not know
	}
	h.Set(echo.HeaderContentType, ctype)
	h.Set(echo.HeaderContentEncoding, "gzip")
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(z)))
	c.Response().WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return true, nil
	}
	_, err = c.Response().Write(z)
	return true, err
}
