import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReviewRound } from '../api/types';
import { byDate, formatDate, isDate, isOverdue, openRoundsFor, osloDate, roundProgress } from './schedule';

describe('osloDate', () => {
  it('is the date in Oslo, not in UTC', () => {
    // 23:30 UTC on 31 December is already 1 January in Oslo (UTC+1 in winter).
    assert.equal(osloDate(new Date('2026-12-31T23:30:00Z')), '2027-01-01');
    assert.equal(osloDate(new Date('2026-12-31T22:30:00Z')), '2026-12-31');
    // Summer time: UTC+2.
    assert.equal(osloDate(new Date('2027-06-30T22:15:00Z')), '2027-07-01');
    assert.equal(osloDate(new Date('2027-06-30T21:45:00Z')), '2027-06-30');
  });
});

describe('isOverdue', () => {
  const today = '2027-03-01';
  const cases: { date: string; status: 'planned' | 'in_progress' | 'done'; want: boolean }[] = [
    { date: '2027-02-28', status: 'planned', want: true },
    { date: '2027-02-28', status: 'in_progress', want: true },
    { date: '2027-02-28', status: 'done', want: false },
    { date: '2027-03-01', status: 'planned', want: false },
    { date: '2027-03-02', status: 'planned', want: false },
    { date: '2026-12-31', status: 'in_progress', want: true },
  ];
  for (const c of cases) {
    it(`${c.date} ${c.status} on ${today} → ${c.want}`, () => assert.equal(isOverdue(c, today), c.want));
  }
  it('follows the injected day as it passes', () => {
    const m = { date: '2027-03-01', status: 'planned' as const };
    assert.equal(isOverdue(m, osloDate(new Date('2027-03-01T22:59:00Z'))), false);
    assert.equal(isOverdue(m, osloDate(new Date('2027-03-01T23:00:00Z'))), true);
  });
});

describe('isDate', () => {
  it('takes real dates only', () => {
    assert.ok(isDate('2028-02-29'));
    assert.ok(!isDate('2027-02-29'));
    assert.ok(!isDate('2027-13-01'));
    assert.ok(!isDate('1.3.2027'));
    assert.ok(!isDate(''));
  });
});

describe('byDate', () => {
  it('orders by date, then title, leaving the input alone', () => {
    const ms = [
      { date: '2027-05-01', title: 'B' },
      { date: '2027-01-01', title: 'C' },
      { date: '2027-05-01', title: 'A' },
    ];
    assert.deepEqual(
      byDate(ms).map((m) => m.title),
      ['C', 'A', 'B'],
    );
    assert.equal(ms[0]!.title, 'B');
  });
});

function round(p: Partial<ReviewRound>): ReviewRound {
  return { id: 'r', seq: 1, message: '', sections: [], recipients: [], deadline: '2027-02-01', sent_by: 'lead', sent_at: '2027-01-01T10:00:00Z', answers: [], ...p };
}

describe('roundProgress', () => {
  it('splits the recipients and is overdue only while someone is waiting after the deadline', () => {
    const r = round({ recipients: ['a', 'b', 'c'], answers: [{ user: 'b', at: 'x', comment: '' }] });
    assert.deepEqual(roundProgress(r, '2027-02-01'), { answered: ['b'], waiting: ['a', 'c'], overdue: false });
    assert.equal(roundProgress(r, '2027-02-02').overdue, true);
    const all = round({ recipients: ['a'], answers: [{ user: 'a', at: 'x', comment: 'ok' }] });
    assert.equal(roundProgress(all, '2030-01-01').overdue, false);
  });
});

describe('openRoundsFor', () => {
  it('lists unanswered rounds sent to the user, soonest deadline first', () => {
    const rounds = [
      round({ id: 'late', recipients: ['me'], deadline: '2027-03-01' }),
      round({ id: 'answered', recipients: ['me'], answers: [{ user: 'me', at: 'x', comment: '' }] }),
      round({ id: 'other', recipients: ['you'] }),
      round({ id: 'soon', recipients: ['you', 'me'], deadline: '2027-02-01' }),
    ];
    assert.deepEqual(
      openRoundsFor(rounds, 'me').map((r) => r.id),
      ['soon', 'late'],
    );
    assert.deepEqual(openRoundsFor(undefined, 'me'), []);
  });
});

describe('formatDate', () => {
  it('writes the date in Norwegian', () => {
    assert.equal(formatDate('2027-03-01'), '1. mars 2027');
    assert.equal(formatDate('nonsense'), 'nonsense');
  });
});
