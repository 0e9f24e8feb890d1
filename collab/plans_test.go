package collab_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/temaplan/temaplan/collab"
)

func newPlans(t *testing.T, store collab.PlanStore, bus collab.Bus) *collab.Plans {
	var n atomic.Int64
	prefix := fmt.Sprintf("%p-", &n)
	return collab.NewPlans(collab.PlansConfig{Store: store, Bus: bus,
		NewID: func() string { return fmt.Sprintf("%s%04d", prefix, n.Add(1)) }})
}

// outline renders a plan's tree as indented titles, for comparisons.
func outline(p *collab.Plan) string {
	var b strings.Builder
	p.Walk(func(s *collab.Section, depth int) {
		fmt.Fprintf(&b, "%s%s\n", strings.Repeat("  ", depth), s.Title)
	})
	return b.String()
}

// housingOutline is SPEC.md §2's default template "Temaplan om bolig".
const housingOutline = `Innledning
Føringer
  Nasjonale føringer
  Regionale føringer
  Lokale føringer
Generell boligutvikling
  Analysedel
    Situasjonsbeskrivelse
    Utviklingstrekk
    Vurdering av virkemidler og behov
  Handlingsdel
    Mål
    Strategier
    Tiltak
Boligsosiale forhold
  Analysedel
    Situasjonsbeskrivelse
    Utviklingstrekk
    Vurdering av virkemidler og behov
  Handlingsdel
    Mål
    Strategier
    Tiltak
Organisering og boligforvaltning
  Analysedel
    Situasjonsbeskrivelse
    Utviklingstrekk
    Vurdering av virkemidler og behov
  Handlingsdel
    Mål
    Strategier
    Tiltak
Målekort og oppfølging
Økonomiske konsekvenser
`

func TestPlans_CreateInstantiatesTheHousingTemplate(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ps := newPlans(t, b.open(t), nil)
		ctx := context.Background()
		p, err := ps.Create(ctx, "u1", collab.NewPlan{Title: "Boligplan 2026–2038", Municipality: "Bodø"})
		if err != nil {
			t.Fatal(err)
		}
		if got := outline(p); got != housingOutline {
			t.Fatalf("outline:\n%s\nwant:\n%s", got, housingOutline)
		}
		if p.Phase != collab.PhaseDraft || p.Type != collab.TypeTemaplan || p.Seq != 1 {
			t.Fatalf("phase %s type %s seq %d", p.Phase, p.Type, p.Seq)
		}
		ids := map[string]bool{}
		p.Walk(func(s *collab.Section, _ int) {
			if ids[s.ID] || s.Status != collab.StatusNotStarted {
				t.Fatalf("section %q: duplicate id or status %s", s.Title, s.Status)
			}
			ids[s.ID] = true
		})
		got, err := ps.Get(ctx, p.ID)
		if err != nil || outline(got) != housingOutline {
			t.Fatalf("reloaded plan differs: %v", err)
		}
		list, err := ps.List(ctx, "Bodø")
		if err != nil || len(list) != 1 || list[0].Title != "Boligplan 2026–2038" {
			t.Fatalf("list: %+v %v", list, err)
		}
		if list, _ := ps.List(ctx, "Tromsø"); len(list) != 0 {
			t.Fatalf("another municipality sees %d plans", len(list))
		}
	})
}

func TestPlans_StructureChanges(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		store := b.open(t)
		ps := newPlans(t, store, nil)
		ctx := context.Background()
		p, err := ps.Create(ctx, "u1", collab.NewPlan{Title: "Plan", Municipality: "Bodø"})
		if err != nil {
			t.Fatal(err)
		}
		intro := p.Sections[0]
		p, area, err := ps.AddSection(ctx, collab.Actor{ID: "u1"}, p.ID, p.Seq, collab.NewSection{Title: "Bolig for eldre", Kind: collab.KindTargetArea})
		if err != nil {
			t.Fatal(err)
		}
		if len(area.Children) != 2 || area.Children[1].Children[2].Title != "Tiltak" {
			t.Fatalf("a new target area lacks its subtree: %+v", area)
		}
		status := collab.StatusInProgress
		title := "Innledning og formål"
		if p, err = ps.UpdateSection(ctx, collab.Actor{ID: "u1"}, p.ID, intro.ID, p.Seq, collab.SectionPatch{Title: &title, Status: &status}); err != nil {
			t.Fatal(err)
		}
		// Nest the intro under the new area, then back to the top.
		if p, err = ps.MoveSection(ctx, collab.Actor{ID: "u1"}, p.ID, intro.ID, p.Seq, area.ID, 0); err != nil {
			t.Fatal(err)
		}
		if s, parent, _ := p.Find(intro.ID); parent == nil || parent.ID != area.ID || s.Title != title || s.Status != status {
			t.Fatalf("move: parent %v", parent)
		}
		if _, err := ps.MoveSection(ctx, collab.Actor{ID: "u1"}, p.ID, area.ID, p.Seq, intro.ID, 0); collab.ErrorCode(err) != collab.CodeInvalid {
			t.Fatalf("moving a section into its own subsection: %v, want invalid", err)
		}
		if p, err = ps.DeleteSection(ctx, collab.Actor{ID: "u1"}, p.ID, area.ID, p.Seq); err != nil {
			t.Fatal(err)
		}
		if _, _, ok := p.Find(intro.ID); ok {
			t.Fatal("deleting a section left its subsections")
		}
		// The log folds to the same state on a fresh read.
		fresh, err := newPlans(t, store, nil).Get(ctx, p.ID)
		if err != nil || outline(fresh) != outline(p) || fresh.Seq != p.Seq {
			t.Fatalf("fold differs: %v", err)
		}
	})
}

func TestPlans_BadInputChangesNothing(t *testing.T) {
	b := backends()[0]
	store := b.open(t)
	ps := newPlans(t, store, nil)
	ctx := context.Background()
	p, err := ps.Create(ctx, "u1", collab.NewPlan{Title: "Plan", Municipality: "Bodø"})
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("x", 201)
	bad := collab.SectionStatus("finished")
	empty := " "
	cases := []struct {
		name string
		run  func() error
		code collab.Code
	}{
		{"empty title", func() error { _, err := ps.Create(ctx, "u", collab.NewPlan{Title: " ", Municipality: "B"}); return err }, collab.CodeInvalid},
		{"long title", func() error {
			_, err := ps.Create(ctx, "u", collab.NewPlan{Title: long, Municipality: "B"})
			return err
		}, collab.CodeInvalid},
		{"bad type", func() error {
			_, err := ps.Create(ctx, "u", collab.NewPlan{Title: "T", Municipality: "B", Type: "x"})
			return err
		}, collab.CodeInvalid},
		{"control chars", func() error {
			_, _, err := ps.AddSection(ctx, collab.Actor{ID: "u"}, p.ID, 0, collab.NewSection{Title: "a\x00b"})
			return err
		}, collab.CodeInvalid},
		{"unknown parent", func() error {
			_, _, err := ps.AddSection(ctx, collab.Actor{ID: "u"}, p.ID, 0, collab.NewSection{Title: "a", Parent: "nope"})
			return err
		}, collab.CodeNotFound},
		{"unknown kind", func() error {
			_, _, err := ps.AddSection(ctx, collab.Actor{ID: "u"}, p.ID, 0, collab.NewSection{Title: "a", Kind: "x"})
			return err
		}, collab.CodeInvalid},
		{"unknown plan", func() error {
			_, _, err := ps.AddSection(ctx, collab.Actor{ID: "u"}, "nope", 0, collab.NewSection{Title: "a"})
			return err
		}, collab.CodeNotFound},
		{"operator as id", func() error { _, err := ps.Get(ctx, `{"$gt":""}`); return err }, collab.CodeNotFound},
		{"bad status", func() error {
			_, err := ps.UpdateSection(ctx, collab.Actor{ID: "u"}, p.ID, p.Sections[0].ID, 0, collab.SectionPatch{Status: &bad})
			return err
		}, collab.CodeInvalid},
		{"empty patch title", func() error {
			_, err := ps.UpdateSection(ctx, collab.Actor{ID: "u"}, p.ID, p.Sections[0].ID, 0, collab.SectionPatch{Title: &empty})
			return err
		}, collab.CodeInvalid},
		{"nothing to change", func() error {
			_, err := ps.UpdateSection(ctx, collab.Actor{ID: "u"}, p.ID, p.Sections[0].ID, 0, collab.SectionPatch{})
			return err
		}, collab.CodeInvalid},
		{"seq from the future", func() error {
			_, err := ps.DeleteSection(ctx, collab.Actor{ID: "u"}, p.ID, p.Sections[0].ID, 99)
			return err
		}, collab.CodeInvalid},
		{"unknown section", func() error { _, err := ps.DeleteSection(ctx, collab.Actor{ID: "u"}, p.ID, "nope", 0); return err }, collab.CodeNotFound},
	}
	for _, c := range cases {
		if err := c.run(); collab.ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	entries, err := store.PlanEntries(ctx, p.ID, 0)
	if err != nil || len(entries) != 1 {
		t.Fatalf("bad input wrote entries: %d %v", len(entries), err)
	}
	if list, _ := ps.List(ctx, ""); len(list) != 1 {
		t.Fatalf("bad input created plans: %d", len(list))
	}
}

func TestPlans_ConflictOnlyWhenTheSameObjectChanged(t *testing.T) {
	ps := newPlans(t, backends()[0].open(t), nil)
	ctx := context.Background()
	p, err := ps.Create(ctx, "u1", collab.NewPlan{Title: "Plan", Municipality: "Bodø"})
	if err != nil {
		t.Fatal(err)
	}
	seen := p.Seq
	a, c := p.Sections[0].ID, p.Sections[1].ID
	t1, t2, t3 := "A1", "A2", "C1"
	if _, err := ps.UpdateSection(ctx, collab.Actor{ID: "u1"}, p.ID, a, seen, collab.SectionPatch{Title: &t1}); err != nil {
		t.Fatal(err)
	}
	// Another user, still on the old seq, renames another section: fine.
	if _, err := ps.UpdateSection(ctx, collab.Actor{ID: "u2"}, p.ID, c, seen, collab.SectionPatch{Title: &t3}); err != nil {
		t.Fatalf("unrelated change refused: %v", err)
	}
	// ... but renaming the same section is a conflict.
	if _, err := ps.UpdateSection(ctx, collab.Actor{ID: "u2"}, p.ID, a, seen, collab.SectionPatch{Title: &t2}); collab.ErrorCode(err) != collab.CodeConflict {
		t.Fatalf("concurrent rename: %v, want conflict", err)
	}
}

func TestPlans_TwoNodesRaceForTheNextSeq(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		store := b.open(t)
		bus := newBus(t)
		nodes := []*collab.Plans{newPlans(t, store, bus), newPlans(t, store, bus)}
		ctx := context.Background()
		p, err := nodes[0].Create(ctx, "u1", collab.NewPlan{Title: "Plan", Municipality: "Bodø"})
		if err != nil {
			t.Fatal(err)
		}
		// Events arrive on the plan channel in seq order.
		events := make(chan collab.PlanEvent, 100)
		cancel, err := bus.Subscribe(ctx, collab.PlanChannel(p.ID), collab.BusHandler{Message: func(data []byte) {
			var ev collab.PlanEvent
			if json.Unmarshal(data, &ev) == nil {
				events <- ev
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		defer cancel()
		const n = 12
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, _, err := nodes[i%2].AddSection(ctx, collab.Actor{ID: "u1"}, p.ID, 0, collab.NewSection{Title: fmt.Sprintf("Del %d", i)}); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		final, err := nodes[1].Get(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if final.Seq != n+1 || len(final.Sections) != 7+n {
			t.Fatalf("seq %d with %d top-level sections, want %d and %d", final.Seq, len(final.Sections), n+1, 7+n)
		}
		seqs := map[int64]bool{}
		for range n {
			ev := <-events
			if seqs[ev.Seq] || ev.Kind != "section.added" {
				t.Fatalf("event %+v repeated or wrong kind", ev)
			}
			seqs[ev.Seq] = true
		}
	})
}
