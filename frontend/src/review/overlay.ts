// The review overlay of a section editor: commented ranges, suggestions
// (the replaced text struck through, the suggested text beside it) and,
// on request, who wrote what — drawn as absolutely positioned boxes over
// the text, computed from the text's own layout. Nothing is written into
// the document: no format, no op, nothing another user could receive.
// Highlights and authorship colours lie under the text (a layer behind it,
// so the text keeps its own colour without a blend mode, which made every
// frame expensive to paint); the suggestions' strikes lie over it.
//
// The boxes let the pointer through (selecting text works as before); a
// click on the text is tested against them, and a click on a box itself
// (a keyboard user's synthetic click, a test) focuses its thread too.
import { h } from '../dom';
import type { Quill } from '../editor/quill';
import type { TextRange } from './ranges';

export interface OverlayThread {
  id: string;
  range: TextRange;
  active: boolean;
}

export interface OverlaySuggestion {
  id: string;
  range: TextRange;
  /** The suggested replacement text. */
  text: string;
  active: boolean;
  outdated: boolean;
  /** The accessible description: who suggested what. */
  label: string;
}

export interface OverlayAuthor {
  range: TextRange;
  color: string;
}

export interface OverlayModel {
  threads: OverlayThread[];
  suggestions: OverlaySuggestion[];
  /** Authorship colours, when shown. */
  authors: OverlayAuthor[] | null;
  /** The range a comment or suggestion is being written about. */
  draft: TextRange | null;
}

export interface OverlayHandlers {
  /** thread: the user clicked commented text; focus says the thread's card should take the focus. */
  thread(id: string, focus: boolean): void;
  suggestion(id: string, focus: boolean): void;
}

interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

interface Drawn {
  /** What the element shows (its boxes and state): the same means it is kept. */
  sig: string;
  el: HTMLElement;
}

interface Hit {
  kind: 'thread' | 'suggestion';
  id: string;
  length: number;
  boxes: Box[];
}

export class ReviewOverlay {
  /** The layer over the text (suggestions). */
  readonly layer: HTMLElement;
  /** The layer under the text (highlights, the draft's range, authorship). */
  readonly under: HTMLElement;
  private readonly authorsEl: HTMLElement;
  private readonly highlightsEl: HTMLElement;
  private readonly marksEl: HTMLElement;
  private hits: Hit[] = [];
  /** The marks drawn, by thread, suggestion or authorship box, with what they show. */
  private drawn = new Map<string, Drawn>();
  private model: OverlayModel = { threads: [], suggestions: [], authors: null, draft: null };
  private frame = 0;
  private readonly resize: ResizeObserver | null;
  private readonly onScroll = () => this.schedule();
  private readonly onClick = (e: MouseEvent) => this.click(e);

  constructor(
    private readonly quill: Quill,
    private readonly on: OverlayHandlers,
  ) {
    this.authorsEl = h('div', { class: 'review-authors' });
    this.highlightsEl = h('div', { class: 'review-highlights' });
    this.marksEl = h('div', { class: 'review-marks' });
    this.under = h('div', { class: 'review-overlay review-under', 'aria-hidden': 'true' }, this.authorsEl, this.highlightsEl);
    this.layer = h('div', { class: 'review-overlay', 'aria-hidden': 'true' }, this.marksEl);
    quill.container.append(this.under, this.layer);
    quill.root.addEventListener('scroll', this.onScroll);
    quill.root.addEventListener('click', this.onClick);
    window.addEventListener('resize', this.onScroll);
    this.resize = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => this.schedule());
    this.resize?.observe(quill.root);
  }

  destroy(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.resize?.disconnect();
    this.quill.root.removeEventListener('scroll', this.onScroll);
    this.quill.root.removeEventListener('click', this.onClick);
    window.removeEventListener('resize', this.onScroll);
    this.under.remove();
    this.layer.remove();
  }

  /** set takes what to show; it is drawn at the next frame (after Quill has laid out the text). */
  set(model: OverlayModel): void {
    this.model = model;
    this.schedule();
  }

  schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /**
   * draw computes every box from the text's layout now. Marks whose boxes
   * and state are as drawn last time keep their elements: a change of the
   * text (typed here or by someone else) rebuilds only the marks it moved.
   */
  draw(): void {
    const m = this.model;
    const origin = this.quill.container.getBoundingClientRect();
    const docLength = this.quill.getLength();
    const clamp = (r: TextRange): TextRange => {
      const index = Math.max(0, Math.min(r.index, docLength - 1));
      return { index, length: Math.max(0, Math.min(r.length, docLength - 1 - index)) };
    };
    this.hits = [];
    const next = new Map<string, Drawn>();
    const take = (key: string, sig: string, build: () => HTMLElement): HTMLElement => {
      const old = this.drawn.get(key);
      const el = old && old.sig === sig ? old.el : build();
      next.set(key, { sig, el });
      return el;
    };

    const authors: HTMLElement[] = [];
    let k = 0;
    for (const a of m.authors ?? []) {
      for (const b of textBoxes(this.quill, clamp(a.range), origin)) {
        authors.push(
          take(`a:${k++}`, `${a.color}|${boxesKey([b])}`, () => {
            const el = box('review-author', b);
            el.style.backgroundColor = a.color;
            return el;
          }),
        );
      }
    }

    const highlights: HTMLElement[] = [];
    const marks: HTMLElement[] = [];
    if (m.draft && m.draft.length > 0) {
      const boxes = textBoxes(this.quill, clamp(m.draft), origin);
      if (boxes.length > 0) highlights.push(take('draft', boxesKey(boxes), () => group('review-draft', boxes, {})));
    }
    // Longer ranges first, so a short range inside a long one is drawn on top.
    const threads = [...m.threads].filter((t) => t.range.length > 0).sort((a, b) => b.range.length - a.range.length);
    for (const th of threads) {
      const boxes = textBoxes(this.quill, clamp(th.range), origin);
      if (boxes.length === 0) continue;
      highlights.push(
        take(`t:${th.id}`, `${th.active}|${boxesKey(boxes)}`, () => {
          const el = group(`review-highlight${th.active ? ' is-active' : ''}`, boxes, {
            'data-testid': 'comment-highlight',
            'data-thread-id': th.id,
            'data-active': String(th.active),
          });
          el.addEventListener('click', () => this.on.thread(th.id, true));
          return el;
        }),
      );
      this.hits.push({ kind: 'thread', id: th.id, length: th.range.length, boxes });
    }
    for (const sg of m.suggestions) {
      const r = clamp(sg.range);
      let boxes = r.length > 0 ? textBoxes(this.quill, r, origin) : [];
      const caret = caretBox(this.quill, r.index + r.length);
      if (boxes.length === 0 && !caret) continue;
      const struck = boxes.length > 0;
      if (!struck && caret) boxes = [{ ...caret, width: 2 }];
      const sig = `${sg.active}|${sg.outdated}|${struck}|${sg.label}|${sg.text}|${Math.round(origin.width)}|${boxesKey(boxes)}`;
      marks.push(take(`s:${sg.id}`, sig, () => this.suggestionMark(sg, boxes, struck, origin)));
      this.hits.push({ kind: 'suggestion', id: sg.id, length: Math.max(r.length, 1), boxes });
    }
    this.drawn = next;
    sync(this.authorsEl, authors);
    sync(this.highlightsEl, highlights);
    sync(this.marksEl, marks);
  }

  private suggestionMark(sg: OverlaySuggestion, boxes: Box[], struck: boolean, origin: DOMRect): HTMLElement {
    const el = group(`review-suggestion${sg.active ? ' is-active' : ''}${sg.outdated ? ' is-outdated' : ''}${struck ? ' has-strike' : ''}`, boxes, {
      'data-testid': 'suggestion-overlay',
      'data-suggestion-id': sg.id,
      'data-active': String(sg.active),
      'data-outdated': String(sg.outdated),
      title: sg.label,
    });
    if (sg.text !== '') {
      // The suggested text beside the end of the range: small and raised
      // (over the line's upper edge) while it is not the active one, so
      // the text around stays readable; the active one in full, under
      // the line.
      const last = struck ? boxes[boxes.length - 1]! : boxes[0]!;
      const first = boxes[0]!;
      const chip = h('span', { class: `review-insert${sg.active ? ' is-full' : ''}`, 'data-testid': 'suggestion-insert' }, sg.text);
      const x = last.left + (struck ? last.width : 0) - first.left;
      chip.style.left = `${sg.active ? last.left - first.left : x}px`;
      // Kept inside the editor: from where it starts to the right edge.
      const room = Math.max(40, origin.width - (first.left + (sg.active ? last.left - first.left : x)) - 12);
      chip.style.maxWidth = `${sg.active ? room : Math.min(room, 160)}px`;
      chip.style.top = sg.active ? `${last.top - first.top + last.height + 2}px` : `${last.top - first.top - last.height * 0.45}px`;
      el.append(chip);
    }
    el.addEventListener('click', () => this.on.suggestion(sg.id, true));
    return el;
  }

  /** find returns the mark that matches selector, in either layer. */
  find(selector: string): HTMLElement | null {
    return this.layer.querySelector<HTMLElement>(selector) ?? this.under.querySelector<HTMLElement>(selector);
  }

  // click focuses the thread (or suggestion) under a click on the text,
  // the shortest range when several overlap; a drag that selected text is
  // not a click on a comment.
  private click(e: MouseEvent): void {
    const sel = this.quill.getSelection();
    if (sel && sel.length > 0) return;
    const origin = this.quill.container.getBoundingClientRect();
    const x = e.clientX - origin.left;
    const y = e.clientY - origin.top;
    let best: Hit | null = null;
    for (const hit of this.hits) {
      if (!hit.boxes.some((b) => x >= b.left && x <= b.left + b.width && y >= b.top && y <= b.top + b.height)) continue;
      if (!best || hit.length < best.length) best = hit;
    }
    if (!best) return;
    // In a read-only editor there is no caret to keep: the card takes the focus.
    const focus = !this.quill.isEnabled();
    if (best.kind === 'thread') this.on.thread(best.id, focus);
    else this.on.suggestion(best.id, focus);
  }
}

// boxesKey is a short description of boxes, to tell whether they moved.
function boxesKey(boxes: Box[]): string {
  return boxes.map((b) => `${Math.round(b.left)},${Math.round(b.top)},${Math.round(b.width)},${Math.round(b.height)}`).join(';');
}

// sync makes els the children of parent, touching only what changed: an
// element kept in its place stays, a new one replaces the old one there.
function sync(parent: HTMLElement, els: HTMLElement[]): void {
  const kids = parent.children;
  const kept = new Set(els);
  let inPlace = kids.length === els.length;
  for (let i = 0; inPlace && i < els.length; i++) {
    // An element drawn before must be where it was.
    if (els[i]!.parentNode === parent && kids[i] !== els[i]) inPlace = false;
  }
  if (!inPlace) {
    parent.replaceChildren(...els);
    return;
  }
  for (let i = 0; i < els.length; i++) {
    const old = kids[i]!;
    if (old !== els[i]) parent.replaceChild(els[i]!, old);
  }
  for (const el of [...kids]) if (!kept.has(el as HTMLElement)) el.remove();
}

// box returns an absolutely placed box.
function box(cls: string, b: Box): HTMLElement {
  const el = h('div', { class: cls });
  place(el, b);
  return el;
}

function place(el: HTMLElement, b: Box): void {
  el.style.left = `${b.left}px`;
  el.style.top = `${b.top}px`;
  el.style.width = `${b.width}px`;
  el.style.height = `${b.height}px`;
}

// group is one element per thread or suggestion, placed on its first box
// (so that its own box lies on the text), with one child per box.
function group(cls: string, boxes: Box[], attrs: Record<string, string>): HTMLElement {
  const first = boxes[0]!;
  const el = h('div', { class: `review-mark ${cls}`, ...attrs });
  place(el, first);
  for (const b of boxes) {
    const part = h('div', { class: 'review-part' });
    place(part, { left: b.left - first.left, top: b.top - first.top, width: b.width, height: b.height });
    el.append(part);
  }
  return el;
}

type LeafLike = { position(index: number, inclusive: boolean): [Node, number] };

// domPoint returns the DOM position of a document index.
function domPoint(quill: Quill, index: number): [Node, number] | null {
  const [leaf, offset] = quill.getLeaf(index) as [LeafLike | null, number];
  if (!leaf) return null;
  try {
    return leaf.position(offset, true);
  } catch {
    return null;
  }
}

/**
 * textBoxes returns the boxes of the text of a range, relative to origin:
 * one per line fragment of every text node in it (never the boxes of
 * whole paragraphs), neighbours on a line merged.
 */
export function textBoxes(quill: Quill, r: TextRange, origin: DOMRect): Box[] {
  if (r.length <= 0) return [];
  const start = domPoint(quill, r.index);
  const end = domPoint(quill, r.index + r.length);
  if (!start || !end) return [];
  const { whole, part } = scratch();
  try {
    whole.setStart(start[0], start[1]);
    whole.setEnd(end[0], end[1]);
  } catch {
    return [];
  }
  const rects: DOMRect[] = [];
  const walker = document.createTreeWalker(quill.root, NodeFilter.SHOW_TEXT);
  // From the range's first text node (not from the top of the text), up
  // to the first text node after it.
  let n: Node | null = whole.startContainer.nodeType === Node.TEXT_NODE ? (walker.currentNode = whole.startContainer) : walker.nextNode();
  let inside = false;
  for (; n; n = walker.nextNode()) {
    if (!whole.intersectsNode(n)) {
      if (inside) break;
      continue;
    }
    inside = true;
    const text = n as Text;
    // Quill's cursor placeholders (zero-width text) are not text of the document.
    if (text.data === '\uFEFF') continue;
    part.setStart(text, text === whole.startContainer ? whole.startOffset : 0);
    part.setEnd(text, text === whole.endContainer ? whole.endOffset : text.length);
    if (part.collapsed) continue;
    for (const rect of part.getClientRects()) if (rect.width > 0 && rect.height > 0) rects.push(rect);
  }
  return mergeBoxes(rects.map((b) => ({ left: b.left - origin.left, top: b.top - origin.top, width: b.width, height: b.height })));
}

let ranges: { whole: Range; part: Range } | null = null;

// scratch returns the two Ranges every measurement reuses: a Range the
// page creates stays live, updated by every change of the document, until
// it is garbage collected — a new pair per box per frame made every
// change of the text slower the longer someone typed.
function scratch(): { whole: Range; part: Range } {
  ranges ??= { whole: document.createRange(), part: document.createRange() };
  return ranges;
}

// caretBox returns the box of a caret at index, relative to the
// container (as getBounds answers, and where the overlay is).
function caretBox(quill: Quill, index: number): Box | null {
  const b = quill.getBounds(Math.max(0, Math.min(index, quill.getLength() - 1)), 0);
  if (!b) return null;
  return { left: b.left, top: b.top, width: Math.max(b.width, 1), height: b.height };
}

/** mergeBoxes joins boxes that touch on the same line (text split over formats). */
export function mergeBoxes(boxes: Box[]): Box[] {
  const out: Box[] = [];
  for (const b of boxes) {
    const prev = out[out.length - 1];
    if (prev && Math.abs(prev.top - b.top) < 2 && Math.abs(prev.height - b.height) < 4 && b.left <= prev.left + prev.width + 1 && b.left >= prev.left - 1) {
      const right = Math.max(prev.left + prev.width, b.left + b.width);
      const top = Math.min(prev.top, b.top);
      const bottom = Math.max(prev.top + prev.height, b.top + b.height);
      prev.width = right - prev.left;
      prev.top = top;
      prev.height = bottom - top;
      continue;
    }
    out.push({ ...b });
  }
  return out;
}
