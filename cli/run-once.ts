/**
 * One benchmark run the way `llmbench run` makes it, shared by `run` and `schedule`: the scenario and flags
 * prepared into a plan (prepare-run.ts), the sinks registered (run-sinks.ts: run directory, analysis and reports,
 * InfluxDB when configured, progress), then runBenchmark. The caller owns the signal that cancels it (Ctrl-C and
 * SIGTERM handling differ between one run and a scheduler of many).
 */
import type { RunResult } from '../pipeline/core/run-result.js';
import { runBenchmark } from '../pipeline/run/run-benchmark.js';
import type { InfluxDbSink } from '../pipeline/sinks/influxdb.js';
import { prepareRun, type PrepareOptions, type PreparedRun } from './prepare-run.js';
import type { ProgressDisplay } from './progress.js';
import type { RunFlags } from './run-flags.js';
import { runSinks } from './run-sinks.js';

export interface RunOnceOptions extends PrepareOptions {
  readonly display: ProgressDisplay;
  readonly notice: (line: string) => void;
  readonly signal: AbortSignal;
  /** Called once the run is prepared and its sinks exist, before any load (the run directory and InfluxDB sink are known). */
  readonly onPrepared?: (prepared: PreparedRun, influx: InfluxDbSink | undefined) => void;
}

export interface RunOnceOutcome {
  readonly result: RunResult;
  readonly prepared: PreparedRun;
}

export async function runOnce(scenario: string | undefined, flags: RunFlags, options: RunOnceOptions): Promise<RunOnceOutcome> {
  const { display, notice, signal, onPrepared, ...prepare } = options;
  const prepared = await prepareRun(scenario, flags, prepare);
  const { sinks, influx } = runSinks({ dir: prepared.dir, influx: prepared.influx, display, notice, analysis: prepared.analysis, stopOnSaturation: prepared.stopOnSaturation });
  onPrepared?.(prepared, influx);
  const { result } = await runBenchmark(prepared.plan, {
    ...prepared.options,
    sinks,
    signal,
    // Analysis and --stop-on-saturation read the in-flight counter from progress events: at least once a second.
    progressIntervalMs: Math.min(display.intervalMs, 1000),
    onNotice: notice,
  });
  return { result, prepared };
}
