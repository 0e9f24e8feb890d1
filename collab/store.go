package collab

import (
	"context"
	"encoding/json"
	"time"
)

// The store interfaces below are what collab consumes. Two adapters implement
// them — collab/sqlite (embedded, one node) and collab/mongo (several nodes) —
// and one contract test suite (collab/storetest) runs against both.
//
// The rule that keeps both correct, also on Mongo-compatible servers without
// atomic conditional updates: every decision is a unique insert. Updates only
// refresh caches, and a cache names the version or seq it is valid for, so a
// reader can always bring it up to date from the log.

// OpKind tells a text edit from the markers that share a section's op log.
type OpKind string

const (
	// OpEdit is a text edit: Op holds a Quill Delta.
	OpEdit OpKind = ""
	// OpLock marks that the section was locked at this version: any op that
	// loses the race to the marker's version is rejected as locked.
	OpLock OpKind = "lock"
	// OpUnlock marks that the section may be edited again from this version.
	OpUnlock OpKind = "unlock"
)

// OpRecord is one committed entry of a document's op log. Versions count ops
// as in ShareDB: the record with V = n turns the document from version n into
// version n+1. (Doc, V) and (Doc, Src, Seq) are both unique keys.
type OpRecord struct {
	Doc  string          `json:"doc"`
	V    int64           `json:"v"`
	Kind OpKind          `json:"kind,omitempty"`
	Src  string          `json:"src"`
	Seq  int64           `json:"seq"`
	By   string          `json:"by"`
	At   time.Time       `json:"at"`
	Op   json.RawMessage `json:"op"`
}

// SnapshotRecord is a document's content (a Quill Delta of inserts) after V
// ops. Snapshots are caches: they are inserted under the unique key (Doc, V)
// and the newest one is used; the ops after it are replayed on load.
type SnapshotRecord struct {
	Doc  string          `json:"doc"`
	V    int64           `json:"v"`
	Data json.RawMessage `json:"data"`
	At   time.Time       `json:"at"`
}

// OpStore is the op log and snapshot store of section documents.
type OpStore interface {
	// CommitOps inserts ops, which must be for one doc at consecutive
	// versions, in order. It returns how many were committed: the SQLite
	// store commits all or none in one transaction; the MongoDB store may
	// commit a prefix. The first insert refused by a unique key — (doc, v) or
	// (doc, src, seq) — stops the batch with an error wrapping ErrDuplicate.
	CommitOps(ctx context.Context, ops []OpRecord) (int, error)
	// Ops returns the ops of doc with from <= V < to in version order; to < 0
	// means up to the end of the log.
	Ops(ctx context.Context, doc string, from, to int64) ([]OpRecord, error)
	// OpBySource returns the op committed for (doc, src, seq), if any.
	OpBySource(ctx context.Context, doc, src string, seq int64) (OpRecord, bool, error)
	// SaveSnapshot inserts a snapshot. A snapshot of the same (doc, v) that
	// is already stored is left as it is and no error is returned.
	SaveSnapshot(ctx context.Context, s SnapshotRecord) error
	// LatestSnapshot returns the snapshot of doc with the highest version
	// that is at most maxV (maxV < 0: the highest of all), if any.
	LatestSnapshot(ctx context.Context, doc string, maxV int64) (SnapshotRecord, bool, error)
}

// PlanEntry is one entry of a plan's log: every change to a plan that is not
// section text (structure, metadata, members, phases, ...). (Plan, Seq) is a
// unique key: inserting the entry is the commit point of the change.
type PlanEntry struct {
	Plan string          `json:"plan"`
	Seq  int64           `json:"seq"`
	Kind string          `json:"kind"`
	By   string          `json:"by"`
	At   time.Time       `json:"at"`
	Data json.RawMessage `json:"data"`
}

// PlanStateRecord is the cached fold of a plan's log up to Seq, with the
// fields a listing needs copied out of Data so stores can filter on them.
type PlanStateRecord struct {
	Plan         string          `json:"plan"`
	Municipality string          `json:"municipality"`
	Seq          int64           `json:"seq"`
	Data         json.RawMessage `json:"data"`
	Updated      time.Time       `json:"updated"`
}

// PlanStore is the store of plan logs and their cached state.
type PlanStore interface {
	// AppendPlanEntry inserts e; an entry with the same (plan, seq) already
	// stored makes it fail with an error wrapping ErrDuplicate.
	AppendPlanEntry(ctx context.Context, e PlanEntry) error
	// PlanEntries returns the entries of plan with Seq >= from, in order.
	PlanEntries(ctx context.Context, plan string, from int64) ([]PlanEntry, error)
	// SavePlanState refreshes the cache of a plan's state. It is a cache
	// refresh, not a decision: a record older than the stored one may be
	// ignored, and readers fold the entries after the cached Seq.
	SavePlanState(ctx context.Context, s PlanStateRecord) error
	// PlanState returns the cached state of plan, if any.
	PlanState(ctx context.Context, plan string) (PlanStateRecord, bool, error)
	// ListPlanStates returns the cached states of all plans of a
	// municipality ("" means every municipality), ordered by plan id.
	ListPlanStates(ctx context.Context, municipality string) ([]PlanStateRecord, error)
}

// Store is everything a Temaplan node needs from its database.
type Store interface {
	OpStore
	PlanStore
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	// Describe names the store for the start-up log without credentials,
	// e.g. "sqlite /data/temaplan.db" or "mongodb mongo:27017/temaplan".
	Describe() string
	// Close releases the store's connections.
	Close() error
}
