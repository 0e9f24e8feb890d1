// The form of a measure (tiltak): every field of docs/content.md and the
// cost grid, checked in the browser as the server checks (measure.ts)
// before it is sent; the server's refusal is shown too.
import type { MeasureFields } from '../api/content';
import { MEASURE_PRIORITIES, MEASURE_STATUSES, type Goal, type Measure, type MeasurePriority, type MeasureStatus, type Period } from '../api/types';
import { h, uniqueId } from '../dom';
import { t, type MessageKey } from '../i18n';
import { CostGrid } from './costgrid';
import { field, openFormDialog } from './formdialog';
import { checkDraft, costYears, DESCRIPTION_MAX, draftOf, newDraft, periodYears, SHORT_MAX, TITLE_MAX, type FieldProblem, type MeasureDraft, type MeasureField } from './measure';

export interface MeasureFormOptions {
  /** The measure to edit; none for a new one. */
  measure?: Measure;
  areaTitle: string;
  period: Period;
  /** The goals of the measure's target area. */
  goals: Goal[];
  /** save sends the fields; it returns null when saved, else the problem to show. */
  save: (fields: MeasureFields) => Promise<string | null>;
}

/** problemMessage is the text of a problem the checks found. */
export function problemMessage(p: FieldProblem): string {
  return t(p.key, p.params);
}

/** openMeasureForm shows the form; it resolves true when the measure was saved. */
export function openMeasureForm(o: MeasureFormOptions): Promise<boolean> {
  const d: MeasureDraft = o.measure ? draftOf(o.measure) : newDraft(o.period);
  const years = periodYears(o.period);
  const yearOptions = (current: string) => {
    const ys = [...years];
    const have = Number(current);
    if (current && !ys.includes(have) && Number.isInteger(have)) ys.push(have);
    return ys.sort((a, b) => a - b).map((y) => h('option', { value: String(y), selected: String(y) === current }, String(y)));
  };

  const title = field(t('content.field.title'), h('input', { type: 'text', required: true, maxlength: String(TITLE_MAX), autocomplete: 'off', 'data-testid': 'measure-title', value: d.title }));
  const description = field(t('content.field.description'), h('textarea', { rows: '4', maxlength: String(DESCRIPTION_MAX), 'data-testid': 'measure-description' }));
  description.control.value = d.description;
  const unit = field(t('content.field.unit'), h('input', { type: 'text', maxlength: String(SHORT_MAX), autocomplete: 'off', 'data-testid': 'measure-unit', value: d.unit }));
  const targetGroup = field(t('content.field.targetGroup'), h('input', { type: 'text', maxlength: String(SHORT_MAX), autocomplete: 'off', 'data-testid': 'measure-target-group', value: d.target_group }));
  const start = field(t('content.field.startYear'), h('select', { 'data-testid': 'measure-start' }, yearOptions(d.start_year)));
  const end = field(t('content.field.endYear'), h('select', { 'data-testid': 'measure-end' }, yearOptions(d.end_year)));
  const priority = field(
    t('content.field.priority'),
    h('select', { 'data-testid': 'measure-priority' }, MEASURE_PRIORITIES.map((p) => h('option', { value: p, selected: p === d.priority }, t(`content.priority.${p}` as MessageKey)))),
  );
  const status = field(
    t('content.field.status'),
    h('select', { 'data-testid': 'measure-status' }, MEASURE_STATUSES.map((s) => h('option', { value: s, selected: s === d.status }, t(`content.mstatus.${s}` as MessageKey)))),
  );

  const goalBoxes = o.goals.map((g) => {
    const id = uniqueId('measure-goal');
    const box = h('input', { type: 'checkbox', id, value: g.id, checked: d.goals.includes(g.id), 'data-testid': 'measure-goal' });
    return { box, row: h('li', null, box, ' ', h('label', { for: id }, g.title)) };
  });
  const goals = h(
    'fieldset',
    { class: 'goal-choices' },
    h('legend', null, t('content.field.goals')),
    goalBoxes.length > 0 ? h('ul', { class: 'checklist' }, goalBoxes.map((g) => g.row)) : h('p', { class: 'hint' }, t('content.goals.none')),
  );

  const grid = new CostGrid(d.costs);
  const read = () => {
    d.title = title.control.value;
    d.description = description.control.value;
    d.unit = unit.control.value;
    d.target_group = targetGroup.control.value;
    d.start_year = start.control.value;
    d.end_year = end.control.value;
    d.priority = priority.control.value as MeasurePriority;
    d.status = status.control.value as MeasureStatus;
    d.goals = goalBoxes.filter((g) => g.box.checked).map((g) => g.box.value);
  };
  const showYears = () => {
    read();
    grid.setYears(costYears(d, o.period));
  };
  start.control.addEventListener('change', showYears);
  end.control.addEventListener('change', showYears);
  showYears();

  const fields: Record<Exclude<MeasureField, 'costs'>, { setProblem(text: string): void }> = {
    title,
    description,
    unit,
    target_group: targetGroup,
    start_year: start,
    end_year: end,
  };

  const body = h(
    'div',
    { class: 'measure-form' },
    title.row,
    description.row,
    goals,
    h('div', { class: 'field-row' }, unit.row, targetGroup.row),
    h('div', { class: 'field-row' }, start.row, end.row, priority.row, status.row),
    grid.element,
  );

  return openFormDialog({
    heading: o.measure ? t('content.measure.editHeading', { title: o.measure.title }) : t('content.measure.addHeading', { area: o.areaTitle }),
    body,
    submit: t('content.save'),
    testid: 'measure-form',
    wide: true,
    save: async () => {
      read();
      const checked = checkDraft(d, o.period);
      for (const f of Object.values(fields)) f.setProblem('');
      if (!checked.ok) {
        for (const p of checked.problems) if (p.field !== 'costs') fields[p.field].setProblem(problemMessage(p));
        grid.setProblems(checked.problems);
        return `${t('content.form.problems')} ${checked.problems.map(problemMessage).join(' ')}`;
      }
      grid.setProblems([]);
      return o.save(checked.fields);
    },
  });
}
