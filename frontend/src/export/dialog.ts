// The plan page's "Eksporter": a button that opens a dialog to choose the
// format and the version, asks the server for the export, follows the
// job in the background (its status read out by a live region, with a
// progress bar) and offers the file as a download link when it is done.
// The file is fetched with the access token and handed to the browser as
// an object URL, since a plain link would carry no token.
import { ApiError, type Api } from '../api/client';
import type { Plan } from '../api/types';
import { h, replace, uniqueId } from '../dom';
import { errorText, t } from '../i18n';
import { exportFile, exportStatus, startExport, type ExportFormat, type ExportJob } from './api';
import { finished, formatChoices, statusText, versionChoices } from './model';
import './export.css';

/** How often a job under way is asked for its status (ms). */
const POLL = 500;

export class ExportControl {
  /** The button that opens the dialog. */
  readonly element: HTMLButtonElement;
  private plan: Plan | null = null;
  private dialog: HTMLDialogElement | null = null;
  /** The job the open dialog follows; a newer one replaces it. */
  private following = 0;
  private objectURL: string | null = null;

  constructor(
    private readonly api: Api,
    private readonly planId: string,
  ) {
    this.element = h('button', { type: 'button', class: 'export-button', 'data-testid': 'export-open', onclick: () => this.open() }, t('export.button'));
  }

  /** update takes the plan as it is now (for its versions). */
  update(plan: Plan): void {
    this.plan = plan;
  }

  /** destroy closes the dialog and stops following its job. */
  destroy(): void {
    this.dialog?.close();
  }

  private open(): void {
    if (this.dialog) return;
    const headId = uniqueId('export-h');
    const formatName = uniqueId('export-format');
    const versionId = uniqueId('export-version');
    const status = h('p', { class: 'export-status', role: 'status', 'aria-live': 'polite', 'data-testid': 'export-status' });
    const bar = h('progress', { max: '100', value: '0', hidden: true, 'aria-hidden': 'true' });
    const result = h('p', { class: 'export-result' });
    const versions = h(
      'select',
      { id: versionId, name: 'version', 'data-testid': 'export-version' },
      versionChoices(this.plan ?? { versions: [] }).map((c) => h('option', { value: c.value }, c.label)),
    );
    const start = h('button', { type: 'submit', value: 'start', class: 'primary', 'data-testid': 'export-start' }, t('export.start'));
    const form = h(
      'form',
      {
        method: 'dialog',
        onsubmit: (e: SubmitEvent) => {
          if ((e.submitter as HTMLButtonElement | null)?.value !== 'start') return; // Lukk
          e.preventDefault();
          const chosen = form.querySelector<HTMLInputElement>(`input[name="${formatName}"]:checked`);
          void this.run((chosen?.value ?? 'pdf') as ExportFormat, versions.value, { status, bar, result, start });
        },
      },
      h('h2', { id: headId }, t('export.heading')),
      h('p', null, t('export.intro')),
      h(
        'fieldset',
        { class: 'export-formats' },
        h('legend', null, t('export.format')),
        formatChoices().map((c, i) => {
          const id = uniqueId('export-f');
          return h(
            'p',
            { class: 'choice' },
            h('input', { type: 'radio', id, name: formatName, value: c.value, checked: i === 0, 'data-testid': `export-format-${c.value}` }),
            ' ',
            h('label', { for: id }, c.label),
          );
        }),
      ),
      h('p', { class: 'field' }, h('label', { for: versionId }, t('export.version')), versions),
      h('p', { class: 'buttons' }, start, h('button', { type: 'submit', value: 'close', formnovalidate: true, 'data-testid': 'export-close' }, t('export.close'))),
      bar,
      status,
      result,
    );
    const dialog = h('dialog', { class: 'dialog export-dialog', 'aria-labelledby': headId, 'data-testid': 'export-dialog' }, form);
    dialog.addEventListener('close', () => {
      this.following++; // stops the polling
      if (this.objectURL) URL.revokeObjectURL(this.objectURL);
      this.objectURL = null;
      dialog.remove();
      this.dialog = null;
      this.element.focus();
    });
    this.dialog = dialog;
    document.body.append(dialog);
    dialog.showModal();
  }

  /** run asks for the export and follows it until its file is offered or it fails. */
  private async run(
    format: ExportFormat,
    version: string,
    ui: { status: HTMLElement; bar: HTMLProgressElement; result: HTMLElement; start: HTMLButtonElement },
  ): Promise<void> {
    const me = ++this.following;
    const alive = () => me === this.following;
    if (this.objectURL) URL.revokeObjectURL(this.objectURL);
    this.objectURL = null;
    replace(ui.result);
    ui.start.disabled = true;
    const show = (job: ExportJob) => {
      ui.status.textContent = statusText(job);
      ui.bar.hidden = finished(job);
      ui.bar.value = job.progress;
    };
    let started = false;
    try {
      let job = await startExport(this.api, this.planId, format, version);
      started = true;
      while (alive()) {
        show(job);
        if (finished(job)) break;
        await new Promise((r) => setTimeout(r, POLL));
        if (!alive()) return;
        job = await exportStatus(this.api, this.planId, job.id);
      }
      if (!alive() || job.status !== 'done') return;
      const blob = await exportFile(this.api, job);
      if (!alive()) return;
      this.objectURL = URL.createObjectURL(blob);
      const name = job.filename ?? `plan.${format}`;
      replace(ui.result, h('a', { href: this.objectURL, download: name, class: 'export-download', 'data-testid': 'export-download' }, t('export.download', { name })));
    } catch (err) {
      if (!alive()) return;
      ui.bar.hidden = true;
      const code = err instanceof ApiError ? err.code : 'generic';
      ui.status.textContent =
        started && err instanceof ApiError && err.code === 'not_found' ? t('export.lost') : t('export.failed', { message: errorText(code) });
    } finally {
      if (alive()) ui.start.disabled = false;
    }
  }
}
