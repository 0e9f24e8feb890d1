// The Klarspråk view: the LIX readability of the whole plan and of each
// section (GET /lix), with the usual Norwegian bands, and how many long
// sentences (over 25 words) and very long words (over 20 letters) each
// section has. A section's link opens its text with the klarspråk marks
// on. Informational, never blocking.
import type { Plan } from '../api/types';
import { h, replace, uniqueId } from '../dom';
import { t, type MessageKey } from '../i18n';
import { problemText } from '../pages/labels';
import { planPath } from '../pages/router';
import type { PlanView, ViewContext } from '../pages/views';
import { getLix, type LixBand, type LixReport, type LixSection } from './api';
import { newer } from './planchange';
import { bandOf, formatLix, LIX_BANDS } from './readability';
import { Refetch } from './refetch';
import { setCheck } from './sectionchecks';

/** bandText is the Norwegian name of a LIX band. */
export function bandText(band: LixBand): string {
  return t(`process.lix.band.${band}` as MessageKey);
}

const count = (n: number) => new Intl.NumberFormat('nb-NO').format(n);

export class KlarsprakView implements PlanView {
  readonly element: HTMLElement;
  private plan: Plan;
  private report: LixReport | null = null;
  private request = 0;
  private readonly refetch: Refetch;
  private readonly errorEl: HTMLElement;
  private readonly summaryEl: HTMLElement;
  private readonly tableEl: HTMLElement;
  private alive = true;

  constructor(private readonly ctx: ViewContext) {
    this.plan = ctx.plan();
    const headId = uniqueId('klarsprak');
    const scaleHead = uniqueId('lix-scale');
    this.errorEl = h('p', { class: 'error', role: 'alert' });
    this.summaryEl = h('div', { class: 'lix-summary', 'data-testid': 'lix-plan' });
    this.tableEl = h('div', { class: 'process-table-wrap' });
    this.element = h(
      'section',
      { class: 'process-view view-klarsprak', 'data-testid': 'view-klarsprak', 'aria-labelledby': headId },
      h('h2', { id: headId, tabindex: '-1' }, t('process.klarsprak.heading')),
      h('p', { class: 'hint' }, t('process.klarsprak.intro')),
      this.errorEl,
      this.summaryEl,
      this.tableEl,
      h(
        'details',
        { class: 'lix-scale' },
        h('summary', { id: scaleHead }, t('process.lix.scaleHeading')),
        h(
          'ul',
          { 'aria-labelledby': scaleHead },
          LIX_BANDS.map((b) => h('li', null, h('span', { class: `lix-band lix-band-${b}` }, bandText(b)), ': ', t(`process.lix.range.${b}` as MessageKey))),
        ),
      ),
    );
    this.refetch = new Refetch(() => this.load(), 1000, 15_000);
    this.render();
    this.refetch.now();
  }

  update(plan: Plan): void {
    this.plan = newer(this.plan, plan);
    this.refetch.poke();
  }

  destroy(): void {
    this.alive = false;
    this.request++;
    this.refetch.destroy();
  }

  private async load(): Promise<void> {
    const id = ++this.request;
    try {
      const report = await getLix(this.ctx.api, this.plan.id);
      if (!this.alive || id !== this.request) return;
      this.report = { ...report, sections: report.sections ?? [] };
      this.errorEl.textContent = '';
      this.render();
    } catch (err) {
      if (!this.alive || id !== this.request) return;
      this.errorEl.textContent = problemText(err);
    }
  }

  private render(): void {
    const r = this.report;
    if (!r) {
      replace(this.summaryEl, h('p', null, t('process.loading')));
      return;
    }
    const band = bandOf(r.band);
    replace(
      this.summaryEl,
      band === 'none'
        ? h('p', null, t('process.lix.planEmpty'))
        : [
            h(
              'p',
              { class: 'lix-plan-value' },
              t('process.lix.plan'),
              ' ',
              h('strong', { 'data-testid': 'lix-plan-value' }, formatLix(r.lix)),
              ' ',
              h('span', { class: `lix-band lix-band-${band}`, 'data-testid': 'lix-plan-band' }, bandText(band)),
            ),
            h('p', { class: 'hint' }, t('process.lix.planCounts', { words: count(r.words), sentences: count(r.sentences), long: count(r.long_words) })),
          ],
    );
    const sections = r.sections ?? [];
    if (sections.length === 0) {
      replace(this.tableEl);
      return;
    }
    const active = document.activeElement as HTMLElement | null;
    const key = active && this.tableEl.contains(active) ? active.dataset.key : undefined;
    replace(
      this.tableEl,
      h(
        'table',
        { class: 'process-table lix-table', 'data-testid': 'lix-sections' },
        h('caption', null, t('process.lix.caption')),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, t('process.lix.section')),
            h('th', { scope: 'col', class: 'num' }, t('process.lix.lix')),
            h('th', { scope: 'col' }, t('process.lix.band')),
            h('th', { scope: 'col', class: 'num' }, t('process.lix.words')),
            h('th', { scope: 'col', class: 'num' }, t('process.lix.sentences')),
            h('th', { scope: 'col', class: 'num' }, t('process.lix.longSentences')),
            h('th', { scope: 'col', class: 'num' }, t('process.lix.veryLongWords')),
          ),
        ),
        h(
          'tbody',
          null,
          sections.map((s) => this.row(s)),
        ),
      ),
    );
    if (key) this.tableEl.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`)?.focus();
  }

  private row(s: LixSection): HTMLElement {
    const band = bandOf(s.band);
    const long = (s.long_sentences ?? []).length;
    const veryLong = (s.very_long_words ?? []).length;
    return h(
      'tr',
      { 'data-testid': 'lix-section', 'data-section': s.section, 'data-band': band },
      h(
        'th',
        { scope: 'row' },
        h(
          'a',
          {
            href: planPath(this.plan.id, s.section),
            'data-key': `lix:${s.section}`,
            'data-testid': 'lix-open',
            title: t('process.lix.openHint'),
            onclick: (e: MouseEvent) => {
              if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
              e.preventDefault();
              setCheck('klarsprak', true);
              this.ctx.openSection(s.section);
            },
          },
          s.title,
        ),
      ),
      h('td', { class: 'num' }, band === 'none' ? '–' : formatLix(s.lix)),
      h('td', null, band === 'none' ? h('span', { class: 'hint' }, bandText('none')) : h('span', { class: `lix-band lix-band-${band}` }, bandText(band))),
      h('td', { class: 'num' }, count(s.words)),
      h('td', { class: 'num' }, count(s.sentences)),
      h('td', { class: `num${long > 0 ? ' has-issues' : ''}` }, count(long)),
      h('td', { class: `num${veryLong > 0 ? ' has-issues' : ''}` }, count(veryLong)),
    );
  }
}
