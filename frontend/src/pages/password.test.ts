import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../api/http';
import { setLang, t } from '../i18n';
import { linkProblem, passwordProblem, tokenFromHash } from './password';
import { isPublic, parseRoute } from './router';

describe('password links', () => {
  it('take the token from the fragment only when it looks like one', () => {
    const tok = 'Qm9yZWQtYnktdGhlLXRlc3QtdG9rZW4tMTIz';
    assert.equal(tokenFromHash(`#${tok}`), tok);
    assert.equal(tokenFromHash(tok), tok);
    assert.equal(tokenFromHash(''), '');
    assert.equal(tokenFromHash('#short'), '');
    assert.equal(tokenFromHash('#<script>alert(1)</script>aaaaaaaaaaaa'), '');
    assert.equal(tokenFromHash(`#${'a'.repeat(201)}`), '');
  });

  it('say why a link cannot be used, by the server code', () => {
    setLang('nb');
    assert.equal(linkProblem(new ApiError(410, 'token_expired', 'x')), t('password.expired'));
    assert.equal(linkProblem(new ApiError(410, 'token_used', 'x')), t('password.used'));
    assert.equal(linkProblem(new ApiError(401, 'unauthorized', 'x')), t('password.invalid'));
    assert.equal(linkProblem(new ApiError(0, 'network', 'x')), t('error.network'));
  });

  it('check a new password before it is sent', () => {
    setLang('nb');
    assert.equal(passwordProblem('kort', 'kort'), t('password.tooShort', { min: 12 }));
    assert.equal(passwordProblem('            ', '            '), t('password.blank'));
    assert.equal(passwordProblem('et langt passord', 'et langt pasord'), t('password.mismatch'));
    assert.equal(passwordProblem('æøå æøå æøå!', 'æøå æøå æøå!'), null);
    setLang('nn');
    assert.match(passwordProblem('kort', 'kort') ?? '', /teikn/);
    setLang('nb');
  });

  it('have public routes, the settings a signed-in one', () => {
    assert.deepEqual(parseRoute('/glemt-passord'), { name: 'forgot' });
    assert.deepEqual(parseRoute('/nytt-passord'), { name: 'password' });
    assert.deepEqual(parseRoute('/varsler'), { name: 'notifications' });
    assert.ok(isPublic(parseRoute('/glemt-passord')));
    assert.ok(isPublic(parseRoute('/nytt-passord')));
    assert.ok(!isPublic(parseRoute('/varsler')));
  });
});
