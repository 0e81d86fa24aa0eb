/**
 * Which measurements, tags and fields llmbench really writes, learnt by running the code that makes the points
 * (pipeline/sinks/points.ts, pipeline/run/windows.ts and the resource samplers) on sample inputs, so the dashboard
 * tests check queries against the code, not against a copied list. The inputs fill every optional part the code
 * knows (every per-request metric, every client-health number, every GPU reading) so every field it can write
 * appears once.
 * `llm_regression` comes from regressionPoints, the mapping `llmbench schedule` writes on a regression.
 */
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientProcessSampler } from '../../../collectors/resources/process/client-process-sampler.js';
import { EngineProcessSampler } from '../../../collectors/resources/process/engine-process-sampler.js';
import { GPU_NUMBER_FIELDS, gpuPoint, type MutableGpuReading } from '../../../collectors/resources/gpu/gpu-reading.js';
import { ProcfsHostSampler } from '../../../collectors/resources/host/host-sampler.js';
import type { Sampler } from '../../../collectors/resources/sampler.js';
import { ServerMetricsSampler } from '../../../collectors/resources/server-metrics/server-metrics-sampler.js';
import { ENGINE_METRICS_PRESETS } from '../../../collectors/resources/server-metrics/presets.js';
import type { Point } from '../../../pipeline/core/point.js';
import { REQUEST_METRICS, type RequestRecord } from '../../../pipeline/core/record.js';
import { WARMUP_LABEL } from '../../../pipeline/load/types.js';
import { recordToPoints, regressionPoints, resourcePoints, runPoint } from '../../../pipeline/sinks/points.js';
import type { Comparison, MetricComparison } from '../../../pipeline/core/analysis.js';
import { windowPoints } from '../../../pipeline/run/windows.js';
import { droppedRecord, errorRecord, okRecord, RUN, runResult } from '../../pipeline/sinks/helpers/records.js';
import { startTextServer } from '../../collectors/resources/helpers/text-server.js';

export interface MeasurementSchema {
  readonly tags: ReadonlySet<string>;
  readonly fields: ReadonlySet<string>;
  /** For tags with a fixed set of values (status, role, metric, the warmup stage): the values a query may name. */
  readonly closedTagValues: ReadonlyMap<string, ReadonlySet<string>>;
}

export type WrittenSchema = ReadonlyMap<string, MeasurementSchema>;

const HOST_TAGS = { run_id: RUN.runId, host: 'bench-host' };

/** Every per-request metric the record type has, with a value. */
function fullRecord(): RequestRecord {
  const record = okRecord({ requestId: 'req-full' });
  return { ...record, metrics: Object.fromEntries(REQUEST_METRICS.map((name, i) => [name, i + 1])) };
}

function warmupRecord(): RequestRecord {
  return { ...okRecord({ requestId: 'req-warmup', sendMs: 1_795_799_999_000 }), stage: WARMUP_LABEL.name, warmup: true };
}

function requestPoints(): Point[] {
  const records = [fullRecord(), warmupRecord(), errorRecord(), droppedRecord()];
  return [...records.flatMap((record) => recordToPoints(record, RUN)), ...windowPoints(records, RUN)];
}

function runPoints(): Point[] {
  const stats = { count: 10, mean: 5, stddev: 1, cv: 0.2, min: 1, p50: 5, p90: 8, p95: 9, p99: 10, p999: 10, max: 10 };
  const base = runResult();
  return [
    runPoint(
      runResult({
        abort_reason: 'error rate above the abort threshold',
        client_health: { schedule_lag_p99_ms: 1, user_send_wait_share: 0.01, event_loop_delay_p99_ms: 2, client_cpu_pct: 30, dropped_arrivals: 0 },
        summary: { ...base.summary, metrics: Object.fromEntries(REQUEST_METRICS.map((name) => [name, stats])) },
      }),
    ),
  ];
}

/** What `llmbench schedule` writes when a run regressed (ttft_ms and output_tps here) against 5 recent runs. */
function regressionSamples(): Point[] {
  const metric = (verdict: MetricComparison['verdict'], gated: boolean) => ({ verdict, gated, diff_pct: 25 }) as MetricComparison;
  const comparison = { metrics: { ttft_ms: metric('regressed', true), output_tps: metric('regressed', true), tpot_ms: metric('unchanged', false) } } as unknown as Comparison;
  return regressionPoints(runResult(), comparison, 5);
}

async function samplePair(sampler: Sampler): Promise<Point[]> {
  const signal = new AbortController().signal;
  const first = await sampler.sample({ index: 0, timeMs: 1_795_800_000_000, signal });
  const second = await sampler.sample({ index: 1, timeMs: 1_795_800_001_000, signal });
  return [...first, ...second];
}

/** /proc files in the kernel's formats, the second reading a second later with every counter moved on. */
function procFiles(step: number): Record<string, string> {
  const busy = 1000 + step * 150;
  return {
    stat: `cpu  ${busy * 2} 0 ${busy} ${9000 + step * 50} 10 0 5 0 0 0\ncpu0 ${busy} 0 ${busy / 2} ${4500 + step * 25} 5 0 2 0 0 0\n`,
    meminfo: 'MemTotal:       16000000 kB\nMemFree:         8000000 kB\nMemAvailable:   12000000 kB\n',
    'net/dev': `Inter-|   Receive |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n  eth0: ${1000 + step * 5000} 10 0 0 0 0 0 0 ${2000 + step * 3000} 10 0 0 0 0 0 0\n`,
    diskstats: ` 254       0 vda 100 0 ${800 + step * 80} 0 100 0 ${1600 + step * 160} 0 0 0 0 0 0 0 0 0 0\n`,
  };
}

/** The /proc host sampler on two readings of a /proc-shaped folder (this machine's would not move between two instant reads). */
async function hostSamples(): Promise<Point[]> {
  const root = await mkdtemp(join(tmpdir(), 'llmbench-grafana-proc-'));
  try {
    await mkdir(join(root, 'net'));
    const write = (step: number) => Promise.all(Object.entries(procFiles(step)).map(([file, text]) => writeFile(join(root, file), text)));
    const sampler = new ProcfsHostSampler(HOST_TAGS, new Set(['vda']), root);
    const signal = new AbortController().signal;
    await write(0);
    const first = await sampler.sample({ index: 0, timeMs: 1_795_800_000_000, signal });
    await write(1);
    const second = await sampler.sample({ index: 1, timeMs: 1_795_800_001_000, signal });
    return [...first, ...second];
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function resourceSamples(): Promise<Point[]> {
  const reading: MutableGpuReading = { index: 0, name: 'NVIDIA H200' };
  GPU_NUMBER_FIELDS.forEach((field, i) => (reading[field] = i + 1));
  const points: Point[] = [gpuPoint(reading, HOST_TAGS, 1_795_800_000_000)];

  points.push(...(await hostSamples()));

  const client = new ClientProcessSampler(HOST_TAGS);
  try {
    points.push(...(await samplePair(client)));
  } finally {
    client.stop();
  }
  points.push(...(await samplePair(new EngineProcessSampler(process.pid, HOST_TAGS, () => {}))));

  // A real scrape of a captured vLLM /metrics page.
  const page = readFileSync(new URL('../../collectors/resources/fixtures/vllm-metrics.txt', import.meta.url), 'utf8');
  const server = await startTextServer({ '/metrics': page });
  const scraper = new ServerMetricsSampler(`${server.url}/metrics`, 2000, RUN.runId, 'vllm');
  try {
    points.push(...(await samplePair(scraper)));
  } finally {
    await scraper.stop();
    await server.close();
  }
  return resourcePoints(points, RUN.runId);
}

/** Tag values a query may compare with a literal; for any other tag, values come from variables. */
function closedValues(measurement: string, tag: string, seen: ReadonlySet<string>): ReadonlySet<string> | undefined {
  if (tag === 'status' || tag === 'role') return seen;
  if (tag === 'stage') return new Set([WARMUP_LABEL.name]);
  if (measurement === 'engine_metric' && tag === 'metric') {
    // What the scraper can write: a preset name, or the older alias the engine still uses.
    return new Set(Object.values(ENGINE_METRICS_PRESETS).flatMap((preset) => preset.metrics.flatMap((metric) => [metric.name, ...(metric.aliases ?? [])])));
  }
  return undefined;
}

let cached: Promise<WrittenSchema> | undefined;

export function writtenSchema(): Promise<WrittenSchema> {
  return (cached ??= build());
}

/** The points the schema is learnt from (for tests that check the learning itself). */
export async function samplePoints(): Promise<Point[]> {
  return [...requestPoints(), ...runPoints(), ...regressionSamples(), ...(await resourceSamples())];
}

async function build(): Promise<WrittenSchema> {
  const seen = new Map<string, { tags: Set<string>; fields: Set<string>; values: Map<string, Set<string>> }>();
  for (const point of await samplePoints()) {
    let entry = seen.get(point.measurement);
    if (!entry) seen.set(point.measurement, (entry = { tags: new Set(), fields: new Set(), values: new Map() }));
    for (const [tag, value] of Object.entries(point.tags)) {
      if (value === undefined) continue;
      entry.tags.add(tag);
      let values = entry.values.get(tag);
      if (!values) entry.values.set(tag, (values = new Set()));
      values.add(value);
    }
    for (const field of Object.keys(point.fields)) entry.fields.add(field);
  }
  const schema = new Map<string, MeasurementSchema>();
  for (const [measurement, entry] of seen) {
    const closed = new Map<string, ReadonlySet<string>>();
    for (const [tag, values] of entry.values) {
      const allowed = closedValues(measurement, tag, values);
      if (allowed) closed.set(tag, allowed);
    }
    schema.set(measurement, { tags: entry.tags, fields: entry.fields, closedTagValues: closed });
  }
  return schema;
}
