package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/temaplan/temaplan/auth"
)

// The password links (package mail): asking for a reset by e-mail, and
// using a link — an invitation's or a reset's — to set a password. The
// routes are public: whoever holds the link is who may use it.

// forgotRequest is the body of POST /api/auth/password/forgot.
type forgotRequest struct {
	Email string `json:"email"`
}

// forgotPassword sends a reset link to the account with the e-mail. The
// answer is 202 whether there is such an account or not, so it tells
// nobody who has one; too many requests are refused alike (429).
func (s *Server) forgotPassword(c echo.Context) error {
	if s.cfg.Mail == nil {
		return errNoMail()
	}
	var req forgotRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	ip := auth.ClientIP(c.Request(), s.cfg.TrustedProxies)
	if err := s.cfg.Mail.RequestReset(mailContext(c), ip, req.Email); err != nil {
		if d, ok := auth.RetryAfter(err); ok {
			c.Response().Header().Set("Retry-After", retryAfterSeconds(d))
		}
		return err
	}
	return c.NoContent(http.StatusAccepted)
}

// tokenRequest is the body of POST /api/auth/password/token. The token
// travels in a body, never in a URL, so no log keeps it.
type tokenRequest struct {
	Token string `json:"token"`
}

// passwordToken tells what a password link is for while it is good.
func (s *Server) passwordToken(c echo.Context) error {
	if s.cfg.Mail == nil {
		return errNoMail()
	}
	var req tokenRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	info, err := s.cfg.Mail.InspectToken(c.Request().Context(), req.Token)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSON(http.StatusOK, info)
}

// setPasswordRequest is the body of POST /api/auth/password/reset.
type setPasswordRequest struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

// resetPassword uses a password link. Every session of the account ends
// at its next refresh (an access token already issued lives out its few
// minutes); the person then logs in with the new password.
func (s *Server) resetPassword(c echo.Context) error {
	if s.cfg.Mail == nil {
		return errNoMail()
	}
	var req setPasswordRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	ip := auth.ClientIP(c.Request(), s.cfg.TrustedProxies)
	if _, err := s.cfg.Mail.SetPassword(mailContext(c), ip, req.Token, req.Password); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
