package mail

import (
	"strings"
	"testing"
	"time"
)

// TestTemplates_EveryKindInEveryLanguage renders every kind of message in
// both languages from a full view: each has a subject and a text, nothing
// is left unfilled, and the digest's notifications have their line.
func TestTemplates_EveryKindInEveryLanguage(t *testing.T) {
	tpl, err := loadTemplates("https://plan.example.no")
	if err != nil {
		t.Fatal(err)
	}
	v := view{Name: "Åse", Actor: "Kari", Municipality: "Ærøy kommune", Plan: "Boligplan", Section: "Innledning",
		Excerpt: "Hva med <b>dette</b>?", Message: "Les før møtet", Sections: []string{"Innledning"}, Deadline: "13. mars 2026",
		Day: "10. mars 2026", Expires: "17. mars 2026 kl. 10.00", Receipt: "HX7", Submitted: "12. mars 2026 kl. 14.05",
		Link: "https://plan.example.no/x", Settings: "https://plan.example.no/varsler",
		Items: []DigestItem{{Subject: "Emne", Text: "Linje", Link: "https://plan.example.no/y"}}}
	digestible := map[Kind]bool{KindMention: true, KindRoundRequest: true, KindRoundReminder: true}
	for _, lang := range Langs() {
		for _, kind := range Kinds() {
			subject, text, html, err := tpl.render(lang, kind, v)
			if err != nil {
				t.Errorf("%s %s: %v", lang, kind, err)
				continue
			}
			if subject == "" || strings.ContainsAny(subject, "\r\n") || len(text) < 40 || !strings.HasPrefix(html, "<!DOCTYPE html>") {
				t.Errorf("%s %s: subject %q, text %q, html %.40q", lang, kind, subject, text, html)
			}
			for _, s := range []string{subject, text, html} {
				if strings.Contains(s, "<no value>") || strings.Contains(s, "{{") {
					t.Errorf("%s %s: unfilled: %q", lang, kind, s)
				}
			}
			if strings.Contains(html, "<b>") {
				t.Errorf("%s %s: a person's text became markup: %s", lang, kind, html)
			}
			line, err := tpl.line(lang, kind, v)
			if digestible[kind] != (err == nil && line != "") {
				t.Errorf("%s %s: line %q, %v (digestible %v)", lang, kind, line, err, digestible[kind])
			}
		}
	}
}

// TestTemplates_HTMLLinksOnlyTheServersOwn checks that only the server's
// own links become clickable in the HTML part.
func TestTemplates_HTMLLinksOnlyTheServersOwn(t *testing.T) {
	tpl, err := loadTemplates("https://plan.example.no")
	if err != nil {
		t.Fatal(err)
	}
	html, err := tpl.html(LangNB, "Emne", "Hei\n\nhttps://evil.example/phish\nhttps://plan.example.no/plans/p1\njavascript:alert(1)\n\n--\nBunn")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html, `<a href="https://plan.example.no/plans/p1"`) || strings.Contains(html, `href="https://evil`) ||
		strings.Contains(html, `href="javascript`) || !strings.Contains(html, "<hr") {
		t.Errorf("HTML:\n%s", html)
	}
}

func TestLongDate(t *testing.T) {
	at := time.Date(2026, 12, 3, 7, 5, 0, 0, time.UTC)
	if got := longTime(at); got != "3. desember 2026 kl. 07.05" {
		t.Errorf("longTime = %q", got)
	}
	if got := dayDate("2026-01-31"); got != "31. januar 2026" {
		t.Errorf("dayDate = %q", got)
	}
	if got := dayDate("bogus"); got != "bogus" {
		t.Errorf("dayDate(bogus) = %q", got)
	}
	if got := excerpt(strings.Repeat("ord ", 100), 20); got != "ord ord ord ord ord …" {
		t.Errorf("excerpt = %q", got)
	}
}
