// Finance's sign-off of the plan's economics ("økonomisk kvalitetssikret"):
// its status — signed, lapsed (a cost changed since; it stays lapsed until
// finance signs again) or none — and, for those who may sign
// (sign_off_economics), a form with a required comment. The sign-off
// records the cost data as the economics answer showed it (its seq): if a
// cost changed meanwhile the server refuses it as a conflict.
import type { Member, SignOff } from '../api/types';
import { h, replace, uniqueId } from '../dom';
import { lang, t } from '../i18n';
import { personName } from './overview';

export type SignOffState = 'signed' | 'lapsed' | 'none';

/** signOffState says whether the economics are signed off, the sign-off lapsed, or never given. */
export function signOffState(s: SignOff | null | undefined): SignOffState {
  if (!s) return 'none';
  return s.lapsed ? 'lapsed' : 'signed';
}

/** dateTimeText writes a time as a Norwegian date and time. */
export function dateTimeText(at: string): string {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return at;
  return new Intl.DateTimeFormat(lang() === 'nn' ? 'nn-NO' : 'nb-NO', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Oslo' }).format(d);
}

/** signOffText is the status line of a sign-off. */
export function signOffText(s: SignOff | null | undefined, members: readonly Member[] | undefined): string {
  const state = signOffState(s);
  if (!s || state === 'none') return t('content.signoff.none');
  const date = dateTimeText(s.at);
  return state === 'lapsed' ? t('content.signoff.lapsed', { date }) : t('content.signoff.signed', { name: personName(members, s.by), date });
}

export interface SignOffPanelOptions {
  /** sign sends the sign-off; it returns null when done, else the problem to show. */
  sign: (comment: string) => Promise<string | null>;
}

export class SignOffPanel {
  readonly element: HTMLElement;
  private readonly statusEl: HTMLElement;
  private readonly detailEl: HTMLElement;
  private readonly formEl: HTMLFormElement;
  private readonly comment: HTMLTextAreaElement;
  private readonly submit: HTMLButtonElement;
  private readonly errorEl: HTMLElement;
  private busy = false;

  constructor(private readonly o: SignOffPanelOptions) {
    const headId = uniqueId('signoff');
    const commentId = uniqueId('signoff-comment');
    const errId = uniqueId('signoff-err');
    this.statusEl = h('p', { class: 'signoff-status', role: 'status', 'data-testid': 'signoff-status', 'data-state': 'none' });
    this.detailEl = h('div', { class: 'signoff-detail' });
    this.comment = h('textarea', { id: commentId, rows: '3', required: true, 'aria-describedby': errId, 'data-testid': 'signoff-comment' });
    this.errorEl = h('p', { id: errId, class: 'error', role: 'alert', 'data-testid': 'signoff-error' });
    this.submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'signoff-submit' }, t('content.signoff.submit'));
    this.formEl = h(
      'form',
      { class: 'signoff-form', novalidate: true, hidden: true, onsubmit: (e: SubmitEvent) => this.send(e) },
      h('p', { class: 'field' }, h('label', { for: commentId }, t('content.signoff.comment')), this.comment),
      this.errorEl,
      h('p', { class: 'buttons' }, this.submit),
    );
    this.element = h(
      'section',
      { class: 'signoff-panel', 'aria-labelledby': headId, 'data-testid': 'signoff-panel' },
      h('h3', { id: headId }, t('content.signoff.heading')),
      this.statusEl,
      this.detailEl,
      this.formEl,
    );
  }

  /** update shows the sign-off as it is, and the form when the user may sign (and the figures are loaded). */
  update(s: SignOff | null | undefined, members: readonly Member[] | undefined, maySign: boolean, ready: boolean): void {
    const state = signOffState(s);
    this.element.dataset.state = state;
    this.statusEl.dataset.state = state;
    const text = signOffText(s, members);
    if (this.statusEl.textContent !== text) this.statusEl.textContent = text;
    replace(
      this.detailEl,
      s && s.comment ? h('p', { class: 'signoff-comment' }, t('content.signoff.commentBy', { name: personName(members, s.by) }), ' ', h('q', null, s.comment)) : null,
      state === 'lapsed' ? h('p', { class: 'hint' }, t('content.signoff.lapsedHint')) : null,
    );
    this.formEl.hidden = !maySign;
    this.submit.textContent = state === 'none' ? t('content.signoff.submit') : t('content.signoff.again');
    this.submit.disabled = this.busy || !ready;
  }

  private send(e: SubmitEvent): void {
    e.preventDefault();
    if (this.busy) return;
    const comment = this.comment.value.trim();
    if (comment === '') {
      this.errorEl.textContent = t('content.signoff.commentRequired');
      this.comment.setAttribute('aria-invalid', 'true');
      this.comment.focus();
      return;
    }
    this.comment.removeAttribute('aria-invalid');
    this.errorEl.textContent = '';
    this.busy = true;
    this.submit.disabled = true;
    void this.o
      .sign(comment)
      .then((problem) => {
        if (problem === null) this.comment.value = '';
        else this.errorEl.textContent = problem;
      })
      .finally(() => {
        this.busy = false;
        this.submit.disabled = false;
      });
  }
}
