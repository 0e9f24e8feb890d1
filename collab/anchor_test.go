package collab_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/delta"
)

// randomOp returns a random edit of a document of length n (its last
// character, the final newline, is never deleted): an insert, a delete, a
// format, or a mix, at random places.
func randomOp(rng *rand.Rand, n int) delta.Delta {
	var d delta.Delta
	pos := 0
	for range 1 + rng.IntN(3) {
		if pos >= n-1 {
			break
		}
		skip := rng.IntN(n - 1 - pos + 1)
		d.Retain(skip, nil)
		pos += skip
		switch rng.IntN(4) {
		case 0, 1:
			var attrs delta.Attributes
			if rng.IntN(3) == 0 {
				attrs = delta.Attributes{"bold": true}
			}
			d.Insert([]string{"a", "ord ", "æøå", "🏛", "\n"}[rng.IntN(5)], attrs)
		case 2:
			k := rng.IntN(min(6, n-1-pos) + 1)
			d.Delete(k)
			pos += k
		case 3:
			k := rng.IntN(min(6, n-1-pos) + 1)
			d.Retain(k, delta.Attributes{"italic": true})
			pos += k
		}
	}
	return *d.Chop()
}

// markedSpan returns the range of the characters of doc that carry the
// attribute mark: from the first to the last of them, or ok false when
// none is left.
func markedSpan(doc delta.Delta, mark string) (index, length int, ok bool) {
	first, last, pos := -1, -1, 0
	for _, o := range doc.Ops {
		n := o.Len()
		if o.Attributes[mark] != nil {
			if first < 0 {
				first = pos
			}
			last = pos + n
		}
		pos += n
	}
	if first < 0 {
		return 0, 0, false
	}
	return first, last - first, true
}

// markInserted gives text that op inserted between two characters of a
// marked range — both neighbours in the document before op carry the mark
// — that range's mark as well: text typed inside a range belongs to it.
// before is the document before op, after the document after it.
func markInserted(before, after, op delta.Delta, marks int) delta.Delta {
	type insert struct{ start, end, old int }
	var ins []insert
	oldPos, newPos := 0, 0
	for _, o := range op.Ops {
		switch o.Type() {
		case delta.OpInsert:
			ins = append(ins, insert{newPos, newPos + o.Len(), oldPos})
			newPos += o.Len()
		case delta.OpDelete:
			oldPos += o.Len()
		default:
			oldPos += o.Len()
			newPos += o.Len()
		}
	}
	attrsAt := func(doc delta.Delta, i int) delta.Attributes {
		p := 0
		for _, o := range doc.Ops {
			if i < p+o.Len() {
				return o.Attributes
			}
			p += o.Len()
		}
		return nil
	}
	for _, in := range ins {
		if in.old == 0 {
			continue
		}
		left, right := attrsAt(before, in.old-1), attrsAt(before, in.old)
		for m := range marks {
			mark := fmt.Sprintf("m%d", m)
			if left[mark] != nil && right[mark] != nil {
				var f delta.Delta
				f.Retain(in.start, nil).Retain(in.end-in.start, delta.Attributes{mark: true})
				after = after.Compose(f)
			}
		}
	}
	return after
}

// touchesMarked reports whether op deletes or formats a character of doc
// that carries mark, or inserts between two such characters.
func touchesMarked(doc, op delta.Delta, mark string) bool {
	marked := func(i int) bool {
		p := 0
		for _, o := range doc.Ops {
			if i < p+o.Len() {
				return o.Attributes[mark] != nil
			}
			p += o.Len()
		}
		return false
	}
	pos := 0
	for _, o := range op.Ops {
		switch {
		case o.Type() == delta.OpInsert:
			if pos > 0 && marked(pos-1) && marked(pos) {
				return true
			}
		case o.Type() == delta.OpDelete || len(o.Attributes) > 0:
			for i := pos; i < pos+o.Len(); i++ {
				if marked(i) {
					return true
				}
			}
			pos += o.Len()
		default:
			pos += o.Len()
		}
	}
	return false
}

// The anchors are checked against a reference that needs no position
// arithmetic: each range's characters carry an attribute of their own, the
// same ops are applied to the document with collab/delta, and the range is
// where the marked characters are (text typed inside a range takes its
// mark, see markInserted).
func TestAnchor_MovesLikeMarkedText(t *testing.T) {
	const edits, ranges = 1000, 24
	for seed := range uint64(5) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 42))
			var doc delta.Delta
			doc.Insert("Boligplanen skal sikre gode boliger for alle innbyggere i kommunen.\n", nil)
			type tracked struct {
				a      collab.Anchor
				mark   string
				orphan bool
			}
			var anchors []*tracked
			n := doc.Length()
			for i := range ranges {
				idx := rng.IntN(n - 1)
				length := 1 + rng.IntN(min(12, n-1-idx))
				mark := fmt.Sprintf("m%d", i)
				var f delta.Delta
				f.Retain(idx, nil).Retain(length, delta.Attributes{mark: true})
				doc = doc.Compose(f)
				anchors = append(anchors, &tracked{a: collab.Anchor{Index: idx, Length: length}, mark: mark})
			}
			orphaned, moved := 0, 0
			for e := range edits {
				op := randomOp(rng, doc.Length())
				next, err := delta.Apply(doc, op)
				if err != nil {
					t.Fatalf("edit %d: %v", e, err)
				}
				prev := doc
				doc = markInserted(doc, next, op, len(anchors))
				for _, tr := range anchors {
					if tr.orphan {
						continue
					}
					if got, want := tr.a.Touches(op), touchesMarked(prev, op, tr.mark); got != want {
						t.Fatalf("edit %d %v: Touches(%s at %+v) = %t, the marked text says %t", e, op, tr.mark, tr.a, got, want)
					}
					before := tr.a
					tr.a = tr.a.Move(op)
					if tr.a.Index != before.Index || tr.a.Length != before.Length {
						moved++
					}
					idx, length, ok := markedSpan(doc, tr.mark)
					if !ok {
						if tr.a.Length != 0 {
							t.Fatalf("edit %d %v: %s's text is deleted but the anchor is %+v", e, op, tr.mark, tr.a)
						}
						tr.orphan = true
						orphaned++
						continue
					}
					if tr.a.Index != idx || tr.a.Length != length {
						t.Fatalf("edit %d %v: %s moved from %+v to %+v, the marked text is at %d+%d", e, op, tr.mark, before, tr.a, idx, length)
					}
				}
			}
			t.Logf("%d edits, %d ranges: %d moves checked, %d ranges orphaned", edits, ranges, moved, orphaned)
		})
	}
}

// Typing at the edges of a range leaves it as it is; typing inside grows it.
func TestAnchor_EdgeTyping(t *testing.T) {
	at := func(index int, text string) delta.Delta {
		var d delta.Delta
		d.Retain(index, nil).Insert(text, nil)
		return d
	}
	del := func(index, n int) delta.Delta {
		var d delta.Delta
		d.Retain(index, nil).Delete(n)
		return d
	}
	a := collab.Anchor{V: 7, Index: 10, Length: 5} // characters 10..14
	cases := []struct {
		name    string
		op      delta.Delta
		want    collab.Anchor
		touches bool
	}{
		{"type before the range", at(3, "ab"), collab.Anchor{V: 8, Index: 12, Length: 5}, false},
		{"type at the start edge", at(10, "ab"), collab.Anchor{V: 8, Index: 12, Length: 5}, false},
		{"type inside", at(12, "ab"), collab.Anchor{V: 8, Index: 10, Length: 7}, true},
		{"type at the end edge", at(15, "ab"), collab.Anchor{V: 8, Index: 10, Length: 5}, false},
		{"type after the range", at(20, "ab"), collab.Anchor{V: 8, Index: 10, Length: 5}, false},
		{"delete before", del(2, 3), collab.Anchor{V: 8, Index: 7, Length: 5}, false},
		{"delete across the start", del(8, 4), collab.Anchor{V: 8, Index: 8, Length: 3}, true},
		{"delete inside", del(11, 2), collab.Anchor{V: 8, Index: 10, Length: 3}, true},
		{"delete across the end", del(13, 5), collab.Anchor{V: 8, Index: 10, Length: 3}, true},
		{"delete the whole range", del(10, 5), collab.Anchor{V: 8, Index: 10, Length: 0}, true},
		{"delete around the range", del(5, 20), collab.Anchor{V: 8, Index: 5, Length: 0}, true},
		{"format inside", *new(delta.Delta).Retain(12, nil).Retain(1, delta.Attributes{"bold": true}), collab.Anchor{V: 8, Index: 10, Length: 5}, true},
		{"format before", *new(delta.Delta).Retain(2, nil).Retain(8, delta.Attributes{"bold": true}), collab.Anchor{V: 8, Index: 10, Length: 5}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := a.Move(c.op); got != c.want {
				t.Errorf("Move = %+v, want %+v", got, c.want)
			}
			if got := a.Touches(c.op); got != c.touches {
				t.Errorf("Touches = %t, want %t", got, c.touches)
			}
		})
	}
}

// BenchmarkAnchor_Move is the cost of keeping one anchor current through
// one op: what a read pays per anchor per op committed since the last read
// of its section (nothing is paid when an op commits).
func BenchmarkAnchor_Move(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	ops := make([]delta.Delta, 1024)
	for i := range ops {
		ops[i] = randomOp(rng, 2000)
	}
	a := collab.Anchor{Index: 700, Length: 40}
	b.ResetTimer()
	for i := range b.N {
		op := ops[i%len(ops)]
		_ = a.Touches(op)
		_ = a.Move(op)
	}
}
