// Brukere: the municipality's people — invite one, see everyone's roles in
// the plans and change them, make or unmake administrators, disable and
// enable accounts (a disabled person is logged out at once).
import type { Me } from '../api/types';
import { confirmDialog } from '../dialog';
import { h, replace, uniqueId } from '../dom';
import { t } from '../i18n';
import { problemText, roleText } from '../pages/labels';
import { sortRoles } from '../pages/phase';
import type { Account, AdminApi, PlanOverview } from './api';
import { rolesDialog } from './dialogs';
import { nextRoles, rolesByUser, type PlanRoles } from './logic';

/**
 * whose names, for screen readers only, what a button in a table row acts
 * on: "Deaktiver (Nina Ny)". The visible text stays first in the
 * accessible name (WCAG 2.5.3).
 */
export function whose(name: string): HTMLElement {
  return h('span', { class: 'visually-hidden' }, ` (${name})`);
}

export class UsersPanel {
  readonly element: HTMLElement;
  private readonly listEl: HTMLElement;
  private users: Account[] = [];
  private plans: PlanOverview[] = [];
  private alive = true;

  constructor(
    private readonly admin: AdminApi,
    private readonly me: Me,
    private readonly announce: (text: string) => void,
  ) {
    const headId = uniqueId('users-h');
    this.listEl = h('div', { 'aria-busy': 'true' }, h('p', null, t('admin.loading')));
    this.element = h(
      'section',
      { class: 'admin-panel', 'aria-labelledby': headId },
      h('h2', { id: headId }, t('admin.tab.users')),
      this.inviteForm(),
      this.listEl,
    );
    void this.load();
  }

  destroy(): void {
    this.alive = false;
  }

  private async load(): Promise<void> {
    try {
      const [users, overview] = await Promise.all([this.admin.users(), this.admin.overview()]);
      if (!this.alive) return;
      this.users = users;
      this.plans = overview.items;
      this.render();
    } catch (err) {
      if (!this.alive) return;
      replace(this.listEl, h('p', { class: 'error', role: 'alert' }, problemText(err)));
    }
    this.listEl.removeAttribute('aria-busy');
  }

  private render(): void {
    const roles = rolesByUser(this.plans);
    const users = [...this.users].sort((a, b) => a.name.localeCompare(b.name, 'nb'));
    replace(
      this.listEl,
      h(
        'table',
        { class: 'admin-table users', 'data-testid': 'users-table' },
        h('caption', null, t('admin.users.caption', { municipality: this.me.municipality.name })),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, t('admin.users.col.name')),
            h('th', { scope: 'col' }, t('admin.users.col.email')),
            h('th', { scope: 'col' }, t('admin.users.col.roles')),
            h('th', { scope: 'col' }, t('admin.users.col.admin')),
            h('th', { scope: 'col' }, t('admin.users.col.status')),
            h('th', { scope: 'col' }, t('admin.users.col.actions')),
          ),
        ),
        h(
          'tbody',
          null,
          users.map((u) => this.row(u, roles.get(u.id) ?? [])),
        ),
      ),
    );
  }

  private row(u: Account, plans: PlanRoles[]): HTMLElement {
    const self = u.id === this.me.id;
    return h(
      'tr',
      { dataset: { user: u.id, email: u.email, disabled: String(u.disabled) } },
      h('th', { scope: 'row' }, u.name, self ? ` ${t('admin.users.you')}` : ''),
      h('td', null, u.email),
      h(
        'td',
        { class: 'plan-roles' },
        plans.length === 0
          ? t('admin.users.noRoles')
          : h(
              'ul',
              null,
              plans.map((p) =>
                h(
                  'li',
                  null,
                  h('span', { class: 'plan-name' }, p.title),
                  p.archived ? ` (${t('admin.plans.archivedStatus').toLowerCase()})` : '',
                  ': ',
                  sortRoles(p.roles).map(roleText).join(', '),
                ),
              ),
            ),
      ),
      h('td', null, u.admin ? t('admin.users.yes') : t('admin.users.no')),
      h('td', null, h('span', { class: u.disabled ? 'state state-off' : 'state state-on' }, u.disabled ? t('admin.users.disabled') : t('admin.users.active'))),
      h(
        'td',
        { class: 'actions' },
        h('button', { type: 'button', 'data-testid': 'edit-roles', onclick: () => void this.editRoles(u, plans) }, t('admin.users.editRoles'), whose(u.name)),
        self
          ? null
          : h(
              'button',
              { type: 'button', 'data-testid': 'toggle-admin', onclick: () => void this.toggleAdmin(u) },
              t(u.admin ? 'admin.users.dropAdmin' : 'admin.users.makeAdmin'),
              whose(u.name),
            ),
        self
          ? null
          : h(
              'button',
              {
                type: 'button',
                class: u.disabled ? '' : 'danger',
                'data-testid': u.disabled ? 'enable-user' : 'disable-user',
                onclick: () => void this.toggleDisabled(u),
              },
              t(u.disabled ? 'admin.users.enable' : 'admin.users.disable'),
              whose(u.name),
            ),
      ),
    );
  }

  private async toggleDisabled(u: Account): Promise<void> {
    if (!u.disabled) {
      const ok = await confirmDialog({
        heading: t('admin.users.disableHeading', { name: u.name }),
        text: t('admin.users.disableText', { name: u.name }),
        confirm: t('admin.users.disableConfirm'),
        testid: 'confirm-disable',
      });
      if (!ok) return;
    }
    await this.change(u, { disabled: !u.disabled }, t(u.disabled ? 'admin.users.enabledDone' : 'admin.users.disabledDone', { name: u.name }));
  }

  private async toggleAdmin(u: Account): Promise<void> {
    const ok = await confirmDialog({
      heading: t(u.admin ? 'admin.users.dropAdminHeading' : 'admin.users.adminHeading', { name: u.name }),
      text: t(u.admin ? 'admin.users.dropAdminText' : 'admin.users.adminText', { name: u.name }),
      confirm: t('admin.users.confirm'),
      testid: 'confirm-admin',
    });
    if (!ok) return;
    await this.change(u, { admin: !u.admin }, t(u.admin ? 'admin.users.adminDropped' : 'admin.users.adminDone', { name: u.name }));
  }

  private async change(u: Account, patch: { disabled?: boolean; admin?: boolean }, done: string): Promise<void> {
    try {
      const next = await this.admin.updateUser(u.id, patch);
      if (!this.alive) return;
      this.users = this.users.map((x) => (x.id === next.id ? next : x));
      this.render();
      this.announce(done);
    } catch (err) {
      this.announce(problemText(err));
    }
  }

  private async editRoles(u: Account, mine: PlanRoles[]): Promise<void> {
    const open = this.plans.filter((p) => !p.archived);
    if (open.length === 0) {
      this.announce(t('admin.roles.noPlans'));
      return;
    }
    const plans: PlanRoles[] = open.map((p) => mine.find((m) => m.plan === p.id) ?? { plan: p.id, title: p.title, archived: false, roles: [] });
    const saved: PlanRoles[] = [];
    await rolesDialog({
      name: u.name,
      plans,
      problem: problemText,
      save: async (plan, ticked) => {
        const roles = nextRoles(plan.roles, ticked);
        if (roles.join() !== plan.roles.join()) await this.admin.setRoles(plan.plan, u.id, roles);
        saved.push(plan);
      },
    });
    const plan = saved[0];
    if (!plan || !this.alive) return;
    this.announce(t('admin.roles.done', { name: u.name, plan: plan.title }));
    await this.load();
  }

  private inviteForm(): HTMLElement {
    const headId = uniqueId('invite-h');
    const nameId = uniqueId('invite-name');
    const emailId = uniqueId('invite-email');
    const pwId = uniqueId('invite-pw');
    const pwHint = uniqueId('invite-pw-hint');
    const adminId = uniqueId('invite-admin');
    const name = h('input', { id: nameId, name: 'name', type: 'text', autocomplete: 'off', 'aria-required': 'true', maxlength: '100', 'data-testid': 'invite-name' });
    const email = h('input', { id: emailId, name: 'email', type: 'email', autocomplete: 'off', 'aria-required': 'true', maxlength: '254', 'data-testid': 'invite-email' });
    const password = h('input', { id: pwId, name: 'password', type: 'password', autocomplete: 'new-password', minlength: '12', 'aria-describedby': pwHint, 'data-testid': 'invite-password' });
    const admin = h('input', { id: adminId, name: 'admin', type: 'checkbox', 'data-testid': 'invite-admin' });
    const err = h('p', { class: 'error', role: 'alert', 'data-testid': 'invite-error' });
    const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'invite-submit' }, t('admin.invite.submit'));
    const form = h(
      'form',
      {
        class: 'invite',
        novalidate: true,
        onsubmit: async (e: SubmitEvent) => {
          e.preventDefault();
          const input = { name: name.value.trim(), email: email.value.trim(), admin: admin.checked, password: password.value };
          name.removeAttribute('aria-invalid');
          email.removeAttribute('aria-invalid');
          if (!input.name || !input.email) {
            err.textContent = t('admin.invite.required');
            const first = input.name ? email : name;
            first.setAttribute('aria-invalid', 'true');
            first.focus();
            return;
          }
          err.textContent = '';
          submit.disabled = true;
          submit.textContent = t('admin.invite.busy');
          try {
            const acct = await this.admin.invite({ name: input.name, email: input.email, admin: input.admin, ...(input.password ? { password: input.password } : {}) });
            form.reset();
            this.announce(t('admin.invite.done', { name: acct.name }));
            await this.load();
          } catch (ex) {
            err.textContent = problemText(ex);
          } finally {
            submit.disabled = false;
            submit.textContent = t('admin.invite.submit');
          }
        },
      },
      h('p', { class: 'field' }, h('label', { for: nameId }, t('admin.invite.name')), name),
      h('p', { class: 'field' }, h('label', { for: emailId }, t('admin.invite.email')), email),
      h('p', { class: 'field' }, h('label', { for: pwId }, t('admin.invite.password')), password, h('span', { id: pwHint, class: 'hint' }, t('admin.invite.passwordHint'))),
      h('p', null, h('span', { class: 'radio' }, admin, h('label', { for: adminId }, t('admin.invite.admin')))),
      err,
      h('p', { class: 'buttons' }, submit),
    );
    return h('section', { class: 'card', 'aria-labelledby': headId }, h('h3', { id: headId }, t('admin.invite.heading')), h('p', null, t('admin.invite.intro')), form);
  }
}
