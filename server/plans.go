package server

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
)

// createPlanRequest is the body of POST /api/plans.
// The plan belongs to the administrator's municipality; leader is the
// account id of its leader (optional: assign later).
type createPlanRequest struct {
	Title  string          `json:"title"`
	Type   collab.PlanType `json:"type"`
	Leader string          `json:"leader"`
}

func (s *Server) createPlan(c echo.Context) error {
	var req createPlanRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	me := principal(c).Account
	// A new plan starts with the municipality's privacy threshold.
	muni, err := s.cfg.Accounts.Municipality(c.Request().Context(), me.Municipality)
	if err != nil {
		return err
	}
	in := collab.NewPlan{Title: req.Title, Municipality: me.Municipality, Type: req.Type,
		PrivacyThreshold: muni.Settings.PrivacyThreshold}
	if req.Leader != "" {
		if _, err := s.cfg.Accounts.User(c.Request().Context(), me.Municipality, req.Leader); err != nil {
			return err
		}
		in.Members = []collab.Member{{User: req.Leader, Roles: []string{collab.RoleLeader}}}
	}
	p, err := s.cfg.Plans.Create(c.Request().Context(), me.ID, in)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/plans/"+p.ID)
	return s.answerPlan(c, http.StatusCreated, p)
}

// answerPlan answers the plan as the caller sees it.
func (s *Server) answerPlan(c echo.Context, status int, p *collab.Plan) error {
	v, err := s.view(c, p)
	if err != nil {
		return err
	}
	return c.JSON(status, v)
}

// planList is the body of GET /api/plans.
type planList struct {
	Items []planListItem `json:"items"`
}

// planListItem is a plan in the listing, with the caller's roles in it.
type planListItem struct {
	collab.PlanSummary
	Roles []auth.Role `json:"roles"`
}

// listPlans lists the plans of the caller's municipality that the caller
// may read: those they are a member of, all of them for an administrator.
// Archived plans are left out unless the query asks for them
// (include_archived=true).
func (s *Server) listPlans(c echo.Context) error {
	me := principal(c).Account
	withArchived := false
	switch c.QueryParam("include_archived") {
	case "", "false":
	case "true":
		withArchived = true
	default:
		return collab.Errorf(collab.CodeInvalid, "include_archived must be true or false")
	}
	all, err := s.cfg.Plans.List(c.Request().Context(), me.Municipality)
	if err != nil {
		return err
	}
	items := []planListItem{}
	for _, sum := range all {
		if sum.Archived && !withArchived {
			continue
		}
		p := &collab.Plan{ID: sum.ID, Municipality: sum.Municipality, Phase: sum.Phase, Members: sum.Members}
		if allow(me, p, auth.ActionReadPlan) == nil {
			items = append(items, planListItem{PlanSummary: sum, Roles: rolesIn(p, me)})
		}
	}
	return c.JSON(http.StatusOK, planList{Items: items})
}

func (s *Server) getPlan(c echo.Context) error {
	return s.answerPlan(c, http.StatusOK, planOf(c))
}

// actor returns the collab actor of a plan route: the caller, with the
// route's permission checked again on the state the change commits on.
func (s *Server) actor(c echo.Context, action auth.Action) collab.Actor {
	return guard(principal(c).Account, action)
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
	Plan    planView        `json:"plan"`
	Section *collab.Section `json:"section"`
}

func (s *Server) addSection(c echo.Context) error {
	p := planOf(c)
	var req addSectionRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if err := checkSeq(req.Seq); err != nil {
		return err
	}
	p, sec, err := s.cfg.Plans.AddSection(c.Request().Context(), s.actor(c, auth.ActionEditStructure), p.ID, req.Seq, collab.NewSection{
		Parent: req.Parent, Index: req.Index, Title: req.Title, Kind: req.Kind,
	})
	if err != nil {
		return err
	}
	v, err := s.view(c, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, sectionCreated{Plan: v, Section: sec})
}

// updateSectionRequest is the body of PATCH /api/plans/:id/sections/:sid:
// the fields present are changed.
type updateSectionRequest struct {
	Title  *string               `json:"title"`
	Status *collab.SectionStatus `json:"status"`
	Seq    int64                 `json:"seq"`
}

func (s *Server) updateSection(c echo.Context) error {
	var req updateSectionRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if err := checkSeq(req.Seq); err != nil {
		return err
	}
	p, err := s.cfg.Plans.UpdateSection(c.Request().Context(), s.actor(c, auth.ActionEditStructure), planOf(c).ID,
		c.Param("sid"), req.Seq, collab.SectionPatch{Title: req.Title, Status: req.Status})
	if err != nil {
		return err
	}
	return s.answerPlan(c, http.StatusOK, p)
}

// responsibilityRequest is the body of PUT
// /api/plans/:id/sections/:sid/responsibility: who is responsible for the
// section ("" for nobody) and who contributes (members of the plan).
type responsibilityRequest struct {
	Responsible  string   `json:"responsible"`
	Contributors []string `json:"contributors"`
	Seq          int64    `json:"seq"`
}

func (s *Server) setResponsibility(c echo.Context) error {
	var req responsibilityRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if err := checkSeq(req.Seq); err != nil {
		return err
	}
	people := append([]string{}, req.Contributors...)
	if req.Responsible != "" {
		people = append(people, req.Responsible)
	}
	if req.Contributors == nil {
		req.Contributors = []string{}
	}
	me := principal(c).Account
	// Checked on the state the change commits on: a member removed
	// meanwhile is not made responsible.
	actor := collab.Actor{ID: me.ID, Check: func(p *collab.Plan) error {
		if err := allow(me, p, auth.ActionManageProject); err != nil {
			return err
		}
		for _, u := range people {
			if p.RolesOf(u) == nil {
				return collab.Errorf(collab.CodeInvalid, "%q is not a member of the plan", truncate(u, 100))
			}
		}
		return nil
	}}
	p, err := s.cfg.Plans.UpdateSection(c.Request().Context(), actor, planOf(c).ID,
		c.Param("sid"), req.Seq, collab.SectionPatch{Responsible: &req.Responsible, Contributors: &req.Contributors})
	if err != nil {
		return err
	}
	return s.answerPlan(c, http.StatusOK, p)
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
	p, err := s.cfg.Plans.MoveSection(c.Request().Context(), s.actor(c, auth.ActionEditStructure), planOf(c).ID,
		c.Param("sid"), req.Seq, *req.Parent, index)
	if err != nil {
		return err
	}
	return s.answerPlan(c, http.StatusOK, p)
}

func (s *Server) deleteSection(c echo.Context) error {
	seq, err := querySeq(c)
	if err != nil {
		return err
	}
	p, err := s.cfg.Plans.DeleteSection(c.Request().Context(), s.actor(c, auth.ActionEditStructure), planOf(c).ID, c.Param("sid"), seq)
	if err != nil {
		return err
	}
	return s.answerPlan(c, http.StatusOK, p)
}

// querySeq returns the query parameter seq of a DELETE: the plan seq the
// user saw (0 when absent: do not check for conflicts).
func querySeq(c echo.Context) (int64, error) {
	v := c.QueryParam("seq")
	if v == "" {
		return 0, nil
	}
	seq, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, collab.Errorf(collab.CodeInvalid, "seq must be an integer, not %q", truncate(v, 20))
	}
	return seq, checkSeq(seq)
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
