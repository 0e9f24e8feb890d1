package collab

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/temaplan/temaplan/collab/delta"
)

// Rullering (SPEC.md §6, docs/processing.md): an adopted plan is revised
// by a new plan in draft that starts from its "Vedtatt plan" — the outline
// and every section's text as adopted, and the structured content (period,
// goals, strategies, measures with their costs, the scorecard with its
// reported values). The new plan's id is derived from the old plan's, so
// its creation is the unique insert that decides the rullering: a second
// one is a conflict. The old plan then records the link (plan.rullering).

// rulleringStarted links the adopted plan to the plan its rullering made.
type rulleringStarted struct {
	Next PlanLink `json:"next"`
}

func (c *rulleringStarted) kind() string      { return kindRullering }
func (c *rulleringStarted) touches() []string { return []string{"next"} }
func (c *rulleringStarted) apply(p *Plan) error {
	if p.Phase != PhaseAdopted {
		return Errorf(CodeWrongPhase, "only an adopted plan is rullert, not one in phase %s", p.Phase)
	}
	if p.Next != nil {
		return Errorf(CodeConflict, "the plan's rullering has started already (%s)", p.Next.PlanID)
	}
	n := c.Next
	p.Next = &n
	return nil
}

// RulleringID is the id of the plan the rullering of planID makes.
func RulleringID(planID string) string {
	sum := sha256.Sum256([]byte("rullering:" + planID))
	return "r" + hex.EncodeToString(sum[:12])
}

// rulleringSrc is the source of the op that copies a section's adopted
// text into the new plan.
const rulleringSrc = "rullering"

// ReadVersionText returns the named version of p at seq, its content and
// the text of each of its sections at the version.
func (ps *Plans) ReadVersionText(ctx context.Context, p *Plan, seq int64) (NamedVersion, VersionContent, map[string]delta.Delta, error) {
	v, vc, err := ps.ReadVersion(ctx, p, fmt.Sprint(seq))
	if err != nil {
		return NamedVersion{}, VersionContent{}, nil, err
	}
	texts := map[string]delta.Delta{}
	if ps.engine == nil {
		return v, vc, texts, nil
	}
	for id, at := range v.Sections {
		d, err := ps.engine.DocAt(ctx, id, at)
		if err != nil {
			return NamedVersion{}, VersionContent{}, nil, err
		}
		texts[id] = d
	}
	return v, vc, texts, nil
}

// StartRullering starts the rullering of the adopted plan planID: a new
// plan in draft, in the same municipality and of the same type, titled
// title ("" for "<title> (rullering <year>)"), with the old plan's members
// (its leader leads the new one), its adopted outline and text (new
// section ids) and structured content, and Previous set; the old plan
// gets Next. by.Check is the caller's policy on the old plan.
func (ps *Plans) StartRullering(ctx context.Context, by Actor, planID, title string) (*Plan, error) {
	old, err := ps.Get(ctx, planID)
	if err != nil {
		return nil, err
	}
	if err := by.check(old); err != nil {
		return nil, err
	}
	if old.Phase != PhaseAdopted || old.Adoption == nil {
		return nil, Errorf(CodeWrongPhase, "only an adopted plan is rullert, not one in phase %s", old.Phase)
	}
	if old.Next != nil {
		return nil, Errorf(CodeConflict, "the plan's rullering has started already (%s)", old.Next.PlanID)
	}
	now := ps.now().UTC().Truncate(time.Millisecond)
	if title == "" {
		title = truncateRunes(fmt.Sprintf("%s (rullering %d)", old.Title, now.Year()), maxTitleLen)
	}
	if title, err = cleanText("title", title, maxTitleLen); err != nil {
		return nil, err
	}
	v, vc, texts, err := ps.ReadVersionText(ctx, old, old.Adoption.Version)
	if err != nil {
		return nil, err
	}

	// The outline with new section ids, and the text copied into them
	// first: should the plan not be created, the copies are unused
	// documents nobody sees.
	ids := map[string]string{}
	var remap func(in []*Section) []*Section
	remap = func(in []*Section) []*Section {
		out := make([]*Section, len(in))
		for i, s := range in {
			c := *s
			c.ID = ps.newID()
			ids[s.ID] = c.ID
			c.Contributors = append([]string{}, s.Contributors...)
			c.Children = remap(s.Children)
			out[i] = &c
		}
		return out
	}
	sections := remap(vc.Sections)
	for oldID, text := range texts {
		newID, ok := ids[oldID]
		if !ok {
			continue
		}
		if err := ps.copyText(ctx, newID, text, by.ID); err != nil {
			return nil, err
		}
	}

	p := &Plan{
		ID: RulleringID(old.ID), Title: title, Municipality: old.Municipality, Type: old.Type,
		Phase: PhaseDraft, CreatedBy: by.ID, Created: now, Updated: now, Sections: sections,
		Period: vc.Period, PrivacyThreshold: old.PrivacyThreshold,
		Previous: &PlanLink{PlanID: old.ID, Title: old.Title, Version: v.Seq},
	}
	p.Goals, p.Strategies, p.Measures, p.Indicators = copyContent(vc, ids)
	p.normalize()
	for _, m := range old.Members {
		if err := (&memberSet{User: m.User, Roles: m.Roles}).apply(p); err != nil {
			return nil, err
		}
	}
	p = p.Clone() // nil lists as []
	p.Seq = 1
	data, err := json.Marshal(&planCreated{Plan: p})
	if err != nil {
		return nil, fmt.Errorf("create plan: %w", err)
	}
	e := PlanEntry{Plan: p.ID, Seq: 1, Kind: kindPlanCreated, By: by.ID, At: now, Data: data}
	if err := ps.store.AppendPlanEntry(ctx, e); err != nil {
		if errors.Is(err, ErrDuplicate) {
			// The rullering was started before; make sure the old plan
			// links to it (a link lost to a failure is made now).
			if made, gerr := ps.Get(ctx, p.ID); gerr == nil && made.Previous != nil && made.Previous.PlanID == old.ID {
				_, _ = ps.commit(ctx, Actor{ID: by.ID}, old.ID, 0, &rulleringStarted{Next: PlanLink{PlanID: made.ID, Title: made.Title}})
			}
			return nil, Wrap(CodeConflict, err, "the plan's rullering has started already")
		}
		return nil, fmt.Errorf("create plan: %w", err)
	}
	ps.saveState(ctx, p)
	if _, err := ps.commit(ctx, Actor{ID: by.ID}, old.ID, 0, &rulleringStarted{Next: PlanLink{PlanID: p.ID, Title: p.Title}}); err != nil {
		// A caller that lost the insert meanwhile may have made the link
		// (above): the plan is made and linked, and it is this caller's.
		if o, gerr := ps.Get(ctx, old.ID); gerr == nil && o.Next != nil && o.Next.PlanID == p.ID {
			return p, nil
		}
		return nil, Wrap(CodeUnavailable, err, "the new plan was made, but the adopted plan could not be linked to it; try again")
	}
	return p, nil
}

// copyText writes text into the new, empty section doc.
func (ps *Plans) copyText(ctx context.Context, doc string, text delta.Delta, by string) error {
	head, cur, err := ps.engine.Snapshot(ctx, doc)
	if err != nil {
		return Wrap(CodeUnavailable, err, "the text could not be copied; try again")
	}
	op, err := cur.Diff(text)
	if err != nil {
		return Wrap(CodeInternal, err, "the text could not be copied")
	}
	if len(op.Ops) == 0 {
		return nil
	}
	if _, err := ps.engine.Submit(ctx, Submission{Doc: doc, V: head, Src: rulleringSrc, Seq: 1, By: by, Op: op}); err != nil {
		return Wrap(CodeUnavailable, err, "the text could not be copied; try again")
	}
	return nil
}

// copyContent returns the content of vc for a new plan whose sections got
// new ids (ids: old → new), every object at seq 1 (the new plan's first
// entry).
func copyContent(vc VersionContent, ids map[string]string) ([]*Goal, []*Strategy, []*Measure, []*Indicator) {
	area := func(id string) string {
		if n, ok := ids[id]; ok {
			return n
		}
		return id
	}
	goals := make([]*Goal, len(vc.Goals))
	for i, g := range vc.Goals {
		c := *g
		c.Seq, c.TargetArea = 1, area(g.TargetArea)
		goals[i] = &c
	}
	strategies := make([]*Strategy, len(vc.Strategies))
	for i, s := range vc.Strategies {
		c := *s
		c.Seq, c.TargetArea = 1, area(s.TargetArea)
		c.Goals = append([]string{}, s.Goals...)
		strategies[i] = &c
	}
	measures := make([]*Measure, len(vc.Measures))
	for i, m := range vc.Measures {
		c := *m
		c.Seq, c.TargetArea = 1, area(m.TargetArea)
		c.Goals = append([]string{}, m.Goals...)
		c.Costs = append([]CostLine{}, m.Costs...)
		measures[i] = &c
	}
	indicators := make([]*Indicator, len(vc.Indicators))
	for i, ind := range vc.Indicators {
		c := *ind
		c.Seq = 1
		c.Targets = append([]Point{}, ind.Targets...)
		c.Reports = append([]Report{}, ind.Reports...)
		indicators[i] = &c
	}
	return goals, strategies, measures, indicators
}
