// Whole kroner: amounts are integers from 0 to 1 000 000 000 000
// (docs/content.md), never floats. Input is read with a strict pattern
// that allows spaces (also the no-break spaces Intl puts in) as thousand
// separators and nothing else: no decimals, no signs, no letters.

/** MAX_KRONER is the largest amount the server takes. */
export const MAX_KRONER = 1_000_000_000_000;

const KRONER = /^\d{1,3}(?:[ \u00a0\u202f]?\d{3})*$/;

/**
 * parseKroner reads a whole, non-negative amount of kroner: "1 500 000",
 * "1500000", "0"; an empty field is 0. It returns null for anything else
 * (decimals, signs, letters, grouping in the wrong places, too large).
 */
export function parseKroner(input: string): number | null {
  const s = input.trim();
  if (s === '') return 0;
  if (!KRONER.test(s)) return null;
  const digits = s.replace(/[ \u00a0\u202f]/g, '');
  if (digits.length > 13) return null;
  const n = Number(digits);
  return Number.isSafeInteger(n) && n <= MAX_KRONER ? n : null;
}

const nok = new Intl.NumberFormat('nb-NO', { maximumFractionDigits: 0 });

/** formatKroner writes an amount the Norwegian way: 1 500 000. */
export function formatKroner(n: number): string {
  return nok.format(n);
}

/** sumKroner adds whole amounts (exact as long as they stay safe integers). */
export function sumKroner(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}
