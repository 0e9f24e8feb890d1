package collab_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/temaplan/temaplan/collab"
)

// TestProcessing_CloseAssessAdopt goes through Fase 3 in collab: responses,
// the close refused until the deadline day has ended, the assessments
// (validated, replaced, none for a rejected response), the table, the
// decision without amendments that adopts the plan with "Vedtatt plan"
// frozen and a public token in the one entry.
func TestProcessing_CloseAssessAdopt(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		f := newHearingFixture(t, b)
		styret, lene := collab.Actor{ID: "styret"}, collab.Actor{ID: leader}
		p, err := f.hs.Start(ctx, styret, f.p.ID, "2027-03-15", 0)
		if err != nil {
			t.Fatal(err)
		}
		var receipts []string
		for _, text := range []string{"Flere utleieboliger", "Bedre kollektivtilbud", "reklame"} {
			r, err := f.hs.Respond(ctx, p, collab.ResponseInput{Name: "Ola", Text: text})
			if err != nil {
				t.Fatal(err)
			}
			receipts = append(receipts, r.ID)
		}
		if _, err := f.hs.Moderate(ctx, lene, p.ID, receipts[2], collab.ModerationRejected); err != nil {
			t.Fatal(err)
		}

		// Assessments, during the hearing already.
		for _, bad := range []struct{ outcome, reason string }{
			{"yes", "grunn"}, {"", "grunn"}, {collab.OutcomeTaken, ""}, {collab.OutcomeTaken, " \n "},
			{collab.OutcomeTaken, strings.Repeat("x", 4001)}, {collab.OutcomeTaken, "a\x00b"},
		} {
			if _, err := f.hs.Assess(ctx, lene, p.ID, receipts[0], bad.outcome, bad.reason); collab.ErrorCode(err) != collab.CodeInvalid {
				t.Errorf("assessment %q/%q: %v, want invalid", bad.outcome, truncate(bad.reason), err)
			}
		}
		if _, err := f.hs.Assess(ctx, lene, p.ID, "NOPE", collab.OutcomeNot, "x"); collab.ErrorCode(err) != collab.CodeNotFound {
			t.Errorf("unknown response: %v", err)
		}
		if _, err := f.hs.Assess(ctx, lene, p.ID, receipts[2], collab.OutcomeNot, "Reklame"); collab.ErrorCode(err) != collab.CodeConflict {
			t.Errorf("rejected response: %v", err)
		}
		denied := collab.Actor{ID: "leser", Check: func(*collab.Plan) error { return collab.Errorf(collab.CodeForbidden, "no") }}
		if _, err := f.hs.Assess(ctx, denied, p.ID, receipts[0], collab.OutcomeNot, "x"); collab.ErrorCode(err) != collab.CodeForbidden {
			t.Errorf("a refused actor: %v", err)
		}
		if p, err = f.hs.Assess(ctx, collab.Actor{ID: "medlem"}, p.ID, receipts[0], collab.OutcomeTaken, "  Tatt inn.\n"); err != nil {
			t.Fatal(err)
		}
		if a := p.Hearing.Assessments[receipts[0]]; a.Outcome != collab.OutcomeTaken || a.Reason != "Tatt inn." || a.By != "medlem" {
			t.Fatalf("assessment %+v", a)
		}

		// Closing waits for the end of the deadline day in Oslo.
		f.set(time.Date(2027, 3, 15, 23, 59, 0, 0, oslo))
		if _, err := f.hs.Close(ctx, styret, p.ID); collab.ErrorCode(err) != collab.CodeHearingNotOver {
			t.Fatalf("close on the deadline day: %v", err)
		}
		f.set(time.Date(2027, 3, 16, 0, 0, 0, 0, oslo))
		if p, err = f.hs.Close(ctx, styret, p.ID); err != nil || p.Phase != collab.PhaseProcessing || p.LockSeq != 0 {
			t.Fatalf("close: %v", err)
		}
		if _, err := f.hs.Close(ctx, styret, p.ID); collab.ErrorCode(err) != collab.CodeWrongPhase {
			t.Fatalf("a second close: %v", err)
		}
		// The text is open again.
		setText(t, f.e, f.intro, leader, hearingText+" Ferdigstilt.")

		rows, missing, err := f.hs.AssessmentTable(ctx, p)
		if err != nil || missing != 1 || len(rows) != 2 {
			t.Fatalf("table: %v, %d missing, %+v", err, missing, rows)
		}
		for _, r := range rows {
			if r.Receipt == receipts[2] || r.Sender != "Ola" {
				t.Errorf("row %+v", r)
			}
		}
		// A later assessment replaces the earlier; the log keeps both.
		if p, err = f.hs.Assess(ctx, lene, p.ID, receipts[0], collab.OutcomePartly, "Delvis."); err != nil {
			t.Fatal(err)
		}
		if p, err = f.hs.Assess(ctx, lene, p.ID, receipts[1], collab.OutcomeNot, "Utenfor planens tema."); err != nil {
			t.Fatal(err)
		}
		if n, err := f.hs.MissingAssessments(ctx, p); err != nil || n != 0 || p.Hearing.Assessments[receipts[0]].Outcome != collab.OutcomePartly {
			t.Fatalf("after the second round: %d missing (%v), %+v", n, err, p.Hearing.Assessments)
		}
		log, err := f.ps.Log(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range log {
			if e.Kind == "hearing.assessment" {
				n++
			}
		}
		if n != 3 {
			t.Fatalf("%d assessment entries, want 3", n)
		}

		// Final review; the decision is recorded there only.
		good := collab.DecisionInput{Date: "2027-04-20", Body: "Kommunestyret", CaseNumber: "2027/55"}
		f.set(time.Date(2027, 4, 20, 12, 0, 0, 0, oslo))
		if _, err := f.hs.RecordDecision(ctx, lene, p.ID, good); collab.ErrorCode(err) != collab.CodeWrongPhase {
			t.Fatalf("a decision in processing: %v", err)
		}
		if _, err := f.ps.Step(ctx, "styret", p.ID, step(collab.Step{Action: "lock", To: collab.PhaseFinalReview})); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []collab.DecisionInput{
			{Date: "2027-04-21", Body: "Kommunestyret", CaseNumber: "2027/55"},
			{Date: "20.04.2027", Body: "Kommunestyret", CaseNumber: "2027/55"},
			{Date: "2027-04-20", Body: "", CaseNumber: "2027/55"},
			{Date: "2027-04-20", Body: "Kommunestyret", CaseNumber: strings.Repeat("9", 65)},
			{Date: "2027-04-20", Body: "Kommunestyret", CaseNumber: "2027/55", Amendments: "a\x01"},
		} {
			if _, err := f.hs.RecordDecision(ctx, lene, p.ID, bad); collab.ErrorCode(err) != collab.CodeInvalid {
				t.Errorf("decision %+v: %v, want invalid", bad, err)
			}
		}
		// The head is past the lock marker; the version is at the marker.
		lockedHead, _, err := f.e.Snapshot(ctx, f.intro)
		if err != nil {
			t.Fatal(err)
		}
		p, err = f.hs.RecordDecision(ctx, lene, p.ID, good)
		if err != nil {
			t.Fatal(err)
		}
		v, ok := p.FindVersion(collab.AdoptedName)
		if p.Phase != collab.PhaseAdopted || p.Decision == nil || p.Decision.RecordedBy != leader || p.Decision.Date != "2027-04-20" ||
			p.Adoption == nil || !ok || p.Adoption.Version != v.Seq || v.Seq != p.Seq || len(p.Adoption.Token) != 32 {
			t.Fatalf("adopted: %s %+v %+v %+v", p.Phase, p.Decision, p.Adoption, v)
		}
		if v.Sections[f.intro] != p.Locked[f.intro] || v.Sections[f.intro] >= lockedHead {
			t.Fatalf("the adopted version holds the intro at %d, the lock at %d", v.Sections[f.intro], p.Locked[f.intro])
		}
		_, _, texts, err := f.hs.AdoptedText(ctx, p)
		if err != nil || docText(t, texts[f.intro]) != hearingText+" Ferdigstilt." {
			t.Fatalf("adopted text %q (%v)", docText(t, texts[f.intro]), err)
		}
		if got, err := f.hs.PlanForAdoptionToken(ctx, p.Adoption.Token); err != nil || got.ID != p.ID {
			t.Fatalf("token lookup: %v", err)
		}
		for _, tok := range []string{"", "x", p.Hearing.Token, strings.ToUpper(p.Adoption.Token)} {
			if _, err := f.hs.PlanForAdoptionToken(ctx, tok); collab.ErrorCode(err) != collab.CodeNotFound {
				t.Errorf("token %q: %v, want not_found", tok, err)
			}
		}
		// The state folded from the log is the same.
		fresh := collab.NewPlans(collab.PlansConfig{Store: f.store})
		if again, err := fresh.Get(ctx, p.ID); err != nil || again.Adoption == nil || *again.Adoption != *p.Adoption ||
			again.Decision == nil || *again.Decision != *p.Decision {
			t.Fatalf("folded again: %v", err)
		}
	})
}

func truncate(s string) string {
	if len(s) > 20 {
		return s[:20] + "…"
	}
	return s
}

// TestRullering_CopiesTheAdoptedPlan checks what a rullering carries over
// and that a second one is refused.
func TestRullering_CopiesTheAdoptedPlan(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		store := b.open(t)
		f := newVersionFixture(t, store)
		lene := collab.Actor{ID: leader}
		p := f.p
		goal := p.Goals[0].ID
		name := "Andel unge som eier"
		targets, baseline := []collab.Point{{Value: 40, Year: p.Period.To}}, collab.Point{Value: 12, Year: p.Period.From - 2}
		p, ind, err := collab.Save[*collab.Indicator](ctx, f.ps, lene, p.ID, "", collab.IndicatorInput{Goal: &goal, Name: &name,
			Targets: &targets, Baseline: &baseline})
		if err != nil {
			t.Fatal(err)
		}
		if p, err = f.ps.ReportIndicator(ctx, lene, p.ID, 0, ind.ID, fmt.Sprintf("%d-06-30", p.Period.From), 18, "Første måling"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.ps.StartRullering(ctx, lene, p.ID, ""); collab.ErrorCode(err) != collab.CodeWrongPhase {
			t.Fatalf("rullering of a draft: %v", err)
		}
		adopt(t, f.ps, store, p.ID)
		// After the adoption nothing changes the adopted text; the new
		// plan's text is its own.
		old, err := f.ps.StartRullering(ctx, collab.Actor{ID: "x", Check: func(*collab.Plan) error {
			return collab.Errorf(collab.CodeForbidden, "no")
		}}, p.ID, "")
		if collab.ErrorCode(err) != collab.CodeForbidden || old != nil {
			t.Fatalf("a refused actor: %v", err)
		}
		if _, err := f.ps.StartRullering(ctx, lene, p.ID, "a\x00b"); collab.ErrorCode(err) != collab.CodeInvalid {
			t.Fatalf("a bad title: %v", err)
		}
		np, err := f.ps.StartRullering(ctx, lene, p.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		p, _ = f.ps.Get(ctx, p.ID)
		v, _ := p.FindVersion(collab.AdoptedName)
		if np.ID != collab.RulleringID(p.ID) || np.Phase != collab.PhaseDraft || np.Leader() != leader ||
			np.Title != fmt.Sprintf("Boligplan (rullering %d)", time.Now().Year()) ||
			np.Previous == nil || *np.Previous != (collab.PlanLink{PlanID: p.ID, Title: p.Title, Version: v.Seq}) {
			t.Fatalf("new plan %+v previous %+v", np, np.Previous)
		}
		if p.Next == nil || p.Next.PlanID != np.ID || p.Next.Title != np.Title {
			t.Fatalf("next %+v", p.Next)
		}
		if np.SectionCount() != p.SectionCount() || np.Sections[0].Title != p.Sections[0].Title || np.Sections[0].ID == p.Sections[0].ID {
			t.Fatalf("outline not copied with new ids")
		}
		_, d, err := f.e.Snapshot(ctx, np.Sections[0].ID)
		if err != nil || docText(t, d) != hearingText {
			t.Fatalf("copied text %q (%v)", docText(t, d), err)
		}
		_, d, _ = f.e.Snapshot(ctx, np.Sections[1].ID)
		if docText(t, d) != "Nasjonale føringer gjelder." {
			t.Fatalf("second section %q", docText(t, d))
		}
		area := np.TargetAreas()[0].ID
		if len(np.Goals) != 1 || np.Goals[0].TargetArea != area || len(np.Measures) != 1 || np.Measures[0].TargetArea != area ||
			np.Measures[0].Costs[0].Investment != 1_500_000 || len(np.Indicators) != 1 || len(np.Indicators[0].Reports) != 1 ||
			np.Indicators[0].Reports[0].Value != 18 {
			t.Fatalf("content %+v %+v %+v", np.Goals, np.Measures, np.Indicators)
		}
		// The new plan is an ordinary draft: its content changes.
		title := "Endret mål"
		if _, _, err := collab.Save[*collab.Goal](ctx, f.ps, lene, np.ID, np.Goals[0].ID, collab.GoalInput{Title: &title}); err != nil {
			t.Fatalf("edit the copied goal: %v", err)
		}
		setText(t, f.e, np.Sections[0].ID, leader, "Ny tekst.")
		_, _, texts, err := f.ps.ReadVersionText(ctx, p, v.Seq)
		if err != nil || docText(t, texts[f.intro]) != hearingText {
			t.Fatalf("the adopted version changed: %q (%v)", docText(t, texts[f.intro]), err)
		}
		// Once only.
		if _, err := f.ps.StartRullering(ctx, collab.Actor{ID: "admin"}, p.ID, "Igjen"); collab.ErrorCode(err) != collab.CodeConflict {
			t.Fatalf("a second rullering: %v", err)
		}
	})
}

// adopt takes the plan from draft to adopted without a hearing: the
// process steps as Step takes them, with an adoption token.
func adopt(t *testing.T, ps *collab.Plans, store collab.Store, planID string) {
	t.Helper()
	ctx := context.Background()
	hs := collab.NewHearings(collab.HearingsConfig{Plans: ps, Store: store.(collab.HearingStore)})
	a, err := hs.NewAdoption(ctx, planID)
	if err != nil {
		t.Fatal(err)
	}
	walk(t, ps, planID, append(toFinalReview(),
		collab.Step{Action: "record_decision", To: collab.PhaseAdopted, Freeze: collab.AdoptedName, Adoption: a,
			Decision: &collab.Decision{Date: "2027-01-01", Body: "Kommunestyret", CaseNumber: "1"}})...)
}
