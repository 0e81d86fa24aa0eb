/**
 * The phases of a run on the worker pool, one after another: the plan's own, then any a planner picks from what
 * was measured (the SLO search). Each phase's records go to the summarizer, the sinks and the window stage as
 * they arrive, with the workers' watermark; a progress event goes out every interval. An agent of a segmented
 * run waits for --start-at before its first measured phase (its warmup runs before, on its own).
 */
import type { Clock } from '../core/clock.js';
import type { ExecutionPlan, Phase, WorkloadConfig } from '../core/plan.js';
import type { RunEvent } from '../core/sink.js';
import { WorkerPool } from '../pool/worker-pool.js';
import type { ClientTuning } from '../tuning/process-tuning.js';
import type { AbortWatch } from './abort-watch.js';
import type { MeasuredPhase, PhasePlanner } from './level-search.js';
import { startProgress } from './progress-ticker.js';
import type { RunStop } from './run-stop.js';
import type { RunSummarizer } from './run-summarizer.js';
import type { WindowStage } from './window-stage.js';

/**
 * Before --start-at the coordinator wakes this early to open the phase's connections (pool.prepare): opened long
 * before, they would sit idle past servers' keep-alive timeouts (5 s in Node) and be closed under it.
 */
const START_PREPARE_LEAD_MS = 2000;

export interface PhaseLoopInput {
  readonly plan: ExecutionPlan;
  readonly planner: PhasePlanner | undefined;
  readonly runId: string;
  readonly workload: WorkloadConfig;
  readonly networkRttMs: number;
  readonly healthPath: string;
  readonly apiKey: string | undefined;
  readonly prompts: readonly string[] | undefined;
  readonly workerCount: number;
  readonly workerFile: string | undefined;
  readonly userSendRatePerS: number;
  readonly gracefulStopMs: number;
  readonly startAtMs: number | undefined;
  readonly lagBudgetMs: number;
  readonly tuning: ClientTuning | undefined;
  readonly progressIntervalMs: number;
  readonly clock: Clock;
  readonly signal: AbortSignal | undefined;
  readonly notice: (line: string) => void;
  readonly emit: (event: RunEvent) => void;
  readonly summarizer: RunSummarizer;
  readonly windows: WindowStage;
  readonly stop: RunStop;
  readonly abortWatch: AbortWatch;
}

export interface PhaseLoopOutcome {
  readonly sent: number;
  readonly dropped: number;
  /** Each worker's event-loop delay p99, per phase. */
  readonly eventLoopP99sMs: readonly number[];
  readonly ranPhases: readonly Phase[];
  readonly tuning: Record<string, number | string> | undefined;
  /** How late this agent's first measured phase began after --start-at. */
  readonly startLagMs: number | undefined;
  /** What broke the loop, if something threw (the pool could not start, a worker file missing…). */
  readonly crash: unknown;
}

export async function runPhases(input: PhaseLoopInput): Promise<PhaseLoopOutcome> {
  const { plan, stop, clock } = input;
  const eventLoopP99sMs: number[] = [];
  const ranPhases: Phase[] = [];
  const measured: MeasuredPhase[] = [];
  let sent = 0;
  let dropped = 0;
  let startLagMs: number | undefined;
  let tuning: Record<string, number | string> | undefined;
  let crash: unknown;
  let pool: WorkerPool | undefined;
  const planned = plan.phases[Symbol.iterator]();
  const nextPhase = (): Phase | undefined => {
    const fixed = planned.next();
    return fixed.done ? input.planner?.next(measured) : fixed.value;
  };
  try {
    pool = new WorkerPool(input.workerCount, input.workerFile ? { workerFile: input.workerFile } : {});
    stop.attach(pool);
    await pool.warm();
    tuning = input.tuning?.apply();
    for (let phase = nextPhase(); phase; phase = nextPhase()) {
      if (stop.abortReason) break;
      stop.enterPhase(phase);
      ranPhases.push(phase);
      const task = {
        runId: input.runId,
        phase,
        phaseStartMs: 0,
        target: plan.target,
        workload: input.workload,
        networkRttMs: input.networkRttMs,
        gracefulStopMs: input.gracefulStopMs,
        userSendRatePerS: input.userSendRatePerS,
        ...(input.apiKey ? { apiKey: input.apiKey } : {}),
        ...(input.prompts ? { prompts: input.prompts } : {}),
      };
      // The shared start is the first measured phase's: a warmup is each agent's own and runs before it, as soon as the
      // agent is ready. Were the warmup phase 0, each agent's schedule would begin when its own warmup drained.
      const sharedStart = input.startAtMs !== undefined && !phase.warmup && startLagMs === undefined ? input.startAtMs : undefined;
      if (sharedStart !== undefined) await clock.sleepUntil(sharedStart - START_PREPARE_LEAD_MS, input.signal);
      if (stop.abortReason) break;
      await pool.prepare(task, input.healthPath);
      let phaseStartMs = clock.nowMs() + 20;
      if (sharedStart !== undefined) {
        // On time: the phase is due at the shared start. Late: it starts now, its whole schedule shifted, nothing skipped.
        startLagMs = Math.max(0, phaseStartMs - sharedStart);
        phaseStartMs = Math.max(phaseStartMs, sharedStart);
        if (startLagMs > input.lagBudgetMs) {
          input.notice(`phase ${phase.name} started ${startLagMs.toFixed(0)} ms after --start-at ${sharedStart}: this agent's schedule runs that much later than the others' (nothing skipped)`);
        }
      }
      input.emit({
        kind: 'phase',
        phase: phase.name,
        warmup: phase.warmup,
        startMs: phaseStartMs,
        stages: phase.stages.map((stage) => ({ name: stage.name, index: stage.index, startMs: phaseStartMs + stage.startMs, ...(stage.target !== undefined ? { target: stage.target } : {}) })),
      });
      const running = pool;
      const progress = startProgress(phase, phaseStartMs, () => running.inFlight(), clock, input.progressIntervalMs, input.emit);
      try {
        const results = await pool.runPhase(
          { ...task, phaseStartMs },
          (records, watermarkMs) => {
            input.summarizer.add(records);
            input.emit({ kind: 'records', records });
            input.windows.add(records, watermarkMs);
            input.abortWatch.check();
          },
          // Its share of the load is gone, so what follows would not be the planned load: stop the others cleanly
          // (their requests in flight are recorded as cancelled) and end the run as failed, saying why.
          (death) => stop.fail(`worker thread ${death.workerIndex} died (${death.reason}); its ${death.lostRequests} requests in flight were recorded as worker_died`),
        );
        for (const result of results) {
          sent += result.sent;
          dropped += result.dropped;
          eventLoopP99sMs.push(result.eventLoopDelayP99Ms);
        }
      } finally {
        progress.stop();
      }
      const endedEarly = stop.phaseEnd(phase);
      measured.push({ phase, stages: input.summarizer.stages([phase]), ...(endedEarly ? { endedEarly } : {}) });
    }
  } catch (error) {
    crash = error;
    stop.fail(`the run failed: ${(error as Error).message}`);
  } finally {
    await pool?.close();
    input.tuning?.restore();
  }
  return { sent, dropped, eventLoopP99sMs, ranPhases, tuning, startLagMs, crash };
}
