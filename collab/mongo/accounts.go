package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
)

// The auth layer's records follow the rule of the package: every decision
// is a unique insert on _id. A record with two unique keys — an account
// (id, e-mail) and a refresh token (hash, (family, gen)) — has its second
// key claimed first, by inserting a claim whose _id is that key into a
// collection of its own (account_emails, refresh_gens), and the record is
// inserted only if the claim was. The lookups of the hot paths (login by
// e-mail, rotation by (family, gen)) then read by _id too.
//
// The two inserts are not atomic. If the record is refused (its _id is
// taken), the claim is deleted again. If the outcome of the record's insert
// is unknown (a network error), the claim is kept: the key stays taken, and
// the caller sees an error. Reads through a claim check that the record
// they find carries the claimed key, so a claim left over from a failed
// insert never leads to another record.

var _ auth.Store = (*Store)(nil)

// Audit reads return at most maxAuditLimit events, defaultAuditLimit when
// the caller asks for none in particular (limit <= 0).
const (
	defaultAuditLimit = 100
	maxAuditLimit     = 1000
)

// auditLimit returns the number of events an Audit read asked for limit
// returns.
func auditLimit(limit int) int {
	if limit <= 0 {
		return defaultAuditLimit
	}
	return min(limit, maxAuditLimit)
}

// releaseTimeout bounds the deletion of a claim whose record was refused;
// it runs even if the caller's context is done.
const releaseTimeout = 10 * time.Second

// release deletes the claim matched by filter after the insert of its
// record failed with cause. Only a write error proves that the record was
// not written; on any other error the claim is kept.
func (s *Store) release(ctx context.Context, claims *mongo.Collection, filter bson.D, cause error) {
	var we mongo.WriteException
	if !errors.As(cause, &we) || len(we.WriteErrors) == 0 {
		s.log.Warn("mongo: claim kept, the outcome of its record's insert is unknown",
			"collection", claims.Name(), "err", cause)
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	if _, err := claims.DeleteOne(ctx, filter); err != nil {
		s.log.Warn("mongo: claim of a refused record not deleted", "collection", claims.Name(), "err", err)
	}
}

// municipalityDoc is a municipality as stored in the municipalities
// collection.
type municipalityDoc struct {
	ID       string          `bson:"_id"`
	Name     string          `bson:"name"`
	Created  bson.DateTime   `bson:"created"`
	Settings municipalityCfg `bson:"settings"`
}

// municipalityCfg is auth.MunicipalitySettings in a municipality document.
type municipalityCfg struct {
	LoginMethods     []string `bson:"login_methods"`
	EmailDomains     []string `bson:"email_domains"`
	PrivacyThreshold int      `bson:"privacy_threshold"`
	HearingWeeks     int      `bson:"hearing_weeks"`
	Language         string   `bson:"language,omitempty"`
}

// municipalityDocOf returns the document of m.
func municipalityDocOf(m auth.Municipality) municipalityDoc {
	return municipalityDoc{ID: m.ID, Name: m.Name, Created: date(m.Created), Settings: municipalityCfg(m.Settings)}
}

// record returns the municipality d stores.
func (d municipalityDoc) record() auth.Municipality {
	return auth.Municipality{ID: d.ID, Name: d.Name, Created: fromDate(d.Created), Settings: auth.MunicipalitySettings(d.Settings)}
}

// CreateMunicipality inserts m; an existing id is an error wrapping
// collab.ErrDuplicate.
func (s *Store) CreateMunicipality(ctx context.Context, m auth.Municipality) error {
	if _, err := s.municipalities.InsertOne(ctx, municipalityDocOf(m)); err != nil {
		return fmt.Errorf("mongo: create municipality %q: %w", m.ID, duplicate(err))
	}
	return nil
}

// Municipality returns the municipality with id, if any.
func (s *Store) Municipality(ctx context.Context, id string) (auth.Municipality, bool, error) {
	var d municipalityDoc
	err := s.municipalities.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return auth.Municipality{}, false, nil
	}
	if err != nil {
		return auth.Municipality{}, false, fmt.Errorf("mongo: municipality %q: %w", id, err)
	}
	return d.record(), true, nil
}

// UpdateMunicipality replaces the name and settings of the municipality
// with m.ID; an unknown id is an error wrapping collab.ErrNotFound.
func (s *Store) UpdateMunicipality(ctx context.Context, m auth.Municipality) error {
	d := municipalityDocOf(m)
	set := bson.D{{Key: "name", Value: d.Name}, {Key: "settings", Value: d.Settings}}
	res, err := s.municipalities.UpdateOne(ctx, bson.D{{Key: "_id", Value: m.ID}}, bson.D{{Key: "$set", Value: set}})
	if err != nil {
		return fmt.Errorf("mongo: update municipality %q: %w", m.ID, err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("mongo: update municipality %q: %w", m.ID, collab.ErrNotFound)
	}
	return nil
}

// ListMunicipalities returns every municipality ordered by id.
func (s *Store) ListMunicipalities(ctx context.Context) ([]auth.Municipality, error) {
	return findSorted(ctx, s.municipalities, bson.D{}, "_id", municipalityDoc.record, "municipalities")
}

// emailClaimDoc is the claim of an e-mail address by an account, in the
// account_emails collection.
type emailClaimDoc struct {
	Email   string `bson:"_id"`
	Account string `bson:"account"`
}

// accountDoc is an account as stored in the accounts collection.
type accountDoc struct {
	ID           string        `bson:"_id"`
	Email        string        `bson:"email"`
	Name         string        `bson:"name"`
	Municipality string        `bson:"municipality"`
	PasswordHash string        `bson:"password_hash"`
	Admin        bool          `bson:"admin"`
	Disabled     bool          `bson:"disabled"`
	Created      bson.DateTime `bson:"created"`
	Updated      bson.DateTime `bson:"updated"`
}

func (d accountDoc) record() auth.Account {
	return auth.Account{
		ID:           d.ID,
		Email:        d.Email,
		Name:         d.Name,
		Municipality: d.Municipality,
		PasswordHash: d.PasswordHash,
		Admin:        d.Admin,
		Disabled:     d.Disabled,
		Created:      fromDate(d.Created),
		Updated:      fromDate(d.Updated),
	}
}

// CreateAccount claims a's e-mail address, then inserts a; a claimed
// address or an existing id is an error wrapping collab.ErrDuplicate. The
// address of an account refused for its id is free again afterwards.
func (s *Store) CreateAccount(ctx context.Context, a auth.Account) error {
	if _, err := s.accountEmails.InsertOne(ctx, emailClaimDoc{Email: a.Email, Account: a.ID}); err != nil {
		return fmt.Errorf("mongo: create account %q: claim e-mail: %w", a.ID, duplicate(err))
	}
	_, err := s.accounts.InsertOne(ctx, accountDoc{
		ID:           a.ID,
		Email:        a.Email,
		Name:         a.Name,
		Municipality: a.Municipality,
		PasswordHash: a.PasswordHash,
		Admin:        a.Admin,
		Disabled:     a.Disabled,
		Created:      date(a.Created),
		Updated:      date(a.Updated),
	})
	if err != nil {
		s.release(ctx, s.accountEmails, bson.D{{Key: "_id", Value: a.Email}, {Key: "account", Value: a.ID}}, err)
		return fmt.Errorf("mongo: create account %q: %w", a.ID, duplicate(err))
	}
	return nil
}

// AccountByID returns the account with id, if any.
func (s *Store) AccountByID(ctx context.Context, id string) (auth.Account, bool, error) {
	var d accountDoc
	err := s.accounts.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return auth.Account{}, false, nil
	}
	if err != nil {
		return auth.Account{}, false, fmt.Errorf("mongo: account %q: %w", id, err)
	}
	return d.record(), true, nil
}

// AccountByEmail returns the account whose e-mail is exactly email, if
// any: the account that claimed the address, if it has that address.
func (s *Store) AccountByEmail(ctx context.Context, email string) (auth.Account, bool, error) {
	var c emailClaimDoc
	err := s.accountEmails.FindOne(ctx, bson.D{{Key: "_id", Value: email}}).Decode(&c)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return auth.Account{}, false, nil
	}
	if err != nil {
		return auth.Account{}, false, fmt.Errorf("mongo: account by e-mail: %w", err)
	}
	a, ok, err := s.AccountByID(ctx, c.Account)
	if err != nil || !ok || a.Email != email {
		return auth.Account{}, false, err
	}
	return a, true, nil
}

// UpdateAccount replaces the name, password hash, flags and Updated of the
// account with a.ID. An unknown id is an error wrapping collab.ErrNotFound.
func (s *Store) UpdateAccount(ctx context.Context, a auth.Account) error {
	set := bson.D{
		{Key: "name", Value: a.Name},
		{Key: "password_hash", Value: a.PasswordHash},
		{Key: "admin", Value: a.Admin},
		{Key: "disabled", Value: a.Disabled},
		{Key: "updated", Value: date(a.Updated)},
	}
	res, err := s.accounts.UpdateOne(ctx, bson.D{{Key: "_id", Value: a.ID}}, bson.D{{Key: "$set", Value: set}})
	if err != nil {
		return fmt.Errorf("mongo: update account %q: %w", a.ID, err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("mongo: update account %q: %w", a.ID, collab.ErrNotFound)
	}
	return nil
}

// ListAccounts returns the accounts of a municipality ordered by e-mail.
func (s *Store) ListAccounts(ctx context.Context, municipality string) ([]auth.Account, error) {
	filter := bson.D{{Key: "municipality", Value: municipality}}
	return findSorted(ctx, s.accounts, filter, "email", accountDoc.record, fmt.Sprintf("accounts of %q", municipality))
}

// genKey is the _id of a rotation's claim: the decision key (family, gen).
type genKey struct {
	Family string `bson:"family"`
	Gen    int64  `bson:"gen"`
}

// refreshGenDoc is the claim of (family, gen) by the token hash, in the
// refresh_gens collection.
type refreshGenDoc struct {
	ID     genKey `bson:"_id"`
	Family string `bson:"family"`
	Gen    int64  `bson:"gen"`
	Hash   string `bson:"hash"`
}

// refreshTokenDoc is a refresh token as stored in the refresh_tokens
// collection.
type refreshTokenDoc struct {
	Hash      string        `bson:"_id"`
	Family    string        `bson:"family"`
	Gen       int64         `bson:"gen"`
	UserID    string        `bson:"user"`
	IssuedAt  bson.DateTime `bson:"issued_at"`
	ExpiresAt bson.DateTime `bson:"expires_at"`
}

// InsertRefreshToken claims t's (family, gen), then inserts t; a claimed
// (family, gen) or an existing hash is an error wrapping
// collab.ErrDuplicate. The (family, gen) of a token refused for its hash is
// free again afterwards.
func (s *Store) InsertRefreshToken(ctx context.Context, t auth.RefreshToken) error {
	key := genKey{Family: t.Family, Gen: t.Gen}
	if _, err := s.refreshGens.InsertOne(ctx, refreshGenDoc{ID: key, Family: t.Family, Gen: t.Gen, Hash: t.Hash}); err != nil {
		return fmt.Errorf("mongo: insert refresh token of family %q gen %d: %w", t.Family, t.Gen, duplicate(err))
	}
	_, err := s.refreshTokens.InsertOne(ctx, refreshTokenDoc{
		Hash:      t.Hash,
		Family:    t.Family,
		Gen:       t.Gen,
		UserID:    t.UserID,
		IssuedAt:  date(t.IssuedAt),
		ExpiresAt: date(t.ExpiresAt),
	})
	if err != nil {
		s.release(ctx, s.refreshGens, bson.D{{Key: "_id", Value: key}, {Key: "hash", Value: t.Hash}}, err)
		return fmt.Errorf("mongo: insert refresh token of family %q gen %d: %w", t.Family, t.Gen, duplicate(err))
	}
	return nil
}

// RefreshToken returns the token stored under hash, if any.
func (s *Store) RefreshToken(ctx context.Context, hash string) (auth.RefreshToken, bool, error) {
	var d refreshTokenDoc
	err := s.refreshTokens.FindOne(ctx, bson.D{{Key: "_id", Value: hash}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return auth.RefreshToken{}, false, nil
	}
	if err != nil {
		return auth.RefreshToken{}, false, fmt.Errorf("mongo: refresh token: %w", err)
	}
	return auth.RefreshToken{
		Hash:      d.Hash,
		Family:    d.Family,
		Gen:       d.Gen,
		UserID:    d.UserID,
		IssuedAt:  fromDate(d.IssuedAt),
		ExpiresAt: fromDate(d.ExpiresAt),
	}, true, nil
}

// RefreshSuccessor returns the token of family at gen, if any: the token
// that claimed (family, gen), if it is stored with that key.
func (s *Store) RefreshSuccessor(ctx context.Context, family string, gen int64) (auth.RefreshToken, bool, error) {
	var c refreshGenDoc
	err := s.refreshGens.FindOne(ctx, bson.D{{Key: "_id", Value: genKey{Family: family, Gen: gen}}}).Decode(&c)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return auth.RefreshToken{}, false, nil
	}
	if err != nil {
		return auth.RefreshToken{}, false, fmt.Errorf("mongo: refresh token of family %q gen %d: %w", family, gen, err)
	}
	t, ok, err := s.RefreshToken(ctx, c.Hash)
	if err != nil || !ok || t.Family != family || t.Gen != gen {
		return auth.RefreshToken{}, false, err
	}
	return t, true, nil
}

// revokedFamilyDoc is a revocation as stored in the revoked_families
// collection.
type revokedFamilyDoc struct {
	Family string        `bson:"_id"`
	At     bson.DateTime `bson:"at"`
}

// RevokeFamily records that family is revoked at at. A family revoked
// already keeps its first time, and no error is returned.
func (s *Store) RevokeFamily(ctx context.Context, family string, at time.Time) error {
	if _, err := s.revokedFamilies.InsertOne(ctx, revokedFamilyDoc{Family: family, At: date(at)}); err != nil && !isDuplicate(err) {
		return fmt.Errorf("mongo: revoke family %q: %w", family, err)
	}
	return nil
}

// FamilyRevoked returns when family was revoked, if it was.
func (s *Store) FamilyRevoked(ctx context.Context, family string) (time.Time, bool, error) {
	var d revokedFamilyDoc
	err := s.revokedFamilies.FindOne(ctx, bson.D{{Key: "_id", Value: family}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("mongo: revocation of family %q: %w", family, err)
	}
	return fromDate(d.At), true, nil
}

// auditDoc is an audit event as stored in the audit collection. Plan is ""
// for an event that concerns no single plan.
type auditDoc struct {
	ID           string        `bson:"_id"`
	Municipality string        `bson:"municipality"`
	Plan         string        `bson:"plan"`
	Actor        string        `bson:"actor"`
	Action       string        `bson:"action"`
	From         string        `bson:"from"`
	To           string        `bson:"to"`
	Detail       string        `bson:"detail"`
	IP           string        `bson:"ip"`
	At           bson.DateTime `bson:"at"`
}

func (d auditDoc) record() auth.AuditEvent {
	return auth.AuditEvent{
		ID:           d.ID,
		Municipality: d.Municipality,
		Plan:         d.Plan,
		Actor:        d.Actor,
		Action:       d.Action,
		From:         d.From,
		To:           d.To,
		Detail:       d.Detail,
		IP:           d.IP,
		At:           fromDate(d.At),
	}
}

// AppendAudit inserts e; an existing e.ID is an error wrapping
// collab.ErrDuplicate.
func (s *Store) AppendAudit(ctx context.Context, e auth.AuditEvent) error {
	_, err := s.audit.InsertOne(ctx, auditDoc{
		ID:           e.ID,
		Municipality: e.Municipality,
		Plan:         e.Plan,
		Actor:        e.Actor,
		Action:       e.Action,
		From:         e.From,
		To:           e.To,
		Detail:       e.Detail,
		IP:           e.IP,
		At:           date(e.At),
	})
	if err != nil {
		return fmt.Errorf("mongo: append audit event %q: %w", e.ID, duplicate(err))
	}
	return nil
}

// Audit returns the newest events of a municipality, newest first (ties
// by id, descending); plan != "" keeps only that plan's events. It returns
// at most limit events, 100 if limit <= 0 and never more than 1000.
func (s *Store) Audit(ctx context.Context, municipality, plan string, limit int) ([]auth.AuditEvent, error) {
	filter := bson.D{{Key: "municipality", Value: municipality}}
	if plan != "" {
		filter = append(filter, bson.E{Key: "plan", Value: plan})
	}
	opts := options.Find().
		SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}}).
		SetLimit(int64(auditLimit(limit)))
	cur, err := s.audit.Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("mongo: audit of %q plan %q: %w", municipality, plan, err)
	}
	var docs []auditDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("mongo: audit of %q plan %q: %w", municipality, plan, err)
	}
	if len(docs) == 0 {
		return nil, nil
	}
	es := make([]auth.AuditEvent, len(docs))
	for i, d := range docs {
		es[i] = d.record()
	}
	return es, nil
}
