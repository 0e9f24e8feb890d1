package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Errors of Inspect and Restore about the file they were given.
var (
	// ErrNotTemaplan means the file is not a Temaplan database: not SQLite
	// at all, or SQLite without Temaplan's schema.
	ErrNotTemaplan = errors.New("not a Temaplan database")
	// ErrCorrupt means SQLite's integrity check found the file damaged.
	ErrCorrupt = errors.New("the database fails SQLite's integrity check")
	// ErrNewerSchema means the file was written by a newer Temaplan, whose
	// schema this program does not know.
	ErrNewerSchema = errors.New("the database has a newer schema than this program")
)

// Info describes what a database file holds, as Inspect, Backup and
// Restore read it: enough for an operator to see that a backup holds what
// it should (how many ops, the newest edit) without opening it.
type Info struct {
	// Path is the file described; Bytes its size.
	Path  string
	Bytes int64
	// SchemaVersion is the highest migration applied to the file.
	SchemaVersion int
	// Ops is the number of op records of all documents, Docs the number of
	// documents with any, and Heads each document's next version (its
	// highest version plus one). NewestOp is the time of the newest op.
	Ops      int64
	Docs     int
	Heads    map[string]int64
	NewestOp time.Time
	// PlanEntries is the number of entries of all plan logs, Plans the
	// number of plans with a log, and NewestPlanEntry the time of the
	// newest entry.
	PlanEntries     int64
	Plans           int
	NewestPlanEntry time.Time
	// Municipalities and Accounts count the tenants and their accounts.
	Municipalities, Accounts int64
}

// SchemaVersion returns the highest schema version this program knows:
// a database with a higher one was written by a newer Temaplan.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil || len(ms) == 0 {
		return 0 // the embedded migrations are checked by the tests
	}
	return ms[len(ms)-1].version
}

// Backup writes a consistent copy of the database file src to dst, which
// must not exist (the error then wraps fs.ErrExist), and returns what the
// copy holds. It needs no Store: it reads src on a read-only connection of
// its own, so it works from another process while a node commits to src —
// SQLite's WAL lets the copy read one snapshot while commits go on, and
// every op acknowledged before Backup began is in that snapshot.
//
// The copy is made by VACUUM INTO (compact, without the WAL) under a
// temporary name in dst's directory, synced, checked by Inspect, and only
// then put in place under dst without replacing anything: dst never holds a
// partial or unchecked copy.
func Backup(ctx context.Context, src, dst string) (info Info, err error) {
	src, dst, err = absPaths(src, dst)
	if err != nil {
		return Info{}, fmt.Errorf("sqlite: backup: %w", err)
	}
	defer func() {
		if err != nil {
			err = fmt.Errorf("sqlite: backup %s to %s: %w", src, dst, err)
		}
	}()
	if err := absent(dst); err != nil {
		return Info{}, err
	}
	if fi, err := os.Stat(src); err != nil {
		return Info{}, err
	} else if !fi.Mode().IsRegular() {
		return Info{}, fmt.Errorf("%s is not a regular file", src)
	}
	// VACUUM INTO writes into a file that does not exist or is empty;
	// CreateTemp makes an empty one, readable by its owner only (a backup
	// holds personal data and password hashes).
	tmp, err := tempFile(dst)
	if err != nil {
		return Info{}, err
	}
	defer removeOnError(&err, tmp)

	// Read-only like the Store's readers, but without query_only, which
	// forbids VACUUM INTO writing the copy. The busy timeout covers a
	// checkpoint or a WAL recovery by the node holding a lock briefly.
	db, err := sql.Open("sqlite", dsn(src, url.Values{
		"mode":    {"ro"},
		"_pragma": {fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds())},
	}))
	if err != nil {
		return Info{}, err
	}
	defer func() { _ = db.Close() }()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		return Info{}, sqliteFileError(err)
	}
	if err := db.Close(); err != nil {
		return Info{}, err
	}
	if err := syncPath(tmp); err != nil {
		return Info{}, err
	}
	if info, err = Inspect(ctx, tmp); err != nil {
		return Info{}, fmt.Errorf("the copy: %w", err)
	}
	if err := place(tmp, dst); err != nil {
		return Info{}, err
	}
	info.Path = dst
	return info, nil
}

// Restore copies the backup src to dst, the database file of an empty data
// directory, and returns what it holds. dst must not exist, nor a WAL,
// shared-memory or journal file beside it (the error then wraps
// fs.ErrExist): SQLite would apply a stale WAL to the restored file.
//
// The backup is copied under a temporary name beside dst, synced and
// checked there — SQLite's integrity check, Temaplan's schema (ErrCorrupt,
// ErrNotTemaplan), a schema version this program knows (ErrNewerSchema) —
// and only then put in place as dst. A backup from an older version is
// restored as it is; the node migrates it when it opens it.
func Restore(ctx context.Context, src, dst string) (info Info, err error) {
	src, dst, err = absPaths(src, dst)
	if err != nil {
		return Info{}, fmt.Errorf("sqlite: restore: %w", err)
	}
	defer func() {
		if err != nil {
			err = fmt.Errorf("sqlite: restore %s to %s: %w", src, dst, err)
		}
	}()
	for _, p := range []string{dst, dst + "-wal", dst + "-shm", dst + "-journal"} {
		if err := absent(p); err != nil {
			return Info{}, err
		}
	}
	in, err := os.Open(src)
	if err != nil {
		return Info{}, err
	}
	defer func() { _ = in.Close() }()
	if fi, err := in.Stat(); err != nil {
		return Info{}, err
	} else if !fi.Mode().IsRegular() {
		return Info{}, fmt.Errorf("%s is not a regular file", src)
	}
	// A database with a WAL beside it is a live one (or was copied with
	// its WAL): the file alone lacks the newest commits.
	if fi, err := os.Stat(src + "-wal"); err == nil && fi.Size() > 0 {
		return Info{}, fmt.Errorf("%w: %s-wal exists, so %s is a live database or a copy of one, not a backup "+
			"(the newest commits are in the WAL): make a backup with `temaplan backup`", ErrNotTemaplan, src, src)
	}
	tmp, err := tempFile(dst)
	if err != nil {
		return Info{}, err
	}
	defer removeOnError(&err, tmp)
	if err := copyFile(ctx, tmp, in); err != nil {
		return Info{}, err
	}
	if info, err = Inspect(ctx, tmp); err != nil {
		return Info{}, err
	}
	if latest := SchemaVersion(); info.SchemaVersion > latest {
		return Info{}, fmt.Errorf("%w: the backup has schema version %d, this program knows up to %d: restore it with the Temaplan that made it, or a newer one",
			ErrNewerSchema, info.SchemaVersion, latest)
	}
	if err := place(tmp, dst); err != nil {
		return Info{}, err
	}
	info.Path = dst
	return info, nil
}

// Inspect checks the database file at path and describes what it holds:
// SQLite's integrity check must pass (else ErrCorrupt), and the file must
// have Temaplan's schema — its migrations table, with the names this
// program gives the versions it knows (else ErrNotTemaplan). A schema
// newer than this program's is described, not refused: Restore refuses
// it. The file is opened read-only and immutable, so Inspect neither
// changes it nor creates files beside it; inspect no file a node has open.
func Inspect(ctx context.Context, path string) (info Info, err error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return Info{}, err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return Info{}, err
	}
	if !fi.Mode().IsRegular() {
		return Info{}, fmt.Errorf("%s is not a regular file", abs)
	}
	info = Info{Path: abs, Bytes: fi.Size()}
	db, err := sql.Open("sqlite", dsn(abs, url.Values{"mode": {"ro"}, "immutable": {"1"}}))
	if err != nil {
		return Info{}, err
	}
	defer func() { _ = db.Close() }()
	// One connection: the checks and the counts read one state.
	conn, err := db.Conn(ctx)
	if err != nil {
		return Info{}, sqliteFileError(err)
	}
	defer func() { _ = conn.Close() }()

	if err := integrity(ctx, conn); err != nil {
		return Info{}, err
	}
	if info.SchemaVersion, err = schemaOf(ctx, conn); err != nil {
		return Info{}, err
	}
	if err := count(ctx, conn, &info); err != nil {
		return Info{}, fmt.Errorf("%w: %w", ErrNotTemaplan, err)
	}
	return info, nil
}

// integrity runs SQLite's integrity check.
func integrity(ctx context.Context, conn *sql.Conn) error {
	rows, err := conn.QueryContext(ctx, "PRAGMA integrity_check(10)")
	if err != nil {
		return sqliteFileError(err)
	}
	defer func() { _ = rows.Close() }()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return sqliteFileError(err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return sqliteFileError(err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrCorrupt, strings.Join(problems, "; "))
	}
	return nil
}

// schemaOf checks that the migrations applied to the database are
// Temaplan's and returns the highest one.
func schemaOf(ctx context.Context, conn *sql.Conn) (int, error) {
	var n int
	if err := conn.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n); err != nil {
		return 0, sqliteFileError(err)
	}
	if n == 0 {
		return 0, fmt.Errorf("%w: it has no schema_migrations table", ErrNotTemaplan)
	}
	known := map[int]string{}
	ms, err := migrations()
	if err != nil {
		return 0, err
	}
	for _, m := range ms {
		known[m.version] = m.name
	}
	rows, err := conn.QueryContext(ctx, `SELECT version, name FROM schema_migrations ORDER BY version`)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrNotTemaplan, err)
	}
	defer func() { _ = rows.Close() }()
	version, first := 0, 0
	for rows.Next() {
		var v int
		var name string
		if err := rows.Scan(&v, &name); err != nil {
			return 0, fmt.Errorf("%w: %w", ErrNotTemaplan, err)
		}
		if want, ok := known[v]; ok && name != want {
			return 0, fmt.Errorf("%w: its migration %d is %q, Temaplan's is %q", ErrNotTemaplan, v, name, want)
		}
		if first == 0 {
			first = v
		}
		version = max(version, v)
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("%w: %w", ErrNotTemaplan, err)
	}
	if first != ms[0].version {
		return 0, fmt.Errorf("%w: it lacks Temaplan's first migration %s", ErrNotTemaplan, ms[0].name)
	}
	return version, nil
}

// count fills in what the database holds.
func count(ctx context.Context, conn *sql.Conn, info *Info) error {
	var newestOp, newestEntry sql.NullInt64
	if err := conn.QueryRowContext(ctx, `SELECT count(*), max(at) FROM ops`).Scan(&info.Ops, &newestOp); err != nil {
		return err
	}
	info.Heads = map[string]int64{}
	rows, err := conn.QueryContext(ctx, `SELECT doc, max(v) + 1 FROM ops GROUP BY doc`)
	if err != nil {
		return err
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		var doc string
		var head int64
		if err := rows.Scan(&doc, &head); err != nil {
			return err
		}
		info.Heads[doc] = head
	}
	if err := rows.Err(); err != nil {
		return err
	}
	info.Docs = len(info.Heads)
	if err := conn.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT plan), max(at) FROM plan_entries`).
		Scan(&info.PlanEntries, &info.Plans, &newestEntry); err != nil {
		return err
	}
	if newestOp.Valid {
		info.NewestOp = time.UnixMilli(newestOp.Int64)
	}
	if newestEntry.Valid {
		info.NewestPlanEntry = time.UnixMilli(newestEntry.Int64)
	}
	if info.SchemaVersion >= 2 { // 0002_accounts.sql
		if err := conn.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM municipalities), (SELECT count(*) FROM accounts)`).
			Scan(&info.Municipalities, &info.Accounts); err != nil {
			return err
		}
	}
	return nil
}

// sqliteFileError wraps SQLite's verdicts on a file — not a database, or a
// damaged one — with ErrNotTemaplan and ErrCorrupt.
func sqliteFileError(err error) error {
	var e *msqlite.Error
	if errors.As(err, &e) {
		switch e.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB:
			return fmt.Errorf("%w: not an SQLite database file (%w)", ErrNotTemaplan, err)
		case sqlite3.SQLITE_CORRUPT:
			return fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
	}
	return err
}

// absPaths returns src and dst as absolute paths.
func absPaths(src, dst string) (string, string, error) {
	if src == "" || dst == "" {
		return "", "", errors.New("want the paths of two files")
	}
	a, err := filepath.Abs(src)
	if err != nil {
		return "", "", err
	}
	b, err := filepath.Abs(dst)
	if err != nil {
		return "", "", err
	}
	if a == b {
		return "", "", fmt.Errorf("%s is both the source and the destination", a)
	}
	return a, b, nil
}

// absent returns an error wrapping fs.ErrExist if something is at path.
func absent(path string) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%s: %w", path, fs.ErrExist)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// tempFile creates an empty file, readable by its owner only, beside path
// (so that renaming it to path cannot cross file systems), and returns its
// name.
func tempFile(path string) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return "", err
	}
	name := f.Name()
	if err := f.Close(); err != nil {
		_ = os.Remove(name)
		return "", err
	}
	return name, nil
}

// removeOnError removes the temporary file tmp if *err is set.
func removeOnError(err *error, tmp string) {
	if *err != nil {
		_ = os.Remove(tmp)
	}
}

// copyFile copies in to the file at path and syncs it.
func copyFile(ctx context.Context, path string, in io.Reader) error {
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, ctxReader{ctx, in})
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// ctxReader stops a copy when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}

// place gives the synced file tmp the name dst, in the same directory,
// without replacing anything at dst (fs.ErrExist), and syncs the
// directory. A hard link is the portable rename that refuses to replace;
// where the file system has no hard links, a rename after a check does.
func place(tmp, dst string) error {
	if err := os.Link(tmp, dst); err == nil {
		if err := os.Remove(tmp); err != nil {
			return err
		}
	} else if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s: %w", dst, fs.ErrExist)
	} else {
		if err := absent(dst); err != nil {
			return err
		}
		if err := os.Rename(tmp, dst); err != nil {
			return err
		}
	}
	return syncPath(filepath.Dir(dst))
}
