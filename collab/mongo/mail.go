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
	"github.com/temaplan/temaplan/mail"
)

// The e-mail's collections (package mail):
//
//	mail_outbox        _id message id; (done, due, _id) for the due messages
//	mail_attempts      _id {msg, n}: the claim of an attempt; unique (msg, n)
//	mail_results       _id message id: its one outcome
//	mail_tokens        _id hash; (user, created) for a person's links
//	mail_token_uses    _id hash: the one use of a link
//	mail_prefs         _id user
//	mail_digest_items  _id item id; (digested, user, day, created, _id)
//
// and an index (user, family) on refresh_tokens, by which a new password
// finds the sessions to end. The outbox's done and due, and an item's
// digested, are caches: the inserts of mail_results and of the digest's
// own message decide.

var _ mail.Store = (*Store)(nil)

// Collection names of the e-mail.
const (
	collMailOutbox     = "mail_outbox"
	collMailAttempts   = "mail_attempts"
	collMailResults    = "mail_results"
	collMailTokens     = "mail_tokens"
	collMailTokenUses  = "mail_token_uses"
	collMailPrefs      = "mail_prefs"
	collMailDigestItem = "mail_digest_items"
)

// mailColl returns the e-mail collection name, with the store's database
// options.
func (s *Store) mailColl(name string) *mongo.Collection { return s.ops.Database().Collection(name) }

// initMail creates the e-mail's collections and indexes; see createIndexes.
func (s *Store) initMail(ctx context.Context) error {
	for _, name := range []string{collMailResults, collMailTokenUses, collMailPrefs} {
		err := s.ops.Database().CreateCollection(ctx, name)
		var ce mongo.CommandError
		if err != nil && !(errors.As(err, &ce) && ce.Code == codeNamespaceExists) {
			return fmt.Errorf("create collection %s: %w", name, err)
		}
	}
	for _, ix := range []index{
		{s.mailColl(collMailOutbox), "done_due_id", bson.D{{Key: "done", Value: 1}, {Key: "due", Value: 1}, {Key: "_id", Value: 1}}, false},
		{s.mailColl(collMailAttempts), "msg_n", bson.D{{Key: "msg", Value: 1}, {Key: "n", Value: 1}}, true},
		{s.mailColl(collMailTokens), "user_created", bson.D{{Key: "user", Value: 1}, {Key: "created", Value: 1}}, false},
		{s.mailColl(collMailDigestItem), "digested_user_day_created_id", bson.D{{Key: "digested", Value: 1}, {Key: "user", Value: 1},
			{Key: "day", Value: 1}, {Key: "created", Value: 1}, {Key: "_id", Value: 1}}, false},
		{s.refreshTokens, "user_family", bson.D{{Key: "user", Value: 1}, {Key: "family", Value: 1}}, false},
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

// messageDoc is a message in the mail_outbox collection.
type messageDoc struct {
	ID      string        `bson:"_id"`
	Kind    string        `bson:"kind"`
	User    string        `bson:"user"`
	To      string        `bson:"to"`
	Lang    string        `bson:"lang"`
	Subject string        `bson:"subject"`
	Text    string        `bson:"text"`
	HTML    string        `bson:"html"`
	Created bson.DateTime `bson:"created"`
	Due     bson.DateTime `bson:"due"`
	Done    bool          `bson:"done"`
}

func (d messageDoc) record() mail.Message {
	return mail.Message{ID: d.ID, Kind: mail.Kind(d.Kind), User: d.User, To: d.To, Lang: mail.Lang(d.Lang),
		Subject: d.Subject, Text: d.Text, HTML: d.HTML, Created: fromDate(d.Created)}
}

// EnqueueMail inserts m, due at once; an existing id is an error wrapping
// collab.ErrDuplicate.
func (s *Store) EnqueueMail(ctx context.Context, m mail.Message) error {
	d := messageDoc{ID: m.ID, Kind: string(m.Kind), User: m.User, To: m.To, Lang: string(m.Lang), Subject: m.Subject,
		Text: m.Text, HTML: m.HTML, Created: date(m.Created), Due: date(m.Created)}
	if _, err := s.mailColl(collMailOutbox).InsertOne(ctx, d); err != nil {
		return fmt.Errorf("mongo: enqueue mail %q: %w", m.ID, duplicate(err))
	}
	return nil
}

// MailMessage returns the message with id, if any.
func (s *Store) MailMessage(ctx context.Context, id string) (mail.Message, bool, error) {
	var d messageDoc
	err := s.mailColl(collMailOutbox).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return mail.Message{}, false, nil
	}
	if err != nil {
		return mail.Message{}, false, fmt.Errorf("mongo: mail %q: %w", id, err)
	}
	return d.record(), true, nil
}

// DueMail returns at most limit unfinished messages due at now, the
// longest due first (ties by id).
func (s *Store) DueMail(ctx context.Context, now time.Time, limit int) ([]mail.Message, error) {
	return find(ctx, s.mailColl(collMailOutbox),
		bson.D{{Key: "done", Value: false}, {Key: "due", Value: bson.D{{Key: "$lte", Value: date(now)}}}},
		bson.D{{Key: "due", Value: 1}, {Key: "_id", Value: 1}}, limit, messageDoc.record, "due mail")
}

// SetMailDue sets when message id is next due.
func (s *Store) SetMailDue(ctx context.Context, id string, at time.Time) error {
	if _, err := s.mailColl(collMailOutbox).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "due", Value: date(at)}}}}); err != nil {
		return fmt.Errorf("mongo: set mail %q due: %w", id, err)
	}
	return nil
}

// attemptKey is the _id of an attempt: the decision key (msg, n).
type attemptKey struct {
	Msg string `bson:"msg"`
	N   int    `bson:"n"`
}

// attemptDoc is an attempt in the mail_attempts collection.
type attemptDoc struct {
	ID      attemptKey    `bson:"_id"`
	Msg     string        `bson:"msg"`
	N       int           `bson:"n"`
	Node    string        `bson:"node"`
	Claimed bson.DateTime `bson:"claimed"`
	RetryAt bson.DateTime `bson:"retry_at"`
	Error   string        `bson:"error"`
}

func (d attemptDoc) record() mail.Attempt {
	return mail.Attempt{Msg: d.Msg, N: d.N, Node: d.Node, Claimed: fromDate(d.Claimed), RetryAt: fromDate(d.RetryAt), Error: d.Error}
}

// ClaimMail inserts attempt a; an existing (msg, n) is an error wrapping
// collab.ErrDuplicate.
func (s *Store) ClaimMail(ctx context.Context, a mail.Attempt) error {
	d := attemptDoc{ID: attemptKey{Msg: a.Msg, N: a.N}, Msg: a.Msg, N: a.N, Node: a.Node,
		Claimed: date(a.Claimed), RetryAt: date(a.RetryAt), Error: a.Error}
	if _, err := s.mailColl(collMailAttempts).InsertOne(ctx, d); err != nil {
		return fmt.Errorf("mongo: claim attempt %d of mail %q: %w", a.N, a.Msg, duplicate(err))
	}
	return nil
}

// MailAttempts returns the attempts of message msg by N.
func (s *Store) MailAttempts(ctx context.Context, msg string) ([]mail.Attempt, error) {
	return find(ctx, s.mailColl(collMailAttempts), bson.D{{Key: "msg", Value: msg}}, bson.D{{Key: "n", Value: 1}}, 0,
		attemptDoc.record, fmt.Sprintf("attempts of mail %q", msg))
}

// RetryMailAttempt records that attempt n of msg failed with errText and
// sets its RetryAt. An unknown attempt is an error wrapping
// collab.ErrNotFound.
func (s *Store) RetryMailAttempt(ctx context.Context, msg string, n int, retryAt time.Time, errText string) error {
	res, err := s.mailColl(collMailAttempts).UpdateOne(ctx, bson.D{{Key: "msg", Value: msg}, {Key: "n", Value: n}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "retry_at", Value: date(retryAt)}, {Key: "error", Value: errText}}}})
	if err != nil {
		return fmt.Errorf("mongo: retry attempt %d of mail %q: %w", n, msg, err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("mongo: retry attempt %d of mail %q: %w", n, msg, collab.ErrNotFound)
	}
	return nil
}

// resultDoc is a message's outcome in the mail_results collection.
type resultDoc struct {
	Msg     string        `bson:"_id"`
	Attempt int           `bson:"attempt"`
	Outcome string        `bson:"outcome"`
	Error   string        `bson:"error"`
	At      bson.DateTime `bson:"at"`
}

// FinishMail inserts r, then marks its message finished without its text
// and HTML; a message finished already is an error wrapping
// collab.ErrDuplicate, and is marked all the same.
func (s *Store) FinishMail(ctx context.Context, r mail.Result) error {
	_, insErr := s.mailColl(collMailResults).InsertOne(ctx, resultDoc{Msg: r.Msg, Attempt: r.Attempt, Outcome: string(r.Outcome),
		Error: r.Error, At: date(r.At)})
	if insErr != nil {
		insErr = duplicate(insErr)
		if !errors.Is(insErr, collab.ErrDuplicate) {
			return fmt.Errorf("mongo: finish mail %q: %w", r.Msg, insErr)
		}
	}
	if _, err := s.mailColl(collMailOutbox).UpdateOne(ctx, bson.D{{Key: "_id", Value: r.Msg}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "done", Value: true}, {Key: "text", Value: ""}, {Key: "html", Value: ""}}}}); err != nil {
		return fmt.Errorf("mongo: finish mail %q: %w", r.Msg, err)
	}
	if insErr != nil {
		return fmt.Errorf("mongo: finish mail %q: %w", r.Msg, insErr)
	}
	return nil
}

// MailResult returns the outcome of message msg, if it has one.
func (s *Store) MailResult(ctx context.Context, msg string) (mail.Result, bool, error) {
	var d resultDoc
	err := s.mailColl(collMailResults).FindOne(ctx, bson.D{{Key: "_id", Value: msg}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return mail.Result{}, false, nil
	}
	if err != nil {
		return mail.Result{}, false, fmt.Errorf("mongo: outcome of mail %q: %w", msg, err)
	}
	return mail.Result{Msg: d.Msg, Attempt: d.Attempt, Outcome: mail.Outcome(d.Outcome), Error: d.Error, At: fromDate(d.At)}, true, nil
}

// PendingMail counts the unfinished messages.
func (s *Store) PendingMail(ctx context.Context) (int, error) {
	n, err := s.mailColl(collMailOutbox).CountDocuments(ctx, bson.D{{Key: "done", Value: false}})
	if err != nil {
		return 0, fmt.Errorf("mongo: pending mail: %w", err)
	}
	return int(n), nil
}

// tokenDoc is a password link in the mail_tokens collection.
type tokenDoc struct {
	Hash    string        `bson:"_id"`
	Kind    string        `bson:"kind"`
	User    string        `bson:"user"`
	Created bson.DateTime `bson:"created"`
	Expires bson.DateTime `bson:"expires"`
}

func (d tokenDoc) record() mail.Token {
	return mail.Token{Hash: d.Hash, Kind: mail.Kind(d.Kind), User: d.User, Created: fromDate(d.Created), Expires: fromDate(d.Expires)}
}

// InsertMailToken inserts t; an existing hash is an error wrapping
// collab.ErrDuplicate.
func (s *Store) InsertMailToken(ctx context.Context, t mail.Token) error {
	if _, err := s.mailColl(collMailTokens).InsertOne(ctx, tokenDoc{Hash: t.Hash, Kind: string(t.Kind), User: t.User,
		Created: date(t.Created), Expires: date(t.Expires)}); err != nil {
		return fmt.Errorf("mongo: insert mail token: %w", duplicate(err))
	}
	return nil
}

// MailToken returns the token with hash, if any.
func (s *Store) MailToken(ctx context.Context, hash string) (mail.Token, bool, error) {
	var d tokenDoc
	err := s.mailColl(collMailTokens).FindOne(ctx, bson.D{{Key: "_id", Value: hash}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return mail.Token{}, false, nil
	}
	if err != nil {
		return mail.Token{}, false, fmt.Errorf("mongo: mail token: %w", err)
	}
	return d.record(), true, nil
}

// MailTokens returns the tokens of user, oldest first (ties by hash).
func (s *Store) MailTokens(ctx context.Context, user string) ([]mail.Token, error) {
	return find(ctx, s.mailColl(collMailTokens), bson.D{{Key: "user", Value: user}},
		bson.D{{Key: "created", Value: 1}, {Key: "_id", Value: 1}}, 0, tokenDoc.record, fmt.Sprintf("mail tokens of %q", user))
}

// tokenUseDoc is the use of a link in the mail_token_uses collection.
type tokenUseDoc struct {
	Hash string        `bson:"_id"`
	At   bson.DateTime `bson:"at"`
}

// UseMailToken records the use of the token with hash; a token used
// already is an error wrapping collab.ErrDuplicate.
func (s *Store) UseMailToken(ctx context.Context, hash string, at time.Time) error {
	if _, err := s.mailColl(collMailTokenUses).InsertOne(ctx, tokenUseDoc{Hash: hash, At: date(at)}); err != nil {
		return fmt.Errorf("mongo: use mail token: %w", duplicate(err))
	}
	return nil
}

// MailTokenUsed returns when the token with hash was used, if it was.
func (s *Store) MailTokenUsed(ctx context.Context, hash string) (time.Time, bool, error) {
	var d tokenUseDoc
	err := s.mailColl(collMailTokenUses).FindOne(ctx, bson.D{{Key: "_id", Value: hash}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("mongo: use of mail token: %w", err)
	}
	return fromDate(d.At), true, nil
}

// prefsDoc is a notification setting in the mail_prefs collection.
type prefsDoc struct {
	User    string        `bson:"_id"`
	Mode    string        `bson:"mode"`
	Lang    string        `bson:"lang"`
	Updated bson.DateTime `bson:"updated"`
}

// MailPrefs returns the notification setting of user, if any.
func (s *Store) MailPrefs(ctx context.Context, user string) (mail.Prefs, bool, error) {
	var d prefsDoc
	err := s.mailColl(collMailPrefs).FindOne(ctx, bson.D{{Key: "_id", Value: user}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return mail.Prefs{}, false, nil
	}
	if err != nil {
		return mail.Prefs{}, false, fmt.Errorf("mongo: mail settings of %q: %w", user, err)
	}
	return mail.Prefs{User: d.User, Mode: mail.Mode(d.Mode), Lang: mail.Lang(d.Lang), Updated: fromDate(d.Updated)}, true, nil
}

// SetMailPrefs stores p as the setting of p.User.
func (s *Store) SetMailPrefs(ctx context.Context, p mail.Prefs) error {
	d := prefsDoc{User: p.User, Mode: string(p.Mode), Lang: string(p.Lang), Updated: date(p.Updated)}
	if _, err := s.mailColl(collMailPrefs).ReplaceOne(ctx, bson.D{{Key: "_id", Value: p.User}}, d,
		options.Replace().SetUpsert(true)); err != nil {
		return fmt.Errorf("mongo: set mail settings of %q: %w", p.User, err)
	}
	return nil
}

// digestItemDoc is an item in the mail_digest_items collection.
type digestItemDoc struct {
	ID       string        `bson:"_id"`
	User     string        `bson:"user"`
	Day      string        `bson:"day"`
	Kind     string        `bson:"kind"`
	Subject  string        `bson:"subject"`
	Text     string        `bson:"text"`
	Link     string        `bson:"link"`
	Created  bson.DateTime `bson:"created"`
	Digested bool          `bson:"digested"`
}

func (d digestItemDoc) record() mail.DigestItem {
	return mail.DigestItem{ID: d.ID, User: d.User, Day: d.Day, Kind: mail.Kind(d.Kind), Subject: d.Subject, Text: d.Text,
		Link: d.Link, Created: fromDate(d.Created)}
}

// AddDigestItem inserts it; an existing id is an error wrapping
// collab.ErrDuplicate.
func (s *Store) AddDigestItem(ctx context.Context, it mail.DigestItem) error {
	d := digestItemDoc{ID: it.ID, User: it.User, Day: it.Day, Kind: string(it.Kind), Subject: it.Subject, Text: it.Text,
		Link: it.Link, Created: date(it.Created)}
	if _, err := s.mailColl(collMailDigestItem).InsertOne(ctx, d); err != nil {
		return fmt.Errorf("mongo: add digest item %q: %w", it.ID, duplicate(err))
	}
	return nil
}

// DigestItems returns at most limit items not yet in a digest whose day
// is before before, by user, day, creation and id.
func (s *Store) DigestItems(ctx context.Context, before string, limit int) ([]mail.DigestItem, error) {
	return find(ctx, s.mailColl(collMailDigestItem),
		bson.D{{Key: "digested", Value: false}, {Key: "day", Value: bson.D{{Key: "$lt", Value: before}}}},
		bson.D{{Key: "user", Value: 1}, {Key: "day", Value: 1}, {Key: "created", Value: 1}, {Key: "_id", Value: 1}},
		limit, digestItemDoc.record, "digest items")
}

// MarkDigested marks the items with ids as gone into a digest.
func (s *Store) MarkDigested(ctx context.Context, ids []string) error {
	for chunk := range slices.Chunk(ids, 500) {
		if _, err := s.mailColl(collMailDigestItem).UpdateMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: chunk}}}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "digested", Value: true}}}}); err != nil {
			return fmt.Errorf("mongo: mark digest items: %w", err)
		}
	}
	return nil
}

// SessionFamilies returns the refresh-token families of user, by family.
func (s *Store) SessionFamilies(ctx context.Context, user string) ([]string, error) {
	cur, err := s.refreshTokens.Find(ctx, bson.D{{Key: "user", Value: user}},
		options.Find().SetProjection(bson.D{{Key: "family", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("mongo: sessions of %q: %w", user, err)
	}
	var docs []struct {
		Family string `bson:"family"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("mongo: sessions of %q: %w", user, err)
	}
	var out []string
	for _, d := range docs {
		out = append(out, d.Family)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
