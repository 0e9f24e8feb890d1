// The economics chart as geometry: one stacked bar per year, investment
// at the bottom and operating on top, on a scale rounded up to a readable
// maximum with evenly spaced ticks. Drawing (economics.ts) only turns this
// into SVG.

export interface BarInput {
  year: number;
  investment: number;
  operating: number;
}

export interface Bar {
  year: number;
  x: number;
  width: number;
  /** The centre of the bar (for its label). */
  mid: number;
  investment: { y: number; height: number; value: number };
  operating: { y: number; height: number; value: number };
  total: number;
}

export interface ChartLayout {
  width: number;
  height: number;
  /** The plot area. */
  plot: { left: number; top: number; right: number; bottom: number };
  max: number;
  ticks: { value: number; y: number }[];
  bars: Bar[];
}

export interface ChartSize {
  width: number;
  height: number;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export const DEFAULT_SIZE: ChartSize = { width: 520, height: 280, left: 76, top: 14, right: 12, bottom: 34 };

/**
 * niceMax rounds a maximum up to 1, 2, 2.5 or 5 times a power of ten, so
 * that four ticks divide it into round numbers; 0 stays a scale of 1.
 */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const pow = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) {
    const v = m * pow;
    if (v >= max) return v;
  }
  return 10 * pow;
}

/** chartLayout lays the bars out in the plot area. */
export function chartLayout(input: readonly BarInput[], size: ChartSize = DEFAULT_SIZE): ChartLayout {
  const plot = { left: size.left, top: size.top, right: size.width - size.right, bottom: size.height - size.bottom };
  const plotH = plot.bottom - plot.top;
  const max = niceMax(Math.max(0, ...input.map((b) => b.investment + b.operating)));
  const scale = (v: number) => (v / max) * plotH;
  const slot = input.length > 0 ? (plot.right - plot.left) / input.length : 0;
  const width = Math.min(72, slot * 0.6);
  const bars = input.map((b, i) => {
    const mid = plot.left + slot * (i + 0.5);
    const invH = scale(b.investment);
    const opH = scale(b.operating);
    return {
      year: b.year,
      x: mid - width / 2,
      width,
      mid,
      investment: { y: plot.bottom - invH, height: invH, value: b.investment },
      operating: { y: plot.bottom - invH - opH, height: opH, value: b.operating },
      total: b.investment + b.operating,
    };
  });
  const ticks = [0, 1, 2, 3, 4].map((i) => ({ value: (max * i) / 4, y: plot.bottom - (plotH * i) / 4 }));
  return { width: size.width, height: size.height, plot, max, ticks, bars };
}
