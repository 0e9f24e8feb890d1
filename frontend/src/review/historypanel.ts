// The section's history panel: who changed the text when, and how much
// ("la til 12 tegn", "godtok forslag fra Kari"), newest first, as the
// server groups it (one person's changes within a minute).
import type { Api } from '../api/client';
import type { HistoryGroup } from '../api/types';
import { h, replace, uniqueId } from '../dom';
import { t } from '../i18n';
import { problemText } from '../pages/labels';
import { absoluteTime, describeGroup, relativeTime } from './history';

/** How many groups are shown. */
const MAX_GROUPS = 200;

export class HistoryPanel {
  readonly element: HTMLElement;
  private readonly listEl: HTMLElement;
  private readonly statusEl: HTMLElement;
  private loading: Promise<void> | null = null;
  private again = false;
  private alive = true;

  constructor(
    private readonly api: Api,
    private readonly plan: string,
    private readonly section: string,
    onClose: () => void,
  ) {
    const headId = uniqueId('history');
    this.listEl = h('ol', { class: 'history-list' });
    this.statusEl = h('p', { class: 'hint', role: 'status' });
    this.element = h(
      'section',
      { class: 'history-panel', id: uniqueId('history-panel'), 'data-testid': 'history-panel', 'aria-labelledby': headId, tabindex: '-1' },
      h(
        'div',
        { class: 'panel-head' },
        h('h3', { id: headId }, t('history.heading')),
        h('button', { type: 'button', class: 'link', 'data-testid': 'history-close', onclick: onClose }, t('history.close')),
      ),
      this.statusEl,
      this.listEl,
    );
  }

  destroy(): void {
    this.alive = false;
  }

  /** refresh fetches the history again (one request at a time, the last one wins). */
  refresh(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    if (this.listEl.childElementCount === 0) this.statusEl.textContent = t('history.loading');
    this.loading = this.api
      .sectionHistory(this.plan, this.section)
      .then((r) => {
        if (!this.alive) return;
        this.show(r.items ?? [], r.names ?? {});
      })
      .catch((err) => {
        if (this.alive) this.statusEl.textContent = problemText(err);
      })
      .finally(() => {
        this.loading = null;
        if (this.again && this.alive) {
          this.again = false;
          void this.refresh();
        }
      });
    return this.loading;
  }

  private show(items: HistoryGroup[], names: Record<string, string>): void {
    this.statusEl.textContent = items.length === 0 ? t('history.empty') : '';
    replace(
      this.listEl,
      items.slice(0, MAX_GROUPS).map((g) =>
        h(
          'li',
          { class: `history-group${g.suggestion ? ' is-suggestion' : ''}${g.kind ? ` kind-${g.kind}` : ''}`, 'data-testid': 'history-group', 'data-by': g.by },
          h('strong', { class: 'author' }, g.name || names[g.by] || t('review.unknown')),
          ' ',
          h('time', { datetime: g.to, title: absoluteTime(g.to), 'data-relative': g.to }, relativeTime(g.to)),
          h('span', { class: 'what', 'data-testid': 'history-what' }, describeGroup(g, names)),
        ),
      ),
    );
  }
}
