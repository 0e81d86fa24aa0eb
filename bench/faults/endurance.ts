/**
 * bench/faults/endurance: zero loss and load accuracy over a long run against the simulator with faults on
 * (not part of `npm test`). The simulator runs in its own process with `--fault-rate` split evenly over error
 * statuses, mid-stream disconnects, malformed events and engine error events; the client is the real CLI,
 * `llmbench run --rate R --arrival constant`, in its own process, its RSS read from /proc every 10 s.
 *
 * At the end it checks, and prints:
 *   - records due (the constant schedule's arrivals) against records written, duplicates, and every request the
 *     server saw (its ground truth, by x-request-id) against the records;
 *   - achieved rate against the target, schedule lag p99;
 *   - client RSS at minute 1 and at the end (and the least-squares slope over the run after minute 1);
 *   - error kinds the client recorded against the faults the server injected.
 * Exit 1 when a record is missing or doubled.
 *
 * Usage: npx tsx bench/faults/endurance.ts [--duration 30m] [--rate 20] [--fault-rate 0.01] [--max-tokens 32]
 *        [--out DIR]   (keeps the run directory there; a temporary one otherwise)
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { parseDurationMs } from '../../pipeline/core/clock.js';
import type { RequestRecord } from '../../pipeline/core/record.js';
import { readRunDirectory } from '../../pipeline/sinks/run-directory-reader.js';
import type { GroundTruthRecord } from '../../simulator/ground-truth.js';
import { binPath, startSimProcess } from '../common/sim-process.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '30m' },
    rate: { type: 'string', default: '20' },
    'fault-rate': { type: 'string', default: '0.01' },
    'max-tokens': { type: 'string', default: '32' },
    out: { type: 'string' },
  },
});
const durationMs = parseDurationMs(values.duration);
const rate = Number(values.rate);
const faultRate = Number(values['fault-rate']);
const maxTokens = Number(values['max-tokens']);
const SAMPLE_EVERY_MS = 10_000;

const each = String(faultRate / 4);
const sim = await startSimProcess(['--engine', 'vllm', '--port', '0', '--ttft-ms', '20', '--itl-ms', '5', '--seed', '7',
  '--error-rate', each, '--error-status', '503', '--disconnect-rate', each, '--malformed-rate', each, '--mid-stream-error-rate', each]);
const dir = values.out ?? (await mkdtemp(join(tmpdir(), 'llmbench-endurance-')));
const out = join(dir, 'run');
const benchStartMs = performance.now();
let simExit: string | undefined;
const onSimExit = (code: number | null, signal: NodeJS.Signals | null) => {
  simExit = `the simulator exited (${signal ?? `code ${code}`}) ${((performance.now() - benchStartMs) / 1000).toFixed(0)} s into the bench`;
  console.log(simExit);
};
sim.child.once('exit', onSimExit);
// Kept unless the bench ends well without --out (a failure or an exception leaves it to look into).
let keep = true;
try {
  console.log(`endurance: ${values.duration} at ${rate} req/s (constant arrivals), ${maxTokens} tokens each, faults ${(faultRate * 100).toFixed(2)} % of requests; run directory ${out}`);
  const startMs = performance.now();
  const client = spawn(process.execPath, [binPath(), 'run', '--engine', 'vllm', '--url', sim.url, '--model', 'sim', '--rate', String(rate), '--arrival', 'constant',
    '--duration', values.duration, '--warmup', '0', '--max-tokens', String(maxTokens), '--prompt-tokens', '32', '--out', out, '--no-monitor', '--quiet', '--json'],
  { stdio: ['ignore', 'ignore', 'inherit'] });
  const rss: Array<[number, number]> = [];
  const sample = () => {
    const match = /VmRSS:\s+(\d+) kB/.exec(safeRead(`/proc/${client.pid}/status`));
    if (match) rss.push([(performance.now() - startMs) / 1000, Number(match[1]) / 1024]);
  };
  const sampler = setInterval(() => {
    sample();
    const last = rss[rss.length - 1];
    if (last && Math.round(last[0]) % 60 < SAMPLE_EVERY_MS / 1000) console.log(`  ${(last[0] / 60).toFixed(1)} min: client RSS ${last[1].toFixed(1)} MiB`);
  }, SAMPLE_EVERY_MS);
  const code = await new Promise<number | null>((resolve) => client.on('close', resolve));
  clearInterval(sampler);
  console.log(`client exited ${code} after ${((performance.now() - startMs) / 1000).toFixed(0)} s`);

  const view = await readRunDirectory(out);
  const records: RequestRecord[] = [];
  for await (const record of view.records()) records.push(record);
  const ids = new Set(records.map((record) => record.request_id));
  const due = Math.ceil((durationMs / 1000) * rate - 1e-9);
  const truth = simExit ? [] : ((await (await request(`${sim.url}/__sim/requests`)).body.json()) as GroundTruthRecord[]);
  const ours = truth.filter((entry) => entry.request_id.startsWith(view.result.run_id));
  const unrecorded = ours.filter((entry) => !ids.has(entry.request_id));
  const kinds = new Map<string, number>();
  for (const record of records) if (record.status !== 'ok') kinds.set(record.error_kind ?? record.status, (kinds.get(record.error_kind ?? record.status) ?? 0) + 1);
  const faults = new Map<string, number>();
  for (const entry of ours) for (const fault of entry.faults) faults.set(fault, (faults.get(fault) ?? 0) + 1);

  const summary = view.result.summary;
  const minuteOne = rss.find(([t]) => t >= 60) ?? rss[0];
  const end = rss[rss.length - 1];
  console.log('\nresult');
  console.log(`  status ${view.result.status}, valid ${view.result.valid}`);
  console.log(`  records due ${due}, written ${records.length}, distinct ${ids.size}, dropped ${summary.requests.dropped}`);
  console.log(simExit ? `  server: ${simExit}; its ground truth is gone` : `  server saw ${ours.length} requests; without a record: ${unrecorded.length}`);
  const sends = records.map((record) => record.t_send).filter((t): t is number => t !== undefined).sort((a, b) => a - b);
  const sendRate = sends.length > 1 ? ((sends.length - 1) * 1000) / (sends[sends.length - 1]! - sends[0]!) : Number.NaN;
  console.log(`  sent ${sendRate.toFixed(3)} req/s (target ${rate}); completions ${(summary.throughput.rps ?? 0).toFixed(3)} req/s; schedule lag p99 ${(summary.metrics.schedule_lag_ms?.p99 ?? NaN).toFixed(2)} ms`);
  console.log(`  client RSS: minute 1 ${minuteOne?.[1].toFixed(1)} MiB, end ${end?.[1].toFixed(1)} MiB, slope after minute 1 ${slopePerMinute(rss.filter(([t]) => t >= 60)).toFixed(2)} MiB/min`);
  console.log(`  error kinds (client): ${[...kinds].map(([kind, n]) => `${kind} ${n}`).join(', ') || 'none'}`);
  console.log(`  faults injected (server): ${[...faults].map(([kind, n]) => `${kind} ${n}`).join(', ') || 'none'}`);
  const lost = records.length !== due || ids.size !== records.length || unrecorded.length > 0;
  if (lost) console.log('FAIL: a record is missing or doubled');
  if (simExit) console.log('INVALID: the simulator did not last the run');
  process.exitCode = lost || code !== 0 || simExit ? 1 : 0;
  keep = Boolean(values.out) || process.exitCode !== 0;
} finally {
  sim.child.off('exit', onSimExit);
  await sim.stop();
  if (keep) console.log(`run directory kept: ${out}`);
  else await rm(dir, { recursive: true, force: true });
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return ''; // the client has exited
  }
}

/** Least-squares slope of RSS (MiB) over time, per minute. */
function slopePerMinute(points: ReadonlyArray<readonly [number, number]>): number {
  if (points.length < 2) return Number.NaN;
  const n = points.length;
  const meanT = points.reduce((sum, [t]) => sum + t, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [t, y] of points) {
    num += (t - meanT) * (y - meanY);
    den += (t - meanT) ** 2;
  }
  return (num / den) * 60;
}
