// Planer: every plan of the municipality in one table — phase, leader,
// next milestone, review-round deadline and overdue milestones — with
// archiving, restoring and the transfer of leadership, and a form to
// create a plan with its leader.
import type { Api } from '../api/client';
import type { Me, PlanType } from '../api/types';
import { confirmDialog } from '../dialog';
import { h, replace, uniqueId } from '../dom';
import { lang, t } from '../i18n';
import { phaseText, problemText, typeText } from '../pages/labels';
import type { Account, AdminApi, Overview, PlanOverview } from './api';
import { chooseDialog } from './dialogs';
import { whose } from './users';
import { transferCandidates, whenIs } from './logic';

/** formatDay shows a date (YYYY-MM-DD) the Norwegian way: 15. mars 2027. */
export function formatDay(date: string): string {
  const d = new Date(`${date}T12:00:00Z`);
  if (Number.isNaN(d.getTime())) return date;
  return d.toLocaleDateString(lang() === 'nn' ? 'nn-NO' : 'nb-NO', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

export class PlansPanel {
  readonly element: HTMLElement;
  private readonly listEl: HTMLElement;
  private readonly leaderSelect: HTMLSelectElement;
  private overview: Overview = { today: '', items: [] };
  private alive = true;

  constructor(
    private readonly api: Api,
    private readonly admin: AdminApi,
    private readonly me: Me,
    private readonly announce: (text: string) => void,
  ) {
    const headId = uniqueId('plans-h');
    this.listEl = h('div', { 'aria-busy': 'true' }, h('p', null, t('admin.loading')));
    this.leaderSelect = h('select', { name: 'leader', 'data-testid': 'new-plan-leader' });
    this.element = h(
      'section',
      { class: 'admin-panel', 'aria-labelledby': headId },
      h('h2', { id: headId }, t('admin.tab.plans')),
      this.listEl,
      this.createForm(),
    );
    void this.load();
  }

  destroy(): void {
    this.alive = false;
  }

  private async load(): Promise<void> {
    try {
      const [overview, users] = await Promise.all([this.admin.overview(), this.admin.users()]);
      if (!this.alive) return;
      this.overview = overview;
      this.fillLeaders(users);
      this.render();
    } catch (err) {
      if (!this.alive) return;
      replace(this.listEl, h('p', { class: 'error', role: 'alert' }, problemText(err)));
    }
    this.listEl.removeAttribute('aria-busy');
  }

  private fillLeaders(users: Account[]): void {
    const active = users.filter((u) => !u.disabled).sort((a, b) => a.name.localeCompare(b.name, 'nb'));
    replace(this.leaderSelect, h('option', { value: '' }, t('admin.plans.leaderLater')), active.map((u) => h('option', { value: u.id }, u.name)));
  }

  private render(): void {
    const { today, items } = this.overview;
    if (items.length === 0) {
      replace(this.listEl, h('p', null, t('admin.plans.empty')));
      return;
    }
    replace(
      this.listEl,
      h(
        'table',
        { class: 'admin-table plans-overview', 'data-testid': 'plans-overview' },
        h('caption', null, t('admin.plans.caption', { municipality: this.me.municipality.name, date: formatDay(today) })),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, t('admin.plans.col.title')),
            h('th', { scope: 'col' }, t('admin.plans.col.phase')),
            h('th', { scope: 'col' }, t('admin.plans.col.leader')),
            h('th', { scope: 'col' }, t('admin.plans.col.milestone')),
            h('th', { scope: 'col' }, t('admin.plans.col.round')),
            h('th', { scope: 'col' }, t('admin.plans.col.overdue')),
            h('th', { scope: 'col' }, t('admin.plans.col.status')),
            h('th', { scope: 'col' }, t('admin.plans.col.actions')),
          ),
        ),
        h(
          'tbody',
          null,
          items.map((p) => this.row(p, today)),
        ),
      ),
    );
  }

  private row(p: PlanOverview, today: string): HTMLElement {
    const deadline = (date: string, what?: string) => {
      const when = whenIs(date, today);
      return h(
        'span',
        { class: `deadline when-${when}` },
        what ? `${what}, ` : '',
        h('time', { datetime: date }, formatDay(date)),
        when === 'passed' ? ` (${t('admin.plans.passed')})` : when === 'today' ? ` (${t('admin.plans.today')})` : '',
      );
    };
    return h(
      'tr',
      { dataset: { plan: p.id, archived: String(p.archived) } },
      h('th', { scope: 'row' }, h('a', { href: `/plans/${encodeURIComponent(p.id)}`, 'data-link': '' }, p.title), h('span', { class: 'plan-type' }, typeText(p.type))),
      h('td', null, h('span', { class: `phase phase-${p.phase}` }, phaseText(p.phase))),
      h('td', null, p.leader ? p.leader.name || p.leader.id : h('span', { class: 'missing' }, t('admin.plans.noLeader'))),
      h('td', null, p.next_milestone ? deadline(p.next_milestone.date, p.next_milestone.title) : t('admin.plans.none')),
      h(
        'td',
        null,
        p.round_deadline ? deadline(p.round_deadline) : t('admin.plans.none'),
        p.open_rounds > 1 ? ` – ${t('admin.plans.openRounds', { count: p.open_rounds })}` : '',
      ),
      h(
        'td',
        { class: 'num' },
        p.overdue_milestones > 0 ? h('strong', { class: 'overdue' }, t('admin.plans.overdue', { count: p.overdue_milestones })) : '0',
      ),
      h('td', null, h('span', { class: p.archived ? 'state state-off' : 'state state-on' }, p.archived ? t('admin.plans.archivedStatus') : t('admin.plans.active'))),
      h(
        'td',
        { class: 'actions' },
        p.archived
          ? null
          : h('button', { type: 'button', 'data-testid': 'transfer-leader', onclick: () => void this.transfer(p) }, t('admin.plans.transfer'), whose(p.title)),
        h(
          'button',
          {
            type: 'button',
            class: p.archived ? '' : 'danger',
            'data-testid': p.archived ? 'restore-plan' : 'archive-plan',
            onclick: () => void this.toggleArchived(p),
          },
          t(p.archived ? 'admin.plans.restore' : 'admin.plans.archive'),
          whose(p.title),
        ),
      ),
    );
  }

  private async toggleArchived(p: PlanOverview): Promise<void> {
    if (!p.archived) {
      const ok = await confirmDialog({
        heading: t('admin.plans.archiveHeading', { title: p.title }),
        text: t('admin.plans.archiveText'),
        confirm: t('admin.plans.archiveConfirm'),
        testid: 'confirm-archive',
      });
      if (!ok) return;
    }
    try {
      if (p.archived) await this.admin.restore(p.id);
      else await this.admin.archive(p.id);
      this.announce(t(p.archived ? 'admin.plans.restored' : 'admin.plans.archived', { title: p.title }));
      await this.load();
    } catch (err) {
      this.announce(problemText(err));
    }
  }

  private async transfer(p: PlanOverview): Promise<void> {
    const candidates = transferCandidates(p);
    const user = await chooseDialog({
      heading: t('admin.plans.transferHeading', { title: p.title }),
      label: t('admin.plans.transferTo'),
      options: candidates.map((c) => ({ value: c.user, label: c.name })),
      submit: t('admin.plans.transferNext'),
      empty: t('admin.plans.transferNone'),
      testid: 'transfer-dialog',
    });
    if (!user) return;
    const name = candidates.find((c) => c.user === user)?.name ?? user;
    const ok = await confirmDialog({
      heading: t('admin.plans.transferConfirmHeading', { name }),
      text: p.leader
        ? t('admin.plans.transferConfirmText', { name, title: p.title, old: p.leader.name || p.leader.id })
        : t('admin.plans.transferConfirmTextNew', { name, title: p.title }),
      confirm: t('admin.plans.transferConfirm'),
      testid: 'confirm-transfer',
    });
    if (!ok) return;
    try {
      await this.admin.transferLeadership(p.id, user);
      this.announce(t('admin.plans.transferred', { name, title: p.title }));
      await this.load();
    } catch (err) {
      this.announce(problemText(err));
    }
  }

  private createForm(): HTMLElement {
    const headId = uniqueId('new-plan-h');
    const titleId = uniqueId('new-plan-title');
    const leaderId = uniqueId('new-plan-leader');
    this.leaderSelect.id = leaderId;
    const title = h('input', { id: titleId, name: 'title', type: 'text', autocomplete: 'off', 'aria-required': 'true', maxlength: '200', 'data-testid': 'new-plan-title' });
    const radio = (value: PlanType, checked: boolean) => {
      const id = uniqueId(`new-plan-${value}`);
      return h('span', { class: 'radio' }, h('input', { id, type: 'radio', name: 'type', value, checked }), h('label', { for: id }, typeText(value)));
    };
    const err = h('p', { class: 'error', role: 'alert' });
    const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'new-plan-submit' }, t('plans.create.submit'));
    const form = h(
      'form',
      {
        novalidate: true,
        onsubmit: async (e: SubmitEvent) => {
          e.preventDefault();
          const data = new FormData(form);
          const input = {
            title: String(data.get('title') ?? '').trim(),
            type: (data.get('type') === 'kommunedelplan' ? 'kommunedelplan' : 'temaplan') as PlanType,
            leader: this.leaderSelect.value,
          };
          title.removeAttribute('aria-invalid');
          if (!input.title) {
            err.textContent = t('plans.create.required');
            title.setAttribute('aria-invalid', 'true');
            title.focus();
            return;
          }
          err.textContent = '';
          submit.disabled = true;
          try {
            await this.api.request('POST', '/api/plans', input.leader ? input : { title: input.title, type: input.type });
            form.reset();
            this.announce(t('admin.plans.created', { title: input.title }));
            await this.load();
          } catch (ex) {
            err.textContent = problemText(ex);
          } finally {
            submit.disabled = false;
          }
        },
      },
      h('p', { class: 'field' }, h('label', { for: titleId }, t('plans.create.title')), title),
      h('fieldset', null, h('legend', null, t('plans.create.type')), radio('temaplan', true), radio('kommunedelplan', false)),
      h('p', { class: 'field' }, h('label', { for: leaderId }, t('admin.plans.leader')), this.leaderSelect),
      err,
      h('p', { class: 'buttons' }, submit),
    );
    return h('section', { class: 'card', 'aria-labelledby': headId }, h('h3', { id: headId }, t('plans.create.heading')), h('p', null, t('plans.create.intro')), form);
  }
}
