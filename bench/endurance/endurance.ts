/**
 * bench/endurance: does the client leak over a long run? The `endurance` preset, switched to an open loop of
 * 50 req/s (`llmbench run endurance --rate 50`), run by the built CLI in its own process exactly as a user runs it
 * (run directory, analysis and report sinks, progress), against the simulator (fixed mode: TTFT 20 ms, ITL 5 ms)
 * served from this script's process: the CLI's memory is its own, and the server is not a separate `llmbench sim`
 * process that anything stopping such processes by name on a shared machine would take down mid-run.
 *
 * Memory is read two ways, both of the CLI's process:
 *   - from outside, /proc/<pid>/status VmRSS every --sample-interval (RSS: every thread, coordinator and workers);
 *   - from inside, the run's own client samples in resources.jsonl (1 Hz: rss_bytes and heap_used_bytes, the
 *     coordinator's JS heap, where the summary data lives).
 * The check (DESIGN: RSS growth between minute 2 and the end under 50 MB) is on the run's 1 Hz RSS: the mean over
 * [120 s, 130 s) after the first sample against the mean over the last 10 s of the load (up to its last window in
 * windows.jsonl). The close that follows (the analysis reads requests.jsonl back, then the reports) is a transient
 * after the load, printed beside it as its peak. A run grows by design with its requests (exact percentiles keep
 * ~150 B of metric values per request), so the growth printed is compared with what the requests alone account for.
 *
 * Usage: npx tsx bench/endurance/endurance.ts [--duration 30m] [--rate 50] [--sample-interval 10s] [--keep]
 *        (run `npm run build` first: the CLI runs from dist/). Exit 1 when the growth is 50 MB or more.
 */
import { spawn } from 'node:child_process';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseDurationMs } from '../../pipeline/core/clock.js';
import type { Point } from '../../pipeline/core/point.js';
import { readRunDirectory } from '../../pipeline/sinks/run-directory-reader.js';
import { startSimulator } from '../../simulator/index.js';
import { binPath } from '../common/sim-process.js';

const LIMIT_MB = 50;
const MB = 1_000_000;

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '30m' },
    rate: { type: 'string', default: '50' },
    'sample-interval': { type: 'string', default: '10s' },
    keep: { type: 'boolean', default: false },
  },
});
const durationMs = parseDurationMs(values.duration);
const sampleIntervalMs = parseDurationMs(values['sample-interval']);
if (durationMs < 180_000) throw new Error(`--duration must be at least 3m (the baseline is minute 2), got ${values.duration}`);

async function vmRssBytes(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined; // the process has exited between two samples
  }
}

function meanOver(samples: ReadonlyArray<readonly [number, number]>, fromS: number, toS: number): number {
  const inside = samples.filter(([t]) => t >= fromS && t < toS).map(([, v]) => v);
  return inside.length ? inside.reduce((a, b) => a + b, 0) / inside.length : Number.NaN;
}

const sim = await startSimulator({ engine: 'vllm', fixed: { ttftMs: 20, itlMs: 5 }, maxGroundTruth: 1000 });
const root = await mkdtemp(join(tmpdir(), 'llmbench-bench-endurance-'));
const dir = join(root, 'run');
const args = ['run', 'endurance', '--engine', 'vllm', '--url', sim.url, '--model', 'sim', '--rate', values.rate, '--duration', `${Math.round(durationMs / 1000)}s`, '--out', dir, '--quiet'];
console.log(`endurance: llmbench ${args.join(' ')}`);
console.log(`simulator ${sim.url} (in this script's process, fixed TTFT 20 ms, ITL 5 ms); VmRSS of the CLI every ${sampleIntervalMs / 1000} s`);
const external: Array<[number, number]> = [];
try {
  const child = spawn(process.execPath, [binPath(), ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  const startMs = performance.now();
  const timer = setInterval(async () => {
    const rss = await vmRssBytes(child.pid!);
    if (rss === undefined) return;
    const t = (performance.now() - startMs) / 1000;
    external.push([t, rss]);
    console.log(`${t.toFixed(0).padStart(6)} s  VmRSS ${(rss / MB).toFixed(1)} MB`);
  }, sampleIntervalMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(timer);
  console.log(`the run exited with ${code}`);

  const view = await readRunDirectory(dir);
  const result = view.result;
  const clientSamples: Point[] = [];
  for await (const point of view.resources()) if (point.measurement === 'process' && point.tags.role === 'client') clientSamples.push(point);
  if (clientSamples.length === 0) throw new Error('the run recorded no client process samples (was monitoring off?)');
  const t0 = clientSamples[0]!.time_ms;
  const series = (field: string) =>
    clientSamples.filter((p) => typeof p.fields[field] === 'number').map((p) => [(p.time_ms - t0) / 1000, p.fields[field] as number] as [number, number]);
  const rss = series('rss_bytes');
  const heap = series('heap_used_bytes');
  const heapTotal = series('heap_total_bytes');
  const offHeap = series('external_bytes');
  // The end of the load: its last 1 s window (windows.jsonl), on the samples' clock. What follows is the close.
  let lastWindowMs = Number.NEGATIVE_INFINITY;
  for await (const window of view.windows()) lastWindowMs = Math.max(lastWindowMs, window.time_ms);
  if (!Number.isFinite(lastWindowMs)) throw new Error('the run handed out no windows (windows.jsonl is empty)');
  const endS = Math.min((lastWindowMs - t0) / 1000, rss[rss.length - 1]![0]);
  const closing = rss.filter(([t]) => t > endS);
  /** Mean over the load's last 10 s. */
  const atEnd = (samples: ReadonlyArray<readonly [number, number]>) => meanOver(samples, endS - 10, endS + 0.001);

  console.log(`\nrun ${result.run_id}: ${result.status}, valid ${result.valid}, ${result.summary.requests.total} requests (${result.summary.requests.ok} ok), ` +
    `${result.summary.throughput.rps.toFixed(1)} req/s, TTFT p50 ${result.summary.metrics.ttft_ms?.p50.toFixed(2)} ms, p99 ${result.summary.metrics.ttft_ms?.p99.toFixed(2)} ms`);
  console.log('\nminute\tRSS MB\theap used\theap total\toff-heap (MB; the last three the coordinator\'s)  [means over each minute, the run\'s 1 Hz client samples]');
  for (let minute = 0; minute * 60 < endS; minute++) {
    const at = (s: ReadonlyArray<readonly [number, number]>) => (meanOver(s, minute * 60, minute * 60 + 60) / MB).toFixed(1);
    console.log(`${minute}\t${at(rss)}\t${at(heap)}\t\t${at(heapTotal)}\t\t${at(offHeap)}`);
  }
  const rssAt2 = meanOver(rss, 120, 130);
  const rssEnd = atEnd(rss);
  const heapAt2 = meanOver(heap, 120, 130);
  const heapEnd = atEnd(heap);
  const growthMb = (rssEnd - rssAt2) / MB;
  const requestsAfter2 = result.summary.requests.total * ((endS - 120) / endS);
  console.log(`\nRSS at minute 2 (mean of 120–130 s): ${(rssAt2 / MB).toFixed(1)} MB; at the end of the load (its last 10 s, to t = ${endS.toFixed(0)} s): ${(rssEnd / MB).toFixed(1)} MB; max during the load ${(Math.max(...rss.filter(([t]) => t <= endS).map(([, v]) => v)) / MB).toFixed(1)} MB`);
  console.log(`the close after the load (analysis and reports): ${closing.length} samples, peak RSS ${closing.length ? `${(Math.max(...closing.map(([, v]) => v)) / MB).toFixed(1)} MB` : '-'}`);
  console.log(`heap used at minute 2: ${(heapAt2 / MB).toFixed(1)} MB; at the end: ${(heapEnd / MB).toFixed(1)} MB`);
  if (heapTotal.length) {
    console.log(`heap total (reserved) at minute 2: ${(meanOver(heapTotal, 120, 130) / MB).toFixed(1)} MB; at the end: ${(atEnd(heapTotal) / MB).toFixed(1)} MB; off-heap ${(meanOver(offHeap, 120, 130) / MB).toFixed(1)} → ${(atEnd(offHeap) / MB).toFixed(1)} MB`);
  }
  console.log(`growth from minute 2 to the end: RSS ${growthMb.toFixed(1)} MB, heap ${((heapEnd - heapAt2) / MB).toFixed(1)} MB, over ~${Math.round(requestsAfter2)} requests (${((rssEnd - rssAt2) / requestsAfter2).toFixed(0)} B per request)`);
  if (external.length > 1) {
    const firstAfter2 = external.find(([t]) => t >= 120);
    console.log(`VmRSS from outside: ${firstAfter2 ? `${(firstAfter2[1] / MB).toFixed(1)} MB at ${firstAfter2[0].toFixed(0)} s` : '-'}, last ${(external[external.length - 1]![1] / MB).toFixed(1)} MB`);
  }
  console.log(`limit: growth < ${LIMIT_MB} MB → ${growthMb < LIMIT_MB ? 'PASS' : 'FAIL'}`);
  if (!(growthMb < LIMIT_MB)) process.exitCode = 1;
  if (values.keep) console.log(`run directory kept: ${dir}`);
} finally {
  await sim.close();
  if (!values.keep) await rm(root, { recursive: true, force: true });
}
