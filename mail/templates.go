package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"text/template"
	"time"
)

// templateFiles are the messages' templates: one text/template file per
// language (templates/nb.txt, templates/nn.txt) defining, for every kind,
// "<kind>.subject" and "<kind>.text" (and "<kind>.line" for the
// notifications a digest may hold), and the html/template layout of the
// HTML alternative (templates/layout.html).
//
//go:embed templates
var templateFiles embed.FS

// view is what a template sees. Each kind uses the fields it needs; every
// value is plain text (the HTML part escapes it).
type view struct {
	// Name is the recipient's name.
	Name string
	// Actor is who caused the message: the administrator who invited,
	// the author of a comment, the leader who sent a review round.
	Actor        string
	Municipality string
	Plan         string
	Section      string
	Excerpt      string
	Message      string
	Sections     []string
	Deadline     string
	Day          string
	Expires      string
	Receipt      string
	Submitted    string
	Link         string
	// Settings is the link to the notification settings.
	Settings string
	// SSO says the recipient logs in through the municipality's single
	// sign-on (an invitation then has no password link).
	SSO   bool
	Items []DigestItem
}

// templates are the parsed templates of every language.
type templates struct {
	text   map[Lang]*template.Template
	layout *htmltemplate.Template
	// linkPrefix starts the links that the HTML part makes clickable: the
	// server's own (PublicURL), never a link someone wrote in a comment.
	linkPrefix string
}

func loadTemplates(linkPrefix string) (*templates, error) {
	t := &templates{text: map[Lang]*template.Template{}, linkPrefix: linkPrefix}
	funcs := template.FuncMap{
		// indent continues a multi-line text at the indentation of a
		// quote.
		"indent": func(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n  ") },
	}
	for _, l := range Langs() {
		tt, err := template.New(string(l)).Funcs(funcs).Option("missingkey=error").ParseFS(templateFiles, "templates/"+string(l)+".txt")
		if err != nil {
			return nil, fmt.Errorf("mail templates %s: %w", l, err)
		}
		t.text[l] = tt
	}
	layout, err := htmltemplate.ParseFS(templateFiles, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("mail templates: %w", err)
	}
	t.layout = layout
	return t, nil
}

// render returns the subject, text and HTML of a message of kind in lang.
func (t *templates) render(lang Lang, kind Kind, v view) (subject, text, html string, err error) {
	tt := t.text[lang]
	if tt == nil {
		tt = t.text[LangNB]
	}
	subject, err = t.exec(tt, string(kind)+".subject", v)
	if err != nil {
		return "", "", "", err
	}
	subject = strings.Join(strings.Fields(cleanHeader(subject)), " ")
	text, err = t.exec(tt, string(kind)+".text", v)
	if err != nil {
		return "", "", "", err
	}
	text = strings.TrimSpace(text) + "\n"
	html, err = t.html(lang, subject, text)
	if err != nil {
		return "", "", "", err
	}
	return subject, text, html, nil
}

// line returns the line a notification of kind shows in a digest.
func (t *templates) line(lang Lang, kind Kind, v view) (string, error) {
	tt := t.text[lang]
	if tt == nil {
		tt = t.text[LangNB]
	}
	return t.exec(tt, string(kind)+".line", v)
}

func (t *templates) exec(tt *template.Template, name string, v view) (string, error) {
	var b bytes.Buffer
	if err := tt.ExecuteTemplate(&b, name, v); err != nil {
		return "", fmt.Errorf("mail template %s/%s: %w", tt.Name(), name, err)
	}
	return b.String(), nil
}

// htmlLine is a line of a paragraph of the HTML part; URL makes it a link.
type htmlLine struct {
	Text string
	URL  htmltemplate.URL
}

// htmlBlock is a paragraph of the HTML part, or a rule (the "--" before a
// footer).
type htmlBlock struct {
	Lines []htmlLine
	Rule  bool
}

// html lays the text out as the HTML alternative: a paragraph per block of
// lines, the server's links clickable. The text is escaped by
// html/template like any other value, so nothing a person wrote becomes
// markup.
func (t *templates) html(lang Lang, subject, text string) (string, error) {
	var blocks []htmlBlock
	var cur []htmlLine
	flush := func() {
		if len(cur) > 0 {
			blocks = append(blocks, htmlBlock{Lines: cur})
			cur = nil
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "":
			flush()
		case trimmed == "--":
			flush()
			blocks = append(blocks, htmlBlock{Rule: true})
		case t.linkPrefix != "" && strings.HasPrefix(trimmed, t.linkPrefix) && !strings.ContainsAny(trimmed, " \t"):
			// The URL is the server's own, built by this package; as
			// any URL it is still filtered by html/template.
			cur = append(cur, htmlLine{Text: trimmed, URL: htmltemplate.URL(trimmed)})
		default:
			cur = append(cur, htmlLine{Text: line})
		}
	}
	flush()
	var b bytes.Buffer
	if err := t.layout.ExecuteTemplate(&b, "layout.html", map[string]any{"Lang": string(lang), "Subject": subject, "Blocks": blocks}); err != nil {
		return "", fmt.Errorf("mail template layout: %w", err)
	}
	return b.String(), nil
}

// monthNames are the months in bokmål and nynorsk alike.
const monthNames = "januar februar mars april mai juni juli august september oktober november desember"

// longDate writes a date the Norwegian way: "2. februar 2026".
func longDate(t time.Time) string {
	return fmt.Sprintf("%d. %s %d", t.Day(), strings.Fields(monthNames)[t.Month()-1], t.Year())
}

// longTime writes a date and time the Norwegian way: "2. februar 2026 kl. 14.05".
func longTime(t time.Time) string {
	return fmt.Sprintf("%s kl. %02d.%02d", longDate(t), t.Hour(), t.Minute())
}

// dayDate writes a YYYY-MM-DD date as longDate does, or returns it as it
// is when it is no such date.
func dayDate(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return longDate(t)
}
