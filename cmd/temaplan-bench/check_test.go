package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/delta"
)

// rec is an edit of the log at version v from src's seq.
func rec(v int64, src string, seq int64) collab.OpRecord {
	return collab.OpRecord{Doc: "d", V: v, Src: src, Seq: seq, Op: json.RawMessage(`{"ops":[{"insert":"x"}]}`)}
}

func marker(v int64) collab.OpRecord {
	return collab.OpRecord{Doc: "d", V: v, Kind: collab.OpLock, Src: "lock@" + strconv.FormatInt(v, 10), Op: json.RawMessage(`{"ops":[]}`)}
}

func TestCheckLog(t *testing.T) {
	clients := map[string]bool{"a": true, "b": true}
	tests := []struct {
		name       string
		acked      []OpID
		log        []collab.OpRecord
		lost, dups []OpID
		gaps       int
		unacked    []OpID
	}{
		{
			name:  "every acked op once, in order",
			acked: []OpID{{"a", 1}, {"b", 1}, {"a", 2}},
			log:   []collab.OpRecord{rec(0, "a", 1), rec(1, "b", 1), rec(2, "a", 2)},
		},
		{
			name:  "an acked op missing is lost",
			acked: []OpID{{"a", 1}, {"b", 1}, {"a", 2}},
			log:   []collab.OpRecord{rec(0, "a", 1), rec(1, "a", 2)},
			lost:  []OpID{{"b", 1}},
		},
		{
			name:  "an op twice is duplicated, once however often",
			acked: []OpID{{"a", 1}, {"b", 1}},
			log:   []collab.OpRecord{rec(0, "a", 1), rec(1, "b", 1), rec(2, "a", 1), rec(3, "a", 1)},
			dups:  []OpID{{"a", 1}},
		},
		{
			name:  "lost and duplicated together",
			acked: []OpID{{"a", 1}, {"a", 2}, {"b", 7}},
			log:   []collab.OpRecord{rec(0, "a", 1), rec(1, "b", 7), rec(2, "b", 7)},
			lost:  []OpID{{"a", 2}},
			dups:  []OpID{{"b", 7}},
		},
		{
			name:  "missing versions are gaps",
			acked: []OpID{{"a", 1}, {"a", 2}},
			log:   []collab.OpRecord{rec(0, "a", 1), rec(3, "a", 2)},
			gaps:  2,
		},
		{
			name:  "a log that does not start at 0 has a gap",
			acked: []OpID{{"a", 1}},
			log:   []collab.OpRecord{rec(1, "a", 1)},
			gaps:  1,
		},
		{
			name:  "a repeated version counts as a gap",
			acked: []OpID{{"a", 1}, {"b", 1}},
			log:   []collab.OpRecord{rec(0, "a", 1), rec(0, "b", 1)},
			gaps:  1,
		},
		{
			name:  "markers and other sources are neither lost nor unacked",
			acked: []OpID{{"a", 1}},
			log:   []collab.OpRecord{rec(0, "template", 1), marker(1), rec(2, "a", 1), marker(3)},
		},
		{
			name:    "an op of a client never acked is reported",
			acked:   []OpID{{"a", 1}},
			log:     []collab.OpRecord{rec(0, "a", 1), rec(1, "b", 4)},
			unacked: []OpID{{"b", 4}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckLog(tt.acked, tt.log, clients)
			if got.Ops != len(tt.log) {
				t.Errorf("Ops = %d, want %d", got.Ops, len(tt.log))
			}
			if !slices.Equal(got.Lost, tt.lost) {
				t.Errorf("Lost = %v, want %v", got.Lost, tt.lost)
			}
			if !slices.Equal(got.Duplicated, tt.dups) {
				t.Errorf("Duplicated = %v, want %v", got.Duplicated, tt.dups)
			}
			if got.Gaps != tt.gaps {
				t.Errorf("Gaps = %d, want %d", got.Gaps, tt.gaps)
			}
			if !slices.Equal(got.Unacked, tt.unacked) {
				t.Errorf("Unacked = %v, want %v", got.Unacked, tt.unacked)
			}
		})
	}
}

func TestReplayLog(t *testing.T) {
	log := []collab.OpRecord{
		{V: 0, Op: json.RawMessage(`{"ops":[{"insert":"hei"}]}`)},
		marker(1),
		{V: 2, Op: json.RawMessage(`{"ops":[{"retain":3},{"insert":" på deg 🙂"}]}`)},
		{V: 3, Op: json.RawMessage(`{"ops":[{"retain":3,"attributes":{"bold":true}},{"delete":1}]}`)},
	}
	got, err := ReplayLog(log)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(got)
	if want := `{"ops":[{"insert":"hei","attributes":{"bold":true}},{"insert":"på deg 🙂\n"}]}`; string(b) != want {
		t.Errorf("ReplayLog = %s, want %s", b, want)
	}
	if _, err := ReplayLog([]collab.OpRecord{{V: 0, Op: json.RawMessage(`{"ops":[{"delete":2}]}`)}}); err == nil {
		t.Error("ReplayLog of a delete past the end: no error")
	}

	// A log longer than the gathering's flush, replayed op by op with
	// delta.Apply for comparison; then one op that does not fit.
	long, want := []collab.OpRecord{}, collab.EmptyDoc()
	for v := range 1000 {
		op := delta.Delta{Ops: []delta.Op{{Retain: v * 7 % (want.Length())}, {Insert: fmt.Sprint(v % 10)}}}
		if v%3 == 2 {
			op = delta.Delta{Ops: []delta.Op{{Retain: v % want.Length()}, {Delete: 1}}}
		}
		data, _ := json.Marshal(op)
		long = append(long, collab.OpRecord{V: int64(v), Op: data})
		next, err := delta.Apply(want, op)
		if err != nil {
			t.Fatalf("op %d: %v", v, err)
		}
		want = next
	}
	if got, err := ReplayLog(long); err != nil || !got.Equal(want) {
		t.Errorf("ReplayLog of 1 000 ops differs from applying them one by one (%v)", err)
	}
	long = append(long, collab.OpRecord{V: 1000, Op: json.RawMessage(fmt.Sprintf(`{"ops":[{"delete":%d}]}`, want.Length()+1))})
	if _, err := ReplayLog(long); err == nil {
		t.Error("ReplayLog with a delete past the end after 1 000 ops: no error")
	}
}

func TestCountLogLevels(t *testing.T) {
	tests := []struct {
		name           string
		log            string
		warnings, errs int
	}{
		{
			name: "the demo's start-up lines are information",
			log: `time=2026-11-28T02:27:20.816Z level=INFO msg="temaplan started" version=dev addr=127.0.0.1:18099 store="sqlite /tmp/d/temaplan.db" bus=in-process metrics=off origins=same-origin jwt_secret=/tmp/d/jwt-secret
time=2026-11-28T02:27:20.816Z level=INFO msg="demo: log in as one of these users" users="leader@demo.no member@demo.no finance@demo.no reader@demo.no steering@demo.no political@demo.no admin@demo.no" password=demo
`,
		},
		{
			name: "a level in a value or a message is not the line's",
			log: `time=2026-11-28T02:27:20.816Z level=INFO msg="demo: log in as one of these users" users="leader@demo.no" password=" level=ERROR level=WARN "
time=2026-11-28T02:27:20.816Z level=DEBUG msg=" level=WARN "
`,
		},
		{
			name: "warnings and errors",
			log: `time=2026-11-28T02:27:20.816Z level=WARN msg="not ready: store unreachable" err="dial tcp: connection refused"
time=2026-11-28T02:27:20.816Z level=ERROR msg="request failed" method=GET
time=2026-11-28T02:27:20.816Z level=WARN+2 msg="between warn and error"
level=ERROR msg="without a time"
`,
			warnings: 2, errs: 2,
		},
		{
			name: "a panic is an error, its stack is not",
			log: `panic: runtime error: invalid memory address or nil pointer dereference
[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x0]

goroutine 1 [running]:
main.main()
fatal error: concurrent map writes
`,
			errs: 2,
		},
		{
			name: "other output",
			log:  "temaplan: listen on 127.0.0.1:1 (TEMAPLAN_ADDR): address already in use\nsome level=ERROR text\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, e, err := CountLogLevels(strings.NewReader(tt.log))
			if err != nil {
				t.Fatal(err)
			}
			if w != tt.warnings || e != tt.errs {
				t.Errorf("warnings, errors = %d, %d; want %d, %d", w, e, tt.warnings, tt.errs)
			}
		})
	}
}
