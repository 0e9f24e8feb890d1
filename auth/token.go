package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/temaplan/temaplan/collab"
)

// MaxAccessTTL is the longest lifetime of an access token. An access token
// cannot be revoked, so this is how long a stolen one, or one of a user
// just disabled, stays good for calls that do not look the user up.
const MaxAccessTTL = 15 * time.Minute

// Defaults of IssuerConfig.
const (
	DefaultAccessTTL = 10 * time.Minute
	DefaultLeeway    = 30 * time.Second
	maxLeeway        = time.Minute
	// maxTokenLen bounds what Verify parses: ours are about 300 bytes.
	maxTokenLen = 4096
)

// IssuerConfig configures an Issuer.
type IssuerConfig struct {
	Secret   []byte        // HMAC key, at least MinSecretLen bytes
	Issuer   string        // iss, e.g. the public base URL
	Audience string        // aud, e.g. "temaplan"
	TTL      time.Duration // lifetime of access tokens; zero means DefaultAccessTTL, at most MaxAccessTTL
	// Leeway is the clock skew tolerated on exp, nbf and iat between the
	// nodes of a cluster; zero means DefaultLeeway, at most a minute.
	Leeway time.Duration
	Now    func() time.Time // clock; nil means time.Now
}

// Issuer issues and verifies the access tokens of Temaplan: JWTs signed
// with HS256 with the configured secret, carrying sub (the user ID), exp,
// iat, nbf, a random jti, iss and aud.
type Issuer struct {
	secret   []byte
	issuer   string
	audience string
	ttl      time.Duration
	now      func() time.Time
	parser   *jwt.Parser
}

// NewIssuer returns an Issuer for cfg, or an error saying what in cfg is
// wrong.
func NewIssuer(cfg IssuerConfig) (*Issuer, error) {
	if err := CheckSecret(cfg.Secret); err != nil {
		return nil, err
	}
	if cfg.Issuer == "" || cfg.Audience == "" {
		return nil, errors.New("access tokens need an issuer and an audience")
	}
	if cfg.TTL == 0 {
		cfg.TTL = DefaultAccessTTL
	}
	if cfg.TTL < 0 || cfg.TTL > MaxAccessTTL {
		return nil, fmt.Errorf("access token lifetime %v is outside (0, %v]", cfg.TTL, MaxAccessTTL)
	}
	if cfg.Leeway == 0 {
		cfg.Leeway = DefaultLeeway
	}
	if cfg.Leeway < 0 || cfg.Leeway > maxLeeway {
		return nil, fmt.Errorf("access token leeway %v is outside (0, %v]", cfg.Leeway, maxLeeway)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	i := &Issuer{
		secret:   cfg.Secret,
		issuer:   cfg.Issuer,
		audience: cfg.Audience,
		ttl:      cfg.TTL,
		now:      cfg.Now,
	}
	i.parser = jwt.NewParser(
		// The algorithm is pinned: "none", the other HMACs and every public
		// key algorithm are refused before the key is even looked at, which
		// is what stops RS/HS confusion.
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(cfg.Issuer),
		jwt.WithAudience(cfg.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(cfg.Leeway),
		jwt.WithTimeFunc(cfg.Now),
		jwt.WithStrictDecoding(),
	)
	return i, nil
}

// Claims are what a verified access token says.
type Claims struct {
	UserID    string // sub
	ID        string // jti, unique per token
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// Issue returns a new access token for userID and its lifetime, for the
// "expires_in" of the login and refresh answers.
func (i *Issuer) Issue(userID string) (token string, expiresIn time.Duration, err error) {
	if userID == "" {
		return "", 0, errors.New("issue access token: no user ID")
	}
	// JWT times are whole seconds: truncate so the token says what we mean.
	now := i.now().Truncate(time.Second)
	claims := jwt.RegisteredClaims{
		Subject:   userID,
		Issuer:    i.issuer,
		Audience:  jwt.ClaimStrings{i.audience},
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(i.ttl)),
		ID:        rand.Text(),
	}
	token, err = jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(i.secret)
	if err != nil {
		return "", 0, fmt.Errorf("sign access token: %w", err)
	}
	return token, i.ttl, nil
}

// Verify checks token — signature, algorithm, issuer, audience, expiry,
// not-before and issued-at, with a small leeway — and returns its claims.
// Every failure is a *collab.Error with code unauthorized, whose message
// says only "expired" or "invalid"; the cause is wrapped for the log.
//
// Verify is the one place where an access token becomes a user: REST
// middleware and the WebSocket hello both call it (held as a
// func(string) (Claims, error), so an OIDC verifier can take its place or
// be tried beside it without touching them).
func (i *Issuer) Verify(token string) (Claims, error) {
	if token == "" {
		return Claims{}, collab.Errorf(collab.CodeUnauthorized, "an access token is required")
	}
	if len(token) > maxTokenLen {
		return Claims{}, invalidToken(errors.New("token too long"))
	}
	var rc jwt.RegisteredClaims
	_, err := i.parser.ParseWithClaims(token, &rc, func(t *jwt.Token) (any, error) {
		// WithValidMethods has refused everything else already; this
		// check keeps the key from ever reaching another algorithm.
		if t.Method != jwt.SigningMethodHS256 {
			return nil, fmt.Errorf("unexpected signing method %v", t.Header["alg"])
		}
		return i.secret, nil
	})
	if errors.Is(err, jwt.ErrTokenExpired) {
		return Claims{}, collab.Wrap(collab.CodeUnauthorized, err, "the access token has expired")
	}
	if err != nil {
		return Claims{}, invalidToken(err)
	}
	if rc.Subject == "" || rc.ID == "" || rc.IssuedAt == nil {
		return Claims{}, invalidToken(errors.New("token lacks sub, jti or iat"))
	}
	return Claims{
		UserID:    rc.Subject,
		ID:        rc.ID,
		IssuedAt:  rc.IssuedAt.Time,
		ExpiresAt: rc.ExpiresAt.Time,
	}, nil
}

func invalidToken(cause error) error {
	return collab.Wrap(collab.CodeUnauthorized, cause, "the access token is invalid")
}

// Refresh tokens are opaque: 32 random bytes, base64url-encoded, held by the
// browser in an HttpOnly cookie. The store keeps only their SHA-256 hash, so
// a copy of the database does not log anyone in. A fast hash suffices: the
// token has 256 bits of entropy, nothing to guess.
const refreshTokenBytes = 32

// NewRefreshToken returns a new refresh token: plain for the cookie, hash
// for the store.
func NewRefreshToken() (plain, hash string, err error) {
	b := make([]byte, refreshTokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("new refresh token: %w", err)
	}
	plain = base64.RawURLEncoding.EncodeToString(b)
	return plain, HashRefreshToken(plain), nil
}

// HashRefreshToken returns the hash under which the refresh token plain is
// stored (hex SHA-256), for looking up the token a client presents.
func HashRefreshToken(plain string) string {
	sum := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(sum[:])
}

// RefreshRecord is a stored refresh token. All tokens descended by rotation
// from one login form a family, the unit of revocation.
type RefreshRecord struct {
	Hash      string // HashRefreshToken of the token
	FamilyID  string // shared by every token rotated from one login
	UserID    string
	IssuedAt  time.Time
	ExpiresAt time.Time
	// RotatedAt is when this token was exchanged for its successor; zero
	// while it is the family's current token.
	RotatedAt time.Time
	// RevokedAt is when the family was revoked (logout, reuse detected,
	// user disabled); zero while it is live. Revoking sets it on every
	// record of the family.
	RevokedAt time.Time
}

// RefreshDecision is what to do with a presented refresh token.
type RefreshDecision int

// The decisions of RefreshRecord.Decide.
const (
	// RefreshReject refuses the token (401) and changes nothing: it is
	// expired, or its family is revoked already.
	RefreshReject RefreshDecision = iota
	// RefreshRotate accepts the token: mark it rotated, store a successor
	// in the same family, issue a new access token.
	RefreshRotate
	// RefreshRevokeFamily refuses the token and revokes its whole family:
	// the token was rotated before, so two parties hold the family and one
	// of them is a thief — we cannot tell which, so both are logged out.
	RefreshRevokeFamily
)

func (d RefreshDecision) String() string {
	switch d {
	case RefreshReject:
		return "reject"
	case RefreshRotate:
		return "rotate"
	case RefreshRevokeFamily:
		return "revoke_family"
	}
	return fmt.Sprintf("RefreshDecision(%d)", int(d))
}

// Decide returns what to do when r's token is presented at now.
//
// The rule, in order: a revoked family refuses (it stays revoked; nothing
// more to do). A token rotated already is reuse: revoke the family, even if
// the token has expired since, since the reuse is the signal. An expired
// token refuses. Otherwise rotate. There is no grace period for reuse:
// the browser serialises refreshes across tabs (Web Locks), so an honest
// client never presents a token twice.
//
// The store must make the rotation itself a decision that only one request
// wins — a conditional update of RotatedAt from zero, or a unique insert of
// the successor keyed by its parent — so that two nodes refreshing the
// same token at once end with one rotation and one RefreshRevokeFamily,
// never two successors.
func (r RefreshRecord) Decide(now time.Time) RefreshDecision {
	switch {
	case !r.RevokedAt.IsZero():
		return RefreshReject
	case !r.RotatedAt.IsZero():
		return RefreshRevokeFamily
	case !now.Before(r.ExpiresAt):
		return RefreshReject
	}
	return RefreshRotate
}
