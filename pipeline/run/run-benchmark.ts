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
import { RUN_SCHEMA_VERSION, type RunResult, type RunSummary, type StartManifest, type ThresholdResult, type WorkloadFingerprint } from '../core/run-result.js';
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
import { newRunId } from './run-id.js';
import type { MeasuredPhase, PhasePlanner } from './level-search.js';
import { RunSummarizer } from './run-summarizer.js';
import { SinkSet } from './sink-set.js';
import type { RequestSlo } from './summary-collector.js';
import { validityChecks } from './validity.js';
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
  /** The --slo expressions (max load under SLOs), recorded in run.json `slos`. */
  readonly analysisSlos?: readonly string[];
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
}

export interface RunOutcome {
  readonly result: RunResult;
}

/** How often abort_on_fail thresholds are evaluated on the summary so far. */
const THRESHOLD_CHECK_MS = 2000;

export async function runBenchmark(plan: ExecutionPlan, options: RunOptions): Promise<RunOutcome> {
  const clock = options.clock ?? systemClock;
  const notice = options.onNotice ?? (() => {});
  const adapter = adapterFor(plan.target.engine);
  const apiKey = readApiKey(plan.target.apiKeyEnv);
  const prompts = plan.workload.dataset ? await loadDataset(plan.workload.dataset) : undefined;
  const workerCount = options.workers ?? defaultWorkerCount();
  const userSendRatePerS = options.userSendRatePerS ?? DEFAULT_USER_SEND_RATE_PER_S;
  const identity: RunIdentity = { runId: options.runId ?? newRunId(), scenario: options.scenarioName, engine: plan.target.engine, model: plan.target.model };
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
    ...(options.analysisSlos?.length ? { slos: [...options.analysisSlos] } : {}),
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
    pool = new WorkerPool(workerCount);
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
      await pool.prepare(input, adapter.healthPath ?? '/');
      const phaseStartMs = clock.nowMs() + 20;
      sinks.write({
        kind: 'phase',
        phase: phase.name,
        warmup: phase.warmup,
        startMs: phaseStartMs,
        stages: phase.stages.map((stage) => ({ name: stage.name, index: stage.index, startMs: phaseStartMs + stage.startMs, ...(stage.target !== undefined ? { target: stage.target } : {}) })),
      });
      const progress = startProgress(phase, phaseStartMs, pool);
      try {
        const results = await pool.runPhase({ ...input, phaseStartMs }, (records, watermarkMs) => {
          summarizer.add(records);
          sinks.write({ kind: 'records', records });
          windows.add(records, watermarkMs);
          checkAbort();
        });
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
    validity: validityChecks({
      scheduleLagP99Ms: summarizer.sendLag.arrivalLagP99Ms(),
      userSendWaitShare: summarizer.sendLag.userSendWaitShare(),
      closedLoopRequests: summarizer.sendLag.userRequests(),
      eventLoopDelayP99Ms,
      clientCpuShare,
      requestsSent: sent,
    }),
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
