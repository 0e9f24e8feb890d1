package collab

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"slices"
)

// The plan-log entries of structured content. Goals, strategies, measures,
// indicators, milestones and review rounds are saved and deleted by two
// generic changes; reports, answers, the sign-off, privacy acceptances and
// the settings have their own.

// Object is a kind of structured content: the objects saved and
// deleted handle.
type Object interface {
	*Goal | *Strategy | *Measure | *Indicator | *Milestone | *Round
	ident() string
	setIdent(id string)
	// clean validates the object on its own and normalises it.
	clean() error
	// check validates the object against the plan it goes into (clean
	// has validated it on its own).
	check(p *Plan) error
}

func (g *Goal) ident() string      { return g.ID }
func (s *Strategy) ident() string  { return s.ID }
func (m *Measure) ident() string   { return m.ID }
func (i *Indicator) ident() string { return i.ID }
func (m *Milestone) ident() string { return m.ID }
func (r *Round) ident() string     { return r.ID }

func (g *Goal) setIdent(id string)      { g.ID = id }
func (s *Strategy) setIdent(id string)  { s.ID = id }
func (m *Measure) setIdent(id string)   { m.ID = id }
func (i *Indicator) setIdent(id string) { i.ID = id }
func (m *Milestone) setIdent(id string) { m.ID = id }
func (r *Round) setIdent(id string)     { r.ID = id }

func (a *PrivacyAcceptance) ident() string { return a.ID }

// noun returns the name of T in entry kinds and touches: "goal", ...
func noun[T Object]() string {
	var z T
	switch any(z).(type) {
	case *Goal:
		return "goal"
	case *Strategy:
		return "strategy"
	case *Measure:
		return "measure"
	case *Indicator:
		return "indicator"
	case *Milestone:
		return "milestone"
	}
	return "round"
}

// listOf returns the plan's list of T.
func listOf[T Object](p *Plan) *[]T {
	var l any
	switch any(*new(T)).(type) {
	case *Goal:
		l = &p.Goals
	case *Strategy:
		l = &p.Strategies
	case *Measure:
		l = &p.Measures
	case *Indicator:
		l = &p.Indicators
	case *Milestone:
		l = &p.Milestones
	case *Round:
		l = &p.Rounds
	}
	return l.(*[]T)
}

func findObject[T interface{ ident() string }](list []T, id string) (T, bool) {
	for _, o := range list {
		if o.ident() == id {
			return o, true
		}
	}
	var z T
	return z, false
}

// saved adds an object or replaces the one with its id. Costs marks a
// measure change that changes the cost data (CostHash), so that finance's
// sign-off, which reads the costs, conflicts with it.
type saved[T Object] struct {
	Object T    `json:"object"`
	Costs  bool `json:"costs,omitempty"`
}

func (c *saved[T]) kind() string { return noun[T]() + ".saved" }
func (c *saved[T]) touches() []string {
	t := []string{noun[T]() + ":" + c.Object.ident()}
	if c.Costs {
		t = append(t, "costs")
	}
	return t
}
func (c *saved[T]) apply(p *Plan) error {
	list := listOf[T](p)
	old, exists := findObject(*list, c.Object.ident())
	if !exists && len(*list) >= maxObjects {
		return Errorf(CodeTooLarge, "a plan has at most %d of these", maxObjects)
	}
	if err := c.Object.check(p); err != nil {
		return err
	}
	obj := cloneObject(c.Object)
	setSeq(obj, p.Seq+1)
	if exists {
		prev := cloneObject(old)
		setSeq(prev, p.Seq+1)
		if reflect.DeepEqual(prev, obj) {
			return errUnchanged
		}
		*list = slices.Clone(*list)
		(*list)[slices.Index(*list, old)] = obj
	} else {
		*list = append(slices.Clone(*list), obj)
	}
	p.costsMayHaveChanged()
	return nil
}

// deleted removes an object.
type deleted[T Object] struct {
	ID    string `json:"id"`
	Costs bool   `json:"costs,omitempty"`
}

func (c *deleted[T]) kind() string { return noun[T]() + ".deleted" }
func (c *deleted[T]) touches() []string {
	t := []string{noun[T]() + ":" + c.ID}
	if c.Costs {
		t = append(t, "costs")
	}
	return t
}
func (c *deleted[T]) apply(p *Plan) error {
	list := listOf[T](p)
	old, ok := findObject(*list, c.ID)
	if !ok {
		return Errorf(CodeNotFound, "%s not found", describe(noun[T](), c.ID))
	}
	if g, isGoal := any(old).(*Goal); isGoal {
		if err := p.goalInUse(g.ID); err != nil {
			return err
		}
	}
	*list = slices.DeleteFunc(slices.Clone(*list), func(o T) bool { return o.ident() == c.ID })
	p.costsMayHaveChanged()
	return nil
}

// cloneObject returns a copy of o that shares no slice with it.
func cloneObject[T Object](o T) T {
	var out any
	switch v := any(o).(type) {
	case *Goal:
		c := *v
		out = &c
	case *Strategy:
		c := *v
		c.Goals = slices.Clone(v.Goals)
		out = &c
	case *Measure:
		c := *v
		c.Goals, c.Costs = slices.Clone(v.Goals), slices.Clone(v.Costs)
		out = &c
	case *Indicator:
		c := *v
		c.Targets, c.Reports = slices.Clone(v.Targets), slices.Clone(v.Reports)
		out = &c
	case *Milestone:
		c := *v
		out = &c
	case *Round:
		c := *v
		c.Sections, c.Recipients, c.Answers = slices.Clone(v.Sections), slices.Clone(v.Recipients), slices.Clone(v.Answers)
		out = &c
	}
	return out.(T)
}

func setSeq[T Object](o T, seq int64) {
	switch v := any(o).(type) {
	case *Goal:
		v.Seq = seq
	case *Strategy:
		v.Seq = seq
	case *Measure:
		v.Seq = seq
	case *Indicator:
		v.Seq = seq
	case *Milestone:
		v.Seq = seq
	case *Round:
		v.Seq = seq
	}
}

// Entry kinds of structured content that are not saved or deleted.
const (
	kindSettingsChanged   = "plan.settings"
	kindIndicatorReported = "indicator.reported"
	kindRoundAnswered     = "round.answered"
	kindEconomicsSigned   = "economics.signed"
	kindPrivacyAccepted   = "privacy.accepted"
	kindPrivacyReopened   = "privacy.reopened"
	kindGoalSaved         = "goal.saved"
	kindGoalDeleted       = "goal.deleted"
	kindStrategySaved     = "strategy.saved"
	kindStrategyDeleted   = "strategy.deleted"
	kindMeasureSaved      = "measure.saved"
	kindMeasureDeleted    = "measure.deleted"
	kindIndicatorSaved    = "indicator.saved"
	kindIndicatorDeleted  = "indicator.deleted"
	kindMilestoneSaved    = "milestone.saved"
	kindMilestoneDeleted  = "milestone.deleted"
	kindRoundSaved        = "round.saved"
	kindRoundDeleted      = "round.deleted"
)

// contentChange returns an empty change of a structured-content kind, or
// nil for another kind.
func contentChange(kind string) change {
	switch kind {
	case kindSettingsChanged:
		return &settingsChanged{}
	case kindIndicatorReported:
		return &indicatorReported{}
	case kindRoundAnswered:
		return &roundAnswered{}
	case kindEconomicsSigned:
		return &economicsSigned{}
	case kindPrivacyAccepted:
		return &privacyAccepted{}
	case kindPrivacyReopened:
		return &privacyReopened{}
	case kindGoalSaved:
		return &saved[*Goal]{}
	case kindGoalDeleted:
		return &deleted[*Goal]{}
	case kindStrategySaved:
		return &saved[*Strategy]{}
	case kindStrategyDeleted:
		return &deleted[*Strategy]{}
	case kindMeasureSaved:
		return &saved[*Measure]{}
	case kindMeasureDeleted:
		return &deleted[*Measure]{}
	case kindIndicatorSaved:
		return &saved[*Indicator]{}
	case kindIndicatorDeleted:
		return &deleted[*Indicator]{}
	case kindMilestoneSaved:
		return &saved[*Milestone]{}
	case kindMilestoneDeleted:
		return &deleted[*Milestone]{}
	case kindRoundSaved:
		return &saved[*Round]{}
	case kindRoundDeleted:
		return &deleted[*Round]{}
	}
	return nil
}

// settingsChanged changes the planning period or the privacy threshold.
type settingsChanged struct {
	Period           *Period `json:"period,omitempty"`
	PrivacyThreshold *int    `json:"privacy_threshold,omitempty"`
}

func (c *settingsChanged) kind() string      { return kindSettingsChanged }
func (c *settingsChanged) touches() []string { return []string{"settings"} }
func (c *settingsChanged) apply(p *Plan) error {
	changed := false
	if c.Period != nil {
		if err := p.checkPeriod(*c.Period); err != nil {
			return err
		}
		changed = changed || p.Period != *c.Period
		p.Period = *c.Period
	}
	if c.PrivacyThreshold != nil {
		if err := p.checkThreshold(*c.PrivacyThreshold); err != nil {
			return err
		}
		changed = changed || p.PrivacyThreshold != *c.PrivacyThreshold
		p.PrivacyThreshold = *c.PrivacyThreshold
	}
	if !changed {
		return errUnchanged
	}
	return nil
}

// indicatorReported adds a reported value to an indicator.
type indicatorReported struct {
	Indicator string `json:"indicator"`
	Report    Report `json:"report"`
}

func (c *indicatorReported) kind() string      { return kindIndicatorReported }
func (c *indicatorReported) touches() []string { return []string{"reports:" + c.Indicator} }
func (c *indicatorReported) apply(p *Plan) error {
	old, ok := p.Indicator(c.Indicator)
	if !ok {
		return Errorf(CodeNotFound, "indicator %q not found", c.Indicator)
	}
	if len(old.Reports) >= maxReports {
		return Errorf(CodeTooLarge, "an indicator has at most %d reported values", maxReports)
	}
	replaceObject(p, old, func(ind *Indicator) {
		ind.Reports = append(ind.Reports, c.Report)
		slices.SortStableFunc(ind.Reports, func(a, b Report) int { return cmp.Compare(a.Date, b.Date) })
	})
	return nil
}

// roundAnswered records a recipient's "done" to a review round.
type roundAnswered struct {
	Round  string `json:"round"`
	Answer Answer `json:"answer"`
}

func (c *roundAnswered) kind() string { return kindRoundAnswered }
func (c *roundAnswered) touches() []string {
	return []string{"answer:" + c.Round + ":" + c.Answer.User}
}
func (c *roundAnswered) apply(p *Plan) error {
	old, ok := p.Round(c.Round)
	if !ok {
		return Errorf(CodeNotFound, "review round %q not found", c.Round)
	}
	if !slices.Contains(old.Recipients, c.Answer.User) {
		return Errorf(CodeForbidden, "the review round was not sent to you")
	}
	if old.Answered(c.Answer.User) {
		return Errorf(CodeConflict, "you have already marked this review round done")
	}
	replaceObject(p, old, func(r *Round) { r.Answers = append(r.Answers, c.Answer) })
	return nil
}

// replaceObject puts a changed copy of old, an object of p, in its place:
// objects in a plan are immutable. The copy gets the next seq.
func replaceObject[T Object](p *Plan, old T, change func(T)) {
	obj := cloneObject(old)
	change(obj)
	setSeq(obj, p.Seq+1)
	list := listOf[T](p)
	*list = slices.Clone(*list)
	(*list)[slices.Index(*list, old)] = obj
}

// economicsSigned records finance's sign-off of the cost data as of
// SignOff.Seq. It touches only the sign-off but reads the costs: a cost
// change after the seq it names makes it conflict (checkConflict).
type economicsSigned struct {
	SignOff SignOff `json:"signoff"`
}

func (c *economicsSigned) kind() string      { return kindEconomicsSigned }
func (c *economicsSigned) touches() []string { return []string{"signoff"} }
func (c *economicsSigned) reads() []string   { return []string{"costs"} }
func (c *economicsSigned) apply(p *Plan) error {
	if h := CostHash(p); h != c.SignOff.Hash {
		return Errorf(CodeConflict, "the costs have changed since seq %d; look at them again", c.SignOff.Seq)
	}
	s := c.SignOff
	s.Lapsed, s.LapsedSeq = false, 0
	p.EconomicsSignOff = &s
	return nil
}

// privacyAccepted records the leader's acceptance of a privacy finding.
type privacyAccepted struct {
	Acceptance PrivacyAcceptance `json:"acceptance"`
}

func (c *privacyAccepted) kind() string      { return kindPrivacyAccepted }
func (c *privacyAccepted) touches() []string { return []string{"privacy:" + c.Acceptance.ID} }
func (c *privacyAccepted) apply(p *Plan) error {
	if old, ok := p.Acceptance(c.Acceptance.ID); ok && old.Reason == c.Acceptance.Reason {
		return errUnchanged
	}
	a := c.Acceptance
	p.PrivacyAccepted = append(slices.DeleteFunc(slices.Clone(p.PrivacyAccepted),
		func(o *PrivacyAcceptance) bool { return o.ID == a.ID }), &a)
	return nil
}

// privacyReopened withdraws an acceptance: the finding is open again.
type privacyReopened struct {
	ID string `json:"id"`
}

func (c *privacyReopened) kind() string      { return kindPrivacyReopened }
func (c *privacyReopened) touches() []string { return []string{"privacy:" + c.ID} }
func (c *privacyReopened) apply(p *Plan) error {
	if _, ok := p.Acceptance(c.ID); !ok {
		return Errorf(CodeNotFound, "finding %q is not accepted", c.ID)
	}
	p.PrivacyAccepted = slices.DeleteFunc(slices.Clone(p.PrivacyAccepted),
		func(o *PrivacyAcceptance) bool { return o.ID == c.ID })
	return nil
}

// costsMayHaveChanged makes finance's sign-off lapse, for good, when the
// cost data no longer has the hash it signed. The change being applied
// gets the next seq.
func (p *Plan) costsMayHaveChanged() {
	s := p.EconomicsSignOff
	if s == nil || s.Lapsed || CostHash(p) == s.Hash {
		return
	}
	l := *s
	l.Lapsed, l.LapsedSeq = true, p.Seq+1
	p.EconomicsSignOff = &l
}

// costItem is what CostHash covers of one measure.
type costItem struct {
	ID         string     `json:"id"`
	TargetArea string     `json:"target_area"`
	Costs      []CostLine `json:"costs"`
}

// CostHash returns the hash of a plan's cost data: every measure's id,
// target area and costs per year, in id order. Titles, texts and statuses
// are not cost data; a measure without costs counts as none.
func CostHash(p *Plan) string {
	items := []costItem{}
	for _, m := range p.Measures {
		if len(m.Costs) > 0 {
			items = append(items, costItem{ID: m.ID, TargetArea: m.TargetArea, Costs: m.Costs})
		}
	}
	slices.SortFunc(items, func(a, b costItem) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	b, _ := json.Marshal(items) // plain structs: cannot fail
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Lookup returns p's object of kind T with the id of like (nil when p has
// none): the same object as the plan holds it, for a view of the plan that
// computed fields on its own copies.
func Lookup[T Object](p *Plan, like T) T {
	o, _ := findObject(*listOf[T](p), like.ident())
	return o
}
