// The REST calls of the plan's structured content (docs/content.md):
// goals, strategies and measures of the target areas, the economic
// overview and finance's sign-off. Every change carries the plan seq the
// user's view was made on and answers the whole plan (plus the object it
// made, where it made one).
import type { Api } from './client';
import type { CostLine, Goal, Measure, MeasurePriority, MeasureStatus, Period, Plan, SignOff, Strategy } from './types';

const enc = encodeURIComponent;

/** The fields of a goal a user writes. */
export interface GoalFields {
  title: string;
  description: string;
}

/** The fields of a strategy a user writes. */
export interface StrategyFields {
  title: string;
  description: string;
  goals: string[];
}

/** The fields of a measure a user writes. */
export interface MeasureFields {
  title: string;
  description: string;
  goals: string[];
  unit: string;
  start_year: number;
  end_year: number;
  priority: MeasurePriority;
  target_group: string;
  status: MeasureStatus;
  costs: CostLine[];
}

/** One year's amounts of the economic overview, in whole kroner. */
export interface EconomicsYear {
  year: number;
  investment: number;
  operating: number;
  total: number;
}

export interface EconomicsTotals {
  years: EconomicsYear[];
  investment: number;
  operating: number;
  total: number;
}

export interface EconomicsArea extends EconomicsTotals {
  target_area: string;
  title: string;
}

export interface EconomicsMeasure {
  id: string;
  title: string;
  target_area: string;
  investment: number;
  operating: number;
  total: number;
}

/** GET /economics: the costs of the plan per year, target area and measure. */
export interface Economics {
  period: Period;
  years: number[];
  areas: EconomicsArea[];
  total: EconomicsTotals;
  measures: EconomicsMeasure[];
  signoff: SignOff | null;
  /** The plan seq a sign-off made now would record: send it back with the sign-off. */
  seq: number;
  hash: string;
}

/** What a change answers: the plan, and the object made where one was made. */
export type Saved<K extends string, T> = Plan & { [key in K]?: T };

function base(plan: string): string {
  return `/api/plans/${enc(plan)}`;
}

export function addGoal(api: Api, plan: string, seq: number, target_area: string, g: GoalFields): Promise<Saved<'goal', Goal>> {
  return api.request('POST', `${base(plan)}/goals`, { seq, target_area, ...g });
}

export function updateGoal(api: Api, plan: string, seq: number, id: string, g: Partial<GoalFields>): Promise<Saved<'goal', Goal>> {
  return api.request('PATCH', `${base(plan)}/goals/${enc(id)}`, { seq, ...g });
}

export function deleteGoal(api: Api, plan: string, seq: number, id: string): Promise<Plan> {
  return api.request('DELETE', `${base(plan)}/goals/${enc(id)}?seq=${seq}`);
}

export function addStrategy(api: Api, plan: string, seq: number, target_area: string, s: StrategyFields): Promise<Saved<'strategy', Strategy>> {
  return api.request('POST', `${base(plan)}/strategies`, { seq, target_area, ...s });
}

export function updateStrategy(api: Api, plan: string, seq: number, id: string, s: Partial<StrategyFields>): Promise<Saved<'strategy', Strategy>> {
  return api.request('PATCH', `${base(plan)}/strategies/${enc(id)}`, { seq, ...s });
}

export function deleteStrategy(api: Api, plan: string, seq: number, id: string): Promise<Plan> {
  return api.request('DELETE', `${base(plan)}/strategies/${enc(id)}?seq=${seq}`);
}

export function addMeasure(api: Api, plan: string, seq: number, target_area: string, m: MeasureFields): Promise<Saved<'measure', Measure>> {
  return api.request('POST', `${base(plan)}/measures`, { seq, target_area, ...m });
}

/** updateMeasure changes the fields given; costs, when given, replace all of the measure's costs. */
export function updateMeasure(api: Api, plan: string, seq: number, id: string, m: Partial<MeasureFields>): Promise<Saved<'measure', Measure>> {
  return api.request('PATCH', `${base(plan)}/measures/${enc(id)}`, { seq, ...m });
}

export function deleteMeasure(api: Api, plan: string, seq: number, id: string): Promise<Plan> {
  return api.request('DELETE', `${base(plan)}/measures/${enc(id)}?seq=${seq}`);
}

export function economics(api: Api, plan: string): Promise<Economics> {
  return api.request('GET', `${base(plan)}/economics`);
}

/** signOffEconomics records finance's sign-off of the cost data at seq (from GET /economics). */
export function signOffEconomics(api: Api, plan: string, seq: number, comment: string): Promise<Plan> {
  return api.request('POST', `${base(plan)}/economics/signoff`, { seq, comment });
}
