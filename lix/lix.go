// Package lix measures how plain (klarspråk) a Norwegian text is: its LIX
// readability index, the band that index falls in, and the places an editor
// should point out — sentences of more than 25 words and words of more than
// 20 letters. The checks are informational; nothing here blocks anything.
//
// LIX (Björnsson 1968) is
//
//	LIX = words/sentences + 100 · longWords/words
//
// where a long word has more than six letters. The package reads text the
// way Quill holds it and reports every position as Quill counts it: in
// UTF-16 code units, an embed counting one.
//
// # What counts
//
// Words are separated by white space, embeds, slashes ("og/eller" is two
// words) and en or em dashes ("2024–2027" is two). Punctuation around a word
// is not part of it. Within a word:
//
//   - Letters are Unicode letters, each counted once however many bytes or
//     code units it takes (æ, ø, å, é, ŋ, š…). Combining marks, digits,
//     hyphens, apostrophes and other punctuation are not letters.
//   - A hyphenated word is one word: "KOSTRA-tall" has 10 letters and is
//     long, "e-post" has 5 and is not. A hyphen that shortens a compound
//     ("barne- og familietjenesten") is punctuation: that gives the words
//     "barne", "og" and "familietjenesten".
//   - A number ("21", "2,5", "3.4", "1.1.2027", "11-14") is a word, as it is
//     read, but has no letters and so is never long. "20-årsjubileum" has 12
//     letters.
//   - An abbreviation ("f.eks.", "bl.a.") is one word of its letters.
//
// # Where sentences end
//
// A sentence ends
//
//   - at every line break. In a Quill document every line is a block — a
//     paragraph, heading, list item or table cell — so a heading or a list
//     item without a full stop is a sentence of its own. Plain text given to
//     Text is read the same way, so hard-wrapped text should be unwrapped
//     first;
//   - at the end of the text;
//   - after ".", "…", "!" or "?" (optionally followed by closing quotes or
//     brackets) that is followed by white space, unless the next word starts
//     with a lower-case letter: "1. januar", "5 mill. kroner" and an unknown
//     abbreviation followed by running text do not end a sentence, "Det er
//     bra. Neste" does;
//   - after ":" followed by white space and a word with a capital letter (a
//     full sentence follows, as Norwegian punctuation rules write it);
//
// but never after a known abbreviation that stands before what it qualifies
// ("f.eks.", "bl.a.", "nr.", "kap.", "ca.", "jf.", "kl.", "dvs.", "pga.",
// "t.d.", "m.a."…, also written with spaces as "f. eks."), unless a line
// break or the end of the text follows. Abbreviations that often close a
// sentence ("osv.", "m.m.", "etc.", "o.l.") follow the general rule. A
// full stop inside a token — decimals "3.4", dates "1.1.2027", addresses
// "nav.no" — is never a sentence end; nor is a comma, so "2,5" is one word.
//
// A stretch with no words (a blank line, "– –") is not a sentence.
package lix

import "math"

// The thresholds of the measures.
const (
	// LongWordLetters is the number of letters a word must exceed to count
	// as long in the LIX formula.
	LongWordLetters = 6
	// VeryLongWordLetters is the number of letters a word must exceed to be
	// pointed out to the writer.
	VeryLongWordLetters = 20
	// LongSentenceWords is the number of words a sentence must exceed to be
	// pointed out (a soft warning).
	LongSentenceWords = 25
	// VeryLongSentenceWords is the number of words above which a long
	// sentence deserves a hard warning; Sentence.Words lets the editor tell.
	VeryLongSentenceWords = 50
)

// Band is the readability band a LIX value falls in, as a stable code the
// client translates.
type Band string

// The bands of the common LIX table, as half-open intervals of the exact
// (unrounded) LIX value:
//
//	LIX < 30        very_easy       svært lett (children's books)
//	30 ≤ LIX < 40   easy            lett (fiction, popular magazines)
//	40 ≤ LIX < 50   medium          middels (newspapers)
//	50 ≤ LIX < 60   difficult       vanskelig (typical official documents)
//	LIX ≥ 60        very_difficult  svært vanskelig
//
// So 39.9 is easy and 40 is medium; an editor that shows LIX rounded should
// round down (or show a decimal) to agree with the band. A text without
// words has no band (BandNone).
const (
	BandNone          Band = ""
	BandVeryEasy      Band = "very_easy"
	BandEasy          Band = "easy"
	BandMedium        Band = "medium"
	BandDifficult     Band = "difficult"
	BandVeryDifficult Band = "very_difficult"
)

// BandOf returns the band of a LIX value.
func BandOf(lix float64) Band {
	switch {
	case lix < 30:
		return BandVeryEasy
	case lix < 40:
		return BandEasy
	case lix < 50:
		return BandMedium
	case lix < 60:
		return BandDifficult
	}
	return BandVeryDifficult
}

// Label returns the band's name in Norwegian (bokmål), as the LIX table
// names it; the empty string for BandNone or an unknown band.
func (b Band) Label() string {
	switch b {
	case BandVeryEasy:
		return "svært lett"
	case BandEasy:
		return "lett"
	case BandMedium:
		return "middels"
	case BandDifficult:
		return "vanskelig"
	case BandVeryDifficult:
		return "svært vanskelig"
	}
	return ""
}

// Summary is the LIX of a text with the counts it is computed from.
type Summary struct {
	// LIX is words/sentences + 100·longWords/words, unrounded; 0 when there
	// are no words.
	LIX float64 `json:"lix"`
	// Band is the band of LIX; BandNone when there are no words.
	Band      Band `json:"band"`
	Words     int  `json:"words"`
	Sentences int  `json:"sentences"`
	// LongWords counts the words of more than LongWordLetters letters.
	LongWords int `json:"long_words"`
}

// Summarize returns the Summary of the given counts. Counts from several
// texts are added before summarizing, so that the LIX of the whole is the
// LIX of all its text, not an average of averages.
func Summarize(words, sentences, longWords int) Summary {
	s := Summary{Words: words, Sentences: sentences, LongWords: longWords}
	if words <= 0 {
		return s
	}
	// Every word lies in a sentence, so sentences ≥ 1 here; the guard
	// keeps hand-made counts from dividing by zero.
	s.LIX = float64(words)/float64(max(sentences, 1)) + 100*float64(longWords)/float64(words)
	if math.IsNaN(s.LIX) || math.IsInf(s.LIX, 0) {
		s.LIX = 0
	}
	s.Band = BandOf(s.LIX)
	return s
}

// Span is a stretch of the text: Index and Length in UTF-16 code units, as
// Quill counts (a character outside the Basic Multilingual Plane, such as
// most emoji, counts 2, an embed 1).
type Span struct {
	Index  int `json:"index"`
	Length int `json:"length"`
}

// Sentence is a sentence of more than LongSentenceWords words. Its span runs
// from its first word through its closing punctuation.
type Sentence struct {
	Span
	Words int `json:"words"`
}

// Word is a word of more than VeryLongWordLetters letters. Its span covers
// the word without the punctuation around it.
type Word struct {
	Span
	Letters int `json:"letters"`
}

// Result is the plain-language measure of one text: its LIX and what to
// point out in it, in the order they occur. The slices are never nil.
type Result struct {
	Summary
	LongSentences []Sentence `json:"long_sentences"`
	VeryLongWords []Word     `json:"very_long_words"`
}
