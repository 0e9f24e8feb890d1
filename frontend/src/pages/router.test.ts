import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRoute, planPath } from './router';

describe('routes', () => {
  it('parse and build', () => {
    assert.deepEqual(parseRoute('/'), { name: 'plans' });
    assert.deepEqual(parseRoute('/plans/01JD'), { name: 'plan', plan: '01JD', section: null });
    assert.deepEqual(parseRoute('/plans/01JD/sections/01JE/'), { name: 'plan', plan: '01JD', section: '01JE' });
    assert.deepEqual(parseRoute('/nope'), { name: 'notfound' });
    assert.equal(planPath('a b', 'c'), '/plans/a%20b/sections/c');
    assert.deepEqual(parseRoute(planPath('a b', 'c')), { name: 'plan', plan: 'a b', section: 'c' });
  });
});
