// The administration's logic that needs no DOM: reading the settings form,
// what the server would refuse in it, each person's roles across the
// municipality's plans, and how a deadline stands today.
import type { MessageKey } from '../i18n';
import type { LoginMethod, MunicipalitySettings, PageLanguage, PlanOverview } from './api';

/** parseDomains reads e-mail domains typed one per line (or separated by commas or spaces). */
export function parseDomains(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/[\s,;]+/)) {
    const d = raw.trim().toLowerCase().replace(/^@+/, '');
    if (d && !out.includes(d)) out.push(d);
  }
  return out;
}

/** DOMAIN_RE is a domain name of two or more labels (an international name in its xn-- form). */
const DOMAIN_RE = /^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** SettingsForm is what the settings form holds, as typed. */
export interface SettingsForm {
  password: boolean;
  oidc: boolean;
  domains: string;
  threshold: string;
  weeks: string;
  language: string;
}

/** FormProblem is a field of the form and what is wrong with it. */
export interface FormProblem {
  field: 'methods' | 'domains' | 'threshold' | 'weeks' | 'language';
  key: MessageKey;
  params?: Record<string, string | number>;
}

/** wholeNumber reads a whole number in [min, max], or null. */
function wholeNumber(s: string, min: number, max: number): number | null {
  if (!/^\s*\d+\s*$/.test(s)) return null;
  const n = Number(s);
  return n >= min && n <= max ? n : null;
}

/**
 * readSettings turns the form into the settings to save, or the problems
 * the server would refuse it for: no login method, single sign-on on a
 * server without a provider, a malformed domain, numbers out of bounds.
 */
export function readSettings(f: SettingsForm, oidcConfigured: boolean): { settings: MunicipalitySettings | null; problems: FormProblem[] } {
  const problems: FormProblem[] = [];
  const methods: LoginMethod[] = [];
  if (f.password) methods.push('password');
  if (f.oidc) methods.push('oidc');
  if (methods.length === 0) problems.push({ field: 'methods', key: 'error.no_login_method' });
  else if (f.oidc && !oidcConfigured) problems.push({ field: 'methods', key: 'error.oidc_not_configured' });
  const domains = parseDomains(f.domains);
  const bad = domains.find((d) => !DOMAIN_RE.test(d));
  if (bad !== undefined) problems.push({ field: 'domains', key: 'admin.settings.domainInvalid', params: { domain: bad } });
  const threshold = wholeNumber(f.threshold, 1, 100);
  if (threshold === null) problems.push({ field: 'threshold', key: 'admin.settings.thresholdRange' });
  const weeks = wholeNumber(f.weeks, 1, 52);
  if (weeks === null) problems.push({ field: 'weeks', key: 'admin.settings.weeksRange' });
  const language = f.language === 'nb' || f.language === 'nn' ? (f.language as PageLanguage) : null;
  if (language === null) problems.push({ field: 'language', key: 'admin.settings.languageInvalid' });
  if (problems.length > 0) return { settings: null, problems };
  return {
    settings: { login_methods: methods, email_domains: domains, privacy_threshold: threshold!, hearing_weeks: weeks!, language: language! },
    problems,
  };
}

/** PlanRoles are one person's roles in one plan. */
export interface PlanRoles {
  plan: string;
  title: string;
  archived: boolean;
  roles: string[];
}

/** rolesByUser lists, for each person, the plans they have roles in, in the overview's order. */
export function rolesByUser(plans: PlanOverview[]): Map<string, PlanRoles[]> {
  const out = new Map<string, PlanRoles[]>();
  for (const p of plans) {
    for (const m of p.members) {
      const list = out.get(m.user) ?? [];
      list.push({ plan: p.id, title: p.title, archived: p.archived, roles: [...m.roles] });
      out.set(m.user, list);
    }
  }
  return out;
}

/** When is how a date (YYYY-MM-DD) stands on today. */
export type When = 'passed' | 'today' | 'soon' | 'later';

/** whenIs tells a date passed, today, within two weeks (soon) or later. */
export function whenIs(date: string, today: string): When {
  if (date < today) return 'passed';
  if (date === today) return 'today';
  const days = (Date.parse(`${date}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000;
  return days <= 14 ? 'soon' : 'later';
}

/** transferCandidates are the members who could take over a plan's leadership: everyone but its leader. */
export function transferCandidates(p: PlanOverview): { user: string; name: string }[] {
  return p.members
    .filter((m) => m.user !== p.leader?.id && !m.roles.includes('leader'))
    .map((m) => ({ user: m.user, name: m.name || m.email || m.user }))
    .sort((a, b) => a.name.localeCompare(b.name, 'nb'));
}

/** EDITABLE_ROLES are the plan roles the administrator gives from the user list; the leader is transferred per plan. */
export const EDITABLE_ROLES = ['member', 'finance', 'reader', 'steering', 'political'] as const;

/**
 * nextRoles is what a person's roles in a plan become when the
 * administrator ticks the editable roles: the leader role, which is only
 * transferred, is kept as it was.
 */
export function nextRoles(current: string[], ticked: string[]): string[] {
  const keep = current.filter((r) => r === 'leader');
  const order = ['leader', ...EDITABLE_ROLES] as string[];
  return [...keep, ...ticked.filter((r) => (EDITABLE_ROLES as readonly string[]).includes(r))]
    .filter((r, i, all) => all.indexOf(r) === i)
    .sort((a, b) => order.indexOf(a) - order.indexOf(b));
}
