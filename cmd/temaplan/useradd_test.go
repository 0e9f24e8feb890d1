package main

import (
	"bytes"
	"context"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oklog/ulid/v2"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab/sqlite"
)

func TestUseradd_CreatesTheFirstAdministrator(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"TEMAPLAN_DATA": data, "TEMAPLAN_PASSWORD": "et langt passord"}
	getenv := func(k string) string { return env[k] }
	args := []string{"useradd", "-email", " Ola@Bergen.Kommune.no ", "-name", "Ola Nordmann",
		"-municipality", "4601", "-municipality-name", "Bergen kommune", "-admin"}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), args, &out, &errOut, getenv); code != 0 {
		t.Fatalf("useradd: exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "ola@bergen.kommune.no") {
		t.Errorf("output %q does not name the account", out.String())
	}
	// Twice is refused, and says why.
	errOut.Reset()
	if code := run(context.Background(), args, &out, &errOut, getenv); code != 1 || !strings.Contains(errOut.String(), "exists") {
		t.Errorf("second useradd: exit %d: %s", code, errOut.String())
	}
	// A short password is refused before anything is stored.
	env["TEMAPLAN_PASSWORD"] = "kort"
	other := []string{"useradd", "-email", "kari@bergen.kommune.no", "-name", "Kari", "-municipality", "4601"}
	if code := run(context.Background(), other, &out, &errOut, getenv); code != 1 {
		t.Errorf("short password: exit %d", code)
	}
	if code := run(context.Background(), []string{"useradd", "-email", "x@y.no"}, &out, &errOut, getenv); code != 2 {
		t.Errorf("missing flags: exit %d, want 2", code)
	}

	// The account logs in with its password and is its municipality's
	// administrator.
	store, err := sqlite.Open(context.Background(), filepath.Join(data, dbFileName), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, ok, _ := store.AccountByEmail(context.Background(), "kari@bergen.kommune.no"); ok {
		t.Error("the account with the short password was stored")
	}
	issuer, _ := auth.NewIssuer(auth.IssuerConfig{Secret: bytes.Repeat([]byte("s"), 32), Issuer: "temaplan", Audience: "temaplan"})
	hasher, _ := auth.NewHasher(auth.HasherConfig{})
	limiter, _ := auth.NewLoginLimiter(auth.LoginLimitConfig{})
	accounts, err := auth.NewAccounts(auth.AccountsConfig{Store: store, Issuer: issuer, Hasher: hasher, Limiter: limiter,
		NewID: func() string { return ulid.Make().String() }})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := accounts.Login(context.Background(), netip.MustParseAddr("192.0.2.1"), "ola@bergen.kommune.no", "et langt passord")
	if err != nil {
		t.Fatal(err)
	}
	if !sess.Account.Admin || sess.Account.Municipality != "4601" {
		t.Errorf("account %+v, want an administrator of 4601", sess.Account)
	}
	m, err := accounts.Municipality(context.Background(), "4601")
	if err != nil || m.Name != "Bergen kommune" {
		t.Errorf("municipality %+v, %v", m, err)
	}
}
