package server_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/client"
	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/delta"
	"github.com/temaplan/temaplan/collab/mongo"
	"github.com/temaplan/temaplan/collab/redis"
	"github.com/temaplan/temaplan/server"
)

// The WebSocket side of accounts and permissions (docs/protocol.md,
// "Handshake" and "Permissions"; SPEC.md §5–§6): who may connect,
// subscribe and edit, what a revoked member or a disabled account loses at
// once, and that the steering group's lock is exact.

// dialHello opens a raw socket to n and logs it in with token.
func dialHello(t *testing.T, n *wsNode, clientID, token string) *rawWS {
	t.Helper()
	r := dialRaw(t, n, nil)
	r.hello(clientID, token)
	return r
}

// until reads messages (presence included) until match accepts one and
// returns it; it fails on a read error or after 10 s.
func (r *rawWS) until(what string, match func(m map[string]any) bool) map[string]any {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		data, err := r.read(deadline)
		if err != nil {
			r.t.Fatalf("waiting for %s: %v", what, err)
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			r.t.Fatalf("server sent non-JSON %q", data)
		}
		if match(m) {
			return m
		}
	}
}

// subPlan subscribes to a plan and waits for the presence of those there.
func (r *rawWS) subPlan(plan string) {
	r.t.Helper()
	r.send(fmt.Sprintf(`{"type":"sub","plan":%q}`, plan))
	m := r.until("the plan's presence", func(m map[string]any) bool {
		return m["type"] == "error" || (m["type"] == "presence" && m["peers"] != nil)
	})
	if m["type"] == "error" {
		r.t.Fatalf("sub %s: %v", plan, m)
	}
}

// subDoc subscribes to a section and returns its snapshot's version.
func (r *rawWS) subDoc(plan, doc string) int64 {
	r.t.Helper()
	r.send(fmt.Sprintf(`{"type":"sub","plan":%q,"doc":%q}`, plan, doc))
	m := r.next()
	if m["type"] != "snapshot" || m["doc"] != doc {
		r.t.Fatalf("sub %s: got %v, want its snapshot", doc, m)
	}
	return int64(m["v"].(float64))
}

// sendInsert submits an op inserting text at the start of doc.
func (r *rawWS) sendInsert(doc string, v, seq int64, text string) {
	r.t.Helper()
	op, _ := json.Marshal(map[string]any{"ops": []any{map[string]any{"insert": text}}})
	r.send(fmt.Sprintf(`{"type":"op","doc":%q,"v":%d,"seq":%d,"op":%s}`, doc, v, seq, op))
}

// answerTo reads until the ack or error that answers (doc, seq); ops of
// others on the way are skipped.
func (r *rawWS) answerTo(doc string, seq int64) map[string]any {
	r.t.Helper()
	return r.until(fmt.Sprintf("the answer to %s/%d", doc, seq), func(m map[string]any) bool {
		return (m["type"] == "ack" || m["type"] == "error") && m["doc"] == doc && m["seq"] == float64(seq)
	})
}

// wantOpError checks that m is the error code answering op (doc, seq).
func wantOpError(t *testing.T, m map[string]any, code, doc string, seq int64) {
	t.Helper()
	if m["type"] != "error" || m["code"] != code || m["doc"] != doc || m["seq"] != float64(seq) {
		t.Fatalf("got %v, want error %s for %s/%d", m, code, doc, seq)
	}
	if s, _ := m["message"].(string); s == "" {
		t.Fatalf("error %v has no message", m)
	}
}

// newIssuer returns an access-token issuer on the test secret (or secret)
// with the clock now (nil: the real one) and lifetime ttl (0: default).
func newIssuer(t *testing.T, secret []byte, now func() time.Time, ttl time.Duration) *auth.Issuer {
	t.Helper()
	if secret == nil {
		secret = testSecret
	}
	iss, err := auth.NewIssuer(auth.IssuerConfig{Secret: secret, Issuer: "temaplan", Audience: "temaplan", Now: now, TTL: ttl})
	if err != nil {
		t.Fatal(err)
	}
	return iss
}

// issue returns an access token for userID from iss.
func issue(t *testing.T, iss *auth.Issuer, userID string) string {
	t.Helper()
	tok, _, err := iss.Issue(userID)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// newAccountsWith returns an accounts service on store that issues and
// verifies access tokens with iss.
func newAccountsWith(t *testing.T, store collab.Store, iss *auth.Issuer) *auth.Accounts {
	t.Helper()
	hasher, err := auth.NewHasher(auth.HasherConfig{Params: auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	if err != nil {
		t.Fatal(err)
	}
	limiter, err := auth.NewLoginLimiter(auth.LoginLimitConfig{})
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := auth.NewAccounts(auth.AccountsConfig{Store: store.(auth.Store), Issuer: iss, Hasher: hasher,
		Limiter: limiter, NewID: func() string { return ulid.Make().String() }})
	if err != nil {
		t.Fatal(err)
	}
	return accounts
}

// testClock is a clock for token issuers that reads the real time unless
// it is set to a fixed time.
type testClock struct {
	mu sync.Mutex
	at time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at.IsZero() {
		return time.Now()
	}
	return c.at
}

// Set fixes the clock at t; the zero time makes it real again.
func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	c.at = t
	c.mu.Unlock()
}

// opsOf returns doc's op log from the store.
func opsOf(t *testing.T, store collab.Store, doc string) []collab.OpRecord {
	t.Helper()
	recs, err := store.Ops(context.Background(), doc, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// contentOf reads a section's text and version through the REST API as
// kari.
func (n *wsNode) contentOf(planID, doc string) (int64, string) {
	n.t.Helper()
	rec := n.do(http.MethodGet, "/api/plans/"+planID+"/sections/"+doc+"/content", "")
	if rec.Code != http.StatusOK {
		n.t.Fatalf("GET content: %d %s", rec.Code, rec.Body)
	}
	var c struct {
		V    int64       `json:"v"`
		Data delta.Delta `json:"data"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &c); err != nil {
		n.t.Fatal(err)
	}
	return c.V, textOf(c.Data)
}

// transition takes a step of the plan's process as the holder of token.
func (n *wsNode) transition(token, planID, action, comment string) collab.Plan {
	n.t.Helper()
	body, _ := json.Marshal(map[string]string{"action": action, "comment": comment})
	rec := n.doAs(token, http.MethodPost, "/api/plans/"+planID+"/transitions", string(body))
	if rec.Code != http.StatusOK {
		n.t.Fatalf("%s: %d %s", action, rec.Code, rec.Body)
	}
	return decode[collab.Plan](n.t, rec)
}

func TestWSAuth_HelloRefusesBadTokens(t *testing.T) {
	node := startWSNode(t, sqliteStore(t), memBus(t), nil)
	ola := node.user("ola@m1.no", "m1", false)
	if rec := node.do(http.MethodPatch, "/api/admin/users/"+ola.ID, `{"disabled":true}`); rec.Code != http.StatusOK {
		t.Fatalf("disable ola: %d %s", rec.Code, rec.Body)
	}
	other := newIssuer(t, []byte("another-secret-another-secret-another!"), nil, 0)
	past := newIssuer(t, nil, func() time.Time { return time.Now().Add(-time.Hour) }, 0)
	kari := node.kari.Token
	for _, c := range []struct{ name, token string }{
		{"no token", ""},
		{"not a JWT", "not-a-jwt"},
		{"forged", issue(t, other, node.kari.ID)},
		{"tampered", kari[:len(kari)-4] + strings.Map(func(r rune) rune { return r ^ 1 }, kari[len(kari)-4:])},
		{"expired", issue(t, past, node.kari.ID)},
		{"disabled user", ola.Token}, // signed and unexpired, but the account is off
	} {
		t.Run(c.name, func(t *testing.T) {
			r := dialRaw(t, node, nil)
			r.send(fmt.Sprintf(`{"type":"hello","protocol":2,"client":"c1","token":%q}`, c.token))
			r.expectError("unauthorized")
			r.expectClosed()
		})
	}
	// The same hello with a good token is welcomed.
	dialHello(t, node, "c1", kari)
}

// TestWSAuth_OnlyTheLeaderEdits: a member in any other role may open a
// section but its ops are refused forbidden, with doc and seq, and nothing
// is stored.
func TestWSAuth_OnlyTheLeaderEdits(t *testing.T) {
	store := sqliteStore(t)
	node := startWSNode(t, store, memBus(t), nil)
	plan, doc := newPlanDoc(t, node)
	for i, role := range []string{"member", "reader", "finance", "steering", "political"} {
		t.Run(role, func(t *testing.T) {
			u := node.user(role+"@m1.no", "m1", false)
			node.member(plan, u, role)
			r := dialHello(t, node, "tab-"+role, u.Token)
			v := r.subDoc(plan, doc)
			seq := int64(i + 1)
			r.sendInsert(doc, v, seq, "Ikke lov")
			wantOpError(t, r.answerTo(doc, seq), "forbidden", doc, seq)
			if recs := opsOf(t, store, doc); len(recs) != 0 {
				t.Fatalf("the log has %d ops after a refused op: %+v", len(recs), recs)
			}
			if v, text := node.contentOf(plan, doc); v != 0 || text != "\n" {
				t.Fatalf("content is %q at v=%d, want the empty section at 0", text, v)
			}
		})
	}
	// The leader's op on the same section is stored.
	r := dialHello(t, node, "tab-leader", node.kari.Token)
	r.sendInsert(doc, r.subDoc(plan, doc), 1, "Lov")
	if m := r.answerTo(doc, 1); m["type"] != "ack" {
		t.Fatalf("leader's op: got %v, want ack", m)
	}
	if v, text := node.contentOf(plan, doc); v != 1 || text != "Lov\n" {
		t.Fatalf("content is %q at v=%d, want the leader's edit", text, v)
	}
}

// TestWSAuth_ReadersSeeOthersDoNot: a reader subscribes and shares
// presence; another municipality's user finds no plan, a non-member of
// the municipality is forbidden.
func TestWSAuth_ReadersSeeOthersDoNot(t *testing.T) {
	node := startWSNode(t, sqliteStore(t), memBus(t), nil)
	plan, doc := newPlanDoc(t, node)
	reader := node.user("lise@m1.no", "m1", false)
	node.member(plan, reader, "reader")

	leader := dialHello(t, node, "tab-kari", node.kari.Token)
	leader.subPlan(plan)
	r := dialHello(t, node, "tab-lise", reader.Token)
	r.subPlan(plan)
	r.subDoc(plan, doc)
	r.send(fmt.Sprintf(`{"type":"presence","plan":%q,"doc":%q,"index":0,"length":0}`, plan, doc))
	m := leader.until("lise's presence", func(m map[string]any) bool {
		return m["type"] == "presence" && m["client"] == "tab-lise"
	})
	if u, _ := m["user"].(map[string]any); m["doc"] != doc || u["id"] != reader.ID {
		t.Fatalf("presence %v, want lise in %s", m, doc)
	}

	for _, c := range []struct {
		name string
		user testUser
		code string
	}{
		{"another municipality's administrator", node.user("per@m2.no", "m2", true), "not_found"},
		{"another municipality's user", node.user("pia@m2.no", "m2", false), "not_found"},
		{"a non-member of the municipality", node.user("nils@m1.no", "m1", false), "forbidden"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := dialHello(t, node, "tab-x", c.user.Token)
			r.send(fmt.Sprintf(`{"type":"sub","plan":%q}`, plan))
			if m := r.expectError(c.code); m["plan"] != plan {
				t.Fatalf("error %v does not name the plan", m)
			}
			r.send(fmt.Sprintf(`{"type":"sub","plan":%q,"doc":%q}`, plan, doc))
			if m := r.expectError(c.code); m["plan"] != plan || m["doc"] != doc {
				t.Fatalf("error %v does not name plan and doc", m)
			}
			// Presence needs a plan subscription, which was refused.
			r.send(fmt.Sprintf(`{"type":"presence","plan":%q,"doc":%q,"index":0,"length":0}`, plan, doc))
			r.expectError("bad_request")
		})
	}
}

// TestWSAuth_MembershipChangesApplyAtOnce: a plan this node read for a
// check is not held once nobody on the node follows it, so a member added
// or removed just now is admitted or refused at once.
func TestWSAuth_MembershipChangesApplyAtOnce(t *testing.T) {
	node := startWSNode(t, sqliteStore(t), memBus(t), nil)
	plan, _ := newPlanDoc(t, node)
	nils := node.user("nils@m1.no", "m1", false)
	r := dialHello(t, node, "tab-nils", nils.Token)
	answer := func() map[string]any {
		t.Helper()
		r.send(fmt.Sprintf(`{"type":"sub","plan":%q}`, plan))
		return r.until("the answer to sub", func(m map[string]any) bool {
			return m["type"] == "error" || (m["type"] == "presence" && m["peers"] != nil)
		})
	}
	if m := answer(); m["code"] != "forbidden" {
		t.Fatalf("a non-member's sub: %v, want forbidden", m)
	}
	node.member(plan, nils, "reader")
	if m := answer(); m["type"] != "presence" {
		t.Fatalf("sub right after being added: %v, want the plan's presence", m)
	}
	r.send(fmt.Sprintf(`{"type":"unsub","plan":%q}`, plan))
	if rec := node.do(http.MethodDelete, "/api/plans/"+plan+"/members/"+nils.ID, ""); rec.Code != http.StatusOK {
		t.Fatalf("remove nils: %d %s", rec.Code, rec.Body)
	}
	if m := answer(); m["code"] != "forbidden" || m["plan"] != plan {
		t.Fatalf("sub right after being removed: %v, want forbidden", m)
	}
}

// TestWSAuth_LockRefusesOpsUntilReturn: once the steering group locks the
// plan, the leader's ops are refused locked and not stored; after a return
// editing works again.
func TestWSAuth_LockRefusesOpsUntilReturn(t *testing.T) {
	store := sqliteStore(t)
	node := startWSNode(t, store, memBus(t), nil)
	plan, doc := newPlanDoc(t, node)
	steering := node.user("styre@m1.no", "m1", false)
	node.member(plan, steering, "steering")

	r := dialHello(t, node, "tab-kari", node.kari.Token)
	v := r.subDoc(plan, doc)
	r.sendInsert(doc, v, 1, "Før låsing. ")
	if m := r.answerTo(doc, 1); m["type"] != "ack" || m["v"] != float64(0) {
		t.Fatalf("got %v, want ack at 0", m)
	}

	p := node.transition(steering.Token, plan, "lock", "")
	if p.Phase != collab.PhaseReview || p.Locked[doc] != 1 {
		t.Fatalf("after lock: phase %s, locked %v; want review with %s locked at 1", p.Phase, p.Locked, doc)
	}
	r.sendInsert(doc, 1, 2, "Låst. ")
	wantOpError(t, r.answerTo(doc, 2), "locked", doc, 2)

	p = node.transition(steering.Token, plan, "return", "Utdyp tiltakene")
	if p.Phase != collab.PhaseDraft {
		t.Fatalf("after return: phase %s, want draft", p.Phase)
	}
	// Made on version 1: the server transforms it over both markers.
	r.sendInsert(doc, 1, 3, "Etter retur. ")
	if m := r.answerTo(doc, 3); m["type"] != "ack" || m["v"] != float64(3) {
		t.Fatalf("got %v, want ack at 3 (after the lock and unlock markers)", m)
	}

	var kinds []string
	for _, rec := range opsOf(t, store, doc) {
		kinds = append(kinds, fmt.Sprintf("%d:%s/%d", rec.V, cmp.Or(string(rec.Kind), "edit"), rec.Seq))
	}
	if want := []string{"0:edit/1", "1:lock/0", "2:unlock/0", "3:edit/3"}; !slices.Equal(kinds, want) {
		t.Fatalf("log %v, want %v", kinds, want)
	}
	if v, text := node.contentOf(plan, doc); v != 4 || text != "Etter retur. Før låsing. \n" {
		t.Fatalf("content %q at v=%d", text, v)
	}
}

// TestWSAuth_ExpiredTokenMidSession: once the access token expires every
// message is refused unauthorized (an op with its doc and seq, not stored);
// a hello with a fresh token on the same socket renews it, and the Go
// client does so by itself: its op is then acked exactly once.
func TestWSAuth_ExpiredTokenMidSession(t *testing.T) {
	store := sqliteStore(t)
	clock := &testClock{}
	iss := newIssuer(t, nil, clock.Now, time.Minute)
	node := startWSNode(t, store, memBus(t), func(c *server.Config) { c.Accounts = newAccountsWith(t, store, iss) })
	plan, doc := newPlanDoc(t, node)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// Tokens issued now expire at the whole second `expiry`, 1.5–2.5 s
	// from now: time enough to connect and subscribe.
	expiry := time.Now().Add(2500 * time.Millisecond).Truncate(time.Second)
	clock.Set(expiry.Add(-time.Minute))

	var hellos atomic.Int32
	var mu sync.Mutex
	acks := map[int64]int{}
	var codes []string
	c := dialClient(t, node, "tab-go", func(o *client.Options) {
		o.Token = func() string { hellos.Add(1); return issue(t, iss, node.kari.ID) }
		o.OnAck = func(_ string, seq int64, _ time.Duration) { mu.Lock(); acks[seq]++; mu.Unlock() }
		o.OnError = func(code, _ string) { mu.Lock(); codes = append(codes, code); mu.Unlock() }
	})
	if err := c.Open(ctx, plan, doc); err != nil {
		t.Fatal(err)
	}
	r := dialHello(t, node, "tab-raw", issue(t, iss, node.kari.ID))
	r.subDoc(plan, doc)
	if err := c.Edit(doc, *new(delta.Delta).Insert("før ", nil)); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitVersion(ctx, doc, 1); err != nil {
		t.Fatal(err)
	}
	if time.Now().After(expiry) {
		t.Fatal("the setup took longer than the token's lifetime; nothing was tested")
	}
	clock.Set(time.Time{}) // fresh tokens from now on last a minute

	// The expiry itself is the event waited for.
	time.Sleep(time.Until(expiry) + 10*time.Millisecond)

	// Raw: every message is refused, the op with its doc and seq.
	r.send(fmt.Sprintf(`{"type":"sub","plan":%q,"doc":%q}`, plan, doc))
	if m := r.until("sub refused", func(m map[string]any) bool { return m["type"] == "error" }); m["code"] != "unauthorized" || m["doc"] != doc {
		t.Fatalf("sub after expiry: %v, want unauthorized", m)
	}
	r.send(fmt.Sprintf(`{"type":"presence","plan":%q,"index":0,"length":0}`, plan))
	r.expectError("unauthorized")
	r.sendInsert(doc, 1, 1, "utløpt ")
	wantOpError(t, r.answerTo(doc, 1), "unauthorized", doc, 1)
	// A renewal must be for the same person; then the socket works again.
	ola := node.user("ola@m1.no", "m1", false)
	r.send(fmt.Sprintf(`{"type":"hello","protocol":2,"client":"tab-raw","token":%q}`, ola.Token))
	r.expectError("bad_request")
	r.hello("tab-raw", issue(t, iss, node.kari.ID))
	r.subDoc(plan, doc)

	// The Go client's op is refused, it renews its token and resends.
	if err := c.Edit(doc, *new(delta.Delta).Insert("etter ", nil)); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitVersion(ctx, doc, 2); err != nil {
		t.Fatalf("op not acked after the token was renewed: %v (errors %v)", err, c.Errors(doc))
	}
	if n := hellos.Load(); n != 2 {
		t.Fatalf("the client said hello %d times, want 2 (connect and renewal)", n)
	}
	if errs := c.Errors(doc); !slices.Equal(errs, []string{"unauthorized"}) {
		t.Fatalf("op errors %v, want one unauthorized", errs)
	}
	mu.Lock()
	if acks[1] != 1 || acks[2] != 1 || len(acks) != 2 {
		t.Errorf("acks per seq %v, want seq 1 and 2 once each", acks)
	}
	if !slices.Equal(codes, []string{"unauthorized"}) {
		t.Errorf("errors %v, want one unauthorized", codes)
	}
	mu.Unlock()
	var got []string
	for _, rec := range opsOf(t, store, doc) {
		got = append(got, fmt.Sprintf("%s/%d@%d", rec.Src, rec.Seq, rec.V))
	}
	if want := []string{"tab-go/1@0", "tab-go/2@1"}; !slices.Equal(got, want) {
		t.Fatalf("log %v, want %v", got, want)
	}
	content, _ := c.Content(doc)
	if v, text := node.contentOf(plan, doc); v != 2 || text != "etter før \n" || textOf(content) != text {
		t.Fatalf("server %q at v=%d, client %q", text, v, textOf(content))
	}
}

// TestWSAuth_RevokedAndDisabledLoseAccessAtOnce: two nodes share a store
// and a bus; the administrator acts on one, the sockets are on the other.
// A removed member's subscriptions end at once with forbidden; a disabled
// user's socket is closed.
func TestWSAuth_RevokedAndDisabledLoseAccessAtOnce(t *testing.T) {
	store, bus := sqliteStore(t), memBus(t)
	admin, edge := startWSNode(t, store, bus, nil), startWSNode(t, store, bus, nil)
	plan, doc := newPlanDoc(t, admin)
	ola, per := admin.user("ola@m1.no", "m1", false), admin.user("per@m1.no", "m1", false)
	admin.member(plan, ola, "member")
	admin.member(plan, per, "reader")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	olaWS, perWS := dialHello(t, edge, "tab-ola", ola.Token), dialHello(t, edge, "tab-per", per.Token)
	for _, r := range []*rawWS{olaWS, perWS} {
		r.subPlan(plan)
		r.subDoc(plan, doc)
	}
	writer := dialClient(t, edge, "tab-kari", nil)
	if err := writer.Open(ctx, plan, doc); err != nil {
		t.Fatal(err)
	}
	edit := func(text string) int64 {
		t.Helper()
		if err := writer.Edit(doc, *new(delta.Delta).Insert(text, nil)); err != nil {
			t.Fatal(err)
		}
		_, v := writer.Content(doc)
		if err := writer.WaitVersion(ctx, doc, v+1); err != nil {
			t.Fatal(err)
		}
		return v
	}
	isOp := func(v int64) func(m map[string]any) bool {
		return func(m map[string]any) bool { return m["type"] == "op" && m["doc"] == doc && m["v"] == float64(v) }
	}
	v := edit("a")
	olaWS.until("the op as a member", isOp(v))

	start := time.Now()
	if rec := admin.do(http.MethodDelete, "/api/plans/"+plan+"/members/"+ola.ID, ""); rec.Code != http.StatusOK {
		t.Fatalf("remove ola: %d %s", rec.Code, rec.Body)
	}
	m := olaWS.until("the revocation", func(m map[string]any) bool { return m["type"] == "error" })
	if m["code"] != "forbidden" || m["plan"] != plan {
		t.Fatalf("got %v, want error forbidden for the plan", m)
	}
	t.Logf("revocation reached the other node's socket after %v", time.Since(start))

	// The next op reaches per (a reader still) but not ola: the node hands
	// an op to all its subscribers before it acks it, and ola's probe is
	// answered after everything queued before it.
	v = edit("b")
	perWS.until("the op as a reader", isOp(v))
	olaWS.send(`{"type":"dance"}`)
	olaWS.until("the probe's answer", func(m map[string]any) bool {
		if m["type"] == "op" {
			t.Fatalf("a removed member still receives ops: %v", m)
		}
		return m["type"] == "error" && m["code"] == "bad_request"
	})
	olaWS.send(fmt.Sprintf(`{"type":"sub","plan":%q}`, plan))
	olaWS.expectError("forbidden")
	olaWS.send(fmt.Sprintf(`{"type":"sub","plan":%q,"doc":%q}`, plan, doc))
	olaWS.expectError("forbidden")

	// Disabling per on the admin node closes his socket on the other one.
	if rec := admin.do(http.MethodPatch, "/api/admin/users/"+per.ID, `{"disabled":true}`); rec.Code != http.StatusOK {
		t.Fatalf("disable per: %d %s", rec.Code, rec.Body)
	}
	if m := perWS.until("the disabling", func(m map[string]any) bool { return m["type"] == "error" }); m["code"] != "unauthorized" {
		t.Fatalf("got %v, want error unauthorized", m)
	}
	perWS.expectClosed()
	// ola, not disabled, keeps her socket.
	olaWS.send(`{"type":"dance"}`)
	olaWS.expectError("bad_request")
}

// TestWS_LockIsExactUnderRace is the exact lock (SPEC.md §6): leader tabs
// on every node keep typing into several sections, each with ops in
// flight, while a steering member locks the plan. Every op acked is in the
// locked version (below its section's lock marker), every op refused is
// refused locked, and no edit is committed after a marker: on two nodes
// sharing FerretDB and Redis, and on one node with SQLite.
func TestWS_LockIsExactUnderRace(t *testing.T) {
	t.Run("sqlite-1-node", func(t *testing.T) {
		store := sqliteStore(t)
		lockRace(t, store, startWSNode(t, store, memBus(t), nil))
	})
	t.Run("mongo-redis-2-nodes", func(t *testing.T) {
		ctx := context.Background()
		db, rsrv, prefix := mongoAndRedis(ctx, t, "lock")
		var nodes []*wsNode
		var first collab.Store
		for range 2 {
			store, err := mongo.Open(ctx, mongoServer.srv.URI(), db, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { store.Close() })
			bus, err := redis.Open(ctx, rsrv.URL(), redis.Options{Prefix: prefix}, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { bus.Close() })
			if first == nil {
				first = store
			}
			nodes = append(nodes, startWSNode(t, store, bus, nil))
		}
		lockRace(t, first, nodes...)
	})
}

// raceTab is one leader tab of lockRace: a client with an op in flight
// in each of its sections at once.
type raceTab struct {
	id       string
	c        *client.Client
	progress *raceProgress

	mu      sync.Mutex
	change  chan struct{} // closed and replaced on every ack and error
	acked   map[string][]int64
	ackAt   []time.Time
	codes   []string // every error code the server sent
	locked  int      // ops refused locked
	retried int      // ops answered stale, which the client resends
	resent  int      // ops resent after raceAckTimeout without an answer
	failed  []string // what went wrong on the tab's side
}

// raceProgress counts the acks of all tabs and says when there are enough
// to lock.
type raceProgress struct {
	acked     atomic.Int64
	lockAfter int64
	enough    chan struct{}
}

func newRaceTab(id string, progress *raceProgress) *raceTab {
	return &raceTab{id: id, progress: progress, change: make(chan struct{}), acked: map[string][]int64{}}
}

// onAck and onError are the client's callbacks (called with the client's
// lock held: they only record and signal).
func (tab *raceTab) onAck(doc string, seq int64, _ time.Duration) {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	tab.acked[doc] = append(tab.acked[doc], seq)
	tab.ackAt = append(tab.ackAt, time.Now())
	close(tab.change)
	tab.change = make(chan struct{})
	if tab.progress.acked.Add(1) == tab.progress.lockAfter {
		close(tab.progress.enough)
	}
}

func (tab *raceTab) onError(code, _ string) {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	tab.codes = append(tab.codes, code)
	close(tab.change)
	tab.change = make(chan struct{})
}

// lockRace types into sections of a new plan from tabs on every node and
// locks the plan (on the last node) in the middle of it, then checks the
// op logs in store against what the tabs were told.
func lockRace(t *testing.T, store collab.Store, nodes ...*wsNode) {
	const (
		tabs      = 6
		typedDocs = 4
		lockAfter = 60 // acks before the lock
	)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	began := time.Now()
	p := nodes[0].createPlan("Boligplan")
	var sections []string
	p.Walk(func(s *collab.Section, _ int) { sections = append(sections, s.ID) })
	typed := sections[:typedDocs]
	steering := nodes[0].user("styre@m1.no", "m1", false)
	nodes[0].member(p.ID, steering, "steering")

	progress := &raceProgress{lockAfter: lockAfter, enough: make(chan struct{})}
	var ts []*raceTab
	for i := range tabs {
		tab := newRaceTab(fmt.Sprintf("race-%d", i), progress)
		tab.c = dialClient(t, nodes[i%len(nodes)], tab.id, func(o *client.Options) {
			o.OnAck, o.OnError = tab.onAck, tab.onError
		})
		for _, doc := range typed {
			if err := tab.c.Open(ctx, p.ID, doc); err != nil {
				t.Fatal(err)
			}
		}
		ts = append(ts, tab)
	}

	var wg sync.WaitGroup
	for i, tab := range ts {
		for j, doc := range typed {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tab.typeUntilLocked(ctx, doc, rand.New(rand.NewPCG(uint64(i), uint64(j))), len(nodes) > 1)
			}()
		}
	}
	// Lock once the typing is in full swing.
	select {
	case <-progress.enough:
	case <-ctx.Done():
		t.Fatalf("only %d ops acked before the deadline", progress.acked.Load())
	}
	// The steering member locks on the last node. A lock the engine could
	// not place in every section is answered unavailable, "try again":
	// the steering member does.
	lockStart := time.Now()
	var locked collab.Plan
	lockTries := 0
	for body, _ := json.Marshal(map[string]string{"action": "lock"}); ; {
		lockTries++
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/api/plans/"+p.ID+"/transitions", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+steering.Token)
		rec := nodes[len(nodes)-1].doReq(req, string(body))
		if rec.Code == http.StatusOK {
			locked = decode[collab.Plan](t, rec)
			break
		}
		if rec.Code != http.StatusServiceUnavailable || lockTries == 5 {
			t.Fatalf("lock (try %d): %d %s", lockTries, rec.Code, rec.Body)
		}
		t.Logf("lock (try %d): %d %s", lockTries, rec.Code, rec.Body)
	}
	lockEnd := time.Now()
	wg.Wait()

	// What the tabs were told.
	acked := map[string]map[string]bool{} // doc → src/seq
	var nAcked, nDuring, nLocked, nRefusals, nRetried, nResent int
	for _, tab := range ts {
		tab.mu.Lock()
		failed, codes, lockedN, retried, ackAt := tab.failed, tab.codes, tab.locked, tab.retried, tab.ackAt
		nResent += tab.resent
		ackedSeqs := maps.Clone(tab.acked)
		tab.mu.Unlock()
		if len(failed) > 0 {
			t.Errorf("tab %s: %v", tab.id, failed)
			for _, doc := range typed {
				content, v := tab.c.Content(doc)
				t.Logf("tab %s, %s: v=%d pending=%v errors=%v len=%d", tab.id, doc, v, tab.c.Pending(doc), tab.c.Errors(doc), content.Length())
			}
		}
		// An op refused locked stays pending in the client (its text is
		// kept), so a reconnect resends it and it is refused again.
		if slices.ContainsFunc(codes, func(c string) bool { return c != "locked" && c != "stale" }) {
			t.Errorf("tab %s got errors %v; want only locked (and stale for resent ops)", tab.id, codes)
		}
		for _, c := range codes {
			if c == "locked" {
				nRefusals++
			}
		}
		nLocked += lockedN
		nRetried += retried
		for doc, seqs := range ackedSeqs {
			if acked[doc] == nil {
				acked[doc] = map[string]bool{}
			}
			for _, seq := range seqs {
				k := fmt.Sprintf("%s/%d", tab.id, seq)
				if acked[doc][k] {
					t.Errorf("%s acked twice in %s", k, doc)
				}
				acked[doc][k] = true
				nAcked++
			}
		}
		for _, at := range ackAt {
			if at.After(lockStart) {
				nDuring++
			}
		}
		for _, doc := range typed {
			errs := tab.c.Errors(doc)
			if len(errs) == 0 || errs[len(errs)-1] != "locked" ||
				slices.ContainsFunc(errs, func(c string) bool { return c != "locked" && c != "stale" }) {
				t.Errorf("tab %s, %s: op errors %v, want the last op refused locked", tab.id, doc, errs)
			}
		}
	}
	if want := tabs * typedDocs; nLocked != want {
		t.Errorf("%d ops refused locked, want %d (each tab's last op in each section)", nLocked, want)
	}

	// What the logs say.
	if locked.Phase != collab.PhaseReview || len(locked.Locked) != len(sections) {
		t.Fatalf("after the lock: phase %s, %d of %d sections locked", locked.Phase, len(locked.Locked), len(sections))
	}
	var afterLock int
	for _, doc := range sections {
		recs := opsOf(t, store, doc)
		marker, ok := locked.Locked[doc]
		if !ok {
			t.Errorf("section %s has no lock version in the plan", doc)
			continue
		}
		isLocked, lockAt := false, int64(-1)
		edits := map[string]int64{}
		for i, r := range recs {
			if r.V != int64(i) {
				t.Fatalf("%s: log has version %d at %d", doc, r.V, i)
			}
			switch r.Kind {
			case collab.OpLock:
				isLocked, lockAt = true, r.V
			case collab.OpUnlock:
				isLocked = false
			case collab.OpEdit:
				if isLocked {
					afterLock++
					t.Errorf("%s: edit %s/%d committed at %d, after the lock marker at %d", doc, r.Src, r.Seq, r.V, lockAt)
				}
				k := fmt.Sprintf("%s/%d", r.Src, r.Seq)
				if _, dup := edits[k]; dup {
					t.Errorf("%s: %s committed twice", doc, k)
				}
				edits[k] = r.V
			}
		}
		if !isLocked || lockAt != marker {
			t.Errorf("%s: log ends locked=%v with its marker at %d; the plan says %d", doc, isLocked, lockAt, marker)
		}
		for k := range acked[doc] {
			v, ok := edits[k]
			if !ok {
				t.Errorf("%s: acked op %s is not in the log", doc, k)
			} else if v >= marker {
				t.Errorf("%s: acked op %s at %d is not in the locked version (marker %d)", doc, k, v, marker)
			}
		}
		for k := range edits {
			if !acked[doc][k] {
				t.Errorf("%s: op %s is in the log but was never acked", doc, k)
			}
		}
	}
	t.Logf("%d nodes, %d tabs, %d sections typed into, %d locked: %d ops acked before the lock (%d of them while it was being taken, %v, %d tries), %d refused locked, %d committed after it; %v in all",
		len(nodes), tabs, typedDocs, len(sections), nAcked, nDuring, lockEnd.Sub(lockStart).Round(time.Millisecond), lockTries,
		nLocked, afterLock, time.Since(began).Round(time.Millisecond))
	if nRetried > 0 || nResent > 0 || nRefusals > nLocked {
		t.Logf("%d ops answered stale and resent by the client; %d unanswered for %v and resent after a reconnect; %d refusals of resent refused ops",
			nRetried, nResent, raceAckTimeout, nRefusals-nLocked)
	}
}

// raceAckTimeout is how long a tab waits for the answer to an op before
// it reconnects and resends, as the browser does after its ackTimeout.
const raceAckTimeout = 3 * time.Second

// typeUntilLocked edits doc, one op at a time and each after the answer
// to the last, until an op is refused. With pauses it types like a person,
// in bursts of keystrokes a few milliseconds apart with short pauses
// between them; without, it types on at once. (Several nodes need the
// pauses: with three tabs of one node typing into a section without any,
// that node commits back to back and the other node's lock marker loses
// the race for the next version until the engine gives up and answers the
// lock unavailable.)
func (tab *raceTab) typeUntilLocked(ctx context.Context, doc string, rng *rand.Rand, pauses bool) {
	for burst := 0; ; burst-- {
		switch {
		case !pauses:
			time.Sleep(time.Duration(rng.IntN(3)) * time.Millisecond)
		case burst <= 0:
			burst = 1 + rng.IntN(8)
			time.Sleep(time.Duration(100+rng.IntN(300)) * time.Millisecond)
		default:
			time.Sleep(time.Duration(5+rng.IntN(15)) * time.Millisecond)
		}
		tab.mu.Lock()
		acks := len(tab.acked[doc])
		tab.mu.Unlock()
		errs := len(tab.c.Errors(doc))
		if err := tab.c.EditWith(doc, func(text delta.Delta) delta.Delta { return randomEdit(rng, textOf(text)) }); err != nil {
			tab.fail("edit: " + err.Error())
			return
		}
		timeout := time.NewTimer(raceAckTimeout)
		for {
			tab.mu.Lock()
			acked, ch := len(tab.acked[doc]) > acks, tab.change
			tab.mu.Unlock()
			if acked {
				break
			}
			if e := tab.c.Errors(doc); len(e) > errs {
				switch code := e[len(e)-1]; code {
				case "locked":
					tab.mu.Lock()
					tab.locked++
					tab.mu.Unlock()
					timeout.Stop()
					return
				case "stale":
					// Lost the race for the next version too often: the
					// client catches up and resends by itself.
					errs = len(e)
					tab.count(&tab.retried)
				default:
					tab.fail(doc + ": " + code)
					return
				}
			}
			select {
			case <-ch:
			case <-timeout.C:
				// The op is resent with its seq: the server acks it if it
				// was committed, and decides it now if not.
				tab.count(&tab.resent)
				if err := tab.c.Reconnect(ctx); err != nil {
					tab.fail(doc + ": reconnect: " + err.Error())
					return
				}
				timeout.Reset(raceAckTimeout)
			case <-ctx.Done():
				tab.fail(doc + ": no answer: " + ctx.Err().Error())
				return
			}
		}
		timeout.Stop()
	}
}

// count adds one to a counter of the tab.
func (tab *raceTab) count(n *int) {
	tab.mu.Lock()
	*n++
	tab.mu.Unlock()
}

func (tab *raceTab) fail(what string) {
	tab.mu.Lock()
	tab.failed = append(tab.failed, what)
	tab.mu.Unlock()
}
