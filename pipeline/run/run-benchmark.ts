/**
 * The coordinator: preflight, then each phase of the plan on the worker pool, with records streaming to the
 * run directory, the sinks, the summaries and the live view as they arrive; at the end run.json and the
 * report. This is the programmatic API behind `llmbench run` (DESIGN §3).
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { systemClock, type Clock } from '../core/clock.js';
import type { EngineInfo } from '../core/engine.js';
import { BenchError, UsageError } from '../core/errors.js';
import type { RunMonitor } from '../core/monitor.js';
import type { ExecutionPlan, Phase } from '../core/plan.js';
import type { Point } from '../core/point.js';
import type { RequestRecord } from '../core/record.js';
import { RUN_SCHEMA_VERSION, type RunResult, type RunSummary, type ThresholdResult } from '../core/run-result.js';
import type { Sink, SinkReport } from '../core/sink.js';
import { adapterFor } from '../../collectors/engines/index.js';
import { WorkerPool } from '../pool/worker-pool.js';
import { DEFAULT_USER_SEND_RATE_PER_S } from '../pool/dispatch-pacer.js';
import { loadDataset } from './dataset.js';
import { LiveStats, type LiveSnapshot } from './live-stats.js';
import { preflight } from './preflight.js';
import { RunDirectory } from './run-directory.js';
import { newRunId } from './run-id.js';
import { COORDINATOR_NICE_STEP, shiftClientThreadsNice, shiftThreadNice, WORKER_NICE_STEP, type ClientThreadsChange, type PriorityChange } from '../core/thread-priority.js';
import { SummaryCollector, type RequestSlo } from './summary-collector.js';
import { SendLagTally } from './send-lag.js';
import { validityChecks } from './validity.js';
import { hostInfo, resourcesSection, stageSummaries } from './result-sections.js';
import { toolVersion } from '../core/version.js';
import { setYoungGcMode, type YoungGcMode } from '../core/young-gc.js';
import { renderMarkdownReport } from '../../analytics/report/markdown.js';
import { WindowAccumulator } from '../sinks/window-points.js';
import { CorrelationSamples } from '../../collectors/resources/correlation.js';

export interface ProgressUpdate {
  readonly phase: string;
  readonly warmup: boolean;
  readonly stage: string;
  /** Users (closed loop) or requests/s (open loop) the current stage aims at. */
  readonly target: number | undefined;
  readonly loadKind: 'closed' | 'open';
  readonly elapsedMs: number;
  /** Planned length of the phase, when it has one. */
  readonly totalMs: number | null;
  readonly requestBudget: number | null;
  readonly inFlight: number;
  readonly live: LiveSnapshot;
}

export interface RunOptions {
  readonly scenarioName: string;
  /** The resolved scenario as data, secrets already redacted; stored in run.json. */
  readonly scenario: Record<string, unknown>;
  readonly runId?: string;
  /** The run directory (default runs/<run_id>). */
  readonly outDir?: string;
  readonly workers?: number;
  /** Closed-loop sends per second per worker thread (pool/dispatch-pacer.ts); Infinity = no limit. */
  readonly userSendRatePerS?: number;
  readonly gracefulStopMs?: number;
  readonly sinks?: readonly Sink[];
  readonly monitor?: RunMonitor;
  /** Per-request SLOs counted for goodput. */
  readonly slos?: readonly RequestSlo[];
  /** Evaluates the scenario's thresholds on the finished summary. */
  readonly evaluateThresholds?: (summary: RunSummary) => ThresholdResult[];
  /** Stop the run as soon as a threshold fails (checked on each progress tick on the live summary). */
  readonly abortOnThresholdFail?: boolean;
  /** Extra entries for run.json `resources` (e.g. a cold-start measurement taken before the run). */
  readonly resourceNotes?: Record<string, unknown>;
  readonly onProgress?: (update: ProgressUpdate) => void;
  readonly progressIntervalMs?: number;
  readonly onNotice?: (line: string) => void;
  /** Aborting it (Ctrl-C) stops the load, cancels in-flight requests, and still writes a marked run. */
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
  /**
   * Shift thread priorities for the run (core/thread-priority.ts; default true). Off when something timed
   * runs on the coordinator's own thread, e.g. the demo's in-process simulator.
   */
  readonly threadPriorities?: boolean;
  /** Young-generation GC of the client's threads (core/young-gc.ts; default 'serial'). */
  readonly youngGc?: YoungGcMode;
}

export interface RunOutcome {
  readonly result: RunResult;
  readonly dir: string;
}

export async function runBenchmark(plan: ExecutionPlan, options: RunOptions): Promise<RunOutcome> {
  const clock = options.clock ?? systemClock;
  const notice = options.onNotice ?? (() => {});
  const adapter = adapterFor(plan.target.engine);
  const apiKey = readApiKey(plan.target.apiKeyEnv);
  const { info, networkRttMs } = await preflight(adapter, plan.target.url, plan.target.model, apiKey);
  const prompts = plan.workload.dataset ? await loadDataset(plan.workload.dataset) : undefined;

  const runId = options.runId ?? newRunId();
  const dir = options.outDir ?? join('runs', runId);
  const runDir = await RunDirectory.create(dir);
  const sinks = options.sinks ?? [];
  const runInfo = { runId, scenario: options.scenarioName, engine: plan.target.engine, model: plan.target.model, runDir: dir };
  for (const sink of sinks) await sink.start(runInfo);

  const startedAt = new Date();
  // The resource samples the end-of-run correlation with the 1 s request windows reads (not whole points).
  const correlationSamples = new CorrelationSamples();
  const windows = new WindowAccumulator({ runId, engine: plan.target.engine, model: plan.target.model });
  const onPoints = (points: readonly Point[]) => {
    for (const point of points) correlationSamples.add(point);
    runDir.appendPoints(points);
    for (const sink of sinks) sink.writePoints(points);
  };
  if (options.monitor) await options.monitor.start({ runId, onPoints, onNotice: notice });

  const slos = options.slos ?? [];
  const sendLag = new SendLagTally();
  // The run's summary is merged from the stages' at the end (SummaryCollector.merge says why).
  const stageCollectors = new Map<number, SummaryCollector>();
  const live = new LiveStats();
  let warmupCount = 0;
  let abortReason: string | undefined;
  const workerCount = options.workers ?? defaultWorkerCount();
  const userSendRatePerS = options.userSendRatePerS ?? DEFAULT_USER_SEND_RATE_PER_S;
  const youngGc = options.youngGc ?? 'serial';
  setYoungGcMode(youngGc);
  const pool = new WorkerPool(workerCount);
  const stopRun = (reason: string) => {
    if (abortReason) return;
    abortReason = reason;
    pool.stop(reason);
  };
  const onSignal = () => stopRun('interrupted (SIGINT)');
  options.signal?.addEventListener('abort', onSignal, { once: true });

  const onRecords = (records: RequestRecord[]) => {
    runDir.appendRecords(records);
    for (const sink of sinks) sink.writeRecords(records);
    live.add(records);
    for (const record of records) {
      if (record.warmup) {
        warmupCount++;
        continue;
      }
      sendLag.add(record);
      windows.add(record);
      let stage = stageCollectors.get(record.stage_index);
      if (!stage) stageCollectors.set(record.stage_index, (stage = new SummaryCollector(slos)));
      stage.add(record);
    }
    checkAbort();
  };
  const checkAbort = () => {
    const { maxErrors, maxErrorRate, minRequestsForRate } = plan.abort;
    const counts = live.counts();
    if (maxErrors !== null && counts.errors >= maxErrors) stopRun(`${counts.errors} requests failed (abort.max_errors = ${maxErrors})`);
    const finished = counts.ok + counts.errors;
    if (maxErrorRate !== null && finished >= minRequestsForRate && counts.errors / finished > maxErrorRate) {
      stopRun(`error rate ${(counts.errors / finished).toFixed(3)} over ${finished} requests (abort.max_error_rate = ${maxErrorRate})`);
    }
  };

  // abort_on_fail: thresholds are checked on the live summary every 2 s, once enough requests finished.
  const thresholdTimer =
    options.abortOnThresholdFail && options.evaluateThresholds
      ? setInterval(() => {
          const overall = SummaryCollector.merge(stageCollectors.values(), slos);
          if (overall.total < Math.max(plan.abort.minRequestsForRate, 1)) return;
          const failed = options.evaluateThresholds!(overall.summary()).filter((threshold) => !threshold.ok);
          if (failed.length > 0) stopRun(`threshold failed (abort_on_fail): ${failed.map((t) => `${t.metric}: ${t.expression}`).join('; ')}`);
        }, 2000)
      : undefined;

  const cpuStart = process.cpuUsage();
  const wallStartMs = clock.nowMs();
  const eventLoopP99s: number[] = [];
  let sent = 0;
  let dropped = 0;
  let failure: unknown;
  let priority: PriorityChange | undefined;
  let threadsChange: ClientThreadsChange | undefined;
  try {
    await pool.warm();
    // After the workers exist: they go up; this thread goes down, and V8's helpers with it unless the worker's
    // scavenges wait for them (core/thread-priority.ts).
    if (options.threadPriorities !== false) {
      const helperStep = youngGc === 'serial' ? COORDINATOR_NICE_STEP : WORKER_NICE_STEP;
      threadsChange = shiftClientThreadsNice({ workerStep: WORKER_NICE_STEP, helperStep });
      priority = shiftThreadNice(COORDINATOR_NICE_STEP);
    }
    for (const phase of plan.phases) {
      if (abortReason) break;
      const input = {
        runId,
        phase,
        phaseStartMs: 0,
        target: plan.target,
        workload: plan.workload,
        networkRttMs,
        gracefulStopMs: options.gracefulStopMs ?? 30_000,
        userSendRatePerS,
        ...(apiKey ? { apiKey } : {}),
        ...(prompts ? { prompts } : {}),
      };
      await pool.prepare(input, adapter.healthPath ?? '/');
      const phaseStartMs = clock.nowMs() + 20;
      const progress = startProgress(phase, phaseStartMs);
      try {
        const results = await pool.runPhase({ ...input, phaseStartMs }, onRecords);
        for (const result of results) {
          sent += result.sent;
          dropped += result.dropped;
          eventLoopP99s.push(result.eventLoopDelayP99Ms);
        }
      } finally {
        progress.stop();
      }
    }
  } catch (error) {
    failure = error;
    abortReason ??= `the run failed: ${(error as Error).message}`;
  } finally {
    options.signal?.removeEventListener('abort', onSignal);
    if (thresholdTimer) clearInterval(thresholdTimer);
    await pool.close();
    priority?.restore();
  }
  const wallMs = clock.nowMs() - wallStartMs;
  const cpu = process.cpuUsage(cpuStart);
  const monitorSummary = options.monitor ? await options.monitor.stop() : undefined;

  const summary = SummaryCollector.merge(stageCollectors.values(), slos).summary();
  summary.requests.warmup = warmupCount;
  const resources = resourcesSection(monitorSummary, options.resourceNotes, correlationSamples, windows, summary);
  const stages = stageSummaries(plan.phases, stageCollectors);
  const clientCpuShare = wallMs > 0 ? (cpu.user + cpu.system) / 1000 / (wallMs * availableParallelism()) : null;
  const validity = validityChecks({
    scheduleLagP99Ms: sendLag.arrivalLagP99Ms(),
    userSendWaitShare: sendLag.userSendWaitShare(),
    eventLoopDelayP99Ms: eventLoopP99s.length ? Math.max(...eventLoopP99s) : null,
    clientCpuShare,
    requestsSent: sent,
  });
  const result: RunResult = {
    schema_version: RUN_SCHEMA_VERSION,
    run_id: runId,
    tool: { name: 'llmbench', version: toolVersion() },
    status: failure ? 'failed' : abortReason ? 'aborted' : 'completed',
    ...(abortReason ? { abort_reason: abortReason } : {}),
    valid: validity.every((check) => check.ok),
    validity,
    started_at: startedAt.toISOString(),
    ended_at: new Date().toISOString(),
    scenario: { ...options.scenario, name: options.scenarioName },
    target: {
      engine: plan.target.engine,
      url: plan.target.url,
      model: plan.target.model,
      api: plan.target.api ?? adapter.defaultApi,
      server: info,
      network_rtt_ms: networkRttMs,
    },
    host: hostInfo(workerCount),
    client_health: {
      schedule_lag_p99_ms: summary.metrics.schedule_lag_ms?.p99 ?? null,
      user_send_wait_share: sendLag.userSendWaitShare(),
      event_loop_delay_p99_ms: eventLoopP99s.length ? Math.max(...eventLoopP99s) : null,
      client_cpu_pct: clientCpuShare === null ? null : clientCpuShare * 100 * availableParallelism(),
      dropped_arrivals: dropped,
      user_send_rate_per_worker: Number.isFinite(userSendRatePerS) ? userSendRatePerS : null,
      ...(priority ? { coordinator_nice: priority.toNice } : {}),
      ...(threadsChange?.workerNice !== undefined ? { worker_nice: threadsChange.workerNice } : {}),
      ...(threadsChange?.helperNice !== undefined ? { helper_nice: threadsChange.helperNice } : {}),
      young_gc: youngGc,
    },
    summary,
    stages,
    ...(resources ? { resources } : {}),
  };
  if (options.evaluateThresholds) result.thresholds = options.evaluateThresholds(result.summary);
  await runDir.writeRunJson(result);

  const sinkReports: Record<string, SinkReport> = {};
  for (const sink of sinks) {
    sinkReports[sink.name] = await sink.stop(result).catch((error: unknown) => ({ error: (error as Error).message }));
  }
  if (sinks.length > 0) {
    result.sinks = sinkReports;
    await runDir.writeRunJson(result);
  }
  await runDir.writeReport(renderMarkdownReport(result));
  await runDir.close();
  // The run directory is written either way; the caller still learns that the run failed.
  if (failure) throw failure instanceof BenchError ? failure : new BenchError('INTERNAL', `the run failed: ${(failure as Error).message}`, { cause: failure });
  return { result, dir };

  function startProgress(phase: Phase, phaseStartMs: number) {
    if (!options.onProgress) return { stop() {} };
    const tick = () => {
      const elapsedMs = Math.max(clock.nowMs() - phaseStartMs, 0);
      let stage = phase.stages[0];
      for (const label of phase.stages) if (label.startMs <= elapsedMs) stage = label;
      options.onProgress!({
        phase: phase.name,
        warmup: phase.warmup,
        stage: phase.warmup ? 'warmup' : (stage?.name ?? phase.name),
        target: stage?.target,
        loadKind: phase.load.kind,
        elapsedMs,
        totalMs: phase.durationMs,
        requestBudget: phase.requests,
        inFlight: pool.inFlight(),
        live: live.snapshot(clock.nowMs(), elapsedMs),
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
