package main

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/temaplan/temaplan/mail/mailtest"
)

// TestProcess_MailThroughSMTP runs the binary with an SMTP server: an
// administrator invites a person, the node's own sender delivers the
// invitation, and its link sets the person's password over the API.
func TestProcess_MailThroughSMTP(t *testing.T) {
	smtp := mailtest.Start(t, mailtest.Options{Username: "temaplan", Password: "smtp-passord"})
	n := startNode(t, map[string]string{
		"TEMAPLAN_DATA": filepath.Join(t.TempDir(), "data"), "TEMAPLAN_ADDR": "127.0.0.1:0",
		"TEMAPLAN_DEMO": "true", "TEMAPLAN_DEMO_PASSWORD": "demo-passord",
		"TEMAPLAN_SMTP_URL": smtp.URL(), "TEMAPLAN_MAIL_FROM": "Temaplan Demo <noreply@demo.no>",
		"TEMAPLAN_PUBLIC_URL": "https://plan.demo.no",
	})
	n.waitReady(30 * time.Second)
	n.waitOutput(`mail=smtp://temaplan@`+smtp.Addr(), 5*time.Second)
	if strings.Contains(n.out.String(), "smtp-passord") {
		t.Error("the log shows the SMTP password")
	}

	admin := n.login("admin@demo.no", "demo-passord")
	doJSON(t, "POST", n.url("/api/admin/users"), admin.AccessToken, `{"email":"ny@demo.no","name":"Nora Ny"}`, 201, nil)
	got := smtp.Wait(t, 1, 20*time.Second)[0]
	if got.To[0] != "ny@demo.no" || got.Subject != "Du er invitert til Temaplan – Demo kommune" {
		t.Fatalf("invitation to %v: %q", got.To, got.Subject)
	}
	m := regexp.MustCompile(`https://plan\.demo\.no/nytt-passord#([A-Za-z0-9_\-]+)`).FindStringSubmatch(got.Text)
	if m == nil {
		t.Fatalf("no link in %s", got.Text)
	}
	body, _ := json.Marshal(map[string]string{"token": m[1], "password": "Noras eget passord"})
	doJSON(t, "POST", n.url("/api/auth/password/reset"), "", string(body), 204, nil)
	n.login("ny@demo.no", "Noras eget passord")
	doJSON(t, "POST", n.url("/api/auth/password/reset"), "", string(body), 410, nil)
}
