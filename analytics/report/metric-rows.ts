/** The rows both the terminal table and report.md show: headline metrics in a fixed, readable order. */
import { RUNTIME_METRICS } from '../../pipeline/core/record.js';
import type { MetricSummaryWithSource, RunSummary } from '../../pipeline/core/run-result.js';

export const REPORT_METRICS = [
  ...RUNTIME_METRICS,
  'tpot_ms',
  'itl_pooled_ms',
  'icl_ms',
  'e2e_from_schedule_ms',
  'schedule_lag_ms',
  'output_tokens',
  'prompt_tokens',
  'tokens_per_chunk',
] as const;

export interface MetricRow {
  readonly name: string;
  readonly source: string;
  readonly summary: MetricSummaryWithSource;
}

export function metricRows(summary: RunSummary): MetricRow[] {
  const rows: MetricRow[] = [];
  for (const name of REPORT_METRICS) {
    const metric = summary.metrics[name];
    if (!metric) continue;
    rows.push({ name, source: sourceText(metric), summary: metric });
  }
  return rows;
}

/** "server", or "server 38, derived 2" when requests disagree. */
export function sourceText(metric: MetricSummaryWithSource): string {
  const entries = Object.entries(metric.sources ?? {});
  if (entries.length === 0) return 'client';
  if (entries.length === 1) return entries[0]![0];
  return entries.map(([source, count]) => `${source} ${count}`).join(', ');
}

export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-';
  const abs = Math.abs(value);
  if (abs >= 1000) return value.toFixed(0);
  if (abs >= 100) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

/** A level, a count or another figure that is usually whole: "8", "12.5". */
export function formatLevel(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-';
  return Number.isInteger(value) ? String(value) : formatNumber(value);
}

/** A p-value: "0.032", "< 0.001". */
export function formatP(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-';
  return value < 0.001 ? '< 0.001' : value.toFixed(3);
}
