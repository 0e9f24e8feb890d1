package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/temaplan/temaplan/auth"
)

var _ auth.SSOStore = (*Store)(nil)

// UseSSOState records that the single sign-on state named by key was used;
// a key recorded before is an error wrapping collab.ErrDuplicate (the
// primary key decides).
func (s *Store) UseSSOState(ctx context.Context, key string, at, expires time.Time) error {
	if _, err := s.w.ExecContext(ctx, `INSERT INTO sso_states (key, used, expires) VALUES (?, ?, ?)`,
		key, at.UnixMilli(), expires.UnixMilli()); err != nil {
		return fmt.Errorf("sqlite: use sso state: %w", duplicate(err))
	}
	return nil
}

// ForgetSSOStates deletes the records of states that expired before
// before and returns how many it deleted.
func (s *Store) ForgetSSOStates(ctx context.Context, before time.Time) (int, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM sso_states WHERE expires < ?`, before.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("sqlite: forget sso states: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: forget sso states: %w", err)
	}
	return int(n), nil
}
