// The editor's toolbar: one button per whitelisted format, a select for
// headings, and table commands. Buttons say what they do (aria-label) and
// whether the format is on (aria-pressed); mouse clicks keep the editor's
// selection, keyboard users get it restored by quill.focus(). The toolbar
// is one stop of the Tab key (ARIA toolbar pattern): the arrow keys, Home
// and End move between its controls, and it remembers the last one.
import { promptText } from '../dialog';
import { h } from '../dom';
import { t, type MessageKey } from '../i18n';
import { Icons, type Quill, type TableModule } from './quill';
import { sanitizeLink } from './sanitize';

type IconMap = Record<string, string | Record<string, string>>;

function icon(name: string, value?: string): string {
  const i = (Icons as unknown as IconMap)[name];
  if (typeof i === 'string') return i;
  if (i && value && typeof i[value] === 'string') return i[value];
  return '';
}

interface Toggle {
  el: HTMLButtonElement;
  format: string;
  value: unknown;
}

export class Toolbar {
  readonly element: HTMLElement;
  private readonly toggles: Toggle[] = [];
  private readonly header: HTMLSelectElement;
  private readonly tableOnly: HTMLButtonElement[] = [];
  private readonly all: (HTMLButtonElement | HTMLSelectElement)[] = [];
  private enabled = false;
  /** The control the Tab key stops at (the last one used). */
  private current = 0;

  constructor(
    private readonly quill: Quill,
    private readonly table: TableModule,
  ) {
    const headerId = `hdr-${Math.random().toString(36).slice(2, 8)}`;
    this.header = h(
      'select',
      { id: headerId, onchange: () => this.setHeader() },
      h('option', { value: '' }, t('tool.normal')),
      h('option', { value: '1' }, t('tool.h1')),
      h('option', { value: '2' }, t('tool.h2')),
      h('option', { value: '3' }, t('tool.h3')),
      h('option', { value: '4' }, t('tool.h4')),
    );
    this.all.push(this.header);
    this.element = h(
      'div',
      { class: 'toolbar', role: 'toolbar', 'aria-label': t('editor.toolbar') },
      h('span', { class: 'group' }, h('label', { for: headerId, class: 'visually-hidden' }, t('tool.header')), this.header),
      h(
        'span',
        { class: 'group' },
        this.toggle('bold', true, 'tool.bold', icon('bold')),
        this.toggle('italic', true, 'tool.italic', icon('italic')),
        this.toggle('underline', true, 'tool.underline', icon('underline')),
        this.toggle('strike', true, 'tool.strike', icon('strike')),
        this.button('tool.link', icon('link'), () => void this.link()),
      ),
      h(
        'span',
        { class: 'group' },
        this.toggle('list', 'ordered', 'tool.ordered', icon('list', 'ordered')),
        this.toggle('list', 'bullet', 'tool.bullet', icon('list', 'bullet')),
        this.toggle('blockquote', true, 'tool.blockquote', icon('blockquote')),
        this.button('tool.outdent', icon('indent', '-1'), () => this.format('indent', '-1')),
        this.button('tool.indent', icon('indent', '+1'), () => this.format('indent', '+1')),
      ),
      h(
        'span',
        { class: 'group' },
        this.button('tool.table', icon('table'), () => this.inTable((tm) => tm.insertTable(3, 3), false)),
        this.tableButton('tool.rowBelow', () => this.table.insertRowBelow()),
        this.tableButton('tool.columnRight', () => this.table.insertColumnRight()),
        this.tableButton('tool.deleteRow', () => this.table.deleteRow()),
        this.tableButton('tool.deleteColumn', () => this.table.deleteColumn()),
        this.tableButton('tool.deleteTable', () => this.table.deleteTable()),
      ),
    );
    // Keep the editor's selection when a toolbar control is clicked.
    this.element.addEventListener('mousedown', (e) => {
      if ((e.target as Element).closest('button')) e.preventDefault();
    });
    this.element.addEventListener('keydown', (e) => this.onKey(e));
    this.element.addEventListener('focusin', (e) => {
      const i = this.all.indexOf(e.target as HTMLButtonElement);
      if (i >= 0) this.rove(i);
    });
    this.setEnabled(false);
  }

  /** focus moves the focus to the toolbar's current control. */
  focus(): void {
    this.all[this.current]?.focus();
  }

  setEnabled(on: boolean): void {
    this.enabled = on;
    for (const el of this.all) el.disabled = !on;
    this.update();
  }

  // rove makes control i the toolbar's one stop of the Tab key.
  private rove(i: number): void {
    this.current = i;
    this.all.forEach((el, k) => {
      const want = k === i ? 0 : -1;
      if (el.tabIndex !== want) el.tabIndex = want;
    });
  }

  // onKey moves between the enabled controls: left and right (a select
  // keeps up and down for its options), Home and End.
  private onKey(e: KeyboardEvent): void {
    if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    const usable = this.all.filter((el) => !el.disabled);
    if (usable.length === 0) return;
    const at = usable.indexOf(document.activeElement as HTMLButtonElement);
    let next: number;
    switch (e.key) {
      case 'ArrowRight':
        next = (at + 1) % usable.length;
        break;
      case 'ArrowLeft':
        next = (at - 1 + usable.length) % usable.length;
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = usable.length - 1;
        break;
      default:
        return;
    }
    e.preventDefault();
    usable[next]!.focus();
  }

  /** update shows the formats at the selection. */
  update(): void {
    const range = this.quill.getSelection();
    const formats: Record<string, unknown> = range ? this.quill.getFormat(range) : {};
    for (const tg of this.toggles) {
      tg.el.setAttribute('aria-pressed', String(formats[tg.format] === tg.value));
    }
    this.header.value = typeof formats.header === 'number' ? String(formats.header) : '';
    const inTable = formats.table !== undefined;
    for (const b of this.tableOnly) b.disabled = !this.enabled || !inTable;
    // The Tab stop stays on a control that can take the focus.
    if (this.all[this.current]?.disabled) this.rove(Math.max(0, this.all.findIndex((el) => !el.disabled)));
    else this.rove(this.current);
  }

  private button(label: MessageKey, svg: string, onclick: () => void): HTMLButtonElement {
    const b = h('button', { type: 'button', class: 'tool', 'aria-label': t(label), title: t(label), onclick });
    if (svg) b.innerHTML = svg; // Quill's own icons, not user content
    else b.textContent = t(label);
    b.querySelector('svg')?.setAttribute('aria-hidden', 'true');
    this.all.push(b);
    return b;
  }

  private toggle(format: string, value: unknown, label: MessageKey, svg: string): HTMLButtonElement {
    const b = this.button(label, svg, () => {
      const on = b.getAttribute('aria-pressed') === 'true';
      this.format(format, on ? false : value);
    });
    b.setAttribute('aria-pressed', 'false');
    this.toggles.push({ el: b, format, value });
    return b;
  }

  private tableButton(label: MessageKey, run: () => void): HTMLButtonElement {
    const b = this.button(label, '', () => this.inTable(run, true));
    b.classList.add('text');
    this.tableOnly.push(b);
    return b;
  }

  private format(name: string, value: unknown): void {
    if (!this.enabled) return;
    this.quill.focus();
    this.quill.format(name, value, 'user');
    this.update();
  }

  private setHeader(): void {
    const v = this.header.value;
    this.format('header', v ? Number(v) : false);
  }

  private inTable(run: (tm: TableModule) => void, needTable: boolean): void {
    if (!this.enabled) return;
    this.quill.focus();
    if (needTable && this.quill.getFormat().table === undefined) return;
    run(this.table);
    this.update();
  }

  private async link(): Promise<void> {
    if (!this.enabled) return;
    this.quill.focus();
    const range = this.quill.getSelection(true);
    const current = this.quill.getFormat(range).link;
    const answer = await promptText({
      heading: t('link.heading'),
      label: t('link.label'),
      value: typeof current === 'string' ? current : '',
      submit: t('link.save'),
      inputMode: 'url',
      validate: (v) => (sanitizeLink(v) ? null : t('link.invalid')),
      extra: current ? { label: t('link.remove'), value: '' } : undefined,
    });
    this.quill.focus();
    this.quill.setSelection(range, 'silent');
    if (answer === null) return;
    // A cursor inside a link edits the whole link.
    const target = range.length === 0 && current ? (this.linkExtent(range.index) ?? range) : range;
    if (answer === '') {
      if (target.length > 0) this.quill.formatText(target.index, target.length, 'link', false, 'user');
      this.update();
      return;
    }
    const url = sanitizeLink(answer);
    if (!url) return;
    if (target.length === 0) {
      this.quill.insertText(target.index, url, { link: url }, 'user');
      this.quill.setSelection(target.index + url.length, 0, 'user');
    } else {
      this.quill.formatText(target.index, target.length, 'link', url, 'user');
    }
    this.update();
  }

  // linkExtent returns the range of the link around index.
  private linkExtent(index: number): { index: number; length: number } | null {
    interface BlotLike {
      parent?: BlotLike | null;
      statics?: { blotName?: string };
      length(): number;
    }
    for (const i of [index, index - 1]) {
      if (i < 0) continue;
      const [leaf] = this.quill.getLeaf(i) as unknown as [BlotLike | null, number];
      let blot = leaf?.parent ?? null;
      while (blot && blot.statics?.blotName !== 'link') blot = blot.parent ?? null;
      if (blot) return { index: this.quill.getIndex(blot as never), length: blot.length() };
    }
    return null;
  }
}
