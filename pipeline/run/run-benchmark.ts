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
import type { ExecutionPlan } from '../core/plan.js';
import { RUN_SCHEMA_VERSION, type RunResult, type RunSummary, type SegmentInfo, type ThresholdResult, type WorkloadFingerprint } from '../core/run-result.js';
import { agentLabel } from '../core/segment.js';
import type { RunIdentity, RunSink } from '../core/sink.js';
import { toolVersion } from '../core/version.js';
import { adapterFor } from '../../collectors/engines/index.js';
import { DEFAULT_USER_SEND_RATE_PER_S } from '../pool/dispatch-pacer.js';
import type { ClientTuning } from '../tuning/process-tuning.js';
import { watchAbortConditions } from './abort-watch.js';
import { loadDataset } from './dataset.js';
import { setUpEngine, type EngineSetup } from './engine-setup.js';
import type { PhasePlanner } from './level-search.js';
import { runPhases } from './phase-loop.js';
import { clientHealth, hostInfo, resourcesSection } from './result-sections.js';
import { newRunId } from './run-id.js';
import { startManifest } from './run-start.js';
import { RunStop } from './run-stop.js';
import { RunSummarizer } from './run-summarizer.js';
import { SinkSet } from './sink-set.js';
import type { RequestSlo } from './summary-collector.js';
import { DEFAULT_VALIDITY_LIMITS, sharedStartChecks, validityChecks } from './validity.js';
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


export async function runBenchmark(plan: ExecutionPlan, options: RunOptions): Promise<RunOutcome> {
  const clock = options.clock ?? systemClock;
  const notice = options.onNotice ?? (() => {});
  const adapter = adapterFor(plan.target.engine);
  const apiKey = readApiKey(plan.target.apiKeyEnv);
  const prompts = plan.workload.dataset ? await loadDataset(plan.workload.dataset) : undefined;
  const workerCount = options.workers ?? defaultWorkerCount();
  const userSendRatePerS = options.userSendRatePerS ?? DEFAULT_USER_SEND_RATE_PER_S;
  const lagBudgetMs = DEFAULT_VALIDITY_LIMITS.scheduleLagP99Ms;
  const agent = plan.segment ? agentLabel(plan.segment) : undefined;
  const identity: RunIdentity = { runId: options.runId ?? newRunId(), scenario: options.scenarioName, engine: plan.target.engine, model: plan.target.model, ...(agent ? { agent } : {}) };
  const segment: SegmentInfo | undefined = plan.segment && agent
    ? { index: plan.segment.index, count: plan.segment.count, agent, ...(options.startAtMs !== undefined ? { start_at_ms: options.startAtMs } : {}) }
    : undefined;
  const startedAt = new Date();
  const host = hostInfo(workerCount);
  const scenario = { ...options.scenario, name: options.scenarioName };
  const sinks = new SinkSet(options.sinks ?? [], notice);
  const summarizer = new RunSummarizer(options.slos ?? []);
  const windows = new WindowStage(identity, (points) => sinks.write({ kind: 'windows', windows: points }));
  const stop = new RunStop(notice);

  /** run.json's core, whatever happened; `measured` fills in what the run measured. */
  const resultOf = (measured: Partial<RunResult> & Pick<RunResult, 'status' | 'summary' | 'validity' | 'client_health'>): RunResult => ({
    schema_version: RUN_SCHEMA_VERSION,
    run_id: identity.runId,
    tool: { name: 'llmbench', version: toolVersion() },
    ...(stop.abortReason ? { abort_reason: stop.abortReason } : {}),
    valid: measured.validity.every((check) => check.ok),
    started_at: startedAt.toISOString(),
    ended_at: new Date().toISOString(),
    scenario,
    ...(options.workloadFingerprint ? { workload_fingerprint: options.workloadFingerprint } : {}),
    target: { engine: plan.target.engine, url: plan.target.url, model: plan.target.model, api: plan.target.api ?? adapter.defaultApi, network_rtt_ms: null },
    host,
    stages: [],
    ...(segment ? { segment } : {}),
    ...(options.analysisSlos?.length ? { slos: [...options.analysisSlos] } : {}),
    ...measured,
  });
  /** Before any load: the sinks still get a run.json saying why nothing ran (DESIGN §11: a failed tick leaves a record). */
  const failBeforeLoad = async (error: unknown): Promise<never> => {
    stop.fail(`the run failed before any load: ${(error as Error).message}`);
    const summary = summarizer.summary();
    const result = resultOf({
      status: 'failed',
      summary,
      validity: validityChecks({ scheduleLagP99Ms: null, userSendWaitShare: null, eventLoopDelayP99Ms: null, clientCpuShare: null, requestsSent: 0 }),
      client_health: clientHealth({ summary, sendLag: summarizer.sendLag, eventLoopDelayP99Ms: null, clientCpuShare: null, droppedArrivals: 0, userSendRatePerS, tuning: undefined }),
    });
    await sinks.closeAll(result).catch((closeError: unknown) => notice((closeError as Error).message));
    throw error;
  };

  let engine: EngineSetup;
  try {
    await sinks.openAll({ ...identity, manifest: startManifest({ identity, plan, scenario, host, startedAt, fingerprint: options.workloadFingerprint, segment }) }, stop.control());
    engine = await setUpEngine(plan, adapter, {
      apiKey, usesDataset: prompts !== undefined, runId: identity.runId, startAtMs: options.startAtMs, clockOffsetMs: options.clockOffsetMs, lagBudgetMs, clock, signal: options.signal, notice,
    });
  } catch (error) {
    return failBeforeLoad(error);
  }

  if (options.monitor) await options.monitor.start({ runId: identity.runId, onPoints: (points) => sinks.write({ kind: 'resources', points }), onNotice: notice });
  const onSignal = () => stop.stop(`interrupted (${signalName(options.signal)})`);
  options.signal?.addEventListener('abort', onSignal, { once: true });
  const abortWatch = watchAbortConditions(plan.abort, summarizer, (reason) => stop.stop(reason), options.abortOnThresholdFail ? options.evaluateThresholds : undefined);
  const cpuStart = process.cpuUsage();
  const wallStartMs = clock.nowMs();
  const loop = await runPhases({
    plan,
    planner: options.planner,
    runId: identity.runId,
    workload: engine.workload,
    networkRttMs: engine.preflight.networkRttMs,
    healthPath: adapter.healthPath ?? '/',
    apiKey,
    prompts,
    workerCount,
    workerFile: options.workerFile,
    userSendRatePerS,
    gracefulStopMs: options.gracefulStopMs ?? 30_000,
    startAtMs: options.startAtMs,
    lagBudgetMs,
    tuning: options.tuning,
    progressIntervalMs: options.progressIntervalMs ?? 1000,
    clock,
    signal: options.signal,
    notice,
    emit: (event) => sinks.write(event),
    summarizer,
    windows,
    stop,
    abortWatch,
  });
  options.signal?.removeEventListener('abort', onSignal);
  abortWatch.dispose();
  const wallMs = clock.nowMs() - wallStartMs;
  const cpu = process.cpuUsage(cpuStart);
  const monitorSummary = options.monitor ? await options.monitor.stop() : undefined;
  windows.finish();

  const summary = summarizer.summary();
  const clientCpuShare = wallMs > 0 ? (cpu.user + cpu.system) / 1000 / (wallMs * availableParallelism()) : null;
  const eventLoopDelayP99Ms = loop.eventLoopP99sMs.length ? Math.max(...loop.eventLoopP99sMs) : null;
  const resources = resourcesSection(monitorSummary, options.resourceNotes, summary);
  const result = resultOf({
    status: stop.status(),
    validity: [
      ...validityChecks({
        scheduleLagP99Ms: summarizer.sendLag.arrivalLagP99Ms(),
        userSendWaitShare: summarizer.sendLag.userSendWaitShare(),
        closedLoopRequests: summarizer.sendLag.userRequests(),
        eventLoopDelayP99Ms,
        clientCpuShare,
        requestsSent: loop.sent,
      }),
      ...sharedStartChecks(loop.startLagMs, engine.clockCheck, lagBudgetMs),
    ],
    target: {
      engine: plan.target.engine,
      url: plan.target.url,
      model: plan.target.model,
      api: plan.target.api ?? adapter.defaultApi,
      server: engine.preflight.info,
      network_rtt_ms: engine.preflight.networkRttMs,
      ...(engine.calibration ? { prompt_calibration: engine.calibration } : {}),
    },
    client_health: clientHealth({ summary, sendLag: summarizer.sendLag, eventLoopDelayP99Ms, clientCpuShare, droppedArrivals: loop.dropped, userSendRatePerS, tuning: loop.tuning }),
    summary,
    stages: loop.ranPhases.flatMap((phase) => {
      const endedEarly = stop.phaseEnd(phase);
      return summarizer.stages([phase]).map((stage) => (endedEarly ? { ...stage, ended_early: endedEarly } : stage));
    }),
    ...(options.evaluateThresholds ? { thresholds: options.evaluateThresholds(summary) } : {}),
    ...(resources ? { resources } : {}),
    windows: windows.stats(),
    ...(segment ? { segment: { ...segment, ...(loop.startLagMs !== undefined ? { start_lag_ms: loop.startLagMs } : {}), ...(engine.clockCheck ? { clock: engine.clockCheck } : {}) } } : {}),
  });
  const stored = await sinks.closeAll(result);
  // The sinks have the run either way; the caller still learns that it failed.
  const crash = loop.crash;
  if (crash) throw crash instanceof BenchError ? crash : new BenchError('INTERNAL', `the run failed: ${(crash as Error).message}`, { cause: crash });
  return { result: stored };
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
