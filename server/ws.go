package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/temaplan/temaplan/alarm"
	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/delta"
)

// Limits of the WebSocket endpoint (docs/protocol.md, "Limits").
const (
	protocolVersion = 2
	wsReadLimit     = 1 << 20
	wsMaxOpBytes    = 64 << 10
	wsMaxDocs       = 200
	wsMaxPlans      = 20
	wsSendQueue     = 1024
	wsFrameBytes    = 1 << 20                // a frame of several messages
	wsCoalesce      = 20 * time.Millisecond  // a busy connection writes broadcasts once per this at most
	wsCoalesceMax   = 250 * time.Millisecond // ... lengthened to this with many connections
	wsCoalescePer   = 50 * time.Microsecond  // ... by this per open connection
	wsGatherMax     = 250 * time.Millisecond // the longest a broadcast to a quiet connection waits for others ...
	wsGatherPer     = 60 * time.Microsecond  // ... that long per open connection ...
	wsGatherFrom    = 1000                   // ... past this many
	wsPresenceWait  = 250 * time.Millisecond // the same for a cursor (wsCoalescePer per open connection)
	wsPooledFrame   = 64 << 10               // larger frame buffers are not kept
	wsWriteWait     = 10 * time.Second
	wsWriteSlack    = time.Second // a write's deadline is between wsWriteWait-this and wsWriteWait
	wsPongWait      = 60 * time.Second
	wsPingEvery     = 25 * time.Second
	wsHelloWait     = 10 * time.Second
	wsWriters       = 4                     // writerPool goroutines per CPU that take turns at the writes ...
	wsWritersMax    = 64                    // ... and at most, while writes block on slow clients
	wsWriteStall    = 50 * time.Millisecond // no write ended for this long: the writers are blocked
)

var clientIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// collabAPI serves the WebSocket endpoint and the section content: the
// edit path from the browser to the engine.
type collabAPI struct {
	engine   *collab.Engine
	hub      *collab.Hub
	plans    *collab.Plans
	accounts *auth.Accounts
	access   *accessCache
	bus      collab.Bus
	log      *slog.Logger
	origins  []string
	queue    int
	sockets  prometheus.Gauge
	metrics  *httpMetrics

	// upgrader lends each connection a write buffer from writeBufs only
	// while it writes a frame; frames holds the buffers frames of several
	// messages are joined in. An idle connection holds neither.
	upgrader  websocket.Upgrader
	writeBufs sync.Pool
	frames    sync.Pool
	// readChunks holds the buffers connections read frames into while
	// they have a message pending (frameReader).
	readChunks sync.Pool
	// writers runs the send queues' writes; clock starts them when they
	// have waited long enough.
	writers *writerPool
	clock   *alarm.Clock

	// ctx is the context of every connection, cancelled at shutdown;
	// running counts the connections' goroutines, which Shutdown waits for.
	ctx     context.Context
	cancel  context.CancelFunc
	running sync.WaitGroup

	// open holds the live connections, so shutdown can close them and a
	// revoked membership closes its subscriptions; watches are the plan
	// channels this node follows for that. closed is set at shutdown:
	// no connection opens after it.
	mu   sync.Mutex
	open map[*conn]struct{}
	// count is len(open), read without the lock for coalesce.
	count atomic.Int64
	// pressure lengthens the write waits while the CPU is short.
	pressure *writePressure
	watches  map[string]*watch
	closed   bool
}

// routesCollab registers the WebSocket endpoint GET /api/ws and the section
// content route GET /api/plans/:id/sections/:sid/content on the /api group.
func (s *Server) routesCollab(g *echo.Group) {
	if s.cfg.Engine == nil {
		return
	}
	queue := s.cfg.WSSendQueue
	if queue <= 0 {
		queue = wsSendQueue
	}
	a := &collabAPI{engine: s.cfg.Engine, hub: s.cfg.Hub, plans: s.cfg.Plans, accounts: s.cfg.Accounts,
		access: s.access, bus: s.cfg.Bus, log: s.log,
		origins: s.cfg.Origins, queue: queue, sockets: s.metrics.sockets, metrics: s.metrics,
		open: map[*conn]struct{}{}, watches: map[string]*watch{}}
	a.ctx, a.cancel = context.WithCancel(context.Background())
	a.pressure = &writePressure{}
	go a.pressure.watch(a.ctx, func(f int64) { s.metrics.writeFactor.Set(float64(f)) })
	a.clock = alarm.New()
	go a.clock.Run(a.ctx)
	a.writers = newWriterPool(a.ctx, wsWriters*runtime.GOMAXPROCS(0), wsWritersMax*runtime.GOMAXPROCS(0), wsWriteStall)
	a.upgrader = websocket.Upgrader{
		// The connection reads with a frameReader of its own, and
		// gorilla's read buffer is never used: the smallest it takes
		// (rather than the HTTP server's 4 KiB, kept with the request).
		ReadBufferSize:  128,
		WriteBufferSize: 4096,
		WriteBufferPool: &a.writeBufs,
		CheckOrigin:     a.checkOrigin,
	}
	a.readChunks.New = func() any {
		b := make([]byte, wsReadChunk)
		return &b
	}
	s.collab = a
	// http.Server.Shutdown does not wait for hijacked connections: tell
	// every client to go away (they reconnect to another node).
	s.closers = append(s.closers, a.closeAll, a.followAccounts())
	g.GET("/ws", a.serveWS)
}

// content answers a section's current text and version.
func (s *Server) content(c echo.Context) error {
	if s.cfg.Engine == nil {
		return collab.Errorf(collab.CodeNotFound, "this server edits no section text")
	}
	p := planOf(c)
	if _, _, ok := p.Find(c.Param("sid")); !ok {
		return collab.Errorf(collab.CodeNotFound, "section %q is not part of plan %q", c.Param("sid"), p.ID)
	}
	v, d, err := s.cfg.Engine.Snapshot(c.Request().Context(), c.Param("sid"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"v": v, "data": d})
}

// section checks that sectionID is a section of planID.
func (a *collabAPI) section(ctx context.Context, planID, sectionID string) (*collab.Plan, error) {
	p, err := a.access.get(ctx, planID)
	if err != nil {
		return nil, err
	}
	if _, _, ok := p.Find(sectionID); !ok {
		return nil, collab.Errorf(collab.CodeNotFound, "section %q is not part of plan %q", sectionID, planID)
	}
	return p, nil
}

// checkOrigin accepts browsers from the configured origins, or from the
// same host when none are configured. Non-browser clients send no Origin.
func (a *collabAPI) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	if len(a.origins) > 0 && slices.Contains(a.origins, origin) {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

func (a *collabAPI) serveWS(c echo.Context) error {
	ws, err := a.upgrader.Upgrade(c.Response(), c.Request(), nil)
	if err != nil {
		// The upgrader has written the HTTP error.
		a.log.Debug("websocket upgrade failed", "err", err)
		return nil
	}
	// The access log and metrics record the upgrade, not a 200.
	c.Response().Status = http.StatusSwitchingProtocols
	cn := &conn{api: a, ws: ws, done: make(chan struct{}),
		docs: map[string]*collab.Subscription{}, docPlan: map[string]string{}, plans: map[string]*collab.PlanSub{}}
	cn.out = newSendQueue(a.clock, a.queue, wsCoalesce, cn.writeBatch, isAnswer)
	cn.out.lingerFor = a.coalesce
	cn.out.gatherFor, cn.out.lazy, cn.out.lazyFor = a.gather, collab.IsPresence, a.presenceWait
	cn.out.writers = a.writers
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		ws.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.CloseGoingAway, "server shutting down"), time.Now().Add(time.Second))
		ws.Close()
		return nil
	}
	a.open[cn] = struct{}{}
	a.count.Add(1)
	a.running.Add(1)
	a.mu.Unlock()
	a.sockets.Inc()
	// The connection goes on in a goroutine of its own and the handler
	// returns, so that net/http lets go of the request, its write buffer
	// and the deep stack of the middleware chain, which an idle
	// connection would otherwise hold for its whole life.
	go func() {
		defer a.running.Done()
		defer func() {
			a.sockets.Dec()
			a.mu.Lock()
			delete(a.open, cn)
			a.count.Add(-1)
			a.mu.Unlock()
		}()
		cn.serve(a.ctx)
	}()
	return nil
}

// coalesce is how long a busy connection waits between two writes of
// broadcasts: wsCoalesce, lengthened by wsCoalescePer for each open
// connection up to wsCoalesceMax. Each write is a system call on the
// server and a read on the client whatever it carries, and with a
// thousand connections following one section the writes were most of the
// server's work; waiting longer sends the same messages in fewer frames.
// Acks and errors do not wait (sendQueue's urgent).
func (a *collabAPI) coalesce() time.Duration {
	return a.pressure.stretch(min(max(wsCoalesce, time.Duration(a.count.Load())*wsCoalescePer), wsCoalesceMax))
}

// isAnswer tells the messages that answer the client's own: the engine's
// replies (collab.IsReply: acks, errors, snapshots, who is present) and
// the welcome. They are written at once; an idle connection is only ever
// sent these, and never sets a timer.
func isAnswer(msg []byte) bool {
	return collab.IsReply(msg) || bytes.HasPrefix(msg, []byte(`{"type":"welcome"`))
}

// gather is how long a broadcast that finds its connection quiet waits for
// other messages to share its write: wsGatherPer for each open connection
// past wsGatherFrom, up to wsGatherMax (12 ms with 1 200 connections, 108
// ms with 2 800, 250 ms from 5 200). A few connections get their
// broadcasts at once; five thousand, each sent the edits and cursors of
// its plan several times a second, would otherwise make a write of each
// (see sendQueue). With a plan's edits coming every quarter of a second
// or so, a shorter wait (50 ms at most) left one write per edit for each
// of its connections, which on one core at 500 plans was a third of the
// node's work; the typist's own acks never wait, the others see the text
// up to this late. It starts late because it adds to the linger of a
// connection written lately: 60 ms of it with 1 200 connections all
// following one section made their frames a third rarer and the acks'
// p95 twice as long.
func (a *collabAPI) gather() time.Duration {
	return a.pressure.stretch(min(time.Duration(max(a.count.Load()-wsGatherFrom, 0))*wsGatherPer, wsGatherMax))
}

// presenceWait is the same for another client's cursor, which nobody
// waits for as they wait for text: wsCoalesce, lengthened by wsCoalescePer
// for each open connection up to wsPresenceWait.
func (a *collabAPI) presenceWait() time.Duration {
	return a.pressure.stretch(min(max(wsCoalesce, time.Duration(a.count.Load())*wsCoalescePer), wsPresenceWait))
}

// wait waits until every connection's goroutine has ended, or ctx.
func (a *collabAPI) wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		a.running.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("websocket connections still open: %w", ctx.Err())
	}
}

// closeAll closes every connection with "going away", and refuses new
// ones.
func (a *collabAPI) closeAll() {
	a.mu.Lock()
	a.closed = true
	conns := make([]*conn, 0, len(a.open))
	for cn := range a.open {
		conns = append(conns, cn)
	}
	a.mu.Unlock()
	for _, cn := range conns {
		cn.ws.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.CloseGoingAway, "server shutting down"), time.Now().Add(time.Second))
		cn.close()
	}
	a.cancel()
}

// conn is one WebSocket connection (one browser tab). The reader goroutine
// handles messages; the send queue's writer owns all data writes (pings
// and close frames are control frames, which gorilla lets any goroutine
// write). Everything sent to the client goes through the bounded send
// queue: a client that does not read fast enough is disconnected, never
// allowed to slow down others.
type conn struct {
	api  *collabAPI
	ws   *websocket.Conn
	out  *sendQueue
	ping atomic.Pointer[time.Timer]
	done chan struct{}
	once sync.Once
	// closeCode is set before closeWith's sentinel is queued.
	closeCode int
	// writeBy is the write deadline set last; only the writer uses it.
	writeBy time.Time

	client string
	// helloDone is set by the reader when the first hello succeeded.
	helloDone bool

	mu sync.Mutex
	// who is the authenticated person; expires is when their access token
	// ends (a later hello with a fresh token extends it).
	who     auth.Account
	user    collab.User
	expires time.Time
	docs    map[string]*collab.Subscription
	docPlan map[string]string // doc → the plan it was subscribed in
	plans   map[string]*collab.PlanSub
}

// sink queues msg for the client; when the queue is full the connection is
// closed and false returned.
func (cn *conn) sink(msg []byte) bool {
	switch err := cn.out.push(msg); err {
	case nil:
		return true
	case errQueueFull:
		cn.api.log.Info("websocket client too slow; disconnecting", "client", cn.client)
		cn.close()
	}
	return false
}

// closeWith sends msg, then a close frame with code, and waits (briefly)
// until the writer has sent them.
func (cn *conn) closeWith(msg []byte, code int) {
	cn.closeCode = code
	if cn.sink(msg) && cn.sink(nil) {
		select {
		case <-cn.done:
		case <-time.After(2 * time.Second):
		}
	}
}

func (cn *conn) close() {
	cn.once.Do(func() {
		cn.out.close()
		if t := cn.ping.Load(); t != nil {
			t.Stop()
		}
		close(cn.done)
		cn.ws.Close()
	})
}

func (cn *conn) serve(ctx context.Context) {
	defer cn.end()
	defer func() {
		// A bug must leave neither a silent, open socket nor the
		// connection's subscriptions (its cursor would stay in the plan):
		// log it, and end closes and leaves; the client reconnects and
		// resyncs.
		if r := recover(); r != nil {
			cn.api.log.Error("websocket handler panicked", "client", cn.client, "panic", r)
		}
	}()
	// The keepalive pings come from a timer, not from a goroutine that
	// waits for it: an idle connection has only its reader.
	cn.ping.Store(time.AfterFunc(wsPingEvery, cn.sendPing))
	cn.readLoop(ctx)
}

// end closes the connection, waits for its writer, and leaves its
// documents and plans.
func (cn *conn) end() {
	cn.close()
	if t := cn.ping.Load(); t != nil {
		t.Stop() // in case close came before the timer was set
	}
	cn.out.wait()
	cn.mu.Lock()
	docs, docPlan, plans := cn.docs, cn.docPlan, cn.plans
	cn.docs, cn.docPlan, cn.plans = map[string]*collab.Subscription{}, map[string]string{}, map[string]*collab.PlanSub{}
	cn.mu.Unlock()
	for doc, s := range docs {
		s.Unsubscribe()
		cn.api.unwatch(docPlan[doc])
	}
	for id, p := range plans {
		p.Leave()
		cn.api.unwatch(id)
	}
}

// sendPing writes a keepalive ping and sets the timer for the next one.
func (cn *conn) sendPing() {
	if err := cn.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(wsWriteWait)); err != nil {
		cn.close()
		return
	}
	select {
	case <-cn.done:
	default:
		// A close racing with this Reset leaves one more ping to fail
		// against the closed socket; it re-arms nothing.
		cn.ping.Load().Reset(wsPingEvery)
	}
}

// writeBatch sends msgs, the messages the client was sent since the last
// write, in as few frames as it can: several messages share a frame,
// separated by newlines (JSON text never contains a raw newline), up to
// wsFrameBytes; a larger message goes alone. Each message was encoded
// once for all its recipients and is only copied here. A nil message is
// closeWith's sentinel: everything before it is written, then the close
// frame, and the connection is closed.
func (cn *conn) writeBatch(msgs [][]byte) bool {
	for len(msgs) > 0 {
		if msgs[0] == nil {
			cn.ws.WriteControl(websocket.CloseMessage,
				websocket.FormatCloseMessage(cn.closeCode, ""), time.Now().Add(time.Second))
			cn.close()
			return false
		}
		n, size := 1, len(msgs[0])
		for n < len(msgs) && msgs[n] != nil && size+1+len(msgs[n]) <= wsFrameBytes {
			size += 1 + len(msgs[n])
			n++
		}
		if err := cn.writeFrame(msgs[:n], size); err != nil {
			cn.close()
			return false
		}
		cn.api.metrics.frames.Inc()
		cn.api.metrics.messages.Add(float64(n))
		msgs = msgs[n:]
	}
	return true
}

// writeFrame writes msgs (size bytes joined) as one text frame.
func (cn *conn) writeFrame(msgs [][]byte, size int) error {
	// Setting the deadline moves the socket's timer, which at thousands of
	// frames a second was 3 % of the node's work: it is moved only when
	// less than wsWriteWait-wsWriteSlack of it is left, so a write has
	// between the two to finish.
	if now := time.Now(); cn.writeBy.Sub(now) < wsWriteWait-wsWriteSlack {
		cn.writeBy = now.Add(wsWriteWait)
		cn.ws.SetWriteDeadline(cn.writeBy)
	}
	if len(msgs) == 1 {
		return cn.ws.WriteMessage(websocket.TextMessage, msgs[0])
	}
	buf, _ := cn.api.frames.Get().(*[]byte)
	if buf == nil {
		buf = new([]byte)
	}
	frame := slices.Grow((*buf)[:0], size)
	for i, m := range msgs {
		if i > 0 {
			frame = append(frame, '\n')
		}
		frame = append(frame, m...)
	}
	err := cn.ws.WriteMessage(websocket.TextMessage, frame)
	if cap(frame) <= wsPooledFrame {
		*buf = frame[:0]
		cn.api.frames.Put(buf)
	}
	return err
}

// inMsg is any client message; fields are used by type.
type inMsg struct {
	Type     string          `json:"type"`
	Protocol int             `json:"protocol"`
	Client   string          `json:"client"`
	Name     string          `json:"name"`
	Token    string          `json:"token"`
	Plan     string          `json:"plan"`
	Doc      string          `json:"doc"`
	V        *int64          `json:"v"`
	Seq      int64           `json:"seq"`
	Op       json.RawMessage `json:"op"`
	Index    int             `json:"index"`
	Length   int             `json:"length"`
}

// readLoop reads the client's messages until the connection ends. It is
// kept small, and the handling is in receive: an idle connection's
// goroutine waits in here, and the stack under the wait is what the
// garbage collector can shrink it to (frameReader).
func (cn *conn) readLoop(ctx context.Context) {
	r := newFrameReader(cn.ws.NetConn(), &cn.api.readChunks, wsReadLimit)
	defer r.release()
	r.onPing, r.onPong = cn.pong, cn.ponged
	cn.ws.SetReadDeadline(time.Now().Add(wsHelloWait))
	for {
		kind, data, err := r.next()
		if err != nil {
			cn.readFailed(err)
			return
		}
		if !cn.receive(ctx, kind, data) {
			return
		}
	}
}

// pong answers a ping (as gorilla's own reader does).
func (cn *conn) pong(payload []byte) error {
	err := cn.ws.WriteControl(websocket.PongMessage, payload, time.Now().Add(wsWriteWait))
	if errors.Is(err, websocket.ErrCloseSent) {
		return nil
	}
	return err
}

// ponged extends the read deadline: the client is there.
func (cn *conn) ponged() error {
	return cn.ws.SetReadDeadline(time.Now().Add(wsPongWait))
}

// readFailed ends the reading: a close from the client is answered with
// its code, a frame too large or against the protocol with 1009 or 1002;
// a broken socket or a passed deadline gets nothing.
func (cn *conn) readFailed(err error) {
	code, text := 0, ""
	var closed closeReceived
	switch {
	case errors.As(err, &closed):
		code = closed.code
	case errors.Is(err, errFrameTooLarge):
		code, text = websocket.CloseMessageTooBig, "message too large"
	case errors.Is(err, errProtocol):
		code, text = websocket.CloseProtocolError, err.Error()
	default:
		return
	}
	cn.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second))
}

// receive handles one message of the client; false ends the connection.
func (cn *conn) receive(ctx context.Context, kind int, data []byte) bool {
	var m inMsg
	var err error
	if kind != websocket.TextMessage {
		err = collab.Errorf(collab.CodeBadRequest, "messages must be JSON text")
	} else if jerr := decodeInMsg(data, &m); jerr != nil {
		err = collab.Errorf(collab.CodeBadRequest, "malformed message: %v", jerr)
	}
	if !cn.helloDone {
		if err == nil {
			err = cn.hello(ctx, m)
		}
		if err != nil {
			cn.api.metrics.failed("ws", collab.ErrorCode(err))
			cn.closeWith(collab.EncodeError(err, "", 0), websocket.ClosePolicyViolation)
			return false
		}
		cn.helloDone = true
		cn.ws.SetReadDeadline(time.Now().Add(wsPongWait))
		return true
	}
	cn.ws.SetReadDeadline(time.Now().Add(wsPongWait))
	if err == nil && m.Type != "hello" && cn.expired() {
		err = collab.Errorf(collab.CodeUnauthorized, "the access token has expired; refresh it and send hello again")
	}
	if err == nil {
		err = cn.handle(ctx, m)
	}
	if err != nil {
		cn.api.metrics.failed("ws", collab.ErrorCode(err))
		cn.sink(encodeMsgError(err, m))
	}
	return true
}

// encodeMsgError answers a failed message with the plan, document and seq
// it was about, so the client knows which subscription or op failed (seq
// is 0 for anything but an op).
func encodeMsgError(err error, m inMsg) []byte {
	e := collab.ErrorMsg{Type: "error", Code: collab.ErrorCode(err), Message: collab.ErrorMessage(err)}
	switch m.Type {
	case "op":
		e.Doc, e.Seq = &m.Doc, &m.Seq
	case "sub", "unsub", "presence":
		e.Plan = m.Plan
		if m.Doc != "" {
			var zero int64
			e.Doc, e.Seq = &m.Doc, &zero
		}
	}
	b, _ := json.Marshal(e)
	return b
}

// hello checks the handshake: the access token says who the connection
// acts for. A later hello on the same connection renews the token (it must
// be the same person), so a client whose token expired keeps its socket and
// its subscriptions.
func (cn *conn) hello(ctx context.Context, m inMsg) error {
	if m.Type != "hello" {
		return collab.Errorf(collab.CodeUnauthorized, "the first message must be hello")
	}
	if m.Protocol != protocolVersion {
		return collab.Errorf(collab.CodeBadRequest, "protocol version %d is not supported (want %d)", m.Protocol, protocolVersion)
	}
	if !clientIDPattern.MatchString(m.Client) {
		return collab.Errorf(collab.CodeBadRequest, "client must be 1–64 characters A–Z, a–z, 0–9, _ or -")
	}
	pr, err := cn.api.accounts.Authenticate(ctx, m.Token)
	if err != nil {
		return err
	}
	cn.mu.Lock()
	if cn.client != "" && (m.Client != cn.client || pr.Account.ID != cn.who.ID) {
		cn.mu.Unlock()
		return collab.Errorf(collab.CodeBadRequest, "a repeated hello must be for the same client and user")
	}
	cn.client = m.Client
	cn.who, cn.expires = pr.Account, pr.Claims.ExpiresAt
	cn.user = collab.User{ID: pr.Account.ID, Name: pr.Account.Name}
	user := cn.user
	cn.mu.Unlock()
	// The type first: a welcome is the reply to hello, written at once
	// (isAnswer).
	welcome, _ := json.Marshal(struct {
		Type     string      `json:"type"`
		Protocol int         `json:"protocol"`
		User     collab.User `json:"user"`
		Time     string      `json:"time"`
	}{"welcome", protocolVersion, user, time.Now().UTC().Format(time.RFC3339Nano)})
	cn.sink(welcome)
	return nil
}

// expired reports whether the connection's access token has expired.
func (cn *conn) expired() bool {
	cn.mu.Lock()
	defer cn.mu.Unlock()
	return !time.Now().Before(cn.expires)
}

// account returns who the connection acts for.
func (cn *conn) account() auth.Account {
	cn.mu.Lock()
	defer cn.mu.Unlock()
	return cn.who
}

// allowed checks the connection's person may do action on planID, with the
// plan as this node knows it (see accessCache).
func (cn *conn) allowed(ctx context.Context, planID string, action auth.Action) error {
	p, err := cn.api.access.get(ctx, planID)
	if err != nil {
		return err
	}
	err = allow(cn.account(), p, action)
	if err == nil {
		return nil
	}
	// A refusal is decided on the plan as it is, not as cached: the
	// change that allows it (a return, a new membership) may have been
	// committed a moment before its event reached this node — and a
	// client resends its held edits on the unlock marker, which comes
	// before that event.
	cn.api.access.invalidate(planID)
	if p, ferr := cn.api.access.get(ctx, planID); ferr == nil {
		err = allow(cn.account(), p, action)
	}
	return err
}

func (cn *conn) handle(ctx context.Context, m inMsg) error {
	switch m.Type {
	case "sub":
		if m.Doc != "" {
			return cn.subDoc(ctx, m)
		}
		return cn.subPlan(ctx, m)
	case "unsub":
		cn.unsub(m)
		return nil
	case "op":
		return cn.op(ctx, m)
	case "presence":
		cn.mu.Lock()
		ps := cn.plans[m.Plan]
		cn.mu.Unlock()
		if ps == nil {
			return collab.Errorf(collab.CodeBadRequest, "subscribe to the plan before sending presence")
		}
		if err := cn.allowed(ctx, m.Plan, auth.ActionReadPlan); err != nil {
			return err
		}
		if m.Index < 0 || m.Length < 0 {
			return collab.Errorf(collab.CodeBadRequest, "index and length must not be negative")
		}
		ps.Presence(m.Doc, m.Index, m.Length)
		return nil
	case "hello":
		return cn.hello(ctx, m)
	default:
		return collab.Errorf(collab.CodeBadRequest, "unknown message type %q", m.Type)
	}
}

func (cn *conn) subDoc(ctx context.Context, m inMsg) error {
	// Watch the plan before reading it for the check, so that no change
	// of membership falls between the check and the watch (see watch).
	events, err := cn.api.watch(m.Plan)
	if err != nil {
		return err
	}
	p, err := cn.api.section(ctx, m.Plan, m.Doc)
	if err == nil {
		err = allow(cn.account(), p, auth.ActionReadPlan)
	}
	if err != nil {
		cn.api.unwatch(m.Plan)
		return err
	}
	cn.mu.Lock()
	old := cn.docs[m.Doc]
	if old == nil && len(cn.docs) >= wsMaxDocs {
		cn.mu.Unlock()
		cn.api.unwatch(m.Plan)
		return collab.Errorf(collab.CodeTooLarge, "at most %d documents per connection", wsMaxDocs)
	}
	oldPlan := cn.docPlan[m.Doc]
	delete(cn.docs, m.Doc)
	delete(cn.docPlan, m.Doc)
	cn.mu.Unlock()
	if old != nil {
		old.Unsubscribe()
		cn.api.unwatch(oldPlan)
	}
	sub, err := cn.api.engine.Subscribe(ctx, m.Doc, m.V, cn.sink)
	if err != nil {
		cn.api.unwatch(m.Plan)
		return err
	}
	cn.mu.Lock()
	cn.docs[m.Doc] = sub
	cn.docPlan[m.Doc] = m.Plan
	cn.mu.Unlock()
	return cn.recheckSince(ctx, m.Plan, events)
}

func (cn *conn) subPlan(ctx context.Context, m inMsg) error {
	events, err := cn.api.watch(m.Plan)
	if err != nil {
		return err
	}
	if err := cn.allowed(ctx, m.Plan, auth.ActionReadPlan); err != nil {
		cn.api.unwatch(m.Plan)
		return err
	}
	cn.mu.Lock()
	old := cn.plans[m.Plan]
	if old == nil && len(cn.plans) >= wsMaxPlans {
		cn.mu.Unlock()
		cn.api.unwatch(m.Plan)
		return collab.Errorf(collab.CodeTooLarge, "at most %d plans per connection", wsMaxPlans)
	}
	delete(cn.plans, m.Plan)
	cn.mu.Unlock()
	if old != nil {
		old.Leave()
		cn.api.unwatch(m.Plan)
	}
	cn.mu.Lock()
	user := cn.user
	cn.mu.Unlock()
	ps, err := cn.api.hub.Join(ctx, m.Plan, cn.client, user, m.Seq, cn.sink)
	if err != nil {
		cn.api.unwatch(m.Plan)
		return err
	}
	cn.mu.Lock()
	cn.plans[m.Plan] = ps
	cn.mu.Unlock()
	return cn.recheckSince(ctx, m.Plan, events)
}

func (cn *conn) unsub(m inMsg) {
	cn.mu.Lock()
	var sub *collab.Subscription
	var ps *collab.PlanSub
	var plan string
	if m.Doc != "" {
		sub, plan = cn.docs[m.Doc], cn.docPlan[m.Doc]
		delete(cn.docs, m.Doc)
		delete(cn.docPlan, m.Doc)
	} else {
		ps, plan = cn.plans[m.Plan], m.Plan
		delete(cn.plans, m.Plan)
	}
	cn.mu.Unlock()
	if sub != nil {
		sub.Unsubscribe()
		cn.api.unwatch(plan)
	}
	if ps != nil {
		ps.Leave()
		cn.api.unwatch(plan)
	}
}

func (cn *conn) op(ctx context.Context, m inMsg) error {
	if len(m.Op) > wsMaxOpBytes {
		return collab.Errorf(collab.CodeTooLarge, "an op may be at most %d bytes", wsMaxOpBytes)
	}
	if m.V == nil || *m.V < 0 {
		return collab.Errorf(collab.CodeBadRequest, "op needs the version it was made on (v)")
	}
	if m.Seq <= 0 {
		return collab.Errorf(collab.CodeBadRequest, "op needs a positive seq")
	}
	cn.mu.Lock()
	sub, plan, by := cn.docs[m.Doc], cn.docPlan[m.Doc], cn.who.ID
	cn.mu.Unlock()
	if sub == nil {
		return collab.Errorf(collab.CodeBadRequest, "subscribe to the document before sending ops")
	}
	// Only the leader edits, and only in an editable phase; nothing is
	// stored otherwise. The lock's exactness is the engine's marker, this
	// check only answers early.
	if err := cn.allowed(ctx, plan, auth.ActionEditText); err != nil {
		return err
	}
	op, err := delta.Parse(m.Op)
	if err != nil {
		return collab.Wrap(collab.CodeBadOp, err, "the op is not a valid delta: "+err.Error())
	}
	sub.Submit(collab.Submission{V: *m.V, Src: cn.client, Seq: m.Seq, By: by, Op: op})
	return nil
}
