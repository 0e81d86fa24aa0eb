/**
 * A Clock that moves only when the test says so. `lateByMs` makes every wake-up happen that much after its
 * deadline, the way real timers fire late, so drift (or its absence) becomes visible without sleeping.
 */
import type { Clock } from '../../../../pipeline/core/clock.js';

interface Waiter {
  atMs: number;
  resolve: () => void;
}

export class ManualClock implements Clock {
  lateByMs = 0;
  #nowMs: number;
  #waiters: Waiter[] = [];

  constructor(startMs: number) {
    this.#nowMs = startMs;
  }

  nowMs(): number {
    return this.#nowMs;
  }

  sleepUntil(atMs: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted || atMs <= this.#nowMs) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const waiter: Waiter = { atMs, resolve };
      this.#waiters.push(waiter);
      signal?.addEventListener(
        'abort',
        () => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          resolve();
        },
        { once: true },
      );
    });
  }

  /** Moves to `targetMs`, waking each sleeper in deadline order and letting its continuation run. */
  async advanceTo(targetMs: number): Promise<void> {
    await settle(); // whatever is already due runs (and goes back to sleep) at the current time first
    for (;;) {
      const due = this.#waiters.filter((w) => w.atMs <= targetMs).sort((a, b) => a.atMs - b.atMs)[0];
      if (!due) break;
      this.#waiters = this.#waiters.filter((w) => w !== due);
      this.#nowMs = Math.max(this.#nowMs, due.atMs + this.lateByMs);
      due.resolve();
      await settle();
    }
    this.#nowMs = Math.max(this.#nowMs, targetMs);
    await settle();
  }

  async advanceBy(ms: number): Promise<void> {
    await this.advanceTo(this.#nowMs + ms);
  }

  get sleepers(): number {
    return this.#waiters.length;
  }
}

/** Lets pending promise continuations (and one macrotask turn) run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
