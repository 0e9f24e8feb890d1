package server

import (
	"encoding/json"

	"github.com/temaplan/temaplan/plainjson"
)

// decodeInMsg decodes a client message into m, with json.Unmarshal's
// result and error. Clients send ops and cursor moves all the time, and
// these are plain: an object of inMsg's own keys, strings without escapes,
// integers, an op that is an array or object. decodePlain takes those
// without reflection: with thousands of connections, json.Unmarshal's
// reflection, its allocations and the stack it needs were 7 % of a busy
// node's CPU (the readers' stacks are shrunk while they wait, see
// readLoop, and grew again for every message). Anything else (an escape,
// a key in other case, unknown or repeated, a null, a fraction) goes to
// json.Unmarshal.
func decodeInMsg(data []byte, m *inMsg) error {
	if decodePlain(data, m) {
		return nil
	}
	*m = inMsg{}
	return json.Unmarshal(data, m)
}

// decodePlain decodes data into m if data is a plain message (see
// decodeInMsg) and reports whether it was; when it was not, m holds
// anything.
func decodePlain(data []byte, m *inMsg) bool {
	*m = inMsg{}
	r := plainjson.NewReader(data)
	var seen uint16
	field := func(key []byte) bool {
		bit, ok := plainField(&r, string(key), m)
		if !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
		return true
	}
	return r.Object(field) && r.End()
}

// plainField decodes the value of key into m and returns key's bit; false if
// key is not one of inMsg's or its value is not plain.
func plainField(r *plainjson.Reader, key string, m *inMsg) (uint16, bool) {
	var ok bool
	switch key {
	case "type":
		m.Type, ok = r.OneOf("op", "presence", "sub", "unsub", "hello")
		return 1 << 0, ok
	case "protocol":
		m.Protocol, ok = r.Int()
		return 1 << 1, ok
	case "client":
		m.Client, ok = r.Text()
		return 1 << 2, ok
	case "name":
		m.Name, ok = r.Text()
		return 1 << 3, ok
	case "token":
		m.Token, ok = r.Text()
		return 1 << 4, ok
	case "plan":
		m.Plan, ok = r.Text()
		return 1 << 5, ok
	case "doc":
		m.Doc, ok = r.Text()
		return 1 << 6, ok
	case "v":
		var v int64
		if v, ok = r.Int64(); ok {
			m.V = &v
		}
		return 1 << 7, ok
	case "seq":
		m.Seq, ok = r.Int64()
		return 1 << 8, ok
	case "op":
		// An array or object, as json.RawMessage copies it.
		if c := r.Peek(); c != '[' && c != '{' {
			return 0, false
		}
		var raw []byte
		if raw, ok = r.Raw(); ok {
			m.Op = json.RawMessage(append([]byte(nil), raw...))
		}
		return 1 << 9, ok
	case "index":
		m.Index, ok = r.Int()
		return 1 << 10, ok
	case "length":
		m.Length, ok = r.Int()
		return 1 << 11, ok
	}
	return 0, false
}
