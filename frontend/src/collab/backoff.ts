// Reconnect delays: exponential backoff with jitter, so that a server
// restart is not met by every tab at the same instant.

export interface BackoffOptions {
  /** First delay in ms. */
  base: number;
  /** Largest delay in ms. */
  max: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { base: 500, max: 30_000 };

/**
 * backoffDelay returns the delay before reconnect attempt number `attempt`
 * (0 for the first): base·2^attempt capped at max, of which a random half
 * is dropped ("equal jitter": never less than half the nominal delay).
 */
export function backoffDelay(attempt: number, opts: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const nominal = Math.min(opts.max, opts.base * 2 ** Math.min(attempt, 30));
  return Math.round(nominal / 2 + (random() * nominal) / 2);
}
