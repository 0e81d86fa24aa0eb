/**
 * Sends finished records to the coordinator in batches (every 50 ms or 64 records), not one message each.
 * The cap is small on purpose: postMessage serializes the whole batch synchronously on the worker's loop
 * (about 10 µs per record with its chunk log packed), so large batches would hold up socket reads.
 */
import type { MessagePort } from 'node:worker_threads';
import type { FinishedRequest } from './execute-request.js';
import type { WorkerMessage } from './worker-protocol.js';

export class RecordBatcher {
  #pending: FinishedRequest[] = [];
  readonly #timer: NodeJS.Timeout;

  constructor(private readonly port: MessagePort, intervalMs = 50, private readonly maxBatch = 64) {
    this.#timer = setInterval(() => this.flush(), intervalMs);
  }

  push(finished: FinishedRequest): void {
    this.#pending.push(finished);
    if (this.#pending.length >= this.maxBatch) this.flush();
  }

  flush(): void {
    if (this.#pending.length === 0) return;
    const message: WorkerMessage = { type: 'records', records: this.#pending };
    this.#pending = [];
    this.port.postMessage(message);
  }

  close(): void {
    clearInterval(this.#timer);
    this.flush();
  }
}
