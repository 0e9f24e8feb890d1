package storetest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/temaplan/temaplan/collab"
)

// hostile are ids, sources, users and municipalities that a store must keep
// and match literally: query operators, SQL, wildcards and patterns, Unicode
// look-alikes (stores must not normalise or fold case) and a NUL byte. A
// backend that cannot store NUL may refuse such a write with an error, but
// must neither truncate the string nor match anything else with it.
var hostile = []string{
	`{"$gt":""}`,
	`{"$ne":null}`,
	`$where`,
	`a.b`,
	`'; DROP TABLE ops; --`,
	`" OR "1"="1`,
	`%`,
	`_`,
	`.*`,
	`\`,
	"Ærøskøbing Kommune",
	"e\u0301", // e and a combining acute accent
	"\u00e9",  // é precomposed: looks the same, is another id
	"ærøskøbing kommune",
	"🏛️ rådhus",
	"line\nbreak\ttab",
	" ",
	"nul\x00byte",
}

func testHostileStrings(t *testing.T, s collab.Store) {
	// A plain neighbour of every kind of record, which no hostile string
	// may match, change or drop.
	normalOp := opRec("normal", 0, "tab-1", 1)
	mustCommit(t, s, normalOp)
	normalEntry := entry("normal", 1, "created")
	if err := s.AppendPlanEntry(t.Context(), normalEntry); err != nil {
		t.Fatalf("AppendPlanEntry: %v", err)
	}
	normalState := state("normal", "normal", 1)
	mustSaveState(t, s, normalState)
	if err := s.SaveSnapshot(t.Context(), collab.SnapshotRecord{Doc: "normal", V: 1, Data: json.RawMessage(`{}`), At: base}); err != nil {
		t.Fatalf("SaveSnapshot: %v", err)
	}

	t.Run("MatchNothing", func(t *testing.T) {
		for _, h := range hostile {
			checkAbsent(t, s, h, strings.Contains(h, "\x00"))
		}
	})

	storedOps := map[string]bool{}
	storedStates := map[string]bool{}
	storedEntries := map[string]bool{}
	t.Run("Literal", func(t *testing.T) {
		for _, h := range hostile {
			t.Run(fmt.Sprintf("%+q", h), func(t *testing.T) {
				text, _ := json.Marshal(h)
				nul := strings.Contains(h, "\x00")
				refused := func(what string, err error) bool {
					t.Helper()
					if err == nil {
						return false
					}
					if !nul {
						t.Fatalf("%s: %v", what, err)
					}
					t.Logf("%s refused a NUL byte: %v", what, err)
					return true
				}

				op := collab.OpRecord{Doc: h, V: 0, Src: h, Seq: 1, By: h, At: base,
					Op: json.RawMessage(`[{"insert":` + string(text) + `}]`)}
				if n, err := s.CommitOps(t.Context(), []collab.OpRecord{op}); !refused("CommitOps", err) {
					if n != 1 {
						t.Errorf("CommitOps = %d, nil; want 1", n)
					}
					storedOps[h] = true
					checkOps(t, "Ops", mustOps(t, s, h), []collab.OpRecord{op})
					got, ok, err := s.OpBySource(t.Context(), h, h, 1)
					if err != nil || !ok {
						t.Errorf("OpBySource = _, %v, %v; want found", ok, err)
					} else if d := opDiff(got, op); d != "" {
						t.Errorf("OpBySource: %s", d)
					}
				} else if ops, err := s.Ops(t.Context(), h, 0, -1); err == nil && len(ops) != 0 {
					t.Errorf("CommitOps was refused, but Ops finds %d ops", len(ops))
				}

				snap := collab.SnapshotRecord{Doc: h, V: 1, Data: json.RawMessage(`{"ops":[{"insert":` + string(text) + `}]}`), At: base}
				if err := s.SaveSnapshot(t.Context(), snap); !refused("SaveSnapshot", err) {
					got, ok, err := s.LatestSnapshot(t.Context(), h, -1)
					if err != nil || !ok || got.Doc != h || got.V != 1 || !jsonEqual(got.Data, snap.Data) {
						t.Errorf("LatestSnapshot = {%q v%d %s}, %v, %v; want {%q v1 %s}", got.Doc, got.V, got.Data, ok, err, h, snap.Data)
					}
				} else if _, ok, err := s.LatestSnapshot(t.Context(), h, -1); err == nil && ok {
					t.Error("SaveSnapshot was refused, but LatestSnapshot finds one")
				}

				e := collab.PlanEntry{Plan: h, Seq: 1, Kind: h, By: h, At: base, Data: json.RawMessage(`{"title":` + string(text) + `}`)}
				if err := s.AppendPlanEntry(t.Context(), e); !refused("AppendPlanEntry", err) {
					storedEntries[h] = true
					checkEntries(t, "PlanEntries", mustEntries(t, s, h, 0), []collab.PlanEntry{e})
				} else if es, err := s.PlanEntries(t.Context(), h, 0); err == nil && len(es) != 0 {
					t.Errorf("AppendPlanEntry was refused, but PlanEntries finds %d entries", len(es))
				}

				st := collab.PlanStateRecord{Plan: h, Municipality: h, Seq: 1, Data: json.RawMessage(`{"title":` + string(text) + `}`), Updated: base}
				if err := s.SavePlanState(t.Context(), st); !refused("SavePlanState", err) {
					storedStates[h] = true
					checkState(t, s, st)
					list, err := s.ListPlanStates(t.Context(), h)
					if err != nil || len(list) != 1 {
						t.Errorf("ListPlanStates = %d states, %v; want exactly this plan", len(list), err)
					} else if d := stateDiff(list[0], st); d != "" {
						t.Errorf("ListPlanStates: %s", d)
					}
				} else if _, ok, err := s.PlanState(t.Context(), h); err == nil && ok {
					t.Error("SavePlanState was refused, but PlanState finds one")
				}

				if nul {
					// Nothing may have been stored under the string cut at
					// the NUL.
					checkAbsent(t, s, h[:strings.IndexByte(h, 0)], false)
				}
			})
		}
	})

	t.Run("Distinct", func(t *testing.T) {
		for _, h := range hostile {
			if ops, err := s.Ops(t.Context(), h, 0, -1); storedOps[h] && (err != nil || len(ops) != 1 || ops[0].Doc != h) {
				t.Errorf("Ops(%q) = %d ops, %v; want exactly its own", h, len(ops), err)
			}
			if es, err := s.PlanEntries(t.Context(), h, 0); storedEntries[h] && (err != nil || len(es) != 1 || es[0].Plan != h) {
				t.Errorf("PlanEntries(%q) = %d entries, %v; want exactly its own", h, len(es), err)
			}
			if list, err := s.ListPlanStates(t.Context(), h); storedStates[h] && (err != nil || len(list) != 1 || list[0].Plan != h) {
				t.Errorf("ListPlanStates(%q) = %d states, %v; want exactly its own", h, len(list), err)
			}
		}
		all, err := s.ListPlanStates(t.Context(), "")
		if err != nil || len(all) != len(storedStates)+1 {
			t.Errorf("ListPlanStates(\"\") = %d states, %v; want %d", len(all), err, len(storedStates)+1)
		}
		checkOps(t, "the normal doc", mustOps(t, s, "normal"), []collab.OpRecord{normalOp})
		checkEntries(t, "the normal plan", mustEntries(t, s, "normal", 0), []collab.PlanEntry{normalEntry})
		checkState(t, s, normalState)
		list, err := s.ListPlanStates(t.Context(), "normal")
		if err != nil || len(list) != 1 {
			t.Errorf("ListPlanStates(normal) = %d states, %v; want 1", len(list), err)
		}
	})
}

// checkAbsent fails t if any read of id finds a record. With mayFail, a read
// may also fail (a backend that cannot take NUL in a query), but not find.
func checkAbsent(t *testing.T, s collab.Store, id string, mayFail bool) {
	t.Helper()
	failed := func(what string, err error) bool {
		t.Helper()
		if err != nil && !mayFail {
			t.Errorf("%s(%q): %v", what, id, err)
		}
		return err != nil
	}
	if ops, err := s.Ops(t.Context(), id, 0, -1); !failed("Ops", err) && len(ops) != 0 {
		t.Errorf("Ops(%q) found %d ops of %q", id, len(ops), ops[0].Doc)
	}
	if op, ok, err := s.OpBySource(t.Context(), id, id, 1); !failed("OpBySource", err) && ok {
		t.Errorf("OpBySource(%q) found an op of %q", id, op.Doc)
	}
	if sn, ok, err := s.LatestSnapshot(t.Context(), id, -1); !failed("LatestSnapshot", err) && ok {
		t.Errorf("LatestSnapshot(%q) found a snapshot of %q", id, sn.Doc)
	}
	if es, err := s.PlanEntries(t.Context(), id, 0); !failed("PlanEntries", err) && len(es) != 0 {
		t.Errorf("PlanEntries(%q) found %d entries of %q", id, len(es), es[0].Plan)
	}
	if st, ok, err := s.PlanState(t.Context(), id); !failed("PlanState", err) && ok {
		t.Errorf("PlanState(%q) found the state of %q", id, st.Plan)
	}
	if list, err := s.ListPlanStates(t.Context(), id); !failed("ListPlanStates", err) && len(list) != 0 {
		t.Errorf("ListPlanStates(%q) found %d states, the first of %q", id, len(list), list[0].Plan)
	}
}
