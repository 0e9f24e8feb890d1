package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/temaplan/temaplan/collab"
)

// Ops returns the ops of doc with from <= V < to in version order; to < 0
// means up to the end of the log.
func (s *Store) Ops(ctx context.Context, doc string, from, to int64) ([]collab.OpRecord, error) {
	if to < 0 {
		to = math.MaxInt64
	}
	rows, err := s.selectOps.QueryContext(ctx, doc, from, to)
	if err != nil {
		return nil, fmt.Errorf("sqlite: ops of %q: %w", doc, err)
	}
	defer func() { _ = rows.Close() }()
	var ops []collab.OpRecord
	for rows.Next() {
		op, err := scanOp(rows, doc)
		if err != nil {
			return nil, fmt.Errorf("sqlite: ops of %q: %w", doc, err)
		}
		ops = append(ops, op)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: ops of %q: %w", doc, err)
	}
	return ops, nil
}

// OpBySource returns the op committed for (doc, src, seq), if any.
func (s *Store) OpBySource(ctx context.Context, doc, src string, seq int64) (collab.OpRecord, bool, error) {
	op, err := scanOp(s.selectOpBySource.QueryRowContext(ctx, doc, src, seq), doc)
	if errors.Is(err, sql.ErrNoRows) {
		return collab.OpRecord{}, false, nil
	}
	if err != nil {
		return collab.OpRecord{}, false, fmt.Errorf("sqlite: op of %q by %q seq %d: %w", doc, src, seq, err)
	}
	return op, true, nil
}

// LatestSnapshot returns the snapshot of doc with the highest version that
// is at most maxV (maxV < 0: the highest of all), if any.
func (s *Store) LatestSnapshot(ctx context.Context, doc string, maxV int64) (collab.SnapshotRecord, bool, error) {
	if maxV < 0 {
		maxV = math.MaxInt64
	}
	sn := collab.SnapshotRecord{Doc: doc}
	var data []byte
	var at int64
	err := s.selectSnapshot.QueryRowContext(ctx, doc, maxV).Scan(&sn.V, &data, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return collab.SnapshotRecord{}, false, nil
	}
	if err != nil {
		return collab.SnapshotRecord{}, false, fmt.Errorf("sqlite: latest snapshot of %q: %w", doc, err)
	}
	sn.Data, sn.At = data, fromMillis(at)
	return sn, true, nil
}

// scanOp reads the columns v, kind, src, seq, by, at, op of an op of doc.
func scanOp(row interface{ Scan(...any) error }, doc string) (collab.OpRecord, error) {
	op := collab.OpRecord{Doc: doc}
	var kind string
	var at int64
	var data []byte
	if err := row.Scan(&op.V, &kind, &op.Src, &op.Seq, &op.By, &at, &data); err != nil {
		return collab.OpRecord{}, err
	}
	op.Kind, op.At, op.Op = collab.OpKind(kind), fromMillis(at), data
	return op, nil
}

// fromMillis returns the time of a stored unix millisecond, in UTC.
func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// checkJSON refuses a payload that is not JSON, which would otherwise be
// stored as it is and break every reader of the record. An empty payload
// is stored as NULL and read back empty.
func checkJSON(b []byte) error {
	if len(b) > 0 && !json.Valid(b) {
		return errors.New("payload is not valid JSON")
	}
	return nil
}

// jsonArg returns a payload as a statement argument: TEXT, or NULL if empty.
func jsonArg(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}
