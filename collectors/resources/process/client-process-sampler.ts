/**
 * The benchmark client itself (`process`, role=client): CPU from process.cpuUsage() deltas (all threads,
 * so worker threads count; 100 = one core), RSS, and the p99 (and max) event-loop delay over the interval of
 * the thread that runs the monitor, which is the coordinator's. These are the numbers that say whether the client was the bottleneck.
 */
import type { Point } from '../../../pipeline/core/point.js';
import type { Sampler, SampleTick } from '../sampler.js';
import { EventLoopDelayMeter } from './event-loop-delay.js';

export class ClientProcessSampler implements Sampler {
  readonly name = 'process';
  readonly source = 'node';
  /** 10 ms steps, Node's own default resolution: finer costs wake-ups for nothing at 1 Hz. */
  readonly #loopDelay = new EventLoopDelayMeter(10);
  #previous: { timeMs: number; cpu: NodeJS.CpuUsage } | undefined;

  constructor(private readonly tags: Readonly<Record<string, string>>) {
    this.#loopDelay.start();
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
    const delay = this.#loopDelay.takeInterval();
    if (delay) {
      fields.event_loop_delay_ms = delay.p99Ms;
      fields.event_loop_delay_max_ms = delay.maxMs;
    }
    return [{ measurement: 'process', tags: { ...this.tags, role: 'client' }, fields, time_ms: tick.timeMs }];
  }

  stop(): void {
    this.#loopDelay.stop();
  }
}
