package collab

import (
	"github.com/temaplan/temaplan/collab/delta"
)

// Anchor is a range of a section's text as it was at version V: what a
// comment or a suggestion is about. Anchors are kept current lazily: the
// stored anchor names its version, and a reader moves it through the ops
// committed since (Move), caching the result with its version, instead of
// rewriting every anchor on every commit.
type Anchor struct {
	V      int64 `json:"v"`
	Index  int   `json:"index"`
	Length int   `json:"length"`
}

// Move returns the anchor after op, the op committed at version a.V. Text
// typed at either edge stays outside the range — the start moves with an
// insert at its position, the end does not — so typing next to a comment
// neither swallows the new text nor grows the range; text typed inside it
// grows it. A range whose text is all deleted has length 0.
func (a Anchor) Move(op delta.Delta) Anchor {
	start := op.TransformPosition(a.Index, false)
	end := op.TransformPosition(a.Index+a.Length, true)
	return Anchor{V: a.V + 1, Index: start, Length: max(end-start, 0)}
}

// Touches reports whether op, committed at version a.V, changes the text
// inside the range: deletes or formats a character of it, or inserts
// strictly between its first and last character. Typing at the edges
// does not touch it. A suggestion whose range was touched is outdated.
func (a Anchor) Touches(op delta.Delta) bool {
	start, end := a.Index, a.Index+a.Length
	pos := 0 // position in the text before op
	for _, o := range op.Ops {
		if pos > end || (pos == end && o.Type() != delta.OpInsert) {
			return false
		}
		switch o.Type() {
		case delta.OpInsert:
			if start < pos && pos < end {
				return true
			}
		case delta.OpDelete:
			if pos < end && pos+o.Len() > start {
				return true
			}
			pos += o.Len()
		default:
			if (len(o.Attributes) > 0 || o.RetainEmbed != nil) && pos < end && pos+o.Len() > start {
				return true
			}
			pos += o.Len()
		}
	}
	return false
}
