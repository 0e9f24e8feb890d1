package export_test

import (
	"encoding/xml"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/temaplan/temaplan/export"
)

// xlsxCell is a cell as the sheet XML holds it.
type xlsxCell struct {
	Ref   string  `xml:"r,attr"`
	Type  string  `xml:"t,attr"`
	Style int     `xml:"s,attr"`
	Value *string `xml:"v"`
	F     *string `xml:"f"`
	Text  *string `xml:"is>t"`
}

// readSheet returns a sheet's cells by reference.
func readSheet(t *testing.T, data string) map[string]xlsxCell {
	t.Helper()
	var ws struct {
		Rows []struct {
			Cells []xlsxCell `xml:"c"`
		} `xml:"sheetData>row"`
	}
	if err := xml.Unmarshal([]byte(data), &ws); err != nil {
		t.Fatal(err)
	}
	cells := map[string]xlsxCell{}
	for _, r := range ws.Rows {
		for _, c := range r.Cells {
			cells[c.Ref] = c
		}
	}
	return cells
}

// TestXLSX_CellsAreValues unzips the workbook and checks every cell:
// text is an inline string, numbers are numbers, no cell is a formula —
// also a measure titled like one, whose cell carries the quote prefix.
func TestXLSX_CellsAreValues(t *testing.T) {
	data, err := export.XLSX(testDocument(t))
	if err != nil {
		t.Fatal(err)
	}
	parts := unzip(t, data)
	for name, p := range parts {
		if regexp.MustCompile(`<f[ >/]`).MatchString(p) {
			t.Errorf("%s holds a formula", name)
		}
	}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := xml.Unmarshal([]byte(parts["xl/workbook.xml"]), &wb); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range wb.Sheets {
		names = append(names, s.Name)
	}
	if got := strings.Join(names, "|"); got != "Tiltak og år|Per år|Per målområde|Målekort|Målverdier|Rapporterte verdier" {
		t.Errorf("sheets %s", got)
	}
	var styles struct {
		Xfs []struct {
			NumFmt      int  `xml:"numFmtId,attr"`
			QuotePrefix bool `xml:"quotePrefix,attr"`
		} `xml:"cellXfs>xf"`
	}
	if err := xml.Unmarshal([]byte(parts["xl/styles.xml"]), &styles); err != nil {
		t.Fatal(err)
	}
	quoted := func(c xlsxCell) bool { return c.Style < len(styles.Xfs) && styles.Xfs[c.Style].QuotePrefix }

	all := map[string]map[string]xlsxCell{}
	for i := range wb.Sheets {
		sheet := readSheet(t, parts["xl/worksheets/sheet"+strconv.Itoa(i+1)+".xml"])
		all[names[i]] = sheet
		for ref, c := range sheet {
			switch {
			case c.F != nil:
				t.Errorf("%s!%s is a formula", names[i], ref)
			case c.Type == "inlineStr":
				if c.Text == nil || c.Value != nil {
					t.Errorf("%s!%s: a string cell without its text", names[i], ref)
				}
				if s := *c.Text; s != "" && strings.ContainsRune("=+-@", rune(s[0])) && !quoted(c) {
					t.Errorf("%s!%s %q may be read as a formula: no quote prefix", names[i], ref, s)
				}
			case c.Type == "":
				if c.Value == nil {
					t.Errorf("%s!%s: a number cell without a value", names[i], ref)
				} else if _, err := strconv.ParseFloat(*c.Value, 64); err != nil {
					t.Errorf("%s!%s: %q is not a number", names[i], ref, *c.Value)
				}
			default:
				t.Errorf("%s!%s has type %q: only numbers and inline strings are written", names[i], ref, c.Type)
			}
		}
	}
	text := func(sheet, ref string) string {
		c := all[sheet][ref]
		if c.Type != "inlineStr" || c.Text == nil {
			t.Errorf("%s!%s is not a string: %+v", sheet, ref, c)
			return ""
		}
		return *c.Text
	}
	number := func(sheet, ref string) float64 {
		c := all[sheet][ref]
		if c.Type != "" || c.Value == nil {
			t.Errorf("%s!%s is not a number: %+v", sheet, ref, c)
			return 0
		}
		v, _ := strconv.ParseFloat(*c.Value, 64)
		return v
	}
	// The measure named like a formula is row 10 of the costs: a string
	// cell with exactly that text, quoted.
	if got := text("Tiltak og år", "B10"); got != hostileMeasure {
		t.Errorf("B11 = %q, want the title as written", got)
	}
	if !quoted(all["Tiltak og år"]["B10"]) {
		t.Error("the formula-like title has no quote prefix")
	}
	for _, c := range []struct {
		sheet, ref string
		want       float64
	}{
		{"Tiltak og år", "C2", 2027}, {"Tiltak og år", "E2", 450_000}, {"Tiltak og år", "D8", 32_000_000},
		{"Tiltak og år", "D11", 75_000_000}, {"Tiltak og år", "E11", 2_150_001}, {"Tiltak og år", "F11", 77_150_001},
		{"Per år", "A3", 2028}, {"Per år", "D3", 33_800_000}, {"Per år", "D6", 77_150_001},
		{"Per målområde", "D2", 26_800_000}, {"Målekort", "J2", 120}, {"Målekort", "L3", 47.5},
		{"Målekort", "K2", 46022}, // 2025-12-31 as Excel's serial date
		{"Målverdier", "C3", 180}, {"Rapporterte verdier", "C3", 47.5},
	} {
		if got := number(c.sheet, c.ref); got != c.want {
			t.Errorf("%s!%s = %v, want %v", c.sheet, c.ref, got, c.want)
		}
	}
	if got := text("Tiltak og år", "A11"); got != "Sum for perioden" {
		t.Errorf("A11 = %q", got)
	}
	if got := text("Målekort", "F3"); got != "-kartlegging" || !quoted(all["Målekort"]["F3"]) {
		t.Errorf("F3 = %q, quoted %v", got, quoted(all["Målekort"]["F3"]))
	}
	if got := text("Målekort", "M3"); got != "Utenfor sporet" {
		t.Errorf("M3 = %q", got)
	}
}
