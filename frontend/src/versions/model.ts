// The pure parts of the Versjoner view: a section's word diff as parts to
// show (long unchanged stretches cut down to their context), the parts
// as <ins>/<del> with visible marks and words for screen readers (never
// colour alone), the rows of the measure and cost table, and who may
// restore what.
import { has, t, type MessageKey } from '../i18n';
import { formatKroner } from '../content/money';
import type { CostTotals, DiffReason, NamedVersion, PlanDiff, SectionDiff, Segment } from './api';

/** chars splits text into code points, so a cut never splits a surrogate pair. */
const chars = (text: string) => Array.from(text);

/** MAX_NAME is the longest name of a version the server takes. */
export const MAX_NAME = 100;

/** RESERVED are the names the process gives its own versions, and "now". */
const RESERVED = ['now', 'nå', 'høringsutkast', 'vedtatt plan'];

/**
 * nameProblem says what is wrong with a name for a new version, or null:
 * the server's rules (docs/versions.md), so the leader hears at once.
 */
export function nameProblem(name: string, taken: readonly string[]): string | null {
  const n = name.trim();
  if (n === '') return t('name.required');
  if (chars(n).length > MAX_NAME) return t('versions.freeze.tooLong');
  if (/^\d+$/.test(n)) return t('versions.freeze.number');
  const base = n.replace(/ \(\d+\)$/, '').toLocaleLowerCase('nb');
  if (RESERVED.includes(base)) return t('versions.freeze.reserved');
  if (taken.some((x) => x.toLocaleLowerCase('nb') === n.toLocaleLowerCase('nb'))) return t('versions.freeze.taken');
  return null;
}

/** How many characters of unchanged text are shown on each side of a change. */
export const CONTEXT = 80;

/** An unchanged stretch is cut only when it saves at least this many characters. */
const MIN_GAP = 40;

/** A part of a section's diff as shown. */
export type Part =
  | { kind: 'equal'; text: string }
  | { kind: 'insert' | 'delete'; text: string; shown: string }
  | { kind: 'gap'; skipped: number };

/**
 * shownText is what an inserted or deleted run shows: the text itself, but
 * a run of white space alone made visible (¶ for a line break, · for a
 * space), since an underlined or struck-through space shows nothing.
 */
export function shownText(text: string): string {
  if (text.trim() !== '') return text;
  return text.replace(/\n/g, '¶\n').replace(/[ \t\u00a0]/g, '·');
}

/**
 * diffParts turns a section's segments into the parts to show: every
 * insert and delete, and the unchanged text around them with stretches
 * longer than the context on both sides cut to a gap.
 */
export function diffParts(segments: readonly Segment[], context = CONTEXT): Part[] {
  const out: Part[] = [];
  segments.forEach((s, i) => {
    if (s.text === '') return;
    if (s.op !== 'equal') {
      out.push({ kind: s.op, text: s.text, shown: shownText(s.text) });
      return;
    }
    const cs = chars(s.text);
    const first = i === 0;
    const last = i === segments.length - 1;
    const keep = (first ? 0 : context) + (last ? 0 : context);
    if (cs.length - keep < MIN_GAP || (first && last)) {
      out.push({ kind: 'equal', text: s.text });
      return;
    }
    if (!first) out.push({ kind: 'equal', text: cs.slice(0, context).join('') });
    out.push({ kind: 'gap', skipped: cs.length - keep });
    if (!last) out.push({ kind: 'equal', text: cs.slice(cs.length - context).join('') });
  });
  return out;
}

/** Builder makes the nodes of a rendered diff (the DOM in the page, strings in tests). */
export interface Builder<N> {
  text(s: string): N;
  el(tag: 'ins' | 'del' | 'span', className: string, children: N[], ariaHidden?: boolean): N;
}

/**
 * renderParts renders parts: an insert as <ins> and a delete as <del>, each
 * opening with a visible mark (+ or −, hidden from screen readers) and the
 * words "lagt til:" / "slettet:" for them; a gap as a visible ellipsis that
 * says how much is left out.
 */
export function renderParts<N>(parts: readonly Part[], b: Builder<N>): N[] {
  return parts.map((p) => {
    switch (p.kind) {
      case 'equal':
        return b.text(p.text);
      case 'gap':
        return b.el('span', 'diff-gap', [b.text(t('versions.diff.skipped', { n: p.skipped }))]);
      case 'insert':
        return b.el('ins', 'diff-ins', [
          b.el('span', 'diff-mark', [b.text('+')], true),
          b.el('span', 'visually-hidden', [b.text(t('versions.diff.insertedSr'))]),
          b.text(p.shown),
        ]);
      case 'delete':
        return b.el('del', 'diff-del', [
          b.el('span', 'diff-mark', [b.text('−')], true),
          b.el('span', 'visually-hidden', [b.text(t('versions.diff.deletedSr'))]),
          b.text(p.shown),
        ]);
    }
  });
}

/** percent writes a share as a whole percentage: "17 %". */
export function percent(share: number): string {
  return new Intl.NumberFormat('nb-NO', { style: 'percent', maximumFractionDigits: 0 }).format(share);
}

/** sectionCounts says how many words a section's change inserted and deleted, and their share. */
export function sectionCounts(s: SectionDiff): string {
  return t('versions.diff.counts', { inserted: s.inserted, deleted: s.deleted, share: percent(s.share) });
}

/** changeText names a section's or an object's change. */
export function changeText(change: string): string {
  const key = `versions.change.${change}`;
  return has(key) ? t(key as MessageKey) : change;
}

/** reasonsText lists why a comparison is substantial, in words. */
export function reasonsText(reasons: readonly DiffReason[]): string {
  return reasons.map((r) => (has(`versions.reason.${r}`) ? t(`versions.reason.${r}` as MessageKey) : r)).join(', ');
}

/** fieldLabel names a field of a measure, goal or indicator. */
export function fieldLabel(field: string): string {
  const key = `versions.field.${field}`;
  return has(key) ? t(key as MessageKey) : field;
}

/** costsText writes cost totals: "1 750 000 kr (investering 1 500 000, drift 250 000)". */
export function costsText(c: CostTotals | null | undefined): string {
  if (!c) return '–';
  return t('versions.costs', { total: formatKroner(c.total), investment: formatKroner(c.investment), operating: formatKroner(c.operating) });
}

/** A row of the table of measures that changed. */
export interface MeasureRow {
  id: string;
  title: string;
  change: string;
  fields: string;
  from: string;
  to: string;
  costsChanged: boolean;
}

/** measureRows are the measures added, removed or changed, with their costs before and after. */
export function measureRows(d: PlanDiff): MeasureRow[] {
  return d.measures.map((m) => ({
    id: m.id,
    title: m.title,
    change: changeText(m.change),
    fields: m.fields.map((f) => fieldLabel(f.field)).join(', '),
    from: costsText(m.costs_from),
    to: costsText(m.costs_to),
    costsChanged: (m.costs_from?.total ?? 0) !== (m.costs_to?.total ?? 0),
  }));
}

/** sideName names a side of a comparison: the version's name, or "Nå". */
export function sideName(side: { name: string; now: boolean }): string {
  return side.now ? t('versions.now') : side.name;
}

/** versionLabel names a version in a list: "Utkast 1 — 28. november 2026". */
export function versionLabel(v: NamedVersion, when: (iso: string) => string): string {
  return `${v.name} — ${when(v.at)}`;
}

/**
 * restorable reports whether a section's change can be undone from this
 * comparison: the leader compares a version with now, and the section is
 * in both with a different text (a new title is not the text's).
 */
export function restorable(d: PlanDiff, s: SectionDiff, mayRestore: boolean): boolean {
  return mayRestore && d.to.now && !d.from.now && s.change === 'changed' && s.v_from !== null && s.v_to !== null && s.segments.some((x) => x.op !== 'equal');
}

/** changedSections are the sections with a change; unchanged ones are only counted. */
export function changedSections(d: PlanDiff): { changed: SectionDiff[]; unchanged: number } {
  const changed = d.sections.filter((s) => s.change !== 'unchanged');
  return { changed, unchanged: d.sections.length - changed.length };
}
