/**
 * From `run` flags to what runBenchmark takes: the scenario (preset or file) with flags over it, compiled to
 * a plan; thresholds and the goodput SLOs they imply; sinks and monitoring. Everything here fails before any
 * load with a message that names the flag or file.
 */
import type { Command } from 'commander';
import type { RequestMetric } from '../pipeline/core/record.js';
import { REQUEST_METRICS } from '../pipeline/core/record.js';
import type { ExecutionPlan } from '../pipeline/core/plan.js';
import type { RunOptions } from '../pipeline/run/run-benchmark.js';
import type { RequestSlo } from '../pipeline/run/summary-collector.js';
import {
  applyOverrides,
  compileScenario,
  compileThresholds,
  evaluateThresholds,
  loadScenario,
  type Scenario,
  type ScenarioOverrides,
  type Threshold,
} from '../pipeline/scenario/index.js';
import { createInfluxSink } from '../pipeline/sinks/influxdb.js';
import { resolveInfluxConfig } from '../pipeline/sinks/influx-config.js';
import { positiveInt, positiveRateOrInf } from './parse-flags.js';
import { UsageError } from '../pipeline/core/errors.js';
import { adapterFor } from '../collectors/engines/index.js';
import { measureColdStart, type ColdStartResult } from '../collectors/resources/docker/cold-start.js';
import { firstTokenProbe } from '../pipeline/run/first-token-probe.js';
import { gpuInventory } from '../collectors/resources/gpu/gpu-inventory.js';
import { parseGpuMode } from '../collectors/resources/gpu/gpu-mode.js';
import { createRunMonitor } from './run-monitor.js';
import { newRunId } from '../pipeline/run/run-id.js';

export interface RunFlags {
  engine?: string;
  url?: string;
  model?: string;
  api?: string;
  concurrency?: string;
  rate?: string;
  arrival?: string;
  burstiness?: string;
  maxInFlight?: string;
  stages?: string;
  rateStages?: string;
  duration?: string;
  requests?: string;
  warmup?: string;
  thinkTime?: string;
  seed?: string;
  promptTokens?: string;
  maxTokens?: string;
  stream: boolean;
  compareStream?: boolean;
  dataset?: string;
  apiKeyEnv?: string;
  threshold: string[];
  out?: string;
  workers?: string;
  userSendRate?: string;
  influxUrl?: string;
  influxOrg?: string;
  influxBucket?: string;
  influxTokenFile?: string;
  gpu: string;
  monitorInterval: string;
  monitor: boolean;
  serverMetrics: string;
  enginePid?: string;
  engineProcess?: string;
  engineContainer?: string;
  coldStart?: boolean;
  json?: boolean;
  quiet?: boolean;
  /** Set by the command: whether --no-stream was given (commander defaults `stream` to true otherwise). */
  streamGiven?: boolean;
}

export interface PreparedRun {
  readonly scenario: Scenario;
  readonly plan: ExecutionPlan;
  readonly options: Omit<RunOptions, 'signal' | 'onProgress' | 'onNotice' | 'progressIntervalMs'>;
}

/**
 * @param stream forces streaming on/off (for --compare-stream); undefined = the flags' or file's choice
 * @param suffixOut with --compare-stream each mode gets its own directory (DIR-stream, DIR-no-stream)
 */
export async function prepareRun(reference: string, flags: RunFlags, stream: boolean | undefined, suffixOut: boolean): Promise<PreparedRun> {
  const base = await loadScenario(reference);
  const overrides: ScenarioOverrides = {
    ...pick(flags, ['engine', 'url', 'model', 'api', 'apiKeyEnv', 'concurrency', 'rate', 'arrival', 'burstiness', 'maxInFlight',
      'stages', 'rateStages', 'duration', 'requests', 'warmup', 'thinkTime', 'seed', 'promptTokens', 'maxTokens', 'dataset']),
    ...(stream !== undefined ? { stream } : flags.streamGiven ? { stream: flags.stream } : {}),
    ...(flags.threshold.length ? { thresholds: flags.threshold } : {}),
  };
  const scenario = applyOverrides(base, overrides);
  const plan = compileScenario(scenario);
  const { thresholds, abortOnFail } = compileThresholds(scenario);
  const outDir = flags.out && suffixOut ? `${flags.out}-${stream ? 'stream' : 'no-stream'}` : flags.out;
  const influx = await resolveInfluxConfig(flags, process.env);
  const sinks = influx ? [createInfluxSink(influx, { onNotice: (line) => process.stderr.write(`influxdb: ${line}\n`) })] : [];
  const runId = newRunId();
  const coldStart = flags.coldStart ? await measureEngineColdStart(flags, plan) : undefined;
  const monitor = flags.monitor ? createRunMonitor(flags, plan, runId) : undefined;
  // The GPUs the run had, for run.json; the same source the sampler uses, asked once.
  const gpus = flags.monitor ? await gpuInventory({ mode: parseGpuMode(flags.gpu) }) : undefined;
  return {
    scenario,
    plan,
    options: {
      runId,
      scenarioName: scenario.name,
      scenario: redact(scenario),
      ...(outDir ? { outDir } : {}),
      ...(flags.workers ? { workers: positiveInt(flags.workers, '--workers') } : {}),
      ...(flags.userSendRate ? { userSendRatePerS: positiveRateOrInf(flags.userSendRate, '--user-send-rate') } : {}),
      sinks,
      ...(monitor ? { monitor } : {}),
      ...(coldStart || gpus ? { resourceNotes: { ...(coldStart ? { cold_start: coldStart } : {}), ...(gpus ? { gpu_inventory: gpus } : {}) } } : {}),
      slos: slosOf(thresholds),
      evaluateThresholds: (summary) => evaluateThresholds(summary, thresholds),
      abortOnThresholdFail: abortOnFail,
    },
  };
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

function pick<K extends keyof RunFlags>(flags: RunFlags, keys: readonly K[]): Partial<Pick<RunFlags, K>> {
  const out: Partial<Pick<RunFlags, K>> = {};
  for (const key of keys) if (flags[key] !== undefined) out[key] = flags[key];
  return out;
}

/** Whether the user typed a flag (vs commander's default), e.g. for --no-stream. */
export function flagGiven(command: Command, name: string): boolean {
  return command.getOptionValueSource(name) === 'cli';
}
