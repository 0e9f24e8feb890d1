package lix

import "github.com/temaplan/temaplan/collab/delta"

// Text measures plain text, read as Quill text: each line a block. Positions
// are UTF-16 indexes into s.
func Text(s string) Result {
	cs, _ := appendText(nil, s, 0)
	return analyze(cs)
}

// Document measures a Quill document (a Delta of inserts). An embed counts
// as one character and separates words without being one; attributes are
// not read, since every line of a document, heading or list item or
// paragraph, ends a sentence anyway. Positions are indexes into doc.
func Document(doc delta.Delta) Result {
	return analyze(documentChars(doc))
}

// PlanResult is the measure of a whole plan: the LIX of all its text
// together, and each section's own measure in the order given.
type PlanResult struct {
	Summary
	Sections []Result `json:"sections"`
}

// Plan measures the sections of a plan. The plan's LIX is computed from the
// words, sentences and long words of all sections added together (a sentence
// never runs from one section into the next), so a short section weighs
// less than a long one, as it would in the printed plan; it is not an
// average of the sections' LIX values.
func Plan(sections ...delta.Delta) PlanResult {
	p := PlanResult{Sections: make([]Result, 0, len(sections))}
	var words, sentences, longWords int
	for _, doc := range sections {
		r := Document(doc)
		words += r.Words
		sentences += r.Sentences
		longWords += r.LongWords
		p.Sections = append(p.Sections, r)
	}
	p.Summary = Summarize(words, sentences, longWords)
	return p
}
