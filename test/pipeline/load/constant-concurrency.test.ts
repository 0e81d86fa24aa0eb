import test from 'ava';
import { usersAt } from '../../../pipeline/core/plan.js';
import { constantConcurrency } from '../../../pipeline/load/constant-concurrency.js';

const cases = [
  { title: 'duration only', config: { users: 5, thinkTimeMs: 0, durationMs: 60_000, requests: null } },
  { title: 'requests only', config: { users: 1000, thinkTimeMs: 0, durationMs: null, requests: 3000 } },
  { title: 'both, with think time', config: { users: 8, thinkTimeMs: 500, durationMs: 10_000, requests: 100 } },
];

for (const { title, config } of cases) {
  test(`constant-concurrency, ${title}: a flat users profile and one stage`, (t) => {
    const phase = constantConcurrency(config);
    t.deepEqual(phase, {
      name: 'main',
      warmup: false,
      durationMs: config.durationMs,
      requests: config.requests,
      load: { kind: 'closed', users: [[0, config.users]], thinkTimeMs: config.thinkTimeMs },
      stages: [{ name: 'main', index: 0, startMs: 0, target: config.users }],
    });
    if (phase.load.kind !== 'closed') return t.fail();
    t.is(usersAt(phase.load.users, 0), config.users);
    t.is(usersAt(phase.load.users, 1e9), config.users);
  });
}

test('constant-concurrency takes a label (sweep levels)', (t) => {
  const phase = constantConcurrency({ users: 4, thinkTimeMs: 0, durationMs: 1000, requests: null }, { name: 'c=4', stageIndex: 2 });
  t.is(phase.name, 'c=4');
  t.deepEqual(phase.stages, [{ name: 'c=4', index: 2, startMs: 0, target: 4 }]);
});
