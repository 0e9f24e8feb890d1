package mail

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
)

// DefaultFrom is the sender of messages when none is configured.
const DefaultFrom = "Temaplan <noreply@temaplan.invalid>"

// Timing holds the intervals of the outbox and the periodic work. Zero
// fields take the defaults.
type Timing struct {
	// Poll is how often the sender looks for due messages (5 s); a
	// message enqueued on this node wakes it at once.
	Poll time.Duration
	// ClaimTTL is how long an attempt's claim holds a message before
	// another node may try it (2 min): the end of a crashed sender.
	ClaimTTL time.Duration
	// SendTimeout bounds one delivery (1 min); it must be shorter than
	// ClaimTTL, so a claim never expires while its send may still run.
	SendTimeout time.Duration
	// MinBackoff and MaxBackoff bound the wait after a failed attempt,
	// which doubles with every attempt (30 s up to 1 h).
	MinBackoff, MaxBackoff time.Duration
	// MaxAttempts is how many attempts a message gets before it is given
	// up (40: about a day and a half with the default backoff).
	MaxAttempts int
	// Tick is how often the reminders and digests are looked for (10 min).
	Tick time.Duration
	// DigestHour is the hour of the day (in Zone), 1 to 23, from which
	// yesterday's digests are sent (7).
	DigestHour int
	// ResetTTL is how long a password-reset link is good (1 h);
	// InvitationTTL how long an invitation's link is (7 days).
	ResetTTL, InvitationTTL time.Duration
}

func (t *Timing) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&t.Poll, 5*time.Second)
	def(&t.ClaimTTL, 2*time.Minute)
	def(&t.SendTimeout, time.Minute)
	def(&t.MinBackoff, 30*time.Second)
	def(&t.MaxBackoff, time.Hour)
	def(&t.Tick, 10*time.Minute)
	def(&t.ResetTTL, time.Hour)
	def(&t.InvitationTTL, 7*24*time.Hour)
	if t.MaxAttempts <= 0 {
		t.MaxAttempts = 40
	}
	if t.DigestHour <= 0 || t.DigestHour > 23 {
		t.DigestHour = 7
	}
}

// Config holds what a Mailer needs. Store, Accounts and PublicURL are
// required.
type Config struct {
	// Store keeps the outbox, the password tokens, the notification
	// settings and the digests.
	Store Store
	// Accounts are the people messages go to; a new password is set here.
	Accounts auth.Store
	// Plans are read for the deadline reminders of review rounds; nil
	// sends none.
	Plans *collab.Plans
	// Hasher hashes the passwords set through a link; nil refuses them.
	Hasher *auth.Hasher
	// SMTP is the relay; nil leaves every message in the outbox (and
	// says so in the log) until a node with SMTP delivers it.
	SMTP *SMTP
	// From is the sender, "Name <address>" (DefaultFrom when empty).
	From string
	// PublicURL is where people reach the server (https://plan.kommune.no):
	// the base of every link in a message.
	PublicURL string
	// Node names this node in its claims (host name and process id when
	// empty).
	Node string
	// ResetLimiter limits password-reset requests per client address and
	// per e-mail address; nil means 10 at once and then one a minute per
	// address, 3 and then one per 15 minutes per e-mail.
	ResetLimiter *auth.LoginLimiter
	Timing       Timing
	Log          *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Zone is the municipalities' time zone, of deadlines and digest days
	// (Europe/Oslo when nil, UTC if that is not known).
	Zone *time.Location
}

// Mailer is the e-mail of one node: it renders messages into the outbox,
// delivers them (Run), and keeps the password links and the notification
// settings. It is safe for concurrent use.
type Mailer struct {
	cfg  Config
	t    Timing
	log  *slog.Logger
	tpl  *templates
	from netmail.Address
	base string
	// wake tells the sender that a message was enqueued on this node.
	wake chan struct{}
}

// New returns the Mailer for cfg.
func New(cfg Config) (*Mailer, error) {
	if cfg.Store == nil || cfg.Accounts == nil {
		return nil, errors.New("mail: store and accounts are required")
	}
	base, err := checkPublicURL(cfg.PublicURL)
	if err != nil {
		return nil, fmt.Errorf("mail: public URL: %w", err)
	}
	if cfg.From == "" {
		cfg.From = DefaultFrom
	}
	from, err := netmail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("mail: sender %q: %w", cfg.From, err)
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Zone == nil {
		if cfg.Zone, err = time.LoadLocation("Europe/Oslo"); err != nil {
			cfg.Zone = time.UTC
		}
	}
	if cfg.Node == "" {
		host, _ := os.Hostname()
		cfg.Node = fmt.Sprintf("%s/%d/%s", host, os.Getpid(), randomHex(4))
	}
	if cfg.ResetLimiter == nil {
		if cfg.ResetLimiter, err = auth.NewLoginLimiter(auth.LoginLimitConfig{
			IPEvery: time.Minute, IPBurst: 10, AccountEvery: 15 * time.Minute, AccountBurst: 3, Now: cfg.Now,
		}); err != nil {
			return nil, err
		}
	}
	t := cfg.Timing
	t.defaults()
	if t.SendTimeout >= t.ClaimTTL {
		return nil, fmt.Errorf("mail: the send timeout (%v) must be shorter than the claim (%v)", t.SendTimeout, t.ClaimTTL)
	}
	tpl, err := loadTemplates(base)
	if err != nil {
		return nil, err
	}
	return &Mailer{cfg: cfg, t: t, log: cfg.Log, tpl: tpl, from: *from, base: base, wake: make(chan struct{}, 1)}, nil
}

// checkPublicURL checks the server's public URL and returns it without a
// trailing slash.
func checkPublicURL(s string) (string, error) {
	if s == "" {
		return "", errors.New("is required: every link in a message starts with it")
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("%q is not a URL like https://plan.kommune.no", s)
	}
	return strings.TrimRight(s, "/"), nil
}

// Describe says how messages leave this node, for the start-up log.
func (m *Mailer) Describe() string {
	if m.cfg.SMTP == nil {
		return "outbox only (no TEMAPLAN_SMTP_URL)"
	}
	return m.cfg.SMTP.String()
}

// Run delivers the outbox (when the node has SMTP) and makes the deadline
// reminders and the daily digests, until ctx ends.
func (m *Mailer) Run(ctx context.Context) {
	var wg sync.WaitGroup
	if m.cfg.SMTP != nil {
		wg.Go(func() { m.sendLoop(ctx) })
	} else {
		m.log.Warn("mail: no SMTP server (TEMAPLAN_SMTP_URL): messages stay in the outbox")
	}
	wg.Go(func() { m.tickLoop(ctx) })
	wg.Wait()
}

// Depth returns the number of messages in the outbox not yet sent (or
// given up): the outbox depth of the metrics.
func (m *Mailer) Depth(ctx context.Context) (int, error) {
	return m.cfg.Store.PendingMail(ctx)
}

// link returns the absolute URL of a path of the app.
func (m *Mailer) link(path string) string { return m.base + path }

// now is the clock at the stores' precision.
func (m *Mailer) now() time.Time { return m.cfg.Now().UTC().Truncate(time.Millisecond) }

// today is the date of t in the municipalities' zone.
func (m *Mailer) day(t time.Time) string { return t.In(m.cfg.Zone).Format(time.DateOnly) }

// enqueue stores msg in the outbox. A message with its id there already
// is not stored again, and that is no error.
func (m *Mailer) enqueue(ctx context.Context, msg Message) error {
	msg.Created = m.now()
	if err := m.cfg.Store.EnqueueMail(ctx, msg); err != nil {
		if errors.Is(err, collab.ErrDuplicate) {
			return nil
		}
		return collab.Wrap(collab.CodeUnavailable, err, "the e-mail could not be stored; try again")
	}
	select {
	case m.wake <- struct{}{}:
	default:
	}
	return nil
}

// compose renders a message of kind to (account user, or "") in lang and
// enqueues it under id.
func (m *Mailer) compose(ctx context.Context, id string, kind Kind, to, user string, lang Lang, v view) error {
	subject, text, html, err := m.tpl.render(lang, kind, v)
	if err != nil {
		return err
	}
	return m.enqueue(ctx, Message{ID: id, Kind: kind, User: user, To: to, Lang: lang, Subject: subject, Text: text, HTML: html})
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
