package delta

import (
	"strings"
	"testing"
)

// benchDoc returns a one-paragraph document of n characters and a change
// with edits spread over it, for measuring that Compose and Transform take
// time linear in the size of their inputs.
func benchDoc(n, edits int, text string) (doc, change Delta) {
	doc = *nd().Insert(strings.Repeat(text, n/len(text)), nil).Insert("\n", nil)
	step := doc.Length() / (edits + 1)
	for range edits {
		change.Retain(step-1, nil)
		change.Insert("x", nil)
		change.Delete(1)
	}
	return doc, change
}

func BenchmarkCompose_ASCII_1MB_1000Edits(b *testing.B) {
	doc, change := benchDoc(1<<20, 1000, "abcdefgh")
	b.ReportAllocs()
	for b.Loop() {
		_ = doc.Compose(change)
	}
}

func BenchmarkCompose_NonASCII_1MB_1000Edits(b *testing.B) {
	doc, change := benchDoc(1<<20, 1000, "añ漢字😀xyz")
	b.ReportAllocs()
	for b.Loop() {
		_ = doc.Compose(change)
	}
}

func BenchmarkTransform_1000Edits(b *testing.B) {
	_, x := benchDoc(1<<20, 1000, "abcdefgh")
	_, y := benchDoc(1<<20, 999, "abcdefgh")
	b.ReportAllocs()
	for b.Loop() {
		_ = x.Transform(y, true)
	}
}

func BenchmarkValidate_1MB(b *testing.B) {
	doc, change := benchDoc(1<<20, 1000, "añ漢字xyz")
	v := mustValidator(b, Limits{})
	b.ReportAllocs()
	for b.Loop() {
		if err := v.Validate(change, doc); err != nil {
			b.Fatal(err)
		}
	}
}
