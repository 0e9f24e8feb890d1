package server

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
)

// The administration of a municipality's plans: archiving and restoring
// a plan (archive_plan), and the overview of all its plans with their
// phase, leader, deadlines and overdue milestones (overview_plans). The
// leadership of a plan is transferred through PUT /api/plans/:id/leader
// (members.go). Every route is the administrator's, within their own
// municipality: another municipality's plans are not found.

// archiveRequest is the body of POST /api/plans/:id/archive ({} for no
// reason).
type archiveRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) archivePlan(c echo.Context) error {
	var req archiveRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	return s.setArchived(c, true, req.Reason)
}

func (s *Server) restorePlan(c echo.Context) error {
	return s.setArchived(c, false, "")
}

// setArchived archives or restores the plan of the route, checked again on
// the state the entry commits on, and writes it to the municipality's
// audit log next to the plan's own log entry.
func (s *Server) setArchived(c echo.Context, archived bool, reason string) error {
	me := principal(c).Account
	p, err := s.cfg.Plans.SetArchived(c.Request().Context(), s.actor(c, auth.ActionArchivePlan), planOf(c).ID, archived, reason)
	if err != nil {
		return err
	}
	action := "plan.unarchived"
	if archived {
		action = "plan.archived"
	}
	s.cfg.Accounts.Audit(c.Request().Context(), auth.AuditEvent{Municipality: p.Municipality, Plan: p.ID, Actor: me.ID,
		Action: action, Detail: strings.TrimSpace(reason)})
	return s.answerPlan(c, http.StatusOK, p)
}

// planOverview is a plan as the administrator's overview shows it.
type planOverview struct {
	ID       string          `json:"id"`
	Title    string          `json:"title"`
	Type     collab.PlanType `json:"type"`
	Phase    collab.Phase    `json:"phase"`
	Archived bool            `json:"archived"`
	Seq      int64           `json:"seq"`
	Created  time.Time       `json:"created"`
	Updated  time.Time       `json:"updated"`
	// Leader is the plan's leader, nil while none is assigned.
	Leader *personRef `json:"leader"`
	// Members are the plan's members and their roles, so that the
	// administrator sees each person's roles in every plan.
	Members []memberView `json:"members"`
	// NextMilestone is the earliest milestone not done whose date is today
	// or later; OverdueMilestones counts those whose date has passed.
	NextMilestone     *milestoneRef `json:"next_milestone"`
	OverdueMilestones int           `json:"overdue_milestones"`
	// OpenRounds counts the review rounds some recipient has not answered;
	// RoundDeadline is the earliest deadline among them ("" for none), which
	// may have passed.
	OpenRounds    int    `json:"open_rounds"`
	RoundDeadline string `json:"round_deadline,omitempty"`
}

// personRef names an account.
type personRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// milestoneRef is a milestone as the overview names it.
type milestoneRef struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Date  string `json:"date"`
}

// planOverviewList is the body of GET /api/admin/plans.
type planOverviewList struct {
	Today string         `json:"today"`
	Items []planOverview `json:"items"`
}

// overviewPlans answers every plan of the administrator's municipality,
// archived ones included (flagged): the plans in work first, each group by
// title.
func (s *Server) overviewPlans(c echo.Context) error {
	ctx := c.Request().Context()
	me := principal(c).Account
	sums, err := s.cfg.Plans.List(ctx, me.Municipality)
	if err != nil {
		return err
	}
	accts, err := s.cfg.Accounts.Users(ctx, me.Municipality)
	if err != nil {
		return err
	}
	byID := make(map[string]auth.Account, len(accts))
	for _, a := range accts {
		byID[a.ID] = a
	}
	today := s.today()
	out := planOverviewList{Today: today, Items: make([]planOverview, 0, len(sums))}
	for _, sum := range sums {
		if sum.Municipality != me.Municipality {
			continue
		}
		p, err := s.cfg.Plans.Get(ctx, sum.ID)
		if err != nil {
			return err
		}
		out.Items = append(out.Items, overviewOf(p, today, byID))
	}
	slices.SortStableFunc(out.Items, func(a, b planOverview) int {
		if a.Archived != b.Archived {
			if a.Archived {
				return 1
			}
			return -1
		}
		return strings.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title))
	})
	return c.JSON(http.StatusOK, out)
}

// overviewOf sums up p for the overview on the day today (YYYY-MM-DD).
func overviewOf(p *collab.Plan, today string, byID map[string]auth.Account) planOverview {
	o := planOverview{ID: p.ID, Title: p.Title, Type: p.Type, Phase: p.Phase, Archived: p.Archived, Seq: p.Seq,
		Created: p.Created, Updated: p.Updated, Members: make([]memberView, 0, len(p.Members))}
	if l := p.Leader(); l != "" {
		o.Leader = &personRef{ID: l, Name: byID[l].Name}
	}
	for _, m := range p.Members {
		a := byID[m.User]
		o.Members = append(o.Members, memberView{User: m.User, Name: a.Name, Email: a.Email, Roles: m.Roles})
	}
	for _, m := range p.Milestones {
		switch {
		case m.OverdueOn(today):
			o.OverdueMilestones++
		case m.Status != collab.MilestoneDone && (o.NextMilestone == nil || m.Date < o.NextMilestone.Date):
			o.NextMilestone = &milestoneRef{ID: m.ID, Title: m.Title, Date: m.Date}
		}
	}
	for _, r := range p.Rounds {
		if !slices.ContainsFunc(r.Recipients, func(u string) bool { return !r.Answered(u) }) {
			continue
		}
		o.OpenRounds++
		if o.RoundDeadline == "" || r.Deadline < o.RoundDeadline {
			o.RoundDeadline = r.Deadline
		}
	}
	return o
}
