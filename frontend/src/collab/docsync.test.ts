// Property tests of the client protocol: several simulated clients edit one
// document through a simulated server that does what the Go engine does
// (resend check first, stale refusal, transform against committed ops with
// the committed ops winning ties, catch-up or snapshot on sub), over
// connections that deliver late, drop, reorder and reconnect, with page
// reloads (a closed tab's client id taken over by a new tab is the same
// thing to the protocol). Every run must end with all clients showing the
// server's document, and — when clients only insert — with every typed
// character in it exactly once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import Delta from 'quill-delta';
import { DocSync } from './docsync';
import type { SubmitMsg, SubMsg } from './protocol';
import { actionArb, Client, connect, DOC, drop, run, Server, textOf, type World } from './simulation';

const RUNS = Number(process.env.SIM_RUNS ?? 150);

const params = (clients: number) =>
  fc.record({
    actions: fc.array(actionArb(clients), { minLength: 1, maxLength: 200, size: 'max' }),
    initial: fc.constantFrom('', '\n', 'Innledning\n'),
    stale: fc.integer({ min: 2, max: 6 }),
    extra: fc.integer({ min: 1, max: 6 }),
  });

describe('DocSync against a simulated server', () => {
  for (const clients of [2, 3]) {
    it(`${clients} clients converge under inserts, deletes and formats`, () => {
      fc.assert(
        fc.property(params(clients), (p) =>
          run(p.actions, clients, { insertOnly: false, initial: p.initial, stale: p.stale, catchUp: p.stale + p.extra }),
        ),
        { numRuns: RUNS },
      );
    });
    it(`${clients} clients keep every inserted character exactly once`, () => {
      fc.assert(
        fc.property(params(clients), (p) =>
          run(p.actions, clients, { insertOnly: true, initial: p.initial, stale: p.stale, catchUp: p.stale + p.extra }),
        ),
        { numRuns: RUNS },
      );
    });
  }
});

describe('DocSync', () => {
  function single(): { c: Client; server: Server; w: World } {
    const clock = { t: 0 };
    const server = new Server(new Delta().insert('ab\n'), 1000, 10000);
    const c = new Client('me', clock);
    const w: World = { server, clients: [c], clock };
    connect(w, c);
    const flush = () => {
      while (c.conn!.up.length || c.conn!.down.length) {
        while (c.conn!.up.length) server.handle(c.conn!, c.conn!.up.shift()!);
        while (c.conn!.down.length) c.sync.receive(c.conn!.down.shift()!);
      }
    };
    flush();
    return { c, server, w };
  }

  it('keeps a refused (forbidden) change visible and stored, and can retry', () => {
    const { c } = single();
    const change = new Delta().retain(2).insert('!');
    c.view = c.view!.compose(change);
    c.sync.local(change);
    const sent = c.conn!.up.shift() as SubmitMsg;
    assert.equal(sent.type, 'op');
    c.sync.receive({ type: 'error', code: 'forbidden', message: 'you may not edit', doc: DOC, seq: sent.seq });
    const st = c.sync.status();
    assert.equal(st.state, 'rejected');
    assert.equal(st.problem?.code, 'forbidden');
    assert.equal(textOf(c.view!), 'ab!\n', 'the text stays');
    assert.ok(c.stored?.inflight, 'and stays stored');
    assert.equal(c.conn!.up.length, 0, 'nothing resent by itself');
    c.sync.retry();
    const again = c.conn!.up.shift() as SubmitMsg;
    assert.equal(again.seq, sent.seq, 'a retry reuses the seq');
  });

  it('discards a refused change on request', () => {
    const { c } = single();
    const change = new Delta().retain(2).insert('!');
    c.view = c.view!.compose(change);
    c.sync.local(change);
    const sent = c.conn!.up.shift() as SubmitMsg;
    c.sync.receive({ type: 'error', code: 'forbidden', message: 'no', doc: DOC, seq: sent.seq });
    c.sync.discard();
    assert.equal(textOf(c.view!), 'ab\n');
    assert.equal(c.stored, null);
    assert.equal(c.sync.status().state, 'saved');
  });

  it('treats its own op among the catch-up ops as the ack', () => {
    const { c, server, w } = single();
    const change = new Delta().retain(2).insert('!');
    c.view = c.view!.compose(change);
    c.sync.local(change);
    server.handle(c.conn!, c.conn!.up.shift()!); // committed, the ack is lost:
    drop(w, c);
    connect(w, c);
    const sub = c.conn!.up.shift() as SubMsg;
    assert.equal(sub.v, 0);
    server.handle(c.conn!, sub);
    while (c.conn!.down.length) c.sync.receive(c.conn!.down.shift()!);
    assert.equal(c.conn!.up.length, 0, 'not resent');
    assert.equal(c.sync.status().state, 'saved');
    assert.equal(c.sync.version(), 1);
  });

  it('reports offline and saving states', () => {
    const { c, w } = single();
    assert.equal(c.sync.status().state, 'saved');
    drop(w, c);
    assert.equal(c.sync.status().state, 'offline');
    const change = new Delta().insert('x');
    c.view = c.view!.compose(change);
    c.sync.local(change);
    assert.equal(c.sync.status().pending, true);
    connect(w, c);
    assert.equal(c.sync.status().state, 'saving');
  });
});

describe('DocSync protocol paths', () => {
  function fake(client = 'me') {
    const sent: (SubmitMsg | SubMsg)[] = [];
    let t = 0;
    let reconnects = 0;
    const stored: { rec: unknown } = { rec: null };
    let seq = 0;
    const sync = new DocSync(
      'p',
      DOC,
      { clientId: client, send: (m) => (sent.push(structuredClone(m)), true), nextSeq: () => ++seq, reconnect: () => reconnects++, now: () => t },
      (r) => (stored.rec = r),
    );
    let view = new Delta();
    sync.attach({ reset: (d) => (view = d), apply: (c) => (view = view.compose(c)), flush: () => {} });
    const type = (d: Delta) => {
      view = view.compose(d);
      sync.local(d);
    };
    return { sync, sent, type, view: () => view, stored, advance: (ms: number) => (t += ms), reconnects: () => reconnects };
  }
  const snap = (v: number, text: string) => ({ type: 'snapshot' as const, doc: DOC, v, data: { ops: text ? [{ insert: text }] : [] } });

  it('sends the trailing newline Quill needs with the first change to an empty document', () => {
    const f = fake();
    f.sync.connected();
    f.sync.receive(snap(0, ''));
    assert.equal(textOf(f.view()), '\n', 'Quill shows a newline');
    assert.equal(f.sent.filter((m) => m.type === 'op').length, 0, 'nothing sent for it alone');
    assert.equal(f.sync.status().state, 'saved');
    f.type(new Delta().insert('Hei'));
    const op = f.sent.find((m) => m.type === 'op') as SubmitMsg;
    assert.deepEqual(op.op.ops, [{ insert: 'Hei\n' }]);
  });

  // Opening an empty section must not edit it: the newline Quill shows is
  // sent with the first real change, never alone (a lone newline would be
  // an attributed edit, a version and a history line, for looking).
  describe('an empty document opened without a change sends nothing', () => {
    const ops = (f: ReturnType<typeof fake>) => f.sent.filter((m) => m.type === 'op');
    const opened = (text = '') => {
      const f = fake();
      f.sync.connected();
      f.sync.receive(snap(0, text));
      return f;
    };
    const quiet = (f: ReturnType<typeof fake>, what: string) => {
      assert.deepEqual(ops(f), [], `no op sent (${what})`);
      assert.equal(f.sync.status().state, 'saved', `saved (${what})`);
      assert.equal(f.sync.hasPending(), false, `nothing pending (${what})`);
      assert.equal(f.stored.rec, null, `nothing stored (${what})`);
      assert.equal(textOf(f.view()), '\n', `Quill's newline shown (${what})`);
    };
    const firstChange = (f: ReturnType<typeof fake>, base = 0) => {
      f.type(new Delta().insert('Hei'));
      const op = ops(f).pop() as SubmitMsg;
      assert.deepEqual(op.op.ops, base ? [{ retain: base }, { insert: 'Hei\n' }] : [{ insert: 'Hei\n' }], 'the first change carries the newline');
    };

    it('on its server version 0 (one empty line) and on a document without one', () => {
      for (const text of ['', '\n']) {
        const f = opened(text);
        f.advance(60_000);
        f.sync.tick(60_000);
        quiet(f, JSON.stringify(text));
      }
    });

    it('after a reconnect and its catch-up', () => {
      const f = opened();
      f.sync.disconnected();
      f.sync.connected();
      assert.deepEqual(f.sent.pop(), { type: 'sub', plan: 'p', doc: DOC, v: 0 });
      f.sync.receive({ type: 'synced', doc: DOC, v: 0 });
      quiet(f, 'catch-up');
      firstChange(f);
    });

    it('after a second snapshot (a resync)', () => {
      const f = opened();
      f.sync.receive(snap(0, ''));
      quiet(f, 'snapshot again');
      f.sync.disconnected();
      f.sync.connected();
      f.sync.receive({ type: 'error', code: 'bad_request', message: 'unknown version', doc: DOC });
      f.sync.receive(snap(0, ''));
      quiet(f, 'snapshot after bad_request');
      firstChange(f);
    });

    it('through the lock and unlock markers, and the page seeing the plan open again', () => {
      const f = opened();
      f.sync.receive({ type: 'op', doc: DOC, v: 0, op: { ops: [] }, kind: 'lock', src: 'server', seq: 0 });
      assert.equal(f.sync.status().locked, true);
      f.sync.receive({ type: 'op', doc: DOC, v: 1, op: { ops: [] }, kind: 'unlock', src: 'server', seq: 0 });
      f.sync.resumeAfterLock();
      f.sync.receive({ ...snap(2, ''), locked: true });
      f.sync.resumeAfterLock();
      f.sync.receive(snap(2, ''));
      quiet(f, 'lock and unlock');
      firstChange(f);
    });

    it('when another person writes first, or an API client leaves the text without its newline', () => {
      const f = opened();
      f.sync.receive({ type: 'op', doc: DOC, v: 0, op: { ops: [{ insert: 'x' }] }, src: 'api', seq: 1 });
      assert.equal(textOf(f.view()), 'x\n');
      assert.deepEqual(ops(f), [], 'the newline is still virtual');
      f.sync.receive({ type: 'op', doc: DOC, v: 1, op: { ops: [{ retain: 1 }, { insert: '\n' }] }, src: 'other', seq: 1 });
      assert.equal(textOf(f.view()), 'x\n');
      assert.deepEqual(ops(f), []);
      assert.equal(f.sync.status().state, 'saved');
      f.type(new Delta().retain(1).insert('!'));
      assert.deepEqual((ops(f).pop() as SubmitMsg).op.ops, [{ retain: 1 }, { insert: '!' }], 'the server has the newline now');
    });

    it('when a second editor attaches to the same document (the whole-plan view)', () => {
      const f = opened();
      let other = new Delta();
      f.sync.attach({ reset: (d) => (other = d), apply: (c) => (other = other.compose(c)), flush: () => {} });
      assert.equal(textOf(other), '\n');
      f.sync.detach();
      f.sync.retry();
      f.sync.discard();
      assert.deepEqual(ops(f), []);
      assert.equal(f.sync.hasPending(), false);
    });

    it('after a refused first change is discarded', () => {
      const f = opened();
      firstChange(f);
      const op = ops(f).pop() as SubmitMsg;
      f.sync.receive({ type: 'error', code: 'forbidden', message: 'no', doc: DOC, seq: op.seq });
      f.sent.length = 0;
      f.sync.discard();
      quiet(f, 'discarded');
      firstChange(f);
    });

    it('when the editor reports a change that changes nothing', () => {
      const f = opened();
      // Quill can report a change of no effect (e.g. a retain without
      // attributes, or an attribute removed where there was none).
      f.type(new Delta().retain(1));
      f.type(new Delta().retain(1, { bold: null }));
      quiet(f, 'no-op change');
      firstChange(f);
      // Nor on a text: a no-op is no version, a real format is one.
      const g = opened('ab\n');
      g.type(new Delta().retain(2, { bold: null, header: null }));
      assert.deepEqual(ops(g), [], 'a format removed where there was none');
      g.type(new Delta().retain(2, { bold: true }));
      assert.deepEqual((ops(g).pop() as SubmitMsg).op.ops, [{ retain: 2, attributes: { bold: true } }]);
    });
  });

  it('resubscribes with its version on stale and resends the same seq after the catch-up', () => {
    const f = fake();
    f.sync.connected();
    f.sync.receive(snap(5, 'abc\n'));
    f.type(new Delta().retain(3).insert('!'));
    const first = f.sent.pop() as SubmitMsg;
    f.sync.receive({ type: 'error', code: 'stale', message: 'stale', doc: DOC, seq: first.seq });
    const sub = f.sent.pop() as SubMsg;
    assert.deepEqual(sub, { type: 'sub', plan: 'p', doc: DOC, v: 5 });
    f.sync.receive({ type: 'op', doc: DOC, v: 5, op: { ops: [{ insert: 'X' }] }, src: 'other', seq: 1 });
    assert.equal(f.sent.length, 1, 'nothing resent before synced');
    f.sync.receive({ type: 'synced', doc: DOC, v: 6 });
    const again = f.sent.pop() as SubmitMsg;
    assert.equal(again.seq, first.seq);
    assert.equal(again.v, 6);
    assert.deepEqual(again.op.ops, [{ retain: 4 }, { insert: '!' }]);
    assert.equal(textOf(f.view()), 'Xabc!\n');
  });

  it('takes an ack that overtakes the op before it', () => {
    const f = fake();
    f.sync.connected();
    f.sync.receive(snap(0, 'ab\n'));
    f.type(new Delta().insert('1'));
    const op = f.sent.pop() as SubmitMsg;
    f.sync.receive({ type: 'ack', doc: DOC, v: 1, seq: op.seq });
    assert.equal(f.sync.status().state, 'saving', 'version 0 is still missing');
    f.sync.receive({ type: 'op', doc: DOC, v: 0, op: { ops: [{ retain: 2 }, { insert: 'X' }] }, src: 'other', seq: 9 });
    assert.equal(f.sync.status().state, 'saved');
    assert.equal(f.sync.version(), 2);
    assert.equal(textOf(f.view()), '1abX\n');
  });

  it('asks whether its op is in a snapshot before rebasing on it', () => {
    // Committed before the snapshot: the ack says so, the op is not applied twice.
    let f = fake();
    f.sync.connected();
    f.sync.receive(snap(0, 'ab\n'));
    f.type(new Delta().insert('1'));
    let op = f.sent.pop() as SubmitMsg;
    f.sync.disconnected();
    f.sync.connected();
    assert.equal((f.sent.pop() as SubMsg).v, 0);
    f.sync.receive(snap(20000, '1ab\nmore\n'));
    const probe = f.sent.pop() as SubmitMsg;
    assert.equal(probe.seq, op.seq);
    f.sync.receive({ type: 'ack', doc: DOC, v: 3, seq: op.seq });
    assert.equal(textOf(f.view()), '1ab\nmore\n');
    assert.equal(f.sync.status().state, 'saved');

    // Not committed: refused as stale, then rebased and resent with the same seq.
    f = fake();
    f.sync.connected();
    f.sync.receive(snap(0, 'ab\n'));
    f.type(new Delta().insert('1'));
    op = f.sent.pop() as SubmitMsg;
    f.sync.disconnected();
    f.sync.connected();
    f.sent.pop();
    f.sync.receive(snap(20000, 'ab\nmore\n'));
    f.sent.pop();
    f.sync.receive({ type: 'error', code: 'stale', message: 'stale', doc: DOC, seq: op.seq });
    const resent = f.sent.pop() as SubmitMsg;
    assert.equal(resent.seq, op.seq);
    assert.equal(resent.v, 20000);
    assert.equal(textOf(f.view()), '1ab\nmore\n');
  });

  it('renews a connection whose subscription or ack never comes', () => {
    const f = fake();
    f.sync.connected();
    f.advance(25_000);
    f.sync.tick(25_000);
    assert.equal(f.reconnects(), 1);
    f.sync.connected();
    f.sync.receive(snap(0, 'ab\n'));
    f.type(new Delta().insert('1'));
    f.advance(31_000);
    f.sync.tick(56_000);
    assert.equal(f.reconnects(), 2);
  });

  it('asks for a snapshot when catching up from its version gets no answer twice', () => {
    const f = fake();
    f.sync.connected();
    f.sync.receive(snap(7, 'ab\n'));
    f.type(new Delta().insert('1'));
    const op = f.sent.pop() as SubmitMsg;
    f.sync.disconnected();
    f.sync.connected();
    assert.equal((f.sent.pop() as SubMsg).v, 7);
    f.advance(21_000);
    f.sync.tick(21_000);
    f.sync.connected();
    assert.equal((f.sent.pop() as SubMsg).v, 7);
    f.advance(21_000);
    f.sync.tick(42_000);
    const fresh = f.sent.pop() as SubMsg;
    assert.equal(fresh.v, undefined, 'a snapshot, please');
    f.sync.receive(snap(0, 'reset\n'));
    const probe = f.sent.pop() as SubmitMsg;
    assert.equal(probe.seq, op.seq, 'is my op in there?');
  });

  it('holds remote changes while the view is busy composing', () => {
    const f = fake();
    let busy = false;
    let view = new Delta();
    f.sync.attach({ reset: (d) => (view = d), apply: (c) => (view = view.compose(c)), flush: () => {}, busy: () => busy });
    f.sync.connected();
    f.sync.receive(snap(0, 'ab\n'));
    busy = true;
    f.sync.receive({ type: 'op', doc: DOC, v: 0, op: { ops: [{ insert: 'X' }] }, src: 'o', seq: 1 });
    assert.equal(textOf(view), 'ab\n');
    busy = false;
    f.sync.resume();
    assert.equal(textOf(view), 'Xab\n');
  });
});

describe('DocSync and the approval lock', () => {
  // One client and the simulated server, with a hand on the lock.
  function locked(): { c: Client; server: Server; w: World; flush: () => void; type: (d: Delta) => void } {
    const clock = { t: 0 };
    const server = new Server(new Delta().insert('ab\n'), 1000, 10000);
    const c = new Client('me', clock);
    const w: World = { server, clients: [c], clock };
    connect(w, c);
    const flush = () => {
      while (c.conn!.up.length || c.conn!.down.length) {
        while (c.conn!.up.length) server.handle(c.conn!, c.conn!.up.shift()!);
        while (c.conn!.down.length) c.sync.receive(c.conn!.down.shift()!);
      }
    };
    flush();
    const type = (d: Delta) => {
      c.view = c.view!.compose(d);
      c.sync.local(d);
    };
    return { c, server, w, flush, type };
  }

  // The op reaches the server after the lock marker, before the client has seen it.
  function refusedByLock() {
    const f = locked();
    f.type(new Delta().retain(2).insert('!'));
    const sent = f.c.conn!.up.shift() as SubmitMsg;
    f.server.setLocked(true);
    f.server.handle(f.c.conn!, sent);
    f.flush();
    return { ...f, sent };
  }

  it('keeps an op refused as locked visible, stored and unsent, and marks it not saved', () => {
    const { c, server } = refusedByLock();
    const st = c.sync.status();
    assert.equal(st.state, 'held');
    assert.equal(st.pending, true);
    assert.equal(st.locked, true);
    assert.equal(textOf(c.view!), 'ab!\n', 'the text stays in the editor');
    assert.equal(c.stored?.held, true, 'stored as held');
    assert.deepEqual(c.stored?.inflight?.op.ops, [{ retain: 2 }, { insert: '!' }], 'the op is kept');
    assert.equal(textOf(server.doc), 'ab\n', 'not stored on the server');
    c.sync.tick(100_000);
    assert.equal(c.conn!.up.length, 0, 'nothing resent while locked');
  });

  it('resends the held op with the same seq when the unlock marker comes', () => {
    const { c, server, flush, sent } = refusedByLock();
    server.setLocked(false);
    c.sync.receive(c.conn!.down.shift()!);
    const again = c.conn!.up[0] as SubmitMsg;
    assert.equal(again.seq, sent.seq, 'same seq');
    assert.equal(again.v, 2, 'on the version after both markers: the server rebases it');
    flush();
    assert.equal(c.sync.status().state, 'saved');
    assert.equal(textOf(server.doc), 'ab!\n');
    assert.equal(c.stored, null);
  });

  it('resends the held op when the page sees the plan open again, before any marker', () => {
    const { c, server, flush, sent } = refusedByLock();
    server.setLocked(false);
    const late = c.conn!.down.splice(0); // the unlock marker is late
    c.sync.resumeAfterLock();
    const again = c.conn!.up[0] as SubmitMsg;
    assert.equal(again.seq, sent.seq);
    assert.equal(again.v, 1, 'made on the version it knows; the server transforms it');
    server.handle(c.conn!, c.conn!.up.shift()!);
    for (const m of [...late, ...c.conn!.down.splice(0)]) c.sync.receive(m);
    flush();
    assert.equal(textOf(server.doc), 'ab!\n', 'stored once');
    assert.equal(c.sync.status().state, 'saved');
  });

  it('holds the op again when resumed while the plan is still locked', () => {
    const { c, server, flush } = refusedByLock();
    c.sync.resumeAfterLock();
    flush();
    assert.equal(c.sync.status().state, 'held');
    assert.equal(textOf(server.doc), 'ab\n');
    assert.equal(textOf(c.view!), 'ab!\n');
  });

  it('does not send what is typed after the lock marker came, and sends it after the unlock', () => {
    const { c, server, flush, type } = locked();
    server.setLocked(true);
    flush();
    assert.equal(c.sync.status().locked, true);
    type(new Delta().insert('X')); // e.g. typed in the instant before the editor went read-only
    assert.equal(c.conn!.up.length, 0);
    assert.equal(c.sync.status().state, 'held');
    server.setLocked(false);
    flush();
    assert.equal(textOf(server.doc), 'Xab\n');
    assert.equal(c.sync.status().state, 'saved');
  });

  it('keeps held changes across a page reload and sends them once the plan is open', () => {
    const { c, server, w, flush, sent } = refusedByLock();
    drop(w, c);
    const rec = c.stored!;
    c.fresh();
    c.sync.restore(rec);
    assert.equal(c.sync.status().state, 'held');
    assert.equal(textOf(c.view!), 'ab!\n');
    connect(w, c);
    flush();
    assert.equal(c.sync.status().state, 'held', 'still locked: still held');
    assert.equal(textOf(server.doc), 'ab\n');
    server.setLocked(false);
    flush();
    assert.equal(textOf(server.doc), 'ab!\n');
    assert.equal(server.log.filter((x) => x.src === 'me' && x.seq === sent.seq).length, 1, 'committed once, with its seq');
    assert.equal(c.sync.status().state, 'saved');
  });

  it('resends at once when the unlock overtook the refusal', () => {
    const f = locked();
    f.type(new Delta().retain(2).insert('!'));
    const sent = f.c.conn!.up.shift() as SubmitMsg;
    f.server.setLocked(true);
    f.server.handle(f.c.conn!, sent); // refused: locked
    f.server.setLocked(false);
    const [lock, refusal, unlock] = f.c.conn!.down.splice(0, 3);
    for (const m of [lock!, unlock!, refusal!]) f.c.sync.receive(m);
    assert.equal((f.c.conn!.up[0] as SubmitMsg).seq, sent.seq, 'sent again');
    f.flush();
    assert.equal(textOf(f.server.doc), 'ab!\n');
  });

  it('discards held changes on request', () => {
    const { c } = refusedByLock();
    c.sync.discard();
    assert.equal(textOf(c.view!), 'ab\n');
    assert.equal(c.stored, null);
  });
});
