// The geometry of an indicator's chart, as pure functions: scales from
// values and time (decimal years, as status.ts counts) to pixels, round
// ticks on the value axis, the years on the time axis, and the SVG paths
// of the planned and the reported values.
// chart.ts draws what chartModel computes.
import type { Indicator } from '../api/types';
import { baselineTime, plannedPath, targetTime, timeOf } from './status';

/** linearScale maps [d0, d1] onto [r0, r1]; an empty domain maps to the middle of the range. */
export function linearScale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  if (d1 === d0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** niceStep returns a round step (1, 2 or 5 times a power of ten) that cuts span into about count parts. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const pow = 10 ** Math.floor(Math.log10(raw));
  const f = raw / pow;
  const m = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return m * pow;
}

/** decimalsOf returns how many decimals a round step needs (0.05 → 2, 5 → 0). */
export function decimalsOf(step: number): number {
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}

/**
 * valueTicks returns round values, evenly spaced, from at or below min to
 * at or above max (at most about count + 2 of them). Equal values get a band around
 * them (0 gets 0 … 1), so a flat line sits inside the axis.
 */
export function valueTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (min > max) [min, max] = [max, min];
  if (min === max) {
    if (min === 0) return [0, 0.25, 0.5, 0.75, 1];
    const pad = Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  const step = niceStep(max - min, count);
  const decimals = decimalsOf(step);
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  const ticks: number[] = [];
  // Multiples of step, rounded to its decimals: no 0.30000000000000004.
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toFixed(decimals)) || 0);
  return ticks;
}

/** yearsBetween returns the whole years from the one of time `from` to the one of time `to` (decimal years). */
export function yearsBetween(from: number, to: number): number[] {
  const out: number[] = [];
  for (let y = Math.floor(from); y <= Math.floor(to); y++) out.push(y);
  return out;
}

export interface Point {
  x: number;
  y: number;
}

const r2 = (n: number) => Math.round(n * 100) / 100;

/** linePath returns the SVG path through the points ("" for none, a lone move for one). */
export function linePath(points: readonly Point[]): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${r2(p.x)},${r2(p.y)}`).join('');
}

/** The size of a chart and the room for its axes. */
export interface ChartSize {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export const DEFAULT_SIZE: ChartSize = { width: 560, height: 240, left: 64, right: 20, top: 28, bottom: 36 };

export interface ChartPoint extends Point {
  value: number;
}

/** Everything chart.ts draws, in pixels. */
export interface ChartModel {
  size: ChartSize;
  /** The value ticks, bottom to top. */
  ticks: (Point & { value: number; decimals: number })[];
  /** The years: their boundary lines (x0, x1) and the middle for the label. */
  years: { year: number; x0: number; x1: number; mid: number; label: boolean }[];
  baseline: ChartPoint & { year: number };
  targets: (ChartPoint & { year: number })[];
  reports: (ChartPoint & { id: string; date: string })[];
  /** The dashed line of the planned path: baseline, then the targets in order. */
  planned: string;
  /** The solid line of the reported values in the order of their dates. */
  actual: string;
}

/** The parts of an indicator the chart shows. */
export type Charted = Pick<Indicator, 'baseline' | 'targets' | 'reports'>;

/**
 * chartModel lays out an indicator's chart: time runs from the start of
 * the first year shown to the end of the last (the baseline's year to the
 * last target's, widened to take in every report), values over round
 * ticks that take in the baseline, the targets and every report.
 */
export function chartModel(ind: Charted, size: ChartSize = DEFAULT_SIZE): ChartModel {
  const path = plannedPath(ind);
  const reports = ind.reports
    .map((r) => ({ id: r.id, date: r.date, t: timeOf(r.date), value: r.value }))
    .filter((r) => Number.isFinite(r.t))
    .sort((a, b) => a.t - b.t);
  const times = [...path.map((p) => p.t), ...reports.map((r) => r.t)];
  const values = [...path.map((p) => p.value), ...reports.map((r) => r.value)];
  const years = yearsBetween(Math.min(...times), Math.max(...times));
  const x = linearScale(years[0]!, years[years.length - 1]! + 1, size.left, size.width - size.right);
  const tickValues = valueTicks(Math.min(...values), Math.max(...values));
  const lo = tickValues[0]!;
  const hi = tickValues[tickValues.length - 1]!;
  const y = linearScale(lo, hi, size.height - size.bottom, size.top);
  const decimals = tickValues.length > 1 ? decimalsOf(tickValues[1]! - tickValues[0]!) : 0;
  // Every year is labelled while there is room (about 40 px a label).
  const every = Math.max(1, Math.ceil((years.length * 40) / (size.width - size.left - size.right)));
  const baseline = { x: x(baselineTime(ind.baseline.year)), y: y(ind.baseline.value), value: ind.baseline.value, year: ind.baseline.year };
  const targets = [...ind.targets].sort((a, b) => a.year - b.year).map((t) => ({ x: x(targetTime(t.year)), y: y(t.value), value: t.value, year: t.year }));
  const shown = reports.map((r) => ({ id: r.id, date: r.date, x: x(r.t), y: y(r.value), value: r.value }));
  return {
    size,
    ticks: tickValues.map((v) => ({ value: v, decimals, x: size.left, y: y(v) })),
    years: years.map((year, i) => ({ year, x0: x(year), x1: x(year + 1), mid: (x(year) + x(year + 1)) / 2, label: (years.length - 1 - i) % every === 0 })),
    baseline,
    targets,
    reports: shown,
    planned: linePath([baseline, ...targets]),
    actual: linePath(shown),
  };
}
