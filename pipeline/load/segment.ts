/**
 * Execution segments (DESIGN §16, k6's execution segments): N machines run one schedule, each its segment.
 * The split is striped over one seeded sequence, never cut in time blocks: closed-loop user u and open-loop
 * arrival i belong to segment I when their index ≡ I − 1 (mod N), and within a segment the W worker threads
 * stripe that subsequence (its j-th member goes to worker j mod W). Users and arrivals keep their index in the
 * whole schedule, so the union over all segments and workers is the one-machine schedule exactly: the same
 * users with the same ramp, the same arrival offsets. Request budgets and the open-loop in-flight cap are
 * split the same way (segment I gets the budget's members ≡ I − 1 mod N), so they add up to the whole.
 * Pure: the same phase and segment always give the same share.
 */
import type { OpenLoad, Phase } from '../core/plan.js';
import type { Segment } from '../core/segment.js';

/** The one-machine schedule is the single segment 1/1. */
export const WHOLE: Segment = { index: 1, count: 1 };

/**
 * Indices in [0, total) that worker `workerIndex` of `workerCount` runs in `segment`, ascending: the
 * segment's members I − 1, I − 1 + N, … and of those every W-th from the worker's own position.
 */
export function* stripeIndices(total: number, segment: Segment | undefined, workerIndex: number, workerCount: number): Generator<number> {
  const { index, count } = segment ?? WHOLE;
  const step = count * workerCount;
  for (let i = index - 1 + workerIndex * count; i < total; i += step) yield i;
}

/** How many of the indices [0, total) are segment I's (those ≡ I − 1 mod N). */
export function segmentShare(total: number, segment: Segment): number {
  return Math.max(0, Math.ceil((total - (segment.index - 1)) / segment.count));
}

/** Whether index i of the whole schedule belongs to the segment. */
export function inSegment(i: number, segment: Segment | undefined): boolean {
  const { index, count } = segment ?? WHOLE;
  return i % count === index - 1;
}

/**
 * The phase as segment I runs it: the whole load (users profile, arrival offsets) with the segment attached,
 * its request budget and in-flight cap cut to the segment's share. The cap keeps at least 1, so with more
 * agents than cap slots the agents together allow a little more than the cap (said in README).
 */
export function segmentPhase(phase: Phase, segment: Segment): Phase {
  const load: Phase['load'] = phase.load.kind === 'open'
    ? ({ ...phase.load, maxInFlight: Math.max(1, segmentShare(phase.load.maxInFlight, segment)) } satisfies OpenLoad)
    : phase.load;
  return {
    ...phase,
    load,
    requests: phase.requests === null ? null : segmentShare(phase.requests, segment),
    segment,
  };
}

/** Every phase of a plan (warmup included: each agent runs its own share of it) as segment I runs it. */
export function segmentPhases(phases: readonly Phase[], segment: Segment): Phase[] {
  return phases.map((phase) => segmentPhase(phase, segment));
}
