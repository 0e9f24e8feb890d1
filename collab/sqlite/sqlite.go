// Package sqlite is Temaplan's embedded store: the collab store interfaces
// on one SQLite file (modernc.org/sqlite, pure Go), the default when no
// MongoDB is configured.
//
// One writer connection commits, in WAL mode with synchronous=FULL, so an
// acknowledged op is on disk; a pool of read-only connections reads beside it
// (WAL lets readers work while the writer commits). Every decision is a
// unique insert, refused by a primary or unique key, exactly as on MongoDB;
// a batch of ops commits all or nothing. The batches of several documents
// waiting at once share one transaction and one fsync (commit.go).
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/temaplan/temaplan/collab"
)

// busyTimeout is how long a connection waits for a lock held by another
// connection (another process on the same file, or a checkpoint) before it
// fails with SQLITE_BUSY.
const busyTimeout = 10 * time.Second

// Store is a collab.Store on one SQLite file. Its methods are safe for
// concurrent use.
type Store struct {
	path string
	log  *slog.Logger
	// w is the one writer connection. SQLite admits one writer at a time
	// anyway; queueing writers in the pool rather than in SQLite's busy
	// handler keeps the order fair and the errors out.
	w *sql.DB
	// r holds read-only connections (mode=ro).
	r *sql.DB

	// Prepared statements of the paths that run on every edit or load.
	insertOp, insertSnapshot, insertPlanEntry, upsertPlanState *sql.Stmt // on w
	selectOps, selectOpBySource, selectSnapshot, selectPlanEntries,
	selectPlanState, listPlanStates, listAllPlanStates *sql.Stmt // on r
	// acct are the statements of auth.Store (accounts.go).
	acct  accountStmts
	stmts []*sql.Stmt
	// commit commits op batches in groups (commit.go).
	commit *committer
	// ckpt checkpoints the WAL in the background (checkpoint.go).
	ckpt *checkpointer

	closeOnce sync.Once
	closeErr  error
}

var _ collab.Store = (*Store)(nil)

// Open opens the SQLite database at path, creating it (and its directory)
// if it does not exist, and brings its schema up to date. A nil log
// discards. The path must name a file: an in-memory database cannot be
// shared by the writer and the readers.
func Open(ctx context.Context, path string, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlite: open %q: want the path of a database file", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// Two processes opening a new file at once can get SQLITE_BUSY without
	// the busy handler being asked: switching a new database to WAL needs
	// an exclusive lock, and SQLite refuses at once rather than risk a
	// deadlock. Opening again after a short wait then finds WAL set.
	for attempt := 1; ; attempt++ {
		s := &Store{path: abs, log: log}
		err := s.open(ctx)
		if err == nil {
			return s, nil
		}
		_ = s.closeAll()
		if !busy(err) || attempt == 20 || ctx.Err() != nil {
			return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
		}
		time.Sleep(time.Duration(attempt) * 10 * time.Millisecond)
	}
}

// busy reports whether err is SQLite's "database is locked".
func busy(err error) bool {
	var e *msqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_BUSY
}

func (s *Store) open(ctx context.Context) error {
	if err := os.MkdirAll(filepath.Dir(s.path), 0o750); err != nil {
		return err
	}
	// Create the file readable by its owner only: plans hold personal data,
	// and SQLite gives the -wal and -shm files the mode of the database.
	f, err := os.OpenFile(s.path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}

	pragma := func(p ...string) []string {
		return append([]string{fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds())}, p...)
	}
	s.w, err = sql.Open("sqlite", dsn(s.path, url.Values{
		"_pragma": pragma("foreign_keys(1)", "journal_mode(WAL)", "synchronous(FULL)",
			"wal_autocheckpoint(0)"), // checkpoint.go
		// The writer's transactions take the write lock when they begin:
		// no transaction fails half-way for want of it.
		"_txlock": {"immediate"},
	}))
	if err != nil {
		return err
	}
	keepOpen(s.w, 1)
	if err := s.checkWriter(ctx); err != nil {
		return err
	}
	version, applied, err := s.migrate(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}

	readers := max(4, runtime.GOMAXPROCS(0))
	s.r, err = sql.Open("sqlite", dsn(s.path, url.Values{
		"mode":    {"ro"},
		"_pragma": pragma("query_only(1)"),
	}))
	if err != nil {
		return err
	}
	keepOpen(s.r, readers)
	if err := s.r.PingContext(ctx); err != nil {
		return fmt.Errorf("open reader: %w", err)
	}

	if err := s.prepare(ctx); err != nil {
		return err
	}
	if err := s.prepareAccounts(ctx); err != nil {
		return err
	}
	ckpt, err := sql.Open("sqlite", dsn(s.path, url.Values{"_pragma": pragma("synchronous(FULL)")}))
	if err != nil {
		return err
	}
	keepOpen(ckpt, 1)
	s.startCheckpointer(ckpt)
	s.startCommitter()
	s.log.Info("sqlite store open", "path", s.path, "schema_version", version,
		"migrations_applied", applied, "readers", readers)
	return nil
}

// keepOpen sizes db's pool to n connections, all kept open for the
// store's life: a new connection would read the schema again, and the
// prepared statements are per connection.
func keepOpen(db *sql.DB, n int) {
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
}

// dsn returns a modernc.org/sqlite data source name for the file at the
// absolute path: a file: URI, so that SQLite honours its own parameters
// (mode=ro) and a path holding '?', '#' or '%' is escaped, not cut.
func dsn(path string, params url.Values) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive: file:///C:/...
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: params.Encode()}
	return u.String()
}

// checkWriter verifies what the durability of an ack rests on: a file
// system that cannot do WAL would silently keep the rollback journal.
func (s *Store) checkWriter(ctx context.Context) error {
	var mode string
	if err := s.w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return err
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("journal_mode is %q, want wal (does the file system support shared memory?)", mode)
	}
	var level int
	if err := s.w.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&level); err != nil {
		return err
	}
	if level != 2 {
		return fmt.Errorf("synchronous is %d, want 2 (FULL)", level)
	}
	return nil
}

func (s *Store) prepare(ctx context.Context) error {
	for _, p := range []struct {
		db    *sql.DB
		stmt  **sql.Stmt
		query string
	}{
		{s.w, &s.insertOp, `INSERT INTO ops (doc, v, kind, src, seq, "by", at, op) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`},
		{s.w, &s.insertSnapshot, `INSERT INTO snapshots (doc, v, data, at) VALUES (?, ?, ?, ?) ON CONFLICT (doc, v) DO NOTHING`},
		{s.w, &s.insertPlanEntry, `INSERT INTO plan_entries (plan, seq, kind, "by", at, data) VALUES (?, ?, ?, ?, ?, ?)`},
		{s.w, &s.upsertPlanState, `INSERT INTO plan_states (plan, municipality, seq, data, updated) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (plan) DO UPDATE SET municipality = excluded.municipality, seq = excluded.seq,
				data = excluded.data, updated = excluded.updated
			WHERE excluded.seq > plan_states.seq`},
		{s.r, &s.selectOps, `SELECT v, kind, src, seq, "by", at, op FROM ops WHERE doc = ? AND v >= ? AND v < ? ORDER BY v`},
		{s.r, &s.selectOpBySource, `SELECT v, kind, src, seq, "by", at, op FROM ops WHERE doc = ? AND src = ? AND seq = ?`},
		{s.r, &s.selectSnapshot, `SELECT v, data, at FROM snapshots WHERE doc = ? AND v <= ? ORDER BY v DESC LIMIT 1`},
		{s.r, &s.selectPlanEntries, `SELECT seq, kind, "by", at, data FROM plan_entries WHERE plan = ? AND seq >= ? ORDER BY seq`},
		{s.r, &s.selectPlanState, `SELECT plan, municipality, seq, data, updated FROM plan_states WHERE plan = ?`},
		{s.r, &s.listPlanStates, `SELECT plan, municipality, seq, data, updated FROM plan_states WHERE municipality = ? ORDER BY plan`},
		{s.r, &s.listAllPlanStates, `SELECT plan, municipality, seq, data, updated FROM plan_states ORDER BY plan`},
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

// Ping reports whether both the writer and the readers answer.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.w.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping writer: %w", err)
	}
	if err := s.r.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping readers: %w", err)
	}
	return nil
}

// Describe names the store for the start-up log: "sqlite <path>".
func (s *Store) Describe() string { return "sqlite " + s.path }

// Close closes the readers, then the writer: the last connection to close
// checkpoints the WAL into the database file. Close is idempotent.
func (s *Store) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.closeAll() })
	return s.closeErr
}

func (s *Store) closeAll() error {
	s.stopCommitter()
	var errs []error
	if s.ckpt != nil {
		errs = append(errs, s.ckpt.stop())
	}
	for _, stmt := range s.stmts {
		errs = append(errs, stmt.Close())
	}
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlite: close %s: %w", s.path, err)
	}
	return nil
}

// Backup writes a consistent copy of the database to path, which must not
// exist yet (the error then wraps fs.ErrExist), while commits go on: see
// the package's Backup, which it calls with the store's own file.
func (s *Store) Backup(ctx context.Context, path string) error {
	info, err := Backup(ctx, s.path, path)
	if err != nil {
		return err
	}
	s.log.Info("sqlite backup written", "path", path, "bytes", info.Bytes)
	return nil
}

// syncPath flushes the file or directory at path to disk.
func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// duplicate wraps err with collab.ErrDuplicate if a primary or unique key
// refused the insert, and returns it unchanged otherwise.
func duplicate(err error) error {
	var e *msqlite.Error
	if errors.As(err, &e) {
		switch e.Code() {
		case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqlite3.SQLITE_CONSTRAINT_UNIQUE:
			return fmt.Errorf("%w: %w", collab.ErrDuplicate, err)
		}
	}
	return err
}
