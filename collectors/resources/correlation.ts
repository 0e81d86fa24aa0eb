/**
 * Resources vs performance on the shared 1 s axis (DESIGN §8): Pearson's r between GPU utilisation, KV-cache
 * use and client CPU on one side and output tokens/s and TTFT p50 on the other. Pure: the run hands in its
 * resource samples (CorrelationSamples) and its per-second windows; run.json gets the result.
 *
 * A resource sample at time t belongs to the window (end − axis, end]; several samples in one window (several
 * GPUs, or a faster monitor) are averaged. Pairs need both sides in the same window; r is null below three
 * pairs or when either side never varies (r is undefined then, not 0).
 */
import { sampleCorrelation } from 'simple-statistics';
import type { Point } from '../../pipeline/core/point.js';
import { KV_CACHE_METRICS } from './server-metrics/presets.js';

export interface PerformanceWindow {
  /** Window end, epoch ms (llm_window points are stamped at their end). */
  readonly end_ms: number;
  readonly output_tps: number;
  /** Null/absent when no first token arrived in the window. */
  readonly ttft_p50_ms?: number | null;
}

export type ResourceSignal = 'gpu_util_pct' | 'kv_cache_usage' | 'client_cpu_pct';
export type PerformanceSignal = 'output_tps' | 'ttft_p50_ms';

export interface CorrelationPair {
  readonly resource: ResourceSignal;
  readonly performance: PerformanceSignal;
  /** Pearson's r in [−1, 1]; null when undefined (n < 3 or a constant side). */
  readonly r: number | null;
  /** Windows where both sides were measured. */
  readonly n: number;
}

export interface ResourceCorrelation {
  readonly axis_ms: number;
  readonly pairs: readonly CorrelationPair[];
}

const RESOURCES: ReadonlyArray<readonly [ResourceSignal, (point: Point) => number | undefined]> = [
  ['gpu_util_pct', (p) => (p.measurement === 'gpu' ? numeric(p.fields.util_pct) : undefined)],
  ['kv_cache_usage', (p) => (p.measurement === 'engine_metric' && KV_CACHE_METRICS.includes(p.tags.metric ?? '') ? numeric(p.fields.value) : undefined)],
  ['client_cpu_pct', (p) => (p.measurement === 'process' && p.tags.role === 'client' ? numeric(p.fields.cpu_pct) : undefined)],
];

/**
 * The resource samples correlation reads, kept as (time, value) numbers per signal as a run goes. A run's
 * monitor writes ~15 points a second (host, CPU, process, engine metrics); keeping them all as objects until
 * the end grew the client's heap by the hour, and only these three signals are ever read back.
 */
export class CorrelationSamples {
  readonly #series = new Map<ResourceSignal, { timesMs: number[]; values: number[] }>();

  /** Keeps what `points` carry of the three signals; everything else is left out. */
  static of(points: Iterable<Point>): CorrelationSamples {
    const samples = new CorrelationSamples();
    for (const point of points) samples.add(point);
    return samples;
  }

  add(point: Point): void {
    for (const [resource, pick] of RESOURCES) {
      const value = pick(point);
      if (value === undefined) continue;
      let series = this.#series.get(resource);
      if (!series) this.#series.set(resource, (series = { timesMs: [], values: [] }));
      series.timesMs.push(point.time_ms);
      series.values.push(value);
    }
  }

  /** Samples held, over all signals. */
  get size(): number {
    let size = 0;
    for (const series of this.#series.values()) size += series.timesMs.length;
    return size;
  }

  series(resource: ResourceSignal): { readonly timesMs: readonly number[]; readonly values: readonly number[] } {
    return this.#series.get(resource) ?? { timesMs: [], values: [] };
  }
}

export function correlateResources(samples: CorrelationSamples, windows: readonly PerformanceWindow[], axisMs = 1000): ResourceCorrelation {
  const sorted = [...windows].sort((a, b) => a.end_ms - b.end_ms);
  const ends = sorted.map((window) => window.end_ms);
  const pairs: CorrelationPair[] = [];
  for (const [resource] of RESOURCES) {
    // Per window: sum and count of this resource's samples.
    const sums = new Float64Array(sorted.length);
    const counts = new Uint32Array(sorted.length);
    const { timesMs, values } = samples.series(resource);
    for (let i = 0; i < timesMs.length; i++) {
      const at = windowOf(ends, timesMs[i]!, axisMs);
      if (at < 0) continue;
      sums[at]! += values[i]!;
      counts[at]!++;
    }
    for (const performance of ['output_tps', 'ttft_p50_ms'] as const) {
      const xs: number[] = [];
      const ys: number[] = [];
      sorted.forEach((window, i) => {
        const y = numeric(window[performance]);
        if (counts[i]! === 0 || y === undefined) return;
        xs.push(sums[i]! / counts[i]!);
        ys.push(y);
      });
      pairs.push({ resource, performance, r: pearson(xs, ys), n: xs.length });
    }
  }
  return { axis_ms: axisMs, pairs };
}

/** Index of the window whose (end − axis, end] holds t, or −1. `ends` ascending. */
function windowOf(ends: readonly number[], timeMs: number, axisMs: number): number {
  let low = 0;
  let high = ends.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (ends[mid]! < timeMs) low = mid + 1;
    else high = mid;
  }
  return low < ends.length && ends[low]! - axisMs < timeMs ? low : -1;
}

function pearson(xs: readonly number[], ys: readonly number[]): number | null {
  if (xs.length < 3) return null;
  const r = sampleCorrelation(xs as number[], ys as number[]);
  return Number.isFinite(r) ? r : null;
}

function numeric(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
