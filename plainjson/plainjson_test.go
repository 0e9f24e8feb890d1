package plainjson

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestReader_ReadsAPlainObject(t *testing.T) {
	r := NewReader([]byte(` {"s":"æøå","n":-42,"b":true,"f":false,"raw":{"a":[1,2.5e-3,"x\"y",null]},"o":{"k":"v"}} `))
	got := map[string]string{}
	ok := r.Object(func(key []byte) bool {
		k := string(key)
		switch k {
		case "s":
			s, ok := r.String()
			got[k] = string(s)
			return ok
		case "n":
			n, ok := r.Int()
			got[k] = strings.Repeat("-", max(0, -n))
			return ok
		case "b", "f":
			b, ok := r.Bool()
			got[k] = map[bool]string{true: "true", false: "false"}[b]
			return ok
		case "raw":
			raw, ok := r.Raw()
			got[k] = string(raw)
			return ok
		case "o":
			return r.Object(func(key []byte) bool {
				s, ok := r.String()
				got["o."+string(key)] = string(s)
				return ok
			})
		}
		return false
	}) && r.End()
	if !ok {
		t.Fatal("a plain object was not read")
	}
	want := map[string]string{"s": "æøå", "n": strings.Repeat("-", 42), "b": "true", "f": "false",
		"raw": `{"a":[1,2.5e-3,"x\"y",null]}`, "o.k": "v"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestReader_SaysWhatIsNotPlain(t *testing.T) {
	str := func(s string) bool { r := NewReader([]byte(s)); _, ok := r.String(); return ok && r.End() }
	num := func(s string) bool { r := NewReader([]byte(s)); _, ok := r.Int64(); return ok && r.End() }
	raw := func(s string) bool { r := NewReader([]byte(s)); _, ok := r.Raw(); return ok && r.End() }
	obj := func(s string) bool {
		r := NewReader([]byte(s))
		return r.Object(func([]byte) bool { _, ok := r.Raw(); return ok }) && r.End()
	}
	for _, tc := range []struct {
		what string
		read func(string) bool
		in   string
	}{
		{"an escape", str, `"a\nb"`},
		{"a control character", str, "\"a\tb\""},
		{"invalid UTF-8", str, "\"\xff\""},
		{"an open string", str, `"abc`},
		{"a fraction", num, `1.5`},
		{"an exponent", num, `1e3`},
		{"a leading zero", num, `01`},
		{"a plus", num, `+1`},
		{"too large", num, `9223372036854775808`},
		{"a trailing comma", raw, `[1,]`},
		{"a bad escape", raw, `"\x"`},
		{"a short unicode escape", raw, `"\u12"`},
		{"a bare minus", raw, `-`},
		{"a fraction without digits", raw, `1.`},
		{"an unquoted key", raw, `{a:1}`},
		{"too deep", raw, strings.Repeat("[", maxDepth+2) + strings.Repeat("]", maxDepth+2)},
		{"nul", raw, `nul`},
		{"not an object", obj, `[1]`},
		{"a missing colon", obj, `{"a" 1}`},
		{"trailing data", obj, `{"a":1}x`},
		{"an open object", obj, `{"a":1`},
	} {
		if tc.read(tc.in) {
			t.Errorf("%s (%s) was read as plain", tc.what, tc.in)
		}
	}
}

// FuzzReader: what the Reader reads as plain, encoding/json reads the same.
func FuzzReader(f *testing.F) {
	for _, s := range []string{`"abc"`, `-12`, `{"a":[1,{"b":"\u00e5"}],"c":null}`, `[true,false,1.5e+3]`, `"æ"`, `0`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(data)
		if _, ok := r.Raw(); ok && r.End() && !json.Valid(data) {
			t.Fatalf("Raw read %q, which is not JSON", data)
		}
		r = NewReader(data)
		if s, ok := r.String(); ok && r.End() {
			var want string
			if err := json.Unmarshal(data, &want); err != nil || want != string(s) {
				t.Fatalf("String read %q as %q; encoding/json: %q, %v", data, s, want, err)
			}
		}
		r = NewReader(data)
		if n, ok := r.Int64(); ok && r.End() {
			var want int64
			if err := json.Unmarshal(data, &want); err != nil || want != n {
				t.Fatalf("Int64 read %q as %d; encoding/json: %d, %v", data, n, want, err)
			}
		}
	})
}
