// The plan list: the plans the user is a member of (an administrator: every
// plan of the municipality) with type, phase and the user's roles, and for
// administrators a form to create a plan from the template "Temaplan om bolig".
import type { Api } from '../api/client';
import type { Me, PlanSummary, PlanType } from '../api/types';
import { h, replace, uniqueId } from '../dom';
import { t } from '../i18n';
import { sortRoles } from './phase';
import { municipalityText, phaseText, problemText, roleText, typeText } from './labels';
import type { Page, Router } from './router';

function formatDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleString(document.documentElement.lang === 'nn' ? 'nn-NO' : 'nb-NO', { dateStyle: 'medium', timeStyle: 'short' });
}

export class PlanListPage implements Page {
  readonly element: HTMLElement;
  private readonly listEl: HTMLElement;
  private alive = true;

  constructor(
    private readonly router: Router,
    private readonly api: Api,
    private readonly me: Me,
  ) {
    this.listEl = h('div', { class: 'plan-list', 'aria-busy': 'true' }, h('p', null, t('plans.loading')));
    this.element = h(
      'div',
      { class: 'page page-plans' },
      h('h1', { tabindex: '-1' }, t('plans.heading')),
      this.listEl,
      me.admin ? this.createForm() : null,
    );
    void this.load();
  }

  destroy(): void {
    this.alive = false;
  }

  private async load(): Promise<void> {
    try {
      const plans = await this.api.listPlans();
      if (!this.alive) return;
      this.renderList(plans);
    } catch (err) {
      if (!this.alive) return;
      replace(this.listEl, h('p', { class: 'error', role: 'alert' }, problemText(err)));
    }
    this.listEl.removeAttribute('aria-busy');
  }

  private renderList(plans: PlanSummary[]): void {
    if (plans.length === 0) {
      replace(this.listEl, h('p', null, t('plans.empty')));
      return;
    }
    plans.sort((a, b) => (a.updated < b.updated ? 1 : a.updated > b.updated ? -1 : 0));
    replace(
      this.listEl,
      h(
        'table',
        { class: 'plans' },
        h('caption', { class: 'visually-hidden' }, t('plans.caption')),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, t('plans.col.title')),
            h('th', { scope: 'col' }, t('plans.col.municipality')),
            h('th', { scope: 'col' }, t('plans.col.type')),
            h('th', { scope: 'col' }, t('plans.col.phase')),
            h('th', { scope: 'col' }, t('plans.col.roles')),
            h('th', { scope: 'col' }, t('plans.col.updated')),
          ),
        ),
        h(
          'tbody',
          null,
          plans.map((p) =>
            h(
              'tr',
              { dataset: { plan: p.id } },
              h('th', { scope: 'row' }, h('a', { href: `/plans/${encodeURIComponent(p.id)}`, 'data-link': '' }, p.title)),
              h('td', null, municipalityText(p.municipality, this.me)),
              h('td', null, typeText(p.type)),
              h('td', null, h('span', { class: `phase phase-${p.phase}` }, phaseText(p.phase))),
              h('td', { class: 'roles' }, sortRoles(p.roles ?? []).map(roleText).join(', ')),
              h('td', null, p.updated ? h('time', { datetime: p.updated }, formatDate(p.updated)) : ''),
            ),
          ),
        ),
      ),
    );
  }

  private createForm(): HTMLElement {
    const titleId = uniqueId('plan-title');
    const headId = uniqueId('plan-new');
    const title = h('input', { id: titleId, name: 'title', type: 'text', autocomplete: 'off', 'aria-required': 'true', maxlength: '200' });
    const radio = (value: PlanType, checked: boolean) => {
      const id = uniqueId(`type-${value}`);
      return h('span', { class: 'radio' }, h('input', { id, type: 'radio', name: 'type', value, checked }), h('label', { for: id }, typeText(value)));
    };
    const err = h('p', { class: 'error', role: 'alert' });
    const submit = h('button', { type: 'submit', class: 'primary' }, t('plans.create.submit'));
    const form = h(
      'form',
      {
        class: 'create-plan',
        novalidate: true,
        onsubmit: async (e: SubmitEvent) => {
          e.preventDefault();
          const data = new FormData(form);
          const input = {
            title: String(data.get('title') ?? '').trim(),
            type: (data.get('type') === 'kommunedelplan' ? 'kommunedelplan' : 'temaplan') as PlanType,
          };
          if (!input.title) {
            err.textContent = t('plans.create.required');
            title.focus();
            return;
          }
          err.textContent = '';
          submit.disabled = true;
          submit.textContent = t('plans.create.busy');
          try {
            const plan = await this.api.createPlan(input);
            this.router.navigate(`/plans/${encodeURIComponent(plan.id)}`);
          } catch (ex) {
            err.textContent = problemText(ex);
          } finally {
            submit.disabled = false;
            submit.textContent = t('plans.create.submit');
          }
        },
      },
      h('p', { class: 'field' }, h('label', { for: titleId }, t('plans.create.title')), title),
      h('fieldset', null, h('legend', null, t('plans.create.type')), radio('temaplan', true), radio('kommunedelplan', false)),
      err,
      h('p', { class: 'buttons' }, submit),
    );
    return h('section', { class: 'card', 'aria-labelledby': headId }, h('h2', { id: headId }, t('plans.create.heading')), h('p', null, t('plans.create.intro')), form);
  }
}
