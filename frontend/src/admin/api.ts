// The administrator's REST calls (server/admin*.go): the municipality's
// users, the overview of its plans, archiving and the leadership of a
// plan, plan roles, and the municipality's settings. The server checks
// every one of them; the UI only offers them to administrators.
import type { Api } from '../api/client';
import type { Phase, PlanType } from '../api/types';

const enc = encodeURIComponent;

/** Account is a person of the municipality as the administrator sees it. */
export interface Account {
  id: string;
  email: string;
  name: string;
  municipality: string;
  admin: boolean;
  disabled: boolean;
  created: string;
  updated: string;
}

/** NewUser is the invitation form's input. */
export interface NewUser {
  email: string;
  name: string;
  admin: boolean;
  /** password is a first password; left out, the invitation e-mail lets the person choose one. */
  password?: string;
}

/** UserPatch changes an account; absent fields stay. */
export interface UserPatch {
  name?: string;
  admin?: boolean;
  disabled?: boolean;
}

export interface OverviewMember {
  user: string;
  name: string;
  email: string;
  roles: string[];
}

/** PlanOverview is one row of the administrator's overview of plans. */
export interface PlanOverview {
  id: string;
  title: string;
  type: PlanType;
  phase: Phase;
  archived: boolean;
  seq: number;
  created: string;
  updated: string;
  leader: { id: string; name: string } | null;
  members: OverviewMember[];
  next_milestone: { id: string; title: string; date: string } | null;
  overdue_milestones: number;
  open_rounds: number;
  /** The earliest deadline of an open review round (it may have passed). */
  round_deadline?: string;
}

export interface Overview {
  /** The day the deadlines are judged on (YYYY-MM-DD). */
  today: string;
  items: PlanOverview[];
}

export type LoginMethod = 'password' | 'oidc';

export interface MunicipalitySettings {
  login_methods: LoginMethod[];
  email_domains: string[];
  privacy_threshold: number;
  hearing_weeks: number;
  /** The written standard of the public pages (hearing, adopted plan) when the reader asks for none. */
  language: PageLanguage;
}

export type PageLanguage = 'nb' | 'nn';

export interface MunicipalityAdmin {
  id: string;
  name: string;
  settings: MunicipalitySettings;
  /** Whether this server has an OpenID Connect provider at all. */
  oidc_configured: boolean;
}

export class AdminApi {
  constructor(private readonly api: Api) {}

  async users(): Promise<Account[]> {
    const r = await this.api.request<{ items: Account[] | null }>('GET', '/api/admin/users');
    return r.items ?? [];
  }

  invite(u: NewUser): Promise<Account> {
    return this.api.request<Account>('POST', '/api/admin/users', u);
  }

  updateUser(id: string, patch: UserPatch): Promise<Account> {
    return this.api.request<Account>('PATCH', `/api/admin/users/${enc(id)}`, patch);
  }

  async overview(): Promise<Overview> {
    const r = await this.api.request<Overview>('GET', '/api/admin/plans');
    return { today: r.today, items: r.items ?? [] };
  }

  archive(plan: string, reason = ''): Promise<unknown> {
    return this.api.request('POST', `/api/plans/${enc(plan)}/archive`, reason ? { reason } : {});
  }

  restore(plan: string): Promise<unknown> {
    return this.api.request('DELETE', `/api/plans/${enc(plan)}/archive`);
  }

  /** transferLeadership makes user the plan's one leader (the previous leader keeps their other roles). */
  transferLeadership(plan: string, user: string): Promise<unknown> {
    return this.api.request('PUT', `/api/plans/${enc(plan)}/leader`, { user });
  }

  /** setRoles gives user roles in the plan; no roles removes them from it. */
  setRoles(plan: string, user: string, roles: string[]): Promise<unknown> {
    if (roles.length === 0) return this.api.request('DELETE', `/api/plans/${enc(plan)}/members/${enc(user)}`);
    return this.api.request('PUT', `/api/plans/${enc(plan)}/members/${enc(user)}`, { roles });
  }

  municipality(): Promise<MunicipalityAdmin> {
    return this.api.request<MunicipalityAdmin>('GET', '/api/admin/municipality');
  }

  saveSettings(s: MunicipalitySettings): Promise<MunicipalityAdmin> {
    return this.api.request<MunicipalityAdmin>('PUT', '/api/admin/municipality', s);
  }
}
