// Package render turns a section's text, a Quill Delta, into the blocks
// and runs of a document and writes them as escaped HTML. It is the one
// way rich text leaves the server as markup (SPEC.md §8): it keeps only
// the formats of collab/delta/formats.json with values it checks itself,
// escapes every character of text and attributes, and writes links only
// for http, https and mailto URLs. The export's DOCX writer reads the same
// blocks, so both formats show the same text.
package render

import (
	"strings"
	"unicode/utf8"

	"github.com/temaplan/temaplan/collab/delta"
)

// Kind is what a block is.
type Kind int

// The block kinds.
const (
	Paragraph Kind = iota
	Heading        // Level 1–4
	ListItem       // List "ordered" or "bullet", nested by Indent
	Quote          // a line of a blockquote
	TableCell      // a cell of the table row Row
)

// Run is a piece of a line with one set of inline formats. Measure is set
// (and Text empty) for an embedded measure: the plan's measure with that
// id, shown as a block of its own.
type Run struct {
	Text      string
	Bold      bool
	Italic    bool
	Underline bool
	Strike    bool
	// Link is a checked http, https or mailto URL, or "".
	Link    string
	Measure string
}

// Block is one line of the text with its block format.
type Block struct {
	Kind Kind
	// Level is the heading level, 1–4.
	Level int
	// List is "ordered" or "bullet" for a list item.
	List string
	// Indent is 0–8.
	Indent int
	// Row is the table row id of a table cell.
	Row  string
	Runs []Run
}

// Text returns the block's text without formats; a measure counts as
// nothing.
func (b Block) Text() string {
	var sb strings.Builder
	for _, r := range b.Runs {
		sb.WriteString(r.Text)
	}
	return sb.String()
}

// formats lists the formats and embeds the renderer understands. A test
// holds it equal to delta.DefaultWhitelist, so a format added to
// formats.json is not shown as plain text by accident.
var formats = []string{"bold", "italic", "underline", "strike", "link", "header", "list", "blockquote", "indent", "table", "measure"}

// Formats returns the names of the formats and embeds the renderer shows.
func Formats() []string { return append([]string(nil), formats...) }

// Blocks splits a document into its lines and reads their formats. A
// format that is not on the whitelist, or whose value is not one the
// whitelist allows, is left out: its text is shown plain. Text is cleaned
// of characters that have no place in a document (control characters other
// than the tab, invalid UTF-8), so that every writer can take it as it is.
func Blocks(d delta.Delta) []Block {
	var out []Block
	d.EachLine(func(line delta.Delta, attrs delta.Attributes, _ int) bool {
		b := blockOf(attrs)
		for _, op := range line.Ops {
			if op.InsertEmbed != nil {
				if id, ok := measureID(op.InsertEmbed); ok {
					b.Runs = append(b.Runs, Run{Measure: id})
				}
				continue
			}
			r := runOf(op.Attributes)
			r.Text = CleanText(op.Insert)
			if r.Text == "" {
				continue
			}
			if n := len(b.Runs); n > 0 && sameFormat(b.Runs[n-1], r) {
				b.Runs[n-1].Text += r.Text
				continue
			}
			b.Runs = append(b.Runs, r)
		}
		out = append(out, b)
		return true
	}, "\n")
	return out
}

// blockOf reads a line's block formats.
func blockOf(attrs delta.Attributes) Block {
	b := Block{Kind: Paragraph}
	if n, ok := intIn(attrs["indent"], 1, 8); ok {
		b.Indent = n
	}
	switch {
	case isRowID(attrs["table"]):
		b.Kind, b.Row = TableCell, attrs["table"].(string)
		b.Indent = 0
	case attrs["header"] != nil:
		if n, ok := intIn(attrs["header"], 1, 4); ok {
			b.Kind, b.Level = Heading, n
			b.Indent = 0
		}
	case attrs["list"] == "ordered" || attrs["list"] == "bullet":
		b.Kind, b.List = ListItem, attrs["list"].(string)
	case attrs["blockquote"] == true:
		b.Kind = Quote
	}
	return b
}

// runOf reads an insert's inline formats.
func runOf(attrs delta.Attributes) Run {
	r := Run{Bold: attrs["bold"] == true, Italic: attrs["italic"] == true,
		Underline: attrs["underline"] == true, Strike: attrs["strike"] == true}
	if s, ok := attrs["link"].(string); ok {
		if u, ok := SafeURL(s); ok {
			r.Link = u
		}
	}
	return r
}

func sameFormat(a, b Run) bool {
	return a.Measure == "" && b.Measure == "" && a.Bold == b.Bold && a.Italic == b.Italic &&
		a.Underline == b.Underline && a.Strike == b.Strike && a.Link == b.Link
}

// intIn reads an integer format value from lo to hi.
func intIn(v any, lo, hi int) (int, bool) {
	f, ok := v.(float64)
	if !ok {
		if i, isInt := v.(int); isInt {
			f, ok = float64(i), true
		}
	}
	if !ok || f != float64(int(f)) || f < float64(lo) || f > float64(hi) {
		return 0, false
	}
	return int(f), true
}

// isRowID reports whether v is a table row id as Quill 2 makes them:
// "row-" and 1–16 base-36 digits.
func isRowID(v any) bool {
	s, ok := v.(string)
	if !ok || !strings.HasPrefix(s, "row-") || len(s) < 5 || len(s) > 20 {
		return false
	}
	for _, c := range s[4:] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// measureID reads the embed {"measure": id}; ids are letters, digits, _
// and -, at most 100.
func measureID(embed map[string]any) (string, bool) {
	s, ok := embed["measure"].(string)
	if !ok || len(embed) != 1 || s == "" || len(s) > 100 {
		return "", false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '-') {
			return "", false
		}
	}
	return s, true
}

// SafeURL returns s when it is a link the documents may carry: an absolute
// http, https or mailto URL of at most 2048 bytes with no whitespace or
// control character anywhere (browsers drop those, which would let
// "java\tscript:" through a check of the scheme alone). Anything else —
// javascript:, data:, vbscript:, relative or scheme-less URLs — is
// refused.
func SafeURL(s string) (string, bool) {
	if s == "" || len(s) > 2048 || !utf8.ValidString(s) {
		return "", false
	}
	for _, c := range s {
		if c <= ' ' || c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == 0x2028 || c == 0x2029 || c == 0xfeff {
			return "", false
		}
	}
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok {
		return "", false
	}
	switch strings.ToLower(scheme) {
	case "http", "https":
		if !strings.HasPrefix(rest, "//") || len(rest) <= 2 {
			return "", false
		}
	case "mailto":
		if rest == "" {
			return "", false
		}
	default:
		return "", false
	}
	return s, true
}

// CleanText returns s as valid UTF-8 without control characters other
// than the tab: nothing that a document format cannot hold (XML 1.0 has
// no place for most C0 controls) or that would change how text reads.
func CleanText(s string) string {
	clean := true
	for _, c := range s {
		if !keep(c) {
			clean = false
			break
		}
	}
	if clean && utf8.ValidString(s) {
		return s
	}
	var sb strings.Builder
	for _, c := range s {
		if c == utf8.RuneError || !keep(c) {
			continue
		}
		sb.WriteRune(c)
	}
	return sb.String()
}

func keep(c rune) bool {
	switch {
	case c == '\t':
		return true
	case c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f):
		return false
	case c == 0xfffe || c == 0xffff || (c >= 0xd800 && c <= 0xdfff):
		return false
	}
	return true
}
