package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
)

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

// accountStmts are the prepared statements of auth.Store.
type accountStmts struct {
	insertMunicipality, updateMunicipality, insertAccount, updateAccount, insertRefreshToken,
	insertRevokedFamily, insertAudit *sql.Stmt // on w
	selectMunicipality, listMunicipalities, selectAccountByID, selectAccountByEmail, listAccounts,
	selectRefreshToken, selectRefreshSuccessor, selectRevokedFamily,
	selectAudit, selectPlanAudit *sql.Stmt // on r
}

// municipalityColumns are the columns scanMunicipality reads, in its order.
const municipalityColumns = `id, name, created, settings`

// accountColumns are the columns scanAccount reads, in its order.
const accountColumns = `id, email, name, municipality, password_hash, admin, disabled, created, updated`

// refreshColumns are the columns scanRefreshToken reads, in its order.
const refreshColumns = `hash, family, gen, user_id, issued_at, expires_at`

// auditColumns are the columns scanAudit reads, in its order.
const auditColumns = `id, municipality, plan, actor, action, "from", "to", detail, ip, at`

// prepareAccounts prepares the statements of auth.Store; Close closes them
// with the others.
func (s *Store) prepareAccounts(ctx context.Context) error {
	a := &s.acct
	for _, p := range []struct {
		db    *sql.DB
		stmt  **sql.Stmt
		query string
	}{
		{s.w, &a.insertMunicipality, `INSERT INTO municipalities (id, name, created, settings) VALUES (?, ?, ?, ?)`},
		{s.w, &a.updateMunicipality, `UPDATE municipalities SET name = ?, settings = ? WHERE id = ?`},
		{s.w, &a.insertAccount, `INSERT INTO accounts (` + accountColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{s.w, &a.updateAccount, `UPDATE accounts SET name = ?, password_hash = ?, admin = ?, disabled = ?, updated = ? WHERE id = ?`},
		{s.w, &a.insertRefreshToken, `INSERT INTO refresh_tokens (` + refreshColumns + `) VALUES (?, ?, ?, ?, ?, ?)`},
		{s.w, &a.insertRevokedFamily, `INSERT INTO revoked_families (family, at) VALUES (?, ?) ON CONFLICT (family) DO NOTHING`},
		{s.w, &a.insertAudit, `INSERT INTO audit (` + auditColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{s.r, &a.selectMunicipality, `SELECT ` + municipalityColumns + ` FROM municipalities WHERE id = ?`},
		{s.r, &a.listMunicipalities, `SELECT ` + municipalityColumns + ` FROM municipalities ORDER BY id`},
		{s.r, &a.selectAccountByID, `SELECT ` + accountColumns + ` FROM accounts WHERE id = ?`},
		{s.r, &a.selectAccountByEmail, `SELECT ` + accountColumns + ` FROM accounts WHERE email = ?`},
		{s.r, &a.listAccounts, `SELECT ` + accountColumns + ` FROM accounts WHERE municipality = ? ORDER BY email`},
		{s.r, &a.selectRefreshToken, `SELECT ` + refreshColumns + ` FROM refresh_tokens WHERE hash = ?`},
		{s.r, &a.selectRefreshSuccessor, `SELECT ` + refreshColumns + ` FROM refresh_tokens WHERE family = ? AND gen = ?`},
		{s.r, &a.selectRevokedFamily, `SELECT at FROM revoked_families WHERE family = ?`},
		{s.r, &a.selectAudit, `SELECT ` + auditColumns + ` FROM audit WHERE municipality = ? ORDER BY at DESC, id DESC LIMIT ?`},
		{s.r, &a.selectPlanAudit, `SELECT ` + auditColumns + ` FROM audit WHERE municipality = ? AND plan = ? ORDER BY at DESC, id DESC LIMIT ?`},
	} {
		stmt, err := p.db.PrepareContext(ctx, p.query)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", p.query, err)
		}
		*p.stmt = stmt
		s.stmts = append(s.stmts, stmt)
	}
	return nil
}

// CreateMunicipality inserts m; an existing id is an error wrapping
// collab.ErrDuplicate.
func (s *Store) CreateMunicipality(ctx context.Context, m auth.Municipality) error {
	settings, err := json.Marshal(m.Settings)
	if err != nil {
		return fmt.Errorf("sqlite: create municipality %q: %w", m.ID, err)
	}
	if _, err := s.acct.insertMunicipality.ExecContext(ctx, m.ID, m.Name, m.Created.UnixMilli(), string(settings)); err != nil {
		return fmt.Errorf("sqlite: create municipality %q: %w", m.ID, duplicate(err))
	}
	return nil
}

// Municipality returns the municipality with id, if any.
func (s *Store) Municipality(ctx context.Context, id string) (auth.Municipality, bool, error) {
	m, err := scanMunicipality(s.acct.selectMunicipality.QueryRowContext(ctx, id))
	if errors.Is(err, sql.ErrNoRows) {
		return auth.Municipality{}, false, nil
	}
	if err != nil {
		return auth.Municipality{}, false, fmt.Errorf("sqlite: municipality %q: %w", id, err)
	}
	return m, true, nil
}

// UpdateMunicipality replaces the name and settings of the municipality
// with m.ID; an unknown id is an error wrapping collab.ErrNotFound.
func (s *Store) UpdateMunicipality(ctx context.Context, m auth.Municipality) error {
	settings, err := json.Marshal(m.Settings)
	if err != nil {
		return fmt.Errorf("sqlite: update municipality %q: %w", m.ID, err)
	}
	res, err := s.acct.updateMunicipality.ExecContext(ctx, m.Name, string(settings), m.ID)
	if err != nil {
		return fmt.Errorf("sqlite: update municipality %q: %w", m.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlite: update municipality %q: %w", m.ID, err)
	}
	if n == 0 {
		return fmt.Errorf("sqlite: update municipality %q: %w", m.ID, collab.ErrNotFound)
	}
	return nil
}

// ListMunicipalities returns every municipality ordered by id.
func (s *Store) ListMunicipalities(ctx context.Context) ([]auth.Municipality, error) {
	rows, err := s.acct.listMunicipalities.QueryContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list municipalities: %w", err)
	}
	defer rows.Close()
	var out []auth.Municipality
	for rows.Next() {
		m, err := scanMunicipality(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list municipalities: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list municipalities: %w", err)
	}
	return out, nil
}

// scanMunicipality reads the municipalityColumns of one row.
func scanMunicipality(row interface{ Scan(...any) error }) (auth.Municipality, error) {
	var m auth.Municipality
	var created int64
	var settings []byte
	if err := row.Scan(&m.ID, &m.Name, &created, &settings); err != nil {
		return auth.Municipality{}, err
	}
	if err := json.Unmarshal(settings, &m.Settings); err != nil {
		return auth.Municipality{}, fmt.Errorf("settings: %w", err)
	}
	m.Created = fromMillis(created)
	return m, nil
}

// CreateAccount inserts a; an existing id or e-mail is an error wrapping
// collab.ErrDuplicate.
func (s *Store) CreateAccount(ctx context.Context, a auth.Account) error {
	if _, err := s.acct.insertAccount.ExecContext(ctx, a.ID, a.Email, a.Name, a.Municipality, a.PasswordHash,
		a.Admin, a.Disabled, a.Created.UnixMilli(), a.Updated.UnixMilli()); err != nil {
		return fmt.Errorf("sqlite: create account %q: %w", a.ID, duplicate(err))
	}
	return nil
}

// AccountByID returns the account with id, if any.
func (s *Store) AccountByID(ctx context.Context, id string) (auth.Account, bool, error) {
	a, err := scanAccount(s.acct.selectAccountByID.QueryRowContext(ctx, id))
	if errors.Is(err, sql.ErrNoRows) {
		return auth.Account{}, false, nil
	}
	if err != nil {
		return auth.Account{}, false, fmt.Errorf("sqlite: account %q: %w", id, err)
	}
	return a, true, nil
}

// AccountByEmail returns the account whose e-mail is exactly email, if any.
func (s *Store) AccountByEmail(ctx context.Context, email string) (auth.Account, bool, error) {
	a, err := scanAccount(s.acct.selectAccountByEmail.QueryRowContext(ctx, email))
	if errors.Is(err, sql.ErrNoRows) {
		return auth.Account{}, false, nil
	}
	if err != nil {
		return auth.Account{}, false, fmt.Errorf("sqlite: account by e-mail: %w", err)
	}
	return a, true, nil
}

// UpdateAccount replaces the name, password hash, flags and Updated of the
// account with a.ID. An unknown id is an error wrapping collab.ErrNotFound.
func (s *Store) UpdateAccount(ctx context.Context, a auth.Account) error {
	res, err := s.acct.updateAccount.ExecContext(ctx, a.Name, a.PasswordHash, a.Admin, a.Disabled, a.Updated.UnixMilli(), a.ID)
	if err != nil {
		return fmt.Errorf("sqlite: update account %q: %w", a.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlite: update account %q: %w", a.ID, err)
	}
	if n == 0 {
		return fmt.Errorf("sqlite: update account %q: %w", a.ID, collab.ErrNotFound)
	}
	return nil
}

// ListAccounts returns the accounts of a municipality ordered by e-mail.
func (s *Store) ListAccounts(ctx context.Context, municipality string) ([]auth.Account, error) {
	rows, err := s.acct.listAccounts.QueryContext(ctx, municipality)
	if err != nil {
		return nil, fmt.Errorf("sqlite: accounts of %q: %w", municipality, err)
	}
	defer func() { _ = rows.Close() }()
	var as []auth.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: accounts of %q: %w", municipality, err)
		}
		as = append(as, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: accounts of %q: %w", municipality, err)
	}
	return as, nil
}

// scanAccount reads the accountColumns.
func scanAccount(row interface{ Scan(...any) error }) (auth.Account, error) {
	var a auth.Account
	var created, updated int64
	if err := row.Scan(&a.ID, &a.Email, &a.Name, &a.Municipality, &a.PasswordHash, &a.Admin, &a.Disabled,
		&created, &updated); err != nil {
		return auth.Account{}, err
	}
	a.Created, a.Updated = fromMillis(created), fromMillis(updated)
	return a, nil
}

// InsertRefreshToken inserts t; an existing hash or (family, gen) is an
// error wrapping collab.ErrDuplicate.
func (s *Store) InsertRefreshToken(ctx context.Context, t auth.RefreshToken) error {
	if _, err := s.acct.insertRefreshToken.ExecContext(ctx, t.Hash, t.Family, t.Gen, t.UserID,
		t.IssuedAt.UnixMilli(), t.ExpiresAt.UnixMilli()); err != nil {
		return fmt.Errorf("sqlite: insert refresh token of family %q gen %d: %w", t.Family, t.Gen, duplicate(err))
	}
	return nil
}

// RefreshToken returns the token stored under hash, if any.
func (s *Store) RefreshToken(ctx context.Context, hash string) (auth.RefreshToken, bool, error) {
	t, err := scanRefreshToken(s.acct.selectRefreshToken.QueryRowContext(ctx, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return auth.RefreshToken{}, false, nil
	}
	if err != nil {
		return auth.RefreshToken{}, false, fmt.Errorf("sqlite: refresh token: %w", err)
	}
	return t, true, nil
}

// RefreshSuccessor returns the token of family at gen, if any.
func (s *Store) RefreshSuccessor(ctx context.Context, family string, gen int64) (auth.RefreshToken, bool, error) {
	t, err := scanRefreshToken(s.acct.selectRefreshSuccessor.QueryRowContext(ctx, family, gen))
	if errors.Is(err, sql.ErrNoRows) {
		return auth.RefreshToken{}, false, nil
	}
	if err != nil {
		return auth.RefreshToken{}, false, fmt.Errorf("sqlite: refresh token of family %q gen %d: %w", family, gen, err)
	}
	return t, true, nil
}

// scanRefreshToken reads the refreshColumns.
func scanRefreshToken(row interface{ Scan(...any) error }) (auth.RefreshToken, error) {
	var t auth.RefreshToken
	var issued, expires int64
	if err := row.Scan(&t.Hash, &t.Family, &t.Gen, &t.UserID, &issued, &expires); err != nil {
		return auth.RefreshToken{}, err
	}
	t.IssuedAt, t.ExpiresAt = fromMillis(issued), fromMillis(expires)
	return t, nil
}

// RevokeFamily records that family is revoked at at. A family revoked
// already keeps its first time, and no error is returned.
func (s *Store) RevokeFamily(ctx context.Context, family string, at time.Time) error {
	if _, err := s.acct.insertRevokedFamily.ExecContext(ctx, family, at.UnixMilli()); err != nil {
		return fmt.Errorf("sqlite: revoke family %q: %w", family, err)
	}
	return nil
}

// FamilyRevoked returns when family was revoked, if it was.
func (s *Store) FamilyRevoked(ctx context.Context, family string) (time.Time, bool, error) {
	var at int64
	err := s.acct.selectRevokedFamily.QueryRowContext(ctx, family).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("sqlite: revocation of family %q: %w", family, err)
	}
	return fromMillis(at), true, nil
}

// AppendAudit inserts e; an existing e.ID is an error wrapping
// collab.ErrDuplicate.
func (s *Store) AppendAudit(ctx context.Context, e auth.AuditEvent) error {
	if _, err := s.acct.insertAudit.ExecContext(ctx, e.ID, e.Municipality, e.Plan, e.Actor, e.Action,
		e.From, e.To, e.Detail, e.IP, e.At.UnixMilli()); err != nil {
		return fmt.Errorf("sqlite: append audit event %q: %w", e.ID, duplicate(err))
	}
	return nil
}

// Audit returns the newest events of a municipality, newest first (ties
// by id, descending); plan != "" keeps only that plan's events. It returns
// at most limit events, 100 if limit <= 0 and never more than 1000.
func (s *Store) Audit(ctx context.Context, municipality, plan string, limit int) ([]auth.AuditEvent, error) {
	n := auditLimit(limit)
	var rows *sql.Rows
	var err error
	if plan == "" {
		rows, err = s.acct.selectAudit.QueryContext(ctx, municipality, n)
	} else {
		rows, err = s.acct.selectPlanAudit.QueryContext(ctx, municipality, plan, n)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: audit of %q plan %q: %w", municipality, plan, err)
	}
	defer func() { _ = rows.Close() }()
	var es []auth.AuditEvent
	for rows.Next() {
		var e auth.AuditEvent
		var at int64
		if err := rows.Scan(&e.ID, &e.Municipality, &e.Plan, &e.Actor, &e.Action, &e.From, &e.To,
			&e.Detail, &e.IP, &at); err != nil {
			return nil, fmt.Errorf("sqlite: audit of %q plan %q: %w", municipality, plan, err)
		}
		e.At = fromMillis(at)
		es = append(es, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: audit of %q plan %q: %w", municipality, plan, err)
	}
	return es, nil
}
