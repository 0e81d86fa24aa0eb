import test from 'ava';
import { unitArrivals } from '../../../pipeline/load/arrival-process.js';
import { expectedArrivals, invertCumulative, type RateProfile } from '../../../pipeline/load/rate-profile.js';
import { perSecond } from './helpers.js';

const constantOffsets = (profile: RateProfile, untilMs: number) => {
  const offsets: number[] = [];
  for (const t of invertCumulative(profile, unitArrivals({ process: 'constant', burstiness: 1, seed: 1 }))) {
    if (t >= untilMs) break;
    offsets.push(t);
  }
  return offsets;
};

test('a linear ramp 0 → 100 req/s over 10 s: arrivals per second follow the ramp', (t) => {
  const profile: RateProfile = [[0, 0], [10_000, 100]];
  const counts = perSecond(constantOffsets(profile, 10_000), 10);
  // Second k holds the area under the ramp over [k, k+1): 10k + 5 requests (±1 for where the integers fall).
  counts.forEach((count, k) => t.true(Math.abs(count - (10 * k + 5)) <= 1, `second ${k}: ${count}`));
  t.is(counts.reduce((a, b) => a + b, 0), 500);
});

test('a ramp down and a zero-rate gap produce no arrivals where the rate is 0', (t) => {
  const profile: RateProfile = [[0, 20], [2000, 0], [4000, 0], [4000, 20], [6000, 20]];
  const offsets = constantOffsets(profile, 6000);
  t.false(offsets.some((offset) => offset > 2000 && offset < 4000));
  // Arrival k comes when the cumulative reaches k: 0…19 during the ramp down (area 20), the 21st exactly
  // as the rate reaches 0 at 2 s, then 39 more before 6 s (cumulative 21 → 60).
  t.is(offsets.filter((offset) => offset < 2000).length, 20);
  t.is(offsets.filter((offset) => offset === 2000).length, 1);
  t.is(offsets.filter((offset) => offset >= 4000).length, 39);
  t.is(offsets.length, 60);
});

test('offsets are ascending and inside their segments', (t) => {
  const profile: RateProfile = [[0, 5], [3000, 50], [3000, 10], [7000, 80], [9000, 0]];
  const offsets = constantOffsets(profile, 9000);
  t.true(offsets.every((offset, i) => i === 0 || offset >= offsets[i - 1]!));
  t.is(offsets.length, Math.ceil(expectedArrivals(profile, 9000)));
});

test('a profile that ends at 0 req/s ends the schedule', (t) => {
  const profile: RateProfile = [[0, 10], [1000, 0]];
  const offsets = [...invertCumulative(profile, unitArrivals({ process: 'constant', burstiness: 1, seed: 1 }))];
  // Cumulative 5 by 1 s: arrivals at cumulative 0…5, the last exactly at 1 s; none after.
  t.is(offsets.length, 6);
  t.is(offsets[5], 1000);
});

const expected = test.macro({
  exec(t, profile: RateProfile, untilMs: number, count: number) {
    const actual = expectedArrivals(profile, untilMs);
    if (count === Number.POSITIVE_INFINITY) t.is(actual, count);
    else t.true(Math.abs(actual - count) < 1e-9, `${actual}`);
  },
  title: (_, profile, untilMs, count) => `expectedArrivals(${JSON.stringify(profile)}, ${untilMs}) = ${count}`,
});
test(expected, [[0, 10]], 5000, 50);
test(expected, [[0, 0], [10_000, 100]], 10_000, 500);
test(expected, [[0, 0], [10_000, 100]], 5000, 125);
test(expected, [[0, 0], [10_000, 100]], 20_000, 1500);
test(expected, [[0, 10], [0, 20]], 1000, 20);
test(expected, [[0, 10], [1000, 0]], Number.POSITIVE_INFINITY, 5);
test(expected, [[0, 10]], Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY);
