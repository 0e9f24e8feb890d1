package mail_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/mail"
	"github.com/temaplan/temaplan/mail/mailtest"
)

// TestDigest_OneMessagePerPersonPerDay holds the notifications of a person
// who chose the daily digest and sends them the next morning, in one
// message per day, once.
func TestDigest_OneMessagePerPersonPerDay(t *testing.T) {
	f := newFixture(t)
	srv := mailtest.Start(t, mailtest.Options{})
	m := f.mailer(srv.URL())
	ctx := context.Background()
	author := f.user("kari@aeroy.no", "Kari")
	bo := f.user("bo@aeroy.no", "Bo")
	eva := f.user("eva@aeroy.no", "Eva")
	for _, u := range []string{bo.ID, eva.ID} {
		if _, err := m.SetPrefs(ctx, u, mail.PrefsPatch{Mode: new(mail.ModeDigest)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.SetPrefs(ctx, eva.ID, mail.PrefsPatch{Lang: new(mail.LangNN)}); err != nil {
		t.Fatal(err)
	}
	p, c := mentionPlan(author, bo, eva)
	round := &collab.Round{ID: "r1", Recipients: []string{bo.ID}, Deadline: "2026-03-20", SentBy: author.ID, Message: "Les kapittel 2"}
	// Tuesday 10 March: a mention (twice: one item) and a round request.
	for range 2 {
		if err := m.Mention(ctx, p, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.RoundRequest(ctx, p, round); err != nil {
		t.Fatal(err)
	}
	// Wednesday 11 March: another mention of Bo.
	f.clock.Advance(24 * time.Hour)
	c2 := &collab.Comment{ID: "c2", Thread: "c1", Author: author.ID, Body: "Og studenter?", Mentions: []string{bo.ID}}
	p.Comments = append(p.Comments, c2)
	if err := m.Mention(ctx, p, c2); err != nil {
		t.Fatal(err)
	}
	if n := depth(t, m); n != 0 {
		t.Fatalf("depth %d: a digest person's notifications are held, not sent", n)
	}

	// Wednesday 06:00 is before the digest hour; 07:00 sends Tuesday's.
	f.clock.Set(time.Date(2026, 3, 11, 6, 59, 0, 0, f.zone))
	if err := m.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if n := depth(t, m); n != 0 {
		t.Fatalf("depth %d before the digest hour, want 0", n)
	}
	f.clock.Set(time.Date(2026, 3, 11, 7, 0, 0, 0, f.zone))
	for range 2 {
		if err := m.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	deliver(t, m)
	msgs := srv.Wait(t, 2, 5*time.Second)
	byTo := map[string]mailtest.Message{}
	for _, msg := range msgs {
		byTo[msg.To[0]] = msg
	}
	got := byTo[bo.Email]
	if got.Subject != "Varsler fra Temaplan 10. mars 2026" {
		t.Errorf("Bo's digest: %q", got.Subject)
	}
	contains(t, "Bo's digest", got.Text, "Her er varslene dine fra 10. mars 2026:",
		"* Kari nevnte deg i «Boligplan for Ærøy»", "Kari: «Hva med særskilte grupper?", publicURL+"/plans/p1/sections/s1",
		"* Gjennomlesning av «Boligplan for Ærøy» innen 20. mars 2026", "Kari ber deg lese gjennom innen 20. mars 2026.", publicURL+"/plans/p1/fremdrift")
	if strings.Contains(got.Text, "Og studenter") {
		t.Error("Wednesday's mention is in Tuesday's digest")
	}
	got = byTo[eva.Email]
	if got.Subject != "Varsel frå Temaplan 10. mars 2026" || strings.Count(got.Text, "* ") != 1 {
		t.Errorf("Eva's digest: %q\n%s", got.Subject, got.Text)
	}

	// Thursday: Wednesday's digest, for Bo only; nothing sent twice.
	f.clock.Set(time.Date(2026, 3, 12, 8, 0, 0, 0, f.zone))
	if err := m.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	deliver(t, m)
	msgs = srv.Wait(t, 3, 5*time.Second)
	if len(msgs) != 3 || msgs[2].To[0] != bo.Email || !strings.Contains(msgs[2].Text, "Og studenter?") || msgs[2].Subject != "Varsler fra Temaplan 11. mars 2026" {
		t.Errorf("Thursday: %d messages, the last %q to %v:\n%s", len(msgs), msgs[len(msgs)-1].Subject, msgs[len(msgs)-1].To, msgs[len(msgs)-1].Text)
	}
	if err := m.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if n := depth(t, m); n != 0 {
		t.Errorf("depth %d after another tick, want 0", n)
	}
}

// TestReminder_DayBeforeTheDeadline makes a review round in a real plan
// and ticks: the recipient who has not answered is reminded the day
// before the deadline, once, and the one who answered is not.
func TestReminder_DayBeforeTheDeadline(t *testing.T) {
	f := newFixture(t)
	srv := mailtest.Start(t, mailtest.Options{})
	m := f.mailer(srv.URL())
	ctx := context.Background()
	leader := f.user("kari@aeroy.no", "Kari Leder")
	bo := f.user("bo@aeroy.no", "Bo")
	eva := f.user("eva@aeroy.no", "Eva")
	p, err := f.plans.Create(ctx, leader.ID, collab.NewPlan{Title: "Boligplan for Ærøy", Municipality: "m1", Members: []collab.Member{
		{User: leader.ID, Roles: []string{collab.RoleLeader}}, {User: bo.ID, Roles: []string{"member"}}, {User: eva.ID, Roles: []string{"reader"}}}})
	if err != nil {
		t.Fatal(err)
	}
	_, round, err := collab.Save[*collab.Round](ctx, f.plans, collab.Actor{ID: leader.ID}, p.ID, "", collab.RoundInput{
		Recipients: &[]string{bo.ID, eva.ID}, Deadline: new("2026-03-13"), Sections: &[]string{p.Sections[0].ID}, Message: new("Les før møtet")})
	if err != nil {
		t.Fatal(err)
	}
	p, err = f.plans.Get(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.RoundRequest(ctx, p, round); err != nil {
		t.Fatal(err)
	}
	deliver(t, m)
	msgs := srv.Wait(t, 2, 5*time.Second)
	contains(t, "the request", msgs[0].Text, "Kari Leder ber deg lese gjennom «Boligplan for Ærøy» innen 13. mars 2026.",
		"Delene det gjelder:\n  – "+p.Sections[0].Title, "Melding fra Kari Leder:\n  Les før møtet", publicURL+"/plans/"+p.ID+"/fremdrift")
	if _, err := f.plans.AnswerRound(ctx, collab.Actor{ID: eva.ID}, p.ID, round.ID, "Lest"); err != nil {
		t.Fatal(err)
	}

	// Wednesday 11th: two days before, nothing. Thursday 12th: Bo.
	f.clock.Set(time.Date(2026, 3, 11, 9, 0, 0, 0, f.zone))
	if err := m.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if n := depth(t, m); n != 0 {
		t.Fatalf("depth %d two days before the deadline", n)
	}
	f.clock.Set(time.Date(2026, 3, 12, 0, 30, 0, 0, f.zone))
	for range 3 {
		if err := m.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	deliver(t, m)
	msgs = srv.Wait(t, 3, 5*time.Second)
	if len(msgs) != 3 || msgs[2].To[0] != bo.Email || msgs[2].Subject != "Påminnelse: gjennomlesning av «Boligplan for Ærøy» innen i morgen" {
		t.Fatalf("%d messages, the last %q to %v", len(msgs), msgs[len(msgs)-1].Subject, msgs[len(msgs)-1].To)
	}
	contains(t, "the reminder", msgs[2].Text, "Fristen for å lese gjennom «Boligplan for Ærøy» er i morgen, 13. mars 2026.")
	f.clock.Set(time.Date(2026, 3, 12, 23, 0, 0, 0, f.zone))
	if err := m.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if n := depth(t, m); n != 0 {
		t.Errorf("depth %d after another tick the same day, want 0", n)
	}
}
