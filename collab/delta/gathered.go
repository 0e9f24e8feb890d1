package delta

// gatherFlush is how many changes a Gathered holds before it composes them
// into its document; gatherMaxOps bounds the ops of the held change.
const (
	gatherFlush  = 128
	gatherMaxOps = 512
)

// Gathered is a document held as its last composed form and the changes
// since, composed into one change. Composing a change into the document
// costs a pass over the whole text, which at thousands of changes a second
// on a long section is most of the work (of the server's engine, and of a
// client following the section); composing it into the held change costs
// only the size of that change. The held change is composed into the
// document every gatherFlush changes, or when the whole document is
// wanted. Compose is associative (FuzzComposeAssociativity), so the
// document is the same as composing change by change.
//
// A Gathered is a value: Compose and Apply return a new one and never
// change the slices of the old, so a caller may keep the document after
// each of several changes. Its length is kept, so that a change can be
// checked to fit without the text.
type Gathered struct {
	doc    Delta
	pend   Delta // the changes since doc, composed
	n      int   // how many changes pend holds
	length int
	// pairs says that the document may hold a surrogate pair, so that a
	// change's positions must be checked against the text itself.
	pairs bool
}

// Gather returns the document d as a Gathered.
func Gather(d Delta) Gathered { return Gathered{doc: d, length: d.Length(), pairs: d.HasPairs()} }

// Length returns the document's length in UTF-16 code units.
func (g Gathered) Length() int { return g.length }

// HasPairs reports whether the document may hold a surrogate pair.
func (g Gathered) HasPairs() bool { return g.pairs }

// Doc returns the whole document, composing what is held. A caller that
// reads it repeatedly keeps Flushed() instead.
func (g Gathered) Doc() Delta { return g.Flushed().doc }

// Flushed returns g with the held change composed into the document.
func (g Gathered) Flushed() Gathered {
	if g.n == 0 {
		return g
	}
	return Gathered{doc: g.doc.Compose(g.pend), length: g.length, pairs: g.pairs}
}

// Compose returns the document after change, which the caller has checked
// to fit (Fits, Validator.Validate or ValidateLength).
func (g Gathered) Compose(change Delta) Gathered {
	g.pend = g.pend.Compose(change)
	g.n++
	g.length += change.ChangeLength()
	g.pairs = g.pairs || change.HasPairs()
	if g.n >= gatherFlush || len(g.pend.Ops) > gatherMaxOps {
		g = g.Flushed()
	}
	return g
}

// Apply is Compose after the checks of the package's Apply (Fits against
// the kept length): a change that does not fit is refused with its
// *ValidationError and g is left as it is.
func (g Gathered) Apply(change Delta) (Gathered, error) {
	if err := Fits(change, g.length); err != nil {
		return g, err
	}
	return g.Compose(change), nil
}
