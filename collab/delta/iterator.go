package delta

import "math"

// Infinity is the length an OpIterator reports once it has run out of ops,
// standing in for JavaScript's Infinity: past its end a Delta retains
// everything.
const Infinity = math.MaxInt

// OpIterator walks the ops of a Delta in pieces of a chosen length, as
// quill-delta's OpIterator. It remembers where it is inside the current
// text insert, so walking a string costs time linear in its length.
type OpIterator struct {
	ops    []Op
	index  int
	offset int // code units consumed of ops[index]

	lenIndex int // index whose length is cached in opLen, or -1
	opLen    int

	posIndex int     // index whose text position is cached in pos, or -1
	pos      textPos // byte position of offset in ops[posIndex].Insert
}

// NewOpIterator returns an iterator over ops.
func NewOpIterator(ops []Op) *OpIterator {
	return &OpIterator{ops: ops, lenIndex: -1, posIndex: -1}
}

// curLen returns the length of the current op, cached because counting a
// string's code units takes a pass over it.
func (it *OpIterator) curLen() int {
	if it.lenIndex != it.index {
		it.opLen = it.ops[it.index].Len()
		it.lenIndex = it.index
	}
	return it.opLen
}

// HasNext reports whether ops remain.
func (it *OpIterator) HasNext() bool { return it.PeekLength() < Infinity }

// PeekLength returns the length left of the current op, or Infinity.
func (it *OpIterator) PeekLength() int {
	if it.index >= len(it.ops) {
		return Infinity
	}
	return it.curLen() - it.offset
}

// PeekType returns the type of the current op; past the end it is a retain.
func (it *OpIterator) PeekType() OpType {
	if it.index >= len(it.ops) {
		return OpRetain
	}
	return it.ops[it.index].Type()
}

// Peek returns the current op whole (not only what is left of it), and
// false past the end.
func (it *OpIterator) Peek() (Op, bool) {
	if it.index >= len(it.ops) {
		return Op{}, false
	}
	return it.ops[it.index], true
}

// Next returns the next length code units of the current op, or what is
// left of it if that is shorter. A length of 0 or less means all that is
// left (quill-delta's next() and next(0)). Past the end it returns a retain
// of Infinity.
func (it *OpIterator) Next(length int) Op {
	if it.index >= len(it.ops) {
		return Op{Retain: Infinity}
	}
	op := it.ops[it.index]
	offset := it.offset
	rest := it.curLen() - offset
	consumed := false
	if length <= 0 || length >= rest {
		length = rest
		consumed = true
	}
	var out Op
	switch {
	case op.Delete != 0:
		out = Op{Delete: length}
	case op.Retain != 0:
		out = Op{Retain: length, Attributes: op.Attributes}
	case op.RetainEmbed != nil:
		out = Op{RetainEmbed: op.RetainEmbed, Attributes: op.Attributes}
	case op.InsertEmbed != nil:
		out = Op{InsertEmbed: op.InsertEmbed, Attributes: op.Attributes}
	default:
		out = Op{Attributes: op.Attributes}
		if offset == 0 && consumed {
			out.Insert = op.Insert
		} else {
			if it.posIndex != it.index {
				it.pos = textPos{}.advance(op.Insert, offset)
				it.posIndex = it.index
			}
			to := it.pos.advance(op.Insert, length)
			out.Insert = slice16(op.Insert, it.pos, to)
			it.pos = to
		}
	}
	if consumed {
		it.index++
		it.offset = 0
	} else {
		it.offset += length
	}
	return out
}

// skip moves past n code units without building ops.
func (it *OpIterator) skip(n int) {
	for n > 0 && it.index < len(it.ops) {
		rest := it.PeekLength()
		if n >= rest {
			it.index++
			it.offset = 0
			n -= rest
			continue
		}
		if op := it.ops[it.index]; op.isText() {
			if it.posIndex != it.index {
				it.pos = textPos{}.advance(op.Insert, it.offset)
				it.posIndex = it.index
			}
			it.pos = it.pos.advance(op.Insert, n)
		}
		it.offset += n
		return
	}
}

// Rest returns the ops left, the first one cut to what is left of it,
// without moving the iterator. The slice is a copy.
func (it *OpIterator) Rest() []Op {
	if !it.HasNext() {
		return nil
	}
	if it.offset == 0 {
		return append([]Op(nil), it.ops[it.index:]...)
	}
	index, offset, pos, posIndex := it.index, it.offset, it.pos, it.posIndex
	next := it.Next(0)
	rest := make([]Op, 0, 1+len(it.ops)-it.index)
	rest = append(rest, next)
	rest = append(rest, it.ops[it.index:]...)
	it.index, it.offset, it.pos, it.posIndex = index, offset, pos, posIndex
	return rest
}

// peekText returns what is left of the current text insert without moving
// the iterator.
func (it *OpIterator) peekText() string {
	op := it.ops[it.index]
	if it.offset == 0 {
		return op.Insert
	}
	if it.posIndex != it.index {
		it.pos = textPos{}.advance(op.Insert, it.offset)
		it.posIndex = it.index
	}
	return slice16(op.Insert, it.pos, textPos{b: len(op.Insert)})
}
