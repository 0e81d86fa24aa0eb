/**
 * `llmbench compare` (DESIGN §8): two sides (each a run, or repeats of one configuration pooled), metric by
 * metric. For a per-request metric: both sides' p50/p95/p99, the relative difference of the medians with a
 * bootstrap interval (each side's median resampled RESAMPLES times, seeded; bootstrap.ts makes a resample cost two
 * Beta draws) and a Mann-Whitney p-value. A run's requests are autocorrelated in send order (users that start
 * together share a batch), so both count them at their effective sample size (stats/design-effect.ts): the
 * bootstrap draws n / d per resample and the test's variance is widened by d. Output throughput is a rate over
 * time, so its sampling unit is time, not the request (DESIGN §8 says requests; resampling requests of equal
 * length gives an interval of zero width): the figure is the mean over whole 1 s windows, and the interval a
 * moving-block bootstrap of them (blocks keep the windows' autocorrelation); below MIN_WINDOWS windows it is not
 * judged. A metric is `regressed` or `improved` only when the change is significant at α (the interval at 1 − α
 * excludes 0, and p < α where there is one) and beyond the noise threshold; otherwise `unchanged`. Lower is
 * better for latencies, higher for rates. The overall verdict is over the gated metrics only: the scenario's
 * threshold metrics, else TTFT, ITL, e2e and output throughput.
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
import { bootstrapQuantile, percentileInterval } from './stats/bootstrap.js';
import { quantileDesignEffect, rankDesignEffect } from './stats/design-effect.js';
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
/** Whole 1 s windows a side needs for an interval of its output tokens/s. */
const MIN_WINDOWS = 5;

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
    if (a.sorted.length === 0 || b.sorted.length === 0) continue;
    const medianA = percentileSorted(a.sorted, 0.5);
    const medianB = percentileSorted(b.sorted, 0.5);
    // Requests of one run are autocorrelated in send order: resample at the effective sample size, and widen the
    // rank test's variance by the same measure (stats/design-effect.ts).
    const medianEffectA = quantileDesignEffect(a.inOrder, a.sorted, 0.5);
    const medianEffectB = quantileDesignEffect(b.inOrder, b.sorted, 0.5);
    const bootA = bootstrapQuantile(a.sorted, 0.5, resamples, sampler, medianEffectA);
    const bootB = bootstrapQuantile(b.sorted, 0.5, resamples, sampler, medianEffectB);
    const diffs = bootB.map((value, i) => relativePct(bootA[i]!, value));
    const interval = percentileInterval(diffs, 1 - alpha);
    const test = mannWhitney(a.sorted, b.sorted, { x: rankDesignEffect(a.inOrder, a.sorted), y: rankDesignEffect(b.inOrder, b.sorted) });
    const diff = relativePct(medianA, medianB);
    const significant = test !== null && test.p < alpha && excludesZero(interval);
    metrics[metric] = {
      base: { ...percentiles(a.sorted), n: a.sorted.length, n_effective: a.sorted.length / medianEffectA },
      cand: { ...percentiles(b.sorted), n: b.sorted.length, n_effective: b.sorted.length / medianEffectB },
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
    const significant = excludesZero(throughput.interval);
    metrics.output_tps = {
      base: { p50: throughput.base, p95: throughput.base, p99: throughput.base, n: throughput.baseRequests, n_effective: throughput.baseWindows },
      cand: { p50: throughput.cand, p95: throughput.cand, p99: throughput.cand, n: throughput.candRequests, n_effective: throughput.candWindows },
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
      difference: 'relative difference of the medians (p50); output_tps: of the mean output tokens/s over whole 1 s windows (each stage\'s first and last left out)',
      interval: `bootstrap percentile interval at ${((1 - alpha) * 100).toFixed(0)} %, ${resamples} resamples, seed ${seed}: of requests, m-out-of-n at the effective sample size n / design effect (Geyer's initial monotone sequence over the autocorrelation in send order); output_tps: moving-block bootstrap of the 1 s windows in blocks of up to ${BLOCK_WINDOWS}, not judged below ${MIN_WINDOWS} windows a side`,
      test: 'Mann-Whitney U, two-sided, normal approximation with tie and continuity correction, variance widened by the sides\' rank design effects',
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

/** A side's values of one metric over its ok requests: in send order (run after run) and sorted. */
function pooledValues(runs: readonly SideRun[], metric: TableMetric): { inOrder: Float64Array; sorted: Float64Array } {
  const values: number[] = [];
  for (const { data } of runs) {
    const status = data.requests.status.view();
    const column = data.requests.metrics[metric].view();
    for (let i = 0; i < column.length; i++) if (status[i] === STATUS_CODES.ok && !Number.isNaN(column[i]!)) values.push(column[i]!);
  }
  const inOrder = Float64Array.from(values);
  return { inOrder, sorted: Float64Array.from(inOrder).sort() };
}

/** Whether an interval lies clear of 0 (false for one that could not be computed). */
function excludesZero(interval: { low: number; high: number }): boolean {
  return Number.isFinite(interval.low) && Number.isFinite(interval.high) && !(interval.low <= 0 && interval.high >= 0);
}

/**
 * Output tokens/s of each side: the mean over its whole 1 s windows, each stage's partial first and last left out,
 * so a run's start and drain do not count (a closed loop's last round, started just before the end, moved tokens
 * over duration by 4 % between runs of one configuration), with a moving-block bootstrap interval of that mean.
 * With fewer than MIN_WINDOWS windows on a side there is no interval and the figure is tokens over duration.
 */
function outputThroughput(base: readonly SideRun[], cand: readonly SideRun[], resamples: number, alpha: number, sampler: Sampler) {
  const a = throughputSide(base, resamples, sampler);
  const b = throughputSide(cand, resamples, sampler);
  if (!a || !b) return undefined;
  const interval = a.resampled && b.resampled
    ? percentileInterval(b.resampled.map((value, i) => relativePct(a.resampled![i]!, value)), 1 - alpha)
    : { low: Number.NaN, high: Number.NaN };
  return { base: a.rate, cand: b.rate, diff: relativePct(a.rate, b.rate), interval, baseRequests: a.requests, candRequests: b.requests, baseWindows: a.windows, candWindows: b.windows };
}

function throughputSide(runs: readonly SideRun[], resamples: number, sampler: Sampler) {
  const tokens = pooledValues(runs, 'output_tokens').sorted;
  const seconds = runs.reduce((sum, run) => sum + run.result.summary.duration_ms / 1000, 0);
  if (tokens.length === 0 || seconds <= 0) return undefined;
  const windows: number[] = [];
  for (const run of runs) {
    const byStage = new Map<string, number[]>();
    for (const window of run.data.windows) {
      const value = window.fields.output_tps;
      if (typeof value !== 'number') continue;
      const stage = window.tags.stage ?? '';
      if (stage === 'warmup') continue;
      byStage.set(stage, [...(byStage.get(stage) ?? []), value]);
    }
    for (const values of byStage.values()) windows.push(...values.slice(1, -1));
  }
  if (windows.length < MIN_WINDOWS) {
    return { rate: tokens.reduce((sum, value) => sum + value, 0) / seconds, resampled: undefined, requests: tokens.length, windows: windows.length };
  }
  const rate = windows.reduce((sum, value) => sum + value, 0) / windows.length;
  const block = Math.min(BLOCK_WINDOWS, Math.max(1, Math.floor(windows.length / 2)));
  return { rate, resampled: blockBootstrapMean(windows, block, resamples, sampler), requests: tokens.length, windows: windows.length };
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
