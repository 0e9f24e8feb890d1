import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Plan, Section } from '../api/types';
import { applyEvent, findSection } from './outline';

const sec = (id: string, children: Section[] = []): Section => ({ id, title: id.toUpperCase(), kind: 'section', status: 'not_started', contributors: [], children });

function plan(): Plan {
  return {
    id: 'p',
    title: 'Plan',
    municipality: 'Bodø',
    type: 'temaplan',
    phase: 'draft',
    seq: 1,
    updated: '',
    sections: [sec('a'), sec('b', [sec('b1'), sec('b2')]), sec('c')],
  };
}

const ids = (p: Plan) => p.sections.map((s) => `${s.id}${s.children.length ? `(${s.children.map((c) => c.id).join(',')})` : ''}`).join(' ');

describe('applyEvent', () => {
  it('adds a section at an index, or at the end for -1', () => {
    let p = applyEvent(plan(), { seq: 2, kind: 'section.added', data: { parent: 'b', index: 1, section: sec('new') } })!;
    assert.equal(ids(p), 'a b(b1,new,b2) c');
    p = applyEvent(p, { seq: 3, kind: 'section.added', data: { parent: '', index: -1, section: { id: 'x', title: 'X', kind: 'target_area', status: 'not_started', children: null } } })!;
    assert.equal(ids(p), 'a b(b1,new,b2) c x');
    assert.deepEqual(findSection(p.sections, 'x')?.section.children, []);
    assert.equal(p.seq, 3);
  });

  it('updates, moves and deletes', () => {
    let p = applyEvent(plan(), { seq: 2, kind: 'section.updated', data: { id: 'b1', title: 'Ny tittel', status: 'done' } })!;
    assert.equal(findSection(p.sections, 'b1')?.section.title, 'Ny tittel');
    assert.equal(findSection(p.sections, 'b1')?.section.status, 'done');
    p = applyEvent(p, { seq: 3, kind: 'section.moved', data: { id: 'a', parent: 'b', index: 0 } })!;
    assert.equal(ids(p), 'b(a,b1,b2) c');
    p = applyEvent(p, { seq: 4, kind: 'section.deleted', data: { id: 'b' } })!;
    assert.equal(ids(p), 'c');
  });

  it('ignores old events and gives up on gaps and unknown kinds', () => {
    const p = plan();
    assert.equal(applyEvent(p, { seq: 1, kind: 'section.deleted', data: { id: 'a' } }), p);
    assert.equal(applyEvent(p, { seq: 3, kind: 'section.deleted', data: { id: 'a' } }), null);
    assert.equal(applyEvent(p, { seq: 2, kind: 'phase.changed', data: {} }), null);
    assert.equal(applyEvent(p, { seq: 2, kind: 'section.deleted', data: { id: 'nope' } }), null);
  });

  it('counts the review events that change nothing the plan shows', () => {
    const p = plan();
    const next = applyEvent(p, { seq: 2, kind: 'comment.added', data: { comment: { id: 'c' } } })!;
    assert.equal(next.seq, 2);
    assert.equal(ids(next), ids(p));
    assert.equal(applyEvent(next, { seq: 3, kind: 'suggestion.decided', data: {} })?.seq, 3);
    assert.equal(applyEvent(p, { seq: 2, kind: 'thread.required', data: {} }), null, 'the banner lists required changes: reload');
  });

  it('does not change the plan it was given', () => {
    const p = plan();
    applyEvent(p, { seq: 2, kind: 'section.deleted', data: { id: 'a' } });
    assert.equal(ids(p), 'a b(b1,b2) c');
  });
});
