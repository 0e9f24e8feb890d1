// The traffic light of an indicator (docs/content.md, "Traffic light
// rule"), the same rule the server computes Indicator.status with: the
// expected value on a date is interpolated linearly between the baseline
// (on 1 July of its year) and the targets (each on 31 December of its
// year), and after the last target it is the last target. Time runs in
// decimal years, as the server counts (collab/scorecard.go). The UI uses it
// to show the expected value now and on the latest report's date; the
// status shown is always the server's.
import type { Indicator, IndicatorReport, IndicatorStatus } from '../api/types';

/** Course is the part of an indicator the rule reads: where it starts and where it is to go. */
export type Course = Pick<Indicator, 'baseline' | 'targets'>;

/**
 * A point of the planned path: a time as a decimal year (the year plus the
 * share of it passed before the day, as the server counts) and the value
 * expected then.
 */
export interface PathPoint {
  t: number;
  value: number;
}

/** isDate reports whether s is a date YYYY-MM-DD that exists. */
export function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const back = new Date(Date.UTC(y, mo - 1, d));
  return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d;
}

/** decimalYear returns the year of a day plus the share of the year passed before it: 1 January is year + 0. */
export function decimalYear(year: number, month: number, day: number): number {
  const start = Date.UTC(year, 0, 1);
  const days = (Date.UTC(year + 1, 0, 1) - start) / 86_400_000;
  return year + (Date.UTC(year, month - 1, day) - start) / 86_400_000 / days;
}

/** timeOf returns the decimal year of a date YYYY-MM-DD, or NaN when it is not a real date. */
export function timeOf(date: string): number {
  if (!isDate(date)) return NaN;
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return decimalYear(y, m, d);
}

/** baselineTime is 1 July of the baseline year: the baseline is a value for that year. */
export const baselineTime = (year: number): number => decimalYear(year, 7, 1);

/** targetTime is 31 December of a target's year: the target is to be reached by the end of it. */
export const targetTime = (year: number): number => decimalYear(year, 12, 31);

/** plannedPath returns the baseline and the targets as points in time, in order. */
export function plannedPath(p: Course): PathPoint[] {
  const targets = [...p.targets].sort((a, b) => a.year - b.year);
  return [{ t: baselineTime(p.baseline.year), value: p.baseline.value }, ...targets.map((x) => ({ t: targetTime(x.year), value: x.value }))];
}

/** lastTarget returns the value of the latest target (the baseline's when there is none). */
export function lastTarget(p: Course): number {
  let best: { year: number; value: number } | null = null;
  for (const t of p.targets) if (!best || t.year >= best.year) best = t;
  return best ? best.value : p.baseline.value;
}

/** direction is up when the last target is above the baseline, else down. */
export function direction(p: Course): 'up' | 'down' {
  return lastTarget(p) > p.baseline.value ? 'up' : 'down';
}

/** tolerance is 10 % of the distance from the baseline to the last target (at least 0.000001). */
export function tolerance(p: Course): number {
  return Math.max(Math.abs(lastTarget(p) - p.baseline.value) * 0.1, 0.000001);
}

/**
 * expectedAt returns the value expected at time t (a decimal year):
 * linear between the points of the planned path, the last target after it
 * and the baseline before it.
 */
export function expectedAt(p: Course, t: number): number {
  const path = plannedPath(p);
  const first = path[0]!;
  if (t <= first.t) return first.value;
  for (let i = 1; i < path.length; i++) {
    const a = path[i - 1]!;
    const b = path[i]!;
    if (t <= b.t) return a.value + ((b.value - a.value) * (t - a.t)) / (b.t - a.t);
  }
  return path[path.length - 1]!.value;
}

/** latestReport returns the report with the latest date (of equal dates, the last one listed). */
export function latestReport<R extends Pick<IndicatorReport, 'date'>>(reports: readonly R[]): R | null {
  let best: R | null = null;
  for (const r of reports) if (!best || r.date >= best.date) best = r;
  return best;
}

/** What the rule found for one reported value. */
export interface Judgement {
  status: Exclude<IndicatorStatus, 'no_data'>;
  /** The value expected on the report's date. */
  expected: number;
  /** reported − expected, with the sign turned when the indicator should go down: ≥ 0 is at or better than expected. */
  gap: number;
  tolerance: number;
}

/** judge applies the traffic light rule to a value reported on a date (YYYY-MM-DD). */
export function judge(p: Course, date: string, value: number): Judgement {
  const expected = expectedAt(p, timeOf(date));
  const tol = tolerance(p);
  const raw = value - expected;
  const gap = direction(p) === 'up' ? raw : -raw;
  const status = gap >= 0 ? 'on_track' : gap >= -tol ? 'at_risk' : 'off_track';
  return { status, expected, gap, tolerance: tol };
}

/** trafficLight returns the status of an indicator from its latest report by date (no data without a target, as the server says). */
export function trafficLight(ind: Course & Pick<Indicator, 'reports'>): IndicatorStatus {
  const last = latestReport(ind.reports);
  if (!last || ind.targets.length === 0 || !isDate(last.date)) return 'no_data';
  return judge(ind, last.date, last.value).status;
}

/** todayInOslo returns today's date (YYYY-MM-DD) in Norway. */
export function todayInOslo(now: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo', year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}
