// Package alarm runs many short timers on one goroutine.
//
// A node holding thousands of WebSocket connections sets a timer for
// nearly every broadcast: a connection's writes wait a moment to share a
// frame with what else it is sent. With a time.AfterFunc each, every
// timer that fires starts a goroutine, more than ten thousand a second
// on a busy node, and each is queued to run ahead of the goroutines that
// read the clients' messages. A Clock fires the alarms that fall due
// together, on its own goroutine, in one wake-up per millisecond at most.
package alarm

import (
	"context"
	"sync"
	"time"
)

// Resolution is the grain of a Clock: an alarm rings at its time or up to
// this much later, together with the others due by then. It never rings
// early.
const Resolution = time.Millisecond

// Clock rings alarms at their times. Its zero value is not usable: make
// one with New and run it with Run.
type Clock struct {
	mu      sync.Mutex
	alarms  []alarm // a min-heap by at
	seq     uint64  // orders alarms of the same time by when they were set
	wake    chan struct{}
	nextAt  time.Time // when Run will next look (zero: when woken)
	stopped bool
}

type alarm struct {
	at   time.Time
	seq  uint64
	ring func(at time.Time)
}

// New returns a clock; it rings nothing until Run runs.
func New() *Clock {
	return &Clock{wake: make(chan struct{}, 1)}
}

// At makes the clock call ring(at) on its goroutine once at has passed.
// ring must return quickly and must not call At with a lock it holds
// while ring runs (ring runs without the clock's lock).
//
// An alarm cannot be taken back: the owner keeps the time it expects and
// ring ignores any other (see sendQueue.fire), which also covers an alarm
// set again for another time. After Run has returned, At does nothing.
func (c *Clock) At(at time.Time, ring func(at time.Time)) {
	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		return
	}
	c.seq++
	c.push(alarm{at: at, seq: c.seq, ring: ring})
	// Run sleeps until nextAt: wake it if this alarm is due before then.
	wake := c.alarms[0].seq == c.seq && (c.nextAt.IsZero() || at.Before(c.nextAt))
	if wake {
		c.nextAt = at
	}
	c.mu.Unlock()
	if wake {
		select {
		case c.wake <- struct{}{}:
		default: // a wake-up is pending already
		}
	}
}

// Len returns the number of alarms set and not yet rung (including those
// whose owner no longer expects them).
func (c *Clock) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.alarms)
}

// Run rings the alarms as they fall due until ctx ends; alarms still set
// then never ring.
func (c *Clock) Run(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var due []alarm
	for {
		c.mu.Lock()
		now := time.Now()
		for len(c.alarms) > 0 && !c.alarms[0].at.After(now) {
			due = append(due, c.pop())
		}
		c.nextAt = time.Time{}
		if len(c.alarms) > 0 {
			c.nextAt = c.alarms[0].at
		}
		next := c.nextAt
		c.mu.Unlock()

		for i, a := range due {
			a.ring(a.at)
			due[i] = alarm{}
		}
		due = due[:0]

		if !next.IsZero() {
			// Rounded up to the grain, so that alarms set close together
			// ring in one wake-up.
			wait := next.Sub(time.Now())
			if wait < 0 {
				wait = 0
			}
			timer.Reset((wait + Resolution - 1).Truncate(Resolution))
		}
		select {
		case <-timer.C:
		case <-c.wake:
			timer.Stop()
		case <-ctx.Done():
			c.mu.Lock()
			c.stopped = true
			c.alarms = nil
			c.mu.Unlock()
			return
		}
	}
}

// push and pop keep c.alarms a min-heap by (at, seq). Callers hold c.mu.
// By hand rather than with container/heap, whose Push takes an any: an
// allocation for every alarm, thousands a second.
func (c *Clock) push(a alarm) {
	h := append(c.alarms, a)
	i := len(h) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if !h[i].before(h[parent]) {
			break
		}
		h[i], h[parent] = h[parent], h[i]
		i = parent
	}
	c.alarms = h
}

func (c *Clock) pop() alarm {
	h := c.alarms
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h[last] = alarm{}
	h = h[:last]
	i := 0
	for {
		small, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && h[l].before(h[small]) {
			small = l
		}
		if r < len(h) && h[r].before(h[small]) {
			small = r
		}
		if small == i {
			break
		}
		h[i], h[small] = h[small], h[i]
		i = small
	}
	c.alarms = h
	return top
}

func (a alarm) before(b alarm) bool {
	if a.at.Equal(b.at) {
		return a.seq < b.seq
	}
	return a.at.Before(b.at)
}
