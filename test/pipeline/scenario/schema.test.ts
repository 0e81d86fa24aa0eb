import test from 'ava';
import { ScenarioError } from '../../../pipeline/core/errors.js';
import { scenarioProblems, validateScenario } from '../../../pipeline/scenario/validate.js';
import { assertError, validDocument } from './helpers.js';

test('the issue case: users -5, duration "ten seconds" and colour are all reported, each with its path', (t) => {
  const document = { name: 'x', load: { executor: 'constant-concurrency', users: -5, duration: 'ten seconds', colour: 'red' } };
  const error = t.throws(() => validateScenario(document, 'x.yaml'));
  assertError(t, error, {
    instanceOf: ScenarioError,
    code: 'SCENARIO_INVALID',
    mentions: ['x.yaml', 'load.users: must be ≥ 1', 'load.duration: "ten seconds" is not a duration', 'load.colour: unknown key', '3 problems'],
  });
});

// [what, change to a valid document, lines expected among the problems]
const cases: Array<[string, (d: Record<string, any>) => void, RegExp[]]> = [
  ['unknown top-level key', (d) => (d.colour = 1), [/^colour: unknown key; allowed here: name, description, extends/]],
  ['typo gets a suggestion', (d) => (d.load.user = 3), [/^load\.user: unknown key \(did you mean users\?\)/]],
  ['missing executor', (d) => delete d.load.executor, [/^load\.executor: is required: one of constant-concurrency, ramping-concurrency/]],
  ['unknown executor', (d) => (d.load.executor = 'spiky'), [/^load\.executor: must be one of .*got "spiky"/]],
  ['key of another executor', (d) => (d.load.rate = 5), [/^load\.rate: unknown key/]],
  ['fractional users', (d) => (d.load.users = 2.5), [/^load\.users: must be a whole number, got 2\.5/]],
  ['users as a string', (d) => (d.load.users = 'many'), [/^load\.users: must be a number, got "many"/]],
  ['bare-number duration', (d) => (d.load.duration = 30), [/^load\.duration: must be a duration with a unit .*got 30/]],
  ['zero duration', (d) => (d.load.duration = '0s'), [/^load\.duration: must be longer than 0/]],
  ['no stop condition', (d) => delete d.load.duration, [/^load\.duration: set duration, requests or both/]],
  ['bad name', (d) => (d.name = 'My Scenario'), [/^name: must use lower-case letters, digits and "-"/]],
  ['missing name', (d) => delete d.name, [/^name: is required/]],
  ['unknown engine', (d) => (d.target = { engine: 'triton' }), [/^target\.engine: must be one of ollama, vllm, tgi, llamacpp, openai, sglang, got "triton"/]],
  ['non-http url', (d) => (d.target = { url: 'ftp://host' }), [/^target\.url: must be an http:\/\/ or https:\/\/ URL/]],
  ['api key in place of a variable name', (d) => (d.target = { api_key_env: 'sk-123' }), [/^target\.api_key_env: must be the name of an environment variable/]],
  ['workload types', (d) => (d.workload = { prompt_tokens: 0, stream: 'yes' }), [/^workload\.prompt_tokens: must be ≥ 1, got 0/, /^workload\.stream: must be a boolean, got "yes"/]],
  ['timeouts', (d) => (d.workload = { timeouts: { idle: 'forever' } }), [/^workload\.timeouts\.idle: "forever" is not a duration/]],
  ['warmup needs exactly one', (d) => (d.warmup = { requests: 3, duration: '5s' }), [/^warmup: set exactly one of requests or duration/]],
  ['abort rate out of range', (d) => (d.abort = { max_error_rate: 1.5 }), [/^abort\.max_error_rate: must be ≤ 1, got 1\.5/]],
  ['threshold with an unknown statistic', (d) => (d.thresholds = { ttft_ms: ['p97 < 2'] }), [/^thresholds\.ttft_ms\[0\]: unknown statistic "p97"; statistics: count, mean/]],
  ['threshold on an unknown metric', (d) => (d.thresholds = { ttft: ['p95 < 2'] }), [/^thresholds\.ttft: unknown key \(did you mean ttft_ms\?\); allowed here: .*error_rate/]],
  ['threshold as a string, not a list', (d) => (d.thresholds = { ttft_ms: 'p95 < 2' }), [/^thresholds\.ttft_ms: must be a list, got "p95 < 2"/]],
  ['load is not a mapping', (d) => (d.load = 5), [/^load: must be a mapping, got 5/]],
];

for (const [what, change, expected] of cases) {
  test(`validation: ${what}`, (t) => {
    const document: Record<string, any> = validDocument();
    change(document);
    const problems = scenarioProblems(document);
    for (const pattern of expected) t.true(problems.some((line) => pattern.test(line)), `no line matches ${pattern}:\n${problems.join('\n')}`);
  });
}

const loadCases: Array<[string, Record<string, unknown>, RegExp[]]> = [
  ['rate must be positive', { executor: 'constant-rate', rate: 0, duration: '10s' }, [/^load\.rate: must be > 0, got 0/]],
  ['burstiness without gamma', { executor: 'constant-rate', rate: 5, duration: '10s', arrival: 'poisson', burstiness: 2 }, [/^load\.burstiness: applies only to arrival: gamma \(arrival is poisson\)/]],
  ['unknown arrival', { executor: 'constant-rate', rate: 5, duration: '10s', arrival: 'bursty' }, [/^load\.arrival: must be one of constant, poisson, gamma/]],
  ['max_in_flight 0', { executor: 'constant-rate', rate: 5, duration: '10s', max_in_flight: 0 }, [/^load\.max_in_flight: must be ≥ 1/]],
  ['stages empty', { executor: 'ramping-concurrency', stages: [] }, [/^load\.stages: must have at least 1 item/]],
  ['stage problems by index', { executor: 'ramping-concurrency', stages: [{ duration: '5s', target: 10 }, { duration: 'soon', target: -1, extra: 1 }] },
    [/^load\.stages\[1\]\.duration: "soon" is not a duration/, /^load\.stages\[1\]\.target: must be ≥ 0, got -1/, /^load\.stages\[1\]\.extra: unknown key/]],
  ['all-zero stages', { executor: 'ramping-rate', stages: [{ duration: '5s', target: 0 }] }, [/^load\.stages: every target is 0/]],
  ['zero-length stages', { executor: 'ramping-concurrency', stages: [{ duration: '0s', target: 5 }] }, [/^load\.stages: the stages must last longer than 0/]],
  ['ramping has no duration key', { executor: 'ramping-concurrency', stages: [{ duration: '5s', target: 5 }], duration: '10s' }, [/^load\.duration: unknown key/]],
  ['sweep without a per-level stop', { executor: 'sweep', levels: [1, 2] }, [/^load\.level_duration: set level_duration, level_requests or both/]],
  ['sweep of users with rate settings', { executor: 'sweep', levels: [1, 2], level_duration: '5s', max_in_flight: 5 }, [/^load\.max_in_flight: applies to mode: rate only \(mode is concurrency\)/]],
  ['sweep of rates with think time', { executor: 'sweep', mode: 'rate', levels: [1, 2], level_duration: '5s', think_time: '1s' }, [/^load\.think_time: applies to mode: concurrency only/]],
  ['sweep of users needs whole levels', { executor: 'sweep', levels: [1, 1.5], level_requests: 10 }, [/^load\.levels\[1\]: concurrency levels must be whole numbers/]],
];

for (const [what, load, expected] of loadCases) {
  test(`validation (load): ${what}`, (t) => {
    const problems = scenarioProblems({ name: 'x', load });
    for (const pattern of expected) t.true(problems.some((line) => pattern.test(line)), `no line matches ${pattern}:\n${problems.join('\n')}`);
  });
}

test('a valid document gets its defaults filled', (t) => {
  const scenario = validateScenario({ name: 'x', load: { executor: 'constant-rate', rate: 5, duration: '10s' } }, 'x');
  t.deepEqual(scenario.load, { executor: 'constant-rate', rate: 5, duration: '10s', arrival: 'poisson', max_in_flight: 1000 });
  t.deepEqual(scenario.workload, {
    prompt_tokens: 256, max_tokens: 128, stream: true, seed: 42, timeouts: { connect: '10s', first_token: '300s', idle: '60s' },
  });
});

test('validating a resolved scenario again changes nothing (overrides rely on it)', (t) => {
  const once = validateScenario({ name: 'x', load: { executor: 'sweep', mode: 'rate', levels: [1, 2], level_requests: 5 }, thresholds: { rps: ['> 1'] } }, 'x');
  t.deepEqual(validateScenario(once, 'x'), once);
});
