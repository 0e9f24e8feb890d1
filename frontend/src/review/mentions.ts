// @mentions in comment bodies: "@Kari Nordmann" names a member of the
// plan. The body stays plain text; the mentioned user ids are sent beside
// it, read from the text when it is sent (so deleting "@Kari Nordmann"
// from the text also drops the mention).

/** A person who may be mentioned: a member of the plan. */
export interface Mentionable {
  user: string;
  name: string;
  email?: string;
}

/** A mention found in a text: where "@Name" is and whom it names. */
export interface MentionHit {
  start: number;
  end: number;
  user: string;
}

const WORD = /[\p{L}\p{N}_]/u;

/**
 * findMentions returns the mentions in text: at every "@", the longest
 * member name that follows it and ends at a word boundary (so "@Per
 * Persen" is Per Persen, not Per).
 */
export function findMentions(text: string, members: readonly Mentionable[]): MentionHit[] {
  const byLength = [...members].filter((m) => m.name.trim() !== '').sort((a, b) => b.name.length - a.name.length);
  const out: MentionHit[] = [];
  for (let i = text.indexOf('@'); i >= 0; i = text.indexOf('@', i + 1)) {
    if (i > 0 && WORD.test(text[i - 1]!)) continue; // an e-mail address, not a mention
    const rest = text.slice(i + 1).toLocaleLowerCase('nb');
    for (const m of byLength) {
      const name = m.name.toLocaleLowerCase('nb');
      if (!rest.startsWith(name)) continue;
      const after = text[i + 1 + m.name.length];
      if (after !== undefined && WORD.test(after)) continue;
      out.push({ start: i, end: i + 1 + m.name.length, user: m.user });
      i += m.name.length;
      break;
    }
  }
  return out;
}

/** mentionedUsers returns the distinct user ids mentioned in text, in order. */
export function mentionedUsers(text: string, members: readonly Mentionable[]): string[] {
  return [...new Set(findMentions(text, members).map((m) => m.user))];
}

/** The "@query" being typed at the caret. */
export interface MentionQuery {
  /** Where the "@" is. */
  start: number;
  /** What follows it up to the caret. */
  query: string;
}

/**
 * mentionQuery returns the mention being typed before the caret: an "@"
 * at the start or after a space, followed by at most 40 characters
 * without a line break. Null when the caret is not in one.
 */
export function mentionQuery(text: string, caret: number): MentionQuery | null {
  const before = text.slice(0, caret);
  const at = before.lastIndexOf('@');
  if (at < 0) return null;
  if (at > 0 && !/\s|[(«"'"]/.test(before[at - 1]!)) return null;
  const query = before.slice(at + 1);
  if (query.length > 40 || /[\n@]/.test(query) || /^\s/.test(query)) return null;
  return { start: at, query };
}

/** matchMembers returns the members whose name (any word of it) or e-mail starts with query, at most limit. */
export function matchMembers(query: string, members: readonly Mentionable[], exclude = '', limit = 8): Mentionable[] {
  const q = query.trim().toLocaleLowerCase('nb');
  const score = (m: Mentionable): number => {
    const name = m.name.toLocaleLowerCase('nb');
    if (name.startsWith(q)) return 0;
    if (name.split(/\s+/).some((w) => w.startsWith(q))) return 1;
    if ((m.email ?? '').toLocaleLowerCase('nb').startsWith(q)) return 2;
    return -1;
  };
  return members
    .filter((m) => m.user !== exclude && m.name.trim() !== '')
    .map((m) => ({ m, s: q === '' ? 0 : score(m) }))
    .filter((x) => x.s >= 0)
    .sort((a, b) => a.s - b.s || a.m.name.localeCompare(b.m.name, 'nb'))
    .slice(0, limit)
    .map((x) => x.m);
}

/** insertMention replaces the "@query" at q with "@Name " and returns the new text and caret. */
export function insertMention(text: string, caret: number, q: MentionQuery, m: Mentionable): { text: string; caret: number } {
  const mention = `@${m.name} `;
  const after = text.slice(caret).replace(/^ /, '');
  return { text: text.slice(0, q.start) + mention + after, caret: q.start + mention.length };
}

/** A piece of a body to show: plain text, or a mention of a person. */
export type BodyPart = { text: string; user?: string };

/** splitBody cuts a body into text and the mentions of the given users (by their names), for showing. */
export function splitBody(text: string, mentioned: readonly Mentionable[]): BodyPart[] {
  const parts: BodyPart[] = [];
  let at = 0;
  for (const hit of findMentions(text, mentioned)) {
    if (hit.start > at) parts.push({ text: text.slice(at, hit.start) });
    parts.push({ text: text.slice(hit.start, hit.end), user: hit.user });
    at = hit.end;
  }
  if (at < text.length || parts.length === 0) parts.push({ text: text.slice(at) });
  return parts;
}
