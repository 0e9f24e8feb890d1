package privacy

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokKind is what a token is.
type tokKind uint8

const (
	tWord  tokKind = iota // letters, possibly joined by hyphens: "barne-familier"
	tNum                  // ASCII digits, possibly in groups of a thousand: "1 200"
	tPunct                // any other character but white space, one per token
	tCell                 // the border between two cells of a table row
	tLine                 // a line break: nothing is read across it
)

// token is a word, a number, a sign or a break of the text, with where it
// is in bytes and in UTF-16 code units.
type token struct {
	kind   tokKind
	b0, b1 int    // byte offsets in the text
	u0, u1 int    // UTF-16 offsets in the text, as Quill counts
	low    string // words: lower case, "e"+U+0301 as "é"; signs: the sign
	upper  bool   // words: starts with an upper-case letter
	space  bool   // white space, a cell border or a line break comes before it
	dash   bool   // words: a hyphen follows directly ("familie- og")
	val    int    // numbers: the value, or tooLarge
	bad    bool   // numbers: not a whole count (decimal, date, time, "3-roms", "E6")
	line   int    // the index of its line
}

// tooLarge stands for a number too long to be a small count.
const tooLarge = 1 << 30

// line is a run of tokens between two line breaks; a table row in a Quill
// document is one line, its cells separated by tCell tokens.
type line struct {
	first, end int  // token indexes [first, end)
	row        bool // a table row: a Quill table line, or a line with a tab
}

// next decodes the character at the start of s: its rune (utf8.RuneError
// for an invalid byte or a lone surrogate), its size in bytes and its length
// in UTF-16 code units. It counts as collab/delta does: a lone surrogate in
// WTF-8 (ED A0..BF 80..BF) is one unit of three bytes, an invalid byte is one
// unit, a rune outside the Basic Multilingual Plane is two.
func next(s string) (r rune, size, units int) {
	if s[0] < utf8.RuneSelf {
		return rune(s[0]), 1, 1
	}
	if len(s) >= 3 && s[0] == 0xED && s[1] >= 0xA0 && s[1] <= 0xBF && s[2] >= 0x80 && s[2] <= 0xBF {
		return utf8.RuneError, 3, 1
	}
	r, size = utf8.DecodeRuneInString(s)
	if r >= 0x10000 {
		return r, size, 2
	}
	return r, size, 1
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

func isHyphen(r rune) bool { return r == '-' || r == '\u2010' || r == '\u2011' }

func isLineBreak(r rune) bool {
	switch r {
	case '\n', '\r', '\v', '\f', '\u0085', '\u2028', '\u2029':
		return true
	}
	return false
}

// groupSpace returns the size of a space that may separate the thousands of
// a number ("1 200", "1\u00a0200") at the start of s, or 0.
func groupSpace(s string) int {
	switch {
	case strings.HasPrefix(s, " "):
		return 1
	case strings.HasPrefix(s, "\u00a0"):
		return 2
	case strings.HasPrefix(s, "\u202f"), strings.HasPrefix(s, "\u2009"):
		return 3
	}
	return 0
}

// letterAt reports whether s starts with a letter.
func letterAt(s string) bool {
	if s == "" {
		return false
	}
	r, _, _ := next(s)
	return unicode.IsLetter(r)
}

// tokenize cuts s into tokens and lines. rowStarts holds the byte offsets
// of the lines that are table rows (from a Quill document); a line holding a
// tab is a row too.
func tokenize(s string, rowStarts map[int]bool) ([]token, []line) {
	var toks []token
	lines := []line{{row: rowStarts[0]}}
	space := true
	u := 0 // UTF-16 offset of i
	emit := func(t token) {
		t.space = space
		t.line = len(lines) - 1
		space = false
		toks = append(toks, t)
	}
	for i := 0; i < len(s); {
		r, size, units := next(s[i:])
		switch {
		case r == '\t':
			emit(token{kind: tCell, b0: i, b1: i + 1, u0: u, u1: u + 1})
			lines[len(lines)-1].row = true
			space = true
			i, u = i+1, u+1
		case isLineBreak(r):
			emit(token{kind: tLine, b0: i, b1: i + size, u0: u, u1: u + units})
			i, u = i+size, u+units
			lines[len(lines)-1].end = len(toks)
			lines = append(lines, line{first: len(toks), row: rowStarts[i]})
			space = true
		case r != utf8.RuneError && unicode.IsSpace(r):
			space = true
			i, u = i+size, u+units
		case isDigit(s[i]):
			t, j := readNumber(s, i)
			t.u0, t.u1 = u, u+utf16Len(s[i:j])
			emit(t)
			i, u = j, t.u1
		case r != utf8.RuneError && unicode.IsLetter(r):
			t, j := readWord(s, i)
			t.u0, t.u1 = u, u+utf16Len(s[i:j])
			emit(t)
			i, u = j, t.u1
		default:
			low := string(r)
			if r == utf8.RuneError {
				low = "\ufffd"
			}
			emit(token{kind: tPunct, b0: i, b1: i + size, u0: u, u1: u + units, low: low})
			i, u = i+size, u+units
		}
	}
	lines[len(lines)-1].end = len(toks)
	return toks, lines
}

// utf16Len returns the length of s in UTF-16 code units, as next counts.
func utf16Len(s string) int {
	n := 0
	for i := 0; i < len(s); {
		_, size, units := next(s[i:])
		i += size
		n += units
	}
	return n
}

// readNumber reads the number starting at s[i], a digit, and returns it with
// the offset after it.
func readNumber(s string, i int) (token, int) {
	j := i
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	digits := s[i:j]
	if j-i <= 3 {
		for {
			g := groupSpace(s[j:])
			k := j + g
			if g == 0 || k+3 > len(s) || !isDigit(s[k]) || !isDigit(s[k+1]) || !isDigit(s[k+2]) ||
				(k+3 < len(s) && (isDigit(s[k+3]) || letterAt(s[k+3:]))) {
				break
			}
			digits += s[k : k+3]
			j = k + 3
		}
	}
	t := token{kind: tNum, b0: i}
	// A decimal, a date, a time or a fraction: "2,1", "1.1.2026", "10:30", "3/4".
	for j+1 < len(s) && strings.IndexByte(".,:/", s[j]) >= 0 && isDigit(s[j+1]) {
		t.bad = true
		j++
		for j < len(s) && isDigit(s[j]) {
			j++
		}
	}
	// Glued to letters: "3a", "3-roms", "E6", "m2".
	if letterAt(s[j:]) {
		t.bad = true
	}
	if j < len(s) {
		if r, size, _ := next(s[j:]); isHyphen(r) && letterAt(s[j+size:]) {
			t.bad = true
		}
	}
	if i > 0 {
		r, _ := utf8.DecodeLastRuneInString(s[:i])
		if unicode.IsLetter(r) || r == '/' {
			t.bad = true
		}
	}
	t.b1 = j
	t.val = tooLarge
	if len(digits) <= 9 {
		t.val, _ = strconv.Atoi(digits)
	}
	return t, j
}

// readWord reads the word starting at s[i], a letter: letters and marks,
// joined by single hyphens ("barne-familier", "to-tre"). A hyphen after the
// word that joins nothing ("familie- og barneboliger") sets dash.
func readWord(s string, i int) (token, int) {
	j := i
	upper := false
	for j < len(s) {
		r, size, _ := next(s[j:])
		switch {
		case r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsMark(r)):
			if j == i {
				upper = unicode.IsUpper(r)
			}
			j += size
			continue
		case isHyphen(r) && letterAt(s[j+size:]):
			j += size
			continue
		}
		break
	}
	t := token{kind: tWord, b0: i, b1: j, upper: upper}
	if j < len(s) {
		if r, _, _ := next(s[j:]); isHyphen(r) {
			t.dash = true
		}
	}
	low := strings.ToLower(s[i:j])
	low = strings.ReplaceAll(low, "\u2010", "-")
	low = strings.ReplaceAll(low, "\u2011", "-")
	t.low = strings.ReplaceAll(low, "e\u0301", "é")
	return t, j
}
