// AuthSession is the signed-in state of one tab: the short-lived access
// token (in memory only, never in storage), the account it belongs to, and
// its renewal. The refresh token is an HttpOnly cookie the script never
// sees; POST /api/auth/refresh presents it and gets a new access token and
// a rotated cookie.
//
// One tab refreshes for all. The server treats a refresh token presented
// twice as stolen and revokes the whole session, so two tabs must never
// refresh with the same cookie at once. Every refresh therefore runs under
// the Web Lock "temaplan-auth-refresh": the browser hands it to one tab at
// a time, and a tab gets the lock only after the previous holder's answer
// (with its Set-Cookie) is in. The new token goes to the other tabs over
// the BroadcastChannel "temaplan-auth"; a tab that waited for the lock
// first looks whether such a token came meanwhile and takes it instead of
// refreshing again. Should the broadcast arrive after the lock, the late
// tab refreshes once more with the already rotated cookie: one rotation
// too many, never a reuse.
//
// Pure logic: fetch, the lock manager, the channel and the clock are
// passed in, so the tests run two tabs against a fake server.
import { ApiError, decode, networkError, type FetchLike } from '../api/http';
import type { Me, TokenResponse } from '../api/types';

export const REFRESH_LOCK = 'temaplan-auth-refresh';
export const AUTH_CHANNEL = 'temaplan-auth';

/** The share of a token's lifetime after which it is renewed. */
export const REFRESH_AT = 0.8;

/** How long to wait before trying again after a failed background refresh (ms). */
export const RETRY_DELAY = 10_000;

/** LockManagerLike is the part of navigator.locks the session uses. */
export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** ChannelLike is the part of BroadcastChannel the session uses. */
export interface ChannelLike {
  postMessage(message: unknown): void;
  onmessage: ((ev: { data: unknown }) => void) | null;
  close(): void;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface AuthDeps {
  fetch: FetchLike;
  /** null where the browser has no Web Locks (then this tab refreshes alone). */
  locks: LockManagerLike | null;
  channel: ChannelLike | null;
  clock: Clock;
}

/** Token is an access token with its account and timing (epoch ms). */
export interface Token {
  value: string;
  user: Me;
  issuedAt: number;
  refreshAt: number;
  expiresAt: number;
}

export type AuthStatus = 'unknown' | 'signed_in' | 'signed_out';

export interface AuthState {
  status: AuthStatus;
  user: Me | null;
  /** The current access token (changes with every refresh). */
  token: string | null;
}

/** The messages between tabs on the auth channel. */
export type AuthMessage = { type: 'token'; token: Token } | { type: 'logout' };

/** tokenFrom turns a login or refresh answer into a Token, timed from now. */
export function tokenFrom(r: TokenResponse, now: number): Token {
  const ttl = Math.max(0, Number(r.expires_in) || 0) * 1000;
  return { value: r.access_token, user: r.user, issuedAt: now, refreshAt: now + ttl * REFRESH_AT, expiresAt: now + ttl };
}

export class AuthSession {
  private current: Token | null = null;
  private status: AuthStatus = 'unknown';
  private pending: Promise<string | null> | null = null;
  private timer: unknown = null;
  /** Counts sign-outs: a refresh answered after one is not used. */
  private epoch = 0;
  /** A logout is under way here: tokens from other tabs are not taken. */
  private loggingOut = false;
  private readonly listeners = new Set<(s: AuthState) => void>();

  constructor(private readonly deps: AuthDeps) {
    if (deps.channel) deps.channel.onmessage = (ev) => this.onMessage(ev.data);
  }

  /** state returns the status, the account and the token now. */
  state(): AuthState {
    return { status: this.status, user: this.current?.user ?? null, token: this.current?.value ?? null };
  }

  get user(): Me | null {
    return this.current?.user ?? null;
  }

  /** subscribe calls fn on every change of status, account or token. */
  subscribe(fn: (s: AuthState) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * start restores the session of an earlier page from the refresh
   * cookie. It resolves to the account, or null when nobody is signed in;
   * it throws an ApiError when the server cannot be reached.
   */
  async start(): Promise<Me | null> {
    await this.refresh(null);
    return this.user;
  }

  /** login signs in; a refused login throws an ApiError (unauthorized, rate_limited). */
  async login(email: string, password: string): Promise<Me> {
    let res: Response;
    try {
      res = await this.deps.fetch('/api/auth/login', {
        method: 'POST',
        headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
        body: JSON.stringify({ email, password }),
        credentials: 'same-origin',
      });
    } catch (err) {
      throw networkError(err);
    }
    const tok = tokenFrom(await decode<TokenResponse>(res), this.deps.clock.now());
    this.set(tok, true);
    return tok.user;
  }

  /**
   * logout ends the session here and in every other tab at once, then on
   * the server. The server call waits for the refresh lock, so that no
   * tab's refresh is under way when the session ends.
   */
  async logout(): Promise<void> {
    const token = this.current?.value;
    this.loggingOut = true;
    this.signedOut();
    this.post({ type: 'logout' });
    try {
      await this.locked(async () => {
        try {
          await this.deps.fetch('/api/auth/logout', {
            method: 'POST',
            headers: token ? { Authorization: `Bearer ${token}` } : {},
            credentials: 'same-origin',
          });
        } catch {
          // Signed out here anyway; the refresh token expires on its own.
        }
      });
    } finally {
      this.loggingOut = false;
    }
  }

  /**
   * accessToken returns a token to send: the current one, renewed first
   * when it is due (a tab whose timers slept). Null means signed out.
   */
  async accessToken(): Promise<string | null> {
    const cur = this.current;
    if (!cur) return this.status === 'signed_out' ? null : this.refresh(null);
    if (this.deps.clock.now() < cur.refreshAt) return cur.value;
    try {
      return await this.refresh(cur.value);
    } catch (err) {
      // The server cannot be reached: a token that has not expired may still do.
      if (this.current && this.deps.clock.now() < this.current.expiresAt) return this.current.value;
      throw err;
    }
  }

  /**
   * refresh returns a token newer than `stale` (the one that was refused
   * or is due; null: none), renewing it unless another tab just did. It
   * resolves to null when the session is gone (the user must sign in) and
   * throws an ApiError when the server cannot be reached.
   */
  refresh(stale: string | null): Promise<string | null> {
    const better = this.newerThan(stale);
    if (better) return Promise.resolve(better);
    // Callers in this tab share one refresh.
    this.pending ??= this.locked(() => this.refreshLocked(stale)).finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  /** close stops the timer and leaves the channel (tests, page teardown). */
  close(): void {
    this.clearTimer();
    if (this.deps.channel) {
      this.deps.channel.onmessage = null;
      this.deps.channel.close();
    }
  }

  // Internals.

  // newerThan returns the current token if it is not `stale` and not yet
  // due for renewal: another tab (or this one) renewed it already.
  private newerThan(stale: string | null): string | null {
    const cur = this.current;
    if (!cur || cur.value === stale || this.deps.clock.now() >= cur.refreshAt) return null;
    return cur.value;
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    return this.deps.locks ? this.deps.locks.request(REFRESH_LOCK, fn) : fn();
  }

  private async refreshLocked(stale: string | null): Promise<string | null> {
    // While we waited for the lock, another tab may have refreshed and
    // sent us its token: then our cookie is already rotated past the one
    // that tab presented, and the new token is here.
    const better = this.newerThan(stale);
    if (better) return better;
    const epoch = this.epoch;
    let res: Response;
    try {
      res = await this.deps.fetch('/api/auth/refresh', {
        method: 'POST',
        headers: { Accept: 'application/json' },
        credentials: 'same-origin',
      });
    } catch (err) {
      // No timeout of our own: aborting a refresh the server has answered
      // would lose the rotated cookie, and the next refresh would reuse
      // the old one.
      this.scheduleRetry();
      throw networkError(err);
    }
    let body: TokenResponse;
    try {
      body = await decode<TokenResponse>(res);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        this.signedOut();
        return null;
      }
      this.scheduleRetry();
      throw err;
    }
    if (epoch !== this.epoch) {
      // Signed out meanwhile (in another tab): the logout wins.
      return null;
    }
    const tok = tokenFrom(body, this.deps.clock.now());
    // Sent while we hold the lock, so that it is on its way before the
    // next tab gets the lock and looks for it.
    this.set(tok, true);
    return tok.value;
  }

  private set(tok: Token, broadcast: boolean): void {
    this.current = tok;
    this.status = 'signed_in';
    if (broadcast) this.post({ type: 'token', token: tok });
    this.schedule(tok.refreshAt);
    this.emit();
  }

  private signedOut(): void {
    this.epoch += 1;
    this.clearTimer();
    const changed = this.status !== 'signed_out' || this.current !== null;
    this.current = null;
    this.status = 'signed_out';
    if (changed) this.emit();
  }

  private onMessage(data: unknown): void {
    const m = data as AuthMessage | null;
    if (!m || typeof m !== 'object') return;
    if (m.type === 'logout') {
      this.signedOut();
      return;
    }
    if (m.type === 'token' && m.token && typeof m.token.value === 'string' && !this.loggingOut) {
      // Only a token older than ours is ignored: two issued in the same
      // millisecond are both valid, and either will do.
      const cur = this.current;
      if (cur && (m.token.issuedAt < cur.issuedAt || m.token.value === cur.value)) return;
      this.set(m.token, false);
    }
  }

  private schedule(at: number): void {
    this.clearTimer();
    const delay = Math.max(0, at - this.deps.clock.now());
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = null;
      const cur = this.current;
      if (!cur) return;
      // Errors are handled (a retry is scheduled, or we are signed out).
      this.refresh(cur.value).catch(() => {});
    }, delay);
  }

  private scheduleRetry(): void {
    const cur = this.current;
    if (!cur) return;
    if (this.deps.clock.now() >= cur.expiresAt) {
      // Expired and the server cannot be reached: the next call refreshes.
      this.clearTimer();
      return;
    }
    this.schedule(this.deps.clock.now() + RETRY_DELAY);
  }

  private clearTimer(): void {
    if (this.timer !== null) this.deps.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private post(m: AuthMessage): void {
    try {
      this.deps.channel?.postMessage(m);
    } catch {
      // A closed channel: this tab is going away.
    }
  }

  private emit(): void {
    const s = this.state();
    for (const fn of this.listeners) fn(s);
  }
}

/** browserAuthDeps returns the browser's fetch, Web Locks, channel and clock. */
export function browserAuthDeps(): AuthDeps {
  const nav = typeof navigator !== 'undefined' ? navigator : undefined;
  const locks = nav?.locks;
  return {
    fetch: (input, init) => fetch(input, init),
    locks: locks ? { request: <T>(name: string, fn: () => Promise<T>) => locks.request(name, () => fn()) as Promise<T> } : null,
    channel: browserChannel(),
    clock: {
      now: () => Date.now(),
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    },
  };
}

function browserChannel(): ChannelLike | null {
  if (typeof BroadcastChannel === 'undefined') return null;
  const bc = new BroadcastChannel(AUTH_CHANNEL);
  const c: ChannelLike = {
    onmessage: null,
    postMessage: (m) => bc.postMessage(m),
    close: () => bc.close(),
  };
  bc.onmessage = (ev) => c.onmessage?.({ data: ev.data });
  return c;
}
