/**
 * A virtual clock that never waits: sleepUntil jumps virtual time to the deadline and resolves on the next
 * macrotask, so retry loops run at full speed while their backoff arithmetic is still observable.
 */
import type { Clock } from '../../../../pipeline/core/clock.js';

export class SkipClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(private nowValueMs = 1_000_000) {}
  nowMs(): number {
    return this.nowValueMs;
  }
  sleepUntil(atMs: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(atMs - this.nowValueMs);
    return new Promise((resolve) =>
      setImmediate(() => {
        if (!signal?.aborted) this.nowValueMs = Math.max(this.nowValueMs, atMs);
        resolve();
      }),
    );
  }
  advance(ms: number): void {
    this.nowValueMs += ms;
  }
}
