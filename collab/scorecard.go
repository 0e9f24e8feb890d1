package collab

import (
	"math"
	"slices"
	"time"
)

// IndicatorStatus is an indicator's traffic light: where its latest
// reported value stands against the path from the baseline to the targets.
type IndicatorStatus string

// The traffic lights.
const (
	OnTrack  IndicatorStatus = "on_track"
	AtRisk   IndicatorStatus = "at_risk"
	OffTrack IndicatorStatus = "off_track"
	NoData   IndicatorStatus = "no_data"
)

// riskShare is the share of the planned change (last target − baseline)
// by which a value may fall short of the expected value and still be only
// at risk.
const riskShare = 0.10

// Evaluate returns the indicator's traffic light (docs/content.md,
// "Traffic light rule"):
//
//   - the expected value on a date is interpolated linearly between the
//     baseline, placed on 1 July of its year, and the targets, each placed
//     on 31 December of its year; before the baseline it is the baseline,
//     after the last target the last target;
//   - the direction is up when the last target is above the baseline,
//     else down; the gap is reported − expected, its sign turned for down;
//   - on track: gap ≥ 0; at risk: gap ≥ −10 % of |last target − baseline|;
//     off track: below that; no data: nothing reported.
//
// The latest report by date counts.
func (ind *Indicator) Evaluate() IndicatorStatus {
	if len(ind.Reports) == 0 || len(ind.Targets) == 0 {
		return NoData
	}
	latest := ind.Reports[0]
	for _, r := range ind.Reports[1:] {
		if r.Date >= latest.Date {
			latest = r
		}
	}
	at, err := time.Parse(time.DateOnly, latest.Date)
	if err != nil {
		return NoData
	}
	expected := ind.Expected(at)
	last := ind.Targets[len(ind.Targets)-1].Value
	gap := latest.Value - expected
	if last <= ind.Baseline.Value {
		gap = -gap
	}
	tolerance := math.Max(riskShare*math.Abs(last-ind.Baseline.Value), 1e-6)
	switch {
	case gap >= 0:
		return OnTrack
	case gap >= -tolerance:
		return AtRisk
	}
	return OffTrack
}

// Expected returns the value the indicator's path expects on date at.
func (ind *Indicator) Expected(at time.Time) float64 {
	type knot struct{ t, v float64 }
	knots := []knot{{decimalYear(ind.Baseline.Year, time.July, 1), ind.Baseline.Value}}
	targets := slices.Clone(ind.Targets)
	slices.SortFunc(targets, func(a, b Point) int { return a.Year - b.Year })
	for _, tg := range targets {
		knots = append(knots, knot{decimalYear(tg.Year, time.December, 31), tg.Value})
	}
	t := decimalYear(at.Year(), at.Month(), at.Day())
	if t <= knots[0].t {
		return knots[0].v
	}
	for i := 1; i < len(knots); i++ {
		a, b := knots[i-1], knots[i]
		if t <= b.t {
			return a.v + (b.v-a.v)*(t-a.t)/(b.t-a.t)
		}
	}
	return knots[len(knots)-1].v
}

// decimalYear returns the date as a year with the fraction of the year
// passed before the date: 1 January is year + 0.
func decimalYear(year int, month time.Month, day int) float64 {
	d := time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
	days := time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC).Sub(time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)).Hours() / 24
	return float64(year) + float64(d.YearDay()-1)/days
}
