package collab_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/temaplan/temaplan/collab"
)

// contentFixture is a plan created in 2026 (period 2027–2030) with a
// leader, a member and a finance officer, and the first two target areas
// of the template.
type contentFixture struct {
	ps           *collab.Plans
	e            *collab.Engine
	plan         *collab.Plan
	areaA, areaB string
	leader       collab.Actor
}

func newContentFixture(t *testing.T, b backend) *contentFixture {
	t.Helper()
	store := b.open(t)
	ps, e := newPlansWithEngine(t, store, newBus(t))
	p, err := ps.Create(context.Background(), "admin", collab.NewPlan{Title: "Plan", Municipality: "m",
		Members: []collab.Member{{User: "lise", Roles: []string{"leader"}}, {User: "mats", Roles: []string{"member"}},
			{User: "frida", Roles: []string{"finance"}}, {User: "siri", Roles: []string{"steering"}}}})
	if err != nil {
		t.Fatal(err)
	}
	p.Period = collab.Period{From: 2027, To: 2030}
	if _, err := ps.ChangeSettings(context.Background(), collab.Actor{ID: "lise"}, p.ID, 0, &p.Period, nil); err != nil {
		t.Fatal(err)
	}
	areas := p.TargetAreas()
	return &contentFixture{ps: ps, e: e, plan: p, areaA: areas[0].ID, areaB: areas[1].ID, leader: collab.Actor{ID: "lise"}}
}

func (f *contentFixture) get(t *testing.T) *collab.Plan {
	t.Helper()
	p, err := f.ps.Get(context.Background(), f.plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func ptr[T any](v T) *T { return &v }

func (f *contentFixture) measure(t *testing.T, in collab.MeasureInput) *collab.Measure {
	t.Helper()
	_, m, err := collab.Save(context.Background(), f.ps, f.leader, f.plan.ID, "", in)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (f *contentFixture) goal(t *testing.T, area, title string) *collab.Goal {
	t.Helper()
	_, g, err := collab.Save(context.Background(), f.ps, f.leader, f.plan.ID, "",
		collab.GoalInput{TargetArea: &area, Title: &title})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestContent_MeasureValidation(t *testing.T) {
	f := newContentFixture(t, backends()[0])
	g := f.goal(t, f.areaA, "Flere eide boliger")
	other := f.goal(t, f.areaB, "Et annet mål")
	valid := func() collab.MeasureInput {
		return collab.MeasureInput{TargetArea: ptr(f.areaA), Title: ptr("Startlån til unge"), StartYear: ptr(2027), EndYear: ptr(2028),
			Goals: &[]string{g.ID}, Costs: &[]collab.CostLine{{Year: 2027, Investment: 100, Operating: 5}}}
	}
	cases := []struct {
		name   string
		change func(in *collab.MeasureInput)
		want   string // in the message
	}{
		{"end before start", func(in *collab.MeasureInput) { in.StartYear, in.EndYear = ptr(2029), ptr(2028) }, "before start_year"},
		{"start before the period", func(in *collab.MeasureInput) { in.StartYear = ptr(2026) }, "outside the planning period"},
		{"end after the period", func(in *collab.MeasureInput) { in.EndYear = ptr(2031) }, "outside the planning period"},
		{"negative investment", func(in *collab.MeasureInput) {
			in.Costs = &[]collab.CostLine{{Year: 2027, Investment: -1}}
		}, "must not be negative"},
		{"negative operating", func(in *collab.MeasureInput) {
			in.Costs = &[]collab.CostLine{{Year: 2028, Operating: -500}}
		}, "must not be negative"},
		{"amount too large", func(in *collab.MeasureInput) {
			in.Costs = &[]collab.CostLine{{Year: 2027, Investment: 1_000_000_000_001}}
		}, "over"},
		{"a year twice", func(in *collab.MeasureInput) {
			in.Costs = &[]collab.CostLine{{Year: 2027, Investment: 1}, {Year: 2027, Operating: 1}}
		}, "listed twice"},
		{"cost year outside the measure", func(in *collab.MeasureInput) {
			in.Costs = &[]collab.CostLine{{Year: 2030, Investment: 1}}
		}, "outside the measure's years"},
		{"no title", func(in *collab.MeasureInput) { in.Title = ptr("  ") }, "title must not be empty"},
		{"control characters", func(in *collab.MeasureInput) { in.Title = ptr("a\x00b") }, "control characters"},
		{"unknown priority", func(in *collab.MeasureInput) { in.Priority = ptr(collab.Priority("urgent")) }, "priority"},
		{"unknown status", func(in *collab.MeasureInput) { in.Status = ptr(collab.MeasureStatus("x")) }, "status"},
		{"goal of another area", func(in *collab.MeasureInput) { in.Goals = &[]string{other.ID} }, "not a goal of the target area"},
		{"unknown goal", func(in *collab.MeasureInput) { in.Goals = &[]string{"nope"} }, "not a goal"},
		{"not a target area", func(in *collab.MeasureInput) { in.TargetArea = ptr(f.plan.Sections[0].ID) }, "not a target area"},
		{"description too long", func(in *collab.MeasureInput) { in.Description = ptr(strings.Repeat("x", 5001)) }, "longer than"},
	}
	before := f.get(t).Seq
	for _, c := range cases {
		in := valid()
		c.change(&in)
		_, _, err := collab.Save(context.Background(), f.ps, f.leader, f.plan.ID, "", in)
		if collab.ErrorCode(err) != collab.CodeInvalid || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want invalid mentioning %q", c.name, err, c.want)
		}
	}
	if p := f.get(t); p.Seq != before || len(p.Measures) != 0 {
		t.Fatalf("refused input changed the plan: seq %d → %d, %d measures", before, p.Seq, len(p.Measures))
	}
	m := f.measure(t, valid())
	if m.Priority != collab.PriorityMedium || m.Status != collab.MeasurePlanned || len(m.Costs) != 1 {
		t.Fatalf("defaults: %+v", m)
	}
	// A patch keeps what it does not name; changing the period may not
	// leave a measure outside it.
	p, err := f.ps.ChangeSettings(context.Background(), f.leader, f.plan.ID, 0, &collab.Period{From: 2028, To: 2031}, nil)
	if collab.ErrorCode(err) != collab.CodeInvalid {
		t.Fatalf("period that leaves a measure outside: %v %v", p, err)
	}
	_, got, err := collab.Save(context.Background(), f.ps, f.leader, f.plan.ID, m.ID, collab.MeasureInput{Title: ptr("Startlån")})
	if err != nil || got.Title != "Startlån" || got.StartYear != 2027 || got.EndYear != 2028 || len(got.Costs) != 1 {
		t.Fatalf("patch: %+v %v", got, err)
	}
}

func TestContent_GoalsInUseAndTargetAreas(t *testing.T) {
	f := newContentFixture(t, backends()[0])
	g := f.goal(t, f.areaA, "Mål")
	f.measure(t, collab.MeasureInput{TargetArea: ptr(f.areaA), Title: ptr("Tiltak"), Goals: &[]string{g.ID}})
	ctx := context.Background()
	if _, err := collab.Delete[*collab.Goal](ctx, f.ps, f.leader, f.plan.ID, 0, g.ID); collab.ErrorCode(err) != collab.CodeInvalid {
		t.Fatalf("deleting a linked goal: %v", err)
	}
	if _, err := f.ps.DeleteSection(ctx, f.leader, f.plan.ID, f.areaA, 0); collab.ErrorCode(err) != collab.CodeInvalid {
		t.Fatalf("deleting a target area with content: %v", err)
	}
	if _, err := f.ps.DeleteSection(ctx, f.leader, f.plan.ID, f.areaB, 0); err != nil {
		t.Fatalf("deleting an empty target area: %v", err)
	}
	if _, _, err := collab.Save(ctx, f.ps, f.leader, f.plan.ID, g.ID, collab.GoalInput{TargetArea: ptr(f.areaB)}); collab.ErrorCode(err) != collab.CodeInvalid {
		t.Fatalf("moving a goal to a deleted area: %v", err)
	}
}

func TestContent_ConflictOnlyForTheSameObject(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		f := newContentFixture(t, b)
		ctx := context.Background()
		m1 := f.measure(t, collab.MeasureInput{TargetArea: ptr(f.areaA), Title: ptr("En")})
		m2 := f.measure(t, collab.MeasureInput{TargetArea: ptr(f.areaA), Title: ptr("To")})
		base := f.get(t).Seq
		if _, _, err := collab.Save(ctx, f.ps, f.leader, f.plan.ID, m1.ID, collab.MeasureInput{Seq: base, Title: ptr("En!")}); err != nil {
			t.Fatal(err)
		}
		// The same base: another measure is fine, the same one conflicts.
		if _, _, err := collab.Save(ctx, f.ps, f.leader, f.plan.ID, m2.ID, collab.MeasureInput{Seq: base, Title: ptr("To!")}); err != nil {
			t.Fatalf("another object: %v", err)
		}
		_, _, err := collab.Save(ctx, f.ps, f.leader, f.plan.ID, m1.ID, collab.MeasureInput{Seq: base, Unit: ptr("NAV")})
		if collab.ErrorCode(err) != collab.CodeConflict {
			t.Fatalf("same object from an old seq: %v, want conflict", err)
		}
		if got, _ := f.get(t).Measure(m1.ID); got.Unit != "" || got.Title != "En!" {
			t.Fatalf("the conflicting change was applied: %+v", got)
		}
		if _, err := collab.Delete[*collab.Measure](ctx, f.ps, f.leader, f.plan.ID, base, m1.ID); collab.ErrorCode(err) != collab.CodeConflict {
			t.Fatalf("delete from an old seq: %v", err)
		}
		// Saving what is there already writes nothing.
		seq := f.get(t).Seq
		if _, _, err := collab.Save(ctx, f.ps, f.leader, f.plan.ID, m1.ID, collab.MeasureInput{Title: ptr("En!")}); err != nil || f.get(t).Seq != seq {
			t.Fatalf("no-op save: %v, seq %d → %d", err, seq, f.get(t).Seq)
		}
	})
}

func TestContent_EconomicsTotals(t *testing.T) {
	f := newContentFixture(t, backends()[0])
	f.measure(t, collab.MeasureInput{TargetArea: ptr(f.areaA), Title: ptr("Startlån"), StartYear: ptr(2027), EndYear: ptr(2029),
		Costs: &[]collab.CostLine{{Year: 2029, Investment: 0, Operating: 150_000}, {Year: 2027, Investment: 2_500_000, Operating: 100_000}}})
	f.measure(t, collab.MeasureInput{TargetArea: ptr(f.areaA), Title: ptr("Boligsosial veileder"), StartYear: ptr(2028), EndYear: ptr(2030),
		Costs: &[]collab.CostLine{{Year: 2028, Operating: 750_000}, {Year: 2029, Operating: 750_000}, {Year: 2030, Operating: 780_000}}})
	f.measure(t, collab.MeasureInput{TargetArea: ptr(f.areaB), Title: ptr("Utleieboliger"), StartYear: ptr(2027), EndYear: ptr(2028),
		Costs: &[]collab.CostLine{{Year: 2027, Investment: 12_000_000}, {Year: 2028, Investment: 8_000_000, Operating: 40_000}}})
	f.measure(t, collab.MeasureInput{TargetArea: ptr(f.areaB), Title: ptr("Uten kostnader")})

	e := collab.ComputeEconomics(f.get(t))
	// Hand-computed: area A 2027: 2 500 000 + 100 000; 2028: 750 000;
	// 2029: 150 000 + 750 000; 2030: 780 000. Area B 2027: 12 000 000;
	// 2028: 8 000 000 + 40 000.
	wantA := []collab.Amounts{{Investment: 2_500_000, Operating: 100_000, Total: 2_600_000}, {Operating: 750_000, Total: 750_000},
		{Operating: 900_000, Total: 900_000}, {Operating: 780_000, Total: 780_000}}
	wantB := []collab.Amounts{{Investment: 12_000_000, Total: 12_000_000}, {Investment: 8_000_000, Operating: 40_000, Total: 8_040_000}, {}, {}}
	wantTotal := []collab.Amounts{{Investment: 14_500_000, Operating: 100_000, Total: 14_600_000},
		{Investment: 8_000_000, Operating: 790_000, Total: 8_790_000}, {Operating: 900_000, Total: 900_000}, {Operating: 780_000, Total: 780_000}}
	if len(e.Years) != 4 || e.Years[0] != 2027 || len(e.Areas) != 3 {
		t.Fatalf("years %v, %d areas (the template has three target areas)", e.Years, len(e.Areas))
	}
	for i, want := range [][]collab.Amounts{wantA, wantB} {
		for y, w := range want {
			if got := e.Areas[i].Years[y].Amounts; got != w {
				t.Errorf("area %d year %d: %+v, want %+v", i, 2027+y, got, w)
			}
		}
	}
	for y, w := range wantTotal {
		if got := e.Total.Years[y].Amounts; got != w {
			t.Errorf("total %d: %+v, want %+v", 2027+y, got, w)
		}
	}
	if want := (collab.Amounts{Investment: 2_500_000, Operating: 2_530_000, Total: 5_030_000}); e.Areas[0].Amounts != want {
		t.Errorf("area A: %+v, want %+v", e.Areas[0].Amounts, want)
	}
	if want := (collab.Amounts{Investment: 22_500_000, Operating: 2_570_000, Total: 25_070_000}); e.Total.Amounts != want {
		t.Errorf("total: %+v, want %+v", e.Total.Amounts, want)
	}
	if e.Areas[2].Total != 0 || len(e.Measures) != 4 || e.Measures[3].Total != 0 {
		t.Errorf("the third area and the measure without costs: %+v %+v", e.Areas[2], e.Measures)
	}
}

func TestContent_SignOffLapsesWhenACostChanges(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		f := newContentFixture(t, b)
		ctx := context.Background()
		finance := collab.Actor{ID: "frida"}
		m := f.measure(t, collab.MeasureInput{TargetArea: ptr(f.areaA), Title: ptr("Startlån"),
			Costs: &[]collab.CostLine{{Year: 2027, Investment: 1_000_000}}})
		if _, err := f.ps.SignOffEconomics(ctx, finance, f.plan.ID, f.get(t).Seq, " "); collab.ErrorCode(err) != collab.CodeInvalid {
			t.Fatalf("sign-off without a comment: %v", err)
		}
		reviewed := f.get(t).Seq
		// A change that is not cost data after the reviewed seq does not
		// stop the sign-off.
		if _, _, err := collab.Save(ctx, f.ps, f.leader, f.plan.ID, m.ID, collab.MeasureInput{Title: ptr("Startlån for unge")}); err != nil {
			t.Fatal(err)
		}
		p, err := f.ps.SignOffEconomics(ctx, finance, f.plan.ID, reviewed, "Kontrollert mot budsjett 2027")
		if err != nil {
			t.Fatal(err)
		}
		s := p.EconomicsSignOff
		if s == nil || s.Lapsed || s.Seq != reviewed || s.Hash != collab.CostHash(p) || s.By != "frida" {
			t.Fatalf("sign-off %+v", s)
		}
		// Not cost data: the sign-off stands.
		if p, _, err = collab.Save(ctx, f.ps, f.leader, f.plan.ID, m.ID, collab.MeasureInput{Status: ptr(collab.MeasureInProgress)}); err != nil || p.EconomicsSignOff.Lapsed {
			t.Fatalf("a status change made the sign-off lapse: %v %+v", err, p.EconomicsSignOff)
		}
		// A cost changes: it lapses, at that seq.
		p, _, err = collab.Save(ctx, f.ps, f.leader, f.plan.ID, m.ID, collab.MeasureInput{Costs: &[]collab.CostLine{{Year: 2027, Investment: 1_200_000}}})
		if err != nil || !p.EconomicsSignOff.Lapsed || p.EconomicsSignOff.LapsedSeq != p.Seq {
			t.Fatalf("after a cost change: %v %+v (seq %d)", err, p.EconomicsSignOff, p.Seq)
		}
		// Changing it back does not restore it: finance must look again.
		p, _, err = collab.Save(ctx, f.ps, f.leader, f.plan.ID, m.ID, collab.MeasureInput{Costs: &[]collab.CostLine{{Year: 2027, Investment: 1_000_000}}})
		if err != nil || !p.EconomicsSignOff.Lapsed {
			t.Fatalf("reverted costs: %v %+v", err, p.EconomicsSignOff)
		}
		// Signing off the costs as they were before the change conflicts.
		if _, err := f.ps.SignOffEconomics(ctx, finance, f.plan.ID, reviewed, "igjen"); collab.ErrorCode(err) != collab.CodeConflict {
			t.Fatalf("sign-off of stale costs: %v, want conflict", err)
		}
		// The folded log agrees with the cached state.
		if got := f.get(t).EconomicsSignOff; !got.Lapsed {
			t.Fatalf("state %+v", got)
		}
		if p, err = f.ps.SignOffEconomics(ctx, finance, f.plan.ID, p.Seq, "igjen"); err != nil || p.EconomicsSignOff.Lapsed {
			t.Fatalf("new sign-off: %v %+v", err, p.EconomicsSignOff)
		}
		// A new measure with costs, and deleting one, make it lapse too.
		m2 := f.measure(t, collab.MeasureInput{TargetArea: ptr(f.areaB), Title: ptr("Nytt"), Costs: &[]collab.CostLine{{Year: 2028, Operating: 1}}})
		if !f.get(t).EconomicsSignOff.Lapsed {
			t.Fatal("a new measure with costs did not make the sign-off lapse")
		}
		if p, err = f.ps.SignOffEconomics(ctx, finance, f.plan.ID, f.get(t).Seq, "tredje"); err != nil {
			t.Fatal(err)
		}
		if p, err = collab.Delete[*collab.Measure](ctx, f.ps, f.leader, f.plan.ID, 0, m2.ID); err != nil || !p.EconomicsSignOff.Lapsed {
			t.Fatalf("deleting a measure with costs: %v %+v", err, p.EconomicsSignOff)
		}
	})
}

func TestContent_IndicatorTrafficLight(t *testing.T) {
	// Baseline 10 on 1 July 2025, target 30 on 31 December 2030: the
	// expected value rises 20 over 5.5 years. Tolerance 10 % of 20 = 2.
	up := collab.Indicator{Baseline: collab.Point{Value: 10, Year: 2025}, Targets: []collab.Point{{Value: 30, Year: 2030}}}
	// Expected on 31 Dec 2030: 30. On 1 July 2028 (3 years after): 10 + 20·3/5.5 ≈ 20.909.
	down := collab.Indicator{Baseline: collab.Point{Value: 40, Year: 2025}, Targets: []collab.Point{{Value: 30, Year: 2027}, {Value: 20, Year: 2030}}}
	cases := []struct {
		name string
		ind  collab.Indicator
		date string
		v    float64
		want collab.IndicatorStatus
	}{
		{"at the target", up, "2030-12-31", 30, collab.OnTrack},
		{"above the path", up, "2028-07-01", 21.5, collab.OnTrack},
		{"just below the path", up, "2028-07-01", 19.5, collab.AtRisk},
		{"far below the path", up, "2028-07-01", 18.5, collab.OffTrack},
		{"after the last target, short", up, "2032-01-01", 27.5, collab.OffTrack},
		{"before the baseline date", up, "2025-01-01", 10, collab.OnTrack},
		// Down: 40 → 30 by end 2027, → 20 by end 2030; tolerance 2.
		{"down, at the first target", down, "2027-12-31", 30, collab.OnTrack},
		{"down, above the path", down, "2027-12-31", 31.5, collab.AtRisk},
		{"down, far above", down, "2027-12-31", 33, collab.OffTrack},
		{"down, below is good", down, "2029-06-30", 21, collab.OnTrack},
	}
	for _, c := range cases {
		ind := c.ind
		// An earlier report must not count: the latest by date does.
		ind.Reports = []collab.Report{{Date: c.date, Value: c.v}, {Date: "2020-01-01", Value: -1000}}
		if got := ind.Evaluate(); got != c.want {
			at, _ := time.Parse(time.DateOnly, c.date)
			t.Errorf("%s: %s (expected %.3f), want %s", c.name, got, ind.Expected(at), c.want)
		}
	}
	if got := up.Evaluate(); got != collab.NoData {
		t.Errorf("no reports: %s", got)
	}
	at, _ := time.Parse(time.DateOnly, "2028-07-01")
	if got := up.Expected(at); got < 20.9 || got > 20.92 {
		t.Errorf("expected on 2028-07-01: %f, want ≈ 20.909", got)
	}
}

func TestContent_MilestoneOverdue(t *testing.T) {
	m := collab.Milestone{Date: "2027-03-01", Status: collab.MilestonePlanned}
	for _, c := range []struct {
		today  string
		status collab.MilestoneStatus
		want   bool
	}{
		{"2027-02-28", collab.MilestonePlanned, false},
		{"2027-03-01", collab.MilestonePlanned, false}, // due today is not overdue
		{"2027-03-02", collab.MilestonePlanned, true},
		{"2027-03-02", collab.MilestoneInProgress, true},
		{"2027-03-02", collab.MilestoneDone, false},
		{"2030-01-01", collab.MilestoneDone, false},
	} {
		m.Status = c.status
		if got := m.OverdueOn(c.today); got != c.want {
			t.Errorf("%s on %s: overdue %v, want %v", c.status, c.today, got, c.want)
		}
	}
}

func TestContent_ReviewRounds(t *testing.T) {
	f := newContentFixture(t, backends()[0])
	ctx := context.Background()
	_, _, err := collab.Save(ctx, f.ps, f.leader, f.plan.ID, "", collab.RoundInput{Recipients: &[]string{"ola"}, Deadline: ptr("2027-02-01")})
	if collab.ErrorCode(err) != collab.CodeInvalid {
		t.Fatalf("round to a non-member: %v", err)
	}
	if _, _, err := collab.Save(ctx, f.ps, f.leader, f.plan.ID, "", collab.RoundInput{Recipients: &[]string{"mats"}, Deadline: ptr("1. februar")}); collab.ErrorCode(err) != collab.CodeInvalid {
		t.Fatalf("bad deadline: %v", err)
	}
	_, r, err := collab.Save(ctx, f.ps, f.leader, f.plan.ID, "", collab.RoundInput{Message: ptr("Les analysedelen"),
		Recipients: &[]string{"mats", "frida", "mats"}, Sections: &[]string{f.areaA}, Deadline: ptr("2027-02-01")})
	if err != nil || len(r.Recipients) != 2 || r.SentBy != "lise" || r.SentAt.IsZero() {
		t.Fatalf("round %+v %v", r, err)
	}
	if _, err := f.ps.AnswerRound(ctx, collab.Actor{ID: "siri"}, f.plan.ID, r.ID, ""); collab.ErrorCode(err) != collab.CodeForbidden {
		t.Fatalf("answer by a non-recipient: %v", err)
	}
	p, err := f.ps.AnswerRound(ctx, collab.Actor{ID: "mats"}, f.plan.ID, r.ID, "Lest, se kommentarene")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := p.Round(r.ID); !got.Answered("mats") || got.Answered("frida") {
		t.Fatalf("answers %+v", got.Answers)
	}
	if _, err := f.ps.AnswerRound(ctx, collab.Actor{ID: "mats"}, f.plan.ID, r.ID, ""); collab.ErrorCode(err) != collab.CodeConflict {
		t.Fatalf("second answer: %v", err)
	}
}

func TestContent_PrivacyFindingsGateTheLock(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		f := newContentFixture(t, b)
		ctx := context.Background()
		doc := f.plan.Sections[0].ID
		if _, err := f.e.Submit(ctx, collab.Submission{Doc: doc, V: 0, Src: "tab", Seq: 1, By: "lise",
			Op: insertAt(t, 0, "I 2024 bodde 3 familier i midlertidig bolig, og 12 prosent av 40 husstander.\n")}); err != nil {
			t.Fatal(err)
		}
		lock := func() error {
			_, err := f.ps.Step(ctx, "siri", f.plan.ID, step(collab.Step{Action: "lock", To: collab.PhaseReview}))
			return err
		}
		p := f.get(t)
		fs, err := f.ps.PrivacyFindings(ctx, p)
		if err != nil || len(fs) != 1 || fs[0].Quote != "3 familier" || fs[0].Section != doc || fs[0].Accepted != nil {
			t.Fatalf("findings %+v %v", fs, err)
		}
		if err := lock(); collab.ErrorCode(err) != collab.CodePrivacyFlagsOpen {
			t.Fatalf("lock with an open finding: %v", err)
		}
		// The refused lock changed nothing and lifted its markers.
		if p := f.get(t); p.Phase != collab.PhaseDraft {
			t.Fatalf("phase %s", p.Phase)
		}
		v, _, _ := f.e.Snapshot(ctx, doc)
		if _, err := f.e.Submit(ctx, collab.Submission{Doc: doc, V: v, Src: "tab", Seq: 2, By: "lise", Op: insertAt(t, 0, "Innledning. ")}); err != nil {
			t.Fatalf("section locked after the refused lock: %v", err)
		}
		// Accepting needs a reason and the finding in the text; an edit
		// elsewhere keeps the finding's id.
		if _, err := f.ps.AcceptFinding(ctx, f.leader, f.plan.ID, 0, fs[0].ID, ""); collab.ErrorCode(err) != collab.CodeInvalid {
			t.Fatalf("accept without a reason: %v", err)
		}
		if _, err := f.ps.AcceptFinding(ctx, f.leader, f.plan.ID, 0, "nope", "fordi"); collab.ErrorCode(err) != collab.CodeNotFound {
			t.Fatalf("accept an unknown finding: %v", err)
		}
		if _, err := f.ps.AcceptFinding(ctx, f.leader, f.plan.ID, 0, fs[0].ID, "Tallet er offentlig i SSB-statistikk"); err != nil {
			t.Fatal(err)
		}
		if err := lock(); err != nil {
			t.Fatalf("lock with the finding accepted: %v", err)
		}
		if p := f.get(t); p.Phase != collab.PhaseReview {
			t.Fatalf("phase %s", p.Phase)
		}
	})
}
