import test from 'ava';
import { constantRate } from '../../../pipeline/load/constant-rate.js';
import { gapsOf } from './helpers.js';

const base = { arrival: 'constant' as const, burstiness: 1, seed: 1, maxInFlight: 64 };

test('constant-rate: 40 req/s for 15 s is 600 evenly spaced arrivals', (t) => {
  const phase = constantRate({ ...base, rateRps: 40, durationMs: 15_000, requests: null });
  if (phase.load.kind !== 'open') return t.fail();
  t.is(phase.load.arrivalsMs.length, 600);
  t.is(phase.load.maxInFlight, 64);
  t.true(gapsOf(phase.load.arrivalsMs).every((gap) => Math.abs(gap - 25) < 1e-9));
  t.is(phase.durationMs, 15_000);
  t.deepEqual(phase.stages, [{ name: 'main', index: 0, startMs: 0, target: 40 }]);
});

test('constant-rate: a request count without a duration', (t) => {
  const phase = constantRate({ ...base, arrival: 'poisson', rateRps: 10, durationMs: null, requests: 250 });
  if (phase.load.kind !== 'open') return t.fail();
  t.is(phase.load.arrivalsMs.length, 250);
  t.is(phase.requests, 250);
  t.is(phase.durationMs, null);
});

test('constant-rate: seeded, so the same config gives the same arrivals', (t) => {
  const config = { ...base, arrival: 'gamma' as const, burstiness: 0.5, seed: 99, rateRps: 20, durationMs: 5000, requests: null };
  t.deepEqual(constantRate(config), constantRate(config));
  t.notDeepEqual(constantRate(config), constantRate({ ...config, seed: 100 }));
});
