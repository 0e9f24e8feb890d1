// The Målekort view of a plan (DFØ's mål- og resultatstyring): per target
// area and goal, the indicators with what they measure, the baseline, the
// targets, the values reported, the traffic light the server computed and
// a small chart. The leader (edit_structure) adds, changes and deletes
// indicators and reports values; everybody else reads.
//
// The view is drawn anew from the plan on every update; an open form is
// the same element across redraws, so what is typed and the focus stay.
import { ApiError } from '../api/client';
import type { Goal, Indicator, Plan, Section } from '../api/types';
import { confirmDialog } from '../dialog';
import { h, replace, uniqueId } from '../dom';
import { t, type MessageKey } from '../i18n';
import { problemText } from '../pages/labels';
import { can } from '../pages/phase';
import type { PlanView, ViewContext, ViewFactory } from '../pages/views';
import { createIndicator, deleteIndicator, reportIndicator, updateIndicator, type Changed, type IndicatorFields, type ReportFields } from './api';
import { renderChart } from './chart';
import { IndicatorForm, ReportForm, type GoalChoice } from './form';
import { light, lightIcon, STATUSES, statusText } from './lights';
import { formatValue, inputValue } from './number';
import { expectedAt, judge, latestReport, timeOf, todayInOslo } from './status';
import { changedFields, serverField, type IndicatorDraft } from './validate';
import { formatDate } from './when';

/** What the user has open: a new indicator for a goal, a change of one, or a report for one. */
type Open = { kind: 'new'; goal: string } | { kind: 'edit'; id: string } | { kind: 'report'; id: string };

// The labels of the fields a server's invalid message may name.
const FIELD_LABELS: Record<string, MessageKey> = {
  goal: 'scorecard.form.goal',
  name: 'scorecard.form.name',
  definition: 'scorecard.form.definition',
  unit: 'scorecard.form.unit',
  baseline: 'scorecard.form.baseline',
  targets: 'scorecard.form.targets',
  source: 'scorecard.form.source',
  frequency: 'scorecard.form.frequency',
  responsible: 'scorecard.form.responsible',
  date: 'scorecard.reportForm.date',
  value: 'scorecard.reportForm.value',
  note: 'scorecard.reportForm.note',
};

// targetAreas returns the plan's target areas in the order of the outline.
function targetAreas(sections: readonly Section[]): Section[] {
  const out: Section[] = [];
  const walk = (list: readonly Section[]) => {
    for (const s of list) {
      if (s.kind === 'target_area') out.push(s);
      walk(s.children);
    }
  };
  walk(sections);
  return out;
}

// fieldsOf returns an indicator's fields as the form's check makes them
// (the same keys in the same order, targets by year), to compare.
function fieldsOf(ind: Indicator): IndicatorFields {
  return {
    goal: ind.goal,
    name: ind.name,
    definition: ind.definition,
    unit: ind.unit,
    baseline: { value: ind.baseline.value, year: ind.baseline.year },
    targets: [...ind.targets].sort((a, b) => a.year - b.year).map((x) => ({ year: x.year, value: x.value })),
    source: ind.source,
    frequency: ind.frequency,
    responsible: ind.responsible,
  };
}

class ScorecardView implements PlanView {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private readonly alertEl: HTMLElement;
  private plan: Plan;
  private open: Open | null = null;
  private form: IndicatorForm | ReportForm | null = null;
  /** The plan seq the open form was made on: a change of its indicator after it is a conflict. */
  private formSeq = 0;
  /** The fields of the indicator being changed as the form began with them: only what differs is sent. */
  private formBase: IndicatorFields | null = null;
  private alive = true;

  constructor(private readonly ctx: ViewContext) {
    this.plan = ctx.plan();
    const headId = uniqueId('scorecard');
    this.alertEl = h('p', { class: 'error', role: 'alert', 'data-testid': 'scorecard-error' });
    this.body = h('div', { class: 'scorecard-body' });
    this.element = h(
      'section',
      { class: 'scorecard', 'aria-labelledby': headId, 'data-testid': 'view-malekort' },
      h('h2', { id: headId, tabindex: '-1' }, t('scorecard.heading')),
      h('p', { class: 'intro' }, t('scorecard.intro')),
      this.ruleEl(),
      this.alertEl,
      this.body,
    );
    this.render();
  }

  update(plan: Plan): void {
    if (!this.alive || plan.seq < this.plan.seq) return;
    this.plan = plan;
    const o = this.open;
    if (o && !can(plan, 'edit_structure')) this.close();
    else if (o && o.kind !== 'new' && !this.indicator(o.id)) {
      this.close();
      this.alertEl.textContent = t('scorecard.gone');
    } else if (o && o.kind === 'new' && !(plan.goals ?? []).some((g) => g.id === o.goal)) this.close();
    this.render();
  }

  destroy(): void {
    this.alive = false;
    this.element.remove();
  }

  private indicator(id: string): Indicator | undefined {
    return (this.plan.indicators ?? []).find((i) => i.id === id);
  }

  // How the traffic light is computed, and what each light looks like.
  private ruleEl(): HTMLElement {
    return h(
      'details',
      { class: 'scorecard-rule' },
      h('summary', null, t('scorecard.rule.summary')),
      h('p', null, t('scorecard.rule.text')),
      h(
        'ul',
        { class: 'rule-list' },
        STATUSES.map((st) => h('li', { class: `light-${st}` }, lightIcon(st), ' ', t(`scorecard.rule.${st}`))),
      ),
    );
  }

  // Drawing.

  private render(): void {
    const active = document.activeElement instanceof HTMLElement && this.element.contains(document.activeElement) ? document.activeElement : null;
    const inForm = active && this.form?.element.contains(active) ? active : null;
    const key = !inForm ? active?.dataset.key : undefined;
    const sel = inForm instanceof HTMLInputElement || inForm instanceof HTMLTextAreaElement ? [inForm.selectionStart, inForm.selectionEnd] : null;
    // The tables a person opened under the charts stay open.
    const opened = new Set([...this.body.querySelectorAll<HTMLDetailsElement>('details[open][data-key]')].map((d) => d.dataset.key));
    const areas = targetAreas(this.plan.sections);
    replace(this.body, areas.length === 0 ? h('p', { class: 'hint' }, t('scorecard.noAreas')) : areas.map((a) => this.areaEl(a)));
    for (const d of this.body.querySelectorAll<HTMLDetailsElement>('details[data-key]')) if (opened.has(d.dataset.key)) d.open = true;
    if (inForm && inForm.isConnected) {
      inForm.focus({ preventScroll: true });
      if (sel && (inForm instanceof HTMLInputElement || inForm instanceof HTMLTextAreaElement)) {
        try {
          inForm.setSelectionRange(sel[0] ?? null, sel[1] ?? null);
        } catch {
          // Inputs of type date take no selection.
        }
      }
    } else if (key) {
      this.focusKey(key);
    }
  }

  private focusKey(key: string): boolean {
    const el = this.body.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`);
    el?.focus();
    return !!el;
  }

  private areaEl(area: Section): HTMLElement {
    const goals = (this.plan.goals ?? []).filter((g) => g.target_area === area.id);
    const headId = `scorecard-area-${area.id}`;
    return h(
      'section',
      { class: 'scorecard-area', 'aria-labelledby': headId, 'data-testid': 'scorecard-area', 'data-area-id': area.id },
      h('h3', { id: headId }, area.title),
      goals.length === 0
        ? h(
            'p',
            { class: 'hint', 'data-testid': 'scorecard-no-goals' },
            t('scorecard.noGoals'),
            ' ',
            h('a', { href: `/plans/${encodeURIComponent(this.ctx.planId)}/tiltak`, 'data-link': '' }, t('scorecard.toMeasures')),
          )
        : goals.map((g) => this.goalEl(g)),
    );
  }

  private goalEl(goal: Goal): HTMLElement {
    const indicators = (this.plan.indicators ?? []).filter((i) => i.goal === goal.id);
    const headId = `scorecard-goal-${goal.id}`;
    const editable = can(this.plan, 'edit_structure');
    const adding = this.open?.kind === 'new' && this.open.goal === goal.id;
    return h(
      'section',
      { class: 'scorecard-goal', 'aria-labelledby': headId, 'data-testid': 'scorecard-goal', 'data-goal-id': goal.id },
      h('h4', { id: headId, tabindex: '-1' }, t('scorecard.goal', { title: goal.title })),
      indicators.length === 0 ? h('p', { class: 'hint' }, t('scorecard.noIndicators')) : indicators.map((i) => this.indicatorEl(i, editable)),
      adding && this.form ? this.form.element : null,
      editable && !adding
        ? h(
            'p',
            { class: 'add-indicator' },
            h(
              'button',
              {
                type: 'button',
                'data-key': `add:${goal.id}`,
                'data-testid': 'indicator-add',
                'aria-label': t('scorecard.addFor', { goal: goal.title }),
                onclick: () => this.openForm({ kind: 'new', goal: goal.id }),
              },
              t('scorecard.add'),
            ),
          )
        : null,
    );
  }

  private indicatorEl(ind: Indicator, editable: boolean): HTMLElement {
    const headId = `indicator-${ind.id}`;
    const open = this.open && this.open.kind !== 'new' && this.open.id === ind.id ? this.open : null;
    return h(
      'article',
      { class: `indicator status-${ind.status}`, 'aria-labelledby': headId, 'data-testid': 'indicator', 'data-indicator-id': ind.id },
      h('header', { class: 'indicator-head' }, h('h5', { id: headId, tabindex: '-1' }, ind.name), light(ind.status)),
      h(
        'div',
        { class: 'indicator-grid' },
        h('div', { class: 'indicator-facts' }, this.expectedEl(ind), this.factsEl(ind)),
        renderChart(ind),
      ),
      this.reportsEl(ind),
      editable && !open
        ? h(
            'div',
            { class: 'buttons indicator-actions', role: 'group', 'aria-label': t('scorecard.actions', { name: ind.name }) },
            h(
              'button',
              { type: 'button', class: 'primary', 'data-key': `report:${ind.id}`, 'data-testid': 'indicator-report', 'aria-label': t('scorecard.reportNamed', { name: ind.name }), onclick: () => this.openForm({ kind: 'report', id: ind.id }) },
              t('scorecard.report'),
            ),
            h(
              'button',
              { type: 'button', 'data-key': `edit:${ind.id}`, 'data-testid': 'indicator-edit', 'aria-label': t('scorecard.editNamed', { name: ind.name }), onclick: () => this.openForm({ kind: 'edit', id: ind.id }) },
              t('scorecard.edit'),
            ),
            h(
              'button',
              { type: 'button', class: 'danger', 'data-key': `delete:${ind.id}`, 'data-testid': 'indicator-delete', 'aria-label': t('scorecard.deleteNamed', { name: ind.name }), onclick: () => void this.remove(ind) },
              t('scorecard.delete'),
            ),
          )
        : null,
      open && this.form ? this.form.element : null,
    );
  }

  // expectedEl says what the planned path expects today and what it
  // expected when the latest value was measured.
  private expectedEl(ind: Indicator): HTMLElement | null {
    if (ind.targets.length === 0) return null;
    const unit = ind.unit;
    const today = todayInOslo();
    const last = latestReport(ind.reports);
    return h(
      'div',
      { class: 'indicator-expected' },
      h('p', { 'data-testid': 'indicator-expected-now' }, t('scorecard.expectedNow', { date: formatDate(today), value: formatValue(expectedAt(ind, timeOf(today)), unit, 2) })),
      last
        ? h(
            'p',
            { 'data-testid': 'indicator-latest' },
            t('scorecard.latest', { value: formatValue(last.value, unit), date: formatDate(last.date), expected: formatValue(judge(ind, last.date, last.value).expected, unit, 2) }),
          )
        : h('p', { class: 'hint' }, t('scorecard.noReports')),
    );
  }

  private factsEl(ind: Indicator): HTMLElement {
    const or = (v: string) => (v ? v : h('span', { class: 'not-given' }, t('scorecard.notGiven')));
    const item = (key: MessageKey, value: Node | string) => [h('dt', null, t(key)), h('dd', null, value)];
    const targets = [...ind.targets].sort((a, b) => a.year - b.year);
    return h(
      'dl',
      { class: 'indicator-facts-list', 'aria-label': t('scorecard.facts') },
      item('scorecard.definition', or(ind.definition)),
      item('scorecard.unit', or(ind.unit)),
      item('scorecard.baseline', t('scorecard.baselineValue', { value: formatValue(ind.baseline.value, ind.unit), year: ind.baseline.year })),
      item(
        'scorecard.targets',
        h(
          'ul',
          { class: 'target-list' },
          targets.map((x) => h('li', null, t('scorecard.targetItem', { value: formatValue(x.value, ind.unit), year: x.year }))),
        ),
      ),
      item('scorecard.source', or(ind.source)),
      item('scorecard.frequency', t(`scorecard.freq.${ind.frequency}`)),
      item('scorecard.responsible', or(ind.responsible)),
    );
  }

  private reportsEl(ind: Indicator): HTMLElement | null {
    if (ind.reports.length === 0) return null;
    const rows = [...ind.reports].sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0));
    const name = (id: string) => this.plan.members?.find((m) => m.user === id)?.name || t('scorecard.unknown');
    return h(
      'table',
      { class: 'scorecard-table reports', 'data-testid': 'indicator-reports' },
      h('caption', null, t('scorecard.reports.caption', { name: ind.name })),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, t('scorecard.reports.date')),
          h('th', { scope: 'col', class: 'num' }, t('scorecard.reports.value')),
          h('th', { scope: 'col', class: 'num' }, t('scorecard.reports.expected')),
          h('th', { scope: 'col' }, t('scorecard.reports.note')),
          h('th', { scope: 'col' }, t('scorecard.reports.by')),
        ),
      ),
      h(
        'tbody',
        null,
        rows.map((r) =>
          h(
            'tr',
            { 'data-testid': 'indicator-report-row', 'data-report-id': r.id },
            h('th', { scope: 'row' }, h('time', { datetime: r.date }, formatDate(r.date))),
            h('td', { class: 'num' }, formatValue(r.value, ind.unit)),
            h('td', { class: 'num' }, ind.targets.length > 0 ? formatValue(judge(ind, r.date, r.value).expected, ind.unit, 2) : ''),
            h('td', { class: 'note' }, r.note),
            h('td', null, name(r.by)),
          ),
        ),
      ),
    );
  }

  // The forms.

  private goalChoices(): GoalChoice[] {
    const areas = targetAreas(this.plan.sections);
    const out: GoalChoice[] = [];
    for (const a of areas) for (const g of this.plan.goals ?? []) if (g.target_area === a.id) out.push({ id: g.id, title: g.title, area: a.title });
    return out;
  }

  private openForm(o: Open): void {
    this.alertEl.textContent = '';
    this.open = o;
    this.formSeq = this.plan.seq;
    const cancel = () => this.closeAndFocus(o);
    if (o.kind === 'report') {
      const ind = this.indicator(o.id);
      if (!ind) return;
      this.form = new ReportForm({
        heading: t('scorecard.reportForm.heading', { name: ind.name }),
        unit: ind.unit,
        draft: { date: todayInOslo(), value: '', note: '' },
        submit: (f) => this.sendReport(o.id, f),
        cancel,
      });
    } else {
      const ind = o.kind === 'edit' ? this.indicator(o.id) : undefined;
      const goal = (this.plan.goals ?? []).find((g) => g.id === (o.kind === 'new' ? o.goal : ind?.goal));
      if (o.kind === 'edit' && !ind) return;
      const period = this.plan.period;
      const draft: IndicatorDraft = ind
        ? {
            goal: ind.goal,
            name: ind.name,
            definition: ind.definition,
            unit: ind.unit,
            baselineValue: inputValue(ind.baseline.value),
            baselineYear: String(ind.baseline.year),
            targets: [...ind.targets].sort((a, b) => a.year - b.year).map((x) => ({ year: String(x.year), value: inputValue(x.value) })),
            source: ind.source,
            frequency: ind.frequency,
            responsible: ind.responsible,
          }
        : {
            goal: o.kind === 'new' ? o.goal : '',
            name: '',
            definition: '',
            unit: '',
            baselineValue: '',
            baselineYear: period ? String(period.from - 1) : todayInOslo().slice(0, 4),
            targets: [],
            source: '',
            frequency: 'yearly',
            responsible: '',
          };
      this.formBase = ind ? fieldsOf(ind) : null;
      this.form = new IndicatorForm({
        heading: ind ? t('scorecard.form.edit', { name: ind.name }) : t('scorecard.form.new', { goal: goal?.title ?? '' }),
        level: ind ? 'h6' : 'h5',
        goals: this.goalChoices(),
        draft,
        targetYear: period?.to ?? Number(todayInOslo().slice(0, 4)) + 4,
        submit: (f) => this.saveIndicator(ind?.id ?? null, f),
        cancel,
      });
    }
    this.render();
    this.form.focusFirst();
  }

  private close(): void {
    this.open = null;
    this.form = null;
    this.formBase = null;
  }

  // closeAndFocus closes the form and gives the focus back to the button that opened it.
  private closeAndFocus(o: Open): void {
    this.close();
    this.render();
    const key = o.kind === 'new' ? `add:${o.goal}` : `${o.kind}:${o.id}`;
    if (!this.focusKey(key)) (this.element.querySelector('h2') as HTMLElement | null)?.focus();
  }

  // failed says what went wrong in the user's language; a conflict or a
  // refusal that the plan's state explains brings the plan anew.
  private async failed(err: unknown): Promise<string> {
    if (!(err instanceof ApiError)) return problemText(err);
    switch (err.code) {
      case 'conflict':
        await this.ctx.reload();
        // The user has now seen the change: trying again is theirs to decide.
        this.formSeq = this.ctx.plan().seq;
        return t('scorecard.conflict');
      case 'not_found':
        await this.ctx.reload();
        return t('scorecard.gone');
      case 'invalid': {
        const f = serverField(err.message);
        const label = f ? FIELD_LABELS[f] : undefined;
        return label ? t('scorecard.serverInvalid', { field: t(label) }) : problemText(err);
      }
      case 'forbidden':
      case 'wrong_phase':
      case 'locked':
        await this.ctx.reload();
        return problemText(err);
      default:
        return problemText(err);
    }
  }

  // done shows the plan a change answered, closes the form and tells what happened.
  private done(plan: Plan, message: string, focusId: string | null, fallbackKey: string): void {
    this.close();
    this.update(plan);
    this.ctx.announce(message);
    const head = focusId ? document.getElementById(`indicator-${focusId}`) : null;
    if (head) head.focus();
    else this.focusKey(fallbackKey);
  }

  private async saveIndicator(id: string | null, f: IndicatorFields): Promise<string | null> {
    try {
      let res: Plan;
      if (id) {
        const changed = this.formBase ? changedFields(this.formBase, f) : f;
        if (Object.keys(changed).length === 0) {
          this.closeAndFocus({ kind: 'edit', id });
          return null;
        }
        res = await updateIndicator(this.ctx.api, this.ctx.planId, id, this.formSeq, changed);
      } else {
        res = await createIndicator(this.ctx.api, this.ctx.planId, this.formSeq, f);
      }
      if (!this.alive) return null;
      const made = id ?? (res as Changed).indicator?.id ?? null;
      this.done(res, t('scorecard.saved', { name: f.name }), made, `add:${f.goal}`);
      return null;
    } catch (err) {
      return this.failed(err);
    }
  }

  private async sendReport(id: string, f: ReportFields): Promise<string | null> {
    try {
      const res = await reportIndicator(this.ctx.api, this.ctx.planId, id, this.formSeq, f);
      if (!this.alive) return null;
      const ind = (res.indicators ?? []).find((i) => i.id === id);
      this.done(res, t('scorecard.reported', { name: ind?.name ?? '', status: statusText(ind?.status ?? 'no_data') }), id, `report:${id}`);
      return null;
    } catch (err) {
      return this.failed(err);
    }
  }

  private async remove(ind: Indicator): Promise<void> {
    const ok = await confirmDialog({
      heading: t('scorecard.confirmDelete', { name: ind.name }),
      text: t('scorecard.confirmDeleteText'),
      confirm: t('scorecard.confirmDeleteOk'),
      testid: 'indicator-delete-dialog',
    });
    if (!ok || !this.alive) return;
    this.alertEl.textContent = '';
    try {
      const res = await deleteIndicator(this.ctx.api, this.ctx.planId, ind.id, this.plan.seq);
      if (!this.alive) return;
      this.update(res);
      this.ctx.announce(t('scorecard.deleted', { name: ind.name }));
      (document.getElementById(`scorecard-goal-${ind.goal}`) as HTMLElement | null)?.focus();
    } catch (err) {
      const text = await this.failed(err);
      if (this.alive) this.alertEl.textContent = text;
    }
  }
}

export const scorecardView: ViewFactory = (ctx) => new ScorecardView(ctx);
