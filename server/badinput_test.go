package server_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
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
		{http.MethodGet, "/api/admin/users", ""},
		{http.MethodPost, "/api/admin/users", `{"email":"ny@m1.no","name":"Ny","password":"correct horse battery","admin":true}`},
		{http.MethodPatch, "/api/admin/users/" + ola.ID, `{"admin":true}`},
		{http.MethodGet, "/api/admin/audit", ""},
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
