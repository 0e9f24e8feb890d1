import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  it('grows exponentially up to the cap, with half of it jittered', () => {
    const opts = { base: 500, max: 30_000 };
    assert.equal(backoffDelay(0, opts, () => 0), 250);
    assert.equal(backoffDelay(0, opts, () => 1), 500);
    assert.equal(backoffDelay(3, opts, () => 1), 4000);
    assert.equal(backoffDelay(50, opts, () => 1), 30_000);
    fc.assert(
      fc.property(fc.nat(100), fc.double({ min: 0, max: 1, noNaN: true }), (n, r) => {
        const d = backoffDelay(n, opts, () => r);
        const nominal = Math.min(30_000, 500 * 2 ** Math.min(n, 30));
        return d >= nominal / 2 - 1 && d <= nominal + 1;
      }),
    );
  });
});
