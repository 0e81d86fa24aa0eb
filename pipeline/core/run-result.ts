/**
 * run.json (DESIGN §6): what a finished (or aborted) run says about itself. `summary` and every entry of
 * `stages` share one shape, so analytics treats a stage like a small run.
 */
import type { RunAnalysis } from './analysis.js';
import type { MetricSummary } from './stats.js';
import type { EngineInfo } from './engine.js';
import type { ErrorKind, MetricSource, RequestMetric } from './record.js';

export type { RunAnalysis } from './analysis.js';

export const RUN_SCHEMA_VERSION = 2;

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
  /** Why the stage's phase was ended before its stop condition (--stop-on-saturation). */
  ended_early?: string;
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
  /** What the process tuning set for the run (pipeline/tuning): nice values of the client's threads, GC mode. */
  tuning?: Record<string, number | string>;
}

export interface ThresholdResult {
  metric: string;
  expression: string;
  actual: number | null;
  ok: boolean;
}

/**
 * The workload, engine-independent (DESIGN §11): two runs with the same hash ran the same prompts/outputs and the
 * same load shape, so compare and trend may put them side by side whatever engine served them.
 */
export interface WorkloadFingerprint {
  /** sha256 (first 16 hex digits) of `fields` as canonical JSON. */
  hash: string;
  fields: Record<string, unknown>;
}

/** The target as the run recorded it. */
export interface RunTarget {
  engine: string;
  url: string;
  model: string;
  api: string;
  server?: EngineInfo;
  network_rtt_ms: number | null;
  /** How synthetic prompts were aimed at the requested length (pipeline/run/prompt-calibration.ts). */
  prompt_calibration?: { requested_tokens: number; prompt_words: number | null; server_tokens: number | null; endpoint: string | null; reason?: string };
}

/**
 * How this machine's clock compares with the reference the agents share (the engine's `Date` header, or an
 * NTP-style offset given with --clock-offset-ms): the offset (reference − local) lies in [low, high].
 */
export interface ClockCheck {
  source: 'clock-offset-ms' | 'date-header' | 'none';
  offset_low_ms: number | null;
  offset_high_ms: number | null;
  /** The schedule-lag budget the offset is judged against (validity's schedule_lag_p99_ms limit). */
  budget_ms: number;
  /** within: |offset| ≤ budget for certain; beyond: |offset| > budget for certain; undetermined: the bounds straddle it. */
  verdict: 'within' | 'beyond' | 'undetermined';
  detail: string;
}

/** run-start.json and run.json `segment`: this run is segment I of N of one run spread over agents (DESIGN §16). */
export interface SegmentInfo {
  index: number;
  count: number;
  /** "2of4": the `agent` tag of its points. */
  agent: string;
  /** --start-at: the epoch ms the agents share for their first measured phase (each runs its warmup before it). */
  start_at_ms?: number;
  /** run.json only: how much later than start_at_ms this agent's first measured phase began (0 when on time); nothing was skipped. */
  start_lag_ms?: number;
  /** run.json only, with --start-at: this machine's clock against the shared reference. */
  clock?: ClockCheck;
}

/** run.json `segments` of a merged run (llmbench merge): each segment that went into it. */
export interface MergedSegment {
  index: number;
  count: number;
  agent: string;
  /** The segment's run directory as given to merge. */
  dir: string;
  status: RunStatus;
  valid: boolean;
  /** Its records, warmup included. */
  records: number;
  started_at: string;
  ended_at: string;
  start_lag_ms: number | null;
  clock: ClockCheck | null;
  host: string | null;
}

/**
 * run-start.json: written once, before any load, so a run killed before it could write run.json is still
 * recognisable (DESIGN §6): what it was, when it began, and which stages it planned.
 */
export interface StartManifest {
  schema_version: number;
  run_id: string;
  tool: { name: 'llmbench'; version: string };
  started_at: string;
  scenario: Record<string, unknown> & { name: string };
  workload_fingerprint?: WorkloadFingerprint;
  target: { engine: string; url: string; model: string; api?: string };
  host: Record<string, unknown>;
  /** The phases and their stage labels, as planned. */
  phases: Array<{ name: string; warmup: boolean; stages: Array<{ name: string; index: number; target?: number }> }>;
  segment?: SegmentInfo;
}

/** `completed`, `aborted` and `failed` are what the run said when it ended; `incomplete`: it never did (killed). */
export type RunStatus = 'completed' | 'aborted' | 'failed' | 'incomplete';

export interface RunResult {
  schema_version: number;
  run_id: string;
  tool: { name: 'llmbench'; version: string };
  status: RunStatus;
  /** Why the run ended early, when it did. */
  abort_reason?: string;
  valid: boolean;
  validity: ValidityCheck[];
  started_at: string;
  ended_at: string;
  /** The resolved scenario, secrets redacted. */
  scenario: Record<string, unknown> & { name: string };
  workload_fingerprint?: WorkloadFingerprint;
  target: RunTarget;
  host: Record<string, unknown>;
  gpus?: unknown[];
  client_health: ClientHealth;
  summary: RunSummary;
  stages: StageSummary[];
  thresholds?: ThresholdResult[];
  /** The --slo expressions the run was given: what analysis.slo is computed for, kept so it can be recomputed from InfluxDB. */
  slos?: string[];
  resources?: Record<string, unknown>;
  /** llm_window points the run handed out, and records that arrived after their window was final (0 expected). */
  windows?: { emitted: number; late_records: number };
  sinks?: Record<string, unknown>;
  analysis?: RunAnalysis;
  /** For an `incomplete` run: what the run directory held when it was read (pipeline/sinks/run-directory-reader.ts). */
  damage?: { torn_lines: number; files: string[] };
  /** A segment's own run (`llmbench run --segment I/N`). */
  segment?: SegmentInfo;
  /** A merged run (`llmbench merge`): the segments it was made of, in segment order. */
  segments?: MergedSegment[];
  /** A merged run with --allow-partial: the segments that were not there ("3/4"). */
  missing_segments?: string[];
}
