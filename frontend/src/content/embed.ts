// What a measure block in the text shows (editor/measureblot.ts): the
// measure as the plan holds it now — title, period, priority, status and
// costs per year — drawn into the block whenever the plan or the text
// changes. A measure that is gone says so. Only the block's DOM changes;
// the document keeps just the measure's id.
import type { Measure, Plan } from '../api/types';
import { h, replace } from '../dom';
import { lang, t, type MessageKey } from '../i18n';
import { measureTotals } from './measure';
import { formatKroner } from './money';

export interface EmbedCostRow {
  year: number;
  investment: number;
  operating: number;
  total: number;
}

export type MeasureEmbedModel =
  | { kind: 'deleted' }
  | {
      kind: 'measure';
      title: string;
      period: string;
      priority: Measure['priority'];
      status: Measure['status'];
      unit: string;
      costs: EmbedCostRow[];
      total: { investment: number; operating: number; total: number };
    };

/** periodText writes a measure's years: "2027–2029", or "2027" for one year. */
export function periodText(start: number, end: number): string {
  return start === end ? String(start) : `${start}–${end}`;
}

/** embedModel is what the block of measure id shows in the plan as it is. */
export function embedModel(plan: Plan, id: string): MeasureEmbedModel {
  const m = (plan.measures ?? []).find((x) => x.id === id);
  if (!m) return { kind: 'deleted' };
  const costs = [...(m.costs ?? [])]
    .sort((a, b) => a.year - b.year)
    .map((c) => ({ year: c.year, investment: c.investment, operating: c.operating, total: c.investment + c.operating }));
  return {
    kind: 'measure',
    title: m.title,
    period: periodText(m.start_year, m.end_year),
    priority: m.priority,
    status: m.status,
    unit: m.unit,
    costs,
    total: measureTotals(m.costs),
  };
}

/**
 * renderEmbed draws a model into a block: into one child of it, so the
 * block's own element (the editor's) keeps its attributes.
 */
export function renderEmbed(node: HTMLElement, model: MeasureEmbedModel): void {
  if (model.kind === 'deleted') {
    replace(node, h('div', { class: 'measure-embed-body', 'data-state': 'deleted' }, h('p', { class: 'measure-embed-gone' }, t('content.embed.deleted'))));
    return;
  }
  const kr = formatKroner;
  replace(
    node,
    h(
      'div',
      { class: 'measure-embed-body', 'data-state': 'shown' },
      h(
      'table',
      { class: 'measure-embed' },
      h('caption', null, t('content.embed.caption', { title: model.title })),
      h(
        'tbody',
        null,
        h('tr', null, h('th', { scope: 'row' }, t('content.field.period')), h('td', { colspan: '3' }, model.period)),
        h('tr', null, h('th', { scope: 'row' }, t('content.field.priority')), h('td', { colspan: '3' }, t(`content.priority.${model.priority}` as MessageKey))),
        h('tr', null, h('th', { scope: 'row' }, t('content.field.status')), h('td', { colspan: '3' }, t(`content.mstatus.${model.status}` as MessageKey))),
        model.unit ? h('tr', null, h('th', { scope: 'row' }, t('content.field.unit')), h('td', { colspan: '3' }, model.unit)) : null,
      ),
      h(
        'tbody',
        { class: 'measure-embed-costs' },
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, t('content.col.year')),
          h('th', { scope: 'col', class: 'num' }, t('content.col.investment')),
          h('th', { scope: 'col', class: 'num' }, t('content.col.operating')),
          h('th', { scope: 'col', class: 'num' }, t('content.col.total')),
        ),
        model.costs.length === 0
          ? h('tr', null, h('td', { colspan: '4' }, t('content.embed.noCosts')))
          : model.costs.map((c) =>
              h('tr', null, h('th', { scope: 'row' }, String(c.year)), h('td', { class: 'num' }, kr(c.investment)), h('td', { class: 'num' }, kr(c.operating)), h('td', { class: 'num' }, kr(c.total))),
            ),
        model.costs.length > 1
          ? h(
              'tr',
              { class: 'sum' },
              h('th', { scope: 'row' }, t('content.col.sum')),
              h('td', { class: 'num' }, kr(model.total.investment)),
              h('td', { class: 'num' }, kr(model.total.operating)),
              h('td', { class: 'num' }, kr(model.total.total)),
            )
          : null,
      ),
    ),
    ),
  );
}

/**
 * MeasureEmbeds keeps the measure blocks of one editor drawn: schedule
 * after the text changed (a block may have come), render after the plan
 * changed. A block is drawn again only when what it shows changed, so the
 * editor sees as few changes of its DOM as can be.
 */
export class MeasureEmbeds {
  private readonly drawn = new WeakMap<Element, string>();
  private frame = 0;
  private alive = true;

  constructor(
    private readonly root: HTMLElement,
    private readonly plan: () => Plan | null,
  ) {
    this.schedule();
  }

  schedule(): void {
    if (this.frame || !this.alive) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  render(): void {
    const plan = this.plan();
    if (!plan || !this.alive) return;
    for (const node of this.root.querySelectorAll<HTMLElement>('.ql-measure')) {
      const model = embedModel(plan, node.dataset.measure ?? '');
      const key = `${lang()}|${JSON.stringify(model)}`;
      if (this.drawn.get(node) === key) continue;
      this.drawn.set(node, key);
      renderEmbed(node, model);
    }
  }

  destroy(): void {
    this.alive = false;
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
  }
}
