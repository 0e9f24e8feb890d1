package lix

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/temaplan/temaplan/collab/delta"
)

// objectReplacement stands for an embed: a separator that is neither a word
// nor white space.
const objectReplacement = '\uFFFC'

// char is one character of the text with its place in UTF-16 code units.
type char struct {
	r     rune
	pos   int // UTF-16 index of the character
	units int // 1, or 2 outside the Basic Multilingual Plane
}

func (c char) end() int { return c.pos + c.units }

// appendText appends the characters of s, starting at UTF-16 index pos, and
// returns the index after them. Text in a delta is WTF-8 (a lone surrogate
// is held in its three-byte form) and counts as delta.Op.Len counts it: a
// lone surrogate or an invalid byte is one unit and no letter.
func appendText(cs []char, s string, pos int) ([]char, int) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 && isSurrogateWTF8(s[i:]) {
			size = 3
		}
		units := 1
		if r >= 0x10000 {
			units = 2
		}
		cs = append(cs, char{r: r, pos: pos, units: units})
		pos += units
		i += size
	}
	return cs, pos
}

// isSurrogateWTF8 reports whether s starts with the WTF-8 form of a lone
// surrogate (ED A0..BF 80..BF), which the delta package allows in text.
func isSurrogateWTF8(s string) bool {
	return len(s) >= 3 && s[0] == 0xED && s[1] >= 0xA0 && s[1] <= 0xBF && s[2] >= 0x80 && s[2] <= 0xBF
}

// documentChars returns the characters of a Quill document: its text
// inserts, and each embed as one objectReplacement. Ops other than inserts
// do not occur in a document and are skipped.
func documentChars(doc delta.Delta) []char {
	var cs []char
	pos := 0
	for _, op := range doc.Ops {
		if op.Type() != delta.OpInsert {
			continue
		}
		if op.InsertEmbed != nil {
			cs = append(cs, char{r: objectReplacement, pos: pos, units: 1})
			pos++
			continue
		}
		cs, pos = appendText(cs, op.Insert, pos)
	}
	return cs
}

func isLineBreak(r rune) bool {
	switch r {
	case '\n', '\r', '\v', '\f', '\u0085', '\u2028', '\u2029':
		return true
	}
	return false
}

// isSeparator reports whether r separates chunks: white space or an embed.
func isSeparator(r rune) bool { return r == objectReplacement || unicode.IsSpace(r) }

// isPieceSeparator reports whether r splits a chunk into words: a slash or
// a dash that is not a hyphen.
func isPieceSeparator(r rune) bool {
	switch r {
	case '/', '\\', '\u2012', '\u2013', '\u2014', '\u2015':
		return true
	}
	return false
}

func isAlnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }

// isCloser reports whether r may follow a sentence's closing punctuation.
func isCloser(r rune) bool {
	switch r {
	case ')', ']', '}', '»', '"', '\'', '”', '’', '›':
		return true
	}
	return false
}

// sentence is the sentence being read.
type sentence struct {
	start int // UTF-16 index of its first word
	end   int // UTF-16 index after its last chunk
	words int
}

// analyzer counts words and sentences and collects what to point out.
type analyzer struct {
	words, sentences, longWords int
	cur                         sentence
	res                         Result
}

// analyze measures the characters of one text.
func analyze(cs []char) Result {
	a := analyzer{res: Result{LongSentences: []Sentence{}, VeryLongWords: []Word{}}}
	next := nextAlnumOrBreak(cs)
	var prev []char // the chunk before, when on the same line
	for i := 0; i < len(cs); {
		if isSeparator(cs[i].r) {
			if isLineBreak(cs[i].r) {
				a.closeSentence()
				prev = nil
			}
			i++
			continue
		}
		j := i
		for j < len(cs) && !isSeparator(cs[j].r) {
			j++
		}
		chunk := cs[i:j]
		a.chunk(chunk)
		if endsSentence(chunk, prev, cs, next[j]) {
			a.closeSentence()
		}
		prev = chunk
		i = j
	}
	a.closeSentence()
	a.res.Summary = Summarize(a.words, a.sentences, a.longWords)
	return a.res
}

// nextAlnumOrBreak returns, for every index i up to len(cs), the index of
// the first letter, digit or line break at or after i, or len(cs). It lets
// each full stop look at the next word in constant time.
func nextAlnumOrBreak(cs []char) []int {
	next := make([]int, len(cs)+1)
	next[len(cs)] = len(cs)
	for i := len(cs) - 1; i >= 0; i-- {
		if r := cs[i].r; isAlnum(r) || isLineBreak(r) {
			next[i] = i
		} else {
			next[i] = next[i+1]
		}
	}
	return next
}

// chunk reads the words of a run of characters between separators.
func (a *analyzer) chunk(chunk []char) {
	for start := 0; start < len(chunk); {
		end := start
		for end < len(chunk) && !isPieceSeparator(chunk[end].r) {
			end++
		}
		a.word(chunk[start:end])
		start = end + 1
	}
	if a.cur.words > 0 {
		a.cur.end = chunk[len(chunk)-1].end()
	}
}

// word reads the word in piece, if it has one: the characters from its
// first letter or digit through its last letter, digit or combining mark.
func (a *analyzer) word(piece []char) {
	first, last, letters := -1, -1, 0
	for i, c := range piece {
		switch {
		case isAlnum(c.r):
			if first < 0 {
				first = i
			}
			last = i
			if unicode.IsLetter(c.r) {
				letters++
			}
		case unicode.IsMark(c.r) && last == i-1 && last >= 0:
			last = i
		}
	}
	if first < 0 {
		return
	}
	if a.cur.words == 0 {
		a.cur.start = piece[first].pos
	}
	a.cur.words++
	a.words++
	if letters > LongWordLetters {
		a.longWords++
	}
	if letters > VeryLongWordLetters {
		start := piece[first].pos
		a.res.VeryLongWords = append(a.res.VeryLongWords, Word{
			Span:    Span{Index: start, Length: piece[last].end() - start},
			Letters: letters,
		})
	}
}

// closeSentence ends the current sentence, if it has words.
func (a *analyzer) closeSentence() {
	if a.cur.words == 0 {
		return
	}
	a.sentences++
	if a.cur.words > LongSentenceWords {
		a.res.LongSentences = append(a.res.LongSentences, Sentence{
			Span:  Span{Index: a.cur.start, Length: a.cur.end - a.cur.start},
			Words: a.cur.words,
		})
	}
	a.cur = sentence{}
}

// endsSentence reports whether a sentence ends at the closing punctuation of
// chunk, given the chunk before it on the same line (or nil) and the index
// in cs of the next letter, digit or line break after it. See the package
// comment for the rules.
func endsSentence(chunk, prev, cs []char, next int) bool {
	if next == len(cs) || isLineBreak(cs[next].r) {
		// The line or the text ends after what is left; analyze closes the
		// sentence there, with any punctuation that trails it.
		return false
	}
	k := len(chunk)
	for k > 0 && isCloser(chunk[k-1].r) {
		k--
	}
	if k == 0 {
		return false
	}
	nextLower := unicode.IsLower(cs[next].r)
	switch chunk[k-1].r {
	case '!', '?', '…', '‼', '⁇', '⁈', '⁉':
		return !nextLower
	case ':':
		return unicode.IsUpper(cs[next].r) || unicode.IsTitle(cs[next].r)
	case '.':
		return !nextLower && !isAbbreviation(chunk[:k], prev)
	}
	return false
}

// isAbbreviation reports whether the chunk, which ends in a full stop, ends
// in an abbreviation that never ends a sentence, alone or together with the
// chunk before it ("f. eks.").
func isAbbreviation(chunk, prev []char) bool {
	last := lastToken(chunk)
	if last == "" {
		return false
	}
	if neverFinal(last) {
		return true
	}
	if prev == nil {
		return false
	}
	p := lastToken(prev)
	return p != "" && strings.HasSuffix(p, ".") && neverFinal(p+last)
}

// lastToken returns the last piece of chunk in lower case, without the
// punctuation before its first letter or digit and the closers after it.
func lastToken(chunk []char) string {
	k := len(chunk)
	for k > 0 && isCloser(chunk[k-1].r) {
		k--
	}
	start := k
	for start > 0 && !isPieceSeparator(chunk[start-1].r) {
		start--
	}
	for start < k && !isAlnum(chunk[start].r) {
		start++
	}
	if start == k || k-start > 16 {
		return "" // no abbreviation is this long
	}
	var b strings.Builder
	for _, c := range chunk[start:k] {
		b.WriteRune(unicode.ToLower(c.r))
	}
	return b.String()
}
