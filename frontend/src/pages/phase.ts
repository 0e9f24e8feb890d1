// What the phase banner shows, as data: the phase, the approvals while the
// plan is locked for approval, and the transitions the caller may ask for.
// The server's policy decides (Plan.you.actions); this only turns its
// answer into buttons, so a button is never offered that the server would
// refuse for the role or phase.
import type { Phase, Plan, TransitionAction } from '../api/types';

/** A transition button of the banner. */
export interface BannerAction {
  /** The action sent to POST /api/plans/:id/transitions. */
  action: TransitionAction;
  /** How the button asks before it acts. */
  ask: 'none' | 'confirm' | 'comment';
}

export interface Approval {
  role: 'steering' | 'political';
  approved: boolean;
}

/** The phases in which the leader writes (SPEC.md §6). */
const WRITING_PHASES: ReadonlySet<Phase> = new Set<Phase>(['draft', 'processing', 'amending']);

/**
 * bannerActions returns the transition buttons for what the caller may do
 * now (you.actions), in a fixed order. Either approval right gives one
 * "approve" button: the server knows which role approves.
 */
export function bannerActions(actions: readonly string[] | undefined): BannerAction[] {
  const may = new Set(actions ?? []);
  const out: BannerAction[] = [];
  if (may.has('submit')) out.push({ action: 'submit', ask: 'none' });
  if (may.has('lock')) out.push({ action: 'lock', ask: 'confirm' });
  if (may.has('approve_steering') || may.has('approve_political')) out.push({ action: 'approve', ask: 'none' });
  if (may.has('return')) out.push({ action: 'return', ask: 'comment' });
  return out;
}

/**
 * approvals returns the approval status to show: both approvals while the
 * draft is locked for approval, the steering group's for the final
 * proposal, none otherwise.
 */
export function approvals(plan: Pick<Plan, 'phase' | 'approvals'>): Approval[] {
  const got = new Set(plan.approvals ?? []);
  const row = (role: Approval['role']): Approval => ({ role, approved: got.has(role) });
  if (plan.phase === 'review') return [row('steering'), row('political')];
  if (plan.phase === 'final_review') return [row('steering')];
  return [];
}

/** can reports whether the caller may do action in the plan now. */
export function can(plan: Pick<Plan, 'you'> | null, action: string): boolean {
  return plan?.you?.actions.includes(action) ?? false;
}

/**
 * readOnlyReason says why the caller may not edit the text: the phase
 * (nobody writes now) or the role (someone else writes); null when they may.
 */
export function readOnlyReason(plan: Pick<Plan, 'you' | 'phase'>): 'phase' | 'role' | null {
  if (can(plan, 'edit_text')) return null;
  return WRITING_PHASES.has(plan.phase) ? 'role' : 'phase';
}

/** The order roles are listed in (SPEC.md §5), admin last. */
const ROLE_ORDER = ['leader', 'member', 'finance', 'reader', 'steering', 'political', 'admin'];

/** sortRoles orders roles as SPEC.md §5 does, unknown ones last, without duplicates. */
export function sortRoles(roles: readonly string[]): string[] {
  const rank = (r: string) => {
    const i = ROLE_ORDER.indexOf(r);
    return i < 0 ? ROLE_ORDER.length : i;
  };
  return [...new Set(roles)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
