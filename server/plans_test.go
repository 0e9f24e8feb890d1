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

// planAsSeen is a plan as the API shows it to one person: the plan, its
// members with names, and the caller's roles and actions.
type planAsSeen struct {
	collab.Plan
	Members []memberAsSeen `json:"members"`
	You     struct {
		ID      string   `json:"id"`
		Roles   []string `json:"roles"`
		Actions []string `json:"actions"`
	} `json:"you"`
}

type memberAsSeen struct {
	User  string   `json:"user"`
	Name  string   `json:"name"`
	Email string   `json:"email"`
	Roles []string `json:"roles"`
}

func TestCreatePlan_YieldsExactlyTheTemplateTree(t *testing.T) {
	eachStore(t, testCreatePlan_YieldsExactlyTheTemplateTree)
}

func testCreatePlan_YieldsExactlyTheTemplateTree(t *testing.T, ts *testServer) {
	rec := ts.do(http.MethodPost, "/api/plans", fmt.Sprintf(`{"title":"Boligplan 2026–2030","leader":%q}`, ts.kari.ID))
	if rec.Code != http.StatusCreated {
		t.Fatalf("status = %d, want 201: %s", rec.Code, rec.Body)
	}
	v := decode[planAsSeen](t, rec)
	p := decode[collab.Plan](t, rec)
	if got := rec.Header().Get("Location"); got != "/api/plans/"+p.ID {
		t.Errorf("Location = %q, want /api/plans/%s", got, p.ID)
	}
	// The plan is the administrator's municipality's, created by her.
	if p.ID == "" || p.Title != "Boligplan 2026–2030" || p.Municipality != "m1" ||
		p.Phase != collab.PhaseDraft || p.Type != collab.TypeTemaplan || p.Seq != 1 ||
		p.CreatedBy != ts.kari.ID || p.Created.IsZero() ||
		p.LockSeq != 0 || len(p.Locked) != 0 || len(p.Approvals) != 0 || p.Submitted || len(p.Versions) != 0 {
		t.Errorf("plan = %+v", p)
	}
	// The leader is its one member, shown with her name; she holds the
	// leader role, and admin as the municipality's administrator.
	if want := []memberAsSeen{{User: ts.kari.ID, Name: "kari", Email: "kari@m1.no", Roles: []string{"leader"}}}; !equalJSON(v.Members, want) {
		t.Errorf("members = %s, want %s", dumpJSON(v.Members), dumpJSON(want))
	}
	if v.You.ID != ts.kari.ID || !slices.Equal(v.You.Roles, []string{"leader", "admin"}) {
		t.Errorf("you = %+v, want kari as leader and admin", v.You)
	}
	for _, a := range []string{"edit_text", "edit_structure", "manage_project", "assign_leader", "submit"} {
		if !slices.Contains(v.You.Actions, a) {
			t.Errorf("the leader may not %s in a new draft: actions %v", a, v.You.Actions)
		}
	}
	for _, a := range []string{"lock", "return", "approve_steering", "approve_political"} {
		if slices.Contains(v.You.Actions, a) {
			t.Errorf("the leader may %s: actions %v", a, v.You.Actions)
		}
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
	rec := ts.do(http.MethodPost, "/api/plans", fmt.Sprintf(`{"title":"Kommunedelplan bolig","type":"kommunedelplan","leader":%q}`, ts.kari.ID))
	if rec.Code != http.StatusCreated {
		t.Fatalf("status = %d: %s", rec.Code, rec.Body)
	}
	if p := decode[collab.Plan](t, rec); p.Type != collab.TypeKommunedelplan {
		t.Errorf("type = %q", p.Type)
	}
}

func TestCreatePlan_WithoutLeaderHasNoMembers(t *testing.T) {
	ts := newTestServer(t)
	rec := ts.do(http.MethodPost, "/api/plans", `{"title":"Boligplan"}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("status = %d: %s", rec.Code, rec.Body)
	}
	v := decode[planAsSeen](t, rec)
	if len(v.Members) != 0 || !slices.Equal(v.You.Roles, []string{"admin"}) {
		t.Errorf("members %v, your roles %v: want none, and admin", v.Members, v.You.Roles)
	}
	// The administrator manages the plan but does not write it.
	if slices.Contains(v.You.Actions, "edit_text") || !slices.Contains(v.You.Actions, "assign_leader") {
		t.Errorf("the administrator's actions = %v", v.You.Actions)
	}
}

// TestListPlans_OnlyOwnMunicipalityAndMemberships checks tenancy and
// membership in the listing: an administrator sees every plan of their
// own municipality and none of another's; anyone else sees the plans they
// are a member of, with their roles.
func TestListPlans_OnlyOwnMunicipalityAndMemberships(t *testing.T) {
	eachStore(t, testListPlans_OnlyOwnMunicipalityAndMemberships)
}

func testListPlans_OnlyOwnMunicipalityAndMemberships(t *testing.T, ts *testServer) {
	rec := ts.do(http.MethodGet, "/api/plans", "")
	if rec.Code != http.StatusOK || strings.TrimSpace(rec.Body.String()) != `{"items":[]}` {
		t.Fatalf("empty list: %d %s", rec.Code, rec.Body)
	}
	ola := ts.user("ola@m1.no", "m1", false) // of m1, in no plan
	per := ts.user("per@m1.no", "m1", false)
	admin2 := ts.user("admin@m2.no", "m2", true)
	leader2 := ts.user("leder@m2.no", "m2", false)

	a := ts.createPlan("Boligplan")
	b := createPlanAs(t, ts, admin2, "Boligplan", leader2)
	c := ts.createPlan("Boligsosial plan")
	ts.member(c.ID, per, "member", "finance")

	type item struct {
		ID, Municipality string
		Roles            []string
	}
	list := func(u testUser) []item {
		t.Helper()
		rec := ts.doAs(u.Token, http.MethodGet, "/api/plans", "")
		if rec.Code != http.StatusOK {
			t.Fatalf("GET /api/plans as %s: %d %s", u.Email, rec.Code, rec.Body)
		}
		out := []item{}
		for _, s := range decode[struct {
			Items []struct {
				collab.PlanSummary
				Roles []string `json:"roles"`
			} `json:"items"`
		}](t, rec).Items {
			out = append(out, item{s.ID, s.Municipality, s.Roles})
		}
		return out
	}
	for _, tt := range []struct {
		who  testUser
		want []item
	}{
		{ts.kari, []item{{a.ID, "m1", []string{"leader", "admin"}}, {c.ID, "m1", []string{"leader", "admin"}}}},
		{admin2, []item{{b.ID, "m2", []string{"admin"}}}},
		{leader2, []item{{b.ID, "m2", []string{"leader"}}}},
		{per, []item{{c.ID, "m1", []string{"member", "finance"}}}},
		{ola, []item{}},
	} {
		if got := list(tt.who); !equalJSON(got, tt.want) {
			t.Errorf("%s sees %s, want %s", tt.who.Email, dumpJSON(got), dumpJSON(tt.want))
		}
	}
}

// TestTenancy_AnotherMunicipalitysPlanIsNotFound checks that a plan of
// another municipality does not exist for anyone, administrators
// included: every plan route answers not_found, exactly as for a plan id
// that exists nowhere, and nothing changes.
func TestTenancy_AnotherMunicipalitysPlanIsNotFound(t *testing.T) {
	eachStore(t, testTenancy_AnotherMunicipalitysPlanIsNotFound)
}

func testTenancy_AnotherMunicipalitysPlanIsNotFound(t *testing.T, ts *testServer) {
	admin2 := ts.user("admin@m2.no", "m2", true)
	leader2 := ts.user("leder@m2.no", "m2", false)
	ola := ts.user("ola@m1.no", "m1", false)
	a := ts.createPlan("Boligplan")
	ts.member(a.ID, ola, "steering")
	b := createPlanAs(t, ts, admin2, "Boligplan", leader2)

	routes := func(p collab.Plan) []struct{ method, target, body string } {
		sec := findSection(t, p, "Innledning").ID
		plan := "/api/plans/" + p.ID
		return []struct{ method, target, body string }{
			{http.MethodGet, plan, ""},
			{http.MethodPatch, plan + "/sections/" + sec, `{"title":"Overtatt"}`},
			{http.MethodPost, plan + "/sections", `{"title":"Ny"}`},
			{http.MethodPost, plan + "/sections/" + sec + "/move", `{"parent":""}`},
			{http.MethodDelete, plan + "/sections/" + sec, ""},
			{http.MethodGet, plan + "/sections/" + sec + "/content", ""},
			{http.MethodPut, plan + "/sections/" + sec + "/responsibility", `{"responsible":""}`},
			{http.MethodPut, plan + "/members/" + ts.kari.ID, `{"roles":["reader"]}`},
			{http.MethodPut, plan + "/leader", fmt.Sprintf(`{"user":%q}`, ts.kari.ID)},
			{http.MethodPost, plan + "/transitions", `{"action":"lock"}`},
			{http.MethodGet, plan + "/audit", ""},
		}
	}
	for _, tt := range []struct {
		who  testUser
		plan collab.Plan
	}{
		{ts.kari, b}, // m1's administrator and leader
		{ola, b},     // m1's steering group
		{admin2, a},  // m2's administrator
		{leader2, a}, // m2's leader
	} {
		beforeA, beforeB := ts.storeState(a.ID), ts.storeState(b.ID)
		for _, r := range routes(tt.plan) {
			rec := ts.doAs(tt.who.Token, r.method, r.target, r.body)
			e := wantError(t, rec, http.StatusNotFound, collab.CodeNotFound)
			// The answer is the one for a plan that exists nowhere.
			nowhere := wantError(t, ts.doAs(tt.who.Token, r.method, strings.Replace(r.target, tt.plan.ID, "01JNOSUCHPLAN", 1), r.body),
				http.StatusNotFound, collab.CodeNotFound)
			if strings.ReplaceAll(e.Error.Message, tt.plan.ID, "01JNOSUCHPLAN") != nowhere.Error.Message {
				t.Errorf("%s %s as %s: %q tells the plan exists (unknown plan: %q)", r.method, r.target, tt.who.Email, e.Error.Message, nowhere.Error.Message)
			}
		}
		if ts.storeState(a.ID) != beforeA || ts.storeState(b.ID) != beforeB {
			t.Fatalf("a request of %s to another municipality's plan changed a plan", tt.who.Email)
		}
	}

	// Nor can a plan of one municipality take a person of another.
	wantError(t, ts.doAs(admin2.Token, http.MethodPost, "/api/plans", fmt.Sprintf(`{"title":"x","leader":%q}`, ts.kari.ID)),
		http.StatusNotFound, collab.CodeNotFound)
	wantError(t, ts.do(http.MethodPut, "/api/plans/"+a.ID+"/members/"+leader2.ID, `{"roles":["reader"]}`),
		http.StatusNotFound, collab.CodeNotFound)
	wantError(t, ts.do(http.MethodPost, "/api/plans/"+a.ID+"/invitations", `{"email":"leder@m2.no","roles":["reader"]}`),
		http.StatusNotFound, collab.CodeNotFound)
	// A person of the plan's own municipality who is not a member is
	// refused, not misled.
	per := ts.user("per@m1.no", "m1", false)
	wantError(t, ts.doAs(per.Token, http.MethodGet, "/api/plans/"+a.ID, ""), http.StatusForbidden, collab.CodeForbidden)
}

// createPlanAs creates a plan through the API as admin, with leader as its
// leader.
func createPlanAs(t *testing.T, ts *testServer, admin testUser, title string, leader testUser) collab.Plan {
	t.Helper()
	rec := ts.doAs(admin.Token, http.MethodPost, "/api/plans", fmt.Sprintf(`{"title":%q,"leader":%q}`, title, leader.ID))
	if rec.Code != http.StatusCreated {
		t.Fatalf("create plan as %s: %d %s", admin.Email, rec.Code, rec.Body)
	}
	return decode[collab.Plan](t, rec)
}

func TestSections_AddPatchMoveDelete(t *testing.T) { eachStore(t, testSections_AddPatchMoveDelete) }

func testSections_AddPatchMoveDelete(t *testing.T, ts *testServer) {
	p := ts.createPlan("Boligplan")
	ola := ts.user("ola@m1.no", "m1", false)
	per := ts.user("per@m1.no", "m1", false)
	ts.member(p.ID, ola, "member")
	ts.member(p.ID, per, "finance")
	p = ts.getPlan(p.ID)
	base := p.Seq
	innledning := findSection(t, p, "Innledning")
	foringer := findSection(t, p, "Føringer")

	// Add a target area at index 5 (after the three target areas): it gets
	// the analysis and action parts.
	rec := ts.do(http.MethodPost, "/api/plans/"+p.ID+"/sections",
		fmt.Sprintf(`{"parent":"","index":5,"title":"Bostedsløse","kind":"target_area","seq":%d}`, base))
	if rec.Code != http.StatusCreated {
		t.Fatalf("add: %d %s", rec.Code, rec.Body)
	}
	added := decode[struct {
		Plan    collab.Plan
		Section collab.Section
	}](t, rec)
	if added.Plan.Seq != base+1 {
		t.Errorf("seq after add = %d, want %d", added.Plan.Seq, base+1)
	}
	if got := outlineOf([]*collab.Section{&added.Section})[0]; !equalJSON(got, targetArea("Bostedsløse")) {
		t.Errorf("new target area = %s", dumpJSON(got))
	}
	if got := added.Plan.Sections[5].ID; got != added.Section.ID {
		t.Errorf("the new area is not at index 5")
	}

	// Add a plain section under Føringer, at the end.
	rec = ts.do(http.MethodPost, "/api/plans/"+p.ID+"/sections",
		fmt.Sprintf(`{"parent":%q,"title":"Internasjonale føringer","seq":%d}`, foringer.ID, base+1))
	if rec.Code != http.StatusCreated {
		t.Fatalf("add under Føringer: %d %s", rec.Code, rec.Body)
	}
	sub := decode[struct{ Section collab.Section }](t, rec).Section
	if sub.Kind != collab.KindSection {
		t.Errorf("kind = %q, want section", sub.Kind)
	}

	// Patch Innledning's title and status.
	rec = ts.do(http.MethodPatch, "/api/plans/"+p.ID+"/sections/"+innledning.ID,
		fmt.Sprintf(`{"title":"Innledning og formål","status":"in_progress","seq":%d}`, base+2))
	if rec.Code != http.StatusOK {
		t.Fatalf("patch: %d %s", rec.Code, rec.Body)
	}
	got := decode[collab.Plan](t, rec)
	s := findSection(t, got, "Innledning og formål")
	if s.ID != innledning.ID || s.Status != collab.StatusInProgress || got.Seq != base+3 {
		t.Errorf("patched = %+v at seq %d", s, got.Seq)
	}
	// And who is responsible and who contributes: members, without repeats.
	rec = ts.do(http.MethodPut, "/api/plans/"+p.ID+"/sections/"+innledning.ID+"/responsibility",
		fmt.Sprintf(`{"responsible":%q,"contributors":[%q,%q,%q],"seq":%d}`, ts.kari.ID, ola.ID, per.ID, ola.ID, base+3))
	if rec.Code != http.StatusOK {
		t.Fatalf("responsibility: %d %s", rec.Code, rec.Body)
	}
	got = decode[collab.Plan](t, rec)
	s = findSection(t, got, "Innledning og formål")
	if s.Responsible != ts.kari.ID || !slices.Equal(s.Contributors, []string{ola.ID, per.ID}) ||
		s.Status != collab.StatusInProgress || got.Seq != base+4 {
		t.Errorf("after responsibility = %+v at seq %d", s, got.Seq)
	}

	// Move Innledning under Føringer, first.
	rec = ts.do(http.MethodPost, "/api/plans/"+p.ID+"/sections/"+innledning.ID+"/move",
		fmt.Sprintf(`{"parent":%q,"index":0,"seq":%d}`, foringer.ID, base+4))
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
	if got.Seq != base+7 {
		t.Errorf("seq = %d, want %d", got.Seq, base+7)
	}
	// The stored plan agrees.
	if stored := ts.getPlan(p.ID); !equalJSON(stored, got) {
		t.Errorf("stored plan differs from the last answer")
	}
}

func TestSections_StaleSeqConflicts(t *testing.T) { eachStore(t, testSections_StaleSeqConflicts) }

func testSections_StaleSeqConflicts(t *testing.T, ts *testServer) {
	p := ts.createPlan("Boligplan")
	innledning := findSection(t, p, "Innledning")
	okonomi := findSection(t, p, "Økonomiske konsekvenser")
	base := p.Seq

	// Kari renames Innledning on seq 1.
	rec := ts.do(http.MethodPatch, "/api/plans/"+p.ID+"/sections/"+innledning.ID, fmt.Sprintf(`{"title":"Kari","seq":%d}`, base))
	if rec.Code != http.StatusOK {
		t.Fatalf("first patch: %d %s", rec.Code, rec.Body)
	}
	after := decode[collab.Plan](t, rec)

	// Her other tab, still on seq 1, touches the same section in every
	// way: refused.
	sec := "/api/plans/" + p.ID + "/sections/" + innledning.ID
	for _, tc := range []struct{ method, target, body string }{
		{http.MethodPatch, sec, fmt.Sprintf(`{"title":"Ola","seq":%d}`, base)},
		{http.MethodPatch, sec, fmt.Sprintf(`{"status":"done","seq":%d}`, base)},
		{http.MethodPut, sec + "/responsibility", fmt.Sprintf(`{"responsible":%q,"seq":%d}`, ts.kari.ID, base)},
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
	p := ts.createPlan("Boligplan")
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
