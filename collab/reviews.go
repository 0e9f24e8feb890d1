package collab

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/temaplan/temaplan/collab/delta"
)

// NewComment is the input for a comment: a thread's root on a range of a
// section as the author saw it (Section, V, Index, Length), or a reply to
// Thread.
type NewComment struct {
	Thread   string   `json:"thread"`
	Section  string   `json:"section"`
	V        int64    `json:"v"`
	Index    int      `json:"index"`
	Length   int      `json:"length"`
	Body     string   `json:"body"`
	Mentions []string `json:"mentions"`
}

// AddComment adds a comment. A root's range is moved to the section's
// head before it is stored, with the text it covers there as its quote.
func (ps *Plans) AddComment(ctx context.Context, by Actor, planID string, in NewComment) (*Plan, *Comment, error) {
	body, err := cleanBody("body", in.Body, maxBodyLen, false)
	if err != nil {
		return nil, nil, err
	}
	c := &Comment{ID: ps.newID(), Author: by.ID, Body: body, Mentions: dedupe(in.Mentions),
		Created: ps.now().UTC().Truncate(time.Millisecond)}
	if in.Thread != "" {
		c.Thread = in.Thread
	} else {
		c.Thread, c.Section = c.ID, in.Section
		t, err := ps.track(ctx, in.Section, Anchor{V: in.V, Index: in.Index, Length: in.Length})
		if err != nil {
			return nil, nil, err
		}
		if t.Anchor.Length == 0 {
			return nil, nil, Errorf(CodeInvalid, "select the text to comment on")
		}
		c.Anchor, c.Quote = &t.Anchor, t.Quote
	}
	p, err := ps.commit(ctx, by, planID, 0, &commentAdded{Comment: c})
	if err != nil {
		return nil, nil, err
	}
	cm, _ := p.Comment(c.ID)
	return p, cm, nil
}

// track moves one anchor of a section to its head.
func (ps *Plans) track(ctx context.Context, section string, a Anchor) (Tracked, error) {
	if ps.engine == nil {
		return Tracked{}, Errorf(CodeUnavailable, "this server edits no section text")
	}
	ts, err := ps.engine.Track(ctx, section, []Anchor{a})
	if err != nil {
		return Tracked{}, err
	}
	return ts[0], nil
}

func dedupe(ids []string) []string {
	out := []string{}
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// EditComment replaces a comment's body and mentions.
func (ps *Plans) EditComment(ctx context.Context, by Actor, planID, id, body string, mentions []string) (*Plan, error) {
	body, err := cleanBody("body", body, maxBodyLen, false)
	if err != nil {
		return nil, err
	}
	return ps.commit(ctx, by, planID, 0, &commentEdited{ID: id, Body: body, Mentions: dedupe(mentions),
		At: ps.now().UTC().Truncate(time.Millisecond)})
}

// DeleteComment deletes a comment softly.
func (ps *Plans) DeleteComment(ctx context.Context, by Actor, planID, id string) (*Plan, error) {
	return ps.commit(ctx, by, planID, 0, &commentDeleted{ID: id})
}

// ResolveThread resolves (or reopens) a thread.
func (ps *Plans) ResolveThread(ctx context.Context, by Actor, planID, id string, resolved bool) (*Plan, error) {
	return ps.commit(ctx, by, planID, 0, &threadResolved{ID: id, Resolved: resolved, By: by.ID})
}

// RequireChange marks a thread as a required change (or unmarks it).
func (ps *Plans) RequireChange(ctx context.Context, by Actor, planID, id string, required bool) (*Plan, error) {
	return ps.commit(ctx, by, planID, 0, &threadRequired{ID: id, Required: required})
}

// MarkChangeDone marks a required change as made (or not).
func (ps *Plans) MarkChangeDone(ctx context.Context, by Actor, planID, id string, done bool) (*Plan, error) {
	return ps.commit(ctx, by, planID, 0, &threadDone{ID: id, Done: done})
}

// NewSuggestion is the input for a suggestion: replacement Text for the
// range (Section, V, Index, Length) as the author saw it.
type NewSuggestion struct {
	Section string `json:"section"`
	V       int64  `json:"v"`
	Index   int    `json:"index"`
	Length  int    `json:"length"`
	Text    string `json:"text"`
	Body    string `json:"body"`
}

// AddSuggestion adds a suggestion, its range moved to the section's head.
func (ps *Plans) AddSuggestion(ctx context.Context, by Actor, planID string, in NewSuggestion) (*Plan, *Suggestion, error) {
	text, err := cleanBody("text", in.Text, maxSuggestionLen, true)
	if err != nil {
		return nil, nil, err
	}
	body, err := cleanBody("body", in.Body, maxBodyLen, true)
	if err != nil {
		return nil, nil, err
	}
	t, err := ps.track(ctx, in.Section, Anchor{V: in.V, Index: in.Index, Length: in.Length})
	if err != nil {
		return nil, nil, err
	}
	if t.Anchor.Length == 0 && text == "" {
		return nil, nil, Errorf(CodeInvalid, "a suggestion replaces text, inserts text, or both")
	}
	if t.Quote == text {
		return nil, nil, Errorf(CodeInvalid, "the suggested text is the text as it is")
	}
	s := &Suggestion{ID: ps.newID(), Section: in.Section, Anchor: t.Anchor, Quote: t.Quote, Text: text, Body: body,
		Author: by.ID, Created: ps.now().UTC().Truncate(time.Millisecond), Status: SuggestionOpen}
	p, err := ps.commit(ctx, by, planID, 0, &suggestionAdded{Suggestion: s})
	if err != nil {
		return nil, nil, err
	}
	sg, _ := p.Suggestion(s.ID)
	return p, sg, nil
}

// SuggestionSrc is the op source of an accepted suggestion: one op per
// suggestion, so a second accept (another tab, a retry) is a resend of
// the first, never a second edit.
func SuggestionSrc(id string) string { return "suggestion:" + id }

// DecideSuggestion accepts or rejects a suggestion. Accepting commits the
// suggested text as the deciding user's op, made on the suggestion's own
// range and version and guarded by it: if a later op touched the text it
// replaces, it is refused as outdated (conflict) and nothing changes.
func (ps *Plans) DecideSuggestion(ctx context.Context, by Actor, planID, id string, accept bool, reply string) (*Plan, error) {
	reply, err := cleanBody("reply", reply, maxBodyLen, true)
	if err != nil {
		return nil, err
	}
	d := &suggestionDecided{ID: id, Accepted: accept, By: by.ID, Reply: reply, At: ps.now().UTC().Truncate(time.Millisecond)}
	if accept {
		p, err := ps.Get(ctx, planID)
		if err != nil {
			return nil, err
		}
		if err := by.check(p); err != nil {
			return nil, err
		}
		s, ok := p.Suggestion(id)
		if !ok {
			return nil, Errorf(CodeNotFound, "suggestion %q not found", id)
		}
		if s.Status == SuggestionRejected {
			return nil, Errorf(CodeConflict, "the suggestion is rejected already")
		}
		if ps.engine == nil {
			return nil, Errorf(CodeUnavailable, "this server edits no section text")
		}
		v, done, err := ps.engine.Committed(ctx, s.Section, SuggestionSrc(id), 1)
		if err != nil {
			return nil, err
		}
		if !done {
			// Made on the range as it is now, and guarded by it from now
			// until it commits.
			t, err := ps.track(ctx, s.Section, s.Anchor)
			if err != nil {
				return nil, err
			}
			if t.Touched {
				err = Errorf(CodeConflict, "the text this suggestion replaces has been edited since; it is outdated")
			} else {
				var op delta.Delta
				op.Retain(t.Anchor.Index, nil).Delete(t.Anchor.Length).Insert(s.Text, nil)
				a := t.Anchor
				v, err = ps.engine.Submit(ctx, Submission{Doc: s.Section, V: a.V, Src: SuggestionSrc(id), Seq: 1,
					By: by.ID, Op: *op.Chop(), Guard: &a})
			}
			if ErrorCode(err) == CodeConflict {
				// Outdated — unless it was this very suggestion, accepted
				// a moment ago from another tab or node.
				if cv, ok, cerr := ps.engine.Committed(ctx, s.Section, SuggestionSrc(id), 1); cerr == nil && ok {
					v, err = cv, nil
				}
			}
			if err != nil {
				return nil, err
			}
		}
		d.V = v
	}
	return ps.commit(ctx, by, planID, 0, d)
}

// Positions is where the anchored comments and the open suggestions of a
// plan are at the heads of their sections (by comment or suggestion id).
type Positions map[string]Tracked

// anchorCache keeps the last tracked position of every anchor, so that a
// read moves an anchor only through the ops committed since the previous
// read: keeping anchors current costs nothing per op, and a read costs the
// ops since the last read of the section times its anchors.
type anchorCache struct {
	mu sync.Mutex
	m  map[string]Tracked
}

// maxCachedAnchors bounds the cache; beyond it, it starts over.
const maxCachedAnchors = 100_000

// Positions tracks the anchors of p's comments (roots) and open
// suggestions to the heads of their sections.
func (ps *Plans) Positions(ctx context.Context, p *Plan) (Positions, error) {
	type item struct {
		id     string
		stored Anchor
	}
	bySection := map[string][]item{}
	for _, c := range p.Comments {
		if c.Anchor != nil && c.ID == c.Thread {
			bySection[c.Section] = append(bySection[c.Section], item{c.ID, *c.Anchor})
		}
	}
	for _, s := range p.Suggestions {
		if s.Status == SuggestionOpen {
			bySection[s.Section] = append(bySection[s.Section], item{s.ID, s.Anchor})
		}
	}
	out := Positions{}
	if ps.engine == nil {
		return out, nil
	}
	for section, items := range bySection {
		from := make([]Anchor, len(items))
		was := make([]bool, len(items))
		ps.anchors.mu.Lock()
		for i, it := range items {
			from[i] = it.stored
			if t, ok := ps.anchors.m[it.id]; ok && t.Anchor.V >= it.stored.V {
				from[i], was[i] = t.Anchor, t.Touched
			}
		}
		ps.anchors.mu.Unlock()
		ts, err := ps.engine.Track(ctx, section, from)
		if err != nil {
			return nil, fmt.Errorf("track the anchors of section %s: %w", section, err)
		}
		ps.anchors.mu.Lock()
		if len(ps.anchors.m) >= maxCachedAnchors {
			ps.anchors.m = map[string]Tracked{}
		}
		for i, it := range items {
			ts[i].Touched = ts[i].Touched || was[i]
			ps.anchors.m[it.id] = ts[i]
			out[it.id] = ts[i]
		}
		ps.anchors.mu.Unlock()
	}
	return out, nil
}
