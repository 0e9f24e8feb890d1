// DocSync runs the protocol of one section document on top of the OT state
// machine: subscribing and catching up, ordering ops and acks by version,
// sending at most one op at a time, resending after reconnects with the same
// seq (exactly once), rebasing on snapshots, and keeping unacknowledged
// changes persisted. Changes that meet a lock (the plan was locked for
// approval) are held: kept visible, stored and unsent, and sent again with
// the same seq when the plan opens again. It has no timers and no socket of its own: the host
// sends, the caller feeds messages and calls tick() with the time, so the
// whole protocol runs in unit and property tests.
import Delta from 'quill-delta';
import { docDiff, OTClient, type Inflight } from './ot';
import type { DeltaJSON, DocServerMsg, ErrorMsg, OpMsg, SnapshotMsg, SubmitMsg, SubMsg } from './protocol';

/** The host a DocSync talks through: the connection and the client identity. */
export interface DocHost {
  readonly clientId: string;
  /** send delivers a message if connected, and reports whether it could. */
  send(msg: SubmitMsg | SubMsg): boolean;
  /** nextSeq returns the client's next op counter (persisted by the host). */
  nextSeq(): number;
  /** reconnect drops the connection and opens a new one. */
  reconnect(): void;
  now(): number;
}

/** The editor a DocSync keeps up to date. */
export interface DocView {
  /** reset replaces the whole content (first load). */
  reset(doc: Delta): void;
  /** apply applies a remote change; the view keeps its selection. */
  apply(change: Delta): void;
  /** flush reports pending user edits (via DocSync.local) before a remote change. */
  flush(): void;
  /**
   * busy reports that the view cannot take remote changes now (an input
   * method is composing text); it calls DocSync.resume() when it can.
   */
  busy?(): boolean;
}

/** What is kept in storage while changes are unacknowledged. */
export interface PersistedDoc {
  /** The client id the in-flight op was sent under. */
  client: string;
  plan: string;
  v: number;
  base: DeltaJSON;
  inflight: { op: DeltaJSON; seq: number; src: string } | null;
  buffer: DeltaJSON | null;
  rejected: DocProblem | null;
  /** The changes met a lock: they wait for the plan to open again. */
  held?: boolean;
  /** The base is ahead of v (in-flight op known committed): resync from a snapshot. */
  needSnapshot?: boolean;
}

export interface DocProblem {
  code: string;
  message: string;
}

export type DocState =
  | 'loading' // waiting for the first snapshot
  | 'saved' // everything acknowledged
  | 'saving' // changes waiting for their ack
  | 'offline' // not connected (changes, if any, wait)
  | 'rejected' // the server refused a change: it stays visible, unsent
  | 'held' // the plan is locked: changes stay visible and stored, unsent until it opens again
  | 'error'; // the document cannot be opened (not found, forbidden)

export interface DocStatus {
  state: DocState;
  /** The document's content is known (the editor may be used). */
  loaded: boolean;
  pending: boolean;
  locked: boolean;
  problem: DocProblem | null;
}

/** Timing of the protocol's recovery paths, in milliseconds. */
export interface DocTimings {
  /** How long a gap in versions may stay open before a catch-up resubscribe. */
  gapWait: number;
  /** How long an op may wait for its ack before the connection is renewed. */
  ackTimeout: number;
  /** How long a subscription may wait for its snapshot or catch-up before the connection is renewed. */
  syncTimeout: number;
  /** First delay before a retry after rate_limited / unavailable / internal. */
  retryBase: number;
  /** Retries of one op before it counts as refused. */
  maxRetries: number;
}

export const DEFAULT_TIMINGS: DocTimings = { gapWait: 3000, ackTimeout: 30000, syncTimeout: 20000, retryBase: 1000, maxRetries: 6 };

/**
 * MAX_OP_BYTES is the largest op sent at once: half the server's 64 KiB, so
 * a big paste goes as several ops instead of being refused as too large.
 */
export const MAX_OP_BYTES = 32 * 1024;

/** Codes after which resending the same op later may succeed. */
const RETRY_CODES = new Set(['rate_limited', 'unavailable', 'internal']);

type Held = { kind: 'op'; msg: OpMsg } | { kind: 'ack'; seq: number };

interface Probe {
  snapshot: Delta;
  v: number;
  queue: DocServerMsg[];
}

export class DocSync {
  private ot: OTClient | null = null;
  private view: DocView | null = null;
  private online = false;
  /** The catch-up (or snapshot) after the last sub has completed. */
  private synced = false;
  private syncTarget: number | null = null;
  private held = new Map<number, Held>();
  private gapSince: number | null = null;
  private probe: Probe | null = null;
  /** The in-flight op was committed and folded into base: ignore everything until a fresh snapshot. */
  private awaitingSnapshot = false;
  /** An error answered the in-flight op: it is not committed. */
  private inflightRefused = false;
  /** The in-flight op was sent since the last (re)subscription. */
  private inflightSent = false;
  private sentAt: number | null = null;
  /** When the current subscription was sent, until it is synced. */
  private subAt: number | null = null;
  /** Subscriptions in a row that got no answer. */
  private subTimeouts = 0;
  /** Subscribe without a version: ask for a snapshot. */
  private freshSub = false;
  private retryAt: number | null = null;
  private resubAt: number | null = null;
  private retries = 0;
  private rejected: DocProblem | null = null;
  private fatal: DocProblem | null = null;
  /** The document is locked (a snapshot said so, or a lock marker came). */
  private locked = false;
  /**
   * The in-flight op was refused as locked (so it is not committed): it
   * and the buffer wait until the plan opens again (an unlock marker, a
   * snapshot that is not locked, or resumeAfterLock).
   */
  private lockHeld = false;
  /** Unlocks seen (markers, snapshots that are not locked), and how many when the in-flight op was sent. */
  private unlocks = 0;
  private unlocksAtSend = 0;
  /** The buffer holds only the trailing newline Quill needs and the server's doc lacks. */
  private virtualTail = false;
  /** Messages held while the view is busy, in arrival order. */
  private inbox: DocServerMsg[] = [];
  private listeners = new Set<(s: DocStatus) => void>();
  private lastStatus = '';

  constructor(
    readonly plan: string,
    readonly doc: string,
    private readonly host: DocHost,
    private readonly save: (rec: PersistedDoc | null) => void,
    private readonly timings: DocTimings = DEFAULT_TIMINGS,
  ) {}

  /**
   * restore starts from changes kept in storage by an earlier page of this
   * tab, or of a closed tab whose client id this tab took over: resends go
   * out under the same (client, seq), so they count once.
   */
  restore(rec: PersistedDoc): void {
    if (rec.client !== this.host.clientId) throw new Error(`record of client ${rec.client} restored by ${this.host.clientId}`);
    const inflight: Inflight | null = rec.inflight
      ? { op: new Delta(rec.inflight.op.ops ?? []), seq: rec.inflight.seq, src: rec.inflight.src }
      : null;
    const buffer = rec.buffer ? new Delta(rec.buffer.ops ?? []) : null;
    this.ot = new OTClient(rec.v, new Delta(rec.base.ops ?? []), inflight, buffer && buffer.ops.length ? buffer : null);
    this.rejected = rec.rejected;
    this.lockHeld = rec.held === true;
    this.inflightRefused = rec.rejected !== null || this.lockHeld;
    this.awaitingSnapshot = rec.needSnapshot === true;
    this.view?.reset(this.ot.localDoc());
    this.changed();
  }

  /** attach binds an editor; it is reset to the current local document. */
  attach(view: DocView): void {
    this.view = view;
    if (this.ot) view.reset(this.ot.localDoc());
    this.emit();
  }

  detach(): void {
    this.view = null;
    this.resume();
  }

  /** hasPending reports unacknowledged changes. */
  hasPending(): boolean {
    return this.ot !== null && this.ot.hasPending() && !this.virtualTail;
  }

  /** isLoaded reports whether the document content is known. */
  isLoaded(): boolean {
    return this.ot !== null;
  }

  /** localDoc returns the document as the user sees it. */
  localDoc(): Delta | null {
    return this.ot ? this.ot.localDoc() : null;
  }

  /** version returns the server version the local state is based on. */
  version(): number | null {
    return this.ot ? this.ot.version : null;
  }

  /**
   * committedSince returns the ops committed from version v up to
   * version(), or null when this client does not know them (v is ahead,
   * too old, or before the last snapshot).
   */
  committedSince(v: number): Delta[] | null {
    return this.ot ? this.ot.committedSince(v) : null;
  }

  /** pending returns the local changes the server has not committed yet (over the document at version()), or null. */
  pending(): Delta | null {
    return this.ot ? this.ot.pending() : null;
  }

  /** baseDoc returns the server's document at version(), or null before it is known. */
  baseDoc(): Delta | null {
    return this.ot ? this.ot.base : null;
  }

  onStatus(fn: (s: DocStatus) => void): () => void {
    this.listeners.add(fn);
    fn(this.status());
    return () => this.listeners.delete(fn);
  }

  status(): DocStatus {
    const pending = this.hasPending();
    let state: DocState;
    if (this.fatal) state = 'error';
    else if (this.rejected) state = 'rejected';
    else if (pending && (this.lockHeld || this.locked)) state = 'held';
    else if (!this.online) state = 'offline';
    else if (!this.ot) state = 'loading';
    else if (pending) state = 'saving';
    else state = 'saved';
    return { state, loaded: this.ot !== null, pending, locked: this.locked, problem: this.fatal ?? this.rejected };
  }

  // Connection events.

  /** connected is called when the connection is open (after welcome). */
  connected(): void {
    this.online = true;
    this.resetStream();
    this.subscribe();
    this.changed();
  }

  disconnected(): void {
    this.online = false;
    this.inbox = [];
    this.resetStream();
    this.changed();
  }

  // The user.

  /**
   * local records a change the user made in the editor. A change that
   * changes nothing (an editor may report one: a retain, or a format
   * removed where there was none) is dropped: sent, it would be an edit
   * of its own — a version and a history line — and it would turn the
   * virtual trailing newline of an empty document into a lone newline op.
   */
  local(change: Delta): void {
    if (!this.ot || change.ops.length === 0) return;
    if (changesNothing(this.ot.localDoc(), change)) return;
    this.ot.local(change);
    this.virtualTail = false;
    this.maybeSend();
    this.changed();
  }

  /** retry resends changes the server refused (e.g. after the plan was unlocked). */
  retry(): void {
    if (!this.rejected) return;
    this.rejected = null;
    this.retries = 0;
    if (this.synced) this.resendInflight();
    this.maybeSend();
    this.changed();
  }

  /**
   * resumeAfterLock sends the changes held by a lock again (same seq: the
   * server rebases them), when the plan is known to be open again (its
   * phase allows editing). If it is still locked they are held again.
   */
  resumeAfterLock(): void {
    if (!this.lockHeld && !this.locked) return;
    this.locked = false;
    this.release();
    this.changed();
  }

  /** discard drops changes the server refused and shows the server's text. */
  discard(): void {
    if (!this.ot || (!this.rejected && !this.lockHeld)) return;
    const local = this.ot.localDoc();
    this.ot.inflight = null;
    this.ot.buffer = null;
    this.rejected = null;
    this.lockHeld = false;
    this.inflightRefused = false;
    // Back to the server's text, with the newline Quill needs (virtual
    // again if the server's document lacks it): otherwise Quill, which
    // cannot drop its last newline, would send it back alone.
    this.ensureTail();
    this.view?.apply(docDiff(local, this.ot.localDoc()));
    this.changed();
  }

  // The server.

  receive(m: DocServerMsg): void {
    if (m.doc !== this.doc) return;
    if (this.inbox.length > 0 || this.view?.busy?.()) {
      this.inbox.push(m);
      return;
    }
    this.handle(m);
  }

  /** resume processes the messages held while the view was busy. */
  resume(): void {
    while (this.inbox.length > 0 && !this.view?.busy?.()) this.handle(this.inbox.shift()!);
  }

  private handle(m: DocServerMsg): void {
    switch (m.type) {
      case 'snapshot':
        this.onSnapshot(m);
        break;
      case 'op':
        this.onOp(m);
        break;
      case 'ack':
        this.onAck(m.v, m.seq);
        break;
      case 'synced':
        this.onSynced(m.v);
        break;
      case 'error':
        this.onError(m);
        break;
    }
    this.changed();
  }

  /** tick runs the time-based recovery paths; call it about once a second. */
  tick(now: number): void {
    if (!this.online) return;
    if (this.resubAt !== null && now >= this.resubAt) {
      this.resubscribe();
      return;
    }
    if (this.held.size > 0 && this.gapSince !== null && now - this.gapSince >= this.timings.gapWait) {
      // A version never came: catch up from what we have.
      this.resubscribe();
    }
    if (this.subAt !== null && !this.synced && !this.probe && now - this.subAt >= this.timings.syncTimeout) {
      // The server never answered the subscription: start over on a new
      // connection; if that does not help either, ask for a snapshot (a
      // server that does not know our version may refuse the catch-up
      // without saying which document it means).
      this.subAt = null;
      this.subTimeouts += 1;
      if (this.subTimeouts === 1) {
        this.host.reconnect();
      } else {
        this.freshSub = true;
        this.resubscribe();
      }
      return;
    }
    if (this.sentAt !== null && now - this.sentAt >= this.timings.ackTimeout) {
      this.sentAt = null;
      this.host.reconnect();
      return;
    }
    if (this.retryAt !== null && now >= this.retryAt && this.synced && !this.probe) {
      this.retryAt = null;
      this.resendInflight();
      this.changed();
    }
  }

  // Internals.

  private resetStream(): void {
    this.synced = false;
    this.syncTarget = null;
    this.held.clear();
    this.gapSince = null;
    this.probe = null;
    this.sentAt = null;
    this.retryAt = null;
    this.resubAt = null;
    this.inflightSent = false;
  }

  private subscribe(): void {
    const m: SubMsg = { type: 'sub', plan: this.plan, doc: this.doc };
    if (this.ot && !this.awaitingSnapshot && !this.freshSub) m.v = this.ot.version;
    this.subAt = this.host.send(m) ? this.host.now() : null;
  }

  private resubscribe(): void {
    this.resetStream();
    this.subscribe();
  }

  private resubscribeLater(): void {
    this.resetStream();
    const delay = this.timings.retryBase * 2 ** Math.min(this.retries, 5);
    this.retries += 1;
    this.resubAt = this.host.now() + delay * (0.5 + Math.random() / 2);
  }

  private onSnapshot(m: SnapshotMsg): void {
    const snap = new Delta(m.data?.ops ?? []);
    this.locked = m.locked === true;
    // Not locked any more: what the lock held goes out after the rebase.
    if (!this.locked) {
      this.lockHeld = false;
      this.unlocks += 1;
    }
    // Ops that overtook the snapshot stay held; older ones are in it.
    for (const v of this.held.keys()) if (v < m.v) this.held.delete(v);
    this.syncTarget = null;
    this.awaitingSnapshot = false;
    this.freshSub = false;
    this.subTimeouts = 0;
    if (!this.ot) {
      this.ot = new OTClient(m.v, snap);
      this.ensureTail();
      this.view?.reset(this.ot.localDoc());
      this.synced = true;
      this.drain();
      this.maybeSend();
      return;
    }
    const inf = this.ot.inflight;
    if (inf && !this.inflightRefused) {
      // We cannot tell whether the in-flight op is in the snapshot. Ask:
      // a committed (doc, client, seq) is re-acked whatever its version;
      // an uncommitted op this far behind is refused as stale.
      this.probe = { snapshot: snap, v: m.v, queue: [] };
      this.sendInflight();
      return;
    }
    this.applyRebase(snap, m.v, false);
  }

  private applyRebase(snap: Delta, v: number, inflightIncluded: boolean): void {
    const ot = this.ot!;
    this.view?.flush();
    const before = this.virtualTail ? ot.localDoc() : null;
    const change = ot.rebase(snap, v, inflightIncluded);
    if (before) this.refreshTail(before);
    else if (change.ops.length > 0) this.view?.apply(change);
    this.synced = true;
    this.drain();
    this.afterSynced();
  }

  private resolveProbe(committed: boolean, ackV: number | null): void {
    const p = this.probe!;
    this.probe = null;
    this.sentAt = null;
    if (committed && ackV !== null && ackV >= p.v) {
      // Committed after the snapshot was taken: it is not in it, and we
      // lack the ops around it. Fold it into base and start over.
      this.foldInflightAndResync();
      return;
    }
    if (!committed) this.inflightRefused = true;
    this.applyRebase(p.snapshot, p.v, committed);
    for (const m of p.queue) this.handle(m);
  }

  private foldInflightAndResync(): void {
    const ot = this.ot!;
    if (ot.inflight) {
      ot.base = ot.base.compose(ot.inflight.op);
      ot.inflight = null;
    }
    this.awaitingSnapshot = true;
    this.resetStream();
    this.subscribe();
  }

  private onOp(m: OpMsg): void {
    if (this.probe) {
      this.probe.queue.push(m);
      return;
    }
    if (!this.ot || this.awaitingSnapshot) {
      // Until the snapshot comes, keep what may follow it.
      this.held.set(m.v, { kind: 'op', msg: m });
      return;
    }
    if (m.v < this.ot.version) return;
    this.held.set(m.v, { kind: 'op', msg: m });
    this.drain();
  }

  private onAck(v: number, seq: number): void {
    const inf = this.ot?.inflight;
    if (!inf || inf.seq !== seq || inf.src !== this.host.clientId) return;
    if (this.probe) {
      this.resolveProbe(true, v);
      return;
    }
    if (this.awaitingSnapshot) return;
    if (v < this.ot!.version) {
      // Committed at a version we took for someone else's: our view of the
      // document cannot be trusted. The op is committed; resync from a snapshot.
      this.foldInflightAndResync();
      return;
    }
    this.held.set(v, { kind: 'ack', seq });
    this.drain();
  }

  private onSynced(v: number): void {
    if (this.probe) {
      this.probe.queue.push({ type: 'synced', doc: this.doc, v });
      return;
    }
    if (!this.ot || this.awaitingSnapshot) return;
    this.syncTarget = v;
    this.drain();
  }

  private drain(): void {
    const ot = this.ot!;
    let unlocked = false;
    for (;;) {
      const h = this.held.get(ot.version);
      if (!h) break;
      this.held.delete(ot.version);
      const inf = ot.inflight;
      const own = inf !== null && (h.kind === 'ack' || (h.msg.src === inf.src && h.msg.seq === inf.seq));
      if (own) {
        ot.ack();
        this.sentAt = null;
        this.retries = 0;
        this.inflightRefused = false;
        this.maybeSend();
        continue;
      }
      if (h.kind === 'ack') continue; // an ack for an op no longer in flight
      const m = h.msg;
      if (m.kind === 'lock') this.locked = true;
      else if (m.kind === 'unlock') {
        this.locked = false;
        this.unlocks += 1;
        unlocked = true;
      }
      this.view?.flush();
      const before = this.virtualTail ? ot.localDoc() : null;
      const change = ot.remote(new Delta(m.op?.ops ?? []));
      if (before) this.refreshTail(before);
      else if (change.ops.length > 0) this.view?.apply(change);
    }
    for (const v of this.held.keys()) if (v < ot.version) this.held.delete(v);
    if (this.held.size === 0) this.gapSince = null;
    else this.gapSince ??= this.host.now();
    if (this.syncTarget !== null && ot.version >= this.syncTarget) {
      this.syncTarget = null;
      this.subTimeouts = 0;
      this.synced = true;
      if (unlocked) this.lockHeld = false;
      this.afterSynced();
    } else if (unlocked) {
      this.release();
    }
  }

  // release lets changes held by a lock go: the in-flight op is resent
  // (same seq) once the stream is synced, then the buffer follows.
  private release(): void {
    if (!this.lockHeld) {
      this.maybeSend();
      return;
    }
    this.lockHeld = false;
    if (this.synced && !this.probe && !this.awaitingSnapshot) this.resendInflight();
    this.maybeSend();
  }

  // afterSynced runs once the catch-up is complete: an op still in flight
  // was not among the committed ops, so it is resent (same seq).
  private afterSynced(): void {
    const inf = this.ot!.inflight;
    if (inf && !this.rejected && !this.lockHeld && this.retryAt === null && (!this.inflightSent || this.inflightRefused)) {
      this.resendInflight();
    }
    this.maybeSend();
  }

  private resendInflight(): void {
    const ot = this.ot;
    if (!ot?.inflight || this.rejected || this.lockHeld || !this.online) return;
    if (ot.inflight.op.ops.length === 0 && this.inflightRefused) {
      // Transformed away to nothing and known uncommitted: nothing to send.
      ot.inflight = null;
      this.inflightRefused = false;
      this.maybeSend();
      return;
    }
    this.sendInflight();
  }

  private sendInflight(): void {
    const ot = this.ot!;
    const inf = ot.inflight!;
    this.inflightRefused = false;
    this.inflightSent = true;
    this.unlocksAtSend = this.unlocks;
    if (this.host.send({ type: 'op', doc: this.doc, v: ot.version, seq: inf.seq, op: { ops: inf.op.ops } })) {
      this.sentAt = this.host.now();
    }
  }

  private maybeSend(): void {
    const ot = this.ot;
    // Nothing new goes out while the document is locked: it would be refused.
    if (!ot || !this.online || !this.synced || this.probe || this.awaitingSnapshot || this.rejected || this.lockHeld || this.locked) return;
    if (ot.inflight || !ot.buffer || this.virtualTail) return;
    ot.takeBuffer(this.host.nextSeq(), this.host.clientId, MAX_OP_BYTES);
    this.sendInflight();
  }

  private onError(m: ErrorMsg): void {
    const ot = this.ot;
    const inf = ot?.inflight;
    const problem = { code: m.code, message: m.message };
    if (m.seq !== undefined && m.seq > 0) {
      // An answer to an op; one that is no longer in flight is old news.
      if (!inf || m.seq !== inf.seq || inf.src !== this.host.clientId) return;
    } else {
      // The subscription failed.
      if (RETRY_CODES.has(m.code)) {
        this.resubscribeLater();
      } else if (m.code === 'bad_request' && this.ot && !this.awaitingSnapshot) {
        // The server does not know our version (e.g. its data was reset):
        // take a fresh snapshot and rebase everything pending on it.
        this.inflightRefused = true;
        this.awaitingSnapshot = true;
        this.resubscribe();
      } else {
        this.fatal = problem;
      }
      return;
    }
    this.sentAt = null;
    this.inflightRefused = true;
    if (this.probe) {
      if (RETRY_CODES.has(m.code)) {
        // Whether the op is committed is still unknown: ask again later.
        this.inflightRefused = false;
        this.probe = null;
        this.resubscribeLater();
        return;
      }
      if (m.code === 'locked') this.hold();
      else if (m.code !== 'stale') this.rejected = problem;
      this.resolveProbe(false, null);
      return;
    }
    if (m.code === 'stale') {
      this.resubscribe();
    } else if (m.code === 'locked') {
      this.hold();
    } else if (RETRY_CODES.has(m.code) && this.retries < this.timings.maxRetries) {
      const delay = this.timings.retryBase * 2 ** this.retries;
      this.retries += 1;
      this.retryAt = this.host.now() + delay * (0.5 + Math.random() / 2);
    } else {
      this.rejected = problem;
    }
  }

  // hold keeps the refused op and everything after it for when the plan
  // opens again. The lock marker that beat the op is on its way (or here).
  // The refusal may also have been overtaken by the unlock (the error
  // comes from the node that refused the op, the markers over the bus):
  // then the op goes again at once; at worst a newer lock refuses it again.
  private hold(): void {
    if (this.unlocks > this.unlocksAtSend) {
      if (this.synced && !this.probe) this.resendInflight();
      return;
    }
    this.lockHeld = true;
    this.locked = true;
  }

  // The server's empty document has no trailing newline, but Quill always
  // shows one. Until the user changes something, the newline is a virtual
  // local insert that is not sent; with the first real change it goes too,
  // so every op the editor makes applies on the server.
  private ensureTail(): void {
    const ot = this.ot!;
    if (ot.buffer || ot.inflight) return;
    const fix = tailFix(ot.base);
    if (fix) {
      ot.buffer = fix;
      this.virtualTail = true;
    } else {
      this.virtualTail = false;
    }
  }

  private refreshTail(before: Delta): void {
    const ot = this.ot!;
    ot.buffer = null;
    this.ensureTail();
    const change = docDiff(before, ot.localDoc());
    if (change.ops.length > 0) this.view?.apply(change);
  }

  private changed(): void {
    this.persist();
    this.emit();
  }

  private persist(): void {
    const ot = this.ot;
    if (!ot || !this.hasPending()) {
      this.save(null);
      return;
    }
    this.save({
      client: this.host.clientId,
      plan: this.plan,
      v: ot.version,
      base: { ops: ot.base.ops },
      inflight: ot.inflight ? { op: { ops: ot.inflight.op.ops }, seq: ot.inflight.seq, src: ot.inflight.src } : null,
      buffer: ot.buffer ? { ops: ot.buffer.ops } : null,
      rejected: this.rejected,
      held: this.lockHeld || undefined,
      needSnapshot: this.awaitingSnapshot || undefined,
    });
  }

  private emit(): void {
    const s = this.status();
    const key = JSON.stringify(s);
    if (key === this.lastStatus) return;
    this.lastStatus = key;
    for (const fn of this.listeners) fn(s);
  }
}

/**
 * changesNothing reports whether change leaves doc as it is. Only a change
 * of retains alone can (an insert or a delete always changes the text), so
 * typing never pays for the comparison; retains with attributes are
 * compared on the document, and a change inside an embed counts as one.
 */
export function changesNothing(doc: Delta, change: Delta): boolean {
  if (change.ops.some((op) => typeof op.retain !== 'number')) return false;
  if (change.ops.every((op) => op.attributes === undefined)) return true;
  return doc.diff(doc.compose(change)).ops.length === 0;
}

/** tailFix returns the insert of the trailing newline doc lacks, or null. */
export function tailFix(doc: Delta): Delta | null {
  const last = doc.ops[doc.ops.length - 1];
  if (last && typeof last.insert === 'string' && last.insert.endsWith('\n')) return null;
  return new Delta().retain(doc.length()).insert('\n');
}
