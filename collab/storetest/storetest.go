// Package storetest is the contract test suite of collab.Store. Every adapter
// (collab/sqlite, collab/mongo) runs Run against a real database, so the
// adapters cannot drift apart: what one store accepts, refuses, orders or
// returns, the other does too.
//
// The suite is written for slow backends as well (FerretDB in the Mongo
// adapter's tests): it keeps the number of stored records small — about two
// hundred for the whole run, plus about a thousand refused inserts in the
// races — but every race is real concurrency against the real database.
package storetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/temaplan/temaplan/collab"
)

// Run runs the contract suite. open must return a fresh, empty store for
// each call; the adapter's open registers the store's cleanup with t.
//
// Where the adapters are allowed to differ, the suite checks what both must
// guarantee: a batch of ops that hits a unique key may commit a prefix on
// MongoDB and nothing on SQLite, so the suite checks that the count returned
// is exactly the number of that batch's ops now in the log, and that they are
// its first ones. Stricter, adapter-specific behaviour (SQLite's all or
// nothing) is tested in the adapter's own package.
func Run(t *testing.T, open func(t *testing.T) collab.Store) {
	t.Run("CommitOps", func(t *testing.T) { testCommitOps(t, open(t)) })
	t.Run("CommitRace", func(t *testing.T) { testCommitRace(t, open(t)) })
	t.Run("CommitRaceAcrossDocs", func(t *testing.T) { testCommitRaceAcrossDocs(t, open(t)) })
	t.Run("ResendRace", func(t *testing.T) { testResendRace(t, open(t)) })
	t.Run("OpBySource", func(t *testing.T) { testOpBySource(t, open(t)) })
	t.Run("Snapshots", func(t *testing.T) { testSnapshots(t, open(t)) })
	t.Run("PlanEntries", func(t *testing.T) { testPlanEntries(t, open(t)) })
	t.Run("PlanEntryRace", func(t *testing.T) { testPlanEntryRace(t, open(t)) })
	t.Run("PlanState", func(t *testing.T) { testPlanState(t, open(t)) })
	t.Run("ListPlanStates", func(t *testing.T) { testListPlanStates(t, open(t)) })
	t.Run("HostileStrings", func(t *testing.T) { testHostileStrings(t, open(t)) })
	t.Run("PingDescribe", func(t *testing.T) { testPingDescribe(t, open(t)) })
}

// base is the time the records of the suite are made at: deliberately not in
// UTC and with sub-millisecond digits, which stores drop.
var base = time.Date(2025, 3, 14, 9, 26, 53, 589_793_238, time.FixedZone("CET", 3600))

// ms is t as a store returns it: truncated to the millisecond, in UTC.
func ms(t time.Time) time.Time { return time.UnixMilli(t.UnixMilli()).UTC() }

// timeEqual reports whether got is want as a store must return it.
func timeEqual(got, want time.Time) bool {
	return got.Equal(ms(want)) && got.Location() == time.UTC
}

// jsonEqual reports whether a and b are the same JSON value. An empty value
// counts as null: a store may return a missing payload either way.
func jsonEqual(a, b []byte) bool {
	va, err := jsonValue(a)
	if err != nil {
		return false
	}
	vb, err := jsonValue(b)
	if err != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}

func jsonValue(b []byte) (any, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, nil
	}
	var v any
	err := json.Unmarshal(b, &v)
	return v, err
}

// isDuplicate reports whether err wraps collab.ErrDuplicate.
func isDuplicate(err error) bool { return errors.Is(err, collab.ErrDuplicate) }

// opRec returns an edit of doc at version v whose fields all differ from
// those of other versions, so a mixed-up read is noticed.
func opRec(doc string, v int64, src string, seq int64) collab.OpRecord {
	return collab.OpRecord{
		Doc: doc,
		V:   v,
		Src: src,
		Seq: seq,
		By:  "user-" + src,
		At:  base.Add(time.Duration(v)*time.Second + time.Duration(seq)*time.Microsecond),
		Op:  json.RawMessage(fmt.Sprintf(`[{"retain":%d},{"insert":"v%d by %s"}]`, v, v, src)),
	}
}

// opDiff describes how got differs from want, or returns "".
func opDiff(got, want collab.OpRecord) string {
	var d []string
	if got.Doc != want.Doc {
		d = append(d, fmt.Sprintf("Doc %q, want %q", got.Doc, want.Doc))
	}
	if got.V != want.V {
		d = append(d, fmt.Sprintf("V %d, want %d", got.V, want.V))
	}
	if got.Kind != want.Kind {
		d = append(d, fmt.Sprintf("Kind %q, want %q", got.Kind, want.Kind))
	}
	if got.Src != want.Src {
		d = append(d, fmt.Sprintf("Src %q, want %q", got.Src, want.Src))
	}
	if got.Seq != want.Seq {
		d = append(d, fmt.Sprintf("Seq %d, want %d", got.Seq, want.Seq))
	}
	if got.By != want.By {
		d = append(d, fmt.Sprintf("By %q, want %q", got.By, want.By))
	}
	if !timeEqual(got.At, want.At) {
		d = append(d, fmt.Sprintf("At %v, want %v", got.At, ms(want.At)))
	}
	if !jsonEqual(got.Op, want.Op) {
		d = append(d, fmt.Sprintf("Op %s, want %s", got.Op, want.Op))
	}
	if len(d) == 0 {
		return ""
	}
	return fmt.Sprint(d)
}

// checkOps fails t unless got is want, record by record.
func checkOps(t *testing.T, what string, got, want []collab.OpRecord) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d ops %v, want %d %v", what, len(got), versions(got), len(want), versions(want))
		return
	}
	for i := range got {
		if d := opDiff(got[i], want[i]); d != "" {
			t.Errorf("%s: op %d: %s", what, i, d)
		}
	}
}

func versions(ops []collab.OpRecord) []int64 {
	vs := make([]int64, len(ops))
	for i, o := range ops {
		vs[i] = o.V
	}
	return vs
}

// mustOps returns the whole log of doc.
func mustOps(t *testing.T, s collab.Store, doc string) []collab.OpRecord {
	t.Helper()
	ops, err := s.Ops(t.Context(), doc, 0, -1)
	if err != nil {
		t.Fatalf("Ops(%q, 0, -1): %v", doc, err)
	}
	return ops
}

// mustCommit commits ops, which must all be accepted.
func mustCommit(t *testing.T, s collab.Store, ops ...collab.OpRecord) {
	t.Helper()
	n, err := s.CommitOps(t.Context(), ops)
	if err != nil || n != len(ops) {
		t.Fatalf("CommitOps(%d ops at %v) = %d, %v; want %d, nil", len(ops), versions(ops), n, err, len(ops))
	}
}

// seed commits n edits of doc at versions 0..n-1, from source src with seq
// 1..n, in one batch, and returns them.
func seed(t *testing.T, s collab.Store, doc, src string, n int) []collab.OpRecord {
	t.Helper()
	ops := make([]collab.OpRecord, n)
	for i := range ops {
		ops[i] = opRec(doc, int64(i), src, int64(i+1))
	}
	mustCommit(t, s, ops...)
	return ops
}

func testPingDescribe(t *testing.T, s collab.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Errorf("Ping: %v", err)
	}
	if d := s.Describe(); d == "" {
		t.Error("Describe is empty")
	}
}
