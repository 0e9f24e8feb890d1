package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/temaplan/temaplan/collab/delta"
)

// TestProcess_ExportsTheDemoPlan starts the binary with -demo, types a
// text into every section of the demo plan as its leader, and exports the
// plan in every format through the API as its reader, the way the UI
// does: the PDF (printed by the Chromium TEMAPLAN_CHROMIUM names) has the
// pages and text expected, pandoc reads the DOCX, the XLSX is a workbook.
// It logs how long each export took, from the request to the file.
func TestProcess_ExportsTheDemoPlan(t *testing.T) {
	for _, tool := range []struct{ name, pkg string }{{"pdfinfo", "poppler-utils"}, {"pdftotext", "poppler-utils"}, {"pandoc", "pandoc"}} {
		if _, err := exec.LookPath(tool.name); err != nil {
			t.Fatalf("%s is not installed: install Debian's %s package (.ci/run installs it)", tool.name, tool.pkg)
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err != nil {
		t.Fatal("/usr/bin/chromium is not installed: install Debian's chromium package (.ci/run installs it)")
	}
	env := map[string]string{"TEMAPLAN_DATA": filepath.Join(t.TempDir(), "data"), "TEMAPLAN_ADDR": "127.0.0.1:0",
		"TEMAPLAN_CHROMIUM": "/usr/bin/chromium"}
	n := startNode(t, env, "-demo")
	n.waitReady(30 * time.Second)
	if !strings.Contains(n.out.String(), "pdf=/usr/bin/chromium") {
		t.Errorf("the start-up line does not name the PDF printer:\n%s", n.out)
	}
	leader := n.login("leader@demo.no", "demo")
	reader := n.login("reader@demo.no", "demo")

	// The leader writes every section: a heading, two paragraphs and a
	// list, as a plan's text might be.
	var plan struct {
		Sections []demoSection `json:"sections"`
	}
	doJSON(t, "GET", n.url("/api/plans/"+wantDemoPlanID), leader.AccessToken, "", 200, &plan)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := n.dial(ctx, "export-test", leader.AccessToken)
	sections := 0
	var walk func(list []demoSection)
	walk = func(list []demoSection) {
		for _, s := range list {
			sections++
			if err := c.Open(ctx, wantDemoPlanID, s.ID); err != nil {
				t.Fatal(err)
			}
			if err := c.Edit(s.ID, demoText(s.Title)); err != nil {
				t.Fatal(err)
			}
			if err := c.WaitVersion(ctx, s.ID, 1); err != nil {
				t.Fatalf("section %q: %v", s.Title, err)
			}
			walk(s.Children)
		}
	}
	walk(plan.Sections)

	timings := map[string]time.Duration{}
	files := map[string][]byte{}
	for _, format := range []string{"html", "pdf", "docx", "xlsx"} {
		start := time.Now()
		var job struct {
			ID, Status, File, Filename string
			Error                      string
		}
		doJSON(t, "POST", n.url("/api/plans/"+wantDemoPlanID+"/exports"), reader.AccessToken, `{"format":"`+format+`"}`, 202, &job)
		deadline := time.Now().Add(2 * time.Minute)
		for job.Status != "done" {
			if job.Status == "failed" || time.Now().After(deadline) {
				t.Fatalf("%s export: %+v", format, job)
			}
			time.Sleep(20 * time.Millisecond) // polls as the UI does
			doJSON(t, "GET", n.url("/api/plans/"+wantDemoPlanID+"/exports/"+job.ID), reader.AccessToken, "", 200, &job)
		}
		files[format] = download(t, n.url(job.File), reader.AccessToken)
		timings[format] = time.Since(start)
		if job.Filename != "Temaplan om bolig 2027-2030."+format {
			t.Errorf("%s file named %q", format, job.Filename)
		}
	}
	t.Logf("exports of the demo plan (%d sections with text, 5 measures, 2 indicators), request to file:", sections)
	for _, f := range []string{"html", "pdf", "docx", "xlsx"} {
		t.Logf("  %-4s %6d ms  %7d bytes", f, timings[f].Milliseconds(), len(files[f]))
	}

	pages := 0
	for _, line := range strings.Split(runOn(t, files["pdf"], "pdf", "pdfinfo"), "\n") {
		if rest, ok := strings.CutPrefix(line, "Pages:"); ok {
			pages, _ = strconv.Atoi(strings.TrimSpace(rest))
		}
	}
	t.Logf("  the PDF has %d pages", pages)
	// A cover, the contents, nine chapters of a page or more and the
	// economics' tables.
	if pages < 12 || pages > 40 {
		t.Errorf("the PDF has %d pages, want 12–40", pages)
	}
	text := strings.Join(strings.Fields(strings.ReplaceAll(runOn(t, files["pdf"], "pdf", "pdftotext", "-layout", "%f", "-"), "\u00a0", " ")), " ")
	for _, want := range []string{"Temaplan om bolig 2027–2030", "Demo kommune", "1 Innledning", "3.2.3 Tiltak",
		"Situasjonsbeskrivelse", "Startlån til unge i etableringsfasen", "Housing First-team",
		"Sum for perioden 75 000 000 14 150 000 89 150 000", "Side 3 av"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q", want)
		}
	}
	md := runOn(t, files["docx"], "docx", "pandoc", "-f", "docx", "-t", "markdown", "--wrap=none")
	for _, want := range []string{"# 1 Innledning", "## 3.2 Handlingsdel", "Startlån til unge i etableringsfasen", "89 150 000"} {
		if !strings.Contains(strings.ReplaceAll(md, "\u00a0", " "), want) {
			t.Errorf("pandoc's markdown of the DOCX lacks %q", want)
		}
	}
	if !bytes.HasPrefix(files["xlsx"], []byte("PK")) || !bytes.Contains(files["html"], []byte("<h1>Temaplan om bolig 2027–2030</h1>")) {
		t.Error("the XLSX or HTML is not what it should be")
	}
}

// demoSection is a section of the demo plan as the API shows it.
type demoSection struct {
	ID       string        `json:"id"`
	Title    string        `json:"title"`
	Children []demoSection `json:"children"`
}

// demoText is a section's text: a heading, two paragraphs and a list.
func demoText(title string) delta.Delta {
	var d delta.Delta
	d.Insert("Om "+strings.ToLower(title), nil)
	d.Insert("\n", delta.Attributes{"header": 2})
	d.Insert(fmt.Sprintf("Denne delen handler om %s. Kommunen skal sørge for at alle innbyggere har en god bolig i et godt bomiljø, "+
		"og at de som ikke klarer det selv, får hjelp. Arbeidet bygger på kunnskap om ", strings.ToLower(title)), nil)
	d.Insert("befolkningsutviklingen", delta.Attributes{"bold": true})
	d.Insert(", boligmarkedet og behovene hos grupper som er vanskeligstilt på boligmarkedet.\n", nil)
	d.Insert("Tallene er hentet fra SSB og kommunens egne registre. Se også ", nil)
	d.Insert("Husbankens veileder", delta.Attributes{"link": "https://www.husbanken.no/"})
	d.Insert(".\n", nil)
	for _, item := range []string{"Kartlegge behovet", "Samarbeide med utbyggere og frivillige", "Følge opp og rapportere årlig"} {
		d.Insert(item, nil)
		d.Insert("\n", delta.Attributes{"list": "bullet"})
	}
	return d
}

// download fetches a file as the user of token.
func download(t *testing.T, url, token string) []byte {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return b
}

// runOn runs a program on data written to a temp file ("%f" in args, or
// last) and returns its standard output.
func runOn(t *testing.T, data []byte, ext, name string, args ...string) string {
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
