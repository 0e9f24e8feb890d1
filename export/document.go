// Package export makes the documents a plan is printed and archived as
// (SPEC.md §7): print-ready HTML, PDF printed from that HTML by headless
// Chromium, DOCX, and the economics and scorecard as XLSX. The generators
// are pure functions of a Document, which the caller reads from the plan
// (the current text or a named version) before the work starts; Jobs runs
// them in the background, a bounded number at a time.
//
// Text reaches HTML only through package render, which escapes it; the
// office formats write text as XML character data and spreadsheet cells as
// values, never formulas.
package export

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/delta"
	"github.com/temaplan/temaplan/render"
)

// Document is everything an export shows: the plan's outline, texts and
// structured content as of the version exported.
type Document struct {
	// Plan holds the title, type and phase, the outline (Sections), the
	// planning period and the structured content of the version. Its
	// indicators' status is computed by the generators.
	Plan *collab.Plan
	// Municipality is the municipality's name.
	Municipality string
	// Texts are the sections' texts by section id; a section without one
	// is shown empty.
	Texts map[string]delta.Delta
	// Version is the named version exported, "" for the current text;
	// VersionAt is when it was frozen.
	Version   string
	VersionAt time.Time
	// Hearing marks the hearing version (Høringsutkast): its pages carry
	// the hearing header, with HearingDeadline ("YYYY-MM-DD") when known.
	Hearing         bool
	HearingDeadline string
	// Generated is when the export was made, in the municipality's zone.
	Generated time.Time
}

// sectionNumber numbers the outline: "1", "1.2", "1.2.3".
type numbered struct {
	sec    *collab.Section
	depth  int
	number string
}

// outline returns the plan's sections in order with their numbers.
func (d *Document) outline() []numbered {
	var out []numbered
	var walk func(list []*collab.Section, depth int, prefix string)
	walk = func(list []*collab.Section, depth int, prefix string) {
		for i, s := range list {
			n := prefix + strconv.Itoa(i+1)
			out = append(out, numbered{sec: s, depth: depth, number: n})
			walk(s.Children, depth+1, n+".")
		}
	}
	walk(d.Plan.Sections, 0, "")
	return out
}

// blocks returns the section's text as blocks.
func (d *Document) blocks(id string) []render.Block {
	t, ok := d.Texts[id]
	if !ok {
		return nil
	}
	bs := render.Blocks(t)
	// A text of one empty line (a section nobody wrote in) shows nothing.
	if len(bs) == 1 && len(bs[0].Runs) == 0 {
		return nil
	}
	return bs
}

// title returns the document's title line: the plan's title, with the
// version's name when one is exported.
func (d *Document) title() string {
	if d.Version != "" {
		return d.Plan.Title + " – " + d.Version
	}
	return d.Plan.Title
}

// indicators returns the plan's indicators with their status computed.
func (d *Document) indicators() []collab.Indicator {
	out := make([]collab.Indicator, 0, len(d.Plan.Indicators))
	for _, ind := range d.Plan.Indicators {
		c := *ind
		c.Status = ind.Evaluate()
		out = append(out, c)
	}
	return out
}

// indicatorGroup is the indicators of one target area.
type indicatorGroup struct {
	title string
	rows  []collab.Indicator
}

// indicatorGroups groups indicators by the target area of their goal, in
// outline order; indicators whose goal is in no target area of the
// outline come last.
func (d *Document) indicatorGroups(inds []collab.Indicator) []indicatorGroup {
	byArea := map[string][]collab.Indicator{}
	for _, ind := range inds {
		area := ""
		if g, ok := d.Plan.Goal(ind.Goal); ok {
			area = g.TargetArea
		}
		byArea[area] = append(byArea[area], ind)
	}
	var out []indicatorGroup
	for _, a := range d.Plan.TargetAreas() {
		if rows := byArea[a.ID]; len(rows) > 0 {
			out = append(out, indicatorGroup{title: a.Title, rows: rows})
		}
		delete(byArea, a.ID)
	}
	var rest []collab.Indicator
	for _, ind := range inds {
		area := ""
		if g, ok := d.Plan.Goal(ind.Goal); ok {
			area = g.TargetArea
		}
		if _, left := byArea[area]; left {
			rest = append(rest, ind)
		}
	}
	if len(rest) > 0 {
		out = append(out, indicatorGroup{title: "Andre indikatorer", rows: rest})
	}
	return out
}

// areaTitle returns the title of the target area with id.
func (d *Document) areaTitle(id string) string {
	if s, _, ok := d.Plan.Find(id); ok {
		return s.Title
	}
	return ""
}

// goalArea returns the target area of the goal with id.
func (d *Document) goalArea(id string) (goal, area string) {
	if g, ok := d.Plan.Goal(id); ok {
		return g.Title, d.areaTitle(g.TargetArea)
	}
	return "", ""
}

// measureView is what an embedded measure shows.
func (d *Document) measureView(id string) (render.MeasureView, bool) {
	m, ok := d.Plan.Measure(id)
	if !ok {
		return render.MeasureView{}, false
	}
	return render.MeasureView{Title: labelMeasure + ": " + m.Title, Facts: measureFacts(m)}, true
}

// measureFacts are the lines that describe a measure.
func measureFacts(m *collab.Measure) []string {
	var facts []string
	if m.Description != "" {
		facts = append(facts, m.Description)
	}
	if m.Unit != "" {
		facts = append(facts, "Ansvarlig: "+m.Unit)
	}
	if m.TargetGroup != "" {
		facts = append(facts, "Målgruppe: "+m.TargetGroup)
	}
	facts = append(facts, fmt.Sprintf("Periode: %d–%d · Prioritet: %s · Status: %s",
		m.StartYear, m.EndYear, priorityText(m.Priority), measureStatusText(m.Status)))
	var inv, op int64
	for _, c := range m.Costs {
		inv += c.Investment
		op += c.Operating
	}
	if inv+op > 0 {
		facts = append(facts, fmt.Sprintf("Kostnader: investering %s, drift %s, sum %s",
			Kroner(inv), Kroner(op), Kroner(inv+op)))
	} else {
		facts = append(facts, "Ingen kostnader ført.")
	}
	return facts
}

// Labels (bokmål).
const (
	labelMeasure     = "Tiltak"
	labelContents    = "Innhold"
	labelScorecard   = "Målekort"
	labelEconomics   = "Økonomisk oversikt"
	labelDeleted     = "Tiltaket er slettet"
	labelHearing     = "Høringsutkast"
	labelDeadline    = "Høringsfrist"
	labelInvestment  = "Investering"
	labelOperating   = "Drift"
	labelSum         = "Sum"
	labelSumPeriod   = "Sum for perioden"
	labelYear        = "År"
	labelArea        = "Målområde"
	labelGoal        = "Mål"
	labelIndicator   = "Indikator"
	labelUnit        = "Enhet"
	labelBaseline    = "Utgangsverdi"
	labelTargets     = "Målverdier"
	labelLatest      = "Siste rapporterte verdi"
	labelStatus      = "Status"
	labelWholePlan   = "Hele planen"
	labelStrategies  = "Strategier"
	labelNoMeasures  = "Ingen tiltak ennå."
	labelNoIndicator = "Planen har ingen indikatorer ennå."
	labelAmounts     = "Alle beløp i hele kroner."
)

func typeText(t collab.PlanType) string {
	if t == collab.TypeKommunedelplan {
		return "Kommunedelplan"
	}
	return "Temaplan"
}

func phaseText(p collab.Phase) string {
	switch p {
	case collab.PhaseDraft:
		return "Utkast"
	case collab.PhaseReview:
		return "Låst for godkjenning"
	case collab.PhaseApproved:
		return "Godkjent for høring"
	case collab.PhaseHearing:
		return "På høring"
	case collab.PhaseProcessing:
		return "Ferdigstilling"
	case collab.PhaseFinalReview:
		return "Til vedtak"
	case collab.PhaseAmending:
		return "Innarbeiding av vedtak"
	case collab.PhaseAdopted:
		return "Vedtatt"
	}
	return string(p)
}

func priorityText(p collab.Priority) string {
	switch p {
	case collab.PriorityHigh:
		return "Høy"
	case collab.PriorityMedium:
		return "Middels"
	case collab.PriorityLow:
		return "Lav"
	}
	return string(p)
}

func measureStatusText(s collab.MeasureStatus) string {
	switch s {
	case collab.MeasurePlanned:
		return "Planlagt"
	case collab.MeasureInProgress:
		return "Pågår"
	case collab.MeasureDone:
		return "Gjennomført"
	case collab.MeasureCancelled:
		return "Avlyst"
	}
	return string(s)
}

func indicatorStatusText(s collab.IndicatorStatus) string {
	switch s {
	case collab.OnTrack:
		return "På sporet"
	case collab.AtRisk:
		return "I faresonen"
	case collab.OffTrack:
		return "Utenfor sporet"
	}
	return "Ingen data"
}

// nbsp is the no-break space nb-NO puts between groups of thousands (as
// Intl.NumberFormat does in the browser).
const nbsp = "\u00a0"

// Kroner writes whole kroner the Norwegian way: 1 500 000, with no-break
// spaces between the groups of thousands and a minus sign (−) before a
// negative amount.
func Kroner(n int64) string {
	neg := n < 0
	u := uint64(n)
	if neg {
		u = uint64(-n)
	}
	s := group(strconv.FormatUint(u, 10))
	if neg {
		return "\u2212" + s
	}
	return s
}

// group puts no-break spaces between the groups of three digits of s.
func group(s string) string {
	if len(s) <= 3 {
		return s
	}
	var sb strings.Builder
	head := len(s) % 3
	if head > 0 {
		sb.WriteString(s[:head])
	}
	for i := head; i < len(s); i += 3 {
		if sb.Len() > 0 {
			sb.WriteString(nbsp)
		}
		sb.WriteString(s[i : i+3])
	}
	return sb.String()
}

// Number writes an indicator value the Norwegian way: "12,5", "1 234",
// "−3", with at most six decimals.
func Number(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	v = math.Round(v*1e6) / 1e6
	neg := v < 0
	s := strconv.FormatFloat(math.Abs(v), 'f', -1, 64)
	whole, frac, _ := strings.Cut(s, ".")
	out := group(whole)
	if frac != "" {
		out += "," + frac
	}
	if neg && out != "0" {
		return "\u2212" + out
	}
	return out
}

// withUnit writes a value with its unit after a no-break space.
func withUnit(v float64, unit string) string {
	if unit == "" {
		return Number(v)
	}
	if unit == "%" {
		return Number(v) + nbsp + "%"
	}
	return Number(v) + nbsp + unit
}

var months = [...]string{"januar", "februar", "mars", "april", "mai", "juni", "juli",
	"august", "september", "oktober", "november", "desember"}

// Date writes a date the Norwegian way: "15. mai 2027".
func Date(t time.Time) string {
	return fmt.Sprintf("%d. %s %d", t.Day(), months[t.Month()-1], t.Year())
}

// dateOf writes a date "YYYY-MM-DD" the Norwegian way; a malformed one is
// written as it is.
func dateOf(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return Date(t)
}

// latest returns an indicator's latest report by date.
func latest(ind collab.Indicator) (collab.Report, bool) {
	if len(ind.Reports) == 0 {
		return collab.Report{}, false
	}
	l := ind.Reports[0]
	for _, r := range ind.Reports[1:] {
		if r.Date >= l.Date {
			l = r
		}
	}
	return l, true
}

// targetsText writes an indicator's targets: "150 i 2027, 180 i 2030".
func targetsText(ind collab.Indicator) string {
	parts := make([]string, len(ind.Targets))
	for i, t := range ind.Targets {
		parts[i] = fmt.Sprintf("%s i %d", withUnit(t.Value, ind.Unit), t.Year)
	}
	return strings.Join(parts, ", ")
}

// costRow is one line of the economics per measure and year.
type costRow struct {
	area, measure string
	year          int
	investment    int64
	operating     int64
}

// measureCosts returns the cost lines of every measure in outline order
// of their target areas, then in the order of the plan's measures.
func (d *Document) measureCosts() [][]costRow {
	var out [][]costRow
	order := map[string]int{}
	for i, a := range d.Plan.TargetAreas() {
		order[a.ID] = i
	}
	byArea := make([][]*collab.Measure, len(order)+1)
	for _, m := range d.Plan.Measures {
		i, ok := order[m.TargetArea]
		if !ok {
			i = len(order)
		}
		byArea[i] = append(byArea[i], m)
	}
	for _, ms := range byArea {
		for _, m := range ms {
			var rows []costRow
			for _, c := range m.Costs {
				rows = append(rows, costRow{area: d.areaTitle(m.TargetArea), measure: m.Title, year: c.Year,
					investment: c.Investment, operating: c.Operating})
			}
			if len(rows) == 0 {
				rows = append(rows, costRow{area: d.areaTitle(m.TargetArea), measure: m.Title})
			}
			out = append(out, rows)
		}
	}
	return out
}
