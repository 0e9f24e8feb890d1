// The plan list: the plans the user is a member of (an administrator: every
// plan of the municipality) with type, phase, the next deadline, the
// user's tasks and roles, and for administrators a form to create a plan
// from the template "Temaplan om bolig". The listing carries no deadlines
// or tasks: each plan is fetched once the list shows (a few at a time) and
// its row filled in (pages/tasks.ts).
import type { Api } from '../api/client';
import type { Me, Plan, PlanSummary, PlanType } from '../api/types';
import { h, replace, uniqueId } from '../dom';
import { t, type MessageKey } from '../i18n';
import { formatDate as formatDay, osloDate } from '../process/schedule';
import { sortRoles } from './phase';
import { municipalityText, phaseText, problemText, roleText, typeText } from './labels';
import { planPath, viewPath, type Page, type Router } from './router';
import { nextDeadline, planTasks, wantsPrivacy, type Deadline, type PlanDetail, type Task } from './tasks';

/** How many plans are fetched at once for their deadlines and tasks. */
const DETAIL_FETCHES = 4;

function formatDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleString(document.documentElement.lang === 'nn' ? 'nn-NO' : 'nb-NO', { dateStyle: 'medium', timeStyle: 'short' });
}

export class PlanListPage implements Page {
  readonly element: HTMLElement;
  private readonly listEl: HTMLElement;
  private alive = true;

  constructor(
    private readonly router: Router,
    private readonly api: Api,
    private readonly me: Me,
  ) {
    this.listEl = h('div', { class: 'plan-list', 'aria-busy': 'true' }, h('p', null, t('plans.loading')));
    this.element = h(
      'div',
      { class: 'page page-plans' },
      h('h1', { tabindex: '-1' }, t('plans.heading')),
      this.listEl,
      me.admin ? this.createForm() : null,
    );
    void this.load();
  }

  destroy(): void {
    this.alive = false;
  }

  private async load(): Promise<void> {
    try {
      const plans = await this.api.listPlans();
      if (!this.alive) return;
      this.renderList(plans);
      void this.loadDetails(plans.filter((p) => !p.archived));
    } catch (err) {
      if (!this.alive) return;
      replace(this.listEl, h('p', { class: 'error', role: 'alert' }, problemText(err)));
    }
    this.listEl.removeAttribute('aria-busy');
  }

  private renderList(plans: PlanSummary[]): void {
    if (plans.length === 0) {
      replace(this.listEl, h('p', null, t('plans.empty')));
      return;
    }
    plans.sort((a, b) => (a.updated < b.updated ? 1 : a.updated > b.updated ? -1 : 0));
    replace(
      this.listEl,
      h(
        'table',
        { class: 'plans' },
        h('caption', { class: 'visually-hidden' }, t('plans.caption')),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, t('plans.col.title')),
            h('th', { scope: 'col' }, t('plans.col.municipality')),
            h('th', { scope: 'col' }, t('plans.col.type')),
            h('th', { scope: 'col' }, t('plans.col.phase')),
            h('th', { scope: 'col' }, t('plans.col.deadline')),
            h('th', { scope: 'col' }, t('plans.col.tasks')),
            h('th', { scope: 'col' }, t('plans.col.roles')),
            h('th', { scope: 'col' }, t('plans.col.updated')),
          ),
        ),
        h(
          'tbody',
          null,
          plans.map((p) =>
            h(
              'tr',
              { dataset: { plan: p.id } },
              h('th', { scope: 'row' }, h('a', { href: `/plans/${encodeURIComponent(p.id)}`, 'data-link': '' }, p.title)),
              h('td', null, municipalityText(p.municipality, this.me)),
              h('td', null, typeText(p.type)),
              h('td', null, h('span', { class: `phase phase-${p.phase}` }, phaseText(p.phase))),
              h('td', { class: 'deadline', 'data-testid': 'plan-deadline', 'aria-busy': p.archived ? undefined : 'true' }, p.archived ? t('plans.deadline.none') : '…'),
              h('td', { class: 'tasks', 'data-testid': 'plan-tasks', 'aria-busy': p.archived ? undefined : 'true' }, p.archived ? t('plans.tasks.none') : '…'),
              h('td', { class: 'roles' }, sortRoles(p.roles ?? []).map(roleText).join(', ')),
              h('td', null, p.updated ? h('time', { datetime: p.updated }, formatDate(p.updated)) : ''),
            ),
          ),
        ),
      ),
    );
  }

  // loadDetails fetches each plan, a few at a time, and fills in its next
  // deadline and the user's tasks; a plan that cannot be fetched says so
  // in its row and the others go on.
  private async loadDetails(plans: PlanSummary[]): Promise<void> {
    const queue = [...plans];
    const today = osloDate(new Date());
    const worker = async () => {
      for (let p = queue.shift(); p && this.alive; p = queue.shift()) {
        const row = this.listEl.querySelector<HTMLElement>(`tr[data-plan="${CSS.escape(p.id)}"]`);
        if (!row) continue;
        try {
          const plan = await this.api.getPlan(p.id);
          let privacy: number | null = null;
          if (wantsPrivacy(plan)) {
            privacy = await this.api
              .request<{ open: number }>('GET', `/api/plans/${encodeURIComponent(p.id)}/privacy`)
              .then((r) => r.open)
              .catch(() => null);
          }
          if (!this.alive) return;
          this.fillRow(row, plan, planTasks(plan as PlanDetail, privacy), nextDeadline(plan as PlanDetail, today));
        } catch {
          if (!this.alive) return;
          for (const cell of row.querySelectorAll<HTMLElement>('td.deadline, td.tasks')) {
            cell.removeAttribute('aria-busy');
            cell.textContent = t('plans.detailFailed');
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(DETAIL_FETCHES, plans.length) }, worker));
  }

  private fillRow(row: HTMLElement, plan: Plan, tasks: Task[], next: Deadline | null): void {
    const deadline = row.querySelector<HTMLElement>('td.deadline');
    const todo = row.querySelector<HTMLElement>('td.tasks');
    if (!deadline || !todo) return;
    deadline.removeAttribute('aria-busy');
    todo.removeAttribute('aria-busy');
    row.dataset.tasks = tasks.map((k) => k.kind).join(' ');
    if (next) {
      deadline.dataset.kind = next.kind;
      deadline.dataset.overdue = String(next.overdue);
      const what = next.kind === 'milestone' ? (next.title ?? '') : t(next.kind === 'hearing' ? 'plans.deadline.hearing' : 'plans.deadline.round');
      replace(
        deadline,
        h('time', { datetime: next.date }, formatDay(next.date)),
        h('span', { class: 'deadline-what' }, ` ${what}`),
        next.overdue ? [' ', h('span', { class: 'badge badge-warning' }, t('process.overdue'))] : null,
      );
    } else {
      replace(deadline, t('plans.deadline.none'));
    }
    if (tasks.length === 0) {
      replace(todo, t('plans.tasks.none'));
      return;
    }
    replace(
      todo,
      h(
        'ul',
        { class: 'task-list' },
        tasks.map((k) => h('li', { dataset: { task: k.kind } }, h('a', { href: taskPath(plan.id, k), 'data-link': '' }, taskText(k)))),
      ),
    );
  }

  private createForm(): HTMLElement {
    const titleId = uniqueId('plan-title');
    const headId = uniqueId('plan-new');
    const title = h('input', { id: titleId, name: 'title', type: 'text', autocomplete: 'off', 'aria-required': 'true', maxlength: '200' });
    const radio = (value: PlanType, checked: boolean) => {
      const id = uniqueId(`type-${value}`);
      return h('span', { class: 'radio' }, h('input', { id, type: 'radio', name: 'type', value, checked }), h('label', { for: id }, typeText(value)));
    };
    const err = h('p', { class: 'error', role: 'alert' });
    const submit = h('button', { type: 'submit', class: 'primary' }, t('plans.create.submit'));
    const form = h(
      'form',
      {
        class: 'create-plan',
        novalidate: true,
        onsubmit: async (e: SubmitEvent) => {
          e.preventDefault();
          const data = new FormData(form);
          const input = {
            title: String(data.get('title') ?? '').trim(),
            type: (data.get('type') === 'kommunedelplan' ? 'kommunedelplan' : 'temaplan') as PlanType,
          };
          if (!input.title) {
            err.textContent = t('plans.create.required');
            title.focus();
            return;
          }
          err.textContent = '';
          submit.disabled = true;
          submit.textContent = t('plans.create.busy');
          try {
            const plan = await this.api.createPlan(input);
            this.router.navigate(`/plans/${encodeURIComponent(plan.id)}`);
          } catch (ex) {
            err.textContent = problemText(ex);
          } finally {
            submit.disabled = false;
            submit.textContent = t('plans.create.submit');
          }
        },
      },
      h('p', { class: 'field' }, h('label', { for: titleId }, t('plans.create.title')), title),
      h('fieldset', null, h('legend', null, t('plans.create.type')), radio('temaplan', true), radio('kommunedelplan', false)),
      err,
      h('p', { class: 'buttons' }, submit),
    );
    return h('section', { class: 'card', 'aria-labelledby': headId }, h('h2', { id: headId }, t('plans.create.heading')), h('p', null, t('plans.create.intro')), form);
  }
}

// taskText is a task in words.
function taskText(k: Task): string {
  const key = `plans.tasks.${k.kind}` as MessageKey;
  if (k.kind === 'round') return t(key, { date: formatDay(k.deadline) });
  return 'n' in k ? t(key, { n: k.n }) : t(key);
}

// taskPath is where a task is done: the view of its part, or the plan page
// (its banner lists the required changes and the approvals; «Til meg» the rounds).
function taskPath(plan: string, k: Task): string {
  switch (k.kind) {
    case 'privacy':
      return viewPath(plan, 'personvern');
    case 'signoff':
    case 'signoff_lapsed':
      return viewPath(plan, 'okonomi');
    default:
      return planPath(plan);
  }
}
