package auth

import (
	"context"
	"slices"
	"strings"
	"time"
)

// The records below are what the auth layer keeps in the database. The two
// store adapters (collab/sqlite and collab/mongo) implement Store, and the
// contract suite in collab/storetest runs against both.
//
// As for the op log, every decision is a unique insert: an e-mail address
// is taken by inserting the account, a refresh token is rotated by inserting
// its successor under (family, gen+1), and a family is revoked by inserting
// its revocation. Updates of an account's profile and flags are plain
// last-writer-wins replacements: they decide no race.

// Municipality is a tenant: accounts and plans belong to exactly one.
type Municipality struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
	// Settings are shown to administrators only, through a view of
	// their own: never with the municipality in a session.
	Settings MunicipalitySettings `json:"-"`
}

// The login methods a municipality can allow.
const (
	LoginPassword = "password"
	LoginOIDC     = "oidc"
)

// MunicipalitySettings are what a municipality's administrator decides for
// all its plans and people. The zero value is the default of a new
// municipality: password login, no SSO domains, the defaults of new plans.
type MunicipalitySettings struct {
	// LoginMethods are the ways its people may log in (LoginPassword,
	// LoginOIDC); empty means password only.
	LoginMethods []string `json:"login_methods"`
	// EmailDomains are the e-mail domains (lower case, no "@") whose
	// single sign-on users are provisioned into this municipality.
	EmailDomains []string `json:"email_domains"`
	// PrivacyThreshold is the smallest group size new plans start with;
	// 0 means the product's default.
	PrivacyThreshold int `json:"privacy_threshold"`
	// HearingWeeks is the default length of a temaplan's public hearing;
	// 0 means the product's default (6 weeks).
	HearingWeeks int `json:"hearing_weeks"`
	// Language is the written standard of the public pages (the hearing
	// page, the adopted plan): LangBokmal or LangNynorsk; "" means bokmål.
	Language string `json:"language"`
}

// PasswordAllowed reports whether the municipality's people may log in
// with a password.
func (s MunicipalitySettings) PasswordAllowed() bool {
	return len(s.LoginMethods) == 0 || slices.Contains(s.LoginMethods, LoginPassword)
}

// OIDCAllowed reports whether the municipality's people may log in through
// the deployment's OpenID Connect provider.
func (s MunicipalitySettings) OIDCAllowed() bool {
	return slices.Contains(s.LoginMethods, LoginOIDC)
}

// Account is a person who can log in. Email is unique across all
// municipalities; the store keeps and matches it exactly, so callers pass
// it through NormalizeEmail first.
type Account struct {
	ID           string    `json:"id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	Municipality string    `json:"municipality"`
	PasswordHash string    `json:"-"`
	Admin        bool      `json:"admin"`
	Disabled     bool      `json:"disabled"`
	Created      time.Time `json:"created"`
	Updated      time.Time `json:"updated"`
}

// RefreshToken is a stored refresh token. Every token rotated from one
// login shares Family; Gen counts the rotations (the login's token is 0).
// (Family, Gen) and Hash are unique keys.
type RefreshToken struct {
	Hash      string    `json:"hash"`
	Family    string    `json:"family"`
	Gen       int64     `json:"gen"`
	UserID    string    `json:"user"`
	IssuedAt  time.Time `json:"issued_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// AuditEvent is one line of the audit log: who did what, when, from what
// to what. Plan is empty for events that concern no single plan (logins).
type AuditEvent struct {
	ID           string    `json:"id"`
	Municipality string    `json:"municipality"`
	Plan         string    `json:"plan,omitempty"`
	Actor        string    `json:"actor"`
	Action       string    `json:"action"`
	From         string    `json:"from,omitempty"`
	To           string    `json:"to,omitempty"`
	Detail       string    `json:"detail,omitempty"`
	IP           string    `json:"ip,omitempty"`
	At           time.Time `json:"at"`
}

// Store is what the auth layer needs from the database. Errors for
// refused unique keys wrap collab.ErrDuplicate.
type Store interface {
	// CreateMunicipality inserts m; an existing id is ErrDuplicate.
	CreateMunicipality(ctx context.Context, m Municipality) error
	// Municipality returns the municipality with id, if any.
	Municipality(ctx context.Context, id string) (Municipality, bool, error)
	// UpdateMunicipality replaces the name and settings of the
	// municipality with m.ID (last writer wins: it decides no race); an
	// unknown id is an error wrapping collab.ErrNotFound.
	UpdateMunicipality(ctx context.Context, m Municipality) error
	// ListMunicipalities returns every municipality ordered by id.
	ListMunicipalities(ctx context.Context) ([]Municipality, error)

	// CreateAccount inserts a; an existing id or e-mail is ErrDuplicate.
	CreateAccount(ctx context.Context, a Account) error
	// AccountByID and AccountByEmail return the account, if any. The
	// e-mail is matched exactly (callers normalise it first).
	AccountByID(ctx context.Context, id string) (Account, bool, error)
	AccountByEmail(ctx context.Context, email string) (Account, bool, error)
	// UpdateAccount replaces the name, password hash, admin and disabled
	// flags and Updated of the account with a.ID; the id, e-mail,
	// municipality and Created never change. An unknown id is an error
	// wrapping collab.ErrNotFound.
	UpdateAccount(ctx context.Context, a Account) error
	// ListAccounts returns the accounts of a municipality ordered by e-mail.
	ListAccounts(ctx context.Context, municipality string) ([]Account, error)

	// InsertRefreshToken inserts t; an existing hash or (family, gen) is
	// ErrDuplicate — the loser of two rotations of one token gets it.
	InsertRefreshToken(ctx context.Context, t RefreshToken) error
	// RefreshToken returns the token stored under hash, if any.
	RefreshToken(ctx context.Context, hash string) (RefreshToken, bool, error)
	// RefreshSuccessor returns the token of family at gen, if any: a token
	// whose successor exists has been rotated already.
	RefreshSuccessor(ctx context.Context, family string, gen int64) (RefreshToken, bool, error)
	// RevokeFamily records that family is revoked at at; revoking a
	// revoked family again is not an error and keeps the first time.
	RevokeFamily(ctx context.Context, family string, at time.Time) error
	// FamilyRevoked returns when family was revoked, if it was.
	FamilyRevoked(ctx context.Context, family string) (time.Time, bool, error)

	// AppendAudit inserts e (e.ID is unique).
	AppendAudit(ctx context.Context, e AuditEvent) error
	// Audit returns the newest events of a municipality, newest first
	// (by At, then by ID), at most limit of them: limit <= 0 means 100,
	// and more than 1000 means 1000. plan != "" keeps only that plan's
	// events.
	Audit(ctx context.Context, municipality, plan string, limit int) ([]AuditEvent, error)
}

// NormalizeEmail returns the form an e-mail address is stored and looked up
// in: trimmed and lower-cased.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}
