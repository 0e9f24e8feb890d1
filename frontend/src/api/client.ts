// The REST client: JSON under /api with the access token as a bearer
// token, one error shape {"error":{"code","message"}} turned into ApiError.
// A 401 gets one refresh of the token and one retry of the call; when the
// refresh finds the session gone, the call fails with "unauthorized" and
// the token source tells the app to show the login page.
import { ApiError, decode, networkError, type FetchLike } from './http';
import type {
  AuditEntry,
  Authorship,
  CommentBody,
  Me,
  NewComment,
  NewPlan,
  NewSection,
  NewSuggestion,
  Plan,
  PlanSummary,
  SectionContent,
  SectionHistory,
  SectionPatch,
  Suggestion,
  SuggestionStatus,
  Thread,
  Transition,
} from './types';

export { ApiError } from './http';

/** TokenSource gives the client its access tokens (auth/session.ts). */
export interface TokenSource {
  /** accessToken returns the token to send, or null when signed out. */
  accessToken(): Promise<string | null>;
  /** refresh returns a token newer than the refused one, or null when the session is gone. */
  refresh(refused: string | null): Promise<string | null>;
}

const enc = encodeURIComponent;

export class Api {
  constructor(
    private readonly auth: TokenSource,
    private readonly fetchFn: FetchLike = (input, init) => fetch(input, init),
  ) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const token = await this.auth.accessToken();
    if (!token) throw new ApiError(401, 'unauthorized', 'not signed in');
    let res = await this.send(method, path, body, token);
    if (res.status === 401) {
      // The token expired under us (or was revoked): refresh once, retry once.
      const fresh = await this.auth.refresh(token);
      if (!fresh) throw new ApiError(401, 'unauthorized', 'the session has ended');
      res = await this.send(method, path, body, fresh);
    }
    return decode<T>(res);
  }

  /** blob fetches a file (an export's) with the access token, refreshing it once on a 401 as request does. */
  async blob(path: string): Promise<Blob> {
    const token = await this.auth.accessToken();
    if (!token) throw new ApiError(401, 'unauthorized', 'not signed in');
    let res = await this.send('GET', path, undefined, token);
    if (res.status === 401) {
      const fresh = await this.auth.refresh(token);
      if (!fresh) throw new ApiError(401, 'unauthorized', 'the session has ended');
      res = await this.send('GET', path, undefined, fresh);
    }
    if (!res.ok) await decode(res); // throws the answer's ApiError
    return res.blob();
  }

  private async send(method: string, path: string, body: unknown, token: string): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json', Authorization: `Bearer ${token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      return await this.fetchFn(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
      });
    } catch (err) {
      throw networkError(err);
    }
  }

  me(): Promise<Me> {
    return this.request<Me>('GET', '/api/me');
  }

  async listPlans(): Promise<PlanSummary[]> {
    const r = await this.request<{ items: PlanSummary[] | null }>('GET', '/api/plans');
    return r.items ?? [];
  }

  createPlan(p: NewPlan): Promise<Plan> {
    return this.request<Plan>('POST', '/api/plans', p);
  }

  getPlan(id: string): Promise<Plan> {
    return this.request<Plan>('GET', `/api/plans/${enc(id)}`);
  }

  /** transition asks for a phase step; the answer is the plan after it. */
  transition(plan: string, t: Transition): Promise<Plan> {
    return this.request<Plan>('POST', `/api/plans/${enc(plan)}/transitions`, t);
  }

  async audit(plan: string): Promise<AuditEntry[]> {
    const r = await this.request<{ items: AuditEntry[] | null }>('GET', `/api/plans/${enc(plan)}/audit`);
    return r.items ?? [];
  }

  addSection(plan: string, s: NewSection): Promise<unknown> {
    return this.request('POST', `/api/plans/${enc(plan)}/sections`, s);
  }

  updateSection(plan: string, section: string, patch: SectionPatch): Promise<unknown> {
    return this.request('PATCH', `/api/plans/${enc(plan)}/sections/${enc(section)}`, patch);
  }

  moveSection(plan: string, section: string, to: { parent: string; index: number; seq: number }): Promise<unknown> {
    return this.request('POST', `/api/plans/${enc(plan)}/sections/${enc(section)}/move`, to);
  }

  deleteSection(plan: string, section: string, seq: number): Promise<unknown> {
    return this.request('DELETE', `/api/plans/${enc(plan)}/sections/${enc(section)}?seq=${seq}`);
  }

  sectionContent(plan: string, section: string): Promise<SectionContent> {
    return this.request<SectionContent>('GET', `/api/plans/${enc(plan)}/sections/${enc(section)}/content`);
  }

  // The review: comment threads, required changes, suggestions, history.

  async comments(plan: string, q: { section?: string; status?: 'open' | 'resolved'; mine?: boolean; mentions?: 'me' } = {}): Promise<Thread[]> {
    const params = new URLSearchParams();
    if (q.section) params.set('section', q.section);
    if (q.status) params.set('status', q.status);
    if (q.mine) params.set('mine', 'true');
    if (q.mentions) params.set('mentions', q.mentions);
    const qs = params.toString();
    const r = await this.request<{ items: Thread[] | null }>('GET', `/api/plans/${enc(plan)}/comments${qs ? `?${qs}` : ''}`);
    return r.items ?? [];
  }

  addComment(plan: string, c: NewComment): Promise<Thread> {
    return this.request<Thread>('POST', `/api/plans/${enc(plan)}/comments`, c);
  }

  reply(plan: string, thread: string, c: CommentBody): Promise<Thread> {
    return this.request<Thread>('POST', `/api/plans/${enc(plan)}/comments/${enc(thread)}/replies`, c);
  }

  editComment(plan: string, id: string, c: CommentBody): Promise<Thread> {
    return this.request<Thread>('PATCH', `/api/plans/${enc(plan)}/comments/${enc(id)}`, c);
  }

  deleteComment(plan: string, id: string): Promise<Thread> {
    return this.request<Thread>('DELETE', `/api/plans/${enc(plan)}/comments/${enc(id)}`);
  }

  /** threadFlag sets a thread's resolved, required (endringskrav) or done flag. */
  threadFlag(plan: string, thread: string, flag: 'resolve' | 'required' | 'done', value: boolean): Promise<Thread> {
    return this.request<Thread>('POST', `/api/plans/${enc(plan)}/comments/${enc(thread)}/${flag}`, { value });
  }

  async suggestions(plan: string, q: { section?: string; status?: SuggestionStatus } = {}): Promise<Suggestion[]> {
    const params = new URLSearchParams();
    if (q.section) params.set('section', q.section);
    if (q.status) params.set('status', q.status);
    const qs = params.toString();
    const r = await this.request<{ items: Suggestion[] | null }>('GET', `/api/plans/${enc(plan)}/suggestions${qs ? `?${qs}` : ''}`);
    return r.items ?? [];
  }

  addSuggestion(plan: string, s: NewSuggestion): Promise<Suggestion> {
    return this.request<Suggestion>('POST', `/api/plans/${enc(plan)}/suggestions`, s);
  }

  acceptSuggestion(plan: string, id: string): Promise<Suggestion> {
    return this.request<Suggestion>('POST', `/api/plans/${enc(plan)}/suggestions/${enc(id)}/accept`);
  }

  rejectSuggestion(plan: string, id: string, reply: string): Promise<Suggestion> {
    return this.request<Suggestion>('POST', `/api/plans/${enc(plan)}/suggestions/${enc(id)}/reject`, reply ? { reply } : undefined);
  }

  sectionHistory(plan: string, section: string): Promise<SectionHistory> {
    return this.request<SectionHistory>('GET', `/api/plans/${enc(plan)}/sections/${enc(section)}/history`);
  }

  authorship(plan: string, section: string): Promise<Authorship> {
    return this.request<Authorship>('GET', `/api/plans/${enc(plan)}/sections/${enc(section)}/authorship`);
  }
}
