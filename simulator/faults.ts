/**
 * Which faults hit which request. Pure and seeded: the n-th request gets the same plan for the same seed,
 * because every request draws the same number of values whatever the outcome.
 */
import type { Faults } from './options.js';
import { mulberry32, randomInt, type Random } from './random.js';

export type FaultKind = 'error_status' | 'disconnect' | 'stall' | 'malformed' | 'mid_stream_error' | 'slow_headers';

export interface FaultPlan {
  /** Answer with this status and the engine's error body instead of generating. */
  readonly errorStatus?: number;
  readonly slowHeadersMs?: number;
  /** Destroy the socket right after the chunk that brings the emitted count to this. */
  readonly disconnectAfterTokens?: number;
  readonly stall?: { readonly afterTokens: number; readonly ms: number };
  readonly malformedAfterTokens?: number;
  readonly midStreamErrorAfterTokens?: number;
}

export class FaultPlanner {
  readonly #faults: Faults;
  readonly #random: Random;

  constructor(faults: Faults, seed: number) {
    this.#faults = faults;
    this.#random = mulberry32(seed);
  }

  /** The plan for the next request, which will generate `outputTokens` tokens. */
  plan(outputTokens: number): FaultPlan {
    const f = this.#faults;
    const draw = () => this.#random();
    // A mid-stream position: at least one token first; before the last token when there is more than one.
    const position = () => randomInt(this.#random, 1, Math.max(1, outputTokens - 1));
    const error = draw() < f.errorRate;
    const slow = draw() < f.slowHeadersRate;
    const disconnect = draw() < f.disconnectRate;
    const disconnectAt = position();
    const stall = draw() < f.stallRate;
    const stallAt = position();
    const malformed = draw() < f.malformedRate;
    const malformedAt = position();
    const midError = draw() < f.midStreamErrorRate;
    const midErrorAt = position();
    if (error) return { errorStatus: f.errorStatus };
    return {
      ...(slow && f.slowHeadersMs > 0 ? { slowHeadersMs: f.slowHeadersMs } : {}),
      ...(disconnect ? { disconnectAfterTokens: disconnectAt } : {}),
      ...(stall && f.stallMs > 0 && outputTokens > 1 ? { stall: { afterTokens: stallAt, ms: f.stallMs } } : {}),
      ...(malformed ? { malformedAfterTokens: malformedAt } : {}),
      ...(midError ? { midStreamErrorAfterTokens: midErrorAt } : {}),
    };
  }
}

/** The faults a plan contains, for the ground-truth record. */
export function faultKinds(plan: FaultPlan): FaultKind[] {
  const kinds: FaultKind[] = [];
  if (plan.errorStatus !== undefined) kinds.push('error_status');
  if (plan.slowHeadersMs !== undefined) kinds.push('slow_headers');
  if (plan.disconnectAfterTokens !== undefined) kinds.push('disconnect');
  if (plan.stall !== undefined) kinds.push('stall');
  if (plan.malformedAfterTokens !== undefined) kinds.push('malformed');
  if (plan.midStreamErrorAfterTokens !== undefined) kinds.push('mid_stream_error');
  return kinds;
}
