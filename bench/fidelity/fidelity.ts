/**
 * bench/fidelity: how far the client's TTFT, TPOT and ITL are from the truth. The simulator runs in fixed
 * mode in its own process and records, per request, when it received the request and when it wrote the
 * first and last token; the client's numbers for the same request_id are compared with those.
 * Usage: npx tsx bench/fidelity/fidelity.ts [--levels 1,100,1000] [--ttft-ms 50] [--itl-ms 10] [--tokens 32]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import type { RequestRecord } from '../../pipeline/core/record.js';
import { summarize } from '../../pipeline/core/stats.js';
import { readRequestRecords } from '../../analytics/run-reader.js';
import { runBenchmark } from '../../pipeline/run/run-benchmark.js';
import { closedPlan } from '../common/closed-plan.js';
import { startSimProcess } from '../common/sim-process.js';

interface Truth {
  request_id: string;
  received_ms: number;
  first_token_ms?: number;
  last_token_ms?: number;
  output_tokens: number;
}

const { values } = parseArgs({
  options: {
    levels: { type: 'string', default: '1,4,100,1000' },
    'ttft-ms': { type: 'string', default: '50' },
    'itl-ms': { type: 'string', default: '10' },
    tokens: { type: 'string', default: '32' },
    'requests-per-user': { type: 'string', default: '3' },
  },
});
const levels = values.levels.split(',').map(Number);
const ttftMs = Number(values['ttft-ms']);
const itlMs = Number(values['itl-ms']);
const tokens = Number(values.tokens);

const rows: string[][] = [];
for (const users of levels) {
  const sim = await startSimProcess(['--engine', 'vllm', '--ttft-ms', String(ttftMs), '--itl-ms', String(itlMs), '--port', '0']);
  const dir = await mkdtemp(join(tmpdir(), 'llmbench-fidelity-'));
  try {
    const requests = Math.max(40, users * Number(values['requests-per-user']));
    const { result } = await runBenchmark(closedPlan({ engine: 'vllm', url: sim.url, users, requests, maxTokens: tokens }), {
      scenarioName: 'bench-fidelity',
      scenario: { users, requests },
      outDir: join(dir, 'run'),
    });
    const truthList = (await (await request(`${sim.url}/__sim/requests`)).body.json()) as Truth[];
    const truth = new Map(truthList.map((entry) => [entry.request_id, entry]));
    const ttftErrors: number[] = [];
    const tpotErrors: number[] = [];
    const itlErrors: number[] = [];
    for await (const record of readRequestRecords(join(dir, 'run'))) {
      const t = truth.get(record.request_id);
      if (!t || record.status !== 'ok' || t.first_token_ms === undefined || t.last_token_ms === undefined) continue;
      compare(record, t, ttftErrors, tpotErrors, itlErrors);
    }
    const clientCpuPct = result.client_health.client_cpu_pct ?? Number.NaN;
    rows.push([
      String(users),
      `${result.summary.requests.ok}/${result.summary.requests.total}`,
      ...errorCells(ttftErrors),
      ...errorCells(tpotErrors),
      ...errorCells(itlErrors),
      clientCpuPct.toFixed(0),
      result.valid ? 'yes' : 'no',
    ]);
  } finally {
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(`client timing error vs simulator ground truth (fixed mode: TTFT ${ttftMs} ms, ITL ${itlMs} ms, ${tokens} tokens), ms, client − truth`);
const header = ['streams', 'ok', 'TTFT p50', 'TTFT p99', 'TTFT max', 'TPOT p50', 'TPOT p99', 'TPOT max', 'ITL-mean p50', 'ITL-mean p99', 'ITL-mean max', 'client CPU %', 'valid'];
console.log(header.join('\t'));
for (const row of rows) console.log(row.join('\t'));

function compare(record: RequestRecord, t: Truth, ttft: number[], tpot: number[], itl: number[]): void {
  const trueTtft = t.first_token_ms! - t.received_ms;
  if (record.metrics.ttft_ms !== undefined) ttft.push(record.metrics.ttft_ms - trueTtft);
  if (t.output_tokens >= 2) {
    const trueTpot = (t.last_token_ms! - t.first_token_ms!) / (t.output_tokens - 1);
    if (record.metrics.tpot_ms !== undefined) tpot.push(record.metrics.tpot_ms - trueTpot);
    if (record.metrics.itl_ms !== undefined) itl.push(record.metrics.itl_ms - trueTpot);
  }
}

function errorCells(errors: number[]): string[] {
  const stats = summarize(errors);
  if (!stats) return ['-', '-', '-'];
  const maxAbs = Math.max(Math.abs(stats.min), Math.abs(stats.max));
  return [stats.p50.toFixed(3), stats.p99.toFixed(3), maxAbs.toFixed(3)];
}
