package server

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
)

// rolesIn returns the roles an account holds for plan p: its roles as a
// member, plus admin for an administrator of p's municipality.
func rolesIn(p *collab.Plan, a auth.Account) []auth.Role {
	var roles []auth.Role
	for _, r := range p.RolesOf(a.ID) {
		roles = append(roles, auth.Role(r))
	}
	if a.Admin && a.Municipality == p.Municipality {
		roles = append(roles, auth.RoleAdmin)
	}
	return roles
}

// allow decides whether account a may do action on plan p. It is the one
// place a plan permission is decided, for REST and WebSocket alike: first
// tenancy (another municipality's plan does not exist for a, admins
// included), then membership, then the policy of SPEC.md §5 × §6, and
// last the archive: an archived plan only allows what reads it.
func allow(a auth.Account, p *collab.Plan, action auth.Action) error {
	if p.Municipality != a.Municipality {
		return collab.Errorf(collab.CodeNotFound, "plan %q not found", p.ID)
	}
	roles := rolesIn(p, a)
	if len(roles) == 0 {
		return collab.Errorf(collab.CodeForbidden, "you are not a member of this plan")
	}
	if err := auth.Allowed(roles, action, p.Phase); err != nil {
		return err
	}
	if p.Archived && !auth.ArchivedAllows(action) {
		return collab.Errorf(collab.CodeArchived, "the plan is archived: it is read-only until an administrator restores it")
	}
	return nil
}

// guard returns the collab actor for a change by a: the permission is
// checked again on the plan state the change commits on.
func guard(a auth.Account, action auth.Action) collab.Actor {
	return collab.Actor{ID: a.ID, Check: func(p *collab.Plan) error { return allow(a, p, action) }}
}

// youActions are the actions a plan view reports the caller may take now,
// for the UI to offer (the server decides again on every call).
var youActions = []auth.Action{
	auth.ActionEditText, auth.ActionEditStructure, auth.ActionComment, auth.ActionSuggest,
	auth.ActionManageProject, auth.ActionAssignLeader, auth.ActionSubmit, auth.ActionLock,
	auth.ActionReturn, auth.ActionApproveSteering, auth.ActionApprovePolitical, auth.ActionReadAudit,
	auth.ActionDecideSuggestion, auth.ActionResolveAnyThread, auth.ActionRequireChange, auth.ActionMarkChangeDone,
	auth.ActionResolveRequiredChange, auth.ActionSignOffEconomics, auth.ActionAcceptPrivacyFinding,
	auth.ActionFreezeVersion, auth.ActionRestoreSection,
	auth.ActionDecideHearing, auth.ActionStartHearing, auth.ActionRunHearing, auth.ActionModerateResponses,
	auth.ActionCloseHearing, auth.ActionWriteAssessment, auth.ActionRecordDecision, auth.ActionRecordAmendments,
	auth.ActionStartRullering,
}

// planView is a plan as the API shows it to one person: members with their
// names, and what the person may do now.
type planView struct {
	*collab.Plan
	Members []memberView `json:"members"`
	You     youView      `json:"you"`
	// OpenRequirements are the required changes still open, for the
	// phase banner; the threads themselves are read from /comments, and
	// these two fields keep them out of the plan.
	OpenRequirements []requirementView `json:"open_requirements"`
	Comments         *struct{}         `json:"comments,omitempty"`
	Suggestions      *struct{}         `json:"suggestions,omitempty"`
}

// requirementView is an open required change as the banner lists it.
type requirementView struct {
	ID      string `json:"id"`
	Section string `json:"section"`
	Quote   string `json:"quote"`
	Body    string `json:"body"`
	Done    bool   `json:"done"`
}

type memberView struct {
	User  string   `json:"user"`
	Name  string   `json:"name"`
	Email string   `json:"email"`
	Roles []string `json:"roles"`
}

type youView struct {
	ID      string        `json:"id"`
	Roles   []auth.Role   `json:"roles"`
	Actions []auth.Action `json:"actions"`
}

// view returns the plan as the caller of c sees it.
func (s *Server) view(c echo.Context, p *collab.Plan) (planView, error) {
	me := principal(c).Account
	accts, err := s.cfg.Accounts.Users(c.Request().Context(), p.Municipality)
	if err != nil {
		return planView{}, err
	}
	byID := make(map[string]auth.Account, len(accts))
	for _, a := range accts {
		byID[a.ID] = a
	}
	p = p.Clone() // lists are shown as [] rather than null
	s.computed(p)
	if p.Approvals == nil {
		p.Approvals = []string{}
	}
	if p.Versions == nil {
		p.Versions = []collab.NamedVersion{}
	}
	v := planView{Plan: p, Members: make([]memberView, 0, len(p.Members)),
		You: youView{ID: me.ID, Roles: rolesIn(p, me), Actions: []auth.Action{}}}
	for _, m := range p.Members {
		a := byID[m.User]
		v.Members = append(v.Members, memberView{User: m.User, Name: a.Name, Email: a.Email, Roles: m.Roles})
	}
	v.OpenRequirements = []requirementView{}
	for _, r := range p.OpenRequirements() {
		v.OpenRequirements = append(v.OpenRequirements, requirementView{ID: r.ID, Section: r.Section, Quote: r.Quote, Body: r.Body, Done: r.Done})
	}
	if v.You.Roles == nil {
		v.You.Roles = []auth.Role{}
	}
	for _, a := range youActions {
		if allow(me, p, a) != nil {
			continue
		}
		if (a == auth.ActionApproveSteering && slices.Contains(p.Approvals, string(auth.RoleSteering))) ||
			(a == auth.ActionApprovePolitical && slices.Contains(p.Approvals, string(auth.RolePolitical))) {
			continue
		}
		v.You.Actions = append(v.You.Actions, a)
	}
	return v, nil
}

// accessCache keeps recently read plans for the permission checks of the
// WebSocket path, which runs for every op. An entry is dropped when an
// event of its plan arrives (see watcher) and lives at most ttl, so a lost
// bus message delays a permission change by ttl at most. The lock itself
// does not depend on it: the lock markers in the op logs decide.
type accessCache struct {
	plans *collab.Plans
	ttl   time.Duration

	mu sync.Mutex
	m  map[string]cachedPlan
}

type cachedPlan struct {
	p  *collab.Plan
	at time.Time
}

// maxCachedPlans bounds the cache; beyond it, it starts over.
const maxCachedPlans = 10_000

func newAccessCache(plans *collab.Plans, ttl time.Duration) *accessCache {
	return &accessCache{plans: plans, ttl: ttl, m: map[string]cachedPlan{}}
}

// get returns the plan, from the cache when fresh.
func (ac *accessCache) get(ctx context.Context, id string) (*collab.Plan, error) {
	now := time.Now()
	ac.mu.Lock()
	e, ok := ac.m[id]
	ac.mu.Unlock()
	if ok && now.Sub(e.at) < ac.ttl {
		return e.p, nil
	}
	p, err := ac.plans.Current(ctx, id)
	if err != nil {
		return nil, err
	}
	ac.mu.Lock()
	if len(ac.m) >= maxCachedPlans {
		ac.m = map[string]cachedPlan{}
	}
	ac.m[id] = cachedPlan{p: p, at: now}
	ac.mu.Unlock()
	return p, nil
}

// invalidate drops a plan, or every plan when id is "".
func (ac *accessCache) invalidate(id string) {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	if id == "" {
		ac.m = map[string]cachedPlan{}
		return
	}
	delete(ac.m, id)
}
