package collab

import "github.com/temaplan/temaplan/collab/delta"

// validateText checks op against the section's text t of length code
// units (see delta.Validator.Validate) and returns the text, composed if
// the check had to read it: without surrogate pairs, the check needs only
// the length.
func validateText(v *delta.Validator, t delta.Gathered, op delta.Delta, length int) (delta.Gathered, error) {
	if !t.HasPairs() {
		return t, v.ValidateLength(op, length)
	}
	t = t.Flushed()
	return t, v.Validate(op, t.Doc())
}

// content returns the document at the head, composing what was gathered
// (once: the composed text is kept).
func (a *docActor) content() delta.Delta {
	a.text = a.text.Flushed()
	return a.text.Doc()
}
