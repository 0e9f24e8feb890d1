// The Versjoner view: the plan's named versions, the leader's "Frys
// versjon", and the comparison of two versions (or a version and the text
// now): per section the words inserted (<ins>, underlined, "+") and
// deleted (<del>, struck through, "−") — never told by colour alone — the
// measures and costs before and after as a table, the steering group's
// notice when the change is substantial, and the leader's "Gjenopprett
// denne delen" (after a confirmation) on a section changed since the
// version.
import './versions.css';
import { ApiError } from '../api/client';
import type { Plan } from '../api/types';
import { confirmDialog } from '../dialog';
import { h, replace, uniqueId } from '../dom';
import { t, type MessageKey } from '../i18n';
import { problemText } from '../pages/labels';
import { can } from '../pages/phase';
import type { PlanView, ViewContext } from '../pages/views';
import { newer } from '../process/planchange';
import { absoluteTime } from '../review/history';
import { freezeVersion, getDiff, listVersions, NOW, restoreSection, type NamedVersion, type ObjectDiff, type PlanDiff, type SectionDiff } from './api';
import {
  changedSections,
  changeText,
  costsText,
  diffParts,
  fieldLabel,
  MAX_NAME,
  measureRows,
  nameProblem,
  reasonsText,
  renderParts,
  restorable,
  sectionCounts,
  sideName,
  type Builder,
} from './model';

/** dom builds the parts of a diff as DOM nodes. */
const dom: Builder<Node> = {
  text: (s) => document.createTextNode(s),
  el: (tag, className, children, ariaHidden) => h(tag, { class: className, 'aria-hidden': ariaHidden ? 'true' : undefined }, children),
};

export class VersionsView implements PlanView {
  readonly element: HTMLElement;
  private plan: Plan;
  private versions: NamedVersion[] = [];
  private diff: PlanDiff | null = null;
  private request = 0;
  private alive = true;
  private busy = false;
  private readonly errorEl: HTMLElement;
  private readonly freezeEl: HTMLElement;
  private readonly listEl: HTMLElement;
  private readonly compareEl: HTMLElement;
  private readonly resultEl: HTMLElement;
  private readonly statusEl: HTMLElement;
  private readonly fromSel: HTMLSelectElement;
  private readonly toSel: HTMLSelectElement;
  private readonly nameInput: HTMLInputElement;
  private readonly nameError: HTMLElement;

  constructor(private readonly ctx: ViewContext) {
    this.plan = ctx.plan();
    const headId = uniqueId('versions');
    const listHead = uniqueId('versions-list');
    const compareHead = uniqueId('versions-compare');
    const nameId = uniqueId('version-name');
    const nameErrId = uniqueId('version-name-err');
    const nameHintId = uniqueId('version-name-hint');
    const fromId = uniqueId('diff-from');
    const toId = uniqueId('diff-to');
    this.errorEl = h('p', { class: 'error', role: 'alert' });
    this.statusEl = h('p', { class: 'hint', role: 'status' });
    this.nameError = h('p', { id: nameErrId, class: 'field-error', 'aria-live': 'assertive' });
    this.nameInput = h('input', {
      id: nameId,
      type: 'text',
      autocomplete: 'off',
      maxlength: String(MAX_NAME),
      'aria-describedby': `${nameHintId} ${nameErrId}`,
      'data-testid': 'version-name',
    });
    this.freezeEl = h(
      'form',
      {
        class: 'version-freeze',
        'data-testid': 'version-freeze',
        novalidate: true,
        onsubmit: (e: SubmitEvent) => {
          e.preventDefault();
          void this.freeze();
        },
      },
      h('h3', null, t('versions.freeze.heading')),
      h('p', { class: 'field' }, h('label', { for: nameId }, t('versions.freeze.label')), this.nameInput),
      h('p', { id: nameHintId, class: 'hint' }, t('versions.freeze.hint')),
      this.nameError,
      h('p', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary', 'data-testid': 'version-freeze-submit' }, t('versions.freeze.submit'))),
    );
    this.listEl = h('div', { class: 'process-table-wrap', 'aria-labelledby': listHead });
    this.fromSel = h('select', { id: fromId, 'data-testid': 'diff-from' });
    this.toSel = h('select', { id: toId, 'data-testid': 'diff-to' });
    this.compareEl = h(
      'form',
      {
        class: 'version-compare',
        'data-testid': 'version-compare',
        onsubmit: (e: SubmitEvent) => {
          e.preventDefault();
          void this.compare();
        },
      },
      h('p', { class: 'field' }, h('label', { for: fromId }, t('versions.compare.from')), this.fromSel),
      h('p', { class: 'field' }, h('label', { for: toId }, t('versions.compare.to')), this.toSel),
      h('p', { class: 'buttons' }, h('button', { type: 'submit', 'data-testid': 'diff-show' }, t('versions.compare.submit'))),
    );
    this.resultEl = h('div', { class: 'diff-result', 'data-testid': 'diff-result' });
    this.element = h(
      'section',
      { class: 'process-view view-versjoner', 'data-testid': 'view-versjoner', 'aria-labelledby': headId },
      h('h2', { id: headId, tabindex: '-1' }, t('versions.heading')),
      h('p', { class: 'hint' }, t('versions.intro')),
      this.errorEl,
      this.statusEl,
      h('section', { 'aria-labelledby': listHead }, h('h3', { id: listHead }, t('versions.listHeading')), this.listEl, this.freezeEl),
      h('section', { 'aria-labelledby': compareHead }, h('h3', { id: compareHead }, t('versions.compare.heading')), this.compareEl, this.resultEl),
    );
    this.versions = this.plan.versions ?? [];
    this.render();
    void this.loadVersions(true);
  }

  update(plan: Plan): void {
    const before = this.plan.versions?.length ?? 0;
    this.plan = newer(this.plan, plan);
    this.freezeEl.hidden = !can(this.plan, 'freeze_version');
    if ((this.plan.versions?.length ?? 0) !== before) void this.loadVersions(false);
    else if (this.diff) this.renderDiff(this.diff);
  }

  destroy(): void {
    this.alive = false;
    this.request++;
  }

  private async loadVersions(compareNewest: boolean): Promise<void> {
    try {
      const vs = await listVersions(this.ctx.api, this.plan.id);
      if (!this.alive) return;
      this.versions = vs;
      this.render();
      if (compareNewest && vs.length > 0) void this.compare();
    } catch (err) {
      if (this.alive) this.errorEl.textContent = problemText(err);
    }
  }

  private render(): void {
    this.freezeEl.hidden = !can(this.plan, 'freeze_version');
    const vs = this.versions;
    replace(
      this.listEl,
      vs.length === 0
        ? h('p', { 'data-testid': 'versions-none' }, t('versions.none'))
        : h(
            'table',
            { class: 'process-table versions-table', 'data-testid': 'version-list' },
            h('caption', { class: 'visually-hidden' }, t('versions.listHeading')),
            h(
              'thead',
              null,
              h('tr', null, h('th', { scope: 'col' }, t('versions.col.name')), h('th', { scope: 'col' }, t('versions.col.at')), h('th', { scope: 'col' }, t('versions.col.by'))),
            ),
            h(
              'tbody',
              null,
              [...vs].reverse().map((v) =>
                h(
                  'tr',
                  { 'data-testid': 'version', 'data-name': v.name, 'data-seq': String(v.seq) },
                  h('th', { scope: 'row' }, v.name, v.system ? [' ', h('span', { class: 'badge' }, t('versions.system'))] : null),
                  h('td', null, h('time', { datetime: v.at }, absoluteTime(v.at))),
                  h('td', null, v.by_name || v.by),
                ),
              ),
            ),
          ),
    );
    // The choices keep what was chosen, if it is still there.
    const from = this.fromSel.value;
    const to = this.toSel.value;
    const options = [...vs].reverse().map((v) => h('option', { value: String(v.seq) }, v.name));
    replace(this.fromSel, options);
    replace(this.toSel, h('option', { value: NOW }, t('versions.now')), [...vs].reverse().map((v) => h('option', { value: String(v.seq) }, v.name)));
    if (from && vs.some((v) => String(v.seq) === from)) this.fromSel.value = from;
    if (to && (to === NOW || vs.some((v) => String(v.seq) === to))) this.toSel.value = to;
    this.compareEl.hidden = vs.length === 0;
  }

  private async freeze(): Promise<void> {
    if (this.busy) return;
    const name = this.nameInput.value.trim();
    const problem = nameProblem(name, this.versions.map((v) => v.name));
    if (problem) {
      this.nameError.textContent = problem;
      this.nameInput.setAttribute('aria-invalid', 'true');
      this.nameInput.focus();
      return;
    }
    this.nameError.textContent = '';
    this.nameInput.removeAttribute('aria-invalid');
    this.busy = true;
    try {
      const p = await freezeVersion(this.ctx.api, this.plan.id, this.plan.seq, name);
      if (!this.alive) return;
      this.nameInput.value = '';
      this.ctx.announce(t('versions.freeze.done', { name: p.version.name }));
      this.statusEl.textContent = t('versions.freeze.done', { name: p.version.name });
      this.plan = newer(this.plan, p);
      await this.loadVersions(false);
      this.fromSel.value = String(p.version.seq);
      await this.ctx.reload().catch(() => undefined);
    } catch (err) {
      if (!this.alive) return;
      this.nameError.textContent = err instanceof ApiError && err.code === 'conflict' ? t('versions.freeze.taken') : problemText(err);
      this.nameInput.setAttribute('aria-invalid', 'true');
      this.nameInput.focus();
    } finally {
      this.busy = false;
    }
  }

  private async compare(): Promise<void> {
    const from = this.fromSel.value;
    const to = this.toSel.value || NOW;
    if (!from) return;
    const id = ++this.request;
    this.statusEl.textContent = t('versions.compare.loading');
    try {
      const d = await getDiff(this.ctx.api, this.plan.id, from, to);
      if (!this.alive || id !== this.request) return;
      this.errorEl.textContent = '';
      this.statusEl.textContent = '';
      this.diff = d;
      this.renderDiff(d);
    } catch (err) {
      if (!this.alive || id !== this.request) return;
      this.statusEl.textContent = '';
      this.errorEl.textContent = problemText(err);
    }
  }

  private renderDiff(d: PlanDiff): void {
    const { changed, unchanged } = changedSections(d);
    const mayRestore = can(this.plan, 'restore_section');
    const headId = uniqueId('diff');
    replace(
      this.resultEl,
      h(
        'section',
        { 'aria-labelledby': headId },
        h('h3', { id: headId }, t('versions.diff.heading', { from: sideName(d.from), to: sideName(d.to) })),
        d.substantial
          ? h(
              'div',
              { class: 'diff-notice diff-substantial', 'data-testid': 'diff-substantial' },
              h('p', null, h('span', { class: 'diff-notice-icon', 'aria-hidden': 'true' }, '⚠'), ' ', h('strong', null, t('versions.substantial.heading')), ' ', t('versions.substantial.text', { reasons: reasonsText(d.reasons) })),
              h('p', { class: 'hint' }, t('versions.substantial.rule')),
            )
          : h('p', { class: 'diff-notice', 'data-testid': 'diff-not-substantial' }, t('versions.substantial.none')),
        h(
          'p',
          { class: 'diff-legend' },
          t('versions.diff.legend'),
          ' ',
          renderParts([{ kind: 'insert', text: t('versions.diff.legendInserted'), shown: t('versions.diff.legendInserted') }], dom),
          ' ',
          renderParts([{ kind: 'delete', text: t('versions.diff.legendDeleted'), shown: t('versions.diff.legendDeleted') }], dom),
        ),
        this.renderMeasures(d),
        this.renderContent(d),
        changed.length === 0 ? h('p', { 'data-testid': 'diff-nothing' }, t('versions.diff.nothing')) : changed.map((s) => this.renderSection(d, s, mayRestore)),
        unchanged > 0 ? h('p', { class: 'hint', 'data-testid': 'diff-unchanged' }, t('versions.diff.unchanged', { n: unchanged })) : null,
      ),
    );
  }

  private renderSection(d: PlanDiff, s: SectionDiff, mayRestore: boolean): HTMLElement {
    const headId = uniqueId('diff-section');
    const parts = diffParts(s.segments);
    return h(
      'article',
      {
        class: `diff-section diff-${s.change} diff-depth-${Math.min(s.depth, 4)}`,
        'data-testid': 'diff-section',
        'data-section': s.id,
        'data-change': s.change,
        'data-substantial': String(s.substantial),
        'aria-labelledby': headId,
      },
      h(
        'h4',
        { id: headId },
        s.title,
        ' ',
        h('span', { class: `badge diff-badge-${s.change}` }, changeText(s.change)),
        s.substantial ? [' ', h('span', { class: 'badge badge-required', 'data-testid': 'section-substantial' }, t('versions.substantial.badge'))] : null,
      ),
      s.renamed && s.title_from ? h('p', { class: 'hint' }, t('versions.diff.renamed', { title: s.title_from })) : null,
      h('p', { class: 'hint' }, sectionCounts(s)),
      parts.length === 0 ? h('p', { class: 'hint' }, t('versions.diff.emptyText')) : h('div', { class: 'diff-text', 'data-testid': 'diff-text' }, renderParts(parts, dom)),
      restorable(d, s, mayRestore)
        ? h(
            'p',
            { class: 'buttons' },
            h('button', { type: 'button', 'data-testid': 'diff-restore', onclick: () => void this.restore(d, s) }, t('versions.restore.button')),
          )
        : null,
    );
  }

  private renderMeasures(d: PlanDiff): HTMLElement | null {
    const rows = measureRows(d);
    const totalsDiffer = d.costs_from.total !== d.costs_to.total || d.costs_from.investment !== d.costs_to.investment;
    if (rows.length === 0 && !totalsDiffer) return null;
    return h(
      'div',
      { class: 'process-table-wrap' },
      h(
        'table',
        { class: 'process-table diff-measures', 'data-testid': 'diff-measures' },
        h('caption', null, t('versions.measures.caption')),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, t('versions.measures.measure')),
            h('th', { scope: 'col' }, t('versions.measures.change')),
            h('th', { scope: 'col' }, t('versions.measures.fields')),
            h('th', { scope: 'col', class: 'num' }, t('versions.measures.before')),
            h('th', { scope: 'col', class: 'num' }, t('versions.measures.after')),
          ),
        ),
        h(
          'tbody',
          null,
          rows.map((r) =>
            h(
              'tr',
              { 'data-testid': 'diff-measure', 'data-measure': r.id },
              h('th', { scope: 'row' }, r.title),
              h('td', null, r.change),
              h('td', null, r.fields || '–'),
              h('td', { class: 'num' }, r.from),
              h('td', { class: `num${r.costsChanged ? ' diff-cost-changed' : ''}` }, r.to),
            ),
          ),
        ),
        h(
          'tfoot',
          null,
          h(
            'tr',
            { 'data-testid': 'diff-costs-total' },
            h('th', { scope: 'row', colspan: '3' }, t('versions.measures.total')),
            h('td', { class: 'num' }, costsText(d.costs_from)),
            h('td', { class: 'num' }, costsText(d.costs_to)),
          ),
        ),
      ),
    );
  }

  private renderContent(d: PlanDiff): HTMLElement | null {
    const items: HTMLElement[] = [];
    const add = (kind: string, list: ObjectDiff[]) => {
      for (const o of list) {
        const fields = o.fields.map((f) => fieldLabel(f.field)).join(', ');
        items.push(
          h(
            'li',
            { 'data-testid': 'diff-object' },
            t('versions.content.item', { kind: t(`versions.content.${kind}` as MessageKey), title: o.title, change: changeText(o.change).toLocaleLowerCase('nb') }),
            fields ? ` (${fields})` : '',
          ),
        );
      }
    };
    add('goal', d.goals);
    add('strategy', d.strategies);
    add('indicator', d.indicators);
    add('milestone', d.milestones);
    if (d.period_from.from !== d.period_to.from || d.period_from.to !== d.period_to.to) {
      items.push(h('li', null, t('versions.period', { from: `${d.period_from.from}–${d.period_from.to}`, to: `${d.period_to.from}–${d.period_to.to}` })));
    }
    if (items.length === 0) return null;
    const headId = uniqueId('diff-content');
    return h('section', { 'aria-labelledby': headId }, h('h4', { id: headId }, t('versions.content.heading')), h('ul', null, items));
  }

  private async restore(d: PlanDiff, s: SectionDiff): Promise<void> {
    if (this.busy) return;
    const version = d.from.name;
    const ok = await confirmDialog({
      heading: t('versions.restore.heading', { title: s.title }),
      text: t('versions.restore.text', { title: s.title, version }),
      confirm: t('versions.restore.confirm'),
      testid: 'restore-dialog',
    });
    if (!ok || !this.alive) return;
    this.busy = true;
    try {
      const r = await restoreSection(this.ctx.api, this.plan.id, s.id, String(d.from.seq), s.v_to);
      if (!this.alive) return;
      const msg = t(r.unchanged ? 'versions.restore.unchanged' : 'versions.restore.done', { title: s.title, version });
      await this.compare();
      if (!this.alive) return;
      this.ctx.announce(msg);
      this.statusEl.textContent = msg;
    } catch (err) {
      if (!this.alive) return;
      this.errorEl.textContent = problemText(err);
      // A conflict: the text moved on; show the comparison as it is now.
      if (err instanceof ApiError && err.code === 'conflict') await this.compare();
    } finally {
      this.busy = false;
    }
  }
}

export const versionsView = (ctx: ViewContext): PlanView => new VersionsView(ctx);
