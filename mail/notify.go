package mail

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab"
)

// The notifications: @mentions in comments, review-round requests and
// their reminders, held for a daily digest or sent at once as each person
// chose (Prefs). Each has an id from what it is about, so the same event
// notified twice — a retried request, two nodes ticking — is one message.

// excerptLen is how much of a comment a mention quotes, in characters.
const excerptLen = 300

// SettingsPath is the app's page of notification settings, linked from
// every notification.
const SettingsPath = "/varsler"

// recipient returns the account and settings of user, and whether the
// person can be written to at all (the account exists and is enabled).
func (m *Mailer) recipient(ctx context.Context, user string) (auth.Account, Prefs, bool, error) {
	acct, ok, err := m.cfg.Accounts.AccountByID(ctx, user)
	if err != nil {
		return auth.Account{}, Prefs{}, false, collab.Wrap(collab.CodeUnavailable, err, "the account could not be read; try again")
	}
	if !ok || acct.Disabled || acct.Email == "" {
		return auth.Account{}, Prefs{}, false, nil
	}
	p, err := m.Prefs(ctx, user)
	if err != nil {
		return auth.Account{}, Prefs{}, false, err
	}
	return acct, p, true, nil
}

// notify sends user the notification id of kind, or holds it for their
// digest, or drops it, as they chose.
func (m *Mailer) notify(ctx context.Context, user string, kind Kind, id string, v view) error {
	acct, p, ok, err := m.recipient(ctx, user)
	if err != nil || !ok || p.Mode == ModeOff {
		return err
	}
	v.Name, v.Settings = acct.Name, m.link(SettingsPath)
	if p.Mode == ModeDigest {
		subject, _, _, err := m.tpl.render(p.Lang, kind, v)
		if err != nil {
			return err
		}
		line, err := m.tpl.line(p.Lang, kind, v)
		if err != nil {
			return err
		}
		now := m.now()
		it := DigestItem{ID: id, User: user, Day: m.day(now), Kind: kind, Subject: subject, Text: line, Link: v.Link, Created: now}
		if err := m.cfg.Store.AddDigestItem(ctx, it); err != nil && !errors.Is(err, collab.ErrDuplicate) {
			return collab.Wrap(collab.CodeUnavailable, err, "the notification could not be stored; try again")
		}
		return nil
	}
	return m.compose(ctx, id, kind, acct.Email, acct.ID, p.Lang, v)
}

// name returns the name of user, or "" when there is no such account.
func (m *Mailer) name(ctx context.Context, user string) string {
	acct, ok, err := m.cfg.Accounts.AccountByID(ctx, user)
	if err != nil || !ok {
		return ""
	}
	return acct.Name
}

// sectionTitle returns the title of section id of p, or "".
func sectionTitle(p *collab.Plan, id string) string {
	if s, _, ok := p.Find(id); ok {
		return s.Title
	}
	return ""
}

// excerpt returns the start of a text, at most n characters, cut at a
// space where it is cut.
func excerpt(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := string([]rune(s)[:n])
	if i := strings.LastIndexAny(cut, " \n\t"); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " \n\t.,;:") + " …"
}

// Mention notifies the people c mentions in plan p — members of the plan
// but the comment's author — with a link to the comment's section. It is
// called after the comment is stored, and again after an edit: a person
// mentioned before is not notified twice.
func (m *Mailer) Mention(ctx context.Context, p *collab.Plan, c *collab.Comment) error {
	section := c.Section
	if root, ok := p.Comment(c.Thread); ok {
		section = root.Section
	}
	v := view{Actor: m.name(ctx, c.Author), Plan: p.Title, Section: sectionTitle(p, section), Excerpt: excerpt(c.Body, excerptLen),
		Link: m.link("/plans/" + p.ID + "/sections/" + section)}
	var errs []error
	for _, u := range c.Mentions {
		if u == c.Author || p.RolesOf(u) == nil {
			continue
		}
		if err := m.notify(ctx, u, KindMention, MessageID(KindMention, p.ID, c.ID, u), v); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// roundView is what the messages about review round r of p show.
func (m *Mailer) roundView(ctx context.Context, p *collab.Plan, r *collab.Round) view {
	v := view{Actor: m.name(ctx, r.SentBy), Plan: p.Title, Message: strings.TrimSpace(r.Message), Deadline: dayDate(r.Deadline),
		Link: m.link("/plans/" + p.ID + "/fremdrift")}
	for _, s := range r.Sections {
		if t := sectionTitle(p, s); t != "" {
			v.Sections = append(v.Sections, t)
		}
	}
	return v
}

// RoundRequest asks the recipients of review round r of plan p to read
// the plan by its deadline. It is called when the round is made.
func (m *Mailer) RoundRequest(ctx context.Context, p *collab.Plan, r *collab.Round) error {
	v := m.roundView(ctx, p, r)
	var errs []error
	for _, u := range r.Recipients {
		if u == r.SentBy || p.RolesOf(u) == nil {
			continue
		}
		if err := m.notify(ctx, u, KindRoundRequest, MessageID(KindRoundRequest, p.ID, r.ID, u), v); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// tickLoop makes the reminders and the digests every Tick until ctx ends.
func (m *Mailer) tickLoop(ctx context.Context) {
	tick := time.NewTicker(m.t.Tick)
	defer tick.Stop()
	for {
		if err := m.Tick(ctx); err != nil && ctx.Err() == nil {
			m.log.Error("mail: reminders or digests not made", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Tick makes the periodic messages due now: the reminders of review
// rounds whose deadline is tomorrow and the digests of the days before
// today (from DigestHour). Every node may tick: each message's id makes
// it one message however many nodes make it.
func (m *Mailer) Tick(ctx context.Context) error {
	return errors.Join(m.remind(ctx), m.digest(ctx))
}

// remind reminds every recipient of a review round due tomorrow who has
// not answered it. A round sent today is not reminded of: its request
// has just arrived.
func (m *Mailer) remind(ctx context.Context) error {
	if m.cfg.Plans == nil {
		return nil
	}
	now := m.now()
	today := m.day(now)
	tomorrow := now.In(m.cfg.Zone).AddDate(0, 0, 1).Format(time.DateOnly)
	plans, err := m.cfg.Plans.List(ctx, "")
	if err != nil {
		return err
	}
	var errs []error
	for _, sum := range plans {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		p, err := m.cfg.Plans.Get(ctx, sum.ID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, r := range p.Rounds {
			if r.Deadline != tomorrow || m.day(r.SentAt) == today {
				continue
			}
			v := m.roundView(ctx, p, r)
			for _, u := range r.Recipients {
				if r.Answered(u) || p.RolesOf(u) == nil {
					continue
				}
				if err := m.notify(ctx, u, KindRoundReminder, MessageID(KindRoundReminder, p.ID, r.ID, r.Deadline, u), v); err != nil {
					errs = append(errs, err)
				}
			}
		}
	}
	return errors.Join(errs...)
}

// digestBatch is how many digest items one read takes.
const digestBatch = 500

// digest sends each person who has items held from the days before today
// one message per day with them, once the day's DigestHour has come.
func (m *Mailer) digest(ctx context.Context) error {
	local := m.now().In(m.cfg.Zone)
	if local.Hour() < m.t.DigestHour {
		return nil
	}
	today := local.Format(time.DateOnly)
	for ctx.Err() == nil {
		items, err := m.cfg.Store.DigestItems(ctx, today, digestBatch)
		if err != nil {
			return err
		}
		groups := groupDigest(items)
		if len(items) == digestBatch && len(groups) > 1 {
			// The last person-day may go on in the next read: it is made
			// then, whole.
			groups = groups[:len(groups)-1]
		}
		for _, g := range groups {
			if err := m.sendDigest(ctx, g); err != nil {
				return err
			}
		}
		if len(items) < digestBatch {
			return nil
		}
	}
	return ctx.Err()
}

// groupDigest splits items (ordered by user and day) into one group per
// person and day.
func groupDigest(items []DigestItem) [][]DigestItem {
	var out [][]DigestItem
	for i, it := range items {
		if i == 0 || it.User != items[i-1].User || it.Day != items[i-1].Day {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], it)
	}
	return out
}

// sendDigest enqueues the digest of one person's day and marks its items.
func (m *Mailer) sendDigest(ctx context.Context, items []DigestItem) error {
	user, day := items[0].User, items[0].Day
	acct, p, ok, err := m.recipient(ctx, user)
	if err != nil {
		return err
	}
	if ok && p.Mode != ModeOff {
		v := view{Name: acct.Name, Day: dayDate(day), Items: items, Settings: m.link(SettingsPath)}
		if err := m.compose(ctx, MessageID(KindDigest, user, day), KindDigest, acct.Email, acct.ID, p.Lang, v); err != nil {
			return fmt.Errorf("digest of %s: %w", day, err)
		}
	}
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	return m.cfg.Store.MarkDigested(ctx, ids)
}

// HearingReceipt is the receipt of a hearing response (høringsinnspill),
// sent to whoever submitted it.
type HearingReceipt struct {
	// Plan is the plan's id, PlanTitle its title.
	Plan, PlanTitle string
	// Municipality is the name the receipt is signed with.
	Municipality string
	// Email and Name are the sender's (Name may be empty).
	Email, Name string
	// Receipt is the response's receipt code: with Plan, it makes the
	// message's id.
	Receipt string
	// Submitted is when the response was received.
	Submitted time.Time
	// Deadline is the hearing's deadline (YYYY-MM-DD).
	Deadline string
	// Path is the app path of the public hearing page, "" for none.
	Path string
	// Lang is the language the response was written in the UI of.
	Lang Lang
}

// SendHearingReceipt enqueues the receipt of a hearing response. Receipts
// are sent whatever anyone's settings: the sender has no account.
func (m *Mailer) SendHearingReceipt(ctx context.Context, r HearingReceipt) error {
	email, err := checkAddress(r.Email)
	if err != nil {
		return err
	}
	if r.Receipt == "" || r.Plan == "" {
		return collab.Errorf(collab.CodeInvalid, "a receipt needs the plan and the receipt code")
	}
	lang := r.Lang
	if lang != LangNN {
		lang = LangNB
	}
	v := view{Name: strings.TrimSpace(r.Name), Plan: r.PlanTitle, Municipality: r.Municipality, Receipt: r.Receipt,
		Submitted: longTime(r.Submitted.In(m.cfg.Zone)), Deadline: dayDate(r.Deadline)}
	if r.Path != "" {
		v.Link = m.link(r.Path)
	}
	return m.compose(ctx, MessageID(KindHearingReceipt, r.Plan, r.Receipt), KindHearingReceipt, email, "", lang, v)
}

// checkAddress returns the normalised e-mail address or an invalid error.
func checkAddress(email string) (string, error) {
	email = auth.NormalizeEmail(email)
	at := strings.LastIndexByte(email, '@')
	if at < 1 || at == len(email)-1 || len(email) > 254 || !utf8.ValidString(email) ||
		strings.ContainsFunc(email, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '<' || r == '>' || r == '"' || r == ',' }) {
		return "", collab.Errorf(collab.CodeInvalid, "that is not an e-mail address")
	}
	return email, nil
}
