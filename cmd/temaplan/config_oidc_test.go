package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadConfig_SingleSignOn checks the TEMAPLAN_OIDC_* settings: all of
// issuer, client id and secret (or its file) or none, an https issuer, a
// public URL for the redirect URI, a short button label.
func TestLoadConfig_SingleSignOn(t *testing.T) {
	secretFile := filepath.Join(t.TempDir(), "oidc-secret")
	if err := os.WriteFile(secretFile, []byte("from-a-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	full := map[string]string{
		"TEMAPLAN_OIDC_ISSUER": "https://login.microsoftonline.com/tenant-id/v2.0", "TEMAPLAN_OIDC_CLIENT_ID": "app-id",
		"TEMAPLAN_OIDC_CLIENT_SECRET": "s3cret", "TEMAPLAN_OIDC_NAME": "Entra ID", "TEMAPLAN_PUBLIC_URL": "https://plan.bodo.kommune.no",
	}
	with := func(changes map[string]string) map[string]string {
		env := map[string]string{}
		for k, v := range full {
			env[k] = v
		}
		for k, v := range changes {
			env[k] = v
		}
		return env
	}
	tests := []struct {
		name    string
		env     map[string]string
		wantErr []string
		check   func(t *testing.T, c Config)
	}{
		{name: "off by default", env: map[string]string{}, check: func(t *testing.T, c Config) {
			if c.OIDCIssuer != "" || c.OIDCClientID != "" || c.OIDCClientSecret != "" || c.OIDCName != "" {
				t.Errorf("single sign-on configured by default: %+v", c)
			}
		}},
		{name: "all set", env: full, check: func(t *testing.T, c Config) {
			if c.OIDCIssuer != full["TEMAPLAN_OIDC_ISSUER"] || c.OIDCClientID != "app-id" || c.OIDCClientSecret != "s3cret" ||
				c.OIDCName != "Entra ID" || c.PublicURL != "https://plan.bodo.kommune.no" {
				t.Errorf("config = %+v", c)
			}
		}},
		{name: "secret from a file", env: with(map[string]string{"TEMAPLAN_OIDC_CLIENT_SECRET": "", "TEMAPLAN_OIDC_CLIENT_SECRET_FILE": secretFile}),
			check: func(t *testing.T, c Config) {
				if c.OIDCClientSecret != "from-a-file" {
					t.Errorf("secret = %q, want the file's, trimmed", c.OIDCClientSecret)
				}
			}},
		{name: "http issuer on the loopback (a provider on this machine)",
			env: with(map[string]string{"TEMAPLAN_OIDC_ISSUER": "http://localhost:8081/realms/temaplan"})},
		{name: "secret and its file", env: with(map[string]string{"TEMAPLAN_OIDC_CLIENT_SECRET_FILE": secretFile}),
			wantErr: []string{"TEMAPLAN_OIDC_CLIENT_SECRET", "not both"}},
		{name: "no client id", env: with(map[string]string{"TEMAPLAN_OIDC_CLIENT_ID": ""}),
			wantErr: []string{"TEMAPLAN_OIDC_CLIENT_ID (-oidc-client-id)", "is required"}},
		{name: "no secret", env: with(map[string]string{"TEMAPLAN_OIDC_CLIENT_SECRET": ""}),
			wantErr: []string{"TEMAPLAN_OIDC_CLIENT_SECRET", "is required"}},
		{name: "no issuer", env: with(map[string]string{"TEMAPLAN_OIDC_ISSUER": ""}),
			wantErr: []string{"TEMAPLAN_OIDC_ISSUER (-oidc-issuer)", "is required"}},
		{name: "plain http issuer", env: with(map[string]string{"TEMAPLAN_OIDC_ISSUER": "http://login.example.no"}),
			wantErr: []string{"TEMAPLAN_OIDC_ISSUER (-oidc-issuer)", "is not an https URL"}},
		{name: "issuer without a scheme", env: with(map[string]string{"TEMAPLAN_OIDC_ISSUER": "login.example.no"}),
			wantErr: []string{"TEMAPLAN_OIDC_ISSUER (-oidc-issuer)", "is not an https URL"}},
		{name: "no public url", env: with(map[string]string{"TEMAPLAN_PUBLIC_URL": ""}),
			wantErr: []string{"TEMAPLAN_PUBLIC_URL (-public-url)", "/api/auth/oidc/callback"}},
		{name: "a label too long", env: with(map[string]string{"TEMAPLAN_OIDC_NAME": strings.Repeat("x", 61)}),
			wantErr: []string{"TEMAPLAN_OIDC_NAME (-oidc-name)", "at most 60"}},
		{name: "a label without single sign-on", env: map[string]string{"TEMAPLAN_OIDC_NAME": "Entra ID"},
			wantErr: []string{"TEMAPLAN_OIDC_NAME (-oidc-name)", "single sign-on is not"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := LoadConfig(nil, func(k string) string { return tc.env[k] }, io.Discard)
			if len(tc.wantErr) > 0 {
				if err == nil {
					t.Fatalf("LoadConfig = nil error, want %q", tc.wantErr)
				}
				for _, part := range tc.wantErr {
					if !strings.Contains(err.Error(), part) {
						t.Errorf("error %q does not contain %q", err, part)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadConfig: %v", err)
			}
			if tc.check != nil {
				tc.check(t, c)
			}
		})
	}
	// The secret has no flag of its own: it would show in the process list.
	if _, err := LoadConfig([]string{"-oidc-client-secret", "x"}, func(string) string { return "" }, io.Discard); err == nil {
		t.Error("-oidc-client-secret is accepted as a flag")
	}
}
