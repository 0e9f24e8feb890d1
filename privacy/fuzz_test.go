package privacy_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/temaplan/temaplan/collab/delta"
	"github.com/temaplan/temaplan/privacy"
)

// The fuzz targets check that the detector never panics, that every
// finding lies inside the text and quotes it, and that the counts and IDs
// are sane. Run one with, for example:
//
//	go test -tags noui -run='^$' -fuzz=FuzzFind -fuzztime=30s ./privacy

func fuzzSeeds(f *testing.F) {
	for _, tc := range sentences {
		f.Add(tc.text, tc.threshold)
	}
	for _, s := range []string{
		"", "3", "\t3\t", "1 000 000 000 000 personer", "99999999999999999999 barn",
		"færre enn", "under", "et par", "en", "12 av", "av 3 barn", "3 av 3 av 3 barn",
		"👨‍👩‍👧 3 familier 😀", "\xed\xa0\x80 3 familier", "3\xff familier", "e\u0301n familie",
		"eldre eldre eldre eldre eldre eldre eldre eldre", "3 - - - familier", "2–3–4–5 barn",
		"Barn\t\t\t3\n\t\n3\t", "3.\n", "(3", "barn (", "Storgata", "\uFFFC3 barn",
	} {
		f.Add(s, 5)
		f.Add(s, -1)
		f.Add(s, 1<<40)
	}
}

func FuzzFind(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, text string, threshold int) {
		got := privacy.Find("sec", text, threshold)
		checkFindings(t, text, threshold, got)
	})
}

// FuzzFindDoc cuts the text into inserts at '|' and gives every second
// insert's lines a table row, so that cells and rows vary.
func FuzzFindDoc(f *testing.F) {
	fuzzSeeds(f)
	f.Add("Husstander|\n|3|\n|Boliger\n", 5)
	f.Fuzz(func(t *testing.T, text string, threshold int) {
		var ops []delta.Op
		for k, part := range strings.Split(text, "|") {
			if part == "" {
				continue
			}
			op := delta.Op{Insert: part}
			if k%2 == 1 {
				op.Attributes = delta.Attributes{"table": "row-" + string(rune('a'+k%3))}
			}
			ops = append(ops, op)
		}
		got := privacy.FindDoc("sec", delta.Delta{Ops: ops}, threshold)
		checkFindings(t, strings.ReplaceAll(text, "|", ""), threshold, got)
	})
}

func checkFindings(t *testing.T, text string, threshold int, got []privacy.Finding) {
	t.Helper()
	n := delta.Op{Insert: text}.Len()
	if threshold <= 0 {
		threshold = privacy.DefaultThreshold
	}
	ids := map[string]bool{}
	last := -1
	for _, f := range got {
		if f.Index < 0 || f.Length <= 0 || f.Index+f.Length > n {
			t.Fatalf("finding %+v outside the text of length %d", f, n)
		}
		if f.Index < last {
			t.Fatalf("findings out of order: %+v", got)
		}
		last = f.Index
		if f.Count < 1 || f.Count >= threshold {
			t.Fatalf("finding %+v: count outside [1, %d)", f, threshold)
		}
		if ids[f.ID] {
			t.Fatalf("ID %s twice in %+v", f.ID, got)
		}
		ids[f.ID] = true
		if f.Word == "" || !strings.Contains(text, f.Word) || !strings.Contains(text, f.Quote) {
			t.Fatalf("finding %+v: quote or word not in the text", f)
		}
		if utf8.ValidString(text) {
			if q := utf16Slice(text, f.Index, f.Index+f.Length); q != f.Quote {
				t.Fatalf("text at %d+%d is %q, quote %q", f.Index, f.Length, q, f.Quote)
			}
		}
	}
}
