// The small chart of one indicator: the baseline (a square) and the
// targets (diamonds) joined by a dashed line, the planned path; the
// reported values as a solid line with dots; years along the bottom and
// the values with their unit up the side. The SVG is one image
// (role="img") with a summary as its label; a legend in text and a table
// of the same values sit beside it for those who do not see it.
import type { Indicator } from '../api/types';
import { h } from '../dom';
import { t } from '../i18n';
import { formatValue } from './number';
import { chartModel, type ChartModel } from './scale';
import { formatDate } from './when';

const SVG = 'http://www.w3.org/2000/svg';

/** s builds an SVG element; children given as strings become text nodes. */
export function s(tag: string, attrs: Record<string, string | number>, ...children: (Node | string | null)[]): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) if (c !== null) el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

const r1 = (n: number) => Math.round(n * 10) / 10;

/** chartLabel summarises the chart in a sentence, for its aria-label. */
export function chartLabel(ind: Indicator): string {
  const unit = ind.unit;
  const targets = [...ind.targets]
    .sort((a, b) => a.year - b.year)
    .map((x) => t('scorecard.targetItem', { value: formatValue(x.value, unit), year: x.year }))
    .join(', ');
  const sorted = [...ind.reports].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const last = sorted[sorted.length - 1];
  const reports = !last
    ? t('scorecard.chart.none')
    : sorted.length === 1
      ? t('scorecard.chart.one', { value: formatValue(last.value, unit), date: formatDate(last.date) })
      : t('scorecard.chart.some', { n: sorted.length, value: formatValue(last.value, unit), date: formatDate(last.date) });
  return t('scorecard.chart.label', { name: ind.name, baseline: formatValue(ind.baseline.value, unit), year: ind.baseline.year, targets, reports });
}

// svgOf draws the model.
function svgOf(m: ChartModel, unit: string, label: string): SVGElement {
  const { width, height, left, right, top, bottom } = m.size;
  const plotRight = width - right;
  const plotBottom = height - bottom;
  const grid = m.ticks.map((tk) =>
    s(
      'g',
      { class: 'tick' },
      s('line', { x1: left, x2: plotRight, y1: r1(tk.y), y2: r1(tk.y), class: tk.value === 0 ? 'grid zero' : 'grid' }),
      s('text', { x: left - 6, y: r1(tk.y), 'text-anchor': 'end', 'dominant-baseline': 'middle', class: 'axis-label' }, formatValue(tk.value, '', tk.decimals)),
    ),
  );
  const years = m.years.map((y, i) =>
    s(
      'g',
      { class: 'year' },
      s('line', { x1: r1(y.x0), x2: r1(y.x0), y1: top, y2: plotBottom + 4, class: 'year-line' }),
      i === m.years.length - 1 ? s('line', { x1: r1(y.x1), x2: r1(y.x1), y1: top, y2: plotBottom + 4, class: 'year-line' }) : null,
      y.label ? s('text', { x: r1(y.mid), y: plotBottom + 18, 'text-anchor': 'middle', class: 'axis-label' }, String(y.year)) : null,
    ),
  );
  const b = m.baseline;
  const diamond = (x: number, y: number) => `M${r1(x)},${r1(y - 6)}L${r1(x + 6)},${r1(y)}L${r1(x)},${r1(y + 6)}L${r1(x - 6)},${r1(y)}Z`;
  return s(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label, focusable: 'false', class: 'chart-svg', 'data-testid': 'indicator-chart' },
    s('rect', { x: left, y: top, width: plotRight - left, height: plotBottom - top, class: 'plot' }),
    ...years,
    ...grid,
    s('text', { x: left - 6, y: top - 12, 'text-anchor': 'end', class: 'axis-unit' }, unit),
    s('path', { d: m.planned, class: 'planned', fill: 'none' }),
    s('rect', { x: r1(b.x - 5), y: r1(b.y - 5), width: 10, height: 10, class: 'baseline-mark' }),
    ...m.targets.map((tg) => s('path', { d: diamond(tg.x, tg.y), class: 'target-mark' })),
    m.actual ? s('path', { d: m.actual, class: 'actual', fill: 'none' }) : null,
    ...m.reports.map((r) => s('circle', { cx: r1(r.x), cy: r1(r.y), r: 4.5, class: 'report-dot', 'data-testid': 'chart-report', 'data-date': r.date })),
  );
}

/** chartTable lists the chart's values: the baseline, the targets, then the reports by date. */
function chartTable(ind: Indicator): HTMLElement {
  const unit = ind.unit;
  const row = (kind: string, when: string, value: number) => h('tr', null, h('td', null, kind), h('td', null, when), h('td', { class: 'num' }, formatValue(value, unit)));
  const reports = [...ind.reports].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return h(
    'details',
    { class: 'chart-data', 'data-key': `chart-data:${ind.id}` },
    h('summary', { 'data-key': `chart-summary:${ind.id}` }, t('scorecard.chart.table')),
    h(
      'table',
      { class: 'scorecard-table', 'data-testid': 'chart-table' },
      h('caption', null, t('scorecard.chart.caption', { name: ind.name })),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('scorecard.chart.kind')), h('th', { scope: 'col' }, t('scorecard.chart.when')), h('th', { scope: 'col' }, t('scorecard.chart.value')))),
      h(
        'tbody',
        null,
        row(t('scorecard.chart.kindBaseline'), t('scorecard.chart.yearMid', { year: ind.baseline.year }), ind.baseline.value),
        [...ind.targets].sort((a, b) => a.year - b.year).map((x) => row(t('scorecard.chart.kindTarget'), t('scorecard.chart.yearEnd', { year: x.year }), x.value)),
        reports.map((r) => row(t('scorecard.chart.kindReport'), formatDate(r.date), r.value)),
      ),
    ),
  );
}

/** renderChart returns the chart of an indicator with its legend and its table. */
export function renderChart(ind: Indicator): HTMLElement {
  const legend = (cls: string, text: string) => h('li', null, h('span', { class: `key ${cls}`, 'aria-hidden': 'true' }), text);
  const svgWrap = h('div', { class: 'chart-box' });
  svgWrap.append(svgOf(chartModel(ind), ind.unit, chartLabel(ind)));
  return h(
    'div',
    { class: 'indicator-chart' },
    svgWrap,
    h(
      'ul',
      { class: 'chart-legend' },
      legend('key-planned', t('scorecard.chart.planned')),
      legend('key-reported', t('scorecard.chart.reported')),
      legend('key-baseline', t('scorecard.chart.baseline')),
      legend('key-target', t('scorecard.chart.target')),
    ),
    chartTable(ind),
  );
}
