import test from 'ava';
import { cdfFractions, cdfPoints } from '../../../analytics/report/cdf.js';
import { percentileSorted } from '../../../pipeline/core/stats.js';
import { mulberry32 } from '../../../pipeline/core/random.js';


test('a small set: every value is a point, at fraction i/(n−1), ascending, NaN left out', (t) => {
  const cdf = cdfPoints([30, 10, Number.NaN, 20, 40, Number.POSITIVE_INFINITY]);
  t.is(cdf.count, 4);
  t.deepEqual(cdf.values, [10, 20, 30, 40]);
  t.deepEqual(cdf.fractions, [0, 1 / 3, 2 / 3, 1]);
});

test('one value and none', (t) => {
  t.deepEqual(cdfPoints([7]), { values: [7, 7], fractions: [0, 1], count: 1 });
  t.deepEqual(cdfPoints([]), { values: [], fractions: [], count: 0 });
});

test('a large set: at most 500 points, each the exact quantile of all values by the report’s rule', (t) => {
  const random = mulberry32(3);
  // A heavy tail: most values near 100, a few up to 10 000.
  const values = Float64Array.from({ length: 100_000 }, () => 100 / Math.max(1e-4, random()) ** 0.5);
  const sorted = Float64Array.from(values).sort();
  const cdf = cdfPoints(values);
  t.is(cdf.count, 100_000);
  t.true(cdf.values.length <= 500, `${cdf.values.length} points`);
  t.true(cdf.values.length >= 450);
  cdf.fractions.forEach((p, i) => t.is(cdf.values[i], percentileSorted(sorted, p)));
  for (let i = 1; i < cdf.values.length; i++) {
    t.true(cdf.fractions[i]! > cdf.fractions[i - 1]!);
    t.true(cdf.values[i]! >= cdf.values[i - 1]!);
  }
  t.is(cdf.values[0], sorted[0]);
  t.is(cdf.values.at(-1), sorted[sorted.length - 1]);
  for (const named of [0.5, 0.9, 0.95, 0.99, 0.999, 0.9999]) t.true(cdf.fractions.includes(named), `p${named * 100} is on the curve`);
  // The tail gets points of its own: more than an even 500-point grid would give it.
  t.true(cdf.fractions.filter((p) => p > 0.99).length >= 25);
});

const fractionBound = test.macro((t, maxPoints: number) => {
  const fractions = cdfFractions(maxPoints);
  t.true(fractions.length <= maxPoints, `${fractions.length} ≤ ${maxPoints}`);
  t.is(fractions[0], 0);
  t.is(fractions.at(-1), 1);
  t.deepEqual([...fractions].sort((a, b) => a - b), fractions);
  t.is(new Set(fractions).size, fractions.length);
});
for (const maxPoints of [2, 10, 37, 40, 100, 500, 2000]) test(`cdfFractions(${maxPoints}) stays within its bound`, fractionBound, maxPoints);
