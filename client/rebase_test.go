package client_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/client"
	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/delta"
	"github.com/temaplan/temaplan/collab/sqlite"
	"github.com/temaplan/temaplan/server"
)

// testNode is an in-process server on a SQLite store with engine limits of
// the test's choosing, and one plan.
type testNode struct {
	url       string // ws://…/api/ws
	engine    *collab.Engine
	plan, doc string
	token     string // the access token of the plan's leader
}

func startNode(t *testing.T, limits collab.EngineConfig) *testNode {
	t.Helper()
	store, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "temaplan.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	bus := collab.NewMemoryBus()
	t.Cleanup(func() { bus.Close() })
	limits.Store, limits.Bus = store, bus
	engine, err := collab.NewEngine(limits)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { engine.Close() })
	hub := collab.NewHub(bus, store, nil, 30*time.Second)
	t.Cleanup(hub.Close)
	newID := func() string { return ulid.Make().String() }
	plans := collab.NewPlans(collab.PlansConfig{Store: store, Bus: bus, NewID: newID, Engine: engine})
	accounts, token := leaderAccount(t, store, newID)
	srv := server.New(server.Config{Store: store, Bus: bus, Plans: plans, Engine: engine, Hub: hub,
		Accounts: accounts, Log: slog.New(slog.DiscardHandler)})
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)

	me, err := accounts.Authenticate(t.Context(), token)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, hs.URL+"/api/plans", strings.NewReader(`{"title":"Plan","leader":"`+me.Account.ID+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var p struct {
		ID       string `json:"id"`
		Sections []struct {
			ID string `json:"id"`
		} `json:"sections"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil || len(p.Sections) == 0 {
		t.Fatalf("create plan: %d %v", resp.StatusCode, err)
	}
	return &testNode{url: "ws" + strings.TrimPrefix(hs.URL, "http") + "/api/ws", engine: engine,
		plan: p.ID, doc: p.Sections[0].ID, token: token}
}

// leaderAccount returns an accounts service on store (with cheap password
// hashing) and the access token of an administrator who will lead the
// test's plan.
func leaderAccount(t *testing.T, store collab.Store, newID func() string) (*auth.Accounts, string) {
	t.Helper()
	issuer, err := auth.NewIssuer(auth.IssuerConfig{Secret: []byte(strings.Repeat("k", 32)), Issuer: "temaplan", Audience: "temaplan"})
	if err != nil {
		t.Fatal(err)
	}
	hasher, err := auth.NewHasher(auth.HasherConfig{Params: auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	if err != nil {
		t.Fatal(err)
	}
	limiter, err := auth.NewLoginLimiter(auth.LoginLimitConfig{})
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := auth.NewAccounts(auth.AccountsConfig{Store: store.(auth.Store), Issuer: issuer, Hasher: hasher, Limiter: limiter, NewID: newID})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := accounts.EnsureMunicipality(ctx, auth.Municipality{ID: "bodo", Name: "Bodø kommune"}); err != nil {
		t.Fatal(err)
	}
	if _, err := accounts.EnsureUser(ctx, "bodo", auth.NewUser{Email: "leder@bodo.no", Name: "Leder", Password: "passord123", Admin: true}); err != nil {
		t.Fatal(err)
	}
	sess, err := accounts.Login(ctx, netip.MustParseAddr("192.0.2.1"), "leder@bodo.no", "passord123")
	if err != nil {
		t.Fatal(err)
	}
	return accounts, sess.AccessToken
}

func (n *testNode) dial(t *testing.T, id string) *client.Client {
	t.Helper()
	c, err := client.Dial(t.Context(), client.Options{URL: n.url, ClientID: id, Token: func() string { return n.token }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Open(t.Context(), n.plan, n.doc); err != nil {
		t.Fatal(err)
	}
	return c
}

// insert types text at the start of doc.
func insert(t *testing.T, c *client.Client, doc, text string) {
	t.Helper()
	var op delta.Delta
	op.Insert(text, nil)
	if err := c.Edit(doc, op); err != nil {
		t.Fatal(err)
	}
}

// typeAcked makes n edits through c, each acknowledged before the next,
// so that the document moves n versions on.
func typeAcked(t *testing.T, c *client.Client, doc string, n int) {
	t.Helper()
	for range n {
		_, v := c.Content(doc)
		insert(t, c, doc, "b")
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		err := c.WaitVersion(ctx, doc, v+1)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
	}
}

// requireConverged waits until both clients have nothing pending and
// checks that they and the server hold the same text, with want in it
// exactly once.
func requireConverged(t *testing.T, n *testNode, a, b *client.Client, want string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	wait := func(v int64) {
		for _, c := range []*client.Client{a, b} {
			if err := c.WaitVersion(ctx, n.doc, v); err != nil {
				got, gotV := c.Content(n.doc)
				t.Fatalf("a client did not reach version %d: at %d with %v, pending %v, errors %v", v, gotV, got, c.Pending(n.doc), c.Errors(n.doc))
			}
		}
	}
	wait(0) // every op acknowledged: the head is final
	v, text, err := n.engine.Snapshot(ctx, n.doc)
	if err != nil {
		t.Fatal(err)
	}
	wait(v)
	for _, c := range []*client.Client{a, b} {
		got, gotV := c.Content(n.doc)
		if gotV != v || !got.Equal(text) {
			t.Errorf("client at v%d with %v, server at v%d with %v", gotV, got, v, text)
		}
	}
	var s strings.Builder
	for _, op := range text.Ops {
		s.WriteString(op.Insert)
	}
	if c := strings.Count(s.String(), want); c != 1 {
		t.Errorf("the server's text %q holds %q %d times, want once", s.String(), want, c)
	}
}

// The tests below make the gap a reconnecting client must catch up larger
// than the server sends as ops (CatchUpLimit), so that it gets a snapshot
// while it has an op in flight, and check that the op ends up in the text
// exactly once.

// TestClient_SnapshotRebasesAnUnsentEdit: the op never reached the
// server; the server refuses it as stale (older than its window), and the
// client rebases it on the snapshot and resends it.
func TestClient_SnapshotRebasesAnUnsentEdit(t *testing.T) {
	n := startNode(t, collab.EngineConfig{CatchUpLimit: 3, Window: 3})
	a, b := n.dial(t, "tab-a"), n.dial(t, "tab-b")
	a.Drop()
	insert(t, a, n.doc, "OFFLINE ")
	typeAcked(t, b, n.doc, 8)
	if err := a.Reconnect(t.Context()); err != nil {
		t.Fatal(err)
	}
	requireConverged(t, n, a, b, "OFFLINE ")
	if errs := a.Errors(n.doc); len(errs) != 1 || errs[0] != "stale" {
		t.Errorf("errors %v, want the stale answer to the probe", errs)
	}
}

// TestClient_SnapshotKeepsACommittedEditOnce: the op was committed but
// its ack lost with the connection; the probe is re-acked, so the op is
// known to be in the snapshot and not applied again.
func TestClient_SnapshotKeepsACommittedEditOnce(t *testing.T) {
	n := startNode(t, collab.EngineConfig{CatchUpLimit: 3, Window: 3})
	a, b := n.dial(t, "tab-a"), n.dial(t, "tab-b")
	// Drop right after sending, before the ack arrives.
	var marker string
	for attempt := 0; ; attempt++ {
		marker = fmt.Sprintf("SENT%d ", attempt)
		insert(t, a, n.doc, marker)
		a.Drop()
		if a.Pending(n.doc) {
			break
		}
		if attempt == 20 {
			t.Fatal("the ack always arrived before the drop")
		}
		if err := a.Reconnect(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	typeAcked(t, b, n.doc, 8)
	if err := a.Reconnect(t.Context()); err != nil {
		t.Fatal(err)
	}
	requireConverged(t, n, a, b, marker)
	if errs := a.Errors(n.doc); len(errs) != 0 {
		t.Errorf("errors %v, want the probe re-acked", errs)
	}
}

// TestClient_SnapshotFoldsAnEditCommittedAfterIt: the server's window
// still reaches back to the op's version, so the probe commits it, after
// the snapshot; the client folds it in and takes a fresh snapshot.
func TestClient_SnapshotFoldsAnEditCommittedAfterIt(t *testing.T) {
	n := startNode(t, collab.EngineConfig{CatchUpLimit: 3, Window: 100})
	a, b := n.dial(t, "tab-a"), n.dial(t, "tab-b")
	a.Drop()
	insert(t, a, n.doc, "OFFLINE ")
	insert(t, a, n.doc, "MORE ") // buffered behind the inflight op
	typeAcked(t, b, n.doc, 8)
	if err := a.Reconnect(t.Context()); err != nil {
		t.Fatal(err)
	}
	requireConverged(t, n, a, b, "MORE OFFLINE ")
}
