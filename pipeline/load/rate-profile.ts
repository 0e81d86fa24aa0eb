/**
 * Piecewise-linear request rates and the inverse of their cumulative, which turns unit-rate event times
 * into wall-clock offsets. Inversion (rather than thinning) keeps one draw per arrival and makes a ramp's
 * arrivals a deterministic function of the seed, whatever the ramp.
 */

/** Breakpoints [offset ms from phase start, requests/s]; linear between them, the last rate held after. */
export type RateProfile = ReadonlyArray<readonly [offsetMs: number, rateRps: number]>;

interface Segment {
  readonly startMs: number;
  /** Infinity for the open-ended segment after the last breakpoint. */
  readonly durationMs: number;
  readonly startRateRps: number;
  readonly endRateRps: number;
  /** Expected arrivals before this segment (Λ at its start). */
  readonly cumulativeBefore: number;
  /** Expected arrivals in this segment (Infinity for an open-ended segment with a positive rate). */
  readonly expected: number;
}

function segmentsOf(profile: RateProfile): Segment[] {
  if (profile.length === 0) throw new RangeError('a rate profile needs at least one breakpoint');
  const segments: Segment[] = [];
  let cumulative = 0;
  for (let i = 0; i < profile.length; i++) {
    const [startMs, startRateRps] = profile[i]!;
    const next = profile[i + 1];
    const durationMs = next ? next[0] - startMs : Number.POSITIVE_INFINITY;
    const endRateRps = next ? next[1] : startRateRps;
    if (durationMs < 0) throw new RangeError('rate profile breakpoints must be in time order');
    // Area under the line, in requests (rates are per second, times in ms). 0·∞ must be 0, not NaN.
    const expected = durationMs === 0 || (startRateRps === 0 && endRateRps === 0)
      ? 0
      : ((startRateRps + endRateRps) / 2) * (durationMs / 1000);
    segments.push({ startMs, durationMs, startRateRps, endRateRps, cumulativeBefore: cumulative, expected });
    cumulative += expected;
  }
  return segments;
}

/**
 * Offset within a segment where the cumulative grows by `x` requests: solves a·τ² + b·τ = x with
 * b = start rate and a = slope/2 (per ms), in the cancellation-free form τ = 2x / (b + √(b² + 4ax)).
 */
function offsetWithin(segment: Segment, x: number): number {
  if (x <= 0) return 0; // also keeps 0/0 out when a ramp starts from 0 req/s
  const b = segment.startRateRps / 1000;
  const slopePerMs = Number.isFinite(segment.durationMs)
    ? (segment.endRateRps - segment.startRateRps) / 1000 / segment.durationMs
    : 0;
  // Flat segments: x·1000/rate is exact for integer x and "nice" rates (40 rps → 25 ms apart, no drift).
  if (slopePerMs === 0) return Math.min((x * 1000) / segment.startRateRps, segment.durationMs);
  const a = slopePerMs / 2;
  const root = Math.sqrt(Math.max(0, b * b + 4 * a * x));
  const tau = (2 * x) / (b + root);
  return Math.min(Math.max(tau, 0), segment.durationMs);
}

/**
 * Maps ascending unit-rate times to ascending offsets (ms): each `s` goes to the earliest t with Λ(t) ≥ s.
 * Ends when the profile's rate stays 0 forever (no further arrival can come).
 */
export function* invertCumulative(profile: RateProfile, unitTimes: Iterable<number>): Generator<number> {
  const segments = segmentsOf(profile);
  let index = 0;
  for (const s of unitTimes) {
    // Skip segments that end before s, and empty ones (zero length or zero rate): no arrival lies in them.
    for (;;) {
      const segment = segments[index];
      if (segment === undefined) return;
      const end = segment.cumulativeBefore + segment.expected;
      if (segment.expected > 0 && s <= end) break;
      index++;
    }
    const segment = segments[index]!;
    yield segment.startMs + offsetWithin(segment, s - segment.cumulativeBefore);
  }
}

/** Expected number of arrivals in [0, untilMs): the integral of the rate. */
export function expectedArrivals(profile: RateProfile, untilMs: number): number {
  let total = 0;
  for (const segment of segmentsOf(profile)) {
    if (segment.startMs >= untilMs) break;
    const spanMs = Math.min(segment.durationMs, untilMs - segment.startMs);
    if (spanMs <= 0) continue;
    const slopePerMs = Number.isFinite(segment.durationMs)
      ? (segment.endRateRps - segment.startRateRps) / segment.durationMs
      : 0;
    const endRate = slopePerMs === 0 ? segment.startRateRps : segment.startRateRps + slopePerMs * spanMs;
    if (segment.startRateRps === 0 && endRate === 0) continue; // 0 · ∞ would be NaN
    total += ((segment.startRateRps + endRate) / 2) * (spanMs / 1000);
  }
  return total;
}
