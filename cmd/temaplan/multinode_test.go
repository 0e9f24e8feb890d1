package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/temaplan/temaplan/collab/mongo/mongotest"
	"github.com/temaplan/temaplan/collab/redis/redistest"
)

// TestProcess_TwoNodesShareMongoAndRedis runs two nodes of the real binary
// against one Mongo-compatible server (FerretDB, or MONGODB_URI) and one
// redis-server, as docker-compose.yml does: a plan created on one node is
// served by the other.
func TestProcess_TwoNodesShareMongoAndRedis(t *testing.T) {
	ctx := context.Background()
	mongoSrv, err := mongotest.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mongoSrv.Close() })
	redisSrv, err := redistest.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { redisSrv.Close() })

	secretFile := filepath.Join(t.TempDir(), "jwt-secret")
	if err := os.WriteFile(secretFile, []byte(strings.Repeat("ab", 32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"TEMAPLAN_ADDR":            "127.0.0.1:0",
		"MONGODB_URI":              mongoSrv.URI(),
		"MONGODB_DB":               mongotest.DB(t, mongoSrv),
		"REDIS_URL":                redisSrv.URL(),
		"TEMAPLAN_JWT_SECRET_FILE": secretFile,
		// The data directory is not touched in this mode.
		"TEMAPLAN_DATA": filepath.Join(t.TempDir(), "unused"),
	}
	var nodes []*node
	for i := range 2 {
		n := startNode(t, env)
		d := n.waitReady(60 * time.Second)
		t.Logf("node %d: start-up to /readyz 200 on MongoDB and Redis: %s", i+1, d.Round(time.Millisecond))
		line := startedLine.FindString(n.out.String())
		if !strings.Contains(n.out.String(), `store="mongodb `) || !strings.Contains(n.out.String(), `bus="redis `) ||
			!strings.Contains(n.out.String(), "jwt_secret=TEMAPLAN_JWT_SECRET_FILE") {
			t.Errorf("node %d start-up line %q does not name MongoDB, Redis and the secret file", i+1, line)
		}
		nodes = append(nodes, n)
	}
	if _, err := os.Stat(env["TEMAPLAN_DATA"]); !os.IsNotExist(err) {
		t.Errorf("a node with MONGODB_URI created the data directory (%v)", err)
	}

	var created planJSON
	doJSON(t, "POST", nodes[0].url("/api/plans"), `{"title":"Boligplan","municipality":"Bodø"}`, 201, &created)
	var got planJSON
	doJSON(t, "GET", nodes[1].url("/api/plans/"+created.ID), "", 200, &got)
	if got.ID != created.ID || got.Seq != created.Seq || len(got.Sections) != 7 {
		t.Errorf("node 2 serves %+v, want the plan node 1 created", got)
	}
	// A change on node 2 is seen by node 1.
	doJSON(t, "POST", nodes[1].url("/api/plans/"+created.ID+"/sections"),
		fmt.Sprintf(`{"title":"Bostedsløse","kind":"target_area","seq":%d}`, got.Seq), 201, nil)
	doJSON(t, "GET", nodes[0].url("/api/plans/"+created.ID), "", 200, &got)
	if got.Seq != created.Seq+1 || len(got.Sections) != 8 {
		t.Errorf("node 1 serves seq %d with %d sections, want seq %d with 8", got.Seq, len(got.Sections), created.Seq+1)
	}

	for i, n := range nodes {
		if code := n.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
			t.Errorf("node %d exit code %d after SIGTERM, want 0", i+1, code)
		}
	}
}
