package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/client"
	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/delta"
	"github.com/temaplan/temaplan/collab/sqlite"
)

// ackedEdit is one edit a drill author typed and saw acknowledged: a
// token inserted into doc, and the document's version once it was in.
type ackedEdit struct {
	doc, token string
	v          int64
	at         time.Time
}

// author types into one document of a node in a closed loop: it inserts a
// unique token ([id.n]) at the start or right after another token, so no
// token is ever split, waits for the ack and records it.
type author struct {
	id, doc string
	c       *client.Client
}

func (a *author) run(ctx context.Context, record func(ackedEdit)) error {
	for n := 1; ctx.Err() == nil; n++ {
		token := fmt.Sprintf("[%s.%d]", a.id, n)
		err := a.c.EditWith(a.doc, func(text delta.Delta) delta.Delta {
			bounds := tokenEnds(text)
			var d delta.Delta
			if pos := bounds[n%len(bounds)]; pos > 0 {
				d.Retain(pos, nil)
			}
			d.Insert(token, nil)
			return d
		})
		if err != nil {
			return err
		}
		if err := a.c.WaitVersion(ctx, a.doc, 0); err != nil {
			return nil // stopped with the edit in flight: not acknowledged
		}
		_, v := a.c.Content(a.doc)
		record(ackedEdit{doc: a.doc, token: token, v: v, at: time.Now()})
	}
	return nil
}

// tokenEnds returns 0 and the UTF-16 offset after every ']' of text: the
// places where an insert splits no token.
func tokenEnds(text delta.Delta) []int {
	out := []int{0}
	pos := 0
	for _, op := range text.Ops {
		if op.InsertEmbed != nil {
			pos++
			continue
		}
		for _, r := range op.Insert {
			pos += len(utf16.Encode([]rune{r}))
			if r == ']' {
				out = append(out, pos)
			}
		}
	}
	return out
}

// sectionIDs returns the ids of the top-level sections of the plan id as
// the user of token sees it on n.
func (n *node) sectionIDs(token, id string) []string {
	n.t.Helper()
	var p struct {
		Sections []struct {
			ID string `json:"id"`
		} `json:"sections"`
	}
	doJSON(n.t, "GET", n.url("/api/plans/"+id), token, "", 200, &p)
	var ids []string
	for _, s := range p.Sections {
		ids = append(ids, s.ID)
	}
	return ids
}

// content returns the text and version of a section as n serves it.
func (n *node) content(token, plan, section string) (string, int64) {
	n.t.Helper()
	var out struct {
		V    int64       `json:"v"`
		Data delta.Delta `json:"data"`
	}
	doJSON(n.t, "GET", n.url("/api/plans/"+plan+"/sections/"+section+"/content"), token, "", 200, &out)
	var b strings.Builder
	for _, op := range out.Data.Ops {
		b.WriteString(op.Insert)
	}
	return b.String(), out.V
}

// dial connects a Go client to n's WebSocket as the user of token.
func (n *node) dial(ctx context.Context, id, token string) *client.Client {
	n.t.Helper()
	c, err := client.Dial(ctx, client.Options{URL: "ws://" + n.addr + "/api/ws", ClientID: id, Token: func() string { return token }})
	if err != nil {
		n.t.Fatal(err)
	}
	n.t.Cleanup(func() { c.Close() })
	return c
}

// runCommand runs the binary with args and env to its end and returns its exit
// code and output.
func runCommand(t *testing.T, env map[string]string, args ...string) (int, string) {
	t.Helper()
	n := startNode(t, env, args...)
	code := n.wait(60 * time.Second)
	return code, n.out.String()
}

// TestProcess_BackupRestoreDrill is the drill of deploy/OPERATIONS.md with
// the real binary: authors type into three sections of the demo plan in a
// closed loop; `temaplan backup` runs while they type, and they go on
// typing after it; `temaplan restore` puts the backup in a fresh data
// directory and a fresh node (without -demo) starts on it. Every edit
// acknowledged before the backup started must be in the restored node's
// text, at a version at least as high; each restored log is a prefix of
// the original node's; and the restored node serves the plan and accepts
// new edits.
func TestProcess_BackupRestoreDrill(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	env := map[string]string{"TEMAPLAN_DATA": data, "TEMAPLAN_ADDR": "127.0.0.1:0"}
	a := startNode(t, env, "-demo")
	a.waitReady(30 * time.Second)
	leader := a.login("leader@demo.no", "demo")
	docs := a.sectionIDs(leader.AccessToken, wantDemoPlanID)[:3]

	// Two authors per section, in tabs of their own.
	ctx, stopTyping := context.WithCancel(t.Context())
	defer stopTyping()
	var (
		mu    sync.Mutex
		acked []ackedEdit
		wg    sync.WaitGroup
	)
	record := func(e ackedEdit) {
		mu.Lock()
		acked = append(acked, e)
		mu.Unlock()
	}
	ackedCount := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(acked)
	}
	waitAcked := func(n int) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for ackedCount() < n {
			if time.Now().After(deadline) {
				t.Fatalf("only %d edits acknowledged after 60 s, want %d", ackedCount(), n)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	for i := range 2 * len(docs) {
		au := &author{id: fmt.Sprintf("a%d", i+1), doc: docs[i%len(docs)]}
		au.c = a.dial(t.Context(), au.id, leader.AccessToken)
		if err := au.c.Open(t.Context(), wantDemoPlanID, au.doc); err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			if err := au.run(ctx, record); err != nil {
				t.Errorf("author %s: %v", au.id, err)
			}
		})
	}
	waitAcked(300)

	// The backup, while the authors type.
	backup := filepath.Join(dir, "backups", "temaplan.db")
	if err := os.Mkdir(filepath.Dir(backup), 0o700); err != nil {
		t.Fatal(err)
	}
	ackedAtStart := ackedCount() // all acknowledged before backupStart
	backupStart := time.Now()
	code, out := runCommand(t, map[string]string{"TEMAPLAN_DATA": data}, "backup", "-out", backup)
	backupEnd := time.Now()
	ackedAtEnd := ackedCount()
	if code != 0 {
		t.Fatalf("backup: exit code %d:\n%s", code, out)
	}
	t.Logf("backup output:\n%s", out)
	for _, want := range []string{"backup written: " + backup, "integrity check ok", "ops in 3 documents", "not in the backup: the JWT secret"} {
		if !strings.Contains(out, want) {
			t.Errorf("the backup's output lacks %q", want)
		}
	}
	// The authors go on typing after the backup.
	waitAcked(ackedAtEnd + 100)
	stopTyping()
	wg.Wait()

	info, err := sqlite.Inspect(t.Context(), backup)
	if err != nil {
		t.Fatal(err)
	}

	// Restore into a fresh data directory and start a fresh node on it,
	// while the original node still serves.
	restored := filepath.Join(dir, "restored")
	code, out = runCommand(t, map[string]string{"TEMAPLAN_DATA": restored}, "restore", "-from", backup)
	if code != 0 {
		t.Fatalf("restore: exit code %d:\n%s", code, out)
	}
	t.Logf("restore output:\n%s", out)
	b := startNode(t, map[string]string{"TEMAPLAN_DATA": restored, "TEMAPLAN_ADDR": "127.0.0.1:0"})
	b.waitReady(30 * time.Second)
	bLeader := b.login("leader@demo.no", "demo") // the accounts came with the backup
	if list := b.plans(bLeader.AccessToken); len(list) != 1 || list[0].ID != wantDemoPlanID || list[0].Title != wantDemoPlanTitle {
		t.Errorf("the restored node lists %+v, want the demo plan", list)
	}

	mu.Lock()
	edits := slices.Clone(acked)
	mu.Unlock()
	var before, during, after, duringIn int
	for _, doc := range docs {
		text, v := b.content(bLeader.AccessToken, wantDemoPlanID, doc)
		if v != info.Heads[doc] {
			t.Errorf("%s: the restored node serves version %d, the backup's head is %d", doc, v, info.Heads[doc])
		}
		for _, e := range edits {
			if e.doc != doc {
				continue
			}
			in := strings.Contains(text, e.token)
			switch {
			case e.at.Before(backupStart):
				before++
				if !in {
					t.Errorf("%s: %s, acknowledged at v%d before the backup started, is not in the restored text", doc, e.token, e.v)
				}
				if e.v > v {
					t.Errorf("%s: %s was acknowledged at v%d before the backup, the restored node is at v%d", doc, e.token, e.v, v)
				}
			case e.at.Before(backupEnd):
				during++
				if in {
					duringIn++
				}
			default:
				after++
			}
		}
	}
	if before < ackedAtStart || after == 0 {
		t.Errorf("%d edits acknowledged before the backup (at least %d counted at its start), %d after it; want some of both", before, ackedAtStart, after)
	}
	t.Logf("edits acknowledged: %d before the backup, %d while it ran (%d of them in it), %d after; the backup took %s and holds %d ops",
		before, during, duringIn, after, backupEnd.Sub(backupStart).Round(time.Millisecond), info.Ops)

	// The restored node accepts edits.
	c := b.dial(t.Context(), "after-restore", bLeader.AccessToken)
	if err := c.Open(t.Context(), wantDemoPlanID, docs[0]); err != nil {
		t.Fatal(err)
	}
	if err := c.Edit(docs[0], *new(delta.Delta).Insert("[after-restore]", nil)); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	if err := c.WaitVersion(wctx, docs[0], info.Heads[docs[0]]+1); err != nil {
		t.Fatalf("the edit on the restored node was not acknowledged: %v", err)
	}
	if text, v := b.content(bLeader.AccessToken, wantDemoPlanID, docs[0]); !strings.HasPrefix(text, "[after-restore]") || v != info.Heads[docs[0]]+1 {
		t.Errorf("after an edit the restored node serves v%d %.40q…, want v%d starting with the edit", v, text, info.Heads[docs[0]]+1)
	}

	for name, n := range map[string]*node{"original": a, "restored": b} {
		if code := n.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
			t.Errorf("the %s node: exit code %d after SIGTERM", name, code)
		}
	}
	// Op for op, the restored log is the original's up to the backup's
	// head: one consistent state of every document.
	orig := openStore(t, filepath.Join(data, dbFileName))
	rest := openStore(t, filepath.Join(restored, dbFileName))
	for _, doc := range docs {
		want, err := orig.Ops(t.Context(), doc, 0, info.Heads[doc])
		if err != nil {
			t.Fatal(err)
		}
		got, err := rest.Ops(t.Context(), doc, 0, info.Heads[doc])
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) || int64(len(got)) != info.Heads[doc] {
			t.Errorf("%s: the restored log holds %d ops below the backup's head %d, the original %d", doc, len(got), info.Heads[doc], len(want))
			continue
		}
		for i := range got {
			if !sameOp(got[i], want[i]) {
				t.Errorf("%s: op v%d differs: restored %s#%d, original %s#%d", doc, i, got[i].Src, got[i].Seq, want[i].Src, want[i].Seq)
				break
			}
		}
	}
}

func sameOp(a, b collab.OpRecord) bool {
	return a.V == b.V && a.Src == b.Src && a.Seq == b.Seq && a.By == b.By && a.At.Equal(b.At) && string(a.Op) == string(b.Op)
}

// openStore opens the SQLite store at path, once its node has stopped.
func openStore(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestProcess_RestoreRefuses checks the refusals of `temaplan restore`
// and `temaplan backup` and their exit codes: 1 for a refused file or
// directory, 2 for a usage or configuration error; a refused restore
// leaves the data directory as it was.
func TestProcess_RestoreRefuses(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	n := startNode(t, map[string]string{"TEMAPLAN_DATA": data, "TEMAPLAN_ADDR": "127.0.0.1:0"}, "-demo")
	n.waitReady(30 * time.Second)
	good := filepath.Join(dir, "good.db")
	if code, out := runCommand(t, map[string]string{"TEMAPLAN_DATA": data}, "backup", "-out", good); code != 0 {
		t.Fatalf("backup: exit code %d:\n%s", code, out)
	}
	n.stop(syscall.SIGTERM, 15*time.Second)

	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("this is not a database\n", 200)), 0o600); err != nil {
		t.Fatal(err)
	}
	// A backup of a newer Temaplan: one more migration than this one knows.
	newer := filepath.Join(dir, "newer.db")
	b, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(newer, b, 0o600); err != nil {
		t.Fatal(err)
	}
	next := sqlite.SchemaVersion() + 1
	db, err := sql.Open("sqlite", (&url.URL{Scheme: "file", Path: newer}).String())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, 0)`, next, fmt.Sprintf("%04d_future.sql", next)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "notes.txt"), []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		code int
		want []string // in the output
		// dir must be as it was before (nil: absent).
		dir      string
		dirNames []string
	}{
		{"NonEmptyDirectory", nil, []string{"restore", "-from", good, "-data", full}, 1,
			[]string{"the data directory " + full + " is not empty", "notes.txt"}, full, []string{"notes.txt"}},
		{"Garbage", nil, []string{"restore", "-from", garbage, "-data", filepath.Join(dir, "r1")}, 1,
			[]string{"cannot be restored", "not a Temaplan database: not an SQLite database file"}, filepath.Join(dir, "r1"), nil},
		{"NewerSchema", nil, []string{"restore", "-from", newer, "-data", filepath.Join(dir, "r2")}, 1,
			[]string{"was written by a newer Temaplan than this one", fmt.Sprintf("the backup has schema version %d, this program knows up to %d", next, next-1)},
			filepath.Join(dir, "r2"), nil},
		{"MissingFile", nil, []string{"restore", "-from", filepath.Join(dir, "nope.db"), "-data", filepath.Join(dir, "r3")}, 1,
			[]string{"no such file"}, filepath.Join(dir, "r3"), nil},
		{"NoFrom", nil, []string{"restore", "-data", filepath.Join(dir, "r4")}, 2, []string{"Usage: temaplan restore"}, filepath.Join(dir, "r4"), nil},
		{"RestoreWithMongoDB", map[string]string{"MONGODB_URI": "mongodb://db:27017/?replicaSet=rs0"},
			[]string{"restore", "-from", good, "-data", filepath.Join(dir, "r5")}, 2,
			[]string{"MONGODB_URI is set", "mongorestore", "deploy/OPERATIONS.md"}, filepath.Join(dir, "r5"), nil},
		{"BackupWithMongoDB", map[string]string{"MONGODB_URI_FILE": "/run/secrets/mongo", "TEMAPLAN_DATA": data},
			[]string{"backup", "-out", filepath.Join(dir, "m.db")}, 2, []string{"MONGODB_URI_FILE is set", "mongodump", "deploy/OPERATIONS.md"}, "", nil},
		{"BackupOverExisting", map[string]string{"TEMAPLAN_DATA": data}, []string{"backup", "-out", garbage}, 1,
			[]string{"a backup never overwrites a file"}, "", nil},
		{"BackupWithoutDatabase", map[string]string{"TEMAPLAN_DATA": filepath.Join(dir, "empty")}, []string{"backup", "-out", filepath.Join(dir, "e.db")}, 1,
			[]string{"no database at " + filepath.Join(dir, "empty", dbFileName)}, filepath.Join(dir, "empty"), nil},
		{"BackupNoOut", map[string]string{"TEMAPLAN_DATA": data}, []string{"backup"}, 2, []string{"Usage: temaplan backup"}, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out := runCommand(t, tc.env, tc.args...)
			if code != tc.code {
				t.Errorf("exit code %d, want %d:\n%s", code, tc.code, out)
			}
			for _, want := range tc.want {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			if tc.dir != "" {
				entries, err := os.ReadDir(tc.dir)
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				if tc.dirNames == nil && !os.IsNotExist(err) {
					t.Errorf("%s exists after the refusal (holding %q)", tc.dir, names)
				} else if tc.dirNames != nil && !slices.Equal(names, tc.dirNames) {
					t.Errorf("%s holds %q after the refusal, want %q", tc.dir, names, tc.dirNames)
				}
			}
		})
	}
	for _, p := range []string{garbage, filepath.Join(dir, "m.db"), filepath.Join(dir, "e.db")} {
		if p == garbage {
			if b, _ := os.ReadFile(p); !strings.HasPrefix(string(b), "this is not a database") {
				t.Errorf("%s was overwritten", p)
			}
		} else if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("a refused backup wrote %s", p)
		}
	}
}

// TestOperations_DocumentsBackups checks that deploy/OPERATIONS.md has
// what the commands point operators to.
func TestOperations_DocumentsBackups(t *testing.T) {
	b, err := os.ReadFile("../../deploy/OPERATIONS.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"temaplan backup -out", "temaplan restore -from", "Backups of MongoDB", "mongodump", "mongorestore",
		"--oplogReplay", auth.SecretFileName} {
		if !strings.Contains(string(b), want) {
			t.Errorf("deploy/OPERATIONS.md does not mention %q", want)
		}
	}
}
