// The Fremdrift view: the plan's milestones (fremdriftsplan) by date, the
// overdue ones marked "Forsinket", and the internal review rounds (intern
// gjennomlesning). The project leader (manage_project) adds, edits and
// deletes milestones and sends rounds to chosen members with a deadline,
// and sees who has answered; a recipient sees their open rounds first and
// marks them done.
import type { Member, Milestone, MilestoneStatus, Plan, ReviewRound } from '../api/types';
import { ROLES } from '../api/types';
import { confirmDialog } from '../dialog';
import { h, replace, uniqueId } from '../dom';
import { t, type MessageKey } from '../i18n';
import { roleText } from '../pages/labels';
import { walk } from '../pages/outline';
import { can } from '../pages/phase';
import type { PlanView, ViewContext } from '../pages/views';
import { addMilestone, answerRound, deleteMilestone, sendRound, updateMilestone, type MilestoneFields } from './api';
import { changePlan, newer } from './planchange';
import { memberName, roundCard, roundScope } from './roundcard';
import { byDate, formatDate, isDate, isOverdue, openRoundsFor, osloDate, roundProgress } from './schedule';

const MILESTONE_STATUSES: MilestoneStatus[] = ['planned', 'in_progress', 'done'];

/** responsibleText names who is responsible for a milestone: a member by name, or a role. */
export function responsibleText(plan: Plan, responsible: string): string {
  if (!responsible) return t('process.milestones.nobody');
  const m = plan.members?.find((x) => x.user === responsible);
  if (m) return m.name;
  if ((ROLES as string[]).includes(responsible)) return roleText(responsible);
  return responsible;
}

function statusLabel(s: MilestoneStatus): string {
  return t(`process.milestones.status.${s}` as MessageKey);
}

/** timeDate is the Oslo date of a server time, written the Norwegian way. */
function timeDate(at: string): string {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? at : formatDate(osloDate(d));
}

export class FremdriftView implements PlanView {
  readonly element: HTMLElement;
  private plan: Plan;
  private today: string;
  private readonly errorEl: HTMLElement;
  private readonly mineEl: HTMLElement;
  private readonly milestoneActions: HTMLElement;
  private readonly milestoneForm: HTMLElement;
  private readonly milestonesEl: HTMLElement;
  private readonly roundActions: HTMLElement;
  private readonly roundForm: HTMLElement;
  private readonly roundsEl: HTMLElement;
  /** The milestone being edited ('new' for a new one), or null. */
  private editing: string | null = null;
  private composing = false;
  private readonly busy = new Set<string>();
  private readonly clock: ReturnType<typeof setInterval>;

  constructor(
    private readonly ctx: ViewContext,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.plan = ctx.plan();
    this.today = osloDate(this.now());
    const headId = uniqueId('fremdrift');
    const msHead = uniqueId('milestones');
    const roundsHead = uniqueId('rounds');
    this.errorEl = h('p', { class: 'error', role: 'alert' });
    this.mineEl = h('section', { class: 'my-rounds', 'data-testid': 'my-rounds', hidden: true });
    this.milestoneActions = h('p', { class: 'buttons process-actions' });
    this.milestoneForm = h('div', { class: 'process-form-slot' });
    this.milestonesEl = h('div', { class: 'process-table-wrap' });
    this.roundActions = h('p', { class: 'buttons process-actions' });
    this.roundForm = h('div', { class: 'process-form-slot' });
    this.roundsEl = h('div', { class: 'rounds' });
    this.element = h(
      'section',
      { class: 'process-view view-fremdrift', 'data-testid': 'view-fremdrift', 'aria-labelledby': headId },
      h('h2', { id: headId, tabindex: '-1' }, t('process.fremdrift.heading')),
      this.errorEl,
      this.mineEl,
      h(
        'section',
        { class: 'milestones', 'aria-labelledby': msHead },
        h('h3', { id: msHead }, t('process.milestones.heading')),
        this.milestoneActions,
        this.milestoneForm,
        this.milestonesEl,
      ),
      h(
        'section',
        { class: 'review-rounds', 'aria-labelledby': roundsHead },
        h('h3', { id: roundsHead }, t('process.rounds.heading')),
        h('p', { class: 'hint' }, t('process.rounds.intro')),
        this.roundActions,
        this.roundForm,
        this.roundsEl,
      ),
    );
    // A page left open past midnight: what is overdue changes with the day.
    this.clock = setInterval(() => {
      const today = osloDate(this.now());
      if (today !== this.today) {
        this.today = today;
        this.render();
      }
    }, 60_000);
    this.render();
  }

  update(plan: Plan): void {
    this.plan = newer(this.plan, plan);
    if (this.editing && this.editing !== 'new' && !(this.plan.milestones ?? []).some((m) => m.id === this.editing)) this.closeMilestoneForm();
    if (!can(this.plan, 'manage_project')) {
      if (this.editing) this.closeMilestoneForm();
      if (this.composing) this.closeRoundForm();
    }
    this.render();
  }

  destroy(): void {
    clearInterval(this.clock);
  }

  private render(): void {
    const active = document.activeElement as HTMLElement | null;
    const key = active && this.element.contains(active) ? active.dataset.key : undefined;
    this.renderMine();
    this.renderMilestoneActions();
    this.renderMilestones();
    this.renderRoundActions();
    this.renderRounds();
    if (key) {
      const again = this.element.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`);
      if (again && !(again as HTMLButtonElement).disabled) again.focus();
    }
  }

  // The user's own open rounds.

  private renderMine(): void {
    const mine = openRoundsFor(this.plan.rounds, this.ctx.me.id);
    this.mineEl.hidden = mine.length === 0;
    if (mine.length === 0) {
      replace(this.mineEl);
      return;
    }
    // Keep cards the user is writing in: only add and remove.
    const shown = new Map<string, HTMLElement>();
    for (const el of this.mineEl.querySelectorAll<HTMLElement>('[data-testid="round-card"]')) shown.set(el.dataset.roundId ?? '', el);
    const headId = uniqueId('mine');
    const list = h('ul', { class: 'round-list', 'aria-labelledby': headId });
    for (const r of mine) {
      list.append(h('li', null, shown.get(r.id) ?? roundCard({ round: r, plan: this.plan, today: this.today, heading: 'h4', done: (round, comment) => this.answer(round, comment) })));
    }
    replace(this.mineEl, h('h3', { id: headId }, t('process.rounds.mine', { n: mine.length })), list);
    this.mineEl.setAttribute('aria-labelledby', headId);
  }

  private async answer(round: ReviewRound, comment: string): Promise<string | null> {
    const res = await changePlan(this.ctx, () => answerRound(this.ctx.api, this.plan.id, round.id, comment));
    if (!res.ok) return res.error;
    this.plan = newer(this.plan, res.plan);
    this.ctx.announce(t('process.rounds.answered'));
    this.render();
    return null;
  }

  // Milestones.

  private renderMilestoneActions(): void {
    const show = can(this.plan, 'manage_project') && this.editing === null;
    replace(
      this.milestoneActions,
      show ? h('button', { type: 'button', 'data-testid': 'milestone-add', 'data-key': 'milestone-add', onclick: () => this.openMilestoneForm('new') }, t('process.milestones.add')) : null,
    );
  }

  private renderMilestones(): void {
    const ms = byDate(this.plan.milestones ?? []);
    if (ms.length === 0) {
      replace(this.milestonesEl, h('p', { class: 'hint', 'data-testid': 'milestones-empty' }, t('process.milestones.empty')));
      return;
    }
    const manage = can(this.plan, 'manage_project');
    const overdue = ms.filter((m) => isOverdue(m, this.today)).length;
    replace(
      this.milestonesEl,
      h(
        'table',
        { class: 'process-table milestones-table', 'data-testid': 'milestones' },
        h('caption', null, t('process.milestones.caption'), overdue > 0 ? h('span', { class: 'caption-note' }, ` ${t('process.milestones.overdueCount', { n: overdue })}`) : null),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, t('process.milestones.title')),
            h('th', { scope: 'col' }, t('process.milestones.date')),
            h('th', { scope: 'col' }, t('process.milestones.responsible')),
            h('th', { scope: 'col' }, t('process.milestones.status')),
            manage ? h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('process.actions'))) : null,
          ),
        ),
        h(
          'tbody',
          null,
          ms.map((m) => this.milestoneRow(m, manage)),
        ),
      ),
    );
  }

  private milestoneRow(m: Milestone, manage: boolean): HTMLElement {
    const late = isOverdue(m, this.today);
    return h(
      'tr',
      { class: late ? 'is-overdue' : '', 'data-testid': 'milestone', 'data-milestone-id': m.id, 'data-overdue': String(late) },
      h('th', { scope: 'row' }, m.title),
      h('td', null, h('time', { datetime: m.date }, formatDate(m.date))),
      h('td', null, responsibleText(this.plan, m.responsible)),
      h(
        'td',
        null,
        h('span', { class: `ms-status ms-status-${m.status}` }, statusLabel(m.status)),
        late ? [' ', h('span', { class: 'process-badge badge-overdue', 'data-testid': 'milestone-overdue' }, t('process.overdue'))] : null,
      ),
      manage
        ? h(
            'td',
            { class: 'row-actions' },
            h(
              'button',
              { type: 'button', 'data-key': `ms-edit:${m.id}`, 'data-testid': 'milestone-edit', 'aria-label': t('process.milestones.editNamed', { title: m.title }), onclick: () => this.openMilestoneForm(m.id) },
              t('process.edit'),
            ),
            ' ',
            h(
              'button',
              {
                type: 'button',
                class: 'danger',
                'data-key': `ms-delete:${m.id}`,
                'data-testid': 'milestone-delete',
                'aria-label': t('process.milestones.deleteNamed', { title: m.title }),
                disabled: this.busy.has(`ms:${m.id}`),
                onclick: () => void this.removeMilestone(m),
              },
              t('process.delete'),
            ),
          )
        : null,
    );
  }

  private openMilestoneForm(id: string): void {
    const m = id === 'new' ? null : (this.plan.milestones ?? []).find((x) => x.id === id);
    if (id !== 'new' && !m) return;
    this.editing = id;
    const headId = uniqueId('ms-form');
    const ids = { title: uniqueId('ms-title'), date: uniqueId('ms-date'), resp: uniqueId('ms-resp'), status: uniqueId('ms-status') };
    const err = h('p', { class: 'error', role: 'alert' });
    const title = h('input', { id: ids.title, type: 'text', required: true, maxlength: '200', autocomplete: 'off', 'data-testid': 'milestone-title', value: m?.title ?? '' });
    const date = h('input', { id: ids.date, type: 'date', required: true, 'data-testid': 'milestone-date', value: m?.date ?? '' });
    const resp = this.responsibleSelect(ids.resp, m?.responsible ?? '');
    const status = h(
      'select',
      { id: ids.status, 'data-testid': 'milestone-status' },
      MILESTONE_STATUSES.map((s) => h('option', { value: s, selected: s === (m?.status ?? 'planned') }, statusLabel(s))),
    );
    const save = h('button', { type: 'submit', class: 'primary', 'data-testid': 'milestone-save' }, t('process.save'));
    const form = h(
      'form',
      {
        class: 'process-form milestone-form',
        'data-testid': 'milestone-form',
        'aria-labelledby': headId,
        novalidate: true,
        onsubmit: (e: SubmitEvent) => {
          e.preventDefault();
          void this.saveMilestone(m, { title: title.value.trim(), date: date.value, responsible: resp.value, status: status.value as MilestoneStatus }, err, save);
        },
        onkeydown: (e: KeyboardEvent) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            this.closeMilestoneForm();
          }
        },
      },
      h('h4', { id: headId }, m ? t('process.milestones.editHeading') : t('process.milestones.add')),
      h('p', { class: 'field' }, h('label', { for: ids.title }, t('process.milestones.title')), title),
      h('p', { class: 'field' }, h('label', { for: ids.date }, t('process.milestones.date')), date),
      h('p', { class: 'field' }, h('label', { for: ids.resp }, t('process.milestones.responsible')), resp),
      h('p', { class: 'field' }, h('label', { for: ids.status }, t('process.milestones.status')), status),
      err,
      h('p', { class: 'buttons' }, save, h('button', { type: 'button', onclick: () => this.closeMilestoneForm() }, t('process.cancel'))),
    );
    replace(this.milestoneForm, form);
    this.renderMilestoneActions();
    title.focus();
  }

  private responsibleSelect(id: string, value: string): HTMLSelectElement {
    const members = [...(this.plan.members ?? [])].sort((a, b) => a.name.localeCompare(b.name, 'nb'));
    const known = value === '' || members.some((m) => m.user === value) || (ROLES as string[]).includes(value);
    return h(
      'select',
      { id, 'data-testid': 'milestone-responsible' },
      h('option', { value: '' }, t('process.milestones.nobody')),
      h(
        'optgroup',
        { label: t('process.milestones.people') },
        members.map((m) => h('option', { value: m.user, selected: m.user === value }, m.name)),
      ),
      h(
        'optgroup',
        { label: t('process.milestones.roles') },
        ROLES.map((r) => h('option', { value: r, selected: r === value }, roleText(r))),
      ),
      known ? null : h('option', { value, selected: true }, value),
    );
  }

  private closeMilestoneForm(): void {
    const was = this.editing;
    this.editing = null;
    replace(this.milestoneForm);
    this.renderMilestoneActions();
    const back = was && was !== 'new' ? this.element.querySelector<HTMLElement>(`[data-key="ms-edit:${CSS.escape(was)}"]`) : this.element.querySelector<HTMLElement>('[data-key="milestone-add"]');
    back?.focus();
  }

  private async saveMilestone(m: Milestone | null | undefined, f: MilestoneFields, err: HTMLElement, save: HTMLButtonElement): Promise<void> {
    if (!f.title) {
      err.textContent = t('process.milestones.titleRequired');
      return;
    }
    if (!isDate(f.date)) {
      err.textContent = t('process.milestones.dateRequired');
      return;
    }
    save.disabled = true;
    err.textContent = '';
    const res = await changePlan(this.ctx, (seq) => (m ? updateMilestone(this.ctx.api, this.plan.id, m.id, seq, f) : addMilestone(this.ctx.api, this.plan.id, seq, f)));
    save.disabled = false;
    if (!res.ok) {
      err.textContent = res.error;
      return;
    }
    this.plan = newer(this.plan, res.plan);
    this.ctx.announce(t(m ? 'process.milestones.saved' : 'process.milestones.added', { title: f.title }));
    this.closeMilestoneForm();
    this.render();
  }

  private async removeMilestone(m: Milestone): Promise<void> {
    const ok = await confirmDialog({ heading: t('process.milestones.deleteHeading', { title: m.title }), text: t('process.milestones.deleteText'), confirm: t('process.delete'), testid: 'milestone-delete-dialog' });
    if (!ok) return;
    const key = `ms:${m.id}`;
    this.busy.add(key);
    this.errorEl.textContent = '';
    const res = await changePlan(this.ctx, (seq) => deleteMilestone(this.ctx.api, this.plan.id, m.id, seq));
    this.busy.delete(key);
    if (!res.ok) {
      this.errorEl.textContent = res.error;
      this.render();
      return;
    }
    this.plan = newer(this.plan, res.plan);
    if (this.editing === m.id) this.closeMilestoneForm();
    this.ctx.announce(t('process.milestones.deleted', { title: m.title }));
    this.render();
    this.element.querySelector<HTMLElement>('h2')?.focus();
  }

  // Review rounds.

  private renderRoundActions(): void {
    const show = can(this.plan, 'manage_project') && !this.composing;
    replace(
      this.roundActions,
      show ? h('button', { type: 'button', 'data-testid': 'round-new', 'data-key': 'round-new', onclick: () => this.openRoundForm() }, t('process.rounds.new')) : null,
    );
  }

  private renderRounds(): void {
    const manage = can(this.plan, 'manage_project');
    const me = this.ctx.me.id;
    const rounds = [...(this.plan.rounds ?? [])].filter((r) => manage || r.recipients.includes(me)).sort((a, b) => b.sent_at.localeCompare(a.sent_at));
    if (rounds.length === 0) {
      replace(this.roundsEl, h('p', { class: 'hint', 'data-testid': 'rounds-empty' }, t('process.rounds.empty')));
      return;
    }
    replace(
      this.roundsEl,
      h(
        'ul',
        { class: 'round-list' },
        rounds.map((r) => h('li', null, this.roundSummary(r))),
      ),
    );
  }

  private roundSummary(r: ReviewRound): HTMLElement {
    const p = roundProgress(r, this.today);
    const headId = uniqueId('round-sum');
    const answers = new Map((r.answers ?? []).map((a) => [a.user, a]));
    return h(
      'article',
      { class: `round-summary${p.overdue ? ' is-overdue' : ''}`, 'data-testid': 'round', 'data-round-id': r.id, 'aria-labelledby': headId },
      h('h4', { id: headId }, t('process.rounds.sentHeading', { date: timeDate(r.sent_at), name: memberName(this.plan, r.sent_by) })),
      h(
        'p',
        { class: 'round-deadline' },
        t('process.rounds.deadline', { date: formatDate(r.deadline) }),
        p.overdue ? [' ', h('span', { class: 'process-badge badge-overdue', 'data-testid': 'round-overdue' }, t('process.overdue'))] : null,
      ),
      h('p', { class: 'round-scope' }, `${t('process.rounds.scope')}: ${roundScope(this.plan, r)}`),
      r.message ? h('blockquote', { class: 'round-message' }, r.message) : null,
      h(
        'table',
        { class: 'process-table round-answers', 'data-testid': 'round-answers' },
        h('caption', null, t('process.rounds.progress', { answered: p.answered.length, total: r.recipients.length })),
        h(
          'thead',
          null,
          h('tr', null, h('th', { scope: 'col' }, t('process.rounds.recipient')), h('th', { scope: 'col' }, t('process.rounds.state')), h('th', { scope: 'col' }, t('process.rounds.answerComment'))),
        ),
        h(
          'tbody',
          null,
          r.recipients.map((u) => {
            const a = answers.get(u);
            return h(
              'tr',
              { 'data-testid': 'round-recipient-row', 'data-user': u, 'data-answered': String(Boolean(a)) },
              h('th', { scope: 'row' }, memberName(this.plan, u)),
              h('td', null, a ? h('span', { class: 'answered' }, t('process.rounds.doneAt', { date: timeDate(a.at) })) : h('span', { class: 'waiting' }, t(p.overdue ? 'process.rounds.waitingLate' : 'process.rounds.waiting'))),
              h('td', null, a?.comment ?? ''),
            );
          }),
        ),
      ),
    );
  }

  private openRoundForm(): void {
    this.composing = true;
    const headId = uniqueId('round-form');
    const ids = { message: uniqueId('round-msg'), deadline: uniqueId('round-deadline'), whole: uniqueId('round-whole'), some: uniqueId('round-some') };
    const err = h('p', { class: 'error', role: 'alert' });
    const message = h('textarea', { id: ids.message, rows: '3', required: true, 'data-testid': 'round-message' });
    const deadline = h('input', { id: ids.deadline, type: 'date', required: true, min: this.today, 'data-testid': 'round-deadline' });
    const scopeName = uniqueId('scope');
    const whole = h('input', { id: ids.whole, type: 'radio', name: scopeName, value: 'whole', checked: true, 'data-testid': 'round-scope-whole' });
    const some = h('input', { id: ids.some, type: 'radio', name: scopeName, value: 'some', 'data-testid': 'round-scope-some' });
    const sectionBoxes: HTMLInputElement[] = [];
    const sectionList = h('ul', { class: 'check-tree' });
    walk(this.plan.sections, (s, depth) => {
      const id = uniqueId('round-sec');
      const box = h('input', { id, type: 'checkbox', value: s.id, 'data-testid': 'round-section', 'data-section': s.id });
      sectionBoxes.push(box);
      const li = h('li', { class: `depth-${Math.min(depth, 4)}` }, box, ' ', h('label', { for: id }, s.title));
      li.style.paddingInlineStart = `${depth * 1.25}rem`;
      sectionList.append(li);
    });
    const sectionsField = h('fieldset', { class: 'round-sections', hidden: true }, h('legend', null, t('process.rounds.sections')), sectionList);
    const toggleSections = () => {
      sectionsField.hidden = !some.checked;
    };
    whole.addEventListener('change', toggleSections);
    some.addEventListener('change', toggleSections);
    const members: Member[] = [...(this.plan.members ?? [])].filter((m) => m.user !== this.ctx.me.id).sort((a, b) => a.name.localeCompare(b.name, 'nb'));
    const recipientBoxes: HTMLInputElement[] = [];
    const recipients = h(
      'fieldset',
      { class: 'round-recipients' },
      h('legend', null, t('process.rounds.recipients')),
      members.length === 0
        ? h('p', { class: 'hint' }, t('process.rounds.noMembers'))
        : h(
            'ul',
            { class: 'check-list' },
            members.map((m) => {
              const id = uniqueId('round-to');
              const box = h('input', { id, type: 'checkbox', value: m.user, 'data-testid': 'round-recipient', 'data-user': m.user });
              recipientBoxes.push(box);
              const roles = m.roles.map(roleText).join(', ');
              return h('li', null, box, ' ', h('label', { for: id }, m.name, roles ? h('span', { class: 'hint' }, ` (${roles})`) : null));
            }),
          ),
    );
    const send = h('button', { type: 'submit', class: 'primary', 'data-testid': 'round-send' }, t('process.rounds.send'));
    const form = h(
      'form',
      {
        class: 'process-form round-form',
        'data-testid': 'round-form',
        'aria-labelledby': headId,
        novalidate: true,
        onsubmit: (e: SubmitEvent) => {
          e.preventDefault();
          void this.send(
            {
              message: message.value.trim(),
              sections: some.checked ? sectionBoxes.filter((b) => b.checked).map((b) => b.value) : [],
              recipients: recipientBoxes.filter((b) => b.checked).map((b) => b.value),
              deadline: deadline.value,
            },
            some.checked,
            err,
            send,
          );
        },
        onkeydown: (e: KeyboardEvent) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            this.closeRoundForm();
          }
        },
      },
      h('h4', { id: headId }, t('process.rounds.new')),
      h('p', { class: 'field' }, h('label', { for: ids.message }, t('process.rounds.message')), message),
      h(
        'fieldset',
        { class: 'round-scope-field' },
        h('legend', null, t('process.rounds.scopeQuestion')),
        h('p', null, whole, ' ', h('label', { for: ids.whole }, t('process.rounds.wholePlan'))),
        h('p', null, some, ' ', h('label', { for: ids.some }, t('process.rounds.someSections'))),
      ),
      sectionsField,
      recipients,
      h('p', { class: 'field' }, h('label', { for: ids.deadline }, t('process.rounds.deadlineLabel')), deadline),
      err,
      h('p', { class: 'buttons' }, send, h('button', { type: 'button', onclick: () => this.closeRoundForm() }, t('process.cancel'))),
    );
    replace(this.roundForm, form);
    this.renderRoundActions();
    message.focus();
  }

  private closeRoundForm(): void {
    this.composing = false;
    replace(this.roundForm);
    this.renderRoundActions();
    this.element.querySelector<HTMLElement>('[data-key="round-new"]')?.focus();
  }

  private async send(r: { message: string; sections: string[]; recipients: string[]; deadline: string }, chosen: boolean, err: HTMLElement, send: HTMLButtonElement): Promise<void> {
    const problem = !r.message
      ? t('process.rounds.messageRequired')
      : chosen && r.sections.length === 0
        ? t('process.rounds.sectionsRequired')
        : r.recipients.length === 0
          ? t('process.rounds.recipientsRequired')
          : !isDate(r.deadline)
            ? t('process.rounds.deadlineRequired')
            : r.deadline < this.today
              ? t('process.rounds.deadlinePast')
              : null;
    if (problem) {
      err.textContent = problem;
      return;
    }
    send.disabled = true;
    err.textContent = '';
    const res = await changePlan(this.ctx, (seq) => sendRound(this.ctx.api, this.plan.id, seq, r));
    send.disabled = false;
    if (!res.ok) {
      err.textContent = res.error;
      return;
    }
    this.plan = newer(this.plan, res.plan);
    this.ctx.announce(t('process.rounds.sent', { n: r.recipients.length }));
    this.closeRoundForm();
    this.render();
  }
}
