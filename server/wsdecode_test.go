package server

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// The messages the clients send most, as the client library writes them.
var plainMessages = []string{
	`{"type":"op","doc":"d-1","v":12,"seq":3,"op":[{"retain":5},{"insert":"hei"}]}`,
	`{"type":"presence","plan":"p-1","doc":"d-1","index":40,"length":0}`,
	`{"type":"sub","plan":"p-1","doc":"d-1","v":0}`,
	`{"type":"unsub","plan":"p-1"}`,
	`{"type":"hello","protocol":1,"client":"c_1-x","token":"eyJhbGciOiJIUzI1NiJ9.e30.sig"}`,
	` { "type" : "op" , "doc":"d","v":0,"seq":9007199254740993,"op":{"ops":[{"insert":"æøå \u00e5\n","attributes":{"bold":true,"x":null,"n":-1.5e3}}]} } `,
	`{"type":"op","op":[[[[]]]],"v":-0}`,
	`{}`,
}

func TestDecodeInMsg_PlainMessagesSkipReflection(t *testing.T) {
	for _, s := range plainMessages {
		var got, want inMsg
		if !decodePlain([]byte(s), &got) {
			t.Errorf("decodePlain(%s) left it to json.Unmarshal; the hot messages must be decoded without it", s)
			continue
		}
		if err := json.Unmarshal([]byte(s), &want); err != nil {
			t.Fatalf("json.Unmarshal(%s): %v", s, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("decodePlain(%s) = %+v, json.Unmarshal gives %+v", s, got, want)
		}
	}
}

// What is not plain gets json.Unmarshal's result, error included.
func TestDecodeInMsg_OthersAsJSONUnmarshal(t *testing.T) {
	for _, s := range []string{
		`{"type":"op\u0021","doc":"a\"b"}`,                 // escapes
		`{"TYPE":"op","Doc":"d"}`,                          // keys in other case
		`{"type":"op","extra":{"a":[1,2]},"doc":"d"}`,      // unknown key
		`{"type":"op","type":"presence"}`,                  // repeated key
		`{"type":"op","v":null,"op":null}`,                 // nulls
		`{"type":"presence","index":1.5}`,                  // a fraction for an int
		`{"type":"presence","index":1e2}`,                  // an exponent
		`{"type":"presence","index":99999999999999999999}`, // too large
		`{"type":"op","doc":"` + "\xff" + `"}`,             // invalid UTF-8
		`{"type":"op","op":"[]"}`,                          // a string op
		`{"type":"op","op":[1,]}`,                          // invalid op
		`{"type":"op"} x`,                                  // trailing data
		`{"type":"op",}`,                                   // trailing comma
		`{"type":5}`,                                       // wrong type
		`null`, `[]`, ``, `{`, `{"type":"op"`,
		`{"type":"op","op":` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `}`,
	} {
		var got, want inMsg
		gerr := decodeInMsg([]byte(s), &got)
		werr := json.Unmarshal([]byte(s), &want)
		if (gerr == nil) != (werr == nil) || (gerr != nil && gerr.Error() != werr.Error()) || !reflect.DeepEqual(got, want) {
			t.Errorf("decodeInMsg(%q) = %+v, %v; json.Unmarshal gives %+v, %v", s, got, gerr, want, werr)
		}
	}
}

// FuzzDecodeInMsg: whatever decodePlain accepts, json.Unmarshal accepts
// with the same result.
func FuzzDecodeInMsg(f *testing.F) {
	for _, s := range plainMessages {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"type":"presence","plan":"p","index":-3,"length":01}`))
	f.Add([]byte(`{"op":[{"insert":"\ud83d\ude00"}],"v":1,"seq":-2}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var plain, want inMsg
		if !decodePlain(data, &plain) {
			return
		}
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("decodePlain accepted %q, which json.Unmarshal refuses: %v", data, err)
		}
		if !reflect.DeepEqual(plain, want) {
			t.Fatalf("decodePlain(%q) = %+v; json.Unmarshal gives %+v", data, plain, want)
		}
	})
}
