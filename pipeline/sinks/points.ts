/**
 * The one mapping from what a run produces to InfluxDB points (DESIGN §6), used live by the sink and by
 * `llmbench push`, so both write the same points (the 1 s windows come ready-made from pipeline/run/windows.ts).
 * Pure: no clock, no I/O. Times stay epoch ms here;
 * unique-timestamps.ts turns them into unique nanoseconds per series.
 *
 * Tags are the low-cardinality identity of a series; everything per request (request_id included) is a field.
 * A segment of a run spread over agents (DESIGN §16) adds `agent` ("2of4", one value per agent) to every point,
 * so agents sharing a run id never write the same series; an unsegmented run has no `agent` tag.
 * `record_json` carries the rest of the record (stamps, counts, sources, raw server fields) so that
 * analytics/flux-source.ts can rebuild the exact RequestRecord; metrics and the chunk log travel as real
 * fields and `llm_token` points. Keep REQUEST_RECORD_JSON_FIELD in step with analytics/record-from-flux.ts.
 */
import type { Comparison } from '../core/analysis.js';
import type { Point } from '../core/point.js';
import type { RequestRecord } from '../core/record.js';
import type { RunResult } from '../core/run-result.js';
import type { RunIdentity } from '../core/sink.js';
import { fingerprintOfRun } from '../scenario/fingerprint.js';

export type RunTags = RunIdentity;

export const REQUEST_RECORD_JSON_FIELD = 'record_json';

/** `llm_request` at t_send (t_intended when it was never sent) and one `llm_token` per chunk-log entry. */
export function recordToPoints(record: RequestRecord, run: RunTags): Point[] {
  const engine = record.engine || run.engine;
  const model = record.model || run.model;
  // A merged run's records name their agent, so pushing it lands on the series its agents wrote live.
  const agent = record.agent ?? run.agent;
  const agentTag: Record<string, string> = agent ? { agent } : {};
  const fields: Record<string, number | string | boolean> = {
    request_id: record.request_id,
    tokens: record.output_tokens ?? record.metrics.output_tokens ?? 0,
    warmup: record.warmup,
  };
  for (const [name, value] of Object.entries(record.metrics)) if (value !== undefined) fields[name] = value;
  if (record.error_kind !== undefined) fields.error_kind = record.error_kind;
  if (record.http_status !== undefined) fields.http_status = record.http_status;
  const { metrics: _metrics, chunks: _chunks, ...rest } = record;
  fields[REQUEST_RECORD_JSON_FIELD] = JSON.stringify(rest);

  const points: Point[] = [
    {
      measurement: 'llm_request',
      tags: { run_id: run.runId, scenario: run.scenario, engine, model, stage: record.stage, status: record.status, ...agentTag },
      fields,
      time_ms: record.t_send ?? record.t_dispatch ?? record.t_intended,
    },
  ];
  if (record.t_send === undefined) return points;

  const tokenTags = { run_id: run.runId, engine, model, stage: record.stage, ...agentTag };
  let previousOffsetMs: number | undefined;
  record.chunks.forEach(([offsetMs, tokens], index) => {
    const tokenFields: Record<string, number | string> = { request_id: record.request_id, index, tokens, offset_ms: offsetMs };
    // gap_ms is the wire gap to the previous token-carrying chunk (icl_ms's definition); none before the first.
    if (tokens > 0 && previousOffsetMs !== undefined) tokenFields.gap_ms = Math.max(offsetMs - previousOffsetMs, 0);
    if (tokens > 0) previousOffsetMs = offsetMs;
    points.push({ measurement: 'llm_token', tags: tokenTags, fields: tokenFields, time_ms: record.t_send! + offsetMs });
  });
  return points;
}

/** Resource samples pass through with the run's id as a tag (whatever the collector put there), and a segment's agent. */
export function resourcePoints(points: readonly Point[], runId: string, agent?: string): Point[] {
  return points.map((point) => ({ ...point, tags: { ...point.tags, run_id: runId, ...(agent ? { agent } : {}) } }));
}

/** Metrics whose headline statistics go on the `llm_run` point. */
export const HEADLINE_METRICS = ['ttft_ms', 'itl_ms', 'tpot_ms', 'total_duration_ms', 'e2e_from_schedule_ms', 'eval_token_rate', 'prompt_token_rate'] as const;
export const HEADLINE_STATS = ['mean', 'p50', 'p90', 'p95', 'p99'] as const;
/** Run-level figures on the `llm_run` point under their own names. */
export const RUN_FIGURE_FIELDS = ['rps', 'output_tps', 'total_tps', 'goodput_rps', 'error_rate'] as const;

/**
 * run.json travels on the `llm_run` point as string fields `run_json` (and `run_json_1`, `run_json_2`, … when it is
 * long; `run_json_parts` says how many), so a run read back from InfluxDB has its whole result: scenario, target,
 * validity, stages, thresholds (analytics/flux-run.ts). Left out: `analysis` (recomputed from the data, and only
 * added after the InfluxDB sink has closed) and `sinks` (each sink's own report, also added after). InfluxDB takes
 * string fields up to 64 KiB; a part holds at most RUN_JSON_PART_CHARS UTF-16 units (at most 48 KiB of UTF-8).
 */
export const RUN_JSON_FIELD = 'run_json';
export const RUN_JSON_PARTS_FIELD = 'run_json_parts';
const RUN_JSON_PART_CHARS = 16_000;

/** `llm_run` at the run's end: status, validity, the headline numbers a trend query needs, and run.json itself. */
export function runPoint(result: RunResult): Point {
  const summary = result.summary;
  const fields: Record<string, number | string | boolean> = {
    status: result.status,
    valid: result.valid,
    tool_version: result.tool.version,
    started_at: result.started_at,
    workload_hash: fingerprintOfRun(result)?.hash ?? 'unknown',
    duration_ms: summary.duration_ms,
    requests_total: summary.requests.total,
    requests_ok: summary.requests.ok,
    requests_error: summary.requests.error,
    requests_dropped: summary.requests.dropped,
    rps: summary.throughput.rps,
    output_tps: summary.throughput.output_tps,
    total_tps: summary.throughput.total_tps,
    goodput_rps: summary.throughput.goodput_rps,
    error_rate: summary.error_rate,
    stall_count: summary.jitter.stall_count,
    dropped_arrivals: result.client_health.dropped_arrivals,
  };
  if (result.abort_reason !== undefined) fields.abort_reason = result.abort_reason;
  if (summary.jitter.itl_cv_mean !== null) fields.itl_cv_mean = summary.jitter.itl_cv_mean;
  const health = result.client_health;
  if (health.schedule_lag_p99_ms !== null) fields.schedule_lag_p99_ms = health.schedule_lag_p99_ms;
  if (health.user_send_wait_share != null) fields.user_send_wait_share = health.user_send_wait_share;
  if (health.event_loop_delay_p99_ms !== null) fields.event_loop_delay_p99_ms = health.event_loop_delay_p99_ms;
  if (health.client_cpu_pct !== null) fields.client_cpu_pct = health.client_cpu_pct;
  for (const metric of HEADLINE_METRICS) {
    const stats = summary.metrics[metric];
    if (!stats) continue;
    for (const stat of HEADLINE_STATS) fields[statFieldName(metric, stat)] = stats[stat];
  }
  // The analysis' answers, for trends of the knee and the SLO limit across runs.
  const analysis = result.analysis;
  if (analysis) {
    fields.anomalies = analysis.anomalies.length;
    if (analysis.scaling.knee) fields.knee_level = analysis.scaling.knee.level;
    if (analysis.slo?.max_level != null) fields.slo_max_level = analysis.slo.max_level;
    if (analysis.slo?.ci_low != null) fields.slo_ci_low = analysis.slo.ci_low;
    if (analysis.slo?.ci_high != null) fields.slo_ci_high = analysis.slo.ci_high;
  }
  const parts = runJsonParts(result);
  parts.forEach((part, i) => (fields[i === 0 ? RUN_JSON_FIELD : `${RUN_JSON_FIELD}_${i}`] = part));
  fields[RUN_JSON_PARTS_FIELD] = parts.length;
  return {
    measurement: 'llm_run',
    tags: {
      run_id: result.run_id,
      scenario: result.scenario.name,
      engine: result.target.engine,
      model: result.target.model,
      ...(result.segment ? { agent: result.segment.agent } : {}),
    },
    fields,
    time_ms: Date.parse(result.ended_at),
  };
}

/** run.json without `analysis` and `sinks`, compact (no line breaks), cut into parts that never split a surrogate pair. */
function runJsonParts(result: RunResult): string[] {
  const { analysis: _analysis, sinks: _sinks, ...stored } = result;
  const text = JSON.stringify(stored);
  const parts: string[] = [];
  for (let at = 0; at < text.length; ) {
    let end = Math.min(at + RUN_JSON_PART_CHARS, text.length);
    const code = text.charCodeAt(end - 1);
    if (end < text.length && code >= 0xd800 && code <= 0xdbff) end--; // a high surrogate stays with its low half
    parts.push(text.slice(at, end));
    at = end;
  }
  return parts.length ? parts : ['{}'];
}

/** `ttft_ms` + `p95` → `ttft_p95_ms` (the unit stays last); `eval_token_rate` + `p95` → `eval_token_rate_p95`. */
export function statFieldName(metric: string, stat: string): string {
  return metric.endsWith('_ms') ? `${metric.slice(0, -3)}_${stat}_ms` : `${metric}_${stat}`;
}

/**
 * `llm_regression` (DESIGN §11): one point per gated metric that regressed when `llmbench schedule` compared a run
 * with the scenario's recent runs, at the run's end. Tags run_id, scenario, engine, model (the run's); fields the
 * metric, its change in % and how many runs it was compared with. The trends dashboard shows them as annotations.
 * Points of one run share a series and a time: the writer gives each its own nanosecond (unique-timestamps.ts).
 */
export function regressionPoints(result: RunResult, comparison: Comparison, baseRuns: number): Point[] {
  const tags = { run_id: result.run_id, scenario: result.scenario.name, engine: result.target.engine, model: result.target.model };
  return Object.entries(comparison.metrics)
    .filter(([, metric]) => metric.gated && metric.verdict === 'regressed')
    .map(([metric, compared]) => ({ measurement: 'llm_regression', tags, fields: { metric, diff_pct: compared.diff_pct, base_runs: baseRuns }, time_ms: Date.parse(result.ended_at) }));
}
