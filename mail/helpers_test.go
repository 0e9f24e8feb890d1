package mail_test

import (
	"context"
	"net"
	"net/netip"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/sqlite"
	"github.com/temaplan/temaplan/mail"
	"github.com/temaplan/temaplan/mail/mailtest"
)

// publicURL is the test server's public URL, the base of every link.
const publicURL = "https://plan.aeroy.example.no"

// testPassword is the first password of every test account.
const testPassword = "correct horse battery"

// clock is a test clock that moves when the test says.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// oslo is the municipalities' time zone.
func oslo(t *testing.T) *time.Location {
	t.Helper()
	z, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// testStore is what a node's store is: both adapters are.
type testStore interface {
	collab.Store
	auth.Store
	mail.Store
}

// fixture is a real store (SQLite unless the test chooses) with a
// municipality, an accounts service and a test clock (Tuesday 10 March
// 2026, 10:00 in Oslo).
type fixture struct {
	t        *testing.T
	store    testStore
	accounts *auth.Accounts
	hasher   *auth.Hasher
	plans    *collab.Plans
	clock    *clock
	zone     *time.Location
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "temaplan.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return newFixtureOn(t, store)
}

// newFixtureOn is newFixture on a store of the test's choosing.
func newFixtureOn(t *testing.T, store testStore) *fixture {
	t.Helper()
	zone := oslo(t)
	f := &fixture{t: t, store: store, zone: zone, clock: &clock{t: time.Date(2026, 3, 10, 10, 0, 0, 0, zone)}}
	var err error
	f.hasher, err = auth.NewHasher(auth.HasherConfig{Params: auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	if err != nil {
		t.Fatal(err)
	}
	issuer, err := auth.NewIssuer(auth.IssuerConfig{Secret: []byte("test-secret-test-secret-test-secret!"), Issuer: "temaplan", Audience: "temaplan"})
	if err != nil {
		t.Fatal(err)
	}
	limiter, err := auth.NewLoginLimiter(auth.LoginLimitConfig{})
	if err != nil {
		t.Fatal(err)
	}
	f.accounts, err = auth.NewAccounts(auth.AccountsConfig{Store: store, Issuer: issuer, Hasher: f.hasher, Limiter: limiter,
		NewID: func() string { return ulid.Make().String() }})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.accounts.EnsureMunicipality(context.Background(), auth.Municipality{ID: "m1", Name: "Ærøy kommune"}); err != nil {
		t.Fatal(err)
	}
	bus := collab.NewMemoryBus()
	t.Cleanup(func() { bus.Close() })
	f.plans = collab.NewPlans(collab.PlansConfig{Store: store, Bus: bus, Now: f.clock.Now, NewID: func() string { return ulid.Make().String() }})
	return f
}

// user makes an account of m1.
func (f *fixture) user(email, name string) auth.Account {
	f.t.Helper()
	a, err := f.accounts.EnsureUser(context.Background(), "m1", auth.NewUser{Email: email, Name: name, Password: testPassword})
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

// mailer returns a Mailer on the fixture's store that delivers to the
// SMTP URL smtpURL ("" for none); opts change its configuration.
func (f *fixture) mailer(smtpURL string, opts ...func(*mail.Config)) *mail.Mailer {
	f.t.Helper()
	cfg := mail.Config{Store: f.store, Accounts: f.store, Plans: f.plans, Hasher: f.hasher, From: "Temaplan Ærøy <noreply@aeroy.example.no>",
		PublicURL: publicURL, Now: f.clock.Now, Zone: f.zone, Node: "node-" + f.t.Name(),
		Timing: mail.Timing{Poll: 20 * time.Millisecond, MinBackoff: time.Minute, MaxBackoff: time.Hour, Tick: time.Hour}}
	if smtpURL != "" {
		s, err := mail.ParseSMTPURL(smtpURL)
		if err != nil {
			f.t.Fatal(err)
		}
		s.Timeout = 5 * time.Second
		cfg.SMTP = s
	}
	for _, o := range opts {
		o(&cfg)
	}
	m, err := mail.New(cfg)
	if err != nil {
		f.t.Fatal(err)
	}
	return m
}

// deliver makes one pass over the outbox and returns how many due
// messages it found.
func deliver(t *testing.T, m *mail.Mailer) int {
	t.Helper()
	n, err := m.DeliverDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// depth is the outbox depth.
func depth(t *testing.T, m *mail.Mailer) int {
	t.Helper()
	n, err := m.Depth(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// freeAddr returns a local address nothing listens on (yet).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// linkRE finds a password link in a message.
var linkRE = regexp.MustCompile(regexp.QuoteMeta(publicURL+mail.PasswordPath+"#") + `([A-Za-z0-9_\-]+)`)

// tokenOf returns the token of the password link in a received message.
func tokenOf(t *testing.T, m mailtest.Message) string {
	t.Helper()
	sub := linkRE.FindStringSubmatch(m.Text)
	if sub == nil {
		t.Fatalf("no password link in %q", m.Text)
	}
	return sub[1]
}

// ip is the client address of the tests' requests.
var ip = netip.MustParseAddr("192.0.2.10")

// contains fails t unless s contains every want.
func contains(t *testing.T, what, s string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, s)
		}
	}
}
