package server

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
)

// The routes of named versions (docs/versions.md): the list, the
// leader's freeze, the comparison of two versions (or a version and
// now), and restoring a section to a version.

// versionView is a named version as the API shows it, with the name of
// whoever froze it.
type versionView struct {
	collab.NamedVersion
	ByName string `json:"by_name"`
}

// listVersions answers the plan's named versions in the order they were
// frozen.
func (s *Server) listVersions(c echo.Context) error {
	p := planOf(c)
	names, err := s.names(c, p.Municipality)
	if err != nil {
		return err
	}
	items := make([]versionView, 0, len(p.Versions))
	for _, v := range p.Versions {
		items = append(items, versionView{NamedVersion: v, ByName: nameOr(names, v.By)})
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

// freezeRequest is the body of POST /api/plans/:id/versions: the name and
// the plan seq the leader saw.
type freezeRequest struct {
	Name string `json:"name"`
	Seq  int64  `json:"seq"`
}

func (s *Server) freezeVersion(c echo.Context) error {
	var req freezeRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if err := checkSeq(req.Seq); err != nil {
		return err
	}
	p, v, err := s.cfg.Plans.FreezeVersion(c.Request().Context(), s.actor(c, auth.ActionFreezeVersion), planOf(c).ID, req.Seq, req.Name)
	if err != nil {
		return err
	}
	return s.answerWith(c, http.StatusCreated, p, "version", func(*collab.Plan) any { return v })
}

// maxVersionRef bounds a version named in a query.
const maxVersionRef = 200

// diffVersions compares ?from= with ?to= (default now): each a version's
// name or seq, or "now".
func (s *Server) diffVersions(c echo.Context) error {
	from, to := strings.TrimSpace(c.QueryParam("from")), strings.TrimSpace(c.QueryParam("to"))
	if to == "" {
		to = collab.NowRef
	}
	switch {
	case from == "":
		return collab.Errorf(collab.CodeInvalid, "from is required: the name or seq of a version, or now")
	case len(from) > maxVersionRef || len(to) > maxVersionRef:
		return collab.Errorf(collab.CodeInvalid, "a version is named in at most %d bytes", maxVersionRef)
	}
	d, err := s.cfg.Plans.Compare(c.Request().Context(), planOf(c), from, to)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// restoreRequest is the body of POST /api/plans/:id/sections/:sid/restore:
// the version to restore (its name or seq) and, optionally, the version of
// the section the leader compared it with.
type restoreRequest struct {
	Version string `json:"version"`
	V       *int64 `json:"v"`
}

func (s *Server) restoreSection(c echo.Context) error {
	var req restoreRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if strings.TrimSpace(req.Version) == "" {
		return collab.Errorf(collab.CodeInvalid, "version is required: the name or seq of a named version")
	}
	if len(req.Version) > maxVersionRef {
		return collab.Errorf(collab.CodeInvalid, "a version is named in at most %d bytes", maxVersionRef)
	}
	r, err := s.cfg.Plans.RestoreSection(c.Request().Context(), s.actor(c, auth.ActionRestoreSection), planOf(c).ID,
		c.Param("sid"), req.Version, req.V)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}
