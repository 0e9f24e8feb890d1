// SectionEditor is the Quill editor of one section body, bound to its
// DocSync: user changes are cleaned to the whitelist and handed to the OT
// client; remote changes are applied with source 'api', which keeps the
// local selection where it belongs (Quill transforms it through the change).
// The editor is read-only unless the page allows editing (the user may edit
// the text in this phase) and the document can take changes; changes that
// were not saved stay visible under a notice that says so.
//
// The keyboard (shown under the text, and the editor's description): Tab
// leaves the text (Quill's Tab indents only in lists and tables), Escape
// goes to the toolbar, whose controls the arrow keys choose, and Tab goes
// back into the text. A read-only text still takes the focus, and the
// arrow keys with Shift select in it, so that a reader can comment on a
// selection with Ctrl+Alt+M without a mouse.
import type Delta from 'quill-delta';
import type { DocStatus, DocSync, DocView } from '../collab/docsync';
import { docDiff } from '../collab/ot';
import { confirmDialog } from '../dialog';
import { h, replace, uniqueId } from '../dom';
import { errorText, t } from '../i18n';
import { QUILL_FORMATS } from './formats';
import { registerQuill, type Quill, type TableModule } from './quill';
import { RemoteCursors } from '../presence/cursors';
import { cleanChange, cleanDocument, sameOps } from './sanitize';
import { Toolbar } from './toolbar';

export interface SelectionRange {
  index: number;
  length: number;
}

export interface SectionEditorOptions {
  title: string;
  onSelection: (range: SelectionRange | null) => void;
  /** onRefused is told when the server refuses a change (its code: locked, forbidden, ...). */
  onRefused?: (code: string) => void;
}

/** How long changes must wait for their ack before "Lagrer…" is shown. */
const SAVING_DELAY = 400;

export class SectionEditor implements DocView {
  readonly element: HTMLElement;
  readonly quill: Quill;
  /** The other people's cursors over the text. */
  readonly cursors: RemoteCursors;
  private readonly toolbar: Toolbar;
  private readonly statusEl: HTMLElement;
  private readonly problemEl: HTMLElement;
  private readonly keysEl: HTMLElement;
  private sync: DocSync | null = null;
  private unsubscribe: (() => void) | null = null;
  private applying = false;
  private reconcileQueued = false;
  private savingTimer: ReturnType<typeof setTimeout> | null = null;
  private shownState = '';
  /** The page allows editing (the caller may edit the text now). */
  private allowed = false;
  private lastStatus: DocStatus | null = null;
  private readonly onRefused: ((code: string) => void) | undefined;
  private readonly contentListeners = new Set<(change: Delta | null) => void>();

  constructor(opts: SectionEditorOptions) {
    this.onRefused = opts.onRefused;
    const Q = registerQuill();
    const host = h('div', { class: 'editor-body' });
    this.statusEl = h('p', { class: 'save-status', role: 'status', 'aria-live': 'polite', 'data-state': 'loading' }, t('save.loading'));
    this.problemEl = h('div', { class: 'save-problem', role: 'alert', hidden: true });
    this.quill = new Q(host, {
      formats: [...QUILL_FORMATS],
      placeholder: t('editor.empty'),
      readOnly: true,
      modules: {
        toolbar: false,
        table: true,
        history: { userOnly: true },
        uploader: { mimetypes: [] },
        keyboard: {
          bindings: {
            // No checklists: "[ ]" at the start of a line stays text.
            'list autofill': { prefix: /^\s*?(\d+\.|-|\*)$/ },
            // Tab moves the focus on (no keyboard trap, WCAG 2.1.2); it
            // still indents at the start of a list item and moves between
            // table cells.
            tab: false,
          },
        },
      },
    });
    const root = this.quill.root;
    root.setAttribute('role', 'textbox');
    root.setAttribute('aria-multiline', 'true');
    root.setAttribute('aria-label', t('editor.label', { title: opts.title }));
    const keysId = uniqueId('editor-keys');
    this.keysEl = h('p', { id: keysId, class: 'hint editor-keys', 'data-testid': 'editor-keys' }, t('editor.keysReadOnly'));
    root.setAttribute('aria-describedby', keysId);
    root.setAttribute('aria-readonly', 'true');
    root.tabIndex = 0;
    this.quill.clipboard.addMatcher(Node.ELEMENT_NODE, (_node: Node, delta: Delta) => cleanDocument(delta));
    this.toolbar = new Toolbar(this.quill, this.quill.getModule('table') as TableModule);
    // Escape leaves the text for the toolbar; a read-only text moves its
    // selection by keyboard.
    root.addEventListener('keydown', (e) => {
      if (e.defaultPrevented) return;
      if (e.key === 'Escape' && this.quill.isEnabled()) this.toolbar.focus();
      else if (!this.quill.isEnabled()) readOnlyKey(root, e);
    });
    this.element = h('div', { class: 'editor is-readonly', 'data-readonly': 'true' }, this.toolbar.element, host, this.statusEl, this.problemEl, this.keysEl);

    this.cursors = new RemoteCursors(this.quill);
    this.quill.on('text-change', (delta: Delta, old: Delta, source: string) => {
      // Remote cursors move with every change of the text, as data; they
      // are drawn at the next frame.
      this.cursors.transform(delta);
      if (this.applying || source === 'silent') return;
      this.handleLocal(delta, old);
    });
    // Remote changes wait while an input method composes text.
    this.quill.on('composition-end', () => queueMicrotask(() => this.sync?.resume()));
    this.quill.on('selection-change', (range: SelectionRange | null) => {
      this.toolbar.update();
      if (range) opts.onSelection({ index: range.index, length: range.length });
    });
    this.quill.on('text-change', (delta: Delta, _old: Delta, source: string) => {
      if (source !== 'silent') this.contentChanged(delta);
    });
    this.quill.on('text-change', () => {
      const range = this.quill.getSelection();
      if (range) opts.onSelection({ index: range.index, length: range.length });
    });
  }

  /**
   * onContent is told of every change of the editor's content: the change
   * as a delta, or null when the content was replaced as a whole.
   */
  onContent(fn: (change: Delta | null) => void): () => void {
    this.contentListeners.add(fn);
    return () => this.contentListeners.delete(fn);
  }

  private contentChanged(change: Delta | null): void {
    for (const fn of this.contentListeners) fn(change);
  }

  /** bind connects the editor to a document. */
  bind(sync: DocSync): void {
    this.sync = sync;
    sync.attach(this);
    this.unsubscribe = sync.onStatus((s) => this.showStatus(s));
  }

  destroy(): void {
    this.unsubscribe?.();
    this.sync?.detach();
    this.sync = null;
    if (this.savingTimer) clearTimeout(this.savingTimer);
    this.cursors.destroy();
    this.element.remove();
  }

  focus(): void {
    this.quill.focus();
  }

  /** setAllowed says whether the user may edit the text now (their role and the phase). */
  setAllowed(allowed: boolean): void {
    if (allowed === this.allowed) return;
    this.allowed = allowed;
    if (this.lastStatus) this.showStatus(this.lastStatus);
    else this.setEditable(false);
  }

  private setEditable(editable: boolean): void {
    this.element.dataset.readonly = String(!editable);
    if (editable === this.quill.isEnabled()) return;
    this.quill.enable(editable);
    this.quill.root.setAttribute('aria-readonly', String(!editable));
    this.keysEl.textContent = t(editable ? 'editor.keys' : 'editor.keysReadOnly');
    this.element.classList.toggle('is-readonly', !editable);
    this.toolbar.setEnabled(editable);
  }

  // DocView.

  reset(doc: Delta): void {
    this.applying = true;
    try {
      this.quill.setContents(doc, 'silent');
      this.quill.history.clear();
    } finally {
      this.applying = false;
    }
    this.contentChanged(null);
  }

  apply(change: Delta): void {
    this.applying = true;
    let applied: Delta;
    try {
      applied = this.quill.updateContents(change, 'api');
    } finally {
      this.applying = false;
    }
    if (!sameOps(applied, change)) this.queueReconcile();
  }

  busy(): boolean {
    return (this.quill as unknown as { composition?: { isComposing?: boolean } }).composition?.isComposing === true;
  }

  flush(): void {
    // Pending DOM mutations become a 'user' text-change now, before a
    // remote change is transformed and applied.
    this.quill.update('user');
  }

  // handleLocal hands a user change to the OT client, cleaned to the
  // whitelist; what cleaning removed is taken out of the editor too.
  private handleLocal(delta: Delta, old: Delta): void {
    if (!this.sync) return;
    const clean = cleanChange(delta);
    if (!sameOps(clean, delta)) {
      const fix = docDiff(old.compose(delta), old.compose(clean));
      if (fix.ops.length > 0) {
        this.applying = true;
        try {
          this.quill.updateContents(fix, 'silent');
        } finally {
          this.applying = false;
        }
        this.contentChanged(fix);
      }
    }
    if (clean.ops.length > 0) this.sync.local(clean);
  }

  // queueReconcile: Quill normalised a remote change (e.g. completed a
  // table), so the editor and the OT state differ; the difference becomes a
  // local change, and every copy converges on it.
  private queueReconcile(): void {
    if (this.reconcileQueued) return;
    this.reconcileQueued = true;
    queueMicrotask(() => {
      this.reconcileQueued = false;
      const want = this.sync?.localDoc();
      if (!want) return;
      const have = this.quill.getContents();
      if (sameOps(want, have)) return;
      this.handleLocal(docDiff(want, have), want);
    });
  }

  private showStatus(s: DocStatus): void {
    const before = this.lastStatus;
    this.lastStatus = s;
    // For the load-time measurements (e2e/perf.mjs): the text is here.
    if (s.loaded && !before?.loaded) performance.mark('temaplan:editor-ready');
    if ((s.state === 'rejected' || s.state === 'held') && before?.state !== s.state) {
      this.onRefused?.(s.state === 'held' ? 'locked' : (s.problem?.code ?? ''));
    }
    // The exact state, at once (the visible text waits a moment before
    // "Lagrer…", so that typing does not make the status flicker).
    this.element.dataset.pending = String(s.pending);
    const editable = this.allowed && s.loaded && s.state !== 'rejected' && s.state !== 'error' && s.state !== 'held' && !s.locked;
    this.setEditable(editable);

    if (s.state === 'saving') {
      if (this.shownState !== 'saving' && !this.savingTimer) {
        this.savingTimer = setTimeout(() => {
          this.savingTimer = null;
          if (this.sync?.status().state === 'saving') this.setStatusText('saving', t('save.saving'));
        }, SAVING_DELAY);
      }
    } else {
      if (this.savingTimer) clearTimeout(this.savingTimer);
      this.savingTimer = null;
      const text =
        s.state === 'loading'
          ? t('save.loading')
          : s.state === 'saved'
            ? t('save.saved')
            : s.state === 'offline'
              ? t('save.offline')
              : s.state === 'rejected'
                ? t('save.rejected', { reason: errorText(s.problem?.code ?? 'internal') })
                : s.state === 'held'
                  ? t('save.held')
                  : t('save.error', { reason: errorText(s.problem?.code ?? 'internal') });
      this.setStatusText(s.state, text);
    }
    this.showProblem(s);
  }

  private setStatusText(state: string, text: string): void {
    if (state === this.shownState && this.statusEl.textContent === text) return;
    this.shownState = state;
    this.statusEl.dataset.state = state;
    this.statusEl.textContent = text;
  }

  private showProblem(s: DocStatus): void {
    const el = this.problemEl;
    // Unsaved text (refused, or held by the lock) is marked in the editor too.
    const unsaved = s.state === 'rejected' || s.state === 'held';
    this.element.classList.toggle('has-unsaved', unsaved);
    if (unsaved) el.dataset.testid = 'unsaved-notice';
    else delete el.dataset.testid;
    if (s.state === 'held') {
      if (el.dataset.kind === 'held') return;
      el.dataset.kind = 'held';
      const copied = h('span', { class: 'copied', 'aria-live': 'polite' });
      replace(
        el,
        h('p', null, h('strong', null, t('save.held'))),
        h('p', null, t('save.heldHint')),
        h(
          'p',
          { class: 'buttons' },
          h('button', { type: 'button', onclick: () => this.copyText(copied) }, t('save.copy')),
          h('button', { type: 'button', class: 'danger', onclick: () => this.discard() }, t('save.discard')),
          copied,
        ),
      );
      el.hidden = false;
    } else if (s.state === 'rejected') {
      if (el.dataset.kind === 'rejected') return;
      el.dataset.kind = 'rejected';
      const copied = h('span', { class: 'copied', 'aria-live': 'polite' });
      replace(
        el,
        h('p', null, t('save.rejected', { reason: errorText(s.problem?.code ?? 'internal') })),
        h(
          'p',
          { class: 'buttons' },
          h('button', { type: 'button', onclick: () => this.copyText(copied) }, t('save.copy')),
          h('button', { type: 'button', onclick: () => this.sync?.retry() }, t('save.retry')),
          h('button', { type: 'button', class: 'danger', onclick: () => this.discard() }, t('save.discard')),
          copied,
        ),
      );
      el.hidden = false;
    } else if (s.locked) {
      if (el.dataset.kind === 'locked') return;
      el.dataset.kind = 'locked';
      replace(el, h('p', null, t('editor.locked')));
      el.hidden = false;
    } else {
      el.dataset.kind = '';
      el.hidden = true;
      replace(el);
    }
  }

  private async copyText(out: HTMLElement): Promise<void> {
    const text = this.quill.getText();
    try {
      await navigator.clipboard.writeText(text);
      out.textContent = t('save.copied');
    } catch {
      // No clipboard permission: select the text so the user can copy it.
      this.quill.setSelection(0, this.quill.getLength(), 'silent');
      this.quill.root.focus();
    }
  }

  private async discard(): Promise<void> {
    if (await confirmDialog({ heading: t('save.discard'), text: t('save.confirmDiscard'), confirm: t('save.discard') })) {
      this.sync?.discard();
    }
  }
}


/**
 * readOnlyKey moves the selection in a read-only text (which has no caret
 * of its own) as an editable one would: the arrow keys by character, with
 * Ctrl by word, Up and Down by line, Home and End to the line's edges, and
 * with Shift they extend the selection; Ctrl+A selects the whole text. Quill follows the document's
 * selection while its root has the focus.
 */
export function readOnlyKey(root: HTMLElement, e: KeyboardEvent): void {
  if (e.altKey || e.metaKey) return;
  if (e.ctrlKey && !e.shiftKey && (e.key === 'a' || e.key === 'A')) {
    // Select all selects the text, not the page.
    e.preventDefault();
    document.getSelection()?.selectAllChildren(root);
    return;
  }
  const moves: Record<string, [direction: 'forward' | 'backward', granularity: string]> = {
    ArrowRight: ['forward', e.ctrlKey ? 'word' : 'character'],
    ArrowLeft: ['backward', e.ctrlKey ? 'word' : 'character'],
    ArrowDown: ['forward', e.ctrlKey ? 'paragraph' : 'line'],
    ArrowUp: ['backward', e.ctrlKey ? 'paragraph' : 'line'],
    End: ['forward', e.ctrlKey ? 'documentboundary' : 'lineboundary'],
    Home: ['backward', e.ctrlKey ? 'documentboundary' : 'lineboundary'],
  };
  const move = moves[e.key];
  const sel = document.getSelection();
  if (!move || !sel) return;
  e.preventDefault();
  if (!sel.anchorNode || !root.contains(sel.anchorNode)) {
    // The first key puts the selection at the start of the text.
    sel.setBaseAndExtent(root, 0, root, 0);
    if (!e.shiftKey && move[0] === 'forward' && move[1] === 'character') return;
  }
  const before = { node: sel.focusNode, offset: sel.focusOffset };
  sel.modify(e.shiftKey ? 'extend' : 'move', move[0], move[1]);
  // Never past the edges of the text.
  if (sel.focusNode && !root.contains(sel.focusNode) && before.node) {
    if (e.shiftKey) sel.extend(before.node, before.offset);
    else sel.collapse(before.node, before.offset);
  }
}
