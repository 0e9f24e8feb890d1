// The Økonomi view: the plan's costs from GET /economics — per year,
// investment against operating, for the whole plan, per target area and
// per measure — as tables and as a stacked bar chart (the tables say the
// same in words), and finance's sign-off (signoff.ts). The figures are
// fetched again whenever the plan changes, so a changed cost shows (and
// the sign-off lapses) in every tab at once.
import { economics, signOffEconomics, type Economics, type EconomicsTotals } from '../api/content';
import type { Plan } from '../api/types';
import { h, replace, uniqueId } from '../dom';
import { lang, t } from '../i18n';
import { problemText } from '../pages/labels';
import { can } from '../pages/phase';
import { planPath } from '../pages/router';
import type { PlanView, ViewContext, ViewFactory } from '../pages/views';
import { chartLayout } from './chart';
import { periodText } from './embed';
import { formatKroner } from './money';
import { changeProblem } from './problem';
import { SignOffPanel } from './signoff';

const SVG = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: (Node | string)[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

/** compactKroner writes an amount short, for the chart's scale: "1,5 mill.". */
function compactKroner(n: number): string {
  return new Intl.NumberFormat(lang() === 'nn' ? 'nn-NO' : 'nb-NO', { notation: 'compact', maximumFractionDigits: 1 }).format(n);
}

class EconomicsView implements PlanView {
  readonly element: HTMLElement;
  private readonly panel: SignOffPanel;
  private readonly errorEl: HTMLElement;
  private readonly figuresEl: HTMLElement;
  private data: Economics | null = null;
  /** The plan seq the figures were asked for. */
  private askedAt = -1;
  private fetching: Promise<void> | null = null;
  private fetchAgain = false;
  private alive = true;

  constructor(private readonly ctx: ViewContext) {
    const headId = uniqueId('economics');
    this.panel = new SignOffPanel({ sign: (comment) => this.sign(comment) });
    this.errorEl = h('p', { class: 'error', role: 'alert', 'data-testid': 'economics-error' });
    this.figuresEl = h('div', { class: 'economics-figures', 'aria-busy': 'true' }, h('p', { class: 'hint' }, t('content.economics.loading')));
    this.element = h(
      'section',
      { class: 'content-view economics-view', 'data-testid': 'view-okonomi', 'aria-labelledby': headId },
      h('h2', { id: headId, tabindex: '-1' }, t('views.okonomi')),
      this.panel.element,
      this.errorEl,
      this.figuresEl,
    );
  }

  update(plan: Plan): void {
    this.showSignOff(plan);
    if (plan.seq !== this.askedAt) void this.fetch();
  }

  // showSignOff shows the sign-off as the plan holds it (the plan comes
  // with every event; the figures follow a moment later).
  private showSignOff(plan: Plan): void {
    const s = plan.economics_signoff !== undefined ? plan.economics_signoff : (this.data?.signoff ?? null);
    this.panel.update(s, plan.members, can(plan, 'sign_off_economics'), this.data !== null && this.fetching === null);
  }

  /** fetch asks for the figures (one request at a time; a change meanwhile asks again). */
  private fetch(): Promise<void> {
    if (this.fetching) {
      this.fetchAgain = true;
      return this.fetching;
    }
    this.askedAt = this.ctx.plan().seq;
    this.fetching = economics(this.ctx.api, this.ctx.planId)
      .then((data) => {
        if (!this.alive) return;
        this.data = data;
        this.errorEl.textContent = '';
        this.render(data);
      })
      .catch((err) => {
        if (this.alive) this.errorEl.textContent = problemText(err);
      })
      .finally(() => {
        this.fetching = null;
        if (!this.alive) return;
        if (this.fetchAgain || this.ctx.plan().seq !== this.askedAt) {
          this.fetchAgain = false;
          void this.fetch();
        } else {
          this.showSignOff(this.ctx.plan());
        }
      });
    return this.fetching;
  }

  private async sign(comment: string): Promise<string | null> {
    const data = this.data;
    if (!data) return t('content.economics.loading');
    try {
      await signOffEconomics(this.ctx.api, this.ctx.planId, data.seq, comment);
    } catch (err) {
      const text = await changeProblem(err, this.ctx);
      void this.fetch();
      return text;
    }
    // The status line (role=status) says it is signed once the plan has it.
    await this.ctx.reload();
    void this.fetch();
    return null;
  }

  private render(d: Economics): void {
    const plan = this.ctx.plan();
    const headAll = uniqueId('econ-all');
    const headAreas = uniqueId('econ-areas');
    const headMeasures = uniqueId('econ-measures');
    const areaTitle = (id: string) => d.areas.find((a) => a.target_area === id)?.title ?? '';
    this.figuresEl.removeAttribute('aria-busy');
    replace(
      this.figuresEl,
      h('p', { class: 'economics-period' }, t('content.economics.period', { period: periodText(d.period.from, d.period.to) })),
      h(
        'section',
        { class: 'economics-part', 'aria-labelledby': headAll },
        h('h3', { id: headAll }, t('content.economics.whole')),
        h('div', { class: 'economics-overall' }, this.chart(d), this.yearsTable(t('content.economics.wholeCaption'), d.years, d.total, 'economics-total')),
      ),
      h(
        'section',
        { class: 'economics-part', 'aria-labelledby': headAreas },
        h('h3', { id: headAreas }, t('content.economics.areas')),
        d.areas.length === 0
          ? h('p', { class: 'hint' }, t('content.measures.noAreas'))
          : h(
              'div',
              { class: 'economics-areas' },
              d.areas.map((a) => this.yearsTable(t('content.economics.areaCaption', { area: a.title }), d.years, a, 'economics-area', a.target_area)),
            ),
      ),
      h(
        'section',
        { class: 'economics-part', 'aria-labelledby': headMeasures },
        h('h3', { id: headMeasures }, t('content.economics.measures')),
        d.measures.length === 0
          ? h('p', { class: 'hint' }, t('content.economics.noMeasures'))
          : h(
              'div',
              { class: 'table-wrap' },
              h(
                'table',
                { class: 'data', 'data-testid': 'economics-measures' },
                h('caption', null, t('content.economics.measuresCaption')),
                h(
                  'thead',
                  null,
                  h(
                    'tr',
                    null,
                    h('th', { scope: 'col' }, t('content.measures.measure')),
                    h('th', { scope: 'col' }, t('content.economics.area')),
                    h('th', { scope: 'col', class: 'num' }, t('content.col.investment')),
                    h('th', { scope: 'col', class: 'num' }, t('content.col.operating')),
                    h('th', { scope: 'col', class: 'num' }, t('content.col.total')),
                  ),
                ),
                h(
                  'tbody',
                  null,
                  d.measures.map((m) =>
                    h(
                      'tr',
                      { dataset: { measure: m.id } },
                      h('th', { scope: 'row' }, m.title),
                      h('td', null, h('a', { href: planPath(plan.id, m.target_area), 'data-link': '' }, areaTitle(m.target_area))),
                      h('td', { class: 'num' }, formatKroner(m.investment)),
                      h('td', { class: 'num' }, formatKroner(m.operating)),
                      h('td', { class: 'num' }, formatKroner(m.total)),
                    ),
                  ),
                ),
              ),
            ),
      ),
    );
  }

  // yearsTable is one table of amounts: a row per year, investment,
  // operating and total, and the sums of the period.
  private yearsTable(caption: string, years: number[], totals: EconomicsTotals, testid: string, area?: string): HTMLElement {
    const byYear = new Map(totals.years.map((y) => [y.year, y]));
    const cell = (n: number, id: string) => h('td', { class: 'num', 'data-testid': id }, formatKroner(n));
    return h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'data economics-table', 'data-testid': testid, dataset: area ? { area } : undefined },
        h('caption', null, caption),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, t('content.col.year')),
            h('th', { scope: 'col', class: 'num' }, t('content.col.investment')),
            h('th', { scope: 'col', class: 'num' }, t('content.col.operating')),
            h('th', { scope: 'col', class: 'num' }, t('content.col.total')),
          ),
        ),
        h(
          'tbody',
          null,
          years.map((year) => {
            const y = byYear.get(year) ?? { year, investment: 0, operating: 0, total: 0 };
            return h('tr', { dataset: { year: String(year) } }, h('th', { scope: 'row' }, String(year)), cell(y.investment, `${year}-investment`), cell(y.operating, `${year}-operating`), cell(y.total, `${year}-total`));
          }),
        ),
        h(
          'tfoot',
          null,
          h('tr', null, h('th', { scope: 'row' }, t('content.col.sum')), cell(totals.investment, 'sum-investment'), cell(totals.operating, 'sum-operating'), cell(totals.total, 'sum-total')),
        ),
      ),
    );
  }

  // chart draws the whole plan's years as stacked bars, with a legend; the
  // table beside it holds the same figures.
  private chart(d: Economics): HTMLElement {
    const byYear = new Map(d.total.years.map((y) => [y.year, y]));
    const l = chartLayout(d.years.map((year) => ({ year, investment: byYear.get(year)?.investment ?? 0, operating: byYear.get(year)?.operating ?? 0 })));
    const titleId = uniqueId('chart-title');
    const descId = uniqueId('chart-desc');
    const desc = l.bars.map((b) => t('content.chart.bar', { year: b.year, investment: formatKroner(b.investment.value), operating: formatKroner(b.operating.value) })).join(' ');
    const graphic = svg(
      'svg',
      {
        viewBox: `0 0 ${l.width} ${l.height}`,
        class: 'economics-chart',
        role: 'img',
        'aria-labelledby': titleId,
        'aria-describedby': descId,
        'data-testid': 'economics-chart',
        preserveAspectRatio: 'xMidYMid meet',
      },
      svg('title', { id: titleId }, t('content.chart.title')),
      svg('desc', { id: descId }, desc),
      ...l.ticks.map((tk) =>
        svg(
          'g',
          { class: 'tick' },
          svg('line', { x1: l.plot.left, x2: l.plot.right, y1: tk.y, y2: tk.y }),
          svg('text', { x: l.plot.left - 6, y: tk.y, 'text-anchor': 'end', 'dominant-baseline': 'middle' }, compactKroner(tk.value)),
        ),
      ),
      ...l.bars.map((b) =>
        svg(
          'g',
          { class: 'bar', 'data-year': b.year },
          svg('rect', { class: 'investment', x: b.x, y: b.investment.y, width: b.width, height: b.investment.height }),
          svg('rect', { class: 'operating', x: b.x, y: b.operating.y, width: b.width, height: b.operating.height }),
          svg('text', { class: 'year', x: b.mid, y: l.plot.bottom + 20, 'text-anchor': 'middle' }, String(b.year)),
        ),
      ),
      svg('line', { class: 'axis', x1: l.plot.left, x2: l.plot.right, y1: l.plot.bottom, y2: l.plot.bottom }),
    );
    return h(
      'figure',
      { class: 'economics-chart-figure' },
      graphic,
      h(
        'figcaption',
        null,
        h(
          'ul',
          { class: 'legend' },
          h('li', null, h('span', { class: 'swatch investment', 'aria-hidden': 'true' }), t('content.col.investment')),
          h('li', null, h('span', { class: 'swatch operating', 'aria-hidden': 'true' }), t('content.col.operating')),
        ),
        h('span', { class: 'hint' }, t('content.chart.tableHint')),
      ),
    );
  }

  destroy(): void {
    this.alive = false;
    this.element.remove();
  }
}

export const economicsView: ViewFactory = (ctx) => new EconomicsView(ctx);
