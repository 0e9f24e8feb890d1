package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadConfig_Mail checks the e-mail settings: an SMTP URL read from
// the environment or a file and never repeated in an error, and the
// sender and public URL it requires.
func TestLoadConfig_Mail(t *testing.T) {
	file := filepath.Join(t.TempDir(), "smtp-url")
	if err := os.WriteFile(file, []byte("smtps://temaplan:hemmelig%2Fpassord@smtp.kommune.no\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ok := map[string]string{"TEMAPLAN_PUBLIC_URL": "https://plan.kommune.no", "TEMAPLAN_MAIL_FROM": "Temaplan Ærøy <noreply@kommune.no>"}
	with := func(extra map[string]string) map[string]string {
		env := map[string]string{}
		for k, v := range ok {
			env[k] = v
		}
		for k, v := range extra {
			env[k] = v
		}
		return env
	}
	for _, tc := range []struct {
		name    string
		env     map[string]string
		args    []string
		wantErr []string
		check   func(t *testing.T, c Config)
	}{
		{name: "no e-mail", env: map[string]string{}, check: func(t *testing.T, c Config) {
			if c.SMTP != nil || c.MailFrom != "" {
				t.Errorf("SMTP %+v, from %q", c.SMTP, c.MailFrom)
			}
		}},
		{name: "URL", env: with(map[string]string{"TEMAPLAN_SMTP_URL": "smtp://u:p%C3%A5ss@smtp.kommune.no:2525"}), check: func(t *testing.T, c Config) {
			if c.SMTP == nil || c.SMTP.Addr != "smtp.kommune.no:2525" || c.SMTP.Username != "u" || c.SMTP.Password != "påss" || c.SMTP.ImplicitTLS {
				t.Errorf("SMTP %+v", c.SMTP)
			}
			if c.MailFrom != "Temaplan Ærøy <noreply@kommune.no>" {
				t.Errorf("from %q", c.MailFrom)
			}
		}},
		{name: "URL from a file", env: with(map[string]string{"TEMAPLAN_SMTP_URL_FILE": file}), check: func(t *testing.T, c Config) {
			if c.SMTP == nil || c.SMTP.Addr != "smtp.kommune.no:465" || !c.SMTP.ImplicitTLS || c.SMTP.Password != "hemmelig/passord" {
				t.Errorf("SMTP %+v", c.SMTP)
			}
		}},
		{name: "file flag", env: ok, args: []string{"-smtp-url-file", file}, check: func(t *testing.T, c Config) {
			if c.SMTP == nil || c.SMTP.Username != "temaplan" {
				t.Errorf("SMTP %+v", c.SMTP)
			}
		}},
		{name: "both", env: with(map[string]string{"TEMAPLAN_SMTP_URL": "smtp://h", "TEMAPLAN_SMTP_URL_FILE": file}),
			wantErr: []string{"TEMAPLAN_SMTP_URL: give either TEMAPLAN_SMTP_URL or TEMAPLAN_SMTP_URL_FILE"}},
		{name: "another scheme", env: with(map[string]string{"TEMAPLAN_SMTP_URL": "https://u:topsecret@smtp.kommune.no"}),
			wantErr: []string{"TEMAPLAN_SMTP_URL: must start with smtp:// or smtps://"}},
		{name: "no sender", env: map[string]string{"TEMAPLAN_SMTP_URL": "smtp://smtp.kommune.no", "TEMAPLAN_PUBLIC_URL": "https://plan.kommune.no"},
			wantErr: []string{"TEMAPLAN_MAIL_FROM (-mail-from): is required with TEMAPLAN_SMTP_URL"}},
		{name: "no public URL", env: map[string]string{"TEMAPLAN_SMTP_URL": "smtp://smtp.kommune.no", "TEMAPLAN_MAIL_FROM": "noreply@kommune.no"},
			wantErr: []string{"TEMAPLAN_PUBLIC_URL (-public-url): is required with TEMAPLAN_SMTP_URL"}},
		{name: "bad sender", env: with(map[string]string{"TEMAPLAN_MAIL_FROM": "Temaplan noreply"}),
			wantErr: []string{"TEMAPLAN_MAIL_FROM (-mail-from)", "is not an address"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := LoadConfig(tc.args, func(k string) string { return tc.env[k] }, io.Discard)
			if len(tc.wantErr) > 0 {
				if err == nil {
					t.Fatalf("no error, config %+v", c)
				}
				for _, w := range tc.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				if strings.Contains(err.Error(), "topsecret") {
					t.Errorf("the error shows the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}
