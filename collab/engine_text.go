package collab

import "github.com/temaplan/temaplan/collab/delta"

// headTextFlush is how many ops a headText gathers before it composes them
// into its base; headTextMaxOps bounds the ops of the gathered change.
const (
	headTextFlush  = 128
	headTextMaxOps = 512
)

// headText is a document's content held as a base document and the ops
// since, composed into one change. Composing an op into the document costs
// a pass over the whole text, which at thousands of ops a second on a long
// section was most of the server's work; composing it into the change
// costs only the size of the change. The change is composed into the base
// every headTextFlush ops, or when the whole content is wanted (a snapshot,
// a subscription). Compose is associative, so the content is the same as
// composing op by op (delta's FuzzComposeAssociativity).
//
// A headText is a value: apply and validate return a new one and never
// change the slices of the old, so a prepared batch can hold the content
// after each of its ops.
type headText struct {
	base delta.Delta
	pend delta.Delta // the ops since base, composed
	n    int         // how many ops pend holds
	// pairs says that the content may hold a surrogate pair, so that the
	// positions of an op must be checked against the text itself.
	pairs bool
}

func newHeadText(d delta.Delta) headText { return headText{base: d, pairs: d.HasPairs()} }

// content returns the whole document.
func (t headText) content() delta.Delta { return t.flushed().base }

// flushed returns t with the gathered ops composed into the base.
func (t headText) flushed() headText {
	if t.n == 0 {
		return t
	}
	return headText{base: t.base.Compose(t.pend), pairs: t.pairs}
}

// apply returns the text after op, which has been checked to fit (by
// validate or delta.Fits).
func (t headText) apply(op delta.Delta) headText {
	t.pend = t.pend.Compose(op)
	t.n++
	t.pairs = t.pairs || op.HasPairs()
	if t.n >= headTextFlush || len(t.pend.Ops) > headTextMaxOps {
		t = t.flushed()
	}
	return t
}

// validate checks op against the text of length code units (see
// delta.Validator.Validate) and returns the text, composed if the check
// had to read it: without surrogate pairs, the check needs only the
// length.
func (t headText) validate(v *delta.Validator, op delta.Delta, length int) (headText, error) {
	if !t.pairs {
		return t, v.ValidateLength(op, length)
	}
	t = t.flushed()
	return t, v.Validate(op, t.base)
}

// content returns the document at the head, composing what was gathered
// (once: the composed text is kept).
func (a *docActor) content() delta.Delta {
	a.text = a.text.flushed()
	return a.text.base
}
