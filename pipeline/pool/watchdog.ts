/**
 * Per-request deadlines (first token, idle gap) checked by one interval per worker instead of a timer per
 * request: with a thousand streams each getting a chunk every few ms, re-arming a timer per chunk would cost
 * more than the parsing. Resolution is the check interval (100 ms), which is fine for timeouts of seconds.
 */
import type { ErrorKind } from '../core/record.js';

export interface Watched {
  /** Epoch ms of the last sign of life (send, or the last chunk). */
  lastActivityMs: number;
  sawFirstToken: boolean;
  sentMs: number | undefined;
  abort(kind: ErrorKind, message: string): void;
}

export class Watchdog {
  readonly #watched = new Set<Watched>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly firstTokenTimeoutMs: number,
    private readonly idleTimeoutMs: number,
    private readonly nowMs: () => number,
    private readonly checkIntervalMs = 100,
  ) {}

  watch(entry: Watched): () => void {
    this.#watched.add(entry);
    if (!this.#timer) {
      this.#timer = setInterval(() => this.check(), this.checkIntervalMs);
      this.#timer.unref();
    }
    return () => {
      this.#watched.delete(entry);
      if (this.#watched.size === 0 && this.#timer) {
        clearInterval(this.#timer);
        this.#timer = undefined;
      }
    };
  }

  /** Public for tests: one pass over the watched requests. */
  check(): void {
    const now = this.nowMs();
    for (const entry of this.#watched) {
      if (entry.sentMs === undefined) continue; // connecting: undici's connect timeout covers it
      if (!entry.sawFirstToken && now - entry.sentMs > this.firstTokenTimeoutMs) {
        entry.abort('timeout_first_token', `no token within ${this.firstTokenTimeoutMs} ms of sending`);
      } else if (entry.sawFirstToken && now - entry.lastActivityMs > this.idleTimeoutMs) {
        entry.abort('timeout_idle', `no chunk for ${this.idleTimeoutMs} ms`);
      }
    }
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#watched.clear();
  }
}
