// The review side panel as data: which threads and suggestions the filter
// shows, in the order of the text they are about, and what the user may
// do with each. The server decides every action again; this only keeps
// buttons away that it would refuse.
import type { Comment, Suggestion, Thread } from '../api/types';
import type { TextRange } from './ranges';

/** The panel's filters: open threads and suggestions, resolved/decided ones, threads that mention me. */
export type ReviewFilter = 'open' | 'resolved' | 'mentions';

/** comments returns a thread's root and replies. */
export function commentsOf(t: Thread): Comment[] {
  return [t, ...t.replies];
}

/** visibleThread reports whether a thread is shown at all: a deleted root stays only for its replies. */
export function visibleThread(t: Thread): boolean {
  return !t.deleted || t.replies.some((r) => !r.deleted);
}

/** threadMatches reports whether the filter shows thread t to user me (as the server's status/mentions filters do). */
export function threadMatches(t: Thread, filter: ReviewFilter, me: string): boolean {
  if (!visibleThread(t)) return false;
  switch (filter) {
    case 'open':
      return !t.resolved;
    case 'resolved':
      return t.resolved;
    case 'mentions':
      return commentsOf(t).some((c) => !c.deleted && (c.mentions ?? []).includes(me));
  }
}

/** suggestionMatches reports whether the filter shows suggestion s: open ones under "open", decided ones under "resolved". */
export function suggestionMatches(s: Suggestion, filter: ReviewFilter): boolean {
  switch (filter) {
    case 'open':
      return s.status === 'open';
    case 'resolved':
      return s.status !== 'open';
    case 'mentions':
      return false;
  }
}

/** An item of the panel with where its text is now (null: the text is gone). */
export interface Placed<T> {
  item: T;
  range: TextRange | null;
  created: string;
}

/**
 * inTextOrder orders items by where their text starts (then where it
 * ends, then by age); items whose text is gone come last, oldest first.
 */
export function inTextOrder<T>(items: Placed<T>[]): Placed<T>[] {
  return [...items].sort((a, b) => {
    if (a.range && b.range) {
      return a.range.index - b.range.index || a.range.length - b.range.length || a.created.localeCompare(b.created);
    }
    if (a.range) return -1;
    if (b.range) return 1;
    return a.created.localeCompare(b.created);
  });
}

/** What a user may do in a plan now (plan.you.actions) and who they are. */
export interface Rights {
  me: string;
  actions: ReadonlySet<string>;
}

/** canResolve reports whether the user may resolve or reopen t: a required change only the steering group, once the leader marked it made. */
export function canResolve(t: Thread, r: Rights): boolean {
  if (t.deleted) return false;
  if (t.required) return r.actions.has('resolve_required_change') && (t.done || t.resolved);
  return r.actions.has('resolve_any_thread') || (t.author === r.me && r.actions.has('comment'));
}

/** canEdit reports whether the user may edit or delete comment c (their own). */
export function canEdit(c: Comment, r: Rights): boolean {
  return !c.deleted && c.author === r.me && r.actions.has('comment');
}

/** canReply reports whether the user may reply to t. */
export function canReply(t: Thread, r: Rights): boolean {
  return !t.deleted && r.actions.has('comment');
}

/** canRequire reports whether the user may mark t as a required change or unmark it (the steering group). */
export function canRequire(t: Thread, r: Rights): boolean {
  return !t.deleted && !t.resolved && r.actions.has('require_change');
}

/** canMarkDone reports whether the user may mark the required change t as made, or not (the leader). */
export function canMarkDone(t: Thread, r: Rights): boolean {
  return !t.deleted && t.required && !t.resolved && r.actions.has('mark_change_done');
}

/** nameOf returns a person's name from the names the server sent, else the fallback. */
export function nameOf(id: string, ...maps: (Record<string, string> | undefined)[]): string | null {
  for (const m of maps) {
    const n = m?.[id];
    if (n) return n;
  }
  return null;
}

/** newComments returns the comments of after that were not in before, written by someone other than me. */
export function newComments(before: readonly Thread[], after: readonly Thread[], me: string): { thread: Thread; comment: Comment }[] {
  const known = new Set<string>();
  for (const t of before) for (const c of commentsOf(t)) known.add(c.id);
  const out: { thread: Thread; comment: Comment }[] = [];
  for (const t of after) for (const c of commentsOf(t)) if (!known.has(c.id) && c.author !== me && !c.deleted) out.push({ thread: t, comment: c });
  return out;
}
