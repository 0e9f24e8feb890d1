package alarm

import (
	"context"
	"sync"
	"testing"
	"time"
)

// run starts c until the test ends and returns a function that stops it
// and waits for Run to return.
func run(t *testing.T, c *Clock) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

type ring struct {
	name string
	at   time.Time // the alarm's time
	when time.Time // when it rang
}

func TestClock_RingsInOrderAndNeverEarly(t *testing.T) {
	c := New()
	run(t, c)
	rang := make(chan ring, 10)
	start := time.Now()
	for _, a := range []struct {
		name  string
		after time.Duration
	}{{"c", 60 * time.Millisecond}, {"a", 20 * time.Millisecond}, {"d", 80 * time.Millisecond}, {"b", 40 * time.Millisecond}, {"now", 0}} {
		c.At(start.Add(a.after), func(at time.Time) { rang <- ring{name: a.name, at: at, when: time.Now()} })
	}
	var order string
	for range 5 {
		select {
		case r := <-rang:
			order += r.name
			if r.when.Before(r.at) {
				t.Errorf("alarm %s rang %v early", r.name, r.at.Sub(r.when))
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("only %q rang", order)
		}
	}
	if order != "nowabcd" {
		t.Errorf("rang in the order %q, want nowabcd", order)
	}
	if n := c.Len(); n != 0 {
		t.Errorf("Len = %d after every alarm rang, want 0", n)
	}
}

func TestClock_SameTimeRingsInTheOrderSet(t *testing.T) {
	c := New()
	run(t, c)
	at := time.Now().Add(30 * time.Millisecond)
	var mu sync.Mutex
	var order []int
	done := make(chan struct{})
	for i := range 20 {
		c.At(at, func(time.Time) {
			mu.Lock()
			order = append(order, i)
			if len(order) == 20 {
				close(done)
			}
			mu.Unlock()
		})
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the alarms did not ring")
	}
	for i, got := range order {
		if got != i {
			t.Fatalf("rang in the order %v, want the order they were set", order)
		}
	}
}

// An alarm sooner than the one the clock sleeps for must wake it.
func TestClock_SoonerAlarmWakesTheClock(t *testing.T) {
	c := New()
	run(t, c)
	c.At(time.Now().Add(time.Hour), func(time.Time) { t.Error("the alarm an hour away rang") })
	time.Sleep(20 * time.Millisecond) // Run is asleep until the hour
	rang := make(chan time.Duration, 1)
	set := time.Now()
	c.At(set.Add(10*time.Millisecond), func(time.Time) { rang <- time.Since(set) })
	select {
	case d := <-rang:
		if d < 10*time.Millisecond {
			t.Errorf("rang after %v, before its time", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the sooner alarm did not ring: the clock slept on")
	}
	if n := c.Len(); n != 1 {
		t.Errorf("Len = %d, want 1 (the alarm an hour away)", n)
	}
}

func TestClock_EveryAlarmRingsOnceUnderConcurrentSetting(t *testing.T) {
	c := New()
	run(t, c)
	const setters, each = 8, 500
	var mu sync.Mutex
	counts := map[int]int{}
	var wg sync.WaitGroup
	all := make(chan struct{})
	rung := 0
	for s := range setters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				id := s*each + i
				c.At(time.Now().Add(time.Duration(i%7)*time.Millisecond), func(time.Time) {
					mu.Lock()
					counts[id]++
					rung++
					if rung == setters*each {
						close(all)
					}
					mu.Unlock()
				})
			}
		}()
	}
	wg.Wait()
	select {
	case <-all:
	case <-time.After(10 * time.Second):
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("%d of %d alarms rang", rung, setters*each)
	}
	time.Sleep(20 * time.Millisecond) // a second ring would come now
	mu.Lock()
	defer mu.Unlock()
	for id, n := range counts {
		if n != 1 {
			t.Errorf("alarm %d rang %d times", id, n)
		}
	}
}

func TestClock_StopsWithItsContext(t *testing.T) {
	c := New()
	stop := run(t, c)
	c.At(time.Now().Add(time.Hour), func(time.Time) { t.Error("an alarm rang after the clock stopped") })
	stop()
	if n := c.Len(); n != 0 {
		t.Errorf("Len = %d after Run returned, want 0: it keeps nothing", n)
	}
	c.At(time.Now(), func(time.Time) { t.Error("an alarm set after the clock stopped rang") })
	if n := c.Len(); n != 0 {
		t.Errorf("Len = %d after At on a stopped clock, want 0", n)
	}
}
