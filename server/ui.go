package server

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// serveUI answers every request no route matched. A path that a route
// has with another method is 405 with an Allow header. Under /api anything
// else is a JSON not_found error. Elsewhere, GET and HEAD serve the file
// of the built UI with that path, and fall back to index.html for
// client-side routes (/plans/01J...) so that a reload or a shared link
// opens the app. A missing path that looks like a file (it has an
// extension, like a stale /assets/app-1234.js) is a 404, not index.html,
// so a browser never executes HTML as a script.
func (s *Server) serveUI(c echo.Context) error {
	r := c.Request()
	p := r.URL.Path
	if allow := s.allowedMethods(p); len(allow) > 0 {
		c.Response().Header().Set(echo.HeaderAllow, strings.Join(allow, ", "))
		return echo.ErrMethodNotAllowed
	}
	if s.cfg.UI == nil || p == "/api" || strings.HasPrefix(p, "/api/") ||
		(r.Method != http.MethodGet && r.Method != http.MethodHead) {
		return echo.ErrNotFound
	}
	name := strings.TrimPrefix(path.Clean("/"+p), "/")
	if name == "" {
		name = "index.html"
	}
	f, err := s.openUIFile(name)
	if errors.Is(err, fs.ErrNotExist) && path.Ext(name) == "" {
		name = "index.html"
		f, err = s.openUIFile(name)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return echo.ErrNotFound
	}
	if err != nil {
		return err
	}
	defer f.Close()

	h := c.Response().Header()
	if strings.HasPrefix(name, "assets/") {
		// Vite puts a content hash in every asset's name.
		h.Set(echo.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		h.Set(echo.HeaderCacheControl, "no-cache")
	}
	if done, err := s.serveGzip(c, name); done || err != nil {
		return err
	}
	rs, ok := f.(io.ReadSeeker)
	if !ok {
		b, err := io.ReadAll(f)
		if err != nil {
			return err
		}
		rs = bytes.NewReader(b)
	}
	http.ServeContent(c.Response(), r, name, time.Time{}, rs)
	return nil
}

// openUIFile opens a regular file of the UI; a directory counts as missing.
func (s *Server) openUIFile(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, fs.ErrNotExist
	}
	f, err := s.cfg.UI.Open(name)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fs.ErrNotExist
	}
	return f, nil
}

// allowedMethods returns the methods of the routes whose pattern matches
// path. Echo answers 404 rather than 405 when a catch-all route exists, as
// the UI's does, so the catch-all finds the 405s itself.
func (s *Server) allowedMethods(path string) []string {
	var out []string
	for _, r := range s.echo.Routes() {
		if r.Method == echo.RouteNotFound || strings.HasSuffix(r.Path, "*") || slices.Contains(out, r.Method) {
			continue
		}
		if matchPattern(r.Path, path) {
			out = append(out, r.Method)
		}
	}
	slices.Sort(out)
	return out
}

// matchPattern reports whether path matches an Echo route pattern made of
// static segments and :params.
func matchPattern(pattern, path string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return false
	}
	for i, p := range ps {
		if strings.HasPrefix(p, ":") {
			if xs[i] == "" {
				return false
			}
		} else if p != xs[i] {
			return false
		}
	}
	return true
}
