import test from 'ava';
import { wilcoxonRankSum } from 'simple-statistics';
import { mulberry32 } from '../../../pipeline/core/random.js';
import { isotonicDecreasing, isotonicIncreasing } from '../../../analytics/stats/isotonic.js';
import { mannWhitney } from '../../../analytics/stats/mann-whitney.js';
import { spearman, trendOf } from '../../../analytics/stats/trend.js';

test('Mann-Whitney: completely separated samples of 5 and 5 give U = 0 and the normal approximation p', (t) => {
  const result = mannWhitney([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])!;
  t.is(result.u, 0);
  // z = (12.5 − 0.5) / √(25 · 11 / 12) = 2.5067, two-sided p = 2(1 − Φ(z)) = 0.0122 (continuity-corrected normal approximation).
  t.true(Math.abs(result.p - 0.0122) < 0.0005, String(result.p));
  t.is(result.probabilityOfSuperiority, 0);
});

test('Mann-Whitney: identical samples give p = 1; ties are corrected for', (t) => {
  t.is(mannWhitney([1, 1, 2, 2], [1, 1, 2, 2])!.p, 1);
  const tied = mannWhitney([1, 1, 1, 2], [2, 2, 2, 3])!;
  // Midranks: x = 2, 2, 2, 5.5 → rank sum 11.5, U = 1.5; ties 3 (1s) and 4 (2s): Σ(t³ − t) = 24 + 60.
  t.is(tied.u, 1.5);
  t.true(tied.p > 0 && tied.p < 0.1, String(tied.p));
  t.is(mannWhitney([], [1]), null);
});

test('Mann-Whitney: the merge of sorted samples gives simple-statistics\' rank sum, ties and all', (t) => {
  const random = mulberry32(5);
  for (let trial = 0; trial < 50; trial++) {
    // Integers, so ties are common.
    const x = Array.from({ length: 1 + Math.floor(random() * 30) }, () => Math.floor(random() * 12)).sort((a, b) => a - b);
    const y = Array.from({ length: 1 + Math.floor(random() * 30) }, () => Math.floor(random() * 12)).sort((a, b) => a - b);
    t.is(mannWhitney(x, y)!.u, wilcoxonRankSum(x, y) - (x.length * (x.length + 1)) / 2, `${x} | ${y}`);
  }
});

test('isotonic regression pools adjacent violators', (t) => {
  t.deepEqual(isotonicIncreasing([1, 3, 2, 4]), [1, 2.5, 2.5, 4]);
  t.deepEqual(isotonicIncreasing([3, 2, 1]), [2, 2, 2]);
  t.deepEqual(isotonicIncreasing([1, 3, 2], [1, 1, 3]), [1, 2.25, 2.25]);
  t.deepEqual(isotonicDecreasing([1, 3, 2, 0]), [2, 2, 2, 0]);
});

test('Spearman: a perfect monotone pair is ρ = 1; independent noise is not significant', (t) => {
  t.true(Math.abs(spearman([1, 2, 3, 4, 5], [10, 20, 25, 26, 100])!.rho - 1) < 1e-12);
  const noise = [0.3, 0.9, 0.1, 0.5, 0.7, 0.2, 0.8, 0.4, 0.6, 0.05, 0.95, 0.35];
  const trend = trendOf(noise)!;
  t.true(trend.p > 0.05, JSON.stringify(trend));
  const rising = trendOf([1, 2, 2.5, 4, 3.9, 6, 7, 8, 8.5, 10])!;
  t.true(rising.rho > 0.9 && rising.p < 0.001, JSON.stringify(rising));
});
