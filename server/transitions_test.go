package server_test

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/temaplan/temaplan/collab"
)

// stepAs posts a transition of plan as the holder of token.
func stepAs(ts *testServer, token, planID, action, comment string) *httptest.ResponseRecorder {
	ts.t.Helper()
	return ts.doAs(token, http.MethodPost, "/api/plans/"+planID+"/transitions",
		jsonOf(map[string]string{"action": action, "comment": comment}))
}

// wantPlan decodes the plan of a 200 answer.
func wantPlan(t *testing.T, what string, rec *httptest.ResponseRecorder) collab.Plan {
	t.Helper()
	if rec.Code != http.StatusOK {
		t.Fatalf("%s: %d %s", what, rec.Code, rec.Body)
	}
	return decode[collab.Plan](t, rec)
}

// sectionIDs returns the ids of every section of p.
func sectionIDs(p collab.Plan) []string {
	var ids []string
	p.Walk(func(s *collab.Section, _ int) { ids = append(ids, s.ID) })
	slices.Sort(ids)
	return ids
}

// auditEntry is a line of a plan's audit log.
type auditEntry struct {
	Seq    int64  `json:"seq"`
	Actor  string `json:"actor"`
	Name   string `json:"name"`
	Action string `json:"action"`
	From   string `json:"from"`
	To     string `json:"to"`
	Detail string `json:"detail"`
}

// fase1 is a plan led by lise (no administrator) with a steering group,
// political leadership and a member; kari administers the municipality.
type fase1 struct {
	plan                      collab.Plan
	lise, styre, politi, medl testUser
}

func newFase1(t *testing.T, ts *testServer) fase1 {
	t.Helper()
	f := fase1{
		lise:   ts.user("lise@m1.no", "m1", false),
		styre:  ts.user("styre@m1.no", "m1", false),
		politi: ts.user("politi@m1.no", "m1", false),
		medl:   ts.user("medl@m1.no", "m1", false),
	}
	f.plan = createPlanAs(t, ts, ts.kari, "Boligplan 2026–2030", f.lise)
	ts.member(f.plan.ID, f.styre, "steering")
	ts.member(f.plan.ID, f.politi, "political")
	ts.member(f.plan.ID, f.medl, "member")
	return f
}

func TestTransitions_Fase1OverREST(t *testing.T) { eachStore(t, testTransitions_Fase1OverREST) }

func testTransitions_Fase1OverREST(t *testing.T, ts *testServer) {
	f := newFase1(t, ts)
	id := f.plan.ID
	sid := firstSection(f.plan)
	patch := func(title string) *httptest.ResponseRecorder {
		return ts.doAs(f.lise.Token, http.MethodPatch, "/api/plans/"+id+"/sections/"+sid, jsonOf(map[string]string{"title": title}))
	}

	// Refused before anything happens: by role, then by phase.
	wantError(t, stepAs(ts, f.medl.Token, id, "lock", ""), http.StatusForbidden, collab.CodeForbidden)
	wantError(t, stepAs(ts, f.lise.Token, id, "lock", ""), http.StatusForbidden, collab.CodeForbidden)
	wantError(t, stepAs(ts, f.styre.Token, id, "submit", ""), http.StatusForbidden, collab.CodeForbidden)
	wantError(t, stepAs(ts, ts.kari.Token, id, "lock", ""), http.StatusForbidden, collab.CodeForbidden)
	wantError(t, stepAs(ts, f.politi.Token, id, "approve", ""), http.StatusConflict, collab.CodeWrongPhase)
	wantError(t, stepAs(ts, f.styre.Token, id, "approve", ""), http.StatusConflict, collab.CodeWrongPhase)
	wantError(t, stepAs(ts, f.styre.Token, id, "return", "for tidlig"), http.StatusConflict, collab.CodeWrongPhase)
	wantError(t, stepAs(ts, f.styre.Token, id, "publish", ""), http.StatusBadRequest, collab.CodeBadRequest)

	// The leader marks the draft ready, once.
	p := wantPlan(t, "submit", stepAs(ts, f.lise.Token, id, "submit", "Klar for styringsgruppen"))
	if !p.Submitted || p.Phase != collab.PhaseDraft {
		t.Errorf("after submit: submitted %t, phase %s; want true, draft", p.Submitted, p.Phase)
	}
	wantError(t, stepAs(ts, f.lise.Token, id, "submit", ""), http.StatusConflict, collab.CodeConflict)

	// The steering group locks: every section is in the lock.
	p = wantPlan(t, "lock", stepAs(ts, f.styre.Token, id, "lock", ""))
	if p.Phase != collab.PhaseReview || p.LockSeq == 0 || p.LockSeq > p.Seq || p.Submitted {
		t.Errorf("after lock: phase %s, lock_seq %d (seq %d), submitted %t", p.Phase, p.LockSeq, p.Seq, p.Submitted)
	}
	if got, want := slices.Sorted(maps.Keys(p.Locked)), sectionIDs(p); !slices.Equal(got, want) {
		t.Errorf("locked sections %v, want every section %v", got, want)
	}
	firstLock := p.LockSeq
	wantError(t, patch("Innledning, endret i review"), http.StatusLocked, collab.CodeLocked)
	wantError(t, ts.doAs(f.lise.Token, http.MethodPost, "/api/plans/"+id+"/sections", `{"title":"Ny del"}`), http.StatusLocked, collab.CodeLocked)
	wantError(t, stepAs(ts, f.styre.Token, id, "lock", ""), http.StatusConflict, collab.CodeWrongPhase)
	wantError(t, stepAs(ts, f.lise.Token, id, "submit", ""), http.StatusConflict, collab.CodeWrongPhase)

	// The steering group approves, once; then returns it with required
	// changes, which cancels the approval with the lock.
	p = wantPlan(t, "steering approve", stepAs(ts, f.styre.Token, id, "approve", ""))
	if p.Phase != collab.PhaseReview || !slices.Equal(p.Approvals, []string{"steering"}) {
		t.Errorf("after the steering approval: phase %s, approvals %v", p.Phase, p.Approvals)
	}
	wantError(t, stepAs(ts, f.styre.Token, id, "approve", ""), http.StatusConflict, collab.CodeConflict)
	wantError(t, stepAs(ts, f.styre.Token, id, "return", ""), http.StatusUnprocessableEntity, collab.CodeInvalid)
	wantError(t, stepAs(ts, f.styre.Token, id, "return", "  \n\t "), http.StatusUnprocessableEntity, collab.CodeInvalid)
	wantError(t, stepAs(ts, f.medl.Token, id, "return", "Jeg vil endre"), http.StatusForbidden, collab.CodeForbidden)
	p = wantPlan(t, "return", stepAs(ts, f.styre.Token, id, "return", "Økonomidelen mangler tall for 2027"))
	if p.Phase != collab.PhaseDraft || len(p.Approvals) != 0 || p.LockSeq != 0 || len(p.Locked) != 0 {
		t.Errorf("after return: phase %s, approvals %v, lock_seq %d, locked %v; want draft and no lock",
			p.Phase, p.Approvals, p.LockSeq, p.Locked)
	}
	wantPlan(t, "edit after the return", patch("Innledning og bakgrunn"))

	// Locked again, approved by both: approved for the hearing, with the
	// hearing draft frozen at the lock.
	p = wantPlan(t, "second lock", stepAs(ts, f.styre.Token, id, "lock", ""))
	if p.LockSeq <= firstLock {
		t.Errorf("second lock_seq %d, want after the first %d", p.LockSeq, firstLock)
	}
	locked := p.Locked
	if got, want := slices.Sorted(maps.Keys(locked)), sectionIDs(p); !slices.Equal(got, want) {
		t.Errorf("second lock: locked sections %v, want every section %v", got, want)
	}
	p = wantPlan(t, "steering approve", stepAs(ts, f.styre.Token, id, "approve", "Godkjent i møte 12/26"))
	if p.Phase != collab.PhaseReview {
		t.Errorf("after one approval: phase %s, want review", p.Phase)
	}
	p = wantPlan(t, "political approve", stepAs(ts, f.politi.Token, id, "approve", ""))
	if p.Phase != collab.PhaseApproved {
		t.Fatalf("after both approvals: phase %s, want approved", p.Phase)
	}
	if len(p.Versions) == 0 || p.Versions[0].Name != "Høringsutkast" {
		t.Fatalf("versions = %+v, want Høringsutkast first", p.Versions)
	}
	if got := p.Versions[0].Sections; !maps.Equal(got, locked) {
		t.Errorf("Høringsutkast has section versions %v, want those of the lock %v", got, locked)
	}
	for _, s := range sectionIDs(p) {
		if _, ok := p.Versions[0].Sections[s]; !ok {
			t.Errorf("section %s is not in Høringsutkast", s)
		}
	}
	wantError(t, stepAs(ts, f.politi.Token, id, "approve", ""), http.StatusConflict, collab.CodeWrongPhase)
	wantError(t, stepAs(ts, f.styre.Token, id, "return", "for sent"), http.StatusConflict, collab.CodeWrongPhase)
	wantError(t, patch("Etter godkjenning"), http.StatusLocked, collab.CodeLocked)

	// A membership change, for the audit's from and to.
	wantPlan(t, "medl gets finance", ts.doAs(f.lise.Token, http.MethodPut, "/api/plans/"+id+"/members/"+f.medl.ID, `{"roles":["finance","member"]}`))

	// The audit log: the steering group's and the administrator's.
	for _, who := range []testUser{f.styre, ts.kari} {
		rec := ts.doAs(who.Token, http.MethodGet, "/api/plans/"+id+"/audit", "")
		if rec.Code != http.StatusOK {
			t.Fatalf("audit as %s: %d %s", who.Email, rec.Code, rec.Body)
		}
		lines := decode[struct {
			Items []auditEntry `json:"items"`
		}](t, rec).Items
		has := func(want auditEntry) bool {
			return slices.ContainsFunc(lines, func(l auditEntry) bool {
				return l.Action == want.Action && l.Actor == want.Actor && l.From == want.From && l.To == want.To &&
					(want.Detail == "" || l.Detail == want.Detail)
			})
		}
		for _, want := range []auditEntry{
			{Action: "plan.lock", Actor: f.styre.ID, From: "draft", To: "review"},
			{Action: "plan.return", Actor: f.styre.ID, From: "review", To: "draft", Detail: "Økonomidelen mangler tall for 2027"},
			{Action: "plan.approved", Actor: f.politi.ID, From: "review", To: "approved"},
			{Action: "member.set", Actor: ts.kari.ID, From: "", To: "steering"},
			{Action: "member.set", Actor: f.lise.ID, From: "member", To: "member,finance"},
		} {
			if !has(want) {
				t.Errorf("audit as %s lacks %+v:\n%+v", who.Email, want, lines)
			}
		}
		if !slices.IsSortedFunc(lines, func(a, b auditEntry) int { return int(b.Seq - a.Seq) }) {
			t.Errorf("audit as %s is not newest first", who.Email)
		}
	}
	for _, who := range []testUser{f.medl, f.lise, f.politi} {
		wantError(t, ts.doAs(who.Token, http.MethodGet, "/api/plans/"+id+"/audit", ""), http.StatusForbidden, collab.CodeForbidden)
	}
}

// leaders returns the members of p who hold the leader role.
func leaders(p collab.Plan) []string {
	var out []string
	for _, m := range p.Members {
		if slices.Contains(m.Roles, collab.RoleLeader) {
			out = append(out, m.User)
		}
	}
	return out
}

func TestMembers_LeaderManagesAdministratorAssignsTheLeader(t *testing.T) {
	eachStore(t, testMembers_LeaderManagesAdministratorAssignsTheLeader)
}

func testMembers_LeaderManagesAdministratorAssignsTheLeader(t *testing.T, ts *testServer) {
	f := newFase1(t, ts)
	id := f.plan.ID
	per := ts.user("per@m1.no", "m1", false)
	ola := ts.user("ola@m1.no", "m1", false)
	members := "/api/plans/" + id + "/members/"

	// The leader invites by e-mail and changes roles.
	p := wantPlan(t, "invite per", ts.doAs(f.lise.Token, http.MethodPost, "/api/plans/"+id+"/invitations",
		jsonOf(map[string]any{"email": "PER@m1.no", "roles": []string{"reader"}})))
	if got := p.RolesOf(per.ID); !slices.Equal(got, []string{"reader"}) {
		t.Errorf("per's roles after the invitation: %v, want [reader]", got)
	}
	p = wantPlan(t, "per also member", ts.doAs(f.lise.Token, http.MethodPut, members+per.ID, `{"roles":["reader","member","reader"]}`))
	if got := p.RolesOf(per.ID); !slices.Equal(got, []string{"member", "reader"}) {
		t.Errorf("per's roles: %v, want [member reader] (SPEC order, no repeats)", got)
	}
	wantError(t, ts.doAs(f.lise.Token, http.MethodPost, "/api/plans/"+id+"/invitations",
		`{"email":"nobody@m1.no","roles":["reader"]}`), http.StatusNotFound, collab.CodeNotFound)
	wantError(t, ts.doAs(f.lise.Token, http.MethodPut, members+ola.ID, `{"roles":["chief"]}`), http.StatusUnprocessableEntity, collab.CodeInvalid)
	wantError(t, ts.doAs(f.lise.Token, http.MethodPut, members+ola.ID, `{"roles":[]}`), http.StatusUnprocessableEntity, collab.CodeInvalid)
	wantError(t, ts.doAs(f.lise.Token, http.MethodDelete, members+ola.ID, ""), http.StatusNotFound, collab.CodeNotFound)

	// Only the administrator makes someone the leader.
	wantError(t, ts.doAs(f.lise.Token, http.MethodPut, members+ola.ID, `{"roles":["leader"]}`), http.StatusForbidden, collab.CodeForbidden)
	wantError(t, ts.doAs(f.lise.Token, http.MethodPut, members+per.ID, `{"roles":["leader","member"]}`), http.StatusForbidden, collab.CodeForbidden)
	wantError(t, ts.doAs(f.lise.Token, http.MethodPost, "/api/plans/"+id+"/invitations",
		jsonOf(map[string]any{"email": ola.Email, "roles": []string{"leader"}})), http.StatusForbidden, collab.CodeForbidden)
	wantError(t, ts.doAs(f.lise.Token, http.MethodPut, "/api/plans/"+id+"/leader", jsonOf(map[string]string{"user": per.ID})),
		http.StatusForbidden, collab.CodeForbidden)
	// Nor the roles that lock and approve: a leader who could make
	// themselves steering and political would approve their own plan, and
	// one who could remove the steering group would escape review.
	wantError(t, ts.doAs(f.lise.Token, http.MethodPut, members+f.lise.ID, `{"roles":["leader","steering","political"]}`),
		http.StatusForbidden, collab.CodeForbidden)
	wantError(t, ts.doAs(f.lise.Token, http.MethodPut, members+per.ID, `{"roles":["political"]}`), http.StatusForbidden, collab.CodeForbidden)
	wantError(t, ts.doAs(f.lise.Token, http.MethodDelete, members+f.styre.ID, ""), http.StatusForbidden, collab.CodeForbidden)
	wantError(t, ts.doAs(f.lise.Token, http.MethodPut, members+f.styre.ID, `{"roles":["reader"]}`), http.StatusForbidden, collab.CodeForbidden)
	// Nor does the leader give up the role: the plan keeps its leader.
	wantError(t, ts.doAs(f.lise.Token, http.MethodPut, members+f.lise.ID, `{"roles":["member"]}`), http.StatusForbidden, collab.CodeForbidden)
	for _, who := range []testUser{f.medl, f.styre} {
		wantError(t, ts.doAs(who.Token, http.MethodPut, members+ola.ID, `{"roles":["reader"]}`), http.StatusForbidden, collab.CodeForbidden)
		wantError(t, ts.doAs(who.Token, http.MethodDelete, members+per.ID, ""), http.StatusForbidden, collab.CodeForbidden)
	}

	// Removing the leader is refused, even for the administrator.
	wantError(t, ts.do(http.MethodDelete, members+f.lise.ID, ""), http.StatusUnprocessableEntity, collab.CodeInvalid)
	wantError(t, ts.do(http.MethodPut, members+f.lise.ID, `{"roles":["member"]}`), http.StatusUnprocessableEntity, collab.CodeInvalid)

	// The administrator reassigns it: exactly one leader, per, who keeps
	// his roles; lise held only the leader role and leaves.
	p = wantPlan(t, "per leads", ts.do(http.MethodPut, "/api/plans/"+id+"/leader", jsonOf(map[string]string{"user": per.ID})))
	if got := leaders(p); !slices.Equal(got, []string{per.ID}) {
		t.Errorf("leaders %v, want only per", got)
	}
	if got := p.RolesOf(per.ID); !slices.Equal(got, []string{"leader", "member", "reader"}) {
		t.Errorf("per's roles: %v, want [leader member reader]", got)
	}
	if got := p.RolesOf(f.lise.ID); got != nil {
		t.Errorf("lise still has roles %v", got)
	}
	// And through a membership with the leader role, to ola.
	p = wantPlan(t, "ola leads", ts.do(http.MethodPut, members+ola.ID, `{"roles":["leader"]}`))
	if got := leaders(p); !slices.Equal(got, []string{ola.ID}) {
		t.Errorf("leaders %v, want only ola", got)
	}
	if got := p.RolesOf(per.ID); !slices.Equal(got, []string{"member", "reader"}) {
		t.Errorf("per after ola took over: %v, want [member reader]", got)
	}
	wantError(t, ts.do(http.MethodPut, "/api/plans/"+id+"/leader", `{"user":"no-such-user"}`), http.StatusNotFound, collab.CodeNotFound)

	// The new leader manages; the old one is no member any more.
	wantPlan(t, "ola manages", ts.doAs(ola.Token, http.MethodDelete, members+f.medl.ID, ""))
	wantError(t, ts.doAs(f.lise.Token, http.MethodPut, members+f.medl.ID, `{"roles":["reader"]}`), http.StatusForbidden, collab.CodeForbidden)
	if got := leaders(ts.getPlan(id)); len(got) != 1 {
		t.Errorf("leaders at the end: %v, want exactly one", got)
	}
}

func TestMembers_SectionResponsibility(t *testing.T) { eachStore(t, testMembers_SectionResponsibility) }

func testMembers_SectionResponsibility(t *testing.T, ts *testServer) {
	f := newFase1(t, ts)
	outsider := ts.user("ola@m1.no", "m1", false)
	sid := firstSection(f.plan)
	target := "/api/plans/" + f.plan.ID + "/sections/" + sid + "/responsibility"
	body := func(responsible string, contributors ...string) string {
		return jsonOf(map[string]any{"responsible": responsible, "contributors": contributors})
	}

	p := wantPlan(t, "leader assigns", ts.doAs(f.lise.Token, http.MethodPut, target, body(f.medl.ID, f.styre.ID)))
	s := findSection(t, p, f.plan.Sections[0].Title)
	if s.Responsible != f.medl.ID || !slices.Equal(s.Contributors, []string{f.styre.ID}) {
		t.Errorf("responsible %q, contributors %v; want medl and [styre]", s.Responsible, s.Contributors)
	}
	wantError(t, ts.doAs(f.medl.Token, http.MethodPut, target, body(f.medl.ID)), http.StatusForbidden, collab.CodeForbidden)
	wantError(t, ts.doAs(f.styre.Token, http.MethodPut, target, body(f.styre.ID)), http.StatusForbidden, collab.CodeForbidden)
	wantError(t, ts.doAs(f.lise.Token, http.MethodPut, target, body(outsider.ID)), http.StatusUnprocessableEntity, collab.CodeInvalid)
	wantError(t, ts.doAs(f.lise.Token, http.MethodPut, target, body(f.medl.ID, outsider.ID)), http.StatusUnprocessableEntity, collab.CodeInvalid)
	wantError(t, ts.doAs(f.lise.Token, http.MethodPut, target, body("no-such-user")), http.StatusUnprocessableEntity, collab.CodeInvalid)

	// A member who leaves is nobody's responsible or contributor.
	p = wantPlan(t, "administrator removes styre", ts.do(http.MethodDelete, "/api/plans/"+f.plan.ID+"/members/"+f.styre.ID, ""))
	s = findSection(t, p, f.plan.Sections[0].Title)
	if s.Responsible != f.medl.ID || len(s.Contributors) != 0 {
		t.Errorf("after removing styre: responsible %q, contributors %v; want medl and none", s.Responsible, s.Contributors)
	}

	p = wantPlan(t, "administrator clears", ts.do(http.MethodPut, target, body("")))
	s = findSection(t, p, f.plan.Sections[0].Title)
	if s.Responsible != "" || len(s.Contributors) != 0 {
		t.Errorf("after clearing: responsible %q, contributors %v", s.Responsible, s.Contributors)
	}
}
