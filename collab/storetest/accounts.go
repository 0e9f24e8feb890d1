package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
)

// RunAccounts runs the contract suite of auth.Store: municipalities,
// accounts, refresh tokens, revocations and the audit log. open must return
// a fresh, empty store for each call; the adapter's open registers the
// store's cleanup with t.
//
// The stores do not normalise: e-mail addresses and every other key are
// matched and ordered byte for byte (callers normalise e-mail addresses
// with auth.NormalizeEmail first).
func RunAccounts(t *testing.T, open func(t *testing.T) auth.Store) {
	t.Run("Municipalities", func(t *testing.T) { testMunicipalities(t, open(t)) })
	t.Run("MunicipalitySettings", func(t *testing.T) { testMunicipalitySettings(t, open(t)) })
	t.Run("Accounts", func(t *testing.T) { testAccounts(t, open(t)) })
	t.Run("AccountRace", func(t *testing.T) { testAccountRace(t, open(t)) })
	t.Run("UpdateAccount", func(t *testing.T) { testUpdateAccount(t, open(t)) })
	t.Run("ListAccounts", func(t *testing.T) { testListAccounts(t, open(t)) })
	t.Run("RefreshTokens", func(t *testing.T) { testRefreshTokens(t, open(t)) })
	t.Run("RefreshRace", func(t *testing.T) { testRefreshRace(t, open(t)) })
	t.Run("RevokeFamily", func(t *testing.T) { testRevokeFamily(t, open(t)) })
	t.Run("Audit", func(t *testing.T) { testAudit(t, open(t)) })
	t.Run("AuditLimits", func(t *testing.T) { testAuditLimits(t, open(t)) })
	t.Run("HostileStrings", func(t *testing.T) { testAccountsHostile(t, open(t)) })
}

func testMunicipalities(t *testing.T, s auth.Store) {
	if m, ok, err := s.Municipality(t.Context(), "m1"); err != nil || ok {
		t.Errorf("Municipality of an empty store = %+v, %v, %v; want not found, nil", m, ok, err)
	}
	m1 := auth.Municipality{ID: "m1", Name: "Ærøskøbing Kommune", Created: base}
	upper := auth.Municipality{ID: "M1", Name: "Upper", Created: base.Add(time.Hour)}
	for _, m := range []auth.Municipality{m1, upper} {
		if err := s.CreateMunicipality(t.Context(), m); err != nil {
			t.Fatalf("CreateMunicipality(%q): %v", m.ID, err)
		}
	}
	dup := auth.Municipality{ID: "m1", Name: "Intruder", Created: base.Add(48 * time.Hour)}
	if err := s.CreateMunicipality(t.Context(), dup); !isDuplicate(err) {
		t.Errorf("CreateMunicipality of a stored id = %v, want ErrDuplicate", err)
	}
	for _, want := range []auth.Municipality{m1, upper} {
		got, ok, err := s.Municipality(t.Context(), want.ID)
		if err != nil || !ok || got.ID != want.ID || got.Name != want.Name || !timeEqual(got.Created, want.Created) {
			t.Errorf("Municipality(%q) = %+v, %v, %v; want %+v", want.ID, got, ok, err, want)
		}
	}
	for _, id := range []string{"m", "m1 ", "m2", ""} {
		if m, ok, err := s.Municipality(t.Context(), id); err != nil || ok {
			t.Errorf("Municipality(%q) = %+v, %v, %v; want not found, nil", id, m, ok, err)
		}
	}
}

func testMunicipalitySettings(t *testing.T, s auth.Store) {
	ctx := t.Context()
	if list, err := s.ListMunicipalities(ctx); err != nil || len(list) != 0 {
		t.Errorf("ListMunicipalities of an empty store = %+v, %v; want none", list, err)
	}
	b := auth.Municipality{ID: "b", Name: "Bodø", Created: base,
		Settings: auth.MunicipalitySettings{LoginMethods: []string{auth.LoginOIDC}, EmailDomains: []string{"bodo.kommune.no"}, PrivacyThreshold: 10}}
	a := auth.Municipality{ID: "a", Name: "Alta", Created: base}
	for _, m := range []auth.Municipality{b, a} {
		if err := s.CreateMunicipality(ctx, m); err != nil {
			t.Fatalf("CreateMunicipality(%q): %v", m.ID, err)
		}
	}
	check := func(when string, want ...auth.Municipality) {
		t.Helper()
		list, err := s.ListMunicipalities(ctx)
		if err != nil || len(list) != len(want) {
			t.Fatalf("%s: ListMunicipalities = %+v, %v; want %d", when, list, err, len(want))
		}
		for i, w := range want {
			got, ok, err := s.Municipality(ctx, w.ID)
			for _, g := range []auth.Municipality{got, list[i]} {
				if err != nil || !ok || g.ID != w.ID || g.Name != w.Name || !timeEqual(g.Created, w.Created) ||
					!slices.Equal(g.Settings.LoginMethods, w.Settings.LoginMethods) ||
					!slices.Equal(g.Settings.EmailDomains, w.Settings.EmailDomains) ||
					g.Settings.PrivacyThreshold != w.Settings.PrivacyThreshold || g.Settings.HearingWeeks != w.Settings.HearingWeeks ||
					g.Settings.Language != w.Settings.Language {
					t.Errorf("%s: municipality %q = %+v (%v, %v); want %+v", when, w.ID, g, ok, err, w)
				}
			}
		}
	}
	check("created", a, b)
	if !a.Settings.PasswordAllowed() || a.Settings.OIDCAllowed() || b.Settings.PasswordAllowed() || !b.Settings.OIDCAllowed() {
		t.Errorf("login methods: a %+v, b %+v", a.Settings, b.Settings)
	}

	a.Name = "Alta kommune"
	a.Settings = auth.MunicipalitySettings{LoginMethods: []string{auth.LoginPassword, auth.LoginOIDC},
		EmailDomains: []string{"alta.kommune.no", "æøå.no"}, PrivacyThreshold: 7, HearingWeeks: 8, Language: auth.LangNynorsk}
	a.Created = base.Add(time.Hour) // never changes
	if err := s.UpdateMunicipality(ctx, a); err != nil {
		t.Fatalf("UpdateMunicipality: %v", err)
	}
	a.Created = base
	check("updated", a, b)
	if err := s.UpdateMunicipality(ctx, auth.Municipality{ID: "c", Name: "Nowhere"}); !errors.Is(err, collab.ErrNotFound) {
		t.Errorf("UpdateMunicipality of an unknown id = %v, want ErrNotFound", err)
	}
	check("after a refused update", a, b)
}

// acct returns an account whose name and password hash name its id, so a
// mixed-up read is noticed.
func acct(id, email, municipality string) auth.Account {
	return auth.Account{
		ID:           id,
		Email:        email,
		Name:         "Name of " + id,
		Municipality: municipality,
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=4$" + id,
		Created:      base,
		Updated:      base.Add(time.Minute),
	}
}

func accountDiff(got, want auth.Account) string {
	if got.ID != want.ID || got.Email != want.Email || got.Name != want.Name ||
		got.Municipality != want.Municipality || got.PasswordHash != want.PasswordHash ||
		got.Admin != want.Admin || got.Disabled != want.Disabled ||
		!timeEqual(got.Created, want.Created) || !timeEqual(got.Updated, want.Updated) {
		return fmt.Sprintf("got {%q %q %q %q %q admin=%v disabled=%v %v %v}, want {%q %q %q %q %q admin=%v disabled=%v %v %v}",
			got.ID, got.Email, got.Name, got.Municipality, got.PasswordHash, got.Admin, got.Disabled, got.Created, got.Updated,
			want.ID, want.Email, want.Name, want.Municipality, want.PasswordHash, want.Admin, want.Disabled,
			ms(want.Created), ms(want.Updated))
	}
	return ""
}

func mustCreateAccount(t *testing.T, s auth.Store, a auth.Account) {
	t.Helper()
	if err := s.CreateAccount(t.Context(), a); err != nil {
		t.Fatalf("CreateAccount(%q, %q): %v", a.ID, a.Email, err)
	}
}

// checkAccount fails t unless want is found by its id and by its e-mail.
func checkAccount(t *testing.T, s auth.Store, want auth.Account) {
	t.Helper()
	got, ok, err := s.AccountByID(t.Context(), want.ID)
	if err != nil || !ok {
		t.Errorf("AccountByID(%q) = _, %v, %v; want found", want.ID, ok, err)
	} else if d := accountDiff(got, want); d != "" {
		t.Errorf("AccountByID(%q): %s", want.ID, d)
	}
	got, ok, err = s.AccountByEmail(t.Context(), want.Email)
	if err != nil || !ok {
		t.Errorf("AccountByEmail(%q) = _, %v, %v; want found", want.Email, ok, err)
	} else if d := accountDiff(got, want); d != "" {
		t.Errorf("AccountByEmail(%q): %s", want.Email, d)
	}
}

// checkNoAccount fails t if an account is found by id or by email.
func checkNoAccount(t *testing.T, s auth.Store, id, email string) {
	t.Helper()
	checkNoAccountID(t, s, id)
	checkNoAccountEmail(t, s, email)
}

func checkNoAccountID(t *testing.T, s auth.Store, id string) {
	t.Helper()
	if a, ok, err := s.AccountByID(t.Context(), id); err != nil || ok {
		t.Errorf("AccountByID(%q) = %q, %v, %v; want not found, nil", id, a.ID, ok, err)
	}
}

func checkNoAccountEmail(t *testing.T, s auth.Store, email string) {
	t.Helper()
	if a, ok, err := s.AccountByEmail(t.Context(), email); err != nil || ok {
		t.Errorf("AccountByEmail(%q) = %q, %v, %v; want not found, nil", email, a.ID, ok, err)
	}
}

func testAccounts(t *testing.T, s auth.Store) {
	checkNoAccount(t, s, "anne", "anne@x.no")
	anne := acct("anne", "anne@x.no", "m1")
	anne.Admin = true
	bo := acct("bo", "bo@x.no", "m1")
	bo.Disabled = true
	mustCreateAccount(t, s, anne)
	mustCreateAccount(t, s, bo)

	t.Run("RoundTrip", func(t *testing.T) {
		checkAccount(t, s, anne)
		checkAccount(t, s, bo)
	})

	t.Run("DuplicateID", func(t *testing.T) {
		intruder := acct("anne", "intruder@x.no", "m2")
		if err := s.CreateAccount(t.Context(), intruder); !isDuplicate(err) {
			t.Errorf("CreateAccount of a stored id = %v, want ErrDuplicate", err)
		}
		checkAccount(t, s, anne)
		checkNoAccountEmail(t, s, "intruder@x.no")
		// The refused account took nothing: its address is free.
		mustCreateAccount(t, s, acct("carl", "intruder@x.no", "m2"))
		checkAccount(t, s, acct("carl", "intruder@x.no", "m2"))
	})

	t.Run("DuplicateEmail", func(t *testing.T) {
		for _, municipality := range []string{"m1", "m2"} {
			intruder := acct("dina-"+municipality, "anne@x.no", municipality)
			if err := s.CreateAccount(t.Context(), intruder); !isDuplicate(err) {
				t.Errorf("CreateAccount of a stored e-mail in %s = %v, want ErrDuplicate", municipality, err)
			}
			checkNoAccountID(t, s, intruder.ID)
		}
		checkAccount(t, s, anne)
		// The refused account took nothing: its id is free.
		mustCreateAccount(t, s, acct("dina-m1", "dina@x.no", "m1"))
		checkAccount(t, s, acct("dina-m1", "dina@x.no", "m1"))
	})

	t.Run("ExactMatch", func(t *testing.T) {
		for _, email := range []string{"Anne@x.no", "ANNE@X.NO", " anne@x.no", "anne@x.no ", "anne@x", "anne@x.n_",
			"%@x.no", "anne", "x.no", ""} {
			checkNoAccountEmail(t, s, email)
		}
		for _, id := range []string{"Anne", "ann", "anne ", "a%", ""} {
			checkNoAccountID(t, s, id)
		}
		// Addresses that differ only in case are different keys to the
		// store: the auth layer normalises before it creates or looks up.
		upper := acct("ANNE", "Anne@x.no", "m1")
		mustCreateAccount(t, s, upper)
		checkAccount(t, s, upper)
		checkAccount(t, s, anne)
	})
}

// testAccountRace lets 8 sign-ups race for one address, then 8 for one id:
// exactly one of each wins, and the losers leave nothing behind.
func testAccountRace(t *testing.T, s auth.Store) {
	const racers = 8
	race := func(accounts []auth.Account) int {
		t.Helper()
		errs := make([]error, len(accounts))
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, a := range accounts {
			wg.Go(func() {
				<-start
				errs[i] = s.CreateAccount(t.Context(), a)
			})
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil:
				if winner >= 0 {
					t.Errorf("accounts %q and %q were both created", accounts[winner].ID, accounts[i].ID)
				}
				winner = i
			case !isDuplicate(err):
				t.Errorf("CreateAccount(%q, %q): %v, want nil or ErrDuplicate", accounts[i].ID, accounts[i].Email, err)
			}
		}
		if winner < 0 {
			t.Fatal("no account was created")
		}
		return winner
	}

	t.Run("SameEmail", func(t *testing.T) {
		accounts := make([]auth.Account, racers)
		for i := range accounts {
			accounts[i] = acct(fmt.Sprintf("racer-%d", i), "race@x.no", fmt.Sprintf("m%d", i))
		}
		w := race(accounts)
		checkAccount(t, s, accounts[w])
		for i, a := range accounts {
			if i != w {
				checkNoAccountID(t, s, a.ID)
			}
		}
	})

	t.Run("SameID", func(t *testing.T) {
		accounts := make([]auth.Account, racers)
		for i := range accounts {
			accounts[i] = acct("same", fmt.Sprintf("same-%d@x.no", i), "m1")
		}
		w := race(accounts)
		checkAccount(t, s, accounts[w])
		for i, a := range accounts {
			if i == w {
				continue
			}
			checkNoAccountEmail(t, s, a.Email)
			// The loser's address is free again.
			free := acct(fmt.Sprintf("later-%d", i), a.Email, "m1")
			mustCreateAccount(t, s, free)
			checkAccount(t, s, free)
		}
	})
}

func testUpdateAccount(t *testing.T, s auth.Store) {
	anne := acct("anne", "anne@x.no", "m1")
	bo := acct("bo", "bo@x.no", "m1")
	mustCreateAccount(t, s, anne)
	mustCreateAccount(t, s, bo)

	update := func(a auth.Account) {
		t.Helper()
		if err := s.UpdateAccount(t.Context(), a); err != nil {
			t.Fatalf("UpdateAccount(%q): %v", a.ID, err)
		}
	}

	t.Run("ReplacesProfileAndFlags", func(t *testing.T) {
		u := auth.Account{
			ID:           "anne",
			Email:        "hijack@x.no", // never changes
			Municipality: "m2",          // never changes
			Name:         "Anne Berit",
			PasswordHash: "$argon2id$new",
			Admin:        true,
			Disabled:     true,
			Created:      base.Add(365 * 24 * time.Hour), // never changes
			Updated:      base.Add(time.Hour),
		}
		update(u)
		want := anne
		want.Name, want.PasswordHash, want.Admin, want.Disabled, want.Updated = u.Name, u.PasswordHash, true, true, u.Updated
		checkAccount(t, s, want)
		checkNoAccountEmail(t, s, "hijack@x.no")
		if list, err := s.ListAccounts(t.Context(), "m2"); err != nil || len(list) != 0 {
			t.Errorf("ListAccounts(m2) = %d accounts, %v; want none: the municipality never changes", len(list), err)
		}
		checkAccount(t, s, bo)

		// Flags are cleared as well as set.
		u.Name, u.PasswordHash, u.Admin, u.Disabled, u.Updated = "", "", false, false, base.Add(2*time.Hour)
		update(u)
		want.Name, want.PasswordHash, want.Admin, want.Disabled, want.Updated = "", "", false, false, u.Updated
		checkAccount(t, s, want)
		checkAccount(t, s, bo)
	})

	t.Run("UnknownID", func(t *testing.T) {
		for _, id := range []string{"nobody", "Anne", "anne ", ""} {
			err := s.UpdateAccount(t.Context(), acct(id, "nobody@x.no", "m1"))
			if !errors.Is(err, collab.ErrNotFound) {
				t.Errorf("UpdateAccount(%q) = %v, want ErrNotFound", id, err)
			}
			checkNoAccount(t, s, id, "nobody@x.no")
		}
		checkAccount(t, s, bo)
	})
}

func testListAccounts(t *testing.T, s auth.Store) {
	// Ids in the opposite order of the addresses, so that a listing by id
	// is noticed; "Z" sorts before "a" byte for byte.
	accounts := []auth.Account{
		acct("id-1", "d@x.no", "m1"),
		acct("id-2", "b@x.no", "m1"),
		acct("id-3", "c@x.no", "m1"),
		acct("id-4", "a@x.no", "m1"),
		acct("id-5", "Z@x.no", "m1"),
		acct("id-6", "aa@x.no", "m2"),
		acct("id-7", "e@x.no", "M1"),
		acct("id-8", "f@x.no", "m1 "),
	}
	for _, a := range accounts {
		mustCreateAccount(t, s, a)
	}
	for _, tc := range []struct {
		municipality string
		want         []int // indices into accounts
	}{
		{"m1", []int{4, 3, 1, 2, 0}},
		{"m2", []int{5}},
		{"M1", []int{6}},
		{"m1 ", []int{7}},
		{"m", nil},
		{"m3", nil},
		{"", nil},
	} {
		got, err := s.ListAccounts(t.Context(), tc.municipality)
		if err != nil {
			t.Errorf("ListAccounts(%q): %v", tc.municipality, err)
			continue
		}
		if len(got) != len(tc.want) {
			emails := make([]string, len(got))
			for i, a := range got {
				emails[i] = a.Email
			}
			t.Errorf("ListAccounts(%q) = %q, want %d accounts", tc.municipality, emails, len(tc.want))
			continue
		}
		for i, j := range tc.want {
			if d := accountDiff(got[i], accounts[j]); d != "" {
				t.Errorf("ListAccounts(%q)[%d]: %s", tc.municipality, i, d)
			}
		}
	}
}

// tok returns the refresh token of family at gen; its times name the gen.
func tok(hash, family string, gen int64) auth.RefreshToken {
	issued := base.Add(time.Duration(gen) * time.Minute)
	return auth.RefreshToken{
		Hash:      hash,
		Family:    family,
		Gen:       gen,
		UserID:    "user-of-" + family,
		IssuedAt:  issued,
		ExpiresAt: issued.Add(30 * 24 * time.Hour),
	}
}

func tokenDiff(got, want auth.RefreshToken) string {
	if got.Hash != want.Hash || got.Family != want.Family || got.Gen != want.Gen || got.UserID != want.UserID ||
		!timeEqual(got.IssuedAt, want.IssuedAt) || !timeEqual(got.ExpiresAt, want.ExpiresAt) {
		return fmt.Sprintf("got {%q %q %d %q %v %v}, want {%q %q %d %q %v %v}",
			got.Hash, got.Family, got.Gen, got.UserID, got.IssuedAt, got.ExpiresAt,
			want.Hash, want.Family, want.Gen, want.UserID, ms(want.IssuedAt), ms(want.ExpiresAt))
	}
	return ""
}

func mustInsertToken(t *testing.T, s auth.Store, tk auth.RefreshToken) {
	t.Helper()
	if err := s.InsertRefreshToken(t.Context(), tk); err != nil {
		t.Fatalf("InsertRefreshToken(%q, %q gen %d): %v", tk.Hash, tk.Family, tk.Gen, err)
	}
}

// checkToken fails t unless want is found by its hash and as the token of
// its family at its gen.
func checkToken(t *testing.T, s auth.Store, want auth.RefreshToken) {
	t.Helper()
	got, ok, err := s.RefreshToken(t.Context(), want.Hash)
	if err != nil || !ok {
		t.Errorf("RefreshToken(%q) = _, %v, %v; want found", want.Hash, ok, err)
	} else if d := tokenDiff(got, want); d != "" {
		t.Errorf("RefreshToken(%q): %s", want.Hash, d)
	}
	got, ok, err = s.RefreshSuccessor(t.Context(), want.Family, want.Gen)
	if err != nil || !ok {
		t.Errorf("RefreshSuccessor(%q, %d) = _, %v, %v; want found", want.Family, want.Gen, ok, err)
	} else if d := tokenDiff(got, want); d != "" {
		t.Errorf("RefreshSuccessor(%q, %d): %s", want.Family, want.Gen, d)
	}
}

func checkNoToken(t *testing.T, s auth.Store, hash string) {
	t.Helper()
	if tk, ok, err := s.RefreshToken(t.Context(), hash); err != nil || ok {
		t.Errorf("RefreshToken(%q) = %q gen %d, %v, %v; want not found, nil", hash, tk.Family, tk.Gen, ok, err)
	}
}

func checkNoSuccessor(t *testing.T, s auth.Store, family string, gen int64) {
	t.Helper()
	if tk, ok, err := s.RefreshSuccessor(t.Context(), family, gen); err != nil || ok {
		t.Errorf("RefreshSuccessor(%q, %d) = %q, %v, %v; want not found, nil", family, gen, tk.Hash, ok, err)
	}
}

func testRefreshTokens(t *testing.T, s auth.Store) {
	checkNoToken(t, s, "h0")
	checkNoSuccessor(t, s, "f1", 0)

	t0 := tok("h0", "f1", 0)
	mustInsertToken(t, s, t0)
	checkToken(t, s, t0)
	checkNoSuccessor(t, s, "f1", 1)

	t1 := tok("h1", "f1", 1)
	mustInsertToken(t, s, t1)
	checkToken(t, s, t1)
	checkToken(t, s, t0)
	other := tok("h2", "f2", 0) // the same gen in another family
	mustInsertToken(t, s, other)
	checkToken(t, s, other)
	checkToken(t, s, t0)

	for _, tc := range []struct {
		family string
		gen    int64
	}{{"f1", 2}, {"f1", -1}, {"F1", 0}, {"f", 0}, {"f1 ", 1}, {"", 0}} {
		checkNoSuccessor(t, s, tc.family, tc.gen)
	}
	for _, hash := range []string{"H0", "h", "h0 ", ""} {
		checkNoToken(t, s, hash)
	}

	t.Run("DuplicateHash", func(t *testing.T) {
		if err := s.InsertRefreshToken(t.Context(), tok("h1", "f3", 0)); !isDuplicate(err) {
			t.Errorf("InsertRefreshToken of a stored hash = %v, want ErrDuplicate", err)
		}
		checkToken(t, s, t1)
		checkNoSuccessor(t, s, "f3", 0)
		// The refused token took nothing: its (family, gen) is free.
		free := tok("h3", "f3", 0)
		mustInsertToken(t, s, free)
		checkToken(t, s, free)
	})

	t.Run("DuplicateFamilyGen", func(t *testing.T) {
		if err := s.InsertRefreshToken(t.Context(), tok("h4", "f1", 1)); !isDuplicate(err) {
			t.Errorf("InsertRefreshToken of a stored (family, gen) = %v, want ErrDuplicate", err)
		}
		checkToken(t, s, t1)
		checkNoToken(t, s, "h4")
		// The refused token took nothing: its hash is free.
		free := tok("h4", "f1", 2)
		mustInsertToken(t, s, free)
		checkToken(t, s, free)
	})
}

// testRefreshRace lets 8 nodes rotate the same token at once, three times
// over: each time exactly one successor is stored.
func testRefreshRace(t *testing.T, s auth.Store) {
	const (
		family = "fam"
		racers = 8
	)
	mustInsertToken(t, s, tok("race-0", family, 0))
	for gen := int64(1); gen <= 3; gen++ {
		tokens := make([]auth.RefreshToken, racers)
		errs := make([]error, racers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range tokens {
			tokens[i] = tok(fmt.Sprintf("race-%d-%d", gen, i), family, gen)
			wg.Go(func() {
				<-start
				errs[i] = s.InsertRefreshToken(t.Context(), tokens[i])
			})
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil:
				if winner >= 0 {
					t.Errorf("gen %d: racers %d and %d both inserted a successor", gen, winner, i)
				}
				winner = i
			case !isDuplicate(err):
				t.Errorf("gen %d: racer %d: %v, want nil or ErrDuplicate", gen, i, err)
			}
		}
		if winner < 0 {
			t.Fatalf("gen %d: no racer inserted a successor", gen)
		}
		checkToken(t, s, tokens[winner])
		for i, tk := range tokens {
			if i != winner {
				checkNoToken(t, s, tk.Hash)
			}
		}
	}
}

func testRevokeFamily(t *testing.T, s auth.Store) {
	revoke := func(family string, at time.Time) {
		t.Helper()
		if err := s.RevokeFamily(t.Context(), family, at); err != nil {
			t.Fatalf("RevokeFamily(%q): %v", family, err)
		}
	}
	check := func(family string, want time.Time) {
		t.Helper()
		at, ok, err := s.FamilyRevoked(t.Context(), family)
		if err != nil || !ok || !timeEqual(at, want) {
			t.Errorf("FamilyRevoked(%q) = %v, %v, %v; want %v", family, at, ok, err, ms(want))
		}
	}
	checkNot := func(family string) {
		t.Helper()
		if at, ok, err := s.FamilyRevoked(t.Context(), family); err != nil || ok {
			t.Errorf("FamilyRevoked(%q) = %v, %v, %v; want not revoked, nil", family, at, ok, err)
		}
	}

	checkNot("f1")
	revoke("f1", base)
	check("f1", base)
	// Again, later and earlier: the first time is kept.
	revoke("f1", base.Add(time.Hour))
	check("f1", base)
	revoke("f1", base.Add(-time.Hour))
	check("f1", base)
	for _, family := range []string{"f2", "F1", "f", "f1 ", ""} {
		checkNot(family)
	}

	t.Run("Concurrent", func(t *testing.T) {
		const racers = 8
		errs := make([]error, racers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range errs {
			wg.Go(func() {
				<-start
				errs[i] = s.RevokeFamily(t.Context(), "f3", base.Add(time.Duration(i)*time.Second))
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("RevokeFamily %d: %v", i, err)
			}
		}
		at, ok, err := s.FamilyRevoked(t.Context(), "f3")
		if err != nil || !ok {
			t.Fatalf("FamilyRevoked(f3) = _, %v, %v; want revoked", ok, err)
		}
		if d := at.Sub(ms(base)); d < 0 || d >= racers*time.Second || d%time.Second != 0 {
			t.Errorf("FamilyRevoked(f3) = %v, want one of the times revoked at", at)
		}
		check("f1", base)
	})
}

// ev returns an audit event whose fields name its id.
func ev(id, municipality, plan string, at time.Time) auth.AuditEvent {
	return auth.AuditEvent{
		ID:           id,
		Municipality: municipality,
		Plan:         plan,
		Actor:        "actor-" + id,
		Action:       "action-" + id,
		From:         "from-" + id,
		To:           "to-" + id,
		Detail:       "detail of " + id,
		IP:           "192.0.2." + fmt.Sprint(len(id)),
		At:           at,
	}
}

func auditDiff(got, want auth.AuditEvent) string {
	g, w := got, want
	g.At, w.At = time.Time{}, time.Time{}
	if g != w || !timeEqual(got.At, want.At) {
		return fmt.Sprintf("got %+v (at %v), want %+v (at %v)", g, got.At, w, ms(want.At))
	}
	return ""
}

func mustAppendAudit(t *testing.T, s auth.Store, e auth.AuditEvent) {
	t.Helper()
	if err := s.AppendAudit(t.Context(), e); err != nil {
		t.Fatalf("AppendAudit(%q): %v", e.ID, err)
	}
}

// checkAudit fails t unless Audit(municipality, plan, limit) returns want.
func checkAudit(t *testing.T, s auth.Store, municipality, plan string, limit int, want []auth.AuditEvent) {
	t.Helper()
	got, err := s.Audit(t.Context(), municipality, plan, limit)
	what := fmt.Sprintf("Audit(%q, %q, %d)", municipality, plan, limit)
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	if len(got) != len(want) {
		ids := make([]string, len(got))
		for i, e := range got {
			ids[i] = e.ID
		}
		t.Errorf("%s = %q, want %d events", what, ids, len(want))
		return
	}
	for i := range got {
		if d := auditDiff(got[i], want[i]); d != "" {
			t.Errorf("%s[%d]: %s", what, i, d)
		}
	}
}

// newestFirst returns the events sorted as Audit returns them: by At
// (to the millisecond) descending, then by id descending.
func newestFirst(es []auth.AuditEvent) []auth.AuditEvent {
	out := slices.Clone(es)
	slices.SortFunc(out, func(a, b auth.AuditEvent) int {
		if c := b.At.UnixMilli() - a.At.UnixMilli(); c != 0 {
			return int(c)
		}
		return strings.Compare(b.ID, a.ID)
	})
	return out
}

func testAudit(t *testing.T, s auth.Store) {
	at := func(d time.Duration) time.Time { return base.Add(d) }
	// Ids out of time order; e4 and e5 (and e8 and e9, in another plan) are
	// in the same millisecond, so the id orders them. Appended out of order.
	m1 := []auth.AuditEvent{
		ev("e7", "m1", "", at(1*time.Second)), // a login
		ev("e2", "m1", "p1", at(2*time.Second)),
		ev("e9", "m1", "p2", at(3*time.Second+100*time.Microsecond)),
		ev("e8", "m1", "p2", at(3*time.Second+900*time.Microsecond)),
		ev("e1", "m1", "p1", at(4*time.Second)),
		ev("e5", "m1", "p1", at(5*time.Second)),
		ev("e4", "m1", "p1", at(5*time.Second)),
		ev("e3", "m1", "", at(6*time.Second)),
		ev("e6", "m1", "p1", at(-time.Hour)), // older than all
	}
	others := []auth.AuditEvent{
		ev("o1", "m2", "p1", at(10*time.Second)), // the same plan id in another municipality
		ev("o2", "m2", "", at(11*time.Second)),
		ev("o3", "M1", "p1", at(12*time.Second)),
	}
	for _, i := range []int{3, 0, 8, 5, 1, 7, 2, 6, 4} {
		mustAppendAudit(t, s, m1[i])
	}
	for _, e := range others {
		mustAppendAudit(t, s, e)
	}
	all := newestFirst(m1)
	var p1, p2 []auth.AuditEvent
	for _, e := range all {
		switch e.Plan {
		case "p1":
			p1 = append(p1, e)
		case "p2":
			p2 = append(p2, e)
		}
	}
	if ids := []string{all[0].ID, all[1].ID, all[2].ID, all[3].ID}; !slices.Equal(ids, []string{"e3", "e5", "e4", "e1"}) {
		t.Fatalf("the suite's own order is wrong: %q", ids)
	}

	t.Run("NewestFirst", func(t *testing.T) {
		checkAudit(t, s, "m1", "", 0, all)
		checkAudit(t, s, "m1", "", -1, all)
		checkAudit(t, s, "m1", "", 100, all)
	})
	t.Run("Limit", func(t *testing.T) {
		checkAudit(t, s, "m1", "", 1, all[:1])
		checkAudit(t, s, "m1", "", 3, all[:3])
		checkAudit(t, s, "m1", "", len(all), all)
		checkAudit(t, s, "m1", "p1", 2, p1[:2])
	})
	t.Run("Plan", func(t *testing.T) {
		checkAudit(t, s, "m1", "p1", 0, p1)
		checkAudit(t, s, "m1", "p2", 0, p2)
		checkAudit(t, s, "m1", "p3", 0, nil)
		checkAudit(t, s, "m1", "p", 0, nil)
	})
	t.Run("MunicipalityIsolation", func(t *testing.T) {
		checkAudit(t, s, "m2", "", 0, []auth.AuditEvent{others[1], others[0]})
		checkAudit(t, s, "m2", "p1", 0, others[:1])
		checkAudit(t, s, "M1", "", 0, others[2:])
		checkAudit(t, s, "m", "", 0, nil)
		checkAudit(t, s, "m3", "p1", 0, nil)
		checkAudit(t, s, "", "", 0, nil)
		checkAudit(t, s, "", "p1", 0, nil)
	})
	t.Run("DuplicateID", func(t *testing.T) {
		dup := ev("e1", "m2", "p9", at(time.Hour))
		if err := s.AppendAudit(t.Context(), dup); !isDuplicate(err) {
			t.Errorf("AppendAudit of a stored id = %v, want ErrDuplicate", err)
		}
		checkAudit(t, s, "m1", "", 0, all)
		checkAudit(t, s, "m2", "", 0, []auth.AuditEvent{others[1], others[0]})
	})
}

// testAuditLimits checks that limit <= 0 returns the newest 100 events and
// that no limit returns more than 1000. It appends 1001 events, in
// parallel, so that it takes a second rather than several on a slow store.
func testAuditLimits(t *testing.T, s auth.Store) {
	const n = 1001
	es := make([]auth.AuditEvent, n)
	for i := range es {
		es[i] = ev(fmt.Sprintf("ev-%04d", i), "m1", "", base.Add(time.Duration(i)*time.Second))
	}
	const writers = 8
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := w; i < n; i += writers {
				if err := s.AppendAudit(t.Context(), es[i]); err != nil {
					t.Errorf("AppendAudit(%q): %v", es[i].ID, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	mustAppendAudit(t, s, ev("other", "m2", "", base.Add(time.Hour)))
	newest := newestFirst(es)
	for _, tc := range []struct{ limit, want int }{
		{0, 100},
		{-7, 100},
		{1, 1},
		{101, 101},
		{1000, 1000},
		{1001, 1000},
		{1 << 40, 1000},
	} {
		checkAudit(t, s, "m1", "", tc.limit, newest[:tc.want])
	}
}

func testAccountsHostile(t *testing.T, s auth.Store) {
	// Plain neighbours of every kind of record, which no hostile string
	// may match, change or drop.
	normalAccount := acct("normal", "normal@x.no", "normal")
	normalToken := tok("normal", "normal", 0)
	normalEvent := ev("normal", "normal", "normal", base)
	if err := s.CreateMunicipality(t.Context(), auth.Municipality{ID: "normal", Name: "Normal", Created: base}); err != nil {
		t.Fatalf("CreateMunicipality: %v", err)
	}
	mustCreateAccount(t, s, normalAccount)
	mustInsertToken(t, s, normalToken)
	if err := s.RevokeFamily(t.Context(), "normal", base); err != nil {
		t.Fatalf("RevokeFamily: %v", err)
	}
	mustAppendAudit(t, s, normalEvent)

	t.Run("MatchNothing", func(t *testing.T) {
		for _, h := range hostile {
			checkAccountsAbsent(t, s, h, strings.Contains(h, "\x00"))
		}
	})

	stored := map[string]map[string]bool{} // kind -> hostile string -> stored
	for _, kind := range []string{"municipality", "account", "token", "revocation", "audit"} {
		stored[kind] = map[string]bool{}
	}
	t.Run("Literal", func(t *testing.T) {
		for _, h := range hostile {
			t.Run(fmt.Sprintf("%+q", h), func(t *testing.T) {
				nul := strings.Contains(h, "\x00")
				refused := func(what string, err error) bool {
					t.Helper()
					if err == nil {
						return false
					}
					if !nul {
						t.Fatalf("%s: %v", what, err)
					}
					t.Logf("%s refused a NUL byte: %v", what, err)
					return true
				}

				m := auth.Municipality{ID: h, Name: h, Created: base}
				if err := s.CreateMunicipality(t.Context(), m); !refused("CreateMunicipality", err) {
					stored["municipality"][h] = true
					got, ok, err := s.Municipality(t.Context(), h)
					if err != nil || !ok || got.ID != h || got.Name != h || !timeEqual(got.Created, base) {
						t.Errorf("Municipality = %q %q %v, %v, %v; want it", got.ID, got.Name, got.Created, ok, err)
					}
				}

				a := auth.Account{ID: h, Email: h, Name: h, Municipality: h, PasswordHash: h, Admin: true, Created: base, Updated: base}
				if err := s.CreateAccount(t.Context(), a); !refused("CreateAccount", err) {
					stored["account"][h] = true
					checkAccount(t, s, a)
					list, err := s.ListAccounts(t.Context(), h)
					if err != nil || len(list) != 1 {
						t.Errorf("ListAccounts = %d accounts, %v; want exactly this one", len(list), err)
					} else if d := accountDiff(list[0], a); d != "" {
						t.Errorf("ListAccounts: %s", d)
					}
				} else {
					checkNoAccount(t, s, h, h)
				}

				tk := auth.RefreshToken{Hash: h, Family: h, Gen: 0, UserID: h, IssuedAt: base, ExpiresAt: base.Add(time.Hour)}
				if err := s.InsertRefreshToken(t.Context(), tk); !refused("InsertRefreshToken", err) {
					stored["token"][h] = true
					checkToken(t, s, tk)
				} else {
					checkNoToken(t, s, h)
					checkNoSuccessor(t, s, h, 0)
				}

				if err := s.RevokeFamily(t.Context(), h, base); !refused("RevokeFamily", err) {
					stored["revocation"][h] = true
					if at, ok, err := s.FamilyRevoked(t.Context(), h); err != nil || !ok || !timeEqual(at, base) {
						t.Errorf("FamilyRevoked = %v, %v, %v; want %v", at, ok, err, ms(base))
					}
				}

				e := auth.AuditEvent{ID: h, Municipality: h, Plan: h, Actor: h, Action: h, From: h, To: h, Detail: h, IP: h, At: base}
				if err := s.AppendAudit(t.Context(), e); !refused("AppendAudit", err) {
					stored["audit"][h] = true
					checkAudit(t, s, h, "", 0, []auth.AuditEvent{e})
					checkAudit(t, s, h, h, 0, []auth.AuditEvent{e})
				}

				if nul {
					// Nothing may have been stored under the string cut at
					// the NUL.
					checkAccountsAbsent(t, s, h[:strings.IndexByte(h, 0)], false)
				}
			})
		}
	})

	t.Run("Distinct", func(t *testing.T) {
		for _, h := range hostile {
			if m, ok, err := s.Municipality(t.Context(), h); stored["municipality"][h] && (err != nil || !ok || m.ID != h) {
				t.Errorf("Municipality(%q) = %q, %v, %v; want its own", h, m.ID, ok, err)
			}
			if stored["account"][h] {
				if a, ok, err := s.AccountByID(t.Context(), h); err != nil || !ok || a.ID != h {
					t.Errorf("AccountByID(%q) = %q, %v, %v; want its own", h, a.ID, ok, err)
				}
				if a, ok, err := s.AccountByEmail(t.Context(), h); err != nil || !ok || a.ID != h {
					t.Errorf("AccountByEmail(%q) = %q, %v, %v; want its own", h, a.ID, ok, err)
				}
				if list, err := s.ListAccounts(t.Context(), h); err != nil || len(list) != 1 || list[0].ID != h {
					t.Errorf("ListAccounts(%q) = %d accounts, %v; want exactly its own", h, len(list), err)
				}
			}
			if stored["token"][h] {
				if tk, ok, err := s.RefreshToken(t.Context(), h); err != nil || !ok || tk.Hash != h {
					t.Errorf("RefreshToken(%q) = %q, %v, %v; want its own", h, tk.Hash, ok, err)
				}
				if tk, ok, err := s.RefreshSuccessor(t.Context(), h, 0); err != nil || !ok || tk.Hash != h {
					t.Errorf("RefreshSuccessor(%q, 0) = %q, %v, %v; want its own", h, tk.Hash, ok, err)
				}
			}
			if es, err := s.Audit(t.Context(), h, "", 0); stored["audit"][h] && (err != nil || len(es) != 1 || es[0].ID != h) {
				t.Errorf("Audit(%q) = %d events, %v; want exactly its own", h, len(es), err)
			}
		}
		checkAccount(t, s, normalAccount)
		checkToken(t, s, normalToken)
		if list, err := s.ListAccounts(t.Context(), "normal"); err != nil || len(list) != 1 {
			t.Errorf("ListAccounts(normal) = %d accounts, %v; want 1", len(list), err)
		}
		if at, ok, err := s.FamilyRevoked(t.Context(), "normal"); err != nil || !ok || !timeEqual(at, base) {
			t.Errorf("FamilyRevoked(normal) = %v, %v, %v; want %v", at, ok, err, ms(base))
		}
		checkAudit(t, s, "normal", "", 0, []auth.AuditEvent{normalEvent})
	})
}

// checkAccountsAbsent fails t if any read of id finds a record. With
// mayFail, a read may also fail (a backend that cannot take NUL in a
// query), but not find.
func checkAccountsAbsent(t *testing.T, s auth.Store, id string, mayFail bool) {
	t.Helper()
	failed := func(what string, err error) bool {
		t.Helper()
		if err != nil && !mayFail {
			t.Errorf("%s(%q): %v", what, id, err)
		}
		return err != nil
	}
	if m, ok, err := s.Municipality(t.Context(), id); !failed("Municipality", err) && ok {
		t.Errorf("Municipality(%q) found %q", id, m.ID)
	}
	if a, ok, err := s.AccountByID(t.Context(), id); !failed("AccountByID", err) && ok {
		t.Errorf("AccountByID(%q) found %q", id, a.ID)
	}
	if a, ok, err := s.AccountByEmail(t.Context(), id); !failed("AccountByEmail", err) && ok {
		t.Errorf("AccountByEmail(%q) found %q", id, a.ID)
	}
	if list, err := s.ListAccounts(t.Context(), id); !failed("ListAccounts", err) && len(list) != 0 {
		t.Errorf("ListAccounts(%q) found %d accounts, the first %q", id, len(list), list[0].ID)
	}
	if tk, ok, err := s.RefreshToken(t.Context(), id); !failed("RefreshToken", err) && ok {
		t.Errorf("RefreshToken(%q) found %q", id, tk.Hash)
	}
	if tk, ok, err := s.RefreshSuccessor(t.Context(), id, 0); !failed("RefreshSuccessor", err) && ok {
		t.Errorf("RefreshSuccessor(%q, 0) found %q", id, tk.Hash)
	}
	if _, ok, err := s.FamilyRevoked(t.Context(), id); !failed("FamilyRevoked", err) && ok {
		t.Errorf("FamilyRevoked(%q) found a revocation", id)
	}
	for _, plan := range []string{"", id} {
		if es, err := s.Audit(t.Context(), id, plan, 0); !failed("Audit", err) && len(es) != 0 {
			t.Errorf("Audit(%q, %q) found %d events, the first %q", id, plan, len(es), es[0].ID)
		}
	}
}
