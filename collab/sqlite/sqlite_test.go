package sqlite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/storetest"
	"github.com/temaplan/temaplan/export"
	"github.com/temaplan/temaplan/mail"
)

// mustOpen opens the store at path and closes it when the test ends.
func mustOpen(tb testing.TB, path string) *Store {
	tb.Helper()
	s, err := Open(context.Background(), path, nil)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s
}

// mustOpenTemp opens a new store in a temporary directory.
func mustOpenTemp(tb testing.TB) *Store {
	tb.Helper()
	return mustOpen(tb, filepath.Join(tb.TempDir(), "temaplan.db"))
}

func TestStore_Contract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) collab.Store { return mustOpenTemp(t) })
}

func TestStore_AccountsContract(t *testing.T) {
	storetest.RunAccounts(t, func(t *testing.T) auth.Store { return mustOpenTemp(t) })
}

func TestStore_MailContract(t *testing.T) {
	storetest.RunMail(t, func(t *testing.T) mail.Store { return mustOpenTemp(t) })
}

func TestStore_SSOContract(t *testing.T) {
	storetest.RunSSO(t, func(t *testing.T) auth.SSOStore { return mustOpenTemp(t) })
}

func TestStore_HearingContract(t *testing.T) {
	storetest.RunHearing(t, func(t *testing.T) collab.HearingStore { return mustOpenTemp(t) })
}

func TestStore_ExportsContract(t *testing.T) {
	storetest.RunExports(t, func(t *testing.T) export.Store { return mustOpenTemp(t) })
}

func op(doc string, v int64, src string, seq int64) collab.OpRecord {
	return collab.OpRecord{Doc: doc, V: v, Src: src, Seq: seq, By: "anne",
		At: time.UnixMilli(1_700_000_000_000 + v).UTC(), Op: json.RawMessage(fmt.Sprintf(`[{"insert":"%d"}]`, v))}
}

func mustCommit(t *testing.T, s *Store, ops ...collab.OpRecord) {
	t.Helper()
	if n, err := s.CommitOps(t.Context(), ops); err != nil || n != len(ops) {
		t.Fatalf("CommitOps = %d, %v; want %d, nil", n, err, len(ops))
	}
}

// logOf returns the versions and sources of doc's log, for comparing.
func logOf(t *testing.T, s *Store, doc string) []string {
	t.Helper()
	ops, err := s.Ops(t.Context(), doc, 0, -1)
	if err != nil {
		t.Fatalf("Ops: %v", err)
	}
	out := make([]string, len(ops))
	for i, o := range ops {
		out[i] = fmt.Sprintf("v%d:%s/%d", o.V, o.Src, o.Seq)
	}
	return out
}

func TestOpen_Pragmas(t *testing.T) {
	s := mustOpenTemp(t)
	for _, tc := range []struct {
		pragma, want string
	}{
		{"journal_mode", "wal"},
		{"synchronous", "2"},
		{"foreign_keys", "1"},
		{"busy_timeout", "10000"},
	} {
		var got string
		if err := s.w.QueryRowContext(t.Context(), "PRAGMA "+tc.pragma).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", tc.pragma, err)
		}
		if got != tc.want {
			t.Errorf("writer: PRAGMA %s = %q, want %q", tc.pragma, got, tc.want)
		}
	}
	var queryOnly int
	if err := s.r.QueryRowContext(t.Context(), "PRAGMA query_only").Scan(&queryOnly); err != nil || queryOnly != 1 {
		t.Errorf("reader: PRAGMA query_only = %d, %v; want 1", queryOnly, err)
	}
	if _, err := s.r.ExecContext(t.Context(), `PRAGMA query_only = 0`); err != nil {
		t.Fatalf("reader: PRAGMA query_only = 0: %v", err)
	}
	// Even with query_only lifted, the file is open read-only (mode=ro).
	if _, err := s.r.ExecContext(t.Context(), `INSERT INTO plan_states (plan, municipality, seq, updated) VALUES ('x', 'm', 1, 0)`); err == nil {
		t.Error("a reader connection wrote to the database")
	}
}

func TestOpen_MigrationsIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "temaplan.db")
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	// Two stores opening a new file at once: one migrates, the other waits
	// for it and finds nothing left to do.
	stores := make([]*Store, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range stores {
		wg.Go(func() { stores[i], errs[i] = Open(t.Context(), path, nil) })
	}
	wg.Wait()
	for i, s := range stores {
		if errs[i] != nil {
			t.Fatalf("Open %d: %v", i, errs[i])
		}
		defer s.Close()
	}
	mustCommit(t, stores[0], op("d", 0, "a", 1))
	for i, s := range stores {
		if err := s.Close(); err != nil {
			t.Fatalf("Close %d: %v", i, err)
		}
	}
	for range 2 {
		s, err := Open(t.Context(), path, nil)
		if err != nil {
			t.Fatalf("Open again: %v", err)
		}
		var n, version int
		if err := s.w.QueryRowContext(t.Context(), `SELECT count(*), max(version) FROM schema_migrations`).Scan(&n, &version); err != nil {
			t.Fatal(err)
		}
		if n != len(ms) || version != ms[len(ms)-1].version {
			t.Errorf("schema_migrations has %d rows up to version %d, want %d up to %d", n, version, len(ms), ms[len(ms)-1].version)
		}
		if got := logOf(t, s, "d"); len(got) != 1 {
			t.Errorf("log after reopening = %q, want the one op", got)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOpen_RefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "temaplan.db")
	s := mustOpen(t, path)
	if _, err := s.w.ExecContext(t.Context(), `INSERT INTO schema_migrations (version, name, applied) VALUES (9999, '9999_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s2, err := Open(t.Context(), path, nil); err == nil || !strings.Contains(err.Error(), "newer") {
		if s2 != nil {
			s2.Close()
		}
		t.Errorf("Open of a database from a newer program = %v, want an error that says so", err)
	}
}

func TestOpen_Paths(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file:temaplan.db?mode=memory"} {
		if s, err := Open(t.Context(), path, nil); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded, want an error", path)
		}
	}
	// Characters that mean something in a URI are part of the name.
	dir := filepath.Join(t.TempDir(), "data 100% #1")
	path := filepath.Join(dir, "plans?v=2&mode=ro.db")
	s := mustOpen(t, path)
	mustCommit(t, s, op("d", 0, "a", 1))
	if got, want := s.Describe(), "sqlite "+path; got != want {
		t.Errorf("Describe = %q, want %q", got, want)
	}
	if fi, err := os.Stat(path); err != nil {
		t.Errorf("the database is not at the path given: %v", err)
	} else if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("the database file has mode %v, want 0600", perm)
	}
}

func TestStore_SurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "temaplan.db")
	s, err := Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
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
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// The last connection to close checkpoints the WAL into the file.
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		t.Errorf("the WAL holds %d bytes after Close", fi.Size())
	}

	s = mustOpen(t, path)
	checkContent(t, s)
}

// checkContent checks what TestStore_SurvivesReopen and TestBackup write.
func checkContent(t *testing.T, s *Store) {
	t.Helper()
	if got := logOf(t, s, "d"); fmt.Sprint(got) != "[v0:a/1 v1:a/2]" {
		t.Errorf("log = %q", got)
	}
	if sn, ok, err := s.LatestSnapshot(t.Context(), "d", -1); err != nil || !ok || sn.V != 2 {
		t.Errorf("LatestSnapshot = v%d, %v, %v; want v2", sn.V, ok, err)
	}
	if es, err := s.PlanEntries(t.Context(), "p", 0); err != nil || len(es) != 1 {
		t.Errorf("PlanEntries = %d, %v; want 1", len(es), err)
	}
	if st, ok, err := s.PlanState(t.Context(), "p"); err != nil || !ok || st.Municipality != "m" {
		t.Errorf("PlanState = %+v, %v, %v", st, ok, err)
	}
}

// The contract lets MongoDB commit a prefix of a refused batch; SQLite
// commits all of a batch or none of it.
func TestCommitOps_AllOrNothing(t *testing.T) {
	s := mustOpenTemp(t)
	mustCommit(t, s, op("d", 0, "a", 1), op("d", 1, "a", 2), op("d", 2, "a", 3))
	mustCommit(t, s, op("d", 5, "c", 1))
	before := logOf(t, s, "d")
	for _, tc := range []struct {
		name  string
		batch []collab.OpRecord
	}{
		{"Version", []collab.OpRecord{op("d", 3, "b", 1), op("d", 4, "b", 2), op("d", 5, "b", 3)}},
		{"Source", []collab.OpRecord{op("d", 3, "b", 1), op("d", 4, "a", 3)}},
		{"SourceWithinBatch", []collab.OpRecord{op("d", 3, "b", 1), op("d", 4, "b", 1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := s.CommitOps(t.Context(), tc.batch)
			if n != 0 || !errors.Is(err, collab.ErrDuplicate) {
				t.Errorf("CommitOps = %d, %v; want 0, ErrDuplicate", n, err)
			}
			if got := logOf(t, s, "d"); fmt.Sprint(got) != fmt.Sprint(before) {
				t.Errorf("log = %q, want it unchanged: %q", got, before)
			}
		})
	}
}

func TestCommitOps_RefusesMalformedBatch(t *testing.T) {
	s := mustOpenTemp(t)
	bad := op("d", 1, "a", 2)
	bad.Op = json.RawMessage(`[{"insert":`)
	for _, tc := range []struct {
		name  string
		batch []collab.OpRecord
	}{
		{"TwoDocs", []collab.OpRecord{op("d", 0, "a", 1), op("e", 1, "a", 2)}},
		{"Gap", []collab.OpRecord{op("d", 0, "a", 1), op("d", 2, "a", 2)}},
		{"Backwards", []collab.OpRecord{op("d", 1, "a", 1), op("d", 0, "a", 2)}},
		{"NegativeVersion", []collab.OpRecord{op("d", -1, "a", 1)}},
		{"NotJSON", []collab.OpRecord{op("d", 0, "a", 1), bad}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := s.CommitOps(t.Context(), tc.batch)
			if n != 0 || err == nil || errors.Is(err, collab.ErrDuplicate) {
				t.Errorf("CommitOps = %d, %v; want 0 and an error that is not ErrDuplicate", n, err)
			}
			for _, doc := range []string{"d", "e"} {
				if got := logOf(t, s, doc); len(got) != 0 {
					t.Errorf("log of %s = %q, want empty", doc, got)
				}
			}
		})
	}
}

// The contract accepts that a racing cache refresh is lost on MongoDB;
// SQLite's conditional upsert is atomic, so the newest always wins.
func TestSavePlanState_RacingSavesKeepNewest(t *testing.T) {
	s := mustOpenTemp(t)
	const writers = 16
	for round := range 3 {
		plan := fmt.Sprintf("p%d", round)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				<-start
				seq := int64((w*7+round)%writers + 1) // 1..16 in a different order each round
				st := collab.PlanStateRecord{Plan: plan, Municipality: "m", Seq: seq, Data: json.RawMessage(fmt.Sprint(seq))}
				if err := s.SavePlanState(context.Background(), st); err != nil {
					t.Errorf("SavePlanState(seq %d): %v", seq, err)
				}
			})
		}
		close(start)
		wg.Wait()
		st, ok, err := s.PlanState(t.Context(), plan)
		if err != nil || !ok || st.Seq != writers || string(st.Data) != fmt.Sprint(writers) {
			t.Errorf("round %d: PlanState = seq %d data %s, %v, %v; want seq %d", round, st.Seq, st.Data, ok, err, writers)
		}
	}
}

func TestBackup(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, filepath.Join(dir, "temaplan.db"))
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

	// Commits go on during the backup, which copies a consistent state.
	ctx, stop := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() {
		for v := int64(0); ctx.Err() == nil; v++ {
			if _, err := s.CommitOps(ctx, []collab.OpRecord{op("busy", v, "b", v+1)}); err != nil && ctx.Err() == nil {
				t.Errorf("CommitOps during the backup: %v", err)
				return
			}
		}
	})
	backup := filepath.Join(dir, "backups", "temaplan-1.db")
	if err := os.Mkdir(filepath.Dir(backup), 0o700); err != nil {
		t.Fatal(err)
	}
	err := s.Backup(t.Context(), backup)
	stop()
	wg.Wait()
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}

	if err := s.Backup(t.Context(), backup); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Backup to an existing file = %v, want fs.ErrExist", err)
	}
	entries, err := os.ReadDir(filepath.Dir(backup))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("backup directory holds %q, want only the backup", names)
	}
	if fi, err := os.Stat(backup); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("backup file: %v, %v; want mode 0600", fi.Mode(), err)
	}

	b := mustOpen(t, backup)
	checkContent(t, b)
	busy := logOf(t, b, "busy")
	for i, o := range busy {
		if want := fmt.Sprintf("v%d:b/%d", i, i+1); o != want {
			t.Fatalf("backed-up log of busy: op %d is %s, want %s", i, o, want)
		}
	}
	t.Logf("the backup holds %d of the ops committed while it ran", len(busy))
}

// The hot queries must search an index, never scan a table.
func TestQueries_UseIndexes(t *testing.T) {
	s := mustOpenTemp(t)
	for _, q := range []string{
		`SELECT v, kind, src, seq, "by", at, op FROM ops WHERE doc = ? AND v >= ? AND v < ? ORDER BY v`,
		`SELECT v, kind, src, seq, "by", at, op FROM ops WHERE doc = ? AND src = ? AND seq = ?`,
		`SELECT v, data, at FROM snapshots WHERE doc = ? AND v <= ? ORDER BY v DESC LIMIT 1`,
		`SELECT seq, kind, "by", at, data FROM plan_entries WHERE plan = ? AND seq >= ? ORDER BY seq`,
		`SELECT plan, municipality, seq, data, updated FROM plan_states WHERE plan = ?`,
		`SELECT plan, municipality, seq, data, updated FROM plan_states WHERE municipality = ? ORDER BY plan`,
	} {
		n := strings.Count(q, "?")
		args := make([]any, n)
		for i := range args {
			args[i] = "x"
		}
		rows, err := s.r.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notUsed int
			var detail string
			if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if p := strings.Join(plan, "; "); !strings.Contains(p, "SEARCH") || strings.Contains(p, "SCAN") || strings.Contains(p, "TEMP B-TREE") {
			t.Errorf("%s\n\tplan: %s", q, p)
		}
	}
}

// The queries of auth.Store must search an index too: logins, refreshes
// and the audit log's pages read by key and in index order.
func TestAccountQueries_UseIndexes(t *testing.T) {
	s := mustOpenTemp(t)
	for _, q := range []string{
		`SELECT id, name, created FROM municipalities WHERE id = ?`,
		`SELECT ` + accountColumns + ` FROM accounts WHERE id = ?`,
		`SELECT ` + accountColumns + ` FROM accounts WHERE email = ?`,
		`SELECT ` + accountColumns + ` FROM accounts WHERE municipality = ? ORDER BY email`,
		`UPDATE accounts SET name = ?, password_hash = ?, admin = ?, disabled = ?, updated = ? WHERE id = ?`,
		`SELECT ` + refreshColumns + ` FROM refresh_tokens WHERE hash = ?`,
		`SELECT ` + refreshColumns + ` FROM refresh_tokens WHERE family = ? AND gen = ?`,
		`SELECT at FROM revoked_families WHERE family = ?`,
		`SELECT ` + auditColumns + ` FROM audit WHERE municipality = ? ORDER BY at DESC, id DESC LIMIT ?`,
		`SELECT ` + auditColumns + ` FROM audit WHERE municipality = ? AND plan = ? ORDER BY at DESC, id DESC LIMIT ?`,
	} {
		args := make([]any, strings.Count(q, "?"))
		for i := range args {
			args[i] = "x"
		}
		rows, err := s.w.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notUsed int
			var detail string
			if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if p := strings.Join(plan, "; "); !strings.Contains(p, "SEARCH") || strings.Contains(p, "SCAN") || strings.Contains(p, "TEMP B-TREE") {
			t.Errorf("%s\n\tplan: %s", q, p)
		}
	}
}

// TestAccounts_SurviveReopen checks that the auth records are in the file,
// not only in a connection's cache.
func TestAccounts_SurviveReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "temaplan.db")
	s, err := Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	writeAccounts(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	checkAccounts(t, mustOpen(t, path))
}

// TestMigrate_AccountsOntoFirstSchema opens a database of schema version 1,
// as deployed before the auth tables: Open adds them and keeps the plans.
func TestMigrate_AccountsOntoFirstSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "temaplan.db")
	s, err := Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustCommit(t, s, op("d", 0, "a", 1))
	// Back to version 1: drop every table the later migrations made, and
	// their rows in schema_migrations.
	first, err := migrationFiles.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.w.QueryContext(t.Context(), `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'schema_migrations'`)
	if err != nil {
		t.Fatal(err)
	}
	var later []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`(?i)CREATE TABLE (IF NOT EXISTS )?` + regexp.QuoteMeta(name) + `\b`).Match(first) {
			later = append(later, name)
		}
	}
	rows.Close()
	if !slices.Contains(later, "accounts") {
		t.Fatalf("tables of later migrations %q lack accounts", later)
	}
	for _, name := range later {
		if _, err := s.w.ExecContext(t.Context(), `DROP TABLE `+name); err != nil {
			t.Fatalf("drop %s: %v", name, err)
		}
	}
	if _, err := s.w.ExecContext(t.Context(), `DELETE FROM schema_migrations WHERE version >= 2`); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = mustOpen(t, path)
	var version int
	if err := s.w.QueryRowContext(t.Context(), `SELECT max(version) FROM schema_migrations`).Scan(&version); err != nil || version < 2 {
		t.Fatalf("schema version after Open = %d, %v; want at least 2", version, err)
	}
	if got := logOf(t, s, "d"); len(got) != 1 {
		t.Errorf("log after the migration = %q, want the one op", got)
	}
	writeAccounts(t, s)
	checkAccounts(t, s)
}

// writeAccounts writes one record of each kind that checkAccounts checks.
func writeAccounts(t *testing.T, s *Store) {
	t.Helper()
	at := time.UnixMilli(1_700_000_000_000).UTC()
	for _, err := range []error{
		s.CreateMunicipality(t.Context(), auth.Municipality{ID: "m1", Name: "Moss", Created: at}),
		s.CreateAccount(t.Context(), auth.Account{ID: "anne", Email: "anne@x.no", Municipality: "m1", Admin: true, Created: at, Updated: at}),
		s.InsertRefreshToken(t.Context(), auth.RefreshToken{Hash: "h0", Family: "f", UserID: "anne", IssuedAt: at, ExpiresAt: at}),
		s.RevokeFamily(t.Context(), "f", at),
		s.AppendAudit(t.Context(), auth.AuditEvent{ID: "e1", Municipality: "m1", Actor: "anne", Action: "login", At: at}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// checkAccounts checks the records writeAccounts writes.
func checkAccounts(t *testing.T, s *Store) {
	t.Helper()
	at := time.UnixMilli(1_700_000_000_000).UTC()
	if m, ok, err := s.Municipality(t.Context(), "m1"); err != nil || !ok || m.Name != "Moss" {
		t.Errorf("Municipality = %+v, %v, %v", m, ok, err)
	}
	if a, ok, err := s.AccountByEmail(t.Context(), "anne@x.no"); err != nil || !ok || a.ID != "anne" || !a.Admin {
		t.Errorf("AccountByEmail = %+v, %v, %v", a, ok, err)
	}
	if tk, ok, err := s.RefreshSuccessor(t.Context(), "f", 0); err != nil || !ok || tk.Hash != "h0" {
		t.Errorf("RefreshSuccessor = %+v, %v, %v", tk, ok, err)
	}
	if got, ok, err := s.FamilyRevoked(t.Context(), "f"); err != nil || !ok || !got.Equal(at) {
		t.Errorf("FamilyRevoked = %v, %v, %v", got, ok, err)
	}
	if es, err := s.Audit(t.Context(), "m1", "", 0); err != nil || len(es) != 1 || es[0].ID != "e1" {
		t.Errorf("Audit = %+v, %v", es, err)
	}
}

// TestCommitOps_GroupRefusesOnlyTheDuplicate queues batches of several
// docs, and a snapshot, while the writer is busy, so that they are
// committed as one group: a batch refused by a key — in the middle of the
// group, and a batch whose second op is the duplicate — fails alone and
// leaves nothing behind; the batches before and after it in the group,
// and the snapshot, are committed. Plan log entries share the group and
// are decided by their own key in the same way.
func TestCommitOps_GroupRefusesOnlyTheDuplicate(t *testing.T) {
	s := mustOpenTemp(t)
	mustCommit(t, s, op("a", 0, "p", 1))
	mustCommit(t, s, op("b", 0, "p", 1), op("b", 1, "p", 2))
	entry := func(seq int64, kind string) collab.PlanEntry {
		return collab.PlanEntry{Plan: "plan", Seq: seq, Kind: kind, By: "anne", At: time.UnixMilli(1_700_000_000_000).UTC(), Data: json.RawMessage(`{}`)}
	}
	if err := s.AppendPlanEntry(t.Context(), entry(1, "created")); err != nil {
		t.Fatal(err)
	}
	var (
		mu     sync.Mutex
		groups [][]error
	)
	s.commit.observe = func(errs []error) {
		mu.Lock()
		groups = append(groups, slices.Clone(errs))
		mu.Unlock()
	}

	type want int
	const (
		committed want = iota
		refused
	)
	snap := collab.SnapshotRecord{Doc: "c", V: 3, Data: json.RawMessage(`{"ops":[{"insert":"012\n"}]}`), At: time.UnixMilli(1_700_000_000_000).UTC()}
	batches := []struct {
		name string
		ops  []collab.OpRecord
		want want
	}{
		{"a v1", []collab.OpRecord{op("a", 1, "x", 1)}, committed},
		{"snapshot c v3", nil, committed},
		{"plan entry 1 again", nil, refused},
		{"plan entry 2", nil, committed},
		{"a v0 again", []collab.OpRecord{op("a", 0, "x", 2)}, refused},
		{"c v0..2", []collab.OpRecord{op("c", 0, "x", 1), op("c", 1, "x", 2), op("c", 2, "x", 3)}, committed},
		{"b v2..3, v3 a resend of b v1", []collab.OpRecord{op("b", 2, "x", 1), op("b", 3, "p", 2)}, refused},
		{"d v0", []collab.OpRecord{op("d", 0, "x", 1)}, committed},
		{"d v0 by another", []collab.OpRecord{op("d", 0, "y", 1)}, refused},
		{"b v2 by another", []collab.OpRecord{op("b", 2, "y", 1)}, committed},
		{"a v2..3", []collab.OpRecord{op("a", 2, "x", 3), op("a", 3, "x", 4)}, committed},
	}

	// Hold the writer connection, so that the committer waits for it with
	// a first batch taken and the others queue behind it.
	ctx := t.Context()
	conn, err := s.w.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	queued := func() int { return len(s.commit.reqs) }
	waitQueued := func(n int) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for queued() != n {
			if time.Now().After(deadline) {
				t.Fatalf("%d batches queued, want %d", queued(), n)
			}
			time.Sleep(time.Millisecond)
		}
	}
	type result struct {
		n   int
		err error
	}
	results := make([]result, len(batches)+1)
	var wg sync.WaitGroup
	wg.Go(func() {
		n, err := s.CommitOps(ctx, []collab.OpRecord{op("e", 0, "x", 1)})
		results[len(batches)] = result{n, err}
	})
	// The committer has taken it once it waits for the writer connection.
	for deadline := time.Now().Add(5 * time.Second); s.w.Stats().WaitCount == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the committer does not wait for the writer")
		}
	}
	for i, b := range batches {
		wg.Go(func() {
			switch b.name {
			case "snapshot c v3":
				results[i] = result{0, s.SaveSnapshot(ctx, snap)}
				return
			case "plan entry 1 again":
				results[i] = result{0, s.AppendPlanEntry(ctx, entry(1, "commented"))}
				return
			case "plan entry 2":
				results[i] = result{0, s.AppendPlanEntry(ctx, entry(2, "commented"))}
				return
			}
			n, err := s.CommitOps(ctx, b.ops)
			results[i] = result{n, err}
		})
		waitQueued(i + 1) // one at a time, so the group keeps this order
	}
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()

	for i, b := range batches {
		r := results[i]
		switch b.want {
		case committed:
			if r.err != nil || r.n != len(b.ops) { // a snapshot or entry: 0, nil
				t.Errorf("%s: CommitOps = %d, %v; want %d, nil", b.name, r.n, r.err, len(b.ops))
			}
		case refused:
			if r.n != 0 || !errors.Is(r.err, collab.ErrDuplicate) {
				t.Errorf("%s: CommitOps = %d, %v; want 0, ErrDuplicate", b.name, r.n, r.err)
			}
		}
	}
	if r := results[len(batches)]; r.err != nil || r.n != 1 {
		t.Errorf("first batch: CommitOps = %d, %v; want 1, nil", r.n, r.err)
	}
	for doc, want := range map[string][]string{
		"a": {"v0:p/1", "v1:x/1", "v2:x/3", "v3:x/4"},
		"b": {"v0:p/1", "v1:p/2", "v2:y/1"},
		"c": {"v0:x/1", "v1:x/2", "v2:x/3"},
		"d": {"v0:x/1"},
		"e": {"v0:x/1"},
	} {
		if got := logOf(t, s, doc); !slices.Equal(got, want) {
			t.Errorf("log of %s = %q, want %q", doc, got, want)
		}
	}
	if es, err := s.PlanEntries(ctx, "plan", 0); err != nil || len(es) != 2 || es[0].Kind != "created" || es[1].Kind != "commented" {
		t.Errorf("plan entries = %v, %v; want created, commented", es, err)
	}
	if got, ok, err := s.LatestSnapshot(ctx, "c", -1); err != nil || !ok || got.V != 3 || string(got.Data) != string(snap.Data) {
		t.Errorf("LatestSnapshot(c) = v%d %s, %v, %v; want v3 %s", got.V, got.Data, ok, err, snap.Data)
	}
	// The batches and the snapshot were one group (one transaction, one
	// fsync).
	mu.Lock()
	defer mu.Unlock()
	if len(groups) != 2 || len(groups[1]) != len(batches) {
		sizes := make([]int, len(groups))
		for i, g := range groups {
			sizes[i] = len(g)
		}
		t.Errorf("groups of %v batches, want [1 %d]", sizes, len(batches))
	}
}

// TestCommitOps_ConcurrentDocsShareCommits lets writers of many docs
// commit at once, several racing for each version: every version has one
// winner, every loser is told ErrDuplicate, and the commits of different
// docs share transactions.
func TestCommitOps_ConcurrentDocsShareCommits(t *testing.T) {
	s := mustOpenTemp(t)
	var groups, batches atomic.Int64
	s.commit.observe = func(errs []error) {
		groups.Add(1)
		batches.Add(int64(len(errs)))
	}
	const (
		docs    = 16
		writers = 3
		rounds  = 20
	)
	var wg sync.WaitGroup
	errs := make(chan error, docs*writers)
	for d := range docs {
		doc := fmt.Sprintf("doc-%d", d)
		for w := range writers {
			wg.Go(func() {
				src := fmt.Sprintf("w%d", w)
				for v := range int64(rounds) {
					// Each writer tries every version until one is its.
					n, err := s.CommitOps(t.Context(), []collab.OpRecord{op(doc, v, src, v+1)})
					if err != nil && !errors.Is(err, collab.ErrDuplicate) {
						errs <- fmt.Errorf("%s v%d by %s: %w", doc, v, src, err)
						return
					}
					if err == nil && n != 1 {
						errs <- fmt.Errorf("%s v%d by %s: %d committed", doc, v, src, n)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for d := range docs {
		doc := fmt.Sprintf("doc-%d", d)
		got := logOf(t, s, doc)
		if len(got) != rounds {
			t.Errorf("log of %s has %d ops, want %d: %q", doc, len(got), rounds, got)
		}
	}
	if g, b := groups.Load(), batches.Load(); g >= b {
		t.Errorf("%d batches in %d transactions: no group had more than one", b, g)
	} else {
		t.Logf("%d batches in %d transactions", b, g)
	}
}

// TestCommitOps_CloseWhileCommitting closes the store while writers of
// many docs commit: every commit that was answered nil is in the file
// when it is opened again, and every one refused because the store closed
// is not.
func TestCommitOps_CloseWhileCommitting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "temaplan.db")
	s, err := Open(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	const docs = 8
	var (
		mu        sync.Mutex
		committed = map[string]bool{}
		refused   = map[string]bool{}
		wg        sync.WaitGroup
		started   atomic.Int64
	)
	for d := range docs {
		doc := fmt.Sprintf("doc-%d", d)
		wg.Go(func() {
			for v := int64(0); ; v++ {
				started.Add(1)
				_, err := s.CommitOps(context.Background(), []collab.OpRecord{op(doc, v, "w", v+1)})
				key := fmt.Sprintf("%s v%d", doc, v)
				mu.Lock()
				switch {
				case err == nil:
					committed[key] = true
				case errors.Is(err, errStoreClosed):
					refused[key] = true
				default:
					t.Errorf("%s: %v", key, err)
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	for deadline := time.Now().Add(5 * time.Second); started.Load() < 200; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the writers do not get going")
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if len(refused) != docs {
		t.Errorf("%d writers were told the store closed, want %d", len(refused), docs)
	}
	s = mustOpen(t, path)
	for d := range docs {
		doc := fmt.Sprintf("doc-%d", d)
		ops, err := s.Ops(t.Context(), doc, 0, -1)
		if err != nil {
			t.Fatal(err)
		}
		for i, o := range ops {
			key := fmt.Sprintf("%s v%d", doc, o.V)
			if o.V != int64(i) || !committed[key] {
				t.Errorf("%s is in the file but was not acknowledged (or out of place at %d)", key, i)
			}
			delete(committed, key)
		}
	}
	for key := range committed {
		t.Errorf("%s was acknowledged but is not in the file", key)
	}
}
