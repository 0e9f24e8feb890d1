// Package client is a Go client of Temaplan's WebSocket protocol
// (docs/protocol.md) with the classic OT client state machine per document:
// synchronised, awaiting ack, awaiting ack with a buffer. The load generator
// and the multi-node simulation tests use it to type like a browser does.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/temaplan/temaplan/collab/delta"
)

// Options configures a client.
type Options struct {
	// URL is the WebSocket endpoint, e.g. ws://127.0.0.1:8080/api/ws.
	URL string
	// ClientID is the tab's id, kept across reconnects.
	ClientID string
	// Token returns the access token sent in hello. It is called for
	// every hello: at each connect, and again when the server says the
	// token has expired (error code unauthorized), so it may refresh.
	Token func() string
	// Header is sent with the upgrade request (Origin, Authorization).
	Header http.Header
	// OnAck is called for every acknowledged op with the time from its
	// first send to its ack.
	OnAck func(doc string, seq int64, latency time.Duration)
	// OnRemote is called for every op of another client applied here.
	OnRemote func(doc, src string, seq int64)
	// OnError is called for every error message from the server.
	OnError func(code, message string)
}

// Client is one connection (one "tab").
type Client struct {
	opt   Options
	check *delta.Validator

	mu     sync.Mutex
	ws     *websocket.Conn
	gen    int // connection generation, to ignore a closed reader
	seq    int64
	docs   map[string]*Doc
	closed bool
	wg     sync.WaitGroup
	change chan struct{} // closed and replaced on every state change
}

// Doc is the client's state of one document.
type Doc struct {
	plan, id string
	// v is the server version the client has seen and base the server's
	// text at v; content is the local text: base with inflight and buffer
	// applied.
	v        int64
	base     delta.Gathered
	content  delta.Gathered
	inflight *pending
	buffer   *delta.Delta
	ready    bool // snapshot or catch-up received since the last (re)subscribe
	opened   bool // a snapshot was received: the text is known
	// probe holds a snapshot that arrived with an op in flight (the gap
	// was too large to send as ops) until the server has said whether the
	// op is in it.
	probe *probe
	// fresh makes the next subscription ask for a snapshot rather than
	// the ops since v: the inflight op was committed after a snapshot, at
	// a version whose neighbours this client never saw.
	fresh bool
	errs  []string
}

// probe is a snapshot waiting for the verdict on the inflight op, with
// the document's messages that followed it.
type probe struct {
	snap  delta.Delta
	v     int64
	queue []message
}

type pending struct {
	seq  int64
	op   delta.Delta
	sent time.Time
}

// Dial connects and says hello.
func Dial(ctx context.Context, opt Options) (*Client, error) {
	// Edits are checked as the server checks them (without the document
	// length limit, which the server answers with too_large): an op the
	// server refuses would stay in flight for ever and wedge the document.
	lim := delta.DefaultLimits()
	lim.MaxDocument = 0
	check, err := delta.NewValidator(delta.DefaultWhitelist(), lim)
	if err != nil {
		return nil, fmt.Errorf("op validator: %w", err)
	}
	c := &Client{opt: opt, check: check, docs: map[string]*Doc{}, change: make(chan struct{})}
	if err := c.connect(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Client) connect(ctx context.Context) error {
	c.mu.Lock()
	url := c.opt.URL
	c.mu.Unlock()
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	ws, resp, err := d.DialContext(ctx, url, c.opt.Header)
	if err != nil {
		if resp != nil {
			return fmt.Errorf("dial %s: %s: %w", url, resp.Status, err)
		}
		return fmt.Errorf("dial %s: %w", url, err)
	}
	if err := ws.WriteJSON(c.hello()); err != nil {
		ws.Close()
		return fmt.Errorf("hello: %w", err)
	}
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, frame, err := ws.ReadMessage()
	if err != nil {
		ws.Close()
		return fmt.Errorf("welcome: %w", err)
	}
	// The welcome comes first; whatever shares its frame is handled
	// before the next frame.
	msgs := splitFrame(frame)
	var welcome struct{ Type, Code, Message string }
	if len(msgs) == 0 || json.Unmarshal(msgs[0], &welcome) != nil {
		ws.Close()
		return fmt.Errorf("welcome: malformed message %q", frame)
	}
	if welcome.Type != "welcome" {
		ws.Close()
		return fmt.Errorf("hello refused: %s: %s", welcome.Code, welcome.Message)
	}
	ws.SetReadDeadline(time.Time{})
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		ws.Close()
		return errors.New("client closed")
	}
	c.ws = ws
	c.gen++
	gen := c.gen
	// Resubscribe every document with its known version: the server sends
	// the ops since then (our own among them, recognised by src and seq),
	// then `synced`, after which the inflight op is resent.
	for _, d := range c.docs {
		c.subscribe(d)
	}
	c.wg.Add(1)
	c.mu.Unlock()
	go c.read(ws, gen, msgs[1:])
	return nil
}

// Close closes the connection for good.
func (c *Client) Close() error {
	c.mu.Lock()
	c.closed = true
	ws := c.ws
	c.mu.Unlock()
	if ws != nil {
		ws.Close()
	}
	c.wg.Wait()
	return nil
}

// Drop closes the connection without telling the client state: unacked
// ops stay pending, as when a network drops.
func (c *Client) Drop() {
	c.mu.Lock()
	ws := c.ws
	c.ws = nil
	c.mu.Unlock()
	if ws != nil {
		ws.Close()
	}
}

// Reconnect drops the connection (if any) and connects again, resending
// what is unacknowledged.
func (c *Client) Reconnect(ctx context.Context) error {
	c.Drop()
	return c.connect(ctx)
}

// ReconnectTo drops the connection and connects to url instead, which
// later reconnects use too: a tab behind a load balancer may land on any
// node, and the unacknowledged ops must survive the move.
func (c *Client) ReconnectTo(ctx context.Context, url string) error {
	c.mu.Lock()
	c.opt.URL = url
	c.mu.Unlock()
	return c.Reconnect(ctx)
}

// Open subscribes to a document and waits for its snapshot.
func (c *Client) Open(ctx context.Context, plan, doc string) error {
	c.mu.Lock()
	if _, ok := c.docs[doc]; !ok {
		d := &Doc{plan: plan, id: doc}
		c.docs[doc] = d
		c.subscribe(d)
	}
	c.mu.Unlock()
	return c.Wait(ctx, func() bool { return c.docs[doc].ready })
}

// Edit applies op to the local text and sends it (or buffers it while an
// op is in flight). It returns an error, and changes nothing, if op is not
// a valid change of the local text as the server validates it (it does
// not fit, splits a surrogate pair, is not normalised, uses a format that
// is not whitelisted): the local text may have moved on since the caller
// looked at it.
func (c *Client) Edit(doc string, op delta.Delta) error {
	return c.EditWith(doc, func(delta.Delta) delta.Delta { return op })
}

// EditWith is Edit with the op made by edit from the current local text,
// under the client's lock: no remote op can change the text between reading
// it and editing it, as a user's keystroke applies to what is on screen.
func (c *Client) EditWith(doc string, edit func(text delta.Delta) delta.Delta) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.docs[doc]
	if d == nil || !d.opened {
		return fmt.Errorf("document %s is not open", doc)
	}
	d.content = d.content.Flushed()
	cur := d.content.Doc()
	op := edit(cur)
	if err := c.check.Validate(op, cur); err != nil {
		return fmt.Errorf("edit of %s: %w", doc, err)
	}
	next, err := d.content.Apply(op)
	if err != nil {
		return err
	}
	d.content = next
	if d.buffer == nil {
		d.buffer = &op
	} else {
		b := d.buffer.Compose(op)
		d.buffer = &b
	}
	c.flush(d)
	c.notify()
	return nil
}

// Content returns the local text of doc and its server version.
func (c *Client) Content(doc string) (delta.Delta, int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.docs[doc]
	if d == nil {
		return delta.Delta{}, 0
	}
	d.content = d.content.Flushed()
	return d.content.Doc(), d.v
}

// Pending reports whether any op of doc is unacknowledged.
func (c *Client) Pending(doc string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.docs[doc]
	return d != nil && (d.inflight != nil || d.buffer != nil)
}

// Errors returns the op errors the server sent for doc.
func (c *Client) Errors(doc string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := c.docs[doc]; d != nil {
		return append([]string(nil), d.errs...)
	}
	return nil
}

// Wait waits until cond (called with the client's lock held) is true.
func (c *Client) Wait(ctx context.Context, cond func() bool) error {
	for {
		c.mu.Lock()
		ok := cond()
		ch := c.change
		c.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// WaitVersion waits until doc is at least at version v with nothing
// pending.
func (c *Client) WaitVersion(ctx context.Context, doc string, v int64) error {
	return c.Wait(ctx, func() bool {
		d := c.docs[doc]
		return d != nil && d.ready && d.v >= v && d.inflight == nil && d.buffer == nil
	})
}

func (c *Client) notify() {
	close(c.change)
	c.change = make(chan struct{})
}

// subscribe (re)subscribes to d: with its version, so that the server
// sends the ops since then and `synced`, or for a snapshot while the text
// is not known (or v cannot be trusted). Until then nothing is sent.
// Callers hold c.mu.
func (c *Client) subscribe(d *Doc) {
	d.ready, d.probe = false, nil
	m := map[string]any{"type": "sub", "plan": d.plan, "doc": d.id}
	if d.opened && !d.fresh {
		m["v"] = d.v
	}
	c.sendLocked(m)
}

// flush sends the buffer as the next op when the document is in sync and
// no op is in flight. Callers hold c.mu.
func (c *Client) flush(d *Doc) {
	if !d.ready || d.inflight != nil || d.buffer == nil {
		return
	}
	c.seq++
	d.inflight = &pending{seq: c.seq, op: *d.buffer, sent: time.Now()}
	d.buffer = nil
	c.sendOp(d)
}

// hello is the handshake message, with a current access token.
func (c *Client) hello() map[string]any {
	token := ""
	if c.opt.Token != nil {
		token = c.opt.Token()
	}
	return map[string]any{"type": "hello", "protocol": ProtocolVersion, "client": c.opt.ClientID, "token": token}
}

// ProtocolVersion is the version of docs/protocol.md the client speaks.
const ProtocolVersion = 2

func (c *Client) sendOp(d *Doc) {
	c.sendLocked(map[string]any{"type": "op", "doc": d.id, "v": d.v, "seq": d.inflight.seq, "op": d.inflight.op})
}

// sendLocked writes a message if connected; when not, the state machine
// resends after the reconnect. Callers hold c.mu.
func (c *Client) sendLocked(m any) {
	if c.ws == nil {
		return
	}
	c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if err := c.ws.WriteJSON(m); err != nil {
		c.ws.Close()
		c.ws = nil
	}
}

// SendRaw writes a raw message (for tests of bad input).
func (c *Client) SendRaw(data []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ws == nil {
		return errors.New("not connected")
	}
	return c.ws.WriteMessage(websocket.TextMessage, data)
}

type message struct {
	Type    string          `json:"type"`
	Doc     string          `json:"doc"`
	V       int64           `json:"v"`
	Seq     int64           `json:"seq"`
	Src     string          `json:"src"`
	Op      json.RawMessage `json:"op"`
	Data    json.RawMessage `json:"data"`
	Code    string          `json:"code"`
	Message string          `json:"message"`
}

// splitFrame returns the messages of a frame. The server sends what it
// has for a connection at once as one frame, the messages separated by
// newlines (JSON text never contains a raw newline); a frame of one
// message is just that message.
func splitFrame(frame []byte) [][]byte {
	msgs := bytes.Split(frame, []byte{'\n'})
	return slices.DeleteFunc(msgs, func(m []byte) bool { return len(bytes.TrimSpace(m)) == 0 })
}

// read handles first (the messages that shared the welcome's frame),
// then every frame of ws, message by message in order, until the
// connection ends.
func (c *Client) read(ws *websocket.Conn, gen int, first [][]byte) {
	defer c.wg.Done()
	c.receive(gen, first)
	for {
		_, frame, err := ws.ReadMessage()
		if err != nil {
			c.mu.Lock()
			if c.gen == gen && c.ws == ws {
				c.ws = nil
			}
			c.notify()
			c.mu.Unlock()
			return
		}
		c.receive(gen, splitFrame(frame))
	}
}

// receive applies the messages of one frame of connection generation gen.
func (c *Client) receive(gen int, msgs [][]byte) {
	if len(msgs) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	for _, data := range msgs {
		var m message
		if err := json.Unmarshal(data, &m); err != nil {
			continue
		}
		c.handle(m)
	}
	c.notify()
}

// handle applies one server message to the state machine. Callers hold
// c.mu.
func (c *Client) handle(m message) {
	d := c.docs[m.Doc]
	if d == nil {
		if m.Type == "error" && c.opt.OnError != nil {
			c.opt.OnError(m.Code, m.Message)
		}
		return
	}
	if d.probe != nil && !((m.Type == "ack" || m.Type == "error") && d.inflight != nil && m.Seq == d.inflight.seq) {
		// Later messages wait until the snapshot they follow is applied.
		d.probe.queue = append(d.probe.queue, m)
		return
	}
	switch m.Type {
	case "snapshot":
		var snap delta.Delta
		if err := json.Unmarshal(m.Data, &snap); err != nil {
			return
		}
		d.fresh = false
		switch {
		case d.inflight == nil && d.buffer == nil:
			d.v, d.base, d.content = m.V, delta.Gather(snap), delta.Gather(snap)
			d.ready, d.opened = true, true
		case d.inflight != nil:
			// Whether the inflight op is in the snapshot is unknown. Ask
			// by resending it as made: the server re-acks a committed
			// (doc, src, seq) whatever its version, and refuses an
			// uncommitted op this far behind as stale (or commits it now,
			// after the snapshot, if its limits allow).
			d.probe = &probe{snap: snap, v: m.V}
			c.sendOp(d)
		default:
			c.rebase(d, snap, m.V)
		}
	case "synced":
		if d.fresh {
			return // a snapshot is on its way
		}
		d.ready = true
		if d.inflight != nil {
			c.sendOp(d) // same seq: the server acks it if it was committed
		}
		c.flush(d)
	case "ack":
		if d.inflight == nil || m.Seq != d.inflight.seq {
			return // a duplicate ack, e.g. of a resend already recognised
		}
		if d.probe != nil {
			c.resolveProbe(d, true, m.V)
			return
		}
		c.acked(d, m.V)
	case "op":
		if d.fresh || m.V < d.v {
			return
		}
		if m.V > d.v {
			// A gap cannot happen on one ordered connection; resync.
			c.subscribe(d)
			return
		}
		if d.inflight != nil && m.Src == c.opt.ClientID && m.Seq == d.inflight.seq {
			c.acked(d, m.V) // our op, committed before a reconnect
			return
		}
		var op delta.Delta
		if err := json.Unmarshal(m.Op, &op); err != nil {
			return
		}
		if next, err := d.base.Apply(op); err == nil {
			d.base = next
		}
		// The remote op wins ties, as committed ops do on the server. The
		// buffer may be pending without an op in flight while the document
		// catches up.
		if d.inflight != nil {
			op1 := d.inflight.op.Transform(op, false)
			d.inflight.op = op.Transform(d.inflight.op, true)
			op = op1
		}
		if d.buffer != nil {
			op2 := d.buffer.Transform(op, false)
			b := op.Transform(*d.buffer, true)
			d.buffer = &b
			op = op2
		}
		if next, err := d.content.Apply(op); err == nil {
			d.content = next
		}
		d.v = m.V + 1
		if c.opt.OnRemote != nil {
			c.opt.OnRemote(d.id, m.Src, m.Seq)
		}
	case "error":
		if c.opt.OnError != nil {
			c.opt.OnError(m.Code, m.Message)
		}
		if d.inflight == nil || m.Seq != d.inflight.seq {
			return
		}
		d.errs = append(d.errs, m.Code)
		switch {
		case d.probe != nil && m.Code != "unavailable":
			c.resolveProbe(d, false, 0)
		case m.Code == "unauthorized":
			// The access token expired: renew it on this connection,
			// then catch up and resend (the op was not stored).
			c.sendLocked(c.hello())
			c.subscribe(d)
		case m.Code == "stale", m.Code == "unavailable":
			// Catch up and resend after `synced` (after a probe: get the
			// snapshot again and ask again).
			c.subscribe(d)
		}
	}
}

// resolveProbe applies the held snapshot once the server has said whether
// the inflight op was committed, and at which version, then the messages
// that followed the snapshot.
func (c *Client) resolveProbe(d *Doc, committed bool, v int64) {
	p := d.probe
	d.probe = nil
	if committed && v >= p.v {
		// Committed after the snapshot was taken, so not in it, amid ops
		// this client has not seen: fold it into the base and start over
		// from a fresh snapshot.
		c.ackDone(d)
		d.fresh = true
		c.subscribe(d)
		return
	}
	if committed {
		c.ackDone(d) // it is in the snapshot
	}
	c.rebase(d, p.snap, p.v)
	for _, m := range p.queue {
		c.handle(m)
	}
}

// rebase moves d onto a snapshot at version v that replaced a gap too
// large to send as ops: the unacknowledged ops are transformed over the
// change from the old base to the snapshot (which wins ties, as a
// committed op does) and resent. Nothing typed is dropped.
func (c *Client) rebase(d *Doc, snap delta.Delta, v int64) {
	r, err := docDiff(d.base.Doc(), snap)
	if err != nil {
		// Cannot happen for two documents; rather than diverge, take the
		// snapshot as it is.
		d.errs = append(d.errs, "rebase: "+err.Error())
		d.inflight, d.buffer = nil, nil
		r = delta.Delta{}
	}
	if d.inflight != nil {
		op := r.Transform(d.inflight.op, true)
		r = d.inflight.op.Transform(r, false)
		d.inflight.op = op
	}
	if d.buffer != nil {
		b := r.Transform(*d.buffer, true)
		if len(b.Ops) == 0 {
			d.buffer = nil
		} else {
			d.buffer = &b
		}
	}
	d.base, d.v, d.content = delta.Gather(snap), v, delta.Gather(snap)
	for _, p := range []*delta.Delta{pendingOp(d.inflight), d.buffer} {
		if p == nil {
			continue
		}
		if next, err := d.content.Apply(*p); err == nil {
			d.content = next
		}
	}
	d.ready, d.opened = true, true
	if d.inflight != nil {
		c.sendOp(d) // with its seq: it may still be committed elsewhere
	}
	c.flush(d)
}

func pendingOp(p *pending) *delta.Delta {
	if p == nil {
		return nil
	}
	return &p.op
}

// docDiff returns the change from document a to document b, like a.Diff(b),
// but keeps the final newlines of both aligned (as the browser client
// does): a plain diff may match a's last newline with an earlier one of b,
// and pending text transformed over it could land after the document's
// last newline, which Quill cannot show.
func docDiff(a, b delta.Delta) (delta.Delta, error) {
	if !endsWithNewline(a) || !endsWithNewline(b) {
		return a.Diff(b)
	}
	la, lb := a.Length(), b.Length()
	d, err := a.Slice(0, la-1).Diff(b.Slice(0, lb-1))
	if err != nil {
		return delta.Delta{}, err
	}
	if attrs := a.Ops[len(a.Ops)-1].Attributes.Diff(b.Ops[len(b.Ops)-1].Attributes); attrs != nil {
		var fix delta.Delta
		fix.Retain(lb-1, nil).Retain(1, attrs)
		d = d.Compose(fix)
	}
	return d, nil
}

func endsWithNewline(d delta.Delta) bool {
	n := len(d.Ops)
	return n > 0 && d.Ops[n-1].InsertEmbed == nil && strings.HasSuffix(d.Ops[n-1].Insert, "\n")
}

// acked completes the inflight op committed at version v and sends the
// buffer, if any. Callers hold c.mu.
func (c *Client) acked(d *Doc, v int64) {
	c.ackDone(d)
	d.v = v + 1
	c.flush(d)
}

// ackDone reports the inflight op acknowledged and makes it part of the
// base.
func (c *Client) ackDone(d *Doc) {
	if c.opt.OnAck != nil {
		c.opt.OnAck(d.id, d.inflight.seq, time.Since(d.inflight.sent))
	}
	if next, err := d.base.Apply(d.inflight.op); err == nil {
		d.base = next
	}
	d.inflight = nil
}
