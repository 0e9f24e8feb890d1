import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Member } from '../api/types';
import { setLang } from '../i18n';
import { auditAction, auditChange, auditDetail, checkEmail, GRANTABLE, rolesText, sortMembers } from './logic';

const m = (name: string, roles: string[], email = `${name.toLowerCase()}@x.no`): Member => ({ user: name, name, email, roles });

describe('members', () => {
  it('lists the leader first, then by name in Norwegian order', () => {
    const list = sortMembers([m('Åse', ['member']), m('Bjørn', ['reader']), m('Lene', ['leader']), m('Øyvind', ['finance']), m('Ævar', ['member'])]);
    assert.deepEqual(
      list.map((x) => x.name),
      ['Lene', 'Bjørn', 'Ævar', 'Øyvind', 'Åse'],
    );
  });

  it('never gives the leader role here', () => {
    assert.ok(!GRANTABLE.includes('leader'));
    assert.deepEqual(GRANTABLE, ['member', 'finance', 'reader', 'steering', 'political']);
  });

  it('names roles in the catalogue order', () => {
    setLang('nb');
    assert.equal(rolesText(['finance', 'member']), 'Prosjektgruppe, Økonomi');
    setLang('nn');
    assert.equal(rolesText(['steering']), 'Styringsgruppe');
    setLang('nb');
  });

  it('checks an e-mail address before asking the server', () => {
    assert.equal(checkEmail(''), 'members.emailRequired');
    assert.equal(checkEmail('   '), 'members.emailRequired');
    assert.equal(checkEmail('ola'), 'members.emailInvalid');
    assert.equal(checkEmail('ola@kommune'), 'members.emailInvalid');
    assert.equal(checkEmail('a b@kommune.no'), 'members.emailInvalid');
    assert.equal(checkEmail(`${'x'.repeat(250)}@k.no`), 'members.emailInvalid');
    assert.equal(checkEmail(' ola@kommune.no '), null);
  });
});

describe('audit lines', () => {
  it('say what happened in words, for every kind of entry', () => {
    setLang('nb');
    assert.equal(auditAction('plan.lock'), 'Planen ble låst for godkjenning');
    assert.equal(auditAction('member.set'), 'Roller endret');
    assert.equal(auditAction('measure.saved'), 'Tiltak lagret');
    assert.equal(auditAction('milestone.deleted'), 'Milepæl slettet');
    // A step of the process without words of its own, and something new.
    assert.equal(auditAction('plan.adopt'), 'Fasen ble endret');
    assert.equal(auditAction('widget.spun'), 'Annen endring (widget.spun)');
    setLang('nn');
    assert.equal(auditAction('plan.return'), 'Planen vart send tilbake');
    setLang('nb');
  });

  it('say what changed: roles for a membership, phases for a step', () => {
    setLang('nb');
    assert.equal(auditChange({ action: 'member.set', from: '', to: 'member,finance' }), 'Prosjektgruppe, Økonomi');
    assert.equal(auditChange({ action: 'member.set', from: 'member', to: '' }), 'Prosjektgruppe → ingen roller');
    assert.equal(auditChange({ action: 'plan.lock', from: 'draft', to: 'review' }), 'Utkast → Låst for godkjenning');
    assert.equal(auditChange({ action: 'section.added' }), '');
    assert.equal(auditDetail({ action: 'plan.approved', detail: 'steering' }), 'Styringsgruppe');
    assert.equal(auditDetail({ action: 'section.added', detail: 'Innledning' }), 'Innledning');
  });
});
