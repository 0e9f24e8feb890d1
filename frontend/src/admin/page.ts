// The administration area (/admin): the municipality's administrator
// manages its people (Brukere), its plans (Planer) and its settings
// (Innstillinger), one page per tab, reached from the header. Others get
// the server's refusal: every call here is checked by the policy.
import './admin.css';
import type { Api } from '../api/client';
import type { Me } from '../api/types';
import { h } from '../dom';
import { t } from '../i18n';
import type { Page, Route } from '../pages/router';
import { AdminApi } from './api';
import { PlansPanel } from './plans';
import { SettingsPanel } from './settings';
import { ADMIN_TABS, type AdminTab } from './tabs';
import { UsersPanel } from './users';

export class AdminPage implements Page {
  readonly element: HTMLElement;
  private readonly status: HTMLElement;
  private readonly panel: { element: HTMLElement; destroy(): void };

  constructor(api: Api, me: Me, tab: AdminTab) {
    const admin = new AdminApi(api);
    this.status = h('p', { class: 'notice', role: 'status', 'data-testid': 'admin-status' });
    const announce = (text: string) => {
      // Emptied first, so that the same message twice is announced twice.
      this.status.textContent = '';
      window.setTimeout(() => (this.status.textContent = text), 50);
    };
    switch (tab) {
      case 'plans':
        this.panel = new PlansPanel(api, admin, me, announce);
        break;
      case 'settings':
        this.panel = new SettingsPanel(admin, me, announce);
        break;
      default:
        this.panel = new UsersPanel(admin, me, announce);
    }
    this.element = h(
      'div',
      { class: 'page page-admin' },
      h('h1', { tabindex: '-1' }, t('admin.heading')),
      h(
        'nav',
        { 'aria-label': t('admin.nav') },
        h(
          'ul',
          { class: 'admin-tabs' },
          ADMIN_TABS.map((x) =>
            h('li', null, h('a', { href: x.path, 'data-link': '', 'aria-current': x.tab === tab ? 'page' : undefined }, t(x.label))),
          ),
        ),
      ),
      this.status,
      this.panel.element,
    );
  }

  destroy(): void {
    this.panel.destroy();
  }

  update(route: Route): boolean {
    void route;
    return false;
  }
}
