package main

import (
	"math/bits"
	"sync/atomic"
	"time"
)

// Hist is a latency histogram for the load scenarios, where the clients'
// reader goroutines record hundreds of thousands of samples a second:
// Latencies keeps every sample, which is exact but grows without bound and
// takes a lock per sample; Hist is a fixed array of atomic counters.
//
// Buckets are log-linear in microseconds: below 64 µs one bucket per
// microsecond, above that 32 buckets per power of two, so a reported
// percentile is within 1/32 (about 3 %) of the true sample — far below the
// noise of a run. Count and Max are exact. The zero value is ready to use
// and safe for concurrent use.
type Hist struct {
	buckets [histBuckets]atomic.Uint64
	count   atomic.Uint64
	sum     atomic.Uint64 // µs
	max     atomic.Uint64 // µs
}

const (
	histLinear  = 64 // exact buckets below 64 µs
	histSubBits = 5  // 32 sub-buckets per power of two above
	histOctaves = 32 // up to 2^38 µs (three days): more than any run
	histBuckets = histLinear + histOctaves<<histSubBits
)

// Add records one sample; a negative one counts as zero.
func (h *Hist) Add(d time.Duration) {
	us := uint64(max(d, 0) / time.Microsecond)
	h.buckets[histIndex(us)].Add(1)
	h.count.Add(1)
	h.sum.Add(us)
	for {
		m := h.max.Load()
		if us <= m || h.max.CompareAndSwap(m, us) {
			break
		}
	}
}

// histIndex returns the bucket of a sample of us microseconds.
func histIndex(us uint64) int {
	if us < histLinear {
		return int(us)
	}
	e := bits.Len64(us) - 1 // 2^e <= us < 2^(e+1), e >= 6
	sub := int(us>>(e-histSubBits)) & (1<<histSubBits - 1)
	i := histLinear + (e-6)<<histSubBits + sub
	return min(i, histBuckets-1)
}

// histLow returns the smallest value, in µs, of bucket i, and its width.
func histLow(i int) (low, width uint64) {
	if i < histLinear {
		return uint64(i), 1
	}
	e := (i-histLinear)>>histSubBits + 6
	sub := uint64((i - histLinear) & (1<<histSubBits - 1))
	width = 1 << (e - histSubBits)
	return 1<<e + sub*width, width
}

// Count returns the number of samples.
func (h *Hist) Count() int { return int(h.count.Load()) }

// Percentile returns the p-th percentile (0 < p <= 100) by the nearest-rank
// method, as Percentile does for sorted samples: the middle of the bucket
// holding the sample of that rank, never more than the largest sample. It
// is 0 without samples.
func (h *Hist) Percentile(p float64) time.Duration {
	n := h.count.Load()
	if n == 0 {
		return 0
	}
	rank := uint64(max(1, min(float64(n), ceil(p/100*float64(n)))))
	var seen uint64
	for i := range h.buckets {
		seen += h.buckets[i].Load()
		if seen >= rank {
			low, width := histLow(i)
			mid := low + width/2
			if width == 1 {
				mid = low
			}
			return time.Duration(min(mid, h.max.Load())) * time.Microsecond
		}
	}
	// Samples were added while counting: the rank lies in the newest.
	return time.Duration(h.max.Load()) * time.Microsecond
}

// Summary returns the count and percentiles, in the shape Latencies gives.
func (h *Hist) Summary() LatencySummary {
	return LatencySummary{
		Count: h.Count(),
		P50:   ms(h.Percentile(50)),
		P95:   ms(h.Percentile(95)),
		P99:   ms(h.Percentile(99)),
		Max:   ms(time.Duration(h.max.Load()) * time.Microsecond),
	}
}

// Merge adds the samples of o to h (o should not change meanwhile).
func (h *Hist) Merge(o *Hist) {
	for i := range o.buckets {
		if c := o.buckets[i].Load(); c > 0 {
			h.buckets[i].Add(c)
		}
	}
	h.count.Add(o.count.Load())
	h.sum.Add(o.sum.Load())
	for m := o.max.Load(); ; {
		cur := h.max.Load()
		if m <= cur || h.max.CompareAndSwap(cur, m) {
			break
		}
	}
}

func ceil(x float64) float64 {
	i := float64(int64(x))
	if i < x {
		return i + 1
	}
	return i
}
