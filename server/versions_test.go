package server_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/delta"
)

// writeAs makes the text of a section text (plus the final newline) as
// user, through the engine, and returns the section's version after it.
func writeAs(t *testing.T, ts *testServer, section, user, text string) int64 {
	t.Helper()
	ctx := context.Background()
	v, cur, err := ts.engine.Snapshot(ctx, section)
	if err != nil {
		t.Fatal(err)
	}
	var want delta.Delta
	want.Insert(text+"\n", nil)
	op, err := cur.Diff(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ts.engine.Submit(ctx, collab.Submission{Doc: section, V: v, Src: "tab-" + user, Seq: v + 1, By: user, Op: op})
	if err != nil {
		t.Fatalf("write %q: %v", text, err)
	}
	return got + 1
}

// sectionText is a section's current text without its final newline.
func sectionText(t *testing.T, ts *testServer, section string) string {
	t.Helper()
	_, d, err := ts.engine.Snapshot(context.Background(), section)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, op := range d.Ops {
		b.WriteString(op.Insert)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// planDiff is the part of GET /diff these tests read.
type planDiff struct {
	From, To struct {
		Name string
		Now  bool
	}
	Sections []struct {
		ID          string
		Change      string
		Inserted    int
		Deleted     int
		Share       float64
		Substantial bool
		Segments    []collab.Segment
	}
	Substantial bool
	Reasons     []string
}

// The hearing draft's text and two later texts of the first section.
const (
	draftText = "Bodø kommune skal sikre at alle innbyggere har et trygt og godt sted å bo. " +
		"Planen gjelder for perioden 2027–2030 og bygger på Husbankens veileder. " +
		"Kommunen vil samarbeide med private utbyggere og frivillige om flere utleieboliger for unge og eldre."
	oneWordFix = "Bodø kommune skal sikre at alle innbyggere har et trygt og godt sted å bo. " +
		"Planen gjelder for perioden 2027–2030 og bygger på Husbankens veileder. " +
		"Kommunen vil samarbeide med private utbyggere og frivillige om flere utleieboliger for unge og eldre!"
	rewritten = "Bodø kommune skal sørge for trygge boliger for alle. " +
		"Planen gjelder 2027–2031. " +
		"Kommunen kjøper 120 nye utleieboliger og bygger et botilbud for vanskeligstilte i sentrum."
)

func TestVersions_OverREST(t *testing.T) { eachStore(t, testVersions_OverREST) }

func testVersions_OverREST(t *testing.T, ts *testServer) {
	f := newFase1(t, ts)
	id := f.plan.ID
	sid := firstSection(f.plan)
	base := "/api/plans/" + id
	writeAs(t, ts, sid, f.lise.ID, draftText)

	// Only the leader freezes; the member reads.
	wantError(t, ts.doAs(f.medl.Token, http.MethodPost, base+"/versions", `{"name":"Utkast 1"}`), http.StatusForbidden, collab.CodeForbidden)
	rec := ts.doAs(f.lise.Token, http.MethodPost, base+"/versions", jsonOf(map[string]any{"name": "Utkast 1", "seq": f.plan.Seq}))
	if rec.Code != http.StatusCreated {
		t.Fatalf("freeze: %d %s", rec.Code, rec.Body)
	}
	made := decode[struct {
		Version  collab.NamedVersion
		Versions []collab.NamedVersion
	}](t, rec)
	if made.Version.Name != "Utkast 1" || made.Version.By != f.lise.ID || len(made.Versions) != 1 || made.Version.Sections[sid] == 0 {
		t.Fatalf("frozen %+v, plan versions %+v", made.Version, made.Versions)
	}
	wantError(t, ts.doAs(f.lise.Token, http.MethodPost, base+"/versions", `{"name":"utkast 1"}`), http.StatusConflict, collab.CodeConflict)
	rec = ts.doAs(f.medl.Token, http.MethodGet, base+"/versions", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("list: %d %s", rec.Code, rec.Body)
	}
	list := decode[struct {
		Items []struct {
			Name   string
			ByName string `json:"by_name"`
		}
	}](t, rec)
	if len(list.Items) != 1 || list.Items[0].ByName != "lise" {
		t.Fatalf("versions %+v", list.Items)
	}
	// The freeze is in the audit, by whom and which.
	rec = ts.doAs(f.styre.Token, http.MethodGet, base+"/audit", "")
	audit := decode[struct{ Items []auditEntry }](t, rec)
	if a := audit.Items[0]; a.Action != "version.frozen" || a.Actor != f.lise.ID || a.Detail != "Utkast 1" {
		t.Fatalf("the newest audit line %+v", a)
	}

	// Fase 1 ends: locked and approved, the hearing draft is frozen.
	wantPlan(t, "lock", stepAs(ts, f.styre.Token, id, "lock", ""))
	wantPlan(t, "steering approves", stepAs(ts, f.styre.Token, id, "approve", ""))
	p := wantPlan(t, "political approves", stepAs(ts, f.politi.Token, id, "approve", ""))
	if len(p.Versions) != 2 || p.Versions[1].Name != collab.HearingDraftName || !p.Versions[1].System {
		t.Fatalf("versions after approval %+v", p.Versions)
	}
	// Restoring is an edit: refused while the plan is locked, and nothing
	// is written.
	before, err := ts.store.Ops(context.Background(), sid, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	wantError(t, ts.doAs(f.lise.Token, http.MethodPost, base+"/sections/"+sid+"/restore", `{"version":"Utkast 1"}`), http.StatusLocked, collab.CodeLocked)
	if after, _ := ts.store.Ops(context.Background(), sid, 0, -1); len(after) != len(before) {
		t.Fatal("a refused restore wrote an op")
	}

	// The hearing and its processing (their REST routes are issue 10's
	// other items): the leader writes again.
	for _, st := range []collab.Step{{Action: "start_hearing", To: collab.PhaseHearing}, {Action: "close_hearing", To: collab.PhaseProcessing}} {
		if _, err := ts.plans.Step(context.Background(), f.styre.ID, id, func(*collab.Plan) (collab.Step, error) { return st, nil }); err != nil {
			t.Fatal(err)
		}
	}
	diff := func(who testUser, from, to string) planDiff {
		t.Helper()
		rec := ts.doAs(who.Token, http.MethodGet, base+"/diff?from="+url.QueryEscape(from)+"&to="+url.QueryEscape(to), "")
		if rec.Code != http.StatusOK {
			t.Fatalf("diff %s → %s: %d %s", from, to, rec.Code, rec.Body)
		}
		return decode[planDiff](t, rec)
	}
	intro := func(d planDiff) (s struct {
		ID          string
		Change      string
		Inserted    int
		Deleted     int
		Share       float64
		Substantial bool
		Segments    []collab.Segment
	}) {
		for _, x := range d.Sections {
			if x.ID == sid {
				return x
			}
		}
		t.Fatal("the first section is not in the diff")
		return
	}

	// A one-word (here: one mark) fix is not substantial for the steering group.
	writeAs(t, ts, sid, f.lise.ID, oneWordFix)
	d := diff(f.styre, collab.HearingDraftName, "now")
	if d.Substantial || intro(d).Change != "changed" || d.From.Name != collab.HearingDraftName || !d.To.Now {
		t.Fatalf("after a fix: substantial %t %v, intro %+v", d.Substantial, d.Reasons, intro(d))
	}

	// The rewrite is.
	v := writeAs(t, ts, sid, f.lise.ID, rewritten)
	d = diff(f.styre, collab.HearingDraftName, "now")
	if s := intro(d); !d.Substantial || !slices.Equal(d.Reasons, []string{"sections"}) || !s.Substantial || s.Share <= collab.SubstantialShare {
		t.Fatalf("after the rewrite: substantial %t %v, intro %+v", d.Substantial, d.Reasons, s)
	}
	var ins, del []string
	for _, sg := range intro(d).Segments {
		switch sg.Op {
		case "insert":
			ins = append(ins, sg.Text)
		case "delete":
			del = append(del, sg.Text)
		}
	}
	if !strings.Contains(strings.Join(ins, ""), "120 nye utleieboliger") || !strings.Contains(strings.Join(del, ""), "Husbankens veileder") {
		t.Fatalf("segments do not show the rewrite: +%q -%q", ins, del)
	}

	// Only the leader restores; a member is refused and nothing changes.
	wantError(t, ts.doAs(f.medl.Token, http.MethodPost, base+"/sections/"+sid+"/restore",
		jsonOf(map[string]any{"version": collab.HearingDraftName, "v": v})), http.StatusForbidden, collab.CodeForbidden)
	// The leader restores the hearing draft's text, on the text she compared.
	rec = ts.doAs(f.lise.Token, http.MethodPost, base+"/sections/"+sid+"/restore", jsonOf(map[string]any{"version": collab.HearingDraftName, "v": v}))
	if rec.Code != http.StatusOK {
		t.Fatalf("restore: %d %s", rec.Code, rec.Body)
	}
	r := decode[collab.Restored](t, rec)
	if r.Unchanged || r.V != v+1 || r.Version.Name != collab.HearingDraftName {
		t.Fatalf("restored %+v", r)
	}
	if got := sectionText(t, ts, sid); got != draftText {
		t.Fatalf("after the restore: %q", got)
	}
	ops, err := ts.store.Ops(context.Background(), sid, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	if last := ops[len(ops)-1]; last.By != f.lise.ID || !strings.HasPrefix(last.Src, "restore:") || last.V != v {
		t.Fatalf("the restoring op %+v", last)
	}
	d = diff(f.medl, collab.HearingDraftName, "now")
	if d.Substantial || intro(d).Change != "unchanged" {
		t.Fatalf("after the restore: %v, intro %+v", d.Reasons, intro(d))
	}
	// The same restore again, on an older text than the section has now.
	wantError(t, ts.doAs(f.lise.Token, http.MethodPost, base+"/sections/"+sid+"/restore",
		jsonOf(map[string]any{"version": "Utkast 1", "v": v})), http.StatusConflict, collab.CodeConflict)
}
