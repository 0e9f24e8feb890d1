package collab_test

import (
	"context"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/temaplan/temaplan/collab"
)

func TestRetentionEnds(t *testing.T) {
	closes := time.Date(2027, 3, 15, 23, 0, 0, 0, time.UTC) // the end of 15 March in Oslo
	p := &collab.Plan{}
	if _, ok := collab.RetentionEnds(p); ok {
		t.Fatal("a plan without a hearing has a retention")
	}
	p.Hearing = &collab.Hearing{Closes: closes}
	if end, ok := collab.RetentionEnds(p); !ok || !end.Equal(time.Date(2029, 3, 15, 23, 0, 0, 0, time.UTC)) {
		t.Fatalf("never adopted: %v %t, want two years after the deadline", end, ok)
	}
	p.Adoption = &collab.Adoption{AdoptedAt: time.Date(2027, 6, 20, 10, 0, 0, 0, time.UTC)}
	if end, _ := collab.RetentionEnds(p); !end.Equal(time.Date(2027, 9, 20, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("adopted: %v, want three months after the adoption", end)
	}
	p.Adoption.AdoptedAt = time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC)
	if end, _ := collab.RetentionEnds(p); !end.Equal(time.Date(2029, 3, 15, 23, 0, 0, 0, time.UTC)) {
		t.Fatalf("adopted late: %v, want two years after the deadline at the latest", end)
	}
}

// TestHearing_DeleteExpired runs the retention job on the hearings'
// clock, on both stores: nothing is deleted before the retention ends;
// then the personal fields of every response are, the receipts, subjects
// and moderation stay, the page publishes nothing of them, and a second
// run deletes nothing more. RunRetention does the same and stops when
// its context ends.
func TestHearing_DeleteExpired(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		f := newHearingFixture(t, b)
		p := f.start(t)
		var receipts []string
		for _, text := range []string{"Første innspill", "Andre innspill"} {
			r, err := f.hs.Respond(ctx, p, collab.ResponseInput{Name: "Kari", Organisation: "Eldrerådet", Email: "kari@example.no",
				Text: text, Section: f.intro, Quote: "sitat"})
			if err != nil {
				t.Fatal(err)
			}
			receipts = append(receipts, r.ID)
		}
		if _, err := f.hs.Moderate(ctx, collab.Actor{ID: leader}, p.ID, receipts[0], collab.ModerationPublished); err != nil {
			t.Fatal(err)
		}

		// The day before the retention ends (never adopted: two years
		// after the deadline day): nothing.
		f.set(time.Date(2029, 3, 15, 23, 59, 0, 0, oslo))
		if n, err := f.hs.DeleteExpired(ctx); err != nil || n != 0 {
			t.Fatalf("before the end: %d deleted, %v", n, err)
		}
		if pub, _ := f.hs.Published(ctx, p.ID); len(pub) != 1 || pub[0].Text != "Første innspill" {
			t.Fatalf("published before the end: %+v", pub)
		}

		// At the end: the job, started by its owner, deletes at once and
		// stops when its context ends.
		f.set(time.Date(2029, 3, 16, 0, 0, 0, 0, oslo))
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		var reported atomic.Int64
		go func() { f.hs.RunRetention(runCtx, time.Hour, func(n int) { reported.Add(int64(n)) }); close(done) }()
		for deadline := time.Now().Add(30 * time.Second); ; {
			rs, err := f.hs.Responses(ctx, p.ID)
			if err == nil && len(rs) == 2 && !rs[0].Deleted.IsZero() && !rs[1].Deleted.IsZero() {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the job deleted nothing: %+v %v", rs, err)
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("RunRetention did not stop")
		}
		if reported.Load() != 2 {
			t.Errorf("the job reported %d deletions, want 2", reported.Load())
		}
		rs, err := f.hs.Responses(ctx, p.ID)
		if err != nil || len(rs) != 2 {
			t.Fatalf("responses after the deletion: %+v %v", rs, err)
		}
		for i, r := range rs {
			if !slices.Contains(receipts, r.ID) || r.Name != "" || r.Organisation != "" || r.Email != "" || r.Text != "" || r.Quote != "" ||
				r.Subject == "" || r.Received.IsZero() || !r.Deleted.Equal(f.clock()) {
				t.Errorf("response %d after the deletion: %+v", i, r)
			}
		}
		if i := slices.IndexFunc(rs, func(r collab.ModeratedResponse) bool { return r.ID == receipts[0] }); i < 0 ||
			rs[i].Moderation != collab.ModerationPublished {
			t.Errorf("the moderation is gone: %+v", rs)
		}
		if pub, _ := f.hs.Published(ctx, p.ID); len(pub) != 0 {
			t.Errorf("a deleted response is published: %+v", pub)
		}
		if n, err := f.hs.DeleteExpired(ctx); err != nil || n != 0 {
			t.Fatalf("a second run: %d deleted, %v", n, err)
		}

	})
}
