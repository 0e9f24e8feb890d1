package server_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/delta"
	"github.com/temaplan/temaplan/collab/sqlite"
	"github.com/temaplan/temaplan/server"
)

// writeText commits text at the start of a section as the leader.
func (ts *testServer) writeText(section, by, text string) {
	ts.t.Helper()
	ctx := context.Background()
	v, _, err := ts.engine.Snapshot(ctx, section)
	if err != nil {
		ts.t.Fatal(err)
	}
	var op delta.Delta
	op.Insert(text, nil)
	if _, err := ts.engine.Submit(ctx, collab.Submission{Doc: section, V: v, Src: "test-" + section,
		Seq: v + 1, By: by, Op: op}); err != nil {
		ts.t.Fatal(err)
	}
}

func TestContent_LockRefusedWhileAPrivacyFindingIsOpen(t *testing.T) {
	eachStore(t, func(t *testing.T, ts *testServer) {
		p := ts.createPlan("Boligplan")
		siri := ts.user("siri@m1.no", "m1", false)
		ts.member(p.ID, siri, "steering")
		intro := p.Sections[0].ID
		ts.writeText(intro, ts.kari.ID, "Det bor 3 familier i kommunale boliger i Indre by.\n")

		rec := stepAs(ts, siri.Token, p.ID, "lock", "")
		wantError(t, rec, http.StatusConflict, collab.CodePrivacyFlagsOpen)
		if got := ts.getPlan(p.ID); got.Phase != collab.PhaseDraft {
			t.Fatalf("phase after the refused lock: %s", got.Phase)
		}

		type report struct {
			Threshold int `json:"threshold"`
			Open      int `json:"open"`
			Findings  []struct {
				ID, Section, Quote string
				Index, Length      int
				Accepted           *collab.PrivacyAcceptance
			} `json:"findings"`
		}
		rep := decode[report](t, ts.do(http.MethodGet, "/api/plans/"+p.ID+"/privacy", ""))
		if rep.Threshold != 5 || rep.Open != 1 || len(rep.Findings) != 1 || rep.Findings[0].Quote != "3 familier" ||
			rep.Findings[0].Section != intro || rep.Findings[0].Index != 8 || rep.Findings[0].Length != 10 {
			t.Fatalf("privacy report %+v", rep)
		}
		id := rep.Findings[0].ID

		// Steering may not accept; the leader must give a reason.
		rec = ts.doAs(siri.Token, http.MethodPost, "/api/plans/"+p.ID+"/privacy/"+id+"/accept", jsonOf(map[string]any{"reason": "ok"}))
		wantError(t, rec, http.StatusForbidden, collab.CodeForbidden)
		rec = ts.do(http.MethodPost, "/api/plans/"+p.ID+"/privacy/"+id+"/accept", jsonOf(map[string]any{"reason": " "}))
		wantError(t, rec, http.StatusUnprocessableEntity, collab.CodeInvalid)
		got := wantPlan(t, "accept", ts.do(http.MethodPost, "/api/plans/"+p.ID+"/privacy/"+id+"/accept",
			jsonOf(map[string]any{"reason": "Tallet er publisert av SSB", "seq": 0})))
		if len(got.PrivacyAccepted) != 1 || got.PrivacyAccepted[0].Quote != "3 familier" {
			t.Fatalf("acceptances %+v", got.PrivacyAccepted)
		}
		// An edit elsewhere in the section keeps the acceptance.
		ts.writeText(intro, ts.kari.ID, "Innledning.\n")
		if rep = decode[report](t, ts.do(http.MethodGet, "/api/plans/"+p.ID+"/privacy", "")); rep.Open != 0 || rep.Findings[0].Accepted == nil {
			t.Fatalf("after an unrelated edit: %+v", rep)
		}
		// Reopened, it blocks again; accepted again, the lock goes through.
		wantPlan(t, "reopen", ts.do(http.MethodDelete, "/api/plans/"+p.ID+"/privacy/"+id+"/accept", ""))
		wantError(t, stepAs(ts, siri.Token, p.ID, "lock", ""), http.StatusConflict, collab.CodePrivacyFlagsOpen)
		wantPlan(t, "accept", ts.do(http.MethodPost, "/api/plans/"+p.ID+"/privacy/"+id+"/accept",
			jsonOf(map[string]any{"reason": "Tallet er publisert av SSB"})))
		if got := wantPlan(t, "lock", stepAs(ts, siri.Token, p.ID, "lock", "")); got.Phase != collab.PhaseReview {
			t.Fatalf("phase %s", got.Phase)
		}
	})
}

func TestContent_EconomicsSignOffLapsesThroughTheAPI(t *testing.T) {
	ts := newTestServer(t)
	p := ts.createPlan("Boligplan")
	frida := ts.user("frida@m1.no", "m1", false)
	ts.member(p.ID, frida, "finance")
	area := p.TargetAreas()[0].ID
	from := p.Period.From
	rec := ts.do(http.MethodPost, "/api/plans/"+p.ID+"/measures", jsonOf(map[string]any{
		"target_area": area, "title": "Startlån", "start_year": from, "end_year": from + 1,
		"costs": []map[string]any{{"year": from, "investment": 1_500_000, "operating": 0}, {"year": from + 1, "investment": 0, "operating": 250_000}}}))
	if rec.Code != http.StatusCreated {
		t.Fatalf("measure: %d %s", rec.Code, rec.Body)
	}
	m := decode[struct{ Measure collab.Measure }](t, rec).Measure

	type economics struct {
		Total struct {
			Total int64 `json:"total"`
			Years []struct {
				Year  int   `json:"year"`
				Total int64 `json:"total"`
			} `json:"years"`
		} `json:"total"`
		Seq     int64           `json:"seq"`
		SignOff *collab.SignOff `json:"signoff"`
	}
	e := decode[economics](t, ts.doAs(frida.Token, http.MethodGet, "/api/plans/"+p.ID+"/economics", ""))
	if e.Total.Total != 1_750_000 || e.Total.Years[0].Total != 1_500_000 || e.Total.Years[1].Total != 250_000 || e.SignOff != nil {
		t.Fatalf("economics %+v", e)
	}
	// Only finance signs off, with a comment.
	wantError(t, ts.do(http.MethodPost, "/api/plans/"+p.ID+"/economics/signoff", jsonOf(map[string]any{"seq": e.Seq, "comment": "ok"})),
		http.StatusForbidden, collab.CodeForbidden)
	got := wantPlan(t, "sign off", ts.doAs(frida.Token, http.MethodPost, "/api/plans/"+p.ID+"/economics/signoff",
		jsonOf(map[string]any{"seq": e.Seq, "comment": "Kontrollert mot økonomiplanen"})))
	if got.EconomicsSignOff == nil || got.EconomicsSignOff.Lapsed || got.EconomicsSignOff.By != frida.ID {
		t.Fatalf("sign-off %+v", got.EconomicsSignOff)
	}
	got = wantPlan(t, "change cost", ts.do(http.MethodPatch, "/api/plans/"+p.ID+"/measures/"+m.ID, jsonOf(map[string]any{
		"seq": got.Seq, "costs": []map[string]any{{"year": from, "investment": 1_600_000, "operating": 0}}})))
	if !got.EconomicsSignOff.Lapsed {
		t.Fatalf("sign-off after a cost change: %+v", got.EconomicsSignOff)
	}
	if e = decode[economics](t, ts.doAs(frida.Token, http.MethodGet, "/api/plans/"+p.ID+"/economics", "")); !e.SignOff.Lapsed || e.Total.Total != 1_600_000 {
		t.Fatalf("economics after the change %+v", e)
	}
	// A sign-off of the costs as they were is refused.
	wantError(t, ts.doAs(frida.Token, http.MethodPost, "/api/plans/"+p.ID+"/economics/signoff",
		jsonOf(map[string]any{"seq": got.Seq - 1, "comment": "ok"})), http.StatusConflict, collab.CodeConflict)
}

func TestContent_MilestonesAreOverdueByTheMunicipalitysDate(t *testing.T) {
	// 23:30 UTC on 1 March is 00:30 on 2 March in Oslo.
	now := time.Date(2027, 3, 1, 23, 30, 0, 0, time.UTC)
	for _, c := range []struct {
		zone string
		want bool
	}{{"Europe/Oslo", true}, {"UTC", false}} {
		t.Run(c.zone, func(t *testing.T) {
			zone, err := time.LoadLocation(c.zone)
			if err != nil {
				t.Fatal(err)
			}
			store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "temaplan.db"), nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { store.Close() })
			ts := newTestServerOn(t, store, func(cfg *server.Config) {
				cfg.Now = func() time.Time { return now }
				cfg.Zone = zone
			})
			p := ts.createPlan("Boligplan")
			for i, date := range []string{"2027-03-01", "2027-03-02", "2027-02-01"} {
				status := "planned"
				if i == 2 {
					status = "done"
				}
				rec := ts.do(http.MethodPost, "/api/plans/"+p.ID+"/milestones", jsonOf(map[string]any{
					"title": fmt.Sprintf("Milepæl %d", i+1), "date": date, "status": status, "responsible": "steering"}))
				if rec.Code != http.StatusCreated {
					t.Fatalf("milestone: %d %s", rec.Code, rec.Body)
				}
			}
			got := ts.getPlan(p.ID)
			overdue := []bool{got.Milestones[0].Overdue, got.Milestones[1].Overdue, got.Milestones[2].Overdue}
			if overdue[0] != c.want || overdue[1] || overdue[2] {
				t.Fatalf("overdue %v, want [%v false false]", overdue, c.want)
			}
		})
	}
}
