/**
 * `llmbench run --influx-url …` end to end: the CLI against the simulator, writing through the real client to a
 * real VictoriaMetrics (InfluxDB line-protocol compatible) behind a recording proxy.
 */
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../../simulator/index.js';
import type { RunResult } from '../../pipeline/core/run-result.js';
import { runCli } from '../helpers/cli.js';
import { startInfluxProxy } from '../helpers/influx-proxy.js';
import { noticeIfMissing, sampleCount, victoriaMetricsFor, vmTest } from '../helpers/victoria-metrics.js';

noticeIfMissing();

const TOKEN = 'tok-Secret-7f3a9c2e5b';

async function tokenFile(): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'llmbench-token-')), 'token');
  await writeFile(path, `${TOKEN}\n`);
  return path;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

vmTest('80 requests × 16 tokens deliver exactly 80 llm_request, 1 280 llm_token and one llm_run point; the token stays secret', async (t) => {
  const vm = await victoriaMetricsFor(t);
  const proxy = await startInfluxProxy(vm.url);
  t.teardown(() => proxy.close());
  const sim = await startSimulator({ engine: 'vllm', fixed: { ttftMs: 5, itlMs: 2 } });
  t.teardown(() => sim.close());
  const out = join(await mkdtemp(join(tmpdir(), 'llmbench-influx-run-')), 'run');
  const result = await runCli(['run', '--engine', 'vllm', '--url', sim.url, '--model', 'sim', '--requests', '80', '--concurrency', '8',
    '--warmup', '0', '--max-tokens', '16', '--prompt-tokens', '8', '--out', out, '--no-monitor', '--json',
    '--influx-url', proxy.url, '--influx-org', 'bench', '--influx-bucket', 'llm', '--influx-token-file', await tokenFile()]);
  t.is(result.code, 0, result.stderr);
  const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as RunResult;
  const runId = run.run_id;
  t.is(await sampleCount(vm, `llm_request_tokens{run_id="${runId}"}`), 80);
  t.is(await sampleCount(vm, `llm_token_index{run_id="${runId}"}`), 1280);
  t.is(await sampleCount(vm, `llm_run_requests_ok{run_id="${runId}"}`), 1);
  // Every write carried the token the InfluxDB way.
  const writes = proxy.requests.filter((r) => r.path.startsWith('/api/v2/write'));
  t.true(writes.length > 0);
  t.true(writes.every((r) => r.headers.authorization === `Token ${TOKEN}`));
  // Every line written is tagged with the run.
  const lines = writes.flatMap((r) => r.body.split('\n').filter(Boolean));
  t.true(lines.every((line) => line.includes(`run_id=${runId}`)));
  t.like(run.sinks?.influxdb, { lost: 0 });
  // The token appears in no output and no file of the run directory.
  t.false(result.stdout.includes(TOKEN) || result.stderr.includes(TOKEN));
  for (const file of await filesUnder(out)) t.false((await readFile(file, 'utf8')).includes(TOKEN), file);
});

vmTest('InfluxDB refusing writes for 4 s in the middle of a 10 s run: every llm_request arrives, retries in run.json, lost = 0', async (t) => {
  const vm = await victoriaMetricsFor(t);
  const proxy = await startInfluxProxy(vm.url);
  t.teardown(() => proxy.close());
  const sim = await startSimulator({ engine: 'vllm', fixed: { ttftMs: 5, itlMs: 2 } });
  t.teardown(() => sim.close());
  const out = join(await mkdtemp(join(tmpdir(), 'llmbench-influx-run-')), 'run');
  const outage = [setTimeout(() => proxy.refuseWrites(true), 4000), setTimeout(() => proxy.refuseWrites(false), 8000)];
  t.teardown(() => outage.forEach(clearTimeout));
  // ~1.5 s of CLI start-up and preflight, then 10 s of load: the 503 window falls inside the load.
  const result = await runCli(['run', '--engine', 'vllm', '--url', sim.url, '--model', 'sim', '--rate', '8', '--arrival', 'constant',
    '--duration', '10s', '--warmup', '0', '--max-tokens', '8', '--prompt-tokens', '8', '--out', out, '--no-monitor', '--quiet',
    '--influx-url', proxy.url, '--influx-org', 'bench', '--influx-bucket', 'llm'], { timeoutMs: 90_000 });
  t.is(result.code, 0, result.stderr);
  t.true(proxy.requests.some((r) => r.status === 503), 'the outage really refused writes');
  const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as RunResult;
  t.is(await sampleCount(vm, `llm_request_tokens{run_id="${run.run_id}"}`), run.summary.requests.total);
  t.is(run.summary.requests.total, 80);
  const report = run.sinks?.influxdb as Record<string, number>;
  t.true(report.retried! > 0, JSON.stringify(report));
  t.is(report.lost, 0);
});
