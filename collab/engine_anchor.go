package collab

import (
	"context"
	"strings"

	"github.com/temaplan/temaplan/collab/delta"
)

// Tracked is an anchor brought to a document's head: where the range is
// now, whether an op since it was made touched its inside, and the text it
// covers now.
type Tracked struct {
	Anchor  Anchor
	Touched bool
	Quote   string
}

// Track moves anchors of doc to the head version through the ops committed
// since each one's version, and returns where they are. It runs in the
// document's actor, so every anchor is moved to the same head and the
// quotes are of that head's text. The ops come from the actor's window
// when it still holds them, else from the log.
func (e *Engine) Track(ctx context.Context, doc string, anchors []Anchor) ([]Tracked, error) {
	out := make([]Tracked, len(anchors))
	err := e.call(ctx, doc, func(a *docActor) error {
		var older []committedOp // ops before the window, read once
		for i, an := range anchors {
			if an.V < 0 || an.V > a.v {
				return Errorf(CodeBadRequest, "version %d is not a version of the section (0–%d)", an.V, a.v)
			}
			if an.Index < 0 || an.Length < 0 {
				return Errorf(CodeInvalid, "a range needs a non-negative index and length")
			}
			ops, err := a.opsSince(ctx, an.V, &older)
			if err != nil {
				return err
			}
			t := Tracked{Anchor: an}
			for _, op := range ops {
				if t.Anchor.Touches(op) {
					t.Touched = true
				}
				t.Anchor = t.Anchor.Move(op)
			}
			t.Anchor.V = a.v
			// A range past the end of its version ends past the head's
			// end too (ops move positions, never drop them).
			if t.Anchor.Index+t.Anchor.Length > a.length {
				return Errorf(CodeInvalid, "the range %d+%d is outside the section", an.Index, an.Length)
			}
			t.Quote = plainText(a.content().Slice(t.Anchor.Index, t.Anchor.Index+t.Anchor.Length))
			out[i] = t
		}
		return nil
	})
	return out, err
}

// opsSince returns the ops committed from version v to the head, from the
// window or, before it, from the log (read once per call into older).
func (a *docActor) opsSince(ctx context.Context, v int64, older *[]committedOp) ([]delta.Delta, error) {
	var ops []delta.Delta
	start := a.windowStart()
	if v < start {
		if *older == nil || (*older)[0].rec.V > v {
			recs, err := a.e.cfg.Store.Ops(ctx, a.id, v, start)
			if err != nil {
				return nil, Wrap(CodeUnavailable, err, "the section's history could not be read")
			}
			list := make([]committedOp, 0, len(recs))
			for _, r := range recs {
				op, err := delta.Parse(r.Op)
				if err != nil {
					return nil, Wrap(CodeInternal, err, "a stored op does not parse")
				}
				list = append(list, committedOp{rec: r, op: op})
			}
			*older = list
		}
		for _, c := range *older {
			if c.rec.V >= v {
				ops = append(ops, c.op)
			}
		}
		v = start
	}
	for _, c := range a.window.ops()[v-start:] {
		ops = append(ops, c.op)
	}
	return ops, nil
}

// plainText returns the text of a delta of inserts; an embed counts as the
// object replacement character.
func plainText(d delta.Delta) string {
	var b strings.Builder
	for _, o := range d.Ops {
		if o.InsertEmbed != nil {
			b.WriteRune('\uFFFC')
			continue
		}
		b.WriteString(o.Insert)
	}
	return b.String()
}

// guardTouched reports whether an op committed since r.V, or prepared
// before r in this batch, touched the inside of r.Guard. Submissions older
// than the window are left to rebase, which refuses them as stale.
func (a *docActor) guardTouched(r *submitReq, prepared []delta.Delta) bool {
	if r.V < a.windowStart() || r.V > a.v {
		return false
	}
	g := *r.Guard
	for _, c := range a.window.ops()[r.V-a.windowStart():] {
		if g.Touches(c.op) {
			return true
		}
		g = g.Move(c.op)
	}
	for _, op := range prepared {
		if g.Touches(op) {
			return true
		}
		g = g.Move(op)
	}
	return false
}

// Committed reports whether the op (doc, src, seq) is committed, and at
// which version.
func (e *Engine) Committed(ctx context.Context, doc, src string, seq int64) (int64, bool, error) {
	rec, ok, err := e.cfg.Store.OpBySource(ctx, doc, src, seq)
	if err != nil {
		return 0, false, Wrap(CodeUnavailable, err, "the section's history could not be read")
	}
	return rec.V, ok, nil
}
