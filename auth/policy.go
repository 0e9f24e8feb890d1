package auth

// This file holds the permission policy: who may do what to a plan, and in
// which phase (SPEC.md §5 × §6). It is pure code with no state: the server
// asks it on every REST call and every WebSocket message, with the roles the
// caller holds in the plan and the plan's phase at the seq it acts on.

import (
	"slices"
	"strings"

	"github.com/temaplan/temaplan/collab"
)

// Role is what a person is in one plan (SPEC.md §1). A person may hold
// several roles in a plan; admin is held per account, within its
// municipality, and public is the anonymous visitor of the hearing page.
type Role string

// The roles, in the column order of SPEC.md §5.
const (
	RoleLeader    Role = "leader"    // prosjektleder: the one who writes the text
	RoleMember    Role = "member"    // prosjektgruppe: reads, comments, suggests
	RoleFinance   Role = "finance"   // økonomikontor: signs off the economics
	RoleReader    Role = "reader"    // intern leser: reads and comments
	RoleSteering  Role = "steering"  // styringsgruppe: locks, returns, approves
	RolePolitical Role = "political" // politisk ledelse: approves before the hearing
	RoleAdmin     Role = "admin"     // administrator of the municipality (per account)
	// RolePublic is the anonymous visitor of the public hearing page. It is
	// never a membership role; the hearing handlers ask the policy with it.
	RolePublic Role = "public"
)

// Roles returns every role, in the column order of SPEC.md §5.
func Roles() []Role {
	return []Role{RoleLeader, RoleMember, RoleFinance, RoleReader, RoleSteering, RolePolitical, RoleAdmin, RolePublic}
}

// Action is something a person asks to do to a plan. SPEC.md §5 groups
// several actions in one row; each gets its own Action here, because the
// phase rules of §6 differ between them.
type Action string

// The actions, in the row order of SPEC.md §5.
const (
	ActionReadPlan Action = "read_plan"

	// ActionEditText changes a section's body; ActionEditStructure changes
	// everything else the leader writes: sections (create, rename, move,
	// nest, delete, status), target areas, goals, strategies, measures and
	// their costs, and the scorecard.
	ActionEditText      Action = "edit_text"
	ActionEditStructure Action = "edit_structure"

	// ActionComment starts a thread, replies to one or reopens one.
	ActionComment          Action = "comment"
	ActionResolveOwnThread Action = "resolve_own_thread"

	ActionSuggest Action = "suggest"

	// ActionDecideSuggestion accepts or rejects a suggestion. Accepting is
	// the leader's edit, so both are allowed only when the leader may edit.
	ActionDecideSuggestion Action = "decide_suggestion"
	ActionResolveAnyThread Action = "resolve_any_thread"

	// ActionRequireChange marks a comment as a required change (endringskrav).
	ActionRequireChange Action = "require_change"

	ActionSignOffEconomics Action = "sign_off_economics"

	// ActionManageProject manages milestones, sections' responsible person
	// and contributors, and the plan's members.
	ActionManageProject Action = "manage_project"

	// ActionSubmit marks the draft (or, in processing, the final proposal)
	// ready for approval and notifies the steering group. It does not
	// change the phase.
	ActionSubmit Action = "submit"

	ActionLock             Action = "lock"
	ActionReturn           Action = "return"
	ActionApproveSteering  Action = "approve_steering"
	ActionApprovePolitical Action = "approve_political"

	ActionReadHearingVersion    Action = "read_hearing_version"
	ActionSubmitHearingResponse Action = "submit_hearing_response"

	ActionCreatePlan   Action = "create_plan"
	ActionAssignLeader Action = "assign_leader"
	ActionManageUsers  Action = "manage_users"

	// ActionArchivePlan archives a plan (read-only, out of the default
	// listing) or restores it. ActionOverviewPlans reads the overview of
	// every plan of the municipality; ActionManageMunicipality reads and
	// changes the municipality's settings (login methods, SSO domains, the
	// defaults of new plans). Reading: they belong to the administrator's
	// "create plans, assign the leader, manage users" row of SPEC.md §5.
	ActionArchivePlan        Action = "archive_plan"
	ActionOverviewPlans      Action = "overview_plans"
	ActionManageMunicipality Action = "manage_municipality"

	ActionAcceptPrivacyFinding Action = "accept_privacy_finding"

	// ActionMarkChangeDone is the leader marking a required change done,
	// which SPEC.md §5 presupposes ("after the leader marks it done").
	ActionMarkChangeDone        Action = "mark_change_done"
	ActionResolveRequiredChange Action = "resolve_required_change"

	ActionFreezeVersion  Action = "freeze_version"
	ActionRestoreSection Action = "restore_section"

	// ActionExport exports the plan as it is; ActionExportPublished is the
	// public's export, of the hearing or adopted version only.
	ActionExport          Action = "export"
	ActionExportPublished Action = "export_published"

	ActionReadAudit Action = "read_audit"

	ActionDecideHearing Action = "decide_hearing"
	ActionStartHearing  Action = "start_hearing"
	ActionCloseHearing  Action = "close_hearing"

	// ActionRunHearing sends the hearing to the hearing bodies and reminds
	// them; ActionModerateResponses holds and publishes hearing responses.
	ActionRunHearing        Action = "run_hearing"
	ActionModerateResponses Action = "moderate_responses"

	ActionWriteAssessment Action = "write_assessment"

	// ActionRecordDecision records the council's decision without
	// amendments (the plan is adopted); ActionRecordAmendments records a
	// decision with amendments (the leader then writes them in).
	ActionRecordDecision   Action = "record_decision"
	ActionRecordAmendments Action = "record_amendments"
	ActionStartRullering   Action = "start_rullering"
)

// Actions returns every action, in the row order of SPEC.md §5.
func Actions() []Action {
	as := make([]Action, len(policyTable))
	for i, r := range policyTable {
		as[i] = r.action
	}
	return as
}

// policyRule is one action's row of SPEC.md §5 with its phase rule from §6.
type policyRule struct {
	action Action
	what   string // the action in words, for error messages
	who    []Role // the ✓ cells of the §5 row

	// when lists the phases that allow the action; nil means every phase.
	// For a transition it is nil and the phases are the from-phases of moves.
	when  []collab.Phase
	moves []phaseMove
	// refuse is the code when the role may but the phase forbids: locked
	// for changes to the text, wrong_phase for steps of the process.
	refuse collab.Code
	// global actions are not about one plan; the phase is ignored.
	global bool
	// archived marks the actions an archived plan still allows: those
	// that only read it, and restoring it (ArchivedAllows).
	archived bool
}

// phaseMove is one edge of the phase state machine.
type phaseMove struct{ from, to collab.Phase }

// Phase names shortened for the table below.
const (
	pDraft       = collab.PhaseDraft
	pReview      = collab.PhaseReview
	pApproved    = collab.PhaseApproved
	pHearing     = collab.PhaseHearing
	pProcessing  = collab.PhaseProcessing
	pFinalReview = collab.PhaseFinalReview
	pAmending    = collab.PhaseAmending
	pAdopted     = collab.PhaseAdopted
)

// policyTable is SPEC.md §5, row by row (roles in its column order), with
// the phase rule of each action. Interpretations of the SPEC are marked
// "Reading:". The table is read only.
//
// Phases in which the leader may edit text (§6 "who may edit text"): draft,
// processing, amending. In every other phase text and structure are locked.
var policyTable = [...]policyRule{
	{action: ActionReadPlan, what: "read the plan",
		who:      []Role{RoleLeader, RoleMember, RoleFinance, RoleReader, RoleSteering, RolePolitical, RoleAdmin},
		archived: true},

	{action: ActionEditText, what: "edit the text",
		who:  []Role{RoleLeader},
		when: []collab.Phase{pDraft, pProcessing, pAmending}, refuse: collab.CodeLocked},
	{action: ActionEditStructure, what: "change sections, goals, measures or the scorecard",
		who:  []Role{RoleLeader},
		when: []collab.Phase{pDraft, pProcessing, pAmending}, refuse: collab.CodeLocked},

	// Reading: comments are never closed by a phase ("comments continue"
	// in review); they change no text.
	{action: ActionComment, what: "comment or reply",
		who: []Role{RoleLeader, RoleMember, RoleFinance, RoleReader, RoleSteering, RolePolitical}},
	{action: ActionResolveOwnThread, what: "resolve a thread they started",
		who: []Role{RoleLeader, RoleMember, RoleFinance, RoleReader, RoleSteering, RolePolitical}},

	// Reading: suggestions continue while the text is locked, to be decided
	// when editing resumes; only the adopted plan takes none (rullering
	// opens a new draft first).
	{action: ActionSuggest, what: "suggest a text change",
		who:  []Role{RoleMember, RoleFinance, RoleSteering, RolePolitical},
		when: []collab.Phase{pDraft, pReview, pApproved, pHearing, pProcessing, pFinalReview, pAmending}, refuse: collab.CodeLocked},

	{action: ActionDecideSuggestion, what: "accept or reject a suggestion",
		who:  []Role{RoleLeader},
		when: []collab.Phase{pDraft, pProcessing, pAmending}, refuse: collab.CodeLocked},
	{action: ActionResolveAnyThread, what: "resolve any thread",
		who: []Role{RoleLeader}},

	// Reading: the steering group requires changes while it reviews: in
	// review (then returns to draft) and in final_review (then returns to
	// processing).
	{action: ActionRequireChange, what: "mark a comment as a required change",
		who:  []Role{RoleSteering},
		when: []collab.Phase{pReview, pFinalReview}, refuse: collab.CodeWrongPhase},

	// Reading: the sign-off lapses when a cost changes, so it may be given
	// in any phase up to adoption.
	{action: ActionSignOffEconomics, what: "sign off the economics",
		who:  []Role{RoleFinance},
		when: []collab.Phase{pDraft, pReview, pApproved, pHearing, pProcessing, pFinalReview, pAmending}, refuse: collab.CodeWrongPhase},

	// Reading: organising the work is not the text; members must be
	// revocable in every phase.
	{action: ActionManageProject, what: "manage milestones, section responsibility and members",
		who: []Role{RoleLeader, RoleAdmin}},

	{action: ActionSubmit, what: "submit the draft for approval",
		who:   []Role{RoleLeader},
		moves: []phaseMove{{pDraft, pDraft}, {pProcessing, pProcessing}}, refuse: collab.CodeWrongPhase},

	// "lock / return (unlock) / approve draft": steering. Reading: the
	// final proposal is locked and returned the same way in Fase 3
	// (processing ⇄ final_review), and the steering group's confirmation of
	// written-in amendments is its approval in amending.
	{action: ActionLock, what: "lock the plan for approval",
		who:   []Role{RoleSteering},
		moves: []phaseMove{{pDraft, pReview}, {pProcessing, pFinalReview}}, refuse: collab.CodeWrongPhase},
	{action: ActionReturn, what: "return the plan to the leader",
		who:   []Role{RoleSteering},
		moves: []phaseMove{{pReview, pDraft}, {pFinalReview, pProcessing}}, refuse: collab.CodeWrongPhase},
	// An approval in review or final_review is recorded and leaves the
	// phase as it is; see ApprovalsComplete.
	{action: ActionApproveSteering, what: "approve for the steering group",
		who:   []Role{RoleSteering},
		moves: []phaseMove{{pReview, pReview}, {pFinalReview, pFinalReview}, {pAmending, pAdopted}}, refuse: collab.CodeWrongPhase},
	{action: ActionApprovePolitical, what: "approve for political leadership",
		who:   []Role{RolePolitical},
		moves: []phaseMove{{pReview, pReview}}, refuse: collab.CodeWrongPhase},

	// Reading: the public page shows the hearing version during the
	// hearing; the published versions are the hearing and adopted ones.
	{action: ActionReadHearingVersion, what: "read the hearing version",
		who:  []Role{RolePublic},
		when: []collab.Phase{pHearing}, refuse: collab.CodeWrongPhase, archived: true},
	{action: ActionSubmitHearingResponse, what: "submit a hearing response",
		who:  []Role{RolePublic},
		when: []collab.Phase{pHearing}, refuse: collab.CodeWrongPhase},

	// "create plans, assign the leader, manage users (own municipality
	// only)": the tenancy check is the caller's.
	{action: ActionCreatePlan, what: "create a plan",
		who: []Role{RoleAdmin}, global: true},
	{action: ActionAssignLeader, what: "assign the leader",
		who: []Role{RoleAdmin}},
	{action: ActionManageUsers, what: "manage users",
		who: []Role{RoleAdmin}, global: true},
	// Reading: archiving is about the plan's place in the municipality,
	// not its process, so it is allowed in every phase.
	{action: ActionArchivePlan, what: "archive or restore a plan",
		who: []Role{RoleAdmin}, archived: true},
	{action: ActionOverviewPlans, what: "see the overview of all plans",
		who: []Role{RoleAdmin}, global: true},
	{action: ActionManageMunicipality, what: "change the municipality's settings",
		who: []Role{RoleAdmin}, global: true},

	// Reading: findings come from text, so they are accepted where text
	// is written.
	{action: ActionAcceptPrivacyFinding, what: "accept a privacy finding",
		who:  []Role{RoleLeader},
		when: []collab.Phase{pDraft, pProcessing, pAmending}, refuse: collab.CodeWrongPhase},

	// Reading: required changes are made where they were returned to
	// (draft, processing) and resolved there or after the next lock.
	{action: ActionMarkChangeDone, what: "mark a required change as done",
		who:  []Role{RoleLeader},
		when: []collab.Phase{pDraft, pProcessing}, refuse: collab.CodeWrongPhase},
	{action: ActionResolveRequiredChange, what: "resolve a required change",
		who:  []Role{RoleSteering},
		when: []collab.Phase{pDraft, pReview, pProcessing, pFinalReview}, refuse: collab.CodeWrongPhase},

	// Reading: a named version only records what is there, so it may be
	// frozen in any phase; restoring a section is an edit.
	{action: ActionFreezeVersion, what: "freeze a named version",
		who: []Role{RoleLeader}},
	{action: ActionRestoreSection, what: "restore a section to a version",
		who:  []Role{RoleLeader},
		when: []collab.Phase{pDraft, pProcessing, pAmending}, refuse: collab.CodeLocked},

	{action: ActionExport, what: "export the plan",
		who:      []Role{RoleLeader, RoleMember, RoleFinance, RoleReader, RoleSteering, RolePolitical, RoleAdmin},
		archived: true},
	// The public's cell of the export row: "hearing/adopted version only".
	{action: ActionExportPublished, what: "export the published version",
		who:  []Role{RolePublic},
		when: []collab.Phase{pHearing, pAdopted}, refuse: collab.CodeWrongPhase, archived: true},

	{action: ActionReadAudit, what: "read the audit log",
		who: []Role{RoleSteering, RoleAdmin}, archived: true},

	{action: ActionDecideHearing, what: "decide the hearing form and hearing bodies",
		who:  []Role{RoleSteering},
		when: []collab.Phase{pApproved}, refuse: collab.CodeWrongPhase},
	{action: ActionStartHearing, what: "start the hearing",
		who:   []Role{RoleSteering},
		moves: []phaseMove{{pApproved, pHearing}}, refuse: collab.CodeWrongPhase},
	{action: ActionCloseHearing, what: "close the hearing",
		who:   []Role{RoleSteering},
		moves: []phaseMove{{pHearing, pProcessing}}, refuse: collab.CodeWrongPhase},

	// Reading: responses arriving up to the deadline are moderated during
	// and after the hearing, and may be assessed as soon as they arrive.
	{action: ActionRunHearing, what: "send the hearing and reminders",
		who:  []Role{RoleLeader},
		when: []collab.Phase{pHearing}, refuse: collab.CodeWrongPhase},
	{action: ActionModerateResponses, what: "moderate and publish hearing responses",
		who:  []Role{RoleLeader},
		when: []collab.Phase{pHearing, pProcessing}, refuse: collab.CodeWrongPhase},
	{action: ActionWriteAssessment, what: "write an assessment of a hearing response",
		who:  []Role{RoleLeader, RoleMember},
		when: []collab.Phase{pHearing, pProcessing}, refuse: collab.CodeWrongPhase},

	{action: ActionRecordDecision, what: "record the council's decision",
		who:   []Role{RoleLeader, RoleAdmin},
		moves: []phaseMove{{pFinalReview, pAdopted}}, refuse: collab.CodeWrongPhase},
	{action: ActionRecordAmendments, what: "record the council's amendments",
		who:   []Role{RoleLeader, RoleAdmin},
		moves: []phaseMove{{pFinalReview, pAmending}}, refuse: collab.CodeWrongPhase},
	{action: ActionStartRullering, what: "start rullering",
		who:   []Role{RoleLeader, RoleAdmin},
		moves: []phaseMove{{pAdopted, pDraft}}, refuse: collab.CodeWrongPhase},
}

// policyRuleFor returns the row of a, or nil for an unknown action.
func policyRuleFor(a Action) *policyRule {
	for i := range policyTable {
		if policyTable[i].action == a {
			return &policyTable[i]
		}
	}
	return nil
}

// phases returns the phases that allow the rule's action, nil for every phase.
func (r *policyRule) phases() []collab.Phase {
	if r.moves == nil {
		return r.when
	}
	ps := make([]collab.Phase, len(r.moves))
	for i, m := range r.moves {
		ps[i] = m.from
	}
	return ps
}

// Allowed reports whether a person holding roles in a plan may do a while
// the plan is in phase. It returns nil or a *collab.Error: forbidden when
// none of the roles grants the action (roles combine: any one suffices;
// unknown roles grant nothing), locked or wrong_phase when a role grants it
// but the phase does not allow it, and invalid for an unknown phase. Actions
// that concern no single plan (ActionCreatePlan, ActionManageUsers) ignore
// phase. The caller checks the rest: tenancy, ownership of a thread, and
// the gates of a transition.
func Allowed(roles []Role, a Action, phase collab.Phase) error {
	r := policyRuleFor(a)
	if r == nil {
		return collab.Errorf(collab.CodeForbidden, "unknown action %q", a)
	}
	if !slices.ContainsFunc(roles, func(role Role) bool { return slices.Contains(r.who, role) }) {
		return collab.Errorf(collab.CodeForbidden, "only %s may %s", roleNames(r.who), r.what)
	}
	if r.global {
		return nil
	}
	if !knownPhase(phase) {
		return collab.Errorf(collab.CodeInvalid, "unknown phase %q", phase)
	}
	ps := r.phases()
	if ps == nil || slices.Contains(ps, phase) {
		return nil
	}
	if r.refuse == collab.CodeLocked {
		return collab.Errorf(collab.CodeLocked, "the plan is locked in phase %s: nobody may %s now", phase, r.what)
	}
	return collab.Errorf(r.refuse, "cannot %s in phase %s, only in %s", r.what, phase, phaseNames(ps))
}

// ArchivedAllows reports whether a is allowed on an archived plan: reading
// it (the plan, its audit log, its export) and restoring it. Every other
// action is refused with collab.CodeArchived, after Allowed: an archived
// plan is read-only for everyone until an administrator restores it.
func ArchivedAllows(a Action) bool {
	r := policyRuleFor(a)
	return r != nil && r.archived
}

// Transition returns the phase a plan in phase from moves to when a is
// done. It answers bad_request when a is not a transition, wrong_phase when
// from does not allow a, and invalid for an unknown phase. It checks
// neither roles (ask Allowed first) nor the gates of a transition, which
// need the plan's state at the transition's seq: open privacy findings and
// required changes before ActionLock, missing assessments before the lock
// in processing, the steering group's approval of the final proposal before
// ActionRecordDecision or ActionRecordAmendments, the hearing decided before
// ActionStartHearing, and the legal minimum hearing of a kommunedelplan
// before ActionCloseHearing.
//
// ActionSubmit, and an approval in review or final_review, leave the phase
// as it is: the caller records the approval keyed to the lock it approves
// and, when ApprovalsComplete says review's approvals are all there, moves
// the plan to collab.PhaseApproved in the same entry.
func Transition(from collab.Phase, a Action) (collab.Phase, error) {
	if !knownPhase(from) {
		return "", collab.Errorf(collab.CodeInvalid, "unknown phase %q", from)
	}
	r := policyRuleFor(a)
	if r == nil || r.moves == nil {
		return "", collab.Errorf(collab.CodeBadRequest, "%q is not a phase transition", a)
	}
	for _, m := range r.moves {
		if m.from == from {
			return m.to, nil
		}
	}
	return "", collab.Errorf(collab.CodeWrongPhase, "cannot %s in phase %s, only in %s", r.what, from, phaseNames(r.phases()))
}

// ApprovalsComplete reports whether roles, the roles that have approved the
// current lock of a plan in review, include both approvals SPEC.md §6 asks
// for before the hearing: the steering group's and political leadership's.
func ApprovalsComplete(roles []Role) bool {
	return slices.Contains(roles, RoleSteering) && slices.Contains(roles, RolePolitical)
}

// knownPhase reports whether p is one of the phases of collab.
func knownPhase(p collab.Phase) bool {
	switch p {
	case pDraft, pReview, pApproved, pHearing, pProcessing, pFinalReview, pAmending, pAdopted:
		return true
	}
	return false
}

// roleNames names roles for a message: "the leader or the administrator".
func roleNames(roles []Role) string {
	names := make([]string, len(roles))
	for i, r := range roles {
		switch r {
		case RoleLeader:
			names[i] = "the leader"
		case RoleMember:
			names[i] = "members"
		case RoleFinance:
			names[i] = "the finance office"
		case RoleReader:
			names[i] = "readers"
		case RoleSteering:
			names[i] = "the steering group"
		case RolePolitical:
			names[i] = "political leadership"
		case RoleAdmin:
			names[i] = "the administrator"
		case RolePublic:
			names[i] = "the public"
		default:
			names[i] = string(r)
		}
	}
	return orList(names)
}

// phaseNames lists phases for a message: "draft, processing or amending".
func phaseNames(ps []collab.Phase) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = string(p)
	}
	return orList(names)
}

func orList(s []string) string {
	if len(s) <= 1 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}
