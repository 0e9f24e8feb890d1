package server

import (
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/temaplan/temaplan/collab"
)

// DemoClock is the clock of a demo server started with -demo-clock, for
// browser tests only: an administrator moves it forward by whole days
// (POST /api/demo/clock), so a hearing's deadline can pass in a test.
// Without the flag the server has no DemoClock and no such route.
type DemoClock struct {
	base func() time.Time

	mu     sync.Mutex
	offset time.Duration
}

// NewDemoClock returns a clock that runs with base (time.Now when nil)
// until it is moved forward.
func NewDemoClock(base func() time.Time) *DemoClock {
	if base == nil {
		base = time.Now
	}
	return &DemoClock{base: base}
}

// Now returns the moved time.
func (d *DemoClock) Now() time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.base().Add(d.offset)
}

// Advance moves the clock forward by days.
func (d *DemoClock) Advance(days int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.offset += time.Duration(days) * 24 * time.Hour
}

// maxAdvanceDays bounds one move of the demo clock.
const maxAdvanceDays = 3660

// demoClockRequest is the body of POST /api/demo/clock.
type demoClockRequest struct {
	AdvanceDays int `json:"advance_days"`
}

// advanceDemoClock is POST /api/demo/clock (administrators only).
func (s *Server) advanceDemoClock(c echo.Context) error {
	if !principal(c).Account.Admin {
		return collab.Errorf(collab.CodeForbidden, "only an administrator moves the demo clock")
	}
	var req demoClockRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if req.AdvanceDays < 1 || req.AdvanceDays > maxAdvanceDays {
		return collab.Errorf(collab.CodeInvalid, "advance_days must be from 1 to %d", maxAdvanceDays)
	}
	s.cfg.DemoClock.Advance(req.AdvanceDays)
	return c.JSON(http.StatusOK, map[string]any{"now": s.cfg.DemoClock.Now().UTC()})
}
