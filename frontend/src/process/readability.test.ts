import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LixSection, PrivacyFinding } from './api';
import { bandOf, checkItems, formatLix, relocate } from './readability';

describe('bandOf', () => {
  it('names the bands and falls back to none', () => {
    assert.equal(bandOf('medium'), 'medium');
    assert.equal(bandOf('very_difficult'), 'very_difficult');
    assert.equal(bandOf(''), 'none');
    assert.equal(bandOf('none'), 'none');
    assert.equal(bandOf('odd'), 'none');
  });
});

describe('formatLix', () => {
  it('has one decimal and a comma', () => {
    assert.equal(formatLix(38.24), '38,2');
    assert.equal(formatLix(40), '40,0');
  });
});

const lix: LixSection = {
  section: 's1',
  title: 'Innledning',
  lix: 50,
  band: 'difficult',
  words: 40,
  sentences: 1,
  long_words: 10,
  long_sentences: [{ index: 0, length: 200, words: 31 }],
  very_long_words: [{ index: 40, length: 24, letters: 24 }],
};

function finding(p: Partial<PrivacyFinding>): PrivacyFinding {
  return { id: 'f', section: 's1', section_title: 'Innledning', index: 10, length: 10, quote: '3 familier', count: 3, kind: 'exact', word: 'familier', accepted: null, ...p };
}

describe('checkItems', () => {
  const findings = [
    finding({ id: 'open', index: 60 }),
    finding({ id: 'accepted', index: 5, accepted: { id: 'accepted', section: 's1', quote: 'x', reason: 'r', by: 'u', at: 't' } }),
    finding({ id: 'elsewhere', section: 's2', index: 1 }),
  ];
  it('shows what is switched on, in text order', () => {
    assert.deepEqual(
      checkItems(lix, findings, { klarsprak: true, personvern: true }, 's1').map((i) => `${i.kind}@${i.index}`),
      ['sentence@0', 'word@40', 'privacy@60'],
    );
    assert.deepEqual(
      checkItems(lix, findings, { klarsprak: false, personvern: true }, 's1').map((i) => `${i.kind}@${i.index}`),
      ['privacy@60'],
    );
    assert.deepEqual(
      checkItems(lix, findings, { klarsprak: true, personvern: false }, 's1').map((i) => i.kind),
      ['sentence', 'word'],
    );
    assert.deepEqual(checkItems(null, [], { klarsprak: true, personvern: true }, 's1'), []);
  });
  it('takes lists the server left out', () => {
    assert.deepEqual(checkItems({ ...lix, long_sentences: null, very_long_words: null }, [], { klarsprak: true, personvern: true }, 's1'), []);
  });
});

describe('relocate', () => {
  const text = 'Det bor 3 familier her. Og 3 familier der.\n';
  it('keeps a quote that is where it was said to be', () => assert.equal(relocate(text, '3 familier', 8), 8));
  it('finds the nearest occurrence when the text moved', () => {
    assert.equal(relocate(text, '3 familier', 10), 8);
    assert.equal(relocate(text, '3 familier', 25), 27);
  });
  it('gives up when the quote is gone', () => {
    assert.equal(relocate(text, '4 familier', 8), null);
    assert.equal(relocate(text, '', 8), null);
  });
});
