import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contactHref } from '../pages/accessibility';
import { isPublic, parseRoute } from '../pages/router';
import type { PlanOverview } from './api';
import { nextRoles, parseDomains, readSettings, rolesByUser, transferCandidates, whenIs, type SettingsForm } from './logic';
import { adminTabOf } from './tabs';

const form = (f: Partial<SettingsForm> = {}): SettingsForm => ({ password: true, oidc: false, domains: '', threshold: '5', weeks: '6', language: 'nb', ...f });

function plan(p: Partial<PlanOverview> & Pick<PlanOverview, 'id' | 'title'>): PlanOverview {
  return {
    type: 'temaplan', phase: 'draft', archived: false, seq: 1, created: '', updated: '', leader: null, members: [],
    next_milestone: null, overdue_milestones: 0, open_rounds: 0, ...p,
  };
}

describe('the settings form', () => {
  it('reads domains one per line, or separated by commas, without @, repeats or case', () => {
    assert.deepEqual(parseDomains(' @Bodo.Kommune.no\nbodo.kommune.no, saltdal.kommune.no;  \n\n'), ['bodo.kommune.no', 'saltdal.kommune.no']);
    assert.deepEqual(parseDomains(''), []);
  });

  it('gives the settings to save', () => {
    const r = readSettings(form({ oidc: true, domains: 'bodo.kommune.no', threshold: ' 4 ', weeks: '8', language: 'nn' }), true);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.settings, { login_methods: ['password', 'oidc'], email_domains: ['bodo.kommune.no'], privacy_threshold: 4, hearing_weeks: 8, language: 'nn' });
    assert.deepEqual(readSettings(form({ password: false, oidc: true }), true).settings?.login_methods, ['oidc']);
  });

  it('refuses what the server refuses, field by field', () => {
    const keys = (f: SettingsForm, oidc = false) => readSettings(f, oidc).problems.map((p) => `${p.field}:${p.key}`);
    assert.deepEqual(keys(form({ password: false })), ['methods:error.no_login_method']);
    assert.deepEqual(keys(form({ password: false, oidc: true })), ['methods:error.oidc_not_configured']);
    assert.deepEqual(keys(form({ oidc: true })), ['methods:error.oidc_not_configured']);
    assert.deepEqual(keys(form({ language: 'se' })), ['language:admin.settings.languageInvalid']);
    assert.deepEqual(keys(form({ domains: 'bodø.no' })), ['domains:admin.settings.domainInvalid']);
    assert.deepEqual(keys(form({ domains: 'localhost' })), ['domains:admin.settings.domainInvalid']);
    assert.deepEqual(keys(form({ domains: 'kari@bodo.no' })), ['domains:admin.settings.domainInvalid']);
    for (const bad of ['0', '101', '2.5', '', 'fem', '-3']) assert.deepEqual(keys(form({ threshold: bad })), ['threshold:admin.settings.thresholdRange'], bad);
    for (const bad of ['0', '53', '1e1', '']) assert.deepEqual(keys(form({ weeks: bad })), ['weeks:admin.settings.weeksRange'], bad);
    const all = readSettings(form({ password: false, domains: '-x.no', threshold: '0', weeks: '99' }), false);
    assert.equal(all.settings, null);
    assert.deepEqual(all.problems.map((p) => p.field), ['methods', 'domains', 'threshold', 'weeks']);
    assert.deepEqual(readSettings(form({ domains: '-x.no' }), false).problems[0]?.params, { domain: '-x.no' });
  });
});

describe('roles and leadership', () => {
  const plans = [
    plan({ id: 'a', title: 'Boligplan', leader: { id: 'lene', name: 'Lene' }, members: [
      { user: 'lene', name: 'Lene', email: 'lene@k.no', roles: ['leader'] },
      { user: 'mats', name: 'Mats', email: 'mats@k.no', roles: ['member', 'finance'] },
      { user: 'anne', name: '', email: 'anne@k.no', roles: ['reader'] },
    ] }),
    plan({ id: 'b', title: 'Gammel plan', archived: true, members: [{ user: 'mats', name: 'Mats', email: 'mats@k.no', roles: ['steering'] }] }),
  ];

  it('lists each person’s roles per plan', () => {
    const by = rolesByUser(plans);
    assert.deepEqual(by.get('mats'), [
      { plan: 'a', title: 'Boligplan', archived: false, roles: ['member', 'finance'] },
      { plan: 'b', title: 'Gammel plan', archived: true, roles: ['steering'] },
    ]);
    assert.equal(by.get('nobody'), undefined);
  });

  it('offers every member but the leader to take over, by name', () => {
    assert.deepEqual(transferCandidates(plans[0]!), [
      { user: 'anne', name: 'anne@k.no' },
      { user: 'mats', name: 'Mats' },
    ]);
    assert.deepEqual(transferCandidates(plan({ id: 'c', title: 'Tom' })), []);
  });

  it('keeps the leader role, which only a transfer moves, when roles are ticked', () => {
    assert.deepEqual(nextRoles(['leader', 'member'], ['steering', 'member']), ['leader', 'member', 'steering']);
    assert.deepEqual(nextRoles(['member'], []), []);
    assert.deepEqual(nextRoles([], ['leader', 'reader', 'admin']), ['reader']);
  });
});

describe('deadlines', () => {
  it('are passed, today, soon (two weeks) or later', () => {
    assert.equal(whenIs('2027-03-14', '2027-03-15'), 'passed');
    assert.equal(whenIs('2027-03-15', '2027-03-15'), 'today');
    assert.equal(whenIs('2027-03-29', '2027-03-15'), 'soon');
    assert.equal(whenIs('2027-03-30', '2027-03-15'), 'later');
  });
});

describe('routes of the administration and the statement', () => {
  it('lead to the tabs, and only to those', () => {
    assert.deepEqual(parseRoute('/admin'), { name: 'admin', tab: 'users' });
    assert.deepEqual(parseRoute('/admin/'), { name: 'admin', tab: 'users' });
    assert.deepEqual(parseRoute('/admin/planer'), { name: 'admin', tab: 'plans' });
    assert.deepEqual(parseRoute('/admin/innstillinger'), { name: 'admin', tab: 'settings' });
    for (const bad of ['/admin/brukere/x', '/admin/nope', '/admin/constructor']) assert.deepEqual(parseRoute(bad), { name: 'notfound' }, bad);
    assert.equal(adminTabOf(['planer', 'x']), null);
  });

  it('make the statement public, and nothing else but the login page', () => {
    assert.deepEqual(parseRoute('/tilgjengelighet'), { name: 'accessibility' });
    assert.ok(isPublic(parseRoute('/tilgjengelighet')));
    assert.ok(isPublic(parseRoute('/logg-inn')));
    for (const p of ['/', '/admin', '/plans/x']) assert.equal(isPublic(parseRoute(p)), false, p);
  });

  it('link a feedback contact only when it is an e-mail address or an https address', () => {
    assert.equal(contactHref(' postmottak@bodo.kommune.no '), 'mailto:postmottak@bodo.kommune.no');
    assert.equal(contactHref('https://bodo.kommune.no/tilbakemelding'), 'https://bodo.kommune.no/tilbakemelding');
    for (const bad of ['javascript:alert(1)', 'http://x.no', 'kari', '<a@b.no>', '']) assert.equal(contactHref(bad), null, bad);
  });
});
