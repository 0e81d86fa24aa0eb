/**
 * `--stop-on-saturation`: watches the run as it goes (completions and the pool's in-flight counter, not the
 * windows, which trail by the longest request in flight) and, when the saturation test of saturation.ts has held
 * for its minimum duration, ends the level (a sweep or SLO search moves on) or the run, saying why.
 */
import type { RunControl, RunEvent, RunSink } from '../pipeline/core/sink.js';
import { SaturationDetector } from './saturation.js';

export class SaturationSink implements RunSink {
  readonly name = 'saturation';
  readonly #detector = new SaturationDetector();
  #control: RunControl | undefined;
  #phase = '';
  #warmup = false;
  #ended = new Set<string>();

  /** `scope`: what a saturated level ends: the level alone (a search goes on below it) or the whole run. */
  constructor(private readonly scope: 'level' | 'run') {}

  async open(_start: unknown, control: RunControl): Promise<void> {
    this.#control = control;
  }

  write(event: RunEvent): void {
    if (event.kind === 'phase') {
      this.#phase = event.phase;
      this.#warmup = event.warmup;
      this.#detector.reset();
      return;
    }
    if (this.#warmup) return;
    if (event.kind === 'records') {
      for (const record of event.records) {
        if (record.status === 'ok' && record.t_done !== undefined) this.#detector.completion(record.t_done, record.metrics.ttft_ms, record.output_tokens ?? 0);
      }
    } else if (event.kind === 'progress') {
      this.#detector.inFlight(event.progress.nowMs, event.progress.inFlight);
      const episode = this.#detector.check(event.progress.nowMs);
      if (!episode || this.#ended.has(this.#phase)) return;
      this.#ended.add(this.#phase);
      const why = `saturation in ${this.#phase}: TTFT p50 ${episode.latencyBeforeMs.toFixed(0)} → ${episode.latencyAfterMs.toFixed(0)} ms and in flight ${episode.inFlightBefore.toFixed(0)} → ${episode.inFlightAfter.toFixed(0)} over ${((episode.endMs - episode.atMs) / 1000).toFixed(0)} s with throughput flat (--stop-on-saturation)`;
      if (this.scope === 'level') this.#control?.endPhase(why);
      else this.#control?.stop(why);
    }
  }
}
