package delta

import (
	"unicode/utf16"
	"unicode/utf8"
)

// Text is stored as UTF-8, extended to WTF-8 so that a string cut between the
// two halves of a surrogate pair (as JavaScript may cut it) can be held: a
// lone surrogate U+D800..U+DFFF is written in the three-byte form
// ED A0..BF 80..BF. Everything that counts, cuts or joins text goes through
// the helpers below, which count in UTF-16 code units.

// isSurrogateWTF8 reports whether s starts with a WTF-8 encoded lone surrogate.
func isSurrogateWTF8(s string) bool {
	return len(s) >= 3 && s[0] == 0xED && s[1] >= 0xA0 && s[1] <= 0xBF && s[2] >= 0x80 && s[2] <= 0xBF
}

// surrogateWTF8 decodes the lone surrogate at the start of s; the caller has
// checked isSurrogateWTF8.
func surrogateWTF8(s string) uint16 {
	return uint16(s[0]&0x0F)<<12 | uint16(s[1]&0x3F)<<6 | uint16(s[2]&0x3F)
}

// appendSurrogate appends the WTF-8 encoding of the surrogate code unit u.
func appendSurrogate(b []byte, u uint16) []byte {
	return append(b, 0xE0|byte(u>>12), 0x80|byte(u>>6)&0x3F, 0x80|byte(u)&0x3F)
}

func isHighSurrogate(u uint16) bool { return u >= 0xD800 && u <= 0xDBFF }
func isLowSurrogate(u uint16) bool  { return u >= 0xDC00 && u <= 0xDFFF }

// decodeUnits returns how many UTF-16 code units the character at the start
// of s (which is not ASCII) counts, and how many bytes it takes. An invalid
// byte counts as one unit, as the U+FFFD it would become.
func decodeUnits(s string) (units, size int) {
	// The well-formed sequences, and the WTF-8 surrogates (ED A0..BF),
	// are told by their bytes alone; anything else takes the careful way.
	if len(s) >= 2 && s[1]&0xC0 == 0x80 {
		switch b := s[0]; {
		case b >= 0xC2 && b <= 0xDF:
			return 1, 2
		case len(s) >= 3 && s[2]&0xC0 == 0x80 && ((b >= 0xE1 && b <= 0xEF) || (b == 0xE0 && s[1] >= 0xA0)):
			return 1, 3
		case len(s) >= 4 && s[2]&0xC0 == 0x80 && s[3]&0xC0 == 0x80 &&
			((b >= 0xF1 && b <= 0xF3) || (b == 0xF0 && s[1] >= 0x90) || (b == 0xF4 && s[1] <= 0x8F)):
			return 2, 4
		}
	}
	return decodeUnitsSlow(s)
}

// decodeUnitsSlow is decodeUnits for what is not a well-formed sequence.
func decodeUnitsSlow(s string) (units, size int) {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && size == 1 {
		if isSurrogateWTF8(s) {
			return 1, 3
		}
		return 1, 1
	}
	if r >= 0x10000 {
		return 2, size
	}
	return 1, size
}

// ascii8 reports whether the 8 bytes of s from i are all ASCII (the
// caller has checked that they exist). Text is mostly ASCII: counting it
// 8 bytes at a time makes the passes over a long text several times
// faster.
func ascii8(s string, i int) bool {
	return (s[i]|s[i+1]|s[i+2]|s[i+3]|s[i+4]|s[i+5]|s[i+6]|s[i+7])&0x80 == 0
}

// utf16Len returns the length of s as JavaScript's String.length.
func utf16Len(s string) int {
	n := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) && ascii8(s, i) {
			n += 8
			i += 8
			continue
		}
		if s[i] < utf8.RuneSelf {
			n++
			i++
			continue
		}
		u, size := decodeUnits(s[i:])
		n += u
		i += size
	}
	return n
}

// textPos is a position in a string counted in code units and held as a
// byte offset. When half is set the position lies between the high and the
// low surrogate of the four-byte character that starts at byte b.
type textPos struct {
	b    int
	half bool
}

// advance moves p forward by n code units within s.
func (p textPos) advance(s string, n int) textPos {
	if n <= 0 {
		return p
	}
	if p.half {
		p = textPos{b: p.b + 4}
		n--
	}
	for n > 0 && p.b < len(s) {
		if n >= 8 && p.b+8 <= len(s) && ascii8(s, p.b) {
			p.b += 8
			n -= 8
			continue
		}
		if s[p.b] < utf8.RuneSelf {
			p.b++
			n--
			continue
		}
		u, size := decodeUnits(s[p.b:])
		if u == 2 && n == 1 {
			p.half = true
			return p
		}
		p.b += size
		n -= u
	}
	return p
}

// slice16 returns the text of s between from and to. A position inside a
// surrogate pair yields the lone half on that side, in WTF-8.
func slice16(s string, from, to textPos) string {
	if !from.half && !to.half {
		return s[from.b:to.b]
	}
	var out []byte
	start := from.b
	if from.half {
		r, _ := utf8.DecodeRuneInString(s[from.b:])
		_, lo := utf16.EncodeRune(r)
		out = appendSurrogate(out, uint16(lo))
		start = from.b + 4
	}
	if start < to.b {
		out = append(out, s[start:to.b]...)
	}
	if to.half {
		r, _ := utf8.DecodeRuneInString(s[to.b:])
		hi, _ := utf16.EncodeRune(r)
		out = appendSurrogate(out, uint16(hi))
	}
	return string(out)
}

// endsWithHighWTF8 reports whether b ends with a lone high surrogate.
func endsWithHighWTF8(b []byte) bool {
	n := len(b)
	return n >= 3 && b[n-3] == 0xED && b[n-2] >= 0xA0 && b[n-2] <= 0xAF && b[n-1] >= 0x80 && b[n-1] <= 0xBF
}

// startsWithLowWTF8 reports whether s starts with a lone low surrogate.
func startsWithLowWTF8(s string) bool {
	return len(s) >= 3 && s[0] == 0xED && s[1] >= 0xB0 && s[1] <= 0xBF && s[2] >= 0x80 && s[2] <= 0xBF
}

// appendText appends s to b as JavaScript concatenates strings: a lone high
// surrogate at the end of b and a lone low surrogate at the start of s
// become one character.
func appendText(b []byte, s string) []byte {
	if endsWithHighWTF8(b) && startsWithLowWTF8(s) {
		hi := surrogateWTF8(string(b[len(b)-3:]))
		lo := surrogateWTF8(s)
		b = utf8.AppendRune(b[:len(b)-3], utf16.DecodeRune(rune(hi), rune(lo)))
		return append(b, s[3:]...)
	}
	return append(b, s...)
}

// joinText returns a+b with JavaScript's string concatenation semantics.
func joinText(a, b string) string {
	if len(a) >= 3 && len(b) >= 3 && endsWithHighWTF8([]byte(a[len(a)-3:])) && startsWithLowWTF8(b) {
		out := make([]byte, 0, len(a)+len(b))
		return string(appendText(append(out, a...), b))
	}
	return a + b
}

// appendUnits appends the UTF-16 code units of s to dst.
func appendUnits(dst []uint16, s string) []uint16 {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			dst = append(dst, uint16(c))
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1 && isSurrogateWTF8(s[i:]):
			dst = append(dst, surrogateWTF8(s[i:]))
			size = 3
		case r >= 0x10000:
			hi, lo := utf16.EncodeRune(r)
			dst = append(dst, uint16(hi), uint16(lo))
		default:
			dst = append(dst, uint16(r))
		}
		i += size
	}
	return dst
}

// textProblem describes why s is not well-formed text, or returns "".
func textProblem(s string) string {
	if utf8.ValidString(s) {
		return ""
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			if isSurrogateWTF8(s[i:]) {
				return "text contains a lone UTF-16 surrogate"
			}
			return "text is not valid UTF-8"
		}
		i += size
	}
	return ""
}
