package collab_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/temaplan/temaplan/collab"
)

// Current answers the newest state, also of changes made through another
// node, and never changes a plan it handed out.
func TestPlans_CurrentFollowsChangesAndSharesNoState(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		store := b.open(t)
		bus := newBus(t)
		reader, writer := newPlans(t, store, bus), newPlans(t, store, bus)
		ctx := context.Background()
		p, err := writer.Create(ctx, "u1", collab.NewPlan{Title: "Plan", Municipality: "Bodø"})
		if err != nil {
			t.Fatal(err)
		}
		first, err := reader.Current(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if again, _ := reader.Current(ctx, p.ID); again != first {
			t.Errorf("Current with no change since decoded the plan again")
		}
		before, sections := first.Seq, len(first.Sections)

		for i := range 3 {
			if _, _, err := writer.AddSection(ctx, collab.Actor{ID: "u1"}, p.ID, 0, collab.NewSection{Title: fmt.Sprintf("Del %d", i)}); err != nil {
				t.Fatal(err)
			}
			cur, err := reader.Current(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			want, err := writer.Get(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if cur.Seq != want.Seq || outline(cur) != outline(want) {
				t.Fatalf("after change %d: Current at seq %d with\n%s\nwant seq %d with\n%s", i, cur.Seq, outline(cur), want.Seq, outline(want))
			}
		}
		if first.Seq != before || len(first.Sections) != sections {
			t.Errorf("the plan Current handed out first changed: seq %d → %d, sections %d → %d", before, first.Seq, sections, len(first.Sections))
		}
		if _, err := reader.Current(ctx, "no-such-plan"); collab.ErrorCode(err) != collab.CodeNotFound {
			t.Errorf("Current of an unknown plan = %v, want not_found", err)
		}
	})
}

// With Fresh, Current takes its copy as current for that long without
// reading the store: another node's change shows once its event is heard
// (Heard) or Fresh has passed, this node's own at once, and a change is
// never decided on a copy that is behind: it commits after the newest.
func TestPlans_CurrentWithFreshReadsTheStoreOnlyWhenItMayBeBehind(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		store := b.open(t)
		bus := newBus(t)
		const fresh = 300 * time.Millisecond
		var n atomic.Int64
		reader := collab.NewPlans(collab.PlansConfig{Store: store, Bus: bus, Fresh: fresh,
			NewID: func() string { return fmt.Sprintf("r-%04d", n.Add(1)) }})
		writer := newPlans(t, store, bus)
		ctx := context.Background()
		by := collab.Actor{ID: "u1"}
		p, err := writer.Create(ctx, "u1", collab.NewPlan{Title: "Plan", Municipality: "Bodø"})
		if err != nil {
			t.Fatal(err)
		}
		seqOf := func(what string) int64 {
			t.Helper()
			cur, err := reader.Current(ctx, p.ID)
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			return cur.Seq
		}
		read := time.Now()
		if got := seqOf("first read"); got != p.Seq {
			t.Fatalf("first read at seq %d, want %d", got, p.Seq)
		}
		if _, _, err := writer.AddSection(ctx, by, p.ID, 0, collab.NewSection{Title: "Fra en annen node"}); err != nil {
			t.Fatal(err)
		}
		if got := seqOf("unheard change"); got != p.Seq && time.Since(read) < fresh {
			t.Errorf("another node's change unheard: Current at seq %d within Fresh, want its copy at %d (no store read)", got, p.Seq)
		}
		reader.Heard(p.ID, p.Seq+1)
		if got := seqOf("heard change"); got != p.Seq+1 {
			t.Errorf("after Heard(%d): Current at seq %d", p.Seq+1, got)
		}

		// Its own change is current at once.
		if _, _, err := reader.AddSection(ctx, by, p.ID, 0, collab.NewSection{Title: "Egen"}); err != nil {
			t.Fatal(err)
		}
		if got := seqOf("own change"); got != p.Seq+2 {
			t.Errorf("after its own change: Current at seq %d, want %d", got, p.Seq+2)
		}

		// A change decided on a copy that is behind commits after the
		// newest entry, with it.
		if _, _, err := writer.AddSection(ctx, by, p.ID, 0, collab.NewSection{Title: "Uhørt"}); err != nil {
			t.Fatal(err)
		}
		changed, _, err := reader.AddSection(ctx, by, p.ID, 0, collab.NewSection{Title: "Etter"})
		if err != nil {
			t.Fatal(err)
		}
		want, err := writer.Get(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if changed.Seq != p.Seq+4 || outline(changed) != outline(want) {
			t.Errorf("a change on a copy behind: seq %d with\n%s\nwant seq %d with\n%s", changed.Seq, outline(changed), p.Seq+4, outline(want))
		}

		// Past Fresh, an unheard change shows.
		if _, _, err := writer.AddSection(ctx, by, p.ID, 0, collab.NewSection{Title: "Senere"}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(fresh)
		if got := seqOf("after Fresh"); got != p.Seq+5 {
			t.Errorf("Fresh past: Current at seq %d, want %d", got, p.Seq+5)
		}
	})
}
