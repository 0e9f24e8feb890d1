package server

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/temaplan/temaplan/auth"
)

// The settings of the administrator's municipality (manage_municipality):
// login methods, the e-mail domains of single sign-on, and the defaults of
// new plans (privacy threshold, hearing length) and the written standard
// of the public pages (bokmål or nynorsk).

// municipalityView is the body of GET and PUT /api/admin/municipality:
// the municipality with its settings in effect (defaults filled in), and
// whether this server can offer single sign-on at all.
type municipalityView struct {
	ID             string                    `json:"id"`
	Name           string                    `json:"name"`
	Settings       auth.MunicipalitySettings `json:"settings"`
	OIDCConfigured bool                      `json:"oidc_configured"`
}

// settingsPut is the body of PUT /api/admin/municipality: the fields
// present replace the settings' (absent ones stay as they are).
type settingsPut struct {
	LoginMethods     *[]string `json:"login_methods"`
	EmailDomains     *[]string `json:"email_domains"`
	PrivacyThreshold *int      `json:"privacy_threshold"`
	HearingWeeks     *int      `json:"hearing_weeks"`
	Language         *string   `json:"language"`
}

// oidcConfigured reports whether this server has an OpenID Connect
// provider, without which single sign-on cannot be turned on and
// passwords cannot be turned off.
func (s *Server) oidcConfigured() bool { return s.cfg.OIDC != nil }

func (s *Server) getMunicipality(c echo.Context) error {
	m, err := s.cfg.Accounts.Municipality(c.Request().Context(), principal(c).Account.Municipality)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.municipalityView(m))
}

func (s *Server) putMunicipality(c echo.Context) error {
	var req settingsPut
	if err := bind(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	me := principal(c).Account
	m, err := s.cfg.Accounts.Municipality(ctx, me.Municipality)
	if err != nil {
		return err
	}
	next := m.Settings.Effective()
	if req.LoginMethods != nil {
		next.LoginMethods = slices.Clone(*req.LoginMethods)
	}
	if req.EmailDomains != nil {
		next.EmailDomains = slices.Clone(*req.EmailDomains)
	}
	if req.PrivacyThreshold != nil {
		next.PrivacyThreshold = *req.PrivacyThreshold
	}
	if req.HearingWeeks != nil {
		next.HearingWeeks = *req.HearingWeeks
	}
	if req.Language != nil {
		next.Language = *req.Language
	}
	m, err = s.cfg.Accounts.ChangeMunicipality(ctx, me.ID, me.Municipality, next, s.oidcConfigured())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.municipalityView(m))
}

// municipalityView shows m with its settings in effect.
func (s *Server) municipalityView(m auth.Municipality) municipalityView {
	return municipalityView{ID: m.ID, Name: m.Name, Settings: m.Settings.Effective(), OIDCConfigured: s.oidcConfigured()}
}
