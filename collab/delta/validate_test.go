package delta

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

func mustValidator(t testing.TB, lim Limits) *Validator {
	t.Helper()
	v, err := NewValidator(DefaultWhitelist(), lim)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestValidator_Validate(t *testing.T) {
	// Units: a=0 b=1 😀=2,3 c=4 \n=5; length 6.
	doc := *nd().Insert("ab😀c\n", nil)
	link := func(url any) Delta { return *nd().Retain(1, A{"link": url}) }
	tests := []struct {
		name   string
		change Delta
		want   string // a substring of the error, "" for valid
		op     int    // the op the error names
	}{
		// valid changes
		{name: "empty change", change: Delta{}},
		{name: "insert at start", change: *nd().Insert("x", nil)},
		{name: "insert with formats", change: *nd().Retain(2, nil).Insert("y", A{"bold": true, "italic": true, "underline": true, "strike": true})},
		{name: "format across the emoji", change: *nd().Retain(4, A{"bold": true})},
		{name: "delete the emoji", change: *nd().Retain(2, nil).Delete(2)},
		{name: "remove a format", change: *nd().Retain(1, A{"bold": nil, "link": nil, "header": nil})},
		{name: "block formats", change: *nd().Retain(5, nil).Retain(1, A{"header": 4.0, "list": "ordered", "indent": 8.0, "blockquote": true})},
		{name: "bullet list and indent 1", change: *nd().Retain(5, nil).Retain(1, A{"list": "bullet", "indent": 1, "header": 1})},
		{name: "table cell", change: *nd().Retain(6, nil).Insert("\n", A{"table": "row-ab12"})},
		{name: "https link", change: link("https://example.com/a?b=c#d")},
		{name: "http link", change: link("http://example.com")},
		{name: "mailto link", change: link("mailto:someone@example.com")},
		{name: "scheme in capitals", change: link("HTTPS://example.com")},
		{name: "insert and delete at the end", change: *nd().Retain(5, nil).Insert("!", nil).Delete(1)},
		{name: "formats differ between neighbours", change: *nd().Insert("a", A{"bold": true}).Insert("b", nil).Retain(1, A{"bold": true}).Retain(1, nil).Delete(2)},

		// formats
		{name: "unknown format", change: *nd().Retain(1, A{"color": "red"}), want: `format "color" is not allowed`},
		{name: "bold false", change: *nd().Retain(1, A{"bold": false}), want: `format "bold" must be true`},
		{name: "bold as a string", change: *nd().Retain(1, A{"bold": "true"}), want: `format "bold" must be true`},
		{name: "header 5", change: *nd().Retain(1, A{"header": 5.0}), want: `format "header" must be an integer from 1 to 4`},
		{name: "header 0", change: *nd().Retain(1, A{"header": 0.0}), want: `format "header"`},
		{name: "header 1.5", change: *nd().Retain(1, A{"header": 1.5}), want: `format "header"`},
		{name: "header as a string", change: *nd().Retain(1, A{"header": "1"}), want: `format "header"`},
		{name: "indent 9", change: *nd().Retain(1, A{"indent": 9.0}), want: `format "indent"`},
		{name: "checklist", change: *nd().Retain(1, A{"list": "checked"}), want: `format "list" must be one of "ordered", "bullet"`},
		{name: "blockquote false", change: *nd().Retain(1, A{"blockquote": false}), want: `format "blockquote"`},
		{name: "table id of another shape", change: *nd().Retain(1, A{"table": "row-AB"}), want: `format "table" must match`},
		{name: "table id with markup", change: *nd().Retain(1, A{"table": "row-<b>"}), want: `format "table"`},
		{name: "table id as a number", change: *nd().Retain(1, A{"table": 1.0}), want: `format "table" must be a string`},
		{name: "null in an insert", change: *nd().Insert("x", A{"bold": nil}), want: `format "bold" is null in an insert`},

		// links
		{name: "javascript link", change: link("javascript:alert(1)"), want: `scheme "javascript" is not allowed`},
		{name: "javascript in mixed case", change: link("JaVaScRiPt:alert(1)"), want: `scheme "javascript" is not allowed`},
		{name: "leading space", change: link(" javascript:alert(1)"), want: "spaces or control characters"},
		{name: "leading tab", change: link("\thttps://x.y"), want: "spaces or control characters"},
		{name: "tab inside the scheme", change: link("java\tscript:alert(1)"), want: "spaces or control characters"},
		{name: "newline inside the scheme", change: link("java\nscript:alert(1)"), want: "spaces or control characters"},
		{name: "leading control character", change: link("\x01javascript:alert(1)"), want: "spaces or control characters"},
		{name: "trailing DEL", change: link("https://x.y\x7f"), want: "spaces or control characters"},
		{name: "data link", change: link("data:text/html;base64,PHNjcmlwdD4="), want: `scheme "data" is not allowed`},
		{name: "vbscript link", change: link("vbscript:msgbox(1)"), want: `scheme "vbscript"`},
		{name: "entity-encoded scheme", change: link("&#106;avascript:alert(1)"), want: "absolute URL"},
		{name: "protocol-relative link", change: link("//evil.example/x"), want: "absolute URL"},
		{name: "relative link", change: link("example.com/x"), want: "absolute URL"},
		{name: "http without slashes", change: link("http:example.com"), want: "must name a host"},
		{name: "http without host", change: link("https:///x"), want: "must name a host"},
		{name: "empty mailto", change: link("mailto:"), want: "empty after the scheme"},
		{name: "empty link", change: link(""), want: "must not be empty"},
		{name: "link too long", change: link("https://x.y/" + strings.Repeat("a", 2048)), want: "longer than 2048"},
		{name: "link as a number", change: link(1.0), want: "must be a string"},

		// form
		{name: "empty insert", change: Delta{Ops: []Op{{}}}, want: "empty insert"},
		{name: "insert and delete in one op", change: Delta{Ops: []Op{{Insert: "x", Delete: 1}}}, want: "more than one of"},
		{name: "text and embed in one op", change: Delta{Ops: []Op{{Insert: "x", InsertEmbed: map[string]any{"image": "x"}}}}, want: "more than one of"},
		{name: "negative retain", change: Delta{Ops: []Op{{Retain: -1, Attributes: A{"bold": true}}}}, want: "positive"},
		{name: "delete with attributes", change: Delta{Ops: []Op{{Delete: 1, Attributes: A{"bold": true}}}}, want: "a delete has no attributes"},
		{name: "embed not whitelisted", change: *nd().InsertEmbed(map[string]any{"image": "https://x.y/i.png"}, nil), want: `embed "image" is not allowed`},
		{name: "embed with two keys", change: *nd().InsertEmbed(map[string]any{"image": "a", "alt": "b"}, nil), want: "exactly one key"},
		{name: "embed change", change: *nd().RetainEmbed(map[string]any{"table": "x"}, nil), want: "embed changes"},
		{name: "lone surrogate inserted", change: *nd().Insert("a\xed\xa0\xbd", nil), want: "lone UTF-16 surrogate"},
		{name: "invalid UTF-8 inserted", change: *nd().Insert("a\xff", nil), want: "not valid UTF-8"},
		{name: "lone surrogate in a link", change: link("https://x.y/\xed\xb0\x80"), want: "lone UTF-16 surrogate"},

		// normal form
		{name: "two deletes", change: Delta{Ops: []Op{{Delete: 1}, {Delete: 1}}}, want: "two deletes", op: 1},
		{name: "insert after delete", change: Delta{Ops: []Op{{Delete: 1}, {Insert: "x"}}}, want: "insert must come before", op: 1},
		{name: "two inserts alike", change: Delta{Ops: []Op{{Insert: "a", Attributes: A{"bold": true}}, {Insert: "b", Attributes: A{"bold": true}}}}, want: "two inserts", op: 1},
		{name: "two retains alike", change: Delta{Ops: []Op{{Retain: 1}, {Retain: 1}, {Delete: 1}}}, want: "two retains", op: 1},
		{name: "trailing retain", change: Delta{Ops: []Op{{Insert: "x"}, {Retain: 2}}}, want: "trailing retain", op: 1},

		// the document
		{name: "retain past the end", change: *nd().Retain(7, A{"bold": true}), want: "past the end"},
		{name: "delete past the end", change: *nd().Retain(6, nil).Delete(1), want: "past the end", op: 1},
		{name: "retain ends inside the emoji", change: *nd().Retain(3, A{"bold": true}), want: "ends at 3, inside a surrogate pair"},
		{name: "delete ends inside the emoji", change: *nd().Retain(2, nil).Delete(1), want: "ends at 3, inside a surrogate pair", op: 1},
		{name: "delete starts inside the emoji", change: *nd().Retain(3, A{"bold": true}).Delete(1), want: "inside a surrogate pair"},
	}
	v := mustValidator(t, Limits{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := v.Validate(tt.change, doc)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if _, err := Apply(doc, tt.change); err != nil {
					t.Fatalf("valid but Apply fails: %v", err)
				}
				return
			}
			var ve *ValidationError
			switch {
			case err == nil:
				t.Fatalf("accepted; want %q", tt.want)
			case !errors.As(err, &ve) || !errors.Is(err, ErrInvalid):
				t.Fatalf("error %v is not a *ValidationError", err)
			case !strings.Contains(err.Error(), tt.want):
				t.Fatalf("got %q, want %q", err, tt.want)
			case ve.Op != tt.op && ve.Op != -1:
				t.Fatalf("error names op %d, want %d: %v", ve.Op, tt.op, err)
			}
		})
	}
}

func TestValidator_Limits(t *testing.T) {
	doc := *nd().Insert("hello\n", nil)
	v := mustValidator(t, Limits{MaxOps: 3, MaxInsert: 4, MaxDocument: 9})
	tests := []struct {
		name   string
		change Delta
		want   string
	}{
		{"within all limits", *nd().Retain(1, nil).Insert("abc", nil).Delete(1), ""},
		{"too many ops", *nd().Retain(1, nil).Insert("a", nil).Retain(1, A{"bold": true}).Delete(1), "too many ops: 4 (at most 3)"},
		{"inserts too much", *nd().Insert("abcde", nil), "inserts 5 characters (at most 4)"},
		{"emoji count twice", *nd().Insert("😀😀a", nil), "inserts 5 characters"},
		{"document too long", *nd().Insert("abcd", nil), "would be 10 characters long (at most 9)"},
	}
	for _, tt := range tests {
		err := v.Validate(tt.change, doc)
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestValidator_BaseMustBeDocument(t *testing.T) {
	err := mustValidator(t, Limits{}).Validate(Delta{}, *nd().Retain(1, nil))
	if err == nil || errors.Is(err, ErrInvalid) {
		t.Errorf("got %v; want an error that is not ErrInvalid (the server's fault, not the client's)", err)
	}
}

func TestValidator_ValidateDocument(t *testing.T) {
	v := mustValidator(t, Limits{MaxDocument: 10})
	tests := []struct {
		name string
		doc  Delta
		want string
	}{
		{"empty", Delta{}, ""},
		{"formatted", *nd().Insert("Title", nil).Insert("\n", A{"header": 1.0}).Insert("x", A{"bold": true}).Insert("\n", nil), ""},
		{"retain", Delta{Ops: []Op{{Insert: "a"}, {Retain: 1}}}, "inserts only"},
		{"null format", Delta{Ops: []Op{{Insert: "a", Attributes: A{"bold": nil}}}}, "null in an insert"},
		{"unknown format", *nd().Insert("a", A{"font": "serif"}), "not allowed"},
		{"not merged", Delta{Ops: []Op{{Insert: "a"}, {Insert: "b"}}}, "two inserts"},
		{"too long", *nd().Insert("0123456789\n", nil), "11 characters long"},
		{"lone surrogate", *nd().Insert("\xed\xa0\xbd", nil), "lone UTF-16 surrogate"},
	}
	for _, tt := range tests {
		err := v.ValidateDocument(tt.doc)
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestApply(t *testing.T) {
	doc := *nd().Insert("ab", A{"bold": true}).Insert("c\n", nil)
	tests := []struct {
		name   string
		doc    Delta
		change Delta
		want   Delta
		err    string
	}{
		{name: "insert", doc: doc, change: *nd().Retain(1, nil).Insert("X", nil),
			want: *nd().Insert("a", A{"bold": true}).Insert("X", nil).Insert("b", A{"bold": true}).Insert("c\n", nil)},
		{name: "format to the end", doc: doc, change: *nd().Retain(4, A{"bold": nil}), want: *nd().Insert("abc\n", nil)},
		{name: "delete all", doc: doc, change: *nd().Delete(4), want: Delta{}},
		{name: "retain past the end", doc: doc, change: *nd().Retain(5, A{"bold": true}), err: "past the end"},
		{name: "delete past the end", doc: doc, change: *nd().Retain(3, nil).Delete(2), err: "past the end"},
		{name: "base not a document", doc: *nd().Retain(1, nil), change: Delta{}, err: "not a document"},
		{name: "negative length", doc: doc, change: Delta{Ops: []Op{{Delete: -1}}}, err: "positive"},
	}
	for _, tt := range tests {
		got, err := Apply(tt.doc, tt.change)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%s: got %v, want error %q", tt.name, err, tt.err)
		case tt.err == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.err == "" && !got.Equal(tt.want):
			t.Errorf("%s: got %s, want %s", tt.name, mustJSON(t, got), mustJSON(t, tt.want))
		}
	}
}

// ValidateLength, which does not read the document, answers as Validate for
// documents without surrogate pairs, valid changes and random ones alike;
// HasPairs finds every document that has one.
func TestValidator_ValidateLengthAgrees(t *testing.T) {
	v := mustValidator(t, DefaultLimits())
	for seed := range uint64(3000) {
		g := &gen{src: randSource{rand.New(rand.NewPCG(seed, 7))}, astral: seed%2 == 0}
		doc := g.doc(5)
		if !g.astral && doc.HasPairs() {
			t.Fatalf("seed %d: HasPairs says true for %s", seed, mustJSON(t, doc))
		}
		for _, u := range codePoints(doc) {
			if u == 2 && !doc.HasPairs() {
				t.Fatalf("seed %d: HasPairs misses the pair of %s", seed, mustJSON(t, doc))
			}
		}
		if doc.HasPairs() {
			continue
		}
		for _, change := range []Delta{g.change(doc, false), {Ops: g.rawOps()}} {
			// Which of several bad formats an op is refused for follows
			// the map's order: the op's index is compared.
			want, got := v.Validate(change, doc), v.ValidateLength(change, doc.Length())
			var we, ge *ValidationError
			if (want == nil) != (got == nil) || want != nil && (!errors.As(want, &we) || !errors.As(got, &ge) || we.Op != ge.Op) {
				t.Fatalf("seed %d: doc %s change %s: Validate %v, ValidateLength %v",
					seed, mustJSON(t, doc), mustJSON(t, change), want, got)
			}
		}
	}
}

// Fits refuses what Apply refuses, with the same error.
func TestFits_AgreesWithApply(t *testing.T) {
	for seed := range uint64(2000) {
		g := &gen{src: randSource{rand.New(rand.NewPCG(seed, 9))}, astral: true}
		doc := g.doc(4)
		change := Delta{Ops: g.rawOps()}
		_, want := Apply(doc, change)
		got := Fits(change, doc.Length())
		if (want == nil) != (got == nil) || want != nil && want.Error() != got.Error() {
			t.Fatalf("seed %d: Apply %v, Fits %v", seed, want, got)
		}
	}
}
