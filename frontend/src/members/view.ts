// The plan page's Medlemmer and Logg views. Medlemmer lists who is in the
// plan with their roles; the leader (and the administrator: manage_project)
// changes a member's roles, removes a member (after a confirmation) and
// adds a person of the municipality by e-mail (POST …/invitations). Logg
// is the plan's audit log (GET …/audit, the steering group and the
// administrator): who did what and when, from what to what, newest first.
// Both follow every plan event: the page gives them the plan again.
import { ApiError } from '../api/client';
import type { Member, Plan } from '../api/types';
import { confirmDialog } from '../dialog';
import { h, replace, uniqueId } from '../dom';
import { lang, t } from '../i18n';
import { problemText, roleText } from '../pages/labels';
import { can } from '../pages/phase';
import type { PlanView, ViewContext, ViewFactory } from '../pages/views';
import { auditAction, auditChange, auditDetail, checkEmail, GRANTABLE, rolesText, sortMembers, type AuditLine } from './logic';

const enc = encodeURIComponent;

class MembersView implements PlanView {
  readonly element: HTMLElement;
  private readonly tableEl: HTMLElement;
  private readonly formEl: HTMLElement;
  private readonly errorEl: HTMLElement;
  /** The member whose roles are being changed. */
  private editing: string | null = null;
  private busy = false;

  constructor(private readonly ctx: ViewContext) {
    const headId = uniqueId('members');
    this.errorEl = h('p', { class: 'error', role: 'alert' });
    this.tableEl = h('div', { class: 'table-wrap' });
    this.formEl = h('div', { class: 'members-add' });
    this.element = h(
      'section',
      { class: 'content-view members-view', 'data-testid': 'view-medlemmer', 'aria-labelledby': headId },
      h('h2', { id: headId, tabindex: '-1' }, t('views.medlemmer')),
      this.errorEl,
      this.tableEl,
      this.formEl,
    );
  }

  update(plan: Plan): void {
    const manage = can(plan, 'manage_project');
    const active = document.activeElement as HTMLElement | null;
    const focusKey = active && this.element.contains(active) ? active.dataset.key : undefined;
    const members = sortMembers(plan.members ?? []);
    replace(
      this.tableEl,
      h(
        'table',
        { class: 'data members-table', 'data-testid': 'members-table' },
        h('caption', null, t('members.caption', { n: members.length })),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, t('members.name')),
            h('th', { scope: 'col' }, t('members.email')),
            h('th', { scope: 'col' }, t('members.roles')),
            manage ? h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('members.actions'))) : null,
          ),
        ),
        h(
          'tbody',
          null,
          members.map((m) => this.row(m, manage)),
        ),
      ),
    );
    if (manage && this.formEl.childElementCount === 0) this.renderAddForm();
    if (!manage) replace(this.formEl);
    if (focusKey) this.element.querySelector<HTMLElement>(`[data-key="${CSS.escape(focusKey)}"]`)?.focus();
  }

  private row(m: Member, manage: boolean): HTMLElement {
    const lead = m.roles.includes('leader');
    const roles = this.editing === m.user && manage && !lead ? this.rolesForm(m) : rolesText(m.roles);
    return h(
      'tr',
      { dataset: { user: m.user }, 'data-testid': 'member-row' },
      h('th', { scope: 'row' }, m.name),
      h('td', null, m.email),
      h('td', { 'data-testid': 'member-roles' }, roles),
      manage
        ? h(
            'td',
            { class: 'buttons' },
            lead || this.editing === m.user
              ? null
              : h(
                  'button',
                  { type: 'button', 'data-key': `edit:${m.user}`, 'data-testid': 'member-edit', disabled: this.busy, onclick: () => this.edit(m.user) },
                  t('members.edit'),
                  h('span', { class: 'visually-hidden' }, ` ${m.name}`),
                ),
            lead
              ? h('span', { class: 'hint' }, t('members.leaderHint'))
              : h(
                  'button',
                  { type: 'button', class: 'danger', 'data-key': `remove:${m.user}`, 'data-testid': 'member-remove', disabled: this.busy, onclick: () => void this.remove(m) },
                  t('members.remove'),
                  h('span', { class: 'visually-hidden' }, ` ${m.name}`),
                ),
          )
        : null,
    );
  }

  // rolesForm is a member's roles as checkboxes, with Lagre and Avbryt.
  private rolesForm(m: Member): HTMLElement {
    const legendId = uniqueId('roles');
    const boxes = GRANTABLE.map((r) => {
      const id = uniqueId('role');
      const box = h('input', { type: 'checkbox', id, value: r, checked: m.roles.includes(r), 'data-testid': `member-role-${r}` });
      return { box, el: h('span', { class: 'check' }, box, h('label', { for: id }, roleText(r))) };
    });
    const err = h('p', { class: 'field-error', role: 'alert' });
    const form = h(
      'form',
      {
        class: 'member-roles-form',
        'data-testid': 'member-roles-form',
        onsubmit: (e: SubmitEvent) => {
          e.preventDefault();
          const roles = boxes.filter((b) => b.box.checked).map((b) => b.box.value);
          if (roles.length === 0) {
            err.textContent = t('members.rolesRequired');
            boxes[0]?.box.focus();
            return;
          }
          void this.saveRoles(m, roles, err);
        },
        onkeydown: (e: KeyboardEvent) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            this.cancelEdit(m.user);
          }
        },
      },
      h('fieldset', null, h('legend', { id: legendId, class: 'visually-hidden' }, t('members.rolesOf', { name: m.name })), boxes.map((b) => b.el)),
      err,
      h(
        'p',
        { class: 'buttons' },
        h('button', { type: 'submit', class: 'primary', 'data-testid': 'member-save' }, t('members.save')),
        h('button', { type: 'button', onclick: () => this.cancelEdit(m.user) }, t('members.cancel')),
      ),
    );
    return form;
  }

  private edit(user: string): void {
    this.editing = user;
    this.update(this.ctx.plan());
    this.tableEl.querySelector<HTMLInputElement>(`tr[data-user="${CSS.escape(user)}"] input`)?.focus();
  }

  private cancelEdit(user: string): void {
    this.editing = null;
    this.update(this.ctx.plan());
    this.tableEl.querySelector<HTMLElement>(`[data-key="edit:${CSS.escape(user)}"]`)?.focus();
  }

  private async saveRoles(m: Member, roles: string[], err: HTMLElement): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await this.ctx.api.request('PUT', `/api/plans/${enc(this.ctx.planId)}/members/${enc(m.user)}`, { roles });
      this.busy = false;
      this.editing = null;
      this.ctx.announce(t('members.saved', { name: m.name, roles: rolesText(roles) }));
      await this.ctx.reload();
      this.tableEl.querySelector<HTMLElement>(`[data-key="edit:${CSS.escape(m.user)}"]`)?.focus();
    } catch (e) {
      this.busy = false;
      err.textContent = problemText(e);
    }
  }

  private async remove(m: Member): Promise<void> {
    const ok = await confirmDialog({
      heading: t('members.removeHeading', { name: m.name }),
      text: t('members.removeText'),
      confirm: t('members.remove'),
      testid: 'remove-member-dialog',
    });
    if (!ok || this.busy) return;
    this.busy = true;
    this.errorEl.textContent = '';
    try {
      await this.ctx.api.request('DELETE', `/api/plans/${enc(this.ctx.planId)}/members/${enc(m.user)}`);
      this.ctx.announce(t('members.removed', { name: m.name }));
    } catch (e) {
      this.errorEl.textContent = problemText(e);
    } finally {
      this.busy = false;
    }
    await this.ctx.reload();
    (this.element.querySelector('h2') as HTMLElement | null)?.focus();
  }

  // renderAddForm is the form that adds a person of the municipality by e-mail.
  private renderAddForm(): void {
    const headId = uniqueId('add');
    const emailId = uniqueId('add-email');
    const errId = uniqueId('add-err');
    const email = h('input', { id: emailId, type: 'email', autocomplete: 'off', 'aria-describedby': errId, 'aria-required': 'true', 'data-testid': 'member-add-email' });
    const boxes = GRANTABLE.map((r) => {
      const id = uniqueId('add-role');
      const box = h('input', { type: 'checkbox', id, value: r, checked: r === 'member', 'data-testid': `member-add-role-${r}` });
      return { box, el: h('span', { class: 'check' }, box, h('label', { for: id }, roleText(r))) };
    });
    const err = h('p', { id: errId, class: 'field-error', role: 'alert' });
    const form = h(
      'form',
      {
        'aria-labelledby': headId,
        'data-testid': 'member-add-form',
        // Our own messages, in the page's language and read out, not the browser's bubble.
        novalidate: true,
        onsubmit: (e: SubmitEvent) => {
          e.preventDefault();
          void this.add(email, boxes.filter((b) => b.box.checked).map((b) => b.box.value), err);
        },
      },
      h('h3', { id: headId }, t('members.add')),
      h('p', { class: 'hint' }, t('members.addHint')),
      h('p', { class: 'field' }, h('label', { for: emailId }, t('members.email')), email),
      h('fieldset', null, h('legend', null, t('members.roles')), boxes.map((b) => b.el)),
      err,
      h('p', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary', 'data-testid': 'member-add-submit' }, t('members.addSubmit'))),
    );
    replace(this.formEl, form);
  }

  private async add(email: HTMLInputElement, roles: string[], err: HTMLElement): Promise<void> {
    const wrong = checkEmail(email.value);
    if (wrong) {
      err.textContent = t(wrong);
      email.setAttribute('aria-invalid', 'true');
      email.focus();
      return;
    }
    if (roles.length === 0) {
      err.textContent = t('members.rolesRequired');
      return;
    }
    if (this.busy) return;
    this.busy = true;
    err.textContent = '';
    email.removeAttribute('aria-invalid');
    let added = false;
    try {
      await this.ctx.api.request('POST', `/api/plans/${enc(this.ctx.planId)}/invitations`, { email: email.value.trim(), roles });
      this.ctx.announce(t('members.added', { email: email.value.trim() }));
      email.value = '';
      added = true;
    } catch (e) {
      err.textContent = e instanceof ApiError && e.code === 'not_found' ? t('members.unknownEmail') : problemText(e);
      email.focus();
    } finally {
      this.busy = false;
    }
    // Reloaded once no longer busy: the table drawn by the reload is the
    // one that stays when no event of the plan follows, and a table drawn
    // while busy has every button disabled.
    if (added) await this.ctx.reload();
  }

  destroy(): void {
    this.element.remove();
  }
}

class AuditView implements PlanView {
  readonly element: HTMLElement;
  private readonly bodyEl: HTMLElement;
  private readonly errorEl: HTMLElement;
  private seq = -1;
  private alive = true;

  constructor(private readonly ctx: ViewContext) {
    const headId = uniqueId('audit');
    this.errorEl = h('p', { class: 'error', role: 'alert' });
    this.bodyEl = h('div', { class: 'table-wrap', 'aria-busy': 'true' }, h('p', null, t('app.loading')));
    this.element = h(
      'section',
      { class: 'content-view audit-view', 'data-testid': 'view-logg', 'aria-labelledby': headId },
      h('h2', { id: headId, tabindex: '-1' }, t('views.logg')),
      h('p', { class: 'hint' }, t('audit.intro')),
      this.errorEl,
      this.bodyEl,
    );
  }

  update(plan: Plan): void {
    if (plan.seq === this.seq) return;
    this.seq = plan.seq;
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const r = await this.ctx.api.request<{ items: AuditLine[] | null }>('GET', `/api/plans/${enc(this.ctx.planId)}/audit`);
      if (!this.alive) return;
      this.errorEl.textContent = '';
      this.render(r.items ?? []);
    } catch (e) {
      if (!this.alive) return;
      this.errorEl.textContent = e instanceof ApiError && e.code === 'forbidden' ? t('audit.forbidden') : problemText(e);
      replace(this.bodyEl);
    }
    this.bodyEl.removeAttribute('aria-busy');
  }

  private render(lines: AuditLine[]): void {
    const fmt = new Intl.DateTimeFormat(lang() === 'nn' ? 'nn-NO' : 'nb-NO', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Oslo' });
    replace(
      this.bodyEl,
      h(
        'table',
        { class: 'data audit-table', 'data-testid': 'audit-table' },
        h('caption', null, t('audit.caption', { n: lines.length })),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, t('audit.when')),
            h('th', { scope: 'col' }, t('audit.who')),
            h('th', { scope: 'col' }, t('audit.what')),
            h('th', { scope: 'col' }, t('audit.change')),
            h('th', { scope: 'col' }, t('audit.detail')),
          ),
        ),
        h(
          'tbody',
          null,
          lines.map((l) =>
            h(
              'tr',
              { 'data-testid': 'audit-line', dataset: { action: l.action } },
              h('td', { class: 'nowrap' }, h('time', { datetime: l.at }, fmt.format(new Date(l.at)))),
              h('td', null, l.name || t('review.unknown')),
              h('th', { scope: 'row' }, auditAction(l.action)),
              h('td', null, auditChange(l)),
              h('td', null, auditDetail(l)),
            ),
          ),
        ),
      ),
    );
  }

  destroy(): void {
    this.alive = false;
    this.element.remove();
  }
}

export const membersView: ViewFactory = (ctx) => new MembersView(ctx);
export const auditView: ViewFactory = (ctx) => new AuditView(ctx);
