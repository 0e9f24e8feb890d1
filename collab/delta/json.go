package delta

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// The JSON form is quill-delta's: {"ops":[{"insert":"a","attributes":
// {"bold":true}},{"retain":3},{"delete":2}]}. Encoding is canonical: the
// key insert, delete or retain comes before attributes, and the keys of
// attributes and embeds are sorted. Strings are escaped as JSON.stringify
// escapes them (a lone surrogate as \uXXXX, nothing else beyond what JSON
// requires), so a delta encodes to the same bytes here as in the browser
// when its keys are in that order.
//
// Decoding is strict: unknown keys, duplicate keys, an op with none or more
// than one of insert, delete and retain, lengths that are not positive
// integers, empty attributes and invalid UTF-8 are errors.

// maxLength bounds decoded delete and retain lengths (2^31-1), far above
// any document and small enough that sums of lengths cannot overflow.
const maxLength = math.MaxInt32

// maxDepth bounds the nesting of decoded attribute and embed values.
const maxDepth = 32

// Parse decodes the JSON form of a Delta strictly. Its errors are
// *ValidationError.
func Parse(data []byte) (Delta, error) {
	var d Delta
	err := d.UnmarshalJSON(data)
	return d, err
}

// MarshalJSON encodes d canonically. (encoding/json's Marshal, calling it,
// also escapes <, >, & and U+2028/U+2029 in the result: equivalent JSON, not
// the same bytes as JSON.stringify.)
func (d Delta) MarshalJSON() ([]byte, error) {
	buf := make([]byte, 0, 16+16*len(d.Ops))
	buf = append(buf, `{"ops":[`...)
	for i, op := range d.Ops {
		if i > 0 {
			buf = append(buf, ',')
		}
		var err error
		if buf, err = op.appendJSON(buf); err != nil {
			return nil, fmt.Errorf("delta: op %d: %w", i, err)
		}
	}
	return append(buf, "]}"...), nil
}

// MarshalJSON encodes o canonically.
func (o Op) MarshalJSON() ([]byte, error) {
	return o.appendJSON(nil)
}

func (o Op) appendJSON(buf []byte) ([]byte, error) {
	var err error
	buf = append(buf, '{')
	sep := false
	key := func(k string) {
		if sep {
			buf = append(buf, ',')
		}
		sep = true
		buf = append(buf, '"')
		buf = append(buf, k...)
		buf = append(buf, '"', ':')
	}
	if o.Insert != "" || o.InsertEmbed != nil || o.Delete == 0 && o.Retain == 0 && o.RetainEmbed == nil {
		key("insert")
		if o.InsertEmbed != nil {
			if buf, err = appendValue(buf, o.InsertEmbed); err != nil {
				return nil, err
			}
		} else {
			buf = appendString(buf, o.Insert)
		}
	}
	if o.Delete != 0 {
		key("delete")
		buf = strconv.AppendInt(buf, int64(o.Delete), 10)
	}
	switch {
	case o.Retain != 0:
		key("retain")
		buf = strconv.AppendInt(buf, int64(o.Retain), 10)
	case o.RetainEmbed != nil:
		key("retain")
		if buf, err = appendValue(buf, o.RetainEmbed); err != nil {
			return nil, err
		}
	}
	if len(o.Attributes) > 0 {
		key("attributes")
		if buf, err = appendValue(buf, map[string]any(o.Attributes)); err != nil {
			return nil, err
		}
	}
	return append(buf, '}'), nil
}

// appendValue encodes a JSON value with sorted object keys.
func appendValue(buf []byte, v any) ([]byte, error) {
	var err error
	switch x := v.(type) {
	case nil:
		return append(buf, "null"...), nil
	case bool:
		return strconv.AppendBool(buf, x), nil
	case string:
		return appendString(buf, x), nil
	case Attributes:
		return appendValue(buf, map[string]any(x))
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		buf = append(buf, '{')
		for i, k := range keys {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendString(buf, k)
			buf = append(buf, ':')
			if buf, err = appendValue(buf, x[k]); err != nil {
				return nil, err
			}
		}
		return append(buf, '}'), nil
	case []any:
		buf = append(buf, '[')
		for i, e := range x {
			if i > 0 {
				buf = append(buf, ',')
			}
			if buf, err = appendValue(buf, e); err != nil {
				return nil, err
			}
		}
		return append(buf, ']'), nil
	}
	f, ok := toFloat(v)
	if !ok {
		return nil, fmt.Errorf("unsupported value type %T", v)
	}
	return appendNumber(buf, f)
}

// appendNumber formats f as JavaScript's Number#toString does (the same
// rule encoding/json follows).
func appendNumber(buf []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("unsupported number %v", f)
	}
	if f == 0 {
		return append(buf, '0'), nil // also -0, as JSON.stringify
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs < 1e-6 || abs >= 1e21 {
		format = 'e'
	}
	buf = strconv.AppendFloat(buf, f, format, -1, 64)
	if format == 'e' {
		// Clean up e-09 to e-9, as JavaScript writes it.
		if n := len(buf); n >= 4 && buf[n-4] == 'e' && buf[n-3] == '-' && buf[n-2] == '0' {
			buf[n-2] = buf[n-1]
			buf = buf[:n-1]
		}
	}
	return buf, nil
}

// appendString encodes s as JSON.stringify does. A lone surrogate (WTF-8)
// becomes a \uXXXX escape; invalid UTF-8 becomes U+FFFD.
func appendString(buf []byte, s string) []byte {
	const hex = "0123456789abcdef"
	buf = append(buf, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"':
				buf = append(buf, '\\', '"')
			case c == '\\':
				buf = append(buf, '\\', '\\')
			case c == '\b':
				buf = append(buf, '\\', 'b')
			case c == '\f':
				buf = append(buf, '\\', 'f')
			case c == '\n':
				buf = append(buf, '\\', 'n')
			case c == '\r':
				buf = append(buf, '\\', 'r')
			case c == '\t':
				buf = append(buf, '\\', 't')
			case c < 0x20:
				buf = append(buf, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			default:
				buf = append(buf, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			if !isSurrogateWTF8(s[i:]) {
				buf = append(buf, "\uFFFD"...)
				i++
				continue
			}
			u := surrogateWTF8(s[i:])
			if isHighSurrogate(u) && isSurrogateWTF8(s[i+3:]) && isLowSurrogate(surrogateWTF8(s[i+3:])) {
				buf = utf8.AppendRune(buf, utf16.DecodeRune(rune(u), rune(surrogateWTF8(s[i+3:]))))
				i += 6
				continue
			}
			buf = append(buf, '\\', 'u', hex[u>>12], hex[u>>8&0xF], hex[u>>4&0xF], hex[u&0xF])
			i += 3
			continue
		}
		buf = append(buf, s[i:i+size]...)
		i += size
	}
	return append(buf, '"')
}

// UnmarshalJSON decodes the JSON form of a Delta strictly; see Parse. The
// literal null leaves d unchanged.
func (d *Delta) UnmarshalJSON(data []byte) error {
	p := parser{data: data, opIndex: -1}
	p.skipSpace()
	if p.consumeLiteral("null") {
		return p.end()
	}
	ops, err := p.delta()
	if err != nil {
		return err
	}
	if err := p.end(); err != nil {
		return err
	}
	d.Ops = ops
	return nil
}

// UnmarshalJSON decodes one op strictly.
func (o *Op) UnmarshalJSON(data []byte) error {
	p := parser{data: data, opIndex: -1}
	p.skipSpace()
	op, err := p.op()
	if err != nil {
		return err
	}
	if err := p.end(); err != nil {
		return err
	}
	*o = op
	return nil
}

// parser is a strict JSON decoder for deltas. Strings decode to WTF-8, so
// that a lone surrogate escape (\ud83d) survives, as in JavaScript.
type parser struct {
	data    []byte
	pos     int
	opIndex int // index of the op being decoded, for errors; -1 outside ops
}

func (p *parser) errorf(format string, args ...any) error {
	return &ValidationError{Op: p.opIndex, Reason: fmt.Sprintf(format, args...)}
}

func (p *parser) syntaxError(what string) error {
	if p.pos >= len(p.data) {
		return p.errorf("invalid JSON: unexpected end of input, expected %s", what)
	}
	return p.errorf("invalid JSON at offset %d: expected %s", p.pos, what)
}

func (p *parser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) peek() byte {
	if p.pos < len(p.data) {
		return p.data[p.pos]
	}
	return 0
}

func (p *parser) consume(c byte) bool {
	p.skipSpace()
	if p.peek() == c {
		p.pos++
		return true
	}
	return false
}

func (p *parser) consumeLiteral(lit string) bool {
	if len(p.data)-p.pos >= len(lit) && string(p.data[p.pos:p.pos+len(lit)]) == lit {
		p.pos += len(lit)
		return true
	}
	return false
}

func (p *parser) end() error {
	p.skipSpace()
	if p.pos != len(p.data) {
		p.opIndex = -1
		return p.syntaxError("end of input")
	}
	return nil
}

// object calls field for each key of an object, with the parser at its
// value, and refuses duplicate keys.
func (p *parser) object(field func(key string) error) error {
	if !p.consume('{') {
		return p.syntaxError("an object")
	}
	if p.consume('}') {
		return nil
	}
	seen := map[string]bool{}
	for {
		p.skipSpace()
		if p.peek() != '"' {
			return p.syntaxError("a string key")
		}
		key, err := p.string()
		if err != nil {
			return err
		}
		if seen[key] {
			return p.errorf("duplicate key %q", key)
		}
		seen[key] = true
		if !p.consume(':') {
			return p.syntaxError("':'")
		}
		p.skipSpace()
		if err := field(key); err != nil {
			return err
		}
		if p.consume(',') {
			continue
		}
		if p.consume('}') {
			return nil
		}
		return p.syntaxError("',' or '}'")
	}
}

func (p *parser) delta() ([]Op, error) {
	p.opIndex = -1
	var ops []Op
	found := false
	err := p.object(func(key string) error {
		if key != "ops" {
			return p.errorf("unknown key %q in delta (only \"ops\")", key)
		}
		found = true
		if !p.consume('[') {
			return p.errorf("ops must be an array")
		}
		if p.consume(']') {
			return nil
		}
		for {
			p.opIndex = len(ops)
			p.skipSpace()
			op, err := p.op()
			if err != nil {
				return err
			}
			ops = append(ops, op)
			p.opIndex = -1
			if p.consume(',') {
				continue
			}
			if p.consume(']') {
				return nil
			}
			return p.syntaxError("',' or ']'")
		}
	})
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, p.errorf("missing key \"ops\"")
	}
	if ops == nil {
		ops = []Op{}
	}
	return ops, nil
}

func (p *parser) op() (Op, error) {
	var op Op
	kinds := 0
	if p.peek() != '{' {
		return op, p.errorf("an op must be an object")
	}
	err := p.object(func(key string) error {
		switch key {
		case "insert":
			kinds++
			switch p.peek() {
			case '"':
				s, err := p.string()
				op.Insert = s
				return err
			case '{':
				v, err := p.value(0)
				if err == nil {
					op.InsertEmbed = v.(map[string]any)
				}
				return err
			}
			return p.errorf("insert must be a string or an object")
		case "delete":
			kinds++
			n, err := p.length("delete")
			op.Delete = n
			return err
		case "retain":
			kinds++
			if p.peek() == '{' {
				v, err := p.value(0)
				if err == nil {
					op.RetainEmbed = v.(map[string]any)
				}
				return err
			}
			n, err := p.length("retain")
			op.Retain = n
			return err
		case "attributes":
			if p.peek() != '{' {
				return p.errorf("attributes must be an object")
			}
			v, err := p.value(0)
			if err != nil {
				return err
			}
			if m := v.(map[string]any); len(m) > 0 {
				op.Attributes = m
				return nil
			}
			return p.errorf("attributes must not be empty (leave them out)")
		}
		return p.errorf("unknown key %q in op", key)
	})
	if err != nil {
		return Op{}, err
	}
	switch {
	case kinds == 0:
		return Op{}, p.errorf("op has none of insert, delete and retain")
	case kinds > 1:
		return Op{}, p.errorf("op has more than one of insert, delete and retain")
	}
	return op, nil
}

// length decodes the value of delete or retain: a positive integer written
// as one (no fraction, no exponent).
func (p *parser) length(key string) (int, error) {
	c := p.peek()
	if c != '-' && (c < '0' || c > '9') {
		return 0, p.errorf("%s must be a number", key)
	}
	lit, err := p.number()
	if err != nil {
		return 0, err
	}
	switch {
	case lit[0] == '-':
		return 0, p.errorf("%s must be positive, not %s", key, lit)
	case slices.ContainsFunc([]byte(lit), func(c byte) bool { return c == '.' || c == 'e' || c == 'E' }):
		return 0, p.errorf("%s must be an integer, not %s", key, lit)
	}
	n, err := strconv.Atoi(lit)
	switch {
	case err != nil || n > maxLength:
		return 0, p.errorf("%s %s is too large (at most %d)", key, lit, maxLength)
	case n == 0:
		return 0, p.errorf("%s must be positive, not 0", key)
	}
	return n, nil
}

// value decodes any JSON value: numbers become float64, objects
// map[string]any.
func (p *parser) value(depth int) (any, error) {
	if depth > maxDepth {
		return nil, p.errorf("JSON nested deeper than %d", maxDepth)
	}
	p.skipSpace()
	switch c := p.peek(); {
	case c == '"':
		return p.string()
	case c == '{':
		m := map[string]any{}
		err := p.object(func(key string) error {
			v, err := p.value(depth + 1)
			m[key] = v
			return err
		})
		return m, err
	case c == '[':
		p.pos++
		a := []any{}
		if p.consume(']') {
			return a, nil
		}
		for {
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
			if p.consume(',') {
				continue
			}
			if p.consume(']') {
				return a, nil
			}
			return nil, p.syntaxError("',' or ']'")
		}
	case c == '-' || c >= '0' && c <= '9':
		lit, err := p.number()
		if err != nil {
			return nil, err
		}
		f, err := strconv.ParseFloat(lit, 64)
		if err != nil {
			return nil, p.errorf("number %s is out of range", lit)
		}
		return f, nil
	case p.consumeLiteral("true"):
		return true, nil
	case p.consumeLiteral("false"):
		return false, nil
	case p.consumeLiteral("null"):
		return nil, nil
	}
	return nil, p.syntaxError("a value")
}

// number scans a JSON number and returns its literal.
func (p *parser) number() (string, error) {
	start := p.pos
	digits := func() bool {
		n := 0
		for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
			p.pos++
			n++
		}
		return n > 0
	}
	if p.peek() == '-' {
		p.pos++
	}
	switch c := p.peek(); {
	case c == '0':
		p.pos++
	case c >= '1' && c <= '9':
		digits()
	default:
		return "", p.syntaxError("a digit")
	}
	if p.peek() == '.' {
		p.pos++
		if !digits() {
			return "", p.syntaxError("a digit")
		}
	}
	if c := p.peek(); c == 'e' || c == 'E' {
		p.pos++
		if c := p.peek(); c == '+' || c == '-' {
			p.pos++
		}
		if !digits() {
			return "", p.syntaxError("a digit")
		}
	}
	return string(p.data[start:p.pos]), nil
}

// string decodes a JSON string to WTF-8, refusing raw control characters
// and invalid UTF-8.
func (p *parser) string() (string, error) {
	p.pos++ // the opening quote
	start := p.pos
	var buf []byte // nil until an escape is seen
	for {
		if p.pos >= len(p.data) {
			return "", p.syntaxError("'\"'")
		}
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			if buf == nil {
				return string(p.data[start : p.pos-1]), nil
			}
			return string(buf), nil
		case c == '\\':
			if buf == nil {
				buf = append([]byte(nil), p.data[start:p.pos]...)
			}
			var err error
			if buf, err = p.escape(buf); err != nil {
				return "", err
			}
		case c < 0x20:
			return "", p.errorf("invalid JSON at offset %d: control character in string", p.pos)
		case c < utf8.RuneSelf:
			if buf != nil {
				buf = append(buf, c)
			}
			p.pos++
		default:
			r, size := utf8.DecodeRune(p.data[p.pos:])
			if r == utf8.RuneError && size == 1 {
				return "", p.errorf("invalid JSON at offset %d: invalid UTF-8", p.pos)
			}
			if buf != nil {
				buf = append(buf, p.data[p.pos:p.pos+size]...)
			}
			p.pos += size
		}
	}
}

// escape decodes the escape sequence at p.pos and appends it to buf.
func (p *parser) escape(buf []byte) ([]byte, error) {
	p.pos++ // the backslash
	if p.pos >= len(p.data) {
		return nil, p.syntaxError("an escape")
	}
	c := p.data[p.pos]
	p.pos++
	switch c {
	case '"', '\\', '/':
		return append(buf, c), nil
	case 'b':
		return append(buf, '\b'), nil
	case 'f':
		return append(buf, '\f'), nil
	case 'n':
		return append(buf, '\n'), nil
	case 'r':
		return append(buf, '\r'), nil
	case 't':
		return append(buf, '\t'), nil
	case 'u':
		u, ok := p.hex4()
		if !ok {
			return nil, p.syntaxError("four hex digits")
		}
		if isHighSurrogate(u) && p.consumeLiteral(`\u`) {
			save := p.pos - 2
			if lo, ok := p.hex4(); ok && isLowSurrogate(lo) {
				return utf8.AppendRune(buf, utf16.DecodeRune(rune(u), rune(lo))), nil
			}
			p.pos = save
		}
		if isHighSurrogate(u) || isLowSurrogate(u) {
			return appendSurrogate(buf, u), nil
		}
		return utf8.AppendRune(buf, rune(u)), nil
	}
	p.pos--
	return nil, p.syntaxError("a valid escape")
}

func (p *parser) hex4() (uint16, bool) {
	if len(p.data)-p.pos < 4 {
		return 0, false
	}
	var u uint16
	for _, c := range p.data[p.pos : p.pos+4] {
		u <<= 4
		switch {
		case c >= '0' && c <= '9':
			u |= uint16(c - '0')
		case c >= 'a' && c <= 'f':
			u |= uint16(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			u |= uint16(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	p.pos += 4
	return u, true
}
