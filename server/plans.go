package server

import (
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/temaplan/temaplan/collab"
)

// routesPlans registers the REST API of plans and their section trees.
func (s *Server) routesPlans(api *echo.Group) {
	api.GET("/plans", s.listPlans)
	api.POST("/plans", s.createPlan)
	api.GET("/plans/:id", s.getPlan)
	api.POST("/plans/:id/sections", s.addSection)
	api.PATCH("/plans/:id/sections/:sid", s.updateSection)
	api.POST("/plans/:id/sections/:sid/move", s.moveSection)
	api.DELETE("/plans/:id/sections/:sid", s.deleteSection)
}

// action names what a request wants to do, for authorize.
type action string

// The actions of the plan API.
const (
	actionListPlans     action = "plan.list"
	actionCreatePlan    action = "plan.create"
	actionReadPlan      action = "plan.read"
	actionEditStructure action = "plan.edit_structure"
)

// anonymous is the acting user until accounts exist.
const anonymous = "anonymous"

// actor returns the id of the user making the request. Until accounts
// exist (the auth issue) everyone is "anonymous".
func (s *Server) actor(c echo.Context) string { return anonymous }

// authorize decides whether the user of the request may do a on plan (nil
// for actions that are not about one existing plan). Every handler asks it
// before acting, and it is the only place that decides, so that the
// permission policy (SPEC.md §5: role × phase) slots in here alone.
//
// Until accounts and roles exist (the auth issue) it allows everything to
// everyone: the server is then only fit for a trusted network.
func (s *Server) authorize(c echo.Context, a action, plan *collab.Plan) error {
	return nil
}

// createPlanRequest is the body of POST /api/plans.
type createPlanRequest struct {
	Title        string          `json:"title"`
	Municipality string          `json:"municipality"`
	Type         collab.PlanType `json:"type"`
}

func (s *Server) createPlan(c echo.Context) error {
	if err := s.authorize(c, actionCreatePlan, nil); err != nil {
		return err
	}
	var req createPlanRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	p, err := s.cfg.Plans.Create(c.Request().Context(), s.actor(c), collab.NewPlan{
		Title: req.Title, Municipality: req.Municipality, Type: req.Type,
	})
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/plans/"+p.ID)
	return c.JSON(http.StatusCreated, p)
}

// planList is the body of GET /api/plans.
type planList struct {
	Items []collab.PlanSummary `json:"items"`
}

// maxQueryLen bounds the length of a query parameter.
const maxQueryLen = 200

func (s *Server) listPlans(c echo.Context) error {
	if err := s.authorize(c, actionListPlans, nil); err != nil {
		return err
	}
	muni := c.QueryParam("municipality")
	if utf8.RuneCountInString(muni) > maxQueryLen || !utf8.ValidString(muni) {
		return collab.Errorf(collab.CodeInvalid, "municipality must be valid text of at most %d characters", maxQueryLen)
	}
	items, err := s.cfg.Plans.List(c.Request().Context(), muni)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, planList{Items: items})
}

func (s *Server) getPlan(c echo.Context) error {
	p, err := s.loadPlan(c, actionReadPlan)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// loadPlan returns the plan named by the :id parameter after asking
// authorize whether the user may do a on it.
func (s *Server) loadPlan(c echo.Context, a action) (*collab.Plan, error) {
	p, err := s.cfg.Plans.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return nil, err
	}
	if err := s.authorize(c, a, p); err != nil {
		return nil, err
	}
	return p, nil
}

// addSectionRequest is the body of POST /api/plans/:id/sections. Seq is
// the plan seq the user's change was made on (0: do not check).
type addSectionRequest struct {
	Parent string             `json:"parent"`
	Index  *int               `json:"index"`
	Title  string             `json:"title"`
	Kind   collab.SectionKind `json:"kind"`
	Seq    int64              `json:"seq"`
}

// sectionCreated is the body of the answer to POST /api/plans/:id/sections.
type sectionCreated struct {
	Plan    *collab.Plan    `json:"plan"`
	Section *collab.Section `json:"section"`
}

func (s *Server) addSection(c echo.Context) error {
	p, err := s.loadPlan(c, actionEditStructure)
	if err != nil {
		return err
	}
	var req addSectionRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if err := checkSeq(req.Seq); err != nil {
		return err
	}
	p, sec, err := s.cfg.Plans.AddSection(c.Request().Context(), s.actor(c), p.ID, req.Seq, collab.NewSection{
		Parent: req.Parent, Index: req.Index, Title: req.Title, Kind: req.Kind,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, sectionCreated{Plan: p, Section: sec})
}

// updateSectionRequest is the body of PATCH /api/plans/:id/sections/:sid:
// the fields present are changed.
type updateSectionRequest struct {
	Title        *string               `json:"title"`
	Responsible  *string               `json:"responsible"`
	Contributors *[]string             `json:"contributors"`
	Status       *collab.SectionStatus `json:"status"`
	Seq          int64                 `json:"seq"`
}

func (s *Server) updateSection(c echo.Context) error {
	p, err := s.loadPlan(c, actionEditStructure)
	if err != nil {
		return err
	}
	var req updateSectionRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if err := checkSeq(req.Seq); err != nil {
		return err
	}
	p, err = s.cfg.Plans.UpdateSection(c.Request().Context(), s.actor(c), p.ID, c.Param("sid"), req.Seq, collab.SectionPatch{
		Title: req.Title, Responsible: req.Responsible, Contributors: req.Contributors, Status: req.Status,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// moveSectionRequest is the body of POST /api/plans/:id/sections/:sid/move:
// the new parent ("" for the top level, required so that a forgotten field
// never moves a section to the top) and the index among its children
// (absent or out of range: at the end).
type moveSectionRequest struct {
	Parent *string `json:"parent"`
	Index  *int    `json:"index"`
	Seq    int64   `json:"seq"`
}

func (s *Server) moveSection(c echo.Context) error {
	p, err := s.loadPlan(c, actionEditStructure)
	if err != nil {
		return err
	}
	var req moveSectionRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if err := checkSeq(req.Seq); err != nil {
		return err
	}
	if req.Parent == nil {
		return collab.Errorf(collab.CodeInvalid, `parent is required ("" for the top level)`)
	}
	index := -1
	if req.Index != nil {
		if *req.Index < 0 {
			return collab.Errorf(collab.CodeInvalid, "index must not be negative")
		}
		index = *req.Index
	}
	p, err = s.cfg.Plans.MoveSection(c.Request().Context(), s.actor(c), p.ID, c.Param("sid"), req.Seq, *req.Parent, index)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (s *Server) deleteSection(c echo.Context) error {
	p, err := s.loadPlan(c, actionEditStructure)
	if err != nil {
		return err
	}
	var seq int64
	if v := c.QueryParam("seq"); v != "" {
		if seq, err = strconv.ParseInt(v, 10, 64); err != nil {
			return collab.Errorf(collab.CodeInvalid, "seq must be an integer, not %q", truncate(v, 20))
		}
	}
	if err := checkSeq(seq); err != nil {
		return err
	}
	p, err = s.cfg.Plans.DeleteSection(c.Request().Context(), s.actor(c), p.ID, c.Param("sid"), seq)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// checkSeq refuses a negative seq; 0 means "do not check for conflicts".
func checkSeq(seq int64) error {
	if seq < 0 {
		return collab.Errorf(collab.CodeInvalid, "seq must not be negative")
	}
	return nil
}

// truncate shortens s to at most n runes for an error message.
func truncate(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i] + "…"
		}
		n--
	}
	return s
}
