// What a refused change of the plan's content tells the user: the
// Norwegian text of the server's code, with the server's own words for
// an invalid field (they name it). A conflict (someone else changed the
// same thing first) reloads the plan, so the next try is made on what is
// there now.
import { ApiError } from '../api/client';
import { t } from '../i18n';
import { problemText } from '../pages/labels';
import type { ViewContext } from '../pages/views';

/** changeProblem returns the message for a refused change, reloading the plan where that helps. */
export async function changeProblem(err: unknown, ctx: Pick<ViewContext, 'reload'>): Promise<string> {
  if (err instanceof ApiError) {
    if (err.code === 'conflict' || err.code === 'not_found') {
      await ctx.reload();
      return err.code === 'conflict' ? t('content.conflict') : problemText(err);
    }
    if (err.code === 'forbidden' || err.code === 'wrong_phase' || err.code === 'locked') await ctx.reload();
    if (err.code === 'invalid' && err.message) return t('content.invalidDetail', { detail: err.message });
  }
  return problemText(err);
}
