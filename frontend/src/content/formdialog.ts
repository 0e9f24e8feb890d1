// A modal form on the native <dialog> (focus trapped, Escape closes, the
// focus goes back where it was): the fields are the caller's, and so is
// saving. While saving the buttons wait; a refusal (the checks in the
// browser, or the server's answer) is shown in the form's alert and the
// form stays open with what the user typed.
import { h, uniqueId } from '../dom';
import { t } from '../i18n';

export interface FormDialogOptions {
  heading: string;
  /** The form's fields. */
  body: HTMLElement;
  submit: string;
  /** save returns null when saved (the dialog closes), else the problem to show. */
  save: () => Promise<string | null>;
  /** testid names the dialog for browser tests: <testid>, <testid>-save, <testid>-cancel, <testid>-error. */
  testid: string;
  /** wide makes room for a table. */
  wide?: boolean;
}

/** openFormDialog shows the form; it resolves true when saved, false when cancelled. */
export function openFormDialog(o: FormDialogOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const headId = uniqueId('form-h');
    const errorEl = h('div', { class: 'error form-error', role: 'alert', 'data-testid': `${o.testid}-error` });
    let saved = false;
    let saving = false;
    const saveBtn = h('button', { type: 'submit', class: 'primary', 'data-testid': `${o.testid}-save` }, o.submit);
    const cancelBtn = h('button', { type: 'button', 'data-testid': `${o.testid}-cancel`, onclick: () => dialog.close() }, t('outline.cancel'));
    const form = h(
      'form',
      {
        novalidate: true,
        onsubmit: (e: SubmitEvent) => {
          e.preventDefault();
          if (saving) return;
          saving = true;
          saveBtn.disabled = true;
          errorEl.textContent = '';
          dialog.setAttribute('aria-busy', 'true');
          void o
            .save()
            .then((problem) => {
              if (problem === null) {
                saved = true;
                dialog.close();
                return;
              }
              errorEl.textContent = problem;
              // The first field the problem is about, else the message.
              const bad = form.querySelector<HTMLElement>('[aria-invalid="true"]');
              (bad ?? errorEl).focus();
            })
            .finally(() => {
              saving = false;
              saveBtn.disabled = false;
              dialog.removeAttribute('aria-busy');
            });
        },
      },
      h('h2', { id: headId }, o.heading),
      errorEl,
      o.body,
      h('p', { class: 'buttons' }, saveBtn, cancelBtn),
    );
    errorEl.tabIndex = -1;
    const dialog = h('dialog', { class: o.wide ? 'dialog form-dialog wide' : 'dialog form-dialog', 'aria-labelledby': headId, 'data-testid': o.testid }, form);
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(saved);
    });
    document.body.append(dialog);
    dialog.showModal();
    form.querySelector<HTMLElement>('input, textarea, select')?.focus();
  });
}

/** A labelled field of a form: the control, its error line, and a way to mark it. */
export interface Field<E extends HTMLElement> {
  readonly row: HTMLElement;
  readonly control: E;
  /** setProblem shows (or, with '', clears) the field's error. */
  setProblem(text: string): void;
}

/** field puts a label, a control and an error line together (aria-describedby, aria-invalid). */
export function field<E extends HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>(label: string, control: E, hint?: string): Field<E> {
  const id = control.id || uniqueId('field');
  control.id = id;
  const errId = `${id}-err`;
  const hintId = `${id}-hint`;
  const err = h('p', { id: errId, class: 'field-error' });
  control.setAttribute('aria-describedby', hint ? `${hintId} ${errId}` : errId);
  const row = h('p', { class: 'field' }, h('label', { for: id }, label), hint ? h('span', { id: hintId, class: 'hint' }, hint) : null, control, err);
  return {
    row,
    control,
    setProblem(text: string) {
      err.textContent = text;
      if (text) control.setAttribute('aria-invalid', 'true');
      else control.removeAttribute('aria-invalid');
    },
  };
}
