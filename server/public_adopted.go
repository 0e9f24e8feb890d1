package server

import (
	"html/template"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/export"
)

// The public adopted plan (contract item 6, SPEC.md §8): GET /v/:token
// shows the frozen "Vedtatt plan" only — never later edits, comments or
// member names — under a header that names the decision: "Vedtatt av
// {body} {date}, saksnummer {case_number}". No login: the token, 160
// random bits made when the plan was adopted, is the only key; 404 for a
// token that opens nothing. It is rendered like the hearing page, by the
// same parts (public_hearing.go), with the same headers, in bokmål or
// nynorsk.

// adoptedPage is what the adopted plan's template shows.
type adoptedPage struct {
	publicFrame
	// Decision is the header's line, "Vedtatt av Kommunestyret 12. mars
	// 2027, saksnummer 2027/12"; "" on the error page.
	Decision string
}

func (s *Server) publicAdopted(c echo.Context) error {
	hearingHeaders(c)
	if s.cfg.Hearings == nil {
		return errNoHearings()
	}
	ctx := c.Request().Context()
	p, err := s.cfg.Hearings.PlanForAdoptionToken(ctx, c.Param("token"))
	t := s.publicLanguage(c, planMunicipality(p))
	if collab.ErrorCode(err) == collab.CodeNotFound {
		return renderPublic(c, http.StatusNotFound, adoptedTemplate, adoptedPage{
			publicFrame: publicFrame{T: t, Title: t.AdoptedNotFoundTitle, Error: t.AdoptedNotFound}})
	}
	if err != nil {
		return err
	}
	v, vc, texts, err := s.cfg.Hearings.AdoptedText(ctx, p)
	if err != nil {
		return err
	}
	page := adoptedPage{publicFrame: publicFrame{T: t, Title: p.Title, Version: v.Name}}
	page.Sections, _ = publicSections(t, vc, texts)
	if m, err := s.cfg.Accounts.Municipality(ctx, p.Municipality); err == nil {
		page.Municipality = m.Name
	}
	if d := p.Decision; d != nil {
		date := d.Date
		if day, err := time.Parse(time.DateOnly, d.Date); err == nil {
			date = export.Date(day)
		}
		page.Decision = t.AdoptedBy + " " + d.Body + " " + date
		if d.CaseNumber != "" {
			page.Decision += ", " + t.CaseNumber + " " + d.CaseNumber
		}
	}
	return renderPublic(c, http.StatusOK, adoptedTemplate, page)
}

var adoptedTemplate = template.Must(template.Must(publicBase.Clone()).Parse(`{{define "page"}}{{template "head" .}}{{if .Version}}<p>{{.Version}}</p>{{end}}
{{if .Decision}}<p class="deadline">{{.Decision}}</p>{{end}}
</div></header>
<main>
{{if .Error}}<div class="error" role="alert">{{.Error}}</div>{{else}}
{{template "contents" .}}
{{template "sections" .}}
{{end}}
</main>
{{template "foot" .}}{{end}}`)).Lookup("page")
