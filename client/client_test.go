package client

import (
	"testing"

	"github.com/temaplan/temaplan/collab/delta"
)

// openDoc returns a client, not connected, with doc open at version v
// holding text.
func openDoc(t *testing.T, doc, text string) *Client {
	t.Helper()
	check, err := delta.NewValidator(delta.DefaultWhitelist(), delta.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	var content delta.Delta
	content.Insert(text, nil)
	return &Client{
		check:  check,
		docs:   map[string]*Doc{doc: {id: doc, v: 3, content: delta.Gather(content), ready: true, opened: true}},
		change: make(chan struct{}),
	}
}

// TestClient_EditRefusesWhatTheServerWouldRefuse checks that an edit the
// server would answer with bad_op is refused locally and changes nothing:
// accepted, it would stay in flight for ever and wedge the document.
func TestClient_EditRefusesWhatTheServerWouldRefuse(t *testing.T) {
	var splitPair, past, unknownFormat, unnormalised delta.Delta
	splitPair.Retain(2, nil).Insert("x", nil) // "a" and half of the emoji
	past.Retain(4, nil).Delete(1)
	unknownFormat.Retain(1, delta.Attributes{"color": "red"})
	unnormalised = delta.Delta{Ops: []delta.Op{{Retain: 1}, {Retain: 1}, {Insert: "x"}}}
	for name, op := range map[string]delta.Delta{
		"splits a surrogate pair": splitPair,
		"goes past the end":       past,
		"unknown format":          unknownFormat,
		"not normalised":          unnormalised,
	} {
		t.Run(name, func(t *testing.T) {
			c := openDoc(t, "d", "a🙂\n")
			if err := c.Edit("d", op); err == nil {
				t.Fatal("Edit accepted it")
			}
			if c.Pending("d") {
				t.Error("the refused edit is pending")
			}
			if text, _ := c.Content("d"); !text.Equal(*new(delta.Delta).Insert("a🙂\n", nil)) {
				t.Errorf("the text changed to %v", text)
			}
		})
	}
}

func TestClient_EditAppliesAndBuffers(t *testing.T) {
	c := openDoc(t, "d", "a🙂\n")
	var first, second delta.Delta
	first.Retain(3, nil).Insert("æ", delta.Attributes{"bold": true})
	second.Insert("ø", nil)
	for _, op := range []delta.Delta{first, second} {
		if err := c.Edit("d", op); err != nil {
			t.Fatal(err)
		}
	}
	var want delta.Delta
	want.Insert("øa🙂", nil).Insert("æ", delta.Attributes{"bold": true}).Insert("\n", nil)
	if text, _ := c.Content("d"); !text.Equal(want) {
		t.Errorf("text %v, want %v", text, want)
	}
	d := c.docs["d"]
	if d.inflight == nil || d.inflight.seq != 1 || !d.inflight.op.Equal(first) {
		t.Errorf("inflight %+v, want the first edit with seq 1", d.inflight)
	}
	if d.buffer == nil || !d.buffer.Equal(second) {
		t.Errorf("buffer %v, want the second edit", d.buffer)
	}
}
