// The cost grid of the measure form: one row per year of the measure
// (start to end year), investment and operating in whole kroner, with the
// sums of each row and column as the user types. The amounts live in the
// draft's map by year, so a year taken out and put back keeps them.
import { h, replace, uniqueId } from '../dom';
import { t } from '../i18n';
import type { CostDraft, FieldProblem } from './measure';
import { formatKroner, parseKroner } from './money';

type Column = 'investment' | 'operating';
const COLUMNS: Column[] = ['investment', 'operating'];

export class CostGrid {
  readonly element: HTMLElement;
  private readonly bodyEl: HTMLElement;
  private readonly footEl: HTMLElement;
  private readonly hintEl: HTMLElement;
  private readonly tableEl: HTMLElement;
  private years: number[] = [];
  private readonly inputs = new Map<string, HTMLInputElement>();
  private readonly sums = new Map<number, HTMLElement>();

  constructor(private readonly costs: Map<number, CostDraft>) {
    const captionId = uniqueId('costs');
    this.bodyEl = h('tbody');
    this.footEl = h('tfoot');
    this.hintEl = h('p', { class: 'hint', 'data-testid': 'cost-grid-hint' });
    this.tableEl = h(
      'table',
      { class: 'data cost-grid', 'data-testid': 'cost-grid', 'aria-labelledby': captionId },
      h('caption', { id: captionId }, t('content.costs.caption')),
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
      this.bodyEl,
      this.footEl,
    );
    this.element = h('div', { class: 'cost-grid-wrap table-wrap' }, this.hintEl, this.tableEl);
  }

  /** setYears shows a row per year; none with the hint when the years are not valid yet. */
  setYears(years: number[]): void {
    if (years.join() === this.years.join()) return;
    this.years = years;
    this.inputs.clear();
    this.sums.clear();
    this.tableEl.hidden = years.length === 0;
    this.hintEl.textContent = years.length === 0 ? t('content.costs.noYears') : t('content.costs.hint');
    replace(
      this.bodyEl,
      years.map((y) => {
        const cells = COLUMNS.map((col) => {
          const id = uniqueId(`cost-${col}`);
          const input = h('input', {
            id,
            type: 'text',
            inputmode: 'numeric',
            autocomplete: 'off',
            class: 'amount',
            size: '14',
            'data-testid': `cost-${col}-${y}`,
            value: this.costs.get(y)?.[col] ?? '',
            oninput: () => {
              const c = this.costs.get(y) ?? { investment: '', operating: '' };
              c[col] = input.value;
              this.costs.set(y, c);
              input.removeAttribute('aria-invalid');
              this.sum();
            },
          });
          this.inputs.set(`${y}:${col}`, input);
          return h('td', { class: 'num' }, h('label', { for: id, class: 'visually-hidden' }, t(col === 'investment' ? 'content.costs.investmentOf' : 'content.costs.operatingOf', { year: y })), input);
        });
        const sum = h('td', { class: 'num sum', 'data-testid': `cost-total-${y}` });
        this.sums.set(y, sum);
        return h('tr', null, h('th', { scope: 'row' }, String(y)), cells, sum);
      }),
    );
    this.sum();
  }

  /** setProblems marks the amounts the checks refused. */
  setProblems(problems: readonly FieldProblem[]): void {
    for (const input of this.inputs.values()) input.removeAttribute('aria-invalid');
    for (const p of problems) {
      if (p.field !== 'costs' || p.year === undefined || !p.column) continue;
      this.inputs.get(`${p.year}:${p.column}`)?.setAttribute('aria-invalid', 'true');
    }
  }

  // sum writes the sums of every row and column ("–" where an amount is not valid).
  private sum(): void {
    const total = { investment: 0 as number | null, operating: 0 as number | null };
    for (const y of this.years) {
      const c = this.costs.get(y);
      let row: number | null = 0;
      for (const col of COLUMNS) {
        const v = parseKroner(c?.[col] ?? '');
        row = v === null || row === null ? null : row + v;
        const had = total[col];
        total[col] = v === null || had === null ? null : had + v;
      }
      const el = this.sums.get(y);
      if (el) el.textContent = row === null ? '–' : formatKroner(row);
    }
    const all = total.investment === null || total.operating === null ? null : total.investment + total.operating;
    const text = (n: number | null) => (n === null ? '–' : formatKroner(n));
    replace(
      this.footEl,
      this.years.length > 1
        ? h(
            'tr',
            null,
            h('th', { scope: 'row' }, t('content.col.sum')),
            h('td', { class: 'num', 'data-testid': 'cost-sum-investment' }, text(total.investment)),
            h('td', { class: 'num', 'data-testid': 'cost-sum-operating' }, text(total.operating)),
            h('td', { class: 'num', 'data-testid': 'cost-sum-total' }, text(all)),
          )
        : null,
    );
  }
}
