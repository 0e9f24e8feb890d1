package lix_test

import (
	"math"
	"reflect"
	"testing"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/temaplan/temaplan/collab/delta"
	"github.com/temaplan/temaplan/lix"
)

// FuzzText checks that any text, valid UTF-8 or not, is measured without a
// panic; that the counts agree with each other; that every span lies inside
// the text as Quill counts it, in order; that a very long word's span holds
// its letters; and that a document of the same text, with or without an embed
// in it, is measured alike.
func FuzzText(f *testing.F) {
	for _, s := range []string{
		"", "Vi bygger nye boliger.", "f.eks. Oslo. bl. a. 1.1.2027. 2,5 og 3.4.",
		"Mål\nVi skal:\n- bygge\r\n", "😀Kommunedelplanarbeidsgruppen…", "Kafe\u0301en?!»",
		"\xed\xa0\x80Sammenslåingsprosessene", "\xff\xfe", ". . . :A", "\uFFFC a/b–c",
	} {
		f.Add(s, uint(3))
	}
	f.Fuzz(func(t *testing.T, s string, at uint) {
		got := lix.Text(s)
		n := delta.Op{Insert: s}.Len()
		check(t, s, n, got)

		// The same text as a document measures the same.
		if doc := lix.Document(delta.Delta{Ops: []delta.Op{{Insert: s}}}); !reflect.DeepEqual(doc, got) {
			t.Fatalf("Document(%q) = %+v, Text = %+v", s, doc, got)
		}

		// With an embed between two valid pieces, spans stay inside the
		// document and the words do not grow.
		if !utf8.ValidString(s) {
			return
		}
		runes := []rune(s)
		cut := len(string(runes[:int(at%uint(len(runes)+1))]))
		d := delta.Delta{Ops: []delta.Op{
			{Insert: s[:cut]},
			{InsertEmbed: map[string]any{"image": "x"}},
			{Insert: s[cut:]},
		}}
		withEmbed := lix.Document(d)
		check(t, "", d.Length(), withEmbed)
		if withEmbed.Words < got.Words {
			t.Fatalf("an embed in %q at %d lost words: %d < %d", s, cut, withEmbed.Words, got.Words)
		}
	})
}

// check checks a Result of a text of n UTF-16 code units; when s is valid
// UTF-8 it also checks the very long words against the text.
func check(t *testing.T, s string, n int, r lix.Result) {
	t.Helper()
	if r.Words < 0 || r.LongWords < 0 || r.LongWords > r.Words || r.Sentences > r.Words ||
		(r.Words == 0) != (r.Sentences == 0) {
		t.Fatalf("%q: inconsistent counts %+v", s, r.Summary)
	}
	if math.IsNaN(r.LIX) || math.IsInf(r.LIX, 0) || r.LIX < 0 {
		t.Fatalf("%q: LIX %v", s, r.LIX)
	}
	if r.Words == 0 && (r.LIX != 0 || r.Band != lix.BandNone) {
		t.Fatalf("%q: no words but LIX %v, band %q", s, r.LIX, r.Band)
	}
	if r.LongSentences == nil || r.VeryLongWords == nil {
		t.Fatalf("%q: nil slices", s)
	}
	inside := func(what string, sp lix.Span, prevEnd int) int {
		if sp.Index < prevEnd || sp.Length <= 0 || sp.Index+sp.Length > n {
			t.Fatalf("%q: %s span %+v outside [%d, %d]", s, what, sp, prevEnd, n)
		}
		return sp.Index + sp.Length
	}
	end := 0
	for _, x := range r.LongSentences {
		if x.Words <= lix.LongSentenceWords {
			t.Fatalf("%q: sentence of %d words pointed out", s, x.Words)
		}
		end = inside("sentence", x.Span, end)
	}
	end = 0
	var units []uint16
	if s != "" && utf8.ValidString(s) {
		units = utf16.Encode([]rune(s))
	}
	for _, w := range r.VeryLongWords {
		end = inside("word", w.Span, end)
		if w.Letters <= lix.VeryLongWordLetters {
			t.Fatalf("%q: word of %d letters pointed out", s, w.Letters)
		}
		if units == nil {
			continue
		}
		letters := 0
		for _, c := range utf16.Decode(units[w.Index : w.Index+w.Length]) {
			if unicode.IsSpace(c) {
				t.Fatalf("%q: word span %+v holds a space", s, w.Span)
			}
			if unicode.IsLetter(c) {
				letters++
			}
		}
		if letters != w.Letters {
			t.Fatalf("%q: word span %+v holds %d letters, reported %d", s, w.Span, letters, w.Letters)
		}
	}
}
