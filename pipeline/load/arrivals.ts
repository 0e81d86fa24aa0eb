/**
 * Open-loop schedules: a rate profile plus an arrival process, materialised as ascending offsets (ms).
 * The whole schedule is computed before the run (like vLLM `bench serve`), so dispatch only sleeps until
 * absolute deadlines and a slow client shows up as schedule lag, never as a thinner schedule.
 */
import { ScenarioError } from '../core/errors.js';
import { unitArrivals, type ArrivalProcessConfig } from './arrival-process.js';
import { expectedArrivals, invertCumulative, type RateProfile } from './rate-profile.js';

/** A schedule longer than this is almost certainly a typo (10 M offsets ≈ 80 MB of doubles). */
export const MAX_PLANNED_ARRIVALS = 10_000_000;

export interface ArrivalScheduleConfig extends ArrivalProcessConfig {
  readonly profile: RateProfile;
  /** Arrivals at or after this offset are not scheduled; null = no time limit. */
  readonly durationMs: number | null;
  /** At most this many arrivals; null = no count limit. */
  readonly maxArrivals: number | null;
}

export function arrivalOffsetsMs(config: ArrivalScheduleConfig): number[] {
  if (config.durationMs === null && config.maxArrivals === null) {
    throw new RangeError('an open-loop schedule needs a duration or a request count');
  }
  const limit = Math.min(config.maxArrivals ?? Number.POSITIVE_INFINITY, MAX_PLANNED_ARRIVALS + 1);
  const endMs = config.durationMs ?? Number.POSITIVE_INFINITY;
  // Fail fast on the expected count instead of generating ten million offsets first.
  if (limit > MAX_PLANNED_ARRIVALS && expectedArrivals(config.profile, endMs) > 1.01 * MAX_PLANNED_ARRIVALS) tooMany();
  const offsetsMs: number[] = [];
  if (limit <= 0) return offsetsMs;
  for (const offsetMs of invertCumulative(config.profile, unitArrivals(config))) {
    if (offsetMs >= endMs) break;
    offsetsMs.push(offsetMs);
    if (offsetsMs.length >= limit) break;
  }
  if (offsetsMs.length > MAX_PLANNED_ARRIVALS) tooMany();
  return offsetsMs;
}

function tooMany(): never {
  throw new ScenarioError(
    'SCENARIO_INVALID',
    `the open-loop schedule would hold more than ${MAX_PLANNED_ARRIVALS.toLocaleString('en-US')} arrivals`,
    { hint: 'lower the rate, the duration or the request count, or split the run into several scenarios' },
  );
}
