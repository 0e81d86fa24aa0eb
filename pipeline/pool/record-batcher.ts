/**
 * Sends finished records to the coordinator in batches (every 50 ms or 64 records), not one message each.
 * The cap is small on purpose: postMessage serializes the whole batch synchronously on the worker's loop
 * (about 35 µs per 128-token record here), so 256 records would hold up socket reads for ~9 ms.
 */
import type { MessagePort } from 'node:worker_threads';
import type { RequestRecord } from '../core/record.js';
import type { WorkerMessage } from './worker-protocol.js';

export class RecordBatcher {
  #pending: RequestRecord[] = [];
  readonly #timer: NodeJS.Timeout;

  constructor(private readonly port: MessagePort, intervalMs = 50, private readonly maxBatch = 64) {
    this.#timer = setInterval(() => this.flush(), intervalMs);
  }

  push(record: RequestRecord): void {
    this.#pending.push(record);
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
