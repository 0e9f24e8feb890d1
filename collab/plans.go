package collab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"
)

// Plans is the service that creates plans and changes their structure. Every
// change is an entry appended to the plan's log under the unique key
// (plan, seq): the insert is the commit point, so two nodes racing on one
// plan cannot both win a seq; the loser folds the winner's entry and retries.
type Plans struct {
	store  PlanStore
	bus    Bus
	engine *Engine
	log    *slog.Logger
	now    func() time.Time
	newID  func() string

	mu    sync.Mutex
	locks map[string]*planLock
	// anchors caches where comments and suggestions are (reviews.go).
	anchors anchorCache
	// current keeps the newest decoded state of recently read plans for
	// Current, taken as current for fresh (PlansConfig.Fresh).
	current currentCache
	fresh   time.Duration
}

// currentCache holds decoded plans that nobody changes: a newer state
// replaces an entry rather than changing it. With each, it keeps when the
// plan was last found to be up to date in the store (checked) and the
// newest seq this node has heard of (from its own appends and the plan's
// events); a plan checked within Fresh and not behind what was heard is
// taken as current without reading the store.
type currentCache struct {
	mu sync.Mutex
	m  map[string]*currentPlan
}

type currentPlan struct {
	p       *Plan
	checked time.Time
	heard   int64
	// reading is closed when the store read in flight for the plan ends
	// (nil: none is): one read at a time, and the callers who need its
	// answer wait for it instead of reading too.
	reading chan struct{}
}

// maxCurrentPlans bounds the plans Current keeps; beyond it, it starts
// over.
const maxCurrentPlans = 10_000

// check returns the kept state of plan id (nil: none) and whether it may
// be taken as current at now without reading the store (fresh). When the
// store must be read — the copy is not fresh, or it is past half its
// freshness and due for a check — and no read is in flight, the caller is
// to read it: lead, with the read's token. Otherwise reading is the read
// in flight, if any.
func (cc *currentCache) check(id string, now time.Time, fresh time.Duration) (p *Plan, isFresh bool, reading chan struct{}, lead bool) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	e := cc.entry(id)
	age := now.Sub(e.checked)
	isFresh = e.p != nil && e.heard <= e.p.Seq && age < fresh
	if e.reading != nil {
		return e.p, isFresh, e.reading, false
	}
	if isFresh && age < fresh/2 {
		return e.p, true, nil, false
	}
	e.reading = make(chan struct{})
	return e.p, isFresh, e.reading, true
}

// kept returns the kept state of plan id (nil: none).
func (cc *currentCache) kept(id string) *Plan {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if e := cc.m[id]; e != nil {
		return e.p
	}
	return nil
}

// done ends the read reading of plan id (check's token). An entry left
// with nothing in it — the plan does not exist, or could not be read — is
// dropped: asking for plans that do not exist must not fill the cache and
// push out the plans in use.
func (cc *currentCache) done(id string, reading chan struct{}) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if e := cc.m[id]; e != nil && e.reading == reading {
		e.reading = nil
		if e.p == nil && e.heard == 0 {
			delete(cc.m, id)
		}
	}
	close(reading)
}

// entry returns the entry of id, made if missing. Callers hold cc.mu.
func (cc *currentCache) entry(id string) *currentPlan {
	if cc.m == nil || len(cc.m) >= maxCurrentPlans {
		cc.m = map[string]*currentPlan{}
	}
	e := cc.m[id]
	if e == nil {
		e = &currentPlan{}
		cc.m[id] = e
	}
	return e
}

// put keeps p unless a newer state of its plan is kept already; checked,
// when not zero, is when p was found to be the plan's newest state.
func (cc *currentCache) put(p *Plan, checked time.Time) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	e := cc.entry(p.ID)
	if e.p != nil && e.p.Seq > p.Seq {
		return
	}
	e.p = p
	if checked.After(e.checked) {
		e.checked = checked
	}
}

// heard notes that seq of plan id is stored (zero: that the kept state
// must be checked against the store before it is used again).
func (cc *currentCache) heard(id string, seq int64) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	e := cc.entry(id)
	if seq == 0 {
		e.checked = time.Time{}
		return
	}
	e.heard = max(e.heard, seq)
}

type planLock struct {
	mu   sync.Mutex
	refs int
}

// PlansConfig holds what Plans needs.
type PlansConfig struct {
	Store PlanStore
	Bus   Bus
	Log   *slog.Logger
	// Now returns the current time; time.Now when nil.
	Now func() time.Time
	// NewID returns a new unique id for plans and sections.
	NewID func() string
	// Engine places the lock and unlock markers in the sections' op logs
	// when a plan is locked for approval or returned; nil places none
	// (tests of the plan log alone).
	Engine *Engine
	// Fresh is how long a plan read from the store is taken as current
	// by Current without reading the store again, unless an event of
	// the plan says it is behind (Heard). 0 reads it every time. Its
	// own changes are known to this node at once, and another node's
	// arrive with their events; Fresh bounds the time a lost event
	// leaves a plan out of date for reading and permission checks. A
	// change is never decided on a plan out of date: it commits only
	// on the seq after the plan's newest (see commitBuilt).
	Fresh time.Duration
}

// Actor is who makes a change to a plan, and the check the change must
// pass. Check is called with the plan as it stands just before the change
// is appended, on every attempt, so a permission that depends on the phase
// or the members is decided on the state the change commits on; nil allows.
type Actor struct {
	ID    string
	Check func(p *Plan) error
}

func (a Actor) check(p *Plan) error {
	if a.Check == nil {
		return nil
	}
	return a.Check(p)
}

// NewPlans returns the plan service.
func NewPlans(cfg PlansConfig) *Plans {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Plans{store: cfg.Store, bus: cfg.Bus, engine: cfg.Engine, log: cfg.Log, now: cfg.Now,
		newID: cfg.NewID, fresh: cfg.Fresh, locks: map[string]*planLock{}, anchors: anchorCache{m: map[string]Tracked{}}}
}

// PlanEvent is what the plan's bus channel carries for a committed entry,
// and what clients receive as an `event` message.
type PlanEvent struct {
	Type string          `json:"type"` // always "event"
	Plan string          `json:"plan"`
	Seq  int64           `json:"seq"`
	Kind string          `json:"kind"`
	By   string          `json:"by"`
	At   time.Time       `json:"at"`
	Data json.RawMessage `json:"data"`
}

// NewPlan is the input for creating a plan.
type NewPlan struct {
	Title        string   `json:"title"`
	Municipality string   `json:"municipality"`
	Type         PlanType `json:"type"`
	// Members are the plan's first members (the caller validates them); at
	// most one may hold RoleLeader.
	Members []Member `json:"members"`
	// ID is the plan's id; empty makes a new one. A plan created twice
	// with one ID exists once: the second Create fails with conflict.
	ID string `json:"-"`
	// PrivacyThreshold is the plan's first privacy threshold (the
	// municipality's default); 0 means the product's default.
	PrivacyThreshold int `json:"-"`
}

// Create creates a plan from the default template "Temaplan om bolig".
func (ps *Plans) Create(ctx context.Context, by string, in NewPlan) (*Plan, error) {
	title, err := cleanText("title", in.Title, maxTitleLen)
	if err != nil {
		return nil, err
	}
	muni, err := cleanText("municipality", in.Municipality, maxTitleLen)
	if err != nil {
		return nil, err
	}
	switch in.Type {
	case "":
		in.Type = TypeTemaplan
	case TypeTemaplan, TypeKommunedelplan:
	default:
		return nil, Errorf(CodeInvalid, "type must be %q or %q", TypeTemaplan, TypeKommunedelplan)
	}
	now := ps.now().UTC().Truncate(time.Millisecond)
	id := in.ID
	if id == "" {
		id = ps.newID()
	} else if _, err := cleanText("id", id, maxIDLen); err != nil {
		return nil, err
	}
	p := &Plan{
		ID: id, Title: title, Municipality: muni, Type: in.Type,
		Phase: PhaseDraft, CreatedBy: by, Created: now, Updated: now,
		Sections: instantiate(housingTemplate(), ps.newID),
	}
	if in.PrivacyThreshold != 0 {
		if err := p.checkThreshold(in.PrivacyThreshold); err != nil {
			return nil, err
		}
		p.PrivacyThreshold = in.PrivacyThreshold
	}
	p.normalize()
	for _, m := range in.Members {
		if err := (&memberSet{User: m.User, Roles: m.Roles}).apply(p); err != nil {
			return nil, err
		}
	}
	p.Seq = 1
	data, err := json.Marshal(&planCreated{Plan: p})
	if err != nil {
		return nil, fmt.Errorf("create plan: %w", err)
	}
	e := PlanEntry{Plan: p.ID, Seq: 1, Kind: kindPlanCreated, By: by, At: now, Data: data}
	if err := ps.store.AppendPlanEntry(ctx, e); err != nil {
		if errors.Is(err, ErrDuplicate) {
			return nil, Wrap(CodeConflict, err, "plan "+id+" exists already")
		}
		return nil, fmt.Errorf("create plan: %w", err)
	}
	ps.saveState(ctx, p)
	return p, nil
}

// Get returns the current state of a plan: the cached state brought up to
// date with the log entries after it.
func (ps *Plans) Get(ctx context.Context, id string) (*Plan, error) {
	if id == "" || len(id) > maxIDLen {
		return nil, Errorf(CodeNotFound, "plan %q not found", id)
	}
	p := &Plan{}
	rec, ok, err := ps.store.PlanState(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("load plan %s: %w", id, err)
	}
	if ok {
		if err := json.Unmarshal(rec.Data, p); err != nil {
			return nil, fmt.Errorf("decode plan %s: %w", id, err)
		}
	}
	entries, err := ps.store.PlanEntries(ctx, id, p.Seq+1)
	if err != nil {
		return nil, fmt.Errorf("load plan %s: %w", id, err)
	}
	for _, e := range entries {
		if err := foldEntry(p, e); err != nil {
			return nil, err
		}
	}
	if p.ID == "" {
		return nil, Errorf(CodeNotFound, "plan %q not found", id)
	}
	p.normalize()
	if len(entries) > 0 {
		ps.saveState(ctx, p)
	}
	return p, nil
}

// Current returns the plan with id as stored now, like Get, but shared:
// the caller must not change it (Clone it for that). It decodes the plan
// once and then only folds the log entries appended since, so that the
// permission checks of every op and request cost a small read rather than
// decoding the whole plan with its comments and content each time. One
// read of a plan is in flight at a time; callers that need it wait for its
// answer rather than reading too, and a copy in use is checked in the
// background once half its freshness (PlansConfig.Fresh) has passed.
func (ps *Plans) Current(ctx context.Context, id string) (*Plan, error) {
	for {
		// Real time, not ps.now: the domain's clock may stand still in tests.
		read := time.Now()
		cached, fresh, reading, lead := ps.current.check(id, read, ps.fresh)
		switch {
		case fresh && lead:
			// Due for a check, and still fresh: the check runs in the
			// background, and nobody waits for the store. A plan in use
			// is then checked before its copy goes stale, and its
			// permission checks never read the store on the way of an
			// op (on a busy node, many of them queued for the store's
			// few read connections).
			go func() {
				ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), currentReadWait)
				defer cancel()
				if _, err := ps.readCurrent(ctx, id, read, reading); err != nil {
					ps.log.Warn("plan not checked against the store", "plan", id, "err", err)
				}
			}()
			return cached, nil
		case fresh:
			return cached, nil
		case lead:
			return ps.readCurrent(ctx, id, read, reading)
		}
		// Another caller reads the store: its answer is this one's too,
		// unless it turns out behind what was heard meanwhile.
		select {
		case <-reading:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// currentReadWait bounds a background check of a plan (Current).
const currentReadWait = 10 * time.Second

// readCurrent reads plan id from the store for Current, from the kept copy
// on: the entries after it. read is when the read began, reading its token.
func (ps *Plans) readCurrent(ctx context.Context, id string, read time.Time, reading chan struct{}) (*Plan, error) {
	defer ps.current.done(id, reading)
	cached := ps.current.kept(id)
	if cached == nil {
		p, err := ps.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		ps.current.put(p, read)
		return p, nil
	}
	entries, err := ps.store.PlanEntries(ctx, id, cached.Seq+1)
	if err != nil {
		return nil, fmt.Errorf("load plan %s: %w", id, err)
	}
	if len(entries) == 0 {
		ps.current.put(cached, read)
		return cached, nil
	}
	p := cached.Clone()
	for _, e := range entries {
		if err := foldEntry(p, e); err != nil {
			return nil, err
		}
	}
	p.normalize()
	ps.current.put(p, read)
	return p, nil
}

// Heard tells Plans that seq of plan id is stored (an event of the plan,
// from the bus): Current reads the store for it, however fresh its copy.
func (ps *Plans) Heard(id string, seq int64) {
	if seq > 0 {
		ps.current.heard(id, seq)
	}
}

func foldEntry(p *Plan, e PlanEntry) error {
	c, err := decodeChange(e)
	if err != nil {
		return err
	}
	if err := c.apply(p); err != nil {
		return fmt.Errorf("plan %s entry %d (%s) does not apply: %w", e.Plan, e.Seq, e.Kind, err)
	}
	p.Seq = e.Seq
	p.Updated = e.At
	return nil
}

// List returns the plans of a municipality ("" for all), by id.
func (ps *Plans) List(ctx context.Context, municipality string) ([]PlanSummary, error) {
	recs, err := ps.store.ListPlanStates(ctx, municipality)
	if err != nil {
		return nil, fmt.Errorf("list plans: %w", err)
	}
	out := make([]PlanSummary, 0, len(recs))
	for _, r := range recs {
		var p Plan
		if err := json.Unmarshal(r.Data, &p); err != nil {
			return nil, fmt.Errorf("decode plan %s: %w", r.Plan, err)
		}
		out = append(out, p.Summary())
	}
	return out, nil
}

// NewSection is the input for adding a section.
type NewSection struct {
	Parent string      `json:"parent"`
	Index  *int        `json:"index"`
	Title  string      `json:"title"`
	Kind   SectionKind `json:"kind"`
}

// AddSection adds a section; a target area gets the analysis and action
// subtree of the template. base is the plan seq the user saw (0: none).
func (ps *Plans) AddSection(ctx context.Context, by Actor, planID string, base int64, in NewSection) (*Plan, *Section, error) {
	title, err := cleanText("title", in.Title, maxTitleLen)
	if err != nil {
		return nil, nil, err
	}
	var node templateNode
	switch in.Kind {
	case "", KindSection:
		node = templateNode{title: title}
	case KindTargetArea:
		node = targetArea(title)
	default:
		return nil, nil, Errorf(CodeInvalid, "kind must be %q or %q", KindSection, KindTargetArea)
	}
	index := -1
	if in.Index != nil {
		index = *in.Index
	}
	c := &sectionAdded{Parent: in.Parent, Index: index, Section: instantiate([]templateNode{node}, ps.newID)[0]}
	p, err := ps.commit(ctx, by, planID, base, c)
	if err != nil {
		return nil, nil, err
	}
	s, _, _ := p.Find(c.Section.ID)
	return p, s, nil
}

// SectionPatch is the input for changing a section's metadata.
type SectionPatch struct {
	Title        *string        `json:"title"`
	Responsible  *string        `json:"responsible"`
	Contributors *[]string      `json:"contributors"`
	Status       *SectionStatus `json:"status"`
}

// UpdateSection changes a section's title, responsible person,
// contributors or status.
func (ps *Plans) UpdateSection(ctx context.Context, by Actor, planID, sectionID string, base int64, in SectionPatch) (*Plan, error) {
	c := &sectionUpdated{ID: sectionID, Status: in.Status}
	if in.Title != nil {
		t, err := cleanText("title", *in.Title, maxTitleLen)
		if err != nil {
			return nil, err
		}
		c.Title = &t
	}
	if in.Responsible != nil {
		r := strings.TrimSpace(*in.Responsible)
		if r != "" {
			var err error
			if r, err = cleanText("responsible", r, maxIDLen); err != nil {
				return nil, err
			}
		}
		c.Responsible = &r
	}
	if in.Contributors != nil {
		if len(*in.Contributors) > maxContributors {
			return nil, Errorf(CodeInvalid, "a section has at most %d contributors", maxContributors)
		}
		list := make([]string, 0, len(*in.Contributors))
		for _, v := range *in.Contributors {
			v, err := cleanText("contributor", v, maxIDLen)
			if err != nil {
				return nil, err
			}
			if !slices.Contains(list, v) {
				list = append(list, v)
			}
		}
		c.Contributors = &list
	}
	if in.Status != nil && !in.Status.valid() {
		return nil, Errorf(CodeInvalid, "unknown status %q", *in.Status)
	}
	if c.Title == nil && c.Responsible == nil && c.Contributors == nil && c.Status == nil {
		return nil, Errorf(CodeInvalid, "nothing to change")
	}
	return ps.commit(ctx, by, planID, base, c)
}

// MoveSection moves a section under parent ("" for the top level) at index.
func (ps *Plans) MoveSection(ctx context.Context, by Actor, planID, sectionID string, base int64, parent string, index int) (*Plan, error) {
	return ps.commit(ctx, by, planID, base, &sectionMoved{ID: sectionID, Parent: parent, Index: index})
}

// DeleteSection removes a section and its subsections from the outline.
func (ps *Plans) DeleteSection(ctx context.Context, by Actor, planID, sectionID string, base int64) (*Plan, error) {
	return ps.commit(ctx, by, planID, base, &sectionDeleted{ID: sectionID})
}

// maxCommitAttempts bounds the retries when other nodes keep winning the
// next seq of a plan.
const maxCommitAttempts = 8

// commit appends c to the plan's log. base is the seq the user's change was
// made on: if an entry after base touched one of the same objects, the
// change is refused with CodeConflict (the client reloads). base 0 skips
// that check.
func (ps *Plans) commit(ctx context.Context, by Actor, planID string, base int64, c change) (*Plan, error) {
	return ps.commitBuilt(ctx, by, planID, base, func(*Plan) (change, error) { return c, nil })
}

// reader is a change whose validity depends on objects it does not
// change: it conflicts with later entries that touch what it reads.
type reader interface {
	reads() []string
}

// commitBuilt commits the change build makes from the plan as it stands,
// read again on every attempt, so that a change computed from the current state (a
// patch of an object, a hash of the costs) is computed on the state it
// commits on.
func (ps *Plans) commitBuilt(ctx context.Context, by Actor, planID string, base int64, build func(p *Plan) (change, error)) (*Plan, error) {
	unlock := ps.lock(planID)
	defer unlock()
	for attempt := 0; ; attempt++ {
		// The plan as stored now, from the decoded copy brought up to
		// date (Current), not decoded whole again for each change: a
		// comment on a plan with hundreds of them decoded them all. That
		// copy is shared and nobody changes it: the check and build only
		// read it (and the change build makes may keep parts of it), and
		// the change is applied to a copy of it, next.
		p, err := ps.Current(ctx, planID)
		if err != nil {
			return nil, err
		}
		if base > p.Seq {
			return nil, Errorf(CodeInvalid, "seq %d is ahead of the plan (%d)", base, p.Seq)
		}
		if err := by.check(p); err != nil {
			return nil, err
		}
		c, err := build(p)
		if err != nil {
			return nil, err
		}
		if base > 0 && base < p.Seq {
			touches := c.touches()
			if r, ok := c.(reader); ok {
				touches = append(slices.Clone(touches), r.reads()...)
			}
			if err := ps.checkConflict(ctx, planID, base, touches); err != nil {
				return nil, err
			}
		}
		next := p.Clone()
		if err := c.apply(next); errors.Is(err, errUnchanged) {
			return p.Clone(), nil // the caller's to change
		} else if err != nil {
			return nil, err
		}
		e, retry, err := ps.appendEntry(ctx, p, next, by.ID, c, attempt)
		if retry {
			continue
		}
		if err != nil {
			return nil, err
		}
		ps.publish(ctx, e)
		return next, nil
	}
}

// appendEntry appends c — next is p with c applied — as the entry after
// p, and caches next as the plan's state. retry reports that another node
// took that seq first and attempts remain: after a jittered pause, the
// caller reads the plan again and decides again. The caller publishes.
func (ps *Plans) appendEntry(ctx context.Context, p, next *Plan, by string, c change, attempt int) (e PlanEntry, retry bool, err error) {
	// Every change of a plan passes here, so this is where an archived
	// plan is read-only, whoever asks.
	// An export's entry is its audit, and exporting an archived plan is
	// allowed.
	_, restore := c.(*archiveSet)
	_, export := c.(*exportStarted)
	if p.Archived && !restore && !export {
		return e, false, errArchived()
	}
	data, err := json.Marshal(c)
	if err != nil {
		return e, false, fmt.Errorf("encode %s: %w", c.kind(), err)
	}
	now := ps.now().UTC().Truncate(time.Millisecond)
	e = PlanEntry{Plan: p.ID, Seq: p.Seq + 1, Kind: c.kind(), By: by, At: now, Data: data}
	appended := time.Now()
	err = ps.store.AppendPlanEntry(ctx, e)
	switch {
	case errors.Is(err, ErrDuplicate) && attempt+1 < maxCommitAttempts:
		// Another node took the seq: the next read must see it.
		ps.current.heard(p.ID, 0)
		time.Sleep(time.Duration(rand.IntN(5*(attempt+1))) * time.Millisecond)
		return e, true, nil
	case errors.Is(err, ErrDuplicate):
		return e, false, Wrap(CodeConflict, err, "the plan is changing too fast; try again")
	case err != nil:
		return e, false, fmt.Errorf("commit %s: %w", c.kind(), err)
	}
	next.Seq, next.Updated = e.Seq, now
	ps.saveState(ctx, next)
	// The append at p.Seq+1 is the check: next is the newest state. The
	// caller may change next; the cache keeps its own copy.
	ps.current.put(next.Clone(), appended)
	return e, false, nil
}

func (ps *Plans) checkConflict(ctx context.Context, planID string, base int64, touches []string) error {
	entries, err := ps.store.PlanEntries(ctx, planID, base+1)
	if err != nil {
		return fmt.Errorf("load plan %s: %w", planID, err)
	}
	for _, e := range entries {
		c, err := decodeChange(e)
		if err != nil {
			return err
		}
		for _, t := range c.touches() {
			if slices.Contains(touches, t) {
				return Errorf(CodeConflict, "someone else changed this at seq %d; reload and try again", e.Seq)
			}
		}
	}
	return nil
}

// saveState refreshes the cached state. It is only a cache: a failure is
// logged and the next reader folds the log instead.
func (ps *Plans) saveState(ctx context.Context, p *Plan) {
	data, err := json.Marshal(p)
	if err == nil {
		err = ps.store.SavePlanState(ctx, PlanStateRecord{
			Plan: p.ID, Municipality: p.Municipality, Seq: p.Seq, Data: data, Updated: p.Updated,
		})
	}
	if err != nil {
		ps.log.Warn("plan state cache not saved", "plan", p.ID, "seq", p.Seq, "err", err)
	}
}

// publish announces a committed entry on the plan's channel. Clients that
// miss it catch up by seq; a bus failure never undoes the commit.
func (ps *Plans) publish(ctx context.Context, e PlanEntry) {
	if ps.bus == nil {
		return
	}
	msg, err := json.Marshal(PlanEvent{Type: "event", Plan: e.Plan, Seq: e.Seq, Kind: e.Kind, By: e.By, At: e.At, Data: e.Data})
	if err == nil {
		err = ps.bus.Publish(ctx, PlanChannel(e.Plan), msg)
	}
	if err != nil {
		ps.log.Warn("plan event not published", "plan", e.Plan, "seq", e.Seq, "err", err)
	}
}

// lock serialises the changes of one plan on this node, so races happen
// only between nodes (and are decided by the unique seq).
func (ps *Plans) lock(planID string) func() {
	ps.mu.Lock()
	l := ps.locks[planID]
	if l == nil {
		l = &planLock{}
		ps.locks[planID] = l
	}
	l.refs++
	ps.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		ps.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(ps.locks, planID)
		}
		ps.mu.Unlock()
	}
}
