/**
 * Sends finished records to the coordinator in batches (every 50 ms or 64 records), not one message each.
 * The cap is small on purpose: postMessage serializes the whole batch synchronously on the worker's loop
 * (about 10 µs per record with its chunk log packed), so large batches would hold up socket reads.
 *
 * Each batch carries the worker's watermark: a time before which nothing this worker has still to report can
 * fall (the oldest start among its requests in flight, or the next arrival it waits for). The coordinator
 * hands out a 1 s window once every worker's watermark has passed its end (run/window-stage.ts). When no record
 * is ready, the watermark alone goes out every 250 ms, so windows keep coming in a quiet spell. Each batch also
 * carries the requests started since the last one (worker-protocol.ts StartedRequest), so the coordinator can
 * record the ones still in flight if the worker dies.
 */
import type { MessagePort } from 'node:worker_threads';
import type { FinishedRequest } from './execute-request.js';
import type { StartedRequest, WorkerMessage } from './worker-protocol.js';

/** How often a watermark goes out without records. */
const IDLE_WATERMARK_MS = 250;

export class RecordBatcher {
  #pending: FinishedRequest[] = [];
  #started: StartedRequest[] = [];
  readonly #timer: NodeJS.Timeout;
  #lastPostMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly port: MessagePort,
    private readonly watermarkMs: () => number,
    intervalMs = 50,
    private readonly maxBatch = 64,
  ) {
    this.#timer = setInterval(() => this.flush(), intervalMs);
  }

  started(request: StartedRequest): void {
    this.#started.push(request);
  }

  push(finished: FinishedRequest): void {
    this.#pending.push(finished);
    if (this.#pending.length >= this.maxBatch) this.flush();
  }

  flush(): void {
    const watermarkMs = this.watermarkMs();
    if (this.#pending.length === 0 && this.#started.length === 0 && watermarkMs - this.#lastPostMs < IDLE_WATERMARK_MS) return;
    const message: WorkerMessage = { type: 'records', records: this.#pending, started: this.#started, watermarkMs };
    this.#pending = [];
    this.#started = [];
    this.#lastPostMs = watermarkMs;
    this.port.postMessage(message);
  }

  close(): void {
    clearInterval(this.#timer);
    this.flush();
  }
}
