// Package redis is the Redis pub/sub implementation of collab.Bus, which
// lets several nodes serve the same plans: a message published on one node
// reaches the subscribers on every node.
//
// Each Bus keeps one pub/sub connection for all its channels. go-redis
// reconnects that connection and subscribes its channels again on its own,
// silently; messages published meanwhile are lost. The Bus therefore
// watches the subscription confirmations that Redis sends and calls the
// handlers' Resync after each one, so that they catch up from the store.
package redis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/bits"
	"sync"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/temaplan/temaplan/collab"
)

// Options configure a Bus. The zero value is usable.
type Options struct {
	// Prefix is put before every channel name, so that several deployments
	// (or tests) can share one Redis. Default "temaplan:".
	Prefix string
	// QueueSize is how many messages a subscription may have waiting for
	// its handler before more are dropped for it. Default
	// collab.DefaultBusQueueSize.
	QueueSize int
	// PublishTimeout bounds one Publish. Default 2 s.
	PublishTimeout time.Duration
}

const (
	defaultPrefix         = "temaplan:"
	defaultPublishTimeout = 2 * time.Second
	// commandTimeout bounds a SUBSCRIBE or UNSUBSCRIBE command.
	commandTimeout = 5 * time.Second
	// minBackoff and maxBackoff bound the wait between attempts to
	// reconnect the pub/sub connection.
	minBackoff = 50 * time.Millisecond
	maxBackoff = 2 * time.Second
	// reconcileEvery is how often the channels that Redis has not
	// confirmed are looked at; resubscribeAfter is how long a channel may
	// stay unconfirmed on a working connection before SUBSCRIBE is sent
	// again.
	reconcileEvery   = time.Second
	resubscribeAfter = 3 * time.Second
)

// Bus is a collab.Bus on Redis pub/sub.
//
// Three kinds of goroutine run: the receiver reads the pub/sub connection
// and hands messages and confirmations out; the manager sends SUBSCRIBE and
// UNSUBSCRIBE to make Redis's subscriptions match the wanted channels; and
// each subscription has a delivery goroutine (collab.BusQueue). Close
// stops them all and waits for them.
type Bus struct {
	client *goredis.Client
	pubsub *goredis.PubSub
	opts   Options
	log    *slog.Logger
	desc   string

	ctx  context.Context // cancelled by Close
	stop context.CancelFunc
	wg   sync.WaitGroup // receiver and manager
	wake chan struct{}  // tells the manager that the wanted channels changed

	dropped     atomic.Uint64
	connected   atomic.Bool  // the receiver's last read succeeded
	connectedAt atomic.Int64 // unix nanoseconds of the last reconnect

	mu     sync.RWMutex
	closed bool
	// wanted holds the subscriptions of each channel (by Redis name).
	wanted map[string]map[*collab.BusQueue]struct{}
	// confirmed holds the channels that Redis has confirmed on the current
	// connection. A new subscription to a confirmed channel is live at
	// once; one to another channel waits for the confirmation.
	confirmed map[string]bool
}

var _ collab.Bus = (*Bus)(nil)

// Open connects to the Redis at url (redis://[user:password@]host:port/db,
// rediss:// for TLS, see go-redis's ParseURL), checks that it answers and
// starts the bus. log may be nil.
func Open(ctx context.Context, url string, opts Options, log *slog.Logger) (*Bus, error) {
	ropts, err := goredis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redis bus: parse url: %w", err)
	}
	if opts.Prefix == "" {
		opts.Prefix = defaultPrefix
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = collab.DefaultBusQueueSize
	}
	if opts.PublishTimeout <= 0 {
		opts.PublishTimeout = defaultPublishTimeout
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	client := goredis.NewClient(ropts)
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("redis bus: ping %s: %w", ropts.Addr, err)
	}

	b := &Bus{
		client:    client,
		pubsub:    client.Subscribe(ctx), // no channel yet: connects lazily
		opts:      opts,
		log:       log,
		desc:      describe(ropts),
		wake:      make(chan struct{}, 1),
		wanted:    make(map[string]map[*collab.BusQueue]struct{}),
		confirmed: make(map[string]bool),
	}
	b.ctx, b.stop = context.WithCancel(context.Background())
	b.connected.Store(true)
	b.connectedAt.Store(time.Now().UnixNano())
	b.wg.Add(2)
	go b.receive()
	go b.manage()
	return b, nil
}

func describe(o *goredis.Options) string {
	if o.Network == "unix" {
		return "redis unix:" + o.Addr
	}
	return "redis " + o.Addr
}

// Publish sends data on channel to the subscribers of every node, this one
// included. It fails (collab.CodeUnavailable) when Redis does not take the
// message within the publish timeout; the message is then lost, and the
// receivers catch up from the store.
func (b *Bus) Publish(ctx context.Context, channel string, data []byte) error {
	if b.isClosed() {
		return errClosed()
	}
	ctx, cancel := context.WithTimeout(ctx, b.opts.PublishTimeout)
	defer cancel()
	if err := b.client.Publish(ctx, b.opts.Prefix+channel, data).Err(); err != nil {
		return collab.Wrap(collab.CodeUnavailable, fmt.Errorf("redis bus: publish: %w", err), "the message bus is unavailable")
	}
	return nil
}

// Subscribe registers h for channel and returns at once, also when Redis is
// unreachable. h.Resync is called when Redis confirms the subscription —
// from then on the messages of channel are delivered — and again after
// every reconnect. Several subscriptions to one channel share one Redis
// subscription. ctx is only checked, since Subscribe does not wait.
func (b *Bus) Subscribe(ctx context.Context, channel string, h collab.BusHandler) (func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if h.Message == nil {
		return nil, collab.Errorf(collab.CodeInvalid, "a bus handler needs a Message function")
	}
	name := b.opts.Prefix + channel
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil, errClosed()
	}
	q := collab.NewBusQueue(h, b.opts.QueueSize)
	subs := b.wanted[name]
	if subs == nil {
		subs = make(map[*collab.BusQueue]struct{})
		b.wanted[name] = subs
	}
	subs[q] = struct{}{}
	if b.confirmed[name] {
		q.Resync() // live already: Redis will send no confirmation
	}
	b.mu.Unlock()
	b.poke()
	var once sync.Once
	return func() { once.Do(func() { b.unsubscribe(name, q) }) }, nil
}

// unsubscribe ends one subscription; it waits for its handler to return.
func (b *Bus) unsubscribe(name string, q *collab.BusQueue) {
	b.mu.Lock()
	if subs := b.wanted[name]; subs != nil {
		delete(subs, q)
		if len(subs) == 0 {
			delete(b.wanted, name)
		}
	}
	b.mu.Unlock()
	q.Stop()
	b.poke()
}

// Ping reports whether Redis answers.
func (b *Bus) Ping(ctx context.Context) error {
	if b.isClosed() {
		return errClosed()
	}
	if err := b.client.Ping(ctx).Err(); err != nil {
		return collab.Wrap(collab.CodeUnavailable, fmt.Errorf("redis bus: ping: %w", err), "the message bus is unavailable")
	}
	return nil
}

// Describe returns "redis host:port", without credentials.
func (b *Bus) Describe() string { return b.desc }

// Dropped returns how many messages were dropped, over all subscriptions,
// because a subscriber's queue was full.
func (b *Bus) Dropped() uint64 { return b.dropped.Load() }

// Close ends every subscription, stops the goroutines of the bus, waits for
// them and closes the connections. Close is idempotent.
func (b *Bus) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	wanted := b.wanted
	b.wanted = make(map[string]map[*collab.BusQueue]struct{})
	b.mu.Unlock()

	b.stop()
	// Closing the pub/sub connection ends the receiver's blocking read.
	err := b.pubsub.Close()
	b.wg.Wait()
	for _, subs := range wanted {
		for q := range subs {
			q.Stop()
		}
	}
	return errors.Join(err, b.client.Close())
}

func (b *Bus) isClosed() bool {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.closed
}

func errClosed() error {
	return collab.Wrap(collab.CodeUnavailable, collab.ErrBusClosed, "the message bus is closed")
}

// poke tells the manager to look at the wanted channels.
func (b *Bus) poke() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// receive reads the pub/sub connection until Close. go-redis dials again
// (and sends SUBSCRIBE for all its channels) whenever Receive finds no
// connection; after a failure we wait with exponential backoff so that a
// Redis that is down is not hammered.
func (b *Bus) receive() {
	defer b.wg.Done()
	var backoff time.Duration
	timer := time.NewTimer(0)
	<-timer.C
	for {
		// b.ctx has no deadline, so the read has none: a quiet connection
		// is fine. TCP keep-alives (go-redis's dialer: 30 s idle, 3 probes)
		// end a connection to a peer that vanished.
		msg, err := b.pubsub.Receive(b.ctx)
		if b.ctx.Err() != nil {
			return
		}
		if err != nil {
			b.lost(err)
			backoff = min(max(2*backoff, minBackoff), maxBackoff)
			timer.Reset(backoff)
			select {
			case <-b.ctx.Done():
				return
			case <-timer.C:
			}
			continue
		}
		backoff = 0
		if !b.connected.Load() {
			b.connectedAt.Store(time.Now().UnixNano())
			b.connected.Store(true)
			b.log.Info("redis bus: pub/sub connection is back", "redis", b.desc)
		}
		switch m := msg.(type) {
		case *goredis.Message:
			b.dispatch(m)
		case *goredis.Subscription:
			b.confirm(m)
		case *goredis.Pong:
		default:
			b.log.Debug("redis bus: unexpected pub/sub message", "type", fmt.Sprintf("%T", msg))
		}
	}
}

// lost records that the pub/sub connection failed: no channel is confirmed
// until Redis confirms it again on the next connection.
func (b *Bus) lost(err error) {
	b.mu.Lock()
	clear(b.confirmed)
	b.mu.Unlock()
	if b.connected.Swap(false) {
		b.log.Warn("redis bus: pub/sub connection lost; reconnecting", "redis", b.desc, "err", err)
	}
}

// dispatch hands a message to every subscription of its channel.
func (b *Bus) dispatch(m *goredis.Message) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for q := range b.wanted[m.Channel] {
		// A copy for each: handlers may keep or modify their data.
		if !q.Message([]byte(m.Payload)) {
			n := b.dropped.Add(1)
			if bits.OnesCount64(n) == 1 { // log the 1st, 2nd, 4th, 8th, ... drop
				b.log.Warn("redis bus: subscriber too slow, message dropped (it catches up from the store)",
					"channel", m.Channel, "dropped_total", n)
			}
		}
	}
}

// confirm handles Redis's answer to SUBSCRIBE or UNSUBSCRIBE. Every
// "subscribe" confirmation, first or after a reconnect, is a point from
// which messages are delivered, so every subscription of the channel
// resyncs. Confirmations arrive in the order of the commands, so after an
// UNSUBSCRIBE and a new SUBSCRIBE the last word is the SUBSCRIBE's.
func (b *Bus) confirm(m *goredis.Subscription) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch m.Kind {
	case "subscribe":
		b.confirmed[m.Channel] = true
		for q := range b.wanted[m.Channel] {
			q.Resync()
		}
	case "unsubscribe":
		delete(b.confirmed, m.Channel)
	}
}

// manage makes Redis's subscriptions follow the wanted channels. It is the
// only caller of PubSub.Subscribe and Unsubscribe, so commands for one
// channel cannot overtake each other.
func (b *Bus) manage() {
	defer b.wg.Done()
	// sent maps each channel that go-redis was told to subscribe to the
	// time SUBSCRIBE was last sent. go-redis remembers such a channel even
	// when the command failed, and subscribes it on its next connection.
	sent := make(map[string]time.Time)
	tick := time.NewTicker(reconcileEvery)
	defer tick.Stop()
	for {
		select {
		case <-b.ctx.Done():
			return
		case <-b.wake:
		case <-tick.C:
		}
		b.reconcile(sent)
	}
}

func (b *Bus) reconcile(sent map[string]time.Time) {
	now := time.Now()
	// A channel that a working connection has not confirmed for a while
	// lost its SUBSCRIBE (a command that failed just as go-redis
	// reconnected, say): send it again. A duplicate only costs a Resync.
	stale := now.Add(-resubscribeAfter)
	connectedAt := time.Unix(0, b.connectedAt.Load())
	connected := b.connected.Load() && connectedAt.Before(stale)
	var sub, unsub []string
	b.mu.RLock()
	for name := range b.wanted {
		at, ok := sent[name]
		if !ok || (connected && !b.confirmed[name] && at.Before(stale)) {
			sub = append(sub, name)
		}
	}
	for name := range sent {
		if _, ok := b.wanted[name]; !ok {
			unsub = append(unsub, name)
		}
	}
	b.mu.RUnlock()

	if len(unsub) > 0 {
		for _, name := range unsub {
			delete(sent, name)
		}
		ctx, cancel := context.WithTimeout(b.ctx, commandTimeout)
		err := b.pubsub.Unsubscribe(ctx, unsub...)
		cancel()
		if err != nil && b.ctx.Err() == nil {
			// go-redis has forgotten the channels anyway: a new connection
			// will not subscribe them.
			b.log.Debug("redis bus: unsubscribe failed", "channels", len(unsub), "err", err)
		}
	}
	if len(sub) > 0 {
		for _, name := range sub {
			sent[name] = now
		}
		ctx, cancel := context.WithTimeout(b.ctx, commandTimeout)
		err := b.pubsub.Subscribe(ctx, sub...)
		cancel()
		if err != nil && b.ctx.Err() == nil {
			b.log.Debug("redis bus: subscribe failed; subscribing on reconnect", "channels", len(sub), "err", err)
		}
	}
}
