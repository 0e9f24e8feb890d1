package auth

import (
	"context"
	"encoding/hex"
	"errors"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/temaplan/temaplan/collab"
)

// cheapParams keep tests fast; the format and logic are the same.
var cheapParams = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func mustHasher(tb testing.TB, p Params, maxConcurrent int) *Hasher {
	tb.Helper()
	h, err := NewHasher(HasherConfig{Params: p, MaxConcurrent: maxConcurrent})
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

func mustHash(tb testing.TB, h *Hasher, password string) string {
	tb.Helper()
	enc, err := h.Hash(context.Background(), password)
	if err != nil {
		tb.Fatal(err)
	}
	return enc
}

func TestHasher_VerifyMatchesOnlyTheSamePassword(t *testing.T) {
	h := mustHasher(t, cheapParams, 2)
	const pw = "korrekt hest batteri stift"
	enc := mustHash(t, h, pw)
	for _, tc := range []struct {
		name, password string
		want           bool
	}{
		{"same", pw, true},
		{"wrong", "feil passord helt", false},
		{"empty", "", false},
		{"case changed", strings.ToUpper(pw), false},
		{"trailing space", pw + " ", false},
		{"prefix", pw[:len(pw)-1], false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := h.Verify(context.Background(), tc.password, enc)
			if err != nil {
				t.Fatal(err)
			}
			if ok != tc.want {
				t.Errorf("Verify(%q) = %v, want %v", tc.password, ok, tc.want)
			}
		})
	}
}

func TestHasher_HashIsPHCWithFreshSalt(t *testing.T) {
	h := mustHasher(t, cheapParams, 1)
	a, b := mustHash(t, h, "samme passord to ganger"), mustHash(t, h, "samme passord to ganger")
	re := regexp.MustCompile(`^\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	for _, enc := range []string{a, b} {
		if !re.MatchString(enc) {
			t.Errorf("hash %q is not in the PHC format", enc)
		}
	}
	if a == b {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
}

// TestHasher_VerifiesReferenceVector checks interoperability with the
// reference implementation (phc-winner-argon2, test.c): its argon2id hash of
// "password" with salt "somesalt", m=64 MiB, t=2, p=1.
func TestHasher_VerifiesReferenceVector(t *testing.T) {
	const (
		enc    = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"
		rawHex = "09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7"
	)
	if got := hex.EncodeToString(argon2.IDKey([]byte("password"), []byte("somesalt"), 2, 65536, 1, 32)); got != rawHex {
		t.Fatalf("argon2.IDKey = %s, want the reference %s", got, rawHex)
	}
	h := mustHasher(t, cheapParams, 1)
	for _, tc := range []struct {
		password string
		want     bool
	}{{"password", true}, {"Password", false}} {
		ok, err := h.Verify(context.Background(), tc.password, enc)
		if err != nil {
			t.Fatal(err)
		}
		if ok != tc.want {
			t.Errorf("Verify(%q, reference) = %v, want %v", tc.password, ok, tc.want)
		}
	}
}

// TestHasher_UnknownAccountCostsAWholeHash checks that an empty stored hash
// (no such account) is refused only after a key derivation with the
// Hasher's own parameters, so it takes as long as a wrong password.
func TestHasher_UnknownAccountCostsAWholeHash(t *testing.T) {
	h := mustHasher(t, cheapParams, 1)
	var calls []Params
	h.derive = func(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
		calls = append(calls, Params{Memory: memory, Time: time, Threads: threads, SaltLen: uint32(len(salt)), KeyLen: keyLen})
		return argon2.IDKey(password, salt, time, memory, threads, keyLen)
	}
	for _, pw := range []string{"", "whatever password", "korrekt hest batteri stift"} {
		calls = nil
		ok, err := h.Verify(context.Background(), pw, "")
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			t.Errorf("Verify(%q, no account) = true", pw)
		}
		if len(calls) != 1 || calls[0] != cheapParams {
			t.Errorf("Verify(%q, no account) derived keys with %+v, want once with %+v", pw, calls, cheapParams)
		}
	}
}

func TestHasher_VerifyRefusesMalformedHash(t *testing.T) {
	h := mustHasher(t, cheapParams, 1)
	good := mustHash(t, h, "korrekt hest batteri stift")
	parts := strings.Split(good, "$") // "", argon2id, v=19, m=..., salt, key
	with := func(i int, s string) string {
		p := append([]string(nil), parts...)
		p[i] = s
		return strings.Join(p, "$")
	}
	derived := 0
	h.derive = func(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
		derived++
		return argon2.IDKey(password, salt, time, memory, threads, keyLen)
	}
	for _, tc := range []struct{ name, enc string }{
		{"plain text", "korrekt hest batteri stift"},
		{"bcrypt", "$2a$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"},
		{"argon2i", with(1, "argon2i")},
		{"version 16", with(2, "v=16")},
		{"version garbage", with(2, "v=19x")},
		{"params reordered", with(3, "t=1,m=64,p=1")},
		{"params padded", with(3, "m=064,t=1,p=1")},
		{"memory too large", with(3, "m=4194304,t=1,p=1")},
		{"time zero", with(3, "m=64,t=0,p=1")},
		{"time too large", with(3, "m=64,t=1000,p=1")},
		{"threads zero", with(3, "m=64,t=1,p=0")},
		{"threads overflow", with(3, "m=64,t=1,p=300")},
		{"salt not base64", with(4, "!!!!")},
		{"salt padded", with(4, parts[4]+"==")},
		{"salt too short", with(4, "c2FsdA")},
		{"key too short", with(5, "c2hvcnQ")},
		{"extra field", good + "$x"},
		{"missing field", strings.Join(parts[:5], "$")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			derived = 0
			ok, err := h.Verify(context.Background(), "korrekt hest batteri stift", tc.enc)
			if err == nil || ok {
				t.Errorf("Verify(%q) = %v, %v; want false and an error", tc.enc, ok, err)
			}
			if derived != 0 {
				t.Errorf("Verify(%q) derived a key from a malformed hash", tc.enc)
			}
		})
	}
}

func TestHasher_NeedsRehashWhenParamsChange(t *testing.T) {
	h := mustHasher(t, cheapParams, 1)
	enc := func(p Params) string {
		return mustHash(t, mustHasher(t, p, 1), "korrekt hest batteri stift")
	}
	with := func(f func(*Params)) Params {
		p := cheapParams
		f(&p)
		return p
	}
	for _, tc := range []struct {
		name string
		enc  string
		want bool
	}{
		{"same params", enc(cheapParams), false},
		{"less memory", enc(with(func(p *Params) { p.Memory = 32 })), true},
		{"more passes", enc(with(func(p *Params) { p.Time = 2 })), true},
		{"more threads", enc(with(func(p *Params) { p.Threads = 2 })), true},
		{"shorter key", enc(with(func(p *Params) { p.KeyLen = 16 })), true},
		{"shorter salt", enc(with(func(p *Params) { p.SaltLen = 8 })), true},
		{"malformed", "$argon2id$v=19$garbage", true},
		{"empty", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.NeedsRehash(tc.enc); got != tc.want {
				t.Errorf("NeedsRehash(%q) = %v, want %v", tc.enc, got, tc.want)
			}
		})
	}
}

// TestHasher_BoundsConcurrency starts many hashes at once and counts how
// many derive a key at the same time: never more than MaxConcurrent.
func TestHasher_BoundsConcurrency(t *testing.T) {
	const limit, callers = 3, 20
	h := mustHasher(t, cheapParams, limit)
	var active, maxActive atomic.Int32
	entered := make(chan struct{}, callers)
	release := make(chan struct{})
	h.derive = func(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
		n := active.Add(1)
		for m := maxActive.Load(); n > m && !maxActive.CompareAndSwap(m, n); m = maxActive.Load() {
		}
		entered <- struct{}{}
		<-release
		active.Add(-1)
		return argon2.IDKey(password, salt, time, memory, threads, keyLen)
	}

	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for range callers {
		wg.Go(func() {
			_, err := h.Hash(context.Background(), "korrekt hest batteri stift")
			errs <- err
		})
	}
	deadline := time.After(10 * time.Second)
	for i := range limit {
		select {
		case <-entered:
		case <-deadline:
			t.Fatalf("only %d of %d allowed hashes started", i, limit)
		}
	}
	// Nothing to wait on for an event that must not happen: give a
	// broken bound a moment to let a fourth hash in.
	select {
	case <-entered:
		t.Errorf("hash %d started while %d were running", limit+1, limit)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := maxActive.Load(); got != limit {
		t.Errorf("at most %d hashes ran at once, want exactly %d", got, limit)
	}
}

func TestHasher_WaitEndsWithContext(t *testing.T) {
	h := mustHasher(t, cheapParams, 1)
	entered, release := make(chan struct{}), make(chan struct{})
	h.derive = func(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
		close(entered)
		<-release
		return argon2.IDKey(password, salt, time, memory, threads, keyLen)
	}
	done := make(chan error, 1)
	go func() {
		_, err := h.Hash(context.Background(), "holds the only slot")
		done <- err
	}()
	<-entered

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Verify(ctx, "waits for the slot", ""); !errors.Is(err, context.Canceled) {
		t.Errorf("Verify with a cancelled context while the slot is taken = %v, want context.Canceled", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Error(err)
	}
}

func TestNewHasher_RefusesBadConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  HasherConfig
	}{
		{"memory below 8 KiB per thread", HasherConfig{Params: Params{Memory: 8, Time: 1, Threads: 2, SaltLen: 16, KeyLen: 32}}},
		{"memory above 1 GiB", HasherConfig{Params: Params{Memory: 2 << 20, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}}},
		{"no passes", HasherConfig{Params: Params{Memory: 64, Time: 0, Threads: 1, SaltLen: 16, KeyLen: 32}}},
		{"no threads", HasherConfig{Params: Params{Memory: 64, Time: 1, Threads: 0, SaltLen: 16, KeyLen: 32}}},
		{"short salt", HasherConfig{Params: Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 4, KeyLen: 32}}},
		{"short key", HasherConfig{Params: Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 8}}},
		{"negative concurrency", HasherConfig{Params: cheapParams, MaxConcurrent: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewHasher(tc.cfg); err == nil {
				t.Errorf("NewHasher(%+v) succeeded", tc.cfg)
			}
		})
	}
}

func TestDefaultParams_MeetOWASPMinimum(t *testing.T) {
	p := DefaultParams()
	// OWASP: argon2id with at least 19 MiB and t=2, or 46 MiB and t=1.
	if !(p.Memory >= 19*1024 && p.Time >= 2 || p.Memory >= 46*1024 && p.Time >= 1) {
		t.Errorf("DefaultParams %+v are below OWASP's minimum", p)
	}
	if err := p.validate(); err != nil {
		t.Error(err)
	}
}

func TestCheckPassword(t *testing.T) {
	for _, tc := range []struct {
		name, password string
		ok             bool
	}{
		{"12 letters", "abcdefghijkl", true},
		{"11 letters", "abcdefghijk", false},
		{"12 runes, more bytes", "æøåæøåæøåæøå", true},
		{"11 runes, 22 bytes", "æøåæøåæøåæø", false},
		{"empty", "", false},
		{"demo default", "demo", false},
		{"only spaces", strings.Repeat(" ", 20), false},
		{"only mixed white space", " \t\n\u00a0\u2003 \t\n\u00a0\u2003 \t", false},
		{"spaces inside", "korrekt hest batteri stift", true},
		{"256 runes", strings.Repeat("ø", 256), true},
		{"257 runes", strings.Repeat("a", 257), false},
		{"invalid UTF-8", "abcdefghijkl\xff", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckPassword(tc.password)
			if tc.ok {
				if err != nil {
					t.Errorf("CheckPassword(%q) = %v, want nil", tc.password, err)
				}
				return
			}
			if code := collab.ErrorCode(err); code != collab.CodeInvalid {
				t.Errorf("CheckPassword(%q) = %v, want code %s", tc.password, err, collab.CodeInvalid)
			}
		})
	}
}

// BenchmarkHasher_DefaultParams measures one hash with DefaultParams, the
// cost of a login: go test -bench Hasher -run '^$' ./auth
func BenchmarkHasher_DefaultParams(b *testing.B) {
	h := mustHasher(b, DefaultParams(), 1)
	for b.Loop() {
		mustHash(b, h, "korrekt hest batteri stift")
	}
}
