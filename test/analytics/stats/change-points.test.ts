/** Change points over short series whose answer is known (analytics/stats/change-points.ts, t-test.ts). */
import test from 'ava';
import { findChangePoints, proposeSplit } from '../../../analytics/stats/change-points.js';
import { moments, studentTTest } from '../../../analytics/stats/t-test.js';
import { mulberry32 } from '../../../pipeline/core/random.js';

const OPTIONS = { alpha: 0.001, minMagnitudePct: 2 };

/** Normal noise around `level` with relative sd `cv`, seeded (Box-Muller). */
function noisy(levels: readonly number[], cv: number, seed: number): number[] {
  const random = mulberry32(seed);
  return levels.map((level) => level * (1 + cv * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())));
}
const repeat = (value: number, count: number) => Array.from({ length: count }, () => value);

test('Student t-test matches scipy.stats.ttest_ind (pooled variance, two-sided)', (t) => {
  // scipy: ttest_ind([1,2,3,4], [3,4,5,6]) → t = −2.19089, p = 0.0709877, df = 6
  const a = studentTTest(moments([1, 2, 3, 4]), moments([3, 4, 5, 6]));
  t.true(Math.abs(a.t - 2.1908902300206643) < 1e-12, String(a.t));
  t.is(a.df, 6);
  t.true(Math.abs(a.p - 0.07098765432098762) < 1e-9, String(a.p));
  // One value against four: ttest_ind([10,11,12,10.5], [20]) → p = 0.00242953, df = 3 (the prediction-interval test).
  const b = studentTTest(moments([10, 11, 12, 10.5]), moments([20]));
  t.is(b.df, 3);
  t.true(Math.abs(b.p - 0.002429531609761537) < 1e-9, String(b.p));
});

test('t-test edge cases: nothing to test is p = 1; constant sides that differ are p = 0', (t) => {
  t.is(studentTTest(moments([5]), moments([6])).p, 1, 'no degree of freedom');
  t.is(studentTTest(moments([5, 5]), moments([5, 5])).p, 1);
  t.is(studentTTest(moments([5, 5]), moments([6, 6])).p, 0);
});

test('a step in a noisy series is found at the run where it happens, with both means', (t) => {
  const values = noisy([...repeat(100, 10), ...repeat(130, 10)], 0.01, 7);
  const changes = findChangePoints(values, OPTIONS);
  t.is(changes.length, 1, JSON.stringify(changes));
  t.is(changes[0]!.index, 10);
  t.true(Math.abs(changes[0]!.before - 100) < 2 && Math.abs(changes[0]!.after - 130) < 2, JSON.stringify(changes[0]));
  t.true(Math.abs(changes[0]!.diffPct - 30) < 3);
  t.true(changes[0]!.p < 1e-6);
  t.false(changes[0]!.provisional);
});

test('a steady series finds none', (t) => {
  const steady = [250, 254, 247, 251, 249, 253, 246, 250, 252, 248, 251, 247, 253, 249, 250, 252, 248, 251];
  t.deepEqual(findChangePoints(steady, OPTIONS), []);
  t.deepEqual(findChangePoints(repeat(250, 12), OPTIONS), [], 'a constant series');
});

test('false positives on steady noisy series stay rare: of 300 series of 30 runs at 2 % noise, few show a change', (t) => {
  // Binary segmentation tests the best split of each segment, so a series' false-positive rate is above α (0.001);
  // measured with these seeds: 11 of 300 series, 1 with a change at the newest run. An α that was ignored would flag most.
  let changed = 0;
  let newest = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const changes = findChangePoints(noisy(repeat(250, 30), 0.02, seed), OPTIONS);
    if (changes.length > 0) changed++;
    if (changes.some((change) => change.provisional)) newest++;
  }
  t.true(changed <= 15, `${changed} of 300 series showed a change`);
  t.true(newest <= 3, `${newest} of 300 series showed a change at the newest run`);
});

test('a 2-run segment at the end is significant: 4 runs against 2 (a permutation test could not reach it)', (t) => {
  // scipy: ttest_ind([100, 101, 99, 100.5], [120, 121]) → p = 8.77e-6
  const changes = findChangePoints([100, 101, 99, 100.5, 120, 121], OPTIONS);
  t.is(changes.length, 1);
  t.is(changes[0]!.index, 4);
  t.false(changes[0]!.provisional);
  t.true(Math.abs(changes[0]!.p - 8.769080367340692e-6) < 1e-9, String(changes[0]!.p));
  t.is(changes[0]!.before, 100.125);
  t.is(changes[0]!.after, 120.5);
  // Six runs, three against three: 20 distinct splits, so no permutation p can go below 1/20; the t-test's does.
  const short = findChangePoints([100, 101, 99, 120, 121, 119], OPTIONS);
  t.deepEqual(short.map((change) => change.index), [3]);
  t.true(short[0]!.p < 1e-4);
});

test('the newest run alone can start a change; it is provisional', (t) => {
  // scipy: ttest_ind([100, 101, 99, 100, 100.5], [130]) → p = 3.25e-6
  const changes = findChangePoints([100, 101, 99, 100, 100.5, 130], OPTIONS);
  t.is(changes.length, 1);
  t.is(changes[0]!.index, 5);
  t.true(changes[0]!.provisional);
  // One outlier in the middle is not a segment: segments hold at least 2 runs.
  t.deepEqual(findChangePoints([100, 101, 99, 130, 100, 100.5, 99.5], OPTIONS), []);
});

test('two steps give two change points; a change within the noise threshold gives none', (t) => {
  const values = noisy([...repeat(100, 8), ...repeat(125, 8), ...repeat(100, 8)], 0.01, 3);
  t.deepEqual(findChangePoints(values, OPTIONS).map((change) => change.index), [8, 16]);
  const small = [...repeat(100, 6), ...repeat(101, 6)];
  t.deepEqual(findChangePoints(small, OPTIONS), [], '1 % is below the 2 % noise floor');
  t.deepEqual(findChangePoints(small, { ...OPTIONS, minMagnitudePct: 0.5 }).map((change) => change.index), [6]);
});

test('the energy statistic proposes the split between two levels, and none where sides would be too short', (t) => {
  t.deepEqual(proposeSplit([1, 1, 1, 5, 5, 5, 5], 0, 7, 2), { index: 3, end: 7 });
  t.deepEqual(proposeSplit([1, 1, 1, 5, 5, 1, 1, 1], 0, 8, 2), { index: 3, end: 5 }, 'an episode: the right side ends where it is undone');
  t.deepEqual(proposeSplit([1, 1, 5], 0, 3, 2), { index: 2, end: 3 }, 'the newest value may stand alone at the end of the series');
  t.is(proposeSplit([1, 5, 5, 1], 0, 3, 2), undefined, 'inside the series, both sides need 2');
  t.deepEqual(findChangePoints([], OPTIONS), []);
  t.deepEqual(findChangePoints([1], OPTIONS), []);
});
