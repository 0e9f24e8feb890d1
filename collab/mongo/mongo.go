// Package mongo is the MongoDB store of Temaplan: the collab store interfaces
// on a MongoDB replica set shared by several nodes, through the official
// driver (go.mongodb.org/mongo-driver/v2).
//
// # Every decision is a unique insert
//
// The store is correct on any MongoDB-compatible server, including FerretDB
// v1.24 (the test server), which has neither transactions nor atomic
// conditional updates. So nothing is decided by an update: an op wins its
// version, a resend is recognised and a plan entry wins its seq only by an
// insert that a unique key accepts or refuses. Updates only refresh caches
// (the plan state), and a cache names the seq it is valid for.
//
// # Collections
//
//	ops           _id {doc, v}; unique (doc, v) and unique (doc, src, seq)
//	snapshots     _id {doc, v}; unique (doc, v)
//	plan_entries  _id {plan, seq}; unique (plan, seq)
//	plan_states   _id plan; (municipality, _id) for listings
//
// and those of the auth layer (accounts.go):
//
//	municipalities    _id id
//	account_emails    _id email: the claim of an e-mail address
//	accounts          _id id; (municipality, email) for listings
//	refresh_gens      _id {family, gen}: the claim of a rotation; unique (family, gen)
//	refresh_tokens    _id hash
//	revoked_families  _id family
//	audit             _id id; (municipality, at, _id) and (municipality, plan, at, _id)
//
// The keys that decide are also the documents' _id, which every server
// enforces as unique; the unique secondary index on the same fields serves
// the range reads and states the key where one reads the schema. The second
// decision key of an op, (doc, src, seq), is a unique compound secondary
// index. FerretDB v1.24 enforces it (each index is a unique SQLite index on
// the JSON fields; the tests check this against the server they run on), so
// it needs no separate key collection — which could not be written
// atomically with the op anyway.
//
// # Payloads and times
//
// Ops, snapshots, plan entries and plan states keep their JSON payload as a
// BSON string, byte for byte. Payloads are only ever read whole, a string
// round-trips exactly (no float conversion of numbers, no reordering of
// keys), and the keys of user-made JSON — Quill attribute names — never
// become BSON field names, where "$" and "." mean something to the server.
// Likewise every string from users (ids, sources, municipalities) is only
// ever a value in a filter, never a key or an operator. Times are BSON dates:
// millisecond precision, returned in UTC.
//
// # Durability
//
// Writes use write concern {w: "majority", j: true} and reads go to the
// primary with read concern "majority": an acknowledged op survives a
// failover, and no node transforms against an op that may be rolled back.
// (FerretDB accepts and ignores both; it writes to SQLite synchronously.)
package mongo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/temaplan/temaplan/collab"
)

var _ collab.Store = (*Store)(nil)

// Collection names.
const (
	collOps         = "ops"
	collSnapshots   = "snapshots"
	collPlanEntries = "plan_entries"
	collPlanStates  = "plan_states"

	collMunicipalities  = "municipalities"
	collAccountEmails   = "account_emails"
	collAccounts        = "accounts"
	collRefreshGens     = "refresh_gens"
	collRefreshTokens   = "refresh_tokens"
	collRevokedFamilies = "revoked_families"
	collAudit           = "audit"
)

// closeTimeout bounds Close, which has no context of its own.
const closeTimeout = 10 * time.Second

// Store is the MongoDB store. It is safe for concurrent use.
type Store struct {
	client      *mongo.Client
	ops         *mongo.Collection
	snapshots   *mongo.Collection
	planEntries *mongo.Collection
	planStates  *mongo.Collection
	desc        string
	log         *slog.Logger

	// The collections of auth.Store (accounts.go).
	municipalities, accountEmails, accounts, refreshGens, refreshTokens,
	revokedFamilies, audit *mongo.Collection

	closeOnce sync.Once
	closeErr  error
}

// Open connects to the MongoDB deployment at uri, uses the database db (if
// db is empty, the one named in the URI's path) and creates the store's
// indexes if they are missing. The log may be nil.
func Open(ctx context.Context, uri, db string, log *slog.Logger) (*Store, error) {
	return open(ctx, uri, db, log, options.Client())
}

// open is Open with client options to start from (tests add a monitor).
func open(ctx context.Context, uri, db string, log *slog.Logger, opts *options.ClientOptions) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	hosts, uriDB, err := parseURI(uri)
	if err != nil {
		return nil, fmt.Errorf("mongo: open: %w", err)
	}
	if db == "" {
		db = uriDB
	}
	if db == "" {
		return nil, errors.New("mongo: open: no database name (none given and none in the URI)")
	}
	desc := "mongodb " + hosts + "/" + db

	client, err := mongo.Connect(opts.ApplyURI(uri))
	if err != nil {
		return nil, fmt.Errorf("mongo: open %s: %w", desc, err)
	}
	s := &Store{client: client, desc: desc, log: log}
	if err := s.init(ctx, db); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("mongo: open %s: %w", desc, err)
	}
	return s, nil
}

// init checks that the primary answers, sets up the collections with the
// store's durability options and creates the indexes.
func (s *Store) init(ctx context.Context, name string) error {
	if err := s.client.Ping(ctx, readpref.Primary()); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	db := s.client.Database(name, options.Database().
		SetWriteConcern(&writeconcern.WriteConcern{W: "majority", Journal: new(true)}).
		SetReadConcern(readconcern.Majority()).
		SetReadPreference(readpref.Primary()))
	s.ops = db.Collection(collOps)
	s.snapshots = db.Collection(collSnapshots)
	s.planEntries = db.Collection(collPlanEntries)
	s.planStates = db.Collection(collPlanStates)
	s.municipalities = db.Collection(collMunicipalities)
	s.accountEmails = db.Collection(collAccountEmails)
	s.accounts = db.Collection(collAccounts)
	s.refreshGens = db.Collection(collRefreshGens)
	s.refreshTokens = db.Collection(collRefreshTokens)
	s.revokedFamilies = db.Collection(collRevokedFamilies)
	s.audit = db.Collection(collAudit)
	if err := s.createCollections(ctx); err != nil {
		return err
	}
	if err := s.createIndexes(ctx); err != nil {
		return err
	}
	if err := s.initMail(ctx); err != nil {
		return err
	}
	return s.initHearing(ctx)
}

// createCollections creates the collections that have no index but _id's,
// which createIndexes would otherwise have created: every collection exists
// once a node has started, rather than at its first insert. A collection
// that exists already is left as it is.
func (s *Store) createCollections(ctx context.Context) error {
	for _, c := range []*mongo.Collection{s.municipalities, s.accountEmails, s.refreshTokens, s.revokedFamilies} {
		err := c.Database().CreateCollection(ctx, c.Name())
		var ce mongo.CommandError
		if err != nil && !(errors.As(err, &ce) && ce.Code == codeNamespaceExists) {
			return fmt.Errorf("create collection %s: %w", c.Name(), err)
		}
	}
	return nil
}

// codeNamespaceExists is the server's error code for creating a collection
// that exists.
const codeNamespaceExists = 48

// index is a named index of a collection. Names are explicit so that
// creating an index again is recognised as the same index.
type index struct {
	coll   *mongo.Collection
	name   string
	keys   bson.D
	unique bool
}

// createIndexes creates the store's indexes. Creating an index that exists
// with the same name and keys is a no-op, so every node does it at start-up;
// an index of the same name with other keys or options is an error, which
// shows a schema that has drifted.
//
// Each index is created by a command of its own: FerretDB v1.24 drops the
// connection (a panic in its handler) when one createIndexes command names
// two or more indexes that already exist.
func (s *Store) createIndexes(ctx context.Context) error {
	for _, ix := range []index{
		{s.ops, "doc_v", bson.D{{Key: "doc", Value: 1}, {Key: "v", Value: 1}}, true},
		{s.ops, "doc_src_seq", bson.D{{Key: "doc", Value: 1}, {Key: "src", Value: 1}, {Key: "seq", Value: 1}}, true},
		{s.snapshots, "doc_v", bson.D{{Key: "doc", Value: 1}, {Key: "v", Value: 1}}, true},
		{s.planEntries, "plan_seq", bson.D{{Key: "plan", Value: 1}, {Key: "seq", Value: 1}}, true},
		{s.planStates, "municipality_id", bson.D{{Key: "municipality", Value: 1}, {Key: "_id", Value: 1}}, false},
		{s.accounts, "municipality_email", bson.D{{Key: "municipality", Value: 1}, {Key: "email", Value: 1}}, false},
		{s.refreshGens, "family_gen", bson.D{{Key: "family", Value: 1}, {Key: "gen", Value: 1}}, true},
		{s.audit, "municipality_at_id", bson.D{{Key: "municipality", Value: 1}, {Key: "at", Value: 1}, {Key: "_id", Value: 1}}, false},
		{s.audit, "municipality_plan_at_id", bson.D{{Key: "municipality", Value: 1}, {Key: "plan", Value: 1}, {Key: "at", Value: 1}, {Key: "_id", Value: 1}}, false},
	} {
		opts := options.Index().SetName(ix.name)
		if ix.unique {
			opts.SetUnique(true)
		}
		if _, err := ix.coll.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: ix.keys, Options: opts}); err != nil {
			return fmt.Errorf("create index %s.%s: %w", ix.coll.Name(), ix.name, err)
		}
	}
	return nil
}

// Ping reports whether the primary answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.client.Ping(ctx, readpref.Primary()); err != nil {
		return fmt.Errorf("mongo: ping %s: %w", s.desc, err)
	}
	return nil
}

// Describe names the store for the start-up log, without credentials or
// options: "mongodb host:port/db".
func (s *Store) Describe() string { return s.desc }

// Close disconnects from the deployment. It is idempotent.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
		defer cancel()
		if err := s.client.Disconnect(ctx); err != nil {
			s.closeErr = fmt.Errorf("mongo: close %s: %w", s.desc, err)
		}
	})
	return s.closeErr
}

// parseURI returns the hosts ("h1:p1,h2:p2") and the database of a MongoDB
// connection string, leaving out user info and options. It checks only the
// shape; the driver validates the rest.
func parseURI(uri string) (hosts, db string, err error) {
	scheme, rest, ok := strings.Cut(uri, "://")
	if !ok || (scheme != "mongodb" && scheme != "mongodb+srv") {
		return "", "", errors.New(`connection string must start with "mongodb://" or "mongodb+srv://"`)
	}
	rest, _, _ = strings.Cut(rest, "?")
	authority, path, _ := strings.Cut(rest, "/")
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		authority = authority[i+1:]
	}
	if authority == "" {
		return "", "", errors.New("connection string names no host")
	}
	db, err = url.PathUnescape(path)
	if err != nil {
		return "", "", errors.New("connection string has a malformed database name")
	}
	return authority, db, nil
}

// isDuplicate reports whether err is a refusal by a unique key.
func isDuplicate(err error) bool { return mongo.IsDuplicateKeyError(err) }

// duplicate wraps collab.ErrDuplicate around err if a unique key refused the
// write.
func duplicate(err error) error {
	if isDuplicate(err) {
		return fmt.Errorf("%w: %w", collab.ErrDuplicate, err)
	}
	return err
}

// date returns t as a BSON date (milliseconds since the Unix epoch).
func date(t time.Time) bson.DateTime { return bson.DateTime(t.UnixMilli()) }

// fromDate returns the time of a BSON date, in UTC.
func fromDate(d bson.DateTime) time.Time { return time.UnixMilli(int64(d)).UTC() }
