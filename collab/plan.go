package collab

import (
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Phase is a plan's position in the planning process (SPEC.md §6).
type Phase string

// The phases of a plan, in process order.
const (
	PhaseDraft       Phase = "draft"        // Utkast (Fase 1)
	PhaseReview      Phase = "review"       // Låst for godkjenning
	PhaseApproved    Phase = "approved"     // Godkjent for høring
	PhaseHearing     Phase = "hearing"      // På høring (Fase 2)
	PhaseProcessing  Phase = "processing"   // Ferdigstilling (Fase 3)
	PhaseFinalReview Phase = "final_review" // Til vedtak
	PhaseAmending    Phase = "amending"     // Innarbeiding av vedtak
	PhaseAdopted     Phase = "adopted"      // Vedtatt
)

// PlanType decides the hearing rule: a kommunedelplan has a legal minimum
// hearing of six weeks, a temaplan only a recommended default.
type PlanType string

// The plan types.
const (
	TypeTemaplan       PlanType = "temaplan"
	TypeKommunedelplan PlanType = "kommunedelplan"
)

// SectionStatus is the writing status of a section.
type SectionStatus string

// The section statuses (ikke påbegynt, under arbeid, klar for
// gjennomlesning, ferdig).
const (
	StatusNotStarted SectionStatus = "not_started"
	StatusInProgress SectionStatus = "in_progress"
	StatusReady      SectionStatus = "ready_for_review"
	StatusDone       SectionStatus = "done"
)

func (s SectionStatus) valid() bool {
	switch s {
	case StatusNotStarted, StatusInProgress, StatusReady, StatusDone:
		return true
	}
	return false
}

// SectionKind tells ordinary sections from the nodes the template gives
// meaning to.
type SectionKind string

// The section kinds.
const (
	KindSection    SectionKind = "section"
	KindTargetArea SectionKind = "target_area" // målområde
	KindAnalysis   SectionKind = "analysis"    // Analysedel
	KindAction     SectionKind = "action"      // Handlingsdel
)

// Section is a node of a plan's outline. Its body is the OT document with
// the same id (an empty Quill Delta when the section is created).
type Section struct {
	ID           string        `json:"id"`
	Title        string        `json:"title"`
	Kind         SectionKind   `json:"kind"`
	Status       SectionStatus `json:"status"`
	Responsible  string        `json:"responsible,omitempty"`
	Contributors []string      `json:"contributors"`
	Children     []*Section    `json:"children"`
}

// Editable reports whether the leader may change the text in phase p
// (SPEC.md §6 "who may edit text"). The sections of a plan in any other
// phase carry a lock marker in their op logs.
func (p Phase) Editable() bool {
	return p == PhaseDraft || p == PhaseProcessing || p == PhaseAmending
}

// RoleLeader is the plan role of the one person who writes the text. The
// plan log keeps it unique; the other roles mean nothing to collab (their
// permissions are the auth policy's).
const RoleLeader = "leader"

// Member is a person's membership of a plan: the roles they hold in it.
type Member struct {
	User  string   `json:"user"`
	Roles []string `json:"roles"`
}

// NamedVersion is a frozen version of a plan: the version of every
// section's document it consists of and the hash of the structured
// content frozen with it (SPEC.md §7, versions.go).
type NamedVersion struct {
	Name     string           `json:"name"`
	Seq      int64            `json:"seq"`
	By       string           `json:"by"`
	At       time.Time        `json:"at"`
	Sections map[string]int64 `json:"sections"`
	// Content is the hash of the structured content the version's entry
	// holds (VersionContent.Hash); "" for a version frozen before entries
	// held it, whose content is read from the log.
	Content string `json:"content,omitempty"`
	// System marks a version the process froze (on approval, on
	// adoption) rather than the leader.
	System bool `json:"system,omitempty"`
}

// Plan is the state of one plan: the fold of its plan log up to Seq.
type Plan struct {
	ID           string     `json:"id"`
	Title        string     `json:"title"`
	Municipality string     `json:"municipality"`
	Type         PlanType   `json:"type"`
	Phase        Phase      `json:"phase"`
	Seq          int64      `json:"seq"`
	CreatedBy    string     `json:"created_by"`
	Created      time.Time  `json:"created"`
	Updated      time.Time  `json:"updated"`
	Sections     []*Section `json:"sections"`
	Members      []Member   `json:"members"`

	// LockSeq is the seq of the entry that locked the plan for approval,
	// 0 while it is not locked; Locked holds the version of each
	// section's lock marker. Approvals are the roles that approved this
	// lock: a return cancels them with the lock.
	LockSeq   int64            `json:"lock_seq"`
	Locked    map[string]int64 `json:"locked,omitempty"`
	Approvals []string         `json:"approvals"`
	// Submitted is set when the leader marks the draft ready for
	// approval, and cleared by the next lock or return.
	Submitted bool           `json:"submitted"`
	Versions  []NamedVersion `json:"versions"`
	// Archived plans are read-only and left out of the default listing;
	// the only change they take is being restored (archive.go).
	Archived bool `json:"archived"`

	// Comments are the threads' comments in the order they were made;
	// Suggestions the suggested changes (review.go).
	Comments    []*Comment    `json:"comments,omitempty"`
	Suggestions []*Suggestion `json:"suggestions,omitempty"`

	// The structured content (content.go). Its objects are immutable:
	// a change replaces them.
	Period           Period               `json:"period"`
	PrivacyThreshold int                  `json:"privacy_threshold"`
	Goals            []*Goal              `json:"goals"`
	Strategies       []*Strategy          `json:"strategies"`
	Measures         []*Measure           `json:"measures"`
	Indicators       []*Indicator         `json:"indicators"`
	Milestones       []*Milestone         `json:"milestones"`
	Rounds           []*Round             `json:"rounds"`
	EconomicsSignOff *SignOff             `json:"economics_signoff"`
	PrivacyAccepted  []*PrivacyAcceptance `json:"privacy_accepted"`

	// Hearing is the plan's hearing (hearing.go), nil until it is
	// decided. Immutable: a change replaces it.
	Hearing *Hearing `json:"hearing,omitempty"`

	// Fase 3 (processing.go): the council's decision once recorded, the
	// adoption once adopted, and the links of a rullering: Previous on
	// the plan it made, Next on the plan it was made from. Immutable.
	Decision *Decision `json:"decision,omitempty"`
	Adoption *Adoption `json:"adoption,omitempty"`
	Previous *PlanLink `json:"previous,omitempty"`
	Next     *PlanLink `json:"next,omitempty"`
}

// RolesOf returns the roles user holds in the plan (nil for none).
func (p *Plan) RolesOf(user string) []string {
	for _, m := range p.Members {
		if m.User == user {
			return m.Roles
		}
	}
	return nil
}

// Leader returns the user id of the plan's leader, "" when none is assigned.
func (p *Plan) Leader() string {
	for _, m := range p.Members {
		if slices.Contains(m.Roles, RoleLeader) {
			return m.User
		}
	}
	return ""
}

// Limits on plan input, so that bad or hostile input is refused early.
const (
	maxTitleLen       = 200
	maxIDLen          = 100
	maxContributors   = 100
	maxSectionDepth   = 6
	maxSectionsInPlan = 1000
)

// cleanText trims s and checks it is valid, printable, non-empty text of at
// most max characters.
func cleanText(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", Errorf(CodeInvalid, "%s must not be empty", field)
	case !utf8.ValidString(s):
		return "", Errorf(CodeInvalid, "%s is not valid UTF-8", field)
	case utf8.RuneCountInString(s) > max:
		return "", Errorf(CodeInvalid, "%s is longer than %d characters", field, max)
	case strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return "", Errorf(CodeInvalid, "%s contains control characters", field)
	}
	return s, nil
}

// Clone returns a deep copy of p, so a change can be tried on the copy.
func (p *Plan) Clone() *Plan {
	c := *p
	c.Sections = cloneSections(p.Sections)
	c.Members = make([]Member, len(p.Members))
	for i, m := range p.Members {
		c.Members[i] = Member{User: m.User, Roles: slices.Clone(m.Roles)}
	}
	c.Locked = maps.Clone(p.Locked)
	c.Approvals = slices.Clone(p.Approvals)
	c.Comments = make([]*Comment, len(p.Comments))
	for i, cm := range p.Comments {
		cc := *cm
		cc.Mentions = slices.Clone(cm.Mentions)
		if cm.Anchor != nil {
			a := *cm.Anchor
			cc.Anchor = &a
		}
		c.Comments[i] = &cc
	}
	c.Suggestions = make([]*Suggestion, len(p.Suggestions))
	for i, sg := range p.Suggestions {
		sc := *sg
		c.Suggestions[i] = &sc
	}
	c.Versions = make([]NamedVersion, len(p.Versions))
	for i, v := range p.Versions {
		v.Sections = maps.Clone(v.Sections)
		c.Versions[i] = v
	}
	// The content objects are immutable: copying the lists is enough.
	c.Goals, c.Strategies, c.Measures = nonNil(p.Goals), nonNil(p.Strategies), nonNil(p.Measures)
	c.Indicators, c.Milestones, c.Rounds = nonNil(p.Indicators), nonNil(p.Milestones), nonNil(p.Rounds)
	c.PrivacyAccepted = nonNil(p.PrivacyAccepted)
	if p.EconomicsSignOff != nil {
		s := *p.EconomicsSignOff
		c.EconomicsSignOff = &s
	}
	return &c
}

// nonNil returns a copy of list that is never nil, so that it is shown
// as [] rather than null.
func nonNil[T any](list []T) []T {
	return append(make([]T, 0, len(list)), list...)
}

func cloneSections(in []*Section) []*Section {
	out := make([]*Section, len(in))
	for i, s := range in {
		c := *s
		c.Contributors = append([]string{}, s.Contributors...)
		c.Children = cloneSections(s.Children)
		out[i] = &c
	}
	return out
}

// Find returns the section with id and the list that holds it.
func (p *Plan) Find(id string) (sec *Section, parent *Section, ok bool) {
	var walk func(parent *Section, list []*Section) bool
	walk = func(par *Section, list []*Section) bool {
		for _, s := range list {
			if s.ID == id {
				sec, parent = s, par
				return true
			}
			if walk(s, s.Children) {
				return true
			}
		}
		return false
	}
	ok = walk(nil, p.Sections)
	return sec, parent, ok
}

// Walk calls fn for every section in outline order with its depth (0 for
// top-level sections).
func (p *Plan) Walk(fn func(s *Section, depth int)) {
	var walk func(list []*Section, depth int)
	walk = func(list []*Section, depth int) {
		for _, s := range list {
			fn(s, depth)
			walk(s.Children, depth+1)
		}
	}
	walk(p.Sections, 0)
}

// SectionCount returns the number of sections in the plan.
func (p *Plan) SectionCount() int {
	n := 0
	p.Walk(func(*Section, int) { n++ })
	return n
}

// children returns the list that holds the children of parent ("" is the
// top level) for modification.
func (p *Plan) children(parent string) (*[]*Section, error) {
	if parent == "" {
		return &p.Sections, nil
	}
	s, _, ok := p.Find(parent)
	if !ok {
		return nil, Errorf(CodeNotFound, "parent section %q not found", parent)
	}
	return &s.Children, nil
}

func depthOf(p *Plan, id string) int {
	d := -1
	p.Walk(func(s *Section, depth int) {
		if s.ID == id {
			d = depth
		}
	})
	return d
}

func subtreeDepth(s *Section) int {
	max := 0
	for _, c := range s.Children {
		if d := subtreeDepth(c) + 1; d > max {
			max = d
		}
	}
	return max
}

func insertAt(list []*Section, index int, s *Section) []*Section {
	if index < 0 || index > len(list) {
		index = len(list)
	}
	list = append(list, nil)
	copy(list[index+1:], list[index:])
	list[index] = s
	return list
}

func removeID(list []*Section, id string) []*Section {
	for i, s := range list {
		if s.ID == id {
			return append(list[:i], list[i+1:]...)
		}
	}
	return list
}

// PlanSummary is what a plan listing shows.
type PlanSummary struct {
	ID           string    `json:"id"`
	Title        string    `json:"title"`
	Municipality string    `json:"municipality"`
	Type         PlanType  `json:"type"`
	Phase        Phase     `json:"phase"`
	Seq          int64     `json:"seq"`
	Updated      time.Time `json:"updated"`
	Archived     bool      `json:"archived"`
	// Members is for the caller's access check; a listing does not show it.
	Members []Member `json:"-"`
}

// Summary returns the listing view of p.
func (p *Plan) Summary() PlanSummary {
	return PlanSummary{ID: p.ID, Title: p.Title, Municipality: p.Municipality,
		Type: p.Type, Phase: p.Phase, Seq: p.Seq, Updated: p.Updated, Archived: p.Archived, Members: p.Members}
}
