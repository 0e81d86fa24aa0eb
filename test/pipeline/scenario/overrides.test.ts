import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { ScenarioError, UsageError } from '../../../pipeline/core/errors.js';
import { loadScenario } from '../../../pipeline/scenario/load.js';
import { applyOverrides, type ScenarioOverrides } from '../../../pipeline/scenario/overrides.js';
import type { Scenario } from '../../../pipeline/scenario/schema.js';
import { assertError, fixture } from './helpers.js';

const presets: Record<string, Scenario> = {};

async function writeScenario(text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'llmbench-same-')), 'same.yaml');
  await writeFile(path, text);
  return path;
}
test.before(async () => {
  for (const name of ['quick', 'spike', 'sweep']) presets[name] = await loadScenario(name);
  presets['rate'] = await loadScenario(fixture('base.yaml'));
});

const target = { engine: 'vllm', url: 'http://127.0.0.1:8000', model: 'm' };

// [title, preset, flags, expected load]
const loadCases: Array<[string, string, ScenarioOverrides, Record<string, unknown>]> = [
  ['--concurrency keeps the file\'s duration', 'quick', { concurrency: '1000' },
    { executor: 'constant-concurrency', users: 1000, duration: '60s', think_time: '0s' }],
  ['--requests replaces the duration', 'quick', { concurrency: 1000, requests: '3000' },
    { executor: 'constant-concurrency', users: 1000, requests: 3000, think_time: '0s' }],
  ['--duration replaces --requests, both keep both', 'quick', { duration: '15s', requests: 10 },
    { executor: 'constant-concurrency', users: 5, duration: '15s', requests: 10, think_time: '0s' }],
  ['--rate on a closed preset switches to constant-rate', 'quick', { rate: '40', arrival: 'constant', duration: '15s' },
    { executor: 'constant-rate', rate: 40, duration: '15s', arrival: 'constant', max_in_flight: 1000 }],
  ['--burstiness implies gamma', 'quick', { rate: 10, burstiness: '0.5', maxInFlight: '64' },
    { executor: 'constant-rate', rate: 10, duration: '60s', arrival: 'gamma', burstiness: 0.5, max_in_flight: 64 }],
  ['--arrival poisson drops the file\'s burstiness', 'rate', { arrival: 'poisson' },
    { executor: 'constant-rate', rate: 5, duration: '20s', arrival: 'poisson', max_in_flight: 1000 }],
  ['--stages switches to ramping-concurrency from 0', 'quick', { stages: '3s:10,1s:100,4s:100,1s:10,3s:10', thinkTime: '100ms' },
    { executor: 'ramping-concurrency', start_target: 0, think_time: '100ms', stages: [
      { duration: '3s', target: 10 }, { duration: '1s', target: 100 }, { duration: '4s', target: 100 },
      { duration: '1s', target: 10 }, { duration: '3s', target: 10 }] }],
  ['--concurrency with --stages is the start', 'quick', { stages: '10s:20', concurrency: 5 },
    { executor: 'ramping-concurrency', start_target: 5, think_time: '0s', stages: [{ duration: '10s', target: 20 }] }],
  ['--stages on spike keeps its start', 'spike', { stages: '10s:20', requests: 50 },
    { executor: 'ramping-concurrency', start_target: 10, think_time: '0s', requests: 50, stages: [{ duration: '10s', target: 20 }] }],
  ['--rate-stages keeps the arrival settings of a rate file', 'rate', { rateStages: '5s:10,5s:0', rate: '2' },
    { executor: 'ramping-rate', start_target: 2, arrival: 'gamma', burstiness: 0.5, max_in_flight: 1000,
      stages: [{ duration: '5s', target: 10 }, { duration: '5s', target: 0 }] }],
  ['--concurrency on spike: constant, as long as the stages were', 'spike', { concurrency: 7 },
    { executor: 'constant-concurrency', users: 7, duration: '100s', think_time: '0s' }],
  ['--duration on a sweep sets each level\'s', 'sweep', { duration: '5s' },
    { executor: 'sweep', mode: 'concurrency', levels: [1, 2, 4, 8, 16, 32, 64, 128], level_duration: '5s' }],
  ['--requests on a sweep sets each level\'s', 'sweep', { requests: 20 },
    { executor: 'sweep', mode: 'concurrency', levels: [1, 2, 4, 8, 16, 32, 64, 128], level_requests: 20 }],
];

for (const [title, preset, flags, load] of loadCases) {
  test(`overrides: ${title}`, (t) => {
    const scenario = applyOverrides(presets[preset]!, { ...target, ...flags });
    t.deepEqual(scenario.load as Record<string, unknown>, load);
  });
}

test('overrides: target, workload and warmup flags', (t) => {
  const scenario = applyOverrides(presets['quick']!, {
    ...target, apiKeyEnv: 'VLLM_KEY', api: 'chat', seed: '7', promptTokens: '1024', maxTokens: 16, stream: false,
    dataset: 'prompts.jsonl', warmup: '10s',
  });
  t.deepEqual(scenario.target, { engine: 'vllm', url: 'http://127.0.0.1:8000', model: 'm', api_key_env: 'VLLM_KEY', api: 'chat' });
  t.like(scenario.workload, { seed: 7, prompt_tokens: 1024, max_tokens: 16, stream: false, dataset: 'prompts.jsonl' });
  t.deepEqual(scenario.warmup, { duration: '10s' });
  t.deepEqual(applyOverrides(presets['quick']!, { warmup: 3 }).warmup, { requests: 3 });
  t.is(applyOverrides(presets['quick']!, { warmup: '0' }).warmup, undefined);
});

test('overrides: file values stay where no flag is given, and the input is not mutated', (t) => {
  const before = structuredClone(presets['rate']!);
  const scenario = applyOverrides(presets['rate']!, { model: 'other' });
  t.deepEqual(scenario.target, { engine: 'ollama', url: 'http://127.0.0.1:11434', model: 'other' });
  t.deepEqual(scenario.load, before.load);
  t.deepEqual(presets['rate'], before);
});

test('overrides: --threshold replaces the file\'s thresholds for its metric and keeps the rest', (t) => {
  const base = applyOverrides(presets['rate']!, { thresholds: ['error_rate:<0.01'] });
  // Kept as written, as a file's are; abort_on_fail appears only when set.
  t.deepEqual(base.thresholds, { ttft_ms: ['p95 < 1000'], error_rate: ['<0.01'] });
  const replaced = applyOverrides(presets['rate']!, { thresholds: ['ttft_ms:p99<3000', 'ttft_ms: p50 <= 500'] });
  t.deepEqual(replaced.thresholds?.ttft_ms, ['p99<3000', 'p50 <= 500']);
});

// The flags' own syntax and contradicting combinations: UsageError.
const usageCases: Array<[string, string, ScenarioOverrides, Array<string | RegExp>]> = [
  ['--concurrency with --rate', 'quick', { concurrency: 5, rate: 5 }, ['--concurrency and --rate cannot be combined']],
  ['--stages with --rate', 'quick', { stages: '1s:5', rate: 5 }, ['--stages and --rate cannot be combined']],
  ['--arrival on a closed load', 'quick', { arrival: 'poisson' }, ['--arrival applies to open-loop loads', 'constant-concurrency, a closed loop']],
  ['--think-time on an open load', 'rate', { thinkTime: '1s' }, ['--think-time applies to closed-loop loads', 'constant-rate']],
  ['--duration on a ramp', 'spike', { duration: '10s' }, ['--duration does not apply to ramping-concurrency']],
  ['--burstiness with poisson', 'rate', { burstiness: 2, arrival: 'poisson' }, ['--burstiness applies only to --arrival gamma']],
  ['--stages that are not pairs', 'quick', { stages: '3s:10,20' }, ['--stages "3s:10,20": stage 2 ("20") is not DURATION:TARGET']],
  ['bad --warmup', 'quick', { warmup: 'soon' }, ['--warmup: must be a request count']],
  ['--threshold without a metric', 'quick', { thresholds: ['p95<2000'] }, ['--threshold "p95<2000": expected METRIC:EXPRESSION']],
];

for (const [title, preset, flags, mentions] of usageCases) {
  test(`overrides refused: ${title}`, (t) => {
    const error = t.throws(() => applyOverrides(presets[preset]!, flags));
    assertError(t, error, { instanceOf: UsageError, code: 'USAGE', mentions });
  });
}

// Values: judged by the one scenario schema, each named by its flag and the path it sets.
const valueCases: Array<[string, ScenarioOverrides, string[]]> = [
  ['bad numbers, all at once', { concurrency: 'lots', requests: '0', seed: '-1' },
    ['--concurrency (load.users): must be a number, got "lots"', '--requests (load.requests): must be ≥ 1, got 0', '--seed (workload.seed): must be ≥ 0, got -1']],
  ['bad duration', { duration: 'ten seconds' }, ['--duration (load.duration): "ten seconds" is not a duration']],
  ['unknown engine', { engine: 'triton' }, ['--engine (target.engine): must be one of ollama, vllm, tgi, llamacpp, openai, sglang, got "triton"']],
  ['bad url', { url: 'localhost:8000' }, ['--url (target.url): must be an http:// or https:// URL']],
  ['bad arrival', { rate: 5, arrival: 'bursty' }, ['--arrival (load.arrival): must be one of constant, poisson, gamma, got "bursty"']],
  ['bad --stages target', { stages: '3s:ten' }, ['--stages (load.stages[0].target): must be a number, got "ten"']],
  ['bad --threshold metric', { thresholds: ['ttft:p95<1'] }, ['--threshold (thresholds.ttft): unknown key (did you mean ttft_ms?)']],
  ['bad --threshold statistic', { thresholds: ['ttft_ms:p97<1'] }, ['--threshold (thresholds.ttft_ms[0]): unknown statistic "p97"']],
];

for (const [title, flags, mentions] of valueCases) {
  test(`overrides refused by the schema: ${title}`, (t) => {
    const error = t.throws(() => applyOverrides(presets['quick']!, flags));
    assertError(t, error, { instanceOf: ScenarioError, code: 'SCENARIO_INVALID', mentions });
  });
}

// A bad flag and the same bad key in a file: one message, only the place named differs.
const samePairs: Array<[ScenarioOverrides, string, string]> = [
  [{ concurrency: '-1' }, 'load: { executor: constant-concurrency, users: -1, duration: 10s }', 'load.users'],
  [{ maxTokens: 'ten' }, 'workload: { max_tokens: ten }\nload: { executor: constant-concurrency, users: 1, duration: 10s }', 'workload.max_tokens'],
  [{ duration: '0s' }, 'load: { executor: constant-concurrency, users: 5, duration: 0s }', 'load.duration'],
  [{ thresholds: ['ttft_ms:p95 ~ 3'] }, 'thresholds: { ttft_ms: ["p95 ~ 3"] }\nload: { executor: constant-concurrency, users: 5, duration: 60s }', 'thresholds.ttft_ms[0]'],
];

for (const [flags, yaml, path] of samePairs) {
  test(`a bad flag and the same key in YAML get the same message: ${path}`, async (t) => {
    const flagError = t.throws(() => applyOverrides(presets['quick']!, flags)) as Error;
    const file = await writeScenario(`name: same\n${yaml}\n`);
    const fileError = await t.throwsAsync(loadScenario(file));
    const messageAt = (text: string, marker: string) => text.split('\n').find((line) => line.includes(marker))?.split(`${path}): `)[1] ?? text.split('\n').find((line) => line.includes(marker))?.split(`${path}: `)[1];
    const fromFlag = messageAt(flagError.message, path);
    const fromFile = messageAt(fileError?.message ?? '', path);
    t.truthy(fromFlag, flagError.message);
    t.is(fromFlag, fromFile);
    t.regex(flagError.message, new RegExp(`--[a-z-]+ \\(${path.replace(/[.[\]]/g, '\\$&')}\\): `));
  });
}
