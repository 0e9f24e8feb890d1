// The checks of the scorecard's forms, the same as the server's
// (collab/content.go: Indicator.clean, checkPoint, checkValue;
// Plans.ReportIndicator), so a person learns what is wrong beside the field
// before anything is sent. The server checks again.
import type { IndicatorFrequency } from '../api/types';
import { FREQUENCIES, type IndicatorFields, type ReportFields } from './api';
import { parseDecimal, parseYear } from './number';
import { isDate } from './status';

export const MIN_YEAR = 2000;
export const MAX_YEAR = 2100;
export const MAX_ABS = 1e15;
export const MAX_TARGETS = 40;
export const MAX_TITLE = 200;
export const MAX_DEFINITION = 5000;
export const MAX_UNIT = 50;
export const MAX_NOTE = 1000;

/** What is wrong, as a message key of the scorecard with its parameters. */
export type ProblemKey =
  | 'required'
  | 'tooLong'
  | 'control'
  | 'number'
  | 'range'
  | 'year'
  | 'targetAfter'
  | 'targetTwice'
  | 'noTargets'
  | 'tooManyTargets'
  | 'date'
  | 'goal'
  | 'frequency';

/** A problem with one field; field names the input (targets: "targetYear:2", "targetValue:2", or "targets"). */
export interface Problem {
  field: string;
  key: ProblemKey;
  params?: Record<string, string | number>;
}

/** The indicator form as typed. */
export interface IndicatorDraft {
  goal: string;
  name: string;
  definition: string;
  unit: string;
  baselineValue: string;
  baselineYear: string;
  targets: { year: string; value: string }[];
  source: string;
  frequency: string;
  responsible: string;
}

/** The report form as typed. */
export interface ReportDraft {
  date: string;
  value: string;
  note: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

// A character as the server counts it (a Unicode code point).
const length = (s: string) => [...s].length;

// controlChars finds what the server refuses in text: control characters,
// but line breaks and tabs where the text may have several lines.
function controlChars(s: string, multiline: boolean): boolean {
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if ((c < 0x20 || c === 0x7f) && !(multiline && (ch === '\n' || ch === '\t'))) return true;
  }
  return false;
}

function text(problems: Problem[], field: string, raw: string, max: number, o: { required?: boolean; multiline?: boolean } = {}): string {
  const s = raw.trim();
  if (o.required && s === '') problems.push({ field, key: 'required' });
  else if (length(s) > max) problems.push({ field, key: 'tooLong', params: { max } });
  else if (controlChars(s, o.multiline ?? false)) problems.push({ field, key: 'control' });
  return s;
}

function value(problems: Problem[], field: string, raw: string): number {
  if (raw.trim() === '') {
    problems.push({ field, key: 'required' });
    return NaN;
  }
  const n = parseDecimal(raw);
  if (n === null) problems.push({ field, key: 'number' });
  else if (Math.abs(n) > MAX_ABS) problems.push({ field, key: 'range' });
  return n ?? NaN;
}

function year(problems: Problem[], field: string, raw: string): number {
  const y = parseYear(raw);
  if (raw.trim() === '') problems.push({ field, key: 'required' });
  else if (y === null || y < MIN_YEAR || y > MAX_YEAR) problems.push({ field, key: 'year', params: { min: MIN_YEAR, max: MAX_YEAR } });
  return y ?? NaN;
}

/**
 * checkIndicator turns the form into the indicator's fields, or lists what
 * is wrong. A target row left wholly empty is no target.
 */
export function checkIndicator(d: IndicatorDraft): Checked<IndicatorFields> {
  const problems: Problem[] = [];
  if (d.goal === '') problems.push({ field: 'goal', key: 'goal' });
  const name = text(problems, 'name', d.name, MAX_TITLE, { required: true });
  const definition = text(problems, 'definition', d.definition, MAX_DEFINITION, { multiline: true });
  const unit = text(problems, 'unit', d.unit, MAX_UNIT);
  const baseValue = value(problems, 'baselineValue', d.baselineValue);
  const baseYear = year(problems, 'baselineYear', d.baselineYear);
  const targets: { year: number; value: number }[] = [];
  const rows = d.targets.map((t, i) => ({ ...t, i })).filter((t) => t.year.trim() !== '' || t.value.trim() !== '');
  if (rows.length === 0) problems.push({ field: 'targets', key: 'noTargets' });
  else if (rows.length > MAX_TARGETS) problems.push({ field: 'targets', key: 'tooManyTargets', params: { max: MAX_TARGETS } });
  const seen = new Set<number>();
  for (const r of rows) {
    const before = problems.length;
    const y = year(problems, `targetYear:${r.i}`, r.year);
    if (problems.length === before && Number.isFinite(baseYear) && y <= baseYear) problems.push({ field: `targetYear:${r.i}`, key: 'targetAfter', params: { year: baseYear } });
    else if (problems.length === before && seen.has(y)) problems.push({ field: `targetYear:${r.i}`, key: 'targetTwice', params: { year: y } });
    seen.add(y);
    targets.push({ year: y, value: value(problems, `targetValue:${r.i}`, r.value) });
  }
  const source = text(problems, 'source', d.source, MAX_TITLE);
  if (!(FREQUENCIES as string[]).includes(d.frequency)) problems.push({ field: 'frequency', key: 'frequency' });
  const responsible = text(problems, 'responsible', d.responsible, MAX_TITLE);
  if (problems.length > 0) return { ok: false, problems };
  targets.sort((a, b) => a.year - b.year);
  return {
    ok: true,
    value: {
      goal: d.goal,
      name,
      definition,
      unit,
      baseline: { value: baseValue, year: baseYear },
      targets,
      source,
      frequency: d.frequency as IndicatorFrequency,
      responsible,
    },
  };
}

/** checkReport turns the report form into a report, or lists what is wrong. */
export function checkReport(d: ReportDraft): Checked<ReportFields> {
  const problems: Problem[] = [];
  const date = d.date.trim();
  if (date === '') problems.push({ field: 'date', key: 'required' });
  else if (!isDate(date) || Number(date.slice(0, 4)) < MIN_YEAR || Number(date.slice(0, 4)) > MAX_YEAR) problems.push({ field: 'date', key: 'date', params: { min: MIN_YEAR, max: MAX_YEAR } });
  const v = value(problems, 'value', d.value);
  const note = text(problems, 'note', d.note, MAX_NOTE, { multiline: true });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: { date, value: v, note } };
}

/**
 * serverField returns the field a server's invalid message names
 * ("targets: year 2024 is not after …", "name is longer than …"), so the
 * message can say which field it was; null when it names none we know.
 */
export function serverField(message: string): string | null {
  const m = /^(goal|name|definition|unit|baseline|targets|source|frequency|responsible|date|value|note)\b/.exec(message.trim());
  return m ? m[1]! : null;
}

/**
 * changedFields returns the fields of after that differ from before: a
 * change sends only what the user changed, so what someone else changed
 * meanwhile in the other fields stays (after a conflict, too).
 */
export function changedFields(before: IndicatorFields, after: IndicatorFields): Partial<IndicatorFields> {
  const out: Partial<IndicatorFields> = {};
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  for (const k of Object.keys(after) as (keyof IndicatorFields)[]) {
    if (!same(before[k], after[k])) (out as Record<string, unknown>)[k] = after[k];
  }
  return out;
}
