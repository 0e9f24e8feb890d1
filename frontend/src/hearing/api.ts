// The REST calls of the hearing (docs/hearing.md): the hearing with the
// deadline advice, the steering group's decision and start, the bodies'
// statuses, the responses and their moderation.
import type { Api } from '../api/client';
import type { Plan } from '../api/types';
import type { Assessment, DecisionForm, Outcome } from './logic';

const enc = encodeURIComponent;
const base = (plan: string) => `/api/plans/${enc(plan)}/hearing`;

export type BodyStatus = 'pending' | 'sent' | 'reminded' | 'answered' | 'no_answer';
export const BODY_STATUSES: BodyStatus[] = ['pending', 'sent', 'reminded', 'answered', 'no_answer'];

export interface HearingBody {
  id: string;
  name: string;
  status: BodyStatus;
}

export interface Hearing {
  form: string;
  bodies: HearingBody[];
  start?: string;
  deadline?: string;
  closes?: string;
  token?: string;
  version?: number;
  received?: number;
  /** Fase 3: the assessment of each response, by receipt. */
  assessments?: Record<string, Assessment>;
}

export interface Padding {
  reason: 'summer' | 'christmas' | 'easter';
  weeks: number;
}

export interface HearingView {
  hearing: Hearing | null;
  default_bodies: HearingBody[];
  today: string;
  weeks: number;
  deadline?: string;
  advice: { paddings: Padding[] | null; deadline?: string };
  advice_error?: string;
  path?: string;
}

export interface HearingResponse {
  id: string;
  name: string;
  organisation: string;
  email: string;
  text: string;
  section: string;
  quote: string;
  subject: string;
  received: string;
  sender: string;
  moderation: '' | 'published' | 'rejected';
}

/** hearingOf returns the plan's hearing, if it has one. */
export function hearingOf(plan: Plan): Hearing | null {
  return (plan as Plan & { hearing?: Hearing }).hearing ?? null;
}

export function getHearing(api: Api, plan: string, deadline?: string): Promise<HearingView> {
  const qs = deadline ? `?deadline=${enc(deadline)}` : '';
  return api.request<HearingView>('GET', `${base(plan)}${qs}`);
}

export function decideHearing(api: Api, plan: string, form: string, bodies: HearingBody[]): Promise<Plan> {
  return api.request<Plan>('PUT', base(plan), { form, bodies });
}

export function startHearing(api: Api, plan: string, deadline: string): Promise<Plan> {
  return api.request<Plan>('POST', `${base(plan)}/start`, { deadline });
}

export function setBodyStatus(api: Api, plan: string, body: string, status: BodyStatus): Promise<Plan> {
  return api.request<Plan>('PUT', `${base(plan)}/bodies/${enc(body)}`, { status });
}

export async function listResponses(api: Api, plan: string): Promise<HearingResponse[]> {
  const r = await api.request<{ items: HearingResponse[] | null }>('GET', `${base(plan)}/responses`);
  return r.items ?? [];
}

export function moderate(api: Api, plan: string, response: string, decision: 'published' | 'rejected'): Promise<unknown> {
  return api.request('POST', `${base(plan)}/responses/${enc(response)}/moderation`, { decision });
}

/** The council's decision (Plan.decision). */
export interface Decision extends DecisionForm {
  recorded_by?: string;
  recorded_at?: string;
}

/** The adoption (Plan.adoption): the public page's token and the frozen version. */
export interface Adoption {
  token: string;
  version: number;
  adopted_at: string;
}

/** A link between a plan and its rullering (Plan.previous, Plan.next). */
export interface PlanLink {
  plan_id: string;
  title: string;
  version?: number;
}

/** Fase3 is what the plan carries of the hearing's processing and the adoption. */
export interface Fase3 {
  decision?: Decision | null;
  adoption?: Adoption | null;
  previous?: PlanLink | null;
  next?: PlanLink | null;
}

/** fase3Of returns the plan's decision, adoption and rullering links. */
export function fase3Of(plan: Plan): Fase3 {
  return plan as Plan & Fase3;
}

/** A row of the merknadsbehandling (GET …/hearing/assessments). */
export interface AssessmentRow {
  receipt: string;
  sender: string;
  organisation: string;
  received: string;
  subject: string;
  section: string;
  outcome: Outcome | '';
  reason: string;
  by: string;
  at: string;
}

export interface AssessmentTable {
  items: AssessmentRow[] | null;
  missing: number;
}

export function closeHearing(api: Api, plan: string): Promise<unknown> {
  return api.request('POST', `${base(plan)}/close`);
}

export function writeAssessment(api: Api, plan: string, response: string, outcome: Outcome, reason: string): Promise<unknown> {
  return api.request('PUT', `${base(plan)}/responses/${enc(response)}/assessment`, { outcome, reason });
}

export async function assessmentTable(api: Api, plan: string): Promise<AssessmentTable> {
  const r = await api.request<AssessmentTable>('GET', `${base(plan)}/assessments`);
  return { items: r.items ?? [], missing: r.missing ?? 0 };
}

/** The paths of the hearing's downloads, for Api.blob. */
export const downloads = {
  responses: (plan: string, format: 'csv' | 'json') => `${base(plan)}/responses/export?format=${format}`,
  assessments: (plan: string, format: 'csv' | 'html') => `${base(plan)}/assessments?format=${format}`,
};

export function recordDecision(api: Api, plan: string, d: DecisionForm): Promise<unknown> {
  return api.request('POST', `/api/plans/${enc(plan)}/decision`, d);
}

export async function startRullering(api: Api, plan: string, title?: string): Promise<Plan> {
  const r = await api.request<{ plan: Plan } | Plan>('POST', `/api/plans/${enc(plan)}/rullering`, title ? { title } : {});
  return 'plan' in r && r.plan ? r.plan : (r as Plan);
}
