// The REST shapes served under /api (collab/plan.go, the auth endpoints).

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

/** A role in one plan; admin is held per account (Me.admin). */
export type Role = 'leader' | 'member' | 'finance' | 'reader' | 'steering' | 'political';

export const ROLES: Role[] = ['leader', 'member', 'finance', 'reader', 'steering', 'political'];

/**
 * What the caller may do in a plan right now, as the server's policy
 * decides it (Plan.you.actions). The UI only hides what is not listed; the
 * server checks every call itself.
 */
export type PlanAction =
  | 'edit_text'
  | 'edit_structure'
  | 'comment'
  | 'suggest'
  | 'manage_project'
  | 'submit'
  | 'lock'
  | 'return'
  | 'approve_steering'
  | 'approve_political'
  | 'read_audit';

/** The signed-in account (GET /api/me, and with every token). */
export interface Me {
  id: string;
  email: string;
  name: string;
  admin: boolean;
  municipality: { id: string; name: string };
}

/** The answer of login and refresh. */
export interface TokenResponse {
  access_token: string;
  /** Seconds the access token is valid (at most 900). */
  expires_in: number;
  user: Me;
}

export interface PlanSummary {
  id: string;
  title: string;
  municipality: string;
  type: PlanType;
  phase: Phase;
  seq: number;
  updated: string;
  /** The caller's roles in the plan. */
  roles?: string[];
}

export interface Member {
  user: string;
  name: string;
  email: string;
  roles: string[];
}

export interface Version {
  name: string;
  seq: number;
  at: string;
  by: string;
  /** The version of each section's document. */
  sections: Record<string, number>;
}

/** The caller as the plan sees them. */
export interface You {
  id: string;
  roles: string[];
  actions: string[];
}

export interface Plan extends PlanSummary {
  created_by?: string;
  created?: string;
  sections: Section[];
  members?: Member[];
  /** The plan seq of the current lock (0: never locked). */
  lock_seq?: number;
  /** The roles that approved the current lock: "steering", "political". */
  approvals?: string[];
  /** The leader marked the draft ready for approval. */
  submitted?: boolean;
  versions?: Version[];
  you?: You;
}

export interface NewPlan {
  title: string;
  type: PlanType;
}

/** A phase transition (POST /api/plans/:id/transitions). */
export type TransitionAction = 'lock' | 'return' | 'approve' | 'submit';

export interface Transition {
  action: TransitionAction;
  comment?: string;
}

export interface AuditEntry {
  id: string;
  actor: string;
  action: string;
  from?: string;
  to?: string;
  detail?: string;
  at: string;
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
