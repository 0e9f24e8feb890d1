// The tabs of the administration area and their paths, for the router and
// the page.
import type { MessageKey } from '../i18n';

/** AdminTab is a tab of the administration area. */
export type AdminTab = 'users' | 'plans' | 'settings';

/** ADMIN_TABS are the tabs with their paths and names, in order. */
export const ADMIN_TABS: { tab: AdminTab; path: string; label: MessageKey }[] = [
  { tab: 'users', path: '/admin', label: 'admin.tab.users' },
  { tab: 'plans', path: '/admin/planer', label: 'admin.tab.plans' },
  { tab: 'settings', path: '/admin/innstillinger', label: 'admin.tab.settings' },
];

/** adminTabOf returns the tab that the path parts after "admin" name, or null. */
export function adminTabOf(rest: string[]): AdminTab | null {
  if (rest.length === 0) return 'users';
  if (rest.length !== 1) return null;
  return ADMIN_TABS.find((x) => x.path === `/admin/${rest[0]}`)?.tab ?? null;
}
