import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { changedFields, checkIndicator, checkReport, serverField, type IndicatorDraft } from './validate';

const draft = (o: Partial<IndicatorDraft> = {}): IndicatorDraft => ({
  goal: 'g1',
  name: ' Kommunalt disponerte boliger ',
  definition: 'Antall boliger\nper 1000 innbyggere',
  unit: 'per 1000',
  baselineValue: '18,5',
  baselineYear: '2025',
  targets: [
    { year: '2030', value: '21' },
    { year: '2027', value: '19,5' },
  ],
  source: 'SSB tabell 12345',
  frequency: 'yearly',
  responsible: 'Boligkontoret',
  ...o,
});

const fields = (d: IndicatorDraft) => {
  const r = checkIndicator(d);
  return r.ok ? [] : r.problems.map((p) => `${p.field}:${p.key}`);
};

describe('checkIndicator', () => {
  it('turns a good form into the fields the server takes: trimmed, decimals read, targets in year order', () => {
    const r = checkIndicator(draft());
    assert.ok(r.ok);
    assert.deepEqual(r.value, {
      goal: 'g1',
      name: 'Kommunalt disponerte boliger',
      definition: 'Antall boliger\nper 1000 innbyggere',
      unit: 'per 1000',
      baseline: { value: 18.5, year: 2025 },
      targets: [
        { year: 2027, value: 19.5 },
        { year: 2030, value: 21 },
      ],
      source: 'SSB tabell 12345',
      frequency: 'yearly',
      responsible: 'Boligkontoret',
    });
  });

  it('needs a goal, a name, a baseline and at least one target', () => {
    assert.deepEqual(fields(draft({ goal: '', name: '  ', baselineValue: '', baselineYear: '', targets: [{ year: '', value: '' }] })), [
      'goal:goal',
      'name:required',
      'baselineValue:required',
      'baselineYear:required',
      'targets:noTargets',
    ]);
  });

  it('refuses what the server refuses', () => {
    assert.deepEqual(fields(draft({ name: 'x'.repeat(201) })), ['name:tooLong']);
    assert.deepEqual(fields(draft({ name: 'æ'.repeat(200) })), []);
    assert.deepEqual(fields(draft({ name: '😀'.repeat(200) })), [], 'characters, not UTF-16 units');
    assert.deepEqual(fields(draft({ unit: 'u'.repeat(51) })), ['unit:tooLong']);
    assert.deepEqual(fields(draft({ source: 'a\u0007b' })), ['source:control']);
    assert.deepEqual(fields(draft({ definition: 'a\tb\nc' })), []);
    assert.deepEqual(fields(draft({ baselineValue: '12 %' })), ['baselineValue:number']);
    assert.deepEqual(fields(draft({ baselineValue: '2000000000000000' })), ['baselineValue:range']);
    assert.deepEqual(fields(draft({ baselineYear: '1999' })), ['baselineYear:year']);
    assert.deepEqual(fields(draft({ baselineYear: '25' })), ['baselineYear:year']);
    assert.deepEqual(fields(draft({ frequency: 'weekly' })), ['frequency:frequency']);
  });

  it('wants target years after the baseline year, each once', () => {
    assert.deepEqual(
      fields(
        draft({
          targets: [
            { year: '2025', value: '1' },
            { year: '2028', value: '2' },
            { year: '2028', value: '3' },
            { year: '2101', value: '4' },
            { year: '2029', value: '' },
          ],
        }),
      ),
      ['targetYear:0:targetAfter', 'targetYear:2:targetTwice', 'targetYear:3:year', 'targetValue:4:required'],
    );
    const many = Array.from({ length: 41 }, (_, i) => ({ year: String(2026 + i), value: '1' }));
    assert.ok(fields(draft({ targets: many })).includes('targets:tooManyTargets'));
  });

  it('takes negative values and a point for decimals', () => {
    const r = checkIndicator(draft({ baselineValue: '-3.25', targets: [{ year: '2026', value: '−1,5' }] }));
    assert.ok(r.ok);
    assert.equal(r.value.baseline.value, -3.25);
    assert.equal(r.value.targets[0]!.value, -1.5);
  });
});

describe('checkReport', () => {
  it('takes a date, a value and a note', () => {
    assert.deepEqual(checkReport({ date: '2027-06-30', value: '1 234,5', note: ' ok ' }), { ok: true, value: { date: '2027-06-30', value: 1234.5, note: 'ok' } });
  });

  it('refuses dates that do not exist or lie outside 2000–2100, and values that are no numbers', () => {
    const problems = (date: string, value = '1', note = '') => {
      const r = checkReport({ date, value, note });
      return r.ok ? [] : r.problems.map((p) => `${p.field}:${p.key}`);
    };
    assert.deepEqual(problems(''), ['date:required']);
    assert.deepEqual(problems('2027-02-29'), ['date:date']);
    assert.deepEqual(problems('1999-12-31'), ['date:date']);
    assert.deepEqual(problems('2101-01-01'), ['date:date']);
    assert.deepEqual(problems('30.06.2027'), ['date:date']);
    assert.deepEqual(problems('2027-06-30', 'mye'), ['value:number']);
    assert.deepEqual(problems('2027-06-30', ''), ['value:required']);
    assert.deepEqual(problems('2027-06-30', '1', 'n'.repeat(1001)), ['note:tooLong']);
  });
});

describe('serverField', () => {
  it('finds the field a server message names', () => {
    assert.equal(serverField('targets: year 2024 is not after the baseline year 2025'), 'targets');
    assert.equal(serverField('name is longer than 200 characters'), 'name');
    assert.equal(serverField('goal "x" is not a goal of the plan'), 'goal');
    assert.equal(serverField('something else'), null);
  });
});

describe('changedFields', () => {
  it('keeps only what differs, targets as a whole', () => {
    const r = checkIndicator(draft());
    assert.ok(r.ok);
    const before = r.value;
    assert.deepEqual(changedFields(before, { ...before }), {});
    assert.deepEqual(changedFields(before, { ...before, name: 'Nytt navn', baseline: { value: 18.5, year: 2025 } }), { name: 'Nytt navn' });
    const targets = [...before.targets, { year: 2031, value: 22 }];
    assert.deepEqual(changedFields(before, { ...before, targets }), { targets });
  });
});
