package server_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oklog/ulid/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/sqlite"
	"github.com/temaplan/temaplan/server"
)

// refreshCookieName is the session cookie of the API.
const refreshCookieName = "temaplan_refresh"

// newConfiguredTestServer starts a server like newTestServer, on a fresh
// SQLite store, with its config changed by edit.
func newConfiguredTestServer(t *testing.T, edit func(*server.Config)) *testServer {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "temaplan.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	bus := collab.NewMemoryBus()
	t.Cleanup(func() { bus.Close() })
	plans := collab.NewPlans(collab.PlansConfig{Store: store, Bus: bus, NewID: func() string { return ulid.Make().String() }})
	accounts := newTestAccounts(t, store)
	reg := prometheus.NewRegistry()
	cfg := server.Config{
		Store: store, Bus: bus, Plans: plans, Registry: reg, Accounts: accounts,
		Log: slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	edit(&cfg)
	ts := &testServer{t: t, srv: server.New(cfg), store: store, bus: bus, plans: plans, accounts: accounts, registry: reg}
	ts.api = ts.loadOpenAPI()
	ts.kari = ts.user("kari@m1.no", "m1", true)
	ts.token = ts.kari.Token
	return ts
}

// postLogin posts a login from the peer remote ("host:port"), with an
// X-Forwarded-For header unless xff is "".
func postLogin(ts *testServer, remote, xff, email, password string) *httptest.ResponseRecorder {
	ts.t.Helper()
	body := jsonOf(map[string]string{"email": email, "password": password})
	req := httptest.NewRequest(http.MethodPost, "/api/auth/login", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = remote
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	return ts.doReq(req, body)
}

// postSession posts to a session route (refresh, logout) with the refresh
// cookie value ("" sends none).
func postSession(ts *testServer, route, cookie string) *httptest.ResponseRecorder {
	ts.t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/api/auth/"+route, nil)
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: refreshCookieName, Value: cookie})
	}
	return ts.doReq(req, "")
}

// sessionCookie returns the refresh cookie rec sets, failing when none.
func sessionCookie(t *testing.T, rec *httptest.ResponseRecorder) *http.Cookie {
	t.Helper()
	for _, c := range rec.Result().Cookies() {
		if c.Name == refreshCookieName {
			return c
		}
	}
	t.Fatalf("no %s cookie in %q", refreshCookieName, rec.Header().Values("Set-Cookie"))
	return nil
}

// loginResponse is the body of a login or refresh.
type loginResponse struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
	User        struct {
		ID           string            `json:"id"`
		Email        string            `json:"email"`
		Admin        bool              `json:"admin"`
		Municipality auth.Municipality `json:"municipality"`
	} `json:"user"`
}

// login logs u in from a fresh address and returns the body and the
// refresh token.
func login(t *testing.T, ts *testServer, email string) (loginResponse, string) {
	t.Helper()
	rec := postLogin(ts, "192.0.2.200:4000", "", email, testPassword)
	if rec.Code != http.StatusOK {
		t.Fatalf("login %s: %d %s", email, rec.Code, rec.Body)
	}
	return decode[loginResponse](t, rec), sessionCookie(t, rec).Value
}

// meStatus is the status of GET /api/me with token.
func meStatus(ts *testServer, token string) int {
	ts.t.Helper()
	return ts.doAs(token, http.MethodGet, "/api/me", "").Code
}

func TestLogin_AnswersTheSessionAndSetsAStrictCookie(t *testing.T) {
	ts := newTestServer(t)
	lise := ts.user("lise@m1.no", "m1", false)

	rec := postLogin(ts, "192.0.2.9:5000", "", "  LISE@m1.no ", testPassword)
	if rec.Code != http.StatusOK {
		t.Fatalf("login: %d %s", rec.Code, rec.Body)
	}
	s := decode[loginResponse](t, rec)
	if s.AccessToken == "" || s.ExpiresIn <= 0 || s.ExpiresIn > int64(auth.MaxAccessTTL/time.Second) {
		t.Errorf("access_token %q, expires_in %d", s.AccessToken, s.ExpiresIn)
	}
	if s.User.ID != lise.ID || s.User.Email != "lise@m1.no" || s.User.Admin || s.User.Municipality.ID != "m1" {
		t.Errorf("user = %+v", s.User)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
	c := sessionCookie(t, rec)
	if c.Value == "" || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteStrictMode || c.Path != "/api/auth" || c.MaxAge <= 0 {
		t.Errorf("cookie = %+v (raw %q), want a value, HttpOnly, Secure, SameSite=Strict, Path=/api/auth, Max-Age > 0",
			c, rec.Header().Get("Set-Cookie"))
	}
	if strings.Contains(rec.Body.String(), c.Value) {
		t.Error("the refresh token is in the body: only the HttpOnly cookie may carry it")
	}
	me := ts.doAs(s.AccessToken, http.MethodGet, "/api/me", "")
	if me.Code != http.StatusOK || decode[struct {
		ID string `json:"id"`
	}](t, me).ID != lise.ID {
		t.Errorf("GET /api/me with the new token: %d %s", me.Code, me.Body)
	}
}

func TestLogin_WrongPasswordUnknownEmailAndDisabledLookAlike(t *testing.T) {
	ts := newTestServer(t)
	ts.user("lise@m1.no", "m1", false)
	per := ts.user("per@m1.no", "m1", false)
	if rec := ts.do(http.MethodPatch, "/api/admin/users/"+per.ID, `{"disabled":true}`); rec.Code != http.StatusOK {
		t.Fatalf("disable per: %d %s", rec.Code, rec.Body)
	}
	var first string
	for i, c := range []struct{ name, email, password string }{
		{"wrong password", "lise@m1.no", "wrong horse battery"},
		{"unknown e-mail", "nobody@m1.no", testPassword},
		{"disabled account", "per@m1.no", testPassword},
		{"empty password", "lise@m1.no", ""},
	} {
		rec := postLogin(ts, "192.0.2.9:5000", "", c.email, c.password)
		wantError(t, rec, http.StatusUnauthorized, collab.CodeUnauthorized)
		if i == 0 {
			first = rec.Body.String()
		} else if rec.Body.String() != first {
			t.Errorf("%s answers %s, the wrong password %s: they must not differ", c.name, rec.Body, first)
		}
		if v := rec.Header().Values("Set-Cookie"); len(v) != 0 {
			t.Errorf("%s sets cookies %q", c.name, v)
		}
	}
}

// jwtPart encodes one part of a JWT.
func jwtPart(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestJWT_EveryBadTokenIsUnauthorized(t *testing.T) {
	ts := newTestServer(t)
	lise := ts.user("lise@m1.no", "m1", false)
	now := time.Now()
	claims := func(edit func(c *jwt.RegisteredClaims)) *jwt.RegisteredClaims {
		c := &jwt.RegisteredClaims{Subject: lise.ID, Issuer: "temaplan", Audience: jwt.ClaimStrings{"temaplan"}, ID: "t1",
			IssuedAt: jwt.NewNumericDate(now.Add(-time.Minute)), NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)),
			ExpiresAt: jwt.NewNumericDate(now.Add(5 * time.Minute))}
		if edit != nil {
			edit(c)
		}
		return c
	}
	sign := func(m jwt.SigningMethod, key any, c jwt.Claims) string {
		tok, err := jwt.NewWithClaims(m, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	// RS256 named in the header, signed with the HMAC secret: the
	// algorithm confusion attack.
	confused := func() string {
		in := jwtPart(map[string]string{"alg": "RS256", "typ": "JWT"}) + "." + jwtPart(claims(nil))
		sig, err := jwt.SigningMethodHS256.Sign(in, testSecret)
		if err != nil {
			t.Fatal(err)
		}
		return in + "." + base64.RawURLEncoding.EncodeToString(sig)
	}
	// lise's own token with the subject changed to kari's, signature kept.
	tampered := func() string {
		parts := strings.Split(lise.Token, ".")
		raw, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		m["sub"] = ts.kari.ID
		return parts[0] + "." + jwtPart(m) + "." + parts[2]
	}

	if got := meStatus(ts, sign(jwt.SigningMethodHS256, testSecret, claims(nil))); got != http.StatusOK {
		t.Fatalf("a well-made token is refused (%d): the cases below would prove nothing", got)
	}
	for name, tok := range map[string]string{
		"expired": sign(jwt.SigningMethodHS256, testSecret, claims(func(c *jwt.RegisteredClaims) {
			c.IssuedAt, c.NotBefore = jwt.NewNumericDate(now.Add(-time.Hour)), jwt.NewNumericDate(now.Add(-time.Hour))
			c.ExpiresAt = jwt.NewNumericDate(now.Add(-5 * time.Minute))
		})),
		"not yet valid": sign(jwt.SigningMethodHS256, testSecret, claims(func(c *jwt.RegisteredClaims) {
			c.NotBefore = jwt.NewNumericDate(now.Add(10 * time.Minute))
		})),
		"without exp":                  sign(jwt.SigningMethodHS256, testSecret, claims(func(c *jwt.RegisteredClaims) { c.ExpiresAt = nil })),
		"without sub":                  sign(jwt.SigningMethodHS256, testSecret, claims(func(c *jwt.RegisteredClaims) { c.Subject = "" })),
		"unknown sub":                  sign(jwt.SigningMethodHS256, testSecret, claims(func(c *jwt.RegisteredClaims) { c.Subject = "no-such-user" })),
		"wrong signature":              sign(jwt.SigningMethodHS256, []byte("another-secret-another-secret-another!"), claims(nil)),
		"alg none":                     sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(nil)),
		"HS384":                        sign(jwt.SigningMethodHS384, testSecret, claims(nil)),
		"HS512":                        sign(jwt.SigningMethodHS512, testSecret, claims(nil)),
		"RS256":                        sign(jwt.SigningMethodRS256, rsaKey, claims(nil)),
		"RS256 header, HMAC signature": confused(),
		"wrong aud": sign(jwt.SigningMethodHS256, testSecret, claims(func(c *jwt.RegisteredClaims) {
			c.Audience = jwt.ClaimStrings{"another-app"}
		})),
		"wrong iss":   sign(jwt.SigningMethodHS256, testSecret, claims(func(c *jwt.RegisteredClaims) { c.Issuer = "someone-else" })),
		"sub changed": tampered(),
	} {
		rec := ts.doAs(tok, http.MethodGet, "/api/me", "")
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("%s: %d %s, want 401", name, rec.Code, rec.Body)
			continue
		}
		if e := decode[apiError](t, rec); e.Error.Code != collab.CodeUnauthorized {
			t.Errorf("%s: code %q, want unauthorized", name, e.Error.Code)
		}
	}

	// A disabled account's tokens stop working at once, though unexpired.
	if got := meStatus(ts, lise.Token); got != http.StatusOK {
		t.Fatalf("lise's token before she is disabled: %d", got)
	}
	if rec := ts.do(http.MethodPatch, "/api/admin/users/"+lise.ID, `{"disabled":true}`); rec.Code != http.StatusOK {
		t.Fatalf("disable lise: %d %s", rec.Code, rec.Body)
	}
	wantError(t, ts.doAs(lise.Token, http.MethodGet, "/api/me", ""), http.StatusUnauthorized, collab.CodeUnauthorized)
}

func TestRefresh_RotatesAndReuseRevokesTheFamily(t *testing.T) {
	eachStore(t, testRefresh_RotatesAndReuseRevokesTheFamily)
}

func testRefresh_RotatesAndReuseRevokesTheFamily(t *testing.T, ts *testServer) {
	lise := ts.user("lise@m1.no", "m1", false)
	_, r0 := login(t, ts, lise.Email)
	_, other := login(t, ts, lise.Email) // a second session of lise's, another family

	rec := postSession(ts, "refresh", r0)
	if rec.Code != http.StatusOK {
		t.Fatalf("refresh: %d %s", rec.Code, rec.Body)
	}
	s1 := decode[loginResponse](t, rec)
	c1 := sessionCookie(t, rec)
	if c1.Value == r0 || !c1.HttpOnly || !c1.Secure || c1.SameSite != http.SameSiteStrictMode || c1.Path != "/api/auth" {
		t.Errorf("rotated cookie = %+v, want a new value with the same attributes", c1)
	}
	if s1.User.ID != lise.ID || meStatus(ts, s1.AccessToken) != http.StatusOK {
		t.Errorf("the refreshed session is not lise's working session: %+v", s1.User)
	}
	rec = postSession(ts, "refresh", c1.Value)
	if rec.Code != http.StatusOK {
		t.Fatalf("second refresh: %d %s", rec.Code, rec.Body)
	}
	r2 := sessionCookie(t, rec).Value

	// r0 was rotated: presenting it again is reuse. It fails, and so does
	// the family's newest token, which the thief may be holding.
	rec = postSession(ts, "refresh", r0)
	wantError(t, rec, http.StatusUnauthorized, collab.CodeUnauthorized)
	if c := sessionCookie(t, rec); c.MaxAge >= 0 || c.Value != "" {
		t.Errorf("the refused refresh leaves cookie %+v, want it cleared", c)
	}
	wantError(t, postSession(ts, "refresh", r2), http.StatusUnauthorized, collab.CodeUnauthorized)
	wantError(t, postSession(ts, "refresh", c1.Value), http.StatusUnauthorized, collab.CodeUnauthorized)

	// The other session is another family and goes on.
	if rec := postSession(ts, "refresh", other); rec.Code != http.StatusOK {
		t.Errorf("lise's other session after the reuse: %d %s", rec.Code, rec.Body)
	}
	wantAuditActions(t, ts, lise.ID, "login", "refresh_reuse")
}

func TestRefresh_WithoutAGoodCookieIsUnauthorized(t *testing.T) {
	ts := newTestServer(t)
	for name, cookie := range map[string]string{"none": "", "unknown": "bm90LWEtdG9rZW4", "too long": strings.Repeat("a", 300)} {
		rec := postSession(ts, "refresh", cookie)
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("cookie %s: %d %s, want 401", name, rec.Code, rec.Body)
		}
	}
}

func TestLogout_RevokesTheSession(t *testing.T) {
	eachStore(t, testLogout_RevokesTheSession)
}

func testLogout_RevokesTheSession(t *testing.T, ts *testServer) {
	lise := ts.user("lise@m1.no", "m1", false)
	_, r0 := login(t, ts, lise.Email)
	rec := postSession(ts, "refresh", r0)
	if rec.Code != http.StatusOK {
		t.Fatalf("refresh: %d %s", rec.Code, rec.Body)
	}
	r1 := sessionCookie(t, rec).Value

	rec = postSession(ts, "logout", r1)
	if rec.Code != http.StatusNoContent {
		t.Fatalf("logout: %d %s", rec.Code, rec.Body)
	}
	if c := sessionCookie(t, rec); c.MaxAge >= 0 || c.Value != "" || c.Path != "/api/auth" {
		t.Errorf("logout leaves cookie %+v, want it cleared on /api/auth", c)
	}
	wantError(t, postSession(ts, "refresh", r1), http.StatusUnauthorized, collab.CodeUnauthorized)
	wantError(t, postSession(ts, "refresh", r0), http.StatusUnauthorized, collab.CodeUnauthorized)

	// Logging out without a session, or twice, is no error.
	for _, c := range []string{"", r1} {
		if rec := postSession(ts, "logout", c); rec.Code != http.StatusNoContent {
			t.Errorf("logout with cookie %q: %d %s", c, rec.Code, rec.Body)
		}
	}
	wantAuditActions(t, ts, lise.ID, "login", "logout")
}

// auditEvents reads the municipality's audit log as token's owner.
func auditEvents(t *testing.T, ts *testServer, token string) []auth.AuditEvent {
	t.Helper()
	rec := ts.doAs(token, http.MethodGet, "/api/admin/audit?limit=1000", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /api/admin/audit: %d %s", rec.Code, rec.Body)
	}
	return decode[struct {
		Items []auth.AuditEvent `json:"items"`
	}](t, rec).Items
}

// wantAuditActions checks that kari's audit log has an event of each
// action by actor.
func wantAuditActions(t *testing.T, ts *testServer, actor string, actions ...string) {
	t.Helper()
	es := auditEvents(t, ts, ts.kari.Token)
	for _, a := range actions {
		if !slices.ContainsFunc(es, func(e auth.AuditEvent) bool { return e.Action == a && e.Actor == actor }) {
			t.Errorf("the audit log has no %s by %s: %+v", a, actor, es)
		}
	}
}

func TestAudit_SessionEventsStayInTheirMunicipality(t *testing.T) {
	ts := newTestServer(t)
	lise := ts.user("lise@m1.no", "m1", false)
	ola := ts.user("ola@m2.no", "m2", true)
	_, r := login(t, ts, lise.Email)
	wantError(t, postLogin(ts, "198.51.100.4:1000", "", lise.Email, "wrong horse battery"), http.StatusUnauthorized, collab.CodeUnauthorized)
	if rec := postSession(ts, "logout", r); rec.Code != http.StatusNoContent {
		t.Fatalf("logout: %d", rec.Code)
	}
	wantAuditActions(t, ts, lise.ID, "login", "login_failed", "logout")
	es := auditEvents(t, ts, ts.kari.Token)
	if !slices.ContainsFunc(es, func(e auth.AuditEvent) bool {
		return e.Action == "login_failed" && e.Actor == lise.ID && e.IP == "198.51.100.4"
	}) {
		t.Errorf("the failed login is not logged with its address: %+v", es)
	}
	for _, e := range auditEvents(t, ts, ola.Token) {
		if e.Municipality != "m2" || e.Actor == lise.ID {
			t.Errorf("ola (m2) sees %+v", e)
		}
	}
	wantError(t, ts.doAs(lise.Token, http.MethodGet, "/api/admin/audit", ""), http.StatusForbidden, collab.CodeForbidden)
}

// exhaustLogins makes failed logins from remote (with X-Forwarded-For xff)
// for ever new e-mails until one is rate limited, and returns that answer.
func exhaustLogins(t *testing.T, ts *testServer, remote, xff string) *httptest.ResponseRecorder {
	t.Helper()
	for i := range 200 {
		rec := postLogin(ts, remote, xff, "nobody"+strconv.Itoa(i)+"@"+strings.ReplaceAll(remote+xff, ":", "-")+".no", "wrong horse battery")
		if rec.Code == http.StatusTooManyRequests {
			return rec
		}
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("failed login %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	t.Fatalf("200 failed logins from %s (%s) and no rate limit", remote, xff)
	return nil
}

// wantRateLimited checks a 429 with a Retry-After of whole seconds.
func wantRateLimited(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	wantError(t, rec, http.StatusTooManyRequests, collab.CodeRateLimited)
	ra, err := strconv.Atoi(rec.Header().Get("Retry-After"))
	if err != nil || ra < 1 {
		t.Errorf("Retry-After = %q, want a number of seconds ≥ 1", rec.Header().Get("Retry-After"))
	}
}

func TestLogin_RateLimitedPerAddress(t *testing.T) {
	ts := newTestServer(t)
	ts.user("lise@m1.no", "m1", false)
	wantRateLimited(t, exhaustLogins(t, ts, "198.51.100.7:5000", ""))
	// The limit comes before the password: the right one is refused too,
	// from that address, and accepted from another.
	wantRateLimited(t, postLogin(ts, "198.51.100.7:5001", "", "lise@m1.no", testPassword))
	if rec := postLogin(ts, "198.51.100.8:5000", "", "lise@m1.no", testPassword); rec.Code != http.StatusOK {
		t.Errorf("lise from another address: %d %s", rec.Code, rec.Body)
	}
}

func TestLogin_RateLimitedPerAccount(t *testing.T) {
	ts := newTestServer(t)
	ts.user("lise@m1.no", "m1", false)
	ts.user("per@m1.no", "m1", false)
	var rec *httptest.ResponseRecorder
	for i := range 200 {
		// Every attempt from another address: only the account counts.
		rec = postLogin(ts, "203.0.113."+strconv.Itoa(i%250+1)+":4000", "", "lise@m1.no", "wrong horse battery")
		if rec.Code != http.StatusUnauthorized {
			break
		}
	}
	wantRateLimited(t, rec)
	wantRateLimited(t, postLogin(ts, "192.0.2.77:4000", "", "LISE@m1.no", testPassword))
	if rec := postLogin(ts, "192.0.2.77:4000", "", "per@m1.no", testPassword); rec.Code != http.StatusOK {
		t.Errorf("per from the same address: %d %s", rec.Code, rec.Body)
	}
}

// TestLogin_ForwardedForOnlyFromTrustedProxies shows that X-Forwarded-For
// names the client for the rate limit only when the peer is a trusted
// proxy: then two clients behind it have buckets of their own, and a
// client cannot pick its address by prepending to the header; otherwise
// the header is ignored and the peer is the client.
func TestLogin_ForwardedForOnlyFromTrustedProxies(t *testing.T) {
	const proxy = "10.0.0.2:443"
	t.Run("trusted", func(t *testing.T) {
		ts := newConfiguredTestServer(t, func(c *server.Config) {
			c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
		})
		wantRateLimited(t, exhaustLogins(t, ts, proxy, "198.51.100.1"))
		wantRateLimited(t, postLogin(ts, proxy, "198.51.100.1", "someone@m1.no", "x"))
		// Written by the client, left of what the proxy appended: ignored.
		wantRateLimited(t, postLogin(ts, proxy, "203.0.113.50, 198.51.100.1", "someone@m1.no", "x"))
		wantError(t, postLogin(ts, proxy, "198.51.100.2", "someone@m1.no", "x"), http.StatusUnauthorized, collab.CodeUnauthorized)
		wantError(t, postLogin(ts, proxy, "", "someone@m1.no", "x"), http.StatusUnauthorized, collab.CodeUnauthorized)
	})
	t.Run("untrusted", func(t *testing.T) {
		ts := newConfiguredTestServer(t, func(*server.Config) {})
		wantRateLimited(t, exhaustLogins(t, ts, proxy, "198.51.100.1"))
		wantRateLimited(t, postLogin(ts, proxy, "198.51.100.2", "someone@m1.no", "x"))
		wantRateLimited(t, postLogin(ts, proxy, "", "someone@m1.no", "x"))
		wantError(t, postLogin(ts, "10.0.0.3:443", "198.51.100.1", "someone@m1.no", "x"), http.StatusUnauthorized, collab.CodeUnauthorized)
	})
}

func TestRefresh_ConcurrentUseRotatesOnceAndEndsTheFamily(t *testing.T) {
	eachStore(t, testRefresh_ConcurrentUseRotatesOnceAndEndsTheFamily)
}

// testRefresh_ConcurrentUseRotatesOnceAndEndsTheFamily presents one
// refresh token many times at once: the unique insert of its successor
// lets exactly one request rotate it; every other is reuse, which ends the
// family, the winner's new token included.
func testRefresh_ConcurrentUseRotatesOnceAndEndsTheFamily(t *testing.T, ts *testServer) {
	lise := ts.user("lise@m1.no", "m1", false)
	_, r0 := login(t, ts, lise.Email)
	const n = 8
	recs := make([]*httptest.ResponseRecorder, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range recs {
		wg.Go(func() {
			<-start
			recs[i] = postSession(ts, "refresh", r0)
		})
	}
	close(start)
	wg.Wait()
	var won []string
	for i, rec := range recs {
		switch rec.Code {
		case http.StatusOK:
			won = append(won, sessionCookie(t, rec).Value)
		case http.StatusUnauthorized:
		default:
			t.Errorf("refresh %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	if len(won) != 1 {
		t.Fatalf("%d of %d concurrent refreshes of one token succeeded, want exactly 1", len(won), n)
	}
	wantError(t, postSession(ts, "refresh", won[0]), http.StatusUnauthorized, collab.CodeUnauthorized)
	wantAuditActions(t, ts, lise.ID, "refresh_reuse")
}

func TestRefresh_DisabledAccountEndsTheSession(t *testing.T) {
	ts := newTestServer(t)
	lise := ts.user("lise@m1.no", "m1", false)
	_, r0 := login(t, ts, lise.Email)
	if rec := ts.do(http.MethodPatch, "/api/admin/users/"+lise.ID, `{"disabled":true}`); rec.Code != http.StatusOK {
		t.Fatalf("disable lise: %d %s", rec.Code, rec.Body)
	}
	wantError(t, postSession(ts, "refresh", r0), http.StatusUnauthorized, collab.CodeUnauthorized)
	if rec := ts.do(http.MethodPatch, "/api/admin/users/"+lise.ID, `{"disabled":false}`); rec.Code != http.StatusOK {
		t.Fatalf("enable lise: %d %s", rec.Code, rec.Body)
	}
	// The session ended with the account: enabling it again does not
	// bring the old session back; logging in does.
	wantError(t, postSession(ts, "refresh", r0), http.StatusUnauthorized, collab.CodeUnauthorized)
	login(t, ts, lise.Email)
}
