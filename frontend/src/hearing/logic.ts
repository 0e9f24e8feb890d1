// The hearing's processing and the council's decision as data (no DOM):
// which responses need an assessment and how many still lack one, the
// checks of the assessment and decision forms (the server's rules, so a
// mistake is shown before the request), whether the hearing may be closed,
// and dates as Norwegians read them.
import type { MessageKey } from '../i18n';

export type Outcome = 'taken' | 'partly' | 'not';
export const OUTCOMES: Outcome[] = ['taken', 'partly', 'not'];

/** An assessment of one response (Plan.hearing.assessments[receipt]). */
export interface Assessment {
  outcome: Outcome;
  reason: string;
  by?: string;
  at?: string;
}

/** needsAssessment reports whether a response needs one: every response but a rejected one. */
export function needsAssessment(r: { moderation: string }): boolean {
  return r.moderation !== 'rejected';
}

/** missingAssessments counts the responses that need an assessment and have none. */
export function missingAssessments(
  responses: readonly { id: string; moderation: string }[],
  assessments: Readonly<Record<string, unknown>> | null | undefined,
): number {
  const have = assessments ?? {};
  return responses.filter((r) => needsAssessment(r) && !Object.prototype.hasOwnProperty.call(have, r.id)).length;
}

/** The longest reason the server takes. */
export const REASON_MAX = 4000;

/** FieldErrors maps a form's field to the message of its problem. */
export type FieldErrors<F extends string> = Partial<Record<F, MessageKey>>;

/** validateAssessment checks an assessment form as the server does. */
export function validateAssessment(outcome: string, reason: string): FieldErrors<'outcome' | 'reason'> {
  const errs: FieldErrors<'outcome' | 'reason'> = {};
  if (!OUTCOMES.includes(outcome as Outcome)) errs.outcome = 'assessment.outcomeRequired';
  const r = reason.trim();
  if (r === '') errs.reason = 'assessment.reasonRequired';
  else if ([...r].length > REASON_MAX) errs.reason = 'assessment.reasonTooLong';
  return errs;
}

/** The council's decision as the form holds it. */
export interface DecisionForm {
  date: string;
  body: string;
  case_number: string;
  amendments: string;
}

/** isDate reports whether s is a real calendar date written YYYY-MM-DD. */
export function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/**
 * validateDecision checks the decision form as the server does: a date
 * not after today (YYYY-MM-DD, the server's today), the body 1–200 and
 * the case number 1–64 characters.
 */
export function validateDecision(f: DecisionForm, today: string): FieldErrors<'date' | 'body' | 'case_number'> {
  const errs: FieldErrors<'date' | 'body' | 'case_number'> = {};
  if (!isDate(f.date)) errs.date = 'decision.dateRequired';
  else if (isDate(today) && f.date > today) errs.date = 'decision.dateFuture';
  const body = [...f.body.trim()].length;
  if (body === 0) errs.body = 'decision.bodyRequired';
  else if (body > 200) errs.body = 'decision.bodyTooLong';
  const cn = [...f.case_number.trim()].length;
  if (cn === 0) errs.case_number = 'decision.caseRequired';
  else if (cn > 64) errs.case_number = 'decision.caseTooLong';
  return errs;
}

/** hearingOver reports whether the deadline day has passed on the server's today (both YYYY-MM-DD). */
export function hearingOver(deadline: string | undefined, today: string): boolean {
  return !!deadline && isDate(deadline) && isDate(today) && today > deadline;
}

function locale(lang: string): string {
  return lang === 'nn' ? 'nn-NO' : 'nb-NO';
}

/** formatDate writes a date YYYY-MM-DD as Norwegians do ("1. mars 2027"); other text as given. */
export function formatDate(date: string | undefined, lang = 'nb'): string {
  if (!date || !isDate(date)) return date ?? '';
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Intl.DateTimeFormat(locale(lang), { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, d)));
}

/** formatDateTime writes an instant as a date and time in Oslo ("1. mars 2027 kl. 14:05"). */
export function formatDateTime(iso: string | undefined, lang = 'nb'): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(lang), { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Oslo' }).format(d);
}
