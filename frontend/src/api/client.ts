// The REST client: JSON under /api, one error shape
// {"error":{"code","message"}} turned into ApiError.
import type { NewPlan, NewSection, Plan, PlanSummary, SectionContent, SectionPatch } from './types';

/** ApiError is a refused or failed request, with the server's stable code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch (err) {
    throw new ApiError(0, 'network', err instanceof Error ? err.message : String(err));
  }
  const text = await res.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const e = (data as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(res.status, e?.code ?? (res.status >= 500 ? 'internal' : 'bad_request'), e?.message ?? res.statusText);
  }
  return data as T;
}

const enc = encodeURIComponent;

export const api = {
  async listPlans(): Promise<PlanSummary[]> {
    const r = await request<{ items: PlanSummary[] | null }>('GET', '/api/plans');
    return r.items ?? [];
  },
  createPlan(p: NewPlan): Promise<Plan> {
    return request<Plan>('POST', '/api/plans', p);
  },
  getPlan(id: string): Promise<Plan> {
    return request<Plan>('GET', `/api/plans/${enc(id)}`);
  },
  addSection(plan: string, s: NewSection): Promise<unknown> {
    return request('POST', `/api/plans/${enc(plan)}/sections`, s);
  },
  updateSection(plan: string, section: string, patch: SectionPatch): Promise<unknown> {
    return request('PATCH', `/api/plans/${enc(plan)}/sections/${enc(section)}`, patch);
  },
  moveSection(plan: string, section: string, to: { parent: string; index: number; seq: number }): Promise<unknown> {
    return request('POST', `/api/plans/${enc(plan)}/sections/${enc(section)}/move`, to);
  },
  deleteSection(plan: string, section: string, seq: number): Promise<unknown> {
    return request('DELETE', `/api/plans/${enc(plan)}/sections/${enc(section)}?seq=${seq}`);
  },
  sectionContent(plan: string, section: string): Promise<SectionContent> {
    return request<SectionContent>('GET', `/api/plans/${enc(plan)}/sections/${enc(section)}/content`);
  },
};
