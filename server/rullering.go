package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/temaplan/temaplan/auth"
)

// rulleringRequest is the optional body of POST /api/plans/:id/rullering:
// the new plan's title, "" for "<title> (rullering <year>)".
type rulleringRequest struct {
	Title string `json:"title"`
}

// startRullering is POST /api/plans/:id/rullering: a new plan in draft
// from the adopted plan's "Vedtatt plan" (docs/processing.md). A second
// rullering of the same plan is a conflict.
func (s *Server) startRullering(c echo.Context) error {
	var req rulleringRequest
	if r := c.Request(); r.ContentLength != 0 || r.Header.Get(echo.HeaderContentType) != "" {
		if err := bind(c, &req); err != nil {
			return err
		}
	}
	p, err := s.cfg.Plans.StartRullering(c.Request().Context(), s.actor(c, auth.ActionStartRullering), planOf(c).ID, req.Title)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/plans/"+p.ID)
	return s.answerPlan(c, http.StatusCreated, p)
}
