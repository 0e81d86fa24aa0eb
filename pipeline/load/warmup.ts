/**
 * Warmup: a first phase (`warmup: true`) that primes connections, caches and the engine's lazy paths. Its
 * requests are recorded but excluded from statistics (stage index -1). It runs at the main load's first
 * non-zero level in the same loop shape (users for closed loads, the rate and arrival process for open ones).
 */
import type { Phase } from '../core/plan.js';
import { constantConcurrency } from './constant-concurrency.js';
import { constantRate } from './constant-rate.js';
import { WARMUP_LABEL, type ArrivalSettings } from './types.js';

/** Warmup by request count or by time, never both. */
export type WarmupSpec = { readonly requests: number } | { readonly durationMs: number };

export type WarmupLoad =
  | { readonly kind: 'closed'; readonly users: number; readonly thinkTimeMs: number }
  | ({ readonly kind: 'open'; readonly rateRps: number } & ArrivalSettings);

export function warmupPhase(spec: WarmupSpec, load: WarmupLoad): Phase {
  const stop = 'requests' in spec
    ? { durationMs: null, requests: spec.requests }
    : { durationMs: spec.durationMs, requests: null };
  const phase = load.kind === 'closed'
    ? constantConcurrency({ users: load.users, thinkTimeMs: load.thinkTimeMs, ...stop }, WARMUP_LABEL)
    : constantRate({ ...load, ...stop }, WARMUP_LABEL);
  return { ...phase, warmup: true };
}
