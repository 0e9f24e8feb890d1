package main

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"
	"time"
)

// TestConverge_TwoNodesExactlyOnce runs the converge scenario end to end
// on a small scale: it builds the binaries, starts FerretDB, Redis and two
// nodes, types across both with frequent reconnects, and requires the
// tabs and nodes to converge with every acknowledged op stored exactly
// once.
func TestConverge_TwoNodesExactlyOnce(t *testing.T) {
	var out bytes.Buffer
	env := &Env{
		Config: Config{
			Scenario: "converge", Nodes: 2, Clients: 4, Ops: 200, Seed: 1,
			ReconnectProb: 0.05, MaxPause: 5 * time.Millisecond, Deadline: 60 * time.Second,
		},
		Log: slog.New(slog.NewTextHandler(testWriter{t}, nil)),
		out: json.NewEncoder(&out),
	}
	ok, err := runConverge(t.Context(), env)
	if err != nil {
		t.Fatal(err)
	}
	var res ConvergeResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("the result line %q is not JSON: %v", out.String(), err)
	}
	t.Logf("result: %s", bytes.TrimSpace(out.Bytes()))
	if !res.Converged || res.Lost != 0 || res.Duplicated != 0 || res.Gaps != 0 || !res.ReplayOK {
		t.Errorf("converged=%v lost=%d duplicated=%d gaps=%d replay=%v; problems: %q",
			res.Converged, res.Lost, res.Duplicated, res.Gaps, res.ReplayOK, res.Problems)
	}
	if !ok {
		t.Error("runConverge reported that the guarantees did not hold")
	}
	if res.Acked == 0 || res.Reconnects == 0 || res.Version == 0 {
		t.Errorf("acked=%d reconnects=%d version=%d: the scenario did not exercise anything", res.Acked, res.Reconnects, res.Version)
	}
	if len(res.RSS) != 2 {
		t.Errorf("rss_mb = %v, want one figure per node", res.RSS)
	}
}

// testWriter sends the scenario's progress log to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}
