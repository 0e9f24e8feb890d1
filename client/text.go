package client

import "github.com/temaplan/temaplan/collab/delta"

// textFlush is how many ops a text gathers before it composes them into
// its document; textMaxOps bounds the ops of the gathered change.
const (
	textFlush  = 128
	textMaxOps = 512
)

// text is a document held as its last composed form and the changes since,
// composed into one change. Applying a change to the whole document costs
// a pass over all of it; composing it into the gathered change costs only
// the size of that change, so a client that follows a long section at
// thousands of ops a second (the bench's verifier) keeps up. Compose is
// associative (delta's FuzzComposeAssociativity), so the document read is
// the same as applying op by op. The length is kept, so that every change
// is checked to fit (delta.Fits) as delta.Apply checks it.
type text struct {
	doc    delta.Delta
	pend   delta.Delta
	n      int
	length int
}

func newText(d delta.Delta) text { return text{doc: d, length: d.Length()} }

// apply applies change, or returns the error delta.Apply would and leaves
// the text as it is.
func (t *text) apply(change delta.Delta) error {
	if err := delta.Fits(change, t.length); err != nil {
		return err
	}
	t.pend = t.pend.Compose(change)
	t.n++
	t.length += change.ChangeLength()
	if t.n >= textFlush || len(t.pend.Ops) > textMaxOps {
		t.flush()
	}
	return nil
}

// get returns the whole document, composing what was gathered (once).
func (t *text) get() delta.Delta {
	t.flush()
	return t.doc
}

func (t *text) flush() {
	if t.n == 0 {
		return
	}
	t.doc = t.doc.Compose(t.pend)
	t.pend, t.n = delta.Delta{}, 0
}
