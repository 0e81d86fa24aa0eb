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
import type { RequestRecord } from '../../pipeline/core/record.js';
import { summarize } from '../../pipeline/core/stats.js';
import { readRunDirectory } from '../../pipeline/sinks/run-directory-reader.js';
import { RunDirectorySink } from '../../pipeline/sinks/run-directory.js';
import { runBenchmark } from '../../pipeline/run/run-benchmark.js';
import { closedPlan } from '../common/closed-plan.js';
import { startSimProcess } from '../common/sim-process.js';
import { deliveryDelays, fetchGroundTruth, type TruthRecord } from '../common/ground-truth.js';


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
      sinks: [new RunDirectorySink(join(dir, 'run'))],
    });
    const truth = await fetchGroundTruth(sim.url);
    const errors: Errors = { ttft: [], tpot: [], itl: [], requestDelivery: [], tokenDelivery: [] };
    for await (const record of (await readRunDirectory(join(dir, 'run'))).records()) {
      const t = truth.get(record.request_id);
      if (!t || record.warmup || record.status !== 'ok' || t.first_token_ms === null || t.last_token_ms === null) continue;
      compare(record, t, errors);
    }
    const clientCpuPct = result.client_health.client_cpu_pct ?? Number.NaN;
    rows.push([
      String(users),
      `${result.summary.requests.ok}/${result.summary.requests.total}`,
      ...errorCells(errors.ttft),
      ...errorCells(errors.tpot),
      ...errorCells(errors.itl),
      ...errorCells(errors.requestDelivery).slice(0, 2),
      ...errorCells(errors.tokenDelivery).slice(0, 2),
      clientCpuPct.toFixed(0),
      result.valid ? 'yes' : `no (${result.validity.filter((c) => !c.ok).map((c) => `${c.name} ${c.value?.toFixed(1)}`).join(', ')})`,
    ]);
  } finally {
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(`client timing error vs simulator ground truth (fixed mode: TTFT ${ttftMs} ms, ITL ${itlMs} ms, ${tokens} tokens), ms, client − truth`);
console.log('mean/p50/p99/max|max| of (client − truth); request delivery = sim received − client t_send; token delivery = client t_first_token − sim first-token write (epoch clocks of two processes on one host)');
const header = ['streams', 'ok', 'TTFT mean', 'p50', 'p99', 'max', 'TPOT mean', 'p50', 'p99', 'max', 'ITL-mean mean', 'p50', 'p99', 'max',
  'req delivery mean', 'p50', 'token delivery mean', 'p50', 'client CPU % of a core', 'valid'];
console.log(header.join('\t'));
for (const row of rows) console.log(row.join('\t'));

interface Errors {
  ttft: number[];
  tpot: number[];
  itl: number[];
  requestDelivery: number[];
  tokenDelivery: number[];
}

function compare(record: RequestRecord, t: TruthRecord, errors: Errors): void {
  const trueTtft = t.first_token_ms! - t.received_ms;
  if (record.metrics.ttft_ms !== undefined) errors.ttft.push(record.metrics.ttft_ms - trueTtft);
  const delays = deliveryDelays(record, t);
  if (delays.requestMs !== undefined) errors.requestDelivery.push(delays.requestMs);
  if (delays.firstTokenMs !== undefined) errors.tokenDelivery.push(delays.firstTokenMs);
  if (t.output_tokens >= 2) {
    const trueTpot = (t.last_token_ms! - t.first_token_ms!) / (t.output_tokens - 1);
    if (record.metrics.tpot_ms !== undefined) errors.tpot.push(record.metrics.tpot_ms - trueTpot);
    if (record.metrics.itl_ms !== undefined) errors.itl.push(record.metrics.itl_ms - trueTpot);
  }
}

function errorCells(errors: number[]): string[] {
  const stats = summarize(errors);
  if (!stats) return ['-', '-', '-', '-'];
  const maxAbs = Math.max(Math.abs(stats.min), Math.abs(stats.max));
  return [stats.mean.toFixed(3), stats.p50.toFixed(3), stats.p99.toFixed(3), maxAbs.toFixed(3)];
}
