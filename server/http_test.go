package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/server"
)

func TestSecurityHeaders_OnEveryResponse(t *testing.T) {
	ts := newTestServer(t)
	for _, target := range []string{"/", "/plans/x", "/assets/app-1a2b.js", "/api/plans", "/api/nope", "/healthz"} {
		rec := ts.do(http.MethodGet, target, "")
		h := rec.Header()
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "connect-src 'self' ws: wss:", "frame-ancestors 'none'", "img-src 'self' data:", "style-src 'self' 'unsafe-inline'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", target, csp, want)
			}
		}
		if strings.Contains(csp, "script-src") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP %q loosens scripts", target, csp)
		}
		for name, want := range map[string]string{
			"X-Content-Type-Options": "nosniff",
			"Referrer-Policy":        "same-origin",
			"X-Frame-Options":        "DENY",
		} {
			if got := h.Get(name); got != want {
				t.Errorf("%s: %s = %q, want %q", target, name, got, want)
			}
		}
		if h.Get("X-Request-ID") == "" {
			t.Errorf("%s: no X-Request-ID", target)
		}
	}
}

func TestRequestID_KeepsWellFormedAndReplacesHostile(t *testing.T) {
	ts := newTestServer(t)
	for in, keep := range map[string]bool{
		"abc-123_DEF.4":             true,
		"evil\" injected=true":      false,
		strings.Repeat("a", 65):     false,
		"line\nbreak":               false,
		"01JDX5V6A1B2C3D4E5F6G7H8J": true,
	} {
		req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
		req.Header.Set("X-Request-ID", in)
		got := ts.doReq(req, "").Header().Get("X-Request-ID")
		if (got == in) != keep || got == "" {
			t.Errorf("request id %q → %q (keep=%v)", in, got, keep)
		}
	}
}

func TestUI_ServesFilesWithSPAFallback(t *testing.T) {
	ts := newTestServer(t)
	tests := []struct {
		target      string
		status      int
		contentType string
		body        string
		cache       string
	}{
		{"/", 200, "text/html", "<div id=app>", "no-cache"},
		{"/index.html", 200, "text/html", "<div id=app>", "no-cache"},
		{"/plans/01JDX5V6A1", 200, "text/html", "<div id=app>", "no-cache"},
		{"/plans/01JDX5V6A1/sections/abc", 200, "text/html", "<div id=app>", "no-cache"},
		{"/assets/app-1a2b.js", 200, "text/javascript", "console.log", "immutable"},
		{"/assets/app-1a2b.css", 200, "text/css", "margin", "immutable"},
		{"/favicon.svg", 200, "image/svg+xml", "<svg", "no-cache"},
		{"/assets/missing-99.js", 404, "application/json", `"not_found"`, ""},
		{"/assets/", 200, "text/html", "<div id=app>", "no-cache"},
		{"/../go.mod", 404, "application/json", `"not_found"`, ""},
		{"/../../etc/passwd", 200, "text/html", "<div id=app>", "no-cache"}, // cleaned to /etc/passwd: a client route
		{"/api/unknown", 404, "application/json", `"not_found"`, ""},
		{"/api", 404, "application/json", `"not_found"`, ""},
	}
	for _, tt := range tests {
		rec := ts.do(http.MethodGet, tt.target, "")
		if rec.Code != tt.status {
			t.Errorf("GET %s: status %d, want %d", tt.target, rec.Code, tt.status)
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, tt.contentType) {
			t.Errorf("GET %s: Content-Type %q, want %s", tt.target, ct, tt.contentType)
		}
		if !strings.Contains(rec.Body.String(), tt.body) {
			t.Errorf("GET %s: body %q lacks %q", tt.target, rec.Body, tt.body)
		}
		if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, tt.cache) {
			t.Errorf("GET %s: Cache-Control %q, want %s", tt.target, cc, tt.cache)
		}
	}
	// HEAD works; other methods on UI paths do not.
	if rec := ts.do(http.MethodHead, "/plans/x", ""); rec.Code != 200 || rec.Body.Len() != 0 {
		t.Errorf("HEAD: %d with %d bytes", rec.Code, rec.Body.Len())
	}
	wantError(t, ts.do(http.MethodPost, "/plans/x", `{}`), 404, collab.CodeNotFound)
}

func TestMethodNotAllowed_NamesTheAllowedMethods(t *testing.T) {
	ts := newTestServer(t)
	for _, tt := range []struct{ method, target, allow string }{
		{http.MethodPut, "/api/plans", "GET, POST"},
		{http.MethodPut, "/api/plans/x", "GET"},
		{http.MethodPut, "/api/plans/x/sections/y", "DELETE, PATCH"},
		{http.MethodPut, "/api/plans/x/sections/y/move", "POST"},
		{http.MethodPost, "/api/plans/x/members/y", "DELETE, PUT"},
		{http.MethodPut, "/api/plans/x/transitions", "POST"},
		{http.MethodGet, "/api/auth/login", "POST"},
		{http.MethodPut, "/api/me", "GET"},
		{http.MethodPut, "/api/admin/users", "GET, POST"},
		{http.MethodPut, "/api/admin/users/u", "PATCH"},
		{http.MethodPut, "/healthz", "GET"},
	} {
		// Without a token too: a wrong method is refused before the login
		// is checked, and the answer names the methods.
		for _, token := range []string{ts.token, ""} {
			rec := ts.doAs(token, tt.method, tt.target, `{}`)
			wantError(t, rec, http.StatusMethodNotAllowed, collab.CodeBadRequest)
			if got := rec.Header().Get("Allow"); got != tt.allow {
				t.Errorf("%s %s: Allow = %q, want %q", tt.method, tt.target, got, tt.allow)
			}
		}
	}
}

func TestHealth_LiveAndReady(t *testing.T) {
	ts := newTestServer(t)
	rec := ts.do(http.MethodGet, "/healthz", "")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"ok"`) {
		t.Errorf("healthz: %d %s", rec.Code, rec.Body)
	}
	rec = ts.do(http.MethodGet, "/readyz", "")
	if rec.Code != 200 || strings.TrimSpace(rec.Body.String()) != `{"status":"ready","store":"ok","bus":"ok"}` {
		t.Errorf("readyz: %d %s", rec.Code, rec.Body)
	}

	// A closed bus: not ready, and the body says which part failed.
	ts.bus.Close()
	rec = ts.do(http.MethodGet, "/readyz", "")
	if rec.Code != 503 || strings.TrimSpace(rec.Body.String()) != `{"status":"unavailable","store":"ok","bus":"unreachable"}` {
		t.Errorf("readyz with the bus closed: %d %s", rec.Code, rec.Body)
	}
	// A closed store too.
	ts.store.Close()
	rec = ts.do(http.MethodGet, "/readyz", "")
	if rec.Code != 503 || strings.TrimSpace(rec.Body.String()) != `{"status":"unavailable","store":"unreachable","bus":"unreachable"}` {
		t.Errorf("readyz with the store closed: %d %s", rec.Code, rec.Body)
	}
	// Liveness does not depend on them.
	if rec := ts.do(http.MethodGet, "/healthz", ""); rec.Code != 200 {
		t.Errorf("healthz with store and bus down: %d", rec.Code)
	}
}

func TestMetrics_CountRequestsByRoute(t *testing.T) {
	ts := newTestServer(t)
	p := ts.createPlan("Boligplan")
	ts.getPlan(p.ID)
	ts.do(http.MethodGet, "/api/plans/nope", "")
	// An invitation waits in the outbox: no SMTP server here.
	if rec := ts.do(http.MethodPost, "/api/admin/users", `{"email":"ny@m1.no","name":"Ny"}`); rec.Code != http.StatusCreated {
		t.Fatalf("invite: %d %s", rec.Code, rec.Body)
	}

	rec := httptest.NewRecorder()
	server.MetricsHandler(ts.registry).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("metrics: %d", rec.Code)
	}
	body := rec.Body.String()
	for _, want := range []string{
		`temaplan_http_requests_total{code="201",method="POST",route="/api/plans"} 1`,
		`temaplan_http_requests_total{code="200",method="GET",route="/api/plans/:id"} 1`,
		`temaplan_http_requests_total{code="404",method="GET",route="/api/plans/:id"} 1`,
		`temaplan_http_request_duration_seconds_bucket{method="POST",route="/api/plans",le="+Inf"} 1`,
		`temaplan_errors_total{code="not_found",source="http"} 1`,
		"temaplan_mail_outbox_depth 1",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, p.ID) {
		t.Error("a plan id leaked into a metric label")
	}
	// pprof is on the same private handler.
	rec = httptest.NewRecorder()
	server.MetricsHandler(ts.registry).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/debug/pprof/", nil))
	if rec.Code != 200 {
		t.Errorf("pprof index: %d", rec.Code)
	}
	// And neither is on the public handler.
	for _, target := range []string{"/metrics", "/debug/pprof/"} {
		if rec := ts.do(http.MethodGet, target, ""); strings.Contains(rec.Body.String(), "temaplan_http") || strings.Contains(rec.Body.String(), "goroutine") {
			t.Errorf("%s is served on the public listener", target)
		}
	}
}

func TestEngineMetrics_RecordCommitsAndLag(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := server.NewEngineMetrics(reg)
	m.Committed(1, 2*time.Millisecond)
	m.Committed(5, 4*time.Millisecond)
	m.BusLag(3 * time.Millisecond)
	m.GapFilled(4)
	m.Resent()
	m.Refused(collab.CodeLocked)
	m.Refused(collab.CodeLocked)
	rec := httptest.NewRecorder()
	server.MetricsHandler(reg).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for _, want := range []string{
		"temaplan_ops_committed_total 6",
		`temaplan_commit_duration_seconds_count{batch="1"} 1`,
		`temaplan_commit_duration_seconds_count{batch="2-10"} 1`,
		"temaplan_bus_lag_seconds_count 1",
		"temaplan_gap_fill_ops_total 4",
		"temaplan_resends_total 1",
		`temaplan_ops_refused_total{code="locked"} 2`,
	} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestServe_ShutdownDrains(t *testing.T) {
	ts := newTestServer(t)
	hs := httptest.NewUnstartedServer(nil)
	ln := hs.Listener
	done := make(chan error, 1)
	go func() { done <- ts.srv.Serve(ln) }()

	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("healthz: %d", resp.StatusCode)
	}
	if err := ts.srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Errorf("Serve after Shutdown returned %v, want nil", err)
	}
}

func TestUI_GzipsTextFilesForClientsThatTakeIt(t *testing.T) {
	ts := newTestServer(t)
	raw := testUI["assets/big-3c4d.js"].Data
	get := func(method, target string, header ...string) *httptest.ResponseRecorder {
		t.Helper()
		req := httptest.NewRequest(method, target, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		return ts.serve(req)
	}
	for _, ae := range []string{"gzip", "gzip, deflate, br", "br;q=1.0, gzip;q=0.5"} {
		rec := get(http.MethodGet, "/assets/big-3c4d.js", "Accept-Encoding", ae)
		if rec.Code != 200 || rec.Header().Get("Content-Encoding") != "gzip" {
			t.Fatalf("Accept-Encoding %q: %d, Content-Encoding %q", ae, rec.Code, rec.Header().Get("Content-Encoding"))
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
			t.Errorf("Content-Type %q", ct)
		}
		if !strings.Contains(rec.Header().Get("Vary"), "Accept-Encoding") || !strings.Contains(rec.Header().Get("Cache-Control"), "immutable") {
			t.Errorf("headers %v", rec.Header())
		}
		if n := rec.Body.Len(); rec.Header().Get("Content-Length") != strconv.Itoa(n) || n >= len(raw)/4 {
			t.Errorf("compressed %d bytes (Content-Length %q) of %d", n, rec.Header().Get("Content-Length"), len(raw))
		}
		zr, err := gzip.NewReader(rec.Body)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(got, raw) {
			t.Fatalf("decompressed %d bytes (err %v), want the file's %d", len(got), err, len(raw))
		}
	}
	// Served as it is: without gzip, gzip refused with q=0, a Range, a
	// file too small to gain, a client route's index.html too small too.
	plain := []struct {
		target string
		header []string
	}{
		{"/assets/big-3c4d.js", nil},
		{"/assets/big-3c4d.js", []string{"Accept-Encoding", "gzip;q=0, br"}},
		{"/assets/big-3c4d.js", []string{"Accept-Encoding", "identity"}},
		{"/assets/app-1a2b.js", []string{"Accept-Encoding", "gzip"}},
		{"/plans/x", []string{"Accept-Encoding", "gzip"}},
	}
	for _, p := range plain {
		rec := get(http.MethodGet, p.target, p.header...)
		if rec.Code != 200 || rec.Header().Get("Content-Encoding") != "" {
			t.Errorf("GET %s %v: %d, Content-Encoding %q", p.target, p.header, rec.Code, rec.Header().Get("Content-Encoding"))
		}
	}
	if rec := get(http.MethodGet, "/assets/big-3c4d.js", "Accept-Encoding", "gzip", "Range", "bytes=0-9"); rec.Code != http.StatusPartialContent || rec.Body.String() != string(raw[:10]) {
		t.Errorf("Range: %d %q", rec.Code, rec.Body)
	}
	if rec := get(http.MethodHead, "/assets/big-3c4d.js", "Accept-Encoding", "gzip"); rec.Code != 200 || rec.Body.Len() != 0 || rec.Header().Get("Content-Encoding") != "gzip" {
		t.Errorf("HEAD: %d, %d bytes, %v", rec.Code, rec.Body.Len(), rec.Header())
	}
}
