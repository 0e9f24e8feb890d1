package server

import (
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
	"github.com/temaplan/temaplan/collab/delta"
)

// The review of a plan's text over REST: comment threads, required
// changes, suggestions, and a section's attributed history. The changes
// themselves are the plan log's (collab/review.go); every one is checked
// again on the state it commits on.

// threadView is a thread as the API shows it: its root with the replies,
// where its range is now, and the names of the people in it.
type threadView struct {
	*collab.Comment
	Replies  []*collab.Comment `json:"replies"`
	Position *collab.Anchor    `json:"position,omitempty"`
	Orphaned bool              `json:"orphaned"`
	Names    map[string]string `json:"names"`
}

// suggestionView is a suggestion with where its range is now.
type suggestionView struct {
	*collab.Suggestion
	Position *collab.Anchor    `json:"position,omitempty"`
	Outdated bool              `json:"outdated"`
	Names    map[string]string `json:"names"`
}

// threadFilter selects the threads of a list: of a section, open or
// resolved, those the caller wrote in (mine) or is mentioned in.
type threadFilter struct {
	section, status string
	mine, mentions  bool
	// thread, when set, selects that thread alone.
	thread string
}

// threadFilterOf reads the filter of GET comments from the query.
func threadFilterOf(c echo.Context) (threadFilter, error) {
	q := c.QueryParams()
	f := threadFilter{section: q.Get("section"), status: q.Get("status"),
		mine: q.Get("mine") == "true", mentions: q.Get("mentions") == "me"}
	if f.status != "" && f.status != "open" && f.status != "resolved" {
		return f, collab.Errorf(collab.CodeInvalid, "status must be open or resolved")
	}
	return f, nil
}

// threads returns the plan's threads that pass f.
func (s *Server) threads(c echo.Context, p *collab.Plan, f threadFilter) ([]threadView, error) {
	pos, err := s.cfg.Plans.Positions(c.Request().Context(), p)
	if err != nil {
		return nil, err
	}
	me := principal(c).Account.ID
	var roots []*threadView
	byThread := map[string]*threadView{}
	for _, cm := range p.Comments {
		if cm.ID == cm.Thread && (f.thread == "" || cm.ID == f.thread) {
			t := &threadView{Comment: cm, Replies: []*collab.Comment{}, Names: map[string]string{}}
			if tr, ok := pos[cm.ID]; ok {
				a := tr.Anchor
				t.Position, t.Orphaned = &a, a.Length == 0
			}
			roots = append(roots, t)
			byThread[cm.ID] = t
		}
	}
	for _, cm := range p.Comments {
		if t := byThread[cm.Thread]; t != nil && cm.ID != cm.Thread {
			t.Replies = append(t.Replies, cm)
		}
	}
	var kept []*threadView
	people := map[string]bool{}
	for _, t := range roots {
		all := append([]*collab.Comment{t.Comment}, t.Replies...)
		switch {
		case f.section != "" && t.Section != f.section,
			f.status == "open" && t.Resolved, f.status == "resolved" && !t.Resolved,
			f.mine && !slices.ContainsFunc(all, func(c *collab.Comment) bool { return c.Author == me }),
			f.mentions && !slices.ContainsFunc(all, func(c *collab.Comment) bool { return slices.Contains(c.Mentions, me) }):
			continue
		}
		for _, cm := range all {
			t.Names[cm.Author] = ""
			for _, u := range cm.Mentions {
				t.Names[u] = ""
			}
		}
		if t.ResolvedBy != "" {
			t.Names[t.ResolvedBy] = ""
		}
		for id := range t.Names {
			people[id] = true
		}
		kept = append(kept, t)
	}
	names, err := s.namesOf(c, p.Municipality, people)
	if err != nil {
		return nil, err
	}
	out := make([]threadView, 0, len(kept))
	for _, t := range kept {
		for id := range t.Names {
			t.Names[id] = names[id]
		}
		out = append(out, *t)
	}
	return out, nil
}

func (s *Server) listComments(c echo.Context) error {
	f, err := threadFilterOf(c)
	if err != nil {
		return err
	}
	ts, err := s.threads(c, planOf(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": ts})
}

// rangeRequest is the part of a request that names a range of a section
// as the user saw it: on version V.
type rangeRequest struct {
	Section string `json:"section"`
	V       *int64 `json:"v"`
	Index   int    `json:"index"`
	Length  int    `json:"length"`
}

// check refuses a range without its section or version, and a section of
// another plan before its text is read.
func (r rangeRequest) check(p *collab.Plan, what string) error {
	if r.V == nil || r.Section == "" {
		return collab.Errorf(collab.CodeInvalid, "a %s needs the section, the version (v) and the range it is about", what)
	}
	return sectionOf(p, r.Section)
}

// commentRequest is the body of POST /api/plans/:id/comments.
type commentRequest struct {
	rangeRequest
	Body     string   `json:"body"`
	Mentions []string `json:"mentions"`
}

func (s *Server) addComment(c echo.Context) error {
	var req commentRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if err := req.check(planOf(c), "comment"); err != nil {
		return err
	}
	p, cm, err := s.cfg.Plans.AddComment(c.Request().Context(), s.actor(c, auth.ActionComment), planOf(c).ID, collab.NewComment{
		Section: req.Section, V: *req.V, Index: req.Index, Length: req.Length, Body: req.Body, Mentions: req.Mentions})
	if err != nil {
		return err
	}
	s.notifyMentions(c, p, cm)
	return s.answerThread(c, http.StatusCreated, p, cm.Thread)
}

// sectionOf checks that sid is a section of p before its text is read:
// a range is tracked (and quoted) in the section's document, which must
// not be another plan's.
func sectionOf(p *collab.Plan, sid string) error {
	if _, _, ok := p.Find(sid); !ok {
		return collab.Errorf(collab.CodeNotFound, "section %q is not part of plan %q", sid, p.ID)
	}
	return nil
}

// answerThread answers one thread of p as the caller sees it, whatever
// list filters the request's query carries.
func (s *Server) answerThread(c echo.Context, status int, p *collab.Plan, thread string) error {
	ts, err := s.threads(c, p, threadFilter{thread: thread})
	if err != nil {
		return err
	}
	if len(ts) == 0 {
		return collab.Errorf(collab.CodeNotFound, "thread %q not found", thread)
	}
	return c.JSON(status, ts[0])
}

// replyRequest is the body of a reply and of an edit.
type replyRequest struct {
	Body     string   `json:"body"`
	Mentions []string `json:"mentions"`
}

func (s *Server) reply(c echo.Context) error {
	var req replyRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	p, cm, err := s.cfg.Plans.AddComment(c.Request().Context(), s.actor(c, auth.ActionComment), planOf(c).ID, collab.NewComment{
		Thread: c.Param("cid"), Body: req.Body, Mentions: req.Mentions})
	if err != nil {
		return err
	}
	s.notifyMentions(c, p, cm)
	return s.answerThread(c, http.StatusCreated, p, cm.Thread)
}

// ownComment is the actor for changing a comment: its author, who may
// still comment on the plan.
func (s *Server) ownComment(c echo.Context) collab.Actor {
	me := principal(c).Account
	id := c.Param("cid")
	return collab.Actor{ID: me.ID, Check: func(p *collab.Plan) error {
		if err := allow(me, p, auth.ActionComment); err != nil {
			return err
		}
		cm, ok := p.Comment(id)
		if !ok {
			return collab.Errorf(collab.CodeNotFound, "comment %q not found", id)
		}
		if cm.Author != me.ID {
			return collab.Errorf(collab.CodeForbidden, "only the author may change or delete a comment")
		}
		return nil
	}}
}

func (s *Server) editComment(c echo.Context) error {
	var req replyRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	p, err := s.cfg.Plans.EditComment(c.Request().Context(), s.ownComment(c), planOf(c).ID, c.Param("cid"), req.Body, req.Mentions)
	if err != nil {
		return err
	}
	cm, _ := p.Comment(c.Param("cid"))
	s.notifyMentions(c, p, cm)
	return s.answerThread(c, http.StatusOK, p, cm.Thread)
}

func (s *Server) deleteComment(c echo.Context) error {
	p, err := s.cfg.Plans.DeleteComment(c.Request().Context(), s.ownComment(c), planOf(c).ID, c.Param("cid"))
	if err != nil {
		return err
	}
	cm, _ := p.Comment(c.Param("cid"))
	return s.answerThread(c, http.StatusOK, p, cm.Thread)
}

// flagRequest is the body of the resolve, required and done routes.
type flagRequest struct {
	Value *bool `json:"value"`
}

func (s *Server) bindFlag(c echo.Context) (bool, error) {
	var req flagRequest
	if err := bind(c, &req); err != nil {
		return false, err
	}
	if req.Value == nil {
		return false, collab.Errorf(collab.CodeInvalid, "value (true or false) is required")
	}
	return *req.Value, nil
}

// resolveThread resolves or reopens a thread: its author their own, the
// leader any — but a required change only the steering group, once the
// leader has marked it made.
func (s *Server) resolveThread(c echo.Context) error {
	value, err := s.bindFlag(c)
	if err != nil {
		return err
	}
	me := principal(c).Account
	id := c.Param("cid")
	actor := collab.Actor{ID: me.ID, Check: func(p *collab.Plan) error {
		t, ok := p.Comment(id)
		if !ok || t.ID != t.Thread {
			return collab.Errorf(collab.CodeNotFound, "thread %q not found", id)
		}
		switch {
		case t.Required:
			return allow(me, p, auth.ActionResolveRequiredChange)
		case t.Author == me.ID && allow(me, p, auth.ActionResolveOwnThread) == nil:
			return nil
		}
		return allow(me, p, auth.ActionResolveAnyThread)
	}}
	p, err := s.cfg.Plans.ResolveThread(c.Request().Context(), actor, planOf(c).ID, id, value)
	if err != nil {
		return err
	}
	return s.answerThread(c, http.StatusOK, p, id)
}

func (s *Server) requireChange(c echo.Context) error {
	value, err := s.bindFlag(c)
	if err != nil {
		return err
	}
	p, err := s.cfg.Plans.RequireChange(c.Request().Context(), s.actor(c, auth.ActionRequireChange), planOf(c).ID, c.Param("cid"), value)
	if err != nil {
		return err
	}
	return s.answerThread(c, http.StatusOK, p, c.Param("cid"))
}

func (s *Server) markDone(c echo.Context) error {
	value, err := s.bindFlag(c)
	if err != nil {
		return err
	}
	p, err := s.cfg.Plans.MarkChangeDone(c.Request().Context(), s.actor(c, auth.ActionMarkChangeDone), planOf(c).ID, c.Param("cid"), value)
	if err != nil {
		return err
	}
	return s.answerThread(c, http.StatusOK, p, c.Param("cid"))
}

// suggestions returns the plan's suggestions, filtered by section and
// status.
func (s *Server) suggestions(c echo.Context, p *collab.Plan) ([]suggestionView, error) {
	pos, err := s.cfg.Plans.Positions(c.Request().Context(), p)
	if err != nil {
		return nil, err
	}
	names, err := s.names(c, p.Municipality)
	if err != nil {
		return nil, err
	}
	section, status := c.QueryParam("section"), collab.SuggestionStatus(c.QueryParam("status"))
	out := []suggestionView{}
	for _, sg := range p.Suggestions {
		if (section != "" && sg.Section != section) || (status != "" && sg.Status != status) {
			continue
		}
		v := suggestionView{Suggestion: sg, Names: map[string]string{sg.Author: names[sg.Author]}}
		if sg.DecidedBy != "" {
			v.Names[sg.DecidedBy] = names[sg.DecidedBy]
		}
		if tr, ok := pos[sg.ID]; ok {
			a := tr.Anchor
			v.Position, v.Outdated = &a, tr.Touched
		}
		out = append(out, v)
	}
	return out, nil
}

func (s *Server) listSuggestions(c echo.Context) error {
	switch collab.SuggestionStatus(c.QueryParam("status")) {
	case "", collab.SuggestionOpen, collab.SuggestionAccepted, collab.SuggestionRejected:
	default:
		return collab.Errorf(collab.CodeInvalid, "status must be open, accepted or rejected")
	}
	items, err := s.suggestions(c, planOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

// suggestionRequest is the body of POST /api/plans/:id/suggestions.
type suggestionRequest struct {
	rangeRequest
	Text string `json:"text"`
	Body string `json:"body"`
}

func (s *Server) addSuggestion(c echo.Context) error {
	var req suggestionRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if err := req.check(planOf(c), "suggestion"); err != nil {
		return err
	}
	p, sg, err := s.cfg.Plans.AddSuggestion(c.Request().Context(), s.actor(c, auth.ActionSuggest), planOf(c).ID, collab.NewSuggestion{
		Section: req.Section, V: *req.V, Index: req.Index, Length: req.Length, Text: req.Text, Body: req.Body})
	if err != nil {
		return err
	}
	return s.answerSuggestion(c, http.StatusCreated, p, sg.ID)
}

func (s *Server) answerSuggestion(c echo.Context, status int, p *collab.Plan, id string) error {
	c.QueryParams().Del("section")
	c.QueryParams().Del("status")
	items, err := s.suggestions(c, p)
	if err != nil {
		return err
	}
	for _, it := range items {
		if it.ID == id {
			return c.JSON(status, it)
		}
	}
	return collab.Errorf(collab.CodeNotFound, "suggestion %q not found", id)
}

// decisionRequest is the body of accept and reject.
type decisionRequest struct {
	Reply string `json:"reply"`
}

func (s *Server) acceptSuggestion(c echo.Context) error { return s.decideSuggestion(c, true) }
func (s *Server) rejectSuggestion(c echo.Context) error { return s.decideSuggestion(c, false) }

func (s *Server) decideSuggestion(c echo.Context, accept bool) error {
	var req decisionRequest
	if c.Request().ContentLength != 0 {
		if err := bind(c, &req); err != nil {
			return err
		}
	}
	p, err := s.cfg.Plans.DecideSuggestion(c.Request().Context(), s.actor(c, auth.ActionDecideSuggestion), planOf(c).ID,
		c.Param("sgid"), accept, req.Reply)
	if err != nil {
		return err
	}
	return s.answerSuggestion(c, http.StatusOK, p, c.Param("sgid"))
}

// historyGroup is a run of one author's changes to a section within one
// minute.
type historyGroup struct {
	By         string    `json:"by"`
	Name       string    `json:"name"`
	From       time.Time `json:"from"`
	To         time.Time `json:"to"`
	VFrom      int64     `json:"v_from"`
	VTo        int64     `json:"v_to"`
	Ops        int       `json:"ops"`
	Inserted   int       `json:"inserted"`
	Deleted    int       `json:"deleted"`
	Formatted  int       `json:"formatted"`
	Suggestion string    `json:"suggestion,omitempty"`
	SuggestBy  string    `json:"suggested_by,omitempty"`
	Kind       string    `json:"kind,omitempty"` // lock or unlock for markers
}

// maxHistoryOps bounds the ops a history read replays.
const maxHistoryOps = 100_000

// sectionHistory answers a section's attributed history: its ops grouped
// by author and minute, newest first, with accepted suggestions named.
func (s *Server) sectionHistory(c echo.Context) error {
	p := planOf(c)
	sid := c.Param("sid")
	if _, _, ok := p.Find(sid); !ok {
		return collab.Errorf(collab.CodeNotFound, "section %q is not part of plan %q", sid, p.ID)
	}
	recs, err := s.cfg.Store.Ops(c.Request().Context(), sid, 0, maxHistoryOps)
	if err != nil {
		return collab.Wrap(collab.CodeUnavailable, err, "the history could not be read")
	}
	names, err := s.names(c, p.Municipality)
	if err != nil {
		return err
	}
	suggestedBy := map[string]string{}
	for _, sg := range p.Suggestions {
		suggestedBy[collab.SuggestionSrc(sg.ID)] = sg.Author
		names[sg.Author] = nameOr(names, sg.Author)
	}
	groups := []historyGroup{}
	for _, r := range recs {
		op, err := delta.Parse(r.Op)
		if err != nil {
			return collab.Wrap(collab.CodeInternal, err, "a stored op does not parse")
		}
		ins, del, fmtd := opStats(op)
		sugg := ""
		if _, ok := suggestedBy[r.Src]; ok {
			sugg = r.Src[len("suggestion:"):]
		}
		n := len(groups)
		if n > 0 && r.Kind == "" && sugg == "" && groups[n-1].Kind == "" && groups[n-1].Suggestion == "" &&
			groups[n-1].By == r.By && r.At.Sub(groups[n-1].From) < time.Minute {
			g := &groups[n-1]
			g.To, g.VTo = r.At, r.V
			g.Ops++
			g.Inserted += ins
			g.Deleted += del
			g.Formatted += fmtd
			continue
		}
		g := historyGroup{By: r.By, Name: nameOr(names, r.By), From: r.At, To: r.At, VFrom: r.V, VTo: r.V, Ops: 1,
			Inserted: ins, Deleted: del, Formatted: fmtd, Kind: string(r.Kind), Suggestion: sugg}
		if sugg != "" {
			g.SuggestBy = suggestedBy[r.Src]
		}
		groups = append(groups, g)
	}
	slices.Reverse(groups)
	return c.JSON(http.StatusOK, map[string]any{"items": groups, "names": names})
}

func nameOr(names map[string]string, id string) string {
	if n := names[id]; n != "" {
		return n
	}
	return id
}

// opStats counts the characters an op inserts, deletes and formats.
func opStats(op delta.Delta) (ins, del, fmtd int) {
	for _, o := range op.Ops {
		switch o.Type() {
		case delta.OpInsert:
			ins += o.Len()
		case delta.OpDelete:
			del += o.Len()
		default:
			if len(o.Attributes) > 0 {
				fmtd += o.Len()
			}
		}
	}
	return ins, del, fmtd
}

// authorSpan is a run of a section's current text written by one person.
type authorSpan struct {
	Index  int    `json:"index"`
	Length int    `json:"length"`
	By     string `json:"by"`
}

// authorship answers who wrote each part of a section's current text, by
// replaying its ops with every insert tagged with its author.
func (s *Server) authorship(c echo.Context) error {
	p := planOf(c)
	sid := c.Param("sid")
	if _, _, ok := p.Find(sid); !ok {
		return collab.Errorf(collab.CodeNotFound, "section %q is not part of plan %q", sid, p.ID)
	}
	recs, err := s.cfg.Store.Ops(c.Request().Context(), sid, 0, maxHistoryOps)
	if err != nil {
		return collab.Wrap(collab.CodeUnavailable, err, "the history could not be read")
	}
	const key = "\x00by"
	doc := collab.EmptyDoc()
	for _, r := range recs {
		op, err := delta.Parse(r.Op)
		if err != nil {
			return collab.Wrap(collab.CodeInternal, err, "a stored op does not parse")
		}
		var tagged delta.Delta
		for _, o := range op.Ops {
			if o.Type() == delta.OpInsert {
				attrs := delta.Attributes{key: r.By}
				for k, v := range o.Attributes {
					attrs[k] = v
				}
				o.Attributes = attrs
			}
			tagged.Push(o)
		}
		doc = doc.Compose(tagged)
	}
	spans := []authorSpan{}
	pos := 0
	for _, o := range doc.Ops {
		by, _ := o.Attributes[key].(string)
		n := o.Len()
		if k := len(spans); k > 0 && spans[k-1].By == by && spans[k-1].Index+spans[k-1].Length == pos {
			spans[k-1].Length += n
		} else {
			spans = append(spans, authorSpan{Index: pos, Length: n, By: by})
		}
		pos += n
	}
	names, err := s.names(c, p.Municipality)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"v": len(recs), "spans": spans, "names": names})
}
