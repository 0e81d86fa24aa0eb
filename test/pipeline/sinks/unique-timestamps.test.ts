import test from 'ava';
import type { Point } from '../../../pipeline/core/point.js';
import { recordToPoints } from '../../../pipeline/sinks/points.js';
import { SeriesTimestamps, seriesKey, toNanos } from '../../../pipeline/sinks/unique-timestamps.js';
import { concurrentRecords, RUN } from './helpers/records.js';

const nanos = test.macro((t, timeMs: number, expected: string) => t.is(toNanos(timeMs), expected));
test('toNanos whole ms', nanos, 1_795_800_000_000, '1795800000000000000');
test('toNanos fractional ms keeps the sub-ms part', nanos, 1_795_800_000_000.5, '1795800000000500000');
test('toNanos a value just below a whole second rounds into the next one', nanos, 1_795_800_000_999.99999999, '1795800001000000000');
test('toNanos near the epoch', nanos, 0.000001, '1');

function assignAll(points: readonly Point[]): Map<string, string[]> {
  const timestamps = new SeriesTimestamps();
  const bySeries = new Map<string, string[]>();
  for (const point of points) {
    const key = seriesKey(point);
    bySeries.set(key, [...(bySeries.get(key) ?? []), timestamps.assign(point)]);
  }
  return bySeries;
}

test('200 concurrent requests whose 16 tokens share one millisecond get unique timestamps per series', (t) => {
  const records = concurrentRecords(200, 16);
  const points = records.flatMap((record) => recordToPoints(record, RUN));
  const tokenMs = new Set(points.filter((p) => p.measurement === 'llm_token').map((p) => Math.floor(p.time_ms)));
  t.is(tokenMs.size, 1, 'the scenario really puts every token in the same millisecond');

  const bySeries = assignAll(points);
  const tokens = [...bySeries.entries()].find(([key]) => key.startsWith('llm_token'))![1];
  t.is(tokens.length, 3200);
  t.is(new Set(tokens).size, 3200, 'no two token points share a timestamp');
  for (const [key, times] of bySeries) t.is(new Set(times).size, times.length, key);
  // Nudges stay tiny: the whole cluster moves by at most one nanosecond per point.
  const spreadNs = Number(BigInt(tokens.reduce((a, b) => (BigInt(a) > BigInt(b) ? a : b))) - BigInt(tokens.reduce((a, b) => (BigInt(a) < BigInt(b) ? a : b))));
  t.true(spreadNs < 4_000 + 2_000, `spread ${spreadNs} ns`);
});

test('the occupied timestamps do not depend on the order points arrive in (live vs replay)', (t) => {
  const points = concurrentRecords(50, 8).flatMap((record) => recordToPoints(record, RUN));
  const forward = assignAll(points);
  const reversed = assignAll([...points].reverse());
  const interleaved = assignAll([...points.filter((_, i) => i % 2 === 0), ...points.filter((_, i) => i % 2 === 1)]);
  for (const [key, times] of forward) {
    t.deepEqual([...reversed.get(key)!].sort(), [...times].sort(), key);
    t.deepEqual([...interleaved.get(key)!].sort(), [...times].sort(), key);
  }
});

test('the same input in the same order gives identical timestamps', (t) => {
  const points = concurrentRecords(20, 4).flatMap((record) => recordToPoints(record, RUN));
  t.deepEqual(assignAll(points), assignAll(points));
});

test('points of different series never nudge each other', (t) => {
  const timestamps = new SeriesTimestamps();
  const at = (stage: string): Point => ({ measurement: 'llm_token', tags: { run_id: 'r', stage }, fields: { index: 0 }, time_ms: 1_795_800_000_000.001 });
  const base = toNanos(1_795_800_000_000.001); // a double this size resolves ~0.24 µs: …000977
  t.is(timestamps.assign(at('a')), base);
  t.is(timestamps.assign(at('b')), base);
  t.is(timestamps.assign(at('a')), (BigInt(base) + 1n).toString());
});

test('tag order does not make a different series', (t) => {
  const a: Point = { measurement: 'gpu', tags: { gpu: '0', host: 'h' }, fields: { util_pct: 1 }, time_ms: 5 };
  const b: Point = { measurement: 'gpu', tags: { host: 'h', gpu: '0' }, fields: { util_pct: 2 }, time_ms: 5 };
  t.is(seriesKey(a), seriesKey(b));
  const timestamps = new SeriesTimestamps();
  t.not(timestamps.assign(a), timestamps.assign(b));
});

test('a point older than the pruning horizon still gets its own time', (t) => {
  const timestamps = new SeriesTimestamps(60_000);
  const point = (timeMs: number): Point => ({ measurement: 'llm_token', tags: { run_id: 'r' }, fields: { index: 0 }, time_ms: timeMs });
  timestamps.assign(point(1_000_000));
  timestamps.assign(point(1_000_000 + 10 * 60_000)); // prunes the first second
  t.is(timestamps.assign(point(1_000_000.5)), toNanos(1_000_000.5));
});
