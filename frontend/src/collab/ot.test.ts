import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Delta from 'quill-delta';
import fc from 'fast-check';
import { COMMITTED_LOG, OTClient, splitChange, touchesFinalNewline } from './ot';

const doc = (s: string) => new Delta().insert(s);
const text = (d: Delta) => d.ops.map((o) => (typeof o.insert === 'string' ? o.insert : '')).join('');

describe('OTClient', () => {
  it('remembers the committed ops (remote and acknowledged) by version, until a snapshot', () => {
    const c = new OTClient(5, doc('abc\n'));
    assert.deepEqual(c.committedSince(5), []);
    assert.equal(c.committedSince(4), null, 'before what it knows');
    assert.equal(c.committedSince(6), null, 'ahead');
    const r = new Delta().insert('R');
    c.remote(r);
    c.local(new Delta().retain(2).insert('x'));
    const sent = c.takeBuffer(1, 'me')!;
    assert.deepEqual(c.pending()?.ops, sent.op.ops);
    c.local(new Delta().retain(4).insert('y'));
    assert.deepEqual(c.pending()?.ops, [{ retain: 2 }, { insert: 'x' }, { retain: 1 }, { insert: 'y' }]);
    c.ack();
    assert.deepEqual(c.pending()?.ops, [{ retain: 4 }, { insert: 'y' }]);
    assert.deepEqual(
      c.committedSince(5)?.map((d) => d.ops),
      [r.ops, sent.op.ops],
    );
    assert.deepEqual(c.committedSince(7), []);
    c.rebase(doc('new\n'), 20, false);
    assert.equal(c.committedSince(7), null);
    assert.deepEqual(c.committedSince(20), []);
  });

  it('keeps at most COMMITTED_LOG ops', () => {
    const c = new OTClient(0, doc('\n'));
    for (let i = 0; i < COMMITTED_LOG + 5; i++) c.remote(new Delta().insert('a'));
    assert.equal(c.committedSince(4), null);
    assert.equal(c.committedSince(5)?.length, COMMITTED_LOG);
  });

  it('buffers local changes and sends one at a time', () => {
    const c = new OTClient(3, doc('abc\n'));
    c.local(new Delta().retain(3).insert('d'));
    const f = c.takeBuffer(1, 'me');
    assert.ok(f);
    c.local(new Delta().retain(4).insert('e'));
    c.local(new Delta().retain(5).insert('f'));
    assert.equal(c.takeBuffer(2, 'me'), null, 'one op in flight');
    assert.deepEqual(c.buffer?.ops, [{ retain: 4 }, { insert: 'ef' }]);
    c.ack();
    assert.equal(c.version, 4);
    assert.equal(text(c.base), 'abcd\n');
    assert.equal(text(c.localDoc()), 'abcdef\n');
  });

  it('transforms pending ops over a remote op, remote winning ties', () => {
    const c = new OTClient(0, doc('ab\n'));
    c.local(new Delta().retain(1).insert('X')); // aXb
    c.takeBuffer(1, 'me');
    c.local(new Delta().retain(3).insert('Y')); // aXbY
    // Another client inserted R at the same place as X, and was committed first.
    const applied = c.remote(new Delta().retain(1).insert('R'));
    assert.equal(text(c.base), 'aRb\n');
    // The server will put X after R (committed op wins the tie): aRXbY.
    assert.equal(text(c.localDoc()), 'aRXbY\n');
    assert.equal(text(doc('aXbY\n').compose(applied)), 'aRXbY\n');
    assert.deepEqual(c.inflight?.op.ops, [{ retain: 2 }, { insert: 'X' }]);
  });

  it('drops a buffer that a remote delete transformed away', () => {
    const c = new OTClient(0, doc('abc\n'));
    c.local(new Delta().retain(1).delete(1));
    c.remote(new Delta().retain(1).delete(1));
    assert.equal(c.buffer, null);
    assert.equal(text(c.localDoc()), 'ac\n');
  });

  it('rebases pending ops on a snapshot', () => {
    const c = new OTClient(5, doc('hello\n'));
    c.local(new Delta().retain(5).insert(' world'));
    c.takeBuffer(1, 'me');
    const before = c.localDoc();
    const change = c.rebase(doc('Oh, hello\n'), 9000, false);
    assert.equal(c.version, 9000);
    assert.equal(text(c.localDoc()), 'Oh, hello world\n');
    assert.equal(text(before.compose(change)), 'Oh, hello world\n');
  });

  it('rebases on a snapshot that already contains the in-flight op', () => {
    const c = new OTClient(5, doc('hello\n'));
    c.local(new Delta().retain(5).insert('!'));
    c.takeBuffer(1, 'me');
    c.local(new Delta().insert('> '));
    const before = c.localDoc();
    const change = c.rebase(doc('hello!\nmore\n'), 9000, true);
    assert.equal(c.inflight, null);
    assert.equal(text(c.localDoc()), '> hello!\nmore\n');
    assert.equal(text(before.compose(change)), '> hello!\nmore\n');
  });
});

describe('the final newline', () => {
  it('is found touched by a delete of it or an insert after it', () => {
    const d = doc('ab\n');
    assert.equal(touchesFinalNewline(d, new Delta().retain(2).insert('x')), false);
    assert.equal(touchesFinalNewline(d, new Delta().retain(3).insert('x\n')), true);
    assert.equal(touchesFinalNewline(d, new Delta().retain(1).delete(2).insert('x\n')), true);
    assert.equal(touchesFinalNewline(d, new Delta().retain(2, { bold: true })), false);
    assert.equal(touchesFinalNewline(new Delta(), new Delta().insert('x\n')), false, 'an empty document has none');
  });

  it('is kept below the buffer when text typed on an empty document meets one written meanwhile', () => {
    // Typed on the server's empty document: the buffer carries its own final newline.
    const c = new OTClient(0, new Delta());
    c.local(new Delta().insert('X\n'));
    const before = c.localDoc();
    const applied = c.rebase(doc('Tekst\n'), 7, false);
    assert.equal(text(c.localDoc()), 'Tekst\nX\n');
    assert.equal(text(before.compose(applied)), 'Tekst\nX\n', 'the editor shows the same');
    assert.equal(touchesFinalNewline(c.base, c.buffer!), false, 'the buffer no longer inserts after the final newline');
    // Deleting everything the other client wrote now keeps the server's final newline.
    c.local(new Delta().delete(6));
    assert.equal(text(c.localDoc()), 'X\n');
    assert.equal(touchesFinalNewline(c.base, c.buffer!), false);
  });
});

describe('splitChange', () => {
  it('leaves small changes whole', () => {
    const d = new Delta().retain(3).insert('abc');
    assert.deepEqual(splitChange(d, 1000), [d, null]);
  });

  it('splits a big paste into parts that compose to it, none too large', () => {
    const doc0 = new Delta().insert('Start\n');
    const big = new Delta()
      .retain(5)
      .insert('Ø'.repeat(3000), { bold: true })
      .insert('x😀'.repeat(2000))
      .delete(1)
      .insert('\n', { header: 2 });
    let rest: Delta | null = big;
    let doc = doc0;
    let parts = 0;
    while (rest) {
      const [first, next] = splitChange(rest, 2048);
      assert.ok(Buffer.byteLength(JSON.stringify(first)) <= 2048, `part of ${Buffer.byteLength(JSON.stringify(first))} bytes`);
      for (const op of first.ops) if (typeof op.insert === 'string') assert.ok(!/[\uD800-\uDBFF]$/.test(op.insert), 'no split pair');
      doc = doc.compose(first);
      rest = next;
      parts++;
    }
    assert.ok(parts > 5, `${parts} parts`);
    assert.deepEqual(doc.ops, doc0.compose(big).ops);
  });

  it('composes back for random changes', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(3), fc.string({ unit: 'grapheme', maxLength: 300 }), fc.boolean()), { maxLength: 20 }), fc.integer({ min: 80, max: 600 }), (spec, max) => {
        let base = new Delta().insert('abcdefghij\n');
        const d = new Delta();
        let len = base.length();
        let pos = 0;
        for (const [k, s, b] of spec) {
          if (k === 0 && s) d.insert(s, b ? { bold: true } : undefined);
          else if (k === 1 && pos < len - 1) (d.retain(1, b ? { italic: true } : undefined), pos++);
          else if (k === 2 && pos < len - 1) (d.delete(1), (len -= 1));
          else if (s) d.insert(s);
        }
        let rest: Delta | null = d.chop();
        let doc = base;
        let guard = 0;
        while (rest && guard++ < 10000) {
          const [first, next] = splitChange(rest, max);
          doc = doc.compose(first);
          rest = next;
        }
        base = base.compose(d);
        assert.deepEqual(doc.ops, base.ops);
      }),
    );
  });
});
