/**
 * One timer for all samplers, on absolute deadlines of the run clock: tick k fires at origin + k·interval, so
 * timer lateness never accumulates into drift. A tick that fires more than an interval late skips the slots
 * it overran (counted as missed) instead of firing a burst to catch up.
 */
import type { Clock } from '../../pipeline/core/clock.js';

export interface Tick {
  readonly index: number;
  /** origin + index·interval. */
  readonly dueMs: number;
  /** When it actually fired. */
  readonly timeMs: number;
}

export class TickLoop {
  ticks = 0;
  missed = 0;
  readonly #abort = new AbortController();
  #running: Promise<void> | undefined;

  constructor(
    private readonly clock: Clock,
    readonly originMs: number,
    readonly intervalMs: number,
    private readonly onTick: (tick: Tick, signal: AbortSignal) => void,
  ) {}

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  start(): void {
    this.#running ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#running;
  }

  async #run(): Promise<void> {
    const { clock, originMs, intervalMs } = this;
    const signal = this.#abort.signal;
    // The slot nearest to now: tick 0 fires at once when the loop starts at (or just after) its origin, and a
    // loop joining a grid whose origin is long past starts there instead of firing a burst of past slots.
    let index = Math.max(0, Math.round((clock.nowMs() - originMs) / intervalMs));
    while (!signal.aborted) {
      const dueMs = originMs + index * intervalMs;
      await clock.sleepUntil(dueMs, signal);
      if (signal.aborted) break;
      const timeMs = clock.nowMs();
      this.ticks++;
      this.onTick({ index, dueMs, timeMs }, signal);
      const next = Math.max(index + 1, Math.floor((clock.nowMs() - originMs) / intervalMs) + 1);
      this.missed += next - index - 1;
      index = next;
    }
  }
}
