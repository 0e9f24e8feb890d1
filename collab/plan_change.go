package collab

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// A change is the data of one plan-log entry. Applying the entries of a
// plan's log in seq order to an empty plan gives its current state, so
// apply must be deterministic and must validate against the state it is
// applied to: the same check that refuses a change before it is committed
// keeps a committed log consistent.
type change interface {
	kind() string
	apply(p *Plan) error
	// touches names the objects the change modifies; a structured edit made
	// on an older seq conflicts with later entries that touch one of them.
	touches() []string
}

// Entry kinds of the plan log.
const (
	kindPlanCreated    = "plan.created"
	kindSectionAdded   = "section.added"
	kindSectionUpdated = "section.updated"
	kindSectionMoved   = "section.moved"
	kindSectionDeleted = "section.deleted"
	kindMemberSet      = "member.set"
	kindPhaseChanged   = "plan.phase"
	kindApproved       = "plan.approved"
	kindSubmitted      = "plan.submitted"
	kindArchived       = "plan.archived"
	kindUnarchived     = "plan.unarchived"
)

// errUnchanged is what apply returns for a change that would change
// nothing: it is not committed, and the caller gets the plan as it is.
var errUnchanged = errors.New("unchanged")

// decodeChange returns the change an entry records.
func decodeChange(e PlanEntry) (change, error) {
	var c change
	switch e.Kind {
	case kindPlanCreated:
		c = &planCreated{}
	case kindSectionAdded:
		c = &sectionAdded{}
	case kindSectionUpdated:
		c = &sectionUpdated{}
	case kindSectionMoved:
		c = &sectionMoved{}
	case kindSectionDeleted:
		c = &sectionDeleted{}
	case kindMemberSet:
		c = &memberSet{}
	case kindPhaseChanged:
		c = &phaseChanged{}
	case kindApproved:
		c = &approvalRecorded{}
	case kindSubmitted:
		c = &planSubmitted{}
	case kindArchived, kindUnarchived:
		c = &archiveSet{}
	case kindCommentAdded:
		c = &commentAdded{}
	case kindCommentEdited:
		c = &commentEdited{}
	case kindCommentDeleted:
		c = &commentDeleted{}
	case kindThreadResolved:
		c = &threadResolved{}
	case kindThreadRequired:
		c = &threadRequired{}
	case kindThreadDone:
		c = &threadDone{}
	case kindSuggestionAdded:
		c = &suggestionAdded{}
	case kindSuggestionDecided:
		c = &suggestionDecided{}
	case kindVersionFrozen:
		c = &versionFrozen{}
	case kindExportStarted:
		c = &exportStarted{}
	default:
		if c = contentChange(e.Kind); c == nil {
			c = hearingChange(e.Kind)
		}
		if c == nil {
			c = processingChange(e.Kind)
		}
		if c == nil {
			return nil, fmt.Errorf("plan %s entry %d: unknown kind %q", e.Plan, e.Seq, e.Kind)
		}
	}
	if err := json.Unmarshal(e.Data, c); err != nil {
		return nil, fmt.Errorf("plan %s entry %d: decode %s: %w", e.Plan, e.Seq, e.Kind, err)
	}
	return c, nil
}

// planCreated starts a plan's log with its whole initial state.
type planCreated struct {
	Plan *Plan `json:"plan"`
}

func (c *planCreated) kind() string      { return kindPlanCreated }
func (c *planCreated) touches() []string { return []string{"plan"} }
func (c *planCreated) apply(p *Plan) error {
	if p.ID != "" {
		return Errorf(CodeConflict, "plan %s already exists", p.ID)
	}
	*p = *c.Plan.Clone()
	return nil
}

// sectionAdded adds a section (with its subtree, for a target area) under
// Parent ("" for the top level) at Index (-1 or out of range: at the end).
type sectionAdded struct {
	Parent  string   `json:"parent"`
	Index   int      `json:"index"`
	Section *Section `json:"section"`
}

func (c *sectionAdded) kind() string      { return kindSectionAdded }
func (c *sectionAdded) touches() []string { return []string{c.Section.ID, "children:" + c.Parent} }
func (c *sectionAdded) apply(p *Plan) error {
	if _, _, ok := p.Find(c.Section.ID); ok {
		return Errorf(CodeConflict, "section %s already exists", c.Section.ID)
	}
	if p.SectionCount()+countSections(c.Section) > maxSectionsInPlan {
		return Errorf(CodeTooLarge, "a plan has at most %d sections", maxSectionsInPlan)
	}
	if c.Parent != "" && depthOf(p, c.Parent)+1+subtreeDepth(c.Section) >= maxSectionDepth {
		return Errorf(CodeInvalid, "sections nest at most %d levels deep", maxSectionDepth)
	}
	list, err := p.children(c.Parent)
	if err != nil {
		return err
	}
	*list = insertAt(*list, c.Index, cloneSections([]*Section{c.Section})[0])
	return nil
}

func countSections(s *Section) int {
	n := 1
	for _, c := range s.Children {
		n += countSections(c)
	}
	return n
}

// sectionUpdated changes a section's metadata; nil fields stay as they are.
type sectionUpdated struct {
	ID           string         `json:"id"`
	Title        *string        `json:"title,omitempty"`
	Responsible  *string        `json:"responsible,omitempty"`
	Contributors *[]string      `json:"contributors,omitempty"`
	Status       *SectionStatus `json:"status,omitempty"`
}

func (c *sectionUpdated) kind() string      { return kindSectionUpdated }
func (c *sectionUpdated) touches() []string { return []string{c.ID} }
func (c *sectionUpdated) apply(p *Plan) error {
	s, _, ok := p.Find(c.ID)
	if !ok {
		return Errorf(CodeNotFound, "section %q not found", c.ID)
	}
	if c.Title != nil {
		s.Title = *c.Title
	}
	if c.Responsible != nil {
		s.Responsible = *c.Responsible
	}
	if c.Contributors != nil {
		s.Contributors = slices.Clone(*c.Contributors)
	}
	if c.Status != nil {
		s.Status = *c.Status
	}
	return nil
}

// sectionMoved moves a section (with its subtree) under Parent at Index.
type sectionMoved struct {
	ID     string `json:"id"`
	Parent string `json:"parent"`
	Index  int    `json:"index"`
}

func (c *sectionMoved) kind() string { return kindSectionMoved }
func (c *sectionMoved) touches() []string {
	return []string{c.ID, "children:" + c.Parent}
}
func (c *sectionMoved) apply(p *Plan) error {
	s, from, ok := p.Find(c.ID)
	if !ok {
		return Errorf(CodeNotFound, "section %q not found", c.ID)
	}
	if c.Parent == c.ID {
		return Errorf(CodeInvalid, "a section cannot be moved into itself")
	}
	if c.Parent != "" {
		if _, _, inside := (&Plan{Sections: []*Section{s}}).Find(c.Parent); inside {
			return Errorf(CodeInvalid, "a section cannot be moved into its own subsection")
		}
		if depthOf(p, c.Parent)+1+subtreeDepth(s) >= maxSectionDepth {
			return Errorf(CodeInvalid, "sections nest at most %d levels deep", maxSectionDepth)
		}
	}
	to, err := p.children(c.Parent)
	if err != nil {
		return err
	}
	if from == nil {
		p.Sections = removeID(p.Sections, c.ID)
	} else {
		from.Children = removeID(from.Children, c.ID)
	}
	*to = insertAt(*to, c.Index, s)
	return nil
}

// sectionDeleted removes a section and its subtree from the outline. The
// section documents and their history stay in the op log.
type sectionDeleted struct {
	ID string `json:"id"`
}

func (c *sectionDeleted) kind() string      { return kindSectionDeleted }
func (c *sectionDeleted) touches() []string { return []string{c.ID} }
func (c *sectionDeleted) apply(p *Plan) error {
	s, parent, ok := p.Find(c.ID)
	if !ok {
		return Errorf(CodeNotFound, "section %q not found", c.ID)
	}
	if err := p.targetAreaInUse(s); err != nil {
		return err
	}
	if parent == nil {
		p.Sections = removeID(p.Sections, c.ID)
	} else {
		parent.Children = removeID(parent.Children, c.ID)
	}
	return nil
}

// memberSet gives User the roles Roles in the plan; no roles removes the
// member. Taking the leader role takes it from the previous leader, who
// keeps their other roles (or leaves, with none), so a plan has at most one
// leader; once it has one, it keeps one.
type memberSet struct {
	User  string   `json:"user"`
	Roles []string `json:"roles"`
}

func (c *memberSet) kind() string { return kindMemberSet }
func (c *memberSet) touches() []string {
	if slices.Contains(c.Roles, RoleLeader) {
		return []string{"member:" + c.User, "leader"}
	}
	return []string{"member:" + c.User}
}
func (c *memberSet) apply(p *Plan) error {
	if len(c.Roles) == 0 && p.RolesOf(c.User) == nil {
		return Errorf(CodeNotFound, "%q is not a member of the plan", c.User)
	}
	if len(c.Roles) > 0 && slices.Equal(p.RolesOf(c.User), c.Roles) {
		return errUnchanged
	}
	leader := p.Leader()
	if leader == c.User && !slices.Contains(c.Roles, RoleLeader) {
		return Errorf(CodeInvalid, "the plan must keep its leader: assign a new leader instead")
	}
	members := p.Members[:0:0]
	for _, m := range p.Members {
		if m.User == c.User {
			continue
		}
		if m.User == leader && slices.Contains(c.Roles, RoleLeader) {
			m.Roles = slices.DeleteFunc(slices.Clone(m.Roles), func(r string) bool { return r == RoleLeader })
			if len(m.Roles) == 0 {
				continue
			}
		}
		members = append(members, m)
	}
	if len(c.Roles) > 0 {
		members = append(members, Member{User: c.User, Roles: slices.Clone(c.Roles)})
	} else {
		// A former member is nobody's responsible or contributor.
		p.Walk(func(s *Section, _ int) {
			if s.Responsible == c.User {
				s.Responsible = ""
			}
			s.Contributors = slices.DeleteFunc(s.Contributors, func(u string) bool { return u == c.User })
		})
	}
	slices.SortFunc(members, func(a, b Member) int { return strings.Compare(a.User, b.User) })
	p.Members = members
	return nil
}

// phaseChanged moves the plan from one phase to another. A lock records
// the version of each section's lock marker; leaving the locked phases
// clears the lock, its approvals and the submitted flag. A step that
// freezes a version (adoption) records it and its content.
type phaseChanged struct {
	Action  string           `json:"action"`
	From    Phase            `json:"from"`
	To      Phase            `json:"to"`
	Comment string           `json:"comment,omitempty"`
	Locked  map[string]int64 `json:"locked,omitempty"`
	Version *NamedVersion    `json:"version,omitempty"`
	Content *VersionContent  `json:"content,omitempty"`
	// Hearing is the hearing a start_hearing step starts (hearing.go).
	Hearing *Hearing `json:"hearing,omitempty"`
	// Decision is the council's decision a record_decision or
	// record_amendments step records; Adoption the adoption of a step to
	// adopted, whose version is Version (processing.go).
	Decision *Decision `json:"decision,omitempty"`
	Adoption *Adoption `json:"adoption,omitempty"`
}

func (c *phaseChanged) kind() string      { return kindPhaseChanged }
func (c *phaseChanged) touches() []string { return []string{"phase"} }
func (c *phaseChanged) apply(p *Plan) error {
	if p.Phase != c.From {
		return Errorf(CodeConflict, "the plan is in phase %s, not %s", p.Phase, c.From)
	}
	p.Phase = c.To
	p.Submitted = false
	switch {
	case c.From.Editable() && !c.To.Editable():
		// Entries are numbered without gaps, so this entry's seq is the
		// next one.
		p.LockSeq, p.Locked, p.Approvals = p.Seq+1, maps.Clone(c.Locked), nil
	case c.To.Editable():
		p.LockSeq, p.Locked, p.Approvals = 0, nil, nil
	}
	if c.Version != nil {
		v := *c.Version
		v.System = true
		p.appendVersion(v)
	}
	if c.Hearing != nil {
		p.Hearing = c.Hearing.clone()
	}
	if c.Decision != nil {
		d := *c.Decision
		p.Decision = &d
	}
	if c.Adoption != nil {
		if c.Version == nil {
			return Errorf(CodeInvalid, "an adoption freezes its version in its entry")
		}
		a := *c.Adoption
		a.Version = p.Seq + 1 // the version this entry froze
		p.Adoption = &a
	}
	return nil
}

// approvalRecorded records Role's approval of the lock at seq Lock. The
// approval that completes the set moves the plan to phase To and freezes
// Version, with a copy of the structured content (Content; absent from
// entries written before versions held it).
type approvalRecorded struct {
	Role     string          `json:"role"`
	Lock     int64           `json:"lock"`
	Complete bool            `json:"complete,omitempty"`
	To       Phase           `json:"to,omitempty"`
	Version  *NamedVersion   `json:"version,omitempty"`
	Content  *VersionContent `json:"content,omitempty"`
}

func (c *approvalRecorded) kind() string      { return kindApproved }
func (c *approvalRecorded) touches() []string { return []string{"phase", "approval:" + c.Role} }
func (c *approvalRecorded) apply(p *Plan) error {
	if p.LockSeq == 0 || c.Lock != p.LockSeq {
		return Errorf(CodeConflict, "the lock this approval was for (seq %d) is no longer in force", c.Lock)
	}
	if slices.Contains(p.Approvals, c.Role) {
		return Errorf(CodeConflict, "%s has already approved this version", c.Role)
	}
	p.Approvals = append(p.Approvals, c.Role)
	if c.Complete {
		p.Phase = c.To
		if c.Version != nil {
			v := *c.Version
			v.System = true
			p.appendVersion(v)
		}
	}
	return nil
}

// planSubmitted records that the leader marked the plan ready for
// approval, with what they said to the steering group.
type planSubmitted struct {
	Comment string `json:"comment,omitempty"`
}

func (c *planSubmitted) kind() string      { return kindSubmitted }
func (c *planSubmitted) touches() []string { return []string{"submitted"} }
func (c *planSubmitted) apply(p *Plan) error {
	p.Submitted = true
	return nil
}

// archiveSet archives a plan (Archived) or restores it. An archived plan
// keeps its phase and everything else; it only stops taking changes
// (Plans.appendEntry refuses every other kind of entry), so restoring it
// gives it back as it was.
type archiveSet struct {
	Archived bool   `json:"archived"`
	Reason   string `json:"reason,omitempty"`
}

func (c *archiveSet) kind() string {
	if c.Archived {
		return kindArchived
	}
	return kindUnarchived
}
func (c *archiveSet) touches() []string { return []string{"archived"} }
func (c *archiveSet) apply(p *Plan) error {
	if p.Archived == c.Archived {
		if c.Archived {
			return Errorf(CodeConflict, "the plan is archived already")
		}
		return Errorf(CodeConflict, "the plan is not archived")
	}
	p.Archived = c.Archived
	return nil
}
