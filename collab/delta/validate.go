package delta

import (
	"errors"
	"fmt"
)

// ErrInvalid matches, with errors.Is, every *ValidationError: a delta that
// cannot be decoded, is not well formed or normalised, uses a format or
// embed outside the whitelist, does not fit its document, or is too large.
// Callers report it as the error code bad_op.
var ErrInvalid = errors.New("delta: invalid")

// ValidationError says why a delta was refused.
type ValidationError struct {
	// Op is the index of the offending op, or -1 when the delta as a whole
	// is at fault.
	Op int
	// Reason is a human-readable explanation.
	Reason string
}

// Error returns the reason, prefixed with the op index.
func (e *ValidationError) Error() string {
	if e.Op >= 0 {
		return fmt.Sprintf("delta: op %d: %s", e.Op, e.Reason)
	}
	return "delta: " + e.Reason
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

func errorf(op int, format string, args ...any) *ValidationError {
	return &ValidationError{Op: op, Reason: fmt.Sprintf(format, args...)}
}

// Limits bounds the size of a change and of a document. A zero field means
// no limit. Lengths are in UTF-16 code units, as everywhere in this package.
type Limits struct {
	// MaxOps is the most ops a change may have.
	MaxOps int
	// MaxInsert is the most code units a change may insert.
	MaxInsert int
	// MaxDocument is the longest a document may be, after the change.
	MaxDocument int
}

// DefaultLimits returns limits generous for a plan section yet small
// enough to keep one op's work bounded.
func DefaultLimits() Limits {
	return Limits{MaxOps: 4096, MaxInsert: 1 << 18, MaxDocument: 1 << 20}
}

// Validator checks deltas against a whitelist and limits. It is safe for
// concurrent use.
type Validator struct {
	limits  Limits
	formats map[string]rule
	embeds  map[string]rule
}

// NewValidator returns a Validator for w and lim, or an error if w is not
// consistent (duplicate names, an unknown type, a bad pattern).
func NewValidator(w Whitelist, lim Limits) (*Validator, error) {
	v := &Validator{limits: lim, formats: map[string]rule{}, embeds: map[string]rule{}}
	for _, list := range []struct {
		formats []Format
		into    map[string]rule
	}{{w.Formats, v.formats}, {w.Embeds, v.embeds}} {
		for _, f := range list.formats {
			r, err := newRule(f)
			if err != nil {
				return nil, fmt.Errorf("delta: whitelist: %w", err)
			}
			if _, dup := list.into[f.Name]; dup {
				return nil, fmt.Errorf("delta: whitelist: %q is listed twice", f.Name)
			}
			list.into[f.Name] = r
		}
	}
	return v, nil
}

// Validate checks that change may be applied to the document doc:
//
//   - every op is exactly one of a non-empty insert, a positive delete and
//     a positive retain (embed changes, a retain of an object, are
//     refused: they need an embed handler);
//   - inserted text is valid UTF-8 without lone surrogates; embeds and
//     attributes are whitelisted with whitelisted values; an insert sets no
//     format to null; a delete carries no attributes;
//   - change is normalised: equal to itself pushed op by op and chopped,
//     that is, no two neighbours that Push would merge, no insert right
//     after a delete, no trailing retain without attributes;
//   - retains and deletes stay within doc and none starts or ends between
//     the two halves of a surrogate pair of doc;
//   - the limits hold.
//
// Errors about change are *ValidationError; an error about doc (not a
// document) is not.
func (v *Validator) Validate(change, doc Delta) error {
	if !doc.IsDocument() {
		return errors.New("delta: validate: the base is not a document")
	}
	return v.validate(change, doc.Length(), &docCursor{ops: doc.Ops, opLen: -1})
}

// ValidateLength is Validate for a document of docLen code units that
// holds no surrogate pair (no character outside the Basic Multilingual
// Plane: see HasPairs), so that no position of it can fall inside one. It
// makes every check of Validate without reading the document, in time
// linear in the size of change.
func (v *Validator) ValidateLength(change Delta, docLen int) error {
	return v.validate(change, docLen, nil)
}

// validate checks change against a document of docLen code units whose
// surrogate pairs cursor finds; a nil cursor: it has none.
func (v *Validator) validate(change Delta, docLen int, cursor *docCursor) error {
	if limit := v.limits.MaxOps; limit > 0 && len(change.Ops) > limit {
		return errorf(-1, "too many ops: %d (at most %d)", len(change.Ops), limit)
	}
	pos, inserted := 0, 0
	for i, op := range change.Ops {
		if err := v.checkOp(i, op, true); err != nil {
			return err
		}
		if i > 0 {
			if reason := unmerged(change.Ops[i-1], op); reason != "" {
				return errorf(i, "not normalised: %s", reason)
			}
		}
		if cursor.splitsPair(pos) {
			return errorf(i, "starts at %d, inside a surrogate pair of the document", pos)
		}
		switch op.Type() {
		case OpInsert:
			inserted += op.Len()
		default:
			n := op.Len()
			if n > docLen-pos {
				return errorf(i, "%s of %d at %d goes past the end of the document (length %d)", op.Type(), n, pos, docLen)
			}
			pos += n
			if cursor.splitsPair(pos) {
				return errorf(i, "ends at %d, inside a surrogate pair of the document", pos)
			}
		}
	}
	if n := len(change.Ops); n > 0 && change.Ops[n-1].isNumRetain() && len(change.Ops[n-1].Attributes) == 0 {
		return errorf(n-1, "not normalised: a trailing retain without attributes must be left out")
	}
	if norm := New(change.Ops...); !norm.Chop().Equal(change) {
		// Unreachable if the checks above are complete; kept as the
		// definition of normalised.
		return errorf(-1, "not normalised")
	}
	if limit := v.limits.MaxInsert; limit > 0 && inserted > limit {
		return errorf(-1, "inserts %d characters (at most %d)", inserted, limit)
	}
	if limit := v.limits.MaxDocument; limit > 0 && docLen+change.ChangeLength() > limit {
		return errorf(-1, "the document would be %d characters long (at most %d)", docLen+change.ChangeLength(), limit)
	}
	return nil
}

// ValidateDocument checks that doc is a document that Validate would let
// into the store: inserts only, whitelisted formats without nulls, valid
// text, normalised, within MaxDocument.
func (v *Validator) ValidateDocument(doc Delta) error {
	for i, op := range doc.Ops {
		if op.Type() != OpInsert {
			return errorf(i, "a document holds inserts only, not a %s", op.Type())
		}
		if err := v.checkOp(i, op, false); err != nil {
			return err
		}
		if i > 0 {
			if reason := unmerged(doc.Ops[i-1], op); reason != "" {
				return errorf(i, "not normalised: %s", reason)
			}
		}
	}
	if limit := v.limits.MaxDocument; limit > 0 && doc.Length() > limit {
		return errorf(-1, "the document is %d characters long (at most %d)", doc.Length(), limit)
	}
	return nil
}

// checkOp checks the form, text, embed and attributes of one op.
func (v *Validator) checkOp(i int, op Op, change bool) error {
	kinds := 0
	for _, set := range []bool{op.Insert != "" || op.InsertEmbed != nil, op.Delete != 0, op.Retain != 0 || op.RetainEmbed != nil} {
		if set {
			kinds++
		}
	}
	switch {
	case kinds == 0:
		return errorf(i, "empty insert")
	case kinds > 1 || op.Insert != "" && op.InsertEmbed != nil || op.Retain != 0 && op.RetainEmbed != nil:
		return errorf(i, "op has more than one of insert, delete and retain")
	case op.Delete < 0 || op.Retain < 0:
		return errorf(i, "length must be positive")
	case op.RetainEmbed != nil:
		return errorf(i, "embed changes (a retain of an object) are not supported")
	case op.Delete != 0 && op.Attributes != nil:
		return errorf(i, "a delete has no attributes")
	case op.InsertEmbed != nil:
		if len(op.InsertEmbed) != 1 {
			return errorf(i, "an embed must have exactly one key, not %d", len(op.InsertEmbed))
		}
		for name, value := range op.InsertEmbed {
			r, ok := v.embeds[name]
			if !ok {
				return errorf(i, "embed %q is not allowed", name)
			}
			if reason := r.check(value); reason != "" {
				return errorf(i, "embed %q %s", name, reason)
			}
		}
	case op.Insert != "":
		if reason := textProblem(op.Insert); reason != "" {
			return errorf(i, "inserted %s", reason)
		}
	}
	insert := op.Type() == OpInsert
	for name, value := range op.Attributes {
		r, ok := v.formats[name]
		switch {
		case !ok:
			return errorf(i, "format %q is not allowed", name)
		case value == nil && insert:
			return errorf(i, "format %q is null in an insert (null only removes a format in a retain)", name)
		case value == nil:
		default:
			if reason := r.check(value); reason != "" {
				return errorf(i, "format %q %s", name, reason)
			}
		}
	}
	return nil
}

// unmerged returns why Push would have merged or reordered cur with prev,
// or "".
func unmerged(prev, cur Op) string {
	switch {
	case prev.Type() == OpDelete && cur.Type() == OpDelete:
		return "two deletes in a row must be one"
	case prev.Type() == OpDelete && cur.Type() == OpInsert:
		return "an insert must come before the delete next to it"
	case !attributesEqual(prev.Attributes, cur.Attributes):
		return ""
	case prev.isText() && cur.isText():
		return "two inserts of text with the same attributes in a row must be one"
	case prev.isNumRetain() && cur.isNumRetain():
		return "two retains with the same attributes in a row must be one"
	}
	return ""
}

// docCursor answers, for increasing positions, whether a position of a
// document falls between the two halves of a surrogate pair. A nil cursor
// stands for a document without surrogate pairs.
type docCursor struct {
	ops    []Op
	i      int // current op
	start  int // position of ops[i]
	opLen  int // length of ops[i], or -1 if not yet counted
	offset int // code units of ops[i] that pos is at
	pos    textPos
}

func (c *docCursor) splitsPair(p int) bool {
	if c == nil {
		return false
	}
	for c.i < len(c.ops) {
		if c.opLen < 0 {
			c.opLen = c.ops[c.i].Len()
		}
		if p < c.start+c.opLen {
			break
		}
		c.start += c.opLen
		c.i++
		c.opLen, c.offset, c.pos = -1, 0, textPos{}
	}
	if c.i >= len(c.ops) || p <= c.start || !c.ops[c.i].isText() {
		return false
	}
	s := c.ops[c.i].Insert
	c.pos = c.pos.advance(s, p-c.start-c.offset)
	c.offset = p - c.start
	return c.pos.half
}

// HasPairs reports whether the text inserts of d may hold a surrogate
// pair: a character outside the Basic Multilingual Plane, which counts two
// code units and so has a position between its halves. It looks for the
// lead bytes of four-byte UTF-8 sequences (and the invalid bytes above
// them), so it may say true for text that has none, never false for text
// that has one.
func (d Delta) HasPairs() bool {
	for _, op := range d.Ops {
		if hasPairs(op.Insert) {
			return true
		}
	}
	return false
}

func hasPairs(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0xF0 {
			return true
		}
	}
	return false
}
