package server

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
)

// The hearing's routes for the plan's members (docs/hearing.md): the
// hearing with the deadline advice, the steering group's decision of its
// form and bodies and its start, the leader's tracking of the bodies, the
// responses with their moderation, and their export for the archive. The
// public page is public_hearing.go.

// errNoHearings answers the hearing routes of a server without a hearing
// store.
func errNoHearings() error {
	return collab.Errorf(collab.CodeUnavailable, "this server runs no hearings")
}

// hearingView is GET /api/plans/:id/hearing: the hearing (nil before it
// is decided), the register a new decision starts from, the deadline a
// start today would get with the padding advice, and the public page's
// path once started.
type hearingView struct {
	Hearing       *collab.Hearing      `json:"hearing"`
	DefaultBodies []collab.HearingBody `json:"default_bodies"`
	Today         string               `json:"today"`
	Weeks         int                  `json:"weeks"`
	Deadline      string               `json:"deadline,omitempty"`
	Advice        collab.PaddingAdvice `json:"advice"`
	// AdviceError is why the deadline asked about cannot be used (its
	// stable code), "" when it can.
	AdviceError string `json:"advice_error,omitempty"`
	Path        string `json:"path,omitempty"`
}

// hearingWeeks is the municipality's default hearing length.
func (s *Server) hearingWeeks(c echo.Context, municipality string) int {
	m, err := s.cfg.Accounts.Municipality(c.Request().Context(), municipality)
	if err != nil || m.Settings.HearingWeeks <= 0 {
		return collab.MinHearingWeeks
	}
	return m.Settings.HearingWeeks
}

func (s *Server) getHearing(c echo.Context) error {
	if s.cfg.Hearings == nil {
		return errNoHearings()
	}
	p := planOf(c)
	v := hearingView{Hearing: p.Hearing, DefaultBodies: collab.DefaultHearingBodies(),
		Today: s.cfg.Hearings.Today().Format(time.DateOnly), Weeks: s.hearingWeeks(c, p.Municipality)}
	if w := c.QueryParam("weeks"); w != "" {
		n, err := strconv.Atoi(w)
		if err != nil || n < 1 || n > 52 {
			return collab.Errorf(collab.CodeInvalid, "weeks must be a number from 1 to 52")
		}
		v.Weeks = n
	}
	if len(c.QueryParam("deadline")) > 10 {
		return collab.Errorf(collab.CodeInvalid, "deadline must be a date (YYYY-MM-DD)")
	}
	dl, advice, err := s.cfg.Hearings.Advise(p, c.QueryParam("deadline"), v.Weeks)
	switch {
	case err == nil:
		v.Deadline, v.Advice = dl, advice
	case collab.ErrorCode(err) == collab.CodeInvalid && c.QueryParam("deadline") == "":
		return err
	default:
		v.Deadline, v.AdviceError = c.QueryParam("deadline"), string(collab.ErrorCode(err))
	}
	if p.Hearing != nil && p.Hearing.Token != "" {
		v.Path = "/h/" + p.Hearing.Token
	}
	return c.JSON(http.StatusOK, v)
}

// decideHearingRequest is the body of PUT /api/plans/:id/hearing.
type decideHearingRequest struct {
	Form   string                `json:"form"`
	Bodies *[]collab.HearingBody `json:"bodies"`
}

func (s *Server) decideHearing(c echo.Context) error {
	if s.cfg.Hearings == nil {
		return errNoHearings()
	}
	var req decideHearingRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	var bodies []collab.HearingBody
	if req.Bodies != nil {
		bodies = *req.Bodies
		if bodies == nil {
			bodies = []collab.HearingBody{}
		}
	}
	p, err := s.cfg.Hearings.Decide(c.Request().Context(), s.actor(c, auth.ActionDecideHearing), planOf(c).ID, req.Form, bodies)
	if err != nil {
		return err
	}
	return s.answerPlan(c, http.StatusOK, p)
}

// startHearingRequest is the body of POST /api/plans/:id/hearing/start:
// the deadline (YYYY-MM-DD), or "" for weeks weeks (0: the municipality's
// default) from today.
type startHearingRequest struct {
	Deadline string `json:"deadline"`
	Weeks    int    `json:"weeks"`
}

func (s *Server) startHearing(c echo.Context) error {
	if s.cfg.Hearings == nil {
		return errNoHearings()
	}
	var req startHearingRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if len(req.Deadline) > 10 {
		return collab.Errorf(collab.CodeInvalid, "deadline must be a date (YYYY-MM-DD)")
	}
	p := planOf(c)
	if req.Weeks == 0 && req.Deadline == "" {
		req.Weeks = s.hearingWeeks(c, p.Municipality)
	}
	next, err := s.cfg.Hearings.Start(c.Request().Context(), s.actor(c, auth.ActionStartHearing), p.ID, req.Deadline, req.Weeks)
	if err != nil {
		return err
	}
	return s.answerPlan(c, http.StatusOK, next)
}

// bodyStatusRequest is the body of PUT /api/plans/:id/hearing/bodies/:bid.
type bodyStatusRequest struct {
	Status collab.BodyStatus `json:"status"`
}

func (s *Server) setHearingBody(c echo.Context) error {
	if s.cfg.Hearings == nil {
		return errNoHearings()
	}
	var req bodyStatusRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	p, err := s.cfg.Hearings.SetBodyStatus(c.Request().Context(), s.actor(c, auth.ActionRunHearing), planOf(c).ID, c.Param("bid"), req.Status)
	if err != nil {
		return err
	}
	return s.answerPlan(c, http.StatusOK, p)
}

// responseView is a hearing response as members see it, with its
// journal metadata and moderation.
type responseView struct {
	collab.ModeratedResponse
	Sender string `json:"sender"`
}

func (s *Server) listResponses(c echo.Context) error {
	if s.cfg.Hearings == nil {
		return errNoHearings()
	}
	rs, err := s.cfg.Hearings.Responses(c.Request().Context(), planOf(c).ID)
	if err != nil {
		return err
	}
	items := make([]responseView, len(rs))
	for i, r := range rs {
		items[i] = responseView{ModeratedResponse: r, Sender: r.Sender()}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

// moderateRequest is the body of POST …/responses/:rid/moderation.
type moderateRequest struct {
	Decision string `json:"decision"`
}

func (s *Server) moderateResponse(c echo.Context) error {
	if s.cfg.Hearings == nil {
		return errNoHearings()
	}
	var req moderateRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	m, err := s.cfg.Hearings.Moderate(c.Request().Context(), s.actor(c, auth.ActionModerateResponses), planOf(c).ID, c.Param("rid"), req.Decision)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

// spreadsheetCell makes s safe as a spreadsheet cell: text a spreadsheet
// would read as a formula (=, +, -, @, tab, carriage return) gets a
// leading apostrophe, so every cell is text.
func spreadsheetCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// exportResponses answers the responses for the municipality's archive:
// CSV (UTF-8 with a byte order mark, every cell text) or JSON, each with
// its journal metadata (sender, received, subject) and moderation.
func (s *Server) exportResponses(c echo.Context) error {
	if s.cfg.Hearings == nil {
		return errNoHearings()
	}
	p := planOf(c)
	rs, err := s.cfg.Hearings.Responses(c.Request().Context(), p.ID)
	if err != nil {
		return err
	}
	name := "hoeringsinnspill-" + p.ID
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	switch c.QueryParam("format") {
	case "", "csv":
		var buf bytes.Buffer
		buf.WriteString("\ufeff")
		w := csv.NewWriter(&buf)
		_ = w.Write([]string{"kvitteringsnummer", "mottatt", "avsender", "navn", "organisasjon", "e-post", "emne", "del", "sitat", "tekst", "moderering"})
		for _, r := range rs {
			row := []string{r.ID, r.Received.UTC().Format(time.RFC3339), r.Sender(), r.Name, r.Organisation, r.Email, r.Subject,
				r.Section, r.Quote, r.Text, r.Moderation}
			for i := range row {
				row[i] = spreadsheetCell(row[i])
			}
			_ = w.Write(row)
		}
		w.Flush()
		c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`.csv"`)
		return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
	case "json":
		items := make([]responseView, len(rs))
		for i, r := range rs {
			items[i] = responseView{ModeratedResponse: r, Sender: r.Sender()}
		}
		b, err := json.MarshalIndent(map[string]any{"plan": p.ID, "title": p.Title, "items": items}, "", "  ")
		if err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`.json"`)
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSONCharsetUTF8, b)
	}
	return collab.Errorf(collab.CodeInvalid, "format must be csv or json")
}
