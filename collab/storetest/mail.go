package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/mail"
)

// RunMail runs the contract suite of mail.Store: the outbox with its
// claims and outcomes, the password links, the notification settings,
// the digest items, and the sessions of an account. open must return a
// fresh, empty store for each call; the adapter's open registers the
// store's cleanup with t. The store must also be an auth.Store (the
// sessions a new password ends are the auth layer's refresh tokens).
func RunMail(t *testing.T, open func(t *testing.T) mail.Store) {
	t.Run("Outbox", func(t *testing.T) { testOutbox(t, open(t)) })
	t.Run("Attempts", func(t *testing.T) { testMailAttempts(t, open(t)) })
	t.Run("ClaimRace", func(t *testing.T) { testMailClaimRace(t, open(t)) })
	t.Run("Finish", func(t *testing.T) { testMailFinish(t, open(t)) })
	t.Run("Tokens", func(t *testing.T) { testMailTokens(t, open(t)) })
	t.Run("TokenUseRace", func(t *testing.T) { testMailTokenUseRace(t, open(t)) })
	t.Run("Prefs", func(t *testing.T) { testMailPrefs(t, open(t)) })
	t.Run("Digest", func(t *testing.T) { testMailDigest(t, open(t)) })
	t.Run("SessionFamilies", func(t *testing.T) { testSessionFamilies(t, open(t)) })
	t.Run("HostileStrings", func(t *testing.T) { testMailHostile(t, open(t)) })
}

// msg returns a message whose fields all name its id, created at base+at.
func msg(id string, at time.Duration) mail.Message {
	return mail.Message{ID: id, Kind: mail.KindMention, User: "user-" + id, To: id + "@æøå.no", Lang: mail.LangNN,
		Subject: "Emne «" + id + "» æøå", Text: "Tekst til " + id + "\nlinje 2", HTML: "<p>" + id + "</p>", Created: base.Add(at)}
}

func messageDiff(got, want mail.Message) string {
	if got.ID != want.ID || got.Kind != want.Kind || got.User != want.User || got.To != want.To || got.Lang != want.Lang ||
		got.Subject != want.Subject || got.Text != want.Text || got.HTML != want.HTML || !timeEqual(got.Created, want.Created) {
		return fmt.Sprintf("got %+v, want %+v", got, want)
	}
	return ""
}

func mustEnqueue(t *testing.T, s mail.Store, ms ...mail.Message) {
	t.Helper()
	for _, m := range ms {
		if err := s.EnqueueMail(t.Context(), m); err != nil {
			t.Fatalf("EnqueueMail(%q): %v", m.ID, err)
		}
	}
}

// dueIDs returns the ids of the messages due at now, at most limit.
func dueIDs(t *testing.T, s mail.Store, now time.Time, limit int) []string {
	t.Helper()
	ms, err := s.DueMail(t.Context(), now, limit)
	if err != nil {
		t.Fatalf("DueMail: %v", err)
	}
	ids := []string{}
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	return ids
}

func pending(t *testing.T, s mail.Store) int {
	t.Helper()
	n, err := s.PendingMail(t.Context())
	if err != nil {
		t.Fatalf("PendingMail: %v", err)
	}
	return n
}

func testOutbox(t *testing.T, s mail.Store) {
	ctx := t.Context()
	if n := pending(t, s); n != 0 {
		t.Errorf("PendingMail of an empty store = %d", n)
	}
	if m, ok, err := s.MailMessage(ctx, "m1"); err != nil || ok {
		t.Errorf("MailMessage of an empty store = %+v, %v, %v", m, ok, err)
	}
	m1, m2, m3 := msg("m1", 0), msg("m2", time.Second), msg("m3", -time.Second)
	m2.HTML, m2.User = "", ""
	mustEnqueue(t, s, m1, m2, m3)
	dup := msg("m1", time.Hour)
	dup.Subject = "Intruder"
	if err := s.EnqueueMail(ctx, dup); !isDuplicate(err) {
		t.Errorf("EnqueueMail of a stored id = %v, want ErrDuplicate", err)
	}
	for _, want := range []mail.Message{m1, m2, m3} {
		got, ok, err := s.MailMessage(ctx, want.ID)
		if err != nil || !ok {
			t.Fatalf("MailMessage(%q) = %v, %v", want.ID, ok, err)
		}
		if d := messageDiff(got, want); d != "" {
			t.Errorf("MailMessage(%q): %s", want.ID, d)
		}
	}
	if n := pending(t, s); n != 3 {
		t.Errorf("PendingMail = %d, want 3", n)
	}
	// Due from creation, the longest due first.
	if got := dueIDs(t, s, base.Add(time.Hour), 10); !slices.Equal(got, []string{"m3", "m1", "m2"}) {
		t.Errorf("DueMail = %v, want [m3 m1 m2]", got)
	}
	if got := dueIDs(t, s, base, 10); !slices.Equal(got, []string{"m3", "m1"}) {
		t.Errorf("DueMail at m1's creation = %v, want [m3 m1]", got)
	}
	if got := dueIDs(t, s, base.Add(time.Hour), 2); !slices.Equal(got, []string{"m3", "m1"}) {
		t.Errorf("DueMail limit 2 = %v, want [m3 m1]", got)
	}
	ms, _ := s.DueMail(ctx, base.Add(time.Hour), 1)
	if len(ms) != 1 || messageDiff(ms[0], m3) != "" {
		t.Errorf("DueMail returns %+v, want m3 whole", ms)
	}
	// Moving a message's due time moves it in the order, or out.
	if err := s.SetMailDue(ctx, "m3", base.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := dueIDs(t, s, base.Add(time.Minute), 10); !slices.Equal(got, []string{"m1", "m2"}) {
		t.Errorf("DueMail after m3 was put off = %v, want [m1 m2]", got)
	}
	if got := dueIDs(t, s, base.Add(time.Hour), 10); !slices.Equal(got, []string{"m1", "m2", "m3"}) {
		t.Errorf("DueMail later = %v, want [m1 m2 m3]", got)
	}
	if n := pending(t, s); n != 3 {
		t.Errorf("PendingMail = %d, want 3 (due times do not count)", n)
	}
}

func testMailAttempts(t *testing.T, s mail.Store) {
	ctx := t.Context()
	mustEnqueue(t, s, msg("m", 0))
	a1 := mail.Attempt{Msg: "m", N: 1, Node: "node-a", Claimed: base, RetryAt: base.Add(2 * time.Minute)}
	a2 := mail.Attempt{Msg: "m", N: 2, Node: "node-b", Claimed: base.Add(time.Hour), RetryAt: base.Add(time.Hour + 2*time.Minute)}
	other := mail.Attempt{Msg: "other", N: 1, Node: "node-c", Claimed: base, RetryAt: base}
	for _, a := range []mail.Attempt{a2, a1, other} {
		if err := s.ClaimMail(ctx, a); err != nil {
			t.Fatalf("ClaimMail(%s, %d): %v", a.Msg, a.N, err)
		}
	}
	if err := s.ClaimMail(ctx, mail.Attempt{Msg: "m", N: 1, Node: "node-z", Claimed: base, RetryAt: base}); !isDuplicate(err) {
		t.Errorf("ClaimMail of a claimed attempt = %v, want ErrDuplicate", err)
	}
	check := func(when string, want ...mail.Attempt) {
		t.Helper()
		got, err := s.MailAttempts(ctx, "m")
		if err != nil || len(got) != len(want) {
			t.Fatalf("%s: MailAttempts = %+v, %v; want %d", when, got, err, len(want))
		}
		for i, w := range want {
			g := got[i]
			if g.Msg != w.Msg || g.N != w.N || g.Node != w.Node || !timeEqual(g.Claimed, w.Claimed) || !timeEqual(g.RetryAt, w.RetryAt) || g.Error != w.Error {
				t.Errorf("%s: attempt %d = %+v, want %+v", when, i, g, w)
			}
		}
	}
	check("claimed", a1, a2)
	a1.RetryAt, a1.Error = base.Add(30*time.Second), "dial tcp: connection refused – æøå"
	if err := s.RetryMailAttempt(ctx, "m", 1, a1.RetryAt, a1.Error); err != nil {
		t.Fatal(err)
	}
	check("retried", a1, a2)
	if err := s.RetryMailAttempt(ctx, "m", 3, base, "x"); !errors.Is(err, collab.ErrNotFound) {
		t.Errorf("RetryMailAttempt of an unclaimed attempt = %v, want ErrNotFound", err)
	}
	if got, err := s.MailAttempts(ctx, "none"); err != nil || len(got) != 0 {
		t.Errorf("MailAttempts of a message without any = %+v, %v", got, err)
	}
}

// testMailClaimRace has several senders claim each attempt of a message
// at once: exactly one wins each.
func testMailClaimRace(t *testing.T, s mail.Store) {
	const racers = 8
	mustEnqueue(t, s, msg("m", 0))
	for n := 1; n <= 3; n++ {
		errs := make([]error, racers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range racers {
			wg.Go(func() {
				<-start
				errs[i] = s.ClaimMail(t.Context(), mail.Attempt{Msg: "m", N: n, Node: fmt.Sprintf("node-%d", i),
					Claimed: base, RetryAt: base.Add(time.Minute)})
			})
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil:
				if winner >= 0 {
					t.Errorf("attempt %d: nodes %d and %d both claimed it", n, winner, i)
				}
				winner = i
			case !isDuplicate(err):
				t.Errorf("attempt %d: node %d: %v, want nil or ErrDuplicate", n, i, err)
			}
		}
		atts, err := s.MailAttempts(t.Context(), "m")
		if err != nil || len(atts) != n || winner < 0 || atts[n-1].Node != fmt.Sprintf("node-%d", winner) {
			t.Fatalf("attempt %d: winner %d, attempts %+v, %v", n, winner, atts, err)
		}
	}
}

func testMailFinish(t *testing.T, s mail.Store) {
	ctx := t.Context()
	mustEnqueue(t, s, msg("a", 0), msg("b", 0))
	if r, ok, err := s.MailResult(ctx, "a"); err != nil || ok {
		t.Errorf("MailResult before any = %+v, %v, %v", r, ok, err)
	}
	sent := mail.Result{Msg: "a", Attempt: 2, Outcome: mail.OutcomeSent, At: base.Add(time.Minute)}
	if err := s.FinishMail(ctx, sent); err != nil {
		t.Fatal(err)
	}
	if n := pending(t, s); n != 1 {
		t.Errorf("PendingMail after a finish = %d, want 1", n)
	}
	if got := dueIDs(t, s, base.Add(time.Hour), 10); !slices.Equal(got, []string{"b"}) {
		t.Errorf("DueMail after a finish = %v, want [b]", got)
	}
	got, ok, err := s.MailMessage(ctx, "a")
	if err != nil || !ok || got.Text != "" || got.HTML != "" || got.Subject != msg("a", 0).Subject || got.To != msg("a", 0).To {
		t.Errorf("a finished message = %+v, %v, %v; want its headers without text and HTML", got, ok, err)
	}
	// Finishing again is refused, keeps the first outcome, and marks
	// the message all the same (a sender that lost the cache update).
	failed := mail.Result{Msg: "a", Attempt: 3, Outcome: mail.OutcomeFailed, Error: "550", At: base.Add(time.Hour)}
	if err := s.FinishMail(ctx, failed); !isDuplicate(err) {
		t.Errorf("FinishMail of a finished message = %v, want ErrDuplicate", err)
	}
	r, ok, err := s.MailResult(ctx, "a")
	if err != nil || !ok || r.Msg != "a" || r.Attempt != 2 || r.Outcome != mail.OutcomeSent || r.Error != "" || !timeEqual(r.At, sent.At) {
		t.Errorf("MailResult = %+v, %v, %v; want %+v", r, ok, err, sent)
	}
	// Racing finishes: one outcome.
	errs := make([]error, 6)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range errs {
		wg.Go(func() {
			<-start
			errs[i] = s.FinishMail(t.Context(), mail.Result{Msg: "b", Attempt: i + 1, Outcome: mail.OutcomeFailed,
				Error: fmt.Sprintf("racer %d", i), At: base})
		})
	}
	close(start)
	wg.Wait()
	wins := 0
	for i, err := range errs {
		switch {
		case err == nil:
			wins++
		case !isDuplicate(err):
			t.Errorf("finisher %d: %v", i, err)
		}
	}
	r, ok, err = s.MailResult(ctx, "b")
	if wins != 1 || err != nil || !ok || r.Error != fmt.Sprintf("racer %d", r.Attempt-1) {
		t.Errorf("racing finishes: %d won, result %+v, %v, %v; want one, matching its attempt", wins, r, ok, err)
	}
	if n := pending(t, s); n != 0 {
		t.Errorf("PendingMail = %d, want 0", n)
	}
}

func testMailTokens(t *testing.T, s mail.Store) {
	ctx := t.Context()
	t1 := mail.Token{Hash: "h1", Kind: mail.KindInvitation, User: "u1", Created: base, Expires: base.Add(7 * 24 * time.Hour)}
	t2 := mail.Token{Hash: "h2", Kind: mail.KindPasswordReset, User: "u1", Created: base.Add(time.Hour), Expires: base.Add(2 * time.Hour)}
	t3 := mail.Token{Hash: "h3", Kind: mail.KindPasswordReset, User: "u2", Created: base, Expires: base.Add(time.Hour)}
	for _, tk := range []mail.Token{t2, t1, t3} {
		if err := s.InsertMailToken(ctx, tk); err != nil {
			t.Fatalf("InsertMailToken(%q): %v", tk.Hash, err)
		}
	}
	if err := s.InsertMailToken(ctx, mail.Token{Hash: "h1", Kind: mail.KindPasswordReset, User: "u9", Created: base, Expires: base}); !isDuplicate(err) {
		t.Errorf("InsertMailToken of a stored hash = %v, want ErrDuplicate", err)
	}
	same := func(g, w mail.Token) bool {
		return g.Hash == w.Hash && g.Kind == w.Kind && g.User == w.User && timeEqual(g.Created, w.Created) && timeEqual(g.Expires, w.Expires)
	}
	for _, w := range []mail.Token{t1, t2, t3} {
		if g, ok, err := s.MailToken(ctx, w.Hash); err != nil || !ok || !same(g, w) {
			t.Errorf("MailToken(%q) = %+v, %v, %v; want %+v", w.Hash, g, ok, err, w)
		}
	}
	if g, ok, err := s.MailToken(ctx, "h4"); err != nil || ok {
		t.Errorf("MailToken of an unknown hash = %+v, %v, %v", g, ok, err)
	}
	ts, err := s.MailTokens(ctx, "u1")
	if err != nil || len(ts) != 2 || !same(ts[0], t1) || !same(ts[1], t2) {
		t.Errorf("MailTokens(u1) = %+v, %v; want [h1 h2]", ts, err)
	}
	if ts, err := s.MailTokens(ctx, "u3"); err != nil || len(ts) != 0 {
		t.Errorf("MailTokens of a user without any = %+v, %v", ts, err)
	}
	if at, used, err := s.MailTokenUsed(ctx, "h1"); err != nil || used {
		t.Errorf("MailTokenUsed before use = %v, %v, %v", at, used, err)
	}
	if err := s.UseMailToken(ctx, "h1", base.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.UseMailToken(ctx, "h1", base.Add(time.Hour)); !isDuplicate(err) {
		t.Errorf("UseMailToken of a used token = %v, want ErrDuplicate", err)
	}
	if at, used, err := s.MailTokenUsed(ctx, "h1"); err != nil || !used || !timeEqual(at, base.Add(time.Minute)) {
		t.Errorf("MailTokenUsed = %v, %v, %v; want the first use", at, used, err)
	}
	if _, used, err := s.MailTokenUsed(ctx, "h2"); err != nil || used {
		t.Errorf("MailTokenUsed of another token = %v, %v", used, err)
	}
}

// testMailTokenUseRace uses one link from several requests at once:
// exactly one uses it.
func testMailTokenUseRace(t *testing.T, s mail.Store) {
	if err := s.InsertMailToken(t.Context(), mail.Token{Hash: "h", Kind: mail.KindPasswordReset, User: "u", Created: base, Expires: base.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	errs := make([]error, 8)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range errs {
		wg.Go(func() {
			<-start
			errs[i] = s.UseMailToken(t.Context(), "h", base.Add(time.Duration(i)*time.Second))
		})
	}
	close(start)
	wg.Wait()
	wins := 0
	for i, err := range errs {
		switch {
		case err == nil:
			wins++
		case !isDuplicate(err):
			t.Errorf("user %d: %v", i, err)
		}
	}
	if wins != 1 {
		t.Errorf("%d requests used the link, want 1", wins)
	}
}

func testMailPrefs(t *testing.T, s mail.Store) {
	ctx := t.Context()
	if p, ok, err := s.MailPrefs(ctx, "u1"); err != nil || ok {
		t.Errorf("MailPrefs before any = %+v, %v, %v", p, ok, err)
	}
	p1 := mail.Prefs{User: "u1", Mode: mail.ModeDigest, Lang: mail.LangNN, Updated: base}
	p2 := mail.Prefs{User: "u2", Mode: mail.ModeOff, Lang: mail.LangNB, Updated: base}
	for _, p := range []mail.Prefs{p1, p2} {
		if err := s.SetMailPrefs(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	p1.Mode, p1.Lang, p1.Updated = mail.ModeInstant, mail.LangNB, base.Add(time.Hour)
	if err := s.SetMailPrefs(ctx, p1); err != nil {
		t.Fatal(err)
	}
	for _, w := range []mail.Prefs{p1, p2} {
		g, ok, err := s.MailPrefs(ctx, w.User)
		if err != nil || !ok || g.User != w.User || g.Mode != w.Mode || g.Lang != w.Lang || !timeEqual(g.Updated, w.Updated) {
			t.Errorf("MailPrefs(%q) = %+v, %v, %v; want %+v", w.User, g, ok, err, w)
		}
	}
}

func testMailDigest(t *testing.T, s mail.Store) {
	ctx := t.Context()
	item := func(id, user, day string, at time.Duration) mail.DigestItem {
		return mail.DigestItem{ID: id, User: user, Day: day, Kind: mail.KindMention, Subject: "Emne " + id + " æøå",
			Text: "Tekst " + id, Link: "https://plan.example.no/" + id, Created: base.Add(at)}
	}
	items := []mail.DigestItem{
		item("i1", "u2", "2025-03-13", 0),
		item("i2", "u1", "2025-03-13", time.Minute),
		item("i3", "u1", "2025-03-13", 0),
		item("i4", "u1", "2025-03-12", 0),
		item("i5", "u1", "2025-03-14", 0), // today: not yet
	}
	for _, it := range items {
		if err := s.AddDigestItem(ctx, it); err != nil {
			t.Fatalf("AddDigestItem(%q): %v", it.ID, err)
		}
	}
	if err := s.AddDigestItem(ctx, item("i1", "u9", "2025-01-01", 0)); !isDuplicate(err) {
		t.Errorf("AddDigestItem of a stored id = %v, want ErrDuplicate", err)
	}
	ids := func(limit int) []string {
		t.Helper()
		got, err := s.DigestItems(ctx, "2025-03-14", limit)
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, g := range got {
			out = append(out, g.ID)
			var w mail.DigestItem
			for _, it := range items {
				if it.ID == g.ID {
					w = it
				}
			}
			if g.User != w.User || g.Day != w.Day || g.Kind != w.Kind || g.Subject != w.Subject || g.Text != w.Text ||
				g.Link != w.Link || !timeEqual(g.Created, w.Created) {
				t.Errorf("digest item %q = %+v, want %+v", g.ID, g, w)
			}
		}
		return out
	}
	if got := ids(10); !slices.Equal(got, []string{"i4", "i3", "i2", "i1"}) {
		t.Errorf("DigestItems = %v, want [i4 i3 i2 i1] (by user, day, creation)", got)
	}
	if got := ids(2); !slices.Equal(got, []string{"i4", "i3"}) {
		t.Errorf("DigestItems limit 2 = %v, want [i4 i3]", got)
	}
	if err := s.MarkDigested(ctx, []string{"i3", "i2", "nope"}); err != nil {
		t.Fatal(err)
	}
	if got := ids(10); !slices.Equal(got, []string{"i4", "i1"}) {
		t.Errorf("DigestItems after marking = %v, want [i4 i1]", got)
	}
	if err := s.MarkDigested(ctx, nil); err != nil {
		t.Errorf("MarkDigested of none: %v", err)
	}
}

func testSessionFamilies(t *testing.T, ms mail.Store) {
	s, ok := ms.(auth.Store)
	if !ok {
		t.Fatal("the mail store is no auth.Store")
	}
	ctx := t.Context()
	if fs, err := ms.SessionFamilies(ctx, "u1"); err != nil || len(fs) != 0 {
		t.Errorf("SessionFamilies before any = %v, %v", fs, err)
	}
	for _, tk := range []auth.RefreshToken{
		{Hash: "a0", Family: "fam-b", Gen: 0, UserID: "u1", IssuedAt: base, ExpiresAt: base.Add(time.Hour)},
		{Hash: "a1", Family: "fam-b", Gen: 1, UserID: "u1", IssuedAt: base, ExpiresAt: base.Add(time.Hour)},
		{Hash: "b0", Family: "fam-a", Gen: 0, UserID: "u1", IssuedAt: base, ExpiresAt: base.Add(time.Hour)},
		{Hash: "c0", Family: "fam-c", Gen: 0, UserID: "u2", IssuedAt: base, ExpiresAt: base.Add(time.Hour)},
	} {
		if err := s.InsertRefreshToken(ctx, tk); err != nil {
			t.Fatal(err)
		}
	}
	if fs, err := ms.SessionFamilies(ctx, "u1"); err != nil || !slices.Equal(fs, []string{"fam-a", "fam-b"}) {
		t.Errorf("SessionFamilies(u1) = %v, %v; want [fam-a fam-b]", fs, err)
	}
}

// testMailHostile stores keys that look like operators, paths and
// injections: they are values, matched exactly.
func testMailHostile(t *testing.T, s mail.Store) {
	ctx := t.Context()
	for i, id := range hostileIDs() {
		m := msg(id, time.Duration(i)*time.Millisecond)
		m.Subject, m.Text = id, id
		mustEnqueue(t, s, m)
		got, ok, err := s.MailMessage(ctx, id)
		if err != nil || !ok || messageDiff(got, m) != "" {
			t.Errorf("MailMessage(%q) = %+v, %v, %v", id, got, ok, err)
		}
		if err := s.InsertMailToken(ctx, mail.Token{Hash: id, Kind: mail.KindPasswordReset, User: id, Created: base, Expires: base}); err != nil {
			t.Errorf("InsertMailToken(%q): %v", id, err)
		}
		if ts, err := s.MailTokens(ctx, id); err != nil || len(ts) != 1 || ts[0].Hash != id {
			t.Errorf("MailTokens(%q) = %+v, %v", id, ts, err)
		}
		if err := s.SetMailPrefs(ctx, mail.Prefs{User: id, Mode: mail.ModeOff, Lang: mail.LangNB, Updated: base}); err != nil {
			t.Errorf("SetMailPrefs(%q): %v", id, err)
		}
	}
	if n := pending(t, s); n != len(hostileIDs()) {
		t.Errorf("PendingMail = %d, want %d", n, len(hostileIDs()))
	}
	if _, ok, err := s.MailMessage(ctx, `{"$gt":""}x`); err != nil || ok {
		t.Errorf("an operator-like id matched another message: %v, %v", ok, err)
	}
}

// hostileIDs are ids that look like query operators, paths or SQL.
func hostileIDs() []string {
	return []string{`{"$gt":""}`, `$where`, `a.b`, `'; DROP TABLE mail_outbox; --`, `%`, `_`, "æøå\x00nul", `\`}
}
