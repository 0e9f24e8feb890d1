package client

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/temaplan/temaplan/collab/delta"
)

func TestSplitFrame(t *testing.T) {
	for _, c := range []struct {
		frame string
		want  []string
	}{
		{`{"type":"ack"}`, []string{`{"type":"ack"}`}},
		{`{"type":"op","v":1}` + "\n" + `{"type":"ack","v":2}`, []string{`{"type":"op","v":1}`, `{"type":"ack","v":2}`}},
		{"{\"a\":1}\n\n{\"b\":2}\n", []string{`{"a":1}`, `{"b":2}`}},
		{"", nil},
	} {
		got := splitFrame([]byte(c.frame))
		if len(got) != len(c.want) {
			t.Fatalf("splitFrame(%q) = %q, want %q", c.frame, got, c.want)
		}
		for i := range got {
			if string(got[i]) != c.want[i] {
				t.Fatalf("splitFrame(%q) = %q, want %q", c.frame, got, c.want)
			}
		}
	}
}

// TestClient_HandlesEveryMessageOfAFrame checks that the messages a
// server joins into one frame are all applied, in order: the welcome's
// frame carries an error, the subscription's frame a snapshot and two
// ops that only apply in that order.
func TestClient_HandlesEveryMessageOfAFrame(t *testing.T) {
	frames := []string{
		`{"type":"welcome","protocol":2}` + "\n" + `{"type":"error","code":"forbidden","message":"gone"}`,
		`{"type":"snapshot","doc":"d","v":0,"data":{"ops":[{"insert":"\n"}]}}` + "\n" +
			`{"type":"op","doc":"d","v":0,"op":{"ops":[{"insert":"a"}]},"src":"other","seq":1}` + "\n" +
			`{"type":"op","doc":"d","v":1,"op":{"ops":[{"retain":1},{"insert":"b"}]},"src":"other","seq":2}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		// Each frame answers one client message: hello, then sub.
		for _, f := range frames {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
			if err := ws.WriteMessage(websocket.TextMessage, []byte(f)); err != nil {
				return
			}
		}
		ws.ReadMessage() // until the client closes
	}))
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	errs := make(chan string, 4)
	c, err := Dial(ctx, Options{URL: "ws" + strings.TrimPrefix(srv.URL, "http"), ClientID: "me",
		OnError: func(code, _ string) { errs <- code }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	select {
	case code := <-errs:
		if code != "forbidden" {
			t.Errorf("error %q, want forbidden", code)
		}
	case <-ctx.Done():
		t.Fatal("the message after the welcome was not handled")
	}
	if err := c.Open(ctx, "p", "d"); err != nil {
		t.Fatal(err)
	}
	if err := c.Wait(ctx, func() bool { return c.docs["d"].v == 2 }); err != nil {
		t.Fatalf("the ops after the snapshot were not applied: %v", err)
	}
	var want delta.Delta
	want.Insert("ab\n", nil)
	if text, v := c.Content("d"); !text.Equal(want) || v != 2 {
		t.Errorf("text %v at v%d, want %v at v2", text, v, want)
	}
}
