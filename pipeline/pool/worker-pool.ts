/**
 * Runs one phase on a pool of Piscina worker threads and streams their record batches back. Workers hold
 * sockets and timers, so Piscina's Atomics-based idle wait is disabled (STYLE: piscina notes).
 */
import { existsSync } from 'node:fs';
import { MessageChannel } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { BenchError } from '../core/errors.js';
import { maxStreams } from './user-profile.js';
import type { RequestRecord } from '../core/record.js';
import { unpackChunkLog } from './chunk-log.js';
import type { FinishedRequest } from './execute-request.js';
import {
  SHARED_IN_FLIGHT,
  SHARED_SLOTS,
  type CoordinatorMessage,
  type PrepareTask,
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

export class WorkerPool {
  readonly #piscina: Piscina;
  #shared: Int32Array | undefined;
  #ports: MessageChannel['port1'][] = [];

  constructor(readonly workerCount: number) {
    this.#piscina = new Piscina({
      filename: workerFilename(),
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
   * that is done no longer holds it back), so nothing any worker reports later has a stamp before it.
   */
  async runPhase(input: PhaseTaskInput, onRecords: (records: RequestRecord[], watermarkMs: number) => void): Promise<WorkerResult[]> {
    const sharedBuffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * SHARED_SLOTS);
    this.#shared = new Int32Array(sharedBuffer);
    const runs: Promise<WorkerResult>[] = [];
    const drained: Promise<void>[] = [];
    const watermarks = new Array<number>(this.workerCount).fill(Number.NEGATIVE_INFINITY);
    this.#ports = [];
    for (let workerIndex = 0; workerIndex < this.workerCount; workerIndex++) {
      const channel = new MessageChannel();
      drained.push(
        new Promise<void>((resolve) => {
          const finish = () => {
            watermarks[workerIndex] = Number.POSITIVE_INFINITY;
            resolve();
          };
          channel.port1.on('message', (message: WorkerMessage) => {
            if (message.type !== 'records') return finish();
            watermarks[workerIndex] = message.watermarkMs;
            onRecords(message.records.map(withChunks), Math.min(...watermarks));
          });
          channel.port1.on('close', finish);
        }),
      );
      this.#ports.push(channel.port1);
      const task: WorkerTask = { ...input, workerIndex, workerCount: this.workerCount, shared: sharedBuffer, port: channel.port2 };
      runs.push(this.#piscina.run(task, { transferList: [channel.port2] }) as Promise<WorkerResult>);
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

/** The record as the rest of the tool sees it: its chunk log unpacked into `chunks`. */
function withChunks({ record, chunkLog }: FinishedRequest): RequestRecord {
  record.chunks = unpackChunkLog(chunkLog);
  return record;
}
