package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/mail"
)

// The e-mail's tables (migrations/0004_mail.sql). Its writes are few — a
// message, its claim and its outcome — so they are plain statements on the
// writer, not prepared ones.

var _ mail.Store = (*Store)(nil)

// messageColumns are the columns scanMessage reads, in its order.
const messageColumns = `id, kind, user_id, recipient, lang, subject, text, html, created`

// EnqueueMail inserts m, due at once; an existing id is an error wrapping
// collab.ErrDuplicate.
func (s *Store) EnqueueMail(ctx context.Context, m mail.Message) error {
	if _, err := s.w.ExecContext(ctx, `INSERT INTO mail_outbox (`+messageColumns+`, due, done) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
		m.ID, string(m.Kind), m.User, m.To, string(m.Lang), m.Subject, m.Text, m.HTML, m.Created.UnixMilli(), m.Created.UnixMilli()); err != nil {
		return fmt.Errorf("sqlite: enqueue mail %q: %w", m.ID, duplicate(err))
	}
	return nil
}

// MailMessage returns the message with id, if any.
func (s *Store) MailMessage(ctx context.Context, id string) (mail.Message, bool, error) {
	m, err := scanMessage(s.r.QueryRowContext(ctx, `SELECT `+messageColumns+` FROM mail_outbox WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return mail.Message{}, false, nil
	}
	if err != nil {
		return mail.Message{}, false, fmt.Errorf("sqlite: mail %q: %w", id, err)
	}
	return m, true, nil
}

func scanMessage(row interface{ Scan(...any) error }) (mail.Message, error) {
	var m mail.Message
	var kind, lang string
	var created int64
	if err := row.Scan(&m.ID, &kind, &m.User, &m.To, &lang, &m.Subject, &m.Text, &m.HTML, &created); err != nil {
		return mail.Message{}, err
	}
	m.Kind, m.Lang, m.Created = mail.Kind(kind), mail.Lang(lang), fromMillis(created)
	return m, nil
}

// DueMail returns at most limit unfinished messages due at now, the
// longest due first (ties by id).
func (s *Store) DueMail(ctx context.Context, now time.Time, limit int) ([]mail.Message, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+messageColumns+` FROM mail_outbox WHERE done = 0 AND due <= ? ORDER BY due, id LIMIT ?`,
		now.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: due mail: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []mail.Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: due mail: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: due mail: %w", err)
	}
	return out, nil
}

// SetMailDue sets when message id is next due.
func (s *Store) SetMailDue(ctx context.Context, id string, at time.Time) error {
	if _, err := s.w.ExecContext(ctx, `UPDATE mail_outbox SET due = ? WHERE id = ?`, at.UnixMilli(), id); err != nil {
		return fmt.Errorf("sqlite: set mail %q due: %w", id, err)
	}
	return nil
}

// ClaimMail inserts attempt a; an existing (msg, n) is an error wrapping
// collab.ErrDuplicate.
func (s *Store) ClaimMail(ctx context.Context, a mail.Attempt) error {
	if _, err := s.w.ExecContext(ctx, `INSERT INTO mail_attempts (msg, n, node, claimed, retry_at, error) VALUES (?, ?, ?, ?, ?, ?)`,
		a.Msg, a.N, a.Node, a.Claimed.UnixMilli(), a.RetryAt.UnixMilli(), a.Error); err != nil {
		return fmt.Errorf("sqlite: claim attempt %d of mail %q: %w", a.N, a.Msg, duplicate(err))
	}
	return nil
}

// MailAttempts returns the attempts of message msg by N.
func (s *Store) MailAttempts(ctx context.Context, msg string) ([]mail.Attempt, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT msg, n, node, claimed, retry_at, error FROM mail_attempts WHERE msg = ? ORDER BY n`, msg)
	if err != nil {
		return nil, fmt.Errorf("sqlite: attempts of mail %q: %w", msg, err)
	}
	defer func() { _ = rows.Close() }()
	var out []mail.Attempt
	for rows.Next() {
		var a mail.Attempt
		var claimed, retry int64
		if err := rows.Scan(&a.Msg, &a.N, &a.Node, &claimed, &retry, &a.Error); err != nil {
			return nil, fmt.Errorf("sqlite: attempts of mail %q: %w", msg, err)
		}
		a.Claimed, a.RetryAt = fromMillis(claimed), fromMillis(retry)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: attempts of mail %q: %w", msg, err)
	}
	return out, nil
}

// RetryMailAttempt records that attempt n of msg failed with errText and
// sets its RetryAt. An unknown attempt is an error wrapping
// collab.ErrNotFound.
func (s *Store) RetryMailAttempt(ctx context.Context, msg string, n int, retryAt time.Time, errText string) error {
	res, err := s.w.ExecContext(ctx, `UPDATE mail_attempts SET retry_at = ?, error = ? WHERE msg = ? AND n = ?`,
		retryAt.UnixMilli(), errText, msg, n)
	if err != nil {
		return fmt.Errorf("sqlite: retry attempt %d of mail %q: %w", n, msg, err)
	}
	if k, err := res.RowsAffected(); err == nil && k == 0 {
		return fmt.Errorf("sqlite: retry attempt %d of mail %q: %w", n, msg, collab.ErrNotFound)
	}
	return nil
}

// FinishMail inserts r and marks its message finished, without its text
// and HTML, in one transaction; a message finished already is an error
// wrapping collab.ErrDuplicate, and is marked all the same.
func (s *Store) FinishMail(ctx context.Context, r mail.Result) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: finish mail %q: %w", r.Msg, err)
	}
	defer func() { _ = tx.Rollback() }()
	_, insErr := tx.ExecContext(ctx, `INSERT INTO mail_results (msg, attempt, outcome, error, at) VALUES (?, ?, ?, ?, ?)`,
		r.Msg, r.Attempt, string(r.Outcome), r.Error, r.At.UnixMilli())
	if insErr != nil {
		insErr = duplicate(insErr)
		if !errors.Is(insErr, collab.ErrDuplicate) {
			return fmt.Errorf("sqlite: finish mail %q: %w", r.Msg, insErr)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE mail_outbox SET done = 1, text = '', html = '' WHERE id = ?`, r.Msg); err != nil {
		return fmt.Errorf("sqlite: finish mail %q: %w", r.Msg, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: finish mail %q: %w", r.Msg, err)
	}
	if insErr != nil {
		return fmt.Errorf("sqlite: finish mail %q: %w", r.Msg, insErr)
	}
	return nil
}

// MailResult returns the outcome of message msg, if it has one.
func (s *Store) MailResult(ctx context.Context, msg string) (mail.Result, bool, error) {
	var r mail.Result
	var outcome string
	var at int64
	err := s.r.QueryRowContext(ctx, `SELECT msg, attempt, outcome, error, at FROM mail_results WHERE msg = ?`, msg).
		Scan(&r.Msg, &r.Attempt, &outcome, &r.Error, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return mail.Result{}, false, nil
	}
	if err != nil {
		return mail.Result{}, false, fmt.Errorf("sqlite: outcome of mail %q: %w", msg, err)
	}
	r.Outcome, r.At = mail.Outcome(outcome), fromMillis(at)
	return r, true, nil
}

// PendingMail counts the unfinished messages.
func (s *Store) PendingMail(ctx context.Context) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM mail_outbox WHERE done = 0`).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: pending mail: %w", err)
	}
	return n, nil
}

// InsertMailToken inserts t; an existing hash is an error wrapping
// collab.ErrDuplicate.
func (s *Store) InsertMailToken(ctx context.Context, t mail.Token) error {
	if _, err := s.w.ExecContext(ctx, `INSERT INTO mail_tokens (hash, kind, user_id, created, expires) VALUES (?, ?, ?, ?, ?)`,
		t.Hash, string(t.Kind), t.User, t.Created.UnixMilli(), t.Expires.UnixMilli()); err != nil {
		return fmt.Errorf("sqlite: insert mail token: %w", duplicate(err))
	}
	return nil
}

const tokenColumns = `hash, kind, user_id, created, expires`

func scanToken(row interface{ Scan(...any) error }) (mail.Token, error) {
	var t mail.Token
	var kind string
	var created, expires int64
	if err := row.Scan(&t.Hash, &kind, &t.User, &created, &expires); err != nil {
		return mail.Token{}, err
	}
	t.Kind, t.Created, t.Expires = mail.Kind(kind), fromMillis(created), fromMillis(expires)
	return t, nil
}

// MailToken returns the token with hash, if any.
func (s *Store) MailToken(ctx context.Context, hash string) (mail.Token, bool, error) {
	t, err := scanToken(s.r.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM mail_tokens WHERE hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return mail.Token{}, false, nil
	}
	if err != nil {
		return mail.Token{}, false, fmt.Errorf("sqlite: mail token: %w", err)
	}
	return t, true, nil
}

// MailTokens returns the tokens of user, oldest first (ties by hash).
func (s *Store) MailTokens(ctx context.Context, user string) ([]mail.Token, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+tokenColumns+` FROM mail_tokens WHERE user_id = ? ORDER BY created, hash`, user)
	if err != nil {
		return nil, fmt.Errorf("sqlite: mail tokens of %q: %w", user, err)
	}
	defer func() { _ = rows.Close() }()
	var out []mail.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: mail tokens of %q: %w", user, err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: mail tokens of %q: %w", user, err)
	}
	return out, nil
}

// UseMailToken records the use of the token with hash; a token used
// already is an error wrapping collab.ErrDuplicate.
func (s *Store) UseMailToken(ctx context.Context, hash string, at time.Time) error {
	if _, err := s.w.ExecContext(ctx, `INSERT INTO mail_token_uses (hash, at) VALUES (?, ?)`, hash, at.UnixMilli()); err != nil {
		return fmt.Errorf("sqlite: use mail token: %w", duplicate(err))
	}
	return nil
}

// MailTokenUsed returns when the token with hash was used, if it was.
func (s *Store) MailTokenUsed(ctx context.Context, hash string) (time.Time, bool, error) {
	var at int64
	err := s.r.QueryRowContext(ctx, `SELECT at FROM mail_token_uses WHERE hash = ?`, hash).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("sqlite: use of mail token: %w", err)
	}
	return fromMillis(at), true, nil
}

// MailPrefs returns the notification setting of user, if any.
func (s *Store) MailPrefs(ctx context.Context, user string) (mail.Prefs, bool, error) {
	p := mail.Prefs{User: user}
	var mode, lang string
	var updated int64
	err := s.r.QueryRowContext(ctx, `SELECT mode, lang, updated FROM mail_prefs WHERE user_id = ?`, user).Scan(&mode, &lang, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return mail.Prefs{}, false, nil
	}
	if err != nil {
		return mail.Prefs{}, false, fmt.Errorf("sqlite: mail settings of %q: %w", user, err)
	}
	p.Mode, p.Lang, p.Updated = mail.Mode(mode), mail.Lang(lang), fromMillis(updated)
	return p, true, nil
}

// SetMailPrefs stores p as the setting of p.User.
func (s *Store) SetMailPrefs(ctx context.Context, p mail.Prefs) error {
	if _, err := s.w.ExecContext(ctx, `INSERT INTO mail_prefs (user_id, mode, lang, updated) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET mode = excluded.mode, lang = excluded.lang, updated = excluded.updated`,
		p.User, string(p.Mode), string(p.Lang), p.Updated.UnixMilli()); err != nil {
		return fmt.Errorf("sqlite: set mail settings of %q: %w", p.User, err)
	}
	return nil
}

// AddDigestItem inserts it; an existing id is an error wrapping
// collab.ErrDuplicate.
func (s *Store) AddDigestItem(ctx context.Context, it mail.DigestItem) error {
	if _, err := s.w.ExecContext(ctx, `INSERT INTO mail_digest_items (id, user_id, day, kind, subject, text, link, created, digested)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)`,
		it.ID, it.User, it.Day, string(it.Kind), it.Subject, it.Text, it.Link, it.Created.UnixMilli()); err != nil {
		return fmt.Errorf("sqlite: add digest item %q: %w", it.ID, duplicate(err))
	}
	return nil
}

// DigestItems returns at most limit items not yet in a digest whose day
// is before before, by user, day, creation and id.
func (s *Store) DigestItems(ctx context.Context, before string, limit int) ([]mail.DigestItem, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, user_id, day, kind, subject, text, link, created FROM mail_digest_items
		WHERE digested = 0 AND day < ? ORDER BY user_id, day, created, id LIMIT ?`, before, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: digest items: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []mail.DigestItem
	for rows.Next() {
		var it mail.DigestItem
		var kind string
		var created int64
		if err := rows.Scan(&it.ID, &it.User, &it.Day, &kind, &it.Subject, &it.Text, &it.Link, &created); err != nil {
			return nil, fmt.Errorf("sqlite: digest items: %w", err)
		}
		it.Kind, it.Created = mail.Kind(kind), fromMillis(created)
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: digest items: %w", err)
	}
	return out, nil
}

// MarkDigested marks the items with ids as gone into a digest.
func (s *Store) MarkDigested(ctx context.Context, ids []string) error {
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		q := `UPDATE mail_digest_items SET digested = 1 WHERE id IN (?` + strings.Repeat(", ?", n-1) + `)`
		if _, err := s.w.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("sqlite: mark digest items: %w", err)
		}
		ids = ids[n:]
	}
	return nil
}

// SessionFamilies returns the refresh-token families of user, by family.
func (s *Store) SessionFamilies(ctx context.Context, user string) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT DISTINCT family FROM refresh_tokens WHERE user_id = ? ORDER BY family`, user)
	if err != nil {
		return nil, fmt.Errorf("sqlite: sessions of %q: %w", user, err)
	}
	defer func() { _ = rows.Close() }()
	var out []string
	for rows.Next() {
		var f string
		if err := rows.Scan(&f); err != nil {
			return nil, fmt.Errorf("sqlite: sessions of %q: %w", user, err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: sessions of %q: %w", user, err)
	}
	return out, nil
}
