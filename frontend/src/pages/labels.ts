// Norwegian names of the codes the API uses (phases, plan types, section
// statuses and kinds, roles, error codes), from the message catalogue.
import { ApiError } from '../api/http';
import type { Me } from '../api/types';
import { errorText, has, t } from '../i18n';

function label(prefix: string, code: string): string {
  const key = `${prefix}.${code}`;
  return has(key) ? t(key) : code;
}

export const phaseText = (phase: string): string => label('phase', phase);
export const typeText = (type: string): string => label('type', type);
export const statusText = (status: string): string => label('status', status);
export const kindText = (kind: string): string => label('kind', kind);
export const roleText = (role: string): string => label('role', role);

/**
 * municipalityText names a plan's municipality: plans carry its id, and
 * the signed-in user only sees plans of their own municipality, whose name
 * comes with the account.
 */
export function municipalityText(id: string, me: Pick<Me, 'municipality'>): string {
  return id === me.municipality.id ? me.municipality.name : id;
}

/** problemText says what went wrong with a request, in the user's language. */
export function problemText(err: unknown): string {
  if (err instanceof ApiError) return err.code === 'network' ? t('error.network') : errorText(err.code);
  return t('error.generic');
}
