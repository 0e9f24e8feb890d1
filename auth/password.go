package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/temaplan/temaplan/collab"
)

// Password length limits, in characters (Unicode code points). The minimum
// follows NIST SP 800-63B for passwords that are the only factor; the
// maximum only keeps request bodies and hashing input small.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 256
)

// CheckPassword reports whether password may be set as an account's new
// password: at least MinPasswordLen and at most MaxPasswordLen characters,
// valid UTF-8, and not only white space. It returns a *collab.Error with
// code invalid when not. Like NIST SP 800-63B it imposes no composition
// rules. It is for passwords chosen through the API; Hash does not call it,
// so operators (the demo seed, say) may still set what they like.
func CheckPassword(password string) error {
	if !utf8.ValidString(password) {
		return collab.Errorf(collab.CodeInvalid, "the password is not valid text")
	}
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLen:
		return collab.Errorf(collab.CodeInvalid, "the password must be at least %d characters long", MinPasswordLen)
	case n > MaxPasswordLen:
		return collab.Errorf(collab.CodeInvalid, "the password must be at most %d characters long", MaxPasswordLen)
	case strings.TrimSpace(password) == "":
		return collab.Errorf(collab.CodeInvalid, "the password must not be only white space")
	}
	return nil
}

// Params are the argon2id parameters of a password hash.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over the memory
	Threads uint8  // lanes (parallelism)
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultParams returns the argon2id parameters of new hashes: 64 MiB, two
// passes, one lane, a 16-byte salt and a 32-byte key. OWASP's password
// storage cheat sheet asks for at least 46 MiB with one pass (or 19 MiB with
// two); 64 MiB with two passes is above both and costs 165–200 ms on the
// 2-core x86-64 development server (BenchmarkHasher_DefaultParams). One lane, because a login server hashes many
// passwords at once: parallel lanes make one hash faster but not the server,
// and with one lane a hash uses one core, so Hasher's concurrency bound is a
// bound on cores as well as on memory.
func DefaultParams() Params {
	return Params{Memory: 64 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// Limits on the parameters a Hasher accepts, from its config and from a
// stored hash. A stored hash asking for more is refused rather than
// computed: the concurrency bound is only a memory bound if every hash is.
const (
	maxMemoryKiB = 1 << 20 // 1 GiB
	maxTime      = 16
	minSaltLen   = 8
	maxSaltLen   = 64
	minKeyLen    = 16
	maxKeyLen    = 64
)

func (p Params) validate() error {
	switch {
	case p.Threads < 1:
		return errors.New("argon2id needs at least one thread")
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemoryKiB:
		return fmt.Errorf("argon2id memory %d KiB is outside [%d, %d]", p.Memory, 8*uint32(p.Threads), maxMemoryKiB)
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("argon2id time %d is outside [1, %d]", p.Time, maxTime)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("argon2id salt length %d is outside [%d, %d]", p.SaltLen, minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("argon2id key length %d is outside [%d, %d]", p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}

// HasherConfig configures a Hasher. The zero value means DefaultParams and
// the default concurrency.
type HasherConfig struct {
	// Params of new hashes; zero means DefaultParams. Tests use cheap ones.
	Params Params
	// MaxConcurrent is how many hashes may run at once; more wait their
	// turn. Zero means GOMAXPROCS, at most 4: 256 MiB with DefaultParams.
	MaxConcurrent int
}

// Hasher hashes and verifies passwords with argon2id. At most MaxConcurrent
// hashes run at once, so a flood of logins queues (and times out with its
// requests' contexts) instead of allocating 64 MiB per request until the
// process dies. A Hasher is safe for concurrent use.
type Hasher struct {
	params Params
	sem    chan struct{}
	// dummy is a hash of a random password with params, verified when the
	// account is unknown so that costs what a wrong password costs.
	dummy string
	// derive is argon2.IDKey; tests replace it to watch concurrency.
	derive func(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte
}

// NewHasher returns a Hasher for cfg. It computes one hash, the dummy that
// unknown accounts are verified against, so it takes as long as a login.
func NewHasher(cfg HasherConfig) (*Hasher, error) {
	p := cfg.Params
	if p == (Params{}) {
		p = DefaultParams()
	}
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("password hashing: %w", err)
	}
	n := cfg.MaxConcurrent
	if n == 0 {
		n = min(runtime.GOMAXPROCS(0), 4)
	}
	if n < 0 {
		return nil, fmt.Errorf("password hashing: max concurrent hashes %d is negative", n)
	}
	h := &Hasher{params: p, sem: make(chan struct{}, n), derive: argon2.IDKey}
	var err error
	h.dummy, err = h.Hash(context.Background(), rand.Text())
	if err != nil {
		return nil, err
	}
	return h, nil
}

// Params returns the parameters of new hashes.
func (h *Hasher) Params() Params { return h.params }

// Hash returns password's argon2id hash with a fresh random salt, in the PHC
// string format: $argon2id$v=19$m=65536,t=2,p=1$<salt>$<key>, salt and key
// in unpadded standard base64. It waits for a free slot until ctx ends.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, h.params.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key, err := h.key(ctx, password, salt, h.params)
	if err != nil {
		return "", err
	}
	return encodeHash(h.params, salt, key), nil
}

// Verify reports whether password matches encoded, a hash made by Hash
// (with these or other parameters). The comparison is constant-time.
//
// An empty encoded means there is no account (or it has no password): Verify
// then checks password against a dummy hash and reports false, so the
// caller can run one code path for "unknown account" and "wrong password"
// and both take the same time. A login handler should therefore call Verify
// before it looks at anything else that differs between accounts (disabled,
// say), and answer both failures with one message.
//
// The error is not nil only when the hash is malformed or ctx ended while
// waiting for a slot; a wrong password is false and nil.
func (h *Hasher) Verify(ctx context.Context, password, encoded string) (bool, error) {
	unknown := encoded == ""
	if unknown {
		encoded = h.dummy
	}
	p, salt, want, err := decodeHash(encoded)
	if err != nil {
		return false, fmt.Errorf("verify password: %w", err)
	}
	got, err := h.key(ctx, password, salt, p)
	if err != nil {
		return false, err
	}
	match := subtle.ConstantTimeCompare(got, want) == 1
	return match && !unknown, nil
}

// NeedsRehash reports whether encoded was made with other parameters than
// the Hasher's (or cannot be read), so that after a successful login the
// caller should store a new hash of the password it has just verified.
func (h *Hasher) NeedsRehash(encoded string) bool {
	p, _, _, err := decodeHash(encoded)
	return err != nil || p != h.params
}

// key derives an argon2id key once a slot of the semaphore is free.
func (h *Hasher) key(ctx context.Context, password string, salt []byte, p Params) ([]byte, error) {
	select {
	case h.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for password hashing: %w", ctx.Err())
	}
	defer func() { <-h.sem }()
	return h.derive([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen), nil
}

func encodeHash(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// errBadHash is the cause of every malformed stored hash; which part is
// wrong does not matter to anyone but the operator reading the log.
var errBadHash = errors.New("malformed argon2id hash")

// decodeHash parses a PHC string made by encodeHash. It accepts only
// argon2id version 19 and parameters within the Hasher's limits.
func decodeHash(encoded string) (p Params, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || parts[2] != fmt.Sprintf("v=%d", version) {
		return p, nil, nil, errBadHash
	}
	if version != argon2.Version {
		return p, nil, nil, fmt.Errorf("%w: version %d", errBadHash, version)
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil ||
		parts[3] != fmt.Sprintf("m=%d,t=%d,p=%d", p.Memory, p.Time, p.Threads) {
		return p, nil, nil, errBadHash
	}
	if salt, err = base64.RawStdEncoding.Strict().DecodeString(parts[4]); err != nil {
		return p, nil, nil, errBadHash
	}
	if key, err = base64.RawStdEncoding.Strict().DecodeString(parts[5]); err != nil {
		return p, nil, nil, errBadHash
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	if err := p.validate(); err != nil {
		return p, nil, nil, fmt.Errorf("%w: %v", errBadHash, err)
	}
	return p, salt, key, nil
}
