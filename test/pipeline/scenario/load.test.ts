import test from 'ava';
import { ScenarioError } from '../../../pipeline/core/errors.js';
import { loadScenario } from '../../../pipeline/scenario/load.js';
import { assertError, fixture, fixturesDir } from './helpers.js';

test('a preset by name', async (t) => {
  const scenario = await loadScenario('quick');
  t.is(scenario.name, 'quick');
  t.deepEqual(scenario.load, { executor: 'constant-concurrency', users: 5, duration: '60s', think_time: '0s' });
});

test('a file with the three problems of the issue: one SCENARIO_INVALID naming all three', async (t) => {
  const error = await t.throwsAsync(loadScenario(fixture('invalid-three.yaml')));
  assertError(t, error, {
    instanceOf: ScenarioError,
    code: 'SCENARIO_INVALID',
    mentions: ['invalid-three.yaml', 'load.users: must be ≥ 1', 'load.duration: "ten seconds" is not a duration', 'load.colour: unknown key'],
  });
});

test('a YAML syntax error: SCENARIO_INVALID with line:col', async (t) => {
  const error = await t.throwsAsync(loadScenario(fixture('syntax-error.yaml')));
  assertError(t, error, { instanceOf: ScenarioError, code: 'SCENARIO_INVALID', mentions: [/syntax-error\.yaml:3:\d+: /, 'not valid YAML'] });
});

test('custom tags are refused, not executed or passed through', async (t) => {
  const error = await t.throwsAsync(loadScenario(fixture('custom-tag.yaml')));
  assertError(t, error, { instanceOf: ScenarioError, code: 'SCENARIO_INVALID', mentions: [/custom-tag\.yaml:2:\d+: .*tag/i] });
});

test('a document that is not a mapping', async (t) => {
  const error = await t.throwsAsync(loadScenario(fixture('not-a-mapping.yaml')));
  assertError(t, error, { instanceOf: ScenarioError, code: 'SCENARIO_INVALID', mentions: ['not-a-mapping.yaml', 'must be a mapping'] });
});

test('an unknown name: SCENARIO_NOT_FOUND listing the presets', async (t) => {
  const error = await t.throwsAsync(loadScenario('quik'));
  assertError(t, error, {
    instanceOf: ScenarioError,
    code: 'SCENARIO_NOT_FOUND',
    mentions: ['"quik"', 'presets: endurance, quick, spike, stress, sweep'],
  });
});

test('a missing file: SCENARIO_NOT_FOUND naming it', async (t) => {
  const error = await t.throwsAsync(loadScenario('no/such/file.yaml'));
  assertError(t, error, { instanceOf: ScenarioError, code: 'SCENARIO_NOT_FOUND', mentions: ['no/such/file.yaml'] });
});

test('extends a preset: the child completes it, its stages replace the preset\'s, objects merge', async (t) => {
  const scenario = await loadScenario(fixture('my-spike.yaml'));
  t.is(scenario.name, 'my-spike');
  t.deepEqual(scenario.target, { engine: 'vllm', url: 'http://127.0.0.1:8000', model: 'meta-llama/Llama-3.1-8B-Instruct' });
  t.is(scenario.workload.prompt_tokens, 512); // from the child
  t.is(scenario.workload.max_tokens, 128); // from spike
  t.is(scenario.load.executor, 'ramping-concurrency');
  if (scenario.load.executor !== 'ramping-concurrency') return;
  t.is(scenario.load.start_target, 10); // from spike
  t.deepEqual(scenario.load.stages.map((stage) => stage.duration), ['30s', '10s', '60s', '10s', '30s']);
  t.deepEqual(scenario.warmup, { requests: 5 });
  t.deepEqual(scenario.thresholds, { ttft_ms: ['p95 < 2000'], error_rate: ['< 0.01'] });
  t.false('extends' in scenario);
});

test('extends a file relative to the extending file; the name comes from the child file; dataset is resolved from its file', async (t) => {
  const scenario = await loadScenario(fixture('nested/child.yaml'));
  t.is(scenario.name, 'child');
  t.deepEqual(scenario.target, { engine: 'ollama', url: 'http://127.0.0.1:11434', model: 'qwen2.5' });
  t.deepEqual(scenario.load, { executor: 'constant-rate', rate: 8, duration: '20s', arrival: 'gamma', burstiness: 0.5, max_in_flight: 1000 });
  t.deepEqual(scenario.warmup, { requests: 3 }); // replaced whole: not { duration: 5s, requests: 3 }
  t.is(scenario.workload.dataset, fixture('prompts.jsonl'));
  t.is(scenario.description, 'a file other files extend');
});

test('a child that names another executor replaces the load; null deletes a key', async (t) => {
  const scenario = await loadScenario(fixture('switch-executor.yaml'));
  t.deepEqual(scenario.load, { executor: 'constant-concurrency', users: 3, duration: '10s', think_time: '0s' });
  t.is(scenario.warmup, undefined);
});

test('an extends cycle is detected and shown', async (t) => {
  const error = await t.throwsAsync(loadScenario(fixture('cycle-a.yaml')));
  assertError(t, error, { instanceOf: ScenarioError, code: 'SCENARIO_INVALID', mentions: [/extends cycle: .*cycle-a\.yaml → .*cycle-b\.yaml → .*cycle-a\.yaml/] });
});

test('extends of something that does not exist names the extending file', async (t) => {
  const error = await t.throwsAsync(loadScenario(fixture('extends-missing.yaml')));
  assertError(t, error, { instanceOf: ScenarioError, code: 'SCENARIO_NOT_FOUND', mentions: ['"no-such-preset"', 'extended by', 'extends-missing.yaml', 'presets:'] });
});

test('relative paths are taken from cwd', async (t) => {
  const scenario = await loadScenario('my-spike.yaml', { cwd: fixturesDir });
  t.is(scenario.name, 'my-spike');
});

test('problems of a merged document name the file and what it extends', async (t) => {
  const error = await t.throwsAsync(loadScenario(fixture('bad-child.yaml')));
  assertError(t, error, { instanceOf: ScenarioError, code: 'SCENARIO_INVALID', mentions: [/bad-child\.yaml \(extends quick\) is not a valid scenario/, 'load.users: must be ≥ 1, got 0'] });
});

test('presets come from the presetsDir option when given', async (t) => {
  const error = await t.throwsAsync(loadScenario('my-spike.yaml', { cwd: fixturesDir, presetsDir: fixture('nested') }));
  assertError(t, error, { instanceOf: ScenarioError, code: 'SCENARIO_NOT_FOUND', mentions: ['"spike"', 'extended by my-spike.yaml'] });
});
