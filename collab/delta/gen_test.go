package delta

import (
	"math/rand/v2"
	"unicode/utf8"
)

// The generators below make random documents and changes for the
// differential test (from a seeded PRNG) and the fuzz targets (from the
// fuzzer's bytes), so both explore the same shapes: text with emoji,
// combining marks and CJK, whitelisted formats and null removals, embeds.

// source gives numbers in [0, n).
type source interface{ intn(n int) int }

type randSource struct{ r *rand.Rand }

func (s randSource) intn(n int) int { return s.r.IntN(n) }

// byteSource reads numbers from fuzz bytes, then zeros once they run out.
type byteSource struct {
	data []byte
	i    int
}

func (s *byteSource) intn(n int) int {
	if n <= 1 {
		return 0
	}
	v := 0
	for span := 1; span < n; span <<= 8 {
		v <<= 8
		if s.i < len(s.data) {
			v |= int(s.data[s.i])
			s.i++
		}
	}
	return v % n
}

type gen struct {
	src source
	// astral allows characters outside the BMP (surrogate pairs).
	astral bool
	// nullInserts lets inserts carry null attributes, which quill-delta
	// accepts though Validator does not.
	nullInserts bool
	// extras adds non-whitelisted attributes with object and array values,
	// and embeds.
	extras bool
}

func (g *gen) pick(n int) int    { return g.src.intn(n) }
func (g *gen) chance(n int) bool { return g.src.intn(n) == 0 }

func (g *gen) text(maxPieces int) string {
	bmp := []string{"a", "b", "c", "d", " ", "\n", "é", "漢", "字", "e\u0301", "x y", "\t", "\x00", "ab\ncd"}
	astral := []string{"😀", "👍🏽", "🇫🇷", "𝄞"}
	s := ""
	for n := 1 + g.pick(maxPieces); n > 0; n-- {
		if g.astral && g.chance(4) {
			s += astral[g.pick(len(astral))]
		} else {
			s += bmp[g.pick(len(bmp))]
		}
	}
	return s
}

func (g *gen) value(name string) any {
	switch name {
	case "link":
		return []string{"https://example.com/a", "mailto:a@b.c", "http://x.y/"}[g.pick(3)]
	case "header":
		return float64(1 + g.pick(4))
	case "indent":
		return float64(1 + g.pick(8))
	case "list":
		return []string{"ordered", "bullet"}[g.pick(2)]
	case "table":
		return []string{"row-ab12", "row-z9"}[g.pick(2)]
	case "x-obj":
		return map[string]any{"a": float64(g.pick(2))}
	case "x-arr":
		return []any{1.0, "b"}
	}
	return true
}

// attrs returns random attributes: for an insert without nulls (unless
// nullInserts), for a retain with some.
func (g *gen) attrs(insert bool) Attributes {
	if g.chance(2) {
		return nil
	}
	names := []string{"bold", "italic", "underline", "strike", "link", "header", "list", "blockquote", "indent", "table"}
	if g.extras {
		names = append(names, "x-obj", "x-arr")
	}
	a := Attributes{}
	for n := 1 + g.pick(3); n > 0; n-- {
		name := names[g.pick(len(names))]
		if (!insert || g.nullInserts) && g.chance(3) {
			a[name] = nil
		} else {
			a[name] = g.value(name)
		}
	}
	return a
}

func (g *gen) embed() map[string]any {
	switch g.pick(3) {
	case 0:
		return map[string]any{"image": "https://e.x/i.png"}
	case 1:
		return map[string]any{"formula": "x^2"}
	}
	return map[string]any{"video": map[string]any{"src": "v"}}
}

// doc returns a random document.
func (g *gen) doc(maxOps int) Delta {
	var d Delta
	for n := g.pick(maxOps + 1); n > 0; n-- {
		if g.extras && g.chance(8) {
			d.InsertEmbed(g.embed(), g.attrs(true))
		} else {
			d.Insert(g.text(6), g.attrs(true))
		}
	}
	return d
}

// codePoints returns the length in code units of each character of doc,
// an embed counting as one character of length 1.
func codePoints(doc Delta) []int {
	var cps []int
	for _, op := range doc.Ops {
		if op.Type() != OpInsert || op.InsertEmbed != nil {
			cps = append(cps, op.Len())
			continue
		}
		for i := 0; i < len(op.Insert); {
			u, size := 1, 1
			if op.Insert[i] >= utf8.RuneSelf {
				u, size = decodeUnits(op.Insert[i:])
			}
			cps = append(cps, u)
			i += size
		}
	}
	return cps
}

// change returns a random normalised change that fits doc. With aligned,
// its retains and deletes end on character boundaries (never inside a
// surrogate pair); without, anywhere.
func (g *gen) change(doc Delta, aligned bool) Delta {
	var units []int
	if aligned {
		units = codePoints(doc)
	} else {
		for range doc.Length() {
			units = append(units, 1)
		}
	}
	var d Delta
	i := 0
	for steps := 1 + g.pick(6); steps > 0; steps-- {
		switch g.pick(3) {
		case 0:
			if g.extras && g.chance(8) {
				d.InsertEmbed(g.embed(), g.attrs(true))
			} else {
				d.Insert(g.text(4), g.attrs(true))
			}
		case 1, 2:
			if i >= len(units) {
				continue
			}
			k := 1 + g.pick(min(len(units)-i, 8))
			n := 0
			for _, u := range units[i : i+k] {
				n += u
			}
			i += k
			if g.chance(3) {
				d.Delete(n)
			} else {
				d.Retain(n, g.attrs(false))
			}
		}
	}
	d.Chop()
	return d
}

// anyDelta returns a random delta of inserts, retains and deletes that is
// not tied to any document.
func (g *gen) anyDelta() Delta {
	var d Delta
	for n := g.pick(7); n > 0; n-- {
		switch g.pick(3) {
		case 0:
			d.Insert(g.text(3), g.attrs(true))
		case 1:
			d.Retain(1+g.pick(6), g.attrs(false))
		default:
			d.Delete(1 + g.pick(6))
		}
	}
	if g.extras && g.chance(6) {
		d.RetainEmbed(g.embed(), g.attrs(false))
	}
	return d
}

// rawOps returns random ops, not normalised, for testing Push.
func (g *gen) rawOps() []Op {
	var ops []Op
	for n := g.pick(8); n > 0; n-- {
		a := g.attrs(false)
		if g.chance(2) {
			a = Attributes{"bold": true}
		}
		switch g.pick(4) {
		case 0:
			ops = append(ops, Op{Insert: g.text(2), Attributes: nonEmpty(a)})
		case 1:
			ops = append(ops, Op{Retain: 1 + g.pick(3), Attributes: nonEmpty(a)})
		case 2:
			ops = append(ops, Op{Delete: 1 + g.pick(3)})
		default:
			if g.extras {
				ops = append(ops, Op{InsertEmbed: g.embed(), Attributes: nonEmpty(a)})
			} else {
				ops = append(ops, Op{Insert: "z"})
			}
		}
	}
	return ops
}
