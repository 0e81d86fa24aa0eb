/**
 * One HTTP request/response as the ground truth sees it: every write goes through here, and the stamps are
 * taken right after the bytes are handed to the socket (res.write), on the same clock the client uses
 * (performance.timeOrigin + performance.now()).
 */
import type { ServerResponse } from 'node:http';
import type { FaultKind } from './faults.js';
import type { GroundTruthRecord } from './ground-truth.js';

export class Exchange {
  readonly record: GroundTruthRecord;
  readonly #res: ServerResponse;
  readonly #nowMs: () => number;
  readonly #commit: (record: GroundTruthRecord) => void;
  #committed = false;
  #closeHandlers: Array<() => void> = [];

  constructor(res: ServerResponse, record: GroundTruthRecord, nowMs: () => number, commit: (record: GroundTruthRecord) => void) {
    this.#res = res;
    this.record = record;
    this.#nowMs = nowMs;
    this.#commit = commit;
    // 'close' before the response finished = the client went away (or we destroyed the socket).
    res.on('close', () => {
      if (this.#committed) return;
      this.record.client_closed = !res.writableFinished;
      if (this.record.done_ms === null) this.record.done_ms = this.#nowMs();
      for (const handler of this.#closeHandlers) handler();
      this.#finish();
    });
  }

  /** True once the response can no longer be written (ended, destroyed, or the client left). */
  get closed(): boolean {
    return this.#committed || this.#res.destroyed || this.#res.writableEnded;
  }

  /** Runs when the client closes the connection before the response ended. */
  onClientClose(handler: () => void): void {
    this.#closeHandlers.push(handler);
  }

  addFault(kind: FaultKind): void {
    if (!this.record.faults.includes(kind)) this.record.faults.push(kind);
  }

  /** Sends the status line and headers. `flush` pushes them out now instead of with the first body write. */
  head(status: number, headers: Readonly<Record<string, string>>, flush: boolean): void {
    if (this.#res.headersSent) return;
    this.record.status = status;
    this.#res.writeHead(status, headers);
    if (flush) this.#res.flushHeaders();
  }

  /** A body write that carries `tokens` generated tokens. */
  writeTokens(text: string, tokens: number): void {
    if (this.closed) return;
    this.#res.write(text);
    const nowMs = this.#nowMs();
    if (tokens > 0) {
      if (this.record.first_token_ms === null) this.record.first_token_ms = nowMs;
      this.record.last_token_ms = nowMs;
      this.record.output_tokens += tokens;
      this.record.chunks++;
    }
  }

  /** A body write without tokens (role chunk, malformed event). */
  write(text: string): void {
    if (this.closed) return;
    this.#res.write(text);
  }

  /** Ends the response with `text` (may be empty). */
  end(text = ''): void {
    if (this.closed) return;
    this.#res.end(text);
    this.record.done_ms = this.#nowMs();
    this.#finish();
  }

  /** A complete response in one write; `tokens` generated tokens ride in its body. */
  respond(status: number, headers: Readonly<Record<string, string>>, body: string, tokens: number): void {
    if (this.closed) return;
    this.head(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) }, false);
    this.#res.end(body);
    const nowMs = this.#nowMs();
    if (tokens > 0) {
      this.record.first_token_ms = nowMs;
      this.record.last_token_ms = nowMs;
      this.record.output_tokens = tokens;
      this.record.chunks = 1;
    }
    this.record.done_ms = nowMs;
    this.#finish();
  }

  /** Kills the connection without ending the response (a mid-stream disconnect fault). */
  destroy(): void {
    if (this.closed) return;
    this.record.done_ms = this.#nowMs();
    this.#finish();
    this.#res.destroy();
    // The socket too: with keep-alive a destroyed response alone could leave the client waiting.
    this.#res.socket?.destroy();
  }

  #finish(): void {
    if (this.#committed) return;
    this.#committed = true;
    this.#commit(this.record);
  }
}
