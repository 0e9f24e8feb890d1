package export

import (
	"fmt"
	"html"
	"strconv"
	"strings"

	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/render"
)

// HTML returns the plan as one self-contained, print-ready HTML document:
// a cover with the title, municipality, type, phase, version and date (and
// on the hearing version the hearing header), a table of contents with
// the sections' numbers, the sections' texts, each target area's goals,
// strategies and measures, the scorecard and the economic overview. Its
// CSS lays it out on A4 pages with page numbers in the margin; its
// Content-Security-Policy lets it load nothing and run no script.
func HTML(d *Document) []byte {
	w := &htmlDoc{d: d}
	w.write()
	return []byte(w.sb.String())
}

type htmlDoc struct {
	d  *Document
	sb strings.Builder
}

// esc escapes text for HTML.
func esc(s string) string { return html.EscapeString(render.CleanText(s)) }

func (w *htmlDoc) p(format string, args ...any) { fmt.Fprintf(&w.sb, format, args...) }

func (w *htmlDoc) write() {
	d := w.d
	w.p("<!doctype html>\n<html lang=\"nb\">\n<head>\n<meta charset=\"utf-8\">\n")
	w.p("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n")
	w.p("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	w.p("<title>%s</title>\n<style>\n%s%s</style>\n</head>\n<body>\n", esc(d.title()), w.pageCSS(), styleSheet)
	w.cover()
	outline := d.outline()
	w.toc(outline)
	w.p("<main>\n")
	w.sections(d.Plan.Sections, 0, "")
	n := len(d.Plan.Sections)
	w.scorecard(strconv.Itoa(n + 1))
	w.economics(strconv.Itoa(n + 2))
	w.p("</main>\n</body>\n</html>\n")
}

// pageCSS is the @page rule: A4 with margins, the page number and the
// plan's title at the foot of every page but the cover, and the hearing
// header at the top of every page of the hearing version.
func (w *htmlDoc) pageCSS() string {
	d := w.d
	var sb strings.Builder
	sb.WriteString("@page {\n  size: A4;\n  margin: 22mm 18mm 24mm 20mm;\n")
	sb.WriteString("  @bottom-right { content: \"Side \" counter(page) \" av \" counter(pages); font: 8.5pt \"DejaVu Sans\", sans-serif; color: #444; }\n")
	sb.WriteString("  @bottom-left { content: " + cssString(d.title()) + "; font: 8.5pt \"DejaVu Sans\", sans-serif; color: #444; }\n")
	if d.Hearing {
		sb.WriteString("  @top-center { content: " + cssString(w.hearingLine()) + "; font: bold 9pt \"DejaVu Sans\", sans-serif; color: #7a1f00; }\n")
	}
	sb.WriteString("}\n@page :first {\n  @bottom-left { content: none; }\n  @bottom-right { content: none; }\n}\n")
	return sb.String()
}

// hearingLine is the hearing header: "Høringsutkast – høringsfrist 15. mai
// 2027", without the deadline when it is not known.
func (w *htmlDoc) hearingLine() string {
	if w.d.HearingDeadline != "" {
		return labelHearing + " – " + strings.ToLower(labelDeadline[:1]) + labelDeadline[1:] + " " + dateOf(w.d.HearingDeadline)
	}
	return labelHearing
}

// cssString writes s as a CSS string: every character but letters,
// digits and spaces as a hex escape, so no text can end the string, the
// rule or the style element.
func cssString(s string) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for _, c := range render.CleanText(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == ' ':
			sb.WriteRune(c)
		default:
			fmt.Fprintf(&sb, "\\%x ", c)
		}
	}
	sb.WriteByte('"')
	return sb.String()
}

func (w *htmlDoc) cover() {
	d := w.d
	w.p("<header class=\"cover\">\n")
	if d.Hearing {
		w.p("<p class=\"hearing\"><strong>%s</strong>", esc(labelHearing))
		if d.HearingDeadline != "" {
			w.p(" · %s: %s", esc(labelDeadline), esc(dateOf(d.HearingDeadline)))
		}
		w.p("</p>\n")
	}
	if d.Municipality != "" {
		w.p("<p class=\"municipality\">%s</p>\n", esc(d.Municipality))
	}
	w.p("<h1>%s</h1>\n", esc(d.Plan.Title))
	w.p("<p class=\"subtitle\">%s · Planperiode %d–%d</p>\n", esc(typeText(d.Plan.Type)), d.Plan.Period.From, d.Plan.Period.To)
	w.p("<dl class=\"meta\">\n")
	if d.Version != "" {
		w.p("<dt>Versjon</dt><dd>%s", esc(d.Version))
		if !d.VersionAt.IsZero() {
			w.p(" (frosset %s)", esc(Date(d.VersionAt.In(d.Generated.Location()))))
		}
		w.p("</dd>\n")
	} else {
		w.p("<dt>Versjon</dt><dd>Gjeldende tekst</dd>\n")
		w.p("<dt>Fase</dt><dd>%s</dd>\n", esc(phaseText(d.Plan.Phase)))
	}
	w.p("<dt>Utskrift</dt><dd>%s</dd>\n</dl>\n</header>\n", esc(Date(d.Generated)))
}

// anchor is the id of the section numbered n.
func anchor(n string) string { return "s-" + strings.ReplaceAll(n, ".", "-") }

func (w *htmlDoc) toc(outline []numbered) {
	w.p("<nav class=\"toc\" aria-labelledby=\"toc-h\">\n<h2 id=\"toc-h\">%s</h2>\n<ol>\n", labelContents)
	depth := 0
	for i, n := range outline {
		for ; depth > n.depth; depth-- {
			w.p("</li></ol>\n")
		}
		if i > 0 && n.depth == depth {
			w.p("</li>\n")
		}
		for ; depth < n.depth; depth++ {
			w.p("<ol>\n")
		}
		w.p("<li><a href=\"#%s\"><span class=\"num\">%s</span> %s</a>", anchor(n.number), n.number, esc(n.sec.Title))
	}
	for ; depth > 0; depth-- {
		w.p("</li></ol>\n")
	}
	if len(outline) > 0 {
		w.p("</li>\n")
	}
	k := len(w.d.Plan.Sections)
	w.p("<li><a href=\"#%s\"><span class=\"num\">%d</span> %s</a></li>\n", anchor(strconv.Itoa(k+1)), k+1, labelScorecard)
	w.p("<li><a href=\"#%s\"><span class=\"num\">%d</span> %s</a></li>\n", anchor(strconv.Itoa(k+2)), k+2, labelEconomics)
	w.p("</ol>\n</nav>\n")
}

// heading returns the heading level of a section at depth (the cover is h1).
func heading(depth int) int { return min(depth+2, 6) }

func (w *htmlDoc) sections(list []*collab.Section, depth int, prefix string) {
	for i, s := range list {
		n := prefix + strconv.Itoa(i+1)
		h := heading(depth)
		class := "section"
		if depth == 0 {
			class = "chapter"
		}
		w.p("<section class=\"%s\" id=\"%s\">\n<h%d><span class=\"num\">%s</span> %s</h%d>\n", class, anchor(n), h, n, esc(s.Title), h)
		render.WriteHTML(&w.sb, w.d.blocks(s.ID), render.Options{HeadingShift: h, Measure: w.d.measureView, DeletedMeasure: labelDeleted})
		w.sections(s.Children, depth+1, n+".")
		if s.Kind == collab.KindTargetArea {
			w.areaContent(s, min(h+1, 6))
		}
		w.p("</section>\n")
	}
}

// areaContent writes a target area's goals, strategies and measures.
func (w *htmlDoc) areaContent(area *collab.Section, h int) {
	d := w.d
	w.p("<div class=\"area-content\">\n<h%d>Mål, strategier og tiltak i «%s»</h%d>\n", h, esc(area.Title), h)
	sub := min(h+1, 6)
	var goals []*collab.Goal
	for _, g := range d.Plan.Goals {
		if g.TargetArea == area.ID {
			goals = append(goals, g)
		}
	}
	if len(goals) > 0 {
		w.p("<h%d>%s</h%d>\n<ul class=\"goals\">\n", sub, labelGoal, sub)
		for _, g := range goals {
			w.p("<li><strong>%s</strong>", esc(g.Title))
			if g.Description != "" {
				w.p("<br>%s", esc(g.Description))
			}
			w.p("</li>\n")
		}
		w.p("</ul>\n")
	}
	var strategies []*collab.Strategy
	for _, s := range d.Plan.Strategies {
		if s.TargetArea == area.ID {
			strategies = append(strategies, s)
		}
	}
	if len(strategies) > 0 {
		w.p("<h%d>%s</h%d>\n<ul class=\"strategies\">\n", sub, labelStrategies, sub)
		for _, s := range strategies {
			w.p("<li><strong>%s</strong>", esc(s.Title))
			if s.Description != "" {
				w.p("<br>%s", esc(s.Description))
			}
			w.p("</li>\n")
		}
		w.p("</ul>\n")
	}
	w.p("<h%d>%s</h%d>\n", sub, labelMeasure, sub)
	var measures []*collab.Measure
	for _, m := range d.Plan.Measures {
		if m.TargetArea == area.ID {
			measures = append(measures, m)
		}
	}
	if len(measures) == 0 {
		w.p("<p>%s</p>\n</div>\n", labelNoMeasures)
		return
	}
	w.p("<table class=\"data\">\n<caption>Tiltak i «%s»</caption>\n<thead><tr><th scope=\"col\">Tiltak</th><th scope=\"col\">Ansvarlig</th>"+
		"<th scope=\"col\">Periode</th><th scope=\"col\">Prioritet</th><th scope=\"col\">Status</th><th scope=\"col\" class=\"num\">Kostnad (kr)</th></tr></thead>\n<tbody>\n",
		esc(area.Title))
	for _, m := range measures {
		var sum int64
		for _, c := range m.Costs {
			sum += c.Investment + c.Operating
		}
		w.p("<tr><th scope=\"row\">%s", esc(m.Title))
		if m.TargetGroup != "" {
			w.p("<br><small>Målgruppe: %s</small>", esc(m.TargetGroup))
		}
		w.p("</th><td>%s</td><td>%d–%d</td><td>%s</td><td>%s</td><td class=\"num\">%s</td></tr>\n",
			esc(m.Unit), m.StartYear, m.EndYear, priorityText(m.Priority), measureStatusText(m.Status), Kroner(sum))
	}
	w.p("</tbody>\n</table>\n</div>\n")
}

func (w *htmlDoc) scorecard(n string) {
	d := w.d
	w.p("<section class=\"chapter\" id=\"%s\">\n<h2><span class=\"num\">%s</span> %s</h2>\n", anchor(n), n, labelScorecard)
	inds := d.indicators()
	if len(inds) == 0 {
		w.p("<p>%s</p>\n</section>\n", labelNoIndicator)
		return
	}
	w.p("<p>Trafikklyset sammenligner siste rapporterte verdi med den forventede utviklingen fra utgangsverdien mot målverdiene.</p>\n")
	for _, g := range d.indicatorGroups(inds) {
		rows, caption := g.rows, g.title
		w.p("<table class=\"data scorecard\">\n<caption>%s</caption>\n<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"+
			"<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
			esc(caption), labelIndicator, labelGoal, labelBaseline, labelTargets, labelLatest, labelStatus)
		for _, ind := range rows {
			goal, _ := d.goalArea(ind.Goal)
			w.p("<tr><th scope=\"row\">%s", esc(ind.Name))
			if ind.Source != "" {
				w.p("<br><small>Kilde: %s</small>", esc(ind.Source))
			}
			w.p("</th><td>%s</td><td class=\"num\">%s i %d</td><td>%s</td>", esc(goal), esc(withUnit(ind.Baseline.Value, ind.Unit)),
				ind.Baseline.Year, esc(targetsText(ind)))
			if r, ok := latest(ind); ok {
				w.p("<td class=\"num\">%s<br><small>%s</small></td>", esc(withUnit(r.Value, ind.Unit)), esc(dateOf(r.Date)))
			} else {
				w.p("<td>–</td>")
			}
			w.p("<td class=\"status status-%s\">%s</td></tr>\n", ind.Status, indicatorStatusText(ind.Status))
		}
		w.p("</tbody>\n</table>\n")
	}
	w.p("</section>\n")
}

func (w *htmlDoc) economics(n string) {
	d := w.d
	e := collab.ComputeEconomics(d.Plan)
	w.p("<section class=\"chapter\" id=\"%s\">\n<h2><span class=\"num\">%s</span> %s</h2>\n", anchor(n), n, labelEconomics)
	w.p("<p>Planperiode %d–%d. %s</p>\n", e.Period.From, e.Period.To, labelAmounts)
	if s := e.SignOff; s != nil && !s.Lapsed {
		w.p("<p class=\"signoff\">Økonomisk kvalitetssikret %s.</p>\n", esc(Date(s.At.In(d.Generated.Location()))))
	} else if s != nil {
		w.p("<p class=\"signoff\">Kvalitetssikringen gjelder ikke lenger: kostnadene er endret etter at de ble kvalitetssikret.</p>\n")
	}
	amountHead := fmt.Sprintf("<th scope=\"col\" class=\"num\">%s</th><th scope=\"col\" class=\"num\">%s</th><th scope=\"col\" class=\"num\">%s</th>",
		labelInvestment, labelOperating, labelSum)
	amounts := func(a collab.Amounts) string {
		return fmt.Sprintf("<td class=\"num\">%s</td><td class=\"num\">%s</td><td class=\"num\">%s</td>",
			Kroner(a.Investment), Kroner(a.Operating), Kroner(a.Total))
	}

	w.p("<h3>%s per år</h3>\n<table class=\"data economics\">\n<caption>Kostnader for hele planen per år (kr)</caption>\n"+
		"<thead><tr><th scope=\"col\">%s</th>%s</tr></thead>\n<tbody>\n", labelWholePlan, labelYear, amountHead)
	for _, y := range e.Total.Years {
		w.p("<tr><th scope=\"row\">%d</th>%s</tr>\n", y.Year, amounts(y.Amounts))
	}
	w.p("</tbody>\n<tfoot><tr><th scope=\"row\">%s</th>%s</tr></tfoot>\n</table>\n", labelSumPeriod, amounts(e.Total.Amounts))

	w.p("<h3>Per målområde</h3>\n<table class=\"data economics\">\n<caption>Kostnader per målområde for hele perioden (kr)</caption>\n"+
		"<thead><tr><th scope=\"col\">%s</th>%s</tr></thead>\n<tbody>\n", labelArea, amountHead)
	for _, a := range e.Areas {
		w.p("<tr><th scope=\"row\">%s</th>%s</tr>\n", esc(a.Title), amounts(a.Amounts))
	}
	w.p("</tbody>\n<tfoot><tr><th scope=\"row\">%s</th>%s</tr></tfoot>\n</table>\n", labelWholePlan, amounts(e.Total.Amounts))

	w.p("<h3>Per tiltak og år</h3>\n")
	rows := d.measureCosts()
	if len(rows) == 0 {
		w.p("<p>%s</p>\n</section>\n", labelNoMeasures)
		return
	}
	w.p("<table class=\"data economics per-measure\">\n<caption>Kostnader per tiltak og år (kr)</caption>\n"+
		"<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>%s</tr></thead>\n", labelMeasure, labelYear, amountHead)
	for _, m := range rows {
		w.p("<tbody class=\"measure-costs\">\n")
		var sum collab.Amounts
		for i, r := range m {
			first := ""
			if i == 0 {
				first = fmt.Sprintf("<th scope=\"rowgroup\" rowspan=\"%d\">%s<br><small>%s</small></th>", len(m)+1, esc(r.measure), esc(r.area))
			}
			year := "–"
			if r.year != 0 {
				year = strconv.Itoa(r.year)
			}
			a := collab.Amounts{Investment: r.investment, Operating: r.operating, Total: r.investment + r.operating}
			sum.Investment += a.Investment
			sum.Operating += a.Operating
			sum.Total += a.Total
			w.p("<tr>%s<td>%s</td>%s</tr>\n", first, year, amounts(a))
		}
		w.p("<tr class=\"subtotal\"><td>%s</td>%s</tr>\n</tbody>\n", labelSum, amounts(sum))
	}
	w.p("<tfoot><tr><th scope=\"row\" colspan=\"2\">%s</th>%s</tr></tfoot>\n</table>\n</section>\n", labelWholePlan, amounts(e.Total.Amounts))
}

// styleSheet lays the document out for print and for the screen.
const styleSheet = `html { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10.5pt; line-height: 1.45; color: #111; }
body { margin: 0; }
h1, h2, h3, h4, h5, h6 { line-height: 1.2; break-after: avoid; page-break-after: avoid; }
h1 { font-size: 24pt; margin: 0 0 6mm; }
h2 { font-size: 16pt; margin: 0 0 4mm; }
h3 { font-size: 13pt; margin: 6mm 0 2mm; }
h4 { font-size: 11.5pt; margin: 5mm 0 2mm; }
h5, h6 { font-size: 10.5pt; margin: 4mm 0 1mm; }
.num { font-variant-numeric: tabular-nums; }
h2 .num, h3 .num, h4 .num, h5 .num, h6 .num { color: #555; margin-right: 0.4em; }
p { margin: 0 0 2.5mm; orphans: 3; widows: 3; }
a { color: #0b4f8a; }
blockquote { margin: 3mm 0 3mm 4mm; padding-left: 4mm; border-left: 2pt solid #999; color: #333; }
.indent-1 { margin-left: 3em; } .indent-2 { margin-left: 6em; } .indent-3 { margin-left: 9em; } .indent-4 { margin-left: 12em; }
.indent-5 { margin-left: 15em; } .indent-6 { margin-left: 18em; } .indent-7 { margin-left: 21em; } .indent-8 { margin-left: 24em; }
.cover { min-height: 230mm; display: flex; flex-direction: column; justify-content: center; break-after: page; page-break-after: always; }
.cover .municipality { font-size: 14pt; color: #333; margin-bottom: 4mm; }
.cover .subtitle { font-size: 12pt; color: #333; }
.cover .meta { display: grid; grid-template-columns: max-content 1fr; gap: 1mm 6mm; margin-top: 12mm; }
.cover .meta dt { font-weight: bold; } .cover .meta dd { margin: 0; }
.hearing { border: 1.5pt solid #7a1f00; color: #7a1f00; padding: 3mm 4mm; font-size: 12pt; margin-bottom: 10mm; }
.toc { break-after: page; page-break-after: always; }
.toc ol { list-style: none; padding-left: 0; margin: 0; }
.toc ol ol { padding-left: 1.6em; }
.toc li { margin: 0.6mm 0; }
.toc a { color: inherit; text-decoration: none; }
.toc .num { display: inline-block; min-width: 2.6em; color: #555; }
.chapter { break-before: page; page-break-before: always; }
.toc + main > .chapter:first-child { break-before: auto; page-break-before: auto; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 5mm; font-size: 9pt; }
caption { text-align: left; font-weight: bold; margin-bottom: 1.5mm; caption-side: top; }
th, td { border: 0.5pt solid #999; padding: 1.2mm 1.6mm; vertical-align: top; text-align: left; }
thead th { background: #e8edf2; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
td.num, th.num { text-align: right; white-space: nowrap; }
tfoot th, tfoot td, tr.subtotal td { font-weight: bold; background: #f4f6f8; }
small { color: #444; font-size: 8pt; }
.text-table td { font-size: 9.5pt; }
.measure { border: 0.75pt solid #0b4f8a; border-left-width: 3pt; padding: 2mm 3mm; margin: 3mm 0; break-inside: avoid; page-break-inside: avoid; }
.measure ul { margin: 1mm 0 0; padding-left: 5mm; font-size: 9pt; }
.measure-deleted { border-color: #999; color: #555; }
.status-on_track { color: #1d6b2f; } .status-at_risk { color: #8a5a00; } .status-off_track { color: #a11919; }
@media screen {
  body { max-width: 52rem; margin: 2rem auto; padding: 0 1.25rem; }
  .cover { min-height: 0; padding: 2rem 0; border-bottom: 1px solid #ccc; }
  .chapter { border-top: 1px solid #ccc; padding-top: 1rem; margin-top: 2rem; }
}
`
