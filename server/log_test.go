package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/delta"
	"github.com/temaplan/temaplan/server"
)

// lockedBuffer is a log destination several request goroutines share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestLog_JSONLinesNameRequestPlanAndUserButNoSecrets: with a JSON
// handler every line is one JSON object; a request's line carries its
// request id, the plan and the person by id, and nothing of what was
// typed or the credentials: not the password, the tokens or the text.
func TestLog_JSONLinesNameRequestPlanAndUserButNoSecrets(t *testing.T) {
	var out lockedBuffer
	ts := newTestServerOn(t, sqliteStore(t), func(c *server.Config) {
		c.Log = slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	lise := ts.user("lise@m1.no", "m1", false)
	login := postLogin(ts, "192.0.2.9:5000", "", "lise@m1.no", testPassword)
	if login.Code != http.StatusOK {
		t.Fatalf("login: %d %s", login.Code, login.Body)
	}
	session := decode[loginResponse](t, login)
	var refresh string
	for _, c := range login.Result().Cookies() {
		if c.Name == refreshCookieName {
			refresh = c.Value
		}
	}
	p := ts.createPlan("Boligplan")
	ts.member(p.ID, lise, "member")
	sec := findSection(t, p, "Innledning")
	typed, err := delta.Parse([]byte(`{"ops":[{"insert":"Storgata 5 har 3 beboere"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.engine.Submit(t.Context(), collab.Submission{Doc: sec.ID, V: 0, Src: "t", Seq: 1, By: ts.kari.ID, Op: typed}); err != nil {
		t.Fatal(err)
	}
	const secret = "Hemmelig merknad om Storgata 5"
	rec := ts.doAs(session.AccessToken, http.MethodPost, "/api/plans/"+p.ID+"/comments",
		fmt.Sprintf(`{"section":%q,"v":1,"index":0,"length":8,"body":%q}`, sec.ID, secret))
	if rec.Code != http.StatusCreated {
		t.Fatalf("comment: %d %s", rec.Code, rec.Body)
	}
	ts.doAs(session.AccessToken, http.MethodGet, "/api/plans/nope", "")

	var commentLine map[string]any
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("a log line is not JSON: %s", l)
		}
		for what, s := range map[string]string{"typed text": "beboere", "password": testPassword, "access token": session.AccessToken, "refresh token": refresh, "comment text": secret} {
			if s != "" && strings.Contains(l, s) {
				t.Errorf("the log holds the %s: %s", what, l)
			}
		}
		if m["msg"] == "http" && m["method"] == "POST" && strings.HasSuffix(fmt.Sprint(m["path"]), "/comments") {
			commentLine = m
		}
	}
	if commentLine == nil {
		t.Fatalf("no access log line of the comment among %d lines", len(lines))
	}
	if commentLine["plan"] != p.ID || commentLine["user"] != lise.ID || commentLine["request_id"] == "" || commentLine["status"] != float64(201) {
		t.Errorf("comment line %v lacks plan %s, user %s, a request id or the status", commentLine, p.ID, lise.ID)
	}
}
