package mongo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/temaplan/temaplan/collab"
)

// docKey is the _id of an op or a snapshot: the decision key (doc, v). The
// field order is fixed by the struct, so equal keys are equal documents.
type docKey struct {
	Doc string `bson:"doc"`
	V   int64  `bson:"v"`
}

// opDoc is an op as stored in the ops collection.
type opDoc struct {
	ID   docKey        `bson:"_id"`
	Doc  string        `bson:"doc"`
	V    int64         `bson:"v"`
	Kind string        `bson:"kind,omitempty"`
	Src  string        `bson:"src"`
	Seq  int64         `bson:"seq"`
	By   string        `bson:"by"`
	At   bson.DateTime `bson:"at"`
	Op   string        `bson:"op,omitempty"` // JSON, byte for byte; "" if none
}

func toOpDoc(o collab.OpRecord) opDoc {
	return opDoc{
		ID:   docKey{o.Doc, o.V},
		Doc:  o.Doc,
		V:    o.V,
		Kind: string(o.Kind),
		Src:  o.Src,
		Seq:  o.Seq,
		By:   o.By,
		At:   date(o.At),
		Op:   string(o.Op),
	}
}

func (d opDoc) record() collab.OpRecord {
	return collab.OpRecord{
		Doc:  d.Doc,
		V:    d.V,
		Kind: collab.OpKind(d.Kind),
		Src:  d.Src,
		Seq:  d.Seq,
		By:   d.By,
		At:   fromDate(d.At),
		Op:   payload(d.Op),
	}
}

// CommitOps inserts ops, one doc at consecutive versions, with one ordered
// insertMany. The server stops at the first insert a unique key refuses —
// (doc, v) or (doc, src, seq) — and keeps the ops before it: CommitOps
// returns the length of that prefix with an error wrapping
// collab.ErrDuplicate. (FerretDB does not say which key refused an op; look
// the op up with OpBySource to tell a resend from a lost race.)
//
// On any other error CommitOps returns 0: the outcome is unknown (a network
// error or a write concern error may come after the ops were written), so
// none of them may be acknowledged; a later commit at those versions is
// refused and the caller catches up from the log.
func (s *Store) CommitOps(ctx context.Context, ops []collab.OpRecord) (int, error) {
	if len(ops) == 0 {
		return 0, nil
	}
	first := ops[0]
	docs := make([]any, len(ops))
	for i, op := range ops {
		if op.Doc != first.Doc || op.V != first.V+int64(i) || op.V < 0 {
			return 0, fmt.Errorf("mongo: commit ops: op %d is %q v%d after %q v%d: a batch is one doc at consecutive versions",
				i, op.Doc, op.V, first.Doc, first.V)
		}
		if err := checkJSON(op.Op); err != nil {
			return 0, fmt.Errorf("mongo: commit op %q v%d: %w", op.Doc, op.V, err)
		}
		docs[i] = toOpDoc(op)
	}

	_, err := s.ops.InsertMany(ctx, docs, options.InsertMany().SetOrdered(true))
	if err == nil {
		return len(ops), nil
	}
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || len(bwe.WriteErrors) == 0 || bwe.WriteConcernError != nil {
		if errors.As(err, &bwe) && bwe.WriteConcernError != nil {
			s.log.Warn("mongo: ops may be written but are not durable", "doc", first.Doc, "v", first.V, "n", len(ops), "err", err)
		}
		return 0, fmt.Errorf("mongo: commit ops %q v%d..v%d: %w", first.Doc, first.V, first.V+int64(len(ops))-1, err)
	}
	// An ordered insert stops at its first write error; everything before
	// it was inserted.
	we := bwe.WriteErrors[0].WriteError
	for _, e := range bwe.WriteErrors[1:] {
		if e.Index < we.Index {
			we = e.WriteError
		}
	}
	if we.Index < 0 || we.Index >= len(ops) {
		return 0, fmt.Errorf("mongo: commit ops %q v%d..: write error at index %d of %d: %w", first.Doc, first.V, we.Index, len(ops), err)
	}
	if we.Index > 0 {
		s.log.Debug("mongo: committed a prefix of a batch", "doc", first.Doc, "v", first.V, "committed", we.Index, "batch", len(ops))
	}
	return we.Index, fmt.Errorf("mongo: commit op %q v%d: %w", first.Doc, ops[we.Index].V, duplicate(we))
}

// Ops returns the ops of doc with from <= V < to in version order; to < 0
// means up to the end of the log.
func (s *Store) Ops(ctx context.Context, doc string, from, to int64) ([]collab.OpRecord, error) {
	if to >= 0 && to <= from {
		return nil, nil
	}
	v := bson.D{{Key: "$gte", Value: from}}
	if to >= 0 {
		v = append(v, bson.E{Key: "$lt", Value: to})
	}
	filter := bson.D{{Key: "doc", Value: doc}, {Key: "v", Value: v}}
	return findSorted(ctx, s.ops, filter, "v", opDoc.record, fmt.Sprintf("ops of %q", doc))
}

// OpBySource returns the op committed for (doc, src, seq), if any.
func (s *Store) OpBySource(ctx context.Context, doc, src string, seq int64) (collab.OpRecord, bool, error) {
	filter := bson.D{{Key: "doc", Value: doc}, {Key: "src", Value: src}, {Key: "seq", Value: seq}}
	var d opDoc
	err := s.ops.FindOne(ctx, filter).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return collab.OpRecord{}, false, nil
	}
	if err != nil {
		return collab.OpRecord{}, false, fmt.Errorf("mongo: op of %q by %q seq %d: %w", doc, src, seq, err)
	}
	return d.record(), true, nil
}

// snapshotDoc is a snapshot as stored in the snapshots collection.
type snapshotDoc struct {
	ID   docKey        `bson:"_id"`
	Doc  string        `bson:"doc"`
	V    int64         `bson:"v"`
	Data string        `bson:"data,omitempty"` // JSON, byte for byte
	At   bson.DateTime `bson:"at"`
}

// SaveSnapshot inserts a snapshot; one already stored for (doc, v) is kept.
func (s *Store) SaveSnapshot(ctx context.Context, sn collab.SnapshotRecord) error {
	if err := checkJSON(sn.Data); err != nil {
		return fmt.Errorf("mongo: save snapshot %q v%d: %w", sn.Doc, sn.V, err)
	}
	_, err := s.snapshots.InsertOne(ctx, snapshotDoc{
		ID:   docKey{sn.Doc, sn.V},
		Doc:  sn.Doc,
		V:    sn.V,
		Data: string(sn.Data),
		At:   date(sn.At),
	})
	if err != nil && !isDuplicate(err) {
		return fmt.Errorf("mongo: save snapshot %q v%d: %w", sn.Doc, sn.V, err)
	}
	return nil
}

// LatestSnapshot returns the snapshot of doc with the highest version that
// is at most maxV (maxV < 0: the highest of all), if any.
func (s *Store) LatestSnapshot(ctx context.Context, doc string, maxV int64) (collab.SnapshotRecord, bool, error) {
	filter := bson.D{{Key: "doc", Value: doc}}
	if maxV >= 0 {
		filter = append(filter, bson.E{Key: "v", Value: bson.D{{Key: "$lte", Value: maxV}}})
	}
	opts := options.FindOne().SetSort(bson.D{{Key: "v", Value: -1}})
	var d snapshotDoc
	err := s.snapshots.FindOne(ctx, filter, opts).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return collab.SnapshotRecord{}, false, nil
	}
	if err != nil {
		return collab.SnapshotRecord{}, false, fmt.Errorf("mongo: latest snapshot of %q: %w", doc, err)
	}
	return collab.SnapshotRecord{Doc: d.Doc, V: d.V, Data: payload(d.Data), At: fromDate(d.At)}, true, nil
}

// checkJSON refuses a payload that is not JSON, which would otherwise be
// stored as it is and break every reader of the record. An empty payload is
// stored as a missing field and read back empty.
func checkJSON(b []byte) error {
	if len(b) > 0 && !json.Valid(b) {
		return errors.New("payload is not valid JSON")
	}
	return nil
}

// payload returns a stored JSON payload; a missing one is empty.
func payload(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	return json.RawMessage(s)
}

// find returns the records of the documents of coll that filter matches,
// in the order sort gives, at most limit of them (0: all); what names them
// in errors. No match is a nil slice.
func find[D, R any](ctx context.Context, coll *mongo.Collection, filter, sort bson.D, limit int, record func(D) R, what string) ([]R, error) {
	opts := options.Find().SetSort(sort)
	if limit > 0 {
		opts.SetLimit(int64(limit))
	}
	cur, err := coll.Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("mongo: %s: %w", what, err)
	}
	var docs []D
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("mongo: %s: %w", what, err)
	}
	if len(docs) == 0 {
		return nil, nil
	}
	out := make([]R, len(docs))
	for i, d := range docs {
		out[i] = record(d)
	}
	return out, nil
}

// findSorted returns the documents matching filter in ascending order of
// sortKey, converted to records; what names them in errors. No match is a
// nil slice.
func findSorted[D, R any](ctx context.Context, coll *mongo.Collection, filter bson.D, sortKey string, record func(D) R, what string) ([]R, error) {
	return find(ctx, coll, filter, bson.D{{Key: sortKey, Value: 1}}, 0, record, what)
}
