package collab_test

import (
	"context"
	"testing"

	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/bustest"
)

func TestMemoryBus_Contract(t *testing.T) {
	bustest.Run(t, func(t *testing.T) collab.Bus { return collab.NewMemoryBus() })
}

func TestMemoryBus_ResyncsOnceOnSubscribe(t *testing.T) {
	b := collab.NewMemoryBus()
	t.Cleanup(func() { _ = b.Close() })
	r := bustest.NewRecorder(8)
	if _, err := b.Subscribe(context.Background(), "doc:1", r.Handler()); err != nil {
		t.Fatal(err)
	}
	r.WaitResync(t)
	for _, m := range []string{"a", "b"} {
		if err := b.Publish(context.Background(), "doc:1", []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	// Exactly one Resync: the messages follow it directly.
	r.WaitMessage(t, "a")
	r.WaitMessage(t, "b")
}

func TestMemoryBus_Describe(t *testing.T) {
	if got := collab.NewMemoryBus().Describe(); got != "in-process" {
		t.Fatalf("Describe() = %q", got)
	}
}
