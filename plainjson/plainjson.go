// Package plainjson reads plain JSON objects without reflection: objects of
// known keys whose values are strings without escapes, integers, booleans
// and values kept whole. A server is sent such messages thousands of times
// a second, and encoding/json's reflection, allocations and deep stack cost
// more than the rest of their handling. A Reader says when a message is not
// plain (an escape, a fraction, a null, anything unusual); the caller then
// decodes it with encoding/json, so that the result is always
// encoding/json's. A caller must also treat as not plain a key it does not
// know that encoding/json would match to a field (in other case, say).
package plainjson

import (
	"strconv"
	"unicode/utf8"
)

// maxDepth bounds the nesting Raw follows; deeper is not plain.
const maxDepth = 64

// Reader reads data from its start.
type Reader struct {
	data []byte
	i    int
}

// NewReader returns a Reader of data.
func NewReader(data []byte) Reader { return Reader{data: data} }

// Object reads the object at the reader's position (after white space),
// calling field with each key; field reads the key's value with one of the
// Reader's methods and returns whether it was plain. The key's bytes are
// data's. Object reports whether the object was plain.
func (r *Reader) Object(field func(key []byte) bool) bool {
	r.space()
	if !r.take('{') {
		return false
	}
	return r.list('}', func() bool {
		key, ok := r.String()
		return ok && r.colon() && field(key)
	})
}

// list reads the comma-separated items of an object or array, after its
// opening bracket, up to close.
func (r *Reader) list(close byte, item func() bool) bool {
	r.space()
	if r.take(close) {
		return true
	}
	for {
		r.space()
		if !item() {
			return false
		}
		r.space()
		if r.take(close) {
			return true
		}
		if !r.take(',') {
			return false
		}
	}
}

// colon reads the colon after a key, with the white space around it.
func (r *Reader) colon() bool {
	r.space()
	ok := r.take(':')
	r.space()
	return ok
}

// End reports whether only white space follows.
func (r *Reader) End() bool {
	r.space()
	return r.i == len(r.data)
}

// String reads a string without escapes whose bytes are valid UTF-8
// (encoding/json would replace invalid ones) and returns its bytes, which
// are data's.
func (r *Reader) String() ([]byte, bool) {
	if !r.take('"') {
		return nil, false
	}
	start, ascii := r.i, true
	for ; r.i < len(r.data); r.i++ {
		c := r.data[r.i]
		switch {
		case c == '"':
			s := r.data[start:r.i]
			r.i++
			return s, ascii || utf8.Valid(s)
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

// Text reads a plain string (see String) as a string.
func (r *Reader) Text() (string, bool) {
	s, ok := r.String()
	return string(s), ok
}

// OneOf reads a plain string and returns it, as the string of names equal
// to it if there is one (without allocating).
func (r *Reader) OneOf(names ...string) (string, bool) {
	s, ok := r.String()
	if !ok {
		return "", false
	}
	for _, n := range names {
		if string(s) == n {
			return n, true
		}
	}
	return string(s), true
}

// Int64 reads an integer (no fraction or exponent) that fits.
func (r *Reader) Int64() (int64, bool) {
	start := r.i
	r.take('-')
	if !r.digits() {
		return 0, false
	}
	n, err := strconv.ParseInt(string(r.data[start:r.i]), 10, 64)
	if err != nil || r.peek('.') || r.peek('e') || r.peek('E') {
		return 0, false
	}
	return n, true
}

// Int reads an integer that fits an int.
func (r *Reader) Int() (int, bool) {
	n, ok := r.Int64()
	if !ok || int64(int(n)) != n {
		return 0, false
	}
	return int(n), true
}

// Bool reads true or false.
func (r *Reader) Bool() (bool, bool) {
	switch {
	case r.literal("true"):
		return true, true
	case r.literal("false"):
		return false, true
	}
	return false, false
}

// Raw reads one value of any kind, checking its grammar as encoding/json's
// scanner does (which, like this, does not check the UTF-8 of strings),
// and returns its bytes, which are data's.
func (r *Reader) Raw() ([]byte, bool) {
	start := r.i
	if !r.skip(0) {
		return nil, false
	}
	return r.data[start:r.i], true
}

// Peek returns the byte at the reader's position, 0 at the end.
func (r *Reader) Peek() byte {
	if r.i < len(r.data) {
		return r.data[r.i]
	}
	return 0
}

func (r *Reader) peek(c byte) bool { return r.i < len(r.data) && r.data[r.i] == c }

func (r *Reader) space() {
	for r.i < len(r.data) {
		switch r.data[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

func (r *Reader) take(c byte) bool {
	if r.peek(c) {
		r.i++
		return true
	}
	return false
}

// digits reads the integer part of a number: 0, or a digit 1–9 and more
// digits.
func (r *Reader) digits() bool {
	if r.take('0') {
		return true
	}
	if r.i >= len(r.data) || r.data[r.i] < '1' || r.data[r.i] > '9' {
		return false
	}
	return r.moreDigits()
}

// moreDigits reads one digit or more.
func (r *Reader) moreDigits() bool {
	start := r.i
	for r.i < len(r.data) && r.data[r.i] >= '0' && r.data[r.i] <= '9' {
		r.i++
	}
	return r.i > start
}

func (r *Reader) literal(word string) bool {
	if len(r.data)-r.i < len(word) || string(r.data[r.i:r.i+len(word)]) != word {
		return false
	}
	r.i += len(word)
	return true
}

// skip reads one value; false if it is not valid or nested deeper than
// maxDepth.
func (r *Reader) skip(depth int) bool {
	if depth > maxDepth || r.i >= len(r.data) {
		return false
	}
	switch c := r.data[r.i]; {
	case c == '{':
		return r.skipObject(depth)
	case c == '[':
		return r.skipArray(depth)
	case c == '"':
		return r.skipString()
	case c == '-' || (c >= '0' && c <= '9'):
		return r.skipNumber()
	case c == 't':
		return r.literal("true")
	case c == 'f':
		return r.literal("false")
	case c == 'n':
		return r.literal("null")
	}
	return false
}

func (r *Reader) skipObject(depth int) bool {
	r.i++ // {
	return r.list('}', func() bool {
		return r.peek('"') && r.skipString() && r.colon() && r.skip(depth+1)
	})
}

func (r *Reader) skipArray(depth int) bool {
	r.i++ // [
	return r.list(']', func() bool { return r.skip(depth + 1) })
}

func (r *Reader) skipString() bool {
	r.i++ // "
	for r.i < len(r.data) {
		c := r.data[r.i]
		r.i++
		switch {
		case c == '"':
			return true
		case c < 0x20:
			return false
		case c == '\\':
			if r.i >= len(r.data) {
				return false
			}
			e := r.data[r.i]
			r.i++
			switch e {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				for range 4 {
					if r.i >= len(r.data) || !isHex(r.data[r.i]) {
						return false
					}
					r.i++
				}
			default:
				return false
			}
		}
	}
	return false
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func (r *Reader) skipNumber() bool {
	r.take('-')
	if !r.digits() {
		return false
	}
	if r.take('.') && !r.moreDigits() {
		return false
	}
	if r.take('e') || r.take('E') {
		if !r.take('+') {
			r.take('-')
		}
		if !r.moreDigits() {
			return false
		}
	}
	return true
}
