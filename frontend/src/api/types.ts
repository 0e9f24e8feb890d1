// The REST shapes served under /api (collab/plan.go).

export type Phase =
  | 'draft'
  | 'review'
  | 'approved'
  | 'hearing'
  | 'processing'
  | 'final_review'
  | 'amending'
  | 'adopted';

export type PlanType = 'temaplan' | 'kommunedelplan';

export type SectionStatus = 'not_started' | 'in_progress' | 'ready_for_review' | 'done';

export type SectionKind = 'section' | 'target_area' | 'analysis' | 'action';

export const SECTION_STATUSES: SectionStatus[] = ['not_started', 'in_progress', 'ready_for_review', 'done'];

export interface Section {
  id: string;
  title: string;
  kind: SectionKind;
  status: SectionStatus;
  responsible?: string;
  contributors: string[];
  children: Section[];
}

export interface PlanSummary {
  id: string;
  title: string;
  municipality: string;
  type: PlanType;
  phase: Phase;
  seq: number;
  updated: string;
}

export interface Plan extends PlanSummary {
  created_by?: string;
  created?: string;
  sections: Section[];
}

export interface NewPlan {
  title: string;
  municipality: string;
  type: PlanType;
}

export interface NewSection {
  parent: string;
  index: number;
  title: string;
  kind: 'section' | 'target_area';
  seq: number;
}

export interface SectionPatch {
  title?: string;
  status?: SectionStatus;
  responsible?: string;
  contributors?: string[];
  seq: number;
}

export interface SectionContent {
  v: number;
  data: { ops: unknown[] | null };
}
