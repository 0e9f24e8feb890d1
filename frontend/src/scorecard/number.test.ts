import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatValue, inputValue, parseDecimal, parseYear } from './number';

describe('parseDecimal', () => {
  it('reads the ways Norwegians write numbers', () => {
    const cases: [string, number][] = [
      ['12', 12],
      ['12,5', 12.5],
      ['12.5', 12.5],
      [' 0,25 ', 0.25],
      ['1 234', 1234],
      ['1\u00a0234,5', 1234.5],
      ['1\u202f000\u202f000', 1000000],
      ['-3', -3],
      ['\u22123,5', -3.5],
      ['+7', 7],
      ['0', 0],
    ];
    for (const [text, want] of cases) assert.equal(parseDecimal(text), want, JSON.stringify(text));
  });

  it('refuses what is not one number', () => {
    for (const text of ['', ' ', 'abc', '12,', ',5', '1,2,3', '1.234,5', '12 %', '1e3', '0x10', 'Infinity', '1 ,5', '--3', '12-']) {
      assert.equal(parseDecimal(text), null, JSON.stringify(text));
    }
  });
});

describe('parseYear', () => {
  it('takes four digits only', () => {
    assert.equal(parseYear(' 2027 '), 2027);
    assert.equal(parseYear('27'), null);
    assert.equal(parseYear('2027,5'), null);
    assert.equal(parseYear(''), null);
  });
});

describe('formatValue', () => {
  it('writes a decimal comma, groups of thousands and the unit', () => {
    assert.equal(formatValue(12.5), '12,5');
    assert.equal(formatValue(1234567), '1\u00a0234\u00a0567');
    assert.equal(formatValue(-3), '\u22123');
    assert.equal(formatValue(46, '%'), '46\u00a0%');
    assert.equal(formatValue(20.91089, 'antall', 2), '20,91\u00a0antall');
  });

  it('writes what parseDecimal reads back', () => {
    for (const n of [0, 12.5, -3.25, 1234567.125, 0.000001]) {
      assert.equal(parseDecimal(formatValue(n)), n);
      assert.equal(parseDecimal(inputValue(n)), n);
    }
    assert.equal(inputValue(-1234.5), '-1234,5');
  });
});
