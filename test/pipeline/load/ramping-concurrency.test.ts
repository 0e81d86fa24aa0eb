import test from 'ava';
import { usersAt } from '../../../pipeline/core/plan.js';
import { rampingConcurrency } from '../../../pipeline/load/ramping-concurrency.js';

// The acceptance shape: --stages "3s:10,1s:100,4s:100,1s:10,3s:10".
const spike = rampingConcurrency({
  startUsers: 0,
  stages: [
    { durationMs: 3000, target: 10 },
    { durationMs: 1000, target: 100 },
    { durationMs: 4000, target: 100 },
    { durationMs: 1000, target: 10 },
    { durationMs: 3000, target: 10 },
  ],
  thinkTimeMs: 0,
  requests: null,
});

test('ramping-concurrency: breakpoints at every stage end, the phase as long as the stages', (t) => {
  t.is(spike.durationMs, 12_000);
  t.is(spike.requests, null);
  t.deepEqual(spike.load, {
    kind: 'closed',
    users: [[0, 0], [3000, 10], [4000, 100], [8000, 100], [9000, 10], [12_000, 10]],
    thinkTimeMs: 0,
  });
});

test('ramping-concurrency: one stage label per stage, at its start offset', (t) => {
  t.deepEqual(spike.stages, [
    { name: 'stage-1', index: 0, startMs: 0, target: 10 },
    { name: 'stage-2', index: 1, startMs: 3000, target: 100 },
    { name: 'stage-3', index: 2, startMs: 4000, target: 100 },
    { name: 'stage-4', index: 3, startMs: 8000, target: 10 },
    { name: 'stage-5', index: 4, startMs: 9000, target: 10 },
  ]);
});

const usersAtOffset = test.macro({
  exec(t, offsetMs: number, users: number) {
    if (spike.load.kind !== 'closed') return t.fail();
    t.is(usersAt(spike.load.users, offsetMs), users);
  },
  title: (_, offsetMs, users) => `ramping-concurrency: ${users} users at ${offsetMs} ms (linear from the previous target)`,
});
test(usersAtOffset, 0, 0);
test(usersAtOffset, 1500, 5);
test(usersAtOffset, 3000, 10);
test(usersAtOffset, 3500, 55);
test(usersAtOffset, 6000, 100);
test(usersAtOffset, 8500, 55);
test(usersAtOffset, 11_000, 10);

test('ramping-concurrency: a 0 s stage is a step, and the start level is held until the first stage moves', (t) => {
  const phase = rampingConcurrency({
    startUsers: 10,
    stages: [{ durationMs: 2000, target: 10 }, { durationMs: 0, target: 50 }, { durationMs: 2000, target: 50 }],
    thinkTimeMs: 250,
    requests: 400,
  });
  if (phase.load.kind !== 'closed') return t.fail();
  t.is(usersAt(phase.load.users, 1999), 10);
  t.is(usersAt(phase.load.users, 2001), 50);
  t.is(phase.load.thinkTimeMs, 250);
  t.is(phase.requests, 400);
  t.deepEqual(phase.stages.map((stage) => stage.startMs), [0, 2000, 2000]);
});
