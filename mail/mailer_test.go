package mail_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/mongo"
	"github.com/temaplan/temaplan/collab/mongo/mongotest"
	"github.com/temaplan/temaplan/mail"
	"github.com/temaplan/temaplan/mail/mailtest"
)

// TestMailer_InvitationArrivesAsARealMessage invites a new account and
// reads the message the SMTP server received: headers, the encoding of
// æøå in subject and body, the link in both parts, the language; then the
// link sets the account's password.
func TestMailer_InvitationArrivesAsARealMessage(t *testing.T) {
	f := newFixture(t)
	srv := mailtest.Start(t, mailtest.Options{Username: "temaplan", Password: "hemmelig æøå"})
	m := f.mailer(srv.URL())
	admin := f.user("kari@aeroy.no", "Kari Åsheim")
	newbie := f.user("bjørn@aeroy.no", "Bjørn Ødegård")
	ctx := context.Background()

	if err := m.Invite(ctx, newbie, admin); err != nil {
		t.Fatal(err)
	}
	if n := depth(t, m); n != 1 {
		t.Fatalf("outbox depth after the invitation = %d, want 1 (stored before anything is sent)", n)
	}
	if n := deliver(t, m); n != 1 {
		t.Fatalf("DeliverDue found %d messages, want 1", n)
	}
	got := srv.Wait(t, 1, 5*time.Second)[0]
	if got.ParseErr != nil {
		t.Fatalf("the message does not parse: %v\n%s", got.ParseErr, got.Raw)
	}
	if srv.Logins() != 1 {
		t.Errorf("%d logins, want 1 (AUTH PLAIN)", srv.Logins())
	}
	if got.From != "noreply@aeroy.example.no" || !slices.Equal(got.To, []string{"bjørn@aeroy.no"}) {
		t.Errorf("envelope %q → %q", got.From, got.To)
	}
	if got.Subject != "Du er invitert til Temaplan – Ærøy kommune" {
		t.Errorf("subject %q", got.Subject)
	}
	for k, want := range map[string]string{
		"Content-Language": "nb", "Auto-Submitted": "auto-generated", "MIME-Version": "1.0",
	} {
		if v := got.Header.Get(k); v != want {
			t.Errorf("%s: %q, want %q", k, v, want)
		}
	}
	if from, err := got.Header.AddressList("From"); err != nil || len(from) != 1 || from[0].Name != "Temaplan Ærøy" || from[0].Address != "noreply@aeroy.example.no" {
		t.Errorf("From %v, %v", from, err)
	}
	if id := got.Header.Get("Message-ID"); !strings.HasPrefix(id, "<invitation-") || !strings.HasSuffix(id, "@aeroy.example.no>") {
		t.Errorf("Message-ID %q", id)
	}
	if _, err := got.Header.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}
	// On the wire: the body 7-bit, æøå quoted-printable, the subject an
	// encoded-word (only an address may be UTF-8 itself, RFC 6532).
	_, body, _ := strings.Cut(string(got.Raw), "\r\n\r\n")
	for i, b := range []byte(body) {
		if b >= 0x80 {
			t.Fatalf("byte %d of the body is not ASCII (%#x): it must be quoted-printable", i, b)
		}
	}
	raw := string(got.Raw)
	contains(t, "the raw message", raw, "Subject: =?utf-8?q?", "Content-Transfer-Encoding: quoted-printable", "=C3=98deg=C3=A5rd")
	contains(t, "the text", got.Text, "Hei Bjørn Ødegård,", "Kari Åsheim har opprettet en konto til deg i Temaplan for Ærøy kommune",
		publicURL+mail.PasswordPath+"#", "Lenken kan brukes én gang og gjelder til 17. mars 2026 kl. 10.00")
	token := tokenOf(t, got)
	contains(t, "the HTML", got.HTML, `<html lang="nb">`, `<a href="`+publicURL+mail.PasswordPath+"#"+token+`"`, "Bjørn Ødegård")

	// The link: what it is for, then the password it sets.
	info, err := m.InspectToken(ctx, token)
	if err != nil || info.Kind != mail.KindInvitation || info.Email != newbie.Email || info.Name != newbie.Name {
		t.Fatalf("InspectToken = %+v, %v", info, err)
	}
	if _, err := m.SetPassword(ctx, ip, token, "et nytt og langt passord"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.accounts.Login(ctx, ip, newbie.Email, "et nytt og langt passord"); err != nil {
		t.Errorf("login with the new password: %v", err)
	}
	if n := depth(t, m); n != 0 {
		t.Errorf("outbox depth after delivery = %d, want 0", n)
	}
	// Once sent, the stored message no longer holds the link.
	stored, ok, err := f.store.MailMessage(ctx, mail.MessageID(mail.KindInvitation, newbie.ID, auth.HashRefreshToken(token)))
	if err != nil || !ok || strings.Contains(stored.Text+stored.HTML, token) {
		t.Errorf("the sent message as stored: %+v, %v, %v; want it without the link", stored, ok, err)
	}
}

// TestMailer_LanguageIsTheRecipients checks that a notification is written
// in the language each recipient chose.
func TestMailer_LanguageIsTheRecipients(t *testing.T) {
	f := newFixture(t)
	srv := mailtest.Start(t, mailtest.Options{})
	m := f.mailer(srv.URL())
	ctx := context.Background()
	author := f.user("kari@aeroy.no", "Kari Åsheim")
	nb := f.user("nils@aeroy.no", "Nils Bø")
	nn := f.user("ingrid@aeroy.no", "Ingrid Øvrebø")
	if _, err := m.SetPrefs(ctx, nn.ID, mail.PrefsPatch{Lang: new(mail.LangNN)}); err != nil {
		t.Fatal(err)
	}
	p, c := mentionPlan(author, nb, nn)
	if err := m.Mention(ctx, p, c); err != nil {
		t.Fatal(err)
	}
	deliver(t, m)
	msgs := srv.Wait(t, 2, 5*time.Second)
	byTo := map[string]mailtest.Message{}
	for _, msg := range msgs {
		byTo[msg.To[0]] = msg
	}
	link := publicURL + "/plans/p1/sections/s1"
	got := byTo[nb.Email]
	if got.Subject != "Kari Åsheim nevnte deg i «Boligplan for Ærøy»" || got.Header.Get("Content-Language") != "nb" {
		t.Errorf("bokmål: subject %q, language %q", got.Subject, got.Header.Get("Content-Language"))
	}
	contains(t, "bokmål", got.Text, "Hei Nils Bø,", "nevnte deg i en kommentar", "i delen «Innledning»", "Hva med særskilte grupper?",
		"Se kommentaren:\n"+link, "Velg hvor ofte du vil ha varsler: "+publicURL+"/varsler")
	got = byTo[nn.Email]
	if got.Subject != "Kari Åsheim nemnde deg i «Boligplan for Ærøy»" || got.Header.Get("Content-Language") != "nn" {
		t.Errorf("nynorsk: subject %q, language %q", got.Subject, got.Header.Get("Content-Language"))
	}
	contains(t, "nynorsk", got.Text, "Hei Ingrid Øvrebø,", "nemnde deg i ein kommentar", "Sjå kommentaren:\n"+link,
		"Vel kor ofte du vil ha varsel:")
	contains(t, "nynorsk HTML", got.HTML, `<html lang="nn">`, `<a href="`+link+`"`)
	if _, ok := byTo[author.Email]; ok || len(msgs) != 2 {
		t.Errorf("%d messages, to %v: the author mentioning herself gets none", len(msgs), keys(byTo))
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// mentionPlan is a plan of author and the others, with a comment by author
// that mentions everyone (herself too).
func mentionPlan(author auth.Account, others ...auth.Account) (*collab.Plan, *collab.Comment) {
	p := &collab.Plan{ID: "p1", Title: "Boligplan for Ærøy", Municipality: "m1",
		Sections: []*collab.Section{{ID: "s1", Title: "Innledning"}},
		Members:  []collab.Member{{User: author.ID, Roles: []string{"leader"}}}}
	mentions := []string{author.ID}
	for _, o := range others {
		p.Members = append(p.Members, collab.Member{User: o.ID, Roles: []string{"member"}})
		mentions = append(mentions, o.ID)
	}
	c := &collab.Comment{ID: "c1", Thread: "c1", Section: "s1", Author: author.ID, Body: "Hva med særskilte grupper?\nSe tabell 3.", Mentions: mentions}
	p.Comments = []*collab.Comment{c}
	return p, c
}

// TestMailer_SMTPDownThenUp stores a message while nothing listens on the
// SMTP port: it stays in the outbox through failed attempts, with backoff,
// and is delivered once the server comes up.
func TestMailer_SMTPDownThenUp(t *testing.T) {
	f := newFixture(t)
	addr := freeAddr(t)
	m := f.mailer("smtp://" + addr)
	ctx := context.Background()
	author, bo := f.user("kari@aeroy.no", "Kari"), f.user("bo@aeroy.no", "Bo Ås")
	p, c := mentionPlan(author, bo)
	if err := m.Mention(ctx, p, c); err != nil {
		t.Fatal(err)
	}
	id := mail.MessageID(mail.KindMention, p.ID, c.ID, bo.ID)
	deliver(t, m)
	atts, err := f.store.MailAttempts(ctx, id)
	if err != nil || len(atts) != 1 || atts[0].Error == "" {
		t.Fatalf("attempts after the first pass: %+v, %v; want one that failed", atts, err)
	}
	if d := atts[0].RetryAt.Sub(f.clock.Now()); d < 54*time.Second || d > time.Minute {
		t.Errorf("first retry in %v, want about a minute (MinBackoff)", d)
	}
	if n := depth(t, m); n != 1 {
		t.Errorf("depth %d after a failed attempt, want 1", n)
	}
	// Not due again before the backoff is up.
	deliver(t, m)
	if atts, _ := f.store.MailAttempts(ctx, id); len(atts) != 1 {
		t.Errorf("%d attempts within the backoff, want 1", len(atts))
	}
	f.clock.Advance(time.Minute)
	deliver(t, m)
	atts, _ = f.store.MailAttempts(ctx, id)
	if len(atts) != 2 {
		t.Fatalf("%d attempts, want 2", len(atts))
	}
	if d := atts[1].RetryAt.Sub(f.clock.Now()); d < 108*time.Second || d > 2*time.Minute {
		t.Errorf("second retry in %v, want about two minutes (doubled)", d)
	}

	srv := mailtest.Start(t, mailtest.Options{Addr: addr})
	f.clock.Advance(2 * time.Minute)
	deliver(t, m)
	got := srv.Wait(t, 1, 5*time.Second)
	if len(got) != 1 || got[0].Subject != "Kari nevnte deg i «Boligplan for Ærøy»" {
		t.Fatalf("received %d messages: %+v", len(got), got)
	}
	if n := depth(t, m); n != 0 {
		t.Errorf("depth %d after delivery, want 0", n)
	}
	r, ok, err := f.store.MailResult(ctx, id)
	if err != nil || !ok || r.Outcome != mail.OutcomeSent || r.Attempt != 3 {
		t.Errorf("result %+v, %v, %v; want sent at attempt 3", r, ok, err)
	}
	f.clock.Advance(time.Hour)
	deliver(t, m)
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages after another pass, want 1", n)
	}
}

// TestMailer_DuplicateEnqueueSendsOnce notifies the same events twice (a
// retried request, two nodes): each person gets one message per event.
func TestMailer_DuplicateEnqueueSendsOnce(t *testing.T) {
	f := newFixture(t)
	srv := mailtest.Start(t, mailtest.Options{})
	m := f.mailer(srv.URL())
	other := f.mailer(srv.URL(), func(c *mail.Config) { c.Node = "another node" })
	ctx := context.Background()
	author, bo := f.user("kari@aeroy.no", "Kari"), f.user("bo@aeroy.no", "Bo Ås")
	p, c := mentionPlan(author, bo)
	for _, mm := range []*mail.Mailer{m, other, m} {
		if err := mm.Mention(ctx, p, c); err != nil {
			t.Fatal(err)
		}
	}
	// An edit adds a mention: only the one mentioned now is notified.
	eva := f.user("eva@aeroy.no", "Eva")
	p.Members = append(p.Members, collab.Member{User: eva.ID, Roles: []string{"reader"}})
	c.Mentions = append(c.Mentions, eva.ID)
	if err := m.Mention(ctx, p, c); err != nil {
		t.Fatal(err)
	}
	if n := depth(t, m); n != 2 {
		t.Fatalf("depth %d, want 2 (Bo once, Eva once)", n)
	}
	deliver(t, m)
	deliver(t, other)
	msgs := srv.Wait(t, 2, 5*time.Second)
	if len(msgs) != 2 || msgs[0].To[0] == msgs[1].To[0] {
		t.Errorf("received %d messages, want one to Bo and one to Eva", len(msgs))
	}
}

// TestMailer_PermanentRefusalIsNotRetried has the server refuse a
// recipient: the message is finished as failed at once.
func TestMailer_PermanentRefusalIsNotRetried(t *testing.T) {
	f := newFixture(t)
	srv := mailtest.Start(t, mailtest.Options{Reject: []string{"gone@aeroy.no"}})
	m := f.mailer(srv.URL())
	ctx := context.Background()
	if err := m.SendHearingReceipt(ctx, mail.HearingReceipt{Plan: "p1", PlanTitle: "Boligplan", Email: "gone@aeroy.no",
		Receipt: "R-1", Submitted: f.clock.Now(), Deadline: "2026-04-21"}); err != nil {
		t.Fatal(err)
	}
	deliver(t, m)
	r, ok, err := f.store.MailResult(ctx, mail.MessageID(mail.KindHearingReceipt, "p1", "R-1"))
	if err != nil || !ok || r.Outcome != mail.OutcomeFailed || !strings.Contains(r.Error, "550") {
		t.Errorf("result %+v, %v, %v; want failed with the 550", r, ok, err)
	}
	if n := depth(t, m); n != 0 {
		t.Errorf("depth %d, want 0", n)
	}
}

// TestMailer_WrongSMTPPasswordIsRetried: a refused login is the
// operator's to fix, not the message's end.
func TestMailer_WrongSMTPPasswordIsRetried(t *testing.T) {
	f := newFixture(t)
	srv := mailtest.Start(t, mailtest.Options{Username: "temaplan", Password: "right"})
	m := f.mailer("smtp://temaplan:wrong@" + srv.Addr())
	ctx := context.Background()
	if err := m.SendHearingReceipt(ctx, mail.HearingReceipt{Plan: "p1", PlanTitle: "Boligplan", Email: "ola@aeroy.no",
		Receipt: "R-2", Submitted: f.clock.Now(), Deadline: "2026-04-21"}); err != nil {
		t.Fatal(err)
	}
	deliver(t, m)
	id := mail.MessageID(mail.KindHearingReceipt, "p1", "R-2")
	atts, _ := f.store.MailAttempts(ctx, id)
	if _, done, _ := f.store.MailResult(ctx, id); done || len(atts) != 1 || !strings.Contains(atts[0].Error, "AUTH") {
		t.Errorf("after a refused login: finished %v, attempts %+v; want one failed attempt to retry", done, atts)
	}
	if n := depth(t, m); n != 1 {
		t.Errorf("depth %d, want 1", n)
	}
}

// TestMailer_ImplicitTLS delivers over smtps with AUTH.
func TestMailer_ImplicitTLS(t *testing.T) {
	f := newFixture(t)
	srv := mailtest.Start(t, mailtest.Options{TLS: true, Username: "temaplan", Password: "s3cret"})
	m := f.mailer(srv.URL(), func(c *mail.Config) { c.SMTP.TLSConfig = srv.ClientTLS() })
	if err := m.SendHearingReceipt(context.Background(), mail.HearingReceipt{Plan: "p1", PlanTitle: "Boligplan", Email: "ola@aeroy.no",
		Receipt: "R-3", Submitted: f.clock.Now(), Deadline: "2026-04-21"}); err != nil {
		t.Fatal(err)
	}
	deliver(t, m)
	if got := srv.Wait(t, 1, 5*time.Second); got[0].Subject != "Kvittering for høringsinnspill til «Boligplan»" || srv.Logins() != 1 {
		t.Errorf("over TLS: %q, %d logins", got[0].Subject, srv.Logins())
	}
}

// TestMailer_CrashedSenderClaimExpires has a node claim an attempt and
// never finish it: nobody sends while the claim holds, another node sends
// once it has expired.
func TestMailer_CrashedSenderClaimExpires(t *testing.T) {
	f := newFixture(t)
	srv := mailtest.Start(t, mailtest.Options{})
	m := f.mailer(srv.URL())
	ctx := context.Background()
	if err := m.SendHearingReceipt(ctx, mail.HearingReceipt{Plan: "p1", PlanTitle: "Boligplan", Email: "ola@aeroy.no",
		Receipt: "R-4", Submitted: f.clock.Now(), Deadline: "2026-04-21"}); err != nil {
		t.Fatal(err)
	}
	id := mail.MessageID(mail.KindHearingReceipt, "p1", "R-4")
	now := f.clock.Now()
	if err := f.store.ClaimMail(ctx, mail.Attempt{Msg: id, N: 1, Node: "crashed", Claimed: now, RetryAt: now.Add(2 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	deliver(t, m)
	f.clock.Advance(time.Minute)
	deliver(t, m)
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages while another node's claim holds, want 0", n)
	}
	f.clock.Advance(time.Minute)
	deliver(t, m)
	srv.Wait(t, 1, 5*time.Second)
	if r, ok, _ := f.store.MailResult(ctx, id); !ok || r.Attempt != 2 {
		t.Errorf("result %+v, want sent at attempt 2", r)
	}
}

// TestMailer_TwoSendersSendEachMessageOnce runs two nodes' senders on one
// store at once: every message arrives exactly once.
func TestMailer_TwoSendersSendEachMessageOnce(t *testing.T) {
	f := newFixture(t)
	srv := mailtest.Start(t, mailtest.Options{})
	real := func(c *mail.Config) { c.Now = nil }
	a := f.mailer(srv.URL(), real, func(c *mail.Config) { c.Node = "node-a" })
	b := f.mailer(srv.URL(), real, func(c *mail.Config) { c.Node = "node-b" })
	testTwoSenders(t, srv, f.store, a, b)
}

// TestMailer_TwoSendersOnMongoDB runs two nodes' senders, each with a
// connection of its own, on one MongoDB database (FerretDB, or
// MONGODB_URI): every message arrives exactly once.
func TestMailer_TwoSendersOnMongoDB(t *testing.T) {
	ctx := context.Background()
	msrv, err := mongotest.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { msrv.Close() })
	db := mongotest.DB(t, msrv)
	open := func() *mongo.Store {
		s, err := mongo.Open(ctx, msrv.URI(), db, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	s1, s2 := open(), open()
	f := newFixtureOn(t, s1)
	srv := mailtest.Start(t, mailtest.Options{})
	a := f.mailer(srv.URL(), func(c *mail.Config) { c.Now, c.Node = nil, "node-a" })
	b := f.mailer(srv.URL(), func(c *mail.Config) { c.Now, c.Node, c.Store, c.Accounts = nil, "node-b", s2, s2 })
	testTwoSenders(t, srv, s1, a, b)
}

// testTwoSenders enqueues messages on both a and b while both run.
func testTwoSenders(t *testing.T, srv *mailtest.Server, store mail.Store, a, b *mail.Mailer) {
	t.Helper()
	const n = 30
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { a.Run(ctx) })
	wg.Go(func() { b.Run(ctx) })
	defer func() {
		cancel()
		wg.Wait()
	}()
	for i := range n {
		for _, m := range []*mail.Mailer{a, b} {
			if err := m.SendHearingReceipt(ctx, mail.HearingReceipt{Plan: "p1", PlanTitle: "Boligplan", Email: fmt.Sprintf("p%d@aeroy.no", i),
				Receipt: fmt.Sprintf("R-%d", i), Submitted: time.Now(), Deadline: "2026-04-21"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	srv.Wait(t, n, 30*time.Second)
	// Both senders see the outbox empty: nothing is left to send twice.
	deadline := time.Now().Add(30 * time.Second)
	for depth(t, a) != 0 {
		if time.Now().After(deadline) {
			t.Errorf("depth %d after 30 s", depth(t, a))
			dumpOutbox(t, store)
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	seen := map[string]int{}
	for _, m := range srv.Messages() {
		seen[m.Header.Get("Message-ID")]++
	}
	if len(seen) != n || len(srv.Messages()) != n {
		t.Errorf("%d messages, %d distinct; want %d once each", len(srv.Messages()), len(seen), n)
	}
}

// TestMailer_HearingReceipt renders and sends the receipt of a hearing
// response through the outbox, in both languages.
func TestMailer_HearingReceipt(t *testing.T) {
	f := newFixture(t)
	srv := mailtest.Start(t, mailtest.Options{})
	m := f.mailer(srv.URL())
	ctx := context.Background()
	submitted := time.Date(2026, 3, 12, 14, 5, 0, 0, f.zone)
	r := mail.HearingReceipt{Plan: "p1", PlanTitle: "Boligplan for Ærøy 2026–2030", Municipality: "Ærøy kommune",
		Email: " Åse@Example.NO ", Name: "Åse Ødegård", Receipt: "HX7-K2Q9", Submitted: submitted, Deadline: "2026-04-21",
		Path: "/hoering/p1"}
	if err := m.SendHearingReceipt(ctx, r); err != nil {
		t.Fatal(err)
	}
	r.Lang, r.Receipt, r.Name = mail.LangNN, "ZZ9-PLUR", ""
	if err := m.SendHearingReceipt(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := m.SendHearingReceipt(ctx, mail.HearingReceipt{Plan: "p1", Receipt: "X", Email: "not an address"}); collab.ErrorCode(err) != collab.CodeInvalid {
		t.Errorf("a receipt to %q: %v, want invalid", "not an address", err)
	}
	deliver(t, m)
	msgs := srv.Wait(t, 2, 5*time.Second)
	nb, nn := msgs[0], msgs[1]
	if nb.Header.Get("Content-Language") != "nb" {
		nb, nn = nn, nb
	}
	if nb.Subject != "Kvittering for høringsinnspill til «Boligplan for Ærøy 2026–2030»" || nb.To[0] != "åse@example.no" {
		t.Errorf("bokmål: %q to %v", nb.Subject, nb.To)
	}
	contains(t, "bokmål", nb.Text, "Hei Åse Ødegård,", "Vi tok imot det 12. mars 2026 kl. 14.05.", "Kvitteringsnummer: HX7-K2Q9",
		"Høringsfristen er 21. april 2026.", publicURL+"/hoering/p1", "Hilsen Ærøy kommune")
	if nn.Subject != "Kvittering for høyringsinnspel til «Boligplan for Ærøy 2026–2030»" {
		t.Errorf("nynorsk: %q", nn.Subject)
	}
	contains(t, "nynorsk", nn.Text, "Hei,\n", "Takk for innspelet ditt", "Kvitteringsnummer: ZZ9-PLUR", "Høyringsfristen er 21. april 2026.", "Helsing Ærøy kommune")
}

// TestMailer_SettingsOffAndInstant checks that "off" sends no
// notifications, and that invitations and resets go out regardless.
func TestMailer_SettingsOffAndInstant(t *testing.T) {
	f := newFixture(t)
	srv := mailtest.Start(t, mailtest.Options{})
	m := f.mailer(srv.URL())
	ctx := context.Background()
	author, bo := f.user("kari@aeroy.no", "Kari"), f.user("bo@aeroy.no", "Bo")
	if _, err := m.SetPrefs(ctx, bo.ID, mail.PrefsPatch{Mode: new(mail.ModeOff)}); err != nil {
		t.Fatal(err)
	}
	p, c := mentionPlan(author, bo)
	if err := m.Mention(ctx, p, c); err != nil {
		t.Fatal(err)
	}
	if err := m.RequestReset(ctx, ip, bo.Email); err != nil {
		t.Fatal(err)
	}
	deliver(t, m)
	msgs := srv.Wait(t, 1, 5*time.Second)
	if len(msgs) != 1 || msgs[0].Subject != "Sett nytt passord i Temaplan" {
		t.Errorf("with notifications off: %d messages (%v), want only the reset", len(msgs), msgs)
	}
	for _, bad := range []mail.PrefsPatch{{}, {Mode: new(mail.Mode("weekly"))}, {Lang: new(mail.Lang("en"))}} {
		if _, err := m.SetPrefs(ctx, bo.ID, bad); collab.ErrorCode(err) != collab.CodeInvalid {
			t.Errorf("SetPrefs(%+v) = %v, want invalid", bad, err)
		}
	}
	if p, err := m.Prefs(ctx, bo.ID); err != nil || p.Mode != mail.ModeOff || p.Lang != mail.LangNB {
		t.Errorf("settings after refused changes: %+v, %v", p, err)
	}
	if p, err := m.Prefs(ctx, author.ID); err != nil || p.Mode != mail.ModeInstant || p.Lang != mail.LangNB {
		t.Errorf("default settings: %+v, %v", p, err)
	}
}

func TestParseSMTPURL(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want mail.SMTP
		err  bool
	}{
		{in: "smtp://smtp.kommune.no", want: mail.SMTP{Addr: "smtp.kommune.no:587"}},
		{in: "smtp://user%40kommune.no:p%C3%A5ss%3Aord@smtp.kommune.no:25", want: mail.SMTP{Addr: "smtp.kommune.no:25", Username: "user@kommune.no", Password: "påss:ord"}},
		{in: "smtps://u:p@mail.example:465", want: mail.SMTP{Addr: "mail.example:465", ImplicitTLS: true, Username: "u", Password: "p"}},
		{in: "smtps://[::1]", want: mail.SMTP{Addr: "[::1]:465", ImplicitTLS: true}},
		{in: "http://smtp.kommune.no", err: true},
		{in: "smtp://", err: true},
		{in: "smtp://host:70000", err: true},
		{in: "smtp://host/path", err: true},
		{in: "smtp://host?x=1", err: true},
		{in: "::", err: true},
	} {
		got, err := mail.ParseSMTPURL(tc.in)
		if tc.err {
			if err == nil {
				t.Errorf("ParseSMTPURL(%q) = %+v, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || *got != tc.want {
			t.Errorf("ParseSMTPURL(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
		if s := got.String(); len(tc.want.Password) > 3 && strings.Contains(s, tc.want.Password) {
			t.Errorf("String() = %q shows the password", s)
		}
	}
}

func TestNew_RefusesBadConfig(t *testing.T) {
	f := newFixture(t)
	for name, cfg := range map[string]mail.Config{
		"no public URL":    {Store: f.store, Accounts: f.store},
		"relative URL":     {Store: f.store, Accounts: f.store, PublicURL: "/app"},
		"bad sender":       {Store: f.store, Accounts: f.store, PublicURL: publicURL, From: "not an address"},
		"no store":         {Accounts: f.store, PublicURL: publicURL},
		"timeout ≥ claims": {Store: f.store, Accounts: f.store, PublicURL: publicURL, Timing: mail.Timing{SendTimeout: time.Minute, ClaimTTL: time.Minute}},
	} {
		if _, err := mail.New(cfg); err == nil {
			t.Errorf("%s: New accepted it", name)
		}
	}
	m := f.mailer("")
	if _, err := m.DeliverDue(context.Background()); err == nil {
		t.Error("DeliverDue on a mailer without SMTP did not fail")
	}
}

// dumpOutbox logs the unfinished messages with their attempts and results.
func dumpOutbox(t *testing.T, s mail.Store) {
	ms, _ := s.DueMail(context.Background(), time.Now().Add(100*time.Hour), 100)
	for _, m := range ms {
		atts, _ := s.MailAttempts(context.Background(), m.ID)
		r, ok, _ := s.MailResult(context.Background(), m.ID)
		t.Logf("pending %s: attempts %+v result %+v %v", m.ID, atts, r, ok)
	}
}

// TestMailer_UnreachableServerEndsThePass enqueues several messages while
// nothing listens: one pass tries one of them, not each in turn.
func TestMailer_UnreachableServerEndsThePass(t *testing.T) {
	f := newFixture(t)
	m := f.mailer("smtp://" + freeAddr(t))
	ctx := context.Background()
	for i := range 3 {
		if err := m.SendHearingReceipt(ctx, mail.HearingReceipt{Plan: "p1", PlanTitle: "Boligplan", Email: fmt.Sprintf("p%d@aeroy.no", i),
			Receipt: fmt.Sprintf("R-%d", i), Submitted: f.clock.Now(), Deadline: "2026-04-21"}); err != nil {
			t.Fatal(err)
		}
	}
	if n := deliver(t, m); n != 3 {
		t.Fatalf("found %d due, want 3", n)
	}
	tried := 0
	for i := range 3 {
		atts, err := f.store.MailAttempts(ctx, mail.MessageID(mail.KindHearingReceipt, "p1", fmt.Sprintf("R-%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		tried += len(atts)
	}
	if tried != 1 {
		t.Errorf("%d attempts in one pass with the server unreachable, want 1", tried)
	}
}
