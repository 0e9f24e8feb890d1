package server

import (
	"crypto/rand"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/temaplan/temaplan/collab"
)

// contentSecurityPolicy allows the app's own scripts, styles, images and
// connections (WebSockets included) only. Quill sets inline style
// attributes (colours, cursors of quill-cursors), hence 'unsafe-inline'
// for styles; scripts stay strict. data: images cover pasted images and
// Quill's icons.
const contentSecurityPolicy = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; " +
	"style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the security headers every response carries.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		return next(c)
	}
}

// maxRequestIDLen bounds a request id taken from the client.
const maxRequestIDLen = 64

// requestID gives every request an id, echoed in the X-Request-ID
// response header and logged with the request. A well-formed id sent by
// the client (or a proxy) is kept so logs can be correlated; anything else
// is replaced, so a client cannot inject text into the log.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if !validRequestID(id) {
			id = rand.Text()
		}
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
}

func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// observe writes the access log line and the request metrics of every
// request. It hands an error to the error handler itself, so that the
// status it logs is the one the client gets.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err)
		}
		d := time.Since(start)
		r, w := c.Request(), c.Response()
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		s.metrics.observe(r.Method, route, w.Status, d)

		level := slog.LevelInfo
		if route == "/healthz" || route == "/readyz" {
			level = slog.LevelDebug // probes every few seconds would drown the log
		}
		attrs := []slog.Attr{
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", w.Status),
			slog.Int64("bytes", w.Size),
			slog.Duration("duration", d),
			slog.String("request_id", w.Header().Get(echo.HeaderXRequestID)),
			slog.String("remote", c.RealIP()),
		}
		// The plan and the person, by id: never names, text or tokens.
		if strings.HasPrefix(route, "/api/plans/:id") {
			attrs = append(attrs, slog.String("plan", c.Param("id")))
		}
		if id := principal(c).Account.ID; id != "" {
			attrs = append(attrs, slog.String("user", id))
		}
		s.log.LogAttrs(r.Context(), level, "http", attrs...)
		return nil
	}
}

// recoverPanic turns a panic in a handler into an internal error, logged
// with its stack, so one bad request never takes the node down.
func (s *Server) recoverPanic(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			r := recover()
			if r == nil {
				return
			}
			if r == http.ErrAbortHandler { //nolint:errorlint // sentinel compared as net/http does
				panic(r)
			}
			s.log.Error("panic in handler", "method", c.Request().Method, "path", c.Request().URL.Path,
				"request_id", c.Response().Header().Get(echo.HeaderXRequestID),
				"panic", r, "stack", string(debug.Stack()))
			err = collab.Errorf(collab.CodeInternal, "internal error")
		}()
		return next(c)
	}
}

// statusLabel is the status code as a metrics label.
func statusLabel(status int) string { return strconv.Itoa(status) }
