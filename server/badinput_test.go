package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/temaplan/temaplan/collab"
)

// storeState is everything the API could have written: the plan listing
// and, for one plan, its log and its state as the API reads it.
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
	return dumpJSON(list) + dumpJSON(entries) + dumpJSON(ts.getPlan(planID))
}

// TestBadInput_EveryEndpoint sends malformed, hostile and wrong input to
// every endpoint and checks the answer has the right status and code, a
// message that says what is wrong, and that nothing was written.
func TestBadInput_EveryEndpoint(t *testing.T) { eachStore(t, testBadInput_EveryEndpoint) }

func testBadInput_EveryEndpoint(t *testing.T, ts *testServer) {
	p := ts.createPlan("Boligplan", "Bodø")
	innledning := findSection(t, p, "Innledning")
	foringer := findSection(t, p, "Føringer")
	nasjonale := findSection(t, p, "Nasjonale føringer")
	// A target area (three levels) under this depth-3 section would nest
	// past the limit of six levels.
	deep := nestDeep(t, ts, p.ID, nasjonale.ID)

	plans := "/api/plans"
	sections := plans + "/" + p.ID + "/sections"
	section := sections + "/" + innledning.ID
	move := section + "/move"
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

	// Every endpoint with a JSON body gets the generic bad bodies.
	bodyEndpoints := []struct {
		name, method, target, field string
	}{
		{"create plan", http.MethodPost, plans, "title"},
		{"add section", http.MethodPost, sections, "title"},
		{"patch section", http.MethodPatch, section, "title"},
		{"move section", http.MethodPost, move, "parent"},
	}
	for _, ep := range bodyEndpoints {
		cases = append(cases,
			tc{ep.name + ": malformed JSON", ep.method, ep.target, `{"` + ep.field + `":`, "", false, 400, collab.CodeBadRequest, "malformed JSON"},
			tc{ep.name + ": syntax error", ep.method, ep.target, `{"` + ep.field + `" "x"}`, "", false, 400, collab.CodeBadRequest, "malformed JSON"},
			tc{ep.name + ": unknown field", ep.method, ep.target, `{"` + ep.field + `":"x","admin":true}`, "", false, 422, collab.CodeInvalid, `unknown field "admin"`},
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
		// POST /api/plans
		tc{"create plan: empty title", "POST", plans, `{"title":"  ","municipality":"Bodø"}`, "", false, 422, collab.CodeInvalid, "title must not be empty"},
		tc{"create plan: no municipality", "POST", plans, `{"title":"Boligplan"}`, "", false, 422, collab.CodeInvalid, "municipality"},
		tc{"create plan: municipality injection", "POST", plans, `{"title":"x","municipality":{"$ne":null}}`, "", false, 422, collab.CodeInvalid, `"municipality" must be a string`},
		tc{"create plan: unknown type", "POST", plans, `{"title":"x","municipality":"y","type":"annet"}`, "", false, 422, collab.CodeInvalid, "type"},
		tc{"create plan: title too long", "POST", plans, `{"title":"` + strings.Repeat("æ", 201) + `","municipality":"y"}`, "", false, 422, collab.CodeInvalid, "longer than 200"},
		tc{"create plan: control characters", "POST", plans, `{"title":"a\u0000b","municipality":"y"}`, "", false, 422, collab.CodeInvalid, "control characters"},
		tc{"create plan: null", "POST", plans, `null`, "", false, 422, collab.CodeInvalid, "title"},

		// GET /api/plans and /api/plans/:id
		tc{"list plans: municipality too long", "GET", plans + "?municipality=" + strings.Repeat("x", 201), "", "", false, 422, collab.CodeInvalid, "municipality"},
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
		tc{"patch section: contributors not a list", "PATCH", section, `{"contributors":"ola"}`, "", false, 422, collab.CodeInvalid, `"contributors" must be an array`},
		tc{"patch section: contributor injection", "PATCH", section, `{"contributors":[{"$gt":""}]}`, "", false, 422, collab.CodeInvalid, `"contributors" must be a string`},
		tc{"patch section: responsible injection", "PATCH", section, `{"responsible":{"$ne":null}}`, "", false, 422, collab.CodeInvalid, `"responsible" must be a string`},
		tc{"patch section: too many contributors", "PATCH", section, `{"contributors":[` + strings.TrimSuffix(strings.Repeat(`"a",`, 101), ",") + `]}`, "", false, 422, collab.CodeInvalid, "contributors"},

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
