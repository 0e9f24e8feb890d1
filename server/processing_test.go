package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/delta"
	"github.com/temaplan/temaplan/collab/mongo"
	"github.com/temaplan/temaplan/collab/mongo/mongotest"
	"github.com/temaplan/temaplan/collab/sqlite"
	"github.com/temaplan/temaplan/server"
)

// eachClockedStore runs fn on a SQLite and a MongoDB test server whose
// hearings run on clock, in the Europe/Oslo time zone.
func eachClockedStore(t *testing.T, fn func(t *testing.T, ts *testServer, clock *hearingClock, hs *collab.Hearings)) {
	start := func(t *testing.T, store collab.Store, clock *hearingClock) {
		oslo, err := time.LoadLocation("Europe/Oslo")
		if err != nil {
			t.Fatal(err)
		}
		var hs *collab.Hearings
		ts := newTestServerOn(t, store, func(cfg *server.Config) {
			hs = collab.NewHearings(collab.HearingsConfig{Plans: cfg.Plans, Store: store.(collab.HearingStore), Now: clock.Now, Zone: oslo})
			cfg.Hearings = hs
		})
		fn(t, ts, clock, hs)
	}
	t.Run("sqlite", func(t *testing.T) {
		store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "temaplan.db"), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		clock := &hearingClock{now: time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC)}
		start(t, store, clock)
	})
	t.Run("mongo", func(t *testing.T) {
		mongoServer.once.Do(func() { mongoServer.srv, mongoServer.err = mongotest.Start(context.Background()) })
		if mongoServer.err != nil {
			t.Fatal(mongoServer.err)
		}
		store, err := mongo.Open(context.Background(), mongoServer.srv.URI(), mongotest.DB(t, mongoServer.srv), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		clock := &hearingClock{now: time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC)}
		start(t, store, clock)
	})
}

// assessmentTableView is GET …/hearing/assessments as JSON.
type assessmentTableView struct {
	Items   []collab.AssessmentRow `json:"items"`
	Missing int                    `json:"missing"`
}

// TestProcessing_Walk goes through Fase 3 over the HTTP routes: a hearing
// with three responses, its close (refused before the deadline day has
// ended), the assessments, the lock refused while one is missing, the
// council's decision with amendments written in, the adoption that
// freezes "Vedtatt plan", and the rullering into a new draft.
func TestProcessing_Walk(t *testing.T) { eachClockedStore(t, testProcessingWalk) }

func testProcessingWalk(t *testing.T, ts *testServer, clock *hearingClock, hs *collab.Hearings) {
	ctx := context.Background()
	f := newFase1(t, ts)
	id := f.plan.ID
	base := "/api/plans/" + id
	sid := firstSection(f.plan)
	writeAs(t, ts, sid, f.lise.ID, draftText)

	// Structured content, to be carried over by the rullering.
	area := f.plan.TargetAreas()[0].ID
	from := f.plan.Period.From
	made := func(path, key string, body map[string]any) string {
		t.Helper()
		rec := ts.doAs(f.lise.Token, http.MethodPost, base+"/"+path, jsonOf(body))
		if rec.Code != http.StatusCreated {
			t.Fatalf("make %s: %d %s", key, rec.Code, rec.Body)
		}
		var obj struct{ ID string }
		if err := json.Unmarshal(decode[map[string]json.RawMessage](t, rec)[key], &obj); err != nil {
			t.Fatalf("make %s: %v", key, err)
		}
		return obj.ID
	}
	goal := made("goals", "goal", map[string]any{"target_area": area, "title": "Flere unge eier egen bolig"})
	made("measures", "measure", map[string]any{"target_area": area, "title": "Startlån til unge", "goals": []string{goal},
		"costs": []map[string]any{{"year": from, "investment": 1_000_000, "operating": 0}}})
	indicator := made("indicators", "indicator", map[string]any{"goal": goal, "name": "Andel unge som eier",
		"baseline": map[string]any{"value": 12, "year": from - 2}, "targets": []map[string]any{{"value": 40, "year": from + 3}}})
	if rec := ts.doAs(f.lise.Token, http.MethodPost, base+"/indicators/"+indicator+"/reports",
		fmt.Sprintf(`{"date":"%d-06-30","value":18}`, from)); rec.Code/100 != 2 {
		t.Fatalf("report: %d %s", rec.Code, rec.Body)
	}

	// Fase 1 and the hearing, deadline 20 April 2027.
	wantPlan(t, "lock", stepAs(ts, f.styre.Token, id, "lock", ""))
	wantPlan(t, "steering approves", stepAs(ts, f.styre.Token, id, "approve", ""))
	wantPlan(t, "political approves", stepAs(ts, f.politi.Token, id, "approve", ""))
	wantPlan(t, "decide", ts.doAs(f.styre.Token, http.MethodPut, base+"/hearing", `{"form":"Offentlig ettersyn"}`))
	rec := ts.doAs(f.styre.Token, http.MethodPost, base+"/hearing/start", `{"deadline":"2027-04-20"}`)
	wantPlan(t, "start", rec)
	page := "/h/" + decode[hearingState](t, rec).Hearing.Token
	var receipts []string
	for i, text := range []string{"Flere boliger i sentrum", "Husk universell utforming", "kjøp billig nå"} {
		rec := postResponse(ts, page, fmt.Sprintf("198.51.100.%d", i+1), url.Values{"name": {"Innbygger"}, "text": {text}})
		if rec.Code != http.StatusOK {
			t.Fatalf("respond: %d %s", rec.Code, rec.Body)
		}
		receipts = append(receipts, between(rec.Body.String(), "Kvitteringsnummer: <strong>", "</strong>"))
	}
	// The third is spam: rejected, so it needs no assessment and takes none.
	if rec := ts.doAs(f.lise.Token, http.MethodPost, base+"/hearing/responses/"+receipts[2]+"/moderation", `{"decision":"rejected"}`); rec.Code != http.StatusOK {
		t.Fatalf("reject: %d %s", rec.Code, rec.Body)
	}

	// Assessments: during the hearing already, by the leader or a member.
	assess := func(token, receipt, body string) *httptest.ResponseRecorder {
		return ts.doAs(token, http.MethodPut, base+"/hearing/responses/"+receipt+"/assessment", body)
	}
	p := wantPlan(t, "assess", assess(f.medl.Token, receipts[0], `{"outcome":"taken","reason":"Tatt inn i kapittel 3."}`))
	if a := p.Hearing.Assessments[receipts[0]]; a.Outcome != collab.OutcomeTaken || a.By != f.medl.ID || a.Reason != "Tatt inn i kapittel 3." {
		t.Fatalf("assessment %+v", a)
	}
	wantError(t, assess(f.lise.Token, receipts[1], `{"outcome":"maybe","reason":"x"}`), http.StatusUnprocessableEntity, collab.CodeInvalid)
	wantError(t, assess(f.lise.Token, receipts[1], `{"outcome":"not","reason":"  "}`), http.StatusUnprocessableEntity, collab.CodeInvalid)
	wantError(t, assess(f.lise.Token, receipts[1], jsonOf(map[string]string{"outcome": "not", "reason": strings.Repeat("x", 4001)})), http.StatusUnprocessableEntity, collab.CodeInvalid)
	wantError(t, assess(f.lise.Token, "AAAA-AAAA-AAAA-AAAA", `{"outcome":"not","reason":"x"}`), http.StatusNotFound, collab.CodeNotFound)
	wantError(t, assess(f.lise.Token, receipts[2], `{"outcome":"not","reason":"Reklame."}`), http.StatusConflict, collab.CodeConflict)
	wantError(t, assess(f.styre.Token, receipts[1], `{"outcome":"not","reason":"x"}`), http.StatusForbidden, collab.CodeForbidden)
	wantError(t, assess(f.politi.Token, receipts[1], `{"outcome":"not","reason":"x"}`), http.StatusForbidden, collab.CodeForbidden)

	// Closing: only the steering group, and only once the deadline day
	// has ended in Oslo (midnight = 22:00 UTC in summer time).
	close := func(token string) *httptest.ResponseRecorder {
		return ts.doAs(token, http.MethodPost, base+"/hearing/close", "")
	}
	wantError(t, close(f.lise.Token), http.StatusForbidden, collab.CodeForbidden)
	clock.set(time.Date(2027, 4, 20, 21, 59, 0, 0, time.UTC))
	wantError(t, close(f.styre.Token), http.StatusConflict, collab.CodeHearingNotOver)
	clock.set(time.Date(2027, 4, 20, 22, 0, 1, 0, time.UTC))
	p = wantPlan(t, "close", close(f.styre.Token))
	if p.Phase != collab.PhaseProcessing {
		t.Fatalf("closed into %s", p.Phase)
	}
	wantError(t, close(f.styre.Token), http.StatusConflict, collab.CodeWrongPhase)
	// The text is the leader's again.
	writeAs(t, ts, sid, f.lise.ID, draftText+" Endret etter høringen.")

	// The table: the rejected response is not in it; one is missing.
	rec = ts.doAs(f.politi.Token, http.MethodGet, base+"/hearing/assessments", "")
	table := decode[assessmentTableView](t, rec)
	row := func(receipt string) collab.AssessmentRow {
		i := slices.IndexFunc(table.Items, func(r collab.AssessmentRow) bool { return r.Receipt == receipt })
		if i < 0 {
			t.Fatalf("no row for %s in %+v", receipt, table.Items)
		}
		return table.Items[i]
	}
	if rec.Code != http.StatusOK || table.Missing != 1 || len(table.Items) != 2 || row(receipts[0]).Outcome != collab.OutcomeTaken ||
		row(receipts[1]).Outcome != "" || row(receipts[0]).Sender != "Innbygger" || row(receipts[0]).By != f.medl.ID {
		t.Fatalf("table %d %+v", rec.Code, table)
	}

	// The lock waits for every assessment.
	wantError(t, stepAs(ts, f.styre.Token, id, "lock", ""), http.StatusConflict, collab.CodeAssessmentsMissing)
	wantPlan(t, "assess the second", assess(f.lise.Token, receipts[1], `{"outcome":"partly","reason":"Delvis: =se kap. 4"}`))
	// A later assessment replaces the earlier (the audit keeps both).
	p = wantPlan(t, "reassess", assess(f.lise.Token, receipts[0], `{"outcome":"not","reason":"Likevel ikke."}`))
	if a := p.Hearing.Assessments[receipts[0]]; a.Outcome != collab.OutcomeNot || a.By != f.lise.ID || len(p.Hearing.Assessments) != 2 {
		t.Fatalf("replaced: %+v", p.Hearing.Assessments)
	}
	rec = ts.doAs(f.medl.Token, http.MethodGet, base+"/hearing/assessments?format=csv", "")
	csvText := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.HasPrefix(csvText, "\ufeffkvitteringsnummer") || !strings.Contains(csvText, "'=se kap. 4") &&
		!strings.Contains(csvText, "Delvis: =se kap. 4") || strings.Contains(csvText, receipts[2]) || !strings.Contains(csvText, "Ikke tatt til følge") {
		t.Fatalf("csv %d %s", rec.Code, csvText)
	}
	rec = ts.doAs(f.medl.Token, http.MethodGet, base+"/hearing/assessments?format=html", "")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "<table>") || !strings.Contains(rec.Body.String(), "Delvis tatt til følge") {
		t.Fatalf("html %d %s", rec.Code, rec.Body)
	}
	wantError(t, ts.doAs(f.medl.Token, http.MethodGet, base+"/hearing/assessments?format=pdf", ""), http.StatusUnprocessableEntity, collab.CodeInvalid)

	wantPlan(t, "lock the final proposal", stepAs(ts, f.styre.Token, id, "lock", ""))
	// Assessments are over once the proposal is locked.
	wantError(t, assess(f.lise.Token, receipts[1], `{"outcome":"not","reason":"x"}`), http.StatusConflict, collab.CodeWrongPhase)

	// The decision: only after the steering group's approval.
	decision := func(token string, body map[string]any) *httptest.ResponseRecorder {
		return ts.doAs(token, http.MethodPost, base+"/decision", jsonOf(body))
	}
	good := map[string]any{"date": "2027-05-10", "body": "Kommunestyret", "case_number": "2027/123",
		"amendments": "Kapittel 3 skal også omtale utleieboliger."}
	clock.set(time.Date(2027, 5, 11, 9, 0, 0, 0, time.UTC))
	wantError(t, decision(f.lise.Token, good), http.StatusConflict, collab.CodeApprovalMissing)
	p = wantPlan(t, "steering approves the final proposal", stepAs(ts, f.styre.Token, id, "approve", ""))
	if p.Phase != collab.PhaseFinalReview || !slices.Contains(p.Approvals, "steering") {
		t.Fatalf("after the approval: %s %v", p.Phase, p.Approvals)
	}
	for _, bad := range []map[string]any{
		{"date": "2027-05-12", "body": "Kommunestyret", "case_number": "2027/123"}, // tomorrow
		{"date": "10.05.2027", "body": "Kommunestyret", "case_number": "2027/123"},
		{"date": "2027-05-10", "body": " ", "case_number": "2027/123"},
		{"date": "2027-05-10", "body": strings.Repeat("K", 201), "case_number": "2027/123"},
		{"date": "2027-05-10", "body": "Kommunestyret", "case_number": ""},
		{"date": "2027-05-10", "body": "Kommunestyret", "case_number": strings.Repeat("1", 65)},
	} {
		wantError(t, decision(f.lise.Token, bad), http.StatusUnprocessableEntity, collab.CodeInvalid)
	}
	wantError(t, decision(f.medl.Token, good), http.StatusForbidden, collab.CodeForbidden)
	wantError(t, decision(f.styre.Token, good), http.StatusForbidden, collab.CodeForbidden)
	p = wantPlan(t, "decision with amendments", decision(f.lise.Token, good))
	if p.Phase != collab.PhaseAmending || p.Decision == nil || p.Decision.CaseNumber != "2027/123" || p.Decision.RecordedBy != f.lise.ID ||
		p.Adoption != nil {
		t.Fatalf("amending: %s %+v %+v", p.Phase, p.Decision, p.Adoption)
	}
	wantError(t, decision(f.lise.Token, good), http.StatusConflict, collab.CodeWrongPhase)

	// The leader writes the amendments in; the steering group confirms.
	adoptedText := draftText + " Endret etter høringen. Utleieboliger."
	writeAs(t, ts, sid, f.lise.ID, adoptedText)
	wantError(t, stepAs(ts, f.politi.Token, id, "approve", ""), http.StatusConflict, collab.CodeWrongPhase)
	wantError(t, stepAs(ts, f.medl.Token, id, "approve", ""), http.StatusForbidden, collab.CodeForbidden)
	p = wantPlan(t, "steering confirms", stepAs(ts, f.styre.Token, id, "approve", ""))
	if p.Phase != collab.PhaseAdopted || p.Adoption == nil || len(p.Adoption.Token) < 32 {
		t.Fatalf("adopted: %s %+v", p.Phase, p.Adoption)
	}
	v, ok := p.FindVersion(collab.AdoptedName)
	if !ok || v.Seq != p.Adoption.Version || !v.System || v.Seq != p.Seq {
		t.Fatalf("Vedtatt plan %+v, adoption %+v", v, p.Adoption)
	}
	doc, err := ts.engine.DocAt(ctx, sid, v.Sections[sid])
	if err != nil {
		t.Fatal(err)
	}
	if got := docString(doc); got != adoptedText+"\n" {
		t.Fatalf("the adopted text %q", got)
	}
	// The adopted text is locked: nothing changes it later.
	var late delta.Delta
	late.Insert("SENERE ", nil)
	head, _, _ := ts.engine.Snapshot(ctx, sid)
	if _, err := ts.engine.Submit(ctx, collab.Submission{Doc: sid, V: head, Src: "late", Seq: 1, By: f.lise.ID, Op: late}); collab.ErrorCode(err) != collab.CodeLocked {
		t.Fatalf("an edit after adoption: %v, want locked", err)
	}
	if found, err := hs.PlanForAdoptionToken(ctx, p.Adoption.Token); err != nil || found.ID != id {
		t.Fatalf("the token's plan: %v", err)
	}
	if _, err := hs.PlanForAdoptionToken(ctx, p.Hearing.Token); collab.ErrorCode(err) != collab.CodeNotFound {
		t.Fatalf("the hearing's token opens the adopted plan: %v", err)
	}

	// Every step is in the audit, in words.
	rec = ts.doAs(f.styre.Token, http.MethodGet, base+"/audit", "")
	audit := decode[struct{ Items []auditEntry }](t, rec).Items
	want := map[string]int{"plan.close_hearing": 1, "hearing.assessment": 3, "plan.record_amendments": 1, "plan.approve": 1}
	for _, l := range audit {
		if _, ok := want[l.Action]; ok {
			want[l.Action]--
		}
		if l.Action == "plan.record_amendments" && l.Detail != "Kommunestyret 2027-05-10, saksnummer 2027/123, med endringer" {
			t.Errorf("decision audit %+v", l)
		}
		if l.Action == "hearing.assessment" && !strings.Contains(l.Detail, "til følge") {
			t.Errorf("assessment audit %+v", l)
		}
	}
	for k, n := range want {
		if n != 0 {
			t.Errorf("audit: %d %s lines missing", n, k)
		}
	}

	// Rullering: the leader or the administrator, once.
	rull := func(token, body string) *httptest.ResponseRecorder {
		return ts.doAs(token, http.MethodPost, base+"/rullering", body)
	}
	wantError(t, rull(f.medl.Token, ""), http.StatusForbidden, collab.CodeForbidden)
	wantError(t, rull(f.styre.Token, ""), http.StatusForbidden, collab.CodeForbidden)
	rec = rull(f.lise.Token, "")
	if rec.Code != http.StatusCreated {
		t.Fatalf("rullering: %d %s", rec.Code, rec.Body)
	}
	np := decode[collab.Plan](t, rec)
	if loc := rec.Header().Get("Location"); loc != "/api/plans/"+np.ID {
		t.Errorf("Location %q", loc)
	}
	year := time.Now().Year()
	if np.ID == id || np.Phase != collab.PhaseDraft || np.Title != fmt.Sprintf("%s (rullering %d)", f.plan.Title, year) ||
		np.Previous == nil || np.Previous.PlanID != id || np.Previous.Version != v.Seq || np.Leader() != f.lise.ID ||
		np.Municipality != f.plan.Municipality || np.Type != f.plan.Type || np.Adoption != nil || np.Decision != nil || np.Hearing != nil {
		t.Fatalf("the new plan %+v", np)
	}
	var oldTitles, newTitles []string
	p.Walk(func(s *collab.Section, d int) { oldTitles = append(oldTitles, fmt.Sprint(d, s.Title, s.Kind)) })
	np.Walk(func(s *collab.Section, d int) { newTitles = append(newTitles, fmt.Sprint(d, s.Title, s.Kind)) })
	if !slices.Equal(oldTitles, newTitles) || slices.Contains(sectionIDs(np), sid) {
		t.Fatalf("outline %v, want %v (new ids)", newTitles, oldTitles)
	}
	if got := sectionText(t, ts, firstSection(np)); got != adoptedText {
		t.Fatalf("the new plan's text %q", got)
	}
	newArea := np.TargetAreas()[0].ID
	if len(np.Goals) != 1 || np.Goals[0].TargetArea != newArea || len(np.Measures) != 1 || np.Measures[0].TargetArea != newArea ||
		len(np.Measures[0].Costs) != 1 || np.Measures[0].Costs[0].Investment != 1_000_000 || len(np.Indicators) != 1 ||
		len(np.Indicators[0].Reports) != 1 || np.Indicators[0].Reports[0].Value != 18 || np.Period != p.Period {
		t.Fatalf("content: goals %+v measures %+v indicators %+v", np.Goals, np.Measures, np.Indicators)
	}
	// The new plan is a draft the leader writes; the adopted plan links to it.
	writeAs(t, ts, firstSection(np), f.lise.ID, "Ny tekst i rulleringen.")
	if doc, _ := ts.engine.DocAt(ctx, sid, v.Sections[sid]); docString(doc) != adoptedText+"\n" {
		t.Fatalf("the adopted version changed: %q", docString(doc))
	}
	rec = ts.doAs(f.medl.Token, http.MethodGet, base, "")
	old := decode[collab.Plan](t, rec)
	if old.Next == nil || old.Next.PlanID != np.ID || old.Next.Title != np.Title {
		t.Fatalf("next %+v", old.Next)
	}
	wantError(t, rull(ts.kari.Token, `{"title":"En gang til"}`), http.StatusConflict, collab.CodeConflict)
	wantError(t, rull(f.lise.Token, ""), http.StatusConflict, collab.CodeConflict)
	// The new plan cannot be rullert: it is no adopted plan.
	wantError(t, ts.doAs(f.lise.Token, http.MethodPost, "/api/plans/"+np.ID+"/rullering", ""), http.StatusConflict, collab.CodeWrongPhase)
}

// docString is a document's text, embeds left out.
func docString(d delta.Delta) string {
	var b strings.Builder
	for _, op := range d.Ops {
		b.WriteString(op.Insert)
	}
	return b.String()
}

// TestProcessing_DecisionWithoutAmendmentsAdoptsAtOnce records a decision
// without amendments: the plan is adopted in the decision's own entry,
// with "Vedtatt plan" and the public token, and the audit says so.
func TestProcessing_DecisionWithoutAmendmentsAdoptsAtOnce(t *testing.T) {
	eachClockedStore(t, func(t *testing.T, ts *testServer, clock *hearingClock, hs *collab.Hearings) {
		ctx := context.Background()
		f := newFase1(t, ts)
		id := f.plan.ID
		sid := firstSection(f.plan)
		writeAs(t, ts, sid, f.lise.ID, draftText)
		// The way to final_review without a hearing's responses.
		for _, st := range []collab.Step{
			{Action: "lock", To: collab.PhaseReview},
			{Action: "approve", To: collab.PhaseApproved, Approve: "steering", Complete: true},
			{Action: "start_hearing", To: collab.PhaseHearing},
			{Action: "close_hearing", To: collab.PhaseProcessing},
		} {
			if _, err := ts.plans.Step(ctx, f.styre.ID, id, func(*collab.Plan) (collab.Step, error) { return st, nil }); err != nil {
				t.Fatalf("%s: %v", st.Action, err)
			}
		}
		writeAs(t, ts, sid, f.lise.ID, draftText+" Vedtatt.")
		// No hearing responses: nothing to assess, the lock passes.
		wantPlan(t, "lock", stepAs(ts, f.styre.Token, id, "lock", ""))
		wantPlan(t, "approve", stepAs(ts, f.styre.Token, id, "approve", ""))
		// The administrator records it.
		rec := ts.doAs(ts.kari.Token, http.MethodPost, "/api/plans/"+id+"/decision",
			`{"date":"2027-02-28","body":"Kommunestyret","case_number":"2027/9","amendments":"  "}`)
		p := wantPlan(t, "decision", rec)
		v, ok := p.FindVersion(collab.AdoptedName)
		if p.Phase != collab.PhaseAdopted || p.Adoption == nil || !ok || p.Adoption.Version != v.Seq || v.Seq != p.Seq ||
			p.Decision == nil || p.Decision.Amendments != "" || p.Decision.RecordedBy != ts.kari.ID {
			t.Fatalf("adopted at once: %s %+v %+v %+v", p.Phase, p.Adoption, p.Decision, v)
		}
		_, _, texts, err := hs.AdoptedText(ctx, &p)
		if err != nil || docString(texts[sid]) != draftText+" Vedtatt.\n" {
			t.Fatalf("adopted text %q (%v)", docString(texts[sid]), err)
		}
		if found, err := hs.PlanForAdoptionToken(ctx, p.Adoption.Token); err != nil || found.ID != id {
			t.Fatalf("token: %v", err)
		}
		audit := decode[struct{ Items []auditEntry }](t, ts.doAs(f.styre.Token, http.MethodGet, "/api/plans/"+id+"/audit", "")).Items
		if l := audit[0]; l.Action != "plan.record_decision" || l.From != "final_review" || l.To != "adopted" ||
			l.Detail != "Kommunestyret 2027-02-28, saksnummer 2027/9" {
			t.Fatalf("audit %+v", l)
		}
	})
}
