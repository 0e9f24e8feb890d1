// The plan page's outline as elements: each section a link with its status
// and responsible person, and for whoever may change the structure the
// reordering of sections among their siblings — Alt+ArrowUp/Down on a
// section's link, or dragging it (HTML5 drag and drop) before or after a
// sibling. Where a section goes is worked out by pages/outline.ts
// (stepTarget, dropTarget); the page moves it through the move API and
// says so in its status region.
import type { Member, Plan, Section } from '../api/types';
import { h, uniqueId } from '../dom';
import { t } from '../i18n';
import { statusText } from './labels';
import { dropTarget, stepTarget, type MoveTarget } from './outline';
import { planPath } from './router';

export interface OutlineTreeOptions {
  plan: Plan;
  selected: string | null;
  /** Moves a section; null when the user may not change the structure. */
  reorder: ((id: string, to: MoveTarget) => void) | null;
}

/** personName names a member by user id; someone no longer a member by their id. */
function personName(members: readonly Member[] | undefined, user: string): string {
  return members?.find((m) => m.user === user)?.name || user;
}

const DROP_CLASSES = ['drop-before', 'drop-after'];

/**
 * outlineTree returns the outline's list (and, for whoever may reorder, a
 * hint of the keys under it).
 */
export function outlineTree(o: OutlineTreeOptions): HTMLElement[] {
  const { plan, reorder } = o;
  const hintId = reorder ? uniqueId('outline-hint') : undefined;
  // The section being dragged from this tree (dataTransfer cannot be read while dragging over).
  let dragged: string | null = null;

  const clearMarks = (root: HTMLElement) => {
    for (const el of root.querySelectorAll(`.${DROP_CLASSES.join(', .')}`)) el.classList.remove(...DROP_CLASSES);
  };
  const half = (e: DragEvent, a: HTMLElement): 'before' | 'after' => {
    const r = a.getBoundingClientRect();
    return e.clientY < r.top + r.height / 2 ? 'before' : 'after';
  };

  const link = (s: Section): HTMLElement => {
    const a = h(
      'a',
      {
        href: planPath(plan.id, s.id),
        'data-link': '',
        'aria-current': s.id === o.selected ? 'page' : undefined,
        'aria-describedby': hintId,
        draggable: reorder ? 'true' : undefined,
      },
      h('span', { class: 'title' }, s.title),
      ' ',
      h('span', { class: `status status-${s.status}` }, statusText(s.status)),
      s.responsible ? [' ', h('span', { class: 'responsible', 'data-testid': 'outline-responsible' }, t('outline.responsible', { name: personName(plan.members, s.responsible) }))] : null,
    );
    if (!reorder) return a;
    a.addEventListener('keydown', (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
      e.preventDefault();
      const to = stepTarget(plan.sections, s.id, e.key === 'ArrowUp' ? -1 : 1);
      if (to) reorder(s.id, to);
    });
    a.addEventListener('dragstart', (e: DragEvent) => {
      dragged = s.id;
      e.dataTransfer?.setData('text/plain', s.title);
      if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
      a.classList.add('dragging');
    });
    a.addEventListener('dragend', () => {
      dragged = null;
      a.classList.remove('dragging');
      const root = a.closest('ol.tree');
      if (root instanceof HTMLElement) clearMarks(root);
    });
    a.addEventListener('dragover', (e: DragEvent) => {
      if (!dragged) return;
      const where = half(e, a);
      if (!dropTarget(plan.sections, dragged, s.id, where)) {
        a.classList.remove(...DROP_CLASSES);
        return;
      }
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'move';
      a.classList.toggle('drop-before', where === 'before');
      a.classList.toggle('drop-after', where === 'after');
    });
    a.addEventListener('dragleave', () => a.classList.remove(...DROP_CLASSES));
    a.addEventListener('drop', (e: DragEvent) => {
      if (!dragged) return;
      e.preventDefault();
      a.classList.remove(...DROP_CLASSES);
      const to = dropTarget(plan.sections, dragged, s.id, half(e, a));
      const id = dragged;
      dragged = null;
      if (to) reorder(id, to);
    });
    return a;
  };

  const list = (sections: Section[], depth: number): HTMLElement =>
    h(
      'ol',
      { class: depth === 0 ? 'tree' : 'tree sub' },
      sections.map((s) =>
        h('li', { class: `kind-${s.kind}`, dataset: { section: s.id } }, link(s), s.children.length > 0 ? list(s.children, depth + 1) : null),
      ),
    );
  const out = [list(plan.sections, 0)];
  if (hintId) out.push(h('p', { id: hintId, class: 'hint outline-hint' }, t('outline.reorderHint')));
  return out;
}

/** movedText says where a moved section now is, for the status region. */
export function movedText(plan: Plan, to: MoveTarget, title: string): string {
  const siblings = to.parent ? (findChildren(plan.sections, to.parent) ?? []) : plan.sections;
  return t('outline.moved', { title, index: to.index + 1, count: Math.max(siblings.length, to.index + 1) });
}

function findChildren(sections: Section[], id: string): Section[] | null {
  for (const s of sections) {
    if (s.id === id) return s.children;
    const inner = findChildren(s.children ?? [], id);
    if (inner) return inner;
  }
  return null;
}

/**
 * responsibleSelect is the leader's choice of a section's responsible
 * person among the plan's members (or nobody).
 */
export function responsibleSelect(plan: Plan, s: Section, id: string, onChange: (user: string) => void): HTMLSelectElement {
  const members = [...(plan.members ?? [])].sort((a, b) => a.name.localeCompare(b.name, 'nb'));
  const known = !s.responsible || members.some((m) => m.user === s.responsible);
  const select = h(
    'select',
    { id, dataset: { action: 'responsible' }, 'data-testid': 'section-responsible', onchange: () => onChange(select.value) },
    h('option', { value: '', selected: !s.responsible }, t('outline.responsibleNone')),
    members.map((m) => h('option', { value: m.user, selected: m.user === s.responsible }, m.name)),
    known ? null : h('option', { value: s.responsible!, selected: true }, s.responsible!),
  );
  return select;
}
