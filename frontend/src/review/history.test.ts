import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HistoryGroup } from '../api/types';
import { setLang } from '../i18n';
import { describeGroup, relativeParts, relativeTime } from './history';

const group = (over: Partial<HistoryGroup>): HistoryGroup => ({
  by: 'u1',
  name: 'Lene Leder',
  from: '2026-11-01T10:00:00Z',
  to: '2026-11-01T10:00:30Z',
  v_from: 1,
  v_to: 3,
  ops: 3,
  inserted: 0,
  deleted: 0,
  formatted: 0,
  ...over,
});

describe('describeGroup', () => {
  it('says what was added, deleted and formatted', () => {
    setLang('nb');
    assert.equal(describeGroup(group({ inserted: 12 }), {}), 'la til 12 tegn');
    assert.equal(describeGroup(group({ inserted: 12, deleted: 3 }), {}), 'la til 12 tegn og slettet 3 tegn');
    assert.equal(describeGroup(group({ inserted: 1, deleted: 2, formatted: 5 }), {}), 'la til 1 tegn, slettet 2 tegn og formaterte 5 tegn');
  });

  it('names whose suggestion was accepted', () => {
    setLang('nb');
    assert.equal(describeGroup(group({ suggestion: 's1', suggested_by: 'u2', inserted: 4 }), { u2: 'Mats Medlem' }), 'godtok forslag fra Mats Medlem');
  });

  it('names the lock markers', () => {
    setLang('nb');
    assert.equal(describeGroup(group({ kind: 'lock' }), {}), 'planen ble låst');
  });

  it('speaks nynorsk too', () => {
    setLang('nn');
    assert.equal(describeGroup(group({ deleted: 2 }), {}), 'sletta 2 teikn');
    setLang('nb');
  });
});

describe('relative times', () => {
  const now = Date.parse('2026-11-28T12:00:00Z');
  it('picks the largest whole unit', () => {
    assert.equal(relativeParts(now - 10_000, now), null);
    assert.deepEqual(relativeParts(now - 90_000, now), { value: 2, unit: 'minute' });
    assert.deepEqual(relativeParts(now - 3 * 3600_000, now), { value: 3, unit: 'hour' });
    assert.deepEqual(relativeParts(now - 26 * 3600_000, now), { value: 1, unit: 'day' });
    assert.deepEqual(relativeParts(now - 15 * 86400_000, now), { value: 2, unit: 'week' });
  });

  it('reads as Norwegian', () => {
    setLang('nb');
    assert.equal(relativeTime('2026-11-28T11:59:50Z', now), 'akkurat nå');
    assert.match(relativeTime('2026-11-28T11:55:00Z', now), /5 minutter siden/);
  });
});
