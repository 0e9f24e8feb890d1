// The card of a review round sent to the user and not yet answered: who
// asked, what to read (the whole plan or some sections), by when, and
// "Marker som ferdig" with an optional comment. The Fremdrift view and the
// review panel's "Til meg" show it.
import type { Plan, ReviewRound } from '../api/types';
import { h, uniqueId } from '../dom';
import { t } from '../i18n';
import { findSection } from '../pages/outline';
import { formatDate } from './schedule';

export interface RoundCardOptions {
  round: ReviewRound;
  plan: Plan;
  /** Today in Oslo (YYYY-MM-DD). */
  today: string;
  /** done marks the round done with the comment; it resolves to null when the server took it, else to what went wrong. */
  done(round: ReviewRound, comment: string): Promise<string | null>;
  /** heading is the level of the card's heading. */
  heading?: 'h3' | 'h4';
}

/** memberName returns a plan member's name by user id. */
export function memberName(plan: Plan, user: string): string {
  return plan.members?.find((m) => m.user === user)?.name ?? t('process.unknownPerson');
}

/** roundScope says what a round asks to be read: the whole plan, or its sections by title. */
export function roundScope(plan: Plan, round: Pick<ReviewRound, 'sections'>): string {
  if (round.sections.length === 0) return t('process.rounds.wholePlan');
  return round.sections.map((id) => findSection(plan.sections, id)?.section.title ?? t('process.rounds.deletedSection')).join(', ');
}

/** roundCard draws an open round for its recipient. */
export function roundCard(o: RoundCardOptions): HTMLElement {
  const r = o.round;
  const headId = uniqueId('round');
  const commentId = uniqueId('round-comment');
  const overdue = r.deadline < o.today;
  const comment = h('textarea', { id: commentId, rows: '2', 'data-testid': 'round-comment' });
  const error = h('p', { class: 'error', role: 'alert' });
  const button = h('button', { type: 'submit', class: 'primary', 'data-testid': 'round-done' }, t('process.rounds.markDone'));
  const Heading = o.heading ?? 'h3';
  return h(
    'article',
    { class: `round-card${overdue ? ' is-overdue' : ''}`, 'data-testid': 'round-card', 'data-round-id': r.id, 'aria-labelledby': headId },
    h(Heading, { id: headId, class: 'round-title' }, t('process.rounds.cardTitle', { name: memberName(o.plan, r.sent_by) })),
    h(
      'p',
      { class: 'round-deadline' },
      t('process.rounds.deadline', { date: formatDate(r.deadline) }),
      overdue ? [' ', h('span', { class: 'process-badge badge-overdue', 'data-testid': 'round-overdue' }, t('process.overdue'))] : null,
    ),
    h('p', { class: 'round-scope' }, `${t('process.rounds.scope')}: ${roundScope(o.plan, r)}`),
    r.message ? h('blockquote', { class: 'round-message' }, r.message) : null,
    h(
      'form',
      {
        class: 'round-answer',
        onsubmit: async (e: SubmitEvent) => {
          e.preventDefault();
          if (button.disabled) return;
          button.disabled = true;
          error.textContent = '';
          const problem = await o.done(r, comment.value.trim());
          if (problem === null) return;
          error.textContent = problem;
          button.disabled = false;
        },
      },
      h('p', { class: 'field' }, h('label', { for: commentId }, t('process.rounds.comment')), comment),
      error,
      h('p', { class: 'buttons' }, button),
    ),
  );
}
