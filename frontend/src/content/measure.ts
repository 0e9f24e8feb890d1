// A measure's form as data: the draft the user edits (text as typed), the
// checks the server makes too (docs/content.md: title 1–200 characters,
// description ≤ 5000, unit and target group ≤ 200, start and end year
// within the plan's period with end ≥ start, whole non-negative kroner,
// each cost year at most once and within the measure's years), and the
// fields sent once they pass. The server checks again; its refusals are
// shown as well.
import type { MeasureFields } from '../api/content';
import type { CostLine, Measure, MeasurePriority, MeasureStatus, Period } from '../api/types';
import { parseKroner } from './money';

/** The amounts of one year as typed. */
export interface CostDraft {
  investment: string;
  operating: string;
}

export interface MeasureDraft {
  title: string;
  description: string;
  goals: string[];
  unit: string;
  start_year: string;
  end_year: string;
  priority: MeasurePriority;
  target_group: string;
  status: MeasureStatus;
  /** By year; years outside start … end are kept while typing but not sent. */
  costs: Map<number, CostDraft>;
}

export type MeasureField = 'title' | 'description' | 'unit' | 'start_year' | 'end_year' | 'target_group' | 'costs';

/** A problem with one field: a message key of the catalogue and its parameters. */
export interface FieldProblem {
  field: MeasureField;
  /** For a cost: the year and column. */
  year?: number;
  column?: 'investment' | 'operating';
  key: ProblemKey;
  params?: Record<string, string | number>;
}

export type ProblemKey =
  | 'content.invalid.titleRequired'
  | 'content.invalid.tooLong'
  | 'content.invalid.year'
  | 'content.invalid.yearOutside'
  | 'content.invalid.endBeforeStart'
  | 'content.invalid.amount';

export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 5000;
export const SHORT_MAX = 200;

/** defaultPeriod is what a plan without a period gets: the four years after this one. */
export function defaultPeriod(now = new Date()): Period {
  const y = now.getFullYear();
  return { from: y + 1, to: y + 4 };
}

/** periodYears lists the years of a period, first to last. */
export function periodYears(p: Period): number[] {
  const out: number[] = [];
  for (let y = p.from; y <= p.to && out.length < 100; y++) out.push(y);
  return out;
}

/** newDraft is the form of a new measure: over the whole period, medium priority, planned. */
export function newDraft(period: Period): MeasureDraft {
  return {
    title: '',
    description: '',
    goals: [],
    unit: '',
    start_year: String(period.from),
    end_year: String(period.to),
    priority: 'medium',
    target_group: '',
    status: 'planned',
    costs: new Map(),
  };
}

/** draftOf is the form of an existing measure. */
export function draftOf(m: Measure): MeasureDraft {
  return {
    title: m.title,
    description: m.description,
    goals: [...(m.goals ?? [])],
    unit: m.unit,
    start_year: String(m.start_year),
    end_year: String(m.end_year),
    priority: m.priority,
    target_group: m.target_group,
    status: m.status,
    costs: new Map((m.costs ?? []).map((c) => [c.year, { investment: c.investment ? String(c.investment) : '', operating: c.operating ? String(c.operating) : '' }])),
  };
}

function year(s: string): number | null {
  return /^\s*\d{4}\s*$/.test(s) ? Number(s) : null;
}

/**
 * costYears returns the rows of the cost grid: the years from start to
 * end when both are years of the period (at most the period's length), else none.
 */
export function costYears(d: Pick<MeasureDraft, 'start_year' | 'end_year'>, period: Period): number[] {
  const from = year(d.start_year);
  const to = year(d.end_year);
  if (from === null || to === null || to < from || from < period.from || to > period.to) return [];
  const out: number[] = [];
  for (let y = from; y <= to; y++) out.push(y);
  return out;
}

/** The result of checking a draft: the fields to send, or the problems. */
export type Checked = { ok: true; fields: MeasureFields } | { ok: false; problems: FieldProblem[] };

/**
 * checkDraft checks a draft as the server would and returns the fields to
 * send (trimmed texts, whole years and kroner, the costs of the measure's
 * years without the empty ones), or every problem found.
 */
export function checkDraft(d: MeasureDraft, period: Period): Checked {
  const problems: FieldProblem[] = [];
  const title = d.title.trim();
  if (title === '') problems.push({ field: 'title', key: 'content.invalid.titleRequired' });
  else if ([...title].length > TITLE_MAX) problems.push({ field: 'title', key: 'content.invalid.tooLong', params: { max: TITLE_MAX } });
  const description = d.description.trim();
  if ([...description].length > DESCRIPTION_MAX) problems.push({ field: 'description', key: 'content.invalid.tooLong', params: { max: DESCRIPTION_MAX } });
  const unit = d.unit.trim();
  if ([...unit].length > SHORT_MAX) problems.push({ field: 'unit', key: 'content.invalid.tooLong', params: { max: SHORT_MAX } });
  const targetGroup = d.target_group.trim();
  if ([...targetGroup].length > SHORT_MAX) problems.push({ field: 'target_group', key: 'content.invalid.tooLong', params: { max: SHORT_MAX } });

  const start = year(d.start_year);
  const end = year(d.end_year);
  const range = { from: period.from, to: period.to };
  if (start === null) problems.push({ field: 'start_year', key: 'content.invalid.year' });
  else if (start < period.from || start > period.to) problems.push({ field: 'start_year', key: 'content.invalid.yearOutside', params: range });
  if (end === null) problems.push({ field: 'end_year', key: 'content.invalid.year' });
  else if (end < period.from || end > period.to) problems.push({ field: 'end_year', key: 'content.invalid.yearOutside', params: range });
  if (start !== null && end !== null && end < start) problems.push({ field: 'end_year', key: 'content.invalid.endBeforeStart', params: { start } });

  const costs: CostLine[] = [];
  for (const y of costYears(d, period)) {
    const c = d.costs.get(y);
    const investment = parseKroner(c?.investment ?? '');
    const operating = parseKroner(c?.operating ?? '');
    if (investment === null) problems.push({ field: 'costs', year: y, column: 'investment', key: 'content.invalid.amount', params: { year: y } });
    if (operating === null) problems.push({ field: 'costs', year: y, column: 'operating', key: 'content.invalid.amount', params: { year: y } });
    if (investment !== null && operating !== null && (investment > 0 || operating > 0)) costs.push({ year: y, investment, operating });
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    fields: {
      title,
      description,
      goals: [...new Set(d.goals)],
      unit,
      start_year: start!,
      end_year: end!,
      priority: d.priority,
      target_group: targetGroup,
      status: d.status,
      costs,
    },
  };
}

/** measureTotals sums a measure's costs. */
export function measureTotals(costs: readonly CostLine[] | undefined): { investment: number; operating: number; total: number } {
  let investment = 0;
  let operating = 0;
  for (const c of costs ?? []) {
    investment += c.investment;
    operating += c.operating;
  }
  return { investment, operating, total: investment + operating };
}
