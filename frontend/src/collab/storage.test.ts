import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PersistedDoc } from './docsync';
import { clientsWithPending, newClientId, PendingStore } from './storage';

class MemoryStorage implements Storage {
  private m = new Map<string, string>();
  get length() {
    return this.m.size;
  }
  clear() {
    this.m.clear();
  }
  getItem(k: string) {
    return this.m.get(k) ?? null;
  }
  key(i: number) {
    return [...this.m.keys()][i] ?? null;
  }
  removeItem(k: string) {
    this.m.delete(k);
  }
  setItem(k: string, v: string) {
    this.m.set(k, v);
  }
}

const rec = (client: string, plan = 'p1'): PersistedDoc => ({
  client,
  plan,
  v: 3,
  base: { ops: [{ insert: 'ab\n' }] },
  inflight: { op: { ops: [{ insert: 'x' }] }, seq: 7, src: client },
  buffer: null,
  rejected: null,
});

describe('PendingStore', () => {
  it('keeps changes per client and document, and counts seq per client', () => {
    const s = new MemoryStorage();
    const a = new PendingStore('c-a', s);
    const b = new PendingStore('c-b', s);
    a.save('d1', rec('c-a'));
    a.save('d2', rec('c-a', 'p2'));
    b.save('d1', rec('c-b'));
    assert.deepEqual(a.load('d1'), rec('c-a'));
    assert.deepEqual(
      a.docs().sort((x, y) => x.doc.localeCompare(y.doc)),
      [
        { doc: 'd1', plan: 'p1' },
        { doc: 'd2', plan: 'p2' },
      ],
    );
    assert.deepEqual(clientsWithPending(s).sort(), ['c-a', 'c-b']);
    a.save('d1', null);
    a.save('d2', null);
    assert.deepEqual(clientsWithPending(s), ['c-b']);
    assert.equal(a.nextSeq(), 1);
    assert.equal(a.nextSeq(), 2);
    assert.equal(new PendingStore('c-a', s).nextSeq(), 3, 'the counter survives the page');
    assert.equal(b.nextSeq(), 1);
  });

  it('keeps the changes of each signed-in user apart', () => {
    const s = new MemoryStorage();
    const kari = new PendingStore('c-a', s, 0, 'u:kari');
    const ola = new PendingStore('c-a', s, 0, 'u:ola');
    kari.save('d1', rec('c-a'));
    assert.deepEqual(kari.docs(), [{ doc: 'd1', plan: 'p1' }]);
    assert.deepEqual(ola.docs(), [], 'not restored for another user');
    assert.equal(ola.load('d1'), null);
    ola.save('d1', null);
    assert.deepEqual(kari.load('d1'), rec('c-a'), 'nor removed by them');
    assert.deepEqual(clientsWithPending(s), ['c-a']);
    assert.equal(kari.nextSeq(), 1);
    assert.equal(ola.nextSeq(), 2, 'one seq counter per client');
  });

  it('gathers writes with a delay, and flush writes them at once', () => {
    const s = new MemoryStorage();
    const a = new PendingStore('c-a', s, 10_000);
    a.save('d1', rec('c-a'));
    assert.equal(s.length, 0, 'not written yet');
    assert.deepEqual(a.load('d1'), rec('c-a'), 'but loaded from memory');
    a.flush();
    assert.equal(s.length, 1);
    a.save('d1', null);
    a.flush();
    assert.equal(s.length, 0);
  });

  it('makes client ids the protocol accepts', () => {
    for (let i = 0; i < 100; i++) assert.match(newClientId(), /^[A-Za-z0-9_-]{1,64}$/);
  });
});
