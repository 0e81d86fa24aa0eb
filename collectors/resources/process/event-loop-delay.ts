/**
 * Event-loop delay per sampling interval: how late a chained timer fires, recorded into a histogram that is
 * read and reset at each sample.
 *
 * Not perf_hooks.monitorEventLoopDelay(): its reset() also forgets the previous timer turn, so the first
 * delay after every reset is never recorded (checked on Node 20: a 150 ms block right after reset() showed
 * as 10 ms), and a per-interval p99 needs a reset per interval. It also counts the resolution itself (an idle
 * loop reads ~10 ms); this reports only the lateness beyond the scheduled time (an idle loop reads ~0).
 * Cost: one timer wake-up per resolution step (see DEFAULT_EVENT_LOOP_RESOLUTION_MS).
 */
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';

export class EventLoopDelayMeter {
  readonly #histogram: RecordableHistogram = createHistogram();
  #expectedMs = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly resolutionMs: number) {}

  start(): void {
    if (this.#timer) return;
    this.#schedule(performance.now());
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** p99 and max of the delays since the last call (ms), then starts a new interval; undefined if none. */
  takeInterval(): { p99Ms: number; maxMs: number; count: number } | undefined {
    const histogram = this.#histogram;
    if (histogram.count === 0) return undefined;
    const result = { p99Ms: histogram.percentile(99) / 1000, maxMs: histogram.max / 1000, count: histogram.count };
    histogram.reset();
    return result;
  }

  #schedule(fromMs: number): void {
    this.#expectedMs = fromMs + this.resolutionMs;
    this.#timer = setTimeout(this.#onTimer, this.resolutionMs);
    this.#timer.unref(); // measuring must never keep the process alive
  }

  readonly #onTimer = (): void => {
    const nowMs = performance.now();
    // Microseconds, at least 1: the histogram takes positive integers.
    this.#histogram.record(Math.max(1, Math.round((nowMs - this.#expectedMs) * 1000)));
    this.#schedule(nowMs);
  };
}
