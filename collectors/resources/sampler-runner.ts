/**
 * Runs one sampler on the monitor's ticks without ever waiting for it: a sample still in flight when the next
 * tick comes makes that tick skip this sampler (counted). Failures are said once ("…; retrying each interval
 * quietly"), counted while they last, and the recovery is said once too.
 */
import type { Point } from '../../pipeline/core/point.js';
import { oneLine, type Sampler } from './sampler.js';
import type { Tick } from './tick-loop.js';

export interface SamplerReport {
  source: string;
  samples: number;
  points: number;
  failures: number;
  skipped_busy: number;
  /** Wall time of one sample (I/O included), ms: what a tick costs this sampler, not CPU time. */
  sample_wall_ms_mean: number | null;
  sample_wall_ms_max: number | null;
  last_error?: string;
}

export class SamplerRunner {
  #samples = 0;
  #points = 0;
  #failures = 0;
  #skippedBusy = 0;
  #wallSumMs = 0;
  #wallMaxMs = 0;
  #lastError: string | undefined;
  #failing: boolean;
  #inFlight: Promise<void> | undefined;

  constructor(
    readonly sampler: Sampler,
    /** How notices name it: "GPU", "Host", "Engine process", "Server metrics" … */
    readonly label: string,
    private readonly deliver: (points: readonly Point[]) => void,
    private readonly onNotice: (line: string) => void,
  ) {
    this.#failing = sampler.failingSinceStart === true;
  }

  tick(tick: Tick, signal: AbortSignal): void {
    if (this.#inFlight) {
      this.#skippedBusy++;
      return;
    }
    this.#inFlight = this.#run(tick, signal).finally(() => (this.#inFlight = undefined));
  }

  /** Waits for the sample in flight, if any. */
  async settle(): Promise<void> {
    await this.#inFlight;
  }

  /** Push-style samplers hand over what they still buffer. */
  flush(): void {
    const points = this.sampler.flush?.() ?? [];
    this.#points += points.length;
    this.deliver(points);
  }

  async stop(): Promise<void> {
    try {
      await this.sampler.stop?.();
    } catch (error) {
      this.onNotice(`${this.label}: could not stop cleanly: ${oneLine(error)}`);
    }
  }

  report(): SamplerReport {
    return {
      source: this.sampler.source,
      samples: this.#samples,
      points: this.#points,
      failures: this.#failures,
      skipped_busy: this.#skippedBusy,
      sample_wall_ms_mean: this.#samples > 0 ? this.#wallSumMs / this.#samples : null,
      sample_wall_ms_max: this.#samples > 0 ? this.#wallMaxMs : null,
      ...(this.#lastError === undefined ? {} : { last_error: this.#lastError }),
    };
  }

  async #run(tick: Tick, signal: AbortSignal): Promise<void> {
    const startedMs = performance.now();
    let points: readonly Point[];
    try {
      points = await this.sampler.sample({ index: tick.index, timeMs: tick.timeMs, signal });
    } catch (error) {
      if (signal.aborted) return; // cut short by stop(): not a failure of the source
      this.#failures++;
      this.#lastError = oneLine(error);
      if (!this.#failing) this.onNotice(`${this.label}: ${this.#lastError}; retrying each interval quietly`);
      this.#failing = true;
      return;
    }
    const wallMs = performance.now() - startedMs;
    this.#samples++;
    this.#wallSumMs += wallMs;
    this.#wallMaxMs = Math.max(this.#wallMaxMs, wallMs);
    this.#points += points.length;
    if (this.#failing) {
      this.#failing = false;
      this.onNotice(`${this.label}: answering again${this.#failures > 0 ? ` after ${this.#failures} failed samples` : ''}`);
    }
    this.deliver(points);
  }
}
