/**
 * Signals through the real CLI. SIGTERM (what cron, systemd and Kubernetes send) behaves as Ctrl-C: the load
 * stops, in-flight requests are recorded as cancelled, run.json says aborted, exit 143. Ctrl-C with InfluxDB
 * (a real VictoriaMetrics) flushes every point before exiting 130. A second Ctrl-C while the flush is stuck (the
 * server refuses writes) exits at once, says what was not flushed, and `llmbench push` replays it.
 */
import test from 'ava';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestRecord } from '../../pipeline/core/record.js';
import type { RunResult } from '../../pipeline/core/run-result.js';
import { startSimulator } from '../../simulator/index.js';
import { BIN, runCli } from '../helpers/cli.js';
import { startInfluxProxy } from '../helpers/influx-proxy.js';
import { noticeIfMissing, sampleCount, victoriaMetricsFor, vmTest } from '../helpers/victoria-metrics.js';

noticeIfMissing();

const USERS = 5;

interface RunningCli {
  readonly child: ChildProcessWithoutNullStreams;
  stderr(): string;
  /** Resolves once the load is running (the first progress line) and `afterMs` more have passed. */
  loadRunning(afterMs: number): Promise<void>;
  exit(): Promise<number | null>;
}

function startRun(url: string, out: string, extra: string[] = []): RunningCli {
  const child = spawn(process.execPath, [BIN, 'run', '--engine', 'vllm', '--url', url, '--model', 'sim', '--concurrency', String(USERS),
    '--duration', '60s', '--warmup', '0', '--max-tokens', '100', '--prompt-tokens', '8', '--out', out, '--no-monitor', '--workers', '1', ...extra]);
  let stderr = '';
  child.stderr.on('data', (part: Buffer) => (stderr += part.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const kill = setTimeout(() => child.kill('SIGKILL'), 90_000);
  void exited.then(() => clearTimeout(kill));
  return {
    child,
    stderr: () => stderr,
    loadRunning: (afterMs) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (/\[main\]/.test(stderr)) setTimeout(resolve, afterMs);
          else if (child.exitCode !== null) reject(new Error(`the run ended before its load started:\n${stderr}`));
          else setTimeout(check, 50);
        };
        check();
      }),
    exit: () => exited,
  };
}

async function outDir(t: import('ava').ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'llmbench-signals-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'run');
}

async function recordsOf(out: string): Promise<RequestRecord[]> {
  return (await readFile(join(out, 'requests.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as RequestRecord);
}

test.serial('SIGTERM behaves as Ctrl-C: a clean stop, run.json aborted, in-flight requests cancelled, exit 143', async (t) => {
  const sim = await startSimulator({ engine: 'vllm', fixed: { ttftMs: 20, itlMs: 20 } });
  t.teardown(() => sim.close());
  const out = await outDir(t);
  const run = startRun(sim.url, out);
  await run.loadRunning(1500);
  run.child.kill('SIGTERM');
  const code = await run.exit();
  t.is(code, 143, run.stderr());
  t.regex(run.stderr(), /SIGTERM: stopping the load, recording the requests in flight as cancelled, flushing/);
  const result = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as RunResult;
  t.is(result.status, 'aborted');
  t.is(result.abort_reason, 'interrupted (SIGTERM)');
  const records = await recordsOf(out);
  t.is(records.filter((record) => record.error_kind === 'cancelled').length, USERS, 'the requests in flight at the signal');
  t.is(result.summary.requests.total, records.length);
  // The server's account: every request it saw has its record.
  const ids = new Set(records.map((record) => record.request_id));
  t.deepEqual(sim.groundTruth().filter((truth) => !ids.has(truth.request_id)).map((truth) => truth.request_id), []);
});

vmTest('Ctrl-C with InfluxDB: every record reaches it before the exit (130), status aborted', async (t) => {
  const vm = await victoriaMetricsFor(t);
  const sim = await startSimulator({ engine: 'vllm', fixed: { ttftMs: 20, itlMs: 20 } });
  t.teardown(() => sim.close());
  const out = await outDir(t);
  const run = startRun(sim.url, out, ['--influx-url', vm.url, '--influx-org', 'bench', '--influx-bucket', 'llm']);
  await run.loadRunning(2000);
  run.child.kill('SIGINT');
  t.is(await run.exit(), 130, run.stderr());
  const result = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as RunResult;
  t.is(result.status, 'aborted');
  t.like(result.sinks?.influxdb, { lost: 0 });
  const records = await recordsOf(out);
  t.is(await sampleCount(vm, `llm_request_tokens{run_id="${result.run_id}"}`), records.length, 'every record is a point in InfluxDB');
  t.is(await sampleCount(vm, `llm_run_requests_ok{run_id="${result.run_id}"}`), 1, 'and so is the run');
});

vmTest('a second Ctrl-C while InfluxDB refuses writes exits at once, says what was not flushed, and llmbench push replays it', async (t) => {
  const vm = await victoriaMetricsFor(t);
  const proxy = await startInfluxProxy(vm.url);
  t.teardown(() => proxy.close());
  const sim = await startSimulator({ engine: 'vllm', fixed: { ttftMs: 20, itlMs: 20 } });
  t.teardown(() => sim.close());
  const out = await outDir(t);
  const influx = ['--influx-url', proxy.url, '--influx-org', 'bench', '--influx-bucket', 'llm'];
  const run = startRun(sim.url, out, influx);
  await run.loadRunning(500);
  proxy.refuseWrites(true);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  run.child.kill('SIGINT');
  // The flush now retries against the refusing server (for up to 15 s); the second Ctrl-C must not wait for it.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const secondAtMs = performance.now();
  run.child.kill('SIGINT');
  t.is(await run.exit(), 130, run.stderr());
  t.true(performance.now() - secondAtMs < 5000, 'exited at once, not after the flush gave up');
  t.regex(run.stderr(), /SIGINT again: exiting now\. .*run keeps what was written \(llmbench report reads it as incomplete\); \d+ records and points had not reached InfluxDB: llmbench push .*run replays the run/);

  proxy.refuseWrites(false);
  const report = await runCli(['report', out, '--format', 'json']);
  t.is(report.code, 0, report.stderr);
  const read = JSON.parse(report.stdout) as RunResult;
  t.is(read.status, 'incomplete');
  const records = await recordsOf(out).catch(() => []);
  t.is(read.summary.requests.total, records.length);
  const push = await runCli(['push', out, ...influx]);
  t.is(push.code, 0, push.stderr);
  t.regex(push.stdout, /pushed incomplete run \(it never ended\)/);
  t.is(await sampleCount(vm, `llm_request_tokens{run_id="${read.run_id}"}`), records.length, 'after push, every record written is in InfluxDB');
});
