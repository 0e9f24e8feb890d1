// The scorecard's forms: an indicator (new or changed) with its targets as
// a small list of (year, value) rows, and a reported value. Every input has
// a label; what is wrong is written beside the field (aria-invalid,
// aria-describedby) and summed up in an alert, and the first wrong field
// gets the focus. The view does the REST call; the form only checks and
// collects (validate.ts).
import type { IndicatorFields, ReportFields } from './api';
import { FREQUENCIES } from './api';
import { h, replace, uniqueId } from '../dom';
import { t, type MessageKey } from '../i18n';
import { checkIndicator, checkReport, type IndicatorDraft, type Problem, type ReportDraft } from './validate';

/** A goal to choose, with the target area it belongs to. */
export interface GoalChoice {
  id: string;
  title: string;
  area: string;
}

/** submit sends the form's fields; it resolves to an error to show, or null when done. */
type Submit<T> = (fields: T) => Promise<string | null>;

type Control = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

/** problemText is the message of a problem of a field. */
function problemText(p: Problem): string {
  return t(`scorecard.invalid.${p.key}` as MessageKey, p.params);
}

// A labelled field: the control, its hint and its error line.
interface Field {
  control: Control;
  error: HTMLElement;
  element: HTMLElement;
}

function field(label: string, control: Control, hint?: string): Field {
  const id = control.id || uniqueId('sc-field');
  control.id = id;
  const error = h('p', { class: 'field-error', id: `${id}-error` });
  const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
  control.setAttribute('aria-describedby', [hintEl ? `${id}-hint` : '', `${id}-error`].filter(Boolean).join(' '));
  return { control, error, element: h('div', { class: 'field' }, h('label', { for: id }, label), hintEl, control, error) };
}

// FormBase holds what both forms share: the alert, the busy state,
// showing problems on fields, and sending.
abstract class FormBase<T> {
  readonly element: HTMLFormElement;
  protected readonly alert: HTMLElement;
  protected readonly saveButton: HTMLButtonElement;
  private busy = false;

  constructor(
    heading: string,
    level: 'h5' | 'h6',
    testid: string,
    saveText: string,
    private readonly submit: Submit<T>,
    private readonly cancel: () => void,
  ) {
    const headId = uniqueId('sc-form');
    this.alert = h('p', { class: 'error', role: 'alert', 'data-testid': `${testid}-error` });
    this.saveButton = h('button', { type: 'submit', class: 'primary', 'data-testid': `${testid}-save` }, saveText);
    this.element = h(
      'form',
      {
        class: `scorecard-form ${testid}`,
        'aria-labelledby': headId,
        'data-testid': testid,
        novalidate: true,
        onsubmit: (e: SubmitEvent) => {
          e.preventDefault();
          void this.send();
        },
        onkeydown: (e: KeyboardEvent) => {
          if (e.key === 'Escape' && !this.busy) {
            e.preventDefault();
            this.cancel();
          }
        },
      },
      h(level, { id: headId, class: 'form-heading' }, heading),
      this.alert,
    );
    // The subclass adds its fields, then calls finish().
  }

  /** finish adds the buttons after the fields. */
  protected finish(): void {
    this.element.append(
      h(
        'p',
        { class: 'buttons' },
        this.saveButton,
        h('button', { type: 'button', 'data-testid': `${this.element.dataset.testid}-cancel`, onclick: () => this.cancel() }, t('scorecard.form.cancel')),
      ),
    );
  }

  /** check reads the fields: the value to send, or the problems. */
  protected abstract check(): { ok: true; value: T } | { ok: false; problems: Problem[] };

  /** fieldOf returns the control and error line of a field name. */
  protected abstract fieldOf(name: string): { control: HTMLElement; error: HTMLElement } | null;

  /** allFields lists every field's control and error line, to clear them. */
  protected abstract allFields(): { control: HTMLElement; error: HTMLElement }[];

  /** focusFirst puts the focus in the form's first field. */
  focusFirst(): void {
    (this.element.querySelector('input, textarea, select') as HTMLElement | null)?.focus();
  }

  /** showError shows an error of the server. */
  showError(text: string): void {
    this.alert.textContent = text;
  }

  private showProblems(problems: Problem[]): void {
    for (const f of this.allFields()) {
      f.control.removeAttribute('aria-invalid');
      f.error.textContent = '';
    }
    let first: HTMLElement | null = null;
    for (const p of problems) {
      const f = this.fieldOf(p.field);
      if (!f) continue;
      f.control.setAttribute('aria-invalid', 'true');
      if (!f.error.textContent) f.error.textContent = problemText(p);
      first ??= f.control;
    }
    this.alert.textContent = problems.length > 0 ? t('scorecard.form.invalid') : '';
    first?.focus();
  }

  private async send(): Promise<void> {
    if (this.busy) return;
    const r = this.check();
    if (!r.ok) {
      this.showProblems(r.problems);
      return;
    }
    this.showProblems([]);
    this.busy = true;
    this.saveButton.disabled = true;
    this.saveButton.setAttribute('aria-busy', 'true');
    try {
      const err = await this.submit(r.value);
      if (err) this.showError(err);
    } finally {
      this.busy = false;
      this.saveButton.disabled = false;
      this.saveButton.removeAttribute('aria-busy');
    }
  }
}

export interface IndicatorFormOptions {
  heading: string;
  /** The heading's level: h5 under a goal (a new indicator), h6 under an indicator. */
  level: 'h5' | 'h6';
  goals: GoalChoice[];
  draft: IndicatorDraft;
  /** The year a new target row starts with when the list is empty. */
  targetYear: number;
  submit: Submit<IndicatorFields>;
  cancel: () => void;
}

interface TargetRow {
  year: HTMLInputElement;
  value: HTMLInputElement;
  error: HTMLElement;
  remove: HTMLButtonElement;
  element: HTMLElement;
}

/** IndicatorForm edits an indicator. */
export class IndicatorForm extends FormBase<IndicatorFields> {
  private readonly fields: Record<string, Field>;
  private readonly rows: TargetRow[] = [];
  private readonly rowsEl: HTMLElement;
  private readonly targetsError: HTMLElement;
  private readonly addTarget: HTMLButtonElement;

  constructor(o: IndicatorFormOptions) {
    super(o.heading, o.level, 'indicator-form', t('scorecard.form.save'), o.submit, o.cancel);
    const d = o.draft;
    const areas = [...new Set(o.goals.map((g) => g.area))];
    const goal = h(
      'select',
      { 'data-testid': 'indicator-goal', required: true },
      areas.map((a) =>
        h(
          'optgroup',
          { label: a },
          o.goals.filter((g) => g.area === a).map((g) => h('option', { value: g.id, selected: g.id === d.goal }, g.title)),
        ),
      ),
    );
    const input = (testid: string, value: string, attrs: Record<string, unknown> = {}) => h('input', { type: 'text', value, 'data-testid': testid, autocomplete: 'off', ...attrs });
    const definition = h('textarea', { rows: '3', 'data-testid': 'indicator-definition' });
    definition.value = d.definition;
    const frequency = h(
      'select',
      { 'data-testid': 'indicator-frequency' },
      FREQUENCIES.map((f) => h('option', { value: f, selected: f === d.frequency }, t(`scorecard.freq.${f}`))),
    );
    this.fields = {
      goal: field(t('scorecard.form.goal'), goal),
      name: field(t('scorecard.form.name'), input('indicator-name', d.name, { 'aria-required': 'true' })),
      definition: field(t('scorecard.form.definition'), definition, t('scorecard.form.definitionHint')),
      unit: field(t('scorecard.form.unit'), input('indicator-unit', d.unit, { list: 'scorecard-units' }), t('scorecard.form.unitHint')),
      baselineValue: field(t('scorecard.form.baselineValue'), input('indicator-baseline-value', d.baselineValue, { inputmode: 'decimal', 'aria-required': 'true' })),
      baselineYear: field(t('scorecard.form.baselineYear'), input('indicator-baseline-year', d.baselineYear, { inputmode: 'numeric', 'aria-required': 'true', size: '6' })),
      source: field(t('scorecard.form.source'), input('indicator-source', d.source)),
      frequency: field(t('scorecard.form.frequency'), frequency),
      responsible: field(t('scorecard.form.responsible'), input('indicator-responsible', d.responsible)),
    };
    const f = this.fields;
    const targetsHint = uniqueId('sc-targets-hint');
    this.targetsError = h('p', { class: 'field-error', id: `${targetsHint}-error` });
    this.rowsEl = h('div', { class: 'target-rows' });
    this.addTarget = h('button', { type: 'button', 'data-testid': 'indicator-add-target', onclick: () => this.addRow('', '', true) }, t('scorecard.form.addTarget'));
    for (const tg of d.targets) this.addRow(tg.year, tg.value, false);
    if (this.rows.length === 0) this.addRow(String(o.targetYear), '', false);
    this.element.append(
      f.goal!.element,
      f.name!.element,
      f.definition!.element,
      f.unit!.element,
      h('datalist', { id: 'scorecard-units' }, ['antall', '%', 'per 1000 innbyggere', 'kroner', 'dager'].map((u) => h('option', { value: u }))),
      h('fieldset', { class: 'baseline-fields' }, h('legend', null, t('scorecard.form.baseline')), h('div', { class: 'pair' }, f.baselineValue!.element, f.baselineYear!.element)),
      h(
        'fieldset',
        { class: 'target-fields', 'aria-describedby': `${targetsHint} ${targetsHint}-error` },
        h('legend', null, t('scorecard.form.targets')),
        h('p', { class: 'hint', id: targetsHint }, t('scorecard.form.targetsHint')),
        this.rowsEl,
        this.targetsError,
        h('p', null, this.addTarget),
      ),
      f.source!.element,
      f.frequency!.element,
      f.responsible!.element,
    );
    this.finish();
  }

  private addRow(year: string, value: string, focus: boolean): void {
    const yearIn = h('input', { type: 'text', value: year, inputmode: 'numeric', size: '6', autocomplete: 'off', 'data-testid': 'indicator-target-year' });
    const valueIn = h('input', { type: 'text', value, inputmode: 'decimal', autocomplete: 'off', 'data-testid': 'indicator-target-value' });
    yearIn.id = uniqueId('sc-ty');
    valueIn.id = uniqueId('sc-tv');
    const error = h('p', { class: 'field-error', id: `${yearIn.id}-error` });
    yearIn.setAttribute('aria-describedby', error.id);
    valueIn.setAttribute('aria-describedby', error.id);
    const row: TargetRow = {
      year: yearIn,
      value: valueIn,
      error,
      remove: h('button', { type: 'button', class: 'link', 'data-testid': 'indicator-remove-target', onclick: () => this.removeRow(row) }),
      element: h('div', { class: 'target-row' }),
    };
    replace(
      row.element,
      h('span', { class: 'field' }, h('label', { for: yearIn.id }), yearIn),
      h('span', { class: 'field' }, h('label', { for: valueIn.id }), valueIn),
      row.remove,
      error,
    );
    this.rows.push(row);
    this.rowsEl.append(row.element);
    this.relabel();
    if (focus) yearIn.focus();
  }

  private removeRow(row: TargetRow): void {
    const i = this.rows.indexOf(row);
    if (i < 0) return;
    this.rows.splice(i, 1);
    row.element.remove();
    this.relabel();
    (this.rows[i]?.year ?? this.addTarget).focus();
  }

  // relabel numbers the rows' labels after a row came or went.
  private relabel(): void {
    this.rows.forEach((r, i) => {
      const n = i + 1;
      const [yl, vl] = r.element.querySelectorAll('label');
      yl!.textContent = t('scorecard.form.targetYear', { n });
      vl!.textContent = t('scorecard.form.targetValue', { n });
      r.remove.textContent = t('scorecard.form.removeTarget', { n });
      r.remove.hidden = this.rows.length === 1;
    });
  }

  draft(): IndicatorDraft {
    const v = (name: string) => this.fields[name]!.control.value;
    return {
      goal: v('goal'),
      name: v('name'),
      definition: v('definition'),
      unit: v('unit'),
      baselineValue: v('baselineValue'),
      baselineYear: v('baselineYear'),
      targets: this.rows.map((r) => ({ year: r.year.value, value: r.value.value })),
      source: v('source'),
      frequency: v('frequency'),
      responsible: v('responsible'),
    };
  }

  protected check() {
    return checkIndicator(this.draft());
  }

  protected fieldOf(name: string) {
    const m = /^target(Year|Value):(\d+)$/.exec(name);
    if (m) {
      const row = this.rows[Number(m[2])];
      return row ? { control: m[1] === 'Year' ? row.year : row.value, error: row.error } : null;
    }
    if (name === 'targets') return { control: this.rows[0]?.year ?? this.addTarget, error: this.targetsError };
    const f = this.fields[name];
    return f ? { control: f.control, error: f.error } : null;
  }

  protected allFields() {
    return [
      ...Object.values(this.fields).map((f) => ({ control: f.control as HTMLElement, error: f.error })),
      ...this.rows.flatMap((r) => [
        { control: r.year as HTMLElement, error: r.error },
        { control: r.value as HTMLElement, error: r.error },
      ]),
      { control: this.addTarget as HTMLElement, error: this.targetsError },
    ];
  }
}

export interface ReportFormOptions {
  heading: string;
  unit: string;
  draft: ReportDraft;
  submit: Submit<ReportFields>;
  cancel: () => void;
}

/** ReportForm reports a value of an indicator: its date, the value and a note. */
export class ReportForm extends FormBase<ReportFields> {
  private readonly fields: Record<string, Field>;

  constructor(o: ReportFormOptions) {
    super(o.heading, 'h6', 'report-form', t('scorecard.reportForm.save'), o.submit, o.cancel);
    const note = h('textarea', { rows: '2', 'data-testid': 'report-note' });
    note.value = o.draft.note;
    this.fields = {
      date: field(t('scorecard.reportForm.date'), h('input', { type: 'date', value: o.draft.date, min: '2000-01-01', max: '2100-12-31', 'data-testid': 'report-date', 'aria-required': 'true' })),
      value: field(
        o.unit ? t('scorecard.reportForm.valueUnit', { unit: o.unit }) : t('scorecard.reportForm.value'),
        h('input', { type: 'text', value: o.draft.value, inputmode: 'decimal', autocomplete: 'off', 'data-testid': 'report-value', 'aria-required': 'true' }),
      ),
      note: field(t('scorecard.reportForm.note'), note),
    };
    this.element.append(h('div', { class: 'pair' }, this.fields.date!.element, this.fields.value!.element), this.fields.note!.element);
    this.finish();
  }

  protected check() {
    const v = (name: string) => this.fields[name]!.control.value;
    return checkReport({ date: v('date'), value: v('value'), note: v('note') });
  }

  protected fieldOf(name: string) {
    const f = this.fields[name];
    return f ? { control: f.control, error: f.error } : null;
  }

  protected allFields() {
    return Object.values(this.fields).map((f) => ({ control: f.control as HTMLElement, error: f.error }));
  }
}
