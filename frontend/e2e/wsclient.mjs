// A small client of the WebSocket protocol (docs/protocol.md) for the
// browser tests and the performance program: it writes a section's text
// the way another person's tab would, so the tests can give a plan text
// (and comments on it) without typing it in a browser, and play remote
// authors. One op in flight per document, as the protocol asks; ops typed
// meanwhile wait for the ack. Inserts only — positions at or before the
// text the author has seen stay valid whatever others insert.
import { createRequire } from 'node:module';
import { token } from './harness.mjs';

const require = createRequire(import.meta.url);

// Node 20 has no WebSocket without a flag; playwright-core carries ws.
const WS = globalThis.WebSocket ?? require('playwright-core/lib/utilsBundle').ws;

let clients = 0;

/** WsAuthor is one tab of a demo user on the server's WebSocket. */
export class WsAuthor {
  /** connect opens a connection as a demo user (a key of DEMO_USERS) and says hello. */
  static async connect(server, who) {
    const a = new WsAuthor(`e2e-${process.pid}-${++clients}`);
    await a.open(server.url.replace(/^http/, 'ws') + '/api/ws', await token(server, who));
    return a;
  }

  constructor(clientId) {
    this.clientId = clientId;
    this.seq = 0;
    /** doc id → { plan, v, length, inflight, queue, waiters } */
    this.docs = new Map();
    this.pending = new Map();
    this.errors = [];
    /** How many ops of others this tab received. */
    this.remoteOps = 0;
  }

  open(url, accessToken) {
    return new Promise((resolve, reject) => {
      const ws = new WS(url);
      this.ws = ws;
      ws.onerror = (e) => reject(new Error(`websocket: ${e?.message ?? 'error'}`));
      ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', protocol: 2, client: this.clientId, token: accessToken }));
      ws.onmessage = (ev) => {
        const text = typeof ev.data === 'string' ? ev.data : ev.data.toString();
        for (const line of text.split('\n')) {
          if (!line) continue;
          const m = JSON.parse(line);
          if (m.type === 'welcome') resolve(this);
          else this.handle(m);
        }
      };
      ws.onclose = () => {
        for (const d of this.docs.values()) for (const w of d.waiters.splice(0)) w.reject(new Error('websocket closed'));
      };
    });
  }

  handle(m) {
    const d = m.doc ? this.docs.get(m.doc) : null;
    switch (m.type) {
      case 'snapshot': {
        if (!d) return;
        d.v = m.v;
        d.length = (m.data?.ops ?? []).reduce((n, op) => n + (typeof op.insert === 'string' ? op.insert.length : op.insert ? 1 : 0), 0);
        d.ready?.();
        return;
      }
      case 'op':
        if (!d) return;
        d.v = m.v + 1;
        d.length += opGrowth(m.op);
        this.remoteOps++;
        return;
      case 'ack': {
        if (!d || !d.inflight || d.inflight.seq !== m.seq) return;
        d.v = m.v + 1;
        d.length += opGrowth(d.inflight.op);
        d.inflight = null;
        this.flush(m.doc);
        if (!d.inflight && d.queue.length === 0) for (const w of d.waiters.splice(0)) w.resolve();
        return;
      }
      case 'error':
        this.errors.push(m);
        if (d && d.inflight && m.seq === d.inflight.seq) {
          if (m.code === 'stale') {
            // Behind by more than the server transforms: start over from a snapshot.
            const op = d.inflight.op;
            d.inflight = null;
            d.queue.unshift(op);
            this.ws.send(JSON.stringify({ type: 'sub', plan: d.plan, doc: m.doc }));
            d.ready = () => this.flush(m.doc);
            return;
          }
          for (const w of d.waiters.splice(0)) w.reject(new Error(`${m.code}: ${m.message}`));
        }
        return;
      default:
    }
  }

  /** subscribe follows a section's document and resolves with its length once its snapshot is here. */
  subscribe(plan, doc) {
    return new Promise((resolve) => {
      const d = { plan, v: 0, length: 0, inflight: null, queue: [], waiters: [], ready: null };
      d.ready = () => {
        d.ready = null;
        resolve(d.length);
      };
      this.docs.set(doc, d);
      this.ws.send(JSON.stringify({ type: 'sub', plan, doc }));
    });
  }

  /** length is the document's length as this tab knows it. */
  length(doc) {
    return this.docs.get(doc).length;
  }

  /** insert types text at index (an op of its own, sent when the previous one is acked). */
  insert(doc, index, text, attributes) {
    const ops = [];
    if (index > 0) ops.push({ retain: index });
    ops.push(attributes ? { insert: text, attributes } : { insert: text });
    this.docs.get(doc).queue.push({ ops });
    this.flush(doc);
  }

  flush(doc) {
    const d = this.docs.get(doc);
    if (d.inflight || d.queue.length === 0 || d.ready) return;
    const op = d.queue.shift();
    d.inflight = { seq: ++this.seq, op };
    this.ws.send(JSON.stringify({ type: 'op', doc, v: d.v, seq: d.inflight.seq, op }));
  }

  /** idle resolves once everything typed in doc is acknowledged. */
  idle(doc) {
    const d = this.docs.get(doc);
    if (!d.inflight && d.queue.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => d.waiters.push({ resolve, reject }));
  }

  /** presence tells the others where this tab's cursor is. */
  presence(plan, doc, index, length = 0) {
    this.ws.send(JSON.stringify({ type: 'presence', plan, doc, index, length }));
  }

  /** subscribePlan follows a plan (presence needs it). */
  subscribePlan(plan) {
    this.ws.send(JSON.stringify({ type: 'sub', plan }));
  }

  close() {
    this.ws.close();
  }
}

// opGrowth is how much an op changes a document's length.
function opGrowth(op) {
  let n = 0;
  for (const o of op?.ops ?? []) {
    if (typeof o.insert === 'string') n += o.insert.length;
    else if (o.insert) n += 1;
    else if (o.delete) n -= o.delete;
  }
  return n;
}

/**
 * writeSection gives a section text as a demo user (the leader, in a
 * writing phase): paragraphs, each a line, at the end of the text; it
 * resolves with the document's version once they are acknowledged.
 */
export async function writeSection(server, who, plan, section, paragraphs) {
  const a = await WsAuthor.connect(server, who);
  try {
    await a.subscribe(plan, section);
    // A section ends with a newline: the text goes before it.
    const at = Math.max(0, a.length(section) - 1);
    a.insert(section, at, a.length(section) === 0 ? `${paragraphs.join('\n')}\n` : paragraphs.join('\n'));
    await a.idle(section);
    return a.docs.get(section).v;
  } finally {
    a.close();
  }
}
