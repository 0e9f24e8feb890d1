package mail_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/mail"
	"github.com/temaplan/temaplan/mail/mailtest"
)

// TestReset_UnknownAndKnownAnswerTheSame asks for resets of an unknown
// address, a disabled account and a real one: every answer is nil, and
// only the real account gets a message.
func TestReset_UnknownAndKnownAnswerTheSame(t *testing.T) {
	f := newFixture(t)
	srv := mailtest.Start(t, mailtest.Options{})
	m := f.mailer(srv.URL())
	ctx := context.Background()
	bo := f.user("bo@aeroy.no", "Bo Ås")
	gone := f.user("gone@aeroy.no", "Gone")
	gone.Disabled = true
	if err := f.store.UpdateAccount(ctx, gone); err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"nobody@aeroy.no", "gone@aeroy.no", "not an address", " BO@Aeroy.NO "} {
		if err := m.RequestReset(ctx, ip, email); err != nil {
			t.Errorf("RequestReset(%q) = %v, want nil", email, err)
		}
	}
	if n := depth(t, m); n != 1 {
		t.Fatalf("depth %d, want 1 (the real account's)", n)
	}
	deliver(t, m)
	got := srv.Wait(t, 1, 5*time.Second)[0]
	if got.To[0] != bo.Email || got.Subject != "Sett nytt passord i Temaplan" {
		t.Errorf("message to %v: %q", got.To, got.Subject)
	}
	contains(t, "the reset", got.Text, "Hei Bo Ås,", "gjelder til 10. mars 2026 kl. 11.00", "blir du logget ut på alle enheter")
}

// TestReset_RateLimitedAlikeForUnknownAccounts asks too often, for an
// account and for nobody: both are refused alike.
func TestReset_RateLimitedAlikeForUnknownAccounts(t *testing.T) {
	f := newFixture(t)
	m := f.mailer("")
	ctx := context.Background()
	f.user("bo@aeroy.no", "Bo")
	for _, email := range []string{"bo@aeroy.no", "nobody@aeroy.no"} {
		for i := range 4 {
			err := m.RequestReset(ctx, ip, email)
			want := collab.Code("")
			if i == 3 {
				want = collab.CodeRateLimited
			}
			if collab.ErrorCode(err) != want {
				t.Errorf("%s, request %d: %v, want %q", email, i+1, err, want)
			}
		}
	}
	if n := depth(t, m); n != 3 {
		t.Errorf("depth %d, want 3 (the account's three allowed requests)", n)
	}
}

// resetToken has a reset sent to acct and returns its token.
func resetToken(t *testing.T, srv *mailtest.Server, m *mail.Mailer, acct auth.Account) string {
	t.Helper()
	before := len(srv.Messages())
	if err := m.RequestReset(context.Background(), ip, acct.Email); err != nil {
		t.Fatal(err)
	}
	deliver(t, m)
	return tokenOf(t, srv.Wait(t, before+1, 5*time.Second)[before])
}

// TestReset_TokenIsSingleUseAndExpires uses a reset link: it sets the
// password and ends every session; used again it is refused token_used,
// and a link past its hour token_expired; an older link of the same
// account is retired by the reset.
func TestReset_TokenIsSingleUseAndExpires(t *testing.T) {
	f := newFixture(t)
	srv := mailtest.Start(t, mailtest.Options{})
	m := f.mailer(srv.URL())
	ctx := context.Background()
	bo := f.user("bo@aeroy.no", "Bo")
	s1, err := f.accounts.Login(ctx, ip, bo.Email, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := f.accounts.Login(ctx, ip, bo.Email, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	older := resetToken(t, srv, m, bo)
	token := resetToken(t, srv, m, bo)

	if _, err := m.SetPassword(ctx, ip, token, "kort"); collab.ErrorCode(err) != collab.CodeInvalid {
		t.Errorf("a too short password: %v, want invalid", err)
	}
	// The refused password did not use the link up.
	if _, err := m.SetPassword(ctx, ip, token, "et helt nytt passord"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.accounts.Login(ctx, ip, bo.Email, testPassword); collab.ErrorCode(err) != collab.CodeUnauthorized {
		t.Errorf("login with the old password: %v, want unauthorized", err)
	}
	if _, err := f.accounts.Login(ctx, ip, bo.Email, "et helt nytt passord"); err != nil {
		t.Errorf("login with the new password: %v", err)
	}
	for i, s := range []auth.Session{s1, s2} {
		if _, err := f.accounts.Refresh(ctx, s.RefreshToken); collab.ErrorCode(err) != collab.CodeUnauthorized {
			t.Errorf("session %d refreshed after the reset: %v", i+1, err)
		}
	}
	for name, tok := range map[string]string{"the used link": token, "the older link": older} {
		if _, err := m.SetPassword(ctx, ip, tok, "et tredje passord her"); collab.ErrorCode(err) != collab.CodeTokenUsed {
			t.Errorf("%s again: %v, want token_used", name, err)
		}
		if _, err := m.InspectToken(ctx, tok); collab.ErrorCode(err) != collab.CodeTokenUsed {
			t.Errorf("%s inspected: %v, want token_used", name, err)
		}
	}

	late := resetToken(t, srv, m, bo)
	if info, err := m.InspectToken(ctx, late); err != nil || info.Kind != mail.KindPasswordReset {
		t.Errorf("InspectToken = %+v, %v", info, err)
	}
	f.clock.Advance(time.Hour)
	if _, err := m.SetPassword(ctx, ip, late, "et fjerde passord her"); collab.ErrorCode(err) != collab.CodeTokenExpired {
		t.Errorf("a link an hour old: %v, want token_expired", err)
	}
	for _, bad := range []string{"", "no-such-token", string(make([]byte, 300))} {
		if _, err := m.SetPassword(ctx, ip, bad, "et femte passord her"); collab.ErrorCode(err) != collab.CodeUnauthorized {
			t.Errorf("token %.20q: %v, want unauthorized", bad, err)
		}
	}
	if _, err := f.accounts.Login(ctx, ip, bo.Email, "et helt nytt passord"); err != nil {
		t.Errorf("the password after the refused links: %v", err)
	}
}

// TestReset_ConcurrentUsesSetThePasswordOnce presents one link from
// several requests at once: one sets its password, the rest are refused.
func TestReset_ConcurrentUsesSetThePasswordOnce(t *testing.T) {
	f := newFixture(t)
	srv := mailtest.Start(t, mailtest.Options{})
	m := f.mailer(srv.URL())
	bo := f.user("bo@aeroy.no", "Bo")
	token := resetToken(t, srv, m, bo)
	const n = 6
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			_, errs[i] = m.SetPassword(context.Background(), ip, token, "passord nummer "+string(rune('a'+i))+" er langt")
		})
	}
	close(start)
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil:
			if winner >= 0 {
				t.Errorf("requests %d and %d both set the password", winner, i)
			}
			winner = i
		case collab.ErrorCode(err) != collab.CodeTokenUsed:
			t.Errorf("request %d: %v, want token_used", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no request set the password")
	}
	if _, err := f.accounts.Login(context.Background(), ip, bo.Email, "passord nummer "+string(rune('a'+winner))+" er langt"); err != nil {
		t.Errorf("the winner's password: %v", err)
	}
}

// TestInvite_SSOOnlyMunicipalityGetsNoPasswordLink invites into a
// municipality without password login: the message leads to the login
// page, and no password link exists.
func TestInvite_SSOOnlyMunicipalityGetsNoPasswordLink(t *testing.T) {
	f := newFixture(t)
	srv := mailtest.Start(t, mailtest.Options{})
	m := f.mailer(srv.URL())
	ctx := context.Background()
	if err := f.accounts.EnsureMunicipality(ctx, auth.Municipality{ID: "m2", Name: "Sso kommune",
		Settings: auth.MunicipalitySettings{LoginMethods: []string{auth.LoginOIDC}}}); err != nil {
		t.Fatal(err)
	}
	admin := f.user("kari@aeroy.no", "Kari")
	newbie, err := f.accounts.EnsureUser(ctx, "m2", auth.NewUser{Email: "ny@sso.no", Name: "Ny Person", Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Invite(ctx, newbie, admin); err != nil {
		t.Fatal(err)
	}
	if err := m.RequestReset(ctx, ip, newbie.Email); err != nil {
		t.Fatal(err)
	}
	deliver(t, m)
	msgs := srv.Wait(t, 1, 5*time.Second)
	contains(t, "the invitation", msgs[0].Text, "kommunens innlogging (single sign-on)", publicURL+"/logg-inn")
	if linkRE.MatchString(msgs[0].Text) || len(msgs) != 1 {
		t.Errorf("%d messages, the invitation %q: want no password link and no reset", len(msgs), msgs[0].Text)
	}
	if ts, err := f.store.MailTokens(ctx, newbie.ID); err != nil || len(ts) != 0 {
		t.Errorf("tokens %v, %v; want none", ts, err)
	}
}
