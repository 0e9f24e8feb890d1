package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// The demo the nodes seed with -demo (cmd/temaplan/demo.go): the bench logs
// in as its users and types into its plan. They must match demo.go.
const (
	demoLeader = "leader@demo.no"
	demoPlanID = "demo-temaplan-bolig"
)

// refreshCookie is the cookie of the refresh token (server/session.go).
const refreshCookie = "temaplan_refresh"

// renewRetry is the pause before another try to renew an access token
// after a failed one.
const renewRetry = 2 * time.Second

// Session is one user logged in over HTTP. An access token lives 10
// minutes and a run may last longer, so Run renews it with the refresh
// token well before it expires. Token returns the current token at once:
// the WebSocket client asks for it while it holds its own lock.
type Session struct {
	Email string
	api   *API // anonymous: login and refresh authenticate otherwise

	mu      sync.Mutex
	token   string
	renewAt time.Time
	refresh string // the refresh cookie's value; each refresh replaces it
}

// sessionAnswer is the answer to a login or a refresh.
type sessionAnswer struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"` // seconds
}

// Login logs in at the node at base (http://host:port) with POST
// /api/auth/login.
func Login(ctx context.Context, base, email, password string) (*Session, error) {
	s := &Session{Email: email, api: NewAPI(base, nil)}
	body := map[string]string{"email": email, "password": password}
	var ans sessionAnswer
	cookies, err := s.api.call(ctx, http.MethodPost, "/api/auth/login", nil, body, &ans)
	if err != nil {
		return nil, fmt.Errorf("log in as %s: %w", email, err)
	}
	if err := s.store(ans, cookies); err != nil {
		return nil, fmt.Errorf("log in as %s: %w", email, err)
	}
	return s, nil
}

// Token returns the current access token.
func (s *Session) Token() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token
}

// Refresh renews the access token now with POST /api/auth/refresh. The
// server rotates the refresh token: the next refresh sends the new one
// (the old one, sent again, would revoke the session).
func (s *Session) Refresh(ctx context.Context) error {
	s.mu.Lock()
	rt := s.refresh
	s.mu.Unlock()
	var ans sessionAnswer
	cookies, err := s.api.call(ctx, http.MethodPost, "/api/auth/refresh", &http.Cookie{Name: refreshCookie, Value: rt}, nil, &ans)
	if err != nil {
		return fmt.Errorf("renew the session of %s: %w", s.Email, err)
	}
	if err := s.store(ans, cookies); err != nil {
		return fmt.Errorf("renew the session of %s: %w", s.Email, err)
	}
	return nil
}

// store keeps the tokens of a login or refresh answer.
func (s *Session) store(ans sessionAnswer, cookies []*http.Cookie) error {
	if ans.AccessToken == "" || ans.ExpiresIn <= 0 {
		return errors.New("the answer has no access token or no lifetime")
	}
	var rt string
	for _, c := range cookies {
		if c.Name == refreshCookie && c.Value != "" {
			rt = c.Value
		}
	}
	if rt == "" {
		return fmt.Errorf("the answer sets no %s cookie", refreshCookie)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token, s.refresh = ans.AccessToken, rt
	s.renewAt = time.Now().Add(renewAfter(time.Duration(ans.ExpiresIn) * time.Second))
	return nil
}

// renewAfter returns when, after it was issued, a token of the given
// lifetime is renewed: at two thirds of its life, which leaves a third
// (over three minutes of ten) for retries.
func renewAfter(lifetime time.Duration) time.Duration {
	return lifetime * 2 / 3
}

// Run renews the access token before it expires, until ctx ends. A failed
// renewal is logged and tried again shortly: until the token expires, the
// old one still serves.
func (s *Session) Run(ctx context.Context, log *slog.Logger) {
	s.mu.Lock()
	wait := time.Until(s.renewAt)
	s.mu.Unlock()
	timer := time.NewTimer(max(wait, 0))
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		if err := s.Refresh(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			log.Warn("access token not renewed; trying again", "user", s.Email, "err", err)
			timer.Reset(renewRetry)
			continue
		}
		s.mu.Lock()
		wait = time.Until(s.renewAt)
		s.mu.Unlock()
		timer.Reset(max(wait, 0))
	}
}
