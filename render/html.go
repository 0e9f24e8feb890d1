package render

import (
	"html"
	"strconv"
	"strings"
)

// MeasureView is what an embedded measure shows in a document: its title
// and a few lines of facts, all plain text (HTML escapes them).
type MeasureView struct {
	Title string
	Facts []string
}

// Options says how HTML writes a section's blocks into a larger document.
type Options struct {
	// HeadingShift is added to the level of a heading in the text, so that
	// the text's headings sit below the section's own; the level is at
	// most 6.
	HeadingShift int
	// Measure returns what the measure with id shows; ok false for a
	// measure the plan does not have (deleted), which is shown as such.
	// Nil shows every measure as deleted.
	Measure func(id string) (v MeasureView, ok bool)
	// DeletedMeasure is the text shown for a measure the plan does not
	// have.
	DeletedMeasure string
}

// HTML writes blocks as HTML: paragraphs, headings, nested lists,
// blockquotes and tables, with bold, italic, underline, strike and links
// inside. Every piece of text and every attribute value is escaped; the
// only attribute values not escaped are numbers and class names the
// renderer chose itself.
func HTML(blocks []Block, opt Options) string {
	var sb strings.Builder
	WriteHTML(&sb, blocks, opt)
	return sb.String()
}

// WriteHTML is HTML writing into sb.
func WriteHTML(sb *strings.Builder, blocks []Block, opt Options) {
	w := htmlWriter{sb: sb, opt: opt}
	for i := 0; i < len(blocks); {
		j := i + 1
		switch blocks[i].Kind {
		case TableCell:
			for j < len(blocks) && blocks[j].Kind == TableCell {
				j++
			}
			w.table(blocks[i:j])
		case ListItem:
			for j < len(blocks) && blocks[j].Kind == ListItem {
				j++
			}
			w.list(blocks[i:j])
		case Quote:
			for j < len(blocks) && blocks[j].Kind == Quote {
				j++
			}
			sb.WriteString("<blockquote>")
			for _, b := range blocks[i:j] {
				w.lines("p", "", b.Runs)
			}
			sb.WriteString("</blockquote>\n")
		case Heading:
			level := min(blocks[i].Level+opt.HeadingShift, 6)
			w.lines("h"+strconv.Itoa(level), "", blocks[i].Runs)
		default:
			class := ""
			if n := blocks[i].Indent; n > 0 {
				class = "indent-" + strconv.Itoa(n)
			}
			w.lines("p", class, blocks[i].Runs)
		}
		i = j
	}
}

type htmlWriter struct {
	sb  *strings.Builder
	opt Options
}

// lines writes runs in the element tag, leaving the measures between
// them as blocks of their own; an empty line is an empty paragraph.
func (w *htmlWriter) lines(tag, class string, runs []Run) {
	open := func() {
		w.sb.WriteString("<" + tag)
		if class != "" {
			w.sb.WriteString(` class="` + class + `"`)
		}
		w.sb.WriteString(">")
	}
	if len(runs) == 0 {
		open()
		w.sb.WriteString("<br></" + tag + ">\n")
		return
	}
	for len(runs) > 0 {
		if runs[0].Measure != "" {
			w.measure(runs[0].Measure)
			runs = runs[1:]
			continue
		}
		n := 0
		for n < len(runs) && runs[n].Measure == "" {
			n++
		}
		open()
		w.inline(runs[:n])
		w.sb.WriteString("</" + tag + ">\n")
		runs = runs[n:]
	}
}

// inline writes runs inside a block element, measures as blocks.
func (w *htmlWriter) inline(runs []Run) {
	for _, r := range runs {
		if r.Measure != "" {
			w.measure(r.Measure)
			continue
		}
		var closers []string
		if r.Link != "" {
			if u, ok := SafeURL(r.Link); ok {
				w.sb.WriteString(`<a href="` + html.EscapeString(u) + `" rel="noopener noreferrer">`)
				closers = append(closers, "</a>")
			}
		}
		for _, f := range []struct {
			on       bool
			open, cl string
		}{{r.Bold, "<strong>", "</strong>"}, {r.Italic, "<em>", "</em>"}, {r.Underline, "<u>", "</u>"}, {r.Strike, "<s>", "</s>"}} {
			if f.on {
				w.sb.WriteString(f.open)
				closers = append(closers, f.cl)
			}
		}
		w.sb.WriteString(html.EscapeString(r.Text))
		for k := len(closers) - 1; k >= 0; k-- {
			w.sb.WriteString(closers[k])
		}
	}
}

// measure writes an embedded measure as a box of its facts.
func (w *htmlWriter) measure(id string) {
	var v MeasureView
	ok := false
	if w.opt.Measure != nil {
		v, ok = w.opt.Measure(id)
	}
	if !ok {
		w.sb.WriteString(`<div class="measure measure-deleted"><p>` + html.EscapeString(w.opt.DeletedMeasure) + "</p></div>\n")
		return
	}
	w.sb.WriteString(`<div class="measure"><p class="measure-title"><strong>` + html.EscapeString(v.Title) + "</strong></p>")
	if len(v.Facts) > 0 {
		w.sb.WriteString("<ul>")
		for _, f := range v.Facts {
			w.sb.WriteString("<li>" + html.EscapeString(f) + "</li>")
		}
		w.sb.WriteString("</ul>")
	}
	w.sb.WriteString("</div>\n")
}

// list writes consecutive list items as lists nested by their indent.
func (w *htmlWriter) list(items []Block) {
	type level struct {
		indent int
		tag    string
	}
	var stack []level
	tagOf := func(b Block) string {
		if b.List == "ordered" {
			return "ol"
		}
		return "ul"
	}
	for _, b := range items {
		tag := tagOf(b)
		// Close deeper lists, and a list of the other kind at this depth.
		for len(stack) > 0 && (stack[len(stack)-1].indent > b.Indent ||
			stack[len(stack)-1].indent == b.Indent && stack[len(stack)-1].tag != tag) {
			w.sb.WriteString("</li></" + stack[len(stack)-1].tag + ">")
			stack = stack[:len(stack)-1]
		}
		switch {
		case len(stack) > 0 && stack[len(stack)-1].indent == b.Indent:
			w.sb.WriteString("</li>")
		default:
			// A deeper list opens inside the open item (or at the top).
			w.sb.WriteString("<" + tag + ">")
			stack = append(stack, level{b.Indent, tag})
		}
		w.sb.WriteString("<li>")
		w.inline(b.Runs)
	}
	for k := len(stack) - 1; k >= 0; k-- {
		w.sb.WriteString("</li></" + stack[k].tag + ">")
	}
	w.sb.WriteString("\n")
}

// table writes consecutive table cells as one table: cells of the same
// row id next to each other form a row.
func (w *htmlWriter) table(cells []Block) {
	w.sb.WriteString(`<table class="text-table"><tbody>`)
	for _, row := range Rows(cells) {
		w.sb.WriteString("<tr>")
		for _, c := range row {
			w.sb.WriteString("<td>")
			w.inline(c.Runs)
			w.sb.WriteString("</td>")
		}
		w.sb.WriteString("</tr>")
	}
	w.sb.WriteString("</tbody></table>\n")
}

// Rows groups consecutive table cells by their row id, for writers of
// other formats.
func Rows(cells []Block) [][]Block {
	var rows [][]Block
	for i := 0; i < len(cells); {
		j := i + 1
		for j < len(cells) && cells[j].Row == cells[i].Row {
			j++
		}
		rows = append(rows, cells[i:j])
		i = j
	}
	return rows
}
