// The application shell: header (connection, name, language), the router
// and the pages. Until accounts exist, the user gives a display name once;
// it is kept in localStorage and sent in the WebSocket hello.
import { Session } from './collab/session';
import { claimClientId, displayName, setDisplayName } from './collab/storage';
import { h, replace, uniqueId } from './dom';
import { initLang, lang, LANGS, setLang, t, type Lang } from './i18n';
import { PlanPage } from './pages/plan';
import { PlanListPage } from './pages/planlist';
import { parseRoute, type Page, type Route, type Router } from './pages/router';

export class App implements Router {
  private readonly header: HTMLElement;
  private readonly main: HTMLElement;
  private page: Page | null = null;
  private session: Session | null = null;
  private clientId = '';
  private connEl: HTMLElement | null = null;

  constructor(private readonly root: HTMLElement) {
    initLang();
    this.header = h('header', { class: 'site-header' });
    this.main = h('main', { id: 'main', tabindex: '-1' });
    replace(root, h('a', { class: 'skip-link', href: '#main' }, t('app.skip')), this.header, this.main);
    document.addEventListener('click', (e) => this.onClick(e));
    window.addEventListener('popstate', () => this.render(false));
  }

  async start(): Promise<void> {
    this.clientId = await claimClientId();
    this.renderHeader();
    if (!displayName()) {
      this.askName();
      return;
    }
    this.startSession();
    this.render(false);
  }

  navigate(path: string, opts: { replace?: boolean } = {}): void {
    if (path === location.pathname) {
      this.render(false);
      return;
    }
    if (opts.replace) history.replaceState(null, '', path);
    else history.pushState(null, '', path);
    this.render(true);
  }

  private startSession(): void {
    if (this.session) return;
    this.session = new Session(this.clientId, displayName);
    this.session.onState((s) => {
      if (!this.connEl) return;
      this.connEl.dataset.state = s;
      this.connEl.textContent = s === 'open' ? t('conn.online') : s === 'connecting' ? t('conn.connecting') : t('conn.offline');
    });
    this.session.start();
  }

  private onClick(e: MouseEvent): void {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.('a[data-link]') as HTMLAnchorElement | null;
    if (!a || a.origin !== location.origin) return;
    e.preventDefault();
    this.navigate(a.pathname);
  }

  private render(moveFocus: boolean): void {
    if (!this.session) return;
    const route: Route = parseRoute(location.pathname);
    if (this.page?.update?.(route)) return;
    this.page?.destroy();
    this.page = null;
    switch (route.name) {
      case 'plans':
        this.page = new PlanListPage(this);
        document.title = `${t('plans.heading')} – ${t('app.title')}`;
        break;
      case 'plan':
        this.page = new PlanPage(this, this.session, route.plan, route.section);
        break;
      default:
        this.page = notFound();
        document.title = `${t('notfound.heading')} – ${t('app.title')}`;
    }
    replace(this.main, this.page.element);
    if (moveFocus) (this.main.querySelector('h1') as HTMLElement | null)?.focus();
  }

  private renderHeader(): void {
    const langId = uniqueId('lang');
    const select = h(
      'select',
      {
        id: langId,
        onchange: () => {
          setLang(select.value as Lang);
          this.rerender();
        },
      },
      LANGS.map((l) => h('option', { value: l, selected: l === lang() }, t(`lang.${l}`))),
    );
    this.connEl = h('span', { class: 'conn', dataset: { state: this.session?.state ?? 'offline' } });
    const name = displayName();
    replace(
      this.header,
      h('a', { class: 'brand', href: '/', 'data-link': '' }, t('app.title')),
      h('nav', { 'aria-label': t('app.nav') }, h('ul', null, h('li', null, h('a', { href: '/', 'data-link': '' }, t('app.plans'))))),
      h(
        'div',
        { class: 'header-tools' },
        this.connEl,
        name ? h('span', { class: 'me' }, t('name.you', { name })) : null,
        name ? h('button', { type: 'button', class: 'link', onclick: () => this.askName() }, t('name.change')) : null,
        h('span', { class: 'field inline' }, h('label', { for: langId }, t('app.language')), select),
      ),
    );
    if (this.session) {
      const s = this.session.state;
      this.connEl.dataset.state = s;
      this.connEl.textContent = s === 'open' ? t('conn.online') : s === 'connecting' ? t('conn.connecting') : t('conn.offline');
    }
  }

  private rerender(): void {
    replace(this.root.querySelector('.skip-link')!, t('app.skip'));
    this.renderHeader();
    if (!this.session) {
      this.askName();
      return;
    }
    this.page?.destroy();
    this.page = null;
    this.render(false);
  }

  private askName(): void {
    this.page?.destroy();
    this.page = null;
    const inputId = uniqueId('name');
    const errId = uniqueId('name-err');
    const input = h('input', { id: inputId, type: 'text', autocomplete: 'name', value: displayName(), maxlength: '100', 'aria-describedby': errId, 'aria-required': 'true' });
    const err = h('p', { id: errId, class: 'error', 'aria-live': 'assertive' });
    const form = h(
      'form',
      {
        class: 'card name-form',
        onsubmit: (e: SubmitEvent) => {
          e.preventDefault();
          const name = input.value.trim();
          if (!name) {
            err.textContent = t('name.required');
            input.setAttribute('aria-invalid', 'true');
            input.focus();
            return;
          }
          const changed = name !== displayName();
          setDisplayName(name);
          this.renderHeader();
          if (this.session && changed) location.reload(); // the hello carries the name
          this.startSession();
          this.render(false);
          (this.main.querySelector('h1') as HTMLElement | null)?.focus();
        },
      },
      h('h1', { tabindex: '-1' }, t('name.heading')),
      h('p', null, t('name.intro')),
      h('p', { class: 'field' }, h('label', { for: inputId }, t('name.label')), input),
      err,
      h('p', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('name.submit'))),
    );
    replace(this.main, form);
    document.title = `${t('name.heading')} – ${t('app.title')}`;
    input.focus();
  }
}

function notFound(): Page {
  const element = h(
    'div',
    { class: 'page' },
    h('h1', { tabindex: '-1' }, t('notfound.heading')),
    h('p', null, h('a', { href: '/', 'data-link': '' }, t('notfound.back'))),
  );
  return { element, destroy: () => {} };
}
