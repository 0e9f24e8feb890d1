package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/delta"
)

// OpID names an op by its source (the client id) and the source's
// counter: what "exactly once" is counted in.
type OpID struct {
	Src string `json:"src"`
	Seq int64  `json:"seq"`
}

func (id OpID) String() string { return fmt.Sprintf("%s#%d", id.Src, id.Seq) }

// LogCheck is what CheckLog found in a document's op log.
type LogCheck struct {
	// Ops is the number of records in the log, markers included.
	Ops int
	// Lost are ops acknowledged to a client that are not in the log.
	Lost []OpID
	// Duplicated are ops in the log more than once (each listed once).
	Duplicated []OpID
	// Gaps counts the versions missing from 0 to the last, plus records
	// out of version order.
	Gaps int
	// Unacked are ops of the given clients in the log that no client was
	// told about: harmless once every client has converged, since each
	// would have been acknowledged.
	Unacked []OpID
}

// CheckLog checks a document's op log, in the order the store returned
// it, against the ops acknowledged to clients: every acknowledged op is in
// it exactly once and the versions run from 0 without gaps. clients are
// the sources whose log entries should all have been acknowledged.
func CheckLog(acked []OpID, log []collab.OpRecord, clients map[string]bool) LogCheck {
	res := LogCheck{Ops: len(log)}
	seen := make(map[OpID]int, len(log))
	want := int64(0)
	for _, r := range log {
		switch {
		case r.V > want:
			res.Gaps += int(r.V - want)
		case r.V < want:
			res.Gaps++ // out of order or a repeated version
		}
		want = max(want, r.V+1)
		if r.Kind != collab.OpEdit {
			continue // markers have sources of their own
		}
		id := OpID{r.Src, r.Seq}
		if seen[id]++; seen[id] == 2 {
			res.Duplicated = append(res.Duplicated, id)
		}
	}
	isAcked := make(map[OpID]bool, len(acked))
	for _, id := range acked {
		isAcked[id] = true
		if seen[id] == 0 {
			res.Lost = append(res.Lost, id)
		}
	}
	for id := range seen {
		if clients[id.Src] && !isAcked[id] {
			res.Unacked = append(res.Unacked, id)
		}
	}
	for _, s := range [][]OpID{res.Lost, res.Duplicated, res.Unacked} {
		slices.SortFunc(s, func(a, b OpID) int {
			if a.Src != b.Src {
				if a.Src < b.Src {
					return -1
				}
				return 1
			}
			return int(a.Seq - b.Seq)
		})
	}
	return res
}

// ReplayLog applies a document's op log to the document at version 0 (one
// empty line) and returns the text it describes.
//
// It gathers the ops as the engine does (delta.Gathered: Apply's checks,
// the whole text composed every 128 ops), since applying each op to the
// whole text took minutes on the hot scenario's log of 300 000 ops.
func ReplayLog(log []collab.OpRecord) (delta.Delta, error) {
	doc := delta.Gather(collab.EmptyDoc())
	for _, r := range log {
		if r.Kind != collab.OpEdit {
			continue
		}
		var op delta.Delta
		if err := json.Unmarshal(r.Op, &op); err != nil {
			return delta.Delta{}, fmt.Errorf("op %d: %w", r.V, err)
		}
		next, err := doc.Apply(op)
		if err != nil {
			return delta.Delta{}, fmt.Errorf("op %d does not apply: %w", r.V, err)
		}
		doc = next
	}
	return doc.Doc(), nil
}

// CountLogLevels counts the warnings and errors in a node's log (slog's
// text format). A line's level is its level attribute, which slog writes
// right after the time; text elsewhere in the line that reads like one
// (a message, or a value such as the password the demo's start-up line
// names) does not count. A Go panic or fatal error, which bypasses slog,
// counts as an error.
func CountLogLevels(r io.Reader) (warnings, errs int, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if bytes.HasPrefix(line, []byte("panic: ")) || bytes.HasPrefix(line, []byte("fatal error: ")) {
			errs++
			continue
		}
		switch logLevel(line) {
		case "WARN":
			warnings++
		case "ERROR":
			errs++
		}
	}
	return warnings, errs, sc.Err()
}

// logLevel returns the level of a slog text line ("INFO", "WARN+2", …),
// or "" for a line of another shape.
func logLevel(line []byte) string {
	if bytes.HasPrefix(line, []byte("time=")) {
		_, line, _ = bytes.Cut(line, []byte(" "))
	}
	rest, ok := bytes.CutPrefix(line, []byte("level="))
	if !ok {
		return ""
	}
	level, _, _ := bytes.Cut(rest, []byte(" "))
	// Levels between the named ones print as WARN+2, ERROR-1 and so on.
	if i := bytes.IndexAny(level, "+-"); i > 0 {
		level = level[:i]
	}
	return string(level)
}
