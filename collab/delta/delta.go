package delta

import (
	"slices"
	"strings"
)

// Delta is a list of ops: a document (inserts only) or a change to one.
// Its JSON form is quill-delta's: {"ops":[...]}.
type Delta struct {
	Ops []Op
}

// New returns a Delta of ops, pushed one by one so that it is normalised.
func New(ops ...Op) Delta {
	b := newBuilder(len(ops))
	for _, op := range ops {
		b.push(op)
	}
	return b.finish()
}

// Insert appends an insert of text with attrs. Empty text is ignored.
func (d *Delta) Insert(text string, attrs Attributes) *Delta {
	if text == "" {
		return d
	}
	return d.Push(Op{Insert: text, Attributes: nonEmpty(attrs)})
}

// InsertEmbed appends an insert of the embed object with attrs.
func (d *Delta) InsertEmbed(embed map[string]any, attrs Attributes) *Delta {
	if embed == nil {
		embed = map[string]any{}
	}
	return d.Push(Op{InsertEmbed: embed, Attributes: nonEmpty(attrs)})
}

// Delete appends a delete of n characters. n <= 0 is ignored.
func (d *Delta) Delete(n int) *Delta {
	if n <= 0 {
		return d
	}
	return d.Push(Op{Delete: n})
}

// Retain appends a retain of n characters with attrs. n <= 0 is ignored.
func (d *Delta) Retain(n int, attrs Attributes) *Delta {
	if n <= 0 {
		return d
	}
	return d.Push(Op{Retain: n, Attributes: nonEmpty(attrs)})
}

// RetainEmbed appends a retain of an embed change (Quill 5) with attrs.
func (d *Delta) RetainEmbed(embed map[string]any, attrs Attributes) *Delta {
	if embed == nil {
		embed = map[string]any{}
	}
	return d.Push(Op{RetainEmbed: embed, Attributes: nonEmpty(attrs)})
}

// Push appends op, merging it into the last op where quill-delta's push
// does: deletes merge with deletes; an insert goes before a trailing delete
// (inserting before or after deleting at one index is the same); text
// inserts and numeric retains merge with their neighbour when their
// attributes are equal. Like quill-delta's push it rewrites d.Ops in
// place, so do not push onto a Delta whose Ops slice another Delta shares.
func (d *Delta) Push(op Op) *Delta {
	b := builder{ops: d.Ops, tailIndex: -1}
	b.push(op)
	d.Ops = b.finish().Ops
	return d
}

// Chop removes a trailing retain without attributes, which changes nothing.
func (d *Delta) Chop() *Delta {
	if n := len(d.Ops); n > 0 && d.Ops[n-1].isNumRetain() && len(d.Ops[n-1].Attributes) == 0 {
		d.Ops = d.Ops[:n-1]
	}
	return d
}

func nonEmpty(attrs Attributes) Attributes {
	if len(attrs) == 0 {
		return nil
	}
	return attrs
}

// Length returns the sum of the lengths of the ops; for a document, its
// length in UTF-16 code units.
func (d Delta) Length() int {
	n := 0
	for _, op := range d.Ops {
		n += op.Len()
	}
	return n
}

// ChangeLength returns by how much the change d changes the length of a
// document: inserted minus deleted code units.
func (d Delta) ChangeLength() int {
	n := 0
	for _, op := range d.Ops {
		switch {
		case op.insertsSomething():
			n += op.Len()
		case op.Delete != 0:
			n -= op.Delete
		}
	}
	return n
}

// IsDocument reports whether d holds inserts only.
func (d Delta) IsDocument() bool {
	for _, op := range d.Ops {
		if op.Type() != OpInsert {
			return false
		}
	}
	return true
}

// Equal reports whether d and other have the same ops.
func (d Delta) Equal(other Delta) bool {
	return slices.EqualFunc(d.Ops, other.Ops, Op.Equal)
}

// Slice returns the ops of d between code units start and end, cutting the
// ops at the ends. Pass Infinity as end for everything after start.
func (d Delta) Slice(start, end int) Delta {
	var ops []Op
	it := NewOpIterator(d.Ops)
	index := 0
	for index < end && it.HasNext() {
		var n int
		if index < start {
			n = min(it.PeekLength(), start-index)
			it.Next(start - index)
		} else {
			n = min(it.PeekLength(), end-index)
			ops = append(ops, it.Next(end-index))
		}
		index += n
	}
	return Delta{Ops: ops}
}

// Concat returns d followed by other, merging the first op of other into
// the last of d where Push would.
func (d Delta) Concat(other Delta) Delta {
	b := builder{ops: slices.Grow(slices.Clone(d.Ops), len(other.Ops)), tailIndex: -1}
	b.concat(other.Ops)
	return b.finish()
}

// EachLine calls fn for each line of the document d with the line's ops
// (without the newline), the attributes of its newline and its index,
// splitting at newline (quill-delta uses "\n"). It stops when fn returns
// false or at the first op that is not an insert.
func (d Delta) EachLine(fn func(line Delta, attrs Attributes, index int) bool, newline string) {
	it := NewOpIterator(d.Ops)
	line := builder{tailIndex: -1}
	i := 0
	for it.HasNext() {
		if it.PeekType() != OpInsert {
			return
		}
		idx := -1
		if op, _ := it.Peek(); op.isText() {
			rest := it.peekText()
			if idx = strings.Index(rest, newline); idx >= 0 {
				idx = utf16Len(rest[:idx])
			}
		}
		switch {
		case idx < 0:
			line.push(it.Next(0))
		case idx > 0:
			line.push(it.Next(idx))
		default:
			attrs := it.Next(1).Attributes
			if !fn(line.finish(), attrs, i) {
				return
			}
			i++
			line = builder{tailIndex: -1}
		}
	}
	if l := line.finish(); l.Length() > 0 {
		fn(l, nil, i)
	}
}

// builder accumulates ops with quill-delta's push rules. Text merged into
// the last insert is gathered in a buffer (tail) and written back by flush,
// so that merging many pieces costs linear, not quadratic, time; meanwhile
// ops[tailIndex].Insert is stale.
type builder struct {
	ops       []Op
	tail      []byte
	tailIndex int
}

func newBuilder(capacity int) builder {
	return builder{ops: make([]Op, 0, capacity), tailIndex: -1}
}

// push is Delta.push. It reports whether op was appended as a new last op
// (rather than merged, or placed before a trailing delete).
func (b *builder) push(op Op) bool {
	index := len(b.ops)
	if index > 0 {
		last := b.ops[index-1]
		if op.Type() == OpDelete && last.Type() == OpDelete {
			b.ops[index-1] = Op{Delete: last.Delete + op.Delete}
			return false
		}
		if last.Type() == OpDelete && op.Type() == OpInsert {
			index--
			if index == 0 {
				b.insertAt(0, op)
				return false
			}
			last = b.ops[index-1]
		}
		if attributesEqual(op.Attributes, last.Attributes) {
			if op.isText() && last.isText() {
				b.appendText(index-1, op)
				return false
			}
			if op.isNumRetain() && last.isNumRetain() {
				b.ops[index-1] = Op{Retain: last.Retain + op.Retain, Attributes: op.Attributes}
				return false
			}
		}
	}
	if index == len(b.ops) {
		b.ops = append(b.ops, op)
		return true
	}
	b.insertAt(index, op)
	return false
}

func (b *builder) insertAt(index int, op Op) {
	b.ops = slices.Insert(b.ops, index, op)
	if b.tailIndex >= index {
		b.tailIndex++
	}
}

// appendText merges the text of op into the text insert at index i.
func (b *builder) appendText(i int, op Op) {
	if b.tailIndex != i {
		b.flush()
		b.tail = append(b.tail[:0], b.ops[i].Insert...)
		b.tailIndex = i
	}
	b.tail = appendText(b.tail, op.Insert)
	b.ops[i] = Op{Insert: b.ops[i].Insert, Attributes: op.Attributes}
}

func (b *builder) flush() {
	if b.tailIndex >= 0 {
		b.ops[b.tailIndex].Insert = string(b.tail)
		b.tailIndex = -1
	}
}

func (b *builder) delete(n int) {
	if n > 0 {
		b.push(Op{Delete: n})
	}
}

func (b *builder) retain(n int, attrs Attributes) {
	if n > 0 {
		b.push(Op{Retain: n, Attributes: nonEmpty(attrs)})
	}
}

// concat is Delta.concat in place: push the first op, append the others.
func (b *builder) concat(ops []Op) {
	if len(ops) > 0 {
		b.push(ops[0])
		b.ops = append(b.ops, ops[1:]...)
	}
}

func (b *builder) chop() {
	if n := len(b.ops); n > 0 && b.ops[n-1].isNumRetain() && len(b.ops[n-1].Attributes) == 0 {
		b.ops = b.ops[:n-1]
	}
}

func (b *builder) finish() Delta {
	b.flush()
	return Delta{Ops: b.ops}
}
