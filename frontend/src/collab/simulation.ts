// A simulated server and clients for the DocSync property tests: the
// server does what the Go engine does (resend check first, stale refusal,
// transform against committed ops with the committed ops winning ties,
// catch-up or snapshot on sub, lock markers and `locked` refusals while
// the plan is locked); connections deliver late, drop, reorder and
// reconnect; pages reload. Test support only: nothing imports it but
// tests.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import Delta from 'quill-delta';
import { DocSync, tailFix, type DocHost, type DocTimings, type PersistedDoc } from './docsync';
import type { DocServerMsg, SubmitMsg, SubMsg } from './protocol';

export const DOC = 'doc1';
const PLAN = 'plan1';
const TIMINGS: DocTimings = { gapWait: 50, ackTimeout: 2000, syncTimeout: 5000, retryBase: 10, maxRetries: 50 };

interface Commit {
  op: Delta;
  src: string;
  seq: number;
  kind?: 'lock' | 'unlock';
}

export class Conn {
  up: (SubmitMsg | SubMsg)[] = [];
  down: DocServerMsg[] = [];
  subscribed = false;
  open = true;
  constructor(readonly client: string) {}
}

export class Server {
  doc: Delta;
  log: Commit[] = [];
  committed = new Map<string, number>();
  conns = new Set<Conn>();
  locked = false;
  constructor(
    initial: Delta,
    readonly staleLimit: number,
    readonly catchUpLimit: number,
  ) {
    this.doc = initial;
  }

  get head(): number {
    return this.log.length;
  }

  handle(c: Conn, m: SubmitMsg | SubMsg): void {
    if (m.type === 'sub') {
      c.subscribed = true;
      if (m.v === undefined || this.head - m.v > this.catchUpLimit) {
        c.down.push({ type: 'snapshot', doc: DOC, v: this.head, data: { ops: this.doc.ops }, locked: this.locked || undefined });
        return;
      }
      if (m.v > this.head) {
        c.down.push({ type: 'error', code: 'bad_request', message: 'ahead', doc: DOC, seq: 0 });
        return;
      }
      for (let v = m.v; v < this.head; v++) c.down.push(this.opMsg(v));
      c.down.push({ type: 'synced', doc: DOC, v: this.head });
      return;
    }
    const key = `${c.client}:${m.seq}`;
    const done = this.committed.get(key);
    if (done !== undefined) {
      c.down.push({ type: 'ack', doc: DOC, v: done, seq: m.seq });
      return;
    }
    if (m.v > this.head) throw new Error(`client ${c.client} sent v ${m.v} > head ${this.head}`);
    if (this.locked) {
      c.down.push({ type: 'error', code: 'locked', message: 'the plan is locked', doc: DOC, seq: m.seq });
      return;
    }
    if (this.head - m.v > this.staleLimit) {
      c.down.push({ type: 'error', code: 'stale', message: 'stale', doc: DOC, seq: m.seq });
      return;
    }
    let op = new Delta(m.op.ops ?? []);
    for (let v = m.v; v < this.head; v++) op = this.log[v]!.op.transform(op, true);
    const baseLen = op.ops.reduce((n, o) => n + (o.retain !== undefined ? (o.retain as number) : o.delete ?? 0), 0);
    assert.ok(baseLen <= this.doc.length(), `op from ${c.client} retains past the end: ${JSON.stringify(op)} on ${JSON.stringify(this.doc)}`);
    const v = this.head;
    this.log.push({ op, src: c.client, seq: m.seq });
    this.committed.set(key, v);
    this.doc = this.doc.compose(op);
    for (const o of this.conns) {
      if (!o.open || !o.subscribed) continue;
      o.down.push(o === c ? { type: 'ack', doc: DOC, v, seq: m.seq } : this.opMsg(v));
    }
  }

  opMsg(v: number): DocServerMsg {
    const c = this.log[v]!;
    return { type: 'op', doc: DOC, v, op: { ops: c.op.ops }, src: c.src, seq: c.seq, by: c.src, kind: c.kind };
  }

  /** setLocked locks or unlocks the plan: a marker at the next version, to every subscriber. */
  setLocked(locked: boolean): void {
    if (locked === this.locked) return;
    this.locked = locked;
    const v = this.head;
    const kind = locked ? 'lock' : 'unlock';
    this.log.push({ op: new Delta(), src: `${kind}@${v}`, seq: 0, kind });
    for (const o of this.conns) if (o.open && o.subscribed) o.down.push(this.opMsg(v));
  }
}

export class Client implements DocHost {
  view: Delta | null = null;
  conn: Conn | null = null;
  sync!: DocSync;
  stored: PersistedDoc | null = null;
  seq = 0;
  typed: string[] = [];
  wantReconnect = false;
  constructor(
    readonly clientId: string,
    readonly clock: { t: number },
  ) {
    this.fresh();
  }

  fresh(): void {
    this.view = null;
    this.sync = new DocSync(PLAN, DOC, this, (r) => (this.stored = r ? structuredClone(r) : null), TIMINGS);
    this.sync.attach({
      reset: (d) => (this.view = d),
      apply: (ch) => {
        assert.ok(this.view, 'apply before reset');
        this.view = this.view.compose(ch);
      },
      flush: () => {},
    });
  }

  send(msg: SubmitMsg | SubMsg): boolean {
    if (!this.conn?.open) return false;
    this.conn.up.push(structuredClone(msg));
    return true;
  }
  nextSeq(): number {
    return ++this.seq;
  }
  reconnect(): void {
    this.wantReconnect = true;
  }
  now(): number {
    return this.clock.t;
  }
}

export type Action =
  | { t: 'edit'; c: number; kind: number; at: number; len: number; ch: number }
  | { t: 'up'; c: number; n: number }
  | { t: 'down'; c: number; n: number; swap: boolean }
  | { t: 'drop'; c: number }
  | { t: 'connect'; c: number }
  | { t: 'reload'; c: number }
  | { t: 'tick'; c: number; dt: number }
  | { t: 'lock' }
  | { t: 'resume'; c: number }
  | { t: 'burst'; c: number; n: number; at: number };

export const actionArb = (clients: number): fc.Arbitrary<Action> => {
  const c = fc.nat(clients - 1);
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ t: fc.constant('edit' as const), c, kind: fc.nat(9), at: fc.double({ min: 0, max: 1, noNaN: true }), len: fc.integer({ min: 1, max: 4 }), ch: fc.nat(3) }) },
    { weight: 4, arbitrary: fc.record({ t: fc.constant('up' as const), c, n: fc.integer({ min: 1, max: 3 }) }) },
    { weight: 4, arbitrary: fc.record({ t: fc.constant('down' as const), c, n: fc.integer({ min: 1, max: 4 }), swap: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('drop' as const), c }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('connect' as const), c }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('reload' as const), c }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('tick' as const), c, dt: fc.integer({ min: 1, max: 600 }) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('burst' as const), c, n: fc.integer({ min: 1, max: 25 }), at: fc.double({ min: 0, max: 1, noNaN: true }) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('lock' as const) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('resume' as const), c }) },
  );
};

// Inserted text is CJK ideographs, unique per run: one UTF-16 unit each, easy to count.
let uniq = 0x4e00;

export function textOf(d: Delta): string {
  return d.ops.map((o) => (typeof o.insert === 'string' ? o.insert : '')).join('');
}

export interface World {
  server: Server;
  clients: Client[];
  clock: { t: number };
}

export function connect(w: World, cl: Client): void {
  if (cl.conn?.open) return;
  const conn = new Conn(cl.clientId);
  w.server.conns.add(conn);
  cl.conn = conn;
  cl.wantReconnect = false;
  cl.sync.connected();
}

export function drop(w: World, cl: Client): void {
  if (!cl.conn) return;
  cl.conn.open = false;
  w.server.conns.delete(cl.conn);
  cl.conn = null;
  cl.sync.disconnected();
}

function edit(cl: Client, a: Extract<Action, { t: 'edit' }>, insertOnly: boolean): void {
  const view = cl.view;
  if (!view || !cl.sync.isLoaded()) return;
  // The editor is read-only while the client knows the plan is locked.
  const st = cl.sync.status();
  if (st.locked || st.state === 'held') return;
  const len = view.length(); // includes the trailing newline, which is never touched
  const at = Math.min(Math.floor(a.at * len), len - 1);
  let change: Delta;
  const kind = insertOnly ? 0 : a.kind;
  if (kind <= 4 || len <= 1) {
    let s = '';
    for (let i = 0; i < a.len; i++) s += String.fromCharCode(uniq++);
    if (a.ch === 0) s += '\n';
    change = new Delta().retain(at).insert(s, a.ch === 1 ? { bold: true } : undefined);
    cl.typed.push(...s.replace(/\n/g, ''));
  } else if (kind <= 7) {
    const n = Math.min(a.len, len - 1 - at);
    if (n <= 0) return;
    change = new Delta().retain(at).delete(n);
  } else {
    const n = Math.min(a.len, len - at);
    change = new Delta().retain(at).retain(n, kind === 8 ? { italic: true } : { header: a.ch + 1 });
  }
  cl.view = view.compose(change);
  cl.sync.local(change);
}

function step(w: World, a: Action, insertOnly: boolean): void {
  if (a.t === 'lock') {
    w.server.setLocked(!w.server.locked);
    return;
  }
  const cl = w.clients[a.c]!;
  switch (a.t) {
    case 'edit':
      edit(cl, a, insertOnly);
      break;
    case 'up':
      for (let i = 0; i < a.n && cl.conn?.up.length; i++) w.server.handle(cl.conn, cl.conn.up.shift()!);
      break;
    case 'down':
      for (let i = 0; i < a.n && cl.conn?.down.length; i++) {
        const idx = a.swap && cl.conn.down.length > 1 ? 1 : 0;
        const [m] = cl.conn.down.splice(idx, 1);
        cl.sync.receive(structuredClone(m!));
      }
      break;
    case 'drop':
      drop(w, cl);
      break;
    case 'connect':
      connect(w, cl);
      break;
    case 'reload': {
      // The page reloads: same tab, same client id and seq counter; the
      // in-memory state is gone, the stored record is what is left.
      drop(w, cl);
      const rec = cl.stored;
      cl.fresh();
      if (rec) cl.sync.restore(rec);
      break;
    }
    case 'burst':
      // A fast typist on a good connection: edit, send, receive, repeat.
      for (let i = 0; i < a.n; i++) {
        edit(cl, { t: 'edit', c: a.c, kind: (i * 7) % 10, at: (a.at + i / 10) % 1, len: 1 + (i % 3), ch: i % 4 }, insertOnly);
        while (cl.conn?.up.length) w.server.handle(cl.conn, cl.conn.up.shift()!);
        while (cl.conn?.down.length) cl.sync.receive(cl.conn.down.shift()!);
      }
      break;
    case 'resume':
      // The plan page saw (in the re-fetched plan) that editing is allowed again.
      if (!w.server.locked) cl.sync.resumeAfterLock();
      break;
    case 'tick':
      w.clock.t += a.dt;
      cl.sync.tick(w.clock.t);
      if (cl.wantReconnect) {
        drop(w, cl);
        connect(w, cl);
      }
      break;
  }
}

function quiesce(w: World): void {
  // The plan opens again in the end: nothing held may be lost.
  w.server.setLocked(false);
  for (let round = 0; round < 500; round++) {
    let busy = false;
    for (const cl of w.clients) {
      if (!cl.conn?.open || cl.wantReconnect) {
        drop(w, cl);
        connect(w, cl);
      }
      const conn = cl.conn!;
      while (conn.up.length) {
        busy = true;
        w.server.handle(conn, conn.up.shift()!);
      }
    }
    for (const cl of w.clients) {
      const conn = cl.conn!;
      while (conn.down.length) {
        busy = true;
        cl.sync.receive(conn.down.shift()!);
      }
    }
    w.clock.t += 100;
    for (const cl of w.clients) cl.sync.tick(w.clock.t);
    const pending = w.clients.some((c) => c.sync.hasPending() || c.conn!.up.length > 0 || !c.sync.isLoaded());
    if (!busy && !pending) return;
  }
  const state = w.clients.map((c) => ({ id: c.clientId, status: c.sync.status(), stored: c.stored, up: c.conn?.up, down: c.conn?.down, view: c.view }));
  assert.fail(`did not quiesce: ${JSON.stringify(state)} server=${JSON.stringify(w.server.doc)} head=${w.server.head}`);
}

function expected(server: Delta): Delta {
  const fix = tailFix(server);
  return fix ? server.compose(fix) : server;
}

export function run(actions: Action[], clients: number, opts: { insertOnly: boolean; initial: string; stale: number; catchUp: number }): void {
  const clock = { t: 0 };
  uniq = 0x4e00;
  const initial = opts.initial ? new Delta().insert(opts.initial) : new Delta();
  const w: World = { server: new Server(initial, opts.stale, opts.catchUp), clients: [], clock };
  for (let i = 0; i < clients; i++) w.clients.push(new Client(`c${i}`, clock));
  for (const cl of w.clients) connect(w, cl);
  for (const a of actions) step(w, a, opts.insertOnly);
  quiesce(w);
  if (w.server.doc.length() > 0) assert.equal(tailFix(w.server.doc), null, 'the stored document ends with a newline, as Quill needs');
  const want = expected(w.server.doc);
  for (const cl of w.clients) {
    assert.deepEqual(cl.view?.ops, want.ops, `client ${cl.clientId} diverged`);
    assert.deepEqual(cl.sync.localDoc()?.ops, want.ops, `client ${cl.clientId} state diverged`);
    assert.equal(cl.stored, null, 'nothing left in storage');
  }
  // Every (src, seq) is committed once by construction; check no op was applied twice.
  if (opts.insertOnly) {
    const typed = w.clients.flatMap((c) => c.typed).sort();
    const stored = [...textOf(w.server.doc)].filter((ch) => ch >= '\u4e00').sort();
    assert.deepEqual(stored, [...new Set(typed)].sort(), 'every typed character exactly once');
  }
}

