package auth_test

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/auth/oidctest"
	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/sqlite"
)

// The tests of this file run single sign-on against a real provider over
// HTTP (oidctest) with a real store of used states (SQLite).

const (
	testClientID     = "temaplan-test"
	testClientSecret = "client-secret-of-the-test"
	testRedirect     = "https://temaplan.test/api/auth/oidc/callback"
)

var testSSOSecret = []byte("sso-test-secret-sso-test-secret-sso!")

// ssoRig is a provider and the OIDC client of Temaplan registered at it,
// on a clock the test can move.
type ssoRig struct {
	p     *oidctest.Provider
	o     *auth.OIDC
	store *sqlite.Store
	clock atomic.Int64 // offset from the real time, ns
}

func newSSORig(t *testing.T) *ssoRig {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "temaplan.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	r := &ssoRig{p: oidctest.Start(t, testClientID, testClientSecret, testRedirect), store: store}
	r.o = r.client(t, testSSOSecret)
	return r
}

// client returns an OIDC client of the rig's provider whose flow cookies
// are sealed with secret.
func (r *ssoRig) client(t *testing.T, secret []byte) *auth.OIDC {
	t.Helper()
	o, err := auth.NewOIDC(auth.OIDCConfig{Issuer: r.p.URL, ClientID: testClientID, ClientSecret: testClientSecret,
		Name: "Testpålogging", RedirectURL: testRedirect, Secret: secret, Store: r.store,
		Now: func() time.Time { return time.Now().Add(time.Duration(r.clock.Load())) }})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// login starts a login going back to next, lets the provider log its user
// in, and returns the provider's answer as the callback gets it, with the
// URL the browser was sent to.
func (r *ssoRig) login(t *testing.T, next string) (auth.SSOCallback, *url.URL) {
	t.Helper()
	st, err := r.o.Start(t.Context(), next)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if st.Cookie == "" || !st.Expires.After(time.Now()) {
		t.Fatalf("Start = %+v: no cookie, or one that has expired", st)
	}
	authURL, err := url.Parse(st.URL)
	if err != nil {
		t.Fatal(err)
	}
	back, err := r.p.Authorize(st.URL)
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Scheme + "://" + back.Host + back.Path; got != testRedirect {
		t.Fatalf("the provider sent the browser to %s, want %s", got, testRedirect)
	}
	q := back.Query()
	return auth.SSOCallback{Cookie: st.Cookie, State: q.Get("state"), Code: q.Get("code"),
		Error: q.Get("error"), ErrorDescription: q.Get("error_description")}, authURL
}

func TestOIDC_AGoodLoginGivesTheVerifiedPerson(t *testing.T) {
	r := newSSORig(t)
	cb, authURL := r.login(t, "/plans/p1")

	// The authorization request is the code flow with PKCE (S256), a
	// state, a nonce and the scopes that give an e-mail address.
	q := authURL.Query()
	for k, want := range map[string]string{"response_type": "code", "client_id": testClientID,
		"redirect_uri": testRedirect, "code_challenge_method": "S256"} {
		if q.Get(k) != want {
			t.Errorf("authorization request %s = %q, want %q", k, q.Get(k), want)
		}
	}
	if len(q.Get("code_challenge")) != 43 || len(q.Get("state")) < 20 || len(q.Get("nonce")) < 20 {
		t.Errorf("authorization request lacks a challenge, state or nonce of full length: %v", q)
	}
	if q.Get("state") == q.Get("nonce") {
		t.Error("state and nonce are the same value")
	}
	if scopes := strings.Fields(q.Get("scope")); !(len(scopes) == 3 && strings.Contains(q.Get("scope"), "openid") &&
		strings.Contains(q.Get("scope"), "email") && strings.Contains(q.Get("scope"), "profile")) {
		t.Errorf("scopes %v, want openid email profile", scopes)
	}
	// What the browser carries reveals neither nonce nor verifier.
	if strings.Contains(cb.Cookie, q.Get("nonce")) || strings.Contains(cb.Cookie, q.Get("state")) {
		t.Error("the flow cookie shows the nonce or the state in clear")
	}

	res, err := r.o.Finish(t.Context(), cb)
	if err != nil {
		t.Fatalf("Finish: %v", err)
	}
	want := auth.Identity{Issuer: r.p.URL, Subject: "subject-1", Email: "kari@example.no", Name: "Kari Nordmann"}
	if res.Identity != want || res.Next != "/plans/p1" {
		t.Errorf("Finish = %+v, want %+v going to /plans/p1", res, want)
	}
	if r.o.Name() != "Testpålogging" {
		t.Errorf("Name = %q", r.o.Name())
	}
}

func TestOIDC_EmailVerifiedAsAStringOrAbsentIsAccepted(t *testing.T) {
	for _, verified := range []any{"true", nil, true} {
		r := newSSORig(t)
		r.p.SetUser(oidctest.User{Subject: "s", Email: "Ola@Example.no", EmailVerified: verified})
		cb, _ := r.login(t, "/")
		res, err := r.o.Finish(t.Context(), cb)
		if err != nil || res.Identity.Email != "Ola@Example.no" {
			t.Errorf("email_verified %v: Finish = %+v, %v; want the e-mail", verified, res, err)
		}
	}
}

// TestOIDC_RefusesEveryBadAnswer runs the negative cases: each must fail
// with its stable code, for the reason the case is about (its cause names
// the check that refused), and give no identity.
func TestOIDC_RefusesEveryBadAnswer(t *testing.T) {
	cases := []struct {
		name string
		// before prepares the provider (and may run an earlier login).
		before func(t *testing.T, r *ssoRig)
		// change spoils the callback before it is finished.
		change func(t *testing.T, r *ssoRig, cb *auth.SSOCallback)
		code   collab.Code
		cause  string
	}{
		{name: "wrong issuer", code: collab.CodeSSOFailed, cause: "issued by a different provider",
			before: func(t *testing.T, r *ssoRig) { r.p.SetTamper(oidctest.Tamper{Issuer: "https://evil.example"}) }},
		{name: "issuer with a trailing slash", code: collab.CodeSSOFailed, cause: "issued by a different provider",
			before: func(t *testing.T, r *ssoRig) { r.p.SetTamper(oidctest.Tamper{Issuer: r.p.URL + "/"}) }},
		{name: "wrong audience", code: collab.CodeSSOFailed, cause: "expected audience",
			before: func(t *testing.T, r *ssoRig) { r.p.SetTamper(oidctest.Tamper{Audience: "another-client"}) }},
		{name: "expired token", code: collab.CodeSSOFailed, cause: "token is expired",
			before: func(t *testing.T, r *ssoRig) { r.p.SetTamper(oidctest.Tamper{ExpiresIn: -5 * time.Minute}) }},
		{name: "bad signature (a key not in the JWKS)", code: collab.CodeSSOFailed, cause: "signature",
			before: func(t *testing.T, r *ssoRig) { r.p.SetTamper(oidctest.Tamper{OtherKey: true}) }},
		{name: "nonce mismatch", code: collab.CodeSSOFailed, cause: "nonce",
			before: func(t *testing.T, r *ssoRig) { r.p.SetTamper(oidctest.Tamper{Nonce: "not-the-nonce-of-this-login"}) }},
		{name: "nonce replay (the nonce of an earlier login)", code: collab.CodeSSOFailed, cause: "nonce",
			before: func(t *testing.T, r *ssoRig) {
				earlier, _ := r.login(t, "/")
				if _, err := r.o.Finish(t.Context(), earlier); err != nil {
					t.Fatalf("the earlier login: %v", err)
				}
				r.p.SetTamper(oidctest.Tamper{Nonce: r.p.Nonces()[0]})
			}},
		{name: "access token hash mismatch", code: collab.CodeSSOFailed, cause: "access token hash",
			before: func(t *testing.T, r *ssoRig) { r.p.SetTamper(oidctest.Tamper{BadAtHash: true}) }},
		{name: "no ID token", code: collab.CodeSSOFailed, cause: "no id_token",
			before: func(t *testing.T, r *ssoRig) { r.p.SetTamper(oidctest.Tamper{NoIDToken: true}) }},
		{name: "provider refused", code: collab.CodeSSOFailed, cause: "access_denied",
			before: func(t *testing.T, r *ssoRig) { r.p.SetTamper(oidctest.Tamper{Deny: true}) }},
		{name: "redirect names another issuer (RFC 9207)", code: collab.CodeSSOFailed, cause: "names issuer",
			change: func(t *testing.T, r *ssoRig, cb *auth.SSOCallback) { cb.Iss = "https://evil.example" }},
		{name: "PKCE: the code of another login (wrong verifier)", code: collab.CodeSSOFailed, cause: "PKCE verification failed",
			change: func(t *testing.T, r *ssoRig, cb *auth.SSOCallback) {
				other, _ := r.login(t, "/")
				cb.Code = other.Code
			}},
		{name: "no code", code: collab.CodeSSOFailed, cause: "no authorization code",
			change: func(t *testing.T, r *ssoRig, cb *auth.SSOCallback) { cb.Code = "" }},
		{name: "a code the provider does not know", code: collab.CodeSSOFailed, cause: "unknown or used code",
			change: func(t *testing.T, r *ssoRig, cb *auth.SSOCallback) { cb.Code = "made-up" }},
		{name: "email_verified false", code: collab.CodeSSOEmailUnverified, cause: "not verified",
			before: func(t *testing.T, r *ssoRig) {
				r.p.SetUser(oidctest.User{Subject: "s", Email: "kari@example.no", EmailVerified: false})
			}},
		{name: `email_verified "false"`, code: collab.CodeSSOEmailUnverified, cause: "not verified",
			before: func(t *testing.T, r *ssoRig) {
				r.p.SetUser(oidctest.User{Subject: "s", Email: "kari@example.no", EmailVerified: "false"})
			}},
		{name: "no e-mail", code: collab.CodeSSOEmailUnverified, cause: "no e-mail",
			before: func(t *testing.T, r *ssoRig) { r.p.SetUser(oidctest.User{Subject: "s", EmailVerified: true}) }},
		{name: "state of another login", code: collab.CodeSSOExpired, cause: "another login",
			change: func(t *testing.T, r *ssoRig, cb *auth.SSOCallback) {
				other, _ := r.login(t, "/")
				cb.State, cb.Code = other.State, other.Code
			}},
		{name: "no state", code: collab.CodeSSOExpired, cause: "another login",
			change: func(t *testing.T, r *ssoRig, cb *auth.SSOCallback) { cb.State = "" }},
		{name: "no flow cookie", code: collab.CodeSSOExpired, cause: "no single sign-on is under way",
			change: func(t *testing.T, r *ssoRig, cb *auth.SSOCallback) { cb.Cookie = "" }},
		{name: "flow cookie changed", code: collab.CodeSSOExpired, cause: "cookie is not valid",
			change: func(t *testing.T, r *ssoRig, cb *auth.SSOCallback) {
				b := []byte(cb.Cookie)
				b[len(b)/2] ^= 1
				cb.Cookie = string(b)
			}},
		{name: "flow cookie sealed with another secret", code: collab.CodeSSOExpired, cause: "cookie is not valid",
			change: func(t *testing.T, r *ssoRig, cb *auth.SSOCallback) {
				st, err := r.client(t, []byte("another-secret-another-secret-another!")).Start(t.Context(), "/")
				if err != nil {
					t.Fatal(err)
				}
				cb.Cookie = st.Cookie
			}},
		{name: "flow older than ten minutes", code: collab.CodeSSOExpired, cause: "took longer",
			change: func(t *testing.T, r *ssoRig, cb *auth.SSOCallback) {
				r.clock.Store(int64(auth.SSOFlowTTL + time.Second))
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newSSORig(t)
			if c.before != nil {
				c.before(t, r)
			}
			cb, _ := r.login(t, "/plans/p1")
			if c.change != nil {
				c.change(t, r, &cb)
			}
			res, err := r.o.Finish(t.Context(), cb)
			if err == nil {
				t.Fatalf("Finish = %+v, nil; want %s", res, c.code)
			}
			if got := collab.ErrorCode(err); got != c.code {
				t.Errorf("code = %q, want %q (%v)", got, c.code, err)
			}
			if !strings.Contains(err.Error(), c.cause) {
				t.Errorf("refused for %q, want a cause naming %q", err, c.cause)
			}
			if res.Identity != (auth.Identity{}) {
				t.Errorf("a refused login gave the identity %+v", res.Identity)
			}
		})
	}
}

func TestOIDC_AnExpiredTokenIsTheLibrarysExpiryError(t *testing.T) {
	r := newSSORig(t)
	r.p.SetTamper(oidctest.Tamper{ExpiresIn: -5 * time.Minute})
	cb, _ := r.login(t, "/")
	_, err := r.o.Finish(t.Context(), cb)
	var expired *oidc.TokenExpiredError
	if !errors.As(err, &expired) {
		t.Errorf("Finish = %v, want a wrapped *oidc.TokenExpiredError", err)
	}
}

// TestOIDC_ACallbackIsFinishedOnce replays a good callback — the same URL
// with the same cookie — after it was finished, and many times at once:
// only one use succeeds, and a replay never reaches the provider.
func TestOIDC_ACallbackIsFinishedOnce(t *testing.T) {
	r := newSSORig(t)
	cb, _ := r.login(t, "/")
	if _, err := r.o.Finish(t.Context(), cb); err != nil {
		t.Fatalf("first Finish: %v", err)
	}
	before := r.p.TokenRequests()
	res, err := r.o.Finish(t.Context(), cb)
	if collab.ErrorCode(err) != collab.CodeSSOExpired || !strings.Contains(err.Error(), "finished already") {
		t.Errorf("replayed Finish = %+v, %v; want sso_expired (finished already)", res, err)
	}
	if res.Identity != (auth.Identity{}) {
		t.Errorf("the replay gave the identity %+v", res.Identity)
	}
	if r.p.TokenRequests() != before {
		t.Errorf("the replay reached the token endpoint (%d requests, want %d)", r.p.TokenRequests(), before)
	}

	// Eight tabs (or an attacker racing the user) finish one callback.
	cb, _ = r.login(t, "/")
	const racers = 8
	var wg sync.WaitGroup
	var won, refused atomic.Int32
	for range racers {
		wg.Go(func() {
			_, err := r.o.Finish(context.Background(), cb)
			switch collab.ErrorCode(err) {
			case "":
				won.Add(1)
			case collab.CodeSSOExpired:
				refused.Add(1)
			default:
				t.Errorf("racing Finish: %v", err)
			}
		})
	}
	wg.Wait()
	if won.Load() != 1 || refused.Load() != racers-1 {
		t.Errorf("%d of %d racing uses of one callback succeeded (%d refused), want exactly 1", won.Load(), racers, refused.Load())
	}
}

// TestOIDC_ACookieOfOneNodeOpensOnAnother: a login started on one node
// (one OIDC with the cluster's secret) finishes on another.
func TestOIDC_ACookieOfOneNodeOpensOnAnother(t *testing.T) {
	r := newSSORig(t)
	cb, _ := r.login(t, "/x")
	other := r.client(t, testSSOSecret)
	if res, err := other.Finish(t.Context(), cb); err != nil || res.Next != "/x" {
		t.Errorf("Finish on the other node = %+v, %v", res, err)
	}
}

func TestOIDC_AnUnreachableProviderIsUnavailable(t *testing.T) {
	r := newSSORig(t)
	o, err := auth.NewOIDC(auth.OIDCConfig{Issuer: "http://127.0.0.1:1", ClientID: "c", ClientSecret: "s",
		RedirectURL: testRedirect, Secret: testSSOSecret, Store: r.store})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Start(t.Context(), "/"); collab.ErrorCode(err) != collab.CodeUnavailable {
		t.Errorf("Start against a provider that is down = %v, want unavailable", err)
	}
}

func TestNewOIDC_RefusesAnIncompleteConfig(t *testing.T) {
	r := newSSORig(t)
	good := auth.OIDCConfig{Issuer: r.p.URL, ClientID: "c", ClientSecret: "s", RedirectURL: testRedirect,
		Secret: testSSOSecret, Store: r.store}
	if _, err := auth.NewOIDC(good); err != nil {
		t.Fatalf("NewOIDC(good) = %v", err)
	}
	for name, change := range map[string]func(*auth.OIDCConfig){
		"no issuer":        func(c *auth.OIDCConfig) { c.Issuer = "" },
		"issuer no URL":    func(c *auth.OIDCConfig) { c.Issuer = "login.example.no" },
		"no client id":     func(c *auth.OIDCConfig) { c.ClientID = "" },
		"no client secret": func(c *auth.OIDCConfig) { c.ClientSecret = "" },
		"relative redirect": func(c *auth.OIDCConfig) {
			c.RedirectURL = "/api/auth/oidc/callback"
		},
		"short secret": func(c *auth.OIDCConfig) { c.Secret = []byte("short") },
		"no store":     func(c *auth.OIDCConfig) { c.Store = nil },
	} {
		cfg := good
		change(&cfg)
		if _, err := auth.NewOIDC(cfg); err == nil {
			t.Errorf("%s: NewOIDC = nil error", name)
		}
	}
}
