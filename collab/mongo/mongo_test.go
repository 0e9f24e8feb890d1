package mongo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/mongo/mongotest"
	"github.com/temaplan/temaplan/collab/storetest"
	"github.com/temaplan/temaplan/export"
	"github.com/temaplan/temaplan/mail"
)

// srv is the server every test of the package uses, each in a database of
// its own. TestMain starts it once: starting FerretDB takes seconds.
var srv *mongotest.Server

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	s, err := mongotest.Start(ctx)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	srv = s
	defer func() {
		if err := s.Close(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}()
	return m.Run()
}

// mustOpen opens the store on database db and closes it when the test ends.
func mustOpen(tb testing.TB, db string) *Store {
	tb.Helper()
	s, err := Open(context.Background(), srv.URI(), db, nil)
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

// mustOpenNew opens the store on a new database of its own.
func mustOpenNew(tb testing.TB) *Store {
	tb.Helper()
	return mustOpen(tb, mongotest.DB(tb, srv))
}

func TestStore_Contract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) collab.Store { return mustOpenNew(t) })
}

func TestStore_AccountsContract(t *testing.T) {
	storetest.RunAccounts(t, func(t *testing.T) auth.Store { return mustOpenNew(t) })
}

func TestStore_MailContract(t *testing.T) {
	storetest.RunMail(t, func(t *testing.T) mail.Store { return mustOpenNew(t) })
}

func TestStore_SSOContract(t *testing.T) {
	storetest.RunSSO(t, func(t *testing.T) auth.SSOStore { return mustOpenNew(t) })
}

func TestStore_HearingContract(t *testing.T) {
	storetest.RunHearing(t, func(t *testing.T) collab.HearingStore { return mustOpenNew(t) })
}

func TestStore_ExportsContract(t *testing.T) {
	storetest.RunExports(t, func(t *testing.T) export.Store { return mustOpenNew(t) })
}

func op(doc string, v int64, src string, seq int64) collab.OpRecord {
	return collab.OpRecord{Doc: doc, V: v, Src: src, Seq: seq, By: "anne",
		At: time.UnixMilli(1_700_000_000_000 + v).UTC(), Op: json.RawMessage(fmt.Sprintf(`[{"insert":"%d"}]`, v))}
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

// indexesOf returns the indexes of a collection as "name key unique".
func indexesOf(t *testing.T, s *Store, coll string) []string {
	t.Helper()
	cur, err := s.ops.Database().Collection(coll).Indexes().List(t.Context())
	if err != nil {
		t.Fatalf("list indexes of %s: %v", coll, err)
	}
	var specs []struct {
		Name   string `bson:"name"`
		Key    bson.D `bson:"key"`
		Unique bool   `bson:"unique"`
	}
	if err := cur.All(t.Context(), &specs); err != nil {
		t.Fatalf("list indexes of %s: %v", coll, err)
	}
	var out []string
	for _, sp := range specs {
		keys := make([]string, len(sp.Key))
		for i, k := range sp.Key {
			keys[i] = fmt.Sprintf("%s:%v", k.Key, k.Value)
		}
		out = append(out, fmt.Sprintf("%s (%s) unique=%v", sp.Name, strings.Join(keys, ","), sp.Unique))
	}
	slices.Sort(out)
	return out
}

// TestOpen_IndexesIdempotent opens the store twice on one database, as two
// nodes starting would: the second Open finds the indexes and leaves them.
func TestOpen_IndexesIdempotent(t *testing.T) {
	db := mongotest.DB(t, srv)
	first := mustOpen(t, db)
	want := map[string][]string{
		collOps: {
			"_id_ (_id:1) unique=false",
			"doc_src_seq (doc:1,src:1,seq:1) unique=true",
			"doc_v (doc:1,v:1) unique=true",
		},
		collSnapshots:   {"_id_ (_id:1) unique=false", "doc_v (doc:1,v:1) unique=true"},
		collPlanEntries: {"_id_ (_id:1) unique=false", "plan_seq (plan:1,seq:1) unique=true"},
		collPlanStates:  {"_id_ (_id:1) unique=false", "municipality_id (municipality:1,_id:1) unique=false"},
	}
	check := func(s *Store) {
		t.Helper()
		for coll, w := range want {
			if got := indexesOf(t, s, coll); !slices.Equal(got, w) {
				t.Errorf("indexes of %s:\n got %q\nwant %q", coll, got, w)
			}
		}
	}
	check(first)
	if n, err := first.CommitOps(t.Context(), []collab.OpRecord{op("d", 0, "tab", 1)}); n != 1 || err != nil {
		t.Fatalf("CommitOps = %d, %v", n, err)
	}

	second := mustOpen(t, db)
	check(second)
	if got := logOf(t, second, "d"); !slices.Equal(got, []string{"v0:tab/1"}) {
		t.Errorf("log seen by the second store = %q", got)
	}
	// The unique keys still refuse through the second store.
	if _, err := second.CommitOps(t.Context(), []collab.OpRecord{op("d", 1, "tab", 1)}); !errors.Is(err, collab.ErrDuplicate) {
		t.Errorf("CommitOps of a committed (src, seq) through the second store = %v, want ErrDuplicate", err)
	}
}

// TestCommitOps_CommitsPrefix checks the MongoDB store's own semantics of a
// batch that hits a unique key: exactly the ops before the refused one are
// committed (SQLite commits none; the contract allows both).
func TestCommitOps_CommitsPrefix(t *testing.T) {
	s := mustOpenNew(t)
	for _, tc := range []struct {
		name    string
		log     []collab.OpRecord // committed first, one by one
		batch   []collab.OpRecord
		want    int
		wantLog []string
	}{
		{
			name:    "VersionTaken",
			log:     []collab.OpRecord{op("a", 0, "t1", 1), op("a", 3, "t3", 1)},
			batch:   []collab.OpRecord{op("a", 1, "t2", 1), op("a", 2, "t2", 2), op("a", 3, "t2", 3), op("a", 4, "t2", 4)},
			want:    2,
			wantLog: []string{"v0:t1/1", "v1:t2/1", "v2:t2/2", "v3:t3/1"},
		},
		{
			name:    "SourceTaken",
			log:     []collab.OpRecord{op("b", 0, "t1", 1)},
			batch:   []collab.OpRecord{op("b", 1, "t2", 1), op("b", 2, "t1", 1), op("b", 3, "t2", 2)},
			want:    1,
			wantLog: []string{"v0:t1/1", "v1:t2/1"},
		},
		{
			name:    "FirstRefused",
			log:     []collab.OpRecord{op("c", 0, "t1", 1)},
			batch:   []collab.OpRecord{op("c", 0, "t2", 1), op("c", 1, "t2", 2)},
			want:    0,
			wantLog: []string{"v0:t1/1"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, o := range tc.log {
				if n, err := s.CommitOps(t.Context(), []collab.OpRecord{o}); n != 1 || err != nil {
					t.Fatalf("CommitOps(v%d) = %d, %v", o.V, n, err)
				}
			}
			n, err := s.CommitOps(t.Context(), tc.batch)
			if n != tc.want || !errors.Is(err, collab.ErrDuplicate) {
				t.Errorf("CommitOps = %d, %v; want %d, ErrDuplicate", n, err, tc.want)
			}
			if got := logOf(t, s, tc.batch[0].Doc); !slices.Equal(got, tc.wantLog) {
				t.Errorf("log = %q, want %q", got, tc.wantLog)
			}
		})
	}
}

func TestCommitOps_RefusesMalformedBatch(t *testing.T) {
	s := mustOpenNew(t)
	bad := op("x", 1, "t", 2)
	bad.Op = json.RawMessage(`[{"insert":`)
	for name, batch := range map[string][]collab.OpRecord{
		"Gap":         {op("x", 0, "t", 1), op("x", 2, "t", 2)},
		"OtherDoc":    {op("x", 0, "t", 1), op("y", 1, "t", 2)},
		"Negative":    {op("x", -1, "t", 1)},
		"InvalidJSON": {op("x", 0, "t", 1), bad},
	} {
		if n, err := s.CommitOps(t.Context(), batch); n != 0 || err == nil || errors.Is(err, collab.ErrDuplicate) {
			t.Errorf("%s: CommitOps = %d, %v; want 0 and an error", name, n, err)
		}
	}
	if got := logOf(t, s, "x"); len(got) != 0 {
		t.Errorf("log after refused batches = %q, want empty", got)
	}
}

// TestStore_Durability checks on the wire that writes ask for
// {w: "majority", j: true} and reads for read concern "majority".
func TestStore_Durability(t *testing.T) {
	var mu sync.Mutex
	var cmds []bson.Raw
	monitor := &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		mu.Lock()
		defer mu.Unlock()
		cmds = append(cmds, slices.Clone(e.Command))
	}}
	s, err := open(t.Context(), srv.URI(), mongotest.DB(t, srv), nil, options.Client().SetMonitor(monitor))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer s.Close()

	ctx := t.Context()
	if _, err := s.CommitOps(ctx, []collab.OpRecord{op("d", 0, "t", 1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Ops(ctx, "d", 0, -1); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSnapshot(ctx, collab.SnapshotRecord{Doc: "d", V: 1, Data: json.RawMessage(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendPlanEntry(ctx, collab.PlanEntry{Plan: "p", Seq: 1, Kind: "created"}); err != nil {
		t.Fatal(err)
	}
	for _, seq := range []int64{1, 2} { // an insert, then an update
		if err := s.SavePlanState(ctx, collab.PlanStateRecord{Plan: "p", Seq: seq}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := s.PlanState(ctx, "p"); err != nil {
		t.Fatal(err)
	}

	mu.Lock()
	defer mu.Unlock()
	seen := map[string]int{}
	for _, c := range cmds {
		name := c.Index(0).Key()
		switch name {
		case "insert", "update":
			seen[name]++
			var wc struct {
				W any  `bson:"w"`
				J bool `bson:"j"`
			}
			if v, err := c.LookupErr("writeConcern"); err != nil || v.Unmarshal(&wc) != nil || wc.W != "majority" || !wc.J {
				t.Errorf("%s sent writeConcern %v, want {w: majority, j: true}", name, v)
			}
		case "find":
			seen[name]++
			if v, err := c.LookupErr("readConcern", "level"); err != nil || v.Type != bson.TypeString || v.StringValue() != "majority" {
				t.Errorf("find sent readConcern level %v, want majority", v)
			}
		}
	}
	if seen["insert"] < 4 || seen["update"] < 2 || seen["find"] < 2 {
		t.Errorf("commands seen: %v; want inserts, updates and finds", seen)
	}
}

func TestDescribe_StripsCredentials(t *testing.T) {
	s := mustOpenNew(t)
	host := strings.TrimSuffix(strings.TrimPrefix(srv.URI(), "mongodb://"), "/")
	if want := "mongodb " + host + "/" + s.ops.Database().Name(); s.Describe() != want {
		t.Errorf("Describe = %q, want %q", s.Describe(), want)
	}

	for _, tc := range []struct {
		uri, hosts, db string
	}{
		{"mongodb://localhost:27017", "localhost:27017", ""},
		{"mongodb://localhost:27017/", "localhost:27017", ""},
		{"mongodb://anne:s3cret@mongo:27017/temaplan", "mongo:27017", "temaplan"},
		{"mongodb://anne:p%40ss@mongo:27017/temaplan?authSource=admin&w=1", "mongo:27017", "temaplan"},
		{"mongodb://anne:p@ss@mongo:27017/temaplan", "mongo:27017", "temaplan"}, // unescaped @ in the password
		{"mongodb://a:pw@m1:27017,m2:27017,m3:27017/tp?replicaSet=rs0", "m1:27017,m2:27017,m3:27017", "tp"},
		{"mongodb+srv://u:pw@cluster0.example.net/tp?retryWrites=true", "cluster0.example.net", "tp"},
		{"mongodb://mongo?tls=true&tlsCertificateKeyFilePassword=secret", "mongo", ""},
	} {
		hosts, db, err := parseURI(tc.uri)
		if err != nil || hosts != tc.hosts || db != tc.db {
			t.Errorf("parseURI(%q) = %q, %q, %v; want %q, %q", tc.uri, hosts, db, err, tc.hosts, tc.db)
		}
	}
	for _, uri := range []string{"", "localhost:27017", "postgres://u:pw@h/db", "mongodb://u:pw@/db", "mongodb:///db"} {
		if _, _, err := parseURI(uri); err == nil {
			t.Errorf("parseURI(%q) = nil error, want one", uri)
		} else if strings.Contains(err.Error(), "pw") {
			t.Errorf("parseURI(%q) error shows the password: %v", uri, err)
		}
	}
}

func TestOpen_Errors(t *testing.T) {
	for _, tc := range []struct{ uri, db string }{
		{"postgres://anne:s3cret@localhost/db", "tp"},
		{strings.TrimSuffix(srv.URI(), "/"), ""}, // no database anywhere
	} {
		s, err := Open(t.Context(), tc.uri, tc.db, nil)
		if err == nil {
			_ = s.Close()
			t.Errorf("Open(%q, %q) = nil error, want one", tc.uri, tc.db)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Open error shows the password: %v", err)
		}
	}
}

// TestOpen_AccountCollections checks that Open creates the collections and
// indexes of auth.Store, and that a second Open on the same database (a
// second node starting) finds them and leaves them.
func TestOpen_AccountCollections(t *testing.T) {
	db := mongotest.DB(t, srv)
	want := map[string][]string{
		collMunicipalities: {"_id_ (_id:1) unique=false"},
		collAccountEmails:  {"_id_ (_id:1) unique=false"},
		collAccounts: {
			"_id_ (_id:1) unique=false",
			"municipality_email (municipality:1,email:1) unique=false",
		},
		collRefreshGens: {"_id_ (_id:1) unique=false", "family_gen (family:1,gen:1) unique=true"},
		// user_family: the mail store revokes every session of a person
		// whose password a link reset.
		collRefreshTokens:   {"_id_ (_id:1) unique=false", "user_family (user:1,family:1) unique=false"},
		collRevokedFamilies: {"_id_ (_id:1) unique=false"},
		collAudit: {
			"_id_ (_id:1) unique=false",
			"municipality_at_id (municipality:1,at:1,_id:1) unique=false",
			"municipality_plan_at_id (municipality:1,plan:1,at:1,_id:1) unique=false",
		},
	}
	for range 2 {
		s := mustOpen(t, db)
		names, err := s.ops.Database().ListCollectionNames(t.Context(), bson.D{})
		if err != nil {
			t.Fatalf("ListCollectionNames: %v", err)
		}
		for coll, w := range want {
			if !slices.Contains(names, coll) {
				t.Errorf("collection %s was not created (have %q)", coll, names)
				continue
			}
			if got := indexesOf(t, s, coll); !slices.Equal(got, w) {
				t.Errorf("indexes of %s:\n got %q\nwant %q", coll, got, w)
			}
		}
	}
}

// TestAccounts_OrphanClaims checks the reads through a claim whose record
// is missing or carries another key, as a node that died between the claim
// and the record's insert leaves them: they find nothing, and the claimed
// key stays taken.
func TestAccounts_OrphanClaims(t *testing.T) {
	s := mustOpenNew(t)
	ctx := t.Context()
	anne := auth.Account{ID: "anne", Email: "anne@x.no", Municipality: "m1", Created: time.UnixMilli(1).UTC(), Updated: time.UnixMilli(2).UTC()}
	if err := s.CreateAccount(ctx, anne); err != nil {
		t.Fatal(err)
	}
	t0 := auth.RefreshToken{Hash: "h0", Family: "f", Gen: 0, UserID: "anne"}
	if err := s.InsertRefreshToken(ctx, t0); err != nil {
		t.Fatal(err)
	}
	for _, c := range []emailClaimDoc{{Email: "ghost@x.no", Account: "nobody"}, {Email: "stale@x.no", Account: "anne"}} {
		if _, err := s.accountEmails.InsertOne(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []refreshGenDoc{
		{ID: genKey{"f", 1}, Family: "f", Gen: 1, Hash: "missing"},
		{ID: genKey{"f", 2}, Family: "f", Gen: 2, Hash: "h0"}, // the token of gen 0
	} {
		if _, err := s.refreshGens.InsertOne(ctx, c); err != nil {
			t.Fatal(err)
		}
	}

	for _, email := range []string{"ghost@x.no", "stale@x.no"} {
		if a, ok, err := s.AccountByEmail(ctx, email); err != nil || ok {
			t.Errorf("AccountByEmail(%q) = %q, %v, %v; want not found, nil", email, a.ID, ok, err)
		}
		if err := s.CreateAccount(ctx, auth.Account{ID: "new-" + email, Email: email}); !errors.Is(err, collab.ErrDuplicate) {
			t.Errorf("CreateAccount with the claimed %q = %v, want ErrDuplicate", email, err)
		}
	}
	if a, ok, err := s.AccountByEmail(ctx, "anne@x.no"); err != nil || !ok || a.ID != "anne" {
		t.Errorf("AccountByEmail(anne@x.no) = %q, %v, %v; want anne", a.ID, ok, err)
	}
	for _, gen := range []int64{1, 2} {
		if tk, ok, err := s.RefreshSuccessor(ctx, "f", gen); err != nil || ok {
			t.Errorf("RefreshSuccessor(f, %d) = %q, %v, %v; want not found, nil", gen, tk.Hash, ok, err)
		}
		if err := s.InsertRefreshToken(ctx, auth.RefreshToken{Hash: fmt.Sprint("h", gen), Family: "f", Gen: gen}); !errors.Is(err, collab.ErrDuplicate) {
			t.Errorf("InsertRefreshToken at the claimed gen %d = %v, want ErrDuplicate", gen, err)
		}
	}
	if tk, ok, err := s.RefreshSuccessor(ctx, "f", 0); err != nil || !ok || tk.Hash != "h0" {
		t.Errorf("RefreshSuccessor(f, 0) = %q, %v, %v; want h0", tk.Hash, ok, err)
	}
}
