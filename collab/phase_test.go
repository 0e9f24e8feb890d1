package collab_test

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/temaplan/temaplan/collab"
)

// newPlansWithEngine returns a plan service that places lock markers
// through an engine on the same store.
func newPlansWithEngine(t *testing.T, store collab.Store, bus collab.Bus) (*collab.Plans, *collab.Engine) {
	e := newEngine(t, store, bus, nil)
	var n atomic.Int64
	prefix := fmt.Sprintf("%p-", &n)
	ps := collab.NewPlans(collab.PlansConfig{Store: store, Bus: bus, Engine: e,
		NewID: func() string { return fmt.Sprintf("%s%04d", prefix, n.Add(1)) }})
	return ps, e
}

func TestPlans_MembersKeepOneLeader(t *testing.T) {
	ctx := context.Background()
	store := backends()[0].open(t)
	ps := newPlans(t, store, newBus(t))
	p, err := ps.Create(ctx, "admin", collab.NewPlan{Title: "Plan", Municipality: "m",
		Members: []collab.Member{{User: "kari", Roles: []string{"leader", "member"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Leader() != "kari" {
		t.Fatalf("leader %q, want kari", p.Leader())
	}
	admin := collab.Actor{ID: "admin"}
	if p, err = ps.SetMember(ctx, admin, p.ID, "ola", []string{"steering"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ps.SetMember(ctx, admin, p.ID, "kari", []string{"member"}); collab.ErrorCode(err) != collab.CodeInvalid {
		t.Fatalf("dropping the leader role: %v, want invalid", err)
	}
	// A new leader takes the role; the old one keeps their other roles.
	if p, err = ps.SetMember(ctx, admin, p.ID, "per", []string{"leader"}); err != nil {
		t.Fatal(err)
	}
	if p.Leader() != "per" || !slices.Equal(p.RolesOf("kari"), []string{"member"}) {
		t.Fatalf("after reassigning: leader %q, kari %v", p.Leader(), p.RolesOf("kari"))
	}
	// Giving the roles someone holds already writes nothing.
	same, err := ps.SetMember(ctx, admin, p.ID, "per", []string{"leader"})
	if err != nil || same.Seq != p.Seq {
		t.Fatalf("repeating a membership: seq %d → %d, %v", p.Seq, same.Seq, err)
	}
	if _, err := ps.SetMember(ctx, admin, p.ID, "nobody", nil); collab.ErrorCode(err) != collab.CodeNotFound {
		t.Fatalf("removing a non-member: %v, want not_found", err)
	}
	if p, err = ps.SetMember(ctx, admin, p.ID, "ola", nil); err != nil {
		t.Fatal(err)
	}
	if p.RolesOf("ola") != nil {
		t.Fatalf("removed member still has %v", p.RolesOf("ola"))
	}
	// The fold of the log gives the same members as the commits did.
	again, err := newPlans(t, store, newBus(t)).Get(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(again.Members) != fmt.Sprint(p.Members) {
		t.Fatalf("folded members %v, committed %v", again.Members, p.Members)
	}
	// The actor's check sees the state the change commits on.
	refuse := collab.Actor{ID: "x", Check: func(p *collab.Plan) error {
		return collab.Errorf(collab.CodeForbidden, "no")
	}}
	if _, err := ps.SetMember(ctx, refuse, p.ID, "eva", []string{"reader"}); collab.ErrorCode(err) != collab.CodeForbidden {
		t.Fatalf("refused check: %v", err)
	}
}

// step returns a decide function that takes st without asking anything.
func step(st collab.Step) func(*collab.Plan) (collab.Step, error) {
	return func(*collab.Plan) (collab.Step, error) { return st, nil }
}

func TestPlans_LockReturnApprove(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		store := b.open(t)
		ps, e := newPlansWithEngine(t, store, newBus(t))
		p, err := ps.Create(ctx, "admin", collab.NewPlan{Title: "Plan", Municipality: "m"})
		if err != nil {
			t.Fatal(err)
		}
		doc := p.Sections[0].ID
		if _, err := e.Submit(ctx, collab.Submission{Doc: doc, V: 0, Src: "tab", Seq: 1, By: "kari", Op: insertAt(t, 0, "Før")}); err != nil {
			t.Fatal(err)
		}

		p, err = ps.Step(ctx, "styret", p.ID, step(collab.Step{Action: "lock", To: collab.PhaseReview}))
		if err != nil {
			t.Fatal(err)
		}
		if p.Phase != collab.PhaseReview || p.LockSeq != p.Seq || len(p.Locked) != p.SectionCount() || p.Locked[doc] != 1 {
			t.Fatalf("after lock: phase %s lock %d seq %d, %d of %d sections locked, %s at %d",
				p.Phase, p.LockSeq, p.Seq, len(p.Locked), p.SectionCount(), doc, p.Locked[doc])
		}
		if _, err := e.Submit(ctx, collab.Submission{Doc: doc, V: 1, Src: "tab", Seq: 2, By: "kari", Op: insertAt(t, 0, "x")}); collab.ErrorCode(err) != collab.CodeLocked {
			t.Fatalf("op after the lock: %v, want locked", err)
		}

		// One approval, then a return: the approval lapses with the lock.
		p, err = ps.Step(ctx, "styret", p.ID, step(collab.Step{Action: "approve", To: collab.PhaseReview, Approve: "steering"}))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(p.Approvals, []string{"steering"}) {
			t.Fatalf("approvals %v", p.Approvals)
		}
		if _, err := ps.Step(ctx, "styret", p.ID, step(collab.Step{Action: "approve", To: collab.PhaseReview, Approve: "steering"})); collab.ErrorCode(err) != collab.CodeConflict {
			t.Fatalf("second approval by the same role: %v, want conflict", err)
		}
		p, err = ps.Step(ctx, "styret", p.ID, step(collab.Step{Action: "return", To: collab.PhaseDraft, Comment: "Mer om eldre"}))
		if err != nil {
			t.Fatal(err)
		}
		if p.Phase != collab.PhaseDraft || p.LockSeq != 0 || len(p.Approvals) != 0 {
			t.Fatalf("after return: phase %s lock %d approvals %v", p.Phase, p.LockSeq, p.Approvals)
		}
		// Editing resumes on the version after the unlock marker.
		v, _, err := e.Snapshot(ctx, doc)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Submit(ctx, collab.Submission{Doc: doc, V: v, Src: "tab", Seq: 2, By: "kari", Op: insertAt(t, 0, "Etter ")}); err != nil {
			t.Fatalf("op after return: %v", err)
		}

		// Lock again; both approvals complete it and freeze the draft.
		p, err = ps.Step(ctx, "styret", p.ID, step(collab.Step{Action: "lock", To: collab.PhaseReview}))
		if err != nil {
			t.Fatal(err)
		}
		lockedAt := p.Locked[doc]
		if _, err := ps.Step(ctx, "politikk", p.ID, step(collab.Step{Action: "approve", To: collab.PhaseReview, Approve: "political"})); err != nil {
			t.Fatal(err)
		}
		p, err = ps.Step(ctx, "styret", p.ID, step(collab.Step{Action: "approve", To: collab.PhaseApproved, Approve: "steering", Complete: true}))
		if err != nil {
			t.Fatal(err)
		}
		if p.Phase != collab.PhaseApproved || len(p.Versions) != 1 {
			t.Fatalf("after both approvals: phase %s, versions %v", p.Phase, p.Versions)
		}
		hv := p.Versions[0]
		if hv.Name != collab.HearingDraftName || hv.Sections[doc] != lockedAt || hv.Seq != p.Seq || len(hv.Sections) != p.SectionCount() {
			t.Fatalf("hearing draft %+v, want %s of every section at its lock (%s at %d)", hv, collab.HearingDraftName, doc, lockedAt)
		}
		if _, err := e.Submit(ctx, collab.Submission{Doc: doc, V: lockedAt + 1, Src: "tab", Seq: 3, By: "kari", Op: insertAt(t, 0, "y")}); collab.ErrorCode(err) != collab.CodeLocked {
			t.Fatalf("op in approved: %v, want locked", err)
		}

		// The log folds to the same state on another node.
		again, err := newPlans(t, store, newBus(t)).Get(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if again.Phase != p.Phase || again.Seq != p.Seq || fmt.Sprint(again.Versions) != fmt.Sprint(p.Versions) {
			t.Fatalf("fold differs: %s %d %v vs %s %d %v", again.Phase, again.Seq, again.Versions, p.Phase, p.Seq, p.Versions)
		}
	})
}

// A refused lock lifts the markers it placed: the step is decided again
// after losing its seq, and this time refused.
func TestPlans_RefusedLockLiftsItsMarkers(t *testing.T) {
	ctx := context.Background()
	store := backends()[0].open(t)
	ps, e := newPlansWithEngine(t, store, newBus(t))
	other := newPlans(t, store, newBus(t))
	p, err := ps.Create(ctx, "admin", collab.NewPlan{Title: "Plan", Municipality: "m"})
	if err != nil {
		t.Fatal(err)
	}
	doc := p.Sections[0].ID
	calls := 0
	_, err = ps.Step(ctx, "styret", p.ID, func(p *collab.Plan) (collab.Step, error) {
		calls++
		if calls == 1 {
			// Another node commits first, after the markers are decided on.
			if _, err := other.SetMember(ctx, collab.Actor{ID: "admin"}, p.ID, "ola", []string{"reader"}); err != nil {
				t.Error(err)
			}
			return collab.Step{Action: "lock", To: collab.PhaseReview}, nil
		}
		return collab.Step{}, collab.Errorf(collab.CodeForbidden, "no longer steering")
	})
	if collab.ErrorCode(err) != collab.CodeForbidden || calls != 2 {
		t.Fatalf("lock after losing its seq: %v after %d decisions, want forbidden after 2", err, calls)
	}
	p, err = ps.Get(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	v, _, err := e.Snapshot(ctx, doc)
	if err != nil {
		t.Fatal(err)
	}
	if p.Phase != collab.PhaseDraft {
		t.Fatalf("phase %s", p.Phase)
	}
	if _, err := e.Submit(ctx, collab.Submission{Doc: doc, V: v, Src: "tab", Seq: 1, By: "kari", Op: insertAt(t, 0, "ok")}); err != nil {
		t.Fatalf("section still locked after the refused lock: %v", err)
	}
}
