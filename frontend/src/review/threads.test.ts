import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Comment, Suggestion, Thread } from '../api/types';
import { canEdit, canMarkDone, canReply, canRequire, canResolve, inTextOrder, newComments, suggestionMatches, threadMatches, visibleThread, type Rights } from './threads';

const comment = (id: string, over: Partial<Comment> = {}): Comment => ({
  id,
  thread: id,
  author: 'kari',
  body: 'tekst',
  mentions: [],
  created: '2026-11-01T10:00:00Z',
  deleted: false,
  resolved: false,
  required: false,
  done: false,
  ...over,
});

const thread = (id: string, over: Partial<Thread> = {}): Thread => ({ ...comment(id), replies: [], orphaned: false, names: {}, ...over });

const suggestion = (id: string, status: Suggestion['status']): Suggestion => ({
  id,
  section: 's',
  anchor: { v: 0, index: 0, length: 1 },
  quote: 'a',
  text: 'b',
  author: 'ola',
  created: '2026-11-01T10:00:00Z',
  status,
  outdated: false,
  names: {},
});

const rights = (me: string, ...actions: string[]): Rights => ({ me, actions: new Set(actions) });

describe('filters', () => {
  const open = thread('a');
  const resolved = thread('b', { resolved: true });
  const mentionsMe = thread('c', { replies: [comment('c1', { thread: 'c', mentions: ['me'] })] });
  const deletedAlone = thread('d', { deleted: true, body: '' });
  const deletedWithReply = thread('e', { deleted: true, body: '', replies: [comment('e1', { thread: 'e' })] });
  const all = [open, resolved, mentionsMe, deletedAlone, deletedWithReply];
  const ids = (f: 'open' | 'resolved' | 'mentions') => all.filter((t) => threadMatches(t, f, 'me')).map((t) => t.id);

  it('shows open threads under "Åpne", resolved ones under "Løste"', () => {
    assert.deepEqual(ids('open'), ['a', 'c', 'e']);
    assert.deepEqual(ids('resolved'), ['b']);
  });

  it('shows threads where someone mentions me under "Til meg"', () => {
    assert.deepEqual(ids('mentions'), ['c']);
  });

  it('hides a deleted thread unless replies are left', () => {
    assert.equal(visibleThread(deletedAlone), false);
    assert.equal(visibleThread(deletedWithReply), true);
  });

  it('shows open suggestions as open, decided ones as resolved, none as mine', () => {
    assert.equal(suggestionMatches(suggestion('s', 'open'), 'open'), true);
    assert.equal(suggestionMatches(suggestion('s', 'accepted'), 'open'), false);
    assert.equal(suggestionMatches(suggestion('s', 'rejected'), 'resolved'), true);
    assert.equal(suggestionMatches(suggestion('s', 'open'), 'mentions'), false);
  });
});

describe('inTextOrder', () => {
  it('orders by where the text starts, then ends, then age; items without text last', () => {
    const items = [
      { item: 'orphan-new', range: null, created: '2026-11-03' },
      { item: 'late', range: { index: 40, length: 2 }, created: '2026-11-01' },
      { item: 'early-long', range: { index: 3, length: 10 }, created: '2026-11-01' },
      { item: 'orphan-old', range: null, created: '2026-11-01' },
      { item: 'early-short', range: { index: 3, length: 2 }, created: '2026-11-02' },
      { item: 'early-short-older', range: { index: 3, length: 2 }, created: '2026-11-01' },
    ];
    assert.deepEqual(
      inTextOrder(items).map((x) => x.item),
      ['early-short-older', 'early-short', 'early-long', 'late', 'orphan-old', 'orphan-new'],
    );
  });
});

describe('rights', () => {
  it('lets the author resolve their own thread and the leader any', () => {
    const t = thread('a', { author: 'kari' });
    assert.equal(canResolve(t, rights('kari', 'comment')), true);
    assert.equal(canResolve(t, rights('ola', 'comment')), false);
    assert.equal(canResolve(t, rights('leder', 'comment', 'resolve_any_thread')), true);
  });

  it('lets only the steering group resolve a required change, after the leader marked it made', () => {
    const req = thread('a', { author: 'kari', required: true });
    assert.equal(canResolve(req, rights('kari', 'comment')), false, 'not even its author');
    assert.equal(canResolve(req, rights('leder', 'comment', 'resolve_any_thread')), false);
    assert.equal(canResolve(req, rights('styring', 'comment', 'resolve_required_change')), false, 'not made yet');
    assert.equal(canResolve({ ...req, done: true }, rights('styring', 'comment', 'resolve_required_change')), true);
  });

  it('gives the steering group the required-change toggle and the leader "Utført"', () => {
    const t = thread('a');
    assert.equal(canRequire(t, rights('styring', 'require_change')), true);
    assert.equal(canRequire(t, rights('leder', 'mark_change_done')), false);
    assert.equal(canMarkDone(t, rights('leder', 'mark_change_done')), false, 'not a required change');
    assert.equal(canMarkDone({ ...t, required: true }, rights('leder', 'mark_change_done')), true);
    assert.equal(canMarkDone({ ...t, required: true, resolved: true }, rights('leder', 'mark_change_done')), false);
  });

  it('lets authors edit their own comments, and commenters reply', () => {
    assert.equal(canEdit(comment('a', { author: 'kari' }), rights('kari', 'comment')), true);
    assert.equal(canEdit(comment('a', { author: 'kari' }), rights('ola', 'comment')), false);
    assert.equal(canEdit(comment('a', { author: 'kari', deleted: true }), rights('kari', 'comment')), false);
    assert.equal(canReply(thread('a'), rights('ola', 'comment')), true);
    assert.equal(canReply(thread('a'), rights('ola')), false);
    assert.equal(canReply(thread('a', { deleted: true }), rights('ola', 'comment')), false);
  });
});

describe('newComments', () => {
  it('finds what others wrote since, not my own', () => {
    const before = [thread('a')];
    const after = [
      thread('a', { replies: [comment('a1', { thread: 'a', author: 'ola' }), comment('a2', { thread: 'a', author: 'me' })] }),
      thread('b', { author: 'ola' }),
    ];
    assert.deepEqual(
      newComments(before, after, 'me').map((x) => x.comment.id),
      ['a1', 'b'],
    );
  });
});
