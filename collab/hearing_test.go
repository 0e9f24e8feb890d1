package collab_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/temaplan/temaplan/collab"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestEaster(t *testing.T) {
	for year, want := range map[int]string{2024: "2024-03-31", 2025: "2025-04-20", 2026: "2026-04-05", 2027: "2027-03-28",
		2028: "2028-04-16", 2038: "2038-04-25", 2285: "2285-03-22", 2000: "2000-04-23"} {
		if got := collab.Easter(year).Format(time.DateOnly); got != want {
			t.Errorf("Easter(%d) = %s, want %s", year, got, want)
		}
	}
}

func TestCheckDeadline(t *testing.T) {
	start := day("2027-02-01")
	for _, tc := range []struct {
		typ      collab.PlanType
		deadline string
		code     collab.Code
	}{
		{collab.TypeKommunedelplan, "2027-03-15", ""},                         // exactly six weeks
		{collab.TypeKommunedelplan, "2027-03-14", collab.CodeHearingTooShort}, // a day short
		{collab.TypeKommunedelplan, "2027-02-15", collab.CodeHearingTooShort},
		{collab.TypeTemaplan, "2027-02-15", ""}, // a temaplan's six weeks are only a default
		{collab.TypeTemaplan, "2027-02-01", collab.CodeInvalid},
		{collab.TypeTemaplan, "2027-01-20", collab.CodeInvalid},
		{collab.TypeTemaplan, "2028-03-01", collab.CodeInvalid}, // more than a year
	} {
		err := collab.CheckDeadline(tc.typ, start, day(tc.deadline))
		if collab.ErrorCode(err) != tc.code && !(tc.code == "" && err == nil) {
			t.Errorf("%s until %s: %v, want %q", tc.typ, tc.deadline, err, tc.code)
		}
	}
	if got := collab.DefaultDeadline(start, 0); got != "2027-03-15" {
		t.Errorf("default deadline %s", got)
	}
	if got := collab.DefaultDeadline(start, 8); got != "2027-03-29" {
		t.Errorf("eight weeks: %s", got)
	}
}

func TestSuggestPadding(t *testing.T) {
	for _, tc := range []struct {
		start, deadline string
		reasons         string
		padded          string
	}{
		{"2027-01-11", "2027-02-22", "", ""},
		{"2027-06-01", "2027-07-13", "summer", "2027-08-03"},
		{"2027-05-10", "2027-06-30", "", ""}, // ends the day before July
		{"2027-07-31", "2027-09-11", "summer", "2027-10-02"},
		{"2027-11-15", "2027-12-27", "christmas", "2028-01-03"},
		{"2027-12-30", "2028-02-10", "christmas", "2028-02-17"},
		{"2027-11-01", "2027-12-23", "", ""},
		// Easter 2027 is 28 March: Palm Sunday 21 March to Easter Monday 29 March.
		{"2027-02-15", "2027-03-29", "easter", "2027-04-05"},
		{"2027-03-29", "2027-05-10", "easter", "2027-05-17"},
		{"2027-02-01", "2027-03-20", "", ""},
		{"2027-03-30", "2027-05-11", "", ""},
		// Easter 2026 is 5 April.
		{"2026-02-23", "2026-04-06", "easter", "2026-04-13"},
		// Over July and Christmas: both, four weeks.
		{"2027-06-15", "2028-01-10", "summer,christmas", "2028-02-07"},
	} {
		a := collab.SuggestPadding(day(tc.start), day(tc.deadline))
		var reasons []string
		for _, p := range a.Paddings {
			reasons = append(reasons, p.Reason)
		}
		if strings.Join(reasons, ",") != tc.reasons || a.Deadline != tc.padded {
			t.Errorf("%s–%s: %v → %q, want %q → %q", tc.start, tc.deadline, reasons, a.Deadline, tc.reasons, tc.padded)
		}
	}
}

// hearingFixture is an approved plan with a hearing service on a clock
// the test moves.
type hearingFixture struct {
	*versionFixture
	hs  *collab.Hearings
	mu  sync.Mutex
	now time.Time
}

func (f *hearingFixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *hearingFixture) set(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = t
}

var oslo, _ = time.LoadLocation("Europe/Oslo")

func newHearingFixture(t *testing.T, b backend) *hearingFixture {
	t.Helper()
	store := b.open(t)
	f := &hearingFixture{versionFixture: newVersionFixture(t, store), now: time.Date(2027, 2, 1, 9, 0, 0, 0, oslo)}
	f.hs = collab.NewHearings(collab.HearingsConfig{Plans: f.ps, Store: store.(collab.HearingStore), Now: f.clock, Zone: oslo})
	f.p = toHearing(t, f.ps, f.p.ID)
	return f
}

// start starts the hearing with its deadline six weeks after the fixture's
// today (2027-03-15), as the steering group.
func (f *hearingFixture) start(t *testing.T) *collab.Plan {
	t.Helper()
	p, err := f.hs.Start(context.Background(), collab.Actor{ID: "styret"}, f.p.ID, "2027-03-15", 0)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestHearing_DecideAndStart(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		f := newHearingFixture(t, b)
		steering := collab.Actor{ID: "styret"}

		// The register starts with the bodies DOMAIN.md names.
		p, err := f.hs.Decide(ctx, steering, f.p.ID, "Offentlig ettersyn og brev til høringsinstansene", nil)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, bd := range p.Hearing.Bodies {
			names = append(names, bd.Name)
			if bd.Status != collab.BodyPending {
				t.Errorf("%s starts %s", bd.Name, bd.Status)
			}
		}
		if got := strings.Join(names, "|"); got != "Statsforvalteren|NAV|Brukerorganisasjoner|Eldrerådet|Rådet for personer med funksjonsnedsettelse|Ungdomsrådet" {
			t.Fatalf("default bodies %s", got)
		}
		bodies := append(p.Hearing.Bodies, collab.HearingBody{Name: "Boligbyggelaget"})
		if p, err = f.hs.Decide(ctx, steering, f.p.ID, "Offentlig ettersyn", bodies); err != nil || len(p.Hearing.Bodies) != 7 {
			t.Fatalf("decide with a body added: %v", err)
		}
		for _, bad := range [][]collab.HearingBody{{{Name: ""}}, {{Name: "x", Status: "lost"}}, {{Name: "a\x00b"}}} {
			if _, err := f.hs.Decide(ctx, steering, f.p.ID, "", bad); collab.ErrorCode(err) != collab.CodeInvalid {
				t.Errorf("bodies %+v: %v, want invalid", bad, err)
			}
		}
		// Bodies' statuses are tracked during the hearing, not before.
		if _, err := f.hs.SetBodyStatus(ctx, steering, f.p.ID, "b1", collab.BodySent); err != nil {
			t.Fatalf("status before start: %v", err)
		}

		// A kommunedelplan would refuse; a temaplan takes a short hearing
		// but not a deadline before today.
		if _, err := f.hs.Start(ctx, steering, f.p.ID, "2027-01-31", 0); collab.ErrorCode(err) != collab.CodeInvalid {
			t.Fatalf("a deadline in the past: %v", err)
		}
		if cur, _ := f.ps.Get(ctx, f.p.ID); cur.Phase != collab.PhaseApproved {
			t.Fatalf("a refused start moved the plan to %s", cur.Phase)
		}
		p, err = f.hs.Start(ctx, steering, f.p.ID, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		h := p.Hearing
		if p.Phase != collab.PhaseHearing || h.Start != "2027-02-01" || h.Deadline != "2027-03-15" || len(h.Token) < 32 {
			t.Fatalf("started: phase %s, hearing %+v", p.Phase, h)
		}
		// The deadline day ends at midnight in Oslo.
		if want := time.Date(2027, 3, 16, 0, 0, 0, 0, oslo); !h.Closes.Equal(want) {
			t.Fatalf("closes %v, want %v", h.Closes, want)
		}
		v, ok := p.FindVersion(collab.HearingDraftName)
		if !ok || h.Version != v.Seq {
			t.Fatalf("the public version is %d, the Høringsutkast %+v", h.Version, v)
		}
		if h.Bodies[0].Status != collab.BodySent || len(h.Bodies) != 7 {
			t.Fatalf("the register after start: %+v", h.Bodies)
		}
		if _, err := f.hs.Start(ctx, steering, f.p.ID, "", 0); collab.ErrorCode(err) != collab.CodeWrongPhase {
			t.Fatalf("a second start: %v", err)
		}
		if got, err := f.hs.PlanForToken(ctx, h.Token); err != nil || got.ID != p.ID {
			t.Fatalf("PlanForToken: %v", err)
		}
		for _, tok := range []string{"", "x", strings.ToUpper(h.Token), h.Token + "a"} {
			if _, err := f.hs.PlanForToken(ctx, tok); collab.ErrorCode(err) != collab.CodeNotFound {
				t.Errorf("token %q: %v, want not_found", tok, err)
			}
		}
		if p, err = f.hs.SetBodyStatus(ctx, collab.Actor{ID: leader}, p.ID, "b2", collab.BodyReminded); err != nil || p.Hearing.Bodies[1].Status != collab.BodyReminded {
			t.Fatalf("remind NAV: %v", err)
		}
		if _, err := f.hs.SetBodyStatus(ctx, collab.Actor{ID: leader}, p.ID, "b99", collab.BodyAnswered); collab.ErrorCode(err) != collab.CodeNotFound {
			t.Fatalf("an unknown body: %v", err)
		}
		// The log folds to the same hearing on a fresh node.
		again, err := newPlans(t, f.store, newBus(t)).Get(ctx, p.ID)
		if err != nil || again.Hearing == nil || again.Hearing.Token != h.Token || again.Hearing.Bodies[1].Status != collab.BodyReminded {
			t.Fatalf("folded hearing %+v (%v)", again.Hearing, err)
		}
	})
}

func TestHearing_KommunedelplanMinimum(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		store := b.open(t)
		ps, _ := newPlansWithEngine(t, store, newBus(t))
		now := time.Date(2027, 2, 1, 12, 0, 0, 0, oslo)
		hs := collab.NewHearings(collab.HearingsConfig{Plans: ps, Store: store.(collab.HearingStore), Now: func() time.Time { return now }, Zone: oslo})
		p, err := ps.Create(ctx, "admin", collab.NewPlan{Title: "Kommunedelplan bolig", Municipality: "m", Type: collab.TypeKommunedelplan})
		if err != nil {
			t.Fatal(err)
		}
		toHearing(t, ps, p.ID)
		for _, tc := range []struct {
			deadline string
			weeks    int
		}{{"2027-03-14", 0}, {"", 5}, {"2027-02-20", 0}} {
			if _, err := hs.Start(ctx, collab.Actor{ID: "styret"}, p.ID, tc.deadline, tc.weeks); collab.ErrorCode(err) != collab.CodeHearingTooShort {
				t.Errorf("deadline %q weeks %d: %v, want hearing_too_short", tc.deadline, tc.weeks, err)
			}
		}
		if p, err = hs.Start(ctx, collab.Actor{ID: "styret"}, p.ID, "2027-03-15", 0); err != nil || p.Phase != collab.PhaseHearing {
			t.Fatalf("six weeks: %v", err)
		}
	})
}

func TestHearing_ResponsesAndModeration(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		f := newHearingFixture(t, b)
		p := f.start(t)
		for _, tc := range []struct {
			in   collab.ResponseInput
			code collab.Code
		}{
			{collab.ResponseInput{Text: "  "}, collab.CodeInvalid},
			{collab.ResponseInput{Text: strings.Repeat("a", 20_001)}, collab.CodeTooLarge},
			{collab.ResponseInput{Text: "ok", Name: strings.Repeat("n", 201)}, collab.CodeTooLarge},
			{collab.ResponseInput{Text: "ok", Email: "not-an-address"}, collab.CodeInvalid},
			{collab.ResponseInput{Text: "ok", Email: "a@b.no\nBcc: x@y.no"}, collab.CodeInvalid},
			{collab.ResponseInput{Text: "ok", Name: "a\x00b"}, collab.CodeInvalid},
			{collab.ResponseInput{Text: "ok", Section: "no-such-section"}, collab.CodeInvalid},
		} {
			if _, err := f.hs.Respond(ctx, p, tc.in); collab.ErrorCode(err) != tc.code {
				t.Errorf("%+v: %v, want %s", tc.in, err, tc.code)
			}
		}
		seen := map[string]bool{}
		var first collab.HearingResponse
		for i := range 3 {
			r, err := f.hs.Respond(ctx, p, collab.ResponseInput{Name: "Kari", Organisation: "Eldrerådet", Email: "kari@example.no",
				Text: "<script>alert(1)</script>\nMer tekst", Section: f.intro, Quote: "trygt og godt sted"})
			if err != nil {
				t.Fatal(err)
			}
			if seen[r.ID] || len(r.ID) != 19 {
				t.Fatalf("receipt %q (seen %v)", r.ID, seen)
			}
			seen[r.ID] = true
			if i == 0 {
				first = r
			}
		}
		if first.Text != "<script>alert(1)</script>\nMer tekst" || !strings.Contains(first.Subject, "Boligplan") || first.Sender() != "Kari, Eldrerådet" {
			t.Fatalf("stored %+v", first)
		}
		// Each response is announced in the plan log with its journal metadata only.
		log, err := f.ps.Log(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if last := log[len(log)-1]; last.Kind != "hearing.response" || strings.Contains(string(last.Data), "script") || !strings.Contains(string(last.Data), "Kari, Eldrerådet") {
			t.Fatalf("announcement %s %s", last.Kind, last.Data)
		}
		cur, _ := f.ps.Get(ctx, p.ID)
		if cur.Hearing.Received != 3 {
			t.Fatalf("received %d", cur.Hearing.Received)
		}

		// Held until moderated; a decision is made once.
		if pub, err := f.hs.Published(ctx, p.ID); err != nil || len(pub) != 0 {
			t.Fatalf("published before moderation: %v %v", pub, err)
		}
		me := collab.Actor{ID: leader}
		if _, err := f.hs.Moderate(ctx, me, p.ID, first.ID, "maybe"); collab.ErrorCode(err) != collab.CodeInvalid {
			t.Fatalf("a bad decision: %v", err)
		}
		if _, err := f.hs.Moderate(ctx, me, p.ID, "AAAA-AAAA-AAAA-AAAA", collab.ModerationPublished); collab.ErrorCode(err) != collab.CodeNotFound {
			t.Fatalf("an unknown response: %v", err)
		}
		refuse := collab.Actor{ID: "mats", Check: func(*collab.Plan) error { return collab.Errorf(collab.CodeForbidden, "no") }}
		if _, err := f.hs.Moderate(ctx, refuse, p.ID, first.ID, collab.ModerationPublished); collab.ErrorCode(err) != collab.CodeForbidden {
			t.Fatalf("moderation refused by the check: %v", err)
		}
		if _, err := f.hs.Moderate(ctx, me, p.ID, first.ID, collab.ModerationPublished); err != nil {
			t.Fatal(err)
		}
		if _, err := f.hs.Moderate(ctx, me, p.ID, first.ID, collab.ModerationRejected); collab.ErrorCode(err) != collab.CodeConflict {
			t.Fatalf("a second decision: %v", err)
		}
		pub, err := f.hs.Published(ctx, p.ID)
		if err != nil || len(pub) != 1 || pub[0].ID != first.ID {
			t.Fatalf("published %+v %v", pub, err)
		}

		// The deadline day is open to its last minute, then closed.
		f.set(time.Date(2027, 3, 15, 23, 59, 0, 0, oslo))
		if _, err := f.hs.Respond(ctx, p, collab.ResponseInput{Text: "sent i elvte time"}); err != nil {
			t.Fatalf("on the deadline day: %v", err)
		}
		f.set(time.Date(2027, 3, 16, 0, 0, 0, 0, oslo))
		if _, err := f.hs.Respond(ctx, p, collab.ResponseInput{Text: "for sent"}); collab.ErrorCode(err) != collab.CodeHearingClosed {
			t.Fatalf("after the deadline: %v, want hearing_closed", err)
		}
		all, _ := f.hs.Responses(ctx, p.ID)
		if len(all) != 4 {
			t.Fatalf("%d responses stored", len(all))
		}
	})
}

func TestHearing_TextIsFrozen(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		f := newHearingFixture(t, b)
		p, err := f.hs.Start(ctx, collab.Actor{ID: "styret"}, f.p.ID, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		// After the hearing the leader revises the text.
		if _, err := f.ps.Step(ctx, "styret", p.ID, step(collab.Step{Action: "close_hearing", To: collab.PhaseProcessing})); err != nil {
			t.Fatal(err)
		}
		setText(t, f.e, f.intro, leader, heavilyEdited)
		cur, _ := f.ps.Get(ctx, p.ID)
		_, vc, texts, err := f.hs.HearingText(ctx, cur)
		if err != nil {
			t.Fatal(err)
		}
		got := docText(t, texts[f.intro])
		if !strings.Contains(got, "Husbankens veileder") || strings.Contains(got, "120 nye utleieboliger") {
			t.Fatalf("the hearing text is %q", got)
		}
		if len(vc.Measures) != 1 {
			t.Fatalf("frozen measures %+v", vc.Measures)
		}
	})
}
