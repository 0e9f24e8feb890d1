package collab_test

import (
	"context"
	"sync"
	"testing"

	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/delta"
)

// reviewFixture is a plan whose first section reads "Boliger for alle.\n",
// with a leader, a member and a steering member.
type reviewFixture struct {
	ps     *collab.Plans
	e      *collab.Engine
	store  collab.Store
	plan   *collab.Plan
	doc    string
	seq    int64
	leader collab.Actor
}

func newReviewFixture(t *testing.T, b backend) *reviewFixture {
	t.Helper()
	store := b.open(t)
	ps, e := newPlansWithEngine(t, store, newBus(t))
	p, err := ps.Create(context.Background(), "admin", collab.NewPlan{Title: "Plan", Municipality: "m",
		Members: []collab.Member{{User: "lise", Roles: []string{"leader"}}, {User: "mats", Roles: []string{"member"}},
			{User: "siri", Roles: []string{"steering"}}}})
	if err != nil {
		t.Fatal(err)
	}
	f := &reviewFixture{ps: ps, e: e, store: store, plan: p, doc: p.Sections[0].ID, leader: collab.Actor{ID: "lise"}}
	f.edit(t, insertAt(t, 0, "Boliger for alle."))
	return f
}

// edit commits op as the leader on the head version.
func (f *reviewFixture) edit(t *testing.T, op delta.Delta) int64 {
	t.Helper()
	v, _, err := f.e.Snapshot(context.Background(), f.doc)
	if err != nil {
		t.Fatal(err)
	}
	f.seq++
	got, err := f.e.Submit(context.Background(), collab.Submission{Doc: f.doc, V: v, Src: "lise-tab", Seq: f.seq, By: "lise", Op: op})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func (f *reviewFixture) text(t *testing.T) string {
	t.Helper()
	_, d, err := f.e.Snapshot(context.Background(), f.doc)
	if err != nil {
		t.Fatal(err)
	}
	return docText(t, d)
}

func deleteAt(index, n int) delta.Delta {
	var d delta.Delta
	d.Retain(index, nil).Delete(n)
	return d
}

func TestReview_CommentFollowsTheTextAndIsOrphanedWhenItGoes(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		f := newReviewFixture(t, b)
		// Mats selected "alle" (8+4) on version 1; the leader has typed
		// at the start since.
		f.edit(t, insertAt(t, 0, "Gode "))
		p, c, err := f.ps.AddComment(ctx, collab.Actor{ID: "mats"}, f.plan.ID, collab.NewComment{
			Section: f.doc, V: 1, Index: 12, Length: 4, Body: "Hvem er <b>alle</b>?", Mentions: []string{"lise"}})
		if err != nil {
			t.Fatal(err)
		}
		if c.Quote != "alle" || c.Anchor.Index != 17 || c.Anchor.V != 2 {
			t.Fatalf("stored %+v quote %q, want alle at 17 on version 2", c.Anchor, c.Quote)
		}
		// Typing at the edges leaves the range; typing inside grows it.
		f.edit(t, insertAt(t, 17, "X"))
		f.edit(t, insertAt(t, 22, "Y"))
		f.edit(t, insertAt(t, 20, "-"))
		pos, err := f.ps.Positions(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if got := pos[c.ID]; got.Quote != "al-le" || got.Anchor.Index != 18 {
			t.Fatalf("after edits: %+v, want al-le at 18 (text %q)", got, f.text(t))
		}
		// Deleting the whole range orphans the comment; it keeps its quote.
		f.edit(t, deleteAt(17, 7))
		pos, err = f.ps.Positions(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if got := pos[c.ID]; got.Anchor.Length != 0 || !got.Touched {
			t.Fatalf("after deleting the range: %+v, want length 0", got)
		}
		p, _ = f.ps.Get(ctx, f.plan.ID)
		if cm, _ := p.Comment(c.ID); cm.Quote != "alle" || cm.Body != "Hvem er <b>alle</b>?" {
			t.Fatalf("the orphan lost its quote or body: %+v", cm)
		}
		// Mentions must be members.
		if _, _, err := f.ps.AddComment(ctx, collab.Actor{ID: "mats"}, f.plan.ID, collab.NewComment{Thread: c.ID,
			Body: "@ola?", Mentions: []string{"ola"}}); collab.ErrorCode(err) != collab.CodeInvalid {
			t.Fatalf("mention of a non-member: %v", err)
		}
	})
}

func TestReview_ThreadsAndRequiredChanges(t *testing.T) {
	ctx := context.Background()
	f := newReviewFixture(t, backends()[0])
	mats, siri := collab.Actor{ID: "mats"}, collab.Actor{ID: "siri"}
	_, root, err := f.ps.AddComment(ctx, siri, f.plan.ID, collab.NewComment{Section: f.doc, V: 1, Index: 0, Length: 7, Body: "Skriv om"})
	if err != nil {
		t.Fatal(err)
	}
	p, reply, err := f.ps.AddComment(ctx, mats, f.plan.ID, collab.NewComment{Thread: root.ID, Body: "Enig"})
	if err != nil {
		t.Fatal(err)
	}
	if reply.Thread != root.ID || reply.Anchor != nil {
		t.Fatalf("reply %+v", reply)
	}
	if p, err = f.ps.EditComment(ctx, mats, f.plan.ID, reply.ID, "Helt enig", nil); err != nil {
		t.Fatal(err)
	}
	if p, err = f.ps.DeleteComment(ctx, mats, f.plan.ID, reply.ID); err != nil {
		t.Fatal(err)
	}
	if cm, _ := p.Comment(reply.ID); !cm.Deleted || cm.Body != "" {
		t.Fatalf("deleted reply %+v", cm)
	}
	if _, err := f.ps.EditComment(ctx, mats, f.plan.ID, reply.ID, "igjen", nil); collab.ErrorCode(err) != collab.CodeNotFound {
		t.Fatalf("editing a deleted comment: %v", err)
	}

	// A required change: open until the leader has made it and the
	// steering group resolves it.
	if p, err = f.ps.RequireChange(ctx, siri, f.plan.ID, root.ID, true); err != nil {
		t.Fatal(err)
	}
	if n := len(p.OpenRequirements()); n != 1 {
		t.Fatalf("%d open requirements", n)
	}
	if _, err := f.ps.ResolveThread(ctx, siri, f.plan.ID, root.ID, true); collab.ErrorCode(err) != collab.CodeConflict {
		t.Fatalf("resolving before it is made: %v", err)
	}
	if _, err = f.ps.MarkChangeDone(ctx, f.leader, f.plan.ID, root.ID, true); err != nil {
		t.Fatal(err)
	}
	if p, err = f.ps.ResolveThread(ctx, siri, f.plan.ID, root.ID, true); err != nil {
		t.Fatal(err)
	}
	if n := len(p.OpenRequirements()); n != 0 {
		t.Fatalf("%d open requirements after resolving", n)
	}
	// Resolving again changes nothing.
	again, err := f.ps.ResolveThread(ctx, siri, f.plan.ID, root.ID, true)
	if err != nil || again.Seq != p.Seq {
		t.Fatalf("resolving twice: seq %d → %d, %v", p.Seq, again.Seq, err)
	}
}

func TestReview_SuggestionAcceptedExactlyOnceOrOutdated(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		f := newReviewFixture(t, b)
		mats := collab.Actor{ID: "mats"}
		// "alle" → "alle innbyggere", suggested on version 1.
		_, s, err := f.ps.AddSuggestion(ctx, mats, f.plan.ID, collab.NewSuggestion{Section: f.doc, V: 1, Index: 12, Length: 4, Text: "alle innbyggere"})
		if err != nil {
			t.Fatal(err)
		}
		// Edits outside the range land before the accept.
		f.edit(t, insertAt(t, 0, "Gode "))
		f.edit(t, insertAt(t, 22, " Nå."))
		// Two tabs accept at once: one edit.
		var wg sync.WaitGroup
		plans := make([]*collab.Plan, 2)
		errs := make([]error, 2)
		for i := range 2 {
			wg.Go(func() { plans[i], errs[i] = f.ps.DecideSuggestion(ctx, f.leader, f.plan.ID, s.ID, true, "") })
		}
		wg.Wait()
		for i := range 2 {
			if errs[i] != nil {
				t.Fatalf("accept %d: %v", i, errs[i])
			}
		}
		if got := f.text(t); got != "Gode Boliger for alle innbyggere. Nå." {
			t.Fatalf("text %q", got)
		}
		p, _ := f.ps.Get(ctx, f.plan.ID)
		sg, _ := p.Suggestion(s.ID)
		recs := checkLog(t, f.store, f.doc)
		var fromSuggestion []collab.OpRecord
		for _, r := range recs {
			if r.Src == collab.SuggestionSrc(s.ID) {
				fromSuggestion = append(fromSuggestion, r)
			}
		}
		if sg.Status != collab.SuggestionAccepted || len(fromSuggestion) != 1 || fromSuggestion[0].V != sg.V ||
			fromSuggestion[0].By != "lise" || sg.Author != "mats" {
			t.Fatalf("suggestion %+v, ops %+v: want one op by lise at its v, suggested by mats", sg, fromSuggestion)
		}

		// A suggestion whose text was edited since is outdated: refused,
		// and the text stays as it is.
		_, s2, err := f.ps.AddSuggestion(ctx, mats, f.plan.ID, collab.NewSuggestion{Section: f.doc, V: sg.V + 1, Index: 5, Length: 7, Text: "Hjem"})
		if err != nil {
			t.Fatal(err)
		}
		f.edit(t, insertAt(t, 8, "-"))
		before := f.text(t)
		if _, err := f.ps.DecideSuggestion(ctx, f.leader, f.plan.ID, s2.ID, true, ""); collab.ErrorCode(err) != collab.CodeConflict {
			t.Fatalf("accepting an outdated suggestion: %v", err)
		}
		if got := f.text(t); got != before {
			t.Fatalf("the outdated suggestion changed the text: %q → %q", before, got)
		}
		p, err = f.ps.DecideSuggestion(ctx, f.leader, f.plan.ID, s2.ID, false, "Passer ikke")
		if err != nil {
			t.Fatal(err)
		}
		if sg, _ := p.Suggestion(s2.ID); sg.Status != collab.SuggestionRejected || sg.Reply != "Passer ikke" {
			t.Fatalf("rejected %+v", sg)
		}
	})
}
