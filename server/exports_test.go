package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/export"
	"github.com/temaplan/temaplan/server"
)

// exportJob is the part of an export job these tests read.
type exportJob struct {
	ID       string      `json:"id"`
	Status   string      `json:"status"`
	Progress int         `json:"progress"`
	Version  string      `json:"version"`
	Error    collab.Code `json:"error"`
	Filename string      `json:"filename"`
	File     string      `json:"file"`
}

// startExport asks for an export as the user of token and returns the
// job, checking the answer is 202 with the job's address.
func (ts *testServer) startExport(token, planID, format, version string) exportJob {
	ts.t.Helper()
	body := map[string]string{"format": format}
	if version != "" {
		body["version"] = version
	}
	b, _ := json.Marshal(body)
	rec := ts.doAs(token, http.MethodPost, "/api/plans/"+planID+"/exports", string(b))
	if rec.Code != http.StatusAccepted {
		ts.t.Fatalf("export %s %q: %d %s", format, version, rec.Code, rec.Body)
	}
	job := decode[exportJob](ts.t, rec)
	if loc := rec.Header().Get("Location"); loc != "/api/plans/"+planID+"/exports/"+job.ID {
		ts.t.Errorf("Location %q", loc)
	}
	return job
}

// finished waits for the job in the background and returns its status as
// GET answers it.
func (ts *testServer) finished(token, planID, id string) exportJob {
	ts.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := ts.srv.WaitExport(ctx, planID, id); err != nil {
		ts.t.Fatal(err)
	}
	rec := ts.doAs(token, http.MethodGet, "/api/plans/"+planID+"/exports/"+id, "")
	if rec.Code != http.StatusOK {
		ts.t.Fatalf("export status: %d %s", rec.Code, rec.Body)
	}
	return decode[exportJob](ts.t, rec)
}

// download fetches a finished export's file as the user of token.
func (ts *testServer) download(token string, job exportJob) (data []byte, contentType, filename string) {
	ts.t.Helper()
	if job.Status != "done" || job.File == "" {
		ts.t.Fatalf("export not done: %+v", job)
	}
	rec := ts.doAs(token, http.MethodGet, job.File, "")
	if rec.Code != http.StatusOK {
		ts.t.Fatalf("download: %d %s", rec.Code, rec.Body)
	}
	_, params, err := mime.ParseMediaType(rec.Header().Get("Content-Disposition"))
	if err != nil || !strings.HasPrefix(rec.Header().Get("Content-Disposition"), "attachment;") {
		ts.t.Fatalf("Content-Disposition %q: %v", rec.Header().Get("Content-Disposition"), err)
	}
	return rec.Body.Bytes(), rec.Header().Get("Content-Type"), params["filename"]
}

// exportPlan makes a plan with text, a measure with costs, a strategy and
// an indicator with a report, led by kari, with a reader and a member.
func exportPlan(t *testing.T, ts *testServer) (p collab.Plan, reader, member testUser) {
	t.Helper()
	p = ts.createPlan("Boligplan 2027–2030")
	reader = ts.user("rolf@m1.no", "m1", false)
	member = ts.user("mats@m1.no", "m1", false)
	ts.member(p.ID, reader, "reader")
	ts.member(p.ID, member, "member")
	p = ts.getPlan(p.ID)
	writeAs(t, ts, findSection(t, p, "Innledning").ID, ts.kari.ID, "Kommunen skal sikre gode boliger for alle.")
	area := p.TargetAreas()[0].ID
	post := func(path string, body map[string]any) json.RawMessage {
		t.Helper()
		b, _ := json.Marshal(body)
		rec := ts.do(http.MethodPost, "/api/plans/"+p.ID+path, string(b))
		if rec.Code != http.StatusCreated && rec.Code != http.StatusOK {
			t.Fatalf("POST %s: %d %s", path, rec.Code, rec.Body)
		}
		return rec.Body.Bytes()
	}
	var goal struct{ Goal struct{ ID string } }
	json.Unmarshal(post("/goals", map[string]any{"target_area": area, "title": "Flere unge eier egen bolig"}), &goal)
	post("/measures", map[string]any{"target_area": area, "title": "Startlån til unge", "goals": []string{goal.Goal.ID},
		"unit": "Boligkontoret", "start_year": p.Period.From, "end_year": p.Period.From + 1, "priority": "high", "status": "planned",
		"costs": []map[string]any{{"year": p.Period.From, "investment": 1_500_000, "operating": 250_000}}})
	post("/measures", map[string]any{"target_area": area, "title": `=HYPERLINK("http://evil.example","x")`, "goals": []string{goal.Goal.ID},
		"start_year": p.Period.From, "end_year": p.Period.From, "priority": "low", "status": "planned",
		"costs": []map[string]any{{"year": p.Period.From, "operating": 1000}}})
	return ts.getPlan(p.ID), reader, member
}

// TestExports_RESTFlow asks for an export as a reader, follows it to the
// file, and checks who may see it: members, not people outside the plan,
// and for another municipality it does not exist.
func TestExports_RESTFlow(t *testing.T) {
	ts := newTestServer(t)
	p, reader, _ := exportPlan(t, ts)
	outsider := ts.user("per@m1.no", "m1", false)
	foreign := ts.user("ola@m2.no", "m2", true)

	job := ts.startExport(reader.Token, p.ID, "html", "")
	if job.Status != "queued" || job.File != "" {
		t.Errorf("started: %+v", job)
	}
	done := ts.finished(reader.Token, p.ID, job.ID)
	if done.Status != "done" || done.Progress != 100 || done.Filename != "Boligplan 2027-2030.html" ||
		done.File != "/api/plans/"+p.ID+"/exports/"+job.ID+"/file" {
		t.Fatalf("done: %+v", done)
	}
	data, ctype, name := ts.download(reader.Token, done)
	if ctype != "text/html; charset=utf-8" || name != "Boligplan 2027-2030.html" {
		t.Errorf("Content-Type %q, filename %q", ctype, name)
	}
	for _, want := range []string{"<h1>Boligplan 2027–2030</h1>", "Kommunen skal sikre gode boliger for alle.", "Startlån til unge",
		"Kommune m1", "1\u00a0750\u00a0000"} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("the HTML lacks %q", want)
		}
	}
	// The file and status are the plan's members', and only theirs.
	for _, who := range []struct {
		name   string
		token  string
		status int
		code   collab.Code
	}{{"outsider", outsider.Token, 403, collab.CodeForbidden}, {"foreign admin", foreign.Token, 404, collab.CodeNotFound}} {
		for _, target := range []string{done.File, "/api/plans/" + p.ID + "/exports/" + job.ID} {
			rec := ts.doAs(who.token, http.MethodGet, target, "")
			if rec.Code != who.status || decode[apiError](t, rec).Error.Code != who.code {
				t.Errorf("%s GET %s: %d %s, want %d", who.name, target, rec.Code, rec.Body, who.status)
			}
		}
		rec := ts.doAs(who.token, http.MethodPost, "/api/plans/"+p.ID+"/exports", `{"format":"html"}`)
		if rec.Code != who.status {
			t.Errorf("%s POST: %d %s, want %d", who.name, rec.Code, rec.Body, who.status)
		}
	}
	// Another plan's members do not reach the export through their plan.
	other := ts.createPlan("Annen plan")
	rec := ts.do(http.MethodGet, "/api/plans/"+other.ID+"/exports/"+job.ID+"/file", "")
	if rec.Code != http.StatusNotFound {
		t.Errorf("through another plan: %d %s", rec.Code, rec.Body)
	}
	// A member removed from the plan can no longer download.
	ts.doAs(ts.kari.Token, http.MethodDelete, "/api/plans/"+p.ID+"/members/"+reader.ID, "")
	if rec := ts.doAs(reader.Token, http.MethodGet, done.File, ""); rec.Code != http.StatusForbidden {
		t.Errorf("a removed member downloads: %d", rec.Code)
	}
}

// TestExports_EveryFormat makes the plan in every format through the API
// and checks each file is what its name says, with the real tools.
func TestExports_EveryFormat(t *testing.T) {
	for _, tool := range []struct{ name, pkg string }{{"pdfinfo", "poppler-utils"}, {"pdftotext", "poppler-utils"}, {"pandoc", "pandoc"}} {
		if _, err := exec.LookPath(tool.name); err != nil {
			t.Fatalf("%s is not installed: install Debian's %s package (.ci/run installs it)", tool.name, tool.pkg)
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err != nil {
		t.Fatal("/usr/bin/chromium is not installed: install Debian's chromium package (.ci/run installs it)")
	}
	ts := newTestServer(t)
	p, _, member := exportPlan(t, ts)
	pdf := ts.startExport(member.Token, p.ID, "pdf", "")
	// Not done yet: Chromium takes a second at least.
	if rec := ts.doAs(member.Token, http.MethodGet, "/api/plans/"+p.ID+"/exports/"+pdf.ID+"/file", ""); rec.Code != http.StatusConflict {
		t.Errorf("the file of a job under way: %d %s", rec.Code, rec.Body)
	}
	docx := ts.startExport(member.Token, p.ID, "docx", "")
	xlsx := ts.startExport(member.Token, p.ID, "xlsx", "")

	data, ctype, name := ts.download(member.Token, ts.finished(member.Token, p.ID, pdf.ID))
	if ctype != "application/pdf" || name != "Boligplan 2027-2030.pdf" || !bytes.HasPrefix(data, []byte("%PDF-")) {
		t.Errorf("PDF: %q %q %q", ctype, name, data[:min(len(data), 8)])
	}
	text := toolOutput(t, data, "pdf", "pdftotext", "-layout", "%f", "-")
	text = strings.Join(strings.Fields(strings.ReplaceAll(text, "\u00a0", " ")), " ")
	for _, want := range []string{"1 Innledning", "Kommunen skal sikre gode boliger for alle.", "Startlån til unge", "Sum for perioden 1 500 000 251 000 1 751 000"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q", want)
		}
	}

	data, ctype, name = ts.download(member.Token, ts.finished(member.Token, p.ID, docx.ID))
	if ctype != "application/vnd.openxmlformats-officedocument.wordprocessingml.document" || name != "Boligplan 2027-2030.docx" {
		t.Errorf("DOCX: %q %q", ctype, name)
	}
	md := toolOutput(t, data, "docx", "pandoc", "-f", "docx", "-t", "markdown", "--wrap=none")
	for _, want := range []string{"# 1 Innledning", "Kommunen skal sikre gode boliger for alle.", "Startlån til unge", "1 751 000"} {
		if !strings.Contains(strings.ReplaceAll(md, "\u00a0", " "), want) {
			t.Errorf("pandoc's markdown lacks %q", want)
		}
	}

	data, ctype, name = ts.download(member.Token, ts.finished(member.Token, p.ID, xlsx.ID))
	if ctype != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" || name != "Boligplan 2027-2030.xlsx" {
		t.Errorf("XLSX: %q %q", ctype, name)
	}
	sheet := zipPart(t, data, "xl/worksheets/sheet1.xml")
	if strings.Contains(sheet, "<f>") || strings.Contains(sheet, "<f ") ||
		!strings.Contains(sheet, `t="inlineStr"><is><t xml:space="preserve">=HYPERLINK(&#34;http://evil.example&#34;,&#34;x&#34;)</t></is></c>`) {
		t.Errorf("the measure titled like a formula is not a string cell:\n%s", sheet)
	}
}

// TestExports_NamedVersionShowsTheFrozenText freezes a version, changes
// the text and a measure after it, and checks the version's export shows
// what was frozen while the current export shows the change.
func TestExports_NamedVersionShowsTheFrozenText(t *testing.T) {
	ts := newTestServer(t)
	p, reader, _ := exportPlan(t, ts)
	intro := findSection(t, p, "Innledning").ID
	if rec := ts.do(http.MethodPost, "/api/plans/"+p.ID+"/versions", `{"name":"Utkast 1"}`); rec.Code != http.StatusCreated {
		t.Fatalf("freeze: %d %s", rec.Code, rec.Body)
	}
	writeAs(t, ts, intro, ts.kari.ID, "Senere endring av innledningen.")
	p = ts.getPlan(p.ID)
	m := p.Measures[0]
	if rec := ts.do(http.MethodPatch, "/api/plans/"+p.ID+"/measures/"+m.ID, `{"title":"Nytt navn på tiltaket"}`); rec.Code != http.StatusOK {
		t.Fatalf("rename measure: %d %s", rec.Code, rec.Body)
	}

	old := ts.finished(reader.Token, p.ID, ts.startExport(reader.Token, p.ID, "html", "Utkast 1").ID)
	if old.Version != "Utkast 1" || old.Filename != "Boligplan 2027-2030 - Utkast 1.html" {
		t.Errorf("version export: %+v", old)
	}
	html, _, _ := ts.download(reader.Token, old)
	for _, want := range []string{"Kommunen skal sikre gode boliger for alle.", "Startlån til unge", "<dt>Versjon</dt><dd>Utkast 1"} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("the version's export lacks %q", want)
		}
	}
	for _, later := range []string{"Senere endring", "Nytt navn på tiltaket"} {
		if bytes.Contains(html, []byte(later)) {
			t.Errorf("the version's export shows %q, made after it was frozen", later)
		}
	}
	// By seq, too.
	var versions struct {
		Items []struct {
			Name string `json:"name"`
			Seq  int64  `json:"seq"`
		} `json:"items"`
	}
	rec := ts.do(http.MethodGet, "/api/plans/"+p.ID+"/versions", "")
	if err := json.Unmarshal(rec.Body.Bytes(), &versions); err != nil || len(versions.Items) == 0 {
		t.Fatalf("versions: %s (%v)", rec.Body, err)
	}
	bySeq := ts.finished(reader.Token, p.ID, ts.startExport(reader.Token, p.ID, "docx", fmt.Sprint(versions.Items[0].Seq)).ID)
	docx, _, _ := ts.download(reader.Token, bySeq)
	doc := zipPart(t, docx, "word/document.xml")
	if !strings.Contains(doc, "Kommunen skal sikre gode boliger for alle.") || strings.Contains(doc, "Senere endring") {
		t.Error("the version's DOCX does not show the frozen text")
	}

	now := ts.finished(reader.Token, p.ID, ts.startExport(reader.Token, p.ID, "html", "").ID)
	html, _, _ = ts.download(reader.Token, now)
	for _, want := range []string{"Senere endring av innledningen.", "Nytt navn på tiltaket", "<dd>Gjeldende tekst</dd>"} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("the current export lacks %q", want)
		}
	}
}

// TestExports_HearingVersionHasItsHeader approves a plan, which freezes
// "Høringsutkast", and exports that version: its pages carry the hearing
// header.
func TestExports_HearingVersionHasItsHeader(t *testing.T) {
	ts := newTestServer(t)
	c := newCast(ts)
	p := c.plan(t, collab.PhaseReview)
	c.step(t, p.ID, "steering", "approve", "")
	p = c.step(t, p.ID, "political", "approve", "")
	if p.Phase != collab.PhaseApproved {
		t.Fatalf("phase %s after both approvals", p.Phase)
	}
	reader := c.by["reader"]
	job := ts.finished(reader.Token, p.ID, ts.startExport(reader.Token, p.ID, "html", collab.HearingDraftName).ID)
	html, _, name := ts.download(reader.Token, job)
	if name != "Boligplan - Høringsutkast.html" {
		t.Errorf("filename %q", name)
	}
	for _, want := range []string{`<p class="hearing"><strong>Høringsutkast</strong></p>`, "@top-center", matrixText} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("the hearing version lacks %q", want)
		}
	}
}

// TestExports_PDFWithoutChromium checks a node without the browser says
// so at once, and still makes the other formats.
func TestExports_PDFWithoutChromium(t *testing.T) {
	store := newTestServer(t).store
	ts := newTestServerOn(t, store, func(c *server.Config) { c.Chromium = filepath.Join(t.TempDir(), "no-chromium") })
	p := ts.createPlan("Boligplan")
	rec := ts.do(http.MethodPost, "/api/plans/"+p.ID+"/exports", `{"format":"pdf"}`)
	if rec.Code != http.StatusServiceUnavailable || decode[apiError](t, rec).Error.Code != collab.CodeExportUnavailable {
		t.Fatalf("PDF without Chromium: %d %s", rec.Code, rec.Body)
	}
	if !strings.Contains(rec.Body.String(), "chromium") {
		t.Errorf("the message does not say what is missing: %s", rec.Body)
	}
	if job := ts.finished(ts.token, p.ID, ts.startExport(ts.token, p.ID, "xlsx", "").ID); job.Status != "done" {
		t.Errorf("XLSX without Chromium: %+v", job)
	}
}

// TestExports_AnyNodeAnswers runs two nodes on one store: an export asked
// of one is followed and downloaded through the other, as behind a
// round-robin proxy.
func TestExports_AnyNodeAnswers(t *testing.T) {
	store := newTestServer(t).store
	shared := func(c *server.Config) { c.Exports = store.(export.Store) }
	a := newTestServerOn(t, store, shared)
	b := newTestServerOn(t, store, shared)
	p := a.createPlan("Boligplan")
	job := a.startExport(a.token, p.ID, "html", "")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := a.srv.WaitExport(ctx, p.ID, job.ID); err != nil {
		t.Fatal(err)
	}
	rec := b.do(http.MethodGet, "/api/plans/"+p.ID+"/exports/"+job.ID, "")
	if rec.Code != http.StatusOK {
		t.Fatalf("the other node: %d %s", rec.Code, rec.Body)
	}
	done := decode[exportJob](t, rec)
	data, ctype, name := b.download(b.token, done)
	if !bytes.Contains(data, []byte("<h1>Boligplan</h1>")) || ctype != "text/html; charset=utf-8" || name != "Boligplan.html" {
		t.Errorf("the other node's file: %q %q %.80q", ctype, name, data)
	}
}

// toolOutput runs a program on data written to a temp file ("%f" in
// args) and returns its standard output.
func toolOutput(t *testing.T, data []byte, ext, name string, args ...string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "export."+ext)
	if err := os.WriteFile(f, data, 0o600); err != nil {
		t.Fatal(err)
	}
	placed := false
	for i, a := range args {
		if a == "%f" {
			args[i], placed = f, true
		}
	}
	if !placed {
		args = append(args, f)
	}
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return string(out)
}

// zipPart returns one part of a zip file.
func zipPart(t *testing.T, data []byte, name string) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := z.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestExports_InTheAuditLog checks that every export started is a line of
// the plan's audit log — who, which format, of which version or the plan
// as it is — also on an archived plan, and that a refused one is not.
func TestExports_InTheAuditLog(t *testing.T) {
	ts := newTestServer(t)
	p, reader, member := exportPlan(t, ts)
	if rec := ts.do(http.MethodPost, "/api/plans/"+p.ID+"/versions", `{"name":"Utkast 1"}`); rec.Code != http.StatusCreated {
		t.Fatalf("freeze: %d %s", rec.Code, rec.Body)
	}
	ts.startExport(reader.Token, p.ID, "html", "")
	ts.startExport(member.Token, p.ID, "docx", "Utkast 1")
	if rec := ts.doAs(member.Token, http.MethodPost, "/api/plans/"+p.ID+"/exports", `{"format":"odt"}`); rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("a bad format: %d %s", rec.Code, rec.Body)
	}
	if rec := ts.do(http.MethodPost, "/api/plans/"+p.ID+"/archive", `{}`); rec.Code != http.StatusOK {
		t.Fatalf("archive: %d %s", rec.Code, rec.Body)
	}
	ts.startExport(ts.kari.Token, p.ID, "xlsx", "now")

	rec := ts.do(http.MethodGet, "/api/plans/"+p.ID+"/audit", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("audit: %d %s", rec.Code, rec.Body)
	}
	var got []auditEntry
	for _, l := range decode[struct {
		Items []auditEntry `json:"items"`
	}](t, rec).Items {
		if l.Action == "export.started" {
			got = append(got, l)
		}
	}
	want := []auditEntry{ // newest first
		{Actor: ts.kari.ID, Detail: "XLSX av planen slik den er nå"},
		{Actor: member.ID, Detail: "DOCX av versjonen «Utkast 1»"},
		{Actor: reader.ID, Detail: "HTML av planen slik den er nå"},
	}
	if len(got) != len(want) {
		t.Fatalf("export lines %+v, want %d", got, len(want))
	}
	for i, w := range want {
		if got[i].Actor != w.Actor || got[i].Detail != w.Detail || got[i].Name == "" {
			t.Errorf("line %d: %+v, want %+v", i, got[i], w)
		}
	}
}
