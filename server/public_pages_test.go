package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/temaplan/temaplan/collab"
)

// startedHearing is a plan of newFase1 with draftText on hearing until
// 20 April 2027, on a SQLite server whose clock is 1 March 2027.
func startedHearing(t *testing.T) (ts *testServer, clock *hearingClock, f fase1, page string) {
	t.Helper()
	clock = &hearingClock{now: time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC)}
	ts = newHearingServer(t, clock)
	f, page = startHearingOn(t, ts)
	return ts, clock, f, page
}

// startHearingOn puts a plan of newFase1 with draftText on hearing until
// 20 April 2027 on ts.
func startHearingOn(t *testing.T, ts *testServer) (f fase1, page string) {
	t.Helper()
	f = newFase1(t, ts)
	id := f.plan.ID
	writeAs(t, ts, firstSection(f.plan), f.lise.ID, draftText)
	wantPlan(t, "lock", stepAs(ts, f.styre.Token, id, "lock", ""))
	wantPlan(t, "steering approves", stepAs(ts, f.styre.Token, id, "approve", ""))
	wantPlan(t, "political approves", stepAs(ts, f.politi.Token, id, "approve", ""))
	wantPlan(t, "decide", ts.doAs(f.styre.Token, http.MethodPut, "/api/plans/"+id+"/hearing", `{"form":"Offentlig ettersyn"}`))
	rec := ts.doAs(f.styre.Token, http.MethodPost, "/api/plans/"+id+"/hearing/start", `{"deadline":"2027-04-20"}`)
	wantPlan(t, "start", rec)
	return f, "/h/" + decode[hearingState](t, rec).Hearing.Token
}

// Fixed texts of the public pages in one language that the other must
// not show.
var (
	bokmalOnly  = []string{"Gi innspill", "Høringsfrist:", "Navn (frivillig)", "Hele planen", "Send innspill", "Publiserte innspill", ">Innhold<", "Les på nynorsk", "slettes senest"}
	nynorskOnly = []string{"Gje innspel", "Høyringsfrist:", "Namn (frivillig)", "Heile planen", "Send innspel", "Publiserte innspel", ">Innhald<", "Les på bokmål", "sletta seinast"}
)

func wantLanguage(t *testing.T, what, html, lang string) {
	t.Helper()
	want, not := bokmalOnly, nynorskOnly
	if lang == "nn" {
		want, not = nynorskOnly, bokmalOnly
	}
	if !strings.Contains(html, `<html lang="`+lang+`">`) {
		t.Errorf("%s: not marked as %s", what, lang)
	}
	for _, w := range want {
		if !strings.Contains(html, w) {
			t.Errorf("%s: lacks %q", what, w)
		}
	}
	for _, n := range not {
		if strings.Contains(html, n) {
			t.Errorf("%s (%s): shows %q", what, lang, n)
		}
	}
}

// TestPublicHearing_Nynorsk checks the hearing page in both written
// standards: bokmål by default, nynorsk by the link (no script) or by the
// municipality's setting, the link back, a refused response and the
// error pages in the page's language.
func TestPublicHearing_Nynorsk(t *testing.T) {
	ts, _, _, page := startedHearing(t)

	rec := getPublic(ts, page)
	if rec.Code != http.StatusOK {
		t.Fatalf("page: %d", rec.Code)
	}
	wantLanguage(t, "default", rec.Body.String(), "nb")
	if !strings.Contains(rec.Body.String(), `<a href="?lang=nn" hreflang="nn" lang="nn">`) {
		t.Errorf("no link to nynorsk")
	}
	rec = getPublic(ts, page+"?lang=nn")
	html := rec.Body.String()
	wantLanguage(t, "?lang=nn", html, "nn")
	if !strings.Contains(html, `<a href="?lang=nb" hreflang="nb" lang="nb">`) || !strings.Contains(html, "Høyringsfrist: 20. april 2027") ||
		!strings.Contains(html, "Husbankens veileder") {
		t.Errorf("the nynorsk page: %s", html)
	}
	if h := rec.Header(); !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") || h.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("headers %v", h)
	}
	wantLanguage(t, "?lang=xx", getPublic(ts, page+"?lang=xx").Body.String(), "nb")

	// A refused response, in the language of the page it came from.
	rec = postResponse(ts, page+"?lang=nn", "198.51.100.20", url.Values{"name": {"Ola"}, "text": {" "}})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "Skriv innspelet ditt") {
		t.Fatalf("an empty response in nynorsk: %d %s", rec.Code, between(rec.Body.String(), `role="alert">`, "<"))
	}
	rec = postResponse(ts, page+"?lang=nn", "198.51.100.20", url.Values{"text": {"Godt arbeid"}})
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Takk for innspelet") {
		t.Fatalf("a response in nynorsk: %d", rec.Code)
	}
	if rec := getPublic(ts, "/h/nosuchtoken?lang=nn"); rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "Fann ikkje høyringa") {
		t.Fatalf("404 in nynorsk: %d", rec.Code)
	}

	// The municipality writes nynorsk: its pages are nynorsk unless the
	// reader asks for bokmål.
	if rec := ts.doAs(ts.kari.Token, http.MethodPut, "/api/admin/municipality", `{"language":"nn"}`); rec.Code != http.StatusOK ||
		!strings.Contains(rec.Body.String(), `"language":"nn"`) {
		t.Fatalf("set nynorsk: %d %s", rec.Code, rec.Body)
	}
	wantLanguage(t, "the municipality's nynorsk", getPublic(ts, page).Body.String(), "nn")
	wantLanguage(t, "?lang=nb on a nynorsk municipality", getPublic(ts, page+"?lang=nb").Body.String(), "nb")
}

// TestPublicAdopted checks the adopted plan's public page: the frozen
// "Vedtatt plan" with the decision in its header — not the hearing
// draft, not later edits, no comments or names — the public page's
// headers, both languages, and 404 for a token that opens nothing (the
// hearing's token included).
func TestPublicAdopted(t *testing.T) {
	ts, clock, f, hearingPage := startedHearing(t)
	id, sid := f.plan.ID, firstSection(f.plan)
	base := "/api/plans/" + id
	if rec := ts.doAs(f.medl.Token, http.MethodPost, base+"/comments",
		jsonOf(map[string]any{"section": sid, "v": 1, "index": 0, "length": 4, "body": "Intern merknad fra medl"})); rec.Code != http.StatusCreated {
		t.Fatalf("comment: %d %s", rec.Code, rec.Body)
	}
	clock.set(time.Date(2027, 4, 21, 9, 0, 0, 0, time.UTC))
	wantPlan(t, "close", ts.doAs(f.styre.Token, http.MethodPost, base+"/hearing/close", ""))
	adoptedText := "Den vedtatte teksten om boliger for alle."
	writeAs(t, ts, sid, f.lise.ID, adoptedText)
	wantPlan(t, "lock", stepAs(ts, f.styre.Token, id, "lock", ""))
	wantPlan(t, "approve", stepAs(ts, f.styre.Token, id, "approve", ""))
	clock.set(time.Date(2027, 5, 11, 9, 0, 0, 0, time.UTC))
	p := wantPlan(t, "decision", ts.doAs(f.lise.Token, http.MethodPost, base+"/decision",
		`{"date":"2027-05-10","body":"Kommunestyret","case_number":"2027/123","amendments":""}`))
	if p.Phase != collab.PhaseAdopted || p.Adoption == nil {
		t.Fatalf("not adopted: %s", p.Phase)
	}
	page := "/v/" + p.Adoption.Token

	// A rullering's edits are the new plan's, not the adopted one's.
	rec := ts.doAs(f.lise.Token, http.MethodPost, base+"/rullering", "")
	if rec.Code != http.StatusCreated {
		t.Fatalf("rullering: %d %s", rec.Code, rec.Body)
	}
	np := decode[collab.Plan](t, rec)
	writeAs(t, ts, firstSection(np), f.lise.ID, "SENERE ENDRING i rulleringen.")

	rec = getPublic(ts, page)
	html := rec.Body.String()
	if rec.Code != http.StatusOK {
		t.Fatalf("the adopted page: %d %s", rec.Code, html)
	}
	for _, want := range []string{adoptedText, "Vedtatt plan", "Vedtatt av Kommunestyret 10. mai 2027, saksnummer 2027/123",
		"<h1>" + f.plan.Title + "</h1>", `<html lang="nb">`, "Les på nynorsk"} {
		if !strings.Contains(html, want) {
			t.Errorf("the adopted page lacks %q", want)
		}
	}
	for _, leak := range []string{"SENERE ENDRING", "Husbankens veileder", "Intern merknad", ">medl", ">lise", "@m1.no", "<form", "<script"} {
		if strings.Contains(html, leak) {
			t.Errorf("the adopted page shows %q", leak)
		}
	}
	h := rec.Header()
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") ||
		h.Get("Referrer-Policy") != "no-referrer" || h.Get("Cache-Control") != "no-store" || !strings.Contains(h.Get("X-Robots-Tag"), "noindex") {
		t.Errorf("headers %v", h)
	}
	nn := getPublic(ts, page+"?lang=nn").Body.String()
	if !strings.Contains(nn, `<html lang="nn">`) || !strings.Contains(nn, "Vedteken av Kommunestyret 10. mai 2027, saksnummer 2027/123") ||
		!strings.Contains(nn, ">Innhald<") || !strings.Contains(nn, "Les på bokmål") || !strings.Contains(nn, adoptedText) {
		t.Errorf("the nynorsk adopted page: %s", nn)
	}

	for _, bad := range []string{"/v/x", "/v/" + strings.ToUpper(p.Adoption.Token), page + "x", "/v/" + strings.TrimPrefix(hearingPage, "/h/")} {
		rec := getPublic(ts, bad)
		if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "Fant ikke planen") {
			t.Errorf("%s: %d", bad, rec.Code)
		}
	}
	if rec := getPublic(ts, "/v/x?lang=nn"); !strings.Contains(rec.Body.String(), "Fann ikkje planen") {
		t.Errorf("404 in nynorsk: %s", rec.Body)
	}
}

// TestHearing_RetentionOverREST deletes the responses of an adopted plan
// three months after the adoption, on both stores: the members' list
// shows each with its receipt, subject and the time it was deleted, the
// merknadsbehandling still has its row, the public page nothing.
func TestHearing_RetentionOverREST(t *testing.T) {
	eachClockedStore(t, func(t *testing.T, ts *testServer, clock *hearingClock, hs *collab.Hearings) {
		f, page := startHearingOn(t, ts)
		id := f.plan.ID
		base := "/api/plans/" + id
		rec := postResponse(ts, page, "198.51.100.30", url.Values{"name": {"Kari Nordmann"}, "email": {"kari@example.no"}, "text": {"Mer om utleie"}})
		receipt := between(rec.Body.String(), "Kvitteringsnummer: <strong>", "</strong>")
		if rec.Code != http.StatusOK || receipt == "" {
			t.Fatalf("respond: %d", rec.Code)
		}
		if rec := ts.doAs(f.lise.Token, http.MethodPost, base+"/hearing/responses/"+receipt+"/moderation", `{"decision":"published"}`); rec.Code != http.StatusOK {
			t.Fatalf("publish: %d %s", rec.Code, rec.Body)
		}
		wantPlan(t, "assess", ts.doAs(f.lise.Token, http.MethodPut, base+"/hearing/responses/"+receipt+"/assessment", `{"outcome":"taken","reason":"Tatt inn."}`))
		clock.set(time.Date(2027, 4, 21, 9, 0, 0, 0, time.UTC))
		wantPlan(t, "close", ts.doAs(f.styre.Token, http.MethodPost, base+"/hearing/close", ""))
		wantPlan(t, "lock", stepAs(ts, f.styre.Token, id, "lock", ""))
		wantPlan(t, "approve", stepAs(ts, f.styre.Token, id, "approve", ""))
		clock.set(time.Date(2027, 5, 11, 9, 0, 0, 0, time.UTC))
		wantPlan(t, "decision", ts.doAs(f.lise.Token, http.MethodPost, base+"/decision",
			`{"date":"2027-05-10","body":"Kommunestyret","case_number":"2027/123","amendments":""}`))

		ctx := context.Background()
		clock.set(time.Date(2027, 8, 11, 8, 59, 0, 0, time.UTC))
		if n, err := hs.DeleteExpired(ctx); err != nil || n != 0 {
			t.Fatalf("before three months: %d, %v", n, err)
		}
		clock.set(time.Date(2027, 8, 11, 9, 0, 0, 0, time.UTC))
		if n, err := hs.DeleteExpired(ctx); err != nil || n != 1 {
			t.Fatalf("three months after the adoption: %d, %v", n, err)
		}
		rec = ts.doAs(f.medl.Token, http.MethodGet, base+"/hearing/responses", "")
		list := decode[struct {
			Items []struct {
				ID, Name, Email, Text, Sender, Subject, Moderation string
				Deleted                                            time.Time
			}
		}](t, rec)
		if rec.Code != http.StatusOK || len(list.Items) != 1 {
			t.Fatalf("responses: %d %s", rec.Code, rec.Body)
		}
		if r := list.Items[0]; r.ID != receipt || r.Name != "" || r.Email != "" || r.Text != "" || r.Sender != "Slettet" ||
			r.Subject == "" || r.Moderation != "published" || !r.Deleted.Equal(clock.Now()) {
			t.Errorf("the deleted response: %+v", r)
		}
		table := decode[assessmentTableView](t, ts.doAs(f.medl.Token, http.MethodGet, base+"/hearing/assessments", ""))
		if len(table.Items) != 1 || table.Items[0].Receipt != receipt || table.Items[0].Outcome != collab.OutcomeTaken {
			t.Errorf("the merknadsbehandling after the deletion: %+v", table)
		}
		if strings.Contains(rec.Body.String(), "kari@example.no") || strings.Contains(rec.Body.String(), "Mer om utleie") {
			t.Errorf("the deleted data is still served: %s", rec.Body)
		}
	})
}
