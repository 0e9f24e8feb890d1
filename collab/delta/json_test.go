package delta

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestMarshalJSON_Canonical(t *testing.T) {
	tests := []struct {
		name string
		d    Delta
		want string
	}{
		{"empty", Delta{}, `{"ops":[]}`},
		{"key order and sorted attributes",
			*nd().Insert("a", A{"link": "https://x.y", "bold": true, "header": 2.0}).Retain(3, nil).Delete(2),
			`{"ops":[{"insert":"a","attributes":{"bold":true,"header":2,"link":"https://x.y"}},{"retain":3},{"delete":2}]}`},
		{"null removes a format", *nd().Retain(1, A{"bold": nil}), `{"ops":[{"retain":1,"attributes":{"bold":null}}]}`},
		{"embed keys sorted", *nd().InsertEmbed(map[string]any{"video": map[string]any{"src": "v", "h": 1.0}}, nil),
			`{"ops":[{"insert":{"video":{"h":1,"src":"v"}}}]}`},
		{"retain embed", *nd().RetainEmbed(map[string]any{"table": []any{1.0, "x", nil, true}}, nil),
			`{"ops":[{"retain":{"table":[1,"x",null,true]}}]}`},
		// JSON.stringify escapes only what JSON requires.
		{"escapes as JSON.stringify", *nd().Insert("q\"b\\n\n\t\r\b\f\x01\x1f<>&\u2028é😀\x7f", nil),
			`{"ops":[{"insert":"q\"b\\n\n\t\r\b\f\u0001\u001f<>&` + "\u2028é😀\x7f" + `"}]}`},
		{"lone surrogates as escapes", *nd().Insert("a\xed\xa0\xbdb\xed\xb8\x80", nil), `{"ops":[{"insert":"a\ud83db\ude00"}]}`},
		{"numbers as JavaScript", *nd().Retain(1, A{"a": 1e21, "b": 1e-7, "c": 0.000001, "d": 1.5, "e": -0.0, "f": 123456789012345680000.0, "g": 3}),
			`{"ops":[{"retain":1,"attributes":{"a":1e+21,"b":1e-7,"c":0.000001,"d":1.5,"e":0,"f":123456789012345680000,"g":3}}]}`},
	}
	for _, tt := range tests {
		// json.Marshal would also escape <, >, & and U+2028 (valid, but not
		// JSON.stringify's bytes); MarshalJSON itself does not.
		got, err := tt.d.MarshalJSON()
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if string(got) != tt.want {
			t.Errorf("%s:\ngot  %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

func TestMarshalJSON_RefusesUnsupportedValues(t *testing.T) {
	for _, v := range []any{struct{}{}, func() {}} {
		if _, err := json.Marshal(*nd().Retain(1, A{"x": v})); err == nil {
			t.Errorf("%T: accepted", v)
		}
	}
}

func TestParse_Strict(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"unknown op key", `{"ops":[{"insert":"a","bold":true}]}`, `unknown key "bold" in op`},
		{"unknown delta key", `{"ops":[],"x":1}`, `unknown key "x" in delta`},
		{"missing ops", `{}`, `missing key "ops"`},
		{"ops not an array", `{"ops":{}}`, "ops must be an array"},
		{"top-level array", `[{"insert":"a"}]`, "expected an object"},
		{"duplicate key", `{"ops":[{"insert":"a","insert":"b"}]}`, `duplicate key "insert"`},
		{"two kinds", `{"ops":[{"insert":"a","delete":1}]}`, "more than one of insert, delete and retain"},
		{"no kind", `{"ops":[{"attributes":{"bold":true}}]}`, "none of insert, delete and retain"},
		{"zero delete", `{"ops":[{"delete":0}]}`, "delete must be positive, not 0"},
		{"negative retain", `{"ops":[{"retain":-2}]}`, "retain must be positive, not -2"},
		{"fraction", `{"ops":[{"retain":1.5}]}`, "retain must be an integer, not 1.5"},
		{"integer with fraction", `{"ops":[{"retain":1.0}]}`, "must be an integer"},
		{"exponent", `{"ops":[{"delete":1e3}]}`, "must be an integer"},
		{"too large", `{"ops":[{"delete":99999999999999999999}]}`, "too large"},
		{"length as a string", `{"ops":[{"delete":"1"}]}`, "delete must be a number"},
		{"insert as a number", `{"ops":[{"insert":5}]}`, "insert must be a string or an object"},
		{"empty attributes", `{"ops":[{"insert":"a","attributes":{}}]}`, "attributes must not be empty"},
		{"null attributes", `{"ops":[{"insert":"a","attributes":null}]}`, "attributes must be an object"},
		{"op not an object", `{"ops":["a"]}`, "an op must be an object"},
		{"trailing data", `{"ops":[]} x`, "expected end of input"},
		{"unterminated", `{"ops":[{"insert":"a`, "unexpected end of input"},
		{"raw control character", "{\"ops\":[{\"insert\":\"a\x01\"}]}", "control character"},
		{"invalid UTF-8", "{\"ops\":[{\"insert\":\"a\xff\"}]}", "invalid UTF-8"},
		{"raw surrogate bytes", "{\"ops\":[{\"insert\":\"\xed\xa0\xbd\"}]}", "invalid UTF-8"},
		{"bad escape", `{"ops":[{"insert":"\x"}]}`, "valid escape"},
		{"short unicode escape", `{"ops":[{"insert":"\u12"}]}`, "four hex digits"},
		{"too deep", `{"ops":[{"insert":{"a":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}}]}`, "nested deeper"},
		{"number out of range", `{"ops":[{"retain":1,"attributes":{"a":1e999}}]}`, "out of range"},
		{"leading zero", `{"ops":[{"retain":01}]}`, "retain"},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.in))
		var ve *ValidationError
		switch {
		case err == nil:
			t.Errorf("%s: accepted", tt.name)
		case !errors.As(err, &ve) || !errors.Is(err, ErrInvalid):
			t.Errorf("%s: %v is not a *ValidationError", tt.name, err)
		case !strings.Contains(err.Error(), tt.want):
			t.Errorf("%s: got %q, want %q", tt.name, err, tt.want)
		}
	}
}

func TestParse_Accepts(t *testing.T) {
	tests := []struct {
		name, in string
		want     Delta
	}{
		{"empty", `{"ops":[]}`, Delta{Ops: []Op{}}},
		{"spacing", " {\n \"ops\" : [ { \"retain\" : 3 } , {\"delete\":2} ] }\n", *nd().Retain(3, nil).Delete(2)},
		{"key order free", `{"ops":[{"attributes":{"bold":true},"insert":"a"}]}`, *nd().Insert("a", A{"bold": true})},
		{"escapes", `{"ops":[{"insert":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}]}`, *nd().Insert("\"\\/\b\f\n\r\té😀", nil)},
		{"lone surrogate escape kept", `{"ops":[{"insert":"a\ud83d"}]}`, *nd().Insert("a\xed\xa0\xbd", nil)},
		{"embed", `{"ops":[{"insert":{"image":"x"},"attributes":{"alt":"y"}}]}`, *nd().InsertEmbed(map[string]any{"image": "x"}, A{"alt": "y"})},
		{"embed change", `{"ops":[{"retain":{"delta":[{"insert":"a"}]}}]}`, *nd().RetainEmbed(embedDelta("a"), nil)},
		{"empty insert kept for Validate to refuse", `{"ops":[{"insert":""}]}`, Delta{Ops: []Op{{}}}},
	}
	for _, tt := range tests {
		got, err := Parse([]byte(tt.in))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		assertDelta(t, got, tt.want)
	}
}

func TestUnmarshalJSON_ThroughEncodingJSON(t *testing.T) {
	var msg struct {
		Op Delta `json:"op"`
	}
	if err := json.Unmarshal([]byte(`{"op":{"ops":[{"insert":"a"}]}}`), &msg); err != nil {
		t.Fatal(err)
	}
	assertDelta(t, msg.Op, *nd().Insert("a", nil))

	err := json.Unmarshal([]byte(`{"op":{"ops":[{"retain":0}]}}`), &msg)
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("got %v, want ErrInvalid", err)
	}
	if err := json.Unmarshal([]byte(`{"op":null}`), &msg); err != nil {
		t.Errorf("null: %v", err)
	}

	var op Op
	if err := json.Unmarshal([]byte(`{"retain":2,"attributes":{"bold":null}}`), &op); err != nil || !op.Equal(Op{Retain: 2, Attributes: A{"bold": nil}}) {
		t.Errorf("op: %+v, %v", op, err)
	}
	if err := json.Unmarshal([]byte(`{"retain":2} {}`), &op); err == nil {
		t.Errorf("op with trailing data accepted")
	}
}

// TestJSON_RoundTrip checks Parse(Marshal(d)) == d on random deltas,
// including text cut inside surrogate pairs.
func TestJSON_RoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 2000 {
		g := &gen{src: randSource{r}, astral: true, extras: true, nullInserts: true}
		doc := g.doc(6)
		for _, d := range []Delta{doc, g.change(doc, false), doc.Slice(g.pick(doc.Length()+1), Infinity), g.anyDelta()} {
			b, err := json.Marshal(d)
			if err != nil {
				t.Fatalf("case %d: %v", i, err)
			}
			back, err := Parse(b)
			if err != nil {
				t.Fatalf("case %d: %s: %v", i, b, err)
			}
			if !back.Equal(d) {
				t.Fatalf("case %d: %s came back as %s", i, b, mustJSON(t, back))
			}
		}
	}
}
