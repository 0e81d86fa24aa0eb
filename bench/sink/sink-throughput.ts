/**
 * How many points per second the InfluxDB sink sustains, and what it costs the process that hosts it.
 *
 *   npx tsx bench/sink/sink-throughput.ts [--seconds 10] [--rates 10000,50000,max] [--url URL --org O --bucket B]
 *   (with --url, INFLUX_TOKEN is sent when set)
 *   node dist/bench/sink/sink-throughput.js …            (after `npm run build`)
 *
 * Without --url it starts VictoriaMetrics (Debian's victoria-metrics) on a free loopback port. Records are
 * built before the clock starts (17 points each: one llm_request and 16 llm_token, like a 16-token
 * streamed answer) and handed to the sink in 50 ms batches, the way the run coordinator does. CPU is this
 * process's user+system time (mapping, line protocol, gzip on the libuv pool, HTTP); the server's own CPU
 * is shown separately. "max" hands everything over at once: past the sink's memory bound (200 000 points)
 * it spills to disk and sends the spill files back at the end, which this measures too. "lost" counts
 * points neither written nor spilled, plus any left on disk (both must be 0).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { RequestRecord } from '../../pipeline/core/record.js';
import { RUN_SCHEMA_VERSION, type RunResult } from '../../pipeline/core/run-result.js';
import type { RunStart } from '../../pipeline/core/sink.js';
import { Secret, type InfluxConfig } from '../../pipeline/sinks/influx-config.js';
import { createInfluxSink } from '../../pipeline/sinks/influxdb.js';
import { CLOCK_TICKS_PER_SECOND, readPidStat } from '../../collectors/resources/process/procfs-process.js';
import { startVictoriaMetrics, type VictoriaMetrics } from './victoria-metrics.js';

const TOKENS_PER_REQUEST = 16;
const POINTS_PER_REQUEST = TOKENS_PER_REQUEST + 1;
const BATCH_INTERVAL_MS = 50;

interface Row {
  target: string;
  points: number;
  feedS: number;
  drainS: number;
  achievedPps: number;
  cpuPctOfCore: number;
  cpuUsPerPoint: number;
  loopDelayP99Ms: number;
  written: number;
  spilledThenReplayed: number;
  lost: number;
  /** The server's own CPU over the same interval (only for the VictoriaMetrics this script started). */
  serverCpuPctOfCore: number | undefined;
}

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    rates: { type: 'string', default: '10000,50000,max' },
    url: { type: 'string' },
    org: { type: 'string', default: 'bench' },
    bucket: { type: 'string', default: 'llmbench' },
    'no-gzip': { type: 'boolean', default: false },
  },
});

const seconds = Number(values.seconds);
let vm: VictoriaMetrics | undefined;
const url = values.url ?? (vm = await startVictoriaMetrics()).url;
const token = process.env.INFLUX_TOKEN;
const config: InfluxConfig = { url, org: values.org!, bucket: values.bucket!, ...(token ? { token: new Secret(token) } : {}) };
const rows: Row[] = [];
try {
  for (const rate of values.rates!.split(',')) rows.push(await measure(rate.trim()));
} finally {
  await vm?.dispose();
}
printTable(rows);

async function measure(rate: string): Promise<Row> {
  const unthrottled = rate === 'max';
  const pointsPerSecond = unthrottled ? 50_000 : Number(rate);
  const requests = Math.ceil((pointsPerSecond * seconds) / POINTS_PER_REQUEST);
  const records = makeRecords(requests, `bench-${rate}-${Date.now()}`);
  const runDir = await mkdtemp(join(tmpdir(), 'llmbench-bench-sink-'));
  const sink = createInfluxSink(config, {
    spillDir: runDir,
    onNotice: (line) => process.stderr.write(`influxdb: ${line}\n`),
    ...(values['no-gzip'] ? { gzipThresholdBytes: Number.MAX_SAFE_INTEGER } : {}),
  });
  await sink.open(benchStart(records[0]!.run_id));

  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const cpuBefore = process.cpuUsage();
  const serverBefore = serverCpuMs();
  const startedMs = performance.now();
  if (unthrottled) {
    sink.write({ kind: 'records', records });
  } else {
    const perBatch = Math.max(1, Math.round((requests * BATCH_INTERVAL_MS) / (seconds * 1000)));
    for (let i = 0, tick = 0; i < records.length; i += perBatch, tick++) {
      const dueMs = startedMs + tick * BATCH_INTERVAL_MS;
      const waitMs = dueMs - performance.now();
      if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
      sink.write({ kind: 'records', records: records.slice(i, i + perBatch) });
    }
  }
  const fedMs = performance.now();
  const report = (await sink.close(runResult(records[0]!.run_id))).sinkReport!;
  const doneMs = performance.now();
  const cpu = process.cpuUsage(cpuBefore);
  const serverAfter = serverCpuMs();
  loopDelay.disable();
  await rm(runDir, { recursive: true, force: true });

  const cpuUs = cpu.user + cpu.system;
  const points = Number(report.points);
  return {
    target: unthrottled ? 'max (all at once)' : `${pointsPerSecond.toLocaleString('en-US')}/s`,
    points,
    feedS: (fedMs - startedMs) / 1000,
    drainS: (doneMs - fedMs) / 1000,
    achievedPps: Number(report.written) / ((doneMs - startedMs) / 1000),
    cpuPctOfCore: (cpuUs / 1000 / (doneMs - startedMs)) * 100,
    cpuUsPerPoint: cpuUs / points,
    loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    written: Number(report.written),
    spilledThenReplayed: Number(report.replayed_from_spill),
    lost: Number(report.lost) + Number(report.spilled),
    serverCpuPctOfCore: serverBefore !== undefined && serverAfter !== undefined ? ((serverAfter - serverBefore) / (doneMs - startedMs)) * 100 : undefined,
  };
}

/** utime + stime of the local VictoriaMetrics from /proc (Linux), in ms. */
function serverCpuMs(): number | undefined {
  const pid = vm?.pid();
  if (pid === undefined) return undefined;
  try {
    const stat = readPidStat(pid);
    return stat ? (stat.cpuTicks * 1000) / CLOCK_TICKS_PER_SECOND : undefined;
  } catch {
    return undefined; // not Linux: the column stays empty
  }
}

/** Streamed 16-token answers, sent 1 ms apart, ending just before now (inside any server's retention). */
function makeRecords(count: number, runId: string): RequestRecord[] {
  const firstSendMs = Date.now() - count - 60_000;
  return Array.from({ length: count }, (_, i) => {
    const sendMs = firstSendMs + i + 0.123;
    const chunks = Array.from({ length: TOKENS_PER_REQUEST }, (_, k): [number, number] => [35 + k * 12.5, 1]);
    const lastMs = chunks[chunks.length - 1]![0];
    return {
      request_id: `${runId}-${i}`,
      run_id: runId,
      stage: 'main',
      stage_index: 0,
      warmup: false,
      status: 'ok',
      engine: 'vllm',
      model: 'bench',
      stream: true,
      worker: i % 4,
      t_intended: sendMs - 0.05,
      t_dispatch: sendMs - 0.02,
      t_send: sendMs,
      t_headers: sendMs + 20,
      t_first_token: sendMs + 35,
      t_last_token: sendMs + lastMs,
      t_done: sendMs + lastMs + 1,
      prompt_tokens: 256,
      output_tokens: TOKENS_PER_REQUEST,
      token_source: 'server',
      finish_reason: 'length',
      chunks,
      metrics: {
        ttft_ms: 35,
        itl_ms: 12.5,
        tpot_ms: 12.5,
        total_duration_ms: lastMs + 1,
        e2e_from_schedule_ms: lastMs + 1.05,
        schedule_lag_ms: 0.05,
        load_duration_ms: 0,
        prompt_eval_duration_ms: 30,
        prompt_token_rate: 8533.3,
        eval_duration_ms: lastMs - 35,
        eval_token_rate: 80,
        output_tokens: TOKENS_PER_REQUEST,
        prompt_tokens: 256,
        tokens_per_chunk: 1,
      },
      sources: { ttft_ms: 'client', itl_ms: 'client', total_duration_ms: 'client', prompt_eval_duration_ms: 'derived' },
      server: { prompt_tokens: 256, completion_tokens: TOKENS_PER_REQUEST },
    };
  });
}

function benchStart(runId: string): RunStart {
  const now = new Date().toISOString();
  return {
    runId,
    scenario: 'bench-sink',
    engine: 'vllm',
    model: 'bench',
    manifest: {
      schema_version: RUN_SCHEMA_VERSION,
      run_id: runId,
      tool: { name: 'llmbench', version: 'bench' },
      started_at: now,
      scenario: { name: 'bench-sink' },
      target: { engine: 'vllm', url: 'http://127.0.0.1', model: 'bench' },
      host: {},
      phases: [],
    },
  };
}

function runResult(runId: string): RunResult {
  const now = new Date().toISOString();
  return {
    schema_version: RUN_SCHEMA_VERSION,
    run_id: runId,
    tool: { name: 'llmbench', version: 'bench' },
    status: 'completed',
    valid: true,
    validity: [],
    started_at: now,
    ended_at: now,
    scenario: { name: 'bench-sink' },
    target: { engine: 'vllm', url: 'http://127.0.0.1', model: 'bench', api: 'chat', network_rtt_ms: 0 },
    host: {},
    client_health: { schedule_lag_p99_ms: null, event_loop_delay_p99_ms: null, client_cpu_pct: null, dropped_arrivals: 0 },
    summary: {
      duration_ms: 0,
      requests: { total: 0, ok: 0, error: 0, dropped: 0 },
      throughput: { rps: 0, output_tps: 0, total_tps: 0, goodput_rps: 0 },
      error_rate: 0,
      errors_by_kind: {},
      metrics: {},
      jitter: { itl_cv_mean: null, stall_count: 0 },
    },
    stages: [],
  };
}

function printTable(rows: readonly Row[]): void {
  const header = ['target', 'points', 'feed s', 'drain s', 'written pts/s', 'CPU % of a core', 'CPU µs/point', 'loop delay p99 ms', 'spilled→sent', 'lost', 'server CPU %'];
  const body = rows.map((r) => [
    r.target,
    String(r.points),
    r.feedS.toFixed(2),
    r.drainS.toFixed(2),
    Math.round(r.achievedPps).toLocaleString('en-US'),
    r.cpuPctOfCore.toFixed(1),
    r.cpuUsPerPoint.toFixed(2),
    r.loopDelayP99Ms.toFixed(1),
    String(r.spilledThenReplayed),
    String(r.lost),
    r.serverCpuPctOfCore === undefined ? '' : r.serverCpuPctOfCore.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of body) console.log(line(row));
  console.log(
    `\n${TOKENS_PER_REQUEST}-token requests (${POINTS_PER_REQUEST} points each), ${seconds} s per rate, gzip ${values['no-gzip'] ? 'off' : 'on'}, ` +
      `node ${process.version}, ${availableParallelism()} CPUs, server ${values.url ? values.url : 'VictoriaMetrics (local, same machine)'}`,
  );
}
