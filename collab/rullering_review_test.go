package collab_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/temaplan/temaplan/collab"
)

// TestRullering_ConcurrentStartsOneWins starts the rullering of one
// adopted plan from several callers at once: exactly one gets the new
// plan, every other gets conflict, and the old plan links to it.
func TestRullering_ConcurrentStartsOneWins(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		store := b.open(t)
		f := newVersionFixture(t, store)
		adopt(t, f.ps, store, f.p.ID)
		const n = 8
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			made     []*collab.Plan
			conflict int
			others   []error
		)
		start := make(chan struct{})
		for range n {
			wg.Go(func() {
				<-start
				np, err := f.ps.StartRullering(ctx, collab.Actor{ID: leader}, f.p.ID, "")
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					made = append(made, np)
				case collab.ErrorCode(err) == collab.CodeConflict:
					conflict++
				default:
					others = append(others, err)
				}
			})
		}
		close(start)
		wg.Wait()
		if len(made) != 1 || conflict != n-1 || len(others) != 0 {
			t.Fatalf("%d made, %d conflicts, other errors %v; want 1 made and %d conflicts", len(made), conflict, others, n-1)
		}
		old, err := f.ps.Get(ctx, f.p.ID)
		if err != nil || old.Next == nil || old.Next.PlanID != made[0].ID {
			t.Fatalf("old plan's next %+v (%v), want %s", old.Next, err, made[0].ID)
		}
	})
}

// pausingPlanStore holds the first save of plan id's state until release
// is closed, telling paused when it got there.
type pausingPlanStore struct {
	collab.PlanStore
	id              string
	once            sync.Once
	paused, release chan struct{}
}

func (s *pausingPlanStore) SavePlanState(ctx context.Context, rec collab.PlanStateRecord) error {
	if rec.Plan == s.id {
		s.once.Do(func() {
			close(s.paused)
			<-s.release
		})
	}
	return s.PlanStore.SavePlanState(ctx, rec)
}

// TestRullering_LoserLinksBeforeWinner: a second node's rullering loses
// the plan's insert while the winner has made the plan but not yet
// linked the old plan to it; the loser links it (and answers conflict),
// and the winner still answers with the plan it made.
func TestRullering_LoserLinksBeforeWinner(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		store := b.open(t)
		f := newVersionFixture(t, store)
		adopt(t, f.ps, store, f.p.ID)
		slow := &pausingPlanStore{PlanStore: store, id: collab.RulleringID(f.p.ID),
			paused: make(chan struct{}), release: make(chan struct{})}
		var n atomic.Int64
		winner := collab.NewPlans(collab.PlansConfig{Store: slow, Engine: f.e,
			NewID: func() string { return fmt.Sprintf("w-%04d", n.Add(1)) }})
		type result struct {
			p   *collab.Plan
			err error
		}
		done := make(chan result, 1)
		go func() {
			p, err := winner.StartRullering(ctx, collab.Actor{ID: leader}, f.p.ID, "")
			done <- result{p, err}
		}()
		<-slow.paused
		if _, err := f.ps.StartRullering(ctx, collab.Actor{ID: leader}, f.p.ID, ""); collab.ErrorCode(err) != collab.CodeConflict {
			t.Errorf("the loser: %v, want conflict", err)
		}
		close(slow.release)
		r := <-done
		if r.err != nil || r.p == nil || r.p.ID != collab.RulleringID(f.p.ID) {
			t.Fatalf("the winner: %v, want the new plan", r.err)
		}
		old, err := f.ps.Get(ctx, f.p.ID)
		if err != nil || old.Next == nil || old.Next.PlanID != r.p.ID {
			t.Fatalf("old plan's next %+v (%v)", old.Next, err)
		}
	})
}

// TestDecision_ConcurrentFromTwoNodes records two decisions on one plan at
// the same moment from two nodes (each its own Plans on the one store):
// exactly one is recorded, the other is refused, and the plan log holds
// one decision.
func TestDecision_ConcurrentFromTwoNodes(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		store := b.open(t)
		f := newVersionFixture(t, store)
		walk(t, f.ps, f.p.ID, append(toFinalReview(), collab.Step{Action: "approve", To: collab.PhaseFinalReview, Approve: "steering"})...)
		var n atomic.Int64
		other := collab.NewPlans(collab.PlansConfig{Store: store, Engine: f.e,
			NewID: func() string { return fmt.Sprintf("n2-%04d", n.Add(1)) }})
		hs := store.(collab.HearingStore)
		nodes := []*collab.Hearings{
			collab.NewHearings(collab.HearingsConfig{Plans: f.ps, Store: hs}),
			collab.NewHearings(collab.HearingsConfig{Plans: other, Store: hs}),
		}
		approved := collab.Actor{ID: leader, Check: func(p *collab.Plan) error {
			if len(p.Approvals) == 0 {
				return collab.Errorf(collab.CodeApprovalMissing, "no approval")
			}
			return nil
		}}
		errs := make([]error, 2)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, amendments := range []string{"", "Endring i kapittel 2."} {
			wg.Go(func() {
				<-start
				_, errs[i] = nodes[i].RecordDecision(ctx, approved, f.p.ID, collab.DecisionInput{
					Date: "2020-01-01", Body: "Kommunestyret", CaseNumber: fmt.Sprint("2020/", i), Amendments: amendments})
			})
		}
		close(start)
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("errors %v; want exactly one decision recorded", errs)
		}
		log, err := f.ps.Log(ctx, f.p.ID)
		if err != nil {
			t.Fatal(err)
		}
		decisions := 0
		for _, e := range log {
			if strings.Contains(string(e.Data), `"decision"`) {
				decisions++
			}
		}
		p, _ := f.ps.Get(ctx, f.p.ID)
		if decisions != 1 || p.Decision == nil || (p.Phase == collab.PhaseAdopted) != (errs[0] == nil) {
			t.Fatalf("%d decisions in the log, phase %s, errors %v", decisions, p.Phase, errs)
		}
	})
}

// countingHearingStore counts the public page tokens inserted.
type countingHearingStore struct {
	collab.HearingStore
	tokens atomic.Int64
}

func (s *countingHearingStore) InsertHearingToken(ctx context.Context, token, plan string, at time.Time) error {
	s.tokens.Add(1)
	return s.HearingStore.InsertHearingToken(ctx, token, plan, at)
}

// TestDecision_RefusedStoresNoToken: a decision refused — the steering
// group has not approved, the plan is not in final_review, the caller may
// not — changes nothing, not even the store of public page tokens.
func TestDecision_RefusedStoresNoToken(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		store := b.open(t)
		f := newVersionFixture(t, store)
		counting := &countingHearingStore{HearingStore: store.(collab.HearingStore)}
		hs := collab.NewHearings(collab.HearingsConfig{Plans: f.ps, Store: counting})
		in := collab.DecisionInput{Date: "2020-01-01", Body: "Kommunestyret", CaseNumber: "2020/1"}
		if _, err := hs.RecordDecision(ctx, collab.Actor{ID: leader}, f.p.ID, in); collab.ErrorCode(err) != collab.CodeWrongPhase {
			t.Fatalf("a draft: %v, want wrong_phase", err)
		}
		walk(t, f.ps, f.p.ID, toFinalReview()...)
		missing := collab.Actor{ID: leader, Check: func(p *collab.Plan) error {
			return collab.Errorf(collab.CodeApprovalMissing, "no approval")
		}}
		for range 3 {
			if _, err := hs.RecordDecision(ctx, missing, f.p.ID, in); collab.ErrorCode(err) != collab.CodeApprovalMissing {
				t.Fatalf("before the approval: %v, want approval_missing", err)
			}
		}
		if n := counting.tokens.Load(); n != 0 {
			t.Fatalf("%d public page tokens stored by refused decisions, want 0", n)
		}
		if _, err := hs.RecordDecision(ctx, collab.Actor{ID: leader}, f.p.ID, in); err != nil {
			t.Fatal(err)
		}
		if n := counting.tokens.Load(); n != 1 {
			t.Fatalf("%d tokens stored by the adoption, want 1", n)
		}
	})
}

// TestAssessmentTable_DeletedSender: once a response's personal data is
// deleted at the end of its retention, the merknadsbehandling names its
// sender "Slettet" like the responses' list — not "Anonym", which would
// say that nobody was named.
func TestAssessmentTable_DeletedSender(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		f := newHearingFixture(t, b)
		p := f.start(t)
		r, err := f.hs.Respond(ctx, p, collab.ResponseInput{Name: "Ola Nordmann", Text: "Flere boliger"})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.store.(collab.HearingStore).DeleteHearingResponse(ctx, r.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		rows, missing, err := f.hs.AssessmentTable(ctx, p)
		if err != nil || len(rows) != 1 || missing != 1 {
			t.Fatalf("rows %+v missing %d (%v)", rows, missing, err)
		}
		if rows[0].Sender != "Slettet" || rows[0].Organisation != "" {
			t.Fatalf("sender %q organisation %q, want Slettet", rows[0].Sender, rows[0].Organisation)
		}
	})
}
