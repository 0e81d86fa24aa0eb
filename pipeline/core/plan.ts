/**
 * The execution plan: what a scenario compiles to (pure, before any I/O) and what the worker pool runs.
 * A plan is a list of phases run one after another (warmup, then the main load; or one phase per sweep
 * level). Within a phase the load profile is continuous; `stages` only label time windows of it, so a
 * ramp from 10 to 100 users does not drain in-flight requests at a stage boundary.
 */
import type { ApiKind, EngineKind } from './engine.js';
import type { Segment } from './segment.js';

export interface TargetConfig {
  readonly engine: EngineKind;
  /** Base URL, e.g. http://127.0.0.1:8000 */
  readonly url: string;
  readonly model: string;
  readonly api?: ApiKind;
  /** Name of the environment variable holding an API key; the key itself is never stored. */
  readonly apiKeyEnv?: string;
}

export interface WorkloadConfig {
  readonly promptTokens: number;
  /** Words per synthetic prompt when preflight calibrated them to the server's tokenizer (else promptTokens). */
  readonly promptWords?: number;
  readonly maxTokens: number;
  readonly stream: boolean;
  /** JSONL file of prompts ({"prompt": "..."} per line), instead of synthetic prompts. */
  readonly dataset?: string;
  readonly seed: number;
  /** Per-request timeouts (ms). */
  readonly connectTimeoutMs: number;
  readonly firstTokenTimeoutMs: number;
  readonly idleTimeoutMs: number;
}

/** Closed loop: a number of users over time (piecewise linear), each sends, waits for the answer, thinks. */
export interface ClosedLoad {
  readonly kind: 'closed';
  /** Breakpoints [offset ms from phase start, users]; linear between them, last value held. */
  readonly users: ReadonlyArray<readonly [number, number]>;
  readonly thinkTimeMs: number;
}

/** Open loop: requests at fixed offsets, whatever the server does; a full cap drops instead of queueing. */
export interface OpenLoad {
  readonly kind: 'open';
  /** Arrival offsets in ms from phase start, ascending. */
  readonly arrivalsMs: readonly number[];
  readonly maxInFlight: number;
}

export interface StageLabel {
  readonly name: string;
  /** Index in run.json stages[]. */
  readonly index: number;
  /** Offset from phase start where this stage begins. */
  readonly startMs: number;
  /** Users (closed) or requests/s (open) this stage aims at, for display. */
  readonly target?: number;
}

export interface Phase {
  readonly name: string;
  readonly warmup: boolean;
  /** Stop sending after this long (ms from phase start); null = until the request budget is spent. */
  readonly durationMs: number | null;
  /** Stop after this many requests were sent; null = until the duration is over. */
  readonly requests: number | null;
  readonly load: ClosedLoad | OpenLoad;
  readonly stages: readonly StageLabel[];
  /**
   * Set when this machine runs one segment of the phase (DESIGN §16): `load` keeps the whole phase's users
   * profile and arrival offsets, and the workers take only the segment's users and arrivals
   * (pipeline/load/segment.ts); `requests` and an open load's `maxInFlight` are already the segment's share.
   */
  readonly segment?: Segment;
}

export interface AbortConditions {
  /** Abort the run when this many requests failed (null = never). */
  readonly maxErrors: number | null;
  /** Abort when the error rate over at least `minRequests` exceeds this (0..1; null = never). */
  readonly maxErrorRate: number | null;
  readonly minRequestsForRate: number;
}

export interface ExecutionPlan {
  readonly target: TargetConfig;
  readonly workload: WorkloadConfig;
  readonly phases: readonly Phase[];
  readonly abort: AbortConditions;
  /** The segment of the schedule this machine runs (every phase carries it too); absent: the whole schedule. */
  readonly segment?: Segment;
}

/** Users at `offsetMs` from a piecewise-linear profile. */
export function usersAt(profile: ClosedLoad['users'], offsetMs: number): number {
  if (profile.length === 0) return 0;
  const first = profile[0]!;
  if (offsetMs <= first[0]) return first[1];
  for (let i = 1; i < profile.length; i++) {
    const [t1, u1] = profile[i]!;
    if (offsetMs <= t1) {
      const [t0, u0] = profile[i - 1]!;
      return t1 === t0 ? u1 : u0 + ((u1 - u0) * (offsetMs - t0)) / (t1 - t0);
    }
  }
  return profile[profile.length - 1]![1];
}
