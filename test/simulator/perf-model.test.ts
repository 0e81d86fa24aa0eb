/**
 * The batching model as a pure function of time: no timers, no sockets, times are made up.
 */
import test from 'ava';
import type { ModelEvent, ModelJob, TimedModel } from '../../simulator/engine-model.js';
import { FixedModel } from '../../simulator/fixed-model.js';
import { BatchModel, type BatchModelKnobs } from '../../simulator/perf-model.js';
import { mulberry32 } from '../../simulator/random.js';

const KNOBS: BatchModelKnobs = {
  slots: 2,
  prefillMsPerToken: 1,
  decodeStepBaseMs: 10,
  decodeMsPerSequence: 2,
  maxBatchedTokens: 100,
  kvCacheTokens: 10_000,
  jitterFraction: 0,
  coldLoadMs: 0,
};

function job(id: number, arrivalMs: number, promptTokens: number, outputTokens: number, extra: Partial<ModelJob> = {}): ModelJob {
  return { id, arrivalMs, promptTokens, outputTokens, ...extra };
}

/** Submits jobs at their arrival times and advances until idle; returns every event. */
function run(model: TimedModel, jobs: ModelJob[], untilMs = 1e9): ModelEvent[] {
  const events: ModelEvent[] = [];
  const pending = [...jobs].sort((a, b) => a.arrivalMs - b.arrivalMs);
  for (;;) {
    const nextArrival = pending[0]?.arrivalMs ?? Number.POSITIVE_INFINITY;
    const nextEvent = model.nextEventMs() ?? Number.POSITIVE_INFINITY;
    const t = Math.min(nextArrival, nextEvent);
    if (t === Number.POSITIVE_INFINITY || t > untilMs) return events;
    if (nextArrival <= nextEvent) model.submit(pending.shift()!);
    events.push(...model.advance(t));
  }
}

const tokenTimes = (events: ModelEvent[], jobId: number) => events.filter((e) => e.kind === 'token' && e.jobId === jobId).map((e) => e.atMs);
const admittedAt = (events: ModelEvent[], jobId: number) => events.find((e) => e.kind === 'admitted' && e.jobId === jobId)?.atMs;

test('one request: prefill step gives the first token, then one decode step per token', (t) => {
  const events = run(new BatchModel(KNOBS, mulberry32(1)), [job(1, 0, 5, 3)]);
  // step 1: 10 base + 2 × 1 sequence + 5 prompt tokens × 1 ms = 17; decode steps: 10 + 2 = 12
  t.deepEqual(events, [
    { kind: 'admitted', jobId: 1, atMs: 0, slot: 0 },
    { kind: 'token', jobId: 1, atMs: 17, index: 1, last: false },
    { kind: 'token', jobId: 1, atMs: 29, index: 2, last: false },
    { kind: 'token', jobId: 1, atMs: 41, index: 3, last: true },
  ]);
});

const decodeGap = test.macro((t, batch: number, expectedGapMs: number) => {
  const model = new BatchModel({ ...KNOBS, slots: 16 }, mulberry32(1));
  const jobs = Array.from({ length: batch }, (_, i) => job(i + 1, 0, 1, 3));
  const times = tokenTimes(run(model, jobs), 1);
  t.is(times[2]! - times[1]!, expectedGapMs);
});
test('decode step with batch 1', decodeGap, 1, 12);
test('decode step with batch 2', decodeGap, 2, 14);
test('decode step with batch 4', decodeGap, 4, 18);
test('decode step with batch 8', decodeGap, 8, 26);

test('requests beyond the slots wait until a slot frees', (t) => {
  const model = new BatchModel(KNOBS, mulberry32(1));
  const jobs = [job(1, 0, 1, 2), job(2, 0, 1, 2), job(3, 0, 1, 2)];
  model.submit(jobs[0]!);
  model.submit(jobs[1]!);
  model.submit(jobs[2]!);
  const early = model.advance(20);
  t.is(model.snapshot().running, 2);
  t.is(model.snapshot().waiting, 1);
  const events = [...early, ...run(model, [])];
  // Jobs 1 and 2: prefill step 10 + 2×2 + 2 = 16, decode 10 + 4 = 14 → done at 30; job 3 starts then.
  t.is(admittedAt(events, 1), 0);
  t.is(admittedAt(events, 2), 0);
  t.is(admittedAt(events, 3), 30);
  t.deepEqual(tokenTimes(events, 3), [43, 55]);
  t.is(model.snapshot().running, 0);
  t.is(model.snapshot().waiting, 0);
});

test('a long prompt is prefilled in chunks of maxBatchedTokens', (t) => {
  const events = run(new BatchModel(KNOBS, mulberry32(1)), [job(1, 0, 250, 1)]);
  // 100 + 100 + 50 prompt tokens: (12 + 100) + (12 + 100) + (12 + 50)
  t.deepEqual(tokenTimes(events, 1), [286]);
});

test('a prefill slows the decode of the running batch (chunked prefill shares the step)', (t) => {
  const events = run(new BatchModel(KNOBS, mulberry32(1)), [job(1, 0, 1, 4), job(2, 20, 50, 1)]);
  const times = tokenTimes(events, 1);
  // job 1 decodes at 13, 25; job 2 joins at 25: that step is 10 + 2×2 + 50 = 64 long.
  t.deepEqual(times.slice(0, 3), [13, 25, 89]);
});

test('the KV cache limits admission', (t) => {
  const model = new BatchModel({ ...KNOBS, slots: 4, kvCacheTokens: 10 }, mulberry32(1));
  const events = run(model, [job(1, 0, 4, 4), job(2, 0, 4, 4)]);
  const firstDone = tokenTimes(events, 1).at(-1)!;
  t.is(admittedAt(events, 2), firstDone);
});

test('the same seed gives the same timeline; another seed a different one', (t) => {
  const jobs = () => [job(1, 0, 20, 10), job(2, 5, 40, 10), job(3, 7, 10, 10)];
  const timeline = (seed: number) => run(new BatchModel({ ...KNOBS, jitterFraction: 0.2 }, mulberry32(seed)), jobs());
  t.deepEqual(timeline(7), timeline(7));
  t.notDeepEqual(timeline(7), timeline(8));
  // Jitter stays within ±20 % of each step.
  const times = tokenTimes(timeline(7), 1);
  for (let i = 1; i < times.length; i++) t.true(times[i]! - times[i - 1]! >= 0.8 * 10);
});

test('advancing in one jump or in small steps gives the same events', (t) => {
  const jobs = [job(1, 0, 30, 5), job(2, 0, 10, 3)];
  const oneJump = new BatchModel({ ...KNOBS, jitterFraction: 0.1 }, mulberry32(3));
  oneJump.submit(jobs[0]!);
  oneJump.submit(jobs[1]!);
  const jumped = oneJump.advance(10_000);
  const stepwise = new BatchModel({ ...KNOBS, jitterFraction: 0.1 }, mulberry32(3));
  stepwise.submit(jobs[0]!);
  stepwise.submit(jobs[1]!);
  const small: ModelEvent[] = [];
  for (let now = 0; now <= 10_000; now += 0.5) small.push(...stepwise.advance(now));
  t.deepEqual(small, jumped);
});

test('cold load: nothing runs before the model is loaded, then no load cost', (t) => {
  const model = new BatchModel({ ...KNOBS, coldLoadMs: 1000 }, mulberry32(1));
  t.false(model.snapshot().loaded);
  const events = run(model, [job(1, 0, 1, 1), job(2, 5000, 1, 1)]);
  t.is(admittedAt(events, 1), 1000);
  t.is(admittedAt(events, 2), 5000);
  t.true(model.snapshot().loaded);
  t.true(model.unload());
  t.false(model.snapshot().loaded);
  t.is(admittedAt(run(model, [job(3, 9000, 1, 1)]), 3), 10_000);
});

test('a stall pauses one stream and keeps its slot', (t) => {
  const events = run(new BatchModel(KNOBS, mulberry32(1)), [job(1, 0, 1, 4, { stall: { afterTokens: 2, ms: 100 } })]);
  const times = tokenTimes(events, 1);
  t.is(times[1]! - times[0]!, 12);
  t.is(times[2]! - times[1]!, 100 + 12);
  t.is(times[3]! - times[2]!, 12);
});

test('cancel frees the slot for the next waiting request', (t) => {
  const model = new BatchModel({ ...KNOBS, slots: 1 }, mulberry32(1));
  model.submit(job(1, 0, 1, 100));
  model.submit(job(2, 0, 1, 1));
  model.advance(50);
  model.cancel(1);
  const events = run(model, []);
  t.is(admittedAt(events, 2), 61); // the step in progress at 50 ends at 61; job 1 emits nothing more
  t.false(events.some((e) => e.jobId === 1));
});

test('fixed model: absolute deadlines from arrival, independent jobs, stalls shift the rest', (t) => {
  const model = new FixedModel({ ttftMs: 50, itlMs: 10 });
  const events = run(model, [job(1, 100, 999, 3), job(2, 105, 1, 2, { stall: { afterTokens: 1, ms: 30 } })]);
  t.deepEqual(tokenTimes(events, 1), [150, 160, 170]);
  t.deepEqual(tokenTimes(events, 2), [155, 195]);
  t.deepEqual(
    events.filter((e) => e.kind === 'token' && e.last).map((e) => e.jobId),
    [1, 2],
  );
  t.is(model.snapshot().running, 0);
});

test('fixed model: many jobs never queue', (t) => {
  const model = new FixedModel({ ttftMs: 5, itlMs: 1 });
  const jobs = Array.from({ length: 1000 }, (_, i) => job(i + 1, 0, 10, 5));
  const events = run(model, jobs);
  for (const id of [1, 500, 1000]) t.deepEqual(tokenTimes(events, id), [5, 6, 7, 8, 9]);
});
