package auth_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/sqlite"
)

func TestCheckSettings(t *testing.T) {
	ok := auth.MunicipalitySettings{LoginMethods: []string{"password"}, PrivacyThreshold: 5, HearingWeeks: 6}
	with := func(change func(s *auth.MunicipalitySettings)) auth.MunicipalitySettings {
		s := ok
		change(&s)
		return s
	}
	cases := []struct {
		name string
		in   auth.MunicipalitySettings
		oidc bool
		code collab.Code
		want auth.MunicipalitySettings
	}{
		{name: "password only", in: ok,
			want: auth.MunicipalitySettings{LoginMethods: []string{"password"}, EmailDomains: []string{}, PrivacyThreshold: 5, HearingWeeks: 6}},
		{name: "both, normalised", oidc: true, in: with(func(s *auth.MunicipalitySettings) {
			s.LoginMethods = []string{"oidc", "password", "oidc"}
			s.EmailDomains = []string{" @Bodo.Kommune.NO ", "bodo.kommune.no", "xn--bd-0na.no"}
			s.PrivacyThreshold, s.HearingWeeks = 3, 9
		}), want: auth.MunicipalitySettings{LoginMethods: []string{"password", "oidc"},
			EmailDomains: []string{"bodo.kommune.no", "xn--bd-0na.no"}, PrivacyThreshold: 3, HearingWeeks: 9}},
		{name: "single sign-on only, with a provider", oidc: true, in: with(func(s *auth.MunicipalitySettings) { s.LoginMethods = []string{"oidc"} }),
			want: auth.MunicipalitySettings{LoginMethods: []string{"oidc"}, EmailDomains: []string{}, PrivacyThreshold: 5, HearingWeeks: 6}},
		{name: "no login method", oidc: true, in: with(func(s *auth.MunicipalitySettings) { s.LoginMethods = nil }), code: collab.CodeNoLoginMethod},
		{name: "passwords off without a provider", in: with(func(s *auth.MunicipalitySettings) { s.LoginMethods = []string{"oidc"} }),
			code: collab.CodeOIDCNotConfigured},
		{name: "single sign-on on without a provider", in: with(func(s *auth.MunicipalitySettings) { s.LoginMethods = []string{"password", "oidc"} }),
			code: collab.CodeOIDCNotConfigured},
		{name: "unknown method", in: with(func(s *auth.MunicipalitySettings) { s.LoginMethods = []string{"password", "saml"} }), code: collab.CodeInvalid},
		{name: "operator injection as a method", in: with(func(s *auth.MunicipalitySettings) { s.LoginMethods = []string{`{"$gt":""}`} }), code: collab.CodeInvalid},
		{name: "domain with @ inside", in: with(func(s *auth.MunicipalitySettings) { s.EmailDomains = []string{"kari@bodo.no"} }), code: collab.CodeInvalid},
		{name: "domain of one label", in: with(func(s *auth.MunicipalitySettings) { s.EmailDomains = []string{"localhost"} }), code: collab.CodeInvalid},
		{name: "domain with æøå", in: with(func(s *auth.MunicipalitySettings) { s.EmailDomains = []string{"bodø.no"} }), code: collab.CodeInvalid},
		{name: "domain with a space", in: with(func(s *auth.MunicipalitySettings) { s.EmailDomains = []string{"bodo kommune.no"} }), code: collab.CodeInvalid},
		{name: "domain label starting with -", in: with(func(s *auth.MunicipalitySettings) { s.EmailDomains = []string{"-bodo.no"} }), code: collab.CodeInvalid},
		{name: "empty domain", in: with(func(s *auth.MunicipalitySettings) { s.EmailDomains = []string{""} }), code: collab.CodeInvalid},
		{name: "too many domains", in: with(func(s *auth.MunicipalitySettings) {
			for i := range 51 {
				s.EmailDomains = append(s.EmailDomains, fmt.Sprintf("d%d.no", i))
			}
		}), code: collab.CodeInvalid},
		{name: "threshold 0", in: with(func(s *auth.MunicipalitySettings) { s.PrivacyThreshold = 0 }), code: collab.CodeInvalid},
		{name: "threshold 101", in: with(func(s *auth.MunicipalitySettings) { s.PrivacyThreshold = 101 }), code: collab.CodeInvalid},
		{name: "hearing 0 weeks", in: with(func(s *auth.MunicipalitySettings) { s.HearingWeeks = 0 }), code: collab.CodeInvalid},
		{name: "hearing 53 weeks", in: with(func(s *auth.MunicipalitySettings) { s.HearingWeeks = 53 }), code: collab.CodeInvalid},
		{name: "language se", in: with(func(s *auth.MunicipalitySettings) { s.Language = "se" }), code: collab.CodeInvalid},
		{name: "language NN", in: with(func(s *auth.MunicipalitySettings) { s.Language = "NN" }), code: collab.CodeInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := auth.CheckSettings(c.in, c.oidc)
			if collab.ErrorCode(err) != c.code {
				t.Fatalf("CheckSettings: %v, want code %q", err, c.code)
			}
			if err == nil && (!slices.Equal(got.LoginMethods, c.want.LoginMethods) || !slices.Equal(got.EmailDomains, c.want.EmailDomains) ||
				got.PrivacyThreshold != c.want.PrivacyThreshold || got.HearingWeeks != c.want.HearingWeeks) {
				t.Errorf("CheckSettings = %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestMunicipalitySettings_Effective(t *testing.T) {
	got := auth.MunicipalitySettings{}.Effective()
	if !slices.Equal(got.LoginMethods, []string{"password"}) || got.EmailDomains == nil || len(got.EmailDomains) != 0 ||
		got.PrivacyThreshold != auth.DefaultPrivacyThreshold || got.HearingWeeks != auth.DefaultHearingWeeks {
		t.Errorf("the zero settings are in effect %+v", got)
	}
	set := auth.MunicipalitySettings{LoginMethods: []string{"oidc"}, EmailDomains: []string{"a.no"}, PrivacyThreshold: 3, HearingWeeks: 8}
	if got := set.Effective(); !slices.Equal(got.LoginMethods, set.LoginMethods) || got.PrivacyThreshold != 3 || got.HearingWeeks != 8 {
		t.Errorf("settings given are in effect %+v", got)
	}
}

// newMunicipalityAccounts returns an accounts service on a fresh SQLite
// store, with the store.
func newMunicipalityAccounts(t *testing.T) (*auth.Accounts, auth.Store) {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "temaplan.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	issuer, err := auth.NewIssuer(auth.IssuerConfig{Secret: []byte("test-secret-test-secret-test-secret!"), Issuer: "temaplan", Audience: "temaplan"})
	if err != nil {
		t.Fatal(err)
	}
	hasher, err := auth.NewHasher(auth.HasherConfig{Params: auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	if err != nil {
		t.Fatal(err)
	}
	limiter, err := auth.NewLoginLimiter(auth.LoginLimitConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	a, err := auth.NewAccounts(auth.AccountsConfig{Store: store, Issuer: issuer, Hasher: hasher, Limiter: limiter,
		NewID: func() string { return fmt.Sprintf("id-%04d", n.Add(1)) }})
	if err != nil {
		t.Fatal(err)
	}
	return a, store
}

// TestAccounts_ChangeMunicipality checks that settings are stored and
// audited, that a refused change changes nothing, that a domain of another
// municipality is a conflict, and that a municipality known only from its
// accounts is created by its first change.
func TestAccounts_ChangeMunicipality(t *testing.T) {
	ctx := context.Background()
	a, store := newMunicipalityAccounts(t)
	if err := a.EnsureMunicipality(ctx, auth.Municipality{ID: "1804", Name: "Bodø kommune"}); err != nil {
		t.Fatal(err)
	}
	if err := a.EnsureMunicipality(ctx, auth.Municipality{ID: "5501", Name: "Tromsø kommune",
		Settings: auth.MunicipalitySettings{EmailDomains: []string{"tromso.kommune.no"}}}); err != nil {
		t.Fatal(err)
	}
	want := auth.MunicipalitySettings{LoginMethods: []string{"password", "oidc"}, EmailDomains: []string{"bodo.kommune.no"},
		PrivacyThreshold: 4, HearingWeeks: 8}
	m, err := a.ChangeMunicipality(ctx, "admin", "1804", want, true)
	if err != nil {
		t.Fatal(err)
	}
	stored, _, err := store.Municipality(ctx, "1804")
	if err != nil {
		t.Fatal(err)
	}
	for _, got := range []auth.Municipality{m, stored} {
		if got.Name != "Bodø kommune" || !slices.Equal(got.Settings.LoginMethods, want.LoginMethods) ||
			!slices.Equal(got.Settings.EmailDomains, want.EmailDomains) || got.Settings.PrivacyThreshold != 4 || got.Settings.HearingWeeks != 8 {
			t.Errorf("municipality after the change %+v", got)
		}
	}
	events, err := a.AuditLog(ctx, "1804", "", 10)
	if err != nil || len(events) != 1 || events[0].Action != "municipality.updated" || events[0].Actor != "admin" ||
		events[0].Detail != "login_methods=password,oidc, email_domains=bodo.kommune.no, privacy_threshold=4, hearing_weeks=8" {
		t.Fatalf("audit %+v, %v", events, err)
	}

	for name, c := range map[string]struct {
		s    auth.MunicipalitySettings
		oidc bool
		code collab.Code
	}{
		"another's domain": {auth.MunicipalitySettings{LoginMethods: []string{"password"}, EmailDomains: []string{"TROMSO.kommune.no"},
			PrivacyThreshold: 5, HearingWeeks: 6}, true, collab.CodeConflict},
		"no method":    {auth.MunicipalitySettings{PrivacyThreshold: 5, HearingWeeks: 6}, true, collab.CodeNoLoginMethod},
		"no provider":  {auth.MunicipalitySettings{LoginMethods: []string{"oidc"}, PrivacyThreshold: 5, HearingWeeks: 6}, false, collab.CodeOIDCNotConfigured},
		"threshold -1": {auth.MunicipalitySettings{LoginMethods: []string{"password"}, PrivacyThreshold: -1, HearingWeeks: 6}, true, collab.CodeInvalid},
	} {
		if _, err := a.ChangeMunicipality(ctx, "admin", "1804", c.s, c.oidc); collab.ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %s", name, err, c.code)
		}
	}
	if again, _, _ := store.Municipality(ctx, "1804"); !slices.Equal(again.Settings.EmailDomains, want.EmailDomains) || again.Settings.PrivacyThreshold != 4 {
		t.Errorf("refused changes changed the settings: %+v", again.Settings)
	}
	if events, _ := a.AuditLog(ctx, "1804", "", 10); len(events) != 1 {
		t.Errorf("refused changes were audited: %+v", events)
	}

	// The same settings again change nothing worth auditing.
	if _, err := a.ChangeMunicipality(ctx, "admin", "1804", want, true); err != nil {
		t.Fatal(err)
	}
	if events, _ := a.AuditLog(ctx, "1804", "", 10); len(events) != 1 {
		t.Errorf("an unchanged save was audited: %+v", events)
	}

	// A municipality that only its accounts name gets a record.
	if _, err := a.ChangeMunicipality(ctx, "admin", "4601", auth.MunicipalitySettings{LoginMethods: []string{"password"},
		PrivacyThreshold: 7, HearingWeeks: 6}, false); err != nil {
		t.Fatal(err)
	}
	if m, ok, err := store.Municipality(ctx, "4601"); err != nil || !ok || m.Settings.PrivacyThreshold != 7 || !strings.Contains(m.Name, "4601") {
		t.Errorf("municipality 4601 after its first change: %+v %t %v", m, ok, err)
	}
}
