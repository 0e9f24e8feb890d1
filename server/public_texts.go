package server

import (
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/mail"
)

// The fixed texts of the public pages (/h/:token, /v/:token) in bokmål and
// nynorsk. A page is in the language ?lang= asks for (nb or nn), else the
// municipality's setting (auth.MunicipalitySettings.Language), else
// bokmål; each page links to itself in the other language, which works
// without script.

// publicTexts is one language's fixed texts of the public pages.
type publicTexts struct {
	Lang, Other, OtherLink string
	// The hearing page.
	HearingPrefix, PublicHearing, Deadline, Skip              string
	ThanksTitle, ReceiptNo, KeepIt, ReceiptMailed, Moderation string
	Contents, GiveResponse, Privacy, PrivacyText, Storage     string
	Retention                                                 string
	Name, Organisation, Email, Section, WholePlan, Quote      string
	Response, Honeypot, Send, DeadlinePassed, PublishedTitle  string
	Concerns, NonePublished, Footer, MeasureRemoved           string
	NotFoundTitle, NotFound, ClosedTitle, Closed, TooMany     string
	// Why a response was refused.
	ErrClosed, ErrTooLarge, ErrEmpty, ErrEmail, ErrSection, ErrOther string
	// The adopted plan's page.
	AdoptedBy, CaseNumber, AdoptedNotFoundTitle, AdoptedNotFound string
}

// HearingRetention is the retention the hearing page states (bokmål),
// and what collab.RetentionEnds computes: docs/hearing.md "Retention".
const HearingRetention = "Innspill lagres i Temaplan til tre måneder etter at planen er vedtatt, og slettes senest to år etter høringsfristen. " +
	"Da slettes navn, organisasjon, e-postadresse og tekst; bare kvitteringsnummeret og at innspillet er slettet, blir stående. " +
	"Innspillet er et saksdokument (offentleglova § 4) og arkiveres i kommunens arkiv etter arkivloven."

var textsNB = publicTexts{
	Lang: auth.LangBokmal, Other: auth.LangNynorsk, OtherLink: "Les på nynorsk",
	HearingPrefix: "Høring: ", PublicHearing: "offentlig høring", Deadline: "Høringsfrist:", Skip: "Gå til skjemaet for innspill",
	ThanksTitle: "Takk for innspillet", ReceiptNo: "Kvitteringsnummer:", KeepIt: "Ta vare på nummeret.",
	ReceiptMailed: "Vi har også sendt en kvittering på e-post.",
	Moderation:    "Innspill publiseres på denne siden etter at kommunen har gått gjennom dem.",
	Contents:      "Innhold", GiveResponse: "Gi innspill", Privacy: "Personvern",
	PrivacyText: "Navn og organisasjon er frivillig. Kommunen bruker opplysningene til å behandle innspillet i planarbeidet, " +
		"og kan publisere innspillet med navn og organisasjon på denne siden etter gjennomgang. E-postadressen brukes bare til å " +
		"sende deg en kvittering og vises ikke offentlig. Ikke skriv opplysninger om helse eller andre personlige forhold.",
	Storage: "Lagring:", Retention: HearingRetention,
	Name: "Navn (frivillig)", Organisation: "Organisasjon (frivillig)", Email: "E-post for kvittering (frivillig)",
	Section: "Gjelder del av planen (frivillig)", WholePlan: "Hele planen", Quote: "Sitat fra teksten innspillet gjelder (frivillig)",
	Response: "Innspill", Honeypot: "Nettsted (la stå tomt)", Send: "Send innspill",
	DeadlinePassed: "Høringsfristen er ute. Høringen tar ikke imot flere innspill.", PublishedTitle: "Publiserte innspill",
	Concerns: "Gjelder:", NonePublished: "Ingen innspill er publisert ennå.", Footer: "Levert av Temaplan.",
	MeasureRemoved: "Tiltaket er fjernet",
	NotFoundTitle:  "Fant ikke høringen", NotFound: "Lenken er feil, eller høringen finnes ikke lenger.",
	ClosedTitle: "Høringen er avsluttet", Closed: "Høringen er avsluttet, og siden viser ikke lenger høringsutkastet.",
	TooMany:     "Du har sendt mange innspill på kort tid. Vent litt og prøv igjen.",
	ErrClosed:   "Høringsfristen er ute, og høringen tar ikke imot flere innspill.",
	ErrTooLarge: "Innspillet er for langt. Navn og organisasjon kan ha 200 tegn, teksten 20 000 tegn og sitatet 1 000 tegn.",
	ErrEmpty:    "Skriv innspillet ditt i tekstfeltet.",
	ErrEmail:    "E-postadressen ser ikke riktig ut. Du kan også la feltet stå tomt.",
	ErrSection:  "Velg en del av planen fra listen.",
	ErrOther:    "Innspillet kunne ikke tas imot. Kontroller feltene og prøv igjen.",
	AdoptedBy:   "Vedtatt av", CaseNumber: "saksnummer",
	AdoptedNotFoundTitle: "Fant ikke planen", AdoptedNotFound: "Lenken er feil, eller planen finnes ikke.",
}

var textsNN = publicTexts{
	Lang: auth.LangNynorsk, Other: auth.LangBokmal, OtherLink: "Les på bokmål",
	HearingPrefix: "Høyring: ", PublicHearing: "offentleg høyring", Deadline: "Høyringsfrist:", Skip: "Gå til skjemaet for innspel",
	ThanksTitle: "Takk for innspelet", ReceiptNo: "Kvitteringsnummer:", KeepIt: "Ta vare på nummeret.",
	ReceiptMailed: "Vi har òg sendt ei kvittering på e-post.",
	Moderation:    "Innspel blir publiserte på denne sida etter at kommunen har gått gjennom dei.",
	Contents:      "Innhald", GiveResponse: "Gje innspel", Privacy: "Personvern",
	PrivacyText: "Namn og organisasjon er frivillig. Kommunen bruker opplysningane til å behandle innspelet i planarbeidet, " +
		"og kan publisere innspelet med namn og organisasjon på denne sida etter gjennomgang. E-postadressa blir berre brukt til å " +
		"sende deg ei kvittering og blir ikkje vist offentleg. Ikkje skriv opplysningar om helse eller andre personlege forhold.",
	Storage: "Lagring:",
	Retention: "Innspel blir lagra i Temaplan til tre månader etter at planen er vedteken, og blir sletta seinast to år etter høyringsfristen. " +
		"Då blir namn, organisasjon, e-postadresse og tekst sletta; berre kvitteringsnummeret og at innspelet er sletta, blir ståande. " +
		"Innspelet er eit saksdokument (offentleglova § 4) og blir arkivert i arkivet til kommunen etter arkivlova.",
	Name: "Namn (frivillig)", Organisation: "Organisasjon (frivillig)", Email: "E-post for kvittering (frivillig)",
	Section: "Gjeld del av planen (frivillig)", WholePlan: "Heile planen", Quote: "Sitat frå teksten innspelet gjeld (frivillig)",
	Response: "Innspel", Honeypot: "Nettstad (la stå tomt)", Send: "Send innspel",
	DeadlinePassed: "Høyringsfristen er ute. Høyringa tek ikkje imot fleire innspel.", PublishedTitle: "Publiserte innspel",
	Concerns: "Gjeld:", NonePublished: "Ingen innspel er publiserte enno.", Footer: "Levert av Temaplan.",
	MeasureRemoved: "Tiltaket er fjerna",
	NotFoundTitle:  "Fann ikkje høyringa", NotFound: "Lenkja er feil, eller høyringa finst ikkje lenger.",
	ClosedTitle: "Høyringa er avslutta", Closed: "Høyringa er avslutta, og sida viser ikkje lenger høyringsutkastet.",
	TooMany:     "Du har sendt mange innspel på kort tid. Vent litt og prøv igjen.",
	ErrClosed:   "Høyringsfristen er ute, og høyringa tek ikkje imot fleire innspel.",
	ErrTooLarge: "Innspelet er for langt. Namn og organisasjon kan ha 200 teikn, teksten 20 000 teikn og sitatet 1 000 teikn.",
	ErrEmpty:    "Skriv innspelet ditt i tekstfeltet.",
	ErrEmail:    "E-postadressa ser ikkje rett ut. Du kan òg la feltet stå tomt.",
	ErrSection:  "Vel ein del av planen frå lista.",
	ErrOther:    "Innspelet kunne ikkje takast imot. Kontroller felta og prøv igjen.",
	AdoptedBy:   "Vedteken av", CaseNumber: "saksnummer",
	AdoptedNotFoundTitle: "Fann ikkje planen", AdoptedNotFound: "Lenkja er feil, eller planen finst ikkje.",
}

// publicLanguage returns the texts of a public page: ?lang= when it names
// nb or nn, else the language of municipality (the plan's; "" when no
// plan was found), else bokmål.
func (s *Server) publicLanguage(c echo.Context, municipality string) *publicTexts {
	switch strings.TrimSpace(c.QueryParam("lang")) {
	case auth.LangNynorsk:
		return &textsNN
	case auth.LangBokmal:
		return &textsNB
	}
	if municipality != "" {
		if m, err := s.cfg.Accounts.Municipality(c.Request().Context(), municipality); err == nil && m.Settings.Language == auth.LangNynorsk {
			return &textsNN
		}
	}
	return &textsNB
}

// mailLang is the language of the e-mails a public page sends.
func (t *publicTexts) mailLang() mail.Lang {
	if t.Lang == auth.LangNynorsk {
		return mail.LangNN
	}
	return mail.LangNB
}

// responseError says in the page's language what is wrong with a
// response.
func (t *publicTexts) responseError(err error) string {
	msg := collab.ErrorMessage(err)
	switch {
	case collab.ErrorCode(err) == collab.CodeHearingClosed:
		return t.ErrClosed
	case collab.ErrorCode(err) == collab.CodeTooLarge:
		return t.ErrTooLarge
	case strings.Contains(msg, "text must not be empty"):
		return t.ErrEmpty
	case strings.HasPrefix(msg, "email"):
		return t.ErrEmail
	case strings.HasPrefix(msg, "section"):
		return t.ErrSection
	}
	return t.ErrOther
}
