package delta

// Transform returns other transformed against d, both made on the same
// document, so that applying d and then the result has the effect of both,
// as quill-delta's transform. priority says that d happened first: its
// inserts go before other's at the same index and its formats win. The
// property: d.Compose(d.Transform(o, p)) equals o.Compose(o.Transform(d, !p)).
//
// quill-delta calls an embed handler to transform two embed changes of the
// same embed type; without one (this package has none) other's change is
// kept as it is.
func (d Delta) Transform(other Delta, priority bool) Delta {
	thisIter := NewOpIterator(d.Ops)
	otherIter := NewOpIterator(other.Ops)
	b := newBuilder(len(other.Ops) + len(d.Ops))
	for thisIter.HasNext() || otherIter.HasNext() {
		switch {
		case thisIter.PeekType() == OpInsert && (priority || otherIter.PeekType() != OpInsert):
			n := thisIter.PeekLength()
			thisIter.Next(0)
			b.retain(n, nil)
		case otherIter.PeekType() == OpInsert:
			b.push(otherIter.Next(0))
		default:
			length := min(thisIter.PeekLength(), otherIter.PeekLength())
			thisOp := thisIter.Next(length)
			otherOp := otherIter.Next(length)
			switch {
			case thisOp.Delete != 0:
				// Our delete either makes their delete redundant or
				// removes their retain.
			case otherOp.Delete != 0:
				b.push(otherOp)
			default:
				// We retain either their retain or insert.
				attrs := nonEmpty(thisOp.Attributes.Transform(otherOp.Attributes, priority))
				if otherOp.isEmbedRetain() {
					b.push(Op{RetainEmbed: otherOp.RetainEmbed, Attributes: attrs})
				} else {
					b.retain(length, attrs)
				}
			}
		}
	}
	b.chop()
	return b.finish()
}

// TransformPosition returns where index (a cursor position) moves to when d
// is applied, as quill-delta's transformPosition. An insert exactly at
// index moves the position past it, unless priority is set, in which case
// the position stays before the inserted text.
func (d Delta) TransformPosition(index int, priority bool) int {
	it := NewOpIterator(d.Ops)
	offset := 0
	for it.HasNext() && offset <= index {
		length := it.PeekLength()
		typ := it.PeekType()
		it.Next(0)
		if typ == OpDelete {
			index -= min(length, index-offset)
			continue
		}
		if typ == OpInsert && (offset < index || !priority) {
			index += length
		}
		offset += length
	}
	return index
}

// Invert returns the change that undoes d applied to the document base, as
// quill-delta's invert: base.Compose(d).Compose(d.Invert(base)) equals base.
//
// quill-delta needs an embed handler to invert an embed change
// (RetainEmbed); without one (this package has none) it is inverted as a
// retain of length one with its attributes.
func (d Delta) Invert(base Delta) Delta {
	b := newBuilder(len(d.Ops))
	// quill-delta slices base afresh at each op; one iterator kept at the
	// base index gives the same pieces in linear time.
	baseIter := NewOpIterator(base.Ops)
	for _, op := range d.Ops {
		switch {
		case op.insertsSomething():
			b.delete(op.Len())
		case op.isNumRetain() && len(op.Attributes) == 0:
			b.retain(op.Retain, nil)
			baseIter.skip(op.Retain)
		case op.Delete != 0 || op.isNumRetain():
			length := op.Len()
			for length > 0 && baseIter.HasNext() {
				n := min(baseIter.PeekLength(), length)
				baseOp := baseIter.Next(length)
				length -= n
				if op.Delete != 0 {
					b.push(baseOp)
				} else {
					b.retain(n, op.Attributes.Invert(baseOp.Attributes))
				}
			}
		case op.isEmbedRetain():
			var baseAttrs Attributes
			if baseIter.HasNext() {
				baseAttrs = baseIter.Next(1).Attributes
			}
			b.retain(1, op.Attributes.Invert(baseAttrs))
		}
	}
	b.chop()
	return b.finish()
}
