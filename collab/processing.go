package collab

import (
	"context"
	"strings"
	"time"
)

// Fase 3 of the planning process (SPEC.md §6, docs/processing.md): the
// steering group closes the hearing after its deadline, the leader and the
// members assess every response that needs it, the steering group locks
// the final proposal and approves it, the leader (or the administrator)
// records the council's decision, and the plan is adopted: "Vedtatt plan"
// is frozen and gets a public page.

// Decision is the council's decision on the plan, as the leader or the
// administrator recorded it. Immutable.
type Decision struct {
	Date       string    `json:"date"` // YYYY-MM-DD
	Body       string    `json:"body"` // e.g. "Kommunestyret"
	CaseNumber string    `json:"case_number"`
	Amendments string    `json:"amendments"` // "" when adopted as proposed
	RecordedBy string    `json:"recorded_by"`
	RecordedAt time.Time `json:"recorded_at"`
}

// Adoption is set when the plan becomes adopted: the public page's token
// (160 random bits) and the seq of the named version "Vedtatt plan" the
// page shows. Immutable.
type Adoption struct {
	Token     string    `json:"token"`
	Version   int64     `json:"version"`
	AdoptedAt time.Time `json:"adopted_at"`
}

// PlanLink links a plan to the plan it was rullert from (Previous, with
// the seq of the version it started from) or to the plan its rullering
// started (Next, Version 0).
type PlanLink struct {
	PlanID  string `json:"plan_id"`
	Title   string `json:"title"`
	Version int64  `json:"version,omitempty"`
}

// Assessment is the plan's assessment of one hearing response
// (merknadsbehandling): the outcome and its reason. Immutable.
type Assessment struct {
	Outcome string    `json:"outcome"`
	Reason  string    `json:"reason"`
	By      string    `json:"by"`
	At      time.Time `json:"at"`
}

// The outcomes of an assessment.
const (
	OutcomeTaken  = "taken"  // tatt til følge
	OutcomePartly = "partly" // delvis tatt til følge
	OutcomeNot    = "not"    // ikke tatt til følge
)

// PlanForAdoptionToken returns the adopted plan whose public page token
// opens (not_found otherwise). Adoption tokens are unique inserts in the
// same table as the hearing pages' tokens: one namespace of public page
// tokens, each checked against the plan it names.
func (hs *Hearings) PlanForAdoptionToken(ctx context.Context, token string) (*Plan, error) {
	token = strings.TrimSpace(token)
	if token == "" || len(token) > 64 {
		return nil, Errorf(CodeNotFound, "no such plan")
	}
	id, ok, err := hs.store.HearingTokenPlan(ctx, token)
	if err != nil {
		return nil, Wrap(CodeUnavailable, err, "the plan could not be read")
	}
	if !ok {
		return nil, Errorf(CodeNotFound, "no such plan")
	}
	p, err := hs.plans.Current(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Adoption == nil || p.Adoption.Token != token {
		return nil, Errorf(CodeNotFound, "no such plan")
	}
	return p, nil
}
