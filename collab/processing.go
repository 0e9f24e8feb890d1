package collab

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/temaplan/temaplan/collab/delta"
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

// kindHearingAssessment is the plan-log entry of an assessment; kindRullering
// the old plan's entry that links it to the plan its rullering made.
const (
	kindHearingAssessment = "hearing.assessment"
	kindRullering         = "plan.rullering"
)

// processingChange returns the change of a Fase 3 entry kind, nil for
// others.
func processingChange(kind string) change {
	switch kind {
	case kindHearingAssessment:
		return &hearingAssessed{}
	case kindRullering:
		return &rulleringStarted{}
	}
	return nil
}

// hearingAssessed records the assessment of one response; a later one for
// the same response replaces it in the state (the log keeps both).
type hearingAssessed struct {
	Receipt string `json:"receipt"`
	Assessment
}

func (c *hearingAssessed) kind() string      { return kindHearingAssessment }
func (c *hearingAssessed) touches() []string { return []string{"hearing.assessment:" + c.Receipt} }
func (c *hearingAssessed) apply(p *Plan) error {
	if p.Hearing == nil || p.Hearing.Token == "" {
		return Errorf(CodeWrongPhase, "the plan has had no hearing")
	}
	if p.Phase != PhaseHearing && p.Phase != PhaseProcessing {
		return Errorf(CodeWrongPhase, "responses are assessed during the hearing and the processing, not in phase %s", p.Phase)
	}
	h := p.Hearing.clone()
	if h.Assessments == nil {
		h.Assessments = map[string]Assessment{}
	}
	h.Assessments[c.Receipt] = c.Assessment
	p.Hearing = h
	return nil
}

// maxAssessmentReason bounds an assessment's reason.
const maxAssessmentReason = 4000

// Assess records the assessment of the response receipt: outcome taken,
// partly or not, with a reason (plain text, 1–4000 characters). A response
// moderated rejected needs none and takes none (conflict).
func (hs *Hearings) Assess(ctx context.Context, by Actor, planID, receipt, outcome, reason string) (*Plan, error) {
	switch outcome {
	case OutcomeTaken, OutcomePartly, OutcomeNot:
	default:
		return nil, Errorf(CodeInvalid, "outcome must be %q, %q or %q", OutcomeTaken, OutcomePartly, OutcomeNot)
	}
	reason, err := checkPlainText("reason", reason, maxAssessmentReason)
	if err != nil {
		return nil, err
	}
	all, err := hs.Responses(ctx, planID)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(all, func(r ModeratedResponse) bool { return r.ID == receipt })
	if i < 0 {
		return nil, Errorf(CodeNotFound, "the hearing has no response %q", truncateRunes(receipt, 40))
	}
	if all[i].Moderation == ModerationRejected {
		return nil, Errorf(CodeConflict, "a rejected response is not assessed")
	}
	a := Assessment{Outcome: outcome, Reason: reason, By: by.ID, At: hs.now().UTC().Truncate(time.Millisecond)}
	return hs.plans.commit(ctx, by, planID, 0, &hearingAssessed{Receipt: receipt, Assessment: a})
}

// checkPlainText trims s and checks it is 1 to max characters of text; newlines
// and tabs are kept, other control characters refused (invalid).
func checkPlainText(field, s string, max int) (string, error) {
	s, err := responseField(field, s, max, true)
	if ErrorCode(err) == CodeTooLarge {
		return "", Errorf(CodeInvalid, "%s is longer than %d characters", field, max)
	}
	if err != nil {
		return "", err
	}
	if s == "" {
		return "", Errorf(CodeInvalid, "%s must not be empty", field)
	}
	return s, nil
}

// AssessmentRow is one row of the merknadsbehandling: a response that
// needs an assessment, with it once written.
type AssessmentRow struct {
	Receipt      string    `json:"receipt"`
	Sender       string    `json:"sender"`
	Organisation string    `json:"organisation"`
	Received     time.Time `json:"received"`
	Subject      string    `json:"subject"`
	Section      string    `json:"section"`
	Outcome      string    `json:"outcome"`
	Reason       string    `json:"reason"`
	By           string    `json:"by"`
	At           time.Time `json:"at,omitzero"`
}

// AssessmentTable returns the merknadsbehandling of p: a row for every
// response that needs an assessment (all but the rejected ones), oldest
// first, and how many of them have none yet. Section is the title of the
// section the response is about, "" for the plan as a whole.
func (hs *Hearings) AssessmentTable(ctx context.Context, p *Plan) ([]AssessmentRow, int, error) {
	all, err := hs.Responses(ctx, p.ID)
	if err != nil {
		return nil, 0, err
	}
	rows := []AssessmentRow{}
	missing := 0
	for _, r := range all {
		if r.Moderation == ModerationRejected {
			continue
		}
		row := AssessmentRow{Receipt: r.ID, Sender: r.Name, Organisation: r.Organisation,
			Received: r.Received, Subject: r.Subject}
		switch {
		case !r.Deleted.IsZero():
			row.Sender = r.Sender() // "Slettet": deleted at the end of its retention
		case row.Sender == "" && row.Organisation == "":
			row.Sender = "Anonym"
		}
		if r.Section != "" {
			if s, _, ok := p.Find(r.Section); ok {
				row.Section = s.Title
			}
		}
		var a Assessment
		var ok bool
		if p.Hearing != nil {
			a, ok = p.Hearing.Assessments[r.ID]
		}
		if ok {
			row.Outcome, row.Reason, row.By, row.At = a.Outcome, a.Reason, a.By, a.At
		} else {
			missing++
		}
		rows = append(rows, row)
	}
	return rows, missing, nil
}

// MissingAssessments returns how many of p's responses that need an
// assessment have none.
func (hs *Hearings) MissingAssessments(ctx context.Context, p *Plan) (int, error) {
	_, missing, err := hs.AssessmentTable(ctx, p)
	return missing, err
}

// Close closes the hearing of planID once its deadline day has ended
// (hearing_not_over before): the plan moves to processing, where the
// leader writes again.
func (hs *Hearings) Close(ctx context.Context, by Actor, planID string) (*Plan, error) {
	return hs.plans.Step(ctx, by.ID, planID, func(p *Plan) (Step, error) {
		if err := by.check(p); err != nil {
			return Step{}, err
		}
		if p.Phase != PhaseHearing {
			return Step{}, Errorf(CodeWrongPhase, "only a plan on hearing has a hearing to close, not one in phase %s", p.Phase)
		}
		if p.Hearing != nil && hs.now().Before(p.Hearing.Closes) {
			return Step{}, Errorf(CodeHearingNotOver, "the hearing runs until the end of its deadline day %s", p.Hearing.Deadline)
		}
		return Step{Action: "close_hearing", To: PhaseProcessing}, nil
	})
}

// DecisionInput is the council's decision as the leader or the
// administrator enters it.
type DecisionInput struct {
	Date       string `json:"date"`
	Body       string `json:"body"`
	CaseNumber string `json:"case_number"`
	Amendments string `json:"amendments"`
}

// Limits of a decision.
const (
	maxDecisionBody       = 200
	maxDecisionCaseNumber = 64
	maxDecisionAmendments = 20_000
)

// checkDecision validates in: a date not in the future, the body 1–200
// and the case number 1–64 characters, amendments plain text.
func (hs *Hearings) checkDecision(in DecisionInput) (Decision, error) {
	var d Decision
	day, err := time.Parse(time.DateOnly, strings.TrimSpace(in.Date))
	if err != nil {
		return d, Errorf(CodeInvalid, "date must be a date (YYYY-MM-DD)")
	}
	if day.After(hs.Today()) {
		return d, Errorf(CodeInvalid, "the date of the decision must not be in the future")
	}
	d.Date = day.Format(time.DateOnly)
	if d.Body, err = cleanText("body", in.Body, maxDecisionBody); err != nil {
		return d, err
	}
	if d.CaseNumber, err = cleanText("case_number", in.CaseNumber, maxDecisionCaseNumber); err != nil {
		return d, err
	}
	if d.Amendments, err = responseField("amendments", in.Amendments, maxDecisionAmendments, true); err != nil {
		if ErrorCode(err) == CodeTooLarge {
			return d, Errorf(CodeInvalid, "amendments is longer than %d characters", maxDecisionAmendments)
		}
		return d, err
	}
	return d, nil
}

// NewAdoption returns the adoption of planID with a new public page token
// (160 random bits), stored by a unique insert before the step that
// records it: a token whose step is not taken opens nothing, since the
// lookup checks the plan's adoption.
func (hs *Hearings) NewAdoption(ctx context.Context, planID string) (*Adoption, error) {
	now := hs.now().UTC().Truncate(time.Millisecond)
	token := newToken(20)
	if err := hs.store.InsertHearingToken(ctx, token, planID, now); err != nil {
		return nil, Wrap(CodeUnavailable, err, "the adopted plan's address could not be stored; try again")
	}
	return &Adoption{Token: token, AdoptedAt: now}, nil
}

// RecordDecision records the council's decision on a plan in final_review.
// Without amendments the plan is adopted in the same entry: "Vedtatt plan"
// is frozen and the adoption gets its public token. With amendments it
// moves to amending, where the leader writes them in and the steering
// group's approval adopts it. by.Check is the caller's policy, applied to
// the plan the step commits on (the steering group's approval among it).
func (hs *Hearings) RecordDecision(ctx context.Context, by Actor, planID string, in DecisionInput) (*Plan, error) {
	d, err := hs.checkDecision(in)
	if err != nil {
		return nil, err
	}
	var adoption *Adoption
	if d.Amendments == "" {
		// A decision refused as the plan stands stores no token (the
		// step decides again on the state it commits on).
		p, err := hs.plans.Get(ctx, planID)
		if err != nil {
			return nil, err
		}
		if err := by.check(p); err != nil {
			return nil, err
		}
		if p.Phase != PhaseFinalReview {
			return nil, Errorf(CodeWrongPhase, "the decision is recorded in phase final_review, not %s", p.Phase)
		}
		if adoption, err = hs.NewAdoption(ctx, planID); err != nil {
			return nil, err
		}
	}
	return hs.plans.Step(ctx, by.ID, planID, func(p *Plan) (Step, error) {
		if err := by.check(p); err != nil {
			return Step{}, err
		}
		if p.Phase != PhaseFinalReview {
			return Step{}, Errorf(CodeWrongPhase, "the decision is recorded in phase final_review, not %s", p.Phase)
		}
		d := d
		d.RecordedBy, d.RecordedAt = by.ID, hs.now().UTC().Truncate(time.Millisecond)
		if adoption != nil {
			return Step{Action: "record_decision", To: PhaseAdopted, Freeze: AdoptedName, Decision: &d, Adoption: adoption}, nil
		}
		return Step{Action: "record_amendments", To: PhaseAmending, Decision: &d}, nil
	})
}

// AdoptedText returns the frozen text of every section of the adopted
// version ("Vedtatt plan") with the version's content, as HearingText
// does for the hearing draft.
func (hs *Hearings) AdoptedText(ctx context.Context, p *Plan) (NamedVersion, VersionContent, map[string]delta.Delta, error) {
	if p.Adoption == nil {
		return NamedVersion{}, VersionContent{}, nil, Errorf(CodeNotFound, "the plan is not adopted")
	}
	return hs.plans.ReadVersionText(ctx, p, p.Adoption.Version)
}
