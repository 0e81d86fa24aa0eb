/**
 * `llmbench run` end to end: the built CLI against the simulator on real sockets, for every engine dialect,
 * and its exit codes for bad input (DESIGN §12).
 */
import test from 'ava';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../../simulator/index.js';
import { RUNTIME_METRICS, type RequestRecord } from '../../pipeline/core/record.js';
import type { RunResult } from '../../pipeline/core/run-result.js';
import { runCli } from '../helpers/cli.js';
import { COORDINATOR_NICE_STEP, WORKER_NICE_STEP } from '../../pipeline/tuning/process-tuning.js';

const ENGINES = ['ollama', 'vllm', 'tgi', 'llamacpp', 'openai', 'sglang'] as const;

for (const engine of ENGINES) {
  test(`${engine}: 40 requests at concurrency 4 give 40 ok and all eight runtime metrics with count 40`, async (t) => {
    const sim = await startSimulator({ engine, seed: 3, fixed: { ttftMs: 5, itlMs: 1 } });
    t.teardown(() => sim.close());
    const out = join(await mkdtemp(join(tmpdir(), 'llmbench-run-')), 'run');
    const result = await runCli(['run', '--engine', engine, '--url', sim.url, '--model', 'sim', '--requests', '40', '--concurrency', '4',
      '--max-tokens', '32', '--prompt-tokens', '16', '--out', out, '--no-monitor']);
    t.is(result.code, 0, result.stderr);
    const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as RunResult;
    t.is(run.summary.requests.ok, 40);
    const tuning = run.client_health.tuning ?? {};
    t.is(tuning.young_gc, 'serial');
    // The coordinator thread yields to the measuring workers (core/thread-priority.ts); Linux only.
    if (process.platform === 'linux') {
      t.true(Number(tuning.coordinator_nice) >= COORDINATOR_NICE_STEP, String(tuning.coordinator_nice));
      // Raised where the system allows it (root in CI), otherwise where it started.
      const coordinatorNice = tuning.coordinator_nice as number | undefined;
      const workerNice = tuning.worker_nice as number | undefined;
      // Raising the workers needs CAP_SYS_NICE (root in CI); unprivileged, only the coordinator moves.
      if (process.getuid?.() === 0) t.is(coordinatorNice! - workerNice!, COORDINATOR_NICE_STEP - WORKER_NICE_STEP);
      else t.true(workerNice === undefined || workerNice < coordinatorNice!, `${workerNice} < ${coordinatorNice}`);
      // With serial scavenges V8's helpers only compile and mark in the background: they go down with the
      // coordinator (lowering needs no privilege). worker_nice above is only set when the workers were found by name.
      t.is(tuning.helper_nice, coordinatorNice);
    }
    for (const metric of RUNTIME_METRICS) {
      t.is(run.summary.metrics[metric]?.count, 40, metric);
      t.truthy(run.summary.metrics[metric]?.sources, `${metric} has its source`);
    }
    const records = (await readFile(join(out, 'requests.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as RequestRecord);
    const main = records.filter((record) => !record.warmup);
    t.is(main.length, 40);
    t.true(main.every((record) => record.t_send! <= record.t_first_token! && record.t_first_token! <= record.t_last_token! && record.t_last_token! <= record.t_done!));
    // The stdout summary table names each runtime metric with its source.
    for (const metric of RUNTIME_METRICS) t.regex(result.stdout, new RegExp(metric));
    t.regex(result.stdout, /40 ok, 0 failed/);
    await readFile(join(out, 'report.md'), 'utf8').then((report) => t.regex(report, /## Metrics/));
  });
}

test('exit codes: bad input is 2, an engine that cannot be used is 3, each with what and how', async (t) => {
  const sim = await startSimulator({ engine: 'vllm', fixed: { ttftMs: 1, itlMs: 1 } });
  t.teardown(() => sim.close());
  const base = ['--requests', '2', '--no-monitor', '--quiet'];
  const cases: Array<[string[], number, RegExp]> = [
    [['--engine', 'nope', '--url', sim.url, '--model', 'sim'], 2, /--engine \(target\.engine\): must be one of ollama, vllm/],
    [['--engine', 'vllm', '--url', 'not-a-url', '--model', 'sim'], 2, /--url \(target\.url\): must be an http/],
    [['--engine', 'vllm', '--url', sim.url, '--model', 'sim', '--concurrency', '-3'], 2, /--concurrency \(load\.users\): must be ≥ 1, got -3/],
    [['--engine', 'vllm', '--url', sim.url, '--model', 'sim', '--max-tokens', 'ten'], 2, /--max-tokens \(workload\.max_tokens\): must be a number, got "ten"/],
    [['--engine', 'vllm', '--url', 'http://127.0.0.1:1', '--model', 'sim'], 3, /ENGINE_UNREACHABLE[\s\S]*hint: check --url/],
    [['--engine', 'vllm', '--url', sim.url, '--model', 'llama-70b'], 3, /"llama-70b" is not served[\s\S]*hint: use --model sim/],
    [['--engine', 'tgi', '--url', sim.url, '--model', 'sim'], 3, /use --engine vllm/],
  ];
  for (const [args, code, message] of cases) {
    const out = join(await mkdtemp(join(tmpdir(), 'llmbench-bad-')), 'run');
    const result = await runCli(['run', ...args, ...base, '--out', out]);
    t.is(result.code, code, `${args.join(' ')}: ${result.stderr}`);
    t.regex(result.stderr, message);
  }
});

test('--json prints the summary as JSON; report re-renders md, json and csv', async (t) => {
  const sim = await startSimulator({ engine: 'vllm', fixed: { ttftMs: 2, itlMs: 1 } });
  t.teardown(() => sim.close());
  const out = join(await mkdtemp(join(tmpdir(), 'llmbench-json-')), 'run');
  const result = await runCli(['run', '--engine', 'vllm', '--url', sim.url, '--model', 'sim', '--requests', '10', '--concurrency', '2',
    '--max-tokens', '8', '--prompt-tokens', '8', '--warmup', '0', '--out', out, '--no-monitor', '--json']);
  t.is(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout) as { summary: RunResult['summary']; dir: string };
  t.is(summary.summary.requests.ok, 10);
  t.is(summary.dir, out);
  const md = await runCli(['report', out]);
  t.regex(md.stdout, /# llmbench run/);
  const json = await runCli(['report', out, '--format', 'json']);
  t.is((JSON.parse(json.stdout) as RunResult).summary.requests.ok, 10);
  const csv = await runCli(['report', out, '--format', 'csv']);
  const lines = csv.stdout.trim().split('\n');
  t.is(lines.length, 11);
  t.regex(lines[0]!, /^request_id,stage,/);
  const missing = await runCli(['report', join(out, 'nope')]);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /not a run directory/);
});

test('a run built from flags alone is named custom (or --name), never filed under quick, and carries its workload fingerprint', async (t) => {
  const sim = await startSimulator({ engine: 'vllm', fixed: { ttftMs: 1, itlMs: 1 } });
  t.teardown(() => sim.close());
  const base = ['--engine', 'vllm', '--url', sim.url, '--model', 'sim', '--no-monitor', '--quiet', '--warmup', '0'];
  const run = async (args: string[]) => {
    const out = join(await mkdtemp(join(tmpdir(), 'llmbench-name-')), 'run');
    const result = await runCli(['run', ...args, ...base, '--out', out]);
    t.is(result.code, 0, result.stderr);
    return JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as RunResult;
  };
  const custom = await run(['--concurrency', '2', '--requests', '6', '--max-tokens', '4']);
  t.is(custom.scenario.name, 'custom');
  t.false('description' in custom.scenario, "quick's description is not this run's");
  t.regex(custom.workload_fingerprint!.hash, /^[0-9a-f]{16}$/);
  t.like(custom.workload_fingerprint!.fields, { max_tokens: 4, stream: true, load: { executor: 'constant-concurrency', users: 2 } });
  t.is((await run(['--concurrency', '2', '--requests', '6', '--max-tokens', '4', '--name', 'nightly-chat'])).scenario.name, 'nightly-chat');
  // Naming the preset keeps its name: the fingerprint tells a changed load apart.
  const quick = await run(['quick', '--concurrency', '2', '--requests', '6', '--max-tokens', '4']);
  t.is(quick.scenario.name, 'quick');
  t.is(quick.workload_fingerprint!.hash, custom.workload_fingerprint!.hash, 'stop conditions and names are not the workload');
  const other = await run(['--concurrency', '3', '--requests', '6', '--max-tokens', '4']);
  t.not(other.workload_fingerprint!.hash, custom.workload_fingerprint!.hash);
  const bad = await runCli(['run', '--name', 'Not OK', ...base, '--requests', '2']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--name \(name\): must use lower-case letters, digits and "-"/);
});
