package collab_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/temaplan/temaplan/collab"
)

// slowLog is a store whose log reads take a while.
type slowLog struct {
	collab.OpStore
	delay time.Duration
}

func (s *slowLog) Ops(ctx context.Context, doc string, from, to int64) ([]collab.OpRecord, error) {
	time.Sleep(s.delay)
	return s.OpStore.Ops(ctx, doc, from, to)
}

// TestEngine_RaceLoserIsNotStarved: two nodes on one store and one bus
// race for the same doc. Node A is flooded — its writers keep a batch
// waiting at all times, so it starts its next commit as soon as the last
// one returns — while node B's writer sends one op after the other. B
// must not lose every race for as long as A is busy — even though it reads
// the log more slowly than A commits: each of B's ops is committed within
// B's CommitAttempts (a starved op is refused stale), and A keeps
// committing meanwhile.
func TestEngine_RaceLoserIsNotStarved(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		const attempts = 8
		store := b.open(t)
		bus := newBus(t)
		nodeA := newEngine(t, store, bus, nil)
		// Node B reads the log slowly, as FerretDB does (it scans without
		// indexes), so learning the head from the log takes longer than
		// node A's commits.
		// Its window holds every op node A can commit meanwhile, however
		// fast this machine: an op too far behind the window is refused
		// stale by design, which is not the starvation this test is about
		// (without -race, A commits over 1 000 ops in B's first 100 ms).
		nodeB := newEngine(t, &slowLog{OpStore: store, delay: 20 * time.Millisecond}, bus,
			func(c *collab.EngineConfig) { c.CommitAttempts, c.Window = attempts, 1<<20 })
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()

		var committedA atomic.Int64
		var flood sync.WaitGroup
		floodErr := make(chan error, 16)
		for w := range 16 {
			flood.Go(func() {
				src := fmt.Sprintf("a%d", w)
				var v int64
				for seq := int64(1); ctx.Err() == nil; seq++ {
					got, err := nodeA.Submit(ctx, collab.Submission{Doc: "hot", V: v, Src: src, Seq: seq, By: "u", Op: insertAt(t, 0, "a")})
					if err != nil {
						if ctx.Err() == nil && collab.ErrorCode(err) != collab.CodeStale {
							floodErr <- fmt.Errorf("%s seq %d: %w", src, seq, err)
						}
						if ctx.Err() != nil || errors.Is(err, context.Canceled) {
							return
						}
						continue // stale: node A lost too often; send the next
					}
					committedA.Add(1)
					v = got + 1
				}
			})
		}
		// Node A is busy before B starts.
		for deadline := time.Now().Add(10 * time.Second); committedA.Load() < 20; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("node A does not commit")
			}
		}

		n := 30 / b.scale
		var v int64
		beforeB := committedA.Load()
		start := time.Now()
		for seq := int64(1); seq <= int64(n); seq++ {
			sctx, scancel := context.WithTimeout(ctx, 30*time.Second)
			got, err := nodeB.Submit(sctx, collab.Submission{Doc: "hot", V: v, Src: "b", Seq: seq, By: "u", Op: insertAt(t, 0, "b")})
			scancel()
			if err != nil {
				t.Fatalf("node B's op %d of %d (after %s, node A committed %d meanwhile): %v",
					seq, n, time.Since(start).Round(time.Millisecond), committedA.Load()-beforeB, err)
			}
			v = got + 1
		}
		duringB := committedA.Load() - beforeB
		cancel()
		flood.Wait()
		close(floodErr)
		for err := range floodErr {
			t.Error(err)
		}
		t.Logf("node B committed %d ops in %s; node A %d meanwhile", n, time.Since(start).Round(time.Millisecond), duringB)
		if duringB == 0 {
			t.Errorf("node A committed nothing while node B committed %d", n)
		}
		checkLog(t, store, "hot")
	})
}
