// History routing: /, /plans/:id and /plans/:id/sections/:sid. The server
// answers every unknown path with index.html, so deep links and reloads work.

export type Route =
  | { name: 'plans' }
  | { name: 'plan'; plan: string; section: string | null }
  | { name: 'notfound' };

export interface Page {
  readonly element: HTMLElement;
  destroy(): void;
  /** update takes a new route of the same page; false means "make a new page". */
  update?(route: Route): boolean;
}

export interface Router {
  navigate(path: string, opts?: { replace?: boolean }): void;
}

export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { name: 'plans' };
  if (parts[0] === 'plans' && parts.length === 2) return { name: 'plan', plan: parts[1]!, section: null };
  if (parts[0] === 'plans' && parts.length === 4 && parts[2] === 'sections') return { name: 'plan', plan: parts[1]!, section: parts[3]! };
  return { name: 'notfound' };
}

export function planPath(plan: string, section?: string | null): string {
  const p = `/plans/${encodeURIComponent(plan)}`;
  return section ? `${p}/sections/${encodeURIComponent(section)}` : p;
}
