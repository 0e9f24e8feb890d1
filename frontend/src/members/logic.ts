// The members and the audit log of a plan as data: the roles a leader may
// give, the members in the order the page lists them, and an audit line's
// words (which event, from what to what) from the message catalogue.
import { ROLES, type Member, type Role } from '../api/types';
import { has, t, type MessageKey } from '../i18n';
import { phaseText, roleText } from '../pages/labels';

/**
 * GRANTABLE are the roles a plan's members are given here; the leader is
 * named by the administrator (PUT /api/plans/:id/leader), not here.
 */
export const GRANTABLE: Role[] = ROLES.filter((r) => r !== 'leader');

/** sortMembers lists the leader first, then by name (Norwegian order). */
export function sortMembers(members: readonly Member[]): Member[] {
  const lead = (m: Member) => (m.roles.includes('leader') ? 0 : 1);
  return [...members].sort((a, b) => lead(a) - lead(b) || a.name.localeCompare(b.name, 'nb') || a.email.localeCompare(b.email));
}

/** rolesText names roles in the catalogue's order ("Prosjektgruppe, Økonomi"). */
export function rolesText(roles: readonly string[]): string {
  const order = (r: string) => {
    const i = (ROLES as string[]).indexOf(r);
    return i < 0 ? ROLES.length : i;
  };
  return [...roles].sort((a, b) => order(a) - order(b)).map(roleText).join(', ');
}

/** checkEmail returns the message key of what is wrong with an e-mail address, or null. */
export function checkEmail(email: string): MessageKey | null {
  const e = email.trim();
  if (e === '') return 'members.emailRequired';
  if (e.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e)) return 'members.emailInvalid';
  return null;
}

/** An audit line as GET /api/plans/:id/audit answers it. */
export interface AuditLine {
  seq?: number;
  at: string;
  actor: string;
  name?: string;
  action: string;
  from?: string;
  to?: string;
  detail?: string;
}

/** The structured content's objects whose `<object>.saved` and `.deleted` the log shows. */
const OBJECTS = ['goal', 'strategy', 'measure', 'indicator', 'milestone', 'round'];

/** auditAction says what an audit line's action was ("Planen ble låst"). */
export function auditAction(action: string): string {
  const key = `audit.action.${action}`;
  if (has(key)) return t(key);
  const [object = '', verb = ''] = action.split('.');
  if (OBJECTS.includes(object) && (verb === 'saved' || verb === 'deleted')) {
    return t(verb === 'saved' ? 'audit.saved' : 'audit.deleted', { object: t(`audit.object.${object}` as MessageKey) });
  }
  // Another step of the plan's process: the phases it went between say the rest.
  if (object === 'plan') return t('audit.action.phase');
  return t('audit.action.other', { action });
}

/**
 * auditChange says what an audit line changed from and to: roles for a
 * membership, phases for a step of the process; empty when neither.
 */
export function auditChange(line: Pick<AuditLine, 'action' | 'from' | 'to'>): string {
  const from = line.from ?? '';
  const to = line.to ?? '';
  if (!from && !to) return '';
  const words = line.action === 'member.set' ? (s: string) => (s ? rolesText(s.split(',')) : t('audit.none')) : (s: string) => (s ? phaseText(s) : '–');
  if (!from) return words(to);
  return t('audit.fromTo', { from: words(from), to: words(to) });
}

/** auditDetail words an audit line's detail (an approval names a role; else it is shown as it is). */
export function auditDetail(line: Pick<AuditLine, 'action' | 'detail'>): string {
  const d = line.detail ?? '';
  if (line.action === 'plan.approved' && d) return roleText(d);
  return d;
}
