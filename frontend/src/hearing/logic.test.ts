import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDate, formatDateTime, hearingOver, isDate, missingAssessments, needsAssessment, validateAssessment, validateDecision } from './logic';

describe('missingAssessments', () => {
  const rs = [
    { id: 'A', moderation: '' },
    { id: 'B', moderation: 'published' },
    { id: 'C', moderation: 'rejected' },
    { id: 'D', moderation: 'published' },
  ];
  it('counts every response but a rejected one, until it has an assessment', () => {
    assert.equal(missingAssessments(rs, {}), 3);
    assert.equal(missingAssessments(rs, undefined), 3);
    assert.equal(missingAssessments(rs, { A: {}, D: {} }), 1);
    assert.equal(missingAssessments(rs, { A: {}, B: {}, D: {} }), 0);
  });
  it('does not count an assessment of a response it does not know, nor a rejected one', () => {
    assert.equal(missingAssessments(rs, { X: {}, C: {} }), 3);
    assert.equal(missingAssessments([], { X: {} }), 0);
  });
  it('does not take an inherited property for an assessment', () => {
    assert.equal(missingAssessments([{ id: 'toString', moderation: '' }], {}), 1);
  });
  it('needsAssessment is false only for a rejected response', () => {
    assert.deepEqual(rs.map(needsAssessment), [true, true, false, true]);
  });
});

describe('validateAssessment', () => {
  it('takes each outcome with a reason', () => {
    for (const o of ['taken', 'partly', 'not']) assert.deepEqual(validateAssessment(o, 'Fordi.'), {});
  });
  it('asks for an outcome and a reason', () => {
    assert.deepEqual(validateAssessment('', ''), { outcome: 'assessment.outcomeRequired', reason: 'assessment.reasonRequired' });
    assert.deepEqual(validateAssessment('maybe', '   \n'), { outcome: 'assessment.outcomeRequired', reason: 'assessment.reasonRequired' });
  });
  it('refuses a reason over 4000 characters (counted as characters, not UTF-16 units)', () => {
    assert.deepEqual(validateAssessment('not', 'æ'.repeat(4000)), {});
    assert.deepEqual(validateAssessment('not', '😀'.repeat(4000)), {});
    assert.deepEqual(validateAssessment('not', 'a'.repeat(4001)), { reason: 'assessment.reasonTooLong' });
  });
});

describe('validateDecision', () => {
  const ok = { date: '2027-03-01', body: 'Kommunestyret', case_number: '2026/123', amendments: '' };
  it('takes a decision of today or earlier', () => {
    assert.deepEqual(validateDecision(ok, '2027-03-01'), {});
    assert.deepEqual(validateDecision(ok, '2027-03-02'), {});
  });
  it('refuses a date in the future, or no date', () => {
    assert.deepEqual(validateDecision(ok, '2027-02-28'), { date: 'decision.dateFuture' });
    assert.deepEqual(validateDecision({ ...ok, date: '' }, '2027-03-01'), { date: 'decision.dateRequired' });
    assert.deepEqual(validateDecision({ ...ok, date: '2027-02-30' }, '2027-03-01'), { date: 'decision.dateRequired' });
  });
  it('asks for the body and the case number, within their lengths', () => {
    assert.deepEqual(validateDecision({ ...ok, body: ' ', case_number: '' }, '2027-03-01'), { body: 'decision.bodyRequired', case_number: 'decision.caseRequired' });
    assert.deepEqual(validateDecision({ ...ok, body: 'x'.repeat(201), case_number: '1'.repeat(65) }, '2027-03-01'), { body: 'decision.bodyTooLong', case_number: 'decision.caseTooLong' });
    assert.deepEqual(validateDecision({ ...ok, body: 'x'.repeat(200), case_number: '1'.repeat(64) }, '2027-03-01'), {});
  });
});

describe('hearingOver', () => {
  it('is over only after the deadline day, by the server’s today', () => {
    assert.equal(hearingOver('2027-03-01', '2027-03-01'), false);
    assert.equal(hearingOver('2027-03-01', '2027-02-10'), false);
    assert.equal(hearingOver('2027-03-01', '2027-03-02'), true);
    assert.equal(hearingOver(undefined, '2027-03-02'), false);
    assert.equal(hearingOver('2027-03-01', ''), false);
  });
});

describe('dates', () => {
  it('isDate knows the calendar', () => {
    assert.equal(isDate('2028-02-29'), true);
    assert.equal(isDate('2027-02-29'), false);
    assert.equal(isDate('1.3.2027'), false);
  });
  it('writes dates and times in Norwegian', () => {
    assert.equal(formatDate('2027-03-01'), '1. mars 2027');
    assert.equal(formatDate('ikke en dato'), 'ikke en dato');
    assert.equal(formatDate(undefined), '');
    // 13:05 UTC is 14:05 in Oslo in winter.
    assert.match(formatDateTime('2027-03-01T13:05:00Z'), /^1\. mars 2027.*14[:.]05$/);
    assert.equal(formatDateTime(''), '');
  });
});
