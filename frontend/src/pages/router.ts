// History routing: /, /plans/:id, /plans/:id/sections/:sid, the plan's
// views /plans/:id/<view> (oversikt, tiltak, ...), the login page
// /logg-inn?neste=<path>, the password pages /glemt-passord and
// /nytt-passord#<token>, and the notification settings /varsler. The server answers every unknown path with
// index.html, so deep links and reloads work.
import { adminTabOf, type AdminTab } from '../admin/tabs';
import { VIEW_NAMES, type ViewName } from './views';

export const LOGIN_PATH = '/logg-inn';

/** ACCESSIBILITY_PATH is the accessibility statement, which anybody may read. */
export const ACCESSIBILITY_PATH = '/tilgjengelighet';

/** FORGOT_PATH asks for a password link; PASSWORD_PATH is where a link leads (token in the fragment). */
export const FORGOT_PATH = '/glemt-passord';
export const PASSWORD_PATH = '/nytt-passord';

/** NOTIFICATIONS_PATH is the signed-in person's notification settings. */
export const NOTIFICATIONS_PATH = '/varsler';

export type Route =
  | { name: 'login' }
  | { name: 'plans' }
  | { name: 'plan'; plan: string; section: string | null; view: ViewName | null }
  | { name: 'admin'; tab: AdminTab }
  | { name: 'accessibility' }
  | { name: 'forgot' }
  | { name: 'password' }
  | { name: 'notifications' }
  | { name: 'notfound' };

export interface Page {
  readonly element: HTMLElement;
  destroy(): void;
  /** update takes a new route of the same page; false means "make a new page". */
  update?(route: Route): boolean;
}

export interface Router {
  /** navigate goes to path; notice is announced on the new page. */
  navigate(path: string, opts?: { replace?: boolean; notice?: string }): void;
}

export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { name: 'plans' };
  if (parts.length === 1 && `/${parts[0]}` === LOGIN_PATH) return { name: 'login' };
  if (parts.length === 1 && `/${parts[0]}` === ACCESSIBILITY_PATH) return { name: 'accessibility' };
  if (parts.length === 1 && `/${parts[0]}` === FORGOT_PATH) return { name: 'forgot' };
  if (parts.length === 1 && `/${parts[0]}` === PASSWORD_PATH) return { name: 'password' };
  if (parts.length === 1 && `/${parts[0]}` === NOTIFICATIONS_PATH) return { name: 'notifications' };
  if (parts[0] === 'admin') {
    const tab = adminTabOf(parts.slice(1));
    return tab ? { name: 'admin', tab } : { name: 'notfound' };
  }
  if (parts[0] === 'plans' && parts.length === 2) return { name: 'plan', plan: parts[1]!, section: null, view: null };
  if (parts[0] === 'plans' && parts.length === 3 && isViewName(parts[2]!)) return { name: 'plan', plan: parts[1]!, section: null, view: parts[2] };
  if (parts[0] === 'plans' && parts.length === 4 && parts[2] === 'sections') return { name: 'plan', plan: parts[1]!, section: parts[3]!, view: null };
  return { name: 'notfound' };
}

/** isPublic reports whether a route is shown to people who are not signed in. */
export function isPublic(route: Route): boolean {
  return route.name === 'login' || route.name === 'accessibility' || route.name === 'forgot' || route.name === 'password';
}

/** isViewName reports whether s names a view of the plan page. */
export function isViewName(s: string): s is ViewName {
  return (VIEW_NAMES as string[]).includes(s);
}

export function planPath(plan: string, section?: string | null): string {
  const p = `/plans/${encodeURIComponent(plan)}`;
  return section ? `${p}/sections/${encodeURIComponent(section)}` : p;
}

/** viewPath is the path of one of the plan's views. */
export function viewPath(plan: string, view: ViewName): string {
  return `/plans/${encodeURIComponent(plan)}/${view}`;
}

/** loginPath returns the login page's path that leads back to `next` after login. */
export function loginPath(next: string): string {
  const back = safeNext(next);
  return back === '/' ? LOGIN_PATH : `${LOGIN_PATH}?neste=${encodeURIComponent(back)}`;
}

/**
 * safeNext returns where to go after login: a path of this app (never
 * another origin, never the login page itself), else the plan list.
 */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return '/';
  const path = next.split(/[?#]/)[0]!;
  if (path === LOGIN_PATH || path.startsWith(`${LOGIN_PATH}/`)) return '/';
  return next;
}
