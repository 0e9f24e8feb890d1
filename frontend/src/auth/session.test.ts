// Tests of the auth session with simulated tabs: a fake server that
// rotates the refresh cookie and, like the real one, revokes the whole
// session when a refresh token is presented twice; a cookie jar the tabs
// share (as a browser does); a Web Lock manager and a BroadcastChannel
// between the tabs; a manual clock.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Api } from '../api/client';
import { ApiError, type FetchLike } from '../api/http';
import type { Me } from '../api/types';
import { AuthSession, type ChannelLike, type Clock, type LockManagerLike } from './session';

const ME: Me = { id: 'u1', email: 'kari@example.no', name: 'Kari Nordmann', admin: false, municipality: { id: 'm1', name: 'Eksempel kommune' } };

/** settle lets every queued microtask and immediate run. */
async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

class FakeServer {
  /** The refresh token the server accepts next. */
  valid: string | null = null;
  used = new Set<string>();
  revoked = false;
  access = new Set<string>();
  refreshCalls = 0;
  loginCalls = 0;
  planCalls: (string | null)[] = [];
  failRefresh: 'network' | null = null;
  loginAnswer: Response | null = null;
  private n = 0;
  /** The browser's cookie, shared by its tabs. */
  jar: { cookie: string | null } = { cookie: null };

  private issue(): Response {
    this.n += 1;
    if (this.valid) this.used.add(this.valid);
    this.valid = `r${this.n}`;
    this.jar.cookie = this.valid; // Set-Cookie applies before fetch resolves
    const token = `a${this.n}`;
    this.access.add(token);
    return json(200, { access_token: token, expires_in: 900, user: ME });
  }

  fetch: FetchLike = async (url, init) => {
    const presented = this.jar.cookie; // sent with the request
    await new Promise((r) => setImmediate(r)); // the network takes a moment
    await new Promise((r) => setImmediate(r));
    if (url === '/api/auth/login') {
      this.loginCalls += 1;
      if (this.loginAnswer) return this.loginAnswer;
      return this.issue();
    }
    if (url === '/api/auth/refresh') {
      this.refreshCalls += 1;
      if (this.failRefresh === 'network') throw new TypeError('Failed to fetch');
      if (presented && this.used.has(presented)) {
        // Reuse: someone copied the token. Revoke the whole session.
        this.revoked = true;
        this.access.clear();
      }
      if (this.revoked || !presented || presented !== this.valid) return json(401, { error: { code: 'unauthorized', message: 'no session' } });
      return this.issue();
    }
    if (url === '/api/auth/logout') {
      this.revoked = true;
      this.access.clear();
      this.jar.cookie = null;
      return new Response(null, { status: 204 });
    }
    const auth = new Headers(init.headers).get('Authorization');
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : null;
    this.planCalls.push(token);
    if (!token || !this.access.has(token)) return json(401, { error: { code: 'unauthorized', message: 'expired' } });
    return json(200, { items: [] });
  };
}

class FakeLocks implements LockManagerLike {
  private held = false;
  private queue: (() => void)[] = [];
  holders = 0;

  async request<T>(_name: string, fn: () => Promise<T>): Promise<T> {
    if (this.held) await new Promise<void>((r) => this.queue.push(r));
    this.held = true;
    this.holders += 1;
    try {
      return await fn();
    } finally {
      // Another tab gets the lock in a later task, as across processes.
      const next = this.queue.shift();
      if (next) setImmediate(next);
      else this.held = false;
    }
  }
}

class Hub {
  channels = new Set<FakeChannel>();
}

class FakeChannel implements ChannelLike {
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  constructor(private readonly hub: Hub) {
    hub.channels.add(this);
  }
  postMessage(message: unknown): void {
    for (const c of this.hub.channels) {
      if (c === this) continue;
      const data = structuredClone(message);
      queueMicrotask(() => c.onmessage?.({ data }));
    }
  }
  close(): void {
    this.hub.channels.delete(this);
  }
}

class ManualClock implements Clock {
  t = 1_000_000;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private id = 0;
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    this.id += 1;
    this.timers.set(this.id, { at: this.t + ms, fn });
    return this.id;
  }
  clearTimeout(h: unknown): void {
    this.timers.delete(h as number);
  }
  /** advance moves time on and fires every timer that is due, together. */
  advance(ms: number): void {
    this.t += ms;
    const due = [...this.timers].filter(([, x]) => x.at <= this.t);
    for (const [id] of due) this.timers.delete(id);
    for (const [, x] of due) x.fn();
  }
}

interface Browser {
  server: FakeServer;
  locks: FakeLocks;
  hub: Hub;
  clock: ManualClock;
  tab(opts?: { locks?: boolean }): AuthSession;
}

function browser(): Browser {
  const server = new FakeServer();
  const locks = new FakeLocks();
  const hub = new Hub();
  const clock = new ManualClock();
  return {
    server,
    locks,
    hub,
    clock,
    tab: (opts = {}) =>
      new AuthSession({ fetch: server.fetch, locks: opts.locks === false ? null : locks, channel: new FakeChannel(hub), clock }),
  };
}

/** signedIn returns a browser whose cookie holds a live session. */
function signedIn(): Browser {
  const b = browser();
  b.server.valid = 'r0';
  b.server.jar.cookie = 'r0';
  return b;
}

describe('AuthSession', () => {
  it('restores the session from the cookie on page load', async () => {
    const b = signedIn();
    const a = b.tab();
    const me = await a.start();
    assert.deepEqual(me, ME);
    assert.equal(a.state().status, 'signed_in');
    assert.equal(await a.accessToken(), 'a1');
  });

  it('is signed out when the cookie has no session', async () => {
    const b = browser();
    const a = b.tab();
    assert.equal(await a.start(), null);
    assert.equal(a.state().status, 'signed_out');
    assert.equal(await a.accessToken(), null);
  });

  it('lets one tab refresh for two that load at once', async () => {
    const b = signedIn();
    const [x, y] = [b.tab(), b.tab()];
    const [mx, my] = await Promise.all([x.start(), y.start()]);
    assert.equal(b.server.refreshCalls, 1, 'exactly one refresh');
    assert.equal(b.server.revoked, false);
    assert.deepEqual(mx, ME);
    assert.deepEqual(my, ME);
    assert.equal(x.state().token, y.state().token);
  });

  it('lets one tab refresh for two whose tokens fall due together', async () => {
    const b = signedIn();
    const [x, y] = [b.tab(), b.tab()];
    await x.start();
    await settle();
    assert.equal(y.state().token, 'a1', 'the other tab got the token');
    assert.equal(b.server.refreshCalls, 1);
    // Both timers (at 80 % of 900 s) fire in the same moment.
    b.clock.advance(900_000 * 0.8);
    await settle();
    assert.equal(b.server.refreshCalls, 2, 'exactly one more refresh');
    assert.equal(b.server.revoked, false);
    assert.equal(x.state().token, 'a2');
    assert.equal(y.state().token, 'a2');
    assert.equal(b.locks.holders >= 2, true, 'both asked for the lock');
  });

  it('lets one tab refresh when two get 401 at once, and retries the calls', async () => {
    const b = signedIn();
    const [x, y] = [b.tab(), b.tab()];
    await x.start();
    await settle();
    b.server.access.clear(); // the access token expired on the server's clock
    const [px, py] = await Promise.all([new Api(x, b.server.fetch).listPlans(), new Api(y, b.server.fetch).listPlans()]);
    assert.deepEqual(px, []);
    assert.deepEqual(py, []);
    assert.equal(b.server.refreshCalls, 2, 'the page-load refresh and exactly one more');
    assert.equal(b.server.revoked, false);
    assert.deepEqual(b.server.planCalls, ['a1', 'a1', 'a2', 'a2']);
  });

  it('is caught by the fake server when tabs refresh without the lock', async () => {
    // The check above is only worth something if reuse is detected.
    const b = signedIn();
    const [x, y] = [b.tab({ locks: false }), b.tab({ locks: false })];
    await Promise.all([x.start(), y.start()]);
    assert.equal(b.server.refreshCalls, 2);
    assert.equal(b.server.revoked, true);
  });

  it('goes to signed out when the refresh finds no session, and the call fails', async () => {
    const b = signedIn();
    const x = b.tab();
    await x.start();
    const states: string[] = [];
    x.subscribe((s) => states.push(s.status));
    b.server.access.clear();
    b.server.revoked = true;
    await assert.rejects(new Api(x, b.server.fetch).listPlans(), (e: unknown) => e instanceof ApiError && e.code === 'unauthorized');
    assert.deepEqual(states, ['signed_out']);
  });

  it('renews a due token before a call when its timer slept', async () => {
    const b = signedIn();
    const x = b.tab();
    await x.start();
    b.clock.t += 900_000 * 0.9; // a sleeping laptop: no timer fired
    assert.equal(await x.accessToken(), 'a2');
    assert.equal(b.server.refreshCalls, 2);
  });

  it('keeps a valid token when a background refresh cannot reach the server, and tries again', async () => {
    const b = signedIn();
    const x = b.tab();
    await x.start();
    b.server.failRefresh = 'network';
    b.clock.advance(900_000 * 0.8);
    await settle();
    assert.equal(x.state().status, 'signed_in');
    assert.equal(await x.accessToken(), 'a1', 'still valid');
    b.server.failRefresh = null;
    b.clock.advance(60_000);
    await settle();
    assert.equal(x.state().token, 'a2');
  });

  it('shares a login with the other tabs, and a logout', async () => {
    const b = browser();
    const [x, y] = [b.tab(), b.tab()];
    await Promise.all([x.start(), y.start()]);
    assert.equal(y.state().status, 'signed_out');
    await x.login('kari@example.no', 'hemmelig');
    await settle();
    assert.equal(y.state().status, 'signed_in');
    assert.equal(y.state().token, x.state().token);
    await x.logout();
    await settle();
    assert.equal(x.state().status, 'signed_out');
    assert.equal(y.state().status, 'signed_out');
  });

  it('stays signed out in every tab when a logout races a refresh', async () => {
    const b = signedIn();
    const [x, y] = [b.tab(), b.tab()];
    await x.start();
    await settle();
    b.clock.t += 900_000 * 0.85; // y's token is due
    const refreshing = y.accessToken();
    await x.logout();
    assert.equal(await refreshing, null);
    await settle();
    assert.equal(x.state().status, 'signed_out');
    assert.equal(y.state().status, 'signed_out');
    assert.equal(b.server.revoked, true, 'the logout reached the server after the refresh');
  });

  it('reports a refused login with its code and a rate limit with its wait', async () => {
    const b = browser();
    const x = b.tab();
    b.server.loginAnswer = json(401, { error: { code: 'unauthorized', message: 'wrong e-mail or password' } });
    await assert.rejects(x.login('kari@example.no', 'feil'), (e: unknown) => e instanceof ApiError && e.code === 'unauthorized' && e.status === 401);
    b.server.loginAnswer = json(429, { error: { code: 'rate_limited', message: 'slow down' } }, { 'Retry-After': '42' });
    await assert.rejects(x.login('kari@example.no', 'feil'), (e: unknown) => e instanceof ApiError && e.code === 'rate_limited' && e.retryAfter === 42);
    assert.equal(x.state().status, 'unknown');
  });

  it('ignores a token from another tab that is older than its own', async () => {
    const b = signedIn();
    const [x, y] = [b.tab(), b.tab()];
    await x.start();
    await settle();
    const old = structuredClone({ type: 'token', token: { value: 'a0', user: ME, issuedAt: 1, refreshAt: 2, expiresAt: 3 } });
    new FakeChannel(b.hub).postMessage(old);
    await settle();
    assert.equal(y.state().token, 'a1');
  });
});
