package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// authServer is a fake of the server's login and refresh routes: it
// issues tokens access-N and refresh tokens refresh-N with a lifetime of
// expiresIn seconds, rotates the refresh token on every refresh and
// refuses a refresh token used before, as the real one does.
type authServer struct {
	t         *testing.T
	expiresIn int64

	mu        sync.Mutex
	n         int
	valid     string   // the one refresh token that may be used
	refreshed []string // the refresh tokens sent, in order
	refreshes chan struct{}
}

func newAuthServer(t *testing.T, expiresIn int64) (*authServer, *httptest.Server) {
	a := &authServer{t: t, expiresIn: expiresIn, refreshes: make(chan struct{}, 16)}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/auth/login", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Email, Password string }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Password != "pw" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":{"code":"unauthorized","message":"wrong e-mail or password"}}`)
			return
		}
		a.issue(w)
	})
	mux.HandleFunc("POST /api/auth/refresh", func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(refreshCookie)
		a.mu.Lock()
		if err == nil {
			a.refreshed = append(a.refreshed, c.Value)
		}
		ok := err == nil && c.Value == a.valid
		a.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":{"code":"unauthorized","message":"no session; log in"}}`)
			return
		}
		a.issue(w)
		a.refreshes <- struct{}{}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return a, srv
}

func (a *authServer) issue(w http.ResponseWriter) {
	a.mu.Lock()
	a.n++
	n := a.n
	a.valid = fmt.Sprintf("refresh-%d", n)
	a.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: refreshCookie, Value: fmt.Sprintf("refresh-%d", n), Path: "/api/auth",
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"access_token":"access-%d","expires_in":%d}`, n, a.expiresIn)
}

func (a *authServer) sent() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.refreshed...)
}

func TestSession_RefreshSendsTheRotatedCookie(t *testing.T) {
	fake, srv := newAuthServer(t, 600)
	s, err := Login(t.Context(), srv.URL, "leader@demo.no", "pw")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Token(); got != "access-1" {
		t.Fatalf("Token after login = %q, want access-1", got)
	}
	for want := 2; want <= 3; want++ {
		if err := s.Refresh(t.Context()); err != nil {
			t.Fatalf("refresh %d: %v", want-1, err)
		}
		if got := s.Token(); got != fmt.Sprintf("access-%d", want) {
			t.Errorf("Token after refresh %d = %q, want access-%d", want-1, got, want)
		}
	}
	if got, want := strings.Join(fake.sent(), " "), "refresh-1 refresh-2"; got != want {
		t.Errorf("refresh tokens sent: %s, want %s", got, want)
	}
}

func TestSession_LoginRefused(t *testing.T) {
	_, srv := newAuthServer(t, 600)
	_, err := Login(t.Context(), srv.URL, "leader@demo.no", "wrong")
	if err == nil || !strings.Contains(err.Error(), "unauthorized") || !strings.Contains(err.Error(), "leader@demo.no") {
		t.Errorf("Login with a wrong password: %v, want an unauthorized error naming the user", err)
	}
}

// TestSession_RunRenewsBeforeExpiry runs the renewal with one-second
// tokens: it renews at two thirds of each token's life, again and again,
// each time with the refresh token of the renewal before.
func TestSession_RunRenewsBeforeExpiry(t *testing.T) {
	fake, srv := newAuthServer(t, 1)
	s, err := Login(t.Context(), srv.URL, "leader@demo.no", "pw")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() { s.Run(ctx, slog.New(slog.DiscardHandler)) })
	start := time.Now()
	deadline := time.After(10 * time.Second)
	for i := range 2 {
		select {
		case <-fake.refreshes:
		case <-deadline:
			t.Fatalf("%d renewals after 10 s, want 2", i)
		}
	}
	cancel()
	wg.Wait()
	// Two renewals at two thirds of a second each.
	if took := time.Since(start); took < 1200*time.Millisecond {
		t.Errorf("two renewals of one-second tokens took %s: earlier than two thirds of their life", took)
	}
	if got := fake.sent(); len(got) < 2 || got[0] != "refresh-1" || got[1] != "refresh-2" {
		t.Errorf("refresh tokens sent: %q, want refresh-1 then refresh-2", got)
	}
	if tok := s.Token(); tok == "access-1" {
		t.Error("Token is still the login's after two renewals")
	}
}

func TestRenewAfter(t *testing.T) {
	for _, tt := range []struct{ lifetime, want time.Duration }{
		{10 * time.Minute, 400 * time.Second},
		{time.Second, 666666666},
		{0, 0},
	} {
		if got := renewAfter(tt.lifetime); got != tt.want {
			t.Errorf("renewAfter(%s) = %s, want %s", tt.lifetime, got, tt.want)
		}
	}
}
