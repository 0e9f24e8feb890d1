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
// redis-server, as docker-compose.yml does, both with -demo, one after the
// other: the second finds the demo seeded; a token from one node is good
// on the other; a plan created on one node is served by the other, and a
// change on the other is seen by the first.
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
		"TEMAPLAN_DEMO": "true",
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

	admin := nodes[0].login("admin@demo.no", "demo")
	leader := nodes[1].login("leader@demo.no", "demo")
	var users struct{ Items []struct{ Email string } }
	doJSON(t, "GET", nodes[1].url("/api/admin/users"), admin.AccessToken, "", 200, &users)
	if len(users.Items) != len(demoEmails) {
		t.Errorf("%d accounts after two nodes seeded the demo, want %d", len(users.Items), len(demoEmails))
	}

	var created planJSON
	doJSON(t, "POST", nodes[0].url("/api/plans"), admin.AccessToken,
		fmt.Sprintf(`{"title":"Boligplan","type":"temaplan","leader":%q}`, leader.User.ID), 201, &created)
	if len(created.Sections) != 7 {
		t.Errorf("the new plan has %d top-level sections, want 7", len(created.Sections))
	}
	byID := func(list []planJSON, id string) (planJSON, bool) {
		for _, p := range list {
			if p.ID == id {
				return p, true
			}
		}
		return planJSON{}, false
	}
	if got, ok := byID(nodes[1].plans(leader.AccessToken), created.ID); !ok || got.Seq != created.Seq {
		t.Errorf("node 2 lists %+v (found %v), want the plan node 1 created at seq %d", got, ok, created.Seq)
	}
	if list := nodes[1].plans(admin.AccessToken); len(list) != 2 {
		t.Errorf("node 2 lists %d plans, want 2 (the demo's, once, and the new one): %+v", len(list), list)
	}
	// A change on node 2 is seen by node 1.
	var added struct{ Plan planJSON }
	doJSON(t, "POST", nodes[1].url("/api/plans/"+created.ID+"/sections"), leader.AccessToken,
		fmt.Sprintf(`{"title":"Bostedsløse","kind":"target_area","seq":%d}`, created.Seq), 201, &added)
	if added.Plan.Seq != created.Seq+1 || len(added.Plan.Sections) != 8 {
		t.Errorf("node 2 answers seq %d with %d sections, want seq %d with 8", added.Plan.Seq, len(added.Plan.Sections), created.Seq+1)
	}
	if got, _ := byID(nodes[0].plans(leader.AccessToken), created.ID); got.Seq != created.Seq+1 {
		t.Errorf("node 1 lists the plan at seq %d, want %d", got.Seq, created.Seq+1)
	}

	for i, n := range nodes {
		if code := n.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
			t.Errorf("node %d exit code %d after SIGTERM, want 0", i+1, code)
		}
	}
}
