import test from 'ava';
import { SaturationDetector, saturationEpisodes, type LoadPoint } from '../../analytics/saturation.js';

const T0 = 1_800_000_000_000;
/** An open loop past capacity: in flight and latency grow linearly while throughput stays at capacity. */
const saturating = (seconds: number, from = 0): LoadPoint[] =>
  Array.from({ length: seconds }, (_, i) => ({ endMs: T0 + (from + i + 1) * 1000, latencyMs: 50 + 20 * i, inFlight: 10 + 3 * i, throughput: 1000 + ((i * 37) % 11) }));
const steady = (seconds: number): LoadPoint[] =>
  Array.from({ length: seconds }, (_, i) => ({ endMs: T0 + (i + 1) * 1000, latencyMs: 50 + ((i * 13) % 7), inFlight: 10 + ((i * 7) % 3), throughput: 1000 + ((i * 37) % 11) }));

test('a queue that grows while throughput is flat is one saturation episode', (t) => {
  const points = [...steady(20), ...saturating(30, 20)];
  const episodes = saturationEpisodes(points);
  t.is(episodes.length, 1, JSON.stringify(episodes));
  t.true(episodes[0]!.atMs >= T0 + 5_000 && episodes[0]!.atMs <= T0 + 25_000);
  t.true(episodes[0]!.latencyAfterMs > episodes[0]!.latencyBeforeMs * 2);
});

test('steady load, or latency growing with throughput (a ramp below capacity), is not saturation', (t) => {
  t.deepEqual(saturationEpisodes(steady(60)), []);
  const ramp = Array.from({ length: 40 }, (_, i) => ({ endMs: T0 + (i + 1) * 1000, latencyMs: 50 + i, inFlight: 10 + i, throughput: 1000 + 50 * i }));
  t.deepEqual(saturationEpisodes(ramp), []);
});

test('the live detector says so once saturation has held for its minimum duration', (t) => {
  const detector = new SaturationDetector();
  let found: ReturnType<SaturationDetector['check']>;
  let foundAt = -1;
  for (let second = 0; second < 60 && !found; second++) {
    const nowMs = T0 + second * 1000;
    const queueing = second >= 20;
    const latency = queueing ? 50 + 25 * (second - 20) : 50;
    detector.inFlight(nowMs + 500, queueing ? 10 + 4 * (second - 20) : 10);
    for (let r = 0; r < 20; r++) detector.completion(nowMs + r * 40, latency + (r % 3), 16);
    found = detector.check(nowMs + 1000);
    if (found) foundAt = second;
  }
  t.truthy(found);
  t.true(foundAt >= 30 && foundAt <= 50, String(foundAt));
  detector.reset();
  t.is(detector.check(T0 + 100_000), undefined);
});
