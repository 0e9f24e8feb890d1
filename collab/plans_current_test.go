package collab_test

import (
	"context"
	"fmt"
	"sync"
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

// heldReads is a real plan store whose PlanEntries reads are counted and,
// while held, kept from answering after they have read the store.
type heldReads struct {
	collab.PlanStore
	// began and ended count the reads; read, those that have read the
	// store (and may be held).
	began, read, ended atomic.Int64

	mu   sync.Mutex
	gate chan struct{}
}

func (h *heldReads) PlanEntries(ctx context.Context, plan string, from int64) ([]collab.PlanEntry, error) {
	h.began.Add(1)
	defer h.ended.Add(1)
	entries, err := h.PlanStore.PlanEntries(ctx, plan, from)
	h.read.Add(1)
	h.mu.Lock()
	gate := h.gate
	h.mu.Unlock()
	if gate != nil {
		<-gate
	}
	return entries, err
}

// hold keeps the reads from answering until release is called.
func (h *heldReads) hold() (release func()) {
	gate := make(chan struct{})
	h.mu.Lock()
	h.gate = gate
	h.mu.Unlock()
	return func() {
		h.mu.Lock()
		h.gate = nil
		h.mu.Unlock()
		close(gate)
	}
}

// currentLater calls Current on a goroutine of its own and sends the seq it
// answers (-1 on an error, which fails t).
func currentLater(t *testing.T, ps *collab.Plans, id string) <-chan int64 {
	answered := make(chan int64, 1)
	go func() {
		cur, err := ps.Current(context.Background(), id)
		if err != nil {
			t.Error(err)
			answered <- -1
			return
		}
		answered <- cur.Seq
	}()
	return answered
}

// currentSetup makes a plan through one Plans and reads it through another
// with fresh over held reads; it returns the reader's store, the reader,
// the writer, the plan and when the reader first read it.
func currentSetup(t *testing.T, fresh time.Duration) (*heldReads, *collab.Plans, *collab.Plans, *collab.Plan, time.Time) {
	t.Helper()
	store := backends()[0].open(t)
	bus := newBus(t)
	held := &heldReads{PlanStore: store}
	var n atomic.Int64
	reader := collab.NewPlans(collab.PlansConfig{Store: held, Bus: bus, Fresh: fresh,
		NewID: func() string { return fmt.Sprintf("r-%04d", n.Add(1)) }})
	writer := newPlans(t, store, bus)
	p, err := writer.Create(context.Background(), "u1", collab.NewPlan{Title: "Plan", Municipality: "Bodø"})
	if err != nil {
		t.Fatal(err)
	}
	read := time.Now()
	if cur, err := reader.Current(context.Background(), p.ID); err != nil || cur.Seq != p.Seq {
		t.Fatalf("first read: %v, %v; want seq %d", cur, err, p.Seq)
	}
	return held, reader, writer, p, read
}

// Callers who need the store read at once share one read: on a busy node
// every connection of a plan checks its permissions when the copy goes
// stale, and each reading the store queued them all for its few read
// connections.
func TestPlans_CurrentReadsOncePerPlanAtATime(t *testing.T) {
	const fresh = time.Second
	held, reader, _, p, _ := currentSetup(t, fresh)
	time.Sleep(fresh + 20*time.Millisecond)
	before := held.began.Load()
	release := held.hold()
	const callers = 8
	errs := make(chan error, callers)
	for range callers {
		go func() {
			cur, err := reader.Current(context.Background(), p.ID)
			if err == nil && cur.Seq != p.Seq {
				err = fmt.Errorf("seq %d, want %d", cur.Seq, p.Seq)
			}
			errs <- err
		}()
	}
	time.Sleep(100 * time.Millisecond)
	inFlight := held.began.Load() - before
	release()
	for range callers {
		if err := <-errs; err != nil {
			t.Errorf("Current: %v", err)
		}
	}
	if inFlight != 1 || held.began.Load()-before != 1 {
		t.Errorf("%d callers of a stale plan read the store %d times (%d at once), want once", callers, held.began.Load()-before, inFlight)
	}
}

// Past half its freshness, a copy in use is checked in the background:
// the caller is answered from the copy without waiting for the store, and
// the check brings in an unheard change before the copy goes stale.
func TestPlans_CurrentChecksACopyInUseInTheBackground(t *testing.T) {
	const fresh = 2 * time.Second
	held, reader, writer, p, read := currentSetup(t, fresh)
	ctx := context.Background()
	if _, _, err := writer.AddSection(ctx, collab.Actor{ID: "u1"}, p.ID, 0, collab.NewSection{Title: "Uhørt"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(read.Add(fresh/2 + 100*time.Millisecond)))
	before := held.began.Load()
	release := held.hold()
	answered := currentLater(t, reader, p.ID)
	select {
	case seq := <-answered:
		if seq != p.Seq {
			t.Errorf("answered at seq %d, want the copy's %d", seq, p.Seq)
		}
	case <-time.After(time.Second):
		t.Fatal("Current past half its freshness waited for the store")
	}
	for deadline := time.Now().Add(time.Second); held.began.Load() == before; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			release()
			t.Fatal("no check of the copy began")
		}
	}
	release()
	for deadline := time.Now().Add(time.Second); held.ended.Load() < held.began.Load(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the check did not end")
		}
	}
	time.Sleep(10 * time.Millisecond) // the check keeps its answer after the read
	reads := held.began.Load()
	cur, err := reader.Current(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if cur.Seq != p.Seq+1 || held.began.Load() != reads {
		t.Errorf("after the check: seq %d with %d more reads; want %d from the check, no read", cur.Seq, held.began.Load()-reads, p.Seq+1)
	}
	if since := time.Since(read); since >= fresh {
		t.Fatalf("the test ran past Fresh (%v): it shows nothing", since)
	}
}

// An event heard while a check is in flight that began before it: the
// caller waits for the check and then reads again, and never gets a plan
// behind what was heard.
func TestPlans_CurrentIsNeverBehindWhatWasHeard(t *testing.T) {
	const fresh = 400 * time.Millisecond
	held, reader, writer, p, read := currentSetup(t, fresh)
	ctx := context.Background()
	time.Sleep(time.Until(read.Add(fresh/2 + 20*time.Millisecond)))
	before := held.read.Load()
	release := held.hold()
	if cur, err := reader.Current(ctx, p.ID); err != nil || cur.Seq != p.Seq {
		t.Fatalf("Current past half its freshness: %v, %v", cur, err)
	}
	for deadline := time.Now().Add(time.Second); held.read.Load() == before; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			release()
			t.Fatal("no check of the copy read the store")
		}
	}
	changed, _, err := writer.AddSection(ctx, collab.Actor{ID: "u1"}, p.ID, 0, collab.NewSection{Title: "Hørt"})
	if err != nil {
		t.Fatal(err)
	}
	reader.Heard(p.ID, changed.Seq)
	answered := currentLater(t, reader, p.ID)
	select {
	case seq := <-answered:
		t.Fatalf("answered at seq %d while the check in flight was held", seq)
	case <-time.After(100 * time.Millisecond):
	}
	release()
	if seq := <-answered; seq != changed.Seq {
		t.Errorf("after Heard(%d): Current at seq %d", changed.Seq, seq)
	}
}

// Plans that do not exist are not kept: asking for more of them than the
// cache holds does not push out a plan in use.
func TestPlans_CurrentKeepsNoUnknownPlans(t *testing.T) {
	held, reader, _, p, _ := currentSetup(t, time.Minute)
	ctx := context.Background()
	const unknown = 10_001 // past maxCurrentPlans, where the cache starts over
	for i := range unknown {
		if _, err := reader.Current(ctx, fmt.Sprintf("ingen-%d", i)); collab.ErrorCode(err) != collab.CodeNotFound {
			t.Fatalf("Current of an unknown plan = %v, want not_found", err)
		}
	}
	before := held.began.Load()
	cur, err := reader.Current(ctx, p.ID)
	if err != nil || cur.Seq != p.Seq {
		t.Fatalf("Current = %v, %v; want seq %d", cur, err, p.Seq)
	}
	if reads := held.began.Load() - before; reads != 0 {
		t.Errorf("after %d unknown plans, the plan in use was read from the store again (%d reads)", unknown, reads)
	}
}
