// The REST calls of named versions (docs/versions.md): list, freeze,
// compare two versions (or a version and now) and restore a section.
import type { Api } from '../api/client';
import type { Period, Plan } from '../api/types';

const enc = encodeURIComponent;
const base = (plan: string) => `/api/plans/${enc(plan)}`;

/** NOW names the plan as it is, where a version is expected. */
export const NOW = 'now';

/** A named version of the plan. */
export interface NamedVersion {
  name: string;
  seq: number;
  by: string;
  /** The name of whoever froze it (the list only). */
  by_name?: string;
  at: string;
  /** The version of each section's document. */
  sections: Record<string, number>;
  /** The hash of the structured content frozen with it. */
  content?: string;
  /** Frozen by the process (approval, adoption), not by the leader. */
  system?: boolean;
}

/** One side of a comparison. */
export interface DiffSide {
  name: string;
  seq: number;
  by?: string;
  at: string;
  now: boolean;
  system: boolean;
}

export type SegmentOp = 'equal' | 'insert' | 'delete';

/** A run of a section's text that the comparison keeps, inserts or deletes. */
export interface Segment {
  op: SegmentOp;
  text: string;
}

export type SectionChange = 'added' | 'removed' | 'changed' | 'unchanged';

export interface SectionDiff {
  id: string;
  title: string;
  title_from?: string;
  depth: number;
  change: SectionChange;
  renamed: boolean;
  v_from: number | null;
  v_to: number | null;
  segments: Segment[];
  words_from: number;
  words_to: number;
  inserted: number;
  deleted: number;
  share: number;
  substantial: boolean;
}

export interface CostTotals {
  investment: number;
  operating: number;
  total: number;
}

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

export interface ObjectDiff {
  id: string;
  title: string;
  change: 'added' | 'removed' | 'changed';
  fields: FieldChange[];
  costs_from?: CostTotals | null;
  costs_to?: CostTotals | null;
}

export type DiffReason = 'sections' | 'measures' | 'goals' | 'indicators';

export interface PlanDiff {
  from: DiffSide;
  to: DiffSide;
  sections: SectionDiff[];
  goals: ObjectDiff[];
  strategies: ObjectDiff[];
  measures: ObjectDiff[];
  indicators: ObjectDiff[];
  milestones: ObjectDiff[];
  period_from: Period;
  period_to: Period;
  costs_from: CostTotals;
  costs_to: CostTotals;
  substantial: boolean;
  reasons: DiffReason[];
}

export interface Restored {
  section: string;
  version: NamedVersion;
  v: number;
  unchanged: boolean;
}

export async function listVersions(api: Api, plan: string): Promise<NamedVersion[]> {
  const r = await api.request<{ items: NamedVersion[] | null }>('GET', `${base(plan)}/versions`);
  return r.items ?? [];
}

export function freezeVersion(api: Api, plan: string, seq: number, name: string): Promise<Plan & { version: NamedVersion }> {
  return api.request<Plan & { version: NamedVersion }>('POST', `${base(plan)}/versions`, { name, seq });
}

/** getDiff compares `from` with `to`: each a version's name or seq, or NOW. */
export function getDiff(api: Api, plan: string, from: string, to: string): Promise<PlanDiff> {
  return api.request<PlanDiff>('GET', `${base(plan)}/diff?from=${enc(from)}&to=${enc(to)}`);
}

/** restoreSection restores a section's text to a version; v is the section's version the leader compared. */
export function restoreSection(api: Api, plan: string, section: string, version: string, v: number | null): Promise<Restored> {
  const body: { version: string; v?: number } = { version };
  if (v !== null) body.v = v;
  return api.request<Restored>('POST', `${base(plan)}/sections/${enc(section)}/restore`, body);
}
