// Package server is Temaplan's HTTP face: the Echo app with the REST API
// under /api, the WebSocket endpoint, health and readiness probes, the
// OpenAPI description, the Prometheus metrics handler and the embedded
// browser UI. It translates HTTP to calls of the collab services and
// collab's error codes back to HTTP; it holds no domain logic of its own.
package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/export"
	"github.com/temaplan/temaplan/mail"
)

// Defaults of Config.
const (
	DefaultBodyLimit    = 1 << 20 // 1 MiB
	DefaultReadyTimeout = 2 * time.Second
)

// accessCacheTTL bounds how long the WebSocket path may act on a plan's
// members and phase without having heard of a change (see accessCache).
const accessCacheTTL = 2 * time.Second

// Config holds what the server needs. Store, Bus and Plans are required.
type Config struct {
	// Store answers the readiness probe.
	Store collab.Store
	// Bus answers the readiness probe.
	Bus collab.Bus
	// Plans creates plans and changes their structure.
	Plans *collab.Plans
	// Engine commits section edits; nil leaves out the WebSocket endpoint
	// and the section content route.
	Engine *collab.Engine
	// Hub relays plan events and presence to WebSocket clients.
	Hub *collab.Hub
	// Accounts logs people in and verifies their access tokens; required.
	Accounts *auth.Accounts
	// TrustedProxies are the addresses whose X-Forwarded-For is believed
	// for the client address of the login rate limit
	// (TEMAPLAN_TRUSTED_PROXIES); none means the peer address is the client.
	TrustedProxies []netip.Prefix
	// InsecureCookies leaves the Secure flag off the session cookie, for
	// plain-HTTP development on another host than localhost. Never in
	// production.
	InsecureCookies bool
	// WSSendQueue is the number of messages queued for one WebSocket
	// client before it is disconnected as too slow (1024 when 0).
	WSSendQueue int

	// Now is the clock of what depends on today's date (overdue
	// milestones); time.Now when nil.
	Now func() time.Time
	// Zone is the municipalities' time zone, in which a date is "today"
	// (Europe/Oslo when nil, UTC if that is not known).
	Zone *time.Location

	// AccessibilityContact is where the accessibility statement sends
	// feedback (an e-mail address or an https:// address), served to
	// anybody at GET /api/accessibility; empty means none.
	AccessibilityContact string

	// Log receives the access log and the errors; nil discards them.
	Log *slog.Logger
	// UI is the built browser app, served at / with a fallback to its
	// index.html for client-side routes; nil serves no UI.
	UI fs.FS
	// Origins lists the origins (scheme://host[:port]) allowed to open a
	// WebSocket besides the server's own; empty means same-origin only.
	Origins []string
	// PublicURL is the address people reach the service at
	// (scheme://host[:port][/path], no trailing slash), the base of the
	// links in e-mails and of the single sign-on redirect.
	PublicURL string
	// Mail writes the e-mails requests cause (invitations, password
	// links, notifications) into the outbox and keeps the notification
	// settings; nil means the server sends no e-mail.
	Mail *mail.Mailer
	// OIDC is single sign-on through the deployment's OpenID Connect
	// provider (routes /api/auth/oidc/*, redirect PublicURL +
	// "/api/auth/oidc/callback"); nil means none is configured.
	OIDC *auth.OIDC
	// Registry receives the server's metrics (so it serves one server
	// only: registering twice panics) and is what MetricsHandler serves;
	// nil makes a fresh registry.
	Registry *prometheus.Registry
	// Exports keeps the export jobs and their files where every node
	// reads them (the store); nil keeps them in this node's memory, so
	// that only this node answers for its jobs.
	Exports export.Store
	// Chromium is the path of the browser that prints PDF exports
	// (TEMAPLAN_CHROMIUM); export.DefaultChromium when empty. Without
	// it, a PDF export answers export_unavailable.
	Chromium string
	// DemoClock, set only by a demo server started with -demo-clock,
	// adds POST /api/demo/clock for browser tests (democlock.go); the
	// caller makes Now and the hearings' clock its Now.
	DemoClock *DemoClock
	// Hearings runs the public hearings (routes /h/:token and
	// /api/plans/:id/hearing…); nil answers them unavailable.
	Hearings *collab.Hearings
	// HearingLimiter limits the responses posted from one client address
	// (by default 5, then one every two minutes).
	HearingLimiter *auth.LoginLimiter
	// BodyLimit is the largest request body accepted, in bytes
	// (DefaultBodyLimit when 0).
	BodyLimit int64
	// ReadyTimeout bounds the store and bus pings of /readyz
	// (DefaultReadyTimeout when 0).
	ReadyTimeout time.Duration
}

// Server is the HTTP server of one Temaplan node.
type Server struct {
	cfg     Config
	log     *slog.Logger
	echo    *echo.Echo
	http    *http.Server
	metrics *httpMetrics
	openapi []byte
	// access caches plans for the per-message checks of the WebSocket
	// path; collab is that path (nil without an engine).
	access *accessCache
	collab *collabAPI
	// exports makes the plan's exports in the background (exports.go).
	exports *exportService
	// uiGzip keeps the gzip form of the UI's text files (ui_gzip.go).
	uiGzip uiGzip
	// closers run when Shutdown starts (e.g. closing WebSockets).
	closers []func()
}

// New returns a server for cfg with every route registered. It does not
// listen: call Serve, or use Handler in tests.
func New(cfg Config) *Server {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.BodyLimit <= 0 {
		cfg.BodyLimit = DefaultBodyLimit
	}
	if cfg.ReadyTimeout <= 0 {
		cfg.ReadyTimeout = DefaultReadyTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Zone == nil {
		var err error
		if cfg.Zone, err = time.LoadLocation("Europe/Oslo"); err != nil {
			cfg.Zone = time.UTC
		}
	}
	if cfg.HearingLimiter == nil {
		// Both buckets count the client address; the second is the
		// limiter's per-account bucket, keyed by the address too.
		cfg.HearingLimiter, _ = auth.NewLoginLimiter(auth.LoginLimitConfig{IPEvery: 2 * time.Minute, IPBurst: 5,
			AccountEvery: 2 * time.Minute, AccountBurst: 5, Now: cfg.Now})
	}
	s := &Server{cfg: cfg, log: cfg.Log, metrics: newHTTPMetrics(cfg.Registry),
		access: newAccessCache(cfg.Plans, accessCacheTTL), exports: newExportService(cfg)}
	if cfg.Mail != nil {
		cfg.Registry.MustRegister(outboxGauge(cfg.Mail.Depth, s.log))
	}

	doc, err := openAPIJSON()
	if err != nil {
		// The document is embedded and a test loads it, so this is a
		// build defect; the route answers internal rather than crash.
		s.log.Error("openapi document does not load", "err", err)
	}
	s.openapi = doc

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	// Client addresses are the peer's own unless it is a trusted proxy
	// (TEMAPLAN_TRUSTED_PROXIES); see auth.ClientIP.
	e.IPExtractor = func(r *http.Request) string { return auth.ClientIP(r, cfg.TrustedProxies).String() }
	e.Use(requestID, s.observe, s.recoverPanic, securityHeaders, bodyLimit(cfg.BodyLimit))
	s.echo = e
	s.routes()

	s.http = &http.Server{
		Handler:           e,
		ReadHeaderTimeout: 10 * time.Second,
		// Bounds a slow request body. WebSocket libraries clear the
		// deadline when they take the connection over; there is no write
		// timeout, so long responses and profiles are not cut.
		ReadTimeout:    30 * time.Second,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	for _, fn := range s.closers {
		s.http.RegisterOnShutdown(fn)
	}
	return s
}

// routes registers every route. The REST API is the table apiRoutes
// (routes.go); the WebSocket endpoint is in routesCollab (ws.go).
func (s *Server) routes() {
	e := s.echo
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)

	api := e.Group("/api")
	s.routesAPI(api)
	s.routesCollab(api)
	s.routesHearing(e)

	// Everything else: the UI with its client-side routes, or a JSON 404
	// under /api.
	e.RouteNotFound("/*", s.serveUI)
}

// Handler returns the server's HTTP handler (the Echo app), for tests and
// for embedding in another server.
func (s *Server) Handler() http.Handler { return s.echo }

// Serve accepts connections on ln until Shutdown is called; it returns nil
// after a shutdown.
func (s *Server) Serve(ln net.Listener) error {
	if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve http: %w", err)
	}
	return nil
}

// Shutdown stops accepting connections and waits, until ctx ends, for the
// requests in flight. WebSocket connections, which net/http no longer
// tracks once hijacked, are told to go away and waited for too.
func (s *Server) Shutdown(ctx context.Context) error {
	if err := s.http.Shutdown(ctx); err != nil {
		return fmt.Errorf("shut down http: %w", err)
	}
	s.exports.close()
	if s.collab != nil {
		return s.collab.wait(ctx)
	}
	return nil
}

// RegisterOnShutdown registers fn to be called when Shutdown starts, e.g.
// to tell WebSocket connections to close.
func (s *Server) RegisterOnShutdown(fn func()) { s.http.RegisterOnShutdown(fn) }
