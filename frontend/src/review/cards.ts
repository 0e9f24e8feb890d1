// The cards of the review panel: a comment thread (quote, comments,
// replies, the reply field, resolve and the required-change controls) and
// a suggestion (what it replaces with what, accept and reject). Every
// text a person wrote is put in as text (h() makes text nodes), never as
// HTML.
import type { Comment, Suggestion, Thread } from '../api/types';
import { h, uniqueId } from '../dom';
import { t } from '../i18n';
import { absoluteTime, relativeTime } from './history';
import { MentionField } from './mentionfield';
import { splitBody, type Mentionable } from './mentions';
import { canEdit, canMarkDone, canReply, canRequire, canResolve, type Rights } from './threads';

/** What the cards need from the panel. */
export interface CardContext {
  rights: Rights;
  members: () => readonly Mentionable[];
  /** name returns a person's name (from the item's names, the plan's members), or "Ukjent". */
  name: (id: string, names?: Record<string, string>) => string;
  activeKey: string | null;
  /** The comment being edited. */
  editing: string | null;
  /** The suggestion whose rejection is being written. */
  rejecting: string | null;
  /** Drafts of reply, edit and rejection texts by field key, kept across redraws. */
  drafts: Map<string, string>;
  /** Keys of the requests under way (their buttons are disabled). */
  busy: ReadonlySet<string>;
  act: CardActions;
}

export interface CardActions {
  activate(key: string, scroll: boolean): void;
  reply(t: Thread, field: MentionField): void;
  startEdit(c: Comment): void;
  cancelEdit(): void;
  saveEdit(c: Comment, field: MentionField): void;
  remove(c: Comment): void;
  flag(t: Thread, flag: 'resolve' | 'required' | 'done', value: boolean): void;
  accept(s: Suggestion): void;
  startReject(s: Suggestion): void;
  cancelReject(): void;
  reject(s: Suggestion, reply: string): void;
}

/** threadKey and suggestionKey name an item of the panel. */
export const threadKey = (id: string): string => `t:${id}`;
export const suggestionKey = (id: string): string => `s:${id}`;

function timeEl(iso: string): HTMLElement {
  return h('time', { datetime: iso, title: absoluteTime(iso), 'data-relative': iso }, relativeTime(iso));
}

// body shows a comment's text with the mentions of people marked.
function bodyEl(c: Comment, names: Record<string, string>, testid: string): HTMLElement {
  const mentioned: Mentionable[] = (c.mentions ?? []).map((u) => ({ user: u, name: names[u] ?? '' })).filter((m) => m.name !== '');
  return h(
    'p',
    { class: 'comment-body', 'data-testid': testid },
    splitBody(c.body, mentioned).map((p) => (p.user ? h('span', { class: 'mention', 'data-user': p.user }, p.text) : p.text)),
  );
}

// commentEl is one comment of a thread: who, when, the text, and the
// author's edit and delete.
function commentEl(c: Comment, th: Thread, ctx: CardContext, root: boolean): HTMLElement {
  const who = ctx.name(c.author, th.names);
  const editing = ctx.editing === c.id && !c.deleted;
  let body: HTMLElement;
  if (c.deleted) {
    body = h('p', { class: 'comment-body deleted', 'data-testid': root ? 'thread-body' : 'reply-body' }, t('review.commentDeleted'));
  } else if (editing) {
    const key = `edit:${c.id}`;
    const field = new MentionField({
      label: t('review.editLabel'),
      testid: 'edit-input',
      key,
      members: ctx.members,
      me: ctx.rights.me,
      value: ctx.drafts.get(key) ?? c.body,
      onInput: (v) => ctx.drafts.set(key, v),
      onSubmit: () => ctx.act.saveEdit(c, field),
      onCancel: () => ctx.act.cancelEdit(),
    });
    body = h(
      'form',
      {
        class: 'comment-edit',
        onsubmit: (e: SubmitEvent) => {
          e.preventDefault();
          ctx.act.saveEdit(c, field);
        },
      },
      field.element,
      h(
        'p',
        { class: 'buttons' },
        h('button', { type: 'submit', class: 'primary', 'data-testid': 'edit-save', 'data-key': `edit-save:${c.id}`, disabled: ctx.busy.has(key) }, t('review.save')),
        h('button', { type: 'button', 'data-key': `edit-cancel:${c.id}`, onclick: () => ctx.act.cancelEdit() }, t('review.cancel')),
      ),
    );
  } else {
    body = bodyEl(c, th.names, root ? 'thread-body' : 'reply-body');
  }
  const own = canEdit(c, ctx.rights) && !editing;
  return h(
    root ? 'div' : 'li',
    { class: `comment${root ? ' root' : ' reply'}`, 'data-comment-id': c.id, 'data-testid': root ? undefined : 'reply' },
    h(
      'p',
      { class: 'byline' },
      h('strong', { class: 'author' }, who),
      ' ',
      timeEl(c.created),
      c.edited && !c.deleted ? h('span', { class: 'edited' }, ` ${t('review.edited')}`) : null,
    ),
    body,
    own
      ? h(
          'p',
          { class: 'comment-tools' },
          h(
            'button',
            {
              type: 'button',
              class: 'link',
              'data-testid': 'edit-comment',
              'data-key': `edit-btn:${c.id}`,
              onclick: () => ctx.act.startEdit(c),
            },
            t('review.edit'),
          ),
          ' ',
          h(
            'button',
            {
              type: 'button',
              class: 'link danger',
              'data-testid': 'delete-comment',
              'data-key': `delete-btn:${c.id}`,
              disabled: ctx.busy.has(`delete:${c.id}`),
              onclick: () => ctx.act.remove(c),
            },
            t('review.delete'),
          ),
        )
      : null,
  );
}

/** threadCard builds the card of a thread; orphaned says its text is gone (here or on the server). */
export function threadCard(th: Thread, ctx: CardContext, orphaned: boolean): HTMLElement {
  const key = threadKey(th.id);
  const headId = uniqueId('thread');
  const author = ctx.name(th.author, th.names);
  const busy = (k: string) => ctx.busy.has(`${k}:${th.id}`);
  const badges: HTMLElement[] = [];
  if (th.required) badges.push(h('span', { class: 'badge badge-required', 'data-testid': 'required-badge' }, t('review.required')));
  if (th.required && th.done) badges.push(h('span', { class: 'badge badge-done', 'data-testid': 'done-badge' }, t('review.doneBadge')));
  if (th.resolved) badges.push(h('span', { class: 'badge badge-resolved' }, t('review.resolvedBadge')));

  const actions: HTMLElement[] = [];
  if (canResolve(th, ctx.rights)) {
    actions.push(
      th.resolved
        ? h('button', { type: 'button', 'data-testid': 'reopen-thread', 'data-key': `reopen:${th.id}`, disabled: busy('resolve'), onclick: () => ctx.act.flag(th, 'resolve', false) }, t('review.reopen'))
        : h(
            'button',
            { type: 'button', class: 'primary', 'data-testid': 'resolve-thread', 'data-key': `resolve:${th.id}`, disabled: busy('resolve'), onclick: () => ctx.act.flag(th, 'resolve', true) },
            th.required ? t('review.resolveRequired') : t('review.resolve'),
          ),
    );
  }
  if (canMarkDone(th, ctx.rights)) {
    actions.push(
      h(
        'button',
        {
          type: 'button',
          'data-testid': 'mark-done',
          'data-key': `done:${th.id}`,
          'aria-pressed': String(th.done),
          disabled: busy('done'),
          onclick: () => ctx.act.flag(th, 'done', !th.done),
        },
        t('review.markDone'),
      ),
    );
  }
  if (canRequire(th, ctx.rights)) {
    actions.push(
      h(
        'button',
        {
          type: 'button',
          'data-testid': 'require-change',
          'data-key': `required:${th.id}`,
          'aria-pressed': String(th.required),
          disabled: busy('required'),
          onclick: () => ctx.act.flag(th, 'required', !th.required),
        },
        t('review.requireChange'),
      ),
    );
  }

  let replyForm: HTMLElement | null = null;
  if (canReply(th, ctx.rights)) {
    const rkey = `reply:${th.id}`;
    const field = new MentionField({
      label: t('review.replyTo', { name: author }),
      hideLabel: true,
      testid: 'reply-input',
      key: rkey,
      rows: 1,
      placeholder: t('review.replyPlaceholder'),
      members: ctx.members,
      me: ctx.rights.me,
      value: ctx.drafts.get(rkey) ?? '',
      onInput: (v) => ctx.drafts.set(rkey, v),
      onSubmit: () => ctx.act.reply(th, field),
    });
    replyForm = h(
      'form',
      {
        class: 'reply-form',
        onsubmit: (e: SubmitEvent) => {
          e.preventDefault();
          ctx.act.reply(th, field);
        },
      },
      field.element,
      h('button', { type: 'submit', 'data-testid': 'reply-submit', 'data-key': `reply-submit:${th.id}`, disabled: ctx.busy.has(rkey) }, t('review.replySubmit')),
    );
  }

  const active = ctx.activeKey === key;
  const card = h(
    'article',
    {
      class: `review-card thread${active ? ' is-active' : ''}${th.resolved ? ' is-resolved' : ''}${orphaned ? ' is-orphaned' : ''}${th.required ? ' is-required' : ''}`,
      id: `thread-${th.id}`,
      tabindex: '-1',
      'aria-labelledby': headId,
      'data-testid': 'thread',
      'data-key': key,
      'data-thread-id': th.id,
      'data-orphaned': String(orphaned),
      'data-resolved': String(th.resolved),
      'data-required': String(th.required),
      'data-done': String(th.done),
      'data-active': String(active),
      onclick: (e: MouseEvent) => {
        if (!(e.target as Element).closest('button, a, textarea, input, select')) ctx.act.activate(key, true);
      },
      onfocusin: () => ctx.act.activate(key, false),
    },
    h('h4', { id: headId, class: 'visually-hidden' }, t('review.threadBy', { name: author })),
    badges.length > 0 ? h('p', { class: 'badges' }, badges) : null,
    orphaned ? h('p', { class: 'orphaned-note', 'data-testid': 'thread-orphaned' }, t('review.orphaned')) : null,
    th.quote ? h('blockquote', { class: 'quote', 'data-testid': 'thread-quote' }, th.quote) : null,
    commentEl(th, th, ctx, true),
    th.replies.length > 0 ? h('ol', { class: 'replies', 'aria-label': t('review.replies') }, th.replies.map((r) => commentEl(r, th, ctx, false))) : null,
    th.resolved && th.resolved_by ? h('p', { class: 'hint resolved-by' }, t('review.resolvedBy', { name: ctx.name(th.resolved_by, th.names) })) : null,
    actions.length > 0 ? h('p', { class: 'buttons thread-actions' }, actions) : null,
    replyForm,
  );
  return card;
}

/** suggestionCard builds the card of a suggestion. */
export function suggestionCard(s: Suggestion, ctx: CardContext): HTMLElement {
  const key = suggestionKey(s.id);
  const headId = uniqueId('suggestion');
  const outdatedId = uniqueId('outdated');
  const author = ctx.name(s.author, s.names);
  const open = s.status === 'open';
  const mayDecide = open && ctx.rights.actions.has('decide_suggestion');
  const busy = ctx.busy.has(`decide:${s.id}`);
  const change =
    s.quote && s.text
      ? [t('review.replace'), ' ', h('del', null, s.quote), ' ', t('review.with'), ' ', h('ins', null, s.text)]
      : s.quote
        ? [t('review.remove'), ' ', h('del', null, s.quote)]
        : [t('review.insert'), ' ', h('ins', null, s.text)];

  let decide: HTMLElement | null = null;
  if (mayDecide && ctx.rejecting === s.id) {
    const rkey = `reject:${s.id}`;
    const replyId = uniqueId('reject');
    const reply = h('textarea', {
      id: replyId,
      rows: '2',
      'data-testid': 'reject-reply',
      'data-key': rkey,
      oninput: () => ctx.drafts.set(rkey, reply.value),
    });
    reply.value = ctx.drafts.get(rkey) ?? '';
    decide = h(
      'form',
      {
        class: 'reject-form',
        onsubmit: (e: SubmitEvent) => {
          e.preventDefault();
          ctx.act.reject(s, reply.value.trim());
        },
        onkeydown: (e: KeyboardEvent) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            ctx.act.cancelReject();
          }
        },
      },
      h('label', { for: replyId }, t('review.rejectReply')),
      reply,
      h(
        'p',
        { class: 'buttons' },
        h('button', { type: 'submit', class: 'danger', 'data-testid': 'reject-confirm', 'data-key': `reject-confirm:${s.id}`, disabled: busy }, t('review.rejectConfirm')),
        h('button', { type: 'button', 'data-key': `reject-cancel:${s.id}`, onclick: () => ctx.act.cancelReject() }, t('review.cancel')),
      ),
    );
  } else if (mayDecide) {
    decide = h(
      'p',
      { class: 'buttons' },
      h(
        'button',
        {
          type: 'button',
          class: 'primary',
          'data-testid': 'accept-suggestion',
          'data-key': `accept:${s.id}`,
          disabled: busy || s.outdated,
          'aria-describedby': s.outdated ? outdatedId : undefined,
          onclick: () => ctx.act.accept(s),
        },
        t('review.accept'),
      ),
      h('button', { type: 'button', 'data-testid': 'reject-suggestion', 'data-key': `reject-btn:${s.id}`, disabled: busy, onclick: () => ctx.act.startReject(s) }, t('review.reject')),
    );
  }

  const active = ctx.activeKey === key;
  return h(
    'article',
    {
      class: `review-card suggestion${active ? ' is-active' : ''}${s.outdated && open ? ' is-outdated' : ''} status-${s.status}`,
      id: `suggestion-${s.id}`,
      tabindex: '-1',
      'aria-labelledby': headId,
      'data-testid': 'suggestion',
      'data-key': key,
      'data-suggestion-id': s.id,
      'data-status': s.status,
      'data-outdated': String(s.outdated),
      'data-active': String(active),
      onclick: (e: MouseEvent) => {
        if (!(e.target as Element).closest('button, a, textarea, input, select')) ctx.act.activate(key, true);
      },
      onfocusin: () => ctx.act.activate(key, false),
    },
    h('h4', { id: headId, class: 'visually-hidden' }, t('review.suggestionBy', { name: author })),
    h(
      'p',
      { class: 'badges' },
      h('span', { class: 'badge badge-suggestion' }, t('review.suggestion')),
      !open ? h('span', { class: `badge badge-${s.status}`, 'data-testid': 'suggestion-status' }, t(s.status === 'accepted' ? 'review.accepted' : 'review.rejected')) : null,
      s.outdated && open ? h('span', { class: 'badge badge-outdated', id: outdatedId, 'data-testid': 'suggestion-outdated' }, t('review.outdated')) : null,
    ),
    h('p', { class: 'byline' }, h('strong', { class: 'author' }, author), ' ', timeEl(s.created)),
    h('p', { class: 'suggestion-change', 'data-testid': 'suggestion-change' }, change),
    s.body ? h('p', { class: 'comment-body', 'data-testid': 'suggestion-body' }, s.body) : null,
    s.outdated && open ? h('p', { class: 'hint' }, t('review.outdatedHint')) : null,
    !open && s.decided_by
      ? h('p', { class: 'hint decided-by' }, t(s.status === 'accepted' ? 'review.acceptedBy' : 'review.rejectedBy', { name: ctx.name(s.decided_by, s.names) }))
      : null,
    s.reply ? h('p', { class: 'comment-body decision-reply', 'data-testid': 'suggestion-reply' }, s.reply) : null,
    decide,
  );
}

/** refreshTimes updates the relative times under el ("for 5 minutter siden"). */
export function refreshTimes(el: HTMLElement): void {
  for (const time of el.querySelectorAll<HTMLElement>('time[data-relative]')) {
    const text = relativeTime(time.dataset.relative!);
    if (time.textContent !== text) time.textContent = text;
  }
}
