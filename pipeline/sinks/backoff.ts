/**
 * Retry delays for failed writes: exponential from `minDelayMs`, capped at `maxDelayMs`, no jitter (one
 * writer per run has no herd to spread, and a deterministic schedule is testable with an injected clock).
 * A server's Retry-After wins when it asks for longer, up to `maxRetryAfterMs`.
 */
export interface BackoffOptions {
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  readonly factor: number;
  readonly maxRetryAfterMs: number;
}

// Capped at 2 s: one small request every 2 s costs a down server nothing, and recovery is noticed quickly.
export const DEFAULT_BACKOFF: BackoffOptions = { minDelayMs: 250, maxDelayMs: 2_000, factor: 2, maxRetryAfterMs: 60_000 };

/** Delay before retry number `attempt` (1 = the first retry). */
export function backoffDelayMs(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, retryAfterMs?: number): number {
  const exponential = Math.min(options.minDelayMs * options.factor ** Math.max(attempt - 1, 0), options.maxDelayMs);
  if (retryAfterMs === undefined) return exponential;
  return Math.max(exponential, Math.min(retryAfterMs, options.maxRetryAfterMs));
}
