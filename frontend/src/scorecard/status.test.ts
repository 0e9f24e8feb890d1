import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dateOf, dayOf, direction, expectedAt, judge, latestReport, todayInOslo, tolerance, trafficLight, type Course } from './status';

// The cases are computed by hand from the rule in docs/content.md.

/** 100 in 2025 down to 0 by the end of 2026: 1 July 2025 … 31 Dec 2026 is 548 days, and 1 April 2026 (day 274) is half-way. */
const down: Course = { baseline: { value: 100, year: 2025 }, targets: [{ year: 2026, value: 0 }] };

/** 10 in 2025 up to 30 by the end of 2030: 2009 days (2028 is a leap year). */
const up: Course = { baseline: { value: 10, year: 2025 }, targets: [{ year: 2030, value: 30 }] };

const near = (a: number, b: number, msg?: string) => assert.ok(Math.abs(a - b) < 1e-9, `${msg ?? ''} ${a} ≈ ${b}`);

describe('dates', () => {
  it('counts days and refuses dates that do not exist', () => {
    assert.equal(dayOf('1970-01-02'), 1);
    assert.equal(dayOf('2026-04-01') - dayOf('2025-07-01'), 274);
    assert.equal(dayOf('2026-12-31') - dayOf('2025-07-01'), 548);
    assert.equal(dayOf('2030-12-31') - dayOf('2025-07-01'), 2009);
    assert.ok(Number.isNaN(dayOf('2027-02-30')));
    assert.ok(Number.isNaN(dayOf('2027-2-3')));
    assert.ok(Number.isNaN(dayOf('')));
    assert.equal(dateOf(dayOf('2028-02-29')), '2028-02-29');
  });

  it('tells today in Norway, not in UTC', () => {
    // 23:30 UTC on 31 December is already New Year in Oslo (UTC+1).
    assert.equal(todayInOslo(new Date('2026-12-31T23:30:00Z')), '2027-01-01');
    assert.equal(todayInOslo(new Date('2026-06-30T21:59:00Z')), '2026-06-30');
  });
});

describe('expected value', () => {
  it('is the baseline on 1 July of its year and before, the target on 31 December and after', () => {
    assert.equal(expectedAt(up, dayOf('2025-07-01')), 10);
    assert.equal(expectedAt(up, dayOf('2024-03-01')), 10);
    assert.equal(expectedAt(up, dayOf('2030-12-31')), 30);
    assert.equal(expectedAt(up, dayOf('2033-06-01')), 30);
  });

  it('is linear in days between them', () => {
    near(expectedAt(down, dayOf('2026-04-01')), 50);
    // 1 July 2028 is 1096 days on: 10 + 20 · 1096 / 2009.
    near(expectedAt(up, dayOf('2028-07-01')), 10 + (20 * 1096) / 2009);
  });

  it('follows each target in the order of the years, whatever order they are listed in', () => {
    const steps: Course = {
      baseline: { value: 10, year: 2025 },
      targets: [
        { year: 2030, value: 40 },
        { year: 2026, value: 20 },
        { year: 2028, value: 20 },
      ],
    };
    near(expectedAt(steps, dayOf('2026-04-01')), 15);
    assert.equal(expectedAt(steps, dayOf('2027-06-15')), 20);
    // 31 Dec 2028 … 31 Dec 2030 is 730 days; 1 Jan 2030 is day 366 of them.
    near(expectedAt(steps, dayOf('2030-01-01')), 20 + (20 * 366) / 730);
    assert.equal(direction(steps), 'up');
    near(tolerance(steps), 3);
  });
});

describe('traffic light', () => {
  it('goes up: at or above the path is on track, within 10 % of the whole rise below it at risk, further below off track', () => {
    assert.equal(direction(up), 'up');
    near(tolerance(up), 2);
    // expected on 1 July 2028 ≈ 20.911
    assert.equal(judge(up, '2028-07-01', 21).status, 'on_track');
    assert.equal(judge(up, '2028-07-01', 40).status, 'on_track');
    assert.equal(judge(up, '2028-07-01', 20).status, 'at_risk');
    assert.equal(judge(up, '2028-07-01', 18.95).status, 'at_risk');
    assert.equal(judge(up, '2028-07-01', 18.9).status, 'off_track');
    assert.equal(judge(up, '2028-07-01', 10).status, 'off_track');
  });

  it('goes down: the sign of the gap turns', () => {
    assert.equal(direction(down), 'down');
    near(tolerance(down), 10);
    const at = (v: number) => judge(down, '2026-04-01', v);
    assert.equal(at(50).status, 'on_track', 'exactly as expected');
    assert.equal(at(45).status, 'on_track', 'lower is better');
    assert.equal(at(55).status, 'at_risk');
    assert.equal(at(60).status, 'at_risk', 'the tolerance itself is still at risk');
    assert.equal(at(60.5).status, 'off_track');
    near(at(55).gap, -5);
    near(at(55).expected, 50);
  });

  it('holds a level: a target equal to the baseline goes "down", with the least tolerance', () => {
    const hold: Course = { baseline: { value: 5, year: 2025 }, targets: [{ year: 2027, value: 5 }] };
    assert.equal(direction(hold), 'down');
    assert.equal(tolerance(hold), 0.000001);
    assert.equal(judge(hold, '2026-05-01', 5).status, 'on_track');
    assert.equal(judge(hold, '2026-05-01', 4).status, 'on_track');
    assert.equal(judge(hold, '2026-05-01', 5.0000005).status, 'at_risk');
    assert.equal(judge(hold, '2026-05-01', 5.1).status, 'off_track');
  });

  it('works with negative values and decimals', () => {
    const neg: Course = { baseline: { value: -2.5, year: 2025 }, targets: [{ year: 2026, value: -12.5 }] };
    assert.equal(direction(neg), 'down');
    near(tolerance(neg), 1);
    near(expectedAt(neg, dayOf('2026-04-01')), -7.5);
    assert.equal(judge(neg, '2026-04-01', -7.5).status, 'on_track');
    assert.equal(judge(neg, '2026-04-01', -6.6).status, 'at_risk');
    assert.equal(judge(neg, '2026-04-01', -6.4).status, 'off_track');
  });

  it('judges the latest report by date, not the last one listed, and nothing reported is no data', () => {
    const reports = [
      { id: 'b', date: '2030-12-31', value: 30, note: '', by: '', at: '' },
      { id: 'a', date: '2026-01-01', value: 0, note: '', by: '', at: '' },
    ];
    assert.equal(latestReport(reports)?.id, 'b');
    assert.equal(trafficLight({ ...up, reports }), 'on_track');
    assert.equal(trafficLight({ ...up, reports: [reports[1]!] }), 'off_track');
    assert.equal(trafficLight({ ...up, reports: [] }), 'no_data');
    assert.equal(latestReport([{ date: '2027-01-01', n: 1 }, { date: '2027-01-01', n: 2 }])?.n, 2, 'of equal dates the last listed');
  });
});
