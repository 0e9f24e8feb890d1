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
  | 'read_audit'
  | 'decide_suggestion'
  | 'resolve_any_thread'
  | 'require_change'
  | 'mark_change_done'
  | 'resolve_required_change'
  | 'sign_off_economics'
  | 'accept_privacy_finding';

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
  /** An archived plan is read-only until the administrator restores it. */
  archived?: boolean;
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
  /** The steering group's required changes still open (they block the approval). */
  open_requirements?: OpenRequirement[];
  // Structured content (docs/content.md).
  /** The planning period, whole years. */
  period?: Period;
  /** Counts of persons below this are flagged by the privacy check. */
  privacy_threshold?: number;
  goals?: Goal[];
  strategies?: Strategy[];
  measures?: Measure[];
  indicators?: Indicator[];
  milestones?: Milestone[];
  rounds?: ReviewRound[];
  economics_signoff?: SignOff | null;
  privacy_accepted?: PrivacyAcceptance[];
}

// Structured plan content (docs/content.md). Every object has an id made by
// the server and seq, the plan seq of its last change.

export interface Period {
  from: number;
  to: number;
}

/** A goal (mål) of a target area (a section of kind target_area). */
export interface Goal {
  id: string;
  seq: number;
  target_area: string;
  title: string;
  description: string;
}

/** A strategy of a target area, working towards some of its goals. */
export interface Strategy {
  id: string;
  seq: number;
  target_area: string;
  title: string;
  description: string;
  goals: string[];
}

export type MeasurePriority = 'high' | 'medium' | 'low';
export const MEASURE_PRIORITIES: MeasurePriority[] = ['high', 'medium', 'low'];

export type MeasureStatus = 'planned' | 'in_progress' | 'done' | 'cancelled';
export const MEASURE_STATUSES: MeasureStatus[] = ['planned', 'in_progress', 'done', 'cancelled'];

/** One year's costs of a measure, in whole kroner. */
export interface CostLine {
  year: number;
  investment: number;
  operating: number;
}

/** A measure (tiltak) of a target area. */
export interface Measure {
  id: string;
  seq: number;
  target_area: string;
  title: string;
  description: string;
  goals: string[];
  /** The responsible unit. */
  unit: string;
  start_year: number;
  end_year: number;
  priority: MeasurePriority;
  target_group: string;
  status: MeasureStatus;
  costs: CostLine[];
}

export type IndicatorFrequency = 'monthly' | 'quarterly' | 'half_yearly' | 'yearly';
export type IndicatorStatus = 'on_track' | 'at_risk' | 'off_track' | 'no_data';

export interface IndicatorReport {
  id: string;
  /** YYYY-MM-DD */
  date: string;
  value: number;
  note: string;
  by: string;
  at: string;
}

/** An indicator (målekort) of a goal. */
export interface Indicator {
  id: string;
  seq: number;
  goal: string;
  name: string;
  definition: string;
  unit: string;
  baseline: { value: number; year: number };
  targets: { year: number; value: number }[];
  source: string;
  frequency: IndicatorFrequency;
  responsible: string;
  reports: IndicatorReport[];
  /** Computed by the server from the latest report (the traffic light). */
  status: IndicatorStatus;
}

export type MilestoneStatus = 'planned' | 'in_progress' | 'done';

/** A milestone of the plan's progress plan (fremdriftsplan). */
export interface Milestone {
  id: string;
  seq: number;
  title: string;
  /** YYYY-MM-DD */
  date: string;
  /** A user id or a role name. */
  responsible: string;
  status: MilestoneStatus;
  /** Computed: the date has passed and it is not done. */
  overdue: boolean;
}

/** A round of internal reading (intern gjennomlesning). */
export interface ReviewRound {
  id: string;
  seq: number;
  message: string;
  /** Empty: the whole plan. */
  sections: string[];
  recipients: string[];
  /** YYYY-MM-DD */
  deadline: string;
  sent_by: string;
  sent_at: string;
  answers: { user: string; at: string; comment: string }[];
}

/** Finance's sign-off of the plan's economics. */
export interface SignOff {
  by: string;
  at: string;
  comment: string;
  /** The plan seq of the cost data reviewed. */
  seq: number;
  hash: string;
  /** Computed: the cost data changed since. */
  lapsed: boolean;
}

/** A privacy finding accepted as it stands. */
export interface PrivacyAcceptance {
  /** The finding's id. */
  id: string;
  section: string;
  quote: string;
  reason: string;
  by: string;
  at: string;
}

/** An open required change, as the phase banner lists it. */
export interface OpenRequirement {
  /** The id of its thread. */
  id: string;
  section: string;
  quote: string;
  body: string;
  /** The leader marked it as made; the steering group resolves it. */
  done: boolean;
}

/** A range of a section's text at version v of its document. */
export interface Anchor {
  v: number;
  index: number;
  length: number;
}

/** A comment: the root of a thread (id === thread) or a reply. Bodies are plain text. */
export interface Comment {
  id: string;
  thread: string;
  section?: string;
  anchor?: Anchor;
  quote?: string;
  author: string;
  body: string;
  /** User ids of the plan members mentioned. */
  mentions: string[] | null;
  created: string;
  edited?: string;
  deleted: boolean;
  resolved: boolean;
  resolved_by?: string;
  /** A required change (endringskrav) of the steering group. */
  required: boolean;
  /** The leader marked the required change as made. */
  done: boolean;
}

/** A thread as GET /api/plans/:id/comments lists it. */
export interface Thread extends Comment {
  replies: Comment[];
  /** Where the range is now (at the section's head). */
  position?: Anchor;
  /** The text the thread was about has been deleted. */
  orphaned: boolean;
  /** The names of the people in the thread, by user id. */
  names: Record<string, string>;
}

export interface NewComment {
  section: string;
  v: number;
  index: number;
  length: number;
  body: string;
  mentions: string[];
}

export interface CommentBody {
  body: string;
  mentions: string[];
}

export type SuggestionStatus = 'open' | 'accepted' | 'rejected';

/** A suggested replacement of a range of a section's text. */
export interface Suggestion {
  id: string;
  section: string;
  anchor: Anchor;
  quote: string;
  text: string;
  body?: string;
  author: string;
  created: string;
  status: SuggestionStatus;
  decided_by?: string;
  decided?: string;
  reply?: string;
  v?: number;
  position?: Anchor;
  /** The text it replaces has been edited since: it cannot be accepted. */
  outdated: boolean;
  names: Record<string, string>;
}

export interface NewSuggestion {
  section: string;
  v: number;
  index: number;
  length: number;
  text: string;
  body: string;
}

/** A run of one person's changes to a section (GET …/history). */
export interface HistoryGroup {
  by: string;
  name: string;
  from: string;
  to: string;
  v_from: number;
  v_to: number;
  ops: number;
  inserted: number;
  deleted: number;
  formatted: number;
  /** The accepted suggestion this change applied. */
  suggestion?: string;
  suggested_by?: string;
  /** lock or unlock for the markers of the plan's lock. */
  kind?: string;
}

export interface SectionHistory {
  items: HistoryGroup[];
  names: Record<string, string>;
}

/** Who wrote each part of a section's text, at version v. */
export interface Authorship {
  v: number;
  spans: { index: number; length: number; by: string }[];
  names: Record<string, string>;
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
