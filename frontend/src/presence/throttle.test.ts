import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { Throttle } from './throttle';

describe('Throttle', () => {
  it('sends at most once per interval, the latest value last', () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    try {
      const sent: number[] = [];
      const th = new Throttle((n: number) => sent.push(n), 100);
      th.call(1);
      for (let i = 2; i <= 50; i++) {
        th.call(i);
        mock.timers.tick(5);
      }
      mock.timers.tick(200);
      // 250 ms of calls every 5 ms: the first at once, then one per 100 ms, ending with the last value.
      assert.equal(sent[0], 1);
      assert.equal(sent[sent.length - 1], 50);
      assert.ok(sent.length <= 4, `sent ${sent.length} times: ${sent}`);
    } finally {
      mock.timers.reset();
    }
  });
});
