// Package oidctest is a small OpenID Connect provider for tests: a real
// HTTP server with discovery, a JWKS, an authorization endpoint that logs
// in the user the test chose (no login page), and a token endpoint that
// checks the client, the single use of each code, the redirect URI and
// the PKCE verifier (S256) before it issues an ID token signed with RS256.
// Knobs (Tamper) make it issue bad tokens: another issuer or audience, an
// expired token, a signature by a key not in its JWKS, a foreign nonce.
//
// It is test-only: nothing of the product imports it.
package oidctest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// User is the person the provider logs in at its next authorization.
type User struct {
	Subject string
	Email   string
	// EmailVerified is the email_verified claim; nil leaves it out.
	EmailVerified any
	Name          string
}

// Tamper makes the provider issue a bad ID token (or none). The zero value
// issues good ones.
type Tamper struct {
	// Issuer replaces iss.
	Issuer string
	// Audience replaces aud (the client id).
	Audience string
	// ExpiresIn replaces the lifetime of the token (an hour); negative
	// issues an expired token.
	ExpiresIn time.Duration
	// OtherKey signs with a key that is not in the JWKS, under the same
	// key id.
	OtherKey bool
	// Nonce replaces the nonce the client asked for.
	Nonce string
	// NoIDToken leaves the id_token out of the token response.
	NoIDToken bool
	// BadAtHash puts an at_hash that is not the access token's.
	BadAtHash bool
	// Deny answers the authorization with error=access_denied.
	Deny bool
}

// Provider is the running provider. Its URL is its issuer.
type Provider struct {
	URL          string
	ClientID     string
	ClientSecret string
	// RedirectURL is the one redirect URI registered for the client.
	RedirectURL string

	srv      *httptest.Server
	key      *rsa.PrivateKey
	otherKey *rsa.PrivateKey
	kid      string

	mu       sync.Mutex
	user     User
	tamper   Tamper
	grants   map[string]grant // by code
	nonces   []string         // every nonce asked for, in order
	tokenReq int              // token requests received
	issued   int              // ID tokens issued
}

// grant is what an authorization code stands for.
type grant struct {
	user        User
	nonce       string
	challenge   string
	redirectURI string
}

// Start starts a provider for one client whose redirect URI is
// redirectURL; t's cleanup stops it.
func Start(t testing.TB, clientID, clientSecret, redirectURL string) *Provider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &Provider{ClientID: clientID, ClientSecret: clientSecret, RedirectURL: redirectURL,
		key: key, otherKey: other, kid: "test-key-1", grants: map[string]grant{},
		user: User{Subject: "subject-1", Email: "kari@example.no", EmailVerified: true, Name: "Kari Nordmann"}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	p.srv = httptest.NewServer(mux)
	p.URL = p.srv.URL
	t.Cleanup(p.srv.Close)
	return p
}

// SetUser chooses who the next authorizations log in.
func (p *Provider) SetUser(u User) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.user = u
}

// SetTamper sets how the next ID tokens are spoilt (the zero Tamper for
// good ones).
func (p *Provider) SetTamper(tm Tamper) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tamper = tm
}

// Nonces returns every nonce the client asked for, oldest first.
func (p *Provider) Nonces() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.nonces)
}

// TokenRequests returns how many token requests the provider received.
func (p *Provider) TokenRequests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tokenReq
}

// Issued returns how many ID tokens the provider issued.
func (p *Provider) Issued() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.issued
}

// Authorize plays the browser at the provider: it requests authURL (the
// client's redirect to the authorization endpoint) and returns the
// redirect back to the client, without following it.
func (p *Provider) Authorize(authURL string) (*url.URL, error) {
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout: 10 * time.Second}
	resp, err := c.Get(authURL)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, fmt.Errorf("authorize: %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	return url.Parse(resp.Header.Get("Location"))
}

func (p *Provider) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.URL,
		"authorization_endpoint":                p.URL + "/authorize",
		"token_endpoint":                        p.URL + "/token",
		"jwks_uri":                              p.URL + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "email", "profile"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"code_challenge_methods_supported":      []string{"S256"},
		"claims_supported":                      []string{"sub", "email", "email_verified", "name"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &p.key.PublicKey, KeyID: p.kid, Algorithm: string(jose.RS256), Use: "sig"},
	}})
}

// authorize logs in the chosen user at once. A request that is not a
// proper authorization code request with PKCE S256 is refused: with 400
// when the client or redirect URI is wrong (it must not be redirected to),
// else by redirecting with an error.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != p.ClientID || q.Get("redirect_uri") != p.RedirectURL {
		http.Error(w, "unknown client or redirect_uri", http.StatusBadRequest)
		return
	}
	back, _ := url.Parse(p.RedirectURL)
	fail := func(code, desc string) {
		v := url.Values{"error": {code}, "error_description": {desc}, "state": {q.Get("state")}}
		back.RawQuery = v.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
	}
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "only the code flow")
		return
	case !slices.Contains(strings.Fields(q.Get("scope")), "openid"):
		fail("invalid_scope", "openid is required")
		return
	case q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43:
		fail("invalid_request", "PKCE with S256 is required")
		return
	case q.Get("state") == "" || q.Get("nonce") == "":
		fail("invalid_request", "state and nonce are required")
		return
	}
	p.mu.Lock()
	tm, user := p.tamper, p.user
	p.nonces = append(p.nonces, q.Get("nonce"))
	code := rand.Text()
	if !tm.Deny {
		p.grants[code] = grant{user: user, nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirectURI: q.Get("redirect_uri")}
	}
	p.mu.Unlock()
	if tm.Deny {
		fail("access_denied", "the user said no")
		return
	}
	back.RawQuery = url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// token exchanges a code once, for the registered client, with the
// redirect URI and the PKCE verifier of its authorization.
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.tokenReq++
	p.mu.Unlock()
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request", "form")
		return
	}
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != p.ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(p.ClientSecret)) != 1 {
		tokenError(w, http.StatusUnauthorized, "invalid_client", "wrong client credentials")
		return
	}
	if r.PostForm.Get("grant_type") != "authorization_code" {
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type", "authorization_code only")
		return
	}
	code := r.PostForm.Get("code")
	p.mu.Lock()
	g, ok := p.grants[code]
	delete(p.grants, code) // a code is good once, whatever happens next
	tm := p.tamper
	p.mu.Unlock()
	switch {
	case !ok:
		tokenError(w, http.StatusBadRequest, "invalid_grant", "unknown or used code")
		return
	case r.PostForm.Get("redirect_uri") != g.redirectURI:
		tokenError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri differs")
		return
	}
	verifier := r.PostForm.Get("code_verifier")
	sum := sha256.Sum256([]byte(verifier))
	if verifier == "" || base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		tokenError(w, http.StatusBadRequest, "invalid_grant", "PKCE verification failed")
		return
	}
	access := rand.Text()
	resp := map[string]any{"access_token": access, "token_type": "Bearer", "expires_in": 3600}
	if !tm.NoIDToken {
		idt, err := p.idToken(g, tm, access)
		if err != nil {
			tokenError(w, http.StatusInternalServerError, "server_error", err.Error())
			return
		}
		resp["id_token"] = idt
		p.mu.Lock()
		p.issued++
		p.mu.Unlock()
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, resp)
}

// idToken signs the ID token of g, spoilt as tm says.
func (p *Provider) idToken(g grant, tm Tamper, access string) (string, error) {
	now := time.Now()
	life := time.Hour
	if tm.ExpiresIn != 0 {
		life = tm.ExpiresIn
	}
	claims := map[string]any{
		"iss": p.URL, "sub": g.user.Subject, "aud": p.ClientID,
		"iat": now.Add(-time.Minute).Unix(), "exp": now.Add(life).Unix(),
		"nonce": g.nonce, "at_hash": atHash(access),
	}
	if g.user.Email != "" {
		claims["email"] = g.user.Email
	}
	if g.user.EmailVerified != nil {
		claims["email_verified"] = g.user.EmailVerified
	}
	if g.user.Name != "" {
		claims["name"] = g.user.Name
	}
	if tm.Issuer != "" {
		claims["iss"] = tm.Issuer
	}
	if tm.Audience != "" {
		claims["aud"] = tm.Audience
	}
	if tm.Nonce != "" {
		claims["nonce"] = tm.Nonce
	}
	if tm.BadAtHash {
		claims["at_hash"] = atHash("another access token")
	}
	key := p.key
	if tm.OtherKey {
		key = p.otherKey
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", p.kid))
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// atHash is the at_hash of an access token signed with RS256.
func atHash(access string) string {
	h := crypto.SHA256.New()
	h.Write([]byte(access))
	sum := h.Sum(nil)
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}

func tokenError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
