package collab_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/delta"
	"github.com/temaplan/temaplan/collab/mongo"
	"github.com/temaplan/temaplan/collab/mongo/mongotest"
	"github.com/temaplan/temaplan/collab/redis"
	"github.com/temaplan/temaplan/collab/redis/redistest"
	"github.com/temaplan/temaplan/collab/sqlite"
)

// mongoServer is the Mongo-compatible server of this test binary (embedded
// FerretDB, or MONGODB_URI), started once in TestMain.
var mongoServer *mongotest.Server

func TestMain(m *testing.M) {
	srv, err := mongotest.Start(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "start MongoDB test server:", err)
		os.Exit(1)
	}
	mongoServer = srv
	code := m.Run()
	srv.Close()
	os.Exit(code)
}

// backend is a store under test. scale divides op counts for slow
// backends (FerretDB scans without indexes).
type backend struct {
	name  string
	open  func(t *testing.T) collab.Store
	scale int
}

func backends() []backend {
	return []backend{
		{name: "sqlite", scale: 1, open: func(t *testing.T) collab.Store {
			s, err := sqlite.Open(context.Background(), t.TempDir()+"/temaplan.db", nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}},
		{name: "mongo", scale: 4, open: func(t *testing.T) collab.Store {
			s, err := mongo.Open(context.Background(), mongoServer.URI(), mongotest.DB(t, mongoServer), nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}},
	}
}

// forEachBackend runs fn as a subtest per store.
func forEachBackend(t *testing.T, fn func(t *testing.T, b backend)) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			fn(t, b)
		})
	}
}

func newEngine(t *testing.T, store collab.OpStore, bus collab.Bus, tune func(*collab.EngineConfig)) *collab.Engine {
	cfg := collab.EngineConfig{Store: store, Bus: bus}
	if tune != nil {
		tune(&cfg)
	}
	e, err := collab.NewEngine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// countingMetrics records what an engine reports to its metrics.
type countingMetrics struct {
	mu       sync.Mutex
	gapFills int
	resends  int
	refused  map[collab.Code]int
}

func (m *countingMetrics) Committed(int, time.Duration) {}
func (m *countingMetrics) BusLag(time.Duration)         {}
func (m *countingMetrics) GapFilled(n int)              { m.mu.Lock(); m.gapFills += n; m.mu.Unlock() }
func (m *countingMetrics) Resent()                      { m.mu.Lock(); m.resends++; m.mu.Unlock() }
func (m *countingMetrics) Refused(code collab.Code) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.refused == nil {
		m.refused = map[collab.Code]int{}
	}
	m.refused[code]++
}

func (m *countingMetrics) counts() (gapFills, resends int, refused map[collab.Code]int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.gapFills, m.resends, maps.Clone(m.refused)
}

func newBus(t *testing.T) *collab.MemoryBus {
	b := collab.NewMemoryBus()
	t.Cleanup(func() { b.Close() })
	return b
}

func parse(t testing.TB, s string) delta.Delta {
	t.Helper()
	var d delta.Delta
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		t.Fatalf("parse %s: %v", s, err)
	}
	return d
}

func insertAt(t testing.TB, index int, text string) delta.Delta {
	if index == 0 {
		return parse(t, fmt.Sprintf(`{"ops":[{"insert":%q}]}`, text))
	}
	return parse(t, fmt.Sprintf(`{"ops":[{"retain":%d},{"insert":%q}]}`, index, text))
}

func docText(t testing.TB, d delta.Delta) string {
	t.Helper()
	var doc struct {
		Ops []struct {
			Insert any `json:"insert"`
		} `json:"ops"`
	}
	b, _ := json.Marshal(d)
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	for _, op := range doc.Ops {
		s, _ := op.Insert.(string)
		sb.WriteString(s)
	}
	// Every section ends with the empty line it starts with (EmptyDoc).
	text, ok := strings.CutSuffix(sb.String(), "\n")
	if !ok {
		t.Fatalf("document %q does not end with a newline", sb.String())
	}
	return text
}

// checkLog asserts that doc's log is gapless from 0 and holds every
// (src, seq) at most once, and returns it.
func checkLog(t *testing.T, store collab.OpStore, doc string) []collab.OpRecord {
	t.Helper()
	recs, err := store.Ops(context.Background(), doc, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int64{}
	for i, r := range recs {
		if r.V != int64(i) {
			t.Fatalf("log of %s has version %d at position %d", doc, r.V, i)
		}
		k := fmt.Sprintf("%s/%d", r.Src, r.Seq)
		if v, dup := seen[k]; dup {
			t.Fatalf("op %s committed twice: at %d and %d", k, v, r.V)
		}
		seen[k] = r.V
	}
	return recs
}

// writer submits n one-character inserts at the start of doc, each made on
// the version of its own last ack (sometimes an older one), as clients with
// a lagging view do: the engine must transform them all into place.
func writer(ctx context.Context, e *collab.Engine, doc, src string, n int, rng *rand.Rand) error {
	var v int64
	for seq := int64(1); seq <= int64(n); seq++ {
		var op delta.Delta
		if err := json.Unmarshal([]byte(fmt.Sprintf(`{"ops":[{"insert":%q}]}`, src[:1])), &op); err != nil {
			return err
		}
		got, err := e.Submit(ctx, collab.Submission{Doc: doc, V: v, Src: src, Seq: seq, By: src, Op: op})
		if err != nil {
			return fmt.Errorf("%s seq %d: %w", src, seq, err)
		}
		v = got + 1
		if rng.IntN(4) == 0 {
			v = max(0, v-int64(rng.IntN(5)))
		}
	}
	return nil
}

func TestEngine_ConcurrentSubmitsConverge(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		store := b.open(t)
		e := newEngine(t, store, newBus(t), nil)
		ctx := context.Background()
		const writers = 8
		n := 40 / b.scale
		docs := []string{"doc-a", "doc-b", "doc-c"}
		var wg sync.WaitGroup
		errs := make(chan error, writers*len(docs))
		for _, doc := range docs {
			for w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(uint64(w), 7))
					errs <- writer(ctx, e, doc, fmt.Sprintf("%c%d", 'a'+w, w), n, rng)
				}()
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		for _, doc := range docs {
			recs := checkLog(t, store, doc)
			if len(recs) != writers*n {
				t.Fatalf("%s: %d ops in the log, want %d", doc, len(recs), writers*n)
			}
			v, content, err := e.Snapshot(ctx, doc)
			if err != nil {
				t.Fatal(err)
			}
			if v != int64(writers*n) || len([]rune(docText(t, content))) != writers*n {
				t.Fatalf("%s: v=%d text=%q, want %d chars", doc, v, docText(t, content), writers*n)
			}
			for w := range writers {
				if c := strings.Count(docText(t, content), fmt.Sprintf("%c", 'a'+w)); c != n {
					t.Fatalf("%s: writer %d has %d chars, want %d", doc, w, c, n)
				}
			}
		}
	})
}

func TestEngine_DuplicateResubmitIsAckedOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		store := b.open(t)
		metrics := &countingMetrics{}
		e := newEngine(t, store, newBus(t), func(c *collab.EngineConfig) { c.Metrics = metrics })
		ctx := context.Background()
		sub := collab.Submission{Doc: "d", V: 0, Src: "c1", Seq: 1, By: "u", Op: insertAt(t, 0, "hei")}
		v1, err := e.Submit(ctx, sub)
		if err != nil {
			t.Fatal(err)
		}
		other := collab.Submission{Doc: "d", V: 1, Src: "c2", Seq: 1, By: "u", Op: insertAt(t, 0, "x")}
		if _, err := e.Submit(ctx, other); err != nil {
			t.Fatal(err)
		}
		// Resends, sequential and concurrent, all get the first version.
		var wg sync.WaitGroup
		got := make(chan int64, 6)
		for range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				v, err := e.Submit(ctx, sub)
				if err != nil {
					t.Error(err)
				}
				got <- v
			}()
		}
		wg.Wait()
		close(got)
		for v := range got {
			if v != v1 {
				t.Fatalf("resend acked at %d, want %d", v, v1)
			}
		}
		if recs := checkLog(t, store, "d"); len(recs) != 2 {
			t.Fatalf("log has %d ops, want 2", len(recs))
		}
		if _, content, _ := e.Snapshot(ctx, "d"); docText(t, content) != "xhei" {
			t.Fatalf("content %q, want %q", docText(t, content), "xhei")
		}
		// Copies in one batch are answered with the first: 1 to 6 resends.
		if _, resends, refused := metrics.counts(); resends < 1 || resends > 6 || len(refused) != 0 {
			t.Errorf("metrics: %d resends, refused %v; want 1–6 and none", resends, refused)
		}
	})
}

// TestEngine_ResendAfterCommittingNodeDied: node A committed an op and died
// before publishing or acking it. The client resends it to node B, which
// has never heard of it: B must ack the committed version — also after a
// lock came in between — and never store it twice.
func TestEngine_ResendAfterCommittingNodeDied(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		for _, lockBetween := range []bool{false, true} {
			t.Run(fmt.Sprintf("lock=%v", lockBetween), func(t *testing.T) {
				store := b.open(t)
				ctx := context.Background()
				nodeB := newEngine(t, store, newBus(t), nil)
				if _, err := nodeB.Submit(ctx, collab.Submission{Doc: "d", V: 0, Src: "other", Seq: 1, By: "u", Op: insertAt(t, 0, "ab")}); err != nil {
					t.Fatal(err)
				}
				// Node A: commits straight to the store, then dies.
				nodeA, err := collab.NewEngine(collab.EngineConfig{Store: store, Bus: collab.NewMemoryBus()})
				if err != nil {
					t.Fatal(err)
				}
				vA, err := nodeA.Submit(ctx, collab.Submission{Doc: "d", V: 1, Src: "tab", Seq: 9, By: "u", Op: insertAt(t, 1, "X")})
				if err != nil {
					t.Fatal(err)
				}
				nodeA.Close()
				if lockBetween {
					if _, err := nodeB.Mark(ctx, "d", collab.OpLock, "steering"); err != nil {
						t.Fatal(err)
					}
				}
				vB, err := nodeB.Submit(ctx, collab.Submission{Doc: "d", V: 1, Src: "tab", Seq: 9, By: "u", Op: insertAt(t, 1, "X")})
				if err != nil {
					t.Fatalf("resend refused: %v", err)
				}
				if vB != vA {
					t.Fatalf("resend acked at %d, committed at %d", vB, vA)
				}
				recs := checkLog(t, store, "d")
				want := 2
				if lockBetween {
					want = 3
				}
				if len(recs) != want {
					t.Fatalf("log has %d ops, want %d", len(recs), want)
				}
				if _, content, _ := nodeB.Snapshot(ctx, "d"); docText(t, content) != "aXb" {
					t.Fatalf("content %q, want aXb", docText(t, content))
				}
				if lockBetween {
					_, err := nodeB.Submit(ctx, collab.Submission{Doc: "d", V: 3, Src: "tab", Seq: 10, By: "u", Op: insertAt(t, 0, "Y")})
					if collab.ErrorCode(err) != collab.CodeLocked {
						t.Fatalf("new op after the lock: %v, want locked", err)
					}
				}
			})
		}
	})
}

func TestEngine_TwoNodesRaceOnOneStore(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		store := b.open(t)
		bus := newBus(t)
		nodes := []*collab.Engine{newEngine(t, store, bus, nil), newEngine(t, store, bus, nil)}
		ctx := context.Background()
		n := 30 / b.scale
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(w), 11))
				errs <- writer(ctx, nodes[w%2], "race", fmt.Sprintf("%c%d", 'a'+w, w), n, rng)
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		recs := checkLog(t, store, "race")
		if len(recs) != 8*n {
			t.Fatalf("%d ops in the log, want %d", len(recs), 8*n)
		}
		// Both nodes converge on the log's content.
		var texts []string
		for _, node := range nodes {
			deadline := time.Now().Add(5 * time.Second)
			for {
				v, content, err := node.Snapshot(ctx, "race")
				if err != nil {
					t.Fatal(err)
				}
				if v == int64(len(recs)) {
					texts = append(texts, docText(t, content))
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("node stuck at v=%d, log has %d", v, len(recs))
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
		if texts[0] != texts[1] || len(texts[0]) != 8*n {
			t.Fatalf("nodes diverge: %q vs %q", texts[0], texts[1])
		}
	})
}

// lossyBus drops every op message whose version drop says, to test that
// receivers fill gaps from the log.
type lossyBus struct {
	collab.Bus
	drop func(v int64) bool
}

func (l *lossyBus) Publish(ctx context.Context, channel string, data []byte) error {
	var m struct {
		Type string
		V    int64
	}
	if json.Unmarshal(data, &m) == nil && m.Type == "op" && l.drop(m.V) {
		return nil
	}
	return l.Bus.Publish(ctx, channel, data)
}

// recorder is a subscription sink that keeps every message.
type recorder struct {
	mu     sync.Mutex
	msgs   []map[string]any
	joined int // messages of several lines
	ch     chan struct{}
}

func newRecorder() *recorder { return &recorder{ch: make(chan struct{}, 1)} }

// sink keeps each line of msg: the ops of one commit come as one message
// of lines.
func (r *recorder) sink(msg []byte) bool {
	var ms []map[string]any
	for line := range bytes.SplitSeq(msg, []byte{'\n'}) {
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			panic(err)
		}
		ms = append(ms, m)
	}
	r.mu.Lock()
	r.msgs = append(r.msgs, ms...)
	if len(ms) > 1 {
		r.joined++
	}
	r.mu.Unlock()
	select {
	case r.ch <- struct{}{}:
	default:
	}
	return true
}

// waitFor waits until cond holds for the recorded messages.
func (r *recorder) waitFor(t *testing.T, what string, cond func(msgs []map[string]any) bool) []map[string]any {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		r.mu.Lock()
		msgs := append([]map[string]any(nil), r.msgs...)
		r.mu.Unlock()
		if cond(msgs) {
			return msgs
		}
		select {
		case <-r.ch:
		case <-deadline:
			t.Fatalf("timed out waiting for %s; got %d messages", what, len(msgs))
		}
	}
}

func opVersions(msgs []map[string]any) []int64 {
	var vs []int64
	for _, m := range msgs {
		if m["type"] == "op" {
			vs = append(vs, int64(m["v"].(float64)))
		}
	}
	return vs
}

func TestEngine_GapFillAfterDroppedBusMessages(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		store := b.open(t)
		bus := newBus(t)
		tune := func(c *collab.EngineConfig) { c.Beacon = 50 * time.Millisecond }
		nodeA := newEngine(t, store, &lossyBus{Bus: bus, drop: func(v int64) bool { return v%3 != 0 }}, tune)
		metrics := &countingMetrics{}
		nodeB := newEngine(t, store, bus, func(c *collab.EngineConfig) { tune(c); c.Metrics = metrics })
		ctx := context.Background()
		rec := newRecorder()
		if _, err := nodeB.Subscribe(ctx, "gap", nil, rec.sink); err != nil {
			t.Fatal(err)
		}
		n := 20
		for i := range n {
			if _, err := nodeA.Submit(ctx, collab.Submission{Doc: "gap", V: int64(i), Src: "a", Seq: int64(i + 1), By: "u", Op: insertAt(t, i, "x")}); err != nil {
				t.Fatal(err)
			}
		}
		// The last op (v=19) is dropped too: only the beacon tells B.
		msgs := rec.waitFor(t, "all ops on node B", func(m []map[string]any) bool { return len(opVersions(m)) >= n })
		for i, v := range opVersions(msgs) {
			if v != int64(i) {
				t.Fatalf("node B delivered version %d at position %d: %v", v, i, opVersions(msgs))
			}
		}
		_, content, _ := nodeB.Snapshot(ctx, "gap")
		if docText(t, content) != strings.Repeat("x", n) {
			t.Fatalf("node B content %q", docText(t, content))
		}
		// 13 of the 20 were dropped; B read at least those from the log.
		if gapFills, _, _ := metrics.counts(); gapFills < 13 || gapFills > n {
			t.Errorf("node B filled %d ops from the log, want 13–%d", gapFills, n)
		}
	})
}

func TestEngine_StaleVersionAndCatchUp(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		store := b.open(t)
		e := newEngine(t, store, newBus(t), func(c *collab.EngineConfig) { c.Window = 5; c.CatchUpLimit = 8 })
		ctx := context.Background()
		for i := range 12 {
			if _, err := e.Submit(ctx, collab.Submission{Doc: "s", V: int64(i), Src: "w", Seq: int64(i + 1), By: "u", Op: insertAt(t, 0, "a")}); err != nil {
				t.Fatal(err)
			}
		}
		_, err := e.Submit(ctx, collab.Submission{Doc: "s", V: 2, Src: "late", Seq: 1, By: "u", Op: insertAt(t, 0, "b")})
		if collab.ErrorCode(err) != collab.CodeStale {
			t.Fatalf("op 10 versions behind a window of 5: %v, want stale", err)
		}
		// A resend older than the window is still recognised (store lookup).
		v, err := e.Submit(ctx, collab.Submission{Doc: "s", V: 0, Src: "w", Seq: 1, By: "u", Op: insertAt(t, 0, "a")})
		if err != nil || v != 0 {
			t.Fatalf("old resend: v=%d err=%v, want v=0", v, err)
		}
		// Catch-up from a version within the limit: ops, then synced.
		rec := newRecorder()
		from := int64(6)
		if _, err := e.Subscribe(ctx, "s", &from, rec.sink); err != nil {
			t.Fatal(err)
		}
		msgs := rec.waitFor(t, "synced", func(m []map[string]any) bool { return len(m) > 0 && m[len(m)-1]["type"] == "synced" })
		if vs := opVersions(msgs); len(vs) != 6 || vs[0] != 6 || vs[5] != 11 {
			t.Fatalf("catch-up versions %v, want 6..11", vs)
		}
		// Beyond the limit: a snapshot.
		rec2 := newRecorder()
		from = 1
		if _, err := e.Subscribe(ctx, "s", &from, rec2.sink); err != nil {
			t.Fatal(err)
		}
		msgs = rec2.waitFor(t, "snapshot", func(m []map[string]any) bool { return len(m) > 0 })
		if msgs[0]["type"] != "snapshot" || msgs[0]["v"].(float64) != 12 {
			t.Fatalf("first message %v, want snapshot at 12", msgs[0])
		}
		if recs := checkLog(t, store, "s"); len(recs) != 12 {
			t.Fatalf("%d ops, want 12", len(recs))
		}
	})
}

// TestEngine_OpAheadOfTheNodeIsPreparedOnTheCaughtUpHead: a client knows
// versions its node has not heard of (the bus lost them). The node catches
// up before it prepares the op, and prepares it on the caught-up text: the
// op is made on that text, and what the node then holds is what the log
// replays to.
func TestEngine_OpAheadOfTheNodeIsPreparedOnTheCaughtUpHead(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		store := b.open(t)
		ctx := context.Background()
		deaf := &lossyBus{Bus: newBus(t), drop: func(int64) bool { return true }}
		a := newEngine(t, store, deaf, nil)
		bNode := newEngine(t, store, deaf, nil)
		if _, _, err := bNode.Snapshot(ctx, "d"); err != nil { // loaded at version 0
			t.Fatal(err)
		}
		for i, text := range []string{"abc", "def", "ghi"} {
			if _, err := a.Submit(ctx, collab.Submission{Doc: "d", V: int64(i), Src: "a", Seq: int64(i + 1), By: "u", Op: insertAt(t, 3*i, text)}); err != nil {
				t.Fatal(err)
			}
		}
		// Made on version 3, "abcdefghi": replaces "def" by "X", which
		// does not fit the empty text node b still holds.
		op := parse(t, `{"ops":[{"retain":3},{"insert":"X"},{"delete":3}]}`)
		v, err := bNode.Submit(ctx, collab.Submission{Doc: "d", V: 3, Src: "b", Seq: 1, By: "u", Op: op})
		if err != nil || v != 3 {
			t.Fatalf("op made on v3 at a node still at v0: v=%d err=%v, want v=3", v, err)
		}
		_, content, err := bNode.Snapshot(ctx, "d")
		if err != nil {
			t.Fatal(err)
		}
		if got := docText(t, content); got != "abcXghi" {
			t.Fatalf("node b holds %q, want %q", got, "abcXghi")
		}
		// A later op on b applies to that text too.
		v, err = bNode.Submit(ctx, collab.Submission{Doc: "d", V: 4, Src: "b", Seq: 2, By: "u", Op: insertAt(t, 7, "!")})
		if err != nil || v != 4 {
			t.Fatalf("next op: v=%d err=%v", v, err)
		}
		if _, content, _ := bNode.Snapshot(ctx, "d"); docText(t, content) != "abcXghi!" {
			t.Fatalf("node b holds %q, want %q", docText(t, content), "abcXghi!")
		}
		if recs := checkLog(t, store, "d"); len(recs) != 5 {
			t.Fatalf("%d ops in the log, want 5", len(recs))
		}
	})
}

// countingStore counts the store lookups of resends.
type countingStore struct {
	collab.OpStore
	bySource atomic.Int64
}

func (c *countingStore) OpBySource(ctx context.Context, doc, src string, seq int64) (collab.OpRecord, bool, error) {
	c.bySource.Add(1)
	return c.OpStore.OpBySource(ctx, doc, src, seq)
}

// TestEngine_WindowUnderManyCommits commits many times the window's size,
// so its array is reused many times over: every resend is still acked at
// the version it was committed at — from memory when it is in the window,
// by a store lookup when it is older — and a new op is taken exactly when
// the version it was made on is in the window, stale when it is older.
func TestEngine_WindowUnderManyCommits(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		const window = 7
		store := &countingStore{OpStore: b.open(t)}
		e := newEngine(t, store, newBus(t), func(c *collab.EngineConfig) { c.Window = window })
		ctx := context.Background()
		n := 120 / b.scale
		for i := range n {
			src := fmt.Sprintf("tab%d", i%3)
			if _, err := e.Submit(ctx, collab.Submission{Doc: "w", V: int64(i), Src: src, Seq: int64(i + 1), By: "u", Op: insertAt(t, 0, "a")}); err != nil {
				t.Fatal(err)
			}
		}
		for i := n - 1; i >= 0; i-- {
			before := store.bySource.Load()
			src := fmt.Sprintf("tab%d", i%3)
			v, err := e.Submit(ctx, collab.Submission{Doc: "w", V: int64(i), Src: src, Seq: int64(i + 1), By: "u", Op: insertAt(t, 0, "a")})
			if err != nil || v != int64(i) {
				t.Fatalf("resend of v%d: v=%d err=%v", i, v, err)
			}
			lookedUp := store.bySource.Load() > before
			if inWindow := i >= n-window; lookedUp == inWindow {
				t.Fatalf("resend of v%d (window from %d): looked up in the store: %v", i, n-window, lookedUp)
			}
		}
		_, err := e.Submit(ctx, collab.Submission{Doc: "w", V: int64(n - window - 1), Src: "late", Seq: 1, By: "u", Op: insertAt(t, 0, "b")})
		if collab.ErrorCode(err) != collab.CodeStale {
			t.Fatalf("op made just before the window: %v, want stale", err)
		}
		v, err := e.Submit(ctx, collab.Submission{Doc: "w", V: int64(n - window), Src: "late", Seq: 2, By: "u", Op: insertAt(t, 0, "b")})
		if err != nil || v != int64(n) {
			t.Fatalf("op made on the window's first version: v=%d err=%v, want v=%d", v, err, n)
		}
		if recs := checkLog(t, store, "w"); len(recs) != n+1 {
			t.Fatalf("%d ops in the log, want %d", len(recs), n+1)
		}
	})
}

func TestEngine_LockIsExact(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		store := b.open(t)
		e := newEngine(t, store, newBus(t), nil)
		ctx := context.Background()
		// Writers race with the lock: every op is either before the marker
		// in the log, or refused as locked — never after it.
		var wg sync.WaitGroup
		results := make(chan error, 4*20)
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 10 / b.scale * 2 {
					_, err := e.Submit(ctx, collab.Submission{Doc: "l", V: 0, Src: fmt.Sprintf("w%d", w), Seq: int64(i + 1), By: "u", Op: insertAt(t, 0, "z")})
					results <- err
				}
			}()
		}
		// Let some ops in before the lock.
		for deadline := time.Now().Add(5 * time.Second); ; {
			if v, _, _ := e.Snapshot(ctx, "l"); v >= 3 || time.Now().After(deadline) {
				break
			}
			runtime.Gosched()
		}
		lockV, err := e.Mark(ctx, "l", collab.OpLock, "steering")
		if err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		close(results)
		committed := 0
		for err := range results {
			switch collab.ErrorCode(err) {
			case "":
				committed++
			case collab.CodeLocked:
			default:
				t.Fatalf("unexpected error %v", err)
			}
		}
		recs := checkLog(t, store, "l")
		if int64(committed) != lockV || recs[lockV].Kind != collab.OpLock || int64(len(recs)) != lockV+1 {
			t.Fatalf("%d acked, lock at %d, log %d: an op landed after the lock", committed, lockV, len(recs))
		}
		if _, err := e.Mark(ctx, "l", collab.OpUnlock, "steering"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Submit(ctx, collab.Submission{Doc: "l", V: lockV + 2, Src: "after", Seq: 1, By: "u", Op: insertAt(t, 0, "ok")}); err != nil {
			t.Fatalf("after unlock: %v", err)
		}
	})
}

func TestEngine_RefusesBadOpsAndWritesNothing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		store := b.open(t)
		metrics := &countingMetrics{}
		e := newEngine(t, store, newBus(t), func(c *collab.EngineConfig) { c.MaxDocLength = 10; c.Metrics = metrics })
		ctx := context.Background()
		if _, err := e.Submit(ctx, collab.Submission{Doc: "b", V: 0, Src: "c", Seq: 1, By: "u", Op: insertAt(t, 0, "abc")}); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name string
			sub  collab.Submission
			code collab.Code
		}{
			{"retain past the end", collab.Submission{V: 1, Op: parse(t, `{"ops":[{"retain":9},{"insert":"x"}]}`)}, collab.CodeBadOp},
			{"delete past the end", collab.Submission{V: 1, Op: parse(t, `{"ops":[{"delete":5}]}`)}, collab.CodeBadOp},
			{"too long", collab.Submission{V: 1, Op: insertAt(t, 0, "0123456789")}, collab.CodeTooLarge},
			{"future version", collab.Submission{V: 7, Op: insertAt(t, 0, "x")}, collab.CodeBadRequest},
			{"negative version", collab.Submission{V: -1, Op: insertAt(t, 0, "x")}, collab.CodeBadRequest},
		}
		for i, c := range cases {
			c.sub.Doc, c.sub.Src, c.sub.Seq, c.sub.By = "b", "bad", int64(i+1), "u"
			if _, err := e.Submit(ctx, c.sub); collab.ErrorCode(err) != c.code {
				t.Errorf("%s: %v, want %s", c.name, err, c.code)
			}
		}
		if recs := checkLog(t, store, "b"); len(recs) != 1 {
			t.Fatalf("%d ops in the log after bad ops, want 1", len(recs))
		}
		if _, _, refused := metrics.counts(); refused[collab.CodeBadOp] != 2 || refused[collab.CodeTooLarge] != 1 {
			t.Errorf("refusals counted %v, want 2 bad_op and 1 too_large", refused)
		}
	})
}

func TestEngine_SnapshotsBoundReplay(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		store := b.open(t)
		ctx := context.Background()
		e := newEngine(t, store, newBus(t), func(c *collab.EngineConfig) { c.SnapshotEvery = 10 })
		n := 45
		for i := range n {
			if _, err := e.Submit(ctx, collab.Submission{Doc: "m", V: int64(i), Src: "w", Seq: int64(i + 1), By: "u", Op: insertAt(t, i, "k")}); err != nil {
				t.Fatal(err)
			}
		}
		snap, ok, err := store.LatestSnapshot(ctx, "m", -1)
		if err != nil || !ok {
			t.Fatalf("no snapshot: %v", err)
		}
		if int64(n)-snap.V > 10 {
			t.Fatalf("latest snapshot at %d of %d: a load would replay more than 10 ops", snap.V, n)
		}
		// A fresh node loads snapshot + tail and serves the same content.
		fresh := newEngine(t, store, newBus(t), nil)
		v, content, err := fresh.Snapshot(ctx, "m")
		if err != nil || v != int64(n) || docText(t, content) != strings.Repeat("k", n) {
			t.Fatalf("fresh load: v=%d %q err=%v", v, docText(t, content), err)
		}
	})
}

func TestEngine_SubscriberGetsAckNotBroadcast(t *testing.T) {
	store := backends()[0].open(t)
	e := newEngine(t, store, newBus(t), nil)
	ctx := context.Background()
	a, b := newRecorder(), newRecorder()
	subA, err := e.Subscribe(ctx, "p", nil, a.sink)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Subscribe(ctx, "p", nil, b.sink); err != nil {
		t.Fatal(err)
	}
	subA.Submit(collab.Submission{V: 0, Src: "ta", Seq: 1, By: "u", Op: insertAt(t, 0, "hi")})
	msgsA := a.waitFor(t, "ack", func(m []map[string]any) bool { return len(m) >= 2 })
	msgsB := b.waitFor(t, "op", func(m []map[string]any) bool { return len(m) >= 2 })
	if msgsA[1]["type"] != "ack" || msgsA[1]["seq"].(float64) != 1 || msgsA[1]["v"].(float64) != 0 {
		t.Fatalf("submitter got %v, want ack seq 1 v 0", msgsA[1])
	}
	if msgsB[1]["type"] != "op" || msgsB[1]["src"] != "ta" {
		t.Fatalf("other subscriber got %v, want the op", msgsB[1])
	}
	// A bad op through the subscription answers an error with its seq.
	subA.Submit(collab.Submission{V: 1, Src: "ta", Seq: 2, By: "u", Op: parse(t, `{"ops":[{"delete":5}]}`)})
	msgsA = a.waitFor(t, "error", func(m []map[string]any) bool { return len(m) >= 3 })
	if msgsA[2]["type"] != "error" || msgsA[2]["code"] != "bad_op" || msgsA[2]["seq"].(float64) != 2 {
		t.Fatalf("got %v, want bad_op error for seq 2", msgsA[2])
	}
}

// TestEngine_RedisRestartLosesNothing: while Redis restarts, node A keeps
// committing; node B's subscriber still receives every op, in order, once
// B has resubscribed and filled the gap from the log.
func TestEngine_RedisRestartLosesNothing(t *testing.T) {
	ctx := context.Background()
	rsrv, err := redistest.StartLocal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rsrv.Close() })
	store := backends()[0].open(t)
	prefix := fmt.Sprintf("restart-%d:", time.Now().UnixNano())
	var engines []*collab.Engine
	for range 2 {
		bus, err := redis.Open(ctx, rsrv.URL(), redis.Options{Prefix: prefix}, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { bus.Close() })
		engines = append(engines, newEngine(t, store, bus, func(c *collab.EngineConfig) { c.Beacon = 100 * time.Millisecond }))
	}
	rec := newRecorder()
	if _, err := engines[1].Subscribe(ctx, "r", nil, rec.sink); err != nil {
		t.Fatal(err)
	}
	submit := func(i int) {
		if _, err := engines[0].Submit(ctx, collab.Submission{Doc: "r", V: int64(i), Src: "a", Seq: int64(i + 1), By: "u", Op: insertAt(t, i, "r")}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 {
		submit(i)
	}
	rec.waitFor(t, "ops before the restart", func(m []map[string]any) bool { return len(opVersions(m)) >= 5 })
	if err := rsrv.Stop(); err != nil {
		t.Fatal(err)
	}
	for i := 5; i < 10; i++ {
		submit(i) // acked although the bus is down
	}
	if err := rsrv.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 10; i < 12; i++ {
		submit(i)
	}
	msgs := rec.waitFor(t, "all 12 ops on node B", func(m []map[string]any) bool { return len(opVersions(m)) >= 12 })
	for i, v := range opVersions(msgs) {
		if v != int64(i) {
			t.Fatalf("node B delivered %v", opVersions(msgs))
		}
	}
}

// The ops of one commit reach each subscriber as one message of lines, in
// version order, with an ack in place of each of the subscriber's own ops:
// every subscriber sees every version once, its own as acks of its seqs.
func TestEngine_BatchDeliveredInOrderWithOwnAcks(t *testing.T) {
	store := backends()[0].open(t)
	e := newEngine(t, store, newBus(t), nil)
	ctx := context.Background()
	const perSub, subs = 30, 3
	recs := make([]*recorder, subs)
	ss := make([]*collab.Subscription, subs)
	for i := range recs {
		recs[i] = newRecorder()
		sub, err := e.Subscribe(ctx, "batch", nil, recs[i].sink)
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Unsubscribe()
		ss[i] = sub
	}
	for i, sub := range ss {
		src := fmt.Sprintf("s%d", i)
		go func() {
			for seq := int64(1); seq <= perSub; seq++ {
				sub.Submit(collab.Submission{V: 0, Src: src, Seq: seq, By: "u", Op: insertAt(t, 0, "x")})
			}
		}()
	}
	joined := 0
	for i, r := range recs {
		msgs := r.waitFor(t, "every version", func(m []map[string]any) bool { return len(m) >= 1+perSub*subs })
		next, seq := int64(0), int64(0)
		for _, m := range msgs[1:] {
			if v := int64(m["v"].(float64)); v != next {
				t.Fatalf("subscriber %d: version %d after %d: %v", i, v, next-1, m)
			}
			next++
			switch m["type"] {
			case "ack":
				seq++
				if int64(m["seq"].(float64)) != seq {
					t.Fatalf("subscriber %d: ack of seq %v, want %d", i, m["seq"], seq)
				}
			case "op":
				if m["src"] == fmt.Sprintf("s%d", i) {
					t.Fatalf("subscriber %d got its own op as a broadcast: %v", i, m)
				}
			default:
				t.Fatalf("subscriber %d: unexpected %v", i, m)
			}
		}
		if seq != perSub {
			t.Fatalf("subscriber %d: %d acks, want %d", i, seq, perSub)
		}
		r.mu.Lock()
		joined += r.joined
		r.mu.Unlock()
	}
	if joined == 0 {
		t.Log("no commit carried several ops; the joined path was not exercised")
	}
}
