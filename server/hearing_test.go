package server_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/delta"
	"github.com/temaplan/temaplan/collab/sqlite"
	"github.com/temaplan/temaplan/mail"
	"github.com/temaplan/temaplan/server"
)

func init() {
	// The public page and the archive export are checked against the
	// OpenAPI document as text.
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
	openapi3filter.RegisterBodyDecoder("text/csv", openapi3filter.PlainBodyDecoder)
}

// hearingClock is the clock the hearing tests move.
type hearingClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *hearingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *hearingClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// newHearingServer is a SQLite test server whose hearings and response
// limit run on clock.
func newHearingServer(t *testing.T, clock *hearingClock) *testServer {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "temaplan.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	return newTestServerOn(t, store, func(cfg *server.Config) {
		cfg.Hearings = collab.NewHearings(collab.HearingsConfig{Plans: cfg.Plans, Store: store, Now: clock.Now, Zone: oslo})
		cfg.HearingLimiter, err = auth.NewLoginLimiter(auth.LoginLimitConfig{IPEvery: time.Hour, IPBurst: 5,
			AccountEvery: time.Hour, AccountBurst: 5, Now: clock.Now})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// postResponse posts the public form from addr.
func postResponse(ts *testServer, path, addr string, form url.Values) *httptest.ResponseRecorder {
	ts.t.Helper()
	body := form.Encode()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = addr + ":1234"
	return ts.doReq(req, body)
}

func getPublic(ts *testServer, path string) *httptest.ResponseRecorder {
	ts.t.Helper()
	return ts.doReq(httptest.NewRequest(http.MethodGet, path, nil), "")
}

type hearingState struct {
	Hearing *collab.Hearing `json:"hearing"`
	Phase   collab.Phase    `json:"phase"`
}

func TestHearing_OverREST(t *testing.T) {
	clock := &hearingClock{now: time.Date(2027, 6, 1, 10, 0, 0, 0, time.UTC)}
	ts := newHearingServer(t, clock)
	f := newFase1(t, ts)
	id := f.plan.ID
	sid := firstSection(f.plan)
	base := "/api/plans/" + id
	writeAs(t, ts, sid, f.lise.ID, draftText)
	// A reviewer's comment: internal, never on the public page.
	rec := ts.doAs(f.medl.Token, http.MethodPost, base+"/comments",
		jsonOf(map[string]any{"section": sid, "v": 1, "index": 0, "length": 4, "body": "Intern merknad fra medl"}))
	if rec.Code != http.StatusCreated {
		t.Fatalf("comment: %d %s", rec.Code, rec.Body)
	}

	// Before approval the hearing is neither decided nor started.
	wantError(t, ts.doAs(f.styre.Token, http.MethodPut, base+"/hearing", `{"form":"x"}`), http.StatusConflict, collab.CodeWrongPhase)
	wantError(t, ts.doAs(f.styre.Token, http.MethodPost, base+"/hearing/start", `{}`), http.StatusConflict, collab.CodeWrongPhase)
	wantPlan(t, "lock", stepAs(ts, f.styre.Token, id, "lock", ""))
	wantPlan(t, "steering approves", stepAs(ts, f.styre.Token, id, "approve", ""))
	wantPlan(t, "political approves", stepAs(ts, f.politi.Token, id, "approve", ""))

	// The advice: six weeks from 1 June run over July, so pad three weeks.
	rec = ts.doAs(f.medl.Token, http.MethodGet, base+"/hearing", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("get hearing: %d %s", rec.Code, rec.Body)
	}
	view := decode[struct {
		Today, Deadline string
		Weeks           int
		DefaultBodies   []collab.HearingBody `json:"default_bodies"`
		Advice          collab.PaddingAdvice
	}](t, rec)
	if view.Today != "2027-06-01" || view.Weeks != 6 || view.Deadline != "2027-07-13" || len(view.DefaultBodies) != 6 ||
		len(view.Advice.Paddings) != 1 || view.Advice.Paddings[0].Reason != "summer" || view.Advice.Deadline != "2027-08-03" {
		t.Fatalf("advice %+v", view)
	}

	// Only the steering group decides and starts.
	wantError(t, ts.doAs(f.lise.Token, http.MethodPut, base+"/hearing", `{"form":"x"}`), http.StatusForbidden, collab.CodeForbidden)
	wantPlan(t, "decide", ts.doAs(f.styre.Token, http.MethodPut, base+"/hearing", `{"form":"Offentlig ettersyn, brev til høringsinstansene"}`))
	wantError(t, ts.doAs(f.lise.Token, http.MethodPost, base+"/hearing/start", `{}`), http.StatusForbidden, collab.CodeForbidden)
	wantError(t, ts.doAs(f.styre.Token, http.MethodPost, base+"/hearing/start", `{"deadline":"2027-05-01"}`), http.StatusUnprocessableEntity, collab.CodeInvalid)
	rec = ts.doAs(f.styre.Token, http.MethodPost, base+"/hearing/start", `{"deadline":"2027-08-03"}`)
	p := wantPlan(t, "start", rec)
	st := decode[hearingState](t, rec)
	if p.Phase != collab.PhaseHearing || st.Hearing == nil || st.Hearing.Deadline != "2027-08-03" || len(st.Hearing.Token) < 32 {
		t.Fatalf("started: %s %+v", p.Phase, st.Hearing)
	}
	page := "/h/" + st.Hearing.Token

	// The leader tracks the bodies.
	wantPlan(t, "sent", ts.doAs(f.lise.Token, http.MethodPut, base+"/hearing/bodies/b1", `{"status":"sent"}`))
	wantError(t, ts.doAs(f.lise.Token, http.MethodPut, base+"/hearing/bodies/b1", `{"status":"lost"}`), http.StatusUnprocessableEntity, collab.CodeInvalid)
	wantError(t, ts.doAs(f.styre.Token, http.MethodPut, base+"/hearing/bodies/b1", `{"status":"sent"}`), http.StatusForbidden, collab.CodeForbidden)

	// The public page: no login, the frozen text, the deadline, the
	// privacy notice; no comments, no member names; strict headers.
	rec = getPublic(ts, page)
	if rec.Code != http.StatusOK {
		t.Fatalf("public page: %d %s", rec.Code, rec.Body)
	}
	html := rec.Body.String()
	for _, want := range []string{"Husbankens veileder", "Høringsfrist: 3. august 2027", "Personvern", "Lagring:", "Høringsutkast", `name="website"`} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, leak := range []string{"Intern merknad", ">medl", ">lise", "styre@", "politi", id + "\"", "@m1.no"} {
		if strings.Contains(html, leak) {
			t.Errorf("the page shows %q", leak)
		}
	}
	h := rec.Header()
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") ||
		h.Get("Referrer-Policy") != "no-referrer" || h.Get("Cache-Control") != "no-store" || h.Get("X-Frame-Options") != "DENY" {
		t.Errorf("headers %v", h)
	}
	for _, bad := range []string{"/h/" + strings.ToUpper(st.Hearing.Token), "/h/x", "/h/" + st.Hearing.Token + "x"} {
		if rec := getPublic(ts, bad); rec.Code != http.StatusNotFound {
			t.Errorf("%s: %d", bad, rec.Code)
		}
	}
	// The text is locked in the hearing: the leader cannot edit it, so the
	// page can show nothing but the frozen version.
	var late delta.Delta
	late.Insert("ENDRET ", nil)
	if _, err := ts.engine.Submit(context.Background(), collab.Submission{Doc: sid, V: 1, Src: "late", Seq: 1, By: f.lise.ID,
		Op: late}); collab.ErrorCode(err) != collab.CodeLocked {
		t.Fatalf("an edit in the hearing: %v, want locked", err)
	}

	// A response: plain text, escaped; a receipt, e-mailed.
	rec = postResponse(ts, page, "198.51.100.7", url.Values{"name": {"Kari Nordmann"}, "organisation": {"Eldrerådet"},
		"email": {"kari@example.no"}, "text": {"<script>alert(1)</script> Bra plan"}, "section": {sid}, "quote": {"trygt og godt"}})
	if rec.Code != http.StatusOK {
		t.Fatalf("respond: %d %s", rec.Code, rec.Body)
	}
	receipt := between(rec.Body.String(), "Kvitteringsnummer: <strong>", "</strong>")
	if len(receipt) != 19 || !strings.Contains(rec.Body.String(), "kvittering på e-post") {
		t.Fatalf("receipt %q in %s", receipt, rec.Body)
	}
	if _, ok, err := ts.store.(mail.Store).MailMessage(context.Background(), mail.MessageID(mail.KindHearingReceipt, id, receipt)); err != nil || !ok {
		t.Fatalf("no receipt e-mail: %v", err)
	}
	// Another response gets an unrelated receipt.
	rec = postResponse(ts, page, "198.51.100.7", url.Values{"text": {"=HYPERLINK(\"http://x\")"}})
	other := between(rec.Body.String(), "Kvitteringsnummer: <strong>", "</strong>")
	if other == "" || other == receipt || other[:4] == receipt[:4] && other[5:9] == receipt[5:9] {
		t.Fatalf("receipts %q and %q", receipt, other)
	}
	// Bad input changes nothing and says why, with the form kept.
	rec = postResponse(ts, page, "198.51.100.8", url.Values{"name": {"Ola"}, "text": {"  "}})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "Skriv innspillet") || !strings.Contains(rec.Body.String(), `value="Ola"`) {
		t.Fatalf("an empty response: %d %s", rec.Code, rec.Body)
	}
	rec = postResponse(ts, page, "198.51.100.8", url.Values{"text": {strings.Repeat("x", 20_001)}})
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("a long response: %d", rec.Code)
	}
	// The honeypot: thanked, dropped.
	rec = postResponse(ts, page, "198.51.100.8", url.Values{"text": {"kjøp billig"}, "website": {"http://spam"}})
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Takk for innspillet") {
		t.Fatalf("honeypot: %d", rec.Code)
	}
	// Five posts from one address, then it must wait.
	rec = postResponse(ts, page, "198.51.100.8", url.Values{"text": {"nr 4"}})
	rec = postResponse(ts, page, "198.51.100.8", url.Values{"text": {"nr 5"}})
	if rec.Code != http.StatusOK {
		t.Fatalf("the fifth: %d", rec.Code)
	}
	rec = postResponse(ts, page, "198.51.100.8", url.Values{"text": {"nr 6"}})
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("the sixth: %d %v", rec.Code, rec.Header())
	}
	// Another address is not held up.
	if rec := postResponse(ts, page, "203.0.113.9", url.Values{"text": {"fra et annet sted"}}); rec.Code != http.StatusOK {
		t.Fatalf("another address: %d", rec.Code)
	}

	// Members see every response with its journal metadata; none is
	// public before moderation.
	rec = ts.doAs(f.medl.Token, http.MethodGet, base+"/hearing/responses", "")
	list := decode[struct {
		Items []struct {
			ID, Sender, Subject, Text, Moderation string
			Received                              time.Time
		}
	}](t, rec)
	if len(list.Items) != 5 {
		t.Fatalf("%d responses stored, want 5 (the empty, long, honeypot and limited ones are not)", len(list.Items))
	}
	first := list.Items[0]
	for _, it := range list.Items {
		if it.ID == receipt {
			first = it
		}
	}
	if first.ID != receipt || first.Sender != "Kari Nordmann, Eldrerådet" || !strings.Contains(first.Subject, "Høringsinnspill til Boligplan") ||
		first.Moderation != "" || !first.Received.Equal(clock.Now()) {
		t.Fatalf("first response %+v", first)
	}
	if strings.Contains(getPublic(ts, page).Body.String(), "Bra plan") {
		t.Fatal("a response is public before moderation")
	}
	wantError(t, ts.doAs(f.styre.Token, http.MethodPost, base+"/hearing/responses/"+receipt+"/moderation", `{"decision":"published"}`),
		http.StatusForbidden, collab.CodeForbidden)
	rec = ts.doAs(f.lise.Token, http.MethodPost, base+"/hearing/responses/"+receipt+"/moderation", `{"decision":"published"}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("publish: %d %s", rec.Code, rec.Body)
	}
	wantError(t, ts.doAs(f.lise.Token, http.MethodPost, base+"/hearing/responses/"+receipt+"/moderation", `{"decision":"rejected"}`),
		http.StatusConflict, collab.CodeConflict)
	html = getPublic(ts, page).Body.String()
	if !strings.Contains(html, "&lt;script&gt;alert(1)&lt;/script&gt; Bra plan") || strings.Contains(html, "<script>") ||
		strings.Contains(html, "kari@example.no") || !strings.Contains(html, "Kari Nordmann, Eldrerådet") {
		t.Fatalf("the published response on the page: %s", between(html, "Publiserte innspill", "</section>"))
	}

	// The archive export: every cell text, formulas defused.
	rec = ts.doAs(f.medl.Token, http.MethodGet, base+"/hearing/responses/export", "")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("export: %d %v", rec.Code, rec.Header())
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(rec.Body.String(), "\ufeff"))).ReadAll()
	if err != nil || len(rows) != 6 {
		t.Fatalf("csv: %d rows, %v", len(rows), err)
	}
	byReceipt := map[string][]string{}
	for _, r := range rows[1:] {
		byReceipt[r[0]] = r
	}
	if r := byReceipt[other]; r == nil || r[9] != `'=HYPERLINK("http://x")` {
		t.Fatalf("the formula's row %q", r)
	}
	if r := byReceipt[receipt]; r == nil || r[2] != "Kari Nordmann, Eldrerådet" || r[10] != "published" || r[5] != "kari@example.no" {
		t.Fatalf("the first response's row %q", r)
	}
	wantError(t, ts.doAs(f.medl.Token, http.MethodGet, base+"/hearing/responses/export?format=xml", ""), http.StatusUnprocessableEntity, collab.CodeInvalid)

	// After the deadline day: closed.
	clock.set(time.Date(2027, 8, 3, 21, 59, 0, 0, time.UTC)) // 23:59 in Oslo
	if rec := postResponse(ts, page, "203.0.113.10", url.Values{"text": {"i siste liten"}}); rec.Code != http.StatusOK {
		t.Fatalf("on the deadline day: %d", rec.Code)
	}
	clock.set(time.Date(2027, 8, 3, 22, 0, 0, 0, time.UTC))
	rec = postResponse(ts, page, "203.0.113.10", url.Values{"text": {"for sent"}})
	if rec.Code != http.StatusGone || !strings.Contains(rec.Body.String(), "Høringsfristen er ute") {
		t.Fatalf("after the deadline: %d", rec.Code)
	}
	if rec := getPublic(ts, page); rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "<form") {
		t.Fatalf("the page after the deadline: %d, form shown %t", rec.Code, strings.Contains(rec.Body.String(), "<form"))
	}
	// Once the plan moves on, the page is gone.
	if _, err := ts.plans.Step(context.Background(), f.styre.ID, id, func(*collab.Plan) (collab.Step, error) {
		return collab.Step{Action: "close_hearing", To: collab.PhaseProcessing}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if rec := getPublic(ts, page); rec.Code != http.StatusGone {
		t.Fatalf("the page in processing: %d", rec.Code)
	}
}

// between returns the text of s between the first before and the next
// after, "" when absent.
func between(s, before, after string) string {
	_, rest, ok := strings.Cut(s, before)
	if !ok {
		return ""
	}
	out, _, _ := strings.Cut(rest, after)
	return out
}
