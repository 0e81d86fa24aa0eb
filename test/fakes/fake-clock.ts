/** Virtual time for pure tests: sleepUntil resolves when the test advances the clock past the deadline. */
import type { Clock } from '../../pipeline/core/clock.js';

export class FakeClock implements Clock {
  #nowMs: number;
  #sleepers: Array<{ atMs: number; resolve: () => void }> = [];

  constructor(startMs = 1_700_000_000_000) {
    this.#nowMs = startMs;
  }

  nowMs(): number {
    return this.#nowMs;
  }

  sleepUntil(atMs: number, signal?: AbortSignal): Promise<void> {
    if (atMs <= this.#nowMs || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      this.#sleepers.push({ atMs, resolve });
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  /** Moves time forward, waking sleepers in deadline order and letting their continuations run. */
  async advance(ms: number): Promise<void> {
    const targetMs = this.#nowMs + ms;
    for (;;) {
      this.#sleepers.sort((a, b) => a.atMs - b.atMs);
      const next = this.#sleepers[0];
      if (!next || next.atMs > targetMs) break;
      this.#sleepers.shift();
      this.#nowMs = next.atMs;
      next.resolve();
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.#nowMs = targetMs;
  }
}
