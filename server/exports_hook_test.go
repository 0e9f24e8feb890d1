package server

import (
	"context"

	"github.com/temaplan/temaplan/export"
)

// WaitExport waits until the export id of plan is finished, for the
// external tests: the job runs in the background.
func (s *Server) WaitExport(ctx context.Context, plan, id string) (export.Job, error) {
	return s.exports.jobs.Wait(ctx, plan, id)
}
