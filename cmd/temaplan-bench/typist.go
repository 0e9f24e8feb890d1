package main

import (
	"math/rand/v2"
	"strings"
	"unicode/utf16"

	"github.com/temaplan/temaplan/collab/delta"
)

// Typist makes random edits of a document the way a person in a Quill
// editor does: short inserts (with Norwegian letters and an emoji, so that
// UTF-16 lengths and surrogate pairs are exercised), deletes, and bold or
// italic applied to a few characters. Every position lies on a character
// boundary (never inside a surrogate pair) and before the document's final
// newline, which Quill never removes.
type Typist struct {
	rng      *rand.Rand
	alphabet []rune
}

// alphabet is what the typist types: mostly ASCII letters and spaces,
// some Norwegian letters (one UTF-16 unit each) and an emoji (two).
const alphabet = "abdegiklmnorstuv   enrsæøåÆØÅé,.🙂"

// NewTypist returns a typist drawing from rng.
func NewTypist(rng *rand.Rand) *Typist { return &Typist{rng: rng, alphabet: []rune(alphabet)} }

// format returns bold or italic.
func (t *Typist) format() string {
	if t.rng.IntN(2) == 0 {
		return "bold"
	}
	return "italic"
}

// Edit returns a random change of doc.
func (t *Typist) Edit(doc delta.Delta) delta.Delta {
	bounds := boundaries(doc)
	// The editable positions: before the final newline.
	last := len(bounds) - 1
	if last > 0 && endsWithNewline(doc) {
		last--
	}
	var d delta.Delta
	switch r := t.rng.IntN(100); {
	case r < 25 && last > 0:
		i := t.rng.IntN(last)
		j := min(i+1+t.rng.IntN(3), last)
		d.Retain(bounds[i], nil)
		d.Delete(bounds[j] - bounds[i])
	case r < 35 && last > 0:
		i := t.rng.IntN(last)
		j := min(i+1+t.rng.IntN(6), last)
		var v any = true
		if t.rng.IntN(3) == 0 {
			v = nil // remove the format
		}
		d.Retain(bounds[i], nil)
		d.Retain(bounds[j]-bounds[i], delta.Attributes{t.format(): v})
	default:
		var attrs delta.Attributes
		if t.rng.IntN(10) == 0 {
			attrs = delta.Attributes{t.format(): true}
		}
		d.Retain(bounds[t.rng.IntN(last+1)], nil)
		d.Insert(t.word(1+t.rng.IntN(4)), attrs)
	}
	return *d.Chop()
}

// word returns n random characters of the alphabet.
func (t *Typist) word(n int) string {
	var b strings.Builder
	for range n {
		b.WriteRune(t.alphabet[t.rng.IntN(len(t.alphabet))])
	}
	return b.String()
}

// boundaries returns the positions of doc, in UTF-16 code units, at which
// a character starts, and its length: never the middle of a surrogate
// pair. An embed is one character.
func boundaries(doc delta.Delta) []int {
	bounds := []int{0}
	pos := 0
	for _, op := range doc.Ops {
		if op.InsertEmbed != nil {
			pos++
			bounds = append(bounds, pos)
			continue
		}
		for _, r := range op.Insert {
			pos += utf16.RuneLen(r)
			bounds = append(bounds, pos)
		}
	}
	return bounds
}

func endsWithNewline(doc delta.Delta) bool {
	n := len(doc.Ops)
	return n > 0 && doc.Ops[n-1].InsertEmbed == nil && strings.HasSuffix(doc.Ops[n-1].Insert, "\n")
}
