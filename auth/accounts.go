package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/temaplan/temaplan/collab"
)

// DefaultRefreshTTL is how long a refresh token lives without use. Every
// refresh rotates it, so an active session lasts as long as it is used.
const DefaultRefreshTTL = 12 * time.Hour

// AccountsConfig holds what Accounts needs. Store, Issuer, Hasher and
// Limiter are required.
type AccountsConfig struct {
	Store   Store
	Issuer  *Issuer
	Hasher  *Hasher
	Limiter *LoginLimiter
	Log     *slog.Logger
	// RefreshTTL is the lifetime of a refresh token (DefaultRefreshTTL
	// when 0).
	RefreshTTL time.Duration
	Now        func() time.Time
	// NewID returns a new unique id for accounts and audit events.
	NewID func() string
}

// Accounts is the service that logs people in and manages their accounts:
// login with rate limits, refresh-token rotation with reuse detection,
// logout, verification of access tokens, and the administration of users
// within a municipality. Every login, failed login, reuse and change of an
// account is written to the audit log.
type Accounts struct {
	cfg AccountsConfig
	log *slog.Logger
}

// NewAccounts returns the accounts service for cfg.
func NewAccounts(cfg AccountsConfig) (*Accounts, error) {
	if cfg.Store == nil || cfg.Issuer == nil || cfg.Hasher == nil || cfg.Limiter == nil || cfg.NewID == nil {
		return nil, errors.New("accounts: store, issuer, hasher, limiter and id generator are required")
	}
	if cfg.RefreshTTL == 0 {
		cfg.RefreshTTL = DefaultRefreshTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Accounts{cfg: cfg, log: cfg.Log}, nil
}

// Session is what a login or a refresh gives: an access token and the
// refresh token that replaces the presented one.
type Session struct {
	AccessToken    string
	ExpiresIn      time.Duration
	RefreshToken   string
	RefreshExpires time.Time
	Account        Account
}

// Principal is the person behind a verified access token.
type Principal struct {
	Account Account
	Claims  Claims
}

// errBadLogin is the one answer to an unknown e-mail, a wrong password and
// a disabled account, so the answer tells nothing about which it was.
func errBadLogin() error {
	return collab.Errorf(collab.CodeUnauthorized, "wrong e-mail or password")
}

// Login checks an e-mail and password from ip and starts a session.
func (a *Accounts) Login(ctx context.Context, ip netip.Addr, email, password string) (Session, error) {
	email = NormalizeEmail(email)
	if len(email) > maxEmailLen || len(password) > maxPasswordLen {
		return Session{}, errBadLogin()
	}
	if err := a.cfg.Limiter.Allow(ip, email); err != nil {
		return Session{}, err
	}
	acct, found, err := a.cfg.Store.AccountByEmail(ctx, email)
	if err != nil {
		return Session{}, collab.Wrap(collab.CodeUnavailable, err, "the account could not be read; try again")
	}
	hash := ""
	if found {
		hash = acct.PasswordHash
	}
	// Verify runs for unknown accounts too (against a dummy hash), so
	// every failure costs the same.
	ok, err := a.cfg.Hasher.Verify(ctx, password, hash)
	if err != nil {
		return Session{}, fmt.Errorf("login: %w", err)
	}
	if !ok || acct.Disabled {
		if found {
			a.audit(ctx, AuditEvent{Municipality: acct.Municipality, Actor: acct.ID, Action: "login_failed", IP: ip.String()})
		}
		return Session{}, errBadLogin()
	}
	// Only now, with the password right, may the answer say that password
	// login is off: it tells nothing a successful login would not.
	if allowed, err := a.passwordAllowed(ctx, acct); err != nil {
		return Session{}, err
	} else if !allowed {
		a.audit(ctx, AuditEvent{Municipality: acct.Municipality, Actor: acct.ID, Action: "login_failed", IP: ip.String(),
			Detail: "password login is off in the municipality"})
		return Session{}, errPasswordLoginDisabled()
	}
	if a.cfg.Hasher.NeedsRehash(acct.PasswordHash) {
		if h, err := a.cfg.Hasher.Hash(ctx, password); err == nil {
			acct.PasswordHash, acct.Updated = h, a.now()
			if err := a.cfg.Store.UpdateAccount(ctx, acct); err != nil {
				a.log.Warn("password rehash not stored", "user", acct.ID, "err", err)
			}
		}
	}
	s, err := a.startFamily(ctx, acct)
	if err != nil {
		return Session{}, err
	}
	a.audit(ctx, AuditEvent{Municipality: acct.Municipality, Actor: acct.ID, Action: "login", IP: ip.String()})
	return s, nil
}

// startFamily issues the first refresh token of a new family and an access
// token.
func (a *Accounts) startFamily(ctx context.Context, acct Account) (Session, error) {
	return a.issue(ctx, acct, a.cfg.NewID(), 0)
}

// issue stores the refresh token of (family, gen) and issues an access
// token. A duplicate (family, gen) means another request rotated the same
// token first: the caller treats it as reuse.
func (a *Accounts) issue(ctx context.Context, acct Account, family string, gen int64) (Session, error) {
	plain, hash, err := NewRefreshToken()
	if err != nil {
		return Session{}, err
	}
	now := a.now()
	rt := RefreshToken{Hash: hash, Family: family, Gen: gen, UserID: acct.ID, IssuedAt: now, ExpiresAt: now.Add(a.cfg.RefreshTTL)}
	if err := a.cfg.Store.InsertRefreshToken(ctx, rt); err != nil {
		if errors.Is(err, collab.ErrDuplicate) {
			return Session{}, err
		}
		return Session{}, collab.Wrap(collab.CodeUnavailable, err, "the session could not be stored; try again")
	}
	access, ttl, err := a.cfg.Issuer.Issue(acct.ID)
	if err != nil {
		return Session{}, err
	}
	return Session{AccessToken: access, ExpiresIn: ttl, RefreshToken: plain, RefreshExpires: rt.ExpiresAt, Account: acct}, nil
}

// errSessionEnded is the answer to a refresh token that is not (or no
// longer) good: the browser shows the login page.
func errSessionEnded() error {
	return collab.Errorf(collab.CodeUnauthorized, "the session has ended; log in again")
}

// Refresh exchanges a refresh token for a new one and an access token. A
// token that was exchanged before is reuse: two parties hold the session
// and one is a thief, so the whole family is revoked (both are logged out).
func (a *Accounts) Refresh(ctx context.Context, plain string) (Session, error) {
	if plain == "" || len(plain) > 200 {
		return Session{}, errSessionEnded()
	}
	rt, ok, err := a.cfg.Store.RefreshToken(ctx, HashRefreshToken(plain))
	if err != nil {
		return Session{}, collab.Wrap(collab.CodeUnavailable, err, "the session could not be read; try again")
	}
	if !ok {
		return Session{}, errSessionEnded()
	}
	rec, err := a.record(ctx, rt)
	if err != nil {
		return Session{}, err
	}
	acct, found, err := a.cfg.Store.AccountByID(ctx, rt.UserID)
	if err != nil {
		return Session{}, collab.Wrap(collab.CodeUnavailable, err, "the account could not be read; try again")
	}
	switch rec.Decide(a.now()) {
	case RefreshReject:
		return Session{}, errSessionEnded()
	case RefreshRevokeFamily:
		return Session{}, a.revokeForReuse(ctx, rt, acct)
	}
	if !found || acct.Disabled {
		a.revoke(ctx, rt.Family)
		return Session{}, errSessionEnded()
	}
	s, err := a.issue(ctx, acct, rt.Family, rt.Gen+1)
	if errors.Is(err, collab.ErrDuplicate) {
		// Rotated at the same moment by someone else: the same token was
		// presented twice.
		return Session{}, a.revokeForReuse(ctx, rt, acct)
	}
	return s, err
}

// record builds the RefreshRecord that Decide judges from what the store
// knows of the token's family.
func (a *Accounts) record(ctx context.Context, rt RefreshToken) (RefreshRecord, error) {
	rec := RefreshRecord{Hash: rt.Hash, FamilyID: rt.Family, UserID: rt.UserID, IssuedAt: rt.IssuedAt, ExpiresAt: rt.ExpiresAt}
	at, revoked, err := a.cfg.Store.FamilyRevoked(ctx, rt.Family)
	if err != nil {
		return rec, collab.Wrap(collab.CodeUnavailable, err, "the session could not be read; try again")
	}
	if revoked {
		rec.RevokedAt = at
	}
	next, rotated, err := a.cfg.Store.RefreshSuccessor(ctx, rt.Family, rt.Gen+1)
	if err != nil {
		return rec, collab.Wrap(collab.CodeUnavailable, err, "the session could not be read; try again")
	}
	if rotated {
		rec.RotatedAt = next.IssuedAt
	}
	return rec, nil
}

func (a *Accounts) revokeForReuse(ctx context.Context, rt RefreshToken, acct Account) error {
	a.revoke(ctx, rt.Family)
	a.log.Warn("refresh token reused; session revoked", "user", rt.UserID, "family", rt.Family)
	a.audit(ctx, AuditEvent{Municipality: acct.Municipality, Actor: rt.UserID, Action: "refresh_reuse",
		Detail: "a refresh token was used twice; the session was ended"})
	return errSessionEnded()
}

func (a *Accounts) revoke(ctx context.Context, family string) {
	if err := a.cfg.Store.RevokeFamily(ctx, family, a.now()); err != nil {
		a.log.Error("session family not revoked", "family", family, "err", err)
	}
}

// Logout ends the session of a refresh token (the whole family). An
// unknown or ended token is not an error: the browser is logged out anyway.
func (a *Accounts) Logout(ctx context.Context, plain string) error {
	if plain == "" || len(plain) > 200 {
		return nil
	}
	rt, ok, err := a.cfg.Store.RefreshToken(ctx, HashRefreshToken(plain))
	if err != nil {
		return collab.Wrap(collab.CodeUnavailable, err, "the session could not be read; try again")
	}
	if ok {
		a.revoke(ctx, rt.Family)
		if acct, found, err := a.cfg.Store.AccountByID(ctx, rt.UserID); err == nil && found {
			a.audit(ctx, AuditEvent{Municipality: acct.Municipality, Actor: acct.ID, Action: "logout"})
		}
	}
	return nil
}

// Authenticate verifies an access token and returns its account, which
// must exist and not be disabled. It is the one place a bearer token
// becomes a person (REST and WebSocket both call it); an OIDC verifier
// would be tried here beside the Issuer.
func (a *Accounts) Authenticate(ctx context.Context, token string) (Principal, error) {
	claims, err := a.cfg.Issuer.Verify(token)
	if err != nil {
		return Principal{}, err
	}
	acct, ok, err := a.cfg.Store.AccountByID(ctx, claims.UserID)
	if err != nil {
		return Principal{}, collab.Wrap(collab.CodeUnavailable, err, "the account could not be read; try again")
	}
	if !ok {
		return Principal{}, collab.Errorf(collab.CodeUnauthorized, "the account no longer exists")
	}
	if acct.Disabled {
		return Principal{}, collab.Errorf(collab.CodeUnauthorized, "the account is disabled")
	}
	return Principal{Account: acct, Claims: claims}, nil
}

// Limits on account input.
const (
	maxEmailLen    = 254
	maxNameLen     = 100
	maxPasswordLen = 1024
)

// NewUser is the input for creating an account.
type NewUser struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Password string `json:"password"`
	Admin    bool   `json:"admin"`
}

// checkEmail returns the normalised e-mail or an invalid error.
func checkEmail(email string) (string, error) {
	email = NormalizeEmail(email)
	at := strings.LastIndexByte(email, '@')
	if at < 1 || at == len(email)-1 || len(email) > maxEmailLen || !utf8.ValidString(email) ||
		strings.ContainsFunc(email, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '<' || r == '>' || r == '"' }) {
		return "", collab.Errorf(collab.CodeInvalid, "%q is not an e-mail address", email)
	}
	return email, nil
}

// checkName returns the trimmed display name or an invalid error.
func checkName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > maxNameLen ||
		strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", collab.Errorf(collab.CodeInvalid, "the name must be 1–%d printable characters", maxNameLen)
	}
	return name, nil
}

// CreateUser creates an account in municipality (the administrator's own:
// the caller passes it, never the request). by is the acting user's id.
func (a *Accounts) CreateUser(ctx context.Context, by, municipality string, in NewUser) (Account, error) {
	email, err := checkEmail(in.Email)
	if err != nil {
		return Account{}, err
	}
	name, err := checkName(in.Name)
	if err != nil {
		return Account{}, err
	}
	if err := CheckPassword(in.Password); err != nil {
		return Account{}, err
	}
	hash, err := a.cfg.Hasher.Hash(ctx, in.Password)
	if err != nil {
		return Account{}, err
	}
	now := a.now()
	acct := Account{ID: a.cfg.NewID(), Email: email, Name: name, Municipality: municipality,
		PasswordHash: hash, Admin: in.Admin, Created: now, Updated: now}
	if err := a.cfg.Store.CreateAccount(ctx, acct); err != nil {
		if errors.Is(err, collab.ErrDuplicate) {
			return Account{}, collab.Errorf(collab.CodeConflict, "an account with e-mail %s exists already", email)
		}
		return Account{}, collab.Wrap(collab.CodeUnavailable, err, "the account could not be stored; try again")
	}
	a.audit(ctx, AuditEvent{Municipality: municipality, Actor: by, Action: "user.created", To: acct.ID, Detail: email})
	return acct, nil
}

// EnsureMunicipality creates a municipality unless it exists.
func (a *Accounts) EnsureMunicipality(ctx context.Context, m Municipality) error {
	if m.Created.IsZero() {
		m.Created = a.now()
	}
	err := a.cfg.Store.CreateMunicipality(ctx, m)
	if err != nil && !errors.Is(err, collab.ErrDuplicate) {
		return fmt.Errorf("create municipality %s: %w", m.ID, err)
	}
	return nil
}

// EnsureUser creates an account unless one with its e-mail exists, and
// returns the account. It is the operator's path (the demo seed): the
// password is not held to the rules of CheckPassword.
func (a *Accounts) EnsureUser(ctx context.Context, municipality string, in NewUser) (Account, error) {
	email, err := checkEmail(in.Email)
	if err != nil {
		return Account{}, err
	}
	if acct, ok, err := a.cfg.Store.AccountByEmail(ctx, email); err != nil {
		return Account{}, err
	} else if ok {
		return acct, nil
	}
	hash, err := a.cfg.Hasher.Hash(ctx, in.Password)
	if err != nil {
		return Account{}, err
	}
	now := a.now()
	acct := Account{ID: a.cfg.NewID(), Email: email, Name: in.Name, Municipality: municipality,
		PasswordHash: hash, Admin: in.Admin, Created: now, Updated: now}
	// Another node may seed it at the same moment.
	acct, _, err = a.insertOrFind(ctx, acct)
	if err != nil {
		return Account{}, fmt.Errorf("create account %s: %w", email, err)
	}
	return acct, nil
}

// insertOrFind stores acct. When its e-mail is taken by an account made
// at the same moment (another node seeding, another login provisioning
// the same person), it returns that account and existed instead; on
// MongoDB the e-mail's claim may be stored a moment before its account,
// so it looks for a second.
func (a *Accounts) insertOrFind(ctx context.Context, acct Account) (_ Account, existed bool, err error) {
	err = a.cfg.Store.CreateAccount(ctx, acct)
	if !errors.Is(err, collab.ErrDuplicate) {
		return acct, false, err
	}
	for range 50 {
		if found, ok, ferr := a.cfg.Store.AccountByEmail(ctx, acct.Email); ferr == nil && ok {
			return found, true, nil
		}
		select {
		case <-ctx.Done():
			return Account{}, false, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return Account{}, false, err
}

// UserPatch is the input for changing an account; nil fields stay.
type UserPatch struct {
	Name     *string `json:"name"`
	Password *string `json:"password"`
	Admin    *bool   `json:"admin"`
	Disabled *bool   `json:"disabled"`
}

// UpdateUser changes an account of municipality (the administrator's own;
// an account of another municipality is not found).
func (a *Accounts) UpdateUser(ctx context.Context, by, municipality, id string, in UserPatch) (Account, error) {
	acct, err := a.User(ctx, municipality, id)
	if err != nil {
		return Account{}, err
	}
	var changed []string
	if in.Name != nil {
		if acct.Name, err = checkName(*in.Name); err != nil {
			return Account{}, err
		}
		changed = append(changed, "name")
	}
	if in.Password != nil {
		if err := CheckPassword(*in.Password); err != nil {
			return Account{}, err
		}
		if acct.PasswordHash, err = a.cfg.Hasher.Hash(ctx, *in.Password); err != nil {
			return Account{}, err
		}
		changed = append(changed, "password")
	}
	if in.Admin != nil {
		if *in.Admin != acct.Admin && id == by {
			return Account{}, collab.Errorf(collab.CodeInvalid, "administrators cannot change their own administrator flag")
		}
		acct.Admin = *in.Admin
		changed = append(changed, fmt.Sprintf("admin=%t", acct.Admin))
	}
	if in.Disabled != nil {
		if *in.Disabled && id == by {
			return Account{}, collab.Errorf(collab.CodeInvalid, "administrators cannot disable themselves")
		}
		acct.Disabled = *in.Disabled
		changed = append(changed, fmt.Sprintf("disabled=%t", acct.Disabled))
	}
	if len(changed) == 0 {
		return Account{}, collab.Errorf(collab.CodeInvalid, "nothing to change")
	}
	acct.Updated = a.now()
	if err := a.cfg.Store.UpdateAccount(ctx, acct); err != nil {
		return Account{}, collab.Wrap(collab.CodeUnavailable, err, "the account could not be stored; try again")
	}
	a.audit(ctx, AuditEvent{Municipality: municipality, Actor: by, Action: "user.updated", To: acct.ID, Detail: strings.Join(changed, ", ")})
	return acct, nil
}

// User returns the account id of municipality; accounts of other
// municipalities are not found.
func (a *Accounts) User(ctx context.Context, municipality, id string) (Account, error) {
	acct, ok, err := a.cfg.Store.AccountByID(ctx, id)
	if err != nil {
		return Account{}, collab.Wrap(collab.CodeUnavailable, err, "the account could not be read; try again")
	}
	if !ok || acct.Municipality != municipality {
		return Account{}, collab.Errorf(collab.CodeNotFound, "user %q not found", id)
	}
	return acct, nil
}

// UserByEmail returns the account with email in municipality.
func (a *Accounts) UserByEmail(ctx context.Context, municipality, email string) (Account, error) {
	email = NormalizeEmail(email)
	acct, ok, err := a.cfg.Store.AccountByEmail(ctx, email)
	if err != nil {
		return Account{}, collab.Wrap(collab.CodeUnavailable, err, "the account could not be read; try again")
	}
	if !ok || acct.Municipality != municipality {
		return Account{}, collab.Errorf(collab.CodeNotFound, "no user with e-mail %s in this municipality", email)
	}
	return acct, nil
}

// Users lists the accounts of municipality.
func (a *Accounts) Users(ctx context.Context, municipality string) ([]Account, error) {
	accts, err := a.cfg.Store.ListAccounts(ctx, municipality)
	if err != nil {
		return nil, collab.Wrap(collab.CodeUnavailable, err, "the accounts could not be read; try again")
	}
	return accts, nil
}

// Municipality returns the municipality with id.
func (a *Accounts) Municipality(ctx context.Context, id string) (Municipality, error) {
	m, ok, err := a.cfg.Store.Municipality(ctx, id)
	if err != nil {
		return Municipality{}, collab.Wrap(collab.CodeUnavailable, err, "the municipality could not be read; try again")
	}
	if !ok {
		return Municipality{Name: id, ID: id}, nil
	}
	return m, nil
}

// Audit writes an event to the audit log. A failure is logged, not
// returned: the change it records has happened.
func (a *Accounts) Audit(ctx context.Context, e AuditEvent) { a.audit(ctx, e) }

func (a *Accounts) audit(ctx context.Context, e AuditEvent) {
	if e.ID == "" {
		e.ID = a.cfg.NewID()
	}
	if e.At.IsZero() {
		e.At = a.now()
	}
	if err := a.cfg.Store.AppendAudit(ctx, e); err != nil {
		a.log.Error("audit event not stored", "action", e.Action, "actor", e.Actor, "err", err)
	}
}

// AuditLog returns the newest audit events of a municipality (of one plan
// when plan is not "").
func (a *Accounts) AuditLog(ctx context.Context, municipality, plan string, limit int) ([]AuditEvent, error) {
	es, err := a.cfg.Store.Audit(ctx, municipality, plan, limit)
	if err != nil {
		return nil, collab.Wrap(collab.CodeUnavailable, err, "the audit log could not be read; try again")
	}
	return es, nil
}

func (a *Accounts) now() time.Time { return a.cfg.Now().UTC().Truncate(time.Millisecond) }
