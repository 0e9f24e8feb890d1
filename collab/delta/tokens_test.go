package delta

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// sides rebuilds the two token lists a diff was made of.
func sides(runs []TokenRun) (a, b []string) {
	for _, r := range runs {
		if r.Op != TokenInsert {
			a = append(a, r.Tokens...)
		}
		if r.Op != TokenDelete {
			b = append(b, r.Tokens...)
		}
	}
	return a, b
}

func TestDiffTokens(t *testing.T) {
	w := strings.Fields
	for _, tc := range []struct {
		name string
		a, b []string
		want string
	}{
		{"equal", w("a b c"), w("a b c"), "=abc"},
		{"both empty", nil, nil, ""},
		{"all new", nil, w("a b"), "+ab"},
		{"all gone", w("a b"), nil, "-ab"},
		{"one word replaced", w("bygge 20 nye boliger"), w("bygge 30 nye boliger"), "=bygge -20 +30 =nyeboliger"},
		{"inserted in the middle", w("Kommunen skal bygge"), w("Kommunen skal snart bygge"), "=Kommunenskal +snart =bygge"},
		{"a short equality between two edits folds in", w("x a y"), w("p a q"), "-xay +paq"},
		{"æøå are tokens like any", w("blåbær og æsj"), w("blåbær og øl"), "=blåbærog -æsj +øl"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runs := DiffTokens(tc.a, tc.b)
			var parts []string
			for _, r := range runs {
				parts = append(parts, map[TokenOp]string{TokenEqual: "=", TokenInsert: "+", TokenDelete: "-"}[r.Op]+strings.Join(r.Tokens, ""))
			}
			if got := strings.Join(parts, " "); got != tc.want {
				t.Errorf("runs %q, want %q", got, tc.want)
			}
			a, b := sides(runs)
			if !slices.Equal(a, tc.a) || !slices.Equal(b, tc.b) {
				t.Errorf("the runs give %q and %q, not the inputs", a, b)
			}
			for i := 1; i < len(runs); i++ {
				if runs[i].Op == runs[i-1].Op {
					t.Errorf("runs %d and %d are both %d: not merged", i-1, i, runs[i].Op)
				}
			}
		})
	}
}

// TestDiffTokens_Random holds the rebuilding property on random edits of
// random texts over a small vocabulary (many repeats).
func TestDiffTokens_Random(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	vocab := []string{"bolig", " ", "æ", "ø", ".", "\n", "å", "kommune", ",", "20"}
	for i := range 500 {
		a := make([]string, r.IntN(40))
		for j := range a {
			a[j] = vocab[r.IntN(len(vocab))]
		}
		b := slices.Clone(a)
		for range r.IntN(6) {
			p := r.IntN(len(b) + 1)
			if r.IntN(2) == 0 && p < len(b) {
				b = slices.Delete(b, p, p+1)
			} else {
				b = slices.Insert(b, p, vocab[r.IntN(len(vocab))])
			}
		}
		ga, gb := sides(DiffTokens(a, b))
		if !slices.Equal(ga, a) || !slices.Equal(gb, b) {
			t.Fatalf("case %d: %q → %q rebuilt as %q → %q", i, a, b, ga, gb)
		}
	}
}

// TestDiffTokens_MoreTokensThanCodes: past the last code unit the rest
// of each text is one token, and the diff still rebuilds both sides.
func TestDiffTokens_MoreTokensThanCodes(t *testing.T) {
	n := maxTokenCodes + 5000
	a := make([]string, n)
	for i := range a {
		a[i] = fmt.Sprintf("w%d ", i)
	}
	b := slices.Clone(a)
	b[10] = "endret "
	b[n-3] = "også "
	runs := DiffTokens(a, b)
	ga, gb := sides(runs)
	if strings.Join(ga, "") != strings.Join(a, "") || strings.Join(gb, "") != strings.Join(b, "") {
		t.Fatal("the runs do not rebuild the texts")
	}
	if runs[0].Op != TokenEqual || len(runs[0].Tokens) != 10 {
		t.Fatalf("the first run is %d of %d tokens, want the 10 equal ones", runs[0].Op, len(runs[0].Tokens))
	}
}
