// A section's history and times as words: "la til 12 tegn, slettet 3
// tegn", "godtok forslag fra Kari", "for 5 minutter siden".
import type { HistoryGroup } from '../api/types';
import { lang, t } from '../i18n';

/** describeGroup says what a history group did, in the user's language. */
export function describeGroup(g: HistoryGroup, names: Record<string, string>): string {
  if (g.kind === 'lock') return t('history.locked');
  if (g.kind === 'unlock') return t('history.unlocked');
  if (g.suggestion) {
    const who = (g.suggested_by && names[g.suggested_by]) || t('review.unknown');
    return t('history.acceptedSuggestion', { name: who });
  }
  const parts: string[] = [];
  if (g.inserted > 0) parts.push(t('history.inserted', { n: g.inserted }));
  if (g.deleted > 0) parts.push(t('history.deleted', { n: g.deleted }));
  if (g.formatted > 0) parts.push(t('history.formatted', { n: g.formatted }));
  if (parts.length === 0) return t('history.changed');
  if (parts.length === 1) return parts[0]!;
  return `${parts.slice(0, -1).join(', ')} ${t('history.and')} ${parts[parts.length - 1]}`;
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** relativeParts returns how long ago `then` was as a count of the largest whole unit, or null for "just now" (under 45 s, or in the future). */
export function relativeParts(then: number, now: number): { value: number; unit: Intl.RelativeTimeFormatUnit } | null {
  const s = (now - then) / 1000;
  if (s < 45) return null;
  for (const [unit, size] of UNITS) {
    if (s >= size) return { value: Math.round(s / size) || 1, unit };
  }
  return { value: 1, unit: 'minute' };
}

/** relativeTime says how long ago an ISO time was ("for 5 minutter siden"). */
export function relativeTime(iso: string, now = Date.now()): string {
  const then = Date.parse(iso);
  if (!Number.isFinite(then)) return '';
  const p = relativeParts(then, now);
  if (!p) return t('time.justNow');
  return formatter(relativeFormats, () => new Intl.RelativeTimeFormat(lang(), { numeric: 'auto' })).format(-p.value, p.unit);
}

/** absoluteTime is the exact time, for a tooltip and the datetime's text. */
export function absoluteTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return formatter(absoluteFormats, () => new Intl.DateTimeFormat(lang(), { dateStyle: 'long', timeStyle: 'short' })).format(d);
}

// The formatters by language: making one costs more than formatting with
// it, and a panel of fifty comments formats a hundred times.
const relativeFormats = new Map<string, Intl.RelativeTimeFormat>();
const absoluteFormats = new Map<string, Intl.DateTimeFormat>();

function formatter<F>(cache: Map<string, F>, make: () => F): F {
  const l = lang();
  let f = cache.get(l);
  if (!f) {
    f = make();
    cache.set(l, f);
  }
  return f;
}
