package server

import (
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
)

// apiRoute is one route of the REST API with its access rule. Every route
// under /api is in apiRoutes, and the registration enforces the rule
// before the handler runs, so a handler cannot forget it; a test calls
// every route with every role and fails for a route missing here.
type apiRoute struct {
	method, path string
	handler      func(s *Server, c echo.Context) error
	// public routes need no login (the login itself, the WebSocket
	// upgrade whose hello carries the token).
	public bool
	// action is the policy action checked before the handler runs: on the
	// plan named by :id for plan routes, on the caller's account for
	// global ones (create_plan, manage_users). "" admits every logged-in
	// person; such handlers show only what the person may see.
	action auth.Action
	// byBody routes choose the action from the request body (transitions);
	// the route itself admits every member of the plan.
	byBody bool
}

// planKey is the Echo context key of the plan a plan route acts on.
const planKey = "temaplan.plan"

// apiRoutes lists the REST API. Keep docs (openapi.yaml) in step.
var apiRoutes = []apiRoute{
	{method: "GET", path: "/openapi.json", handler: (*Server).openAPI, public: true},
	{method: "POST", path: "/auth/login", handler: (*Server).login, public: true},
	{method: "POST", path: "/auth/refresh", handler: (*Server).refresh, public: true},
	{method: "POST", path: "/auth/logout", handler: (*Server).logout, public: true},
	{method: "GET", path: "/auth/methods", handler: (*Server).authMethods, public: true},
	{method: "GET", path: "/auth/oidc/start", handler: (*Server).ssoStart, public: true},
	{method: "GET", path: "/auth/oidc/callback", handler: (*Server).ssoCallback, public: true},
	{method: "POST", path: "/auth/password/forgot", handler: (*Server).forgotPassword, public: true},
	{method: "POST", path: "/auth/password/token", handler: (*Server).passwordToken, public: true},
	{method: "POST", path: "/auth/password/reset", handler: (*Server).resetPassword, public: true},
	{method: "GET", path: "/accessibility", handler: (*Server).accessibility, public: true},
	{method: "GET", path: "/me", handler: (*Server).getMe},
	{method: "GET", path: "/me/notifications", handler: (*Server).getNotifications},
	{method: "PUT", path: "/me/notifications", handler: (*Server).putNotifications},

	{method: "GET", path: "/plans", handler: (*Server).listPlans},
	{method: "POST", path: "/plans", handler: (*Server).createPlan, action: auth.ActionCreatePlan},
	{method: "GET", path: "/plans/:id", handler: (*Server).getPlan, action: auth.ActionReadPlan},
	{method: "POST", path: "/plans/:id/sections", handler: (*Server).addSection, action: auth.ActionEditStructure},
	{method: "PATCH", path: "/plans/:id/sections/:sid", handler: (*Server).updateSection, action: auth.ActionEditStructure},
	{method: "POST", path: "/plans/:id/sections/:sid/move", handler: (*Server).moveSection, action: auth.ActionEditStructure},
	{method: "DELETE", path: "/plans/:id/sections/:sid", handler: (*Server).deleteSection, action: auth.ActionEditStructure},
	{method: "PUT", path: "/plans/:id/sections/:sid/responsibility", handler: (*Server).setResponsibility, action: auth.ActionManageProject},
	{method: "GET", path: "/plans/:id/sections/:sid/content", handler: (*Server).content, action: auth.ActionReadPlan},

	{method: "PUT", path: "/plans/:id/members/:uid", handler: (*Server).setMember, action: auth.ActionManageProject},
	{method: "DELETE", path: "/plans/:id/members/:uid", handler: (*Server).removeMember, action: auth.ActionManageProject},
	{method: "POST", path: "/plans/:id/invitations", handler: (*Server).invite, action: auth.ActionManageProject},
	{method: "PUT", path: "/plans/:id/leader", handler: (*Server).setLeader, action: auth.ActionAssignLeader},
	{method: "POST", path: "/plans/:id/transitions", handler: (*Server).transition, byBody: true},
	{method: "GET", path: "/plans/:id/audit", handler: (*Server).planAudit, action: auth.ActionReadAudit},
	{method: "POST", path: "/plans/:id/archive", handler: (*Server).archivePlan, action: auth.ActionArchivePlan},
	{method: "DELETE", path: "/plans/:id/archive", handler: (*Server).restorePlan, action: auth.ActionArchivePlan},

	{method: "GET", path: "/plans/:id/comments", handler: (*Server).listComments, action: auth.ActionReadPlan},
	{method: "POST", path: "/plans/:id/comments", handler: (*Server).addComment, action: auth.ActionComment},
	{method: "POST", path: "/plans/:id/comments/:cid/replies", handler: (*Server).reply, action: auth.ActionComment},
	{method: "PATCH", path: "/plans/:id/comments/:cid", handler: (*Server).editComment, action: auth.ActionComment},
	{method: "DELETE", path: "/plans/:id/comments/:cid", handler: (*Server).deleteComment, action: auth.ActionComment},
	// Resolving decides by the thread: its author, the leader, or for a
	// required change the steering group (see resolveThread).
	{method: "POST", path: "/plans/:id/comments/:cid/resolve", handler: (*Server).resolveThread, action: auth.ActionResolveOwnThread},
	{method: "POST", path: "/plans/:id/comments/:cid/required", handler: (*Server).requireChange, action: auth.ActionRequireChange},
	{method: "POST", path: "/plans/:id/comments/:cid/done", handler: (*Server).markDone, action: auth.ActionMarkChangeDone},
	{method: "GET", path: "/plans/:id/suggestions", handler: (*Server).listSuggestions, action: auth.ActionReadPlan},
	{method: "POST", path: "/plans/:id/suggestions", handler: (*Server).addSuggestion, action: auth.ActionSuggest},
	{method: "POST", path: "/plans/:id/suggestions/:sgid/accept", handler: (*Server).acceptSuggestion, action: auth.ActionDecideSuggestion},
	{method: "POST", path: "/plans/:id/suggestions/:sgid/reject", handler: (*Server).rejectSuggestion, action: auth.ActionDecideSuggestion},
	{method: "GET", path: "/plans/:id/sections/:sid/history", handler: (*Server).sectionHistory, action: auth.ActionReadPlan},
	{method: "GET", path: "/plans/:id/sections/:sid/authorship", handler: (*Server).authorship, action: auth.ActionReadPlan},
	{method: "GET", path: "/plans/:id/versions", handler: (*Server).listVersions, action: auth.ActionReadPlan},
	{method: "POST", path: "/plans/:id/versions", handler: (*Server).freezeVersion, action: auth.ActionFreezeVersion},
	{method: "GET", path: "/plans/:id/diff", handler: (*Server).diffVersions, action: auth.ActionReadPlan},
	{method: "POST", path: "/plans/:id/sections/:sid/restore", handler: (*Server).restoreSection, action: auth.ActionRestoreSection},

	{method: "PATCH", path: "/plans/:id/settings", handler: (*Server).changeSettings, action: auth.ActionEditStructure},
	{method: "POST", path: "/plans/:id/goals", handler: saveObject[*collab.Goal, collab.GoalInput]("", "goal", auth.ActionEditStructure), action: auth.ActionEditStructure},
	{method: "PATCH", path: "/plans/:id/goals/:gid", handler: saveObject[*collab.Goal, collab.GoalInput]("gid", "goal", auth.ActionEditStructure), action: auth.ActionEditStructure},
	{method: "DELETE", path: "/plans/:id/goals/:gid", handler: deleteObject[*collab.Goal]("gid", auth.ActionEditStructure), action: auth.ActionEditStructure},
	{method: "POST", path: "/plans/:id/strategies", handler: saveObject[*collab.Strategy, collab.StrategyInput]("", "strategy", auth.ActionEditStructure), action: auth.ActionEditStructure},
	{method: "PATCH", path: "/plans/:id/strategies/:stid", handler: saveObject[*collab.Strategy, collab.StrategyInput]("stid", "strategy", auth.ActionEditStructure), action: auth.ActionEditStructure},
	{method: "DELETE", path: "/plans/:id/strategies/:stid", handler: deleteObject[*collab.Strategy]("stid", auth.ActionEditStructure), action: auth.ActionEditStructure},
	{method: "POST", path: "/plans/:id/measures", handler: saveObject[*collab.Measure, collab.MeasureInput]("", "measure", auth.ActionEditStructure), action: auth.ActionEditStructure},
	{method: "PATCH", path: "/plans/:id/measures/:mid", handler: saveObject[*collab.Measure, collab.MeasureInput]("mid", "measure", auth.ActionEditStructure), action: auth.ActionEditStructure},
	{method: "DELETE", path: "/plans/:id/measures/:mid", handler: deleteObject[*collab.Measure]("mid", auth.ActionEditStructure), action: auth.ActionEditStructure},
	{method: "POST", path: "/plans/:id/indicators", handler: saveObject[*collab.Indicator, collab.IndicatorInput]("", "indicator", auth.ActionEditStructure), action: auth.ActionEditStructure},
	{method: "PATCH", path: "/plans/:id/indicators/:iid", handler: saveObject[*collab.Indicator, collab.IndicatorInput]("iid", "indicator", auth.ActionEditStructure), action: auth.ActionEditStructure},
	{method: "DELETE", path: "/plans/:id/indicators/:iid", handler: deleteObject[*collab.Indicator]("iid", auth.ActionEditStructure), action: auth.ActionEditStructure},
	{method: "POST", path: "/plans/:id/indicators/:iid/reports", handler: (*Server).reportIndicator, action: auth.ActionEditStructure},
	{method: "POST", path: "/plans/:id/milestones", handler: saveObject[*collab.Milestone, collab.MilestoneInput]("", "milestone", auth.ActionManageProject), action: auth.ActionManageProject},
	{method: "PATCH", path: "/plans/:id/milestones/:msid", handler: saveObject[*collab.Milestone, collab.MilestoneInput]("msid", "milestone", auth.ActionManageProject), action: auth.ActionManageProject},
	{method: "DELETE", path: "/plans/:id/milestones/:msid", handler: deleteObject[*collab.Milestone]("msid", auth.ActionManageProject), action: auth.ActionManageProject},
	{method: "POST", path: "/plans/:id/rounds", handler: (*Server).sendRound, action: auth.ActionManageProject},
	{method: "POST", path: "/plans/:id/rounds/:rid/done", handler: (*Server).answerRound, action: auth.ActionReadPlan},
	{method: "GET", path: "/plans/:id/economics", handler: (*Server).economics, action: auth.ActionReadPlan},
	{method: "POST", path: "/plans/:id/economics/signoff", handler: (*Server).signOffEconomics, action: auth.ActionSignOffEconomics},
	{method: "GET", path: "/plans/:id/privacy", handler: (*Server).privacy, action: auth.ActionReadPlan},
	{method: "POST", path: "/plans/:id/privacy/:fid/accept", handler: (*Server).acceptFinding, action: auth.ActionAcceptPrivacyFinding},
	{method: "DELETE", path: "/plans/:id/privacy/:fid/accept", handler: (*Server).reopenFinding, action: auth.ActionAcceptPrivacyFinding},
	{method: "GET", path: "/plans/:id/lix", handler: (*Server).lix, action: auth.ActionReadPlan},
	{method: "POST", path: "/plans/:id/exports", handler: (*Server).startExport, action: auth.ActionExport},
	{method: "GET", path: "/plans/:id/exports/:eid", handler: (*Server).getExport, action: auth.ActionExport},
	{method: "GET", path: "/plans/:id/exports/:eid/file", handler: (*Server).exportFile, action: auth.ActionExport},

	// The hearing (docs/hearing.md); its public page is /h/:token.
	{method: "GET", path: "/plans/:id/hearing", handler: (*Server).getHearing, action: auth.ActionReadPlan},
	{method: "PUT", path: "/plans/:id/hearing", handler: (*Server).decideHearing, action: auth.ActionDecideHearing},
	{method: "POST", path: "/plans/:id/hearing/start", handler: (*Server).startHearing, action: auth.ActionStartHearing},
	{method: "PUT", path: "/plans/:id/hearing/bodies/:bid", handler: (*Server).setHearingBody, action: auth.ActionRunHearing},
	{method: "GET", path: "/plans/:id/hearing/responses", handler: (*Server).listResponses, action: auth.ActionReadPlan},
	{method: "GET", path: "/plans/:id/hearing/responses/export", handler: (*Server).exportResponses, action: auth.ActionExport},
	{method: "POST", path: "/plans/:id/hearing/responses/:rid/moderation", handler: (*Server).moderateResponse, action: auth.ActionModerateResponses},

	// Fase 3 (docs/processing.md): the lock of the final proposal and
	// the approvals are transitions.
	{method: "POST", path: "/plans/:id/hearing/close", handler: (*Server).closeHearing, action: auth.ActionCloseHearing},
	{method: "PUT", path: "/plans/:id/hearing/responses/:rid/assessment", handler: (*Server).assessResponse, action: auth.ActionWriteAssessment},
	{method: "GET", path: "/plans/:id/hearing/assessments", handler: (*Server).assessmentTable, action: auth.ActionReadPlan},
	// The decision with amendments is record_amendments, checked again
	// by the handler (the same roles and phase).
	{method: "POST", path: "/plans/:id/decision", handler: (*Server).recordDecision, action: auth.ActionRecordDecision},
	{method: "POST", path: "/plans/:id/rullering", handler: (*Server).startRullering, action: auth.ActionStartRullering},

	{method: "GET", path: "/admin/users", handler: (*Server).listUsers, action: auth.ActionManageUsers},
	{method: "POST", path: "/admin/users", handler: (*Server).createUser, action: auth.ActionManageUsers},
	{method: "PATCH", path: "/admin/users/:uid", handler: (*Server).updateUser, action: auth.ActionManageUsers},
	{method: "GET", path: "/admin/audit", handler: (*Server).municipalityAudit, action: auth.ActionManageUsers},
	{method: "GET", path: "/admin/plans", handler: (*Server).overviewPlans, action: auth.ActionOverviewPlans},
	{method: "GET", path: "/admin/municipality", handler: (*Server).getMunicipality, action: auth.ActionManageMunicipality},
	{method: "PUT", path: "/admin/municipality", handler: (*Server).putMunicipality, action: auth.ActionManageMunicipality},
}

// routesAPI registers apiRoutes on the /api group.
func (s *Server) routesAPI(api *echo.Group) {
	for _, r := range apiRoutes {
		h := func(c echo.Context) error { return r.handler(s, c) }
		switch {
		case r.public:
		case hasPlanParam(r.path):
			h = s.authenticate(s.planAccess(r, h))
		default:
			h = s.authenticate(globalAccess(r, h))
		}
		api.Add(r.method, r.path, h)
	}
	// The demo clock exists only on a demo server started with
	// -demo-clock (browser tests); anywhere else the route is absent.
	if s.cfg.DemoClock != nil {
		api.POST("/demo/clock", s.authenticate(s.advanceDemoClock))
	}
}

// hasPlanParam reports whether a route acts on the plan named by :id: the
// plan itself and every route below it.
func hasPlanParam(path string) bool {
	return path == "/plans/:id" || strings.HasPrefix(path, "/plans/:id/")
}

// planAccess loads the plan of :id and checks the route's action on it.
func (s *Server) planAccess(r apiRoute, next echo.HandlerFunc) echo.HandlerFunc {
	action := r.action
	if r.byBody {
		action = auth.ActionReadPlan
	}
	return func(c echo.Context) error {
		p, err := s.cfg.Plans.Current(c.Request().Context(), c.Param("id"))
		if err != nil {
			return err
		}
		if err := allow(principal(c).Account, p, action); err != nil {
			return err
		}
		c.Set(planKey, p)
		return next(c)
	}
}

// globalAccess checks an action that concerns no single plan against the
// caller's account (the administrator of their own municipality).
func globalAccess(r apiRoute, next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if r.action != "" {
			var roles []auth.Role
			if principal(c).Account.Admin {
				roles = append(roles, auth.RoleAdmin)
			}
			if err := auth.Allowed(roles, r.action, collab.PhaseDraft); err != nil {
				return err
			}
		}
		return next(c)
	}
}

// planOf returns the plan a plan route acts on, as loaded by planAccess.
// It is shared (collab.Plans.Current): read it, never change it.
func planOf(c echo.Context) *collab.Plan {
	p, _ := c.Get(planKey).(*collab.Plan)
	return p
}
