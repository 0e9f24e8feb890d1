// A change of the plan from a process view: sent with the plan seq the
// user's view was made on; the answer is the plan after it. A conflict
// (someone changed the same thing meanwhile) or a thing that is gone
// reloads the plan, and the user is told what happened.
import { ApiError } from '../api/client';
import type { Plan } from '../api/types';
import { problemText } from '../pages/labels';
import type { ViewContext } from '../pages/views';

export type ChangeResult = { ok: true; plan: Plan } | { ok: false; error: string };

/** changePlan runs call with the current plan seq and says how it went. */
export async function changePlan(ctx: ViewContext, call: (seq: number) => Promise<Plan>): Promise<ChangeResult> {
  try {
    return { ok: true, plan: await call(ctx.plan().seq) };
  } catch (err) {
    if (err instanceof ApiError && (err.code === 'conflict' || err.code === 'not_found')) await ctx.reload().catch(() => undefined);
    return { ok: false, error: problemText(err) };
  }
}

/** newer returns whichever plan is the later state, keeping what only a fetch brings. */
export function newer(current: Plan, next: Plan | null | undefined): Plan {
  if (!next || next.seq < current.seq) return current;
  if (!next.you) return { ...next, you: current.you, members: current.members };
  return next;
}
