// Klarspråk as data: the LIX bands and the marks the editor draws for one
// section — long sentences, very long words and privacy findings — with
// their ranges kept on their text when the server's answer is older than
// what the editor shows.
import type { LixBand, LixSection, PrivacyFinding } from './api';

/** The bands in order, easiest first. */
export const LIX_BANDS: LixBand[] = ['very_easy', 'easy', 'medium', 'difficult', 'very_difficult'];

/** bandOf returns the band the server named ('' and unknown names: none). */
export function bandOf(band: string): LixBand {
  return (LIX_BANDS as string[]).includes(band) ? (band as LixBand) : 'none';
}

/** formatLix writes a LIX value with one decimal, the Norwegian way ("38,2"). */
export function formatLix(n: number): string {
  return new Intl.NumberFormat('nb-NO', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(n);
}

/** A mark of the section checks. */
export type CheckItem =
  | { kind: 'sentence'; index: number; length: number; words: number }
  | { kind: 'word'; index: number; length: number; letters: number }
  | { kind: 'privacy'; index: number; length: number; id: string; quote: string; count: number };

/** Which checks are shown. */
export interface CheckSwitches {
  klarsprak: boolean;
  personvern: boolean;
}

/**
 * checkItems returns the marks to draw for a section, in text order: its
 * long sentences and very long words when klarspråk is on, its findings
 * that are not accepted when personvern is on.
 */
export function checkItems(lix: LixSection | null, findings: readonly PrivacyFinding[], on: CheckSwitches, section: string): CheckItem[] {
  const out: CheckItem[] = [];
  if (on.klarsprak && lix) {
    for (const s of lix.long_sentences ?? []) out.push({ kind: 'sentence', index: s.index, length: s.length, words: s.words });
    for (const w of lix.very_long_words ?? []) out.push({ kind: 'word', index: w.index, length: w.length, letters: w.letters });
  }
  if (on.personvern) {
    for (const f of findings) {
      if (f.section !== section || f.accepted) continue;
      out.push({ kind: 'privacy', index: f.index, length: f.length, id: f.id, quote: f.quote, count: f.count });
    }
  }
  return out.sort((a, b) => a.index - b.index || b.length - a.length);
}

/**
 * relocate returns where quote is in text: at index when it is there,
 * else the occurrence nearest to index, else null (the text is gone).
 */
export function relocate(text: string, quote: string, index: number): number | null {
  if (quote === '') return null;
  if (text.startsWith(quote, index)) return index;
  let best: number | null = null;
  for (let i = text.indexOf(quote); i >= 0; i = text.indexOf(quote, i + 1)) {
    if (best === null || Math.abs(i - index) < Math.abs(best - index)) best = i;
  }
  return best;
}
