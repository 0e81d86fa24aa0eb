/**
 * Load shapes through the CLI against the simulator (fixed mode, its own in-process server): request counts
 * of open-loop runs, in-flight levels of a ramp, a thousand concurrent streams, thresholds' exit codes.
 * Counts and levels only: timing accuracy is measured in bench/load, not asserted here.
 */
import test from 'ava';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../../simulator/index.js';
import type { RequestRecord } from '../../pipeline/core/record.js';
import type { RunResult } from '../../pipeline/core/run-result.js';
import { runCli } from '../helpers/cli.js';

async function readRun(dir: string): Promise<{ run: RunResult; records: RequestRecord[] }> {
  const run = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')) as RunResult;
  const text = await readFile(join(dir, 'requests.jsonl'), 'utf8');
  return { run, records: text.trim().split('\n').map((line) => JSON.parse(line) as RequestRecord) };
}

async function outDir(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'llmbench-load-')), 'run');
}

/** Requests in flight at time t: sent at or before t and not yet done. */
function inFlightAt(records: readonly RequestRecord[], t: number): number {
  return records.filter((r) => r.t_send !== undefined && r.t_send <= t && (r.t_done ?? Infinity) > t).length;
}

test.serial('--rate 40 --arrival constant --duration 15s sends 600 requests, each with one record', async (t) => {
  const sim = await startSimulator({ engine: 'vllm', fixed: { ttftMs: 30, itlMs: 10 } });
  t.teardown(() => sim.close());
  const out = await outDir();
  const result = await runCli(['run', '--engine', 'vllm', '--url', sim.url, '--model', 'sim', '--rate', '40', '--arrival', 'constant',
    '--duration', '15s', '--warmup', '0', '--max-tokens', '8', '--prompt-tokens', '8', '--out', out, '--no-monitor', '--quiet'], { timeoutMs: 90_000 });
  t.is(result.code, 0, result.stderr);
  const { run, records } = await readRun(out);
  t.is(run.summary.requests.total, 600);
  t.is(records.length, 600);
  t.is(new Set(records.map((r) => r.request_id)).size, 600);
  t.is(run.summary.metrics.schedule_lag_ms?.count, run.summary.requests.ok);
  t.log(`schedule lag p50 ${run.summary.metrics.schedule_lag_ms?.p50.toFixed(2)} ms, p99 ${run.summary.metrics.schedule_lag_ms?.p99.toFixed(2)} ms (not asserted: see bench/load)`);
});

test.serial('--stages ramps to 95–100 requests in flight and falls back to at most 10; every record has t_send and t_done', async (t) => {
  const sim = await startSimulator({ engine: 'vllm', fixed: { ttftMs: 50, itlMs: 50 } });
  t.teardown(() => sim.close());
  const out = await outDir();
  const result = await runCli(['run', '--engine', 'vllm', '--url', sim.url, '--model', 'sim', '--stages', '3s:10,1s:100,4s:100,1s:10,3s:10',
    '--warmup', '0', '--max-tokens', '10', '--prompt-tokens', '8', '--out', out, '--no-monitor', '--quiet'], { timeoutMs: 90_000 });
  t.is(result.code, 0, result.stderr);
  const { run, records } = await readRun(out);
  t.true(records.every((r) => typeof r.t_send === 'number' && typeof r.t_done === 'number'));
  const start = Math.min(...records.map((r) => r.t_intended));
  const levels: number[] = [];
  for (let offset = 0; offset <= 12_000; offset += 100) levels.push(inFlightAt(records, start + offset));
  const peak = Math.max(...levels);
  t.true(peak >= 95 && peak <= 100, `peak in flight ${peak}`);
  const tail = levels.slice(-15); // the last 1.5 s, in the final 10-user stage
  t.true(Math.max(...tail) <= 10, `in flight at the end ${tail.join(',')}`);
  t.deepEqual(run.stages.map((stage) => stage.target), [10, 100, 100, 10, 10]);
  t.true(run.stages.every((stage) => stage.requests.total > 0));
});

test.serial('1 000 concurrent streams complete all 3 000 requests', async (t) => {
  const sim = await startSimulator({ engine: 'vllm', fixed: { ttftMs: 50, itlMs: 50 } });
  t.teardown(() => sim.close());
  const out = await outDir();
  const result = await runCli(['run', '--engine', 'vllm', '--url', sim.url, '--model', 'sim', '--concurrency', '1000', '--requests', '3000',
    '--warmup', '0', '--max-tokens', '8', '--prompt-tokens', '8', '--out', out, '--no-monitor', '--quiet'], { timeoutMs: 120_000 });
  t.is(result.code, 0, result.stderr);
  const { run } = await readRun(out);
  t.is(run.summary.requests.ok, 3000);
  t.is(run.summary.requests.error, 0);
  const truthTtfts = sim
    .groundTruth()
    .filter((g) => g.first_token_ms !== null)
    .map((g) => g.first_token_ms! - g.received_ms)
    .sort((a, b) => a - b);
  const truthP50 = truthTtfts[Math.floor(truthTtfts.length / 2)]!;
  t.log(`TTFT p50: client ${run.summary.metrics.ttft_ms?.p50.toFixed(1)} ms, simulator ground truth ${truthP50.toFixed(1)} ms (not asserted: see bench/fidelity)`);
});

test.serial('users due together go out at most --user-send-rate per second per worker; run.json says the limit', async (t) => {
  const sim = await startSimulator({ engine: 'vllm', fixed: { ttftMs: 20, itlMs: 5 } });
  t.teardown(() => sim.close());
  const out = await outDir();
  const result = await runCli(['run', '--engine', 'vllm', '--url', sim.url, '--model', 'sim', '--concurrency', '200', '--requests', '200',
    '--user-send-rate', '2000', '--workers', '1', '--warmup', '0', '--max-tokens', '4', '--prompt-tokens', '8', '--out', out, '--no-monitor', '--quiet'],
  { timeoutMs: 90_000 });
  t.is(result.code, 0, result.stderr);
  const { run, records } = await readRun(out);
  t.is(run.summary.requests.ok, 200);
  t.is(run.client_health.user_send_rate_per_worker, 2000);
  // All 200 fell due at once. At 2 per ms with a burst of 4 the last cannot go before 98 ms; a slower machine
  // only makes it later, so this bound holds anywhere, and it fails if the limit is not applied.
  const sends = records.map((r) => r.t_dispatch!).sort((a, b) => a - b);
  const spanMs = sends.at(-1)! - sends[0]!;
  t.true(spanMs >= 98, `the 200 sends spanned ${spanMs.toFixed(1)} ms`);
  t.true(records.every((r) => r.t_intended === records[0]!.t_intended), 'every user fell due at the same instant');
});

test.serial('--user-send-rate inf lifts the limit; a bad value exits 2 naming the flag', async (t) => {
  const sim = await startSimulator({ engine: 'vllm', fixed: { ttftMs: 5, itlMs: 1 } });
  t.teardown(() => sim.close());
  const common = ['run', '--engine', 'vllm', '--url', sim.url, '--model', 'sim', '--concurrency', '4', '--requests', '8', '--warmup', '0',
    '--max-tokens', '2', '--prompt-tokens', '8', '--no-monitor', '--quiet'];
  const out = await outDir();
  const unlimited = await runCli([...common, '--user-send-rate', 'inf', '--out', out]);
  t.is(unlimited.code, 0, unlimited.stderr);
  t.is((await readRun(out)).run.client_health.user_send_rate_per_worker, null);
  const bad = await runCli([...common, '--user-send-rate', 'fast', '--out', await outDir()]);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--user-send-rate must be a number > 0 \(per second\) or inf, got "fast"/);
});

test.serial('a failing threshold exits 99 and a passing one 0, with the results in run.json and on stdout', async (t) => {
  const sim = await startSimulator({ engine: 'vllm', fixed: { ttftMs: 20, itlMs: 2 } });
  t.teardown(() => sim.close());
  const common = ['run', '--engine', 'vllm', '--url', sim.url, '--model', 'sim', '--requests', '12', '--concurrency', '3', '--warmup', '0',
    '--max-tokens', '8', '--prompt-tokens', '8', '--no-monitor', '--quiet'];
  const failing = await outDir();
  const bad = await runCli([...common, '--out', failing, '--threshold', 'ttft_ms:p95<1', '--threshold', 'error_rate:<0.01']);
  t.is(bad.code, 99, bad.stderr);
  t.regex(bad.stdout, /threshold FAIL\s+ttft_ms: p95 < 1/);
  t.regex(bad.stdout, /threshold PASS\s+error_rate: < 0.01/);
  t.regex(bad.stderr, /THRESHOLDS_FAILED/);
  const { run } = await readRun(failing);
  t.deepEqual(run.thresholds?.map((r) => r.ok), [false, true]);
  const passing = await outDir();
  const good = await runCli([...common, '--out', passing, '--threshold', 'ttft_ms:p95<60000']);
  t.is(good.code, 0, good.stderr);
});

test.serial('--compare-stream runs the workload both ways and compares them in compare\'s shape', async (t) => {
  const sim = await startSimulator({ engine: 'vllm', fixed: { ttftMs: 10, itlMs: 2 } });
  t.teardown(() => sim.close());
  const out = await outDir();
  const args = ['run', '--engine', 'vllm', '--url', sim.url, '--model', 'sim', '--requests', '40', '--concurrency', '2', '--warmup', '0',
    '--max-tokens', '8', '--prompt-tokens', '8', '--no-monitor', '--compare-stream'];
  const result = await runCli([...args, '--out', out]);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /== streaming \(base\) against non-streaming \(candidate\)/);
  t.regex(result.stdout, /# llmbench compare: /);
  t.regex(result.stdout, /\| total_duration_ms \| yes \|/);
  t.regex(result.stdout, /DIFFERENT \(compared anyway\): stream: true ≠ false/);
  const json = await runCli([...args, '--out', await outDir(), '--json']);
  const payload = JSON.parse(json.stdout) as { runs: unknown[]; comparison: { workload_differences: string[]; metrics: Record<string, unknown> } };
  t.is(payload.runs.length, 2);
  t.true(payload.comparison.workload_differences.some((line) => line.startsWith('stream: true ≠ false')));
  t.truthy(payload.comparison.metrics.total_duration_ms);
  const streaming = await readRun(`${out}-stream`);
  const plain = await readRun(`${out}-no-stream`);
  t.true(streaming.records.every((r) => r.stream));
  t.true(plain.records.every((r) => !r.stream));
  t.is(plain.run.summary.requests.ok, 40);
  t.is(plain.run.summary.metrics.output_tokens?.mean, 8);
});
