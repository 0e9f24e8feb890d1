// The accessibility statement (tilgjengelighetserklæring, /tilgjengelighet):
// public, linked from the footer of every page, after Uutilsynet's
// template — conformance with WCAG 2.1 A and AA, the known deviations, how
// the service was assessed, where to give feedback, where to complain, and
// when the statement was last updated. The feedback contact is the
// operator's (GET /api/accessibility, TEMAPLAN_ACCESSIBILITY_CONTACT).
import { h, replace } from '../dom';
import { lang, t, type MessageKey } from '../i18n';
import type { Page } from './router';

/** STATEMENT_DATE is when the statement was last reviewed. */
export const STATEMENT_DATE = '2026-11-28';

/** UUTILSYNET is where people complain about accessibility. */
export const UUTILSYNET = 'https://www.uutilsynet.no/';

/** DEVIATIONS are the known deviations, one message each. */
const DEVIATIONS: MessageKey[] = ['a11y.dev1', 'a11y.dev2', 'a11y.dev3'];

/** contactHref returns the link of a contact: an e-mail address becomes mailto:, a web address stays; anything else is no link. */
export function contactHref(contact: string): string | null {
  const c = contact.trim();
  if (/^[^\s@<>"]+@[^\s@<>"]+\.[a-z]{2,}$/i.test(c)) return `mailto:${c}`;
  if (/^https:\/\/[^\s<>"]+$/i.test(c)) return c;
  return null;
}

/** fetchContact asks the server for the feedback contact; "" when there is none or the server cannot say. */
async function fetchContact(): Promise<string> {
  try {
    const r = await fetch('/api/accessibility', { headers: { Accept: 'application/json' }, credentials: 'omit' });
    if (!r.ok) return '';
    const body = (await r.json()) as { contact?: unknown };
    return typeof body.contact === 'string' ? body.contact : '';
  } catch {
    return '';
  }
}

export class AccessibilityPage implements Page {
  readonly element: HTMLElement;
  private readonly contactEl: HTMLElement;
  private alive = true;

  constructor() {
    const date = new Date(`${STATEMENT_DATE}T12:00:00Z`).toLocaleDateString(lang() === 'nn' ? 'nn-NO' : 'nb-NO', {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    });
    this.contactEl = h('p', { 'data-testid': 'a11y-contact' }, t('a11y.contactFallback'));
    this.element = h(
      'article',
      { class: 'page a11y-statement', 'data-testid': 'a11y-statement' },
      h('h1', { tabindex: '-1' }, t('a11y.heading')),
      h('p', null, t('a11y.intro')),
      h('h2', null, t('a11y.statusHeading')),
      h('p', null, t('a11y.status')),
      h('h2', null, t('a11y.deviationsHeading')),
      h('ul', null, DEVIATIONS.map((k) => h('li', null, t(k)))),
      h('h2', null, t('a11y.methodHeading')),
      h('p', null, t('a11y.method')),
      h('h2', null, t('a11y.feedbackHeading')),
      h('p', null, t('a11y.feedback')),
      this.contactEl,
      h('h2', null, t('a11y.complaintHeading')),
      h('p', null, t('a11y.complaint')),
      h('p', null, h('a', { href: UUTILSYNET, 'data-testid': 'a11y-complaint' }, t('a11y.complaintLink'))),
      h('p', null, h('time', { datetime: STATEMENT_DATE }, t('a11y.updated', { date }))),
      h('p', null, h('a', { href: '/', 'data-link': '' }, t('a11y.back'))),
    );
    void this.loadContact();
  }

  destroy(): void {
    this.alive = false;
  }

  private async loadContact(): Promise<void> {
    const contact = await fetchContact();
    const href = contact ? contactHref(contact) : null;
    if (!this.alive || !href) return;
    replace(this.contactEl, t('a11y.contact'), ' ', h('a', { href }, contact.trim()));
  }
}
