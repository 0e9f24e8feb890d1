package sqlite

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/temaplan/temaplan/collab"
)

// The writer never checkpoints (a commit does not wait for the copy into
// the database file); the background connection does, while the store is
// open, so the database file takes the commits without a close.
func TestCheckpoint_InTheBackgroundNotInTheCommit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "temaplan.db")
	s, err := Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	var auto int
	if err := s.w.QueryRowContext(t.Context(), "PRAGMA wal_autocheckpoint").Scan(&auto); err != nil {
		t.Fatal(err)
	}
	if auto != 0 {
		t.Fatalf("the writer's wal_autocheckpoint is %d, want 0", auto)
	}

	before := fileSize(t, path)
	ran := s.ckpt.done.Load()
	// About 4 MB of ops: 4 000 pages of WAL, four times what SQLite
	// would have checkpointed at in the commits.
	payload := strings.Repeat("x", 1000)
	for b := range 40 {
		ops := make([]collab.OpRecord, 100)
		for i := range ops {
			v := int64(b*100 + i)
			ops[i] = collab.OpRecord{Doc: "d", V: v, Src: "c", Seq: v + 1, By: "anne", At: time.Now(),
				Op: json.RawMessage(fmt.Sprintf(`[{"insert":%q}]`, payload))}
		}
		mustCommit(t, s, ops...)
	}
	deadline := time.Now().Add(10 * checkpointEvery)
	for fileSize(t, path) < before+3<<20 {
		if time.Now().After(deadline) {
			t.Fatalf("after %v the database file has %d bytes (was %d; %d checkpoints ran): the WAL was not checkpointed",
				10*checkpointEvery, fileSize(t, path), before, s.ckpt.done.Load()-ran)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Nothing lost on the way.
	if got := len(logOf(t, s, "d")); got != 4000 {
		t.Fatalf("the log has %d ops, want 4000", got)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
