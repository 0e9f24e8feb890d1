package mail

import (
	"context"
	"errors"
	"net/netip"
	"time"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
)

// Password links: an invitation (an administrator made the account) and a
// password reset (the person asked for one) carry a token that lets whoever
// holds it set the account's password once. Only the token's hash is
// stored; its use is decided by a unique insert, so two tabs or two nodes
// presenting it at once set the password once. Setting a password ends
// every session of the account and makes every other link of it unusable.

// PasswordPath is the app's page that a password link opens; the token
// follows in the fragment, which browsers send to no server (not in a
// Referer, not in an access log).
const PasswordPath = "/nytt-passord"

// maxTokenLen bounds a presented token before it is hashed.
const maxTokenLen = 200

// issue stores a new token of kind for user, good for ttl, and returns the
// link that carries it.
func (m *Mailer) issue(ctx context.Context, kind Kind, user string, ttl time.Duration) (link, hash string, expires time.Time, err error) {
	plain, hash, err := auth.NewRefreshToken()
	if err != nil {
		return "", "", time.Time{}, err
	}
	now := m.now()
	t := Token{Hash: hash, Kind: kind, User: user, Created: now, Expires: now.Add(ttl)}
	if err := m.cfg.Store.InsertMailToken(ctx, t); err != nil {
		return "", "", time.Time{}, collab.Wrap(collab.CodeUnavailable, err, "the link could not be stored; try again")
	}
	return m.link(PasswordPath + "#" + plain), hash, t.Expires, nil
}

// Invite writes to a new account with a link to choose its password, in
// the language of the administrator by, who made it. Where the
// municipality allows single sign-on only, the message leads to the
// login page instead, and no link is made.
func (m *Mailer) Invite(ctx context.Context, acct auth.Account, by auth.Account) error {
	mun, ok, err := m.cfg.Accounts.Municipality(ctx, acct.Municipality)
	if err != nil {
		return collab.Wrap(collab.CodeUnavailable, err, "the municipality could not be read; try again")
	}
	v := view{Name: acct.Name, Actor: by.Name}
	if ok {
		v.Municipality = mun.Name
	}
	lang := LangNB
	if p, err := m.Prefs(ctx, by.ID); err == nil {
		lang = p.Lang
	}
	id := MessageID(KindInvitation, acct.ID)
	if ok && !mun.Settings.PasswordAllowed() {
		v.SSO, v.Link = true, m.link("/logg-inn")
	} else {
		link, hash, expires, err := m.issue(ctx, KindInvitation, acct.ID, m.t.InvitationTTL)
		if err != nil {
			return err
		}
		v.Link, v.Expires = link, longTime(expires.In(m.cfg.Zone))
		id = MessageID(KindInvitation, acct.ID, hash)
	}
	if err := m.compose(ctx, id, KindInvitation, acct.Email, acct.ID, lang, v); err != nil {
		return err
	}
	m.audit(ctx, auth.AuditEvent{Municipality: acct.Municipality, Actor: by.ID, Action: "user.invited", To: acct.ID})
	return nil
}

// RequestReset sends the account with email, from a client at ip, a link
// to set a new password. The answer is the same whether the account
// exists or not — nil, or rate_limited when the address or the e-mail has
// asked too often (counted for unknown e-mails as well) — so it tells
// nobody who has an account. Disabled accounts and accounts of a
// municipality without password login get no message.
func (m *Mailer) RequestReset(ctx context.Context, ip netip.Addr, email string) error {
	if err := m.cfg.ResetLimiter.Allow(ip, email); err != nil {
		return err
	}
	email, err := checkAddress(email)
	if err != nil {
		return nil
	}
	acct, ok, err := m.cfg.Accounts.AccountByEmail(ctx, email)
	if err != nil {
		return collab.Wrap(collab.CodeUnavailable, err, "try again")
	}
	if !ok || acct.Disabled {
		return nil
	}
	if mun, found, err := m.cfg.Accounts.Municipality(ctx, acct.Municipality); err == nil && found && !mun.Settings.PasswordAllowed() {
		return nil
	}
	p, err := m.Prefs(ctx, acct.ID)
	if err != nil {
		return err
	}
	link, hash, expires, err := m.issue(ctx, KindPasswordReset, acct.ID, m.t.ResetTTL)
	if err != nil {
		return err
	}
	v := view{Name: acct.Name, Link: link, Expires: longTime(expires.In(m.cfg.Zone))}
	if err := m.compose(ctx, MessageID(KindPasswordReset, acct.ID, hash), KindPasswordReset, acct.Email, acct.ID, p.Lang, v); err != nil {
		return err
	}
	m.audit(ctx, auth.AuditEvent{Municipality: acct.Municipality, Actor: acct.ID, Action: "password.reset_requested", IP: ip.String()})
	return nil
}

// TokenInfo is what a password link is for, shown before the new password
// is chosen.
type TokenInfo struct {
	Kind    Kind      `json:"kind"`
	Email   string    `json:"email"`
	Name    string    `json:"name"`
	Expires time.Time `json:"expires"`
}

// errBadLink is the answer to a token that is not (or no longer) any
// account's link.
func errBadLink() error {
	return collab.Errorf(collab.CodeUnauthorized, "the link is not valid; ask for a new one")
}

// token returns the stored token of plain and its account, if the link is
// still good: known, not expired, not used, of an enabled account.
func (m *Mailer) token(ctx context.Context, plain string) (Token, auth.Account, error) {
	if plain == "" || len(plain) > maxTokenLen {
		return Token{}, auth.Account{}, errBadLink()
	}
	t, ok, err := m.cfg.Store.MailToken(ctx, auth.HashRefreshToken(plain))
	if err != nil {
		return Token{}, auth.Account{}, collab.Wrap(collab.CodeUnavailable, err, "the link could not be read; try again")
	}
	if !ok {
		return Token{}, auth.Account{}, errBadLink()
	}
	if _, used, err := m.cfg.Store.MailTokenUsed(ctx, t.Hash); err != nil {
		return Token{}, auth.Account{}, collab.Wrap(collab.CodeUnavailable, err, "the link could not be read; try again")
	} else if used {
		return Token{}, auth.Account{}, errUsed()
	}
	if !m.now().Before(t.Expires) {
		return Token{}, auth.Account{}, collab.Errorf(collab.CodeTokenExpired, "the link has expired; ask for a new one")
	}
	acct, ok, err := m.cfg.Accounts.AccountByID(ctx, t.User)
	if err != nil {
		return Token{}, auth.Account{}, collab.Wrap(collab.CodeUnavailable, err, "the account could not be read; try again")
	}
	if !ok || acct.Disabled {
		return Token{}, auth.Account{}, errBadLink()
	}
	return t, acct, nil
}

func errUsed() error {
	return collab.Errorf(collab.CodeTokenUsed, "the link has been used already; ask for a new one")
}

// InspectToken tells what a password link is for, if it is still good.
func (m *Mailer) InspectToken(ctx context.Context, plain string) (TokenInfo, error) {
	t, acct, err := m.token(ctx, plain)
	if err != nil {
		return TokenInfo{}, err
	}
	return TokenInfo{Kind: t.Kind, Email: acct.Email, Name: acct.Name, Expires: t.Expires}, nil
}

// SetPassword uses a password link: the account's password becomes
// password, every session of the account ends, and the account's other
// links become unusable. The link is used up by this call — decided by a
// unique insert, so it sets a password once however often it is
// presented — unless the password is refused first (too short, say).
func (m *Mailer) SetPassword(ctx context.Context, ip netip.Addr, plain, password string) (auth.Account, error) {
	if err := auth.CheckPassword(password); err != nil {
		return auth.Account{}, err
	}
	if m.cfg.Hasher == nil {
		return auth.Account{}, collab.Errorf(collab.CodeUnavailable, "this server sets no passwords")
	}
	t, acct, err := m.token(ctx, plain)
	if err != nil {
		return auth.Account{}, err
	}
	hash, err := m.cfg.Hasher.Hash(ctx, password)
	if err != nil {
		return auth.Account{}, err
	}
	now := m.now()
	if err := m.cfg.Store.UseMailToken(ctx, t.Hash, now); err != nil {
		if errors.Is(err, collab.ErrDuplicate) {
			return auth.Account{}, errUsed()
		}
		return auth.Account{}, collab.Wrap(collab.CodeUnavailable, err, "the link could not be used; try again")
	}
	// Read again: the account may have changed while the hash was made.
	acct, ok, err := m.cfg.Accounts.AccountByID(ctx, t.User)
	if err != nil || !ok || acct.Disabled {
		if err == nil {
			err = errBadLink()
		}
		return auth.Account{}, err
	}
	acct.PasswordHash, acct.Updated = hash, now
	if err := m.cfg.Accounts.UpdateAccount(ctx, acct); err != nil {
		return auth.Account{}, collab.Wrap(collab.CodeUnavailable, err, "the password could not be stored; ask for a new link")
	}
	m.endSessions(ctx, acct.ID, now)
	m.retireTokens(ctx, acct.ID, t.Hash, now)
	action := "password.reset"
	if t.Kind == KindInvitation {
		action = "user.invitation_accepted"
	}
	m.audit(ctx, auth.AuditEvent{Municipality: acct.Municipality, Actor: acct.ID, Action: action, IP: ip.String()})
	return acct, nil
}

// endSessions revokes every refresh-token family of user: each session
// ends at its next refresh (its access token lives out its few minutes).
func (m *Mailer) endSessions(ctx context.Context, user string, now time.Time) {
	fams, err := m.cfg.Store.SessionFamilies(ctx, user)
	if err != nil {
		m.log.Error("mail: sessions not ended after a new password", "user", user, "err", err)
		return
	}
	for _, f := range fams {
		if err := m.cfg.Accounts.RevokeFamily(ctx, f, now); err != nil {
			m.log.Error("mail: session not ended after a new password", "user", user, "family", f, "err", err)
		}
	}
}

// retireTokens uses up the other unexpired links of user: after a new
// password, an older reset link must not set another.
func (m *Mailer) retireTokens(ctx context.Context, user, except string, now time.Time) {
	ts, err := m.cfg.Store.MailTokens(ctx, user)
	if err != nil {
		m.log.Error("mail: other links not retired", "user", user, "err", err)
		return
	}
	for _, t := range ts {
		if t.Hash == except || !now.Before(t.Expires) {
			continue
		}
		if err := m.cfg.Store.UseMailToken(ctx, t.Hash, now); err != nil && !errors.Is(err, collab.ErrDuplicate) {
			m.log.Error("mail: link not retired", "user", user, "err", err)
		}
	}
}

// audit writes e to the audit log; a failure is logged, not returned.
func (m *Mailer) audit(ctx context.Context, e auth.AuditEvent) {
	e.ID, e.At = randomHex(16), m.now()
	if err := m.cfg.Accounts.AppendAudit(ctx, e); err != nil {
		m.log.Error("mail: audit event not stored", "action", e.Action, "err", err)
	}
}
