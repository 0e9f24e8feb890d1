// The Personvern view: the small counts of persons or households the
// server finds in the plan's text now (GET /privacy), open and accepted,
// each with "Vis i teksten". The leader accepts a finding with a reason or
// opens it again (accept_privacy_finding) and sets the plan's threshold
// (edit_structure). Open findings stop the lock, and the view says so.
//
// The findings follow the text: fetched again shortly after plan events
// and every ten seconds while the page is visible, never holding anything
// up; an answer older than the latest request is dropped.
import type { Plan } from '../api/types';
import { promptText } from '../dialog';
import { h, replace, uniqueId } from '../dom';
import { has, t, type MessageKey } from '../i18n';
import { problemText } from '../pages/labels';
import { can } from '../pages/phase';
import { planPath } from '../pages/router';
import type { PlanView, ViewContext } from '../pages/views';
import { acceptFinding, getPrivacy, reopenFinding, setThreshold, type PrivacyFinding, type PrivacyReport } from './api';
import { changePlan, newer } from './planchange';
import { memberName } from './roundcard';
import { Refetch } from './refetch';
import { setCheck } from './sectionchecks';

/** parseThreshold reads a threshold typed by the user: a whole number from 1 to 1000, else null. */
export function parseThreshold(s: string): number | null {
  const v = s.trim();
  if (!/^\d{1,4}$/.test(v)) return null;
  const n = Number(v);
  return n >= 1 && n <= 1000 ? n : null;
}

function kindText(kind: string): string {
  const key = `process.privacy.kind.${kind}`;
  return has(key) ? t(key as MessageKey) : kind;
}

export class PersonvernView implements PlanView {
  readonly element: HTMLElement;
  private plan: Plan;
  private report: PrivacyReport | null = null;
  private request = 0;
  private readonly refetch: Refetch;
  private readonly errorEl: HTMLElement;
  private readonly thresholdEl: HTMLElement;
  private readonly summaryEl: HTMLElement;
  private readonly openEl: HTMLElement;
  private readonly acceptedEl: HTMLElement;
  private readonly busy = new Set<string>();
  private editingThreshold = false;
  private alive = true;

  constructor(private readonly ctx: ViewContext) {
    this.plan = ctx.plan();
    const headId = uniqueId('personvern');
    this.errorEl = h('p', { class: 'error', role: 'alert' });
    this.thresholdEl = h('div', { class: 'threshold', 'data-testid': 'privacy-threshold' });
    this.summaryEl = h('p', { class: 'privacy-summary', 'data-testid': 'privacy-summary' });
    this.openEl = h('div', { class: 'process-table-wrap' });
    this.acceptedEl = h('div', { class: 'process-table-wrap' });
    this.element = h(
      'section',
      { class: 'process-view view-personvern', 'data-testid': 'view-personvern', 'aria-labelledby': headId },
      h('h2', { id: headId, tabindex: '-1' }, t('process.personvern.heading')),
      h('p', { class: 'hint' }, t('process.personvern.intro')),
      h('p', { class: 'lock-note', 'data-testid': 'privacy-lock-note' }, t('process.personvern.lockNote')),
      this.thresholdEl,
      this.errorEl,
      this.summaryEl,
      this.openEl,
      this.acceptedEl,
    );
    this.refetch = new Refetch(() => this.load(), 800, 10_000);
    this.render();
    this.refetch.now();
  }

  update(plan: Plan): void {
    const before = this.plan;
    this.plan = newer(this.plan, plan);
    if (before.privacy_threshold !== this.plan.privacy_threshold || can(before, 'edit_structure') !== can(this.plan, 'edit_structure')) this.renderThreshold();
    if (can(before, 'accept_privacy_finding') !== can(this.plan, 'accept_privacy_finding')) this.renderTables();
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
      const report = await getPrivacy(this.ctx.api, this.plan.id);
      if (!this.alive || id !== this.request) return;
      this.report = { ...report, findings: report.findings ?? [] };
      this.errorEl.textContent = '';
      this.render();
    } catch (err) {
      if (!this.alive || id !== this.request) return;
      this.errorEl.textContent = problemText(err);
    }
  }

  private render(): void {
    this.renderThreshold();
    this.renderTables();
  }

  private threshold(): number {
    return this.report?.threshold ?? this.plan.privacy_threshold ?? 5;
  }

  // The threshold.

  private renderThreshold(): void {
    if (this.editingThreshold) return;
    const n = this.plan.privacy_threshold ?? this.report?.threshold ?? 5;
    replace(
      this.thresholdEl,
      h('p', null, t('process.privacy.threshold', { n })),
      can(this.plan, 'edit_structure')
        ? h('p', { class: 'buttons' }, h('button', { type: 'button', 'data-testid': 'threshold-edit', 'data-key': 'threshold-edit', onclick: () => this.editThreshold() }, t('process.privacy.thresholdChange')))
        : null,
    );
  }

  private editThreshold(): void {
    this.editingThreshold = true;
    const id = uniqueId('threshold');
    const hintId = uniqueId('threshold-hint');
    const err = h('p', { class: 'error', role: 'alert' });
    const input = h('input', {
      id,
      type: 'text',
      inputmode: 'numeric',
      size: '4',
      autocomplete: 'off',
      'aria-describedby': hintId,
      'data-testid': 'threshold-input',
      value: String(this.plan.privacy_threshold ?? this.threshold()),
    });
    const save = h('button', { type: 'submit', class: 'primary', 'data-testid': 'threshold-save' }, t('process.save'));
    const close = () => {
      this.editingThreshold = false;
      this.renderThreshold();
      this.thresholdEl.querySelector<HTMLElement>('[data-key="threshold-edit"]')?.focus();
    };
    replace(
      this.thresholdEl,
      h(
        'form',
        {
          class: 'process-form threshold-form',
          novalidate: true,
          onsubmit: async (e: SubmitEvent) => {
            e.preventDefault();
            const n = parseThreshold(input.value);
            if (n === null) {
              err.textContent = t('process.privacy.thresholdInvalid');
              input.setAttribute('aria-invalid', 'true');
              input.focus();
              return;
            }
            save.disabled = true;
            const res = await changePlan(this.ctx, (seq) => setThreshold(this.ctx.api, this.plan.id, seq, n));
            save.disabled = false;
            if (!res.ok) {
              err.textContent = res.error;
              return;
            }
            this.plan = newer(this.plan, res.plan);
            this.ctx.announce(t('process.privacy.thresholdSaved', { n }));
            close();
            this.refetch.now();
          },
          onkeydown: (e: KeyboardEvent) => {
            if (e.key === 'Escape') {
              e.preventDefault();
              close();
            }
          },
        },
        h('p', { class: 'field inline' }, h('label', { for: id }, t('process.privacy.thresholdLabel')), input),
        h('p', { id: hintId, class: 'hint' }, t('process.privacy.thresholdHint')),
        err,
        h('p', { class: 'buttons' }, save, h('button', { type: 'button', onclick: close }, t('process.cancel'))),
      ),
    );
    input.focus();
    input.select();
  }

  // The findings.

  private renderTables(): void {
    const active = document.activeElement as HTMLElement | null;
    const key = active && (this.openEl.contains(active) || this.acceptedEl.contains(active)) ? active.dataset.key : undefined;
    const r = this.report;
    if (!r) {
      this.summaryEl.textContent = t('process.loading');
      replace(this.openEl);
      replace(this.acceptedEl);
      return;
    }
    const open = r.findings.filter((f) => !f.accepted);
    const accepted = r.findings.filter((f) => f.accepted);
    this.summaryEl.textContent = open.length === 0 ? t('process.privacy.noneOpen') : t('process.privacy.openCount', { n: open.length });
    this.summaryEl.dataset.open = String(open.length);
    const mayAccept = can(this.plan, 'accept_privacy_finding');
    replace(
      this.openEl,
      open.length === 0
        ? null
        : this.table('privacy-open', t('process.privacy.openCaption'), open, [t('process.privacy.kind')], (f) => [h('td', null, kindText(f.kind))], (f) =>
            mayAccept
              ? h(
                  'button',
                  {
                    type: 'button',
                    class: 'primary',
                    'data-testid': 'finding-accept',
                    'data-key': `accept:${f.id}`,
                    'aria-label': t('process.privacy.acceptNamed', { quote: f.quote }),
                    disabled: this.busy.has(f.id),
                    onclick: () => void this.accept(f),
                  },
                  t('process.privacy.accept'),
                )
              : null,
          ),
    );
    replace(
      this.acceptedEl,
      accepted.length === 0
        ? null
        : this.table(
            'privacy-accepted',
            t('process.privacy.acceptedCaption'),
            accepted,
            [t('process.privacy.reason'), t('process.privacy.acceptedBy')],
            (f) => [h('td', null, f.accepted?.reason ?? ''), h('td', null, f.accepted ? memberName(this.plan, f.accepted.by) : '')],
            (f) =>
              mayAccept
                ? h(
                    'button',
                    {
                      type: 'button',
                      'data-testid': 'finding-reopen',
                      'data-key': `reopen:${f.id}`,
                      'aria-label': t('process.privacy.reopenNamed', { quote: f.quote }),
                      disabled: this.busy.has(f.id),
                      onclick: () => void this.reopen(f),
                    },
                    t('process.privacy.reopen'),
                  )
                : null,
          ),
    );
    if (key) {
      const again = this.element.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`);
      if (again && !(again as HTMLButtonElement).disabled) again.focus();
      else (this.element.querySelector('h2') as HTMLElement | null)?.focus();
    }
  }

  private table(
    testid: string,
    caption: string,
    findings: PrivacyFinding[],
    extraHeads: string[],
    extraCells: (f: PrivacyFinding) => HTMLElement[],
    action: (f: PrivacyFinding) => HTMLElement | null,
  ): HTMLElement {
    return h(
      'table',
      { class: 'process-table findings-table', 'data-testid': testid },
      h('caption', null, caption),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, t('process.privacy.section')),
          h('th', { scope: 'col' }, t('process.privacy.quote')),
          h('th', { scope: 'col', class: 'num' }, t('process.privacy.count')),
          extraHeads.map((x) => h('th', { scope: 'col' }, x)),
          h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('process.actions'))),
        ),
      ),
      h(
        'tbody',
        null,
        findings.map((f) =>
          h(
            'tr',
            { 'data-testid': 'finding', 'data-finding-id': f.id, 'data-section': f.section },
            h('td', null, f.section_title),
            h('th', { scope: 'row' }, h('q', null, f.quote)),
            h('td', { class: 'num' }, String(f.count)),
            extraCells(f),
            h(
              'td',
              { class: 'row-actions' },
              h(
                'a',
                {
                  href: planPath(this.plan.id, f.section),
                  'data-testid': 'finding-show',
                  'aria-label': t('process.privacy.showNamed', { quote: f.quote }),
                  onclick: (e: MouseEvent) => {
                    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
                    e.preventDefault();
                    setCheck('personvern', true);
                    this.ctx.openSection(f.section, { index: f.index, length: f.length });
                  },
                },
                t('process.showInText'),
              ),
              ' ',
              action(f),
            ),
          ),
        ),
      ),
    );
  }

  private async accept(f: PrivacyFinding): Promise<void> {
    const reason = await promptText({
      heading: t('process.privacy.acceptHeading'),
      label: t('process.privacy.reasonLabel', { quote: f.quote }),
      submit: t('process.privacy.accept'),
      multiline: true,
      required: t('process.privacy.reasonRequired'),
      testid: 'accept-finding',
    });
    if (!reason || !this.alive) return;
    this.busy.add(f.id);
    this.renderTables();
    const res = await changePlan(this.ctx, (seq) => acceptFinding(this.ctx.api, this.plan.id, f.id, seq, reason));
    this.busy.delete(f.id);
    if (!this.alive) return;
    if (!res.ok) {
      this.errorEl.textContent = res.error;
      this.renderTables();
      this.refetch.now();
      return;
    }
    this.errorEl.textContent = '';
    this.plan = newer(this.plan, res.plan);
    this.markAccepted(f.id, { id: f.id, section: f.section, quote: f.quote, reason, by: this.ctx.me.id, at: new Date().toISOString() });
    this.ctx.announce(t('process.privacy.accepted'));
    this.refetch.now();
  }

  private async reopen(f: PrivacyFinding): Promise<void> {
    this.busy.add(f.id);
    this.renderTables();
    const res = await changePlan(this.ctx, (seq) => reopenFinding(this.ctx.api, this.plan.id, f.id, seq));
    this.busy.delete(f.id);
    if (!this.alive) return;
    if (!res.ok) {
      this.errorEl.textContent = res.error;
      this.renderTables();
      this.refetch.now();
      return;
    }
    this.errorEl.textContent = '';
    this.plan = newer(this.plan, res.plan);
    this.markAccepted(f.id, null);
    this.ctx.announce(t('process.privacy.reopened'));
    this.refetch.now();
  }

  // markAccepted shows the answer at once, before the next fetch confirms it.
  private markAccepted(id: string, accepted: PrivacyFinding['accepted']): void {
    if (!this.report) return;
    this.request++; // an answer fetched before the change is older than it
    const findings = this.report.findings.map((x) => (x.id === id ? { ...x, accepted } : x));
    this.report = { ...this.report, findings, open: findings.filter((x) => !x.accepted).length };
    this.renderTables();
  }
}
