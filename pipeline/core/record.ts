/**
 * The per-request record (DESIGN §4, §6): one per request that was due, whatever happened to it.
 * Written as one line of requests.jsonl; keys are snake_case because that file is a public format.
 */

export type RequestStatus = 'ok' | 'error' | 'dropped';

/** DESIGN §12. */
export type ErrorKind =
  | 'http_4xx'
  | 'http_5xx'
  | 'overloaded'           // 429 or 503
  | 'timeout_connect'
  | 'timeout_first_token'
  | 'timeout_idle'         // no chunk for N s
  | 'connection_refused'   // not in DESIGN §12's list: a refused connect is neither a timeout nor a reset
  | 'connection_reset'
  | 'protocol'             // unparseable stream or an engine error event after a 200
  | 'cancelled'
  | 'dropped'              // open-loop arrival that found max_in_flight full
  // Not in DESIGN §12's list, which names what the engine or the network did: the client's own worker thread
  // died with the request in flight, so its outcome is unknown (the engine may have served it) and was lost.
  | 'worker_died';

/** Where a number came from (DESIGN §2.1). */
export type MetricSource = 'server' | 'client' | 'derived' | 'resident';

/** The eight runtime metrics every engine fills for every successful request (DESIGN §4, engine parity). */
export const RUNTIME_METRICS = [
  'load_duration_ms',
  'prompt_eval_duration_ms',
  'prompt_token_rate',
  'eval_duration_ms',
  'eval_token_rate',
  'ttft_ms',
  'itl_ms',
  'total_duration_ms',
] as const;
export type RuntimeMetric = (typeof RUNTIME_METRICS)[number];

/** Every per-request metric that is summarised (count, mean, stddev, … p999, max). */
export const REQUEST_METRICS = [
  ...RUNTIME_METRICS,
  'tpot_ms',
  'icl_ms',
  'schedule_lag_ms',
  'e2e_from_schedule_ms',
  'eval_token_rate_engine',
  'server_total_duration_ms',
  'queue_ms',
  'prompt_tokens',
  'output_tokens',
  'tokens_per_chunk',
] as const;
export type RequestMetric = (typeof REQUEST_METRICS)[number];

export type RequestMetrics = Partial<Record<RequestMetric, number>>;
export type MetricSources = Partial<Record<RequestMetric, MetricSource>>;

/**
 * Chunk log: one entry per content-carrying chunk, [offset_ms from t_send, tokens it carried].
 * A tuple keeps requests.jsonl compact (a 1 000-token request logs 1 000 of these).
 */
export type ChunkLogEntry = [offsetMs: number, tokens: number];

export interface RequestRecord {
  request_id: string;
  run_id: string;
  /** Stage name ("main", "warmup", "stage-2", "c=8"…). */
  stage: string;
  /** Index of the stage in run.json stages[] (warmup is -1). */
  stage_index: number;
  warmup: boolean;
  status: RequestStatus;
  error_kind?: ErrorKind;
  error_message?: string;
  http_status?: number;
  engine: string;
  model: string;
  stream: boolean;
  /** Worker thread and user (closed loop) that sent it. */
  worker: number;
  user?: number;
  /** The agent ("2of4") whose segment sent it; set on the records of a merged run (DESIGN §16). */
  agent?: string;

  // The seven stamps, epoch ms with µs resolution (undefined when the request never got that far).
  t_intended: number;
  t_dispatch?: number;
  t_send?: number;
  t_headers?: number;
  t_first_token?: number;
  t_last_token?: number;
  t_done?: number;

  prompt_tokens?: number;
  /** Prompt tokens served from a prefix cache, when the engine says. */
  cached_tokens?: number;
  output_tokens?: number;
  token_source?: 'server' | 'client';
  finish_reason?: string;
  chunks: ChunkLogEntry[];
  /** 1 when the request was sent again because the server had closed the reused connection unanswered. */
  transport_retries?: number;
  /** Chunks that carried text but no token, or that the parser could not count (e.g. empty UTF-8 partials). */
  empty_chunks?: number;

  metrics: RequestMetrics;
  sources: MetricSources;
  /** The engine's raw timing and count fields, unconverted (e.g. Ollama nanoseconds). */
  server: Record<string, number | string | boolean | null>;
}
