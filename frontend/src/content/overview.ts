// The Oversikt view: every section of the plan in outline order, indented
// by depth, with its status, responsible person and contributors, and the
// number of sections in each status on top. The leader (edit_structure or
// manage_project) changes a section's status here.
import { ApiError } from '../api/client';
import { SECTION_STATUSES, type Member, type Plan, type SectionStatus } from '../api/types';
import { h, replace, uniqueId } from '../dom';
import { t } from '../i18n';
import { problemText, statusText } from '../pages/labels';
import { walk } from '../pages/outline';
import { can } from '../pages/phase';
import { planPath } from '../pages/router';
import type { PlanView, ViewContext, ViewFactory } from '../pages/views';

export interface OverviewRow {
  id: string;
  title: string;
  depth: number;
  kind: string;
  status: SectionStatus;
  responsible: string;
  contributors: string[];
}

/** overviewRows lists the sections in outline order, with the names of the people. */
export function overviewRows(plan: Pick<Plan, 'sections' | 'members'>): OverviewRow[] {
  const rows: OverviewRow[] = [];
  walk(plan.sections, (s, depth) => {
    rows.push({
      id: s.id,
      title: s.title,
      depth,
      kind: s.kind,
      status: s.status,
      responsible: s.responsible ? personName(plan.members, s.responsible) : '',
      contributors: (s.contributors ?? []).map((c) => personName(plan.members, c)),
    });
  });
  return rows;
}

/** statusCounts counts the sections in each status (every status, in order). */
export function statusCounts(rows: readonly Pick<OverviewRow, 'status'>[]): { status: SectionStatus; count: number }[] {
  return SECTION_STATUSES.map((status) => ({ status, count: rows.filter((r) => r.status === status).length }));
}

/** personName names a member by user id; someone no longer a member by their id. */
export function personName(members: readonly Member[] | undefined, user: string): string {
  return members?.find((m) => m.user === user)?.name || user;
}

class OverviewView implements PlanView {
  readonly element: HTMLElement;
  private readonly countsEl: HTMLElement;
  private readonly tableEl: HTMLElement;
  private readonly errorEl: HTMLElement;
  private readonly busy = new Set<string>();

  constructor(private readonly ctx: ViewContext) {
    const headId = uniqueId('overview');
    this.countsEl = h('ul', { class: 'status-counts', 'data-testid': 'status-counts', 'aria-label': t('content.overview.counts') });
    this.errorEl = h('p', { class: 'error', role: 'alert' });
    this.tableEl = h('div', { class: 'table-wrap' });
    this.element = h(
      'section',
      { class: 'content-view overview-view', 'data-testid': 'view-oversikt', 'aria-labelledby': headId },
      h('h2', { id: headId, tabindex: '-1' }, t('views.oversikt')),
      this.countsEl,
      this.errorEl,
      this.tableEl,
    );
  }

  update(plan: Plan): void {
    const rows = overviewRows(plan);
    replace(
      this.countsEl,
      statusCounts(rows).map((c) =>
        h('li', { dataset: { status: c.status } }, h('span', { class: `status status-${c.status}` }, statusText(c.status)), ' ', h('strong', { class: 'count' }, String(c.count))),
      ),
    );
    // Keep the focus on the status field the user was in.
    const active = document.activeElement;
    const focused = active instanceof HTMLSelectElement && this.tableEl.contains(active) ? active.dataset.section : undefined;
    const mayEdit = can(plan, 'edit_structure') || can(plan, 'manage_project');
    replace(
      this.tableEl,
      h(
        'table',
        { class: 'data overview-table' },
        h('caption', null, t('content.overview.caption', { n: rows.length })),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, t('content.overview.section')),
            h('th', { scope: 'col' }, t('content.field.status')),
            h('th', { scope: 'col' }, t('content.overview.responsible')),
            h('th', { scope: 'col' }, t('content.overview.contributors')),
          ),
        ),
        h(
          'tbody',
          null,
          rows.map((r) => this.row(plan, r, mayEdit)),
        ),
      ),
    );
    if (focused) this.tableEl.querySelector<HTMLElement>(`select[data-section="${CSS.escape(focused)}"]`)?.focus();
  }

  private row(plan: Plan, r: OverviewRow, mayEdit: boolean): HTMLElement {
    const link = h('a', { href: planPath(plan.id, r.id), 'data-link': '' }, r.title);
    const title = h('th', { scope: 'row', class: `depth-${Math.min(r.depth, 6)}` }, link);
    title.style.paddingLeft = `${0.5 + r.depth * 1.25}rem`;
    let status: HTMLElement;
    if (mayEdit) {
      const id = uniqueId('overview-status');
      const select = h(
        'select',
        {
          id,
          dataset: { section: r.id },
          'data-testid': 'overview-status',
          disabled: this.busy.has(r.id),
          onchange: () => void this.setStatus(r.id, r.title, select.value as SectionStatus),
        },
        SECTION_STATUSES.map((st) => h('option', { value: st, selected: st === r.status }, statusText(st))),
      );
      status = h('td', null, h('label', { for: id, class: 'visually-hidden' }, t('content.overview.statusOf', { title: r.title })), select);
    } else {
      status = h('td', null, h('span', { class: `status status-${r.status}` }, statusText(r.status)));
    }
    return h(
      'tr',
      { dataset: { section: r.id, status: r.status }, 'data-testid': 'overview-row' },
      title,
      status,
      h('td', null, r.responsible || h('span', { class: 'none' }, t('content.none'))),
      h('td', null, r.contributors.length > 0 ? r.contributors.join(', ') : h('span', { class: 'none' }, t('content.none'))),
    );
  }

  private async setStatus(section: string, title: string, status: SectionStatus): Promise<void> {
    const plan = this.ctx.plan();
    this.errorEl.textContent = '';
    this.busy.add(section);
    try {
      await this.ctx.api.updateSection(plan.id, section, { status, seq: plan.seq });
      this.ctx.announce(t('content.overview.statusSet', { title, status: statusText(status) }));
    } catch (err) {
      this.errorEl.textContent = problemText(err);
      if (err instanceof ApiError && (err.code === 'conflict' || err.code === 'not_found' || err.code === 'forbidden')) await this.ctx.reload();
    } finally {
      this.busy.delete(section);
    }
    // The section's event brings the new status; until then (or on a refusal) show what the plan holds.
    this.update(this.ctx.plan());
  }

  destroy(): void {
    this.element.remove();
  }
}

export const overviewView: ViewFactory = (ctx) => new OverviewView(ctx);
