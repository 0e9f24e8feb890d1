package mongotest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// TestStart_FerretDBAndEnv starts a server, uses it through MONGODB_URI as
// an existing one, and checks that Close stops only what Start started.
func TestStart_FerretDBAndEnv(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	t.Setenv(EnvURI, "")
	own, err := Start(ctx)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	defer own.Close()
	if own.cmd == nil {
		t.Fatal("Start without MONGODB_URI did not start FerretDB")
	}
	if ok, _ := regexp.MatchString(`^mongodb://127\.0\.0\.1:[1-9][0-9]*/$`, own.URI()); !ok {
		t.Errorf("URI = %q", own.URI())
	}

	t.Setenv(EnvURI, own.URI())
	ext, err := Start(ctx)
	if err != nil {
		t.Fatalf("Start with MONGODB_URI: %v", err)
	}
	if ext.URI() != own.URI() || ext.cmd != nil {
		t.Errorf("Start with MONGODB_URI = %q (own process %v), want %q and none", ext.URI(), ext.cmd != nil, own.URI())
	}

	var names []string
	t.Run("DB", func(t *testing.T) {
		for range 2 {
			name := DB(t, ext)
			if ok, _ := regexp.MatchString(`^[a-zA-Z0-9_]{1,63}$`, name); !ok {
				t.Errorf("DB = %q: not a valid database name", name)
			}
			if _, err := ext.client.Database(name).Collection("c").InsertOne(t.Context(), bson.D{{Key: "x", Value: 1}}); err != nil {
				t.Fatalf("insert into %s: %v", name, err)
			}
			names = append(names, name)
		}
		if names[0] == names[1] {
			t.Errorf("DB returned %q twice", names[0])
		}
	})
	// The databases were dropped when the subtest ended.
	dbs, err := own.client.ListDatabaseNames(ctx, bson.D{{Key: "name", Value: bson.D{{Key: "$in", Value: names}}}})
	if err != nil || len(dbs) != 0 {
		t.Errorf("databases left after the test: %q, %v", dbs, err)
	}

	if err := ext.Close(); err != nil {
		t.Errorf("Close of the MONGODB_URI server: %v", err)
	}
	if err := pingURI(ctx, own.URI()); err != nil {
		t.Fatalf("closing the MONGODB_URI server stopped FerretDB: %v", err)
	}

	dir := own.tmp
	if err := own.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	select {
	case <-own.exited:
	default:
		t.Error("Close returned before ferretdb-dev exited")
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("data directory %s is left after Close: %v", dir, err)
	}
	if err := own.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func pingURI(ctx context.Context, uri string) error {
	c, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		return err
	}
	defer c.Disconnect(context.Background())
	return c.Ping(ctx, nil)
}

// TestFerretDB_NotInProductBinary guards the rule that FerretDB is a test
// and development tool only: the product binary must not link it.
func TestFerretDB_NotInProductBinary(t *testing.T) {
	root, err := moduleRoot(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "cmd", "temaplan")); os.IsNotExist(err) {
		t.Skip("no cmd/temaplan yet")
	}
	// -e: list the imports even where a package has an error of its own
	// (the embedded UI not built yet, say).
	cmd := exec.CommandContext(t.Context(), "go", "list", "-e", "-deps", "./cmd/temaplan")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps ./cmd/temaplan: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "github.com/FerretDB/") {
			t.Errorf("cmd/temaplan depends on %s", pkg)
		}
	}
}

func TestRedact(t *testing.T) {
	for uri, want := range map[string]string{
		"mongodb://anne:s3cret@mongo:27017/tp?authSource=admin":               "mongodb://***@mongo:27017/",
		"mongodb+srv://u:p@ss@c.example.net/?tlsCertificateKeyFilePassword=x": "mongodb+srv://***@c.example.net/",
		"mongodb://m1,m2/?replicaSet=rs0":                                     "mongodb://m1,m2/",
		"s3cret":                                                              "(unparsable URI)",
	} {
		if got := redact(uri); got != want {
			t.Errorf("redact(%q) = %q, want %q", uri, got, want)
		}
	}
}
