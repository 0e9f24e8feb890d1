package collab

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// This file holds a plan's structured content (SPEC.md §3): goals,
// strategies and measures per target area, the scorecard, the progress
// plan and the internal review rounds, and finance's sign-off of the
// economics. Each is a list of objects in the plan, changed only by
// entries of the plan log (content_change.go).
//
// The objects are immutable once they are in a Plan: a change builds a new
// object and replaces the pointer, so Plan.Clone copies the lists, not the
// objects, and a reader may keep an object while the plan moves on.

// Period is a plan's planning period in whole years, From through To.
type Period struct {
	From int `json:"from"`
	To   int `json:"to"`
}

// Contains reports whether year lies in the period.
func (pr Period) Contains(year int) bool { return year >= pr.From && year <= pr.To }

// Years returns the years of the period in order.
func (pr Period) Years() []int {
	var ys []int
	for y := pr.From; y <= pr.To; y++ {
		ys = append(ys, y)
	}
	return ys
}

// Limits of the planning period and of structured content.
const (
	minYear          = 2000
	maxYear          = 2100
	maxPeriodYears   = 20
	maxDescription   = 5000
	maxObjects       = 1000 // of one kind in one plan
	maxLinks         = 50
	maxAmount        = 1_000_000_000_000 // kroner, per year and kind
	maxIndicatorAbs  = 1e15
	maxTargets       = 40
	maxReports       = 500
	maxRoundMessage  = 2000
	maxRecipients    = 200
	maxPrivacyReason = 1000
	maxThreshold     = 100
)

// Goal is a goal (mål) of a target area.
type Goal struct {
	ID          string `json:"id"`
	Seq         int64  `json:"seq"`
	TargetArea  string `json:"target_area"`
	Title       string `json:"title"`
	Description string `json:"description"`
}

// Strategy is a strategy of a target area, serving some of its goals.
type Strategy struct {
	ID          string   `json:"id"`
	Seq         int64    `json:"seq"`
	TargetArea  string   `json:"target_area"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Goals       []string `json:"goals"`
}

// Priority is a measure's priority.
type Priority string

// The priorities.
const (
	PriorityHigh   Priority = "high"
	PriorityMedium Priority = "medium"
	PriorityLow    Priority = "low"
)

// MeasureStatus is where a measure stands.
type MeasureStatus string

// The measure statuses.
const (
	MeasurePlanned    MeasureStatus = "planned"
	MeasureInProgress MeasureStatus = "in_progress"
	MeasureDone       MeasureStatus = "done"
	MeasureCancelled  MeasureStatus = "cancelled"
)

// CostLine is a measure's costs in one year, in whole kroner.
type CostLine struct {
	Year       int   `json:"year"`
	Investment int64 `json:"investment"`
	Operating  int64 `json:"operating"`
}

// Measure is a measure (tiltak) of a target area with its costs.
type Measure struct {
	ID          string        `json:"id"`
	Seq         int64         `json:"seq"`
	TargetArea  string        `json:"target_area"`
	Title       string        `json:"title"`
	Description string        `json:"description"`
	Goals       []string      `json:"goals"`
	Unit        string        `json:"unit"`
	StartYear   int           `json:"start_year"`
	EndYear     int           `json:"end_year"`
	Priority    Priority      `json:"priority"`
	TargetGroup string        `json:"target_group"`
	Status      MeasureStatus `json:"status"`
	Costs       []CostLine    `json:"costs"`
}

// Point is a value of an indicator in a year.
type Point struct {
	Value float64 `json:"value"`
	Year  int     `json:"year"`
}

// Frequency is how often an indicator is reported.
type Frequency string

// The reporting frequencies.
const (
	FrequencyMonthly    Frequency = "monthly"
	FrequencyQuarterly  Frequency = "quarterly"
	FrequencyHalfYearly Frequency = "half_yearly"
	FrequencyYearly     Frequency = "yearly"
)

// Report is a value of an indicator as measured on a date.
type Report struct {
	ID    string    `json:"id"`
	Date  string    `json:"date"`
	Value float64   `json:"value"`
	Note  string    `json:"note"`
	By    string    `json:"by"`
	At    time.Time `json:"at"`
}

// Indicator is a scorecard indicator (DFØ's mål- og resultatstyring) of a
// goal. Status is computed when the plan is shown (Indicator.Evaluate).
type Indicator struct {
	ID          string          `json:"id"`
	Seq         int64           `json:"seq"`
	Goal        string          `json:"goal"`
	Name        string          `json:"name"`
	Definition  string          `json:"definition"`
	Unit        string          `json:"unit"`
	Baseline    Point           `json:"baseline"`
	Targets     []Point         `json:"targets"`
	Source      string          `json:"source"`
	Frequency   Frequency       `json:"frequency"`
	Responsible string          `json:"responsible"`
	Reports     []Report        `json:"reports"`
	Status      IndicatorStatus `json:"status,omitempty"`
}

// MilestoneStatus is where a milestone stands.
type MilestoneStatus string

// The milestone statuses.
const (
	MilestonePlanned    MilestoneStatus = "planned"
	MilestoneInProgress MilestoneStatus = "in_progress"
	MilestoneDone       MilestoneStatus = "done"
)

// Milestone is a milestone of the progress plan (fremdriftsplan).
// Responsible is a member's user id or a role name. Overdue is computed
// when the plan is shown (Milestone.OverdueOn).
type Milestone struct {
	ID          string          `json:"id"`
	Seq         int64           `json:"seq"`
	Title       string          `json:"title"`
	Date        string          `json:"date"`
	Responsible string          `json:"responsible"`
	Status      MilestoneStatus `json:"status"`
	Overdue     bool            `json:"overdue"`
}

// OverdueOn reports whether the milestone is overdue on today (a date
// "YYYY-MM-DD" in the municipality's time zone): its date has passed and
// it is not done.
func (m *Milestone) OverdueOn(today string) bool {
	return m.Status != MilestoneDone && m.Date < today
}

// Round is an internal review round (intern gjennomlesning): the leader
// asks chosen members to read the plan, or some of its sections, by a
// deadline; each answers once.
type Round struct {
	ID         string    `json:"id"`
	Seq        int64     `json:"seq"`
	Message    string    `json:"message"`
	Sections   []string  `json:"sections"`
	Recipients []string  `json:"recipients"`
	Deadline   string    `json:"deadline"`
	SentBy     string    `json:"sent_by"`
	SentAt     time.Time `json:"sent_at"`
	Answers    []Answer  `json:"answers"`
}

// Answer is a recipient's "done" to a review round.
type Answer struct {
	User    string    `json:"user"`
	At      time.Time `json:"at"`
	Comment string    `json:"comment"`
}

// Answered reports whether user has answered the round.
func (r *Round) Answered(user string) bool {
	return slices.ContainsFunc(r.Answers, func(a Answer) bool { return a.User == user })
}

// SignOff is finance's "økonomisk kvalitetssikret": the plan seq of the
// cost data reviewed and its hash (CostHash). Lapsed is set — and stays
// set — by the first change after it that makes the cost data differ.
type SignOff struct {
	By      string    `json:"by"`
	At      time.Time `json:"at"`
	Comment string    `json:"comment"`
	Seq     int64     `json:"seq"`
	Hash    string    `json:"hash"`
	Lapsed  bool      `json:"lapsed"`
	// LapsedSeq is the seq of the change that made it lapse.
	LapsedSeq int64 `json:"lapsed_seq,omitempty"`
}

// PrivacyAcceptance is the leader's acceptance of a privacy finding, with
// the reason; ID is the finding's stable id.
type PrivacyAcceptance struct {
	ID      string    `json:"id"`
	Section string    `json:"section"`
	Quote   string    `json:"quote"`
	Reason  string    `json:"reason"`
	By      string    `json:"by"`
	At      time.Time `json:"at"`
}

// defaultPeriod is the planning period of a plan created in year: the
// four following years.
func defaultPeriod(year int) Period { return Period{From: year + 1, To: year + 4} }

// normalize gives a plan folded from a log older than structured content
// its defaults.
func (p *Plan) normalize() {
	if p.Period.From == 0 {
		p.Period = defaultPeriod(p.Created.Year())
	}
	if p.PrivacyThreshold == 0 {
		p.PrivacyThreshold = defaultPrivacyThreshold
	}
}

// defaultPrivacyThreshold flags counts below 5 (privacy.DefaultThreshold).
const defaultPrivacyThreshold = 5

// TargetAreas returns the plan's target-area sections in outline order.
func (p *Plan) TargetAreas() []*Section {
	var out []*Section
	p.Walk(func(s *Section, _ int) {
		if s.Kind == KindTargetArea {
			out = append(out, s)
		}
	})
	return out
}

func (p *Plan) targetArea(id string) error {
	s, _, ok := p.Find(id)
	if !ok || s.Kind != KindTargetArea {
		return Errorf(CodeInvalid, "target_area %q is not a target area of the plan", id)
	}
	return nil
}

// Goal returns the goal with id.
func (p *Plan) Goal(id string) (*Goal, bool) { return findObject(p.Goals, id) }

// Measure returns the measure with id.
func (p *Plan) Measure(id string) (*Measure, bool) { return findObject(p.Measures, id) }

// Indicator returns the indicator with id.
func (p *Plan) Indicator(id string) (*Indicator, bool) { return findObject(p.Indicators, id) }

// Round returns the review round with id.
func (p *Plan) Round(id string) (*Round, bool) { return findObject(p.Rounds, id) }

// Acceptance returns the acceptance of the privacy finding with id.
func (p *Plan) Acceptance(id string) (*PrivacyAcceptance, bool) {
	return findObject(p.PrivacyAccepted, id)
}

// checkGoals checks that ids are goals of the target area, and returns
// them without repeats.
func (p *Plan) checkGoals(area string, ids []string) ([]string, error) {
	if len(ids) > maxLinks {
		return nil, Errorf(CodeInvalid, "goals: at most %d", maxLinks)
	}
	out := []string{}
	for _, id := range ids {
		g, ok := p.Goal(id)
		if !ok || g.TargetArea != area {
			return nil, Errorf(CodeInvalid, "goals: %q is not a goal of the target area", id)
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// optionalText trims s and checks it is valid text of at most max
// characters; multiline allows line breaks and tabs. Empty is allowed.
func optionalText(field, s string, max int, multiline bool) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case !utf8.ValidString(s):
		return "", Errorf(CodeInvalid, "%s is not valid UTF-8", field)
	case utf8.RuneCountInString(s) > max:
		return "", Errorf(CodeInvalid, "%s is longer than %d characters", field, max)
	case strings.ContainsFunc(s, func(r rune) bool {
		return (r < 0x20 || r == 0x7f) && !(multiline && (r == '\n' || r == '\t'))
	}):
		return "", Errorf(CodeInvalid, "%s contains control characters", field)
	}
	return s, nil
}

// checkDate checks that s is a date "YYYY-MM-DD" between the years
// minYear and maxYear.
func checkDate(field, s string) error {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Errorf(CodeInvalid, "%s must be a date YYYY-MM-DD, not %q", field, truncateRunes(s, 20))
	}
	if t.Year() < minYear || t.Year() > maxYear {
		return Errorf(CodeInvalid, "%s must lie between %d and %d", field, minYear, maxYear)
	}
	return nil
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// check validates a goal against the plan it goes into.
func (g *Goal) check(p *Plan) error {
	if err := p.targetArea(g.TargetArea); err != nil {
		return err
	}
	if old, ok := p.Goal(g.ID); ok && old.TargetArea != g.TargetArea {
		return Errorf(CodeInvalid, "a goal stays in its target area")
	}
	return nil
}

func (g *Goal) clean() (err error) {
	if g.Title, err = cleanText("title", g.Title, maxTitleLen); err != nil {
		return err
	}
	g.Description, err = optionalText("description", g.Description, maxDescription, true)
	return err
}

func (s *Strategy) check(p *Plan) (err error) {
	if err := p.targetArea(s.TargetArea); err != nil {
		return err
	}
	s.Goals, err = p.checkGoals(s.TargetArea, s.Goals)
	return err
}

func (s *Strategy) clean() (err error) {
	if s.Title, err = cleanText("title", s.Title, maxTitleLen); err != nil {
		return err
	}
	s.Description, err = optionalText("description", s.Description, maxDescription, true)
	return err
}

func (m *Measure) check(p *Plan) (err error) {
	if err := p.targetArea(m.TargetArea); err != nil {
		return err
	}
	if m.Goals, err = p.checkGoals(m.TargetArea, m.Goals); err != nil {
		return err
	}
	switch {
	case !p.Period.Contains(m.StartYear):
		return Errorf(CodeInvalid, "start_year %d lies outside the planning period %d–%d", m.StartYear, p.Period.From, p.Period.To)
	case !p.Period.Contains(m.EndYear):
		return Errorf(CodeInvalid, "end_year %d lies outside the planning period %d–%d", m.EndYear, p.Period.From, p.Period.To)
	case m.EndYear < m.StartYear:
		return Errorf(CodeInvalid, "end_year %d is before start_year %d", m.EndYear, m.StartYear)
	}
	for _, c := range m.Costs {
		if c.Year < m.StartYear || c.Year > m.EndYear {
			return Errorf(CodeInvalid, "costs: year %d lies outside the measure's years %d–%d", c.Year, m.StartYear, m.EndYear)
		}
	}
	return nil
}

func (m *Measure) clean() (err error) {
	if m.Title, err = cleanText("title", m.Title, maxTitleLen); err != nil {
		return err
	}
	if m.Description, err = optionalText("description", m.Description, maxDescription, true); err != nil {
		return err
	}
	if m.Unit, err = optionalText("unit", m.Unit, maxTitleLen, false); err != nil {
		return err
	}
	if m.TargetGroup, err = optionalText("target_group", m.TargetGroup, maxTitleLen, false); err != nil {
		return err
	}
	switch m.Priority {
	case PriorityHigh, PriorityMedium, PriorityLow:
	default:
		return Errorf(CodeInvalid, "priority must be high, medium or low, not %q", truncateRunes(string(m.Priority), 20))
	}
	switch m.Status {
	case MeasurePlanned, MeasureInProgress, MeasureDone, MeasureCancelled:
	default:
		return Errorf(CodeInvalid, "status must be planned, in_progress, done or cancelled, not %q", truncateRunes(string(m.Status), 20))
	}
	if len(m.Costs) > maxPeriodYears+1 {
		return Errorf(CodeInvalid, "costs: at most one line per year")
	}
	m.Costs = slices.Clone(m.Costs)
	for i, c := range m.Costs {
		switch {
		case c.Investment < 0 || c.Operating < 0:
			return Errorf(CodeInvalid, "costs: the amounts of %d must not be negative", c.Year)
		case c.Investment > maxAmount || c.Operating > maxAmount:
			return Errorf(CodeInvalid, "costs: the amounts of %d are over %d kroner", c.Year, int64(maxAmount))
		case slices.ContainsFunc(m.Costs[:i], func(o CostLine) bool { return o.Year == c.Year }):
			return Errorf(CodeInvalid, "costs: year %d is listed twice", c.Year)
		}
	}
	slices.SortFunc(m.Costs, func(a, b CostLine) int { return a.Year - b.Year })
	return nil
}

func (ind *Indicator) check(p *Plan) error {
	if _, ok := p.Goal(ind.Goal); !ok {
		return Errorf(CodeInvalid, "goal %q is not a goal of the plan", ind.Goal)
	}
	return nil
}

func (ind *Indicator) clean() (err error) {
	if ind.Name, err = cleanText("name", ind.Name, maxTitleLen); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		v    *string
		max  int
	}{{"definition", &ind.Definition, maxDescription}, {"unit", &ind.Unit, 50},
		{"source", &ind.Source, maxTitleLen}, {"responsible", &ind.Responsible, maxTitleLen}} {
		if *f.v, err = optionalText(f.name, *f.v, f.max, f.name == "definition"); err != nil {
			return err
		}
	}
	switch ind.Frequency {
	case FrequencyMonthly, FrequencyQuarterly, FrequencyHalfYearly, FrequencyYearly:
	default:
		return Errorf(CodeInvalid, "frequency must be monthly, quarterly, half_yearly or yearly, not %q", truncateRunes(string(ind.Frequency), 20))
	}
	if err := checkPoint("baseline", ind.Baseline); err != nil {
		return err
	}
	if len(ind.Targets) == 0 || len(ind.Targets) > maxTargets {
		return Errorf(CodeInvalid, "targets: give 1 to %d target values", maxTargets)
	}
	ind.Targets = slices.Clone(ind.Targets)
	slices.SortFunc(ind.Targets, func(a, b Point) int { return a.Year - b.Year })
	for i, t := range ind.Targets {
		if err := checkPoint("targets", t); err != nil {
			return err
		}
		if t.Year <= ind.Baseline.Year {
			return Errorf(CodeInvalid, "targets: year %d is not after the baseline year %d", t.Year, ind.Baseline.Year)
		}
		if i > 0 && ind.Targets[i-1].Year == t.Year {
			return Errorf(CodeInvalid, "targets: year %d is listed twice", t.Year)
		}
	}
	return nil
}

func checkPoint(field string, pt Point) error {
	if pt.Year < minYear || pt.Year > maxYear {
		return Errorf(CodeInvalid, "%s: year must lie between %d and %d", field, minYear, maxYear)
	}
	return checkValue(field, pt.Value)
}

func checkValue(field string, v float64) error {
	if v > maxIndicatorAbs || v < -maxIndicatorAbs || v != v {
		return Errorf(CodeInvalid, "%s: value out of range", field)
	}
	return nil
}

func (m *Milestone) check(p *Plan) error {
	if m.Responsible == "" || p.RolesOf(m.Responsible) != nil || isRoleName(m.Responsible) {
		return nil
	}
	return Errorf(CodeInvalid, "responsible %q is neither a member of the plan nor a role", truncateRunes(m.Responsible, 40))
}

// isRoleName reports whether s names a role (the auth policy's names, as
// the plan's members hold them).
func isRoleName(s string) bool {
	return slices.Contains([]string{"leader", "member", "finance", "reader", "steering", "political", "admin"}, s)
}

func (m *Milestone) clean() (err error) {
	if m.Title, err = cleanText("title", m.Title, maxTitleLen); err != nil {
		return err
	}
	if err := checkDate("date", m.Date); err != nil {
		return err
	}
	if m.Responsible, err = optionalText("responsible", m.Responsible, maxIDLen, false); err != nil {
		return err
	}
	switch m.Status {
	case MilestonePlanned, MilestoneInProgress, MilestoneDone:
	default:
		return Errorf(CodeInvalid, "status must be planned, in_progress or done, not %q", truncateRunes(string(m.Status), 20))
	}
	m.Overdue = false
	return nil
}

func (r *Round) check(p *Plan) error {
	for _, s := range r.Sections {
		if _, _, ok := p.Find(s); !ok {
			return Errorf(CodeInvalid, "sections: %q is not a section of the plan", s)
		}
	}
	for _, u := range r.Recipients {
		if p.RolesOf(u) == nil {
			return Errorf(CodeInvalid, "recipients: %q is not a member of the plan", u)
		}
	}
	return nil
}

func (r *Round) clean() (err error) {
	if r.Message, err = optionalText("message", r.Message, maxRoundMessage, true); err != nil {
		return err
	}
	if err := checkDate("deadline", r.Deadline); err != nil {
		return err
	}
	if len(r.Recipients) == 0 || len(r.Recipients) > maxRecipients {
		return Errorf(CodeInvalid, "recipients: choose 1 to %d members", maxRecipients)
	}
	if len(r.Sections) > maxSectionsInPlan {
		return Errorf(CodeInvalid, "sections: too many")
	}
	r.Recipients = dedupe(r.Recipients)
	r.Sections = dedupe(r.Sections)
	return nil
}

// checkPeriod validates a planning period against the plan's measures.
func (p *Plan) checkPeriod(pr Period) error {
	switch {
	case pr.From < minYear || pr.To > maxYear:
		return Errorf(CodeInvalid, "period: years must lie between %d and %d", minYear, maxYear)
	case pr.To < pr.From:
		return Errorf(CodeInvalid, "period: %d is before %d", pr.To, pr.From)
	case pr.To-pr.From+1 > maxPeriodYears:
		return Errorf(CodeInvalid, "period: at most %d years", maxPeriodYears)
	}
	for _, m := range p.Measures {
		if !pr.Contains(m.StartYear) || !pr.Contains(m.EndYear) {
			return Errorf(CodeInvalid, "period: measure %q runs %d–%d, outside %d–%d", m.Title, m.StartYear, m.EndYear, pr.From, pr.To)
		}
	}
	return nil
}

func (p *Plan) checkThreshold(n int) error {
	if n < 1 || n > maxThreshold {
		return Errorf(CodeInvalid, "privacy_threshold must be 1 to %d", maxThreshold)
	}
	return nil
}

// targetAreaInUse refuses deleting section s while a target area in its
// subtree holds goals, strategies or measures.
func (p *Plan) targetAreaInUse(s *Section) error {
	areas := map[string]bool{}
	(&Plan{Sections: []*Section{s}}).Walk(func(x *Section, _ int) {
		if x.Kind == KindTargetArea {
			areas[x.ID] = true
		}
	})
	used := func(area string) bool { return areas[area] }
	if slices.ContainsFunc(p.Goals, func(g *Goal) bool { return used(g.TargetArea) }) ||
		slices.ContainsFunc(p.Strategies, func(g *Strategy) bool { return used(g.TargetArea) }) ||
		slices.ContainsFunc(p.Measures, func(g *Measure) bool { return used(g.TargetArea) }) {
		return Errorf(CodeInvalid, "the target area still has goals, strategies or measures; delete or move them first")
	}
	return nil
}

// goalInUse refuses deleting a goal that measures, strategies or
// indicators link.
func (p *Plan) goalInUse(id string) error {
	linked := func(goals []string) bool { return slices.Contains(goals, id) }
	switch {
	case slices.ContainsFunc(p.Measures, func(m *Measure) bool { return linked(m.Goals) }):
		return Errorf(CodeInvalid, "measures are linked to the goal; unlink them first")
	case slices.ContainsFunc(p.Strategies, func(s *Strategy) bool { return linked(s.Goals) }):
		return Errorf(CodeInvalid, "strategies are linked to the goal; unlink them first")
	case slices.ContainsFunc(p.Indicators, func(i *Indicator) bool { return i.Goal == id }):
		return Errorf(CodeInvalid, "the goal has indicators; delete them first")
	}
	return nil
}

func describe(kind, id string) string { return fmt.Sprintf("%s %q", kind, id) }
