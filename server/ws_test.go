package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/oklog/ulid/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/temaplan/temaplan/client"
	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/delta"
	"github.com/temaplan/temaplan/collab/sqlite"
	"github.com/temaplan/temaplan/server"
)

// wsNode is one Temaplan node (engine, hub, plans, HTTP server) on a store
// and a bus, as cmd/temaplan wires it, with accounts on the same store. The
// embedded testServer calls its REST API in-process (ts.do acts as kari,
// the administrator of m1 and leader of the plans she creates); url serves
// it over real HTTP for the WebSocket clients.
type wsNode struct {
	*testServer
	url    string
	engine *collab.Engine
}

// startWSNode starts a node. Nodes on one store share its accounts: a
// token from one node is good on every node (they sign with one secret).
// tune may change the configuration, e.g. put in accounts of its own.
func startWSNode(t *testing.T, store collab.Store, bus collab.Bus, tune func(*server.Config)) *wsNode {
	t.Helper()
	engine, err := collab.NewEngine(collab.EngineConfig{Store: store, Bus: bus, Beacon: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	// The engine places the lock markers of a plan's transitions.
	plans := collab.NewPlans(collab.PlansConfig{Store: store, Bus: bus, Engine: engine,
		NewID: func() string { return strings.ToLower(ulid.Make().String()) }})
	hub := collab.NewHub(bus, store, nil, 30*time.Second)
	reg := prometheus.NewRegistry()
	cfg := server.Config{Store: store, Bus: bus, Plans: plans, Engine: engine, Hub: hub, Registry: reg,
		Accounts: newTestAccounts(t, store)}
	if tune != nil {
		tune(&cfg)
	}
	srv := server.New(cfg)
	hs := httptest.NewUnstartedServer(srv.Handler())
	if cfg.WSSendQueue > 0 && cfg.WSSendQueue < 64 {
		// Slow-reader tests: small kernel buffers, so the queue fills.
		hs.Listener = smallBufListener{hs.Listener}
	}
	hs.Start()
	t.Cleanup(func() {
		hs.CloseClientConnections()
		hs.Close()
		hub.Close()
		engine.Close()
	})
	// REST answers are checked against the OpenAPI document by the REST
	// tests; here the API only sets the scene.
	ts := &testServer{t: t, srv: srv, store: store, bus: bus, plans: plans, accounts: cfg.Accounts, registry: reg}
	ts.kari = ts.user("kari@m1.no", "m1", true)
	ts.token = ts.kari.Token
	return &wsNode{testServer: ts, url: hs.URL, engine: engine}
}

// smallBufListener gives accepted connections a small send buffer.
type smallBufListener struct{ net.Listener }

func (l smallBufListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(4096)
	}
	return c, err
}

func (n *wsNode) wsURL() string { return "ws" + strings.TrimPrefix(n.url, "http") + "/api/ws" }

func sqliteStore(t *testing.T) collab.Store {
	s, err := sqlite.Open(context.Background(), t.TempDir()+"/t.db", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func memBus(t *testing.T) collab.Bus {
	b := collab.NewMemoryBus()
	t.Cleanup(func() { b.Close() })
	return b
}

// newPlanDoc creates a plan through n's API, led by kari, and returns its
// id and its first section's id.
func newPlanDoc(t *testing.T, n *wsNode) (string, string) {
	t.Helper()
	p := n.createPlan("Boligplan")
	return p.ID, p.Sections[0].ID
}

// dialClient connects a Go client to n as kari, the plans' leader: a
// writer. opt may change the options, e.g. log in as someone else with
// o.Token (see dialAs).
func dialClient(t *testing.T, n *wsNode, id string, opt func(*client.Options)) *client.Client {
	t.Helper()
	kari := n.kari.Token
	o := client.Options{URL: n.wsURL(), ClientID: id, Token: func() string { return kari }}
	if opt != nil {
		opt(&o)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// dialAs connects a Go client to n as u.
func dialAs(t *testing.T, n *wsNode, id string, u testUser) *client.Client {
	t.Helper()
	return dialClient(t, n, id, func(o *client.Options) { o.Token = func() string { return u.Token } })
}

func textOf(d delta.Delta) string {
	var b strings.Builder
	for _, op := range d.Ops {
		b.WriteString(op.Insert)
	}
	return b.String()
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// randomEdit returns a random insert, delete or format change that fits a
// text of length n (UTF-16 units), never splitting a surrogate pair.
func randomEdit(rng *rand.Rand, text string) delta.Delta {
	units := []int{0} // the UTF-16 offsets that are character boundaries
	for _, r := range text {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		units = append(units, units[len(units)-1]+w)
	}
	n := units[len(units)-1]
	pos := units[rng.IntN(len(units))]
	var d delta.Delta
	if pos > 0 {
		d.Retain(pos, nil)
	}
	switch k := rng.IntN(10); {
	case k < 6 || n == pos:
		words := []string{"bolig", "æøå", "Å", "😀", " ", "tiltak", "\n", "x"}
		d.Insert(words[rng.IntN(len(words))], nil)
	case k < 9:
		// Delete up to 3 characters from pos.
		end := pos
		for i, u := range units {
			if u == pos && i+1 < len(units) {
				end = units[min(i+1+rng.IntN(3), len(units)-1)]
			}
		}
		d.Delete(end - pos)
	default:
		end := pos
		for i, u := range units {
			if u == pos && i+1 < len(units) {
				end = units[i+1]
			}
		}
		d.Retain(end-pos, delta.Attributes{"bold": true})
	}
	return *d.Chop()
}

func TestWS_TwoClientsCoEditAndConverge(t *testing.T) {
	store, bus := sqliteStore(t), memBus(t)
	node := startWSNode(t, store, bus, nil)
	plan, doc := newPlanDoc(t, node)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, b := dialClient(t, node, "tab-a", nil), dialClient(t, node, "tab-b", nil)
	for _, c := range []*client.Client{a, b} {
		if err := c.Open(ctx, plan, doc); err != nil {
			t.Fatal(err)
		}
	}
	if n := gaugeValue(t, node.registry, "temaplan_websocket_connections"); n != 2 {
		t.Fatalf("websocket connections gauge = %v, want 2", n)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 200 {
		c := a
		if i%2 == 1 {
			c = b
		}
		if err := c.EditWith(doc, func(text delta.Delta) delta.Delta { return randomEdit(rng, textOf(text)) }); err != nil {
			t.Fatal(err)
		}
	}
	assertConverged(ctx, t, []*client.Client{a, b}, doc, node)
}

// assertConverged waits until the clients have nothing pending and agree,
// and checks the nodes serve the same content.
func assertConverged(ctx context.Context, t *testing.T, clients []*client.Client, doc string, nodes ...*wsNode) {
	t.Helper()
	var head int64
	for _, n := range nodes {
		if v, _, err := n.engine.Snapshot(ctx, doc); err == nil && v > head {
			head = v
		}
	}
	for {
		// The head may grow while the last ops are acked: wait for all to
		// reach the highest version any node knows.
		for _, c := range clients {
			if err := c.WaitVersion(ctx, doc, head); err != nil {
				content, v := c.Content(doc)
				t.Fatalf("client stuck at v=%d (want %d), pending=%v errors=%v: %q", v, head, c.Pending(doc), c.Errors(doc), textOf(content))
			}
		}
		max := head
		for _, c := range clients {
			if _, v := c.Content(doc); v > max {
				max = v
			}
		}
		if max == head {
			break
		}
		head = max
	}
	want, _ := clients[0].Content(doc)
	for i, c := range clients {
		got, v := c.Content(doc)
		if !got.Equal(want) {
			t.Fatalf("client %d at v=%d differs:\n%q\nwant\n%q", i, v, textOf(got), textOf(want))
		}
	}
	for i, n := range nodes {
		resp, err := http.Get(n.url + "/api/plans/" + "x" + "/sections/" + doc + "/content")
		if err == nil {
			resp.Body.Close()
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			v, content, err := n.engine.Snapshot(ctx, doc)
			if err != nil {
				t.Fatal(err)
			}
			if v == head && content.Equal(want) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("node %d at v=%d (clients %d) serves %q, want %q", i, v, head, textOf(content), textOf(want))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// rawWS is a bare WebSocket for protocol-level tests.
type rawWS struct {
	t  *testing.T
	ws *websocket.Conn
	// queued are the messages of the last frame not yet read.
	queued [][]byte
}

func dialRaw(t *testing.T, n *wsNode, d *websocket.Dialer) *rawWS {
	t.Helper()
	if d == nil {
		d = websocket.DefaultDialer
	}
	ws, _, err := d.Dial(n.wsURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return &rawWS{t: t, ws: ws}
}

// read returns the next message: a frame may carry several, separated
// by newlines (docs/protocol.md).
func (r *rawWS) read(deadline time.Time) ([]byte, error) {
	for len(r.queued) == 0 {
		r.ws.SetReadDeadline(deadline)
		_, frame, err := r.ws.ReadMessage()
		if err != nil {
			return nil, err
		}
		r.queued = bytes.Split(frame, []byte{'\n'})
	}
	m := r.queued[0]
	r.queued = r.queued[1:]
	return m, nil
}

func (r *rawWS) send(s string) {
	r.t.Helper()
	if err := r.ws.WriteMessage(websocket.TextMessage, []byte(s)); err != nil {
		r.t.Fatal(err)
	}
}

// next reads the next message that is not presence.
func (r *rawWS) next() map[string]any {
	r.t.Helper()
	for {
		data, err := r.read(time.Now().Add(10 * time.Second))
		if err != nil {
			r.t.Fatalf("read: %v", err)
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			r.t.Fatalf("server sent non-JSON %q", data)
		}
		if m["type"] != "presence" {
			return m
		}
	}
}

func (r *rawWS) expectError(code string) map[string]any {
	r.t.Helper()
	m := r.next()
	if m["type"] != "error" || m["code"] != code {
		r.t.Fatalf("got %v, want error %s", m, code)
	}
	return m
}

// hello logs the connection in as the holder of token and waits for the
// welcome.
func (r *rawWS) hello(client, token string) {
	r.t.Helper()
	r.send(fmt.Sprintf(`{"type":"hello","protocol":2,"client":%q,"token":%q}`, client, token))
	if m := r.next(); m["type"] != "welcome" {
		r.t.Fatalf("got %v, want welcome", m)
	}
}

// expectClosed checks that the server closes the connection (after any
// messages still queued).
func (r *rawWS) expectClosed() {
	r.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		data, err := r.read(deadline)
		if err == nil {
			continue
		}
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			r.t.Fatalf("connection still open (last message %s)", data)
		}
		return
	}
}

func TestWS_HandshakeIsRequired(t *testing.T) {
	node := startWSNode(t, sqliteStore(t), memBus(t), nil)
	token := node.kari.Token
	for _, c := range []struct{ first, code string }{
		{`{"type":"sub","plan":"p"}`, "unauthorized"},
		{`{"type":"hello","protocol":2,"client":"c1"}`, "unauthorized"},
		{fmt.Sprintf(`{"type":"hello","protocol":2,"client":"bad id!","token":%q}`, token), "bad_request"},
		{fmt.Sprintf(`{"type":"hello","protocol":1,"client":"c1","token":%q}`, token), "bad_request"},
		{`not json`, "bad_request"},
	} {
		r := dialRaw(t, node, nil)
		r.send(c.first)
		if m := r.next(); m["type"] != "error" || m["code"] != c.code {
			t.Fatalf("%s: got %v, want error %s", c.first, m, c.code)
		}
		r.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, _, err := r.ws.ReadMessage(); err == nil {
			t.Fatalf("%s: connection still open after a failed handshake", c.first)
		}
	}
}

func TestWS_BadInputGetsErrorsAndChangesNothing(t *testing.T) {
	store := sqliteStore(t)
	node := startWSNode(t, store, memBus(t), nil)
	plan, doc := newPlanDoc(t, node)
	other, _ := newPlanDoc(t, node)
	r := dialRaw(t, node, nil)
	r.hello("c1", node.kari.Token)
	cases := []struct {
		msg, code string
	}{
		{`{"type":`, "bad_request"},
		{`[1,2]`, "bad_request"},
		{`{"type":"dance"}`, "bad_request"},
		{fmt.Sprintf(`{"type":"hello","protocol":2,"client":"c2","token":%q}`, node.kari.Token), "bad_request"}, // another client
		{fmt.Sprintf(`{"type":"op","doc":%q,"v":0,"seq":1,"op":{"ops":[{"insert":"x"}]}}`, doc), "bad_request"}, // not subscribed
		{fmt.Sprintf(`{"type":"sub","plan":%q,"doc":%q}`, other, doc), "not_found"},                             // section of another plan
		{`{"type":"sub","plan":{"$gt":""},"doc":"x"}`, "bad_request"},
		{`{"type":"sub","plan":"nope"}`, "not_found"},
		{`{"type":"presence","plan":"nope","index":0,"length":0}`, "bad_request"},
	}
	for _, c := range cases {
		r.send(c.msg)
		r.expectError(c.code)
	}
	// Each is counted by its code.
	rec := httptest.NewRecorder()
	server.MetricsHandler(node.registry).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for _, want := range []string{`temaplan_errors_total{code="bad_request",source="ws"} 7`, `temaplan_errors_total{code="not_found",source="ws"} 2`} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// The connection is still usable: subscribe and commit an op.
	r.send(fmt.Sprintf(`{"type":"sub","plan":%q,"doc":%q}`, plan, doc))
	if m := r.next(); m["type"] != "snapshot" {
		t.Fatalf("got %v, want snapshot", m)
	}
	opCases := []struct {
		op, code string
	}{
		{`{"ops":[{"insert":"x","attributes":{"link":"javascript:alert(1)"}}]}`, "bad_op"},
		{`{"ops":[{"insert":"x","attributes":{"color":"red"}}]}`, "bad_op"},
		{`{"ops":[{"insert":{"image":"http://x/y.png"}}]}`, "bad_op"},
		{`{"ops":[{"retain":5},{"insert":"x"}]}`, "bad_op"},
		{`{"ops":[{"insert":"a"},{"insert":"b"}]}`, "bad_op"},
		{`{"ops":[{"insert":"x","delete":1}]}`, "bad_op"},
		{`{"ops":[{"insert":"\ud83d"}]}`, "bad_op"},
		{`{"ops":[{"insert":"` + strings.Repeat("a", 70<<10) + `"}]}`, "too_large"},
	}
	for i, c := range opCases {
		r.send(fmt.Sprintf(`{"type":"op","doc":%q,"v":0,"seq":%d,"op":%s}`, doc, i+1, c.op))
		m := r.expectError(c.code)
		if m["seq"] != float64(i+1) || m["doc"] != doc {
			t.Fatalf("error %v does not name doc and seq %d", m, i+1)
		}
	}
	r.send(fmt.Sprintf(`{"type":"op","doc":%q,"v":0,"seq":100,"op":{"ops":[{"insert":"hei"}]}}`, doc))
	if m := r.next(); m["type"] != "ack" || m["seq"] != float64(100) {
		t.Fatalf("got %v, want ack", m)
	}
	recs, err := store.Ops(context.Background(), doc, 0, -1)
	if err != nil || len(recs) != 1 {
		t.Fatalf("log has %d ops after bad input, want 1 (%v)", len(recs), err)
	}
	// A message over the 1 MiB read limit closes the connection.
	r.send(`{"type":"op","pad":"` + strings.Repeat("a", 1<<20) + `"}`)
	r.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		if _, _, err := r.ws.ReadMessage(); err != nil {
			if !websocket.IsCloseError(err, websocket.CloseMessageTooBig) && !strings.Contains(err.Error(), "reset") && !strings.Contains(err.Error(), "EOF") {
				t.Fatalf("oversize message: %v, want close 1009", err)
			}
			break
		}
	}
}

func TestWS_OriginIsChecked(t *testing.T) {
	node := startWSNode(t, sqliteStore(t), memBus(t), nil)
	h := http.Header{"Origin": {"https://evil.example"}}
	_, resp, err := websocket.DefaultDialer.Dial(node.wsURL(), h)
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign origin: err=%v resp=%v, want 403", err, resp)
	}
	h = http.Header{"Origin": {node.url}}
	ws, _, err := websocket.DefaultDialer.Dial(node.wsURL(), h)
	if err != nil {
		t.Fatalf("same origin refused: %v", err)
	}
	ws.Close()
}

// TestWS_SlowReaderIsDisconnected: a client that stops reading is cut off
// when its queue is full, and never slows down the others.
func TestWS_SlowReaderIsDisconnected(t *testing.T) {
	node := startWSNode(t, sqliteStore(t), memBus(t), func(c *server.Config) { c.WSSendQueue = 8 })
	plan, doc := newPlanDoc(t, node)
	// The slow client has a tiny receive buffer and never reads.
	small := &websocket.Dialer{NetDial: func(network, addr string) (net.Conn, error) {
		d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
			return c.Control(func(fd uintptr) {
				syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
			})
		}}
		return d.Dial(network, addr)
	}}
	slow := dialRaw(t, node, small)
	slow.send(fmt.Sprintf(`{"type":"hello","protocol":2,"client":"slow","token":%q}`, node.kari.Token))
	slow.send(fmt.Sprintf(`{"type":"sub","plan":%q,"doc":%q}`, plan, doc))

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	fast := dialClient(t, node, "fast", nil)
	if err := fast.Open(ctx, plan, doc); err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("boligsosial handlingsplan ", 400) // ~10 KB per op
	for i := range 150 {
		var d delta.Delta
		if i%2 == 0 {
			d.Insert(big, nil)
		} else {
			d.Delete(len(big))
		}
		if err := fast.Edit(doc, d); err != nil {
			t.Fatal(err)
		}
		if err := fast.WaitVersion(ctx, doc, 0); err != nil {
			t.Fatalf("the fast client was slowed down: %v", err)
		}
	}
	// The slow client's connection was closed by the server: after the
	// buffered messages, reading fails.
	slow.ws.SetReadDeadline(time.Now().Add(20 * time.Second))
	for {
		if _, _, err := slow.ws.ReadMessage(); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("the slow client is still connected")
			}
			break
		}
	}
}

// TestWS_ReconnectResendsExactlyOnce drops the connection right after
// sending, again and again: every op ends up in the log exactly once.
func TestWS_ReconnectResendsExactlyOnce(t *testing.T) {
	store := sqliteStore(t)
	node := startWSNode(t, store, memBus(t), nil)
	plan, doc := newPlanDoc(t, node)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	acked := map[int64]int{}
	var mu sync.Mutex
	c := dialClient(t, node, "flaky", func(o *client.Options) {
		o.OnAck = func(_ string, seq int64, _ time.Duration) { mu.Lock(); acked[seq]++; mu.Unlock() }
	})
	if err := c.Open(ctx, plan, doc); err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		var d delta.Delta
		d.Insert(fmt.Sprintf("%d,", i), nil)
		if err := c.Edit(doc, d); err != nil {
			t.Fatal(err)
		}
		if err := c.Reconnect(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.WaitVersion(ctx, doc, 0); err != nil {
		t.Fatal(err)
	}
	recs, err := store.Ops(ctx, doc, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	for _, r := range recs {
		if seen[r.Seq] {
			t.Fatalf("seq %d committed twice", r.Seq)
		}
		seen[r.Seq] = true
	}
	for seq, n := range acked {
		if n != 1 || !seen[seq] {
			t.Fatalf("seq %d acked %d times, in log %v", seq, n, seen[seq])
		}
	}
	content, _ := c.Content(doc)
	_, server, _ := node.engine.Snapshot(ctx, doc)
	if !content.Equal(server) || strings.Count(textOf(server), ",") != 40 {
		t.Fatalf("client %q, server %q", textOf(content), textOf(server))
	}
}

// gaugeValue reads a gauge by name from reg.
func gaugeValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.GetMetric()) == 1 {
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("metric %s not found", name)
	return 0
}

// TestWS_PingsAndProtocolErrors: the endpoint answers a ping with a pong,
// and a frame RFC 6455 forbids a client (here unmasked) closes the
// connection with 1002.
func TestWS_PingsAndProtocolErrors(t *testing.T) {
	node := startWSNode(t, sqliteStore(t), memBus(t), nil)
	ws, _, err := websocket.DefaultDialer.Dial(node.wsURL(), http.Header{"Origin": {node.url}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	pong := make(chan string, 1)
	ws.SetPongHandler(func(p string) error { pong <- p; return nil })
	if err := ws.WriteControl(websocket.PingMessage, []byte("hei"), time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	read := make(chan error, 1)
	go func() {
		_, _, err := ws.ReadMessage()
		read <- err
	}()
	select {
	case p := <-pong:
		if p != "hei" {
			t.Errorf("pong %q, want hei", p)
		}
	case err := <-read:
		t.Fatalf("no pong before %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("no pong within 5 s")
	}
	if _, err := ws.NetConn().Write([]byte{0x81, 0x02, 'h', 'i'}); err != nil { // text "hi", unmasked
		t.Fatal(err)
	}
	select {
	case err := <-read:
		if !websocket.IsCloseError(err, websocket.CloseProtocolError) {
			t.Fatalf("after an unmasked frame: %v, want close 1002", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the connection stayed open after an unmasked frame")
	}
}

// panicStore panics in PlanEntries once armed: a bug in the middle of the
// handling of a WebSocket message (the permission check reads the plan).
type panicStore struct {
	*sqlite.Store
	armed atomic.Bool
}

func (s *panicStore) PlanEntries(ctx context.Context, plan string, from int64) ([]collab.PlanEntry, error) {
	if s.armed.Load() {
		panic("test: a bug")
	}
	return s.Store.PlanEntries(ctx, plan, from)
}

// TestWS_APanicClosesAndLeaves: a connection whose handling panics is
// closed, and leaves its plan at once: the others are told its cursor has
// gone (not 30 s later, when the hub would give up on a silent peer).
func TestWS_APanicClosesAndLeaves(t *testing.T) {
	store := &panicStore{Store: sqliteStore(t).(*sqlite.Store)}
	node := startWSNode(t, store, memBus(t), nil)
	plan := node.createPlan("Boligplan").ID
	watcher, buggy := dialRaw(t, node, nil), dialRaw(t, node, nil)
	watcher.hello("watcher", node.token)
	buggy.hello("buggy", node.token)
	// presence waits for the watcher's presence message that want takes.
	presence := func(what string, want func(m map[string]any) bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			data, err := watcher.read(deadline)
			if err != nil {
				t.Fatalf("watcher, waiting for %s: %v", what, err)
			}
			var m map[string]any
			if json.Unmarshal(data, &m) == nil && m["type"] == "presence" && want(m) {
				return
			}
		}
	}
	sub := fmt.Sprintf(`{"type":"sub","plan":%q}`, plan)
	watcher.send(sub)
	presence("the list of who is there", func(m map[string]any) bool { _, ok := m["peers"]; return ok })
	buggy.send(sub)
	buggy.send(fmt.Sprintf(`{"type":"presence","plan":%q,"index":0,"length":0}`, plan))
	presence("the buggy client's cursor", func(m map[string]any) bool { return m["client"] == "buggy" && m["left"] == nil })

	// The access cache keeps the plan for up to 2 s; after that, the
	// next check reads it, and panics.
	time.Sleep(2100 * time.Millisecond)
	store.armed.Store(true)
	buggy.send(sub)
	buggy.expectClosed()
	store.armed.Store(false)
	presence("the buggy client gone", func(m map[string]any) bool { return m["client"] == "buggy" && m["left"] == true })
}
