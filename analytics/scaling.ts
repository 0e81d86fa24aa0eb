/**
 * Scaling per level (DESIGN §8): throughput, goodput, errors, latency percentiles and the exact time-average of
 * requests in flight, with Little's law as a cross-check of the client's counting and timing (the contract in
 * pipeline/core/analysis.ts): λ = ok completions / (last completion − first send), W = their mean
 * total_duration_ms, L = Σ over the level's requests of their time in flight within that span / span. When the
 * run sampled the workers' shared in-flight counter (live analysis), its mean is also compared with the records'
 * exact average over the same seconds: the counter is kept apart from the records, so the two differ only by
 * sampling when no record was lost.
 */
import type { LevelPercentiles, ScalingLevel } from '../pipeline/core/analysis.js';
import { percentileSorted } from '../pipeline/core/stats.js';
import { sortedValues, type LoadLevel } from './levels.js';
import { STATUS_CODES, type RequestTable, type TableMetric } from './run-data.js';

export const SCALING_METRICS: readonly TableMetric[] = ['ttft_ms', 'itl_ms', 'tpot_ms', 'total_duration_ms', 'e2e_from_schedule_ms'];

/** The workers' in-flight counter as the run sampled it (progress events). */
export type CounterSamples = ReadonlyArray<{ readonly atMs: number; readonly value: number }>;

/** Below this many samples inside a level the counter comparison is left out: sampling alone would dominate. */
export const MIN_COUNTER_SAMPLES = 5;

export function scalingLevel(table: RequestTable, level: LoadLevel, counter: CounterSamples | undefined): ScalingLevel {
  const status = table.status.view();
  const sent = table.sentMs.view();
  const done = table.doneMs.view();
  let firstSendMs = Number.POSITIVE_INFINITY;
  let lastDoneMs = Number.NEGATIVE_INFINITY;
  let busyMs = 0;
  let completed = 0;
  for (const row of level.rows) {
    if (status[row] === STATUS_CODES.dropped) continue;
    firstSendMs = Math.min(firstSendMs, sent[row]!);
    lastDoneMs = Math.max(lastDoneMs, done[row]!);
    busyMs += Math.max(done[row]! - sent[row]!, 0);
    completed++;
  }
  const spanMs = lastDoneMs - firstSendMs;
  const inFlightMean = spanMs > 0 ? busyMs / spanMs : 0;
  const metrics: Record<string, LevelPercentiles> = {};
  for (const metric of SCALING_METRICS) {
    const values = sortedValues(table, level.rows, metric);
    if (values.length > 0) metrics[metric] = { p50: percentileSorted(values, 0.5), p95: percentileSorted(values, 0.95), p99: percentileSorted(values, 0.99) };
  }
  const okDurations = sortedValues(table, level.rows, 'total_duration_ms');
  const lambda = spanMs > 0 ? okDurations.length / (spanMs / 1000) : Number.NaN;
  const meanDurationS = okDurations.length ? okDurations.reduce((sum, value) => sum + value, 0) / okDurations.length / 1000 : Number.NaN;
  const rpsTimesLatency = lambda * meanDurationS;
  const inside = (counter ?? []).filter((sample) => sample.atMs >= firstSendMs && sample.atMs <= lastDoneMs);
  let counterCheck: NonNullable<ScalingLevel['littles_law']>['counter'] = null;
  if (inside.length >= MIN_COUNTER_SAMPLES) {
    const fromMs = inside[0]!.atMs;
    const toMs = inside[inside.length - 1]!.atMs;
    const mean = inside.reduce((sum, sample) => sum + sample.value, 0) / inside.length;
    const recordsMean = averageInFlight(level.rows, status, sent, done, fromMs, toMs);
    counterCheck = { samples: inside.length, mean, records_mean: recordsMean, error_pct: recordsMean > 0 ? (Math.abs(mean - recordsMean) / recordsMean) * 100 : 0 };
  }
  const summary = level.stage;
  return {
    level: level.level,
    kind: level.kind,
    stage: summary.name,
    steady: level.steady,
    requests: summary.requests.total,
    rps: summary.throughput.rps,
    output_tps: summary.throughput.output_tps,
    goodput_rps: summary.throughput.goodput_rps,
    error_rate: summary.error_rate,
    in_flight_mean: inFlightMean,
    metrics,
    littles_law: inFlightMean > 0 && Number.isFinite(rpsTimesLatency)
      ? { in_flight_mean: inFlightMean, rps_x_latency: rpsTimesLatency, error_pct: (Math.abs(inFlightMean - rpsTimesLatency) / inFlightMean) * 100, counter: counterCheck }
      : null,
  };
}

/** Exact mean of requests in flight over [fromMs, toMs] (or at fromMs when the two coincide), from the stamps. */
function averageInFlight(rows: readonly number[], status: Float64Array, sent: Float64Array, done: Float64Array, fromMs: number, toMs: number): number {
  if (toMs <= fromMs) {
    let count = 0;
    for (const row of rows) if (status[row] !== STATUS_CODES.dropped && sent[row]! <= fromMs && done[row]! > fromMs) count++;
    return count;
  }
  let busyMs = 0;
  for (const row of rows) {
    if (status[row] === STATUS_CODES.dropped) continue;
    busyMs += Math.max(0, Math.min(done[row]!, toMs) - Math.max(sent[row]!, fromMs));
  }
  return busyMs / (toMs - fromMs);
}
