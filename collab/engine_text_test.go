package collab

import (
	"math/rand/v2"
	"testing"

	"github.com/temaplan/temaplan/collab/delta"
)

// A delta.Gathered fed random edits — inserts with and without formats, emoji,
// deletes, formats set and removed on retains — holds at every step the
// document that composing op by op gives, and its validation answers as
// Validate against that document.
func TestHeadText_SameAsComposingEachOp(t *testing.T) {
	check, err := delta.NewValidator(delta.DefaultWhitelist(), delta.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	pieces := []string{"a", "bc", "æøå", " ", "\n", "漢字", "😀", "é,"}
	formats := []delta.Attributes{nil, {"bold": true}, {"italic": true}, {"bold": true, "italic": true}}
	for seed := range uint64(60) {
		rng := rand.New(rand.NewPCG(seed, 1))
		emoji := seed%3 == 0
		eager := EmptyDoc()
		text := delta.Gather(eager)
		length := eager.Length()
		for step := range 400 {
			// A random change: a retain, then an insert, a delete or a
			// format, at character boundaries of the eager text.
			var op delta.Delta
			units := unitsOf(eager)
			at := rng.IntN(len(units))
			pos := 0
			for _, u := range units[:at] {
				pos += u
			}
			op.Retain(pos, nil)
			switch k := rng.IntN(6); {
			case k < 3:
				s := pieces[rng.IntN(len(pieces))]
				if !emoji && s == "😀" {
					s = "x"
				}
				op.Insert(s, formats[rng.IntN(len(formats))])
			case k < 5 && at < len(units)-1:
				op.Delete(units[at])
			default:
				n := 0
				for _, u := range units[at:min(len(units), at+1+rng.IntN(4))] {
					n += u
				}
				attrs := delta.Attributes{"bold": true}
				if rng.IntN(2) == 0 {
					attrs = delta.Attributes{"bold": nil}
				}
				op.Retain(n, attrs)
			}
			op.Chop()
			checked, err := validateText(check, text, op, length)
			if want := check.Validate(op, eager); (err == nil) != (want == nil) {
				t.Fatalf("seed %d step %d: validate %v, Validate %v", seed, step, err, want)
			}
			if err != nil {
				continue
			}
			text = checked.Compose(op)
			eager = eager.Compose(op)
			length += op.ChangeLength()
			if step%7 == 0 || step == 399 {
				if got := text.Doc(); !got.Equal(eager) {
					t.Fatalf("seed %d step %d: content differs\ngot  %v\nwant %v", seed, step, got, eager)
				}
			}
		}
		if length != eager.Length() {
			t.Fatalf("seed %d: length %d, want %d", seed, length, eager.Length())
		}
	}
}

// unitsOf returns the code units of each character of the document doc.
func unitsOf(doc delta.Delta) []int {
	var units []int
	for _, op := range doc.Ops {
		if op.InsertEmbed != nil {
			units = append(units, 1)
			continue
		}
		for _, r := range op.Insert {
			if r >= 0x10000 {
				units = append(units, 2)
			} else {
				units = append(units, 1)
			}
		}
	}
	return units
}
