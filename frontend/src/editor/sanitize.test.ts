import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Delta from 'quill-delta';
import { EMBED_RULES, QUILL_FORMATS } from './formats';
import { MEASURE_ID } from './measureblot';
import { checkURL, cleanChange, cleanDocument, sanitizeLink } from './sanitize';

describe('format whitelist', () => {
  it('is the server list, formats.json', () => {
    const raw = JSON.parse(readFileSync(fileURLToPath(new URL('../../../collab/delta/formats.json', import.meta.url)), 'utf8'));
    assert.deepEqual([...QUILL_FORMATS], [...raw.formats, ...raw.embeds].map((f: { name: string }) => f.name));
    for (const name of ['bold', 'italic', 'underline', 'strike', 'link', 'header', 'list', 'blockquote', 'indent', 'table', 'measure']) {
      assert.ok(QUILL_FORMATS.includes(name), name);
    }
  });

  it('allows the measure embed with the id shape the blot writes', () => {
    const rule = EMBED_RULES.find((r) => r.name === 'measure');
    assert.ok(rule?.pattern);
    assert.equal(rule.pattern, MEASURE_ID.source);
  });
});

describe('sanitizeLink', () => {
  const cases: [string, string | null][] = [
    ['https://www.bodo.kommune.no/bolig', 'https://www.bodo.kommune.no/bolig'],
    ['HTTP://example.no', 'HTTP://example.no'],
    ['mailto:post@bodo.kommune.no', 'mailto:post@bodo.kommune.no'],
    ['  husbanken.no/veiledere  ', 'https://husbanken.no/veiledere'],
    ['post@bodo.kommune.no', 'mailto:post@bodo.kommune.no'],
    ['javascript:alert(1)', null],
    ['JaVaScRiPt:alert(1)', null],
    ['java\tscript:alert(1)', null],
    ['data:text/html,<script>', null],
    ['tel:+4775555000', null],
    ['sms:123', null],
    ['file:///etc/passwd', null],
    ['about:blank', null],
    ['/relative/path', null],
    ['https://', null],
    ['https:example.no', null],
    ['https://exa mple.no', null],
    ['mailto:', null],
    ['https://' + 'a'.repeat(2100), null],
    ['', null],
  ];
  for (const [input, want] of cases) {
    it(`${JSON.stringify(input.slice(0, 40))} → ${want === null ? 'refused' : 'kept'}`, () => {
      const got = sanitizeLink(input);
      assert.equal(got, want);
      if (got) assert.ok(checkURL(got, ['http', 'https', 'mailto'], 2048));
    });
  }
});

describe('cleanChange', () => {
  it('leaves whitelisted changes as they are', () => {
    const d = new Delta()
      .retain(3)
      .insert('Mål', { bold: true, italic: true, link: 'https://husbanken.no' })
      .insert('\n', { header: 2 })
      .retain(4, { list: 'ordered', indent: 2 })
      .delete(2)
      .retain(1, { table: 'row-a1b2' })
      .retain(2, { bold: null, link: null });
    assert.deepEqual(cleanChange(d).ops, d.ops);
  });

  it('strips colours, fonts, sizes, images and unknown attributes', () => {
    const d = new Delta()
      .insert('Rødt', { color: '#f00', background: 'yellow', font: 'Calibri', size: 'large', bold: true })
      .insert({ image: 'https://x/y.png' })
      .insert({ video: 'https://x' })
      .insert('\n', { align: 'center', 'code-block': true, direction: 'rtl' });
    assert.deepEqual(cleanChange(d).ops, [{ insert: 'Rødt', attributes: { bold: true } }, { insert: '\n' }]);
  });

  it('clamps and maps values to the closest allowed ones', () => {
    const d = new Delta()
      .insert('a\n', { header: 6 })
      .insert('b\n', { list: 'checked' })
      .insert('c\n', { indent: 12 })
      .insert('d\n', { table: 'row-<script>' })
      .insert('e', { link: 'javascript:alert(1)' })
      .insert('f', { link: 'husbanken.no' })
      .insert('g', { bold: null, italic: 'true' });
    assert.deepEqual(cleanChange(d).ops, [
      { insert: 'a\n', attributes: { header: 4 } },
      { insert: 'b\n', attributes: { list: 'bullet' } },
      { insert: 'c\n', attributes: { indent: 8 } },
      { insert: 'd\ne' },
      { insert: 'f', attributes: { link: 'https://husbanken.no' } },
      { insert: 'g', attributes: { italic: true } },
    ]);
  });

  it('removes a link with a bad URL in a retain rather than keeping it', () => {
    const d = new Delta().retain(2).retain(3, { link: 'about:blank', color: 'red' });
    assert.deepEqual(cleanChange(d).ops, [{ retain: 2 }, { retain: 3, attributes: { link: null } }]);
  });

  it('is normalised: merged, chopped, inserts before deletes', () => {
    const d = new Delta([{ retain: 2 }, { insert: 'a', attributes: { color: 'red' } }, { insert: 'b' }, { retain: 5, attributes: { font: 'x' } }]);
    assert.deepEqual(cleanChange(d).ops, [{ retain: 2 }, { insert: 'ab' }]);
  });

  it('replaces lone surrogates, keeping lengths', () => {
    const d = new Delta().insert('a\uD83Db😀');
    const c = cleanChange(d);
    assert.deepEqual(c.ops, [{ insert: 'a\uFFFDb😀' }]);
    assert.equal(c.length(), d.length());
  });

  it('keeps a measure embed with a valid id, drops one with another value or beside another key', () => {
    const d = new Delta()
      .insert('Tiltak\n')
      .insert({ measure: '01JX-m_1' })
      .insert({ measure: '<img src=x onerror=alert(1)>' })
      .insert({ measure: 'x'.repeat(101) })
      .insert({ measure: 12 })
      .insert({ measure: '' })
      .insert({ measure: 'a', image: 'b' })
      .insert('\n');
    assert.deepEqual(cleanChange(d).ops, [{ insert: 'Tiltak\n' }, { insert: { measure: '01JX-m_1' } }, { insert: '\n' }]);
    assert.deepEqual(cleanDocument(new Delta().insert({ measure: 'm1' }).insert('\n')).ops, [{ insert: { measure: 'm1' } }, { insert: '\n' }]);
  });

  it('cleans pasted documents', () => {
    const pasted = new Delta().insert('Word', { font: 'Calibri', size: '11pt', bold: true }).insert({ image: 'x' }).insert('\n', { header: 5 });
    assert.deepEqual(cleanDocument(pasted).ops, [{ insert: 'Word', attributes: { bold: true } }, { insert: '\n', attributes: { header: 4 } }]);
  });
});
