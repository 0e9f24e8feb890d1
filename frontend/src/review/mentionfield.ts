// A text field for comment bodies with @mention suggestions: typing "@"
// and the start of a name lists the plan's members (a listbox the text
// area points to with aria-activedescendant; a textarea may not take the
// combobox role, so the number of matches is announced instead of its
// expanded state); arrow keys choose, Enter or Tab takes, Escape closes. The body stays plain text; mentions() reads the user ids of
// the names in it when it is sent.
import { h, replace, uniqueId } from '../dom';
import { t } from '../i18n';
import { insertMention, matchMembers, mentionedUsers, mentionQuery, type Mentionable, type MentionQuery } from './mentions';

export interface MentionFieldOptions {
  label: string;
  /** The label is read by screen readers only. */
  hideLabel?: boolean;
  testid: string;
  members: () => readonly Mentionable[];
  /** The signed-in user, who is not offered. */
  me: string;
  value?: string;
  rows?: number;
  placeholder?: string;
  /** key names the field so that the page can give it its focus back after a redraw. */
  key?: string;
  onInput?: (value: string) => void;
  /** onSubmit: Ctrl+Enter (or Cmd+Enter) sends. */
  onSubmit?: () => void;
  /** onCancel: Escape with no suggestions open. */
  onCancel?: () => void;
}

export class MentionField {
  readonly element: HTMLElement;
  readonly input: HTMLTextAreaElement;
  private readonly list: HTMLUListElement;
  private options: Mentionable[] = [];
  private activeIndex = -1;
  /** Says how many people match, for screen readers. */
  private readonly live = h('span', { class: 'visually-hidden', role: 'status', 'data-testid': 'mention-count' });
  private query: MentionQuery | null = null;

  constructor(private readonly o: MentionFieldOptions) {
    const id = uniqueId('mention');
    const listId = `${id}-list`;
    const hintId = `${id}-hint`;
    this.input = h('textarea', {
      id,
      rows: String(o.rows ?? 3),
      class: 'mention-input',
      'data-testid': o.testid,
      'data-key': o.key,
      'aria-autocomplete': 'list',
      'aria-haspopup': 'listbox',
      'aria-controls': listId,
      'aria-describedby': hintId,
      placeholder: o.placeholder,
      oninput: () => {
        this.update();
        o.onInput?.(this.input.value);
      },
      onkeydown: (e: KeyboardEvent) => this.key(e),
      onblur: () => setTimeout(() => this.close(), 150),
      onclick: () => this.update(),
    });
    this.input.value = o.value ?? '';
    this.list = h('ul', { id: listId, class: 'mention-list', role: 'listbox', 'aria-label': t('mention.list'), hidden: true, 'data-testid': 'mention-list' });
    this.element = h(
      'div',
      { class: 'mention-field' },
      h('label', { for: id, class: o.hideLabel ? 'visually-hidden' : undefined }, o.label),
      this.input,
      this.list,
      h('span', { id: hintId, class: 'visually-hidden' }, t('mention.hint')),
      this.live,
    );
  }

  get value(): string {
    return this.input.value;
  }

  set value(v: string) {
    this.input.value = v;
    this.close();
  }

  /** mentions returns the user ids of the members named with @ in the text. */
  mentions(): string[] {
    return mentionedUsers(this.input.value, this.o.members());
  }

  focus(): void {
    this.input.focus();
  }

  private update(): void {
    const caret = this.input.selectionStart ?? this.input.value.length;
    const q = this.input.selectionStart === this.input.selectionEnd ? mentionQuery(this.input.value, caret) : null;
    this.query = q;
    this.options = q ? matchMembers(q.query, this.o.members(), this.o.me) : [];
    if (!q || this.options.length === 0) {
      this.close();
      return;
    }
    this.activeIndex = 0;
    this.renderList();
  }

  private renderList(): void {
    const id = this.list.id;
    replace(
      this.list,
      this.options.map((m, i) =>
        h(
          'li',
          {
            id: `${id}-${i}`,
            role: 'option',
            class: i === this.activeIndex ? 'is-active' : undefined,
            'aria-selected': String(i === this.activeIndex),
            'data-user': m.user,
            // mousedown: take the person before the field loses its focus.
            onmousedown: (e: MouseEvent) => {
              e.preventDefault();
              this.choose(i);
            },
          },
          h('span', { class: 'name' }, m.name),
          m.email ? h('span', { class: 'email' }, ` ${m.email}`) : null,
        ),
      ),
    );
    const count = t('mention.count', { n: this.options.length });
    if (this.list.hidden || this.live.textContent !== count) this.live.textContent = count;
    this.list.hidden = false;
    this.input.setAttribute('aria-activedescendant', `${id}-${this.activeIndex}`);
  }

  private close(): void {
    this.options = [];
    this.query = null;
    this.activeIndex = -1;
    this.list.hidden = true;
    replace(this.list);
    this.live.textContent = '';
    this.input.removeAttribute('aria-activedescendant');
  }

  private choose(i: number): void {
    const m = this.options[i];
    const q = this.query;
    if (!m || !q) return;
    const caret = this.input.selectionStart ?? this.input.value.length;
    const next = insertMention(this.input.value, caret, q, m);
    this.input.value = next.text;
    this.input.setSelectionRange(next.caret, next.caret);
    this.close();
    this.input.focus();
    this.o.onInput?.(this.input.value);
  }

  private key(e: KeyboardEvent): void {
    const open = !this.list.hidden && this.options.length > 0;
    if (open) {
      switch (e.key) {
        case 'ArrowDown':
        case 'ArrowUp': {
          e.preventDefault();
          const n = this.options.length;
          this.activeIndex = (this.activeIndex + (e.key === 'ArrowDown' ? 1 : n - 1)) % n;
          this.renderList();
          return;
        }
        case 'Enter':
        case 'Tab':
          if (e.shiftKey || e.ctrlKey || e.metaKey || e.altKey) break;
          e.preventDefault();
          this.choose(Math.max(0, this.activeIndex));
          return;
        case 'Escape':
          e.preventDefault();
          e.stopPropagation();
          this.close();
          return;
      }
    }
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && this.o.onSubmit) {
      e.preventDefault();
      this.o.onSubmit();
    } else if (e.key === 'Escape' && this.o.onCancel) {
      e.preventDefault();
      e.stopPropagation();
      this.o.onCancel();
    }
  }
}
