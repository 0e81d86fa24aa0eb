/**
 * Max load under SLOs (DESIGN §8): for SLOs like `ttft_ms:p95<1000`, the highest measured level that meets all of
 * them, and where between measured levels the limit lies.
 *
 * Method: per SLO, the statistic at each steady level (repeats of a level pooled), fitted monotone in load by
 * isotonic regression weighted by requests (a latency statistic may not fall as load rises; a rate may not
 * rise), judged on the fit. The first level that fails brackets the limit with the one below it; the crossing is
 * interpolated linearly between the two fitted values. Its 95 % interval comes from a bootstrap over requests at
 * their effective sample size (stats/design-effect.ts; 1 000 resamples, seeded): each level's statistic
 * resampled (bootstrap.ts), refitted, crossed again. Nothing is extrapolated: when no level fails the limit is
 * not bracketed and the CI is null.
 */
import type { SloAnalysis } from '../pipeline/core/analysis.js';
import { percentileSorted, type SummaryStat } from '../pipeline/core/stats.js';
import { checkThreshold, meetsBound, type Threshold } from '../pipeline/scenario/thresholds.js';
import { AnalyticsError } from '../pipeline/core/errors.js';
import { bootstrapMean, bootstrapQuantile, percentileInterval } from './stats/bootstrap.js';
import { isotonicDecreasing, isotonicIncreasing } from './stats/isotonic.js';
import { seededSampler } from './stats/random.js';
import { sortedValues, valuesInOrder, type LoadLevel } from './levels.js';
import { quantileDesignEffect } from './stats/design-effect.js';
import { TABLE_METRICS, type RequestTable, type TableMetric } from './run-data.js';
import { formatLevel, formatValue } from './format.js';

export const SLO_RESAMPLES = 1000;
const QUANTILES: Partial<Record<SummaryStat, number>> = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99, p999: 0.999 };

export const SLO_METHOD = `isotonic fit of each SLO statistic against load (weighted by requests), linear interpolation between the bracketing levels, 95 % bootstrap CI over requests at their effective sample size (${SLO_RESAMPLES} resamples, seeded)`;

export interface Slo {
  readonly text: string;
  readonly threshold: Threshold & { readonly metric: TableMetric | 'error_rate' };
}

/** "ttft_ms:p95<1000" → an SLO, or an AnalyticsError (exit 2) naming what is wrong. */
export function parseSlo(text: string): Slo {
  const colon = text.indexOf(':');
  const metric = colon > 0 ? text.slice(0, colon).trim() : '';
  const allowed = [...TABLE_METRICS, 'error_rate'];
  if (!allowed.includes(metric)) {
    throw new AnalyticsError('USAGE', `--slo ${JSON.stringify(text)}: expected METRIC:EXPRESSION with a per-request metric or error_rate, e.g. "ttft_ms:p95<1000"`, {
      hint: `metrics: ${allowed.join(', ')}`,
    });
  }
  const threshold = checkThreshold(metric, text.slice(colon + 1));
  if (typeof threshold === 'string') throw new AnalyticsError('USAGE', `--slo ${JSON.stringify(text)}: ${threshold}`);
  if (threshold.stat !== null && threshold.stat !== 'mean' && QUANTILES[threshold.stat] === undefined) {
    throw new AnalyticsError('USAGE', `--slo ${JSON.stringify(text)}: use a percentile (p50 … p999) or the mean`);
  }
  if (threshold.operator === '==') throw new AnalyticsError('USAGE', `--slo ${JSON.stringify(text)}: an SLO is a bound (< <= > >=)`);
  return { text, threshold: threshold as Slo['threshold'] };
}

interface Pooled {
  readonly level: number;
  readonly kind: LoadLevel['kind'];
  readonly rows: number[];
  /** Error rate of the pooled stages, requests-weighted. */
  readonly errorRate: number;
}

export function analyzeSlos(slos: readonly Slo[], levels: readonly LoadLevel[], table: RequestTable, seed = 1): SloAnalysis | null {
  if (slos.length === 0) return null;
  const pooled = poolLevels(levels);
  if (pooled.length === 0) return null;
  const kind = pooled[0]!.kind;
  const values = slos.map((slo) => pooled.map((level) => statOf(slo, level, table)));
  const weights = pooled.map((level) => Math.max(level.rows.length, 1));
  const fits = slos.map((slo, i) => fit(slo, values[i]!, weights));
  const passes = pooled.map((_, li) => slos.every((slo, si) => meets(fits[si]![li]!, slo)));
  const firstFailing = passes.indexOf(false);
  const bracketed = firstFailing > 0;
  const maxIndex = firstFailing === -1 ? pooled.length - 1 : firstFailing - 1;
  const failingSlo = firstFailing === -1 ? -1 : slos.findIndex((slo, si) => !meets(fits[si]![firstFailing]!, slo));
  const crossing = bracketed ? crossingOf(slos, fits, pooled, firstFailing) : null;

  let ciLow: number | null = null;
  let ciHigh: number | null = null;
  if (bracketed) {
    const sampler = seededSampler(seed);
    const resampled = slos.map((slo) => pooled.map((level) => resampleStat(slo, level, table, sampler)));
    const crossings = new Float64Array(SLO_RESAMPLES);
    for (let r = 0; r < SLO_RESAMPLES; r++) {
      const sampleFits = slos.map((slo, si) => fit(slo, pooled.map((_, li) => resampled[si]![li]![r]!), weights));
      const fail = pooled.findIndex((_, li) => !slos.every((slo, si) => meets(sampleFits[si]![li]!, slo)));
      crossings[r] = fail === -1 ? pooled[pooled.length - 1]!.level : fail === 0 ? pooled[0]!.level : crossingOf(slos, sampleFits, pooled, fail);
    }
    const interval = percentileInterval(crossings);
    ciLow = interval.low;
    ciHigh = interval.high;
  }

  const result: Omit<SloAnalysis, 'sentence'> = {
    slos: slos.map((slo) => slo.text),
    max_level: firstFailing === 0 ? null : pooled[maxIndex]!.level,
    kind,
    ci_low: ciLow,
    ci_high: ciHigh,
    crossing,
    bracketed,
    first_failing_level: firstFailing === -1 ? null : pooled[firstFailing]!.level,
    failing_metric: failingSlo === -1 ? null : slos[failingSlo]!.text,
    failing_value: failingSlo === -1 ? null : values[failingSlo]![firstFailing]!,
    levels: pooled.map((level, li) => ({
      level: level.level,
      values: Object.fromEntries(slos.map((slo, si) => [slo.text, finiteOrNull(values[si]![li]!)])),
      ok: passes[li]!,
    })),
    method: SLO_METHOD,
  };
  return { ...result, sentence: sloSentence(result, slos) };
}

/** "max concurrency meeting ttft_ms p95<1000: 24 (the limit 27, 95 % CI 25–29); at 32 ttft_ms p95 = 1.9 s". */
export function sloSentence(slo: Omit<SloAnalysis, 'sentence'>, slos: readonly Slo[]): string {
  const what = slo.kind === 'concurrency' ? 'concurrency' : 'rate (req/s)';
  const unit = slo.kind === 'concurrency' ? ' users' : ' req/s';
  const bounds = slos.map((item) => describeSlo(item)).join(' and ');
  const failing = slos.find((item) => item.text === slo.failing_metric);
  if (slo.max_level === null) {
    return `even the lowest level measured (${slo.first_failing_level}${unit}) fails ${bounds}: ${failing ? `${describeStat(failing)} = ${formatValue(slo.failing_value, failing.threshold.metric)}` : ''}`;
  }
  if (!slo.bracketed) return `every measured level met ${bounds}, up to ${slo.max_level}${unit}; the limit lies above that and was not measured`;
  return `max ${what} meeting ${bounds}: ${slo.max_level}${limitClause(slo)}; at ${slo.first_failing_level} ${failing ? `${describeStat(failing)} = ${formatValue(slo.failing_value, failing.threshold.metric)}` : ''}`;
}

/** " (the limit 9.0, 95 % CI 8.9–9.7)": the interpolated crossing between the last level met and the first failed. */
export function limitClause(slo: Pick<SloAnalysis, 'crossing' | 'ci_low' | 'ci_high'>): string {
  const parts = [
    ...(slo.crossing !== null ? [`the limit ${formatLevel(slo.crossing)}`] : []),
    ...(slo.ci_low !== null && slo.ci_high !== null ? [`95 % CI ${formatLevel(slo.ci_low)}–${formatLevel(slo.ci_high)}`] : []),
  ];
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

function describeSlo(slo: Slo): string {
  return `${describeStat(slo)}${slo.threshold.operator}${slo.threshold.value}`;
}

function describeStat(slo: Slo): string {
  return `${slo.threshold.metric}${slo.threshold.stat ? ` ${slo.threshold.stat}` : ''}`;
}

function poolLevels(levels: readonly LoadLevel[]): Pooled[] {
  const byLevel = new Map<number, { level: number; kind: LoadLevel['kind']; rows: number[]; errors: number; total: number }>();
  for (const level of levels) {
    if (!level.steady) continue;
    const entry = byLevel.get(level.level) ?? { level: level.level, kind: level.kind, rows: [], errors: 0, total: 0 };
    entry.rows.push(...level.rows);
    entry.errors += level.stage.error_rate * level.stage.requests.total;
    entry.total += level.stage.requests.total;
    byLevel.set(level.level, entry);
  }
  return [...byLevel.values()]
    .sort((a, b) => a.level - b.level)
    .map((entry) => ({ level: entry.level, kind: entry.kind, rows: entry.rows, errorRate: entry.total > 0 ? entry.errors / entry.total : 0 }));
}

function statOf(slo: Slo, level: Pooled, table: RequestTable): number {
  if (slo.threshold.metric === 'error_rate') return level.errorRate;
  const sorted = sortedValues(table, level.rows, slo.threshold.metric);
  if (sorted.length === 0) return Number.NaN;
  if (slo.threshold.stat === 'mean') return sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
  return percentileSorted(sorted, QUANTILES[slo.threshold.stat!]!);
}

function resampleStat(slo: Slo, level: Pooled, table: RequestTable, sampler: ReturnType<typeof seededSampler>): Float64Array {
  if (slo.threshold.metric === 'error_rate') {
    const outcomes = level.rows.map(() => 0);
    const errors = Math.round(level.errorRate * outcomes.length);
    for (let i = 0; i < errors; i++) outcomes[i] = 1;
    return bootstrapMean(outcomes, SLO_RESAMPLES, sampler);
  }
  const inOrder = valuesInOrder(table, level.rows, slo.threshold.metric);
  const sorted = Float64Array.from(inOrder).sort();
  if (slo.threshold.stat === 'mean') return bootstrapMean(sorted, SLO_RESAMPLES, sampler);
  // At the effective sample size: a level's requests are autocorrelated in send order (stats/design-effect.ts).
  const q = QUANTILES[slo.threshold.stat!]!;
  return bootstrapQuantile(sorted, q, SLO_RESAMPLES, sampler, quantileDesignEffect(inOrder, sorted, q));
}

function fit(slo: Slo, values: readonly number[], weights: readonly number[]): number[] {
  // A level without values (no ok request) counts as failing: it is carried as +∞ (or −∞ for a lower bound).
  const upperBound = slo.threshold.operator === '<' || slo.threshold.operator === '<=';
  const filled = values.map((value) => (Number.isFinite(value) ? value : upperBound ? Number.MAX_VALUE : -Number.MAX_VALUE));
  return upperBound ? isotonicIncreasing(filled, weights) : isotonicDecreasing(filled, weights);
}

function meets(value: number, slo: Slo): boolean {
  return meetsBound(value, slo.threshold.operator, slo.threshold.value);
}

/** The load where the first failing SLO's fit crosses its bound, between level `fail − 1` and `fail`. */
function crossingOf(slos: readonly Slo[], fits: readonly number[][], levels: readonly Pooled[], fail: number): number {
  const low = levels[fail - 1]!.level;
  const high = levels[fail]!.level;
  let crossing = high;
  slos.forEach((slo, si) => {
    const a = fits[si]![fail - 1]!;
    const b = fits[si]![fail]!;
    if (meets(b, slo) || !meets(a, slo)) return;
    const fraction = b !== a ? (slo.threshold.value - a) / (b - a) : 1;
    crossing = Math.min(crossing, low + Math.min(Math.max(fraction, 0), 1) * (high - low));
  });
  return crossing;
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

