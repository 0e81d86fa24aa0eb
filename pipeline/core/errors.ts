/**
 * Run-level errors. Per-request failures are data (RequestRecord.status/error_kind), never exceptions;
 * these are for problems that stop a command. Only cli/ prints them and turns them into exit codes.
 */
export type ErrorCode =
  | 'USAGE'                // bad flag or value on the command line
  | 'SCENARIO_NOT_FOUND'
  | 'SCENARIO_INVALID'
  | 'ENGINE_UNKNOWN'
  | 'ENGINE_UNREACHABLE'   // preflight could not connect
  | 'ENGINE_REFUSED'       // preflight connected but the engine said no (unknown model, unhealthy)
  | 'ENGINE_PROTOCOL'      // preflight answer was not in the engine's format
  | 'SINK_UNAVAILABLE'
  | 'RUN_NOT_FOUND'
  | 'RUN_DAMAGED'          // a run directory file has an unreadable line that is not a torn last line
  | 'WORKLOAD_MISMATCH'    // compare/merge asked to put different workloads side by side
  | 'SEGMENTS_INCOMPLETE'  // merge given a segment twice, or without one of them
  | 'THRESHOLDS_FAILED'
  | 'REGRESSION_FOUND'
  | 'INTERNAL';

const EXIT_CODES: Record<ErrorCode, number> = {
  USAGE: 2,
  SCENARIO_NOT_FOUND: 2,
  SCENARIO_INVALID: 2,
  ENGINE_UNKNOWN: 2,
  ENGINE_UNREACHABLE: 3,
  ENGINE_REFUSED: 3,
  ENGINE_PROTOCOL: 3,
  SINK_UNAVAILABLE: 4,
  RUN_NOT_FOUND: 2,
  RUN_DAMAGED: 2,
  WORKLOAD_MISMATCH: 2,
  SEGMENTS_INCOMPLETE: 2,
  THRESHOLDS_FAILED: 99,
  REGRESSION_FOUND: 99,
  INTERNAL: 1,
};

export interface ErrorDetails {
  readonly cause?: unknown;
  /** How to fix it, one line. */
  readonly hint?: string;
}

export class BenchError extends Error {
  readonly hint: string | undefined;
  constructor(readonly code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, { cause: details.cause });
    this.name = new.target.name;
    this.hint = details.hint;
  }
  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

export class UsageError extends BenchError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('USAGE', message, details);
  }
}
export class ScenarioError extends BenchError {}
export class EngineError extends BenchError {}
export class SinkError extends BenchError {}
export class AnalyticsError extends BenchError {}

export function exitCodeOf(code: ErrorCode): number {
  return EXIT_CODES[code];
}
