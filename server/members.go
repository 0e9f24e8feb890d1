package server

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
)

// memberRoles are the roles a plan membership may hold (SPEC.md §5);
// admin is per account and public is nobody's membership.
var memberRoles = []auth.Role{auth.RoleLeader, auth.RoleMember, auth.RoleFinance, auth.RoleReader, auth.RoleSteering, auth.RolePolitical}

// checkRoles validates a membership's roles and returns them sorted in the
// order of SPEC.md §5, without repeats.
func checkRoles(roles []string) ([]string, error) {
	if len(roles) == 0 {
		return nil, collab.Errorf(collab.CodeInvalid, "a member needs at least one role (remove the member instead)")
	}
	var out []string
	for _, r := range memberRoles {
		if slices.Contains(roles, string(r)) {
			out = append(out, string(r))
		}
	}
	for _, r := range roles {
		if !slices.Contains(out, r) {
			return nil, collab.Errorf(collab.CodeInvalid, "unknown role %q (one of leader, member, finance, reader, steering, political)", truncate(r, 40))
		}
	}
	return out, nil
}

// governanceRoles are the roles that lead, lock and approve a plan. Only
// the administrator gives or takes them (with the leader assignment), so
// that a leader can neither approve their own plan nor remove those who
// approve it; the leader manages the other roles.
var governanceRoles = []string{string(auth.RoleLeader), string(auth.RoleSteering), string(auth.RolePolitical)}

// governanceChanged reports whether going from roles before to after gives
// or takes a governance role.
func governanceChanged(before, after []string) bool {
	for _, r := range governanceRoles {
		if slices.Contains(before, r) != slices.Contains(after, r) {
			return true
		}
	}
	return false
}

// memberRequest is the body of PUT /api/plans/:id/members/:uid.
type memberRequest struct {
	Roles []string `json:"roles"`
}

func (s *Server) setMember(c echo.Context) error {
	var req memberRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	return s.putMember(c, c.Param("uid"), req.Roles)
}

// putMember gives an account of the plan's municipality roles in the plan.
// Giving or taking the leader, steering or political role is the
// administrator's (assign_leader); the leader manages the other roles.
func (s *Server) putMember(c echo.Context, user string, roles []string) error {
	roles, err := checkRoles(roles)
	if err != nil {
		return err
	}
	p := planOf(c)
	if _, err := s.cfg.Accounts.User(c.Request().Context(), p.Municipality, user); err != nil {
		return err
	}
	me := principal(c).Account
	actor := collab.Actor{ID: me.ID, Check: func(p *collab.Plan) error {
		if err := allow(me, p, auth.ActionManageProject); err != nil {
			return err
		}
		if governanceChanged(p.RolesOf(user), roles) {
			return allow(me, p, auth.ActionAssignLeader)
		}
		return nil
	}}
	p, err = s.cfg.Plans.SetMember(c.Request().Context(), actor, p.ID, user, roles)
	if err != nil {
		return err
	}
	return s.answerPlan(c, http.StatusOK, p)
}

func (s *Server) removeMember(c echo.Context) error {
	// Removing a non-member would commit an empty change to the plan log.
	user := c.Param("uid")
	if planOf(c).RolesOf(user) == nil {
		return collab.Errorf(collab.CodeNotFound, "%q is not a member of the plan", truncate(user, 100))
	}
	me := principal(c).Account
	actor := collab.Actor{ID: me.ID, Check: func(p *collab.Plan) error {
		if err := allow(me, p, auth.ActionManageProject); err != nil {
			return err
		}
		if governanceChanged(p.RolesOf(user), nil) {
			return allow(me, p, auth.ActionAssignLeader)
		}
		return nil
	}}
	p, err := s.cfg.Plans.SetMember(c.Request().Context(), actor, planOf(c).ID, user, nil)
	if err != nil {
		return err
	}
	return s.answerPlan(c, http.StatusOK, p)
}

// inviteRequest is the body of POST /api/plans/:id/invitations: an account
// of the municipality, by e-mail, and the roles to give it.
type inviteRequest struct {
	Email string   `json:"email"`
	Roles []string `json:"roles"`
}

func (s *Server) invite(c echo.Context) error {
	var req inviteRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	acct, err := s.cfg.Accounts.UserByEmail(c.Request().Context(), planOf(c).Municipality, req.Email)
	if err != nil {
		return err
	}
	return s.putMember(c, acct.ID, req.Roles)
}

// leaderRequest is the body of PUT /api/plans/:id/leader.
type leaderRequest struct {
	User string `json:"user"`
}

func (s *Server) setLeader(c echo.Context) error {
	var req leaderRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	p := planOf(c)
	roles := append([]string{collab.RoleLeader}, p.RolesOf(req.User)...)
	roles, err := checkRoles(roles)
	if err != nil {
		return err
	}
	if _, err := s.cfg.Accounts.User(c.Request().Context(), p.Municipality, req.User); err != nil {
		return err
	}
	p, err = s.cfg.Plans.SetMember(c.Request().Context(), s.actor(c, auth.ActionAssignLeader), p.ID, req.User, roles)
	if err != nil {
		return err
	}
	return s.answerPlan(c, http.StatusOK, p)
}
