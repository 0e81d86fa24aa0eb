import test from 'ava';
import { usersAt } from '../../../pipeline/core/plan.js';
import { compileScenario } from '../../../pipeline/scenario/compile.js';
import { loadScenario } from '../../../pipeline/scenario/load.js';
import { applyOverrides } from '../../../pipeline/scenario/overrides.js';
import { presetNames } from '../../../pipeline/scenario/presets.js';

const target = { engine: 'vllm', url: 'http://127.0.0.1:8000', model: 'm' };

test('the five presets exist', (t) => {
  t.deepEqual(presetNames(), ['endurance', 'quick', 'spike', 'stress', 'sweep']);
});

// [preset, users at a few offsets of the main phase, main duration ms]
const shapes: Array<[string, Array<[number, number]>, number]> = [
  ['quick', [[0, 5], [59_000, 5]], 60_000],
  ['stress', [[0, 50], [299_000, 50]], 300_000],
  ['endurance', [[0, 10], [1_799_000, 10]], 1_800_000],
  ['spike', [[0, 10], [29_000, 10], [35_000, 100], [60_000, 100], [70_000, 10], [99_000, 10]], 100_000],
];

for (const [name, points, durationMs] of shapes) {
  test(`preset ${name}: validates, has no target, and compiles (with one) to its shape`, async (t) => {
    const scenario = await loadScenario(name);
    t.is(scenario.name, name);
    t.truthy(scenario.description);
    t.is(scenario.target, undefined);
    const plan = compileScenario(applyOverrides(scenario, target));
    const main = plan.phases.find((phase) => !phase.warmup)!;
    t.is(main.durationMs, durationMs);
    if (main.load.kind !== 'closed') return t.fail();
    for (const [offsetMs, users] of points) t.is(usersAt(main.load.users, offsetMs), users, `at ${offsetMs} ms`);
  });
}

test('preset sweep: concurrency 1 → 128 doubling', async (t) => {
  const scenario = await loadScenario('sweep');
  if (scenario.load.executor !== 'sweep') return t.fail();
  t.is(scenario.load.mode, 'concurrency');
  t.deepEqual(scenario.load.levels, [1, 2, 4, 8, 16, 32, 64, 128]);
});
