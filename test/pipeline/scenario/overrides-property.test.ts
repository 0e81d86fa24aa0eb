/**
 * Hostile command-line flags (fast-check, seeded), through the programmatic applyOverrides and a few through the
 * real CLI: every combination gives a Scenario or a usage/scenario error (exit 2) whose message names a flag,
 * never another error type, a stack trace or a raw control character.
 */
import test from 'ava';
import fc from 'fast-check';
import { BenchError, ScenarioError, UsageError } from '../../../pipeline/core/errors.js';
import { loadScenario } from '../../../pipeline/scenario/load.js';
import { applyOverrides, type ScenarioOverrides } from '../../../pipeline/scenario/overrides.js';
import type { Scenario } from '../../../pipeline/scenario/schema.js';
import { runCli } from '../../helpers/cli.js';

const SEED = 1207;
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

const presets: Record<string, Scenario> = {};
test.before(async () => {
  for (const name of ['quick', 'spike', 'sweep']) presets[name] = await loadScenario(name);
});

/** What a user might type for a flag: numbers of every kind, durations, junk, escape sequences. */
const flagText = fc.oneof(
  fc.integer({ min: -5, max: 2_000_000 }).map(String),
  fc.double({ noNaN: false }).map(String),
  fc.constantFrom('0', '-1', '1e309', 'NaN', 'Infinity', '0x10', '', ' ', '10s', '0s', '5m', '1h', '-3s', '30s:10,10s:100', ':', ',', '1s:', 'poisson', 'gamma', 'chat', 'x', '\u001b[2J', 'ten'),
  fc.string({ maxLength: 12 }),
);

const FLAGS = ['concurrency', 'rate', 'arrival', 'burstiness', 'maxInFlight', 'stages', 'rateStages', 'duration', 'requests', 'warmup',
  'thinkTime', 'seed', 'promptTokens', 'maxTokens', 'api', 'url'] as const;

/** A few flags at a time (all at once, nearly every combination contradicts itself). */
const overrides = fc
  .tuple(
    fc.array(fc.tuple(fc.constantFrom(...FLAGS), flagText), { maxLength: 3 }),
    fc.array(fc.oneof(flagText, fc.constantFrom('ttft_ms:p95<2000', 'error_rate:<0.01', 'ttft_ms:p97<1')), { maxLength: 2 }),
  )
  .map(([pairs, thresholds]) => ({ ...Object.fromEntries(pairs), ...(thresholds.length > 0 ? { thresholds } : {}) }));

test('applyOverrides on every preset: a Scenario or a usage/scenario error naming a flag, nothing else', (t) => {
  let refused = 0;
  let accepted = 0;
  fc.assert(
    fc.property(fc.constantFrom('quick', 'spike', 'sweep'), overrides, (preset, flags) => {
      try {
        applyOverrides(presets[preset]!, flags as ScenarioOverrides);
        accepted++;
      } catch (error) {
        if (!(error instanceof UsageError || error instanceof ScenarioError)) throw new Error(`not a usage or scenario error: ${String((error as Error)?.stack ?? error)}`);
        const benchError = error as BenchError;
        if (benchError.exitCode !== 2) throw new Error(`exit ${benchError.exitCode}: ${benchError.message}`);
        if (!/--[a-z-]+/.test(benchError.message)) throw new Error(`names no flag: ${benchError.message}`);
        if (RAW_CONTROL.test(benchError.message.replace(/\n/g, ''))) throw new Error(`raw control character: ${JSON.stringify(benchError.message)}`);
        refused++;
      }
    }),
    { seed: SEED, numRuns: 800 },
  );
  t.log(`${accepted} accepted, ${refused} refused`);
  t.true(refused > 0 && accepted > 0, 'the inputs cover both outcomes');
});

const cliCases: ReadonlyArray<[string, string[], RegExp]> = [
  ['a negative user count', ['--concurrency', '-1'], /--concurrency \(load\.users\): must be ≥ 1, got -1/],
  ['a rate that is not a number', ['--rate', 'fast'], /--rate \(load\.rate\): must be a number, got "fast"/],
  ['stages without targets', ['--stages', '10s,20s'], /--stages "10s,20s": stage 1 \("10s"\) is not DURATION:TARGET/],
  ['a duration with a terminal escape', ['--duration', '\u001b[2J'], /--duration \(load\.duration\): "\\u001b\[2J" is not a duration/],
];

for (const [name, flags, message] of cliCases) {
  test(`through the CLI, ${name}: exit 2, the flag named, no stack trace`, async (t) => {
    const result = await runCli(['run', '--engine', 'vllm', '--url', 'http://127.0.0.1:9', '--model', 'm', '--no-monitor', '--quiet', ...flags]);
    t.is(result.code, 2, result.stderr);
    t.regex(result.stderr, message);
    t.notRegex(result.stderr, /\n\s+at .*\(.*:\d+:\d+\)/, 'no stack trace');
    t.false(RAW_CONTROL.test(result.stderr.replace(/\n/g, '')), 'no raw control character reaches the terminal');
  });
}
