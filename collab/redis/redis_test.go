package redis_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/bustest"
	"github.com/temaplan/temaplan/collab/redis"
	"github.com/temaplan/temaplan/collab/redis/redistest"
)

// server is the Redis that the tests of this package share, started by
// TestMain (or named by REDIS_URL). runID keeps the key prefixes of this
// run apart from those of other runs on a shared Redis.
var (
	server *redistest.Server
	runID  string
)

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	srv, err := redistest.Start(ctx)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	server = srv
	runID = randomHex(4)
	code := m.Run()
	if err := srv.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	os.Exit(code)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// prefix is the key prefix of test t: the same for every node that t
// opens, different from every other test's.
func prefix(t *testing.T) string {
	return "temaplan-test:" + runID + ":" + t.Name() + ":"
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// open opens a node on url with the test's prefix; the caller closes it.
func open(t *testing.T, url string) *redis.Bus {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), bustest.Timeout)
	defer cancel()
	b, err := redis.Open(ctx, url, redis.Options{Prefix: prefix(t)}, testLogger(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return b
}

// mustOpen is open with Close at the end of the test.
func mustOpen(t *testing.T, url string) *redis.Bus {
	t.Helper()
	b := open(t, url)
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return b
}

func TestBus_Contract(t *testing.T) {
	bustest.Run(t, func(t *testing.T) collab.Bus { return open(t, server.URL()) })
}

func TestBus_MultiNode(t *testing.T) {
	bustest.RunMultiNode(t, func(t *testing.T) collab.Bus { return open(t, server.URL()) })
}

func TestBus_Describe(t *testing.T) {
	b := mustOpen(t, server.URL())
	want := "redis "
	if addr := server.Addr(); addr != "" {
		want += addr
	}
	if got := b.Describe(); !strings.HasPrefix(got, want) || strings.Contains(got, "@") {
		t.Fatalf("Describe() = %q, want %q", got, want)
	}
}

func TestBus_PrefixesIsolateDeployments(t *testing.T) {
	ctx := context.Background()
	a, err := redis.Open(ctx, server.URL(), redis.Options{Prefix: prefix(t) + "a:"}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	b, err := redis.Open(ctx, server.URL(), redis.Options{Prefix: prefix(t) + "b:"}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })

	ra := subscribe(t, a, "doc:1")
	rb := subscribe(t, b, "doc:1")
	publish(t, a, "doc:1", "for a")
	publish(t, b, "doc:1", "for b")
	publish(t, a, "doc:1", "end")
	publish(t, b, "doc:1", "end")
	// Redis handled the publishes in this order, so a message crossing
	// over would arrive before the "end" of the node it reached.
	ra.WaitMessage(t, "for a")
	ra.WaitMessage(t, "end")
	rb.WaitMessage(t, "for b")
	rb.WaitMessage(t, "end")
}

// TestBus_OneRedisSubscriptionPerChannel checks the reference counting:
// several handlers of one channel share one Redis subscription, which ends
// with the last of them.
func TestBus_OneRedisSubscriptionPerChannel(t *testing.T) {
	b := mustOpen(t, server.URL())
	admin := adminClient(t, server.URL())
	name := prefix(t) + "doc:rc"

	r1, cancel1 := subscribeCancel(t, b, "doc:rc")
	r2, cancel2 := subscribeCancel(t, b, "doc:rc")
	if n := numSub(t, admin, name); n != 1 {
		t.Fatalf("PUBSUB NUMSUB = %d with two handlers, want 1 connection", n)
	}
	cancel1()
	publish(t, b, "doc:rc", "still")
	r2.WaitMessage(t, "still")
	if n := r1.Pending(); n != 0 {
		t.Fatalf("cancelled handler got %d messages", n)
	}
	cancel2()
	// UNSUBSCRIBE is sent asynchronously: wait for Redis to drop it.
	waitFor(t, "the Redis subscription to end", func() bool { return numSub(t, admin, name) == 0 })
}

// TestBus_ResyncAfterRedisRestart is the reconnect drill: go-redis
// reconnects and resubscribes silently, and the bus must notice that and
// resync every subscription; messages published afterwards arrive.
func TestBus_ResyncAfterRedisRestart(t *testing.T) {
	srv := ownServer(t)
	b := mustOpen(t, srv.URL())
	other := mustOpen(t, srv.URL()) // a second node, publishing
	r := subscribe(t, b, "doc:restart")
	r2 := subscribe(t, b, "doc:restart")
	publish(t, other, "doc:restart", "before")
	r.WaitMessage(t, "before")
	r2.WaitMessage(t, "before")

	start := time.Now()
	if err := srv.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The resubscription is noticed: both handlers resync again.
	r.WaitResync(t)
	r2.WaitResync(t)
	t.Logf("resynced %v after the restart began", time.Since(start))

	publishRetrying(t, other, "doc:restart", "after")
	r.WaitMessage(t, "after")
	r2.WaitMessage(t, "after")
	// A new subscription on the reconnected bus resyncs and receives too.
	r3 := subscribe(t, b, "doc:restart")
	publish(t, other, "doc:restart", "later")
	r3.WaitMessage(t, "later")
	r.WaitMessage(t, "later")
	if err := b.Ping(context.Background()); err != nil {
		t.Fatalf("Ping after restart: %v", err)
	}
}

// TestBus_SubscribeWhileRedisIsDown subscribes during an outage: Subscribe
// succeeds, Publish fails, and once Redis is back the subscription is
// confirmed, resynced and receives.
func TestBus_SubscribeWhileRedisIsDown(t *testing.T) {
	srv := ownServer(t)
	b := mustOpen(t, srv.URL())
	old := subscribe(t, b, "doc:old")
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}

	r := bustest.NewRecorder(16)
	cancel, err := b.Subscribe(context.Background(), "doc:new", r.Handler())
	if err != nil {
		t.Fatalf("Subscribe while Redis is down: %v", err)
	}
	t.Cleanup(cancel)
	// go-redis retries until the deadline: keep it short.
	ctx, cancelCtx := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancelCtx()
	if err := b.Publish(ctx, "doc:new", []byte("lost")); collab.ErrorCode(err) != collab.CodeUnavailable {
		t.Fatalf("Publish while Redis is down: %v, want code %s", err, collab.CodeUnavailable)
	}
	if err := b.Ping(ctx); err == nil {
		t.Fatal("Ping while Redis is down succeeded")
	}

	if err := srv.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.WaitResync(t)
	old.WaitResync(t)
	publishRetrying(t, b, "doc:new", "back")
	r.WaitMessage(t, "back")
	publish(t, b, "doc:old", "back too")
	old.WaitMessage(t, "back too")
}

func TestOpen_Errors(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), bustest.Timeout)
	defer cancel()
	if _, err := redis.Open(ctx, "http://nowhere", redis.Options{}, nil); err == nil {
		t.Error("Open with a bad URL succeeded")
	}
	// A port nobody listens on: Open fails at once instead of starting a
	// bus that never connects.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	if b, err := redis.Open(ctx, "redis://"+addr, redis.Options{}, nil); err == nil {
		_ = b.Close()
		t.Errorf("Open on %s, where nothing listens, succeeded", addr)
	}
}

// ownServer starts a redis-server for one test, whatever REDIS_URL says:
// the test restarts it.
func ownServer(t *testing.T) *redistest.Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := redistest.StartLocal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

func subscribe(t *testing.T, b collab.Bus, channel string) *bustest.Recorder {
	t.Helper()
	r, _ := subscribeCancel(t, b, channel)
	return r
}

func subscribeCancel(t *testing.T, b collab.Bus, channel string) (*bustest.Recorder, func()) {
	t.Helper()
	r := bustest.NewRecorder(64)
	cancel, err := b.Subscribe(context.Background(), channel, r.Handler())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cancel)
	r.WaitResync(t)
	return r, cancel
}

func publish(t *testing.T, b collab.Bus, channel, data string) {
	t.Helper()
	if err := b.Publish(context.Background(), channel, []byte(data)); err != nil {
		t.Fatalf("Publish: %v", err)
	}
}

// publishRetrying publishes right after a restart, when the client's pooled
// connections may still be the dead ones.
func publishRetrying(t *testing.T, b collab.Bus, channel, data string) {
	t.Helper()
	var err error
	waitFor(t, "a publish to succeed", func() bool {
		err = b.Publish(context.Background(), channel, []byte(data))
		return err == nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond until it holds, failing the test after
// bustest.Timeout. It is for conditions that no event announces.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(bustest.Timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", bustest.Timeout, what)
		}
		<-tick.C
	}
}

func adminClient(t *testing.T, url string) *goredis.Client {
	t.Helper()
	o, err := goredis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := goredis.NewClient(o)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func numSub(t *testing.T, c *goredis.Client, channel string) int64 {
	t.Helper()
	m, err := c.PubSubNumSub(context.Background(), channel).Result()
	if err != nil {
		t.Fatal(err)
	}
	return m[channel]
}
