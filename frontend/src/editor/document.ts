// The plan's text as one scrolling document: every section in outline
// order, under its heading, in an editor of its own bound to that
// section's document (each its own Quill and DocSync, so the edit path is
// the one of the single section). The plan page shows it on the Tekst tab
// when the user asks for the whole plan at once, with the outline beside it
// kept in view; a link in the outline scrolls to its section.
import type { Plan, Section } from '../api/types';
import type { DocSync } from '../collab/docsync';
import { h } from '../dom';
import { t } from '../i18n';
import { statusText } from '../pages/labels';
import { SectionEditor, type SelectionRange } from './editor';

export interface DocumentViewOptions {
  /** open subscribes a section's document (session.openDoc); close releases it. */
  open(section: string): DocSync;
  close(section: string): void;
  /** A selection in a section's text (for who-is-here). */
  onSelection(section: string, range: SelectionRange | null): void;
  /** The server refused a change (locked, forbidden, ...). */
  onRefused(code: string): void;
}

interface Part {
  section: string;
  element: HTMLElement;
  heading: HTMLElement;
  editor: SectionEditor;
  /** What the heading shows, to draw it again only when it changes. */
  key: string;
}

/** The heading level of a section at depth (h2 at the top, h6 at most). */
const level = (depth: number) => `h${Math.min(2 + depth, 6)}` as 'h2';

export class DocumentView {
  readonly element: HTMLElement;
  private readonly parts = new Map<string, Part>();

  constructor(private readonly opts: DocumentViewOptions) {
    this.element = h('div', { class: 'document-view', 'data-testid': 'document-view' });
  }

  /**
   * update shows the plan's sections in outline order: a section added
   * gets an editor, a deleted one loses it, a moved or renamed one follows;
   * allowed says whether the user may write now.
   */
  update(plan: Plan, allowed: boolean): void {
    const order: { s: Section; depth: number }[] = [];
    const visit = (list: Section[], depth: number) => {
      for (const s of list) {
        order.push({ s, depth });
        visit(s.children ?? [], depth + 1);
      }
    };
    visit(plan.sections, 0);
    const keep = new Set(order.map((o) => o.s.id));
    for (const [id, part] of this.parts) {
      if (keep.has(id)) continue;
      this.drop(part);
      this.parts.delete(id);
    }
    for (const { s, depth } of order) {
      let part = this.parts.get(s.id);
      if (!part) {
        part = this.make(s, depth);
        this.parts.set(s.id, part);
      }
      const key = `${depth}\u0000${s.title}\u0000${s.status}`;
      if (part.key !== key) {
        const heading = h(level(depth), { id: `doc-head-${s.id}`, tabindex: '-1' }, s.title, ' ', h('span', { class: `status status-${s.status}` }, statusText(s.status)));
        part.element.replaceChild(heading, part.heading);
        part.heading = heading;
        part.key = key;
        part.editor.quill.root.setAttribute('aria-label', t('editor.label', { title: s.title }));
      }
      part.editor.setAllowed(allowed);
    }
    // Put the parts in outline order, moving only when it changed (a move keeps the focus where it is).
    const now = [...this.element.children].map((el) => (el as HTMLElement).dataset.section);
    if (now.length !== order.length || order.some((o, i) => now[i] !== o.s.id)) {
      for (const { s } of order) this.element.append(this.parts.get(s.id)!.element);
    }
  }

  /**
   * cursors draws the other people's cursors, each in the editor of the
   * section they are in (doc: the section's id).
   */
  cursors(peers: Iterable<{ client: string; name: string; color: string; doc: string; index: number; length: number }>): void {
    const here = new Map<string, Set<string>>();
    for (const p of peers) {
      const part = this.parts.get(p.doc);
      if (!part) continue;
      let ids = here.get(p.doc);
      if (!ids) here.set(p.doc, (ids = new Set()));
      ids.add(p.client);
      part.editor.cursors.set(p.client, p.name, p.color, { index: p.index, length: p.length });
    }
    for (const [id, part] of this.parts) {
      const ids = here.get(id);
      for (const c of part.editor.cursors.ids()) if (!ids?.has(c)) part.editor.cursors.remove(c);
    }
  }

  /** reveal scrolls to a section and puts the focus on its heading. */
  reveal(section: string): void {
    const part = this.parts.get(section);
    if (!part) return;
    part.element.scrollIntoView({ block: 'start' });
    part.heading.focus({ preventScroll: true });
  }

  destroy(): void {
    for (const part of this.parts.values()) this.drop(part);
    this.parts.clear();
    this.element.remove();
  }

  private make(s: Section, depth: number): Part {
    const editor = new SectionEditor({
      title: s.title,
      onSelection: (r) => this.opts.onSelection(s.id, r),
      onRefused: (code) => this.opts.onRefused(code),
    });
    editor.bind(this.opts.open(s.id));
    const heading = h(level(depth), { id: `doc-head-${s.id}`, tabindex: '-1' }, s.title);
    const element = h('div', { class: 'doc-section', dataset: { section: s.id }, 'data-testid': 'doc-section' }, heading, editor.element);
    return { section: s.id, element, heading, editor, key: '' };
  }

  private drop(part: Part): void {
    part.editor.destroy();
    this.opts.close(part.section);
    part.element.remove();
  }
}
