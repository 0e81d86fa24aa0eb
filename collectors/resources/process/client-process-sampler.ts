/**
 * The benchmark client itself (`process`, role=client): CPU from process.cpuUsage() deltas (all threads, so
 * worker threads count; 100 = one core), RSS, the coordinator's heap (used and reserved) and off-heap memory, and for the thread that runs the monitor (the coordinator's):
 * event-loop utilisation (share of the interval the loop was busy; free, libuv keeps the counters) and the
 * p99 and max event-loop delay. Together they say whether the client was the bottleneck.
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { Point } from '../../../pipeline/core/point.js';
import type { Sampler, SampleTick } from '../sampler.js';
import { EventLoopDelayMeter } from './event-loop-delay.js';

/**
 * The delay meter's timer step. Each wake-up of an idle loop costs CPU: ~3 µs on ordinary hardware, but
 * 150–300 µs on this project's Firecracker VMs, where a 10 ms step alone took 2–3 % of a core
 * (bench/monitor/sampler-cost.ts). 50 ms keeps monitoring under 1 % of a core there; every stall of 50 ms
 * or more is seen in full, shorter ones with probability length/50 ms.
 */
export const DEFAULT_EVENT_LOOP_RESOLUTION_MS = 50;

export class ClientProcessSampler implements Sampler {
  readonly name = 'process';
  readonly source = 'node';
  readonly #loopDelay: EventLoopDelayMeter;
  #previous: { timeMs: number; cpu: NodeJS.CpuUsage; elu: EventLoopUtilization } | undefined;

  constructor(
    private readonly tags: Readonly<Record<string, string>>,
    eventLoopResolutionMs = DEFAULT_EVENT_LOOP_RESOLUTION_MS,
  ) {
    this.#loopDelay = new EventLoopDelayMeter(eventLoopResolutionMs);
    this.#loopDelay.start();
  }

  sample(tick: SampleTick): readonly Point[] {
    const cpu = process.cpuUsage();
    const elu = performance.eventLoopUtilization();
    // RSS covers every thread (coordinator and workers); the rest is the coordinator's: its JS heap in use and
    // reserved (V8 keeps a multiple of the live heap between major GCs), and the memory off its heap (ArrayBuffers:
    // the run's per-request columns), so a growth in RSS can be told apart (bench/endurance).
    const memory = process.memoryUsage();
    const fields: Record<string, number> = {
      rss_bytes: memory.rss,
      heap_used_bytes: memory.heapUsed,
      heap_total_bytes: memory.heapTotal,
      external_bytes: memory.external,
      pid: process.pid,
    };
    const before = this.#previous;
    this.#previous = { timeMs: tick.timeMs, cpu, elu };
    if (before && tick.timeMs > before.timeMs) {
      const cpuMicros = cpu.user - before.cpu.user + (cpu.system - before.cpu.system);
      fields.cpu_pct = (cpuMicros / 1000 / (tick.timeMs - before.timeMs)) * 100;
      fields.event_loop_utilization_pct = performance.eventLoopUtilization(elu, before.elu).utilization * 100;
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
