import test from 'ava';
import { sweep } from '../../../pipeline/load/sweep.js';

test('sweep (concurrency): one closed phase per level, each its own stage', (t) => {
  const phases = sweep({ mode: 'concurrency', levels: [1, 2, 4, 8], perLevel: { durationMs: 30_000, requests: null }, thinkTimeMs: 0 });
  t.deepEqual(phases.map((phase) => phase.name), ['c=1', 'c=2', 'c=4', 'c=8']);
  t.deepEqual(phases.map((phase) => phase.stages), [
    [{ name: 'c=1', index: 0, startMs: 0, target: 1 }],
    [{ name: 'c=2', index: 1, startMs: 0, target: 2 }],
    [{ name: 'c=4', index: 2, startMs: 0, target: 4 }],
    [{ name: 'c=8', index: 3, startMs: 0, target: 8 }],
  ]);
  t.true(phases.every((phase) => phase.durationMs === 30_000 && phase.load.kind === 'closed' && !phase.warmup));
  t.deepEqual(phases.map((phase) => (phase.load.kind === 'closed' ? phase.load.users : [])), [[[0, 1]], [[0, 2]], [[0, 4]], [[0, 8]]]);
});

test('sweep (rate): one open phase per level with its own arrivals', (t) => {
  const phases = sweep({
    mode: 'rate',
    levels: [2, 5.5],
    perLevel: { durationMs: 10_000, requests: null },
    arrival: 'constant',
    burstiness: 1,
    seed: 1,
    maxInFlight: 32,
    firstStageIndex: 0,
  });
  t.deepEqual(phases.map((phase) => phase.name), ['r=2', 'r=5.5']);
  t.deepEqual(phases.map((phase) => (phase.load.kind === 'open' ? phase.load.arrivalsMs.length : 0)), [20, 55]);
  t.true(phases.every((phase) => phase.load.kind === 'open' && phase.load.maxInFlight === 32));
});

test('sweep (rate, Poisson): levels draw different gap patterns', (t) => {
  const phases = sweep({
    mode: 'rate', levels: [10, 10], perLevel: { durationMs: null, requests: 50 }, arrival: 'poisson', burstiness: 1, seed: 7, maxInFlight: 8,
  });
  const [a, b] = phases.map((phase) => (phase.load.kind === 'open' ? phase.load.arrivalsMs : []));
  t.is(a!.length, 50);
  t.notDeepEqual(a, b);
});
