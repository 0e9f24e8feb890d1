package server_test

import (
	"context"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/delta"
	"github.com/temaplan/temaplan/collab/sqlite"
	"github.com/temaplan/temaplan/mail"
	"github.com/temaplan/temaplan/mail/mailtest"
	"github.com/temaplan/temaplan/server"
)

// testPublicURL is where the test servers' e-mails link to.
const testPublicURL = "https://temaplan.test"

// newTestMailer returns the e-mail of a test server on store: an outbox
// without SMTP unless configure adds one, and cheap password hashing.
func newTestMailer(t *testing.T, store collab.Store, configure func(*mail.Config)) *mail.Mailer {
	t.Helper()
	ms, ok := store.(mail.Store)
	as, ok2 := store.(auth.Store)
	if !ok || !ok2 {
		t.Fatalf("store %s keeps no e-mail or accounts", store.Describe())
	}
	hasher, err := auth.NewHasher(auth.HasherConfig{Params: auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := mail.Config{Store: ms, Accounts: as, Hasher: hasher, PublicURL: testPublicURL}
	if configure != nil {
		configure(&cfg)
	}
	m, err := mail.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// mailServer starts a test server whose e-mail goes to a test SMTP server,
// delivered when the test calls deliver.
func mailServer(t *testing.T, configure func(*mail.Config)) (*testServer, *mailtest.Server, func() []mailtest.Message) {
	t.Helper()
	smtpSrv := mailtest.Start(t, mailtest.Options{})
	var m *mail.Mailer
	ts := newTestServerOn(t, newSQLiteStore(t), func(cfg *server.Config) {
		m = newTestMailer(t, cfg.Store, func(c *mail.Config) {
			s, err := mail.ParseSMTPURL(smtpSrv.URL())
			if err != nil {
				t.Fatal(err)
			}
			c.SMTP, c.Plans = s, cfg.Plans
			if configure != nil {
				configure(c)
			}
		})
		cfg.Mail, cfg.PublicURL = m, testPublicURL
	})
	deliver := func() []mailtest.Message {
		t.Helper()
		before := len(smtpSrv.Messages())
		n, err := m.DeliverDue(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return nil
		}
		return smtpSrv.Wait(t, before+n, 5*time.Second)[before:]
	}
	return ts, smtpSrv, deliver
}

// newSQLiteStore opens a fresh SQLite store.
func newSQLiteStore(t *testing.T) collab.Store {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "temaplan.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// passwordLinkRE finds the token of a password link.
var passwordLinkRE = regexp.MustCompile(regexp.QuoteMeta(testPublicURL+mail.PasswordPath+"#") + `([A-Za-z0-9_\-]+)`)

func linkToken(t *testing.T, m mailtest.Message) string {
	t.Helper()
	sub := passwordLinkRE.FindStringSubmatch(m.Text)
	if sub == nil {
		t.Fatalf("no password link in %q", m.Text)
	}
	return sub[1]
}

// TestMail_AdminInvitesAndTheLinkSetsThePassword has the administrator
// make an account without a password: an invitation arrives with a link,
// the link tells what it is for, sets the password once, and the person
// logs in with it.
func TestMail_AdminInvitesAndTheLinkSetsThePassword(t *testing.T) {
	ts, _, deliver := mailServer(t, nil)
	rec := ts.do(http.MethodPost, "/api/admin/users", `{"email":"Åse.Ødegård@m1.no","name":"Åse Ødegård"}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create user: %d %s", rec.Code, rec.Body)
	}
	msgs := deliver()
	if len(msgs) != 1 || msgs[0].To[0] != "åse.ødegård@m1.no" || msgs[0].Subject != "Du er invitert til Temaplan – Kommune m1" {
		t.Fatalf("invitation: %+v", msgs)
	}
	if !strings.Contains(msgs[0].Text, "kari har opprettet en konto til deg") {
		t.Errorf("invitation text: %s", msgs[0].Text)
	}
	token := linkToken(t, msgs[0])

	// No password works before the link is used.
	if rec := postLogin(ts, "192.0.2.7:1", "", "åse.ødegård@m1.no", ""); rec.Code != http.StatusUnauthorized {
		t.Errorf("login without a password: %d", rec.Code)
	}
	rec = ts.doAs("", http.MethodPost, "/api/auth/password/token", jsonOf(map[string]string{"token": token}))
	info := decode[mail.TokenInfo](t, rec)
	if rec.Code != http.StatusOK || info.Kind != mail.KindInvitation || info.Email != "åse.ødegård@m1.no" || info.Name != "Åse Ødegård" {
		t.Errorf("token: %d %+v", rec.Code, info)
	}
	rec = ts.doAs("", http.MethodPost, "/api/auth/password/reset", jsonOf(map[string]string{"token": token, "password": "mitt eget passord"}))
	if rec.Code != http.StatusNoContent {
		t.Fatalf("set password: %d %s", rec.Code, rec.Body)
	}
	if rec := postLogin(ts, "192.0.2.7:1", "", "åse.ødegård@m1.no", "mitt eget passord"); rec.Code != http.StatusOK {
		t.Errorf("login with the chosen password: %d %s", rec.Code, rec.Body)
	}
	again := ts.doAs("", http.MethodPost, "/api/auth/password/reset", jsonOf(map[string]string{"token": token, "password": "et annet passord"}))
	wantError(t, again, http.StatusGone, collab.CodeTokenUsed)
	wantError(t, ts.doAs("", http.MethodPost, "/api/auth/password/token", jsonOf(map[string]string{"token": token})), http.StatusGone, collab.CodeTokenUsed)

	// With a password chosen by the administrator, the invitation is
	// sent all the same, and the password works at once.
	rec = ts.do(http.MethodPost, "/api/admin/users", `{"email":"per@m1.no","name":"Per","password":"et passord fra admin"}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create user with a password: %d %s", rec.Code, rec.Body)
	}
	if msgs := deliver(); len(msgs) != 1 || msgs[0].To[0] != "per@m1.no" {
		t.Errorf("second invitation: %+v", msgs)
	}
	if rec := postLogin(ts, "192.0.2.7:1", "", "per@m1.no", "et passord fra admin"); rec.Code != http.StatusOK {
		t.Errorf("login with the administrator's password: %d", rec.Code)
	}
}

// TestMail_ForgotPasswordAnswersTheSame asks for a reset of an unknown and
// a known e-mail: the answers are the same 202, only the account gets a
// message, and the link ends the account's sessions.
func TestMail_ForgotPasswordAnswersTheSame(t *testing.T) {
	ts, _, deliver := mailServer(t, nil)
	ola := ts.user("ola@m1.no", "m1", false)
	login := postLogin(ts, "192.0.2.8:1", "", "ola@m1.no", testPassword)
	cookie := sessionCookie(t, login).Value

	forgot := func(email string) *http.Response {
		t.Helper()
		rec := ts.doAs("", http.MethodPost, "/api/auth/password/forgot", jsonOf(map[string]string{"email": email}))
		return rec.Result()
	}
	a, b := forgot("nobody@m1.no"), forgot("OLA@m1.no")
	if a.StatusCode != http.StatusAccepted || b.StatusCode != a.StatusCode || a.ContentLength != b.ContentLength ||
		a.Header.Get("Content-Type") != b.Header.Get("Content-Type") {
		t.Errorf("unknown: %d %v; known: %d %v", a.StatusCode, a.Header, b.StatusCode, b.Header)
	}
	msgs := deliver()
	if len(msgs) != 1 || msgs[0].To[0] != ola.Email {
		t.Fatalf("messages: %+v", msgs)
	}
	token := linkToken(t, msgs[0])
	wantError(t, ts.doAs("", http.MethodPost, "/api/auth/password/reset", jsonOf(map[string]string{"token": token, "password": "kort"})),
		http.StatusUnprocessableEntity, collab.CodeInvalid)
	if rec := ts.doAs("", http.MethodPost, "/api/auth/password/reset", jsonOf(map[string]string{"token": token, "password": "et nytt langt passord"})); rec.Code != http.StatusNoContent {
		t.Fatalf("reset: %d %s", rec.Code, rec.Body)
	}
	wantError(t, postSession(ts, "refresh", cookie), http.StatusUnauthorized, collab.CodeUnauthorized)
	wantError(t, ts.doAs("", http.MethodPost, "/api/auth/password/reset", jsonOf(map[string]string{"token": "not-a-token", "password": "et nytt langt passord"})),
		http.StatusUnauthorized, collab.CodeUnauthorized)

	// The fourth request for one e-mail within the quarter is refused.
	forgot("ola@m1.no")
	forgot("ola@m1.no")
	rec := ts.doAs("", http.MethodPost, "/api/auth/password/forgot", `{"email":"ola@m1.no"}`)
	wantError(t, rec, http.StatusTooManyRequests, collab.CodeRateLimited)
	if rec.Header().Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
}

// TestMail_ExpiredLinkIsRefused uses a reset link after its hour.
func TestMail_ExpiredLinkIsRefused(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	ts, _, deliver := mailServer(t, func(c *mail.Config) { c.Now = clock })
	ts.user("ola@m1.no", "m1", false)
	ts.doAs("", http.MethodPost, "/api/auth/password/forgot", `{"email":"ola@m1.no"}`)
	token := linkToken(t, deliver()[0])
	now = now.Add(61 * time.Minute)
	wantError(t, ts.doAs("", http.MethodPost, "/api/auth/password/token", jsonOf(map[string]string{"token": token})), http.StatusGone, collab.CodeTokenExpired)
	wantError(t, ts.doAs("", http.MethodPost, "/api/auth/password/reset", jsonOf(map[string]string{"token": token, "password": "et nytt langt passord"})),
		http.StatusGone, collab.CodeTokenExpired)
}

// TestMail_MentionsAndRoundsFromTheAPI comments with mentions, replies,
// edits a comment to mention one more, and sends a review round: each
// person mentioned or asked gets one message, in their language, and one
// who chose the digest gets none at once.
func TestMail_MentionsAndRoundsFromTheAPI(t *testing.T) {
	ts, _, deliver := mailServer(t, nil)
	ola := ts.user("ola@m1.no", "m1", false)
	eva := ts.user("eva@m1.no", "m1", false)
	per := ts.user("per@m1.no", "m1", false)
	p := ts.createPlan("Boligplan for Ærøy")
	for _, u := range []testUser{ola, eva, per} {
		ts.member(p.ID, u, "member")
	}
	var d delta.Delta
	d.Insert("Boliger for alle i kommunen.", nil)
	if _, err := ts.engine.Submit(context.Background(), collab.Submission{Doc: firstSection(p), V: 0, Src: "tab", Seq: 1, By: ts.kari.ID, Op: d}); err != nil {
		t.Fatal(err)
	}
	if rec := ts.doAs(eva.Token, http.MethodPut, "/api/me/notifications", `{"lang":"nn"}`); rec.Code != http.StatusOK {
		t.Fatalf("eva's settings: %d %s", rec.Code, rec.Body)
	}
	if rec := ts.doAs(per.Token, http.MethodPut, "/api/me/notifications", `{"mode":"digest"}`); rec.Code != http.StatusOK {
		t.Fatalf("per's settings: %d %s", rec.Code, rec.Body)
	}
	rec := ts.do(http.MethodPost, "/api/plans/"+p.ID+"/comments", jsonOf(map[string]any{"section": firstSection(p), "v": 1, "index": 12, "length": 4,
		"body": "Hvem er «alle»? @ola @eva", "mentions": []string{ola.ID, eva.ID, per.ID, ts.kari.ID}}))
	if rec.Code != http.StatusCreated {
		t.Fatalf("comment: %d %s", rec.Code, rec.Body)
	}
	thread := decode[struct{ ID string }](t, rec).ID
	msgs := deliver()
	byTo := map[string]string{}
	for _, m := range msgs {
		byTo[m.To[0]] = m.Subject
	}
	if len(msgs) != 2 || byTo["ola@m1.no"] != "kari nevnte deg i «Boligplan for Ærøy»" || byTo["eva@m1.no"] != "kari nemnde deg i «Boligplan for Ærøy»" {
		t.Errorf("after the comment: %v", byTo)
	}
	if !strings.Contains(msgs[0].Text, testPublicURL+"/plans/"+p.ID+"/sections/"+firstSection(p)) {
		t.Errorf("no link to the section in %s", msgs[0].Text)
	}
	// A reply by Ola mentioning Kari; an edit of the thread mentioning
	// Ola again (no new message) and nobody new.
	if rec := ts.doAs(ola.Token, http.MethodPost, "/api/plans/"+p.ID+"/comments/"+thread+"/replies", jsonOf(map[string]any{"body": "Se tabell 2", "mentions": []string{ts.kari.ID}})); rec.Code != http.StatusCreated {
		t.Fatalf("reply: %d %s", rec.Code, rec.Body)
	}
	if rec := ts.do(http.MethodPatch, "/api/plans/"+p.ID+"/comments/"+thread, jsonOf(map[string]any{"body": "Hvem er alle?", "mentions": []string{ola.ID}})); rec.Code != http.StatusOK {
		t.Fatalf("edit: %d %s", rec.Code, rec.Body)
	}
	msgs = deliver()
	if len(msgs) != 1 || msgs[0].To[0] != "kari@m1.no" || msgs[0].Subject != "ola nevnte deg i «Boligplan for Ærøy»" {
		t.Errorf("after the reply and the edit: %+v", msgs)
	}

	rec = ts.do(http.MethodPost, "/api/plans/"+p.ID+"/rounds", jsonOf(map[string]any{"recipients": []string{ola.ID, eva.ID, per.ID},
		"deadline": "2030-02-01", "message": "Les før møtet"}))
	if rec.Code != http.StatusCreated {
		t.Fatalf("round: %d %s", rec.Code, rec.Body)
	}
	msgs = deliver()
	byTo = map[string]string{}
	for _, m := range msgs {
		byTo[m.To[0]] = m.Subject
	}
	if len(msgs) != 2 || byTo["ola@m1.no"] != "Gjennomlesning av «Boligplan for Ærøy» innen 1. februar 2030" ||
		byTo["eva@m1.no"] != "Gjennomlesing av «Boligplan for Ærøy» innan 1. februar 2030" {
		t.Errorf("after the round: %v", byTo)
	}
}

// TestMail_NotificationSettingsRoute reads and changes a person's own
// notification setting.
func TestMail_NotificationSettingsRoute(t *testing.T) {
	ts := newTestServer(t)
	ola := ts.user("ola@m1.no", "m1", false)
	get := func(token string) mail.Prefs {
		t.Helper()
		rec := ts.doAs(token, http.MethodGet, "/api/me/notifications", "")
		if rec.Code != http.StatusOK {
			t.Fatalf("get: %d %s", rec.Code, rec.Body)
		}
		return decode[mail.Prefs](t, rec)
	}
	if p := get(ola.Token); p.Mode != mail.ModeInstant || p.Lang != mail.LangNB {
		t.Errorf("default: %+v", p)
	}
	rec := ts.doAs(ola.Token, http.MethodPut, "/api/me/notifications", `{"mode":"off"}`)
	if p := decode[mail.Prefs](t, rec); rec.Code != http.StatusOK || p.Mode != mail.ModeOff || p.Lang != mail.LangNB {
		t.Errorf("put: %d %+v", rec.Code, p)
	}
	if p := get(ola.Token); p.Mode != mail.ModeOff {
		t.Errorf("after put: %+v", p)
	}
	if p := get(ts.kari.Token); p.Mode != mail.ModeInstant {
		t.Errorf("kari's setting changed with ola's: %+v", p)
	}
	wantError(t, ts.doAs(ola.Token, http.MethodPut, "/api/me/notifications", `{"mode":"weekly"}`), http.StatusUnprocessableEntity, collab.CodeInvalid)
}

// TestMail_ServerWithoutMail answers the e-mail routes unavailable and
// wants a password for a new account.
func TestMail_ServerWithoutMail(t *testing.T) {
	ts := newTestServerOn(t, newSQLiteStore(t), func(cfg *server.Config) { cfg.Mail = nil })
	wantError(t, ts.doAs("", http.MethodPost, "/api/auth/password/forgot", `{"email":"kari@m1.no"}`), http.StatusServiceUnavailable, collab.CodeUnavailable)
	wantError(t, ts.do(http.MethodGet, "/api/me/notifications", ""), http.StatusServiceUnavailable, collab.CodeUnavailable)
	wantError(t, ts.do(http.MethodPost, "/api/admin/users", `{"email":"ny@m1.no","name":"Ny"}`), http.StatusUnprocessableEntity, collab.CodeInvalid)
}
