// SectionChecks: on-demand klarspråk and personvern marks over one
// section's editor. Two toggle buttons in the section's bar switch them
// on; the marks (long sentences, very long words, privacy findings not
// accepted) are drawn as boxes over the text, computed from its layout as
// the review overlay does (review/overlay.ts), and listed under the bar
// for keyboard and screen-reader users. Nothing is written into the
// document.
//
// The server computes the checks on its current text (GET /lix, GET
// /privacy). Requests never hold anything up: an answer older than the
// last request is dropped, and an answer to a request made before the
// user typed again is dropped too (its positions may be off) and asked
// again. Between answers the marks move with the edits.
import type Quill from 'quill';
import type Delta from 'quill-delta';
import type { Api } from '../api/client';
import { h, replace, uniqueId } from '../dom';
import { t } from '../i18n';
import { problemText } from '../pages/labels';
import { textBoxes } from '../review/overlay';
import { moveRange, type TextRange } from '../review/ranges';
import { getLix, getPrivacy, type LixSection, type PrivacyFinding } from './api';
import { checkItems, relocate, type CheckItem, type CheckSwitches } from './readability';

export interface SectionChecksOptions {
  api: Api;
  planId: string;
  section: string;
  quill: Quill;
  /** host is an element positioned over the editor where highlight boxes are drawn. */
  host: HTMLElement;
  /** bar is where the checks add their toggle buttons (the section toolbar area). */
  bar: HTMLElement;
}

/** The checks a user can switch on. */
export type CheckKind = keyof CheckSwitches;

const STORAGE_PREFIX = 'temaplan.checks.';

/** checkIsOn reports whether the user switched a check on in this tab. */
export function checkIsOn(kind: CheckKind): boolean {
  try {
    return sessionStorage.getItem(STORAGE_PREFIX + kind) === 'on';
  } catch {
    return false;
  }
}

/** setCheck remembers a check as on or off in this tab (a link from the Klarspråk view turns it on). */
export function setCheck(kind: CheckKind, on: boolean): void {
  try {
    if (on) sessionStorage.setItem(STORAGE_PREFIX + kind, 'on');
    else sessionStorage.removeItem(STORAGE_PREFIX + kind);
  } catch {
    // Not remembered; the toggle still works on this page.
  }
}

/** How long a revealed range waits for the text to load (ms). */
const REVEAL_WAIT = 10_000;

interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

export class SectionChecks {
  private readonly quill: Quill;
  private readonly on: CheckSwitches = { klarsprak: false, personvern: false };
  private readonly buttons: Record<CheckKind, HTMLButtonElement>;
  private readonly group: HTMLElement;
  private readonly panel: HTMLElement;
  private readonly listEl: HTMLElement;
  private readonly statusEl: HTMLElement;
  private readonly errorEl: HTMLElement;
  private readonly layer: HTMLElement;
  private readonly tip: HTMLElement;
  private lix: LixSection | null = null;
  private findings: PrivacyFinding[] = [];
  /** An answer of each kind has come. */
  private readonly loaded = { klarsprak: false, personvern: false };
  private items: CheckItem[] = [];
  private revealed: TextRange | null = null;
  private pendingReveal: { range: TextRange; until: number } | null = null;
  private revealTimer: ReturnType<typeof setInterval> | null = null;
  private drawn: { item: CheckItem; boxes: Box[] }[] = [];
  /** The number of the latest request; older answers are dropped. */
  private request = 0;
  /** Counts the text's changes, so an answer knows whether the text moved under it. */
  private changes = 0;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private frame = 0;
  private readonly resize: ResizeObserver | null;
  private alive = true;
  private readonly onText = (delta: Delta, _old: Delta, source: string) => this.textChanged(delta, source);
  private readonly onScroll = () => this.schedule();
  private readonly onMove = (e: MouseEvent) => this.hover(e);
  private readonly onLeave = () => {
    this.tip.hidden = true;
  };

  constructor(private readonly o: SectionChecksOptions) {
    this.quill = o.quill;
    const toggle = (kind: CheckKind, label: string) =>
      h(
        'button',
        {
          type: 'button',
          class: `check-toggle check-toggle-${kind}`,
          'data-testid': `check-${kind}`,
          'aria-pressed': 'false',
          onmousedown: (e: MouseEvent) => e.preventDefault(),
          onclick: () => this.toggle(kind),
        },
        label,
      );
    this.buttons = { klarsprak: toggle('klarsprak', t('process.checks.klarsprak')), personvern: toggle('personvern', t('process.checks.personvern')) };
    this.group = h('span', { class: 'checks-toggles', role: 'group', 'aria-label': t('process.checks.label') }, this.buttons.klarsprak, this.buttons.personvern);
    o.bar.append(this.group);

    const headId = uniqueId('checks');
    this.statusEl = h('p', { class: 'checks-status', role: 'status' });
    this.errorEl = h('p', { class: 'error', role: 'alert' });
    this.listEl = h('ul', { class: 'checks-list', 'data-testid': 'check-list', 'aria-labelledby': headId });
    this.panel = h(
      'section',
      { class: 'checks-panel', 'data-testid': 'checks-panel', 'aria-labelledby': headId, hidden: true },
      h('h3', { id: headId, class: 'checks-heading' }, t('process.checks.heading')),
      this.statusEl,
      this.errorEl,
      this.listEl,
    );
    // Under the toggles, inside the bar (which may not be in the page yet).
    o.bar.append(this.panel);

    this.tip = h('div', { class: 'checks-tip', hidden: true });
    this.layer = h('div', { class: 'checks-marks', 'aria-hidden': 'true', 'data-testid': 'checks-marks' }, this.tip);
    o.host.append(this.layer);

    this.quill.on('text-change', this.onText);
    this.quill.root.addEventListener('scroll', this.onScroll);
    this.quill.root.addEventListener('mousemove', this.onMove);
    this.quill.root.addEventListener('mouseleave', this.onLeave);
    window.addEventListener('resize', this.onScroll);
    this.resize = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => this.schedule());
    this.resize?.observe(this.quill.root);

    for (const kind of ['klarsprak', 'personvern'] as const) if (checkIsOn(kind)) this.set(kind, true);
    this.changedSwitches();
  }

  /** refresh re-fetches the checks that are on (after the text changed). */
  refresh(): void {
    if (!this.alive || (!this.on.klarsprak && !this.on.personvern)) return;
    void this.fetch();
  }

  /** reveal selects a range of the section's text, marks it and scrolls it into view; before the text is loaded it waits for it. */
  reveal(range: { index: number; length: number }): void {
    this.pendingReveal = { range: { index: range.index, length: range.length }, until: Date.now() + REVEAL_WAIT };
    if (this.tryReveal()) return;
    if (this.revealTimer) clearInterval(this.revealTimer);
    this.revealTimer = setInterval(() => this.tryReveal(), 150);
  }

  destroy(): void {
    if (!this.alive) return;
    this.alive = false;
    this.request++;
    if (this.retry) clearTimeout(this.retry);
    if (this.revealTimer) clearInterval(this.revealTimer);
    if (this.frame) cancelAnimationFrame(this.frame);
    this.resize?.disconnect();
    this.quill.off('text-change', this.onText);
    this.quill.root.removeEventListener('scroll', this.onScroll);
    this.quill.root.removeEventListener('mousemove', this.onMove);
    this.quill.root.removeEventListener('mouseleave', this.onLeave);
    window.removeEventListener('resize', this.onScroll);
    this.group.remove();
    this.panel.remove();
    this.layer.remove();
  }

  // Switching.

  private toggle(kind: CheckKind): void {
    this.set(kind, !this.on[kind]);
    setCheck(kind, this.on[kind]);
    this.changedSwitches();
  }

  private set(kind: CheckKind, on: boolean): void {
    this.on[kind] = on;
    this.buttons[kind].setAttribute('aria-pressed', String(on));
  }

  private changedSwitches(): void {
    const any = this.on.klarsprak || this.on.personvern;
    this.panel.hidden = !any;
    if (!any) {
      this.request++;
      this.items = [];
      this.errorEl.textContent = '';
      this.render();
      return;
    }
    this.items = checkItems(this.lix, this.findings, this.on, this.o.section);
    this.render();
    void this.fetch();
  }

  // Fetching.

  private async fetch(): Promise<void> {
    if (this.retry) {
      clearTimeout(this.retry);
      this.retry = null;
    }
    const id = ++this.request;
    const changesAt = this.changes;
    const want = { ...this.on };
    try {
      const [lix, privacy] = await Promise.all([want.klarsprak ? getLix(this.o.api, this.o.planId) : null, want.personvern ? getPrivacy(this.o.api, this.o.planId) : null]);
      if (!this.alive || id !== this.request) return;
      if (changesAt !== this.changes) {
        // The text changed while the server looked at it: ask again once the typing rests.
        this.retry = setTimeout(() => {
          this.retry = null;
          if (this.alive) void this.fetch();
        }, 1000);
        return;
      }
      if (lix) {
        this.lix = (lix.sections ?? []).find((s) => s.section === this.o.section) ?? null;
        this.loaded.klarsprak = true;
      }
      if (privacy) {
        this.findings = this.placeFindings(privacy.findings ?? []);
        this.loaded.personvern = true;
      }
      this.errorEl.textContent = '';
      this.items = checkItems(this.lix, this.findings, this.on, this.o.section);
      this.render();
    } catch (err) {
      if (!this.alive || id !== this.request) return;
      this.errorEl.textContent = problemText(err);
      this.statusEl.textContent = '';
    }
  }

  // placeFindings puts each finding of this section on its quote in the
  // editor's text (the server's text may be a step behind or ahead).
  private placeFindings(findings: PrivacyFinding[]): PrivacyFinding[] {
    const text = this.quill.getText();
    const out: PrivacyFinding[] = [];
    for (const f of findings) {
      if (f.section !== this.o.section) {
        out.push(f);
        continue;
      }
      const at = relocate(text, f.quote, f.index);
      if (at !== null) out.push({ ...f, index: at, length: f.quote.length });
    }
    return out;
  }

  // Following the text.

  private textChanged(delta: Delta, source: string): void {
    if (source === 'silent') return;
    this.changes++;
    // The server's answer moves with the text, so the marks stay on their words.
    const move = <T extends TextRange>(r: T): T => ({ ...r, ...moveRange(r, delta) });
    const kept = (r: TextRange) => r.length > 0;
    if (this.lix) {
      this.lix = {
        ...this.lix,
        long_sentences: (this.lix.long_sentences ?? []).map(move).filter(kept),
        very_long_words: (this.lix.very_long_words ?? []).map(move).filter(kept),
      };
    }
    this.findings = this.findings.map((f) => (f.section === this.o.section ? move(f) : f)).filter((f) => f.section !== this.o.section || kept(f));
    this.items = checkItems(this.lix, this.findings, this.on, this.o.section);
    if (this.revealed) {
      const r = moveRange(this.revealed, delta);
      this.revealed = r.length > 0 ? r : null;
    }
    this.render();
  }

  private tryReveal(): boolean {
    const p = this.pendingReveal;
    if (!p || !this.alive) {
      this.stopReveal();
      return true;
    }
    const len = this.quill.getLength();
    if (len <= 1 || p.range.index + p.range.length > len - 1) {
      if (Date.now() > p.until) this.stopReveal();
      return false;
    }
    this.stopReveal();
    this.revealed = p.range;
    try {
      this.quill.setSelection(p.range.index, p.range.length, 'api');
    } catch {
      // A selection the editor cannot take; the mark still shows where it is.
    }
    this.schedule();
    requestAnimationFrame(() => this.layer.querySelector<HTMLElement>('.check-revealed')?.scrollIntoView({ block: 'center' }));
    return true;
  }

  private stopReveal(): void {
    this.pendingReveal = null;
    if (this.revealTimer) clearInterval(this.revealTimer);
    this.revealTimer = null;
  }

  // Drawing.

  private render(): void {
    this.renderList();
    this.schedule();
  }

  private schedule(): void {
    if (this.frame || !this.alive) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    const origin = this.o.host.getBoundingClientRect();
    const docLength = this.quill.getLength();
    const clamp = (r: TextRange): TextRange => {
      const index = Math.max(0, Math.min(r.index, docLength - 1));
      return { index, length: Math.max(0, Math.min(r.length, docLength - 1 - index)) };
    };
    const marks: HTMLElement[] = [];
    this.drawn = [];
    // Sentences first, so the words and findings inside them are on top.
    const order = { sentence: 0, word: 1, privacy: 2 } as const;
    for (const item of [...this.items].sort((a, b) => order[a.kind] - order[b.kind])) {
      const boxes = textBoxes(this.quill, clamp(item), origin);
      if (boxes.length === 0) continue;
      marks.push(group(`check-mark check-${item.kind}`, boxes, { 'data-testid': `check-mark-${item.kind}`, title: this.label(item) }));
      this.drawn.push({ item, boxes });
    }
    if (this.revealed) {
      const boxes = textBoxes(this.quill, clamp(this.revealed), origin);
      if (boxes.length > 0) marks.push(group('check-mark check-revealed', boxes, { 'data-testid': 'check-revealed' }));
    }
    replace(this.layer, marks, this.tip);
  }

  // hover shows the label of the mark under the pointer (the marks let
  // the pointer through to the text).
  private hover(e: MouseEvent): void {
    if (this.drawn.length === 0) {
      this.tip.hidden = true;
      return;
    }
    const origin = this.o.host.getBoundingClientRect();
    const x = e.clientX - origin.left;
    const y = e.clientY - origin.top;
    let best: { item: CheckItem; box: Box } | null = null;
    for (const d of this.drawn) {
      const box = d.boxes.find((b) => x >= b.left && x <= b.left + b.width && y >= b.top && y <= b.top + b.height);
      if (box && (!best || d.item.length < best.item.length)) best = { item: d.item, box };
    }
    if (!best) {
      this.tip.hidden = true;
      return;
    }
    this.tip.textContent = this.label(best.item);
    this.tip.style.left = `${Math.max(0, x - 20)}px`;
    this.tip.style.top = `${best.box.top + best.box.height + 4}px`;
    this.tip.hidden = false;
  }

  private label(item: CheckItem): string {
    switch (item.kind) {
      case 'sentence':
        return t('process.checks.sentence', { words: item.words });
      case 'word':
        return t('process.checks.word', { letters: item.letters });
      case 'privacy':
        return t('process.checks.privacy', { count: item.count });
    }
  }

  private renderList(): void {
    if (this.panel.hidden) {
      replace(this.listEl);
      return;
    }
    const loaded = (!this.on.klarsprak || this.loaded.klarsprak) && (!this.on.personvern || this.loaded.personvern);
    if (this.items.length === 0) {
      replace(this.listEl);
      this.statusEl.textContent = loaded ? t('process.checks.none') : t('process.checks.loading');
      return;
    }
    this.statusEl.textContent = t('process.checks.count', { n: this.items.length });
    replace(
      this.listEl,
      this.items.map((item) => {
        const text = this.quill.getText(item.index, Math.min(item.length, 80)).replace(/\s+/g, ' ').trim();
        const quote = item.length > 80 ? `${text}…` : text;
        return h(
          'li',
          { class: `check-item check-item-${item.kind}`, dataset: { kind: item.kind } },
          h(
            'button',
            { type: 'button', class: 'link', 'data-testid': 'check-item', onclick: () => this.reveal(item) },
            h('span', { class: 'check-kind' }, this.label(item)),
            ': ',
            h('q', null, quote),
          ),
        );
      }),
    );
  }
}

function place(el: HTMLElement, b: Box): void {
  el.style.left = `${b.left}px`;
  el.style.top = `${b.top}px`;
  el.style.width = `${b.width}px`;
  el.style.height = `${b.height}px`;
}

// group is one element per mark, placed on its first box, with one child per line box.
function group(cls: string, boxes: Box[], attrs: Record<string, string>): HTMLElement {
  const first = boxes[0]!;
  const el = h('div', { class: cls, ...attrs });
  place(el, first);
  for (const b of boxes) {
    const part = h('div', { class: 'check-part' });
    place(part, { left: b.left - first.left, top: b.top - first.top, width: b.width, height: b.height });
    el.append(part);
  }
  return el;
}
