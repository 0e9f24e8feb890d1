package delta

import (
	"encoding/json"
	"strings"
	"testing"
)

// The test vectors in this file are ported from quill-delta's own tests
// (github.com/slab/delta, formerly quilljs/delta, at the 5.x TypeScript
// versions): test/delta/compose.ts, test/delta/transform.ts,
// test/delta/transform-position.ts, test/delta/invert.ts,
// test/delta/diff.ts, test/delta/builder.ts, test/delta/helpers.ts,
// test/attributes.ts, test/op.ts and test/op-iterator.ts. Cases that need a
// registered embed handler are left out (this package has none), except
// those that need no handler call; the fallback used instead is tested in
// TestEmbedChangeWithoutHandler.

type A = Attributes

// nd starts a Delta built with the builder methods, as new Delta() does.
func nd() *Delta { return new(Delta) }

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return string(b)
}

func assertDelta(t testing.TB, got, want Delta) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("got  %s\nwant %s", mustJSON(t, got), mustJSON(t, want))
	}
}

func embedDelta(text string) map[string]any {
	return map[string]any{"delta": []any{map[string]any{"insert": text}}}
}

// From test/delta/compose.ts.
func TestCompose_Upstream(t *testing.T) {
	tests := []struct {
		name    string
		a, b    Delta
		want    Delta
		wantAlt *Delta // a second composition with the same expectation
	}{
		{name: "insert + insert", a: *nd().Insert("A", nil), b: *nd().Insert("B", nil),
			want: *nd().Insert("B", nil).Insert("A", nil)},
		{name: "insert + retain", a: *nd().Insert("A", nil), b: *nd().Retain(1, A{"bold": true, "color": "red", "font": nil}),
			want: *nd().Insert("A", A{"bold": true, "color": "red"})},
		{name: "insert + delete", a: *nd().Insert("A", nil), b: *nd().Delete(1), want: Delta{}},
		{name: "delete + insert", a: *nd().Delete(1), b: *nd().Insert("B", nil), want: *nd().Insert("B", nil).Delete(1)},
		{name: "delete + retain", a: *nd().Delete(1), b: *nd().Retain(1, A{"bold": true, "color": "red"}),
			want: *nd().Delete(1).Retain(1, A{"bold": true, "color": "red"})},
		{name: "delete + delete", a: *nd().Delete(1), b: *nd().Delete(1), want: *nd().Delete(2)},
		{name: "retain + insert", a: *nd().Retain(1, A{"color": "blue"}), b: *nd().Insert("B", nil),
			want: *nd().Insert("B", nil).Retain(1, A{"color": "blue"})},
		{name: "retain + retain", a: *nd().Retain(1, A{"color": "blue"}), b: *nd().Retain(1, A{"bold": true, "color": "red", "font": nil}),
			want: *nd().Retain(1, A{"bold": true, "color": "red", "font": nil})},
		{name: "retain + delete", a: *nd().Retain(1, A{"color": "blue"}), b: *nd().Delete(1), want: *nd().Delete(1)},
		{name: "insert in middle of text", a: *nd().Insert("Hello", nil), b: *nd().Retain(3, nil).Insert("X", nil),
			want: *nd().Insert("HelXlo", nil)},
		{name: "insert and delete ordering", a: *nd().Insert("Hello", nil), b: *nd().Retain(3, nil).Insert("X", nil).Delete(1),
			want: *nd().Insert("HelXo", nil)},
		{name: "insert and delete ordering (delete first)", a: *nd().Insert("Hello", nil), b: *nd().Retain(3, nil).Delete(1).Insert("X", nil),
			want: *nd().Insert("HelXo", nil)},
		{name: "insert embed",
			a:    *nd().InsertEmbed(map[string]any{"embed": 1.0}, A{"src": "http://quilljs.com/image.png"}),
			b:    *nd().Retain(1, A{"alt": "logo"}),
			want: *nd().InsertEmbed(map[string]any{"embed": 1.0}, A{"src": "http://quilljs.com/image.png", "alt": "logo"})},
		{name: "retain embed",
			a:    *nd().RetainEmbed(map[string]any{"figure": true}, A{"src": "http://quilljs.com/image.png"}),
			b:    *nd().Retain(1, A{"alt": "logo"}),
			want: *nd().RetainEmbed(map[string]any{"figure": true}, A{"src": "http://quilljs.com/image.png", "alt": "logo"})},
		{name: "delete entire text", a: *nd().Retain(4, nil).Insert("Hello", nil), b: *nd().Delete(9), want: *nd().Delete(4)},
		{name: "retain more than length of text", a: *nd().Insert("Hello", nil), b: *nd().Retain(10, nil), want: *nd().Insert("Hello", nil)},
		{name: "retain empty embed", a: *nd().InsertEmbed(map[string]any{"embed": 1.0}, nil), b: *nd().Retain(1, nil),
			want: *nd().InsertEmbed(map[string]any{"embed": 1.0}, nil)},
		{name: "remove all attributes", a: *nd().Insert("A", A{"bold": true}), b: *nd().Retain(1, A{"bold": nil}), want: *nd().Insert("A", nil)},
		{name: "remove all embed attributes", a: *nd().InsertEmbed(map[string]any{"embed": 2.0}, A{"bold": true}), b: *nd().Retain(1, A{"bold": nil}),
			want: *nd().InsertEmbed(map[string]any{"embed": 2.0}, nil)},
		{name: "immutability", a: *nd().Insert("Test", A{"bold": true}), b: *nd().Retain(1, A{"color": "red"}).Delete(2),
			want: *nd().Insert("T", A{"color": "red", "bold": true}).Insert("t", A{"bold": true})},
		{name: "retain start optimization",
			a:    *nd().Insert("A", A{"bold": true}).Insert("B", nil).Insert("C", A{"bold": true}).Delete(1),
			b:    *nd().Retain(3, nil).Insert("D", nil),
			want: *nd().Insert("A", A{"bold": true}).Insert("B", nil).Insert("C", A{"bold": true}).Insert("D", nil).Delete(1)},
		{name: "retain start optimization split",
			a:    *nd().Insert("A", A{"bold": true}).Insert("B", nil).Insert("C", A{"bold": true}).Retain(5, nil).Delete(1),
			b:    *nd().Retain(4, nil).Insert("D", nil),
			want: *nd().Insert("A", A{"bold": true}).Insert("B", nil).Insert("C", A{"bold": true}).Retain(1, nil).Insert("D", nil).Retain(4, nil).Delete(1)},
		{name: "retain end optimization",
			a:    *nd().Insert("A", A{"bold": true}).Insert("B", nil).Insert("C", A{"bold": true}),
			b:    *nd().Delete(1),
			want: *nd().Insert("B", nil).Insert("C", A{"bold": true})},
		{name: "retain end optimization join",
			a: *nd().Insert("A", A{"bold": true}).Insert("B", nil).Insert("C", A{"bold": true}).
				Insert("D", nil).Insert("E", A{"bold": true}).Insert("F", nil),
			b:    *nd().Retain(1, nil).Delete(1),
			want: *nd().Insert("AC", A{"bold": true}).Insert("D", nil).Insert("E", A{"bold": true}).Insert("F", nil)},
		// custom embed handler cases that call no handler
		{name: "retain an embed with a number", a: *nd().InsertEmbed(embedDelta("a"), nil), b: *nd().Retain(1, A{"bold": true}),
			want: *nd().InsertEmbed(embedDelta("a"), A{"bold": true})},
		{name: "retain a number with an embed", a: *nd().Retain(10, A{"bold": true}), b: *nd().RetainEmbed(embedDelta("b"), nil),
			want: *nd().RetainEmbed(embedDelta("b"), A{"bold": true}).Retain(9, A{"bold": true})},
		{name: "keeps other delete when this op is a retain", a: *nd().RetainEmbed(embedDelta("a"), nil), b: *nd().Insert("\n", nil).Delete(1),
			want: *nd().Insert("\n", nil).Delete(1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			aJSON, bJSON := mustJSON(t, tt.a), mustJSON(t, tt.b)
			assertDelta(t, tt.a.Compose(tt.b), tt.want)
			// immutability: the arguments are left alone
			if got := mustJSON(t, tt.a); got != aJSON {
				t.Errorf("compose changed a: %s, was %s", got, aJSON)
			}
			if got := mustJSON(t, tt.b); got != bJSON {
				t.Errorf("compose changed b: %s, was %s", got, bJSON)
			}
		})
	}
}

// From test/delta/transform.ts.
func TestTransform_Upstream(t *testing.T) {
	tests := []struct {
		name     string
		a, b     Delta
		priority bool
		want     Delta
	}{
		{"insert + insert (priority)", *nd().Insert("A", nil), *nd().Insert("B", nil), true, *nd().Retain(1, nil).Insert("B", nil)},
		{"insert + insert", *nd().Insert("A", nil), *nd().Insert("B", nil), false, *nd().Insert("B", nil)},
		{"insert + retain", *nd().Insert("A", nil), *nd().Retain(1, A{"bold": true, "color": "red"}), true,
			*nd().Retain(1, nil).Retain(1, A{"bold": true, "color": "red"})},
		{"insert + delete", *nd().Insert("A", nil), *nd().Delete(1), true, *nd().Retain(1, nil).Delete(1)},
		{"delete + insert", *nd().Delete(1), *nd().Insert("B", nil), true, *nd().Insert("B", nil)},
		{"delete + retain", *nd().Delete(1), *nd().Retain(1, A{"bold": true, "color": "red"}), true, Delta{}},
		{"delete + delete", *nd().Delete(1), *nd().Delete(1), true, Delta{}},
		{"retain + insert", *nd().Retain(1, A{"color": "blue"}), *nd().Insert("B", nil), true, *nd().Insert("B", nil)},
		{"retain + retain", *nd().Retain(1, A{"color": "blue"}), *nd().Retain(1, A{"bold": true, "color": "red"}), true,
			*nd().Retain(1, A{"bold": true})},
		{"retain + retain (reversed)", *nd().Retain(1, A{"bold": true, "color": "red"}), *nd().Retain(1, A{"color": "blue"}), true, Delta{}},
		{"retain + retain without priority", *nd().Retain(1, A{"color": "blue"}), *nd().Retain(1, A{"bold": true, "color": "red"}), false,
			*nd().Retain(1, A{"bold": true, "color": "red"})},
		{"retain + retain without priority (reversed)", *nd().Retain(1, A{"bold": true, "color": "red"}), *nd().Retain(1, A{"color": "blue"}), false,
			*nd().Retain(1, A{"color": "blue"})},
		{"retain + delete", *nd().Retain(1, A{"color": "blue"}), *nd().Delete(1), true, *nd().Delete(1)},
		{"alternating edits", *nd().Retain(2, nil).Insert("si", nil).Delete(5),
			*nd().Retain(1, nil).Insert("e", nil).Delete(5).Retain(1, nil).Insert("ow", nil), false,
			*nd().Retain(1, nil).Insert("e", nil).Delete(1).Retain(2, nil).Insert("ow", nil)},
		{"alternating edits (reversed)", *nd().Retain(1, nil).Insert("e", nil).Delete(5).Retain(1, nil).Insert("ow", nil),
			*nd().Retain(2, nil).Insert("si", nil).Delete(5), false,
			*nd().Retain(2, nil).Insert("si", nil).Delete(1)},
		{"conflicting appends", *nd().Retain(3, nil).Insert("aa", nil), *nd().Retain(3, nil).Insert("bb", nil), true,
			*nd().Retain(5, nil).Insert("bb", nil)},
		{"conflicting appends (reversed)", *nd().Retain(3, nil).Insert("bb", nil), *nd().Retain(3, nil).Insert("aa", nil), false,
			*nd().Retain(3, nil).Insert("aa", nil)},
		{"prepend + append", *nd().Insert("aa", nil), *nd().Retain(3, nil).Insert("bb", nil), false, *nd().Retain(5, nil).Insert("bb", nil)},
		{"prepend + append (reversed)", *nd().Retain(3, nil).Insert("bb", nil), *nd().Insert("aa", nil), false, *nd().Insert("aa", nil)},
		{"trailing deletes with differing lengths", *nd().Retain(2, nil).Delete(1), *nd().Delete(3), false, *nd().Delete(2)},
		{"trailing deletes with differing lengths (reversed)", *nd().Delete(3), *nd().Retain(2, nil).Delete(1), false, Delta{}},
		{"immutability", *nd().Insert("A", nil), *nd().Insert("B", nil), true, *nd().Retain(1, nil).Insert("B", nil)},
		// custom embed handler cases that call no handler
		{"transform an embed change with number (priority)", *nd().Retain(1, nil), *nd().RetainEmbed(embedDelta("b"), nil), true,
			*nd().RetainEmbed(embedDelta("b"), nil)},
		{"transform an embed change with number", *nd().Retain(1, nil), *nd().RetainEmbed(embedDelta("b"), nil), false,
			*nd().RetainEmbed(embedDelta("b"), nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			aJSON, bJSON := mustJSON(t, tt.a), mustJSON(t, tt.b)
			assertDelta(t, tt.a.Transform(tt.b, tt.priority), tt.want)
			if mustJSON(t, tt.a) != aJSON || mustJSON(t, tt.b) != bJSON {
				t.Errorf("transform changed its arguments")
			}
		})
	}
}

// From test/delta/transform-position.ts.
func TestTransformPosition_Upstream(t *testing.T) {
	tests := []struct {
		name     string
		d        Delta
		index    int
		priority bool
		want     int
	}{
		{"insert before position", *nd().Insert("A", nil), 2, false, 3},
		{"insert after position", *nd().Retain(2, nil).Insert("A", nil), 1, false, 1},
		{"insert at position (priority)", *nd().Retain(2, nil).Insert("A", nil), 2, true, 2},
		{"insert at position", *nd().Retain(2, nil).Insert("A", nil), 2, false, 3},
		{"delete before position", *nd().Delete(2), 4, false, 2},
		{"delete after position", *nd().Retain(4, nil).Delete(2), 2, false, 2},
		{"delete across position", *nd().Retain(1, nil).Delete(4), 2, false, 1},
		{"insert and delete before position", *nd().Retain(2, nil).Insert("A", nil).Delete(2), 4, false, 3},
		{"insert before and delete across position", *nd().Retain(2, nil).Insert("A", nil).Delete(4), 4, false, 3},
		{"delete before and delete across position", *nd().Delete(1).Retain(1, nil).Delete(4), 4, false, 1},
	}
	for _, tt := range tests {
		if got := tt.d.TransformPosition(tt.index, tt.priority); got != tt.want {
			t.Errorf("%s: got %d, want %d", tt.name, got, tt.want)
		}
	}
}

// From test/delta/invert.ts.
func TestInvert_Upstream(t *testing.T) {
	tests := []struct {
		name          string
		delta, base   Delta
		want          Delta
		skipRoundTrip bool
	}{
		{name: "insert", delta: *nd().Retain(2, nil).Insert("A", nil), base: *nd().Insert("123456", nil),
			want: *nd().Retain(2, nil).Delete(1)},
		{name: "delete", delta: *nd().Retain(2, nil).Delete(3), base: *nd().Insert("123456", nil),
			want: *nd().Retain(2, nil).Insert("345", nil)},
		{name: "retain", delta: *nd().Retain(2, nil).Retain(3, A{"bold": true}), base: *nd().Insert("123456", nil),
			want: *nd().Retain(2, nil).Retain(3, A{"bold": nil})},
		{name: "retain on a delta with different attributes", base: *nd().Insert("123", nil).Insert("4", A{"bold": true}),
			delta: *nd().Retain(4, A{"italic": true}), want: *nd().Retain(4, A{"italic": nil})},
		{name: "combined",
			delta: *nd().Retain(2, nil).Delete(2).Insert("AB", A{"italic": true}).Retain(2, A{"italic": nil, "bold": true}).
				Retain(2, A{"color": "red"}).Delete(1),
			base: *nd().Insert("123", A{"bold": true}).Insert("456", A{"italic": true}).Insert("789", A{"color": "red", "bold": true}),
			want: *nd().Retain(2, nil).Insert("3", A{"bold": true}).Insert("4", A{"italic": true}).Delete(2).
				Retain(2, A{"italic": true, "bold": nil}).Retain(2, nil).Insert("9", A{"color": "red", "bold": true})},
		// custom embed handler case that calls no handler
		{name: "invert a normal change", delta: *nd().Retain(1, A{"bold": true}), base: *nd().InsertEmbed(embedDelta("a"), nil),
			want: *nd().Retain(1, A{"bold": nil})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inverted := tt.delta.Invert(tt.base)
			assertDelta(t, inverted, tt.want)
			assertDelta(t, tt.base.Compose(tt.delta).Compose(inverted), tt.base)
		})
	}
}

// From test/delta/diff.ts.
func TestDiff_Upstream(t *testing.T) {
	tests := []struct {
		name string
		a, b Delta
		want Delta
	}{
		{"insert", *nd().Insert("A", nil), *nd().Insert("AB", nil), *nd().Retain(1, nil).Insert("B", nil)},
		{"delete", *nd().Insert("AB", nil), *nd().Insert("A", nil), *nd().Retain(1, nil).Delete(1)},
		{"retain", *nd().Insert("A", nil), *nd().Insert("A", nil), Delta{}},
		{"format", *nd().Insert("A", nil), *nd().Insert("A", A{"bold": true}), *nd().Retain(1, A{"bold": true})},
		{"object attributes",
			*nd().Insert("A", A{"font": map[string]any{"family": "Helvetica", "size": "15px"}}),
			*nd().Insert("A", A{"font": map[string]any{"family": "Helvetica", "size": "15px"}}), Delta{}},
		{"embed integer match", *nd().InsertEmbed(map[string]any{"embed": 1.0}, nil), *nd().InsertEmbed(map[string]any{"embed": 1.0}, nil), Delta{}},
		{"embed integer mismatch", *nd().InsertEmbed(map[string]any{"embed": 1.0}, nil), *nd().InsertEmbed(map[string]any{"embed": 2.0}, nil),
			*nd().Delete(1).InsertEmbed(map[string]any{"embed": 2.0}, nil)},
		{"embed object match", *nd().InsertEmbed(map[string]any{"image": "http://quilljs.com"}, nil),
			*nd().InsertEmbed(map[string]any{"image": "http://quilljs.com"}, nil), Delta{}},
		{"embed object mismatch", *nd().InsertEmbed(map[string]any{"image": "http://quilljs.com", "alt": "Overwrite"}, nil),
			*nd().InsertEmbed(map[string]any{"image": "http://quilljs.com"}, nil),
			*nd().InsertEmbed(map[string]any{"image": "http://quilljs.com"}, nil).Delete(1)},
		{"embed object change", *nd().InsertEmbed(map[string]any{"image": "http://quilljs.com"}, nil),
			*nd().InsertEmbed(map[string]any{"image": "http://github.com"}, nil),
			*nd().InsertEmbed(map[string]any{"image": "http://github.com"}, nil).Delete(1)},
		{"embed false positive", *nd().InsertEmbed(map[string]any{"embed": 1.0}, nil), *nd().Insert("\x00", nil),
			*nd().Insert("\x00", nil).Delete(1)},
		{"inconvenient indexes", *nd().Insert("12", A{"bold": true}).Insert("34", A{"italic": true}), *nd().Insert("123", A{"color": "red"}),
			*nd().Retain(2, A{"bold": nil, "color": "red"}).Retain(1, A{"italic": nil, "color": "red"}).Delete(1)},
		// 5.1.0 asks fast-diff for semantic cleanup; older versions of this
		// test expected .insert('Good').delete(2).retain(1, ...), newer ones
		// expect what 5.1.0 does.
		{"combination", *nd().Insert("Bad", A{"color": "red"}).Insert("cat", A{"color": "blue"}),
			*nd().Insert("Good", A{"bold": true}).Insert("dog", A{"italic": true}),
			*nd().Insert("Good", A{"bold": true}).Insert("dog", A{"italic": true}).Delete(6)},
		{"immutability", *nd().Insert("A", A{"color": "red"}), *nd().Insert("A", A{"bold": true}).Insert("B", nil),
			*nd().Retain(1, A{"bold": true, "color": nil}).Insert("B", nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.a.Diff(tt.b)
			if err != nil {
				t.Fatal(err)
			}
			assertDelta(t, got, tt.want)
		})
	}

	t.Run("same document", func(t *testing.T) {
		a := *nd().Insert("A", nil).Insert("B", A{"bold": true})
		got, err := a.Diff(a)
		if err != nil || len(got.Ops) != 0 {
			t.Errorf("got %v, %v; want empty", got, err)
		}
	})
	t.Run("error on non-documents", func(t *testing.T) {
		a := *nd().Insert("A", nil)
		b := *nd().Retain(1, nil).Insert("B", nil)
		if _, err := a.Diff(b); err == nil || err.Error() != "diff() called on non-document" {
			t.Errorf("a.Diff(b): %v", err)
		}
		if _, err := b.Diff(a); err == nil || err.Error() != "diff() called with non-document" {
			t.Errorf("b.Diff(a): %v", err)
		}
	})
	t.Run("non-document", func(t *testing.T) {
		if _, err := nd().Insert("Test", nil).Diff(*nd().Delete(4)); err == nil || err.Error() != "diff() called on non-document" {
			t.Errorf("got %v", err)
		}
	})
}

// From test/delta/builder.ts.
func TestBuilder_Upstream(t *testing.T) {
	embed := map[string]any{"embed": 1.0}
	tests := []struct {
		name string
		got  *Delta
		want []Op
	}{
		{"empty ops", nd().Insert("", nil).Delete(0).Retain(0, nil), nil},
		{"insert(text)", nd().Insert("test", nil), []Op{{Insert: "test"}}},
		{"insert(embed)", nd().InsertEmbed(embed, nil), []Op{{InsertEmbed: embed}}},
		{"insert(embed, attributes)", nd().InsertEmbed(embed, A{"url": "http://quilljs.com", "alt": "Quill"}),
			[]Op{{InsertEmbed: embed, Attributes: A{"url": "http://quilljs.com", "alt": "Quill"}}}},
		{"insert(embed) non-integer", nd().InsertEmbed(map[string]any{"url": "http://quilljs.com"}, A{"alt": "Quill"}),
			[]Op{{InsertEmbed: map[string]any{"url": "http://quilljs.com"}, Attributes: A{"alt": "Quill"}}}},
		{"insert(text, attributes)", nd().Insert("test", A{"bold": true}), []Op{{Insert: "test", Attributes: A{"bold": true}}}},
		{"insert(text) after delete", nd().Delete(1).Insert("a", nil), []Op{{Insert: "a"}, {Delete: 1}}},
		{"insert(text) after delete with merge", nd().Insert("a", nil).Delete(1).Insert("b", nil), []Op{{Insert: "ab"}, {Delete: 1}}},
		{"insert(text) after delete no merge", nd().InsertEmbed(embed, nil).Delete(1).Insert("a", nil),
			[]Op{{InsertEmbed: embed}, {Insert: "a"}, {Delete: 1}}},
		{"insert(text, {})", nd().Insert("a", A{}), []Op{{Insert: "a"}}},
		{"delete(0)", nd().Delete(0), nil},
		{"delete(positive)", nd().Delete(1), []Op{{Delete: 1}}},
		{"retain(0)", nd().Retain(0, nil), nil},
		{"retain(length)", nd().Retain(2, nil), []Op{{Retain: 2}}},
		{"retain(length, attributes)", nd().Retain(1, A{"bold": true}), []Op{{Retain: 1, Attributes: A{"bold": true}}}},
		{"retain(length, {})", nd().Retain(2, A{}).Delete(1), []Op{{Retain: 2}, {Delete: 1}}},
		{"push(op) into empty", nd().Push(Op{Insert: "test"}), []Op{{Insert: "test"}}},
		{"push(op) consecutive delete", nd().Delete(2).Push(Op{Delete: 3}), []Op{{Delete: 5}}},
		{"push(op) consecutive text", nd().Insert("a", nil).Push(Op{Insert: "b"}), []Op{{Insert: "ab"}}},
		{"push(op) consecutive texts with matching attributes", nd().Insert("a", A{"bold": true}).Push(Op{Insert: "b", Attributes: A{"bold": true}}),
			[]Op{{Insert: "ab", Attributes: A{"bold": true}}}},
		{"push(op) consecutive retains with matching attributes", nd().Retain(1, A{"bold": true}).Push(Op{Retain: 3, Attributes: A{"bold": true}}),
			[]Op{{Retain: 4, Attributes: A{"bold": true}}}},
		{"push(op) consecutive texts with mismatched attributes", nd().Insert("a", A{"bold": true}).Push(Op{Insert: "b"}),
			[]Op{{Insert: "a", Attributes: A{"bold": true}}, {Insert: "b"}}},
		{"push(op) consecutive retains with mismatched attributes", nd().Retain(1, A{"bold": true}).Push(Op{Retain: 3}),
			[]Op{{Retain: 1, Attributes: A{"bold": true}}, {Retain: 3}}},
		{"push(op) consecutive embeds with matching attributes",
			nd().InsertEmbed(embed, A{"alt": "Description"}).Push(Op{InsertEmbed: map[string]any{"url": "http://quilljs.com"}, Attributes: A{"alt": "Description"}}),
			[]Op{{InsertEmbed: embed, Attributes: A{"alt": "Description"}}, {InsertEmbed: map[string]any{"url": "http://quilljs.com"}, Attributes: A{"alt": "Description"}}}},
	}
	for _, tt := range tests {
		assertDelta(t, *tt.got, Delta{Ops: tt.want})
	}
}

// From test/delta/helpers.ts.
func TestHelpers_Upstream(t *testing.T) {
	t.Run("concat", func(t *testing.T) {
		tests := []struct {
			name string
			a, b Delta
			want Delta
		}{
			{"empty delta", *nd().Insert("Test", nil), Delta{}, *nd().Insert("Test", nil)},
			{"unmergeable", *nd().Insert("Test", nil), *nd().Insert("!", A{"bold": true}), *nd().Insert("Test", nil).Insert("!", A{"bold": true})},
			{"mergeable", *nd().Insert("Test", A{"bold": true}), *nd().Insert("!", A{"bold": true}).Insert("\n", nil),
				*nd().Insert("Test!", A{"bold": true}).Insert("\n", nil)},
		}
		for _, tt := range tests {
			before := mustJSON(t, tt.a)
			assertDelta(t, tt.a.Concat(tt.b), tt.want)
			if mustJSON(t, tt.a) != before {
				t.Errorf("%s: concat changed its receiver", tt.name)
			}
		}
	})

	t.Run("chop", func(t *testing.T) {
		assertDelta(t, *nd().Insert("Test", nil).Retain(4, nil).Chop(), *nd().Insert("Test", nil))
		assertDelta(t, *nd().Insert("Test", nil).Chop(), *nd().Insert("Test", nil))
		assertDelta(t, *nd().Insert("Test", nil).Retain(4, A{"bold": true}).Chop(), *nd().Insert("Test", nil).Retain(4, A{"bold": true}))
	})

	type line struct {
		line  Delta
		attrs Attributes
		index int
	}
	eachLine := func(d Delta, stopAt int) []line {
		var got []line
		d.EachLine(func(l Delta, attrs Attributes, i int) bool {
			got = append(got, line{l, attrs, i})
			return i != stopAt
		}, "\n")
		return got
	}
	checkLines := func(t *testing.T, got, want []line) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("got %d lines, want %d", len(got), len(want))
		}
		for i := range got {
			assertDelta(t, got[i].line, want[i].line)
			if !attributesEqual(got[i].attrs, want[i].attrs) || got[i].index != want[i].index {
				t.Errorf("line %d: got %v %d, want %v %d", i, got[i].attrs, got[i].index, want[i].attrs, want[i].index)
			}
		}
	}
	t.Run("eachLine expected", func(t *testing.T) {
		d := *nd().Insert("Hello\n\n", nil).Insert("World", A{"bold": true}).InsertEmbed(map[string]any{"image": "octocat.png"}, nil).
			Insert("\n", A{"align": "right"}).Insert("!", nil)
		checkLines(t, eachLine(d, -1), []line{
			{*nd().Insert("Hello", nil), nil, 0},
			{Delta{}, nil, 1},
			{*nd().Insert("World", A{"bold": true}).InsertEmbed(map[string]any{"image": "octocat.png"}, nil), A{"align": "right"}, 2},
			{*nd().Insert("!", nil), nil, 3},
		})
	})
	t.Run("eachLine trailing newline", func(t *testing.T) {
		checkLines(t, eachLine(*nd().Insert("Hello\nWorld!\n", nil), -1), []line{
			{*nd().Insert("Hello", nil), nil, 0},
			{*nd().Insert("World!", nil), nil, 1},
		})
	})
	t.Run("eachLine non-document", func(t *testing.T) {
		checkLines(t, eachLine(*nd().Retain(1, nil).Delete(2), -1), nil)
	})
	t.Run("eachLine early return", func(t *testing.T) {
		if got := eachLine(*nd().Insert("Hello\nNew\nWorld!", nil), 1); len(got) != 2 {
			t.Errorf("got %d calls, want 2", len(got))
		}
	})

	t.Run("length", func(t *testing.T) {
		if n := nd().Insert("AB", A{"bold": true}).InsertEmbed(map[string]any{"embed": 1.0}, nil).Length(); n != 3 {
			t.Errorf("document: %d", n)
		}
		if n := nd().Insert("AB", A{"bold": true}).InsertEmbed(map[string]any{"embed": 1.0}, nil).Retain(2, A{"bold": nil}).Delete(1).Length(); n != 6 {
			t.Errorf("mixed: %d", n)
		}
		if n := nd().Insert("AB", A{"bold": true}).Retain(2, A{"bold": nil}).Delete(1).ChangeLength(); n != 1 {
			t.Errorf("changeLength mixed: %d", n)
		}
	})

	t.Run("slice", func(t *testing.T) {
		tests := []struct {
			name       string
			d          Delta
			start, end int
			want       Delta
		}{
			{"start", *nd().Retain(2, nil).Insert("A", nil), 2, Infinity, *nd().Insert("A", nil)},
			{"start and end chop", *nd().Insert("0123456789", nil), 2, 7, *nd().Insert("23456", nil)},
			{"start and end multiple chop", *nd().Insert("0123", A{"bold": true}).Insert("4567", nil), 3, 5,
				*nd().Insert("3", A{"bold": true}).Insert("4", nil)},
			{"start and end", *nd().Retain(2, nil).Insert("A", A{"bold": true}).Insert("B", nil), 2, 3, *nd().Insert("A", A{"bold": true})},
			{"no params", *nd().Retain(2, nil).Insert("A", A{"bold": true}).Insert("B", nil), 0, Infinity,
				*nd().Retain(2, nil).Insert("A", A{"bold": true}).Insert("B", nil)},
			{"split ops", *nd().Insert("AB", A{"bold": true}).Insert("C", nil), 1, 2, *nd().Insert("B", A{"bold": true})},
			{"split ops multiple times", *nd().Insert("ABC", A{"bold": true}).Insert("D", nil), 1, 2, *nd().Insert("B", A{"bold": true})},
		}
		for _, tt := range tests {
			assertDelta(t, tt.d.Slice(tt.start, tt.end), tt.want)
		}
	})
}

// From test/attributes.ts.
func TestAttributes_Upstream(t *testing.T) {
	check := func(t *testing.T, name string, got, want Attributes) {
		t.Helper()
		if !attributesEqual(got, want) || (want == nil) != (got == nil) && len(want) > 0 {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
	}
	t.Run("compose", func(t *testing.T) {
		attributes := A{"bold": true, "color": "red"}
		check(t, "left is undefined", Attributes(nil).Compose(attributes, false), attributes)
		check(t, "right is undefined", attributes.Compose(nil, false), attributes)
		if got := Attributes(nil).Compose(nil, false); got != nil {
			t.Errorf("both are undefined: %v", got)
		}
		check(t, "missing", attributes.Compose(A{"italic": true}, false), A{"bold": true, "italic": true, "color": "red"})
		check(t, "overwrite", attributes.Compose(A{"bold": false, "color": "blue"}, false), A{"bold": false, "color": "blue"})
		check(t, "remove", attributes.Compose(A{"bold": nil}, false), A{"color": "red"})
		if got := attributes.Compose(A{"bold": nil, "color": nil}, false); got != nil {
			t.Errorf("remove to none: %v", got)
		}
		check(t, "remove missing", attributes.Compose(A{"italic": nil}, false), attributes)
	})
	t.Run("diff", func(t *testing.T) {
		format := A{"bold": true, "color": "red"}
		check(t, "left is undefined", Attributes(nil).Diff(format), format)
		check(t, "right is undefined", format.Diff(nil), A{"bold": nil, "color": nil})
		if got := format.Diff(format); got != nil {
			t.Errorf("same format: %v", got)
		}
		check(t, "add format", format.Diff(A{"bold": true, "italic": true, "color": "red"}), A{"italic": true})
		check(t, "remove format", format.Diff(A{"bold": true}), A{"color": nil})
		check(t, "overwrite format", format.Diff(A{"bold": true, "color": "blue"}), A{"color": "blue"})
	})
	t.Run("invert", func(t *testing.T) {
		check(t, "attributes is undefined", Attributes(nil).Invert(A{"bold": true}), nil)
		check(t, "base is undefined", A{"bold": true}.Invert(nil), A{"bold": nil})
		check(t, "both undefined", Attributes(nil).Invert(nil), nil)
		check(t, "merge", A{"bold": true}.Invert(A{"italic": true}), A{"bold": nil})
		check(t, "null", A{"bold": nil}.Invert(A{"bold": true}), A{"bold": true})
		check(t, "replace", A{"color": "red"}.Invert(A{"color": "blue"}), A{"color": "blue"})
		check(t, "noop", A{"color": "red"}.Invert(A{"color": "red"}), nil)
		check(t, "combined",
			A{"bold": true, "italic": nil, "color": "red", "size": "12px"}.Invert(A{"font": "serif", "italic": true, "color": "blue", "size": "12px"}),
			A{"bold": nil, "italic": true, "color": "blue"})
	})
	t.Run("transform", func(t *testing.T) {
		left := A{"bold": true, "color": "red", "font": nil}
		right := A{"color": "blue", "font": "serif", "italic": true}
		check(t, "left is undefined", Attributes(nil).Transform(left, false), left)
		if got := left.Transform(nil, false); got != nil {
			t.Errorf("right is undefined: %v", got)
		}
		if got := Attributes(nil).Transform(nil, false); got != nil {
			t.Errorf("both are undefined: %v", got)
		}
		check(t, "with priority", left.Transform(right, true), A{"italic": true})
		check(t, "without priority", left.Transform(right, false), right)
	})
}

// From test/op.ts, with UTF-16 cases added.
func TestOpLen_Upstream(t *testing.T) {
	tests := []struct {
		op   Op
		want int
	}{
		{Op{Delete: 5}, 5},
		{Op{Retain: 2}, 2},
		{Op{Insert: "text"}, 4},
		{Op{InsertEmbed: map[string]any{"embed": 2.0}}, 1},
		{Op{RetainEmbed: map[string]any{"delta": []any{}}}, 1},
		// JavaScript's String.length
		{Op{Insert: "😀"}, 2},
		{Op{Insert: "👍🏽"}, 4},
		{Op{Insert: "🇫🇷"}, 4},
		{Op{Insert: "e\u0301"}, 2},
		{Op{Insert: "漢字"}, 2},
		{Op{Insert: "é"}, 1},
		{Op{Insert: "\U0010FFFF"}, 2},
		{Op{Insert: "\xed\xa0\xbd"}, 1}, // a lone high surrogate in WTF-8
	}
	for _, tt := range tests {
		if got := tt.op.Len(); got != tt.want {
			t.Errorf("%+v: got %d, want %d", tt.op, got, tt.want)
		}
	}
}

// From test/op-iterator.ts.
func TestOpIterator_Upstream(t *testing.T) {
	delta := *nd().Insert("Hello", A{"bold": true}).Retain(3, nil).
		InsertEmbed(map[string]any{"embed": 2.0}, A{"src": "http://quilljs.com/"}).Delete(4)

	t.Run("hasNext", func(t *testing.T) {
		if !NewOpIterator(delta.Ops).HasNext() {
			t.Error("hasNext() true")
		}
		if NewOpIterator(nil).HasNext() {
			t.Error("hasNext() false")
		}
	})
	t.Run("peekLength", func(t *testing.T) {
		it := NewOpIterator(delta.Ops)
		for _, want := range []int{5, 3, 1, 4} {
			if got := it.PeekLength(); got != want {
				t.Errorf("got %d, want %d", got, want)
			}
			it.Next(0)
		}
		it = NewOpIterator(delta.Ops)
		it.Next(2)
		if got := it.PeekLength(); got != 3 {
			t.Errorf("offset > 0: got %d", got)
		}
		if got := NewOpIterator(nil).PeekLength(); got != Infinity {
			t.Errorf("no ops left: got %d", got)
		}
	})
	t.Run("peekType", func(t *testing.T) {
		it := NewOpIterator(delta.Ops)
		for _, want := range []OpType{OpInsert, OpRetain, OpInsert, OpDelete, OpRetain} {
			if got := it.PeekType(); got != want {
				t.Errorf("got %v, want %v", got, want)
			}
			it.Next(0)
		}
	})
	t.Run("next", func(t *testing.T) {
		it := NewOpIterator(delta.Ops)
		for i := range delta.Ops {
			if got := it.Next(0); !got.Equal(delta.Ops[i]) {
				t.Errorf("op %d: got %+v", i, got)
			}
		}
		for _, n := range []int{0, 4, 0} {
			if got := it.Next(n); !got.Equal(Op{Retain: Infinity}) {
				t.Errorf("past the end: got %+v", got)
			}
		}
	})
	t.Run("next(length)", func(t *testing.T) {
		it := NewOpIterator(delta.Ops)
		for _, tt := range []struct {
			n    int
			want Op
		}{
			{2, Op{Insert: "He", Attributes: A{"bold": true}}},
			{10, Op{Insert: "llo", Attributes: A{"bold": true}}},
			{1, Op{Retain: 1}},
			{2, Op{Retain: 2}},
		} {
			if got := it.Next(tt.n); !got.Equal(tt.want) {
				t.Errorf("next(%d): got %+v, want %+v", tt.n, got, tt.want)
			}
		}
	})
	t.Run("rest", func(t *testing.T) {
		it := NewOpIterator(delta.Ops)
		it.Next(2)
		assertDelta(t, Delta{Ops: it.Rest()}, Delta{Ops: append([]Op{{Insert: "llo", Attributes: A{"bold": true}}}, delta.Ops[1:]...)})
		it.Next(3)
		assertDelta(t, Delta{Ops: it.Rest()}, Delta{Ops: delta.Ops[1:]})
		it.Next(3)
		it.Next(2)
		it.Next(4)
		if rest := it.Rest(); len(rest) != 0 {
			t.Errorf("rest at the end: %v", rest)
		}
	})
}

// TestEmbedChangeWithoutHandler pins the documented fallback where
// quill-delta would call (or throw for want of) an embed handler.
func TestEmbedChangeWithoutHandler(t *testing.T) {
	a := *nd().InsertEmbed(embedDelta("a"), nil)
	b := *nd().RetainEmbed(embedDelta("b"), A{"bold": true})
	assertDelta(t, a.Compose(b), *nd().InsertEmbed(embedDelta("a"), A{"bold": true}))
	assertDelta(t, nd().Insert("a", nil).Compose(b), *nd().Insert("a", A{"bold": true}))

	ra := *nd().RetainEmbed(embedDelta("a"), nil)
	assertDelta(t, ra.Transform(b, true), b)

	base := *nd().InsertEmbed(embedDelta("a"), A{"italic": true})
	assertDelta(t, b.Invert(base), *nd().Retain(1, A{"bold": nil}))

	if _, err := Apply(base, b); err == nil || !strings.Contains(err.Error(), "embed change") {
		t.Errorf("Apply of an embed change: %v", err)
	}
}
