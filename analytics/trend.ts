/**
 * `llmbench trend` (DESIGN §11): one scenario's runs in time order with their headline numbers, and the change
 * points across them (stats/change-points.ts: E-divisive proposals, Student t-test decisions, as Apache Otava does),
 * each naming the run that introduced it. Pure over a list of runs: reading them (run directories, Flux over
 * `llm_run` points) is trend-sources.ts's job.
 *
 * Runs are grouped by scenario name and workload fingerprint: a trend never mixes workloads. Only runs that
 * completed and are valid enter the series (a failed run has no numbers; an aborted one measured part of its
 * workload; an invalid one was distorted by its client, DESIGN §2.2); the others are listed as skipped.
 */
import { UsageError } from '../pipeline/core/errors.js';
import { REQUEST_METRICS } from '../pipeline/core/record.js';
import type { RunSummary } from '../pipeline/core/run-result.js';
import { SUMMARY_STATS, type SummaryStat } from '../pipeline/core/stats.js';
import { findChangePoints } from './stats/change-points.js';

export const DEFAULT_TREND_METRICS = ['ttft_ms:p95', 'itl_ms:p50', 'total_duration_ms:p95', 'output_tps'] as const;
/** Otava's default max_pvalue; the noise floor is compare's. */
export const TREND_DEFAULTS = { alpha: 0.001, noisePct: 2 } as const;

/** Run-level figures (summary.throughput and error_rate) a trend can follow besides METRIC:STAT. */
const RUN_FIGURES = ['rps', 'output_tps', 'total_tps', 'goodput_rps', 'error_rate'] as const;
const HIGHER_IS_BETTER = new Set<string>(['rps', 'output_tps', 'total_tps', 'goodput_rps', 'prompt_token_rate', 'eval_token_rate', 'eval_token_rate_engine', 'tokens_per_chunk']);

export interface TrendMetric {
  /** As given: `ttft_ms:p95` or `output_tps`. */
  readonly text: string;
  readonly metric: string;
  /** Null for a run-level figure. */
  readonly stat: SummaryStat | null;
  readonly higherIsBetter: boolean;
}

/** One run as a trend sees it. */
export interface TrendRun {
  readonly run_id: string;
  readonly started_at: string;
  readonly scenario: string;
  /** The workload fingerprint's hash. */
  readonly fingerprint: string;
  readonly engine: string;
  readonly model: string;
  readonly status: string;
  readonly valid: boolean;
  /** By TrendMetric.text; null where the run has no such number. */
  readonly metrics: Readonly<Record<string, number | null>>;
}

export interface TrendGroup {
  readonly scenario: string;
  readonly fingerprint: string;
  /** Oldest first. */
  readonly runs: readonly TrendRun[];
}

export interface TrendChangePoint {
  /** The first run after the change: the one that introduced it. */
  readonly run_id: string;
  readonly metric: string;
  /** Means of the metric over the runs before and after (between the neighbouring change points). */
  readonly before: number;
  readonly after: number;
  readonly diff_pct: number;
  readonly p: number;
  readonly verdict: 'regressed' | 'improved';
  /** Rests on the newest run alone; the next runs confirm or withdraw it. */
  readonly provisional: boolean;
}

export interface TrendReport {
  readonly scenario: string;
  readonly fingerprint: string;
  readonly runs: ReadonlyArray<{ run_id: string; started_at: string; engine: string; model: string; metrics: Readonly<Record<string, number | null>> }>;
  readonly change_points: readonly TrendChangePoint[];
  readonly skipped: ReadonlyArray<{ run_id: string; started_at: string; reason: string }>;
  /** True when a change point starts at the newest run (--fail-on-change exits 99). */
  readonly newest_run_changed: boolean;
  readonly method: { readonly change_points: string; readonly alpha: number; readonly noise_pct: number; readonly metrics: readonly string[] };
}

export interface TrendOptions {
  readonly alpha?: number;
  readonly noisePct?: number;
  /** Only the newest N runs that enter the series. */
  readonly last?: number;
}

/** `ttft_ms:p95` (a per-request metric and a summary statistic) or a run-level figure such as `output_tps`. */
export function parseTrendMetric(text: string): TrendMetric {
  const [metric = '', stat, extra] = text.split(':');
  if (extra === undefined && stat === undefined && (RUN_FIGURES as readonly string[]).includes(metric)) {
    return { text, metric, stat: null, higherIsBetter: HIGHER_IS_BETTER.has(metric) };
  }
  const metrics: readonly string[] = [...REQUEST_METRICS, 'itl_pooled_ms', 'icl_pooled_ms'];
  if (extra === undefined && metrics.includes(metric) && (SUMMARY_STATS as readonly string[]).includes(stat ?? '')) {
    return { text, metric, stat: stat as SummaryStat, higherIsBetter: HIGHER_IS_BETTER.has(metric) };
  }
  throw new UsageError(`--metric ${JSON.stringify(text)} is not a metric a trend can follow`, {
    hint: `use METRIC:STAT (e.g. ttft_ms:p95; stats ${SUMMARY_STATS.join(', ')}) or one of ${RUN_FIGURES.join(', ')}`,
  });
}

/** The metric's number in a run summary (run.json `summary`), null when the run has none. */
export function summaryValue(summary: RunSummary, metric: TrendMetric): number | null {
  const value =
    metric.stat === null
      ? metric.metric === 'error_rate' ? summary.error_rate : summary.throughput[metric.metric as keyof RunSummary['throughput']]
      : summary.metrics[metric.metric as keyof RunSummary['metrics']]?.[metric.stat];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Runs by scenario name and workload fingerprint, each group oldest first; groups by their newest run, newest first. */
export function groupRuns(runs: readonly TrendRun[]): TrendGroup[] {
  const groups = new Map<string, TrendRun[]>();
  for (const run of runs) {
    const key = `${run.scenario}\u0000${run.fingerprint}`;
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(run);
  }
  return [...groups.values()]
    .map((list) => {
      const sorted = [...list].sort((a, b) => timeOf(a) - timeOf(b) || a.run_id.localeCompare(b.run_id));
      return { scenario: sorted[0]!.scenario, fingerprint: sorted[0]!.fingerprint, runs: sorted };
    })
    .sort((a, b) => timeOf(b.runs[b.runs.length - 1]!) - timeOf(a.runs[a.runs.length - 1]!));
}

/**
 * The one group a trend is about: named by --scenario (and --fingerprint, a prefix of the hash, when the scenario
 * ran more than one workload), or the only group there is. Otherwise a usage error that lists the groups.
 */
export function selectGroup(groups: readonly TrendGroup[], where: { scenario?: string; fingerprint?: string }, source: string): TrendGroup {
  const matching = groups.filter(
    (group) => (where.scenario === undefined || group.scenario === where.scenario) && (where.fingerprint === undefined || group.fingerprint.startsWith(where.fingerprint)),
  );
  if (matching.length === 1) return matching[0]!;
  const list = (items: readonly TrendGroup[]) =>
    items.map((group) => `  --scenario ${group.scenario} --fingerprint ${group.fingerprint}: ${group.runs.length} run(s), newest ${group.runs[group.runs.length - 1]!.run_id} (${group.runs[group.runs.length - 1]!.started_at})`).join('\n');
  if (matching.length === 0) {
    const wanted = [where.scenario && `scenario ${where.scenario}`, where.fingerprint && `fingerprint ${where.fingerprint}…`].filter(Boolean).join(' and ');
    throw new UsageError(
      groups.length === 0 ? `${source} holds no runs` : `${source} holds no runs of ${wanted}; the runs there are:\n${list(groups)}`,
      { hint: groups.length === 0 ? 'point --runs at the run directory root (default runs/), or give the InfluxDB flags' : 'pick one of the groups above' },
    );
  }
  const what = where.scenario === undefined ? 'more than one scenario or workload' : `scenario ${where.scenario} with more than one workload`;
  throw new UsageError(`${source} holds ${what}; a trend follows one scenario and one workload fingerprint:\n${list(matching)}`, {
    hint: 'name one with --scenario NAME (and --fingerprint HASH when a scenario ran several workloads)',
  });
}

export function analyzeTrend(group: TrendGroup, metrics: readonly TrendMetric[], options: TrendOptions = {}): TrendReport {
  const alpha = options.alpha ?? TREND_DEFAULTS.alpha;
  const noisePct = options.noisePct ?? TREND_DEFAULTS.noisePct;
  const skipped: Array<{ run_id: string; started_at: string; reason: string }> = [];
  let series: TrendRun[] = [];
  for (const run of group.runs) {
    const reason = run.status !== 'completed' ? `status ${run.status}` : !run.valid ? 'invalid (the client distorted it: see its validity checks)' : undefined;
    if (reason) skipped.push({ run_id: run.run_id, started_at: run.started_at, reason });
    else series.push(run);
  }
  if (options.last !== undefined) series = series.slice(-options.last);
  const changePoints: TrendChangePoint[] = [];
  for (const metric of metrics) {
    const withValue = series.filter((run) => run.metrics[metric.text] != null);
    const values = withValue.map((run) => run.metrics[metric.text]!);
    for (const change of findChangePoints(values, { alpha, minMagnitudePct: noisePct })) {
      const better = metric.higherIsBetter ? change.after > change.before : change.after < change.before;
      changePoints.push({
        run_id: withValue[change.index]!.run_id,
        metric: metric.text,
        before: change.before,
        after: change.after,
        diff_pct: change.diffPct,
        p: change.p,
        verdict: better ? 'improved' : 'regressed',
        provisional: change.provisional,
      });
    }
  }
  const order = new Map(series.map((run, i) => [run.run_id, i]));
  changePoints.sort((a, b) => order.get(a.run_id)! - order.get(b.run_id)! || a.metric.localeCompare(b.metric));
  const newest = series[series.length - 1];
  return {
    scenario: group.scenario,
    fingerprint: group.fingerprint,
    runs: series.map((run) => ({ run_id: run.run_id, started_at: run.started_at, engine: run.engine, model: run.model, metrics: run.metrics })),
    change_points: changePoints,
    skipped,
    newest_run_changed: newest !== undefined && changePoints.some((change) => change.run_id === newest.run_id),
    method: {
      change_points:
        'E-divisive (energy statistic with exponent 1) proposes each split; Student two-sample t-test (pooled variance, two-sided) keeps it when p < alpha and the means differ by more than noise_pct; then every change point is re-tested against its neighbours (Apache Otava\'s method). Segments of at least 2 runs; the newest run may stand alone (provisional)',
      alpha,
      noise_pct: noisePct,
      metrics: metrics.map((metric) => metric.text),
    },
  };
}

function timeOf(run: TrendRun): number {
  const ms = Date.parse(run.started_at);
  return Number.isFinite(ms) ? ms : 0;
}
