/**
 * Resources against performance on the shared 1 s axis (DESIGN §8): GPU utilisation against output tokens/s,
 * the engine's KV-cache use against TTFT, the client's CPU against its schedule lag. Spearman's rank correlation
 * (simple-statistics) with a lag search over −MAX_LAG_S … +MAX_LAG_S seconds (a queue fills before latency
 * shows it); the p-value at the best lag is Bonferroni-corrected for the lags tried. Reported only where both
 * series share at least MIN_POINTS seconds.
 *
 * A resource sample at time t belongs to the second (end − 1 s, end] of the window it falls in; several samples
 * in one second (several GPUs, or a faster monitor) are averaged. Performance per second comes from the run's
 * llm_window points, summed (rates) or averaged (latencies) over the stages that share the second.
 */
import type { Correlation } from '../pipeline/core/analysis.js';
import type { Point } from '../pipeline/core/point.js';
import { KV_CACHE_METRICS } from '../collectors/resources/server-metrics/presets.js';
import { spearman } from './stats/trend.js';
import type { ResourceTable } from './run-data.js';

export const CORRELATION_PARAMETERS = { maxLagS: 5, minPoints: 10 } as const;
const { maxLagS: MAX_LAG_S, minPoints: MIN_POINTS } = CORRELATION_PARAMETERS;
export const CORRELATION_METHOD = `Spearman's ρ per 1 s, best lag within ±${MAX_LAG_S} s (p Bonferroni-corrected for ${2 * MAX_LAG_S + 1} lags), at least ${MIN_POINTS} seconds`;

interface PairSpec {
  readonly resource: string;
  readonly performance: 'output_tps' | 'ttft_p50_ms' | 'schedule_lag_p95_ms';
  readonly series: (resources: ResourceTable) => Array<{ timesMs: Float64Array; values: Float64Array }>;
}

const PAIRS: readonly PairSpec[] = [
  { resource: 'gpu_util_pct', performance: 'output_tps', series: (r) => r.find('gpu', 'util_pct').map(columns) },
  { resource: 'kv_cache_usage', performance: 'ttft_p50_ms', series: (r) => r.all().filter((s) => s.measurement === 'engine_metric' && s.field === 'value' && KV_CACHE_METRICS.includes(s.tags.metric ?? '')).map(columns) },
  { resource: 'client_cpu_pct', performance: 'schedule_lag_p95_ms', series: (r) => r.find('process', 'cpu_pct', { role: 'client' }).map(columns) },
];

export function correlate(resources: ResourceTable, windows: readonly Point[]): Correlation[] {
  const out: Correlation[] = [];
  for (const pair of PAIRS) {
    const performance = perSecond(windows, pair.performance);
    const resource = resourcePerSecond(pair.series(resources));
    if (performance.size < MIN_POINTS || resource.size < MIN_POINTS) continue;
    let best: { rho: number; p: number; n: number; lag: number } | undefined;
    for (let lag = -MAX_LAG_S; lag <= MAX_LAG_S; lag++) {
      const xs: number[] = [];
      const ys: number[] = [];
      for (const [second, y] of performance) {
        const x = resource.get(second - lag);
        if (x === undefined) continue;
        xs.push(x);
        ys.push(y);
      }
      if (xs.length < MIN_POINTS) continue;
      const result = spearman(xs, ys);
      if (result && (!best || Math.abs(result.rho) > Math.abs(best.rho))) best = { ...result, lag };
    }
    if (best) out.push({ resource: pair.resource, performance: pair.performance, rho: best.rho, p: Math.min(1, best.p * (2 * MAX_LAG_S + 1)), n: best.n, lag_s: best.lag });
  }
  return out;
}

/** One value per whole second of window end (rates summed over stages, latencies averaged). */
function perSecond(windows: readonly Point[], field: PairSpec['performance']): Map<number, number> {
  const sums = new Map<number, { sum: number; count: number }>();
  for (const window of windows) {
    const value = window.fields[field];
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    const second = Math.round(window.time_ms / 1000);
    const entry = sums.get(second) ?? { sum: 0, count: 0 };
    entry.sum += value;
    entry.count++;
    sums.set(second, entry);
  }
  const rate = field === 'output_tps';
  return new Map([...sums].map(([second, { sum, count }]) => [second, rate ? sum : sum / count]));
}

/** Samples averaged per second (end − 1 s, end], keyed by the end second. */
function resourcePerSecond(series: ReadonlyArray<{ timesMs: Float64Array; values: Float64Array }>): Map<number, number> {
  const sums = new Map<number, { sum: number; count: number }>();
  for (const { timesMs, values } of series) {
    for (let i = 0; i < timesMs.length; i++) {
      const second = Math.ceil(timesMs[i]! / 1000);
      const entry = sums.get(second) ?? { sum: 0, count: 0 };
      entry.sum += values[i]!;
      entry.count++;
      sums.set(second, entry);
    }
  }
  return new Map([...sums].map(([second, { sum, count }]) => [second, sum / count]));
}

function columns(series: { timesMs: { view(): Float64Array }; values: { view(): Float64Array } }) {
  return { timesMs: series.timesMs.view(), values: series.values.view() };
}
