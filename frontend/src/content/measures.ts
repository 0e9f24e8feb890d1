// The Tiltak view: per target area (the sections of kind target_area),
// its goals, strategies and measures, with their costs. The leader (who
// may edit the structure) adds, changes and deletes them here; everyone
// else reads. Each change carries the plan seq the view was made on: when
// someone else changed the same thing first the plan is reloaded and the
// user told (problem.ts).
import {
  addGoal,
  addMeasure,
  addStrategy,
  deleteGoal,
  deleteMeasure,
  deleteStrategy,
  updateGoal,
  updateMeasure,
  updateStrategy,
} from '../api/content';
import type { Goal, Measure, Period, Plan, Section, Strategy } from '../api/types';
import { confirmDialog } from '../dialog';
import { h, replace, uniqueId } from '../dom';
import { t, type MessageKey } from '../i18n';
import { walk } from '../pages/outline';
import { can } from '../pages/phase';
import { planPath } from '../pages/router';
import type { PlanView, ViewContext, ViewFactory } from '../pages/views';
import { periodText } from './embed';
import { openGoalForm, openStrategyForm } from './goalform';
import { defaultPeriod, measureTotals } from './measure';
import { openMeasureForm } from './measureform';
import { formatKroner } from './money';
import { changeProblem } from './problem';

/** The action part of one target area. */
export interface AreaContent {
  area: Section;
  goals: Goal[];
  strategies: Strategy[];
  measures: Measure[];
}

/** targetAreas lists the target areas in outline order with their goals, strategies and measures. */
export function targetAreas(plan: Pick<Plan, 'sections' | 'goals' | 'strategies' | 'measures'>): AreaContent[] {
  const out: AreaContent[] = [];
  walk(plan.sections, (s) => {
    if (s.kind !== 'target_area') return;
    out.push({
      area: s,
      goals: (plan.goals ?? []).filter((g) => g.target_area === s.id),
      strategies: (plan.strategies ?? []).filter((x) => x.target_area === s.id),
      measures: (plan.measures ?? []).filter((m) => m.target_area === s.id),
    });
  });
  return out;
}

/** planPeriod is the plan's period (the default for a plan made before periods existed). */
export function planPeriod(plan: Pick<Plan, 'period'>): Period {
  return plan.period && plan.period.to >= plan.period.from ? plan.period : defaultPeriod();
}

class MeasuresView implements PlanView {
  readonly element: HTMLElement;
  private readonly bodyEl: HTMLElement;
  private readonly errorEl: HTMLElement;
  private readonly introEl: HTMLElement;
  private shown = '';

  constructor(private readonly ctx: ViewContext) {
    const headId = uniqueId('measures');
    this.bodyEl = h('div', { class: 'areas' });
    this.errorEl = h('p', { class: 'error', role: 'alert', 'data-testid': 'measures-error' });
    this.introEl = h('p', { class: 'hint' });
    this.element = h(
      'section',
      { class: 'content-view measures-view', 'data-testid': 'view-tiltak', 'aria-labelledby': headId },
      h('h2', { id: headId, tabindex: '-1' }, t('views.tiltak')),
      this.introEl,
      this.errorEl,
      this.bodyEl,
    );
  }

  update(plan: Plan): void {
    const mayEdit = can(plan, 'edit_structure');
    const areas = targetAreas(plan);
    const key = JSON.stringify([mayEdit, plan.period, areas.map((a) => [a.area.id, a.area.title]), plan.goals, plan.strategies, plan.measures]);
    if (key === this.shown) return;
    this.shown = key;
    const period = planPeriod(plan);
    this.introEl.textContent = t(mayEdit ? 'content.measures.intro' : 'content.measures.readOnly', { period: periodText(period.from, period.to) });
    // Keep the focus on the button the user was at (by its data-focus key).
    const active = document.activeElement as HTMLElement | null;
    const focusKey = active && this.bodyEl.contains(active) ? active.dataset.focus : undefined;
    replace(
      this.bodyEl,
      areas.length === 0 ? h('p', { class: 'hint' }, t('content.measures.noAreas')) : areas.map((a) => this.area(plan, a, mayEdit)),
    );
    if (focusKey) {
      // The item may be gone (deleted): then the view's heading takes the focus.
      const again = this.bodyEl.querySelector<HTMLElement>(`[data-focus="${CSS.escape(focusKey)}"]`);
      (again ?? this.element.querySelector<HTMLElement>('h2'))?.focus();
    }
  }

  private area(plan: Plan, a: AreaContent, mayEdit: boolean): HTMLElement {
    const headId = uniqueId('area');
    const id = a.area.id;
    return h(
      'section',
      { class: 'area', 'aria-labelledby': headId, 'data-testid': 'area', dataset: { area: id } },
      h('h3', { id: headId }, h('a', { href: planPath(plan.id, id), 'data-link': '' }, a.area.title)),
      this.goals(a, mayEdit),
      this.strategies(a, mayEdit),
      this.measures(plan, a, mayEdit),
    );
  }

  // Goals.

  private goals(a: AreaContent, mayEdit: boolean): HTMLElement {
    const area = a.area;
    return h(
      'div',
      { class: 'area-part' },
      h('h4', null, t('content.goals.heading')),
      a.goals.length === 0
        ? h('p', { class: 'hint' }, t('content.goals.none'))
        : h(
            'ul',
            { class: 'item-list' },
            a.goals.map((g) =>
              h(
                'li',
                { 'data-testid': 'goal', dataset: { goal: g.id } },
                h('strong', { class: 'item-title' }, g.title),
                g.description ? h('p', { class: 'item-text' }, g.description) : null,
                mayEdit ? this.itemButtons(`goal-${g.id}`, g.title, () => this.editGoal(g), () => this.removeGoal(g)) : null,
              ),
            ),
          ),
      mayEdit ? h('p', { class: 'buttons' }, h('button', { type: 'button', 'data-testid': 'add-goal', dataset: { focus: `add-goal-${area.id}` }, onclick: () => void this.addGoal(area) }, t('content.goals.add'))) : null,
    );
  }

  private addGoal(area: Section): Promise<boolean> {
    return openGoalForm({
      heading: t('content.goals.addHeading', { area: area.title }),
      testid: 'goal-form',
      save: (f) => this.change(() => addGoal(this.ctx.api, this.ctx.planId, this.ctx.plan().seq, area.id, f), t('content.goals.added', { title: f.title })),
    });
  }

  private editGoal(g: Goal): Promise<boolean> {
    return openGoalForm({
      heading: t('content.goals.editHeading', { title: g.title }),
      testid: 'goal-form',
      title: g.title,
      description: g.description,
      save: (f) => this.change(() => updateGoal(this.ctx.api, this.ctx.planId, this.ctx.plan().seq, g.id, f), t('content.saved', { title: f.title })),
    });
  }

  private async removeGoal(g: Goal): Promise<void> {
    if (!(await this.confirmDelete(g.title))) return;
    await this.remove(() => deleteGoal(this.ctx.api, this.ctx.planId, this.ctx.plan().seq, g.id), g.title);
  }

  // Strategies.

  private strategies(a: AreaContent, mayEdit: boolean): HTMLElement {
    const goalTitle = (id: string) => a.goals.find((g) => g.id === id)?.title;
    return h(
      'div',
      { class: 'area-part' },
      h('h4', null, t('content.strategies.heading')),
      a.strategies.length === 0
        ? h('p', { class: 'hint' }, t('content.strategies.none'))
        : h(
            'ul',
            { class: 'item-list' },
            a.strategies.map((s) => {
              const goals = (s.goals ?? []).map(goalTitle).filter((x): x is string => !!x);
              return h(
                'li',
                { 'data-testid': 'strategy', dataset: { strategy: s.id } },
                h('strong', { class: 'item-title' }, s.title),
                s.description ? h('p', { class: 'item-text' }, s.description) : null,
                goals.length > 0 ? h('p', { class: 'item-meta' }, t('content.strategies.towards', { goals: goals.join(', ') })) : null,
                mayEdit ? this.itemButtons(`strategy-${s.id}`, s.title, () => this.editStrategy(a, s), () => this.removeStrategy(s)) : null,
              );
            }),
          ),
      mayEdit
        ? h(
            'p',
            { class: 'buttons' },
            h('button', { type: 'button', 'data-testid': 'add-strategy', dataset: { focus: `add-strategy-${a.area.id}` }, onclick: () => void this.addStrategy(a) }, t('content.strategies.add')),
          )
        : null,
    );
  }

  private addStrategy(a: AreaContent): Promise<boolean> {
    return openStrategyForm({
      heading: t('content.strategies.addHeading', { area: a.area.title }),
      testid: 'strategy-form',
      goals: { all: a.goals, chosen: [] },
      save: (f) => this.change(() => addStrategy(this.ctx.api, this.ctx.planId, this.ctx.plan().seq, a.area.id, f), t('content.strategies.added', { title: f.title })),
    });
  }

  private editStrategy(a: AreaContent, s: Strategy): Promise<boolean> {
    return openStrategyForm({
      heading: t('content.strategies.editHeading', { title: s.title }),
      testid: 'strategy-form',
      title: s.title,
      description: s.description,
      goals: { all: a.goals, chosen: s.goals ?? [] },
      save: (f) => this.change(() => updateStrategy(this.ctx.api, this.ctx.planId, this.ctx.plan().seq, s.id, f), t('content.saved', { title: f.title })),
    });
  }

  private async removeStrategy(s: Strategy): Promise<void> {
    if (!(await this.confirmDelete(s.title))) return;
    await this.remove(() => deleteStrategy(this.ctx.api, this.ctx.planId, this.ctx.plan().seq, s.id), s.title);
  }

  // Measures.

  private measures(plan: Plan, a: AreaContent, mayEdit: boolean): HTMLElement {
    const kr = formatKroner;
    const sum = a.measures.reduce(
      (acc, m) => {
        const x = measureTotals(m.costs);
        return { investment: acc.investment + x.investment, operating: acc.operating + x.operating, total: acc.total + x.total };
      },
      { investment: 0, operating: 0, total: 0 },
    );
    const goalTitle = (id: string) => a.goals.find((g) => g.id === id)?.title;
    return h(
      'div',
      { class: 'area-part' },
      h('h4', null, t('content.measures.heading')),
      a.measures.length === 0
        ? h('p', { class: 'hint' }, t('content.measures.none'))
        : h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'data measures-table' },
              h('caption', null, t('content.measures.caption', { area: a.area.title })),
              h(
                'thead',
                null,
                h(
                  'tr',
                  null,
                  h('th', { scope: 'col' }, t('content.measures.measure')),
                  h('th', { scope: 'col' }, t('content.field.period')),
                  h('th', { scope: 'col' }, t('content.field.priority')),
                  h('th', { scope: 'col' }, t('content.field.status')),
                  h('th', { scope: 'col', class: 'num' }, t('content.col.investment')),
                  h('th', { scope: 'col', class: 'num' }, t('content.col.operating')),
                  h('th', { scope: 'col', class: 'num' }, t('content.col.total')),
                ),
              ),
              h(
                'tbody',
                null,
                a.measures.map((m) => {
                  const x = measureTotals(m.costs);
                  const goals = (m.goals ?? []).map(goalTitle).filter((g): g is string => !!g);
                  return h(
                    'tr',
                    { 'data-testid': 'measure-row', dataset: { measure: m.id } },
                    h(
                      'th',
                      { scope: 'row', class: 'measure-cell' },
                      h('span', { class: 'item-title' }, m.title),
                      m.unit ? h('span', { class: 'item-meta' }, t('content.measures.unit', { unit: m.unit })) : null,
                      m.target_group ? h('span', { class: 'item-meta' }, t('content.measures.for', { group: m.target_group })) : null,
                      goals.length > 0 ? h('span', { class: 'item-meta' }, t('content.strategies.towards', { goals: goals.join(', ') })) : null,
                      mayEdit ? this.itemButtons(`measure-${m.id}`, m.title, () => this.editMeasure(plan, a, m), () => this.removeMeasure(m)) : null,
                    ),
                    h('td', { class: 'nowrap' }, periodText(m.start_year, m.end_year)),
                    h('td', null, h('span', { class: `priority priority-${m.priority}` }, t(`content.priority.${m.priority}` as MessageKey))),
                    h('td', null, h('span', { class: `mstatus mstatus-${m.status}` }, t(`content.mstatus.${m.status}` as MessageKey))),
                    h('td', { class: 'num', 'data-testid': 'measure-investment' }, kr(x.investment)),
                    h('td', { class: 'num', 'data-testid': 'measure-operating' }, kr(x.operating)),
                    h('td', { class: 'num', 'data-testid': 'measure-total' }, kr(x.total)),
                  );
                }),
              ),
              a.measures.length > 1
                ? h(
                    'tfoot',
                    null,
                    h(
                      'tr',
                      null,
                      h('th', { scope: 'row', colspan: '4' }, t('content.col.sum')),
                      h('td', { class: 'num' }, kr(sum.investment)),
                      h('td', { class: 'num' }, kr(sum.operating)),
                      h('td', { class: 'num' }, kr(sum.total)),
                    ),
                  )
                : null,
            ),
          ),
      mayEdit
        ? h(
            'p',
            { class: 'buttons' },
            h(
              'button',
              { type: 'button', class: 'primary', 'data-testid': 'add-measure', dataset: { focus: `add-measure-${a.area.id}`, area: a.area.id }, onclick: () => void this.addMeasure(plan, a) },
              t('content.measures.add'),
            ),
          )
        : null,
    );
  }

  private addMeasure(plan: Plan, a: AreaContent): Promise<boolean> {
    return openMeasureForm({
      areaTitle: a.area.title,
      period: planPeriod(plan),
      goals: a.goals,
      save: (f) => this.change(() => addMeasure(this.ctx.api, this.ctx.planId, this.ctx.plan().seq, a.area.id, f), t('content.measures.added', { title: f.title })),
    });
  }

  private editMeasure(plan: Plan, a: AreaContent, m: Measure): Promise<boolean> {
    return openMeasureForm({
      measure: m,
      areaTitle: a.area.title,
      period: planPeriod(plan),
      goals: a.goals,
      save: (f) => this.change(() => updateMeasure(this.ctx.api, this.ctx.planId, this.ctx.plan().seq, m.id, f), t('content.saved', { title: f.title })),
    });
  }

  private async removeMeasure(m: Measure): Promise<void> {
    if (!(await this.confirmDelete(m.title))) return;
    await this.remove(() => deleteMeasure(this.ctx.api, this.ctx.planId, this.ctx.plan().seq, m.id), m.title);
  }

  // Shared.

  private itemButtons(key: string, title: string, edit: () => Promise<unknown>, remove: () => Promise<void>): HTMLElement {
    return h(
      'span',
      { class: 'item-buttons' },
      h('button', { type: 'button', class: 'small', 'data-testid': 'edit', dataset: { focus: `edit-${key}` }, 'aria-label': t('content.editNamed', { title }), onclick: () => void edit() }, t('content.edit')),
      h(
        'button',
        { type: 'button', class: 'small danger', 'data-testid': 'delete', dataset: { focus: `delete-${key}` }, 'aria-label': t('content.deleteNamed', { title }), onclick: () => void remove() },
        t('content.delete'),
      ),
    );
  }

  private confirmDelete(title: string): Promise<boolean> {
    return confirmDialog({ heading: t('content.confirmDelete', { title }), text: t('content.confirmDeleteText'), confirm: t('content.delete'), testid: 'content-delete' });
  }

  // change runs one change; its answer is the plan after it, and the plan's
  // event brings it to every tab (this one reloads on it too).
  private async change(run: () => Promise<unknown>, done: string): Promise<string | null> {
    this.errorEl.textContent = '';
    try {
      await run();
    } catch (err) {
      return changeProblem(err, this.ctx);
    }
    this.ctx.announce(done);
    await this.ctx.reload();
    return null;
  }

  private async remove(run: () => Promise<unknown>, title: string): Promise<void> {
    this.errorEl.textContent = '';
    try {
      await run();
    } catch (err) {
      this.errorEl.textContent = await changeProblem(err, this.ctx);
      return;
    }
    this.ctx.announce(t('content.deleted', { title }));
    await this.ctx.reload();
  }

  destroy(): void {
    this.element.remove();
  }
}

export const measuresView: ViewFactory = (ctx) => new MeasuresView(ctx);
