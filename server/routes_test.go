package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/delta"
	"github.com/temaplan/temaplan/server"
)

// This file calls every REST route with every role, generated from the
// route table (server.APIRoutes): a route added to the table without a case
// here fails, and a route registered on Echo but missing from the table
// fails too, so no route escapes the policy check.

// jsonOf encodes v as a request body.
func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only the test's own literals are encoded
	}
	return string(b)
}

// routeKey names a route as "METHOD /path" with the path below /api.
func routeKey(method, path string) string { return method + " " + path }

// statusOf is the HTTP status of the error codes the policy answers.
func statusOf(t *testing.T, code collab.Code) int {
	t.Helper()
	switch code {
	case collab.CodeForbidden:
		return http.StatusForbidden
	case collab.CodeNotFound:
		return http.StatusNotFound
	case collab.CodeLocked:
		return http.StatusLocked
	case collab.CodeWrongPhase, collab.CodeConflict:
		return http.StatusConflict
	case collab.CodeInvalid:
		return http.StatusUnprocessableEntity
	}
	t.Fatalf("no status known for code %q", code)
	return 0
}

// policyCode returns the code of a policy refusal, "" for nil.
func policyCode(err error) collab.Code {
	if err == nil {
		return ""
	}
	return collab.ErrorCode(err)
}

// persona is someone who calls a plan route: one role in the plan, the
// municipality's administrator who is no member, a person of the
// municipality who is no member, or the administrator of another
// municipality, for whom the plan does not exist.
type persona struct {
	name    string
	roles   []auth.Role
	foreign bool
}

// personas are the callers of the matrix, each a separate account.
var personas = []persona{
	{name: "leader", roles: []auth.Role{auth.RoleLeader}},
	{name: "member", roles: []auth.Role{auth.RoleMember}},
	{name: "finance", roles: []auth.Role{auth.RoleFinance}},
	{name: "reader", roles: []auth.Role{auth.RoleReader}},
	{name: "steering", roles: []auth.Role{auth.RoleSteering}},
	{name: "political", roles: []auth.Role{auth.RolePolitical}},
	{name: "admin", roles: []auth.Role{auth.RoleAdmin}},
	{name: "outsider"},
	{name: "foreign-admin", foreign: true},
}

// cast is the accounts of the matrix: one per persona, plus spare (a
// reader in every plan, whom calls remove or make leader) and newbie (of
// the municipality, in no plan, whom calls add).
type cast struct {
	ts            *testServer
	by            map[string]testUser
	spare, newbie testUser
	// fx is what the fixture of the call being made set up.
	fx callFx
}

// callFx is what a call acts on, as its fixture made it in the plan: a
// thread or a suggestion; a goal, strategy, measure, indicator,
// milestone, review round or privacy finding. seq is the plan's seq after
// the fixture (0 when it changed nothing), the seq the call was made on.
type callFx struct {
	thread, suggestion                                            string
	goal, strategy, measure, indicator, milestone, round, finding string
	export                                                        string
	seq                                                           int64
}

func newCast(ts *testServer) *cast {
	ts.t.Helper()
	c := &cast{ts: ts, by: map[string]testUser{}}
	for _, p := range personas {
		switch {
		case p.name == "admin":
			c.by[p.name] = ts.kari
		case p.foreign:
			c.by[p.name] = ts.user("ola@m2.no", "m2", true)
		default:
			c.by[p.name] = ts.user(p.name+"@m1.no", "m1", false)
		}
	}
	c.spare = ts.user("spare@m1.no", "m1", false)
	c.newbie = ts.user("newbie@m1.no", "m1", false)
	return c
}

// plan creates a fresh plan led by the leader persona, with every member
// persona and spare in it and matrixText (version 1) in its first section,
// and brings it to phase (draft or review).
func (c *cast) plan(t *testing.T, phase collab.Phase) collab.Plan {
	t.Helper()
	ts := c.ts
	rec := ts.doAs(ts.kari.Token, http.MethodPost, "/api/plans",
		jsonOf(map[string]string{"title": "Boligplan", "leader": c.by["leader"].ID}))
	if rec.Code != http.StatusCreated {
		t.Fatalf("create plan: %d %s", rec.Code, rec.Body)
	}
	p := decode[collab.Plan](t, rec)
	for _, r := range []auth.Role{auth.RoleMember, auth.RoleFinance, auth.RoleReader, auth.RoleSteering, auth.RolePolitical} {
		ts.member(p.ID, c.by[string(r)], string(r))
	}
	ts.member(p.ID, c.spare, string(auth.RoleReader))
	var d delta.Delta
	d.Insert(matrixText, nil)
	if _, err := ts.engine.Submit(context.Background(), collab.Submission{Doc: firstSection(p), V: 0, Src: "leader-tab", Seq: 1,
		By: c.by["leader"].ID, Op: d}); err != nil {
		t.Fatalf("the leader writes: %v", err)
	}
	switch phase {
	case collab.PhaseDraft:
	case collab.PhaseReview:
		p = c.step(t, p.ID, "steering", "lock", "")
	default:
		t.Fatalf("the matrix has no way to reach phase %s", phase)
	}
	if p.Phase != phase {
		t.Fatalf("plan in phase %s, want %s", p.Phase, phase)
	}
	return p
}

// step posts a transition as the persona who and returns the plan.
func (c *cast) step(t *testing.T, planID, who, action, comment string) collab.Plan {
	t.Helper()
	rec := c.ts.doAs(c.by[who].Token, http.MethodPost, "/api/plans/"+planID+"/transitions",
		jsonOf(map[string]string{"action": action, "comment": comment}))
	if rec.Code != http.StatusOK {
		t.Fatalf("%s %s: %d %s", who, action, rec.Code, rec.Body)
	}
	return decode[collab.Plan](t, rec)
}

// matrixText is the text of the first section of the matrix's plans.
const matrixText = "Boliger for alle i kommunen."

// comment starts a thread on "alle" in the first section as who.
func (c *cast) comment(t *testing.T, p collab.Plan, who string) string {
	t.Helper()
	rec := c.ts.doAs(c.by[who].Token, http.MethodPost, "/api/plans/"+p.ID+"/comments",
		jsonOf(map[string]any{"section": firstSection(p), "v": 1, "index": 12, "length": 4, "body": "Hvem er alle?"}))
	if rec.Code != http.StatusCreated {
		t.Fatalf("%s comments: %d %s", who, rec.Code, rec.Body)
	}
	return decode[struct{ ID string }](t, rec).ID
}

// suggest suggests "alle innbyggere" for "alle" as who.
func (c *cast) suggest(t *testing.T, p collab.Plan, who string) string {
	t.Helper()
	rec := c.ts.doAs(c.by[who].Token, http.MethodPost, "/api/plans/"+p.ID+"/suggestions",
		jsonOf(map[string]any{"section": firstSection(p), "v": 1, "index": 12, "length": 4, "text": "alle innbyggere"}))
	if rec.Code != http.StatusCreated {
		t.Fatalf("%s suggests: %d %s", who, rec.Code, rec.Body)
	}
	return decode[struct{ ID string }](t, rec).ID
}

// flag posts {"value": true} to a thread's resolve, required or done
// route as who.
func (c *cast) flag(t *testing.T, p collab.Plan, who, thread, route string) {
	t.Helper()
	rec := c.ts.doAs(c.by[who].Token, http.MethodPost, "/api/plans/"+p.ID+"/comments/"+thread+"/"+route, `{"value":true}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("%s %s %s: %d %s", who, route, thread, rec.Code, rec.Body)
	}
}

// commenter is who writes the thread of an "own" call: the caller, when
// they may comment, else the member.
func commenter(who persona) string {
	if !who.foreign && auth.Allowed(who.roles, auth.ActionComment, collab.PhaseDraft) == nil {
		return who.name
	}
	return "member"
}

// otherThan is an author who is not the caller.
func otherThan(who persona) string {
	if who.name == "member" {
		return "finance"
	}
	return "member"
}

// threadByMember is the fixture of a thread by the member.
func threadByMember(t *testing.T, c *cast, p collab.Plan, _ persona) {
	c.fx.thread = c.comment(t, p, "member")
}

// ownThread is the fixture of a thread by the caller (see commenter).
func ownThread(t *testing.T, c *cast, p collab.Plan, who persona) {
	c.fx.thread = c.comment(t, p, commenter(who))
}

// othersThread is the fixture of a thread by someone else than the caller.
func othersThread(t *testing.T, c *cast, p collab.Plan, who persona) {
	c.fx.thread = c.comment(t, p, otherThan(who))
}

// archivedByAdmin is the fixture of a plan the administrator archived.
func archivedByAdmin(t *testing.T, c *cast, p collab.Plan, _ persona) {
	c.as(t, "admin", http.MethodPost, "/plans/"+p.ID+"/archive", map[string]string{})
}

// suggestionByMember is the fixture of the member's suggestion.
func suggestionByMember(t *testing.T, c *cast, p collab.Plan, _ persona) {
	c.fx.suggestion = c.suggest(t, p, "member")
}

// requiredThread makes the member's thread a required change of the
// steering group, which needs the plan in review: a draft is locked for
// it and returned after. With done, the leader marks it made in the
// draft, and a plan in review is locked again.
func requiredThread(done bool) func(t *testing.T, c *cast, p collab.Plan, _ persona) {
	return func(t *testing.T, c *cast, p collab.Plan, _ persona) {
		c.fx.thread = c.comment(t, p, "member")
		phase := p.Phase
		if phase == collab.PhaseDraft {
			c.step(t, p.ID, "steering", "lock", "")
		}
		c.flag(t, p, "steering", c.fx.thread, "required")
		if phase == collab.PhaseDraft || done {
			c.step(t, p.ID, "steering", "return", "Se endringskravet")
		}
		if done {
			c.flag(t, p, "leader", c.fx.thread, "done")
			if phase == collab.PhaseReview {
				c.step(t, p.ID, "steering", "lock", "")
			}
		}
	}
}

// as calls the API as who for a fixture and returns the answer's fields;
// anything but success fails the test. The seq of a plan in the answer
// becomes c.fx.seq. The call under test is checked against the OpenAPI
// document, a fixture's answer is not: a fixture only prepares.
func (c *cast) as(t *testing.T, who, method, target string, body any) map[string]json.RawMessage {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = strings.NewReader(jsonOf(body))
	}
	req := httptest.NewRequest(method, "/api"+target, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+c.by[who].Token)
	rec := c.ts.serve(req)
	if rec.Code < 200 || rec.Code > 299 {
		t.Fatalf("fixture: %s %s %s: %d %s", who, method, target, rec.Code, rec.Body)
	}
	out := decode[map[string]json.RawMessage](t, rec)
	if _, isPlan := out["phase"]; isPlan {
		if err := json.Unmarshal(out["seq"], &c.fx.seq); err != nil {
			t.Fatalf("fixture: the plan's seq: %v", err)
		}
	}
	return out
}

// makeObject posts body to the plan's collection path as the leader and
// returns the id of the object the answer holds under key.
func (c *cast) makeObject(t *testing.T, p collab.Plan, path, key string, body map[string]any) string {
	t.Helper()
	body["seq"] = c.seqOf(p)
	var obj struct{ ID string }
	if err := json.Unmarshal(c.as(t, "leader", http.MethodPost, "/plans/"+p.ID+"/"+path, body)[key], &obj); err != nil || obj.ID == "" {
		t.Fatalf("fixture: no %s in the answer (%v)", key, err)
	}
	return obj.ID
}

// seqOf is the plan seq a call is made on: the fixture's, or p's when the
// fixture changed nothing.
func (c *cast) seqOf(p collab.Plan) int64 { return max(c.fx.seq, p.Seq) }

// inDraft runs fn with the plan in draft, where the leader may change
// its structured content: a plan in review is returned to draft for it
// and locked again after.
func (c *cast) inDraft(t *testing.T, p collab.Plan, fn func()) {
	t.Helper()
	if p.Phase == collab.PhaseDraft {
		fn()
		return
	}
	c.step(t, p.ID, "steering", "return", "Målene mangler")
	fn()
	c.fx.seq = c.step(t, p.ID, "steering", "lock", "").Seq
}

// firstArea is the plan's first target area.
func firstArea(t *testing.T, p collab.Plan) string {
	t.Helper()
	areas := p.TargetAreas()
	if len(areas) == 0 {
		t.Fatal("the plan has no target area")
	}
	return areas[0].ID
}

// goal makes a goal in the first target area.
func (c *cast) goal(t *testing.T, p collab.Plan) string {
	t.Helper()
	return c.makeObject(t, p, "goals", "goal", map[string]any{"target_area": firstArea(t, p), "title": "Flere unge eier egen bolig"})
}

// costs are a measure's costs in the first year of the plan's period.
func costs(p collab.Plan, investment int64) []map[string]any {
	return []map[string]any{{"year": p.Period.From, "investment": investment, "operating": 250_000}}
}

// measure makes a measure with costs serving goal.
func (c *cast) measure(t *testing.T, p collab.Plan, goal string) string {
	t.Helper()
	return c.makeObject(t, p, "measures", "measure", map[string]any{"target_area": firstArea(t, p), "title": "Startlån til unge",
		"goals": []string{goal}, "unit": "Boligkontoret", "start_year": p.Period.From, "end_year": p.Period.To,
		"priority": "high", "status": "planned", "costs": costs(p, 1_500_000)})
}

// indicator makes an indicator of goal.
func (c *cast) indicator(t *testing.T, p collab.Plan, goal string) string {
	t.Helper()
	return c.makeObject(t, p, "indicators", "indicator", indicatorBody(p, goal))
}

func indicatorBody(p collab.Plan, goal string) map[string]any {
	return map[string]any{"goal": goal, "name": "Andel unge som eier egen bolig", "unit": "%",
		"baseline": map[string]any{"value": 12, "year": p.Period.From - 2},
		"targets":  []map[string]any{{"year": p.Period.To, "value": 40}},
		"source":   "SSB tabell 06265", "frequency": "yearly", "responsible": "Boligkontoret"}
}

// privacyText is a sentence with a small count of households.
const privacyText = "Det bor 3 familier her. "

// finding writes privacyText at the head of the plan's second section as
// the leader and returns the id of the finding it makes.
func (c *cast) finding(t *testing.T, p collab.Plan) string {
	t.Helper()
	sec := p.Sections[1].ID
	ctx := context.Background()
	v, _, err := c.ts.engine.Snapshot(ctx, sec)
	if err != nil {
		t.Fatal(err)
	}
	var d delta.Delta
	d.Insert(privacyText, nil)
	if _, err := c.ts.engine.Submit(ctx, collab.Submission{Doc: sec, V: v, Src: "fixture-tab", Seq: 1,
		By: c.by["leader"].ID, Op: d}); err != nil {
		t.Fatalf("fixture: the leader writes: %v", err)
	}
	var r struct {
		Findings []struct{ ID, Section string }
	}
	if err := json.Unmarshal(mustJSON(c.as(t, "leader", http.MethodGet, "/plans/"+p.ID+"/privacy", nil)), &r); err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Findings {
		if f.Section == sec {
			return f.ID
		}
	}
	t.Fatalf("fixture: %q made no privacy finding", privacyText)
	return ""
}

// mustJSON encodes an answer's fields again.
func mustJSON(fields map[string]json.RawMessage) []byte {
	b, err := json.Marshal(fields)
	if err != nil {
		panic(err) // raw JSON of a decoded answer
	}
	return b
}

// accept accepts the privacy finding fid as the leader.
func (c *cast) accept(t *testing.T, p collab.Plan, fid string) {
	t.Helper()
	c.as(t, "leader", http.MethodPost, "/plans/"+p.ID+"/privacy/"+fid+"/accept",
		map[string]any{"seq": c.seqOf(p), "reason": "Tallet er publisert av SSB"})
}

// fixtureVersion is the name of the version the version fixtures freeze.
const fixtureVersion = "Fixturversjon"

// aVersion is the fixture of a named version the leader froze.
func aVersion(t *testing.T, c *cast, p collab.Plan, _ persona) {
	c.as(t, "leader", http.MethodPost, "/plans/"+p.ID+"/versions", map[string]any{"name": fixtureVersion})
}

// aVersionThenEdit freezes a named version and, in a phase that allows
// it, has the leader write more in the first section after it, so that a
// restore makes an edit.
func aVersionThenEdit(t *testing.T, c *cast, p collab.Plan, who persona) {
	aVersion(t, c, p, who)
	if p.Phase != collab.PhaseDraft {
		return
	}
	ctx := context.Background()
	v, _, err := c.ts.engine.Snapshot(ctx, firstSection(p))
	if err != nil {
		t.Fatal(err)
	}
	var d delta.Delta
	d.Insert("Etter versjonen. ", nil)
	if _, err := c.ts.engine.Submit(ctx, collab.Submission{Doc: firstSection(p), V: v, Src: "fixture-tab", Seq: v + 1,
		By: c.by["leader"].ID, Op: d}); err != nil {
		t.Fatalf("fixture: the leader writes: %v", err)
	}
}

// aGoal is the fixture of a goal.
func aGoal(t *testing.T, c *cast, p collab.Plan, _ persona) {
	c.inDraft(t, p, func() { c.fx.goal = c.goal(t, p) })
}

// aStrategy is the fixture of a strategy serving a goal.
func aStrategy(t *testing.T, c *cast, p collab.Plan, _ persona) {
	c.inDraft(t, p, func() {
		c.fx.goal = c.goal(t, p)
		c.fx.strategy = c.makeObject(t, p, "strategies", "strategy", map[string]any{"target_area": firstArea(t, p),
			"title": "Samarbeid med utbyggere", "goals": []string{c.fx.goal}})
	})
}

// aMeasure is the fixture of a measure with costs.
func aMeasure(t *testing.T, c *cast, p collab.Plan, _ persona) {
	c.inDraft(t, p, func() {
		c.fx.goal = c.goal(t, p)
		c.fx.measure = c.measure(t, p, c.fx.goal)
	})
}

// anIndicator is the fixture of an indicator of a goal.
func anIndicator(t *testing.T, c *cast, p collab.Plan, _ persona) {
	c.inDraft(t, p, func() {
		c.fx.goal = c.goal(t, p)
		c.fx.indicator = c.indicator(t, p, c.fx.goal)
	})
}

// aMilestone is the fixture of a milestone, which the leader makes in
// every phase.
// anExport is the fixture of a spreadsheet export the leader asked for,
// done.
func anExport(t *testing.T, c *cast, p collab.Plan, _ persona) {
	if err := json.Unmarshal(c.as(t, "leader", http.MethodPost, "/plans/"+p.ID+"/exports", map[string]string{"format": "xlsx"})["id"], &c.fx.export); err != nil {
		t.Fatalf("fixture: no export id: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if job, err := c.ts.srv.WaitExport(ctx, p.ID, c.fx.export); err != nil || job.Status != "done" {
		t.Fatalf("fixture: the export: %+v, %v", job, err)
	}
}

func aMilestone(t *testing.T, c *cast, p collab.Plan, _ persona) {
	c.fx.milestone = c.makeObject(t, p, "milestones", "milestone", map[string]any{"title": "Utkast til styringsgruppen",
		"date": fmt.Sprintf("%d-03-01", p.Period.From), "responsible": c.by["member"].ID})
}

// roundTo is the fixture of a review round the leader sends to the
// persona recipient chooses.
func roundTo(recipient func(who persona) string) func(t *testing.T, c *cast, p collab.Plan, who persona) {
	return func(t *testing.T, c *cast, p collab.Plan, who persona) {
		c.fx.round = c.makeObject(t, p, "rounds", "round", map[string]any{"message": "Les gjennom før møtet",
			"recipients": []string{c.by[recipient(who)].ID}, "deadline": fmt.Sprintf("%d-02-01", p.Period.From)})
	}
}

// recipient is the caller, when they are a member who can be sent a
// round, else the member.
func recipient(who persona) string {
	if who.foreign || len(who.roles) == 0 || who.name == "admin" {
		return "member"
	}
	return who.name
}

// onlyRecipients is the answer for marking a round done: the route
// admits whoever may read the plan, the handler only the round's
// recipients (own: the caller is one when they are a member).
func onlyRecipients(own bool) func(roles []auth.Role, phase collab.Phase) error {
	return func(roles []auth.Role, phase collab.Phase) error {
		if err := auth.Allowed(roles, auth.ActionReadPlan, phase); err != nil {
			return err
		}
		if own && !slices.Equal(roles, []auth.Role{auth.RoleAdmin}) {
			return nil
		}
		return collab.Errorf(collab.CodeForbidden, "the review round was not sent to you")
	}
}

// aFinding is the fixture of a privacy finding in the text, accepted by
// the leader when accepted — and in review, where the plan could not have
// been locked with it open.
func aFinding(accepted bool) func(t *testing.T, c *cast, p collab.Plan, _ persona) {
	return func(t *testing.T, c *cast, p collab.Plan, _ persona) {
		c.inDraft(t, p, func() {
			c.fx.finding = c.finding(t, p)
			if accepted || p.Phase != collab.PhaseDraft {
				c.accept(t, p, c.fx.finding)
			}
		})
	}
}

// withContent is the fixture of a plan with structured content of every
// kind: a goal with a strategy, a measure whose costs changed after
// finance signed them off (the sign-off has lapsed), an indicator with a
// report, an accepted privacy finding, an overdue milestone and a review
// round the member has answered.
func withContent(t *testing.T, c *cast, p collab.Plan, _ persona) {
	c.inDraft(t, p, func() {
		goal := c.goal(t, p)
		c.makeObject(t, p, "strategies", "strategy", map[string]any{"target_area": firstArea(t, p),
			"title": "Samarbeid med utbyggere", "goals": []string{goal}})
		m := c.measure(t, p, goal)
		ind := c.indicator(t, p, goal)
		c.as(t, "leader", http.MethodPost, "/plans/"+p.ID+"/indicators/"+ind+"/reports",
			map[string]any{"seq": c.seqOf(p), "date": fmt.Sprintf("%d-06-30", p.Period.From), "value": 18, "note": "Fra SSB"})
		c.as(t, "finance", http.MethodPost, "/plans/"+p.ID+"/economics/signoff",
			map[string]any{"seq": c.seqOf(p), "comment": "Kostnadene er kontrollert"})
		c.as(t, "leader", http.MethodPatch, "/plans/"+p.ID+"/measures/"+m,
			map[string]any{"seq": c.seqOf(p), "costs": costs(p, 2_000_000)})
		c.accept(t, p, c.finding(t, p))
	})
	c.makeObject(t, p, "milestones", "milestone", map[string]any{"title": "Oppstart", "date": "2020-01-06", "responsible": "leader"})
	round := c.makeObject(t, p, "rounds", "round", map[string]any{"recipients": []string{c.by["member"].ID},
		"sections": []string{firstSection(p)}, "deadline": "2020-02-01"})
	c.as(t, "member", http.MethodPost, "/plans/"+p.ID+"/rounds/"+round+"/done", map[string]any{"comment": "Lest"})
}

// both is the policy's answer when the route checks first and the handler
// then (on the same roles and phase).
func both(first, then auth.Action) func(roles []auth.Role, phase collab.Phase) error {
	return func(roles []auth.Role, phase collab.Phase) error {
		if err := auth.Allowed(roles, first, phase); err != nil {
			return err
		}
		return auth.Allowed(roles, then, phase)
	}
}

// onlyTheAuthor is the answer for changing another's comment: whoever may
// comment is still refused.
func onlyTheAuthor(roles []auth.Role, phase collab.Phase) error {
	if err := auth.Allowed(roles, auth.ActionComment, phase); err != nil {
		return err
	}
	return collab.Errorf(collab.CodeForbidden, "only the author may change or delete a comment")
}

// planCall is one way to call a plan route. Transitions have a call per
// action of the body.
type planCall struct {
	route string // routeKey of the route in the table
	name  string // the variant, for the subtest name
	// action is the action the table must list for the route ("" for
	// transitions, which choose it by body).
	action auth.Action
	// decide is the policy's answer for roles in phase; nil means
	// auth.Allowed(roles, action, phase).
	decide func(roles []auth.Role, phase collab.Phase) error
	// fixture, when set, prepares what the call acts on in plan p before
	// who calls it, into c.fx.
	fixture func(t *testing.T, c *cast, p collab.Plan, who persona)
	// request returns the target (below /api) and the body for plan p.
	request func(c *cast, p collab.Plan) (target, body string)
}

// transitionCall is a call of the transitions route with body action a,
// which the policy judges as act.
func transitionCall(a string, act auth.Action, comment string) planCall {
	return planCall{route: "POST /plans/:id/transitions", name: a,
		decide: func(roles []auth.Role, phase collab.Phase) error { return auth.Allowed(roles, act, phase) },
		request: func(_ *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/transitions", jsonOf(map[string]string{"action": a, "comment": comment})
		}}
}

// decideApprove is the policy's answer to "approve": either approval the
// caller may give suffices; when neither, a phase refusal of a role that
// approves says more than forbidden.
func decideApprove(roles []auth.Role, phase collab.Phase) error {
	errS := auth.Allowed(roles, auth.ActionApproveSteering, phase)
	errP := auth.Allowed(roles, auth.ActionApprovePolitical, phase)
	switch {
	case errS == nil || errP == nil:
		return nil
	case policyCode(errS) != collab.CodeForbidden:
		return errS
	}
	return errP
}

// firstSection is the id of the plan's first top-level section.
func firstSection(p collab.Plan) string { return p.Sections[0].ID }

// planCalls are the calls of the matrix: at least one per plan route.
var planCalls = []planCall{
	{route: "GET /plans/:id", action: auth.ActionReadPlan,
		request: func(_ *cast, p collab.Plan) (string, string) { return "/plans/" + p.ID, "" }},
	{route: "POST /plans/:id/sections", action: auth.ActionEditStructure,
		request: func(_ *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/sections", jsonOf(map[string]any{"title": "Ny del", "index": 1})
		}},
	{route: "PATCH /plans/:id/sections/:sid", action: auth.ActionEditStructure,
		request: func(_ *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/sections/" + firstSection(p), jsonOf(map[string]any{"title": "Innledning og bakgrunn"})
		}},
	{route: "POST /plans/:id/sections/:sid/move", action: auth.ActionEditStructure,
		request: func(_ *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/sections/" + firstSection(p) + "/move", jsonOf(map[string]any{"parent": "", "index": 2})
		}},
	{route: "DELETE /plans/:id/sections/:sid", action: auth.ActionEditStructure,
		request: func(_ *cast, p collab.Plan) (string, string) {
			return fmt.Sprintf("/plans/%s/sections/%s?seq=%d", p.ID, firstSection(p), p.Seq), ""
		}},
	{route: "PUT /plans/:id/sections/:sid/responsibility", action: auth.ActionManageProject,
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/sections/" + firstSection(p) + "/responsibility",
				jsonOf(map[string]any{"responsible": c.by["member"].ID, "contributors": []string{c.by["finance"].ID}})
		}},
	{route: "GET /plans/:id/sections/:sid/content", action: auth.ActionReadPlan,
		request: func(_ *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/sections/" + firstSection(p) + "/content", ""
		}},
	{route: "PUT /plans/:id/members/:uid", action: auth.ActionManageProject,
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/members/" + c.newbie.ID, jsonOf(map[string]any{"roles": []string{"member", "finance"}})
		}},
	{route: "DELETE /plans/:id/members/:uid", action: auth.ActionManageProject,
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/members/" + c.spare.ID, ""
		}},
	{route: "POST /plans/:id/invitations", action: auth.ActionManageProject,
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/invitations", jsonOf(map[string]any{"email": c.newbie.Email, "roles": []string{"reader"}})
		}},
	{route: "PUT /plans/:id/leader", action: auth.ActionAssignLeader,
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/leader", jsonOf(map[string]string{"user": c.spare.ID})
		}},
	{route: "GET /plans/:id/audit", action: auth.ActionReadAudit,
		request: func(_ *cast, p collab.Plan) (string, string) { return "/plans/" + p.ID + "/audit", "" }},
	{route: "POST /plans/:id/archive", action: auth.ActionArchivePlan,
		request: func(_ *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/archive", jsonOf(map[string]string{"reason": "Erstattet av ny plan"})
		}},
	{route: "DELETE /plans/:id/archive", action: auth.ActionArchivePlan, fixture: archivedByAdmin,
		request: func(_ *cast, p collab.Plan) (string, string) { return "/plans/" + p.ID + "/archive", "" }},
	transitionCall("lock", auth.ActionLock, ""),
	transitionCall("return", auth.ActionReturn, "Økonomidelen mangler"),
	transitionCall("submit", auth.ActionSubmit, ""),
	{route: "POST /plans/:id/transitions", name: "approve", decide: decideApprove,
		request: func(_ *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/transitions", jsonOf(map[string]string{"action": "approve"})
		}},

	// The review: comments and suggestions continue in review, deciding a
	// suggestion is locked there.
	{route: "GET /plans/:id/comments", action: auth.ActionReadPlan, fixture: threadByMember,
		request: func(_ *cast, p collab.Plan) (string, string) { return "/plans/" + p.ID + "/comments?status=open", "" }},
	{route: "POST /plans/:id/comments", action: auth.ActionComment,
		request: func(_ *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/comments", jsonOf(map[string]any{"section": firstSection(p), "v": 1, "index": 0, "length": 7,
				"body": "Hvilke boliger?"})
		}},
	{route: "POST /plans/:id/comments/:cid/replies", action: auth.ActionComment, fixture: threadByMember,
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/comments/" + c.fx.thread + "/replies", jsonOf(map[string]any{"body": "Alle som bor her."})
		}},
	{route: "PATCH /plans/:id/comments/:cid", name: "own", action: auth.ActionComment, fixture: ownThread,
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/comments/" + c.fx.thread, jsonOf(map[string]any{"body": "Hvem er alle, egentlig?"})
		}},
	{route: "PATCH /plans/:id/comments/:cid", name: "another's", action: auth.ActionComment, fixture: othersThread,
		decide: onlyTheAuthor,
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/comments/" + c.fx.thread, jsonOf(map[string]any{"body": "Overskrevet"})
		}},
	{route: "DELETE /plans/:id/comments/:cid", name: "own", action: auth.ActionComment, fixture: ownThread,
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/comments/" + c.fx.thread, ""
		}},
	{route: "DELETE /plans/:id/comments/:cid", name: "another's", action: auth.ActionComment, fixture: othersThread,
		decide: onlyTheAuthor,
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/comments/" + c.fx.thread, ""
		}},
	// Resolving decides by the thread (resolveThread): its author their
	// own, the leader any, a required change (once made) the steering
	// group only — neither its author nor the leader.
	{route: "POST /plans/:id/comments/:cid/resolve", name: "own", action: auth.ActionResolveOwnThread, fixture: ownThread,
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/comments/" + c.fx.thread + "/resolve", `{"value":true}`
		}},
	{route: "POST /plans/:id/comments/:cid/resolve", name: "another's", action: auth.ActionResolveOwnThread, fixture: othersThread,
		decide: both(auth.ActionResolveOwnThread, auth.ActionResolveAnyThread),
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/comments/" + c.fx.thread + "/resolve", `{"value":true}`
		}},
	{route: "POST /plans/:id/comments/:cid/resolve", name: "required", action: auth.ActionResolveOwnThread, fixture: requiredThread(true),
		decide: both(auth.ActionResolveOwnThread, auth.ActionResolveRequiredChange),
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/comments/" + c.fx.thread + "/resolve", `{"value":true}`
		}},
	{route: "POST /plans/:id/comments/:cid/required", action: auth.ActionRequireChange, fixture: threadByMember,
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/comments/" + c.fx.thread + "/required", `{"value":true}`
		}},
	{route: "POST /plans/:id/comments/:cid/done", action: auth.ActionMarkChangeDone, fixture: requiredThread(false),
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/comments/" + c.fx.thread + "/done", `{"value":true}`
		}},
	{route: "GET /plans/:id/suggestions", action: auth.ActionReadPlan, fixture: suggestionByMember,
		request: func(_ *cast, p collab.Plan) (string, string) { return "/plans/" + p.ID + "/suggestions", "" }},
	{route: "POST /plans/:id/suggestions", action: auth.ActionSuggest,
		request: func(_ *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/suggestions", jsonOf(map[string]any{"section": firstSection(p), "v": 1, "index": 20, "length": 8,
				"text": "byen", "body": "Kortere"})
		}},
	{route: "POST /plans/:id/suggestions/:sgid/accept", action: auth.ActionDecideSuggestion, fixture: suggestionByMember,
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/suggestions/" + c.fx.suggestion + "/accept", ""
		}},
	{route: "POST /plans/:id/suggestions/:sgid/reject", action: auth.ActionDecideSuggestion, fixture: suggestionByMember,
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/suggestions/" + c.fx.suggestion + "/reject", jsonOf(map[string]string{"reply": "Nei takk"})
		}},
	{route: "GET /plans/:id/sections/:sid/history", action: auth.ActionReadPlan,
		request: func(_ *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/sections/" + firstSection(p) + "/history", ""
		}},
	{route: "GET /plans/:id/sections/:sid/authorship", action: auth.ActionReadPlan,
		request: func(_ *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/sections/" + firstSection(p) + "/authorship", ""
		}},

	// Named versions (docs/versions.md): the leader freezes in every
	// phase and restores where the text may be edited; everyone reads.
	{route: "GET /plans/:id/versions", action: auth.ActionReadPlan, fixture: aVersion,
		request: func(_ *cast, p collab.Plan) (string, string) { return "/plans/" + p.ID + "/versions", "" }},
	{route: "POST /plans/:id/versions", action: auth.ActionFreezeVersion,
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/versions", jsonOf(map[string]any{"name": "Utkast 1", "seq": c.seqOf(p)})
		}},
	{route: "GET /plans/:id/diff", action: auth.ActionReadPlan, fixture: aVersionThenEdit,
		request: func(_ *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/diff?from=" + url.QueryEscape(fixtureVersion) + "&to=now", ""
		}},
	{route: "POST /plans/:id/sections/:sid/restore", action: auth.ActionRestoreSection, fixture: aVersionThenEdit,
		request: func(_ *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/sections/" + firstSection(p) + "/restore", jsonOf(map[string]any{"version": fixtureVersion})
		}},

	// Structured content (docs/content.md): the leader changes it where
	// the text may be edited, the leader and the administrator organise
	// the work in every phase, finance signs off the costs, every reader
	// reads it.
	{route: "GET /plans/:id", name: "with content", action: auth.ActionReadPlan, fixture: withContent,
		request: func(_ *cast, p collab.Plan) (string, string) { return "/plans/" + p.ID, "" }},
	{route: "PATCH /plans/:id/settings", action: auth.ActionEditStructure,
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/settings", jsonOf(map[string]any{"seq": c.seqOf(p), "privacy_threshold": 3,
				"period": map[string]int{"from": p.Period.From, "to": p.Period.To + 1}})
		}},
	{route: "POST /plans/:id/goals", action: auth.ActionEditStructure,
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/goals", jsonOf(map[string]any{"seq": c.seqOf(p), "target_area": firstArea(c.ts.t, p),
				"title": "Flere unge eier egen bolig", "description": "Andelen skal øke."})
		}},
	{route: "PATCH /plans/:id/goals/:gid", action: auth.ActionEditStructure, fixture: aGoal,
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/goals/" + c.fx.goal, jsonOf(map[string]any{"seq": c.seqOf(p), "title": "Flere unge skal eie"})
		}},
	{route: "DELETE /plans/:id/goals/:gid", action: auth.ActionEditStructure, fixture: aGoal,
		request: func(c *cast, p collab.Plan) (string, string) {
			return fmt.Sprintf("/plans/%s/goals/%s?seq=%d", p.ID, c.fx.goal, c.seqOf(p)), ""
		}},
	{route: "POST /plans/:id/strategies", action: auth.ActionEditStructure, fixture: aGoal,
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/strategies", jsonOf(map[string]any{"seq": c.seqOf(p), "target_area": firstArea(c.ts.t, p),
				"title": "Samarbeid med utbyggere", "goals": []string{c.fx.goal}})
		}},
	{route: "PATCH /plans/:id/strategies/:stid", action: auth.ActionEditStructure, fixture: aStrategy,
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/strategies/" + c.fx.strategy, jsonOf(map[string]any{"seq": c.seqOf(p), "goals": []string{}})
		}},
	{route: "DELETE /plans/:id/strategies/:stid", action: auth.ActionEditStructure, fixture: aStrategy,
		request: func(c *cast, p collab.Plan) (string, string) {
			return fmt.Sprintf("/plans/%s/strategies/%s?seq=%d", p.ID, c.fx.strategy, c.seqOf(p)), ""
		}},
	{route: "POST /plans/:id/measures", action: auth.ActionEditStructure, fixture: aGoal,
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/measures", jsonOf(map[string]any{"seq": c.seqOf(p), "target_area": firstArea(c.ts.t, p),
				"title": "Startlån til unge", "description": "Kommunen låner ut.", "goals": []string{c.fx.goal}, "unit": "Boligkontoret",
				"start_year": p.Period.From, "end_year": p.Period.From + 2, "priority": "high", "target_group": "Unge",
				"status": "planned", "costs": costs(p, 1_500_000)})
		}},
	{route: "PATCH /plans/:id/measures/:mid", action: auth.ActionEditStructure, fixture: aMeasure,
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/measures/" + c.fx.measure, jsonOf(map[string]any{"seq": c.seqOf(p), "status": "in_progress",
				"costs": costs(p, 1_750_000)})
		}},
	{route: "DELETE /plans/:id/measures/:mid", action: auth.ActionEditStructure, fixture: aMeasure,
		request: func(c *cast, p collab.Plan) (string, string) {
			return fmt.Sprintf("/plans/%s/measures/%s?seq=%d", p.ID, c.fx.measure, c.seqOf(p)), ""
		}},
	{route: "POST /plans/:id/indicators", action: auth.ActionEditStructure, fixture: aGoal,
		request: func(c *cast, p collab.Plan) (string, string) {
			body := indicatorBody(p, c.fx.goal)
			body["seq"] = c.seqOf(p)
			return "/plans/" + p.ID + "/indicators", jsonOf(body)
		}},
	{route: "PATCH /plans/:id/indicators/:iid", action: auth.ActionEditStructure, fixture: anIndicator,
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/indicators/" + c.fx.indicator, jsonOf(map[string]any{"seq": c.seqOf(p),
				"targets": []map[string]any{{"year": p.Period.To - 1, "value": 30}, {"year": p.Period.To, "value": 45}}})
		}},
	{route: "DELETE /plans/:id/indicators/:iid", action: auth.ActionEditStructure, fixture: anIndicator,
		request: func(c *cast, p collab.Plan) (string, string) {
			return fmt.Sprintf("/plans/%s/indicators/%s?seq=%d", p.ID, c.fx.indicator, c.seqOf(p)), ""
		}},
	{route: "POST /plans/:id/indicators/:iid/reports", action: auth.ActionEditStructure, fixture: anIndicator,
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/indicators/" + c.fx.indicator + "/reports", jsonOf(map[string]any{"seq": c.seqOf(p),
				"date": fmt.Sprintf("%d-06-30", p.Period.From), "value": 18.5, "note": "Fra SSB"})
		}},
	{route: "POST /plans/:id/milestones", action: auth.ActionManageProject,
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/milestones", jsonOf(map[string]any{"seq": c.seqOf(p), "title": "Høring",
				"date": fmt.Sprintf("%d-09-01", p.Period.From), "responsible": "leader", "status": "planned"})
		}},
	{route: "PATCH /plans/:id/milestones/:msid", action: auth.ActionManageProject, fixture: aMilestone,
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/milestones/" + c.fx.milestone, jsonOf(map[string]any{"seq": c.seqOf(p), "status": "done"})
		}},
	{route: "DELETE /plans/:id/milestones/:msid", action: auth.ActionManageProject, fixture: aMilestone,
		request: func(c *cast, p collab.Plan) (string, string) {
			return fmt.Sprintf("/plans/%s/milestones/%s?seq=%d", p.ID, c.fx.milestone, c.seqOf(p)), ""
		}},
	{route: "POST /plans/:id/rounds", action: auth.ActionManageProject,
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/rounds", jsonOf(map[string]any{"seq": c.seqOf(p), "message": "Les innledningen",
				"sections": []string{firstSection(p)}, "recipients": []string{c.by["member"].ID, c.by["finance"].ID},
				"deadline": fmt.Sprintf("%d-02-01", p.Period.From)})
		}},
	// Marking a round done: the route admits every reader, the handler
	// only the round's recipients.
	{route: "POST /plans/:id/rounds/:rid/done", name: "own", action: auth.ActionReadPlan, fixture: roundTo(recipient),
		decide: onlyRecipients(true),
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/rounds/" + c.fx.round + "/done", jsonOf(map[string]any{"comment": "Lest, ser bra ut"})
		}},
	{route: "POST /plans/:id/rounds/:rid/done", name: "another's", action: auth.ActionReadPlan, fixture: roundTo(otherThan),
		decide: onlyRecipients(false),
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/rounds/" + c.fx.round + "/done", jsonOf(map[string]any{})
		}},
	{route: "GET /plans/:id/economics", action: auth.ActionReadPlan, fixture: aMeasure,
		request: func(_ *cast, p collab.Plan) (string, string) { return "/plans/" + p.ID + "/economics", "" }},
	{route: "POST /plans/:id/economics/signoff", action: auth.ActionSignOffEconomics, fixture: aMeasure,
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/economics/signoff", jsonOf(map[string]any{"seq": c.seqOf(p), "comment": "Kostnadene er kontrollert"})
		}},
	{route: "GET /plans/:id/privacy", action: auth.ActionReadPlan, fixture: aFinding(false),
		request: func(_ *cast, p collab.Plan) (string, string) { return "/plans/" + p.ID + "/privacy", "" }},
	{route: "POST /plans/:id/privacy/:fid/accept", action: auth.ActionAcceptPrivacyFinding, fixture: aFinding(false),
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/privacy/" + c.fx.finding + "/accept", jsonOf(map[string]any{"seq": c.seqOf(p),
				"reason": "Tallet er publisert av SSB"})
		}},
	{route: "DELETE /plans/:id/privacy/:fid/accept", action: auth.ActionAcceptPrivacyFinding, fixture: aFinding(true),
		request: func(c *cast, p collab.Plan) (string, string) {
			return fmt.Sprintf("/plans/%s/privacy/%s/accept?seq=%d", p.ID, c.fx.finding, c.seqOf(p)), ""
		}},
	{route: "GET /plans/:id/lix", action: auth.ActionReadPlan,
		request: func(_ *cast, p collab.Plan) (string, string) { return "/plans/" + p.ID + "/lix", "" }},

	// Exports: every member and the administrator, in every phase.
	{route: "POST /plans/:id/exports", action: auth.ActionExport,
		request: func(_ *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/exports", jsonOf(map[string]string{"format": "xlsx"})
		}},
	{route: "GET /plans/:id/exports/:eid", action: auth.ActionExport, fixture: anExport,
		request: func(c *cast, p collab.Plan) (string, string) { return "/plans/" + p.ID + "/exports/" + c.fx.export, "" }},
	{route: "GET /plans/:id/exports/:eid/file", action: auth.ActionExport, fixture: anExport,
		request: func(c *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/exports/" + c.fx.export + "/file", ""
		}},

	// The hearing (docs/hearing.md): members read it and its responses
	// in every phase; deciding, starting, tracking the bodies and
	// moderating have phases of their own (server/hearing_test.go goes
	// through them).
	{route: "GET /plans/:id/hearing", action: auth.ActionReadPlan,
		request: func(_ *cast, p collab.Plan) (string, string) { return "/plans/" + p.ID + "/hearing", "" }},
	{route: "PUT /plans/:id/hearing", action: auth.ActionDecideHearing,
		request: func(_ *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/hearing", jsonOf(map[string]any{"form": "Offentlig ettersyn"})
		}},
	{route: "POST /plans/:id/hearing/start", action: auth.ActionStartHearing,
		request: func(_ *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/hearing/start", jsonOf(map[string]any{"weeks": 6})
		}},
	{route: "PUT /plans/:id/hearing/bodies/:bid", action: auth.ActionRunHearing,
		request: func(_ *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/hearing/bodies/b1", jsonOf(map[string]any{"status": "sent"})
		}},
	{route: "GET /plans/:id/hearing/responses", action: auth.ActionReadPlan,
		request: func(_ *cast, p collab.Plan) (string, string) { return "/plans/" + p.ID + "/hearing/responses", "" }},
	{route: "GET /plans/:id/hearing/responses/export", action: auth.ActionExport,
		request: func(_ *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/hearing/responses/export?format=csv", ""
		}},
	{route: "POST /plans/:id/hearing/responses/:rid/moderation", action: auth.ActionModerateResponses,
		request: func(_ *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/hearing/responses/AAAA-AAAA-AAAA-AAAA/moderation", jsonOf(map[string]any{"decision": "published"})
		}},

	// Fase 3 (docs/processing.md; server/processing_test.go walks the
	// phases where they succeed).
	{route: "POST /plans/:id/hearing/close", action: auth.ActionCloseHearing,
		request: func(_ *cast, p collab.Plan) (string, string) { return "/plans/" + p.ID + "/hearing/close", "" }},
	{route: "PUT /plans/:id/hearing/responses/:rid/assessment", action: auth.ActionWriteAssessment,
		request: func(_ *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/hearing/responses/AAAA-AAAA-AAAA-AAAA/assessment", jsonOf(map[string]any{"outcome": "taken", "reason": "Rettet."})
		}},
	{route: "GET /plans/:id/hearing/assessments", action: auth.ActionReadPlan,
		request: func(_ *cast, p collab.Plan) (string, string) { return "/plans/" + p.ID + "/hearing/assessments", "" }},
	{route: "POST /plans/:id/decision", action: auth.ActionRecordDecision,
		request: func(_ *cast, p collab.Plan) (string, string) {
			return "/plans/" + p.ID + "/decision", jsonOf(map[string]any{"date": "2026-01-05", "body": "Kommunestyret", "case_number": "2026/1"})
		}},
	{route: "POST /plans/:id/rullering", action: auth.ActionStartRullering,
		request: func(_ *cast, p collab.Plan) (string, string) { return "/plans/" + p.ID + "/rullering", "" }},
}

// matrixPhases are the phases each plan call is made in.
var matrixPhases = []collab.Phase{collab.PhaseDraft, collab.PhaseReview}

// isPlanRoute reports whether a route of the table acts on one plan.
func isPlanRoute(path string) bool { return strings.HasPrefix(path, "/plans/:id") }

// TestRoutes_EveryAPIRouteIsInTheTable fails for a route registered under
// /api that the route table (and so the policy check) does not know, and
// for a table entry that is not registered.
func TestRoutes_EveryAPIRouteIsInTheTable(t *testing.T) {
	ts := newTestServer(t)
	e, ok := ts.srv.Handler().(*echo.Echo)
	if !ok {
		t.Fatalf("Handler() is a %T, not the Echo app", ts.srv.Handler())
	}
	table := map[string]bool{}
	for _, r := range server.APIRoutes() {
		k := routeKey(r.Method, "/api"+r.Path)
		if table[k] {
			t.Errorf("%s is in the table twice", k)
		}
		table[k] = true
	}
	registered := map[string]bool{}
	for _, r := range e.Routes() {
		if !strings.HasPrefix(r.Path, "/api/") {
			continue
		}
		k := routeKey(r.Method, r.Path)
		if r.Method == echo.RouteNotFound {
			continue
		}
		registered[k] = true
		// The WebSocket upgrade authenticates in its hello message.
		if k == "GET /api/ws" {
			continue
		}
		if !table[k] {
			t.Errorf("%s is registered but not in apiRoutes: it runs without the policy check", k)
		}
	}
	for k := range table {
		if !registered[k] {
			t.Errorf("%s is in apiRoutes but not registered", k)
		}
	}
}

// TestRoutes_TableActionsMatchThePolicy checks the action each route of
// the table checks against this test's own reading of SPEC.md §5, so a
// wrong action in the table fails here rather than slipping through the
// matrix (which enforces whatever the table says).
func TestRoutes_TableActionsMatchThePolicy(t *testing.T) {
	want := map[string]auth.Action{}
	for _, c := range planCalls {
		want[c.route] = c.action
	}
	for _, c := range globalCalls {
		want[c.route] = c.action
	}
	for _, r := range server.APIRoutes() {
		k := routeKey(r.Method, r.Path)
		if r.Public {
			if !slices.Contains([]string{"GET /openapi.json", "POST /auth/login", "POST /auth/refresh", "POST /auth/logout",
				"GET /auth/methods", "GET /auth/oidc/start", "GET /auth/oidc/callback",
				"POST /auth/password/forgot", "POST /auth/password/token", "POST /auth/password/reset",
				"GET /accessibility"}, k) {
				t.Errorf("%s is public: only the OpenAPI document, the session routes and the accessibility contact may be", k)
			}
			continue
		}
		a, ok := want[k]
		switch {
		case !ok:
			t.Errorf("%s has no case in this test: add one to planCalls or globalCalls", k)
		case r.ByBody != (k == "POST /plans/:id/transitions"):
			t.Errorf("%s: byBody = %t", k, r.ByBody)
		case r.Action != a:
			t.Errorf("%s checks %q, want %q", k, r.Action, a)
		}
		if r.Action != "" && !slices.Contains(auth.Actions(), r.Action) {
			t.Errorf("%s checks %q, which is not an action of the policy", k, r.Action)
		}
	}
}

// TestRoutes_EveryPlanRouteWithEveryRole calls every plan route, as every
// persona, on a fresh plan in each phase of matrixPhases, and checks that
// the answer is the policy's refusal exactly when auth.Allowed refuses, not
// found for another municipality, and success when the policy allows.
func TestRoutes_EveryPlanRouteWithEveryRole(t *testing.T) {
	covered := map[string]bool{}
	for _, call := range planCalls {
		covered[call.route] = true
	}
	for _, r := range server.APIRoutes() {
		if isPlanRoute(r.Path) && !covered[routeKey(r.Method, r.Path)] {
			t.Errorf("plan route %s %s has no call in planCalls", r.Method, r.Path)
		}
	}
	// Each route gets a server of its own: FerretDB slows down as a
	// database fills with plans. Locking marks every section of the
	// template, which takes FerretDB about a second per plan, so MongoDB
	// runs the matrix in draft only.
	for _, store := range []struct {
		name   string
		start  func(t *testing.T) *testServer
		phases []collab.Phase
	}{{"sqlite", newTestServer, matrixPhases}, {"mongo", newMongoTestServer, []collab.Phase{collab.PhaseDraft}}} {
		t.Run(store.name, func(t *testing.T) {
			var calls atomic.Int64
			t.Cleanup(func() {
				t.Logf("%d calls: %d plan calls × %d personas × %d phases",
					calls.Load(), len(planCalls), len(personas), len(store.phases))
			})
			for _, phase := range store.phases {
				for _, call := range planCalls {
					name := call.route
					if call.name != "" {
						name += " " + call.name
					}
					t.Run(string(phase)+"/"+name, func(t *testing.T) {
						t.Parallel()
						c := newCast(store.start(t))
						for _, who := range personas {
							p := c.plan(t, phase)
							c.fx = callFx{}
							if call.fixture != nil {
								call.fixture(t, c, p, who)
							}
							target, body := call.request(c, p)
							rec := c.ts.doAs(c.by[who.name].Token, strings.Fields(call.route)[0], "/api"+target, body)
							calls.Add(1)
							checkPolicyAnswer(t, who, call, phase, rec)
						}
					})
				}
			}
		})
	}
}

// checkPolicyAnswer checks the answer rec to call by who in phase.
func checkPolicyAnswer(t *testing.T, who persona, call planCall, phase collab.Phase, rec *httptest.ResponseRecorder) {
	t.Helper()
	var want error
	switch {
	case who.foreign:
		want = collab.Errorf(collab.CodeNotFound, "another municipality's plan")
	case len(who.roles) == 0:
		want = collab.Errorf(collab.CodeForbidden, "not a member")
	case call.decide != nil:
		want = call.decide(who.roles, phase)
	default:
		want = auth.Allowed(who.roles, call.action, phase)
	}
	if want == nil {
		if rec.Code < 200 || rec.Code > 299 {
			t.Errorf("%s: %d %s, want success (the policy allows it)", who.name, rec.Code, rec.Body)
		}
		return
	}
	code := policyCode(want)
	if rec.Code != statusOf(t, code) {
		t.Errorf("%s: %d %s, want %d %s (%v)", who.name, rec.Code, rec.Body, statusOf(t, code), code, want)
		return
	}
	if got := decode[apiError](t, rec).Error.Code; got != code {
		t.Errorf("%s: code %q, want %q", who.name, got, code)
	}
}

// globalCall is a call of a route that concerns no single plan.
type globalCall struct {
	route  string
	action auth.Action // "" admits every logged-in person
	// foreignNotFound marks calls on the municipality's own records,
	// which the administrator of another municipality does not find.
	foreignNotFound bool
	request         func(c *cast, n int) (target, body string)
	status          int // of success
}

var globalCalls = []globalCall{
	{route: "GET /me", status: http.StatusOK,
		request: func(*cast, int) (string, string) { return "/me", "" }},
	{route: "GET /me/notifications", status: http.StatusOK,
		request: func(*cast, int) (string, string) { return "/me/notifications", "" }},
	{route: "PUT /me/notifications", status: http.StatusOK,
		request: func(*cast, int) (string, string) { return "/me/notifications", `{"mode":"digest","lang":"nn"}` }},
	{route: "GET /plans", status: http.StatusOK,
		request: func(*cast, int) (string, string) { return "/plans", "" }},
	{route: "POST /plans", action: auth.ActionCreatePlan, status: http.StatusCreated,
		request: func(*cast, int) (string, string) { return "/plans", jsonOf(map[string]string{"title": "Ny boligplan"}) }},
	{route: "GET /admin/users", action: auth.ActionManageUsers, status: http.StatusOK,
		request: func(*cast, int) (string, string) { return "/admin/users", "" }},
	{route: "POST /admin/users", action: auth.ActionManageUsers, status: http.StatusCreated,
		request: func(_ *cast, n int) (string, string) {
			return "/admin/users", jsonOf(map[string]any{"email": fmt.Sprintf("ny%d@kommune.no", n), "name": "Ny Bruker",
				"password": "et langt nok passord"})
		}},
	{route: "PATCH /admin/users/:uid", action: auth.ActionManageUsers, status: http.StatusOK, foreignNotFound: true,
		request: func(c *cast, _ int) (string, string) {
			return "/admin/users/" + c.spare.ID, jsonOf(map[string]string{"name": "Reserve Person"})
		}},
	{route: "GET /admin/audit", action: auth.ActionManageUsers, status: http.StatusOK,
		request: func(*cast, int) (string, string) { return "/admin/audit", "" }},
	{route: "GET /admin/plans", action: auth.ActionOverviewPlans, status: http.StatusOK,
		request: func(*cast, int) (string, string) { return "/admin/plans", "" }},
	{route: "GET /admin/municipality", action: auth.ActionManageMunicipality, status: http.StatusOK,
		request: func(*cast, int) (string, string) { return "/admin/municipality", "" }},
	{route: "PUT /admin/municipality", action: auth.ActionManageMunicipality, status: http.StatusOK,
		request: func(_ *cast, n int) (string, string) {
			return "/admin/municipality", jsonOf(map[string]any{"privacy_threshold": 1 + n%9, "hearing_weeks": 8})
		}},
}

// TestRoutes_GlobalRoutesAdminVersusOthers calls every route that
// concerns no single plan as the administrator, as people who are not
// administrators, and as another municipality's administrator.
func TestRoutes_GlobalRoutesAdminVersusOthers(t *testing.T) {
	ts := newTestServer(t)
	c := newCast(ts)
	covered := map[string]bool{}
	for _, g := range globalCalls {
		covered[g.route] = true
	}
	for _, r := range server.APIRoutes() {
		if !r.Public && !isPlanRoute(r.Path) && !covered[routeKey(r.Method, r.Path)] {
			t.Errorf("global route %s %s has no call in globalCalls", r.Method, r.Path)
		}
	}
	n := 0
	for _, g := range globalCalls {
		t.Run(g.route, func(t *testing.T) {
			sub := *ts
			sub.t = t
			for _, who := range []string{"admin", "leader", "steering", "outsider", "foreign-admin"} {
				n++
				target, body := g.request(c, n)
				rec := sub.doAs(c.by[who].Token, strings.Fields(g.route)[0], "/api"+target, body)
				var roles []auth.Role
				if who == "admin" || who == "foreign-admin" {
					roles = []auth.Role{auth.RoleAdmin}
				}
				var want error
				if g.action != "" {
					want = auth.Allowed(roles, g.action, collab.PhaseDraft)
				}
				if want == nil && who == "foreign-admin" && g.foreignNotFound {
					want = collab.Errorf(collab.CodeNotFound, "another municipality's account")
				}
				if want == nil {
					if rec.Code != g.status {
						t.Errorf("%s: %d %s, want %d", who, rec.Code, rec.Body, g.status)
					}
					continue
				}
				code := policyCode(want)
				if rec.Code != statusOf(t, code) || decode[apiError](t, rec).Error.Code != code {
					t.Errorf("%s: %d %s, want %d %s", who, rec.Code, rec.Body, statusOf(t, code), code)
				}
			}
		})
	}
}

// paramRE matches the path parameters of a route.
var paramRE = regexp.MustCompile(`:[a-z]+`)

// TestRoutes_EveryNonPublicRouteNeedsAValidToken calls every route that is
// not public without a token, with a malformed one, with one signed by
// another key and with an expired one: each is unauthorized, on a real plan
// and section so that no other check could answer first.
func TestRoutes_EveryNonPublicRouteNeedsAValidToken(t *testing.T) {
	ts := newTestServer(t)
	p := ts.createPlan("Boligplan")
	params := map[string]string{":id": p.ID, ":sid": firstSection(p), ":uid": ts.kari.ID, ":cid": "no-comment", ":sgid": "no-suggestion",
		":gid": "no-goal", ":stid": "no-strategy", ":mid": "no-measure", ":iid": "no-indicator", ":msid": "no-milestone",
		":rid": "no-round", ":fid": "no-finding", ":eid": "no-export", ":bid": "no-body"}
	forge := func(secret []byte, exp time.Duration) string {
		now := time.Now()
		tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.RegisteredClaims{
			Subject: ts.kari.ID, Issuer: "temaplan", Audience: jwt.ClaimStrings{"temaplan"}, ID: "forged",
			IssuedAt: jwt.NewNumericDate(now.Add(-time.Hour)), NotBefore: jwt.NewNumericDate(now.Add(-time.Hour)),
			ExpiresAt: jwt.NewNumericDate(now.Add(exp)),
		}).SignedString(secret)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	tokens := map[string]string{
		"none":           "",
		"malformed":      "not-a-jwt",
		"other key":      forge([]byte("another-secret-another-secret-another!"), 10*time.Minute),
		"expired":        forge(testSecret, -10*time.Minute),
		"kari's, edited": ts.kari.Token[:len(ts.kari.Token)-4] + "AAAA",
	}
	for _, r := range server.APIRoutes() {
		if r.Public {
			continue
		}
		target := "/api" + paramRE.ReplaceAllStringFunc(r.Path, func(s string) string { return params[s] })
		for name, tok := range tokens {
			rec := ts.doAs(tok, r.Method, target, "{}")
			if rec.Code != http.StatusUnauthorized {
				t.Errorf("%s %s with token %s: %d %s, want 401", r.Method, target, name, rec.Code, rec.Body)
				continue
			}
			if code := decode[apiError](t, rec).Error.Code; code != collab.CodeUnauthorized {
				t.Errorf("%s %s with token %s: code %q", r.Method, target, name, code)
			}
		}
	}
	// A Bearer header without a token, or another scheme, is no token.
	for _, h := range []string{"Bearer", "Bearer ", "Basic " + ts.kari.Token, ts.kari.Token} {
		req := httptest.NewRequest(http.MethodGet, "/api/me", nil)
		req.Header.Set("Authorization", h)
		if rec := ts.doReq(req, ""); rec.Code != http.StatusUnauthorized {
			t.Errorf("Authorization %.12q…: %d, want 401", h, rec.Code)
		}
	}
}

// TestTenancy_AnotherMunicipalityDoesNotExist checks that the
// administrator of one municipality neither sees nor reaches another's
// plans and accounts, and that nobody brings an account of another
// municipality into a plan.
func TestTenancy_AnotherMunicipalityDoesNotExist(t *testing.T) {
	eachStore(t, testTenancy_AnotherMunicipalityDoesNotExist)
}

func testTenancy_AnotherMunicipalityDoesNotExist(t *testing.T, ts *testServer) {
	ola := ts.user("ola@m2.no", "m2", true)
	p := ts.createPlan("Boligplan Bodø")

	rec := ts.doAs(ola.Token, http.MethodPost, "/api/plans", `{"title":"Boligplan Tromsø"}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("ola creates a plan: %d %s", rec.Code, rec.Body)
	}
	theirs := decode[collab.Plan](t, rec)
	if theirs.Municipality != "m2" {
		t.Errorf("ola's plan is in %q, want m2 (the creator's municipality)", theirs.Municipality)
	}

	type listing struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	ids := func(token string) []string {
		rec := ts.doAs(token, http.MethodGet, "/api/plans", "")
		var out []string
		for _, it := range decode[listing](t, rec).Items {
			out = append(out, it.ID)
		}
		return out
	}
	if got := ids(ola.Token); !slices.Equal(got, []string{theirs.ID}) {
		t.Errorf("ola lists %v, want only %s", got, theirs.ID)
	}
	if got := ids(ts.kari.Token); slices.Contains(got, theirs.ID) || !slices.Contains(got, p.ID) {
		t.Errorf("kari lists %v, want %s and not %s", got, p.ID, theirs.ID)
	}
	wantError(t, ts.doAs(ola.Token, http.MethodGet, "/api/plans/"+p.ID, ""), http.StatusNotFound, collab.CodeNotFound)
	wantError(t, ts.doAs(ts.kari.Token, http.MethodGet, "/api/plans/"+theirs.ID, ""), http.StatusNotFound, collab.CodeNotFound)
	// Not found whether the plan exists or not: the answer tells nothing.
	a := ts.doAs(ola.Token, http.MethodGet, "/api/plans/"+p.ID+"/audit", "")
	b := ts.doAs(ola.Token, http.MethodGet, "/api/plans/no-such-plan/audit", "")
	if a.Code != http.StatusNotFound || b.Code != http.StatusNotFound {
		t.Errorf("audit of kari's plan / of no plan as ola: %d / %d, want 404 / 404", a.Code, b.Code)
	}

	// Accounts of another municipality are not found, for administration
	// and for membership alike.
	wantError(t, ts.doAs(ola.Token, http.MethodPatch, "/api/admin/users/"+ts.kari.ID, `{"disabled":true}`), http.StatusNotFound, collab.CodeNotFound)
	wantError(t, ts.do(http.MethodPut, "/api/plans/"+p.ID+"/members/"+ola.ID, `{"roles":["reader"]}`), http.StatusNotFound, collab.CodeNotFound)
	wantError(t, ts.do(http.MethodPost, "/api/plans/"+p.ID+"/invitations", jsonOf(map[string]any{"email": ola.Email, "roles": []string{"reader"}})),
		http.StatusNotFound, collab.CodeNotFound)
	wantError(t, ts.do(http.MethodPut, "/api/plans/"+p.ID+"/leader", jsonOf(map[string]string{"user": ola.ID})), http.StatusNotFound, collab.CodeNotFound)
	wantError(t, ts.do(http.MethodPost, "/api/plans", jsonOf(map[string]string{"title": "X", "leader": ola.ID})), http.StatusNotFound, collab.CodeNotFound)

	type accounts struct {
		Items []auth.Account `json:"items"`
	}
	for _, u := range decode[accounts](t, ts.doAs(ola.Token, http.MethodGet, "/api/admin/users", "")).Items {
		if u.Municipality != "m2" {
			t.Errorf("ola sees account %s of %s", u.Email, u.Municipality)
		}
	}
	if got := ts.getPlan(p.ID); len(got.Members) != 1 {
		t.Errorf("kari's plan has members %v after the refused calls, want only kari", got.Members)
	}
}

// TestContent_MadeObjectIsAsThePlanShowsIt checks that the object a POST
// answers next to the plan is the object as the plan in the same answer
// shows it, computed fields included: an indicator's traffic light and a
// milestone's overdue flag.
func TestContent_MadeObjectIsAsThePlanShowsIt(t *testing.T) {
	ts := newTestServer(t)
	p := ts.createPlan("Boligplan")
	plan := "/api/plans/" + p.ID
	rec := ts.do(http.MethodPost, plan+"/goals", jsonOf(map[string]any{"target_area": p.TargetAreas()[0].ID, "title": "Flere unge eier"}))
	if rec.Code != http.StatusCreated {
		t.Fatalf("add goal: %d %s", rec.Code, rec.Body)
	}
	goal := decode[struct{ Goal collab.Goal }](t, rec).Goal.ID

	rec = ts.do(http.MethodPost, plan+"/indicators", jsonOf(map[string]any{"goal": goal, "name": "Andel unge som eier",
		"baseline": map[string]any{"value": 12, "year": p.Period.From - 2}, "targets": []map[string]any{{"value": 40, "year": p.Period.To}}}))
	if rec.Code != http.StatusCreated {
		t.Fatalf("add indicator: %d %s", rec.Code, rec.Body)
	}
	ind := decode[struct {
		Indicator  collab.Indicator
		Indicators []collab.Indicator
	}](t, rec)
	if len(ind.Indicators) != 1 || ind.Indicators[0].Status != collab.NoData || ind.Indicator.Status != ind.Indicators[0].Status {
		t.Errorf("the new indicator has status %q, the plan shows %+v: want %q in both", ind.Indicator.Status, ind.Indicators, collab.NoData)
	}

	rec = ts.do(http.MethodPost, plan+"/milestones", `{"title":"Oppstart","date":"2020-01-06"}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("add milestone: %d %s", rec.Code, rec.Body)
	}
	ms := decode[struct {
		Milestone  collab.Milestone
		Milestones []collab.Milestone
	}](t, rec)
	if len(ms.Milestones) != 1 || !ms.Milestones[0].Overdue || !ms.Milestone.Overdue {
		t.Errorf("a milestone dated 2020-01-06 is answered with overdue %t, the plan shows %+v: want overdue in both",
			ms.Milestone.Overdue, ms.Milestones)
	}
}
