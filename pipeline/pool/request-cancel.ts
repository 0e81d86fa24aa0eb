/**
 * One request's cancellation: the watchdog's timeouts and the run's stop end the exchange through it. An
 * AbortController would do the same, but each one costs ~9 µs and ~2.2 KB of allocation (an EventTarget with
 * its listener bookkeeping) per request, in the thread that stamps every chunk's arrival, and a request only
 * ever has one listener: its exchange.
 */
export interface Cancellation {
  readonly aborted: boolean;
  readonly reason: unknown;
  /** Sets the one listener (a later call replaces it); returns a function that removes it. */
  onAbort(listener: () => void): () => void;
}

export class RequestCancel implements Cancellation {
  #aborted = false;
  #reason: unknown;
  #listener: (() => void) | undefined;

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  /** The first call wins; its listener runs once, synchronously. */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    const listener = this.#listener;
    this.#listener = undefined;
    listener?.();
  }

  onAbort(listener: () => void): () => void {
    this.#listener = listener;
    return () => {
      if (this.#listener === listener) this.#listener = undefined;
    };
  }
}
