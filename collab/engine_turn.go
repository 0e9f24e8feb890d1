package collab

import (
	"context"
	"math/rand/v2"
	"time"
)

// Races between nodes, and taking turns.
//
// Two nodes committing to one doc race for each version with a unique
// insert; the loser catches up and tries again. That alone is not fair: a
// busy node always has its next batch ready and starts its next insert the
// moment the last one returns, while the loser must first learn what was
// committed — so under sustained load the loser can lose every race for as
// long as the winner stays busy (seen after a Redis or FerretDB restart:
// one node committed for half a minute while the other's tabs waited).
//
// So a loser asks for a turn: it publishes a "turn" message on the doc's
// channel, saying how long it needs, and tries again at once on the head
// it learns from the bus (or the log). A node that gets the request holds
// back its next commit until another node's op arrives — the loser got in
// — or the time asked for has passed. A node that held back in vain does
// not hold back again for as long, so a loser that cannot commit never
// stops the others for more than half of the time. Turns are only about
// fairness: a lost request costs a retry, never an op, and the unique
// insert still decides every version.

const (
	// minTurn and maxTurn bound the time a node holds back for another.
	minTurn = 10 * time.Millisecond
	maxTurn = time.Second
	// backoffAfter is the number of races lost in a row after which a
	// loser also waits a random moment before it tries again.
	backoffAfter = 3
)

// turnFor is the time a loser asks for: enough to learn the winner's ops
// and make a few commits of its own.
func (a *docActor) turnFor() time.Duration {
	return min(max(4*a.commitDur+minTurn, minTurn), maxTurn)
}

// requestTurn asks the other nodes to let this one commit next.
func (a *docActor) requestTurn(ctx context.Context, lost int64) {
	a.publish(ctx, &busOp{Type: "turn", Doc: a.id, V: lost, WaitMS: a.turnFor().Milliseconds()})
}

// grantTurn holds back this node's next commit for another node that lost
// a race, unless this node held back in vain a moment ago.
func (a *docActor) grantTurn(m *busOp) {
	if m.Node == a.e.node {
		return // our own request, back from the bus
	}
	now := time.Now()
	if now.Before(a.noTurnUntil) {
		return
	}
	wait := min(max(time.Duration(m.WaitMS)*time.Millisecond, minTurn), maxTurn)
	if a.turnUntil.IsZero() {
		a.turnV, a.turnFrom = a.v, now
	}
	if until := now.Add(wait); until.After(a.turnUntil) {
		a.turnUntil = until
	}
}

// holdingBack reports whether this node is giving another its turn now.
// The turn ends when another node's op has arrived, or when its time is up
// — then this node does not give another turn for as long as it waited.
func (a *docActor) holdingBack() bool {
	if a.turnUntil.IsZero() {
		return false
	}
	now := time.Now()
	switch {
	case a.v != a.turnV:
		// Another node committed: our turn again.
	case now.Before(a.turnUntil):
		return true
	default:
		a.noTurnUntil = now.Add(now.Sub(a.turnFrom))
	}
	a.turnUntil = time.Time{}
	if a.turnTimer != nil {
		a.turnTimer.Stop()
	}
	a.turnC = nil
	return false
}

// wakeAfterTurn makes the run loop commit what is queued once the turn
// given to another node is over.
func (a *docActor) wakeAfterTurn() {
	d := time.Until(a.turnUntil)
	if a.turnTimer == nil {
		a.turnTimer = time.NewTimer(d)
	} else {
		a.turnTimer.Stop()
		a.turnTimer.Reset(d)
	}
	a.turnC = a.turnTimer.C
}

// afterLoss brings the head up to date after the race for version lost was
// lost (the losses-th in a row), so the batch can be tried again at once.
// The winner publishes its ops as soon as they are committed: they are
// awaited on the bus, and read from the log only if they do not come
// within GapWait. After several losses in a row it first waits a random
// moment, taking bus messages meanwhile.
func (a *docActor) afterLoss(ctx context.Context, lost int64, losses int) {
	if losses >= backoffAfter {
		limit := min(time.Millisecond<<(losses-backoffAfter), 16*time.Millisecond)
		a.takeBusFor(time.Duration(rand.Int64N(int64(limit) + 1)))
	}
	if !a.awaitHead(lost, a.e.cfg.GapWait) {
		a.catchUp(ctx)
	}
}

// awaitHead runs the actor's queued work until the head has moved past
// version lost, or d has passed, and reports whether it has. Once it has,
// it also runs what else has already arrived: the winner's other ops.
func (a *docActor) awaitHead(lost int64, d time.Duration) bool {
	if a.v <= lost {
		timer := time.NewTimer(d)
		defer timer.Stop()
		for a.v <= lost {
			select {
			case <-a.inbox.ready:
				a.runQueued(func() bool { return a.v > lost })
			case <-timer.C:
				return false
			}
		}
	}
	a.runQueued(never)
	return true
}

// takeBusFor runs the actor's queued work for d.
func (a *docActor) takeBusFor(d time.Duration) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		select {
		case <-a.inbox.ready:
			a.runQueued(never)
		case <-timer.C:
			return
		}
	}
}
