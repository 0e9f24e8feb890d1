import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ssoLabel, ssoProblem, ssoStartPath } from './login';

describe('ssoStartPath', () => {
  const cases: [string, string][] = [
    ['/', '/api/auth/oidc/start'],
    ['/plans/p1/tiltak', '/api/auth/oidc/start?next=%2Fplans%2Fp1%2Ftiltak'],
    ['https://evil.example/', '/api/auth/oidc/start'],
    ['//evil.example', '/api/auth/oidc/start'],
    ['/logg-inn', '/api/auth/oidc/start'],
  ];
  for (const [next, want] of cases) {
    it(`goes back to ${JSON.stringify(next)} only if it is a page of the app`, () => assert.equal(ssoStartPath(next), want));
  }
});

describe('ssoLabel', () => {
  it('names the provider', () => assert.equal(ssoLabel({ sso: true, sso_name: 'Entra ID' }), 'Logg inn med Entra ID'));
  it('has a generic wording without a name', () => assert.equal(ssoLabel({ sso: true, sso_name: '  ' }), 'Logg inn med kommunens påloggingstjeneste'));
});

describe('ssoProblem', () => {
  it('shows the message of a known code', () =>
    assert.equal(ssoProblem('?feil=sso_not_allowed&neste=%2F'), 'E-postadressen din hører ikke til en kommune som bruker innlogging med påloggingstjeneste her. Ta kontakt med administratoren i kommunen.'));
  it('has a generic message for an unknown code', () => assert.equal(ssoProblem('?feil=no_such_code'), 'Noe gikk galt. Prøv igjen.'));
  it('shows nothing without a code', () => assert.equal(ssoProblem('?neste=%2Fplans'), null));
  it('shows nothing for a code that is no code', () => assert.equal(ssoProblem('?feil=%3Cscript%3E'), null));
});
