/**
 * Execution segments (DESIGN §16) are exact: for every load shape, several segment counts N and worker counts W,
 * the users and arrivals that all N segments' W workers run are the one-machine schedule, each exactly once, with
 * the same users profile and the same arrival offsets; request budgets and the in-flight cap add up to the whole.
 * Pure: compiled plans and the stripe the workers iterate, no timers.
 */
import test from 'ava';
import type { Phase } from '../../../pipeline/core/plan.js';
import { parseSegment, type Segment } from '../../../pipeline/core/segment.js';
import { inSegment, segmentShare, stripeIndices } from '../../../pipeline/load/segment.js';
import { maxStreams, peakUsers } from '../../../pipeline/pool/user-profile.js';
import { compilePhases, compileWholePhases } from '../../../pipeline/scenario/compile.js';
import { validateScenario } from '../../../pipeline/scenario/validate.js';

const target = { engine: 'vllm', url: 'http://127.0.0.1:8000', model: 'm' } as const;

/** One scenario per load shape, each with a warmup (a segment runs its own share of it too). */
const SHAPES: Record<string, Record<string, unknown>> = {
  'constant-concurrency': { load: { executor: 'constant-concurrency', users: 10, requests: 37 }, warmup: { requests: 5 } },
  'ramping-concurrency': {
    load: { executor: 'ramping-concurrency', start_target: 1, stages: [{ duration: '10s', target: 9 }, { duration: '5s', target: 9 }, { duration: '0s', target: 23 }, { duration: '5s', target: 2 }] },
    warmup: { duration: '2s' },
  },
  'constant-rate (poisson)': { load: { executor: 'constant-rate', rate: 37.5, duration: '9s', max_in_flight: 13 }, warmup: { requests: 3 } },
  'constant-rate (requests)': { load: { executor: 'constant-rate', rate: 20, requests: 101, arrival: 'constant' } },
  'ramping-rate (gamma)': {
    load: { executor: 'ramping-rate', start_target: 2, stages: [{ duration: '4s', target: 30 }, { duration: '3s', target: 30 }, { duration: '2s', target: 5 }], arrival: 'gamma', burstiness: 0.5 },
    warmup: { duration: '1s' },
  },
  'sweep (concurrency)': { load: { executor: 'sweep', levels: [1, 2, 4, 8, 16], level_duration: '5s', level_requests: 50 } },
  'sweep (rate)': { load: { executor: 'sweep', mode: 'rate', levels: [5, 10, 20], level_duration: '3s' } },
};

const SEGMENT_COUNTS = [1, 2, 3, 4, 7];
const WORKER_COUNTS = [1, 2, 3];

const scenario = (shape: string, segment?: string) =>
  validateScenario({ name: 'x', target, workload: { seed: 11 }, ...SHAPES[shape], ...(segment ? { segment } : {}) }, 'test');

/** What a phase's worker runs: user indices (closed loop) or arrival indices (open loop), from the stripe the worker iterates. */
const membersOf = (phase: Phase, workerIndex: number, workerCount: number): number[] => {
  const total = phase.load.kind === 'closed' ? peakUsers(phase.load.users) : phase.load.arrivalsMs.length;
  return [...stripeIndices(total, phase.segment, workerIndex, workerCount)];
};

for (const shape of Object.keys(SHAPES)) {
  for (const count of SEGMENT_COUNTS) {
    test(`${shape}: ${count} segments together are the one-machine schedule`, (t) => {
      const whole = compileWholePhases(scenario(shape));
      const segments = Array.from({ length: count }, (_, i) => compilePhases(scenario(shape, `${i + 1}/${count}`)));
      t.true(segments.every((phases) => phases.length === whole.length));
      whole.forEach((wholePhase, p) => {
        const phases = segments.map((phases) => phases[p]!);
        // Every segment keeps the whole profile and the whole arrival sequence: its share is picked by index.
        for (const [i, phase] of phases.entries()) {
          t.deepEqual(phase.segment, { index: i + 1, count });
          t.is(phase.name, wholePhase.name);
          t.deepEqual(phase.stages, wholePhase.stages);
          t.is(phase.durationMs, wholePhase.durationMs);
          if (wholePhase.load.kind === 'closed') t.deepEqual(phase.load, wholePhase.load);
          else if (phase.load.kind === 'open') t.deepEqual(phase.load.arrivalsMs, wholePhase.load.arrivalsMs);
        }
        // Request budgets and the in-flight cap: the shares add up to the whole.
        if (wholePhase.requests !== null) t.is(phases.reduce((sum, phase) => sum + phase.requests!, 0), wholePhase.requests, 'request budget');
        else t.true(phases.every((phase) => phase.requests === null));
        if (wholePhase.load.kind === 'open' && wholePhase.load.maxInFlight >= count) {
          t.is(phases.reduce((sum, phase) => sum + (phase.load.kind === 'open' ? phase.load.maxInFlight : 0), 0), wholePhase.load.maxInFlight, 'in-flight cap');
        }
        for (const workers of WORKER_COUNTS) {
          const oneMachine = Array.from({ length: workers }, (_, w) => membersOf(wholePhase, w, workers)).flat().sort((a, b) => a - b);
          const union: number[] = [];
          phases.forEach((phase, i) => {
            for (let w = 0; w < workers; w++) {
              const mine = membersOf(phase, w, workers);
              // Striped, not cut in time blocks: segment I holds the indices ≡ I−1 (mod N), its workers every W-th of those.
              t.true(mine.every((index) => inSegment(index, phase.segment) && ((index - i) / count) % workers === w), `segment ${i + 1}/${count} worker ${w}/${workers}`);
              union.push(...mine);
            }
          });
          union.sort((a, b) => a - b);
          t.deepEqual(union, oneMachine, `W=${workers}: the union is the one-machine schedule, each member once`);
          const total = wholePhase.load.kind === 'closed' ? peakUsers(wholePhase.load.users) : wholePhase.load.arrivalsMs.length;
          t.deepEqual(oneMachine, Array.from({ length: total }, (_, k) => k));
          if (wholePhase.load.kind === 'open') {
            // The same offsets, not just the same count.
            const offsets = union.map((index) => (wholePhase.load as { readonly arrivalsMs: readonly number[] }).arrivalsMs[index]!);
            t.deepEqual(offsets, [...wholePhase.load.arrivalsMs]);
          } else {
            // The pool opens as many connections as its users: over all segments and workers, the peak users.
            const connections = phases.flatMap((phase) => Array.from({ length: workers }, (_, w) => membersOf(phase, w, workers).length));
            t.is(connections.reduce((sum, n) => sum + n, 0), total);
            t.true(phases.every((phase) => Array.from({ length: workers }, (_, w) => maxStreams({ phase, workerIndex: w, workerCount: workers })).every((n, w) => n === Math.max(1, membersOf(phase, w, workers).length))));
          }
        }
      });
    });
  }
}

test('a segment of the whole (1/1) is the unsegmented stripe: user u in worker u mod W', (t) => {
  t.deepEqual([...stripeIndices(10, undefined, 1, 3)], [1, 4, 7]);
  t.deepEqual([...stripeIndices(10, { index: 1, count: 1 }, 1, 3)], [1, 4, 7]);
  // Segment 2/4 holds 1, 5, 9, 13, 17; its worker 1 of 2 every other of those.
  t.deepEqual([...stripeIndices(20, { index: 2, count: 4 }, 1, 2)], [5, 13]);
  t.deepEqual([...stripeIndices(20, { index: 2, count: 4 }, 0, 2)], [1, 9, 17]);
});

const shares: Array<[number, Segment, number]> = [
  [10, { index: 1, count: 4 }, 3],
  [10, { index: 2, count: 4 }, 3],
  [10, { index: 3, count: 4 }, 2],
  [10, { index: 4, count: 4 }, 2],
  [2, { index: 4, count: 4 }, 0],
  [0, { index: 1, count: 3 }, 0],
];
for (const [total, segment, share] of shares) {
  test(`segmentShare(${total}, ${segment.index}/${segment.count}) = ${share}`, (t) => {
    t.is(segmentShare(total, segment), share);
  });
}

const texts: Array<[string, Segment | RegExp]> = [
  ['2/4', { index: 2, count: 4 }],
  [' 1 / 1 ', { index: 1, count: 1 }],
  ['0/4', /index I must be from 1 to 4 \(1-based\), got 0/],
  ['5/4', /index I must be from 1 to 4/],
  ['1/0', /count N must be ≥ 1/],
  ['2of4', /must be I\/N .*"2\/4", got "2of4"/],
  ['-1/4', /must be I\/N/],
];
for (const [text, expected] of texts) {
  test(`parseSegment(${JSON.stringify(text)})`, (t) => {
    const parsed = parseSegment(text);
    if (expected instanceof RegExp) t.regex(parsed as string, expected);
    else t.deepEqual(parsed, expected);
  });
}
