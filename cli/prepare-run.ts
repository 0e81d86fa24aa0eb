/**
 * From `run` flags to what runBenchmark takes: the scenario (preset or file) with flags over it, compiled to a
 * plan; thresholds and the goodput SLOs they imply; monitoring; the InfluxDB settings. This is where commander's
 * strings end: everything below receives typed, checked options. Every problem fails before any load with a
 * message that names the flag or file.
 */
import { join } from 'node:path';
import type { RequestMetric } from '../pipeline/core/record.js';
import { REQUEST_METRICS } from '../pipeline/core/record.js';
import type { ExecutionPlan } from '../pipeline/core/plan.js';
import { UsageError } from '../pipeline/core/errors.js';
import type { RunOptions } from '../pipeline/run/run-benchmark.js';
import type { RequestSlo } from '../pipeline/run/summary-collector.js';
import { datasetSha256 } from '../pipeline/run/dataset.js';
import { newRunId } from '../pipeline/run/run-id.js';
import {
  applyOverrides,
  compileLevelSearch,
  compileScenario,
  compileThresholds,
  evaluateThresholds,
  loadScenario,
  WORKLOAD_FLAGS,
  workloadFingerprint,
  type Scenario,
  type ScenarioOverrides,
  type Threshold,
} from '../pipeline/scenario/index.js';
import { resolveInfluxConfig, type InfluxConfig } from '../pipeline/sinks/influx-config.js';
import { clientTuning } from '../pipeline/tuning/process-tuning.js';
import { adapterFor } from '../collectors/engines/index.js';
import { measureColdStart, type ColdStartResult } from '../collectors/resources/docker/cold-start.js';
import { gpuInventory } from '../collectors/resources/gpu/gpu-inventory.js';
import { parseGpuMode } from '../collectors/resources/gpu/gpu-mode.js';
import { firstTokenProbe } from '../pipeline/run/first-token-probe.js';
import { LevelSearch } from '../pipeline/run/level-search.js';
import type { Phase } from '../pipeline/core/plan.js';
import { parseSlo } from '../analytics/slo.js';
import type { AnalysisOptions } from '../analytics/analyze.js';
import { influxSettingsOf } from './influx-options.js';
import { positiveInt, positiveRateOrInf } from './parse-flags.js';
import { createRunMonitor } from './run-monitor.js';
import type { RunFlags } from './run-flags.js';

export interface PreparedRun {
  readonly scenario: Scenario;
  readonly plan: ExecutionPlan;
  readonly runId: string;
  /** The run directory. */
  readonly dir: string;
  /** Set when InfluxDB is configured (flags or INFLUX_* variables). */
  readonly influx: InfluxConfig | undefined;
  readonly analysis: AnalysisOptions;
  /** --stop-on-saturation: what a saturated level ends (undefined: off). */
  readonly stopOnSaturation: 'level' | 'run' | undefined;
  readonly options: Omit<RunOptions, 'sinks' | 'signal' | 'onNotice' | 'progressIntervalMs'>;
}

export interface PrepareOptions {
  /** Forces streaming on/off (for --compare-stream); undefined = the flags' or file's choice. */
  readonly stream?: boolean;
  /** Appended to --out and to the run id's directory (--compare-stream: "-stream", "-no-stream"). */
  readonly suffix?: string;
  /** The run directory root when --out is not given (default runs/). */
  readonly runsDir?: string;
}

/** The preset a run starts from when no scenario is named. */
export const DEFAULT_SCENARIO = 'quick';

/**
 * @param reference the scenario argument, undefined when none was given: the run then starts from quick, and is
 * named `custom` (or --name) as soon as a flag changes its workload, so it is never filed under quick (DESIGN §11).
 */
export async function prepareRun(reference: string | undefined, flags: RunFlags, options: PrepareOptions = {}): Promise<PreparedRun> {
  const { scenario, slos, plan, planner, thresholds, abortOnFail, influx } = await planRun(reference, flags, options);
  const runId = newRunId();
  const dir = (flags.out ?? join(options.runsDir ?? 'runs', runId)) + (options.suffix ?? '');
  const coldStart = flags.coldStart ? await measureEngineColdStart(flags, plan) : undefined;
  const monitor = flags.monitor ? createRunMonitor(flags, plan, runId) : undefined;
  // The GPUs the run had, for run.json; the same source the sampler uses, asked once.
  const gpus = flags.monitor ? await gpuInventory({ mode: parseGpuMode(flags.gpu) }) : undefined;
  const dataset = scenario.workload.dataset ? await datasetSha256(scenario.workload.dataset) : undefined;
  return {
    scenario,
    plan,
    runId,
    dir,
    influx,
    analysis: { slos: slos.map((slo) => slo.text) },
    stopOnSaturation: flags.stopOnSaturation ? (scenario.load.executor === 'sweep' && planner ? 'level' : 'run') : undefined,
    options: {
      ...(planner ? { planner } : {}),
      runId,
      scenarioName: scenario.name,
      scenario: redact(scenario),
      workloadFingerprint: workloadFingerprint(scenario, dataset),
      ...(flags.workers ? { workers: positiveInt(flags.workers, '--workers') } : {}),
      ...(flags.userSendRate ? { userSendRatePerS: positiveRateOrInf(flags.userSendRate, '--user-send-rate') } : {}),
      ...(monitor ? { monitor } : {}),
      ...(coldStart || gpus ? { resourceNotes: { ...(coldStart ? { cold_start: coldStart } : {}), ...(gpus ? { gpu_inventory: gpus } : {}) } } : {}),
      slos: slosOf(thresholds),
      analysisSlos: slos.map((slo) => slo.text),
      evaluateThresholds: (summary) => evaluateThresholds(summary, thresholds),
      abortOnThresholdFail: abortOnFail,
      tuning: clientTuning(),
    },
  };
}

/**
 * What the flags and the scenario say, checked, without touching anything outside (no run id, no engine, no
 * monitor): `llmbench schedule` calls it once before its first tick, so a typo exits 2 at once, not at 02:00.
 */
export async function planRun(reference: string | undefined, flags: RunFlags, options: Pick<PrepareOptions, 'stream'> = {}) {
  const base = await loadScenario(reference ?? DEFAULT_SCENARIO);
  const overrides = overridesOf(flags, options.stream);
  const changesWorkload = WORKLOAD_FLAGS.some((flag) => overrides[flag] !== undefined);
  const named = flags.name ?? (reference === undefined && changesWorkload ? 'custom' : undefined);
  const scenario = applyOverrides(named && named !== base.name ? withoutDescription(base) : base, { ...overrides, ...(named ? { name: named } : {}) });
  const slos = flags.slo.map(parseSlo);
  const repeats = flags.repeats !== undefined ? positiveInt(flags.repeats, '--repeats') : 1;
  const { plan, planner } = planOf(scenario, slos.map((slo) => slo.threshold), repeats);
  const { thresholds, abortOnFail } = compileThresholds(scenario);
  const influx = await resolveInfluxConfig(influxSettingsOf(flags), process.env);
  if (flags.monitor) parseGpuMode(flags.gpu);
  return { scenario, slos, plan, planner, thresholds, abortOnFail, influx };
}

/**
 * The plan, and for a sweep with SLOs the search that picks its levels (pipeline/run/level-search.ts); a sweep's
 * levels are then the search's range. --repeats measures every level that many times.
 */
function planOf(scenario: Scenario, slos: readonly Threshold[], repeats: number): { plan: ExecutionPlan; planner?: LevelSearch } {
  const plan = compileScenario(scenario);
  if (scenario.load.executor === 'sweep' && slos.length > 0) {
    const search = compileLevelSearch(scenario);
    return { plan: { ...plan, phases: plan.phases.filter((phase) => phase.warmup) }, planner: new LevelSearch({ ...search, slos, repeats }) };
  }
  if (repeats === 1) return { plan };
  if (scenario.load.executor !== 'sweep') throw new UsageError('--repeats applies to a sweep (each level measured that many times)', { hint: 'to repeat a whole run, run it again: compare takes a folder of repeats' });
  const search = compileLevelSearch(scenario);
  const levels = plan.phases.filter((phase) => !phase.warmup).map((phase) => phase.stages[0]!.target!);
  let stageIndex = 0;
  const repeated: Phase[] = levels.flatMap((level) => Array.from({ length: repeats }, (_, repeat) => search.phaseFor(level, stageIndex++, repeat)));
  return { plan: { ...plan, phases: [...plan.phases.filter((phase) => phase.warmup), ...repeated] } };
}

function overridesOf(flags: RunFlags, stream: boolean | undefined): ScenarioOverrides {
  const picked: Record<string, unknown> = {};
  for (const key of ['engine', 'url', 'model', 'api', 'apiKeyEnv', 'concurrency', 'rate', 'arrival', 'burstiness', 'maxInFlight',
    'stages', 'rateStages', 'duration', 'requests', 'levelDuration', 'levelRequests', 'warmup', 'thinkTime', 'seed', 'promptTokens', 'maxTokens', 'dataset'] as const) {
    if (flags[key] !== undefined) picked[key] = flags[key];
  }
  return {
    ...(picked as ScenarioOverrides),
    ...(stream !== undefined ? { stream } : flags.streamGiven ? { stream: flags.stream } : {}),
    ...(flags.threshold.length ? { thresholds: flags.threshold } : {}),
  };
}

/** A renamed run is not its preset any more: its description would say something the run did not do. */
function withoutDescription(scenario: Scenario): Scenario {
  const { description: _description, ...rest } = scenario;
  return rest;
}

/** --cold-start: start the stopped engine container and time it to healthy and to a first token. */
async function measureEngineColdStart(flags: RunFlags, plan: ExecutionPlan): Promise<ColdStartResult> {
  if (!flags.engineContainer) {
    throw new UsageError('--cold-start needs --engine-container NAME', { hint: 'name the stopped container that runs the engine' });
  }
  const adapter = adapterFor(plan.target.engine);
  const base = plan.target.url.replace(/\/$/, '');
  const result = await measureColdStart({
    container: flags.engineContainer,
    healthUrl: base + (adapter.healthPath ?? '/'),
    firstToken: () => firstTokenProbe(adapter, plan.target.url, plan.target.model),
  });
  process.stderr.write(
    result.status === 'measured'
      ? `cold start of ${result.container}: healthy after ${result.time_to_healthy_ms.toFixed(0)} ms, first token after ${result.time_to_first_token_ms?.toFixed(0) ?? '-'} ms\n`
      : `cold start ${result.status}: ${result.reason}\n`,
  );
  return result;
}

/** Goodput counts requests that meet, one by one, every upper bound the thresholds put on a per-request metric. */
export function slosOf(thresholds: readonly Threshold[]): RequestSlo[] {
  const slos: RequestSlo[] = [];
  for (const threshold of thresholds) {
    if (!(REQUEST_METRICS as readonly string[]).includes(threshold.metric)) continue;
    if (threshold.operator !== '<' && threshold.operator !== '<=') continue;
    slos.push({ metric: threshold.metric as RequestMetric, op: threshold.operator, value: threshold.value });
  }
  return slos;
}

/** The scenario as stored in run.json: no secret values (only the name of the API key variable is kept). */
function redact(scenario: Scenario): Record<string, unknown> {
  return JSON.parse(JSON.stringify(scenario)) as Record<string, unknown>;
}
