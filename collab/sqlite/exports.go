package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/temaplan/temaplan/export"
)

var _ export.Store = (*Store)(nil)

// SaveExport writes the record of an export job, replacing the one of the
// same id (only the node running a job writes it).
func (s *Store) SaveExport(ctx context.Context, r export.Record) error {
	job, err := json.Marshal(r.Job)
	if err != nil {
		return fmt.Errorf("sqlite: save export: %w", err)
	}
	if _, err := s.w.ExecContext(ctx, `INSERT INTO exports (id, plan, job, file, updated) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET plan = excluded.plan, job = excluded.job, file = excluded.file, updated = excluded.updated`,
		r.Job.ID, r.Job.Plan, string(job), r.File, r.Updated.UnixMilli()); err != nil {
		return fmt.Errorf("sqlite: save export %q: %w", r.Job.ID, err)
	}
	return nil
}

// LoadExport returns the record of the export job with id, if any.
func (s *Store) LoadExport(ctx context.Context, id string) (export.Record, bool, error) {
	var (
		job     string
		file    []byte
		updated int64
	)
	err := s.r.QueryRowContext(ctx, `SELECT job, file, updated FROM exports WHERE id = ?`, id).Scan(&job, &file, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return export.Record{}, false, nil
	}
	if err != nil {
		return export.Record{}, false, fmt.Errorf("sqlite: load export: %w", err)
	}
	r := export.Record{File: file, Updated: time.UnixMilli(updated).UTC()}
	if err := json.Unmarshal([]byte(job), &r.Job); err != nil {
		return export.Record{}, false, fmt.Errorf("sqlite: decode export %q: %w", id, err)
	}
	return r, true, nil
}

// ForgetExports deletes the records last written before before and
// returns how many it deleted.
func (s *Store) ForgetExports(ctx context.Context, before time.Time) (int, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM exports WHERE updated < ?`, before.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("sqlite: forget exports: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: forget exports: %w", err)
	}
	return int(n), nil
}
