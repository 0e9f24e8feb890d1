// What every HTTP call to /api shares: the error shape
// {"error":{"code","message"}} turned into ApiError, and reading a JSON
// answer. Both the REST client and the auth session use it.

/** ApiError is a refused or failed request, with the server's stable code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds to wait before trying again (Retry-After of a 429), if the server said. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** FetchLike is the part of fetch the API code uses (a fake in tests). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** networkError wraps a failed fetch (no answer at all). */
export function networkError(err: unknown): ApiError {
  return new ApiError(0, 'network', err instanceof Error ? err.message : String(err));
}

/** decode returns the JSON body of a successful answer, or throws its ApiError. */
export async function decode<T>(res: Response): Promise<T> {
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
    const code = e?.code ?? (res.status === 401 ? 'unauthorized' : res.status === 429 ? 'rate_limited' : res.status >= 500 ? 'internal' : 'bad_request');
    throw new ApiError(res.status, code, e?.message ?? res.statusText, retryAfter(res.headers.get('Retry-After')));
  }
  return data as T;
}

// retryAfter reads a Retry-After header given in seconds (the server never
// sends the HTTP-date form).
function retryAfter(v: string | null): number | undefined {
  if (v === null || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? Math.ceil(n) : undefined;
}
