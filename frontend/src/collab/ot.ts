// The classic OT client state machine of one document (Jupiter / ot.js,
// as ShareDB runs it): synchronised, awaiting an ack, or awaiting an ack
// with a buffer. It is pure: no network, no timers, no editor. DocSync
// drives it from the protocol messages.
//
// Invariant: the local document (what the editor shows) is
//   base ∘ inflight ∘ buffer
// where base is the server's document at `version`.
//
// Tie-breaking. The server transforms a submitted op against the ops
// committed since its version with the committed ops winning ties
// (committed.transform(op, true)). The client must break ties the same
// way, so over a remote op r:
//   pending' = r.transform(pending, true)   (the remote op came first)
//   r'       = pending.transform(r, false)  (what to apply locally)
import Delta, { AttributeMap } from 'quill-delta';

/** An op sent to the server and not yet acknowledged. */
export interface Inflight {
  /** The op, relative to `base` at the client's current `version`. */
  op: Delta;
  /** The client counter it was sent with; a resend reuses it. */
  seq: number;
  /** The client id it was sent under (another tab's, when adopted). */
  src: string;
}

/**
 * How many committed ops the client remembers, so that ranges the server
 * reported at an earlier version (comment anchors, authorship) can be
 * moved to the current one.
 */
export const COMMITTED_LOG = 2000;

/** OTClient is the state of one document on the client. */
export class OTClient {
  /** The ops committed from version logStart on, in order (at most COMMITTED_LOG). */
  private log: Delta[] = [];
  private logStart: number;

  constructor(
    /** The server version `base` is at. */
    public version: number,
    /** The server's document at `version`. */
    public base: Delta,
    public inflight: Inflight | null = null,
    public buffer: Delta | null = null,
  ) {
    this.logStart = version;
  }

  /**
   * committedSince returns the ops committed from version v to the
   * current version, or null when they are not known here (v is ahead, or
   * before the oldest op remembered or the last snapshot).
   */
  committedSince(v: number): Delta[] | null {
    if (v > this.version || v < this.logStart) return null;
    return this.log.slice(v - this.logStart);
  }

  /** pending returns the unacknowledged local changes (inflight ∘ buffer) over base, or null. */
  pending(): Delta | null {
    if (this.inflight && this.buffer) return this.inflight.op.compose(this.buffer);
    return this.inflight?.op ?? this.buffer;
  }

  private remember(op: Delta): void {
    this.log.push(op);
    if (this.log.length > COMMITTED_LOG) {
      this.log.shift();
      this.logStart += 1;
    }
  }

  /** hasPending reports whether there are unacknowledged local changes. */
  hasPending(): boolean {
    return this.inflight !== null || this.buffer !== null;
  }

  /** local records a change the user made to the local document. */
  local(op: Delta): void {
    if (op.ops.length === 0) return;
    const next = this.buffer ? this.buffer.compose(op) : op;
    this.buffer = next.ops.length > 0 ? next : null;
  }

  /**
   * takeBuffer moves the buffer into flight under (src, seq) and returns
   * it, or returns null when an op is already in flight or nothing waits.
   * A buffer larger than maxBytes of JSON (a big paste) goes in parts.
   */
  takeBuffer(seq: number, src: string, maxBytes = Infinity): Inflight | null {
    if (this.inflight !== null || this.buffer === null) return null;
    const [first, rest] = splitChange(this.buffer, maxBytes);
    this.inflight = { op: first, seq, src };
    this.buffer = rest;
    return this.inflight;
  }

  /** ack records that the in-flight op was committed at `version`. */
  ack(): void {
    if (!this.inflight) throw new Error('ack without an op in flight');
    this.base = this.base.compose(this.inflight.op);
    this.remember(this.inflight.op);
    this.version += 1;
    this.inflight = null;
  }

  /**
   * remote applies an op another client committed at `version` and
   * returns the change to apply to the local document.
   */
  remote(op: Delta): Delta {
    const r = this.transformPending(op);
    this.base = this.base.compose(op);
    this.remember(op);
    this.version += 1;
    this.normalizeBuffer();
    return r;
  }

  /**
   * rebase moves the state onto a snapshot `doc` at version `v` (the gap
   * was too large to send as ops). When `inflightIncluded`, the in-flight
   * op is known to be committed, so it is part of the snapshot. Pending
   * ops are transformed over diff(oldBase, snapshot); the returned change
   * turns the local document into snapshot ∘ pending'.
   */
  rebase(doc: Delta, v: number, inflightIncluded: boolean): Delta {
    if (inflightIncluded && this.inflight) {
      this.base = this.base.compose(this.inflight.op);
      this.inflight = null;
    }
    const d = docDiff(this.base, doc);
    const r = this.transformPending(d);
    this.base = doc;
    this.version = v;
    this.log = [];
    this.logStart = v;
    this.normalizeBuffer();
    return r;
  }

  /** localDoc returns the document the user sees: base ∘ inflight ∘ buffer. */
  localDoc(): Delta {
    let d = this.base;
    if (this.inflight) d = d.compose(this.inflight.op);
    if (this.buffer) d = d.compose(this.buffer);
    return d;
  }

  // normalizeBuffer keeps the unsent buffer from touching the final newline
  // of the document below it (base ∘ inflight). Editors never do, but a
  // transform can: text the user typed while the server's document was
  // empty (so it carried its own final newline) lands after the newline of
  // a document someone else wrote meanwhile. Left so, a later delete could
  // remove the server's final newline while another client inserts before
  // it, and the stored document would end without one. The buffer was
  // never sent, so it is rewritten into the same local document through a
  // diff that keeps the final newlines aligned.
  private normalizeBuffer(): void {
    const buffer = this.buffer;
    if (!buffer) return;
    const below = this.inflight ? this.base.compose(this.inflight.op) : this.base;
    if (!touchesFinalNewline(below, buffer)) return;
    const b = docDiff(below, below.compose(buffer));
    this.buffer = b.ops.length > 0 ? b : null;
  }

  // transformPending transforms inflight and buffer over the remote op r
  // (which wins ties) and returns r transformed over them.
  private transformPending(r: Delta): Delta {
    if (this.inflight) {
      const op = r.transform(this.inflight.op, true);
      r = this.inflight.op.transform(r, false);
      this.inflight = { ...this.inflight, op };
    }
    if (this.buffer) {
      const b = r.transform(this.buffer, true);
      r = this.buffer.transform(r, false);
      this.buffer = b.ops.length > 0 ? b : null;
    }
    return r;
  }
}

/**
 * touchesFinalNewline reports whether change deletes the final newline of
 * doc or inserts after it (doc must end with a newline; else false).
 */
export function touchesFinalNewline(doc: Delta, change: Delta): boolean {
  const last = doc.ops[doc.ops.length - 1];
  if (!(typeof last?.insert === 'string' && last.insert.endsWith('\n'))) return false;
  const end = doc.length();
  let pos = 0;
  for (const op of change.ops) {
    if (op.insert !== undefined) {
      if (pos >= end) return true;
      continue;
    }
    const n = typeof op.retain === 'number' ? op.retain : op.retain !== undefined ? 1 : (op.delete ?? 0);
    if (op.delete !== undefined && pos + n >= end) return true;
    pos += n;
  }
  return false;
}

/**
 * docDiff returns the change from document a to document b, like
 * a.diff(b), but keeps the final newline of both aligned: a plain diff may
 * match a's last newline with an earlier one of b, and pending text
 * transformed over such a diff could land after the document's last
 * newline, which Quill cannot show.
 */
export function docDiff(a: Delta, b: Delta): Delta {
  const lastA = a.ops[a.ops.length - 1];
  const lastB = b.ops[b.ops.length - 1];
  const endsA = typeof lastA?.insert === 'string' && lastA.insert.endsWith('\n');
  const endsB = typeof lastB?.insert === 'string' && lastB.insert.endsWith('\n');
  if (!endsA || !endsB) return a.diff(b);
  const la = a.length();
  const lb = b.length();
  let d = a.slice(0, la - 1).diff(b.slice(0, lb - 1));
  const attrs = AttributeMap.diff(lastA.attributes, lastB.attributes);
  if (attrs) d = d.compose(new Delta().retain(lb - 1).retain(1, attrs));
  return d;
}

const utf8 = new TextEncoder();

function jsonBytes(v: unknown): number {
  return utf8.encode(JSON.stringify(v)).length;
}

/**
 * splitChange splits a change into a first part of at most maxBytes of
 * JSON and the rest, with first ∘ rest = change (rest is null when all of
 * it fits). Long inserts are cut between characters, never inside a
 * surrogate pair.
 */
export function splitChange(change: Delta, maxBytes: number): [Delta, Delta | null] {
  if (!Number.isFinite(maxBytes) || jsonBytes(change) <= maxBytes) return [change, null];
  const first = new Delta();
  let size = jsonBytes({ ops: [] });
  let out = 0; // length of the document part first has produced
  const ops = change.ops;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const opBytes = jsonBytes(op) + 1;
    // An op that cannot be cut goes whole when it is the first (progress).
    if (size + opBytes <= maxBytes || (first.ops.length === 0 && typeof op.insert !== 'string')) {
      first.push(op);
      size += opBytes;
      if (typeof op.insert === 'string') out += op.insert.length;
      else if (op.insert !== undefined) out += 1;
      else if (typeof op.retain === 'number') out += op.retain;
      else if (op.retain !== undefined) out += 1;
      continue;
    }
    let restOp = op;
    if (typeof op.insert === 'string') {
      const room = maxBytes - size - jsonBytes({ ...op, insert: '' }) - 1;
      const cut = fittingPrefix(op.insert, room);
      if (cut > 0 || first.ops.length === 0) {
        const n = Math.max(cut, first.ops.length === 0 ? safeCut(op.insert, 1) : 0);
        first.insert(op.insert.slice(0, n), op.attributes);
        out += n;
        restOp = { ...op, insert: op.insert.slice(n) };
      }
    }
    const rest = new Delta().retain(out);
    if (typeof restOp.insert !== 'string' || restOp.insert.length > 0) rest.push(restOp);
    for (let j = i + 1; j < ops.length; j++) rest.push(ops[j]!);
    return [first.chop(), rest.chop()];
  }
  return [change, null];
}

// fittingPrefix returns how many UTF-16 units of s fit in maxBytes of JSON.
function fittingPrefix(s: string, maxBytes: number): number {
  if (maxBytes <= 0) return 0;
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (jsonBytes(s.slice(0, mid)) - 2 <= maxBytes) lo = mid;
    else hi = mid - 1;
  }
  return safeCut(s, lo);
}

// safeCut moves a cut at n back off the middle of a surrogate pair.
function safeCut(s: string, n: number): number {
  if (n > 0 && n < s.length) {
    const c = s.charCodeAt(n - 1);
    if (c >= 0xd800 && c <= 0xdbff) return n - 1 > 0 ? n - 1 : n + 1;
  }
  return n;
}
