package server_test

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/temaplan/temaplan/collab/sqlite"
	"github.com/temaplan/temaplan/server"
)

// TestAccessibility_ContactIsPublic checks that the accessibility
// statement's contact is served to anybody, with or without a token, and
// is empty when the operator configured none.
func TestAccessibility_ContactIsPublic(t *testing.T) {
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "temaplan.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	ts := newTestServerOn(t, store, func(c *server.Config) { c.AccessibilityContact = "postmottak@m1.kommune.no" })
	for _, token := range []string{"", "not-a-token", ts.kari.Token} {
		rec := ts.doAs(token, http.MethodGet, "/api/accessibility", "")
		if rec.Code != http.StatusOK {
			t.Fatalf("token %.8q: %d %s", token, rec.Code, rec.Body)
		}
		if got := decode[struct{ Contact string }](t, rec).Contact; got != "postmottak@m1.kommune.no" {
			t.Errorf("contact %q", got)
		}
	}
	plain := newTestServer(t)
	if got := decode[struct{ Contact string }](t, plain.doAs("", http.MethodGet, "/api/accessibility", "")).Contact; got != "" {
		t.Errorf("contact without configuration %q, want none", got)
	}
}
