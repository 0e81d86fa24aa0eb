import test from 'ava';
import type { ArrivalProcess } from '../../../pipeline/load/arrival-process.js';
import { ScenarioError } from '../../../pipeline/core/errors.js';
import { arrivalOffsetsMs } from '../../../pipeline/load/arrivals.js';
import { cvOf, gapsOf, meanOf } from './helpers.js';

const schedule = (arrival: ArrivalProcess, burstiness: number, seed: number, rateRps: number, limits: { durationMs?: number; count?: number }) =>
  arrivalOffsetsMs({
    process: arrival,
    burstiness,
    seed,
    profile: [[0, rateRps]],
    durationMs: limits.durationMs ?? null,
    maxArrivals: limits.count ?? null,
  });

test('constant arrivals are evenly spaced from 0, with no drift', (t) => {
  const offsets = schedule('constant', 1, 1, 40, { durationMs: 15_000 });
  t.is(offsets.length, 600); // 40 req/s × 15 s, the issue's acceptance case
  t.is(offsets[0], 0);
  t.is(offsets[1], 25);
  t.is(offsets[599], 14_975);
  t.true(gapsOf(offsets).every((gap) => Math.abs(gap - 25) < 1e-9));
});

test('constant arrivals at an awkward rate still fill the duration exactly', (t) => {
  const offsets = schedule('constant', 1, 1, 3, { durationMs: 10_000 });
  t.is(offsets.length, 30);
  t.true(offsets.every((offset, i) => Math.abs(offset - (i * 1000) / 3) < 1e-9));
});

// Mean rate within 2 % and the CV of the gaps: 1 for Poisson, 1/√burstiness for gamma. The sample size is
// chosen so 2 % is ≥ 4 standard errors of the mean gap (N ≥ (200·CV)², at least 20 000), and each case is
// checked over several seeds so the test does not depend on a lucky one.
const arrivalStatistics = test.macro({
  exec(t, arrival: ArrivalProcess, burstiness: number, expectedCv: number) {
    const count = Math.max(20_000, Math.ceil((200 * expectedCv) ** 2));
    for (const seed of [1, 2, 3, 4, 5]) {
      const offsets = schedule(arrival, burstiness, seed, 50, { count });
      t.is(offsets.length, count);
      const gaps = gapsOf(offsets);
      t.true(gaps.every((gap) => gap >= 0), 'ascending');
      const rateRps = 1000 / meanOf(gaps);
      t.true(Math.abs(rateRps / 50 - 1) < 0.02, `seed ${seed}: rate ${rateRps.toFixed(2)} vs 50`);
      const cv = cvOf(gaps);
      t.true(Math.abs(cv - expectedCv) < 0.05 * expectedCv, `seed ${seed}: CV ${cv.toFixed(3)} vs ${expectedCv}`);
    }
  },
  title: (_, arrival, burstiness) => `${arrival}${arrival === 'gamma' ? ` (burstiness ${burstiness})` : ''}: mean rate within 2 %, CV as expected`,
});
test(arrivalStatistics, 'poisson', 1, 1);
test(arrivalStatistics, 'gamma', 1, 1);
test(arrivalStatistics, 'gamma', 0.25, 2);
test(arrivalStatistics, 'gamma', 0.5, Math.SQRT2);
test(arrivalStatistics, 'gamma', 4, 0.5);
test(arrivalStatistics, 'gamma', 16, 0.25);

test('over a duration, a Poisson schedule holds about rate × duration arrivals', (t) => {
  const offsets = schedule('poisson', 1, 9, 200, { durationMs: 100_000 }); // 20 000 expected, σ ≈ 141
  t.true(Math.abs(offsets.length - 20_000) < 600, `${offsets.length}`);
  t.true(offsets.every((offset) => offset < 100_000));
  t.true(offsets[0]! > 0, 'a Poisson process has no event at 0');
});

test('same seed, same schedule; another seed, another schedule', (t) => {
  for (const arrival of ['poisson', 'gamma'] as const) {
    const a = schedule(arrival, 0.5, 123, 20, { count: 1000 });
    t.deepEqual(a, schedule(arrival, 0.5, 123, 20, { count: 1000 }));
    t.notDeepEqual(a, schedule(arrival, 0.5, 124, 20, { count: 1000 }));
  }
});

test('duration and count limits: whichever comes first', (t) => {
  t.is(schedule('constant', 1, 1, 10, { durationMs: 1000, count: 5 }).length, 5);
  t.is(schedule('constant', 1, 1, 10, { durationMs: 1000, count: 500 }).length, 10);
  t.is(schedule('constant', 1, 1, 10, { count: 500 }).length, 500);
});

test('a schedule with neither a duration nor a count is refused', (t) => {
  t.throws(() => schedule('constant', 1, 1, 10, {}), { instanceOf: RangeError });
});

test('a schedule of more than 10 million arrivals is refused up front', (t) => {
  const error = t.throws(() => schedule('constant', 1, 1, 10_000, { durationMs: 3_600_000 }));
  t.true(error instanceof ScenarioError);
  t.is((error as ScenarioError).code, 'SCENARIO_INVALID');
  t.regex(error!.message, /more than 10,000,000 arrivals/);
});
