/**
 * From `run` flags to what runBenchmark takes: the scenario (preset or file) with flags over it, compiled to a
 * plan; thresholds and the goodput SLOs they imply; monitoring; the InfluxDB settings. This is where commander's
 * strings end: everything below receives typed, checked options. Every problem fails before any load with a
 * message that names the flag or file.
 */
import { join } from 'node:path';
import type { ExecutionPlan } from '../pipeline/core/plan.js';
import type { RunSummary } from '../pipeline/core/run-result.js';
import { agentLabel } from '../pipeline/core/segment.js';
import { segmentPhases } from '../pipeline/load/segment.js';
import { UsageError } from '../pipeline/core/errors.js';
import type { RunOptions } from '../pipeline/run/run-benchmark.js';
import { slosOf } from '../pipeline/run/goodput-slos.js';
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
  /** A segment's thresholds are judged by `llmbench merge` on the whole run, not on the segment's share: how many. */
  readonly deferredThresholds: number;
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
  const { scenario, slos, plan, planner, thresholds, abortOnFail, influx, startAtMs, clockOffsetMs } = await planRun(reference, flags, options);
  const segment = plan.segment;
  const runId = flags.runId !== undefined ? checkRunId(flags.runId) : newRunId();
  // Agents of one run share its id: a segment's default directory names the agent too.
  const dirName = segment ? `${runId}-${agentLabel(segment)}` : runId;
  const dir = (flags.out ?? join(options.runsDir ?? 'runs', dirName)) + (options.suffix ?? '');
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
    deferredThresholds: segment ? thresholds.length : 0,
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
      // A segment's share is not the run (k6-operator judging thresholds per runner, its users' issue #115): merge judges.
      ...(segment ? {} : { evaluateThresholds: (summary: RunSummary) => evaluateThresholds(summary, thresholds), abortOnThresholdFail: abortOnFail }),
      tuning: clientTuning(),
      ...(startAtMs !== undefined ? { startAtMs } : {}),
      ...(clockOffsetMs !== undefined ? { clockOffsetMs } : {}),
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
  if (plan.segment) refuseWithSegment(flags, Boolean(planner), abortOnFail);
  if (flags.runId !== undefined) checkRunId(flags.runId);
  const startAtMs = flags.startAt !== undefined ? epochMs(flags.startAt, '--start-at') : undefined;
  const clockOffsetMs = flags.clockOffsetMs !== undefined ? clockOffset(flags.clockOffsetMs, startAtMs) : undefined;
  const influx = await resolveInfluxConfig(influxSettingsOf(flags), process.env);
  if (flags.monitor) parseGpuMode(flags.gpu);
  return { scenario, slos, plan, planner, thresholds, abortOnFail, influx, startAtMs, clockOffsetMs };
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
  const measured = plan.segment ? segmentPhases(repeated, plan.segment) : repeated;
  return { plan: { ...plan, phases: [...plan.phases.filter((phase) => phase.warmup), ...measured] } };
}

function overridesOf(flags: RunFlags, stream: boolean | undefined): ScenarioOverrides {
  const picked: Record<string, unknown> = {};
  for (const key of ['engine', 'url', 'model', 'api', 'apiKeyEnv', 'concurrency', 'rate', 'arrival', 'burstiness', 'maxInFlight',
    'stages', 'rateStages', 'duration', 'requests', 'levelDuration', 'levelRequests', 'warmup', 'thinkTime', 'seed', 'promptTokens', 'maxTokens', 'dataset'] as const) {
    if (flags[key] !== undefined) picked[key] = flags[key];
  }
  if (flags.segment !== undefined) picked['segment'] = flags.segment;
  return {
    ...(picked as ScenarioOverrides),
    ...(stream !== undefined ? { stream } : flags.streamGiven ? { stream: flags.stream } : {}),
    ...(flags.threshold.length ? { thresholds: flags.threshold } : {}),
  };
}

/**
 * What a segment cannot do alone: each of these decides from the results so far, and one agent sees only its
 * share, so the agents would decide differently and the segments would stop being one schedule.
 */
function refuseWithSegment(flags: RunFlags, search: boolean, abortOnFail: boolean): void {
  const hint = 'run the segments without it; `llmbench merge` then judges the whole run';
  if (search) throw new UsageError('--slo on a sweep searches levels from the results so far, which one segment cannot see whole', { hint: 'run the sweep\'s levels as they are (without --slo) in every segment, then merge; the merged run\'s analysis reports the max load under --slo' });
  if (flags.stopOnSaturation) throw new UsageError('--stop-on-saturation would end each segment on its own share\'s signs of saturation', { hint });
  if (abortOnFail) throw new UsageError('thresholds.abort_on_fail would stop a segment on its own share\'s statistics', { hint: 'remove abort_on_fail from the scenario\'s thresholds for segmented runs; merge judges the thresholds on the whole run' });
  if (flags.compareStream) throw new UsageError('--compare-stream runs two runs, which cannot share one segment\'s run id', { hint: 'run the streaming and the non-streaming segments as two segmented runs (--no-stream), each with its own --run-id' });
}

/** --run-id: agents of one run share it, and it becomes tags and directory names ([a-z0-9-], STYLE naming). */
function checkRunId(text: string): string {
  if (!/^[a-z0-9][a-z0-9-]{0,127}$/.test(text)) {
    throw new UsageError(`--run-id must be lower-case letters, digits and "-" (at most 128, starting with a letter or digit), got ${JSON.stringify(text)}`, { hint: 'e.g. --run-id cluster-20261127-1' });
  }
  return text;
}

/** --start-at: epoch milliseconds. A value in seconds (10 digits) is refused rather than read as 1970. */
function epochMs(text: string, flag: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value)) {
    throw new UsageError(`${flag} must be an epoch time in whole milliseconds, got ${JSON.stringify(text)}`, { hint: `e.g. ${flag} $(( ($(date +%s) + 60) * 1000 )) for a minute from now` });
  }
  if (value < 1e11) {
    throw new UsageError(`${flag} ${text} looks like seconds, not milliseconds (it would be ${new Date(value).toISOString()})`, { hint: `multiply by 1000: ${flag} ${value * 1000}` });
  }
  return value;
}

/** --clock-offset-ms: reference − local in ms, as chrony or ntpdate state it; it only means something with --start-at. */
function clockOffset(text: string, startAtMs: number | undefined): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new UsageError(`--clock-offset-ms must be a number of milliseconds (may be negative), got ${JSON.stringify(text)}`);
  if (startAtMs === undefined) throw new UsageError('--clock-offset-ms judges this clock for a shared start: it needs --start-at', { hint: 'add --start-at EPOCH_MS, or drop --clock-offset-ms' });
  return value;
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

/** The scenario as stored in run.json: no secret values (only the name of the API key variable is kept). */
function redact(scenario: Scenario): Record<string, unknown> {
  return JSON.parse(JSON.stringify(scenario)) as Record<string, unknown>;
}
