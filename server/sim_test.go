package server_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/temaplan/temaplan/client"
	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/delta"
	"github.com/temaplan/temaplan/collab/mongo"
	"github.com/temaplan/temaplan/collab/redis"
)

// delayBus delays each publish by a random time, so messages from one
// node overtake each other and receivers must hold and fill gaps.
type delayBus struct {
	collab.Bus
	mu  sync.Mutex
	rng *rand.Rand
	wg  sync.WaitGroup
}

func (d *delayBus) Publish(ctx context.Context, channel string, data []byte) error {
	d.mu.Lock()
	wait := time.Duration(d.rng.IntN(15)) * time.Millisecond
	d.mu.Unlock()
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		time.Sleep(wait)
		d.Bus.Publish(context.Background(), channel, data)
	}()
	return nil
}

// TestSimulation_TwoNodesRandomFaults is the seeded multi-node simulation:
// clients spread over two nodes (one MongoDB-wire store, one Redis) type
// random edits into one section while connections drop and reconnect to a
// random node and bus messages are delayed and reordered. At the end every
// client, every node and the stored log agree, and every acknowledged op
// is in the log exactly once.
func TestSimulation_TwoNodesRandomFaults(t *testing.T) {
	for _, seed := range []uint64{1, 2} {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) { simulate(t, seed) })
	}
}

func simulate(t *testing.T, seed uint64) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db, rsrv, prefix := mongoAndRedis(ctx, t, fmt.Sprintf("sim%d", seed))

	var nodes []*wsNode
	var stores []collab.Store
	for i := range 2 {
		store, err := mongo.Open(ctx, mongoServer.srv.URI(), db, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		rb, err := redis.Open(ctx, rsrv.URL(), redis.Options{Prefix: prefix}, nil)
		if err != nil {
			t.Fatal(err)
		}
		bus := &delayBus{Bus: rb, rng: rand.New(rand.NewPCG(seed, uint64(i)))}
		t.Cleanup(func() { bus.wg.Wait(); rb.Close() })
		stores = append(stores, store)
		nodes = append(nodes, startWSNode(t, store, bus, nil))
	}
	plan, doc := newPlanDoc(t, nodes[0])

	const clients, opsPerClient = 6, 40
	rng := rand.New(rand.NewPCG(seed, 99))
	acked := map[string]bool{}
	var ackMu sync.Mutex
	var cs []*client.Client
	for i := range clients {
		id := fmt.Sprintf("sim-%d", i)
		c := dialClient(t, nodes[i%2], id, func(o *client.Options) {
			o.OnAck = func(_ string, seq int64, _ time.Duration) {
				ackMu.Lock()
				acked[fmt.Sprintf("%s/%d", id, seq)] = true
				ackMu.Unlock()
			}
		})
		if err := c.Open(ctx, plan, doc); err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	reconnects := 0
	for step := range clients * opsPerClient {
		i := rng.IntN(clients)
		c := cs[i]
		switch {
		case rng.IntN(25) == 0:
			node := nodes[rng.IntN(len(nodes))]
			if err := c.ReconnectTo(ctx, node.wsURL()); err != nil {
				t.Fatal(err)
			}
			reconnects++
		case rng.IntN(40) == 0:
			c.Drop() // offline for a while: edits queue up locally
		default:
			if err := c.EditWith(doc, func(text delta.Delta) delta.Delta { return randomEdit(rng, textOf(text)) }); err != nil {
				t.Fatalf("step %d: %v", step, err)
			}
		}
		if rng.IntN(3) == 0 {
			time.Sleep(time.Duration(rng.IntN(3)) * time.Millisecond)
		}
	}
	// Everyone comes back online.
	for i, c := range cs {
		if err := c.ReconnectTo(ctx, nodes[i%2].wsURL()); err != nil {
			t.Fatal(err)
		}
	}
	assertConverged(ctx, t, cs, doc, nodes...)

	recs, err := stores[0].Ops(ctx, doc, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	inLog := map[string]int{}
	for i, r := range recs {
		if r.V != int64(i) {
			t.Fatalf("log has version %d at %d", r.V, i)
		}
		inLog[fmt.Sprintf("%s/%d", r.Src, r.Seq)]++
	}
	for k, n := range inLog {
		if n != 1 {
			t.Fatalf("op %s is in the log %d times", k, n)
		}
	}
	ackMu.Lock()
	defer ackMu.Unlock()
	for k := range acked {
		if inLog[k] != 1 {
			t.Fatalf("acked op %s is not in the log", k)
		}
	}
	// A fresh engine on the store rebuilds the same text.
	fresh, err := collab.NewEngine(collab.EngineConfig{Store: stores[1], Bus: collab.NewMemoryBus()})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	_, stored, err := fresh.Snapshot(ctx, doc)
	want, _ := cs[0].Content(doc)
	if err != nil || !stored.Equal(want) {
		t.Fatalf("stored text %q differs from the clients' %q (%v)", textOf(stored), textOf(want), err)
	}
	t.Logf("seed %d: %d ops in the log, %d acked, %d reconnects", seed, len(recs), len(acked), reconnects)
}
