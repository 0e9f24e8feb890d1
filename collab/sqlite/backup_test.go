package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/temaplan/temaplan/collab"
)

// TestBackupFile_WhileCommitting backs up a store's file while writers
// commit to several documents: the backup holds every op committed before
// it began, and each document's log in it is a prefix of the final log —
// one consistent state, taken without stopping the writers.
func TestBackupFile_WhileCommitting(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "data", "temaplan.db")
	s := mustOpen(t, src)
	if err := s.AppendPlanEntry(t.Context(), collab.PlanEntry{Plan: "p", Seq: 1, Kind: "created", At: time.UnixMilli(1_700_000_000_000)}); err != nil {
		t.Fatal(err)
	}

	// committed[doc] is how many ops of doc are known committed.
	const docs = 4
	var mu sync.Mutex
	committed := map[string]int64{}
	ctx, stop := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	for d := range docs {
		doc := fmt.Sprintf("doc-%d", d)
		wg.Go(func() {
			for v := int64(0); ctx.Err() == nil; v++ {
				if _, err := s.CommitOps(ctx, []collab.OpRecord{op(doc, v, "w", v+1)}); err != nil {
					if ctx.Err() == nil {
						t.Errorf("CommitOps during the backup: %v", err)
					}
					return
				}
				mu.Lock()
				committed[doc] = v + 1
				mu.Unlock()
			}
		})
	}
	// Let every writer commit some ops first.
	for deadline := time.Now().Add(20 * time.Second); ; {
		mu.Lock()
		least := int64(-1)
		for d := range docs {
			if n := committed[fmt.Sprintf("doc-%d", d)]; least < 0 || n < least {
				least = n
			}
		}
		mu.Unlock()
		if least >= 20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a writer committed only %d ops in 20 s", least)
		}
		time.Sleep(time.Millisecond)
	}
	mu.Lock()
	before := maps.Clone(committed)
	mu.Unlock()

	dst := filepath.Join(dir, "backups", "temaplan-1.db")
	if err := os.Mkdir(filepath.Dir(dst), 0o700); err != nil {
		t.Fatal(err)
	}
	info, err := Backup(t.Context(), src, dst)
	if err != nil {
		stop()
		wg.Wait()
		t.Fatalf("Backup: %v", err)
	}
	// The writers go on after the backup.
	mu.Lock()
	after := maps.Clone(committed)
	mu.Unlock()
	for deadline := time.Now().Add(20 * time.Second); ; {
		mu.Lock()
		n := committed["doc-0"]
		mu.Unlock()
		if n > after["doc-0"] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no commit after the backup in 20 s")
		}
		time.Sleep(time.Millisecond)
	}
	stop()
	wg.Wait()

	if info.Path != dst || info.SchemaVersion != SchemaVersion() || info.Docs != docs || info.Plans != 1 || info.PlanEntries != 1 {
		t.Errorf("Info = path %s, schema %d, %d docs, %d plans with %d entries; want %s, %d, %d, 1, 1",
			info.Path, info.SchemaVersion, info.Docs, info.Plans, info.PlanEntries, dst, SchemaVersion(), docs)
	}
	fi, err := os.Stat(dst)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 || info.Bytes != fi.Size() {
		t.Errorf("backup file: mode %04o, %d bytes; want 0600 and Info.Bytes %d", fi.Mode().Perm(), fi.Size(), info.Bytes)
	}
	if names := dirNames(t, filepath.Dir(dst)); !slices.Equal(names, []string{"temaplan-1.db"}) {
		t.Errorf("backup directory holds %q, want only the backup", names)
	}

	b := mustOpen(t, dst)
	var total int64
	for d := range docs {
		doc := fmt.Sprintf("doc-%d", d)
		backed := logOf(t, b, doc)
		final := logOf(t, s, doc)
		if int64(len(backed)) < before[doc] {
			t.Errorf("%s: the backup holds %d ops, but %d were committed before it began", doc, len(backed), before[doc])
		}
		if !slices.Equal(backed, final[:min(len(backed), len(final))]) || len(backed) > len(final) {
			t.Errorf("%s: the backup's log is not a prefix of the final log", doc)
		}
		if info.Heads[doc] != int64(len(backed)) {
			t.Errorf("%s: Info.Heads = %d, the backup holds %d ops", doc, info.Heads[doc], len(backed))
		}
		total += int64(len(backed))
		t.Logf("%s: %d ops committed before the backup, %d in it, %d at the end", doc, before[doc], len(backed), len(final))
	}
	if info.Ops != total {
		t.Errorf("Info.Ops = %d, the backup holds %d", info.Ops, total)
	}
	if info.NewestOp.IsZero() || info.NewestPlanEntry.UnixMilli() != 1_700_000_000_000 {
		t.Errorf("Info.NewestOp = %v, NewestPlanEntry = %v", info.NewestOp, info.NewestPlanEntry)
	}
}

// dirNames returns the names in dir, sorted.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// A stopped node's file is backed up as well, and opens as before.
func TestBackupFile_OfAClosedStore(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "data", "temaplan.db")
	s := mustOpen(t, src)
	mustCommit(t, s, op("d", 0, "a", 1), op("d", 1, "a", 2))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	info, err := Backup(t.Context(), src, filepath.Join(dir, "backup.db"))
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if info.Ops != 2 || info.Heads["d"] != 2 {
		t.Errorf("Info: %d ops, head of d %d; want 2, 2", info.Ops, info.Heads["d"])
	}
	// A read-only connection to a WAL database creates the WAL and its
	// index if they are missing, and cannot remove them: both are empty
	// of commits, and the store opens as before.
	for _, name := range dirNames(t, filepath.Dir(src)) {
		fi, err := os.Stat(filepath.Join(filepath.Dir(src), name))
		if err != nil {
			t.Fatal(err)
		}
		switch name {
		case "temaplan.db", "temaplan.db-shm":
		case "temaplan.db-wal":
			if fi.Size() != 0 {
				t.Errorf("the backup left a WAL of %d bytes", fi.Size())
			}
		default:
			t.Errorf("the backup left %s in the data directory", name)
		}
	}
	s = mustOpen(t, src)
	if got := logOf(t, s, "d"); !slices.Equal(got, []string{"v0:a/1", "v1:a/2"}) {
		t.Errorf("log after the backup = %q", got)
	}
	mustCommit(t, s, op("d", 2, "a", 3))
}

func TestBackupFile_Refuses(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "temaplan.db")
	s := mustOpen(t, src)
	mustCommit(t, s, op("d", 0, "a", 1))
	existing := filepath.Join(dir, "old.db")
	if err := os.WriteFile(existing, []byte("an earlier backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		src, dst string
		want     error
	}{
		{"DestinationExists", src, existing, fs.ErrExist},
		{"SourceMissing", filepath.Join(dir, "nope.db"), filepath.Join(dir, "b1.db"), fs.ErrNotExist},
		{"DirectoryMissing", src, filepath.Join(dir, "nope", "b2.db"), fs.ErrNotExist},
		{"SourceIsDestination", src, src, nil},
		{"SourceIsDirectory", dir, filepath.Join(dir, "b3.db"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := dirNames(t, dir)
			_, err := Backup(t.Context(), tc.src, tc.dst)
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Fatalf("Backup = %v, want an error wrapping %v", err, tc.want)
			}
			t.Log(err)
			if after := dirNames(t, dir); !slices.Equal(before, after) {
				t.Errorf("the directory held %q, now %q", before, after)
			}
		})
	}
	if b, err := os.ReadFile(existing); err != nil || string(b) != "an earlier backup" {
		t.Errorf("the existing file now holds %q (%v)", b, err)
	}
	if logs := logOf(t, s, "d"); len(logs) != 1 {
		t.Errorf("the source's log is %q", logs)
	}
}

// backupOf makes a backup of a store with content (checkContent) and
// returns its path.
func backupOf(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	s := mustOpen(t, filepath.Join(dir, "data", "temaplan.db"))
	mustCommit(t, s, op("d", 0, "a", 1), op("d", 1, "a", 2))
	if err := s.SaveSnapshot(t.Context(), collab.SnapshotRecord{Doc: "d", V: 2, Data: json.RawMessage(`{"ops":[]}`)}); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendPlanEntry(t.Context(), collab.PlanEntry{Plan: "p", Seq: 1, Kind: "created"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SavePlanState(t.Context(), collab.PlanStateRecord{Plan: "p", Municipality: "m", Seq: 1}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "backup.db")
	if _, err := Backup(t.Context(), s.path, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRestore_IntoAnEmptyDirectory(t *testing.T) {
	backup := backupOf(t)
	orig, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "temaplan.db")
	info, err := Restore(t.Context(), backup, dst)
	if err != nil {
		t.Fatalf("Restore: %v", err)
	}
	if info.Path != dst || info.Ops != 2 || info.PlanEntries != 1 || info.SchemaVersion != SchemaVersion() {
		t.Errorf("Info = %+v", info)
	}
	if fi, err := os.Stat(dst); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("restored file: %v, %v; want mode 0600", fi.Mode(), err)
	}
	if names := dirNames(t, filepath.Dir(dst)); !slices.Equal(names, []string{"temaplan.db"}) {
		t.Errorf("the data directory holds %q, want only temaplan.db", names)
	}
	checkContent(t, mustOpen(t, dst))
	// The backup itself is untouched, and nothing was created beside it.
	if now, err := os.ReadFile(backup); err != nil || !bytes.Equal(now, orig) {
		t.Errorf("the backup file changed (%v)", err)
	}
	if names := dirNames(t, filepath.Dir(backup)); !slices.Equal(names, []string{"backup.db", "data"}) {
		t.Errorf("the backup's directory holds %q", names)
	}
}

// An older Temaplan's backup is restored as it is and migrated when a
// store opens it.
func TestRestore_OlderSchemaIsMigratedOnOpen(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 2 {
		t.Skip("only one migration: no older schema to restore")
	}
	old := filepath.Join(t.TempDir(), "v1.db")
	execFile(t, old, ms[0].sql,
		`CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied INTEGER NOT NULL) STRICT`,
		fmt.Sprintf(`INSERT INTO schema_migrations VALUES (%d, '%s', 0)`, ms[0].version, ms[0].name),
		`INSERT INTO ops (doc, v, kind, src, seq, "by", at, op) VALUES ('d', 0, 'op', 'a', 1, 'anne', 0, '[{"insert":"x"}]')`)

	dst := filepath.Join(t.TempDir(), "temaplan.db")
	info, err := Restore(t.Context(), old, dst)
	if err != nil {
		t.Fatalf("Restore: %v", err)
	}
	if info.SchemaVersion != ms[0].version || info.Ops != 1 {
		t.Errorf("Info: schema %d, %d ops; want %d, 1", info.SchemaVersion, info.Ops, ms[0].version)
	}
	s := mustOpen(t, dst)
	if got := logOf(t, s, "d"); !slices.Equal(got, []string{"v0:a/1"}) {
		t.Errorf("log after the migration = %q", got)
	}
	var version int
	if err := s.r.QueryRowContext(t.Context(), `SELECT max(version) FROM schema_migrations`).Scan(&version); err != nil || version != SchemaVersion() {
		t.Errorf("schema version after opening = %d, %v; want %d", version, err, SchemaVersion())
	}
}

// execFile creates an SQLite file at path and runs stmts on it.
func execFile(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", dsn(path, url.Values{}))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range stmts {
		if _, err := db.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func TestRestore_Refuses(t *testing.T) {
	good := backupOf(t)
	dir := t.TempDir()
	file := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	goodBytes, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}

	garbage := file("garbage.db", bytes.Repeat([]byte("not a database "), 1000))
	empty := file("empty.db", nil)
	foreign := filepath.Join(dir, "foreign.db")
	execFile(t, foreign, `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)`, `INSERT INTO notes (body) VALUES ('hello')`)
	otherMigrations := filepath.Join(dir, "other-migrations.db")
	execFile(t, otherMigrations, `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied INTEGER)`,
		`INSERT INTO schema_migrations VALUES (1, '0001_users.sql', 0)`)
	newer := file("newer.db", goodBytes)
	execFile(t, newer, fmt.Sprintf(`INSERT INTO schema_migrations (version, name, applied) VALUES (%d, '%04d_future.sql', 0)`,
		SchemaVersion()+1, SchemaVersion()+1))
	// A live database: a node's file with its WAL beside it.
	live := filepath.Join(dir, "live", "temaplan.db")
	ls := mustOpen(t, live)
	mustCommit(t, ls, op("d", 0, "a", 1))
	corrupt := corruptCopy(t, dir)

	// Data directories holding a database, or a stale WAL of one.
	occupied := func(name string) string {
		d := t.TempDir()
		if err := os.WriteFile(filepath.Join(d, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		return filepath.Join(d, "temaplan.db")
	}

	for _, tc := range []struct {
		name     string
		src, dst string
		want     error
	}{
		{"Garbage", garbage, "", ErrNotTemaplan},
		{"EmptyFile", empty, "", ErrNotTemaplan},
		{"ForeignSQLite", foreign, "", ErrNotTemaplan},
		{"OtherMigrations", otherMigrations, "", ErrNotTemaplan},
		{"NewerSchema", newer, "", ErrNewerSchema},
		{"LiveDatabase", live, "", ErrNotTemaplan},
		{"Corrupt", corrupt, "", ErrCorrupt},
		{"Missing", filepath.Join(dir, "nope.db"), "", fs.ErrNotExist},
		{"DestinationExists", good, occupied("temaplan.db"), fs.ErrExist},
		{"StaleWAL", good, occupied("temaplan.db-wal"), fs.ErrExist},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dst := tc.dst
			if dst == "" {
				dst = filepath.Join(t.TempDir(), "temaplan.db")
			}
			before := dirNames(t, filepath.Dir(dst))
			_, err := Restore(t.Context(), tc.src, dst)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Restore = %v, want an error wrapping %v", err, tc.want)
			}
			t.Log(err)
			if after := dirNames(t, filepath.Dir(dst)); !slices.Equal(before, after) {
				t.Errorf("the data directory held %q, now %q", before, after)
			}
		})
	}
	if err := func() error { _, err := Restore(t.Context(), newer, filepath.Join(t.TempDir(), "x.db")); return err }(); err == nil ||
		!strings.Contains(err.Error(), fmt.Sprintf("schema version %d, this program knows up to %d", SchemaVersion()+1, SchemaVersion())) {
		t.Errorf("the refusal of a newer schema does not name the versions: %v", err)
	}
}

// corruptCopy writes a copy of a store with enough ops to need an interior
// b-tree page, overwrites that page's cell pointers, and returns the
// copy's path.
func corruptCopy(t *testing.T, dir string) string {
	t.Helper()
	s := mustOpen(t, filepath.Join(dir, "big", "temaplan.db"))
	for v := range int64(400) {
		mustCommit(t, s, op("d", v, "a", v+1))
	}
	path := filepath.Join(dir, "corrupt.db")
	if _, err := Backup(t.Context(), s.path, path); err != nil {
		t.Fatal(err)
	}
	var root, pageSize int
	db, err := sql.Open("sqlite", dsn(path, url.Values{"mode": {"ro"}}))
	if err != nil {
		t.Fatal(err)
	}
	err = db.QueryRowContext(t.Context(), `SELECT rootpage, (SELECT page_size FROM pragma_page_size) FROM sqlite_schema WHERE name = 'ops'`).Scan(&root, &pageSize)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	page := b[(root-1)*pageSize : root*pageSize]
	if page[0] != 0x02 { // an interior index b-tree page (WITHOUT ROWID)
		t.Fatalf("the root page of ops is of type %#x, want an interior page", page[0])
	}
	copy(page[12:], bytes.Repeat([]byte{0xA5}, 64)) // its cell pointers
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestInspect_DoesNotChangeTheFile(t *testing.T) {
	backup := backupOf(t)
	before, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	info, err := Inspect(t.Context(), backup)
	if err != nil {
		t.Fatal(err)
	}
	if info.Ops != 2 || info.Heads["d"] != 2 || info.Docs != 1 {
		t.Errorf("Info = %+v", info)
	}
	if after, err := os.ReadFile(backup); err != nil || !bytes.Equal(before, after) {
		t.Errorf("Inspect changed the file (%v)", err)
	}
	if names := dirNames(t, filepath.Dir(backup)); !slices.Equal(names, []string{"backup.db", "data"}) {
		t.Errorf("Inspect left files beside it: %q", names)
	}
}
