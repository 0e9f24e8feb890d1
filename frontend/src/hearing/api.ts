// The REST calls of the hearing (docs/hearing.md): the hearing with the
// deadline advice, the steering group's decision and start, the bodies'
// statuses, the responses and their moderation.
import type { Api } from '../api/client';
import type { Plan } from '../api/types';

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
