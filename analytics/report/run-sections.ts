/** The report's sections about the run itself: what ran, requests and throughput, metrics, stages, thresholds, client health. */
import type { RunResult, RunSummary } from '../../pipeline/core/run-result.js';
import { formatNumber, metricRows } from './metric-rows.js';
import { list, numbersAfter, paragraph, table, type Block, type ReportSection, type Text } from './report-document.js';

/** The lines under the report's title. */
export function overviewItems(result: RunResult): Text[] {
  const items: Text[] = [
    [{ strong: 'Scenario' }, `: ${result.scenario.name}`],
    [{ strong: 'Target' }, `: ${result.target.engine} at ${result.target.url}, model `, { code: result.target.model }, ` (${result.target.api} API)`],
    [{ strong: 'Status' }, `: ${result.status}${result.abort_reason ? ` (${result.abort_reason})` : ''}; `, { strong: 'valid' }, `: ${result.valid ? 'yes' : 'NO'}`],
    [{ strong: 'When' }, `: ${result.started_at} → ${result.ended_at}`],
    [
      { strong: 'Tool' },
      `: llmbench ${result.tool.version} on ${String(result.host.hostname ?? 'unknown host')} (${String(result.host.cpu_cores ?? '?')} cores, ${String(result.host.workers ?? '?')} worker threads)`,
    ],
  ];
  if (result.workload_fingerprint) items.push([{ strong: 'Workload fingerprint' }, ': ', { code: result.workload_fingerprint.hash }]);
  // A run spread over agents (DESIGN §16): a segment says it is one, a merged run what it was merged from.
  if (result.segment) {
    const lag = result.segment.start_lag_ms;
    items.push([{ strong: 'Segment' }, `: ${result.segment.index} of ${result.segment.count} (agent ${result.segment.agent}) of run ${result.run_id}${lag !== undefined ? `; started ${formatNumber(lag)} ms after --start-at` : ''}; its thresholds are judged by llmbench merge`]);
  }
  if (result.segments) {
    const agents = result.segments.map((segment) => `${segment.agent} (${segment.records} records, ${segment.status}${segment.host ? `, ${segment.host}` : ''})`);
    const missing = result.missing_segments?.length ? `; missing ${result.missing_segments.join(', ')}` : '';
    items.push([{ strong: 'Merged' }, `: ${result.segments.length} segments: ${agents.join('; ')}${missing}`]);
  }
  return items;
}

export function requestsSection(result: RunResult): ReportSection {
  return { id: 'requests', title: 'Requests and throughput', blocks: [list(requestsLines(result.summary))] };
}

function requestsLines(s: RunSummary): string[] {
  const errors = Object.entries(s.errors_by_kind)
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ');
  return [
    `${s.requests.total} requests: ${s.requests.ok} ok, ${s.requests.error} failed, ${s.requests.dropped} dropped${s.requests.warmup ? ` (+${s.requests.warmup} warmup, excluded)` : ''}`,
    `error rate ${formatNumber(s.error_rate)}${errors ? ` (${errors})` : ''}`,
    `${formatNumber(s.throughput.rps)} req/s, ${formatNumber(s.throughput.output_tps)} output tok/s, ${formatNumber(s.throughput.total_tps)} total tok/s, goodput ${formatNumber(s.throughput.goodput_rps)} req/s over ${formatNumber(s.duration_ms / 1000)} s`,
    `jitter: mean per-request ITL CV ${formatNumber(s.jitter.itl_cv_mean)}, ${s.jitter.stall_count} stalls (gaps > 3× the request's median gap)`,
  ];
}

export function metricsSection(result: RunResult): ReportSection {
  const rows = metricRows(result.summary).map((row) => {
    const m = row.summary;
    return [row.name, row.source, String(m.count), ...[m.mean, m.stddev, m.p50, m.p90, m.p95, m.p99, m.max].map(formatNumber)];
  });
  return {
    id: 'metrics',
    title: 'Metrics',
    blocks: [
      table(['metric', 'source', 'count', 'mean', 'stddev', 'p50', 'p90', 'p95', 'p99', 'max'], rows, numbersAfter(2)),
      paragraph([
        "Percentiles are exact over all non-warmup successful requests, by linear interpolation between closest ranks (numpy's default). ",
        { code: 'source' },
        ': ',
        { code: 'server' },
        " = the engine's own figure, ",
        { code: 'client' },
        ' = measured on the client clock in the thread that read the socket, ',
        { code: 'derived' },
        ' = computed from other figures, ',
        { code: 'resident' },
        ' = the model was already loaded. ',
        { code: 'itl_ms' },
        " is each request's mean per-token gap; ",
        { code: 'itl_pooled_ms' },
        ' pools every gap of every request.',
      ]),
    ],
  };
}

export function stagesSection(result: RunResult): ReportSection | undefined {
  if (result.stages.length <= 1) return undefined;
  const rows = result.stages.map((stage) => {
    const m = stage.metrics;
    return [
      stage.name,
      stage.target === undefined ? '-' : String(stage.target),
      String(stage.requests.ok),
      String(stage.requests.error + stage.requests.dropped),
      ...[stage.throughput.rps, stage.throughput.output_tps, m.ttft_ms?.p50, m.ttft_ms?.p95, m.itl_ms?.p50, m.total_duration_ms?.p95].map(formatNumber),
    ];
  });
  return {
    id: 'stages',
    title: 'Stages',
    blocks: [table(['stage', 'target', 'ok', 'failed', 'req/s', 'output tok/s', 'TTFT p50', 'TTFT p95', 'ITL p50', 'e2e p95'], rows, numbersAfter(1))],
  };
}

export function thresholdsSection(result: RunResult): ReportSection | undefined {
  if (!result.thresholds?.length) return undefined;
  const items: Text[] = result.thresholds.map((t) => [`${t.ok ? 'PASS' : 'FAIL'} `, { code: `${t.metric}: ${t.expression}` }, ` (actual ${formatNumber(t.actual)})`]);
  return { id: 'thresholds', title: 'Thresholds', blocks: [list(items)] };
}

export function clientHealthSection(result: RunResult): ReportSection {
  const items: Text[] = result.validity.map(
    (check) => `${check.ok ? 'ok' : 'FAILED'} ${check.name}: ${formatNumber(check.value)} (limit ${check.limit})${check.ok ? '' : ` — ${check.detail}`}`,
  );
  items.push(`client CPU: ${formatNumber(result.client_health.client_cpu_pct)} % of one core; network RTT ${formatNumber(result.target.network_rtt_ms)} ms`);
  const blocks: Block[] = [list(items)];
  return { id: 'client-health', title: 'Client health', blocks };
}
