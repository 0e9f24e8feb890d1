package auth_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
)

var (
	testSecret = []byte("0123456789abcdef0123456789abcdef")
	testNow    = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
)

const (
	testIss = "https://temaplan.example"
	testAud = "temaplan"
	testTTL = 10 * time.Minute
)

// mustIssuer returns an Issuer whose clock reads *now.
func mustIssuer(tb testing.TB, now *time.Time) *auth.Issuer {
	tb.Helper()
	i, err := auth.NewIssuer(auth.IssuerConfig{
		Secret:   testSecret,
		Issuer:   testIss,
		Audience: testAud,
		TTL:      testTTL,
		Leeway:   30 * time.Second,
		Now:      func() time.Time { return *now },
	})
	if err != nil {
		tb.Fatal(err)
	}
	return i
}

// validClaims are the claims Issue would write at testNow.
func validClaims() jwt.MapClaims {
	return jwt.MapClaims{
		"sub": "user-1",
		"iss": testIss,
		"aud": []string{testAud},
		"iat": testNow.Unix(),
		"nbf": testNow.Unix(),
		"exp": testNow.Add(testTTL).Unix(),
		"jti": "jti-1",
	}
}

func sign(tb testing.TB, m jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	tb.Helper()
	s, err := jwt.NewWithClaims(m, claims).SignedString(key)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestIssuer_IssueThenVerify(t *testing.T) {
	now := testNow
	i := mustIssuer(t, &now)
	tok, expiresIn, err := i.Issue("user-1")
	if err != nil {
		t.Fatal(err)
	}
	if expiresIn != testTTL {
		t.Errorf("expiresIn = %v, want %v", expiresIn, testTTL)
	}

	// The token is what the issue promises: HS256 with every claim.
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q has %d parts", tok, len(parts))
	}
	var header, payload map[string]any
	for p, v := range map[string]*map[string]any{parts[0]: &header, parts[1]: &payload} {
		b, err := base64.RawURLEncoding.DecodeString(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatal(err)
		}
	}
	if header["alg"] != "HS256" {
		t.Errorf("alg = %v, want HS256", header["alg"])
	}
	for _, c := range []string{"sub", "exp", "iat", "nbf", "jti", "iss", "aud"} {
		if _, ok := payload[c]; !ok {
			t.Errorf("claim %s missing from %v", c, payload)
		}
	}

	now = testNow.Add(testTTL - time.Second)
	c, err := i.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	want := auth.Claims{UserID: "user-1", ID: c.ID, IssuedAt: testNow, ExpiresAt: testNow.Add(testTTL)}
	if c.ID == "" || !c.IssuedAt.Equal(want.IssuedAt) || !c.ExpiresAt.Equal(want.ExpiresAt) || c.UserID != want.UserID {
		t.Errorf("Verify = %+v, want %+v", c, want)
	}

	tok2, _, err := i.Issue("user-1")
	if err != nil {
		t.Fatal(err)
	}
	c2, err := i.Verify(tok2)
	if err != nil {
		t.Fatal(err)
	}
	if c2.ID == c.ID {
		t.Error("two tokens share a jti")
	}
}

func TestIssuer_VerifyRefuses(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})

	good := sign(t, jwt.SigningMethodHS256, testSecret, validClaims())
	with := func(k string, v any) jwt.MapClaims {
		c := validClaims()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	hs256 := func(c jwt.MapClaims) string { return sign(t, jwt.SigningMethodHS256, testSecret, c) }
	// tamper replaces the payload of good and keeps its signature.
	tamper := func(c jwt.MapClaims) string {
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		p := strings.Split(good, ".")
		return p[0] + "." + base64.RawURLEncoding.EncodeToString(b) + "." + p[2]
	}
	flipLast := func(s string) string {
		c := 'A'
		if s[len(s)-1] == 'A' {
			c = 'B'
		}
		return s[:len(s)-1] + string(c)
	}
	const (
		invalid = "the access token is invalid"
		expired = "the access token has expired"
	)

	for _, tc := range []struct {
		name, token, message string
	}{
		{"empty", "", "an access token is required"},
		{"garbage", "not a token", invalid},
		{"two parts", "eyJhbGciOiJIUzI1NiJ9.e30", invalid},
		{"tampered payload", tamper(with("sub", "admin")), invalid},
		{"tampered signature", flipLast(good), invalid},
		{"other secret", sign(t, jwt.SigningMethodHS256, []byte("another secret of at least 32 bytes"), validClaims()), invalid},
		{"expired", hs256(with("exp", testNow.Add(-time.Minute).Unix())), expired},
		{"not yet valid", hs256(with("nbf", testNow.Add(2*time.Minute).Unix())), invalid},
		{"issued in the future", hs256(with("iat", testNow.Add(2*time.Minute).Unix())), invalid},
		{"wrong audience", hs256(with("aud", []string{"other-app"})), invalid},
		{"no audience", hs256(with("aud", nil)), invalid},
		{"wrong issuer", hs256(with("iss", "https://evil.example")), invalid},
		{"no issuer", hs256(with("iss", nil)), invalid},
		{"no expiry", hs256(with("exp", nil)), invalid},
		{"no subject", hs256(with("sub", nil)), invalid},
		{"no jti", hs256(with("jti", nil)), invalid},
		{"no iat", hs256(with("iat", nil)), invalid},
		{"alg none", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, validClaims()), invalid},
		{"alg none, signature kept", func() string {
			h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
			p := strings.Split(good, ".")
			return h + "." + p[1] + "." + p[2]
		}(), invalid},
		{"alg HS384, right secret", sign(t, jwt.SigningMethodHS384, testSecret, validClaims()), invalid},
		{"alg HS512, right secret", sign(t, jwt.SigningMethodHS512, testSecret, validClaims()), invalid},
		{"alg RS256", sign(t, jwt.SigningMethodRS256, rsaKey, validClaims()), invalid},
		{"alg HS256 keyed with a public key", sign(t, jwt.SigningMethodHS256, pubPEM, validClaims()), invalid},
		{"too long", hs256(with("pad", strings.Repeat("x", 5000))), invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := testNow
			c, err := mustIssuer(t, &now).Verify(tc.token)
			if code := collab.ErrorCode(err); code != collab.CodeUnauthorized {
				t.Fatalf("Verify = %+v, %v; want code %s", c, err, collab.CodeUnauthorized)
			}
			if msg := collab.ErrorMessage(err); msg != tc.message {
				t.Errorf("message = %q, want %q", msg, tc.message)
			}
			if c != (auth.Claims{}) {
				t.Errorf("Verify returned claims %+v with its error", c)
			}
		})
	}

	// The valid token the cases are variations of passes, so each case
	// fails for its own reason.
	now := testNow
	if _, err := mustIssuer(t, &now).Verify(good); err != nil {
		t.Fatalf("the untampered token is refused: %v", err)
	}
}

func TestIssuer_LeewayIsSmall(t *testing.T) {
	for _, tc := range []struct {
		name string
		at   time.Duration // verification time relative to testNow
		ok   bool
	}{
		{"just issued", 0, true},
		{"expired 10 s ago, within leeway", testTTL + 10*time.Second, true},
		{"expired 31 s ago", testTTL + 31*time.Second, false},
		{"clock 10 s behind the issuer", -10 * time.Second, true},
		{"clock 31 s behind the issuer", -31 * time.Second, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := testNow
			i := mustIssuer(t, &now)
			tok, _, err := i.Issue("user-1")
			if err != nil {
				t.Fatal(err)
			}
			now = testNow.Add(tc.at)
			_, err = i.Verify(tok)
			if tc.ok && err != nil {
				t.Errorf("Verify at %v = %v, want ok", tc.at, err)
			}
			if !tc.ok && collab.ErrorCode(err) != collab.CodeUnauthorized {
				t.Errorf("Verify at %v = %v, want unauthorized", tc.at, err)
			}
		})
	}
}

func TestNewIssuer_RefusesBadConfig(t *testing.T) {
	good := auth.IssuerConfig{Secret: testSecret, Issuer: testIss, Audience: testAud}
	if _, err := auth.NewIssuer(good); err != nil {
		t.Fatalf("NewIssuer(defaults) = %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(*auth.IssuerConfig)
	}{
		{"short secret", func(c *auth.IssuerConfig) { c.Secret = []byte("short") }},
		{"no issuer", func(c *auth.IssuerConfig) { c.Issuer = "" }},
		{"no audience", func(c *auth.IssuerConfig) { c.Audience = "" }},
		{"TTL over 15 minutes", func(c *auth.IssuerConfig) { c.TTL = 15*time.Minute + time.Second }},
		{"negative TTL", func(c *auth.IssuerConfig) { c.TTL = -time.Minute }},
		{"leeway over a minute", func(c *auth.IssuerConfig) { c.Leeway = 2 * time.Minute }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good
			tc.edit(&cfg)
			if _, err := auth.NewIssuer(cfg); err == nil {
				t.Errorf("NewIssuer(%+v) succeeded", cfg)
			}
		})
	}
}

func TestNewRefreshToken_IsRandomAndStoredHashed(t *testing.T) {
	plain, hash, err := auth.NewRefreshToken()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(plain)
	if err != nil || len(raw) != 32 {
		t.Errorf("plain %q is not 32 bytes of base64url (%d bytes, %v)", plain, len(raw), err)
	}
	sum := sha256.Sum256([]byte(plain))
	if want := hex.EncodeToString(sum[:]); hash != want || auth.HashRefreshToken(plain) != want {
		t.Errorf("hash = %q, HashRefreshToken = %q; want SHA-256 %q", hash, auth.HashRefreshToken(plain), want)
	}
	plain2, hash2, err := auth.NewRefreshToken()
	if err != nil {
		t.Fatal(err)
	}
	if plain2 == plain || hash2 == hash {
		t.Error("two refresh tokens are equal")
	}
}

func TestRefreshRecord_Decide(t *testing.T) {
	issued := testNow
	expires := testNow.Add(30 * 24 * time.Hour)
	for _, tc := range []struct {
		name string
		rec  auth.RefreshRecord
		at   time.Time
		want auth.RefreshDecision
	}{
		{"current token", auth.RefreshRecord{IssuedAt: issued, ExpiresAt: expires}, testNow.Add(time.Hour), auth.RefreshRotate},
		{"current token, last moment", auth.RefreshRecord{IssuedAt: issued, ExpiresAt: expires}, expires.Add(-time.Nanosecond), auth.RefreshRotate},
		{"expired", auth.RefreshRecord{IssuedAt: issued, ExpiresAt: expires}, expires, auth.RefreshReject},
		{"rotated already: reuse", auth.RefreshRecord{IssuedAt: issued, ExpiresAt: expires, RotatedAt: testNow.Add(time.Minute)}, testNow.Add(time.Hour), auth.RefreshRevokeFamily},
		{"rotated and expired: still reuse", auth.RefreshRecord{IssuedAt: issued, ExpiresAt: expires, RotatedAt: testNow.Add(time.Minute)}, expires.Add(time.Hour), auth.RefreshRevokeFamily},
		{"family revoked", auth.RefreshRecord{IssuedAt: issued, ExpiresAt: expires, RevokedAt: testNow.Add(time.Minute)}, testNow.Add(time.Hour), auth.RefreshReject},
		{"rotated, family revoked since", auth.RefreshRecord{IssuedAt: issued, ExpiresAt: expires, RotatedAt: testNow.Add(time.Minute), RevokedAt: testNow.Add(2 * time.Minute)}, testNow.Add(time.Hour), auth.RefreshReject},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.rec.Decide(tc.at); got != tc.want {
				t.Errorf("Decide = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestRefreshRecord_RotationChain plays a family through rotations and a
// theft: the thief's replay of an old token revokes the family, after which
// the rightful holder's current token is refused too.
func TestRefreshRecord_RotationChain(t *testing.T) {
	now := testNow
	family := map[string]*auth.RefreshRecord{}
	issue := func() string {
		plain, hash, err := auth.NewRefreshToken()
		if err != nil {
			t.Fatal(err)
		}
		family[hash] = &auth.RefreshRecord{Hash: hash, FamilyID: "f1", UserID: "user-1", IssuedAt: now, ExpiresAt: now.Add(24 * time.Hour)}
		return plain
	}
	// present is what the server will do, with the map for a store.
	present := func(plain string) (auth.RefreshDecision, string) {
		rec, ok := family[auth.HashRefreshToken(plain)]
		if !ok {
			return auth.RefreshReject, ""
		}
		d := rec.Decide(now)
		switch d {
		case auth.RefreshRotate:
			rec.RotatedAt = now
			return d, issue()
		case auth.RefreshRevokeFamily:
			for _, r := range family {
				r.RevokedAt = now
			}
		}
		return d, ""
	}

	t0 := issue()
	now = now.Add(time.Minute)
	d, t1 := present(t0)
	if d != auth.RefreshRotate {
		t.Fatalf("first refresh = %v", d)
	}
	now = now.Add(time.Minute)
	d, t2 := present(t1)
	if d != auth.RefreshRotate {
		t.Fatalf("second refresh = %v", d)
	}
	now = now.Add(time.Minute)
	if d, _ := present(t0); d != auth.RefreshRevokeFamily { // stolen t0 replayed
		t.Fatalf("replay of a rotated token = %v, want %v", d, auth.RefreshRevokeFamily)
	}
	if d, _ := present(t2); d != auth.RefreshReject {
		t.Errorf("current token after the family was revoked = %v, want %v", d, auth.RefreshReject)
	}
	if d, _ := present("never issued"); d != auth.RefreshReject {
		t.Errorf("unknown token = %v, want %v", d, auth.RefreshReject)
	}
}
