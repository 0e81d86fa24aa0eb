/**
 * Anomalies in a run's 1 s series (DESIGN §8): change points and outliers, within each steady stage (a sweep
 * level or a ramp are expected to change; that is their point).
 *
 * Series: per 1 s window keyed by each request's send time, the median TTFT and ITL of the ok requests sent in
 * it and the share of its requests that failed; and output tokens/s from the run's own llm_window points (by
 * token arrival). Windows with fewer than MIN_REQUESTS requests carry no latency value.
 *
 * Change points: binary segmentation with a Mann-Whitney rank test at every split (ranks computed once per
 * segment, so a segment of m windows costs O(m log m)); the best split is kept when its p-value, Bonferroni-
 * corrected for the number of splits tried, is below ALPHA and the medians either side differ by at least
 * MIN_CHANGE; then both halves are searched again. Each segment keeps at least MIN_SEGMENT windows, so a
 * slowdown that starts and ends mid-run is found at both ends. `at_ms` is the start of the first window after
 * the change; before/after are the medians of the segments either side.
 *
 * Outliers: windows further than OUTLIER_MADS scaled MADs (1.4826·MAD) from their segment's median and at least
 * MIN_CHANGE away from it; consecutive ones are one episode (`end_ms`).
 *
 * The false-positive rate over steady runs is measured in bench/analytics (bench/README.md).
 */
import type { Anomaly } from '../pipeline/core/analysis.js';
import type { Point } from '../pipeline/core/point.js';
import { percentileSorted } from '../pipeline/core/stats.js';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import type { LoadLevel } from './levels.js';
import { STATUS_CODES, type RequestTable } from './run-data.js';

export const ANOMALY_PARAMETERS = { alpha: 0.01, minChange: 0.1, minSegment: 5, outlierMads: 6, minRequests: 3, windowMs: 1000 } as const;
const { alpha: ALPHA, minChange: MIN_CHANGE, minSegment: MIN_SEGMENT, outlierMads: OUTLIER_MADS, minRequests: MIN_REQUESTS, windowMs: WINDOW_MS } = ANOMALY_PARAMETERS;

export const ANOMALY_METHOD =
  `binary segmentation with Mann-Whitney tests (Bonferroni over splits, α = ${ALPHA}, ≥ ${MIN_CHANGE * 100} % change, segments ≥ ${MIN_SEGMENT} s); ` +
  `outliers beyond ${OUTLIER_MADS} scaled MADs of their segment's median; 1 s windows by send time (output_tps by token arrival)`;

/** One 1 s series: window start times and values (NaN where a window has none). */
export interface WindowSeries {
  readonly metric: string;
  readonly startsMs: readonly number[];
  readonly values: readonly number[];
}

export function findAnomalies(table: RequestTable, levels: readonly LoadLevel[], windows: readonly Point[]): Anomaly[] {
  const anomalies: Anomaly[] = [];
  for (const level of levels) {
    if (!level.steady) continue;
    for (const series of levelSeries(table, level, windows)) anomalies.push(...seriesAnomalies(series));
  }
  return anomalies.sort((a, b) => a.at_ms - b.at_ms);
}

/** Change points and outliers of one series (pure; tested on synthetic series). */
export function seriesAnomalies(series: WindowSeries): Anomaly[] {
  const points = series.values.map((value, i) => ({ value, startMs: series.startsMs[i]! })).filter((point) => Number.isFinite(point.value));
  if (points.length < 2 * MIN_SEGMENT) return [];
  const values = points.map((point) => point.value);
  const cuts = changePoints(values, 0, values.length);
  const anomalies: Anomaly[] = [];
  const bounds = [0, ...cuts, values.length];
  const medians = bounds.slice(1).map((end, i) => median(values.slice(bounds[i]!, end)));
  cuts.forEach((cut, i) => {
    const before = medians[i]!;
    const after = medians[i + 1]!;
    anomalies.push({
      metric: series.metric,
      kind: 'change_point',
      at_ms: points[cut]!.startMs,
      before,
      after,
      magnitude_pct: relativeChange(before, after) * 100,
      detail: `${series.metric} ${after > before ? 'rose' : 'fell'} from ${round(before)} to ${round(after)} (${formatSigned(relativeChange(before, after) * 100)})`,
    });
  });
  for (let s = 0; s < bounds.length - 1; s++) {
    const segment = values.slice(bounds[s]!, bounds[s + 1]!);
    const center = medians[s]!;
    const spread = 1.4826 * median(segment.map((value) => Math.abs(value - center)));
    let episode: { from: number; to: number; peak: number } | undefined;
    const close = () => {
      if (!episode) return;
      anomalies.push({
        metric: series.metric,
        kind: 'outlier',
        at_ms: points[episode.from]!.startMs,
        end_ms: points[episode.to]!.startMs + WINDOW_MS,
        before: center,
        after: episode.peak,
        magnitude_pct: relativeChange(center, episode.peak) * 100,
        detail: `${series.metric} at ${round(episode.peak)} against a median of ${round(center)} for ${episode.to - episode.from + 1} s`,
      });
      episode = undefined;
    };
    for (let i = bounds[s]!; i < bounds[s + 1]!; i++) {
      const value = values[i]!;
      const outlying = Math.abs(value - center) > OUTLIER_MADS * spread && Math.abs(relativeChange(center, value)) >= MIN_CHANGE;
      if (!outlying) {
        close();
        continue;
      }
      if (episode && episode.to === i - 1) {
        episode.to = i;
        if (Math.abs(value - center) > Math.abs(episode.peak - center)) episode.peak = value;
      } else {
        close();
        episode = { from: i, to: i, peak: value };
      }
    }
    close();
  }
  return anomalies;
}

/** Split points (indices into values) of values[from, to), recursively. */
function changePoints(values: readonly number[], from: number, to: number): number[] {
  const m = to - from;
  if (m < 2 * MIN_SEGMENT) return [];
  const best = bestSplit(values.slice(from, to));
  if (!best) return [];
  const cut = from + best.at;
  return [...changePoints(values, from, cut), cut, ...changePoints(values, cut, to)];
}

/** The split of `segment` with the strongest rank test, if it is significant and large enough. */
function bestSplit(segment: readonly number[]): { at: number; p: number } | undefined {
  const m = segment.length;
  const ranks = midranks(segment);
  const ties = tieTerm(segment);
  let best: { at: number; z: number } | undefined;
  let rankSum = 0;
  for (let t = 1; t < m; t++) {
    rankSum += ranks[t - 1]!;
    if (t < MIN_SEGMENT || m - t < MIN_SEGMENT) continue;
    const n1 = t;
    const n2 = m - t;
    const u = rankSum - (n1 * (n1 + 1)) / 2;
    const variance = ((n1 * n2) / 12) * (m + 1 - ties / (m * (m - 1)));
    if (variance <= 0) continue;
    const z = (Math.abs(u - (n1 * n2) / 2) - 0.5) / Math.sqrt(variance);
    if (!best || z > best.z) best = { at: t, z };
  }
  if (!best) return undefined;
  const splits = m - 2 * MIN_SEGMENT + 1;
  const p = Math.min(1, 2 * (1 - normalCdf(Math.max(best.z, 0), 0, 1)) * splits);
  if (p >= ALPHA) return undefined;
  const before = median(segment.slice(0, best.at));
  const after = median(segment.slice(best.at));
  if (Math.abs(relativeChange(before, after)) < MIN_CHANGE) return undefined;
  return { at: best.at, p };
}

/** The series of one level: latency medians and error share by send time, output tok/s from the windows. */
export function levelSeries(table: RequestTable, level: LoadLevel, windows: readonly Point[]): WindowSeries[] {
  const status = table.status.view();
  const sent = table.sentMs.view();
  const ttft = table.metrics.ttft_ms.view();
  const itl = table.metrics.itl_ms.view();
  const buckets = new Map<number, { ttft: number[]; itl: number[]; total: number; failed: number }>();
  for (const row of level.rows) {
    const k = Math.floor(sent[row]! / WINDOW_MS);
    let bucket = buckets.get(k);
    if (!bucket) buckets.set(k, (bucket = { ttft: [], itl: [], total: 0, failed: 0 }));
    bucket.total++;
    if (status[row] !== STATUS_CODES.ok) {
      bucket.failed++;
      continue;
    }
    if (!Number.isNaN(ttft[row]!)) bucket.ttft.push(ttft[row]!);
    if (!Number.isNaN(itl[row]!)) bucket.itl.push(itl[row]!);
  }
  const keys = [...buckets.keys()].sort((a, b) => a - b);
  if (keys.length === 0) return [];
  // Whole seconds from the level's first to its last send: the first and last are partly filled, so dropped.
  const inner = keys.slice(1, -1);
  const startsMs = inner.map((k) => k * WINDOW_MS);
  const medianOf = (values: number[]) => (values.length >= MIN_REQUESTS ? median(values) : Number.NaN);
  const series: WindowSeries[] = [
    { metric: 'ttft_p50_ms', startsMs, values: inner.map((k) => medianOf(buckets.get(k)!.ttft)) },
    { metric: 'itl_p50_ms', startsMs, values: inner.map((k) => medianOf(buckets.get(k)!.itl)) },
  ];
  const errorValues = inner.map((k) => buckets.get(k)!.failed / buckets.get(k)!.total);
  // An error share that is 0 throughout carries nothing to find; one with errors is tested like the others.
  if (errorValues.some((value) => value > 0)) series.push({ metric: 'error_rate', startsMs, values: errorValues });
  const stageWindows = windows.filter((point) => point.tags.stage === level.stage.name);
  if (stageWindows.length > 2) {
    const kept = stageWindows.slice(1, -1);
    series.push({ metric: 'output_tps', startsMs: kept.map((point) => point.time_ms - WINDOW_MS), values: kept.map((point) => Number(point.fields.output_tps ?? Number.NaN)) });
  }
  return series;
}

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return percentileSorted(Float64Array.from(values).sort(), 0.5);
}

function midranks(values: readonly number[]): number[] {
  const order = values.map((value, index) => [value, index] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    for (let k = i; k <= j; k++) ranks[order[k]![1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return ranks;
}

function tieTerm(values: readonly number[]): number {
  const sorted = Float64Array.from(values).sort();
  let ties = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[i]) j++;
    const t = j - i + 1;
    if (t > 1) ties += t * t * t - t;
    i = j + 1;
  }
  return ties;
}

function relativeChange(before: number, after: number): number {
  if (before === 0) return after === 0 ? 0 : Math.sign(after);
  return (after - before) / Math.abs(before);
}

function round(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(1) : value.toFixed(3);
}

function formatSigned(pct: number): string {
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(0)} %`;
}
