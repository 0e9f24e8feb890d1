package mongo

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/temaplan/temaplan/auth"
)

// The single sign-on states that were used (auth.SSOStore) are kept in
//
//	sso_states  _id key (the hash of a state); expires
//
// The insert on _id decides that a login at the provider is finished once.
// The collection holds the logins of the last twenty minutes or so, so the
// deletion of expired records needs no index on expires.

// collSSOStates is the collection of used single sign-on states.
const collSSOStates = "sso_states"

var _ auth.SSOStore = (*Store)(nil)

// ssoStateDoc is a used state.
type ssoStateDoc struct {
	Key     string        `bson:"_id"`
	Used    bson.DateTime `bson:"used"`
	Expires bson.DateTime `bson:"expires"`
}

// ssoStates is the collection of used states, in the store's database
// with its write and read concerns.
func (s *Store) ssoStates() *mongo.Collection {
	return s.municipalities.Database().Collection(collSSOStates)
}

// UseSSOState records that the single sign-on state named by key was used;
// a key recorded before is an error wrapping collab.ErrDuplicate (the
// insert on _id decides).
func (s *Store) UseSSOState(ctx context.Context, key string, at, expires time.Time) error {
	if _, err := s.ssoStates().InsertOne(ctx, ssoStateDoc{Key: key, Used: date(at), Expires: date(expires)}); err != nil {
		return fmt.Errorf("mongo: use sso state: %w", duplicate(err))
	}
	return nil
}

// ForgetSSOStates deletes the records of states that expired before
// before and returns how many it deleted.
func (s *Store) ForgetSSOStates(ctx context.Context, before time.Time) (int, error) {
	res, err := s.ssoStates().DeleteMany(ctx, bson.D{{Key: "expires", Value: bson.D{{Key: "$lt", Value: date(before)}}}})
	if err != nil {
		return 0, fmt.Errorf("mongo: forget sso states: %w", err)
	}
	return int(res.DeletedCount), nil
}
