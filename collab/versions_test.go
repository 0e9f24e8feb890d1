package collab_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/delta"
)

// setText makes the text of a section text (plus the final newline) as
// by, through the engine, and returns the section's version after it.
func setText(t *testing.T, e *collab.Engine, section, by, text string) int64 {
	t.Helper()
	ctx := context.Background()
	v, cur, err := e.Snapshot(ctx, section)
	if err != nil {
		t.Fatal(err)
	}
	var want delta.Delta
	want.Insert(text+"\n", nil)
	op, err := cur.Diff(want)
	if err != nil {
		t.Fatal(err)
	}
	if len(op.Ops) == 0 {
		return v
	}
	got, err := e.Submit(ctx, collab.Submission{Doc: section, V: v, Src: "tab-" + by, Seq: v + 1, By: by, Op: op})
	if err != nil {
		t.Fatalf("%s writes %q: %v", by, text, err)
	}
	return got + 1
}

// textOf returns a section's current text without the final newline.
func textOf(t *testing.T, e *collab.Engine, section string) string {
	t.Helper()
	_, d, err := e.Snapshot(context.Background(), section)
	if err != nil {
		t.Fatal(err)
	}
	return docText(t, d)
}

// segs writes segments compactly: "=kept +inserted -deleted".
func segs(ss []collab.Segment) string {
	var parts []string
	for _, s := range ss {
		parts = append(parts, map[string]string{"equal": "=", "insert": "+", "delete": "-"}[s.Op]+s.Text)
	}
	return strings.Join(parts, "|")
}

func TestWordTokens(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"", nil},
		{"Bodø kommune", []string{"Bodø", " ", "kommune"}},
		{"Blåbær, æbler og øl.", []string{"Blåbær", ",", " ", "æbler", " ", "og", " ", "øl", "."}},
		{"20 boliger i 2026–2030!", []string{"20", " ", "boliger", " ", "i", " ", "2026", "–", "2030", "!"}},
		{"linje\n\nny  linje", []string{"linje", "\n\n", "ny", "  ", "linje"}},
		{"«sitat» (merknad)", []string{"«", "sitat", "»", " ", "(", "merknad", ")"}},
		{"a\uFFFCb", []string{"a", "\uFFFC", "b"}},
	} {
		got := collab.WordTokens(tc.text)
		if !slices.Equal(got, tc.want) {
			t.Errorf("WordTokens(%q) = %q, want %q", tc.text, got, tc.want)
		}
		if strings.Join(got, "") != tc.text {
			t.Errorf("WordTokens(%q) does not join to the text", tc.text)
		}
	}
}

func TestCompareText(t *testing.T) {
	for _, tc := range []struct {
		name        string
		from, to    string
		want        string
		ins, del    int
		wordsFrom   int
		wordsTo     int
		substantial bool
	}{
		{name: "the same", from: "Kommunen bygger.", to: "Kommunen bygger.",
			want: "=Kommunen bygger.", wordsFrom: 2, wordsTo: 2},
		{name: "one word replaced", from: "Kommunen skal bygge 20 nye boliger.", to: "Kommunen skal bygge 30 nye boliger.",
			want: "=Kommunen skal bygge |-20|+30|= nye boliger.", ins: 1, del: 1, wordsFrom: 6, wordsTo: 6},
		{name: "æøå words", from: "Vi må øke tilbudet på Røst.", to: "Vi må bedre tilbudet på Værøy.",
			want: "=Vi må |-øke|+bedre|= tilbudet på |-Røst|+Værøy|=.", ins: 2, del: 2, wordsFrom: 6, wordsTo: 6, substantial: true},
		{name: "punctuation alone", from: "Boliger for alle.", to: "Boliger for alle!",
			want: "=Boliger for alle|-.|+!", wordsFrom: 3, wordsTo: 3},
		{name: "a word added: exactly a fifth is not more", from: "Flere boliger.", to: "Flere gode boliger.",
			want: "=Flere |+gode |=boliger.", ins: 1, wordsFrom: 2, wordsTo: 3},
		{name: "two words added to three", from: "Flere boliger her.", to: "Flere gode boliger her nå.",
			want: "=Flere |+gode |=boliger her|+ nå|=.", ins: 2, wordsFrom: 3, wordsTo: 5, substantial: true},
		{name: "a phrase deleted", from: "Vi skal, etter planen, bygge.", to: "Vi skal bygge.",
			want: "=Vi skal|-, etter planen,|= bygge.", del: 2, wordsFrom: 5, wordsTo: 3, substantial: true},
		{name: "all new", from: "", to: "Ny tekst",
			want: "+Ny tekst", ins: 2, wordsTo: 2, substantial: true},
		{name: "all gone", from: "Gammel tekst", to: "",
			want: "-Gammel tekst", del: 2, wordsFrom: 2, substantial: true},
		{name: "both empty", from: "", to: "", want: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := collab.CompareText(tc.from, tc.to)
			if got := segs(d.Segments); got != tc.want {
				t.Errorf("segments %q, want %q", got, tc.want)
			}
			if d.Inserted != tc.ins || d.Deleted != tc.del || d.WordsFrom != tc.wordsFrom || d.WordsTo != tc.wordsTo {
				t.Errorf("words +%d -%d of %d → %d, want +%d -%d of %d → %d",
					d.Inserted, d.Deleted, d.WordsFrom, d.WordsTo, tc.ins, tc.del, tc.wordsFrom, tc.wordsTo)
			}
			if d.Substantial != tc.substantial {
				t.Errorf("substantial %t (share %.3f), want %t", d.Substantial, d.Share, tc.substantial)
			}
		})
	}
}

// versionFixture is a plan with text in its first two sections and a
// goal with a measure with costs, made by the leader "lene".
type versionFixture struct {
	ps      *collab.Plans
	e       *collab.Engine
	store   collab.Store
	p       *collab.Plan
	intro   string // the first section
	second  string // the second top-level section
	measure string
}

const leader = "lene"

func newVersionFixture(t *testing.T, store collab.Store) *versionFixture {
	t.Helper()
	ctx := context.Background()
	ps, e := newPlansWithEngine(t, store, newBus(t))
	p, err := ps.Create(ctx, "admin", collab.NewPlan{Title: "Boligplan", Municipality: "m",
		Members: []collab.Member{{User: leader, Roles: []string{"leader"}}}})
	if err != nil {
		t.Fatal(err)
	}
	f := &versionFixture{ps: ps, e: e, store: store, p: p, intro: p.Sections[0].ID, second: p.Sections[1].ID}
	setText(t, e, f.intro, leader, hearingText)
	setText(t, e, f.second, leader, "Nasjonale føringer gjelder.")
	area := p.TargetAreas()[0].ID
	me := collab.Actor{ID: leader}
	title, desc := "Flere unge eier egen bolig", ""
	p, goal, err := collab.Save[*collab.Goal](ctx, ps, me, p.ID, "", collab.GoalInput{TargetArea: &area, Title: &title, Description: &desc})
	if err != nil {
		t.Fatal(err)
	}
	mt, costs := "Startlån til unge", []collab.CostLine{{Year: p.Period.From, Investment: 1_500_000, Operating: 250_000}}
	goals := []string{goal.ID}
	p, m, err := collab.Save[*collab.Measure](ctx, ps, me, p.ID, "", collab.MeasureInput{TargetArea: &area, Title: &mt, Goals: &goals, Costs: &costs})
	if err != nil {
		t.Fatal(err)
	}
	f.p, f.measure = p, m.ID
	return f
}

// hearingText is the first section's text in the hearing draft.
const hearingText = "Bodø kommune skal sikre at alle innbyggere har et trygt og godt sted å bo. " +
	"Planen gjelder for perioden 2027–2030 og bygger på Husbankens veileder. " +
	"Kommunen vil samarbeide med private utbyggere, frivillige og statlige etater om flere utleieboliger for unge, eldre og personer med nedsatt funksjonsevne."

func TestVersions_Freeze(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		f := newVersionFixture(t, b.open(t))
		me := collab.Actor{ID: leader}

		for _, tc := range []struct {
			name, code, msg string
		}{
			{"", "invalid", "must not be empty"},
			{"   ", "invalid", "must not be empty"},
			{"12", "invalid", "number"},
			{" 007 ", "invalid", "number"},
			{strings.Repeat("æ", 101), "invalid", "longer than 100"},
			{"Utkast\u0000 1", "invalid", "control characters"},
			{"Utkast\n1", "invalid", "control characters"},
			{"Høringsutkast", "invalid", "reserved"},
			{"HØRINGSUTKAST (2)", "invalid", "reserved"},
			{"vedtatt plan", "invalid", "reserved"},
			{"now", "invalid", "reserved"},
			{"Nå", "invalid", "reserved"},
		} {
			_, _, err := f.ps.FreezeVersion(ctx, me, f.p.ID, 0, tc.name)
			if string(collab.ErrorCode(err)) != tc.code || !strings.Contains(collab.ErrorMessage(err), tc.msg) {
				t.Errorf("freeze %q: %v, want %s containing %q", tc.name, err, tc.code, tc.msg)
			}
		}
		if p, err := f.ps.Get(ctx, f.p.ID); err != nil || p.Seq != f.p.Seq || len(p.Versions) != 0 {
			t.Fatalf("refused names wrote to the log: seq %d → %d, %d versions (%v)", f.p.Seq, p.Seq, len(p.Versions), err)
		}

		// Permission: the actor's check runs on the state the freeze commits on.
		refuse := collab.Actor{ID: "mats", Check: func(*collab.Plan) error {
			return collab.Errorf(collab.CodeForbidden, "only the leader may freeze a named version")
		}}
		if _, _, err := f.ps.FreezeVersion(ctx, refuse, f.p.ID, 0, "Utkast 1"); collab.ErrorCode(err) != collab.CodeForbidden {
			t.Fatalf("freeze by a member: %v, want forbidden", err)
		}

		introV, _, _ := f.e.Snapshot(ctx, f.intro)
		p, v, err := f.ps.FreezeVersion(ctx, me, f.p.ID, f.p.Seq, "  Utkast 1 ")
		if err != nil {
			t.Fatal(err)
		}
		if v.Name != "Utkast 1" || v.Seq != p.Seq || v.By != leader || v.System || v.Content == "" {
			t.Fatalf("version %+v (plan seq %d)", v, p.Seq)
		}
		if len(v.Sections) != p.SectionCount() || v.Sections[f.intro] != introV {
			t.Fatalf("version records %d of %d sections, intro at %d (head %d)", len(v.Sections), p.SectionCount(), v.Sections[f.intro], introV)
		}
		// The freeze is a plan-log entry: the audit reads it from there.
		log, err := f.ps.Log(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := log[len(log)-1]
		if last.Kind != "version.frozen" || last.By != leader || last.Seq != v.Seq {
			t.Fatalf("last entry %s by %s at %d", last.Kind, last.By, last.Seq)
		}

		// Names are unique in the plan, without regard to case.
		if _, _, err := f.ps.FreezeVersion(ctx, me, p.ID, 0, "utkast 1"); collab.ErrorCode(err) != collab.CodeConflict {
			t.Fatalf("a taken name: %v, want conflict", err)
		}
		// A freeze made on a seq before another freeze is a conflict.
		if _, _, err := f.ps.FreezeVersion(ctx, me, p.ID, v.Seq-1, "Utkast 2"); collab.ErrorCode(err) != collab.CodeConflict {
			t.Fatalf("a freeze on a stale seq: %v, want conflict", err)
		}

		// The content frozen is what was there, whatever happens after.
		costs := []collab.CostLine{{Year: p.Period.From, Investment: 9_000_000, Operating: 0}}
		if _, _, err := collab.Save[*collab.Measure](ctx, f.ps, me, p.ID, f.measure, collab.MeasureInput{Costs: &costs}); err != nil {
			t.Fatal(err)
		}
		cur, err := f.ps.Get(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, ref := range []string{"Utkast 1", "UTKAST 1", fmt.Sprint(v.Seq)} {
			got, vc, err := f.ps.ReadVersion(ctx, cur, ref)
			if err != nil {
				t.Fatalf("read %q: %v", ref, err)
			}
			if got.Name != "Utkast 1" || vc.Hash() != v.Content {
				t.Fatalf("read %q: %s, content %s, want %s", ref, got.Name, vc.Hash(), v.Content)
			}
			if len(vc.Measures) != 1 || vc.Measures[0].Costs[0].Investment != 1_500_000 {
				t.Fatalf("read %q: the frozen measure is %+v", ref, vc.Measures)
			}
		}
		if _, _, err := f.ps.ReadVersion(ctx, cur, "Utkast 9"); collab.ErrorCode(err) != collab.CodeNotFound {
			t.Fatalf("an unknown version: %v, want not_found", err)
		}
		// A fresh node folds the same versions from the log.
		again, err := newPlans(t, f.store, newBus(t)).Get(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(again.Versions, cur.Versions) {
			t.Fatalf("folded versions %+v, committed %+v", again.Versions, cur.Versions)
		}
	})
}

// toHearing locks the plan, approves it for the steering group and
// political leadership (which freezes the hearing draft), starts the
// hearing and closes it: the plan is in processing, editable again.
func toHearing(t *testing.T, ps *collab.Plans, planID string) *collab.Plan {
	t.Helper()
	walk(t, ps, planID,
		collab.Step{Action: "lock", To: collab.PhaseReview},
		collab.Step{Action: "approve", To: collab.PhaseReview, Approve: "steering"},
		collab.Step{Action: "approve", To: collab.PhaseApproved, Approve: "political", Complete: true})
	p, err := ps.Get(context.Background(), planID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// toProcessing moves an approved plan through the hearing to processing.
func toProcessing(t *testing.T, ps *collab.Plans, planID string) *collab.Plan {
	t.Helper()
	return walk(t, ps, planID,
		collab.Step{Action: "start_hearing", To: collab.PhaseHearing},
		collab.Step{Action: "close_hearing", To: collab.PhaseProcessing})
}

// toFinalReview are the steps that take a draft to final review: locked,
// approved by the steering group, through the hearing and its processing,
// and locked again.
func toFinalReview() []collab.Step {
	return []collab.Step{
		{Action: "lock", To: collab.PhaseReview},
		{Action: "approve", To: collab.PhaseApproved, Approve: "steering", Complete: true},
		{Action: "start_hearing", To: collab.PhaseHearing},
		{Action: "close_hearing", To: collab.PhaseProcessing},
		{Action: "lock", To: collab.PhaseFinalReview},
	}
}

// walk takes the plan through steps as the steering group and returns it
// after the last.
func walk(t *testing.T, ps *collab.Plans, planID string, steps ...collab.Step) *collab.Plan {
	t.Helper()
	var p *collab.Plan
	var err error
	for _, st := range steps {
		if p, err = ps.Step(context.Background(), "styret", planID, step(st)); err != nil {
			t.Fatalf("%s: %v", st.Action, err)
		}
	}
	return p
}

// heavilyEdited is hearingText rewritten in more than a fifth of its words.
const heavilyEdited = "Bodø kommune skal sørge for at alle innbyggere har et trygt og godt sted å bo. " +
	"Planen gjelder for perioden 2027–2031. " +
	"Kommunen vil sammen med Husbanken, boligbyggelag og private utbyggere skaffe minst 120 nye utleieboliger for unge og vanskeligstilte i sentrum."

func TestVersions_Compare(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		f := newVersionFixture(t, b.open(t))
		me := collab.Actor{ID: leader}
		p, _, err := f.ps.FreezeVersion(ctx, me, f.p.ID, 0, "Utkast 1")
		if err != nil {
			t.Fatal(err)
		}
		// After the freeze: a one-word fix in the intro, the second section
		// renamed and rewritten, a new section with text, the last section
		// deleted, and the measure's investment raised.
		fixed := strings.Replace(hearingText, "trygt", "trygg", 1)
		setText(t, f.e, f.intro, leader, fixed)
		setText(t, f.e, f.second, leader, "Regionale og nasjonale føringer gjelder fullt ut.")
		newTitle := "Føringer for planen"
		if p, err = f.ps.UpdateSection(ctx, me, p.ID, f.second, 0, collab.SectionPatch{Title: &newTitle}); err != nil {
			t.Fatal(err)
		}
		p, added, err := f.ps.AddSection(ctx, me, p.ID, 0, collab.NewSection{Title: "Vedlegg"})
		if err != nil {
			t.Fatal(err)
		}
		setText(t, f.e, added.ID, leader, "Tabeller og kart.")
		lastID := p.Sections[len(p.Sections)-2].ID // the last before the new one
		lastTitle := p.Sections[len(p.Sections)-2].Title
		if p, err = f.ps.DeleteSection(ctx, me, p.ID, lastID, 0); err != nil {
			t.Fatal(err)
		}
		costs := []collab.CostLine{{Year: p.Period.From, Investment: 2_000_000, Operating: 250_000}}
		if p, _, err = collab.Save[*collab.Measure](ctx, f.ps, me, p.ID, f.measure, collab.MeasureInput{Costs: &costs}); err != nil {
			t.Fatal(err)
		}

		d, err := f.ps.Compare(ctx, p, "Utkast 1", "now")
		if err != nil {
			t.Fatal(err)
		}
		if d.From.Name != "Utkast 1" || d.To.Name != "now" || !d.To.Now || d.From.Now {
			t.Fatalf("sides %+v → %+v", d.From, d.To)
		}
		byID := map[string]collab.SectionDiff{}
		for _, s := range d.Sections {
			byID[s.ID] = s
		}
		intro := byID[f.intro]
		if intro.Change != "changed" || segs(intro.Segments) != "=Bodø kommune skal sikre at alle innbyggere har et |-trygt|+trygg|= og godt sted å bo. "+
			"Planen gjelder for perioden 2027–2030 og bygger på Husbankens veileder. Kommunen vil samarbeide med private utbyggere, frivillige og statlige etater om flere utleieboliger for unge, eldre og personer med nedsatt funksjonsevne.\n" ||
			intro.Inserted != 1 || intro.Deleted != 1 || intro.Substantial {
			t.Fatalf("intro: %s +%d -%d substantial %t: %s", intro.Change, intro.Inserted, intro.Deleted, intro.Substantial, segs(intro.Segments))
		}
		second := byID[f.second]
		if second.Change != "changed" || !second.Renamed || second.TitleFrom != "Føringer" || second.Title != newTitle {
			t.Fatalf("second: %+v", second)
		}
		if !second.Substantial {
			t.Fatalf("second: rewritten, but not substantial (share %.2f): %s", second.Share, segs(second.Segments))
		}
		if s := byID[added.ID]; s.Change != "added" || s.VFrom != nil || s.VTo == nil || segs(s.Segments) != "+Tabeller og kart.\n" || !s.Substantial {
			t.Fatalf("added: %+v", s)
		}
		if s := byID[lastID]; s.Change != "removed" || s.Title != lastTitle || s.VTo != nil || s.VFrom == nil {
			t.Fatalf("removed: %+v", s)
		}
		if got := d.Sections[len(d.Sections)-1].ID; got != lastID {
			t.Fatalf("the removed section is not last: %s", got)
		}
		for _, s := range d.Sections {
			if s.Change == "unchanged" && (len(s.Segments) != 0 || s.Renamed) {
				t.Fatalf("unchanged section %s has segments %v", s.Title, s.Segments)
			}
		}
		// The measure's costs: the field and the totals before and after.
		if len(d.Measures) != 1 {
			t.Fatalf("measures %+v", d.Measures)
		}
		m := d.Measures[0]
		if m.Change != "changed" || len(m.Fields) != 1 || m.Fields[0].Field != "costs" ||
			m.CostsFrom == nil || m.CostsTo == nil || m.CostsFrom.Investment != 1_500_000 || m.CostsTo.Investment != 2_000_000 ||
			m.CostsFrom.Total != 1_750_000 || m.CostsTo.Total != 2_250_000 {
			t.Fatalf("measure %+v (from %+v to %+v)", m, m.CostsFrom, m.CostsTo)
		}
		if d.CostsFrom.Total != 1_750_000 || d.CostsTo.Total != 2_250_000 {
			t.Fatalf("plan totals %+v → %+v", d.CostsFrom, d.CostsTo)
		}
		if !d.Substantial || !slices.Equal(d.Reasons, []string{"sections", "measures"}) {
			t.Fatalf("substantial %t because %v", d.Substantial, d.Reasons)
		}

		// The same comparison against a version frozen now, named by seq.
		p, v2, err := f.ps.FreezeVersion(ctx, me, p.ID, 0, "Utkast 2")
		if err != nil {
			t.Fatal(err)
		}
		d2, err := f.ps.Compare(ctx, p, "utkast 1", fmt.Sprint(v2.Seq))
		if err != nil {
			t.Fatal(err)
		}
		if d2.To.Name != "Utkast 2" || !reflect.DeepEqual(d2.Sections, d.Sections) || !reflect.DeepEqual(d2.Measures, d.Measures) {
			t.Fatalf("against the frozen version the comparison differs:\n%+v\n%+v", d2.Sections, d.Sections)
		}
		// A version against itself: nothing changed, nothing substantial.
		same, err := f.ps.Compare(ctx, p, "Utkast 2", "now")
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range same.Sections {
			if s.Change != "unchanged" {
				t.Fatalf("section %s changed against a version of now: %+v", s.Title, s)
			}
		}
		if same.Substantial || len(same.Measures) != 0 {
			t.Fatalf("a version of now is substantially different: %v", same.Reasons)
		}
		if _, err := f.ps.Compare(ctx, p, "Utkast 9", "now"); collab.ErrorCode(err) != collab.CodeNotFound {
			t.Fatalf("an unknown version: %v", err)
		}
	})
}

// TestVersions_HearingDraftAgainstNow is the steering group's question
// after the hearing: is the text now substantially different from the
// hearing draft? A heavy rewrite is; a one-word fix is not.
func TestVersions_HearingDraftAgainstNow(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		f := newVersionFixture(t, b.open(t))
		p := toHearing(t, f.ps, f.p.ID)
		if len(p.Versions) != 1 || p.Versions[0].Name != collab.HearingDraftName || !p.Versions[0].System || p.Versions[0].Content == "" {
			t.Fatalf("versions after approval: %+v", p.Versions)
		}
		// The hearing draft's text is the locked text, its content a copy.
		if got, want := p.Versions[0].Sections, p.Locked; !reflect.DeepEqual(got, want) {
			t.Fatalf("hearing draft sections %v, lock markers %v", got, want)
		}
		p = toProcessing(t, f.ps, p.ID)

		setText(t, f.e, f.intro, leader, strings.Replace(hearingText, "trygt", "trygg", 1))
		d, err := f.ps.Compare(ctx, p, collab.HearingDraftName, collab.NowRef)
		if err != nil {
			t.Fatal(err)
		}
		if d.Substantial || len(d.Reasons) != 0 {
			t.Fatalf("a one-word fix is substantial: %v", d.Reasons)
		}

		setText(t, f.e, f.intro, leader, heavilyEdited)
		d, err = f.ps.Compare(ctx, p, collab.HearingDraftName, collab.NowRef)
		if err != nil {
			t.Fatal(err)
		}
		var intro collab.SectionDiff
		for _, s := range d.Sections {
			if s.ID == f.intro {
				intro = s
			}
		}
		if !intro.Substantial || intro.Share <= collab.SubstantialShare || !d.Substantial || !slices.Equal(d.Reasons, []string{"sections"}) {
			t.Fatalf("a heavy rewrite: section share %.2f substantial %t, plan %t %v", intro.Share, intro.Substantial, d.Substantial, d.Reasons)
		}
	})
}

// TestVersions_SystemVersions: adoption freezes "Vedtatt plan" at the
// final lock, and a second round of approval after rullering gets a name
// of its own.
func TestVersions_SystemVersions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		f := newVersionFixture(t, b.open(t))
		toHearing(t, f.ps, f.p.ID)
		toProcessing(t, f.ps, f.p.ID)
		setText(t, f.e, f.intro, leader, heavilyEdited)
		p, err := f.ps.Step(ctx, "styret", f.p.ID, step(collab.Step{Action: "lock", To: collab.PhaseFinalReview}))
		if err != nil {
			t.Fatal(err)
		}
		locked := p.Locked
		p, err = f.ps.Step(ctx, "lene", p.ID, step(collab.Step{Action: "record_decision", To: collab.PhaseAdopted, Freeze: collab.AdoptedName}))
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Versions) != 2 {
			t.Fatalf("versions %+v", p.Versions)
		}
		adopted := p.Versions[1]
		if adopted.Name != collab.AdoptedName || !adopted.System || adopted.Seq != p.Seq || adopted.By != "lene" ||
			!reflect.DeepEqual(adopted.Sections, locked) {
			t.Fatalf("adopted %+v, lock markers %v", adopted, locked)
		}
		d, err := f.ps.Compare(ctx, p, collab.HearingDraftName, collab.AdoptedName)
		if err != nil {
			t.Fatal(err)
		}
		if !d.Substantial {
			t.Fatal("the adopted plan is not substantially different from the hearing draft")
		}
		// Rullering: a new draft, locked and approved again.
		if _, err := f.ps.Step(ctx, "lene", p.ID, step(collab.Step{Action: "start_rullering", To: collab.PhaseDraft})); err != nil {
			t.Fatal(err)
		}
		p = toHearing(t, f.ps, p.ID)
		if n := len(p.Versions); n != 3 || p.Versions[2].Name != collab.HearingDraftName+" (2)" {
			t.Fatalf("versions after the second approval: %+v", p.Versions)
		}
		// Another node folds the same.
		again, err := newPlans(t, f.store, newBus(t)).Get(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(again.Versions, p.Versions) {
			t.Fatalf("folded %+v, committed %+v", again.Versions, p.Versions)
		}
	})
}

// TestVersions_LegacyHearingDraft: a hearing draft frozen before entries
// held the content is read from the log, as it was at its seq.
func TestVersions_LegacyHearingDraft(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		f := newVersionFixture(t, b.open(t))
		p, err := f.ps.Step(ctx, "styret", f.p.ID, step(collab.Step{Action: "lock", To: collab.PhaseReview}))
		if err != nil {
			t.Fatal(err)
		}
		// The approval as it was written before: no content, no system flag.
		data, err := json.Marshal(map[string]any{"role": "political", "lock": p.LockSeq, "complete": true, "to": "approved",
			"version": map[string]any{"name": collab.HearingDraftName, "by": "per", "at": p.Updated, "sections": p.Locked}})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.store.AppendPlanEntry(ctx, collab.PlanEntry{Plan: p.ID, Seq: p.Seq + 1, Kind: "plan.approved", By: "per", At: p.Updated, Data: data}); err != nil {
			t.Fatal(err)
		}
		p, err = newPlans(t, f.store, newBus(t)).Get(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Versions) != 1 || p.Versions[0].Content != "" || !p.Versions[0].System {
			t.Fatalf("legacy versions %+v", p.Versions)
		}
		_, vc, err := f.ps.ReadVersion(ctx, p, collab.HearingDraftName)
		if err != nil {
			t.Fatal(err)
		}
		if len(vc.Measures) != 1 || vc.Measures[0].ID != f.measure || len(vc.Goals) != 1 || vc.Period != p.Period ||
			len(vc.Sections) != len(p.Sections) {
			t.Fatalf("legacy content %+v", vc)
		}
	})
}

func TestVersions_Restore(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		f := newVersionFixture(t, b.open(t))
		me := collab.Actor{ID: leader}
		p, v1, err := f.ps.FreezeVersion(ctx, me, f.p.ID, 0, "Utkast 1")
		if err != nil {
			t.Fatal(err)
		}
		setText(t, f.e, f.intro, leader, heavilyEdited)
		before, err := f.store.Ops(ctx, f.intro, 0, -1)
		if err != nil {
			t.Fatal(err)
		}
		head := int64(len(before))

		// Refused: an unknown version, a section the version lacks, a
		// section that is no part of the plan, a stale or absurd base, the
		// actor's check. None of them writes an op.
		p, added, err := f.ps.AddSection(ctx, me, p.ID, 0, collab.NewSection{Title: "Vedlegg"})
		if err != nil {
			t.Fatal(err)
		}
		stale, absurd := v1.Sections[f.intro], head+5
		refuse := collab.Actor{ID: "mats", Check: func(*collab.Plan) error {
			return collab.Errorf(collab.CodeForbidden, "only the leader may restore a section")
		}}
		for _, tc := range []struct {
			name    string
			by      collab.Actor
			section string
			ref     string
			base    *int64
			code    collab.Code
		}{
			{"unknown version", me, f.intro, "Utkast 9", nil, collab.CodeNotFound},
			{"section not in the version", me, added.ID, "Utkast 1", nil, collab.CodeNotFound},
			{"no such section", me, "nope", "Utkast 1", nil, collab.CodeNotFound},
			{"compared with an older text", me, f.intro, "Utkast 1", &stale, collab.CodeConflict},
			{"a version past the head", me, f.intro, "Utkast 1", &absurd, collab.CodeInvalid},
			{"not the leader", refuse, f.intro, "Utkast 1", nil, collab.CodeForbidden},
		} {
			if _, err := f.ps.RestoreSection(ctx, tc.by, p.ID, tc.section, tc.ref, tc.base); collab.ErrorCode(err) != tc.code {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
			}
		}
		if ops, _ := f.store.Ops(ctx, f.intro, 0, -1); len(ops) != len(before) {
			t.Fatalf("a refused restore wrote %d ops", len(ops)-len(before))
		}

		// Restored, as a new op by the person restoring.
		r, err := f.ps.RestoreSection(ctx, collab.Actor{ID: "lene"}, p.ID, f.intro, fmt.Sprint(v1.Seq), &head)
		if err != nil {
			t.Fatal(err)
		}
		if r.Unchanged || r.V != head+1 || r.Version.Name != "Utkast 1" {
			t.Fatalf("restored %+v (head was %d)", r, head)
		}
		if got := textOf(t, f.e, f.intro); got != hearingText {
			t.Fatalf("after the restore the text is %q", got)
		}
		after, err := f.store.Ops(ctx, f.intro, 0, -1)
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != len(before)+1 {
			t.Fatalf("the op log went from %d to %d ops, want one more", len(before), len(after))
		}
		for i := range before {
			if !reflect.DeepEqual(before[i], after[i]) {
				t.Fatalf("op %d was rewritten: %+v → %+v", i, before[i], after[i])
			}
		}
		op := after[len(after)-1]
		if op.By != "lene" || op.V != head || !strings.HasPrefix(op.Src, fmt.Sprintf("restore:%d:", v1.Seq)) || op.Kind != collab.OpEdit {
			t.Fatalf("the restoring op: %+v", op)
		}
		// The old text is still in the history, at its version.
		old, err := f.e.DocAt(ctx, f.intro, head)
		if err != nil {
			t.Fatal(err)
		}
		if got := docText(t, old); got != heavilyEdited {
			t.Fatalf("the text before the restore is gone from the history: %q", got)
		}
		// Restoring again changes nothing and writes nothing.
		r, err = f.ps.RestoreSection(ctx, me, p.ID, f.intro, "Utkast 1", nil)
		if err != nil || !r.Unchanged || r.V != head+1 {
			t.Fatalf("a second restore: %+v, %v", r, err)
		}
		if ops, _ := f.store.Ops(ctx, f.intro, 0, -1); len(ops) != len(after) {
			t.Fatal("a restore of an unchanged text wrote an op")
		}

		// A locked section refuses it like any edit: the engine's lock
		// marker decides, whatever the caller's check.
		setText(t, f.e, f.intro, leader, heavilyEdited)
		p, err = f.ps.Step(ctx, "styret", p.ID, step(collab.Step{Action: "lock", To: collab.PhaseReview}))
		if err != nil {
			t.Fatal(err)
		}
		locked, _ := f.store.Ops(ctx, f.intro, 0, -1)
		if _, err := f.ps.RestoreSection(ctx, me, p.ID, f.intro, "Utkast 1", nil); collab.ErrorCode(err) != collab.CodeLocked {
			t.Fatalf("restore in a locked section: %v, want locked", err)
		}
		if ops, _ := f.store.Ops(ctx, f.intro, 0, -1); len(ops) != len(locked) {
			t.Fatal("a refused restore in a locked section wrote an op")
		}
		if got := textOf(t, f.e, f.intro); got != heavilyEdited {
			t.Fatalf("the locked text changed: %q", got)
		}
	})
}

// TestVersions_DocAt rebuilds a document at every version, past the
// snapshots the engine stores, and refuses a version past the head.
func TestVersions_DocAt(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		store := b.open(t)
		e := newEngine(t, store, newBus(t), func(c *collab.EngineConfig) { c.SnapshotEvery = 3 })
		doc := "docat-" + b.name
		var texts []string
		text := ""
		for i := range 10 {
			word := fmt.Sprintf("ord%d æøå ", i)
			if _, err := e.Submit(ctx, collab.Submission{Doc: doc, V: int64(i), Src: "tab", Seq: int64(i + 1), By: "lene",
				Op: insertAt(t, utf8.RuneCountInString(text), word)}); err != nil {
				t.Fatal(err)
			}
			texts = append(texts, text)
			text += word
		}
		texts = append(texts, text)
		for v, want := range texts {
			d, err := e.DocAt(ctx, doc, int64(v))
			if err != nil {
				t.Fatalf("version %d: %v", v, err)
			}
			if got := docText(t, d); got != want {
				t.Fatalf("version %d: %q, want %q", v, got, want)
			}
		}
		if _, err := e.DocAt(ctx, doc, int64(len(texts))); collab.ErrorCode(err) != collab.CodeNotFound {
			t.Fatalf("a version past the head: %v, want not_found", err)
		}
	})
}
