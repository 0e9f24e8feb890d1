package server

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/lix"
)

// The routes of a plan's structured content (docs/content.md): goals,
// strategies, measures, the scorecard, the progress plan and review
// rounds, the economics and finance's sign-off, the privacy check and the
// plain-language measure.

// saveObject returns the handler that makes (POST, no id parameter) or
// changes (PATCH, the id in param) an object of kind T; a made object is
// answered under key next to the plan.
func saveObject[T collab.Object, I collab.Input[T]](param, key string, action auth.Action) func(*Server, echo.Context) error {
	return func(s *Server, c echo.Context) error {
		var in I
		if err := bind(c, &in); err != nil {
			return err
		}
		id := c.Param(param)
		p, obj, err := collab.Save[T](c.Request().Context(), s.cfg.Plans, s.actor(c, action), planOf(c).ID, id, in)
		if err != nil {
			return err
		}
		if id != "" {
			return s.answerPlan(c, http.StatusOK, p)
		}
		return s.answerWith(c, http.StatusCreated, p, key, func(v *collab.Plan) any { return collab.Lookup(v, obj) })
	}
}

// deleteObject returns the handler that deletes the object of kind T named
// by param; the seq the user saw is the query parameter seq.
func deleteObject[T collab.Object](param string, action auth.Action) func(*Server, echo.Context) error {
	return func(s *Server, c echo.Context) error {
		seq, err := querySeq(c)
		if err != nil {
			return err
		}
		p, err := collab.Delete[T](c.Request().Context(), s.cfg.Plans, s.actor(c, action), planOf(c).ID, seq, c.Param(param))
		if err != nil {
			return err
		}
		return s.answerPlan(c, http.StatusOK, p)
	}
}

// answerWith answers the plan view with one more field, key, holding what
// pick takes from the view's plan (where the computed fields are filled).
func (s *Server) answerWith(c echo.Context, status int, p *collab.Plan, key string, pick func(*collab.Plan) any) error {
	view, err := s.view(c, p)
	if err != nil {
		return err
	}
	v := pick(view.Plan)
	b, err := json.Marshal(view)
	if err != nil {
		return err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		return err
	}
	if fields[key], err = json.Marshal(v); err != nil {
		return err
	}
	return c.JSON(status, fields)
}

// settingsRequest is the body of PATCH /api/plans/:id/settings.
type settingsRequest struct {
	Seq              int64          `json:"seq"`
	Period           *collab.Period `json:"period"`
	PrivacyThreshold *int           `json:"privacy_threshold"`
}

func (s *Server) changeSettings(c echo.Context) error {
	var req settingsRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if err := checkSeq(req.Seq); err != nil {
		return err
	}
	p, err := s.cfg.Plans.ChangeSettings(c.Request().Context(), s.actor(c, auth.ActionEditStructure), planOf(c).ID, req.Seq, req.Period, req.PrivacyThreshold)
	if err != nil {
		return err
	}
	return s.answerPlan(c, http.StatusOK, p)
}

// reportRequest is the body of POST /api/plans/:id/indicators/:iid/reports.
type reportRequest struct {
	Seq   int64    `json:"seq"`
	Date  string   `json:"date"`
	Value *float64 `json:"value"`
	Note  string   `json:"note"`
}

func (s *Server) reportIndicator(c echo.Context) error {
	var req reportRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if err := checkSeq(req.Seq); err != nil {
		return err
	}
	if req.Value == nil {
		return collab.Errorf(collab.CodeInvalid, "value is required")
	}
	p, err := s.cfg.Plans.ReportIndicator(c.Request().Context(), s.actor(c, auth.ActionEditStructure), planOf(c).ID,
		req.Seq, c.Param("iid"), req.Date, *req.Value, req.Note)
	if err != nil {
		return err
	}
	return s.answerPlan(c, http.StatusCreated, p)
}

// answerRequest is the body of POST /api/plans/:id/rounds/:rid/done.
type answerRequest struct {
	Comment string `json:"comment"`
}

func (s *Server) answerRound(c echo.Context) error {
	var req answerRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	p, err := s.cfg.Plans.AnswerRound(c.Request().Context(), s.actor(c, auth.ActionReadPlan), planOf(c).ID, c.Param("rid"), req.Comment)
	if err != nil {
		return err
	}
	return s.answerPlan(c, http.StatusOK, p)
}

func (s *Server) economics(c echo.Context) error {
	return c.JSON(http.StatusOK, collab.ComputeEconomics(planOf(c)))
}

// signOffRequest is the body of POST /api/plans/:id/economics/signoff:
// the seq of the economics the reviewer looked at, and what they say.
type signOffRequest struct {
	Seq     int64  `json:"seq"`
	Comment string `json:"comment"`
}

func (s *Server) signOffEconomics(c echo.Context) error {
	var req signOffRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	p, err := s.cfg.Plans.SignOffEconomics(c.Request().Context(), s.actor(c, auth.ActionSignOffEconomics), planOf(c).ID, req.Seq, req.Comment)
	if err != nil {
		return err
	}
	return s.answerPlan(c, http.StatusOK, p)
}

// privacyReport is the body of GET /api/plans/:id/privacy.
type privacyReport struct {
	Threshold int                     `json:"threshold"`
	Open      int                     `json:"open"`
	Findings  []collab.PrivacyFinding `json:"findings"`
}

func (s *Server) privacy(c echo.Context) error {
	p := planOf(c)
	fs, err := s.cfg.Plans.PrivacyFindings(c.Request().Context(), p)
	if err != nil {
		return err
	}
	r := privacyReport{Threshold: p.PrivacyThreshold, Findings: fs}
	for _, f := range fs {
		if f.Accepted == nil {
			r.Open++
		}
	}
	return c.JSON(http.StatusOK, r)
}

// acceptRequest is the body of POST /api/plans/:id/privacy/:fid/accept.
type acceptRequest struct {
	Seq    int64  `json:"seq"`
	Reason string `json:"reason"`
}

func (s *Server) acceptFinding(c echo.Context) error {
	var req acceptRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if err := checkSeq(req.Seq); err != nil {
		return err
	}
	p, err := s.cfg.Plans.AcceptFinding(c.Request().Context(), s.actor(c, auth.ActionAcceptPrivacyFinding), planOf(c).ID, req.Seq, c.Param("fid"), req.Reason)
	if err != nil {
		return err
	}
	return s.answerPlan(c, http.StatusOK, p)
}

func (s *Server) reopenFinding(c echo.Context) error {
	seq, err := querySeq(c)
	if err != nil {
		return err
	}
	p, err := s.cfg.Plans.ReopenFinding(c.Request().Context(), s.actor(c, auth.ActionAcceptPrivacyFinding), planOf(c).ID, seq, c.Param("fid"))
	if err != nil {
		return err
	}
	return s.answerPlan(c, http.StatusOK, p)
}

// lixReport is the body of GET /api/plans/:id/lix.
type lixReport struct {
	lix.Summary
	Sections []lixSection `json:"sections"`
}

type lixSection struct {
	Section string `json:"section"`
	Title   string `json:"title"`
	lix.Result
}

func (s *Server) lix(c echo.Context) error {
	if s.cfg.Engine == nil {
		return collab.Errorf(collab.CodeNotFound, "this server edits no section text")
	}
	p := planOf(c)
	var secs []*collab.Section
	p.Walk(func(sec *collab.Section, _ int) { secs = append(secs, sec) })
	r := lixReport{Sections: make([]lixSection, 0, len(secs))}
	var words, sentences, long int
	for _, sec := range secs {
		_, doc, err := s.cfg.Engine.Snapshot(c.Request().Context(), sec.ID)
		if err != nil {
			return err
		}
		res := lix.Document(doc)
		words, sentences, long = words+res.Words, sentences+res.Sentences, long+res.LongWords
		r.Sections = append(r.Sections, lixSection{Section: sec.ID, Title: sec.Title, Result: res})
	}
	r.Summary = lix.Summarize(words, sentences, long)
	return c.JSON(http.StatusOK, r)
}

// today returns today's date in the municipalities' time zone.
func (s *Server) today() string {
	return s.cfg.Now().In(s.cfg.Zone).Format(time.DateOnly)
}

// computed fills the fields of p's content that depend on the day or on
// more than one object: each indicator's traffic light and each
// milestone's overdue flag. p is the view's own clone; the objects are
// shared with the plan, so changed ones are replaced by copies.
func (s *Server) computed(p *collab.Plan) {
	today := s.today()
	for i, ind := range p.Indicators {
		c := *ind
		c.Status = ind.Evaluate()
		p.Indicators[i] = &c
	}
	for i, m := range p.Milestones {
		c := *m
		c.Overdue = m.OverdueOn(today)
		p.Milestones[i] = &c
	}
}
