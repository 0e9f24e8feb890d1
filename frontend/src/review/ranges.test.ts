import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import Delta from 'quill-delta';
import { advance, contains, moveRange, moveThrough, project, toAnchor, type Anchor, type TextRange, type Timeline } from './ranges';

const ins = (at: number, s: string) => new Delta().retain(at).insert(s);
const del = (at: number, n: number) => new Delta().retain(at).delete(n);
const r = (index: number, length: number): TextRange => ({ index, length });

describe('moveRange', () => {
  // The same cases as collab/anchor.go's Move: text typed at either edge
  // stays outside the range, text typed inside grows it.
  const cases: [string, TextRange, Delta, TextRange][] = [
    ['insert before moves it', r(5, 3), ins(2, 'ab'), r(7, 3)],
    ['insert at its start stays outside', r(5, 3), ins(5, 'ab'), r(7, 3)],
    ['insert at its end stays outside', r(5, 3), ins(8, 'ab'), r(5, 3)],
    ['insert inside grows it', r(5, 3), ins(6, 'ab'), r(5, 5)],
    ['insert after leaves it', r(5, 3), ins(9, 'ab'), r(5, 3)],
    ['delete before moves it back', r(5, 3), del(1, 2), r(3, 3)],
    ['delete inside shrinks it', r(5, 3), del(6, 1), r(5, 2)],
    ['delete over its start cuts it', r(5, 3), del(4, 2), r(4, 2)],
    ['delete over its end cuts it', r(5, 3), del(7, 3), r(5, 2)],
    ['delete of all of it collapses it', r(5, 3), del(5, 3), r(5, 0)],
    ['delete around it collapses it', r(5, 3), del(3, 8), r(3, 0)],
    ['replace of its text collapses it, the new text outside', r(5, 3), new Delta().retain(5).delete(3).insert('xyz'), r(8, 0)],
    ['formatting changes nothing', r(5, 3), new Delta().retain(4).retain(3, { bold: true }), r(5, 3)],
    ['a collapsed range moves with an insert at it', r(5, 0), ins(5, 'ab'), r(7, 0)],
  ];
  for (const [name, before, op, after] of cases) {
    it(name, () => assert.deepEqual(moveRange(before, op), after));
  }

  it('moves through several ops in order', () => {
    assert.deepEqual(moveThrough(r(5, 3), [ins(0, 'a'), del(0, 2), ins(6, 'x')]), r(4, 4));
  });

  // The text of a range is marked; every edit keeps the mark on what is
  // left of it, and text typed strictly inside the range gets the mark
  // too. The range moved through the edits must be exactly the marked
  // text (or collapsed when none is left).
  it('follows its text through random edits', () => {
    type Ch = { c: string; m: boolean };
    const apply = (doc: Ch[], op: Delta): Ch[] => {
      const out: Ch[] = [];
      let i = 0;
      for (const o of op.ops) {
        if (typeof o.retain === 'number') {
          out.push(...doc.slice(i, i + o.retain));
          i += o.retain;
        } else if (o.delete) {
          i += o.delete;
        } else if (typeof o.insert === 'string') {
          const inside = i > 0 && i < doc.length && doc[i - 1]!.m && doc[i]!.m;
          for (const c of o.insert) out.push({ c, m: inside });
        }
      }
      out.push(...doc.slice(i));
      return out;
    };
    const opArb = (n: number) =>
      fc.oneof(
        fc.record({ at: fc.integer({ min: 0, max: n }), s: fc.constantFrom('a', 'ord ', 'æøå', '\n') }).map(({ at, s }) => ins(at, s)),
        fc.record({ at: fc.integer({ min: 0, max: Math.max(0, n - 1) }), k: fc.integer({ min: 1, max: 6 }) }).map(({ at, k }) => del(at, Math.min(k, n - at))),
      );
    fc.assert(
      fc.property(
        fc.string({ minLength: 2, maxLength: 30 }),
        fc.nat(),
        fc.nat(),
        fc.array(fc.nat(), { minLength: 1, maxLength: 25 }),
        (text, a, b, seeds) => {
          const n0 = text.length;
          const start = a % n0;
          const length = 1 + (b % (n0 - start));
          let doc: Ch[] = [...text].map((c, i) => ({ c, m: i >= start && i < start + length }));
          let range = r(start, length);
          for (const seed of seeds) {
            const op = fc.sample(opArb(doc.length), { seed, numRuns: 1 })[0]!;
            if (op.length() === 0 || (op.ops.some((o) => o.delete === 0))) continue;
            doc = apply(doc, op);
            range = moveRange(range, op);
            const first = doc.findIndex((x) => x.m);
            if (first < 0) {
              assert.equal(range.length, 0, 'all of its text is gone');
              return;
            }
            let last = first;
            doc.forEach((x, i) => {
              if (x.m) last = i;
            });
            assert.deepEqual(range, r(first, last - first + 1));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

// fakeTimeline is a document at version v with the committed ops from
// `from` on, and local changes not yet acknowledged.
function fakeTimeline(v: number, from: number, log: Delta[], pending: Delta | null, base = new Delta().insert('0123456789\n')): Timeline {
  return {
    version: () => v,
    committedSince: (at) => (at < from || at > v ? null : log.slice(at - from)),
    pending: () => pending,
    baseDoc: () => base,
  };
}

describe('advance and project', () => {
  it('moves an anchor through the committed ops since its version, then the pending changes', () => {
    const tl = fakeTimeline(12, 10, [ins(0, 'ab'), del(0, 1)], ins(0, 'xyz'));
    const a: Anchor = { v: 10, index: 4, length: 2 };
    assert.deepEqual(advance(a, tl), { v: 12, index: 5, length: 2 });
    assert.deepEqual(project(a, tl, 100), { range: r(8, 2), exact: true, ahead: false });
  });

  it('leaves an anchor at the current version as it is (but for pending changes)', () => {
    const tl = fakeTimeline(12, 10, [ins(0, 'ab'), del(0, 1)], null);
    const a: Anchor = { v: 12, index: 4, length: 2 };
    assert.equal(advance(a, tl), a);
    assert.deepEqual(project(a, tl, 100), { range: r(4, 2), exact: true, ahead: false });
  });

  it('says when an anchor is ahead of the editor or older than it knows', () => {
    const tl = fakeTimeline(12, 10, [ins(0, 'ab'), del(0, 1)], null);
    assert.deepEqual(project({ v: 13, index: 4, length: 2 }, tl, 100), { range: r(4, 2), exact: false, ahead: true });
    assert.deepEqual(project({ v: 9, index: 4, length: 200 }, tl, 20), { range: r(4, 16), exact: false, ahead: false });
  });
});

describe('toAnchor', () => {
  it('is the range itself when nothing is pending', () => {
    assert.deepEqual(toAnchor(r(3, 4), fakeTimeline(7, 0, [], null)), { v: 7, index: 3, length: 4 });
  });

  it('takes the pending changes back out, so the range names the same text in the server document', () => {
    const base = new Delta().insert('Boliger for alle\n');
    // Locally: "Nye boliger for alle" with "boliger" selected, "Nye " not yet acknowledged.
    const pending = new Delta().insert('Nye ').delete(1).insert('b');
    const local = base.compose(pending);
    const textOf = (d: Delta, x: TextRange) => (d.ops.map((o) => o.insert).join('') as string).slice(x.index, x.index + x.length);
    const sel = r(4, 7);
    assert.equal(textOf(local, sel), 'boliger');
    const a = toAnchor(sel, fakeTimeline(3, 0, [], pending, base))!;
    assert.equal(a.v, 3);
    assert.equal(textOf(base, a), 'oliger', 'the changed first letter is pending, the rest is the server text');
    const unchanged = toAnchor(r(12, 3), fakeTimeline(3, 0, [], pending, base))!;
    assert.equal(textOf(base, unchanged), 'for');
  });

  it('is null before the document is loaded', () => {
    assert.equal(toAnchor(r(0, 1), { version: () => null, committedSince: () => null, pending: () => null, baseDoc: () => null }), null);
  });
});

describe('contains', () => {
  it('takes a caret from the start to the end of a range', () => {
    assert.equal(contains(r(5, 3), 4), false);
    assert.equal(contains(r(5, 3), 5), true);
    assert.equal(contains(r(5, 3), 8), true);
    assert.equal(contains(r(5, 3), 9), false);
    assert.equal(contains(r(5, 0), 5), false);
  });
});
