// The plan's outline as data: finding sections and applying the plan
// events that arrive over the WebSocket, the same way the server folds its
// plan log (collab/plan_change.go). An event this client cannot apply makes
// the page reload the plan instead.
import type { Plan, Section } from '../api/types';

export interface Located {
  section: Section;
  parent: Section | null;
  list: Section[];
  index: number;
  depth: number;
}

/** findSection locates a section in the tree. */
export function findSection(sections: Section[], id: string, parent: Section | null = null, depth = 0): Located | null {
  for (let i = 0; i < sections.length; i++) {
    const s = sections[i]!;
    if (s.id === id) return { section: s, parent, list: sections, index: i, depth };
    const inner = findSection(s.children ?? [], id, s, depth + 1);
    if (inner) return inner;
  }
  return null;
}

/** walk visits every section in outline order. */
export function walk(sections: Section[], fn: (s: Section, depth: number) => void, depth = 0): void {
  for (const s of sections) {
    fn(s, depth);
    walk(s.children ?? [], fn, depth + 1);
  }
}

function insertAt(list: Section[], index: number, s: Section): void {
  if (index < 0 || index > list.length) list.push(s);
  else list.splice(index, 0, s);
}

function childrenOf(plan: Plan, parent: string): Section[] | null {
  if (!parent) return plan.sections;
  const p = findSection(plan.sections, parent);
  return p ? p.section.children : null;
}

function normalise(s: Section): Section {
  return { ...s, contributors: s.contributors ?? [], children: (s.children ?? []).map(normalise) };
}

/**
 * PLAN_NEUTRAL_EVENTS are plan events that change nothing the plan page
 * shows of the plan itself: applyEvent only counts them.
 */
export const PLAN_NEUTRAL_EVENTS: ReadonlySet<string> = new Set(['comment.added', 'suggestion.added', 'suggestion.decided']);

export interface PlanEvent {
  seq: number;
  kind: string;
  data: unknown;
}

/**
 * applyEvent returns the plan after the event, or null when the event
 * cannot be applied here (an unknown kind, a gap in seq, a section that is
 * not there): the caller reloads the plan then. Events at or before the
 * plan's seq are already in it and return the plan unchanged.
 */
export function applyEvent(plan: Plan, e: PlanEvent): Plan | null {
  if (e.seq <= plan.seq) return plan;
  if (e.seq !== plan.seq + 1) return null;
  const next: Plan = structuredClone(plan);
  next.seq = e.seq;
  const d = (e.data ?? {}) as Record<string, unknown>;
  switch (e.kind) {
    case 'section.added': {
      const list = childrenOf(next, String(d.parent ?? ''));
      const s = d.section as Section | undefined;
      if (!list || !s?.id || findSection(next.sections, s.id)) return null;
      insertAt(list, typeof d.index === 'number' ? d.index : -1, normalise(s));
      return next;
    }
    case 'section.updated': {
      const f = findSection(next.sections, String(d.id ?? ''));
      if (!f) return null;
      if (typeof d.title === 'string') f.section.title = d.title;
      if (typeof d.status === 'string') f.section.status = d.status as Section['status'];
      if (typeof d.responsible === 'string') f.section.responsible = d.responsible;
      if (Array.isArray(d.contributors)) f.section.contributors = d.contributors.map(String);
      return next;
    }
    case 'section.moved': {
      const id = String(d.id ?? '');
      const f = findSection(next.sections, id);
      if (!f) return null;
      f.list.splice(f.index, 1);
      const to = childrenOf(next, String(d.parent ?? ''));
      if (!to) return null;
      insertAt(to, typeof d.index === 'number' ? d.index : -1, f.section);
      return next;
    }
    case 'section.deleted': {
      const f = findSection(next.sections, String(d.id ?? ''));
      if (!f) return null;
      f.list.splice(f.index, 1);
      return next;
    }
    // Review events that change nothing the plan shows (the threads and
    // suggestions are fetched apart; the open required changes only change
    // with the other review events, which reload the plan).
    default:
      if (PLAN_NEUTRAL_EVENTS.has(e.kind)) return next;
      return null;
  }
}

/** Where a section is moved to: a parent ('' for the top) and an index in its children after the section left them. */
export interface MoveTarget {
  parent: string;
  index: number;
}

/**
 * stepTarget returns where a section goes when it moves `by` places among
 * its siblings (the keyboard's Alt+ArrowUp/Down, the buttons), or null at
 * either end or for a section that is not there.
 */
export function stepTarget(sections: Section[], id: string, by: number): MoveTarget | null {
  const f = findSection(sections, id);
  if (!f) return null;
  const index = f.index + by;
  if (index < 0 || index >= f.list.length || by === 0) return null;
  return { parent: f.parent?.id ?? '', index };
}

/**
 * dropTarget returns where a dragged section goes when it is dropped
 * before or after another section: the outline is reordered among
 * siblings only, so a drop on a section of another parent (or on itself,
 * or where it already is) is null. The index counts the list after the
 * section left it, as the server does (POST …/move, section.moved).
 */
export function dropTarget(sections: Section[], id: string, on: string, where: 'before' | 'after'): MoveTarget | null {
  const from = findSection(sections, id);
  const to = findSection(sections, on);
  if (!from || !to || id === on || from.list !== to.list) return null;
  let index = to.index + (where === 'after' ? 1 : 0);
  if (from.index < index) index--;
  if (index === from.index) return null;
  return { parent: from.parent?.id ?? '', index };
}
