package delta

// Compose returns the change that has the effect of d followed by other, as
// quill-delta's compose. Composing a document with a change gives the new
// document; see Apply for a version that checks that the change fits.
//
// quill-delta needs a registered embed handler to compose an embed change
// (RetainEmbed) with an embed, and throws without one. This package has no
// embed handlers: there, the embed change is taken as a plain retain of
// length one.
func (d Delta) Compose(other Delta) Delta {
	thisIter := NewOpIterator(d.Ops)
	otherIter := NewOpIterator(other.Ops)
	b := newBuilder(len(d.Ops) + len(other.Ops))

	// A leading plain retain of other keeps the inserts of d it covers as
	// they are; quill-delta copies them without merging.
	if first, ok := otherIter.Peek(); ok && first.isNumRetain() && len(first.Attributes) == 0 {
		firstLeft := first.Retain
		for thisIter.PeekType() == OpInsert && thisIter.PeekLength() <= firstLeft {
			firstLeft -= thisIter.PeekLength()
			b.ops = append(b.ops, thisIter.Next(0))
		}
		if first.Retain-firstLeft > 0 {
			otherIter.Next(first.Retain - firstLeft)
		}
	}

	for thisIter.HasNext() || otherIter.HasNext() {
		switch {
		case otherIter.PeekType() == OpInsert:
			b.push(otherIter.Next(0))
		case thisIter.PeekType() == OpDelete:
			b.push(thisIter.Next(0))
		default:
			length := min(thisIter.PeekLength(), otherIter.PeekLength())
			thisOp := thisIter.Next(length)
			otherOp := otherIter.Next(length)
			switch {
			case otherOp.Retain != 0 || otherOp.RetainEmbed != nil:
				var newOp Op
				switch {
				case thisOp.isNumRetain():
					if otherOp.isNumRetain() {
						newOp.Retain = length
					} else {
						newOp.RetainEmbed = otherOp.RetainEmbed
					}
				case thisOp.isEmbedRetain():
					// With an embed change in other, quill-delta calls the
					// embed handler here.
					newOp.RetainEmbed = thisOp.RetainEmbed
				default:
					// Likewise for an embed change over an insert.
					newOp.Insert = thisOp.Insert
					newOp.InsertEmbed = thisOp.InsertEmbed
				}
				// Keep null when composing onto a retain (it still has to
				// remove the format below); drop it on an insert.
				newOp.Attributes = thisOp.Attributes.Compose(otherOp.Attributes, thisOp.isNumRetain())
				// quill-delta checks isEqual(last op, newOp): true exactly
				// when newOp was appended unmerged, ops having positive
				// lengths.
				if b.push(newOp) && !otherIter.HasNext() {
					// Only retains of other are left: the rest of d stays.
					b.concat(thisIter.Rest())
					b.chop()
					return b.finish()
				}
			case otherOp.Delete != 0 && (thisOp.isNumRetain() || thisOp.isEmbedRetain()):
				// other deletes what d retained; an insert of d that other
				// deletes cancels out.
				b.push(otherOp)
			}
		}
	}
	b.chop()
	return b.finish()
}

// Apply returns the document doc after change, or an error if doc is not a
// document or change does not fit it: a retain or delete past the end of
// doc, or an embed change, which needs an embed handler this package does
// not have. Errors about change are *ValidationError.
//
// Apply does not check formats, normal form or surrogate pairs; see
// Validator for that.
func Apply(doc, change Delta) (Delta, error) {
	if !doc.IsDocument() {
		return Delta{}, errorf(-1, "the base is not a document")
	}
	if err := Fits(change, doc.Length()); err != nil {
		return Delta{}, err
	}
	return doc.Compose(change), nil
}

// Fits makes Apply's checks of change against a document of docLen code
// units without reading the document: positive lengths, no embed change,
// no retain or delete past the end. Its errors are *ValidationError.
func Fits(change Delta, docLen int) error {
	covered := 0
	for i, op := range change.Ops {
		switch {
		case op.Delete < 0 || op.Retain < 0:
			return errorf(i, "length must be positive")
		case op.isEmbedRetain():
			return errorf(i, "embed changes (a retain of an object) are not supported")
		case op.Type() != OpInsert:
			if op.Len() > docLen-covered {
				return errorf(i, "%s of %d at %d goes past the end of the document (length %d)", op.Type(), op.Len(), covered, docLen)
			}
			covered += op.Len()
		}
	}
	return nil
}
