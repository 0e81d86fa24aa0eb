/**
 * Anomalies in a run's 1 s series (DESIGN §8): change points and outliers, within each steady stage (a sweep
 * level or a ramp are expected to change; that is their point).
 *
 * Series: per 1 s window keyed by each request's send time, the median TTFT and ITL of the ok requests sent in
 * it and the share of its requests that failed; and output tokens/s from the run's own llm_window points (by
 * token arrival). Windows with fewer than MIN_REQUESTS requests carry no latency value. Only the level's steady
 * span counts: from the first to the last window whose requests in flight reach STEADY_SHARE of the level's
 * median (steadySpan), so users coming up or draining their last requests are not taken for a change.
 *
 * Change points: circular binary segmentation (Olshen et al. 2004) with a Mann-Whitney rank test in place of
 * the t statistic, so it is robust to the long tails latency has. In each segment it tries every single split
 * (before vs after) and every inner span (inside vs the rest: a slowdown that starts and ends mid-run), each
 * side at least MIN_SEGMENT windows; ranks are computed once per segment and sums taken from prefix sums, so a
 * segment of m windows costs O(m²). The best candidate is kept when its p-value, Bonferroni-corrected for every
 * candidate tried, is below ALPHA and its medians differ by at least MIN_CHANGE; then each part is searched
 * again. `at_ms` is the start of the first window after a change; before/after are the medians of the segments
 * either side.
 *
 * Outliers: windows further than OUTLIER_MADS scaled MADs (1.4826·MAD, at least SPREAD_FLOOR of the median: a
 * count per second is quantized, and a near-constant series has a MAD of almost nothing) from their segment's
 * median and at least OUTLIER_MIN_CHANGE away from it; consecutive ones are one episode (`end_ms`).
 *
 * The false-positive rate over steady runs is measured in bench/analytics (bench/README.md).
 */
import type { Anomaly } from '../pipeline/core/analysis.js';
import type { Point } from '../pipeline/core/point.js';
import { percentileSorted } from '../pipeline/core/stats.js';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import type { LoadLevel } from './levels.js';
import { STATUS_CODES, type RequestTable } from './run-data.js';

export const ANOMALY_PARAMETERS = { alpha: 0.01, minChange: 0.1, minSegment: 5, outlierMads: 6, outlierMinChange: 0.25, spreadFloor: 0.05, minRequests: 3, windowMs: 1000, steadyShare: 0.9 } as const;
const {
  alpha: ALPHA, minChange: MIN_CHANGE, minSegment: MIN_SEGMENT, outlierMads: OUTLIER_MADS, outlierMinChange: OUTLIER_MIN_CHANGE,
  spreadFloor: SPREAD_FLOOR, minRequests: MIN_REQUESTS, windowMs: WINDOW_MS, steadyShare: STEADY_SHARE,
} = ANOMALY_PARAMETERS;

export const ANOMALY_METHOD =
  `binary segmentation with Mann-Whitney tests (Bonferroni over splits, α = ${ALPHA}, ≥ ${MIN_CHANGE * 100} % change, segments ≥ ${MIN_SEGMENT} s); ` +
  `outliers beyond ${OUTLIER_MADS} scaled MADs (≥ ${SPREAD_FLOOR * 100} % of the median) and ≥ ${OUTLIER_MIN_CHANGE * 100} % from their segment's median; 1 s windows by send time (output_tps by token arrival)`;

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
  const cuts = refineCuts(values, changePoints(values, 0, values.length));
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
    const spread = Math.max(1.4826 * median(segment.map((value) => Math.abs(value - center))), SPREAD_FLOOR * Math.abs(center));
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
      // The window on either side of a change holds requests of both regimes: not an outlier of either.
      const atCut = cuts.includes(i) || cuts.includes(i + 1);
      const outlying = !atCut && Math.abs(value - center) > OUTLIER_MADS * spread && Math.abs(relativeChange(center, value)) >= OUTLIER_MIN_CHANGE;
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

/**
 * Each cut moved by up to REFINE windows to where the two segments beside it fit their own medians best (least
 * absolute deviation): the test picks the most significant split, which can include a boundary window of the
 * other regime in the larger segment.
 */
function refineCuts(values: readonly number[], cuts: readonly number[]): number[] {
  const REFINE = 2;
  const refined = [...cuts];
  for (let c = 0; c < refined.length; c++) {
    const from = c === 0 ? 0 : refined[c - 1]!;
    const to = c === refined.length - 1 ? values.length : refined[c + 1]!;
    let best = { cut: refined[c]!, cost: Number.POSITIVE_INFINITY };
    for (let cut = Math.max(from + 1, refined[c]! - REFINE); cut <= Math.min(to - 1, refined[c]! + REFINE); cut++) {
      const cost = deviation(values.slice(from, cut)) + deviation(values.slice(cut, to));
      if (cost < best.cost) best = { cut, cost };
    }
    refined[c] = best.cut;
  }
  return refined;
}

function deviation(values: readonly number[]): number {
  const center = median(values);
  return values.reduce((sum, value) => sum + Math.abs(value - center), 0);
}

/** Split points (indices into values) of values[from, to), recursively. */
function changePoints(values: readonly number[], from: number, to: number): number[] {
  const m = to - from;
  if (m < 2 * MIN_SEGMENT) return [];
  const best = bestCandidate(values.slice(from, to));
  if (!best) return [];
  const cuts = best.cuts.map((cut) => from + cut);
  const bounds = [from, ...cuts, to];
  const out: number[] = [];
  for (let i = 0; i < bounds.length - 1; i++) {
    if (i > 0) out.push(bounds[i]!);
    out.push(...changePoints(values, bounds[i]!, bounds[i + 1]!));
  }
  return out;
}

/**
 * The strongest single split or inner span of `segment` (circular binary segmentation), if significant after
 * Bonferroni over all candidates and large enough. Cuts are indices into the segment.
 */
function bestCandidate(segment: readonly number[]): { cuts: number[] } | undefined {
  const m = segment.length;
  const ranks = midranks(segment);
  const ties = tieTerm(segment);
  const prefix = new Float64Array(m + 1);
  for (let i = 0; i < m; i++) prefix[i + 1] = prefix[i]! + ranks[i]!;
  const zOf = (n1: number, rankSum: number) => {
    const n2 = m - n1;
    const u = rankSum - (n1 * (n1 + 1)) / 2;
    const variance = ((n1 * n2) / 12) * (m + 1 - ties / (m * (m - 1)));
    return variance > 0 ? (Math.abs(u - (n1 * n2) / 2) - 0.5) / Math.sqrt(variance) : 0;
  };
  let best: { cuts: number[]; z: number } | undefined;
  let candidates = 0;
  // Spans [i, j): inside vs outside. i = 0 or j = m is a single split.
  for (let i = 0; i < m; i++) {
    for (let j = i + MIN_SEGMENT; j <= m; j++) {
      const inside = j - i;
      if (m - inside < MIN_SEGMENT || (i === 0 && j === m)) continue;
      // An outside part shorter than MIN_SEGMENT on one side only is allowed when the other is empty (a split).
      if ((i > 0 && i < MIN_SEGMENT && j < m) || (j < m && m - j < MIN_SEGMENT && i > 0)) continue;
      candidates++;
      const z = zOf(inside, prefix[j]! - prefix[i]!);
      if (!best || z > best.z) best = { cuts: [i, j].filter((cut) => cut > 0 && cut < m), z };
    }
  }
  if (!best) return undefined;
  const p = Math.min(1, 2 * (1 - normalCdf(Math.max(best.z, 0), 0, 1)) * candidates);
  if (p >= ALPHA) return undefined;
  const [first, second] = best.cuts;
  const inside = second === undefined ? segment.slice(first) : segment.slice(first, second);
  const outside = second === undefined ? segment.slice(0, first) : [...segment.slice(0, first), ...segment.slice(second)];
  if (Math.abs(relativeChange(median(outside), median(inside))) < MIN_CHANGE) return undefined;
  return { cuts: best.cuts };
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
  const stageWindows = windows.filter((point) => point.tags.stage === level.stage.name);
  const steady = steadySpan(stageWindows);
  // Whole seconds from the level's first to its last send, inside its steady span: the first and last are
  // partly filled, and the load's start and drain are not its steady state.
  const inner = keys.slice(1, -1).filter((k) => !steady || (k * WINDOW_MS >= steady.fromMs && (k + 1) * WINDOW_MS <= steady.toMs));
  const startsMs = inner.map((k) => k * WINDOW_MS);
  const medianOf = (values: number[]) => (values.length >= MIN_REQUESTS ? median(values) : Number.NaN);
  const series: WindowSeries[] = [
    { metric: 'ttft_p50_ms', startsMs, values: inner.map((k) => medianOf(buckets.get(k)!.ttft)) },
    { metric: 'itl_p50_ms', startsMs, values: inner.map((k) => medianOf(buckets.get(k)!.itl)) },
  ];
  const errorValues = inner.map((k) => buckets.get(k)!.failed / buckets.get(k)!.total);
  // An error share that is 0 throughout carries nothing to find; one with errors is tested like the others.
  if (errorValues.some((value) => value > 0)) series.push({ metric: 'error_rate', startsMs, values: errorValues });
  if (stageWindows.length > 2) {
    const kept = stageWindows.slice(1, -1).filter((point) => !steady || (point.time_ms - WINDOW_MS >= steady.fromMs && point.time_ms <= steady.toMs));
    series.push({ metric: 'output_tps', startsMs: kept.map((point) => point.time_ms - WINDOW_MS), values: kept.map((point) => Number(point.fields.output_tps ?? Number.NaN)) });
  }
  return series;
}

/**
 * The span where the level ran at its load: its windows from the first to the last whose requests in flight
 * reach STEADY_SHARE of their median (the users coming up, or finishing their last requests, are not it).
 */
export function steadySpan(windows: readonly Point[]): { fromMs: number; toMs: number } | undefined {
  const inFlight = windows.map((point) => Number(point.fields.in_flight ?? Number.NaN));
  const known = inFlight.filter(Number.isFinite);
  if (known.length < 3) return undefined;
  const threshold = STEADY_SHARE * median(known);
  const first = inFlight.findIndex((value) => value >= threshold);
  const last = inFlight.length - 1 - [...inFlight].reverse().findIndex((value) => value >= threshold);
  if (first < 0 || last < first) return undefined;
  return { fromMs: windows[first]!.time_ms - WINDOW_MS, toMs: windows[last]!.time_ms };
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
