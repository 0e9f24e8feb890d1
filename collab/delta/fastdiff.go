package delta

import (
	"errors"
	"slices"
)

// This file is a port of the npm package fast-diff 1.3.0 (itself derived
// from Neil Fraser's diff-match-patch, Apache License 2.0), which
// quill-delta's diff uses, kept function for function so that it finds the
// same diffs. Texts are UTF-16 code units, as JavaScript strings are; the
// helpers jsSub, at and indexOf reproduce JavaScript's substring, charAt and
// indexOf, including their treatment of out-of-range indexes.

const (
	diffDelete = -1
	diffEqual  = 0
	diffInsert = 1
)

type diffChunk struct {
	op   int
	text []uint16
}

// errDiffLoops reports texts on which fast-diff never terminates: it
// recurses until JavaScript's stack overflows and throws a RangeError.
var errDiffLoops = errors.New("diff: fast-diff does not terminate on this text (it has lone surrogates)")

// fastDiff is fast-diff's diff(text1, text2, undefined, true): a diff with
// semantic cleanup and surrogate pairs kept whole at the top level.
func fastDiff(text1, text2 []uint16) (diffs []diffChunk, err error) {
	defer func() {
		if r := recover(); r != nil {
			if r != errDiffLoops {
				panic(r)
			}
			diffs, err = nil, errDiffLoops
		}
	}()
	return diffMain(text1, text2, true, true), nil
}

// cat returns the concatenation of parts in a new slice (never appending in
// place, since texts are often subslices of one another).
func cat(parts ...[]uint16) []uint16 {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]uint16, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// jsSub is JavaScript's s.substring(a, b).
func jsSub(s []uint16, a, b int) []uint16 {
	a = min(max(a, 0), len(s))
	b = min(max(b, 0), len(s))
	if a > b {
		a, b = b, a
	}
	return s[a:b]
}

// at is JavaScript's charAt as a comparable value: -1 out of range.
func at(s []uint16, i int) int {
	if i < 0 || i >= len(s) {
		return -1
	}
	return int(s[i])
}

// indexOf is JavaScript's s.indexOf(pattern, from).
func indexOf(s, pattern []uint16, from int) int {
	from = max(from, 0)
	if len(pattern) == 0 {
		return min(from, len(s))
	}
	first := pattern[0]
	for i := from; i+len(pattern) <= len(s); i++ {
		if s[i] == first && slices.Equal(s[i:i+len(pattern)], pattern) {
			return i
		}
	}
	return -1
}

func diffMain(text1, text2 []uint16, cleanup, fixUnicode bool) []diffChunk {
	if slices.Equal(text1, text2) {
		if len(text1) > 0 {
			return []diffChunk{{diffEqual, text1}}
		}
		return nil
	}

	n := commonPrefix(text1, text2)
	prefix := text1[:n]
	text1, text2 = text1[n:], text2[n:]

	n = commonSuffix(text1, text2)
	suffix := text1[len(text1)-n:]
	text1, text2 = text1[:len(text1)-n], text2[:len(text2)-n]

	diffs := diffCompute(text1, text2)

	if len(prefix) > 0 {
		diffs = slices.Insert(diffs, 0, diffChunk{diffEqual, prefix})
	}
	if len(suffix) > 0 {
		diffs = append(diffs, diffChunk{diffEqual, suffix})
	}
	diffs = cleanupMerge(diffs, fixUnicode)
	if cleanup {
		diffs = cleanupSemantic(diffs)
	}
	return diffs
}

func diffCompute(text1, text2 []uint16) []diffChunk {
	if len(text1) == 0 {
		return []diffChunk{{diffInsert, text2}}
	}
	if len(text2) == 0 {
		return []diffChunk{{diffDelete, text1}}
	}

	longText, shortText := text2, text1
	if len(text1) > len(text2) {
		longText, shortText = text1, text2
	}
	if i := indexOf(longText, shortText, 0); i != -1 {
		// The shorter text is inside the longer one.
		diffs := []diffChunk{
			{diffInsert, longText[:i]},
			{diffEqual, shortText},
			{diffInsert, longText[i+len(shortText):]},
		}
		if len(text1) > len(text2) {
			diffs[0].op, diffs[2].op = diffDelete, diffDelete
		}
		return diffs
	}

	if len(shortText) == 1 {
		// A single character that is not in the other text.
		return []diffChunk{{diffDelete, text1}, {diffInsert, text2}}
	}

	if hm := halfMatch(text1, text2); hm != nil {
		diffsA := diffMain(hm[0], hm[2], false, false)
		diffsB := diffMain(hm[1], hm[3], false, false)
		out := append(diffsA, diffChunk{diffEqual, hm[4]})
		return append(out, diffsB...)
	}

	return diffBisect(text1, text2)
}

// diffBisect finds the middle snake of Myers' O(ND) algorithm and splits
// the problem there.
func diffBisect(text1, text2 []uint16) []diffChunk {
	len1, len2 := len(text1), len(text2)
	maxD := (len1 + len2 + 1) / 2
	vOffset := maxD
	vLength := 2 * maxD
	v1 := make([]int, max(vLength, vOffset+2))
	v2 := make([]int, max(vLength, vOffset+2))
	for i := range v1 {
		v1[i], v2[i] = -1, -1
	}
	v1[vOffset+1] = 0
	v2[vOffset+1] = 0
	delta := len1 - len2
	// When the total length is odd the front path collides with the
	// reverse path.
	front := delta%2 != 0
	k1start, k1end, k2start, k2end := 0, 0, 0, 0
	for d := 0; d < maxD; d++ {
		for k1 := -d + k1start; k1 <= d-k1end; k1 += 2 {
			k1Offset := vOffset + k1
			var x1 int
			if k1 == -d || (k1 != d && v1[k1Offset-1] < v1[k1Offset+1]) {
				x1 = v1[k1Offset+1]
			} else {
				x1 = v1[k1Offset-1] + 1
			}
			y1 := x1 - k1
			for x1 < len1 && y1 < len2 && at(text1, x1) == at(text2, y1) {
				x1++
				y1++
			}
			v1[k1Offset] = x1
			switch {
			case x1 > len1:
				k1end += 2 // ran off the right of the graph
			case y1 > len2:
				k1start += 2 // ran off the bottom of the graph
			case front:
				k2Offset := vOffset + delta - k1
				if k2Offset >= 0 && k2Offset < vLength && v2[k2Offset] != -1 {
					x2 := len1 - v2[k2Offset]
					if x1 >= x2 {
						return diffBisectSplit(text1, text2, x1, y1)
					}
				}
			}
		}

		for k2 := -d + k2start; k2 <= d-k2end; k2 += 2 {
			k2Offset := vOffset + k2
			var x2 int
			if k2 == -d || (k2 != d && v2[k2Offset-1] < v2[k2Offset+1]) {
				x2 = v2[k2Offset+1]
			} else {
				x2 = v2[k2Offset-1] + 1
			}
			y2 := x2 - k2
			for x2 < len1 && y2 < len2 && at(text1, len1-x2-1) == at(text2, len2-y2-1) {
				x2++
				y2++
			}
			v2[k2Offset] = x2
			switch {
			case x2 > len1:
				k2end += 2 // ran off the left of the graph
			case y2 > len2:
				k2start += 2 // ran off the top of the graph
			case !front:
				k1Offset := vOffset + delta - k2
				if k1Offset >= 0 && k1Offset < vLength && v1[k1Offset] != -1 {
					x1 := v1[k1Offset]
					y1 := vOffset + x1 - k1Offset
					if x1 >= len1-x2 {
						return diffBisectSplit(text1, text2, x1, y1)
					}
				}
			}
		}
	}
	// No commonality at all.
	return []diffChunk{{diffDelete, text1}, {diffInsert, text2}}
}

func diffBisectSplit(text1, text2 []uint16, x, y int) []diffChunk {
	if x <= 0 && y <= 0 || x >= len(text1) && y >= len(text2) {
		// fast-diff would recurse on the same texts until JavaScript's
		// stack overflows (it can, on text with lone surrogates).
		panic(errDiffLoops)
	}
	diffs := diffMain(jsSub(text1, 0, x), jsSub(text2, 0, y), false, false)
	diffsB := diffMain(jsSub(text1, x, len(text1)), jsSub(text2, y, len(text2)), false, false)
	return append(diffs, diffsB...)
}

// commonPrefix returns the length of the common prefix of text1 and text2,
// not ending between the halves of a surrogate pair.
func commonPrefix(text1, text2 []uint16) int {
	if len(text1) == 0 || len(text2) == 0 || text1[0] != text2[0] {
		return 0
	}
	n := 0
	for n < len(text1) && n < len(text2) && text1[n] == text2[n] {
		n++
	}
	if isHighSurrogate(text1[n-1]) {
		n--
	}
	return n
}

// commonSuffix returns the length of the common suffix of text1 and text2,
// not starting between the halves of a surrogate pair.
func commonSuffix(text1, text2 []uint16) int {
	l1, l2 := len(text1), len(text2)
	if l1 == 0 || l2 == 0 || text1[l1-1] != text2[l2-1] {
		return 0
	}
	n := 0
	for n < l1 && n < l2 && text1[l1-1-n] == text2[l2-1-n] {
		n++
	}
	if isLowSurrogate(text1[l1-n]) {
		n--
	}
	return n
}

// commonOverlap returns the length of the longest suffix of text1 that is a
// prefix of text2.
func commonOverlap(text1, text2 []uint16) int {
	l1, l2 := len(text1), len(text2)
	if l1 == 0 || l2 == 0 {
		return 0
	}
	if l1 > l2 {
		text1 = text1[l1-l2:]
	} else if l1 < l2 {
		text2 = text2[:l1]
	}
	textLength := min(l1, l2)
	if slices.Equal(text1, text2) {
		return textLength
	}
	best := 0
	length := 1
	for {
		pattern := jsSub(text1, textLength-length, len(text1))
		found := indexOf(text2, pattern, 0)
		if found == -1 {
			return best
		}
		length += found
		if found == 0 || slices.Equal(jsSub(text1, textLength-length, len(text1)), jsSub(text2, 0, length)) {
			best = length
			length++
		}
	}
}

// halfMatch looks for a substring of both texts at least half as long as
// the longer one; it returns the prefix and suffix of text1, those of
// text2, and the common middle, or nil. It can make non-minimal diffs.
func halfMatch(text1, text2 []uint16) [][]uint16 {
	longText, shortText := text2, text1
	if len(text1) > len(text2) {
		longText, shortText = text1, text2
	}
	if len(longText) < 4 || len(shortText)*2 < len(longText) {
		return nil
	}
	hm1 := halfMatchI(longText, shortText, (len(longText)+3)/4)
	hm2 := halfMatchI(longText, shortText, (len(longText)+1)/2)
	var hm [][]uint16
	switch {
	case hm1 == nil && hm2 == nil:
		return nil
	case hm2 == nil:
		hm = hm1
	case hm1 == nil:
		hm = hm2
	case len(hm1[4]) > len(hm2[4]):
		hm = hm1
	default:
		hm = hm2
	}
	if len(text1) > len(text2) {
		return [][]uint16{hm[0], hm[1], hm[2], hm[3], hm[4]}
	}
	return [][]uint16{hm[2], hm[3], hm[0], hm[1], hm[4]}
}

// halfMatchI tries the quarter-length substring of longText at i as the
// seed of a half match.
func halfMatchI(longText, shortText []uint16, i int) [][]uint16 {
	seed := jsSub(longText, i, i+len(longText)/4)
	var bestCommon, bestLongA, bestLongB, bestShortA, bestShortB []uint16
	for j := indexOf(shortText, seed, 0); j != -1; j = indexOf(shortText, seed, j+1) {
		prefixLength := commonPrefix(longText[i:], shortText[j:])
		suffixLength := commonSuffix(longText[:i], shortText[:j])
		if len(bestCommon) < suffixLength+prefixLength {
			bestCommon = shortText[j-suffixLength : j+prefixLength]
			bestLongA = longText[:i-suffixLength]
			bestLongB = longText[i+prefixLength:]
			bestShortA = shortText[:j-suffixLength]
			bestShortB = shortText[j+prefixLength:]
		}
	}
	if len(bestCommon)*2 >= len(longText) {
		return [][]uint16{bestLongA, bestLongB, bestShortA, bestShortB, bestCommon}
	}
	return nil
}

// cleanupSemantic removes equalities that are semantically trivial: no
// longer than the edits on both sides of them.
func cleanupSemantic(diffs []diffChunk) []diffChunk {
	changes := false
	// A stack of indexes of equalities. fast-diff lets its length go
	// negative and then indexes its array with negative numbers, which
	// JavaScript allows; a map reproduces that.
	equalities := map[int]int{}
	equalitiesLength := 0
	var lastEquality []uint16 // nil is fast-diff's null
	pointer := 0
	lengthInsertions1, lengthDeletions1 := 0, 0
	lengthInsertions2, lengthDeletions2 := 0, 0
	for pointer < len(diffs) {
		if diffs[pointer].op == diffEqual {
			equalities[equalitiesLength] = pointer
			equalitiesLength++
			lengthInsertions1, lengthDeletions1 = lengthInsertions2, lengthDeletions2
			lengthInsertions2, lengthDeletions2 = 0, 0
			lastEquality = diffs[pointer].text
		} else {
			if diffs[pointer].op == diffInsert {
				lengthInsertions2 += len(diffs[pointer].text)
			} else {
				lengthDeletions2 += len(diffs[pointer].text)
			}
			// Eliminate an equality no longer than the edits on both sides.
			if len(lastEquality) > 0 &&
				len(lastEquality) <= max(lengthInsertions1, lengthDeletions1) &&
				len(lastEquality) <= max(lengthInsertions2, lengthDeletions2) {
				pos := equalities[equalitiesLength-1]
				diffs = slices.Insert(diffs, pos, diffChunk{diffDelete, lastEquality})
				diffs[pos+1].op = diffInsert
				equalitiesLength -= 2
				if equalitiesLength > 0 {
					pointer = equalities[equalitiesLength-1]
				} else {
					pointer = -1
				}
				lengthInsertions1, lengthDeletions1 = 0, 0
				lengthInsertions2, lengthDeletions2 = 0, 0
				lastEquality = nil
				changes = true
			}
		}
		pointer++
	}

	if changes {
		diffs = cleanupMerge(diffs, false)
	}
	diffs = cleanupSemanticLossless(diffs)

	// Find overlaps between deletions and insertions, and keep an overlap
	// as an equality if it is at least half as long as an edit beside it.
	pointer = 1
	for pointer < len(diffs) {
		if diffs[pointer-1].op == diffDelete && diffs[pointer].op == diffInsert {
			deletion := diffs[pointer-1].text
			insertion := diffs[pointer].text
			overlap1 := commonOverlap(deletion, insertion)
			overlap2 := commonOverlap(insertion, deletion)
			if overlap1 >= overlap2 {
				if 2*overlap1 >= len(deletion) || 2*overlap1 >= len(insertion) {
					diffs = slices.Insert(diffs, pointer, diffChunk{diffEqual, insertion[:overlap1]})
					diffs[pointer-1].text = deletion[:len(deletion)-overlap1]
					diffs[pointer+1].text = insertion[overlap1:]
					pointer++
				}
			} else if 2*overlap2 >= len(deletion) || 2*overlap2 >= len(insertion) {
				// A reverse overlap: swap and trim the edits.
				diffs = slices.Insert(diffs, pointer, diffChunk{diffEqual, deletion[:overlap2]})
				diffs[pointer-1] = diffChunk{diffInsert, insertion[:len(insertion)-overlap2]}
				diffs[pointer+1] = diffChunk{diffDelete, deletion[overlap2:]}
				pointer++
			}
			pointer++
		}
		pointer++
	}
	return diffs
}

// cleanupSemanticLossless shifts single edits surrounded by equalities
// sideways to align them to word boundaries:
// The c<ins>at c</ins>ame. -> The <ins>cat </ins>came.
func cleanupSemanticLossless(diffs []diffChunk) []diffChunk {
	pointer := 1
	for pointer < len(diffs)-1 {
		if diffs[pointer-1].op == diffEqual && diffs[pointer+1].op == diffEqual {
			equality1 := diffs[pointer-1].text
			edit := diffs[pointer].text
			equality2 := diffs[pointer+1].text

			// First shift the edit as far left as possible.
			if commonOffset := commonSuffix(equality1, edit); commonOffset > 0 {
				commonString := edit[len(edit)-commonOffset:]
				equality1 = equality1[:len(equality1)-commonOffset]
				edit = cat(commonString, edit[:len(edit)-commonOffset])
				equality2 = cat(commonString, equality2)
			}

			// Then step right one unit at a time, looking for the best fit.
			bestEquality1, bestEdit, bestEquality2 := equality1, edit, equality2
			bestScore := semanticScore(equality1, edit) + semanticScore(edit, equality2)
			for len(edit) > 0 && at(edit, 0) == at(equality2, 0) {
				equality1 = cat(equality1, edit[:1])
				edit = cat(edit[1:], equality2[:1])
				equality2 = equality2[1:]
				// >= prefers trailing rather than leading whitespace on edits.
				if score := semanticScore(equality1, edit) + semanticScore(edit, equality2); score >= bestScore {
					bestScore = score
					bestEquality1, bestEdit, bestEquality2 = equality1, edit, equality2
				}
			}

			if !slices.Equal(diffs[pointer-1].text, bestEquality1) {
				// An improvement: save it back.
				if len(bestEquality1) > 0 {
					diffs[pointer-1].text = bestEquality1
				} else {
					diffs = slices.Delete(diffs, pointer-1, pointer)
					pointer--
				}
				diffs[pointer].text = bestEdit
				if len(bestEquality2) > 0 {
					diffs[pointer+1].text = bestEquality2
				} else {
					diffs = slices.Delete(diffs, pointer+1, pointer+2)
					pointer--
				}
			}
		}
		pointer++
	}
	return diffs
}

// semanticScore rates the boundary between one and two from 6 (best: an
// edge) down to 0, as fast-diff's diff_cleanupSemanticScore_ with
// JavaScript's regular expressions.
func semanticScore(one, two []uint16) int {
	if len(one) == 0 || len(two) == 0 {
		return 6
	}
	char1 := one[len(one)-1]
	char2 := two[0]
	nonAlphaNumeric1 := !isASCIIAlphaNumeric(char1)
	nonAlphaNumeric2 := !isASCIIAlphaNumeric(char2)
	whitespace1 := nonAlphaNumeric1 && isJSWhitespace(char1)
	whitespace2 := nonAlphaNumeric2 && isJSWhitespace(char2)
	lineBreak1 := whitespace1 && (char1 == '\r' || char1 == '\n')
	lineBreak2 := whitespace2 && (char2 == '\r' || char2 == '\n')
	blankLine1 := lineBreak1 && blankLineEnd(one)
	blankLine2 := lineBreak2 && blankLineStart(two)
	switch {
	case blankLine1 || blankLine2:
		return 5
	case lineBreak1 || lineBreak2:
		return 4
	case nonAlphaNumeric1 && !whitespace1 && whitespace2:
		return 3 // end of a sentence
	case whitespace1 || whitespace2:
		return 2
	case nonAlphaNumeric1 || nonAlphaNumeric2:
		return 1
	}
	return 0
}

func isASCIIAlphaNumeric(c uint16) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// isJSWhitespace is JavaScript's \s on one code unit.
func isJSWhitespace(c uint16) bool {
	switch c {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0x00A0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
		return true
	}
	return c >= 0x2000 && c <= 0x200A
}

// blankLineEnd is /\n\r?\n$/.
func blankLineEnd(s []uint16) bool {
	n := len(s)
	if n >= 2 && s[n-1] == '\n' && s[n-2] == '\n' {
		return true
	}
	return n >= 3 && s[n-1] == '\n' && s[n-2] == '\r' && s[n-3] == '\n'
}

// blankLineStart is /^\r?\n\r?\n/.
func blankLineStart(s []uint16) bool {
	i := 0
	if i < len(s) && s[i] == '\r' {
		i++
	}
	if i >= len(s) || s[i] != '\n' {
		return false
	}
	i++
	if i < len(s) && s[i] == '\r' {
		i++
	}
	return i < len(s) && s[i] == '\n'
}

// cleanupMerge reorders and merges like edit sections and merges
// equalities; an edit section can move as long as it does not cross an
// equality. With fixUnicode it also moves stray surrogate halves out of
// equalities, so no boundary falls inside a surrogate pair.
func cleanupMerge(diffs []diffChunk, fixUnicode bool) []diffChunk {
	diffs = append(diffs, diffChunk{diffEqual, nil}) // a dummy entry at the end
	pointer := 0
	countDelete, countInsert := 0, 0
	var textDelete, textInsert []uint16
	for pointer < len(diffs) {
		if pointer < len(diffs)-1 && len(diffs[pointer].text) == 0 {
			diffs = slices.Delete(diffs, pointer, pointer+1)
			continue
		}
		switch diffs[pointer].op {
		case diffInsert:
			countInsert++
			textInsert = cat(textInsert, diffs[pointer].text)
			pointer++
		case diffDelete:
			countDelete++
			textDelete = cat(textDelete, diffs[pointer].text)
			pointer++
		case diffEqual:
			previousEquality := pointer - countInsert - countDelete - 1
			if fixUnicode {
				// Shave stray surrogates off the end of the previous
				// equality and the start of this one into the edits.
				if previousEquality >= 0 && endsWithPairStart(diffs[previousEquality].text) {
					prev := diffs[previousEquality].text
					stray := prev[len(prev)-1:]
					diffs[previousEquality].text = prev[:len(prev)-1]
					textDelete = cat(stray, textDelete)
					textInsert = cat(stray, textInsert)
					if len(diffs[previousEquality].text) == 0 {
						// The previous equality emptied out: drop it and
						// take in the edits before it.
						diffs = slices.Delete(diffs, previousEquality, previousEquality+1)
						pointer--
						k := previousEquality - 1
						if k >= 0 && diffs[k].op == diffInsert {
							countInsert++
							textInsert = cat(diffs[k].text, textInsert)
							k--
						}
						if k >= 0 && diffs[k].op == diffDelete {
							countDelete++
							textDelete = cat(diffs[k].text, textDelete)
							k--
						}
						previousEquality = k
					}
				}
				if startsWithPairEnd(diffs[pointer].text) {
					stray := diffs[pointer].text[:1]
					diffs[pointer].text = diffs[pointer].text[1:]
					textDelete = cat(textDelete, stray)
					textInsert = cat(textInsert, stray)
				}
			}
			if pointer < len(diffs)-1 && len(diffs[pointer].text) == 0 {
				// An empty equality not at the end: wait for the next one.
				diffs = slices.Delete(diffs, pointer, pointer+1)
				break
			}
			if len(textDelete) > 0 || len(textInsert) > 0 {
				if len(textDelete) > 0 && len(textInsert) > 0 {
					// Factor out a common prefix.
					if n := commonPrefix(textInsert, textDelete); n != 0 {
						if previousEquality >= 0 {
							diffs[previousEquality].text = cat(diffs[previousEquality].text, textInsert[:n])
						} else {
							diffs = slices.Insert(diffs, 0, diffChunk{diffEqual, textInsert[:n]})
							pointer++
						}
						textInsert = textInsert[n:]
						textDelete = textDelete[n:]
					}
					// Factor out a common suffix.
					if n := commonSuffix(textInsert, textDelete); n != 0 {
						diffs[pointer].text = cat(textInsert[len(textInsert)-n:], diffs[pointer].text)
						textInsert = textInsert[:len(textInsert)-n]
						textDelete = textDelete[:len(textDelete)-n]
					}
				}
				// Replace the edit records by the merged ones.
				n := countInsert + countDelete
				switch {
				case len(textDelete) == 0 && len(textInsert) == 0:
					diffs = slices.Delete(diffs, pointer-n, pointer)
					pointer -= n
				case len(textDelete) == 0:
					diffs = slices.Replace(diffs, pointer-n, pointer, diffChunk{diffInsert, textInsert})
					pointer = pointer - n + 1
				case len(textInsert) == 0:
					diffs = slices.Replace(diffs, pointer-n, pointer, diffChunk{diffDelete, textDelete})
					pointer = pointer - n + 1
				default:
					diffs = slices.Replace(diffs, pointer-n, pointer,
						diffChunk{diffDelete, textDelete}, diffChunk{diffInsert, textInsert})
					pointer = pointer - n + 2
				}
			}
			if pointer != 0 && diffs[pointer-1].op == diffEqual {
				// Merge this equality into the previous one.
				diffs[pointer-1].text = cat(diffs[pointer-1].text, diffs[pointer].text)
				diffs = slices.Delete(diffs, pointer, pointer+1)
			} else {
				pointer++
			}
			countInsert, countDelete = 0, 0
			textDelete, textInsert = nil, nil
		}
	}
	if n := len(diffs); n > 0 && len(diffs[n-1].text) == 0 {
		diffs = diffs[:n-1] // the dummy entry
	}

	// Second pass: shift single edits surrounded by equalities sideways to
	// eliminate an equality: A<ins>BA</ins>C -> <ins>AB</ins>AC.
	changes := false
	pointer = 1
	for pointer < len(diffs)-1 {
		if diffs[pointer-1].op == diffEqual && diffs[pointer+1].op == diffEqual {
			prev, cur, next := diffs[pointer-1].text, diffs[pointer].text, diffs[pointer+1].text
			switch {
			case slices.Equal(jsSub(cur, len(cur)-len(prev), len(cur)), prev):
				// Shift the edit over the previous equality.
				diffs[pointer].text = cat(prev, cur[:len(cur)-len(prev)])
				diffs[pointer+1].text = cat(prev, next)
				diffs = slices.Delete(diffs, pointer-1, pointer)
				changes = true
			case slices.Equal(jsSub(cur, 0, len(next)), next):
				// Shift the edit over the next equality.
				diffs[pointer-1].text = cat(prev, next)
				diffs[pointer].text = cat(cur[len(next):], next)
				diffs = slices.Delete(diffs, pointer+1, pointer+2)
				changes = true
			}
		}
		pointer++
	}
	// If shifts were made, the diff needs reordering and another sweep.
	if changes {
		diffs = cleanupMerge(diffs, fixUnicode)
	}
	return diffs
}

func endsWithPairStart(s []uint16) bool { return len(s) > 0 && isHighSurrogate(s[len(s)-1]) }
func startsWithPairEnd(s []uint16) bool { return len(s) > 0 && isLowSurrogate(s[0]) }
