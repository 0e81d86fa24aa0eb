/**
 * summarize / percentileSorted against numpy (np.percentile(x, q, method='linear'), np.std(x, ddof=0)),
 * the numbers users will compare llmbench's run.json with. Reference values were computed with numpy 2.4.
 */
import test from 'ava';
import { percentileSorted, summarize, SUMMARY_STATS, type MetricSummary } from '../../../pipeline/core/stats.js';

const rows: Array<[string, number[], MetricSummary]> = [
  [
    '1..10',
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    // p90: position (10−1)·0.9 = 8.1 → 9 + 0.1·(10 − 9) = 9.1
    { count: 10, mean: 5.5, stddev: 2.8722813232690143, cv: 0.5222329678670935, min: 1, p50: 5.5, p90: 9.1, p95: 9.549999999999999, p99: 9.91, p999: 9.991000000000001, max: 10 },
  ],
  ['a single value', [42], { count: 1, mean: 42, stddev: 0, cv: 0, min: 42, p50: 42, p90: 42, p95: 42, p99: 42, p999: 42, max: 42 }],
  ['unsorted input', [3, 1, 2], { count: 3, mean: 2, stddev: 0.816496580927726, cv: 0.408248290463863, min: 1, p50: 2, p90: 2.8, p95: 2.9, p99: 2.98, p999: 2.998, max: 3 }],
  [
    'negative and huge values',
    [-5, 0, 5, 1e6],
    { count: 4, mean: 250000, stddev: 433012.70190665306, cv: 1.7320508076266123, min: -5, p50: 2.5, p90: 700001.5000000002, p95: 850000.7499999997, p99: 970000.1499999998, p999: 997000.0150000004, max: 1e6 },
  ],
  [
    'TTFTs with one outlier',
    [12.5, 14.25, 13.0, 15.75, 250.0, 13.5, 14.0, 12.75, 16.5, 13.25, 14.5, 15.0, 12.0],
    { count: 13, mean: 32.07692307692308, stddev: 62.92130193095491, cv: 1.9615753599578267, min: 12, p50: 14, p90: 16.35, p95: 109.89999999999966, p99: 221.97999999999976, p999: 247.19800000000032, max: 250 },
  ],
  ['ties', [2, 2, 2, 2, 5], { count: 5, mean: 2.6, stddev: 1.2, cv: 0.4615384615384615, min: 2, p50: 2, p90: 3.8000000000000003, p95: 4.3999999999999995, p99: 4.88, p999: 4.988000000000001, max: 5 }],
];

for (const [name, values, expected] of rows) {
  test(`summarize matches numpy: ${name}`, (t) => {
    const summary = summarize(values);
    if (!summary) return t.fail('no summary');
    for (const stat of SUMMARY_STATS) {
      const tolerance = 1e-9 * Math.max(1, Math.abs(expected[stat]));
      t.true(Math.abs(summary[stat] - expected[stat]) <= tolerance, `${stat}: ${summary[stat]} vs numpy ${expected[stat]}`);
    }
    t.deepEqual(Object.keys(summary).sort(), [...SUMMARY_STATS].sort());
  });
}

test('summarize of nothing is undefined, never NaN-filled', (t) => {
  t.is(summarize([]), undefined);
});

test('summarize does not reorder its input', (t) => {
  const values = [3, 1, 2];
  summarize(values);
  t.deepEqual(values, [3, 1, 2]);
});

test('cv is 0 when the mean is 0; uses |mean| otherwise', (t) => {
  t.is(summarize([-1, 1])?.cv, 0);
  t.is(summarize([-2, -4])?.cv, 1 / 3); // stddev 1, |mean| 3
});

const percentiles: Array<[number[], number, number]> = [
  [[10, 20, 30, 40], 0, 10],
  [[10, 20, 30, 40], 1, 40],
  [[10, 20, 30, 40], 0.5, 25], // position 1.5
  [[10, 20, 30, 40], 0.25, 17.5], // position 0.75
  [[10, 20, 30, 40], 0.9, 37], // position 2.7
  [[5], 0.99, 5],
  [[1, 2], 0.999, 1.999],
];
for (const [sorted, q, expected] of percentiles) {
  test(`percentileSorted(${JSON.stringify(sorted)}, ${q}) = ${expected} (linear interpolation)`, (t) => {
    t.true(Math.abs(percentileSorted(sorted, q) - expected) < 1e-12, `${percentileSorted(sorted, q)}`);
  });
}

test('percentileSorted of an empty array is NaN', (t) => {
  t.true(Number.isNaN(percentileSorted([], 0.5)));
});
