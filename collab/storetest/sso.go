package storetest

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/temaplan/temaplan/auth"
)

// RunSSO runs the contract suite of auth.SSOStore: a single sign-on state
// is used once — the second use, however close to the first, is refused
// with ErrDuplicate — and the records of expired states are deleted
// without touching the others. open must return a fresh, empty store for
// each call; the adapter's open registers the store's cleanup with t.
func RunSSO(t *testing.T, open func(t *testing.T) auth.SSOStore) {
	t.Run("UseOnce", func(t *testing.T) { testSSOUseOnce(t, open(t)) })
	t.Run("UseRace", func(t *testing.T) { testSSOUseRace(t, open(t)) })
	t.Run("Forget", func(t *testing.T) { testSSOForget(t, open(t)) })
	t.Run("HostileKeys", func(t *testing.T) { testSSOHostile(t, open(t)) })
}

func testSSOUseOnce(t *testing.T, s auth.SSOStore) {
	ctx := t.Context()
	exp := base.Add(20 * time.Minute)
	for _, key := range []string{"state-a", "state-b", "STATE-A", "state-a "} {
		if err := s.UseSSOState(ctx, key, base, exp); err != nil {
			t.Fatalf("UseSSOState(%q) = %v, want nil", key, err)
		}
	}
	// A second use is refused, whatever times it names.
	for _, at := range []time.Time{base, base.Add(time.Second), base.Add(time.Hour)} {
		if err := s.UseSSOState(ctx, "state-a", at, at.Add(20*time.Minute)); !isDuplicate(err) {
			t.Errorf("UseSSOState of a used key at %v = %v, want ErrDuplicate", at, err)
		}
	}
	// A refused use changed nothing: the others are still used.
	for _, key := range []string{"state-b", "STATE-A", "state-a "} {
		if err := s.UseSSOState(ctx, key, base, exp); !isDuplicate(err) {
			t.Errorf("UseSSOState(%q) again = %v, want ErrDuplicate", key, err)
		}
	}
}

func testSSOUseRace(t *testing.T, s auth.SSOStore) {
	const racers = 8
	for round := range 3 {
		key := "raced-state-" + strings.Repeat("x", round)
		errs := make([]error, racers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range racers {
			wg.Go(func() {
				<-start
				errs[i] = s.UseSSOState(t.Context(), key, base, base.Add(20*time.Minute))
			})
		}
		close(start)
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch {
			case err == nil:
				won++
			case !isDuplicate(err):
				t.Errorf("round %d racer %d: %v, want nil or ErrDuplicate", round, i, err)
			}
		}
		if won != 1 {
			t.Errorf("round %d: %d of %d uses of one state succeeded, want exactly 1", round, won, racers)
		}
	}
}

func testSSOForget(t *testing.T, s auth.SSOStore) {
	ctx := t.Context()
	if n, err := s.ForgetSSOStates(ctx, base); err != nil || n != 0 {
		t.Errorf("ForgetSSOStates of an empty store = %d, %v; want 0, nil", n, err)
	}
	for i, key := range []string{"old-1", "old-2", "edge", "young"} {
		exp := []time.Time{base.Add(-time.Hour), base.Add(-time.Millisecond), base, base.Add(time.Hour)}[i]
		if err := s.UseSSOState(ctx, key, exp.Add(-20*time.Minute), exp); err != nil {
			t.Fatalf("UseSSOState(%q): %v", key, err)
		}
	}
	// Expired before base: old-1 and old-2; "edge" expires at base itself.
	n, err := s.ForgetSSOStates(ctx, base)
	if err != nil || n != 2 {
		t.Errorf("ForgetSSOStates(base) = %d, %v; want 2, nil", n, err)
	}
	for _, key := range []string{"edge", "young"} {
		if err := s.UseSSOState(ctx, key, base, base.Add(time.Hour)); !isDuplicate(err) {
			t.Errorf("UseSSOState(%q) after forgetting others = %v, want ErrDuplicate (still recorded)", key, err)
		}
	}
	// A forgotten state is gone (its login's cookie has expired: the
	// caller refuses it before it asks the store).
	if err := s.UseSSOState(ctx, "old-1", base, base.Add(time.Hour)); err != nil {
		t.Errorf("UseSSOState of a forgotten key = %v, want nil", err)
	}
	if n, err := s.ForgetSSOStates(ctx, base.Add(2*time.Hour)); err != nil || n != 3 {
		t.Errorf("ForgetSSOStates(base+2h) = %d, %v; want 3, nil", n, err)
	}
}

func testSSOHostile(t *testing.T, s auth.SSOStore) {
	ctx := t.Context()
	exp := base.Add(time.Hour)
	if err := s.UseSSOState(ctx, "plain", base, exp); err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for _, key := range hostile {
		err := s.UseSSOState(ctx, key, base, exp)
		switch {
		case err == nil:
			stored[key] = true
		case isDuplicate(err):
			t.Errorf("UseSSOState(%q) = %v: it matched another key", key, err)
		case strings.Contains(key, "\x00"):
			// A backend may refuse NUL, as long as it matches nothing.
		default:
			t.Errorf("UseSSOState(%q) = %v", key, err)
		}
	}
	for key := range stored {
		if err := s.UseSSOState(ctx, key, base, exp); !isDuplicate(err) {
			t.Errorf("UseSSOState(%q) again = %v, want ErrDuplicate", key, err)
		}
	}
	if err := s.UseSSOState(ctx, "plain", base, exp); !isDuplicate(err) {
		t.Errorf("UseSSOState(plain) again = %v, want ErrDuplicate", err)
	}
	// No prefix of the NUL key was taken for it.
	if err := s.UseSSOState(ctx, "nul", base, exp); err != nil {
		t.Errorf(`UseSSOState("nul") = %v: the NUL key was truncated`, err)
	}
}
