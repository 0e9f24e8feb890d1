package auth

import (
	"container/list"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/temaplan/temaplan/collab"
)

// LoginLimitConfig configures a LoginLimiter. Zero fields take the defaults.
type LoginLimitConfig struct {
	// IPEvery and IPBurst are the token bucket per client address: a burst
	// of IPBurst attempts, then one per IPEvery. The default (20, then one
	// per 3 s) lets an office behind one NAT address log in at nine.
	IPEvery time.Duration
	IPBurst int
	// AccountEvery and AccountBurst are the token bucket per account (the
	// email as typed, case-folded): default 10, then one per 30 s. It
	// counts every attempt, known account or not, so its answer says
	// nothing about whether the account exists.
	AccountEvery time.Duration
	AccountBurst int
	// MaxEntries bounds each of the two tables of buckets; default 100 000
	// (about 20 MB together).
	MaxEntries int
	Now        func() time.Time // clock; nil means time.Now
}

// LoginLimiter limits login attempts per client address and per account
// with token buckets, so that neither one address nor many addresses
// against one account can guess passwords quickly. Its memory is bounded.
// It is per process: with several nodes, each allows its own budget, which
// multiplies the limits by the number of nodes.
type LoginLimiter struct {
	ip      *buckets
	account *buckets
	now     func() time.Time
}

// NewLoginLimiter returns a LoginLimiter for cfg.
func NewLoginLimiter(cfg LoginLimitConfig) (*LoginLimiter, error) {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	defInt := func(n *int, v int) {
		if *n == 0 {
			*n = v
		}
	}
	def(&cfg.IPEvery, 3*time.Second)
	defInt(&cfg.IPBurst, 20)
	def(&cfg.AccountEvery, 30*time.Second)
	defInt(&cfg.AccountBurst, 10)
	defInt(&cfg.MaxEntries, 100_000)
	if cfg.IPEvery < 0 || cfg.AccountEvery < 0 || cfg.IPBurst < 0 || cfg.AccountBurst < 0 || cfg.MaxEntries < 0 {
		return nil, errors.New("login rate limits must not be negative")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &LoginLimiter{
		ip:      newBuckets(rate.Every(cfg.IPEvery), cfg.IPBurst, cfg.MaxEntries),
		account: newBuckets(rate.Every(cfg.AccountEvery), cfg.AccountBurst, cfg.MaxEntries),
		now:     cfg.Now,
	}, nil
}

// Allow takes one attempt from the buckets of ip and of account, before the
// password is checked. When either is empty it takes nothing and returns a
// *collab.Error with code rate_limited wrapping a *RetryAfterError; see
// RetryAfter.
//
// IPv6 clients are counted per /64, the block one subscriber gets: counting
// per address would give each of them 2^64 budgets.
func (l *LoginLimiter) Allow(ip netip.Addr, account string) error {
	now := l.now()
	ipr := l.ip.reserve(ipKey(ip), now)
	ar := l.account.reserve(strings.ToLower(strings.TrimSpace(account)), now)
	wait := max(delay(ipr, now), delay(ar, now))
	if wait == 0 {
		return nil
	}
	// Give back what was taken, so refused attempts do not lengthen the
	// wait, and an address shut out does not drain an account (or back).
	ipr.CancelAt(now)
	ar.CancelAt(now)
	return collab.Wrap(collab.CodeRateLimited, &RetryAfterError{After: wait},
		fmt.Sprintf("too many login attempts; try again in %d seconds", seconds(wait)))
}

func ipKey(ip netip.Addr) string {
	ip = ip.Unmap()
	if ip.Is6() {
		return netip.PrefixFrom(ip, 64).Masked().String()
	}
	return ip.String()
}

// delay is how long r must wait; a reservation that can never be met (a
// zero burst) waits a day, which a caller may as well treat as "no".
func delay(r *rate.Reservation, now time.Time) time.Duration {
	if !r.OK() {
		return 24 * time.Hour
	}
	return r.DelayFrom(now)
}

// seconds rounds d up to whole seconds, at least 1, as Retry-After wants.
func seconds(d time.Duration) int64 {
	return max(1, int64((d+time.Second-1)/time.Second))
}

// RetryAfterError says how long a refused client should wait. It is wrapped
// in the *collab.Error of a refusal, for the HTTP layer's Retry-After.
type RetryAfterError struct {
	After time.Duration
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("retry after %v", e.After)
}

// RetryAfter returns the wait carried in err's chain, rounded up to whole
// seconds (at least one), and whether there is one: the HTTP layer sets
// Retry-After to int(d.Seconds()) when ok.
func RetryAfter(err error) (d time.Duration, ok bool) {
	var ra *RetryAfterError
	if !errors.As(err, &ra) {
		return 0, false
	}
	return time.Duration(seconds(ra.After)) * time.Second, true
}

// buckets is a table of token buckets by key, bounded in size. It drops
// entries in two ways. Idle: a bucket that has refilled to its burst is
// what a new one would be, so dropping it loses nothing; each call checks
// the two least recently used entries for that. Full: when the table holds
// maxLen entries, the least recently used one goes, even if not idle — the
// table stays bounded under a flood of new keys, at the price that such a
// flood (maxLen keys inside one refill period) can make a key forget its
// attempts.
type buckets struct {
	limit  rate.Limit
	burst  int
	maxLen int

	mu    sync.Mutex
	byKey map[string]*list.Element
	lru   list.List // of *bucket, most recently used at the front
}

type bucket struct {
	key string
	lim *rate.Limiter
}

func newBuckets(limit rate.Limit, burst, maxLen int) *buckets {
	return &buckets{limit: limit, burst: burst, maxLen: maxLen, byKey: make(map[string]*list.Element)}
}

// reserve takes a token from key's bucket at now and returns the
// reservation, which says how long to wait and can be cancelled.
func (b *buckets) reserve(key string, now time.Time) *rate.Reservation {
	b.mu.Lock()
	defer b.mu.Unlock()
	for range 2 {
		back := b.lru.Back()
		if back == nil || back.Value.(*bucket).lim.TokensAt(now) < float64(b.burst) {
			break
		}
		b.remove(back)
	}
	e, ok := b.byKey[key]
	if ok {
		b.lru.MoveToFront(e)
	} else {
		if b.lru.Len() >= b.maxLen {
			if back := b.lru.Back(); back != nil {
				b.remove(back)
			}
		}
		e = b.lru.PushFront(&bucket{key: key, lim: rate.NewLimiter(b.limit, b.burst)})
		b.byKey[key] = e
	}
	return e.Value.(*bucket).lim.ReserveN(now, 1)
}

func (b *buckets) remove(e *list.Element) {
	b.lru.Remove(e)
	delete(b.byKey, e.Value.(*bucket).key)
}

func (b *buckets) len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.lru.Len()
}

// ClientIP returns the address of the client that sent r. The direct peer
// (r.RemoteAddr) is the client unless it is one of the trusted proxies;
// then X-Forwarded-For is read from the right — each proxy appends the
// address it got the request from — past every trusted proxy, and the first
// address not trusted is the client. Anything left of it was written by the
// client and is ignored, so a client cannot choose its address by sending
// X-Forwarded-For itself. If every hop is trusted, the left-most is
// returned; if a hop cannot be parsed, the last good one (a trusted proxy)
// is. IPv4-mapped IPv6 addresses are returned as IPv4.
func ClientIP(r *http.Request, trusted []netip.Prefix) netip.Addr {
	peer := parseHop(r.RemoteAddr)
	if !peer.IsValid() || !isTrusted(peer, trusted) {
		return peer
	}
	client := peer
	values := r.Header.Values("X-Forwarded-For")
	for i := len(values) - 1; i >= 0; i-- {
		hops := strings.Split(values[i], ",")
		for j := len(hops) - 1; j >= 0; j-- {
			hop := parseHop(strings.TrimSpace(hops[j]))
			if !hop.IsValid() {
				return client
			}
			client = hop
			if !isTrusted(hop, trusted) {
				return client
			}
		}
	}
	return client
}

// parseHop parses an address with or without a port ("1.2.3.4",
// "1.2.3.4:5", "::1", "[::1]:5"), dropping any IPv6 zone.
func parseHop(s string) netip.Addr {
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap().WithZone("")
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ParseTrustedProxies parses TEMAPLAN_TRUSTED_PROXIES: a comma-separated
// list of CIDR prefixes or single addresses ("10.0.0.0/8, 192.0.2.7").
// An empty string means no proxy is trusted.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, fmt.Errorf("trusted proxies: %w", err)
			}
			if p.Addr().Is4In6() {
				return nil, fmt.Errorf("trusted proxies: write %s as an IPv4 prefix", f)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxies: %w", err)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}
