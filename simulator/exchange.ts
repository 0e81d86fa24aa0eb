/**
 * One HTTP request/response as the ground truth sees it: every write goes through here, and the stamps are
 * taken right after the bytes were handed to the kernel, on the same clock the client uses
 * (performance.timeOrigin + performance.now()).
 *
 * Why writes are flushed by hand: node:http's res.write corks the socket and uncorks it on process.nextTick,
 * so when one engine step writes hundreds of tokens, every stamp would be taken before any of those bytes
 * left the process. Corking around the write ourselves keeps the chunk-size line, the data and the CRLF in
 * one writev (one TCP segment, as before), sends it now, and spares node its per-write nextTick. Once the
 * headers are out, a token chunk skips the response object altogether: it is framed here and handed to the
 * socket as one string, the same bytes in one write.
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FaultKind } from './faults.js';
import type { GroundTruthRecord } from './ground-truth.js';

export class Exchange {
  readonly record: GroundTruthRecord;
  readonly #res: ServerResponse;
  readonly #nowMs: () => number;
  readonly #commit: (record: GroundTruthRecord) => void;
  #committed = false;
  /** The status line and headers are on the socket (writeHead alone only stores them until the first write). */
  #headerSent = false;
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
    if (flush) {
      this.#res.flushHeaders();
      this.#headerSent = true;
    }
  }

  /** A body write that carries `tokens` generated tokens. */
  writeTokens(text: string, tokens: number): void {
    if (this.closed) return;
    this.#writeNow(text);
    this.#stampTokens(tokens, this.#nowMs());
  }

  /**
   * The last token chunk and the response's end (`tail`: epilogue and terminator) in one write, as node sends
   * a write followed by end() in the same tick; the token and done stamps are taken after it.
   */
  endWithTokens(text: string, tokens: number, tail: string): void {
    if (this.closed) return;
    // write() leaves the socket corked until the next tick; end() appends the terminating chunk and flushes
    // everything in one writev now (node's later uncork finds nothing to do).
    this.#res.write(text);
    this.#res.end(tail);
    const nowMs = this.#nowMs();
    this.#stampTokens(tokens, nowMs);
    this.record.done_ms = nowMs;
    this.#finish();
  }

  /** A body write without tokens (role chunk, malformed event). */
  write(text: string): void {
    if (this.closed) return;
    this.#writeNow(text);
  }

  /** Ends the response with `text` (may be empty); end() flushes the socket itself. */
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

  /** res.write, flushed to the kernel before returning (see the header comment). */
  #writeNow(text: string): void {
    const res = this.#res;
    const socket = res.socket;
    // No socket yet: a pipelined response queued behind another; node sends it when its turn comes.
    if (!socket) {
      res.write(text);
      return;
    }
    if (this.#headerSent && text.length > 0 && writesChunksDirectly(res, socket)) {
      // The same bytes res.write would send, as one string in one write. Node's own path (cork, three
      // buffers, writev, uncork) made the simulator's CPU over the issue-3 1 000-stream run (20 000 tokens/s)
      // 11.5–12.7 s; this one, 9.4–9.9 s.
      socket.write(`${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`);
      return;
    }
    socket.cork();
    res.write(text);
    socket.uncork();
    // The status line and headers left with that write (if they had not already).
    this.#headerSent = true;
  }

  #stampTokens(tokens: number, nowMs: number): void {
    if (tokens <= 0) return;
    if (this.record.first_token_ms === null) this.record.first_token_ms = nowMs;
    this.record.last_token_ms = nowMs;
    this.record.output_tokens += tokens;
    this.record.chunks++;
  }

  #finish(): void {
    if (this.#committed) return;
    this.#committed = true;
    this.#commit(this.record);
  }
}

/**
 * Whether a body chunk can go to the socket without node's ServerResponse (once its headers are on the
 * socket): the body is chunked, and nothing of this response is still queued inside the response object, so
 * the chunk cannot overtake earlier bytes. Otherwise node frames the chunk itself.
 */
function writesChunksDirectly(res: ServerResponse, socket: Socket): boolean {
  return res.chunkedEncoding && !res.writableEnded && res.writableLength === socket.writableLength;
}
