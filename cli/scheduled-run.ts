/**
 * One tick of `llmbench schedule` (DESIGN §11): the run, made as `llmbench run` makes it (run-once.ts) into
 * `<runs-dir>/<run_id>/` (and InfluxDB when configured), then the run against the scenario's recent runs
 * (analytics/baseline.ts: the newest N completed, valid runs of the same scenario and workload fingerprint, as
 * repeats). On a regression of a gated metric it is logged, recorded as `regression.json` in the run's directory
 * and, with InfluxDB, written as `llm_regression` points (one per regressed metric) that the trends dashboard shows.
 * A run that fails is logged (its run.json says `failed` and why) and the scheduler goes on.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Comparison } from '../pipeline/core/analysis.js';
import { BenchError } from '../pipeline/core/errors.js';
import type { RunResult } from '../pipeline/core/run-result.js';
import { fingerprintOfRun } from '../pipeline/scenario/fingerprint.js';
import { redactUrl, type InfluxConfig } from '../pipeline/sinks/influx-config.js';
import { regressionPoints } from '../pipeline/sinks/points.js';
import { writeAtomically } from '../pipeline/sinks/run-directory.js';
import { readRunDirectory } from '../pipeline/sinks/run-directory-reader.js';
import { RUN_FILES } from '../pipeline/sinks/run-files.js';
import { writePoints } from '../pipeline/sinks/write-points.js';
import { compareWithRecent, recentRuns } from '../analytics/baseline.js';
import { runDataFromDirectory } from '../analytics/run-data-source.js';
import { createProgressDisplay } from './progress.js';
import type { RunFlags } from './run-flags.js';
import { runOnce } from './run-once.js';

/** The file a regression is recorded in, in the run's directory. */
export const REGRESSION_FILE = 'regression.json';

export interface ScheduledRunOptions {
  readonly runsDir: string;
  /** How many recent runs the new one is compared with. */
  readonly baselineRuns: number;
  readonly log: (line: string) => void;
  readonly signal: AbortSignal;
}

export async function scheduledRun(scenario: string | undefined, flags: RunFlags, options: ScheduledRunOptions): Promise<void> {
  const { log } = options;
  const display = await createProgressDisplay(flags.quiet ? 'quiet' : 'lines');
  let dir: string | undefined;
  let influx: InfluxConfig | undefined;
  let result: RunResult;
  try {
    ({ result } = await runOnce(scenario, flags, {
      runsDir: options.runsDir,
      display,
      notice: (line) => log(`  ${line}`),
      signal: options.signal,
      onPrepared: (prepared) => {
        dir = prepared.dir;
        influx = prepared.influx;
        log(`run ${prepared.runId} (${prepared.scenario.name}) → ${prepared.dir}`);
      },
    }));
  } catch (error) {
    const code = error instanceof BenchError ? `[${error.code}] ` : '';
    const recorded = dir !== undefined && existsSync(join(dir, RUN_FILES.run)) ? `; recorded in ${join(dir, RUN_FILES.run)}` : '';
    log(`run failed: ${code}${(error as Error).message}${recorded}`);
    return;
  }
  const runDir = dir!;
  const summary = result.summary;
  log(
    `run ${result.run_id} ${result.status}${result.abort_reason ? ` (${result.abort_reason})` : ''}: ${summary.requests.ok}/${summary.requests.total} ok, ` +
      `TTFT p95 ${summary.metrics.ttft_ms?.p95.toFixed(1) ?? '-'} ms, ${summary.throughput.output_tps.toFixed(1)} output tok/s`,
  );
  if (result.status !== 'completed' || options.signal.aborted) return;

  const recent = await recentRuns(options.runsDir, result, options.baselineRuns, (line) => log(`  warning: ${line}`));
  if (recent.length === 0) {
    log(`  no earlier completed run of ${result.scenario.name} with workload ${fingerprintOfRun(result)?.hash ?? '?'} in ${options.runsDir}: nothing to compare with yet`);
    return;
  }
  const view = await readRunDirectory(runDir);
  const comparison = compareWithRecent({ dir: runDir, result: view.result, data: await runDataFromDirectory(view) }, recent)!;
  const against = `against the ${recent.length} run(s) before (${recent.map((run) => run.result.run_id).join(', ')})`;
  if (comparison.verdict !== 'regressed') {
    log(`  ${comparison.verdict} ${against}`);
    return;
  }
  const regressed = Object.entries(comparison.metrics).filter(([, metric]) => metric.gated && metric.verdict === 'regressed');
  for (const [metric, compared] of regressed) {
    log(`  REGRESSION ${metric}: ${compared.diff_pct >= 0 ? '+' : ''}${compared.diff_pct.toFixed(1)} % (CI ${compared.ci_low_pct.toFixed(1)} … ${compared.ci_high_pct.toFixed(1)} %) ${against}`);
  }
  await writeAtomically(join(runDir, REGRESSION_FILE), JSON.stringify(regressionRecord(result, comparison, recent.map((run) => run.result.run_id)), null, 2) + '\n');
  log(`  recorded in ${join(runDir, REGRESSION_FILE)}`);
  if (influx) {
    const written = await writePoints(influx, regressionPoints(result, comparison, recent.length), { onNotice: (line) => log(`  influxdb: ${line}`) });
    log(
      written.unsent === 0
        ? `  ${written.written} llm_regression point(s) written to ${redactUrl(influx.url)} bucket ${influx.bucket}`
        : `  ${written.unsent} llm_regression point(s) NOT written to ${redactUrl(influx.url)} (${written.lastError ?? 'unknown error'}); ${REGRESSION_FILE} has them`,
    );
  }
}

/** regression.json: which run regressed, against which runs, in which metrics, with the whole comparison. */
function regressionRecord(result: RunResult, comparison: Comparison, baseRunIds: readonly string[]) {
  return {
    run_id: result.run_id,
    scenario: result.scenario.name,
    engine: result.target.engine,
    model: result.target.model,
    workload_fingerprint: fingerprintOfRun(result)?.hash ?? null,
    base_runs: baseRunIds,
    regressed: Object.entries(comparison.metrics)
      .filter(([, metric]) => metric.gated && metric.verdict === 'regressed')
      .map(([metric, compared]) => ({ metric, diff_pct: compared.diff_pct, ci_low_pct: compared.ci_low_pct, ci_high_pct: compared.ci_high_pct, p: compared.p })),
    comparison,
  };
}
