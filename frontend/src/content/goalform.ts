// The forms of a goal (mål) and a strategy of a target area: a title
// (1–200 characters), a description (at most 5000) and, for a strategy,
// the goals of the area it works towards.
import type { GoalFields, StrategyFields } from '../api/content';
import type { Goal } from '../api/types';
import { h, uniqueId } from '../dom';
import { t } from '../i18n';
import { field, openFormDialog } from './formdialog';
import { DESCRIPTION_MAX, TITLE_MAX } from './measure';

/** checkTitled checks a title and a description; it returns the problems by field. */
export function checkTitled(title: string, description: string): { title?: string; description?: string } {
  const out: { title?: string; description?: string } = {};
  const tt = title.trim();
  if (tt === '') out.title = t('content.invalid.titleRequired');
  else if ([...tt].length > TITLE_MAX) out.title = t('content.invalid.tooLong', { max: TITLE_MAX });
  if ([...description.trim()].length > DESCRIPTION_MAX) out.description = t('content.invalid.tooLong', { max: DESCRIPTION_MAX });
  return out;
}

interface TitledOptions<F> {
  heading: string;
  testid: string;
  title?: string;
  description?: string;
  /** For a strategy: the goals to choose from, and those chosen. */
  goals?: { all: Goal[]; chosen: string[] };
  save: (fields: F) => Promise<string | null>;
}

function openTitledForm<F extends GoalFields>(o: TitledOptions<F>, build: (title: string, description: string, goals: string[]) => F): Promise<boolean> {
  const title = field(t('content.field.title'), h('input', { type: 'text', required: true, maxlength: String(TITLE_MAX), autocomplete: 'off', 'data-testid': `${o.testid}-title`, value: o.title ?? '' }));
  const description = field(t('content.field.description'), h('textarea', { rows: '4', maxlength: String(DESCRIPTION_MAX), 'data-testid': `${o.testid}-description` }));
  description.control.value = o.description ?? '';
  const boxes = (o.goals?.all ?? []).map((g) => {
    const id = uniqueId('strategy-goal');
    const box = h('input', { type: 'checkbox', id, value: g.id, checked: o.goals?.chosen.includes(g.id) ?? false });
    return { box, row: h('li', null, box, ' ', h('label', { for: id }, g.title)) };
  });
  const goals = o.goals
    ? h(
        'fieldset',
        { class: 'goal-choices' },
        h('legend', null, t('content.field.strategyGoals')),
        boxes.length > 0 ? h('ul', { class: 'checklist' }, boxes.map((b) => b.row)) : h('p', { class: 'hint' }, t('content.goals.none')),
      )
    : null;
  return openFormDialog({
    heading: o.heading,
    body: h('div', { class: 'titled-form' }, title.row, description.row, goals),
    submit: t('content.save'),
    testid: o.testid,
    save: async () => {
      const problems = checkTitled(title.control.value, description.control.value);
      title.setProblem(problems.title ?? '');
      description.setProblem(problems.description ?? '');
      const first = problems.title ?? problems.description;
      if (first) return `${t('content.form.problems')} ${first}`;
      const chosen = boxes.filter((b) => b.box.checked).map((b) => b.box.value);
      return o.save(build(title.control.value.trim(), description.control.value.trim(), chosen));
    },
  });
}

export function openGoalForm(o: Omit<TitledOptions<GoalFields>, 'goals'>): Promise<boolean> {
  return openTitledForm<GoalFields>(o, (title, description) => ({ title, description }));
}

export function openStrategyForm(o: TitledOptions<StrategyFields> & { goals: { all: Goal[]; chosen: string[] } }): Promise<boolean> {
  return openTitledForm<StrategyFields>(o, (title, description, goals) => ({ title, description, goals }));
}
