import test from 'ava';
import { downsampleMinMax, joinSeries } from '../../../analytics/report/downsample.js';

test('no more rows than the bound: all rows, unchanged', (t) => {
  const table = downsampleMinMax([1, 2, 3], [[5, null, 7]], 10);
  t.deepEqual(table, { xs: [1, 2, 3], ys: [[5, null, 7]] });
});

test('an hour of 1 s windows: at most 2 000 rows; every spike, dip, first and last row kept with its exact values', (t) => {
  const n = 3600;
  const xs = Array.from({ length: n }, (_, i) => i + 1);
  const a = xs.map((x) => 100 + 10 * Math.sin(x / 50));
  const b = xs.map((x) => 5 + (x % 7));
  a[1234] = 900; // one-second spike
  a[2345] = -50; // one-second dip
  b[3000] = null as unknown as number;
  const table = downsampleMinMax(xs, [a, b], 2000);
  t.true(table.xs.length <= 2000, `${table.xs.length} rows`);
  t.true(table.xs.length > 1000);
  t.is(table.xs[0], 1);
  t.is(table.xs.at(-1), n);
  // Kept rows are rows of the input, in order, with their values.
  table.xs.forEach((x, i) => {
    t.is(table.ys[0]![i], a[x - 1]);
    t.is(table.ys[1]![i], b[x - 1] ?? null);
    if (i > 0) t.true(x > table.xs[i - 1]!);
  });
  t.true(table.xs.includes(1235) && table.ys[0]!.includes(900), 'the spike');
  t.true(table.xs.includes(2346) && table.ys[0]!.includes(-50), 'the dip');
  t.is(Math.max(...(table.ys[1]!.filter((v) => v !== null) as number[])), 11);
  t.is(Math.min(...(table.ys[1]!.filter((v) => v !== null) as number[])), 5);
});

test('each bucket keeps its own minimum and maximum for every series', (t) => {
  const n = 1000;
  const xs = Array.from({ length: n }, (_, i) => i);
  const series = xs.map((x) => ((x * 7919) % 1000) / 10);
  const maxPoints = 102; // 2 + 2 × 50 buckets for one series
  const table = downsampleMinMax(xs, [series], maxPoints);
  t.true(table.xs.length <= maxPoints);
  const buckets = 50;
  for (let bucket = 0; bucket < buckets; bucket++) {
    const from = Math.floor((bucket * n) / buckets);
    const to = Math.floor(((bucket + 1) * n) / buckets);
    const values = series.slice(from, to);
    const kept = table.xs.map((x, i) => [x, table.ys[0]![i]!] as const).filter(([x]) => x >= from && x < to).map(([, v]) => v);
    t.true(kept.includes(Math.min(...values)), `bucket ${bucket} min`);
    t.true(kept.includes(Math.max(...values)), `bucket ${bucket} max`);
  }
});

test('joinSeries puts series with their own x values on one axis, null where a series has no sample', (t) => {
  const table = joinSeries(
    [
      { xs: [0, 1, 2], ys: [10, 11, 12] },
      { xs: [0.5, 1, 2.5], ys: [20, 21, 22] },
    ],
    100,
  );
  t.deepEqual(table.xs, [0, 0.5, 1, 2, 2.5]);
  t.deepEqual(table.ys, [
    [10, null, 11, 12, null],
    [null, 20, 21, null, 22],
  ]);
});
