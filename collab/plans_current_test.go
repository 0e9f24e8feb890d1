package collab_test

import (
	"context"
	"fmt"
	"testing"

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
