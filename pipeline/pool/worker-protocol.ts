/**
 * What crosses the thread boundary between the coordinator and a stream worker. Everything here must be
 * structured-cloneable; AbortSignals cannot cross threads, so stopping is a message on the port.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Phase, TargetConfig, WorkloadConfig } from '../core/plan.js';
import type { FinishedRequest } from './execute-request.js';

/** Slots of the Int32Array over `WorkerTask.shared`; then one slot per worker: startedSlot(). */
export const SHARED_REQUESTS_CLAIMED = 0;
export const SHARED_IN_FLIGHT = 1;
const SHARED_FIXED_SLOTS = 2;

/** Slots of the shared array for a phase run by `workerCount` workers. */
export function sharedSlots(workerCount: number): number {
  return SHARED_FIXED_SLOTS + workerCount;
}

/**
 * Worker `workerIndex`'s count of requests started (sent or about to be): each start stores it before the
 * request goes out. If the worker dies, the coordinator learns from it the starts no batch had reported yet.
 */
export function startedSlot(workerIndex: number): number {
  return SHARED_FIXED_SLOTS + workerIndex;
}

/** The id of a worker's `sequence`-th request of a phase (also how the coordinator names one a dead worker lost). */
export function requestIdOf(runId: string, phase: Pick<Phase, 'name' | 'segment'>, workerIndex: number, sequence: number): string {
  // Segments share the run id, so the segment is part of every id (`…-main-s2of4-w0-17`).
  const segment = phase.segment ? `-s${phase.segment.index}of${phase.segment.count}` : '';
  return `${runId}-${phase.name}${segment}-w${workerIndex}-${sequence}`;
}

/**
 * A request a worker started, reported in its next batch (one small object per request): what the coordinator
 * needs to write its record should the worker die before the request finishes.
 */
export interface StartedRequest {
  readonly id: string;
  readonly tIntended: number;
  /** Index into the phase's stages (-1 in warmup). */
  readonly stageIndex: number;
  readonly user?: number;
}

export interface WorkerTask {
  readonly workerIndex: number;
  readonly workerCount: number;
  readonly runId: string;
  readonly phase: Phase;
  /** Epoch ms at which the phase's offset 0 falls. */
  readonly phaseStartMs: number;
  readonly target: TargetConfig;
  /** The API key value, read from the environment by the coordinator; never written anywhere. */
  readonly apiKey?: string;
  readonly workload: WorkloadConfig;
  /** Prompts from a dataset, used round-robin; synthetic prompts when absent. */
  readonly prompts?: readonly string[];
  readonly networkRttMs: number;
  /** How long in-flight requests may run after the phase's duration ends before they are cancelled. */
  readonly gracefulStopMs: number;
  /** Closed-loop sends per second this worker keeps to (dispatch-pacer.ts); Infinity = no limit. */
  readonly userSendRatePerS: number;
  /** Int32Array slots shared by all workers of the phase (request budget, global in-flight count). */
  readonly shared: SharedArrayBuffer;
  readonly port: MessagePort;
}

/** Opens connections ahead of a phase (one GET of the health endpoint per connection). */
export interface PrepareTask {
  readonly prepare: true;
  readonly url: string;
  readonly healthPath: string;
  readonly connections: number;
  readonly connectTimeoutMs: number;
}

export type CoordinatorMessage = { readonly type: 'stop'; readonly reason: string };

export type WorkerMessage =
  /**
   * Each record's `chunks` is still empty; its log travels packed beside it (see chunk-log.ts). `watermarkMs`:
   * nothing this worker reports later has a stamp before it (record-batcher.ts).
   */
  | { readonly type: 'records'; readonly records: FinishedRequest[]; readonly started: StartedRequest[]; readonly watermarkMs: number }
  /** Last message of a task: every record was posted before it (ordering on one port is guaranteed). */
  | { readonly type: 'done' };

export interface WorkerResult {
  readonly workerIndex: number;
  readonly sent: number;
  readonly dropped: number;
  /** Event-loop delay of this worker over the phase (ms). */
  readonly eventLoopDelayP99Ms: number;
  readonly eventLoopDelayMaxMs: number;
}
