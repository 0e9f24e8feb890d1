package privacy

import (
	"cmp"
	"slices"
)

// maxWindow is how many tokens after a count the person word it counts may
// be: the word itself and at most two adjectives before it ("3 enslige
// mindreårige flyktninger"), with some room for adjectival person words.
const maxWindow = 6

// expr is a count found in the text, before the search for what it counts.
type expr struct {
	first, last int // the tokens of the count: "færre enn 5", "2–3", "et par", "12 av 14"
	count       int // the count that is compared with the threshold
	kind        Kind
	skip        bool // not a count of anything (a year, a share, a reference, ...)
}

// reader applies the rules of the detector to the tokens of one text.
type reader struct {
	toks  []token
	lines []line
	top   []int            // for each line, the first row of its table (or itself)
	rows  map[int]*rowInfo // the cells of the rows read so far, by line
	heads map[int]int      // labelHead of the label cells read so far, by first token; -1 for none
}

// rowInfo is the cells of a table row and, for each cell, the cell that
// labels it.
type rowInfo struct {
	cells [][2]int // token ranges
	label []int    // the nearest cell with words before, else after; -1 if none
}

func newReader(toks []token, lines []line) *reader {
	r := &reader{toks: toks, lines: lines, top: make([]int, len(lines)), rows: map[int]*rowInfo{}, heads: map[int]int{}}
	for li := range lines {
		r.top[li] = li
		if li > 0 && lines[li].row && lines[li-1].row {
			r.top[li] = r.top[li-1]
		}
	}
	return r
}

// row returns the cells of line li, computed once.
func (r *reader) row(li int) *rowInfo {
	if ri, ok := r.rows[li]; ok {
		return ri
	}
	cs := r.cells(r.lines[li])
	ri := &rowInfo{cells: cs, label: make([]int, len(cs))}
	last := -1
	for c := range cs {
		ri.label[c] = last
		if !r.numeric(cs[c]) {
			last = c
		}
	}
	next := -1
	for c := len(cs) - 1; c >= 0; c-- {
		if ri.label[c] < 0 {
			ri.label[c] = next
		}
		if !r.numeric(cs[c]) {
			next = c
		}
	}
	r.rows[li] = ri
	return ri
}

// word returns the lower-case word at i, or "" when i holds no word.
func (r *reader) word(i int) string {
	if i < 0 || i >= len(r.toks) || r.toks[i].kind != tWord {
		return ""
	}
	return r.toks[i].low
}

// punct returns the sign at i, or "" when i holds no sign.
func (r *reader) punct(i int) string {
	if i < 0 || i >= len(r.toks) || r.toks[i].kind != tPunct {
		return ""
	}
	return r.toks[i].low
}

// abbreviation reports whether w is written with a full stop that does not
// end a sentence ("ca.", "kap.", "maks.").
func abbreviation(w string) bool {
	switch w {
	case "ca", "kap", "s", "nr", "pkt", "fig", "kl", "pr", "kr", "maks", "tlf", "jf", "jfr",
		"gnr", "bnr", "mill", "mrd", "bl", "nb", "min", "ev", "rv", "fv":
		return true
	}
	return false
}

// wordBefore returns the word right before i and its index, reading an
// abbreviation's full stop as part of it ("kap. 3"), or "" and -1.
func (r *reader) wordBefore(i int) (string, int) {
	p := i - 1
	if r.punct(p) == "." && abbreviation(r.word(p-1)) && !r.toks[p].space {
		p--
	}
	if w := r.word(p); w != "" {
		return w, p
	}
	return "", -1
}

// context returns the index of the token before the count starting at
// first, passing over words that do not change what is counted ("ca.",
// "om lag", "bare", "alle"), or -1 at the start of the text.
func (r *reader) context(first int) int {
	p := first - 1
	for p >= 0 {
		w, q := r.wordBefore(p + 1)
		if w == "" || !approx(w) {
			break
		}
		p = q - 1
		if w == "lag" && r.word(p) == "om" {
			p--
		}
	}
	return p
}

// plainNumber returns the value of the number or numeral at j.
func (r *reader) plainNumber(j int) (int, bool) {
	if j < 0 || j >= len(r.toks) {
		return 0, false
	}
	t := &r.toks[j]
	switch t.kind {
	case tNum:
		return t.val, !t.bad
	case tWord:
		if t.dash {
			return 0, false
		}
		return numberWord(t.low)
	}
	return 0, false
}

// connector reports whether j joins two counts into a range or a list
// ("2–3", "to eller tre", "3, 4 og 5 år").
func (r *reader) connector(j int) bool {
	switch r.punct(j) {
	case "-", "–", "—", ",":
		return true
	}
	switch r.word(j) {
	case "til", "og", "eller":
		return true
	}
	return false
}

// vague returns the count a vague small quantity starting at i stands for
// ("et par" 2, "noen få" 3) and how many tokens it takes, or 0, 0.
func (r *reader) vague(i int) (count, n int) {
	w, w1, w2 := r.word(i), r.word(i+1), r.word(i+2)
	very := func(w string) bool { return w == "svært" || w == "veldig" || w == "ganske" || w == "særs" }
	switch {
	case (w == "et" || w == "eit") && w1 == "par":
		return 2, 2
	case (w == "et" || w == "eit") && (w1 == "fåtall" || w1 == "fåtal"):
		return 3, 2
	case (w == "noen" || w == "nokre" || w == "nokon") && w1 == "få":
		return 3, 2
	case (w == "noen" || w == "nokre" || w == "nokon") && very(w1) && w2 == "få":
		return 3, 3
	case very(w) && w1 == "få":
		return 3, 2
	}
	return 0, 0
}

// wordRange returns the ends of a range written as one hyphenated word
// ("to-tre").
func wordRange(w string) (lo, hi int, ok bool) {
	for i := 0; i < len(w); i++ {
		if w[i] != '-' {
			continue
		}
		a, okA := numberWord(w[:i])
		b, okB := numberWord(w[i+1:])
		return a, b, okA && okB && a < b
	}
	return 0, 0, false
}

// oneAt reports whether the article at i is the numeral one: after "bare",
// "kun", "berre" ("bare en familie"), before "eneste", "av" ("en av
// familiene") or another count ("en eller to"), or alone in a table cell.
func (r *reader) oneAt(i int) bool {
	if limiter(r.word(i - 1)) {
		return true
	}
	switch r.word(i + 1) {
	case "eneste", "einaste", "av":
		return true
	}
	if r.connector(i + 1) {
		if _, ok := r.plainNumber(i + 2); ok {
			return true
		}
	}
	return r.fillsCell(i, i)
}

// sentenceStart reports whether the token at c begins a sentence, a line or
// a cell.
func (r *reader) sentenceStart(c int) bool {
	p := c - 1
	if p < 0 || r.toks[p].kind == tLine || r.toks[p].kind == tCell {
		return true
	}
	switch r.toks[p].low {
	case ".", "!", "?", ":", ";", "•", "–", "-", "*", "(", "«", "\"", "»", "\u201c", "\u201d":
		return true
	}
	return false
}

// countAt reads the count that starts at token i, if one does, with what
// stands around it. The caller marks the tokens it read as read.
func (r *reader) countAt(i int, threshold int) (expr, bool) {
	t := &r.toks[i]
	e := expr{first: i, last: i, kind: KindExact}
	val := 0
	switch t.kind {
	case tNum:
		if t.bad {
			return e, false
		}
		val = t.val
	case tWord:
		if t.dash {
			return e, false
		}
		if v, n := r.vague(i); n > 0 {
			val, e.last, e.kind = v, i+n-1, KindVague
		} else if v, ok := numberWord(t.low); ok {
			val = v
		} else if _, hi, ok := wordRange(t.low); ok {
			val, e.kind = hi, KindRange
		} else if article(t.low) && r.oneAt(i) {
			val = 1
			if limiter(r.word(i - 1)) {
				e.first = i - 1
			}
		} else {
			return e, false
		}
	default:
		return e, false
	}
	digit := t.kind == tNum

	// A bound before the count: "færre enn 5" is at most 4, "inntil 3" at
	// most 3; "over 3" and "minst 3" may be any number above.
	strict, inclusive := false, false
	if e.kind != KindVague && e.first == i {
		w1, p1 := r.wordBefore(i)
		w2, p2 := "", -1
		w3, p3 := "", -1
		if p1 >= 0 {
			w2, p2 = r.wordBefore(p1)
		}
		if p2 >= 0 {
			w3, p3 = r.wordBefore(p2)
		}
		switch {
		case w1 == "enn" && (w2 == "færre" || w2 == "mindre"):
			if w3 == "ikke" || w3 == "ikkje" {
				e.skip = true
			}
			e.first, strict = p2, true
		case w1 == "enn" && (w2 == "flere" || w2 == "fleire") && (w3 == "ikke" || w3 == "ikkje"):
			e.first, inclusive = p3, true
		case w1 == "enn" && (w2 == "flere" || w2 == "fleire" || w2 == "mer" || w2 == "meir"),
			w1 == "over" || w1 == "minst" || w1 == "minimum",
			w1 == "av" && w2 == "overkant":
			e.skip = true
		case w1 == "under":
			e.first, strict = p1, true
		case w1 == "inntil" || w1 == "opptil" || w1 == "høyst" || w1 == "maks" || w1 == "maksimalt" || w1 == "maksimum":
			e.first, inclusive = p1, true
		}
		if w1 == "" {
			switch r.punct(i - 1) {
			case "<":
				e.first, strict = i-1, true
			case "≤":
				e.first, inclusive = i-1, true
			case ">", "≥":
				e.skip = true
			}
		}
		if strict || inclusive {
			e.kind = KindBound
		}
	}

	// What stands before the count and its bound.
	c := r.context(e.first)
	cw, _ := r.wordBefore(c + 1)
	switch {
	case digit && reference(cw):
		e.skip = true // "side 4", "kapittel 3", "tiltak 2", "kl. 3"
	case rate(cw), money(cw), money(r.punct(c)):
		e.skip = true // "per 1000", "hver 3.", "kr 3"
	case (cw == "med" || cw == "uten" || cw == "utan") && r.personBefore(c):
		e.skip = true // "husstander med 3 barn": what a household is, not a count
	case digit && c == e.first-1 && c >= 0 && r.toks[c].kind == tWord && r.toks[c].upper &&
		(streetSuffix(r.toks[c].low) || !r.sentenceStart(c)):
		e.skip = true // "Storgata 3", "i Lia 2"
	}
	if digit && e.first == i {
		ln := r.lines[t.line]
		n := i + 1
		switch {
		case i == ln.first && !ln.row && n < len(r.toks) && !r.toks[n].space &&
			(r.punct(n) == "." || r.punct(n) == ")"):
			e.skip = true // a list or heading number: "1. Innledning", "2) ..."
		case i == ln.first && !ln.row && r.word(n) != "" && r.toks[n].upper:
			e.skip = true // a heading number: "3 Barn og unge"
		case r.punct(n) == "." && !r.toks[n].space && r.word(n+1) != "" && !r.toks[n+1].upper:
			e.skip = true // an ordinal or a date: "3. kvartal", "1. januar", "1.mai"
		}
	}

	// A range or list of counts: "2–3", "to eller tre", "3, 4 og 5".
	hi := val
	for range 3 {
		j := e.last + 1
		if !r.connector(j) {
			break
		}
		v, ok := r.plainNumber(j + 1)
		if !ok {
			break
		}
		e.last, hi = j+1, max(hi, v)
		if e.kind == KindExact {
			e.kind = KindRange
		}
	}
	e.count = hi
	if strict {
		e.count = hi - 1
	}

	// A part of a whole: "12 av 14 søkere", or a rate: "1 av 3 barn".
	if r.word(e.last+1) == "av" {
		j := e.last + 2
		if determiner(r.word(j)) {
			j++
		}
		if m, ok := r.plainNumber(j); ok {
			e.last = j
			switch m {
			case 2, 3, 4, 5, 10, 100, 1000:
				e.skip = true // "1 av 3 barn", "8 av 10 innbyggere": a rate
			}
			if e.count >= threshold && m > e.count && m-e.count < threshold {
				e.count, e.kind = m-e.count, KindComplement
			}
		}
	}

	// A unit after the count: "3 år", "3 %", "5 mill.", "3 per 1000".
	n := e.last + 1
	if w := r.word(n); unit(w) || w == "per" || w == "pr" {
		e.skip = true
	}
	if p := r.punct(n); p == "%" || p == "‰" || p == "°" {
		e.skip = true
	}
	return e, true
}

// personBefore reports whether a person word stands among the three words
// before c ("husstander med", "familier med barn og").
func (r *reader) personBefore(c int) bool {
	for k := c - 1; k >= c-3 && k >= 0 && r.toks[k].kind == tWord; k-- {
		if _, ok := lookupPerson(r.toks[k].low); ok && !r.toks[k].dash {
			return true
		}
	}
	return false
}

// isPerson reports whether j holds a person word.
func (r *reader) isPerson(j int) bool {
	if j < 0 || j >= len(r.toks) || r.toks[j].kind != tWord || r.toks[j].dash {
		return false
	}
	_, ok := lookupPerson(r.toks[j].low)
	return ok
}

// rateAfter reports whether the words after the person word at j make the
// count an average ("2 barn per familie", "2 barn i snitt").
func (r *reader) rateAfter(j int) bool {
	switch r.word(j + 1) {
	case "per", "pr":
		return true
	case "i":
		w := r.word(j + 2)
		return w == "snitt" || w == "gjennomsnitt"
	}
	return false
}

// head returns the person word a count counts, searched from j before
// limit: at most two adjectives may come first ("3 enslige mindreårige
// flyktninger" has two adjectival person words, "3 nye tilrettelagte
// boliger" ends at a noun that counts no persons). An adjectival person word
// is the head only when no person word follows it and what follows is not
// a noun it describes ("3 eldre i kommunen", not "3 eldre boliger").
func (r *reader) head(j, gaps, limit int) (int, bool) {
	for ; j < limit && j < len(r.toks); j++ {
		t := &r.toks[j]
		if t.kind != tWord {
			return 0, false
		}
		if p, ok := lookupPerson(t.low); ok && !t.dash {
			if p.adjectival {
				if h, ok := r.head(j+1, gaps, limit); ok {
					return h, true
				}
				if w := r.word(j + 1); w != "" && !follower(w) {
					return 0, false
				}
			}
			if r.rateAfter(j) {
				return 0, false
			}
			return j, true
		}
		if gaps >= 2 || t.dash || !modifier(t.low) {
			return 0, false
		}
		gaps++
	}
	return 0, false
}

// person returns the quote and the person word of the count e, if it
// counts persons or households: a person word after it ("3 familier", "to
// av barna"), before it with a colon or "antall ... var" ("Antall søkere:
// 3", "Talet på mottakarar var 3"), or in another cell of its table row
// ("Familier i midlertidig bolig | 3") or, for a row without a label, in
// the header row above it.
func (r *reader) person(e expr) (q0, q1, w int, ok bool) {
	j := e.last + 1
	partitive, pronoun := false, false
	if r.word(j) == "av" {
		partitive = true
		j++
		if w := r.word(j); determiner(w) {
			pronoun = w == "dem" || w == "dei" || w == "disse" || w == "desse"
			j++
		}
	}
	// "2 av dem er rullestolbrukere", "hvorav 2 er barnefamilier".
	if copula(r.word(j)) && (pronoun || !partitive && whereof(r.word(r.context(e.first)))) {
		j++
	}
	if h, ok := r.head(j, 0, j+maxWindow); ok {
		return e.first, h, h, true
	}
	if partitive {
		return 0, 0, 0, false
	}
	if n := e.last + 1; n < len(r.toks) && r.toks[n].kind == tWord {
		return 0, 0, 0, false // the count counts something else: "3 boliger"
	}
	if q, ok := r.personColon(e.first); ok {
		end := e.last
		if r.punct(q+1) == "(" && r.punct(end+1) == ")" {
			end++ // "flyktninger (3)"
		}
		return q, end, q, true
	}
	if h, ok := r.label(e); ok {
		return e.first, e.last, h, true
	}
	return 0, 0, 0, false
}

// copula reports whether w links a count to what it counts ("2 av dem er
// barn").
func copula(w string) bool {
	switch w {
	case "er", "var", "ble", "blei", "vart", "blir", "vert":
		return true
	}
	return false
}

// whereof reports whether w introduces a part of a whole named before
// ("hvorav 2 er barn").
func whereof(w string) bool {
	return w == "hvorav" || w == "herav" || w == "derav" || w == "kor"
}

// personColon returns the person word before a count that stands after it
// as a value: the head of the words before a colon ("Barn: 2", "Antall
// barn på venteliste: ca. 3"), the word before a bracket ("flyktninger
// (3)"), or the head after "antall" or "talet på" before a verb ("Antall
// søkere var 3").
func (r *reader) personColon(first int) (int, bool) {
	p := r.context(first)
	colon := false
	switch w := r.word(p); {
	case r.punct(p) == "(":
		return p - 1, r.isPerson(p - 1)
	case r.punct(p) == ":" || r.punct(p) == "=":
		colon = true
	case !copula(w) && w != "utgjorde" && w != "utgjør" && w != "utgjer":
		return 0, false
	}
	// The words before p, back to a sign or at most eight words, after
	// "antall" or "talet på" if they hold it.
	start, marked := p, false
	for k := p - 1; k >= 0 && k >= p-8 && r.toks[k].kind == tWord; k-- {
		w := r.toks[k].low
		if w == "antall" || w == "antallet" || (w == "på" && (r.word(k-1) == "tallet" || r.word(k-1) == "talet")) {
			start, marked = k+1, true
			break
		}
		start = k
	}
	if !colon && !marked {
		return 0, false
	}
	return r.head(start, 0, p)
}

// fillsCell reports whether the tokens first to last (with words such as
// "ca." before them) are all there is in a cell of a table row.
func (r *reader) fillsCell(first, last int) bool {
	ln := r.lines[r.toks[first].line]
	if !ln.row {
		return false
	}
	if p := r.context(first); p >= ln.first && r.toks[p].kind != tCell {
		return false
	}
	n := last + 1
	return n >= ln.end || r.toks[n].kind == tCell || r.toks[n].kind == tLine
}

// cells returns the token ranges of the cells of a row.
func (r *reader) cells(ln line) [][2]int {
	var cs [][2]int
	a := ln.first
	for k := ln.first; k < ln.end; k++ {
		switch r.toks[k].kind {
		case tCell:
			cs = append(cs, [2]int{a, k})
			a = k + 1
		case tLine:
			cs = append(cs, [2]int{a, k})
			return cs
		}
	}
	return append(cs, [2]int{a, ln.end})
}

// numeric reports whether a cell holds no words but numerals: a cell of
// values rather than a label.
func (r *reader) numeric(c [2]int) bool {
	for k := c[0]; k < c[1]; k++ {
		t := &r.toks[k]
		if t.kind != tWord {
			continue
		}
		if _, ok := numberWord(t.low); ok || article(t.low) || approx(t.low) ||
			t.low == "få" || t.low == "par" || t.low == "noen" || t.low == "nokre" {
			continue
		}
		return false
	}
	return true
}

// label returns the person word that a count filling a table cell counts:
// the head of the row's label, the nearest cell with words before it (or
// after it, when none is before it); for a row of numbers only, the head of
// the cell above it in the table's first row ("År | Familier" over
// "2024 | 3").
func (r *reader) label(e expr) (int, bool) {
	li := r.toks[e.first].line
	if !r.fillsCell(e.first, e.last) {
		return 0, false
	}
	ri := r.row(li)
	c, _ := slices.BinarySearchFunc(ri.cells, e.first, func(cell [2]int, t int) int { return cmp.Compare(cell[1], t) })
	c = min(c, len(ri.cells)-1)
	if l := ri.label[c]; l >= 0 {
		return r.labelHead(ri.cells[l])
	}
	h := r.top[li]
	if h == li {
		return 0, false
	}
	hs := r.row(h).cells
	if c >= len(hs) || r.numeric(hs[c]) {
		return 0, false
	}
	return r.labelHead(hs[c])
}

// labelHead returns the person word a label cell names ("Antall familier",
// "Enslige mindreårige flyktninger", "Husstander i midlertidig bolig"),
// unless the label names a share or an average ("Andel barn", "Per 1000
// innbyggere").
func (r *reader) labelHead(c [2]int) (int, bool) {
	h, ok := r.heads[c[0]]
	if !ok {
		h = -1
		if j, ok := r.readLabel(c); ok {
			h = j
		}
		r.heads[c[0]] = h
	}
	return h, h >= 0
}

// readLabel does the work of labelHead.
func (r *reader) readLabel(c [2]int) (int, bool) {
	for k := c[0]; k < c[1]; k++ {
		if w := r.toks[k].low; notCount(w) {
			return 0, false
		}
	}
	j := c[0]
	for j < c[1] {
		switch r.word(j) {
		case "antall", "antallet", "talet", "tallet", "på":
			j++
			continue
		}
		break
	}
	return r.head(j, 0, min(c[1], j+maxWindow))
}
