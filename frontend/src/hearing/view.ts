// The Høring view (Fase 2): the steering group decides the form of the
// hearing and the hearing bodies and starts it with a deadline (with the
// suggestion to pad over summer, Christmas and Easter); during the
// hearing the leader tracks each body's status; members see the
// responses as they arrive (a plan event reloads them) with their journal
// metadata, and the leader publishes or rejects each one.
import './hearing.css';
import type { Plan } from '../api/types';
import { confirmDialog } from '../dialog';
import { h, replace, uniqueId } from '../dom';
import { t, type MessageKey } from '../i18n';
import { problemText } from '../pages/labels';
import { can } from '../pages/phase';
import type { PlanView, ViewContext } from '../pages/views';
import {
  BODY_STATUSES,
  decideHearing,
  getHearing,
  hearingOf,
  listResponses,
  moderate,
  setBodyStatus,
  startHearing,
  type BodyStatus,
  type HearingBody,
  type HearingResponse,
  type HearingView as Advice,
} from './api';

export class HearingView implements PlanView {
  readonly element: HTMLElement;
  private plan: Plan;
  private advice: Advice | null = null;
  private responses: HearingResponse[] = [];
  private received = -1;
  private bodies: HearingBody[] = [];
  private alive = true;
  private readonly errorEl: HTMLElement;
  private readonly statusEl: HTMLElement;
  private readonly bodyEl: HTMLElement;

  constructor(private readonly ctx: ViewContext) {
    this.plan = ctx.plan();
    const headId = uniqueId('hearing');
    this.errorEl = h('p', { class: 'error', role: 'alert' });
    this.statusEl = h('p', { class: 'hint', role: 'status' });
    this.bodyEl = h('div');
    this.element = h('section', { class: 'hearing-view', 'aria-labelledby': headId },
      h('h2', { id: headId }, t('hearing.heading')), this.errorEl, this.statusEl, this.bodyEl);
    void this.load();
  }

  update(plan: Plan): void {
    const before = this.plan;
    this.plan = plan;
    const got = hearingOf(plan)?.received ?? 0;
    if (plan.phase !== before.phase || got !== this.received || plan.seq !== before.seq) void this.load();
  }

  destroy(): void {
    this.alive = false;
  }

  private async load(deadline?: string): Promise<void> {
    try {
      const [advice, responses] = await Promise.all([
        getHearing(this.ctx.api, this.ctx.planId, deadline),
        hearingOf(this.plan)?.token ? listResponses(this.ctx.api, this.ctx.planId) : Promise.resolve([]),
      ]);
      if (!this.alive) return;
      this.advice = advice;
      this.responses = responses;
      this.received = advice.hearing?.received ?? 0;
      if (!deadline) this.bodies = (advice.hearing?.bodies ?? advice.default_bodies).map((b) => ({ ...b }));
      this.errorEl.textContent = '';
      this.render();
    } catch (err) {
      if (this.alive) this.errorEl.textContent = problemText(err);
    }
  }

  private async run(what: () => Promise<unknown>, done: MessageKey): Promise<void> {
    try {
      await what();
      this.errorEl.textContent = '';
      this.ctx.announce(t(done));
      await this.ctx.reload();
      await this.load();
    } catch (err) {
      this.errorEl.textContent = problemText(err);
    }
  }

  private render(): void {
    const a = this.advice;
    if (!a) return;
    const hearing = a.hearing;
    const parts: Node[] = [];
    if (hearing?.token) {
      parts.push(this.renderStarted(a));
    } else if (this.plan.phase === 'approved' && (can(this.plan, 'decide_hearing') || can(this.plan, 'start_hearing'))) {
      parts.push(this.renderDecide(a));
    } else {
      parts.push(h('p', null, t(this.plan.phase === 'approved' ? 'hearing.waiting' : 'hearing.notYet')));
    }
    replace(this.bodyEl, ...parts);
  }

  private renderDecide(a: Advice): HTMLElement {
    const formId = uniqueId('hearing-form');
    const deadlineId = uniqueId('hearing-deadline');
    const adviceId = uniqueId('hearing-advice');
    const form = h('textarea', { id: formId, rows: '3', maxlength: '2000' }) as HTMLTextAreaElement;
    form.value = a.hearing?.form ?? '';
    const list = h('ul', { class: 'hearing-bodies' });
    const drawBodies = () => {
      replace(list, ...this.bodies.map((b, i) => {
        const nameId = uniqueId('hearing-body');
        const input = h('input', { id: nameId, type: 'text', maxlength: '200', value: b.name }) as HTMLInputElement;
        input.addEventListener('input', () => { b.name = input.value; });
        return h('li', null,
          h('label', { for: nameId, class: 'visually-hidden' }, t('hearing.bodyName')), input,
          h('button', { type: 'button', class: 'secondary', onclick: () => { this.bodies.splice(i, 1); drawBodies(); } },
            t('hearing.removeBody', { name: b.name })));
      }));
    };
    drawBodies();
    const deadline = h('input', { id: deadlineId, type: 'date', value: a.deadline ?? '', 'aria-describedby': adviceId }) as HTMLInputElement;
    deadline.addEventListener('change', () => void this.load(deadline.value));
    const adviceEl = h('div', { id: adviceId, class: 'hint' }, this.adviceText(a));
    const parts: HTMLElement[] = [h('p', null, t(this.plan.type === 'kommunedelplan' ? 'hearing.rule.kommunedelplan' : 'hearing.rule.temaplan', { weeks: a.weeks }))];
    if (can(this.plan, 'decide_hearing')) {
      parts.push(
        h('h3', null, t('hearing.decideHeading')),
        h('label', { for: formId }, t('hearing.form')), form,
        h('h4', null, t('hearing.bodies')), list,
        h('button', { type: 'button', class: 'secondary', onclick: () => { this.bodies.push({ id: '', name: t('hearing.newBody'), status: 'pending' }); drawBodies(); } }, t('hearing.addBody')),
        h('button', { type: 'button', onclick: () => void this.run(() => decideHearing(this.ctx.api, this.ctx.planId, form.value, this.bodies), 'hearing.decided') }, t('hearing.save')),
      );
    }
    if (can(this.plan, 'start_hearing')) {
      parts.push(
        h('h3', null, t('hearing.startHeading')),
        h('label', { for: deadlineId }, t('hearing.deadline')), deadline, adviceEl,
        h('button', {
          type: 'button',
          onclick: async () => {
            const ok = await confirmDialog({ heading: t('hearing.confirm.heading'), text: t('hearing.confirm.text', { deadline: deadline.value }),
              confirm: t('hearing.start'), testid: 'hearing-start' });
            if (ok) await this.run(() => startHearing(this.ctx.api, this.ctx.planId, deadline.value), 'hearing.started');
          },
        }, t('hearing.start')),
      );
    }
    return h('div', null, ...parts);
  }

  private adviceText(a: Advice): (HTMLElement | string)[] {
    if (a.advice_error) return [h('span', { class: 'field-error' }, t(`error.${a.advice_error}` as MessageKey))];
    const ps = a.advice.paddings ?? [];
    if (ps.length === 0 || !a.advice.deadline) return [t('hearing.noPadding')];
    const reasons = ps.map((p) => t(`hearing.padding.${p.reason}` as MessageKey, { weeks: p.weeks })).join(', ');
    const target = a.advice.deadline;
    return [t('hearing.padding', { reasons, deadline: target }), ' ',
      h('button', { type: 'button', class: 'secondary', onclick: () => void this.load(target) }, t('hearing.usePadding'))];
  }

  private renderStarted(a: Advice): HTMLElement {
    const hearing = a.hearing!;
    const url = a.path ? new URL(a.path, window.location.origin).toString() : '';
    const runs = can(this.plan, 'run_hearing');
    const rows = hearing.bodies.map((b) => {
      const selId = uniqueId('body-status');
      let cell: HTMLElement;
      if (runs) {
        const sel = h('select', { id: selId }, ...BODY_STATUSES.map((s) => h('option', { value: s, selected: s === b.status }, t(`hearing.status.${s}` as MessageKey)))) as HTMLSelectElement;
        sel.addEventListener('change', () => void this.run(() => setBodyStatus(this.ctx.api, this.ctx.planId, b.id, sel.value as BodyStatus), 'hearing.statusSaved'));
        cell = h('span', null, h('label', { for: selId, class: 'visually-hidden' }, t('hearing.statusOf', { name: b.name })), sel);
      } else {
        cell = h('span', null, t(`hearing.status.${b.status}` as MessageKey));
      }
      return h('tr', null, h('th', { scope: 'row' }, b.name), h('td', null, cell));
    });
    return h('div', null,
      h('p', null, t('hearing.running', { start: hearing.start ?? '', deadline: hearing.deadline ?? '' })),
      url ? h('p', null, t('hearing.publicPage'), ' ', h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, url)) : '',
      h('h3', null, t('hearing.bodies')),
      h('table', { class: 'hearing-table' }, h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('hearing.body')), h('th', { scope: 'col' }, t('hearing.statusHeading')))), h('tbody', null, ...rows)),
      this.renderResponses(),
    );
  }

  private renderResponses(): HTMLElement {
    const mod = can(this.plan, 'moderate_responses');
    const items = this.responses.map((r) => {
      const state = r.moderation === '' ? t('hearing.held') : t(`hearing.moderation.${r.moderation}` as MessageKey);
      const actions = mod && r.moderation === ''
        ? h('div', { class: 'hearing-actions' },
          h('button', { type: 'button', onclick: () => void this.run(() => moderate(this.ctx.api, this.ctx.planId, r.id, 'published'), 'hearing.publishedDone') }, t('hearing.publish', { receipt: r.id })),
          h('button', { type: 'button', class: 'secondary', onclick: () => void this.run(() => moderate(this.ctx.api, this.ctx.planId, r.id, 'rejected'), 'hearing.rejectedDone') }, t('hearing.reject', { receipt: r.id })))
        : '';
      return h('li', { class: 'hearing-response' },
        h('h4', null, r.sender),
        h('p', { class: 'hint' }, t('hearing.journal', { receipt: r.id, received: new Date(r.received).toLocaleString(), subject: r.subject })),
        r.quote ? h('blockquote', null, r.quote) : '',
        h('p', { class: 'hearing-text' }, r.text),
        h('p', null, state), actions);
    });
    const exportLink = h('button', {
      type: 'button', class: 'secondary',
      onclick: async () => {
        try {
          const blob = await this.ctx.api.blob(`/api/plans/${encodeURIComponent(this.ctx.planId)}/hearing/responses/export?format=csv`);
          const a = h('a', { href: URL.createObjectURL(blob), download: 'hoeringsinnspill.csv' });
          a.click();
        } catch (err) {
          this.errorEl.textContent = problemText(err);
        }
      },
    }, t('hearing.export'));
    return h('section', { 'aria-live': 'polite' },
      h('h3', null, t('hearing.responses', { count: this.responses.length })),
      items.length ? h('ul', { class: 'hearing-responses' }, ...items) : h('p', null, t('hearing.noResponses')),
      exportLink);
  }
}

export const hearingView = (ctx: ViewContext): PlanView => new HearingView(ctx);
