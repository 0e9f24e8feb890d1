package server

import (
	"bytes"
	"encoding/csv"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
)

// Fase 3 (docs/processing.md): closing the hearing, the assessments of
// its responses (merknadsbehandling), the council's decision and the
// adoption. The lock of the final proposal and the steering group's
// approvals are transitions (transitions.go); rullering is rullering.go.

// closeHearing is POST /api/plans/:id/hearing/close: hearing → processing
// once the deadline day has ended.
func (s *Server) closeHearing(c echo.Context) error {
	if s.cfg.Hearings == nil {
		return errNoHearings()
	}
	p, err := s.cfg.Hearings.Close(c.Request().Context(), s.actor(c, auth.ActionCloseHearing), planOf(c).ID)
	if err != nil {
		return err
	}
	return s.answerPlan(c, http.StatusOK, p)
}

// assessmentRequest is the body of PUT …/hearing/responses/:rid/assessment.
type assessmentRequest struct {
	Outcome string `json:"outcome"`
	Reason  string `json:"reason"`
}

func (s *Server) assessResponse(c echo.Context) error {
	if s.cfg.Hearings == nil {
		return errNoHearings()
	}
	var req assessmentRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	p, err := s.cfg.Hearings.Assess(c.Request().Context(), s.actor(c, auth.ActionWriteAssessment), planOf(c).ID,
		c.Param("rid"), req.Outcome, req.Reason)
	if err != nil {
		return err
	}
	return s.answerPlan(c, http.StatusOK, p)
}

// outcomeWords are the outcomes as the table's readers say them.
var outcomeWords = map[string]string{
	collab.OutcomeTaken:  "Tatt til følge",
	collab.OutcomePartly: "Delvis tatt til følge",
	collab.OutcomeNot:    "Ikke tatt til følge",
}

// assessmentTable is GET /api/plans/:id/hearing/assessments: the
// merknadsbehandling as JSON (with the count of missing assessments), as
// CSV for the archive (a byte order mark, every cell text) or as a
// print-ready HTML page.
func (s *Server) assessmentTable(c echo.Context) error {
	if s.cfg.Hearings == nil {
		return errNoHearings()
	}
	p := planOf(c)
	rows, missing, err := s.cfg.Hearings.AssessmentTable(c.Request().Context(), p)
	if err != nil {
		return err
	}
	names, err := s.names(c, p.Municipality)
	if err != nil {
		return err
	}
	name := "merknadsbehandling-" + p.ID
	switch c.QueryParam("format") {
	case "", "json":
		return c.JSON(http.StatusOK, map[string]any{"items": rows, "missing": missing})
	case "csv":
		var buf bytes.Buffer
		buf.WriteString("\ufeff")
		w := csv.NewWriter(&buf)
		_ = w.Write([]string{"kvitteringsnummer", "avsender", "organisasjon", "mottatt", "emne", "del", "vurdering", "begrunnelse", "vurdert av", "vurdert"})
		for _, r := range rows {
			at := ""
			if !r.At.IsZero() {
				at = r.At.UTC().Format(time.RFC3339)
			}
			row := []string{r.Receipt, r.Sender, r.Organisation, r.Received.UTC().Format(time.RFC3339), r.Subject, r.Section,
				outcomeWords[r.Outcome], r.Reason, nameOr(names, r.By), at}
			for i := range row {
				row[i] = spreadsheetCell(row[i])
			}
			_ = w.Write(row)
		}
		w.Flush()
		c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`.csv"`)
		return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
	case "html":
		type htmlRow struct {
			collab.AssessmentRow
			OutcomeText, ByName, ReceivedDay string
		}
		v := struct {
			Title   string
			Missing int
			Rows    []htmlRow
		}{Title: p.Title, Missing: missing}
		for _, r := range rows {
			v.Rows = append(v.Rows, htmlRow{AssessmentRow: r, OutcomeText: outcomeWords[r.Outcome],
				ByName: nameOr(names, r.By), ReceivedDay: r.Received.Format(time.DateOnly)})
		}
		var buf bytes.Buffer
		if err := assessmentTemplate.Execute(&buf, v); err != nil {
			return err
		}
		h := c.Response().Header()
		h.Set(echo.HeaderCacheControl, "no-store")
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
		h.Set("Referrer-Policy", "no-referrer")
		return c.HTMLBlob(http.StatusOK, buf.Bytes())
	}
	return collab.Errorf(collab.CodeInvalid, "format must be json, csv or html")
}

// assessmentTemplate is the print-ready merknadsbehandling (html/template
// escapes every value).
var assessmentTemplate = template.Must(template.New("assessments").Parse(`<!doctype html>
<html lang="nb">
<head>
<meta charset="utf-8">
<meta name="robots" content="noindex">
<title>Merknadsbehandling – {{.Title}}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #111; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { border: 1px solid #666; padding: 0.4rem; text-align: left; vertical-align: top; }
th { background: #eee; }
td.reason { white-space: pre-wrap; }
@media print { body { margin: 0; } tr { page-break-inside: avoid; } }
</style>
</head>
<body>
<h1>Merknadsbehandling</h1>
<p>{{.Title}}</p>
{{if .Missing}}<p><strong>{{.Missing}} innspill mangler vurdering.</strong></p>{{end}}
<table>
<caption>Høringsinnspill med vurdering</caption>
<thead><tr><th scope="col">Kvitteringsnummer</th><th scope="col">Avsender</th><th scope="col">Mottatt</th><th scope="col">Emne</th><th scope="col">Vurdering</th><th scope="col">Begrunnelse</th><th scope="col">Vurdert av</th></tr></thead>
<tbody>
{{range .Rows}}<tr><td>{{.Receipt}}</td><td>{{.Sender}}{{if .Organisation}}{{if .Sender}}, {{end}}{{.Organisation}}{{end}}</td><td>{{.ReceivedDay}}</td><td>{{.Subject}}</td><td>{{if .OutcomeText}}{{.OutcomeText}}{{else}}Ikke vurdert{{end}}</td><td class="reason">{{.Reason}}</td><td>{{.ByName}}</td></tr>
{{else}}<tr><td colspan="7">Ingen innspill trenger vurdering.</td></tr>
{{end}}</tbody>
</table>
</body>
</html>
`))

// recordDecision is POST /api/plans/:id/decision: the council's decision,
// in final_review after the steering group's approval. Without
// amendments the plan is adopted at once; with them it moves to amending.
func (s *Server) recordDecision(c echo.Context) error {
	if s.cfg.Hearings == nil {
		return errNoHearings()
	}
	var req collab.DecisionInput
	if err := bind(c, &req); err != nil {
		return err
	}
	me := principal(c).Account
	action := auth.ActionRecordDecision
	if strings.TrimSpace(req.Amendments) != "" {
		action = auth.ActionRecordAmendments
	}
	by := collab.Actor{ID: me.ID, Check: func(p *collab.Plan) error {
		if err := allow(me, p, action); err != nil {
			return err
		}
		if !slices.Contains(p.Approvals, string(auth.RoleSteering)) {
			return collab.Errorf(collab.CodeApprovalMissing, "the steering group has not approved the final proposal")
		}
		return nil
	}}
	p, err := s.cfg.Hearings.RecordDecision(c.Request().Context(), by, planOf(c).ID, req)
	if err != nil {
		return err
	}
	return s.answerPlan(c, http.StatusOK, p)
}
