package main

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/temaplan/temaplan/collab/delta"
)

// TestTypist_EditsAreValid types thousands of edits and checks that the
// server's validator accepts each on the text it was made for, that the
// final newline survives and that all kinds of edits occur.
func TestTypist_EditsAreValid(t *testing.T) {
	check, err := delta.NewValidator(delta.DefaultWhitelist(), delta.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	for _, start := range []string{"", "\n", "Innledning\n"} {
		var doc delta.Delta
		doc.Insert(start, nil)
		typist := NewTypist(rand.New(rand.NewPCG(1, 2)))
		kinds := map[string]int{}
		for i := range 5000 {
			op := typist.Edit(doc)
			if err := check.Validate(op, doc); err != nil {
				b, _ := op.MarshalJSON()
				t.Fatalf("start %q, edit %d: %s is invalid: %v", start, i, b, err)
			}
			for _, o := range op.Ops {
				switch {
				case o.Delete > 0:
					kinds["delete"]++
				case o.Retain > 0 && o.Attributes != nil:
					kinds["format"]++
				case o.Insert != "":
					kinds["insert"]++
					if strings.Contains(o.Insert, "🙂") {
						kinds["emoji"]++
					}
				}
			}
			if doc, err = delta.Apply(doc, op); err != nil {
				t.Fatalf("start %q, edit %d does not apply: %v", start, i, err)
			}
		}
		if start != "" && !endsWithNewline(doc) {
			t.Errorf("start %q: the final newline was removed", start)
		}
		for _, k := range []string{"insert", "delete", "format", "emoji"} {
			if kinds[k] == 0 {
				t.Errorf("start %q: no %s in 5000 edits (%v)", start, k, kinds)
			}
		}
	}
}

func TestBoundaries_SkipSurrogateHalves(t *testing.T) {
	var doc delta.Delta
	doc.Insert("a🙂", nil).Insert("ø\n", delta.Attributes{"bold": true})
	got := boundaries(doc)
	want := []int{0, 1, 3, 4, 5}
	if len(got) != len(want) {
		t.Fatalf("boundaries = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("boundaries = %v, want %v", got, want)
		}
	}
}
