// Ranges of a section's text that move with the edits: where a comment or
// a suggestion is, and who wrote what. The server reports each range at a
// version of the document (an anchor); the editor shows the document at
// its own version plus the changes not yet acknowledged. Moving a range
// through an op follows the server's rule (collab/anchor.go): text typed
// at either edge stays outside — the start moves with an insert at its
// position, the end does not — and a range whose text is all deleted
// collapses to length 0.
import type Delta from 'quill-delta';

/** A range of the document as the editor shows it. */
export interface TextRange {
  index: number;
  length: number;
}

/** An anchor is a range of the server's document at version v. */
export interface Anchor extends TextRange {
  v: number;
}

/** The part of a document's state ranges are moved through (DocSync). */
export interface Timeline {
  /** The server version the editor's document is based on, or null before it is loaded. */
  version(): number | null;
  /** The ops committed from v to version(), or null when unknown here. */
  committedSince(v: number): Delta[] | null;
  /** The local changes not committed yet, over the document at version(). */
  pending(): Delta | null;
  /** The server's document at version(). */
  baseDoc(): Delta | null;
}

/** moveRange returns range r after op: the start with priority false, the end with priority true. */
export function moveRange(r: TextRange, op: Delta): TextRange {
  const start = op.transformPosition(r.index, false);
  const end = op.transformPosition(r.index + r.length, true);
  return { index: start, length: Math.max(end - start, 0) };
}

/** moveThrough moves r through ops in order. */
export function moveThrough(r: TextRange, ops: readonly Delta[]): TextRange {
  let out = { index: r.index, length: r.length };
  for (const op of ops) out = moveRange(out, op);
  return out;
}

/**
 * advance moves an anchor to the timeline's version through the ops
 * committed since its own; it is returned unchanged when it is ahead of
 * the editor or those ops are not known here.
 */
export function advance(a: Anchor, tl: Timeline): Anchor {
  const v = tl.version();
  if (v === null || a.v >= v) return a;
  const ops = tl.committedSince(a.v);
  if (!ops) return a;
  return { v, ...moveThrough(a, ops) };
}

/** Where an anchor is in the editor's document. */
export interface Projection {
  range: TextRange;
  /**
   * exact is false when the anchor could not be moved: it is ahead of the
   * editor (which will catch up) or older than what the editor knows (the
   * caller should fetch it again). The range is then the anchor's own,
   * clamped to the document.
   */
  exact: boolean;
  /** ahead: the anchor is newer than the editor's document. */
  ahead: boolean;
}

/**
 * project returns where anchor a is in the editor's document: moved
 * through the committed ops since a.v, then through the local changes not
 * yet acknowledged. docLength clamps the fallback.
 */
export function project(a: Anchor, tl: Timeline, docLength: number): Projection {
  const v = tl.version();
  const moved = advance(a, tl);
  if (v === null || moved.v !== v) {
    const index = Math.max(0, Math.min(a.index, docLength));
    const length = Math.max(0, Math.min(a.length, docLength - index));
    return { range: { index, length }, exact: false, ahead: v !== null && a.v > v };
  }
  const pending = tl.pending();
  return { range: pending ? moveRange(moved, pending) : { index: moved.index, length: moved.length }, exact: true, ahead: false };
}

/**
 * toAnchor returns the anchor of a range of the editor's document: the
 * range as it is in the server's document at the editor's version (the
 * local changes not yet acknowledged taken back out), which is what the
 * server expects with a new comment or suggestion. Null before the
 * document is loaded.
 */
export function toAnchor(r: TextRange, tl: Timeline): Anchor | null {
  const v = tl.version();
  if (v === null) return null;
  const pending = tl.pending();
  const base = tl.baseDoc();
  if (!pending || !base) return { v, index: r.index, length: r.length };
  const back = pending.invert(base);
  return { v, ...moveRange(r, back) };
}

/** contains reports whether a caret at index touches r: from its start to its end, both included. */
export function contains(r: TextRange, index: number): boolean {
  return r.length > 0 && index >= r.index && index <= r.index + r.length;
}
