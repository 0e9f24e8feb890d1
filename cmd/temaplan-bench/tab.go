package main

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/temaplan/temaplan/client"
)

// openTimeout bounds the wait for a document's snapshot or catch-up after
// a (re)subscription.
const openTimeout = 15 * time.Second

// Tab is one bench client — a browser tab — with what the bench records
// about it: the ops acknowledged to it and its reconnects.
type Tab struct {
	ID     string
	Client *client.Client
	// Node is the index of the node the tab is connected to.
	Node int

	mu    sync.Mutex
	acked []OpID
	// acks holds, for each acked op, when it was first sent and when its
	// ack came.
	acks       []ackTimes
	reconnects int
	moves      int // reconnects that landed on another node
	// dropsPending counts the connections lost while an op was
	// unacknowledged: the resends that exactly-once is about.
	dropsPending int
}

// TabStats collects what every tab reports; shared by the tabs of a run.
type TabStats struct {
	// Ack is the latency from an op's first send to its ack.
	Ack Latencies
	// Errors counts the error messages the server sent, by code.
	Errors Counts
}

// DialTab connects a tab with id to the node at index node, acting as the
// user whose access token token returns (a Session's Token: the client
// asks again for every hello, so a renewed token is used).
func DialTab(ctx context.Context, id string, node int, n *Node, token func() string, stats *TabStats) (*Tab, error) {
	t := &Tab{ID: id, Node: node}
	c, err := client.Dial(ctx, client.Options{
		URL:      n.WSURL(),
		ClientID: id,
		Token:    token,
		OnAck: func(doc string, seq int64, latency time.Duration) {
			stats.Ack.Add(latency)
			t.mu.Lock()
			t.acked = append(t.acked, OpID{Src: id, Seq: seq})
			now := time.Now()
			t.acks = append(t.acks, ackTimes{sent: now.Add(-latency), at: now})
			t.mu.Unlock()
		},
		OnError: func(code, message string) { stats.Errors.Add(code) },
	})
	if err != nil {
		return nil, fmt.Errorf("tab %s: %w", id, err)
	}
	t.Client = c
	return t, nil
}

// Open subscribes the tab to a document and waits for its text.
func (t *Tab) Open(ctx context.Context, plan, doc string) error {
	ctx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	if err := t.Client.Open(ctx, plan, doc); err != nil {
		return fmt.Errorf("tab %s: open %s: %w", t.ID, doc, err)
	}
	return nil
}

// Drop closes the tab's connection as a network failure does. Edits made
// until the reconnect wait in the client.
func (t *Tab) Drop(doc string) {
	pending := t.Client.Pending(doc)
	t.Client.Drop()
	if pending {
		t.mu.Lock()
		t.dropsPending++
		t.mu.Unlock()
	}
}

// MoveTo reconnects the tab to the node at index node, as a tab behind a
// load balancer does after a network failure. The client resubscribes its
// documents with their versions and resends what is unacknowledged once
// it has caught up; edits meanwhile wait in the client. Open waits for
// the catch-up.
func (t *Tab) MoveTo(ctx context.Context, node int, n *Node) error {
	if err := t.Client.ReconnectTo(ctx, n.WSURL()); err != nil {
		return fmt.Errorf("tab %s: reconnect to %s: %w", t.ID, n.Name, err)
	}
	t.mu.Lock()
	t.reconnects++
	if node != t.Node {
		t.moves++
	}
	t.Node = node
	t.mu.Unlock()
	return nil
}

// Acked returns the ops acknowledged to the tab so far.
func (t *Tab) Acked() []OpID {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]OpID(nil), t.acked...)
}

type ackTimes struct{ sent, at time.Time }

// FirstAckAfter returns when the ack came of the first op the tab sent at
// or after from: the end of the tab's recovery from a fault at from.
func (t *Tab) FirstAckAfter(from time.Time) (time.Time, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, a := range t.acks {
		if !a.sent.Before(from) {
			return a.at, true
		}
	}
	return time.Time{}, false
}

// Reconnects returns how often the tab reconnected, how often to another
// node, and how often it had lost its connection with an op unacknowledged.
func (t *Tab) Reconnects() (all, moves, pending int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.reconnects, t.moves, t.dropsPending
}

// Counts counts events by name; it is safe for concurrent use.
type Counts struct {
	mu sync.Mutex
	m  map[string]int
}

// Add counts one event.
func (c *Counts) Add(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]int{}
	}
	c.m[name]++
}

// Map returns the counts so far.
func (c *Counts) Map() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.m)
}
