package server

// Single sign-on: the routes of the OpenID Connect login (auth.OIDC) and
// the login methods the login page offers.
//
// The login is a chain of browser navigations, not API calls: the login
// page links to GET /api/auth/oidc/start, which sets the flow cookie and
// sends the browser to the provider; the provider sends it back to GET
// /api/auth/oidc/callback, which starts the same session a password login
// does (the refresh cookie) and sends the browser on to the app, whose
// first refresh gets the access token. A refusal sends the browser to the
// login page with the error's code (?feil=<code>), which the page shows
// in the user's language.

import (
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
)

// The flow cookie of a login under way at the provider. It is sent only to
// the single sign-on routes, and SameSite=Lax: it must come back with the
// provider's redirect, a top-level navigation from another site.
const (
	ssoCookie     = "temaplan_sso"
	ssoCookiePath = "/api/auth/oidc"
)

// SSOCallbackPath is the path of the redirect URI to register at the
// provider, below the server's public URL.
const SSOCallbackPath = "/api/auth/oidc/callback"

// loginPagePath is the UI's login page (frontend/src/pages/router.ts).
const loginPagePath = "/logg-inn"

// authMethodsView is the body of GET /api/auth/methods.
type authMethodsView struct {
	// SSO says whether single sign-on is configured; SSOName is the
	// provider's name for the button ("" for the generic wording).
	SSO     bool   `json:"sso"`
	SSOName string `json:"sso_name"`
}

func (s *Server) authMethods(c echo.Context) error {
	var v authMethodsView
	if s.cfg.OIDC != nil {
		v = authMethodsView{SSO: true, SSOName: s.cfg.OIDC.Name()}
	}
	return c.JSON(http.StatusOK, v)
}

// errNoSSO answers the single sign-on routes of a server without a
// provider.
func errNoSSO() error {
	return collab.Errorf(collab.CodeNotFound, "single sign-on is not configured on this server")
}

// ssoStart begins a login at the provider, to go back to ?next= after it.
func (s *Server) ssoStart(c echo.Context) error {
	if s.cfg.OIDC == nil {
		return errNoSSO()
	}
	next := safeNext(c.QueryParam("next"))
	st, err := s.cfg.OIDC.Start(c.Request().Context(), next)
	if err != nil {
		return s.ssoRefused(c, next, err)
	}
	c.SetCookie(&http.Cookie{
		Name: ssoCookie, Value: st.Cookie, Path: ssoCookiePath,
		Expires: st.Expires, MaxAge: int(auth.SSOFlowTTL.Seconds()),
		HttpOnly: true, Secure: !s.cfg.InsecureCookies, SameSite: http.SameSiteLaxMode,
	})
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.Redirect(http.StatusFound, st.URL)
}

// ssoCallback finishes a login: the provider's answer is checked
// (auth.OIDC.Finish), the person matched or provisioned
// (auth.Accounts.LoginSSO), and the session started.
func (s *Server) ssoCallback(c echo.Context) error {
	if s.cfg.OIDC == nil {
		return errNoSSO()
	}
	q := c.QueryParams()
	cb := auth.SSOCallback{State: q.Get("state"), Code: q.Get("code"), Iss: q.Get("iss"),
		Error: q.Get("error"), ErrorDescription: q.Get("error_description")}
	if ck, err := c.Cookie(ssoCookie); err == nil {
		cb.Cookie = ck.Value
	}
	// The flow is over, whatever comes of it.
	c.SetCookie(&http.Cookie{Name: ssoCookie, Value: "", Path: ssoCookiePath, MaxAge: -1,
		HttpOnly: true, Secure: !s.cfg.InsecureCookies, SameSite: http.SameSiteLaxMode})
	ctx := c.Request().Context()
	res, err := s.cfg.OIDC.Finish(ctx, cb)
	next := safeNext(res.Next)
	if err != nil {
		return s.ssoRefused(c, next, err)
	}
	sess, err := s.cfg.Accounts.LoginSSO(ctx, auth.ClientIP(c.Request(), s.cfg.TrustedProxies), res.Identity)
	if err != nil {
		return s.ssoRefused(c, next, err)
	}
	s.setSessionCookie(c, sess)
	return c.Redirect(http.StatusSeeOther, next)
}

// ssoRefused sends the browser to the login page with the refusal's code
// (and where it was going), and logs why.
func (s *Server) ssoRefused(c echo.Context, next string, err error) error {
	code := collab.ErrorCode(err)
	s.log.Warn("single sign-on refused", "code", code, "err", err,
		"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
	q := url.Values{"feil": {string(code)}}
	if next != "/" {
		q.Set("neste", next)
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.Redirect(http.StatusSeeOther, loginPagePath+"?"+q.Encode())
}

// maxNextLen bounds the path a login goes back to.
const maxNextLen = 512

// safeNext returns where to go after a login: a path of this app — never
// another origin, never the login page itself — else "/". It is the
// server's twin of the login page's safeNext.
func safeNext(next string) string {
	if next == "" || len(next) > maxNextLen || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.Contains(next, "\\") || !utf8.ValidString(next) ||
		strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil ||
		u.Path == loginPagePath || strings.HasPrefix(u.Path, loginPagePath+"/") || strings.HasPrefix(u.Path, "/api/") {
		return "/"
	}
	return next
}
