package collab

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/temaplan/temaplan/privacy"
)

// Inputs of structured content. A field left out (nil) keeps its value
// when an object is changed, and gets its default when one is made.

// GoalInput sets the fields of a goal.
type GoalInput struct {
	// Seq is the plan seq the change was made on (0: do not check).
	Seq         int64   `json:"seq"`
	TargetArea  *string `json:"target_area"`
	Title       *string `json:"title"`
	Description *string `json:"description"`
}

// StrategyInput sets the fields of a strategy.
type StrategyInput struct {
	// Seq is the plan seq the change was made on (0: do not check).
	Seq         int64     `json:"seq"`
	TargetArea  *string   `json:"target_area"`
	Title       *string   `json:"title"`
	Description *string   `json:"description"`
	Goals       *[]string `json:"goals"`
}

// MeasureInput sets the fields of a measure; Costs replaces all its costs.
type MeasureInput struct {
	// Seq is the plan seq the change was made on (0: do not check).
	Seq         int64          `json:"seq"`
	TargetArea  *string        `json:"target_area"`
	Title       *string        `json:"title"`
	Description *string        `json:"description"`
	Goals       *[]string      `json:"goals"`
	Unit        *string        `json:"unit"`
	StartYear   *int           `json:"start_year"`
	EndYear     *int           `json:"end_year"`
	Priority    *Priority      `json:"priority"`
	TargetGroup *string        `json:"target_group"`
	Status      *MeasureStatus `json:"status"`
	Costs       *[]CostLine    `json:"costs"`
}

// IndicatorInput sets the fields of an indicator.
type IndicatorInput struct {
	// Seq is the plan seq the change was made on (0: do not check).
	Seq         int64      `json:"seq"`
	Goal        *string    `json:"goal"`
	Name        *string    `json:"name"`
	Definition  *string    `json:"definition"`
	Unit        *string    `json:"unit"`
	Baseline    *Point     `json:"baseline"`
	Targets     *[]Point   `json:"targets"`
	Source      *string    `json:"source"`
	Frequency   *Frequency `json:"frequency"`
	Responsible *string    `json:"responsible"`
}

// MilestoneInput sets the fields of a milestone.
type MilestoneInput struct {
	// Seq is the plan seq the change was made on (0: do not check).
	Seq         int64            `json:"seq"`
	Title       *string          `json:"title"`
	Date        *string          `json:"date"`
	Responsible *string          `json:"responsible"`
	Status      *MilestoneStatus `json:"status"`
}

// RoundInput sets the fields of a review round.
type RoundInput struct {
	// Seq is the plan seq the change was made on (0: do not check).
	Seq        int64     `json:"seq"`
	Message    *string   `json:"message"`
	Sections   *[]string `json:"sections"`
	Recipients *[]string `json:"recipients"`
	Deadline   *string   `json:"deadline"`
}

// Input is the input of an object of kind T.
type Input[T Object] interface {
	// fill sets the given fields of obj.
	fill(obj T)
	// BaseSeq is the plan seq the change was made on.
	BaseSeq() int64
}

// BaseSeq returns the plan seq the change was made on.
func (in GoalInput) BaseSeq() int64 { return in.Seq }

// BaseSeq returns the plan seq the change was made on.
func (in StrategyInput) BaseSeq() int64 { return in.Seq }

// BaseSeq returns the plan seq the change was made on.
func (in MeasureInput) BaseSeq() int64 { return in.Seq }

// BaseSeq returns the plan seq the change was made on.
func (in IndicatorInput) BaseSeq() int64 { return in.Seq }

// BaseSeq returns the plan seq the change was made on.
func (in MilestoneInput) BaseSeq() int64 { return in.Seq }

// BaseSeq returns the plan seq the change was made on.
func (in RoundInput) BaseSeq() int64 { return in.Seq }

func set[V any](dst *V, src *V) {
	if src != nil {
		*dst = *src
	}
}

func (in GoalInput) fill(g *Goal) {
	set(&g.TargetArea, in.TargetArea)
	set(&g.Title, in.Title)
	set(&g.Description, in.Description)
}

func (in StrategyInput) fill(s *Strategy) {
	set(&s.TargetArea, in.TargetArea)
	set(&s.Title, in.Title)
	set(&s.Description, in.Description)
	set(&s.Goals, in.Goals)
}

func (in MeasureInput) fill(m *Measure) {
	set(&m.TargetArea, in.TargetArea)
	set(&m.Title, in.Title)
	set(&m.Description, in.Description)
	set(&m.Goals, in.Goals)
	set(&m.Unit, in.Unit)
	set(&m.StartYear, in.StartYear)
	set(&m.EndYear, in.EndYear)
	set(&m.Priority, in.Priority)
	set(&m.TargetGroup, in.TargetGroup)
	set(&m.Status, in.Status)
	set(&m.Costs, in.Costs)
}

func (in IndicatorInput) fill(i *Indicator) {
	set(&i.Goal, in.Goal)
	set(&i.Name, in.Name)
	set(&i.Definition, in.Definition)
	set(&i.Unit, in.Unit)
	set(&i.Baseline, in.Baseline)
	set(&i.Targets, in.Targets)
	set(&i.Source, in.Source)
	set(&i.Frequency, in.Frequency)
	set(&i.Responsible, in.Responsible)
}

func (in MilestoneInput) fill(m *Milestone) {
	set(&m.Title, in.Title)
	set(&m.Date, in.Date)
	set(&m.Responsible, in.Responsible)
	set(&m.Status, in.Status)
}

func (in RoundInput) fill(r *Round) {
	set(&r.Message, in.Message)
	set(&r.Sections, in.Sections)
	set(&r.Recipients, in.Recipients)
	set(&r.Deadline, in.Deadline)
}

// newObject returns a new object of kind T with its defaults in plan p.
func newObject[T Object](p *Plan) T {
	var o any
	switch any(*new(T)).(type) {
	case *Goal:
		o = &Goal{}
	case *Strategy:
		o = &Strategy{Goals: []string{}}
	case *Measure:
		o = &Measure{Priority: PriorityMedium, Status: MeasurePlanned, StartYear: p.Period.From,
			EndYear: p.Period.To, Goals: []string{}, Costs: []CostLine{}}
	case *Indicator:
		o = &Indicator{Frequency: FrequencyYearly, Reports: []Report{}}
	case *Milestone:
		o = &Milestone{Status: MilestonePlanned}
	case *Round:
		o = &Round{Sections: []string{}, Answers: []Answer{}}
	}
	return o.(T)
}

// Save makes an object of kind T (id "") or changes the one with id, with
// the fields in. in.BaseSeq() is the plan seq the user saw: a change of
// the same object after it is a conflict.
func Save[T Object](ctx context.Context, ps *Plans, by Actor, planID, id string, in Input[T]) (*Plan, T, error) {
	base := in.BaseSeq()
	if base < 0 {
		var z T
		return nil, z, Errorf(CodeInvalid, "seq must not be negative")
	}
	newID := ""
	if id == "" {
		newID = ps.newID()
	}
	var made T
	p, err := ps.commitBuilt(ctx, by, planID, base, func(p *Plan) (change, error) {
		var obj, old T
		if id == "" {
			obj = newObject[T](p)
			obj.setIdent(newID)
			if r, ok := any(obj).(*Round); ok {
				r.SentBy, r.SentAt = by.ID, ps.now().UTC().Truncate(time.Millisecond)
			}
		} else {
			var ok bool
			if old, ok = findObject(*listOf[T](p), id); !ok {
				return nil, Errorf(CodeNotFound, "%s not found", describe(noun[T](), id))
			}
			obj = cloneObject(old)
		}
		in.fill(obj)
		if err := obj.clean(); err != nil {
			return nil, err
		}
		made = obj
		return &saved[T]{Object: obj, Costs: costsDiffer(old, obj)}, nil
	})
	if err != nil {
		return nil, made, err
	}
	got, _ := findObject(*listOf[T](p), made.ident())
	return p, got, nil
}

// costsDiffer reports whether saving b over a changes the cost data.
func costsDiffer[T Object](a, b T) bool {
	ma, _ := any(a).(*Measure)
	mb, ok := any(b).(*Measure)
	if !ok {
		return false
	}
	if ma == nil {
		return len(mb.Costs) > 0
	}
	return ma.TargetArea != mb.TargetArea || !reflect.DeepEqual(ma.Costs, mb.Costs)
}

// Delete deletes the object of kind T with id.
func Delete[T Object](ctx context.Context, ps *Plans, by Actor, planID string, base int64, id string) (*Plan, error) {
	return ps.commitBuilt(ctx, by, planID, base, func(p *Plan) (change, error) {
		old, ok := findObject(*listOf[T](p), id)
		if !ok {
			return nil, Errorf(CodeNotFound, "%s not found", describe(noun[T](), id))
		}
		m, isMeasure := any(old).(*Measure)
		return &deleted[T]{ID: id, Costs: isMeasure && len(m.Costs) > 0}, nil
	})
}

// ChangeSettings changes the planning period or the privacy threshold.
func (ps *Plans) ChangeSettings(ctx context.Context, by Actor, planID string, base int64, period *Period, threshold *int) (*Plan, error) {
	if period == nil && threshold == nil {
		return nil, Errorf(CodeInvalid, "nothing to change")
	}
	return ps.commit(ctx, by, planID, base, &settingsChanged{Period: period, PrivacyThreshold: threshold})
}

// ReportIndicator adds a value reported for an indicator on date.
func (ps *Plans) ReportIndicator(ctx context.Context, by Actor, planID string, base int64, indicator, date string, value float64, note string) (*Plan, error) {
	if err := checkDate("date", date); err != nil {
		return nil, err
	}
	if err := checkValue("value", value); err != nil {
		return nil, err
	}
	note, err := optionalText("note", note, maxTitleLen*5, true)
	if err != nil {
		return nil, err
	}
	r := Report{ID: ps.newID(), Date: date, Value: value, Note: note, By: by.ID, At: ps.now().UTC().Truncate(time.Millisecond)}
	return ps.commit(ctx, by, planID, base, &indicatorReported{Indicator: indicator, Report: r})
}

// AnswerRound records that by has done what the review round asked.
func (ps *Plans) AnswerRound(ctx context.Context, by Actor, planID, round, comment string) (*Plan, error) {
	comment, err := optionalText("comment", comment, maxRoundMessage, true)
	if err != nil {
		return nil, err
	}
	a := Answer{User: by.ID, At: ps.now().UTC().Truncate(time.Millisecond), Comment: comment}
	return ps.commit(ctx, by, planID, 0, &roundAnswered{Round: round, Answer: a})
}

// SignOffEconomics records finance's sign-off of the cost data as it was at
// seq, the plan seq the reviewer looked at: if a cost changed after it,
// the sign-off is refused with CodeConflict.
func (ps *Plans) SignOffEconomics(ctx context.Context, by Actor, planID string, seq int64, comment string) (*Plan, error) {
	comment, err := cleanText("comment", strings.ReplaceAll(comment, "\n", " "), maxRoundMessage)
	if err != nil {
		return nil, err
	}
	if seq <= 0 {
		return nil, Errorf(CodeInvalid, "seq must name the plan seq of the costs you reviewed")
	}
	return ps.commitBuilt(ctx, by, planID, seq, func(p *Plan) (change, error) {
		return &economicsSigned{SignOff: SignOff{By: by.ID, At: ps.now().UTC().Truncate(time.Millisecond),
			Comment: comment, Seq: seq, Hash: CostHash(p)}}, nil
	})
}

// PrivacyFinding is a privacy finding in a section of a plan, with its
// acceptance if the leader accepted it.
type PrivacyFinding struct {
	privacy.Finding
	Section      string             `json:"section"`
	SectionTitle string             `json:"section_title"`
	Accepted     *PrivacyAcceptance `json:"accepted"`
}

// PrivacyFindings checks the current text of every section of p for small
// counts of persons or households, at the plan's threshold.
func (ps *Plans) PrivacyFindings(ctx context.Context, p *Plan) ([]PrivacyFinding, error) {
	out := []PrivacyFinding{}
	if ps.engine == nil {
		return out, nil
	}
	var secs []*Section
	p.Walk(func(s *Section, _ int) { secs = append(secs, s) })
	for _, s := range secs {
		_, doc, err := ps.engine.Snapshot(ctx, s.ID)
		if err != nil {
			return nil, fmt.Errorf("privacy check of section %s: %w", s.ID, err)
		}
		for _, f := range privacy.FindDoc(s.ID, doc, p.PrivacyThreshold) {
			pf := PrivacyFinding{Finding: f, Section: s.ID, SectionTitle: s.Title}
			if a, ok := p.Acceptance(f.ID); ok {
				pf.Accepted = a
			}
			out = append(out, pf)
		}
	}
	return out, nil
}

// openFindings counts the findings neither fixed nor accepted.
func openFindings(fs []PrivacyFinding) int {
	n := 0
	for _, f := range fs {
		if f.Accepted == nil {
			n++
		}
	}
	return n
}

// AcceptFinding records the leader's acceptance of a privacy finding, which
// must be in the text now.
func (ps *Plans) AcceptFinding(ctx context.Context, by Actor, planID string, base int64, id, reason string) (*Plan, error) {
	reason, err := cleanText("reason", strings.ReplaceAll(reason, "\n", " "), maxPrivacyReason)
	if err != nil {
		return nil, err
	}
	p, err := ps.Get(ctx, planID)
	if err != nil {
		return nil, err
	}
	if err := by.check(p); err != nil {
		return nil, err
	}
	fs, err := ps.PrivacyFindings(ctx, p)
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		if f.ID == id {
			a := PrivacyAcceptance{ID: id, Section: f.Section, Quote: f.Quote, Reason: reason,
				By: by.ID, At: ps.now().UTC().Truncate(time.Millisecond)}
			return ps.commit(ctx, by, planID, base, &privacyAccepted{Acceptance: a})
		}
	}
	return nil, Errorf(CodeNotFound, "finding %q is not in the text (any more)", truncateRunes(id, 40))
}

// ReopenFinding withdraws the acceptance of a privacy finding.
func (ps *Plans) ReopenFinding(ctx context.Context, by Actor, planID string, base int64, id string) (*Plan, error) {
	return ps.commit(ctx, by, planID, base, &privacyReopened{ID: id})
}
