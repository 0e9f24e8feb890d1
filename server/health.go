package server

import (
	"context"
	"net/http"
	"sync"

	"github.com/labstack/echo/v4"
)

// healthz answers 200 while the process runs: a liveness probe that never
// touches the store or the bus, so that their outage does not get the
// node restarted.
func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readiness is the body of /readyz.
type readiness struct {
	Status string `json:"status"` // "ready" or "unavailable"
	Store  string `json:"store"`  // "ok" or "unreachable"
	Bus    string `json:"bus"`    // "ok" or "unreachable"
}

// readyz answers 200 when the store and the bus both answer a ping within
// ReadyTimeout, and 503 naming the one that failed otherwise. The causes
// are logged, not shown: they may name internal hosts.
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), s.cfg.ReadyTimeout)
	defer cancel()
	var storeErr, busErr error
	var wg sync.WaitGroup
	wg.Go(func() { storeErr = s.cfg.Store.Ping(ctx) })
	wg.Go(func() { busErr = s.cfg.Bus.Ping(ctx) })
	wg.Wait()

	body := readiness{Status: "ready", Store: "ok", Bus: "ok"}
	if storeErr != nil {
		body.Store = "unreachable"
		s.log.Warn("not ready: store unreachable", "store", s.cfg.Store.Describe(), "err", storeErr)
	}
	if busErr != nil {
		body.Bus = "unreachable"
		s.log.Warn("not ready: bus unreachable", "bus", s.cfg.Bus.Describe(), "err", busErr)
	}
	if storeErr != nil || busErr != nil {
		body.Status = "unavailable"
		return c.JSON(http.StatusServiceUnavailable, body)
	}
	return c.JSON(http.StatusOK, body)
}
