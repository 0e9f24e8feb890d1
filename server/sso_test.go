package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/auth/oidctest"
	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/mongo"
	"github.com/temaplan/temaplan/collab/mongo/mongotest"
	"github.com/temaplan/temaplan/collab/sqlite"
	"github.com/temaplan/temaplan/server"
)

// The tests of this file log in through single sign-on end to end: the
// server's routes over its HTTP handler, and a real OpenID Connect
// provider (oidctest) over real HTTP, which the test plays the browser
// between.

const (
	ssoPublicURL   = "https://temaplan.test"
	ssoClientID    = "temaplan"
	ssoSecret      = "client-secret"
	flowCookieName = "temaplan_sso"
)

// ssoServer is a test server with single sign-on through p.
type ssoServer struct {
	*testServer
	p *oidctest.Provider
}

// newSSOServer starts a provider and a server (on store, "sqlite" or
// "mongo") that uses it. Municipality m1 (kari's) allows password and
// single sign-on for m1.no; m2 allows single sign-on only, for m2.no and
// m2.kommune.no; m3 allows passwords only, for m3.no.
func newSSOServer(t *testing.T, store string) *ssoServer {
	t.Helper()
	p := oidctest.Start(t, ssoClientID, ssoSecret, ssoPublicURL+server.SSOCallbackPath)
	withSSO := func(cfg *server.Config) {
		o, err := auth.NewOIDC(auth.OIDCConfig{Issuer: p.URL, ClientID: ssoClientID, ClientSecret: ssoSecret,
			Name: "Entra ID", RedirectURL: ssoPublicURL + server.SSOCallbackPath, Secret: testSecret,
			Store: cfg.Store.(auth.SSOStore)})
		if err != nil {
			t.Fatal(err)
		}
		cfg.PublicURL, cfg.OIDC = ssoPublicURL, o
	}
	var ts *testServer
	switch store {
	case "sqlite":
		ts = newTestServerOn(t, openSQLite(t), withSSO)
	case "mongo":
		ts = newTestServerOn(t, openMongo(t), withSSO)
	default:
		t.Fatalf("no store %q", store)
	}
	s := &ssoServer{testServer: ts, p: p}
	p.SetUser(oidctest.User{Subject: "entra-kari", Email: "kari@m1.no", EmailVerified: true, Name: "Kari"})
	s.settings("m1", auth.MunicipalitySettings{LoginMethods: []string{auth.LoginPassword, auth.LoginOIDC}, EmailDomains: []string{"m1.no"}})
	s.settings("m2", auth.MunicipalitySettings{LoginMethods: []string{auth.LoginOIDC}, EmailDomains: []string{"m2.no", "m2.kommune.no"}})
	s.settings("m3", auth.MunicipalitySettings{LoginMethods: []string{auth.LoginPassword}, EmailDomains: []string{"m3.no"}})
	return s
}

// settings creates municipality id if need be and sets its settings.
func (s *ssoServer) settings(id string, set auth.MunicipalitySettings) {
	s.t.Helper()
	ctx := context.Background()
	if err := s.accounts.EnsureMunicipality(ctx, auth.Municipality{ID: id, Name: "Kommune " + id}); err != nil {
		s.t.Fatal(err)
	}
	store := s.store.(auth.Store)
	m, ok, err := store.Municipality(ctx, id)
	if err != nil || !ok {
		s.t.Fatalf("municipality %s: %v, %v", id, ok, err)
	}
	m.Settings = set
	if err := store.UpdateMunicipality(ctx, m); err != nil {
		s.t.Fatal(err)
	}
}

// start requests the start of a login going back to next, checks the
// redirect to the provider and the flow cookie, and returns both.
func (s *ssoServer) start(next string) (authURL string, flow *http.Cookie) {
	s.t.Helper()
	target := "/api/auth/oidc/start"
	if next != "" {
		target += "?next=" + url.QueryEscape(next)
	}
	rec := s.doReq(httptest.NewRequest(http.MethodGet, target, nil), "")
	if rec.Code != http.StatusFound || !strings.HasPrefix(rec.Header().Get("Location"), s.p.URL+"/authorize?") {
		s.t.Fatalf("start: %d to %q, want 302 to the provider (%s)", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name == flowCookieName {
			if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/api/auth/oidc" || c.MaxAge != 600 {
				s.t.Errorf("flow cookie %+v, want HttpOnly, Secure, SameSite=Lax, Path=/api/auth/oidc, 10 minutes", c)
			}
			return rec.Header().Get("Location"), c
		}
	}
	s.t.Fatalf("start set no %s cookie: %q", flowCookieName, rec.Header().Values("Set-Cookie"))
	return "", nil
}

// atProvider plays the browser at the provider and returns the redirect
// back to the server, which must be the registered callback.
func (s *ssoServer) atProvider(authURL string) *url.URL {
	s.t.Helper()
	back, err := s.p.Authorize(authURL)
	if err != nil {
		s.t.Fatal(err)
	}
	if got := back.Scheme + "://" + back.Host + back.Path; got != ssoPublicURL+server.SSOCallbackPath {
		s.t.Fatalf("the provider sent the browser to %s", got)
	}
	return back
}

// callback brings the provider's redirect back to the server with the
// flow cookie (none when flow is nil).
func (s *ssoServer) callback(back *url.URL, flow *http.Cookie) *httptest.ResponseRecorder {
	s.t.Helper()
	req := httptest.NewRequest(http.MethodGet, back.Path+"?"+back.RawQuery, nil)
	if flow != nil {
		req.AddCookie(&http.Cookie{Name: flow.Name, Value: flow.Value})
	}
	return s.doReq(req, "")
}

// login runs a whole login as the provider's current user, going back to
// next, and returns the callback's answer.
func (s *ssoServer) login(next string) *httptest.ResponseRecorder {
	s.t.Helper()
	authURL, flow := s.start(next)
	return s.callback(s.atProvider(authURL), flow)
}

// loggedIn checks that rec is a finished login going to next and returns
// the access token its refresh cookie gets, with the account behind it.
func (s *ssoServer) loggedIn(rec *httptest.ResponseRecorder, next string) (string, meBody) {
	s.t.Helper()
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != next {
		s.t.Fatalf("callback: %d to %q, want 303 to %s (%s)", rec.Code, rec.Header().Get("Location"), next, rec.Body)
	}
	ck := sessionCookie(s.t, rec)
	if !ck.HttpOnly || !ck.Secure || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/api/auth" {
		s.t.Errorf("refresh cookie %+v is not the password login's", ck)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		s.t.Errorf("Cache-Control %q, want no-store", cc)
	}
	ref := postSession(s.testServer, "refresh", ck.Value)
	if ref.Code != http.StatusOK {
		s.t.Fatalf("refresh with the single sign-on cookie: %d %s", ref.Code, ref.Body)
	}
	tok := decode[loginResponse](s.t, ref).AccessToken
	me := s.doAs(tok, http.MethodGet, "/api/me", "")
	if me.Code != http.StatusOK {
		s.t.Fatalf("GET /api/me: %d %s", me.Code, me.Body)
	}
	return tok, decode[meBody](s.t, me)
}

// meBody is the part of GET /api/me the tests read.
type meBody struct {
	ID           string `json:"id"`
	Email        string `json:"email"`
	Name         string `json:"name"`
	Admin        bool   `json:"admin"`
	Municipality struct {
		ID string `json:"id"`
	} `json:"municipality"`
}

// refused checks that rec sends the browser to the login page with code
// (and next, unless "/"), sets no session and clears the flow cookie.
func refused(t *testing.T, rec *httptest.ResponseRecorder, code collab.Code, next string) {
	t.Helper()
	loc, err := url.Parse(rec.Header().Get("Location"))
	if rec.Code != http.StatusSeeOther || err != nil || loc.Path != "/logg-inn" {
		t.Fatalf("refusal: %d to %q, want 303 to /logg-inn", rec.Code, rec.Header().Get("Location"))
	}
	if got := loc.Query().Get("feil"); got != string(code) {
		t.Errorf("refused with feil=%q, want %q", got, code)
	}
	wantNext := next
	if next == "/" {
		wantNext = ""
	}
	if got := loc.Query().Get("neste"); got != wantNext {
		t.Errorf("neste=%q, want %q", got, wantNext)
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name == refreshCookieName && c.Value != "" {
			t.Errorf("a refused login set the session cookie %q", c.Value)
		}
	}
}

func TestSSO_LoginEndToEnd(t *testing.T) {
	for _, store := range []string{"sqlite", "mongo"} {
		t.Run(store, func(t *testing.T) {
			s := newSSOServer(t, store)
			s.p.SetUser(oidctest.User{Subject: "entra-kari", Email: "Kari@M1.no", EmailVerified: true, Name: "Kari Nordmann"})
			tok, me := s.loggedIn(s.login("/plans/p1/tiltak"), "/plans/p1/tiltak")
			// The existing account, matched by its normalised e-mail,
			// with its administrator flag.
			if me.ID != s.kari.ID || me.Email != "kari@m1.no" || !me.Admin || me.Municipality.ID != "m1" {
				t.Errorf("logged in as %+v, want kari (%s) of m1", me, s.kari.ID)
			}
			// The access token works for the API like a password login's.
			if rec := s.doAs(tok, http.MethodGet, "/api/plans", ""); rec.Code != http.StatusOK {
				t.Errorf("GET /api/plans with the token: %d", rec.Code)
			}
			events, err := s.accounts.AuditLog(context.Background(), "m1", "", 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(events) == 0 || events[0].Action != "login_oidc" || events[0].Actor != s.kari.ID || events[0].IP == "" {
				t.Errorf("newest audit event %+v, want kari's login_oidc with the address", events[0])
			}
		})
	}
}

func TestSSO_ProvisionsIntoTheMunicipalityOfTheDomain(t *testing.T) {
	for _, store := range []string{"sqlite", "mongo"} {
		t.Run(store, func(t *testing.T) {
			s := newSSOServer(t, store)
			s.p.SetUser(oidctest.User{Subject: "entra-per", Email: "Per.Hansen@M2.kommune.no", EmailVerified: true, Name: "Per Hansen"})
			_, me := s.loggedIn(s.login("/"), "/")
			if me.Email != "per.hansen@m2.kommune.no" || me.Name != "Per Hansen" || me.Admin || me.Municipality.ID != "m2" {
				t.Errorf("provisioned %+v, want per.hansen@m2.kommune.no in m2, no administrator", me)
			}
			acct, ok, err := s.store.(auth.Store).AccountByEmail(context.Background(), "per.hansen@m2.kommune.no")
			if err != nil || !ok || acct.PasswordHash != "" || acct.Disabled {
				t.Errorf("stored account %+v, %v, %v: want one without a password", acct, ok, err)
			}
			// Without a password, the password login knows nothing better
			// than for a stranger.
			if rec := postLogin(s.testServer, "192.0.2.9:1", "", "per.hansen@m2.kommune.no", ""); rec.Code != http.StatusUnauthorized &&
				rec.Code != http.StatusUnprocessableEntity {
				t.Errorf("password login of the provisioned account: %d %s", rec.Code, rec.Body)
			}
			// The next login is the same account, not a second one.
			_, again := s.loggedIn(s.login("/"), "/")
			if again.ID != me.ID {
				t.Errorf("the second login is account %s, the first was %s", again.ID, me.ID)
			}
			users, err := s.accounts.Users(context.Background(), "m2")
			if err != nil || len(users) != 1 {
				t.Errorf("m2 has %d accounts (%v), want 1", len(users), err)
			}
			events, _ := s.accounts.AuditLog(context.Background(), "m2", "", 10)
			var created bool
			for _, e := range events {
				created = created || (e.Action == "user.created" && e.To == me.ID)
			}
			if !created {
				t.Errorf("no user.created audit event for the provisioned account: %+v", events)
			}
		})
	}
}

// TestSSO_RefusesWhomNoMunicipalityLetsIn: a disabled account, a domain no
// municipality takes, a domain of a municipality without single sign-on,
// and an account of such a municipality are each refused with their code,
// get no session and no account.
func TestSSO_RefusesWhomNoMunicipalityLetsIn(t *testing.T) {
	s := newSSOServer(t, "sqlite")
	ctx := context.Background()
	disabled := s.user("ola@m1.no", "m1", false)
	kari := s.kari.ID
	if _, err := s.accounts.UpdateUser(ctx, kari, "m1", disabled.ID, auth.UserPatch{Disabled: new(true)}); err != nil {
		t.Fatal(err)
	}
	s.user("siri@m3.no", "m3", false)
	for _, c := range []struct {
		name, email string
		code        collab.Code
	}{
		{"disabled account", "ola@m1.no", collab.CodeAccountDisabled},
		{"unknown domain", "eva@elsewhere.no", collab.CodeSSONotAllowed},
		{"domain as a suffix only", "eva@xm1.no", collab.CodeSSONotAllowed},
		{"domain of a municipality without single sign-on", "nils@m3.no", collab.CodeSSONotAllowed},
		{"account of a municipality without single sign-on", "siri@m3.no", collab.CodeSSONotAllowed},
	} {
		t.Run(c.name, func(t *testing.T) {
			s.p.SetUser(oidctest.User{Subject: "sub-" + c.email, Email: c.email, EmailVerified: true, Name: "Noen"})
			refused(t, s.login("/plans/x"), c.code, "/plans/x")
		})
	}
	for _, email := range []string{"eva@elsewhere.no", "eva@xm1.no", "nils@m3.no"} {
		if _, ok, _ := s.store.(auth.Store).AccountByEmail(ctx, email); ok {
			t.Errorf("an account was made for %s", email)
		}
	}
	events, _ := s.accounts.AuditLog(ctx, "m1", "", 10)
	if len(events) == 0 || events[0].Action != "login_failed" || events[0].Actor != disabled.ID {
		t.Errorf("newest m1 audit event %+v, want the disabled account's login_failed", events)
	}
}

// TestSSO_RefusesBadAnswersThroughTheRoutes runs the provider's bad
// answers and the browser's bad callbacks through the server's routes:
// each ends on the login page with its code, with no session.
func TestSSO_RefusesBadAnswersThroughTheRoutes(t *testing.T) {
	const next = "/plans/p1"
	cases := []struct {
		name string
		run  func(t *testing.T, s *ssoServer) *httptest.ResponseRecorder
		code collab.Code
	}{
		{"wrong issuer", tampered(oidctest.Tamper{Issuer: "https://login.evil.example"}), collab.CodeSSOFailed},
		{"wrong audience", tampered(oidctest.Tamper{Audience: "another-app"}), collab.CodeSSOFailed},
		{"expired token", tampered(oidctest.Tamper{ExpiresIn: -10 * time.Minute}), collab.CodeSSOFailed},
		{"bad signature", tampered(oidctest.Tamper{OtherKey: true}), collab.CodeSSOFailed},
		{"nonce mismatch", tampered(oidctest.Tamper{Nonce: "forged-nonce"}), collab.CodeSSOFailed},
		{"provider refused", tampered(oidctest.Tamper{Deny: true}), collab.CodeSSOFailed},
		{"email_verified false", func(t *testing.T, s *ssoServer) *httptest.ResponseRecorder {
			s.p.SetUser(oidctest.User{Subject: "k", Email: "kari@m1.no", EmailVerified: false})
			return s.login(next)
		}, collab.CodeSSOEmailUnverified},
		{"nonce replay: an ID token with an earlier login's nonce", func(t *testing.T, s *ssoServer) *httptest.ResponseRecorder {
			s.loggedIn(s.login("/"), "/")
			s.p.SetTamper(oidctest.Tamper{Nonce: s.p.Nonces()[0]})
			return s.login(next)
		}, collab.CodeSSOFailed},
		{"state replay: the same callback twice", func(t *testing.T, s *ssoServer) *httptest.ResponseRecorder {
			authURL, flow := s.start(next)
			back := s.atProvider(authURL)
			s.loggedIn(s.callback(back, flow), next)
			tokens := s.p.TokenRequests()
			rec := s.callback(back, flow)
			if s.p.TokenRequests() != tokens {
				t.Error("the replayed callback reached the provider's token endpoint")
			}
			return rec
		}, collab.CodeSSOExpired},
		{"PKCE: the code of another login", func(t *testing.T, s *ssoServer) *httptest.ResponseRecorder {
			authURL, flow := s.start(next)
			back := s.atProvider(authURL)
			otherURL, _ := s.start("/")
			other := s.atProvider(otherURL)
			q := back.Query()
			q.Set("code", other.Query().Get("code"))
			back.RawQuery = q.Encode()
			return s.callback(back, flow)
		}, collab.CodeSSOFailed},
		{"no flow cookie", func(t *testing.T, s *ssoServer) *httptest.ResponseRecorder {
			authURL, _ := s.start(next)
			rec := s.callback(s.atProvider(authURL), nil)
			// Without the cookie the server does not know where the
			// login was going.
			refused(t, rec, collab.CodeSSOExpired, "/")
			return nil
		}, collab.CodeSSOExpired},
		{"login CSRF: an attacker's callback in the victim's browser", func(t *testing.T, s *ssoServer) *httptest.ResponseRecorder {
			_, victims := s.start(next)
			attackerURL, _ := s.start("/")
			return s.callback(s.atProvider(attackerURL), victims)
		}, collab.CodeSSOExpired},
		{"callback without code or state", func(t *testing.T, s *ssoServer) *httptest.ResponseRecorder {
			_, flow := s.start(next)
			return s.callback(&url.URL{Path: server.SSOCallbackPath}, flow)
		}, collab.CodeSSOExpired},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newSSOServer(t, "sqlite")
			rec := c.run(t, s)
			if rec == nil {
				return
			}
			refused(t, rec, c.code, next)
			// The flow cookie is cleared.
			var cleared bool
			for _, ck := range rec.Result().Cookies() {
				cleared = cleared || (ck.Name == flowCookieName && ck.MaxAge < 0)
			}
			if !cleared {
				t.Errorf("the refusal does not clear the flow cookie: %q", rec.Header().Values("Set-Cookie"))
			}
		})
	}
}

// tampered is a case in which the provider spoils its ID token as tm says.
func tampered(tm oidctest.Tamper) func(t *testing.T, s *ssoServer) *httptest.ResponseRecorder {
	return func(t *testing.T, s *ssoServer) *httptest.ResponseRecorder {
		s.p.SetTamper(tm)
		return s.login("/plans/p1")
	}
}

func TestSSO_GoesBackOnlyToAPathOfTheApp(t *testing.T) {
	s := newSSOServer(t, "sqlite")
	i := 0
	for next, want := range map[string]string{
		"":                          "/",
		"/plans/p1?view=1#s2":       "/plans/p1?view=1#s2",
		"https://evil.example/":     "/",
		"//evil.example/":           "/",
		"/\\evil.example":           "/",
		"javascript:alert(1)":       "/",
		"/logg-inn":                 "/",
		"/logg-inn?neste=/plans/p1": "/",
		"/api/auth/logout":          "/",
		"/plans/\x00p1":             "/",
	} {
		// A person of m1 each, so that no account's login budget runs out.
		i++
		s.p.SetUser(oidctest.User{Subject: fmt.Sprint("s", i), Email: fmt.Sprintf("person%d@m1.no", i), EmailVerified: true})
		s.loggedIn(s.login(next), want)
	}
}

func TestSSO_MethodsAndAServerWithoutAProvider(t *testing.T) {
	s := newSSOServer(t, "sqlite")
	rec := s.doAs("", http.MethodGet, "/api/auth/methods", "")
	if m := decode[map[string]any](t, rec); rec.Code != http.StatusOK || m["sso"] != true || m["sso_name"] != "Entra ID" {
		t.Errorf("methods with a provider: %d %v", rec.Code, m)
	}

	plain := newTestServer(t)
	rec = plain.doAs("", http.MethodGet, "/api/auth/methods", "")
	if m := decode[map[string]any](t, rec); rec.Code != http.StatusOK || m["sso"] != false || m["sso_name"] != "" {
		t.Errorf("methods without a provider: %d %v", rec.Code, m)
	}
	for _, target := range []string{"/api/auth/oidc/start", "/api/auth/oidc/callback?code=c&state=s"} {
		wantError(t, plain.doAs("", http.MethodGet, target, ""), http.StatusNotFound, collab.CodeNotFound)
	}
}

func TestSSO_AnUnreachableProviderSendsBackToTheLoginPage(t *testing.T) {
	s := newTestServerOn(t, openSQLite(t), func(cfg *server.Config) {
		o, err := auth.NewOIDC(auth.OIDCConfig{Issuer: "http://127.0.0.1:1", ClientID: "c", ClientSecret: "s",
			RedirectURL: ssoPublicURL + server.SSOCallbackPath, Secret: testSecret, Store: cfg.Store.(auth.SSOStore)})
		if err != nil {
			t.Fatal(err)
		}
		cfg.OIDC = o
	})
	rec := s.doAs("", http.MethodGet, "/api/auth/oidc/start?next=/plans/p1", "")
	refused(t, rec, collab.CodeUnavailable, "/plans/p1")
}

// TestLogin_PasswordRefusedWhereTheMunicipalityUsesSSOOnly: the right
// password of an account of m2 (single sign-on only) is refused with
// password_login_disabled; a wrong password and an unknown e-mail get the
// answer they always get, so the refusal tells nothing about who has an
// account.
func TestLogin_PasswordRefusedWhereTheMunicipalityUsesSSOOnly(t *testing.T) {
	s := newSSOServer(t, "sqlite")
	ctx := context.Background()
	if _, err := s.accounts.EnsureUser(ctx, "m2", auth.NewUser{Email: "anne@m2.no", Name: "Anne", Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	rec := postLogin(s.testServer, "192.0.2.10:1", "", "anne@m2.no", testPassword)
	wantError(t, rec, http.StatusForbidden, collab.CodePasswordLoginDisabled)
	for _, c := range rec.Result().Cookies() {
		if c.Name == refreshCookieName {
			t.Errorf("the refused login set a session cookie")
		}
	}
	wrong := wantError(t, postLogin(s.testServer, "192.0.2.10:1", "", "anne@m2.no", "wrong password"), http.StatusUnauthorized, collab.CodeUnauthorized)
	stranger := wantError(t, postLogin(s.testServer, "192.0.2.10:1", "", "nobody@m2.no", "wrong password"), http.StatusUnauthorized, collab.CodeUnauthorized)
	if wrong.Error.Message != stranger.Error.Message {
		t.Errorf("a wrong password (%q) and an unknown e-mail (%q) are told apart", wrong.Error.Message, stranger.Error.Message)
	}
	events, _ := s.accounts.AuditLog(ctx, "m2", "", 10)
	if len(events) < 2 || events[1].Action != "login_failed" || !strings.Contains(events[1].Detail, "password login is off") {
		t.Errorf("audit %+v, want a login_failed saying password login is off", events)
	}
	// m1 allows both: kari logs in with her password as before.
	if rec := postLogin(s.testServer, "192.0.2.10:1", "", "kari@m1.no", testPassword); rec.Code != http.StatusOK {
		t.Errorf("kari's password login in m1 (password and SSO): %d %s", rec.Code, rec.Body)
	}
	// And anne logs in through single sign-on.
	s.p.SetUser(oidctest.User{Subject: "anne", Email: "anne@m2.no", EmailVerified: true})
	if _, me := s.loggedIn(s.login("/"), "/"); me.Email != "anne@m2.no" {
		t.Errorf("single sign-on logged in %+v, want anne", me)
	}
}

// openSQLite opens a fresh SQLite store in a temp dir.
func openSQLite(t *testing.T) collab.Store {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "temaplan.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// openMongo opens the MongoDB store on a database of its own on the test
// binary's server.
func openMongo(t *testing.T) collab.Store {
	t.Helper()
	mongoServer.once.Do(func() { mongoServer.srv, mongoServer.err = mongotest.Start(context.Background()) })
	if mongoServer.err != nil {
		t.Fatal(mongoServer.err)
	}
	store, err := mongo.Open(context.Background(), mongoServer.srv.URI(), mongotest.DB(t, mongoServer.srv), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}
