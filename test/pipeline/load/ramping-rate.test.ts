import test from 'ava';
import { rampingRate } from '../../../pipeline/load/ramping-rate.js';
import { perSecond } from './helpers.js';

const settings = { burstiness: 1, seed: 3, maxInFlight: 500 };

test('ramping-rate (constant arrivals): arrivals per second follow the ramp 0 → 100 → 100 → 20', (t) => {
  const phase = rampingRate({
    ...settings,
    arrival: 'constant',
    startRateRps: 0,
    stages: [{ durationMs: 10_000, target: 100 }, { durationMs: 5000, target: 100 }, { durationMs: 5000, target: 20 }],
    requests: null,
  });
  if (phase.load.kind !== 'open') return t.fail();
  t.is(phase.durationMs, 20_000);
  const counts = perSecond(phase.load.arrivalsMs, 20);
  // Expected per second: the area under the rate over that second.
  const expected = (k: number) => (k < 10 ? 10 * k + 5 : k < 15 ? 100 : 100 - 16 * (k - 15) - 8);
  counts.forEach((count, k) => t.true(Math.abs(count - expected(k)) <= 1, `second ${k}: ${count} vs ${expected(k)}`));
  t.deepEqual(phase.stages, [
    { name: 'stage-1', index: 0, startMs: 0, target: 100 },
    { name: 'stage-2', index: 1, startMs: 10_000, target: 100 },
    { name: 'stage-3', index: 2, startMs: 15_000, target: 20 },
  ]);
});

test('ramping-rate (Poisson): counts per stage match the ramp within sampling error', (t) => {
  const phase = rampingRate({
    ...settings,
    arrival: 'poisson',
    startRateRps: 50,
    stages: [{ durationMs: 60_000, target: 250 }, { durationMs: 60_000, target: 250 }],
    requests: null,
  });
  if (phase.load.kind !== 'open') return t.fail();
  const ramp = phase.load.arrivalsMs.filter((offset) => offset < 60_000).length; // expected 9000, σ ≈ 95
  const hold = phase.load.arrivalsMs.filter((offset) => offset >= 60_000).length; // expected 15000, σ ≈ 122
  t.true(Math.abs(ramp - 9000) < 400, `ramp ${ramp}`);
  t.true(Math.abs(hold - 15_000) < 500, `hold ${hold}`);
  // The first half of the ramp carries less than the second (50→150 vs 150→250 req/s: 3000 vs 6000).
  const firstHalf = phase.load.arrivalsMs.filter((offset) => offset < 30_000).length;
  t.true(Math.abs(firstHalf - 3000) < 250, `first half ${firstHalf}`);
});

test('ramping-rate: requests caps the schedule', (t) => {
  const phase = rampingRate({ ...settings, arrival: 'constant', startRateRps: 10, stages: [{ durationMs: 60_000, target: 10 }], requests: 42 });
  if (phase.load.kind !== 'open') return t.fail();
  t.is(phase.load.arrivalsMs.length, 42);
  t.is(phase.requests, 42);
});
