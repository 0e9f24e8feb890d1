// The plan page's views (Oversikt, Tiltak, Målekort, Økonomi, Fremdrift,
// Personvern, Klarspråk, Versjoner): what a view gets from the page, and
// what the page asks of a view. The page makes a view when its route
// opens, calls update with the new plan after every plan event and
// reload, and destroys it when the route leaves it.
import type { Api } from '../api/client';
import type { Me, Plan } from '../api/types';

export interface ViewContext {
  api: Api;
  me: Me;
  planId: string;
  /** plan returns the latest plan state (reloaded on every plan event). */
  plan(): Plan;
  /** reload fetches the plan again now (after a conflict). */
  reload(): Promise<void>;
  /** openSection navigates to the section's text, selecting range if given. */
  openSection(section: string, range?: { index: number; length: number }): void;
  /** announce shows a polite status message on the page. */
  announce(text: string): void;
  /** navigate goes to another page of the app (e.g. a new plan), announcing notice there. */
  navigate(path: string, notice?: string): void;
}

export interface PlanView {
  readonly element: HTMLElement;
  /** update is called with the new plan after every plan event and reload. */
  update(plan: Plan): void;
  destroy(): void;
}

export type ViewName = 'oversikt' | 'tiltak' | 'malekort' | 'okonomi' | 'fremdrift' | 'personvern' | 'klarsprak' | 'versjoner' | 'hoering' | 'vedtak' | 'medlemmer' | 'logg';

/** VIEW_NAMES in the order of the plan page's tabs (after Tekst). */
export const VIEW_NAMES: ViewName[] = ['oversikt', 'tiltak', 'malekort', 'okonomi', 'fremdrift', 'personvern', 'klarsprak', 'versjoner', 'hoering', 'vedtak', 'medlemmer', 'logg'];

/** VIEW_ACTIONS names the views shown only to whoever may do an action (the others have no tab). */
export const VIEW_ACTIONS: Partial<Record<ViewName, string>> = { logg: 'read_audit' };

export type ViewFactory = (ctx: ViewContext) => PlanView;
