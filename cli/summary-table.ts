/** The summary printed at the end of a run: p50/p95/p99 per metric with its source, requests, health. */
import Table from 'cli-table3';
import type { RunResult } from '../pipeline/core/run-result.js';
import { formatNumber, metricRows } from '../analytics/report/metric-rows.js';

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
  lines.push(`run directory: ${dir}`);
  return lines.join('\n');
}
