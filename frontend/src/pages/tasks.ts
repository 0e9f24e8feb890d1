// What the plan list shows beside each plan, as data: the next deadline
// (the earliest milestone not done, the hearing's deadline while the
// hearing runs, a review round the user has not answered) and the user's
// tasks in it (what the plan asks of them now). Both come from the plan as
// GET /api/plans/:id answers it, with what the user may do
// (plan.you.actions), and the number of open privacy findings for whoever
// may accept them (GET /api/plans/:id/privacy); the plan listing itself
// carries neither.
import type { Plan } from '../api/types';
import { isOverdue } from '../process/schedule';

/** A task of the user's in a plan; n counts it where there may be several. */
export type Task =
  | { kind: 'requirements'; n: number }
  | { kind: 'resolve_requirements'; n: number }
  | { kind: 'privacy'; n: number }
  | { kind: 'lock' }
  | { kind: 'approve' }
  | { kind: 'signoff' }
  | { kind: 'signoff_lapsed' }
  | { kind: 'round'; deadline: string };

/** A deadline of the plan. */
export interface Deadline {
  /** YYYY-MM-DD */
  date: string;
  kind: 'milestone' | 'hearing' | 'round';
  /** The milestone's title. */
  title?: string;
  overdue: boolean;
}

/** The plan fields the list reads. */
export type PlanDetail = Pick<Plan, 'phase' | 'you' | 'open_requirements' | 'economics_signoff' | 'submitted' | 'milestones' | 'rounds'> & {
  hearing?: { deadline?: string } | null;
};

const may = (p: PlanDetail, action: string) => p.you?.actions.includes(action) ?? false;
const holds = (p: PlanDetail, role: string) => p.you?.roles.includes(role) ?? false;

/** myRounds returns the review rounds sent to the user that they have not answered. */
function myRounds(p: PlanDetail) {
  const me = p.you?.id;
  if (!me) return [];
  return (p.rounds ?? []).filter((r) => r.recipients.includes(me) && !r.answers.some((a) => a.user === me));
}

/**
 * planTasks returns what the plan asks of the user now, in a fixed order:
 * the leader's required changes to make and privacy findings (privacyOpen:
 * null when not known), the steering group's required changes to resolve,
 * a submitted draft to lock, an approval, finance's sign-off, and the
 * review rounds to read.
 */
export function planTasks(p: PlanDetail, privacyOpen: number | null): Task[] {
  const out: Task[] = [];
  const reqs = p.open_requirements ?? [];
  const toMake = reqs.filter((r) => !r.done).length;
  if (toMake > 0 && holds(p, 'leader')) out.push({ kind: 'requirements', n: toMake });
  if (privacyOpen && privacyOpen > 0) out.push({ kind: 'privacy', n: privacyOpen });
  const toResolve = reqs.filter((r) => r.done).length;
  if (toResolve > 0 && holds(p, 'steering')) out.push({ kind: 'resolve_requirements', n: toResolve });
  if (p.submitted && may(p, 'lock')) out.push({ kind: 'lock' });
  if (may(p, 'approve_steering') || may(p, 'approve_political')) out.push({ kind: 'approve' });
  if (may(p, 'sign_off_economics')) {
    if (!p.economics_signoff) out.push({ kind: 'signoff' });
    else if (p.economics_signoff.lapsed) out.push({ kind: 'signoff_lapsed' });
  }
  for (const r of myRounds(p).sort((a, b) => a.deadline.localeCompare(b.deadline))) out.push({ kind: 'round', deadline: r.deadline });
  return out;
}

/** wantsPrivacy reports whether the list should ask for the plan's privacy findings (whoever may accept them, while the text is written). */
export function wantsPrivacy(p: PlanDetail): boolean {
  return may(p, 'accept_privacy_finding') && may(p, 'edit_text');
}

/**
 * nextDeadline returns the plan's earliest open deadline: a milestone not
 * done (an overdue one first, being earlier), the hearing's deadline while
 * the hearing runs, or a review round the user has not answered; null
 * when there is none. today is YYYY-MM-DD in Oslo.
 */
export function nextDeadline(p: PlanDetail, today: string): Deadline | null {
  const all: Deadline[] = [];
  for (const m of p.milestones ?? []) {
    if (m.status !== 'done') all.push({ date: m.date, kind: 'milestone', title: m.title, overdue: isOverdue(m, today) });
  }
  if (p.phase === 'hearing' && p.hearing?.deadline) all.push({ date: p.hearing.deadline, kind: 'hearing', overdue: p.hearing.deadline < today });
  for (const r of myRounds(p)) all.push({ date: r.deadline, kind: 'round', overdue: r.deadline < today });
  all.sort((a, b) => a.date.localeCompare(b.date));
  return all[0] ?? null;
}
