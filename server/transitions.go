package server

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
)

// transitionRequest is the body of POST /api/plans/:id/transitions.
type transitionRequest struct {
	Action  string `json:"action"`
	Comment string `json:"comment"`
}

// maxCommentLen bounds a transition's comment.
const maxCommentLen = 4000

func (s *Server) transition(c echo.Context) error {
	var req transitionRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	req.Comment = strings.TrimSpace(req.Comment)
	if !utf8.ValidString(req.Comment) || utf8.RuneCountInString(req.Comment) > maxCommentLen {
		return collab.Errorf(collab.CodeInvalid, "the comment must be valid text of at most %d characters", maxCommentLen)
	}
	me := principal(c).Account
	ctx := c.Request().Context()
	p, err := s.cfg.Plans.Step(ctx, me.ID, planOf(c).ID, func(p *collab.Plan) (collab.Step, error) {
		st, err := decideStep(me, p, req)
		if err != nil {
			return st, err
		}
		return s.fase3Step(ctx, p, st)
	})
	if err != nil {
		return err
	}
	return s.answerPlan(c, http.StatusOK, p)
}

// decideStep applies the policy to a requested step on the plan state it
// will commit on.
func decideStep(me auth.Account, p *collab.Plan, req transitionRequest) (collab.Step, error) {
	move := func(a auth.Action) (collab.Step, error) {
		if err := allow(me, p, a); err != nil {
			return collab.Step{}, err
		}
		to, err := auth.Transition(p.Phase, a)
		if err != nil {
			return collab.Step{}, err
		}
		return collab.Step{Action: req.Action, To: to, Comment: req.Comment}, nil
	}
	switch req.Action {
	case "lock":
		return move(auth.ActionLock)
	case "return":
		if req.Comment == "" {
			return collab.Step{}, collab.Errorf(collab.CodeInvalid, "say which changes are required (comment)")
		}
		return move(auth.ActionReturn)
	case "submit":
		if err := allow(me, p, auth.ActionSubmit); err != nil {
			return collab.Step{}, err
		}
		if p.Submitted {
			return collab.Step{}, collab.Errorf(collab.CodeConflict, "the draft is already marked ready for approval")
		}
		return collab.Step{Action: "submit", To: p.Phase, Comment: req.Comment}, nil
	case "approve":
		return decideApproval(me, p, req)
	}
	return collab.Step{}, collab.Errorf(collab.CodeBadRequest, "unknown action %q (lock, return, approve or submit)", truncate(req.Action, 40))
}

// decideApproval records the approval of the first role the caller holds
// that may approve and has not yet: the steering group's, then political
// leadership's. The approval that completes review moves the plan on.
func decideApproval(me auth.Account, p *collab.Plan, req transitionRequest) (collab.Step, error) {
	var firstErr error
	for _, c := range []struct {
		role   auth.Role
		action auth.Action
	}{{auth.RoleSteering, auth.ActionApproveSteering}, {auth.RolePolitical, auth.ActionApprovePolitical}} {
		err := allow(me, p, c.action)
		if err == nil && slices.Contains(p.Approvals, string(c.role)) {
			err = collab.Errorf(collab.CodeConflict, "this version is already approved for %s", c.role)
		}
		if err != nil {
			if firstErr == nil || collab.ErrorCode(firstErr) == collab.CodeForbidden {
				firstErr = err
			}
			continue
		}
		to, err := auth.Transition(p.Phase, c.action)
		if err != nil {
			return collab.Step{}, err
		}
		if to != p.Phase {
			return collab.Step{Action: req.Action, To: to, Comment: req.Comment}, nil
		}
		if open := p.OpenRequirements(); len(open) > 0 {
			return collab.Step{}, collab.Errorf(collab.CodeRequiredChangesOpen,
				"%d required changes are still open; the steering group resolves them before approving", len(open))
		}
		st := collab.Step{Action: req.Action, To: p.Phase, Approve: string(c.role), Comment: req.Comment}
		approved := []auth.Role{c.role}
		for _, r := range p.Approvals {
			approved = append(approved, auth.Role(r))
		}
		if p.Phase == collab.PhaseReview && auth.ApprovalsComplete(approved) {
			st.Complete, st.To = true, collab.PhaseApproved
		}
		return st, nil
	}
	return collab.Step{}, firstErr
}

// fase3Step adds the gates and records of Fase 3 to a decided step
// (docs/processing.md): the final proposal is locked only when every
// response that needs an assessment has one, and the steering group's
// approval of written-in amendments adopts the plan — "Vedtatt plan"
// frozen and the public token in the same entry.
func (s *Server) fase3Step(ctx context.Context, p *collab.Plan, st collab.Step) (collab.Step, error) {
	switch {
	case p.Phase == collab.PhaseProcessing && st.To == collab.PhaseFinalReview:
		if s.cfg.Hearings == nil {
			return st, nil
		}
		missing, err := s.cfg.Hearings.MissingAssessments(ctx, p)
		if err != nil {
			return st, err
		}
		if missing > 0 {
			return st, collab.Errorf(collab.CodeAssessmentsMissing, "%d hearing responses have no assessment yet", missing)
		}
	case st.To == collab.PhaseAdopted && st.Approve == "":
		if s.cfg.Hearings == nil {
			return st, errNoHearings()
		}
		a, err := s.cfg.Hearings.NewAdoption(ctx, p.ID)
		if err != nil {
			return st, err
		}
		st.Freeze, st.Adoption = collab.AdoptedName, a
	}
	return st, nil
}

// auditLine is one line of an audit log as the API shows it.
type auditLine struct {
	Seq    int64     `json:"seq,omitempty"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Name   string    `json:"name,omitempty"`
	Action string    `json:"action"`
	From   string    `json:"from,omitempty"`
	To     string    `json:"to,omitempty"`
	Detail string    `json:"detail,omitempty"`
}

// planAudit answers the plan's audit log: its plan log read as who did
// what, when, from what to what — every transition, membership and
// structure change, newest first. The plan log is append-only and is the
// commit record itself, so the audit cannot miss a change.
func (s *Server) planAudit(c echo.Context) error {
	p := planOf(c)
	entries, err := s.cfg.Plans.Log(c.Request().Context(), p.ID)
	if err != nil {
		return err
	}
	names, err := s.names(c, p.Municipality)
	if err != nil {
		return err
	}
	roles := map[string]string{}
	lines := make([]auditLine, 0, len(entries))
	for _, e := range entries {
		l := auditLine{Seq: e.Seq, At: e.At, Actor: e.By, Name: names[e.By], Action: e.Kind}
		var d struct {
			Plan    *collab.Plan `json:"plan"`
			User    string       `json:"user"`
			Roles   []string     `json:"roles"`
			Action  string       `json:"action"`
			From    string       `json:"from"`
			To      string       `json:"to"`
			Comment string       `json:"comment"`
			Role    string       `json:"role"`
			Title   *string      `json:"title"`
			ID      string       `json:"id"`
			Version *struct {
				Name string `json:"name"`
			} `json:"version"`
			Decision *collab.Decision `json:"decision"`
			Receipt  string           `json:"receipt"`
			Outcome  string           `json:"outcome"`
			Next     *collab.PlanLink `json:"next"`
			Format   string           `json:"format"`
			Of       string           `json:"of"`
		}
		_ = json.Unmarshal(e.Data, &d)
		switch e.Kind {
		case "plan.created":
			if d.Plan != nil {
				l.To, l.Detail = string(d.Plan.Phase), d.Plan.Title
				for _, m := range d.Plan.Members {
					roles[m.User] = strings.Join(m.Roles, ",")
				}
			}
		case "member.set":
			l.From, l.To = roles[d.User], strings.Join(d.Roles, ",")
			l.Detail = names[d.User]
			if l.Detail == "" {
				l.Detail = d.User
			}
			if slices.Contains(d.Roles, collab.RoleLeader) {
				for u, r := range roles {
					if u != d.User && strings.Contains(r, collab.RoleLeader) {
						roles[u] = strings.Trim(strings.ReplaceAll(","+r+",", ","+collab.RoleLeader+",", ","), ",")
					}
				}
			}
			roles[d.User] = l.To
		case "plan.phase":
			l.Action, l.From, l.To, l.Detail = "plan."+d.Action, d.From, d.To, d.Comment
			if d.Decision != nil {
				l.Detail = decisionAuditDetail(d.Decision)
			}
		case "hearing.assessment":
			l.Detail = d.Receipt + ": " + outcomeWords[d.Outcome]
		case "plan.rullering":
			if d.Next != nil {
				l.Detail = d.Next.Title
			}
		case "plan.approved":
			l.Detail = d.Role
			if d.To != "" {
				l.From, l.To = string(collab.PhaseReview), d.To
			}
		case "export.started":
			l.Detail = exportAuditDetail(d.Format, d.Of)
		case "version.frozen":
			if d.Version != nil {
				l.Detail = d.Version.Name
			}
		default:
			if d.Title != nil {
				l.Detail = *d.Title
			} else {
				l.Detail = d.ID
			}
		}
		lines = append(lines, l)
	}
	slices.Reverse(lines)
	return c.JSON(http.StatusOK, map[string]any{"items": lines})
}

// exportAuditDetail words an export's audit line: "PDF av versjonen
// «Høringsutkast»", "DOCX av planen slik den er nå".
func exportAuditDetail(format, of string) string {
	f := strings.ToUpper(format)
	if of == "" || of == collab.NowRef {
		return f + " av planen slik den er nå"
	}
	return f + " av versjonen «" + of + "»"
}

// decisionAuditDetail words a decision's audit line: "Kommunestyret
// 2026-11-20, saksnummer 2026/123, med endringer".
func decisionAuditDetail(d *collab.Decision) string {
	out := d.Body + " " + d.Date + ", saksnummer " + d.CaseNumber
	if d.Amendments != "" {
		out += ", med endringer"
	}
	return out
}

// names maps the account ids of a municipality to display names.
func (s *Server) names(c echo.Context, municipality string) (map[string]string, error) {
	accts, err := s.cfg.Accounts.Users(c.Request().Context(), municipality)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(accts))
	for _, a := range accts {
		out[a.ID] = a.Name
	}
	return out, nil
}

// namesByID is how many people namesOf looks up one by one; for more it
// reads the municipality's whole list.
const namesByID = 4

// namesOf maps the account ids of ids (of municipality) to display names;
// an id that is no account of it has none. One thread, the answer to each
// new comment, names a few people: reading every account of the
// municipality for them was most of the comment's cost.
func (s *Server) namesOf(c echo.Context, municipality string, ids map[string]bool) (map[string]string, error) {
	if len(ids) > namesByID {
		return s.names(c, municipality)
	}
	out := make(map[string]string, len(ids))
	for id := range ids {
		a, err := s.cfg.Accounts.User(c.Request().Context(), municipality, id)
		switch {
		case err != nil && collab.ErrorCode(err) == collab.CodeNotFound:
		case err != nil:
			return nil, err
		default:
			out[id] = a.Name
		}
	}
	return out, nil
}
