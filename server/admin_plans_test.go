package server_test

import (
	"context"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/sqlite"
	"github.com/temaplan/temaplan/server"
)

// The administration of plans: archiving and restoring, the transfer of
// leadership, and the overview of every plan of a municipality.

// listedIDs returns the ids GET target lists as token.
func (ts *testServer) listedIDs(token, target string) []string {
	ts.t.Helper()
	rec := ts.doAs(token, http.MethodGet, target, "")
	if rec.Code != http.StatusOK {
		ts.t.Fatalf("GET %s: %d %s", target, rec.Code, rec.Body)
	}
	var ids []string
	for _, it := range decode[struct {
		Items []struct {
			ID       string `json:"id"`
			Archived bool   `json:"archived"`
		} `json:"items"`
	}](ts.t, rec).Items {
		ids = append(ids, it.ID)
	}
	return ids
}

// TestAdmin_ArchivedPlanIsReadOnlyAndHidden archives a plan: it leaves the
// default listing, every change to it is refused with archived — over REST
// and over the WebSocket — while it still reads; the archive is in the
// plan's log and the municipality's audit log; restoring gives it back.
func TestAdmin_ArchivedPlanIsReadOnlyAndHidden(t *testing.T) {
	eachStore(t, testAdmin_ArchivedPlanIsReadOnlyAndHidden)
}

func testAdmin_ArchivedPlanIsReadOnlyAndHidden(t *testing.T, ts *testServer) {
	lene, mats, siri := ts.user("lene@m1.no", "m1", false), ts.user("mats@m1.no", "m1", false), ts.user("siri@m1.no", "m1", false)
	rec := ts.do(http.MethodPost, "/api/plans", jsonOf(map[string]string{"title": "Boligplan 2019", "leader": lene.ID}))
	if rec.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	p := decode[collab.Plan](t, rec)
	other := ts.createPlan("Boligplan 2027")
	ts.member(p.ID, mats, "member")
	ts.member(p.ID, siri, "steering")
	plan := "/api/plans/" + p.ID

	// Bad input changes nothing.
	wantError(t, ts.do(http.MethodPost, plan+"/archive", jsonOf(map[string]string{"reason": strings.Repeat("å", 1001)})),
		http.StatusUnprocessableEntity, collab.CodeInvalid)
	wantError(t, ts.do(http.MethodPost, plan+"/archive", `{"reason":{"$gt":""}}`), http.StatusUnprocessableEntity, collab.CodeInvalid)
	wantError(t, ts.do(http.MethodPost, plan+"/archive", `{"why":"x"}`), http.StatusUnprocessableEntity, collab.CodeInvalid)
	wantError(t, ts.doAs(lene.Token, http.MethodPost, plan+"/archive", "{}"), http.StatusForbidden, collab.CodeForbidden)
	if got := ts.getPlan(p.ID); got.Archived {
		t.Fatal("refused archives archived the plan")
	}

	rec = ts.do(http.MethodPost, plan+"/archive", jsonOf(map[string]string{"reason": "Erstattet av Boligplan 2027"}))
	if rec.Code != http.StatusOK {
		t.Fatalf("archive: %d %s", rec.Code, rec.Body)
	}
	if got := decode[collab.Plan](t, rec); !got.Archived || got.Phase != collab.PhaseDraft {
		t.Fatalf("archived plan: archived %t phase %s", got.Archived, got.Phase)
	}
	wantError(t, ts.do(http.MethodPost, plan+"/archive", "{}"), http.StatusConflict, collab.CodeConflict)

	// Hidden from the default listing, for the administrator and members.
	if got := ts.listedIDs(ts.kari.Token, "/api/plans"); slices.Contains(got, p.ID) || !slices.Contains(got, other.ID) {
		t.Errorf("kari lists %v: want %s and not the archived %s", got, other.ID, p.ID)
	}
	if got := ts.listedIDs(lene.Token, "/api/plans"); len(got) != 0 {
		t.Errorf("lene lists %v, want nothing (her only plan is archived)", got)
	}
	if got := ts.listedIDs(lene.Token, "/api/plans?include_archived=true"); !slices.Equal(got, []string{p.ID}) {
		t.Errorf("lene lists %v with include_archived, want [%s]", got, p.ID)
	}
	wantError(t, ts.do(http.MethodGet, "/api/plans?include_archived=yes", ""), http.StatusUnprocessableEntity, collab.CodeInvalid)

	// Still read: the plan, its comments, its audit; nothing offered.
	rec = ts.doAs(lene.Token, http.MethodGet, plan, "")
	if rec.Code != http.StatusOK {
		t.Fatalf("lene reads the archived plan: %d %s", rec.Code, rec.Body)
	}
	view := decode[struct {
		Archived bool
		You      struct{ Actions []string }
	}](t, rec)
	if !view.Archived || len(view.You.Actions) != 0 {
		t.Errorf("the leader's view of the archived plan: archived %t, actions %v (want none)", view.Archived, view.You.Actions)
	}
	for _, target := range []string{plan + "/comments", plan + "/audit", plan + "/economics"} {
		if rec := ts.do(http.MethodGet, target, ""); rec.Code != http.StatusOK {
			t.Errorf("GET %s of the archived plan: %d %s", target, rec.Code, rec.Body)
		}
	}

	// Every change is refused with archived, whoever asks.
	first := p.Sections[0].ID
	refused := []struct {
		who                  testUser
		method, target, body string
	}{
		{lene, http.MethodPost, plan + "/sections", `{"title":"Ny del"}`},
		{lene, http.MethodPatch, plan + "/sections/" + first, `{"title":"Nytt navn"}`},
		{lene, http.MethodPatch, plan + "/settings", `{"privacy_threshold":3}`},
		{lene, http.MethodPost, plan + "/milestones", `{"title":"Oppstart","date":"2027-01-04"}`},
		{mats, http.MethodPost, plan + "/comments", jsonOf(map[string]any{"section": first, "v": 0, "index": 0, "length": 0, "body": "Hei"})},
		{ts.kari, http.MethodPut, plan + "/members/" + siri.ID, `{"roles":["steering","reader"]}`},
		{ts.kari, http.MethodDelete, plan + "/members/" + mats.ID, ""},
		{ts.kari, http.MethodPut, plan + "/leader", jsonOf(map[string]string{"user": mats.ID})},
		{siri, http.MethodPost, plan + "/transitions", `{"action":"lock"}`},
	}
	for _, r := range refused {
		wantError(t, ts.doAs(r.who.Token, r.method, r.target, r.body), http.StatusConflict, collab.CodeArchived)
	}
	if got := ts.getPlan(p.ID); got.Seq != p.Seq+3 {
		// created, two members, the archive
		t.Errorf("the archived plan is at seq %d, want %d: a refused change was committed", got.Seq, p.Seq+3)
	}

	// The archive is in the plan's log and the municipality's audit log.
	audit := decode[struct {
		Items []struct{ Action, Actor string }
	}](t, ts.do(http.MethodGet, plan+"/audit", ""))
	if len(audit.Items) == 0 || audit.Items[0].Action != "plan.archived" || audit.Items[0].Actor != ts.kari.ID {
		t.Errorf("plan audit %+v: want plan.archived by kari first", audit.Items)
	}
	events := decode[struct{ Items []auth.AuditEvent }](t, ts.do(http.MethodGet, "/api/admin/audit", ""))
	if !slices.ContainsFunc(events.Items, func(e auth.AuditEvent) bool {
		return e.Action == "plan.archived" && e.Plan == p.ID && e.Actor == ts.kari.ID && e.Detail == "Erstattet av Boligplan 2027"
	}) {
		t.Errorf("municipality audit %+v: no plan.archived with the reason", events.Items)
	}

	// Another municipality's administrator finds neither the plan nor it
	// in the overview.
	ola := ts.user("ola@m2.no", "m2", true)
	wantError(t, ts.doAs(ola.Token, http.MethodDelete, plan+"/archive", ""), http.StatusNotFound, collab.CodeNotFound)
	wantError(t, ts.doAs(ola.Token, http.MethodPost, "/api/plans/"+other.ID+"/archive", "{}"), http.StatusNotFound, collab.CodeNotFound)
	if got := ts.listedIDs(ola.Token, "/api/admin/plans"); len(got) != 0 {
		t.Errorf("ola's overview lists %v, want nothing of m1", got)
	}

	// Restored, it is listed and takes changes again.
	wantError(t, ts.doAs(lene.Token, http.MethodDelete, plan+"/archive", ""), http.StatusForbidden, collab.CodeForbidden)
	rec = ts.do(http.MethodDelete, plan+"/archive", "")
	if rec.Code != http.StatusOK || decode[collab.Plan](t, rec).Archived {
		t.Fatalf("restore: %d %s", rec.Code, rec.Body)
	}
	wantError(t, ts.do(http.MethodDelete, plan+"/archive", ""), http.StatusConflict, collab.CodeConflict)
	if got := ts.listedIDs(lene.Token, "/api/plans"); !slices.Equal(got, []string{p.ID}) {
		t.Errorf("lene lists %v after the restore", got)
	}
	if rec := ts.doAs(lene.Token, http.MethodPost, plan+"/sections", `{"title":"Ny del"}`); rec.Code != http.StatusCreated {
		t.Errorf("the leader adds a section to the restored plan: %d %s", rec.Code, rec.Body)
	}
}

// TestAdmin_ArchivedPlanRefusesTextEdits: the leader's socket is open
// when the administrator archives the plan; the next op is refused with
// archived and not stored, and after the restore the leader writes again.
func TestAdmin_ArchivedPlanRefusesTextEdits(t *testing.T) {
	node := startWSNode(t, sqliteStore(t), memBus(t), nil)
	plan, doc := newPlanDoc(t, node) // kari leads it
	ws := dialHello(t, node, "tab-kari", node.kari.Token)
	ws.subPlan(plan)
	v := ws.subDoc(plan, doc)
	ws.sendInsert(doc, v, 1, "Før arkivet. ")
	if m := ws.answerTo(doc, 1); m["type"] != "ack" {
		t.Fatalf("first op: %v", m)
	}
	if rec := node.do(http.MethodPost, "/api/plans/"+plan+"/archive", "{}"); rec.Code != http.StatusOK {
		t.Fatalf("archive: %d %s", rec.Code, rec.Body)
	}
	ws.until("the archive's event", func(m map[string]any) bool { return m["type"] == "event" && m["kind"] == "plan.archived" })
	ws.sendInsert(doc, v+1, 2, "Etter arkivet. ")
	wantOpError(t, ws.answerTo(doc, 2), "archived", doc, 2)
	if got, text := node.contentOf(plan, doc); got != v+1 || strings.Contains(text, "Etter") {
		t.Fatalf("after the refused op the section is %q at v%d, want v%d without it", text, got, v+1)
	}
	if rec := node.do(http.MethodDelete, "/api/plans/"+plan+"/archive", ""); rec.Code != http.StatusOK {
		t.Fatalf("restore: %d %s", rec.Code, rec.Body)
	}
	ws.until("the restore's event", func(m map[string]any) bool { return m["type"] == "event" && m["kind"] == "plan.unarchived" })
	ws.sendInsert(doc, v+1, 3, "Etter gjenopprettingen. ")
	if m := ws.answerTo(doc, 3); m["type"] != "ack" {
		t.Fatalf("op after the restore: %v", m)
	}
}

// TestAdmin_TransferLeadershipChangesWhoMayEdit: the administrator gives
// the leadership to a member; the plan has one leader, the new one may
// change the plan and the old one no longer, and the log says so.
func TestAdmin_TransferLeadershipChangesWhoMayEdit(t *testing.T) {
	eachStore(t, testAdmin_TransferLeadershipChangesWhoMayEdit)
}

func testAdmin_TransferLeadershipChangesWhoMayEdit(t *testing.T, ts *testServer) {
	lene, mats := ts.user("lene@m1.no", "m1", false), ts.user("mats@m1.no", "m1", false)
	rec := ts.do(http.MethodPost, "/api/plans", jsonOf(map[string]string{"title": "Boligplan", "leader": lene.ID}))
	if rec.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	p := decode[collab.Plan](t, rec)
	plan := "/api/plans/" + p.ID
	ts.member(p.ID, lene, "leader", "member")
	ts.member(p.ID, mats, "member")
	if rec := ts.doAs(lene.Token, http.MethodPost, plan+"/sections", `{"title":"Lenes del"}`); rec.Code != http.StatusCreated {
		t.Fatalf("lene adds a section: %d %s", rec.Code, rec.Body)
	}
	wantError(t, ts.doAs(mats.Token, http.MethodPost, plan+"/sections", `{"title":"Mats' del"}`), http.StatusForbidden, collab.CodeForbidden)
	// Only the administrator transfers the leadership.
	wantError(t, ts.doAs(lene.Token, http.MethodPut, plan+"/leader", jsonOf(map[string]string{"user": mats.ID})), http.StatusForbidden, collab.CodeForbidden)

	rec = ts.do(http.MethodPut, plan+"/leader", jsonOf(map[string]string{"user": mats.ID}))
	if rec.Code != http.StatusOK {
		t.Fatalf("transfer: %d %s", rec.Code, rec.Body)
	}
	got := decode[collab.Plan](t, rec)
	if got.Leader() != mats.ID || !slices.Equal(got.RolesOf(lene.ID), []string{"member"}) || !slices.Equal(got.RolesOf(mats.ID), []string{"leader", "member"}) {
		t.Fatalf("after the transfer: leader %s, lene %v, mats %v", got.Leader(), got.RolesOf(lene.ID), got.RolesOf(mats.ID))
	}
	leaders := 0
	for _, m := range got.Members {
		if slices.Contains(m.Roles, "leader") {
			leaders++
		}
	}
	if leaders != 1 {
		t.Errorf("%d leaders, want 1", leaders)
	}
	if rec := ts.doAs(mats.Token, http.MethodPost, plan+"/sections", `{"title":"Mats' del"}`); rec.Code != http.StatusCreated {
		t.Errorf("the new leader adds a section: %d %s", rec.Code, rec.Body)
	}
	wantError(t, ts.doAs(lene.Token, http.MethodPost, plan+"/sections", `{"title":"Enda en"}`), http.StatusForbidden, collab.CodeForbidden)

	audit := decode[struct {
		Items []struct{ Action, Actor, From, To string }
	}](t, ts.do(http.MethodGet, plan+"/audit", ""))
	var saw bool
	for _, l := range audit.Items {
		if l.Action == "member.set" && l.Actor == ts.kari.ID && l.To == "leader,member" && l.From == "member" {
			saw = true
		}
	}
	if !saw {
		t.Errorf("plan audit %+v: no line for mats becoming leader", audit.Items)
	}
	// Nobody of another municipality becomes the leader.
	ola := ts.user("ola@m2.no", "m2", false)
	wantError(t, ts.do(http.MethodPut, plan+"/leader", jsonOf(map[string]string{"user": ola.ID})), http.StatusNotFound, collab.CodeNotFound)
}

// TestAdmin_OverviewShowsPhaseLeaderDeadlinesAndOverdue checks the
// overview on a fixed day: every plan of the municipality with its phase,
// leader, next milestone, overdue milestones and open review rounds,
// archived plans last; other municipalities' plans are not in it, and only
// the administrator gets it.
func TestAdmin_OverviewShowsPhaseLeaderDeadlinesAndOverdue(t *testing.T) {
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "temaplan.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	today := time.Date(2027, 3, 15, 12, 0, 0, 0, time.UTC)
	ts := newTestServerOn(t, store, func(c *server.Config) { c.Now = func() time.Time { return today } })
	lene, mats := ts.user("lene@m1.no", "m1", false), ts.user("mats@m1.no", "m1", false)

	mk := func(title, leader string) collab.Plan {
		body := map[string]string{"title": title}
		if leader != "" {
			body["leader"] = leader
		}
		rec := ts.do(http.MethodPost, "/api/plans", jsonOf(body))
		if rec.Code != http.StatusCreated {
			t.Fatalf("create %s: %d %s", title, rec.Code, rec.Body)
		}
		return decode[collab.Plan](t, rec)
	}
	busy := mk("Boligplan Bodø", lene.ID)
	mk("Arealplan", "")
	old := mk("Boligplan 2019", lene.ID)
	ts.member(busy.ID, mats, "member")
	for _, m := range []map[string]string{
		{"title": "Oppstart", "date": "2027-01-04"},                    // overdue
		{"title": "Innspill", "date": "2027-03-01"},                    // overdue
		{"title": "Forarbeid", "date": "2027-02-01", "status": "done"}, // done
		{"title": "Utkast", "date": "2027-04-15"},                      // next
		{"title": "Høring", "date": "2027-09-01"},
		{"title": "Styringsgruppen", "date": "2027-03-15"}, // today: not overdue, the next
	} {
		if rec := ts.doAs(lene.Token, http.MethodPost, "/api/plans/"+busy.ID+"/milestones", jsonOf(m)); rec.Code != http.StatusCreated {
			t.Fatalf("milestone %v: %d %s", m, rec.Code, rec.Body)
		}
	}
	var rounds []string
	for _, d := range []string{"2027-04-01", "2027-03-20", "2027-03-01"} {
		rec := ts.doAs(lene.Token, http.MethodPost, "/api/plans/"+busy.ID+"/rounds",
			jsonOf(map[string]any{"recipients": []string{mats.ID}, "deadline": d}))
		if rec.Code != http.StatusCreated {
			t.Fatalf("round: %d %s", rec.Code, rec.Body)
		}
		rounds = append(rounds, decode[struct{ Round struct{ ID string } }](t, rec).Round.ID)
	}
	// A round its recipient has answered is no longer open.
	if rec := ts.doAs(mats.Token, http.MethodPost, "/api/plans/"+busy.ID+"/rounds/"+rounds[2]+"/done", "{}"); rec.Code != http.StatusOK {
		t.Fatalf("mats answers: %d %s", rec.Code, rec.Body)
	}
	if rec := ts.do(http.MethodPost, "/api/plans/"+old.ID+"/archive", "{}"); rec.Code != http.StatusOK {
		t.Fatalf("archive: %d %s", rec.Code, rec.Body)
	}
	ola := ts.user("ola@m2.no", "m2", true)
	if rec := ts.doAs(ola.Token, http.MethodPost, "/api/plans", `{"title":"Tromsø"}`); rec.Code != http.StatusCreated {
		t.Fatalf("ola's plan: %d %s", rec.Code, rec.Body)
	}

	type overview struct {
		Today string `json:"today"`
		Items []struct {
			ID       string       `json:"id"`
			Title    string       `json:"title"`
			Phase    collab.Phase `json:"phase"`
			Archived bool         `json:"archived"`
			Leader   *struct {
				ID, Name string
			} `json:"leader"`
			Members []struct {
				User  string   `json:"user"`
				Roles []string `json:"roles"`
			} `json:"members"`
			NextMilestone *struct {
				Title, Date string
			} `json:"next_milestone"`
			OverdueMilestones int    `json:"overdue_milestones"`
			OpenRounds        int    `json:"open_rounds"`
			RoundDeadline     string `json:"round_deadline"`
		} `json:"items"`
	}
	rec := ts.do(http.MethodGet, "/api/admin/plans", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("overview: %d %s", rec.Code, rec.Body)
	}
	o := decode[overview](t, rec)
	if o.Today != "2027-03-15" {
		t.Errorf("today %q", o.Today)
	}
	var titles []string
	for _, it := range o.Items {
		titles = append(titles, it.Title)
	}
	if got := strings.Join(titles, " | "); got != "Arealplan | Boligplan Bodø | Boligplan 2019" {
		t.Fatalf("overview lists %q, want the plans in work by title, then the archived one", got)
	}
	a, b, c := o.Items[0], o.Items[1], o.Items[2]
	if a.Leader != nil || a.NextMilestone != nil || a.OverdueMilestones != 0 || a.OpenRounds != 0 || a.RoundDeadline != "" || a.Archived {
		t.Errorf("the quiet plan: %+v", a)
	}
	if b.Phase != collab.PhaseDraft || b.Leader == nil || b.Leader.ID != lene.ID || b.Leader.Name != "lene" {
		t.Errorf("the busy plan's phase and leader: %s %+v", b.Phase, b.Leader)
	}
	if b.NextMilestone == nil || b.NextMilestone.Title != "Styringsgruppen" || b.NextMilestone.Date != "2027-03-15" {
		t.Errorf("the busy plan's next milestone %+v, want Styringsgruppen today", b.NextMilestone)
	}
	if b.OverdueMilestones != 2 || b.OpenRounds != 2 || b.RoundDeadline != "2027-03-20" {
		t.Errorf("the busy plan: %d overdue, %d open rounds due %s; want 2, 2, 2027-03-20", b.OverdueMilestones, b.OpenRounds, b.RoundDeadline)
	}
	if !slices.ContainsFunc(b.Members, func(m struct {
		User  string   `json:"user"`
		Roles []string `json:"roles"`
	}) bool {
		return m.User == mats.ID && slices.Equal(m.Roles, []string{"member"})
	}) {
		t.Errorf("the busy plan's members %+v lack mats as member", b.Members)
	}
	if !c.Archived || c.ID != old.ID {
		t.Errorf("the old plan: %+v, want it archived", c)
	}

	for _, who := range []testUser{lene, mats} {
		wantError(t, ts.doAs(who.Token, http.MethodGet, "/api/admin/plans", ""), http.StatusForbidden, collab.CodeForbidden)
	}
	if got := ts.listedIDs(ola.Token, "/api/admin/plans"); len(got) != 1 || slices.Contains(got, busy.ID) {
		t.Errorf("ola's overview %v, want only her own plan", got)
	}
}
