import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chartLayout, niceMax } from './chart';

describe('the economics chart', () => {
  it('rounds the scale up to a readable maximum', () => {
    const cases: [number, number][] = [
      [0, 1],
      [1, 1],
      [7, 10],
      [1_750_000, 2_000_000],
      [2_100_000, 2_500_000],
      [2_600_000, 5_000_000],
      [5_000_001, 10_000_000],
      [10_000_000, 10_000_000],
    ];
    for (const [max, want] of cases) assert.equal(niceMax(max), want, String(max));
  });

  it('stacks operating on investment, bars in year order, scaled to the plot', () => {
    const size = { width: 400, height: 220, left: 0, top: 20, right: 0, bottom: 0 };
    const l = chartLayout(
      [
        { year: 2027, investment: 1_500_000, operating: 250_000 },
        { year: 2028, investment: 0, operating: 500_000 },
      ],
      size,
    );
    assert.equal(l.max, 2_000_000);
    assert.deepEqual(
      l.ticks.map((t) => [t.value, t.y]),
      [
        [0, 220],
        [500_000, 170],
        [1_000_000, 120],
        [1_500_000, 70],
        [2_000_000, 20],
      ],
    );
    const [a, b] = l.bars;
    assert.equal(a!.year, 2027);
    assert.equal(a!.mid, 100);
    assert.equal(b!.mid, 300);
    // 1.5 mill. of 2 mill. over 200 px: 150 px from the bottom; 0.25 mill. on top of it: 25 px.
    assert.deepEqual(a!.investment, { y: 70, height: 150, value: 1_500_000 });
    assert.deepEqual(a!.operating, { y: 45, height: 25, value: 250_000 });
    assert.equal(a!.total, 1_750_000);
    assert.deepEqual(b!.investment, { y: 220, height: 0, value: 0 });
    assert.deepEqual(b!.operating, { y: 170, height: 50, value: 500_000 });
  });

  it('has nothing to draw and a scale of one without years or costs', () => {
    assert.deepEqual(chartLayout([]).bars, []);
    assert.equal(chartLayout([{ year: 2027, investment: 0, operating: 0 }]).max, 1);
  });
});
