package auth

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/temaplan/temaplan/collab"
)

var limitT0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// mustLimiter returns a LoginLimiter whose clock reads *now.
func mustLimiter(t *testing.T, cfg LoginLimitConfig, now *time.Time) *LoginLimiter {
	t.Helper()
	cfg.Now = func() time.Time { return *now }
	l, err := NewLoginLimiter(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

var (
	ipA = netip.MustParseAddr("198.51.100.7")
	ipB = netip.MustParseAddr("203.0.113.9")
)

// allowed fails the test unless err is nil (want true) or a rate_limited
// refusal (want false), and returns the Retry-After of a refusal.
func allowed(t *testing.T, err error, want bool, what string) time.Duration {
	t.Helper()
	if want {
		if err != nil {
			t.Fatalf("%s: %v, want allowed", what, err)
		}
		return 0
	}
	if collab.ErrorCode(err) != collab.CodeRateLimited {
		t.Fatalf("%s: %v, want code %s", what, err, collab.CodeRateLimited)
	}
	d, ok := RetryAfter(err)
	if !ok {
		t.Fatalf("%s: refusal %v carries no Retry-After", what, err)
	}
	return d
}

func TestLoginLimiter_RefusesAfterBurstAndRecovers(t *testing.T) {
	now := limitT0
	l := mustLimiter(t, LoginLimitConfig{IPBurst: 3, IPEvery: 10 * time.Second, AccountBurst: 100, AccountEvery: time.Second}, &now)
	for i := range 3 {
		allowed(t, l.Allow(ipA, fmt.Sprintf("user%d@demo.no", i)), true, fmt.Sprintf("attempt %d", i+1))
	}
	if d := allowed(t, l.Allow(ipA, "user9@demo.no"), false, "attempt 4"); d != 10*time.Second {
		t.Errorf("Retry-After = %v, want 10s", d)
	}
	allowed(t, l.Allow(ipB, "user9@demo.no"), true, "another address")

	now = now.Add(9*time.Second + 100*time.Millisecond)
	if d := allowed(t, l.Allow(ipA, "user9@demo.no"), false, "after 9.1 s"); d != time.Second {
		t.Errorf("Retry-After = %v, want 1s (0.9 s rounded up)", d)
	}
	now = limitT0.Add(10 * time.Second)
	allowed(t, l.Allow(ipA, "user9@demo.no"), true, "after 10 s")
	allowed(t, l.Allow(ipA, "user9@demo.no"), false, "again at once")
}

func TestLoginLimiter_LimitsAnAccountAcrossAddresses(t *testing.T) {
	now := limitT0
	l := mustLimiter(t, LoginLimitConfig{IPBurst: 100, IPEvery: time.Second, AccountBurst: 2, AccountEvery: time.Minute}, &now)
	for i, ip := range []string{"192.0.2.1", "192.0.2.2"} {
		allowed(t, l.Allow(netip.MustParseAddr(ip), "leader@demo.no"), true, fmt.Sprintf("attempt %d", i+1))
	}
	// Same account, other spelling, third address.
	if d := allowed(t, l.Allow(netip.MustParseAddr("192.0.2.3"), " Leader@Demo.NO "), false, "attempt 3"); d != time.Minute {
		t.Errorf("Retry-After = %v, want 1m", d)
	}
	allowed(t, l.Allow(netip.MustParseAddr("192.0.2.3"), "member@demo.no"), true, "another account")
}

// TestLoginLimiter_RefusalTakesNothing checks that an attempt refused by
// one bucket does not spend a token of the other: an account under attack
// must not lock out the office address, nor a refused address drain an
// account.
func TestLoginLimiter_RefusalTakesNothing(t *testing.T) {
	now := limitT0
	l := mustLimiter(t, LoginLimitConfig{IPBurst: 2, IPEvery: time.Hour, AccountBurst: 1, AccountEvery: time.Hour}, &now)
	allowed(t, l.Allow(ipA, "leader@demo.no"), true, "first attempt")
	for range 5 {
		allowed(t, l.Allow(ipA, "leader@demo.no"), false, "account exhausted")
	}
	allowed(t, l.Allow(ipA, "member@demo.no"), true, "same address, other account")
	allowed(t, l.Allow(ipA, "finance@demo.no"), false, "address exhausted")
	allowed(t, l.Allow(ipB, "finance@demo.no"), true, "the refused account, from elsewhere")
}

func TestLoginLimiter_CountsIPv6Per64(t *testing.T) {
	now := limitT0
	l := mustLimiter(t, LoginLimitConfig{IPBurst: 1, IPEvery: time.Hour, AccountBurst: 100, AccountEvery: time.Second}, &now)
	allowed(t, l.Allow(netip.MustParseAddr("2001:db8:1:2::1"), "a@demo.no"), true, "first address of the /64")
	allowed(t, l.Allow(netip.MustParseAddr("2001:db8:1:2:ffff::9"), "b@demo.no"), false, "other address, same /64")
	allowed(t, l.Allow(netip.MustParseAddr("2001:db8:1:3::1"), "c@demo.no"), true, "next /64")
	allowed(t, l.Allow(netip.MustParseAddr("::ffff:198.51.100.7"), "d@demo.no"), true, "IPv4-mapped")
	allowed(t, l.Allow(ipA, "e@demo.no"), false, "same IPv4 address, unmapped")
}

func TestBuckets_StayBounded(t *testing.T) {
	b := newBuckets(rate.Every(time.Minute), 2, 10)
	for i := range 1000 {
		b.reserve(fmt.Sprint("key", i), limitT0)
	}
	if n := b.len(); n != 10 {
		t.Errorf("table holds %d entries after 1000 keys, want the bound 10", n)
	}
	// The most recently used keys are the ones kept.
	for i := 990; i < 1000; i++ {
		if _, ok := b.byKey[fmt.Sprint("key", i)]; !ok {
			t.Errorf("recent key%d was evicted", i)
		}
	}
}

func TestBuckets_EvictLeastRecentlyUsedWhenFull(t *testing.T) {
	b := newBuckets(rate.Every(time.Hour), 1, 3)
	for _, k := range []string{"a", "b", "c"} {
		b.reserve(k, limitT0)
	}
	b.reserve("a", limitT0) // a is now the most recently used
	b.reserve("d", limitT0) // evicts b
	for k, want := range map[string]bool{"a": true, "b": false, "c": true, "d": true} {
		if _, ok := b.byKey[k]; ok != want {
			t.Errorf("key %s present = %v, want %v", k, ok, want)
		}
	}
	if b.reserve("a", limitT0).DelayFrom(limitT0) == 0 {
		t.Error("key a forgot its attempts")
	}
}

func TestBuckets_DropIdleEntries(t *testing.T) {
	b := newBuckets(rate.Every(time.Minute), 2, 100)
	for i := range 10 {
		b.reserve(fmt.Sprint("key", i), limitT0)
	}
	// Ten seconds on, no bucket has refilled: nothing may go.
	t1 := limitT0.Add(10 * time.Second)
	for range 5 {
		b.reserve("key0", t1)
	}
	if n := b.len(); n != 10 {
		t.Fatalf("table holds %d entries, want 10: a bucket still counting was dropped", n)
	}
	// Two minutes on, every bucket but key0's is full again, as good as
	// new: a few calls drop them all.
	t2 := limitT0.Add(2 * time.Minute)
	for range 5 {
		b.reserve("key0", t2)
	}
	if n := b.len(); n != 1 {
		t.Errorf("table holds %d entries, want only key0: idle entries were kept", n)
	}
}

func TestRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want time.Duration
		ok   bool
	}{
		{"nil", nil, 0, false},
		{"other error", errors.New("boom"), 0, false},
		{"unauthorized", collab.Errorf(collab.CodeUnauthorized, "no"), 0, false},
		{"whole seconds", collab.Wrap(collab.CodeRateLimited, &RetryAfterError{After: 3 * time.Second}, "slow"), 3 * time.Second, true},
		{"rounded up", collab.Wrap(collab.CodeRateLimited, &RetryAfterError{After: 1500 * time.Millisecond}, "slow"), 2 * time.Second, true},
		{"at least a second", collab.Wrap(collab.CodeRateLimited, &RetryAfterError{After: time.Millisecond}, "slow"), time.Second, true},
		{"wrapped further", fmt.Errorf("login: %w", collab.Wrap(collab.CodeRateLimited, &RetryAfterError{After: time.Minute}, "slow")), time.Minute, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, ok := RetryAfter(tc.err)
			if d != tc.want || ok != tc.ok {
				t.Errorf("RetryAfter = %v, %v; want %v, %v", d, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestClientIP(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8:ffff::/48")}
	for _, tc := range []struct {
		name    string
		remote  string
		xff     []string
		trusted []netip.Prefix
		want    string
	}{
		{"no proxy, no header", "198.51.100.7:4242", nil, proxies, "198.51.100.7"},
		{"untrusted peer spoofs XFF", "203.0.113.5:4242", []string{"1.2.3.4"}, proxies, "203.0.113.5"},
		{"spoofed XFF, no proxies configured", "10.0.0.2:4242", []string{"1.2.3.4"}, nil, "10.0.0.2"},
		{"untrusted peer claims a proxy address", "203.0.113.5:4242", []string{"10.0.0.1"}, proxies, "203.0.113.5"},
		{"trusted proxy", "10.0.0.2:4242", []string{"198.51.100.7"}, proxies, "198.51.100.7"},
		{"trusted proxy, client prepends a lie", "10.0.0.2:4242", []string{"1.2.3.4, 198.51.100.7"}, proxies, "198.51.100.7"},
		{"two trusted proxies", "10.0.0.2:4242", []string{"1.2.3.4, 198.51.100.7, 10.0.0.3"}, proxies, "198.51.100.7"},
		{"header split over lines", "10.0.0.2:4242", []string{"1.2.3.4", "198.51.100.7, 10.0.0.3"}, proxies, "198.51.100.7"},
		{"trusted proxy, no header", "10.0.0.2:4242", nil, proxies, "10.0.0.2"},
		{"every hop trusted", "10.0.0.2:4242", []string{"10.0.0.9, 10.0.0.3"}, proxies, "10.0.0.9"},
		{"garbage where the proxy's hop should be", "10.0.0.2:4242", []string{"198.51.100.7, garbage"}, proxies, "10.0.0.2"},
		{"garbage left of the client", "10.0.0.2:4242", []string{"garbage, 198.51.100.7"}, proxies, "198.51.100.7"},
		{"hop with port", "10.0.0.2:4242", []string{"198.51.100.7:5555"}, proxies, "198.51.100.7"},
		{"IPv6 peer", "[2001:db8::1]:443", []string{"1.2.3.4"}, proxies, "2001:db8::1"},
		{"IPv6 trusted proxy, IPv6 client in brackets", "[2001:db8:ffff::2]:443", []string{"[2001:db8::7]:1"}, proxies, "2001:db8::7"},
		{"IPv4-mapped trusted peer", "[::ffff:10.0.0.2]:80", []string{"198.51.100.7"}, proxies, "198.51.100.7"},
		{"IPv4-mapped client", "10.0.0.2:80", []string{"::ffff:198.51.100.7"}, proxies, "198.51.100.7"},
		{"peer without port", "198.51.100.7", nil, proxies, "198.51.100.7"},
		{"unparsable peer", "@pipe", []string{"1.2.3.4"}, proxies, "invalid IP"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/api/auth/login", nil)
			r.RemoteAddr = tc.remote
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := ClientIP(r, tc.trusted).String(); got != tc.want {
				t.Errorf("ClientIP = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestParseTrustedProxies(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{"", nil, false},
		{" , ", nil, false},
		{"10.0.0.0/8", []string{"10.0.0.0/8"}, false},
		{"10.1.2.3/8, 192.0.2.7", []string{"10.0.0.0/8", "192.0.2.7/32"}, false},
		{"2001:db8::/32,::1", []string{"2001:db8::/32", "::1/128"}, false},
		{"::ffff:192.0.2.7", []string{"192.0.2.7/32"}, false},
		{"::ffff:10.0.0.0/104", nil, true},
		{"10.0.0.0/33", nil, true},
		{"proxy.example", nil, true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseTrustedProxies(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("ParseTrustedProxies(%q) error = %v, want error %v", tc.in, err, tc.wantErr)
			}
			var s []string
			for _, p := range got {
				s = append(s, p.String())
			}
			if fmt.Sprint(s) != fmt.Sprint(tc.want) {
				t.Errorf("ParseTrustedProxies(%q) = %v, want %v", tc.in, s, tc.want)
			}
		})
	}
}
