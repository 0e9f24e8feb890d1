package auth

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/temaplan/temaplan/collab"
)

// errSSONotAllowed is the answer to a person whom no municipality lets in
// by single sign-on: their account's municipality does not allow it, or
// they have no account and no municipality that allows it takes people of
// their e-mail domain.
func errSSONotAllowed(email string) error {
	return collab.Errorf(collab.CodeSSONotAllowed, "no municipality lets %s log in with single sign-on", email)
}

// LoginSSO starts a session for the person an identity provider vouched
// for (OIDC.Finish), matched by e-mail address:
//
//   - an account with that e-mail is theirs, if its municipality allows
//     single sign-on (Settings.OIDCAllowed) and it is not disabled;
//   - with no account, one is made in the municipality that allows single
//     sign-on and lists the address's domain in Settings.EmailDomains —
//     without a password and without the administrator flag.
//
// The session is the one a password login gives (refresh-token family and
// access token), and the login is audited as "login_oidc". Attempts count
// against the same rate limits as password logins.
func (a *Accounts) LoginSSO(ctx context.Context, ip netip.Addr, id Identity) (Session, error) {
	email, err := checkEmail(id.Email)
	if err != nil {
		return Session{}, collab.Errorf(collab.CodeSSOEmailUnverified, "the identity provider gave no usable e-mail address")
	}
	if err := a.cfg.Limiter.Allow(ip, email); err != nil {
		return Session{}, err
	}
	acct, found, err := a.cfg.Store.AccountByEmail(ctx, email)
	if err != nil {
		return Session{}, collab.Wrap(collab.CodeUnavailable, err, "the account could not be read; try again")
	}
	if !found {
		if acct, err = a.provision(ctx, email, id); err != nil {
			return Session{}, err
		}
	}
	m, ok, err := a.cfg.Store.Municipality(ctx, acct.Municipality)
	if err != nil {
		return Session{}, collab.Wrap(collab.CodeUnavailable, err, "the municipality could not be read; try again")
	}
	if !ok || !m.Settings.OIDCAllowed() {
		a.audit(ctx, AuditEvent{Municipality: acct.Municipality, Actor: acct.ID, Action: "login_failed", IP: ip.String(),
			Detail: "single sign-on is not allowed in the municipality"})
		return Session{}, errSSONotAllowed(email)
	}
	if acct.Disabled {
		a.audit(ctx, AuditEvent{Municipality: acct.Municipality, Actor: acct.ID, Action: "login_failed", IP: ip.String(),
			Detail: "single sign-on of a disabled account"})
		return Session{}, collab.Errorf(collab.CodeAccountDisabled, "the account %s is disabled", email)
	}
	s, err := a.startFamily(ctx, acct)
	if err != nil {
		return Session{}, err
	}
	a.audit(ctx, AuditEvent{Municipality: acct.Municipality, Actor: acct.ID, Action: "login_oidc", IP: ip.String(),
		Detail: "subject " + clip(id.Subject, 100) + " at " + clip(id.Issuer, 200)})
	return s, nil
}

// provision makes the account of a person who logs in by single sign-on
// for the first time, in the municipality that takes their e-mail domain.
// If the same person's other login makes it first, that account is
// returned.
func (a *Accounts) provision(ctx context.Context, email string, id Identity) (Account, error) {
	m, err := a.ssoMunicipality(ctx, email)
	if err != nil {
		return Account{}, err
	}
	name, err := checkName(id.Name)
	if err != nil {
		name = email[:strings.LastIndexByte(email, '@')]
	}
	now := a.now()
	acct := Account{ID: a.cfg.NewID(), Email: email, Name: name, Municipality: m.ID, Created: now, Updated: now}
	// A login of the same person at the same moment may make it first.
	acct, existed, err := a.insertOrFind(ctx, acct)
	if existed {
		return acct, nil
	}
	if err != nil {
		return Account{}, collab.Wrap(collab.CodeUnavailable, err, "the account could not be stored; try again")
	}
	a.audit(ctx, AuditEvent{Municipality: m.ID, Actor: acct.ID, Action: "user.created", To: acct.ID,
		Detail: email + " (single sign-on)"})
	return acct, nil
}

// ssoMunicipality returns the municipality that takes single sign-on
// users of email's domain. A domain that two municipalities claim is
// nobody's: which one a person belongs to is not for Temaplan to guess.
func (a *Accounts) ssoMunicipality(ctx context.Context, email string) (Municipality, error) {
	domain := email[strings.LastIndexByte(email, '@')+1:]
	ms, err := a.cfg.Store.ListMunicipalities(ctx)
	if err != nil {
		return Municipality{}, collab.Wrap(collab.CodeUnavailable, err, "the municipalities could not be read; try again")
	}
	var found []Municipality
	for _, m := range ms {
		if m.Settings.OIDCAllowed() && slices.ContainsFunc(m.Settings.EmailDomains, func(d string) bool {
			return strings.EqualFold(strings.TrimPrefix(strings.TrimSpace(d), "@"), domain)
		}) {
			found = append(found, m)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return Municipality{}, errSSONotAllowed(email)
	}
	ids := make([]string, len(found))
	for i, m := range found {
		ids[i] = m.ID
	}
	a.log.Warn("e-mail domain claimed by several municipalities: single sign-on users of it are not provisioned",
		"domain", domain, "municipalities", strings.Join(ids, ","))
	return Municipality{}, errSSONotAllowed(email)
}

// errPasswordLoginDisabled is the answer to a right password of an account
// whose municipality allows no password login. It is given only after the
// password was verified, so it tells no more than a successful login would.
func errPasswordLoginDisabled() error {
	return collab.Errorf(collab.CodePasswordLoginDisabled, "your municipality has turned off password login; log in with single sign-on")
}

// passwordAllowed reports whether the municipality of acct allows password
// logins; an unknown municipality has the defaults, which do.
func (a *Accounts) passwordAllowed(ctx context.Context, acct Account) (bool, error) {
	m, ok, err := a.cfg.Store.Municipality(ctx, acct.Municipality)
	if err != nil {
		return false, fmt.Errorf("login: %w", collab.Wrap(collab.CodeUnavailable, err, "the municipality could not be read; try again"))
	}
	return !ok || m.Settings.PasswordAllowed(), nil
}
