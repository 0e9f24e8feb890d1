package collab

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/temaplan/temaplan/collab/delta"
)

// Named versions (SPEC.md §7): a named version records the version of
// every section's document and the plan's structured content at one
// moment. The leader freezes one with a name; the process freezes the
// hearing draft on approval and the adopted plan on adoption.
//
// The decision to freeze is a plan-log entry like every change of a plan:
// "version.frozen" for the leader's, the approval entry ("plan.approved")
// or a phase change ("plan.phase") for the process's. The entry holds a
// frozen copy of the structured content (VersionContent), so a version
// reads back exactly what was frozen, whatever the log does later; the
// plan's state keeps only the version's metadata and the hash of that
// copy. Section text is not copied: a section's text at version v is its
// op log's first v ops, which the log keeps for good (Engine.DocAt).

// AdoptedName is the name of the version frozen when the plan is adopted
// (SPEC.md §6).
const AdoptedName = "Vedtatt plan"

// maxVersionName bounds the name of a named version.
const maxVersionName = 100

// NowRef names the current text and content where a version is expected
// (the diff's "to").
const NowRef = "now"

// VersionContent is the structured content of a plan as frozen with a
// named version: the outline (titles, kinds, nesting), the planning
// period, and the goals, strategies, measures with their costs,
// indicators and milestones.
type VersionContent struct {
	Period     Period       `json:"period"`
	Sections   []*Section   `json:"sections"`
	Goals      []*Goal      `json:"goals"`
	Strategies []*Strategy  `json:"strategies"`
	Measures   []*Measure   `json:"measures"`
	Indicators []*Indicator `json:"indicators"`
	Milestones []*Milestone `json:"milestones"`
}

// contentOf returns the structured content of p. The content objects are
// immutable, so the lists are copied and the objects shared.
func contentOf(p *Plan) VersionContent {
	return VersionContent{
		Period:     p.Period,
		Sections:   cloneSections(p.Sections),
		Goals:      nonNil(p.Goals),
		Strategies: nonNil(p.Strategies),
		Measures:   nonNil(p.Measures),
		Indicators: nonNil(p.Indicators),
		Milestones: nonNil(p.Milestones),
	}
}

// Hash returns the hash of the content as it is stored: "sha256:" and the
// hex digest of its JSON.
func (vc VersionContent) Hash() string {
	b, err := json.Marshal(vc)
	if err != nil {
		return "" // plain structs: cannot fail
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// outlinePlan returns a plan holding only the outline and content of vc,
// for walking and finding its sections.
func (vc VersionContent) outlinePlan() *Plan {
	return &Plan{Sections: vc.Sections, Period: vc.Period, Goals: vc.Goals, Strategies: vc.Strategies,
		Measures: vc.Measures, Indicators: vc.Indicators, Milestones: vc.Milestones}
}

// kindVersionFrozen is the plan-log entry of a version the leader froze.
const kindVersionFrozen = "version.frozen"

// versionFrozen freezes a named version with the content it records.
type versionFrozen struct {
	Version NamedVersion   `json:"version"`
	Content VersionContent `json:"content"`
}

func (c *versionFrozen) kind() string      { return kindVersionFrozen }
func (c *versionFrozen) touches() []string { return []string{"versions"} }
func (c *versionFrozen) apply(p *Plan) error {
	if _, ok := p.versionNamed(c.Version.Name); ok {
		return Errorf(CodeConflict, "the plan has a version named %q already", c.Version.Name)
	}
	p.appendVersion(c.Version)
	return nil
}

// appendVersion adds v to the plan's versions as frozen by the entry being
// applied, which gets the next seq.
func (p *Plan) appendVersion(v NamedVersion) {
	v.Sections = cloneVersions(v.Sections)
	v.Seq = p.Seq + 1
	p.Versions = append(p.Versions, v)
}

func cloneVersions(m map[string]int64) map[string]int64 {
	out := make(map[string]int64, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// versionNamed returns the version whose name is name, compared without
// regard to case: names are unique that way.
func (p *Plan) versionNamed(name string) (NamedVersion, bool) {
	for _, v := range p.Versions {
		if strings.EqualFold(v.Name, name) {
			return v, true
		}
	}
	return NamedVersion{}, false
}

// FindVersion returns the named version ref names: its seq (digits) or its
// name, compared without regard to case.
func (p *Plan) FindVersion(ref string) (NamedVersion, bool) {
	ref = strings.TrimSpace(ref)
	if seq, err := strconv.ParseInt(ref, 10, 64); err == nil {
		for _, v := range p.Versions {
			if v.Seq == seq {
				return v, true
			}
		}
		return NamedVersion{}, false
	}
	return p.versionNamed(ref)
}

// systemName returns base, or base with the first free " (n)" when the
// plan has a version of that name: the process freezes its versions
// again after a return or a rullering.
func (p *Plan) systemName(base string) string {
	if _, taken := p.versionNamed(base); !taken {
		return base
	}
	for n := 2; ; n++ {
		name := fmt.Sprintf("%s (%d)", base, n)
		if _, taken := p.versionNamed(name); !taken {
			return name
		}
	}
}

// checkVersionName validates a name the leader gives a version. Names of
// digits only would read as a seq, "now" names the current text, and the
// names the process gives its versions are the process's.
func checkVersionName(name string) (string, error) {
	name, err := cleanText("name", name, maxVersionName)
	if err != nil {
		return "", err
	}
	if _, err := strconv.ParseInt(name, 10, 64); err == nil || strings.Trim(name, "0123456789") == "" {
		return "", Errorf(CodeInvalid, "name must not be a number: numbers name versions by their seq")
	}
	base := name
	if i := strings.LastIndex(name, " ("); i > 0 && strings.HasSuffix(name, ")") {
		if _, err := strconv.Atoi(name[i+2 : len(name)-1]); err == nil {
			base = name[:i]
		}
	}
	for _, reserved := range []string{NowRef, "nå", HearingDraftName, AdoptedName} {
		if strings.EqualFold(base, reserved) {
			return "", Errorf(CodeInvalid, "name %q is reserved: the process names its own versions", truncateRunes(name, 40))
		}
	}
	return name, nil
}

// FreezeVersion freezes a named version of the plan as it is now: the head
// version of every section's document and the structured content. The
// name must be unique in the plan (a taken name is a conflict). base is
// the plan seq the leader saw: a version frozen by someone else after it
// is a conflict (0: no check).
func (ps *Plans) FreezeVersion(ctx context.Context, by Actor, planID string, base int64, name string) (*Plan, NamedVersion, error) {
	name, err := checkVersionName(name)
	if err != nil {
		return nil, NamedVersion{}, err
	}
	if base < 0 {
		return nil, NamedVersion{}, Errorf(CodeInvalid, "seq must not be negative")
	}
	p, err := ps.commitBuilt(ctx, by, planID, base, func(p *Plan) (change, error) {
		if old, ok := p.versionNamed(name); ok {
			return nil, Errorf(CodeConflict, "the plan has a version named %q already (seq %d)", old.Name, old.Seq)
		}
		sections, err := ps.heads(ctx, p)
		if err != nil {
			return nil, err
		}
		vc := contentOf(p)
		return &versionFrozen{Content: vc, Version: NamedVersion{Name: name, By: by.ID,
			At: ps.now().UTC().Truncate(time.Millisecond), Sections: sections, Content: vc.Hash()}}, nil
	})
	if err != nil {
		return nil, NamedVersion{}, err
	}
	v, _ := p.versionNamed(name)
	return p, v, nil
}

// systemVersion builds the version the process freezes in a step's entry:
// sections at the versions given (the lock markers of a locked plan), or
// else at their heads.
func (ps *Plans) systemVersion(ctx context.Context, p *Plan, base, by string, sections map[string]int64) (*NamedVersion, *VersionContent, error) {
	if sections == nil {
		var err error
		if sections, err = ps.heads(ctx, p); err != nil {
			return nil, nil, err
		}
	}
	vc := contentOf(p)
	v := &NamedVersion{Name: p.systemName(base), By: by, At: ps.now().UTC().Truncate(time.Millisecond),
		Sections: cloneVersions(sections), Content: vc.Hash(), System: true}
	return v, &vc, nil
}

// heads returns the head version of every section of p's outline, reading
// at most eight at once.
func (ps *Plans) heads(ctx context.Context, p *Plan) (map[string]int64, error) {
	out, err := ps.perSection(p, func(id string) (int64, error) {
		v, _, err := ps.engine.Snapshot(ctx, id)
		if err != nil {
			return 0, fmt.Errorf("read section %s: %w", id, err)
		}
		return v, nil
	})
	if err != nil {
		return nil, Wrap(CodeUnavailable, err, "the sections' text could not be read; try again")
	}
	return out, nil
}

// ReadVersion returns the named version of p that ref names (see
// FindVersion) and the structured content frozen with it: the copy its
// entry holds, or — for a version frozen before entries held one — the
// content folded from the plan log up to the version's seq.
func (ps *Plans) ReadVersion(ctx context.Context, p *Plan, ref string) (NamedVersion, VersionContent, error) {
	v, ok := p.FindVersion(ref)
	if !ok {
		return NamedVersion{}, VersionContent{}, Errorf(CodeNotFound, "the plan has no version %q", truncateRunes(ref, 40))
	}
	vc, err := ps.versionContent(ctx, p.ID, v.Seq)
	return v, vc, err
}

// versionContent returns the content frozen by the plan entry at seq.
func (ps *Plans) versionContent(ctx context.Context, planID string, seq int64) (VersionContent, error) {
	entries, err := ps.store.PlanEntries(ctx, planID, seq)
	if err != nil {
		return VersionContent{}, Wrap(CodeUnavailable, err, "the plan's log could not be read")
	}
	if len(entries) == 0 || entries[0].Seq != seq {
		return VersionContent{}, fmt.Errorf("plan %s: no entry %d for a named version", planID, seq)
	}
	var frozen struct {
		Content *VersionContent `json:"content"`
	}
	if err := json.Unmarshal(entries[0].Data, &frozen); err != nil {
		return VersionContent{}, fmt.Errorf("plan %s entry %d: %w", planID, seq, err)
	}
	if frozen.Content != nil {
		return *frozen.Content, nil
	}
	p, err := ps.stateAt(ctx, planID, seq)
	if err != nil {
		return VersionContent{}, err
	}
	return contentOf(p), nil
}

// stateAt folds the plan's log up to and including seq.
func (ps *Plans) stateAt(ctx context.Context, planID string, seq int64) (*Plan, error) {
	entries, err := ps.store.PlanEntries(ctx, planID, 1)
	if err != nil {
		return nil, Wrap(CodeUnavailable, err, "the plan's log could not be read")
	}
	p := &Plan{}
	for _, e := range entries {
		if e.Seq > seq {
			break
		}
		if err := foldEntry(p, e); err != nil {
			return nil, err
		}
	}
	if p.Seq != seq {
		return nil, fmt.Errorf("plan %s: the log ends at %d, before %d", planID, p.Seq, seq)
	}
	p.normalize()
	return p, nil
}

// DocAt returns a document's content at version v: its newest snapshot at
// or before v with the ops after it replayed. Markers change no text. A
// version past the head is not found.
func (e *Engine) DocAt(ctx context.Context, doc string, v int64) (delta.Delta, error) {
	if err := checkDocID(doc); err != nil {
		return delta.Delta{}, err
	}
	if v < 0 {
		return delta.Delta{}, Errorf(CodeInvalid, "a version is not negative")
	}
	content, from := EmptyDoc(), int64(0)
	snap, ok, err := e.cfg.Store.LatestSnapshot(ctx, doc, v)
	if err != nil {
		return delta.Delta{}, Wrap(CodeUnavailable, err, "the section's history could not be read")
	}
	if ok {
		var sd snapshotData
		if err := json.Unmarshal(snap.Data, &sd); err != nil {
			return delta.Delta{}, fmt.Errorf("decode snapshot %d of %s: %w", snap.V, doc, err)
		}
		content, from = sd.Delta, snap.V
	}
	if from == v {
		return content, nil
	}
	recs, err := e.cfg.Store.Ops(ctx, doc, from, v)
	if err != nil {
		return delta.Delta{}, Wrap(CodeUnavailable, err, "the section's history could not be read")
	}
	if int64(len(recs)) != v-from {
		return delta.Delta{}, Errorf(CodeNotFound, "section %s has no version %d", doc, v)
	}
	for i, r := range recs {
		if r.V != from+int64(i) {
			return delta.Delta{}, fmt.Errorf("op log of %s has a gap at %d (found %d)", doc, from+int64(i), r.V)
		}
		if r.Kind != OpEdit {
			continue
		}
		op, err := delta.Parse(r.Op)
		if err != nil {
			return delta.Delta{}, fmt.Errorf("decode op %d of %s: %w", r.V, doc, err)
		}
		if content, err = delta.Apply(content, op); err != nil {
			return delta.Delta{}, fmt.Errorf("committed op %d of %s does not apply: %w", r.V, doc, err)
		}
	}
	return content, nil
}

// RestoreSrc is the op source of a restore to the version frozen at seq:
// the history tells a restore from typing by it.
func RestoreSrc(seq int64, id string) string { return fmt.Sprintf("restore:%d:%s", seq, id) }

// Restored is the outcome of RestoreSection.
type Restored struct {
	Section string       `json:"section"`
	Version NamedVersion `json:"version"`
	// V is the version of the section after the restore: the version the
	// restoring op was committed at plus one, or the head when the text
	// was the version's already (Unchanged, and no op was made).
	V         int64 `json:"v"`
	Unchanged bool  `json:"unchanged"`
}

// RestoreSection makes the text of a section what it was in the named
// version ref, as a new edit: the change from the current text to the
// version's, submitted through the engine like any edit and attributed to
// by. History is never rewritten; the op log only grows. base, when given,
// is the section version whose text the person compared with the version:
// if the text has changed since, the restore is refused as a conflict.
// The restore is guarded by the whole text it replaces, so an edit that
// commits first makes it a conflict rather than a mix of both; a locked
// section refuses it like any edit.
func (ps *Plans) RestoreSection(ctx context.Context, by Actor, planID, sectionID, ref string, base *int64) (Restored, error) {
	p, err := ps.Get(ctx, planID)
	if err != nil {
		return Restored{}, err
	}
	if err := by.check(p); err != nil {
		return Restored{}, err
	}
	if p.Archived {
		return Restored{}, errArchived()
	}
	if _, _, ok := p.Find(sectionID); !ok {
		return Restored{}, Errorf(CodeNotFound, "section %q is not part of plan %q", truncateRunes(sectionID, 40), p.ID)
	}
	v, ok := p.FindVersion(ref)
	if !ok {
		return Restored{}, Errorf(CodeNotFound, "the plan has no version %q", truncateRunes(ref, 40))
	}
	at, ok := v.Sections[sectionID]
	if !ok {
		return Restored{}, Errorf(CodeNotFound, "the section was not part of version %q", v.Name)
	}
	if ps.engine == nil {
		return Restored{}, Errorf(CodeUnavailable, "this server edits no section text")
	}
	old, err := ps.engine.DocAt(ctx, sectionID, at)
	if err != nil {
		return Restored{}, err
	}
	head, cur, err := ps.engine.Snapshot(ctx, sectionID)
	if err != nil {
		return Restored{}, err
	}
	if base != nil {
		if *base < 0 || *base > head {
			return Restored{}, Errorf(CodeInvalid, "v %d is not a version of the section (its head is %d)", *base, head)
		}
		seen, err := ps.engine.DocAt(ctx, sectionID, *base)
		if err != nil {
			return Restored{}, err
		}
		if !seen.Equal(cur) {
			return Restored{}, Errorf(CodeConflict, "the section has been edited since version %d; compare it again", *base)
		}
	}
	op, err := cur.Diff(old)
	if err != nil {
		return Restored{}, Wrap(CodeInternal, err, "the change back to the version could not be computed")
	}
	out := Restored{Section: sectionID, Version: v}
	if len(op.Ops) == 0 {
		out.V, out.Unchanged = head, true
		return out, nil
	}
	guard := Anchor{V: head, Index: 0, Length: cur.Length()}
	committed, err := ps.engine.Submit(ctx, Submission{Doc: sectionID, V: head, Src: RestoreSrc(v.Seq, ps.newID()), Seq: 1,
		By: by.ID, Op: op, Guard: &guard})
	if err != nil {
		if ErrorCode(err) == CodeConflict {
			return Restored{}, Errorf(CodeConflict, "the section was edited while it was being restored; compare it again")
		}
		return Restored{}, err
	}
	out.V = committed + 1
	return out, nil
}
