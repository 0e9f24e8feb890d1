package export

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/render"
)

// DOCX returns the plan as a Word document (Office Open XML, written with
// archive/zip and escaped XML): a cover, a table of contents field (its
// entries written in, so it reads without updating; Word refreshes it with
// page numbers on opening), the sections as Heading 1–6 with their texts
// (paragraphs, bold, italic, underline, strike, links, lists, quotes,
// tables), each target area's goals, strategies and measures, the
// scorecard and the economic overview as tables, page numbers in the
// footer and on the hearing version the hearing header.
func DOCX(d *Document) ([]byte, error) {
	w := &docxDoc{d: d}
	body := w.body()
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	files := []struct{ name, data string }{
		{"[Content_Types].xml", w.contentTypes()},
		{"_rels/.rels", rootRels},
		{"docProps/core.xml", w.core()},
		{"word/document.xml", body},
		{"word/styles.xml", docxStyles},
		{"word/numbering.xml", w.numbering()},
		{"word/settings.xml", docxSettings},
		{"word/footer1.xml", w.footer()},
		{"word/_rels/document.xml.rels", w.rels()},
	}
	if d.Hearing {
		files = append(files, struct{ name, data string }{"word/header1.xml", w.header()})
	}
	for _, f := range files {
		fw, err := z.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: d.Generated})
		if err != nil {
			return nil, fmt.Errorf("docx %s: %w", f.name, err)
		}
		if _, err := fw.Write([]byte(f.data)); err != nil {
			return nil, fmt.Errorf("docx %s: %w", f.name, err)
		}
	}
	if err := z.Close(); err != nil {
		return nil, fmt.Errorf("docx: %w", err)
	}
	return buf.Bytes(), nil
}

// xesc escapes text for XML character data and attribute values, after
// removing what XML 1.0 cannot hold.
func xesc(s string) string {
	var sb strings.Builder
	_ = xml.EscapeText(&sb, []byte(render.CleanText(s))) // a strings.Builder does not fail
	return sb.String()
}

type docxDoc struct {
	d  *Document
	sb strings.Builder
	// links are the hyperlinks' targets, by relationship id rIdL<n>.
	links []string
	// ordered counts the ordered lists: each restarts its numbering
	// with a num of its own (numId 2 + n).
	ordered int
}

func (w *docxDoc) p(format string, args ...any) { fmt.Fprintf(&w.sb, format, args...) }

// para writes a paragraph of plain text with a style ("" for Normal) and
// extra paragraph properties.
func (w *docxDoc) para(style, props, text string, bold bool) {
	w.p("<w:p>")
	if style != "" || props != "" {
		w.p("<w:pPr>")
		if style != "" {
			w.p(`<w:pStyle w:val="%s"/>`, style)
		}
		w.p("%s</w:pPr>", props)
	}
	w.run(render.Run{Text: text, Bold: bold}, "")
	w.p("</w:p>")
}

// run writes one run of text with its formats; tabs become w:tab.
func (w *docxDoc) run(r render.Run, charStyle string) {
	if r.Text == "" {
		return
	}
	w.p("<w:r>")
	if charStyle != "" || r.Bold || r.Italic || r.Underline || r.Strike {
		w.p("<w:rPr>")
		if charStyle != "" {
			w.p(`<w:rStyle w:val="%s"/>`, charStyle)
		}
		if r.Bold {
			w.p("<w:b/>")
		}
		if r.Italic {
			w.p("<w:i/>")
		}
		if r.Strike {
			w.p("<w:strike/>")
		}
		if r.Underline {
			w.p(`<w:u w:val="single"/>`)
		}
		w.p("</w:rPr>")
	}
	for i, part := range strings.Split(r.Text, "\t") {
		if i > 0 {
			w.p("<w:tab/>")
		}
		if part != "" {
			w.p(`<w:t xml:space="preserve">%s</w:t>`, xesc(part))
		}
	}
	w.p("</w:r>")
}

// inline writes a line's runs; links become hyperlinks.
func (w *docxDoc) inline(runs []render.Run) {
	for _, r := range runs {
		if r.Measure != "" {
			continue // written as paragraphs of their own by lines
		}
		if u, ok := render.SafeURL(r.Link); ok && r.Link != "" {
			w.links = append(w.links, u)
			w.p(`<w:hyperlink r:id="rIdL%d" w:history="1">`, len(w.links))
			w.run(r, "Hyperlink")
			w.p("</w:hyperlink>")
			continue
		}
		w.run(r, "")
	}
}

// lines writes a block's runs as paragraphs with pPr, the measures
// between them as boxes of their own.
func (w *docxDoc) lines(pPr string, runs []render.Run) {
	if len(runs) == 0 {
		w.p("<w:p>%s</w:p>", pPr)
		return
	}
	for len(runs) > 0 {
		if runs[0].Measure != "" {
			w.measure(runs[0].Measure)
			runs = runs[1:]
			continue
		}
		n := 0
		for n < len(runs) && runs[n].Measure == "" {
			n++
		}
		w.p("<w:p>%s", pPr)
		w.inline(runs[:n])
		w.p("</w:p>")
		runs = runs[n:]
	}
}

func (w *docxDoc) measure(id string) {
	v, ok := w.d.measureView(id)
	if !ok {
		w.para("Measure", "", labelDeleted, false)
		return
	}
	w.para("Measure", "", v.Title, true)
	for _, f := range v.Facts {
		w.para("Measure", "", f, false)
	}
}

func pStyle(style string) string { return `<w:pPr><w:pStyle w:val="` + style + `"/></w:pPr>` }

// blocks writes a section's text; its headings sit below level.
func (w *docxDoc) blocks(bs []render.Block, level int) {
	for i := 0; i < len(bs); {
		b := bs[i]
		switch b.Kind {
		case render.TableCell:
			j := i + 1
			for j < len(bs) && bs[j].Kind == render.TableCell {
				j++
			}
			w.textTable(bs[i:j])
			i = j
			continue
		case render.ListItem:
			num := 1
			if b.List == "ordered" {
				// A run of ordered items is one list, restarting at 1
				// after anything else at its level.
				if prev := bs[max(i-1, 0)]; i == 0 || prev.Kind != render.ListItem || prev.Indent < b.Indent ||
					prev.Indent == b.Indent && prev.List != "ordered" {
					w.ordered++
				}
				num = 1 + w.ordered
			}
			w.lines(fmt.Sprintf(`<w:pPr><w:pStyle w:val="ListParagraph"/><w:numPr><w:ilvl w:val="%d"/><w:numId w:val="%d"/></w:numPr></w:pPr>`,
				b.Indent, num), b.Runs)
		case render.Heading:
			w.lines(pStyle("Heading"+strconv.Itoa(min(level+b.Level, 6))), b.Runs)
		case render.Quote:
			w.lines(pStyle("Quote"), b.Runs)
		default:
			pPr := ""
			if b.Indent > 0 {
				pPr = fmt.Sprintf(`<w:pPr><w:ind w:left="%d"/></w:pPr>`, 720*b.Indent)
			}
			w.lines(pPr, b.Runs)
		}
		i++
	}
}

// textTable writes the cells of a table in the text.
func (w *docxDoc) textTable(cells []render.Block) {
	rows := render.Rows(cells)
	cols := 1
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	w.tableStart(cols)
	for _, r := range rows {
		w.p("<w:tr>")
		for k := 0; k < cols; k++ {
			w.p(`<w:tc><w:tcPr><w:tcW w:w="0" w:type="auto"/></w:tcPr>`)
			if k < len(r) {
				w.lines("", r[k].Runs)
			} else {
				w.p("<w:p/>")
			}
			w.p("</w:tc>")
		}
		w.p("</w:tr>")
	}
	w.p("</w:tbl>")
	w.p("<w:p/>")
}

// textWidth is the width of the text on the page, in twentieths of a
// point: A4 (11906) less the left and right margins.
const textWidth = 11906 - 1134 - 1021

func (w *docxDoc) tableStart(cols int) {
	w.p(`<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="5000" w:type="pct"/><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>`)
	// The grid shares the text width (A4 less the margins): the first
	// column, which names the row, twice as wide as the others.
	unit := textWidth / (cols + 1)
	for k := 0; k < cols; k++ {
		if k == 0 && cols > 1 {
			w.p(`<w:gridCol w:w="%d"/>`, 2*unit)
			continue
		}
		w.p(`<w:gridCol w:w="%d"/>`, unit)
	}
	w.p("</w:tblGrid>")
}

// cell is a cell of a data table.
type cell struct {
	text  string
	num   bool // right-aligned
	bold  bool
	small string // a second, smaller line
}

// dataTable writes a table with a repeated header row; bold rows (sums)
// are those whose first cell is bold.
func (w *docxDoc) dataTable(caption string, head []cell, rows [][]cell) {
	w.para("Caption", "", caption, false)
	w.tableStart(len(head))
	w.row(head, true)
	for _, r := range rows {
		w.row(r, false)
	}
	w.p("</w:tbl>")
	w.p("<w:p/>")
}

func (w *docxDoc) row(cells []cell, header bool) {
	w.p("<w:tr>")
	if header {
		w.p("<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>")
	} else {
		w.p("<w:trPr><w:cantSplit/></w:trPr>")
	}
	for _, c := range cells {
		w.p(`<w:tc><w:tcPr><w:tcW w:w="0" w:type="auto"/>`)
		if header {
			w.p(`<w:shd w:val="clear" w:color="auto" w:fill="E8EDF2"/>`)
		}
		w.p("</w:tcPr><w:p>")
		if c.num {
			w.p(`<w:pPr><w:spacing w:after="0"/><w:jc w:val="right"/></w:pPr>`)
		} else {
			w.p(`<w:pPr><w:spacing w:after="0"/></w:pPr>`)
		}
		w.run(render.Run{Text: c.text, Bold: c.bold || header}, "")
		w.p("</w:p>")
		if c.small != "" {
			w.p(`<w:p><w:pPr><w:pStyle w:val="Small"/></w:pPr>`)
			w.run(render.Run{Text: c.small}, "")
			w.p("</w:p>")
		}
		w.p("</w:tc>")
	}
	w.p("</w:tr>")
}

func (w *docxDoc) body() string {
	d := w.d
	w.p(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n")
	w.p(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>`)
	// The cover.
	if d.Hearing {
		line := labelHearing
		if d.HearingDeadline != "" {
			line += " · " + labelDeadline + ": " + dateOf(d.HearingDeadline)
		}
		w.para("HearingNote", "", line, true)
	}
	if d.Municipality != "" {
		w.para("Subtitle", "", d.Municipality, false)
	}
	w.para("Title", "", d.Plan.Title, false)
	w.para("Subtitle", "", fmt.Sprintf("%s · Planperiode %d–%d", typeText(d.Plan.Type), d.Plan.Period.From, d.Plan.Period.To), false)
	if d.Version != "" {
		v := "Versjon: " + d.Version
		if !d.VersionAt.IsZero() {
			v += " (frosset " + Date(d.VersionAt.In(d.Generated.Location())) + ")"
		}
		w.para("", "", v, false)
	} else {
		w.para("", "", "Versjon: Gjeldende tekst · Fase: "+phaseText(d.Plan.Phase), false)
	}
	w.para("", "", "Utskrift: "+Date(d.Generated), false)

	// The table of contents: a TOC field whose result is the outline.
	w.para("TOCHeading", "<w:pageBreakBefore/>", labelContents, false)
	outline := d.outline()
	k := len(d.Plan.Sections)
	entries := make([]numbered, 0, len(outline)+2)
	entries = append(entries, outline...)
	entries = append(entries, numbered{sec: &collab.Section{Title: labelScorecard}, number: strconv.Itoa(k + 1)},
		numbered{sec: &collab.Section{Title: labelEconomics}, number: strconv.Itoa(k + 2)})
	for i, n := range entries {
		w.p(`<w:p><w:pPr><w:pStyle w:val="TOC%d"/></w:pPr>`, min(n.depth+1, 9))
		if i == 0 {
			w.p(`<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r><w:r><w:instrText xml:space="preserve"> TOC \o "1-3" \h \z \u </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>`)
		}
		w.run(render.Run{Text: n.number + " " + n.sec.Title}, "")
		if i == len(entries)-1 {
			w.p(`<w:r><w:fldChar w:fldCharType="end"/></w:r>`)
		}
		w.p("</w:p>")
	}

	w.sections(d.Plan.Sections, 0, "")
	w.scorecard(strconv.Itoa(k + 1))
	w.economics(strconv.Itoa(k + 2))

	w.p(`<w:sectPr>`)
	if d.Hearing {
		w.p(`<w:headerReference w:type="default" r:id="rIdHeader"/>`)
	}
	w.p(`<w:footerReference w:type="default" r:id="rIdFooter"/><w:pgSz w:w="11906" w:h="16838"/>` +
		`<w:pgMar w:top="1247" w:right="1021" w:bottom="1361" w:left="1134" w:header="567" w:footer="567" w:gutter="0"/>` +
		`<w:titlePg w:val="0"/></w:sectPr></w:body></w:document>`)
	return w.sb.String()
}

// headingStyle is the style of a section heading at depth.
func headingStyle(depth int) string { return "Heading" + strconv.Itoa(min(depth+1, 6)) }

func (w *docxDoc) heading(depth int, text string) {
	props := ""
	if depth == 0 {
		props = "<w:pageBreakBefore/>"
	}
	w.para(headingStyle(depth), props, text, false)
}

func (w *docxDoc) sections(list []*collab.Section, depth int, prefix string) {
	for i, s := range list {
		n := prefix + strconv.Itoa(i+1)
		w.heading(depth, n+" "+s.Title)
		w.blocks(w.d.blocks(s.ID), min(depth+1, 6))
		w.sections(s.Children, depth+1, n+".")
		if s.Kind == collab.KindTargetArea {
			w.areaContent(s, min(depth+1, 5))
		}
	}
}

func (w *docxDoc) areaContent(area *collab.Section, depth int) {
	d := w.d
	w.para(headingStyle(depth), "", "Mål, strategier og tiltak i «"+area.Title+"»", false)
	sub := min(depth+1, 5)
	var goals, strategies []string
	for _, g := range d.Plan.Goals {
		if g.TargetArea == area.ID {
			goals = append(goals, g.Title)
		}
	}
	for _, s := range d.Plan.Strategies {
		if s.TargetArea == area.ID {
			strategies = append(strategies, s.Title)
		}
	}
	for _, list := range []struct {
		label string
		items []string
	}{{labelGoal, goals}, {labelStrategies, strategies}} {
		if len(list.items) == 0 {
			continue
		}
		w.para(headingStyle(sub), "", list.label, false)
		for _, it := range list.items {
			w.para("ListParagraph", `<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>`, it, false)
		}
	}
	w.para(headingStyle(sub), "", labelMeasure, false)
	var rows [][]cell
	for _, m := range d.Plan.Measures {
		if m.TargetArea != area.ID {
			continue
		}
		var sum int64
		for _, c := range m.Costs {
			sum += c.Investment + c.Operating
		}
		small := ""
		if m.TargetGroup != "" {
			small = "Målgruppe: " + m.TargetGroup
		}
		rows = append(rows, []cell{{text: m.Title, small: small}, {text: m.Unit}, {text: fmt.Sprintf("%d–%d", m.StartYear, m.EndYear)},
			{text: priorityText(m.Priority)}, {text: measureStatusText(m.Status)}, {text: Kroner(sum), num: true}})
	}
	if len(rows) == 0 {
		w.para("", "", labelNoMeasures, false)
		return
	}
	w.dataTable("Tiltak i «"+area.Title+"»", []cell{{text: "Tiltak"}, {text: "Ansvarlig"}, {text: "Periode"}, {text: "Prioritet"},
		{text: "Status"}, {text: "Kostnad (kr)", num: true}}, rows)
}

func (w *docxDoc) scorecard(n string) {
	d := w.d
	w.heading(0, n+" "+labelScorecard)
	inds := d.indicators()
	if len(inds) == 0 {
		w.para("", "", labelNoIndicator, false)
		return
	}
	for _, g := range d.indicatorGroups(inds) {
		var rows [][]cell
		for _, ind := range g.rows {
			goal, _ := d.goalArea(ind.Goal)
			last := cell{text: "–"}
			if r, ok := latest(ind); ok {
				last = cell{text: withUnit(r.Value, ind.Unit), small: dateOf(r.Date), num: true}
			}
			src := ""
			if ind.Source != "" {
				src = "Kilde: " + ind.Source
			}
			rows = append(rows, []cell{{text: ind.Name, small: src}, {text: goal},
				{text: withUnit(ind.Baseline.Value, ind.Unit) + " i " + strconv.Itoa(ind.Baseline.Year), num: true},
				{text: targetsText(ind)}, last, {text: indicatorStatusText(ind.Status)}})
		}
		w.dataTable(g.title, []cell{{text: labelIndicator}, {text: labelGoal}, {text: labelBaseline}, {text: labelTargets},
			{text: labelLatest}, {text: labelStatus}}, rows)
	}
}

func (w *docxDoc) economics(n string) {
	d := w.d
	e := collab.ComputeEconomics(d.Plan)
	w.heading(0, n+" "+labelEconomics)
	w.para("", "", fmt.Sprintf("Planperiode %d–%d. %s", e.Period.From, e.Period.To, labelAmounts), false)
	if s := e.SignOff; s != nil && !s.Lapsed {
		w.para("", "", "Økonomisk kvalitetssikret "+Date(s.At.In(d.Generated.Location()))+".", false)
	}
	amounts := func(a collab.Amounts, bold bool) []cell {
		return []cell{{text: Kroner(a.Investment), num: true, bold: bold}, {text: Kroner(a.Operating), num: true, bold: bold},
			{text: Kroner(a.Total), num: true, bold: bold}}
	}
	head := []cell{{text: labelInvestment, num: true}, {text: labelOperating, num: true}, {text: labelSum, num: true}}

	w.para("Heading2", "", labelWholePlan+" per år", false)
	var rows [][]cell
	for _, y := range e.Total.Years {
		rows = append(rows, append([]cell{{text: strconv.Itoa(y.Year)}}, amounts(y.Amounts, false)...))
	}
	rows = append(rows, append([]cell{{text: labelSumPeriod, bold: true}}, amounts(e.Total.Amounts, true)...))
	w.dataTable("Kostnader for hele planen per år (kr)", append([]cell{{text: labelYear}}, head...), rows)

	w.para("Heading2", "", "Per målområde", false)
	rows = nil
	for _, a := range e.Areas {
		rows = append(rows, append([]cell{{text: a.Title}}, amounts(a.Amounts, false)...))
	}
	rows = append(rows, append([]cell{{text: labelWholePlan, bold: true}}, amounts(e.Total.Amounts, true)...))
	w.dataTable("Kostnader per målområde for hele perioden (kr)", append([]cell{{text: labelArea}}, head...), rows)

	w.para("Heading2", "", "Per tiltak og år", false)
	rows = nil
	for _, m := range d.measureCosts() {
		var sum collab.Amounts
		for i, r := range m {
			name := cell{}
			if i == 0 {
				name = cell{text: r.measure, small: r.area}
			}
			year := "–"
			if r.year != 0 {
				year = strconv.Itoa(r.year)
			}
			a := collab.Amounts{Investment: r.investment, Operating: r.operating, Total: r.investment + r.operating}
			sum.Investment += a.Investment
			sum.Operating += a.Operating
			sum.Total += a.Total
			rows = append(rows, append([]cell{name, {text: year}}, amounts(a, false)...))
		}
		rows = append(rows, append([]cell{{}, {text: labelSum, bold: true}}, amounts(sum, true)...))
	}
	if len(rows) == 0 {
		w.para("", "", labelNoMeasures, false)
		return
	}
	rows = append(rows, append([]cell{{text: labelWholePlan, bold: true}, {}}, amounts(e.Total.Amounts, true)...))
	w.dataTable("Kostnader per tiltak og år (kr)", append([]cell{{text: labelMeasure}, {text: labelYear}}, head...), rows)
}

func (w *docxDoc) footer() string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p><w:pPr><w:pStyle w:val="Footer"/><w:tabs><w:tab w:val="right" w:pos="9751"/></w:tabs></w:pPr>` +
		`<w:r><w:t xml:space="preserve">` + xesc(w.d.title()) + `</w:t></w:r><w:r><w:tab/><w:t xml:space="preserve">Side </w:t></w:r>` +
		`<w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple><w:r><w:t xml:space="preserve"> av </w:t></w:r>` +
		`<w:fldSimple w:instr=" NUMPAGES "><w:r><w:t>1</w:t></w:r></w:fldSimple></w:p></w:ftr>`
}

func (w *docxDoc) header() string {
	line := labelHearing
	if w.d.HearingDeadline != "" {
		line += " – høringsfrist " + dateOf(w.d.HearingDeadline)
	}
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p><w:pPr><w:pStyle w:val="Header"/><w:jc w:val="center"/></w:pPr>` +
		`<w:r><w:rPr><w:b/><w:color w:val="7A1F00"/></w:rPr><w:t xml:space="preserve">` + xesc(line) + `</w:t></w:r></w:p></w:hdr>`
}

func (w *docxDoc) rels() string {
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
		`<Relationship Id="rIdNumbering" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/>` +
		`<Relationship Id="rIdSettings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>` +
		`<Relationship Id="rIdFooter" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/>`)
	if w.d.Hearing {
		sb.WriteString(`<Relationship Id="rIdHeader" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/>`)
	}
	for i, u := range w.links {
		fmt.Fprintf(&sb, `<Relationship Id="rIdL%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="%s" TargetMode="External"/>`,
			i+1, xesc(u))
	}
	sb.WriteString(`</Relationships>`)
	return sb.String()
}

func (w *docxDoc) contentTypes() string {
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
		`<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>` +
		`<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>` +
		`<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>` +
		`<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>` +
		`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>`)
	if w.d.Hearing {
		sb.WriteString(`<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>`)
	}
	sb.WriteString(`</Types>`)
	return sb.String()
}

func (w *docxDoc) core() string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
		`<dc:title>` + xesc(w.d.title()) + `</dc:title><dc:creator>` + xesc(w.d.Municipality) + `</dc:creator><dc:language>nb-NO</dc:language>` +
		`<dcterms:created xsi:type="dcterms:W3CDTF">` + w.d.Generated.UTC().Format(time.RFC3339) + `</dcterms:created></cp:coreProperties>`
}

// numbering defines the bullet list (numId 1) and a decimal list per
// ordered list of the text (numId 2…), each restarting at 1.
func (w *docxDoc) numbering() string {
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">`)
	for id, kind := range []string{"bullet", "decimal"} {
		fmt.Fprintf(&sb, `<w:abstractNum w:abstractNumId="%d"><w:multiLevelType w:val="hybridMultilevel"/>`, id)
		for lvl := 0; lvl < 9; lvl++ {
			text := fmt.Sprintf("%%%d.", lvl+1)
			if kind == "bullet" {
				text = []string{"•", "◦", "▪"}[lvl%3]
			}
			fmt.Fprintf(&sb, `<w:lvl w:ilvl="%d"><w:start w:val="1"/><w:numFmt w:val="%s"/><w:lvlText w:val="%s"/><w:lvlJc w:val="left"/>`+
				`<w:pPr><w:ind w:left="%d" w:hanging="360"/></w:pPr></w:lvl>`, lvl, kind, text, 720*(lvl+1))
		}
		sb.WriteString(`</w:abstractNum>`)
	}
	sb.WriteString(`<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>`)
	for n := 1; n <= w.ordered; n++ {
		fmt.Fprintf(&sb, `<w:num w:numId="%d"><w:abstractNumId w:val="1"/>`, n+1)
		for lvl := 0; lvl < 9; lvl++ {
			fmt.Fprintf(&sb, `<w:lvlOverride w:ilvl="%d"><w:startOverride w:val="1"/></w:lvlOverride>`, lvl)
		}
		sb.WriteString(`</w:num>`)
	}
	sb.WriteString(`</w:numbering>`)
	return sb.String()
}

const rootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>`

// docxSettings asks Word to update the fields (the table of contents and
// its page numbers) when the document is opened.
const docxSettings = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:updateFields w:val="true"/><w:defaultTabStop w:val="708"/><w:hyphenationZone w:val="425"/><w:characterSpacingControl w:val="doNotCompress"/><w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat></w:settings>`

// docxStyles are the document's styles: Normal, Title, Subtitle,
// Heading 1–6 (with outline levels, for the table of contents), TOC
// levels, Quote, List Paragraph, Caption, Hyperlink, the table grid and
// the boxes of embedded measures.
var docxStyles = func() string {
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:eastAsia="Calibri" w:cs="Calibri"/><w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="nb-NO"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:spacing w:before="2400" w:after="240"/></w:pPr><w:rPr><w:b/><w:sz w:val="52"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:qFormat/><w:rPr><w:color w:val="333333"/><w:sz w:val="28"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="HearingNote"><w:name w:val="Hearing Note"/><w:basedOn w:val="Normal"/><w:pPr><w:pBdr><w:top w:val="single" w:sz="12" w:space="4" w:color="7A1F00"/><w:left w:val="single" w:sz="12" w:space="4" w:color="7A1F00"/><w:bottom w:val="single" w:sz="12" w:space="4" w:color="7A1F00"/><w:right w:val="single" w:sz="12" w:space="4" w:color="7A1F00"/></w:pBdr></w:pPr><w:rPr><w:color w:val="7A1F00"/><w:sz w:val="26"/></w:rPr></w:style>
`)
	sizes := []int{32, 26, 23, 22, 21, 21}
	for i, sz := range sizes {
		fmt.Fprintf(&sb, `<w:style w:type="paragraph" w:styleId="Heading%d"><w:name w:val="heading %d"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>`+
			`<w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="%d" w:after="80"/><w:outlineLvl w:val="%d"/></w:pPr><w:rPr><w:b/><w:sz w:val="%d"/><w:szCs w:val="%d"/></w:rPr></w:style>`+"\n",
			i+1, i+1, 360-40*i, i, sz, sz)
	}
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&sb, `<w:style w:type="paragraph" w:styleId="TOC%d"><w:name w:val="toc %d"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:pPr><w:spacing w:after="40"/><w:ind w:left="%d"/></w:pPr></w:style>`+"\n",
			i, i, 440*(i-1))
	}
	sb.WriteString(`<w:style w:type="paragraph" w:styleId="TOCHeading"><w:name w:val="TOC Heading"/><w:basedOn w:val="Heading1"/><w:next w:val="Normal"/><w:pPr><w:outlineLvl w:val="9"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Quote"><w:name w:val="Quote"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:pBdr><w:left w:val="single" w:sz="12" w:space="8" w:color="999999"/></w:pBdr><w:ind w:left="360"/></w:pPr><w:rPr><w:i/><w:color w:val="333333"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="ListParagraph"><w:name w:val="List Paragraph"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:spacing w:after="40"/><w:ind w:left="720"/><w:contextualSpacing/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Caption"><w:name w:val="caption"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="120" w:after="60"/></w:pPr><w:rPr><w:b/><w:sz w:val="18"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Small"><w:name w:val="Small"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="0"/></w:pPr><w:rPr><w:color w:val="444444"/><w:sz w:val="16"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Measure"><w:name w:val="Measure"/><w:basedOn w:val="Normal"/><w:pPr><w:pBdr><w:left w:val="single" w:sz="24" w:space="8" w:color="0B4F8A"/></w:pBdr><w:spacing w:after="20"/><w:ind w:left="240"/></w:pPr><w:rPr><w:sz w:val="20"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Header"><w:name w:val="header"/><w:basedOn w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Footer"><w:name w:val="footer"/><w:basedOn w:val="Normal"/><w:rPr><w:color w:val="444444"/><w:sz w:val="17"/></w:rPr></w:style>
<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/></w:style>
<w:style w:type="character" w:styleId="Hyperlink"><w:name w:val="Hyperlink"/><w:basedOn w:val="DefaultParagraphFont"/><w:rPr><w:color w:val="0B4F8A"/><w:u w:val="single"/></w:rPr></w:style>
<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>
<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:basedOn w:val="TableNormal"/><w:pPr><w:spacing w:after="0"/></w:pPr><w:rPr><w:sz w:val="18"/></w:rPr><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="999999"/><w:left w:val="single" w:sz="4" w:space="0" w:color="999999"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="999999"/><w:right w:val="single" w:sz="4" w:space="0" w:color="999999"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="999999"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="999999"/></w:tblBorders></w:tblPr></w:style>
</w:styles>`)
	return sb.String()
}()
