import test from 'ava';
import { summarize, SUMMARY_STATS } from '../../../pipeline/core/stats.js';
import { ValueCounts } from '../../../pipeline/core/value-counts.js';

/** Deterministic values with many repeats, as µs-stamped gaps have. */
function gaps(n: number, seed: number): number[] {
  let state = seed;
  return Array.from({ length: n }, () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return 45 + (state % 10_000) / 1000; // 45.000 … 54.999 ms, to the µs
  });
}

test('every statistic equals summarize() over the same values listed one by one', (t) => {
  for (const [n, seed] of [[1, 1], [2, 2], [7, 3], [1000, 4], [50_000, 5]] as const) {
    const values = gaps(n, seed);
    const counts = new ValueCounts();
    for (const value of values) counts.add(value);
    const expected = summarize(values)!;
    const actual = counts.summary()!;
    for (const stat of SUMMARY_STATS) {
      if (stat === 'mean' || stat === 'stddev' || stat === 'cv') t.true(Math.abs(actual[stat] - expected[stat]) <= 1e-9 * Math.max(1, Math.abs(expected[stat])), `${stat} n=${n}`);
      else t.is(actual[stat], expected[stat], `${stat} n=${n}`);
    }
  }
});

test('memory follows the distinct values, not how many were added', (t) => {
  const counts = new ValueCounts();
  for (const value of gaps(200_000, 9)) counts.add(value);
  t.is(counts.count, 200_000);
  t.true(counts.distinct <= 10_000, `${counts.distinct} distinct`);
});

test('percentiles interpolate across a boundary between two repeated values', (t) => {
  const counts = new ValueCounts();
  counts.add(10, 3);
  counts.add(20, 2);
  const summary = counts.summary()!;
  // Sorted: 10 10 10 20 20; p50 is rank 2 (10); p90 is rank 3.6: 20.
  t.is(summary.p50, 10);
  t.is(summary.p90, 20);
  t.is(summary.p99, 20);
  const across = new ValueCounts();
  across.add(10, 1);
  across.add(20, 1);
  t.is(across.summary()!.p50, 15); // rank 0.5 between the two
});

test('addAll merges counts; an empty set has no summary', (t) => {
  const a = new ValueCounts();
  const b = new ValueCounts();
  a.add(1, 2);
  b.add(1);
  b.add(3);
  a.addAll(b);
  t.is(a.count, 4);
  t.is(a.distinct, 2);
  t.is(a.summary()!.mean, 1.5);
  t.is(new ValueCounts().summary(), undefined);
});
