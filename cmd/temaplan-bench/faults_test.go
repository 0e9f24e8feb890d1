package main

import (
	"context"
	"testing"
	"time"
)

// TestGate_CloseWaitsForTheEditUnderWay: Close returns only when no edit
// is under way, and no edit starts while the gate is closed.
func TestGate_CloseWaitsForTheEditUnderWay(t *testing.T) {
	var g gate
	g.Open()
	if err := g.Enter(t.Context()); err != nil {
		t.Fatal(err)
	}
	closed := make(chan struct{})
	go func() {
		g.Close()
		close(closed)
	}()
	select {
	case <-closed:
		t.Fatal("Close returned while an edit was under way")
	case <-time.After(50 * time.Millisecond):
	}
	g.Leave()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return after the edit")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := g.Enter(ctx); err == nil {
		t.Fatal("entered a closed gate")
	}
	g.Open()
	if err := g.Enter(t.Context()); err != nil {
		t.Fatal(err)
	}
	g.Leave()
}
