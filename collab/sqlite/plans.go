package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/temaplan/temaplan/collab"
)

// AppendPlanEntry inserts e; an entry already stored for (plan, seq) makes
// it fail with an error wrapping collab.ErrDuplicate. It is written in a
// group transaction with the ops (commit.go).
func (s *Store) AppendPlanEntry(ctx context.Context, e collab.PlanEntry) error {
	if err := checkJSON(e.Data); err != nil {
		return fmt.Errorf("sqlite: append plan entry %q seq %d: %w", e.Plan, e.Seq, err)
	}
	return s.commitInGroup(&commitReq{
		ctx:  ctx,
		what: func() string { return fmt.Sprintf("append plan entry %q seq %d", e.Plan, e.Seq) },
		write: func(ctx context.Context, g *groupTx) (error, error) {
			return g.exec(ctx, s.insertPlanEntry, e.Plan, e.Seq, e.Kind, e.By, e.At.UnixMilli(), jsonArg(e.Data))
		},
	})
}

// PlanEntries returns the entries of plan with Seq >= from, in order.
func (s *Store) PlanEntries(ctx context.Context, plan string, from int64) ([]collab.PlanEntry, error) {
	rows, err := s.selectPlanEntries.QueryContext(ctx, plan, from)
	if err != nil {
		return nil, fmt.Errorf("sqlite: entries of plan %q: %w", plan, err)
	}
	defer func() { _ = rows.Close() }()
	var es []collab.PlanEntry
	for rows.Next() {
		e := collab.PlanEntry{Plan: plan}
		var at int64
		var data []byte
		if err := rows.Scan(&e.Seq, &e.Kind, &e.By, &at, &data); err != nil {
			return nil, fmt.Errorf("sqlite: entries of plan %q: %w", plan, err)
		}
		e.At, e.Data = fromMillis(at), data
		es = append(es, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: entries of plan %q: %w", plan, err)
	}
	return es, nil
}

// SavePlanState stores st unless the stored state of its plan has the
// same or a newer Seq: a cache is only ever replaced by a newer fold.
func (s *Store) SavePlanState(ctx context.Context, st collab.PlanStateRecord) error {
	if err := checkJSON(st.Data); err != nil {
		return fmt.Errorf("sqlite: save state of plan %q: %w", st.Plan, err)
	}
	return s.commitInGroup(&commitReq{
		ctx:  ctx,
		what: func() string { return fmt.Sprintf("save state of plan %q", st.Plan) },
		write: func(ctx context.Context, g *groupTx) (error, error) {
			return g.exec(ctx, s.upsertPlanState, st.Plan, st.Municipality, st.Seq, jsonArg(st.Data), st.Updated.UnixMilli())
		},
	})
}

// PlanState returns the cached state of plan, if any.
func (s *Store) PlanState(ctx context.Context, plan string) (collab.PlanStateRecord, bool, error) {
	st, err := scanPlanState(s.selectPlanState.QueryRowContext(ctx, plan))
	if errors.Is(err, sql.ErrNoRows) {
		return collab.PlanStateRecord{}, false, nil
	}
	if err != nil {
		return collab.PlanStateRecord{}, false, fmt.Errorf("sqlite: state of plan %q: %w", plan, err)
	}
	return st, true, nil
}

// ListPlanStates returns the cached states of all plans of a municipality
// ("" means every municipality), ordered by plan id.
func (s *Store) ListPlanStates(ctx context.Context, municipality string) ([]collab.PlanStateRecord, error) {
	var rows *sql.Rows
	var err error
	if municipality == "" {
		rows, err = s.listAllPlanStates.QueryContext(ctx)
	} else {
		rows, err = s.listPlanStates.QueryContext(ctx, municipality)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: plan states of %q: %w", municipality, err)
	}
	defer func() { _ = rows.Close() }()
	var sts []collab.PlanStateRecord
	for rows.Next() {
		st, err := scanPlanState(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: plan states of %q: %w", municipality, err)
		}
		sts = append(sts, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: plan states of %q: %w", municipality, err)
	}
	return sts, nil
}

// scanPlanState reads the columns plan, municipality, seq, data, updated.
func scanPlanState(row interface{ Scan(...any) error }) (collab.PlanStateRecord, error) {
	var st collab.PlanStateRecord
	var data []byte
	var updated int64
	if err := row.Scan(&st.Plan, &st.Municipality, &st.Seq, &data, &updated); err != nil {
		return collab.PlanStateRecord{}, err
	}
	st.Data, st.Updated = data, fromMillis(updated)
	return st, nil
}
