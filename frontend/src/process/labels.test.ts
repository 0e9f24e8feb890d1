import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Plan } from '../api/types';
import { responsibleText } from './fremdrift';
import { bandText } from './klarsprak';
import { parseThreshold } from './personvern';
import { roundScope } from './roundcard';

const plan = {
  members: [{ user: 'u1', name: 'Mats Medlem', email: 'm@x', roles: ['member'] }],
  sections: [{ id: 's1', title: 'Innledning', kind: 'section', status: 'not_started', contributors: [], children: [{ id: 's2', title: 'Formål', kind: 'section', status: 'not_started', contributors: [], children: [] }] }],
} as unknown as Plan;

describe('responsibleText', () => {
  it('names a member, a role, or says nobody', () => {
    assert.equal(responsibleText(plan, 'u1'), 'Mats Medlem');
    assert.equal(responsibleText(plan, 'steering'), 'Styringsgruppe');
    assert.equal(responsibleText(plan, ''), 'Ikke satt');
    assert.equal(responsibleText(plan, 'Boligkontoret'), 'Boligkontoret');
  });
});

describe('roundScope', () => {
  it('is the whole plan or the titles of the sections', () => {
    assert.equal(roundScope(plan, { sections: [] }), 'Hele planen');
    assert.equal(roundScope(plan, { sections: ['s2', 'gone'] }), 'Formål, (slettet del)');
  });
});

describe('bandText', () => {
  it('has the Norwegian band names', () => {
    assert.deepEqual(
      (['very_easy', 'easy', 'medium', 'difficult', 'very_difficult'] as const).map(bandText),
      ['svært lett', 'lett', 'middels', 'vanskelig', 'svært vanskelig'],
    );
  });
});

describe('parseThreshold', () => {
  it('takes whole numbers from 1 to 1000 only', () => {
    assert.equal(parseThreshold(' 5 '), 5);
    assert.equal(parseThreshold('1000'), 1000);
    for (const bad of ['0', '1001', '4.5', '4,5', '-3', '', 'fem', '1e2']) assert.equal(parseThreshold(bad), null, bad);
  });
});
