package delta

import "fmt"

// Diff returns the change that turns the document d into the document
// other, as quill-delta's diff: the texts are compared with fast-diff (a
// port of which is in fastdiff.go; embeds stand in as U+0000), then the
// attributes of the equal parts. It fails when d or other is not a
// document, and on the rare texts with lone surrogates on which fast-diff
// never terminates (quill-delta throws a RangeError there). The cursor hint
// of quill-delta's diff is not supported.
func (d Delta) Diff(other Delta) (Delta, error) {
	if len(d.Ops) > 0 && len(d.Ops) == len(other.Ops) && &d.Ops[0] == &other.Ops[0] {
		return Delta{}, nil
	}
	text1, err := documentUnits(d, "with")
	if err != nil {
		return Delta{}, err
	}
	text2, err := documentUnits(other, "on")
	if err != nil {
		return Delta{}, err
	}
	diffs, err := fastDiff(text1, text2)
	if err != nil {
		return Delta{}, err
	}
	thisIter := NewOpIterator(d.Ops)
	otherIter := NewOpIterator(other.Ops)
	b := newBuilder(len(other.Ops))
	for _, c := range diffs {
		length := len(c.text)
		for length > 0 {
			var n int
			switch c.op {
			case diffInsert:
				n = min(otherIter.PeekLength(), length)
				b.push(otherIter.Next(n))
			case diffDelete:
				n = min(length, thisIter.PeekLength())
				if n == 0 {
					thisIter.Next(0) // an empty insert: next(0) takes it whole
				} else {
					thisIter.skip(n)
				}
				b.delete(n)
			case diffEqual:
				n = min(thisIter.PeekLength(), otherIter.PeekLength(), length)
				thisOp := thisIter.Next(n)
				otherOp := otherIter.Next(n)
				if sameInsert(thisOp, otherOp) {
					b.retain(n, thisOp.Attributes.Diff(otherOp.Attributes))
				} else {
					b.push(otherOp)
					b.delete(n)
				}
			}
			length -= n
		}
	}
	b.chop()
	return b.finish(), nil
}

// documentUnits returns the text of a document as UTF-16 code units, each
// embed as U+0000, as quill-delta's diff builds it.
func documentUnits(d Delta, prep string) ([]uint16, error) {
	units := make([]uint16, 0, d.Length())
	for _, op := range d.Ops {
		switch {
		case op.Type() != OpInsert:
			return nil, fmt.Errorf("diff() called %s non-document", prep)
		case op.InsertEmbed != nil:
			units = append(units, 0)
		default:
			units = appendUnits(units, op.Insert)
		}
	}
	return units, nil
}
