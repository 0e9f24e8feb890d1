// Package bustest is the contract test suite of collab.Bus. Every
// implementation runs it (the in-process MemoryBus and the Redis bus), so
// they cannot drift apart. Waits are on events with deadlines, never sleeps.
package bustest

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/temaplan/temaplan/collab"
)

// Timeout bounds every wait for an event in the suite. It is generous so
// that a loaded CI machine running with -race does not fail the suite; a
// passing test never waits for it.
const Timeout = 10 * time.Second

// overflow is how many messages the slow-subscriber test publishes while
// one handler is blocked: more than the queue of any implementation
// (collab.DefaultBusQueueSize), so that messages must be dropped.
const overflow = collab.DefaultBusQueueSize + 200

// Open returns a new, open bus for the test t. On a shared backend each call
// within one test must return a node of the same deployment (same Redis,
// same key prefix), and different tests must not see each other's messages.
// The suite closes the buses it opens.
type Open func(t *testing.T) collab.Bus

// Run runs the contract that every Bus implementation keeps, on one node.
func Run(t *testing.T, open Open) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open Open)
	}{
		{"DeliversToAllSubscribersIncludingPublisher", testDeliversToAll},
		{"ResyncBeforeFirstMessage", testResyncFirst},
		{"PreservesOrderPerChannel", testOrder},
		{"CancelStopsDelivery", testCancel},
		{"ChannelsAreIsolated", testIsolation},
		{"CopiesData", testCopiesData},
		{"SlowHandlerDoesNotBlockOthers", testSlowHandler},
		{"RejectsHandlerWithoutMessage", testRejectsNilMessage},
		{"PingAndDescribe", testPingDescribe},
		{"ConcurrentUse", testConcurrent},
		{"CloseStopsEverything", testClose},
		{"CloseWhileBusy", testCloseWhileBusy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open) })
	}
}

// RunMultiNode runs the contract between several nodes of one deployment:
// each call of open is another node on the same backend. Only buses that
// connect nodes (Redis) run it; MemoryBus is a single node.
func RunMultiNode(t *testing.T, open Open) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open Open)
	}{
		{"DeliversAcrossNodes", testAcrossNodes},
		{"PreservesOrderAcrossNodes", testOrderAcrossNodes},
		{"CancelOnOneNodeKeepsOthers", testCancelAcrossNodes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open) })
	}
}

// mustOpen opens a bus and closes it when the test ends.
func mustOpen(t *testing.T, open Open) collab.Bus {
	t.Helper()
	b := open(t)
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return b
}

// event is what a Recorder saw: a Resync (data == nil, resync true) or a
// message.
type event struct {
	resync bool
	data   []byte
}

func (e event) String() string {
	if e.resync {
		return "resync"
	}
	return fmt.Sprintf("message %q", e.data)
}

// Recorder is a BusHandler that records what it is given, in order, for
// tests to wait on.
type Recorder struct {
	events chan event
	// block, when not nil, makes Message wait until it is closed.
	block chan struct{}
}

// NewRecorder returns a Recorder with room for n events.
func NewRecorder(n int) *Recorder {
	return &Recorder{events: make(chan event, n)}
}

// Handler returns the recorder as a BusHandler.
func (r *Recorder) Handler() collab.BusHandler {
	return collab.BusHandler{
		Message: func(data []byte) {
			if r.block != nil {
				<-r.block
			}
			r.events <- event{data: data}
		},
		Resync: func() { r.events <- event{resync: true} },
	}
}

// next waits for the next event.
func (r *Recorder) next(t *testing.T, what string) event {
	t.Helper()
	e, err := r.nextWithin(Timeout, what)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// nextWithin waits up to d for the next event; it is safe to call from any
// goroutine.
func (r *Recorder) nextWithin(d time.Duration, what string) (event, error) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case e := <-r.events:
		return e, nil
	case <-timer.C:
		return event{}, fmt.Errorf("no event within %v while waiting for %s", d, what)
	}
}

// WaitResync waits for the next event and fails unless it is a Resync.
func (r *Recorder) WaitResync(t *testing.T) {
	t.Helper()
	if e := r.next(t, "resync"); !e.resync {
		t.Fatalf("got %v, want resync", e)
	}
}

// WaitMessage waits for the next event and fails unless it is a message
// with data want.
func (r *Recorder) WaitMessage(t *testing.T, want string) {
	t.Helper()
	e := r.next(t, fmt.Sprintf("message %q", want))
	if e.resync || string(e.data) != want {
		t.Fatalf("got %v, want message %q", e, want)
	}
}

// Pending returns how many recorded events have not been waited for.
func (r *Recorder) Pending() int { return len(r.events) }

// drained returns the events recorded so far without waiting.
func (r *Recorder) drained() []event {
	var out []event
	for {
		select {
		case e := <-r.events:
			out = append(out, e)
		default:
			return out
		}
	}
}

// subscribe subscribes a new recorder and waits for its first Resync, after
// which the subscription is live on every node.
func subscribe(t *testing.T, b collab.Bus, channel string, room int) (*Recorder, func()) {
	t.Helper()
	r := NewRecorder(room)
	cancel, err := b.Subscribe(context.Background(), channel, r.Handler())
	if err != nil {
		t.Fatalf("Subscribe(%q): %v", channel, err)
	}
	t.Cleanup(cancel)
	r.WaitResync(t)
	return r, cancel
}

// publish publishes and fails the test if Publish errs or blocks: a bus
// must never wait for its subscribers.
func publish(t *testing.T, b collab.Bus, channel, data string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- b.Publish(ctx, channel, []byte(data)) }()
	timer := time.NewTimer(Timeout + time.Second)
	defer timer.Stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Publish(%q, %q): %v", channel, data, err)
		}
	case <-timer.C:
		t.Fatalf("Publish(%q, %q) blocked for %v", channel, data, Timeout)
	}
}

func testDeliversToAll(t *testing.T, open Open) {
	b := mustOpen(t, open)
	r1, _ := subscribe(t, b, "doc:a", 16)
	r2, _ := subscribe(t, b, "doc:a", 16)
	publish(t, b, "doc:a", "hello")
	r1.WaitMessage(t, "hello")
	r2.WaitMessage(t, "hello")
}

func testResyncFirst(t *testing.T, open Open) {
	b := mustOpen(t, open)
	r := NewRecorder(16)
	if _, err := b.Subscribe(context.Background(), "doc:r", r.Handler()); err != nil {
		t.Fatal(err)
	}
	// The first event is the Resync; a message published after it arrives.
	r.WaitResync(t)
	publish(t, b, "doc:r", "one")
	r.WaitMessage(t, "one")
	// A Resync without a reconnect is a bus that resyncs for nothing.
	if rest := r.drained(); len(rest) != 0 {
		t.Fatalf("unexpected events after the first message: %v", rest)
	}
}

func testOrder(t *testing.T, open Open) {
	b := mustOpen(t, open)
	const n = 300
	r, _ := subscribe(t, b, "doc:o", n+8)
	for i := range n {
		publish(t, b, "doc:o", fmt.Sprint(i))
	}
	for i := range n {
		r.WaitMessage(t, fmt.Sprint(i))
	}
}

func testCancel(t *testing.T, open Open) {
	b := mustOpen(t, open)
	gone, cancel := subscribe(t, b, "doc:c", 16)
	stays, _ := subscribe(t, b, "doc:c", 16)
	publish(t, b, "doc:c", "before")
	gone.WaitMessage(t, "before")
	stays.WaitMessage(t, "before")

	cancel()
	cancel() // idempotent
	publish(t, b, "doc:c", "after")
	// The subscription that stays is the barrier: once it has the message,
	// the cancelled one would have had it too.
	stays.WaitMessage(t, "after")
	if got := gone.drained(); len(got) != 0 {
		t.Fatalf("cancelled subscription got %v", got)
	}

	// Cancelling the last subscription of a channel and subscribing again
	// works (and resyncs again).
	again, _ := subscribe(t, b, "doc:c", 16)
	publish(t, b, "doc:c", "again")
	again.WaitMessage(t, "again")
	stays.WaitMessage(t, "again")
}

func testIsolation(t *testing.T, open Open) {
	b := mustOpen(t, open)
	channels := []string{"doc:a", "doc:b", collab.PlanChannel("a")}
	recs := make([]*Recorder, len(channels))
	for i, ch := range channels {
		recs[i], _ = subscribe(t, b, ch, 16)
	}
	for _, ch := range channels {
		publish(t, b, ch, "for "+ch)
	}
	for _, ch := range channels {
		publish(t, b, ch, "end")
	}
	// Each subscription sees its own message and then the end marker of
	// its channel: a foreign message would come in between.
	for i, ch := range channels {
		recs[i].WaitMessage(t, "for "+ch)
		recs[i].WaitMessage(t, "end")
	}
}

func testCopiesData(t *testing.T, open Open) {
	b := mustOpen(t, open)
	got := make(chan []byte, 2)
	for range 2 {
		h := collab.BusHandler{Message: func(data []byte) {
			cp := bytes.Clone(data)
			data[0] = 'X' // a handler may scribble on what it was given
			got <- cp
		}, Resync: func() {}}
		cancel, err := b.Subscribe(context.Background(), "doc:copy", h)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(cancel)
	}
	// Wait for both subscriptions to be live with a barrier subscriber.
	barrier, _ := subscribe(t, b, "doc:copy", 16)
	buf := []byte("original")
	if err := b.Publish(context.Background(), "doc:copy", buf); err != nil {
		t.Fatal(err)
	}
	copy(buf, "mutated!") // the publisher reuses its buffer
	barrier.WaitMessage(t, "original")
	for range 2 {
		select {
		case data := <-got:
			if string(data) != "original" {
				t.Fatalf("handler saw %q, want %q", data, "original")
			}
		case <-time.After(Timeout):
			t.Fatal("handler got no message")
		}
	}
}

// testSlowHandler blocks one handler and publishes more than any queue
// holds: Publish must not block, the other subscriptions (same channel and
// another channel) get everything, and the slow one gets an in-order
// subsequence once it is released.
func testSlowHandler(t *testing.T, open Open) {
	b := mustOpen(t, open)
	slow := NewRecorder(overflow + 8)
	slow.block = make(chan struct{})
	cancel, err := b.Subscribe(context.Background(), "doc:s", slow.Handler())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cancel)
	released := false
	release := func() {
		if !released {
			released = true
			close(slow.block)
		}
	}
	t.Cleanup(release) // so that cancel does not wait forever on failure
	slow.WaitResync(t)

	fast, _ := subscribe(t, b, "doc:s", 16)
	other, _ := subscribe(t, b, "doc:other", 16)
	for i := range overflow {
		msg := fmt.Sprint(i)
		publish(t, b, "doc:s", msg)
		// Lock step: the fast subscriber is never behind, so nothing is
		// dropped for it however slow the machine.
		fast.WaitMessage(t, msg)
		if i%100 == 0 {
			publish(t, b, "doc:other", msg)
			other.WaitMessage(t, msg)
		}
	}
	if d, ok := b.(interface{ Dropped() uint64 }); ok && d.Dropped() == 0 {
		t.Errorf("Dropped() = 0 after %d messages to a blocked handler", overflow)
	}

	release()
	// The slow subscriber now gets what its queue held, in order. Once it
	// has handled two messages (the one it was blocked on and the first
	// queued one) its queue has room, so a marker published then arrives
	// after the rest.
	prev := -1
	for range 2 {
		slowNumber(t, slow.next(t, "the slow subscriber's messages"), &prev)
	}
	publish(t, b, "doc:s", "last")
	fast.WaitMessage(t, "last")
	for {
		e := slow.next(t, "the slow subscriber's messages")
		if string(e.data) == "last" {
			break
		}
		slowNumber(t, e, &prev)
	}
	if prev == overflow-1 {
		t.Errorf("slow subscriber got all %d messages: nothing was dropped", overflow)
	}
}

// slowNumber checks that the slow subscriber's message is a number greater
// than the one before.
func slowNumber(t *testing.T, e event, prev *int) {
	t.Helper()
	var i int
	if _, err := fmt.Sscan(string(e.data), &i); e.resync || err != nil || i <= *prev {
		t.Fatalf("slow subscriber got %v after %d: want a greater number", e, *prev)
	}
	*prev = i
}

func testRejectsNilMessage(t *testing.T, open Open) {
	b := mustOpen(t, open)
	if cancel, err := b.Subscribe(context.Background(), "doc:n", collab.BusHandler{}); err == nil {
		cancel()
		t.Fatal("Subscribe with a handler without Message succeeded")
	}
}

func testPingDescribe(t *testing.T, open Open) {
	b := mustOpen(t, open)
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	if err := b.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	d := b.Describe()
	if d == "" {
		t.Fatal("Describe is empty")
	}
	if strings.Contains(d, "@") || strings.Contains(strings.ToLower(d), "pass") {
		t.Fatalf("Describe %q may show credentials", d)
	}
}

// testConcurrent subscribes, publishes and cancels from many goroutines at
// once; run with -race it finds unsynchronised state.
func testConcurrent(t *testing.T, open Open) {
	b := mustOpen(t, open)
	const workers, msgs = 8, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			channel := fmt.Sprintf("doc:w%d", w%3) // some share a channel
			r := NewRecorder(workers*msgs + 16)
			cancel, err := b.Subscribe(context.Background(), channel, r.Handler())
			if err != nil {
				errs <- err
				return
			}
			defer cancel()
			if e, err := r.nextWithin(Timeout, "resync"); err != nil || !e.resync {
				errs <- fmt.Errorf("worker %d: first event %v, %v", w, e, err)
				return
			}
			for i := range msgs {
				mine := fmt.Sprintf("w%d-%d", w, i)
				if err := b.Publish(context.Background(), channel, []byte(mine)); err != nil {
					errs <- err
					return
				}
				// Wait for our own message; others' may come in between.
				for {
					e, err := r.nextWithin(Timeout, mine)
					if err != nil {
						errs <- fmt.Errorf("worker %d: %w", w, err)
						return
					}
					if string(e.data) == mine {
						break
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func testClose(t *testing.T, open Open) {
	before := runtime.NumGoroutine()
	b := open(t)
	r1, cancel1 := subscribe(t, b, "doc:x", 16)
	r2, _ := subscribe(t, b, "doc:y", 16)
	publish(t, b, "doc:x", "x")
	r1.WaitMessage(t, "x")
	publish(t, b, "doc:y", "y")
	r2.WaitMessage(t, "y")

	if err := b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	cancel1() // cancelling after Close is harmless
	ctx := context.Background()
	if err := b.Publish(ctx, "doc:x", []byte("late")); err == nil {
		t.Error("Publish after Close succeeded")
	}
	if cancel, err := b.Subscribe(ctx, "doc:x", NewRecorder(1).Handler()); err == nil {
		cancel()
		t.Error("Subscribe after Close succeeded")
	}
	if err := b.Ping(ctx); err == nil {
		t.Error("Ping after Close succeeded")
	}
	WaitGoroutines(t, before)
	for name, r := range map[string]*Recorder{"doc:x": r1, "doc:y": r2} {
		if got := r.drained(); len(got) != 0 {
			t.Errorf("%s got %v after Close", name, got)
		}
	}
}

// testCloseWhileBusy closes the bus while goroutines publish, subscribe and
// cancel: nothing panics or hangs, and every goroutine of the bus ends.
func testCloseWhileBusy(t *testing.T, open Open) {
	before := runtime.NumGoroutine()
	b := open(t)
	flowing := make(chan struct{})
	var once sync.Once
	h := collab.BusHandler{Message: func([]byte) { once.Do(func() { close(flowing) }) }}
	cancel, err := b.Subscribe(context.Background(), "doc:busy", h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cancel)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				ch := fmt.Sprintf("doc:busy%d", w)
				cancel, err := b.Subscribe(context.Background(), ch, collab.BusHandler{Message: func([]byte) {}})
				if err == nil {
					_ = b.Publish(context.Background(), ch, []byte("m"))
					cancel()
				}
				if err := b.Publish(context.Background(), "doc:busy", []byte("m")); err != nil {
					return // closed
				}
			}
		})
	}
	// Close once traffic is flowing, whatever the machine's speed.
	select {
	case <-flowing:
	case <-time.After(Timeout):
		t.Error("no message flowed")
	}
	if err := b.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	close(stop)
	wg.Wait()
	WaitGoroutines(t, before)
}

func testAcrossNodes(t *testing.T, open Open) {
	a := mustOpen(t, open)
	b := mustOpen(t, open)
	ra, _ := subscribe(t, a, "doc:n", 16)
	rb, _ := subscribe(t, b, "doc:n", 16)
	publish(t, a, "doc:n", "from a")
	ra.WaitMessage(t, "from a")
	rb.WaitMessage(t, "from a")
	publish(t, b, "doc:n", "from b")
	ra.WaitMessage(t, "from b")
	rb.WaitMessage(t, "from b")
}

func testOrderAcrossNodes(t *testing.T, open Open) {
	a := mustOpen(t, open)
	b := mustOpen(t, open)
	const n = 300
	r, _ := subscribe(t, b, "doc:o", n+8)
	for i := range n {
		publish(t, a, "doc:o", fmt.Sprint(i))
	}
	for i := range n {
		r.WaitMessage(t, fmt.Sprint(i))
	}
}

func testCancelAcrossNodes(t *testing.T, open Open) {
	a := mustOpen(t, open)
	b := mustOpen(t, open)
	ra, cancelA := subscribe(t, a, "doc:c", 16)
	rb, _ := subscribe(t, b, "doc:c", 16)
	cancelA()
	publish(t, a, "doc:c", "after")
	rb.WaitMessage(t, "after")
	// A later message on node a, through a barrier subscription, shows
	// that node a has handled "after" too: it would have arrived first.
	barrier, _ := subscribe(t, a, "doc:barrier", 16)
	publish(t, a, "doc:barrier", "b")
	barrier.WaitMessage(t, "b")
	if got := ra.drained(); len(got) != 0 {
		t.Fatalf("cancelled subscription on node a got %v", got)
	}
}

// WaitGoroutines waits until no more goroutines run than before, and fails
// the test with their stacks if that does not happen within Timeout. A
// goroutine's end is no event one can wait on, so this polls, as goleak
// does.
func WaitGoroutines(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(Timeout)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		n := runtime.NumGoroutine()
		if n <= before {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Errorf("%d goroutines still run after Close, %d before the bus was opened:\n%s", n, before, buf)
			return
		}
		<-tick.C
	}
}
