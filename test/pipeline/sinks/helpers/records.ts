/** Synthetic RequestRecords and RunResults shaped like the runner's, for sink and analytics tests. */
import type { RequestRecord } from '../../../../pipeline/core/record.js';
import { RUN_SCHEMA_VERSION, type RunResult } from '../../../../pipeline/core/run-result.js';
import type { RunIdentity, RunSink, RunStart, SinkReport } from '../../../../pipeline/core/sink.js';
import { windowPoints } from '../../../../pipeline/run/windows.js';

export const RUN: RunIdentity = { runId: 'run-1', scenario: 'quick', engine: 'vllm', model: 'tiny' };

/** What a sink is opened with, for `run` (default RUN). */
export function runStart(run: RunIdentity = RUN): RunStart {
  return {
    ...run,
    manifest: {
      schema_version: RUN_SCHEMA_VERSION,
      run_id: run.runId,
      tool: { name: 'llmbench', version: '0.1.0' },
      started_at: '2026-11-27T10:00:00.000Z',
      scenario: { name: run.scenario },
      target: { engine: run.engine, url: 'http://127.0.0.1:8000', model: run.model },
      host: {},
      phases: [{ name: 'main', warmup: false, stages: [{ name: 'main', index: 0 }] }],
    },
  };
}

/** What the coordinator does at the end of a run: the records' final windows, then close; the sink's report. */
export async function finishRun(sink: RunSink, records: readonly RequestRecord[], result: RunResult, run: RunIdentity = RUN): Promise<SinkReport> {
  const windows = windowPoints(records, run);
  if (windows.length > 0) sink.write({ kind: 'windows', windows });
  const section = await sink.close?.(result);
  return section?.sinkReport ?? {};
}

export interface RecordShape {
  requestId?: string;
  /** Epoch ms of t_send. */
  sendMs?: number;
  tokens?: number;
  /** Gap between chunks, ms. */
  gapMs?: number;
  ttftMs?: number;
  stage?: string;
  status?: RequestRecord['status'];
  /** Offsets of every chunk (overrides tokens/gap). */
  chunkOffsetsMs?: number[];
}

/** A streamed request: one token per chunk, like the simulator in fixed mode. */
export function okRecord(shape: RecordShape = {}): RequestRecord {
  const sendMs = shape.sendMs ?? 1_795_800_000_000.25;
  const ttftMs = shape.ttftMs ?? 40;
  const tokens = shape.tokens ?? 4;
  const gapMs = shape.gapMs ?? 10;
  const offsets = shape.chunkOffsetsMs ?? Array.from({ length: tokens }, (_, i) => ttftMs + i * gapMs);
  const lastMs = offsets[offsets.length - 1] ?? ttftMs;
  const id = shape.requestId ?? 'req-1';
  return {
    request_id: id,
    run_id: RUN.runId,
    stage: shape.stage ?? 'main',
    stage_index: 0,
    warmup: false,
    status: shape.status ?? 'ok',
    engine: RUN.engine,
    model: RUN.model,
    stream: true,
    worker: 0,
    user: 3,
    t_intended: sendMs - 0.5,
    t_dispatch: sendMs - 0.25,
    t_send: sendMs,
    t_headers: sendMs + ttftMs / 2,
    t_first_token: sendMs + (offsets[0] ?? ttftMs),
    t_last_token: sendMs + lastMs,
    t_done: sendMs + lastMs + 1.5,
    prompt_tokens: 32,
    output_tokens: offsets.length,
    token_source: 'server',
    finish_reason: 'length',
    chunks: offsets.map((offset) => [offset, 1]),
    metrics: {
      ttft_ms: offsets[0] ?? ttftMs,
      total_duration_ms: lastMs + 1.5,
      itl_ms: gapMs,
      output_tokens: offsets.length,
      prompt_tokens: 32,
      load_duration_ms: 0,
      eval_token_rate: 1000 / gapMs,
    },
    sources: { ttft_ms: 'client', total_duration_ms: 'client', itl_ms: 'client', output_tokens: 'server', prompt_tokens: 'server', load_duration_ms: 'resident', eval_token_rate: 'derived' },
    server: { prompt_tokens: 32, completion_tokens: offsets.length, note: 'a "quoted", comma, and \\ backslash' },
  };
}

/** An open-loop arrival that found max_in_flight full: never sent. */
export function droppedRecord(requestId = 'req-dropped', intendedMs = 1_795_800_000_100.125): RequestRecord {
  return {
    request_id: requestId,
    run_id: RUN.runId,
    stage: 'main',
    stage_index: 0,
    warmup: false,
    status: 'dropped',
    error_kind: 'dropped',
    engine: RUN.engine,
    model: RUN.model,
    stream: true,
    worker: 1,
    t_intended: intendedMs,
    chunks: [],
    metrics: {},
    sources: {},
    server: {},
  };
}

/** A 503 before any token. */
export function errorRecord(requestId = 'req-error', sendMs = 1_795_800_000_200.5): RequestRecord {
  return {
    request_id: requestId,
    run_id: RUN.runId,
    stage: 'main',
    stage_index: 0,
    warmup: false,
    status: 'error',
    error_kind: 'overloaded',
    error_message: 'HTTP 503: server busy',
    http_status: 503,
    engine: RUN.engine,
    model: RUN.model,
    stream: true,
    worker: 0,
    t_intended: sendMs - 1,
    t_dispatch: sendMs - 0.5,
    t_send: sendMs,
    t_headers: sendMs + 3,
    t_done: sendMs + 3.25,
    chunks: [],
    metrics: { total_duration_ms: 3.25, schedule_lag_ms: 1 },
    sources: { total_duration_ms: 'client', schedule_lag_ms: 'client' },
    server: {},
  };
}

/** `count` requests sent within one millisecond, each with `tokens` chunks whose arrivals coincide too. */
export function concurrentRecords(count: number, tokens: number, sendMs = 1_795_800_001_000): RequestRecord[] {
  return Array.from({ length: count }, (_, i) =>
    okRecord({
      requestId: `req-${String(i).padStart(4, '0')}`,
      sendMs, // every request sent at the very same instant
      chunkOffsetsMs: Array.from({ length: tokens }, (_, k) => 20 + Math.floor(k / 4) * 0.001), // 4 chunks per socket read
    }),
  );
}

export function runResult(overrides: Partial<RunResult> = {}): RunResult {
  const metric = { count: 80, mean: 41, stddev: 2, cv: 0.05, min: 38, p50: 40.5, p90: 44, p95: 45, p99: 47, p999: 48, max: 48 };
  return {
    schema_version: RUN_SCHEMA_VERSION,
    run_id: RUN.runId,
    tool: { name: 'llmbench', version: '0.1.0' },
    status: 'completed',
    valid: true,
    validity: [],
    started_at: '2026-11-27T10:00:00.000Z',
    ended_at: '2026-11-27T10:01:00.000Z',
    scenario: { name: RUN.scenario },
    target: { engine: RUN.engine, url: 'http://127.0.0.1:8000', model: RUN.model, api: 'chat', network_rtt_ms: 0.2 },
    host: {},
    client_health: { schedule_lag_p99_ms: 0.8, event_loop_delay_p99_ms: 2, client_cpu_pct: 12, dropped_arrivals: 0 },
    summary: {
      duration_ms: 60_000,
      requests: { total: 80, ok: 80, error: 0, dropped: 0 },
      throughput: { rps: 1.33, output_tps: 21.3, total_tps: 64, goodput_rps: 1.33 },
      error_rate: 0,
      errors_by_kind: {},
      metrics: { ttft_ms: metric, eval_token_rate: { ...metric, mean: 95 } },
      jitter: { itl_cv_mean: 0.1, stall_count: 0 },
    },
    stages: [],
    ...overrides,
  };
}
