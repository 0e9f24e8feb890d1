package delta_test

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/temaplan/temaplan/collab/delta"
)

// TestGathered_SameAsApplyingEachOp feeds a Gathered and delta.Apply the same
// random changes — inserts, deletes, formats, and changes that do not fit —
// and compares the documents and the refusals after every one.
func TestGathered_SameAsApplyingEachOp(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	var start delta.Delta
	start.Insert("Boligplan for Demo kommune\n", nil)
	want := start
	got := delta.Gather(start)
	refused := 0
	for i := range 2000 {
		n := want.Length()
		var op delta.Delta
		at := r.IntN(n + 1)
		if at > 0 {
			op.Retain(at, nil)
		}
		switch k := r.IntN(10); {
		case k < 6:
			op.Insert([]string{"a", "øy", "Bodø ", "\n", "boliger"}[r.IntN(5)], nil)
		case k < 8 && at < n:
			op.Delete(1 + r.IntN(min(3, n-at)))
		case k < 9 && at < n:
			op.Retain(1, delta.Attributes{"bold": true})
		default:
			op.Retain(n-at+1+r.IntN(3), nil) // past the end: refused
		}
		next, wantErr := delta.Apply(want, op)
		var gotErr error
		got, gotErr = got.Apply(op)
		if (wantErr == nil) != (gotErr == nil) {
			t.Fatalf("op %d %v: Apply err %v, text err %v", i, op, wantErr, gotErr)
		}
		if wantErr != nil {
			refused++
			continue
		}
		want = next
		if got.Length() != want.Length() {
			t.Fatalf("op %d: length %d, want %d", i, got.Length(), want.Length())
		}
		if i%97 == 0 {
			if g := got.Doc(); !reflect.DeepEqual(g, want) {
				t.Fatalf("op %d: text %v, want %v", i, g, want)
			}
		}
	}
	if g := got.Doc(); !reflect.DeepEqual(g, want) {
		t.Fatalf("end: text %v, want %v", g, want)
	}
	if refused == 0 {
		t.Fatal("no change was refused: the test does not cover refusals")
	}
}
