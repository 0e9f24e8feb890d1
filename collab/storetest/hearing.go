package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/temaplan/temaplan/collab"
)

// RunHearing runs the contract suite of collab.HearingStore: tokens,
// responses and moderation decisions are unique inserts (a second insert
// of a key is refused with ErrDuplicate and changes nothing), responses
// read back exactly, per plan and oldest first. open must return a fresh,
// empty store for each call.
func RunHearing(t *testing.T, open func(t *testing.T) collab.HearingStore) {
	t.Run("Tokens", func(t *testing.T) { testHearingTokens(t, open(t)) })
	t.Run("Responses", func(t *testing.T) { testHearingResponses(t, open(t)) })
	t.Run("ModerationOnce", func(t *testing.T) { testModerationOnce(t, open(t)) })
	t.Run("HostileStrings", func(t *testing.T) { testHearingHostile(t, open(t)) })
	t.Run("DeleteAtRetention", func(t *testing.T) { testHearingDelete(t, open(t)) })
}

func testHearingTokens(t *testing.T, s collab.HearingStore) {
	ctx := t.Context()
	if err := s.InsertHearingToken(ctx, "tok-a", "p1", base); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertHearingToken(ctx, "tok-a", "p2", base); !isDuplicate(err) {
		t.Fatalf("a second insert of a token = %v, want ErrDuplicate", err)
	}
	if err := s.InsertHearingToken(ctx, "TOK-A", "p2", base); err != nil {
		t.Fatalf("a token differing in case: %v", err)
	}
	for tok, want := range map[string]string{"tok-a": "p1", "TOK-A": "p2"} {
		if got, ok, err := s.HearingTokenPlan(ctx, tok); err != nil || !ok || got != want {
			t.Errorf("HearingTokenPlan(%q) = %q, %t, %v; want %q", tok, got, ok, err, want)
		}
	}
	if _, ok, err := s.HearingTokenPlan(ctx, "tok-b"); err != nil || ok {
		t.Errorf("an unknown token: %t, %v", ok, err)
	}
}

func response(id, plan string, at time.Duration) collab.HearingResponse {
	return collab.HearingResponse{ID: id, Plan: plan, Name: "Navn " + id, Organisation: "Org «" + id + "»", Email: id + "@æøå.no",
		Text: "Tekst\nlinje 2 " + id, Section: "sec-" + id, Quote: "sitat " + id, Subject: "Emne " + id, Received: base.Add(at)}
}

func responseDiff(got, want collab.HearingResponse) string {
	g, w := got, want
	g.Received, w.Received, g.Deleted, w.Deleted = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if g != w || !timeEqual(got.Received, want.Received) || got.Deleted.IsZero() != want.Deleted.IsZero() ||
		!got.Deleted.IsZero() && !timeEqual(got.Deleted, want.Deleted) {
		return fmt.Sprintf("got %+v, want %+v", got, want)
	}
	return ""
}

func testHearingResponses(t *testing.T, s collab.HearingStore) {
	ctx := t.Context()
	want := []collab.HearingResponse{response("B", "p1", 0), response("A", "p1", 0), response("C", "p1", time.Second)}
	for _, r := range []collab.HearingResponse{want[2], want[0], response("X", "p2", -time.Hour), want[1]} {
		if err := s.InsertHearingResponse(ctx, r); err != nil {
			t.Fatalf("insert %s: %v", r.ID, err)
		}
	}
	dup := response("A", "p1", time.Hour)
	dup.Text = "changed"
	if err := s.InsertHearingResponse(ctx, dup); !isDuplicate(err) {
		t.Fatalf("a second response under one receipt = %v, want ErrDuplicate", err)
	}
	got, err := s.HearingResponses(ctx, "p1")
	if err != nil {
		t.Fatal(err)
	}
	// Oldest first, ties by id.
	order := []collab.HearingResponse{want[1], want[0], want[2]}
	if len(got) != len(order) {
		t.Fatalf("got %d responses, want %d", len(got), len(order))
	}
	for i := range order {
		if d := responseDiff(got[i], order[i]); d != "" {
			t.Errorf("response %d: %s", i, d)
		}
	}
	if none, err := s.HearingResponses(ctx, "p3"); err != nil || len(none) != 0 {
		t.Errorf("a plan without responses: %v, %v", none, err)
	}
}

func testModerationOnce(t *testing.T, s collab.HearingStore) {
	ctx := t.Context()
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		decision := collab.ModerationPublished
		if i%2 == 1 {
			decision = collab.ModerationRejected
		}
		wg.Go(func() {
			errs[i] = s.InsertModeration(ctx, collab.Moderation{Response: "R1", Plan: "p1", Decision: decision,
				By: fmt.Sprint("user", i), At: base.Add(time.Duration(i) * time.Second)})
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !isDuplicate(err):
			t.Errorf("a losing decision: %v, want ErrDuplicate", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d decisions on one response stored, want 1", won)
	}
	if err := s.InsertModeration(ctx, collab.Moderation{Response: "R2", Plan: "p1", Decision: collab.ModerationRejected, By: "u", At: base}); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertModeration(ctx, collab.Moderation{Response: "R9", Plan: "p2", Decision: collab.ModerationPublished, By: "u", At: base}); err != nil {
		t.Fatal(err)
	}
	ms, err := s.Moderations(ctx, "p1")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].Response != "R1" || ms[1].Response != "R2" || ms[1].Decision != collab.ModerationRejected ||
		ms[1].By != "u" || !timeEqual(ms[1].At, base) {
		t.Fatalf("moderations of p1 = %+v", ms)
	}
}

func testHearingHostile(t *testing.T, s collab.HearingStore) {
	ctx := t.Context()
	for i, h := range hostileIDs() {
		if err := s.InsertHearingToken(ctx, h, "p1", base); err != nil {
			t.Fatalf("token %q: %v", h, err)
		}
		r := response(h, "plan-"+h, time.Duration(i))
		if err := s.InsertHearingResponse(ctx, r); err != nil {
			t.Fatalf("response %q: %v", h, err)
		}
		got, err := s.HearingResponses(ctx, "plan-"+h)
		if err != nil || len(got) != 1 || responseDiff(got[0], r) != "" {
			t.Fatalf("responses of %q: %+v, %v", h, got, err)
		}
	}
	if _, ok, err := s.HearingTokenPlan(ctx, `{"$gt":""}x`); err != nil || ok {
		t.Fatalf("a hostile unknown token: %t %v", ok, err)
	}
}

// testHearingDelete checks the deletion at the end of the retention: the
// personal fields are emptied and the time is kept, the receipt, plan,
// section, subject and received time stay; a second deletion keeps the
// first's time; the plans with responses to delete are listed once each.
func testHearingDelete(t *testing.T, s collab.HearingStore) {
	ctx := t.Context()
	for _, r := range []collab.HearingResponse{response("A", "p1", 0), response("B", "p1", time.Second), response("C", "p2", 0)} {
		if err := s.InsertHearingResponse(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if plans, err := s.HearingResponsePlans(ctx); err != nil || fmt.Sprint(plans) != "[p1 p2]" {
		t.Fatalf("plans with responses: %v, %v", plans, err)
	}
	at := base.Add(48 * time.Hour)
	if err := s.DeleteHearingResponse(ctx, "A", at); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteHearingResponse(ctx, "A", at.Add(time.Hour)); err != nil {
		t.Fatalf("a second deletion: %v", err)
	}
	if err := s.DeleteHearingResponse(ctx, "nosuch", at); err != nil {
		t.Fatalf("deleting an unknown response: %v", err)
	}
	got, err := s.HearingResponses(ctx, "p1")
	if err != nil || len(got) != 2 {
		t.Fatalf("responses after a deletion: %+v, %v", got, err)
	}
	want := response("A", "p1", 0)
	want.Name, want.Organisation, want.Email, want.Text, want.Quote, want.Deleted = "", "", "", "", "", at
	if d := responseDiff(got[0], want); d != "" {
		t.Errorf("the deleted response: %s", d)
	}
	if d := responseDiff(got[1], response("B", "p1", time.Second)); d != "" {
		t.Errorf("the kept response: %s", d)
	}
	if err := s.DeleteHearingResponse(ctx, "B", at); err != nil {
		t.Fatal(err)
	}
	if plans, err := s.HearingResponsePlans(ctx); err != nil || fmt.Sprint(plans) != "[p2]" {
		t.Fatalf("plans with responses to delete: %v, %v", plans, err)
	}
}
