package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/mongo"
	"github.com/temaplan/temaplan/collab/redis"
	"github.com/temaplan/temaplan/collab/sqlite"
	"github.com/temaplan/temaplan/export"
	"github.com/temaplan/temaplan/frontend"
	"github.com/temaplan/temaplan/mail"
	"github.com/temaplan/temaplan/server"
)

// shutdownTimeout bounds the graceful shutdown: requests in flight get
// this long to finish (container runtimes kill after 10 s by default).
const shutdownTimeout = 8 * time.Second

// presenceTTL is how long a silent peer stays present (docs/protocol.md).
const presenceTTL = 30 * time.Second

// planFresh is how long a node takes a plan it has read as current
// without reading the store again (collab.PlansConfig.Fresh): its own
// changes and the events it hears are known at once; this bounds what a
// lost event costs. Every op and request checks its permissions on the
// plan, and reading it each time was 6 % of a busy node's CPU.
//
// planFreshAlone is the same for a node with the in-process bus, which is
// the only node: every change of a plan is made on it and known at once,
// and no event can be lost on the way. It only bounds what a change made
// behind the node's back (by hand, in the database) costs. The checks of
// 500 plans' copies each second, with planFresh, were the reads that
// queued in front of the typists' acknowledgements on one core.
const (
	planFresh      = time.Second
	planFreshAlone = 30 * time.Second
)

// dbFileName is the embedded store's file in the data directory.
const dbFileName = "temaplan.db"

// Main is one running node: it reads the configuration, wires the store,
// the bus, the services and the HTTP servers together, and takes them
// down again in order.
type Main struct {
	Config Config
	// Stdout, Stderr and Getenv are the process's; tests replace them.
	Stdout, Stderr io.Writer
	Getenv         func(string) string

	log        *slog.Logger
	secret     []byte // signs access tokens
	store      collab.Store
	bus        collab.Bus
	engine     *collab.Engine
	hub        *collab.Hub
	server     *server.Server
	metricsSrv *http.Server
	mailer     *mail.Mailer
	// stopMail ends the e-mail's sender (startMail).
	stopMail context.CancelFunc
	// stopRetention ends the deletion of hearing responses at the end of
	// their retention (startRetention).
	stopRetention context.CancelFunc

	errc chan error // a listener that failed
	wg   sync.WaitGroup
}

// NewMain returns a Main on the process's stdout, stderr and environment.
func NewMain() *Main {
	return &Main{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, errc: make(chan error, 2)}
}

// ParseFlags reads the configuration from args and the environment.
func (m *Main) ParseFlags(ctx context.Context, args []string) error {
	cfg, err := LoadConfig(args, m.Getenv, m.Stderr)
	if err != nil {
		return err
	}
	m.Config = cfg
	return nil
}

// Run opens the store and the bus, starts the listeners and returns; the
// node serves until Close. A listener that fails later is reported on Err.
func (m *Main) Run(ctx context.Context) (err error) {
	cfg := m.Config
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogJSON {
		m.log = slog.New(slog.NewJSONHandler(m.Stderr, opts))
	} else {
		m.log = slog.New(slog.NewTextHandler(m.Stderr, opts))
	}

	secretSource := cfg.JWTSecretSource
	m.secret = cfg.JWTSecret
	if cfg.MongoURI == "" {
		// The embedded store and, unless given, the secret live here.
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return fmt.Errorf("data directory: %w", err)
		}
		if m.secret == nil {
			if m.secret, err = auth.LoadOrCreateSecret(cfg.DataDir); err != nil {
				return err
			}
			secretSource = filepath.Join(cfg.DataDir, auth.SecretFileName)
		}
	}

	if m.store, err = m.openStore(ctx); err != nil {
		return err
	}
	if m.bus, err = m.openBus(ctx); err != nil {
		return err
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	newID := func() string { return ulid.Make().String() }
	// The demo clock (browser tests only) is the clock of the plans, the
	// hearings and the server.
	now, demoClock := time.Now, (*server.DemoClock)(nil)
	if cfg.DemoClock {
		demoClock = server.NewDemoClock(nil)
		now = demoClock.Now
		m.log.Warn("demo clock: the administrator can move this server's clock forward (POST /api/demo/clock); for browser tests only")
	}
	m.engine, err = collab.NewEngine(collab.EngineConfig{
		Store: m.store, Bus: m.bus, Log: m.log, Metrics: server.NewEngineMetrics(reg),
	})
	if err != nil {
		return fmt.Errorf("start collaboration engine: %w", err)
	}
	plans := collab.NewPlans(collab.PlansConfig{
		Store: m.store, Bus: m.bus, Log: m.log, NewID: newID, Engine: m.engine, Now: now, Fresh: m.planFresh(),
	})
	accounts, err := m.accounts(newID)
	if err != nil {
		return err
	}
	if cfg.Demo {
		if err := seedDemo(ctx, accounts, plans, cfg.DemoPassword); err != nil {
			return fmt.Errorf("seed the demo: %w", err)
		}
	}
	sso, err := m.oidc()
	if err != nil {
		return err
	}
	if m.mailer, err = m.openMail(plans); err != nil {
		return err
	}
	m.hub = collab.NewHub(m.bus, m.store, m.log, presenceTTL)
	ui, err := frontend.Dist()
	if err != nil {
		return err
	}
	hs := hearings(plans, m.store, now)
	m.server = server.New(server.Config{
		Store: m.store, Bus: m.bus, Plans: plans, Engine: m.engine, Hub: m.hub, Log: m.log,
		Accounts: accounts, TrustedProxies: cfg.TrustedProxies, InsecureCookies: cfg.InsecureCookies,
		UI: ui, Origins: cfg.Origins, PublicURL: cfg.PublicURL, OIDC: sso, Registry: reg,
		AccessibilityContact: cfg.AccessibilityContact,
		Mail:                 m.mailer,
		Chromium:             cfg.Chromium,
		Exports:              exportStore(m.store),
		Hearings:             hs,
		Now:                  now,
		DemoClock:            demoClock,
	})

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (TEMAPLAN_ADDR): %w", cfg.Addr, err)
	}
	metricsAddr := "off"
	if cfg.AdminAddr != "" {
		mln, err := net.Listen("tcp", cfg.AdminAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen on %s (TEMAPLAN_ADMIN_ADDR): %w", cfg.AdminAddr, err)
		}
		metricsAddr = mln.Addr().String()
		m.metricsSrv = &http.Server{Handler: server.MetricsHandler(reg), ReadHeaderTimeout: 10 * time.Second}
		m.serve("metrics", func() error {
			if err := m.metricsSrv.Serve(mln); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		})
	}
	m.serve("http", func() error { return m.server.Serve(ln) })
	m.startMail()
	m.startRetention(hs, reg)

	origins := "same-origin"
	if len(cfg.Origins) > 0 {
		origins = "same-origin," + strings.Join(cfg.Origins, ",")
	}
	m.log.Info("temaplan started",
		"version", buildVersion(),
		"addr", ln.Addr().String(),
		"store", m.store.Describe(),
		"bus", m.bus.Describe(),
		"metrics", metricsAddr,
		"origins", origins,
		"jwt_secret", secretSource,
		"sso", ssoDescription(cfg),
		"mail", m.mailer.Describe(),
		"pdf", pdfDescription(cfg.Chromium),
	)
	if cfg.Demo {
		var emails []string
		for _, u := range demoUsers {
			emails = append(emails, u.email)
		}
		m.log.Info("demo: log in as one of these users", "users", strings.Join(emails, " "), "password", cfg.DemoPassword)
	}
	if cfg.MongoURI != "" && cfg.RedisURL == "" {
		m.log.Warn("MONGODB_URI without REDIS_URL: the bus is in-process, so only one node may serve")
	}
	return nil
}

// oidc returns single sign-on through the configured OpenID Connect
// provider, or nil when none is configured. The flow cookies are sealed
// with a key derived from the JWT secret, which every node shares.
func (m *Main) oidc() (*auth.OIDC, error) {
	cfg := m.Config
	if cfg.OIDCIssuer == "" {
		return nil, nil
	}
	store, ok := m.store.(auth.SSOStore)
	if !ok {
		return nil, fmt.Errorf("the store %s keeps no single sign-on states", m.store.Describe())
	}
	o, err := auth.NewOIDC(auth.OIDCConfig{Issuer: cfg.OIDCIssuer, ClientID: cfg.OIDCClientID,
		ClientSecret: cfg.OIDCClientSecret, Name: cfg.OIDCName, RedirectURL: cfg.PublicURL + server.SSOCallbackPath,
		Secret: m.secret, Store: store, Log: m.log})
	if err != nil {
		return nil, fmt.Errorf("single sign-on (TEMAPLAN_OIDC_*): %w", err)
	}
	return o, nil
}

// ssoDescription says for the start-up log whether single sign-on is on,
// with which provider and redirect URI.
func ssoDescription(cfg Config) string {
	if cfg.OIDCIssuer == "" {
		return "off"
	}
	return cfg.OIDCIssuer + " redirect " + cfg.PublicURL + server.SSOCallbackPath
}

// accounts returns the accounts service on the node's store.
func (m *Main) accounts(newID func() string) (*auth.Accounts, error) {
	store, ok := m.store.(auth.Store)
	if !ok {
		return nil, fmt.Errorf("the store %s keeps no accounts", m.store.Describe())
	}
	issuer, err := auth.NewIssuer(auth.IssuerConfig{Secret: m.secret, Issuer: "temaplan", Audience: "temaplan"})
	if err != nil {
		return nil, err
	}
	hasher, err := auth.NewHasher(auth.HasherConfig{})
	if err != nil {
		return nil, err
	}
	limiter, err := auth.NewLoginLimiter(auth.LoginLimitConfig{})
	if err != nil {
		return nil, err
	}
	return auth.NewAccounts(auth.AccountsConfig{Store: store, Issuer: issuer, Hasher: hasher,
		Limiter: limiter, Log: m.log, NewID: newID})
}

// serve runs a listener's serve loop on a goroutine that Close waits for.
func (m *Main) serve(name string, fn func() error) {
	m.wg.Go(func() {
		if err := fn(); err != nil {
			m.errc <- fmt.Errorf("%s listener: %w", name, err)
		}
	})
}

// Err reports a listener that stopped with an error.
func (m *Main) Err() <-chan error { return m.errc }

func (m *Main) openStore(ctx context.Context) (collab.Store, error) {
	if m.Config.MongoURI != "" {
		s, err := mongo.Open(ctx, m.Config.MongoURI, m.Config.MongoDB, m.log)
		if err != nil {
			return nil, fmt.Errorf("open MongoDB store (MONGODB_URI): %w", err)
		}
		return s, nil
	}
	s, err := sqlite.Open(ctx, filepath.Join(m.Config.DataDir, dbFileName), m.log)
	if err != nil {
		return nil, fmt.Errorf("open embedded store (TEMAPLAN_DATA): %w", err)
	}
	return s, nil
}

// planFresh returns collab.PlansConfig.Fresh for the node's bus.
func (m *Main) planFresh() time.Duration {
	if m.Config.RedisURL == "" {
		return planFreshAlone
	}
	return planFresh
}

func (m *Main) openBus(ctx context.Context) (collab.Bus, error) {
	if m.Config.RedisURL != "" {
		b, err := redis.Open(ctx, m.Config.RedisURL, redis.Options{}, m.log)
		if err != nil {
			return nil, fmt.Errorf("open Redis bus (REDIS_URL): %w", err)
		}
		return b, nil
	}
	return collab.NewMemoryBus(), nil
}

// Close shuts the node down in order: stop accepting requests and let
// those in flight finish (bounded by shutdownTimeout), then close the
// collaboration engine, the bus and the store. It may be called after a
// failed Run.
func (m *Main) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	var errs []error
	if m.server != nil {
		if err := m.server.Shutdown(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if m.metricsSrv != nil {
		if err := m.metricsSrv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("shut down metrics: %w", err))
		}
	}
	if m.stopMail != nil {
		m.stopMail()
	}
	if m.stopRetention != nil {
		m.stopRetention()
	}
	m.wg.Wait()
	// The hub and the engine (which finishes its commits in flight) stop
	// before the bus and the store they use close.
	if m.hub != nil {
		m.hub.Close()
	}
	if m.engine != nil {
		if err := m.engine.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close engine: %w", err))
		}
	}
	if m.bus != nil {
		if err := m.bus.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close bus: %w", err))
		}
	}
	if m.store != nil {
		if err := m.store.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close store: %w", err))
		}
	}
	if m.log != nil && m.server != nil {
		if len(errs) == 0 {
			m.log.Info("temaplan stopped")
		} else {
			m.log.Error("temaplan stopped with errors", "err", errors.Join(errs...))
		}
	}
	return errors.Join(errs...)
}

// exportStore is the store's keeping of export jobs, so that every node
// answers for them, or nil to keep them in this node's memory.
func exportStore(s collab.Store) export.Store {
	es, _ := s.(export.Store)
	return es
}

// hearings runs the public hearings on the store, in the municipalities'
// time zone (Europe/Oslo); nil when the store keeps no hearings.
func hearings(plans *collab.Plans, s collab.Store, now func() time.Time) *collab.Hearings {
	hs, ok := s.(collab.HearingStore)
	if !ok {
		return nil
	}
	zone, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		zone = time.UTC
	}
	return collab.NewHearings(collab.HearingsConfig{Plans: plans, Store: hs, Zone: zone, Now: now})
}

// startRetention runs the deletion of hearing responses whose retention
// has ended (collab.Hearings.RunRetention, hourly on the hearings' clock)
// until Close. Every node runs it: a deletion is idempotent.
// The responses it deletes are counted in
// temaplan_hearing_responses_deleted_total.
func (m *Main) startRetention(hs *collab.Hearings, reg prometheus.Registerer) {
	if hs == nil {
		return
	}
	deleted := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "temaplan_hearing_responses_deleted_total",
		Help: "Hearing responses whose personal data was deleted at the end of their retention, on this node.",
	})
	reg.MustRegister(deleted)
	ctx, cancel := context.WithCancel(context.Background())
	m.stopRetention = cancel
	m.wg.Go(func() { hs.RunRetention(ctx, collab.DefaultRetentionEvery, func(n int) { deleted.Add(float64(n)) }) })
}

// pdfDescription names the browser that prints PDF exports for the
// start-up log, or says that PDF export is off for want of it.
func pdfDescription(path string) string {
	if err := export.NewChromium(path, 1, 0).Available(); err != nil {
		return "unavailable: no Chromium at " + path + " (TEMAPLAN_CHROMIUM)"
	}
	return path
}
