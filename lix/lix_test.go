package lix_test

import (
	"math"
	"strings"
	"testing"

	"github.com/temaplan/temaplan/collab/delta"
	"github.com/temaplan/temaplan/lix"
)

// closeTo reports whether two LIX values agree to rounding error.
func closeTo(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// TestText_LIXByHand checks LIX against values worked out by hand. Each
// comment lists the words with their letter counts (L marks a long word,
// more than 6 letters) and the arithmetic.
func TestText_LIXByHand(t *testing.T) {
	tests := []struct {
		name                        string
		text                        string
		words, sentences, longWords int
		lix                         float64
		band                        lix.Band
	}{
		{
			// Vi(2) bygger(6) nye(3) boliger(7 L): 4 words, 1 sentence, 1 long.
			// 4/1 + 100·1/4 = 4 + 25 = 29
			name: "one sentence", text: "Vi bygger nye boliger.",
			words: 4, sentences: 1, longWords: 1, lix: 29, band: lix.BandVeryEasy,
		},
		{
			// Kommunen(8 L) skal(4) sikre(5) gode(4) boliger(7 L) | Alle(4)
			// skal(4) bo(2) trygt(5): 9 words, 2 sentences, 2 long.
			// 9/2 + 100·2/9 = 4.5 + 22.222… = 26.722…
			name: "two sentences", text: "Kommunen skal sikre gode boliger. Alle skal bo trygt.",
			words: 9, sentences: 2, longWords: 2, lix: 9.0/2 + 200.0/9, band: lix.BandVeryEasy,
		},
		{
			// Tiltaket(8 L) gjelder(7 L) f.eks.(4) Oslo(4) og(2) Bergen(6):
			// 6 words, 1 sentence (no end after "f.eks."), 2 long.
			// 6/1 + 100·2/6 = 6 + 33.333… = 39.333…
			name: "abbreviation before a capital", text: "Tiltaket gjelder f.eks. Oslo og Bergen.",
			words: 6, sentences: 1, longWords: 2, lix: 6 + 200.0/6, band: lix.BandEasy,
		},
		{
			// Mål(3) | Vi(2) skal(4) bygge(5) flere(5) utleieboliger(13 L):
			// the heading line is a sentence: 6 words, 2 sentences, 1 long.
			// 6/2 + 100·1/6 = 3 + 16.667 = 19.667
			name: "heading line", text: "Mål\nVi skal bygge flere utleieboliger.\n",
			words: 6, sentences: 2, longWords: 1, lix: 3 + 100.0/6, band: lix.BandVeryEasy,
		},
		{
			// Fristen(7 L) er(2) 1.1.2027(0) og(2) kostnaden(9 L) er(2)
			// 2,5(0) millioner(9 L): numbers are words without letters;
			// 8 words, 1 sentence, 3 long. 8/1 + 100·3/8 = 8 + 37.5 = 45.5
			name: "date and decimal", text: "Fristen er 1.1.2027 og kostnaden er 2,5 millioner.",
			words: 8, sentences: 1, longWords: 3, lix: 45.5, band: lix.BandMedium,
		},
		{
			// Sosialtjenesten(15 L) og(2) boligkontoret(13 L) samarbeider(11 L)
			// om(2) startlån(8 L): 6 words, 1 sentence, 4 long.
			// 6/1 + 100·4/6 = 6 + 66.667 = 72.667
			name: "long words", text: "Sosialtjenesten og boligkontoret samarbeider om startlån.",
			words: 6, sentences: 1, longWords: 4, lix: 6 + 400.0/6, band: lix.BandVeryDifficult,
		},
		{
			// Blåbær(6, 8 bytes) og(2) større(6, 7 bytes) øvelser(7 L): letters,
			// not bytes, are counted: 4 words, 1 sentence, 1 long.
			// 4/1 + 100·1/4 = 29 (counting bytes would give 4 + 75 = 79)
			name: "Norwegian letters count once", text: "Blåbær og større øvelser.",
			words: 4, sentences: 1, longWords: 1, lix: 29, band: lix.BandVeryEasy,
		},
		{
			// Huset(5) er(2) hvitt(5) og(2) rommet(6) er(2) stort(5): six
			// letters is not long. 7 words, 1 sentence, 0 long. 7/1 + 0 = 7
			name: "six letters is not long", text: "Huset er hvitt og rommet er stort.",
			words: 7, sentences: 1, longWords: 0, lix: 7, band: lix.BandVeryEasy,
		},
		{
			// Hva(3) trenger(7 L) du(2) | Ring(4) oss(3) i(1) dag(3) | Vi(2)
			// hjelper(7 L) deg(3): 10 words, 3 sentences, 2 long.
			// 10/3 + 100·2/10 = 3.333 + 20 = 23.333
			name: "question and exclamation", text: "Hva trenger du? Ring oss i dag! Vi hjelper deg.",
			words: 10, sentences: 3, longWords: 2, lix: 10.0/3 + 20, band: lix.BandVeryEasy,
		},
		{
			// KOSTRA-tall(10 L) og(2) e-post(5) brukes(6): a hyphenated word
			// is one word of its letters. 4 words, 1 sentence, 1 long. 4 + 25 = 29
			name: "hyphenated words", text: "KOSTRA-tall og e-post brukes.",
			words: 4, sentences: 1, longWords: 1, lix: 29, band: lix.BandVeryEasy,
		},
		{
			// Barn(4) og(2) eller(5) unge(4) | 2024(0) 2027(0) | barne(5) og(2)
			// familietjenesten(16 L): slashes and dashes split words, a hanging
			// hyphen is punctuation. 9 words, 1 sentence, 1 long.
			// 9/1 + 100·1/9 = 9 + 11.111 = 20.111
			name: "slash, dash and hanging hyphen", text: "Barn og/eller unge 2024–2027 barne- og familietjenesten.",
			words: 9, sentences: 1, longWords: 1, lix: 9 + 100.0/9, band: lix.BandVeryEasy,
		},
		{
			// Vi(2) har(3) tre(3) mål(3) | Vi(2) skal(4) bygge(5) boliger(7 L):
			// a colon before a capital ends a sentence. 8 words, 2 sentences,
			// 1 long. 8/2 + 100·1/8 = 4 + 12.5 = 16.5
			name: "colon before a full sentence", text: "Vi har tre mål: Vi skal bygge boliger.",
			words: 8, sentences: 2, longWords: 1, lix: 16.5, band: lix.BandVeryEasy,
		},
		{
			// 40 words of 3 letters in one sentence: 40/1 + 0 = 40, exactly
			// the lower bound of "middels".
			name: "band boundary", text: strings.Repeat("ord ", 39) + "ord.",
			words: 40, sentences: 1, longWords: 0, lix: 40, band: lix.BandMedium,
		},
		{
			// Planen(6) skal(4) revideres(9 L) hvert(5) fjerde(6) år(2) | Den(3)
			// følger(6) opp(3) kommuneplanens(14 L) samfunnsdel(11 L): 11 words,
			// 2 sentences, 3 long. 11/2 + 100·3/11 = 5.5 + 27.273 = 32.773
			name: "official prose", text: "Planen skal revideres hvert fjerde år. Den følger opp kommuneplanens samfunnsdel.",
			words: 11, sentences: 2, longWords: 3, lix: 5.5 + 300.0/11, band: lix.BandEasy,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := lix.Text(tt.text)
			if got.Words != tt.words || got.Sentences != tt.sentences || got.LongWords != tt.longWords {
				t.Errorf("counts = %d words, %d sentences, %d long; want %d, %d, %d",
					got.Words, got.Sentences, got.LongWords, tt.words, tt.sentences, tt.longWords)
			}
			if !closeTo(got.LIX, tt.lix) {
				t.Errorf("LIX = %v, want %v", got.LIX, tt.lix)
			}
			if got.Band != tt.band {
				t.Errorf("band = %q, want %q", got.Band, tt.band)
			}
		})
	}
}

// TestText_SentenceEnds checks that abbreviations, ordinals, decimals and
// dates do not end sentences, and that real ends do.
func TestText_SentenceEnds(t *testing.T) {
	tests := []struct {
		text      string
		sentences int
	}{
		{"Se bl.a. Husbanken sine sider.", 1},
		{"Se bl. a. Husbanken sine sider.", 1},
		{"Vi har f. eks. Oslo og Bergen.", 1},
		{"F.eks. Oslo har mange.", 1},
		{"Se kap. 3 og nr. 5 i planen.", 1},
		{"Det koster ca. 2 millioner kroner.", 1},
		{"Jf. Plan- og bygningsloven § 11-14 gjelder dette.", 1},
		{"Dette gjeld t.d. Oslo og m.a. Bergen.", 1},
		{"Vi bruker dvs. Husbankens regler, pga. Krav fra staten.", 1},
		{"Møtet er kl. 10 i morgen.", 1},
		{"Møtet er kl. 10. Alle er velkomne.", 2},
		{"Møtet er 1. januar 2027.", 1},
		{"Frist 1.1.2027. Da starter arbeidet.", 2},
		{"Prisen steg fra 3.4 til 2,5 i fjor. Det er mye.", 2},
		{"Det var i 2020. 2021 ble bedre.", 2},
		{"Kostnaden er 5 mill. kroner.", 1},
		{"Kostnaden er 5 mill. Det er mye.", 2},
		{"Vi trenger boliger, barnehager osv. Neste år bygger vi skoler.", 2},
		{"Vi trenger boliger, barnehager osv. og skoler.", 1},
		{"Se www.nav.no for mer informasjon.", 1},
		{"«Hvorfor?» spurte hun.", 1},
		{"«Hvorfor?» Det vet ingen.", 2},
		{"Hei! Hvordan går det?", 2},
		{"(Se kap. 3.) Neste setning følger.", 2},
		{"Tiltak: bygge boliger.", 1},
		{"Vent… Nå kommer det.", 2},
		{"Dette er slutt", 1},
		{"Slutt på linjen med nr.\nNeste linje", 2},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := lix.Text(tt.text).Sentences; got != tt.sentences {
				t.Errorf("Text(%q).Sentences = %d, want %d", tt.text, got, tt.sentences)
			}
		})
	}
}

// TestText_LineBreaksEndSentences checks that headings and list lines without
// a full stop are sentences of their own.
func TestText_LineBreaksEndSentences(t *testing.T) {
	tests := []struct {
		name             string
		text             string
		words, sentences int
	}{
		{"heading before prose", "Innledning\nPlanen gjelder for hele kommunen.", 6, 2},
		{"list lines", "Tiltak\nBygge boliger\nKjøpe tomter\n", 5, 3},
		{"blank lines are not sentences", "Hei.\n\n\nHå.\n", 2, 2},
		{"CRLF", "Mål\r\nVi bygger.\r\n", 3, 2},
		{"list item ending in a colon", "Vi skal:\n- bygge\n- kjøpe", 4, 3},
		{"abbreviation at the end of a line", "Se kap.\nNeste", 3, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := lix.Text(tt.text)
			if got.Words != tt.words || got.Sentences != tt.sentences {
				t.Errorf("Text(%q) = %d words, %d sentences; want %d, %d",
					tt.text, got.Words, got.Sentences, tt.words, tt.sentences)
			}
		})
	}
}

// TestDocument_HeadingsAndLists reads a Quill document whose heading and list
// items end in attributed newlines.
func TestDocument_HeadingsAndLists(t *testing.T) {
	var d delta.Delta
	d.Insert("Mål", nil).
		Insert("\n", delta.Attributes{"header": 1}).
		Insert("Flere boliger", nil).
		Insert("\n", delta.Attributes{"list": "bullet"}).
		Insert("Bedre tjenester", nil).
		Insert("\n", delta.Attributes{"list": "bullet"}).
		Insert("Vi skal nå målene.\n", nil)
	// Mål(3) | Flere(5) boliger(7 L) | Bedre(5) tjenester(9 L) | Vi(2) skal(4)
	// nå(2) målene(6): 9 words, 4 sentences, 2 long.
	// 9/4 + 100·2/9 = 2.25 + 22.222 = 24.472
	got := lix.Document(d)
	if got.Words != 9 || got.Sentences != 4 || got.LongWords != 2 {
		t.Fatalf("counts = %d, %d, %d; want 9, 4, 2", got.Words, got.Sentences, got.LongWords)
	}
	if want := 9.0/4 + 200.0/9; !closeTo(got.LIX, want) {
		t.Errorf("LIX = %v, want %v", got.LIX, want)
	}
}

// TestText_Positions checks the UTF-16 spans of very long words and long
// sentences.
func TestText_Positions(t *testing.T) {
	const long = "Kommunedelplanarbeidsgruppen" // 28 letters
	tests := []struct {
		name  string
		text  string
		words []lix.Word
	}{
		{
			// 😀 is two UTF-16 code units, the space one: the word starts at 3.
			name: "emoji before the word", text: "😀 " + long + " møtes.",
			words: []lix.Word{{Span: lix.Span{Index: 3, Length: 28}, Letters: 28}},
		},
		{
			// « (1) 😀 (2): the emoji is not part of the word; » is not either.
			name: "emoji glued to the word", text: "«😀" + long + "» møtes.",
			words: []lix.Word{{Span: lix.Span{Index: 3, Length: 28}, Letters: 28}},
		},
		{
			// æ, ø and å are one unit each; 𝔸 (U+1D538) is two.
			name: "letters before", text: "Vår 𝔸 " + long + ".",
			words: []lix.Word{{Span: lix.Span{Index: 7, Length: 28}, Letters: 28}},
		},
		{
			// The Norwegian letters inside the word count once each:
			// Sammenslåingsprosessene has 23 letters and 23 code units.
			name: "Norwegian letters inside", text: "Sammenslåingsprosessene",
			words: []lix.Word{{Span: lix.Span{Index: 0, Length: 23}, Letters: 23}},
		},
		{
			// A combining acute accent is part of the word but no letter:
			// "Kafe\u0301en" has 6 letters in 7 units, so it is not long.
			name: "combining mark", text: "Kafe\u0301en",
		},
		{
			// A 21-letter word is pointed out, a 20-letter word is not.
			name: "twenty letters", text: strings.Repeat("a", 20) + " " + strings.Repeat("b", 21),
			words: []lix.Word{{Span: lix.Span{Index: 21, Length: 21}, Letters: 21}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := lix.Text(tt.text).VeryLongWords
			if len(got) != len(tt.words) {
				t.Fatalf("VeryLongWords = %+v, want %+v", got, tt.words)
			}
			for i := range got {
				if got[i] != tt.words[i] {
					t.Errorf("VeryLongWords[%d] = %+v, want %+v", i, got[i], tt.words[i])
				}
			}
		})
	}
}

// TestText_LongSentences checks which sentences are pointed out and where.
func TestText_LongSentences(t *testing.T) {
	// words returns a sentence of n words of 3 letters, with a capital.
	words := func(n int) string { return "Ord" + strings.Repeat(" ord", n-1) }
	// "Kort. " is 6 units; 😀 and a space add 3; the sentence of 26 words of
	// 3 letters with 25 spaces and a full stop is 26·3 + 25 + 1 = 104 units.
	text := "Kort. 😀 " + words(26) + ". " + words(25) + "."
	got := lix.Text(text)
	want := []lix.Sentence{{Span: lix.Span{Index: 9, Length: 104}, Words: 26}}
	if len(got.LongSentences) != 1 || got.LongSentences[0] != want[0] {
		t.Fatalf("LongSentences = %+v, want %+v", got.LongSentences, want)
	}
	if got.Sentences != 3 || got.Words != 1+26+25 {
		t.Errorf("counts = %d words, %d sentences; want 52, 3", got.Words, got.Sentences)
	}

	// A list line without a full stop ends at its last word.
	got = lix.Text(words(30) + "\nNeste.")
	want = []lix.Sentence{{Span: lix.Span{Index: 0, Length: 30*3 + 29}, Words: 30}}
	if len(got.LongSentences) != 1 || got.LongSentences[0] != want[0] {
		t.Errorf("LongSentences = %+v, want %+v", got.LongSentences, want)
	}
}

// TestDocument_Embeds checks that an embed counts one unit and is no word.
func TestDocument_Embeds(t *testing.T) {
	var d delta.Delta
	d.Insert("Se ", nil).
		InsertEmbed(map[string]any{"image": "https://example.org/kart.png"}, nil).
		Insert(" Kommunedelplanarbeidsgruppen.\n", nil)
	got := lix.Document(d)
	if got.Words != 2 || got.Sentences != 1 || got.LongWords != 1 {
		t.Errorf("counts = %d, %d, %d; want 2, 1, 1", got.Words, got.Sentences, got.LongWords)
	}
	// S(0) e(1) space(2) embed(3) space(4): the word starts at 5.
	want := lix.Word{Span: lix.Span{Index: 5, Length: 28}, Letters: 28}
	if len(got.VeryLongWords) != 1 || got.VeryLongWords[0] != want {
		t.Errorf("VeryLongWords = %+v, want %+v", got.VeryLongWords, want)
	}

	// An embed between letters separates two words.
	var e delta.Delta
	e.Insert("Bolig", nil).InsertEmbed(map[string]any{"formula": "x"}, nil).Insert("politikk\n", nil)
	if got := lix.Document(e); got.Words != 2 || got.LongWords != 1 {
		t.Errorf("embed inside a word: %d words, %d long; want 2, 1", got.Words, got.LongWords)
	}
}

// TestText_Empty checks that text without words gives LIX 0, zero counts and
// no band, without dividing by zero.
func TestText_Empty(t *testing.T) {
	for _, text := range []string{"", " ", "\n\n", "...!?", "– – –", "😀", "\uFFFC"} {
		got := lix.Text(text)
		if got.Summary != (lix.Summary{}) {
			t.Errorf("Text(%q).Summary = %+v, want zero", text, got.Summary)
		}
		if got.LongSentences == nil || got.VeryLongWords == nil {
			t.Errorf("Text(%q): nil slices", text)
		}
	}
	if got := lix.Document(delta.Delta{}); got.Summary != (lix.Summary{}) {
		t.Errorf("Document(empty).Summary = %+v, want zero", got.Summary)
	}
	if got := lix.Summarize(0, 0, 0); got != (lix.Summary{}) {
		t.Errorf("Summarize(0, 0, 0) = %+v, want zero", got)
	}
	if got := lix.Summarize(3, 0, 0); got.LIX != 3 {
		t.Errorf("Summarize(3, 0, 0).LIX = %v, want 3 (sentences taken as 1)", got.LIX)
	}
}

// TestPlan_LIXOfAllText checks that a plan's LIX is that of its text taken
// together, not the average of its sections' LIX.
func TestPlan_LIXOfAllText(t *testing.T) {
	var a, b delta.Delta
	a.Insert("Vi bygger nye boliger.\n", nil)                                    // 4 words, 1 sentence, 1 long: LIX 29
	b.Insert("Sosialtjenesten og boligkontoret samarbeider om startlån.\n", nil) // 6, 1, 4: LIX 72.667
	got := lix.Plan(a, b)
	// Together: 10 words, 2 sentences, 5 long. 10/2 + 100·5/10 = 5 + 50 = 55.
	// The average of the sections' LIX would be (29 + 72.667)/2 = 50.833.
	if got.Words != 10 || got.Sentences != 2 || got.LongWords != 5 {
		t.Errorf("counts = %d, %d, %d; want 10, 2, 5", got.Words, got.Sentences, got.LongWords)
	}
	if !closeTo(got.LIX, 55) || got.Band != lix.BandDifficult {
		t.Errorf("LIX = %v (%s), want 55 (difficult)", got.LIX, got.Band)
	}
	if len(got.Sections) != 2 || !closeTo(got.Sections[0].LIX, 29) || !closeTo(got.Sections[1].LIX, 6+400.0/6) {
		t.Errorf("Sections = %+v", got.Sections)
	}

	empty := lix.Plan()
	if empty.Summary != (lix.Summary{}) || empty.Sections == nil {
		t.Errorf("Plan() = %+v, want a zero summary and no sections", empty)
	}
}

// TestBandOf checks the band boundaries of the LIX table.
func TestBandOf(t *testing.T) {
	tests := []struct {
		lix   float64
		band  lix.Band
		label string
	}{
		{0, lix.BandVeryEasy, "svært lett"},
		{29.99, lix.BandVeryEasy, "svært lett"},
		{30, lix.BandEasy, "lett"},
		{39.99, lix.BandEasy, "lett"},
		{40, lix.BandMedium, "middels"},
		{49.99, lix.BandMedium, "middels"},
		{50, lix.BandDifficult, "vanskelig"},
		{59.99, lix.BandDifficult, "vanskelig"},
		{60, lix.BandVeryDifficult, "svært vanskelig"},
		{95, lix.BandVeryDifficult, "svært vanskelig"},
	}
	for _, tt := range tests {
		if got := lix.BandOf(tt.lix); got != tt.band || got.Label() != tt.label {
			t.Errorf("BandOf(%v) = %q (%q), want %q (%q)", tt.lix, got, got.Label(), tt.band, tt.label)
		}
	}
	if lix.BandNone.Label() != "" {
		t.Errorf("BandNone.Label() = %q, want empty", lix.BandNone.Label())
	}
}
