package export

import (
	"archive/zip"
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/render"
)

// XLSX returns the plan's economics and scorecard as a workbook (Office
// Open XML, written with archive/zip): costs per measure and year, per
// year and per target area, the indicators, their targets and their
// reported values. Every cell holds a value: amounts and indicator values
// are numbers, dates are dates, text is an inline string — never a
// formula, also when the text begins with = + - or @ (such cells carry
// Excel's quote prefix, so editing them does not make them formulas
// either). Sums are computed here and written as numbers.
func XLSX(d *Document) ([]byte, error) {
	sheets := []sheet{d.costSheet(), d.yearSheet(), d.areaSheet(), d.scorecardSheet(), d.targetSheet(), d.reportSheet()}
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	files := []struct{ name, data string }{
		{"[Content_Types].xml", xlsxContentTypes(len(sheets))},
		{"_rels/.rels", xlsxRootRels},
		{"docProps/core.xml", xlsxCore(d)},
		{"xl/workbook.xml", xlsxWorkbook(sheets)},
		{"xl/_rels/workbook.xml.rels", xlsxWorkbookRels(len(sheets))},
		{"xl/styles.xml", xlsxStyles},
	}
	for i, s := range sheets {
		files = append(files, struct{ name, data string }{fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1), s.xml()})
	}
	for _, f := range files {
		fw, err := z.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: d.Generated})
		if err != nil {
			return nil, fmt.Errorf("xlsx %s: %w", f.name, err)
		}
		if _, err := fw.Write([]byte(f.data)); err != nil {
			return nil, fmt.Errorf("xlsx %s: %w", f.name, err)
		}
	}
	if err := z.Close(); err != nil {
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	return buf.Bytes(), nil
}

// The cell styles (indexes of cellXfs in xlsxStyles).
const (
	styleNone      = 0
	styleHeader    = 1
	styleKroner    = 2
	styleKronerSum = 3
	styleQuoted    = 4 // text Excel must never read as a formula
	styleDate      = 5
	styleBold      = 6
)

// xcell is one cell: text, a number or a date.
type xcell struct {
	text   string
	num    float64
	isNum  bool
	isDate bool
	style  int
}

func str(s string) xcell     { return xcell{text: s} }
func boldStr(s string) xcell { return xcell{text: s, style: styleBold} }
func kr(n int64, sum bool) xcell {
	if sum {
		return xcell{num: float64(n), isNum: true, style: styleKronerSum}
	}
	return xcell{num: float64(n), isNum: true, style: styleKroner}
}
func num(v float64) xcell { return xcell{num: v, isNum: true} }
func year(y int) xcell    { return xcell{num: float64(y), isNum: true} }

// date is a date "YYYY-MM-DD" as a date cell, or as text when malformed.
func date(s string) xcell {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return str(s)
	}
	// Excel's serial date: days since 30 December 1899.
	days := t.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24
	return xcell{num: math.Round(days), isNum: true, isDate: true, style: styleDate}
}

// sheet is a worksheet: a header row, data rows and column widths.
type sheet struct {
	name   string
	widths []float64
	head   []string
	rows   [][]xcell
}

// formulaStart reports whether text would start a formula, or a DDE
// payload, if a spreadsheet read it as typed input.
func formulaStart(s string) bool {
	return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0]))
}

// colName is the letter name of the 0-based column i: A, …, Z, AA, ….
func colName(i int) string {
	name := ""
	for i++; i > 0; i = (i - 1) / 26 {
		name = string(rune('A'+(i-1)%26)) + name
	}
	return name
}

func (s sheet) xml() string {
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
		`<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>` +
		`<sheetFormatPr defaultRowHeight="15"/><cols>`)
	for i, w := range s.widths {
		fmt.Fprintf(&sb, `<col min="%d" max="%d" width="%g" customWidth="1"/>`, i+1, i+1, w)
	}
	sb.WriteString(`</cols><sheetData>`)
	head := make([]xcell, len(s.head))
	for i, h := range s.head {
		head[i] = xcell{text: h, style: styleHeader}
	}
	for r, row := range append([][]xcell{head}, s.rows...) {
		fmt.Fprintf(&sb, `<row r="%d">`, r+1)
		for c, cell := range row {
			ref := colName(c) + strconv.Itoa(r+1)
			switch {
			case cell.isNum:
				v := cell.num
				if math.IsNaN(v) || math.IsInf(v, 0) {
					v = 0
				}
				fmt.Fprintf(&sb, `<c r="%s" s="%d"><v>%s</v></c>`, ref, cell.style, strconv.FormatFloat(v, 'f', -1, 64))
			case cell.text == "":
				// An empty cell is left out.
			default:
				style := cell.style
				if formulaStart(cell.text) {
					style = styleQuoted
				}
				fmt.Fprintf(&sb, `<c r="%s" s="%d" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>`, ref, style, xesc(render.CleanText(cell.text)))
			}
		}
		sb.WriteString(`</row>`)
	}
	sb.WriteString(`</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>`)
	return sb.String()
}

func (d *Document) costSheet() sheet {
	s := sheet{name: "Tiltak og år", widths: []float64{28, 44, 8, 16, 16, 16},
		head: []string{labelArea, labelMeasure, labelYear, labelInvestment + " (kr)", labelOperating + " (kr)", labelSum + " (kr)"}}
	var total collab.Amounts
	for _, m := range d.measureCosts() {
		for _, r := range m {
			row := []xcell{str(r.area), str(r.measure), {}, kr(r.investment, false), kr(r.operating, false), kr(r.investment+r.operating, false)}
			if r.year != 0 {
				row[2] = year(r.year)
			}
			s.rows = append(s.rows, row)
			total.Investment += r.investment
			total.Operating += r.operating
			total.Total += r.investment + r.operating
		}
	}
	s.rows = append(s.rows, []xcell{boldStr(labelSumPeriod), {}, {}, kr(total.Investment, true), kr(total.Operating, true), kr(total.Total, true)})
	return s
}

func (d *Document) yearSheet() sheet {
	e := collab.ComputeEconomics(d.Plan)
	s := sheet{name: "Per år", widths: []float64{20, 16, 16, 16},
		head: []string{labelYear, labelInvestment + " (kr)", labelOperating + " (kr)", labelSum + " (kr)"}}
	for _, y := range e.Total.Years {
		s.rows = append(s.rows, []xcell{year(y.Year), kr(y.Investment, false), kr(y.Operating, false), kr(y.Total, false)})
	}
	s.rows = append(s.rows, []xcell{boldStr(labelSumPeriod), kr(e.Total.Investment, true), kr(e.Total.Operating, true), kr(e.Total.Total, true)})
	return s
}

func (d *Document) areaSheet() sheet {
	e := collab.ComputeEconomics(d.Plan)
	s := sheet{name: "Per målområde", widths: []float64{36, 16, 16, 16},
		head: []string{labelArea, labelInvestment + " (kr)", labelOperating + " (kr)", labelSum + " (kr)"}}
	for _, a := range e.Areas {
		s.rows = append(s.rows, []xcell{str(a.Title), kr(a.Investment, false), kr(a.Operating, false), kr(a.Total, false)})
	}
	s.rows = append(s.rows, []xcell{boldStr(labelWholePlan), kr(e.Total.Investment, true), kr(e.Total.Operating, true), kr(e.Total.Total, true)})
	return s
}

func frequencyText(f collab.Frequency) string {
	switch f {
	case collab.FrequencyMonthly:
		return "Månedlig"
	case collab.FrequencyQuarterly:
		return "Kvartalsvis"
	case collab.FrequencyHalfYearly:
		return "Halvårlig"
	case collab.FrequencyYearly:
		return "Årlig"
	}
	return string(f)
}

func (d *Document) scorecardSheet() sheet {
	s := sheet{name: labelScorecard, widths: []float64{26, 34, 34, 10, 40, 24, 12, 20, 10, 12, 12, 12, 14},
		head: []string{labelArea, labelGoal, labelIndicator, labelUnit, "Definisjon", "Datakilde", "Frekvens", "Ansvarlig",
			"Utgangsår", labelBaseline, "Siste dato", "Siste verdi", labelStatus}}
	for _, ind := range d.indicators() {
		goal, area := d.goalArea(ind.Goal)
		row := []xcell{str(area), str(goal), str(ind.Name), str(ind.Unit), str(ind.Definition), str(ind.Source),
			str(frequencyText(ind.Frequency)), str(ind.Responsible), year(ind.Baseline.Year), num(ind.Baseline.Value), {}, {},
			str(indicatorStatusText(ind.Status))}
		if r, ok := latest(ind); ok {
			row[10], row[11] = date(r.Date), num(r.Value)
		}
		s.rows = append(s.rows, row)
	}
	return s
}

func (d *Document) targetSheet() sheet {
	s := sheet{name: labelTargets, widths: []float64{40, 10, 14}, head: []string{labelIndicator, labelYear, "Målverdi"}}
	for _, ind := range d.Plan.Indicators {
		for _, t := range ind.Targets {
			s.rows = append(s.rows, []xcell{str(ind.Name), year(t.Year), num(t.Value)})
		}
	}
	return s
}

func (d *Document) reportSheet() sheet {
	s := sheet{name: "Rapporterte verdier", widths: []float64{40, 12, 14, 40},
		head: []string{labelIndicator, "Dato", "Verdi", "Merknad"}}
	for _, ind := range d.Plan.Indicators {
		for _, r := range ind.Reports {
			s.rows = append(s.rows, []xcell{str(ind.Name), date(r.Date), num(r.Value), str(r.Note)})
		}
	}
	return s
}

func xlsxContentTypes(n int) string {
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
		`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>`)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&sb, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`, i)
	}
	sb.WriteString(`</Types>`)
	return sb.String()
}

const xlsxRootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>`

func xlsxCore(d *Document) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
		`<dc:title>` + xesc(d.title()+" – økonomi og målekort") + `</dc:title><dc:creator>` + xesc(d.Municipality) + `</dc:creator>` +
		`<dcterms:created xsi:type="dcterms:W3CDTF">` + d.Generated.UTC().Format(time.RFC3339) + `</dcterms:created></cp:coreProperties>`
}

func xlsxWorkbook(sheets []sheet) string {
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
		`<bookViews><workbookView/></bookViews><sheets>`)
	for i, s := range sheets {
		fmt.Fprintf(&sb, `<sheet name="%s" sheetId="%d" r:id="rId%d"/>`, xesc(s.name), i+1, i+1)
	}
	sb.WriteString(`</sheets></workbook>`)
	return sb.String()
}

func xlsxWorkbookRels(n int) string {
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&sb, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>`, i, i)
	}
	fmt.Fprintf(&sb, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>`, n+1)
	sb.WriteString(`</Relationships>`)
	return sb.String()
}

// xlsxStyles: kroner as "# ##0" (built-in format 3, shown with the
// reader's thousands separator), dates as yyyy-mm-dd, bold headers and
// sums, and the quote prefix for text that looks like a formula.
const xlsxStyles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
	`<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\-mm\-dd"/></numFmts>` +
	`<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>` +
	`<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>` +
	`<fill><patternFill patternType="solid"><fgColor rgb="FFE8EDF2"/><bgColor indexed="64"/></patternFill></fill></fills>` +
	`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
	`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
	`<cellXfs count="7">` +
	`<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
	`<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>` +
	`<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>` +
	`<xf numFmtId="3" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1"/>` +
	`<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" quotePrefix="1"/>` +
	`<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>` +
	`<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>` +
	`</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`
