package auth_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
)

// policySpecRoles is SPEC.md §5 transcribed by hand: one row per action
// (rows that §5 groups are split into their actions), one column per role.
// A note after # marks a reading of the SPEC rather than its words.
const policySpecRoles = `
action                    leader member finance reader steering political admin public
read_plan                   ✓      ✓      ✓      ✓      ✓        ✓       ✓     —
edit_text                   ✓      —      —      —      —        —       —     —
edit_structure              ✓      —      —      —      —        —       —     —
comment                     ✓      ✓      ✓      ✓      ✓        ✓       —     —
resolve_own_thread          ✓      ✓      ✓      ✓      ✓        ✓       —     —
suggest                     —      ✓      ✓      —      ✓        ✓       —     —
decide_suggestion           ✓      —      —      —      —        —       —     —
resolve_any_thread          ✓      —      —      —      —        —       —     —
require_change              —      —      —      —      ✓        —       —     —
sign_off_economics          —      —      ✓      —      —        —       —     —
manage_project              ✓      —      —      —      —        —       ✓     —
submit                      ✓      —      —      —      —        —       —     —
lock                        —      —      —      —      ✓        —       —     —
return                      —      —      —      —      ✓        —       —     —
approve_steering            —      —      —      —      ✓        —       —     —
approve_political           —      —      —      —      —        ✓       —     —
read_hearing_version        —      —      —      —      —        —       —     ✓
submit_hearing_response     —      —      —      —      —        —       —     ✓
create_plan                 —      —      —      —      —        —       ✓     —
assign_leader               —      —      —      —      —        —       ✓     —
manage_users                —      —      —      —      —        —       ✓     —
archive_plan                —      —      —      —      —        —       ✓     —   # the admin's row: create plans, assign the leader
overview_plans              —      —      —      —      —        —       ✓     —
manage_municipality         —      —      —      —      —        —       ✓     —
accept_privacy_finding      ✓      —      —      —      —        —       —     —
mark_change_done            ✓      —      —      —      —        —       —     —   # "after the leader marks it done"
resolve_required_change     —      —      —      —      ✓        —       —     —
freeze_version              ✓      —      —      —      —        —       —     —
restore_section             ✓      —      —      —      —        —       —     —
export                      ✓      ✓      ✓      ✓      ✓        ✓       ✓     —
export_published            —      —      —      —      —        —       —     ✓   # the public's export cell
read_audit                  —      —      —      —      ✓        —       ✓     —
decide_hearing              —      —      —      —      ✓        —       —     —
start_hearing               —      —      —      —      ✓        —       —     —
close_hearing               —      —      —      —      ✓        —       —     —
run_hearing                 ✓      —      —      —      —        —       —     —
moderate_responses          ✓      —      —      —      —        —       —     —
write_assessment            ✓      ✓      —      —      —        —       —     —
record_decision             ✓      —      —      —      —        —       ✓     —
record_amendments           ✓      —      —      —      —        —       ✓     —
start_rullering             ✓      —      —      —      —        —       ✓     —
`

// policySpecPhases is the phase rule of each action after SPEC.md §6: one
// column per phase, then the code a role with the right gets in a — phase
// (- when no phase refuses). A plan-less action has "any" in every phase.
// Notes after # give the reading where §6 does not say it in words.
const policySpecPhases = `
action                    draft review approved hearing processing final_review amending adopted refuse
read_plan                   ✓     ✓      ✓       ✓        ✓           ✓          ✓        ✓     -
edit_text                   ✓     —      —       —        ✓           —          ✓        —     locked
edit_structure              ✓     —      —       —        ✓           —          ✓        —     locked
comment                     ✓     ✓      ✓       ✓        ✓           ✓          ✓        ✓     -        # comments continue
resolve_own_thread          ✓     ✓      ✓       ✓        ✓           ✓          ✓        ✓     -
suggest                     ✓     ✓      ✓       ✓        ✓           ✓          ✓        —     locked   # decided when editing resumes
decide_suggestion           ✓     —      —       —        ✓           —          ✓        —     locked   # accepting is the leader's edit
resolve_any_thread          ✓     ✓      ✓       ✓        ✓           ✓          ✓        ✓     -
require_change              —     ✓      —       —        —           ✓          —        —     wrong_phase
sign_off_economics          ✓     ✓      ✓       ✓        ✓           ✓          ✓        —     wrong_phase
manage_project              ✓     ✓      ✓       ✓        ✓           ✓          ✓        ✓     -
submit                      ✓     —      —       —        ✓           —          —        —     wrong_phase
lock                        ✓     —      —       —        ✓           —          —        —     wrong_phase
return                      —     ✓      —       —        —           ✓          —        —     wrong_phase
approve_steering            —     ✓      —       —        —           ✓          ✓        —     wrong_phase
approve_political           —     ✓      —       —        —           —          —        —     wrong_phase
read_hearing_version        —     —      —       ✓        —           —          —        —     wrong_phase
submit_hearing_response     —     —      —       ✓        —           —          —        —     wrong_phase
create_plan                 any   any    any     any      any         any        any      any   -
assign_leader               ✓     ✓      ✓       ✓        ✓           ✓          ✓        ✓     -
manage_users                any   any    any     any      any         any        any      any   -
archive_plan                ✓     ✓      ✓       ✓        ✓           ✓          ✓        ✓     -        # not a step of the process
overview_plans              any   any    any     any      any         any        any      any   -
manage_municipality         any   any    any     any      any         any        any      any   -
accept_privacy_finding      ✓     —      —       —        ✓           —          ✓        —     wrong_phase
mark_change_done            ✓     —      —       —        ✓           —          —        —     wrong_phase
resolve_required_change     ✓     ✓      —       —        ✓           ✓          —        —     wrong_phase
freeze_version              ✓     ✓      ✓       ✓        ✓           ✓          ✓        ✓     -
restore_section             ✓     —      —       —        ✓           —          ✓        —     locked
export                      ✓     ✓      ✓       ✓        ✓           ✓          ✓        ✓     -
export_published            —     —      —       ✓        —           —          —        ✓     wrong_phase
read_audit                  ✓     ✓      ✓       ✓        ✓           ✓          ✓        ✓     -
decide_hearing              —     —      ✓       —        —           —          —        —     wrong_phase
start_hearing               —     —      ✓       —        —           —          —        —     wrong_phase
close_hearing               —     —      —       ✓        —           —          —        —     wrong_phase
run_hearing                 —     —      —       ✓        —           —          —        —     wrong_phase
moderate_responses          —     —      —       ✓        ✓           —          —        —     wrong_phase
write_assessment            —     —      —       ✓        ✓           —          —        —     wrong_phase
record_decision             —     —      —       —        —           ✓          —        —     wrong_phase
record_amendments           —     —      —       —        —           ✓          —        —     wrong_phase
start_rullering             —     —      —       —        —           —          —        ✓     wrong_phase
`

// policySpecMoves is the phase state machine of SPEC.md §6: every
// (from, action) that Transition accepts, and where it leads.
var policySpecMoves = []struct {
	from   collab.Phase
	action auth.Action
	to     collab.Phase
}{
	{collab.PhaseDraft, auth.ActionSubmit, collab.PhaseDraft},
	{collab.PhaseDraft, auth.ActionLock, collab.PhaseReview},
	{collab.PhaseReview, auth.ActionReturn, collab.PhaseDraft},
	{collab.PhaseReview, auth.ActionApproveSteering, collab.PhaseReview},
	{collab.PhaseReview, auth.ActionApprovePolitical, collab.PhaseReview},
	{collab.PhaseApproved, auth.ActionStartHearing, collab.PhaseHearing},
	{collab.PhaseHearing, auth.ActionCloseHearing, collab.PhaseProcessing},
	{collab.PhaseProcessing, auth.ActionSubmit, collab.PhaseProcessing},
	{collab.PhaseProcessing, auth.ActionLock, collab.PhaseFinalReview},
	{collab.PhaseFinalReview, auth.ActionReturn, collab.PhaseProcessing},
	{collab.PhaseFinalReview, auth.ActionApproveSteering, collab.PhaseFinalReview},
	{collab.PhaseFinalReview, auth.ActionRecordDecision, collab.PhaseAdopted},
	{collab.PhaseFinalReview, auth.ActionRecordAmendments, collab.PhaseAmending},
	{collab.PhaseAmending, auth.ActionApproveSteering, collab.PhaseAdopted},
	{collab.PhaseAdopted, auth.ActionStartRullering, collab.PhaseDraft},
}

// policyColumns are the roles of policySpecRoles' columns.
var policyColumns = []auth.Role{
	auth.RoleLeader, auth.RoleMember, auth.RoleFinance, auth.RoleReader,
	auth.RoleSteering, auth.RolePolitical, auth.RoleAdmin, auth.RolePublic,
}

// policyPhases are the phases of policySpecPhases' columns.
var policyPhases = []collab.Phase{
	collab.PhaseDraft, collab.PhaseReview, collab.PhaseApproved, collab.PhaseHearing,
	collab.PhaseProcessing, collab.PhaseFinalReview, collab.PhaseAmending, collab.PhaseAdopted,
}

// policyExpect is the two grids parsed: for each action, which roles have
// the right, in which phases, and the code of a phase refusal.
type policyExpect struct {
	roles  map[auth.Role]bool
	phases map[collab.Phase]bool // nil: the action concerns no plan
	refuse collab.Code
}

// policyGrid parses a grid: a header naming the columns, then one row per
// action of ✓/—/any cells and, when extra is set, one more field. It fails
// the test on a malformed grid.
func policyGrid(t *testing.T, grid string, header []string, extra bool) (rows [][]string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(grid), "\n")
	wantHead := append([]string{"action"}, header...)
	if extra {
		wantHead = append(wantHead, "refuse")
	}
	if got := strings.Fields(lines[0]); !slices.Equal(got, wantHead) {
		t.Fatalf("grid header = %v, want %v", got, wantHead)
	}
	n := len(wantHead)
	for _, l := range lines[1:] {
		l, _, _ = strings.Cut(l, "#")
		f := strings.Fields(l)
		if len(f) != n {
			t.Fatalf("grid row %q has %d fields, want %d", l, len(f), n)
		}
		for _, c := range f[1 : 1+len(header)] {
			if c != "✓" && c != "—" && c != "any" {
				t.Fatalf("grid row %q: cell %q is not ✓, — or any", l, c)
			}
		}
		rows = append(rows, f)
	}
	return rows
}

func policyExpectations(t *testing.T) map[auth.Action]policyExpect {
	t.Helper()
	roleHead := make([]string, len(policyColumns))
	for i, r := range policyColumns {
		roleHead[i] = string(r)
	}
	phaseHead := make([]string, len(policyPhases))
	for i, p := range policyPhases {
		phaseHead[i] = string(p)
	}
	want := map[auth.Action]policyExpect{}
	for _, f := range policyGrid(t, policySpecRoles, roleHead, false) {
		a := auth.Action(f[0])
		if _, dup := want[a]; dup {
			t.Fatalf("role grid lists %q twice", a)
		}
		e := policyExpect{roles: map[auth.Role]bool{}}
		for i, c := range f[1:] {
			e.roles[policyColumns[i]] = c == "✓"
		}
		want[a] = e
	}
	seen := map[auth.Action]bool{}
	for _, f := range policyGrid(t, policySpecPhases, phaseHead, true) {
		a := auth.Action(f[0])
		e, ok := want[a]
		if !ok || seen[a] {
			t.Fatalf("phase grid row %q is not in the role grid, or twice in the phase grid", a)
		}
		seen[a] = true
		refuse := f[len(f)-1]
		if refuse != "-" {
			e.refuse = collab.Code(refuse)
		}
		if f[1] != "any" {
			e.phases = map[collab.Phase]bool{}
			all := true
			for i, c := range f[1 : 1+len(policyPhases)] {
				e.phases[policyPhases[i]] = c == "✓"
				all = all && c == "✓"
			}
			if all != (e.refuse == "") {
				t.Fatalf("phase grid row %q: a refusal code is needed exactly when some phase refuses", a)
			}
		}
		want[a] = e
	}
	if len(seen) != len(want) {
		t.Fatalf("the phase grid has %d rows, the role grid %d", len(seen), len(want))
	}
	return want
}

// code is the code the expectation says roles get for a in phase, "" for
// allowed.
func (e policyExpect) code(roles []auth.Role, phase collab.Phase) collab.Code {
	if !slices.ContainsFunc(roles, func(r auth.Role) bool { return e.roles[r] }) {
		return collab.CodeForbidden
	}
	if e.phases == nil || e.phases[phase] {
		return ""
	}
	return e.refuse
}

func TestPolicy_GridsCoverEveryActionAndRole(t *testing.T) {
	want := policyExpectations(t)
	got := auth.Actions()
	for _, a := range got {
		if _, ok := want[a]; !ok {
			t.Errorf("action %q has no row in the SPEC grids", a)
		}
	}
	if len(got) != len(want) {
		t.Errorf("Actions() has %d actions, the grids %d", len(got), len(want))
	}
	seen := map[auth.Action]bool{}
	for _, a := range got {
		if seen[a] {
			t.Errorf("Actions() lists %q twice", a)
		}
		seen[a] = true
	}
	if !slices.Equal(auth.Roles(), policyColumns) {
		t.Errorf("Roles() = %v, want the SPEC columns %v", auth.Roles(), policyColumns)
	}
}

// TestAllowed_MatrixMatchesSpec checks every cell of role × action × phase
// against the grids.
func TestAllowed_MatrixMatchesSpec(t *testing.T) {
	want := policyExpectations(t)
	n := 0
	for _, a := range auth.Actions() {
		e := want[a]
		for _, role := range policyColumns {
			for _, phase := range policyPhases {
				n++
				roles := []auth.Role{role}
				err := auth.Allowed(roles, a, phase)
				if got, w := collab.ErrorCode(err), e.code(roles, phase); got != w {
					t.Errorf("Allowed(%s, %s, %s) = %q (%v), want %q", role, a, phase, got, err, w)
				}
			}
		}
	}
	t.Logf("%d cells of role × action × phase checked", n)
}

// TestAllowed_RolesCombine checks every pair of roles, and all roles at
// once, against the union of their grid rows.
func TestAllowed_RolesCombine(t *testing.T) {
	want := policyExpectations(t)
	for _, a := range auth.Actions() {
		e := want[a]
		for _, phase := range policyPhases {
			for _, r1 := range policyColumns {
				for _, r2 := range policyColumns {
					roles := []auth.Role{r1, r2}
					if got, w := collab.ErrorCode(auth.Allowed(roles, a, phase)), e.code(roles, phase); got != w {
						t.Errorf("Allowed(%v, %s, %s) = %q, want %q", roles, a, phase, got, w)
					}
				}
			}
			if got, w := collab.ErrorCode(auth.Allowed(auth.Roles(), a, phase)), e.code(auth.Roles(), phase); got != w {
				t.Errorf("Allowed(all roles, %s, %s) = %q, want %q", a, phase, got, w)
			}
		}
	}

	named := []struct {
		name  string
		roles []auth.Role
		a     auth.Action
		phase collab.Phase
		code  collab.Code
	}{
		{"member who is also steering may lock", []auth.Role{auth.RoleMember, auth.RoleSteering}, auth.ActionLock, collab.PhaseDraft, ""},
		{"steering who is also member may suggest", []auth.Role{auth.RoleSteering, auth.RoleMember}, auth.ActionSuggest, collab.PhaseReview, ""},
		{"leader who is also steering still may not edit in review", []auth.Role{auth.RoleSteering, auth.RoleLeader}, auth.ActionEditText, collab.PhaseReview, collab.CodeLocked},
		{"member and reader may not edit", []auth.Role{auth.RoleMember, auth.RoleReader}, auth.ActionEditText, collab.PhaseDraft, collab.CodeForbidden},
		{"steering and political together may approve for political", []auth.Role{auth.RoleSteering, auth.RolePolitical}, auth.ActionApprovePolitical, collab.PhaseReview, ""},
		{"an unknown role beside a real one changes nothing", []auth.Role{"root", auth.RoleLeader}, auth.ActionEditText, collab.PhaseDraft, ""},
		{"admin who is not a member may not comment", []auth.Role{auth.RoleAdmin}, auth.ActionComment, collab.PhaseDraft, collab.CodeForbidden},
	}
	for _, c := range named {
		if got := collab.ErrorCode(auth.Allowed(c.roles, c.a, c.phase)); got != c.code {
			t.Errorf("%s: got %q, want %q", c.name, got, c.code)
		}
	}
}

func TestAllowed_UnknownIsForbidden(t *testing.T) {
	cases := []struct {
		name  string
		roles []auth.Role
		a     auth.Action
		phase collab.Phase
		code  collab.Code
	}{
		{"no roles", nil, auth.ActionReadPlan, collab.PhaseDraft, collab.CodeForbidden},
		{"empty roles", []auth.Role{}, auth.ActionReadPlan, collab.PhaseDraft, collab.CodeForbidden},
		{"unknown role", []auth.Role{"superuser"}, auth.ActionReadPlan, collab.PhaseDraft, collab.CodeForbidden},
		{"empty role", []auth.Role{""}, auth.ActionReadPlan, collab.PhaseDraft, collab.CodeForbidden},
		{"role in the wrong case", []auth.Role{"Leader"}, auth.ActionEditText, collab.PhaseDraft, collab.CodeForbidden},
		{"unknown action", auth.Roles(), "delete_everything", collab.PhaseDraft, collab.CodeForbidden},
		{"empty action", auth.Roles(), "", collab.PhaseDraft, collab.CodeForbidden},
		{"action in the wrong case", auth.Roles(), "LOCK", collab.PhaseDraft, collab.CodeForbidden},
		{"unknown phase", []auth.Role{auth.RoleLeader}, auth.ActionReadPlan, "archived", collab.CodeInvalid},
		{"empty phase", []auth.Role{auth.RoleLeader}, auth.ActionEditText, "", collab.CodeInvalid},
		{"no right and an unknown phase", []auth.Role{auth.RoleMember}, auth.ActionEditText, "archived", collab.CodeForbidden},
		{"a plan-less action ignores the phase", []auth.Role{auth.RoleAdmin}, auth.ActionCreatePlan, "", ""},
		{"a plan-less action still needs the role", []auth.Role{auth.RoleLeader}, auth.ActionManageUsers, "", collab.CodeForbidden},
	}
	for _, c := range cases {
		if got := collab.ErrorCode(auth.Allowed(c.roles, c.a, c.phase)); got != c.code {
			t.Errorf("%s: got %q, want %q", c.name, got, c.code)
		}
	}
}

// TestAllowed_RefusalsSayWhy checks that every refusal is a *collab.Error
// whose message names the action, and a few messages word for word.
func TestAllowed_RefusalsSayWhy(t *testing.T) {
	for _, a := range auth.Actions() {
		for _, phase := range policyPhases {
			for _, role := range policyColumns {
				err := auth.Allowed([]auth.Role{role}, a, phase)
				if err == nil {
					continue
				}
				var e *collab.Error
				if !errors.As(err, &e) || e.Message == "" {
					t.Fatalf("Allowed(%s, %s, %s) = %#v, want a *collab.Error with a message", role, a, phase, err)
				}
			}
		}
	}
	cases := []struct {
		roles []auth.Role
		a     auth.Action
		phase collab.Phase
		msg   string
	}{
		{[]auth.Role{auth.RoleMember}, auth.ActionEditText, collab.PhaseDraft, "only the leader may edit the text"},
		{[]auth.Role{auth.RoleLeader}, auth.ActionEditText, collab.PhaseReview, "the plan is locked in phase review: nobody may edit the text now"},
		{[]auth.Role{auth.RoleSteering}, auth.ActionLock, collab.PhaseApproved, "cannot lock the plan for approval in phase approved, only in draft or processing"},
		{[]auth.Role{auth.RoleReader}, auth.ActionManageProject, collab.PhaseDraft, "only the leader or the administrator may manage milestones, section responsibility and members"},
		{[]auth.Role{auth.RoleLeader}, "fly", collab.PhaseDraft, `unknown action "fly"`},
	}
	for _, c := range cases {
		if got := collab.ErrorMessage(auth.Allowed(c.roles, c.a, c.phase)); got != c.msg {
			t.Errorf("Allowed(%v, %s, %s) says %q, want %q", c.roles, c.a, c.phase, got, c.msg)
		}
	}
}

// TestTransition_MatchesStateMachine checks every (phase, action) pair:
// the moves of §6 lead where they should, a transition in another phase is
// wrong_phase, and an action that is no transition is bad_request.
func TestTransition_MatchesStateMachine(t *testing.T) {
	moves := map[auth.Action]map[collab.Phase]collab.Phase{}
	for _, m := range policySpecMoves {
		if moves[m.action] == nil {
			moves[m.action] = map[collab.Phase]collab.Phase{}
		}
		if _, dup := moves[m.action][m.from]; dup {
			t.Fatalf("move %s from %s listed twice", m.action, m.from)
		}
		moves[m.action][m.from] = m.to
	}
	n := 0
	for _, a := range auth.Actions() {
		for _, from := range policyPhases {
			n++
			to, err := auth.Transition(from, a)
			ms, isTransition := moves[a]
			want, ok := ms[from]
			switch {
			case !isTransition:
				if collab.ErrorCode(err) != collab.CodeBadRequest {
					t.Errorf("Transition(%s, %s) = %q, %v; want bad_request: it is no transition", from, a, to, err)
				}
			case ok:
				if err != nil || to != want {
					t.Errorf("Transition(%s, %s) = %q, %v; want %q", from, a, to, err, want)
				}
			default:
				if collab.ErrorCode(err) != collab.CodeWrongPhase || to != "" {
					t.Errorf("Transition(%s, %s) = %q, %v; want wrong_phase", from, a, to, err)
				}
			}
		}
	}
	t.Logf("%d (phase, action) pairs checked", n)

	for _, c := range []struct {
		from collab.Phase
		a    auth.Action
		code collab.Code
	}{
		{"", auth.ActionLock, collab.CodeInvalid},
		{"archived", auth.ActionLock, collab.CodeInvalid},
		{collab.PhaseDraft, "fly", collab.CodeBadRequest},
		{collab.PhaseDraft, "", collab.CodeBadRequest},
	} {
		if _, err := auth.Transition(c.from, c.a); collab.ErrorCode(err) != c.code {
			t.Errorf("Transition(%q, %q) = %v, want %q", c.from, c.a, err, c.code)
		}
	}
	_, err := auth.Transition(collab.PhaseHearing, auth.ActionReturn)
	if got := collab.ErrorMessage(err); got != "cannot return the plan to the leader in phase hearing, only in review or final_review" {
		t.Errorf("wrong_phase message = %q", got)
	}
}

// TestTransition_AgreesWithAllowed checks that the grids agree: a
// transition action is allowed in exactly the phases it moves from.
func TestTransition_AgreesWithAllowed(t *testing.T) {
	want := policyExpectations(t)
	for _, a := range auth.Actions() {
		for _, from := range policyPhases {
			_, err := auth.Transition(from, a)
			if collab.ErrorCode(err) == collab.CodeBadRequest {
				continue
			}
			if moves := err == nil; moves != want[a].phases[from] {
				t.Errorf("%s from %s: Transition moves = %v, phase grid says %v", a, from, moves, want[a].phases[from])
			}
		}
	}
}

// TestTransition_WholeLifecycle walks a plan through both rounds of review,
// the hearing, amendments and rullering, asking Allowed before each step as
// the server will.
func TestTransition_WholeLifecycle(t *testing.T) {
	steps := []struct {
		role auth.Role
		a    auth.Action
		to   collab.Phase
	}{
		{auth.RoleLeader, auth.ActionSubmit, collab.PhaseDraft},
		{auth.RoleSteering, auth.ActionLock, collab.PhaseReview},
		{auth.RoleSteering, auth.ActionReturn, collab.PhaseDraft},
		{auth.RoleSteering, auth.ActionLock, collab.PhaseReview},
		{auth.RoleSteering, auth.ActionApproveSteering, collab.PhaseReview},
		{auth.RoleSteering, auth.ActionReturn, collab.PhaseDraft}, // cancels the approval
		{auth.RoleSteering, auth.ActionLock, collab.PhaseReview},
		{auth.RolePolitical, auth.ActionApprovePolitical, collab.PhaseReview},
		{auth.RoleSteering, auth.ActionApproveSteering, collab.PhaseApproved}, // both approvals given
		{auth.RoleSteering, auth.ActionStartHearing, collab.PhaseHearing},
		{auth.RoleSteering, auth.ActionCloseHearing, collab.PhaseProcessing},
		{auth.RoleSteering, auth.ActionLock, collab.PhaseFinalReview},
		{auth.RoleSteering, auth.ActionReturn, collab.PhaseProcessing},
		{auth.RoleSteering, auth.ActionLock, collab.PhaseFinalReview},
		{auth.RoleSteering, auth.ActionApproveSteering, collab.PhaseFinalReview},
		{auth.RoleAdmin, auth.ActionRecordAmendments, collab.PhaseAmending},
		{auth.RoleSteering, auth.ActionApproveSteering, collab.PhaseAdopted},
		{auth.RoleLeader, auth.ActionStartRullering, collab.PhaseDraft},
	}
	phase := collab.PhaseDraft
	var approvals []auth.Role
	for i, s := range steps {
		if err := auth.Allowed([]auth.Role{s.role}, s.a, phase); err != nil {
			t.Fatalf("step %d: %s may not %s in %s: %v", i, s.role, s.a, phase, err)
		}
		next, err := auth.Transition(phase, s.a)
		if err != nil {
			t.Fatalf("step %d: Transition(%s, %s): %v", i, phase, s.a, err)
		}
		switch {
		case s.a == auth.ActionLock || s.a == auth.ActionReturn:
			approvals = nil // approvals are keyed to the lock they approve
		case phase == collab.PhaseReview && (s.a == auth.ActionApproveSteering || s.a == auth.ActionApprovePolitical):
			approvals = append(approvals, s.role)
			if auth.ApprovalsComplete(approvals) {
				next = collab.PhaseApproved
			}
		}
		if next != s.to {
			t.Fatalf("step %d: %s in %s led to %s, want %s", i, s.a, phase, next, s.to)
		}
		phase = next
	}
}

func TestApprovalsComplete(t *testing.T) {
	cases := []struct {
		roles []auth.Role
		want  bool
	}{
		{nil, false},
		{[]auth.Role{auth.RoleSteering}, false},
		{[]auth.Role{auth.RolePolitical}, false},
		{[]auth.Role{auth.RoleSteering, auth.RoleSteering}, false},
		{[]auth.Role{auth.RoleLeader, auth.RoleAdmin, auth.RoleSteering}, false},
		{[]auth.Role{auth.RoleSteering, auth.RolePolitical}, true},
		{[]auth.Role{auth.RolePolitical, auth.RoleLeader, auth.RoleSteering}, true},
	}
	for _, c := range cases {
		if got := auth.ApprovalsComplete(c.roles); got != c.want {
			t.Errorf("ApprovalsComplete(%v) = %v, want %v", c.roles, got, c.want)
		}
	}
}

func ExampleAllowed() {
	member := []auth.Role{auth.RoleMember}
	fmt.Println(auth.Allowed(member, auth.ActionSuggest, collab.PhaseReview))
	fmt.Println(auth.Allowed(member, auth.ActionEditText, collab.PhaseDraft))
	fmt.Println(auth.Allowed([]auth.Role{auth.RoleLeader}, auth.ActionEditText, collab.PhaseHearing))
	// Output:
	// <nil>
	// forbidden: only the leader may edit the text
	// locked: the plan is locked in phase hearing: nobody may edit the text now
}

// policyReadsArchived are the actions an archived plan still allows: the
// ones that only read it, and restoring it.
var policyReadsArchived = []auth.Action{
	auth.ActionReadPlan, auth.ActionReadHearingVersion, auth.ActionArchivePlan,
	auth.ActionExport, auth.ActionExportPublished, auth.ActionReadAudit,
}

// TestArchivedAllows_OnlyReadingAndRestoring checks that an archived plan
// is read-only: every action that changes something is refused.
func TestArchivedAllows_OnlyReadingAndRestoring(t *testing.T) {
	for _, a := range auth.Actions() {
		if got, want := auth.ArchivedAllows(a), slices.Contains(policyReadsArchived, a); got != want {
			t.Errorf("ArchivedAllows(%s) = %t, want %t", a, got, want)
		}
	}
	if auth.ArchivedAllows("no_such_action") {
		t.Error("an unknown action is allowed on an archived plan")
	}
}
