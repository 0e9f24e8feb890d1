package mongo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/temaplan/temaplan/export"
)

// The export jobs (export.Store) are kept in
//
//	exports  _id job id; plan; job (JSON); file (binary); updated
//
// Only the node that runs a job writes its document, so a save replaces
// it. The collection holds the jobs of the last hour, a few dozen, so the
// deletion of old ones needs no index on updated.

// collExports is the collection of export jobs.
const collExports = "exports"

var _ export.Store = (*Store)(nil)

// exportDoc is an export job.
type exportDoc struct {
	ID      string        `bson:"_id"`
	Plan    string        `bson:"plan"`
	Job     string        `bson:"job"`
	File    []byte        `bson:"file,omitempty"`
	Updated bson.DateTime `bson:"updated"`
}

// exports is the collection of export jobs, in the store's database with
// its write and read concerns.
func (s *Store) exports() *mongo.Collection {
	return s.municipalities.Database().Collection(collExports)
}

// SaveExport writes the record of an export job, replacing the one of the
// same id (only the node running a job writes it).
func (s *Store) SaveExport(ctx context.Context, r export.Record) error {
	job, err := json.Marshal(r.Job)
	if err != nil {
		return fmt.Errorf("mongo: save export: %w", err)
	}
	d := exportDoc{ID: r.Job.ID, Plan: r.Job.Plan, Job: string(job), File: r.File, Updated: date(r.Updated)}
	if _, err := s.exports().ReplaceOne(ctx, bson.D{{Key: "_id", Value: d.ID}}, d, options.Replace().SetUpsert(true)); err != nil {
		return fmt.Errorf("mongo: save export %q: %w", r.Job.ID, err)
	}
	return nil
}

// LoadExport returns the record of the export job with id, if any.
func (s *Store) LoadExport(ctx context.Context, id string) (export.Record, bool, error) {
	var d exportDoc
	err := s.exports().FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return export.Record{}, false, nil
	}
	if err != nil {
		return export.Record{}, false, fmt.Errorf("mongo: load export: %w", err)
	}
	r := export.Record{File: d.File, Updated: fromDate(d.Updated)}
	if err := json.Unmarshal([]byte(d.Job), &r.Job); err != nil {
		return export.Record{}, false, fmt.Errorf("mongo: decode export %q: %w", id, err)
	}
	return r, true, nil
}

// ForgetExports deletes the records last written before before and
// returns how many it deleted.
func (s *Store) ForgetExports(ctx context.Context, before time.Time) (int, error) {
	res, err := s.exports().DeleteMany(ctx, bson.D{{Key: "updated", Value: bson.D{{Key: "$lt", Value: date(before)}}}})
	if err != nil {
		return 0, fmt.Errorf("mongo: forget exports: %w", err)
	}
	return int(res.DeletedCount), nil
}
