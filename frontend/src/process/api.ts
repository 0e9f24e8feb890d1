// The REST calls of the process views (docs/content.md): milestones,
// review rounds, privacy findings and their acceptance, the plan's
// threshold, and LIX. Every change answers the whole plan.
import type { Api } from '../api/client';
import type { MilestoneStatus, Plan, PrivacyAcceptance } from '../api/types';

const enc = encodeURIComponent;
const base = (plan: string) => `/api/plans/${enc(plan)}`;

/** How a finding's count was written (privacy/privacy.go). */
export type FindingKind = 'exact' | 'range' | 'bound' | 'vague' | 'complement';

/** A small count of persons or households in a section's current text. */
export interface PrivacyFinding {
  id: string;
  section: string;
  section_title: string;
  /** Quill positions (UTF-16) in the section's current text. */
  index: number;
  length: number;
  quote: string;
  count: number;
  kind: FindingKind | string;
  word: string;
  accepted: PrivacyAcceptance | null;
}

export interface PrivacyReport {
  threshold: number;
  /** The findings neither fixed nor accepted. */
  open: number;
  findings: PrivacyFinding[];
}

export type LixBand = 'very_easy' | 'easy' | 'medium' | 'difficult' | 'very_difficult' | 'none';

/** A sentence of more than 25 words. */
export interface LongSentence {
  index: number;
  length: number;
  words: number;
}

/** A word of more than 20 letters. */
export interface VeryLongWord {
  index: number;
  length: number;
  letters: number;
}

export interface LixSection {
  section: string;
  title: string;
  lix: number;
  band: LixBand | '';
  words: number;
  sentences: number;
  long_words: number;
  long_sentences: LongSentence[] | null;
  very_long_words: VeryLongWord[] | null;
}

export interface LixReport {
  lix: number;
  band: LixBand | '';
  words: number;
  sentences: number;
  long_words: number;
  sections: LixSection[] | null;
}

export interface MilestoneFields {
  title: string;
  date: string;
  responsible: string;
  status: MilestoneStatus;
}

export interface NewRound {
  message: string;
  sections: string[];
  recipients: string[];
  deadline: string;
}

export function getPrivacy(api: Api, plan: string): Promise<PrivacyReport> {
  return api.request<PrivacyReport>('GET', `${base(plan)}/privacy`);
}

export function acceptFinding(api: Api, plan: string, finding: string, seq: number, reason: string): Promise<Plan> {
  return api.request<Plan>('POST', `${base(plan)}/privacy/${enc(finding)}/accept`, { seq, reason });
}

export function reopenFinding(api: Api, plan: string, finding: string, seq: number): Promise<Plan> {
  return api.request<Plan>('DELETE', `${base(plan)}/privacy/${enc(finding)}/accept?seq=${seq}`);
}

export function setThreshold(api: Api, plan: string, seq: number, threshold: number): Promise<Plan> {
  return api.request<Plan>('PATCH', `${base(plan)}/settings`, { seq, privacy_threshold: threshold });
}

export function getLix(api: Api, plan: string): Promise<LixReport> {
  return api.request<LixReport>('GET', `${base(plan)}/lix`);
}

export function addMilestone(api: Api, plan: string, seq: number, m: MilestoneFields): Promise<Plan> {
  return api.request<Plan>('POST', `${base(plan)}/milestones`, { seq, ...m });
}

export function updateMilestone(api: Api, plan: string, id: string, seq: number, m: Partial<MilestoneFields>): Promise<Plan> {
  return api.request<Plan>('PATCH', `${base(plan)}/milestones/${enc(id)}`, { seq, ...m });
}

export function deleteMilestone(api: Api, plan: string, id: string, seq: number): Promise<Plan> {
  return api.request<Plan>('DELETE', `${base(plan)}/milestones/${enc(id)}?seq=${seq}`);
}

export function sendRound(api: Api, plan: string, seq: number, r: NewRound): Promise<Plan> {
  return api.request<Plan>('POST', `${base(plan)}/rounds`, { seq, ...r });
}

export function answerRound(api: Api, plan: string, round: string, comment: string): Promise<Plan> {
  return api.request<Plan>('POST', `${base(plan)}/rounds/${enc(round)}/done`, { comment });
}
