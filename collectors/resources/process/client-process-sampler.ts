/**
 * The benchmark client itself (`process`, role=client): CPU from process.cpuUsage() deltas (all threads,
 * so worker threads count; 100 = one core), RSS, and the p99 event-loop delay of the thread that runs the
 * monitor, which is the coordinator's. These are the numbers that say whether the client was the bottleneck.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Point } from '../../../pipeline/core/point.js';
import type { Sampler, SampleTick } from '../sampler.js';

/** Histogram resolution: 10 ms is Node's default; finer costs timer wake-ups for no added meaning at 1 Hz. */
const EVENT_LOOP_RESOLUTION_MS = 10;

export class ClientProcessSampler implements Sampler {
  readonly name = 'process';
  readonly source = 'node';
  readonly #loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
  #previous: { timeMs: number; cpu: NodeJS.CpuUsage } | undefined;

  constructor(private readonly tags: Readonly<Record<string, string>>) {
    this.#loopDelay.enable();
  }

  sample(tick: SampleTick): readonly Point[] {
    const cpu = process.cpuUsage();
    const fields: Record<string, number> = { rss_bytes: process.memoryUsage.rss(), pid: process.pid };
    const before = this.#previous;
    this.#previous = { timeMs: tick.timeMs, cpu };
    if (before && tick.timeMs > before.timeMs) {
      const cpuMicros = cpu.user - before.cpu.user + (cpu.system - before.cpu.system);
      fields.cpu_pct = (cpuMicros / 1000 / (tick.timeMs - before.timeMs)) * 100;
    }
    // An empty histogram answers nonsense percentiles; no delay measured is no field.
    if (this.#loopDelay.count > 0) fields.event_loop_delay_ms = this.#loopDelay.percentile(99) / 1e6;
    this.#loopDelay.reset();
    return [{ measurement: 'process', tags: { ...this.tags, role: 'client' }, fields, time_ms: tick.timeMs }];
  }

  stop(): void {
    this.#loopDelay.disable();
  }
}
