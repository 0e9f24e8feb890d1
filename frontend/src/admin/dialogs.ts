// The administration's dialogs on the native <dialog> element (which
// traps focus, closes on Escape and gives focus back): choosing one of
// several options, and a person's roles in a plan.
import { h, uniqueId } from '../dom';
import { t } from '../i18n';
import { roleText } from '../pages/labels';
import type { PlanRoles } from './logic';
import { EDITABLE_ROLES } from './logic';

/** showModal puts a dialog on the page and resolves with what close leaves behind. */
function showModal<T>(dialog: HTMLDialogElement, result: () => T, focus: HTMLElement): Promise<T> {
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(result());
    });
    document.body.append(dialog);
    dialog.showModal();
    focus.focus();
  });
}

interface ChooseOptions {
  heading: string;
  label: string;
  options: { value: string; label: string }[];
  submit: string;
  /** empty is said instead of the choice when there are no options. */
  empty: string;
  testid?: string;
}

/** chooseDialog asks for one of options; it resolves to null when cancelled. */
export function chooseDialog(o: ChooseOptions): Promise<string | null> {
  const headId = uniqueId('choose-h');
  const selectId = uniqueId('choose');
  let chosen: string | null = null;
  const select = h(
    'select',
    { id: selectId, 'data-testid': o.testid ? `${o.testid}-select` : undefined },
    o.options.map((opt) => h('option', { value: opt.value }, opt.label)),
  );
  const cancel = h('button', { type: 'submit', value: 'cancel', formnovalidate: true, 'data-testid': o.testid ? `${o.testid}-cancel` : undefined }, t('outline.cancel'));
  const dialog = h(
    'dialog',
    { class: 'dialog', 'aria-labelledby': headId, 'data-testid': o.testid },
    h(
      'form',
      {
        method: 'dialog',
        onsubmit: (e: SubmitEvent) => {
          chosen = (e.submitter as HTMLButtonElement | null)?.value === 'ok' && o.options.length > 0 ? select.value : null;
        },
      },
      h('h2', { id: headId }, o.heading),
      o.options.length > 0 ? h('p', { class: 'field' }, h('label', { for: selectId }, o.label), select) : h('p', null, o.empty),
      h(
        'p',
        { class: 'buttons' },
        o.options.length > 0 ? h('button', { type: 'submit', value: 'ok', class: 'primary', 'data-testid': o.testid ? `${o.testid}-confirm` : undefined }, o.submit) : null,
        cancel,
      ),
    ),
  );
  return showModal(dialog, () => chosen, o.options.length > 0 ? select : cancel);
}

interface RolesOptions {
  /** name is the person's name. */
  name: string;
  /** plans are the plans the roles may be given in, with the person's roles in each. */
  plans: PlanRoles[];
  /** save gives the roles ticked in a plan; a rejection's message is shown in the dialog. */
  save(plan: PlanRoles, ticked: string[]): Promise<void>;
  /** problem says what went wrong with a save, in the user's language. */
  problem(err: unknown): string;
}

/** rolesDialog lets the administrator change a person's roles in one plan at a time; it resolves once closed. */
export function rolesDialog(o: RolesOptions): Promise<void> {
  const headId = uniqueId('roles-h');
  const planId = uniqueId('roles-plan');
  const plan = h(
    'select',
    { id: planId, 'data-testid': 'roles-plan' },
    o.plans.map((p) => h('option', { value: p.plan }, p.title)),
  );
  const boxes = EDITABLE_ROLES.map((r) => {
    const id = uniqueId(`role-${r}`);
    const input = h('input', { id, type: 'checkbox', value: r, 'data-testid': `roles-${r}` });
    return { role: r, input, el: h('span', { class: 'radio' }, input, h('label', { for: id }, roleText(r))) };
  });
  const note = h('p', { class: 'hint', 'aria-live': 'polite' });
  const err = h('p', { class: 'error', role: 'alert' });
  const current = (): PlanRoles | undefined => o.plans.find((p) => p.plan === plan.value);
  const fill = () => {
    const p = current();
    for (const b of boxes) b.input.checked = p?.roles.includes(b.role) ?? false;
    note.textContent = p?.roles.includes('leader') ? t('admin.roles.leaderNote', { name: o.name }) : '';
    err.textContent = '';
  };
  plan.addEventListener('change', fill);
  const saveBtn = h('button', { type: 'submit', value: 'ok', class: 'primary', 'data-testid': 'roles-save' }, t('admin.roles.save'));
  const cancel = h('button', { type: 'submit', value: 'cancel', formnovalidate: true, 'data-testid': 'roles-cancel' }, t('outline.cancel'));
  const dialog = h(
    'dialog',
    { class: 'dialog', 'aria-labelledby': headId, 'data-testid': 'roles-dialog' },
    h(
      'form',
      {
        method: 'dialog',
        onsubmit: (e: SubmitEvent) => {
          if ((e.submitter as HTMLButtonElement | null)?.value !== 'ok') return;
          e.preventDefault();
          const p = current();
          if (!p) return;
          saveBtn.disabled = true;
          const ticked = boxes.filter((b) => b.input.checked).map((b) => b.role);
          o.save(p, ticked).then(
            () => dialog.close(),
            (ex: unknown) => {
              err.textContent = o.problem(ex);
              saveBtn.disabled = false;
            },
          );
        },
      },
      h('h2', { id: headId }, t('admin.roles.heading', { name: o.name })),
      h('p', { class: 'field' }, h('label', { for: planId }, t('admin.roles.plan')), plan),
      h('fieldset', null, h('legend', null, t('admin.roles.legend')), boxes.map((b) => b.el)),
      note,
      err,
      h('p', { class: 'buttons' }, saveBtn, cancel),
    ),
  );
  fill();
  return showModal(dialog, () => undefined, plan);
}
