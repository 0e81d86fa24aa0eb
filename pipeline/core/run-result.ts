/**
 * run.json (DESIGN §6): what a finished (or aborted) run says about itself. `summary` and every entry of
 * `stages` share one shape, so analytics treats a stage like a small run.
 */
import type { MetricSummary } from './stats.js';
import type { EngineInfo } from './engine.js';
import type { ErrorKind, MetricSource, RequestMetric } from './record.js';
import type { YoungGcMode } from './young-gc.js';

export const RUN_SCHEMA_VERSION = 1;

export interface MetricSummaryWithSource extends MetricSummary {
  /** How many requests got this metric from each source, e.g. {"server": 40}. */
  sources?: Partial<Record<MetricSource, number>>;
}

export interface RunSummary {
  /** Wall time from the first send to the last completion in this scope, ms. */
  duration_ms: number;
  requests: {
    total: number;
    ok: number;
    error: number;
    dropped: number;
    /** Excluded warmup requests (in the run summary only). */
    warmup?: number;
  };
  throughput: {
    rps: number;
    output_tps: number;
    total_tps: number;
    /** Requests/s that met every SLO threshold (equals rps when no thresholds). */
    goodput_rps: number;
  };
  error_rate: number;
  errors_by_kind: Partial<Record<ErrorKind, number>>;
  /** Every per-request metric; plus `itl_pooled_ms` and `icl_pooled_ms` over all gaps of all requests. */
  metrics: Partial<Record<RequestMetric | 'itl_pooled_ms' | 'icl_pooled_ms', MetricSummaryWithSource>>;
  jitter: {
    /** Mean over requests of the CV of that request's per-token gaps. */
    itl_cv_mean: number | null;
    /** Gaps longer than 3× their request's median gap. */
    stall_count: number;
  };
}

export interface StageSummary extends RunSummary {
  name: string;
  index: number;
  phase: string;
  target?: number;
}

export interface ValidityCheck {
  name: string;
  ok: boolean;
  value: number | null;
  limit: number;
  detail: string;
}

export interface ClientHealth {
  /** Over every request, open and closed loop (the summary's schedule_lag_ms p99). */
  schedule_lag_p99_ms: number | null;
  /** Share of closed-loop users' time spent waiting to send (run/send-lag.ts); absent or null without closed-loop load. */
  user_send_wait_share?: number | null;
  event_loop_delay_p99_ms: number | null;
  client_cpu_pct: number | null;
  dropped_arrivals: number;
  /** The most closed-loop sends per second each worker thread was allowed (pool/dispatch-pacer.ts); null = no limit. */
  user_send_rate_per_worker?: number | null;
  /** The coordinator thread's nice value during the run, when it was lowered below the workers' (Linux). */
  coordinator_nice?: number;
  /** The worker threads' nice value (the highest, i.e. least favoured, of them), raised where allowed (Linux). */
  worker_nice?: number;
  /** V8's and libuv's helper threads' nice value: the coordinator's with serial scavenges, the workers' with parallel ones (Linux). */
  helper_nice?: number;
  /** How the client's young-generation GC ran: on the allocating thread alone ('serial', the default) or with V8's helpers. */
  young_gc?: YoungGcMode;
}

export interface ThresholdResult {
  metric: string;
  expression: string;
  actual: number | null;
  ok: boolean;
}

export interface RunResult {
  schema_version: number;
  run_id: string;
  tool: { name: 'llmbench'; version: string };
  status: 'completed' | 'aborted' | 'failed';
  /** Why the run ended early, when it did. */
  abort_reason?: string;
  valid: boolean;
  validity: ValidityCheck[];
  started_at: string;
  ended_at: string;
  /** The resolved scenario, secrets redacted. */
  scenario: Record<string, unknown> & { name: string };
  target: { engine: string; url: string; model: string; api: string; server?: EngineInfo; network_rtt_ms: number };
  host: Record<string, unknown>;
  gpus?: unknown[];
  client_health: ClientHealth;
  summary: RunSummary;
  stages: StageSummary[];
  thresholds?: ThresholdResult[];
  resources?: Record<string, unknown>;
  sinks?: Record<string, unknown>;
  analysis?: Record<string, unknown>;
}
