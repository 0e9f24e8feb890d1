package storetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/temaplan/temaplan/collab"
)

func testCommitOps(t *testing.T, s collab.Store) {
	t.Run("ConsecutiveBatches", func(t *testing.T) {
		const doc = "consecutive"
		var all []collab.OpRecord
		for _, batch := range [][]int64{{0, 1, 2}, {3}, {4, 5}} {
			ops := make([]collab.OpRecord, len(batch))
			for i, v := range batch {
				ops[i] = opRec(doc, v, "tab-1", v+1)
			}
			n, err := s.CommitOps(t.Context(), ops)
			if err != nil || n != len(ops) {
				t.Fatalf("CommitOps(%v) = %d, %v; want %d, nil", batch, n, err, len(ops))
			}
			all = append(all, ops...)
		}
		checkOps(t, "log", mustOps(t, s, doc), all)
	})

	t.Run("Ranges", func(t *testing.T) {
		const doc = "ranges"
		all := seed(t, s, doc, "tab-1", 6)
		for _, tc := range []struct {
			from, to int64
			want     []collab.OpRecord
		}{
			{0, -1, all},
			{0, 6, all},
			{0, 100, all},
			{2, 4, all[2:4]},
			{4, -1, all[4:]},
			{5, 6, all[5:]},
			{0, 1, all[:1]},
			{3, 3, nil},
			{4, 2, nil},
			{6, -1, nil},
			{100, -1, nil},
		} {
			got, err := s.Ops(t.Context(), doc, tc.from, tc.to)
			if err != nil {
				t.Errorf("Ops(%d, %d): %v", tc.from, tc.to, err)
				continue
			}
			checkOps(t, fmt.Sprintf("Ops(%d, %d)", tc.from, tc.to), got, tc.want)
		}
		if got, err := s.Ops(t.Context(), "no-such-doc", 0, -1); err != nil || len(got) != 0 {
			t.Errorf("Ops of a missing doc = %v, %v; want none, nil", versions(got), err)
		}
	})

	t.Run("RoundTrip", func(t *testing.T) {
		const doc = "round-trip"
		at := time.Date(2024, 12, 31, 23, 59, 59, 999_999_999, time.FixedZone("NZDT", 13*3600))
		ops := []collab.OpRecord{
			{Doc: doc, V: 0, Kind: collab.OpEdit, Src: "tab-ø", Seq: 1, By: "anne@example.org", At: at,
				Op: json.RawMessage(` [ {"insert" : "Hej, verden 🌍\n\"citat\" \\ \u00e6",
					"attributes": {"bold": true, "link": "https://example.org/?a=1&b=2"}},
					{"insert": "\n", "attributes": {"header": 2}} ] `)},
			{Doc: doc, V: 1, Kind: collab.OpLock, Src: "plan:p-1", Seq: 42, By: "system", At: at.Add(time.Millisecond)},
			{Doc: doc, V: 2, Kind: collab.OpUnlock, Src: "plan:p-1", Seq: 43, By: "system", At: at.Add(2 * time.Millisecond),
				Op: json.RawMessage(`null`)},
			{Doc: doc, V: 3, Src: "suggestion:01JAB", Seq: 1 << 40, By: "bo", At: time.Unix(0, 0),
				Op: json.RawMessage(`[{"retain":3},{"delete":2},{"insert":{"image":"x.png"}},{"retain":1.5e3}]`)},
		}
		mustCommit(t, s, ops...)
		checkOps(t, "log", mustOps(t, s, doc), ops)
		for _, want := range ops {
			got, ok, err := s.OpBySource(t.Context(), doc, want.Src, want.Seq)
			if err != nil || !ok {
				t.Errorf("OpBySource(%q, %d) = _, %v, %v; want found", want.Src, want.Seq, ok, err)
				continue
			}
			if d := opDiff(got, want); d != "" {
				t.Errorf("OpBySource(%q, %d): %s", want.Src, want.Seq, d)
			}
		}
	})

	t.Run("DuplicateFirstOp", func(t *testing.T) {
		const doc = "dup-first"
		before := seed(t, s, doc, "tab-1", 3)
		batch := []collab.OpRecord{opRec(doc, 2, "tab-2", 1), opRec(doc, 3, "tab-2", 2)}
		n, err := s.CommitOps(t.Context(), batch)
		if n != 0 || !isDuplicate(err) {
			t.Errorf("CommitOps at a taken version = %d, %v; want 0, ErrDuplicate", n, err)
		}
		checkOps(t, "log after the refused batch", mustOps(t, s, doc), before)
	})

	// A later op of the batch hits a unique key. SQLite commits none of the
	// batch, MongoDB may commit the ops before the collision: either way, n
	// must say exactly how many are in the log, and they are the first n.
	t.Run("DuplicateLaterOp", func(t *testing.T) {
		for _, tc := range []struct {
			name    string
			prepare func(doc string) []collab.OpRecord // commits the log before the batch
			batch   func(doc string) []collab.OpRecord
			collide int // index of the op of batch that is refused
		}{
			{
				name: "Version",
				prepare: func(doc string) []collab.OpRecord {
					log := seed(t, s, doc, "tab-1", 3)
					taken := opRec(doc, 5, "tab-3", 1) // a version the batch will reach
					mustCommit(t, s, taken)
					return append(log, taken)
				},
				batch: func(doc string) []collab.OpRecord {
					return []collab.OpRecord{opRec(doc, 3, "tab-2", 1), opRec(doc, 4, "tab-2", 2),
						opRec(doc, 5, "tab-2", 3), opRec(doc, 6, "tab-2", 4)}
				},
				collide: 2,
			},
			{
				name:    "Source",
				prepare: func(doc string) []collab.OpRecord { return seed(t, s, doc, "tab-1", 3) },
				batch: func(doc string) []collab.OpRecord {
					resend := opRec(doc, 5, "tab-1", 2) // (src, seq) of version 1
					return []collab.OpRecord{opRec(doc, 3, "tab-2", 1), opRec(doc, 4, "tab-2", 2), resend}
				},
				collide: 2,
			},
			{
				name:    "SourceWithinBatch",
				prepare: func(doc string) []collab.OpRecord { return seed(t, s, doc, "tab-1", 2) },
				batch: func(doc string) []collab.OpRecord {
					return []collab.OpRecord{opRec(doc, 2, "tab-2", 1), opRec(doc, 3, "tab-2", 1), opRec(doc, 4, "tab-2", 2)}
				},
				collide: 1,
			},
		} {
			t.Run(tc.name, func(t *testing.T) {
				doc := "dup-later-" + tc.name
				before := tc.prepare(doc)
				batch := tc.batch(doc)
				n, err := s.CommitOps(t.Context(), batch)
				if !isDuplicate(err) {
					t.Errorf("CommitOps error = %v, want ErrDuplicate", err)
				}
				if n < 0 || n > tc.collide {
					t.Fatalf("CommitOps = %d; want between 0 and %d (the ops before the collision)", n, tc.collide)
				}
				t.Logf("committed %d of %d ops", n, len(batch))
				want := append(slices.Clone(before), batch[:n]...)
				slices.SortFunc(want, func(a, b collab.OpRecord) int { return int(a.V - b.V) })
				checkOps(t, "log: the ops before plus exactly the n ops reported", mustOps(t, s, doc), want)
			})
		}
	})

	t.Run("ResendAtOtherVersion", func(t *testing.T) {
		const doc = "resend-other-version"
		before := seed(t, s, doc, "tab-1", 3)
		resend := before[1]
		resend.V = 3
		n, err := s.CommitOps(t.Context(), []collab.OpRecord{resend})
		if n != 0 || !isDuplicate(err) {
			t.Errorf("CommitOps of a committed (src, seq) at a new version = %d, %v; want 0, ErrDuplicate", n, err)
		}
		checkOps(t, "log after the refused resend", mustOps(t, s, doc), before)
		got, ok, err := s.OpBySource(t.Context(), doc, resend.Src, resend.Seq)
		if err != nil || !ok || got.V != 1 {
			t.Errorf("OpBySource = v%d, %v, %v; want v1, true, nil", got.V, ok, err)
		}
	})

	t.Run("DocsIndependent", func(t *testing.T) {
		// Same versions and the same (src, seq) in every doc; ids that differ
		// only in case, a trailing space or as prefixes of each other.
		docs := []string{"ind", "IND", "ind ", "ind-2", "in"}
		want := map[string][]collab.OpRecord{}
		for _, doc := range docs {
			want[doc] = seed(t, s, doc, "tab-1", 2)
		}
		for _, doc := range docs {
			checkOps(t, fmt.Sprintf("log of %q", doc), mustOps(t, s, doc), want[doc])
			got, ok, err := s.OpBySource(t.Context(), doc, "tab-1", 2)
			if err != nil || !ok || got.Doc != doc || got.V != 1 {
				t.Errorf("OpBySource(%q, tab-1, 2) = %q v%d, %v, %v; want %q v1", doc, got.Doc, got.V, ok, err, doc)
			}
		}
	})

	t.Run("EmptyBatch", func(t *testing.T) {
		n, err := s.CommitOps(t.Context(), nil)
		if n != 0 {
			t.Errorf("CommitOps(nil) = %d, %v; want 0", n, err)
		}
	})
}

// testCommitRace lets 16 writers race for every version of one doc, each
// version in its own round so that all of them really contend for it.
func testCommitRace(t *testing.T, s collab.Store) {
	const (
		doc      = "race"
		writers  = 16
		versions = 50
	)
	type result struct {
		n   int
		err error
	}
	winners := make([]int, versions)
	for v := range int64(versions) {
		results := make([]result, writers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				op := opRec(doc, v, fmt.Sprintf("writer-%d", w), v+1)
				<-start
				n, err := s.CommitOps(t.Context(), []collab.OpRecord{op})
				results[w] = result{n, err}
			})
		}
		close(start)
		wg.Wait()
		winners[v] = -1
		for w, r := range results {
			switch {
			case r.err == nil && r.n == 1:
				if winners[v] >= 0 {
					t.Errorf("v%d: writers %d and %d both committed", v, winners[v], w)
				}
				winners[v] = w
			case r.n == 0 && isDuplicate(r.err):
			default:
				t.Errorf("v%d: writer %d got %d, %v; want 1, nil or 0, ErrDuplicate", v, w, r.n, r.err)
			}
		}
		if winners[v] < 0 {
			t.Fatalf("v%d: no writer committed", v)
		}
	}
	want := make([]collab.OpRecord, versions)
	for v := range want {
		want[v] = opRec(doc, int64(v), fmt.Sprintf("writer-%d", winners[v]), int64(v+1))
	}
	checkOps(t, "log: 0..49, each the winner's op", mustOps(t, s, doc), want)
}

// testCommitRaceAcrossDocs lets writers of several docs race at once,
// several for each version of each doc, with batches of one and two ops:
// the commits of different docs meet in the store at the same time (on
// SQLite in one transaction), and a batch refused by a key must fail
// alone, never take another doc's batch with it or commit a second op
// after its refused first one.
func testCommitRaceAcrossDocs(t *testing.T, s collab.Store) {
	const (
		docs    = 4
		writers = 4
		rounds  = 6
	)
	heads := make([]int64, docs)
	var want [docs][]collab.OpRecord
	for r := range int64(rounds) {
		type result struct {
			ops []collab.OpRecord
			n   int
			err error
		}
		results := make([][]result, docs)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for d := range docs {
			results[d] = make([]result, writers)
			doc := fmt.Sprintf("race-%d", d)
			for w := range writers {
				src := fmt.Sprintf("writer-%d", w)
				ops := []collab.OpRecord{opRec(doc, heads[d], src, 2*r+1)}
				if w%2 == 1 {
					ops = append(ops, opRec(doc, heads[d]+1, src, 2*r+2))
				}
				results[d][w].ops = ops
				wg.Go(func() {
					<-start
					n, err := s.CommitOps(t.Context(), ops)
					results[d][w].n, results[d][w].err = n, err
				})
			}
		}
		close(start)
		wg.Wait()
		for d := range docs {
			winner := -1
			for w, res := range results[d] {
				switch {
				case res.err == nil && res.n == len(res.ops):
					if winner >= 0 {
						t.Errorf("race-%d round %d: writers %d and %d both committed", d, r, winner, w)
					}
					winner = w
				case res.n == 0 && isDuplicate(res.err):
				default:
					t.Errorf("race-%d round %d: writer %d got %d, %v; want %d, nil or 0, ErrDuplicate", d, r, w, res.n, res.err, len(res.ops))
				}
			}
			if winner < 0 {
				t.Fatalf("race-%d round %d: no writer committed", d, r)
			}
			want[d] = append(want[d], results[d][winner].ops...)
			heads[d] += int64(len(results[d][winner].ops))
		}
	}
	for d := range docs {
		doc := fmt.Sprintf("race-%d", d)
		checkOps(t, "log of "+doc, mustOps(t, s, doc), want[d])
	}
}

// testResendRace lets 8 writers commit the same (doc, src, seq), each at a
// different version, as nodes that received the same resend would.
func testResendRace(t *testing.T, s collab.Store) {
	const (
		doc     = "resend-race"
		writers = 8
	)
	ops := make([]collab.OpRecord, writers)
	errs := make([]error, writers)
	ns := make([]int, writers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for w := range ops {
		ops[w] = opRec(doc, int64(w), "tab-1", 7)
		ops[w].By = fmt.Sprintf("node-%d", w)
		wg.Go(func() {
			<-start
			ns[w], errs[w] = s.CommitOps(t.Context(), ops[w:w+1])
		})
	}
	close(start)
	wg.Wait()
	winner := -1
	for w := range ops {
		switch {
		case errs[w] == nil && ns[w] == 1:
			if winner >= 0 {
				t.Errorf("writers %d and %d both committed (tab-1, 7)", winner, w)
			}
			winner = w
		case ns[w] == 0 && isDuplicate(errs[w]):
		default:
			t.Errorf("writer %d got %d, %v; want 1, nil or 0, ErrDuplicate", w, ns[w], errs[w])
		}
	}
	if winner < 0 {
		t.Fatal("no writer committed")
	}
	checkOps(t, "log: only the winner's op", mustOps(t, s, doc), ops[winner:winner+1])
	got, ok, err := s.OpBySource(t.Context(), doc, "tab-1", 7)
	if err != nil || !ok {
		t.Fatalf("OpBySource = _, %v, %v; want found", ok, err)
	}
	if d := opDiff(got, ops[winner]); d != "" {
		t.Errorf("OpBySource: %s", d)
	}
}

func testOpBySource(t *testing.T, s collab.Store) {
	const doc = "by-source"
	ops := seed(t, s, doc, "tab-1", 3)
	seed(t, s, "by-source-2", "tab-2", 1)
	t.Run("Found", func(t *testing.T) {
		for _, want := range ops {
			got, ok, err := s.OpBySource(t.Context(), doc, want.Src, want.Seq)
			if err != nil || !ok {
				t.Errorf("OpBySource(%q, %d) = _, %v, %v; want found", want.Src, want.Seq, ok, err)
				continue
			}
			if d := opDiff(got, want); d != "" {
				t.Errorf("OpBySource(%q, %d): %s", want.Src, want.Seq, d)
			}
		}
	})
	t.Run("NotFound", func(t *testing.T) {
		for _, tc := range []struct {
			doc, src string
			seq      int64
		}{
			{doc, "tab-1", 4},
			{doc, "tab-1", 0},
			{doc, "tab-1", -1},
			{doc, "tab-2", 1}, // committed, but for another doc
			{doc, "tab-", 1},
			{doc, "", 1},
			{"by-source-3", "tab-1", 1},
			{"", "tab-1", 1},
		} {
			got, ok, err := s.OpBySource(t.Context(), tc.doc, tc.src, tc.seq)
			if err != nil || ok {
				t.Errorf("OpBySource(%q, %q, %d) = v%d, %v, %v; want not found, nil", tc.doc, tc.src, tc.seq, got.V, ok, err)
			}
		}
	})
}

func testSnapshots(t *testing.T, s collab.Store) {
	const doc = "snap"
	snap := func(doc string, v int64, text string) collab.SnapshotRecord {
		return collab.SnapshotRecord{
			Doc:  doc,
			V:    v,
			Data: json.RawMessage(fmt.Sprintf(`{"ops":[{"insert":%q}]}`, text+"\n")),
			At:   base.Add(time.Duration(v) * time.Minute),
		}
	}
	check := func(t *testing.T, what string, got, want collab.SnapshotRecord) {
		t.Helper()
		if got.Doc != want.Doc || got.V != want.V || !jsonEqual(got.Data, want.Data) || !timeEqual(got.At, want.At) {
			t.Errorf("%s = {%q v%d %s %v}, want {%q v%d %s %v}", what,
				got.Doc, got.V, got.Data, got.At, want.Doc, want.V, want.Data, ms(want.At))
		}
	}
	snaps := []collab.SnapshotRecord{snap(doc, 0, "zero"), snap(doc, 10, "ten"), snap(doc, 5, "five")}
	for _, sn := range snaps {
		if err := s.SaveSnapshot(t.Context(), sn); err != nil {
			t.Fatalf("SaveSnapshot(v%d): %v", sn.V, err)
		}
	}
	other := snap("snap-other", 3, "other")
	if err := s.SaveSnapshot(t.Context(), other); err != nil {
		t.Fatalf("SaveSnapshot(snap-other): %v", err)
	}

	t.Run("SameVersionKeepsFirst", func(t *testing.T) {
		again := snap(doc, 5, "a later five")
		again.At = base.Add(time.Hour)
		if err := s.SaveSnapshot(t.Context(), again); err != nil {
			t.Errorf("SaveSnapshot of a stored (doc, v) = %v, want nil", err)
		}
		got, ok, err := s.LatestSnapshot(t.Context(), doc, 5)
		if err != nil || !ok {
			t.Fatalf("LatestSnapshot(5) = _, %v, %v", ok, err)
		}
		check(t, "LatestSnapshot(5)", got, snaps[2])
	})

	t.Run("Latest", func(t *testing.T) {
		for _, tc := range []struct {
			doc  string
			maxV int64
			want *collab.SnapshotRecord
		}{
			{doc, -1, &snaps[1]},
			{doc, 100, &snaps[1]},
			{doc, 10, &snaps[1]},
			{doc, 9, &snaps[2]},
			{doc, 5, &snaps[2]},
			{doc, 4, &snaps[0]},
			{doc, 0, &snaps[0]},
			{"snap-other", 2, nil},
			{"snap-other", -1, &other},
			{"snap-none", -1, nil},
			{"sna", -1, nil},
		} {
			what := fmt.Sprintf("LatestSnapshot(%q, %d)", tc.doc, tc.maxV)
			got, ok, err := s.LatestSnapshot(t.Context(), tc.doc, tc.maxV)
			switch {
			case err != nil:
				t.Errorf("%s: %v", what, err)
			case tc.want == nil && ok:
				t.Errorf("%s = v%d, want none", what, got.V)
			case tc.want != nil && !ok:
				t.Errorf("%s = none, want one", what)
			case tc.want != nil:
				check(t, what, got, *tc.want)
			}
		}
	})
}
