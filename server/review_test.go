package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/delta"
	"github.com/temaplan/temaplan/collab/mongo"
	"github.com/temaplan/temaplan/collab/redis"
)

// This file tests the review of a plan's text over REST: comment threads,
// required changes, suggestions, a section's history and authorship.

// review is a Fase 1 plan (lise leads, styre steers, politi approves for
// political leadership, medl is a member) with fina in finance, and lise's
// text in its first section.
type review struct {
	fase1
	ts   *testServer
	fina testUser
	id   string // the plan's id
	sid  string // its first section
	seq  int64  // lise's op counter
}

// reviewText is the first section's text at version 1.
const reviewText = "Boliger for alle."

func newReview(t *testing.T, ts *testServer) *review {
	t.Helper()
	r := &review{fase1: newFase1(t, ts), ts: ts, fina: ts.user("fina@m1.no", "m1", false)}
	r.id, r.sid = r.plan.ID, firstSection(r.plan)
	ts.member(r.id, r.fina, "finance")
	r.write(t, insertOp(0, reviewText))
	return r
}

// insertOp inserts s at index.
func insertOp(index int, s string) delta.Delta {
	var d delta.Delta
	if index > 0 {
		d.Retain(index, nil)
	}
	d.Insert(s, nil)
	return d
}

// deleteOp deletes n characters at index.
func deleteOp(index, n int) delta.Delta {
	var d delta.Delta
	if index > 0 {
		d.Retain(index, nil)
	}
	d.Delete(n)
	return d
}

// write commits op as lise on the head of the first section, as her
// editor would over the WebSocket, and returns its version.
func (r *review) write(t *testing.T, op delta.Delta) int64 {
	t.Helper()
	ctx := context.Background()
	v, _, err := r.ts.engine.Snapshot(ctx, r.sid)
	if err != nil {
		t.Fatal(err)
	}
	r.seq++
	got, err := r.ts.engine.Submit(ctx, collab.Submission{Doc: r.sid, V: v, Src: "lise-tab", Seq: r.seq, By: r.lise.ID, Op: op})
	if err != nil {
		t.Fatalf("lise writes: %v", err)
	}
	return got
}

// text reads the first section's text through the API.
func (r *review) text(t *testing.T) string {
	t.Helper()
	rec := r.ts.doAs(r.lise.Token, http.MethodGet, "/api/plans/"+r.id+"/sections/"+r.sid+"/content", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("content: %d %s", rec.Code, rec.Body)
	}
	return textOf(decode[struct {
		Data delta.Delta `json:"data"`
	}](t, rec).Data)
}

// call sends a request about the plan (path below /api/plans/{id}) as u.
func (r *review) call(u testUser, method, path string, body any) *httptest.ResponseRecorder {
	r.ts.t.Helper()
	b := ""
	if body != nil {
		b = jsonOf(body)
	}
	return r.ts.doAs(u.Token, method, "/api/plans/"+r.id+path, b)
}

// threadJSON is a thread as the API answers it.
type threadJSON struct {
	ID         string            `json:"id"`
	Thread     string            `json:"thread"`
	Section    string            `json:"section"`
	Anchor     *collab.Anchor    `json:"anchor"`
	Quote      string            `json:"quote"`
	Author     string            `json:"author"`
	Body       string            `json:"body"`
	Mentions   []string          `json:"mentions"`
	Edited     *time.Time        `json:"edited"`
	Deleted    bool              `json:"deleted"`
	Resolved   bool              `json:"resolved"`
	ResolvedBy string            `json:"resolved_by"`
	Required   bool              `json:"required"`
	Done       bool              `json:"done"`
	Replies    []collab.Comment  `json:"replies"`
	Position   *collab.Anchor    `json:"position"`
	Orphaned   bool              `json:"orphaned"`
	Names      map[string]string `json:"names"`
}

// suggestionJSON is a suggestion as the API answers it.
type suggestionJSON struct {
	collab.Suggestion
	Position *collab.Anchor    `json:"position"`
	Outdated bool              `json:"outdated"`
	Names    map[string]string `json:"names"`
}

// wantStatus decodes a T from an answer with status.
func wantStatus[T any](t *testing.T, what string, status int, rec *httptest.ResponseRecorder) T {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("%s: %d %s, want %d", what, rec.Code, rec.Body, status)
	}
	return decode[T](t, rec)
}

// comment starts a thread as u on index+length of version v of the first
// section.
func (r *review) comment(t *testing.T, u testUser, v int64, index, length int, body string, mentions ...string) threadJSON {
	t.Helper()
	rec := r.call(u, http.MethodPost, "/comments", map[string]any{"section": r.sid, "v": v, "index": index, "length": length,
		"body": body, "mentions": mentions})
	return wantStatus[threadJSON](t, "comment", http.StatusCreated, rec)
}

// threads lists the threads as u with a query ("" for none).
func (r *review) threads(t *testing.T, u testUser, query string) []threadJSON {
	t.Helper()
	rec := r.call(u, http.MethodGet, "/comments"+query, nil)
	return wantStatus[struct{ Items []threadJSON }](t, "list comments"+query, http.StatusOK, rec).Items
}

// thread finds one thread as u.
func (r *review) thread(t *testing.T, u testUser, id string) threadJSON {
	t.Helper()
	for _, th := range r.threads(t, u, "") {
		if th.ID == id {
			return th
		}
	}
	t.Fatalf("thread %s is not listed", id)
	return threadJSON{}
}

// suggestions lists the suggestions as u.
func (r *review) suggestions(t *testing.T, u testUser) []suggestionJSON {
	t.Helper()
	rec := r.call(u, http.MethodGet, "/suggestions", nil)
	return wantStatus[struct{ Items []suggestionJSON }](t, "list suggestions", http.StatusOK, rec).Items
}

// flag posts {"value": v} to a thread's resolve, required or done route.
func (r *review) flag(u testUser, thread, route string, v bool) *httptest.ResponseRecorder {
	r.ts.t.Helper()
	return r.call(u, http.MethodPost, "/comments/"+thread+"/"+route, map[string]bool{"value": v})
}

func TestComments_RangeOnAnOlderVersionIsStoredAtTheHead(t *testing.T) {
	eachStore(t, testComments_RangeOnAnOlderVersionIsStoredAtTheHead)
}

func testComments_RangeOnAnOlderVersionIsStoredAtTheHead(t *testing.T, ts *testServer) {
	r := newReview(t, ts)
	// Medl selected "alle" (12+4) in version 1; lise has typed at the
	// start since.
	r.write(t, insertOp(0, "Gode "))
	th := r.comment(t, r.medl, 1, 12, 4, "Hvem er alle?")
	want := collab.Anchor{V: 2, Index: 17, Length: 4}
	if th.Anchor == nil || *th.Anchor != want || th.Quote != "alle" || th.Section != r.sid {
		t.Fatalf("stored anchor %+v quote %q section %s, want %+v \"alle\" %s", th.Anchor, th.Quote, th.Section, want, r.sid)
	}
	if th.Position == nil || *th.Position != want || th.Orphaned || th.Thread != th.ID || th.Author != r.medl.ID {
		t.Errorf("thread %+v: want position %+v, not orphaned, its own thread, by medl", th, want)
	}
	if th.Names[r.medl.ID] != "medl" || th.Replies == nil || len(th.Replies) != 0 {
		t.Errorf("names %v, replies %v: want medl named and no replies ([])", th.Names, th.Replies)
	}

	// Typing before the range moves it; the stored anchor and quote stay.
	r.write(t, insertOp(0, "Nye "))
	got := r.thread(t, r.lise, th.ID)
	if want := (collab.Anchor{V: 3, Index: 21, Length: 4}); got.Position == nil || *got.Position != want {
		t.Errorf("position after typing before it: %+v, want %+v", got.Position, want)
	}
	if *got.Anchor != *th.Anchor || got.Quote != "alle" {
		t.Errorf("stored anchor %+v quote %q changed", got.Anchor, got.Quote)
	}

	// Refused ranges and sections, and nothing is stored for them.
	other := ts.createPlan("En annen plan")
	for _, c := range []struct {
		name   string
		body   map[string]any
		status int
		code   collab.Code
	}{
		{"no version", map[string]any{"section": r.sid, "index": 0, "length": 4, "body": "x"}, http.StatusUnprocessableEntity, collab.CodeInvalid},
		{"no section", map[string]any{"v": 1, "index": 0, "length": 4, "body": "x"}, http.StatusUnprocessableEntity, collab.CodeInvalid},
		{"a future version", map[string]any{"section": r.sid, "v": 99, "index": 0, "length": 4, "body": "x"}, http.StatusBadRequest, collab.CodeBadRequest},
		{"past the end", map[string]any{"section": r.sid, "v": 1, "index": 10, "length": 40, "body": "x"}, http.StatusUnprocessableEntity, collab.CodeInvalid},
		{"no text selected", map[string]any{"section": r.sid, "v": 1, "index": 3, "length": 0, "body": "x"}, http.StatusUnprocessableEntity, collab.CodeInvalid},
		{"an empty body", map[string]any{"section": r.sid, "v": 1, "index": 0, "length": 4, "body": " \n "}, http.StatusUnprocessableEntity, collab.CodeInvalid},
		{"a control character", map[string]any{"section": r.sid, "v": 1, "index": 0, "length": 4, "body": "a\x00b"}, http.StatusUnprocessableEntity, collab.CodeInvalid},
		{"a body too long", map[string]any{"section": r.sid, "v": 1, "index": 0, "length": 4, "body": strings.Repeat("å", 10_001)}, http.StatusRequestEntityTooLarge, collab.CodeTooLarge},
		// Not found before the range is read in that section's text.
		{"another plan's section", map[string]any{"section": firstSection(other), "v": 0, "index": 0, "length": 5, "body": "x"}, http.StatusNotFound, collab.CodeNotFound},
		{"no such section", map[string]any{"section": "nope", "v": 0, "index": 0, "length": 1, "body": "x"}, http.StatusNotFound, collab.CodeNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, r.call(r.medl, http.MethodPost, "/comments", c.body), c.status, c.code)
		})
	}
	if n := len(r.threads(t, r.lise, "")); n != 1 {
		t.Errorf("%d threads after the refused comments, want 1", n)
	}
}

func TestComments_RepliesEditDeleteAndResolve(t *testing.T) {
	eachStore(t, testComments_RepliesEditDeleteAndResolve)
}

func testComments_RepliesEditDeleteAndResolve(t *testing.T, ts *testServer) {
	r := newReview(t, ts)
	outsider := ts.user("utenfor@m1.no", "m1", false) // of the municipality, not of the plan
	th := r.comment(t, r.medl, 1, 0, 7, "Hvilke boliger?")

	// Replies, with a mention of a member.
	rec := r.call(r.fina, http.MethodPost, "/comments/"+th.ID+"/replies", map[string]any{"body": "Se tabellen, @lise", "mentions": []string{r.lise.ID, r.lise.ID}})
	got := wantStatus[threadJSON](t, "fina replies", http.StatusCreated, rec)
	if len(got.Replies) != 1 || got.Replies[0].Author != r.fina.ID || got.Replies[0].Thread != th.ID ||
		!slices.Equal(got.Replies[0].Mentions, []string{r.lise.ID}) {
		t.Fatalf("replies %+v: want fina's, mentioning lise once", got.Replies)
	}
	reply := got.Replies[0].ID
	if got.Names[r.fina.ID] != "fina" || got.Names[r.lise.ID] != "lise" || got.Names[r.medl.ID] != "medl" {
		t.Errorf("names %v: want medl, fina and the mentioned lise", got.Names)
	}
	wantStatus[threadJSON](t, "lise replies", http.StatusCreated,
		r.call(r.lise, http.MethodPost, "/comments/"+th.ID+"/replies", map[string]any{"body": "Takk"}))
	// A reply is to a thread, not to a reply; no thread, no reply.
	wantError(t, r.call(r.medl, http.MethodPost, "/comments/"+reply+"/replies", map[string]any{"body": "x"}), http.StatusNotFound, collab.CodeNotFound)
	wantError(t, r.call(r.medl, http.MethodPost, "/comments/nope/replies", map[string]any{"body": "x"}), http.StatusNotFound, collab.CodeNotFound)

	// Mentions are of members of the plan only.
	for _, c := range []struct {
		what, method, path string
		body               map[string]any
	}{
		{"a thread", http.MethodPost, "/comments", map[string]any{"section": r.sid, "v": 1, "index": 0, "length": 7, "body": "Hei @utenfor", "mentions": []string{outsider.ID}}},
		{"a reply", http.MethodPost, "/comments/" + th.ID + "/replies", map[string]any{"body": "Hei", "mentions": []string{"no-such-user"}}},
		{"an edit", http.MethodPatch, "/comments/" + th.ID, map[string]any{"body": "Hei", "mentions": []string{r.lise.ID, outsider.ID}}},
	} {
		wantError(t, r.call(r.medl, c.method, c.path, c.body), http.StatusUnprocessableEntity, collab.CodeInvalid)
	}

	// Only the author edits or deletes a comment.
	got = wantStatus[threadJSON](t, "medl edits", http.StatusOK,
		r.call(r.medl, http.MethodPatch, "/comments/"+th.ID, map[string]any{"body": "Hvilke boliger, @fina?", "mentions": []string{r.fina.ID}}))
	if got.Body != "Hvilke boliger, @fina?" || got.Edited == nil || !slices.Equal(got.Mentions, []string{r.fina.ID}) {
		t.Errorf("after the edit: body %q, edited %v, mentions %v", got.Body, got.Edited, got.Mentions)
	}
	for _, u := range []testUser{r.fina, r.lise, r.styre} {
		wantError(t, r.call(u, http.MethodPatch, "/comments/"+th.ID, map[string]any{"body": "Mitt nå"}), http.StatusForbidden, collab.CodeForbidden)
		wantError(t, r.call(u, http.MethodDelete, "/comments/"+th.ID, nil), http.StatusForbidden, collab.CodeForbidden)
	}
	wantError(t, r.call(r.medl, http.MethodDelete, "/comments/"+reply, nil), http.StatusForbidden, collab.CodeForbidden)
	got = wantStatus[threadJSON](t, "fina deletes her reply", http.StatusOK, r.call(r.fina, http.MethodDelete, "/comments/"+reply, nil))
	if d := got.Replies[0]; !d.Deleted || d.Body != "" || d.Mentions == nil || len(d.Mentions) != 0 || d.ID != reply {
		t.Errorf("the deleted reply: %+v, want it in the thread, deleted, without text or mentions", d)
	}
	if len(got.Replies) != 2 || got.Body != "Hvilke boliger, @fina?" {
		t.Errorf("the thread after the delete: %+v", got)
	}
	wantError(t, r.call(r.fina, http.MethodDelete, "/comments/"+reply, nil), http.StatusNotFound, collab.CodeNotFound)
	wantError(t, r.call(r.fina, http.MethodPatch, "/comments/"+reply, map[string]any{"body": "igjen"}), http.StatusNotFound, collab.CodeNotFound)

	// Resolving: the author their own, not another member; reopening.
	wantError(t, r.flag(r.fina, th.ID, "resolve", true), http.StatusForbidden, collab.CodeForbidden)
	wantError(t, r.flag(r.styre, th.ID, "resolve", true), http.StatusForbidden, collab.CodeForbidden)
	wantError(t, r.flag(ts.kari, th.ID, "resolve", true), http.StatusForbidden, collab.CodeForbidden)
	wantError(t, r.call(r.medl, http.MethodPost, "/comments/"+th.ID+"/resolve", map[string]any{}), http.StatusUnprocessableEntity, collab.CodeInvalid)
	wantError(t, r.flag(r.fina, reply, "resolve", true), http.StatusNotFound, collab.CodeNotFound)
	// The answer is the thread, whatever list filters the request carries.
	got = wantStatus[threadJSON](t, "medl resolves", http.StatusOK,
		r.call(r.medl, http.MethodPost, "/comments/"+th.ID+"/resolve?status=open&mine=true", map[string]bool{"value": true}))
	if !got.Resolved || got.ResolvedBy != r.medl.ID {
		t.Errorf("resolved %t by %q, want true by medl", got.Resolved, got.ResolvedBy)
	}
	wantStatus[threadJSON](t, "medl resolves again", http.StatusOK, r.flag(r.medl, th.ID, "resolve", true))
	got = wantStatus[threadJSON](t, "medl reopens", http.StatusOK, r.flag(r.medl, th.ID, "resolve", false))
	if got.Resolved || got.ResolvedBy != "" {
		t.Errorf("reopened: resolved %t by %q", got.Resolved, got.ResolvedBy)
	}

	// The leader resolves anyone's thread.
	other := r.comment(t, r.styre, 1, 12, 4, "Definer alle")
	got = wantStatus[threadJSON](t, "lise resolves styre's", http.StatusOK, r.flag(r.lise, other.ID, "resolve", true))
	if !got.Resolved || got.ResolvedBy != r.lise.ID || got.Names[r.lise.ID] != "lise" {
		t.Errorf("resolved %t by %q (names %v), want true by lise, named", got.Resolved, got.ResolvedBy, got.Names)
	}
	// A deleted thread takes no replies.
	wantStatus[threadJSON](t, "styre deletes", http.StatusOK, r.call(r.styre, http.MethodDelete, "/comments/"+other.ID, nil))
	wantError(t, r.call(r.medl, http.MethodPost, "/comments/"+other.ID+"/replies", map[string]any{"body": "x"}), http.StatusNotFound, collab.CodeNotFound)
}

func TestComments_Filters(t *testing.T) {
	ts := newTestServer(t)
	r := newReview(t, ts)
	second := r.plan.Sections[1].ID
	a := r.comment(t, r.medl, 1, 0, 7, "Hvilke boliger?")
	b := r.comment(t, r.styre, 1, 12, 4, "Hvem er alle, @lise?", r.lise.ID)
	wantStatus[threadJSON](t, "fina replies to b", http.StatusCreated,
		r.call(r.fina, http.MethodPost, "/comments/"+b.ID+"/replies", map[string]any{"body": "Enig, @medl", "mentions": []string{r.medl.ID}}))
	var d delta.Delta
	d.Insert("Andre del.", nil)
	if _, err := ts.engine.Submit(context.Background(), collab.Submission{Doc: second, V: 0, Src: "lise-tab-2", Seq: 1, By: r.lise.ID, Op: d}); err != nil {
		t.Fatal(err)
	}
	rec := r.call(r.politi, http.MethodPost, "/comments", map[string]any{"section": second, "v": 1, "index": 0, "length": 5, "body": "Andre?"})
	c := wantStatus[threadJSON](t, "politi comments on the second section", http.StatusCreated, rec)
	wantStatus[threadJSON](t, "medl resolves a", http.StatusOK, r.flag(r.medl, a.ID, "resolve", true))

	ids := func(ts []threadJSON) []string {
		out := []string{}
		for _, t := range ts {
			out = append(out, t.ID)
		}
		return out
	}
	for _, c := range []struct {
		who   testUser
		query string
		want  []string
	}{
		{r.lise, "", []string{a.ID, b.ID, c.ID}},
		{r.lise, "?section=" + r.sid, []string{a.ID, b.ID}},
		{r.lise, "?section=" + second, []string{c.ID}},
		{r.lise, "?status=open", []string{b.ID, c.ID}},
		{r.lise, "?status=resolved", []string{a.ID}},
		{r.lise, "?section=" + r.sid + "&status=open", []string{b.ID}},
		{r.fina, "?mine=true", []string{b.ID}},   // her reply
		{r.politi, "?mine=true", []string{c.ID}}, // her thread
		{r.lise, "?mine=true", []string{}},       // she wrote none
		{r.lise, "?mentions=me", []string{b.ID}}, // "Til meg": the root mentions her
		{r.medl, "?mentions=me", []string{b.ID}}, // a reply mentions him
		{r.styre, "?mentions=me", []string{}},    // nobody mentions styre
		{r.medl, "?mentions=me&status=open", []string{b.ID}},
		{r.medl, "?mentions=me&status=resolved", []string{}},
	} {
		if got := ids(r.threads(t, c.who, c.query)); !slices.Equal(got, c.want) {
			t.Errorf("%s %s: %v, want %v", c.who.Email, c.query, got, c.want)
		}
	}
	wantError(t, r.call(r.lise, http.MethodGet, "/comments?status=closed", nil), http.StatusUnprocessableEntity, collab.CodeInvalid)
}

func TestRequiredChanges_BlockTheApprovalUntilResolved(t *testing.T) {
	eachStore(t, testRequiredChanges_BlockTheApprovalUntilResolved)
}

func testRequiredChanges_BlockTheApprovalUntilResolved(t *testing.T, ts *testServer) {
	r := newReview(t, ts)
	th := r.comment(t, r.medl, 1, 12, 4, "Hvem er alle?")
	type requirement struct {
		ID, Section, Quote, Body string
		Done                     bool
	}
	open := func() []requirement {
		t.Helper()
		rec := ts.doAs(r.lise.Token, http.MethodGet, "/api/plans/"+r.id, "")
		return wantStatus[struct {
			OpenRequirements []requirement `json:"open_requirements"`
		}](t, "get plan", http.StatusOK, rec).OpenRequirements
	}
	if got := open(); got == nil || len(got) != 0 {
		t.Fatalf("open_requirements of a new plan: %v, want []", got)
	}
	// Required changes are the steering group's, while it reviews.
	wantError(t, r.flag(r.styre, th.ID, "required", true), http.StatusConflict, collab.CodeWrongPhase)
	wantPlan(t, "lock", stepAs(ts, r.styre.Token, r.id, "lock", ""))
	wantError(t, r.flag(r.lise, th.ID, "required", true), http.StatusForbidden, collab.CodeForbidden)
	got := wantStatus[threadJSON](t, "styre requires", http.StatusOK, r.flag(r.styre, th.ID, "required", true))
	if !got.Required || got.Done || got.Resolved {
		t.Fatalf("after required: %+v", got)
	}
	want := []requirement{{ID: th.ID, Section: r.sid, Quote: "alle", Body: "Hvem er alle?"}}
	if got := open(); !slices.Equal(got, want) {
		t.Fatalf("open_requirements = %+v, want %+v", got, want)
	}

	// No approval while it is open; it is made in the draft, not in review.
	e := wantError(t, stepAs(ts, r.styre.Token, r.id, "approve", ""), http.StatusConflict, collab.CodeRequiredChangesOpen)
	if !strings.Contains(e.Error.Message, "1 required change") {
		t.Errorf("the refusal says %q, not how many are open", e.Error.Message)
	}
	wantError(t, r.flag(r.lise, th.ID, "done", true), http.StatusConflict, collab.CodeWrongPhase)
	wantError(t, r.flag(r.styre, th.ID, "resolve", true), http.StatusConflict, collab.CodeConflict)
	wantPlan(t, "return", stepAs(ts, r.styre.Token, r.id, "return", "Se endringskravet"))
	r.write(t, deleteOp(12, 4))
	r.write(t, insertOp(12, "alle som bor i kommunen"))
	wantError(t, r.flag(r.medl, th.ID, "done", true), http.StatusForbidden, collab.CodeForbidden)
	got = wantStatus[threadJSON](t, "lise marks it done", http.StatusOK, r.flag(r.lise, th.ID, "done", true))
	if !got.Done || got.Resolved {
		t.Errorf("after done: done %t resolved %t", got.Done, got.Resolved)
	}
	want[0].Done = true
	if got := open(); !slices.Equal(got, want) {
		t.Errorf("open_requirements after done = %+v, want %+v", got, want)
	}

	// Only the steering group resolves it: not the leader, not its author.
	wantError(t, r.flag(r.lise, th.ID, "resolve", true), http.StatusForbidden, collab.CodeForbidden)
	wantError(t, r.flag(r.medl, th.ID, "resolve", true), http.StatusForbidden, collab.CodeForbidden)
	got = wantStatus[threadJSON](t, "styre resolves", http.StatusOK, r.flag(r.styre, th.ID, "resolve", true))
	if !got.Resolved || got.ResolvedBy != r.styre.ID {
		t.Errorf("after resolve: resolved %t by %q", got.Resolved, got.ResolvedBy)
	}
	if got := open(); len(got) != 0 {
		t.Errorf("open_requirements after resolve = %+v, want none", got)
	}
	wantError(t, r.flag(r.lise, th.ID, "done", false), http.StatusConflict, collab.CodeConflict)

	// Locked again, the approvals go through.
	wantPlan(t, "lock again", stepAs(ts, r.styre.Token, r.id, "lock", ""))
	wantPlan(t, "steering approves", stepAs(ts, r.styre.Token, r.id, "approve", ""))
	if p := wantPlan(t, "political approves", stepAs(ts, r.politi.Token, r.id, "approve", "")); p.Phase != collab.PhaseApproved {
		t.Errorf("after both approvals: phase %s", p.Phase)
	}
}

func TestSuggestions_AcceptAppliesTheTextAttributedToBoth(t *testing.T) {
	eachStore(t, testSuggestions_AcceptAppliesTheTextAttributedToBoth)
}

func testSuggestions_AcceptAppliesTheTextAttributedToBoth(t *testing.T, ts *testServer) {
	r := newReview(t, ts)
	rec := r.call(r.medl, http.MethodPost, "/suggestions", map[string]any{"section": r.sid, "v": 1, "index": 12, "length": 4,
		"text": "alle innbyggere", "body": "Mer presist"})
	sg := wantStatus[suggestionJSON](t, "medl suggests", http.StatusCreated, rec)
	if sg.Status != collab.SuggestionOpen || sg.Quote != "alle" || sg.Author != r.medl.ID || sg.Outdated ||
		sg.Position == nil || *sg.Position != (collab.Anchor{V: 1, Index: 12, Length: 4}) {
		t.Fatalf("the new suggestion: %+v", sg)
	}
	// Typing elsewhere does not outdate it: it moves.
	r.write(t, insertOp(0, "Gode "))
	list := r.suggestions(t, r.lise)
	if len(list) != 1 || list[0].Outdated || *list[0].Position != (collab.Anchor{V: 2, Index: 17, Length: 4}) {
		t.Fatalf("after typing before it: %+v", list)
	}

	got := wantStatus[suggestionJSON](t, "lise accepts", http.StatusOK, r.call(r.lise, http.MethodPost, "/suggestions/"+sg.ID+"/accept", nil))
	if got.Status != collab.SuggestionAccepted || got.DecidedBy != r.lise.ID || got.V != 2 || got.Decided == nil {
		t.Errorf("accepted: %+v", got)
	}
	if got.Names[r.lise.ID] != "lise" || got.Names[r.medl.ID] != "medl" {
		t.Errorf("names %v: want lise and medl", got.Names)
	}
	const want = "Gode Boliger for alle innbyggere.\n"
	if text := r.text(t); text != want {
		t.Fatalf("text after the accept: %q, want %q", text, want)
	}
	// A second accept (another tab) applies nothing more; a reject is too
	// late.
	wantStatus[suggestionJSON](t, "accept again", http.StatusOK, r.call(r.lise, http.MethodPost, "/suggestions/"+sg.ID+"/accept", nil))
	wantError(t, r.call(r.lise, http.MethodPost, "/suggestions/"+sg.ID+"/reject", nil), http.StatusConflict, collab.CodeConflict)
	if text := r.text(t); text != want {
		t.Fatalf("text after a second accept: %q, want %q", text, want)
	}

	// The history names both: the leader's edit, suggested by medl.
	type group struct {
		By          string `json:"by"`
		Name        string `json:"name"`
		VFrom       int64  `json:"v_from"`
		VTo         int64  `json:"v_to"`
		Ops         int    `json:"ops"`
		Inserted    int    `json:"inserted"`
		Deleted     int    `json:"deleted"`
		Suggestion  string `json:"suggestion"`
		SuggestedBy string `json:"suggested_by"`
	}
	hist := wantStatus[struct {
		Items []group
		Names map[string]string
	}](t, "history", http.StatusOK, r.call(r.medl, http.MethodGet, "/sections/"+r.sid+"/history", nil))
	if len(hist.Items) != 2 {
		t.Fatalf("history: %+v, want the accepted suggestion and lise's typing", hist.Items)
	}
	if g := hist.Items[0]; g.Suggestion != sg.ID || g.By != r.lise.ID || g.SuggestedBy != r.medl.ID || g.Name != "lise" ||
		g.VFrom != 2 || g.Ops != 1 || g.Inserted != len("alle innbyggere") || g.Deleted != 4 {
		t.Errorf("newest group %+v: want the suggestion, by lise, suggested by medl", g)
	}
	if g := hist.Items[1]; g.By != r.lise.ID || g.Suggestion != "" || g.VFrom != 0 || g.VTo != 1 || g.Ops != 2 {
		t.Errorf("oldest group %+v: want lise's two ops", g)
	}
	if hist.Names[r.lise.ID] != "lise" || hist.Names[r.medl.ID] != "medl" {
		t.Errorf("history names %v: want lise and medl", hist.Names)
	}

	// Authorship: the text is the leader's, the accepted suggestion too.
	type span struct {
		Index, Length int
		By            string
	}
	au := wantStatus[struct {
		V     int64
		Spans []span
		Names map[string]string
	}](t, "authorship", http.StatusOK, r.call(r.fina, http.MethodGet, "/sections/"+r.sid+"/authorship", nil))
	wantSpans := []span{{0, utf16Len(want) - 1, r.lise.ID}, {utf16Len(want) - 1, 1, ""}}
	if au.V != 3 || !slices.Equal(au.Spans, wantSpans) || au.Names[r.lise.ID] != "lise" {
		t.Errorf("authorship v%d %+v (names %v), want v3 %+v", au.V, au.Spans, au.Names, wantSpans)
	}
}

func TestSuggestions_OutdatedIsRefusedAndCanBeRejected(t *testing.T) {
	eachStore(t, testSuggestions_OutdatedIsRefusedAndCanBeRejected)
}

func testSuggestions_OutdatedIsRefusedAndCanBeRejected(t *testing.T, ts *testServer) {
	r := newReview(t, ts)
	rec := r.call(r.fina, http.MethodPost, "/suggestions", map[string]any{"section": r.sid, "v": 1, "index": 12, "length": 4,
		"text": "alle innbyggere"})
	sg := wantStatus[suggestionJSON](t, "fina suggests", http.StatusCreated, rec)
	// Lise edits inside the range: "alle" → "ale".
	r.write(t, deleteOp(13, 1))
	const want = "Boliger for ale.\n"

	wantError(t, r.call(r.lise, http.MethodPost, "/suggestions/"+sg.ID+"/accept", nil), http.StatusConflict, collab.CodeConflict)
	if text := r.text(t); text != want {
		t.Fatalf("text after the refused accept: %q, want %q", text, want)
	}
	list := r.suggestions(t, r.medl)
	if len(list) != 1 || !list[0].Outdated || list[0].Status != collab.SuggestionOpen ||
		*list[0].Position != (collab.Anchor{V: 2, Index: 12, Length: 3}) {
		t.Fatalf("after the edit inside: %+v, want it open, outdated, over \"ale\"", list)
	}

	got := wantStatus[suggestionJSON](t, "lise rejects", http.StatusOK,
		r.call(r.lise, http.MethodPost, "/suggestions/"+sg.ID+"/reject", map[string]string{"reply": "Teksten er skrevet om"}))
	if got.Status != collab.SuggestionRejected || got.Reply != "Teksten er skrevet om" || got.DecidedBy != r.lise.ID || got.V != 0 || got.Outdated {
		t.Errorf("rejected: %+v", got)
	}
	wantError(t, r.call(r.lise, http.MethodPost, "/suggestions/"+sg.ID+"/accept", nil), http.StatusConflict, collab.CodeConflict)
	if text := r.text(t); text != want {
		t.Errorf("text after the reject: %q, want %q", text, want)
	}
	rec = r.call(r.lise, http.MethodGet, "/suggestions?status=rejected", nil)
	if l := wantStatus[struct{ Items []suggestionJSON }](t, "rejected", http.StatusOK, rec).Items; len(l) != 1 || l[0].ID != sg.ID {
		t.Errorf("status=rejected lists %+v", l)
	}
	rec = r.call(r.lise, http.MethodGet, "/suggestions?status=open", nil)
	if l := wantStatus[struct{ Items []suggestionJSON }](t, "open", http.StatusOK, rec).Items; l == nil || len(l) != 0 {
		t.Errorf("status=open lists %+v, want []", l)
	}
	wantError(t, r.call(r.lise, http.MethodGet, "/suggestions?status=maybe", nil), http.StatusUnprocessableEntity, collab.CodeInvalid)

	// Suggestions that change nothing, and unknown ones.
	for _, body := range []map[string]any{
		{"section": r.sid, "v": 2, "index": 3, "length": 0, "text": ""},
		{"section": r.sid, "v": 2, "index": 12, "length": 3, "text": "ale"},
	} {
		wantError(t, r.call(r.fina, http.MethodPost, "/suggestions", body), http.StatusUnprocessableEntity, collab.CodeInvalid)
	}
	wantError(t, r.call(r.lise, http.MethodPost, "/suggestions/nope/accept", nil), http.StatusNotFound, collab.CodeNotFound)
	wantError(t, r.call(r.lise, http.MethodPost, "/suggestions/nope/reject", nil), http.StatusNotFound, collab.CodeNotFound)
}

func TestComments_BodyIsStoredAndAnsweredAsText(t *testing.T) {
	ts := newTestServer(t)
	r := newReview(t, ts)
	const body = "<script>alert(1)</script> & <b>fet</b>"
	th := r.comment(t, r.medl, 1, 0, 7, body)
	rec := r.call(r.lise, http.MethodGet, "/comments", nil)
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q, want JSON", ct)
	}
	if strings.Contains(rec.Body.String(), "<script>") {
		t.Errorf("the answer carries the tag unescaped: %s", rec.Body)
	}
	got := decode[struct{ Items []threadJSON }](t, rec).Items
	if len(got) != 1 || got[0].ID != th.ID || got[0].Body != body {
		t.Errorf("stored body %q, want it verbatim %q", got[0].Body, body)
	}
}

func TestComments_OrphanedWhenTheRangeIsDeleted(t *testing.T) {
	eachStore(t, testComments_OrphanedWhenTheRangeIsDeleted)
}

func testComments_OrphanedWhenTheRangeIsDeleted(t *testing.T, ts *testServer) {
	r := newReview(t, ts)
	th := r.comment(t, r.medl, 1, 12, 4, "Hvem er alle?")
	r.write(t, deleteOp(8, 8)) // "for alle" goes
	if text := r.text(t); text != "Boliger .\n" {
		t.Fatalf("text %q", text)
	}
	got := r.thread(t, r.lise, th.ID)
	if !got.Orphaned || got.Quote != "alle" || got.Position == nil || got.Position.Length != 0 || got.Position.V != 2 {
		t.Errorf("after the delete: orphaned %t, quote %q, position %+v; want orphaned with its quote", got.Orphaned, got.Quote, got.Position)
	}
	// It stays a thread: replies and resolving work.
	wantStatus[threadJSON](t, "reply on an orphan", http.StatusCreated,
		r.call(r.lise, http.MethodPost, "/comments/"+th.ID+"/replies", map[string]any{"body": "Fjernet"}))
	wantStatus[threadJSON](t, "resolve an orphan", http.StatusOK, r.flag(r.medl, th.ID, "resolve", true))
	// New text where the range was does not revive it.
	r.write(t, insertOp(8, "for mange"))
	if got := r.thread(t, r.lise, th.ID); !got.Orphaned {
		t.Errorf("typing where the range was revived it: %+v", got.Position)
	}
}

// TestComments_LiveAcrossNodes checks that a comment posted on one node
// reaches a client subscribed to the plan on another node at once, over a
// real Redis bus with both nodes on one MongoDB-wire store, and that a
// client that reconnects catches up on what it missed by seq.
func TestComments_LiveAcrossNodes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, b := startTwoNodes(ctx, t)
	p := a.createPlan("Boligplan")
	medl := a.user("medl@m1.no", "m1", false)
	a.member(p.ID, medl, "member")
	sid := firstSection(p)
	var d delta.Delta
	d.Insert(reviewText, nil)
	if _, err := a.engine.Submit(ctx, collab.Submission{Doc: sid, V: 0, Src: "kari-tab", Seq: 1, By: a.kari.ID, Op: d}); err != nil {
		t.Fatal(err)
	}

	// Medl's tab on node B follows the plan.
	tab := dialRaw(t, b, nil)
	tab.hello("medl-tab", medl.Token)
	tab.send(fmt.Sprintf(`{"type":"sub","plan":%q}`, p.ID))
	readWS(t, tab, time.Now().Add(10*time.Second), "the plan's presence", func(m map[string]any) bool {
		return m["type"] == "presence" && m["peers"] != nil
	})

	// Kari comments on node A; the event is on B within a second.
	posted := time.Now()
	rec := a.doAs(a.kari.Token, http.MethodPost, "/api/plans/"+p.ID+"/comments",
		jsonOf(map[string]any{"section": sid, "v": 1, "index": 12, "length": 4, "body": "Hvem er alle?"}))
	if rec.Code != http.StatusCreated {
		t.Fatalf("comment on node A: %d %s", rec.Code, rec.Body)
	}
	th := decode[threadJSON](t, rec)
	ev := readWS(t, tab, posted.Add(time.Second), "comment.added within 1 s", func(m map[string]any) bool {
		return m["type"] == "event" && m["kind"] == "comment.added"
	})
	data, _ := ev["data"].(map[string]any)
	cm, _ := data["comment"].(map[string]any)
	if cm["id"] != th.ID || cm["body"] != "Hvem er alle?" || cm["quote"] != "alle" || ev["by"] != a.kari.ID {
		t.Errorf("the event %v is not kari's comment %s", ev, th.ID)
	}
	seen := int64(ev["seq"].(float64))

	// The tab goes away; meanwhile medl replies on A and kari resolves.
	tab.ws.Close()
	rec = a.doAs(medl.Token, http.MethodPost, "/api/plans/"+p.ID+"/comments/"+th.ID+"/replies", jsonOf(map[string]any{"body": "Alle som bor her"}))
	if rec.Code != http.StatusCreated {
		t.Fatalf("reply: %d %s", rec.Code, rec.Body)
	}
	rec = a.doAs(a.kari.Token, http.MethodPost, "/api/plans/"+p.ID+"/comments/"+th.ID+"/resolve", `{"value":true}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("resolve: %d %s", rec.Code, rec.Body)
	}

	// Reconnecting to B with the last seq it saw, it gets exactly what it
	// missed, in order.
	tab = dialRaw(t, b, nil)
	tab.hello("medl-tab", medl.Token)
	tab.send(fmt.Sprintf(`{"type":"sub","plan":%q,"seq":%d}`, p.ID, seen))
	var kinds []string
	for len(kinds) < 2 {
		ev := readWS(t, tab, time.Now().Add(10*time.Second), "the missed events", func(m map[string]any) bool {
			return m["type"] == "event" || m["type"] == "error"
		})
		if ev["type"] == "error" {
			t.Fatalf("catch-up: %v", ev)
		}
		if got := int64(ev["seq"].(float64)); got != seen+int64(len(kinds))+1 {
			t.Fatalf("caught up with seq %d after %d, want %d", got, seen, seen+int64(len(kinds))+1)
		}
		kinds = append(kinds, ev["kind"].(string))
	}
	if !slices.Equal(kinds, []string{"comment.added", "thread.resolved"}) {
		t.Errorf("caught up with %v, want the reply and the resolve", kinds)
	}
}

// startTwoNodes starts two nodes on one MongoDB-wire store (FerretDB, or
// MONGODB_URI) and one Redis, each with connections of its own.
func startTwoNodes(ctx context.Context, t *testing.T) (*wsNode, *wsNode) {
	t.Helper()
	db, rsrv, prefix := mongoAndRedis(ctx, t, "review")
	var nodes []*wsNode
	for range 2 {
		store, err := mongo.Open(ctx, mongoServer.srv.URI(), db, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		bus, err := redis.Open(ctx, rsrv.URL(), redis.Options{Prefix: prefix}, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { bus.Close() })
		nodes = append(nodes, startWSNode(t, store, bus, nil))
	}
	return nodes[0], nodes[1]
}

// readWS reads messages (presence included) until match accepts one, and
// fails at the deadline.
func readWS(t *testing.T, r *rawWS, deadline time.Time, what string, match func(m map[string]any) bool) map[string]any {
	t.Helper()
	for {
		data, err := r.read(deadline)
		if err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("server sent non-JSON %q", data)
		}
		if match(m) {
			return m
		}
	}
}
