// The REST calls of the scorecard (docs/content.md): indicators of the
// plan's goals and the values reported for them. Every change carries the
// plan seq the user's view was made on (a change of the same indicator
// after it is refused 409 conflict) and answers the whole plan.
import type { Api } from '../api/client';
import type { Indicator, IndicatorFrequency, Plan } from '../api/types';

const enc = encodeURIComponent;
const base = (plan: string) => `/api/plans/${enc(plan)}/indicators`;

export const FREQUENCIES: IndicatorFrequency[] = ['monthly', 'quarterly', 'half_yearly', 'yearly'];

/** The fields of an indicator a user writes. */
export interface IndicatorFields {
  goal: string;
  name: string;
  definition: string;
  unit: string;
  baseline: { value: number; year: number };
  targets: { year: number; value: number }[];
  source: string;
  frequency: IndicatorFrequency;
  responsible: string;
}

/** A value reported for an indicator. */
export interface ReportFields {
  /** YYYY-MM-DD */
  date: string;
  value: number;
  note: string;
}

/** What a change answers: the plan, with the indicator made where one was made. */
export type Changed = Plan & { indicator?: Indicator };

export function createIndicator(api: Api, plan: string, seq: number, f: IndicatorFields): Promise<Changed> {
  return api.request<Changed>('POST', base(plan), { seq, ...f });
}

export function updateIndicator(api: Api, plan: string, id: string, seq: number, f: Partial<IndicatorFields>): Promise<Changed> {
  return api.request<Changed>('PATCH', `${base(plan)}/${enc(id)}`, { seq, ...f });
}

export function deleteIndicator(api: Api, plan: string, id: string, seq: number): Promise<Changed> {
  return api.request<Changed>('DELETE', `${base(plan)}/${enc(id)}?seq=${seq}`);
}

export function reportIndicator(api: Api, plan: string, id: string, seq: number, r: ReportFields): Promise<Changed> {
  return api.request<Changed>('POST', `${base(plan)}/${enc(id)}/reports`, { seq, ...r });
}
