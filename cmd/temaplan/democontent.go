package main

import (
	"context"
	"fmt"

	"github.com/temaplan/temaplan/collab"
)

// demoMeasure is a measure of the demo plan with its costs per year, in
// whole kroner.
type demoMeasure struct {
	title, unit, group string
	from, to           int
	priority           collab.Priority
	status             collab.MeasureStatus
	investment         map[int]int64
	operating          map[int]int64
}

// demoArea is what the demo plan holds for one target area of the
// template (by its position among the target areas).
type demoArea struct {
	goals    []string
	measures []demoMeasure
	// indicators belong to the area's first goal.
	indicators []collab.IndicatorInput
	reports    [][]collab.Report
}

func demoAreas() []demoArea {
	every := func(from, to int, amount int64) map[int]int64 {
		m := map[int]int64{}
		for y := from; y <= to; y++ {
			m[y] = amount
		}
		return m
	}
	s := func(v string) *string { return &v }
	return []demoArea{{
		goals: []string{"Et variert boligtilbud i alle deler av kommunen", "Flere kan eie sin egen bolig"},
		measures: []demoMeasure{
			{title: "Startlån til unge i etableringsfasen", unit: "Boligkontoret", group: "Unge 20–35 år", from: 2027, to: 2030,
				priority: collab.PriorityHigh, status: collab.MeasureInProgress, operating: every(2027, 2030, 450_000)},
			{title: "Boligstrategisk tomtereserve", unit: "Eiendomsavdelingen", group: "Alle innbyggere", from: 2028, to: 2029,
				priority: collab.PriorityMedium, status: collab.MeasurePlanned, investment: map[int]int64{2028: 15_000_000, 2029: 10_000_000}},
		},
		indicators: []collab.IndicatorInput{{Name: s("Nye boliger ferdigstilt per år"), Unit: s("antall"),
			Definition: s("Boliger med ferdigattest i kalenderåret"), Source: s("SSB, tabell 05940"), Responsible: s("Plan og bygg"),
			Baseline: &collab.Point{Value: 120, Year: 2024}, Targets: &[]collab.Point{{Value: 150, Year: 2027}, {Value: 180, Year: 2030}}}},
		reports: [][]collab.Report{{{Date: "2025-12-31", Value: 138, Note: "Foreløpige tall"}}},
	}, {
		goals: []string{"Ingen skal være bostedsløse"},
		measures: []demoMeasure{
			{title: "Housing First-team", unit: "NAV og helse- og omsorgstjenesten", group: "Bostedsløse med rus- og psykiske helseutfordringer",
				from: 2027, to: 2030, priority: collab.PriorityHigh, status: collab.MeasurePlanned, operating: every(2027, 2030, 2_400_000)},
			{title: "Kommunale utleieboliger for barnefamilier", unit: "Eiendomsavdelingen", group: "Barnefamilier med lav inntekt",
				from: 2027, to: 2028, priority: collab.PriorityHigh, status: collab.MeasurePlanned,
				investment: map[int]int64{2027: 32_000_000, 2028: 18_000_000}, operating: map[int]int64{2028: 350_000}},
		},
		indicators: []collab.IndicatorInput{{Name: s("Bostedsløse"), Unit: s("antall"),
			Definition: s("Personer uten egen bolig, kartlagt i uke 48"), Source: s("Bostedsløsekartleggingen (NIBR/OsloMet)"),
			Responsible: s("NAV"), Baseline: &collab.Point{Value: 48, Year: 2024},
			Targets: &[]collab.Point{{Value: 35, Year: 2027}, {Value: 20, Year: 2030}}}},
		reports: [][]collab.Report{{{Date: "2025-11-30", Value: 47, Note: "Kartlegging 2025"}}},
	}, {
		goals: []string{"Et samordnet boligarbeid på tvers av tjenestene"},
		measures: []demoMeasure{
			{title: "Felles boligkontor", unit: "Kommunedirektøren", group: "Boligsøkere", from: 2028, to: 2030,
				priority: collab.PriorityMedium, status: collab.MeasurePlanned, operating: every(2028, 2030, 800_000)},
		},
	}}
}

// seedDemoContent gives the new demo plan its period, goals, measures with
// costs, indicators and milestones, so that every page has something to
// show. It runs only right after the plan was created.
func seedDemoContent(ctx context.Context, plans *collab.Plans, leader collab.Actor) error {
	p, err := plans.ChangeSettings(ctx, leader, demoPlanID, 0, &collab.Period{From: 2027, To: 2030}, nil)
	if err != nil {
		return err
	}
	areas := p.TargetAreas()
	for i, a := range demoAreas() {
		if i >= len(areas) {
			break
		}
		area := areas[i].ID
		var goals []string
		for _, title := range a.goals {
			_, g, err := collab.Save(ctx, plans, leader, demoPlanID, "", collab.GoalInput{TargetArea: &area, Title: &title})
			if err != nil {
				return fmt.Errorf("goal %q: %w", title, err)
			}
			goals = append(goals, g.ID)
		}
		for _, m := range a.measures {
			var costs []collab.CostLine
			for y := m.from; y <= m.to; y++ {
				if m.investment[y] != 0 || m.operating[y] != 0 {
					costs = append(costs, collab.CostLine{Year: y, Investment: m.investment[y], Operating: m.operating[y]})
				}
			}
			in := collab.MeasureInput{TargetArea: &area, Title: &m.title, Unit: &m.unit, TargetGroup: &m.group,
				StartYear: &m.from, EndYear: &m.to, Priority: &m.priority, Status: &m.status, Goals: &[]string{goals[0]}, Costs: &costs}
			if _, _, err := collab.Save(ctx, plans, leader, demoPlanID, "", in); err != nil {
				return fmt.Errorf("measure %q: %w", m.title, err)
			}
		}
		for k, in := range a.indicators {
			in.Goal = &goals[0]
			_, ind, err := collab.Save(ctx, plans, leader, demoPlanID, "", in)
			if err != nil {
				return fmt.Errorf("indicator: %w", err)
			}
			for _, r := range a.reports[k] {
				if _, err := plans.ReportIndicator(ctx, leader, demoPlanID, 0, ind.ID, r.Date, r.Value, r.Note); err != nil {
					return fmt.Errorf("report: %w", err)
				}
			}
		}
	}
	for _, m := range []struct {
		title, date, responsible string
		status                   collab.MilestoneStatus
	}{
		{"Oppstartsmøte i prosjektgruppen", "2026-10-01", "leader", collab.MilestoneDone},
		{"Kunnskapsgrunnlaget er ferdig", "2026-11-20", "member", collab.MilestoneInProgress},
		{"Utkastet er klart for styringsgruppen", "2027-02-15", "leader", collab.MilestonePlanned},
		{"Offentlig høring", "2027-04-01", "steering", collab.MilestonePlanned},
		{"Politisk behandling", "2027-06-15", "political", collab.MilestonePlanned},
	} {
		in := collab.MilestoneInput{Title: &m.title, Date: &m.date, Responsible: &m.responsible, Status: &m.status}
		if _, _, err := collab.Save(ctx, plans, leader, demoPlanID, "", in); err != nil {
			return fmt.Errorf("milestone %q: %w", m.title, err)
		}
	}
	return nil
}
