package privacy_test

import (
	"testing"

	"github.com/temaplan/temaplan/collab/delta"
	"github.com/temaplan/temaplan/privacy"
)

// cell returns the ops of one Quill table cell of row: its text and the
// newline that carries the row id.
func cell(text, row string) []delta.Op {
	return []delta.Op{{Insert: text}, {Insert: "\n", Attributes: delta.Attributes{"table": row}}}
}

func doc(parts ...[]delta.Op) delta.Delta {
	var ops []delta.Op
	for _, p := range parts {
		ops = append(ops, p...)
	}
	return delta.New(ops...)
}

func para(text string) []delta.Op { return []delta.Op{{Insert: text + "\n"}} }

func TestFindDoc_TableRowCells(t *testing.T) {
	d := doc(
		para("Oversikt"),
		cell("Husstander i midlertidig bolig", "row-1"), cell("3", "row-1"), cell("12", "row-1"),
		cell("Kommunale boliger", "row-2"), cell("4", "row-2"), cell("6", "row-2"),
	)
	got := privacy.FindDoc("sec", d, 0)
	if len(got) != 1 {
		t.Fatalf("got %+v, want one finding", got)
	}
	// "Oversikt\n" 9 + "Husstander i midlertidig bolig\n" 31.
	if f := got[0]; f.Quote != "3" || f.Word != "Husstander" || f.Count != 3 || f.Index != 40 || f.Length != 1 {
		t.Errorf("got %+v, want \"3\" at 40+1 counting Husstander", f)
	}
}

func TestFindDoc_TableHeaderRow(t *testing.T) {
	d := doc(
		cell("År", "row-a"), cell("Antall familier", "row-a"),
		cell("2024", "row-b"), cell("2", "row-b"),
		cell("2025", "row-c"), cell("9", "row-c"),
	)
	got := privacy.FindDoc("sec", d, 0)
	if len(got) != 1 || got[0].Quote != "2" || got[0].Word != "familier" {
		t.Fatalf("got %+v, want \"2\" counting familier", got)
	}
}

// TestFindDoc_CellsOfOtherRowsOrParagraphs checks that a count is tied to
// words of its own row only: paragraphs are not cells.
func TestFindDoc_CellsOfOtherRowsOrParagraphs(t *testing.T) {
	for name, d := range map[string]delta.Delta{
		"paragraphs":       doc(para("Husstander i midlertidig bolig"), para("3")),
		"paragraph before": doc(para("Barn"), cell("3", "row-1"), cell("Boliger", "row-1")),
		"label of things":  doc(cell("Boliger for familier", "row-1"), cell("3", "row-1")),
	} {
		if got := privacy.FindDoc("sec", d, 0); len(got) != 0 {
			t.Errorf("%s: got %+v, want nothing", name, got)
		}
	}
}

func TestFindDoc_InRowText(t *testing.T) {
	d := doc(cell("Tiltak for 3 familier", "row-1"), cell("Ansvar: NAV", "row-1"))
	got := privacy.FindDoc("sec", d, 0)
	if len(got) != 1 || got[0].Quote != "3 familier" || got[0].Index != len("Tiltak for ") {
		t.Fatalf("got %+v, want \"3 familier\" at 11", got)
	}
}

// TestFindDoc_EmbedsCountOne checks that an embed counts one character, as
// in Quill, and that findings agree with Find on the same text.
func TestFindDoc_EmbedsCountOne(t *testing.T) {
	d := delta.New(
		delta.Op{InsertEmbed: map[string]any{"image": "https://example.org/a.png"}},
		delta.Op{Insert: "😀 Det bor 3 familier her.\n"},
	)
	got := privacy.FindDoc("sec", d, 0)
	if len(got) != 1 || got[0].Index != 1+2+9 || got[0].Quote != "3 familier" {
		t.Fatalf("got %+v, want \"3 familier\" at 12", got)
	}
	plain := privacy.Find("sec", "X😀 Det bor 3 familier her.\n", 0)
	if len(plain) != 1 || plain[0].Index != got[0].Index || plain[0].ID != got[0].ID {
		t.Errorf("Find gives %+v, FindDoc %+v: want the same position and ID", plain, got)
	}
}

func TestFindDoc_IgnoresNonInserts(t *testing.T) {
	d := delta.Delta{Ops: []delta.Op{{Retain: 4}, {Insert: "To familier.\n"}, {Delete: 2}}}
	if got := privacy.FindDoc("sec", d, 0); len(got) != 1 || got[0].Index != 0 {
		t.Fatalf("got %+v, want one finding at 0", got)
	}
}
