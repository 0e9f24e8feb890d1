// "Sett inn tiltak": the leader puts a measure of the section's target
// area into the text of a section of its action part (Handlingsdel, e.g.
// Tiltak) as a live block (editor/measureblot.ts). The block goes where
// the cursor was last, else at the end of the text.
import type { Plan, Section } from '../api/types';
import { h, replace, uniqueId } from '../dom';
import type { Quill } from '../editor/quill';
import { t } from '../i18n';
import { can } from '../pages/phase';

/** Where a section sits among the target areas. */
export interface SectionPlace {
  /** The target area the section is in (or is), if any. */
  area: Section | null;
  /** The section is the action part of its target area (Handlingsdel) or inside it. */
  inAction: boolean;
}

/** placeOf finds a section's target area and whether it is in the area's action part. */
export function placeOf(sections: readonly Section[], id: string): SectionPlace | null {
  const path: Section[] = [];
  const find = (list: readonly Section[]): boolean => {
    for (const s of list) {
      path.push(s);
      if (s.id === id || find(s.children ?? [])) return true;
      path.pop();
    }
    return false;
  };
  if (!find(sections)) return null;
  let area: Section | null = null;
  let areaAt = -1;
  for (let i = path.length - 1; i >= 0; i--) {
    if (path[i]!.kind === 'target_area') {
      area = path[i]!;
      areaAt = i;
      break;
    }
  }
  const inAction = area !== null && path.slice(areaAt + 1).some((s) => s.kind === 'action');
  return { area, inAction };
}

export interface InserterOptions {
  quill: Quill;
  section: string;
  plan: () => Plan | null;
  announce: (text: string) => void;
}

export class MeasureInserter {
  readonly element: HTMLElement;
  private readonly select: HTMLSelectElement;
  private readonly button: HTMLButtonElement;
  private readonly selectId = uniqueId('insert-measure');
  /** The user's last place in the text (the button takes the focus from it). */
  private last: { index: number; length: number } | null = null;
  private readonly onSelection = (range: { index: number; length: number } | null) => {
    if (range) this.last = { index: range.index, length: range.length };
  };
  private shownKey = '';

  constructor(private readonly o: InserterOptions) {
    this.select = h('select', { id: this.selectId, 'data-testid': 'insert-measure-select' });
    this.button = h('button', { type: 'button', 'data-testid': 'insert-measure', onclick: () => this.insert() }, t('content.insert.button'));
    this.element = h(
      'span',
      { class: 'measure-inserter field inline', hidden: true },
      h('label', { for: this.selectId }, t('content.insert.label')),
      this.select,
      this.button,
    );
    o.quill.on('selection-change', this.onSelection);
    this.update();
  }

  /** update shows the inserter when the user may write here and the section is in an action part, with the area's measures. */
  update(): void {
    const plan = this.o.plan();
    const place = plan ? placeOf(plan.sections, this.o.section) : null;
    const show = plan !== null && can(plan, 'edit_text') && place !== null && place.area !== null && place.inAction;
    this.element.hidden = !show;
    if (!show || !plan || !place?.area) return;
    const area = place.area.id;
    const measures = (plan.measures ?? []).filter((m) => m.target_area === area);
    const key = JSON.stringify(measures.map((m) => [m.id, m.title]));
    if (key === this.shownKey) return;
    this.shownKey = key;
    const chosen = this.select.value;
    replace(
      this.select,
      measures.length === 0
        ? h('option', { value: '' }, t('content.insert.none'))
        : measures.map((m) => h('option', { value: m.id, selected: m.id === chosen }, m.title)),
    );
    this.select.disabled = measures.length === 0;
    this.button.disabled = measures.length === 0;
  }

  private insert(): void {
    const id = this.select.value;
    const q = this.o.quill;
    if (!id || !q.isEnabled()) return;
    const end = q.getLength() - 1;
    const at = this.last ? Math.min(this.last.index + this.last.length, end) : end;
    q.insertEmbed(at, 'measure', id, 'user');
    q.setSelection(Math.min(at + 1, q.getLength() - 1), 0, 'user');
    const title = this.select.selectedOptions[0]?.textContent ?? '';
    this.o.announce(t('content.insert.done', { title }));
  }

  destroy(): void {
    this.o.quill.off('selection-change', this.onSelection);
    this.element.remove();
  }
}
