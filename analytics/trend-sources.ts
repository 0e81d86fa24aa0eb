/**
 * Where `llmbench trend` gets its runs (DESIGN §11): a folder of run directories, read with the one reader
 * (pipeline/sinks/run-directory-reader.ts), or InfluxDB, with Flux over the `llm_run` points
 * (analytics/flux/trend-runs.flux). Both give the same TrendRun objects; the analysis (trend.ts) does not know
 * which it got.
 */
import { BenchError, UsageError } from '../pipeline/core/errors.js';
import type { RunResult } from '../pipeline/core/run-result.js';
import { fingerprintOfRun } from '../pipeline/scenario/fingerprint.js';
import { HEADLINE_METRICS, HEADLINE_STATS, RUN_FIGURE_FIELDS, statFieldName } from '../pipeline/sinks/points.js';
import { readRunDirectory } from '../pipeline/sinks/run-directory-reader.js';
import { runDirectoriesIn } from './compare-sources.js';
import type { FluxSource, TimeRange } from './flux-source.js';
import { epochMsOf } from './flux-source.js';
import { summaryValue, type TrendMetric, type TrendRun } from './trend.js';

/** Every run directory directly under `root` (a folder that cannot be read is skipped with a warning). */
export async function trendRunsFromDirectories(root: string, metrics: readonly TrendMetric[], onWarning: (line: string) => void = () => {}): Promise<TrendRun[]> {
  const runs: TrendRun[] = [];
  for (const dir of await runDirectoriesIn(root)) {
    try {
      const view = await readRunDirectory(dir, { onWarning });
      runs.push(trendRunOf(view.result, metrics));
    } catch (error) {
      if (!(error instanceof BenchError)) throw error;
      onWarning(`${dir} left out: ${error.message}`);
    }
  }
  return runs;
}

/** A run's entry from its run.json. */
export function trendRunOf(result: RunResult, metrics: readonly TrendMetric[]): TrendRun {
  return {
    run_id: result.run_id,
    started_at: result.started_at,
    scenario: result.scenario.name,
    fingerprint: fingerprintOfRun(result)?.hash ?? 'unknown',
    engine: result.target.engine,
    model: result.target.model,
    status: result.status,
    valid: result.valid,
    metrics: Object.fromEntries(metrics.map((metric) => [metric.text, summaryValue(result.summary, metric)])),
  };
}

/** The `llm_run` field that holds a metric (pipeline/sinks/points.ts runPoint), or a usage error naming those there are. */
export function llmRunField(metric: TrendMetric): string {
  if (metric.stat === null) return metric.metric;
  const known = (HEADLINE_METRICS as readonly string[]).includes(metric.metric) && (HEADLINE_STATS as readonly string[]).includes(metric.stat);
  if (!known) {
    throw new UsageError(`--metric ${metric.text} is not on the llm_run points InfluxDB holds`, {
      hint: `from InfluxDB a trend can follow ${HEADLINE_METRICS.join(', ')} with ${HEADLINE_STATS.join(', ')}, and ${RUN_FIGURE_FIELDS.join(', ')}; every metric is in the run directories (--runs DIR)`,
    });
  }
  return statFieldName(metric.metric, metric.stat);
}

/** The runs InfluxDB has `llm_run` points of: of one scenario, or of all when `scenario` is undefined. */
export async function trendRunsFromFlux(source: FluxSource, metrics: readonly TrendMetric[], scenario: string | undefined, range: TimeRange = {}): Promise<TrendRun[]> {
  const fields = metrics.map((metric) => [metric.text, llmRunField(metric)] as const);
  const rows = await source.rows('trend-runs', { scenario: scenario ?? '', start: range.start ?? new Date(0), stop: range.stop ?? new Date() });
  return rows.map((row) => ({
    run_id: String(row.run_id),
    // Points written before started_at was a field: the run's end (the point's time) stands in.
    started_at: typeof row.started_at === 'string' && row.started_at !== '' ? row.started_at : new Date(epochMsOf(String(row._time))).toISOString(),
    scenario: String(row.scenario),
    fingerprint: typeof row.workload_hash === 'string' && row.workload_hash !== '' ? row.workload_hash : 'unknown',
    engine: String(row.engine ?? ''),
    model: String(row.model ?? ''),
    status: String(row.status ?? 'unknown'),
    valid: row.valid === true,
    metrics: Object.fromEntries(fields.map(([text, field]) => [text, typeof row[field] === 'number' && Number.isFinite(row[field]) ? (row[field] as number) : null])),
  }));
}
