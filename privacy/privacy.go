// Package privacy finds small counts of persons or households in the text of
// a plan ("3 husstander", "to familier", "færre enn 5 personer", "én enslig
// mor"): in a small municipality such a count can point out the people
// behind it. SPEC.md §4 asks that these be flagged with their location and
// fixed or accepted before a draft is locked; this package only finds them.
// It is pure: no I/O, no state, the same findings for the same text.
//
// # What is found
//
// A count below the threshold (DefaultThreshold, 5, unless the plan sets
// another) next to a word for persons or households. The count is written
// with digits ("3", "1 200"), as a numeral in bokmål or nynorsk ("null" to
// "tjue" and on to "hundre": én/éin/ett/eitt, to, tre, fire, fem, seks,
// sju/syv, åtte, ni, ti, elleve, tolv, tretten, fjorten, femten, seksten,
// sytten/søtten, atten, nitten, tjue/tyve, tretti, ..., "tjueto"), as a range
// ("2–3", "to eller tre", "to-tre": the upper end is the count), as an upper
// bound ("færre enn 5", "mindre enn 5", "under 5", "<5" count as 4; "inntil",
// "opptil", "høyst", "maks" 5 as 5), vaguely ("et par"/"eit par" 2; "noen
// få"/"nokre få", "svært få", "et fåtall"/"eit fåtal" 3), or as a part whose
// rest is small ("12 av 14 søkere": the 2 not counted, KindComplement). The
// articles "en", "ein", "ei", "et", "eit" are the numeral one only after
// "bare"/"kun"/"berre", before "eneste"/"einaste" or "av", in a range ("en
// eller to") or alone in a table cell: "en familie kan søke" counts nobody.
// Zero counts nobody and is never flagged.
//
// The person or household word follows the count, after at most two
// adjectives ("3 enslige mindreårige flyktninger", "to psykisk syke"), after
// "av" ("to av barna", "3 av dei eldste bebuarane") or a verb ("2 av dem er
// rullestolbrukere", "hvorav 2 er barnefamilier"); or it stands before the
// count as a label ("Barn: 2", "Antall barn på venteliste: ca. 3",
// "flyktninger (3)", "Antall søkere var 3", "Talet på mottakarar var 3"); or,
// in a table, it heads the label cell of the row whose cell holds nothing
// but the count ("Husstander i midlertidig bolig | 3 | 12"), or, in a row of
// numbers only, the cell above in the table's first row ("År | Familier"
// over "2024 | 3"). A Quill table row's cells are separate lines; FindDoc
// joins them into one row, and in plain text a tab separates the cells of a
// line.
//
// The words, bokmål | nynorsk, each with its singular and plural,
// indefinite and definite forms (personer, personene | personar,
// personane), are listed in words.go: person, individ, innbygger |
// innbyggjar, beboer | bebuar, leieboer | leigebuar, husstand, hushald,
// husholdning, familie, barn | born, unge, ungdom, elev, søker | søkjar, bruker |
// brukar, mottaker | mottakar, leietaker | leigetakar, deltaker | deltakar,
// flyktning, innvandrer | innvandrar, tilflytter | tilflyttar, forelder,
// forsørger | forsørgjar, pensjonist, pasient, klient, student, kvinne,
// jente, mor, far, mann, gutt | gut, søsken | sysken, nabo, pårørende |
// pårørande, and the adjectives used as nouns enslig | einsleg, mindreårig,
// eldre, voksen | vaksen, bostedsløs | bustadlaus, hjemløs | heimlaus. Most
// nouns also count at the end of a compound ("boligsøkere",
// "barnefamilier", "sykehjemsbeboere", "bostøttemottakere"). Employees
// ("ansatte", "tilsette") are not persons here: they appear in their role.
//
// # What is not found
//
// Years ("i 2026", never below a threshold), shares ("3 %", "3 prosent"),
// money ("5 mill. kr", "kr 3"), multipliers ("3 tusen"), durations and
// measures ("5 år", "3 måneder", "3 km"), ordinals and dates ("3. kvartal",
// "1. januar", "1.1.2026"), decimals ("2,1 personer"), references ("side 4",
// "kapittel 3", "tabell 2", "tiltak 3", "trinn 5", "kl. 3"), addresses
// ("Storgata 3"), list and heading numbers at the start of a line ("1.
// Innledning", "3 Barn og unge"), compounds ("3-roms", "4-åringer"), rates
// and averages ("1 av 3 barn", "8 av 10 innbyggere", "per 1000
// innbyggere", "2 barn per familie"), lower bounds ("over 3", "minst 3",
// "flere enn 3"), what a household is rather than how many there are
// ("husstander med 3 barn"), counts at or above the threshold, and counts of
// anything but persons ("3 boliger", "4 tiltak", "3 eldre boliger").
//
// Not done: sums across cells that let a hidden cell be computed, and counts
// whose person word is in another sentence ("Av søkerne fikk 3 plass").
package privacy

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"

	"github.com/temaplan/temaplan/collab/delta"
)

// DefaultThreshold is the threshold when a plan sets none: counts below 5
// are flagged, the conservative choice (SSB masks below 3, others below 3 or
// 5).
const DefaultThreshold = 5

// Kind says how the count of a finding was written.
type Kind string

const (
	// KindExact is one number: "3 familier", "tre familier", "én mor".
	KindExact Kind = "exact"
	// KindRange is a range or list; Count is its upper end: "2–3 familier".
	KindRange Kind = "range"
	// KindBound is an upper bound; Count is the largest count it allows:
	// 4 for "færre enn 5 personer", 3 for "inntil 3 barn".
	KindBound Kind = "bound"
	// KindVague is a vague small quantity: "et par familier" (2), "noen få
	// barn" (3).
	KindVague Kind = "vague"
	// KindComplement is a part of a whole whose rest is small; Count is the
	// rest: 2 for "12 av 14 søkere".
	KindComplement Kind = "complement"
)

// Finding is one small count of persons or households in a section's text.
type Finding struct {
	// ID is stable while the quote stays as it is: a hash of the section,
	// the normalised quote and person word, and which of the equal quotes in
	// the section this is. An acceptance keyed to it survives edits
	// elsewhere in the section.
	ID string `json:"id"`
	// Index and Length locate the quote in UTF-16 code units, as Quill
	// counts (an embed counts one).
	Index  int `json:"index"`
	Length int `json:"length"`
	// Quote is the text from the count to the person word ("3 enslige
	// mødre", "Antall søkere var 3"); for a count in a table cell it is
	// the count alone, and Word is taken from its row's label.
	Quote string `json:"quote"`
	Count int    `json:"count"`
	Kind  Kind   `json:"kind"`
	// Word is the person or household word, as written.
	Word string `json:"word"`
}

// Find returns the small counts of persons or households in text, the plain
// text of the section sectionID, in the order they appear. Counts below
// threshold are flagged; threshold <= 0 means DefaultThreshold. A tab
// separates the cells of a table row.
func Find(sectionID, text string, threshold int) []Finding {
	return find(sectionID, text, text, nil, threshold)
}

// FindDoc returns the small counts of persons or households in doc, a Quill
// document (a Delta of inserts; other ops are skipped), as Find does. Each
// embed counts one character and separates words. The lines of one Quill
// table row (consecutive lines whose "table" attribute names the same row)
// are read as the cells of one row.
func FindDoc(sectionID string, doc delta.Delta, threshold int) []Finding {
	type newline struct {
		at  int    // byte offset in the text
		row string // the "table" attribute of the line it ends
	}
	var b strings.Builder
	var nls []newline
	for _, op := range doc.Ops {
		if op.Type() != delta.OpInsert {
			continue
		}
		if op.InsertEmbed != nil {
			b.WriteString("\uFFFC")
			continue
		}
		row, _ := op.Attributes["table"].(string)
		for k := 0; k < len(op.Insert); k++ {
			if op.Insert[k] == '\n' {
				nls = append(nls, newline{at: b.Len() + k, row: row})
			}
		}
		b.WriteString(op.Insert)
	}
	text := b.String()
	scan := []byte(text)
	rowStarts := map[int]bool{}
	start, rowStart := 0, 0
	for k, nl := range nls {
		if nl.row != "" {
			if k > 0 && nls[k-1].row == nl.row {
				// The line before is a cell of the same row: the newline
				// between them is a cell border.
				scan[nls[k-1].at] = '\t'
			} else {
				rowStart = start
			}
			rowStarts[rowStart] = true
		}
		start = nl.at + 1
	}
	return find(sectionID, text, string(scan), rowStarts, threshold)
}

// find reads scan, which is text with the borders of table cells written as
// tabs, and quotes text.
func find(sectionID, text, scan string, rowStarts map[int]bool, threshold int) []Finding {
	if threshold <= 0 {
		threshold = DefaultThreshold
	}
	toks, lines := tokenize(scan, rowStarts)
	r := newReader(toks, lines)
	read := make([]bool, len(toks))
	var out []Finding
	for i := range toks {
		if read[i] {
			continue
		}
		e, ok := r.countAt(i, threshold)
		if !ok {
			continue
		}
		for k := e.first; k <= e.last; k++ {
			read[k] = true
		}
		if e.skip || e.count < 1 || e.count >= threshold {
			continue
		}
		q0, q1, w, ok := r.person(e)
		if !ok {
			continue
		}
		a, z, wt := toks[q0], toks[q1], toks[w]
		out = append(out, Finding{
			Index:  a.u0,
			Length: z.u1 - a.u0,
			Quote:  text[a.b0:z.b1],
			Count:  e.count,
			Kind:   e.kind,
			Word:   text[wt.b0:wt.b1],
		})
	}
	slices.SortStableFunc(out, func(a, b Finding) int { return cmp.Compare(a.Index, b.Index) })
	seen := map[string]int{}
	for k := range out {
		key := normalize(out[k].Quote) + "\x00" + normalize(out[k].Word)
		seen[key]++
		out[k].ID = findingID(sectionID, key, seen[key])
	}
	return out
}

// normalize returns s in lower case with each run of white space (a line
// break or cell border too) as one space, so that reflowing a quote keeps
// its finding's ID.
func normalize(s string) string {
	return strings.ReplaceAll(strings.Join(strings.Fields(strings.ToLower(s)), " "), "e\u0301", "é")
}

// findingID returns the ID of the occurrence-th finding (from 1) with key
// in section sectionID: 24 hex digits of a SHA-256.
func findingID(sectionID, key string, occurrence int) string {
	h := sha256.New()
	h.Write([]byte(sectionID))
	h.Write([]byte{0})
	h.Write([]byte(key))
	h.Write([]byte{0})
	h.Write(strconv.AppendInt(nil, int64(occurrence), 10))
	return hex.EncodeToString(h.Sum(nil)[:12])
}
