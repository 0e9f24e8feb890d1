package collab

import (
	"bytes"
	"encoding/json"

	"github.com/temaplan/temaplan/plainjson"
)

// planHead is what the hub reads of a message on a plan's channel: a whole
// presence, or an event's type and seq.
type planHead struct {
	Presence
	Seq int64 `json:"seq"`
}

// decodePlanHead decodes data as json.Unmarshal into h would. The
// messages on a plan's channel are the nodes' own, and plain (see package
// plainjson): a presence for every cursor move of everyone in the plan,
// decoded here without reflection. Anything else goes to json.Unmarshal.
func decodePlanHead(data []byte, h *planHead) error {
	if plainPlanHead(data, h) {
		return nil
	}
	*h = planHead{}
	return json.Unmarshal(data, h)
}

// planHeadKeys are the keys planHead's fields are decoded from.
var planHeadKeys = [][]byte{[]byte("type"), []byte("plan"), []byte("client"), []byte("user"), []byte("doc"),
	[]byte("index"), []byte("length"), []byte("color"), []byte("left"), []byte("seq")}

var userKeys = [][]byte{[]byte("id"), []byte("name")}

// plainPlanHead decodes data into h if it is plain and reports whether it
// was; when it was not, h holds anything.
func plainPlanHead(data []byte, h *planHead) bool {
	*h = planHead{}
	r := plainjson.NewReader(data)
	var seen uint16
	field := func(key []byte) bool {
		bit, ok := planHeadField(&r, key, h)
		if !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
		return true
	}
	return r.Object(field) && r.End()
}

// planHeadField decodes the value of key into h and returns key's bit (0 for
// a key h has no field for, whose value is skipped); false if the value is
// not plain, or key is one of h's in other case (json.Unmarshal would take
// it).
func planHeadField(r *plainjson.Reader, key []byte, h *planHead) (uint16, bool) {
	var ok bool
	switch string(key) {
	case "type":
		h.Type, ok = r.OneOf("presence", "event")
		return 1 << 0, ok
	case "plan":
		h.Plan, ok = r.Text()
		return 1 << 1, ok
	case "client":
		h.Client, ok = r.Text()
		return 1 << 2, ok
	case "user":
		if r.Peek() != '{' {
			return 0, false
		}
		u := &User{}
		var seenUser uint8
		ok = r.Object(func(key []byte) bool {
			var bit uint8
			var ok bool
			switch string(key) {
			case "id":
				bit = 1
				u.ID, ok = r.Text()
			case "name":
				bit = 2
				u.Name, ok = r.Text()
			default:
				return skipUnknown(r, key, userKeys)
			}
			if !ok || seenUser&bit != 0 {
				return false
			}
			seenUser |= bit
			return true
		})
		h.User = u
		return 1 << 3, ok
	case "doc":
		h.Doc, ok = r.Text()
		return 1 << 4, ok
	case "index":
		h.Index, ok = r.Int()
		return 1 << 5, ok
	case "length":
		h.Length, ok = r.Int()
		return 1 << 6, ok
	case "color":
		h.Color, ok = r.Text()
		return 1 << 7, ok
	case "left":
		h.Left, ok = r.Bool()
		return 1 << 8, ok
	case "seq":
		h.Seq, ok = r.Int64()
		return 1 << 9, ok
	}
	return 0, skipUnknown(r, key, planHeadKeys)
}

// skipUnknown skips the value of a key a struct has no field for; false if
// the key is one of known in other case, or the value is not valid.
func skipUnknown(r *plainjson.Reader, key []byte, known [][]byte) bool {
	for _, k := range known {
		if bytes.EqualFold(key, k) {
			return false
		}
	}
	_, ok := r.Raw()
	return ok
}
