package collab

import (
	"slices"
	"time"
	"unicode/utf8"
)

// This file holds the review of a plan's text: comment threads and
// suggestions. Both are entries of the plan's log, like every other plan
// change, so they reach every node and tab as events, a reconnecting
// client catches up by seq, and a decision that depends on them — the
// steering group's approval while a required change is open — is decided
// by the same unique (plan, seq) insert as the change itself.

// Comment is a comment of a thread: its root (Thread == ID), which is
// anchored to a range of a section, or a reply.
type Comment struct {
	ID     string `json:"id"`
	Thread string `json:"thread"`
	// Section, Anchor and Quote are the root's: the range as it was stored
	// (moved to the head when the comment was made) and its text then.
	Section  string     `json:"section,omitempty"`
	Anchor   *Anchor    `json:"anchor,omitempty"`
	Quote    string     `json:"quote,omitempty"`
	Author   string     `json:"author"`
	Body     string     `json:"body"`
	Mentions []string   `json:"mentions"`
	Created  time.Time  `json:"created"`
	Edited   *time.Time `json:"edited,omitempty"`
	Deleted  bool       `json:"deleted"`

	// The thread's state, kept on the root.
	Resolved   bool   `json:"resolved"`
	ResolvedBy string `json:"resolved_by,omitempty"`
	// Required marks the thread as a required change (endringskrav) of the
	// steering group; Done is the leader's "made", after which only the
	// steering group resolves it.
	Required bool `json:"required"`
	Done     bool `json:"done"`
}

// OpenRequirement reports whether c is the root of a required change
// still open.
func (c *Comment) OpenRequirement() bool {
	return c.ID == c.Thread && c.Required && !c.Resolved && !c.Deleted
}

// SuggestionStatus is where a suggestion stands.
type SuggestionStatus string

// The suggestion statuses.
const (
	SuggestionOpen     SuggestionStatus = "open"
	SuggestionAccepted SuggestionStatus = "accepted"
	SuggestionRejected SuggestionStatus = "rejected"
)

// Suggestion is proposed replacement text for a range of a section.
type Suggestion struct {
	ID      string           `json:"id"`
	Section string           `json:"section"`
	Anchor  Anchor           `json:"anchor"`
	Quote   string           `json:"quote"`
	Text    string           `json:"text"`
	Body    string           `json:"body,omitempty"`
	Author  string           `json:"author"`
	Created time.Time        `json:"created"`
	Status  SuggestionStatus `json:"status"`
	// DecidedBy and Reply are the leader's; V is the version the accepted
	// text was committed at (the op with src "suggestion:<id>").
	DecidedBy string     `json:"decided_by,omitempty"`
	Decided   *time.Time `json:"decided,omitempty"`
	Reply     string     `json:"reply,omitempty"`
	V         int64      `json:"v,omitempty"`
}

// Limits of review input.
const (
	maxBodyLen        = 10_000
	maxSuggestionLen  = 20_000
	maxMentions       = 50
	maxCommentsInPlan = 20_000
)

// cleanBody checks a comment body: plain text (stored and shown as text,
// never as HTML), not empty, of at most max characters, without control
// characters other than line breaks and tabs.
func cleanBody(field, s string, max int, allowEmpty bool) (string, error) {
	switch {
	case !utf8.ValidString(s):
		return "", Errorf(CodeInvalid, "%s is not valid UTF-8", field)
	case utf8.RuneCountInString(s) > max:
		return "", Errorf(CodeTooLarge, "%s is longer than %d characters", field, max)
	case !allowEmpty && len(trimSpace(s)) == 0:
		return "", Errorf(CodeInvalid, "%s must not be empty", field)
	}
	for _, r := range s {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f {
			return "", Errorf(CodeInvalid, "%s contains control characters", field)
		}
	}
	return s, nil
}

func trimSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\n' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\n' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// Comment returns the comment with id, if any.
func (p *Plan) Comment(id string) (*Comment, bool) {
	for _, c := range p.Comments {
		if c.ID == id {
			return c, true
		}
	}
	return nil, false
}

// Suggestion returns the suggestion with id, if any.
func (p *Plan) Suggestion(id string) (*Suggestion, bool) {
	for _, s := range p.Suggestions {
		if s.ID == id {
			return s, true
		}
	}
	return nil, false
}

// OpenRequirements returns the roots of the required changes still open.
func (p *Plan) OpenRequirements() []*Comment {
	var out []*Comment
	for _, c := range p.Comments {
		if c.OpenRequirement() {
			out = append(out, c)
		}
	}
	return out
}

// Entry kinds of the review.
const (
	kindCommentAdded      = "comment.added"
	kindCommentEdited     = "comment.edited"
	kindCommentDeleted    = "comment.deleted"
	kindThreadResolved    = "thread.resolved"
	kindThreadRequired    = "thread.required"
	kindThreadDone        = "thread.done"
	kindSuggestionAdded   = "suggestion.added"
	kindSuggestionDecided = "suggestion.decided"
)

// commentAdded adds a thread's root or a reply.
type commentAdded struct {
	Comment *Comment `json:"comment"`
}

func (c *commentAdded) kind() string      { return kindCommentAdded }
func (c *commentAdded) touches() []string { return []string{"comment:" + c.Comment.ID} }
func (c *commentAdded) apply(p *Plan) error {
	if _, ok := p.Comment(c.Comment.ID); ok {
		return Errorf(CodeConflict, "comment %s exists already", c.Comment.ID)
	}
	if len(p.Comments) >= maxCommentsInPlan {
		return Errorf(CodeTooLarge, "a plan has at most %d comments", maxCommentsInPlan)
	}
	if c.Comment.Thread != c.Comment.ID {
		root, ok := p.Comment(c.Comment.Thread)
		if !ok || root.Thread != root.ID || root.Deleted {
			return Errorf(CodeNotFound, "thread %q not found", c.Comment.Thread)
		}
	} else if _, _, ok := p.Find(c.Comment.Section); !ok {
		return Errorf(CodeNotFound, "section %q not found", c.Comment.Section)
	}
	if err := checkMentions(p, c.Comment.Mentions); err != nil {
		return err
	}
	cc := *c.Comment
	cc.Mentions = slices.Clone(cc.Mentions)
	p.Comments = append(p.Comments, &cc)
	return nil
}

// commentEdited replaces a comment's body and mentions.
type commentEdited struct {
	ID       string    `json:"id"`
	Body     string    `json:"body"`
	Mentions []string  `json:"mentions"`
	At       time.Time `json:"at"`
}

func (c *commentEdited) kind() string      { return kindCommentEdited }
func (c *commentEdited) touches() []string { return []string{"comment:" + c.ID} }
func (c *commentEdited) apply(p *Plan) error {
	cm, err := liveComment(p, c.ID)
	if err != nil {
		return err
	}
	if err := checkMentions(p, c.Mentions); err != nil {
		return err
	}
	at := c.At
	cm.Body, cm.Mentions, cm.Edited = c.Body, slices.Clone(c.Mentions), &at
	return nil
}

// checkMentions refuses mentions of people who are not members of the plan.
func checkMentions(p *Plan, mentions []string) error {
	if len(mentions) > maxMentions {
		return Errorf(CodeInvalid, "at most %d mentions", maxMentions)
	}
	for _, u := range mentions {
		if p.RolesOf(u) == nil {
			return Errorf(CodeInvalid, "%q is not a member of the plan", u)
		}
	}
	return nil
}

// commentDeleted deletes a comment softly: it stays in the thread, marked
// deleted, without its text.
type commentDeleted struct {
	ID string `json:"id"`
}

func (c *commentDeleted) kind() string      { return kindCommentDeleted }
func (c *commentDeleted) touches() []string { return []string{"comment:" + c.ID} }
func (c *commentDeleted) apply(p *Plan) error {
	cm, err := liveComment(p, c.ID)
	if err != nil {
		return err
	}
	cm.Deleted, cm.Body, cm.Mentions = true, "", []string{}
	return nil
}

func liveComment(p *Plan, id string) (*Comment, error) {
	cm, ok := p.Comment(id)
	if !ok || cm.Deleted {
		return nil, Errorf(CodeNotFound, "comment %q not found", id)
	}
	return cm, nil
}

func liveThread(p *Plan, id string) (*Comment, error) {
	cm, err := liveComment(p, id)
	if err != nil {
		return nil, err
	}
	if cm.Thread != cm.ID {
		return nil, Errorf(CodeInvalid, "%q is a reply, not a thread", id)
	}
	return cm, nil
}

// threadResolved resolves or reopens a thread.
type threadResolved struct {
	ID       string `json:"id"`
	Resolved bool   `json:"resolved"`
	By       string `json:"by"`
}

func (c *threadResolved) kind() string      { return kindThreadResolved }
func (c *threadResolved) touches() []string { return []string{"comment:" + c.ID} }
func (c *threadResolved) apply(p *Plan) error {
	t, err := liveThread(p, c.ID)
	if err != nil {
		return err
	}
	if t.Resolved == c.Resolved {
		return errUnchanged
	}
	if c.Resolved && t.Required && !t.Done {
		return Errorf(CodeConflict, "the leader has not marked this required change as made yet")
	}
	t.Resolved, t.ResolvedBy = c.Resolved, c.By
	if !c.Resolved {
		t.ResolvedBy = ""
	}
	return nil
}

// threadRequired marks a thread as a required change, or unmarks it.
type threadRequired struct {
	ID       string `json:"id"`
	Required bool   `json:"required"`
}

func (c *threadRequired) kind() string      { return kindThreadRequired }
func (c *threadRequired) touches() []string { return []string{"comment:" + c.ID} }
func (c *threadRequired) apply(p *Plan) error {
	t, err := liveThread(p, c.ID)
	if err != nil {
		return err
	}
	if t.Required == c.Required {
		return errUnchanged
	}
	t.Required, t.Done = c.Required, false
	if c.Required {
		t.Resolved, t.ResolvedBy = false, ""
	}
	return nil
}

// threadDone is the leader marking a required change as made (or not).
type threadDone struct {
	ID   string `json:"id"`
	Done bool   `json:"done"`
}

func (c *threadDone) kind() string      { return kindThreadDone }
func (c *threadDone) touches() []string { return []string{"comment:" + c.ID} }
func (c *threadDone) apply(p *Plan) error {
	t, err := liveThread(p, c.ID)
	if err != nil {
		return err
	}
	if !t.Required {
		return Errorf(CodeInvalid, "the thread is not a required change")
	}
	if t.Resolved {
		return Errorf(CodeConflict, "the required change is resolved already")
	}
	if t.Done == c.Done {
		return errUnchanged
	}
	t.Done = c.Done
	return nil
}

// suggestionAdded adds a suggestion.
type suggestionAdded struct {
	Suggestion *Suggestion `json:"suggestion"`
}

func (c *suggestionAdded) kind() string      { return kindSuggestionAdded }
func (c *suggestionAdded) touches() []string { return []string{"suggestion:" + c.Suggestion.ID} }
func (c *suggestionAdded) apply(p *Plan) error {
	if _, ok := p.Suggestion(c.Suggestion.ID); ok {
		return Errorf(CodeConflict, "suggestion %s exists already", c.Suggestion.ID)
	}
	if _, _, ok := p.Find(c.Suggestion.Section); !ok {
		return Errorf(CodeNotFound, "section %q not found", c.Suggestion.Section)
	}
	if len(p.Suggestions) >= maxCommentsInPlan {
		return Errorf(CodeTooLarge, "a plan has at most %d suggestions", maxCommentsInPlan)
	}
	s := *c.Suggestion
	p.Suggestions = append(p.Suggestions, &s)
	return nil
}

// suggestionDecided accepts (at version V) or rejects a suggestion.
type suggestionDecided struct {
	ID       string    `json:"id"`
	Accepted bool      `json:"accepted"`
	By       string    `json:"by"`
	At       time.Time `json:"at"`
	Reply    string    `json:"reply,omitempty"`
	V        int64     `json:"v,omitempty"`
}

func (c *suggestionDecided) kind() string      { return kindSuggestionDecided }
func (c *suggestionDecided) touches() []string { return []string{"suggestion:" + c.ID} }
func (c *suggestionDecided) apply(p *Plan) error {
	s, ok := p.Suggestion(c.ID)
	if !ok {
		return Errorf(CodeNotFound, "suggestion %q not found", c.ID)
	}
	want := SuggestionRejected
	if c.Accepted {
		want = SuggestionAccepted
	}
	if s.Status == want {
		return errUnchanged
	}
	if s.Status != SuggestionOpen {
		return Errorf(CodeConflict, "the suggestion is %s already", s.Status)
	}
	at := c.At
	s.Status, s.DecidedBy, s.Decided, s.Reply, s.V = want, c.By, &at, c.Reply, c.V
	return nil
}
