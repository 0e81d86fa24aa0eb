import test from 'ava';
import { warmupPhase } from '../../../pipeline/load/warmup.js';

test('warmup by requests, closed loop: a warmup phase at stage index -1', (t) => {
  t.deepEqual(warmupPhase({ requests: 5 }, { kind: 'closed', users: 10, thinkTimeMs: 0 }), {
    name: 'warmup',
    warmup: true,
    durationMs: null,
    requests: 5,
    load: { kind: 'closed', users: [[0, 10]], thinkTimeMs: 0 },
    stages: [{ name: 'warmup', index: -1, startMs: 0, target: 10 }],
  });
});

test('warmup by duration, open loop: the main rate and arrival process', (t) => {
  const phase = warmupPhase(
    { durationMs: 2000 },
    { kind: 'open', rateRps: 20, arrival: 'constant', burstiness: 1, seed: 1, maxInFlight: 16 },
  );
  t.true(phase.warmup);
  t.is(phase.durationMs, 2000);
  t.is(phase.requests, null);
  if (phase.load.kind !== 'open') return t.fail();
  t.is(phase.load.arrivalsMs.length, 40);
  t.is(phase.load.maxInFlight, 16);
});
