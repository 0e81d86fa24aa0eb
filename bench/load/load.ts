/**
 * bench/load: what the load generator itself can do on this machine, against the simulator in its own
 * process (fixed mode, so the server's behaviour is known):
 *   1. open-loop accuracy: achieved vs target rate and schedule lag at 50, 200 and 1 000 req/s;
 *   2. capacity: concurrent streams and token events/s with every request completing;
 *   3. cost: client CPU per 1 000 token events;
 *   4. memory: RSS sampled over a long constant-rate run.
 * Usage: npx tsx bench/load/load.ts [--rates 50,200,1000] [--rate-duration 10s] [--streams 250,1000,2000]
 *        [--soak-duration 600s] [--soak-rate 50] [--skip rates,streams,soak] [--user-send-rate 4000|inf]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseDurationMs } from '../../pipeline/core/clock.js';
import type { ExecutionPlan } from '../../pipeline/core/plan.js';
import { runBenchmark } from '../../pipeline/run/run-benchmark.js';
import { DEFAULT_USER_SEND_RATE_PER_S } from '../../pipeline/pool/dispatch-pacer.js';
import type { RunResult } from '../../pipeline/core/run-result.js';
import { percentileSorted } from '../../pipeline/core/stats.js';
import { readRunDirectory } from '../../pipeline/sinks/run-directory-reader.js';
import { RunDirectorySink } from '../../pipeline/sinks/run-directory.js';
import { request } from 'undici';
import { closedPlan } from '../common/closed-plan.js';
import { startSimProcess } from '../common/sim-process.js';

const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '50,200,1000' },
    'rate-duration': { type: 'string', default: '10s' },
    streams: { type: 'string', default: '250,1000,2000' },
    'soak-duration': { type: 'string', default: '600s' },
    'soak-rate': { type: 'string', default: '50' },
    skip: { type: 'string', default: '' },
    // Closed-loop sends per second per worker (llmbench run --user-send-rate); "inf" = none.
    'user-send-rate': { type: 'string', default: String(DEFAULT_USER_SEND_RATE_PER_S) },
  },
});
const userSendRatePerS = values['user-send-rate'] === 'inf' ? Number.POSITIVE_INFINITY : Number(values['user-send-rate']);
const skip = new Set(values.skip.split(',').filter(Boolean));

function openPlan(url: string, rateRps: number, durationMs: number, tokens: number): ExecutionPlan {
  const base = closedPlan({ engine: 'vllm', url, users: 1, requests: 1, maxTokens: tokens });
  const arrivalsMs: number[] = [];
  for (let i = 0; i * (1000 / rateRps) < durationMs; i++) arrivalsMs.push(i * (1000 / rateRps));
  return {
    ...base,
    phases: [{ name: 'main', warmup: false, durationMs, requests: null, load: { kind: 'open', arrivalsMs, maxInFlight: 100_000 },
      stages: [{ name: 'main', index: 0, startMs: 0, target: rateRps }] }],
  };
}

async function withSim<T>(args: string[], body: (url: string) => Promise<T>): Promise<T> {
  const sim = await startSimProcess(['--engine', 'vllm', '--port', '0', ...args]);
  const dir = await mkdtemp(join(tmpdir(), 'llmbench-bench-load-'));
  try {
    return await body(sim.url);
  } finally {
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The simulator's own TTFT p50 (first token written − request read), from its ground truth. */
async function simulatorTtftP50(url: string): Promise<number> {
  const truth = (await (await request(`${url}/__sim/requests`)).body.json()) as Array<{ received_ms: number; first_token_ms: number | null }>;
  const ttfts = truth.filter((t) => t.first_token_ms !== null).map((t) => t.first_token_ms! - t.received_ms).sort((a, b) => a - b);
  return percentileSorted(ttfts, 0.5);
}

/** "true", or "false: " and the checks that failed. */
function validityOf(result: RunResult): string {
  return result.valid ? 'true' : `false: ${result.validity.filter((check) => !check.ok).map((check) => check.name).join(', ')}`;
}

async function run(plan: ExecutionPlan, name: string) {
  const dir = await mkdtemp(join(tmpdir(), 'llmbench-bench-load-'));
  const cpuStart = process.cpuUsage();
  const startMs = performance.now();
  try {
    const { result } = await runBenchmark(plan, { scenarioName: name, scenario: {}, sinks: [new RunDirectorySink(join(dir, 'run'))], userSendRatePerS });
    const cpu = process.cpuUsage(cpuStart);
    // The rate actually achieved: requests sent over the span of their send times.
    const sends: number[] = [];
    for await (const record of (await readRunDirectory(join(dir, 'run'))).records()) if (!record.warmup && record.t_send !== undefined) sends.push(record.t_send);
    const spanS = (Math.max(...sends) - Math.min(...sends)) / 1000;
    const achievedRps = spanS > 0 ? (sends.length - 1) / spanS : Number.NaN;
    return { result, achievedRps, cpuMs: (cpu.user + cpu.system) / 1000, wallMs: performance.now() - startMs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(`bench/load on ${process.platform}, node ${process.version}; simulator in a separate process, fixed mode`);

if (!skip.has('rates')) {
  const durationMs = parseDurationMs(values['rate-duration']);
  console.log(`\n1. open-loop accuracy (constant arrivals, ${durationMs / 1000} s each; simulator TTFT 20 ms, ITL 5 ms, 8 tokens)`);
  console.log(['target rps', 'sent', 'achieved send rps', 'ok', 'lag p50 ms', 'lag p99 ms', 'lag max ms', 'valid'].join('\t'));
  for (const rate of values.rates.split(',').map(Number)) {
    await withSim(['--ttft-ms', '20', '--itl-ms', '5'], async (url) => {
      const { result, achievedRps } = await run(openPlan(url, rate, durationMs, 8), `bench-rate-${rate}`);
      const lag = result.summary.metrics.schedule_lag_ms;
      const sent = result.summary.requests.total;
      console.log([rate, sent, achievedRps.toFixed(2), result.summary.requests.ok, lag?.p50.toFixed(2), lag?.p99.toFixed(2), lag?.max.toFixed(2), result.valid].join('\t'));
    });
  }
}

if (!skip.has('streams')) {
  console.log('\n2–3. concurrent streams (closed loop, 3 requests per user; simulator TTFT 50 ms, ITL 20 ms, 64 tokens)');
  console.log(['streams', 'ok/total', 'token events/s', 'client CPU ms', 'CPU ms per 1000 events', 'client TTFT p50 ms', 'simulator TTFT p50 ms', 'ev-loop p99 ms', 'user send wait share', 'valid'].join('\t'));
  for (const users of values.streams.split(',').map(Number)) {
    await withSim(['--ttft-ms', '50', '--itl-ms', '20'], async (url) => {
      const { result, cpuMs } = await run(closedPlan({ engine: 'vllm', url, users, requests: users * 3, maxTokens: 64 }), `bench-streams-${users}`);
      const events = (result.summary.metrics.itl_pooled_ms?.count ?? 0) + result.summary.requests.ok; // gaps + first chunks
      const eventsPerS = events / (result.summary.duration_ms / 1000);
      console.log([users, `${result.summary.requests.ok}/${result.summary.requests.total}`, eventsPerS.toFixed(0), cpuMs.toFixed(0),
        (cpuMs / (events / 1000)).toFixed(1), result.summary.metrics.ttft_ms?.p50.toFixed(1), (await simulatorTtftP50(url)).toFixed(1),
        result.client_health.event_loop_delay_p99_ms?.toFixed(1), result.client_health.user_send_wait_share?.toFixed(3), validityOf(result)].join('\t'));
    });
  }
}

if (!skip.has('soak')) {
  const durationMs = parseDurationMs(values['soak-duration']);
  const rate = Number(values['soak-rate']);
  console.log(`\n4. memory over a ${durationMs / 1000} s run at ${rate} req/s (simulator TTFT 20 ms, ITL 5 ms, 32 tokens); RSS every 30 s`);
  await withSim(['--ttft-ms', '20', '--itl-ms', '5'], async (url) => {
    // RSS is the whole client (coordinator and workers); heap used is the coordinator's JS heap, where the run's
    // summary data lives, so a growth in RSS can be told apart from what the summary holds.
    const samples: Array<[number, number, number]> = [];
    const startMs = performance.now();
    const timer = setInterval(() => {
      const memory = process.memoryUsage();
      samples.push([(performance.now() - startMs) / 1000, memory.rss / 2 ** 20, memory.heapUsed / 2 ** 20]);
    }, 30_000);
    const { result } = await run(openPlan(url, rate, durationMs, 32), 'bench-soak');
    clearInterval(timer);
    console.log(['t s', 'RSS MiB', 'coordinator heap used MiB'].join('\t'));
    for (const [t, rss, heap] of samples) console.log(`${t.toFixed(0)}\t${rss.toFixed(1)}\t${heap.toFixed(1)}`);
    console.log(`requests ok ${result.summary.requests.ok}/${result.summary.requests.total}; valid ${result.valid}`);
    if (samples.length >= 4) {
      const middle = Math.floor(samples.length / 2);
      const meanRss = (rows: typeof samples) => rows.reduce((sum, row) => sum + row[1], 0) / rows.length;
      console.log(`RSS mean: first half of the run ${meanRss(samples.slice(0, middle)).toFixed(1)} MiB, second half ${meanRss(samples.slice(middle)).toFixed(1)} MiB`);
    }
  });
}
