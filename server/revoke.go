package server

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/gorilla/websocket"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
)

// accountsChannel carries account events between nodes: a disabled user's
// connections are closed on every node.
const accountsChannel = "accounts"

// accountEvent is a message of accountsChannel.
type accountEvent struct {
	Type string `json:"type"` // "user.disabled"
	User string `json:"user"`
}

// watch is this node's subscription to a plan's channel while any of its
// connections holds a subscription in the plan: plan events drop the plan
// from the access cache and a changed membership is checked at once.
type watch struct {
	refs   int
	cancel func()
	// events counts the plan's events and resyncs seen (under
	// collabAPI.mu), so a subscription checked on the plan as it stood can
	// tell whether it changed before the subscription was registered.
	events uint64
}

// watch follows planID's channel (counted: every call needs an unwatch)
// and returns the count of its events so far (see recheckSince).
//
// The access cache holds a plan only while it is watched: events of an
// unwatched plan are not heard, so a new watch starts by dropping what
// was cached. Callers watch first and then read the plan for their check.
func (a *collabAPI) watch(planID string) (uint64, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if w := a.watches[planID]; w != nil {
		w.refs++
		return w.events, nil
	}
	cancel, err := a.bus.Subscribe(context.Background(), collab.PlanChannel(planID), collab.BusHandler{
		Message: func(data []byte) { a.planMessage(planID, data) },
		// Messages may have been lost (or the subscription has just
		// become live): forget what was cached and check every
		// membership again.
		Resync: func() {
			a.planChanged(planID)
			// Not on the bus's delivery goroutine: dropping a
			// subscription may end this very watch, and ending it
			// waits for this handler to return.
			go a.recheck(planID)
		},
	})
	if err != nil {
		return 0, collab.Wrap(collab.CodeUnavailable, err, "the plan channel could not be subscribed")
	}
	a.access.invalidate(planID)
	a.watches[planID] = &watch{refs: 1, cancel: cancel}
	return 0, nil
}

// planChanged counts an event (or a resync) of a watched plan and drops the
// plan from the access cache.
func (a *collabAPI) planChanged(planID string) {
	a.mu.Lock()
	if w := a.watches[planID]; w != nil {
		w.events++
	}
	a.mu.Unlock()
	a.access.invalidate(planID)
}

// recheckSince checks cn's right to read planID again if the plan's
// channel has carried anything since the watch returned events: a
// subscription registered after its check may have missed a recheck
// (another node removed the member in between). If cn may no longer read
// the plan, its subscriptions in it are dropped and the refusal returned.
func (cn *conn) recheckSince(ctx context.Context, planID string, events uint64) error {
	cn.api.mu.Lock()
	w := cn.api.watches[planID]
	changed := w == nil || w.events != events
	cn.api.mu.Unlock()
	if !changed {
		return nil
	}
	if err := cn.allowed(ctx, planID, auth.ActionReadPlan); err != nil {
		cn.dropPlan(planID)
		return err
	}
	return nil
}

// unwatch releases one watch of planID.
func (a *collabAPI) unwatch(planID string) {
	a.mu.Lock()
	w := a.watches[planID]
	if w == nil {
		a.mu.Unlock()
		return
	}
	if w.refs--; w.refs > 0 {
		a.mu.Unlock()
		return
	}
	delete(a.watches, planID)
	a.mu.Unlock()
	// Outside a.mu: cancel waits for a handler call in progress, and the
	// handlers take a.mu.
	w.cancel()
}

// planMessage handles a message of a watched plan channel.
func (a *collabAPI) planMessage(planID string, data []byte) {
	// Most of a plan channel's messages are cursors: not decoded here.
	// An event starts with its type (collab.PlanEvent).
	if !bytes.HasPrefix(data, []byte(`{"type":"event"`)) {
		return
	}
	var ev struct {
		Type string `json:"type"`
		Seq  int64  `json:"seq"`
		Kind string `json:"kind"`
	}
	if json.Unmarshal(data, &ev) != nil || ev.Type != "event" {
		return
	}
	a.plans.Heard(planID, ev.Seq)
	a.planChanged(planID)
	if ev.Kind == "member.set" {
		// Not on the bus's delivery goroutine: it reads the plan.
		go a.recheck(planID)
	}
}

// recheck closes the subscriptions to planID of every connection whose
// person may no longer read it (a revoked member), telling the client.
func (a *collabAPI) recheck(planID string) {
	conns := a.conns(func(cn *conn) bool { return cn.holds(planID) })
	if len(conns) == 0 {
		return
	}
	ctx := context.Background()
	p, err := a.access.get(ctx, planID)
	if err != nil {
		a.log.Warn("membership not rechecked", "plan", planID, "err", err)
		return
	}
	for _, cn := range conns {
		if err := allow(cn.account(), p, auth.ActionReadPlan); err != nil {
			cn.dropPlan(planID)
			msg, _ := json.Marshal(map[string]any{"type": "error", "code": collab.CodeForbidden, "plan": planID,
				"message": "you are no longer a member of this plan"})
			cn.sink(msg)
		}
	}
}

// followAccounts subscribes to account events and returns the function
// that ends the subscription.
func (a *collabAPI) followAccounts() func() {
	cancel, err := a.bus.Subscribe(context.Background(), accountsChannel, collab.BusHandler{
		Message: func(data []byte) {
			var ev accountEvent
			if json.Unmarshal(data, &ev) != nil || ev.Type != "user.disabled" {
				return
			}
			a.disconnectUser(ev.User)
		},
	})
	if err != nil {
		// Without the channel, disabled users keep their sockets until
		// their access token expires (at most 15 minutes).
		a.log.Error("account events not followed", "err", err)
		return func() {}
	}
	return cancel
}

// disconnectUser closes every connection of user on this node.
func (a *collabAPI) disconnectUser(user string) {
	msg, _ := json.Marshal(map[string]any{"type": "error", "code": collab.CodeUnauthorized,
		"message": "the account is disabled"})
	for _, cn := range a.conns(func(cn *conn) bool { return cn.account().ID == user }) {
		cn.closeWith(msg, websocket.ClosePolicyViolation)
	}
}

// conns returns the open connections that match.
func (a *collabAPI) conns(match func(*conn) bool) []*conn {
	a.mu.Lock()
	all := make([]*conn, 0, len(a.open))
	for cn := range a.open {
		all = append(all, cn)
	}
	a.mu.Unlock()
	out := all[:0]
	for _, cn := range all {
		if match(cn) {
			out = append(out, cn)
		}
	}
	return out
}

// holds reports whether the connection has a subscription in planID.
func (cn *conn) holds(planID string) bool {
	cn.mu.Lock()
	defer cn.mu.Unlock()
	if cn.plans[planID] != nil {
		return true
	}
	for _, p := range cn.docPlan {
		if p == planID {
			return true
		}
	}
	return false
}

// dropPlan ends the connection's subscriptions in planID.
func (cn *conn) dropPlan(planID string) {
	cn.mu.Lock()
	var subs []*collab.Subscription
	for doc, p := range cn.docPlan {
		if p == planID {
			subs = append(subs, cn.docs[doc])
			delete(cn.docs, doc)
			delete(cn.docPlan, doc)
		}
	}
	ps := cn.plans[planID]
	delete(cn.plans, planID)
	cn.mu.Unlock()
	for _, s := range subs {
		s.Unsubscribe()
		cn.api.unwatch(planID)
	}
	if ps != nil {
		ps.Leave()
		cn.api.unwatch(planID)
	}
}

// publishDisabled tells every node to close a disabled user's connections.
func (s *Server) publishDisabled(ctx context.Context, user string) {
	data, _ := json.Marshal(accountEvent{Type: "user.disabled", User: user})
	if err := s.cfg.Bus.Publish(ctx, accountsChannel, data); err != nil {
		s.log.Error("user.disabled not published; the user's sockets close when their token expires", "user", user, "err", err)
	}
	if s.collab != nil {
		// This node's connections close even if the bus is down.
		s.collab.disconnectUser(user)
	}
}
