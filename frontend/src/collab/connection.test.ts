import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Connection, type ConnectionOptions } from './connection';
import { parseServerFrame, type ServerMsg } from './protocol';

describe('parseServerFrame', () => {
  it('reads a frame of one message as before', () => {
    assert.deepEqual(parseServerFrame('{"type":"ack","doc":"d","v":3,"seq":1}'), [
      { type: 'ack', doc: 'd', v: 3, seq: 1 },
    ]);
  });

  it('splits a frame on newlines, in order, leaving out blank and malformed lines', () => {
    const frame = [
      '{"type":"op","doc":"d","v":3,"op":{"ops":[{"insert":"a\\nb"}]},"src":"c","seq":1}',
      '',
      'not json',
      '{"type":"dance"}',
      '{"type":"ack","doc":"d","v":4,"seq":9}',
      '',
    ].join('\n');
    const got = parseServerFrame(frame);
    assert.deepEqual(
      got.map((m) => m.type),
      ['op', 'ack'],
    );
    // An escaped newline inside a string is not a separator.
    assert.deepEqual((got[0] as { op: unknown }).op, { ops: [{ insert: 'a\nb' }] });
  });
});

/** FakeSocket stands in for the browser's WebSocket. */
class FakeSocket {
  static readonly OPEN = 1;
  static last: FakeSocket | null = null;
  readyState = 0;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.last = this;
  }
  send(s: string) {
    this.sent.push(s);
  }
  close() {
    this.readyState = 3;
  }
  /** open completes the handshake: the connection sends its hello. */
  open() {
    this.readyState = FakeSocket.OPEN;
    this.onopen?.();
  }
  frame(...msgs: object[]) {
    this.onmessage?.({ data: msgs.map((m) => JSON.stringify(m)).join('\n') });
  }
}

describe('Connection', () => {
  const saved = { window: globalThis.window, WebSocket: globalThis.WebSocket };
  beforeEach(() => {
    const g = globalThis as Record<string, unknown>;
    g.window = { addEventListener() {}, removeEventListener() {} };
    g.WebSocket = FakeSocket;
    FakeSocket.last = null;
  });
  afterEach(() => {
    const g = globalThis as Record<string, unknown>;
    g.window = saved.window;
    g.WebSocket = saved.WebSocket;
  });

  /** connected starts a connection and waits for its socket to say hello. */
  async function connected(opts: Partial<ConnectionOptions> = {}) {
    const got: string[] = [];
    const c = new Connection({
      url: 'ws://x/api/ws',
      client: 'c1',
      token: async () => 'tok',
      refresh: async () => null,
      onOpen: () => got.push('welcome'),
      onMessage: (m: ServerMsg) => got.push(m.type === 'ack' || m.type === 'op' ? `${m.type}@${m.v}` : m.type),
      onClose: () => got.push('close'),
      onState: () => {},
      ...opts,
    });
    c.start();
    await new Promise((r) => setTimeout(r, 0)); // the token promise
    const ws = FakeSocket.last;
    assert.ok(ws, 'no socket opened');
    ws.open();
    assert.equal(JSON.parse(ws.sent[0] ?? '{}').type, 'hello');
    return { c, ws, got };
  }

  it('handles every message of a frame, in order, the welcome first', async () => {
    const { c, ws, got } = await connected();
    ws.frame({ type: 'welcome', protocol: 2, user: { id: 'u', name: 'U' } }, { type: 'op', doc: 'd', v: 3 });
    ws.frame({ type: 'op', doc: 'd', v: 4 }, { type: 'ack', doc: 'd', v: 5, seq: 1 }, { type: 'synced', doc: 'd', v: 6 });
    assert.deepEqual(got, ['welcome', 'op@3', 'op@4', 'ack@5', 'synced']);
    c.destroy();
  });

  it('stops at a message that drops the socket', async () => {
    const { c, ws, got } = await connected();
    ws.frame({ type: 'welcome', protocol: 2, user: { id: 'u', name: 'U' } });
    ws.frame({ type: 'op', doc: 'd', v: 3 }, { type: 'error', code: 'unauthorized', message: 'expired' }, { type: 'op', doc: 'd', v: 4 });
    assert.deepEqual(got, ['welcome', 'op@3', 'close']);
    c.destroy();
  });
});
