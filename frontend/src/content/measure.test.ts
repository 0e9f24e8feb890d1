import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Measure } from '../api/types';
import { checkDraft, costYears, draftOf, measureTotals, newDraft, periodYears, type MeasureDraft } from './measure';

const period = { from: 2027, to: 2030 };

function draft(over: Partial<MeasureDraft> = {}): MeasureDraft {
  return { ...newDraft(period), title: 'Startlån til unge', ...over };
}

function problems(d: MeasureDraft): string[] {
  const r = checkDraft(d, period);
  return r.ok ? [] : r.problems.map((p) => `${p.field}${p.year ? `:${p.year}:${p.column}` : ''} ${p.key}`);
}

describe('the measure form', () => {
  it('sends trimmed fields with whole kroner, only the years of the measure and none that are empty', () => {
    const d = draft({
      title: '  Startlån til unge ',
      start_year: '2027',
      end_year: '2028',
      goals: ['g1', 'g1', 'g2'],
      costs: new Map([
        [2027, { investment: '1 500 000', operating: '250 000' }],
        [2028, { investment: '', operating: '0' }],
        [2030, { investment: '999', operating: '' }],
      ]),
    });
    const r = checkDraft(d, period);
    assert.ok(r.ok);
    assert.equal(r.fields.title, 'Startlån til unge');
    assert.deepEqual(r.fields.goals, ['g1', 'g2']);
    assert.equal(r.fields.start_year, 2027);
    assert.equal(r.fields.end_year, 2028);
    assert.deepEqual(r.fields.costs, [{ year: 2027, investment: 1_500_000, operating: 250_000 }]);
  });

  it('refuses an end year before the start year, and years outside the period', () => {
    assert.deepEqual(problems(draft({ start_year: '2029', end_year: '2028' })), ['end_year content.invalid.endBeforeStart']);
    assert.deepEqual(problems(draft({ start_year: '2026', end_year: '2031' })), ['start_year content.invalid.yearOutside', 'end_year content.invalid.yearOutside']);
    assert.deepEqual(problems(draft({ start_year: '', end_year: '20x8' })), ['start_year content.invalid.year', 'end_year content.invalid.year']);
  });

  it('refuses a missing or too long title and too long texts', () => {
    assert.deepEqual(problems(draft({ title: '   ' })), ['title content.invalid.titleRequired']);
    assert.deepEqual(problems(draft({ title: 'x'.repeat(201) })), ['title content.invalid.tooLong']);
    assert.deepEqual(problems(draft({ title: 'ø'.repeat(200) })), []);
    assert.deepEqual(problems(draft({ unit: 'u'.repeat(201), target_group: 't'.repeat(201), description: 'd'.repeat(5001) })), [
      'description content.invalid.tooLong',
      'unit content.invalid.tooLong',
      'target_group content.invalid.tooLong',
    ]);
  });

  it('refuses amounts that are not whole non-negative kroner, naming the year and column', () => {
    const d = draft({ start_year: '2027', end_year: '2027', costs: new Map([[2027, { investment: '-5', operating: '1,5' }]]) });
    assert.deepEqual(problems(d), ['costs:2027:investment content.invalid.amount', 'costs:2027:operating content.invalid.amount']);
  });

  it('has a cost row per year of the measure, none while the years are wrong', () => {
    assert.deepEqual(costYears({ start_year: '2028', end_year: '2030' }, period), [2028, 2029, 2030]);
    assert.deepEqual(costYears({ start_year: '2029', end_year: '2028' }, period), []);
    assert.deepEqual(costYears({ start_year: '2026', end_year: '2028' }, period), []);
    assert.deepEqual(costYears({ start_year: '', end_year: '2028' }, period), []);
    assert.deepEqual(periodYears(period), [2027, 2028, 2029, 2030]);
  });

  it('edits an existing measure as it is', () => {
    const m: Measure = {
      id: 'm1',
      seq: 3,
      target_area: 'ta',
      title: 'Tiltak',
      description: '',
      goals: ['g'],
      unit: 'Boligkontoret',
      start_year: 2028,
      end_year: 2029,
      priority: 'high',
      target_group: '',
      status: 'in_progress',
      costs: [{ year: 2028, investment: 100, operating: 0 }],
    };
    const r = checkDraft(draftOf(m), period);
    assert.ok(r.ok);
    const { id: _id, seq: _seq, target_area: _ta, ...fields } = m;
    assert.deepEqual(r.fields, fields);
    assert.deepEqual(measureTotals(m.costs), { investment: 100, operating: 0, total: 100 });
  });
});
