// Package auth holds what Temaplan needs to know who is asking: accounts,
// password hashing, JWT issue and verification, OIDC, and the permission
// policy. This file holds the signing secret of the JWTs.
package auth

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// MinSecretLen is the shortest JWT signing secret accepted, in bytes:
// HMAC-SHA256 wants a key at least as long as its output.
const MinSecretLen = 32

// SecretFileName is the name of the generated secret in the data directory.
const SecretFileName = "jwt-secret"

// CheckSecret reports whether secret is long enough to sign tokens.
func CheckSecret(secret []byte) error {
	if len(secret) < MinSecretLen {
		return fmt.Errorf("the JWT secret must be at least %d bytes long (it has %d); generate one with `openssl rand -hex 32`", MinSecretLen, len(secret))
	}
	return nil
}

// ReadSecretFile reads a JWT signing secret from path, as given by
// TEMAPLAN_JWT_SECRET_FILE (a Docker or Kubernetes secret, say). Leading
// and trailing white space, such as the newline an editor adds, is not
// part of the secret. The file's permissions are not checked: mounted
// secrets are often world-readable inside their container.
func ReadSecretFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read JWT secret: %w", err)
	}
	secret := bytes.TrimSpace(b)
	if err := CheckSecret(secret); err != nil {
		return nil, fmt.Errorf("JWT secret file %s: %w", path, err)
	}
	return secret, nil
}

// LoadOrCreateSecret returns the JWT signing secret kept in dir, creating
// dir (mode 0700) and the secret file (mode 0600) with 32 random bytes,
// hex-encoded, when there is none yet. It is the embedded, single-node
// default: several nodes must be given one shared secret instead.
//
// The file is written under a temporary name and linked into place, so a
// crash never leaves a half-written secret and two processes starting at
// once agree on one secret. An existing secret file that others may read
// is refused rather than used.
func LoadOrCreateSecret(dir string) ([]byte, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	path := filepath.Join(dir, SecretFileName)
	secret, err := readOwnSecret(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return secret, err
	}

	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("generate JWT secret: %w", err)
	}
	text := hex.EncodeToString(raw)
	tmp, err := os.CreateTemp(dir, SecretFileName+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("write JWT secret: %w", err)
	}
	defer os.Remove(tmp.Name())
	// CreateTemp makes the file 0600 already; Chmod states it.
	err = tmp.Chmod(0o600)
	if err == nil {
		_, err = tmp.WriteString(text + "\n")
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("write JWT secret: %w", err)
	}
	// Link fails if the name exists: then another process won the race
	// and its secret is the one to use.
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("write JWT secret: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // make the new name durable; best effort
		d.Close()
	}
	return readOwnSecret(path)
}

// readOwnSecret reads a secret file this process is responsible for and
// refuses it when group or others have any access to it.
func readOwnSecret(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read JWT secret: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("JWT secret %s is not a regular file", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("JWT secret %s is accessible by other users (mode %04o); run `chmod 600 %s`", path, perm, path)
	}
	return ReadSecretFile(path)
}
