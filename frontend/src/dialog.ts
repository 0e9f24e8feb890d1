// Small modal dialogs on the native <dialog> element: it traps focus,
// closes on Escape and gives focus back to where it was.
import { h, uniqueId } from './dom';
import { t } from './i18n';

interface PromptOptions {
  heading: string;
  label: string;
  value?: string;
  submit: string;
  /** validate returns an error message, or null when the value is fine. */
  validate?: (value: string) => string | null;
  /** extra adds a third button (e.g. "Fjern lenke") that resolves to extra.value. */
  extra?: { label: string; value: string };
  inputMode?: string;
  /** multiline asks for a longer text in a textarea. */
  multiline?: boolean;
  /** required is the message when nothing is given. */
  required?: string;
  /** testid names the dialog for browser tests: <testid>-input, -confirm, -cancel. */
  testid?: string;
}

/** promptText asks for a line (or, multiline, a longer text); it resolves to null when cancelled. */
export function promptText(o: PromptOptions): Promise<string | null> {
  return new Promise((resolve) => {
    const inputId = uniqueId('prompt');
    const errId = uniqueId('prompt-err');
    const headId = uniqueId('prompt-h');
    const common = {
      id: inputId,
      'aria-required': 'true',
      autocomplete: 'off',
      'aria-describedby': errId,
      'data-testid': o.testid ? `${o.testid}-input` : undefined,
    };
    const input: HTMLInputElement | HTMLTextAreaElement = o.multiline
      ? h('textarea', { ...common, rows: '6', cols: '50' })
      : h('input', { ...common, type: 'text', value: o.value ?? '', inputmode: o.inputMode });
    if (o.multiline) input.value = o.value ?? '';
    const err = h('p', { id: errId, class: 'field-error', 'aria-live': 'assertive' });
    let result: string | null = null;
    const dialog = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': headId, 'data-testid': o.testid },
      h(
        'form',
        {
          method: 'dialog',
          onsubmit: (e: SubmitEvent) => {
            const submitter = e.submitter as HTMLButtonElement | null;
            if (submitter?.value === 'cancel') {
              result = null;
              return;
            }
            if (submitter?.value === 'extra' && o.extra) {
              result = o.extra.value;
              return;
            }
            const v = input.value.trim();
            const problem = v === '' ? (o.required ?? t('name.required')) : (o.validate?.(v) ?? null);
            if (problem) {
              e.preventDefault();
              err.textContent = problem;
              input.setAttribute('aria-invalid', 'true');
              input.focus();
              return;
            }
            result = v;
          },
        },
        h('h2', { id: headId }, o.heading),
        h('p', { class: 'field' }, h('label', { for: inputId }, o.label), input),
        err,
        h(
          'p',
          { class: 'buttons' },
          h('button', { type: 'submit', value: 'ok', class: 'primary', 'data-testid': o.testid ? `${o.testid}-confirm` : undefined }, o.submit),
          o.extra ? h('button', { type: 'submit', value: 'extra', formnovalidate: true }, o.extra.label) : null,
          h('button', { type: 'submit', value: 'cancel', formnovalidate: true, 'data-testid': o.testid ? `${o.testid}-cancel` : undefined }, t('outline.cancel')),
        ),
      ),
    );
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(result);
    });
    document.body.append(dialog);
    dialog.showModal();
    input.select();
  });
}

interface ConfirmOptions {
  heading: string;
  text: string;
  confirm: string;
  /** testid names the dialog for browser tests: <testid>-confirm, -cancel. */
  testid?: string;
}

/** confirmDialog asks a yes/no question; cancel has the initial focus. */
export function confirmDialog(o: ConfirmOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const headId = uniqueId('confirm-h');
    const textId = uniqueId('confirm-t');
    let ok = false;
    const cancel = h('button', { type: 'submit', value: 'cancel', 'data-testid': o.testid ? `${o.testid}-cancel` : undefined }, t('outline.cancel'));
    const dialog = h(
      'dialog',
      { class: 'dialog', role: 'alertdialog', 'aria-labelledby': headId, 'aria-describedby': textId, 'data-testid': o.testid },
      h(
        'form',
        {
          method: 'dialog',
          onsubmit: (e: SubmitEvent) => {
            ok = (e.submitter as HTMLButtonElement | null)?.value === 'ok';
          },
        },
        h('h2', { id: headId }, o.heading),
        h('p', { id: textId }, o.text),
        h('p', { class: 'buttons' }, h('button', { type: 'submit', value: 'ok', class: 'danger', 'data-testid': o.testid ? `${o.testid}-confirm` : undefined }, o.confirm), cancel),
      ),
    );
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(ok);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}
