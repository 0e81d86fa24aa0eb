/** report.md: what a person reads after a run (DESIGN §6). Built from run.json alone, so it can be re-rendered. */
import type { RunResult, RunSummary } from '../../pipeline/core/run-result.js';
import { formatNumber, metricRows } from './metric-rows.js';

export function renderMarkdownReport(result: RunResult): string {
  const lines: string[] = [];
  const s = result.summary;
  lines.push(`# llmbench run ${result.run_id}`, '');
  lines.push(
    `- **Scenario**: ${result.scenario.name}`,
    `- **Target**: ${result.target.engine} at ${result.target.url}, model \`${result.target.model}\` (${result.target.api} API)`,
    `- **Status**: ${result.status}${result.abort_reason ? ` (${result.abort_reason})` : ''}; **valid**: ${result.valid ? 'yes' : 'NO'}`,
    `- **When**: ${result.started_at} → ${result.ended_at}`,
    `- **Tool**: llmbench ${result.tool.version} on ${String(result.host.hostname)} (${String(result.host.cpu_cores)} cores, ${String(result.host.workers)} worker threads)`,
    '',
  );
  lines.push('## Requests and throughput', '');
  lines.push(...requestsLines(s), '');
  lines.push('## Metrics', '');
  lines.push(...metricTable(s), '');
  lines.push(
    'Percentiles are exact over all non-warmup successful requests, by linear interpolation between closest ranks',
    '(numpy\'s default). `source`: `server` = the engine\'s own figure, `client` = measured on the client clock in the',
    'thread that read the socket, `derived` = computed from other figures, `resident` = the model was already loaded.',
    '`itl_ms` is each request\'s mean per-token gap; `itl_pooled_ms` pools every gap of every request.',
    '',
  );
  if (result.stages.length > 1) {
    lines.push('## Stages', '');
    lines.push('| stage | target | ok | failed | req/s | output tok/s | TTFT p50 | TTFT p95 | ITL p50 | e2e p95 |');
    lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const stage of result.stages) {
      const m = stage.metrics;
      lines.push(
        `| ${stage.name} | ${stage.target ?? '-'} | ${stage.requests.ok} | ${stage.requests.error + stage.requests.dropped} | ${formatNumber(stage.throughput.rps)} | ${formatNumber(stage.throughput.output_tps)} | ${formatNumber(m.ttft_ms?.p50)} | ${formatNumber(m.ttft_ms?.p95)} | ${formatNumber(m.itl_ms?.p50)} | ${formatNumber(m.total_duration_ms?.p95)} |`,
      );
    }
    lines.push('');
  }
  if (result.thresholds?.length) {
    lines.push('## Thresholds', '');
    for (const t of result.thresholds) lines.push(`- ${t.ok ? 'PASS' : 'FAIL'} \`${t.metric}: ${t.expression}\` (actual ${formatNumber(t.actual)})`);
    lines.push('');
  }
  lines.push('## Client health', '');
  for (const check of result.validity) {
    lines.push(`- ${check.ok ? 'ok' : 'FAILED'} ${check.name}: ${formatNumber(check.value)} (limit ${check.limit})${check.ok ? '' : ` — ${check.detail}`}`);
  }
  lines.push(`- client CPU: ${formatNumber(result.client_health.client_cpu_pct)} % of one core; network RTT ${formatNumber(result.target.network_rtt_ms)} ms`);
  lines.push('');
  return lines.join('\n');
}

function requestsLines(s: RunSummary): string[] {
  const errors = Object.entries(s.errors_by_kind)
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ');
  return [
    `- ${s.requests.total} requests: ${s.requests.ok} ok, ${s.requests.error} failed, ${s.requests.dropped} dropped${s.requests.warmup ? ` (+${s.requests.warmup} warmup, excluded)` : ''}`,
    `- error rate ${formatNumber(s.error_rate)}${errors ? ` (${errors})` : ''}`,
    `- ${formatNumber(s.throughput.rps)} req/s, ${formatNumber(s.throughput.output_tps)} output tok/s, ${formatNumber(s.throughput.total_tps)} total tok/s, goodput ${formatNumber(s.throughput.goodput_rps)} req/s over ${formatNumber(s.duration_ms / 1000)} s`,
    `- jitter: mean per-request ITL CV ${formatNumber(s.jitter.itl_cv_mean)}, ${s.jitter.stall_count} stalls (gaps > 3× the request's median gap)`,
  ];
}

function metricTable(s: RunSummary): string[] {
  const lines = ['| metric | source | count | mean | stddev | p50 | p90 | p95 | p99 | max |', '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|'];
  for (const row of metricRows(s)) {
    const m = row.summary;
    lines.push(
      `| ${row.name} | ${row.source} | ${m.count} | ${formatNumber(m.mean)} | ${formatNumber(m.stddev)} | ${formatNumber(m.p50)} | ${formatNumber(m.p90)} | ${formatNumber(m.p95)} | ${formatNumber(m.p99)} | ${formatNumber(m.max)} |`,
    );
  }
  return lines;
}
