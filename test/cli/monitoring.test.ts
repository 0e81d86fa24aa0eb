/** Resource monitoring through `llmbench run`: what lands in resources.jsonl and run.json, and notices. */
import test from 'ava';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../../simulator/index.js';
import type { Point } from '../../pipeline/core/point.js';
import type { RunResult } from '../../pipeline/core/run-result.js';
import { runCli } from '../helpers/cli.js';

async function points(dir: string): Promise<Point[]> {
  const text = await readFile(join(dir, 'resources.jsonl'), 'utf8');
  return text.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Point);
}

test('a 14 s run samples host, every core and the client about once a second, and vLLM metrics under load; the analysis correlates them', async (t) => {
  const sim = await startSimulator({ engine: 'vllm', fixed: { ttftMs: 20, itlMs: 20 } });
  t.teardown(() => sim.close());
  const out = join(await mkdtemp(join(tmpdir(), 'llmbench-mon-')), 'run');
  const result = await runCli(['run', '--engine', 'vllm', '--url', sim.url, '--model', 'sim', '--concurrency', '6', '--duration', '14s',
    '--warmup', '0', '--max-tokens', '20', '--prompt-tokens', '8', '--out', out, '--gpu', 'nvidia-smi', '--quiet'], {
    env: { PATH: '/nonexistent' + ':' + (process.env.PATH ?? '') },
    timeoutMs: 60_000,
  });
  t.is(result.code, 0, result.stderr);
  const all = await points(out);
  // At least the 14 s of load, and one sample about every second (the run may last longer on a busy machine).
  const everySecond = (name: string, samples: Point[]) => {
    t.true(samples.length >= 13, `${name}: ${samples.length} samples`);
    const times = samples.map((p) => p.time_ms).sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) t.true(times[i]! - times[i - 1]! > 500 && times[i]! - times[i - 1]! < 1600, `${name}: gap ${times[i]! - times[i - 1]!} ms`);
  };
  everySecond('host', all.filter((p) => p.measurement === 'host'));
  everySecond('client process', all.filter((p) => p.measurement === 'process' && p.tags.role === 'client'));
  for (let core = 0; core < availableParallelism(); core++) {
    // Per-core CPU is a rate between two readings: the first tick has none.
    everySecond(`core ${core}`, all.filter((p) => p.measurement === 'host_cpu' && p.tags.core === String(core)));
  }
  const host = all.find((p) => p.measurement === 'host')!;
  for (const field of ['mem_used_bytes', 'mem_total_bytes']) t.is(typeof host.fields[field], 'number', field);
  t.true(all.some((p) => p.measurement === 'host' && typeof p.fields.cpu_pct === 'number'));
  t.true(all.some((p) => p.measurement === 'host' && typeof p.fields.net_rx_bps === 'number'));
  const running = all.filter((p) => p.measurement === 'engine_metric' && p.tags.metric === 'vllm:num_requests_running');
  t.true(running.length >= 6);
  t.true(running.some((p) => Number(p.fields.value) > 0), 'vllm:num_requests_running is non-zero under load');
  t.true(all.every((p) => p.tags.run_id !== undefined && typeof p.time_ms === 'number'));
  // The missing GPU tool is one clear line and the run still completed.
  t.regex(result.stderr, /nvidia-smi/);
  const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as RunResult;
  t.is(run.status, 'completed');
  // The client's CPU against its schedule lag, second by second: a Spearman ρ with its n, p and lag.
  const cpu = run.analysis!.correlations.find((pair) => pair.resource === 'client_cpu_pct');
  t.truthy(cpu, JSON.stringify(run.analysis!.correlations));
  t.true(cpu!.n >= 10 && cpu!.p >= 0 && cpu!.p <= 1 && Math.abs(cpu!.rho) <= 1 && Math.abs(cpu!.lag_s) <= 5, JSON.stringify(cpu));
});

test('an unreachable metrics URL and Docker socket are one line each; the run completes', async (t) => {
  const sim = await startSimulator({ engine: 'tgi', fixed: { ttftMs: 5, itlMs: 2 } });
  t.teardown(() => sim.close());
  const out = join(await mkdtemp(join(tmpdir(), 'llmbench-mon-')), 'run');
  const result = await runCli(['run', '--engine', 'tgi', '--url', sim.url, '--model', 'sim', '--requests', '6', '--concurrency', '2',
    '--warmup', '0', '--max-tokens', '8', '--prompt-tokens', '8', '--out', out, '--gpu', 'off', '--quiet',
    '--server-metrics', 'http://127.0.0.1:1/metrics', '--engine-container', 'no-such-engine'], { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
  t.is(result.code, 0, result.stderr);
  t.regex(result.stderr, /127\.0\.0\.1:1/);
  t.regex(result.stderr, /[Dd]ocker/);
  const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as RunResult;
  t.is(run.summary.requests.ok, 6);
});

test('--gpu nvidia-smi with a two-GPU nvidia-smi on PATH: each GPU every second, values exactly as reported', async (t) => {
  const binDir = await mkdtemp(join(tmpdir(), 'llmbench-smi-'));
  const fake = fileURLToPath(new URL('../collectors/resources/helpers/fake-nvidia-smi.mjs', import.meta.url));
  const csvPath = fileURLToPath(new URL('../fixtures/nvidia-smi/query_load.csv', import.meta.url));
  await writeFile(join(binDir, 'nvidia-smi'), `#!/bin/sh\nexec "${process.execPath}" "${fake}" "$@"\n`, { mode: 0o755 });
  const sim = await startSimulator({ engine: 'vllm', fixed: { ttftMs: 5, itlMs: 5 } });
  t.teardown(() => sim.close());
  const out = join(await mkdtemp(join(tmpdir(), 'llmbench-mon-')), 'run');
  const result = await runCli(['run', '--engine', 'vllm', '--url', sim.url, '--model', 'sim', '--concurrency', '2', '--duration', '5s',
    '--warmup', '0', '--max-tokens', '8', '--prompt-tokens', '8', '--out', out, '--gpu', 'nvidia-smi', '--quiet'], {
    env: { PATH: `${binDir}:${process.env.PATH ?? ''}`, FAKE_NVIDIA_SMI_CSV: csvPath },
  });
  t.is(result.code, 0, result.stderr);
  const gpu = (await points(out)).filter((p) => p.measurement === 'gpu');
  // The rows the fake serves, as [util, memory used, power] (header: see the capture).
  const header = (await readFile(csvPath, 'utf8')).split('\n')[0]!.split(',').map((cell) => cell.trim());
  const column = (prefix: string) => header.findIndex((name) => name.startsWith(prefix));
  const rows = (await readFile(csvPath, 'utf8')).trim().split('\n').slice(1).map((line) => line.split(',').map((cell) => cell.trim()));
  const reported = new Set(rows.map((row) => [row[column('utilization.gpu')], row[column('memory.used')], row[column('power.draw')]].map(Number).join('|')));
  for (const index of ['0', '1']) {
    const samples = gpu.filter((p) => p.tags.gpu === index);
    t.true(samples.length >= 4, `GPU ${index}: ${samples.length} samples in a 5 s run`);
    for (const sample of samples) {
      t.true(reported.has([sample.fields.util_pct, sample.fields.mem_used_mib, sample.fields.power_w].join('|')), `GPU ${index} sample ${JSON.stringify(sample.fields)}`);
    }
    const times = samples.map((p) => p.time_ms);
    for (let i = 1; i < times.length; i++) t.true(times[i]! - times[i - 1]! > 500 && times[i]! - times[i - 1]! < 1600, `gap ${times[i]! - times[i - 1]!} ms`);
  }
});

test('--no-monitor writes no resource samples', async (t) => {
  const sim = await startSimulator({ engine: 'vllm', fixed: { ttftMs: 5, itlMs: 2 } });
  t.teardown(() => sim.close());
  const out = join(await mkdtemp(join(tmpdir(), 'llmbench-mon-')), 'run');
  const result = await runCli(['run', '--engine', 'vllm', '--url', sim.url, '--model', 'sim', '--requests', '4', '--warmup', '0',
    '--max-tokens', '4', '--prompt-tokens', '4', '--out', out, '--no-monitor', '--quiet']);
  t.is(result.code, 0, result.stderr);
  t.is((await points(out)).length, 0);
});
