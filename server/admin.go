package server

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
)

// The administration of a municipality's users. Every route is the
// administrator's (manage_users), within their own municipality: another
// municipality's accounts are not found.

func (s *Server) listUsers(c echo.Context) error {
	users, err := s.cfg.Accounts.Users(c.Request().Context(), principal(c).Account.Municipality)
	if err != nil {
		return err
	}
	if users == nil {
		users = []auth.Account{}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": users})
}

func (s *Server) createUser(c echo.Context) error {
	var req auth.NewUser
	if err := bind(c, &req); err != nil {
		return err
	}
	me := principal(c).Account
	var err error
	if req.Password, err = s.invitationPassword(req.Password); err != nil {
		return err
	}
	a, err := s.cfg.Accounts.CreateUser(c.Request().Context(), me.ID, me.Municipality, req)
	if err != nil {
		return err
	}
	s.sendInvitation(c, a, me)
	c.Response().Header().Set(echo.HeaderLocation, "/api/admin/users/"+a.ID)
	return c.JSON(http.StatusCreated, a)
}

func (s *Server) updateUser(c echo.Context) error {
	var req auth.UserPatch
	if err := bind(c, &req); err != nil {
		return err
	}
	me := principal(c).Account
	a, err := s.cfg.Accounts.UpdateUser(c.Request().Context(), me.ID, me.Municipality, c.Param("uid"), req)
	if err != nil {
		return err
	}
	if a.Disabled {
		s.publishDisabled(c.Request().Context(), a.ID)
	}
	return c.JSON(http.StatusOK, a)
}

// municipalityAudit answers the audit log of the administrator's
// municipality: logins, failed logins, session reuse and user changes.
func (s *Server) municipalityAudit(c echo.Context) error {
	limit := 100
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return collab.Errorf(collab.CodeInvalid, "limit must be a number from 1 to 1000")
		}
		limit = n
	}
	es, err := s.cfg.Accounts.AuditLog(c.Request().Context(), principal(c).Account.Municipality, "", limit)
	if err != nil {
		return err
	}
	if es == nil {
		es = []auth.AuditEvent{}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": es})
}
