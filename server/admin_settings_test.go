package server_test

import (
	"context"
	"net/http"
	"path/filepath"
	"slices"
	"testing"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/sqlite"
	"github.com/temaplan/temaplan/server"
)

// municipalityAdmin is the body of GET and PUT /api/admin/municipality.
type municipalityAdmin struct {
	ID             string                    `json:"id"`
	Name           string                    `json:"name"`
	Settings       auth.MunicipalitySettings `json:"settings"`
	OIDCConfigured bool                      `json:"oidc_configured"`
}

// TestAdmin_MunicipalitySettings checks the settings of a municipality on
// a server without single sign-on: the defaults, a change that new plans
// follow and the audit records, every refusal changing nothing, and that
// neither another municipality's administrator nor a non-administrator
// reads or changes them.
func TestAdmin_MunicipalitySettings(t *testing.T) {
	eachStore(t, testAdmin_MunicipalitySettings)
}

func testAdmin_MunicipalitySettings(t *testing.T, ts *testServer) {
	const path = "/api/admin/municipality"
	get := func(token string) municipalityAdmin {
		t.Helper()
		rec := ts.doAs(token, http.MethodGet, path, "")
		if rec.Code != http.StatusOK {
			t.Fatalf("GET: %d %s", rec.Code, rec.Body)
		}
		return decode[municipalityAdmin](t, rec)
	}
	m := get(ts.kari.Token)
	if m.ID != "m1" || m.OIDCConfigured || !slices.Equal(m.Settings.LoginMethods, []string{"password"}) ||
		len(m.Settings.EmailDomains) != 0 || m.Settings.PrivacyThreshold != 5 || m.Settings.HearingWeeks != 6 || m.Settings.Language != "nb" {
		t.Fatalf("the defaults: %+v", m)
	}

	rec := ts.do(http.MethodPut, path, `{"privacy_threshold":3,"hearing_weeks":9,"email_domains":["M1.kommune.no"]}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("PUT: %d %s", rec.Code, rec.Body)
	}
	want := auth.MunicipalitySettings{LoginMethods: []string{"password"}, EmailDomains: []string{"m1.kommune.no"}, PrivacyThreshold: 3, HearingWeeks: 9}
	for _, got := range []municipalityAdmin{decode[municipalityAdmin](t, rec), get(ts.kari.Token)} {
		if !slices.Equal(got.Settings.LoginMethods, want.LoginMethods) || !slices.Equal(got.Settings.EmailDomains, want.EmailDomains) ||
			got.Settings.PrivacyThreshold != 3 || got.Settings.HearingWeeks != 9 {
			t.Errorf("after the change: %+v, want %+v", got.Settings, want)
		}
	}
	// New plans take the municipality's privacy threshold.
	if p := ts.createPlan("Boligplan"); p.PrivacyThreshold != 3 {
		t.Errorf("a new plan has privacy threshold %d, want the municipality's 3", p.PrivacyThreshold)
	}
	events := decode[struct{ Items []auth.AuditEvent }](t, ts.do(http.MethodGet, "/api/admin/audit", ""))
	if !slices.ContainsFunc(events.Items, func(e auth.AuditEvent) bool {
		return e.Action == "municipality.updated" && e.Actor == ts.kari.ID &&
			e.Detail == "email_domains=m1.kommune.no, privacy_threshold=3, hearing_weeks=9"
	}) {
		t.Errorf("audit %+v: no municipality.updated line", events.Items)
	}

	ola := ts.user("ola@m2.no", "m2", true)
	if rec := ts.doAs(ola.Token, http.MethodPut, path, `{"privacy_threshold":7}`); rec.Code != http.StatusOK {
		t.Fatalf("ola changes m2: %d %s", rec.Code, rec.Body)
	}
	refused := []struct {
		name, body string
		status     int
		code       collab.Code
	}{
		{"every login method off", `{"login_methods":[]}`, http.StatusUnprocessableEntity, collab.CodeNoLoginMethod},
		{"passwords off without a provider", `{"login_methods":["oidc"]}`, http.StatusUnprocessableEntity, collab.CodeOIDCNotConfigured},
		{"single sign-on on without a provider", `{"login_methods":["password","oidc"]}`, http.StatusUnprocessableEntity, collab.CodeOIDCNotConfigured},
		{"unknown method", `{"login_methods":["password","saml"]}`, http.StatusUnprocessableEntity, collab.CodeInvalid},
		{"operator injection", `{"login_methods":{"$gt":""}}`, http.StatusUnprocessableEntity, collab.CodeInvalid},
		{"unknown field", `{"privacy":3}`, http.StatusUnprocessableEntity, collab.CodeInvalid},
		{"threshold 0", `{"privacy_threshold":0}`, http.StatusUnprocessableEntity, collab.CodeInvalid},
		{"threshold as text", `{"privacy_threshold":"5"}`, http.StatusUnprocessableEntity, collab.CodeInvalid},
		{"hearing 60 weeks", `{"hearing_weeks":60}`, http.StatusUnprocessableEntity, collab.CodeInvalid},
		{"language sámi", `{"language":"se"}`, http.StatusUnprocessableEntity, collab.CodeInvalid},
		{"a bad domain", `{"email_domains":["<script>.no"]}`, http.StatusUnprocessableEntity, collab.CodeInvalid},
		{"null body", `null`, http.StatusOK, ""}, // nothing asked, nothing changed
		{"malformed", `{"privacy_threshold":`, http.StatusBadRequest, collab.CodeBadRequest},
	}
	for _, r := range refused {
		rec := ts.do(http.MethodPut, path, r.body)
		if r.code == "" {
			if rec.Code != r.status {
				t.Errorf("%s: %d %s", r.name, rec.Code, rec.Body)
			}
			continue
		}
		wantError(t, rec, r.status, r.code)
	}
	if got := get(ts.kari.Token).Settings; !slices.Equal(got.EmailDomains, want.EmailDomains) || got.PrivacyThreshold != 3 ||
		got.HearingWeeks != 9 || !slices.Equal(got.LoginMethods, []string{"password"}) {
		t.Errorf("refused changes changed the settings: %+v", got)
	}

	// Tenancy: each administrator has their own municipality; a domain of
	// one is not the other's.
	if got := get(ola.Token); got.ID != "m2" || got.Settings.PrivacyThreshold != 7 || len(got.Settings.EmailDomains) != 0 {
		t.Errorf("ola sees %+v, want m2 with threshold 7", got)
	}
	wantError(t, ts.doAs(ola.Token, http.MethodPut, path, `{"email_domains":["m1.kommune.no"]}`), http.StatusConflict, collab.CodeConflict)
	lene := ts.user("lene@m1.no", "m1", false)
	wantError(t, ts.doAs(lene.Token, http.MethodGet, path, ""), http.StatusForbidden, collab.CodeForbidden)
	wantError(t, ts.doAs(lene.Token, http.MethodPut, path, `{"privacy_threshold":4}`), http.StatusForbidden, collab.CodeForbidden)
}

// TestAdmin_MunicipalitySettingsWithSingleSignOn: on a server with an
// OpenID Connect provider, single sign-on may be turned on and passwords
// off, but never every login method.
func TestAdmin_MunicipalitySettingsWithSingleSignOn(t *testing.T) {
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "temaplan.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	oidc, err := auth.NewOIDC(auth.OIDCConfig{Issuer: "https://login.example.no", ClientID: "temaplan", ClientSecret: "hemmelig",
		RedirectURL: "https://temaplan.example.no/api/auth/oidc/callback", Secret: testSecret, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	ts := newTestServerOn(t, store, func(c *server.Config) { c.OIDC = oidc })
	const path = "/api/admin/municipality"
	if m := decode[municipalityAdmin](t, ts.do(http.MethodGet, path, "")); !m.OIDCConfigured {
		t.Fatalf("GET %+v: want oidc_configured", m)
	}
	rec := ts.do(http.MethodPut, path, `{"login_methods":["oidc"],"email_domains":["m1.kommune.no"]}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("single sign-on only: %d %s", rec.Code, rec.Body)
	}
	if m := decode[municipalityAdmin](t, rec); !slices.Equal(m.Settings.LoginMethods, []string{"oidc"}) {
		t.Errorf("login methods %v, want [oidc]", m.Settings.LoginMethods)
	}
	wantError(t, ts.do(http.MethodPut, path, `{"login_methods":[]}`), http.StatusUnprocessableEntity, collab.CodeNoLoginMethod)
	rec = ts.do(http.MethodPut, path, `{"login_methods":["oidc","password"]}`)
	if m := decode[municipalityAdmin](t, rec); rec.Code != http.StatusOK || !slices.Equal(m.Settings.LoginMethods, []string{"password", "oidc"}) {
		t.Errorf("both methods: %d %+v", rec.Code, m)
	}
}
