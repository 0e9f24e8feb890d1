import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decimalYear, direction, expectedAt, isDate, judge, latestReport, timeOf, todayInOslo, tolerance, trafficLight, type Course } from './status';

// The cases are computed by hand from the rule in docs/content.md, with
// time in decimal years as the server counts it: a day is its year plus
// (day of the year − 1) / days in the year. 1 July is 181/365 into a
// common year, 182/366 into a leap year; 31 December 364/365.

/** 100 in 2025 down to 0 by the end of 2026: 2025 + 181/365 … 2026 + 364/365, and 1 April 2026 (2026 + 90/365) is half-way. */
const down: Course = { baseline: { value: 100, year: 2025 }, targets: [{ year: 2026, value: 0 }] };

/** 10 in 2025 up to 30 by the end of 2030. */
const up: Course = { baseline: { value: 10, year: 2025 }, targets: [{ year: 2030, value: 30 }] };

/** On 1 July 2028 (a leap year), up expects 10 + 20 · (3 + 182/366 − 181/365) / (5 + 183/365) ≈ 20.9114. */
const upJuly2028 = 10 + (20 * (3 + 182 / 366 - 181 / 365)) / (5 + 183 / 365);

const near = (a: number, b: number, msg?: string) => assert.ok(Math.abs(a - b) < 1e-9, `${msg ?? ''} ${a} ≈ ${b}`);

describe('dates', () => {
  it('counts decimal years and refuses dates that do not exist', () => {
    assert.equal(timeOf('2026-01-01'), 2026);
    near(timeOf('2025-07-01'), 2025 + 181 / 365);
    near(timeOf('2028-07-01'), 2028 + 182 / 366);
    near(timeOf('2026-12-31'), 2026 + 364 / 365);
    near(decimalYear(2028, 12, 31), 2028 + 365 / 366);
    assert.ok(Number.isNaN(timeOf('2027-02-30')));
    assert.ok(Number.isNaN(timeOf('2027-2-3')));
    assert.ok(Number.isNaN(timeOf('')));
    assert.ok(isDate('2028-02-29'));
    assert.ok(!isDate('2027-02-29'));
    assert.ok(!isDate('2027-13-01'));
  });

  it('tells today in Norway, not in UTC', () => {
    // 23:30 UTC on 31 December is already New Year in Oslo (UTC+1).
    assert.equal(todayInOslo(new Date('2026-12-31T23:30:00Z')), '2027-01-01');
    assert.equal(todayInOslo(new Date('2026-06-30T21:59:00Z')), '2026-06-30');
  });
});

describe('expected value', () => {
  it('is the baseline on 1 July of its year and before, the target on 31 December and after', () => {
    assert.equal(expectedAt(up, timeOf('2025-07-01')), 10);
    assert.equal(expectedAt(up, timeOf('2024-03-01')), 10);
    assert.equal(expectedAt(up, timeOf('2030-12-31')), 30);
    assert.equal(expectedAt(up, timeOf('2033-06-01')), 30);
  });

  it('is linear in decimal years between them', () => {
    near(expectedAt(down, timeOf('2026-04-01')), 50);
    near(expectedAt(up, timeOf('2028-07-01')), upJuly2028);
    assert.ok(Math.abs(upJuly2028 - 20.9114) < 0.0001);
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
    near(expectedAt(steps, timeOf('2026-04-01')), 15);
    assert.equal(expectedAt(steps, timeOf('2027-06-15')), 20);
    // From 2028 + 365/366 to 2030 + 364/365; 1 January 2030 is 2030 + 0.
    near(expectedAt(steps, timeOf('2030-01-01')), 20 + (20 * (2030 - (2028 + 365 / 366))) / (2030 + 364 / 365 - (2028 + 365 / 366)));
    assert.equal(direction(steps), 'up');
    near(tolerance(steps), 3);
  });
});

describe('traffic light', () => {
  it('goes up: at or above the path is on track, within 10 % of the whole rise below it at risk, further below off track', () => {
    assert.equal(direction(up), 'up');
    near(tolerance(up), 2);
    // expected on 1 July 2028 ≈ 20.9114; the tolerance is 2
    assert.equal(judge(up, '2028-07-01', 21).status, 'on_track');
    assert.equal(judge(up, '2028-07-01', 40).status, 'on_track');
    assert.equal(judge(up, '2028-07-01', 20).status, 'at_risk');
    assert.equal(judge(up, '2028-07-01', 18.92).status, 'at_risk');
    assert.equal(judge(up, '2028-07-01', 18.91).status, 'off_track');
    near(judge(up, '2028-07-01', 20).gap, 20 - upJuly2028);
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
    near(expectedAt(neg, timeOf('2026-04-01')), -7.5);
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
    assert.equal(trafficLight({ ...up, targets: [], reports }), 'no_data', 'no target, no light (as the server)');
    assert.equal(latestReport([{ date: '2027-01-01', n: 1 }, { date: '2027-01-01', n: 2 }])?.n, 2, 'of equal dates the last listed');
  });
});
