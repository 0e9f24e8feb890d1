package collab

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// HearingDraftName is the name of the version frozen when a plan is
// approved for the hearing (SPEC.md §6).
const HearingDraftName = "Høringsutkast"

// SetMember gives user the roles in the plan (none removes them). The
// caller validates the role names; the plan log keeps one leader.
func (ps *Plans) SetMember(ctx context.Context, by Actor, planID, user string, roles []string) (*Plan, error) {
	if _, err := cleanText("user", user, maxIDLen); err != nil {
		return nil, err
	}
	return ps.commit(ctx, by, planID, 0, &memberSet{User: user, Roles: roles})
}

// Step is one step of the planning process, decided by the caller's policy
// on the plan state it is committed on (see Plans.Step).
type Step struct {
	// Action names the step for the log and the audit: "lock", "return",
	// "approve", "submit", ...
	Action string
	// To is the phase after the step; To == the current phase records an
	// approval (Approve set) or a submission.
	To Phase
	// Approve is the role whose approval is recorded; Complete says it is
	// the last one needed, so the plan moves to To (which then differs
	// from the current phase) and the hearing draft is frozen.
	Approve  string
	Complete bool
	Comment  string
	// Freeze, when set, names a version the step freezes in its own
	// entry (a phase change; the process's versions, such as
	// AdoptedName): the sections at their lock markers when the plan is
	// or becomes locked, else at their heads, and the structured content
	// as the step finds it. A name the plan has already gets " (2)", ...
	Freeze string
	// Decision and Adoption, when set, are recorded by the step's phase
	// change (processing.go): the council's decision, and the adoption,
	// whose version is the one Freeze names.
	Decision *Decision
	Adoption *Adoption
}

// Step moves a plan through its process. decide is called with the plan as
// it stands, on every attempt, and returns the step to take (or the error
// that refuses it): the policy is applied to the state the step commits on.
//
// Locking is exact without a transaction: before the entry that moves the
// plan out of an editable phase is appended, every section gets a lock
// marker in its op log. An op either won its version before the marker (and
// is in the locked version the entry records) or loses to it and is refused
// as locked. Should the entry then lose its seq to another change, the step
// is decided again on the new state; if it is no longer taken, the markers
// are lifted. Leaving the locked phases appends the entry first, then lifts
// the markers.
func (ps *Plans) Step(ctx context.Context, by string, planID string, decide func(p *Plan) (Step, error)) (*Plan, error) {
	unlock := ps.lock(planID)
	defer unlock()
	var marked []string // sections this call locked, to undo on failure
	for attempt := 0; ; attempt++ {
		p, err := ps.Get(ctx, planID)
		if err != nil {
			return nil, ps.undoMarks(ctx, planID, marked, by, err)
		}
		st, err := decide(p)
		if err != nil {
			return nil, ps.undoMarks(ctx, planID, marked, by, err)
		}
		c, err := ps.stepChange(ctx, p, st, by, &marked)
		if err != nil {
			return nil, ps.undoMarks(ctx, planID, marked, by, err)
		}
		next := p.Clone()
		if err := c.apply(next); err != nil {
			return nil, ps.undoMarks(ctx, planID, marked, by, err)
		}
		e, retry, err := ps.appendEntry(ctx, p, next, by, c, attempt)
		if retry {
			continue
		}
		if err != nil {
			return nil, ps.undoMarks(ctx, planID, marked, by, err)
		}
		var unlockErr error
		if !p.Phase.Editable() && next.Phase.Editable() {
			// Lifted before the event goes out, so that clients which
			// resend their refused edits on the event find the sections
			// open.
			if _, unlockErr = ps.markAll(ctx, next, OpUnlock, by); unlockErr != nil {
				// The step is committed; the sections stay locked until
				// the markers are placed (a later lock and return do it).
				ps.log.Error("sections not unlocked", "plan", planID, "seq", e.Seq, "err", unlockErr)
				unlockErr = Wrap(CodeUnavailable, unlockErr, "the plan was returned, but its sections could not be unlocked yet; try again")
			}
		}
		ps.publish(ctx, e)
		return next, unlockErr
	}
}

// stepChange turns a decided step into the entry's change, placing the
// lock markers first when the step leaves the editable phases.
func (ps *Plans) stepChange(ctx context.Context, p *Plan, st Step, by string, marked *[]string) (change, error) {
	switch {
	case st.Approve != "":
		c := &approvalRecorded{Role: st.Approve, Lock: p.LockSeq, Complete: st.Complete}
		if st.Complete {
			c.To = st.To
			name := HearingDraftName
			if st.Freeze != "" {
				name = st.Freeze
			}
			v, vc, err := ps.systemVersion(ctx, p, name, by, nonNilVersions(p.Locked))
			if err != nil {
				return nil, err
			}
			c.Version, c.Content = v, vc
		}
		return c, nil
	case st.To == p.Phase:
		return &planSubmitted{Comment: st.Comment}, nil
	}
	c := &phaseChanged{Action: st.Action, From: p.Phase, To: st.To, Comment: st.Comment,
		Decision: st.Decision, Adoption: st.Adoption}
	if p.Phase.Editable() && !st.To.Editable() {
		locked, err := ps.markAll(ctx, p, OpLock, by)
		// The markers placed are lifted if the step is not taken, also
		// when others failed.
		for id := range locked {
			*marked = append(*marked, id)
		}
		if err != nil {
			return nil, Wrap(CodeUnavailable, err, "the sections could not be locked; try again")
		}
		// The text is final now: no op commits after a marker. The
		// privacy check runs on exactly the text being locked.
		fs, err := ps.PrivacyFindings(ctx, p)
		if err != nil {
			return nil, Wrap(CodeUnavailable, err, "the privacy check could not read the text; try again")
		}
		if n := openFindings(fs); n > 0 {
			return nil, Errorf(CodePrivacyFlagsOpen, "%d privacy findings are neither fixed nor accepted by the leader", n)
		}
		c.Locked = locked
	}
	if st.Freeze != "" {
		sections := c.Locked
		if sections == nil && p.LockSeq != 0 {
			sections = p.Locked
		}
		v, vc, err := ps.systemVersion(ctx, p, st.Freeze, by, sections)
		if err != nil {
			return nil, err
		}
		c.Version, c.Content = v, vc
	}
	return c, nil
}

// nonNilVersions returns m, or an empty map for nil: a locked plan's
// sections as a version records them (a plan without an engine locks no
// text).
func nonNilVersions(m map[string]int64) map[string]int64 {
	if m == nil {
		return map[string]int64{}
	}
	return m
}

// markAll places a marker of kind in the op log of every section of p, at
// most eight at once, and returns each marker's version.
func (ps *Plans) markAll(ctx context.Context, p *Plan, kind OpKind, by string) (map[string]int64, error) {
	return ps.perSection(p, func(id string) (int64, error) {
		v, err := ps.engine.Mark(ctx, id, kind, by)
		if err != nil {
			return 0, fmt.Errorf("mark section %s %s: %w", id, kind, err)
		}
		return v, nil
	})
}

// perSection calls do for every section of p's outline, at most eight at
// once, and returns each section's version as do answers it, with the
// errors of every section that failed joined. Without an engine there is
// no text, and the map is empty.
func (ps *Plans) perSection(p *Plan, do func(id string) (int64, error)) (map[string]int64, error) {
	out := map[string]int64{}
	if ps.engine == nil {
		return out, nil
	}
	var ids []string
	p.Walk(func(s *Section, _ int) { ids = append(ids, s.ID) })
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		firstErr error
		sem      = make(chan struct{}, 8)
	)
	for _, id := range ids {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			v, err := do(id)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				firstErr = errors.Join(firstErr, err)
				return
			}
			out[id] = v
		}()
	}
	wg.Wait()
	return out, firstErr
}

// undoMarks lifts the lock markers a Step placed when the step is not taken
// after all, unless the plan is locked by then (another node's lock won).
// It returns cause.
func (ps *Plans) undoMarks(ctx context.Context, planID string, marked []string, by string, cause error) error {
	if len(marked) == 0 || ps.engine == nil {
		return cause
	}
	p, err := ps.Get(ctx, planID)
	if err == nil && !p.Phase.Editable() {
		return cause
	}
	for _, id := range marked {
		if _, err := ps.engine.Mark(ctx, id, OpUnlock, by); err != nil {
			ps.log.Error("lock marker not lifted after a refused lock", "plan", planID, "section", id, "err", err)
		}
	}
	return cause
}

// Log returns every entry of a plan's log, in seq order: the plan's
// complete, append-only history of structure, membership and process.
func (ps *Plans) Log(ctx context.Context, id string) ([]PlanEntry, error) {
	entries, err := ps.store.PlanEntries(ctx, id, 1)
	if err != nil {
		return nil, fmt.Errorf("load plan %s: %w", id, err)
	}
	return entries, nil
}
