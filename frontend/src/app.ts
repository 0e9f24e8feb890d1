// The application shell: header (connection, the signed-in user, "Logg
// ut", language), the router and the pages. Nothing but the login page is
// shown until the auth session is restored or the user signs in; the
// collaboration session (one WebSocket per tab) lives while someone is
// signed in and gets every renewed access token.
import { AdminPage } from './admin/page';
import { Api } from './api/client';
import type { Me } from './api/types';
import { AuthSession, browserAuthDeps, type AuthState } from './auth/session';
import { Session } from './collab/session';
import { claimClientId } from './collab/storage';
import { h, replace, uniqueId } from './dom';
import { initLang, lang, LANGS, setLang, t, type Lang } from './i18n';
import './pages/accessibility.css';
import { AccessibilityPage } from './pages/accessibility';
import { LoginPage } from './pages/login';
import { NotificationsPage } from './pages/notifications';
import { ForgotPasswordPage, SetPasswordPage } from './pages/password';
import { PlanPage } from './pages/plan';
import { PlanListPage } from './pages/planlist';
import { ACCESSIBILITY_PATH, isPublic, loginPath, NOTIFICATIONS_PATH, parseRoute, safeNext, type Page, type Route, type Router } from './pages/router';

export class App implements Router {
  private readonly header: HTMLElement;
  private readonly footer: HTMLElement;
  private readonly main: HTMLElement;
  private readonly flashEl: HTMLElement;
  private readonly pageEl: HTMLElement;
  private readonly auth: AuthSession;
  private readonly api: Api;
  private page: Page | null = null;
  private session: Session | null = null;
  private clientId = '';
  private claimed: Promise<void> = Promise.resolve();
  private connEl: HTMLElement | null = null;
  /** The user the page was built for; another one means a reload. */
  private userId: string | null = null;
  private loggingOut = false;
  private started = false;

  constructor(private readonly root: HTMLElement) {
    initLang();
    this.header = h('header', { class: 'site-header' });
    this.flashEl = h('p', { class: 'notice flash', role: 'status', 'data-testid': 'flash' });
    this.pageEl = h('div', { class: 'page-host' });
    this.main = h('main', { id: 'main', tabindex: '-1' }, this.flashEl, this.pageEl);
    this.footer = h('footer', { class: 'site-footer' });
    this.renderFooter();
    replace(root, h('a', { class: 'skip-link', href: '#main' }, t('app.skip')), this.header, this.main, this.footer);
    this.auth = new AuthSession(browserAuthDeps());
    this.api = new Api(this.auth);
    document.addEventListener('click', (e) => this.onClick(e));
    window.addEventListener('popstate', () => this.render(false));
  }

  async start(): Promise<void> {
    // The tab's id is claimed while the session is restored, not before.
    this.claimed = claimClientId().then((id) => {
      this.clientId = id;
    });
    this.renderHeader();
    this.auth.subscribe((s) => this.onAuth(s));
    await this.restore();
  }

  navigate(path: string, opts: { replace?: boolean; notice?: string } = {}): void {
    this.flashEl.textContent = opts.notice ?? '';
    const here = location.pathname + location.search;
    if (path === here) {
      this.render(false);
      return;
    }
    if (opts.replace) history.replaceState(null, '', path);
    else history.pushState(null, '', path);
    this.render(true);
  }

  // The session.

  // restore asks the server whether the refresh cookie still holds a
  // session; when it cannot be reached, the user may try again.
  private async restore(): Promise<void> {
    replace(this.pageEl, h('p', { 'aria-busy': 'true' }, t('app.loading')));
    try {
      await Promise.all([this.auth.start(), this.claimed]);
    } catch {
      this.page?.destroy();
      this.page = null;
      replace(
        this.pageEl,
        h(
          'div',
          { class: 'page' },
          h('h1', { tabindex: '-1' }, t('app.unreachable')),
          h('p', null, t('error.network')),
          h('p', null, h('button', { type: 'button', class: 'primary', onclick: () => void this.restore() }, t('app.retry'))),
        ),
      );
      return;
    }
    this.started = true;
    this.onAuth(this.auth.state());
  }

  private onAuth(s: AuthState): void {
    if (!this.started) return;
    if (s.status === 'signed_in' && s.user) {
      if (this.session && this.session.userId !== s.user.id) {
        // Another user signed in (here or in another tab): start over as
        // them, with nothing of the previous user's page left.
        location.reload();
        return;
      }
      const fresh = this.userId === null;
      this.userId = s.user.id;
      if (!this.session) this.startSession(s.user);
      else if (fresh) this.session.resume();
      if (s.token) this.session!.renew(s.token);
      if (fresh) {
        this.renderHeader();
        this.render(false);
      }
      return;
    }
    if (s.status === 'signed_out') {
      const wasIn = this.userId !== null;
      this.userId = null;
      this.session?.pause();
      this.renderHeader();
      const route = parseRoute(location.pathname);
      if (!isPublic(route)) {
        const notice = this.loggingOut ? t('login.loggedOut') : wasIn ? t('login.expired') : '';
        this.navigate(this.loggingOut ? loginPath('/') : loginPath(location.pathname + location.search), { replace: true, notice });
      } else {
        this.render(false);
      }
      this.loggingOut = false;
    }
  }

  private startSession(me: Me): void {
    this.session = new Session(this.clientId, me.id, this.auth);
    this.session.onState((s) => {
      if (!this.connEl) return;
      this.connEl.dataset.state = s;
      this.connEl.textContent = s === 'open' ? t('conn.online') : s === 'connecting' ? t('conn.connecting') : t('conn.offline');
    });
    this.session.start();
  }

  private async logout(): Promise<void> {
    this.loggingOut = true;
    await this.auth.logout();
  }

  // Routing.

  private onClick(e: MouseEvent): void {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.('a[data-link]') as HTMLAnchorElement | null;
    if (!a || a.origin !== location.origin) return;
    e.preventDefault();
    this.navigate(a.pathname + a.search);
  }

  private render(moveFocus: boolean): void {
    if (!this.started) return;
    const route: Route = parseRoute(location.pathname);
    const me = this.auth.user;
    if (route.name === 'login') {
      if (me) {
        // Signed in (here or in another tab): back to where the user was.
        this.navigate(safeNext(new URLSearchParams(location.search).get('neste')), { replace: true });
        return;
      }
    } else if (!isPublic(route) && (!me || !this.session)) {
      this.navigate(loginPath(location.pathname + location.search), { replace: true });
      return;
    }
    if (this.page?.update?.(route)) return;
    this.page?.destroy();
    this.page = null;
    switch (route.name) {
      case 'login':
        this.page = new LoginPage(this.auth, () => {
          this.flashEl.textContent = '';
        });
        document.title = `${t('login.heading')} – ${t('app.title')}`;
        break;
      case 'plans':
        this.page = new PlanListPage(this, this.api, me!);
        document.title = `${t('plans.heading')} – ${t('app.title')}`;
        break;
      case 'plan':
        this.page = new PlanPage(this, this.session!, this.api, me!, route.plan, route.section, route.view);
        break;
      case 'admin':
        // Only an administrator has anything here; the server refuses
        // everyone else anyway.
        if (!me!.admin) {
          this.page = notFound();
          document.title = `${t('notfound.heading')} – ${t('app.title')}`;
          break;
        }
        this.page = new AdminPage(this.api, me!, route.tab);
        document.title = `${t('admin.heading')} – ${t('app.title')}`;
        break;
      case 'accessibility':
        this.page = new AccessibilityPage();
        document.title = `${t('a11y.heading')} – ${t('app.title')}`;
        break;
      case 'forgot':
        this.page = new ForgotPasswordPage();
        document.title = `${t('forgot.heading')} – ${t('app.title')}`;
        break;
      case 'password':
        this.page = new SetPasswordPage(this, this.auth);
        document.title = `${t('password.heading')} – ${t('app.title')}`;
        break;
      case 'notifications':
        this.page = new NotificationsPage(this.api);
        document.title = `${t('notify.heading')} – ${t('app.title')}`;
        break;
      default:
        this.page = notFound();
        document.title = `${t('notfound.heading')} – ${t('app.title')}`;
    }
    replace(this.pageEl, this.page.element);
    if (moveFocus) (this.pageEl.querySelector('h1') as HTMLElement | null)?.focus();
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
    const me = this.userId !== null ? this.auth.user : null;
    // The connection's state is read out when it changes (offline, back online).
    this.connEl = me ? h('span', { class: 'conn', role: 'status', 'data-testid': 'connection', dataset: { state: this.session?.state ?? 'offline' } }) : null;
    replace(
      this.header,
      h('a', { class: 'brand', href: '/', 'data-link': '' }, t('app.title')),
      me
        ? h(
            'nav',
            { 'aria-label': t('app.nav') },
            h(
              'ul',
              null,
              h('li', null, h('a', { href: '/', 'data-link': '' }, t('app.plans'))),
              me.admin ? h('li', null, h('a', { href: '/admin', 'data-link': '', 'data-testid': 'nav-admin' }, t('app.admin'))) : null,
            ),
          )
        : null,
      h(
        'div',
        { class: 'header-tools' },
        this.connEl,
        me ? userLabel(me.name) : null,
        me ? h('a', { href: NOTIFICATIONS_PATH, 'data-link': '', 'data-testid': 'nav-notifications' }, t('app.notifications')) : null,
        me ? h('button', { type: 'button', class: 'link', 'data-testid': 'logout', onclick: () => void this.logout() }, t('app.logout')) : null,
        h('span', { class: 'field inline' }, h('label', { for: langId }, t('app.language')), select),
      ),
    );
    if (this.session && this.connEl) {
      const s = this.session.state;
      this.connEl.dataset.state = s;
      this.connEl.textContent = s === 'open' ? t('conn.online') : s === 'connecting' ? t('conn.connecting') : t('conn.offline');
    }
  }

  // renderFooter puts the links every page has at its foot: the
  // accessibility statement.
  private renderFooter(): void {
    replace(
      this.footer,
      h(
        'nav',
        { 'aria-label': t('app.footer') },
        h('ul', null, h('li', null, h('a', { href: ACCESSIBILITY_PATH, 'data-link': '', 'data-testid': 'footer-a11y' }, t('app.a11y')))),
      ),
    );
  }

  private rerender(): void {
    replace(this.root.querySelector('.skip-link')!, t('app.skip'));
    this.renderHeader();
    this.renderFooter();
    this.page?.destroy();
    this.page = null;
    this.render(false);
  }
}

// userLabel shows "Innlogget som <name>", with the name in its own element.
function userLabel(name: string): HTMLElement {
  const [before = '', after = ''] = t('app.user').split('{name}');
  return h('span', { class: 'me' }, before, h('strong', { class: 'me-name', 'data-testid': 'current-user' }, name), after);
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
