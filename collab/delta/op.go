package delta

// OpType says what an op does: insert, delete or retain.
type OpType int

// The op types, as returned by Op.Type and OpIterator.PeekType.
const (
	OpInsert OpType = iota
	OpDelete
	OpRetain
)

// String returns the name quill-delta uses for the type.
func (t OpType) String() string {
	switch t {
	case OpDelete:
		return "delete"
	case OpRetain:
		return "retain"
	}
	return "insert"
}

// Op is one operation of a Delta. Exactly one of its forms is meant to be
// set:
//
//   - an insert of text (Insert) or of an embed (InsertEmbed, an object such
//     as {"image": "https://..."} that counts as one character);
//   - a delete of Delete characters;
//   - a retain of Retain characters, or, in Quill 5, a retain of an embed
//     change (RetainEmbed) that counts as one character.
//
// Attributes apply to inserts and retains. The zero Op is an empty text
// insert, which Validate refuses.
//
// When several forms are set the op is invalid (Validate says so); the
// functions of this package then read it as quill-delta reads such an
// object: a delete if Delete is set, else a retain, else an insert.
type Op struct {
	Insert      string
	InsertEmbed map[string]any
	Delete      int
	Retain      int
	RetainEmbed map[string]any
	Attributes  Attributes
}

// Type returns what the op does.
func (o Op) Type() OpType {
	switch {
	case o.Delete != 0:
		return OpDelete
	case o.Retain != 0 || o.RetainEmbed != nil:
		return OpRetain
	}
	return OpInsert
}

// Len returns the length of the op in UTF-16 code units, as quill-delta's
// Op.length: embeds count 1. Negative lengths count 0.
func (o Op) Len() int {
	switch {
	case o.Delete != 0:
		return max(o.Delete, 0)
	case o.Retain != 0:
		return max(o.Retain, 0)
	case o.RetainEmbed != nil, o.InsertEmbed != nil:
		return 1
	}
	return utf16Len(o.Insert)
}

// isText reports whether o inserts text (typeof insert === 'string').
func (o Op) isText() bool { return o.Type() == OpInsert && o.InsertEmbed == nil }

// isNumRetain reports whether o retains a number of characters
// (typeof retain === 'number').
func (o Op) isNumRetain() bool { return o.Delete == 0 && o.Retain != 0 }

// isEmbedRetain reports whether o retains an embed change
// (typeof retain === 'object').
func (o Op) isEmbedRetain() bool { return o.Delete == 0 && o.Retain == 0 && o.RetainEmbed != nil }

// insertsSomething reports whether op.insert is truthy in JavaScript: a
// non-empty string or an embed.
func (o Op) insertsSomething() bool {
	return o.Type() == OpInsert && (o.Insert != "" || o.InsertEmbed != nil)
}

// Equal reports whether o and p are the same op, comparing attributes and
// embeds deeply (lodash's isEqual).
func (o Op) Equal(p Op) bool {
	return o.Insert == p.Insert && o.Delete == p.Delete && o.Retain == p.Retain &&
		(o.InsertEmbed == nil) == (p.InsertEmbed == nil) && mapEqualNil(o.InsertEmbed, p.InsertEmbed) &&
		(o.RetainEmbed == nil) == (p.RetainEmbed == nil) && mapEqualNil(o.RetainEmbed, p.RetainEmbed) &&
		attributesEqual(o.Attributes, p.Attributes)
}

func mapEqualNil(a, b map[string]any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return mapEqual(a, b)
}

// sameInsert is lodash's isEqual on two ops' insert values.
func sameInsert(a, b Op) bool {
	if a.InsertEmbed != nil || b.InsertEmbed != nil {
		return a.InsertEmbed != nil && b.InsertEmbed != nil && mapEqual(a.InsertEmbed, b.InsertEmbed)
	}
	return a.Insert == b.Insert
}
