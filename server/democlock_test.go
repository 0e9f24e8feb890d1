package server_test

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/sqlite"
	"github.com/temaplan/temaplan/server"
)

// TestDemoClock_OnlyWithTheFlag checks that POST /api/demo/clock does not
// exist on a server without a demo clock, and that with one the
// administrator (and nobody else) moves the clock the hearings run on.
func TestDemoClock_OnlyWithTheFlag(t *testing.T) {
	ts := newTestServer(t)
	wantError(t, ts.do(http.MethodPost, "/api/demo/clock", `{"advance_days":50}`), http.StatusNotFound, collab.CodeNotFound)

	start := time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC)
	clock := server.NewDemoClock(func() time.Time { return start })
	var hs *collab.Hearings
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "temaplan.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	ts = newTestServerOn(t, store, func(cfg *server.Config) {
		cfg.DemoClock, cfg.Now = clock, clock.Now
		hs = collab.NewHearings(collab.HearingsConfig{Plans: cfg.Plans, Store: cfg.Store.(collab.HearingStore), Now: clock.Now})
		cfg.Hearings = hs
	})
	ola := ts.user("ola@m1.no", "m1", false)
	wantError(t, ts.doAs(ola.Token, http.MethodPost, "/api/demo/clock", `{"advance_days":50}`), http.StatusForbidden, collab.CodeForbidden)
	for _, bad := range []string{`{"advance_days":0}`, `{"advance_days":-1}`, `{"advance_days":100000}`} {
		wantError(t, ts.do(http.MethodPost, "/api/demo/clock", bad), http.StatusUnprocessableEntity, collab.CodeInvalid)
	}
	if !hs.Now().Equal(start) {
		t.Fatalf("refused moves moved the clock to %v", hs.Now())
	}
	rec := ts.do(http.MethodPost, "/api/demo/clock", `{"advance_days":50}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("advance: %d %s", rec.Code, rec.Body)
	}
	if want := start.AddDate(0, 0, 50); !hs.Now().Equal(want) || !decode[struct{ Now time.Time }](t, rec).Now.Equal(want) {
		t.Fatalf("the clock is at %v, want %v", hs.Now(), want)
	}
}
