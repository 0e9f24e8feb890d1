package delta

import (
	"encoding/json"
	"testing"
)

// The fuzz targets derive a document and changes to it from the fuzzer's
// bytes (gen with a byteSource), so every input is a valid case. Run one
// with, for example:
//
//	go test -run='^$' -fuzz=FuzzTransformConvergence -fuzztime=10s ./collab/delta

func fuzzSeeds(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	f.Add([]byte("the quick brown fox jumps over the lazy dog 0123456789"))
	f.Add([]byte{3, 0, 4, 1, 200, 7, 3, 3, 3, 2, 9, 1, 1, 0, 5, 255, 254, 17, 3, 8, 2, 2, 2, 1, 0, 0, 6, 3, 1})
	f.Add([]byte{255, 255, 255, 255, 255, 255, 255, 255, 0, 0, 0, 0, 128, 128, 128, 128, 64, 64, 64, 64})
}

// fuzzGen returns a generator reading data; its first byte chooses whether
// changes keep to character boundaries.
func fuzzGen(data []byte) (*gen, bool) {
	g := &gen{src: &byteSource{data: data}, astral: true, extras: true}
	return g, g.chance(2)
}

func FuzzTransformConvergence(f *testing.F) {
	for _, p := range []bool{true, false} {
		f.Add([]byte{5, 3, 9, 2, 1, 0, 4, 4, 7, 1, 3, 2, 2, 6, 0, 1, 8}, p)
	}
	fuzzSeeds2(f)
	f.Fuzz(func(t *testing.T, data []byte, priority bool) {
		g, aligned := fuzzGen(data)
		doc := g.doc(4)
		a, b := g.change(doc, aligned), g.change(doc, aligned)
		bPrime := a.Transform(b, priority)
		aPrime := b.Transform(a, !priority)
		left, right := a.Compose(bPrime), b.Compose(aPrime)
		if !left.Equal(right) {
			t.Fatalf("a∘b' != b∘a'\ndoc %s\na   %s\nb   %s\na∘b' %s\nb∘a' %s",
				mustJSON(t, doc), mustJSON(t, a), mustJSON(t, b), mustJSON(t, left), mustJSON(t, right))
		}
		if l, r := doc.Compose(left), doc.Compose(b).Compose(aPrime); !l.Equal(r) || !l.IsDocument() {
			t.Fatalf("documents differ: %s vs %s", mustJSON(t, l), mustJSON(t, r))
		}
	})
}

// fuzzSeeds2 adds the shared seeds with both priorities.
func fuzzSeeds2(f *testing.F) {
	for _, seed := range [][]byte{{}, []byte("0123456789abcdefghij"), {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 255, 128}} {
		f.Add(seed, true)
		f.Add(seed, false)
	}
}

func FuzzComposeAssociativity(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		g, aligned := fuzzGen(data)
		doc := g.doc(4)
		a := g.change(doc, aligned)
		b := g.change(doc.Compose(a), aligned)
		c := g.change(doc.Compose(a).Compose(b), aligned)
		left := a.Compose(b).Compose(c)
		right := a.Compose(b.Compose(c))
		if !left.Equal(right) {
			t.Fatalf("(a∘b)∘c != a∘(b∘c)\ndoc %s\na %s\nb %s\nc %s\nleft  %s\nright %s",
				mustJSON(t, doc), mustJSON(t, a), mustJSON(t, b), mustJSON(t, c), mustJSON(t, left), mustJSON(t, right))
		}
		if l, r := doc.Compose(left), doc.Compose(a).Compose(b).Compose(c); !l.Equal(r) {
			t.Fatalf("documents differ: %s vs %s", mustJSON(t, l), mustJSON(t, r))
		}
	})
}

func FuzzInvertRoundTrip(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		g, aligned := fuzzGen(data)
		doc := g.doc(4)
		op := g.change(doc, aligned)
		inverted := op.Invert(doc)
		if got := doc.Compose(op).Compose(inverted); !got.Equal(doc) {
			t.Fatalf("doc∘op∘invert(op) != doc\ndoc %s\nop  %s\ninv %s\ngot %s",
				mustJSON(t, doc), mustJSON(t, op), mustJSON(t, inverted), mustJSON(t, got))
		}
		// The diff between the two documents does the same as op.
		after := doc.Compose(op)
		diff, err := doc.Diff(after)
		if err == nil && !doc.Compose(diff).Equal(after) {
			t.Fatalf("doc∘diff(doc, after) != after\ndoc   %s\nafter %s\ndiff  %s", mustJSON(t, doc), mustJSON(t, after), mustJSON(t, diff))
		}
	})
}

func FuzzUnmarshalNoPanic(f *testing.F) {
	for _, s := range []string{
		`{"ops":[]}`,
		`{"ops":[{"insert":"ab😀c\n","attributes":{"bold":true}}]}`,
		`{"ops":[{"retain":2},{"insert":"x","attributes":{"link":"https://x.y"}},{"delete":1}]}`,
		`{"ops":[{"retain":3,"attributes":{"header":null}},{"delete":2}]}`,
		`{"ops":[{"insert":{"image":"x"}},{"retain":{"delta":[{"insert":"a"}]}}]}`,
		`{"ops":[{"insert":"\ud83d"},{"retain":1.5}]}`,
		`{"ops":[{"insert":"a","insert":"b"}]}`,
		`[1,2,{"a":[[[[]]]]}]`,
		"{\"ops\":[{\"insert\":\"\xff\"}]}",
	} {
		f.Add([]byte(s))
	}
	v, err := NewValidator(DefaultWhitelist(), DefaultLimits())
	if err != nil {
		f.Fatal(err)
	}
	doc := *nd().Insert("ab😀c", A{"bold": true}).Insert("\n", A{"header": 1.0})
	f.Fuzz(func(t *testing.T, data []byte) {
		var std Delta
		_ = json.Unmarshal(data, &std)
		d, err := Parse(data)
		if err != nil {
			return
		}
		b, err := d.MarshalJSON()
		if err != nil {
			t.Fatalf("a parsed delta does not marshal: %v", err)
		}
		back, err := Parse(b)
		if err != nil || !back.Equal(d) {
			t.Fatalf("round trip: %s -> %s (%v)", data, b, err)
		}
		_ = v.ValidateDocument(d)
		if v.Validate(d, doc) == nil {
			next, err := Apply(doc, d)
			if err != nil {
				t.Fatalf("valid change does not apply: %v", err)
			}
			if err := v.ValidateDocument(next); err != nil {
				t.Fatalf("valid change makes an invalid document %s: %v", mustJSON(t, next), err)
			}
		}
		// Whatever was parsed, the operations must not panic.
		_ = d.Compose(d)
		_ = d.Transform(d, true)
		_ = d.TransformPosition(3, false)
		_ = d.Invert(doc)
		_ = d.Slice(1, 4)
		_ = d.Length() + d.ChangeLength()
		_, _ = Apply(doc, d)
		_, _ = d.Diff(doc)
	})
}
