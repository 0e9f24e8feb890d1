package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// accessibilityInfo is the body of GET /api/accessibility: what the
// public accessibility statement (tilgjengelighetserklæring) fills in
// from the deployment's configuration.
type accessibilityInfo struct {
	// Contact is where people give feedback on accessibility: an e-mail
	// address or an https:// address; "" when none is configured.
	Contact string `json:"contact"`
}

// accessibility answers anybody, signed in or not: the statement is a
// public page.
func (s *Server) accessibility(c echo.Context) error {
	return c.JSON(http.StatusOK, accessibilityInfo{Contact: s.cfg.AccessibilityContact})
}
