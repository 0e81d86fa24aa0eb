/**
 * Executor inputs: plain data in milliseconds and requests/s, already validated (pipeline/scenario does
 * the YAML side). Each executor turns one of these into Phase data from pipeline/core/plan.ts.
 */
import type { ArrivalProcess } from './arrival-process.js';

/** How a phase stops: whichever comes first. At least one must be set. */
export interface StopConditions {
  readonly durationMs: number | null;
  readonly requests: number | null;
}

/** One k6-style stage: move linearly from the previous target to `target` over `durationMs`. */
export interface LoadStage {
  readonly durationMs: number;
  /** Users (closed loop) or requests/s (open loop). */
  readonly target: number;
}

/** Open-loop arrival settings shared by the rate executors. */
export interface ArrivalSettings {
  readonly arrival: ArrivalProcess;
  /** Gamma shape (1 = Poisson); only read for arrival `gamma`. */
  readonly burstiness: number;
  readonly seed: number;
  /** In-flight cap; an arrival that finds it full is recorded as dropped, never queued. */
  readonly maxInFlight: number;
}

/** Where a phase's stages go in run.json stages[] and what the phase is called. */
export interface PhaseLabel {
  readonly name: string;
  /** Index of the phase's first stage in run.json stages[] (warmup uses -1). */
  readonly stageIndex: number;
}

export const MAIN_LABEL: PhaseLabel = { name: 'main', stageIndex: 0 };
export const WARMUP_LABEL: PhaseLabel = { name: 'warmup', stageIndex: -1 };
