// The Høring view (Fase 2 and the processing of Fase 3): the steering
// group decides the form of the hearing and the hearing bodies and starts
// it with a deadline (with the suggestion to pad over summer, Christmas
// and Easter); during the hearing the leader tracks each body's status;
// members see the responses as they arrive (a plan event reloads them)
// with their journal metadata, and the leader publishes or rejects each
// one. Once responses exist the leader and the members assess each one
// (taken, partly, not, with a reason), the view counts those still
// missing and shows the merknadsbehandling; after the deadline day the
// steering group closes the hearing.
import './hearing.css';
import type { Plan } from '../api/types';
import { confirmDialog } from '../dialog';
import { h, replace, uniqueId } from '../dom';
import { lang, t, type MessageKey } from '../i18n';
import { problemText } from '../pages/labels';
import { findSection } from '../pages/outline';
import { can } from '../pages/phase';
import type { PlanView, ViewContext } from '../pages/views';
import {
  assessmentTable,
  BODY_STATUSES,
  closeHearing,
  decideHearing,
  downloads,
  getHearing,
  hearingOf,
  listResponses,
  moderate,
  setBodyStatus,
  startHearing,
  writeAssessment,
  type AssessmentTable,
  type BodyStatus,
  type HearingBody,
  type HearingResponse,
  type HearingView as Advice,
} from './api';
import {
  formatDate,
  formatDateTime,
  hearingOver,
  missingAssessments,
  needsAssessment,
  OUTCOMES,
  REASON_MAX,
  validateAssessment,
  type Assessment,
  type Outcome,
} from './logic';
import { restoreFocus } from './focus';

export class HearingView implements PlanView {
  readonly element: HTMLElement;
  private plan: Plan;
  private advice: Advice | null = null;
  private responses: HearingResponse[] = [];
  private received = -1;
  private bodies: HearingBody[] = [];
  /** The merknadsbehandling (null: it could not be fetched). */
  private table: AssessmentTable | null = null;
  /** Assessments being written, by receipt, kept across redraws. */
  private readonly drafts = new Map<string, { outcome: string; reason: string }>();
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
      const table = responses.length > 0 ? await assessmentTable(this.ctx.api, this.ctx.planId).catch(() => null) : null;
      if (!this.alive) return;
      this.advice = advice;
      this.responses = responses;
      this.table = table;
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
    // A redraw keeps the focus on the control it was on (data-key).
    const active = document.activeElement as HTMLElement | null;
    const key = active && this.bodyEl.contains(active) ? active.dataset.key : undefined;
    replace(this.bodyEl, ...parts);
    if (key) restoreFocus(this.bodyEl, key, active);
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
        const sel = h('select', { id: selId, 'data-key': `body-${b.id}` }, ...BODY_STATUSES.map((s) => h('option', { value: s, selected: s === b.status }, t(`hearing.status.${s}` as MessageKey)))) as HTMLSelectElement;
        sel.addEventListener('change', () => void this.run(() => setBodyStatus(this.ctx.api, this.ctx.planId, b.id, sel.value as BodyStatus), 'hearing.statusSaved'));
        cell = h('span', null, h('label', { for: selId, class: 'visually-hidden' }, t('hearing.statusOf', { name: b.name })), sel);
      } else {
        cell = h('span', null, t(`hearing.status.${b.status}` as MessageKey));
      }
      return h('tr', null, h('th', { scope: 'row' }, b.name), h('td', null, cell));
    });
    const l = lang();
    return h('div', null,
      h('p', { 'data-testid': 'hearing-running' }, t(this.plan.phase === 'hearing' ? 'hearing.running' : 'hearing.ran', { start: formatDate(hearing.start, l), deadline: formatDate(hearing.deadline, l) })),
      url && this.plan.phase === 'hearing' ? h('p', null, t('hearing.publicPage'), ' ', h('a', { href: url, target: '_blank', rel: 'noopener noreferrer', 'data-testid': 'hearing-public-link' }, url)) : '',
      this.renderClose(a),
      h('h3', null, t('hearing.bodies')),
      h('table', { class: 'hearing-table' }, h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('hearing.body')), h('th', { scope: 'col' }, t('hearing.statusHeading')))), h('tbody', null, ...rows)),
      this.renderResponses(),
      this.responses.length > 0 ? this.renderTable() : '',
    );
  }

  // renderClose offers the steering group the end of the hearing once its
  // deadline day has passed (on the server's clock), and says why not before.
  private renderClose(a: Advice): HTMLElement | string {
    if (this.plan.phase !== 'hearing' || !can(this.plan, 'close_hearing')) return '';
    const hearing = a.hearing!;
    if (!hearingOver(hearing.deadline, a.today)) {
      return h('p', { class: 'hint', 'data-testid': 'hearing-not-over' }, t('hearing.closeLater', { deadline: formatDate(hearing.deadline, lang()) }));
    }
    return h('div', { class: 'hearing-close' },
      h('p', null, t('hearing.closeNow')),
      h('button', {
        type: 'button', class: 'primary', 'data-testid': 'hearing-close', 'data-key': 'hearing-close',
        onclick: async () => {
          const ok = await confirmDialog({ heading: t('hearing.closeHeading'), text: t('hearing.closeText'), confirm: t('hearing.close'), testid: 'hearing-close-dialog' });
          if (ok) await this.run(() => closeHearing(this.ctx.api, this.ctx.planId), 'hearing.closed');
        },
      }, t('hearing.close')));
  }

  private renderResponses(): HTMLElement {
    const mod = can(this.plan, 'moderate_responses');
    const assesses = can(this.plan, 'write_assessment');
    const assessments = hearingOf(this.plan)?.assessments ?? {};
    const l = lang();
    const items = this.responses.map((r) => {
      const state = r.moderation === '' ? t('hearing.held') : t(`hearing.moderation.${r.moderation}` as MessageKey);
      const actions = mod && r.moderation === ''
        ? h('div', { class: 'hearing-actions' },
          h('button', { type: 'button', 'data-testid': 'response-publish', 'data-key': `publish-${r.id}`, onclick: () => void this.moderate(r, 'published') }, t('hearing.publish', { receipt: r.id })),
          h('button', { type: 'button', class: 'secondary', 'data-testid': 'response-reject', 'data-key': `reject-${r.id}`, onclick: () => void this.moderate(r, 'rejected') }, t('hearing.reject', { receipt: r.id })))
        : '';
      const section = r.section ? findSection(this.plan.sections, r.section)?.section.title ?? r.section : '';
      const meta = (key: MessageKey, value: string) => (value ? [h('dt', null, t(key)), h('dd', null, value)] : []);
      const headId = uniqueId('response');
      const have = assessments[r.id];
      let assessment: HTMLElement | string = '';
      if (needsAssessment(r)) {
        if (assesses) assessment = this.assessmentForm(r.id, have);
        else if (have) assessment = h('p', { 'data-testid': 'assessment-shown' }, h('strong', null, t(`assessment.outcome.${have.outcome}` as MessageKey)), ': ', have.reason);
      }
      return h('li', { class: 'hearing-response', 'data-testid': 'response', 'data-receipt': r.id, 'data-moderation': r.moderation, 'aria-labelledby': headId },
        h('h4', { id: headId }, t('hearing.responseFrom', { sender: r.sender, receipt: r.id })),
        h('dl', { class: 'hearing-journal' },
          meta('hearing.meta.sender', r.sender),
          meta('hearing.meta.organisation', r.organisation),
          meta('hearing.meta.received', formatDateTime(r.received, l)),
          meta('hearing.meta.subject', r.subject),
          meta('hearing.meta.section', section),
          meta('hearing.meta.receipt', r.id)),
        r.quote ? h('blockquote', null, r.quote) : '',
        h('p', { class: 'hearing-text' }, r.text),
        h('p', { 'data-testid': 'response-state' }, state), actions, assessment);
    });
    const missing = missingAssessments(this.responses, assessments);
    return h('section', { class: 'hearing-responses-part' },
      h('h3', null, t('hearing.responses', { count: this.responses.length })),
      h('p', { class: 'hint', role: 'status', 'data-testid': 'responses-live' }, this.responses.length ? t('hearing.responsesLive') : t('hearing.noResponses')),
      this.responses.length && (this.plan.phase === 'hearing' || this.plan.phase === 'processing')
        ? h('p', { class: missing ? 'missing' : 'hint', 'data-testid': 'assessments-missing', 'data-missing': String(missing) },
          missing ? t('assessment.missing', { n: missing }) : t('assessment.allDone'))
        : '',
      items.length ? h('ul', { class: 'hearing-responses' }, ...items) : '',
      h('div', { class: 'hearing-actions', role: 'group', 'aria-label': t('hearing.exportGroup') },
        this.download(downloads.responses(this.ctx.planId, 'csv'), 'hoeringsinnspill.csv', 'hearing.export', 'export-responses-csv'),
        this.download(downloads.responses(this.ctx.planId, 'json'), 'hoeringsinnspill.json', 'hearing.exportJson', 'export-responses-json')));
  }

  private async moderate(r: HearingResponse, decision: 'published' | 'rejected'): Promise<void> {
    const publish = decision === 'published';
    const ok = await confirmDialog({
      heading: t(publish ? 'hearing.publishHeading' : 'hearing.rejectHeading', { receipt: r.id }),
      text: t(publish ? 'hearing.publishText' : 'hearing.rejectText'),
      confirm: t(publish ? 'hearing.publishConfirm' : 'hearing.rejectConfirm'),
      testid: 'moderation-dialog',
    });
    if (ok) await this.run(() => moderate(this.ctx.api, this.ctx.planId, r.id, decision), publish ? 'hearing.publishedDone' : 'hearing.rejectedDone');
  }

  // assessmentForm is the outcome and reason of one response; what is
  // typed is kept in drafts, so a redraw on another person's change
  // (every plan event redraws the view) loses nothing.
  private assessmentForm(receipt: string, have: Assessment | undefined): HTMLElement {
    const draft = this.drafts.get(receipt) ?? { outcome: have?.outcome ?? '', reason: have?.reason ?? '' };
    const legendId = uniqueId('assessment');
    const reasonId = uniqueId('assessment-reason');
    const outcomeErrId = uniqueId('assessment-outcome-err');
    const reasonErrId = uniqueId('assessment-reason-err');
    const outcomeErr = h('p', { id: outcomeErrId, class: 'field-error' });
    const reasonErr = h('p', { id: reasonErrId, class: 'field-error' });
    const name = uniqueId('outcome');
    const radios = OUTCOMES.map((o) => {
      const id = uniqueId('outcome');
      const input = h('input', { type: 'radio', id, name, value: o, checked: draft.outcome === o, 'data-key': `outcome-${receipt}-${o}`, 'aria-describedby': outcomeErrId }) as HTMLInputElement;
      input.addEventListener('change', () => { if (input.checked) this.keep(receipt, { outcome: o }); });
      return h('span', { class: 'radio' }, input, h('label', { for: id }, t(`assessment.outcome.${o}` as MessageKey)));
    });
    const reason = h('textarea', { id: reasonId, rows: '4', maxlength: String(REASON_MAX * 2), 'data-key': `reason-${receipt}`, 'aria-describedby': reasonErrId, 'data-testid': 'assessment-reason' }) as HTMLTextAreaElement;
    reason.value = draft.reason;
    reason.addEventListener('input', () => this.keep(receipt, { reason: reason.value }));
    const group = h('fieldset', { class: 'outcomes', 'aria-describedby': outcomeErrId }, h('legend', null, t('assessment.outcome')), ...radios);
    const save = async (e: Event) => {
      e.preventDefault();
      const now = this.drafts.get(receipt) ?? draft;
      const errs = validateAssessment(now.outcome, now.reason);
      outcomeErr.textContent = errs.outcome ? t(errs.outcome) : '';
      reasonErr.textContent = errs.reason ? t(errs.reason, { max: REASON_MAX }) : '';
      for (const r of group.querySelectorAll('input')) r.toggleAttribute('aria-invalid', !!errs.outcome);
      if (errs.reason) reason.setAttribute('aria-invalid', 'true');
      else reason.removeAttribute('aria-invalid');
      if (errs.outcome) { (group.querySelector('input') as HTMLInputElement).focus(); return; }
      if (errs.reason) { reason.focus(); return; }
      await this.run(async () => {
        await writeAssessment(this.ctx.api, this.ctx.planId, receipt, now.outcome as Outcome, now.reason.trim());
        this.drafts.delete(receipt);
      }, 'assessment.saved');
    };
    return h('form', { class: 'assessment', 'aria-labelledby': legendId, 'data-testid': 'assessment-form', onsubmit: save },
      h('h5', { id: legendId }, t('assessment.heading', { receipt })),
      have ? h('p', { class: 'hint', 'data-testid': 'assessment-current' }, t('assessment.current', { outcome: t(`assessment.outcome.${have.outcome}` as MessageKey), at: formatDateTime(have.at, lang()) })) : '',
      group, outcomeErr,
      h('label', { for: reasonId }, t('assessment.reason')), reason, reasonErr,
      h('button', { type: 'submit', 'data-testid': 'assessment-save', 'data-key': `save-${receipt}` }, t('assessment.save')));
  }

  private keep(receipt: string, change: Partial<{ outcome: string; reason: string }>): void {
    const have = hearingOf(this.plan)?.assessments?.[receipt];
    const cur = this.drafts.get(receipt) ?? { outcome: have?.outcome ?? '', reason: have?.reason ?? '' };
    this.drafts.set(receipt, { ...cur, ...change });
  }

  // renderTable is the merknadsbehandling: every response that needs an
  // assessment, with the outcome and reason, as the server tabulates it.
  private renderTable(): HTMLElement {
    const headId = uniqueId('merknad');
    const rows = this.table?.items ?? [];
    const l = lang();
    const col = (k: MessageKey) => h('th', { scope: 'col' }, t(k));
    // The scrolling table is the region named by the heading (one landmark of that name).
    return h('div', { class: 'merknadsbehandling', 'data-testid': 'assessment-table' },
      h('h3', { id: headId }, t('assessment.tableHeading')),
      this.table === null
        ? h('p', { class: 'hint' }, t('assessment.tableUnavailable'))
        : rows.length === 0
          ? h('p', { class: 'hint' }, t('assessment.tableEmpty'))
          : h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-labelledby': headId },
            h('table', { class: 'hearing-table' },
              h('thead', null, h('tr', null, col('hearing.meta.receipt'), col('hearing.meta.sender'), col('hearing.meta.received'), col('hearing.meta.subject'), col('assessment.outcome'), col('assessment.reason'))),
              h('tbody', null, ...rows.map((r) => h('tr', { 'data-receipt': r.receipt },
                h('td', null, r.receipt),
                h('td', null, r.organisation ? `${r.sender} (${r.organisation})` : r.sender),
                h('td', null, formatDateTime(r.received, l)),
                h('td', null, r.subject),
                h('td', { 'data-testid': 'assessment-outcome' }, r.outcome ? t(`assessment.outcome.${r.outcome}` as MessageKey) : t('assessment.none')),
                h('td', { class: 'hearing-text' }, r.reason)))))),
      h('div', { class: 'hearing-actions', role: 'group', 'aria-label': t('assessment.exportGroup') },
        this.download(downloads.assessments(this.ctx.planId, 'csv'), 'merknadsbehandling.csv', 'assessment.exportCsv', 'export-assessments-csv'),
        this.download(downloads.assessments(this.ctx.planId, 'html'), 'merknadsbehandling.html', 'assessment.exportHtml', 'export-assessments-html')));
  }

  // download is a button that fetches a file with the access token (a
  // plain link would go without it) and saves it.
  private download(path: string, filename: string, label: MessageKey, testid: string): HTMLElement {
    return h('button', {
      type: 'button', class: 'secondary', 'data-testid': testid, 'data-key': testid,
      onclick: async () => {
        try {
          const blob = await this.ctx.api.blob(path);
          const url = URL.createObjectURL(blob);
          const a = h('a', { href: url, download: filename });
          document.body.append(a);
          a.click();
          a.remove();
          setTimeout(() => URL.revokeObjectURL(url), 10_000);
        } catch (err) {
          this.errorEl.textContent = problemText(err);
        }
      },
    }, t(label));
  }
}

export const hearingView = (ctx: ViewContext): PlanView => new HearingView(ctx);
