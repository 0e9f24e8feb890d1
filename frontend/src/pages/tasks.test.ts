import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Milestone, OpenRequirement, ReviewRound } from '../api/types';
import { nextDeadline, planTasks, wantsPrivacy, type PlanDetail } from './tasks';

const you = (roles: string[], actions: string[]) => ({ id: 'u1', roles, actions });
const req = (id: string, done: boolean): OpenRequirement => ({ id, section: 's', quote: '', body: 'x', done });
const round = (deadline: string, recipients: string[], answered: string[] = []): ReviewRound => ({
  id: deadline,
  seq: 1,
  message: '',
  sections: [],
  recipients,
  deadline,
  sent_by: 'lead',
  sent_at: '',
  answers: answered.map((user) => ({ user, at: '', comment: '' })),
});
const milestone = (title: string, date: string, status: Milestone['status'] = 'planned'): Milestone => ({ id: title, seq: 1, title, date, responsible: 'leader', status, overdue: false });

const kinds = (p: PlanDetail, privacy: number | null = null) => planTasks(p, privacy).map((t) => ('n' in t ? `${t.kind}:${t.n}` : t.kind));

describe('planTasks', () => {
  it('gives the leader the required changes not yet made and the open privacy findings', () => {
    const p: PlanDetail = { phase: 'draft', you: you(['leader'], ['edit_text', 'submit', 'accept_privacy_finding']), open_requirements: [req('a', false), req('b', true), req('c', false)] };
    assert.deepEqual(kinds(p, 2), ['requirements:2', 'privacy:2']);
    assert.deepEqual(kinds(p, 0), ['requirements:2']);
    assert.equal(wantsPrivacy(p), true);
  });

  it('gives the steering group the made changes to resolve, a submitted draft to lock, and the approval', () => {
    const steering = you(['steering'], ['comment', 'lock']);
    assert.deepEqual(kinds({ phase: 'draft', you: steering, open_requirements: [req('a', true), req('b', false)] }), ['resolve_requirements:1']);
    assert.deepEqual(kinds({ phase: 'draft', you: steering, submitted: false }), [], 'nothing to lock before the leader submits');
    assert.deepEqual(kinds({ phase: 'draft', you: steering, submitted: true }), ['lock']);
    assert.deepEqual(kinds({ phase: 'review', you: you(['steering'], ['approve_steering', 'return']) }), ['approve']);
    assert.deepEqual(kinds({ phase: 'review', you: you(['political'], ['approve_political']) }), ['approve']);
    assert.deepEqual(kinds({ phase: 'review', you: you(['political'], ['comment']) }), [], 'approved already: the action is gone');
    assert.equal(wantsPrivacy({ phase: 'draft', you: steering }), false);
  });

  it("gives finance the sign-off when there is none or it lapsed, nothing while it holds", () => {
    const fin = you(['finance'], ['comment', 'sign_off_economics']);
    const signed = { by: 'f', at: '', comment: '', seq: 3, hash: '', lapsed: false };
    assert.deepEqual(kinds({ phase: 'draft', you: fin, economics_signoff: null }), ['signoff']);
    assert.deepEqual(kinds({ phase: 'draft', you: fin, economics_signoff: signed }), []);
    assert.deepEqual(kinds({ phase: 'draft', you: fin, economics_signoff: { ...signed, lapsed: true } }), ['signoff_lapsed']);
  });

  it('gives a member the review rounds sent to them that they have not answered, earliest first', () => {
    const p: PlanDetail = { phase: 'draft', you: you(['member'], ['comment', 'suggest']), rounds: [round('2026-12-20', ['u1']), round('2026-12-10', ['u1', 'u2']), round('2026-12-01', ['u1'], ['u1']), round('2026-11-30', ['u2'])] };
    assert.deepEqual(planTasks(p, null), [
      { kind: 'round', deadline: '2026-12-10' },
      { kind: 'round', deadline: '2026-12-20' },
    ]);
  });

  it('gives nobody anything without you', () => {
    assert.deepEqual(kinds({ phase: 'draft', open_requirements: [req('a', false)], rounds: [round('2026-12-01', ['u1'])] }), []);
  });
});

describe('nextDeadline', () => {
  const today = '2026-11-28';
  it('is the earliest milestone not done, overdue when its day has passed', () => {
    const p: PlanDetail = { phase: 'draft', milestones: [milestone('B', '2027-01-15'), milestone('A', '2026-12-01'), milestone('Ferdig', '2026-11-01', 'done')] };
    assert.deepEqual(nextDeadline(p, today), { date: '2026-12-01', kind: 'milestone', title: 'A', overdue: false });
    p.milestones!.push(milestone('Sent', '2026-11-20'));
    assert.deepEqual(nextDeadline(p, today), { date: '2026-11-20', kind: 'milestone', title: 'Sent', overdue: true });
  });

  it('takes the hearing deadline while the hearing runs, and the user’s own review rounds', () => {
    const p: PlanDetail = { phase: 'hearing', hearing: { deadline: '2026-12-05' }, milestones: [milestone('Vedtak', '2027-03-01')] };
    assert.deepEqual(nextDeadline(p, today), { date: '2026-12-05', kind: 'hearing', overdue: false });
    assert.equal(nextDeadline({ ...p, phase: 'processing' }, today)?.kind, 'milestone', 'a closed hearing is no deadline');
    const r: PlanDetail = { phase: 'draft', you: you(['member'], []), rounds: [round('2026-12-02', ['u1']), round('2026-11-29', ['u2'])] };
    assert.deepEqual(nextDeadline(r, today), { date: '2026-12-02', kind: 'round', overdue: false });
  });

  it('is null without any', () => {
    assert.equal(nextDeadline({ phase: 'approved' }, today), null);
  });
});
