package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
)

// refreshCookie is the cookie that holds the refresh token. It is HttpOnly
// (no script reads it), Secure, SameSite=Strict and sent only to the
// session routes, so it travels nowhere else.
const (
	refreshCookie     = "temaplan_refresh"
	refreshCookiePath = "/api/auth"
)

// principalKey is the Echo context key of the authenticated principal.
const principalKey = "temaplan.principal"

// loginRequest is the body of POST /api/auth/login.
type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// sessionResponse is the answer to a login or refresh.
type sessionResponse struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
	User        meView `json:"user"`
}

// meView is the body of GET /api/me.
type meView struct {
	ID           string            `json:"id"`
	Email        string            `json:"email"`
	Name         string            `json:"name"`
	Admin        bool              `json:"admin"`
	Municipality auth.Municipality `json:"municipality"`
}

func (s *Server) login(c echo.Context) error {
	var req loginRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	ip := auth.ClientIP(c.Request(), s.cfg.TrustedProxies)
	sess, err := s.cfg.Accounts.Login(c.Request().Context(), ip, req.Email, req.Password)
	if err != nil {
		if d, ok := auth.RetryAfter(err); ok {
			c.Response().Header().Set("Retry-After", retryAfterSeconds(d))
		}
		return err
	}
	return s.startSession(c, sess)
}

func retryAfterSeconds(d time.Duration) string {
	secs := int64((d + time.Second - 1) / time.Second)
	return strconv.FormatInt(max(secs, 1), 10)
}

func (s *Server) refresh(c echo.Context) error {
	ck, err := c.Cookie(refreshCookie)
	if err != nil {
		return collab.Errorf(collab.CodeUnauthorized, "no session; log in")
	}
	sess, err := s.cfg.Accounts.Refresh(c.Request().Context(), ck.Value)
	if err != nil {
		if collab.ErrorCode(err) == collab.CodeUnauthorized {
			s.clearSessionCookie(c)
		}
		return err
	}
	return s.startSession(c, sess)
}

func (s *Server) logout(c echo.Context) error {
	if ck, err := c.Cookie(refreshCookie); err == nil {
		if err := s.cfg.Accounts.Logout(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	s.clearSessionCookie(c)
	return c.NoContent(http.StatusNoContent)
}

// startSession sets the refresh cookie and answers the access token.
func (s *Server) startSession(c echo.Context, sess auth.Session) error {
	s.setSessionCookie(c, sess)
	me, err := s.me(c, sess.Account)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sessionResponse{AccessToken: sess.AccessToken,
		ExpiresIn: int64(sess.ExpiresIn / time.Second), User: me})
}

// setSessionCookie sets the refresh cookie of sess, the session of a
// password or single sign-on login or of a refresh, on an answer that no
// cache keeps.
func (s *Server) setSessionCookie(c echo.Context, sess auth.Session) {
	c.SetCookie(&http.Cookie{
		Name: refreshCookie, Value: sess.RefreshToken, Path: refreshCookiePath,
		Expires: sess.RefreshExpires, MaxAge: int(time.Until(sess.RefreshExpires) / time.Second),
		HttpOnly: true, Secure: !s.cfg.InsecureCookies, SameSite: http.SameSiteStrictMode,
	})
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
}

func (s *Server) clearSessionCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: refreshCookie, Value: "", Path: refreshCookiePath, MaxAge: -1,
		HttpOnly: true, Secure: !s.cfg.InsecureCookies, SameSite: http.SameSiteStrictMode})
}

func (s *Server) me(c echo.Context, a auth.Account) (meView, error) {
	m, err := s.cfg.Accounts.Municipality(c.Request().Context(), a.Municipality)
	if err != nil {
		return meView{}, err
	}
	return meView{ID: a.ID, Email: a.Email, Name: a.Name, Admin: a.Admin, Municipality: m}, nil
}

func (s *Server) getMe(c echo.Context) error {
	me, err := s.me(c, principal(c).Account)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, me)
}

// authenticate is the middleware of every route that needs a user: it
// verifies the bearer token and puts the principal in the context.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		token, ok := bearer(c.Request())
		if !ok {
			return collab.Errorf(collab.CodeUnauthorized, "log in: an access token (Authorization: Bearer) is required")
		}
		p, err := s.cfg.Accounts.Authenticate(c.Request().Context(), token)
		if err != nil {
			return err
		}
		c.Set(principalKey, p)
		return next(c)
	}
}

// bearer returns the token of an "Authorization: Bearer <token>" header.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get(echo.HeaderAuthorization)
	const prefix = "Bearer "
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return "", false
	}
	return h[len(prefix):], true
}

// principal returns the authenticated principal of a request that passed
// authenticate.
func principal(c echo.Context) auth.Principal {
	p, _ := c.Get(principalKey).(auth.Principal)
	return p
}
