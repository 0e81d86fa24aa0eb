/**
 * Saturation: latency and requests in flight growing steadily while throughput does not (DESIGN §8) — the
 * server queues what it cannot serve. Tested over a sliding window of SATURATION_WINDOW 1 s points: Spearman's
 * rank correlation with time (trend.ts) must be ≥ RHO and significant at ALPHA for latency and for in-flight,
 * latency must have grown by ≥ MIN_GROWTH between the window's first and last thirds, and throughput must not
 * be rising significantly. Consecutive saturated windows spanning ≥ MIN_DURATION_MS are one episode.
 *
 * The same test runs after the run over the llm_window points (an anomaly of kind `saturation`) and during it
 * (SaturationDetector, fed completions and the pool's in-flight counter), where `--stop-on-saturation` ends
 * the level or the run.
 */
import type { Anomaly } from '../pipeline/core/analysis.js';
import type { Point } from '../pipeline/core/point.js';
import { percentileSorted } from '../pipeline/core/stats.js';
import { trendOf } from './stats/trend.js';

export const SATURATION_PARAMETERS = { windowPoints: 15, rho: 0.6, alpha: 0.01, minGrowth: 0.2, minDurationMs: 10_000 } as const;
const { windowPoints: SATURATION_WINDOW, rho: RHO, alpha: ALPHA, minGrowth: MIN_GROWTH, minDurationMs: MIN_DURATION_MS } = SATURATION_PARAMETERS;

export const SATURATION_METHOD =
  `latency and in-flight rising (Spearman ρ ≥ ${RHO} against time, p < ${ALPHA}, latency +${MIN_GROWTH * 100} % or more) while throughput does not rise (p ≥ 0.05), over ${SATURATION_WINDOW} s windows, for ≥ ${MIN_DURATION_MS / 1000} s`;

/** One 1 s point of the three series. */
export interface LoadPoint {
  readonly endMs: number;
  readonly latencyMs: number;
  readonly inFlight: number;
  readonly throughput: number;
}

export interface SaturationEpisode {
  readonly atMs: number;
  readonly endMs: number;
  readonly latencyBeforeMs: number;
  readonly latencyAfterMs: number;
  readonly inFlightBefore: number;
  readonly inFlightAfter: number;
}

/** Whether the last SATURATION_WINDOW points show saturation. */
export function saturatedAt(points: readonly LoadPoint[]): boolean {
  if (points.length < SATURATION_WINDOW) return false;
  const window = points.slice(-SATURATION_WINDOW);
  const latency = trendOf(window.map((point) => point.latencyMs));
  const inFlight = trendOf(window.map((point) => point.inFlight));
  const throughput = trendOf(window.map((point) => point.throughput));
  if (!latency || !inFlight) return false;
  const third = Math.floor(SATURATION_WINDOW / 3);
  const early = median(window.slice(0, third).map((point) => point.latencyMs));
  const late = median(window.slice(-third).map((point) => point.latencyMs));
  const growing = early > 0 && (late - early) / early >= MIN_GROWTH;
  const throughputRising = throughput !== null && throughput.rho > 0 && throughput.p < 0.05;
  return latency.rho >= RHO && latency.p < ALPHA && inFlight.rho >= RHO && inFlight.p < ALPHA && growing && !throughputRising;
}

/** Episodes of saturation in a series of points (oldest first). */
export function saturationEpisodes(points: readonly LoadPoint[]): SaturationEpisode[] {
  const episodes: SaturationEpisode[] = [];
  let open: { from: number; to: number } | undefined;
  const close = () => {
    if (open) {
      const first = points[open.from]!;
      const last = points[open.to]!;
      if (last.endMs - first.endMs >= MIN_DURATION_MS) {
        episodes.push({ atMs: first.endMs - 1000, endMs: last.endMs, latencyBeforeMs: first.latencyMs, latencyAfterMs: last.latencyMs, inFlightBefore: first.inFlight, inFlightAfter: last.inFlight });
      }
    }
    open = undefined;
  };
  for (let i = SATURATION_WINDOW - 1; i < points.length; i++) {
    if (saturatedAt(points.slice(i - SATURATION_WINDOW + 1, i + 1))) {
      const from = i - SATURATION_WINDOW + 1;
      if (open && from <= open.to + 1) open.to = i;
      else {
        close();
        open = { from, to: i };
      }
    } else close();
  }
  close();
  return episodes;
}

/** Saturation episodes of each stage, from its llm_window points (latency: TTFT p50, else nothing to judge). */
export function saturationAnomalies(windows: readonly Point[]): Anomaly[] {
  const byStage = new Map<string, Point[]>();
  for (const window of windows) {
    const stage = window.tags.stage ?? '';
    const list = byStage.get(stage) ?? [];
    list.push(window);
    byStage.set(stage, list);
  }
  const anomalies: Anomaly[] = [];
  for (const [stage, points] of byStage) {
    const series = points
      .filter((point) => typeof point.fields.ttft_p50_ms === 'number')
      .map((point) => ({
        endMs: point.time_ms,
        latencyMs: Number(point.fields.ttft_p50_ms),
        inFlight: Number(point.fields.in_flight ?? 0),
        throughput: Number(point.fields.output_tps ?? point.fields.rps ?? 0),
      }));
    for (const episode of saturationEpisodes(series)) anomalies.push(anomalyOf(episode, stage));
  }
  return anomalies;
}

export function anomalyOf(episode: SaturationEpisode, stage: string): Anomaly {
  const growth = episode.latencyBeforeMs > 0 ? ((episode.latencyAfterMs - episode.latencyBeforeMs) / episode.latencyBeforeMs) * 100 : 0;
  return {
    metric: 'ttft_p50_ms',
    kind: 'saturation',
    at_ms: episode.atMs,
    end_ms: episode.endMs,
    before: episode.latencyBeforeMs,
    after: episode.latencyAfterMs,
    magnitude_pct: growth,
    detail: `stage ${stage}: TTFT p50 ${episode.latencyBeforeMs.toFixed(0)} → ${episode.latencyAfterMs.toFixed(0)} ms and in flight ${episode.inFlightBefore.toFixed(0)} → ${episode.inFlightAfter.toFixed(0)} over ${((episode.endMs - episode.atMs) / 1000).toFixed(0)} s while throughput stayed flat: the server is queueing`,
  };
}

/**
 * The live form: completions (their end time, TTFT and output tokens) and in-flight readings go in as the run
 * goes; `check(nowMs)` folds every whole second that has passed into a point and says whether the last
 * MIN_DURATION_MS of points are all saturated.
 */
export class SaturationDetector {
  readonly #seconds = new Map<number, { ttfts: number[]; tokens: number; inFlight: number[] }>();
  readonly #points: LoadPoint[] = [];
  #saturatedSinceMs: number | undefined;
  #folded = Number.NEGATIVE_INFINITY;

  completion(doneMs: number, ttftMs: number | undefined, outputTokens: number): void {
    const second = this.#second(doneMs);
    if (ttftMs !== undefined) second.ttfts.push(ttftMs);
    second.tokens += outputTokens;
  }

  inFlight(atMs: number, count: number): void {
    this.#second(atMs).inFlight.push(count);
  }

  /** A new level starts: nothing before it says anything about it. */
  reset(): void {
    this.#seconds.clear();
    this.#points.length = 0;
    this.#saturatedSinceMs = undefined;
  }

  /** The episode so far, when saturation has held for MIN_DURATION_MS. */
  check(nowMs: number): SaturationEpisode | undefined {
    const current = Math.floor(nowMs / 1000);
    for (const k of [...this.#seconds.keys()].sort((a, b) => a - b)) {
      if (k >= current) break;
      const second = this.#seconds.get(k)!;
      this.#seconds.delete(k);
      if (k <= this.#folded || second.ttfts.length === 0 || second.inFlight.length === 0) continue;
      this.#folded = k;
      this.#points.push({ endMs: (k + 1) * 1000, latencyMs: median(second.ttfts), inFlight: median(second.inFlight), throughput: second.tokens });
      if (this.#points.length > 4 * SATURATION_WINDOW) this.#points.shift();
      // Held since the first second that tested saturated: the minimum duration is of the test holding, not of the window.
      if (saturatedAt(this.#points)) this.#saturatedSinceMs ??= this.#points[this.#points.length - 1]!.endMs;
      else this.#saturatedSinceMs = undefined;
    }
    const last = this.#points[this.#points.length - 1];
    if (this.#saturatedSinceMs === undefined || !last || last.endMs - this.#saturatedSinceMs < MIN_DURATION_MS) return undefined;
    const first = this.#points[Math.max(0, this.#points.findIndex((point) => point.endMs >= this.#saturatedSinceMs!) - SATURATION_WINDOW + 1)] ?? last;
    return { atMs: first.endMs - 1000, endMs: last.endMs, latencyBeforeMs: first.latencyMs, latencyAfterMs: last.latencyMs, inFlightBefore: first.inFlight, inFlightAfter: last.inFlight };
  }

  #second(atMs: number) {
    const k = Math.floor(atMs / 1000);
    let second = this.#seconds.get(k);
    if (!second) this.#seconds.set(k, (second = { ttfts: [], tokens: 0, inFlight: [] }));
    return second;
  }
}

function median(values: readonly number[]): number {
  return values.length ? percentileSorted(Float64Array.from(values).sort(), 0.5) : Number.NaN;
}
