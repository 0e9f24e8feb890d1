package mail

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/temaplan/temaplan/collab"
)

// dueBatch is how many due messages one pass of the sender takes.
const dueBatch = 50

// bookkeepingTimeout bounds the writes that record an attempt's outcome;
// they run even when the node is stopping, so the outcome is not lost.
const bookkeepingTimeout = 10 * time.Second

// sendLoop delivers due messages until ctx ends: every Poll, and at once
// when this node enqueued one.
func (m *Mailer) sendLoop(ctx context.Context) {
	tick := time.NewTicker(m.t.Poll)
	defer tick.Stop()
	for {
		for ctx.Err() == nil {
			n, err := m.DeliverDue(ctx)
			if err != nil {
				m.log.Error("mail: the outbox could not be read", "err", err)
				break
			}
			if n < dueBatch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-m.wake:
		}
	}
}

// DeliverDue makes one pass over the outbox: every message due now is
// tried once, by this node or — where another node claimed it first — by
// that one. It returns how many due messages it found. Run calls it
// periodically; tests call it to deliver at a moment of their choosing.
func (m *Mailer) DeliverDue(ctx context.Context) (int, error) {
	if m.cfg.SMTP == nil {
		return 0, errors.New("mail: no SMTP server to deliver through")
	}
	msgs, err := m.cfg.Store.DueMail(ctx, m.now(), dueBatch)
	if err != nil {
		return 0, err
	}
	for _, msg := range msgs {
		if ctx.Err() != nil {
			break
		}
		if err := m.deliver(ctx, msg); err != nil && unreachable(err) {
			// The server cannot be reached: the rest wait for the next
			// pass rather than each waiting out a connection timeout.
			break
		}
	}
	return len(msgs), nil
}

// unreachable reports whether a delivery failed before the SMTP
// conversation began: no connection, no TLS, no greeting.
func unreachable(err error) bool {
	var se *SendError
	return !errors.As(err, &se)
}

// deliver tries msg once, if its next attempt is due and this node wins
// the claim of it, and returns the error of the attempt it made (nil when
// it sent it, or made none).
func (m *Mailer) deliver(ctx context.Context, msg Message) error {
	log := m.log.With("mail", msg.ID, "kind", msg.Kind)
	if res, done, err := m.cfg.Store.MailResult(ctx, msg.ID); err != nil {
		log.Warn("mail: outcome not read", "err", err)
		return nil
	} else if done {
		// Finished, but the cache did not say so: mark it again.
		m.finish(ctx, res)
		return nil
	}
	atts, err := m.cfg.Store.MailAttempts(ctx, msg.ID)
	if err != nil {
		log.Warn("mail: attempts not read", "err", err)
		return nil
	}
	now := m.now()
	n := 1
	if len(atts) > 0 {
		last := atts[len(atts)-1]
		if now.Before(last.RetryAt) {
			// Claimed by a sender still at it, or waiting out a backoff.
			// Only the claimant writes the message's caches: on
			// FerretDB an update rewrites the whole document, so a
			// second writer could undo the claimant's "done".
			return nil
		}
		n = last.N + 1
		if n > m.t.MaxAttempts {
			m.finish(ctx, Result{Msg: msg.ID, Attempt: last.N, Outcome: OutcomeFailed, At: now,
				Error: fmt.Sprintf("given up after %d attempts; the last: %s", last.N, last.Error)})
			log.Error("mail: given up", "attempts", last.N, "err", last.Error)
			return nil
		}
	}
	claim := Attempt{Msg: msg.ID, N: n, Node: m.cfg.Node, Claimed: now, RetryAt: now.Add(m.t.ClaimTTL)}
	if err := m.cfg.Store.ClaimMail(ctx, claim); err != nil {
		if !errors.Is(err, collab.ErrDuplicate) {
			log.Warn("mail: attempt not claimed", "attempt", n, "err", err)
		}
		return nil // another node has it
	}
	if err := m.cfg.Store.SetMailDue(ctx, msg.ID, claim.RetryAt); err != nil {
		log.Warn("mail: due time not stored", "err", err)
	}
	err = m.send(ctx, msg, now)
	switch {
	case err == nil:
		m.finish(ctx, Result{Msg: msg.ID, Attempt: n, Outcome: OutcomeSent, At: m.now()})
		log.Info("mail: sent", "attempt", n)
	case Permanent(err):
		m.finish(ctx, Result{Msg: msg.ID, Attempt: n, Outcome: OutcomeFailed, Error: err.Error(), At: m.now()})
		log.Error("mail: refused by the SMTP server", "attempt", n, "err", err)
	default:
		retry := m.now().Add(m.backoff(n))
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), bookkeepingTimeout)
		defer cancel()
		if err := m.cfg.Store.RetryMailAttempt(bctx, msg.ID, n, retry, err.Error()); err != nil {
			log.Warn("mail: failed attempt not recorded; retried when its claim expires", "err", err)
		} else if err := m.cfg.Store.SetMailDue(bctx, msg.ID, retry); err != nil {
			log.Warn("mail: due time not stored", "err", err)
		}
		log.Warn("mail: not sent; will retry", "attempt", n, "retry_at", retry, "err", err)
	}
	return err
}

// send encodes msg and hands it to the SMTP server, within SendTimeout.
func (m *Mailer) send(ctx context.Context, msg Message, now time.Time) error {
	raw, err := encode(msg, m.from, now)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, m.t.SendTimeout)
	defer cancel()
	return m.cfg.SMTP.Send(ctx, m.from.Address, []string{msg.To}, raw)
}

// finish records a message's outcome; recording it twice is no error.
func (m *Mailer) finish(ctx context.Context, r Result) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), bookkeepingTimeout)
	defer cancel()
	if err := m.cfg.Store.FinishMail(ctx, r); err != nil && !errors.Is(err, collab.ErrDuplicate) {
		m.log.Warn("mail: outcome not recorded; the message is looked at again", "mail", r.Msg, "err", err)
	}
}

// backoff is the wait after failed attempt n: MinBackoff doubled for each
// attempt before, at most MaxBackoff, less up to a tenth at random so
// that nodes do not retry in step.
func (m *Mailer) backoff(n int) time.Duration {
	d := m.t.MinBackoff
	for i := 1; i < n && d < m.t.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, m.t.MaxBackoff)
	return d - time.Duration(rand.Int64N(int64(d)/10+1))
}
