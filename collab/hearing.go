package collab

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/temaplan/temaplan/collab/delta"
)

// The public hearing (SPEC.md §6 "hearing", DOMAIN.md Fase 2). The steering
// group decides the form of the hearing and its hearing bodies while the
// plan is approved (a "hearing.decided" entry), then starts it with a
// deadline: a phase change approved → hearing whose entry carries the
// hearing record, the public page's token and the named version the page
// shows (the Høringsutkast). The leader tracks each body's status
// ("hearing.body"). Responses come from the public: each is a unique
// insert in the HearingStore under a random receipt number, announced to
// the plan's members by a "hearing.response" entry that holds only its
// journal metadata; moderation is one unique insert per response.

// MinHearingWeeks is the legal minimum of a kommunedelplan's public
// inspection (plan- og bygningsloven), and the default of a temaplan.
const MinHearingWeeks = 6

// maxHearingWeeks bounds a hearing's length.
const maxHearingWeeks = 52

// BodyStatus is where a hearing body is in the hearing.
type BodyStatus string

// The statuses of a hearing body.
const (
	BodyPending  BodyStatus = "pending"  // not sent yet
	BodySent     BodyStatus = "sent"     // sendt
	BodyReminded BodyStatus = "reminded" // purret
	BodyAnswered BodyStatus = "answered" // svart
	BodyNoAnswer BodyStatus = "no_answer"
)

func (s BodyStatus) valid() bool {
	switch s {
	case BodyPending, BodySent, BodyReminded, BodyAnswered, BodyNoAnswer:
		return true
	}
	return false
}

// HearingBody is one receiver of the hearing (høringsinstans).
type HearingBody struct {
	ID     string     `json:"id"`
	Name   string     `json:"name"`
	Status BodyStatus `json:"status"`
}

// DefaultHearingBodies is the register a hearing starts with (DOMAIN.md:
// Statsforvalteren, NAV, user organisations and the councils of
// kommuneloven § 5-12).
func DefaultHearingBodies() []HearingBody {
	names := []string{"Statsforvalteren", "NAV", "Brukerorganisasjoner", "Eldrerådet",
		"Rådet for personer med funksjonsnedsettelse", "Ungdomsrådet"}
	out := make([]HearingBody, len(names))
	for i, n := range names {
		out[i] = HearingBody{ID: fmt.Sprintf("b%d", i+1), Name: n, Status: BodyPending}
	}
	return out
}

// Hearing is a plan's hearing: decided while approved, started with the
// move to the hearing phase. Its values are immutable: a change replaces
// the plan's *Hearing.
type Hearing struct {
	Form   string        `json:"form"`
	Bodies []HearingBody `json:"bodies"`
	// Set when the hearing starts: the first day, the last day responses
	// are taken (dates, YYYY-MM-DD), the moment it closes (the end of the
	// deadline day in the municipality's time zone), the public page's
	// token and the seq of the named version the page shows.
	Start    string    `json:"start,omitempty"`
	Deadline string    `json:"deadline,omitempty"`
	Closes   time.Time `json:"closes,omitzero"`
	Token    string    `json:"token,omitempty"`
	Version  int64     `json:"version,omitempty"`
	// Received counts the responses announced in the plan log.
	Received int `json:"received,omitempty"`
	// Assessments are the responses' assessments by receipt number
	// (processing.go); a later one replaces the earlier.
	Assessments map[string]Assessment `json:"assessments,omitempty"`
}

func (h *Hearing) clone() *Hearing {
	if h == nil {
		return &Hearing{}
	}
	c := *h
	c.Bodies = slices.Clone(h.Bodies)
	c.Assessments = maps.Clone(h.Assessments)
	return &c
}

// Open reports whether the hearing takes responses at now.
func (h *Hearing) Open(now time.Time) bool {
	return h != nil && h.Token != "" && now.Before(h.Closes)
}

// Entry kinds of the hearing.
const (
	kindHearingDecided  = "hearing.decided"
	kindHearingBody     = "hearing.body"
	kindHearingResponse = "hearing.response"
)

// hearingChange returns the change of a hearing entry kind, nil for others.
func hearingChange(kind string) change {
	switch kind {
	case kindHearingDecided:
		return &hearingDecided{}
	case kindHearingBody:
		return &hearingBodySet{}
	case kindHearingResponse:
		return &hearingResponded{}
	}
	return nil
}

// hearingDecided records the form and the bodies of the hearing.
type hearingDecided struct {
	Form   string        `json:"form"`
	Bodies []HearingBody `json:"bodies"`
}

func (c *hearingDecided) kind() string      { return kindHearingDecided }
func (c *hearingDecided) touches() []string { return []string{"hearing"} }
func (c *hearingDecided) apply(p *Plan) error {
	if p.Phase != PhaseApproved {
		return Errorf(CodeWrongPhase, "the hearing is decided while the plan is approved, not in phase %s", p.Phase)
	}
	h := p.Hearing.clone()
	h.Form, h.Bodies = c.Form, slices.Clone(c.Bodies)
	p.Hearing = h
	return nil
}

// hearingBodySet changes one body's status.
type hearingBodySet struct {
	Body   string     `json:"body"`
	Status BodyStatus `json:"status"`
}

func (c *hearingBodySet) kind() string      { return kindHearingBody }
func (c *hearingBodySet) touches() []string { return []string{"hearing.body:" + c.Body} }
func (c *hearingBodySet) apply(p *Plan) error {
	if p.Hearing == nil {
		return Errorf(CodeWrongPhase, "the plan has no hearing")
	}
	h := p.Hearing.clone()
	i := slices.IndexFunc(h.Bodies, func(b HearingBody) bool { return b.ID == c.Body })
	if i < 0 {
		return Errorf(CodeNotFound, "the hearing has no body %q", truncateRunes(c.Body, 40))
	}
	if h.Bodies[i].Status == c.Status {
		return errUnchanged
	}
	h.Bodies[i].Status = c.Status
	p.Hearing = h
	return nil
}

// hearingResponded announces a response with its journal metadata.
type hearingResponded struct {
	Receipt  string    `json:"receipt"`
	Sender   string    `json:"sender"`
	Subject  string    `json:"subject"`
	Received time.Time `json:"received"`
}

func (c *hearingResponded) kind() string      { return kindHearingResponse }
func (c *hearingResponded) touches() []string { return []string{"hearing.responses"} }
func (c *hearingResponded) apply(p *Plan) error {
	if p.Hearing == nil {
		return Errorf(CodeWrongPhase, "the plan has no hearing")
	}
	h := p.Hearing.clone()
	h.Received++
	p.Hearing = h
	return nil
}

// HearingResponse is a response to a hearing, as stored. Its ID is the
// receipt number: random, so that it cannot be guessed from another.
type HearingResponse struct {
	ID           string    `json:"id"`
	Plan         string    `json:"plan"`
	Name         string    `json:"name"`
	Organisation string    `json:"organisation"`
	Email        string    `json:"email"`
	Text         string    `json:"text"`
	Section      string    `json:"section"`
	Quote        string    `json:"quote"`
	Subject      string    `json:"subject"`
	Received     time.Time `json:"received"`
	// Deleted is when the response's personal fields (name, organisation,
	// e-mail, text, quote) were deleted at the end of its retention
	// (hearing_retention.go); zero while it is kept.
	Deleted time.Time `json:"deleted,omitzero"`
}

// Sender is the response's sender for the journal: name and organisation.
func (r HearingResponse) Sender() string {
	switch {
	case !r.Deleted.IsZero():
		return "Slettet"

	case r.Name != "" && r.Organisation != "":
		return r.Name + ", " + r.Organisation
	case r.Name != "":
		return r.Name
	case r.Organisation != "":
		return r.Organisation
	}
	return "Anonym"
}

// Moderation decisions.
const (
	ModerationPublished = "published"
	ModerationRejected  = "rejected"
)

// Moderation is the one decision on a response: published on the public
// page, or rejected (kept for the case, never shown).
type Moderation struct {
	Response string    `json:"response"`
	Plan     string    `json:"plan"`
	Decision string    `json:"decision"`
	By       string    `json:"by"`
	At       time.Time `json:"at"`
}

// HearingStore keeps the hearing's tokens, responses and moderation. Every
// write is a unique insert; a second insert of a key fails with an error
// wrapping ErrDuplicate.
type HearingStore interface {
	// InsertHearingToken records that token opens plan's hearing page.
	InsertHearingToken(ctx context.Context, token, plan string, at time.Time) error
	// HearingTokenPlan returns the plan token opens, if any.
	HearingTokenPlan(ctx context.Context, token string) (string, bool, error)
	// InsertHearingResponse stores r under the unique key r.ID.
	InsertHearingResponse(ctx context.Context, r HearingResponse) error
	// HearingResponses returns plan's responses, oldest first (ties by id).
	HearingResponses(ctx context.Context, plan string) ([]HearingResponse, error)
	// InsertModeration stores the decision on m.Response, unique per
	// response.
	InsertModeration(ctx context.Context, m Moderation) error
	// Moderations returns the decisions on plan's responses.
	Moderations(ctx context.Context, plan string) ([]Moderation, error)
	// HearingResponsePlans returns the plans with responses not deleted.
	HearingResponsePlans(ctx context.Context) ([]string, error)
	// DeleteHearingResponse empties the personal fields of response id
	// and sets its Deleted to at; it changes nothing for a response
	// deleted already (or unknown).
	DeleteHearingResponse(ctx context.Context, id string, at time.Time) error
}

// Hearings runs the hearings of plans.
type Hearings struct {
	plans *Plans
	store HearingStore
	now   func() time.Time
	zone  *time.Location
}

// HearingsConfig is what Hearings needs.
type HearingsConfig struct {
	Plans *Plans
	Store HearingStore
	// Now is the clock; time.Now when nil. Zone is the municipalities'
	// time zone, in which a deadline day ends (UTC when nil).
	Now  func() time.Time
	Zone *time.Location
}

// NewHearings returns the hearing service.
func NewHearings(cfg HearingsConfig) *Hearings {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Zone == nil {
		cfg.Zone = time.UTC
	}
	return &Hearings{plans: cfg.Plans, store: cfg.Store, now: cfg.Now, zone: cfg.Zone}
}

// Limits of the hearing's input.
const (
	maxHearingForm    = 2000
	maxHearingBodies  = 100
	maxBodyName       = 200
	maxResponseName   = 200
	maxResponseEmail  = 254
	maxResponseText   = 20_000
	maxResponseQuote  = 1000
	maxResponseSubjct = 300
)

// Decide records the form of the hearing and its bodies (nil bodies: the
// default register). Bodies without an id get one; statuses default to
// pending.
func (hs *Hearings) Decide(ctx context.Context, by Actor, planID, form string, bodies []HearingBody) (*Plan, error) {
	form = strings.TrimSpace(form)
	if !utf8.ValidString(form) || utf8.RuneCountInString(form) > maxHearingForm {
		return nil, Errorf(CodeInvalid, "form must be valid text of at most %d characters", maxHearingForm)
	}
	if bodies == nil {
		bodies = DefaultHearingBodies()
	}
	if len(bodies) > maxHearingBodies {
		return nil, Errorf(CodeTooLarge, "a hearing has at most %d bodies", maxHearingBodies)
	}
	seen := map[string]bool{}
	out := make([]HearingBody, 0, len(bodies))
	for i, b := range bodies {
		name, err := cleanText("body name", b.Name, maxBodyName)
		if err != nil {
			return nil, err
		}
		id := strings.TrimSpace(b.ID)
		if id == "" {
			id = fmt.Sprintf("b%d", i+1)
		}
		if _, err := cleanText("body id", id, maxIDLen); err != nil {
			return nil, err
		}
		if seen[id] {
			id = fmt.Sprintf("b%d-%d", i+1, len(seen))
		}
		seen[id] = true
		st := b.Status
		if st == "" {
			st = BodyPending
		}
		if !st.valid() {
			return nil, Errorf(CodeInvalid, "status must be pending, sent, reminded, answered or no_answer")
		}
		out = append(out, HearingBody{ID: id, Name: name, Status: st})
	}
	return hs.plans.commit(ctx, by, planID, 0, &hearingDecided{Form: form, Bodies: out})
}

// SetBodyStatus records a hearing body's status (sent, reminded, ...).
func (hs *Hearings) SetBodyStatus(ctx context.Context, by Actor, planID, body string, status BodyStatus) (*Plan, error) {
	if !status.valid() {
		return nil, Errorf(CodeInvalid, "status must be pending, sent, reminded, answered or no_answer")
	}
	return hs.plans.commit(ctx, by, planID, 0, &hearingBodySet{Body: body, Status: status})
}

// day is a date at midnight UTC.
func parseDay(s string) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, Errorf(CodeInvalid, "deadline must be a date (YYYY-MM-DD)")
	}
	return d, nil
}

// dayOf returns t's date in zone, at midnight UTC.
func dayOf(t time.Time, zone *time.Location) time.Time {
	y, m, d := t.In(zone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// DefaultDeadline is the deadline of a hearing started on day start and
// lasting weeks (MinHearingWeeks when weeks <= 0), as YYYY-MM-DD.
func DefaultDeadline(start time.Time, weeks int) string {
	if weeks <= 0 {
		weeks = MinHearingWeeks
	}
	return start.AddDate(0, 0, 7*weeks).Format(time.DateOnly)
}

// CheckDeadline checks a deadline for a hearing of a plan of type t that
// starts on day start: after start, within a year, and for a
// kommunedelplan at least six weeks after it (hearing_too_short).
func CheckDeadline(t PlanType, start, deadline time.Time) error {
	switch {
	case !deadline.After(start):
		return Errorf(CodeInvalid, "the deadline must be after the hearing starts (%s)", start.Format(time.DateOnly))
	case deadline.After(start.AddDate(0, 0, 7*maxHearingWeeks)):
		return Errorf(CodeInvalid, "a hearing lasts at most %d weeks", maxHearingWeeks)
	case t == TypeKommunedelplan && deadline.Before(start.AddDate(0, 0, 7*MinHearingWeeks)):
		return Errorf(CodeHearingTooShort, "a kommunedelplan is on public inspection for at least %d weeks: the deadline is %s at the earliest",
			MinHearingWeeks, start.AddDate(0, 0, 7*MinHearingWeeks).Format(time.DateOnly))
	}
	return nil
}

// Padding is a suggestion to lengthen a hearing over a holiday.
type Padding struct {
	// Reason is "summer", "christmas" or "easter".
	Reason string `json:"reason"`
	Weeks  int    `json:"weeks"`
}

// PaddingAdvice is the holidays a hearing period overlaps and the deadline
// padded for all of them.
type PaddingAdvice struct {
	Paddings []Padding `json:"paddings"`
	Deadline string    `json:"deadline,omitempty"`
}

// Easter returns the date of Easter Sunday in year (the Gregorian
// computus, "anonymous algorithm"), at midnight UTC.
func Easter(year int) time.Time {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}

// SuggestPadding returns the paddings DOMAIN.md recommends for a hearing
// from start to deadline (both days included): three weeks when it
// overlaps July, one when it overlaps Christmas and New Year (24 December
// to 1 January) and one when it overlaps Easter (Palm Sunday to Easter
// Monday); and the deadline with them added.
func SuggestPadding(start, deadline time.Time) PaddingAdvice {
	overlaps := func(from, to time.Time) bool { return !deadline.Before(from) && !start.After(to) }
	var out PaddingAdvice
	add := func(reason string, weeks int) {
		if !slices.ContainsFunc(out.Paddings, func(p Padding) bool { return p.Reason == reason }) {
			out.Paddings = append(out.Paddings, Padding{Reason: reason, Weeks: weeks})
		}
	}
	for y := start.Year() - 1; y <= deadline.Year(); y++ {
		if overlaps(time.Date(y, 7, 1, 0, 0, 0, 0, time.UTC), time.Date(y, 7, 31, 0, 0, 0, 0, time.UTC)) {
			add("summer", 3)
		}
		if overlaps(time.Date(y, 12, 24, 0, 0, 0, 0, time.UTC), time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC)) {
			add("christmas", 1)
		}
		if e := Easter(y); overlaps(e.AddDate(0, 0, -7), e.AddDate(0, 0, 1)) {
			add("easter", 1)
		}
	}
	if len(out.Paddings) > 0 {
		weeks := 0
		for _, p := range out.Paddings {
			weeks += p.Weeks
		}
		out.Deadline = deadline.AddDate(0, 0, 7*weeks).Format(time.DateOnly)
	}
	return out
}

// Now returns the hearings' clock.
func (hs *Hearings) Now() time.Time { return hs.now() }

// Today returns today's date in the hearings' time zone.
func (hs *Hearings) Today() time.Time { return dayOf(hs.now(), hs.zone) }

// Advise returns the deadline a hearing of p started today would get
// (deadline "" takes weeks, or the default) and the padding advice for it.
func (hs *Hearings) Advise(p *Plan, deadline string, weeks int) (string, PaddingAdvice, error) {
	start := hs.Today()
	if deadline == "" {
		deadline = DefaultDeadline(start, weeks)
	}
	d, err := parseDay(deadline)
	if err != nil {
		return "", PaddingAdvice{}, err
	}
	if err := CheckDeadline(p.Type, start, d); err != nil {
		return "", PaddingAdvice{}, err
	}
	return deadline, SuggestPadding(start, d), nil
}

// newToken returns n random bytes as unpadded base32 (lowercase).
func newToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// Start starts the hearing of an approved plan with deadline (YYYY-MM-DD,
// "" for weeks weeks from today, or the default six): the plan moves to
// the hearing phase, its public page gets a new unguessable token (160
// bits), and the newest Høringsutkast is the version the page shows.
func (hs *Hearings) Start(ctx context.Context, by Actor, planID, deadline string, weeks int) (*Plan, error) {
	if weeks < 0 || weeks > maxHearingWeeks {
		return nil, Errorf(CodeInvalid, "weeks must be between 1 and %d", maxHearingWeeks)
	}
	token := newToken(20)
	if err := hs.store.InsertHearingToken(ctx, token, planID, hs.now().UTC()); err != nil {
		return nil, Wrap(CodeUnavailable, err, "the hearing's address could not be stored; try again")
	}
	return hs.plans.commitBuilt(ctx, by, planID, 0, func(p *Plan) (change, error) {
		if p.Phase != PhaseApproved {
			return nil, Errorf(CodeWrongPhase, "the hearing starts from phase approved, not %s", p.Phase)
		}
		dl, _, err := hs.Advise(p, deadline, weeks)
		if err != nil {
			return nil, err
		}
		v, ok := hearingDraft(p)
		if !ok {
			return nil, Errorf(CodeConflict, "the plan has no %s to put on hearing", HearingDraftName)
		}
		d, _ := parseDay(dl)
		next := d.AddDate(0, 0, 1)
		h := p.Hearing.clone()
		if h.Bodies == nil {
			h.Bodies = DefaultHearingBodies()
		}
		h.Start, h.Deadline, h.Token, h.Version, h.Received = hs.Today().Format(time.DateOnly), dl, token, v.Seq, 0
		h.Closes = time.Date(next.Year(), next.Month(), next.Day(), 0, 0, 0, 0, hs.zone).UTC()
		return &phaseChanged{Action: "start_hearing", From: PhaseApproved, To: PhaseHearing, Hearing: h}, nil
	})
}

// hearingDraft returns the newest system version named Høringsutkast.
func hearingDraft(p *Plan) (NamedVersion, bool) {
	for i := len(p.Versions) - 1; i >= 0; i-- {
		v := p.Versions[i]
		if v.System && strings.HasPrefix(v.Name, HearingDraftName) {
			return v, true
		}
	}
	return NamedVersion{}, false
}

// PlanForToken returns the plan whose hearing page token opens: a plan
// whose current hearing has that token (not_found otherwise, also for an
// old hearing's token).
func (hs *Hearings) PlanForToken(ctx context.Context, token string) (*Plan, error) {
	token = strings.TrimSpace(token)
	if token == "" || len(token) > 64 {
		return nil, Errorf(CodeNotFound, "no such hearing")
	}
	id, ok, err := hs.store.HearingTokenPlan(ctx, token)
	if err != nil {
		return nil, Wrap(CodeUnavailable, err, "the hearing could not be read")
	}
	if !ok {
		return nil, Errorf(CodeNotFound, "no such hearing")
	}
	p, err := hs.plans.Current(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Hearing == nil || p.Hearing.Token != token {
		return nil, Errorf(CodeNotFound, "no such hearing")
	}
	return p, nil
}

// ResponseInput is a hearing response as submitted.
type ResponseInput struct {
	Name         string `json:"name"`
	Organisation string `json:"organisation"`
	Email        string `json:"email"`
	Text         string `json:"text"`
	Section      string `json:"section"`
	Quote        string `json:"quote"`
}

// responseField trims s and checks its length; newlines and tabs are kept
// when multiline, other control characters are refused.
func responseField(field, s string, max int, multiline bool) (string, error) {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	switch {
	case !utf8.ValidString(s):
		return "", Errorf(CodeInvalid, "%s is not valid UTF-8", field)
	case utf8.RuneCountInString(s) > max:
		return "", Errorf(CodeTooLarge, "%s is longer than %d characters", field, max)
	case strings.ContainsFunc(s, func(r rune) bool {
		return (r < 0x20 || r == 0x7f) && !(multiline && (r == '\n' || r == '\t'))
	}):
		return "", Errorf(CodeInvalid, "%s contains control characters", field)
	}
	return s, nil
}

// checkResponse validates in against the frozen version's outline.
func checkResponse(in ResponseInput, vc VersionContent) (HearingResponse, error) {
	var r HearingResponse
	var err error
	if r.Name, err = responseField("name", in.Name, maxResponseName, false); err != nil {
		return r, err
	}
	if r.Organisation, err = responseField("organisation", in.Organisation, maxResponseName, false); err != nil {
		return r, err
	}
	if r.Email, err = responseField("email", in.Email, maxResponseEmail, false); err != nil {
		return r, err
	}
	if r.Email != "" {
		at := strings.LastIndexByte(r.Email, '@')
		if at < 1 || at == len(r.Email)-1 || strings.ContainsAny(r.Email, " <>\",;") || !strings.Contains(r.Email[at:], ".") {
			return r, Errorf(CodeInvalid, "email is not an e-mail address")
		}
	}
	if r.Text, err = responseField("text", in.Text, maxResponseText, true); err != nil {
		return r, err
	}
	if r.Text == "" {
		return r, Errorf(CodeInvalid, "text must not be empty")
	}
	if r.Quote, err = responseField("quote", in.Quote, maxResponseQuote, true); err != nil {
		return r, err
	}
	if r.Section = strings.TrimSpace(in.Section); r.Section != "" {
		s, _, ok := vc.outlinePlan().Find(r.Section)
		if !ok {
			return r, Errorf(CodeInvalid, "section is not a section of the hearing draft")
		}
		r.Subject = s.Title
	}
	return r, nil
}

// newReceipt returns a receipt number: 80 random bits as four groups of
// four base32 characters.
func newReceipt() string {
	t := strings.ToUpper(newToken(10))
	return t[0:4] + "-" + t[4:8] + "-" + t[8:12] + "-" + t[12:16]
}

// Respond stores a response to the hearing of p (as PlanForToken found
// it) while the hearing is open (hearing_closed after the deadline), and
// announces it to the plan's members. It returns the stored response with
// its receipt number.
func (hs *Hearings) Respond(ctx context.Context, p *Plan, in ResponseInput) (HearingResponse, error) {
	now := hs.now().UTC().Truncate(time.Millisecond)
	if p.Phase != PhaseHearing || !p.Hearing.Open(now) {
		dl := ""
		if p.Hearing != nil {
			dl = p.Hearing.Deadline
		}
		return HearingResponse{}, Errorf(CodeHearingClosed, "the hearing is closed (deadline %s)", dl)
	}
	_, vc, err := hs.plans.ReadVersion(ctx, p, fmt.Sprint(p.Hearing.Version))
	if err != nil {
		return HearingResponse{}, err
	}
	r, err := checkResponse(in, vc)
	if err != nil {
		return HearingResponse{}, err
	}
	subject := "Høringsinnspill til " + p.Title
	if r.Subject != "" {
		subject += " – " + r.Subject
	}
	r.Subject = truncateRunes(subject, maxResponseSubjct)
	r.Plan, r.Received = p.ID, now
	for attempt := 0; ; attempt++ {
		r.ID = newReceipt()
		err = hs.store.InsertHearingResponse(ctx, r)
		if errors.Is(err, ErrDuplicate) && attempt < 3 {
			continue
		}
		break
	}
	if err != nil {
		return HearingResponse{}, Wrap(CodeUnavailable, err, "the response could not be stored; try again")
	}
	// The announcement is what members see live; the response is stored
	// whatever becomes of it.
	if _, err := hs.plans.commit(ctx, Actor{ID: "public"}, p.ID, 0, &hearingResponded{
		Receipt: r.ID, Sender: r.Sender(), Subject: r.Subject, Received: r.Received}); err != nil {
		hs.plans.log.Warn("hearing response not announced", "plan", p.ID, "receipt", r.ID, "err", err)
	}
	return r, nil
}

// ModeratedResponse is a response with its moderation, "" while held.
type ModeratedResponse struct {
	HearingResponse
	Moderation  string    `json:"moderation"`
	ModeratedBy string    `json:"moderated_by,omitempty"`
	ModeratedAt time.Time `json:"moderated_at,omitzero"`
}

// Responses returns the plan's responses with their moderation, oldest
// first.
func (hs *Hearings) Responses(ctx context.Context, planID string) ([]ModeratedResponse, error) {
	rs, err := hs.store.HearingResponses(ctx, planID)
	if err != nil {
		return nil, Wrap(CodeUnavailable, err, "the responses could not be read")
	}
	ms, err := hs.store.Moderations(ctx, planID)
	if err != nil {
		return nil, Wrap(CodeUnavailable, err, "the responses could not be read")
	}
	byID := map[string]Moderation{}
	for _, m := range ms {
		byID[m.Response] = m
	}
	out := make([]ModeratedResponse, len(rs))
	for i, r := range rs {
		m := byID[r.ID]
		out[i] = ModeratedResponse{HearingResponse: r, Moderation: m.Decision, ModeratedBy: m.By, ModeratedAt: m.At}
	}
	return out, nil
}

// Published returns the responses published on the hearing page.
func (hs *Hearings) Published(ctx context.Context, planID string) ([]HearingResponse, error) {
	all, err := hs.Responses(ctx, planID)
	if err != nil {
		return nil, err
	}
	var out []HearingResponse
	for _, r := range all {
		if r.Moderation == ModerationPublished && r.Deleted.IsZero() {
			out = append(out, r.HearingResponse)
		}
	}
	return out, nil
}

// Moderate decides once whether a response is published or rejected; a
// second decision is a conflict. check is the caller's permission check
// on the plan as it stands.
func (hs *Hearings) Moderate(ctx context.Context, by Actor, planID, responseID, decision string) (Moderation, error) {
	if decision != ModerationPublished && decision != ModerationRejected {
		return Moderation{}, Errorf(CodeInvalid, "decision must be %q or %q", ModerationPublished, ModerationRejected)
	}
	p, err := hs.plans.Get(ctx, planID)
	if err != nil {
		return Moderation{}, err
	}
	if err := by.check(p); err != nil {
		return Moderation{}, err
	}
	rs, err := hs.store.HearingResponses(ctx, planID)
	if err != nil {
		return Moderation{}, Wrap(CodeUnavailable, err, "the responses could not be read")
	}
	if !slices.ContainsFunc(rs, func(r HearingResponse) bool { return r.ID == responseID }) {
		return Moderation{}, Errorf(CodeNotFound, "the hearing has no response %q", truncateRunes(responseID, 40))
	}
	m := Moderation{Response: responseID, Plan: planID, Decision: decision, By: by.ID, At: hs.now().UTC().Truncate(time.Millisecond)}
	if err := hs.store.InsertModeration(ctx, m); err != nil {
		if errors.Is(err, ErrDuplicate) {
			return Moderation{}, Wrap(CodeConflict, err, "the response is moderated already")
		}
		return Moderation{}, Wrap(CodeUnavailable, err, "the decision could not be stored; try again")
	}
	return m, nil
}

// HearingText returns the frozen text of every section of the version
// the hearing page shows, with the version's content.
func (hs *Hearings) HearingText(ctx context.Context, p *Plan) (NamedVersion, VersionContent, map[string]delta.Delta, error) {
	if p.Hearing == nil || p.Hearing.Version == 0 {
		return NamedVersion{}, VersionContent{}, nil, Errorf(CodeNotFound, "the plan has no hearing")
	}
	v, vc, err := hs.plans.ReadVersion(ctx, p, fmt.Sprint(p.Hearing.Version))
	if err != nil {
		return NamedVersion{}, VersionContent{}, nil, err
	}
	texts := map[string]delta.Delta{}
	if hs.plans.engine == nil {
		return v, vc, texts, nil
	}
	for id, at := range v.Sections {
		d, err := hs.plans.engine.DocAt(ctx, id, at)
		if err != nil {
			return NamedVersion{}, VersionContent{}, nil, err
		}
		texts[id] = d
	}
	return v, vc, texts, nil
}
