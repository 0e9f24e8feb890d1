// The review of one section, beside its editor: the comments side panel
// (threads and suggestions in text order, filters, the composer), the
// overlay that marks their ranges in the text, the history panel and the
// authorship colours.
//
// Data comes from the server (GET comments and suggestions of the
// section) and is fetched again on every review event of the plan. The
// ranges are the server's, at a version of the document; between fetches
// they are moved through the ops the editor applies (ranges.ts), so the
// marks stay on their text while people type.
import type Delta from 'quill-delta';
import { ApiError, type Api } from '../api/client';
import type { Comment, Me, Plan, Suggestion, Thread } from '../api/types';
import { confirmDialog } from '../dialog';
import { h, replace, uniqueId } from '../dom';
import type { SectionEditor } from '../editor/editor';
import { t } from '../i18n';
import { problemText } from '../pages/labels';
import { answerRound } from '../process/api';
import { roundCard } from '../process/roundcard';
import { openRoundsFor, osloDate } from '../process/schedule';
import { refreshTimes, suggestionCard, suggestionKey, threadCard, threadKey, type CardContext } from './cards';
import { HistoryPanel } from './historypanel';
import { MentionField } from './mentionfield';
import type { Mentionable } from './mentions';
import { ReviewOverlay, type OverlayModel } from './overlay';
import { advance, contains, moveRange, project, toAnchor, type Anchor, type TextRange, type Timeline } from './ranges';
import { inTextOrder, newComments, nameOf, suggestionMatches, threadMatches, visibleThread, type Placed, type ReviewFilter, type Rights } from './threads';

/** The background colours of the authors, light enough for dark text on them. */
const AUTHOR_COLORS = ['#ffe08a', '#b6e3ff', '#c6efc0', '#ffc9d9', '#e2d0ff', '#ffd6a8', '#bff0ea', '#e9ec9c', '#d7dde3'];

/** How long after the last edit the history and the authorship are fetched again (ms). */
const REFETCH_IDLE = 3000;

/** The review events of the plan (collab/review.go). */
export const REVIEW_EVENTS: ReadonlySet<string> = new Set([
  'comment.added',
  'comment.edited',
  'comment.deleted',
  'thread.resolved',
  'thread.required',
  'thread.done',
  'suggestion.added',
  'suggestion.decided',
]);

export interface ReviewOptions {
  api: Api;
  me: Me;
  plan: Plan;
  section: string;
  editor: SectionEditor;
  timeline: Timeline;
  /**
   * The section's threads and suggestions, asked for before the panel was
   * made (beside the plan): the first fetch takes them instead of asking.
   */
  prefetched?: Promise<[Thread[], Suggestion[]]>;
}

interface Composing {
  kind: 'comment' | 'suggestion';
  range: TextRange;
  quote: string;
}

interface AuthorSpan {
  anchor: Anchor;
  by: string;
}

export class ReviewController {
  readonly element: HTMLElement;
  private plan: Plan;
  private readonly api: Api;
  private readonly me: Me;
  private readonly section: string;
  private readonly editor: SectionEditor;
  private readonly tl: Timeline;
  private readonly overlay: ReviewOverlay;

  private threads: Thread[] = [];
  private suggestions: Suggestion[] = [];
  private loaded = false;
  /** Where each thread and suggestion is, by key, as the server said or moved since. */
  private readonly anchors = new Map<string, Anchor>();
  /** Where each is in the editor now (null: unknown). */
  private readonly ranges = new Map<string, TextRange>();
  /** Threads whose text is gone, as the panel shows them. */
  private shownOrphans = '';
  private filter: ReviewFilter = 'open';
  private activeKey: string | null = null;
  private editing: string | null = null;
  private rejecting: string | null = null;
  private readonly drafts = new Map<string, string>();
  private readonly busy = new Set<string>();
  private composing: Composing | null = null;
  private composerField: MentionField | HTMLTextAreaElement | null = null;
  private returnFocus: HTMLElement | null = null;
  /** The user's last selection in the editor (moved with the text). */
  private selection: TextRange | null = null;
  private fetching: Promise<void> | null = null;
  private fetchAgain = false;
  /** The version a refetch was asked at because ranges could not be moved. */
  private staleAt = -1;
  private pendingFocus: string | null = null;
  private history: HistoryPanel | null = null;
  private authorship: { spans: AuthorSpan[]; colors: Map<string, string>; names: Record<string, string> } | null = null;
  private authorshipOn = false;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  private suggestionTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly clock: ReturnType<typeof setInterval>;
  private readonly unsubs: (() => void)[] = [];
  private alive = true;

  private readonly commentBtn: HTMLButtonElement;
  private readonly suggestBtn: HTMLButtonElement;
  private readonly historyBtn: HTMLButtonElement;
  private readonly authorBtn: HTMLButtonElement;
  private readonly hintEl: HTMLElement;
  private readonly sideEl: HTMLElement;
  private readonly historySlot: HTMLElement;
  private readonly legendEl: HTMLElement;
  private readonly composerEl: HTMLElement;
  private readonly filterEl: HTMLElement;
  private readonly liveEl: HTMLElement;
  private readonly errorEl: HTMLElement;
  private readonly listEl: HTMLElement;
  private readonly headingEl: HTMLElement;

  constructor(o: ReviewOptions) {
    this.api = o.api;
    this.me = o.me;
    this.plan = o.plan;
    this.section = o.section;
    this.editor = o.editor;
    this.tl = o.timeline;

    const sideHead = uniqueId('review');
    const shortcut = t('review.commentShortcut');
    this.commentBtn = h(
      'button',
      {
        type: 'button',
        'data-testid': 'comment-button',
        'aria-keyshortcuts': 'Control+Alt+M',
        title: shortcut,
        onmousedown: (e: MouseEvent) => e.preventDefault(),
        onclick: () => this.openComposer('comment'),
      },
      t('review.comment'),
    );
    this.suggestBtn = h(
      'button',
      { type: 'button', 'data-testid': 'suggest-button', onmousedown: (e: MouseEvent) => e.preventDefault(), onclick: () => this.openComposer('suggestion') },
      t('review.suggest'),
    );
    this.historyBtn = h('button', { type: 'button', 'data-testid': 'history-button', 'aria-expanded': 'false', onclick: () => this.toggleHistory() }, t('history.button'));
    this.authorBtn = h('button', { type: 'button', 'data-testid': 'authorship-toggle', 'aria-pressed': 'false', onclick: () => this.toggleAuthorship() }, t('authorship.toggle'));
    this.hintEl = h('span', { class: 'hint review-hint', role: 'status' });
    this.historySlot = h('div', { class: 'history-slot' });
    this.legendEl = h('div', { class: 'authorship-legend', 'data-testid': 'authorship-legend', hidden: true });
    this.composerEl = h('div', { class: 'composer-slot' });
    this.filterEl = h('div', { class: 'review-filter', role: 'group', 'aria-label': t('review.filter') });
    this.liveEl = h('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite', 'data-testid': 'review-live' });
    this.errorEl = h('p', { class: 'error', role: 'alert' });
    this.listEl = h('ol', { class: 'review-list', 'aria-labelledby': sideHead });
    this.headingEl = h('h3', { id: sideHead, class: 'review-heading', tabindex: '-1' }, t('review.heading'));
    this.sideEl = h(
      'aside',
      { class: 'review-side', 'data-testid': 'comments-panel', 'aria-labelledby': sideHead },
      this.historySlot,
      this.legendEl,
      this.headingEl,
      this.composerEl,
      this.filterEl,
      this.liveEl,
      this.errorEl,
      this.listEl,
    );
    this.element = h(
      'div',
      { class: 'review' },
      h('div', { class: 'review-bar', role: 'toolbar', 'aria-label': t('review.toolbar') }, this.commentBtn, this.suggestBtn, this.historyBtn, this.authorBtn, this.hintEl),
      h('div', { class: 'review-body' }, h('div', { class: 'review-editor' }, this.editor.element), this.sideEl),
    );

    this.overlay = new ReviewOverlay(this.editor.quill, {
      thread: (id, focus) => this.activate(threadKey(id), { scrollCard: true, focusCard: focus }),
      suggestion: (id, focus) => this.activate(suggestionKey(id), { scrollCard: true, focusCard: focus }),
    });
    this.unsubs.push(this.editor.onContent((change) => this.contentChanged(change)));
    const onSelection = (range: TextRange | null, _old: unknown, source: string) => this.selectionChanged(range, source);
    this.editor.quill.on('selection-change', onSelection);
    this.unsubs.push(() => this.editor.quill.off('selection-change', onSelection));
    // Ctrl+Alt+M anywhere in the section. A read-only text does not take
    // the focus: a click in it leaves the focus on the page itself or on
    // a focusable container around the review (<main tabindex="-1">), so
    // the key may come from any ancestor too.
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as Node | null;
      if (target && (this.element.contains(target) || target.contains(this.element))) this.shortcut(e);
    };
    document.addEventListener('keydown', onKey);
    this.unsubs.push(() => document.removeEventListener('keydown', onKey));
    this.clock = setInterval(() => refreshTimes(this.sideEl), 30_000);
    this.applyRights();
    this.renderFilter();
    this.renderList();
    void this.refresh(o.prefetched);
  }

  destroy(): void {
    if (!this.alive) return;
    this.alive = false;
    for (const u of this.unsubs) u();
    clearInterval(this.clock);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.suggestionTimer) clearTimeout(this.suggestionTimer);
    this.history?.destroy();
    this.overlay.destroy();
  }

  /** setPlan takes the plan as it is now (rights, members). */
  setPlan(plan: Plan): void {
    const before = this.rightsKey();
    const roundsBefore = this.roundsKey();
    this.plan = plan;
    this.applyRights();
    const roundsChanged = this.roundsKey() !== roundsBefore;
    if (roundsChanged) this.renderFilter();
    if (this.rightsKey() !== before || (roundsChanged && this.filter === 'mentions')) this.renderList();
  }

  /** onEvent takes a plan event: review events fetch the section's threads and suggestions again. */
  onEvent(kind: string): void {
    if (!REVIEW_EVENTS.has(kind)) return;
    void this.refresh();
    if (kind === 'suggestion.decided' && this.history) void this.history.refresh();
  }

  /** focusThread shows a thread (from the phase banner's list of required changes) and gives it the focus. */
  focusThread(id: string): void {
    this.pendingFocus = id;
    if (this.loaded) this.takePendingFocus();
  }

  // Rights.

  private rights(): Rights {
    return { me: this.me.id, actions: new Set(this.plan.you?.actions ?? []) };
  }

  private rightsKey(): string {
    return [...(this.plan.you?.actions ?? [])].sort().join(',');
  }

  // Review rounds (intern gjennomlesning) sent to the user and not yet
  // answered: shown under "Til meg" with their deadline and "Marker som ferdig".

  private myRounds() {
    return openRoundsFor(this.plan.rounds, this.me.id);
  }

  private roundsKey(): string {
    return this.myRounds()
      .map((r) => `${r.id}:${r.deadline}`)
      .join(',');
  }

  private async answerRound(id: string, comment: string): Promise<string | null> {
    try {
      const plan = await answerRound(this.api, this.plan.id, id, comment);
      if (!this.alive) return null;
      // The plan's event brings the same; the answer shows it at once.
      if (plan && plan.seq >= this.plan.seq) this.setPlan(plan.you ? plan : { ...plan, you: this.plan.you, members: this.plan.members });
      this.announce(t('process.rounds.answered'));
      return null;
    } catch (e) {
      return problemText(e);
    }
  }

  private can(action: string): boolean {
    return this.plan.you?.actions.includes(action) ?? false;
  }

  private applyRights(): void {
    this.commentBtn.hidden = !this.can('comment');
    this.suggestBtn.hidden = !this.can('suggest');
    if (this.composing && !this.can(this.composing.kind === 'comment' ? 'comment' : 'suggest')) this.closeComposer(false);
  }

  private members(): Mentionable[] {
    return (this.plan.members ?? []).map((m) => ({ user: m.user, name: m.name, email: m.email }));
  }

  private name(id: string, names?: Record<string, string>): string {
    const fromMembers = Object.fromEntries((this.plan.members ?? []).map((m) => [m.user, m.name]));
    return nameOf(id, names, fromMembers, this.authorship?.names) ?? t('review.unknown');
  }

  // Fetching.

  /** refresh fetches the section's threads and suggestions (one request at a time; an event meanwhile fetches again). */
  refresh(prefetched?: Promise<[Thread[], Suggestion[]]>): Promise<void> {
    if (this.fetching) {
      this.fetchAgain = true;
      return this.fetching;
    }
    this.fetching = (prefetched ?? Promise.all([this.api.comments(this.plan.id, { section: this.section }), this.api.suggestions(this.plan.id, { section: this.section })]))
      .then(([threads, suggestions]) => {
        if (!this.alive) return;
        this.setData(threads, suggestions);
      })
      .catch((err) => {
        if (this.alive) this.errorEl.textContent = problemText(err);
      })
      .finally(() => {
        this.fetching = null;
        if (this.fetchAgain && this.alive) {
          this.fetchAgain = false;
          void this.refresh();
        }
      });
    return this.fetching;
  }

  private setData(threads: Thread[], suggestions: Suggestion[]): void {
    const first = !this.loaded;
    if (this.loaded) this.announceNew(threads, suggestions);
    this.threads = threads.map(normaliseThread);
    this.suggestions = suggestions;
    this.anchors.clear();
    for (const th of this.threads) {
      const a = th.position ?? th.anchor;
      if (a) this.anchors.set(threadKey(th.id), { ...a });
    }
    for (const s of this.suggestions) {
      const a = s.position ?? s.anchor;
      if (a) this.anchors.set(suggestionKey(s.id), { ...a });
    }
    this.loaded = true;
    this.errorEl.textContent = '';
    this.project();
    this.renderFilter();
    this.renderList();
    this.updateOverlay();
    this.takePendingFocus();
    // For the load-time measurements (e2e/perf.mjs): the panel shows the section's review.
    if (first) performance.mark('temaplan:sidebar-ready', { detail: { section: this.section, items: threads.length + suggestions.length } });
  }

  private upsertThread(th: Thread, focusKey?: string): void {
    th = normaliseThread(th);
    const i = this.threads.findIndex((x) => x.id === th.id);
    if (i >= 0) this.threads[i] = th;
    else this.threads.push(th);
    const a = th.position ?? th.anchor;
    if (a) this.anchors.set(threadKey(th.id), { ...a });
    this.project();
    this.renderFilter();
    this.renderList(focusKey);
    this.updateOverlay();
  }

  private upsertSuggestion(s: Suggestion): void {
    const i = this.suggestions.findIndex((x) => x.id === s.id);
    if (i >= 0) this.suggestions[i] = s;
    else this.suggestions.push(s);
    const a = s.position ?? s.anchor;
    if (a) this.anchors.set(suggestionKey(s.id), { ...a });
    this.project();
    this.renderFilter();
    this.renderList();
    this.updateOverlay();
  }

  // announceNew tells screen readers of comments and suggestions others
  // wrote since the last fetch.
  private announceNew(threads: Thread[], suggestions: Suggestion[]): void {
    const fresh = newComments(this.threads, threads.map(normaliseThread), this.me.id);
    const known = new Set(this.suggestions.map((s) => s.id));
    const freshSuggestions = suggestions.filter((s) => !known.has(s.id) && s.author !== this.me.id);
    const parts: string[] = [];
    for (const { thread, comment } of fresh.slice(0, 3)) {
      parts.push(t(comment.id === thread.id ? 'review.liveComment' : 'review.liveReply', { name: this.name(comment.author, thread.names), body: excerpt(comment.body, 120) }));
    }
    for (const s of freshSuggestions.slice(0, 3)) parts.push(t('review.liveSuggestion', { name: this.name(s.author, s.names) }));
    if (parts.length > 0) this.announce(parts.join(' '));
  }

  private announce(text: string): void {
    // A change of the text is what a live region reads out.
    this.liveEl.textContent = '';
    setTimeout(() => {
      if (this.alive) this.liveEl.textContent = text;
    }, 50);
  }

  // Ranges.

  // project moves every anchor to the editor's document: first to the
  // editor's version (kept, so the next move starts there), then through
  // the changes not acknowledged yet.
  private project(): void {
    const docLength = this.editor.quill.getLength();
    let stale = false;
    this.ranges.clear();
    for (const [key, a] of this.anchors) {
      const moved = advance(a, this.tl);
      if (moved !== a) this.anchors.set(key, moved);
      const p = project(moved, this.tl, docLength);
      if (!p.exact && !p.ahead) stale = true;
      this.ranges.set(key, p.range);
    }
    const v = this.tl.version();
    if (stale && v !== null && v !== this.staleAt && this.loaded) {
      // The ops since the server's version are not known here (a snapshot
      // came between): ask the server where everything is now.
      this.staleAt = v;
      void this.refresh();
    }
  }

  /** orphaned reports whether a thread's text is gone: the server says so, or it was deleted here since. */
  private orphaned(th: Thread): boolean {
    if (th.orphaned) return true;
    const r = this.ranges.get(threadKey(th.id));
    return r !== undefined && r.length === 0 && this.anchors.get(threadKey(th.id))?.v === this.tl.version();
  }

  private contentChanged(change: Delta | null): void {
    if (change) {
      if (this.selection) this.selection = moveRange(this.selection, change);
      if (this.composing) this.composing = { ...this.composing, range: moveRange(this.composing.range, change) };
    }
    this.project();
    const orphans = this.threads
      .filter((th) => this.orphaned(th))
      .map((th) => th.id)
      .join(',');
    if (orphans !== this.shownOrphans) this.renderList();
    this.updateOverlay();
    if (change && (this.history || this.authorshipOn)) this.scheduleIdleRefresh();
    // Open suggestions may have become outdated: the server says which.
    if (change && this.suggestions.some((s) => s.status === 'open')) {
      if (this.suggestionTimer) clearTimeout(this.suggestionTimer);
      this.suggestionTimer = setTimeout(() => {
        this.suggestionTimer = null;
        if (this.alive) void this.refresh();
      }, 1500);
    }
  }

  private scheduleIdleRefresh(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (!this.alive) return;
      if (this.history) void this.history.refresh();
      if (this.authorshipOn) void this.loadAuthorship();
    }, REFETCH_IDLE);
  }

  private selectionChanged(range: TextRange | null, source: string): void {
    if (range) {
      this.selection = range.length > 0 ? { index: range.index, length: range.length } : null;
      this.hintEl.textContent = '';
      // A caret (not a selection) inside commented text shows its thread.
      if (range.length === 0 && source === 'user') {
        const key = this.keyAt(range.index);
        if (key && key !== this.activeKey) this.activate(key, { scrollCard: true, focusCard: false });
      }
    }
  }

  // keyAt returns the open thread (or else suggestion) whose text the
  // caret is in, the shortest when several are.
  private keyAt(index: number): string | null {
    let best: { key: string; length: number } | null = null;
    for (const th of this.threads) {
      if (th.resolved || !visibleThread(th) || th.deleted) continue;
      const r = this.ranges.get(threadKey(th.id));
      if (r && contains(r, index) && (!best || r.length < best.length)) best = { key: threadKey(th.id), length: r.length };
    }
    if (best) return best.key;
    for (const s of this.suggestions) {
      if (s.status !== 'open') continue;
      const r = this.ranges.get(suggestionKey(s.id));
      if (r && contains(r, index)) return suggestionKey(s.id);
    }
    return null;
  }

  // The overlay.

  private updateOverlay(): void {
    const model: OverlayModel = { threads: [], suggestions: [], authors: null, draft: this.composing?.range ?? null };
    for (const th of this.threads) {
      const key = threadKey(th.id);
      const r = this.ranges.get(key);
      const active = key === this.activeKey;
      if (!r || r.length === 0 || th.deleted) continue;
      if (th.resolved && !active) continue;
      model.threads.push({ id: th.id, range: r, active });
    }
    for (const s of this.suggestions) {
      const key = suggestionKey(s.id);
      const r = this.ranges.get(key);
      if (!r || s.status !== 'open') continue;
      model.suggestions.push({
        id: s.id,
        range: r,
        text: s.text,
        active: key === this.activeKey,
        outdated: s.outdated,
        label: t('review.suggestionBy', { name: this.name(s.author, s.names) }),
      });
    }
    if (this.authorshipOn && this.authorship) {
      const docLength = this.editor.quill.getLength();
      model.authors = [];
      for (const span of this.authorship.spans) {
        const color = this.authorship.colors.get(span.by);
        if (!color) continue;
        const moved = advance(span.anchor, this.tl);
        span.anchor = moved;
        const p = project(moved, this.tl, docLength);
        if (p.range.length > 0) model.authors.push({ range: p.range, color });
      }
    }
    this.overlay.set(model);
  }

  // The panel.

  private renderFilter(): void {
    const me = this.me.id;
    const count = (f: ReviewFilter) =>
      this.threads.filter((th) => threadMatches(th, f, me)).length + this.suggestions.filter((s) => suggestionMatches(s, f)).length + (f === 'mentions' ? this.myRounds().length : 0);
    const button = (f: ReviewFilter, testid: string, label: string) =>
      h(
        'button',
        { type: 'button', 'data-testid': testid, 'aria-pressed': String(this.filter === f), 'data-key': `filter:${f}`, onclick: () => this.setFilter(f) },
        label,
        ' ',
        h('span', { class: 'count' }, `(${count(f)})`),
      );
    const hadFocus = this.filterEl.contains(document.activeElement) ? (document.activeElement as HTMLElement).dataset.key : undefined;
    replace(
      this.filterEl,
      button('open', 'filter-open', t('review.filterOpen')),
      button('resolved', 'filter-resolved', t('review.filterResolved')),
      button('mentions', 'filter-mine-mentions', t('review.filterMentions')),
    );
    if (hadFocus) this.filterEl.querySelector<HTMLElement>(`[data-key="${hadFocus}"]`)?.focus();
  }

  private setFilter(f: ReviewFilter): void {
    if (this.filter === f) return;
    this.filter = f;
    this.renderFilter();
    this.renderList();
  }

  private cardContext(): CardContext {
    return {
      rights: this.rights(),
      members: () => this.members(),
      name: (id, names) => this.name(id, names),
      activeKey: this.activeKey,
      editing: this.editing,
      rejecting: this.rejecting,
      drafts: this.drafts,
      busy: this.busy,
      act: {
        activate: (key, scroll) => this.activate(key, { scrollText: scroll }),
        reply: (th, field) => void this.reply(th, field),
        startEdit: (c) => {
          this.editing = c.id;
          this.drafts.delete(`edit:${c.id}`);
          this.renderList(`edit:${c.id}`);
        },
        cancelEdit: () => {
          const id = this.editing;
          this.editing = null;
          this.renderList(id ? `edit-btn:${id}` : undefined);
        },
        saveEdit: (c, field) => void this.saveEdit(c, field),
        remove: (c) => void this.remove(c),
        flag: (th, flag, value) => void this.flag(th, flag, value),
        accept: (s) => void this.accept(s),
        startReject: (s) => {
          this.rejecting = s.id;
          this.renderList(`reject:${s.id}`);
        },
        cancelReject: () => {
          const id = this.rejecting;
          this.rejecting = null;
          this.renderList(id ? `reject-btn:${id}` : undefined);
        },
        reject: (s, reply) => void this.reject(s, reply),
      },
    };
  }

  /**
   * renderList draws the panel's cards for the filter, in text order. The
   * focus stays on the same control (by its data-key), or goes to focusKey.
   */
  private renderList(focusKey?: string): void {
    const active = document.activeElement as HTMLElement | null;
    const inList = active && this.listEl.contains(active);
    // A focus asked for moves only when the focus is in the panel (or nowhere).
    const mayMove = inList || !active || active === document.body || this.sideEl.contains(active);
    if (!mayMove) focusKey = undefined;
    const keepKey = focusKey ?? (inList ? active.dataset.key : undefined);
    const selStart = inList && active instanceof HTMLTextAreaElement ? active.selectionStart : null;
    const selEnd = inList && active instanceof HTMLTextAreaElement ? active.selectionEnd : null;
    const cardKey = inList ? (active.closest('[data-testid="thread"], [data-testid="suggestion"]') as HTMLElement | null)?.dataset.key : undefined;

    const me = this.me.id;
    const orphans: string[] = [];
    const items: Placed<{ kind: 'thread'; th: Thread; orphaned: boolean } | { kind: 'suggestion'; s: Suggestion }>[] = [];
    for (const th of this.threads) {
      const orphaned = this.orphaned(th);
      if (orphaned) orphans.push(th.id);
      if (!threadMatches(th, this.filter, me)) continue;
      items.push({ item: { kind: 'thread', th, orphaned }, range: orphaned ? null : (this.ranges.get(threadKey(th.id)) ?? null), created: th.created });
    }
    this.shownOrphans = orphans.join(',');
    for (const s of this.suggestions) {
      if (!suggestionMatches(s, this.filter)) continue;
      items.push({ item: { kind: 'suggestion', s }, range: this.ranges.get(suggestionKey(s.id)) ?? null, created: s.created });
    }
    const ctx = this.cardContext();
    const cards = inTextOrder(items).map(({ item }) =>
      h('li', { class: 'review-item' }, item.kind === 'thread' ? threadCard(item.th, ctx, item.orphaned) : suggestionCard(item.s, ctx)),
    );
    if (this.filter === 'mentions') {
      // Rounds first: they have a deadline. A card the user is writing in is kept as it is.
      const shown = new Map<string, HTMLElement>();
      for (const el of this.listEl.querySelectorAll<HTMLElement>('[data-testid="round-card"]')) shown.set(el.dataset.roundId ?? '', el);
      const today = osloDate(new Date());
      cards.unshift(
        ...this.myRounds().map((r) =>
          h(
            'li',
            { class: 'review-item review-round' },
            shown.get(r.id) ?? roundCard({ round: r, plan: this.plan, today, heading: 'h4', done: (round, comment) => this.answerRound(round.id, comment) }),
          ),
        ),
      );
    }
    if (cards.length === 0) {
      const empty = !this.loaded ? t('review.loading') : this.filter === 'open' ? t('review.emptyOpen') : this.filter === 'resolved' ? t('review.emptyResolved') : t('review.emptyMentions');
      replace(this.listEl, h('li', { class: 'review-empty hint' }, empty));
    } else {
      replace(this.listEl, cards);
    }
    // A kept round card moved with the focus in it: give the focus back.
    if (inList && active.isConnected && document.activeElement !== active && this.listEl.contains(active)) active.focus({ preventScroll: true });
    if (keepKey || cardKey) {
      const el = (keepKey && this.listEl.querySelector<HTMLElement>(`[data-key="${CSS.escape(keepKey)}"]`)) || (cardKey && this.listEl.querySelector<HTMLElement>(`[data-key="${CSS.escape(cardKey)}"]`));
      if (el && !(el as HTMLButtonElement).disabled) {
        el.focus({ preventScroll: true });
        if (el instanceof HTMLTextAreaElement && selStart !== null && keepKey === el.dataset.key) el.setSelectionRange(selStart, selEnd ?? selStart);
      } else if (inList || focusKey) {
        // The control went away (the thread was resolved under "Åpne"): the heading keeps the place.
        this.headingEl.focus();
      }
    }
  }

  /**
   * activate marks a thread or suggestion as the active one: its card and
   * its text stand out. scrollCard brings the card into view, focusCard
   * gives it the focus, scrollText brings its text into view.
   */
  private activate(key: string, o: { scrollCard?: boolean; focusCard?: boolean; scrollText?: boolean }): void {
    if (this.activeKey !== key) {
      this.activeKey = key;
      for (const card of this.listEl.querySelectorAll<HTMLElement>('[data-key^="t:"], [data-key^="s:"]')) {
        const on = card.dataset.key === key;
        card.dataset.active = String(on);
        card.classList.toggle('is-active', on);
      }
      this.updateOverlay();
    }
    const card = this.listEl.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`);
    if (!card && (o.scrollCard || o.focusCard)) {
      // Not under this filter: show the list it is in.
      const th = key.startsWith('t:') ? this.threads.find((x) => threadKey(x.id) === key) : undefined;
      const s = key.startsWith('s:') ? this.suggestions.find((x) => suggestionKey(x.id) === key) : undefined;
      const f: ReviewFilter | null = th ? (th.resolved ? 'resolved' : 'open') : s ? (s.status === 'open' ? 'open' : 'resolved') : null;
      if (f && f !== this.filter) {
        this.filter = f;
        this.renderFilter();
        this.renderList();
        return this.activate(key, o);
      }
    }
    if (card && o.scrollCard) card.scrollIntoView({ block: 'nearest' });
    if (card && o.focusCard) card.focus({ preventScroll: !o.scrollCard });
    if (o.scrollText) {
      requestAnimationFrame(() => {
        const sel = key.startsWith('t:') ? `[data-thread-id="${CSS.escape(key.slice(2))}"]` : `[data-suggestion-id="${CSS.escape(key.slice(2))}"]`;
        this.overlay.find(sel)?.scrollIntoView({ block: 'nearest' });
      });
    }
  }

  private takePendingFocus(): void {
    const id = this.pendingFocus;
    if (!id) return;
    if (!this.threads.some((th) => th.id === id)) return;
    this.pendingFocus = null;
    this.activate(threadKey(id), { scrollCard: true, focusCard: true, scrollText: true });
  }

  // The composer.

  private shortcut(e: KeyboardEvent): void {
    const mod = e.ctrlKey || e.metaKey;
    if (mod && e.altKey && !e.shiftKey && (e.key === 'm' || e.key === 'M' || (e.code === 'KeyM' && e.key.length === 1 && /[a-z]/i.test(e.key)))) {
      if (!this.can('comment')) return;
      e.preventDefault();
      e.stopPropagation();
      this.openComposer('comment');
    }
  }

  // currentSelection is the editor's selection, or the last one it had
  // (the focus may have moved to a button since).
  private currentSelection(): TextRange | null {
    const q = this.editor.quill;
    const now = q.hasFocus() ? q.getSelection() : null;
    if (now) return { index: now.index, length: now.length };
    return this.selection;
  }

  private openComposer(kind: Composing['kind']): void {
    if (!this.can(kind === 'comment' ? 'comment' : 'suggest')) return;
    if (this.tl.version() === null) {
      this.hintEl.textContent = t('save.loading');
      return;
    }
    const sel = this.currentSelection();
    if (!sel || (sel.length === 0 && kind === 'comment')) {
      this.hintEl.textContent = t(kind === 'comment' ? 'review.selectToComment' : 'review.selectToSuggest');
      return;
    }
    this.hintEl.textContent = '';
    const active = document.activeElement as HTMLElement | null;
    if (!this.composing) this.returnFocus = active && active !== document.body ? active : this.editor.quill.root;
    this.composing = { kind, range: sel, quote: this.editor.quill.getText(sel.index, sel.length) };
    this.renderComposer();
    this.updateOverlay();
  }

  private closeComposer(restoreFocus: boolean): void {
    this.composing = null;
    this.composerField = null;
    replace(this.composerEl);
    this.updateOverlay();
    if (restoreFocus) {
      const back = this.returnFocus;
      if (back && back.isConnected) {
        if (back === this.editor.quill.root) this.editor.quill.focus();
        else back.focus();
      }
    }
    this.returnFocus = null;
  }

  private renderComposer(): void {
    const c = this.composing;
    if (!c) return;
    const headId = uniqueId('composer');
    const errId = uniqueId('composer-err');
    const err = h('p', { id: errId, class: 'field-error', role: 'alert' });
    const quote = h('blockquote', { class: c.kind === 'suggestion' ? 'quote struck' : 'quote', 'data-testid': 'composer-quote' }, excerpt(c.quote, 300));
    const cancel = h('button', { type: 'button', 'data-testid': c.kind === 'comment' ? 'comment-cancel' : 'suggestion-cancel', onclick: () => this.closeComposer(true) }, t('review.cancel'));
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) {
        e.preventDefault();
        this.closeComposer(true);
      }
    };
    let form: HTMLElement;
    if (c.kind === 'comment') {
      const field = new MentionField({
        label: t('review.commentLabel'),
        testid: 'comment-input',
        members: () => this.members(),
        me: this.me.id,
        rows: 3,
        onSubmit: () => void this.submitComment(field, err),
        onCancel: () => this.closeComposer(true),
      });
      field.input.setAttribute('aria-describedby', `${field.input.getAttribute('aria-describedby') ?? ''} ${errId}`.trim());
      this.composerField = field;
      form = h(
        'form',
        {
          class: 'review-composer',
          'data-testid': 'comment-composer',
          'aria-labelledby': headId,
          onsubmit: (e: SubmitEvent) => {
            e.preventDefault();
            void this.submitComment(field, err);
          },
          onkeydown: onKey,
        },
        h('h4', { id: headId }, t('review.newComment')),
        quote,
        field.element,
        err,
        h('p', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary', 'data-testid': 'comment-submit' }, t('review.commentSubmit')), cancel),
      );
    } else {
      const textId = uniqueId('suggest-text');
      const whyId = uniqueId('suggest-why');
      const text = h('textarea', { id: textId, rows: '3', 'data-testid': 'suggestion-input', 'aria-describedby': errId });
      text.value = c.quote.replace(/\n$/, '');
      const why = h('textarea', { id: whyId, rows: '2', 'data-testid': 'suggestion-comment' });
      const submit = () => void this.submitSuggestion(text, why, err);
      text.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          submit();
        }
      });
      this.composerField = text;
      form = h(
        'form',
        {
          class: 'review-composer',
          'data-testid': 'suggestion-composer',
          'aria-labelledby': headId,
          onsubmit: (e: SubmitEvent) => {
            e.preventDefault();
            submit();
          },
          onkeydown: onKey,
        },
        h('h4', { id: headId }, t('review.newSuggestion')),
        c.quote ? h('p', { class: 'hint' }, t('review.suggestReplaces')) : h('p', { class: 'hint' }, t('review.suggestInserts')),
        c.quote ? quote : null,
        h('p', { class: 'field' }, h('label', { for: textId }, t('review.suggestionLabel')), text),
        h('p', { class: 'field' }, h('label', { for: whyId }, t('review.suggestionWhy')), why),
        err,
        h('p', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary', 'data-testid': 'suggestion-submit' }, t('review.suggestionSubmit')), cancel),
      );
    }
    replace(this.composerEl, form);
    const f = this.composerField;
    if (f instanceof MentionField) f.focus();
    else if (f) {
      f.focus();
      f.select();
    }
  }

  private async submitComment(field: MentionField, err: HTMLElement): Promise<void> {
    const c = this.composing;
    if (!c || this.busy.has('compose')) return;
    const body = field.value.trim();
    if (!body) {
      err.textContent = t('review.bodyRequired');
      field.focus();
      return;
    }
    const anchor = toAnchor(c.range, this.tl);
    if (!anchor || anchor.length === 0) {
      err.textContent = t('review.selectionGone');
      return;
    }
    await this.sendComposed(
      err,
      () => this.api.addComment(this.plan.id, { section: this.section, v: anchor.v, index: anchor.index, length: anchor.length, body, mentions: field.mentions() }),
      (th) => {
        this.activeKey = threadKey(th.id);
        this.upsertThread(th);
        this.announce(t('review.added'));
      },
    );
  }

  /**
   * sendComposed sends what the composer holds; on success it closes the
   * composer, shows the open items (where the new one is) and lets shown
   * take the answer; on failure the composer stays with the reason.
   */
  private async sendComposed<T>(err: HTMLElement, send: () => Promise<T>, shown: (item: T) => void): Promise<void> {
    this.busy.add('compose');
    try {
      const item = await send();
      if (!this.alive) return;
      this.busy.delete('compose');
      this.closeComposer(true);
      if (this.filter !== 'open') {
        this.filter = 'open';
        this.renderFilter();
      }
      shown(item);
    } catch (e) {
      this.busy.delete('compose');
      if (this.alive) err.textContent = problemText(e);
    }
  }

  private async submitSuggestion(text: HTMLTextAreaElement, why: HTMLTextAreaElement, err: HTMLElement): Promise<void> {
    const c = this.composing;
    if (!c || this.busy.has('compose')) return;
    const value = text.value;
    if (value === c.quote || value === c.quote.replace(/\n$/, '')) {
      err.textContent = t('review.suggestionSame');
      text.focus();
      return;
    }
    if (value === '' && c.range.length === 0) {
      err.textContent = t('review.suggestionEmpty');
      text.focus();
      return;
    }
    const anchor = toAnchor(c.range, this.tl);
    if (!anchor) {
      err.textContent = t('review.selectionGone');
      return;
    }
    await this.sendComposed(
      err,
      () => this.api.addSuggestion(this.plan.id, { section: this.section, v: anchor.v, index: anchor.index, length: anchor.length, text: value, body: why.value.trim() }),
      (sg) => {
        this.activeKey = suggestionKey(sg.id);
        this.upsertSuggestion(sg);
        this.announce(t('review.suggestionAdded'));
      },
    );
  }

  // Thread actions.

  private async run<T>(busyKey: string, call: () => Promise<T>, done: (r: T) => void, focusKey?: string): Promise<void> {
    if (this.busy.has(busyKey)) return;
    this.busy.add(busyKey);
    this.errorEl.textContent = '';
    try {
      const r = await call();
      if (!this.alive) return;
      this.busy.delete(busyKey);
      done(r);
    } catch (e) {
      if (!this.alive) return;
      this.busy.delete(busyKey);
      this.errorEl.textContent = problemText(e);
      this.renderList(focusKey);
      if (e instanceof ApiError && (e.code === 'conflict' || e.code === 'not_found')) void this.refresh();
    }
  }

  private async reply(th: Thread, field: MentionField): Promise<void> {
    const body = field.value.trim();
    const key = `reply:${th.id}`;
    if (!body) {
      field.focus();
      return;
    }
    await this.run(
      key,
      () => this.api.reply(this.plan.id, th.id, { body, mentions: field.mentions() }),
      (r) => {
        this.drafts.delete(key);
        this.upsertThread(r, key);
        this.announce(t('review.replyAdded'));
      },
      key,
    );
  }

  private async saveEdit(c: Comment, field: MentionField): Promise<void> {
    const body = field.value.trim();
    const key = `edit:${c.id}`;
    if (!body) {
      field.focus();
      return;
    }
    await this.run(
      key,
      () => this.api.editComment(this.plan.id, c.id, { body, mentions: field.mentions() }),
      (r) => {
        this.drafts.delete(key);
        this.editing = null;
        this.upsertThread(r, `edit-btn:${c.id}`);
        this.announce(t('review.editedNotice'));
      },
    );
  }

  private async remove(c: Comment): Promise<void> {
    const ok = await confirmDialog({ heading: t('review.deleteHeading'), text: t('review.deleteText'), confirm: t('review.deleteConfirm'), testid: 'delete-comment-dialog' });
    if (!ok || !this.alive) return;
    await this.run(
      `delete:${c.id}`,
      () => this.api.deleteComment(this.plan.id, c.id),
      (r) => {
        this.upsertThread(r);
        this.announce(t('review.deleted'));
      },
    );
  }

  private async flag(th: Thread, flag: 'resolve' | 'required' | 'done', value: boolean): Promise<void> {
    const focusKey = flag === 'resolve' ? (value ? `reopen:${th.id}` : `resolve:${th.id}`) : `${flag}:${th.id}`;
    await this.run(
      `${flag}:${th.id}`,
      () => this.api.threadFlag(this.plan.id, th.id, flag, value),
      (r) => {
        this.upsertThread(r, focusKey);
        const msg = flag === 'resolve' ? (value ? 'review.resolvedNotice' : 'review.reopenedNotice') : flag === 'required' ? (value ? 'review.requiredNotice' : 'review.notRequiredNotice') : value ? 'review.doneNotice' : 'review.notDoneNotice';
        this.announce(t(msg));
      },
    );
  }

  private async accept(s: Suggestion): Promise<void> {
    const key = `decide:${s.id}`;
    if (this.busy.has(key)) return;
    this.busy.add(key);
    this.errorEl.textContent = '';
    try {
      const r = await this.api.acceptSuggestion(this.plan.id, s.id);
      if (!this.alive) return;
      this.busy.delete(key);
      this.upsertSuggestion(r);
      this.announce(t('review.acceptedNotice'));
    } catch (e) {
      if (!this.alive) return;
      this.busy.delete(key);
      this.errorEl.textContent = e instanceof ApiError && e.code === 'conflict' ? t('review.acceptConflict') : problemText(e);
      this.renderList(`accept:${s.id}`);
      void this.refresh();
    }
  }

  private async reject(s: Suggestion, reply: string): Promise<void> {
    await this.run(
      `decide:${s.id}`,
      () => this.api.rejectSuggestion(this.plan.id, s.id, reply),
      (r) => {
        this.rejecting = null;
        this.drafts.delete(`reject:${s.id}`);
        this.upsertSuggestion(r);
        this.announce(t('review.rejectedNotice'));
      },
    );
  }

  // History and authorship.

  private toggleHistory(): void {
    if (this.history) {
      this.history.destroy();
      this.history = null;
      replace(this.historySlot);
      this.historyBtn.setAttribute('aria-expanded', 'false');
      this.historyBtn.removeAttribute('aria-controls');
      this.historyBtn.focus();
      return;
    }
    this.history = new HistoryPanel(this.api, this.plan.id, this.section, () => this.toggleHistory());
    replace(this.historySlot, this.history.element);
    this.historyBtn.setAttribute('aria-expanded', 'true');
    this.historyBtn.setAttribute('aria-controls', this.history.element.id);
    void this.history.refresh();
  }

  private toggleAuthorship(): void {
    this.authorshipOn = !this.authorshipOn;
    this.authorBtn.setAttribute('aria-pressed', String(this.authorshipOn));
    if (this.authorshipOn) void this.loadAuthorship();
    else {
      this.legendEl.hidden = true;
      replace(this.legendEl);
      this.updateOverlay();
    }
  }

  private async loadAuthorship(): Promise<void> {
    try {
      const a = await this.api.authorship(this.plan.id, this.section);
      if (!this.alive || !this.authorshipOn) return;
      const colors = new Map<string, string>();
      const authors: string[] = [];
      for (const s of a.spans) {
        if (s.by && !colors.has(s.by)) {
          colors.set(s.by, AUTHOR_COLORS[colors.size % AUTHOR_COLORS.length]!);
          authors.push(s.by);
        }
      }
      this.authorship = { spans: a.spans.map((s) => ({ anchor: { v: a.v, index: s.index, length: s.length }, by: s.by })), colors, names: a.names ?? {} };
      replace(
        this.legendEl,
        h('h3', null, t('authorship.heading')),
        authors.length === 0
          ? h('p', { class: 'hint' }, t('authorship.none'))
          : h(
              'ul',
              null,
              authors.map((by) => {
                const sw = h('span', { class: 'swatch', 'aria-hidden': 'true' });
                sw.style.backgroundColor = colors.get(by)!;
                return h('li', { 'data-user': by }, sw, ' ', this.name(by, a.names));
              }),
            ),
      );
      this.legendEl.hidden = false;
      this.updateOverlay();
    } catch (e) {
      if (this.alive) this.errorEl.textContent = problemText(e);
    }
  }
}

// normaliseThread fills the lists the server may leave out.
function normaliseThread(th: Thread): Thread {
  return { ...th, replies: th.replies ?? [], names: th.names ?? {}, mentions: th.mentions ?? [] };
}

// excerpt shortens a text for a quote or an announcement.
function excerpt(s: string, max: number): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
