/**
 * `llmbench compare` (DESIGN §8): two sides (each a run, or repeats of one configuration pooled), metric by
 * metric. For a per-request metric: both sides' p50/p95/p99, the relative difference of the medians with a
 * bootstrap interval (each side's median resampled RESAMPLES times, seeded; bootstrap.ts makes a resample cost two
 * Beta draws) and a Mann-Whitney p-value. Output throughput is a rate over time, so its sampling unit is time, not
 * the request (DESIGN §8 says requests; resampling requests of equal length gives an interval of zero width): the
 * figure is each side's tokens over its duration, and the interval resamples its 1 s windows in blocks of
 * BLOCK_WINDOWS (a moving-block bootstrap, which keeps the windows' autocorrelation), falling back to resampling
 * requests for a run with fewer than MIN_WINDOWS windows. A metric is `regressed` or `improved` only when the change is significant at
 * α (the interval at 1 − α excludes 0, and p < α where there is one) and beyond the noise threshold; otherwise
 * `unchanged`. Lower is better for latencies, higher for rates. The overall verdict is over the gated metrics
 * only: the scenario's threshold metrics, else TTFT, ITL, e2e and output throughput.
 *
 * The false-positive rate (two runs of one configuration called changed) is measured in bench/analytics.
 */
import type { ComparedSide, Comparison, MetricComparison, Verdict } from '../pipeline/core/analysis.js';
import { AnalyticsError } from '../pipeline/core/errors.js';
import type { RunResult, WorkloadFingerprint } from '../pipeline/core/run-result.js';
import { percentileSorted } from '../pipeline/core/stats.js';
import { fingerprintDifferences, workloadFingerprint } from '../pipeline/scenario/fingerprint.js';
import type { Scenario } from '../pipeline/scenario/schema.js';
import { formatPct, formatValue } from './format.js';
import { STATUS_CODES, type RunData, type TableMetric } from './run-data.js';
import { bootstrapMean, bootstrapQuantile, percentileInterval } from './stats/bootstrap.js';
import { mannWhitney } from './stats/mann-whitney.js';
import { seededSampler, type Sampler } from './stats/random.js';

export const COMPARE_DEFAULTS = { noisePct: 2, alpha: 0.05, resamples: 10_000, seed: 1 } as const;

/** Per-request metrics compared, and whether higher is better. */
const REQUEST_METRICS: ReadonlyArray<readonly [TableMetric, boolean]> = [
  ['ttft_ms', false],
  ['itl_ms', false],
  ['tpot_ms', false],
  ['total_duration_ms', false],
  ['e2e_from_schedule_ms', false],
  ['prompt_token_rate', true],
  ['eval_token_rate', true],
];
const DEFAULT_GATED = ['ttft_ms', 'itl_ms', 'total_duration_ms', 'output_tps'];
const BLOCK_WINDOWS = 5;
const MIN_WINDOWS = 10;

export interface CompareOptions {
  readonly noisePct?: number;
  readonly alpha?: number;
  readonly resamples?: number;
  readonly seed?: number;
  /** Compare even when the workloads differ (the differences are listed). */
  readonly allowDifferentWorkload?: boolean;
}

export interface SideRun {
  readonly dir: string;
  readonly result: RunResult;
  readonly data: RunData;
}

export function compareRuns(base: readonly SideRun[], cand: readonly SideRun[], options: CompareOptions = {}): Comparison {
  const noisePct = options.noisePct ?? COMPARE_DEFAULTS.noisePct;
  const alpha = options.alpha ?? COMPARE_DEFAULTS.alpha;
  const resamples = options.resamples ?? COMPARE_DEFAULTS.resamples;
  const seed = options.seed ?? COMPARE_DEFAULTS.seed;
  if (base.length === 0 || cand.length === 0) throw new AnalyticsError('RUN_NOT_FOUND', 'compare needs at least one run on each side');

  const differences = workloadDifferences(base, cand);
  if (differences.length > 0 && !options.allowDifferentWorkload) {
    throw new AnalyticsError('WORKLOAD_MISMATCH', `the two sides ran different workloads: ${differences.join('; ')}`, {
      hint: 'compare runs of one workload (engines and builds may differ), or pass --allow-different-workload to compare anyway',
    });
  }
  const gated = gatedMetrics(base[0]!.result);
  const sampler = seededSampler(seed);
  const metrics: Record<string, MetricComparison> = {};
  for (const [metric, higherIsBetter] of REQUEST_METRICS) {
    const a = pooledValues(base, metric);
    const b = pooledValues(cand, metric);
    if (a.length === 0 || b.length === 0) continue;
    const medianA = percentileSorted(a, 0.5);
    const medianB = percentileSorted(b, 0.5);
    const bootA = bootstrapQuantile(a, 0.5, resamples, sampler);
    const bootB = bootstrapQuantile(b, 0.5, resamples, sampler);
    const diffs = bootB.map((value, i) => relativePct(bootA[i]!, value));
    const interval = percentileInterval(diffs, 1 - alpha);
    const test = mannWhitney(a, b);
    const diff = relativePct(medianA, medianB);
    const significant = test !== null && test.p < alpha && !(interval.low <= 0 && interval.high >= 0);
    metrics[metric] = {
      base: { ...percentiles(a), n: a.length },
      cand: { ...percentiles(b), n: b.length },
      diff_pct: diff,
      ci_low_pct: interval.low,
      ci_high_pct: interval.high,
      p: test?.p ?? null,
      verdict: verdictOf(diff, significant, noisePct, higherIsBetter),
      gated: gated.includes(metric),
      higher_is_better: higherIsBetter,
    };
  }
  const throughput = outputThroughput(base, cand, resamples, alpha, sampler);
  if (throughput) {
    const significant = !(throughput.interval.low <= 0 && throughput.interval.high >= 0);
    metrics.output_tps = {
      base: { p50: throughput.base, p95: throughput.base, p99: throughput.base, n: throughput.baseRequests },
      cand: { p50: throughput.cand, p95: throughput.cand, p99: throughput.cand, n: throughput.candRequests },
      diff_pct: throughput.diff,
      ci_low_pct: throughput.interval.low,
      ci_high_pct: throughput.interval.high,
      p: null,
      verdict: verdictOf(throughput.diff, significant, noisePct, true),
      gated: gated.includes('output_tps'),
      higher_is_better: true,
    };
  }
  const gatedVerdicts = Object.values(metrics).filter((metric) => metric.gated).map((metric) => metric.verdict);
  const verdict: Verdict = gatedVerdicts.includes('regressed') ? 'regressed' : gatedVerdicts.includes('improved') ? 'improved' : 'unchanged';
  const comparison: Omit<Comparison, 'summary'> = {
    verdict,
    workload_match: differences.length === 0,
    workload_differences: differences,
    base: sideOf(base),
    cand: sideOf(cand),
    metrics,
    method: {
      difference: 'relative difference of the medians (p50); output_tps: of tokens per second',
      interval: `bootstrap percentile interval at ${((1 - alpha) * 100).toFixed(0)} %, ${resamples} resamples, seed ${seed}: of requests (output_tps: of 1 s windows in blocks of ${BLOCK_WINDOWS})`,
      test: 'Mann-Whitney U, two-sided, normal approximation with tie and continuity correction',
      alpha,
      noise_pct: noisePct,
      gated: gated.join(', '),
    },
  };
  return { ...comparison, summary: summarize(comparison) };
}

function summarize(comparison: Omit<Comparison, 'summary'>): string[] {
  const lines: string[] = [];
  for (const [name, metric] of Object.entries(comparison.metrics)) {
    if (metric.verdict === 'unchanged') continue;
    const p = metric.p === null ? '' : `, p ${formatP(metric.p)}`;
    lines.push(
      `${name}${name === 'output_tps' ? '' : ' p50'} ${formatValue(metric.base.p50, name)} → ${formatValue(metric.cand.p50, name)}: ${formatPct(metric.diff_pct)} (CI ${formatPct(metric.ci_low_pct)} … ${formatPct(metric.ci_high_pct)}${p}), ${metric.verdict}${metric.gated ? '' : ' (not gated)'}`,
    );
  }
  const sides = `${comparison.cand.engine} ${comparison.cand.model} against ${comparison.base.engine} ${comparison.base.model}`;
  lines.push(
    comparison.verdict === 'unchanged'
      ? `${sides}: no gated metric changed beyond noise (${comparison.method.noise_pct} %) at α = ${comparison.method.alpha}`
      : `${sides}: ${comparison.verdict}`,
  );
  return lines;
}

function verdictOf(diffPct: number, significant: boolean, noisePct: number, higherIsBetter: boolean): Verdict {
  if (!significant || !Number.isFinite(diffPct) || Math.abs(diffPct) <= noisePct) return 'unchanged';
  const better = higherIsBetter ? diffPct > 0 : diffPct < 0;
  return better ? 'improved' : 'regressed';
}

function pooledValues(runs: readonly SideRun[], metric: TableMetric): Float64Array {
  const values: number[] = [];
  for (const { data } of runs) {
    const status = data.requests.status.view();
    const column = data.requests.metrics[metric].view();
    for (let i = 0; i < column.length; i++) if (status[i] === STATUS_CODES.ok && !Number.isNaN(column[i]!)) values.push(column[i]!);
  }
  return Float64Array.from(values).sort();
}

/** Output tokens/s of each side: tokens of its ok requests over the sum of its runs' durations, with the interval above. */
function outputThroughput(base: readonly SideRun[], cand: readonly SideRun[], resamples: number, alpha: number, sampler: Sampler) {
  const a = throughputSide(base, resamples, sampler);
  const b = throughputSide(cand, resamples, sampler);
  if (!a || !b) return undefined;
  const diffs = b.resampled.map((value, i) => relativePct(a.resampled[i]!, value));
  return { base: a.rate, cand: b.rate, diff: relativePct(a.rate, b.rate), interval: percentileInterval(diffs, 1 - alpha), baseRequests: a.requests, candRequests: b.requests };
}

function throughputSide(runs: readonly SideRun[], resamples: number, sampler: Sampler) {
  const tokens = pooledValues(runs, 'output_tokens');
  const seconds = runs.reduce((sum, run) => sum + run.result.summary.duration_ms / 1000, 0);
  if (tokens.length === 0 || seconds <= 0) return undefined;
  const rate = tokens.reduce((sum, value) => sum + value, 0) / seconds;
  // Each run's whole seconds of output tokens/s, without the partial first and last window of each stage.
  const windows: number[] = [];
  for (const run of runs) {
    const byStage = new Map<string, number[]>();
    for (const window of run.data.windows) {
      const value = window.fields.output_tps;
      if (typeof value !== 'number') continue;
      const stage = window.tags.stage ?? '';
      byStage.set(stage, [...(byStage.get(stage) ?? []), value]);
    }
    for (const values of byStage.values()) windows.push(...values.slice(1, -1));
  }
  let resampled: Float64Array;
  if (windows.length >= MIN_WINDOWS) {
    const mean = windows.reduce((sum, value) => sum + value, 0) / windows.length;
    // Scaled to the figure, so the interval is of tokens over duration, as the point estimate is.
    resampled = blockBootstrapMean(windows, BLOCK_WINDOWS, resamples, sampler).map((value) => (mean > 0 ? (value / mean) * rate : Number.NaN));
  } else {
    resampled = bootstrapMean(tokens, resamples, sampler).map((mean) => (mean * tokens.length) / seconds);
  }
  return { rate, resampled, requests: tokens.length };
}

/** Moving-block bootstrap of a series' mean: blocks of `block` consecutive values drawn with replacement. */
function blockBootstrapMean(values: readonly number[], block: number, resamples: number, sampler: Sampler): Float64Array {
  const n = values.length;
  const starts = Math.max(1, n - block + 1);
  const blocks = Math.ceil(n / block);
  const out = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    let count = 0;
    for (let b = 0; b < blocks; b++) {
      const start = sampler.index(starts);
      for (let i = start; i < Math.min(start + block, n) && count < n; i++, count++) sum += values[i]!;
    }
    out[r] = sum / count;
  }
  return out;
}

function percentiles(sorted: Float64Array) {
  return { p50: percentileSorted(sorted, 0.5), p95: percentileSorted(sorted, 0.95), p99: percentileSorted(sorted, 0.99) };
}

function relativePct(base: number, cand: number): number {
  return base !== 0 ? ((cand - base) / base) * 100 : Number.NaN;
}

/** The scenario's threshold metrics that compare knows, else the default four. */
function gatedMetrics(result: RunResult): string[] {
  const thresholds = (result.scenario.thresholds ?? {}) as Record<string, unknown>;
  const known = new Set<string>([...REQUEST_METRICS.map(([metric]) => metric), 'output_tps']);
  const named = Object.keys(thresholds).filter((metric) => known.has(metric));
  return named.length > 0 ? named : DEFAULT_GATED;
}

function sideOf(runs: readonly SideRun[]): ComparedSide {
  const first = runs[0]!.result;
  return {
    runs: runs.map((run) => ({ run_id: run.result.run_id, dir: run.dir, started_at: run.result.started_at })),
    engine: first.target.engine,
    model: first.target.model,
    url: first.target.url,
    requests: runs.reduce((sum, run) => sum + run.result.summary.requests.ok, 0),
  };
}

/** What differs between the sides' workloads (and within a side's repeats), one line each. */
function workloadDifferences(base: readonly SideRun[], cand: readonly SideRun[]): string[] {
  const all = [...base, ...cand];
  const reference = fingerprintOf(all[0]!.result);
  const lines = new Set<string>();
  for (const run of all.slice(1)) {
    for (const line of fingerprintDifferences(reference, fingerprintOf(run.result))) lines.add(`${line} (run ${run.result.run_id})`);
  }
  return [...lines];
}

/** The run's own fingerprint; for a run written before fingerprints, recomputed from its resolved scenario. */
export function fingerprintOf(result: RunResult): WorkloadFingerprint {
  return result.workload_fingerprint ?? workloadFingerprint(result.scenario as unknown as Scenario);
}

/** "= 0.0123", "= 3.1e-7", "< 1e-15" (below double precision's resolution of the normal tail). */
export function formatP(p: number): string {
  if (p < 1e-15) return '< 1e-15';
  return `= ${p < 1e-4 ? p.toExponential(1) : p.toFixed(4)}`;
}
