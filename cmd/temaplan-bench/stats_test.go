package main

import (
	"sync"
	"testing"
	"time"
)

func TestPercentile_NearestRank(t *testing.T) {
	ten := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i + 1)
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"none", nil, 50, 0},
		{"one sample is every percentile", []time.Duration{7}, 99, 7},
		{"median of ten is the fifth", ten, 50, 5},
		{"p90 of ten", ten, 90, 9},
		{"p91 of ten rounds up to the tenth", ten, 91, 10},
		{"p99 of ten is the largest", ten, 99, 10},
		{"p100 is the largest", ten, 100, 10},
		{"p0 is the smallest", ten, 0, 1},
		{"p50 of a hundred", hundred, 50, 50},
		{"p99 of a hundred", hundred, 99, 99},
		{"p99.9 of a hundred", hundred, 99.9, 100},
		{"above 100 is the largest", ten, 150, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Percentile(tt.sorted, tt.p); got != tt.want {
				t.Errorf("Percentile(%v, %v) = %v, want %v", tt.sorted, tt.p, got, tt.want)
			}
		})
	}
}

func TestLatencies_SummaryInMilliseconds(t *testing.T) {
	var l Latencies
	var wg sync.WaitGroup
	// Added out of order and concurrently, as the clients' readers do.
	for i := 100; i >= 1; i-- {
		wg.Go(func() { l.Add(time.Duration(i) * time.Millisecond) })
	}
	wg.Wait()
	l.Add(1500 * time.Microsecond)
	got := l.Summary()
	want := LatencySummary{Count: 101, P50: 50, P95: 95, P99: 99, Max: 100}
	if got != want {
		t.Errorf("Summary() = %+v, want %+v", got, want)
	}
	if got := (&Latencies{}).Summary(); got != (LatencySummary{}) {
		t.Errorf("empty Summary() = %+v, want zeros", got)
	}
}

func TestPerSecond(t *testing.T) {
	if got := perSecond(300, 1500*time.Millisecond); got != 200 {
		t.Errorf("perSecond(300, 1.5s) = %v, want 200", got)
	}
	if got := perSecond(5, 0); got != 0 {
		t.Errorf("perSecond(5, 0) = %v, want 0", got)
	}
}
