package server_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/delta"
)

// storeState is everything the API could have written: the plan listing
// and, for one plan, its log and its state as the API reads it, and the
// accounts and audit log of the plan's municipality.
func (ts *testServer) storeState(planID string) string {
	ts.t.Helper()
	ctx := context.Background()
	list, err := ts.store.ListPlanStates(ctx, "")
	if err != nil {
		ts.t.Fatal(err)
	}
	entries, err := ts.store.PlanEntries(ctx, planID, 0)
	if err != nil {
		ts.t.Fatal(err)
	}
	p, err := ts.plans.Get(ctx, planID)
	if err != nil {
		ts.t.Fatal(err)
	}
	accounts, err := ts.accounts.Users(ctx, p.Municipality)
	if err != nil {
		ts.t.Fatal(err)
	}
	audit, err := ts.accounts.AuditLog(ctx, p.Municipality, "", 1000)
	if err != nil {
		ts.t.Fatal(err)
	}
	return dumpJSON(list) + dumpJSON(entries) + dumpJSON(p) + dumpJSON(accounts) + dumpJSON(audit)
}

// TestBadInput_EveryEndpoint sends malformed, hostile and wrong input to
// every endpoint and checks the answer has the right status and code, a
// message that says what is wrong, and that nothing was written.
func TestBadInput_EveryEndpoint(t *testing.T) { eachStore(t, testBadInput_EveryEndpoint) }

func testBadInput_EveryEndpoint(t *testing.T, ts *testServer) {
	p := ts.createPlan("Boligplan")
	ola := ts.user("ola@m1.no", "m1", false)
	per := ts.user("per@m1.no", "m1", false) // of m1, in no plan
	ts.member(p.ID, ola, "member")
	p = ts.getPlan(p.ID)
	innledning := findSection(t, p, "Innledning")
	foringer := findSection(t, p, "Føringer")
	nasjonale := findSection(t, p, "Nasjonale føringer")
	// A target area (three levels) under this depth-3 section would nest
	// past the limit of six levels.
	deep := nestDeep(t, ts, p.ID, nasjonale.ID)

	// Structured content for the content routes to act on, made before
	// the store's state is taken: a goal with a measure with costs and an
	// indicator, a milestone, a review round to Ola and one to Kari that
	// she has answered, and a privacy finding in the text. Kari leads the
	// plan and is its finance too.
	ts.member(p.ID, ts.kari, "leader", "finance")
	p = ts.getPlan(p.ID)
	areas := p.TargetAreas()
	area, otherArea := areas[0].ID, areas[1].ID
	period := p.Period
	// A change made on the seq before the content conflicts with it.
	stale := p.Seq
	// Set-up only: the answers are not checked against the OpenAPI
	// document (the route tests do that).
	made := func(path, key string, body map[string]any) string {
		t.Helper()
		req := httptest.NewRequest(http.MethodPost, "/api/plans/"+p.ID+"/"+path, strings.NewReader(jsonOf(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+ts.token)
		rec := ts.serve(req)
		if rec.Code != http.StatusCreated {
			t.Fatalf("make %s: %d %s", key, rec.Code, rec.Body)
		}
		var obj struct{ ID string }
		if err := json.Unmarshal(decode[map[string]json.RawMessage](t, rec)[key], &obj); err != nil || obj.ID == "" {
			t.Fatalf("make %s: no %s in the answer (%v)", key, key, err)
		}
		return obj.ID
	}
	goal := made("goals", "goal", map[string]any{"target_area": area, "title": "Flere unge eier egen bolig"})
	measure := made("measures", "measure", map[string]any{"target_area": area, "title": "Startlån til unge", "goals": []string{goal},
		"costs": []map[string]any{{"year": period.From, "investment": 1_000_000, "operating": 0}}})
	indicator := made("indicators", "indicator", map[string]any{"goal": goal, "name": "Andel unge som eier",
		"baseline": map[string]any{"value": 12, "year": period.From - 2}, "targets": []map[string]any{{"value": 40, "year": period.To}}})
	milestone := made("milestones", "milestone", map[string]any{"title": "Oppstart", "date": fmt.Sprintf("%d-01-15", period.From)})
	roundOla := made("rounds", "round", map[string]any{"recipients": []string{ola.ID}, "deadline": fmt.Sprintf("%d-02-01", period.From)})
	roundKari := made("rounds", "round", map[string]any{"recipients": []string{ts.kari.ID}, "deadline": fmt.Sprintf("%d-02-01", period.From)})
	if rec := ts.do(http.MethodPost, "/api/plans/"+p.ID+"/rounds/"+roundKari+"/done", `{"comment":"Lest"}`); rec.Code != http.StatusOK {
		t.Fatalf("kari answers her round: %d %s", rec.Code, rec.Body)
	}
	finding := writeFinding(t, ts, p, innledning.ID)
	// A named version, frozen after the text, for the version routes.
	if rec := ts.do(http.MethodPost, "/api/plans/"+p.ID+"/versions", `{"name":"Utkast 1"}`); rec.Code != http.StatusCreated {
		t.Fatalf("freeze a version: %d %s", rec.Code, rec.Body)
	}
	// A section added after it, which the version lacks.
	rec := ts.do(http.MethodPost, "/api/plans/"+p.ID+"/sections", `{"title":"Etter versjonen"}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("add a section: %d %s", rec.Code, rec.Body)
	}
	late := decode[struct{ Section collab.Section }](t, rec).Section.ID

	plans := "/api/plans"
	plan := plans + "/" + p.ID
	sections := plan + "/sections"
	section := sections + "/" + innledning.ID
	move := section + "/move"
	responsibility := section + "/responsibility"
	member := plan + "/members/" + ola.ID
	invitations := plan + "/invitations"
	leader := plan + "/leader"
	transitions := plan + "/transitions"
	settings := plan + "/settings"
	goals := plan + "/goals"
	goalURL := goals + "/" + goal
	strategies := plan + "/strategies"
	measures := plan + "/measures"
	measureURL := measures + "/" + measure
	indicators := plan + "/indicators"
	indicatorURL := indicators + "/" + indicator
	reports := indicatorURL + "/reports"
	milestones := plan + "/milestones"
	milestoneURL := milestones + "/" + milestone
	rounds := plan + "/rounds"
	answer := rounds + "/" + roundOla + "/done"
	signoff := plan + "/economics/signoff"
	accept := plan + "/privacy/" + finding + "/accept"
	versions := plan + "/versions"
	diff := plan + "/diff"
	restore := section + "/restore"
	exports := plan + "/exports"
	users := "/api/admin/users"
	user := users + "/" + ola.ID
	login := "/api/auth/login"
	huge := `{"title":"` + strings.Repeat("a", 2<<20) + `"}`

	type tc struct {
		name    string
		method  string
		target  string
		body    string
		ctype   string // default application/json when there is a body
		chunked bool   // send without Content-Length
		status  int
		code    collab.Code
		message string // a part of the message
	}
	var cases []tc

	// Every endpoint with a JSON body gets the generic bad bodies. field
	// is a string field of the body; unknown is a field it does not have,
	// one an attacker would like to set.
	bodyEndpoints := []struct {
		name, method, target, field, unknown string
	}{
		{"login", http.MethodPost, login, "email", "admin"},
		{"create plan", http.MethodPost, plans, "title", "municipality"},
		{"add section", http.MethodPost, sections, "title", "admin"},
		{"patch section", http.MethodPatch, section, "title", "responsible"},
		{"move section", http.MethodPost, move, "parent", "admin"},
		{"responsibility", http.MethodPut, responsibility, "responsible", "admin"},
		{"invite", http.MethodPost, invitations, "email", "admin"},
		{"leader", http.MethodPut, leader, "user", "admin"},
		{"transition", http.MethodPost, transitions, "action", "phase"},
		{"create user", http.MethodPost, users, "email", "municipality"},
		{"patch user", http.MethodPatch, user, "name", "municipality"},
		{"add goal", http.MethodPost, goals, "title", "id"},
		{"patch goal", http.MethodPatch, goalURL, "title", "id"},
		{"add strategy", http.MethodPost, strategies, "title", "id"},
		{"add measure", http.MethodPost, measures, "title", "id"},
		{"patch measure", http.MethodPatch, measureURL, "unit", "created_by"},
		{"add indicator", http.MethodPost, indicators, "name", "status"},
		{"patch indicator", http.MethodPatch, indicatorURL, "name", "reports"},
		{"report", http.MethodPost, reports, "date", "by"},
		{"add milestone", http.MethodPost, milestones, "title", "overdue"},
		{"patch milestone", http.MethodPatch, milestoneURL, "title", "id"},
		{"send round", http.MethodPost, rounds, "deadline", "sent_by"},
		{"answer round", http.MethodPost, answer, "comment", "user"},
		{"sign off", http.MethodPost, signoff, "comment", "hash"},
		{"accept finding", http.MethodPost, accept, "reason", "by"},
		{"archive", http.MethodPost, plan + "/archive", "reason", "archived"},
		{"freeze version", http.MethodPost, versions, "name", "system"},
		{"restore section", http.MethodPost, restore, "version", "by"},
		{"export", http.MethodPost, exports, "format", "by"},
		{"forgot password", http.MethodPost, "/api/auth/password/forgot", "email", "user"},
		{"password token", http.MethodPost, "/api/auth/password/token", "token", "user"},
		{"set password", http.MethodPost, "/api/auth/password/reset", "token", "user"},
		{"notification settings", http.MethodPut, "/api/me/notifications", "mode", "user"},
	}
	for _, ep := range bodyEndpoints {
		cases = append(cases,
			tc{ep.name + ": malformed JSON", ep.method, ep.target, `{"` + ep.field + `":`, "", false, 400, collab.CodeBadRequest, "malformed JSON"},
			tc{ep.name + ": syntax error", ep.method, ep.target, `{"` + ep.field + `" "x"}`, "", false, 400, collab.CodeBadRequest, "malformed JSON"},
			tc{ep.name + ": unknown field", ep.method, ep.target, `{"` + ep.field + `":"x","` + ep.unknown + `":true}`, "", false, 422, collab.CodeInvalid, `unknown field "` + ep.unknown + `"`},
			tc{ep.name + ": operator injection", ep.method, ep.target, `{"` + ep.field + `":{"$gt":""}}`, "", false, 422, collab.CodeInvalid, `"` + ep.field + `" must be a string`},
			tc{ep.name + ": number for string", ep.method, ep.target, `{"` + ep.field + `":42}`, "", false, 422, collab.CodeInvalid, `"` + ep.field + `" must be a string`},
			tc{ep.name + ": array body", ep.method, ep.target, `[{"` + ep.field + `":"x"}]`, "", false, 422, collab.CodeInvalid, "must be a JSON object"},
			tc{ep.name + ": oversize body", ep.method, ep.target, huge, "", false, 413, collab.CodeTooLarge, "larger than"},
			tc{ep.name + ": oversize chunked body", ep.method, ep.target, huge, "", true, 413, collab.CodeTooLarge, "larger than"},
			tc{ep.name + ": not JSON", ep.method, ep.target, ep.field + "=x", "application/x-www-form-urlencoded", false, 400, collab.CodeBadRequest, "Content-Type: application/json"},
			tc{ep.name + ": no content type", ep.method, ep.target, `{"` + ep.field + `":"x"}`, "none", false, 400, collab.CodeBadRequest, "Content-Type: application/json"},
			tc{ep.name + ": empty body", ep.method, ep.target, "", "application/json", false, 400, collab.CodeBadRequest, "empty"},
			tc{ep.name + ": trailing data", ep.method, ep.target, `{"` + ep.field + `":"x"} {"admin":true}`, "", false, 400, collab.CodeBadRequest, "after the JSON object"},
		)
	}

	cases = append(cases,
		// POST /api/auth/login
		tc{"login: unknown e-mail", "POST", login, `{"email":"nobody@m1.no","password":"correct horse battery"}`, "", false, 401, collab.CodeUnauthorized, "wrong e-mail or password"},
		tc{"login: absurd e-mail", "POST", login, `{"email":"` + strings.Repeat("a", 300) + `@m1.no","password":"x"}`, "", false, 401, collab.CodeUnauthorized, "wrong e-mail or password"},
		tc{"login: password injection", "POST", login, `{"email":"kari@m1.no","password":{"$ne":null}}`, "", false, 422, collab.CodeInvalid, `"password" must be a string`},
		// POST /api/auth/refresh and logout take no body but a cookie.
		tc{"refresh: no cookie", "POST", "/api/auth/refresh", "", "", false, 401, collab.CodeUnauthorized, "log in"},

		// POST /api/plans
		tc{"create plan: empty title", "POST", plans, `{"title":"  "}`, "", false, 422, collab.CodeInvalid, "title must not be empty"},
		tc{"create plan: no title", "POST", plans, `{"type":"temaplan"}`, "", false, 422, collab.CodeInvalid, "title"},
		tc{"create plan: unknown type", "POST", plans, `{"title":"x","type":"annet"}`, "", false, 422, collab.CodeInvalid, "type"},
		tc{"create plan: title too long", "POST", plans, `{"title":"` + strings.Repeat("æ", 201) + `"}`, "", false, 422, collab.CodeInvalid, "longer than 200"},
		tc{"create plan: control characters", "POST", plans, `{"title":"a\u0000b"}`, "", false, 422, collab.CodeInvalid, "control characters"},
		tc{"create plan: null", "POST", plans, `null`, "", false, 422, collab.CodeInvalid, "title"},
		tc{"create plan: leader injection", "POST", plans, `{"title":"x","leader":{"$ne":null}}`, "", false, 422, collab.CodeInvalid, `"leader" must be a string`},
		tc{"create plan: unknown leader", "POST", plans, `{"title":"x","leader":"01JNOSUCHUSER"}`, "", false, 404, collab.CodeNotFound, "user"},

		// GET /api/plans/:id
		tc{"get plan: unknown id", "GET", plans + "/01JDOESNOTEXIST", "", "", false, 404, collab.CodeNotFound, "not found"},
		tc{"get plan: absurd id", "GET", plans + "/" + strings.Repeat("x", 500), "", "", false, 404, collab.CodeNotFound, "not found"},
		tc{"get plan: injection in id", "GET", plans + "/%7B%22%24gt%22%3A%22%22%7D", "", "", false, 404, collab.CodeNotFound, "not found"},

		// POST /api/plans/:id/sections
		tc{"add section: unknown plan", "POST", plans + "/nope/sections", `{"title":"x"}`, "", false, 404, collab.CodeNotFound, "plan"},
		tc{"add section: unknown parent", "POST", sections, `{"parent":"nope","title":"x"}`, "", false, 404, collab.CodeNotFound, "parent"},
		tc{"add section: no title", "POST", sections, `{"parent":""}`, "", false, 422, collab.CodeInvalid, "title"},
		tc{"add section: kind not allowed", "POST", sections, `{"title":"x","kind":"analysis"}`, "", false, 422, collab.CodeInvalid, "kind"},
		tc{"add section: index as string", "POST", sections, `{"title":"x","index":"1"}`, "", false, 422, collab.CodeInvalid, `"index" must be an integer`},
		tc{"add section: fractional index", "POST", sections, `{"title":"x","index":1.5}`, "", false, 422, collab.CodeInvalid, `"index" must be an integer`},
		tc{"add section: negative seq", "POST", sections, `{"title":"x","seq":-1}`, "", false, 422, collab.CodeInvalid, "seq"},
		tc{"add section: seq as string", "POST", sections, `{"title":"x","seq":"1"}`, "", false, 422, collab.CodeInvalid, `"seq" must be an integer`},
		tc{"add section: too deep", "POST", sections, fmt.Sprintf(`{"parent":%q,"title":"x","kind":"target_area"}`, deep), "", false, 422, collab.CodeInvalid, "levels deep"},

		// PATCH /api/plans/:id/sections/:sid
		tc{"patch section: unknown plan", "PATCH", plans + "/nope/sections/" + innledning.ID, `{"title":"x"}`, "", false, 404, collab.CodeNotFound, "plan"},
		tc{"patch section: unknown section", "PATCH", sections + "/nope", `{"title":"x"}`, "", false, 404, collab.CodeNotFound, "section"},
		tc{"patch section: nothing to change", "PATCH", section, `{}`, "", false, 422, collab.CodeInvalid, "nothing to change"},
		tc{"patch section: unknown status", "PATCH", section, `{"status":"finished"}`, "", false, 422, collab.CodeInvalid, "status"},
		tc{"patch section: contributors are not patched here", "PATCH", section, `{"contributors":[]}`, "", false, 422, collab.CodeInvalid, `unknown field "contributors"`},

		// PUT /api/plans/:id/sections/:sid/responsibility
		tc{"responsibility: unknown plan", "PUT", plans + "/nope/sections/" + innledning.ID + "/responsibility", `{"responsible":""}`, "", false, 404, collab.CodeNotFound, "plan"},
		tc{"responsibility: unknown section", "PUT", sections + "/nope/responsibility", `{"responsible":""}`, "", false, 404, collab.CodeNotFound, "section"},
		tc{"responsibility: responsible not a member", "PUT", responsibility, `{"responsible":"kari"}`, "", false, 422, collab.CodeInvalid, "not a member"},
		tc{"responsibility: contributor not a member", "PUT", responsibility, fmt.Sprintf(`{"contributors":[%q,"per"]}`, ola.ID), "", false, 422, collab.CodeInvalid, "not a member"},
		tc{"responsibility: contributors not a list", "PUT", responsibility, fmt.Sprintf(`{"contributors":%q}`, ola.ID), "", false, 422, collab.CodeInvalid, `"contributors" must be an array`},
		tc{"responsibility: contributor injection", "PUT", responsibility, `{"contributors":[{"$gt":""}]}`, "", false, 422, collab.CodeInvalid, `"contributors" must be a string`},
		tc{"responsibility: too many contributors", "PUT", responsibility, `{"contributors":[` + strings.TrimSuffix(strings.Repeat(fmt.Sprintf("%q,", ola.ID), 101), ",") + `]}`, "", false, 422, collab.CodeInvalid, "contributors"},
		tc{"responsibility: negative seq", "PUT", responsibility, `{"responsible":"","seq":-1}`, "", false, 422, collab.CodeInvalid, "seq"},

		// POST /api/plans/:id/sections/:sid/move
		tc{"move section: unknown plan", "POST", plans + "/nope/sections/" + innledning.ID + "/move", `{"parent":""}`, "", false, 404, collab.CodeNotFound, "plan"},
		tc{"move section: unknown section", "POST", sections + "/nope/move", `{"parent":""}`, "", false, 404, collab.CodeNotFound, "section"},
		tc{"move section: unknown parent", "POST", move, `{"parent":"nope"}`, "", false, 404, collab.CodeNotFound, "parent"},
		tc{"move section: no parent", "POST", move, `{"index":1}`, "", false, 422, collab.CodeInvalid, "parent"},
		tc{"move section: into itself", "POST", move, fmt.Sprintf(`{"parent":%q}`, innledning.ID), "", false, 422, collab.CodeInvalid, "itself"},
		tc{"move section: into own child", "POST", sections + "/" + foringer.ID + "/move", fmt.Sprintf(`{"parent":%q}`, nasjonale.ID), "", false, 422, collab.CodeInvalid, "own subsection"},
		tc{"move section: negative index", "POST", move, `{"parent":"","index":-1}`, "", false, 422, collab.CodeInvalid, "index"},

		// DELETE /api/plans/:id/sections/:sid
		tc{"delete section: unknown plan", "DELETE", plans + "/nope/sections/" + innledning.ID, "", "", false, 404, collab.CodeNotFound, "plan"},
		tc{"delete section: unknown section", "DELETE", sections + "/nope", "", "", false, 404, collab.CodeNotFound, "section"},
		tc{"delete section: seq not a number", "DELETE", section + "?seq=abc", "", "", false, 422, collab.CodeInvalid, "seq must be an integer"},
		tc{"delete section: negative seq", "DELETE", section + "?seq=-3", "", "", false, 422, collab.CodeInvalid, "seq"},
		tc{"delete section: seq ahead", "DELETE", section + "?seq=1000", "", "", false, 422, collab.CodeInvalid, "ahead"},

		// PUT and DELETE /api/plans/:id/members/:uid
		tc{"member: malformed JSON", "PUT", member, `{"roles":`, "", false, 400, collab.CodeBadRequest, "malformed JSON"},
		tc{"member: unknown field", "PUT", member, `{"roles":["reader"],"admin":true}`, "", false, 422, collab.CodeInvalid, `unknown field "admin"`},
		tc{"member: roles not a list", "PUT", member, `{"roles":"reader"}`, "", false, 422, collab.CodeInvalid, `"roles" must be an array`},
		tc{"member: role injection", "PUT", member, `{"roles":[{"$gt":""}]}`, "", false, 422, collab.CodeInvalid, `"roles" must be a string`},
		tc{"member: no roles", "PUT", member, `{"roles":[]}`, "", false, 422, collab.CodeInvalid, "at least one role"},
		tc{"member: unknown role", "PUT", member, `{"roles":["owner"]}`, "", false, 422, collab.CodeInvalid, "unknown role"},
		tc{"member: admin is not a plan role", "PUT", member, `{"roles":["admin"]}`, "", false, 422, collab.CodeInvalid, "unknown role"},
		tc{"member: unknown user", "PUT", plan + "/members/01JNOSUCHUSER", `{"roles":["reader"]}`, "", false, 404, collab.CodeNotFound, "user"},
		tc{"member: unknown plan", "PUT", plans + "/nope/members/" + ola.ID, `{"roles":["reader"]}`, "", false, 404, collab.CodeNotFound, "plan"},
		tc{"remove member: the leader", "DELETE", plan + "/members/" + ts.kari.ID, "", "", false, 422, collab.CodeInvalid, "leader"},
		tc{"remove member: unknown plan", "DELETE", plans + "/nope/members/" + ola.ID, "", "", false, 404, collab.CodeNotFound, "plan"},
		tc{"remove member: not a member", "DELETE", plan + "/members/" + per.ID, "", "", false, 404, collab.CodeNotFound, "not a member"},
		tc{"remove member: unknown user", "DELETE", plan + "/members/01JNOSUCHUSER", "", "", false, 404, collab.CodeNotFound, "not a member"},

		// POST /api/plans/:id/invitations
		tc{"invite: unknown e-mail", "POST", invitations, `{"email":"nobody@m1.no","roles":["reader"]}`, "", false, 404, collab.CodeNotFound, "no user"},
		tc{"invite: no roles", "POST", invitations, `{"email":"ola@m1.no"}`, "", false, 422, collab.CodeInvalid, "at least one role"},
		tc{"invite: unknown role", "POST", invitations, `{"email":"ola@m1.no","roles":["root"]}`, "", false, 422, collab.CodeInvalid, "unknown role"},

		// PUT /api/plans/:id/leader
		tc{"leader: no user", "PUT", leader, `{}`, "", false, 404, collab.CodeNotFound, "user"},
		tc{"leader: unknown user", "PUT", leader, `{"user":"01JNOSUCHUSER"}`, "", false, 404, collab.CodeNotFound, "user"},

		// POST /api/plans/:id/transitions
		tc{"transition: unknown action", "POST", transitions, `{"action":"publish"}`, "", false, 400, collab.CodeBadRequest, "unknown action"},
		tc{"transition: no action", "POST", transitions, `{}`, "", false, 400, collab.CodeBadRequest, "unknown action"},
		tc{"transition: return without the required changes", "POST", transitions, `{"action":"return"}`, "", false, 422, collab.CodeInvalid, "comment"},
		tc{"transition: comment too long", "POST", transitions, `{"action":"submit","comment":"` + strings.Repeat("ø", 4001) + `"}`, "", false, 422, collab.CodeInvalid, "at most 4000"},
		tc{"transition: comment injection", "POST", transitions, `{"action":"submit","comment":{"$gt":""}}`, "", false, 422, collab.CodeInvalid, `"comment" must be a string`},
		tc{"transition: unknown plan", "POST", plans + "/nope/transitions", `{"action":"submit"}`, "", false, 404, collab.CodeNotFound, "plan"},

		// PATCH /api/plans/:id/settings
		tc{"settings: nothing to change", "PATCH", settings, `{"seq":0}`, "", false, 422, collab.CodeInvalid, "nothing to change"},
		tc{"settings: malformed JSON", "PATCH", settings, `{"period":`, "", false, 400, collab.CodeBadRequest, "malformed JSON"},
		tc{"settings: unknown field", "PATCH", settings, `{"privacy_threshold":3,"lock_seq":0}`, "", false, 422, collab.CodeInvalid, `unknown field "lock_seq"`},
		tc{"settings: period not an object", "PATCH", settings, `{"period":"2027-2030"}`, "", false, 422, collab.CodeInvalid, `"period" must be an object`},
		tc{"settings: period year as string", "PATCH", settings, `{"period":{"from":"2027","to":2030}}`, "", false, 422, collab.CodeInvalid, "must be an integer"},
		tc{"settings: fractional year", "PATCH", settings, `{"period":{"from":2027.5,"to":2030}}`, "", false, 422, collab.CodeInvalid, "must be an integer"},
		tc{"settings: period ends before it starts", "PATCH", settings, `{"period":{"from":2030,"to":2027}}`, "", false, 422, collab.CodeInvalid, "before"},
		tc{"settings: period before 2000", "PATCH", settings, `{"period":{"from":1999,"to":2003}}`, "", false, 422, collab.CodeInvalid, "between 2000 and 2100"},
		tc{"settings: period after 2100", "PATCH", settings, `{"period":{"from":2099,"to":2101}}`, "", false, 422, collab.CodeInvalid, "between 2000 and 2100"},
		tc{"settings: period too long", "PATCH", settings, `{"period":{"from":2027,"to":2047}}`, "", false, 422, collab.CodeInvalid, "at most 20 years"},
		tc{"settings: period leaves out a measure", "PATCH", settings, fmt.Sprintf(`{"period":{"from":%d,"to":%d}}`, period.From+1, period.To+1), "", false, 422, collab.CodeInvalid, "outside"},
		tc{"settings: threshold 0", "PATCH", settings, `{"privacy_threshold":0}`, "", false, 422, collab.CodeInvalid, "privacy_threshold"},
		tc{"settings: negative threshold", "PATCH", settings, `{"privacy_threshold":-5}`, "", false, 422, collab.CodeInvalid, "privacy_threshold"},
		tc{"settings: threshold over 100", "PATCH", settings, `{"privacy_threshold":101}`, "", false, 422, collab.CodeInvalid, "privacy_threshold"},
		tc{"settings: threshold as string", "PATCH", settings, `{"privacy_threshold":"5"}`, "", false, 422, collab.CodeInvalid, `"privacy_threshold" must be an integer`},
		tc{"settings: fractional threshold", "PATCH", settings, `{"privacy_threshold":2.5}`, "", false, 422, collab.CodeInvalid, `"privacy_threshold" must be an integer`},
		tc{"settings: threshold injection", "PATCH", settings, `{"privacy_threshold":{"$gt":0}}`, "", false, 422, collab.CodeInvalid, `"privacy_threshold" must be an integer`},
		tc{"settings: negative seq", "PATCH", settings, `{"seq":-1,"privacy_threshold":3}`, "", false, 422, collab.CodeInvalid, "seq"},
		tc{"settings: seq ahead", "PATCH", settings, `{"seq":100000,"privacy_threshold":3}`, "", false, 422, collab.CodeInvalid, "ahead"},
		tc{"settings: unknown plan", "PATCH", plans + "/nope/settings", `{"privacy_threshold":3}`, "", false, 404, collab.CodeNotFound, "plan"},

		// POST, PATCH and DELETE /api/plans/:id/goals
		tc{"add goal: no title", "POST", goals, fmt.Sprintf(`{"target_area":%q}`, area), "", false, 422, collab.CodeInvalid, "title must not be empty"},
		tc{"add goal: blank title", "POST", goals, fmt.Sprintf(`{"target_area":%q,"title":" \t "}`, area), "", false, 422, collab.CodeInvalid, "title must not be empty"},
		tc{"add goal: title too long", "POST", goals, fmt.Sprintf(`{"target_area":%q,"title":%q}`, area, strings.Repeat("å", 201)), "", false, 422, collab.CodeInvalid, "longer than 200"},
		tc{"add goal: control characters", "POST", goals, fmt.Sprintf(`{"target_area":%q,"title":"a\u0000b"}`, area), "", false, 422, collab.CodeInvalid, "control characters"},
		tc{"add goal: line break in the title", "POST", goals, fmt.Sprintf(`{"target_area":%q,"title":"a\nb"}`, area), "", false, 422, collab.CodeInvalid, "control characters"},
		tc{"add goal: description too long", "POST", goals, fmt.Sprintf(`{"target_area":%q,"title":"x","description":%q}`, area, strings.Repeat("ø", 5001)), "", false, 422, collab.CodeInvalid, "longer than 5000"},
		tc{"add goal: no target area", "POST", goals, `{"title":"x"}`, "", false, 422, collab.CodeInvalid, "target_area"},
		tc{"add goal: a section that is no target area", "POST", goals, fmt.Sprintf(`{"target_area":%q,"title":"x"}`, innledning.ID), "", false, 422, collab.CodeInvalid, "not a target area"},
		tc{"add goal: unknown target area", "POST", goals, `{"target_area":"nope","title":"x"}`, "", false, 422, collab.CodeInvalid, "not a target area"},
		tc{"add goal: negative seq", "POST", goals, fmt.Sprintf(`{"seq":-1,"target_area":%q,"title":"x"}`, area), "", false, 422, collab.CodeInvalid, "seq"},
		tc{"add goal: seq as string", "POST", goals, fmt.Sprintf(`{"seq":"1","target_area":%q,"title":"x"}`, area), "", false, 422, collab.CodeInvalid, `"seq" must be an integer`},
		tc{"add goal: seq ahead", "POST", goals, fmt.Sprintf(`{"seq":100000,"target_area":%q,"title":"x"}`, area), "", false, 422, collab.CodeInvalid, "ahead"},
		tc{"add goal: unknown plan", "POST", plans + "/nope/goals", fmt.Sprintf(`{"target_area":%q,"title":"x"}`, area), "", false, 404, collab.CodeNotFound, "plan"},
		tc{"patch goal: unknown goal", "PATCH", goals + "/nope", `{"title":"x"}`, "", false, 404, collab.CodeNotFound, "not found"},
		tc{"patch goal: to another target area", "PATCH", goalURL, fmt.Sprintf(`{"target_area":%q}`, otherArea), "", false, 422, collab.CodeInvalid, "stays in its target area"},
		tc{"patch goal: empty title", "PATCH", goalURL, `{"title":""}`, "", false, 422, collab.CodeInvalid, "title must not be empty"},
		tc{"patch goal: stale seq", "PATCH", goalURL, fmt.Sprintf(`{"seq":%d,"title":"Overskrevet"}`, stale), "", false, 409, collab.CodeConflict, "reload"},
		tc{"delete goal: linked by a measure and an indicator", "DELETE", goalURL, "", "", false, 422, collab.CodeInvalid, "linked"},
		tc{"delete goal: unknown goal", "DELETE", goals + "/nope", "", "", false, 404, collab.CodeNotFound, "not found"},
		tc{"delete goal: seq not a number", "DELETE", goalURL + "?seq=abc", "", "", false, 422, collab.CodeInvalid, "seq must be an integer"},
		tc{"delete goal: negative seq", "DELETE", goalURL + "?seq=-1", "", "", false, 422, collab.CodeInvalid, "seq"},

		// POST, PATCH and DELETE /api/plans/:id/strategies
		tc{"add strategy: unknown goal", "POST", strategies, fmt.Sprintf(`{"target_area":%q,"title":"x","goals":["nope"]}`, area), "", false, 422, collab.CodeInvalid, "not a goal of the target area"},
		tc{"add strategy: a goal of another target area", "POST", strategies, fmt.Sprintf(`{"target_area":%q,"title":"x","goals":[%q]}`, otherArea, goal), "", false, 422, collab.CodeInvalid, "not a goal of the target area"},
		tc{"add strategy: goals not a list", "POST", strategies, fmt.Sprintf(`{"target_area":%q,"title":"x","goals":%q}`, area, goal), "", false, 422, collab.CodeInvalid, `"goals" must be an array`},
		tc{"add strategy: goal injection", "POST", strategies, fmt.Sprintf(`{"target_area":%q,"title":"x","goals":[{"$gt":""}]}`, area), "", false, 422, collab.CodeInvalid, `"goals" must be a string`},
		tc{"add strategy: too many goals", "POST", strategies, fmt.Sprintf(`{"target_area":%q,"title":"x","goals":[%s]}`, area, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("%q,", goal), 51), ",")), "", false, 422, collab.CodeInvalid, "at most 50"},
		tc{"add strategy: no title", "POST", strategies, fmt.Sprintf(`{"target_area":%q}`, area), "", false, 422, collab.CodeInvalid, "title"},
		tc{"patch strategy: unknown strategy", "PATCH", strategies + "/nope", `{"title":"x"}`, "", false, 404, collab.CodeNotFound, "not found"},
		tc{"delete strategy: unknown strategy", "DELETE", strategies + "/nope", "", "", false, 404, collab.CodeNotFound, "not found"},

		// POST, PATCH and DELETE /api/plans/:id/measures
		tc{"add measure: end before start", "POST", measures, fmt.Sprintf(`{"target_area":%q,"title":"x","start_year":%d,"end_year":%d}`, area, period.From+2, period.From+1), "", false, 422, collab.CodeInvalid, "before start_year"},
		tc{"add measure: start before the period", "POST", measures, fmt.Sprintf(`{"target_area":%q,"title":"x","start_year":%d}`, area, period.From-1), "", false, 422, collab.CodeInvalid, "start_year"},
		tc{"add measure: end after the period", "POST", measures, fmt.Sprintf(`{"target_area":%q,"title":"x","end_year":%d}`, area, period.To+1), "", false, 422, collab.CodeInvalid, "end_year"},
		tc{"add measure: year as string", "POST", measures, fmt.Sprintf(`{"target_area":%q,"title":"x","start_year":"%d"}`, area, period.From), "", false, 422, collab.CodeInvalid, `"start_year" must be an integer`},
		tc{"add measure: negative investment", "POST", measures, fmt.Sprintf(`{"target_area":%q,"title":"x","costs":[{"year":%d,"investment":-1,"operating":0}]}`, area, period.From), "", false, 422, collab.CodeInvalid, "negative"},
		tc{"add measure: negative operating", "POST", measures, fmt.Sprintf(`{"target_area":%q,"title":"x","costs":[{"year":%d,"investment":0,"operating":-250000}]}`, area, period.From), "", false, 422, collab.CodeInvalid, "negative"},
		tc{"add measure: amount over the limit", "POST", measures, fmt.Sprintf(`{"target_area":%q,"title":"x","costs":[{"year":%d,"investment":1000000000001,"operating":0}]}`, area, period.From), "", false, 422, collab.CodeInvalid, "over"},
		tc{"add measure: amount beyond int64", "POST", measures, fmt.Sprintf(`{"target_area":%q,"title":"x","costs":[{"year":%d,"investment":100000000000000000000,"operating":0}]}`, area, period.From), "", false, 422, collab.CodeInvalid, "must be an integer"},
		tc{"add measure: fractional kroner", "POST", measures, fmt.Sprintf(`{"target_area":%q,"title":"x","costs":[{"year":%d,"investment":1500000.5,"operating":0}]}`, area, period.From), "", false, 422, collab.CodeInvalid, "must be an integer"},
		tc{"add measure: amount as string", "POST", measures, fmt.Sprintf(`{"target_area":%q,"title":"x","costs":[{"year":%d,"investment":"1500000","operating":0}]}`, area, period.From), "", false, 422, collab.CodeInvalid, "must be an integer"},
		tc{"add measure: cost year outside the measure", "POST", measures, fmt.Sprintf(`{"target_area":%q,"title":"x","start_year":%d,"end_year":%d,"costs":[{"year":%d,"investment":1,"operating":1}]}`, area, period.From, period.From, period.From+1), "", false, 422, collab.CodeInvalid, "outside the measure's years"},
		tc{"add measure: cost year listed twice", "POST", measures, fmt.Sprintf(`{"target_area":%q,"title":"x","costs":[{"year":%d,"investment":1,"operating":1},{"year":%[2]d,"investment":2,"operating":2}]}`, area, period.From), "", false, 422, collab.CodeInvalid, "listed twice"},
		tc{"add measure: costs not a list", "POST", measures, fmt.Sprintf(`{"target_area":%q,"title":"x","costs":{"year":%d}}`, area, period.From), "", false, 422, collab.CodeInvalid, `"costs" must be an array`},
		tc{"add measure: unknown cost field", "POST", measures, fmt.Sprintf(`{"target_area":%q,"title":"x","costs":[{"year":%d,"investment":1,"operating":1,"total":2}]}`, area, period.From), "", false, 422, collab.CodeInvalid, `unknown field "total"`},
		tc{"add measure: unknown priority", "POST", measures, fmt.Sprintf(`{"target_area":%q,"title":"x","priority":"urgent"}`, area), "", false, 422, collab.CodeInvalid, "priority"},
		tc{"add measure: unknown status", "POST", measures, fmt.Sprintf(`{"target_area":%q,"title":"x","status":"finished"}`, area), "", false, 422, collab.CodeInvalid, "status"},
		tc{"add measure: line break in the unit", "POST", measures, fmt.Sprintf(`{"target_area":%q,"title":"x","unit":"Bolig\nkontoret"}`, area), "", false, 422, collab.CodeInvalid, "unit contains control characters"},
		tc{"add measure: target group too long", "POST", measures, fmt.Sprintf(`{"target_area":%q,"title":"x","target_group":%q}`, area, strings.Repeat("u", 201)), "", false, 422, collab.CodeInvalid, "target_group"},
		tc{"add measure: a goal of another target area", "POST", measures, fmt.Sprintf(`{"target_area":%q,"title":"x","goals":[%q]}`, otherArea, goal), "", false, 422, collab.CodeInvalid, "not a goal of the target area"},
		tc{"patch measure: unknown measure", "PATCH", measures + "/nope", `{"title":"x"}`, "", false, 404, collab.CodeNotFound, "not found"},
		tc{"patch measure: into a section that is no target area", "PATCH", measureURL, fmt.Sprintf(`{"target_area":%q,"goals":[]}`, innledning.ID), "", false, 422, collab.CodeInvalid, "not a target area"},
		tc{"patch measure: years that leave out its costs", "PATCH", measureURL, fmt.Sprintf(`{"start_year":%d}`, period.From+1), "", false, 422, collab.CodeInvalid, "outside the measure's years"},
		tc{"patch measure: stale seq", "PATCH", measureURL, fmt.Sprintf(`{"seq":%d,"status":"done"}`, stale), "", false, 409, collab.CodeConflict, "reload"},
		tc{"delete measure: unknown measure", "DELETE", measures + "/nope", "", "", false, 404, collab.CodeNotFound, "not found"},
		tc{"delete measure: stale seq", "DELETE", fmt.Sprintf("%s?seq=%d", measureURL, stale), "", "", false, 409, collab.CodeConflict, "reload"},

		// POST, PATCH and DELETE /api/plans/:id/indicators
		tc{"add indicator: no targets", "POST", indicators, fmt.Sprintf(`{"goal":%q,"name":"x","baseline":{"value":1,"year":%d},"targets":[]}`, goal, period.From), "", false, 422, collab.CodeInvalid, "targets"},
		tc{"add indicator: target not after the baseline", "POST", indicators, fmt.Sprintf(`{"goal":%q,"name":"x","baseline":{"value":1,"year":%d},"targets":[{"value":2,"year":%[2]d}]}`, goal, period.From), "", false, 422, collab.CodeInvalid, "not after the baseline year"},
		tc{"add indicator: target year twice", "POST", indicators, fmt.Sprintf(`{"goal":%q,"name":"x","baseline":{"value":1,"year":%d},"targets":[{"value":2,"year":%d},{"value":3,"year":%[3]d}]}`, goal, period.From-1, period.To), "", false, 422, collab.CodeInvalid, "listed twice"},
		tc{"add indicator: baseline before 2000", "POST", indicators, fmt.Sprintf(`{"goal":%q,"name":"x","baseline":{"value":1,"year":1999},"targets":[{"value":2,"year":%d}]}`, goal, period.To), "", false, 422, collab.CodeInvalid, "baseline"},
		tc{"add indicator: value out of range", "POST", indicators, fmt.Sprintf(`{"goal":%q,"name":"x","baseline":{"value":1e16,"year":%d},"targets":[{"value":2,"year":%d}]}`, goal, period.From, period.To), "", false, 422, collab.CodeInvalid, "out of range"},
		tc{"add indicator: value as string", "POST", indicators, fmt.Sprintf(`{"goal":%q,"name":"x","baseline":{"value":"12","year":%d},"targets":[{"value":2,"year":%d}]}`, goal, period.From, period.To), "", false, 422, collab.CodeInvalid, "must be a number"},
		tc{"add indicator: unknown goal", "POST", indicators, fmt.Sprintf(`{"goal":"nope","name":"x","baseline":{"value":1,"year":%d},"targets":[{"value":2,"year":%d}]}`, period.From, period.To), "", false, 422, collab.CodeInvalid, "not a goal of the plan"},
		tc{"add indicator: unknown frequency", "POST", indicators, fmt.Sprintf(`{"goal":%q,"name":"x","frequency":"daily","baseline":{"value":1,"year":%d},"targets":[{"value":2,"year":%d}]}`, goal, period.From, period.To), "", false, 422, collab.CodeInvalid, "frequency"},
		tc{"add indicator: no name", "POST", indicators, fmt.Sprintf(`{"goal":%q,"baseline":{"value":1,"year":%d},"targets":[{"value":2,"year":%d}]}`, goal, period.From, period.To), "", false, 422, collab.CodeInvalid, "name must not be empty"},
		tc{"add indicator: status is computed", "POST", indicators, fmt.Sprintf(`{"goal":%q,"name":"x","status":"on_track","baseline":{"value":1,"year":%d},"targets":[{"value":2,"year":%d}]}`, goal, period.From, period.To), "", false, 422, collab.CodeInvalid, `unknown field "status"`},
		tc{"patch indicator: unknown indicator", "PATCH", indicators + "/nope", `{"name":"x"}`, "", false, 404, collab.CodeNotFound, "not found"},
		tc{"patch indicator: no targets", "PATCH", indicatorURL, `{"targets":[]}`, "", false, 422, collab.CodeInvalid, "targets"},
		tc{"delete indicator: unknown indicator", "DELETE", indicators + "/nope", "", "", false, 404, collab.CodeNotFound, "not found"},

		// POST /api/plans/:id/indicators/:iid/reports
		tc{"report: no value", "POST", reports, fmt.Sprintf(`{"date":"%d-06-30"}`, period.From), "", false, 422, collab.CodeInvalid, "value is required"},
		tc{"report: value null", "POST", reports, fmt.Sprintf(`{"date":"%d-06-30","value":null}`, period.From), "", false, 422, collab.CodeInvalid, "value is required"},
		tc{"report: value as string", "POST", reports, fmt.Sprintf(`{"date":"%d-06-30","value":"18"}`, period.From), "", false, 422, collab.CodeInvalid, `"value" must be a number`},
		tc{"report: value out of range", "POST", reports, fmt.Sprintf(`{"date":"%d-06-30","value":1e300}`, period.From), "", false, 422, collab.CodeInvalid, "out of range"},
		tc{"report: no date", "POST", reports, `{"value":18}`, "", false, 422, collab.CodeInvalid, "date"},
		tc{"report: Norwegian date", "POST", reports, fmt.Sprintf(`{"date":"30.06.%d","value":18}`, period.From), "", false, 422, collab.CodeInvalid, "YYYY-MM-DD"},
		tc{"report: no such day", "POST", reports, fmt.Sprintf(`{"date":"%d-02-30","value":18}`, period.From), "", false, 422, collab.CodeInvalid, "YYYY-MM-DD"},
		tc{"report: date with a time", "POST", reports, fmt.Sprintf(`{"date":"%d-06-30T12:00:00Z","value":18}`, period.From), "", false, 422, collab.CodeInvalid, "YYYY-MM-DD"},
		tc{"report: year before 2000", "POST", reports, `{"date":"1999-06-30","value":18}`, "", false, 422, collab.CodeInvalid, "between 2000 and 2100"},
		tc{"report: control characters in the note", "POST", reports, fmt.Sprintf(`{"date":"%d-06-30","value":18,"note":"a\u0007b"}`, period.From), "", false, 422, collab.CodeInvalid, "control characters"},
		tc{"report: negative seq", "POST", reports, fmt.Sprintf(`{"seq":-1,"date":"%d-06-30","value":18}`, period.From), "", false, 422, collab.CodeInvalid, "seq"},
		tc{"report: unknown indicator", "POST", indicators + "/nope/reports", fmt.Sprintf(`{"date":"%d-06-30","value":18}`, period.From), "", false, 404, collab.CodeNotFound, "not found"},

		// POST, PATCH and DELETE /api/plans/:id/milestones
		tc{"add milestone: no date", "POST", milestones, `{"title":"x"}`, "", false, 422, collab.CodeInvalid, "date"},
		tc{"add milestone: no such day", "POST", milestones, fmt.Sprintf(`{"title":"x","date":"%d-13-01"}`, period.From), "", false, 422, collab.CodeInvalid, "YYYY-MM-DD"},
		tc{"add milestone: date injection", "POST", milestones, `{"title":"x","date":{"$gt":""}}`, "", false, 422, collab.CodeInvalid, `"date" must be a string`},
		tc{"add milestone: unknown status", "POST", milestones, fmt.Sprintf(`{"title":"x","date":"%d-03-01","status":"late"}`, period.From), "", false, 422, collab.CodeInvalid, "status"},
		tc{"add milestone: responsible neither member nor role", "POST", milestones, fmt.Sprintf(`{"title":"x","date":"%d-03-01","responsible":%q}`, period.From, per.ID), "", false, 422, collab.CodeInvalid, "neither a member"},
		tc{"add milestone: no title", "POST", milestones, fmt.Sprintf(`{"date":"%d-03-01"}`, period.From), "", false, 422, collab.CodeInvalid, "title"},
		tc{"patch milestone: unknown milestone", "PATCH", milestones + "/nope", `{"status":"done"}`, "", false, 404, collab.CodeNotFound, "not found"},
		tc{"patch milestone: overdue is computed", "PATCH", milestoneURL, `{"overdue":false}`, "", false, 422, collab.CodeInvalid, `unknown field "overdue"`},
		tc{"delete milestone: unknown milestone", "DELETE", milestones + "/nope", "", "", false, 404, collab.CodeNotFound, "not found"},

		// POST /api/plans/:id/rounds and /rounds/:rid/done
		tc{"send round: no recipients", "POST", rounds, fmt.Sprintf(`{"recipients":[],"deadline":"%d-02-01"}`, period.From), "", false, 422, collab.CodeInvalid, "recipients"},
		tc{"send round: recipient not a member", "POST", rounds, fmt.Sprintf(`{"recipients":[%q],"deadline":"%d-02-01"}`, per.ID, period.From), "", false, 422, collab.CodeInvalid, "not a member"},
		tc{"send round: recipient injection", "POST", rounds, fmt.Sprintf(`{"recipients":[{"$gt":""}],"deadline":"%d-02-01"}`, period.From), "", false, 422, collab.CodeInvalid, `"recipients" must be a string`},
		tc{"send round: unknown section", "POST", rounds, fmt.Sprintf(`{"recipients":[%q],"sections":["nope"],"deadline":"%d-02-01"}`, ola.ID, period.From), "", false, 422, collab.CodeInvalid, "not a section of the plan"},
		tc{"send round: bad deadline", "POST", rounds, fmt.Sprintf(`{"recipients":[%q],"deadline":"1. februar"}`, ola.ID), "", false, 422, collab.CodeInvalid, "YYYY-MM-DD"},
		tc{"send round: message too long", "POST", rounds, fmt.Sprintf(`{"recipients":[%q],"deadline":"%d-02-01","message":%q}`, ola.ID, period.From, strings.Repeat("m", 2001)), "", false, 422, collab.CodeInvalid, "longer than 2000"},
		tc{"answer round: not a recipient", "POST", answer, `{"comment":"Lest"}`, "", false, 403, collab.CodeForbidden, "not sent to you"},
		tc{"answer round: twice", "POST", rounds + "/" + roundKari + "/done", `{}`, "", false, 409, collab.CodeConflict, "already"},
		tc{"answer round: unknown round", "POST", rounds + "/nope/done", `{}`, "", false, 404, collab.CodeNotFound, "not found"},
		tc{"answer round: comment too long", "POST", rounds + "/" + roundKari + "/done", fmt.Sprintf(`{"comment":%q}`, strings.Repeat("k", 2001)), "", false, 422, collab.CodeInvalid, "longer than 2000"},

		// POST /api/plans/:id/economics/signoff
		tc{"sign off: no comment", "POST", signoff, fmt.Sprintf(`{"seq":%d}`, p.Seq), "", false, 422, collab.CodeInvalid, "comment must not be empty"},
		tc{"sign off: comment too long", "POST", signoff, fmt.Sprintf(`{"seq":%d,"comment":%q}`, p.Seq, strings.Repeat("ø", 2001)), "", false, 422, collab.CodeInvalid, "longer than 2000"},
		tc{"sign off: no seq", "POST", signoff, `{"comment":"Kontrollert"}`, "", false, 422, collab.CodeInvalid, "seq"},
		tc{"sign off: negative seq", "POST", signoff, `{"seq":-4,"comment":"Kontrollert"}`, "", false, 422, collab.CodeInvalid, "seq"},
		tc{"sign off: seq as string", "POST", signoff, `{"seq":"12","comment":"Kontrollert"}`, "", false, 422, collab.CodeInvalid, `"seq" must be an integer`},
		tc{"sign off: seq ahead", "POST", signoff, `{"seq":100000,"comment":"Kontrollert"}`, "", false, 422, collab.CodeInvalid, "ahead"},
		tc{"sign off: costs changed since", "POST", signoff, fmt.Sprintf(`{"seq":%d,"comment":"Kontrollert"}`, stale), "", false, 409, collab.CodeConflict, "reload"},
		tc{"sign off: unknown plan", "POST", plans + "/nope/economics/signoff", `{"seq":1,"comment":"Kontrollert"}`, "", false, 404, collab.CodeNotFound, "plan"},

		// GET /api/plans/:id/economics, /privacy and /lix
		tc{"economics: unknown plan", "GET", plans + "/nope/economics", "", "", false, 404, collab.CodeNotFound, "plan"},
		tc{"privacy: unknown plan", "GET", plans + "/nope/privacy", "", "", false, 404, collab.CodeNotFound, "plan"},
		tc{"lix: unknown plan", "GET", plans + "/nope/lix", "", "", false, 404, collab.CodeNotFound, "plan"},

		// POST and DELETE /api/plans/:id/privacy/:fid/accept
		tc{"accept finding: no reason", "POST", accept, `{}`, "", false, 422, collab.CodeInvalid, "reason must not be empty"},
		tc{"accept finding: blank reason", "POST", accept, `{"reason":"   "}`, "", false, 422, collab.CodeInvalid, "reason must not be empty"},
		tc{"accept finding: reason too long", "POST", accept, fmt.Sprintf(`{"reason":%q}`, strings.Repeat("r", 1001)), "", false, 422, collab.CodeInvalid, "longer than 1000"},
		tc{"accept finding: control characters", "POST", accept, `{"reason":"a\u0000b"}`, "", false, 422, collab.CodeInvalid, "control characters"},
		tc{"accept finding: negative seq", "POST", accept, `{"seq":-1,"reason":"Publisert"}`, "", false, 422, collab.CodeInvalid, "seq"},
		tc{"accept finding: not in the text", "POST", plan + "/privacy/nope/accept", `{"reason":"Publisert"}`, "", false, 404, collab.CodeNotFound, "not in the text"},
		tc{"reopen finding: not accepted", "DELETE", accept, "", "", false, 404, collab.CodeNotFound, "not accepted"},
		tc{"reopen finding: seq not a number", "DELETE", accept + "?seq=x", "", "", false, 422, collab.CodeInvalid, "seq must be an integer"},

		// POST /api/plans/:id/versions
		tc{"freeze: no name", "POST", versions, `{"seq":0}`, "", false, 422, collab.CodeInvalid, "name must not be empty"},
		tc{"freeze: blank name", "POST", versions, `{"name":" \t "}`, "", false, 422, collab.CodeInvalid, "name must not be empty"},
		tc{"freeze: name too long", "POST", versions, `{"name":"` + strings.Repeat("å", 101) + `"}`, "", false, 422, collab.CodeInvalid, "longer than 100"},
		tc{"freeze: control characters", "POST", versions, `{"name":"Utkast\u00002"}`, "", false, 422, collab.CodeInvalid, "control characters"},
		tc{"freeze: a number", "POST", versions, `{"name":"2027"}`, "", false, 422, collab.CodeInvalid, "number"},
		tc{"freeze: the hearing draft's name", "POST", versions, `{"name":"høringsutkast"}`, "", false, 422, collab.CodeInvalid, "reserved"},
		tc{"freeze: now", "POST", versions, `{"name":"Now"}`, "", false, 422, collab.CodeInvalid, "reserved"},
		tc{"freeze: a taken name", "POST", versions, `{"name":"Utkast 1"}`, "", false, 409, collab.CodeConflict, "already"},
		tc{"freeze: a taken name in other case", "POST", versions, `{"name":"UTKAST 1"}`, "", false, 409, collab.CodeConflict, "already"},
		tc{"freeze: stale seq", "POST", versions, fmt.Sprintf(`{"name":"Utkast 2","seq":%d}`, stale), "", false, 409, collab.CodeConflict, "reload"},
		tc{"freeze: negative seq", "POST", versions, `{"name":"Utkast 2","seq":-1}`, "", false, 422, collab.CodeInvalid, "seq"},
		tc{"freeze: seq ahead", "POST", versions, `{"name":"Utkast 2","seq":100000}`, "", false, 422, collab.CodeInvalid, "ahead"},
		tc{"freeze: seq as string", "POST", versions, `{"name":"Utkast 2","seq":"1"}`, "", false, 422, collab.CodeInvalid, `"seq" must be an integer`},
		tc{"freeze: unknown plan", "POST", plans + "/nope/versions", `{"name":"Utkast 2"}`, "", false, 404, collab.CodeNotFound, "plan"},
		tc{"versions: unknown plan", "GET", plans + "/nope/versions", "", "", false, 404, collab.CodeNotFound, "plan"},

		// The hearing: bad queries, and changes in a phase that has none.
		tc{"hearing: weeks not a number", "GET", plan + "/hearing?weeks=x", "", "", false, 422, collab.CodeInvalid, "weeks"},
		tc{"hearing: weeks out of range", "GET", plan + "/hearing?weeks=53", "", "", false, 422, collab.CodeInvalid, "weeks"},
		tc{"hearing: deadline too long", "GET", plan + "/hearing?deadline=2027-01-011", "", "", false, 422, collab.CodeInvalid, "deadline"},
		tc{"hearing: unknown plan", "GET", plans + "/nope/hearing", "", "", false, 404, collab.CodeNotFound, "plan"},
		tc{"hearing export: unknown format", "GET", plan + "/hearing/responses/export?format=xlsx", "", "", false, 422, collab.CodeInvalid, "format"},
		tc{"hearing start: not the steering group", "POST", plan + "/hearing/start", `{"deadline":{"$gt":""}}`, "", false, 403, collab.CodeForbidden, "steering"},
		tc{"hearing body: wrong phase", "PUT", plan + "/hearing/bodies/b1", `{"status":"sent"}`, "", false, 409, collab.CodeWrongPhase, "hearing"},
		tc{"moderation: wrong phase", "POST", plan + "/hearing/responses/x/moderation", `{"decision":"published"}`, "", false, 409, collab.CodeWrongPhase, "hearing"},
		// Fase 3 (docs/processing.md): refused by phase or role before the body is read.
		tc{"assessments: unknown format", "GET", plan + "/hearing/assessments?format=pdf", "", "", false, 422, collab.CodeInvalid, "format"},
		tc{"close hearing: not the steering group", "POST", plan + "/hearing/close", "", "", false, 403, collab.CodeForbidden, "close the hearing"},
		tc{"assessment: wrong phase", "PUT", plan + "/hearing/responses/x/assessment", `{"outcome":{"$gt":""}}`, "", false, 409, collab.CodeWrongPhase, "hearing or processing"},
		tc{"decision: wrong phase", "POST", plan + "/decision", `{"date":{"$gt":""}}`, "", false, 409, collab.CodeWrongPhase, "final_review"},
		tc{"rullering: wrong phase", "POST", plan + "/rullering", `{"title":"x"}`, "", false, 409, collab.CodeWrongPhase, "adopted"},
		tc{"rullering: unknown plan", "POST", plans + "/nope/rullering", "", "", false, 404, collab.CodeNotFound, "plan"},

		// GET /api/plans/:id/diff
		tc{"diff: no from", "GET", diff, "", "", false, 422, collab.CodeInvalid, "from is required"},
		tc{"diff: blank from", "GET", diff + "?from=%20&to=now", "", "", false, 422, collab.CodeInvalid, "from is required"},
		tc{"diff: unknown version", "GET", diff + "?from=Utkast%209", "", "", false, 404, collab.CodeNotFound, "no version"},
		tc{"diff: unknown seq", "GET", diff + "?from=1&to=now", "", "", false, 404, collab.CodeNotFound, "no version"},
		tc{"diff: unknown to", "GET", diff + "?from=Utkast%201&to=Utkast%209", "", "", false, 404, collab.CodeNotFound, "no version"},
		tc{"diff: absurd from", "GET", diff + "?from=" + strings.Repeat("x", 300), "", "", false, 422, collab.CodeInvalid, "at most 200"},
		tc{"diff: injection", "GET", diff + "?from=%7B%22%24gt%22%3A%22%22%7D", "", "", false, 404, collab.CodeNotFound, "no version"},
		tc{"diff: unknown plan", "GET", plans + "/nope/diff?from=now", "", "", false, 404, collab.CodeNotFound, "plan"},

		// POST /api/plans/:id/sections/:sid/restore
		tc{"restore: no version", "POST", restore, `{}`, "", false, 422, collab.CodeInvalid, "version is required"},
		tc{"restore: blank version", "POST", restore, `{"version":"  "}`, "", false, 422, collab.CodeInvalid, "version is required"},
		tc{"restore: unknown version", "POST", restore, `{"version":"Utkast 9"}`, "", false, 404, collab.CodeNotFound, "no version"},
		tc{"restore: absurd version", "POST", restore, `{"version":"` + strings.Repeat("x", 300) + `"}`, "", false, 422, collab.CodeInvalid, "at most 200"},
		tc{"restore: unknown section", "POST", sections + "/nope/restore", `{"version":"Utkast 1"}`, "", false, 404, collab.CodeNotFound, "section"},
		tc{"restore: a section the version lacks", "POST", sections + "/" + late + "/restore", `{"version":"Utkast 1","v":0}`, "", false, 404, collab.CodeNotFound, "not part of version"},
		tc{"restore: v as string", "POST", restore, `{"version":"Utkast 1","v":"1"}`, "", false, 422, collab.CodeInvalid, `"v" must be an integer`},
		tc{"restore: negative v", "POST", restore, `{"version":"Utkast 1","v":-1}`, "", false, 422, collab.CodeInvalid, "not a version"},
		tc{"restore: v past the head", "POST", restore, `{"version":"Utkast 1","v":100000}`, "", false, 422, collab.CodeInvalid, "not a version"},
		tc{"restore: compared with an older text", "POST", restore, `{"version":"Utkast 1","v":0}`, "", false, 409, collab.CodeConflict, "edited since"},
		tc{"restore: unknown plan", "POST", plans + "/nope/sections/" + innledning.ID + "/restore", `{"version":"Utkast 1"}`, "", false, 404, collab.CodeNotFound, "plan"},

		// POST /api/plans/:id/exports, GET …/exports/:eid and …/file
		tc{"export: no format", "POST", exports, `{}`, "", false, 422, collab.CodeInvalid, "format must be"},
		tc{"export: unknown format", "POST", exports, `{"format":"odt"}`, "", false, 422, collab.CodeInvalid, "format must be"},
		tc{"export: format in capitals", "POST", exports, `{"format":"PDF"}`, "", false, 422, collab.CodeInvalid, "format must be"},
		tc{"export: version injection", "POST", exports, `{"format":"pdf","version":{"$gt":""}}`, "", false, 422, collab.CodeInvalid, `"version" must be a string`},
		tc{"export: unknown version", "POST", exports, `{"format":"html","version":"Utkast 9"}`, "", false, 404, collab.CodeNotFound, "no version"},
		tc{"export: absurd version", "POST", exports, `{"format":"html","version":"` + strings.Repeat("x", 300) + `"}`, "", false, 422, collab.CodeInvalid, "at most 200"},
		tc{"export: unknown plan", "POST", plans + "/nope/exports", `{"format":"html"}`, "", false, 404, collab.CodeNotFound, "plan"},
		tc{"export status: unknown export", "GET", exports + "/0123456789abcdef0123456789abcdef", "", "", false, 404, collab.CodeNotFound, "export"},
		tc{"export status: injection in id", "GET", exports + "/%7B%22%24gt%22%3A%22%22%7D", "", "", false, 404, collab.CodeNotFound, "export"},
		tc{"export file: unknown export", "GET", exports + "/nope/file", "", "", false, 404, collab.CodeNotFound, "export"},

		// GET /api/plans/:id/audit
		tc{"audit: unknown plan", "GET", plans + "/nope/audit", "", "", false, 404, collab.CodeNotFound, "plan"},

		// POST /api/admin/users and PATCH /api/admin/users/:uid
		tc{"create user: not an e-mail", "POST", users, `{"email":"ola","name":"Ola","password":"correct horse battery"}`, "", false, 422, collab.CodeInvalid, "e-mail"},
		tc{"create user: no name", "POST", users, `{"email":"ny@m1.no","name":" ","password":"correct horse battery"}`, "", false, 422, collab.CodeInvalid, "name"},
		tc{"create user: short password", "POST", users, `{"email":"ny@m1.no","name":"Ny","password":"kort"}`, "", false, 422, collab.CodeInvalid, "at least 12"},
		tc{"create user: e-mail taken", "POST", users, `{"email":"OLA@m1.no","name":"Ola","password":"correct horse battery"}`, "", false, 409, collab.CodeConflict, "exists"},
		tc{"create user: admin injection", "POST", users, `{"email":"ny@m1.no","name":"Ny","password":"correct horse battery","admin":"true"}`, "", false, 422, collab.CodeInvalid, `"admin" must be true or false`},
		tc{"patch user: nothing to change", "PATCH", user, `{}`, "", false, 422, collab.CodeInvalid, "nothing to change"},
		tc{"patch user: unknown user", "PATCH", users + "/01JNOSUCHUSER", `{"name":"x"}`, "", false, 404, collab.CodeNotFound, "not found"},
		tc{"patch user: short password", "PATCH", user, `{"password":"kort"}`, "", false, 422, collab.CodeInvalid, "at least 12"},
		tc{"patch user: disable oneself", "PATCH", users + "/" + ts.kari.ID, `{"disabled":true}`, "", false, 422, collab.CodeInvalid, "disable themselves"},
		tc{"patch user: drop one's own admin flag", "PATCH", users + "/" + ts.kari.ID, `{"admin":false}`, "", false, 422, collab.CodeInvalid, "own administrator flag"},

		// POST and DELETE /api/plans/:id/archive, GET /api/plans
		tc{"archive: reason too long", "POST", plan + "/archive", fmt.Sprintf(`{"reason":%q}`, strings.Repeat("r", 1001)), "", false, 422, collab.CodeInvalid, "at most 1000"},
		tc{"archive: control characters", "POST", plan + "/archive", `{"reason":"a\u0000b"}`, "", false, 422, collab.CodeInvalid, "printable"},
		tc{"archive: unknown plan", "POST", plans + "/nope/archive", `{}`, "", false, 404, collab.CodeNotFound, "plan"},
		tc{"restore: not archived", "DELETE", plan + "/archive", "", "", false, 409, collab.CodeConflict, "not archived"},
		tc{"list plans: include_archived not a boolean", "GET", plans + "?include_archived=1", "", "", false, 422, collab.CodeInvalid, "include_archived"},

		// PUT /api/admin/municipality
		tc{"settings: malformed JSON", "PUT", "/api/admin/municipality", `{"privacy_threshold":`, "", false, 400, collab.CodeBadRequest, "malformed JSON"},
		tc{"settings: unknown field", "PUT", "/api/admin/municipality", `{"privacy_threshold":4,"id":"m2"}`, "", false, 422, collab.CodeInvalid, `unknown field "id"`},
		tc{"settings: operator injection", "PUT", "/api/admin/municipality", `{"login_methods":{"$gt":""}}`, "", false, 422, collab.CodeInvalid, `"login_methods" must be an array`},
		tc{"settings: number as text", "PUT", "/api/admin/municipality", `{"hearing_weeks":"6"}`, "", false, 422, collab.CodeInvalid, `"hearing_weeks" must be an integer`},
		tc{"settings: no content type", "PUT", "/api/admin/municipality", `{"hearing_weeks":6}`, "none", false, 400, collab.CodeBadRequest, "Content-Type: application/json"},
		tc{"settings: every login method off", "PUT", "/api/admin/municipality", `{"login_methods":[]}`, "", false, 422, collab.CodeNoLoginMethod, "login method"},
		tc{"settings: passwords off without a provider", "PUT", "/api/admin/municipality", `{"login_methods":["oidc"]}`, "", false, 422, collab.CodeOIDCNotConfigured, "password login cannot be turned off"},
		tc{"settings: unknown login method", "PUT", "/api/admin/municipality", `{"login_methods":["password","ldap"]}`, "", false, 422, collab.CodeInvalid, "unknown login method"},
		tc{"settings: script as a domain", "PUT", "/api/admin/municipality", `{"email_domains":["<script>alert(1)</script>"]}`, "", false, 422, collab.CodeInvalid, "not an e-mail domain"},
		tc{"settings: threshold too large", "PUT", "/api/admin/municipality", `{"privacy_threshold":1000}`, "", false, 422, collab.CodeInvalid, "privacy_threshold"},
		tc{"settings: negative hearing", "PUT", "/api/admin/municipality", `{"hearing_weeks":-6}`, "", false, 422, collab.CodeInvalid, "hearing_weeks"},
		tc{"settings: array body", "PUT", "/api/admin/municipality", `[]`, "", false, 422, collab.CodeInvalid, "must be a JSON object"},

		// The password links and the notification settings.
		tc{"password token: unknown", "POST", "/api/auth/password/token", `{"token":"no-such-link"}`, "", false, 401, collab.CodeUnauthorized, "not valid"},
		tc{"password token: empty", "POST", "/api/auth/password/token", `{"token":""}`, "", false, 401, collab.CodeUnauthorized, "not valid"},
		tc{"set password: unknown link", "POST", "/api/auth/password/reset", `{"token":"no-such-link","password":"et langt nok passord"}`, "", false, 401, collab.CodeUnauthorized, "not valid"},
		tc{"set password: short password", "POST", "/api/auth/password/reset", `{"token":"no-such-link","password":"kort"}`, "", false, 422, collab.CodeInvalid, "at least 12"},
		tc{"set password: password injection", "POST", "/api/auth/password/reset", `{"token":"x","password":{"$ne":null}}`, "", false, 422, collab.CodeInvalid, `"password" must be a string`},
		tc{"notification settings: nothing to change", "PUT", "/api/me/notifications", `{}`, "", false, 422, collab.CodeInvalid, "nothing to change"},
		tc{"notification settings: unknown mode", "PUT", "/api/me/notifications", `{"mode":"weekly"}`, "", false, 422, collab.CodeInvalid, "mode must be"},
		tc{"notification settings: unknown language", "PUT", "/api/me/notifications", `{"lang":"en"}`, "", false, 422, collab.CodeInvalid, "lang must be"},

		// GET /api/admin/audit
		tc{"municipality audit: limit not a number", "GET", "/api/admin/audit?limit=abc", "", "", false, 422, collab.CodeInvalid, "limit"},
		tc{"municipality audit: limit 0", "GET", "/api/admin/audit?limit=0", "", "", false, 422, collab.CodeInvalid, "limit"},
		tc{"municipality audit: limit too large", "GET", "/api/admin/audit?limit=1001", "", "", false, 422, collab.CodeInvalid, "limit"},

		// Routes and methods that do not exist.
		tc{"unknown API route", "GET", "/api/nope", "", "", false, 404, collab.CodeNotFound, "no such resource"},
		tc{"unknown API route, POST", "POST", "/api/plans/" + p.ID + "/nope", `{}`, "", false, 404, collab.CodeNotFound, "no such resource"},
		tc{"wrong method", "PUT", plans, `{"title":"x"}`, "", false, 405, collab.CodeBadRequest, "not allowed"},
		tc{"wrong method on a plan", "DELETE", plans + "/" + p.ID, "", "", false, 405, collab.CodeBadRequest, "not allowed"},
	)
	before := ts.storeState(p.ID)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body io.Reader
			if c.body != "" {
				body = strings.NewReader(c.body)
			}
			req := httptest.NewRequest(c.method, c.target, body)
			switch {
			case c.ctype == "none":
			case c.ctype != "":
				req.Header.Set("Content-Type", c.ctype)
			case c.body != "":
				req.Header.Set("Content-Type", "application/json")
			}
			if c.chunked {
				req.ContentLength = -1
				req.Body = io.NopCloser(req.Body) // hide the length
			}
			req.Header.Set("Authorization", "Bearer "+ts.token)
			rec := ts.doReq(req, c.body)
			e := wantError(t, rec, c.status, c.code)
			if !strings.Contains(e.Error.Message, c.message) {
				t.Errorf("message %q does not contain %q", e.Error.Message, c.message)
			}
			if after := ts.storeState(p.ID); after != before {
				t.Fatalf("the refused request wrote to the store")
			}
		})
	}
}

// TestBadInput_NoValidTokenChangesNothing sends a request that kari's
// token would make succeed to every route that needs a login, with no
// token and with tokens that are forged, expired, tampered with or of a
// disabled or unknown account: each answers unauthorized and nothing is
// written.
func TestBadInput_NoValidTokenChangesNothing(t *testing.T) {
	eachStore(t, testBadInput_NoValidTokenChangesNothing)
}

func testBadInput_NoValidTokenChangesNothing(t *testing.T, ts *testServer) {
	p := ts.createPlan("Boligplan")
	ola := ts.user("ola@m1.no", "m1", false)
	per := ts.user("per@m1.no", "m1", false)
	ts.member(p.ID, ola, "member")
	ts.member(p.ID, per, "steering")
	sec := findSection(t, p, "Innledning").ID

	// Per's token is good until his account is disabled.
	disabled := true
	if _, err := ts.accounts.UpdateUser(context.Background(), ts.kari.ID, "m1", per.ID, auth.UserPatch{Disabled: &disabled}); err != nil {
		t.Fatal(err)
	}
	issuer := func(secret []byte, audience string, now time.Time) *auth.Issuer {
		t.Helper()
		i, err := auth.NewIssuer(auth.IssuerConfig{Secret: secret, Issuer: "temaplan", Audience: audience,
			Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		return i
	}
	issue := func(i *auth.Issuer, user string) string {
		t.Helper()
		tok, _, err := i.Issue(user)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	b64 := base64.RawURLEncoding.EncodeToString
	now := time.Now()
	// Kari's token with its subject changed to Ola's, signature kept.
	parts := strings.Split(ts.kari.Token, ".")
	claims, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	tampered := parts[0] + "." + b64(bytes.Replace(claims, []byte(ts.kari.ID), []byte(ola.ID), 1)) + "." + parts[2]
	unsigned := b64([]byte(`{"alg":"none","typ":"JWT"}`)) + "." +
		b64(fmt.Appendf(nil, `{"sub":%q,"iss":"temaplan","aud":["temaplan"],"iat":%d,"nbf":%d,"exp":%d,"jti":"x"}`,
			ts.kari.ID, now.Unix(), now.Unix(), now.Add(time.Hour).Unix())) + "."

	authorizations := []struct{ name, header string }{
		{"no token", ""},
		{"empty bearer", "Bearer "},
		{"other scheme", "Basic " + b64([]byte("kari@m1.no:"+testPassword))},
		{"garbage", "Bearer not.a.jwt"},
		{"forged with another secret", "Bearer " + issue(issuer([]byte("another-secret-another-secret-another!"), "temaplan", now), ts.kari.ID)},
		{"for another audience", "Bearer " + issue(issuer(testSecret, "elsewhere", now), ts.kari.ID)},
		{"expired", "Bearer " + issue(issuer(testSecret, "temaplan", now.Add(-time.Hour)), ts.kari.ID)},
		{"tampered subject", "Bearer " + tampered},
		{"alg none", "Bearer " + unsigned},
		{"unknown account", "Bearer " + issue(issuer(testSecret, "temaplan", now), "01JNOSUCHUSER")},
		{"disabled account", "Bearer " + per.Token},
	}
	plan := "/api/plans/" + p.ID
	// Each would succeed with kari's token.
	requests := []struct{ method, target, body string }{
		{http.MethodGet, "/api/me", ""},
		{http.MethodGet, "/api/plans", ""},
		{http.MethodPost, "/api/plans", `{"title":"Overtatt"}`},
		{http.MethodGet, plan, ""},
		{http.MethodPost, plan + "/sections", `{"title":"Ny"}`},
		{http.MethodPatch, plan + "/sections/" + sec, `{"title":"Overtatt"}`},
		{http.MethodPost, plan + "/sections/" + sec + "/move", `{"parent":"","index":3}`},
		{http.MethodPut, plan + "/sections/" + sec + "/responsibility", fmt.Sprintf(`{"responsible":%q}`, ola.ID)},
		{http.MethodGet, plan + "/sections/" + sec + "/content", ""},
		{http.MethodDelete, plan + "/sections/" + sec, ""},
		{http.MethodPut, plan + "/members/" + ola.ID, `{"roles":["reader"]}`},
		{http.MethodDelete, plan + "/members/" + ola.ID, ""},
		{http.MethodPost, plan + "/invitations", `{"email":"ola@m1.no","roles":["finance"]}`},
		{http.MethodPut, plan + "/leader", fmt.Sprintf(`{"user":%q}`, ola.ID)},
		{http.MethodPost, plan + "/transitions", `{"action":"submit"}`},
		{http.MethodGet, plan + "/audit", ""},
		{http.MethodPatch, plan + "/settings", `{"privacy_threshold":3}`},
		{http.MethodPost, plan + "/goals", fmt.Sprintf(`{"target_area":%q,"title":"Overtatt"}`, p.TargetAreas()[0].ID)},
		{http.MethodPost, plan + "/milestones", `{"title":"Overtatt","date":"2027-01-01"}`},
		{http.MethodPost, plan + "/rounds", fmt.Sprintf(`{"recipients":[%q],"deadline":"2027-01-01"}`, ola.ID)},
		{http.MethodGet, plan + "/economics", ""},
		{http.MethodGet, plan + "/privacy", ""},
		{http.MethodGet, plan + "/lix", ""},
		{http.MethodGet, plan + "/versions", ""},
		{http.MethodPost, plan + "/versions", `{"name":"Overtatt"}`},
		{http.MethodGet, plan + "/diff?from=now", ""},
		{http.MethodPost, plan + "/sections/" + sec + "/restore", `{"version":"Overtatt"}`},
		{http.MethodGet, "/api/admin/users", ""},
		{http.MethodPost, "/api/admin/users", `{"email":"ny@m1.no","name":"Ny","password":"correct horse battery","admin":true}`},
		{http.MethodPatch, "/api/admin/users/" + ola.ID, `{"admin":true}`},
		{http.MethodGet, "/api/admin/audit", ""},
		{http.MethodPost, plan + "/archive", `{"reason":"Overtatt"}`},
		{http.MethodGet, "/api/admin/plans", ""},
		{http.MethodGet, "/api/admin/municipality", ""},
		{http.MethodGet, "/api/me/notifications", ""},
		{http.MethodPut, "/api/me/notifications", `{"mode":"off"}`},
		{http.MethodPut, "/api/admin/municipality", `{"privacy_threshold":2}`},
	}
	before := ts.storeState(p.ID)
	for _, a := range authorizations {
		t.Run(a.name, func(t *testing.T) {
			for _, r := range requests {
				var body io.Reader
				if r.body != "" {
					body = strings.NewReader(r.body)
				}
				req := httptest.NewRequest(r.method, r.target, body)
				if r.body != "" {
					req.Header.Set("Content-Type", "application/json")
				}
				if a.header != "" {
					req.Header.Set("Authorization", a.header)
				}
				rec := ts.doReq(req, r.body)
				if rec.Code != http.StatusUnauthorized {
					t.Errorf("%s %s: %d %s, want 401", r.method, r.target, rec.Code, rec.Body)
					continue
				}
				wantError(t, rec, http.StatusUnauthorized, collab.CodeUnauthorized)
			}
			if after := ts.storeState(p.ID); after != before {
				t.Fatalf("a request without a valid token wrote to the store")
			}
		})
	}
}

// nestDeep adds two levels of sections under parent and returns the
// deepest.
func nestDeep(t *testing.T, ts *testServer, planID, parent string) string {
	t.Helper()
	for range 2 {
		rec := ts.do(http.MethodPost, "/api/plans/"+planID+"/sections", fmt.Sprintf(`{"parent":%q,"title":"Nivå"}`, parent))
		if rec.Code != http.StatusCreated {
			t.Fatalf("nest: %d %s", rec.Code, rec.Body)
		}
		parent = decode[struct{ Section collab.Section }](t, rec).Section.ID
	}
	return parent
}

// writeFinding writes a sentence with a small count of households at the
// head of section as the plan's leader, kari, and returns the id of the
// privacy finding it makes.
func writeFinding(t *testing.T, ts *testServer, p collab.Plan, section string) string {
	t.Helper()
	ctx := context.Background()
	v, _, err := ts.engine.Snapshot(ctx, section)
	if err != nil {
		t.Fatal(err)
	}
	var d delta.Delta
	d.Insert("Det bor 3 familier her. ", nil)
	if _, err := ts.engine.Submit(ctx, collab.Submission{Doc: section, V: v, Src: "kari-tab", Seq: 1, By: ts.kari.ID, Op: d}); err != nil {
		t.Fatalf("kari writes: %v", err)
	}
	rec := ts.do(http.MethodGet, "/api/plans/"+p.ID+"/privacy", "")
	var r struct {
		Findings []struct{ ID, Section string }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("privacy: %d %s", rec.Code, rec.Body)
	}
	for _, f := range r.Findings {
		if f.Section == section {
			return f.ID
		}
	}
	t.Fatalf("no privacy finding in %s: %s", section, rec.Body)
	return ""
}
