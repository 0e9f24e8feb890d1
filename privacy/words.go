package privacy

import (
	"strings"
	"unicode/utf8"
)

// The word lists of the detector are switch statements rather than maps so
// that the package holds no state at all. Every word is looked up in lower
// case, with "e" + U+0301 composed to "é".

// personWord is a word for a person or a household.
type personWord struct {
	// adjectival marks a word that is also an adjective ("eldre",
	// "enslige", "unge"): "3 eldre" are persons, "3 eldre boliger" are not.
	adjectival bool
}

// personForm reports whether w is an inflected form of a person or household
// word, and whether the word also ends compounds ("boligsøkere",
// "barnefamilier", "sykehjemsbeboere"). Short words that end unrelated words
// ("mor" in "humor", "unge" in "tunge") do not.
func personForm(w string) (p personWord, compounds, ok bool) {
	switch w {
	// Bokmål | nynorsk, singular and plural, indefinite and definite.
	case "person", "personen", "personer", "personene", "personar", "personane",
		"individ", "individet", "individer", "individene", "individa",
		"innbygger", "innbyggeren", "innbyggere", "innbyggerne",
		"innbyggjar", "innbyggjaren", "innbyggjarar", "innbyggjarane",
		"beboer", "beboeren", "beboere", "beboerne",
		"bebuar", "bebuaren", "bebuarar", "bebuarane",
		"leieboer", "leieboeren", "leieboere", "leieboerne",
		"leigebuar", "leigebuaren", "leigebuarar", "leigebuarane",
		"husstand", "husstanden", "husstander", "husstandene", "husstandar", "husstandane",
		"hushald", "hushaldet", "hushalda", "husholdning", "husholdningen", "husholdninger", "husholdningene",
		"familie", "familien", "familier", "familiene", "familiar", "familiane",
		"barn", "barnet", "barna", "barnene",
		"ungdom", "ungdommen", "ungdommer", "ungdommene", "ungdomen", "ungdomar", "ungdomane",
		"elev", "eleven", "elever", "elevene", "elevar", "elevane",
		"søker", "søkeren", "søkere", "søkerne", "søkjar", "søkjaren", "søkjarar", "søkjarane",
		"bruker", "brukeren", "brukere", "brukerne", "brukar", "brukaren", "brukarar", "brukarane",
		"mottaker", "mottakeren", "mottakere", "mottakerne", "mottakar", "mottakaren", "mottakarar", "mottakarane",
		"leietaker", "leietakeren", "leietakere", "leietakerne",
		"leigetakar", "leigetakaren", "leigetakarar", "leigetakarane",
		"deltaker", "deltakeren", "deltakere", "deltakerne", "deltakar", "deltakaren", "deltakarar", "deltakarane",
		"flyktning", "flyktningen", "flyktninger", "flyktningene", "flyktningar", "flyktningane",
		"innvandrer", "innvandreren", "innvandrere", "innvandrerne",
		"innvandrar", "innvandraren", "innvandrarar", "innvandrarane",
		"tilflytter", "tilflytteren", "tilflyttere", "tilflytterne",
		"tilflyttar", "tilflyttaren", "tilflyttarar", "tilflyttarane",
		"forelder", "forelderen", "foreldre", "foreldrene", "foreldra",
		"forsørger", "forsørgeren", "forsørgere", "forsørgerne",
		"forsørgjar", "forsørgjaren", "forsørgjarar", "forsørgjarane",
		"pensjonist", "pensjonisten", "pensjonister", "pensjonistene", "pensjonistar", "pensjonistane",
		"pasient", "pasienten", "pasienter", "pasientene", "pasientar", "pasientane",
		"klient", "klienten", "klienter", "klientene", "klientar", "klientane",
		"student", "studenten", "studenter", "studentene", "studentar", "studentane",
		"kvinne", "kvinnen", "kvinna", "kvinner", "kvinnene",
		"jente", "jenta", "jenten", "jenter", "jentene":
		return personWord{}, true, true
	case "unge", "enslig", "enslige", "einsleg", "einslege",
		"mindreårig", "mindreårige", "eldre",
		"voksen", "voksne", "vaksen", "vaksne",
		"bostedsløs", "bostedsløse", "bustadlaus", "bustadlause",
		"hjemløs", "hjemløse", "heimlaus", "heimlause":
		return personWord{adjectival: true}, false, true
	case "ungen", "unger", "ungene", "ungar", "ungane",
		"mor", "moren", "mora", "mødre", "mødrene", "mødrer",
		"far", "faren", "fedre", "fedrene", "fedrar", "fedrane",
		"mann", "mannen", "menn", "mennene",
		"gutt", "gutten", "gutter", "guttene", "gut", "guten", "gutar", "gutane",
		"born", "bornet", "borna", // nynorsk for barn
		"søsken", "søsknene", "sysken", "syskena",
		"nabo", "naboen", "naboer", "naboene", "naboar", "naboane",
		"pårørende", "pårørande":
		return personWord{}, false, true
	}
	return personWord{}, false, false
}

// lookupPerson reports whether w (lower case) is a person or household word:
// a form personForm knows, a compound ending in one that compounds
// ("boligsøkere"), or a hyphenated compound whose last part is one
// ("barne-familier").
func lookupPerson(w string) (personWord, bool) {
	if i := strings.LastIndexByte(w, '-'); i >= 0 {
		w = w[i+1:]
	}
	if p, _, ok := personForm(w); ok {
		return p, true
	}
	// The first part of a compound has at least two letters; the shortest
	// compounding form ("barn", "elev") has four.
	for k := 2; k+4 <= len(w); k++ {
		if !utf8.RuneStart(w[k]) {
			continue
		}
		if p, compounds, ok := personForm(w[k:]); ok && compounds {
			return p, true
		}
	}
	return personWord{}, false
}

// numberWord returns the value of a numeral written as a word, in bokmål or
// nynorsk: "null" to "tjue", the tens to "hundre", and compounds of a ten
// and a unit ("tjueto", "trettifem"). The indefinite articles "en", "ein",
// "ei", "et", "eit" are not numerals here (see article); the stressed "én",
// "éin", "éi" and the neuter numerals "ett", "eitt" are.
func numberWord(w string) (int, bool) {
	if v, ok := unitWord(w); ok {
		return v, true
	}
	switch w {
	case "ti":
		return 10, true
	case "elleve":
		return 11, true
	case "tolv":
		return 12, true
	case "tretten":
		return 13, true
	case "fjorten":
		return 14, true
	case "femten":
		return 15, true
	case "seksten":
		return 16, true
	case "sytten", "søtten":
		return 17, true
	case "atten":
		return 18, true
	case "nitten":
		return 19, true
	case "hundre":
		return 100, true
	}
	for _, t := range [...]struct {
		word string
		v    int
	}{{"tjue", 20}, {"tyve", 20}, {"tretti", 30}, {"tredve", 30}, {"førti", 40},
		{"femti", 50}, {"seksti", 60}, {"sytti", 70}, {"søtti", 70}, {"åtti", 80}, {"nitti", 90}} {
		if w == t.word {
			return t.v, true
		}
		if rest, ok := strings.CutPrefix(w, t.word); ok {
			if u, ok := unitWord(rest); ok && u > 0 {
				return t.v + u, true
			}
			if rest == "en" || rest == "ein" {
				return t.v + 1, true
			}
		}
	}
	return 0, false
}

// unitWord returns the value of the numerals 0 to 9.
func unitWord(w string) (int, bool) {
	switch w {
	case "null":
		return 0, true
	case "én", "éin", "éi", "ett", "eitt":
		return 1, true
	case "to":
		return 2, true
	case "tre":
		return 3, true
	case "fire":
		return 4, true
	case "fem":
		return 5, true
	case "seks":
		return 6, true
	case "sju", "syv":
		return 7, true
	case "åtte":
		return 8, true
	case "ni":
		return 9, true
	}
	return 0, false
}

// article reports whether w is an indefinite article, which is also the
// numeral one: "en familie kan søke" speaks of any family, "bare en
// familie" of one.
func article(w string) bool {
	switch w {
	case "en", "ein", "ei", "et", "eit":
		return true
	}
	return false
}

// limiter reports whether w, before an article, makes it the numeral one
// ("bare en", "berre ein", "kun et").
func limiter(w string) bool {
	switch w {
	case "bare", "kun", "berre", "blott", "akkurat", "nøyaktig", "eksakt":
		return true
	}
	return false
}

// approx reports whether w may stand before a count without changing what
// is counted ("ca. 3", "om lag 3", "bare 3").
func approx(w string) bool {
	switch w {
	case "ca", "cirka", "circa", "omtrent", "omkring", "rundt", "lag", "nesten", "nærmere", "knapt",
		"snaut", "bare", "kun", "berre", "totalt", "samlet", "samla", "alle", "de", "dei":
		return true
	}
	return false
}

// determiner reports whether w may stand between "av" and what it counts
// ("to av de eldste beboerne", "3 av dei 12 søkjarane").
func determiner(w string) bool {
	switch w {
	case "de", "dei", "disse", "desse", "våre", "dem":
		return true
	}
	return false
}

// unit reports whether w, right after a number, says it is not a count of
// persons: a duration, a share, an amount of money, a multiplier or a
// measure ("3 år", "3 prosent", "5 mill.", "3 tusen", "3 km").
func unit(w string) bool {
	switch w {
	case "år", "åra", "årene", "års", "årig", "årige",
		"måned", "måneden", "måneder", "månedene", "måneds", "måneders",
		"månad", "månaden", "månader", "månadene", "mnd", "md",
		"uke", "uka", "uken", "uker", "ukene", "ukes", "ukers",
		"veke", "veka", "veker", "vekene", "vekes",
		"dag", "dagen", "dager", "dagene", "dagar", "dagane", "døgn",
		"time", "timen", "timer", "timene", "timar", "timane", "t",
		"min", "minutt", "minutter", "minuttar", "sekund", "sekunder", "sekundar",
		"kvartal", "halvår", "tertial", "semester", "skoleår", "skuleår",
		"prosent", "pst", "prosentpoeng", "promille",
		"kr", "kroner", "krone", "nok", "mill", "million", "millioner", "millionar",
		"mrd", "milliard", "milliarder", "milliardar", "tusen", "hundre", "hundretusen",
		"km", "kilometer", "m", "meter", "mil", "kvm", "kvadratmeter", "dekar",
		"kg", "kilo", "liter", "grader", "ganger", "gonger":
		return true
	}
	return false
}

// reference reports whether w, right before a number, makes it a reference
// or a label rather than a count ("side 4", "kapittel 3", "tabell 2",
// "tiltak 3", "trinn 5", "kl. 3").
func reference(w string) bool {
	switch w {
	case "side", "sida", "sidene", "s", "kapittel", "kapitel", "kap", "tabell", "tabellen",
		"figur", "figuren", "fig", "vedlegg", "punkt", "pkt", "paragraf", "§", "ledd",
		"del", "delmål", "avsnitt", "nr", "nummer", "tiltak", "tiltaket", "mål", "målet",
		"strategi", "innsatsområde", "satsingsområde", "fokusområde", "trinn", "klasse",
		"klassetrinn", "rad", "kolonne", "alternativ", "fase", "steg", "versjon", "sak",
		"saksnr", "gnr", "bnr", "fnr", "snr", "postboks", "rom", "etasje", "bygg", "blokk",
		"linje", "rute", "kvartal", "tertial", "uke", "veke", "gruppe", "område", "sone",
		"nivå", "kategori", "type", "prioritet", "region", "krets", "kl", "klokka", "klokken",
		"tlf", "telefon", "mob", "rv", "fv", "ev", "e", "år", "året", "skoleåret", "skuleåret",
		"budsjettåret", "jf", "jfr", "lov", "forskrift", "vei", "veg":
		return true
	}
	return false
}

// rate reports whether w, right before a number, makes it part of a rate
// or an average ("per 1000", "hver 3.", "gjennomsnittlig 2").
func rate(w string) bool {
	switch w {
	case "per", "pr", "hver", "hvert", "kvar", "kvart", "gjennomsnittlig", "gjennomsnitt",
		"snitt", "snittet", "median", "medianen":
		return true
	}
	return false
}

// money reports whether w, right before a number, makes it an amount.
func money(w string) bool {
	switch w {
	case "kr", "kroner", "nok", "$", "€", "£", "eur", "usd":
		return true
	}
	return false
}

// streetSuffix reports whether a capitalised word before a number is a
// street or place name of an address ("Storgata 3", "Kirkevegen 12").
func streetSuffix(w string) bool {
	for _, s := range [...]string{"gata", "gate", "gaten", "veien", "vegen", "vei", "veg", "plass",
		"plassen", "bakken", "bakke", "stien", "allé", "torget", "tunet", "lia",
		"haugen", "svingen", "brygga", "brygge", "kaia", "ringen", "løkka", "jordet", "myra",
		"åsen", "holmen", "kroken", "sletta", "tangen", "vika", "vollen"} {
		if strings.HasSuffix(w, s) {
			return true
		}
	}
	return false
}

// follower reports whether w, after an adjectival person word, shows that
// the word stands for persons ("3 eldre i kommunen", "to enslige som ...")
// rather than describing a thing that follows ("3 eldre boliger").
func follower(w string) bool {
	switch w {
	case "som", "og", "eller", "i", "på", "av", "med", "uten", "utan", "til", "fra", "frå",
		"for", "hos", "ved", "mellom", "innenfor", "utenfor", "innanfor", "utanfor", "under",
		"alene", "aleine", "åleine", "heime", "hjemme",
		"fikk", "får", "fekk", "har", "hadde", "er", "var", "ble", "blei", "vart", "blir", "vert",
		"bor", "bur", "bodde", "budde", "kan", "skal", "må", "vil", "kunne", "skulle",
		"venter", "ventar", "venta", "ventet", "trenger", "treng", "trengte", "trong",
		"mangler", "manglar", "mangla", "manglet", "mottar", "mottek", "mottok", "tok",
		"søker", "søkjer", "søkte", "flyttet", "flytta", "flytter", "flyttar",
		"står", "sto", "stod", "lever", "levde", "deltar", "deltek", "deltok",
		"opplever", "opplevde", "ønsker", "ønskjer", "ønsket", "ønska",
		"sitter", "sit", "satt", "kom", "kommer", "kjem", "besøkte", "meldte", "melder":
		return true
	}
	return false
}

// stopword reports whether w can never stand between a count and the
// person word it counts, even though it looks like an adjective.
func stopword(w string) bool {
	switch w {
	case "de", "dei", "disse", "desse", "ikke", "ikkje", "både", "bare", "berre", "være", "vere",
		"ble", "blei", "hadde", "skulle", "kunne", "ville", "måtte", "burde", "gjorde", "sine",
		"våre", "dine", "mine", "hverandre", "kvarandre", "kanskje", "hvilke", "kva", "mange",
		"mellom", "rundt", "ute", "inne", "oppe", "nede", "hjemme", "heime",
		"bodde", "budde", "søkte", "fikk", "fekk", "trengte", "flyttet", "flytta",
		// A difference, not a count: "3 flere søkere enn i fjor".
		"flere", "fleire", "færre", "mindre", "mer", "meir":
		return true
	}
	return false
}

// adverb reports whether w is a word that may stand between a count and a
// person word without ending like an adjective ("3 psykisk syke").
func adverb(w string) bool {
	switch w {
	case "ny", "nye", "gammel", "ung", "syk", "sjuk", "svært", "veldig", "særlig", "spesielt",
		"helt", "mest", "litt", "eneste", "einaste":
		return true
	}
	return false
}

// modifier reports whether w may stand between a count and the person word
// it counts: an adjective ("nye", "enslige", "tilrettelagte",
// "vanskeligstilte", "psykisk") or one of a few adverbs. A plural noun
// ("boliger", "tiltak") ends the search.
func modifier(w string) bool {
	if stopword(w) || unit(w) {
		return false
	}
	if adverb(w) {
		return true
	}
	if utf8.RuneCountInString(w) < 3 {
		return false
	}
	for _, s := range [...]string{"e", "ig", "leg", "sk"} {
		if strings.HasSuffix(w, s) {
			return true
		}
	}
	return false
}

// notCount reports whether a word in a table row's label says the row's
// numbers are not counts of persons ("Andel barn", "Per 1000 innbyggere").
func notCount(w string) bool {
	switch w {
	case "andel", "andelen", "delen", "prosent", "prosentdel", "%", "per", "pr", "gjennomsnitt",
		"gjennomsnittlig", "snitt", "median", "rate", "promille", "‰":
		return true
	}
	return false
}
