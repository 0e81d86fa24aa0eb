/**
 * What crosses the thread boundary between the coordinator and a stream worker. Everything here must be
 * structured-cloneable; AbortSignals cannot cross threads, so stopping is a message on the port.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Phase, TargetConfig, WorkloadConfig } from '../core/plan.js';
import type { FinishedRequest } from './execute-request.js';

/** Slots of the Int32Array over `WorkerTask.shared`. */
export const SHARED_REQUESTS_CLAIMED = 0;
export const SHARED_IN_FLIGHT = 1;
export const SHARED_SLOTS = 2;

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
  | { readonly type: 'records'; readonly records: FinishedRequest[]; readonly watermarkMs: number }
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
