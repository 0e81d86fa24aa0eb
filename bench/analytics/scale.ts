/**
 * Analysis at scale (issue 19): a synthetic run directory of N requests (default 1 000 000; 8 tokens each, so the
 * chunk logs are real but short), then the same path `llmbench report` takes: the one reader, RunData, analyzeRun;
 * and compare of two such runs. Prints wall time and peak RSS / heap of each step.
 *
 *   npx tsx bench/analytics/scale.ts [--requests 1000000] [--keep DIR]
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeRun } from '../../analytics/analyze.js';
import { compareRuns } from '../../analytics/compare.js';
import { runDataFromDirectory } from '../../analytics/run-data-source.js';
import { mulberry32 } from '../../pipeline/core/random.js';
import type { RequestRecord } from '../../pipeline/core/record.js';
import { RUN_SCHEMA_VERSION, type RunResult } from '../../pipeline/core/run-result.js';
import { RunSummarizer } from '../../pipeline/run/run-summarizer.js';
import { WindowAccumulator } from '../../pipeline/run/windows.js';
import { readRunDirectory } from '../../pipeline/sinks/run-directory-reader.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '1000000' }, keep: { type: 'string' } } });
const requests = Number(values.requests);
const USERS = 256;

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

async function step<T>(name: string, work: () => Promise<T> | T): Promise<T> {
  globalThis.gc?.();
  peakRss = process.memoryUsage().rss;
  const before = process.memoryUsage();
  const start = performance.now();
  const result = await work();
  const ms = performance.now() - start;
  const after = process.memoryUsage();
  console.log(`${name.padEnd(34)} ${(ms / 1000).toFixed(2).padStart(7)} s   peak RSS ${mib(peakRss).padStart(9)}   heap ${mib(before.heapUsed)} → ${mib(after.heapUsed)}`);
  return result;
}

/** A closed loop of USERS users for `requests` requests: TTFT ~ 40 ms with a tail, 8 tokens 10 ms apart. */
async function writeRun(dir: string, seed: number, ttftScale: number): Promise<void> {
  const random = mulberry32(seed);
  const out = createWriteStream(join(dir, 'requests.jsonl'));
  const windows = new WindowAccumulator({ runId: `scale-${seed}`, engine: 'vllm', model: 'm' });
  const summarizer = new RunSummarizer();
  const startMs = 1_800_000_000_000;
  const nextSend = Array.from({ length: USERS }, (_, u) => startMs + u);
  let batch: string[] = [];
  for (let i = 0; i < requests; i++) {
    const user = i % USERS;
    const sendMs = nextSend[user]!;
    const ttft = ttftScale * (35 + 10 * random() + (random() < 0.01 ? 200 * random() : 0));
    const offsets = Array.from({ length: 8 }, (_, k) => Math.round((ttft + 10 * k) * 1000) / 1000);
    const doneMs = sendMs + offsets[7]! + 0.4;
    nextSend[user] = doneMs + 0.1;
    const record: RequestRecord = {
      request_id: `scale-${seed}-main-w0-${i}`, run_id: `scale-${seed}`, stage: 'main', stage_index: 0, warmup: false, status: 'ok',
      engine: 'vllm', model: 'm', stream: true, worker: 0, user, t_intended: sendMs, t_dispatch: sendMs, t_send: sendMs, t_headers: sendMs + 2,
      t_first_token: sendMs + ttft, t_last_token: sendMs + offsets[7]!, t_done: doneMs, prompt_tokens: 64, output_tokens: 8, token_source: 'server',
      chunks: offsets.map((offset) => [offset, 1]),
      metrics: { ttft_ms: ttft, itl_ms: 10, tpot_ms: 10, total_duration_ms: doneMs - sendMs, e2e_from_schedule_ms: doneMs - sendMs, schedule_lag_ms: 0, output_tokens: 8, prompt_tokens: 64 },
      sources: { ttft_ms: 'client' }, server: {},
    };
    windows.add(record);
    summarizer.add([record]);
    batch.push(JSON.stringify(record));
    if (batch.length === 1000) {
      if (!out.write(batch.join('\n') + '\n')) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      batch = [];
    }
  }
  if (batch.length) out.write(batch.join('\n') + '\n');
  await new Promise<void>((resolve) => out.end(() => resolve()));
  await writeFile(join(dir, 'windows.jsonl'), windows.takeAll().map((point) => JSON.stringify(point)).join('\n') + '\n');
  const summary = summarizer.summary();
  const result: RunResult = {
    schema_version: RUN_SCHEMA_VERSION, run_id: `scale-${seed}`, tool: { name: 'llmbench', version: 'bench' }, status: 'completed', valid: true, validity: [],
    started_at: new Date(startMs).toISOString(), ended_at: new Date(startMs + summary.duration_ms).toISOString(),
    scenario: { name: 'scale', load: { executor: 'constant-concurrency', users: USERS, think_time: '0s' }, workload: { prompt_tokens: 64, max_tokens: 8, stream: true } },
    target: { engine: 'vllm', url: 'http://127.0.0.1:1', model: 'm', api: 'completions', network_rtt_ms: 0.1 }, host: {},
    client_health: { schedule_lag_p99_ms: 0, event_loop_delay_p99_ms: 1, client_cpu_pct: 10, dropped_arrivals: 0 },
    summary, stages: summarizer.stages([{ name: 'main', warmup: false, stages: [{ name: 'main', index: 0, target: USERS }] }]),
  };
  await writeFile(join(dir, 'run.json'), JSON.stringify(result, null, 2));
}

const root = values.keep ?? (await mkdtemp(join(tmpdir(), 'llmbench-scale-')));
const base = join(root, 'base');
const cand = join(root, 'cand');
await import('node:fs/promises').then((fs) => Promise.all([fs.mkdir(base, { recursive: true }), fs.mkdir(cand, { recursive: true })]));
console.log(`${requests} requests per run, ${USERS} users, 8 tokens each; Node ${process.version}${globalThis.gc ? '' : ' (run with --expose-gc for cleaner memory figures)'}`);
await step('write synthetic base run', () => writeRun(base, 1, 1));
await step('write synthetic candidate (+5 % TTFT)', () => writeRun(cand, 2, 1.05));
console.log(`requests.jsonl: ${mib((await stat(join(base, 'requests.jsonl'))).size)}`);
const view = await readRunDirectory(base);
const data = await step('read: reader → RunData', () => runDataFromDirectory(view));
const analysis = await step('analyzeRun', () => analyzeRun(view.result, data));
console.log(`  anomalies ${analysis.anomalies.length}, levels ${analysis.scaling.levels.length}`);
const candView = await readRunDirectory(cand);
const candData = await step('read candidate → RunData', () => runDataFromDirectory(candView));
const comparison = await step('compare (10 000 resamples)', () =>
  compareRuns([{ dir: base, result: view.result, data }], [{ dir: cand, result: candView.result, data: candData }]),
);
console.log(`  verdict ${comparison.verdict}; ttft_ms ${comparison.metrics.ttft_ms!.diff_pct.toFixed(2)} % (CI ${comparison.metrics.ttft_ms!.ci_low_pct.toFixed(2)} … ${comparison.metrics.ttft_ms!.ci_high_pct.toFixed(2)})`);
clearInterval(sampler);
if (!values.keep) await rm(root, { recursive: true, force: true });
