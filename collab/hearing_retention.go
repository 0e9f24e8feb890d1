package collab

import (
	"context"
	"errors"
	"time"
)

// The retention of hearing responses (docs/hearing.md "Retention"; the
// hearing page states it). A response's personal data — name,
// organisation, e-mail, text and quote — is kept until three months after
// the plan's adoption, and at the latest two years after the end of the
// hearing's deadline day, whichever comes first: long enough for the
// merknadsbehandling, the council's decision and the municipality's own
// archive (the CSV export), no longer. Then a background job deletes it.
// The response's row stays with its receipt number, subject, received
// time and moderation, marked deleted, so the merknadsbehandling and the
// count of responses stay whole.

// Retention periods of hearing responses.
const (
	RetentionAfterAdoptionMonths = 3
	RetentionAfterDeadlineYears  = 2
)

// RetentionEnds returns when the retention of p's hearing responses
// ends; false when p has had no hearing.
func RetentionEnds(p *Plan) (time.Time, bool) {
	if p == nil || p.Hearing == nil || p.Hearing.Closes.IsZero() {
		return time.Time{}, false
	}
	end := p.Hearing.Closes.AddDate(RetentionAfterDeadlineYears, 0, 0)
	if p.Adoption != nil && !p.Adoption.AdoptedAt.IsZero() {
		if a := p.Adoption.AdoptedAt.AddDate(0, RetentionAfterAdoptionMonths, 0); a.Before(end) {
			end = a
		}
	}
	return end, true
}

// DeleteExpired deletes the personal data of every response whose
// retention has ended at the hearings' clock, and returns how many it
// deleted. A plan that cannot be read is skipped and reported in the
// error; the others are still done. Each plan's deletions are logged.
func (hs *Hearings) DeleteExpired(ctx context.Context) (int, error) {
	now := hs.now().UTC().Truncate(time.Millisecond)
	plans, err := hs.store.HearingResponsePlans(ctx)
	if err != nil {
		return 0, Wrap(CodeUnavailable, err, "the hearing responses could not be read")
	}
	var errs []error
	total := 0
	for _, id := range plans {
		n, err := hs.deleteExpiredOf(ctx, id, now)
		total += n
		if err != nil {
			errs = append(errs, err)
		}
	}
	return total, errors.Join(errs...)
}

func (hs *Hearings) deleteExpiredOf(ctx context.Context, planID string, now time.Time) (int, error) {
	p, err := hs.plans.Get(ctx, planID)
	if err != nil {
		return 0, err
	}
	end, ok := RetentionEnds(p)
	if !ok || now.Before(end) {
		return 0, nil
	}
	rs, err := hs.store.HearingResponses(ctx, planID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range rs {
		if !r.Deleted.IsZero() {
			continue
		}
		if err := hs.store.DeleteHearingResponse(ctx, r.ID, now); err != nil {
			return n, err
		}
		n++
	}
	if n > 0 {
		hs.plans.log.Info("hearing responses deleted at the end of their retention",
			"plan", planID, "deleted", n, "retention_ended", end)
	}
	return n, nil
}

// DefaultRetentionEvery is how often RunRetention looks for responses to
// delete.
const DefaultRetentionEvery = time.Hour

// RunRetention deletes the responses whose retention has ended at once
// and then every interval (DefaultRetentionEvery when <= 0), until ctx is
// done, and tells deleted (when not nil) how many each run deleted. Its
// owner runs it in a goroutine and cancels ctx to stop it.
func (hs *Hearings) RunRetention(ctx context.Context, every time.Duration, deleted func(n int)) {
	if every <= 0 {
		every = DefaultRetentionEvery
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		n, err := hs.DeleteExpired(ctx)
		if err != nil && ctx.Err() == nil {
			hs.plans.log.Warn("hearing responses: the retention job failed; it tries again", "err", err)
		}
		if deleted != nil && n > 0 {
			deleted(n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
