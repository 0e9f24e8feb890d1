package mongo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/temaplan/temaplan/collab"
)

// The hearing's collections (collab.HearingStore):
//
//	hearing_tokens       _id token: the plan its page opens
//	hearing_responses    _id receipt number; (plan, received, _id)
//	hearing_moderations  _id response id: its one decision; (plan, _id)
//
// Every write is an insert under _id: the decision is the unique key.

var _ collab.HearingStore = (*Store)(nil)

// Collection names of the hearing.
const (
	collHearingTokens      = "hearing_tokens"
	collHearingResponses   = "hearing_responses"
	collHearingModerations = "hearing_moderations"
)

// initHearing creates the hearing's collections and indexes.
func (s *Store) initHearing(ctx context.Context) error {
	db := s.ops.Database()
	if err := db.CreateCollection(ctx, collHearingTokens); err != nil {
		var ce mongo.CommandError
		if !(errors.As(err, &ce) && ce.Code == codeNamespaceExists) {
			return fmt.Errorf("create collection %s: %w", collHearingTokens, err)
		}
	}
	for _, ix := range []index{
		{db.Collection(collHearingResponses), "plan_received_id", bson.D{{Key: "plan", Value: 1}, {Key: "received", Value: 1}, {Key: "_id", Value: 1}}, false},
		{db.Collection(collHearingModerations), "plan_id", bson.D{{Key: "plan", Value: 1}, {Key: "_id", Value: 1}}, false},
	} {
		if _, err := ix.coll.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: ix.keys, Options: options.Index().SetName(ix.name)}); err != nil {
			return fmt.Errorf("create index %s.%s: %w", ix.coll.Name(), ix.name, err)
		}
	}
	return nil
}

func (s *Store) hearingColl(name string) *mongo.Collection { return s.ops.Database().Collection(name) }

type hearingTokenDoc struct {
	Token   string        `bson:"_id"`
	Plan    string        `bson:"plan"`
	Created bson.DateTime `bson:"created"`
}

// InsertHearingToken records that token opens plan's hearing page.
func (s *Store) InsertHearingToken(ctx context.Context, token, plan string, at time.Time) error {
	if _, err := s.hearingColl(collHearingTokens).InsertOne(ctx, hearingTokenDoc{Token: token, Plan: plan, Created: date(at)}); err != nil {
		return fmt.Errorf("mongo: insert hearing token: %w", duplicate(err))
	}
	return nil
}

// HearingTokenPlan returns the plan token opens, if any.
func (s *Store) HearingTokenPlan(ctx context.Context, token string) (string, bool, error) {
	var d hearingTokenDoc
	err := s.hearingColl(collHearingTokens).FindOne(ctx, bson.D{{Key: "_id", Value: token}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("mongo: hearing token: %w", err)
	}
	return d.Plan, true, nil
}

type hearingResponseDoc struct {
	ID           string        `bson:"_id"`
	Plan         string        `bson:"plan"`
	Name         string        `bson:"name"`
	Organisation string        `bson:"organisation"`
	Email        string        `bson:"email"`
	Text         string        `bson:"text"`
	Section      string        `bson:"section"`
	Quote        string        `bson:"quote"`
	Subject      string        `bson:"subject"`
	Received     bson.DateTime `bson:"received"`
	// Deleted is set when the retention ended (absent while kept).
	Deleted *bson.DateTime `bson:"deleted,omitempty"`
}

func (d hearingResponseDoc) record() collab.HearingResponse {
	r := collab.HearingResponse{ID: d.ID, Plan: d.Plan, Name: d.Name, Organisation: d.Organisation, Email: d.Email,
		Text: d.Text, Section: d.Section, Quote: d.Quote, Subject: d.Subject, Received: fromDate(d.Received)}
	if d.Deleted != nil {
		r.Deleted = fromDate(*d.Deleted)
	}
	return r
}

// keptResponses matches the responses not deleted.
var keptResponses = bson.D{{Key: "deleted", Value: bson.D{{Key: "$exists", Value: false}}}}

// HearingResponsePlans returns the plans with responses not deleted.
func (s *Store) HearingResponsePlans(ctx context.Context) ([]string, error) {
	type planOnly struct {
		Plan string `bson:"plan"`
	}
	plans, err := find(ctx, s.hearingColl(collHearingResponses), keptResponses,
		bson.D{{Key: "plan", Value: 1}}, 0, func(d planOnly) string { return d.Plan }, "hearing response plans")
	if err != nil {
		return nil, err
	}
	return slices.Compact(plans), nil
}

// DeleteHearingResponse empties the personal fields of response id and
// marks it deleted at at. The filter keeps a first deletion's time; two
// nodes deleting at once write the same empty fields.
func (s *Store) DeleteHearingResponse(ctx context.Context, id string, at time.Time) error {
	filter := append(bson.D{{Key: "_id", Value: id}}, keptResponses...)
	set := bson.D{{Key: "name", Value: ""}, {Key: "organisation", Value: ""}, {Key: "email", Value: ""},
		{Key: "text", Value: ""}, {Key: "quote", Value: ""}, {Key: "deleted", Value: date(at)}}
	if _, err := s.hearingColl(collHearingResponses).UpdateOne(ctx, filter, bson.D{{Key: "$set", Value: set}}); err != nil {
		return fmt.Errorf("mongo: delete hearing response %q: %w", id, err)
	}
	return nil
}

// InsertHearingResponse stores r under its id.
func (s *Store) InsertHearingResponse(ctx context.Context, r collab.HearingResponse) error {
	d := hearingResponseDoc{ID: r.ID, Plan: r.Plan, Name: r.Name, Organisation: r.Organisation, Email: r.Email, Text: r.Text,
		Section: r.Section, Quote: r.Quote, Subject: r.Subject, Received: date(r.Received)}
	if _, err := s.hearingColl(collHearingResponses).InsertOne(ctx, d); err != nil {
		return fmt.Errorf("mongo: insert hearing response %q: %w", r.ID, duplicate(err))
	}
	return nil
}

// HearingResponses returns plan's responses, oldest first (ties by id).
func (s *Store) HearingResponses(ctx context.Context, plan string) ([]collab.HearingResponse, error) {
	return find(ctx, s.hearingColl(collHearingResponses), bson.D{{Key: "plan", Value: plan}},
		bson.D{{Key: "received", Value: 1}, {Key: "_id", Value: 1}}, 0, hearingResponseDoc.record, "hearing responses")
}

type moderationDoc struct {
	Response string        `bson:"_id"`
	Plan     string        `bson:"plan"`
	Decision string        `bson:"decision"`
	By       string        `bson:"by"`
	At       bson.DateTime `bson:"at"`
}

func (d moderationDoc) record() collab.Moderation {
	return collab.Moderation{Response: d.Response, Plan: d.Plan, Decision: d.Decision, By: d.By, At: fromDate(d.At)}
}

// InsertModeration stores the one decision on m.Response.
func (s *Store) InsertModeration(ctx context.Context, m collab.Moderation) error {
	d := moderationDoc{Response: m.Response, Plan: m.Plan, Decision: m.Decision, By: m.By, At: date(m.At)}
	if _, err := s.hearingColl(collHearingModerations).InsertOne(ctx, d); err != nil {
		return fmt.Errorf("mongo: insert moderation of %q: %w", m.Response, duplicate(err))
	}
	return nil
}

// Moderations returns the decisions on plan's responses, by response id.
func (s *Store) Moderations(ctx context.Context, plan string) ([]collab.Moderation, error) {
	return find(ctx, s.hearingColl(collHearingModerations), bson.D{{Key: "plan", Value: plan}},
		bson.D{{Key: "_id", Value: 1}}, 0, moderationDoc.record, "moderations")
}
