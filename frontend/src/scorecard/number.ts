// Numbers of the scorecard as Norwegians write them: a comma as the
// decimal separator (a point is taken too), spaces between groups of
// thousands, and the minus sign or a hyphen. Indicator values are rates and
// counts, never money, so decimals are allowed.

/** parseDecimal reads a number as a person types it ("12,5", "1 234", "−3"); null when it is not one. */
export function parseDecimal(text: string): number | null {
  // Spaces of any kind (a thin or no-break space, as nb-NO formats) only
  // between digits: "1 234,5" but not "1 ,5".
  const s = text.trim().replace(/(?<=\d)[\s\u00a0\u202f]+(?=\d)/g, '').replace(/^[\u2212\u2013]/, '-');
  if (!/^[+-]?\d+(?:[.,]\d+)?$/.test(s)) return null;
  const n = Number(s.replace(',', '.'));
  return Number.isFinite(n) ? n : null;
}

/** parseYear reads a whole year (four digits); null when it is not one. */
export function parseYear(text: string): number | null {
  const s = text.trim();
  return /^\d{4}$/.test(s) ? Number(s) : null;
}

/**
 * formatValue writes a value in Norwegian ("12,5", "1 234", "−3"), with
 * at most `digits` decimals (6 for values people typed, fewer for computed
 * ones), and the unit after it when given.
 */
export function formatValue(n: number, unit = '', digits = 6): string {
  const text = new Intl.NumberFormat('nb-NO', { maximumFractionDigits: digits }).format(n);
  if (!unit) return text;
  return `${text}\u00a0${unit}`;
}

/** inputValue writes a value for an input field: a comma for decimals, no grouping, a hyphen for minus. */
export function inputValue(n: number): string {
  return new Intl.NumberFormat('nb-NO', { maximumFractionDigits: 6, useGrouping: false }).format(n).replace('\u2212', '-');
}
