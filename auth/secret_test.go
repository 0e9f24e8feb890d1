package auth_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/temaplan/temaplan/auth"
)

func TestLoadOrCreateSecret_CreatesOnceWith0600(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "nested")

	first, err := auth.LoadOrCreateSecret(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) < auth.MinSecretLen {
		t.Fatalf("secret has %d bytes, want at least %d", len(first), auth.MinSecretLen)
	}
	fi, err := os.Stat(filepath.Join(dir, auth.SecretFileName))
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("secret file mode = %04o, want 0600", perm)
	}
	di, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := di.Mode().Perm(); perm != 0o700 {
		t.Errorf("data directory mode = %04o, want 0700", perm)
	}

	again, err := auth.LoadOrCreateSecret(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, again) {
		t.Error("the secret changed on the second load")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("data directory holds %d entries, want only the secret (no temp files left)", len(entries))
	}
}

func TestLoadOrCreateSecret_ConcurrentStartsAgree(t *testing.T) {
	dir := t.TempDir()
	const n = 8
	secrets := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { secrets[i], errs[i] = auth.LoadOrCreateSecret(dir) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if !bytes.Equal(secrets[i], secrets[0]) {
			t.Fatalf("process %d got another secret than process 0", i)
		}
	}
}

func TestLoadOrCreateSecret_RefusesReadableByOthers(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, auth.SecretFileName)
	if err := os.WriteFile(path, []byte(strings.Repeat("k", 64)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := auth.LoadOrCreateSecret(dir)
	if err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("err = %v, want a refusal that says to chmod 600", err)
	}
}

func TestReadSecretFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o444); err != nil {
			t.Fatal(err)
		}
		return p
	}
	long := strings.Repeat("s", 40)
	tests := []struct {
		name    string
		path    string
		want    string
		wantErr string
	}{
		{"trims the newline", write("ok", long+"\n"), long, ""},
		{"world-readable mounted secret is fine", write("mounted", "  "+long+"  \r\n"), long, ""},
		{"too short", write("short", "secret\n"), "", "at least 32 bytes"},
		{"empty", write("empty", "\n"), "", "at least 32 bytes"},
		{"missing", filepath.Join(dir, "missing"), "", "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := auth.ReadSecretFile(tt.path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("secret = %q, want %q", got, tt.want)
			}
		})
	}
}
