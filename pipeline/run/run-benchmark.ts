/**
 * The coordinator, the programmatic API behind `llmbench run` (DESIGN §3): opens the sinks, checks the engine,
 * runs each phase of the plan on the worker pool, and turns what comes back into one ordered stream of events
 * (records, windows, resource samples, progress) for the sinks. At the end it assembles run.json's core and
 * closes the sinks, which add their sections and store it. Which sinks there are is the caller's choice.
 */
import { availableParallelism } from 'node:os';
import { systemClock, type Clock } from '../core/clock.js';
import type { EngineInfo } from '../core/engine.js';
import { BenchError, UsageError } from '../core/errors.js';
import type { RunMonitor } from '../core/monitor.js';
import type { ExecutionPlan, Phase } from '../core/plan.js';
import {
  RUN_SCHEMA_VERSION,
  type ClockCheck,
  type RunResult,
  type RunSummary,
  type SegmentInfo,
  type StartManifest,
  type ThresholdResult,
  type ValidityCheck,
  type WorkloadFingerprint,
} from '../core/run-result.js';
import { agentLabel } from '../core/segment.js';
import type { RunControl, RunIdentity, RunSink } from '../core/sink.js';
import { toolVersion } from '../core/version.js';
import { adapterFor } from '../../collectors/engines/index.js';
import { DEFAULT_USER_SEND_RATE_PER_S } from '../pool/dispatch-pacer.js';
import { WorkerPool } from '../pool/worker-pool.js';
import type { ClientTuning } from '../tuning/process-tuning.js';
import { loadDataset } from './dataset.js';
import { calibratePromptWords, type PromptCalibration } from './prompt-calibration.js';
import { preflight, preflightHttp, type PreflightResult } from './preflight.js';
import { clientHealth, hostInfo, resourcesSection } from './result-sections.js';
import { clockCheckFromDates, clockCheckFromFlag, probeEngineDate } from './clock-offset.js';
import { newRunId } from './run-id.js';
import type { MeasuredPhase, PhasePlanner } from './level-search.js';
import { RunSummarizer } from './run-summarizer.js';
import { SinkSet } from './sink-set.js';
import type { RequestSlo } from './summary-collector.js';
import { DEFAULT_VALIDITY_LIMITS, validityChecks } from './validity.js';
import { WindowStage } from './window-stage.js';

export interface RunOptions {
  readonly scenarioName: string;
  /** The resolved scenario as data, secrets already redacted; stored in run-start.json and run.json. */
  readonly scenario: Record<string, unknown>;
  readonly workloadFingerprint?: WorkloadFingerprint;
  readonly runId?: string;
  readonly workers?: number;
  /** Closed-loop sends per second per worker thread (pool/dispatch-pacer.ts); Infinity = no limit. */
  readonly userSendRatePerS?: number;
  readonly gracefulStopMs?: number;
  /** Where the run's events go: opened and fed in this order, closed in reverse (the run directory first: it writes run.json last). */
  readonly sinks?: readonly RunSink[];
  readonly monitor?: RunMonitor;
  /** Per-request SLOs counted for goodput. */
  readonly slos?: readonly RequestSlo[];
  /** Evaluates the scenario's thresholds on the finished summary. */
  readonly evaluateThresholds?: (summary: RunSummary) => ThresholdResult[];
  /** Stop the run as soon as a threshold fails (checked every 2 s on the summary so far). */
  readonly abortOnThresholdFail?: boolean;
  /** Extra entries for run.json `resources` (e.g. a cold-start measurement taken before the run). */
  readonly resourceNotes?: Record<string, unknown>;
  /** How often sinks get a progress event. */
  readonly progressIntervalMs?: number;
  readonly onNotice?: (line: string) => void;
  /** Aborting it (Ctrl-C, SIGTERM) stops the load, cancels in-flight requests, and still writes a marked run. */
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
  /** Thread priorities and GC mode for the run (pipeline/tuning), applied once the workers exist. */
  readonly tuning?: ClientTuning;
  /** Phases decided as the run goes (the SLO search), after the plan's own phases. */
  readonly planner?: PhasePlanner;
  /**
   * Epoch ms at which the first measured phase is due (--start-at): the agents of a segmented run share it (DESIGN
   * §16); a warmup runs before it. An agent that gets there late starts at once, skips nothing, and reports its lag.
   */
  readonly startAtMs?: number;
  /** This machine's clock against the agents' reference (reference − local), as NTP measured it (--clock-offset-ms). */
  readonly clockOffsetMs?: number;
  /** The worker thread's file (default: the built stream worker); tests pass a wrapper that misbehaves. */
  readonly workerFile?: string;
}

export interface RunOutcome {
  readonly result: RunResult;
}

/** How often abort_on_fail thresholds are evaluated on the summary so far. */
const THRESHOLD_CHECK_MS = 2000;
/**
 * Before --start-at the coordinator wakes this early to open the phase's connections (pool.prepare): opened long
 * before, they would sit idle past servers' keep-alive timeouts (5 s in Node) and be closed under it.
 */
const START_PREPARE_LEAD_MS = 2000;

export async function runBenchmark(plan: ExecutionPlan, options: RunOptions): Promise<RunOutcome> {
  const clock = options.clock ?? systemClock;
  const notice = options.onNotice ?? (() => {});
  const adapter = adapterFor(plan.target.engine);
  const apiKey = readApiKey(plan.target.apiKeyEnv);
  const prompts = plan.workload.dataset ? await loadDataset(plan.workload.dataset) : undefined;
  const workerCount = options.workers ?? defaultWorkerCount();
  const userSendRatePerS = options.userSendRatePerS ?? DEFAULT_USER_SEND_RATE_PER_S;
  const agent = plan.segment ? agentLabel(plan.segment) : undefined;
  const identity: RunIdentity = {
    runId: options.runId ?? newRunId(),
    scenario: options.scenarioName,
    engine: plan.target.engine,
    model: plan.target.model,
    ...(agent ? { agent } : {}),
  };
  const segmentInfo: SegmentInfo | undefined = plan.segment && agent
    ? { index: plan.segment.index, count: plan.segment.count, agent, ...(options.startAtMs !== undefined ? { start_at_ms: options.startAtMs } : {}) }
    : undefined;
  let startLagMs: number | undefined;
  let clockCheck: ClockCheck | undefined;
  /** run.json `segment`: the plan's, with how this agent met the shared start. */
  const segmentResult = (): { segment: SegmentInfo } | Record<string, never> =>
    segmentInfo
      ? { segment: { ...segmentInfo, ...(startLagMs !== undefined ? { start_lag_ms: startLagMs } : {}), ...(clockCheck ? { clock: clockCheck } : {}) } }
      : {};
  const startedAt = new Date();
  const host = hostInfo(workerCount);
  const scenario = { ...options.scenario, name: options.scenarioName };

  const sinks = new SinkSet(options.sinks ?? [], notice);
  const summarizer = new RunSummarizer(options.slos ?? []);
  const windows = new WindowStage(identity, (points) => sinks.write({ kind: 'windows', windows: points }));
  let pool: WorkerPool | undefined;
  let currentPhase: Phase | undefined;
  const phaseEndReasons = new Map<Phase, string>();
  const ranPhases: Phase[] = [];
  let abortReason: string | undefined;
  let failReason: string | undefined;
  const stopRun = (reason: string) => {
    abortReason ??= reason;
    pool?.stop(reason);
  };
  const control: RunControl = {
    stop: stopRun,
    fail: (reason) => {
      failReason ??= reason;
      stopRun(reason);
    },
    endPhase: (reason) => {
      if (currentPhase && !phaseEndReasons.has(currentPhase)) {
        phaseEndReasons.set(currentPhase, reason);
        notice(`phase ${currentPhase.name} ended early: ${reason}`);
        pool?.stop(reason);
      }
    },
    notice,
  };

  /** run.json for a run that ended before or during its load; `partial` fills in what was measured. */
  const resultOf = (partial: Partial<RunResult> & Pick<RunResult, 'status' | 'summary' | 'validity' | 'client_health'>): RunResult => ({
    schema_version: RUN_SCHEMA_VERSION,
    run_id: identity.runId,
    tool: { name: 'llmbench', version: toolVersion() },
    ...(abortReason ? { abort_reason: abortReason } : {}),
    valid: partial.validity.every((check) => check.ok),
    started_at: startedAt.toISOString(),
    ended_at: new Date().toISOString(),
    scenario,
    ...(options.workloadFingerprint ? { workload_fingerprint: options.workloadFingerprint } : {}),
    target: { engine: plan.target.engine, url: plan.target.url, model: plan.target.model, api: plan.target.api ?? adapter.defaultApi, network_rtt_ms: null },
    host,
    stages: [],
    ...segmentResult(),
    ...partial,
  });
  /** Before any load: the sinks still get a run.json saying why nothing ran (DESIGN §11: a failed tick leaves a record). */
  const failBeforeLoad = async (error: unknown): Promise<never> => {
    abortReason ??= `the run failed before any load: ${(error as Error).message}`;
    const summary = new RunSummarizer().summary();
    const result = resultOf({
      status: 'failed',
      summary,
      validity: validityChecks({ scheduleLagP99Ms: null, userSendWaitShare: null, eventLoopDelayP99Ms: null, clientCpuShare: null, requestsSent: 0 }),
      client_health: clientHealth({ summary, sendLag: summarizer.sendLag, eventLoopDelayP99Ms: null, clientCpuShare: null, droppedArrivals: 0, userSendRatePerS, tuning: undefined }),
    });
    await sinks.closeAll(result).catch((closeError: unknown) => notice((closeError as Error).message));
    throw error;
  };

  const manifest: StartManifest = {
    schema_version: RUN_SCHEMA_VERSION,
    run_id: identity.runId,
    tool: { name: 'llmbench', version: toolVersion() },
    started_at: startedAt.toISOString(),
    scenario,
    ...(options.workloadFingerprint ? { workload_fingerprint: options.workloadFingerprint } : {}),
    target: { engine: plan.target.engine, url: plan.target.url, model: plan.target.model, ...(plan.target.api ? { api: plan.target.api } : {}) },
    host,
    phases: plan.phases.map((phase) => ({
      name: phase.name,
      warmup: phase.warmup,
      stages: phase.stages.map((stage) => ({ name: stage.name, index: stage.index, ...(stage.target !== undefined ? { target: stage.target } : {}) })),
    })),
    ...(segmentInfo ? { segment: segmentInfo } : {}),
  };
  try {
    await sinks.openAll({ ...identity, manifest }, control);
  } catch (error) {
    return failBeforeLoad(error);
  }
  let engine: PreflightResult;
  try {
    engine = await preflight(adapter, plan.target.url, plan.target.model, apiKey);
  } catch (error) {
    return failBeforeLoad(error);
  }
  // Synthetic prompts aimed at the server's own count, where it can tell (a dataset's prompts are as they are).
  const calibration: PromptCalibration | undefined = prompts
    ? undefined
    : await calibratePromptWords(preflightHttp(plan.target.url, apiKey), adapter, plan.target.model, plan.workload.promptTokens, `[${identity.runId}-main-w0-0]`, plan.workload.seed);
  if (calibration?.prompt_words != null && calibration.prompt_words !== plan.workload.promptTokens) {
    notice(`prompts: ${calibration.prompt_words} words make ${calibration.server_tokens} tokens by the server's tokenizer (${plan.target.engine} ${calibration.endpoint}); ${plan.workload.promptTokens} were asked for`);
  }
  const workload = calibration?.prompt_words != null ? { ...plan.workload, promptWords: calibration.prompt_words } : plan.workload;
  const lagBudgetMs = DEFAULT_VALIDITY_LIMITS.scheduleLagP99Ms;
  if (options.startAtMs !== undefined) {
    // Agents meet at --start-at on their own clocks: say whether this one is off by more than the lag budget.
    clockCheck = options.clockOffsetMs !== undefined
      ? clockCheckFromFlag(options.clockOffsetMs, lagBudgetMs)
      : clockCheckFromDates(await probeEngineDate(preflightHttp(plan.target.url, apiKey), adapter.healthPath ?? '/', clock, options.signal), lagBudgetMs);
    if (clockCheck.verdict !== 'within') notice(`clock: ${clockCheck.detail}`);
  }

  if (options.monitor) {
    await options.monitor.start({ runId: identity.runId, onPoints: (points) => sinks.write({ kind: 'resources', points }), onNotice: notice });
  }
  const onSignal = () => stopRun(`interrupted (${signalName(options.signal)})`);
  options.signal?.addEventListener('abort', onSignal, { once: true });
  const thresholdTimer = options.abortOnThresholdFail && options.evaluateThresholds
    ? setInterval(() => {
        if (summarizer.total < Math.max(plan.abort.minRequestsForRate, 1)) return;
        const failed = options.evaluateThresholds!(summarizer.summary()).filter((threshold) => !threshold.ok);
        if (failed.length > 0) stopRun(`threshold failed (abort_on_fail): ${failed.map((t) => `${t.metric}: ${t.expression}`).join('; ')}`);
      }, THRESHOLD_CHECK_MS)
    : undefined;

  const checkAbort = () => {
    const { maxErrors, maxErrorRate, minRequestsForRate } = plan.abort;
    const counts = summarizer.counts();
    if (maxErrors !== null && counts.errors >= maxErrors) stopRun(`${counts.errors} requests failed (abort.max_errors = ${maxErrors})`);
    const finished = counts.ok + counts.errors;
    if (maxErrorRate !== null && finished >= minRequestsForRate && counts.errors / finished > maxErrorRate) {
      stopRun(`error rate ${(counts.errors / finished).toFixed(3)} over ${finished} requests (abort.max_error_rate = ${maxErrorRate})`);
    }
  };

  const cpuStart = process.cpuUsage();
  const wallStartMs = clock.nowMs();
  const eventLoopP99s: number[] = [];
  let sent = 0;
  let dropped = 0;
  let crash: unknown;
  let tuning: Record<string, number | string> | undefined;
  try {
    pool = new WorkerPool(workerCount, options.workerFile ? { workerFile: options.workerFile } : {});
    await pool.warm();
    tuning = options.tuning?.apply();
    const measured: MeasuredPhase[] = [];
    const planned = plan.phases[Symbol.iterator]();
    const nextPhase = (): Phase | undefined => {
      const fixed = planned.next();
      return fixed.done ? options.planner?.next(measured) : fixed.value;
    };
    for (let phase = nextPhase(); phase; phase = nextPhase()) {
      if (abortReason) break;
      currentPhase = phase;
      ranPhases.push(phase);
      const input = {
        runId: identity.runId,
        phase,
        phaseStartMs: 0,
        target: plan.target,
        workload,
        networkRttMs: engine.networkRttMs,
        gracefulStopMs: options.gracefulStopMs ?? 30_000,
        userSendRatePerS,
        ...(apiKey ? { apiKey } : {}),
        ...(prompts ? { prompts } : {}),
      };
      // The shared start is the first measured phase's: a warmup is each agent's own and runs before it, as soon as the
      // agent is ready. Were the warmup phase 0, each agent's schedule would begin when its own warmup drained.
      const sharedStart = options.startAtMs !== undefined && !phase.warmup && startLagMs === undefined ? options.startAtMs : undefined;
      if (sharedStart !== undefined) await clock.sleepUntil(sharedStart - START_PREPARE_LEAD_MS, options.signal);
      if (abortReason) break;
      await pool.prepare(input, adapter.healthPath ?? '/');
      let phaseStartMs = clock.nowMs() + 20;
      if (sharedStart !== undefined) {
        // On time: the phase is due at the shared start. Late: it starts now, its whole schedule shifted, nothing skipped.
        startLagMs = Math.max(0, phaseStartMs - sharedStart);
        phaseStartMs = Math.max(phaseStartMs, sharedStart);
        if (startLagMs > lagBudgetMs) notice(`phase ${phase.name} started ${startLagMs.toFixed(0)} ms after --start-at ${sharedStart}: this agent's schedule runs that much later than the others' (nothing skipped)`);
      }
      sinks.write({
        kind: 'phase',
        phase: phase.name,
        warmup: phase.warmup,
        startMs: phaseStartMs,
        stages: phase.stages.map((stage) => ({ name: stage.name, index: stage.index, startMs: phaseStartMs + stage.startMs, ...(stage.target !== undefined ? { target: stage.target } : {}) })),
      });
      const progress = startProgress(phase, phaseStartMs, pool);
      try {
        const results = await pool.runPhase(
          { ...input, phaseStartMs },
          (records, watermarkMs) => {
            summarizer.add(records);
            sinks.write({ kind: 'records', records });
            windows.add(records, watermarkMs);
            checkAbort();
          },
          // Its share of the load is gone, so what follows would not be the planned load: stop the others cleanly
          // (their requests in flight are recorded as cancelled) and end the run as failed, saying why.
          (death) => control.fail(`worker thread ${death.workerIndex} died (${death.reason}); its ${death.lostRequests} requests in flight were recorded as worker_died`),
        );
        for (const result of results) {
          sent += result.sent;
          dropped += result.dropped;
          eventLoopP99s.push(result.eventLoopDelayP99Ms);
        }
      } finally {
        progress.stop();
      }
      const endedEarly = phaseEndReasons.get(phase);
      measured.push({ phase, stages: summarizer.stages([phase]), ...(endedEarly ? { endedEarly } : {}) });
    }
  } catch (error) {
    crash = error;
    failReason ??= `the run failed: ${(error as Error).message}`;
    abortReason ??= failReason;
  } finally {
    options.signal?.removeEventListener('abort', onSignal);
    if (thresholdTimer) clearInterval(thresholdTimer);
    await pool?.close();
    options.tuning?.restore();
  }
  const wallMs = clock.nowMs() - wallStartMs;
  const cpu = process.cpuUsage(cpuStart);
  const monitorSummary = options.monitor ? await options.monitor.stop() : undefined;
  windows.finish();

  const summary = summarizer.summary();
  const clientCpuShare = wallMs > 0 ? (cpu.user + cpu.system) / 1000 / (wallMs * availableParallelism()) : null;
  const eventLoopDelayP99Ms = eventLoopP99s.length ? Math.max(...eventLoopP99s) : null;
  const resources = resourcesSection(monitorSummary, options.resourceNotes, summary);
  const result = resultOf({
    status: failReason ? 'failed' : abortReason ? 'aborted' : 'completed',
    validity: [
      ...validityChecks({
        scheduleLagP99Ms: summarizer.sendLag.arrivalLagP99Ms(),
        userSendWaitShare: summarizer.sendLag.userSendWaitShare(),
        closedLoopRequests: summarizer.sendLag.userRequests(),
        eventLoopDelayP99Ms,
        clientCpuShare,
        requestsSent: sent,
      }),
      ...sharedStartChecks(startLagMs, clockCheck, lagBudgetMs),
    ],
    target: {
      engine: plan.target.engine,
      url: plan.target.url,
      model: plan.target.model,
      api: plan.target.api ?? adapter.defaultApi,
      server: engine.info,
      network_rtt_ms: engine.networkRttMs,
      ...(calibration ? { prompt_calibration: calibration } : {}),
    },
    client_health: clientHealth({ summary, sendLag: summarizer.sendLag, eventLoopDelayP99Ms, clientCpuShare, droppedArrivals: dropped, userSendRatePerS, tuning }),
    summary,
    stages: ranPhases.flatMap((phase) => {
      const endedEarly = phaseEndReasons.get(phase);
      return summarizer.stages([phase]).map((stage) => (endedEarly ? { ...stage, ended_early: endedEarly } : stage));
    }),
    ...(options.evaluateThresholds ? { thresholds: options.evaluateThresholds(summary) } : {}),
    ...(resources ? { resources } : {}),
    windows: windows.stats(),
  });
  const stored = await sinks.closeAll(result);
  // The sinks have the run either way; the caller still learns that it failed.
  if (crash) throw crash instanceof BenchError ? crash : new BenchError('INTERNAL', `the run failed: ${(crash as Error).message}`, { cause: crash });
  return { result: stored };

  function startProgress(phase: Phase, phaseStartMs: number, running: WorkerPool) {
    const tick = () => {
      const nowMs = clock.nowMs();
      const elapsedMs = Math.max(nowMs - phaseStartMs, 0);
      let stage = phase.stages[0];
      for (const label of phase.stages) if (label.startMs <= elapsedMs) stage = label;
      sinks.write({
        kind: 'progress',
        progress: {
          phase: phase.name,
          warmup: phase.warmup,
          stage: phase.warmup ? 'warmup' : (stage?.name ?? phase.name),
          target: stage?.target,
          loadKind: phase.load.kind,
          nowMs,
          elapsedMs,
          totalMs: phase.durationMs,
          requestBudget: phase.requests,
          inFlight: running.inFlight(),
        },
      });
    };
    const timer = setInterval(tick, options.progressIntervalMs ?? 1000);
    return {
      stop() {
        clearInterval(timer);
        tick();
      },
    };
  }
}

/**
 * A segment's meeting with the others (DESIGN §16): its start lag against --start-at, and its clock. A clock is
 * failed only when it is off for certain; `undetermined` passes and says what could not be told.
 */
function sharedStartChecks(startLagMs: number | undefined, clockCheck: ClockCheck | undefined, budgetMs: number): ValidityCheck[] {
  const checks: ValidityCheck[] = [];
  if (startLagMs !== undefined) {
    const ok = startLagMs <= budgetMs;
    checks.push({
      name: 'segment_start_lag_ms',
      ok,
      value: startLagMs,
      limit: budgetMs,
      detail: ok
        ? `≤ ${budgetMs}`
        : 'this agent began its first measured phase after --start-at, so its share of the schedule ran that much later than the other agents\' (nothing skipped); give the agents more time (and their warmup) before --start-at',
    });
  }
  if (clockCheck) {
    const nearest = clockCheck.offset_low_ms === null || clockCheck.offset_high_ms === null
      ? null
      : clockCheck.offset_low_ms > 0 ? clockCheck.offset_low_ms : clockCheck.offset_high_ms < 0 ? clockCheck.offset_high_ms : 0;
    checks.push({ name: 'clock_offset_ms', ok: clockCheck.verdict !== 'beyond', value: nearest, limit: budgetMs, detail: clockCheck.detail });
  }
  return checks;
}

/** The signal's reason names what stopped the run ("SIGTERM"); Ctrl-C by default. */
function signalName(signal: AbortSignal | undefined): string {
  const reason: unknown = signal?.reason;
  return typeof reason === 'string' ? reason : 'SIGINT';
}

function readApiKey(envName: string | undefined): string | undefined {
  if (!envName) return undefined;
  const value = process.env[envName];
  if (!value) {
    throw new UsageError(`the API key variable ${envName} is not set`, { hint: `export ${envName}=… or drop --api-key-env` });
  }
  return value;
}

/** One worker per core beyond the coordinator's, at least one: a worker holds thousands of streams. */
export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(8, availableParallelism() - 1));
}

export type { EngineInfo };
