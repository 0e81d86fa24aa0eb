/**
 * Runs one phase on a pool of Piscina worker threads and streams their record batches back. Workers hold
 * sockets and timers, so Piscina's Atomics-based idle wait is disabled (STYLE: piscina notes).
 *
 * A worker that dies (an uncaught exception, running out of memory) takes its requests in flight with it. The
 * pool knows them: every batch says which requests the worker started since the last one, and a shared counter
 * says how many it started in all (covering the starts after its last batch). Each one without a record gets an
 * error record of kind `worker_died`; the other workers' records are untouched, and `onWorkerDied` tells the
 * caller, which decides whether the run goes on.
 */
import { existsSync } from 'node:fs';
import { MessageChannel } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { BenchError } from '../core/errors.js';
import { maxStreams } from './user-profile.js';
import { stageAt } from './stage-at.js';
import type { RequestRecord } from '../core/record.js';
import { unpackChunkLog } from './chunk-log.js';
import type { FinishedRequest } from './execute-request.js';
import {
  requestIdOf,
  SHARED_IN_FLIGHT,
  sharedSlots,
  startedSlot,
  type CoordinatorMessage,
  type PrepareTask,
  type StartedRequest,
  type WorkerMessage,
  type WorkerResult,
  type WorkerTask,
} from './worker-protocol.js';

/** The built worker file. Under tsx (tests) this module is a .ts file, and Piscina needs the built .js. */
export function workerFilename(): string {
  const here = fileURLToPath(import.meta.url);
  const built = here.endsWith('.ts')
    ? fileURLToPath(new URL('../../dist/pipeline/pool/stream-worker.js', import.meta.url))
    : fileURLToPath(new URL('./stream-worker.js', import.meta.url));
  if (!existsSync(built)) {
    throw new BenchError('INTERNAL', `the worker file ${built} is missing`, { hint: 'run `npm run build` first' });
  }
  return built;
}

export type PhaseTaskInput = Omit<WorkerTask, 'workerIndex' | 'workerCount' | 'shared' | 'port'>;

export interface WorkerPoolOptions {
  /** The worker file (default: the built stream-worker.js); a test may pass a wrapper around it. */
  readonly workerFile?: string;
}

/** A worker that died during a phase, and what the pool recorded for it. */
export interface WorkerDeath {
  readonly workerIndex: number;
  readonly reason: string;
  /** Requests it had started that got a `worker_died` record. */
  readonly lostRequests: number;
}

/** How long to wait for a dead worker's last batches to drain before its open requests are recorded. */
const DEAD_WORKER_DRAIN_MS = 2000;

export class WorkerPool {
  readonly #piscina: Piscina;
  #shared: Int32Array | undefined;
  #ports: MessageChannel['port1'][] = [];

  constructor(readonly workerCount: number, options: WorkerPoolOptions = {}) {
    this.#piscina = new Piscina({
      filename: options.workerFile ?? workerFilename(),
      minThreads: workerCount,
      maxThreads: workerCount,
      concurrentTasksPerWorker: 1,
      atomics: 'disabled',
      idleTimeout: 60_000,
    });
  }

  /** Starts every thread and loads the worker module, so the first phase's schedule is not late. */
  async warm(): Promise<void> {
    const pings: Promise<unknown>[] = [];
    for (let i = 0; i < this.workerCount; i++) pings.push(this.#piscina.run({ ping: true }));
    await Promise.all(pings);
  }

  /**
   * Opens each worker's connections before a closed-loop phase, so its users do not all connect in the same
   * instant the phase starts. Each thread keeps one agent across tasks (connections.ts).
   */
  async prepare(input: PhaseTaskInput, healthPath: string): Promise<number> {
    if (input.phase.load.kind !== 'closed') return 0;
    const tasks: Promise<number>[] = [];
    for (let workerIndex = 0; workerIndex < this.workerCount; workerIndex++) {
      const task: PrepareTask = {
        prepare: true,
        url: input.target.url,
        healthPath,
        connections: maxStreams({ phase: input.phase, workerIndex, workerCount: this.workerCount }),
        connectTimeoutMs: input.workload.connectTimeoutMs,
      };
      tasks.push(this.#piscina.run(task) as Promise<number>);
    }
    return (await Promise.all(tasks)).reduce((sum, n) => sum + n, 0);
  }

  /** Requests in flight right now across all workers of the running phase. */
  inFlight(): number {
    return this.#shared ? Atomics.load(this.#shared, SHARED_IN_FLIGHT) : 0;
  }

  /**
   * Runs the phase; `onRecords` gets each batch with the phase's watermark: the lowest of the workers' (a worker
   * that is done no longer holds it back), so nothing any worker reports later has a stamp before it. A worker
   * that dies is reported to `onWorkerDied` after its lost requests went to `onRecords` (see the file comment).
   */
  async runPhase(
    input: PhaseTaskInput,
    onRecords: (records: RequestRecord[], watermarkMs: number) => void,
    onWorkerDied: (death: WorkerDeath) => void = () => {},
  ): Promise<WorkerResult[]> {
    const sharedBuffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * sharedSlots(this.workerCount));
    const shared = new Int32Array(sharedBuffer);
    this.#shared = shared;
    const runs: Promise<WorkerResult>[] = [];
    const drained: Promise<void>[] = [];
    const watermarks = new Array<number>(this.workerCount).fill(Number.NEGATIVE_INFINITY);
    this.#ports = [];
    for (let workerIndex = 0; workerIndex < this.workerCount; workerIndex++) {
      const channel = new MessageChannel();
      // Requests started and not yet finished, and how many starts the batches have reported.
      const open = new Map<string, StartedRequest>();
      let reportedStarts = 0;
      const portDrained = new Promise<void>((resolve) => {
        const finish = () => {
          watermarks[workerIndex] = Number.POSITIVE_INFINITY;
          resolve();
        };
        channel.port1.on('message', (message: WorkerMessage) => {
          if (message.type !== 'records') return finish();
          for (const started of message.started) open.set(started.id, started);
          reportedStarts += message.started.length;
          for (const { record } of message.records) open.delete(record.request_id);
          watermarks[workerIndex] = message.watermarkMs;
          onRecords(message.records.map(withChunks), Math.min(...watermarks));
        });
        channel.port1.on('close', finish);
      });
      drained.push(portDrained);
      this.#ports.push(channel.port1);
      const task: WorkerTask = { ...input, workerIndex, workerCount: this.workerCount, shared: sharedBuffer, port: channel.port2 };
      const run = this.#piscina.run(task, { transferList: [channel.port2] }) as Promise<WorkerResult>;
      runs.push(
        run.catch(async (error: unknown) => {
          // What the worker posted before it died is still in the port: take it before deciding what was lost.
          await Promise.race([portDrained, new Promise((resolve) => setTimeout(resolve, DEAD_WORKER_DRAIN_MS).unref())]);
          const reason = (error as Error)?.message ?? String(error);
          const startedInAll = Atomics.load(shared, startedSlot(workerIndex));
          const lost = lostRecords(input, workerIndex, reason, [...open.values()], reportedStarts, startedInAll);
          watermarks[workerIndex] = Number.POSITIVE_INFINITY;
          if (lost.length > 0) onRecords(lost, Math.min(...watermarks));
          onWorkerDied({ workerIndex, reason, lostRequests: lost.length });
          return { workerIndex, sent: startedInAll, dropped: 0, eventLoopDelayP99Ms: 0, eventLoopDelayMaxMs: 0 };
        }),
      );
    }
    try {
      const results = await Promise.all(runs);
      // Task results travel on Piscina's channel, records on ours: wait for each worker's 'done'.
      await Promise.all(drained);
      return results;
    } finally {
      for (const port of this.#ports) port.close();
      this.#ports = [];
    }
  }

  /** Stop the running phase: no new requests, in-flight ones cancelled (they still get records). */
  stop(reason: string): void {
    const message: CoordinatorMessage = { type: 'stop', reason };
    for (const port of this.#ports) port.postMessage(message);
  }

  async close(): Promise<void> {
    await this.#piscina.destroy();
  }
}

/**
 * Error records for a dead worker's requests that have none: those its batches reported started and no record
 * finished, and those it started after its last batch (known only by count: their ids follow on, their intended
 * times are lost, so the time of death stands in and the message says so).
 */
function lostRecords(input: PhaseTaskInput, workerIndex: number, reason: string, open: readonly StartedRequest[], reportedStarts: number, startedInAll: number): RequestRecord[] {
  const nowMs = performance.timeOrigin + performance.now();
  const phase = input.phase;
  const unreported: StartedRequest[] = [];
  for (let sequence = reportedStarts; sequence < startedInAll; sequence++) {
    unreported.push({ id: requestIdOf(input.runId, phase, workerIndex, sequence), tIntended: nowMs, stageIndex: phase.warmup ? -1 : stageAt(phase, nowMs - input.phaseStartMs).index });
  }
  const message = `worker thread ${workerIndex} died with this request in flight (${reason}); its outcome was lost with the thread`;
  return [...open, ...unreported].map((started, i) => ({
    request_id: started.id,
    run_id: input.runId,
    stage: phase.warmup ? 'warmup' : (phase.stages.find((stage) => stage.index === started.stageIndex)?.name ?? phase.name),
    stage_index: started.stageIndex,
    warmup: phase.warmup,
    status: 'error',
    error_kind: 'worker_died',
    error_message: i < open.length ? message : `${message}; it started after the worker's last report, so its intended time is unknown (the time of death is given)`,
    engine: input.target.engine,
    model: input.target.model,
    stream: input.workload.stream,
    worker: workerIndex,
    ...(started.user !== undefined ? { user: started.user } : {}),
    t_intended: started.tIntended,
    t_done: nowMs,
    chunks: [],
    metrics: {},
    sources: {},
    server: {},
  }));
}

/** The record as the rest of the tool sees it: its chunk log unpacked into `chunks`. */
function withChunks({ record, chunkLog }: FinishedRequest): RequestRecord {
  record.chunks = unpackChunkLog(chunkLog);
  return record;
}
