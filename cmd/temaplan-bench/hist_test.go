package main

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestHist_BucketsCoverEveryValueInOrder(t *testing.T) {
	prev := -1
	for _, us := range []uint64{0, 1, 63, 64, 65, 127, 128, 1000, 1 << 20, 1<<20 + 12345, 1 << 37, 1 << 40} {
		i := histIndex(us)
		if i < prev {
			t.Errorf("histIndex(%d) = %d, below the bucket of a smaller value (%d)", us, i, prev)
		}
		prev = i
		if low, width := histLow(i); us < 1<<38 && (us < low || us >= low+width) {
			t.Errorf("%d µs lies in bucket %d = [%d, %d)", us, i, low, low+width)
		}
	}
	if i := histIndex(1 << 62); i != histBuckets-1 {
		t.Errorf("a huge value goes to bucket %d, want the last (%d)", i, histBuckets-1)
	}
}

// TestHist_AgreesWithExactPercentiles compares the histogram with the
// exact nearest-rank percentiles of the same samples: within the bucket
// precision (1/32) for percentiles, exactly for the count and the maximum.
func TestHist_AgreesWithExactPercentiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, name := range []string{"fast", "spread", "bimodal"} {
		t.Run(name, func(t *testing.T) {
			var h Hist
			var exact []time.Duration
			for range 20000 {
				var d time.Duration
				switch name {
				case "fast":
					d = time.Duration(rng.IntN(80)) * time.Microsecond
				case "spread":
					d = time.Duration(rng.ExpFloat64() * float64(20*time.Millisecond))
				case "bimodal":
					d = 2*time.Millisecond + time.Duration(rng.IntN(1000))*time.Microsecond
					if rng.IntN(100) < 3 {
						d = 400 * time.Millisecond
					}
				}
				d = d.Truncate(time.Microsecond)
				h.Add(d)
				exact = append(exact, d)
			}
			slices.Sort(exact)
			for _, p := range []float64{1, 50, 90, 95, 99, 99.9, 100} {
				want, got := Percentile(exact, p), h.Percentile(p)
				if diff := float64(got-want) / float64(max(want, time.Microsecond)); diff > 1.0/32 || diff < -1.0/32 {
					t.Errorf("p%v = %v, exact %v: off by %.1f%%", p, got, want, diff*100)
				}
			}
			s := h.Summary()
			if s.Count != len(exact) || s.Max != ms(exact[len(exact)-1]) {
				t.Errorf("count %d max %v, want %d and %v", s.Count, s.Max, len(exact), ms(exact[len(exact)-1]))
			}
		})
	}
}

func TestHist_SmallCountsAreExact(t *testing.T) {
	var h Hist
	if got := h.Summary(); got != (LatencySummary{}) {
		t.Errorf("empty: %+v, want zeros", got)
	}
	// Ten samples under 64 µs land in exact buckets: the same answers as
	// Percentile on the sorted samples.
	for i := 10; i >= 1; i-- {
		h.Add(time.Duration(i) * time.Microsecond)
	}
	h.Add(-time.Second) // a clock step backwards counts as zero
	for _, tt := range []struct {
		p    float64
		want time.Duration
	}{{50, 5}, {90, 9}, {100, 10}, {1, 0}} {
		if got := h.Percentile(tt.p); got != tt.want*time.Microsecond {
			t.Errorf("p%v = %v, want %v", tt.p, got, tt.want*time.Microsecond)
		}
	}
}

func TestHist_ConcurrentAddsAndMerge(t *testing.T) {
	var a, b Hist
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				a.Add(time.Duration(g*1000+i) * time.Microsecond)
			}
		})
	}
	wg.Wait()
	b.Add(time.Hour)
	b.Merge(&a)
	if a.Count() != 8000 || b.Count() != 8001 {
		t.Fatalf("counts %d and %d, want 8000 and 8001", a.Count(), b.Count())
	}
	if got := b.Summary().Max; got != ms(time.Hour) {
		t.Errorf("max after merge = %v ms, want an hour", got)
	}
	// The median of 0..7999 µs is 3999 µs: within 1/32.
	if got := a.Percentile(50); got < 3870*time.Microsecond || got > 4130*time.Microsecond {
		t.Errorf("median = %v, want about 4 ms", got)
	}
}
