// What survives a page reload: the tab's client id (sessionStorage), its op
// counter and its unacknowledged changes (localStorage, per client and
// document), so that a reload resends them under the same (client, seq) —
// exactly once. Changes are kept per signed-in user: another user who
// signs in later in the same tab never sends them under their name.
//
// A tab holds a Web Lock named after its client id for as long as it lives.
// A new tab whose id is taken (a duplicated tab copies sessionStorage) gets
// a fresh id; a new tab may take over the id of a closed tab that left
// unsent changes behind, so those are resent, still exactly once.
import type { PersistedDoc } from './docsync';

const CLIENT_KEY = 'temaplan.client';
const SEQ_PREFIX = 'temaplan.seq.';
const PENDING_PREFIX = 'temaplan.pending.';
const LOCK_PREFIX = 'temaplan-client:';

/** newClientId returns a random id matching the protocol's [A-Za-z0-9_-]{1,64}. */
export function newClientId(): string {
  const bytes = new Uint8Array(9);
  crypto.getRandomValues(bytes);
  let s = '';
  for (const b of bytes) s += b.toString(36).padStart(2, '0');
  return `c-${s}`;
}

/** PendingStore keeps one client's (and user's) unacknowledged changes and op counter. */
export class PendingStore {
  /** Writes failed (quota, private mode): changes live in memory only. */
  failed = false;
  private readonly dirty = new Map<string, PersistedDoc | null>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly client: string,
    private readonly storage: Storage,
    /** Writes are gathered for this long (ms); flush() writes at once. */
    private readonly delay = 0,
    /** The signed-in user whose changes these are ("": none). */
    private readonly user = '',
  ) {}

  private prefix(): string {
    return this.user ? `${PENDING_PREFIX}${this.client}.${encodeURIComponent(this.user)}/` : `${PENDING_PREFIX}${this.client}.`;
  }

  private key(doc: string): string {
    return this.prefix() + doc;
  }

  /**
   * save records a document's unacknowledged state (null: none). With a
   * delay, writes are gathered, so that typing in a long document does not
   * serialise it on every key; the page flushes on pagehide.
   */
  save(doc: string, rec: PersistedDoc | null): void {
    if (this.delay <= 0) {
      this.write(doc, rec);
      return;
    }
    this.dirty.set(doc, rec);
    this.timer ??= setTimeout(() => this.flush(), this.delay);
  }

  /** flush writes everything gathered. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const [doc, rec] of this.dirty) this.write(doc, rec);
    this.dirty.clear();
  }

  private write(doc: string, rec: PersistedDoc | null): void {
    try {
      if (rec) this.storage.setItem(this.key(doc), JSON.stringify(rec));
      else this.storage.removeItem(this.key(doc));
      this.failed = false;
    } catch {
      this.failed = true;
    }
  }

  load(doc: string): PersistedDoc | null {
    if (this.dirty.has(doc)) return this.dirty.get(doc) ?? null;
    const raw = this.storage.getItem(this.key(doc));
    if (!raw) return null;
    try {
      const rec = JSON.parse(raw) as PersistedDoc;
      return rec.client === this.client ? rec : null;
    } catch {
      return null;
    }
  }

  /** docs lists the documents with stored changes, with their plans. */
  docs(): { doc: string; plan: string }[] {
    const prefix = this.prefix();
    const out: { doc: string; plan: string }[] = [];
    for (let i = 0; i < this.storage.length; i++) {
      const k = this.storage.key(i);
      if (!k?.startsWith(prefix)) continue;
      const doc = k.slice(prefix.length);
      if (doc.includes('/')) continue; // another user's
      const rec = this.load(doc);
      if (rec) out.push({ doc, plan: rec.plan });
    }
    return out;
  }

  /** nextSeq increments and stores the client's op counter. */
  nextSeq(): number {
    const k = SEQ_PREFIX + this.client;
    const n = (Number(this.storage.getItem(k)) || 0) + 1;
    try {
      this.storage.setItem(k, String(n));
    } catch {
      this.failed = true;
    }
    return n;
  }
}

/** clientsWithPending lists the client ids that have stored changes. */
export function clientsWithPending(storage: Storage): string[] {
  const ids = new Set<string>();
  for (let i = 0; i < storage.length; i++) {
    const k = storage.key(i);
    if (!k?.startsWith(PENDING_PREFIX)) continue;
    const rest = k.slice(PENDING_PREFIX.length);
    const dot = rest.indexOf('.');
    if (dot > 0) ids.add(rest.slice(0, dot));
  }
  return [...ids];
}

// tryLock takes the lock of a client id for the rest of the page's life.
// With wait > 0 it waits that long for a lock another page still holds
// (the page this one replaces on reload may not have let go yet).
function tryLock(id: string, wait: number): Promise<boolean> {
  const locks = navigator.locks;
  return new Promise((resolve) => {
    const opts: LockOptions = wait > 0 ? { signal: AbortSignal.timeout(wait) } : { ifAvailable: true };
    locks
      .request(LOCK_PREFIX + id, opts, (lock) => {
        if (!lock) {
          resolve(false);
          return undefined;
        }
        resolve(true);
        return new Promise<void>(() => {}); // held until the page goes away
      })
      .catch(() => resolve(false));
  });
}

/**
 * claimClientId returns this tab's client id: the one it had before a
 * reload, else a closed tab's that left changes unsent, else a new one.
 */
export async function claimClientId(): Promise<string> {
  const session = sessionStorage;
  const own = session.getItem(CLIENT_KEY);
  if (!('locks' in navigator) || !navigator.locks) {
    // No Web Locks (an insecure context): keep the tab's id, adopt nothing.
    const id = own ?? newClientId();
    session.setItem(CLIENT_KEY, id);
    return id;
  }
  if (own && ((await tryLock(own, 0)) || (await tryLock(own, 1500)))) return own;
  for (const orphan of clientsWithPending(localStorage)) {
    if (orphan !== own && (await tryLock(orphan, 0))) {
      session.setItem(CLIENT_KEY, orphan);
      return orphan;
    }
  }
  const id = newClientId();
  await tryLock(id, 0);
  session.setItem(CLIENT_KEY, id);
  return id;
}
