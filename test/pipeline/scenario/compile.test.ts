import test from 'ava';
import { ScenarioError } from '../../../pipeline/core/errors.js';
import type { ExecutionPlan } from '../../../pipeline/core/plan.js';
import { compilePhases, compileScenario, compileThresholds } from '../../../pipeline/scenario/compile.js';
import { loadScenario } from '../../../pipeline/scenario/load.js';
import { applyOverrides } from '../../../pipeline/scenario/overrides.js';
import type { Scenario } from '../../../pipeline/scenario/schema.js';
import { validateScenario } from '../../../pipeline/scenario/validate.js';
import { assertError, fixture } from './helpers.js';

const target = { engine: 'vllm', url: 'http://127.0.0.1:8000', model: 'm' } as const;
let quick: Scenario;
test.before(async () => {
  quick = await loadScenario('quick');
});
const scenarioWith = (load: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  validateScenario({ name: 'x', target, load, ...extra }, 'test');
const arrivals = (plan: ExecutionPlan, phase: number) => {
  const load = plan.phases[phase]!.load;
  return load.kind === 'open' ? load.arrivalsMs : [];
};

test('compile: target, workload in ms and abort conditions', (t) => {
  const plan = compileScenario(scenarioWith(
    { executor: 'constant-concurrency', users: 3, duration: '1m', think_time: '250ms' },
    { workload: { dataset: '/data/p.jsonl', seed: 9, timeouts: { first_token: '2m' } }, abort: { max_errors: 10, max_error_rate: 0.2 } },
  ));
  t.deepEqual(plan.target, { engine: 'vllm', url: 'http://127.0.0.1:8000', model: 'm' });
  t.deepEqual(plan.workload, {
    promptTokens: 256, maxTokens: 128, stream: true, dataset: '/data/p.jsonl', seed: 9,
    connectTimeoutMs: 10_000, firstTokenTimeoutMs: 120_000, idleTimeoutMs: 60_000,
  });
  t.deepEqual(plan.abort, { maxErrors: 10, maxErrorRate: 0.2, minRequestsForRate: 20 });
  t.is(plan.phases.length, 1);
  t.like(plan.phases[0], { name: 'main', warmup: false, durationMs: 60_000, requests: null, load: { kind: 'closed', thinkTimeMs: 250 } });
});

test('compile: no abort section means never abort', (t) => {
  const plan = compileScenario(scenarioWith({ executor: 'constant-concurrency', users: 1, requests: 5 }));
  t.deepEqual(plan.abort, { maxErrors: null, maxErrorRate: null, minRequestsForRate: 20 });
});

test('compile: the issue\'s open-loop case, 40 req/s constant for 15 s → 600 arrivals after a 5-request warmup', async (t) => {
  const scenario = applyOverrides(await loadScenario('quick'), { ...target, rate: 40, arrival: 'constant', duration: '15s' });
  const plan = compileScenario(scenario);
  t.deepEqual(plan.phases.map((phase) => [phase.name, phase.warmup]), [['warmup', true], ['main', false]]);
  t.is(arrivals(plan, 0).length, 5);
  t.is(arrivals(plan, 1).length, 600);
  t.is(plan.phases[1]!.load.kind === 'open' ? plan.phases[1]!.load.maxInFlight : 0, 1000);
});

test('compile: the same scenario always compiles to the same plan; the seed changes the arrivals', (t) => {
  const load = { executor: 'constant-rate', rate: 20, duration: '10s', arrival: 'gamma', burstiness: 0.3 };
  const a = compileScenario(scenarioWith(load));
  t.deepEqual(a, compileScenario(scenarioWith(load)));
  const b = compileScenario(scenarioWith(load, { workload: { seed: 1 } }));
  t.notDeepEqual(arrivals(a, 0), arrivals(b, 0));
});

test('compile: warmup runs at the first non-zero level of a ramp', (t) => {
  const plan = compileScenario(scenarioWith(
    { executor: 'ramping-rate', stages: [{ duration: '10s', target: 30 }, { duration: '10s', target: 30 }], arrival: 'constant', max_in_flight: 50 },
    { warmup: { duration: '1s' } },
  ));
  t.like(plan.phases[0], { name: 'warmup', warmup: true, durationMs: 1000, requests: null, stages: [{ name: 'warmup', index: -1, startMs: 0, target: 30 }] });
  t.is(arrivals(plan, 0).length, 30);
  t.deepEqual(plan.phases[1]!.stages.map((stage) => [stage.name, stage.index, stage.startMs]), [['stage-1', 0, 0], ['stage-2', 1, 10_000]]);
  t.is(arrivals(plan, 1).length, 150 + 300);
});

test('compile: sweep levels are phases with their own stage, after the warmup', async (t) => {
  const plan = compileScenario(applyOverrides(await loadScenario('sweep'), target));
  t.deepEqual(plan.phases.map((phase) => phase.name), ['warmup', 'c=1', 'c=2', 'c=4', 'c=8', 'c=16', 'c=32', 'c=64', 'c=128']);
  t.deepEqual(plan.phases.map((phase) => phase.stages[0]!.index), [-1, 0, 1, 2, 3, 4, 5, 6, 7]);
  t.true(plan.phases.slice(1).every((phase) => phase.durationMs === 30_000));
  t.like(plan.phases[0], { warmup: true, requests: 5, load: { kind: 'closed', users: [[0, 1]] } });
});

test('compile: a rate sweep', (t) => {
  const plan = compileScenario(scenarioWith({ executor: 'sweep', mode: 'rate', levels: [1, 4], level_duration: '10s', arrival: 'constant', max_in_flight: 8 }));
  t.deepEqual(plan.phases.map((phase) => [phase.name, arrivals(plan, plan.phases.indexOf(phase)).length]), [['r=1', 10], ['r=4', 40]]);
});

test('compile: a scenario without a target says which flags to pass', (t) => {
  const error = t.throws(() => compileScenario(applyOverrides(quick, { engine: 'ollama' })));
  assertError(t, error, { instanceOf: ScenarioError, code: 'SCENARIO_INVALID', mentions: ['"quick" has no target url, model'] });
  t.is((error as ScenarioError).hint?.startsWith('pass --url, --model'), true);
  // compilePhases needs no target (scenarios validate uses it).
  t.is(compilePhases(quick).length, 2);
});

test('compileThresholds: every metric\'s expressions, parsed, and abort_on_fail', async (t) => {
  const scenario = await loadScenario(fixture('my-spike.yaml'));
  t.deepEqual(compileThresholds(scenario), {
    thresholds: [
      { metric: 'ttft_ms', stat: 'p95', operator: '<', value: 2000, expression: 'p95 < 2000' },
      { metric: 'error_rate', stat: null, operator: '<', value: 0.01, expression: '< 0.01' },
    ],
    abortOnFail: false,
  });
  t.deepEqual(compileThresholds(quick), { thresholds: [], abortOnFail: false });
});
