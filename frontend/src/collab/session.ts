// Session is the tab's collaboration state for the signed-in user: the
// one connection, the documents open on it (the one in the editor and any
// that still have unacknowledged changes), and the plan subscriptions
// (events, presence, errors about the plan).
import { Connection, wsURL, type ConnState } from './connection';
import { DocSync, type DocHost } from './docsync';
import type { ClientMsg, ErrorMsg, EventMsg, PresenceInMsg, ServerMsg, SubmitMsg, SubMsg, User } from './protocol';
import { PendingStore } from './storage';

/** How long unacknowledged changes are gathered before they are stored (ms). */
const PERSIST_DELAY = 250;

export interface PlanHandlers {
  /** event gets the plan's events in order; return false to stop (the page reloads the plan). */
  event: (e: EventMsg) => void;
  presence: (p: PresenceInMsg) => void;
  /** opened is called on every (re)subscription. */
  opened?: () => void;
  /** error gets errors about the plan itself (e.g. forbidden: the membership was revoked). */
  error?: (e: ErrorMsg) => void;
}

/** The access tokens the connection presents (auth/session.ts). */
export interface SessionAuth {
  accessToken(): Promise<string | null>;
  refresh(refused: string | null): Promise<string | null>;
}

interface PlanSub {
  plan: string;
  seq: () => number;
  handlers: PlanHandlers;
}

export class Session {
  readonly store: PendingStore;
  private readonly conn: Connection;
  private readonly docs = new Map<string, { sync: DocSync; users: number }>();
  private readonly plans = new Map<string, PlanSub>();
  private readonly stateListeners = new Set<(s: ConnState) => void>();
  private ticker: ReturnType<typeof setInterval> | null = null;
  user: User | null = null;

  constructor(
    readonly clientId: string,
    /** The signed-in user's id: their unsent changes are kept apart from anyone else's. */
    readonly userId: string,
    auth: SessionAuth,
    storage: Storage = localStorage,
  ) {
    this.store = new PendingStore(clientId, storage, PERSIST_DELAY, userId);
    this.conn = new Connection({
      url: wsURL(),
      client: clientId,
      token: () => auth.accessToken(),
      refresh: (refused) => auth.refresh(refused),
      onOpen: (w) => {
        this.user = w.user;
        for (const p of this.plans.values()) this.subPlan(p);
        for (const d of this.docs.values()) d.sync.connected();
      },
      onClose: () => {
        for (const d of this.docs.values()) d.sync.disconnected();
      },
      onMessage: (m) => this.route(m),
      onState: (s) => {
        for (const fn of this.stateListeners) fn(s);
      },
    });
  }

  start(): void {
    // What is gathered for storage is written before the page goes away
    // (reload, navigation, tab closed) or into the background.
    window.addEventListener('pagehide', () => this.store.flush());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') this.store.flush();
    });
    // Changes a previous page of this tab (or a closed tab whose id we
    // took) left unsent go out in the background.
    for (const { doc, plan } of this.store.docs()) this.openDoc(plan, doc, false);
    this.conn.start();
    this.ticker = setInterval(() => this.tick(), 1000);
  }

  /** renew hands a renewed access token to the open connection. */
  renew(token: string): void {
    this.conn.renew(token);
  }

  /** pause closes the connection (signed out); resume opens it again. */
  pause(): void {
    this.store.flush();
    this.conn.stop();
  }

  resume(): void {
    this.conn.start();
  }

  /** destroy ends the session for good (another user signs in). */
  destroy(): void {
    this.store.flush();
    this.conn.destroy();
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
  }

  get state(): ConnState {
    return this.conn.state;
  }

  onState(fn: (s: ConnState) => void): () => void {
    this.stateListeners.add(fn);
    fn(this.conn.state);
    return () => this.stateListeners.delete(fn);
  }

  send(m: ClientMsg): boolean {
    return this.conn.send(m);
  }

  /** openDoc returns the document's DocSync, creating it (and restoring stored changes) if needed. */
  openDoc(plan: string, doc: string, use = true): DocSync {
    let d = this.docs.get(doc);
    if (!d) {
      const host: DocHost = {
        clientId: this.clientId,
        send: (m: SubmitMsg | SubMsg) => this.conn.send(m),
        nextSeq: () => this.store.nextSeq(),
        reconnect: () => this.conn.reconnect(),
        now: () => Date.now(),
      };
      const sync = new DocSync(plan, doc, host, (rec) => this.store.save(doc, rec));
      const rec = this.store.load(doc);
      if (rec) sync.restore(rec);
      d = { sync, users: 0 };
      this.docs.set(doc, d);
      if (this.conn.state === 'open') sync.connected();
    }
    if (use) d.users += 1;
    return d.sync;
  }

  /** closeDoc releases a document; it stays subscribed until its changes are acknowledged. */
  closeDoc(doc: string): void {
    const d = this.docs.get(doc);
    if (!d) return;
    d.users = Math.max(0, d.users - 1);
    if (d.users === 0) d.sync.detach();
    this.release(doc);
  }

  private release(doc: string): void {
    const d = this.docs.get(doc);
    if (!d || d.users > 0 || d.sync.hasPending()) return;
    this.docs.delete(doc);
    this.conn.send({ type: 'unsub', doc });
  }

  /**
   * resumeAfterLock sends the changes a lock held in the plan's documents
   * again, once the plan is known to be open for editing.
   */
  resumeAfterLock(plan: string): void {
    for (const d of this.docs.values()) if (d.sync.plan === plan) d.sync.resumeAfterLock();
  }

  /** subscribePlan delivers a plan's events after seq() and its presence. */
  subscribePlan(plan: string, seq: () => number, handlers: PlanHandlers): () => void {
    const p: PlanSub = { plan, seq, handlers };
    this.plans.set(plan, p);
    if (this.conn.state === 'open') this.subPlan(p);
    return () => {
      if (this.plans.get(plan) !== p) return;
      this.plans.delete(plan);
      this.conn.send({ type: 'unsub', plan });
    };
  }

  private subPlan(p: PlanSub): void {
    this.conn.send({ type: 'sub', plan: p.plan, seq: p.seq() });
    p.handlers.opened?.();
  }

  private route(m: ServerMsg): void {
    switch (m.type) {
      case 'snapshot':
      case 'op':
      case 'ack':
      case 'synced':
        this.docs.get(m.doc)?.sync.receive(m);
        return;
      case 'error':
        if (m.doc) this.docs.get(m.doc)?.sync.receive(m);
        else if (m.plan) this.plans.get(m.plan)?.handlers.error?.(m);
        else console.warn('temaplan: server error', m.code, m.message);
        return;
      case 'event':
        this.plans.get(m.plan)?.handlers.event(m);
        return;
      case 'presence':
        this.plans.get(m.plan)?.handlers.presence(m);
        return;
      case 'welcome':
        return;
    }
  }

  private tick(): void {
    const now = Date.now();
    for (const [doc, d] of this.docs) {
      d.sync.tick(now);
      if (d.users === 0) this.release(doc);
    }
  }
}
