import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatKroner, MAX_KRONER, parseKroner } from './money';

describe('parseKroner', () => {
  it('reads whole kroner with or without spaces between the thousands', () => {
    const ok: [string, number][] = [
      ['', 0],
      ['  ', 0],
      ['0', 0],
      ['7', 7],
      ['1500000', 1_500_000],
      ['1 500 000', 1_500_000],
      [' 250 000 ', 250_000],
      ['1\u00a0500\u00a0000', 1_500_000],
      ['1\u202f500', 1_500],
      ['1 000 000 000 000', MAX_KRONER],
      ['007', 7],
    ];
    for (const [s, n] of ok) assert.equal(parseKroner(s), n, JSON.stringify(s));
  });

  it('refuses decimals, signs, letters, wrong grouping and too large amounts', () => {
    const bad = ['1,5', '1.5', '1.500', '-1', '+1', '1e6', '12a', 'kr 100', '1 50', '15 00 000', '1  000', '1 000 000 000 001', '99999999999999', 'NaN', 'Infinity', '0x10', '１２'];
    for (const s of bad) assert.equal(parseKroner(s), null, JSON.stringify(s));
  });
});

describe('formatKroner', () => {
  it('groups the thousands as Norwegian does', () => {
    assert.equal(formatKroner(0), '0');
    assert.equal(formatKroner(1_500_000).replace(/\s/g, ' '), '1 500 000');
    // What it writes, it reads back.
    for (const n of [0, 999, 1000, 250_000, 1_750_000, MAX_KRONER]) assert.equal(parseKroner(formatKroner(n)), n);
  });
});
