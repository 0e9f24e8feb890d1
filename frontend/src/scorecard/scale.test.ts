import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chartModel, decimalsOf, DEFAULT_SIZE, linearScale, linePath, niceStep, valueTicks, yearsBetween } from './scale';
import { timeOf } from './status';

describe('linearScale', () => {
  it('maps the domain onto the range, also upside down (the y axis)', () => {
    const y = linearScale(0, 100, 200, 0);
    assert.equal(y(0), 200);
    assert.equal(y(100), 0);
    assert.equal(y(25), 150);
    assert.equal(y(-50), 300);
  });

  it('puts everything in the middle when the domain is one value', () => {
    assert.equal(linearScale(5, 5, 0, 100)(5), 50);
    assert.equal(linearScale(5, 5, 0, 100)(7), 50);
  });
});

describe('valueTicks', () => {
  it('takes round steps that cover the values', () => {
    assert.deepEqual(valueTicks(10, 30), [10, 15, 20, 25, 30]);
    assert.deepEqual(valueTicks(12, 38), [10, 20, 30, 40]);
    assert.deepEqual(valueTicks(0, 1000), [0, 200, 400, 600, 800, 1000]);
  });

  it('steps are 1, 2 or 5 times a power of ten', () => {
    assert.equal(niceStep(20, 4), 5);
    assert.equal(niceStep(26, 4), 10);
    assert.equal(niceStep(1000, 5), 200);
    assert.equal(niceStep(0.7, 4), 0.2);
    assert.equal(niceStep(0, 4), 1);
    assert.equal(decimalsOf(0.05), 2);
    assert.equal(decimalsOf(0.2), 1);
    assert.equal(decimalsOf(5), 0);
    assert.equal(decimalsOf(1), 0);
    assert.equal(decimalsOf(0.001), 3);
  });

  it('has no float noise with decimals', () => {
    assert.deepEqual(valueTicks(0.1, 0.7), [0, 0.2, 0.4, 0.6, 0.8]);
    assert.deepEqual(valueTicks(1.23, 1.31), [1.22, 1.24, 1.26, 1.28, 1.3, 1.32]);
    assert.deepEqual(valueTicks(0.12, 0.4), [0.1, 0.2, 0.3, 0.4]);
  });

  it('covers negative values and values around zero', () => {
    assert.deepEqual(valueTicks(-12.5, -2.5), [-14, -12, -10, -8, -6, -4, -2]);
    assert.deepEqual(valueTicks(-3, 7), [-4, -2, 0, 2, 4, 6, 8]);
    assert.deepEqual(valueTicks(-1, 0), [-1, -0.8, -0.6, -0.4, -0.2, 0]);
    assert.ok(!Object.is(valueTicks(-1, 0).at(-1), -0), 'no −0');
  });

  it('gives equal values a band around them', () => {
    assert.deepEqual(valueTicks(50, 50), [44, 46, 48, 50, 52, 54, 56]);
    assert.deepEqual(valueTicks(0, 0), [0, 0.25, 0.5, 0.75, 1]);
    assert.deepEqual(valueTicks(-4, -4), [-4.4, -4.2, -4, -3.8, -3.6]);
  });

  it('survives nonsense', () => {
    assert.deepEqual(valueTicks(NaN, 3), [0, 1]);
    assert.deepEqual(valueTicks(30, 10), valueTicks(10, 30));
  });
});

describe('yearsBetween and linePath', () => {
  it('lists whole years from the first day to the last', () => {
    assert.deepEqual(yearsBetween(timeOf('2025-07-01'), timeOf('2027-12-31')), [2025, 2026, 2027]);
    assert.deepEqual(yearsBetween(timeOf('2025-03-03'), timeOf('2025-03-03')), [2025]);
    assert.deepEqual(yearsBetween(2025, 2026), [2025, 2026]);
  });

  it('draws through the points, rounded to hundredths', () => {
    assert.equal(linePath([]), '');
    assert.equal(linePath([{ x: 1, y: 2 }]), 'M1,2');
    assert.equal(linePath([{ x: 1.234, y: 2 }, { x: 3, y: 4.005 }]), 'M1.23,2L3,4.01');
  });
});

describe('chartModel', () => {
  const size = DEFAULT_SIZE;
  const plotBottom = size.height - size.bottom;

  it('spans the baseline year to the last target year, the baseline mid-year and the targets at the end of their years', () => {
    const m = chartModel({ baseline: { value: 10, year: 2025 }, targets: [{ year: 2030, value: 30 }], reports: [] });
    assert.deepEqual(
      m.years.map((y) => y.year),
      [2025, 2026, 2027, 2028, 2029, 2030],
    );
    assert.equal(m.years[0]!.x0, size.left);
    assert.equal(m.years.at(-1)!.x1, size.width - size.right);
    // 1 July is about half-way through 2025; 31 December at the end of 2030.
    const y2025 = m.years[0]!;
    assert.ok(Math.abs(m.baseline.x - (y2025.x0 + y2025.x1) / 2) < 1);
    assert.ok(size.width - size.right - m.targets[0]!.x < 0.5);
    assert.equal(m.baseline.y, plotBottom, 'the lowest value sits on the lowest tick');
    assert.equal(m.targets[0]!.y, size.top, 'the highest on the highest');
    assert.equal(m.reports.length, 0);
    assert.equal(m.actual, '');
    assert.match(m.planned, /^M[\d.]+,[\d.]+L[\d.]+,[\d.]+$/);
    assert.ok(m.years.every((y) => y.label), 'six years all get a label');
  });

  it('draws one dot per report in date order, and takes in reports outside the planned years', () => {
    const m = chartModel({
      baseline: { value: 10, year: 2025 },
      targets: [{ year: 2027, value: 20 }],
      reports: [
        { id: 'b', date: '2028-03-01', value: 25, note: '', by: '', at: '' },
        { id: 'a', date: '2026-06-30', value: 14.5, note: '', by: '', at: '' },
      ],
    });
    assert.deepEqual(
      m.reports.map((r) => r.id),
      ['a', 'b'],
    );
    assert.equal(m.years.at(-1)!.year, 2028);
    assert.ok(m.reports[0]!.x < m.reports[1]!.x);
    assert.equal(m.reports[1]!.y, size.top, 'the highest value on the top tick');
    assert.equal(m.actual.split('L').length, 2);
  });

  it('handles one report, equal values, negative values and decimals', () => {
    const flat = chartModel({
      baseline: { value: 5, year: 2025 },
      targets: [{ year: 2026, value: 5 }],
      reports: [{ id: 'r', date: '2026-01-15', value: 5, note: '', by: '', at: '' }],
    });
    assert.equal(flat.actual.split('L').length, 1, 'one report is a lone point');
    assert.ok(flat.baseline.y > size.top && flat.baseline.y < plotBottom, 'a flat line inside the axis');
    assert.equal(flat.reports[0]!.y, flat.baseline.y);

    const neg = chartModel({ baseline: { value: -2.5, year: 2025 }, targets: [{ year: 2026, value: -12.5 }], reports: [] });
    assert.ok(neg.baseline.y < neg.targets[0]!.y, 'the higher value is drawn higher');
    for (const t of neg.ticks) assert.ok(t.y >= size.top - 1e-9 && t.y <= plotBottom + 1e-9);
    assert.ok(neg.ticks[0]!.value <= -12.5);

    const dec = chartModel({ baseline: { value: 0.12, year: 2025 }, targets: [{ year: 2026, value: 0.4 }], reports: [] });
    assert.deepEqual(
      dec.ticks.map((t) => [t.value, t.decimals]),
      [
        [0.1, 1],
        [0.2, 1],
        [0.3, 1],
        [0.4, 1],
      ],
    );
  });

  it('labels every second year or fewer when there are many', () => {
    const m = chartModel({ baseline: { value: 1, year: 2000 }, targets: [{ year: 2040, value: 2 }], reports: [] });
    const labelled = m.years.filter((y) => y.label);
    assert.ok(labelled.length < m.years.length && labelled.length >= 6, `${labelled.length} of ${m.years.length}`);
    assert.ok(m.years.at(-1)!.label, 'the last year is labelled');
  });
});
