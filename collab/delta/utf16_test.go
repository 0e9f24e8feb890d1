package delta

import "testing"

// The fast decodeUnits answers what the careful decodeUnitsSlow answers for
// every lead byte, every second byte and the telling third and fourth
// bytes, at every length from 1 to 4 bytes.
func TestDecodeUnits_MatchesTheCarefulDecoder(t *testing.T) {
	tails := []byte{0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xAF, 0xB0, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF}
	check := func(s string) {
		u, n := decodeUnits(s)
		su, sn := decodeUnitsSlow(s)
		if u != su || n != sn {
			t.Fatalf("decodeUnits(% x) = %d units, %d bytes; the careful decoder says %d, %d", s, u, n, su, sn)
		}
	}
	for b0 := 0x80; b0 <= 0xFF; b0++ {
		check(string([]byte{byte(b0)}))
		for b1 := 0; b1 <= 0xFF; b1++ {
			check(string([]byte{byte(b0), byte(b1)}))
			for _, b2 := range tails {
				check(string([]byte{byte(b0), byte(b1), b2}))
				for _, b3 := range tails {
					check(string([]byte{byte(b0), byte(b1), b2, b3}))
				}
			}
		}
	}
}

// utf16Len counts as JavaScript's String.length does.
func TestUTF16Len(t *testing.T) {
	for s, want := range map[string]int{
		"":                          0,
		"abc":                       3,
		"blåbærsyltetøy":            14,
		"€":                         1,
		"😀":                         2,
		"a😀b":                       4,
		"\xed\xa0\xbd":              1, // a lone high surrogate in WTF-8
		"\xff":                      1, // an invalid byte is one U+FFFD
		"\xe2\x82":                  2, // a cut sequence: two invalid bytes
		"Storgata 5 har 3 beboere.": 25,
	} {
		if got := utf16Len(s); got != want {
			t.Errorf("utf16Len(%q) = %d, want %d", s, got, want)
		}
	}
}
