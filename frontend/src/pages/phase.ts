// What the phase banner shows, as data: the phase, the approvals while the
// plan is locked for approval, and the transitions the caller may ask for.
// The server's policy decides (Plan.you.actions); this only turns its
// answer into buttons, so a button is never offered that the server would
// refuse for the role or phase.
import type { Phase, Plan, TransitionAction } from '../api/types';
import type { MessageKey } from '../i18n';
import type { ViewName } from './views';

/** A transition button of the banner. */
export interface BannerAction {
  /** The action sent to POST /api/plans/:id/transitions. */
  action: TransitionAction;
  /** How the button asks before it acts. */
  ask: 'none' | 'confirm' | 'comment';
  /** The button's text: the same action means another step in Fase 3. */
  label: MessageKey;
}

/**
 * A link of the banner: to the view where an action of the phase is done
 * (its form needs more than a button), or to the plan a rullering came
 * from or made.
 */
export type BannerLink =
  | { kind: 'view'; action: string; view: ViewName; label: MessageKey }
  | { kind: 'plan'; plan: string; title: string; label: MessageKey };

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
export function bannerActions(actions: readonly string[] | undefined, phase?: Phase): BannerAction[] {
  const may = new Set(actions ?? []);
  const out: BannerAction[] = [];
  const fase3 = phase === 'processing' || phase === 'final_review';
  if (may.has('submit')) out.push({ action: 'submit', ask: 'none', label: fase3 ? 'action.submitFinal' : 'action.submit' });
  if (may.has('lock')) out.push({ action: 'lock', ask: 'confirm', label: fase3 ? 'action.lockFinal' : 'action.lock' });
  if (may.has('approve_steering') || may.has('approve_political')) {
    const label: MessageKey = phase === 'amending' ? 'action.confirmAmendments' : phase === 'final_review' ? 'action.approveFinal' : 'action.approve';
    out.push({ action: 'approve', ask: 'none', label });
  }
  if (may.has('return')) out.push({ action: 'return', ask: 'comment', label: 'action.return' });
  return out;
}

/**
 * bannerLinks names what the caller may do now beyond the transition
 * buttons — close the hearing, assess its responses, record the council's
 * decision, start the rullering — as links to the view that does it, and
 * links to the plan a rullering came from or made.
 */
export function bannerLinks(plan: Pick<Plan, 'phase' | 'you' | 'approvals'> & { previous?: { plan_id: string; title: string } | null; next?: { plan_id: string; title: string } | null }): BannerLink[] {
  const may = new Set(plan.you?.actions ?? []);
  const out: BannerLink[] = [];
  const view = (action: string, v: ViewName, label: MessageKey) => out.push({ kind: 'view', action, view: v, label });
  if (plan.phase === 'hearing' && may.has('close_hearing')) view('close_hearing', 'hoering', 'banner.link.closeHearing');
  if (plan.phase === 'processing' && may.has('write_assessment')) view('write_assessment', 'hoering', 'banner.link.assess');
  if (plan.phase === 'final_review' && (may.has('record_decision') || may.has('record_amendments')) && (plan.approvals ?? []).includes('steering')) {
    view('record_decision', 'vedtak', 'banner.link.decision');
  }
  if (plan.phase === 'adopted') {
    view('adopted', 'vedtak', 'banner.link.adopted');
    if (may.has('start_rullering') && !plan.next) view('start_rullering', 'vedtak', 'banner.link.rullering');
  }
  if (plan.previous) out.push({ kind: 'plan', plan: plan.previous.plan_id, title: plan.previous.title, label: 'banner.previous' });
  if (plan.next) out.push({ kind: 'plan', plan: plan.next.plan_id, title: plan.next.title, label: 'banner.next' });
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
