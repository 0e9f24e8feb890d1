package server

import (
	"context"
	"math"
	"runtime/metrics"
	"sync/atomic"
	"time"
)

// Write pressure. The connections' write waits (coalesce, gather,
// presenceWait) grow with the number of connections, on the guess that
// more connections mean more work. What decides whether a node keeps up is
// its CPU, though, and when the CPU is short every goroutine waits to run:
// the readers of the clients' ops, the doc actors and the committer with
// the rest, and the typists' acks with them. Writes to other clients are
// the one part of the work that can be done less often without losing
// anything: waiting longer, each write carries more messages. So the node
// watches how long its goroutines wait to run (the runtime's scheduling
// latency) and, while the wait is long, multiplies the write waits by a
// factor: 2, then 4. When the wait has been short for a while, the factor
// steps back. On one core at 400 plans (5 500 connections), back to back,
// this took the frames from 17 250 to 6 400 a second, the acks' median
// from 463 to 126–182 ms and their p95 from 877 to 381–549 ms; others see
// the text up to a second late then, rather than the typist their own
// (README, Performance).

const (
	pressureEvery = 500 * time.Millisecond // how often the latency is read
	pressureHigh  = 50 * time.Millisecond  // p90 of the wait to run above this: write less often
	pressureLow   = 10 * time.Millisecond  // ... below this: more often again
	pressureHot   = 2                      // readings in a row that raise the factor
	pressureCalm  = 4                      // ... that lower it
	pressureMax   = 4                      // the largest factor
	writeWaitMax  = time.Second            // no write wait grows past this
)

// schedLatencies is the runtime metric read: the time goroutines spent
// ready to run before running.
const schedLatencies = "/sched/latencies:seconds"

// writePressure holds the factor; the zero value (and nil) is factor 1,
// unwatched.
type writePressure struct {
	factor atomic.Int64
	run    int // readings in a row on one side (nextFactor)
	sample []metrics.Sample
	prev   []uint64
}

// stretch returns d multiplied by the factor, at most writeWaitMax (or d,
// if d is longer).
func (w *writePressure) stretch(d time.Duration) time.Duration {
	if w == nil {
		return d
	}
	f := w.factor.Load()
	if f <= 1 {
		return d
	}
	return max(d, min(d*time.Duration(f), writeWaitMax))
}

// watch reads the scheduling latency every pressureEvery and sets the
// factor (and report, when not nil), until ctx ends.
func (w *writePressure) watch(ctx context.Context, report func(factor int64)) {
	w.factor.Store(1)
	w.sample = []metrics.Sample{{Name: schedLatencies}}
	tick := time.NewTicker(pressureEvery)
	defer tick.Stop()
	w.read() // the baseline
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		p90, ok := w.read()
		if !ok {
			continue
		}
		f, run := nextFactor(w.factor.Load(), w.run, p90)
		w.run = run
		w.factor.Store(f)
		if report != nil {
			report(f)
		}
	}
}

// read returns the 90th percentile of the waits to run since the last
// read; false when there were none (or the runtime has no such metric).
func (w *writePressure) read() (time.Duration, bool) {
	metrics.Read(w.sample)
	if w.sample[0].Value.Kind() != metrics.KindFloat64Histogram {
		return 0, false
	}
	h := w.sample[0].Value.Float64Histogram()
	delta := make([]uint64, len(h.Counts))
	for i, c := range h.Counts {
		delta[i] = c
		if i < len(w.prev) {
			delta[i] = c - w.prev[i]
		}
	}
	w.prev = append(w.prev[:0], h.Counts...)
	return quantile(delta, h.Buckets, 0.9)
}

// quantile returns the lower bound of the bucket holding the q-quantile of
// the counts (bucket i is [buckets[i], buckets[i+1])); false without
// counts.
func quantile(counts []uint64, buckets []float64, q float64) (time.Duration, bool) {
	var total uint64
	for _, c := range counts {
		total += c
	}
	if total == 0 {
		return 0, false
	}
	rank := uint64(math.Ceil(q * float64(total)))
	var seen uint64
	for i, c := range counts {
		seen += c
		if seen >= rank {
			low := buckets[i]
			if math.IsInf(low, -1) || low < 0 {
				return 0, true
			}
			return time.Duration(low * float64(time.Second)), true
		}
	}
	return time.Duration(buckets[len(buckets)-2] * float64(time.Second)), true
}

// nextFactor is the rule: pressureHot long waits in a row double the
// factor (up to pressureMax), pressureCalm short ones halve it; a single
// long reading (a thousand clients connecting at once) changes nothing.
// run counts the readings in a row on one side: long above 0, short below.
func nextFactor(f int64, run int, p90 time.Duration) (int64, int) {
	f = max(f, 1)
	switch {
	case p90 > pressureHigh && f < pressureMax:
		if run = max(run, 0) + 1; run >= pressureHot {
			return f * 2, 0
		}
		return f, run
	case p90 < pressureLow && f > 1:
		if run = min(run, 0) - 1; -run >= pressureCalm {
			return f / 2, 0
		}
		return f, run
	default:
		return f, 0
	}
}
