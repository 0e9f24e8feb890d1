package mongo

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/temaplan/temaplan/collab"
)

// planKey is the _id of a plan entry: the decision key (plan, seq).
type planKey struct {
	Plan string `bson:"plan"`
	Seq  int64  `bson:"seq"`
}

// planEntryDoc is a plan entry as stored in the plan_entries collection.
type planEntryDoc struct {
	ID   planKey       `bson:"_id"`
	Plan string        `bson:"plan"`
	Seq  int64         `bson:"seq"`
	Kind string        `bson:"kind"`
	By   string        `bson:"by"`
	At   bson.DateTime `bson:"at"`
	Data string        `bson:"data,omitempty"` // JSON, byte for byte
}

// AppendPlanEntry inserts e; an entry already stored for (plan, seq) makes
// it fail with an error wrapping collab.ErrDuplicate.
func (s *Store) AppendPlanEntry(ctx context.Context, e collab.PlanEntry) error {
	if err := checkJSON(e.Data); err != nil {
		return fmt.Errorf("mongo: append plan entry %q seq %d: %w", e.Plan, e.Seq, err)
	}
	_, err := s.planEntries.InsertOne(ctx, planEntryDoc{
		ID:   planKey{e.Plan, e.Seq},
		Plan: e.Plan,
		Seq:  e.Seq,
		Kind: e.Kind,
		By:   e.By,
		At:   date(e.At),
		Data: string(e.Data),
	})
	if err != nil {
		return fmt.Errorf("mongo: append plan entry %q seq %d: %w", e.Plan, e.Seq, duplicate(err))
	}
	return nil
}

// PlanEntries returns the entries of plan with Seq >= from, in order.
func (s *Store) PlanEntries(ctx context.Context, plan string, from int64) ([]collab.PlanEntry, error) {
	filter := bson.D{{Key: "plan", Value: plan}, {Key: "seq", Value: bson.D{{Key: "$gte", Value: from}}}}
	return findSorted(ctx, s.planEntries, filter, "seq", planEntryDoc.record, fmt.Sprintf("entries of plan %q", plan))
}

// record converts a stored entry to the domain's record.
func (d planEntryDoc) record() collab.PlanEntry {
	return collab.PlanEntry{Plan: d.Plan, Seq: d.Seq, Kind: d.Kind, By: d.By, At: fromDate(d.At), Data: payload(d.Data)}
}

// planStateDoc is a plan's cached state as stored in the plan_states
// collection.
type planStateDoc struct {
	Plan         string        `bson:"_id"`
	Municipality string        `bson:"municipality"`
	Seq          int64         `bson:"seq"`
	Data         string        `bson:"data,omitempty"` // JSON, byte for byte
	Updated      bson.DateTime `bson:"updated"`
}

func (d planStateDoc) record() collab.PlanStateRecord {
	return collab.PlanStateRecord{
		Plan:         d.Plan,
		Municipality: d.Municipality,
		Seq:          d.Seq,
		Data:         payload(d.Data),
		Updated:      fromDate(d.Updated),
	}
}

// SavePlanState refreshes the cache of a plan's state: it replaces the
// stored record if that is older (a lower seq) and inserts the record if
// none is stored. A record no newer than the stored one is ignored.
//
// This is a cache refresh, not a decision. On a server without atomic
// conditional updates (FerretDB) two racing refreshes may both pass the
// seq check and the older may land last; every field is set by one update,
// so the record is still one that was saved whole, and readers fold the plan
// entries after its seq.
func (s *Store) SavePlanState(ctx context.Context, st collab.PlanStateRecord) error {
	if err := checkJSON(st.Data); err != nil {
		return fmt.Errorf("mongo: save state of plan %q: %w", st.Plan, err)
	}
	d := planStateDoc{
		Plan:         st.Plan,
		Municipality: st.Municipality,
		Seq:          st.Seq,
		Data:         string(st.Data),
		Updated:      date(st.Updated),
	}
	filter := bson.D{{Key: "_id", Value: st.Plan}, {Key: "seq", Value: bson.D{{Key: "$lt", Value: st.Seq}}}}
	set := bson.D{
		{Key: "municipality", Value: d.Municipality},
		{Key: "seq", Value: d.Seq},
		{Key: "data", Value: d.Data},
		{Key: "updated", Value: d.Updated},
	}
	res, err := s.planStates.UpdateOne(ctx, filter, bson.D{{Key: "$set", Value: set}})
	if err != nil {
		return fmt.Errorf("mongo: save state of plan %q: %w", st.Plan, err)
	}
	if res.MatchedCount > 0 {
		return nil
	}
	// No older record: either none is stored, or the stored one is as new
	// or newer, in which case the insert is refused and that one is kept.
	if _, err := s.planStates.InsertOne(ctx, d); err != nil && !isDuplicate(err) {
		return fmt.Errorf("mongo: save state of plan %q: %w", st.Plan, err)
	}
	return nil
}

// PlanState returns the cached state of plan, if any.
func (s *Store) PlanState(ctx context.Context, plan string) (collab.PlanStateRecord, bool, error) {
	var d planStateDoc
	err := s.planStates.FindOne(ctx, bson.D{{Key: "_id", Value: plan}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return collab.PlanStateRecord{}, false, nil
	}
	if err != nil {
		return collab.PlanStateRecord{}, false, fmt.Errorf("mongo: state of plan %q: %w", plan, err)
	}
	return d.record(), true, nil
}

// ListPlanStates returns the cached states of all plans of a municipality
// ("" means every municipality), ordered by plan id.
func (s *Store) ListPlanStates(ctx context.Context, municipality string) ([]collab.PlanStateRecord, error) {
	filter := bson.D{}
	if municipality != "" {
		filter = bson.D{{Key: "municipality", Value: municipality}}
	}
	return findSorted(ctx, s.planStates, filter, "_id", planStateDoc.record, fmt.Sprintf("plan states of %q", municipality))
}
