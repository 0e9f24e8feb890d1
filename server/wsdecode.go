package server

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// decodeInMsg decodes a client message into m, with json.Unmarshal's
// result and error. Clients send ops and cursor moves all the time, and
// these are plain: an object of inMsg's own keys, strings without escapes,
// integers, an op that is an array or object. decodePlain takes those
// without reflection. With thousands of connections, json.Unmarshal's
// reflection, its allocations and the stack it needs were 7 % of a busy
// node's CPU (README, Performance): the readers' stacks are shrunk while
// they wait (readLoop) and grew again for every message. Anything else (an
// escape, a key in other case, unknown or repeated, a null, a fraction)
// goes to json.Unmarshal.
func decodeInMsg(data []byte, m *inMsg) error {
	if decodePlain(data, m) {
		return nil
	}
	*m = inMsg{}
	return json.Unmarshal(data, m)
}

// Bits of the keys decodePlain has seen.
const (
	keyType = 1 << iota
	keyProtocol
	keyClient
	keyName
	keyToken
	keyPlan
	keyDoc
	keyV
	keySeq
	keyOp
	keyIndex
	keyLength
)

// plainMaxDepth bounds the nesting decodePlain follows in an op; deeper
// goes to json.Unmarshal (whose own limit is far above any op).
const plainMaxDepth = 64

// decodePlain decodes data into m if data is a plain message (see
// decodeInMsg) and reports whether it was; when it was not, m holds
// anything.
func decodePlain(data []byte, m *inMsg) bool {
	*m = inMsg{}
	d := plainDecoder{data: data}
	d.space()
	if !d.take('{') {
		return false
	}
	seen := 0
	d.space()
	if d.take('}') {
		return d.end()
	}
	for {
		d.space()
		key, ok := d.plainString()
		if !ok {
			return false
		}
		d.space()
		if !d.take(':') {
			return false
		}
		d.space()
		bit, ok := d.field(string(key), m)
		if !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
		d.space()
		if d.take('}') {
			return d.end()
		}
		if !d.take(',') {
			return false
		}
	}
}

// plainDecoder reads data from i.
type plainDecoder struct {
	data []byte
	i    int
}

// field decodes the value of key into m and returns key's bit; false if
// key is not one of inMsg's or its value is not plain.
func (d *plainDecoder) field(key string, m *inMsg) (int, bool) {
	var ok bool
	switch key {
	case "type":
		var s []byte
		if s, ok = d.plainString(); ok {
			m.Type = messageType(s)
		}
		return keyType, ok
	case "protocol":
		m.Protocol, ok = d.int()
		return keyProtocol, ok
	case "client":
		m.Client, ok = d.stringValue()
		return keyClient, ok
	case "name":
		m.Name, ok = d.stringValue()
		return keyName, ok
	case "token":
		m.Token, ok = d.stringValue()
		return keyToken, ok
	case "plan":
		m.Plan, ok = d.stringValue()
		return keyPlan, ok
	case "doc":
		m.Doc, ok = d.stringValue()
		return keyDoc, ok
	case "v":
		var v int64
		if v, ok = d.int64(); ok {
			m.V = &v
		}
		return keyV, ok
	case "seq":
		m.Seq, ok = d.int64()
		return keySeq, ok
	case "op":
		start := d.i
		if d.i >= len(d.data) || (d.data[d.i] != '[' && d.data[d.i] != '{') || !d.skip(0) {
			return keyOp, false
		}
		m.Op = json.RawMessage(append([]byte(nil), d.data[start:d.i]...))
		return keyOp, true
	case "index":
		m.Index, ok = d.int()
		return keyIndex, ok
	case "length":
		m.Length, ok = d.int()
		return keyLength, ok
	}
	return 0, false
}

// messageType returns the type named by s, without allocating for the
// types of the protocol.
func messageType(s []byte) string {
	switch string(s) {
	case "op":
		return "op"
	case "presence":
		return "presence"
	case "sub":
		return "sub"
	case "unsub":
		return "unsub"
	case "hello":
		return "hello"
	}
	return string(s)
}

func (d *plainDecoder) space() {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *plainDecoder) take(c byte) bool {
	if d.i < len(d.data) && d.data[d.i] == c {
		d.i++
		return true
	}
	return false
}

// end reports whether only white space follows.
func (d *plainDecoder) end() bool {
	d.space()
	return d.i == len(d.data)
}

// plainString reads a string without escapes whose bytes are valid UTF-8
// (json.Unmarshal would replace invalid ones) and returns its bytes.
func (d *plainDecoder) plainString() ([]byte, bool) {
	if !d.take('"') {
		return nil, false
	}
	start, ascii := d.i, true
	for ; d.i < len(d.data); d.i++ {
		c := d.data[d.i]
		switch {
		case c == '"':
			s := d.data[start:d.i]
			d.i++
			return s, ascii || utf8.Valid(s)
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

func (d *plainDecoder) stringValue() (string, bool) {
	s, ok := d.plainString()
	return string(s), ok
}

// int64 reads an integer (no fraction or exponent) that fits.
func (d *plainDecoder) int64() (int64, bool) {
	start := d.i
	d.take('-')
	if !d.digits() {
		return 0, false
	}
	n, err := strconv.ParseInt(string(d.data[start:d.i]), 10, 64)
	if err != nil || (d.i < len(d.data) && (d.data[d.i] == '.' || d.data[d.i] == 'e' || d.data[d.i] == 'E')) {
		return 0, false
	}
	return n, true
}

func (d *plainDecoder) int() (int, bool) {
	n, ok := d.int64()
	if int64(int(n)) != n {
		return 0, false
	}
	return int(n), ok
}

// digits reads the integer part of a number: 0, or a digit 1–9 and more
// digits.
func (d *plainDecoder) digits() bool {
	if d.take('0') {
		return true
	}
	if d.i >= len(d.data) || d.data[d.i] < '1' || d.data[d.i] > '9' {
		return false
	}
	for d.i < len(d.data) && d.data[d.i] >= '0' && d.data[d.i] <= '9' {
		d.i++
	}
	return true
}

// skip reads one JSON value, checking its grammar as json.Unmarshal's
// scanner does (which, like this, does not check the UTF-8 of strings);
// false if it is not valid or nested more than plainMaxDepth.
func (d *plainDecoder) skip(depth int) bool {
	if depth > plainMaxDepth || d.i >= len(d.data) {
		return false
	}
	switch c := d.data[d.i]; {
	case c == '{':
		return d.skipObject(depth)
	case c == '[':
		return d.skipArray(depth)
	case c == '"':
		return d.skipString()
	case c == '-' || (c >= '0' && c <= '9'):
		return d.skipNumber()
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	}
	return false
}

func (d *plainDecoder) skipObject(depth int) bool {
	d.i++ // {
	d.space()
	if d.take('}') {
		return true
	}
	for {
		d.space()
		if d.i >= len(d.data) || d.data[d.i] != '"' || !d.skipString() {
			return false
		}
		d.space()
		if !d.take(':') {
			return false
		}
		d.space()
		if !d.skip(depth + 1) {
			return false
		}
		d.space()
		if d.take('}') {
			return true
		}
		if !d.take(',') {
			return false
		}
	}
}

func (d *plainDecoder) skipArray(depth int) bool {
	d.i++ // [
	d.space()
	if d.take(']') {
		return true
	}
	for {
		d.space()
		if !d.skip(depth + 1) {
			return false
		}
		d.space()
		if d.take(']') {
			return true
		}
		if !d.take(',') {
			return false
		}
	}
}

func (d *plainDecoder) skipString() bool {
	d.i++ // "
	for d.i < len(d.data) {
		c := d.data[d.i]
		d.i++
		switch {
		case c == '"':
			return true
		case c < 0x20:
			return false
		case c == '\\':
			if d.i >= len(d.data) {
				return false
			}
			e := d.data[d.i]
			d.i++
			switch e {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				for range 4 {
					if d.i >= len(d.data) || !isHex(d.data[d.i]) {
						return false
					}
					d.i++
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

func (d *plainDecoder) skipNumber() bool {
	d.take('-')
	if !d.digits() {
		return false
	}
	if d.take('.') && !d.moreDigits() {
		return false
	}
	if d.take('e') || d.take('E') {
		if !d.take('+') {
			d.take('-')
		}
		if !d.moreDigits() {
			return false
		}
	}
	return true
}

// moreDigits reads one digit or more.
func (d *plainDecoder) moreDigits() bool {
	start := d.i
	for d.i < len(d.data) && d.data[d.i] >= '0' && d.data[d.i] <= '9' {
		d.i++
	}
	return d.i > start
}

func (d *plainDecoder) literal(word string) bool {
	if len(d.data)-d.i < len(word) || string(d.data[d.i:d.i+len(word)]) != word {
		return false
	}
	d.i += len(word)
	return true
}
