package oidctest_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/temaplan/temaplan/auth/oidctest"
)

// These tests check the checks of the test provider itself: the negative
// cases of single sign-on are only worth something if the provider refuses
// what a real one refuses.

const redirect = "https://temaplan.test/cb"

// authorize asks p for a code with the given PKCE parameters and returns
// the query of the redirect back.
func authorize(t *testing.T, p *oidctest.Provider, method, challenge string) url.Values {
	t.Helper()
	q := url.Values{"response_type": {"code"}, "client_id": {"c"}, "redirect_uri": {redirect},
		"scope": {"openid email"}, "state": {"st"}, "nonce": {"nn"}}
	if method != "" {
		q.Set("code_challenge_method", method)
	}
	if challenge != "" {
		q.Set("code_challenge", challenge)
	}
	back, err := p.Authorize(p.URL + "/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	return back.Query()
}

func challengeOf(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// exchange posts a token request and returns the status and the error
// code ("" on success).
func exchange(t *testing.T, p *oidctest.Provider, secret, code, verifier string) (int, string) {
	t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}}
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	req, err := http.NewRequest(http.MethodPost, p.URL+"/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("c", secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Error   string `json:"error"`
		IDToken string `json:"id_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if body.Error == "" && body.IDToken == "" {
		t.Error("a successful exchange without an ID token")
	}
	return resp.StatusCode, body.Error
}

func TestProvider_RefusesAnAuthorizationWithoutPKCES256(t *testing.T) {
	p := oidctest.Start(t, "c", "s", redirect)
	verifier := strings.Repeat("v", 43)
	for name, pkce := range map[string][2]string{
		"no PKCE":      {"", ""},
		"plain method": {"plain", verifier},
		"no challenge": {"S256", ""},
	} {
		if q := authorize(t, p, pkce[0], pkce[1]); q.Get("error") != "invalid_request" || q.Get("code") != "" || q.Get("state") != "st" {
			t.Errorf("%s: redirected back with %v, want error=invalid_request with the state and no code", name, q)
		}
	}
}

func TestProvider_TokenEndpointChecksVerifierCodeAndClient(t *testing.T) {
	p := oidctest.Start(t, "c", "s", redirect)
	verifier := "the-verifier-of-this-login-the-verifier-of-this"
	code := func() string {
		t.Helper()
		q := authorize(t, p, "S256", challengeOf(verifier))
		if q.Get("code") == "" {
			t.Fatalf("no code: %v", q)
		}
		return q.Get("code")
	}
	for name, c := range map[string]struct{ secret, verifier, want string }{
		"missing verifier": {"s", "", "invalid_grant"},
		"wrong verifier":   {"s", verifier + "x", "invalid_grant"},
		"wrong secret":     {"wrong", verifier, "invalid_client"},
	} {
		if status, got := exchange(t, p, c.secret, code(), c.verifier); got != c.want || status < 400 {
			t.Errorf("%s: %d %q, want %q", name, status, got, c.want)
		}
	}
	good := code()
	if status, got := exchange(t, p, "s", good, verifier); got != "" || status != http.StatusOK {
		t.Fatalf("the right verifier: %d %q", status, got)
	}
	if _, got := exchange(t, p, "s", good, verifier); got != "invalid_grant" {
		t.Errorf("a code used twice: %q, want invalid_grant", got)
	}
	// A code refused once (wrong verifier) is spent: the right verifier
	// afterwards does not revive it.
	spent := code()
	exchange(t, p, "s", spent, "wrong")
	if _, got := exchange(t, p, "s", spent, verifier); got != "invalid_grant" {
		t.Errorf("a code refused before: %q, want invalid_grant", got)
	}
}
