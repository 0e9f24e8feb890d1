package collab

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/temaplan/temaplan/collab/delta"
)

// This file compares two versions of a plan (or a version and the plan as
// it is now): each section's text word by word, the outline (sections
// added, removed, renamed), and the structured content (goals,
// strategies, measures with their costs, indicators, milestones, the
// period), and says whether the change is substantial — the steering
// group's cue to look again (docs/versions.md).

// SubstantialShare is the share of a section's words that must change for
// the section to change substantially: more than a fifth.
const SubstantialShare = 0.20

// Segment is a run of a section's text that a comparison keeps, inserts or
// deletes. Op is "equal", "insert" or "delete". An embedded block (a
// measure shown in the text) is the character U+FFFC.
type Segment struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

// The operations of a segment.
const (
	SegmentEqual  = "equal"
	SegmentInsert = "insert"
	SegmentDelete = "delete"
)

// embedChar stands for an embed in the text of a section.
const embedChar = "\uFFFC"

// DiffSide is one side of a comparison: a named version, or the plan now.
type DiffSide struct {
	// Name is the version's name, "now" for the current plan.
	Name   string    `json:"name"`
	Seq    int64     `json:"seq"`
	By     string    `json:"by,omitempty"`
	At     time.Time `json:"at"`
	Now    bool      `json:"now"`
	System bool      `json:"system"`
}

// SectionDiff is the comparison of one section.
type SectionDiff struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// TitleFrom is the section's title on the from side when it was
	// renamed.
	TitleFrom string `json:"title_from,omitempty"`
	Depth     int    `json:"depth"`
	// Change is "added", "removed", "changed" (text, or title) or
	// "unchanged".
	Change  string `json:"change"`
	Renamed bool   `json:"renamed"`
	// VFrom and VTo are the versions of the section's document compared;
	// null on the side the section is not part of.
	VFrom *int64 `json:"v_from"`
	VTo   *int64 `json:"v_to"`
	// TextDiff compares the texts; its segments are empty when the
	// section is unchanged.
	TextDiff
}

// TextDiff is a word-level comparison of two texts.
type TextDiff struct {
	// Segments are the text as runs kept, inserted and deleted, word by
	// word.
	Segments []Segment `json:"segments"`
	// WordsFrom and WordsTo count the words on each side; Inserted and
	// Deleted the words of the inserted and deleted runs.
	WordsFrom int `json:"words_from"`
	WordsTo   int `json:"words_to"`
	Inserted  int `json:"inserted"`
	Deleted   int `json:"deleted"`
	// Share is (Inserted + Deleted) / (WordsFrom + WordsTo): the share of
	// the words that changed (a word replaced by another counts once on
	// each side, so replacing k of n words is k/n).
	Share float64 `json:"share"`
	// Substantial is Share > SubstantialShare.
	Substantial bool `json:"substantial"`
}

// FieldChange is a field of a structured object that differs: its JSON
// name and values.
type FieldChange struct {
	Field string          `json:"field"`
	From  json.RawMessage `json:"from"`
	To    json.RawMessage `json:"to"`
}

// ObjectDiff is a structured object (goal, strategy, measure, indicator,
// milestone) added, removed or changed.
type ObjectDiff struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Change string `json:"change"`
	// Fields are the fields that differ, for a changed object.
	Fields []FieldChange `json:"fields"`
	// CostsFrom and CostsTo are a measure's cost totals on each side
	// (null on the side it is not part of); other kinds have none.
	CostsFrom *Amounts `json:"costs_from,omitempty"`
	CostsTo   *Amounts `json:"costs_to,omitempty"`
}

// PlanDiff is the comparison of two sides of a plan.
type PlanDiff struct {
	From DiffSide `json:"from"`
	To   DiffSide `json:"to"`
	// Sections are the sections of the to side in outline order, then the
	// removed ones in the from side's order.
	Sections   []SectionDiff `json:"sections"`
	Goals      []ObjectDiff  `json:"goals"`
	Strategies []ObjectDiff  `json:"strategies"`
	Measures   []ObjectDiff  `json:"measures"`
	Indicators []ObjectDiff  `json:"indicators"`
	Milestones []ObjectDiff  `json:"milestones"`
	// PeriodFrom and PeriodTo are the planning periods of both sides.
	PeriodFrom Period `json:"period_from"`
	PeriodTo   Period `json:"period_to"`
	// CostsFrom and CostsTo are the plan's cost totals on both sides.
	CostsFrom Amounts `json:"costs_from"`
	CostsTo   Amounts `json:"costs_to"`
	// Substantial is the steering group's cue: a section changed
	// substantially, or a measure (or its costs) changed, or a goal or
	// indicator was added or removed. Reasons names which: "sections",
	// "measures", "goals", "indicators".
	Substantial bool     `json:"substantial"`
	Reasons     []string `json:"reasons"`
}

// side is a resolved side of a comparison.
type side struct {
	info    DiffSide
	content VersionContent
	// text returns a section's text and version on this side, or ok false
	// when the side has no text for it.
	text func(ctx context.Context, section string) (doc delta.Delta, v int64, ok bool, err error)
}

// resolveSide reads the side ref names in p: a named version, or NowRef.
func (ps *Plans) resolveSide(ctx context.Context, p *Plan, ref string) (side, error) {
	if ps.engine == nil {
		return side{}, Errorf(CodeUnavailable, "this server edits no section text")
	}
	if strings.EqualFold(strings.TrimSpace(ref), NowRef) {
		return side{
			info:    DiffSide{Name: NowRef, Seq: p.Seq, At: p.Updated, Now: true},
			content: contentOf(p),
			text: func(ctx context.Context, section string) (delta.Delta, int64, bool, error) {
				if _, _, ok := p.Find(section); !ok {
					return delta.Delta{}, 0, false, nil
				}
				v, doc, err := ps.engine.Snapshot(ctx, section)
				return doc, v, err == nil, err
			},
		}, nil
	}
	v, vc, err := ps.ReadVersion(ctx, p, ref)
	if err != nil {
		return side{}, err
	}
	return side{
		info:    DiffSide{Name: v.Name, Seq: v.Seq, By: v.By, At: v.At, System: v.System},
		content: vc,
		text: func(ctx context.Context, section string) (delta.Delta, int64, bool, error) {
			at, ok := v.Sections[section]
			if !ok {
				return delta.Delta{}, 0, false, nil
			}
			doc, err := ps.engine.DocAt(ctx, section, at)
			return doc, at, err == nil, err
		},
	}, nil
}

// Compare compares the sides from and to of plan p, each a named version
// (its name or seq) or "now".
func (ps *Plans) Compare(ctx context.Context, p *Plan, from, to string) (*PlanDiff, error) {
	a, err := ps.resolveSide(ctx, p, from)
	if err != nil {
		return nil, err
	}
	b, err := ps.resolveSide(ctx, p, to)
	if err != nil {
		return nil, err
	}
	d := &PlanDiff{From: a.info, To: b.info, Sections: []SectionDiff{}, Reasons: []string{},
		PeriodFrom: a.content.Period, PeriodTo: b.content.Period}
	if err := ps.compareSections(ctx, d, a, b); err != nil {
		return nil, err
	}
	d.Goals = compareObjects(a.content.Goals, b.content.Goals, func(g *Goal) string { return g.Title }, nil)
	d.Strategies = compareObjects(a.content.Strategies, b.content.Strategies, func(s *Strategy) string { return s.Title }, nil)
	d.Measures = compareObjects(a.content.Measures, b.content.Measures, func(m *Measure) string { return m.Title },
		func(m *Measure) *Amounts { return measureTotal(m) })
	d.Indicators = compareObjects(a.content.Indicators, b.content.Indicators, func(i *Indicator) string { return i.Name }, nil)
	d.Milestones = compareObjects(a.content.Milestones, b.content.Milestones, func(m *Milestone) string { return m.Title }, nil)
	d.CostsFrom, d.CostsTo = planTotal(a.content.Measures), planTotal(b.content.Measures)

	for _, s := range d.Sections {
		if s.Substantial {
			d.Reasons = append(d.Reasons, "sections")
			break
		}
	}
	if len(d.Measures) > 0 || d.CostsFrom != d.CostsTo {
		d.Reasons = append(d.Reasons, "measures")
	}
	addedOrRemoved := func(list []ObjectDiff) bool {
		for _, o := range list {
			if o.Change != "changed" {
				return true
			}
		}
		return false
	}
	if addedOrRemoved(d.Goals) {
		d.Reasons = append(d.Reasons, "goals")
	}
	if addedOrRemoved(d.Indicators) {
		d.Reasons = append(d.Reasons, "indicators")
	}
	d.Substantial = len(d.Reasons) > 0
	return d, nil
}

// compareSections compares the outline and the text of every section,
// reading and comparing at most eight sections at once.
func (ps *Plans) compareSections(ctx context.Context, d *PlanDiff, a, b side) error {
	type item struct {
		s        *Section
		depth    int
		from, to *Section
	}
	var items []item
	before := map[string]*Section{}
	a.content.outlinePlan().Walk(func(s *Section, _ int) { before[s.ID] = s })
	after := map[string]bool{}
	b.content.outlinePlan().Walk(func(s *Section, depth int) {
		after[s.ID] = true
		items = append(items, item{s, depth, before[s.ID], s})
	})
	a.content.outlinePlan().Walk(func(s *Section, depth int) {
		if !after[s.ID] {
			items = append(items, item{s, depth, s, nil})
		}
	})
	out := make([]SectionDiff, len(items))
	errs := make([]error, len(items))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i, it := range items {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			out[i], errs[i] = compareSection(ctx, a, b, it.s, it.depth, it.from, it.to)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	d.Sections = append(d.Sections, out...)
	return nil
}

// compareSection compares one section; from or to is nil on the side the
// section is not part of.
func compareSection(ctx context.Context, a, b side, s *Section, depth int, from, to *Section) (SectionDiff, error) {
	sd := SectionDiff{ID: s.ID, Title: s.Title, Depth: depth}
	var textA, textB string
	if from != nil {
		doc, v, ok, err := a.text(ctx, s.ID)
		if err != nil {
			return sd, err
		}
		if ok {
			sd.VFrom, textA = &v, docText(doc)
		}
	}
	if to != nil {
		doc, v, ok, err := b.text(ctx, s.ID)
		if err != nil {
			return sd, err
		}
		if ok {
			sd.VTo, textB = &v, docText(doc)
		}
	}
	sd.TextDiff = CompareText(textA, textB)
	switch {
	case from == nil:
		sd.Change = "added"
	case to == nil:
		sd.Change = "removed"
	default:
		if from.Title != to.Title {
			sd.Renamed, sd.TitleFrom = true, from.Title
		}
		sd.Change = "unchanged"
		if sd.Renamed || textA != textB {
			sd.Change = "changed"
		}
	}
	if sd.Change == "unchanged" {
		sd.Segments = []Segment{}
	}
	return sd, nil
}

// docText returns the text of a document, each embed as U+FFFC.
func docText(doc delta.Delta) string {
	var b strings.Builder
	for _, op := range doc.Ops {
		if op.InsertEmbed != nil {
			b.WriteString(embedChar)
		} else {
			b.WriteString(op.Insert)
		}
	}
	return b.String()
}

// CompareText compares two texts word by word (see WordTokens).
func CompareText(textA, textB string) TextDiff {
	ta, tb := WordTokens(textA), WordTokens(textB)
	var sd TextDiff
	sd.WordsFrom, sd.WordsTo = countWords(ta), countWords(tb)
	sd.Segments = []Segment{}
	for _, r := range delta.DiffTokens(ta, tb) {
		op := SegmentEqual
		switch r.Op {
		case delta.TokenInsert:
			op = SegmentInsert
			sd.Inserted += countWords(r.Tokens)
		case delta.TokenDelete:
			op = SegmentDelete
			sd.Deleted += countWords(r.Tokens)
		}
		sd.Segments = append(sd.Segments, Segment{Op: op, Text: strings.Join(r.Tokens, "")})
	}
	if total := sd.WordsFrom + sd.WordsTo; total > 0 {
		sd.Share = float64(sd.Inserted+sd.Deleted) / float64(total)
	}
	sd.Substantial = sd.Share > SubstantialShare
	return sd
}

// WordTokens splits text into the tokens a comparison works on: words
// (runs of letters, digits and combining marks, so "æøå" and "2026" are
// words), runs of white space, and every other character on its own (so
// punctuation changes alone). The tokens joined give the text again.
func WordTokens(text string) []string {
	var out []string
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		j := i + size
		switch {
		case isWordRune(r):
			for j < len(text) {
				r2, s2 := utf8.DecodeRuneInString(text[j:])
				if !isWordRune(r2) {
					break
				}
				j += s2
			}
		case unicode.IsSpace(r):
			for j < len(text) {
				r2, s2 := utf8.DecodeRuneInString(text[j:])
				if !unicode.IsSpace(r2) {
					break
				}
				j += s2
			}
		}
		out = append(out, text[i:j])
		i = j
	}
	return out
}

func isWordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r))
}

// countWords counts the word tokens of toks.
func countWords(toks []string) int {
	n := 0
	for _, t := range toks {
		if r, _ := utf8.DecodeRuneInString(t); isWordRune(r) {
			n++
		}
	}
	return n
}

// compareObjects compares two lists of objects by id: those of b in b's
// order (added or changed), then those only in a (removed). title names an
// object; costs, when given, gives its cost totals.
func compareObjects[T interface{ ident() string }](a, b []T, title func(T) string, costs func(T) *Amounts) []ObjectDiff {
	out := []ObjectDiff{}
	byID := map[string]T{}
	for _, o := range a {
		byID[o.ident()] = o
	}
	inB := map[string]bool{}
	withCosts := func(od ObjectDiff, from, to *T) ObjectDiff {
		if costs != nil {
			if from != nil {
				od.CostsFrom = costs(*from)
			}
			if to != nil {
				od.CostsTo = costs(*to)
			}
		}
		return od
	}
	for _, o := range b {
		inB[o.ident()] = true
		old, ok := byID[o.ident()]
		if !ok {
			out = append(out, withCosts(ObjectDiff{ID: o.ident(), Title: title(o), Change: "added", Fields: []FieldChange{}}, nil, &o))
			continue
		}
		if fields := changedFields(old, o); len(fields) > 0 {
			out = append(out, withCosts(ObjectDiff{ID: o.ident(), Title: title(o), Change: "changed", Fields: fields}, &old, &o))
		}
	}
	for _, o := range a {
		if !inB[o.ident()] {
			out = append(out, withCosts(ObjectDiff{ID: o.ident(), Title: title(o), Change: "removed", Fields: []FieldChange{}}, &o, nil))
		}
	}
	return out
}

// ignoredFields are fields that say nothing about the plan's content: the
// id and seq of an object, and the fields computed when a plan is shown.
var ignoredFields = map[string]bool{"id": true, "seq": true, "overdue": true}

// changedFields lists the JSON fields of two objects of one struct type
// that differ, in the struct's order.
func changedFields[T any](a, b T) []FieldChange {
	va, vb := reflect.Indirect(reflect.ValueOf(a)), reflect.Indirect(reflect.ValueOf(b))
	t := va.Type()
	var out []FieldChange
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" || ignoredFields[name] {
			continue
		}
		if _, isIndicator := any(a).(*Indicator); isIndicator && name == "status" {
			continue // the traffic light is computed
		}
		fa, fb := va.Field(i).Interface(), vb.Field(i).Interface()
		if reflect.DeepEqual(fa, fb) || (isEmptyList(fa) && isEmptyList(fb)) {
			continue
		}
		ja, _ := json.Marshal(fa) // plain values: cannot fail
		jb, _ := json.Marshal(fb)
		out = append(out, FieldChange{Field: name, From: ja, To: jb})
	}
	return out
}

// isEmptyList reports whether v is a nil or empty slice: the same list in
// the content's terms.
func isEmptyList(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Slice && rv.Len() == 0
}

// measureTotal sums a measure's costs over its years.
func measureTotal(m *Measure) *Amounts {
	var a Amounts
	for _, c := range m.Costs {
		a.add(c.Investment, c.Operating)
	}
	return &a
}

// planTotal sums the costs of every measure.
func planTotal(ms []*Measure) Amounts {
	var a Amounts
	for _, m := range ms {
		for _, c := range m.Costs {
			a.add(c.Investment, c.Operating)
		}
	}
	return a
}
