package collab

import (
	"bytes"
	"context"
	"encoding/json"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"
)

// Hub relays the plan channels of the bus to the clients connected to this
// node: plan events in seq order and presence. Presence is ephemeral: it
// only travels on the bus, each node keeps who it has heard from recently,
// and a peer silent for PresenceTTL is announced as gone.
type Hub struct {
	bus   Bus
	store PlanStore
	log   *slog.Logger
	ttl   time.Duration

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// out holds the presence messages (moves and leaves) of this node's
	// clients for a bus that may block, in the order they came: one
	// goroutine of the hub publishes them, so that a client's reader
	// never waits for the bus (Redis may take up to its publish timeout)
	// and a cursor move costs no goroutine of its own. Nil for the
	// in-process bus, which never blocks (MemoryBus.Publish) and is
	// published to on the caller's goroutine: a hop through the queue
	// cost a busy node more than it saved.
	out *mailbox[presenceOut]

	mu    sync.Mutex
	plans map[string]*hubPlan
}

// presenceOutLimit bounds the presence messages waiting for the bus: a
// move that finds it full is dropped (the client's next move, or the
// TTL, corrects what the others see); a leave is published at once.
const presenceOutLimit = 4096

type presenceOut struct {
	plan string
	msg  []byte
}

// User is who a connection acts as.
type User struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Presence is where one client is in a plan: the section and the cursor or
// selection in it.
type Presence struct {
	Type   string `json:"type"` // always "presence"
	Plan   string `json:"plan"`
	Client string `json:"client"`
	User   *User  `json:"user,omitempty"`
	Doc    string `json:"doc,omitempty"`
	Index  int    `json:"index"`
	Length int    `json:"length"`
	Color  string `json:"color,omitempty"`
	Left   bool   `json:"left,omitempty"`
}

type peer struct {
	p    Presence
	seen time.Time
}

type hubPlan struct {
	id     string
	subs   map[*PlanSub]struct{}
	peers  map[string]*peer
	cancel func()
}

// NewHub returns a hub; ttl is how long a silent peer stays present.
func NewHub(bus Bus, store PlanStore, log *slog.Logger, ttl time.Duration) *Hub {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &Hub{bus: bus, store: store, log: log, ttl: ttl, ctx: ctx, cancel: cancel, plans: map[string]*hubPlan{}}
	h.wg.Add(1)
	go h.expire()
	if _, inProcess := bus.(*MemoryBus); !inProcess {
		h.out = newMailbox[presenceOut](presenceOutLimit)
		h.wg.Add(1)
		go h.publishPresence()
	}
	return h
}

// publishPresence publishes the queued presence messages until the hub
// closes.
func (h *Hub) publishPresence() {
	defer h.wg.Done()
	for {
		select {
		case <-h.ctx.Done():
			h.out.discard()
			return
		case <-h.out.ready:
		}
		for {
			m, ok := h.out.pop()
			if !ok {
				break
			}
			// The bus bounds a publish itself (Bus.Publish); a context
			// with a deadline of its own for each was a timer and three
			// allocations per cursor move.
			if err := h.bus.Publish(h.ctx, PlanChannel(m.plan), m.msg); err != nil {
				h.log.Debug("presence not published", "plan", m.plan, "err", err)
			}
		}
	}
}

// sendPresence sends a presence message on the bus, through the queue if
// the hub has one (see Hub.out). A move is sent under its PlanSub's lock
// and a leave after left is set under it, so one client's moves and leave
// go in order. A leave that finds the queue full is published on the
// caller's goroutine: it must not be lost behind moves, which may be.
func (h *Hub) sendPresence(plan string, p *Presence) {
	m := presenceOut{plan: plan, msg: mustMarshal(p)}
	if h.out != nil && (h.out.put(m) || !p.Left) {
		return
	}
	if err := h.bus.Publish(h.ctx, PlanChannel(plan), m.msg); err != nil {
		h.log.Debug("presence not published", "plan", plan, "err", err)
	}
}

// Close stops the hub.
func (h *Hub) Close() {
	h.cancel()
	h.wg.Wait()
	h.mu.Lock()
	plans := h.plans
	h.plans = map[string]*hubPlan{}
	h.mu.Unlock()
	// Outside the lock: ending a subscription waits for its delivery in
	// progress, which may be waiting for the lock (see Leave).
	for _, p := range plans {
		p.cancel()
	}
}

// PlanSub is one connection's subscription to a plan.
type PlanSub struct {
	hub    *Hub
	plan   *hubPlan
	sink   Sink
	client string
	user   User

	mu       sync.Mutex
	catching bool
	buffered [][]byte
	lastSeq  int64
	lastSent time.Time
	pending  *Presence
	timer    *time.Timer
	left     bool
	// announced: a move of this client was queued for the bus, so its
	// leave must be too, though the move may not be back from the bus.
	announced bool
}

// Join subscribes sink to a plan's events and presence. With since > 0 the
// events after that seq are sent first, in order, then live ones; the
// presence of everyone already there follows.
func (h *Hub) Join(ctx context.Context, planID, client string, user User, since int64, sink Sink) (*PlanSub, error) {
	s := &PlanSub{hub: h, sink: sink, client: client, user: user, catching: since > 0, lastSeq: since}
	h.mu.Lock()
	p := h.plans[planID]
	if p == nil {
		p = &hubPlan{id: planID, subs: map[*PlanSub]struct{}{}, peers: map[string]*peer{}}
		cancel, err := h.bus.Subscribe(h.ctx, PlanChannel(planID), BusHandler{
			Message: func(data []byte) { h.fromBus(planID, data) },
		})
		if err != nil {
			h.mu.Unlock()
			return nil, Wrap(CodeUnavailable, err, "the plan channel could not be subscribed")
		}
		p.cancel = cancel
		h.plans[planID] = p
	}
	s.plan = p
	p.subs[s] = struct{}{}
	peers := make([]Presence, 0, len(p.peers))
	for _, pr := range p.peers {
		if pr.p.Client != client {
			peers = append(peers, pr.p)
		}
	}
	h.mu.Unlock()

	if since > 0 {
		entries, err := h.store.PlanEntries(ctx, planID, since+1)
		if err != nil {
			s.Leave()
			return nil, Wrap(CodeUnavailable, err, "the plan's events could not be read")
		}
		s.mu.Lock()
		for _, e := range entries {
			s.sendEvent(e.Seq, mustMarshal(PlanEvent{Type: "event", Plan: e.Plan, Seq: e.Seq, Kind: e.Kind, By: e.By, At: e.At, Data: e.Data}))
		}
		for _, m := range s.buffered {
			var ev struct{ Seq int64 }
			if json.Unmarshal(m, &ev) == nil {
				s.sendEvent(ev.Seq, m)
			}
		}
		s.buffered, s.catching = nil, false
		s.mu.Unlock()
	}
	// A map, so the list starts with "peers" (IsReply, not IsPresence).
	sink(mustMarshal(map[string]any{"type": "presence", "plan": planID, "peers": peers}))
	return s, nil
}

// sendEvent sends an event unless it was already sent. Callers hold s.mu.
func (s *PlanSub) sendEvent(seq int64, msg []byte) {
	if seq <= s.lastSeq {
		return
	}
	s.lastSeq = seq
	s.sink(msg)
}

// Presence announces this client's position to everyone in the plan. It
// is throttled to 10 updates a second per client: updates in between are
// coalesced, and the newest is sent when the interval has passed. An
// update not held back is sent at once (sendPresence), without a timer:
// a timer's goroutine for each cursor move was thousands a second on a
// busy node.
func (s *PlanSub) Presence(doc string, index, length int) {
	u := s.user
	p := Presence{Type: "presence", Plan: s.plan.id, Client: s.client, User: &u, Doc: doc,
		Index: index, Length: length, Color: colorOf(s.client)}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.left {
		return
	}
	if s.timer != nil {
		s.pending = &p // a send is scheduled; it takes the newest position
		return
	}
	if wait := presenceInterval - time.Since(s.lastSent); wait > 0 {
		s.pending = &p
		s.timer = time.AfterFunc(wait, s.flushPresence)
		return
	}
	s.lastSent, s.announced = time.Now(), true
	s.hub.sendPresence(s.plan.id, &p)
}

// IsPresence tells a presence update of one client (not the list of
// everyone present that Join sends first), which a connection may hold
// back for a moment to share a write with other traffic.
func IsPresence(msg []byte) bool {
	return bytes.HasPrefix(msg, []byte(`{"type":"presence"`))
}

// presenceInterval is the shortest time between two presence updates of
// one client.
const presenceInterval = 100 * time.Millisecond

func (s *PlanSub) flushPresence() {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pending
	s.pending, s.timer, s.lastSent = nil, nil, time.Now()
	if p == nil || s.left {
		return
	}
	s.announced = true
	s.hub.sendPresence(s.plan.id, p)
}

// Leave ends the subscription and tells the others this client is gone.
func (s *PlanSub) Leave() {
	s.mu.Lock()
	s.left = true
	if s.timer != nil {
		s.timer.Stop()
	}
	announced := s.announced
	s.mu.Unlock()
	h := s.hub
	h.mu.Lock()
	p := s.plan
	delete(p.subs, s)
	_, wasPresent := p.peers[s.client]
	last := len(p.subs) == 0 && h.plans[p.id] == p
	if last {
		delete(h.plans, p.id)
	}
	h.mu.Unlock()
	if last {
		// Outside the lock: ending the subscription waits for a delivery
		// in progress, and fromBus may be waiting for the lock. A message
		// it delivers meanwhile finds the plan gone, or a new subscriber's
		// plan, which drops what it has seen.
		p.cancel()
	}
	if wasPresent || announced {
		// After the client's moves (sendPresence): a move published after
		// the leave would make the client present again.
		h.sendPresence(p.id, &Presence{Type: "presence", Plan: p.id, Client: s.client, Left: true})
	}
}

// fromBus handles a message of a plan channel.
func (h *Hub) fromBus(planID string, data []byte) {
	// An event's head or a whole presence, in one decoding, before the
	// hub's lock, which every plan's messages take.
	var head planHead
	if err := decodePlanHead(data, &head); err != nil {
		h.log.Warn("bad plan message", "plan", planID, "err", err)
		return
	}
	pr := head.Presence
	h.mu.Lock()
	p := h.plans[planID]
	if p == nil {
		h.mu.Unlock()
		return
	}
	var exclude string
	if head.Type == "presence" {
		if pr.Left {
			delete(p.peers, pr.Client)
		} else {
			p.peers[pr.Client] = &peer{p: pr, seen: time.Now()}
		}
		exclude = pr.Client
	}
	subs := make([]*PlanSub, 0, len(p.subs))
	for s := range p.subs {
		subs = append(subs, s)
	}
	h.mu.Unlock()
	for _, s := range subs {
		switch head.Type {
		case "event":
			s.mu.Lock()
			if s.catching {
				s.buffered = append(s.buffered, data)
			} else {
				s.sendEvent(head.Seq, data)
			}
			s.mu.Unlock()
		case "presence":
			if s.client != exclude {
				s.sink(data)
			}
		}
	}
}

// expire announces peers that have been silent for the TTL as gone, to
// this node's subscribers (every node expires them on its own).
func (h *Hub) expire() {
	defer h.wg.Done()
	t := time.NewTicker(h.ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-h.ctx.Done():
			return
		case <-t.C:
		}
		type gone struct {
			subs []*PlanSub
			msg  []byte
		}
		var out []gone
		h.mu.Lock()
		for _, p := range h.plans {
			for id, pr := range p.peers {
				if time.Since(pr.seen) < h.ttl {
					continue
				}
				delete(p.peers, id)
				g := gone{msg: mustMarshal(Presence{Type: "presence", Plan: p.id, Client: id, Left: true})}
				for s := range p.subs {
					g.subs = append(g.subs, s)
				}
				out = append(out, g)
			}
		}
		h.mu.Unlock()
		for _, g := range out {
			for _, s := range g.subs {
				s.sink(g.msg)
			}
		}
	}
}

// colorOf gives each client a stable colour from a palette with enough
// contrast on white (WCAG AA for the name labels).
func colorOf(client string) string {
	palette := []string{"#1f6feb", "#b35900", "#8250df", "#1a7f37", "#cf222e", "#0969da", "#9a6700", "#bf3989"}
	f := fnv.New32a()
	f.Write([]byte(client))
	return palette[f.Sum32()%uint32(len(palette))]
}
