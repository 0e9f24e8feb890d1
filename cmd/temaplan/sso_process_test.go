package main

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/temaplan/temaplan/auth/oidctest"
)

// TestProcess_SingleSignOnThroughTheBinary configures the real binary with
// TEMAPLAN_OIDC_* against a provider the test runs (over HTTP on the
// loopback), lets the demo's administrator turn single sign-on on for the
// municipality, and logs the demo's leader in through the provider: the
// node discovers the provider, exchanges the code with PKCE, verifies the
// ID token and starts a session that a refresh turns into an access token.
func TestProcess_SingleSignOnThroughTheBinary(t *testing.T) {
	addr := freeAddr(t)
	public := "http://" + addr
	p := oidctest.Start(t, "temaplan-node", "node-secret", public+"/api/auth/oidc/callback")
	secretFile := filepath.Join(t.TempDir(), "oidc-secret")
	if err := os.WriteFile(secretFile, []byte("node-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	n := startNode(t, map[string]string{
		"TEMAPLAN_ADDR": addr, "TEMAPLAN_DATA": t.TempDir(), "TEMAPLAN_DEMO": "true",
		"TEMAPLAN_PUBLIC_URL": public, "TEMAPLAN_OIDC_ISSUER": p.URL, "TEMAPLAN_OIDC_CLIENT_ID": "temaplan-node",
		"TEMAPLAN_OIDC_CLIENT_SECRET_FILE": secretFile, "TEMAPLAN_OIDC_NAME": "Testpålogging",
	})
	n.waitReady(60 * time.Second)
	n.waitOutput(p.URL+" redirect "+public+"/api/auth/oidc/callback", 5*time.Second)

	var methods struct {
		SSO     bool   `json:"sso"`
		SSOName string `json:"sso_name"`
	}
	doJSON(t, "GET", n.url("/api/auth/methods"), "", "", http.StatusOK, &methods)
	if !methods.SSO || methods.SSOName != "Testpålogging" {
		t.Errorf("methods = %+v", methods)
	}
	admin := n.login("admin@demo.no", "demo")
	doJSON(t, "PUT", n.url("/api/admin/municipality"), admin.AccessToken,
		`{"login_methods":["password","oidc"],"email_domains":["demo.no"]}`, http.StatusOK, nil)

	for _, who := range []string{"leader@demo.no", "ny.person@demo.no"} {
		p.SetUser(oidctest.User{Subject: who, Email: who, EmailVerified: true, Name: "Ny Person"})
		noFollow := &http.Client{Timeout: 10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := noFollow.Get(n.url("/api/auth/oidc/start?next=%2Fplans"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		flow := cookieOf(t, resp, "temaplan_sso")
		if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), p.URL+"/authorize?") {
			t.Fatalf("start: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		back, err := p.Authorize(resp.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodGet, back.String(), nil)
		req.AddCookie(flow)
		resp, err = noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/plans" {
			t.Fatalf("%s: callback %d to %q, want 303 to /plans", who, resp.StatusCode, resp.Header.Get("Location"))
		}
		refresh := cookieOf(t, resp, "temaplan_refresh")

		req, _ = http.NewRequest(http.MethodPost, n.url("/api/auth/refresh"), nil)
		req.AddCookie(refresh)
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var s sessionJSON
		if err := json.Unmarshal(body, &s); err != nil || resp.StatusCode != http.StatusOK || s.User.Email != who || s.User.Admin {
			t.Fatalf("%s: refresh after single sign-on: %d %s", who, resp.StatusCode, body)
		}
		doJSON(t, "GET", n.url("/api/me"), s.AccessToken, "", http.StatusOK, nil)
	}
}

// TestBinary_LeavesOutTheTestProvider checks the product binary does not
// link the test provider.
func TestBinary_LeavesOutTheTestProvider(t *testing.T) {
	out, err := exec.Command(goTool(), "list", "-tags", "noui", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "github.com/temaplan/temaplan/auth/oidctest\n") {
		t.Error("cmd/temaplan depends on auth/oidctest")
	}
}

// freeAddr returns a loopback address with a port that was free a moment
// ago, for a node whose public URL must be known before it starts.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// cookieOf returns the cookie name that resp sets, failing when none.
func cookieOf(t *testing.T, resp *http.Response, name string) *http.Cookie {
	t.Helper()
	for _, c := range resp.Cookies() {
		if c.Name == name && c.Value != "" {
			return &http.Cookie{Name: c.Name, Value: c.Value}
		}
	}
	t.Fatalf("no %s cookie in %q", name, resp.Header.Values("Set-Cookie"))
	return nil
}
