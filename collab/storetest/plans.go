package storetest

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/temaplan/temaplan/collab"
)

func entry(plan string, seq int64, kind string) collab.PlanEntry {
	return collab.PlanEntry{
		Plan: plan,
		Seq:  seq,
		Kind: kind,
		By:   fmt.Sprintf("user-%d", seq),
		At:   base.Add(time.Duration(seq)*time.Hour + time.Duration(seq)*time.Microsecond),
		Data: json.RawMessage(fmt.Sprintf(`{"seq": %d, "kind": %q, "nested": {"list": [1, "two", null, true]}}`, seq, kind)),
	}
}

func entryDiff(got, want collab.PlanEntry) string {
	if got.Plan != want.Plan || got.Seq != want.Seq || got.Kind != want.Kind || got.By != want.By ||
		!timeEqual(got.At, want.At) || !jsonEqual(got.Data, want.Data) {
		return fmt.Sprintf("got {%q %d %q %q %v %s}, want {%q %d %q %q %v %s}",
			got.Plan, got.Seq, got.Kind, got.By, got.At, got.Data,
			want.Plan, want.Seq, want.Kind, want.By, ms(want.At), want.Data)
	}
	return ""
}

func checkEntries(t *testing.T, what string, got, want []collab.PlanEntry) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d entries, want %d", what, len(got), len(want))
		return
	}
	for i := range got {
		if d := entryDiff(got[i], want[i]); d != "" {
			t.Errorf("%s: entry %d: %s", what, i, d)
		}
	}
}

func mustEntries(t *testing.T, s collab.Store, plan string, from int64) []collab.PlanEntry {
	t.Helper()
	es, err := s.PlanEntries(t.Context(), plan, from)
	if err != nil {
		t.Fatalf("PlanEntries(%q, %d): %v", plan, from, err)
	}
	return es
}

func testPlanEntries(t *testing.T, s collab.Store) {
	const plan = "plan-1"
	kinds := []string{"created", "section.add", "member.add", "phase", "cost"}
	all := make([]collab.PlanEntry, len(kinds))
	for i, kind := range kinds {
		all[i] = entry(plan, int64(i+1), kind)
		if err := s.AppendPlanEntry(t.Context(), all[i]); err != nil {
			t.Fatalf("AppendPlanEntry(seq %d): %v", i+1, err)
		}
	}
	other := entry("plan-10", 1, "created") // the same seq in another plan
	if err := s.AppendPlanEntry(t.Context(), other); err != nil {
		t.Fatalf("AppendPlanEntry(plan-10, 1): %v", err)
	}

	t.Run("RoundTrip", func(t *testing.T) {
		checkEntries(t, "PlanEntries(0)", mustEntries(t, s, plan, 0), all)
		checkEntries(t, "PlanEntries(plan-10, 0)", mustEntries(t, s, "plan-10", 0), []collab.PlanEntry{other})
	})

	t.Run("Duplicate", func(t *testing.T) {
		dup := entry(plan, 3, "phase")
		dup.By, dup.Data = "intruder", json.RawMessage(`{"overwritten":true}`)
		if err := s.AppendPlanEntry(t.Context(), dup); !isDuplicate(err) {
			t.Errorf("AppendPlanEntry of a stored (plan, seq) = %v, want ErrDuplicate", err)
		}
		checkEntries(t, "entries after the refused append", mustEntries(t, s, plan, 0), all)
	})

	t.Run("From", func(t *testing.T) {
		for _, tc := range []struct {
			plan string
			from int64
			want []collab.PlanEntry
		}{
			{plan, -1, all},
			{plan, 0, all},
			{plan, 1, all},
			{plan, 3, all[2:]},
			{plan, 5, all[4:]},
			{plan, 6, nil},
			{"plan-", 0, nil},
			{"plan-2", 0, nil},
		} {
			got, err := s.PlanEntries(t.Context(), tc.plan, tc.from)
			if err != nil {
				t.Errorf("PlanEntries(%q, %d): %v", tc.plan, tc.from, err)
				continue
			}
			checkEntries(t, fmt.Sprintf("PlanEntries(%q, %d)", tc.plan, tc.from), got, tc.want)
		}
	})
}

// testPlanEntryRace lets 8 writers append the same (plan, seq), as nodes
// that accepted concurrent structured edits made on the same seq would.
func testPlanEntryRace(t *testing.T, s collab.Store) {
	const (
		plan    = "plan-race"
		writers = 8
	)
	if err := s.AppendPlanEntry(t.Context(), entry(plan, 1, "created")); err != nil {
		t.Fatalf("AppendPlanEntry(1): %v", err)
	}
	es := make([]collab.PlanEntry, writers)
	errs := make([]error, writers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for w := range es {
		es[w] = entry(plan, 2, fmt.Sprintf("edit-%d", w))
		es[w].By = fmt.Sprintf("node-%d", w)
		wg.Go(func() {
			<-start
			errs[w] = s.AppendPlanEntry(t.Context(), es[w])
		})
	}
	close(start)
	wg.Wait()
	winner := -1
	for w, err := range errs {
		switch {
		case err == nil:
			if winner >= 0 {
				t.Errorf("writers %d and %d both appended seq 2", winner, w)
			}
			winner = w
		case !isDuplicate(err):
			t.Errorf("writer %d: %v, want nil or ErrDuplicate", w, err)
		}
	}
	if winner < 0 {
		t.Fatal("no writer appended seq 2")
	}
	checkEntries(t, "PlanEntries(2): the winner's entry", mustEntries(t, s, plan, 2), es[winner:winner+1])
}

// state returns the cached state of plan at seq; Data names the seq, so a
// record whose fields come from different writes is noticed.
func state(plan, municipality string, seq int64) collab.PlanStateRecord {
	return collab.PlanStateRecord{
		Plan:         plan,
		Municipality: municipality,
		Seq:          seq,
		Data:         json.RawMessage(fmt.Sprintf(`{"seq":%d,"municipality":%q,"title":"Plan %s"}`, seq, municipality, plan)),
		Updated:      base.Add(time.Duration(seq) * time.Second),
	}
}

func stateDiff(got, want collab.PlanStateRecord) string {
	if got.Plan != want.Plan || got.Municipality != want.Municipality || got.Seq != want.Seq ||
		!jsonEqual(got.Data, want.Data) || !timeEqual(got.Updated, want.Updated) {
		return fmt.Sprintf("got {%q %q %d %s %v}, want {%q %q %d %s %v}",
			got.Plan, got.Municipality, got.Seq, got.Data, got.Updated,
			want.Plan, want.Municipality, want.Seq, want.Data, ms(want.Updated))
	}
	return ""
}

func mustSaveState(t *testing.T, s collab.Store, st collab.PlanStateRecord) {
	t.Helper()
	if err := s.SavePlanState(t.Context(), st); err != nil {
		t.Fatalf("SavePlanState(%q seq %d): %v", st.Plan, st.Seq, err)
	}
}

func checkState(t *testing.T, s collab.Store, want collab.PlanStateRecord) {
	t.Helper()
	got, ok, err := s.PlanState(t.Context(), want.Plan)
	if err != nil || !ok {
		t.Errorf("PlanState(%q) = _, %v, %v; want found", want.Plan, ok, err)
		return
	}
	if d := stateDiff(got, want); d != "" {
		t.Errorf("PlanState(%q): %s", want.Plan, d)
	}
}

func testPlanState(t *testing.T, s collab.Store) {
	const plan = "plan-state"
	t.Run("Missing", func(t *testing.T) {
		got, ok, err := s.PlanState(t.Context(), plan)
		if err != nil || ok {
			t.Errorf("PlanState of a plan never saved = seq %d, %v, %v; want not found, nil", got.Seq, ok, err)
		}
	})

	t.Run("NewerReplacesOlderIgnored", func(t *testing.T) {
		for _, step := range []struct {
			save, want int64
		}{
			{5, 5},
			{3, 5}, // older than the stored one: ignored
			{9, 9},
			{8, 9},
			{1, 9},
			{12, 12},
		} {
			mustSaveState(t, s, state(plan, "Aarhus", step.save))
			checkState(t, s, state(plan, "Aarhus", step.want))
		}
	})

	// Racing saves: MongoDB-compatible servers without atomic conditional
	// updates may lose one of them, but the record must be one that was
	// written, whole, and a later sequential save still wins.
	t.Run("Concurrent", func(t *testing.T) {
		const p = "plan-state-race"
		mustSaveState(t, s, state(p, "Odense", 1))
		errs := make([]error, 8)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for w := range errs {
			wg.Go(func() {
				<-start
				errs[w] = s.SavePlanState(t.Context(), state(p, "Odense", int64(10+w)))
			})
		}
		close(start)
		wg.Wait()
		for w, err := range errs {
			if err != nil {
				t.Errorf("SavePlanState(seq %d): %v", 10+w, err)
			}
		}
		got, ok, err := s.PlanState(t.Context(), p)
		if err != nil || !ok {
			t.Fatalf("PlanState = _, %v, %v; want found", ok, err)
		}
		if got.Seq < 10 || got.Seq > 17 {
			t.Errorf("PlanState after racing saves of seq 10..17 = seq %d", got.Seq)
		} else if d := stateDiff(got, state(p, "Odense", got.Seq)); d != "" {
			t.Errorf("PlanState after racing saves is not one record that was saved: %s", d)
		}
		mustSaveState(t, s, state(p, "Odense", 20))
		mustSaveState(t, s, state(p, "Odense", 15))
		checkState(t, s, state(p, "Odense", 20))
	})
}

func testListPlanStates(t *testing.T, s collab.Store) {
	for _, st := range []collab.PlanStateRecord{
		state("p-b", "m1", 1),
		state("p-d", "m1", 1),
		state("p-a", "m1", 2),
		state("p-c", "m2", 1),
		state("p-d", "m2", 4), // the plan moved to another municipality
		state("p-a", "m2", 1), // older: must not move p-a
		state("p-e", "M1", 1), // case matters
		state("p-f", "", 3),   // no municipality yet
	} {
		mustSaveState(t, s, st)
	}
	for _, tc := range []struct {
		municipality string
		want         []collab.PlanStateRecord
	}{
		{"m1", []collab.PlanStateRecord{state("p-a", "m1", 2), state("p-b", "m1", 1)}},
		{"m2", []collab.PlanStateRecord{state("p-c", "m2", 1), state("p-d", "m2", 4)}},
		{"M1", []collab.PlanStateRecord{state("p-e", "M1", 1)}},
		{"", []collab.PlanStateRecord{state("p-a", "m1", 2), state("p-b", "m1", 1), state("p-c", "m2", 1),
			state("p-d", "m2", 4), state("p-e", "M1", 1), state("p-f", "", 3)}},
		{"m", nil},
		{"m3", nil},
	} {
		what := fmt.Sprintf("ListPlanStates(%q)", tc.municipality)
		got, err := s.ListPlanStates(t.Context(), tc.municipality)
		if err != nil {
			t.Errorf("%s: %v", what, err)
			continue
		}
		if len(got) != len(tc.want) {
			ids := make([]string, len(got))
			for i, st := range got {
				ids[i] = st.Plan
			}
			t.Errorf("%s = %q, want %d states", what, ids, len(tc.want))
			continue
		}
		for i := range got {
			if d := stateDiff(got[i], tc.want[i]); d != "" {
				t.Errorf("%s[%d]: %s", what, i, d)
			}
		}
	}
}
