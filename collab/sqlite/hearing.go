package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/temaplan/temaplan/collab"
)

// The hearing's tables (migrations/0008_hearing.sql): plain inserts on the
// writer, each one a decision under its primary key.

var _ collab.HearingStore = (*Store)(nil)

// InsertHearingToken records that token opens plan's hearing page.
func (s *Store) InsertHearingToken(ctx context.Context, token, plan string, at time.Time) error {
	if _, err := s.w.ExecContext(ctx, `INSERT INTO hearing_tokens (token, plan, created) VALUES (?, ?, ?)`,
		token, plan, at.UnixMilli()); err != nil {
		return fmt.Errorf("sqlite: insert hearing token: %w", duplicate(err))
	}
	return nil
}

// HearingTokenPlan returns the plan token opens, if any.
func (s *Store) HearingTokenPlan(ctx context.Context, token string) (string, bool, error) {
	var plan string
	err := s.r.QueryRowContext(ctx, `SELECT plan FROM hearing_tokens WHERE token = ?`, token).Scan(&plan)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("sqlite: hearing token: %w", err)
	}
	return plan, true, nil
}

// InsertHearingResponse stores r under its id.
func (s *Store) InsertHearingResponse(ctx context.Context, r collab.HearingResponse) error {
	if _, err := s.w.ExecContext(ctx, `INSERT INTO hearing_responses (id, plan, name, organisation, email, text, section, quote, subject, received)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.Plan, r.Name, r.Organisation, r.Email, r.Text, r.Section, r.Quote, r.Subject, r.Received.UnixMilli()); err != nil {
		return fmt.Errorf("sqlite: insert hearing response %q: %w", r.ID, duplicate(err))
	}
	return nil
}

// HearingResponses returns plan's responses, oldest first (ties by id).
func (s *Store) HearingResponses(ctx context.Context, plan string) ([]collab.HearingResponse, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, plan, name, organisation, email, text, section, quote, subject, received, deleted
		FROM hearing_responses WHERE plan = ? ORDER BY received, id`, plan)
	if err != nil {
		return nil, fmt.Errorf("sqlite: hearing responses: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []collab.HearingResponse
	for rows.Next() {
		var r collab.HearingResponse
		var at, deleted int64
		if err := rows.Scan(&r.ID, &r.Plan, &r.Name, &r.Organisation, &r.Email, &r.Text, &r.Section, &r.Quote, &r.Subject, &at, &deleted); err != nil {
			return nil, fmt.Errorf("sqlite: hearing responses: %w", err)
		}
		r.Received = fromMillis(at)
		if deleted != 0 {
			r.Deleted = fromMillis(deleted)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: hearing responses: %w", err)
	}
	return out, nil
}

// HearingResponsePlans returns the plans that have responses not yet
// deleted.
func (s *Store) HearingResponsePlans(ctx context.Context) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT DISTINCT plan FROM hearing_responses WHERE deleted = 0 ORDER BY plan`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: hearing response plans: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []string
	for rows.Next() {
		var plan string
		if err := rows.Scan(&plan); err != nil {
			return nil, fmt.Errorf("sqlite: hearing response plans: %w", err)
		}
		out = append(out, plan)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: hearing response plans: %w", err)
	}
	return out, nil
}

// DeleteHearingResponse empties the personal fields of response id and
// marks it deleted at at; a response deleted already keeps its first
// deletion.
func (s *Store) DeleteHearingResponse(ctx context.Context, id string, at time.Time) error {
	if _, err := s.w.ExecContext(ctx, `UPDATE hearing_responses SET name = '', organisation = '', email = '', text = '', quote = '', deleted = ?
		WHERE id = ? AND deleted = 0`, max(at.UnixMilli(), 1), id); err != nil {
		return fmt.Errorf("sqlite: delete hearing response %q: %w", id, err)
	}
	return nil
}

// InsertModeration stores the one decision on m.Response.
func (s *Store) InsertModeration(ctx context.Context, m collab.Moderation) error {
	if _, err := s.w.ExecContext(ctx, `INSERT INTO hearing_moderations (response, plan, decision, by_user, at) VALUES (?, ?, ?, ?, ?)`,
		m.Response, m.Plan, m.Decision, m.By, m.At.UnixMilli()); err != nil {
		return fmt.Errorf("sqlite: insert moderation of %q: %w", m.Response, duplicate(err))
	}
	return nil
}

// Moderations returns the decisions on plan's responses, by response id.
func (s *Store) Moderations(ctx context.Context, plan string) ([]collab.Moderation, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT response, plan, decision, by_user, at FROM hearing_moderations WHERE plan = ? ORDER BY response`, plan)
	if err != nil {
		return nil, fmt.Errorf("sqlite: moderations: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []collab.Moderation
	for rows.Next() {
		var m collab.Moderation
		var at int64
		if err := rows.Scan(&m.Response, &m.Plan, &m.Decision, &m.By, &at); err != nil {
			return nil, fmt.Errorf("sqlite: moderations: %w", err)
		}
		m.At = fromMillis(at)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: moderations: %w", err)
	}
	return out, nil
}
