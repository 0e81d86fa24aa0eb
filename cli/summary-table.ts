/** The summary printed at the end of a run: p50/p95/p99 per metric with its source, requests, health. */
import Table from 'cli-table3';
import type { RunResult } from '../pipeline/core/run-result.js';
import { formatNumber, metricRows } from '../analytics/report/metric-rows.js';
import { formatPct, formatValue } from '../analytics/format.js';

export function renderSummaryTable(result: RunResult, dir: string): string {
  const s = result.summary;
  const table = new Table({
    head: ['metric', 'source', 'p50', 'p95', 'p99', 'mean', 'count'],
    style: { head: [], border: [], compact: true },
    colAligns: ['left', 'left', 'right', 'right', 'right', 'right', 'right'],
  });
  for (const row of metricRows(s)) {
    const m = row.summary;
    table.push([row.name, row.source, formatNumber(m.p50), formatNumber(m.p95), formatNumber(m.p99), formatNumber(m.mean), String(m.count)]);
  }
  const errors = Object.entries(s.errors_by_kind)
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ');
  const lines = [
    `run ${result.run_id}: ${result.status}${result.abort_reason ? ` (${result.abort_reason})` : ''}, ${result.valid ? 'valid' : 'INVALID'}`,
    `requests: ${s.requests.ok} ok, ${s.requests.error} failed, ${s.requests.dropped} dropped${errors ? ` (${errors})` : ''}` +
      (s.requests.warmup ? `, ${s.requests.warmup} warmup excluded` : ''),
    `throughput: ${formatNumber(s.throughput.rps)} req/s, ${formatNumber(s.throughput.output_tps)} output tok/s over ${formatNumber(s.duration_ms / 1000)} s`,
    table.toString(),
  ];
  for (const check of result.validity.filter((c) => !c.ok)) lines.push(`INVALID: ${check.name} = ${formatNumber(check.value)} > ${check.limit}: ${check.detail}`);
  for (const t of result.thresholds ?? []) lines.push(`threshold ${t.ok ? 'PASS' : 'FAIL'}  ${t.metric}: ${t.expression} (actual ${formatNumber(t.actual)})`);
  lines.push(...answerLines(result));
  lines.push(`run directory: ${dir}`);
  return lines.join('\n');
}

/** What a person concludes: the knee, the SLO limit, anomalies and the recommendations, each with its numbers. */
export function answerLines(result: RunResult): string[] {
  const analysis = result.analysis;
  if (!analysis) return [];
  const lines: string[] = [];
  const levels = analysis.scaling.levels;
  if (levels.length > 1) {
    // By level, whatever order they were measured in (an SLO search measures out of order; repeats sit together).
    const byLevel = levels.map((level, order) => ({ level, order })).sort((a, b) => a.level.level - b.level.level || a.order - b.order);
    const counted = levels.some((level) => level.littles_law?.counter);
    const table = new Table({
      head: ['level', 'req/s', 'output tok/s', 'TTFT p95 ms', 'e2e p95 ms', 'errors', 'in flight', ...(counted ? ['counter vs records'] : [])],
      style: { head: [], border: [], compact: true },
      colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    });
    for (const { level } of byLevel) {
      const counter = level.littles_law?.counter;
      table.push([
        level.stage,
        formatNumber(level.rps),
        formatNumber(level.output_tps),
        formatNumber(level.metrics.ttft_ms?.p95),
        formatNumber(level.metrics.total_duration_ms?.p95),
        formatValue(level.error_rate, 'error_rate'),
        formatNumber(level.in_flight_mean),
        ...(counted ? [counter ? `${formatNumber(counter.error_pct)} %` : '-'] : []),
      ]);
    }
    lines.push('scaling (by level):', table.toString());
  }
  if (analysis.scaling.knee) {
    const knee = analysis.scaling.knee;
    lines.push(`knee: ${knee.level}${knee.beyond ? ` (beyond it, at ${knee.beyond.level}: ${knee.beyond.latency_metric} ×${knee.beyond.latency_factor.toFixed(1)} for ${formatPct(knee.beyond.throughput_gain_pct)} throughput)` : ''}`);
  }
  if (analysis.slo) lines.push(`SLO: ${analysis.slo.sentence}`);
  const anomalies = analysis.anomalies;
  if (anomalies.length > 0) {
    lines.push(`anomalies: ${anomalies.length}`);
    for (const anomaly of anomalies.slice(0, 5)) lines.push(`  ${anomaly.kind} ${new Date(anomaly.at_ms).toISOString()}: ${anomaly.detail}`);
  } else {
    lines.push('anomalies: none');
  }
  for (const recommendation of analysis.recommendations) lines.push(`→ ${recommendation.text}`);
  return lines;
}
