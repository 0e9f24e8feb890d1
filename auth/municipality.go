package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/temaplan/temaplan/collab"
)

// This file holds the administration of a municipality's settings: their
// defaults, their validation and the audited change of them.

// The defaults and bounds of MunicipalitySettings.
const (
	// DefaultPrivacyThreshold flags counts below 5 persons or households
	// (SPEC.md §4); it is collab's default of a new plan.
	DefaultPrivacyThreshold = 5
	// MaxPrivacyThreshold is the largest threshold a plan accepts.
	MaxPrivacyThreshold = 100
	// DefaultHearingWeeks is the recommended length of a temaplan's
	// hearing (a kommunedelplan's six weeks are the law's minimum).
	DefaultHearingWeeks = 6
	// MaxHearingWeeks bounds the default hearing length to a year.
	MaxHearingWeeks = 52
	// LangBokmal and LangNynorsk are the written standards of
	// MunicipalitySettings.Language.
	LangBokmal  = "nb"
	LangNynorsk = "nn"
	// maxEmailDomains bounds the SSO domains of one municipality.
	maxEmailDomains = 50
)

// Effective returns the settings with the defaults that the zero values
// stand for filled in: password login, the product's privacy threshold
// and hearing length.
func (s MunicipalitySettings) Effective() MunicipalitySettings {
	out := MunicipalitySettings{LoginMethods: slices.Clone(s.LoginMethods), EmailDomains: slices.Clone(s.EmailDomains),
		PrivacyThreshold: s.PrivacyThreshold, HearingWeeks: s.HearingWeeks, Language: s.Language}
	if out.Language == "" {
		out.Language = LangBokmal
	}
	if len(out.LoginMethods) == 0 {
		out.LoginMethods = []string{LoginPassword}
	}
	if out.EmailDomains == nil {
		out.EmailDomains = []string{}
	}
	if out.PrivacyThreshold == 0 {
		out.PrivacyThreshold = DefaultPrivacyThreshold
	}
	if out.HearingWeeks == 0 {
		out.HearingWeeks = DefaultHearingWeeks
	}
	return out
}

// CheckSettings validates settings an administrator asks for and returns
// them normalised: login methods in a fixed order without repeats, e-mail
// domains lower-cased without "@" or repeats. oidcConfigured says whether
// this deployment has an OpenID Connect provider.
//
// It refuses with no_login_method a list of login methods that is empty
// (nobody could log in), with oidc_not_configured single sign-on on a
// deployment without a provider (which also refuses turning passwords
// off there), and with invalid anything else out of bounds.
func CheckSettings(s MunicipalitySettings, oidcConfigured bool) (MunicipalitySettings, error) {
	var out MunicipalitySettings
	for _, m := range s.LoginMethods {
		if m != LoginPassword && m != LoginOIDC {
			return out, collab.Errorf(collab.CodeInvalid, "unknown login method %.40q (password or oidc)", m)
		}
	}
	for _, m := range []string{LoginPassword, LoginOIDC} {
		if slices.Contains(s.LoginMethods, m) {
			out.LoginMethods = append(out.LoginMethods, m)
		}
	}
	if len(out.LoginMethods) == 0 {
		return out, collab.Errorf(collab.CodeNoLoginMethod, "at least one login method must stay on, or nobody can log in")
	}
	if slices.Contains(out.LoginMethods, LoginOIDC) && !oidcConfigured {
		if !slices.Contains(out.LoginMethods, LoginPassword) {
			return out, collab.Errorf(collab.CodeOIDCNotConfigured, "password login cannot be turned off: this server has no OpenID Connect provider")
		}
		return out, collab.Errorf(collab.CodeOIDCNotConfigured, "single sign-on cannot be turned on: this server has no OpenID Connect provider")
	}
	if len(s.EmailDomains) > maxEmailDomains {
		return out, collab.Errorf(collab.CodeInvalid, "at most %d e-mail domains", maxEmailDomains)
	}
	out.EmailDomains = []string{}
	for _, d := range s.EmailDomains {
		d, err := checkDomain(d)
		if err != nil {
			return out, err
		}
		if !slices.Contains(out.EmailDomains, d) {
			out.EmailDomains = append(out.EmailDomains, d)
		}
	}
	if s.PrivacyThreshold < 1 || s.PrivacyThreshold > MaxPrivacyThreshold {
		return out, collab.Errorf(collab.CodeInvalid, "privacy_threshold must be 1 to %d", MaxPrivacyThreshold)
	}
	if s.HearingWeeks < 1 || s.HearingWeeks > MaxHearingWeeks {
		return out, collab.Errorf(collab.CodeInvalid, "hearing_weeks must be 1 to %d", MaxHearingWeeks)
	}
	switch s.Language {
	case "", LangBokmal, LangNynorsk:
	default:
		return out, collab.Errorf(collab.CodeInvalid, "language must be nb (bokmål) or nn (nynorsk)")
	}
	out.PrivacyThreshold, out.HearingWeeks, out.Language = s.PrivacyThreshold, s.HearingWeeks, s.Language
	return out, nil
}

// checkDomain returns an e-mail domain normalised (trimmed, lower case, no
// leading "@"), or invalid when it is not a domain name of at least two
// labels of letters, digits and hyphens (an international name in its
// xn-- form).
func checkDomain(d string) (string, error) {
	d = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(d)), "@")
	bad := collab.Errorf(collab.CodeInvalid, "%.80q is not an e-mail domain such as bodo.kommune.no", d)
	if len(d) < 3 || len(d) > 253 {
		return "", bad
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return "", bad
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return "", bad
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return "", bad
			}
		}
	}
	return d, nil
}

// ChangeMunicipality replaces the settings of municipality id (the
// administrator's own: the caller passes it, never the request) with s,
// checked by CheckSettings, and writes the change to the audit log. An
// e-mail domain that another municipality lists already is a conflict:
// single sign-on could not tell whose its people are. by is the acting
// user's id. The municipality is created when only its accounts existed.
func (a *Accounts) ChangeMunicipality(ctx context.Context, by, id string, s MunicipalitySettings, oidcConfigured bool) (Municipality, error) {
	s, err := CheckSettings(s, oidcConfigured)
	if err != nil {
		return Municipality{}, err
	}
	all, err := a.cfg.Store.ListMunicipalities(ctx)
	if err != nil {
		return Municipality{}, collab.Wrap(collab.CodeUnavailable, err, "the municipalities could not be read; try again")
	}
	for _, other := range all {
		if other.ID == id {
			continue
		}
		for _, d := range s.EmailDomains {
			if slices.ContainsFunc(other.Settings.EmailDomains, func(o string) bool {
				return strings.EqualFold(strings.TrimPrefix(strings.TrimSpace(o), "@"), d)
			}) {
				return Municipality{}, collab.Errorf(collab.CodeConflict, "the e-mail domain %s belongs to another municipality", d)
			}
		}
	}
	m, err := a.Municipality(ctx, id)
	if err != nil {
		return Municipality{}, err
	}
	if err := a.EnsureMunicipality(ctx, m); err != nil {
		return Municipality{}, collab.Wrap(collab.CodeUnavailable, err, "the municipality could not be stored; try again")
	}
	if m, _, err = a.cfg.Store.Municipality(ctx, id); err != nil {
		return Municipality{}, collab.Wrap(collab.CodeUnavailable, err, "the municipality could not be read; try again")
	}
	changed := settingsChanges(m.Settings.Effective(), s)
	m.Settings = s
	if err := a.cfg.Store.UpdateMunicipality(ctx, m); err != nil {
		if errors.Is(err, collab.ErrNotFound) {
			return Municipality{}, collab.Errorf(collab.CodeNotFound, "municipality %q not found", id)
		}
		return Municipality{}, collab.Wrap(collab.CodeUnavailable, err, "the municipality could not be stored; try again")
	}
	if len(changed) > 0 {
		a.audit(ctx, AuditEvent{Municipality: id, Actor: by, Action: "municipality.updated", Detail: strings.Join(changed, ", ")})
	}
	return m, nil
}

// settingsChanges describes what differs between two settings, for the
// audit log: "login_methods=password,oidc, privacy_threshold=4".
func settingsChanges(before, after MunicipalitySettings) []string {
	var out []string
	if !slices.Equal(before.LoginMethods, after.LoginMethods) {
		out = append(out, "login_methods="+strings.Join(after.LoginMethods, ","))
	}
	if !slices.Equal(before.EmailDomains, after.EmailDomains) {
		out = append(out, "email_domains="+strings.Join(after.EmailDomains, ","))
	}
	if before.PrivacyThreshold != after.PrivacyThreshold {
		out = append(out, fmt.Sprintf("privacy_threshold=%d", after.PrivacyThreshold))
	}
	if before.HearingWeeks != after.HearingWeeks {
		out = append(out, fmt.Sprintf("hearing_weeks=%d", after.HearingWeeks))
	}
	if before.Language != after.Language && after.Language != "" {
		out = append(out, "language="+after.Language)
	}
	return out
}
