package privacy_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/temaplan/temaplan/privacy"
)

// want is an expected finding: its quote, count and person word.
type want struct {
	quote string
	count int
	word  string
}

func (w want) String() string { return fmt.Sprintf("%q (%d, %s)", w.quote, w.count, w.word) }

// sentences is the table the detector is measured on: true positives in
// bokmål and nynorsk, and the traps it must not fall into. The threshold
// is DefaultThreshold unless a case sets one.
var sentences = []struct {
	name      string
	text      string
	threshold int
	want      []want
}{
	// Small counts, bokmål.
	{name: "digits and household", text: "I bygda bor det 3 husstander som mottar bostøtte.",
		want: []want{{"3 husstander", 3, "husstander"}}},
	{name: "numeral at the start", text: "To familier står på venteliste til kommunal bolig.",
		want: []want{{"To familier", 2, "familier"}}},
	{name: "færre enn", text: "Færre enn 5 personer fikk innvilget startlån i 2024.",
		want: []want{{"Færre enn 5 personer", 4, "personer"}}},
	{name: "stressed one", text: "Én enslig mor har fått tildelt bolig i sentrum.",
		want: []want{{"Én enslig mor", 1, "mor"}}},
	{name: "refugees", text: "Kommunen tok imot fire flyktninger i fjor.",
		want: []want{{"fire flyktninger", 4, "flyktninger"}}},
	{name: "et par", text: "Et par familier har meldt behov for tilrettelagt bolig.",
		want: []want{{"Et par familier", 2, "familier"}}},
	{name: "under", text: "Under 3 søkere fikk avslag på søknaden.",
		want: []want{{"Under 3 søkere", 2, "søkere"}}},
	{name: "pupils, place name after", text: "Det er 2 elever med behov for skoleskyss fra Øvre Dal.",
		want: []want{{"2 elever", 2, "elever"}}},
	{name: "one patient", text: "Bare 1 pasient venter på sykehjemsplass.",
		want: []want{{"1 pasient", 1, "pasient"}}},
	{name: "compound at line start", text: "3 sykehjemsbeboere flyttet til omsorgsbolig i 2025.",
		want: []want{{"3 sykehjemsbeboere", 3, "sykehjemsbeboere"}}},
	{name: "range and two adjectives", text: "Blant søkerne var det 2–3 enslige mindreårige flyktninger.",
		want: []want{{"2–3 enslige mindreårige flyktninger", 3, "flyktninger"}}},
	{name: "label with colon", text: "Antall leietakere: 4",
		want: []want{{"leietakere: 4", 4, "leietakere"}}},
	{name: "table row with tabs", text: "Husstander i midlertidig bolig\t3\t12",
		want: []want{{"3", 3, "Husstander"}}},
	{name: "elderly as a noun", text: "Tre eldre i Nedre Bygd har fått trygghetsalarm.",
		want: []want{{"Tre eldre", 3, "eldre"}}},
	{name: "complement", text: "Vedtaket gjelder 12 av 14 søkere.",
		want: []want{{"12 av 14 søkere", 2, "søkere"}}},
	{name: "partitive", text: "I år får to av barna tilbud om leksehjelp.",
		want: []want{{"to av barna", 2, "barna"}}},
	{name: "med without a household before it", text: "Kommunen har kontakt med 3 familier med barn under 18 år.",
		want: []want{{"3 familier", 3, "familier"}}},
	{name: "neuter one", text: "Ett barn venter på barnehageplass i Lia.",
		want: []want{{"Ett barn", 1, "barn"}}},
	{name: "one of the users", text: "Én av brukerne har vedtak om brukerstyrt personlig assistanse.",
		want: []want{{"Én av brukerne", 1, "brukerne"}}},
	{name: "young adults", text: "Fire unge voksne bor i bofellesskapet.",
		want: []want{{"Fire unge voksne", 4, "voksne"}}},
	{name: "bare en", text: "Det er bare en familie i bygda som mottar bostøtte.",
		want: []want{{"bare en familie", 1, "familie"}}},
	{name: "noen få, ett år", text: "Noen få boligsøkere har ventet i over ett år.",
		want: []want{{"Noen få boligsøkere", 3, "boligsøkere"}}},
	{name: "table reference before a count", text: "Tabell 2 viser at 3 barnefamilier bor trangt.",
		want: []want{{"3 barnefamilier", 3, "barnefamilier"}}},
	{name: "label, colon and ca.", text: "Antall barn på venteliste: ca. 3",
		want: []want{{"barn på venteliste: ca. 3", 3, "barn"}}},
	{name: "count in brackets", text: "Bosatte flyktninger (3) fikk tilbud om introduksjonsprogram.",
		want: []want{{"flyktninger (3)", 3, "flyktninger"}}},
	{name: "antall ... var", text: "Antall søkere var 3, mot 11 året før.",
		want: []want{{"søkere var 3", 3, "søkere"}}},
	{name: "higher threshold", text: "Sju brukere mottok tjenesten.", threshold: 10,
		want: []want{{"Sju brukere", 7, "brukere"}}},
	{name: "hyphenated range", text: "Det bor to-tre familier i grenda.",
		want: []want{{"to-tre familier", 3, "familier"}}},
	{name: "høyst", text: "Høyst 3 deltakere fullførte kurset.",
		want: []want{{"Høyst 3 deltakere", 3, "deltakere"}}},
	{name: "adjective as a noun", text: "Kommunen hjalp 2 bostedsløse i vinter.",
		want: []want{{"2 bostedsløse", 2, "bostedsløse"}}},
	{name: "two counts in one sentence", text: "I boligen bor 2 voksne og 3 barn.",
		want: []want{{"2 voksne", 2, "voksne"}, {"3 barn", 3, "barn"}}},
	{name: "of them", text: "Ventelisten hadde 14 søkere; 2 av dem er rullestolbrukere.",
		want: []want{{"2 av dem er rullestolbrukere", 2, "rullestolbrukere"}}},
	{name: "hvorav", text: "I alt 12 husstander fikk startlån, hvorav 2 er barnefamilier.",
		want: []want{{"2 er barnefamilier", 2, "barnefamilier"}}},
	{name: "table header over a row of numbers", text: "År\tFamilier i midlertidig bolig\tPersoner\n2024\t3\t9\n2025\t4\t11",
		want: []want{{"3", 3, "Familier"}, {"4", 4, "Familier"}}},
	{name: "label with ca.", text: "Antall barn i barnevernet\tca. 3",
		want: []want{{"3", 3, "barn"}}},

	// Small counts, nynorsk.
	{name: "nn residents", text: "Det budde tre bebuarar i bygget i fjor.",
		want: []want{{"tre bebuarar", 3, "bebuarar"}}},
	{name: "nn eitt hushald", text: "Berre eitt hushald fekk startlån.",
		want: []want{{"eitt hushald", 1, "hushald"}}},
	{name: "nn berre ein", text: "Berre ein einsleg far og to barn bur i bustaden.",
		want: []want{{"Berre ein einsleg far", 1, "far"}, {"to barn", 2, "barn"}}},
	{name: "nn nokre få", text: "Nokre få ungdomar manglar fast bustad.",
		want: []want{{"Nokre få ungdomar", 3, "ungdomar"}}},
	{name: "nn talet på", text: "Talet på mottakarar var 3.",
		want: []want{{"mottakarar var 3", 3, "mottakarar"}}},
	{name: "nn families", text: "Fire familiar fekk tilbod om ny bustad.",
		want: []want{{"Fire familiar", 4, "familiar"}}},
	{name: "nn applicants", text: "Det står to søkjarar på ventelista.",
		want: []want{{"to søkjarar", 2, "søkjarar"}}},
	{name: "nn ein av", text: "Ein av elevane har behov for tilrettelegging.",
		want: []want{{"Ein av elevane", 1, "elevane"}}},
	{name: "nn færre enn fem", text: "Færre enn fem brukarar nytta tilbodet.",
		want: []want{{"Færre enn fem brukarar", 4, "brukarar"}}},
	{name: "nn unaccompanied minors", text: "Kommunen busette to einslege mindreårige flyktningar.",
		want: []want{{"to einslege mindreårige flyktningar", 2, "flyktningar"}}},
	{name: "nn eit par", text: "Eit par leigetakarar har klaga på støy.",
		want: []want{{"Eit par leigetakarar", 2, "leigetakarar"}}},
	{name: "nn part of a whole", text: "3 av dei 12 bebuarane fekk ny bustad.",
		want: []want{{"3 av dei 12 bebuarane", 3, "bebuarane"}}},
	{name: "nn born", text: "Ho har ansvar for to born i fosterheim.",
		want: []want{{"to born", 2, "born"}}},
	{name: "nn lower threshold", text: "Det bur 2 familiar i grenda.", threshold: 3,
		want: []want{{"2 familiar", 2, "familiar"}}},

	// Traps, bokmål.
	{name: "years", text: "Planen gjelder for perioden 2026–2029, og i 2027 skal den rulleres."},
	{name: "percent sign", text: "3 % av husstandene bor trangt."},
	{name: "prosent", text: "Om lag 3 prosent av innbyggerne mottar sosialhjelp."},
	{name: "money", text: "Tiltaket har en ramme på 3 mill. kr til barnefamilier."},
	{name: "addresses", text: "Boligene i Storgata 3 og Kirkeveien 4 leies ut til familier."},
	{name: "months", text: "Ventetiden er 3 måneder for barnefamilier."},
	{name: "age", text: "Barn under 3 år har rett til barnehageplass."},
	{name: "ordinals and dates", text: "Rapporten kommer i 3. kvartal, og fristen for søkere er 1. januar."},
	{name: "page, chapter, table", text: "Se side 4 og kapittel 3 om barn og unge, og tabell 2 om flyktninger."},
	{name: "things, not persons", text: "Kommunen har 3 boliger for barnefamilier og 4 tiltak for ungdom."},
	{name: "at the threshold", text: "Fem familier fikk startlån i 2025."},
	{name: "thousands", text: "Det bor 1 200 innbyggere i bygda."},
	{name: "article", text: "En familie med barn kan søke om bostøtte."},
	{name: "household size", text: "Husstander med 3 barn eller flere prioriteres."},
	{name: "decimal average", text: "Gjennomsnittlig bor det 2,1 personer per husstand."},
	{name: "heading number", text: "3 Barn og unge i kommunen"},
	{name: "rate", text: "1 av 3 barn i lavinntektsfamilier deltar ikke i fritidsaktiviteter."},
	{name: "survey share", text: "8 av 10 innbyggere er fornøyde med tjenestene."},
	{name: "lower bound", text: "Over 3 familier har søkt om startlån."},
	{name: "rooms", text: "Boligen har 3 soverom og passer for store familier."},
	{name: "measure number", text: "Tiltak 3: Flere boliger til unge i etableringsfasen."},
	{name: "older dwellings", text: "I 2026 skal 3 eldre boliger rehabiliteres."},
	{name: "millions and age compound", text: "Det er satt av 2 millioner kroner til tiltak for 3-åringer."},
	{name: "every third", text: "Hver 3. innbygger er over 67 år."},
	{name: "clock", text: "Møtet med foreldrene starter kl. 3."},
	{name: "share row", text: "Andel barn i lavinntekt\t3"},
	{name: "row of dwellings", text: "Kommunale boliger\t4\t6"},
	{name: "row of dwellings for families", text: "Boliger for familier\t3"},
	{name: "years ago", text: "De 3 siste årene har kommunen bosatt 40 flyktninger."},
	{name: "employees", text: "Kommunen har 4 ansatte i boligkontoret."},
	{name: "amount per child", text: "Tilskuddet er på 3 000 kroner per barn."},
	{name: "difference", text: "Det var 3 flere søkere i år enn i fjor."},
	{name: "per child average", text: "Familiene har i snitt 2 barn."},
	{name: "suspended compound", text: "Kommunen bygger 3 familie- og omsorgsboliger."},
	{name: "at or above a lower threshold", text: "Kommunen bosatte 4 flyktninger.", threshold: 3},
	{name: "appendix title", text: "Vedlegg 2 Barn i lavinntektsfamilier"},
	{name: "share after a colon", text: "Barn i lavinntektsfamilier: 3 %"},
	{name: "share in a cell", text: "Barnefamilier\t3 %"},
	{name: "count of measures after a colon", text: "Barn og unge: 3 tiltak"},
	{name: "generic articles", text: "Et barn har rett til barnehageplass, og ei mor kan søke om støtte."},
	{name: "one of the challenges", text: "Boligmangel er en av de største utfordringene for unge."},
	{name: "dwellings of which", text: "Kommunen eier 120 boliger, hvorav 3 er tilpasset personer med nedsatt funksjonsevne."},

	// Traps, nynorsk.
	{name: "nn weeks", text: "Ventetida er 3 veker for barnefamiliar."},
	{name: "nn every third", text: "Kvar 3. elev opplever mobbing."},
	{name: "nn period", text: "Planen gjeld for 2026–2029 og skal rullerast kvart fjerde år."},
	{name: "nn share", text: "Om lag 4 prosent av innbyggjarane får sosialhjelp."},
	{name: "nn dwellings", text: "Kommunen har 2 bustader for ungdomar og 4 tiltak for eldre."},
	{name: "nn household size", text: "Hushald med 2 barn får ekstra støtte."},
}

// TestFind_Sentences checks the detector against the table and logs its
// precision and recall; both must be 100 %.
func TestFind_Sentences(t *testing.T) {
	var tp, fp, fn int
	for _, tc := range sentences {
		got := privacy.Find("section-1", tc.text, tc.threshold)
		matched := make([]bool, len(got))
		for _, w := range tc.want {
			found := false
			for k, g := range got {
				if !matched[k] && g.Quote == w.quote && g.Count == w.count && g.Word == w.word {
					matched[k], found = true, true
					break
				}
			}
			if found {
				tp++
			} else {
				fn++
				t.Errorf("%s: %q: missed %v; got %+v", tc.name, tc.text, w, got)
			}
		}
		for k, g := range got {
			if !matched[k] {
				fp++
				t.Errorf("%s: %q: false positive %q (%d, %s)", tc.name, tc.text, g.Quote, g.Count, g.Word)
			}
		}
	}
	precision, recall := ratio(tp, tp+fp), ratio(tp, tp+fn)
	t.Logf("%d sentences, %d expected findings: TP %d, FP %d, FN %d; precision %.1f %%, recall %.1f %%",
		len(sentences), tp+fn, tp, fp, fn, precision, recall)
	if len(sentences) < 40 {
		t.Errorf("the table has %d sentences, want at least 40", len(sentences))
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 100
	}
	return 100 * float64(a) / float64(b)
}

func TestFind_Kinds(t *testing.T) {
	for _, tc := range []struct {
		text string
		kind privacy.Kind
	}{
		{"Det bor 3 familier her.", privacy.KindExact},
		{"Det bor 2–3 familier her.", privacy.KindRange},
		{"Færre enn 5 familier bor her.", privacy.KindBound},
		{"Et par familier bor her.", privacy.KindVague},
		{"Vedtaket gjelder 12 av 14 søkere.", privacy.KindComplement},
	} {
		got := privacy.Find("s", tc.text, 0)
		if len(got) != 1 || got[0].Kind != tc.kind {
			t.Errorf("%q: got %+v, want one finding of kind %s", tc.text, got, tc.kind)
		}
	}
}

func TestFind_EmptyAndNothing(t *testing.T) {
	for _, text := range []string{"", "\n", "Ingen tall her.", "3", "tre", "🏠"} {
		if got := privacy.Find("s", text, 5); len(got) != 0 {
			t.Errorf("%q: got %+v, want nothing", text, got)
		}
	}
}

// TestFind_StableIDEditBefore checks that an edit before a finding moves it
// but keeps its ID, so that an acceptance keyed to the ID still holds.
func TestFind_StableIDEditBefore(t *testing.T) {
	before := privacy.Find("sec", "Det bor 3 familier i grenda.", 0)
	after := privacy.Find("sec", "Innledning om det boligsosiale arbeidet. 🏠\nDet bor 3 familier i grenda, og mer tekst etter.", 0)
	if len(before) != 1 || len(after) != 1 {
		t.Fatalf("got %+v and %+v, want one finding each", before, after)
	}
	if before[0].ID != after[0].ID {
		t.Errorf("ID changed from %s to %s after an edit before the finding", before[0].ID, after[0].ID)
	}
	if before[0].Index == after[0].Index {
		t.Errorf("index did not move: %d", after[0].Index)
	}
}

func TestFind_StableIDOtherFindingAfter(t *testing.T) {
	a := privacy.Find("sec", "Det bor 3 familier i grenda.", 0)
	b := privacy.Find("sec", "Det bor 3 familier i grenda. Det bor også 2 pensjonister der.", 0)
	if len(a) != 1 || len(b) != 2 || a[0].ID != b[0].ID {
		t.Fatalf("got %+v and %+v, want the first ID kept", a, b)
	}
}

func TestFind_StableIDReflow(t *testing.T) {
	a := privacy.Find("sec", "Det bor 3 familier i grenda.", 0)
	b := privacy.Find("sec", "Det bor 3\u00a0 familier i grenda.", 0)
	if len(a) != 1 || len(b) != 1 || a[0].ID != b[0].ID {
		t.Fatalf("got %+v and %+v, want the ID kept when only white space changes", a, b)
	}
}

func TestFind_EqualQuotesGetDistinctIDs(t *testing.T) {
	text := "I nord bor 3 familier. I sør bor 3 familier."
	got := privacy.Find("sec", text, 0)
	if len(got) != 2 || got[0].ID == got[1].ID {
		t.Fatalf("got %+v, want two findings with distinct IDs", got)
	}
	// An edit between them keeps both IDs.
	edited := privacy.Find("sec", "I nord bor 3 familier. Her er en lang ny setning. I sør bor 3 familier.", 0)
	if len(edited) != 2 || edited[0].ID != got[0].ID || edited[1].ID != got[1].ID {
		t.Errorf("got %+v after an edit between, want the IDs %s and %s", edited, got[0].ID, got[1].ID)
	}
}

func TestFind_IDDependsOnSectionAndQuote(t *testing.T) {
	a := privacy.Find("sec-a", "Det bor 3 familier.", 0)
	b := privacy.Find("sec-b", "Det bor 3 familier.", 0)
	c := privacy.Find("sec-a", "Det bor 4 familier.", 0)
	if len(a) != 1 || len(b) != 1 || len(c) != 1 {
		t.Fatalf("got %+v, %+v, %+v", a, b, c)
	}
	if a[0].ID == b[0].ID || a[0].ID == c[0].ID {
		t.Errorf("IDs %s, %s, %s: want them to differ by section and by quote", a[0].ID, b[0].ID, c[0].ID)
	}
}

// TestFind_UTF16AfterEmoji checks that positions are counted in UTF-16
// code units, as Quill counts them: each emoji outside the BMP counts 2.
func TestFind_UTF16AfterEmoji(t *testing.T) {
	text := "👨‍👩‍👧 Det bor 3 familier i 🏠-en. 😀 Og ett barn."
	got := privacy.Find("s", text, 0)
	if len(got) != 2 {
		t.Fatalf("got %+v, want two findings", got)
	}
	// 👨 ZWJ 👩 ZWJ 👧 = 2+1+2+1+2 = 8 units, then " Det bor " = 9.
	if got[0].Index != 17 || got[0].Length != len("3 familier") || got[0].Quote != "3 familier" {
		t.Errorf("first finding %+v, want index 17, length 10", got[0])
	}
	// "3 familier i " 13, 🏠 2, "-en. " 5, 😀 2, " Og " 4.
	if want := 17 + 13 + 2 + 5 + 2 + 4; got[1].Index != want || got[1].Quote != "ett barn" {
		t.Errorf("second finding %+v, want index %d", got[1], want)
	}
	for _, f := range got {
		if q := utf16Slice(text, f.Index, f.Index+f.Length); q != f.Quote {
			t.Errorf("text at %d+%d is %q, quote %q", f.Index, f.Length, q, f.Quote)
		}
	}
}

// utf16Slice returns the text between two UTF-16 offsets of s.
func utf16Slice(s string, from, to int) string {
	var b strings.Builder
	u := 0
	for _, r := range s {
		n := 1
		if r >= 0x10000 {
			n = 2
		}
		if u >= from && u+n <= to {
			b.WriteRune(r)
		}
		u += n
	}
	return b.String()
}

func BenchmarkFind(b *testing.B) {
	var sb strings.Builder
	for sb.Len() < 20000 { // a long section
		for _, tc := range sentences {
			sb.WriteString(tc.text)
			sb.WriteString("\n")
		}
	}
	text := sb.String()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		privacy.Find("sec", text, 0)
	}
}
