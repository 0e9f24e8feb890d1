import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loginPath, parseRoute, planPath, safeNext, viewPath } from './router';
import { VIEW_NAMES } from './views';

describe('routes', () => {
  it('parse and build', () => {
    assert.deepEqual(parseRoute('/'), { name: 'plans' });
    assert.deepEqual(parseRoute('/plans/01JD'), { name: 'plan', plan: '01JD', section: null, view: null });
    assert.deepEqual(parseRoute('/plans/01JD/sections/01JE/'), { name: 'plan', plan: '01JD', section: '01JE', view: null });
    assert.deepEqual(parseRoute('/nope'), { name: 'notfound' });
    assert.equal(planPath('a b', 'c'), '/plans/a%20b/sections/c');
    assert.deepEqual(parseRoute(planPath('a b', 'c')), { name: 'plan', plan: 'a b', section: 'c', view: null });
  });

  it('lead to the views of a plan, and only to those', () => {
    assert.equal(viewPath('a b', 'okonomi'), '/plans/a%20b/okonomi');
    for (const v of VIEW_NAMES) assert.deepEqual(parseRoute(viewPath('01JD', v)), { name: 'plan', plan: '01JD', section: null, view: v });
    assert.deepEqual(parseRoute('/plans/01JD/okonomi/'), { name: 'plan', plan: '01JD', section: null, view: 'okonomi' });
    for (const bad of ['/plans/01JD/sections', '/plans/01JD/Okonomi', '/plans/01JD/økonomi', '/plans/01JD/okonomi/x', '/plans/01JD/constructor', '/plans/01JD/toString']) {
      assert.deepEqual(parseRoute(bad), { name: 'notfound' }, bad);
    }
  });

  it('lead to the login page and back to where the user was, within the app only', () => {
    assert.deepEqual(parseRoute('/logg-inn'), { name: 'login' });
    assert.equal(loginPath('/plans/01JD/sections/01JE'), '/logg-inn?neste=%2Fplans%2F01JD%2Fsections%2F01JE');
    assert.equal(loginPath('/'), '/logg-inn');
    assert.equal(safeNext('/plans/01JD?x=1'), '/plans/01JD?x=1');
    for (const bad of [null, '', 'https://evil.example/', '//evil.example/x', '/\\evil.example', '/logg-inn', '/logg-inn?neste=/x', 'plans']) {
      assert.equal(safeNext(bad), '/', String(bad));
    }
  });
});
