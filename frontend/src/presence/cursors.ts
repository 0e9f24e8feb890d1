// Remote cursors over a section's text: each peer's caret (and selection)
// in their colour with their name, drawn as absolutely placed boxes over
// the text like the review overlay. Positions are data: a change of the
// text moves them (Delta.transformPosition) without touching the page, and
// the page is drawn at most once per animation frame — all layout reads
// first, then the writes — so twenty people typing and moving their
// cursors cost one layout per frame, not one per cursor per change.
//
// The class names are those of quill-cursors (.ql-cursor, .ql-cursor-caret,
// .ql-cursor-flag, .ql-cursor-name, .ql-cursor-selection-block), which
// this replaces.
import type Delta from 'quill-delta';
import { h } from '../dom';
import type { Quill } from '../editor/quill';
import { textBoxes } from '../review/overlay';

/** How long a cursor's name stays up after it moved (ms). */
const FLAG_MS = 3000;

interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

interface Cursor {
  id: string;
  name: string;
  color: string;
  index: number;
  length: number;
  el: HTMLElement;
  caret: HTMLElement;
  flag: HTMLElement;
  selection: HTMLElement;
  /** What was drawn last (to write only what changed). */
  drawn: string;
  flagTimer: ReturnType<typeof setTimeout> | null;
}

export class RemoteCursors {
  readonly layer: HTMLElement;
  private readonly cursors = new Map<string, Cursor>();
  private frame = 0;
  private readonly range: Range;
  private readonly resize: ResizeObserver | null;
  private readonly onScroll = () => this.schedule();

  constructor(private readonly quill: Quill) {
    this.layer = h('div', { class: 'ql-cursors remote-cursors', 'aria-hidden': 'true' });
    quill.container.append(this.layer);
    // One Range for every measurement: ranges the page creates stay live
    // (updated by every change of the document) until they are collected.
    this.range = document.createRange();
    quill.root.addEventListener('scroll', this.onScroll, { passive: true });
    this.resize = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => this.schedule());
    this.resize?.observe(quill.root);
  }

  /** ids lists the cursors shown. */
  ids(): string[] {
    return [...this.cursors.keys()];
  }

  /** set shows (or moves) a peer's cursor; the page follows at the next frame. */
  set(id: string, name: string, color: string, range: { index: number; length: number }): void {
    let c = this.cursors.get(id);
    if (!c) {
      const nameEl = h('small', { class: 'ql-cursor-name' }, name);
      const flag = h('div', { class: 'ql-cursor-flag' }, nameEl);
      const caret = h('span', { class: 'ql-cursor-caret' });
      const selection = h('span', { class: 'ql-cursor-selections' });
      const el = h('span', { class: 'ql-cursor', dataset: { client: id } }, selection, caret, flag);
      c = { id, name, color, index: -1, length: 0, el, caret, flag, selection, drawn: '', flagTimer: null };
      this.cursors.set(id, c);
      this.layer.append(el);
    }
    if (c.name !== name) {
      c.name = name;
      c.flag.firstElementChild!.textContent = name;
    }
    if (c.color !== color || c.drawn === '') {
      c.color = color;
      c.caret.style.backgroundColor = color;
      c.flag.style.backgroundColor = color;
      c.drawn = '';
    }
    if (c.index === range.index && c.length === range.length) return;
    c.index = range.index;
    c.length = range.length;
    this.showFlag(c);
    this.schedule();
  }

  /** remove takes a peer's cursor away. */
  remove(id: string): void {
    const c = this.cursors.get(id);
    if (!c) return;
    if (c.flagTimer) clearTimeout(c.flagTimer);
    c.el.remove();
    this.cursors.delete(id);
  }

  /** transform moves every cursor through a change of the text (a local or a remote one). */
  transform(change: Delta): void {
    if (this.cursors.size === 0) return;
    for (const c of this.cursors.values()) {
      const start = change.transformPosition(c.index);
      const end = change.transformPosition(c.index + c.length);
      c.index = start;
      c.length = Math.max(0, end - start);
    }
    this.schedule();
  }

  destroy(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    for (const c of this.cursors.values()) if (c.flagTimer) clearTimeout(c.flagTimer);
    this.cursors.clear();
    this.resize?.disconnect();
    this.quill.root.removeEventListener('scroll', this.onScroll);
    this.layer.remove();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  // showFlag shows the name for a while after the cursor moved.
  private showFlag(c: Cursor): void {
    c.flag.classList.add('is-shown');
    if (c.flagTimer) clearTimeout(c.flagTimer);
    c.flagTimer = setTimeout(() => {
      c.flagTimer = null;
      c.flag.classList.remove('is-shown');
    }, FLAG_MS);
  }

  /** draw places every cursor: first every measurement, then every write. */
  draw(): void {
    if (this.cursors.size === 0) return;
    const origin = this.quill.container.getBoundingClientRect();
    const docLength = this.quill.getLength();
    const clamp = (i: number) => Math.max(0, Math.min(i, Math.max(0, docLength - 1)));
    const plans: { c: Cursor; caret: Rect | null; selection: Rect[] }[] = [];
    for (const c of this.cursors.values()) {
      const start = clamp(c.index);
      const end = clamp(c.index + c.length);
      plans.push({ c, caret: this.caretAt(end, origin), selection: end > start ? textBoxes(this.quill, { index: start, length: end - start }, origin) : [] });
    }
    for (const { c, caret, selection } of plans) {
      const key = caret ? `${caret.left},${caret.top},${caret.height}|${selection.map((b) => `${b.left},${b.top},${b.width},${b.height}`).join(';')}` : 'hidden';
      if (key === c.drawn) continue;
      c.drawn = key;
      c.el.hidden = caret === null;
      if (!caret) continue;
      place(c.caret, { ...caret, width: 2 });
      // The name above the line, or under it on the first line.
      const below = caret.top < 20;
      c.flag.classList.toggle('is-below', below);
      c.flag.style.left = `${caret.left}px`;
      c.flag.style.top = `${below ? caret.top + caret.height : caret.top}px`;
      c.selection.replaceChildren(
        ...selection.map((b) => {
          const el = h('span', { class: 'ql-cursor-selection-block' });
          place(el, b);
          el.style.backgroundColor = c.color;
          return el;
        }),
      );
    }
  }

  // caretAt returns the box of a caret before the character at index
  // (after the last one at a line's end), relative to origin.
  private caretAt(index: number, origin: DOMRect): Rect | null {
    const [leaf, offset] = this.quill.getLeaf(index) as [{ domNode: Node; position(i: number, inclusive: boolean): [Node, number] } | null, number];
    if (!leaf) return null;
    let node: Node;
    let at: number;
    try {
      [node, at] = leaf.position(offset, true);
    } catch {
      return null;
    }
    let rect: DOMRect;
    let right = false;
    if (node instanceof Text) {
      if (node.data.length === 0) return null;
      const r = this.range;
      if (at < node.data.length) {
        r.setStart(node, at);
        r.setEnd(node, at + 1);
      } else {
        r.setStart(node, at - 1);
        r.setEnd(node, at);
        right = true;
      }
      rect = r.getBoundingClientRect();
    } else if (leaf.domNode instanceof Element) {
      rect = leaf.domNode.getBoundingClientRect();
      right = offset > 0;
    } else {
      return null;
    }
    if (rect.height === 0) return null;
    return { left: (right ? rect.right : rect.left) - origin.left, top: rect.top - origin.top, width: 0, height: rect.height };
  }
}

function place(el: HTMLElement, b: Rect): void {
  el.style.left = `${b.left}px`;
  el.style.top = `${b.top}px`;
  el.style.width = `${b.width}px`;
  el.style.height = `${b.height}px`;
}
