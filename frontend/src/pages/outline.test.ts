import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Plan, Section } from '../api/types';
import { applyEvent, dropTarget, findSection, stepTarget } from './outline';

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

describe('reordering', () => {
  const moved = (p: Plan, id: string, to: { parent: string; index: number } | null) =>
    to ? ids(applyEvent(p, { seq: p.seq + 1, kind: 'section.moved', data: { id, ...to } })!) : null;

  it('steps a section up and down among its siblings, not past either end', () => {
    const p = plan();
    assert.deepEqual(stepTarget(p.sections, 'b', -1), { parent: '', index: 0 });
    assert.equal(moved(p, 'b', stepTarget(p.sections, 'b', -1)), 'b(b1,b2) a c');
    assert.equal(moved(p, 'b1', stepTarget(p.sections, 'b1', 1)), 'a b(b2,b1) c');
    assert.equal(stepTarget(p.sections, 'a', -1), null);
    assert.equal(stepTarget(p.sections, 'c', 1), null);
    assert.equal(stepTarget(p.sections, 'b2', 1), null);
    assert.equal(stepTarget(p.sections, 'nope', 1), null);
  });

  it('drops a section before or after a sibling, with the index the server expects', () => {
    const p = plan();
    assert.equal(moved(p, 'a', dropTarget(p.sections, 'a', 'c', 'after')), 'b(b1,b2) c a');
    assert.equal(moved(p, 'a', dropTarget(p.sections, 'a', 'c', 'before')), 'b(b1,b2) a c');
    assert.equal(moved(p, 'c', dropTarget(p.sections, 'c', 'a', 'before')), 'c a b(b1,b2)');
    assert.equal(dropTarget(p.sections, 'c', 'b', 'after'), null);
    assert.equal(dropTarget(p.sections, 'a', 'b', 'before'), null, 'just before the next one is where it is');
    assert.equal(moved(p, 'b2', dropTarget(p.sections, 'b2', 'b1', 'before')), 'a b(b2,b1) c');
  });

  it('refuses a drop on another parent’s section or on itself', () => {
    const p = plan();
    assert.equal(dropTarget(p.sections, 'a', 'b1', 'before'), null);
    assert.equal(dropTarget(p.sections, 'b1', 'c', 'after'), null);
    assert.equal(dropTarget(p.sections, 'b', 'b', 'after'), null);
    assert.equal(dropTarget(p.sections, 'x', 'a', 'after'), null);
  });
});
