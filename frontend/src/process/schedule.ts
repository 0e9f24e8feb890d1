// The progress plan as data: today's date in Oslo, which milestones are
// overdue, and where each review round stands. The server sends
// `overdue` too, but a page left open past midnight must see a date
// pass without a reload, so the UI decides again from an injected today.
import type { Milestone, ReviewRound } from '../api/types';

/** osloDate returns the calendar date in Europe/Oslo at the instant now, as YYYY-MM-DD. */
export function osloDate(now: Date): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Oslo', year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** isDate reports whether s is a real calendar date written YYYY-MM-DD. */
export function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** isOverdue reports whether a milestone's date has passed (before today) and it is not done. */
export function isOverdue(m: Pick<Milestone, 'date' | 'status'>, today: string): boolean {
  return m.status !== 'done' && m.date < today;
}

/** byDate orders milestones by date, then by title, without changing the list given. */
export function byDate<T extends Pick<Milestone, 'date' | 'title'>>(ms: readonly T[]): T[] {
  return [...ms].sort((a, b) => a.date.localeCompare(b.date) || a.title.localeCompare(b.title, 'nb'));
}

/** Where a review round stands. */
export interface RoundProgress {
  /** The recipients who marked their part done, in the order they were asked. */
  answered: string[];
  /** The recipients who have not. */
  waiting: string[];
  /** The deadline has passed and someone has not answered. */
  overdue: boolean;
}

/** roundProgress says who has answered a round and who not, and whether it is overdue on today. */
export function roundProgress(r: Pick<ReviewRound, 'recipients' | 'answers' | 'deadline'>, today: string): RoundProgress {
  const done = new Set((r.answers ?? []).map((a) => a.user));
  const answered = r.recipients.filter((u) => done.has(u));
  const waiting = r.recipients.filter((u) => !done.has(u));
  return { answered, waiting, overdue: waiting.length > 0 && r.deadline < today };
}

/** openRoundsFor returns the rounds sent to user that they have not answered, soonest deadline first. */
export function openRoundsFor(rounds: readonly ReviewRound[] | undefined, user: string): ReviewRound[] {
  return (rounds ?? [])
    .filter((r) => r.recipients.includes(user) && !(r.answers ?? []).some((a) => a.user === user))
    .sort((a, b) => a.deadline.localeCompare(b.deadline) || a.sent_at.localeCompare(b.sent_at));
}

/** formatDate writes a YYYY-MM-DD date the Norwegian way ("1. mars 2027"). */
export function formatDate(date: string): string {
  if (!isDate(date)) return date;
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Intl.DateTimeFormat('nb-NO', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(Date.UTC(y, m - 1, d)));
}
