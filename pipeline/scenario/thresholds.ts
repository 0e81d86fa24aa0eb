/**
 * SLO thresholds (k6 style): `ttft_ms: ["p95 < 2000"]` in files, `--threshold "ttft_ms:p95<2000"` on the
 * command line. A per-request metric needs a statistic (p95, mean, max…); a run-level number (error_rate,
 * rps, output_tps, total_tps) takes none: `error_rate: ["< 0.01"]`. Any failure makes the run exit 99.
 */
import { ScenarioError } from '../core/errors.js';
import { REQUEST_METRICS } from '../core/record.js';
import type { RunSummary, ThresholdResult } from '../core/run-result.js';
import { SUMMARY_STATS, type SummaryStat } from '../core/stats.js';

/** Metrics summarised with every statistic of SUMMARY_STATS (RunSummary.metrics). */
export const DISTRIBUTION_METRICS = [...REQUEST_METRICS, 'itl_pooled_ms', 'icl_pooled_ms'] as const;
/** Run-level numbers with a single value. */
export const SCALAR_METRICS = ['error_rate', 'rps', 'output_tps', 'total_tps'] as const;
export const THRESHOLD_METRICS = [...DISTRIBUTION_METRICS, ...SCALAR_METRICS] as const;
export const THRESHOLD_OPERATORS = ['<', '<=', '>', '>=', '=='] as const;

export type DistributionMetric = (typeof DISTRIBUTION_METRICS)[number];
export type ScalarMetric = (typeof SCALAR_METRICS)[number];
export type ThresholdMetric = (typeof THRESHOLD_METRICS)[number];
export type ThresholdOperator = (typeof THRESHOLD_OPERATORS)[number];

export interface Threshold {
  readonly metric: ThresholdMetric;
  /** null for scalar metrics. */
  readonly stat: SummaryStat | null;
  readonly operator: ThresholdOperator;
  readonly value: number;
  /** Normalised text, e.g. "p95 < 2000" or "< 0.01". */
  readonly expression: string;
}

const EXPRESSION = /^\s*([a-z][a-z0-9_]*)?\s*(<=|>=|==|<|>)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)\s*$/i;

const isDistribution = (metric: string): metric is DistributionMetric =>
  (DISTRIBUTION_METRICS as readonly string[]).includes(metric);
const isScalar = (metric: string): metric is ScalarMetric => (SCALAR_METRICS as readonly string[]).includes(metric);
const isStat = (stat: string): stat is SummaryStat => (SUMMARY_STATS as readonly string[]).includes(stat);

/** The threshold, or a message saying what is wrong with it (used by the schema to collect every problem). */
export function checkThreshold(metric: string, expression: string): Threshold | string {
  if (!isDistribution(metric) && !isScalar(metric)) {
    return `unknown metric ${JSON.stringify(metric)}; valid metrics: ${THRESHOLD_METRICS.join(', ')}`;
  }
  const match = EXPRESSION.exec(expression);
  if (!match) {
    const example = isScalar(metric) ? '"< 0.01"' : '"p95 < 2000"';
    return `${JSON.stringify(expression)} is not a threshold: write [statistic] operator number, e.g. ${example} (operators: ${THRESHOLD_OPERATORS.join(' ')})`;
  }
  const [, statText, operatorText, valueText] = match;
  const operator = operatorText as ThresholdOperator;
  const value = Number(valueText);
  if (isScalar(metric)) {
    if (statText !== undefined) {
      return `${metric} is a single number and takes no statistic: write ${JSON.stringify(`${operator} ${value}`)}`;
    }
    return { metric, stat: null, operator, value, expression: `${operator} ${value}` };
  }
  if (statText === undefined) {
    return `${metric} needs a statistic, e.g. ${JSON.stringify(`p95 ${operator} ${value}`)}; statistics: ${SUMMARY_STATS.join(', ')}`;
  }
  const stat = statText.toLowerCase();
  if (!isStat(stat)) return `unknown statistic ${JSON.stringify(statText)}; statistics: ${SUMMARY_STATS.join(', ')}`;
  return { metric, stat, operator, value, expression: `${stat} ${operator} ${value}` };
}

/** One threshold from a file entry (`metric`, `"p95 < 2000"`). Throws ScenarioError('SCENARIO_INVALID'). */
export function parseThreshold(metric: string, expression: string): Threshold {
  const result = checkThreshold(metric, expression);
  if (typeof result === 'string') throw new ScenarioError('SCENARIO_INVALID', `thresholds.${metric}: ${result}`);
  return result;
}

/** One `--threshold "ttft_ms:p95<2000"` value. Throws ScenarioError('SCENARIO_INVALID') naming the flag. */
/** The number a threshold reads from a summary; null when the run has no value for it (no samples). */
export function thresholdActual(summary: RunSummary, threshold: Threshold): number | null {
  switch (threshold.metric) {
    case 'error_rate':
      return summary.error_rate;
    case 'rps':
      return summary.throughput.rps;
    case 'output_tps':
      return summary.throughput.output_tps;
    case 'total_tps':
      return summary.throughput.total_tps;
    default: {
      const stats = summary.metrics[threshold.metric];
      if (threshold.stat === null) return null;
      if (stats === undefined) return threshold.stat === 'count' ? 0 : null;
      const value = stats[threshold.stat];
      return Number.isFinite(value) ? value : null;
    }
  }
}

/**
 * Every threshold against a summary. A threshold with no value to read (e.g. ttft_ms when every request
 * failed) fails: an SLO that could not be checked has not been met.
 */
export function evaluateThresholds(summary: RunSummary, thresholds: readonly Threshold[]): ThresholdResult[] {
  return thresholds.map((threshold) => {
    const actual = thresholdActual(summary, threshold);
    return {
      metric: threshold.metric,
      expression: threshold.expression,
      actual,
      ok: actual !== null && meetsBound(actual, threshold.operator, threshold.value),
    };
  });
}

/** Whether `actual` meets `operator value` (thresholds, goodput SLOs and the SLO analysis all judge by it). */
export function meetsBound(actual: number, operator: ThresholdOperator, value: number): boolean {
  switch (operator) {
    case '<':
      return actual < value;
    case '<=':
      return actual <= value;
    case '>':
      return actual > value;
    case '>=':
      return actual >= value;
    case '==':
      return actual === value;
  }
}
