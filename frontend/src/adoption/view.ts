// The Vedtak view (Fase 3 after the processing): in final_review, once
// the steering group has approved the final proposal, the leader (or the
// administrator) records the council's decision (date, body, case number,
// amendments); with amendments the plan goes to amending, where the leader
// writes them in and the steering group confirms them; without, or after
// that confirmation, the plan is adopted: the decision is shown with the
// public page of the adopted plan, and the leader (or the administrator)
// may start the rullering, a new plan made from the adopted one. A plan
// made by rullering links back to the plan it came from.
import './adoption.css';
import type { Plan } from '../api/types';
import { confirmDialog } from '../dialog';
import { h, replace, uniqueId } from '../dom';
import { fase3Of, getHearing, recordDecision, startRullering, type Decision } from '../hearing/api';
import { restoreFocus } from '../hearing/focus';
import { formatDate, formatDateTime, validateDecision, type DecisionForm } from '../hearing/logic';
import { lang, t, type MessageKey } from '../i18n';
import { problemText } from '../pages/labels';
import { can } from '../pages/phase';
import type { PlanView, ViewContext } from '../pages/views';

/** The body that usually adopts a plan, the form's default. */
export const DEFAULT_BODY = 'Kommunestyret';

export class AdoptionView implements PlanView {
  readonly element: HTMLElement;
  private plan: Plan;
  private alive = true;
  private busy = false;
  /** The server's today (YYYY-MM-DD), for the decision's date. */
  private today = '';
  /** The decision form as typed, kept across redraws. */
  private form: DecisionForm = { date: '', body: DEFAULT_BODY, case_number: '', amendments: '' };
  private readonly errorEl: HTMLElement;
  private readonly bodyEl: HTMLElement;

  constructor(private readonly ctx: ViewContext) {
    this.plan = ctx.plan();
    const headId = uniqueId('adoption');
    this.errorEl = h('p', { class: 'error', role: 'alert', 'data-testid': 'adoption-error' });
    this.bodyEl = h('div');
    this.element = h('section', { class: 'adoption-view', 'aria-labelledby': headId, 'data-testid': 'view-vedtak' },
      h('h2', { id: headId }, t('adoption.heading')), this.errorEl, this.bodyEl);
    this.render();
    void this.loadToday();
  }

  update(plan: Plan): void {
    const before = this.plan;
    this.plan = plan;
    if (plan.seq !== before.seq || plan.phase !== before.phase || plan.you !== before.you) this.render();
  }

  destroy(): void {
    this.alive = false;
  }

  // loadToday asks the server for its date (the hearing's answer carries
  // it): a decision may not be dated after it.
  private async loadToday(): Promise<void> {
    try {
      const a = await getHearing(this.ctx.api, this.ctx.planId);
      if (!this.alive) return;
      this.today = a.today;
      if (!this.form.date) this.form.date = a.today;
      this.render();
    } catch {
      // Without it the server still checks the date.
    }
  }

  private render(): void {
    const plan = this.plan;
    const f = fase3Of(plan);
    const parts: (HTMLElement | string)[] = [];
    if (f.previous) {
      parts.push(h('p', { 'data-testid': 'rullering-previous' }, t('adoption.previous'), ' ',
        h('a', { href: `/plans/${encodeURIComponent(f.previous.plan_id)}`, 'data-link': '' }, f.previous.title)));
    }
    if (f.decision) parts.push(this.renderDecision(f.decision));
    switch (plan.phase) {
      case 'final_review':
        parts.push(this.renderFinalReview());
        break;
      case 'amending':
        parts.push(this.renderAmending());
        break;
      case 'adopted':
        parts.push(this.renderAdopted());
        break;
      default:
        parts.push(h('p', { class: 'hint', 'data-testid': 'adoption-not-yet' }, t('adoption.notYet')));
    }
    const active = document.activeElement as HTMLElement | null;
    const key = active && this.bodyEl.contains(active) ? active.dataset.key : undefined;
    replace(this.bodyEl, ...parts);
    if (key) restoreFocus(this.bodyEl, key, active);
  }

  private renderDecision(d: Decision): HTMLElement {
    const l = lang();
    return h('div', { class: 'decision', 'data-testid': 'decision' },
      h('h3', null, t('adoption.decisionHeading')),
      h('p', null, t('adoption.decisionText', { body: d.body, date: formatDate(d.date, l), case_number: d.case_number })),
      d.amendments
        ? [h('h4', null, t('adoption.amendments')), h('p', { class: 'amendments-text' }, d.amendments)]
        : h('p', null, t('adoption.noAmendments')),
      d.recorded_at ? h('p', { class: 'hint' }, t('adoption.recorded', { at: formatDateTime(d.recorded_at, l) })) : '');
  }

  private renderFinalReview(): HTMLElement {
    const plan = this.plan;
    const approved = (plan.approvals ?? []).includes('steering');
    const records = can(plan, 'record_decision') || can(plan, 'record_amendments');
    if (!approved) {
      return h('p', { class: 'hint', 'data-testid': 'approval-missing' }, t(records ? 'adoption.waitApprovalLeader' : 'adoption.waitApproval'));
    }
    if (!records) return h('p', { class: 'hint' }, t('adoption.waitDecision'));
    return this.decisionForm();
  }

  private decisionForm(): HTMLElement {
    const f = this.form;
    const ids = { date: uniqueId('decision-date'), body: uniqueId('decision-body'), case_number: uniqueId('decision-case'), amendments: uniqueId('decision-amend') };
    const errIds = { date: uniqueId('err'), body: uniqueId('err'), case_number: uniqueId('err'), amendments: uniqueId('err') };
    const errs = { date: h('p', { id: errIds.date, class: 'field-error' }), body: h('p', { id: errIds.body, class: 'field-error' }), case_number: h('p', { id: errIds.case_number, class: 'field-error' }) };
    const input = (k: 'date' | 'body' | 'case_number', attrs: Record<string, unknown>) => {
      const el = h('input', { id: ids[k], 'data-key': `decision-${k}`, 'aria-describedby': errIds[k], required: true, ...attrs }) as HTMLInputElement;
      el.value = f[k];
      el.addEventListener('input', () => { f[k] = el.value; });
      return el;
    };
    const date = input('date', { type: 'date', max: this.today || undefined, 'data-testid': 'decision-date' });
    const body = input('body', { type: 'text', maxlength: '200', autocomplete: 'off', 'data-testid': 'decision-body' });
    const caseNo = input('case_number', { type: 'text', maxlength: '64', autocomplete: 'off', 'data-testid': 'decision-case' });
    const amendments = h('textarea', { id: ids.amendments, rows: '6', 'data-key': 'decision-amendments', 'aria-describedby': errIds.amendments, 'data-testid': 'decision-amendments' }) as HTMLTextAreaElement;
    amendments.value = f.amendments;
    amendments.addEventListener('input', () => { f.amendments = amendments.value; });
    const fields = { date, body, case_number: caseNo };
    const submit = async (e: Event) => {
      e.preventDefault();
      if (this.busy) return;
      const problems = validateDecision(f, this.today);
      let first: HTMLElement | null = null;
      for (const k of ['date', 'body', 'case_number'] as const) {
        const p = problems[k];
        errs[k].textContent = p ? t(p) : '';
        if (p) fields[k].setAttribute('aria-invalid', 'true');
        else fields[k].removeAttribute('aria-invalid');
        if (p && !first) first = fields[k];
      }
      if (first) {
        first.focus();
        return;
      }
      const withAmendments = f.amendments.trim() !== '';
      const ok = await confirmDialog({
        heading: t(withAmendments ? 'adoption.confirmAmendHeading' : 'adoption.confirmAdoptHeading'),
        text: t(withAmendments ? 'adoption.confirmAmendText' : 'adoption.confirmAdoptText', { body: f.body.trim(), date: formatDate(f.date, lang()) }),
        confirm: t('adoption.confirmRecord'),
        testid: 'decision-dialog',
      });
      if (!ok) return;
      await this.act(() => recordDecision(this.ctx.api, this.ctx.planId, { date: f.date, body: f.body.trim(), case_number: f.case_number.trim(), amendments: f.amendments.trim() }),
        withAmendments ? 'adoption.recordedAmending' : 'adoption.recordedAdopted');
    };
    return h('form', { class: 'decision-form', 'data-testid': 'decision-form', 'aria-labelledby': 'decision-form-heading', onsubmit: submit, novalidate: true },
      h('h3', { id: 'decision-form-heading' }, t('adoption.formHeading')),
      h('p', { class: 'hint' }, t('adoption.formHint')),
      h('p', { class: 'field' }, h('label', { for: ids.date }, t('adoption.date')), date, errs.date),
      h('p', { class: 'field' }, h('label', { for: ids.body }, t('adoption.body')), body, errs.body),
      h('p', { class: 'field' }, h('label', { for: ids.case_number }, t('adoption.caseNumber')), caseNo, errs.case_number),
      h('p', { class: 'field' }, h('label', { for: ids.amendments }, t('adoption.amendmentsLabel')), h('span', { id: errIds.amendments, class: 'hint' }, t('adoption.amendmentsHint')), amendments),
      h('p', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary', 'data-testid': 'decision-submit', 'data-key': 'decision-submit', disabled: this.busy }, t('adoption.record'))));
  }

  private renderAmending(): HTMLElement {
    const plan = this.plan;
    if (can(plan, 'approve_steering')) {
      return h('div', null,
        h('p', null, t('adoption.amendingSteering')),
        h('button', {
          type: 'button', class: 'primary', 'data-testid': 'confirm-amendments', 'data-key': 'confirm-amendments', disabled: this.busy,
          onclick: async () => {
            const ok = await confirmDialog({ heading: t('adoption.confirmAmendmentsHeading'), text: t('adoption.confirmAmendmentsText'), confirm: t('adoption.confirmAmendments'), testid: 'amendments-dialog' });
            if (ok) await this.act(() => this.ctx.api.transition(this.ctx.planId, { action: 'approve' }), 'adoption.adoptedDone');
          },
        }, t('adoption.confirmAmendments')));
    }
    return h('p', { class: 'hint' }, t(can(plan, 'edit_text') ? 'adoption.amendingLeader' : 'adoption.amendingOthers'));
  }

  private renderAdopted(): HTMLElement {
    const plan = this.plan;
    const f = fase3Of(plan);
    const parts: (HTMLElement | string)[] = [];
    if (f.adoption) {
      const url = new URL(`/v/${encodeURIComponent(f.adoption.token)}`, window.location.origin).toString();
      parts.push(
        h('p', { 'data-testid': 'adopted' }, t('adoption.adoptedAt', { at: formatDateTime(f.adoption.adopted_at, lang()) })),
        h('p', null, t('adoption.publicPage'), ' ', h('a', { href: url, target: '_blank', rel: 'noopener noreferrer', 'data-testid': 'adopted-public-link' }, url)),
      );
    }
    if (f.next) {
      parts.push(h('p', { 'data-testid': 'rullering-next' }, t('adoption.next'), ' ',
        h('a', { href: `/plans/${encodeURIComponent(f.next.plan_id)}`, 'data-link': '' }, f.next.title)));
    } else if (can(plan, 'start_rullering')) {
      parts.push(h('h3', null, t('adoption.rulleringHeading')), h('p', { class: 'hint' }, t('adoption.rulleringHint')),
        h('button', {
          type: 'button', class: 'primary', 'data-testid': 'start-rullering', 'data-key': 'start-rullering', disabled: this.busy,
          onclick: () => void this.rullering(),
        }, t('adoption.startRullering')));
    }
    return h('div', null, ...parts);
  }

  private async rullering(): Promise<void> {
    const ok = await confirmDialog({ heading: t('adoption.rulleringConfirmHeading'), text: t('adoption.rulleringConfirmText', { title: this.plan.title }), confirm: t('adoption.startRullering'), testid: 'rullering-dialog' });
    if (!ok || this.busy) return;
    this.busy = true;
    this.render();
    try {
      const next = await startRullering(this.ctx.api, this.ctx.planId);
      if (!this.alive) return;
      this.ctx.navigate(`/plans/${encodeURIComponent(next.id)}`, t('adoption.rulleringDone', { title: next.title }));
    } catch (err) {
      if (!this.alive) return;
      this.busy = false;
      this.errorEl.textContent = problemText(err);
      await this.ctx.reload().catch(() => undefined);
      this.render();
    }
  }

  // act runs a change; the plan's event (and the reload) redraws the view.
  private async act(call: () => Promise<unknown>, done: MessageKey): Promise<void> {
    this.busy = true;
    this.errorEl.textContent = '';
    this.render();
    try {
      await call();
      if (!this.alive) return;
      this.ctx.announce(t(done));
    } catch (err) {
      if (!this.alive) return;
      this.errorEl.textContent = problemText(err);
    } finally {
      if (this.alive) {
        this.busy = false;
        await this.ctx.reload().catch(() => undefined);
        this.render();
      }
    }
  }
}

export const adoptionView = (ctx: ViewContext): PlanView => new AdoptionView(ctx);
