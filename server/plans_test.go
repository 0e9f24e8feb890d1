package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/temaplan/temaplan/collab"
)

// outline is a section tree reduced to titles, kinds and nesting.
type outline struct {
	Title    string
	Kind     collab.SectionKind
	Children []outline
}

func outlineOf(list []*collab.Section) []outline {
	out := []outline{}
	for _, s := range list {
		out = append(out, outline{Title: s.Title, Kind: s.Kind, Children: outlineOf(s.Children)})
	}
	return out
}

// targetArea is the subtree of a target area in SPEC.md §2.
func targetArea(title string) outline {
	return outline{Title: title, Kind: collab.KindTargetArea, Children: []outline{
		{Title: "Analysedel", Kind: collab.KindAnalysis, Children: []outline{
			{Title: "Situasjonsbeskrivelse", Kind: collab.KindSection, Children: []outline{}},
			{Title: "Utviklingstrekk", Kind: collab.KindSection, Children: []outline{}},
			{Title: "Vurdering av virkemidler og behov", Kind: collab.KindSection, Children: []outline{}},
		}},
		{Title: "Handlingsdel", Kind: collab.KindAction, Children: []outline{
			{Title: "Mål", Kind: collab.KindSection, Children: []outline{}},
			{Title: "Strategier", Kind: collab.KindSection, Children: []outline{}},
			{Title: "Tiltak", Kind: collab.KindSection, Children: []outline{}},
		}},
	}}
}

// housingTemplate is SPEC.md §2, written out independently of collab's
// template so that a change to either is noticed.
func housingTemplate() []outline {
	leaf := func(title string) outline {
		return outline{Title: title, Kind: collab.KindSection, Children: []outline{}}
	}
	return []outline{
		leaf("Innledning"),
		{Title: "Føringer", Kind: collab.KindSection, Children: []outline{
			leaf("Nasjonale føringer"), leaf("Regionale føringer"), leaf("Lokale føringer"),
		}},
		targetArea("Generell boligutvikling"),
		targetArea("Boligsosiale forhold"),
		targetArea("Organisering og boligforvaltning"),
		leaf("Målekort og oppfølging"),
		leaf("Økonomiske konsekvenser"),
	}
}

func TestCreatePlan_YieldsExactlyTheTemplateTree(t *testing.T) {
	eachStore(t, testCreatePlan_YieldsExactlyTheTemplateTree)
}

func testCreatePlan_YieldsExactlyTheTemplateTree(t *testing.T, ts *testServer) {
	rec := ts.do(http.MethodPost, "/api/plans", `{"title":"Boligplan 2026–2030","municipality":"Bodø"}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("status = %d, want 201: %s", rec.Code, rec.Body)
	}
	p := decode[collab.Plan](t, rec)
	if got := rec.Header().Get("Location"); got != "/api/plans/"+p.ID {
		t.Errorf("Location = %q, want /api/plans/%s", got, p.ID)
	}
	if p.ID == "" || p.Title != "Boligplan 2026–2030" || p.Municipality != "Bodø" ||
		p.Phase != collab.PhaseDraft || p.Type != collab.TypeTemaplan || p.Seq != 1 ||
		p.CreatedBy != "anonymous" || p.Created.IsZero() {
		t.Errorf("plan = %+v", p)
	}
	want := housingTemplate()
	if got := outlineOf(p.Sections); !equalJSON(got, want) {
		t.Errorf("section tree =\n%s\nwant\n%s", dumpJSON(got), dumpJSON(want))
	}
	ids := map[string]bool{}
	p.Walk(func(s *collab.Section, _ int) {
		if s.ID == "" || ids[s.ID] {
			t.Errorf("section %q has an empty or repeated id %q", s.Title, s.ID)
		}
		ids[s.ID] = true
		if s.Status != collab.StatusNotStarted || s.Responsible != "" || len(s.Contributors) != 0 {
			t.Errorf("section %q starts as %+v", s.Title, s)
		}
	})

	// The stored plan is the same.
	if got := ts.getPlan(p.ID); !equalJSON(got, p) {
		t.Errorf("GET returned\n%s\nwant\n%s", dumpJSON(got), dumpJSON(p))
	}
}

func TestCreatePlan_Kommunedelplan(t *testing.T) {
	ts := newTestServer(t)
	rec := ts.do(http.MethodPost, "/api/plans", `{"title":"Kommunedelplan bolig","municipality":"Bodø","type":"kommunedelplan"}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("status = %d: %s", rec.Code, rec.Body)
	}
	if p := decode[collab.Plan](t, rec); p.Type != collab.TypeKommunedelplan {
		t.Errorf("type = %q", p.Type)
	}
}

func TestListPlans_FiltersByMunicipality(t *testing.T) {
	eachStore(t, testListPlans_FiltersByMunicipality)
}

func testListPlans_FiltersByMunicipality(t *testing.T, ts *testServer) {
	rec := ts.do(http.MethodGet, "/api/plans", "")
	if rec.Code != http.StatusOK || strings.TrimSpace(rec.Body.String()) != `{"items":[]}` {
		t.Fatalf("empty list: %d %s", rec.Code, rec.Body)
	}
	a := ts.createPlan("Boligplan", "Bodø")
	b := ts.createPlan("Boligplan", "Tromsø")
	c := ts.createPlan("Boligsosial plan", "Bodø")

	ids := func(target string) []string {
		rec := ts.do(http.MethodGet, target, "")
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", target, rec.Code, rec.Body)
		}
		var out []string
		for _, s := range decode[struct{ Items []collab.PlanSummary }](t, rec).Items {
			out = append(out, s.ID)
		}
		return out
	}
	if got, want := ids("/api/plans"), []string{a.ID, b.ID, c.ID}; !slices.Equal(got, want) {
		t.Errorf("all plans = %v, want %v", got, want)
	}
	if got, want := ids("/api/plans?municipality=Bod%C3%B8"), []string{a.ID, c.ID}; !slices.Equal(got, want) {
		t.Errorf("Bodø's plans = %v, want %v", got, want)
	}
	if got := ids("/api/plans?municipality=Narvik"); len(got) != 0 {
		t.Errorf("Narvik's plans = %v, want none", got)
	}
}

func TestSections_AddPatchMoveDelete(t *testing.T) { eachStore(t, testSections_AddPatchMoveDelete) }

func testSections_AddPatchMoveDelete(t *testing.T, ts *testServer) {
	p := ts.createPlan("Boligplan", "Bodø")
	innledning := findSection(t, p, "Innledning")
	foringer := findSection(t, p, "Føringer")

	// Add a target area at index 5 (after the three Bodø areas): it gets
	// the analysis and action parts.
	rec := ts.do(http.MethodPost, "/api/plans/"+p.ID+"/sections",
		fmt.Sprintf(`{"parent":"","index":5,"title":"Bostedsløse","kind":"target_area","seq":%d}`, p.Seq))
	if rec.Code != http.StatusCreated {
		t.Fatalf("add: %d %s", rec.Code, rec.Body)
	}
	added := decode[struct {
		Plan    collab.Plan
		Section collab.Section
	}](t, rec)
	if added.Plan.Seq != 2 {
		t.Errorf("seq after add = %d, want 2", added.Plan.Seq)
	}
	if got := outlineOf([]*collab.Section{&added.Section})[0]; !equalJSON(got, targetArea("Bostedsløse")) {
		t.Errorf("new target area = %s", dumpJSON(got))
	}
	if got := added.Plan.Sections[5].ID; got != added.Section.ID {
		t.Errorf("the new area is not at index 5")
	}

	// Add a plain section under Føringer, at the end.
	rec = ts.do(http.MethodPost, "/api/plans/"+p.ID+"/sections",
		fmt.Sprintf(`{"parent":%q,"title":"Internasjonale føringer","seq":2}`, foringer.ID))
	if rec.Code != http.StatusCreated {
		t.Fatalf("add under Føringer: %d %s", rec.Code, rec.Body)
	}
	sub := decode[struct{ Section collab.Section }](t, rec).Section
	if sub.Kind != collab.KindSection {
		t.Errorf("kind = %q, want section", sub.Kind)
	}

	// Patch Innledning.
	rec = ts.do(http.MethodPatch, "/api/plans/"+p.ID+"/sections/"+innledning.ID,
		`{"title":"Innledning og formål","responsible":"kari","contributors":["ola","per","ola"],"status":"in_progress","seq":3}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("patch: %d %s", rec.Code, rec.Body)
	}
	got := decode[collab.Plan](t, rec)
	s := findSection(t, got, "Innledning og formål")
	if s.ID != innledning.ID || s.Responsible != "kari" || !slices.Equal(s.Contributors, []string{"ola", "per"}) ||
		s.Status != collab.StatusInProgress || got.Seq != 4 {
		t.Errorf("patched = %+v at seq %d", s, got.Seq)
	}

	// Move Innledning under Føringer, first.
	rec = ts.do(http.MethodPost, "/api/plans/"+p.ID+"/sections/"+innledning.ID+"/move",
		fmt.Sprintf(`{"parent":%q,"index":0,"seq":4}`, foringer.ID))
	if rec.Code != http.StatusOK {
		t.Fatalf("move: %d %s", rec.Code, rec.Body)
	}
	got = decode[collab.Plan](t, rec)
	if got.Sections[0].Title != "Føringer" || got.Sections[0].Children[0].ID != innledning.ID {
		t.Errorf("after the move the outline starts %s", dumpJSON(outlineOf(got.Sections[:1])))
	}
	// And back to the top level, without index: at the end.
	rec = ts.do(http.MethodPost, "/api/plans/"+p.ID+"/sections/"+innledning.ID+"/move", `{"parent":""}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("move back: %d %s", rec.Code, rec.Body)
	}
	got = decode[collab.Plan](t, rec)
	if last := got.Sections[len(got.Sections)-1]; last.ID != innledning.ID {
		t.Errorf("last top-level section is %q, want Innledning", last.Title)
	}

	// Delete the new target area with its subtree.
	rec = ts.do(http.MethodDelete, fmt.Sprintf("/api/plans/%s/sections/%s?seq=%d", p.ID, added.Section.ID, got.Seq), "")
	if rec.Code != http.StatusOK {
		t.Fatalf("delete: %d %s", rec.Code, rec.Body)
	}
	got = decode[collab.Plan](t, rec)
	if _, _, ok := got.Find(added.Section.ID); ok {
		t.Error("the deleted section is still there")
	}
	if n := got.SectionCount(); n != p.SectionCount()+1 {
		t.Errorf("%d sections, want %d", n, p.SectionCount()+1)
	}
	if got.Seq != 7 {
		t.Errorf("seq = %d, want 7", got.Seq)
	}
	// The stored plan agrees.
	if stored := ts.getPlan(p.ID); !equalJSON(stored, got) {
		t.Errorf("stored plan differs from the last answer")
	}
}

func TestSections_StaleSeqConflicts(t *testing.T) { eachStore(t, testSections_StaleSeqConflicts) }

func testSections_StaleSeqConflicts(t *testing.T, ts *testServer) {
	p := ts.createPlan("Boligplan", "Bodø")
	innledning := findSection(t, p, "Innledning")
	okonomi := findSection(t, p, "Økonomiske konsekvenser")
	base := p.Seq

	// Kari renames Innledning on seq 1.
	rec := ts.do(http.MethodPatch, "/api/plans/"+p.ID+"/sections/"+innledning.ID, fmt.Sprintf(`{"title":"Kari","seq":%d}`, base))
	if rec.Code != http.StatusOK {
		t.Fatalf("first patch: %d %s", rec.Code, rec.Body)
	}
	after := decode[collab.Plan](t, rec)

	// Ola, still on seq 1, touches the same section in every way: refused.
	sec := "/api/plans/" + p.ID + "/sections/" + innledning.ID
	for _, tc := range []struct{ method, target, body string }{
		{http.MethodPatch, sec, fmt.Sprintf(`{"title":"Ola","seq":%d}`, base)},
		{http.MethodPatch, sec, fmt.Sprintf(`{"status":"done","seq":%d}`, base)},
		{http.MethodPost, sec + "/move", fmt.Sprintf(`{"parent":"","index":3,"seq":%d}`, base)},
		{http.MethodDelete, fmt.Sprintf("%s?seq=%d", sec, base), ""},
	} {
		rec = ts.do(tc.method, tc.target, tc.body)
		e := wantError(t, rec, http.StatusConflict, collab.CodeConflict)
		if !strings.Contains(e.Error.Message, "reload") {
			t.Errorf("conflict message %q does not tell the user what to do", e.Error.Message)
		}
	}
	if got := ts.getPlan(p.ID); !equalJSON(got, after) {
		t.Errorf("a refused change was written: seq %d, want %d", got.Seq, after.Seq)
	}

	// A change on seq 1 to another section does not conflict.
	rec = ts.do(http.MethodPatch, "/api/plans/"+p.ID+"/sections/"+okonomi.ID, fmt.Sprintf(`{"status":"done","seq":%d}`, base))
	if rec.Code != http.StatusOK {
		t.Fatalf("patch of another section: %d %s", rec.Code, rec.Body)
	}
	// A seq from the future is invalid.
	rec = ts.do(http.MethodPatch, "/api/plans/"+p.ID+"/sections/"+okonomi.ID, `{"status":"done","seq":99}`)
	wantError(t, rec, http.StatusUnprocessableEntity, collab.CodeInvalid)
}

func TestSectionContent_StartsEmpty(t *testing.T) {
	ts := newTestServer(t)
	p := ts.createPlan("Boligplan", "Bodø")
	s := findSection(t, p, "Innledning")
	rec := ts.do(http.MethodGet, "/api/plans/"+p.ID+"/sections/"+s.ID+"/content", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("content: %d %s", rec.Code, rec.Body)
	}
	got := decode[struct {
		V    int64           `json:"v"`
		Data json.RawMessage `json:"data"`
	}](t, rec)
	if got.V != 0 {
		t.Errorf("a new section is at version %d, want 0", got.V)
	}
	wantError(t, ts.do(http.MethodGet, "/api/plans/"+p.ID+"/sections/nope/content", ""), http.StatusNotFound, collab.CodeNotFound)
	wantError(t, ts.do(http.MethodGet, "/api/plans/nope/sections/"+s.ID+"/content", ""), http.StatusNotFound, collab.CodeNotFound)
}

func equalJSON(a, b any) bool { return dumpJSON(a) == dumpJSON(b) }

func dumpJSON(v any) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err.Error()
	}
	return string(b)
}
