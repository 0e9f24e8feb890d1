package server

import (
	"math"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

// TestNextFactor: two long waits in a row double the factor, up to
// pressureMax; one alone does nothing; four short ones in a row halve it;
// a reading in between breaks a run.
func TestNextFactor(t *testing.T) {
	long, short, mid := 2*pressureHigh, pressureLow/2, (pressureLow+pressureHigh)/2
	f, run := int64(1), 0
	for i, c := range []struct {
		p90  time.Duration
		want int64
	}{
		{long, 1}, {mid, 1}, {long, 1}, {long, 2}, // a run of two
		{long, 2}, {long, 4}, {long, 4}, {long, 4}, // never past pressureMax
		{short, 4}, {short, 4}, {short, 4}, {long, 4}, // broken by a long one
		{short, 4}, {short, 4}, {short, 4}, {short, 2}, // four in a row
		{short, 2}, {short, 2}, {short, 2}, {short, 1},
		{short, 1}, {short, 1}, {short, 1}, {short, 1}, {short, 1}, // never below 1
	} {
		f, run = nextFactor(f, run, c.p90)
		if f != c.want {
			t.Fatalf("reading %d (%v): factor %d, want %d", i, c.p90, f, c.want)
		}
	}
}

// TestQuantile reads the bucket of the 90th percentile, its lower bound.
func TestQuantile(t *testing.T) {
	buckets := []float64{math.Inf(-1), 0, 0.001, 0.01, 0.1, math.Inf(1)}
	for _, c := range []struct {
		counts []uint64
		want   time.Duration
		ok     bool
	}{
		{[]uint64{0, 0, 0, 0, 0}, 0, false},
		{[]uint64{0, 95, 5, 0, 0}, 0, true},
		{[]uint64{0, 50, 45, 5, 0}, time.Millisecond, true},
		{[]uint64{0, 10, 10, 70, 10}, 10 * time.Millisecond, true},
		{[]uint64{0, 0, 0, 0, 3}, 100 * time.Millisecond, true},
		{[]uint64{4, 0, 0, 0, 0}, 0, true},
	} {
		got, ok := quantile(c.counts, buckets, 0.9)
		if got != c.want || ok != c.ok {
			t.Errorf("quantile(%v) = %v, %v; want %v, %v", c.counts, got, ok, c.want, c.ok)
		}
	}
}

// TestWritePressure_ReadsTheRuntimesSchedulingLatency: the metric exists
// in this Go and a read after goroutines have run has counts, so the
// watch is not silently idle.
func TestWritePressure_ReadsTheRuntimesSchedulingLatency(t *testing.T) {
	w := &writePressure{sample: []metrics.Sample{{Name: schedLatencies}}}
	w.read()
	var wg sync.WaitGroup
	ping := make(chan int)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range ping {
		}
	}()
	for i := range 1000 {
		ping <- i
	}
	close(ping)
	wg.Wait()
	if _, ok := w.read(); !ok {
		t.Fatalf("no scheduling latencies read from %s", schedLatencies)
	}
}

// TestWritePressure_StretchesTheWriteWaits: factor 1 (or no watch) leaves
// the waits; a higher one multiplies them, up to writeWaitMax.
func TestWritePressure_StretchesTheWriteWaits(t *testing.T) {
	a := &collabAPI{}
	a.count.Store(5000)
	if got := a.coalesce(); got != wsCoalesceMax {
		t.Fatalf("no pressure: coalesce %v, want %v", got, wsCoalesceMax)
	}
	a.pressure = &writePressure{}
	a.pressure.factor.Store(1)
	if got := a.coalesce(); got != wsCoalesceMax {
		t.Errorf("factor 1: coalesce %v, want %v", got, wsCoalesceMax)
	}
	a.pressure.factor.Store(2)
	if c, g, p := a.coalesce(), a.gather(), a.presenceWait(); c != 2*wsCoalesceMax || g != 480*time.Millisecond || p != 2*wsPresenceWait {
		t.Errorf("factor 2: coalesce %v, gather %v, cursor %v; want %v, 480ms, %v", c, g, p, 2*wsCoalesceMax, 2*wsPresenceWait)
	}
	a.pressure.factor.Store(4)
	if c := a.coalesce(); c != writeWaitMax {
		t.Errorf("factor 4: coalesce %v, want at most %v", c, writeWaitMax)
	}
	a.count.Store(0)
	if c, g := a.coalesce(), a.gather(); c != 4*wsCoalesce || g != 0 {
		t.Errorf("factor 4, no connections: coalesce %v, gather %v; want %v, 0", c, g, 4*wsCoalesce)
	}
}
