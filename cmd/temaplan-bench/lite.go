package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/temaplan/temaplan/client"
	"github.com/temaplan/temaplan/collab/delta"
)

// Lite is the load scenarios' client: one WebSocket connection speaking
// docs/protocol.md with the least work per message, so that one bench
// process can drive hundreds of typing authors and thousands of readers.
// Unlike client.Client (the full OT client the converge and faults
// scenarios use) it keeps no text: an author inserts characters at random
// positions below a bound on the length of the text (every load scenario
// only inserts, so the text never shrinks and a position that was valid
// stays valid), and every client tracks only the version, checking that it
// sees each version once and in order and that it agrees with every other
// client on which op each version holds (Witness).
//
// Latency is measured from the moment an author sends an op (or a reviewer
// sends presence or a comment) to the moment a client receives its ack,
// broadcast, presence or event; the sender's send times are in rings that
// receivers look up by (src, seq). All clients of a scenario share one
// Load, which holds the registry, the witness tables and the current
// step's statistics.
type Lite struct {
	cfg  LiteConfig
	load *Load

	// ring holds the send times of this client's recent ops, presence
	// updates and comments, for receivers to look up.
	opRing, presRing, comRing stampRing

	mu  sync.Mutex
	ws  *websocket.Conn
	rng *rand.Rand
	// ready is set once the document's snapshot has arrived after a
	// (re)subscription; next is the version the client expects next.
	ready bool
	next  int64
	// bound is the highest position an insert may use: before the
	// document's final newline, in a text that only grows.
	bound int
	// hasText says the document holds a character before its final
	// newline, so that a comment can anchor on it.
	hasText  bool
	seq      int64
	inflight *liteOp
	owed     int // characters typed while an op was in flight
	acked    []OpID
	typing   bool // the author may type (the scenario pauses it)
	closed   bool
	// What went wrong, for the step's convergence check.
	gaps, repeats, strange int
	reconnects             int
	refused                int
	presN, comN            int64
}

// LiteConfig says what a Lite client is and does.
type LiteConfig struct {
	// ID is the client id of hello (the op src).
	ID string
	// Node is the index of the node it talks to; URL the node's WebSocket
	// endpoint.
	Node int
	URL  string
	// Token returns the access token (a Session's Token).
	Token func() string
	// Plan is the plan; Doc the section document, "" for none.
	Plan, Doc string
	// SubPlan subscribes the plan too (events and presence).
	SubPlan bool
	// Group is the client's group in per-group statistics (a plan in the
	// municipalities scenario); -1 for none.
	Group int
	// Author makes the client type; ClosedLoop makes it send its next op
	// as soon as the last is acknowledged (the hot scenario) instead of
	// when keys are pressed.
	Author, ClosedLoop bool
	// Reviewer marks a reviewer (presence and comments, by the scenario),
	// acting as Account.
	Reviewer bool
	Account  string
	// Seed seeds its random choices.
	Seed uint64
}

// liteOp is an op in flight.
type liteOp struct {
	seq   int64
	v     int64
	pos   int
	text  string
	first time.Time // first send
	// resent marks an op sent again after a reconnect: its ack may name a
	// version before the new snapshot (it was committed before it).
	resent bool
}

// stampRing holds the send times of a client's last 256 numbered messages.
type stampRing [256]struct{ n, at atomic.Int64 }

func (r *stampRing) put(n int64, at time.Time) {
	s := &r[n&255]
	s.at.Store(at.UnixNano())
	s.n.Store(n)
}

// get returns when message n was sent, if it is still in the ring.
func (r *stampRing) get(n int64) (time.Time, bool) {
	s := &r[n&255]
	if s.n.Load() != n {
		return time.Time{}, false
	}
	at := s.at.Load()
	if s.n.Load() != n {
		return time.Time{}, false
	}
	return time.Unix(0, at), true
}

// liteMsg is the part of a server message a Lite client reads.
type liteMsg struct {
	Type    string          `json:"type"`
	Doc     string          `json:"doc"`
	Plan    string          `json:"plan"`
	V       int64           `json:"v"`
	Seq     int64           `json:"seq"`
	Src     string          `json:"src"`
	Client  string          `json:"client"`
	Index   int64           `json:"index"`
	Left    bool            `json:"left"`
	Kind    string          `json:"kind"`
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

// DialLite connects a client, says hello and subscribes; it returns once
// the subscriptions are sent (Ready tells when the snapshot is in).
func DialLite(ctx context.Context, load *Load, cfg LiteConfig) (*Lite, error) {
	l := &Lite{cfg: cfg, load: load, rng: rand.New(rand.NewPCG(cfg.Seed, 0x11e))}
	load.register(l)
	ws, err := l.connect(ctx)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.ws = ws
	l.mu.Unlock()
	load.wg.Go(func() { l.read(ws) })
	return l, nil
}

// liteDialer keeps the bench's buffers small: thousands of idle clients.
var liteDialer = websocket.Dialer{HandshakeTimeout: 15 * time.Second, ReadBufferSize: 2048, WriteBufferSize: 1024}

// connect dials, says hello, waits for welcome and sends the
// subscriptions (the document's without a version: a fresh snapshot).
func (l *Lite) connect(ctx context.Context) (*websocket.Conn, error) {
	ws, resp, err := liteDialer.DialContext(ctx, l.cfg.URL, nil)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("client %s: dial: %s: %w", l.cfg.ID, resp.Status, err)
		}
		return nil, fmt.Errorf("client %s: dial: %w", l.cfg.ID, err)
	}
	fail := func(err error) (*websocket.Conn, error) {
		ws.Close()
		return nil, fmt.Errorf("client %s: %w", l.cfg.ID, err)
	}
	_ = ws.SetWriteDeadline(time.Now().Add(15 * time.Second))
	if err := ws.WriteMessage(websocket.TextMessage, l.hello()); err != nil {
		return fail(fmt.Errorf("hello: %w", err))
	}
	_ = ws.SetReadDeadline(time.Now().Add(15 * time.Second))
	var welcome liteMsg
	if err := ws.ReadJSON(&welcome); err != nil {
		return fail(fmt.Errorf("welcome: %w", err))
	}
	if welcome.Type != "welcome" {
		return fail(fmt.Errorf("hello refused: %s: %s", welcome.Code, welcome.Message))
	}
	_ = ws.SetReadDeadline(time.Time{})
	var subs [][]byte
	if l.cfg.SubPlan {
		subs = append(subs, fmt.Appendf(nil, `{"type":"sub","plan":%q}`, l.cfg.Plan))
	}
	if l.cfg.Doc != "" {
		subs = append(subs, fmt.Appendf(nil, `{"type":"sub","plan":%q,"doc":%q}`, l.cfg.Plan, l.cfg.Doc))
	}
	for _, m := range subs {
		if err := ws.WriteMessage(websocket.TextMessage, m); err != nil {
			return fail(fmt.Errorf("subscribe: %w", err))
		}
	}
	return ws, nil
}

func (l *Lite) hello() []byte {
	tok := ""
	if l.cfg.Token != nil {
		tok = l.cfg.Token()
	}
	return fmt.Appendf(nil, `{"type":"hello","protocol":%d,"client":%q,"token":%q}`, client.ProtocolVersion, l.cfg.ID, tok)
}

// Ready reports whether the client has its document's snapshot (or has
// none to wait for).
func (l *Lite) Ready() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cfg.Doc == "" || l.ready
}

// Close closes the connection for good.
func (l *Lite) Close() {
	l.mu.Lock()
	l.closed = true
	ws := l.ws
	l.mu.Unlock()
	if ws != nil {
		ws.Close()
	}
}

// read handles the server's messages until the connection ends; then it
// reconnects, unless the client was closed.
func (l *Lite) read(ws *websocket.Conn) {
	// One buffer for every frame of the connection: nothing keeps a
	// frame's bytes after it is handled.
	var buf bytes.Buffer
	for {
		frame, err := readFrame(ws, &buf)
		if err != nil {
			ws.Close()
			if ws = l.reconnect(); ws == nil {
				return
			}
			continue
		}
		now := time.Now()
		// One message per frame today; a server that coalesces several
		// into one frame would separate them by newlines (JSON never has
		// a raw newline inside a value) or send an array.
		switch {
		case len(frame) > 0 && frame[0] == '[':
			var msgs []json.RawMessage
			if json.Unmarshal(frame, &msgs) == nil {
				for _, m := range msgs {
					l.handle(m, now)
				}
			}
		case bytes.IndexByte(frame, '\n') >= 0:
			for m := range bytes.SplitSeq(frame, []byte{'\n'}) {
				if len(bytes.TrimSpace(m)) > 0 {
					l.handle(m, now)
				}
			}
		default:
			l.handle(frame, now)
		}
	}
}

// readFrame reads the next message of ws into buf and returns its bytes,
// valid until the next call.
func readFrame(ws *websocket.Conn, buf *bytes.Buffer) ([]byte, error) {
	_, r, err := ws.NextReader()
	if err != nil {
		return nil, err
	}
	buf.Reset()
	if _, err := buf.ReadFrom(r); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// reconnect connects again after the connection was lost (a slow reader
// disconnected by the server, a node that went away), with a fresh
// snapshot; an op in flight is sent again with its seq once it is in. It
// gives up after a minute, and returns nil when the client is closed.
func (l *Lite) reconnect() *websocket.Conn {
	deadline := time.Now().Add(time.Minute)
	for wait := 50 * time.Millisecond; ; wait = min(wait*2, 2*time.Second) {
		l.mu.Lock()
		closed := l.closed
		l.ws, l.ready = nil, false
		l.mu.Unlock()
		if closed || time.Now().After(deadline) {
			return nil
		}
		time.Sleep(wait)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		ws, err := l.connect(ctx)
		cancel()
		if err != nil {
			continue
		}
		l.mu.Lock()
		if l.closed {
			l.mu.Unlock()
			ws.Close()
			return nil
		}
		l.ws = ws
		l.reconnects++
		l.mu.Unlock()
		l.load.reconnects.Add(1)
		return ws
	}
}

// handle applies one message.
func (l *Lite) handle(data []byte, now time.Time) {
	var m liteMsg
	if !decodeOpOrAck(data, &m) && !decodePresence(data, &m) {
		if err := json.Unmarshal(data, &m); err != nil {
			l.load.errors.Add("bench: undecodable message")
			return
		}
	}
	st := l.load.step.Load()
	switch m.Type {
	case "snapshot":
		l.snapshot(m)
	case "op":
		l.op(m, now, st)
	case "ack":
		l.ack(m, now, st)
	case "presence":
		if m.Client == "" || m.Left || st == nil {
			return // the list of peers on joining, or a peer leaving
		}
		if s := l.load.sender(m.Client); s != nil {
			if at, ok := s.presRing.get(m.Index); ok {
				st.Presence.Add(now.Sub(at))
			}
		}
	case "event":
		if m.Kind == "comment.added" && st != nil {
			l.commentEvent(m, now, st)
		}
	case "error":
		l.serverError(m)
	}
}

func (l *Lite) snapshot(m liteMsg) {
	if m.Doc != l.cfg.Doc {
		return
	}
	var text delta.Delta
	if err := json.Unmarshal(m.Data, &text); err != nil {
		l.load.errors.Add("bench: bad snapshot")
		return
	}
	n := text.Length()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ready, l.next = true, m.V
	l.bound = max(l.bound, n-1)
	l.hasText = l.hasText || n > 1
	if l.inflight != nil {
		// Whether it was committed before the connection went is
		// unknown: the same seq is acked if it was, committed now if not.
		l.inflight.resent = true
		l.sendOpLocked()
		return
	}
	l.flushLocked()
}

func (l *Lite) op(m liteMsg, now time.Time, st *StepStats) {
	if m.Doc != l.cfg.Doc {
		return
	}
	l.mu.Lock()
	ok := l.ready
	if ok {
		l.version(m.V)
		l.hasText = true
	}
	l.mu.Unlock()
	if !ok {
		return
	}
	if w := l.load.witness(m.Doc); w != nil {
		w.Observe(m.V, m.Src, m.Seq)
	}
	l.load.received.Add(1)
	if st == nil {
		return
	}
	if s := l.load.sender(m.Src); s != nil {
		if at, ok := s.opRing.get(m.Seq); ok {
			d := now.Sub(at)
			st.Bcast.Add(d)
			if s.cfg.Node == l.cfg.Node {
				st.BcastSame.Add(d)
			} else {
				st.BcastCross.Add(d)
			}
			if g := st.group(l.cfg.Group); g != nil {
				g.Bcast.Add(d)
			}
		}
	}
}

// version accounts for the message of version v: the next expected, or a
// gap, or one seen before. Callers hold l.mu.
func (l *Lite) version(v int64) {
	switch {
	case v > l.next:
		l.gaps += int(v - l.next)
	case v < l.next:
		l.repeats++
	}
	l.next = max(l.next, v+1)
}

func (l *Lite) ack(m liteMsg, now time.Time, st *StepStats) {
	if m.Doc != l.cfg.Doc {
		return
	}
	l.mu.Lock()
	op := l.inflight
	if op == nil || op.seq != m.Seq {
		l.strange++
		l.mu.Unlock()
		l.load.errors.Add("bench: unexpected ack")
		return
	}
	if m.V >= l.next || !op.resent {
		// A resent op committed before the new snapshot is in it.
		l.version(m.V)
	}
	l.inflight = nil
	l.bound += len([]rune(op.text))
	l.hasText = true
	l.acked = append(l.acked, OpID{Src: l.cfg.ID, Seq: op.seq})
	l.flushLocked()
	l.mu.Unlock()

	if w := l.load.witness(m.Doc); w != nil {
		w.Observe(m.V, l.cfg.ID, op.seq)
	}
	l.load.acks.Add(1)
	if st != nil {
		d := now.Sub(op.first)
		st.Ack.Add(d)
		if g := st.group(l.cfg.Group); g != nil {
			g.Ack.Add(d)
		}
	}
}

func (l *Lite) serverError(m liteMsg) {
	l.load.errors.Add(m.Code)
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case m.Code == "unauthorized":
		// The access token expired: say hello again with a fresh one (the
		// session renews it), then resend what was refused.
		l.writeLocked(l.hello())
		if l.inflight != nil && m.Seq == l.inflight.seq && m.Doc == l.cfg.Doc {
			l.sendOpLocked()
		}
	case l.inflight == nil || m.Seq != l.inflight.seq || m.Doc != l.cfg.Doc:
	case m.Code == "unavailable" || m.Code == "stale":
		// Not stored (or not known to be): resubscribe for a fresh
		// snapshot and send it again, at the new version.
		l.ready = false
		l.inflight.v = -1
		l.writeLocked(fmt.Appendf(nil, `{"type":"sub","plan":%q,"doc":%q}`, l.cfg.Plan, l.cfg.Doc))
	default:
		// Refused for good (forbidden, locked, bad_op, …): nothing was
		// stored; type on.
		l.refused++
		l.inflight = nil
		l.flushLocked()
	}
}

// commentEvent measures the latency of a comment written by a bench
// reviewer, whose body names it.
func (l *Lite) commentEvent(m liteMsg, now time.Time, st *StepStats) {
	var ev struct {
		Comment struct {
			Body string `json:"body"`
		} `json:"comment"`
	}
	if json.Unmarshal(m.Data, &ev) != nil {
		return
	}
	src, n, ok := parseCommentNonce(ev.Comment.Body)
	if !ok || src == l.cfg.ID {
		return
	}
	if s := l.load.sender(src); s != nil {
		if at, ok := s.comRing.get(n); ok {
			st.CommentEvent.Add(now.Sub(at))
		}
	}
}

// commentBody returns the body of a bench comment: it names its writer and
// number, so that receivers can find when it was sent.
func commentBody(src string, n int64) string {
	return fmt.Sprintf("bench:%s:%d Hvor kommer tallet fra?", src, n)
}

func parseCommentNonce(body string) (src string, n int64, ok bool) {
	rest, ok := strings.CutPrefix(body, "bench:")
	if !ok {
		return "", 0, false
	}
	src, rest, ok = strings.Cut(rest, ":")
	if !ok {
		return "", 0, false
	}
	num, _, _ := strings.Cut(rest, " ")
	n, err := strconv.ParseInt(num, 10, 64)
	return src, n, err == nil
}

// Type presses n keys: they are sent as one op now, or composed into the
// next op while one is in flight.
func (l *Lite) Type(n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.typing {
		return
	}
	l.owed += n
	l.flushLocked()
}

// SetTyping lets the author type or stops it; a stopped closed-loop author
// sends nothing more once its op in flight is acknowledged.
func (l *Lite) SetTyping(on bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.typing = on
	if on && l.cfg.ClosedLoop && l.owed == 0 {
		l.owed = 1
	}
	l.flushLocked()
}

// flushLocked sends what was typed, when nothing is in flight. Callers
// hold l.mu.
func (l *Lite) flushLocked() {
	if !l.cfg.Author || !l.ready || l.inflight != nil || l.ws == nil {
		return
	}
	if l.cfg.ClosedLoop && l.typing && l.owed == 0 {
		l.owed = 1 // the hot loop: the next op at once
	}
	if l.owed == 0 {
		return
	}
	n := min(l.owed, 64)
	l.owed -= n
	l.seq++
	l.inflight = &liteOp{seq: l.seq, v: -1, pos: l.rng.IntN(l.bound + 1), text: l.word(n), first: time.Now()}
	l.sendOpLocked()
}

// sendOpLocked sends the op in flight, made on the current version unless
// it was sent before (a resend keeps its version). Callers hold l.mu.
func (l *Lite) sendOpLocked() {
	op := l.inflight
	if !l.ready || l.ws == nil {
		return // sent after the snapshot
	}
	if op.v < 0 {
		op.v = l.next
	}
	b := make([]byte, 0, 160)
	b = append(b, `{"type":"op","doc":`...)
	b = strconv.AppendQuote(b, l.cfg.Doc)
	b = append(b, `,"v":`...)
	b = strconv.AppendInt(b, op.v, 10)
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, op.seq, 10)
	b = append(b, `,"op":{"ops":[`...)
	if op.pos > 0 {
		b = append(b, `{"retain":`...)
		b = strconv.AppendInt(b, int64(op.pos), 10)
		b = append(b, `},`...)
	}
	b = append(b, `{"insert":`...)
	b = strconv.AppendQuote(b, op.text)
	b = append(b, `}]}}`...)
	l.opRing.put(op.seq, time.Now())
	l.writeLocked(b)
}

// liteAlphabet is what authors type: letters of one UTF-16 unit each, so
// that a position is always a character boundary.
var liteAlphabet = []rune("abdegiklmnorstuv   enrsæøåÆØÅé,.")

func (l *Lite) word(n int) string {
	r := make([]rune, n)
	for i := range r {
		r[i] = liteAlphabet[l.rng.IntN(len(liteAlphabet))]
	}
	return string(r)
}

// SendPresence moves the reviewer's cursor: the index is the update's
// number, which receivers use to find when it was sent (the server only
// relays it).
func (l *Lite) SendPresence() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.presN++
	l.presRing.put(l.presN, time.Now())
	l.writeLocked(fmt.Appendf(nil, `{"type":"presence","plan":%q,"doc":%q,"index":%d,"length":0}`, l.cfg.Plan, l.cfg.Doc, l.presN))
}

// NextComment returns the next comment of a reviewer, anchored on the
// first character at the client's current version, and records its send
// time; ok is false while the section has no text to anchor on.
func (l *Lite) NextComment() (c NewComment, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.ready || !l.hasText {
		return NewComment{}, false
	}
	l.comN++
	l.comRing.put(l.comN, time.Now())
	return NewComment{Section: l.cfg.Doc, V: l.next, Index: 0, Length: 1, Body: commentBody(l.cfg.ID, l.comN)}, true
}

// writeLocked writes one message; a failed write closes the connection,
// and the reader reconnects. Callers hold l.mu.
func (l *Lite) writeLocked(b []byte) {
	if l.ws == nil {
		return
	}
	_ = l.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if err := l.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		l.ws.Close()
		l.ws = nil
	}
}

// LiteState is a client's state at the end of a step.
type LiteState struct {
	Ready   bool
	Next    int64
	Pending bool // an op in flight or keys not yet sent
	Gaps    int
	Repeats int
	Strange int
	Closed  bool
}

// State returns the client's state now.
func (l *Lite) State() LiteState {
	l.mu.Lock()
	defer l.mu.Unlock()
	return LiteState{Ready: l.ready, Next: l.next, Pending: l.inflight != nil || l.owed > 0,
		Gaps: l.gaps, Repeats: l.repeats, Strange: l.strange, Closed: l.ws == nil}
}

// Acked returns the ops acknowledged to the client.
func (l *Lite) Acked() []OpID {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]OpID(nil), l.acked...)
}

// errClosed is returned by waits on a closed load.
var errClosed = errors.New("closed")

// decodeOpOrAck reads the fields the load clients use of an op or ack as
// the server encodes them — {"type":"op","doc":…,"v":…,"op":{…},"src":…,
// "seq":…,…} and {"type":"ack","doc":…,"v":…,"seq":…} — without
// encoding/json, which was half of the bench's CPU with a thousand
// clients reading every op. It reports false for anything else (then the
// caller decodes the message in full).
func decodeOpOrAck(data []byte, m *liteMsg) bool {
	var rest []byte
	switch {
	case bytes.HasPrefix(data, []byte(`{"type":"op","doc":"`)):
		m.Type, rest = "op", data[len(`{"type":"op","doc":"`):]
	case bytes.HasPrefix(data, []byte(`{"type":"ack","doc":"`)):
		m.Type, rest = "ack", data[len(`{"type":"ack","doc":"`):]
	default:
		return false
	}
	doc, rest, ok := plainString(rest)
	if !ok {
		return false
	}
	if m.V, rest, ok = intField(rest, `,"v":`); !ok {
		return false
	}
	m.Doc = doc
	if m.Type == "ack" {
		m.Seq, rest, ok = intField(rest, `,"seq":`)
		return ok && string(rest) == "}"
	}
	// The op's JSON comes next; src and seq follow it. Inside the op a
	// quote is always escaped, so the last `,"src":"` is the field.
	i := bytes.LastIndex(rest, []byte(`,"src":"`))
	if i < 0 || !bytes.HasPrefix(rest, []byte(`,"op":`)) {
		return false
	}
	src, rest, ok := plainString(rest[i+len(`,"src":"`):])
	if !ok {
		return false
	}
	m.Src = src
	m.Seq, _, ok = intField(rest, `,"seq":`)
	return ok
}

// decodePresence reads another client's presence as the server encodes it
// (collab.Presence: {"type":"presence","plan":…,"client":…,…,"index":…,
// …} with "left":true at the end when it left) without encoding/json,
// like decodeOpOrAck: every reviewer's cursor reaches a dozen clients. The
// user's name may hold anything, but not an unescaped quote, so the first
// `,"index":` after the client is the field.
func decodePresence(data []byte, m *liteMsg) bool {
	rest, ok := bytes.CutPrefix(data, []byte(`{"type":"presence","plan":"`))
	if !ok {
		return false
	}
	plan, rest, ok := plainString(rest)
	if !ok || !bytes.HasPrefix(rest, []byte(`,"client":"`)) {
		return false
	}
	client, rest, ok := plainString(rest[len(`,"client":"`):])
	if !ok {
		return false
	}
	i := bytes.Index(rest, []byte(`,"index":`))
	if i < 0 {
		return false
	}
	if m.Index, _, ok = intField(rest[i:], `,"index":`); !ok {
		return false
	}
	m.Type, m.Plan, m.Client = "presence", plan, client
	m.Left = bytes.HasSuffix(rest, []byte(`,"left":true}`))
	return true
}

// plainString reads a JSON string without escapes up to its closing quote
// (its opening quote already read).
func plainString(b []byte) (string, []byte, bool) {
	i := bytes.IndexByte(b, '"')
	if i < 0 || bytes.IndexByte(b[:i], '\\') >= 0 {
		return "", nil, false
	}
	return string(b[:i]), b[i+1:], true
}

// intField reads `name` followed by a non-negative integer.
func intField(b []byte, name string) (int64, []byte, bool) {
	if !bytes.HasPrefix(b, []byte(name)) {
		return 0, nil, false
	}
	b = b[len(name):]
	n, i := int64(0), 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9' && i < 18; i++ {
		n = n*10 + int64(b[i]-'0')
	}
	if i == 0 {
		return 0, nil, false
	}
	return n, b[i:], true
}
