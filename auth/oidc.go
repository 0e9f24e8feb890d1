package auth

// This file holds single sign-on through OpenID Connect: the authorization
// code flow with PKCE (S256) against one configured provider (Entra ID,
// ID-porten, Keycloak, ...), discovered from its issuer URL, with the ID
// token verified against the provider's JWKS by github.com/coreos/go-oidc:
// signature, issuer, audience and expiry, and here the nonce.
//
// The state of a login under way — state, nonce and PKCE verifier, and
// where to go afterwards — is kept in the browser, in a cookie sealed with
// AES-GCM under a key derived from the JWT secret (which every node of a
// cluster shares), so any node can finish a login another node started.
// The cookie binds the answer to the browser that asked: the state the
// provider sends back must be the one in the cookie. A login is finished
// once: the callback records its state by a unique insert (SSOStore), so a
// replayed callback — the same URL, the same cookie — is refused even
// within the cookie's ten minutes.

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/temaplan/temaplan/collab"
)

// SSOFlowTTL is how long a login started at the provider may take to come
// back: the flow cookie's lifetime.
const SSOFlowTTL = 10 * time.Minute

// ssoStateKeep is how long the record of a used state outlives its flow, a
// margin for the clocks of several nodes.
const ssoStateKeep = 10 * time.Minute

// ssoSweepEvery is how often the records of expired states are deleted.
const ssoSweepEvery = 5 * time.Minute

// idTokenLeeway is the clock skew tolerated on an ID token's expiry. Some
// providers (ID-porten) issue ID tokens that live two minutes.
const idTokenLeeway = time.Minute

// DefaultOIDCScopes are the scopes asked for: the ID token, the e-mail
// address by which accounts are matched, and the name of a new account.
var DefaultOIDCScopes = []string{oidc.ScopeOpenID, "email", "profile"}

// Limits on what a callback may carry and a flow may remember.
const (
	maxCodeLen  = 4096
	maxStateLen = 128
	maxNextLen  = 512
	// maxFlowCookieLen bounds what open decodes; a sealed flow is about
	// 300 bytes plus the path to go back to.
	maxFlowCookieLen = 2048
)

// SSOStore keeps the single sign-on states that were used, so that each
// login at the provider is finished once. The two store adapters implement
// it, and the contract suite in collab/storetest checks them.
type SSOStore interface {
	// UseSSOState records that the state named by key was used at at,
	// and keeps the record at least until expires. A key recorded before
	// is an error wrapping collab.ErrDuplicate: that decision is the
	// unique insert.
	UseSSOState(ctx context.Context, key string, at, expires time.Time) error
	// ForgetSSOStates deletes the records that expired before before and
	// returns how many it deleted.
	ForgetSSOStates(ctx context.Context, before time.Time) (int, error)
}

// OIDCConfig configures single sign-on. Issuer, ClientID, ClientSecret,
// RedirectURL, Secret and Store are required.
type OIDCConfig struct {
	// Issuer is the provider's issuer URL; its discovery document is at
	// Issuer + "/.well-known/openid-configuration" and must name the same
	// issuer.
	Issuer string
	// ClientID and ClientSecret are Temaplan's registration at the
	// provider.
	ClientID     string
	ClientSecret string
	// Name is the provider as the login page names it ("Entra ID");
	// empty leaves the page's generic wording.
	Name string
	// RedirectURL is the callback registered at the provider: the public
	// URL of the server + "/api/auth/oidc/callback".
	RedirectURL string
	// Secret derives the key that seals the flow cookie: the JWT secret,
	// the same on every node.
	Secret []byte
	// Store records the used states.
	Store SSOStore
	// Scopes are asked for (DefaultOIDCScopes when empty).
	Scopes []string
	// HTTPClient talks to the provider (discovery, keys, code exchange);
	// nil means a client with a 10 s timeout.
	HTTPClient *http.Client
	Now        func() time.Time
	Log        *slog.Logger
}

// OIDC is single sign-on through one OpenID Connect provider. The
// provider is discovered at the first login, not at start-up, so a node
// starts while the provider is unreachable; a failed discovery is tried
// again at the next login.
type OIDC struct {
	cfg    OIDCConfig
	aead   cipher.AEAD
	client *http.Client
	log    *slog.Logger

	mu        sync.Mutex
	provider  *oidc.Provider // nil until discovered
	verifier  *oidc.IDTokenVerifier
	oauth     *oauth2.Config
	lastSweep time.Time
}

// NewOIDC returns single sign-on for cfg, or an error saying what in cfg
// is wrong. It does not contact the provider.
func NewOIDC(cfg OIDCConfig) (*OIDC, error) {
	var errs []error
	u, err := url.Parse(cfg.Issuer)
	if cfg.Issuer == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, fmt.Errorf("the OIDC issuer %q is not a URL like https://login.example.no", cfg.Issuer))
	}
	if cfg.ClientID == "" {
		errs = append(errs, errors.New("the OIDC client id is required"))
	}
	if cfg.ClientSecret == "" {
		errs = append(errs, errors.New("the OIDC client secret is required"))
	}
	if r, err := url.Parse(cfg.RedirectURL); err != nil || (r.Scheme != "https" && r.Scheme != "http") || r.Host == "" {
		errs = append(errs, fmt.Errorf("the OIDC redirect URL %q is not absolute", cfg.RedirectURL))
	}
	if err := CheckSecret(cfg.Secret); err != nil {
		errs = append(errs, err)
	}
	if cfg.Store == nil {
		errs = append(errs, errors.New("the OIDC state store is required"))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("single sign-on: %w", errors.Join(errs...))
	}
	key, err := hkdf.Key(sha256.New, cfg.Secret, nil, "temaplan sso flow cookie v1", 32)
	if err != nil {
		return nil, fmt.Errorf("single sign-on: derive the cookie key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("single sign-on: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("single sign-on: %w", err)
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = DefaultOIDCScopes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	return &OIDC{cfg: cfg, aead: aead, client: client, log: cfg.Log}, nil
}

// Name returns the provider's name for the login page ("" when none was
// configured).
func (o *OIDC) Name() string { return o.cfg.Name }

// Issuer returns the provider's issuer URL.
func (o *OIDC) Issuer() string { return o.cfg.Issuer }

// discover returns the provider's endpoints and the ID token verifier,
// fetching the discovery document at the first call that succeeds.
func (o *OIDC) discover(ctx context.Context) (*oauth2.Config, *oidc.IDTokenVerifier, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider != nil {
		return o.oauth, o.verifier, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, o.client), o.cfg.Issuer)
	if err != nil {
		return nil, nil, collab.Wrap(collab.CodeUnavailable, err, "the identity provider cannot be reached; try again later")
	}
	o.provider = p
	endpoint := p.Endpoint()
	endpoint.AuthStyle = clientAuthStyle(p)
	o.oauth = &oauth2.Config{
		ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret,
		Endpoint: endpoint, RedirectURL: o.cfg.RedirectURL, Scopes: o.cfg.Scopes,
	}
	// Expiry is judged with a minute's leeway for the provider's clock.
	o.verifier = p.Verifier(&oidc.Config{ClientID: o.cfg.ClientID,
		Now: func() time.Time { return o.cfg.Now().Add(-idTokenLeeway) }})
	o.log.Info("single sign-on provider discovered", "issuer", o.cfg.Issuer)
	return o.oauth, o.verifier, nil
}

// clientAuthStyle is how the client authenticates at the token endpoint:
// client_secret_basic (the default of the standard) unless the provider
// supports only client_secret_post. It is never left to oauth2's
// auto-detection, which on a refused exchange tries again the other way —
// with a code the provider has already spent, hiding why it refused.
func clientAuthStyle(p *oidc.Provider) oauth2.AuthStyle {
	var meta struct {
		Methods []string `json:"token_endpoint_auth_methods_supported"`
	}
	if err := p.Claims(&meta); err == nil && len(meta.Methods) > 0 &&
		!slices.Contains(meta.Methods, "client_secret_basic") && slices.Contains(meta.Methods, "client_secret_post") {
		return oauth2.AuthStyleInParams
	}
	return oauth2.AuthStyleInHeader
}

// ssoFlow is a login under way, as sealed in the flow cookie.
type ssoFlow struct {
	State    string    `json:"s"`
	Nonce    string    `json:"n"`
	Verifier string    `json:"v"`
	Next     string    `json:"x,omitempty"`
	Expires  time.Time `json:"e"`
}

// SSOStart is a login started: the browser goes to URL with Cookie set
// (HttpOnly, SameSite=Lax so that it comes back with the provider's
// redirect) until Expires.
type SSOStart struct {
	URL     string
	Cookie  string
	Expires time.Time
}

// Start begins a login at the provider. next is where to go afterwards,
// which the caller has checked is a path of the app; one longer than 512
// bytes is replaced by "/".
func (o *OIDC) Start(ctx context.Context, next string) (SSOStart, error) {
	cfg, _, err := o.discover(ctx)
	if err != nil {
		return SSOStart{}, err
	}
	if len(next) > maxNextLen {
		next = "/"
	}
	f := ssoFlow{State: rand.Text(), Nonce: rand.Text(), Verifier: oauth2.GenerateVerifier(),
		Next: next, Expires: o.cfg.Now().Add(SSOFlowTTL)}
	cookie, err := o.seal(f)
	if err != nil {
		return SSOStart{}, err
	}
	u := cfg.AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier))
	return SSOStart{URL: u, Cookie: cookie, Expires: f.Expires}, nil
}

// SSOCallback is what comes back from the provider: the flow cookie and
// the query of the redirect.
type SSOCallback struct {
	Cookie string
	State  string
	Code   string
	// Iss is the issuer the provider names in the redirect (RFC 9207),
	// when it does.
	Iss string
	// Error and ErrorDescription are the provider's refusal, if any.
	Error            string
	ErrorDescription string
}

// Identity is the person an ID token vouches for. Email is as the
// provider gave it; it was verified by the provider where the token says.
type Identity struct {
	Issuer  string
	Subject string
	Email   string
	Name    string
}

// SSOResult is a finished login: the person, and the path of the app to
// go to. Next is set on failures too when the flow cookie could be read,
// so the login page can lead back there.
type SSOResult struct {
	Identity Identity
	Next     string
}

// Errors of a finished login, by what the user can do about them.
func errSSOExpired(format string, args ...any) error {
	return collab.Errorf(collab.CodeSSOExpired, format, args...)
}

func errSSOFailed(err error, message string) error {
	return collab.Wrap(collab.CodeSSOFailed, err, message)
}

// Finish checks what the provider sent back and returns the person it
// vouches for. In order: the flow cookie opens and has not expired; the
// state is the cookie's; the state was not used before (recorded now, by
// a unique insert, so every later use is refused); the provider did not
// refuse; the code is exchanged with the PKCE verifier; the ID token is
// signed by the provider's key, issued by the issuer for this client and
// not expired; its nonce is the cookie's; its at_hash (if any) matches the
// access token; it carries an e-mail address that is not unverified.
//
// Failures are sso_expired (start again: no, an old or a used login),
// sso_failed (the provider's answer does not verify), sso_email_unverified
// and unavailable (the provider or the store cannot be reached).
func (o *OIDC) Finish(ctx context.Context, cb SSOCallback) (SSOResult, error) {
	if cb.Cookie == "" {
		return SSOResult{}, errSSOExpired("no single sign-on is under way in this browser; start again")
	}
	f, err := o.open(cb.Cookie)
	if err != nil {
		return SSOResult{}, errSSOExpired("the single sign-on cookie is not valid; start again")
	}
	res := SSOResult{Next: f.Next}
	now := o.cfg.Now()
	if !now.Before(f.Expires) {
		return res, errSSOExpired("the single sign-on took longer than %v; start again", SSOFlowTTL)
	}
	if cb.State == "" || len(cb.State) > maxStateLen || subtle.ConstantTimeCompare([]byte(cb.State), []byte(f.State)) != 1 {
		return res, errSSOExpired("the answer belongs to another login; start again")
	}
	if err := o.use(ctx, f, now); err != nil {
		return res, err
	}
	if cb.Error != "" {
		return res, errSSOFailed(fmt.Errorf("provider error %q: %q", clip(cb.Error, 64), clip(cb.ErrorDescription, 200)),
			"the identity provider did not log you in")
	}
	if cb.Iss != "" && cb.Iss != o.cfg.Issuer {
		return res, errSSOFailed(fmt.Errorf("the redirect names issuer %q, not %q", clip(cb.Iss, 200), o.cfg.Issuer),
			"the answer comes from another identity provider")
	}
	if cb.Code == "" || len(cb.Code) > maxCodeLen {
		return res, errSSOFailed(errors.New("no authorization code"), "the identity provider sent no authorization code")
	}
	cfg, verifier, err := o.discover(ctx)
	if err != nil {
		return res, err
	}
	tok, err := cfg.Exchange(oidc.ClientContext(ctx, o.client), cb.Code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			// The provider answered and refused: a wrong or used code, a
			// wrong PKCE verifier, a wrong client secret.
			return res, errSSOFailed(fmt.Errorf("code exchange refused: %s %s", re.ErrorCode, clip(re.ErrorDescription, 200)),
				"the identity provider refused the login")
		}
		return res, collab.Wrap(collab.CodeUnavailable, err, "the identity provider cannot be reached; try again later")
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return res, errSSOFailed(errors.New("no id_token in the token response"), "the identity provider sent no ID token")
	}
	idt, err := verifier.Verify(ctx, raw)
	if err != nil {
		return res, errSSOFailed(err, "the ID token does not verify")
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(f.Nonce)) != 1 {
		return res, errSSOFailed(errors.New("the ID token's nonce is not this login's"), "the ID token does not verify")
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return res, errSSOFailed(err, "the ID token does not verify")
		}
	}
	var claims struct {
		Email             string   `json:"email"`
		EmailVerified     *boolish `json:"email_verified"`
		Name              string   `json:"name"`
		GivenName         string   `json:"given_name"`
		FamilyName        string   `json:"family_name"`
		PreferredUsername string   `json:"preferred_username"`
	}
	if err := idt.Claims(&claims); err != nil {
		return res, errSSOFailed(err, "the ID token's claims cannot be read")
	}
	if claims.Email == "" {
		return res, collab.Errorf(collab.CodeSSOEmailUnverified, "the identity provider gave no e-mail address")
	}
	if claims.EmailVerified != nil && !*claims.EmailVerified {
		return res, collab.Errorf(collab.CodeSSOEmailUnverified, "the identity provider has not verified the e-mail address %s", clip(claims.Email, maxEmailLen))
	}
	name := claims.Name
	if strings.TrimSpace(name) == "" {
		name = strings.TrimSpace(claims.GivenName + " " + claims.FamilyName)
	}
	res.Identity = Identity{Issuer: idt.Issuer, Subject: idt.Subject, Email: claims.Email, Name: name}
	return res, nil
}

// use records f's state as used: the decision that this login is finished
// once. Now and then it deletes the records of states that have expired.
func (o *OIDC) use(ctx context.Context, f ssoFlow, now time.Time) error {
	sum := sha256.Sum256([]byte(f.State))
	err := o.cfg.Store.UseSSOState(ctx, hex.EncodeToString(sum[:]), now, f.Expires.Add(ssoStateKeep))
	if errors.Is(err, collab.ErrDuplicate) {
		return errSSOExpired("this login was finished already; start again")
	}
	if err != nil {
		return collab.Wrap(collab.CodeUnavailable, err, "the login could not be recorded; try again")
	}
	o.mu.Lock()
	sweep := now.Sub(o.lastSweep) >= ssoSweepEvery
	if sweep {
		o.lastSweep = now
	}
	o.mu.Unlock()
	if sweep {
		if n, err := o.cfg.Store.ForgetSSOStates(ctx, now); err != nil {
			o.log.Warn("expired single sign-on states not deleted", "err", err)
		} else if n > 0 {
			o.log.Debug("expired single sign-on states deleted", "count", n)
		}
	}
	return nil
}

// ssoCookieAAD binds a sealed flow to its purpose.
var ssoCookieAAD = []byte("temaplan sso flow")

// seal encrypts and authenticates f for the flow cookie.
func (o *OIDC) seal(f ssoFlow) (string, error) {
	plain, err := json.Marshal(f)
	if err != nil {
		return "", fmt.Errorf("seal sso flow: %w", err)
	}
	nonce := make([]byte, o.aead.NonceSize(), o.aead.NonceSize()+len(plain)+o.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal sso flow: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(o.aead.Seal(nonce, nonce, plain, ssoCookieAAD)), nil
}

// open decrypts a flow cookie sealed by seal (on any node with the same
// secret).
func (o *OIDC) open(cookie string) (ssoFlow, error) {
	if len(cookie) > maxFlowCookieLen {
		return ssoFlow{}, errors.New("flow cookie too long")
	}
	b, err := base64.RawURLEncoding.DecodeString(cookie)
	if err != nil || len(b) < o.aead.NonceSize() {
		return ssoFlow{}, errors.New("flow cookie malformed")
	}
	plain, err := o.aead.Open(nil, b[:o.aead.NonceSize()], b[o.aead.NonceSize():], ssoCookieAAD)
	if err != nil {
		return ssoFlow{}, errors.New("flow cookie not sealed by this server")
	}
	var f ssoFlow
	if err := json.Unmarshal(plain, &f); err != nil || f.State == "" || f.Nonce == "" || f.Verifier == "" {
		return ssoFlow{}, errors.New("flow cookie incomplete")
	}
	return f, nil
}

// boolish is a JSON boolean that some providers send as a string
// ("true"), as email_verified is in the wild.
type boolish bool

func (b *boolish) UnmarshalJSON(data []byte) error {
	switch string(data) {
	case "true", `"true"`:
		*b = true
	case "false", `"false"`:
		*b = false
	default:
		return fmt.Errorf("%s is not a boolean", clip(string(data), 20))
	}
	return nil
}

// clip shortens s, from a provider, to at most n bytes for a message or
// the log.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
