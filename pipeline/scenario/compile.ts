/**
 * compileScenario: a validated Scenario → the ExecutionPlan the pool runs. Pure: no I/O, no clock, no
 * Math.random; the same scenario always yields the same plan (arrival offsets included).
 */
import { ScenarioError } from '../core/errors.js';
import type { AbortConditions, ExecutionPlan, Phase, TargetConfig, WorkloadConfig } from '../core/plan.js';
import { parseSegment, type Segment } from '../core/segment.js';
import { constantConcurrency } from '../load/constant-concurrency.js';
import { constantRate } from '../load/constant-rate.js';
import { mixSeed } from '../load/random.js';
import { rampingConcurrency } from '../load/ramping-concurrency.js';
import { rampingRate } from '../load/ramping-rate.js';
import { segmentPhases } from '../load/segment.js';
import { sweep, sweepLevelName } from '../load/sweep.js';
import type { ArrivalSettings, LoadStage } from '../load/types.js';
import { warmupPhase, type WarmupLoad } from '../load/warmup.js';
import { durationMs } from './duration.js';
import { DEFAULT_ARRIVAL, DEFAULT_MAX_IN_FLIGHT, type LoadConfig, type Scenario } from './schema.js';
import { parseThreshold, THRESHOLD_METRICS, type Threshold } from './thresholds.js';

/** Sub-streams of the workload seed: prompts use the seed itself (runner), schedules these. */
const WARMUP_STREAM = 0;
const MAIN_STREAM = 1;

export function compileScenario(scenario: Scenario): ExecutionPlan {
  const target = compileTarget(scenario);
  const segment = compileSegment(scenario);
  return {
    target,
    workload: compileWorkload(scenario),
    phases: compilePhases(scenario),
    abort: compileAbort(scenario),
    ...(segment ? { segment } : {}),
  };
}

/** `segment: "I/N"` (or --segment), already checked by the schema; undefined for the whole schedule. */
export function compileSegment(scenario: Scenario): Segment | undefined {
  if (scenario.segment === undefined) return undefined;
  const segment = parseSegment(scenario.segment);
  if (typeof segment === 'string') throw new ScenarioError('SCENARIO_INVALID', `segment: ${segment}`);
  return segment;
}

/** The phases alone (warmup first), for checking a scenario that has no target yet; a segment's share when it has one. */
export function compilePhases(scenario: Scenario): Phase[] {
  const segment = compileSegment(scenario);
  const phases = compileWholePhases(scenario);
  return segment ? segmentPhases(phases, segment) : phases;
}

/** The one-machine schedule of the scenario, whatever segment it names. */
export function compileWholePhases(scenario: Scenario): Phase[] {
  const seed = scenario.workload.seed;
  const phases: Phase[] = [];
  if (scenario.warmup) {
    const spec = scenario.warmup.requests !== undefined
      ? { requests: scenario.warmup.requests }
      : { durationMs: durationMs(scenario.warmup.duration!) };
    phases.push(warmupPhase(spec, warmupLoad(scenario.load, mixSeed(seed, WARMUP_STREAM))));
  }
  phases.push(...compileLoad(scenario.load, mixSeed(seed, MAIN_STREAM)));
  return phases;
}

/**
 * A sweep scenario as a search (`--slo`): the phase that measures one level, as stage `stageIndex` (repeats named
 * `c=8#2`), with the sweep's per-level stop condition and arrival settings, and the range the levels are read as.
 */
export function compileLevelSearch(scenario: Scenario): {
  mode: 'concurrency' | 'rate';
  lowest: number;
  highest: number;
  phaseFor: (level: number, stageIndex: number, repeat: number) => Phase;
} {
  const load = scenario.load;
  if (load.executor !== 'sweep') {
    throw new ScenarioError('SCENARIO_INVALID', `--slo searches over a sweep's levels; scenario ${JSON.stringify(scenario.name)} is ${load.executor}`, {
      hint: 'run the sweep preset (llmbench run sweep --slo …) or a file with executor: sweep; or use --threshold to judge this load',
    });
  }
  const perLevel = { durationMs: msOrNull(load.level_duration), requests: load.level_requests ?? null };
  const seed = mixSeed(scenario.workload.seed, MAIN_STREAM);
  return {
    mode: load.mode,
    lowest: Math.min(...load.levels),
    highest: Math.max(...load.levels),
    phaseFor: (level, stageIndex, repeat) => {
      const [phase] = load.mode === 'concurrency'
        ? sweep({ mode: 'concurrency', levels: [level], perLevel, thinkTimeMs: durationMs(load.think_time ?? '0s'), firstStageIndex: stageIndex })
        : sweep({ mode: 'rate', levels: [level], perLevel, ...arrivalSettings(load, mixSeed(seed, stageIndex)), firstStageIndex: stageIndex });
      if (repeat === 0) return phase!;
      const name = `${sweepLevelName(load.mode, level)}#${repeat + 1}`;
      return { ...phase!, name, stages: phase!.stages.map((stage) => ({ ...stage, name })) };
    },
  };
}

/** The scenario's thresholds, parsed, and whether a failing one stops the run. */
export function compileThresholds(scenario: Scenario): { thresholds: Threshold[]; abortOnFail: boolean } {
  const thresholds: Threshold[] = [];
  const section = scenario.thresholds;
  for (const metric of THRESHOLD_METRICS) {
    for (const expression of section?.[metric] ?? []) thresholds.push(parseThreshold(metric, expression));
  }
  return { thresholds, abortOnFail: section?.abort_on_fail ?? false };
}

function compileTarget(scenario: Scenario): TargetConfig {
  const target = scenario.target ?? {};
  const missing = (['engine', 'url', 'model'] as const).filter((key) => target[key] === undefined);
  if (missing.length > 0) {
    throw new ScenarioError(
      'SCENARIO_INVALID',
      `scenario ${JSON.stringify(scenario.name)} has no target ${missing.join(', ')}: nothing says which server to load`,
      { hint: `pass ${missing.map((key) => `--${key}`).join(', ')} (e.g. --engine vllm --url http://127.0.0.1:8000 --model NAME), or add target: to the scenario file` },
    );
  }
  return {
    engine: target.engine!,
    url: target.url!,
    model: target.model!,
    ...(target.api !== undefined ? { api: target.api } : {}),
    ...(target.api_key_env !== undefined ? { apiKeyEnv: target.api_key_env } : {}),
  };
}

function compileWorkload(scenario: Scenario): WorkloadConfig {
  const { workload } = scenario;
  return {
    promptTokens: workload.prompt_tokens,
    maxTokens: workload.max_tokens,
    stream: workload.stream,
    ...(workload.dataset !== undefined ? { dataset: workload.dataset } : {}),
    seed: workload.seed,
    connectTimeoutMs: durationMs(workload.timeouts.connect),
    firstTokenTimeoutMs: durationMs(workload.timeouts.first_token),
    idleTimeoutMs: durationMs(workload.timeouts.idle),
  };
}

function compileAbort(scenario: Scenario): AbortConditions {
  return {
    maxErrors: scenario.abort?.max_errors ?? null,
    maxErrorRate: scenario.abort?.max_error_rate ?? null,
    minRequestsForRate: scenario.abort?.min_requests ?? 20,
  };
}

const msOrNull = (text: string | undefined) => (text === undefined ? null : durationMs(text));
const stagesOf = (stages: ReadonlyArray<{ duration: string; target: number }>): LoadStage[] =>
  stages.map((stage) => ({ durationMs: durationMs(stage.duration), target: stage.target }));

function arrivalSettings(
  load: { arrival?: ArrivalSettings['arrival'] | undefined; burstiness?: number | undefined; max_in_flight?: number | undefined },
  seed: number,
): ArrivalSettings {
  return {
    arrival: load.arrival ?? DEFAULT_ARRIVAL,
    burstiness: load.burstiness ?? 1,
    seed,
    maxInFlight: load.max_in_flight ?? DEFAULT_MAX_IN_FLIGHT,
  };
}

function compileLoad(load: LoadConfig, seed: number): Phase[] {
  switch (load.executor) {
    case 'constant-concurrency':
      return [constantConcurrency({
        users: load.users,
        thinkTimeMs: durationMs(load.think_time),
        durationMs: msOrNull(load.duration),
        requests: load.requests ?? null,
      })];
    case 'ramping-concurrency':
      return [rampingConcurrency({
        startUsers: load.start_target,
        stages: stagesOf(load.stages),
        thinkTimeMs: durationMs(load.think_time),
        requests: load.requests ?? null,
      })];
    case 'constant-rate':
      return [constantRate({
        rateRps: load.rate,
        ...arrivalSettings(load, seed),
        durationMs: msOrNull(load.duration),
        requests: load.requests ?? null,
      })];
    case 'ramping-rate':
      return [rampingRate({
        startRateRps: load.start_target,
        stages: stagesOf(load.stages),
        ...arrivalSettings(load, seed),
        requests: load.requests ?? null,
      })];
    case 'sweep': {
      const perLevel = { durationMs: msOrNull(load.level_duration), requests: load.level_requests ?? null };
      return load.mode === 'concurrency'
        ? sweep({ mode: 'concurrency', levels: load.levels, perLevel, thinkTimeMs: durationMs(load.think_time ?? '0s') })
        : sweep({ mode: 'rate', levels: load.levels, perLevel, ...arrivalSettings(load, seed) });
    }
  }
}

/** The warmup runs at the load's first non-zero level, in the same loop shape (see load/warmup.ts). */
function warmupLoad(load: LoadConfig, seed: number): WarmupLoad {
  const firstPositive = (start: number, stages: ReadonlyArray<{ target: number }>) =>
    [start, ...stages.map((stage) => stage.target)].find((level) => level > 0) ?? 1;
  switch (load.executor) {
    case 'constant-concurrency':
      return { kind: 'closed', users: load.users, thinkTimeMs: durationMs(load.think_time) };
    case 'ramping-concurrency':
      return { kind: 'closed', users: firstPositive(load.start_target, load.stages), thinkTimeMs: durationMs(load.think_time) };
    case 'constant-rate':
      return { kind: 'open', rateRps: load.rate, ...arrivalSettings(load, seed) };
    case 'ramping-rate':
      return { kind: 'open', rateRps: firstPositive(load.start_target, load.stages), ...arrivalSettings(load, seed) };
    case 'sweep':
      return load.mode === 'concurrency'
        ? { kind: 'closed', users: load.levels[0]!, thinkTimeMs: durationMs(load.think_time ?? '0s') }
        : { kind: 'open', rateRps: load.levels[0]!, ...arrivalSettings(load, seed) };
  }
}
