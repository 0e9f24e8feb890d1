import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { approvals, bannerActions, bannerLinks, readOnlyReason, sortRoles } from './phase';

describe('bannerActions', () => {
  const cases: { name: string; actions: string[] | undefined; want: string[] }[] = [
    { name: 'nothing for a reader', actions: ['comment'], want: [] },
    { name: 'nothing without you', actions: undefined, want: [] },
    { name: 'submit for the leader in draft', actions: ['edit_text', 'edit_structure', 'comment', 'manage_project', 'submit'], want: ['submit'] },
    { name: 'lock for the steering group in draft', actions: ['comment', 'suggest', 'lock', 'read_audit'], want: ['lock'] },
    { name: 'approve and return for the steering group in review', actions: ['comment', 'approve_steering', 'return', 'read_audit'], want: ['approve', 'return'] },
    { name: 'approve for political leadership', actions: ['comment', 'approve_political'], want: ['approve'] },
    { name: 'one approve button for both approval rights', actions: ['approve_political', 'approve_steering'], want: ['approve'] },
    { name: 'a fixed order', actions: ['return', 'approve_steering', 'lock', 'submit'], want: ['submit', 'lock', 'approve', 'return'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(
        bannerActions(c.actions).map((a) => a.action),
        c.want,
      );
    });
  }

  it('asks for confirmation before locking and for a comment before returning', () => {
    const asks = Object.fromEntries(bannerActions(['submit', 'lock', 'approve_steering', 'return']).map((a) => [a.action, a.ask]));
    assert.deepEqual(asks, { submit: 'none', lock: 'confirm', approve: 'none', return: 'comment' });
  });
});

describe('bannerActions in Fase 3', () => {
  const labels = (actions: string[], phase: Parameters<typeof bannerActions>[1]) => bannerActions(actions, phase).map((a) => [a.action, a.label]);
  it('names the final proposal in processing and final_review', () => {
    assert.deepEqual(labels(['submit'], 'processing'), [['submit', 'action.submitFinal']]);
    assert.deepEqual(labels(['lock'], 'processing'), [['lock', 'action.lockFinal']]);
    assert.deepEqual(labels(['approve_steering', 'return'], 'final_review'), [['approve', 'action.approveFinal'], ['return', 'action.return']]);
  });
  it("names the steering group's approval in amending as the confirmation of the amendments", () => {
    assert.deepEqual(labels(['approve_steering'], 'amending'), [['approve', 'action.confirmAmendments']]);
  });
  it('keeps the Fase 1 names before the hearing', () => {
    assert.deepEqual(labels(['submit', 'lock', 'approve_political'], 'draft'), [['submit', 'action.submit'], ['lock', 'action.lock'], ['approve', 'action.approve']]);
    assert.deepEqual(labels(['approve_steering'], 'review'), [['approve', 'action.approve']]);
  });
});

describe('bannerLinks', () => {
  const you = (actions: string[]) => ({ id: 'u', roles: [], actions });
  const views = (p: Parameters<typeof bannerLinks>[0]) => bannerLinks(p).map((l) => (l.kind === 'view' ? `${l.action}@${l.view}` : `${l.label}:${l.plan}`));
  it('sends the steering group to Høring to close the hearing, and members there to assess', () => {
    assert.deepEqual(views({ phase: 'hearing', you: you(['close_hearing', 'comment']) }), ['close_hearing@hoering']);
    assert.deepEqual(views({ phase: 'processing', you: you(['write_assessment', 'edit_text']) }), ['write_assessment@hoering']);
    assert.deepEqual(views({ phase: 'processing', you: you(['comment']) }), []);
  });
  it('offers the decision only after the steering group approved the final proposal', () => {
    assert.deepEqual(views({ phase: 'final_review', you: you(['record_decision', 'record_amendments']) }), []);
    assert.deepEqual(views({ phase: 'final_review', approvals: ['steering'], you: you(['record_decision', 'record_amendments']) }), ['record_decision@vedtak']);
    assert.deepEqual(views({ phase: 'final_review', approvals: ['steering'], you: you(['comment']) }), []);
  });
  it('shows the adopted plan, the rullering until it is started, and the links between the plans', () => {
    assert.deepEqual(views({ phase: 'adopted', you: you(['start_rullering']) }), ['adopted@vedtak', 'start_rullering@vedtak']);
    assert.deepEqual(views({ phase: 'adopted', you: you(['start_rullering']), next: { plan_id: 'p2', title: 'Ny' } }), ['adopted@vedtak', 'banner.next:p2']);
    assert.deepEqual(views({ phase: 'adopted', you: you(['comment']) }), ['adopted@vedtak']);
    assert.deepEqual(views({ phase: 'draft', you: you(['edit_text']), previous: { plan_id: 'p1', title: 'Gammel' } }), ['banner.previous:p1']);
  });
});

describe('approvals', () => {
  it('shows both approvals while the draft is locked for approval', () => {
    assert.deepEqual(approvals({ phase: 'review', approvals: ['political'] }), [
      { role: 'steering', approved: false },
      { role: 'political', approved: true },
    ]);
    assert.deepEqual(approvals({ phase: 'review' }), [
      { role: 'steering', approved: false },
      { role: 'political', approved: false },
    ]);
  });
  it("shows the steering group's for the final proposal, and none in other phases", () => {
    assert.deepEqual(approvals({ phase: 'final_review', approvals: ['steering'] }), [{ role: 'steering', approved: true }]);
    assert.deepEqual(approvals({ phase: 'draft', approvals: ['steering'] }), []);
  });
});

describe('readOnlyReason', () => {
  const you = (actions: string[]) => ({ id: 'u', roles: [], actions });
  it('is null for whoever may edit the text', () => {
    assert.equal(readOnlyReason({ phase: 'draft', you: you(['edit_text']) }), null);
  });
  it('blames the role in a writing phase and the phase otherwise', () => {
    assert.equal(readOnlyReason({ phase: 'draft', you: you(['comment']) }), 'role');
    assert.equal(readOnlyReason({ phase: 'processing', you: you([]) }), 'role');
    assert.equal(readOnlyReason({ phase: 'review', you: you(['comment']) }), 'phase');
    assert.equal(readOnlyReason({ phase: 'adopted', you: undefined }), 'phase');
  });
});

describe('sortRoles', () => {
  it('orders roles as the specification lists them, once each', () => {
    assert.deepEqual(sortRoles(['admin', 'political', 'leader', 'steering', 'leader', 'x']), ['leader', 'steering', 'political', 'admin', 'x']);
  });
});
