package server

import (
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/delta"
	"github.com/temaplan/temaplan/export"
	"github.com/temaplan/temaplan/mail"
	"github.com/temaplan/temaplan/render"
)

// The public hearing page (SPEC.md §8): GET /h/:token shows the frozen
// Høringsutkast — only the text and content frozen with it, never later
// edits, comments or reviewers — with the deadline in its header, a
// privacy notice with the retention, the published responses and the
// response form; POST /h/:token takes a response. No login: the token,
// 160 random bits, is the only key. The page is server-rendered HTML
// (html/template escapes every value; the plan's text comes through the
// escaping Delta→HTML renderer), with a CSP that allows no script at all
// and a Referrer-Policy that keeps the token out of other sites' logs.
// It is in bokmål or nynorsk (public_texts.go). The adopted plan's page
// (public_adopted.go) shares its renderer: publicFrame, publicSections
// and the templates of publicBase.

// hearingCSP allows the page's own inline style and form posts to itself,
// nothing else.
const hearingCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; " +
	"base-uri 'none'; frame-ancestors 'none'"

// honeypotField is the form field people never fill in (it is hidden);
// a response that has it is answered as if taken, and dropped.
const honeypotField = "website"

// maxFormBytes bounds a posted response form.
const maxFormBytes = 64 << 10

// routesHearing registers the public pages: the hearing and the adopted
// plan.
func (s *Server) routesHearing(e *echo.Echo) {
	e.GET("/h/:token", s.publicHearing)
	e.POST("/h/:token", s.publicRespond)
	e.GET("/v/:token", s.publicAdopted)
}

// hearingHeaders sets a public page's headers: its own CSP, no referrer,
// no caching, no indexing.
func hearingHeaders(c echo.Context) {
	h := c.Response().Header()
	h.Set("Content-Security-Policy", hearingCSP)
	h.Set("Referrer-Policy", "no-referrer")
	h.Set(echo.HeaderCacheControl, "no-store")
	h.Set("X-Robots-Tag", "noindex, nofollow")
}

// publicFrame is what every public page shows around its content: the
// texts of its language, the municipality, the plan's title and the
// version shown, and the version's sections.
type publicFrame struct {
	T                   *publicTexts
	Title, Municipality string
	Version             string
	Sections            []pageSection
	Error               string
}

// hearingPage is what the hearing page's template shows.
type hearingPage struct {
	publicFrame
	Deadline       string
	Open           bool
	Published      []publishedResponse
	SectionChoices []pageSection
	Receipt        string
	ReceiptMail    bool
	Form           collab.ResponseInput
	Closed         bool
}

type pageSection struct {
	ID, Number, Title string
	Level             int
	Body              template.HTML
}

type publishedResponse struct {
	Sender, Received, Text, Section, Quote string
}

// publicSections renders a frozen version's outline with its texts
// through the escaping renderer, numbered; titles maps each section's id
// to its number and title.
func publicSections(t *publicTexts, vc collab.VersionContent, texts map[string]delta.Delta) (sections []pageSection, titles map[string]string) {
	measures := map[string]string{}
	for _, m := range vc.Measures {
		measures[m.ID] = m.Title
	}
	opt := render.Options{HeadingShift: 1, DeletedMeasure: t.MeasureRemoved,
		Measure: func(id string) (render.MeasureView, bool) {
			title, ok := measures[id]
			return render.MeasureView{Title: "Tiltak: " + title}, ok
		}}
	titles = map[string]string{}
	var walk func(list []*collab.Section, depth int, prefix string)
	walk = func(list []*collab.Section, depth int, prefix string) {
		for i, sec := range list {
			n := prefix + strconv.Itoa(i+1)
			titles[sec.ID] = n + " " + sec.Title
			ps := pageSection{ID: sec.ID, Number: n, Title: sec.Title, Level: min(depth+2, 6)}
			if d, ok := texts[sec.ID]; ok {
				ps.Body = template.HTML(render.HTML(render.Blocks(d), opt)) //nolint:gosec // render escapes every text and attribute
			}
			sections = append(sections, ps)
			walk(sec.Children, depth+1, n+".")
		}
	}
	walk(vc.Sections, 0, "")
	return sections, titles
}

// hearingPlan finds the plan of the token and checks the public may read
// its hearing version.
func (s *Server) hearingPlan(c echo.Context) (*collab.Plan, error) {
	if s.cfg.Hearings == nil {
		return nil, errNoHearings()
	}
	p, err := s.cfg.Hearings.PlanForToken(c.Request().Context(), c.Param("token"))
	if err != nil {
		return nil, err
	}
	if err := auth.Allowed([]auth.Role{auth.RolePublic}, auth.ActionReadHearingVersion, p.Phase); err != nil {
		return p, collab.Errorf(collab.CodeHearingClosed, "the hearing is over")
	}
	return p, nil
}

// planMunicipality is the municipality of p, "" when there is no plan.
func planMunicipality(p *collab.Plan) string {
	if p == nil {
		return ""
	}
	return p.Municipality
}

func (s *Server) publicHearing(c echo.Context) error {
	hearingHeaders(c)
	p, err := s.hearingPlan(c)
	t := s.publicLanguage(c, planMunicipality(p))
	if err != nil {
		return s.hearingError(c, t, p, err)
	}
	page, err := s.hearingPageOf(c, t, p)
	if err != nil {
		return err
	}
	return s.renderHearing(c, http.StatusOK, page)
}

// hearingError answers the page for a token that opens nothing, or a
// hearing that is over.
func (s *Server) hearingError(c echo.Context, t *publicTexts, p *collab.Plan, err error) error {
	switch collab.ErrorCode(err) {
	case collab.CodeNotFound:
		return s.renderHearing(c, http.StatusNotFound, hearingPage{Closed: true,
			publicFrame: publicFrame{T: t, Title: t.NotFoundTitle, Error: t.NotFound}})
	case collab.CodeHearingClosed:
		title := t.ClosedTitle
		if p != nil {
			title = p.Title
		}
		return s.renderHearing(c, http.StatusGone, hearingPage{Closed: true,
			publicFrame: publicFrame{T: t, Title: title, Error: t.Closed}})
	}
	return err
}

// hearingPageOf reads the frozen version and the published responses.
func (s *Server) hearingPageOf(c echo.Context, t *publicTexts, p *collab.Plan) (hearingPage, error) {
	ctx := c.Request().Context()
	v, vc, texts, err := s.cfg.Hearings.HearingText(ctx, p)
	if err != nil {
		return hearingPage{}, err
	}
	page := hearingPage{publicFrame: publicFrame{T: t, Title: p.Title, Version: v.Name},
		Open: p.Hearing.Open(s.cfg.Hearings.Now()), Deadline: p.Hearing.Deadline}
	if d, err := time.Parse(time.DateOnly, p.Hearing.Deadline); err == nil {
		page.Deadline = export.Date(d)
	}
	if m, err := s.cfg.Accounts.Municipality(ctx, p.Municipality); err == nil {
		page.Municipality = m.Name
	}
	sections, titles := publicSections(t, vc, texts)
	page.Sections, page.SectionChoices = sections, sections
	pub, err := s.cfg.Hearings.Published(ctx, p.ID)
	if err != nil {
		return hearingPage{}, err
	}
	for _, r := range pub {
		page.Published = append(page.Published, publishedResponse{Sender: r.Sender(), Received: export.Date(r.Received.In(s.cfg.Zone)),
			Text: r.Text, Section: titles[r.Section], Quote: r.Quote})
	}
	return page, nil
}

func (s *Server) publicRespond(c echo.Context) error {
	hearingHeaders(c)
	p, err := s.hearingPlan(c)
	t := s.publicLanguage(c, planMunicipality(p))
	if err != nil {
		return s.hearingError(c, t, p, err)
	}
	if err := auth.Allowed([]auth.Role{auth.RolePublic}, auth.ActionSubmitHearingResponse, p.Phase); err != nil || p.Archived {
		return s.hearingError(c, t, p, collab.Errorf(collab.CodeHearingClosed, "the hearing is over"))
	}
	ip := auth.ClientIP(c.Request(), s.cfg.TrustedProxies)
	if err := s.cfg.HearingLimiter.Allow(ip, "hearing "+ip.String()); err != nil {
		if after, ok := auth.RetryAfter(err); ok {
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(after.Seconds())))
		}
		page, perr := s.hearingPageOf(c, t, p)
		if perr != nil {
			return perr
		}
		page.Error = t.TooMany
		return s.renderHearing(c, http.StatusTooManyRequests, page)
	}
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return collab.Errorf(collab.CodeTooLarge, "the response is larger than %d bytes", maxFormBytes)
		}
		return collab.Errorf(collab.CodeBadRequest, "the form could not be read")
	}
	in := collab.ResponseInput{Name: r.PostForm.Get("name"), Organisation: r.PostForm.Get("organisation"),
		Email: r.PostForm.Get("email"), Text: r.PostForm.Get("text"), Section: r.PostForm.Get("section"), Quote: r.PostForm.Get("quote")}
	page, err := s.hearingPageOf(c, t, p)
	if err != nil {
		return err
	}
	if r.PostForm.Get(honeypotField) != "" {
		// A robot: thanked, and nothing is stored.
		page.Receipt = "Mottatt"
		return s.renderHearing(c, http.StatusOK, page)
	}
	resp, err := s.cfg.Hearings.Respond(c.Request().Context(), p, in)
	if err != nil {
		status, ok := httpStatus(collab.ErrorCode(err))
		if !ok || status >= 500 {
			return err
		}
		page.Form, page.Error = in, t.responseError(err)
		page.Open = page.Open && collab.ErrorCode(err) != collab.CodeHearingClosed
		return s.renderHearing(c, status, page)
	}
	page.Receipt = resp.ID
	if resp.Email != "" && s.cfg.Mail != nil {
		err := s.cfg.Mail.SendHearingReceipt(mailContext(c), mail.HearingReceipt{Plan: p.ID, PlanTitle: p.Title,
			Municipality: page.Municipality, Email: resp.Email, Name: resp.Name, Receipt: resp.ID, Submitted: resp.Received,
			Deadline: p.Hearing.Deadline, Path: "/h/" + p.Hearing.Token, Lang: t.mailLang()})
		if err != nil {
			s.log.Warn("hearing receipt not sent", "plan", p.ID, "receipt", resp.ID, "err", err)
		} else {
			page.ReceiptMail = true
		}
	}
	return s.renderHearing(c, http.StatusOK, page)
}

func (s *Server) renderHearing(c echo.Context, status int, page hearingPage) error {
	return renderPublic(c, status, hearingTemplate, page)
}

// renderPublic executes a public page's template and answers it.
func renderPublic(c echo.Context, status int, tpl *template.Template, page any) error {
	var sb strings.Builder
	if err := tpl.Execute(&sb, page); err != nil {
		return err
	}
	return c.HTMLBlob(status, []byte(sb.String()))
}

// publicBase holds the parts every public page shares: "head" (from the
// doctype to the header's title; the page's own header lines follow),
// "langswitch", "contents" (the table of contents), "sections" (the
// frozen text) and "foot".
var publicBase = template.Must(template.New("base").Parse(`{{define "head"}}<!doctype html>
<html lang="{{.T.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{{block "doctitle" .}}{{.Title}}{{end}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;color:#1a1a1a;background:#fff;margin:0}
main,header>div,footer{max-width:46rem;margin:0 auto;padding:0 1rem}
header{background:#00344f;color:#fff;padding:1rem 0}
header p{margin:.25rem 0}
header a{color:#fff}
a{color:#005b87}
.lang{text-align:right}
.deadline{font-size:1.125rem;font-weight:600}
.notice{border-left:4px solid #005b87;background:#eef5f9;padding:.75rem 1rem;margin:1.5rem 0}
.error{border-left:4px solid #b00020;background:#fdecee;padding:.75rem 1rem;margin:1rem 0}
.receipt{border-left:4px solid #1b6e20;background:#edf7ee;padding:.75rem 1rem;margin:1rem 0}
label{display:block;font-weight:600;margin-top:1rem}
input,textarea,select{font:inherit;width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #555;border-radius:4px}
textarea{min-height:10rem}
button{font:inherit;margin-top:1rem;padding:.6rem 1.2rem;background:#005b87;color:#fff;border:0;border-radius:4px;cursor:pointer}
button:focus,a:focus,input:focus,textarea:focus,select:focus{outline:3px solid #f0a500;outline-offset:2px}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
blockquote{border-left:3px solid #999;margin-left:0;padding-left:1rem;color:#333}
table{border-collapse:collapse}td,th{border:1px solid #999;padding:.25rem .5rem}
.response{border-top:1px solid #ccc;padding:.5rem 0}
.response p{white-space:pre-wrap}
.skip{position:absolute;left:-10000px}.skip:focus{left:1rem;top:1rem;background:#fff;color:#005b87;padding:.5rem}
</style>
</head>
<body>
{{block "skip" .}}{{end}}<header><div>
{{template "langswitch" .}}
{{if .Municipality}}<p>{{.Municipality}}</p>{{end}}
<h1>{{.Title}}</h1>
{{end}}
{{define "langswitch"}}<p class="lang"><a href="?lang={{.T.Other}}" hreflang="{{.T.Other}}" lang="{{.T.Other}}">{{.T.OtherLink}}</a></p>{{end}}
{{define "contents"}}<nav aria-label="{{.T.Contents}}"><h2>{{.T.Contents}}</h2><ol>{{range .Sections}}{{if eq .Level 2}}<li><a href="#s-{{.ID}}">{{.Title}}</a></li>{{end}}{{end}}</ol>
{{block "contentsextra" .}}{{end}}</nav>{{end}}
{{define "sections"}}<article>
{{range .Sections}}<section id="s-{{.ID}}" aria-labelledby="h-{{.ID}}">
<h{{.Level}} id="h-{{.ID}}">{{.Number}} {{.Title}}</h{{.Level}}>
{{.Body}}
</section>
{{end}}
</article>{{end}}
{{define "foot"}}<footer><p>{{.T.Footer}}</p></footer>
</body>
</html>
{{end}}`))

var hearingTemplate = template.Must(template.Must(publicBase.Clone()).Parse(`{{define "doctitle"}}{{if .Version}}{{.T.HearingPrefix}}{{end}}{{.Title}}{{end}}
{{define "skip"}}<a class="skip" href="#innspill">{{.T.Skip}}</a>
{{end}}
{{define "contentsextra"}}<p><a href="#innspill">{{.T.GiveResponse}}</a></p>{{end}}
{{define "page"}}{{template "head" .}}{{if .Version}}<p>{{.Version}} – {{.T.PublicHearing}}</p>{{end}}
{{if .Deadline}}<p class="deadline">{{.T.Deadline}} {{.Deadline}}</p>{{end}}
</div></header>
<main>
{{if .Error}}<div class="error" role="alert">{{.Error}}</div>{{end}}
{{if .Receipt}}<div class="receipt" role="status"><h2>{{.T.ThanksTitle}}</h2>
<p>{{.T.ReceiptNo}} <strong>{{.Receipt}}</strong>. {{.T.KeepIt}}{{if .ReceiptMail}} {{.T.ReceiptMailed}}{{end}}</p>
<p>{{.T.Moderation}}</p></div>{{end}}
{{if not .Closed}}
{{template "contents" .}}
{{template "sections" .}}
<section aria-labelledby="innspill-h" id="innspill">
<h2 id="innspill-h">{{.T.GiveResponse}}</h2>
<div class="notice"><h3>{{.T.Privacy}}</h3>
<p>{{.T.PrivacyText}}</p>
<p>{{.T.Storage}} {{.T.Retention}}</p></div>
{{if .Open}}
<form method="post" accept-charset="utf-8">
<label for="name">{{.T.Name}}</label><input id="name" name="name" maxlength="200" autocomplete="name" value="{{.Form.Name}}">
<label for="organisation">{{.T.Organisation}}</label><input id="organisation" name="organisation" maxlength="200" autocomplete="organization" value="{{.Form.Organisation}}">
<label for="email">{{.T.Email}}</label><input id="email" name="email" type="email" maxlength="254" autocomplete="email" value="{{.Form.Email}}">
<label for="section">{{.T.Section}}</label><select id="section" name="section"><option value="">{{.T.WholePlan}}</option>{{range .SectionChoices}}<option value="{{.ID}}"{{if eq .ID $.Form.Section}} selected{{end}}>{{.Number}} {{.Title}}</option>{{end}}</select>
<label for="quote">{{.T.Quote}}</label><textarea id="quote" name="quote" maxlength="1000" rows="2">{{.Form.Quote}}</textarea>
<label for="text">{{.T.Response}}</label><textarea id="text" name="text" maxlength="20000" required aria-required="true">{{.Form.Text}}</textarea>
<div class="hp" aria-hidden="true"><label for="website">{{.T.Honeypot}}</label><input id="website" name="website" tabindex="-1" autocomplete="off"></div>
<button type="submit">{{.T.Send}}</button>
</form>
{{else}}<p>{{.T.DeadlinePassed}}</p>{{end}}
</section>
<section aria-labelledby="publ-h"><h2 id="publ-h">{{.T.PublishedTitle}}</h2>
{{range .Published}}<div class="response"><h3>{{.Sender}}, {{.Received}}</h3>{{if .Section}}<p>{{$.T.Concerns}} {{.Section}}</p>{{end}}{{if .Quote}}<blockquote>{{.Quote}}</blockquote>{{end}}<p>{{.Text}}</p></div>
{{else}}<p>{{.T.NonePublished}}</p>{{end}}
</section>
{{end}}
</main>
{{template "foot" .}}{{end}}`)).Lookup("page")
